/* plots.c -- the figure of em.coordinate_ascent: the free energy F and
 * the log-likelihood at every half-step of EM. */
#include "results/em/em_topic.h"
#include "plot/el_plot.h"
#include "results/em/el_em.h"
#include "core/el_core.h"
#include "dist/el_dist.h"
#include "num/el_num.h"

#define FIG_N     60 /* data points */
#define FIG_K     3
#define FIG_ITERS 12 /* EM iterations drawn */

/* Draws FIG_N points of a three-component mixture with R into X. */
static int figure_data(const gsl_rng *r, double *x)
{
    static const double w[FIG_K] = { 0.3, 0.45, 0.25 }, mu[FIG_K] = { -2.4, 0.2, 2.7 },
                        sd[FIG_K] = { 0.7, 0.6, 0.9 };
    int s;
    el_mix *m = el_mix_alloc(FIG_K, w, mu, sd, &s);
    for (size_t i = 0; m && i < FIG_N; i++)
        x[i] = el_mix_sample(m, r);
    el_mix_free(m);
    return s;
}

/* Runs EM from a poor start, filling (half-step, F) in HF/F and
 * (iteration, log p) in HL/L, all per data point: whole numbers follow
 * E-steps, halves M-steps. */
static int em_trace(const double *x, double *hf, double *f, double *hl, double *l)
{
    double w[FIG_K] = { 0.5, 0.3, 0.2 }, mu[FIG_K] = { -1.0, 1.2, 1.6 },
           sd[FIG_K] = { 1.5, 0.5, 0.5 };
    double q[FIG_N * FIG_K], ll;
    el_gmm g = { FIG_K, w, mu, sd };
    int s = EL_OK;
    for (size_t t = 0; t <= FIG_ITERS && !s; t++) {
        s = el_em_estep(&g, FIG_N, x, q, &ll);
        hl[t] = hf[2 * t] = (double)t;
        l[t] = ll / FIG_N;
        f[2 * t] = el_em_free_energy(&g, FIG_N, x, q) / FIG_N;
        if (s || t == FIG_ITERS)
            break;
        s = el_em_mstep(&g, FIG_N, x, q, el_em_spread(FIG_N, x));
        hf[2 * t + 1] = (double)t + 0.5;
        f[2 * t + 1] = el_em_free_energy(&g, FIG_N, x, q) / FIG_N;
    }
    return s;
}

int el_em_fig_halfsteps(FILE *out, const el_plot_opts *o)
{
    double x[FIG_N], hf[2 * FIG_ITERS + 1], f[2 * FIG_ITERS + 1], hl[FIG_ITERS + 1],
        l[FIG_ITERS + 1];
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "em-free-energy"));
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int s = figure_data(r, x);
    el_rng_free(r);
    if (!s)
        s = em_trace(x, hf, f, hl, l);
    if (s)
        return s;
    /* the rise of F over each half-step: M-steps end at odd, E-steps at even indices */
    double hm[FIG_ITERS], dm[FIG_ITERS], he[FIG_ITERS], de[FIG_ITERS];
    for (size_t t = 0; t < FIG_ITERS; t++) {
        hm[t] = hf[2 * t + 1];
        dm[t] = f[2 * t + 1] - f[2 * t];
        he[t] = hf[2 * t + 2];
        de[t] = f[2 * t + 2] - f[2 * t + 1];
    }
    const double *cf[2] = { hf, f }, *cl[2] = { hl, l }, *cm[2] = { hm, dm }, *ce[2] = { he, de };
    el_plot_block(out, "F", 2 * FIG_ITERS + 1, 2, cf);
    el_plot_block(out, "L", FIG_ITERS + 1, 2, cl);
    el_plot_block(out, "DM", FIG_ITERS, 2, cm);
    el_plot_block(out, "DE", FIG_ITERS, 2, ce);
    fputs("set multiplot layout 2,1 title 'EM as coordinate ascent on "
          "F(θ,q) = E_q[log p(x,z;θ)] + H(q)  (K = 3, n = 60)'\n"
          "set xrange [-0.5:12.5]\nset xlabel ''\nset ylabel 'per data point'\n"
          "set key bottom right\n"
          "plot $F using 1:2 with linespoints ls 1 title 'free energy F after each half-step', \\\n"
          "     $L using 1:2 with points ls 2 pt 6 ps 2 title 'log-likelihood log p(x; θ_t)'\n"
          "set xlabel 'EM iteration t  (E-steps end at whole numbers, M-steps at halves)'\n"
          "set ylabel 'rise of F over the half-step'\nset logscale y\nset format y '10^{%L}'\n"
          "set key top right\n"
          "plot $DM using 1:2 with points ls 3 title 'M-step: max over θ', \\\n"
          "     $DE using 1:2 with points ls 4 title 'E-step: max over q'\n"
          "unset multiplot\n",
          out);
    return EL_OK;
}
