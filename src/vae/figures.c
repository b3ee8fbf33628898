/* figures.c -- figures of the vae.* checks and gmvae.training
 * (`elbolab plot ID`): each reruns its check's experiment with the plot
 * seed and writes the data inline. */
#include "plot/el_plot.h"
#include "vae/vae_check.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>

/* ---- vae-ppca: the exact ELBO along training, up to the pPCA optimum ---------- */

#define TRACE_EVERY 25

int el_vae_fig_ppca(FILE *f, const el_plot_opts *o)
{
    size_t cap = EL_VAE_PPCA_STEPS / TRACE_EVERY + 2, n = 0;
    double *step = malloc(3 * cap * sizeof *step), ll;
    if (!step)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    double *elbo = step + cap, *gap = elbo + cap;
    int s = el_vae_ppca_trace(o->seed, TRACE_EVERY, step, elbo, &n, &ll);
    if (!s) {
        for (size_t i = 0; i < n; i++)
            gap[i] = fmax(ll - elbo[i], 1e-6);
        const double *cols[] = { step, elbo, gap };
        el_plot_block(f, "trace", n, 3, cols);
        fprintf(f,
                "set multiplot layout 1,2 title 'A linear VAE (6-D data, 2 latents) trained "
                "from a random start reaches the pPCA maximum likelihood'\n"
                "set xlabel 'Adam step'\nset ylabel 'nats per point'\nset key bottom right\n"
                "set yrange [%g:%g]\n"
                "plot $trace using 1:2 with lines ls 1 title 'exact ELBO of the linear VAE', "
                "%.10g with lines ls 2 title 'pPCA log-likelihood (closed form)'\n"
                "set yrange [*:*]\nset logscale y\nset format y '10^{%%L}'\n"
                "set ylabel 'log-likelihood - ELBO (nats per point)'\nset key top right\n"
                "plot $trace using 1:3 with lines ls 1 title 'gap', "
                "0.01 with lines ls 6 title 'tolerance of the check (0.01)'\n"
                "unset multiplot\n",
                ll - 3, ll + 0.5, ll);
    }
    free(step);
    return s;
}

/* ---- vae-bounds: IWAE_k against k, between the ELBO and log p(x) ----------------- */

int el_vae_fig_bounds(FILE *f, const el_plot_opts *o)
{
    static const size_t ks[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 };
    enum { NK = sizeof ks / sizeof ks[0] };
    double k[NK], gap[NK], se[NK], gain[NK], gse[NK];
    int s = el_vae_bounds_curve(o->seed, ks, NK, gap, se, gain, gse);
    if (s)
        return s;
    for (size_t j = 0; j < NK; j++)
        k[j] = (double)ks[j];
    const double *cols[] = { k, gap, se, gain, gse };
    el_plot_block(f, "iwae", NK, 5, cols);
    fputs("set multiplot layout 1,2 title 'Importance-weighted bounds of a briefly trained linear "
          "VAE (100 points; every k from the same 512 draws per point)'\n"
          "set logscale x 2\nset xlabel 'k (samples per point; k = 1 is the ELBO)'\n"
          "set xrange [0.7:730]\nset key bottom right box opaque\n"
          "set title 'each bound minus the exact log p(x)'\n"
          "set ylabel 'mean of (IWAE_k - log p(x)), nats per point'\n"
          "plot $iwae using 1:2:(2*$3) with yerrorbars ls 1 title 'IWAE_k - log p(x), +- 2 se', "
          "'' using 1:2 with lines ls 1 notitle, "
          "0 with lines ls 8 title 'log p(x) (exact, linear-Gaussian)'\n"
          "set title 'the gain of doubling k, on the same draws'\n"
          "set logscale y\n"
          "set format y '10^{%L}'\nset xrange [1.4:730]\nset key top right box opaque\n"
          "set ylabel 'mean of (IWAE_k - IWAE_{k/2}), nats per point'\n"
          "plot $iwae using 1:4:(2*$5) with yerrorbars ls 2 title 'IWAE_k - IWAE_{k/2}, +- 2 se', "
          "'' using 1:4 with lines ls 2 notitle\n"
          "unset multiplot\n",
          f);
    return EL_OK;
}

