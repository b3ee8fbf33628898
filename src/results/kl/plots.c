/* plots.c -- figures for the kl.* checks: the 1-D Gaussian KL with its
 * quadrature and Monte Carlo points, Monte Carlo vs Sobol error against
 * sample count, and the convexity chord. */
#include "results/kl/kl_topic.h"
#include "plot/el_plot.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>

#define CURVE_N       201
#define POINTS_N      13
#define POINT_SAMPLES 2000

/* ---- kl-gauss-1d ----------------------------------------------------------- */

/* q = N(gap, s^2), p = N(0, 1) for the two panels. */
typedef struct {
    double gap, s;
} qparam;

/* KL three ways for one q: closed form, quadrature, Monte Carlo (N draws). */
static int kl_three_ways(qparam a, const gsl_rng *r, double *closed, el_quad_result *quad,
                         el_estimate *mc)
{
    el_gauss q = { a.gap, a.s }, p = { 0.0, 1.0 };
    el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
    int s = el_kl_normal(a.gap, a.s, 0.0, 1.0, closed);
    if (!s)
        s = el_kl_quad1(&dq, &dp, 1.0, quad);
    if (!s)
        s = el_kl_mc1(&dq, &dp, POINT_SAMPLES, r, mc);
    return s;
}

/* The x of panel PANEL (0: mean gap; 1: variance ratio, log-spaced) at t in [0,1]. */
static qparam panel_param(int panel, double t, double *x)
{
    if (panel == 0) {
        *x = -3.0 + 6.0 * t;
        return (qparam){ *x, 1.0 };
    }
    *x = exp(log(0.05) + t * (log(20.0) - log(0.05)));
    return (qparam){ 0.0, sqrt(*x) };
}

/* Writes the curve and point blocks of one panel. */
static int panel_data(FILE *f, int panel, const gsl_rng *r)
{
    double cx[CURVE_N], cy[CURVE_N], px[POINTS_N], qv[POINTS_N], mv[POINTS_N], me[POINTS_N];
    for (int i = 0; i < CURVE_N; i++) {
        qparam a = panel_param(panel, (double)i / (CURVE_N - 1), &cx[i]);
        if (el_kl_normal(a.gap, a.s, 0.0, 1.0, &cy[i]))
            return EL_ENUM;
    }
    for (int i = 0; i < POINTS_N; i++) {
        double closed;
        el_quad_result q;
        el_estimate m;
        qparam a = panel_param(panel, (i + 0.5) / POINTS_N, &px[i]);
        int s = kl_three_ways(a, r, &closed, &q, &m);
        if (s)
            return s;
        qv[i] = q.value;
        mv[i] = m.value;
        me[i] = m.se;
    }
    const double *curve[2] = { cx, cy }, *pts[4] = { px, qv, mv, me };
    el_plot_block(f, panel ? "ratio_curve" : "gap_curve", CURVE_N, 2, curve);
    el_plot_block(f, panel ? "ratio_pts" : "gap_pts", POINTS_N, 4, pts);
    return EL_OK;
}

int el_kl_fig_gauss_1d(FILE *f, const el_plot_opts *o)
{
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "kl-gauss-1d"));
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int s = panel_data(f, 0, r);
    if (!s)
        s = panel_data(f, 1, r);
    el_rng_free(r);
    if (s)
        return s;
    fprintf(f,
            "set multiplot layout 1,2 title \"KL(N(m, s^2) || N(0, 1)): closed form, quadrature, "
            "Monte Carlo (%d samples, +-1 se)\\nThis covers every pair: KL(N(μ_1, σ_1^2) || "
            "N(μ_2, σ_2^2)) depends only on m = (μ_1 - μ_2)/σ_2 and s = σ_1/σ_2\"\n"
            "set key top center\n"
            "set xlabel 'scaled mean gap m = (μ_1 - μ_2)/σ_2   (s = 1)'\nset ylabel 'KL (nats)'\n"
            "plot $gap_curve w l ls 1 t 'closed form', $gap_pts u 1:2 w p ls 2 t 'quadrature', "
            "$gap_pts u 1:3:4 w yerrorbars ls 3 t 'Monte Carlo'\n"
            "set logscale x\nset xrange [0.04:25]\n"
            "set xlabel 'variance ratio s^2 = σ_1^2/σ_2^2   (m = 0)'\n"
            "plot $ratio_curve w l ls 1 t 'closed form', $ratio_pts u 1:2 w p ls 2 t 'quadrature', "
            "$ratio_pts u 1:3:4 w yerrorbars ls 3 t 'Monte Carlo'\n"
            "unset multiplot\n",
            POINT_SAMPLES);
    return EL_OK;
}

/* ---- mc-vs-sobol ------------------------------------------------------------- */

#define SOBOL_LEVELS 11 /* N = 2^6 .. 2^16 */
#define REPLICATES   16

