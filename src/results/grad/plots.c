/* plots.c -- figures for grad.*: the variance of the two gradient
 * estimators against the sample count, and gradient descent on a Gaussian KL
 * in the variance and log-variance parameterisations. */
#include "results/grad/grad_topic.h"
#include "plot/el_plot.h"
#include "results/grad/el_grad.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

/* ---- estimator variance against the sample count ------------------------------ */

#define VAR_SIZES 11  /* n = 1, 2, 4, ..., 1024 */
#define VAR_REPS  300 /* independent estimates per n */
#define VAR_MU    (-0.6)
#define VAR_SIGMA 0.9

/* The four n-sample estimates (pathwise mu, sigma; score mu, sigma) into E. */
static void mean_estimates(const el_grad_fn *f, size_t n, const gsl_rng *r, double e[4])
{
    for (int j = 0; j < 4; j++)
        e[j] = 0.0;
    for (size_t i = 0; i < n; i++) {
        double eps = gsl_ran_gaussian_ziggurat(r, 1.0), g[4];
        el_grad_pathwise(f, VAR_MU, VAR_SIGMA, eps, g);
        el_grad_score(f, VAR_MU, VAR_SIGMA, eps, g + 2);
        for (int j = 0; j < 4; j++)
            e[j] += g[j] / (double)n;
    }
}

/* COLS[0] = n, COLS[1..4] = the variance over VAR_REPS repetitions of each
 * n-sample estimator of F's gradient. */
static void variance_table(const el_grad_fn *f, const gsl_rng *r, double cols[5][VAR_SIZES])
{
    double rep[4][VAR_REPS];
    for (size_t s = 0; s < VAR_SIZES; s++) {
        size_t n = (size_t)1 << s;
        for (size_t k = 0; k < VAR_REPS; k++) {
            double e[4];
            mean_estimates(f, n, r, e);
            for (int j = 0; j < 4; j++)
                rep[j][k] = e[j];
        }
        cols[0][s] = (double)n;
        for (int j = 0; j < 4; j++)
            cols[j + 1][s] = gsl_stats_variance(rep[j], 1, VAR_REPS);
    }
}

/* Writes the panel of F (data block NAME, panel title TITLE). */
static void variance_panel(FILE *out, const char *name, const char *title,
                           double cols[5][VAR_SIZES])
{
    const double *c[5] = { cols[0], cols[1], cols[2], cols[3], cols[4] };
    el_plot_block(out, name, VAR_SIZES, 5, c);
    fprintf(out,
            "set title '%s'\n"
            "plot $%s using 1:4 with linespoints ls 1 dt 2 pt 6 title 'score function, d/dμ', \\\n"
            "     $%s using 1:5 with linespoints ls 2 dt 2 pt 4 title 'score function, d/dσ', \\\n"
            "     $%s using 1:2 with linespoints ls 1 title 'pathwise, d/dμ', \\\n"
            "     $%s using 1:3 with linespoints ls 2 title 'pathwise, d/dσ'\n",
            title, name, name, name, name);
}

int el_grad_fig_variance(FILE *out, const el_plot_opts *o)
{
    static const el_grad_bump k = { 1.1, 0.8 };
    el_grad_fn cubic = { el_grad_cubic, el_grad_cubic_df, NULL };
    el_grad_fn bump = { el_grad_bump_f, el_grad_bump_df, &k };
    double(*tab)[VAR_SIZES] = malloc(10 * sizeof *tab);
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "grad-estimator-variance"));
    if (!tab || !r) {
        free(tab);
        el_rng_free(r);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    variance_table(&cubic, r, tab);
    variance_table(&bump, r, tab + 5);
    el_rng_free(r);
    fputs("set multiplot layout 1,2 title 'Variance of Monte Carlo gradient estimators of "
          "∇_{μ,σ} E_{N(μ,σ^2)}[f(z)], μ = -0.6, σ = 0.9 (300 repetitions per n)'\n"
          "set logscale xy\nset format y '10^{%L}'\nset xrange [0.7:1500]\n"
          "set xlabel 'samples n per estimate'\n"
          "set ylabel 'variance of the estimate'\nset key bottom left\n",
          out);
    variance_panel(out, "CUBIC", "f(z) = z^3 + z^2/2", tab);
    fputs("set ylabel ''\n", out);
    variance_panel(out, "BUMP", "f(z) = exp(-(z - 1.1)^2 / (2·0.8^2))", tab + 5);
    fputs("unset multiplot\n", out);
    free(tab);
    return EL_OK;
}

/* ---- gradient descent in two parameterisations ---------------------------------- */