/* ---- vae-beta: the rate-distortion curve and the total correlation ----------------- */

int el_vae_fig_beta(FILE *f, const el_plot_opts *o)
{
    el_vae_beta_point p[EL_VAE_NBETA];
    int s = el_vae_beta_sweep(o->seed, 0, p);
    if (s)
        return s;
    double b[EL_VAE_NBETA], r[EL_VAE_NBETA], d[EL_VAE_NBETA], t[EL_VAE_NBETA], se[EL_VAE_NBETA];
    for (int i = 0; i < EL_VAE_NBETA; i++)
        b[i] = p[i].beta, r[i] = p[i].rate, d[i] = p[i].distortion, t[i] = p[i].tc,
        se[i] = p[i].tc_se;
    const double *cols[] = { b, r, d, t, se };
    el_plot_block(f, "sweep", EL_VAE_NBETA, 5, cols);
    fputs("set multiplot layout 1,2 title 'beta-VAE on data with two independent factors'\n"
          "set xlabel 'rate  E KL(q(z|x) || N(0, I))  (nats)'\n"
          "set ylabel 'distortion  -E log p(x|z)  (nats)'\nunset key\n"
          "set title 'rate against distortion, one VAE per beta'\n"
          "set offsets graph 0.08, graph 0.08, graph 0.08, graph 0.08\n"
          "plot $sweep using 2:3 with linespoints ls 1, "
          "'' using 2:3:(sprintf('beta = %g', $1)) with labels offset char 1.5, char 0.8 left\n"
          "set logscale x 2\nset xlabel 'beta'\nset ylabel 'total correlation of q(z)  (nats)'\n"
          "set offsets 0, 0, graph 0.08, graph 0.08\nset xrange [0.18:22]\n"
          "set title 'TC <= rate is proved; its fall with beta is observed'\n"
          "set key top right box opaque\n"
          "plot $sweep using 1:4:(2*$5) with yerrorbars ls 2 title 'Monte Carlo estimate +- 2 se', "
          "'' using 1:4 with lines ls 2 notitle\n"
          "unset multiplot\n",
          f);
    return EL_OK;
}

/* ---- vae-generation: samples of a VAE and of an auto-encoder ---------------------------- */

#define GEN_FIG 1000

int el_vae_fig_generation(FILE *f, const el_plot_opts *o)
{
    double *buf = malloc(GEN_FIG * 8 * sizeof *buf);
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "vae-generation data"));
    int s = buf && r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_data *d = s ? NULL : el_vae_synthetic(EL_VAE_SYN_TOY2D, GEN_FIG, r, &s);
    if (d)
        s = el_vae_generation_samples(o->seed, 0, GEN_FIG, buf, buf + 2 * GEN_FIG,
                                      buf + 4 * GEN_FIG);
    if (d && !s) {
        double *cx = buf + 6 * GEN_FIG, *cy = cx + GEN_FIG;
        for (size_t i = 0; i < GEN_FIG; i++)
            cx[i] = d->x[2 * i], cy[i] = d->x[2 * i + 1];
        const double *cd[] = { cx, cy };
        el_plot_block(f, "data", GEN_FIG, 2, cd);
        for (int m = 0; m < 2; m++) {
            const double *x = buf + 2 * GEN_FIG * m; /* n x 2, row-major */
            fprintf(f, "$%s << EOD\n", m ? "ae" : "vae");
            for (size_t i = 0; i < GEN_FIG; i++)
                fprintf(f, "%.6g %.6g\n", x[2 * i], x[2 * i + 1]);
            fputs("EOD\n", f);
        }
        fputs("set multiplot layout 1,2 title 'Decoding the same z \\~ N(0, I): a VAE against a "
              "plain auto-encoder (8 Gaussians on a circle)'\n"
              "set size ratio -1\nset xrange [-4:4]\nset yrange [-4:4]\n"
              "set xlabel 'x_1'\nset ylabel 'x_2'\nset key bottom right\n"
              "set title 'VAE'\n"
              "plot $data with points pt 7 ps 0.3 lc rgb '#9ecae1' title 'data', "
              "$vae with points ls 2 ps 0.3 title 'decoded samples'\n"
              "set title 'auto-encoder (beta = 0, z = mu(x))'\n"
              "plot $data with points pt 7 ps 0.3 lc rgb '#9ecae1' title 'data', "
              "$ae with points ls 4 ps 0.3 title 'decoded samples'\n"
              "unset multiplot\n",
              f);
    }
    el_vae_data_free(d);
    el_rng_free(r);
    free(buf);
    return s;
}

