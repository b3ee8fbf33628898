/* plots.c -- the figures of the vi group: both Gaussian fits of two 1-D
 * mixtures, the factorised fits of a correlated 2-D Gaussian, and the cost
 * and error of computing the evidence of a tiny decoder as d grows. */
#include "results/vi/vi_topic.h"
#include "plot/el_plot.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

#define NPTS    401
#define MAX_OPT 8

/* ---- 1-D fits ----------------------------------------------------------------------- */

/* The x range of the figure: where P has mass (4 sd around every
 * component) and the bulk of every Gaussian in FITS (mu, sigma pairs, 3 sd). */
static void fit_range(const el_mix *p, const double (*fits)[2], size_t nfit, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t k = 0; k < p->K; k++) {
        *lo = fmin(*lo, p->mu[k] - 4.0 * p->sigma[k]);
        *hi = fmax(*hi, p->mu[k] + 4.0 * p->sigma[k]);
    }
    for (size_t i = 0; i < nfit; i++) {
        *lo = fmin(*lo, fits[i][0] - 3.0 * fits[i][1]);
        *hi = fmax(*hi, fits[i][0] + 3.0 * fits[i][1]);
    }
}

/* Writes $fit: x, p(x), then the density of each fit, then (when NFIT >= 2)
 * fit 2 minus fit 1; returns the largest density (for the y range). */
static double fit_block(FILE *f, const el_mix *p, const double (*fits)[2], size_t nfit)
{
    double col[2 + 1 + MAX_OPT + 1][NPTS];
    const double *cols[2 + 1 + MAX_OPT + 1];
    double lo, hi, top = 0.0;
    size_t nc = 2 + nfit + (nfit >= 2);
    fit_range(p, fits, nfit, &lo, &hi);
    for (size_t i = 0; i < NPTS; i++) {
        double x = lo + (hi - lo) * (double)i / (NPTS - 1);
        col[0][i] = x;
        col[1][i] = el_mix_pdf(p, x);
        top = fmax(top, col[1][i]);
        for (size_t j = 0; j < nfit; j++) {
            col[2 + j][i] = gsl_ran_gaussian_pdf(x - fits[j][0], fits[j][1]);
            top = fmax(top, col[2 + j][i]);
        }
        if (nfit >= 2)
            col[2 + nfit][i] = col[3][i] - col[2][i];
    }
    for (size_t c = 0; c < nc; c++)
        cols[c] = col[c];
    el_plot_block(f, "fit", NPTS, nc, cols);
    return top;
}

/* KL(q||p) and KL(p||q) between q = N(MU, SIGMA^2) and the mixture P, by
 * quadrature: the legend names both directions. */
static int both_kl(const el_mix *p, double mu, double sigma, double kl[2])
{
    el_gauss g = { mu, sigma };
    el_density1 q = el_gauss_density(&g), pd = el_mix_density(p);
    el_quad_result a = { NAN, NAN }, b = { NAN, NAN };
    int s = el_kl_quad1(&q, &pd, 1.0, &a);
    if (!s)
        s = el_kl_quad1(&pd, &q, 1.0, &b);
    kl[0] = a.value, kl[1] = b.value; /* NAN where a quadrature failed (S says so) */
    return s;
}

/* One legend entry: column COL of $fit in style STYLE, titled WHAT, the
 * Gaussian and both KL directions (U+2016 is the double bar). */
static void fit_curve(FILE *f, int col, const char *style, const char *what, const double *fit,
                      const double kl[2])
{
    fprintf(f,
            ", \\\n     $fit u 1:%d w l %s t sprintf('%s: N(%%.4f, %%.4f^2);  KL(q‖p) = %%.4f,  "
            "KL(p‖q) = %%.4f', %.10g, %.10g, %.10g, %.10g)",
            col, style, what, fit[0], fit[1], kl[0], kl[1]);
}

/* The name and style of exclusive optimum I of N (global ones solid, each in
 * its own colour; the others dashed). */
