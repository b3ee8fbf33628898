/* checks.c -- the `grad.*` rows of the catalogue: reparameterised
 * sampling, unbiased gradient estimators, the backward pass of the KL term,
 * and the log-variance parameterisation. */
#include "results/grad/grad_topic.h"
#include "check/el_check.h"
#include "eval/el_eval.h"
#include "results/grad/el_grad.h"
#include "core/el_core.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The Monte Carlo estimate (mean and standard error) of the N values V. */
static el_estimate estimate(const double *v, size_t n)
{
    double m = gsl_stats_mean(v, 1, n);
    el_estimate e = { m, gsl_stats_sd_m(v, 1, n, m) / sqrt((double)n), n };
    return e;
}

/* Allocates N doubles or records EL_ENOMEM in *S. */
static double *alloc_doubles(size_t n, int *s)
{
    double *v = malloc(n * sizeof *v);
    if (!v)
        *s = EL_ERROR(EL_ENOMEM, "out of memory for %zu samples", n);
    return v;
}

/* ==== grad.reparam_sampling ================================================== */

/* The KS level: the two-sided tail of the 5-sigma rule, 2 (1 - Phi(5)). */
static double ks_alpha(void)
{
    return 2.0 * gsl_cdf_ugaussian_Q(EL_MC_SIGMAS);
}

typedef struct {
    double mu, sigma;
} gparams;

static double gauss_cdf(double x, void *p)
{
    const gparams *g = p;
    return gsl_cdf_gaussian_P(x - g->mu, g->sigma);
}

static double chisq3_cdf(double x, void *p)
{
    (void)p;
    return gsl_cdf_chisq_P(x, 3.0);
}

/* KS-tests the N values X (sorted in place) against CDF; keeps the smallest
 * p-value in *PMIN. */
static int ks_into(double *x, size_t n, double (*cdf)(double, void *), void *p, double *pmin)
{
    el_ks_result ks;
    int s = el_ks_test(x, n, cdf, p, &ks);
    if (!s)
        *pmin = fmin(*pmin, ks.p);
    return s;
}

/* Compares the sample mean and E[(z - mu)^2] of Z (N values) with MU, SIGMA^2. */
static void moments_1d(el_check_result *res, const double *z, size_t n, double mu, double sigma,
                       double *dev)
{
    for (size_t i = 0; i < n; i++)
        dev[i] = (z[i] - mu) * (z[i] - mu);
    el_estimate m = estimate(z, n), v = estimate(dev, n);
    el_check_compare(res, mu, NULL, &m);
    el_check_compare(res, sigma * sigma, NULL, &v);
}

/* 1-D: z = mu + sigma eps (VARIANT 1: mu + sigma^2 eps); moments and KS. */
static int sampling_1d(el_check_result *res, int variant, size_t n, const gsl_rng *r, double *pmin)
{
    static const gparams g = { 0.85, 1.7 };
    int s = EL_OK;
    double *z = alloc_doubles(2 * n, &s);
    if (!z)
        return s;
    double scale = variant == 1 ? g.sigma * g.sigma : g.sigma;
    for (size_t i = 0; i < n; i++)
        z[i] = g.mu + scale * gsl_ran_gaussian_ziggurat(r, 1.0);
    moments_1d(res, z, n, g.mu, g.sigma, z + n);
    s = ks_into(z, n, gauss_cdf, (void *)&g, pmin);
    free(z);
    return s;
}

#define D3 3
static const double mv_mu[D3] = { 0.4, -1.25, 2.1 };
static const double mv_L[D3][D3] = { { 1.1, 0, 0 }, { 0.9, 0.7, 0 }, { -0.6, 1.3, 0.5 } };