/* ---- gmvae-training: the latent space of the trained GM-VAE --------------------------- */

/* Writes ranges that hold the N latent means MU (n x Z, first two columns)
 * and the K components' 2-sd boxes (centres PM, log-variances PV), with a
 * free band on top where the key goes (a key beside the plot would shrink
 * it, one inside could hide points). */
static void latent_ranges(FILE *f, const double *mu, size_t n, size_t Z, const double *pm,
                          const double *pv, size_t K)
{
    double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
    for (size_t i = 0; i < n + K; i++)
        for (int a = 0; a < 2; a++) {
            double c = i < n ? mu[i * Z + a] : pm[(i - n) * Z + a];
            double h = i < n ? 0.0 : 2.0 * exp(pv[(i - n) * Z + a] / 2);
            lo[a] = fmin(lo[a], c - h);
            hi[a] = fmax(hi[a], c + h);
        }
    double pad = 0.05 * fmax(hi[0] - lo[0], hi[1] - lo[1]);
    fprintf(f, "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n", lo[0] - pad, hi[0] + pad,
            lo[1] - pad, hi[1] + pad + 0.3 * (hi[1] - lo[1]));
}

int el_vae_fig_gmvae(FILE *f, const el_plot_opts *o)
{
    el_vae_data *d = NULL;
    int s;
    el_vae *m = el_vae_gmvae_fit(o->seed, 0, &d, &s);
    size_t Z = m ? m->cfg.z_dim : 0, K = m ? m->cfg.mixture : 0;
    double *mu = m ? malloc(d->n * Z * sizeof *mu) : NULL,
           *p = m ? malloc(m->nparams * sizeof *p) : NULL;
    if (m && (!mu || !p))
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (m && !s)
        s = el_vae_encode(m, d, 0, d->n, mu, NULL);
    if (m && !s) {
        el_vae_params_get(m, p);
        const double *pm = p + m->blocks[EL_VAE_PRIOR_MU].offset;
        const double *pv = p + m->blocks[EL_VAE_PRIOR_LOGVAR].offset;
        for (size_t k = 0; k < d->nclass; k++) {
            fprintf(f, "$c%zu << EOD\n", k);
            for (size_t i = 0; i < d->n; i++)
                if ((size_t)d->label[i] == k)
                    fprintf(f, "%.6g %.6g\n", mu[i * Z], mu[i * Z + 1]);
            fputs("EOD\n", f);
        }
        fputs("$comp << EOD\n", f); /* centre and 2-sd half-axes of each component */
        for (size_t k = 0; k < K; k++)
            fprintf(f, "%.6g %.6g %.6g %.6g\n", pm[k * Z], pm[k * Z + 1], 4 * exp(pv[k * Z] / 2),
                    4 * exp(pv[k * Z + 1] / 2));
        fputs("EOD\n", f);
        latent_ranges(f, mu, d->n, Z, pm, pv, K);
        fputs("set title 'GM-VAE: latent means mu(x) by true cluster, and the learned prior "
              "components (centre, 2 s.d.)'\n"
              "set size ratio -1\nset xlabel 'w_1'\nset ylabel 'w_2'\n"
              "set key top center horizontal maxcols 2 box opaque\n"
              "plot ",
              f);
        for (size_t k = 0; k < d->nclass; k++)
            fprintf(f, "$c%zu with points ls %zu ps 0.5 title 'cluster %zu', ", k, k + 1, k + 1);
        fputs("$comp using 1:2:3:4 with ellipses lc rgb '#404040' lw 1.5 dt 2 title "
              "'prior, 2 s.d.', $comp using 1:2 with points pt 2 ps 1.5 lc rgb '#000000' "
              "notitle\n",
              f);
    }
    free(mu);
    free(p);
    el_vae_free(m);
    el_vae_data_free(d);
    return s;
}
