/* evidence.c -- the evidence of a tiny nonlinear decoder, the model of the
 * check vi.posterior_intractable (checks_intractable.c).
 *
 * A tiny fixed "decoder" f: R^d -> R^2, f(z) = W2 tanh(W1 z + b1) + b2 (six
 * tanh units), with x | z ~ N(f(z), tau^2 I) and z ~ N(0, I_d).  The
 * posterior p(z|x) = p(x|z) p(z) / p(x) needs the evidence
 *   p(x) = integral of p(x|z) N(z; 0, I) dz,
 * which has no closed form.  A tensor-product Gauss-Hermite grid with n
 * nodes per axis costs n^d likelihood evaluations; importance sampling with
 * a (defensive) Laplace proposal around the posterior mode costs N, whatever
 * d is.  The reference value is randomised quasi-Monte Carlo over the prior
 * (Sobol points, random shifts).  Costs are counted evaluations, never
 * timings. */
#include "results/vi/el_vi.h"
#include "core/el_core.h"

#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_2PI      1.83787706640934548356
#define HIDDEN       6
#define OUT          2
#define TAU          0.5 /* likelihood standard deviation */
#define IS_WIDEN     2.0 /* proposal covariance / inverse Hessian */
#define IS_DEFENSIVE 0.2 /* weight of the prior in the proposal mixture */

/* The decoder's weights (d <= EL_VI_MAX_LATENT uses the first d columns). */
static const double W1[HIDDEN][EL_VI_MAX_LATENT] = {
    { 0.780, -0.432, 0.270, 0.546, -0.228 }, { -0.384, 0.672, 0.498, -0.162, 0.336 },
    { 0.570, 0.246, -0.642, 0.372, 0.444 },  { -0.198, -0.528, 0.312, 0.714, -0.366 },
    { 0.426, 0.342, 0.408, -0.564, 0.618 },  { -0.690, 0.216, -0.294, 0.252, 0.522 },
};
static const double b1[HIDDEN] = { 0.12, -0.31, 0.27, 0.05, -0.18, 0.22 };
static const double W2[OUT][HIDDEN] = {
    { 1.21, -0.83, 0.67, 0.94, -0.52, 0.76 },
    { -0.47, 1.09, 0.88, -0.71, 1.16, 0.39 },
};
static const double b2[OUT] = { 0.08, -0.14 };
/* The latent that generated x (x = f(z0) + a small offset). */
static const double z0[EL_VI_MAX_LATENT] = { 0.62, -0.41, 0.33, -0.77, 0.48 };
static const double x_offset[OUT] = { 0.11, -0.07 };

/* f(z) for z in R^d into OUTV[2]; the hidden activations into H (may be NULL). */
static void decode(size_t d, const double *z, double *outv, double *h)
{
    double hh[HIDDEN];
    for (int j = 0; j < HIDDEN; j++) {
        double a = b1[j];
        for (size_t i = 0; i < d; i++)
            a += W1[j][i] * z[i];
        hh[j] = tanh(a);
    }
    for (int o = 0; o < OUT; o++) {
        outv[o] = b2[o];
        for (int j = 0; j < HIDDEN; j++)
            outv[o] += W2[o][j] * hh[j];
    }
    if (h)
        memcpy(h, hh, sizeof hh);
}

/* The observed x for latent dimension D. */
static void observed(size_t d, double *x)
{
    decode(d, z0, x, NULL);
    for (int o = 0; o < OUT; o++)
        x[o] += x_offset[o];
}

/* log p(x|z) = log N(x; f(z), tau^2 I). */
static double log_lik(size_t d, const double *x, const double *z)
{
    double f[OUT], s = 0.0;
    decode(d, z, f, NULL);
    for (int o = 0; o < OUT; o++) {
        double r = (x[o] - f[o]) / TAU;
        s += -0.5 * r * r - log(TAU) - 0.5 * LOG_2PI;
    }
    return s;
}

/* ---- tensor-product Gauss-Hermite grid ----------------------------------------- */