static void optimum_style(const el_vi_optimum *o, size_t i, size_t n, char *what, size_t wn,
                          char *style, size_t sn)
{
    size_t nglobal = 0, rank = 0;
    for (size_t j = 0; j < n; j++)
        if (o[j].global)
            rank += j < i, nglobal++;
    static const char *solid[] = { "ls 2", "ls 3 dt 4", "ls 4 dt 5" };
    if (o[i].global) {
        snprintf(what, wn, "exclusive, global%s", nglobal > 1 ? (rank ? " (mirror)" : "") : "");
        snprintf(style, sn, "%s", solid[rank < 3 ? rank : 2]);
    } else {
        snprintf(what, wn, "exclusive, local only");
        snprintf(style, sn, "ls 5");
    }
}

/* The figure for mixture (K, W, M, S): p, the inclusive fit, every local
 * exclusive optimum; with DIFF a second panel shows exclusive minus
 * inclusive (for fits too close to tell apart). */
static int write_fits(FILE *f, size_t K, const double *w, const double *m, const double *s,
                      const char *title, int diff)
{
    double fits[1 + MAX_OPT][2], kl[1 + MAX_OPT][2], top = 1.0;
    el_vi_optimum o[MAX_OPT];
    size_t n = 0, g;
    int st = el_vi_fit_inclusive(K, w, m, s, &fits[0][0], &fits[0][1], NULL);
    if (!st)
        st = el_vi_fit_exclusive(K, w, m, s, o, MAX_OPT, &n, &g);
    el_mix *p = st ? NULL : el_mix_alloc(K, w, m, s, &st);
    for (size_t i = 0; p && i < n; i++) {
        if (fabs(o[i].mu) < 1e-12 * o[i].sigma) /* show a symmetric optimum as 0, not -0 */
            o[i].mu = 0.0;
        fits[1 + i][0] = o[i].mu;
        fits[1 + i][1] = o[i].sigma;
    }
    for (size_t i = 0; p && !st && i <= n; i++)
        st = both_kl(p, fits[i][0], fits[i][1], kl[i]);
    if (!st)
        top = fit_block(f, p, (const double(*)[2])fits, 1 + n);
    el_mix_free(p);
    if (st)
        return st;
    if (diff)
        fprintf(f,
                "set multiplot title \"%s\"\nset size 1, 0.64\nset origin 0, 0.32\n"
                "set tmargin 1\nset bmargin 0.5\nset lmargin 10\nset format x ''\n",
                title);
    else
        fprintf(f, "set title \"%s\"\nset xlabel 'x'\n", title);
    fprintf(f,
            "set ylabel 'density'\nset key top left box opaque\nset autoscale xfix\n"
            "set yrange [0:%.4g]\n",
            (1.35 + 0.07 * (double)n) * top);
    fputs("plot $fit u 1:2 w l ls 7 t 'target p(x)'", f);
    fit_curve(f, 3, "ls 1", "inclusive argmin KL(p‖q)", fits[0], kl[0]);
    for (size_t i = 0; i < n; i++) {
        char what[64], style[32];
        optimum_style(o, i, n, what, sizeof what, style, sizeof style);
        fit_curve(f, 4 + (int)i, style, what, fits[1 + i], kl[1 + i]);
    }
    fputc('\n', f);
    if (diff)
        fprintf(f,
                "set size 1, 0.32\nset origin 0, 0\nset tmargin 0.5\nset bmargin 4\n"
                "set format x '%%g'\nset xlabel 'x'\nset ylabel 'difference'\n"
                "set yrange [*:*]\nset ytics 0.002\nset key top left box opaque\n"
                "plot $fit u 1:%zu w l ls 2 t 'exclusive minus inclusive density', "
                "0 w l ls 6 notitle\nunset multiplot\n",
                3 + 1 + n);
    return EL_OK;
}

int el_vi_fig_homework(FILE *f, const el_plot_opts *o)
{
    (void)o;
    static const double w[] = { 1.0 / 3.0, 2.0 / 3.0 }, m[] = { -1.0, 1.0 }, s[] = { 1.0, 1.0 };
    return write_fits(f, 2, w, m, s,
                      "p = 1/3 N(-1,1) + 2/3 N(1,1) has one mode (means 2 s.d. apart): "
                      "one exclusive optimum, narrower than the inclusive fit",
                      1);
}