/* Z = mu + L eps, or mu + L^T eps for VARIANT 2. */
static void draw_mv(int variant, const gsl_rng *r, double *z)
{
    double eps[D3];
    for (int j = 0; j < D3; j++)
        eps[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (int j = 0; j < D3; j++) {
        z[j] = mv_mu[j];
        for (int k = 0; k < D3; k++)
            z[j] += (variant == 2 ? mv_L[k][j] : mv_L[j][k]) * eps[k];
    }
}

/* The squared Mahalanobis distance |L^-1 (z - mu)|^2 (forward substitution). */
static double mahalanobis2(const double *z)
{
    double u[D3], r2 = 0.0;
    for (int j = 0; j < D3; j++) {
        u[j] = z[j] - mv_mu[j];
        for (int k = 0; k < j; k++)
            u[j] -= mv_L[j][k] * u[k];
        u[j] /= mv_L[j][j];
        r2 += u[j] * u[j];
    }
    return r2;
}

/* Sigma_jk = sum_l L_jl L_kl. */
static double mv_sigma(int j, int k)
{
    double s = 0.0;
    for (int l = 0; l < D3; l++)
        s += mv_L[j][l] * mv_L[k][l];
    return s;
}

/* Moments E z_j, E (z_j - mu_j)(z_k - mu_k) of the N x D3 samples Z. */
static void moments_mv(el_check_result *res, const double *z, size_t n, double *col)
{
    for (int j = 0; j < D3; j++)
        for (int k = j; k < D3; k++) {
            for (size_t i = 0; i < n; i++)
                col[i] = (z[i * D3 + j] - mv_mu[j]) * (z[i * D3 + k] - mv_mu[k]);
            el_estimate e = estimate(col, n);
            el_check_compare(res, mv_sigma(j, k), NULL, &e);
        }
    for (int j = 0; j < D3; j++) {
        for (size_t i = 0; i < n; i++)
            col[i] = z[i * D3 + j];
        el_estimate e = estimate(col, n);
        el_check_compare(res, mv_mu[j], NULL, &e);
    }
}

/* KS of each marginal against N(mu_j, Sigma_jj) and of the squared
 * Mahalanobis distance against chi^2 with 3 degrees of freedom. */
static int ks_mv(const double *z, size_t n, double *col, double *pmin)
{
    int s = EL_OK;
    for (int j = 0; j < D3 && !s; j++) {
        gparams g = { mv_mu[j], sqrt(mv_sigma(j, j)) };
        for (size_t i = 0; i < n; i++)
            col[i] = z[i * D3 + j];
        s = ks_into(col, n, gauss_cdf, &g, pmin);
    }
    for (size_t i = 0; i < n && !s; i++)
        col[i] = mahalanobis2(z + i * D3);
    return s ? s : ks_into(col, n, chisq3_cdf, NULL, pmin);
}

/* d = 3: z = mu + L eps (VARIANT 2: L^T); moments and KS. */
static int sampling_mv(el_check_result *res, int variant, size_t n, const gsl_rng *r, double *pmin)
{
    int s = EL_OK;
    double *z = alloc_doubles((D3 + 1) * n, &s);
    if (!z)
        return s;
    for (size_t i = 0; i < n; i++)
        draw_mv(variant, r, z + i * D3);
    moments_mv(res, z, n, z + D3 * n);
    s = ks_mv(z, n, z + D3 * n, pmin);
    free(z);
    return s;
}

int el_grad_check_reparam_sampling(const el_check *c, const el_check_opts *o, int variant,
                                   el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 20000);
    double pmin = 1.0;
    int s = sampling_1d(res, variant, n, r, &pmin);
    if (!s)
        s = sampling_mv(res, variant, n, r, &pmin);
    el_rng_free(r);
    res->pass = res->pass && pmin >= ks_alpha();
    snprintf(res->detail, sizeof res->detail,
             "%zu draws (d = 1 and 3): 13 moments within 5 se, worst shown; "
             "smallest KS p-value %.3g (reject below %.2g)",
             n, pmin, ks_alpha());
    return s;
}

/* ==== grad.reparam_unbiased ================================================== */

#define GRAD_MU    (-0.6)
#define GRAD_SIGMA 0.9

/* The pathwise and score estimates of VARIANT at EPS: 1 drops the score's
 * (z - mu)/sigma^2 factor, 2 drops eps from the pathwise d/dsigma. */
static void estimators(int variant, const el_grad_fn *f, double eps, double path[2],
                       double score[2])
{
    el_grad_pathwise(f, GRAD_MU, GRAD_SIGMA, eps, path);
    el_grad_score(f, GRAD_MU, GRAD_SIGMA, eps, score);
    if (variant == 1)
        score[0] = f->f(GRAD_MU + GRAD_SIGMA * eps, f->p);
    if (variant == 2)
        path[1] = path[0];
}

/* Compares both estimators of F's gradient (exact EXACT) over N draws;
 * keeps the smallest variance ratio score/pathwise in *RATIO. */