int el_vi_evidence_grid(size_t d, size_t n, double *value, size_t *evals)
{
    if (d < 1 || d > EL_VI_MAX_LATENT || n < 1 || n > EL_VI_MAX_NODES)
        return EL_ERROR(EL_EDOM,
                        "grid evidence: need 1 <= d <= %d and 1 <= n <= %d, got d=%zu n=%zu",
                        EL_VI_MAX_LATENT, EL_VI_MAX_NODES, d, n);
    if (pow((double)n, (double)d) > EL_VI_MAX_EVALS)
        return EL_ERROR(EL_ELIMIT, "grid evidence: %zu^%zu nodes exceed the limit of %.0f", n, d,
                        EL_VI_MAX_EVALS);
    el_gsl_init();
    /* weight exp(-x^2/2): the standard normal density times sqrt(2 pi) */
    gsl_integration_fixed_workspace *w =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, n, 0.0, 0.5, 0.0, 0.0);
    if (!w)
        return EL_ERROR(EL_ENOMEM, "grid evidence: out of memory");
    const double *node = gsl_integration_fixed_nodes(w), *wt = gsl_integration_fixed_weights(w);
    double x[OUT], z[EL_VI_MAX_LATENT], sum = 0.0;
    size_t idx[EL_VI_MAX_LATENT] = { 0 }, count = 0;
    observed(d, x);
    for (;;) { /* odometer over the n^d multi-indices */
        double weight = 1.0;
        for (size_t i = 0; i < d; i++) {
            z[i] = node[idx[i]];
            weight *= wt[idx[i]] / M_SQRT2 / M_SQRTPI;
        }
        sum += weight * exp(log_lik(d, x, z));
        count++;
        size_t i = 0;
        while (i < d && ++idx[i] == n)
            idx[i++] = 0;
        if (i == d)
            break;
    }
    gsl_integration_fixed_free(w);
    *value = sum;
    *evals = count;
    return EL_OK;
}

/* ---- importance sampling with a Laplace proposal --------------------------------- */

typedef struct {
    size_t d;
    double x[OUT];
    el_mvn *prop; /* the proposal N(mode, WIDEN H^-1) */
} is_ctx;

/* -log p(x|z) - log p(z) up to a constant: what the mode minimises. */
static double neg_log_post(const double *z, void *v)
{
    const is_ctx *c = v;
    double s = -log_lik(c->d, c->x, z);
    for (size_t i = 0; i < c->d; i++)
        s += 0.5 * z[i] * z[i];
    return s;
}

/* The Gauss-Newton Hessian of -log p(z|x) at Z into H (d x d, row-major):
 * J'J / tau^2 + I with J = W2 diag(1 - h^2) W1, the decoder's Jacobian. */
static void gauss_newton(size_t d, const double *z, double *H)
{
    double f[OUT], h[HIDDEN], J[OUT][EL_VI_MAX_LATENT] = { { 0 } };
    decode(d, z, f, h);
    for (int o = 0; o < OUT; o++)
        for (size_t i = 0; i < d; i++)
            for (int j = 0; j < HIDDEN; j++)
                J[o][i] += W2[o][j] * (1.0 - h[j] * h[j]) * W1[j][i];
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++) {
            double s = a == b ? 1.0 : 0.0;
            for (int o = 0; o < OUT; o++)
                s += J[o][a] * J[o][b] / (TAU * TAU);
            H[a * d + b] = s;
        }
}

/* Covariance WIDEN * H^-1 into S (GSL Cholesky inverse). */
static int proposal_cov(size_t d, double *H, double *S)
{
    gsl_matrix_view m = gsl_matrix_view_array(H, d, d);
    int s = gsl_linalg_cholesky_decomp1(&m.matrix);
    if (!s)
        s = gsl_linalg_cholesky_invert(&m.matrix);
    if (s)
        return el_from_gsl(s, "Laplace proposal");
    for (size_t i = 0; i < d * d; i++)
        S[i] = IS_WIDEN * H[i];
    return EL_OK;
}

/* Builds the proposal of C: the posterior mode (Nelder-Mead from z0) and
 * the widened inverse Gauss-Newton Hessian there. */