int el_vi_fig_modes(FILE *f, const el_plot_opts *o)
{
    (void)o;
    static const double w[] = { 0.5, 0.5 }, m[] = { -3.0, 3.0 }, s[] = { 1.0, 1.0 };
    return write_fits(f, 2, w, m, s,
                      "p = 1/2 N(-3,1) + 1/2 N(3,1): KL(q‖p) seeks a mode, KL(p‖q) covers both", 0);
}

/* ---- 2-D factorised fits -------------------------------------------------------------- */

#define NELL 181

/* Writes $NAME: the ellipse {m + A u : |u| = R} for the 2x2 matrix A. */
static void ellipse(FILE *f, const char *name, const double *m, const double *A, double r)
{
    double x[NELL], y[NELL];
    const double *cols[2] = { x, y };
    for (size_t i = 0; i < NELL; i++) {
        double t = 2.0 * M_PI * (double)i / (NELL - 1), c = r * cos(t), s = r * sin(t);
        x[i] = m[0] + A[0] * c + A[1] * s;
        y[i] = m[1] + A[2] * c + A[3] * s;
    }
    el_plot_block(f, name, NELL, 2, cols);
}

int el_vi_fig_forward(FILE *f, const el_plot_opts *o)
{
    (void)o;
    double m[2], S[4];
    el_vi_forward_target(m, S);
    double det = S[0] * S[3] - S[1] * S[2];
    double L0 = sqrt(S[0]), L[4] = { L0, 0.0, S[1] / L0, sqrt(S[3] - S[1] * S[1] / S[0]) };
    double fw[4] = { sqrt(S[0]), 0, 0, sqrt(S[3]) };             /* v_i = Sigma_ii */
    double rv[4] = { sqrt(det / S[3]), 0, 0, sqrt(det / S[0]) }; /* v_i = 1/Lambda_ii */
    ellipse(f, "p1", m, L, 1.0);
    ellipse(f, "p2", m, L, 2.0);
    ellipse(f, "fw", m, fw, 2.0);
    ellipse(f, "rv", m, rv, 2.0);
    fputs("set title 'correlated Gaussian p and its best factorised q (2-sd contours)'\n"
          "set xlabel 'z_1'\nset ylabel 'z_2'\nset size ratio -1\nset key below box opaque\n",
          f);
    fprintf(f,
            "plot $p2 w l ls 7 lw 3 t 'target p = N(m, Sigma), 2 sd', \\\n"
            "     $p1 w l ls 7 lw 1.5 dt 2 t 'target, 1 sd', \\\n"
            "     $fw w l ls 1 t sprintf('forward argmin KL(p||q): v = Sigma_{ii} = (%%.3f, "
            "%%.3f)', %.6g, %.6g), \\\n"
            "     $rv w l ls 2 t sprintf('reverse argmin KL(q||p): v = 1/Lambda_{ii} = (%%.3f, "
            "%%.3f)', %.6g, %.6g)\n",
            S[0], S[3], det / S[3], det / S[0]);
    return EL_OK;
}

/* ---- evidence: error and cost against the latent dimension ------------------------------ */

#define FIG_BUDGET 4096
#define COST_CAP   300000 /* the grid scan stops beyond this many evaluations */

typedef struct {
    double d, grid_err, is_err, is_rse, grid_cost, is_cost, capped;
} evidence_point;

/* Smallest grid cost n^d with relative error <= 1% against REF (or the last
 * cost tried, with *CAPPED = 1, when COST_CAP is reached first). */
static int grid_cost(size_t d, double ref, double *cost, double *capped)
{
    for (size_t n = 1; n <= EL_VI_MAX_NODES; n++) {
        double v;
        size_t evals;
        if (pow((double)n, (double)d) > COST_CAP) {
            *capped = 1.0;
            return EL_OK;
        }
        int s = el_vi_evidence_grid(d, n, &v, &evals);
        if (s)
            return s;
        *cost = (double)evals;
        if (fabs(v - ref) <= 0.01 * ref)
            return EL_OK;
    }
    *capped = 1.0;
    return EL_OK;
}