static int unbiased_one(el_check_result *res, int variant, const el_grad_fn *f,
                        const double exact[2], size_t n, const gsl_rng *r, double *ratio)
{
    int s = EL_OK;
    double *v = alloc_doubles(4 * n, &s); /* path mu, path sigma, score mu, score sigma */
    if (!v)
        return s;
    for (size_t i = 0; i < n; i++) {
        double path[2], score[2];
        estimators(variant, f, gsl_ran_gaussian_ziggurat(r, 1.0), path, score);
        v[i] = path[0];
        v[n + i] = path[1];
        v[2 * n + i] = score[0];
        v[3 * n + i] = score[1];
    }
    for (int j = 0; j < 4; j++) {
        el_estimate e = estimate(v + j * n, n);
        el_check_compare(res, exact[j % 2], NULL, &e);
    }
    for (int j = 0; j < 2; j++)
        *ratio = fmin(*ratio, gsl_stats_variance(v + (2 + j) * n, 1, n) /
                                  gsl_stats_variance(v + j * n, 1, n));
    free(v);
    return s;
}

int el_grad_check_reparam_unbiased(const el_check *c, const el_check_opts *o, int variant,
                                   el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 50000);
    static const el_grad_bump k = { 1.1, 0.8 };
    el_grad_fn poly = { el_grad_cubic, el_grad_cubic_df, NULL };
    el_grad_fn bumpf = { el_grad_bump_f, el_grad_bump_df, &k };
    double gp[2], gb[2], ratio = INFINITY;
    el_grad_cubic_exact(GRAD_MU, GRAD_SIGMA, gp);
    el_grad_bump_exact(&k, GRAD_MU, GRAD_SIGMA, gb);
    int s = unbiased_one(res, variant, &poly, gp, n, r, &ratio);
    if (!s)
        s = unbiased_one(res, variant, &bumpf, gb, n, r, &ratio);
    el_rng_free(r);
    res->pass = res->pass && ratio > 1.0;
    snprintf(res->detail, sizeof res->detail,
             "q = N(%g, %g^2), f = z^3 + z^2/2 and a Gaussian bump, %zu draws: 8 means vs exact, "
             "worst shown; Var(score)/Var(pathwise) >= %.3g",
             GRAD_MU, GRAD_SIGMA, n, ratio);
    return s;
}

/* ==== grad.kl_backprop ======================================================= */

#define FD_SAMPLES 300 /* per-sample finite differences on the first draws */

/* The per-sample gradient (d/dmu, d/dsigma) of t = log q(z) - log p(z) as
 * VARIANT writes it: 0 the claim (z, -1/sigma + z eps), 1 eps dropped
 * (z, -1/sigma + z), 2 z treated as a constant inside r = log q(z). */
static void kl_formula(int variant, const el_kl_tape *tp, double g[2])
{
    double z = tp->z, s = tp->sigma, e = tp->eps;
    g[0] = variant == 2 ? z + e / s : z;
    g[1] = variant == 1 ? -1.0 / s + z : -1.0 / s + z * e;
    if (variant == 2)
        g[1] += e * e / s;
}

/* t as a function of one parameter, the other and eps fixed. */
typedef struct {
    double mu, sigma, eps;
    int which; /* 0: vary mu, 1: vary sigma */
} kl_slice;

static double kl_slice_f(double x, void *p)
{
    const kl_slice *k = p;
    el_kl_tape tp;
    return el_kl_sample_forward(k->which ? k->mu : x, k->which ? x : k->sigma, k->eps, &tp);
}

/* How far (in units of the allowed error) the per-sample gradient G at TP is
 * from central finite differences of the forward pass (gsl_deriv_central). */
static double fd_margin(const el_kl_tape *tp, const double g[2])
{
    double m = 0.0;
    for (int w = 0; w < 2; w++) {
        kl_slice k = { tp->mu, tp->sigma, tp->eps, w };
        gsl_function fn = { kl_slice_f, &k };
        double d, err, h = 1e-3 * tp->sigma;
        gsl_deriv_central(&fn, w ? tp->sigma : tp->mu, h, &d, &err);
        m = fmax(m, fabs(g[w] - d) / (err + 1e-9 * (1.0 + fabs(d))));
    }
    return m;
}