/* The problem of grad.logvar: KL(q || N(0.5, 0.2^2) x N(-1, 2^2)) from N(0, I). */
static const double lv_m[2] = { 0.5, -1.0 }, lv_tau[2] = { 0.2, 2.0 };
static const double lv_mu0[2] = { 0.0, 0.0 }, lv_v0[2] = { 1.0, 1.0 };
#define LV_SHORT 40   /* steps in the trajectory panel */
#define LV_LONG  3000 /* steps in the convergence panel */

/* Writes block NAME: step t and sigma^2 of both dimensions, or (ERR) their
 * relative errors, up to the last step done (an invalid one included). */
static void trace_block(FILE *out, const char *name, const double *trace,
                        const el_descent_result *res, int err)
{
    size_t n = res->steps + 1;
    double *c = malloc(3 * n * sizeof *c);
    if (!c)
        return;
    for (size_t t = 0; t < n; t++) {
        c[t] = (double)t;
        for (int j = 0; j < 2; j++) {
            double v = trace[2 * t + (size_t)j], t2 = lv_tau[j] * lv_tau[j];
            c[(size_t)(j + 1) * n + t] = err ? fmax(1e-16, fabs(v - t2) / t2) : v;
        }
    }
    const double *cols[3] = { c, c + n, c + 2 * n };
    el_plot_block(out, name, n, 3, cols);
    free(c);
}

/* Runs descent in PARAM with step ETA for ITERS steps and writes its block. */
static int descent_block(FILE *out, const char *name, el_var_param param, double eta, size_t iters,
                         int err)
{
    el_descent_result res;
    double *trace = malloc((iters + 1) * 2 * sizeof *trace);
    if (!trace)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int s = el_grad_descent(param, 2, lv_m, lv_tau, lv_mu0, lv_v0, eta, iters, trace, &res);
    if (!s)
        trace_block(out, name, trace, &res, err);
    free(trace);
    return s;
}

int el_grad_fig_logvar(FILE *out, const el_plot_opts *o)
{
    (void)o;
    int s = descent_block(out, "VAR", EL_PARAM_VARIANCE, 0.07, LV_SHORT, 0);
    if (!s)
        s = descent_block(out, "LOGVAR", EL_PARAM_LOGVAR, 0.07, LV_SHORT, 0);
    if (!s)
        s = descent_block(out, "VARSLOW", EL_PARAM_VARIANCE, 0.006, LV_LONG, 1);
    if (!s)
        s = descent_block(out, "LOGVARL", EL_PARAM_LOGVAR, 0.07, LV_LONG, 1);
    if (s)
        return s;
    fputs(
        "set multiplot layout 1,2 title 'Gradient descent on KL(q || N(0.5, 0.2^2) × "
        "N(-1, 2^2)) from q = N(0, I)'\n"
        "set title 'the same step η = 0.07 in both parameterisations'\n"
        "set xlabel 'step'\nset ylabel 'σ^2'\nset yrange [-0.8:3.4]\nset key top left box opaque\n"
        "set arrow from graph 0, first 0 to graph 1, first 0 nohead ls 6\n"
        "set label 'σ^2 = 0: log σ^2 undefined below' at graph 0.3, first -0.25 tc rgb '#7f7f7f'\n"
        "plot $LOGVAR using 1:2 with linespoints ls 1 title 'log σ^2, dim 1 (τ^2 = 0.04)', \\\n"
        "     $LOGVAR using 1:3 with linespoints ls 3 title 'log σ^2, dim 2 (τ^2 = 4)', \\\n"
        "     $VAR using 1:2 with linespoints ls 2 lw 3 title 'σ^2, dim 1: invalid at step 2', \\\n"
        "     $VAR using 1:3 with linespoints ls 4 lw 3 title 'σ^2, dim 2 (stopped with dim 1)'\n"
        "unset arrow\nunset label\nset yrange [*:*]\n"
        "set title 'steps that stay valid: η = 0.07 for log σ^2, 0.006 for σ^2'\n"
        "set logscale y\n"
        "set format y '10^{%L}'\nset ylabel '|σ^2 - τ^2| / τ^2'\nset key at graph 0.98, graph 0.62 "
        "right top box opaque\n"
        "set label 'double-precision floor' at graph 0.45, first 1e-13 tc rgb '#7f7f7f'\n"
        "plot $LOGVARL using 1:2 with lines ls 1 title 'log σ^2, dim 1', \\\n"
        "     $LOGVARL using 1:3 with lines ls 3 title 'log σ^2, dim 2', \\\n"
        "     $VARSLOW using 1:2 with lines ls 2 title 'σ^2, dim 1', \\\n"
        "     $VARSLOW using 1:3 with lines ls 4 title 'σ^2, dim 2 (slow)'\n"
        "unset multiplot\n",
        out);
    return EL_OK;
}
