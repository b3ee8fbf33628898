/* plots.c -- the figure of gmvae.elbo: the three-term ELBO as q(w|x) moves,
 * for three q(z|w,x), against the direct Monte Carlo ELBO and log p(x). */
#include "results/gmvae/gmvae_topic.h"
#include "core/el_core.h"

#include <stdio.h>

/* ---- gmvae-elbo: the ELBO as q(w|x) moves, for three q(z|w,x) ----------- */

#define FIG_N  61
#define FIG_MC 7
#define FIG_SD 0.33

int el_gmvae_fig_elbo(FILE *f, const el_plot_opts *o)
{
    el_gmvae m;
    double x[2], lp, c[4][FIG_N], p[3][FIG_MC];
    el_gmvae_example(&m, x);
    int s = el_gmvae_log_evidence(&m, x, &lp);
    for (int i = 0; i < FIG_N && !s; i++) {
        el_gauss qw = { 3.0 * i / (FIG_N - 1.0), FIG_SD };
        c[0][i] = qw.mu;
        for (int j = 0; j < EL_GMVAE_NQZ && !s; j++) {
            el_gmvae_qz qz;
            el_gmvae_example_qz(&m, j, &qz);
            s = el_gmvae_three_term(&m, x, &qw, &qz, 0, &c[1 + j][i]);
        }
    }
    gsl_rng *r = s ? NULL : el_rng_alloc(el_seed_mix(o->seed, "gmvae-elbo"));
    if (!s && !r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    for (int i = 0; i < FIG_MC && !s; i++) {
        el_gauss qw = { 0.25 + 2.5 * i / (FIG_MC - 1.0), FIG_SD };
        el_gmvae_qz qz;
        el_estimate e;
        el_gmvae_example_qz(&m, 0, &qz);
        s = el_gmvae_elbo_mc(&m, x, &qw, &qz, 20000, r, &e);
        p[0][i] = qw.mu;
        p[1][i] = e.value;
        p[2][i] = e.se;
    }
    el_rng_free(r);
    if (s)
        return s;
    const double *cols[4] = { c[0], c[1], c[2], c[3] }, *pc[3] = { p[0], p[1], p[2] };
    el_plot_block(f, "three", FIG_N, 4, cols);
    el_plot_block(f, "mc", FIG_MC, 3, pc);
    fputs("set title \"GM-VAE (K = 3, w scalar, x in R^2, linear decoder): three-term ELBO as "
          "q(w|x) = N(m, 0.33^2) moves\"\n"
          "set xlabel 'mean m of q(w|x)'\nset ylabel 'nats'\n"
          "set key top left box opaque spacing 1.4\nset autoscale xfix\n",
          f);
    fprintf(f, "set yrange [%.10g:%.10g]\n", lp - 9.0, lp + 3.5);
    fprintf(f,
            "plot %.17g w l ls 8 t 'exact log p(x) (Gaussian mixture)', "
            "$three u 1:2 w l ls 1 t 'q(z|w,x) = p(z|w) (optimal)', "
            "$three u 1:4 w l ls 3 t 'q(z|w,x) = perturbed softmax', "
            "$three u 1:3 w l ls 2 t 'q(z|w,x) = p(z)', "
            "$mc u 1:2:3 w yerrorbars ls 4 pt 7 t 'direct MC of E_q[log p(x,w,z) - log q(w,z|x)], "
            "optimal q(z|w,x), ± 1 se'\n",
            lp);
    return EL_OK;
}