/* log q(x) - log p(x) at x = Phi^-1(u) for q = N(0,1), p = N(1, 2^2). */
static double sobol_logratio(const double *u, void *v)
{
    (void)v;
    el_gauss q = { 0.0, 1.0 }, p = { 1.0, 2.0 };
    double x = el_qmc_gauss(u[0]);
    return el_gauss_logpdf(&q, x) - el_gauss_logpdf(&p, x);
}

/* RMS error over REPLICATES plain Monte Carlo runs of N draws. */
static int mc_rms(const el_density1 *q, const el_density1 *p, size_t n, double truth,
                  const gsl_rng *r, double *rms)
{
    double sum = 0.0;
    for (int k = 0; k < REPLICATES; k++) {
        el_estimate e;
        int s = el_kl_mc1(q, p, n, r, &e);
        if (s)
            return s;
        sum += (e.value - truth) * (e.value - truth);
    }
    *rms = sqrt(sum / REPLICATES);
    return EL_OK;
}

int el_kl_fig_mc_vs_sobol(FILE *f, const el_plot_opts *o)
{
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "mc-vs-sobol"));
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_gauss gq = { 0.0, 1.0 }, gp = { 1.0, 2.0 };
    el_density1 q = el_gauss_density(&gq), p = el_gauss_density(&gp);
    double truth, n[SOBOL_LEVELS], mc[SOBOL_LEVELS], qmc[SOBOL_LEVELS], ref[SOBOL_LEVELS];
    int s = el_kl_normal(0.0, 1.0, 1.0, 2.0, &truth);
    for (int i = 0; i < SOBOL_LEVELS && !s; i++) {
        size_t N = (size_t)1 << (6 + i);
        el_estimate e;
        n[i] = (double)N;
        s = mc_rms(&q, &p, N, truth, r, &mc[i]);
        if (!s) /* a single shifted Sobol estimate's spread: se * sqrt(shifts) */
            s = el_qmc_mean(sobol_logratio, NULL, 1, N, REPLICATES, r, &e);
        qmc[i] = e.se * sqrt((double)REPLICATES);
    }
    el_rng_free(r);
    if (s)
        return s;
    for (int i = 0; i < SOBOL_LEVELS; i++)
        ref[i] = mc[0] * sqrt(n[0] / n[i]);
    const double *cols[4] = { n, mc, qmc, ref };
    el_plot_block(f, "err", SOBOL_LEVELS, 4, cols);
    fputs("set title 'Error of KL(N(0,1)||N(1,4)) estimates against sample count'\n"
          "set logscale x 2\nset logscale y 10\nset format x '2^{%L}'\nset format y '10^{%L}'\n"
          "set xlabel 'samples N'\nset ylabel 'RMS error (nats)'\nset key top right\n"
          "plot $err u 1:2 w lp ls 1 t 'Monte Carlo (16 runs)', "
          "$err u 1:3 w lp ls 2 t 'randomised Sobol (16 shifts)', "
          "$err u 1:4 w l ls 6 t 'N^{-1/2} reference'\n",
          f);
    return EL_OK;
}

/* ---- kl-convex ------------------------------------------------------------------ */

int el_kl_fig_convex(FILE *f, const el_plot_opts *o)
{
    (void)o;
    static const double p1[3] = { 0.7, 0.2, 0.1 }, p2[3] = { 0.1, 0.3, 0.6 };
    static const double q1[3] = { 0.2, 0.2, 0.6 }, q2[3] = { 0.6, 0.3, 0.1 };
    double lam[CURVE_N], lhs[CURVE_N], chord[CURVE_N], k1, k2;
    int s = el_kl_discrete(3, p1, q1, &k1);
    if (!s)
        s = el_kl_discrete(3, p2, q2, &k2);
    for (int i = 0; i < CURVE_N && !s; i++) {
        double l = (double)i / (CURVE_N - 1), pm[3], qm[3];
        for (int j = 0; j < 3; j++) {
            pm[j] = l * p1[j] + (1.0 - l) * p2[j];
            qm[j] = l * q1[j] + (1.0 - l) * q2[j];
        }
        lam[i] = l;
        chord[i] = l * k1 + (1.0 - l) * k2;
        s = el_kl_discrete(3, pm, qm, &lhs[i]);
    }
    if (s)
        return s;
    const double *cols[3] = { lam, lhs, chord };
    el_plot_block(f, "convex", CURVE_N, 3, cols);
    fputs("set title 'Joint convexity: the KL of the mixtures lies below the chord'\n"
          "set xlabel '{/Symbol l}'\nset ylabel 'nats'\nset key top right box opaque spacing "
          "1.3\nset yrange [0:1.3]\n"
          "plot $convex u 1:2:3 w filledcurves lc rgb '#d9e7f5' t 'gap (>= 0)', "
          "$convex u 1:3 w l ls 2 t '{/Symbol l} KL(p_1||q_1) + (1-{/Symbol l}) KL(p_2||q_2)', "
          "$convex u 1:2 w l ls 1 t 'KL({/Symbol l}p_1+(1-{/Symbol l})p_2 || "
          "{/Symbol l}q_1+(1-{/Symbol l})q_2)'\n",
          f);
    return EL_OK;
}