static int evidence_point_at(size_t d, const gsl_rng *r, evidence_point *e)
{
    el_estimate ref, is;
    double g;
    size_t evals;
    *e = (evidence_point){ (double)d, 0, 0, 0, 0, 0, 0 };
    int s = el_vi_evidence_qmc(d, 16384, 8, r, &ref);
    if (!s)
        s = el_vi_evidence_is(d, FIG_BUDGET, r, &is);
    if (!s)
        s = el_vi_evidence_grid(d, el_vi_budget_nodes(d, FIG_BUDGET), &g, &evals);
    if (!s)
        s = grid_cost(d, ref.value, &e->grid_cost, &e->capped);
    if (s)
        return s;
    e->grid_err = fmax(fabs(g - ref.value) / ref.value, 1e-16);
    e->is_err = fabs(is.value - ref.value) / ref.value;
    e->is_rse = is.se / is.value;
    /* IS draws for a 1% relative standard error: (relative sd / 0.01)^2 */
    e->is_cost = e->is_rse * e->is_rse * (double)FIG_BUDGET / 1e-4;
    return EL_OK;
}

int el_vi_fig_evidence(FILE *f, const el_plot_opts *o)
{
    evidence_point pts[EL_VI_MAX_LATENT];
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "vi-evidence"));
    int s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t d = 1; d <= EL_VI_MAX_LATENT && !s; d++)
        s = evidence_point_at(d, r, &pts[d - 1]);
    el_rng_free(r);
    if (s)
        return s;
    double col[7][EL_VI_MAX_LATENT];
    const double *cols[7];
    for (size_t i = 0; i < EL_VI_MAX_LATENT; i++) {
        const evidence_point *e = &pts[i];
        const double row[7] = { e->d,         e->grid_err, e->is_err, e->is_rse,
                                e->grid_cost, e->is_cost,  e->capped };
        for (int c = 0; c < 7; c++)
            col[c][i] = row[c];
    }
    for (int c = 0; c < 7; c++)
        cols[c] = col[c];
    el_plot_block(f, "ev", EL_VI_MAX_LATENT, 7, cols);
    fprintf(
        f,
        "set multiplot layout 1,2 title 'evidence p(x) of a tiny tanh decoder: grid quadrature vs "
        "importance sampling'\n"
        "set logscale y\nset format y '10^{%%L}'\nset xlabel 'latent dimension d'\nset xtics 1\n"
        "set xrange [0.7:%d.3]\nset key top left box opaque\n",
        EL_VI_MAX_LATENT);
    fprintf(f,
            "set title 'relative error with at most %d likelihood evaluations'\nset ylabel "
            "'relative error'\n"
            "set yrange [1e-7:50]\n"
            "plot $ev u 1:2 w lp ls 1 t 'Gauss-Hermite grid, n^d <= %d', \\\n"
            "     $ev u 1:4 w lp ls 3 t 'importance sampling: relative s.e.', \\\n"
            "     $ev u 1:3 w p ls 2 t 'importance sampling: |error|'\n",
            FIG_BUDGET, FIG_BUDGET);
    int capped = 0;
    for (size_t i = 0; i < EL_VI_MAX_LATENT; i++)
        capped |= pts[i].capped > 0.0;
    fprintf(f,
            "set title 'evaluations needed for 1%% relative error'\nset ylabel 'likelihood "
            "evaluations'\n"
            "set key top left box opaque\nset yrange [1:5e7]\n"
            "plot $ev u 1:($7 > 0 ? 1/0 : $5) w lp ls 1 t 'Gauss-Hermite grid (smallest n)', \\\n");
    if (capped)
        fprintf(f,
                "     $ev u 1:($7 > 0 ? %d : 1/0) w p pt 9 ps 2 lc rgb '#1f77b4' t 'grid: more "
                "than %d', \\\n",
                COST_CAP, COST_CAP);
    fputs("     $ev u 1:6 w lp ls 3 t 'importance sampling (from its s.e.)'\nunset multiplot\n", f);
    return EL_OK;
}