static int laplace_proposal(is_ctx *c)
{
    double z[EL_VI_MAX_LATENT], H[EL_VI_MAX_LATENT * EL_VI_MAX_LATENT];
    double S[EL_VI_MAX_LATENT * EL_VI_MAX_LATENT];
    memcpy(z, z0, c->d * sizeof *z);
    int s = el_vi_nelder_mead(neg_log_post, c, c->d, z, 0.1, 1e-6, 5000, NULL);
    if (!s) {
        gauss_newton(c->d, z, H);
        s = proposal_cov(c->d, H, S);
    }
    if (!s)
        c->prop = el_mvn_alloc(c->d, z, S, "proposal", &s);
    return s;
}

/* log N(z; 0, I_d). */
static double log_prior(size_t d, const double *z)
{
    double s = 0.0;
    for (size_t i = 0; i < d; i++)
        s += -0.5 * z[i] * z[i] - 0.5 * LOG_2PI;
    return s;
}

/* One importance weight p(x|z) p(z) / r(z), z ~ r, for the defensive
 * proposal r = (1 - a) Laplace + a prior (a = IS_DEFENSIVE): the prior part
 * bounds the weights by p(x|z) / a, so their variance is finite even where
 * the posterior has prior-like tails that the Laplace part lacks. */
static double draw_weight(const gsl_rng *r, void *v)
{
    is_ctx *c = v;
    double z[EL_VI_MAX_LATENT];
    if (gsl_rng_uniform(r) < IS_DEFENSIVE)
        for (size_t i = 0; i < c->d; i++)
            z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    else
        el_mvn_sample(c->prop, r, z);
    double lp = log_prior(c->d, z), lq = el_mvn_logpdf(c->prop, z);
    double m = fmax(lp, lq); /* log r(z) by log-sum-exp */
    double lr = m + log((1.0 - IS_DEFENSIVE) * exp(lq - m) + IS_DEFENSIVE * exp(lp - m));
    return exp(log_lik(c->d, c->x, z) + lp - lr);
}

int el_vi_evidence_is(size_t d, size_t n, const gsl_rng *r, el_estimate *out)
{
    if (d < 1 || d > EL_VI_MAX_LATENT || n < 2)
        return EL_ERROR(EL_EDOM, "IS evidence: need 1 <= d <= %d and n >= 2, got d=%zu n=%zu",
                        EL_VI_MAX_LATENT, d, n);
    el_gsl_init();
    is_ctx c = { d, { 0 }, NULL };
    observed(d, c.x);
    int s = laplace_proposal(&c);
    if (!s)
        s = el_mc_mean(draw_weight, &c, n, r, out);
    el_mvn_free(c.prop);
    return s;
}

/* ---- the reference: randomised quasi-Monte Carlo over the prior ------------------ */

typedef struct {
    size_t d;
    double x[OUT];
} qmc_ctx;

/* p(x|z) at z = Phi^-1(u), coordinatewise: E_u[...] = p(x). */
static double qmc_lik(const double *u, void *v)
{
    const qmc_ctx *c = v;
    double z[EL_VI_MAX_LATENT];
    for (size_t i = 0; i < c->d; i++)
        z[i] = el_qmc_gauss(u[i]);
    return exp(log_lik(c->d, c->x, z));
}

int el_vi_evidence_qmc(size_t d, size_t n, size_t shifts, const gsl_rng *r, el_estimate *out)
{
    if (d < 1 || d > EL_VI_MAX_LATENT)
        return EL_ERROR(EL_EDOM, "QMC evidence: need 1 <= d <= %d, got %zu", EL_VI_MAX_LATENT, d);
    qmc_ctx c = { d, { 0 } };
    observed(d, c.x);
    return el_qmc_mean(qmc_lik, &c, d, n, shifts, r, out);
}

int el_vi_evidence_plugin(size_t d, double *value)
{
    if (d < 1 || d > EL_VI_MAX_LATENT)
        return EL_ERROR(EL_EDOM, "need 1 <= d <= %d, got %zu", EL_VI_MAX_LATENT, d);
    double x[OUT], z[EL_VI_MAX_LATENT] = { 0 };
    observed(d, x);
    *value = exp(log_lik(d, x, z)); /* the integral skipped */
    return EL_OK;
}

size_t el_vi_budget_nodes(size_t d, size_t budget)
{
    size_t n = 1;
    while (n < EL_VI_MAX_NODES && pow((double)(n + 1), (double)d) <= (double)budget)
        n++;
    return n;
}