/* One (mu, sigma): per-sample formula vs backprop and FD, MC mean vs the
 * exact gradient (mu, sigma - 1/sigma) of KL(N(mu, sigma^2) || N(0, 1)). */
static int backprop_one(el_check_result *res, int variant, double mu, double sigma, size_t n,
                        const gsl_rng *r, double *bp_err, double *fd_worst)
{
    int s = EL_OK;
    double *v = alloc_doubles(2 * n, &s);
    if (!v)
        return s;
    for (size_t i = 0; i < n; i++) {
        el_kl_tape tp;
        double g[2], b[2];
        el_kl_sample_forward(mu, sigma, gsl_ran_gaussian_ziggurat(r, 1.0), &tp);
        kl_formula(variant, &tp, g);
        el_kl_sample_backward(&tp, &b[0], &b[1]);
        for (int w = 0; w < 2; w++)
            *bp_err = fmax(*bp_err, fabs(g[w] - b[w]) / (1.0 + fabs(b[w])));
        if (i < FD_SAMPLES)
            *fd_worst = fmax(*fd_worst, fd_margin(&tp, g));
        v[i] = g[0];
        v[n + i] = g[1];
    }
    el_estimate emu = estimate(v, n), esig = estimate(v + n, n);
    el_check_compare(res, mu, NULL, &emu);
    el_check_compare(res, sigma - 1.0 / sigma, NULL, &esig);
    free(v);
    return s;
}

int el_grad_check_kl_backprop(const el_check *c, const el_check_opts *o, int variant,
                              el_check_result *res)
{
    static const double grid[][2] = { { 0.6, 1.4 }, { -1.1, 0.55 }, { 0.25, 2.3 } };
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 20000);
    double bp_err = 0.0, fd_worst = 0.0;
    int s = EL_OK;
    for (size_t i = 0; i < 3 && !s; i++)
        s = backprop_one(res, variant, grid[i][0], grid[i][1], n, r, &bp_err, &fd_worst);
    el_rng_free(r);
    res->pass = res->pass && bp_err <= 1e-12 && fd_worst <= 1.0;
    snprintf(res->detail, sizeof res->detail,
             "3 (mu, sigma), %zu draws: |formula - backprop| %.2g (tol 1e-12); "
             "worst |formula - FD| / tol %.2g (%d draws each); MC mean vs (mu, sigma - 1/sigma)",
             n, bp_err, fd_worst, FD_SAMPLES);
    return s;
}

/* ==== grad.logvar ============================================================ */

/* Two latent dimensions: one narrow, one wide target; start at N(0, 1). */
static const double lv_m[2] = { 0.5, -1.0 }, lv_tau[2] = { 0.2, 2.0 };
static const double lv_mu0[2] = { 0.0, 0.0 }, lv_v0[2] = { 1.0, 1.0 };
#define LV_ITERS 3000
#define LV_TOL   1e-8

/* The step of each variant: the claim's, and (mistake 1) one so small that
 * the variance parameterisation never leaves the valid region either. */
static double lv_eta(int variant)
{
    return variant == 1 ? 0.005 : 0.07;
}

int el_grad_check_logvar(const el_check *c, const el_check_opts *o, int variant,
                         el_check_result *res)
{
    (void)c;
    (void)o;
    el_descent_result var, logvar;
    double eta = lv_eta(variant);
    int s = el_grad_descent(EL_PARAM_VARIANCE, 2, lv_m, lv_tau, lv_mu0, lv_v0, eta, LV_ITERS, NULL,
                            &var);
    if (!s)
        s = el_grad_descent(EL_PARAM_LOGVAR, 2, lv_m, lv_tau, lv_mu0, lv_v0, eta, LV_ITERS, NULL,
                            &logvar);
    if (s)
        return s;
    res->pass = var.invalid && !logvar.invalid && logvar.err <= LV_TOL;
    snprintf(res->detail, sizeof res->detail,
             "KL to N(0.5, 0.2^2) x N(-1, 2^2), step %g: sigma^2 run %s after %zu steps; "
             "log sigma^2 run %s, relative error %.2g after %zu steps (tol %.0e)",
             eta, var.invalid ? "left sigma^2 > 0" : "stayed valid", var.steps,
             logvar.invalid ? "left the valid region" : "stayed valid", logvar.err, logvar.steps,
             LV_TOL);
    return EL_OK;
}
