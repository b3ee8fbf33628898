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

#define GEN_FIG   1000
#define GEN_GRID  121 /* density grid per axis on [-GEN_BOX, GEN_BOX] */
#define GEN_BOX   4.0
#define GEN_BINS  25   /* histogram bins of log p_data */
#define GEN_DEPTH 25.0 /* the histogram spans the top GEN_DEPTH nats below the peak */

/* Writes $grid (x, y, log p_data) for splot, and returns the largest value. */
static double density_grid(FILE *f)
{
    double top = -INFINITY;
    fputs("$grid << EOD\n", f);
    for (int i = 0; i < GEN_GRID; i++) {
        for (int j = 0; j < GEN_GRID; j++) {
            double x = -GEN_BOX + 2 * GEN_BOX * i / (GEN_GRID - 1);
            double y = -GEN_BOX + 2 * GEN_BOX * j / (GEN_GRID - 1), l = el_vae_toy2d_logpdf(x, y);
            top = fmax(top, l);
            fprintf(f, "%.5g %.5g %.6g\n", x, y, l);
        }
        fputc('\n', f);
    }
    fputs("EOD\n", f);
    return top;
}

/* Writes $hist: bin centre and the fraction of the VAE's and the
 * auto-encoder's samples (SCORE: n x 2) in each bin of log p_data from
 * TOP - GEN_DEPTH to TOP; lower values count in the first bin.  The means
 * go to MEAN[2]. */
static void score_hist(FILE *f, const double *score, size_t n, double top, double mean[2])
{
    double h[2][GEN_BINS] = { { 0 } }, c[GEN_BINS], w = GEN_DEPTH / GEN_BINS;
    mean[0] = mean[1] = 0.0;
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < 2; m++) {
            double v = score[2 * i + (size_t)m];
            long b = (long)floor((v - (top - GEN_DEPTH)) / w);
            h[m][b < 0 ? 0 : b >= GEN_BINS ? GEN_BINS - 1 : b] += 1.0 / (double)n;
            mean[m] += v / (double)n;
        }
    for (int b = 0; b < GEN_BINS; b++)
        c[b] = top - GEN_DEPTH + (b + 0.5) * w;
    const double *cols[] = { c, h[0], h[1] };
    el_plot_block(f, "hist", GEN_BINS, 3, cols);
}

/* Writes $NAME: the N points X (n x 2, row-major). */
static void points_block(FILE *f, const char *name, const double *x, size_t n)
{
    fprintf(f, "$%s << EOD\n", name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%.6g %.6g\n", x[2 * i], x[2 * i + 1]);
    fputs("EOD\n", f);
}

/* The three panels: samples over the density's contours, then the histograms. */
static void generation_panels(FILE *f, double top, const double mean[2])
{
    fprintf(f,
            "set contour base\nset cntrparam levels discrete %.6g, %.6g\nunset surface\n"
            "set view map\nset table $cont\nsplot $grid using 1:2:3 with lines\nunset table\n"
            "unset contour\nset surface\n",
            top - 2.0, top - 0.5);
    fputs("set multiplot title 'The same 1000 z \\~ N(0, I) decoded by a VAE and by a plain "
          "auto-encoder; black: the true density at 1 and 2 s.d.'\n"
          "set size ratio -1\nset xrange [-4:4]\nset yrange [-4:4]\nset xtics 2\nset ytics 2\n"
          "set xlabel 'x_1'\nset ylabel 'x_2'\nunset key\n",
          f);
    static const char *name[] = { "vae", "ae" }, *who[] = { "VAE", "auto-encoder (beta = 0)" };
    for (int m = 0; m < 2; m++)
        fprintf(f,
                "set origin %.2f, 0\nset size 0.32, 0.94\nset title '%s: decoded samples'\n"
                "plot $cont using 1:2 with lines ls 7 lw 1.5, $%s with points ls %d pt 7 ps 0.25\n",
                0.32 * m, who[m], name[m], m ? 4 : 2);
    fprintf(f,
            "set origin 0.64, 0\nset size 0.35, 0.94\nset size noratio\n"
            "set title 'log p_{data} of each sample; dashes: means'\n"
            "set xrange [%.6g:%.6g]\nset yrange [0:*]\nset xtics auto\nset ytics auto\n"
            "set xlabel 'log p_{data}(sample); left bin: all below'\n"
            "set ylabel 'fraction of samples'\nset key inside top left box opaque\n"
            "set style fill transparent solid 0.4 noborder\n"
            "set arrow 1 from %.6g, graph 0 to %.6g, graph 1 nohead ls 2 dt 2\n"
            "set arrow 2 from %.6g, graph 0 to %.6g, graph 1 nohead ls 4 dt 2\n"
            "plot $hist using 1:2 with boxes ls 2 title sprintf('VAE (%%.2f)', %.6g), "
            "$hist using 1:3 with boxes ls 4 title sprintf('auto-encoder (%%.2f)', %.6g)\n"
            "unset multiplot\n",
            top - GEN_DEPTH, top, mean[0], mean[0], mean[1], mean[1], mean[0], mean[1]);
}

int el_vae_fig_generation(FILE *f, const el_plot_opts *o)
{
    double *buf = malloc(GEN_FIG * 6 * sizeof *buf), mean[2];
    int s = buf ? el_vae_generation_samples(o->seed, 0, GEN_FIG, buf, buf + 2 * GEN_FIG,
                                            buf + 4 * GEN_FIG)
                : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s) {
        double top = density_grid(f);
        points_block(f, "vae", buf, GEN_FIG);
        points_block(f, "ae", buf + 2 * GEN_FIG, GEN_FIG);
        score_hist(f, buf + 4 * GEN_FIG, GEN_FIG, top, mean);
        generation_panels(f, top, mean);
    }
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
