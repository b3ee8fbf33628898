/* checks.c -- the `kl.*` rows of the catalogue as checks.  Each check
 * computes a closed form (or, as a negative control, a typical mistake) and
 * compares it with adaptive quadrature and/or Monte Carlo.  The Gaussian
 * closed forms (equal variance, 1-D, standard normal) share one grid runner;
 * the properties (definition, non-negativity, ...) have one function each. */
#include "results/kl/kl_topic.h"
#include "check/el_check.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================== */
/* 1-D Gaussian closed forms on a parameter grid                            */
/* ======================================================================== */

typedef struct {
    double mu1, s1, mu2, s2; /* q = N(mu1, s1^2), p = N(mu2, s2^2) */
} gpair;

/* High-entropy parameter pairs; each family below maps them to its own shape. */
static const gpair grid[] = {
    { 0.0, 1.0, 1.0, 2.0 },     { 0.385, 0.7, -1.21, 1.3 }, { -2.5, 1.9, 0.45, 0.8 },
    { 1.125, 0.35, 1.6, 0.55 }, { 3.0, 2.4, -0.5, 1.7 },    { -0.75, 1.45, -0.2, 1.45 },
};
#define NGRID (sizeof grid / sizeof grid[0])

/* A closed form of KL(q||p) for pair G computed as VARIANT (0 = the claim). */
typedef double (*gauss_formula)(const gpair *g, int variant);

/* Compares CLOSED with quadrature and Monte Carlo of KL(q||p) for pair G. */
static int compare_pair(el_check_result *res, const gpair *g, double closed, size_t n,
                        const gsl_rng *r)
{
    el_gauss q = { g->mu1, g->s1 }, p = { g->mu2, g->s2 };
    el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
    el_quad_result quad;
    el_estimate mc;
    int s = el_kl_quad1(&dq, &dp, 1.0, &quad);
    if (!s)
        s = el_kl_mc1(&dq, &dp, n, r, &mc);
    if (!s)
        el_check_compare(res, closed, &quad, &mc);
    return s;
}

/* Runs FORMULA over the grid; PREP (may be NULL) maps each pair to the
 * family (equal variances, standard-normal p). */
static int run_grid(const el_check *c, const el_check_opts *o, int variant, el_check_result *res,
                    gauss_formula formula, void (*prep)(gpair *))
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 40000);
    int s = EL_OK;
    for (size_t i = 0; i < NGRID && !s; i++) {
        gpair g = grid[i];
        if (prep)
            prep(&g);
        s = compare_pair(res, &g, formula(&g, variant), n, r);
    }
    el_rng_free(r);
    snprintf(res->detail, sizeof res->detail,
             "%zu parameter pairs (worst shown), %zu Monte Carlo samples each", NGRID, n);
    return s;
}

/* kl.gauss_1d: 0 claim, 1 arguments swapped, 2 the -1/2 dropped. */
static double f_gauss_1d(const gpair *g, int variant)
{
    double k = NAN;
    if (variant == 1)
        el_kl_normal(g->mu2, g->s2, g->mu1, g->s1, &k);
    else
        el_kl_normal(g->mu1, g->s1, g->mu2, g->s2, &k);
    return variant == 2 ? k + 0.5 : k;
}

/* kl.gauss_equal_var: 0 claim, 1 the 1/2 missing, 2 sigma in place of sigma^2. */
static double f_equal_var(const gpair *g, int variant)
{
    double d = g->mu1 - g->mu2, s = g->s1;
    if (variant == 1)
        return d * d / (s * s);
    if (variant == 2)
        return d * d / (2.0 * s);
    double k = NAN;
    el_kl_equal_var(g->mu1, g->mu2, s, &k);
    return k;
}

static void prep_equal_var(gpair *g)
{
    g->s2 = g->s1;
}

/* kl.gauss_std: 0 claim, 1 log sigma in place of log sigma^2. */
static double f_gauss_std(const gpair *g, int variant)
{
    if (variant == 1)
        return 0.5 * (g->mu1 * g->mu1 + g->s1 * g->s1 - 1.0 - log(g->s1));
    double k = NAN;
    el_kl_normal_std(g->mu1, g->s1, &k);
    return k;
}

static void prep_std(gpair *g)
{
    g->mu2 = 0.0;
    g->s2 = 1.0;
}

int el_kl_check_gauss_1d(const el_check *c, const el_check_opts *o, int v, el_check_result *r)
{
    return run_grid(c, o, v, r, f_gauss_1d, NULL);
}

int el_kl_check_equal_var(const el_check *c, const el_check_opts *o, int v, el_check_result *r)
{
    return run_grid(c, o, v, r, f_equal_var, prep_equal_var);
}

int el_kl_check_gauss_std(const el_check *c, const el_check_opts *o, int v, el_check_result *r)
{
    return run_grid(c, o, v, r, f_gauss_std, prep_std);
}

/* ======================================================================== */
/* kl.definition: the integral, the expectation and the closed form agree   */
/* ======================================================================== */

/* Sign of the defining integrand: +1 for q log(q/p), -1 for the flipped
 * mistake q log(p/q) (applied to quadrature and Monte Carlo alike). */
static double definition_sign(int variant)
{
    return variant == 1 ? -1.0 : 1.0;
}

/* Quadrature and Monte Carlo of the (possibly flipped) definition. */
static int definition_numeric(const el_density1 *q, const el_density1 *p, double sign, size_t n,
                              const gsl_rng *r, el_quad_result *quad, el_estimate *mc)
{
    int s = el_kl_quad1(q, p, sign, quad);
    if (!s)
        s = el_kl_mc1(q, p, n, r, mc);
    mc->value *= sign;
    return s;
}

/* Gaussian pairs: closed form vs the integral vs the expectation. */
static int definition_gauss(el_check_result *res, int variant, size_t n, const gsl_rng *r)
{
    int s = EL_OK;
    for (size_t i = 0; i < 3 && !s; i++) {
        el_gauss q = { grid[i].mu1, grid[i].s1 }, p = { grid[i].mu2, grid[i].s2 };
        el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
        el_quad_result quad;
        el_estimate mc;
        double closed;
        s = el_kl_normal(q.mu, q.sigma, p.mu, p.sigma, &closed);
        if (!s)
            s = definition_numeric(&dq, &dp, definition_sign(variant), n, r, &quad, &mc);
        if (!s)
            el_check_compare(res, closed, &quad, &mc);
    }
    return s;
}

/* Mixture pairs (no closed form): the integral is the reference for the
 * expectation, and it must be >= 0. */
static int definition_mixture(el_check_result *res, int variant, size_t n, const gsl_rng *r)
{
    static const double w[2] = { 1.0 / 3.0, 2.0 / 3.0 }, m[2] = { -1.0, 1.0 }, sd[2] = { 1.0, 1.0 };
    int s;
    el_mix *mix = el_mix_alloc(2, w, m, sd, &s);
    if (!mix)
        return s;
    el_gauss g = { 0.42, 1.35 };
    el_density1 dm = el_mix_density(mix), dg = el_gauss_density(&g);
    const el_density1 *pairs[2][2] = { { &dg, &dm }, { &dm, &dg } };
    for (int k = 0; k < 2 && !s; k++) {
        el_quad_result quad;
        el_estimate mc;
        s = definition_numeric(pairs[k][0], pairs[k][1], definition_sign(variant), n, r, &quad,
                               &mc);
        if (!s) /* folds its verdict into res->pass */
            el_check_compare(res, quad.value, NULL, &mc);
        if (!s && quad.value < 0.0)
            res->pass = 0;
    }
    el_mix_free(mix);
    return s;
}

/* Discrete pairs: the closed sum vs Monte Carlo of the log-ratio. */
static int definition_discrete(el_check_result *res, int variant, size_t n, const gsl_rng *r)
{
    static const double q[4] = { 0.1, 0.45, 0.3, 0.15 }, p[4] = { 0.35, 0.05, 0.4, 0.2 };
    double closed;
    el_estimate mc;
    int s = el_kl_discrete(4, q, p, &closed);
    if (!s)
        s = el_kl_mc_discrete(4, q, p, definition_sign(variant), n, r, &mc);
    if (!s)
        el_check_compare(res, closed, NULL, &mc);
    return s;
}

int el_kl_check_definition(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 40000);
    int s = definition_gauss(res, v, n, r);
    if (!s)
        s = definition_mixture(res, v, n, r);
    if (!s)
        s = definition_discrete(res, v, n, r);
    el_rng_free(r);
    snprintf(res->detail, sizeof res->detail,
             "3 Gaussian pairs, 2 mixture pairs, 1 discrete pair (worst shown), %zu samples", n);
    return s;
}

/* ======================================================================== */
/* kl.nonnegative: Gibbs' inequality over thousands of random pairs          */
/* ======================================================================== */

#define NONNEG_PAIRS 2000
#define ROUNDING     1e-13

/* sum_i q_i log(q_i/p_i) as VARIANT (1: the flipped sum q log(p/q)). */
static double discrete_kl_variant(size_t n, const double *q, const double *p, int variant)
{
    double k = NAN;
    el_kl_discrete(n, q, p, &k);
    return variant == 1 ? -k : k;
}

/* Jensen's gap for discrete q, p: log E_q[p/q] - E_q[log p/q], computed as
 * the two sums it is made of. */
static double jensen_gap(size_t n, const double *q, const double *p)
{
    double e_ratio = 0.0, e_log = 0.0;
    for (size_t i = 0; i < n; i++) {
        e_ratio += q[i] * (p[i] / q[i]);
        e_log += q[i] * log(p[i] / q[i]);
    }
    return log(e_ratio) - e_log;
}

/* Random discrete pairs: min KL >= 0 and the Jensen gap equals KL. */
static int nonneg_discrete(const gsl_rng *r, int variant, double *min_kl, double *worst_gap)
{
    double q[20], p[20];
    for (size_t k = 0; k < NONNEG_PAIRS; k++) {
        size_t n = 2 + k % 19;
        int s = el_dirichlet_sample(r, n, 0.7, q);
        if (!s)
            s = el_dirichlet_sample(r, n, 0.7, p);
        if (s)
            return s;
        for (size_t i = 0; i < n; i++) { /* keep full support: the gap needs p/q */
            q[i] = (q[i] + 1e-12) / (1.0 + (double)n * 1e-12);
            p[i] = (p[i] + 1e-12) / (1.0 + (double)n * 1e-12);
        }
        double kl = discrete_kl_variant(n, q, p, variant);
        *min_kl = fmin(*min_kl, kl);
        *worst_gap = fmax(*worst_gap, fabs(jensen_gap(n, q, p) - kl) / fmax(1.0, kl));
    }
    return EL_OK;
}

/* Random Gaussian pairs through the closed form. */
static double nonneg_gauss(const gsl_rng *r, int variant)
{
    double min_kl = INFINITY;
    for (size_t k = 0; k < NONNEG_PAIRS; k++) {
        double m1 = gsl_ran_gaussian(r, 2.0), m2 = gsl_ran_gaussian(r, 2.0);
        double s1 = exp(gsl_ran_gaussian(r, 1.0)), s2 = exp(gsl_ran_gaussian(r, 1.0));
        double kl = NAN;
        el_kl_normal(m1, s1, m2, s2, &kl);
        min_kl = fmin(min_kl, variant == 1 ? -kl : kl);
    }
    return min_kl;
}

int el_kl_check_nonnegative(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    double min_disc = INFINITY, worst_gap = 0.0;
    int s = nonneg_discrete(r, v, &min_disc, &worst_gap);
    double min_gauss = nonneg_gauss(r, v);
    el_rng_free(r);
    res->closed = fmin(min_disc, min_gauss);
    res->pass = !s && res->closed >= -ROUNDING && worst_gap <= 1e-10;
    snprintf(res->detail, sizeof res->detail,
             "min KL over %d discrete pairs %.3g, over %d Gaussian pairs %.3g; "
             "|Jensen gap - KL| <= %.2g",
             NONNEG_PAIRS, min_disc, NONNEG_PAIRS, min_gauss, worst_gap);
    return s;
}

/* ======================================================================== */
/* kl.self_zero: KL(q||q) = 0, and any perturbation makes it positive        */
/* ======================================================================== */

/* Closed form KL(q||q) for a Gaussian, as VARIANT (1: the -1/2 dropped). */
static double self_closed(const el_gauss *q, int variant)
{
    double k = NAN;
    el_kl_normal(q->mu, q->sigma, q->mu, q->sigma, &k);
    return variant == 1 ? k + 0.5 : k;
}

/* Perturbing p away from q in mean or scale by DELTA must give KL > 0. */
static int perturbed_positive(const el_gauss *q)
{
    static const double deltas[] = { 1e-1, 1e-3, 1e-5 };
    for (size_t i = 0; i < 3; i++) {
        double a = NAN, b = NAN;
        el_kl_normal(q->mu, q->sigma, q->mu + deltas[i], q->sigma, &a);
        el_kl_normal(q->mu, q->sigma, q->mu, q->sigma * (1.0 + deltas[i]), &b);
        if (!(a > 0.0 && b > 0.0))
            return 0;
    }
    return 1;
}

int el_kl_check_self_zero(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 10000);
    int s = EL_OK, perturbed = 1;
    for (size_t i = 0; i < NGRID && !s; i++) {
        el_gauss q = { grid[i].mu1, grid[i].s1 };
        el_density1 dq = el_gauss_density(&q);
        el_quad_result quad;
        el_estimate mc;
        s = el_kl_quad1(&dq, &dq, 1.0, &quad);
        if (!s)
            s = el_kl_mc1(&dq, &dq, n, r, &mc);
        if (!s)
            el_check_compare(res, self_closed(&q, v), &quad, &mc);
        perturbed = perturbed && perturbed_positive(&q);
    }
    el_rng_free(r);
    res->pass = res->pass && perturbed;
    snprintf(res->detail, sizeof res->detail,
             "%zu Gaussians: closed, quadrature and Monte Carlo (exactly 0, se 0); "
             "perturbations by 1e-1..1e-5 give KL > 0: %s",
             NGRID, perturbed ? "yes" : "no");
    return s;
}

/* ======================================================================== */
/* kl.asymmetric and kl.no_triangle: explicit counterexamples                */
/* ======================================================================== */

/* Verifies a closed-form KL(q||p) for Gaussians against quadrature (and
 * records it); returns the status. */
static int verify_gauss_kl(el_check_result *res, const el_gauss *q, const el_gauss *p,
                           double closed)
{
    el_density1 dq = el_gauss_density(q), dp = el_gauss_density(p);
    el_quad_result quad;
    int s = el_kl_quad1(&dq, &dp, 1.0, &quad);
    if (!s)
        el_check_compare(res, closed, &quad, NULL);
    return s;
}

int el_kl_check_asymmetric(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    (void)c;
    (void)o;
    el_gauss q = { 0.0, 1.0 }, p = { 1.0, 2.0 };
    double qp, pq;
    el_kl_normal(q.mu, q.sigma, p.mu, p.sigma, &qp);
    el_kl_normal(p.mu, p.sigma, q.mu, q.sigma, &pq);
    /* the mistake assumes symmetry: it predicts KL(p||q) by KL(q||p) */
    double pq_claimed = v == 1 ? qp : pq;
    int s = verify_gauss_kl(res, &q, &p, qp);
    if (!s)
        s = verify_gauss_kl(res, &p, &q, pq_claimed);
    res->pass = res->pass && fabs(qp - pq_claimed) > 1e-6;
    snprintf(res->detail, sizeof res->detail,
             "KL(N(0,1)||N(1,4)) = %.10g but KL(N(1,4)||N(0,1)) = %.10g", qp, pq);
    return s;
}

/* KL between equal-variance Gaussians N(a,1), N(b,1) as VARIANT
 * (1: its square root, which is a metric on this family). */
static double triangle_kl(double a, double b, int variant)
{
    double k = NAN;
    el_kl_normal(a, 1.0, b, 1.0, &k);
    return variant == 1 ? sqrt(k) : k;
}

int el_kl_check_no_triangle(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    (void)c;
    (void)o;
    const double a = 0.0, b = 1.5, cc = 3.0;
    double ac = triangle_kl(a, cc, v), ab = triangle_kl(a, b, v), bc = triangle_kl(b, cc, v);
    el_gauss ga = { a, 1.0 }, gb = { b, 1.0 }, gc = { cc, 1.0 };
    int s = verify_gauss_kl(res, &ga, &gc, triangle_kl(a, cc, 0));
    if (!s)
        s = verify_gauss_kl(res, &ga, &gb, triangle_kl(a, b, 0));
    if (!s)
        s = verify_gauss_kl(res, &gb, &gc, triangle_kl(b, cc, 0));
    res->closed = ac;
    res->pass = res->pass && ac > ab + bc + 1e-9;
    snprintf(res->detail, sizeof res->detail,
             "a=N(0,1), b=N(1.5,1), c=N(3,1): KL(a||c) = %.6g vs KL(a||b) + KL(b||c) = %.6g", ac,
             ab + bc);
    return s;
}

/* ======================================================================== */
/* kl.additive: diagonal Gaussians, d = 1..16                                */
/* ======================================================================== */

#define ADD_DMAX 16

/* Fills a diagonal Gaussian pair of dimension d with random parameters and
 * its covariance matrices (row-major, zero off the diagonal). */
static void random_diag_pair(const gsl_rng *r, size_t d, double *m0, double *s0, double *m1,
                             double *s1, double *S0, double *S1)
{
    memset(S0, 0, d * d * sizeof *S0);
    memset(S1, 0, d * d * sizeof *S1);
    for (size_t i = 0; i < d; i++) {
        m0[i] = gsl_ran_gaussian(r, 1.0);
        m1[i] = gsl_ran_gaussian(r, 1.0);
        s0[i] = 0.5 + gsl_rng_uniform(r);
        s1[i] = 0.5 + gsl_rng_uniform(r);
        S0[i * d + i] = s0[i] * s0[i];
        S1[i * d + i] = s1[i] * s1[i];
    }
}

/* Per-dimension KLs combined as VARIANT: 0 their sum, 1 their mean. */
static int additive_closed(size_t d, const double *m0, const double *s0, const double *m1,
                           const double *s1, int variant, double *out)
{
    int s = el_kl_diag(d, m0, s0, m1, s1, out);
    if (!s && variant == 1)
        *out /= (double)d;
    return s;
}

/* One dimension d: per-dimension formula vs full-covariance formula vs MC. */
static int additive_one(el_check_result *res, size_t d, int variant, size_t n, const gsl_rng *r,
                        int *full_agrees)
{
    double m0[ADD_DMAX], s0[ADD_DMAX], m1[ADD_DMAX], s1[ADD_DMAX];
    double S0[ADD_DMAX * ADD_DMAX], S1[ADD_DMAX * ADD_DMAX], sum, full;
    random_diag_pair(r, d, m0, s0, m1, s1, S0, S1);
    int s = additive_closed(d, m0, s0, m1, s1, variant, &sum);
    if (!s)
        s = el_kl_mvn(d, m0, S0, m1, S1, &full);
    el_diag *q = s ? NULL : el_diag_alloc(d, m0, s0, &s);
    el_diag *p = q ? el_diag_alloc(d, m1, s1, &s) : NULL;
    if (q && p) {
        el_densityd dq = el_diag_density(q), dp = el_diag_density(p);
        el_estimate mc;
        s = el_kl_mcd(&dq, &dp, n, r, &mc);
        if (!s)
            el_check_compare(res, sum, NULL, &mc);
        *full_agrees = *full_agrees && el_close(sum, full, 1e-12, 1e-14);
    }
    el_diag_free(q);
    el_diag_free(p);
    return s;
}

int el_kl_check_additive(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 4000);
    int s = EL_OK, full_agrees = 1;
    for (size_t d = 1; d <= ADD_DMAX && !s; d++)
        s = additive_one(res, d, v, n, r, &full_agrees);
    el_rng_free(r);
    res->pass = res->pass && full_agrees;
    snprintf(res->detail, sizeof res->detail,
             "d = 1..16: per-dimension sum %s the full-covariance formula (1e-12); "
             "Monte Carlo %zu samples each",
             full_agrees ? "equals" : "DIFFERS FROM", n);
    return s;
}

/* ======================================================================== */
/* kl.invariant: y = exp(x) maps Gaussians to log-normals, KL unchanged      */
/* ======================================================================== */

typedef struct {
    el_gauss q, p;
    int jacobian; /* 1: the log-normal density N(log y)/y; 0: the mistake */
} lognormal_pair;

/* log-density of Y = exp(X), X ~ G, at y > 0 (optionally without 1/y). */
static double lognormal_logpdf(const el_gauss *g, double y, int jacobian)
{
    return el_gauss_logpdf(g, log(y)) - (jacobian ? log(y) : 0.0);
}

/* q_Y(y) log(q_Y(y)/p_Y(y)) on y > 0. */
static double lognormal_integrand(double y, void *v)
{
    const lognormal_pair *k = v;
    if (y <= 0.0)
        return 0.0;
    double lq = lognormal_logpdf(&k->q, y, k->jacobian);
    double lp = lognormal_logpdf(&k->p, y, k->jacobian);
    return lq == -INFINITY ? 0.0 : exp(lq) * (lq - lp);
}

int el_kl_check_invariant(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    (void)c;
    (void)o;
    int s = EL_OK;
    for (size_t i = 0; i < 4 && !s; i++) {
        lognormal_pair k = { { grid[i].mu1 * 0.5, grid[i].s1 * 0.6 },
                             { grid[i].mu2 * 0.5, grid[i].s2 * 0.6 },
                             v == 0 };
        el_density1 dq = el_gauss_density(&k.q), dp = el_gauss_density(&k.p);
        el_quad_result in_x, in_y;
        s = el_kl_quad1(&dq, &dp, 1.0, &in_x);
        if (!s)
            s = el_quad_1d(lognormal_integrand, &k, 0.0, INFINITY, &in_y);
        if (!s) { /* the y-coordinate integral must reproduce the x-coordinate one */
            el_quad_result both = { in_y.value, in_y.abserr + in_x.abserr };
            el_check_compare(res, in_x.value, &both, NULL);
        }
    }
    snprintf(
        res->detail, sizeof res->detail,
        "4 Gaussian pairs: quadrature in x vs quadrature of the log-normal pair in y = exp(x)");
    return s;
}

/* ======================================================================== */
/* kl.convex: joint convexity over random discrete distributions             */
/* ======================================================================== */

#define CONVEX_NMAX    50
#define CONVEX_NLAMBDA 11

/* lambda a + (1 - lambda) b, elementwise into OUT (n entries). */
static void mix_vec(size_t n, double lambda, const double *a, const double *b, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = lambda * a[i] + (1.0 - lambda) * b[i];
}

/* Largest and smallest (lhs - rhs) / max(1, rhs) of the convexity inequality
 * over the lambda grid for one quadruple; lhs = KL(mixed p || mixed q),
 * rhs = the mixed KLs. */
static void convex_excess(size_t n, const double *p1, const double *p2, const double *q1,
                          const double *q2, double *hi, double *lo)
{
    double pm[CONVEX_NMAX], qm[CONVEX_NMAX], k1 = NAN, k2 = NAN;
    el_kl_discrete(n, p1, q1, &k1);
    el_kl_discrete(n, p2, q2, &k2);
    *hi = -INFINITY;
    *lo = INFINITY;
    for (int j = 0; j < CONVEX_NLAMBDA; j++) {
        double lambda = (double)j / (CONVEX_NLAMBDA - 1), lhs = NAN;
        mix_vec(n, lambda, p1, p2, pm);
        mix_vec(n, lambda, q1, q2, qm);
        el_kl_discrete(n, pm, qm, &lhs);
        double rhs = lambda * k1 + (1.0 - lambda) * k2, e = (lhs - rhs) / fmax(1.0, rhs);
        *hi = fmax(*hi, e);
        *lo = fmin(*lo, e);
    }
}

/* Random quadruples over n = 2..50 symbols: the largest and smallest excess,
 * and the largest |excess| when p1 = p2 and q1 = q2. */
static int convex_scan(const gsl_rng *r, double *hi, double *lo, double *equal_case)
{
    double p1[CONVEX_NMAX], p2[CONVEX_NMAX], q1[CONVEX_NMAX], q2[CONVEX_NMAX], h, l;
    *hi = -INFINITY;
    *lo = INFINITY;
    *equal_case = 0.0;
    for (size_t n = 2; n <= CONVEX_NMAX; n++) {
        for (int rep = 0; rep < 4; rep++) {
            int s = el_dirichlet_sample(r, n, 1.0, p1);
            if (!s)
                s = el_dirichlet_sample(r, n, 1.0, p2);
            if (!s)
                s = el_dirichlet_sample(r, n, 1.0, q1);
            if (!s)
                s = el_dirichlet_sample(r, n, 1.0, q2);
            if (s)
                return s;
            convex_excess(n, p1, p2, q1, q2, &h, &l);
            *hi = fmax(*hi, h);
            *lo = fmin(*lo, l);
            convex_excess(n, p1, p1, q1, q1, &h, &l);
            *equal_case = fmax(*equal_case, fmax(fabs(h), fabs(l)));
        }
    }
    return EL_OK;
}

int el_kl_check_convex(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    double hi, lo, equal_case;
    int s = convex_scan(r, &hi, &lo, &equal_case);
    el_rng_free(r);
    /* the claim: lhs <= rhs up to rounding; the mistake claims lhs >= rhs */
    int ok = v == 0 ? hi <= ROUNDING : lo >= -ROUNDING;
    res->closed = v == 0 ? hi : lo;
    res->pass = !s && ok && equal_case <= ROUNDING;
    snprintf(res->detail, sizeof res->detail,
             "n = 2..50, 4 quadruples each, lambda in {0, 0.1, ..., 1}: (lhs - rhs) in "
             "[%.3g, %.3g]; equality case |lhs - rhs| <= %.2g",
             lo, hi, equal_case);
    return s;
}

/* ======================================================================== */
/* kl.gauss_mv: full-covariance Gaussians, d = 1..10                         */
/* ======================================================================== */

#define MV_DMAX 10

/* S = A A^T / d + RIDGE I for a random A (row-major d x d): symmetric PD. */
static void random_spd(const gsl_rng *r, size_t d, double scale, double ridge, double *S)
{
    double A[MV_DMAX * MV_DMAX];
    for (size_t i = 0; i < d * d; i++)
        A[i] = gsl_ran_gaussian(r, 1.0);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < d; k++)
                sum += A[i * d + k] * A[j * d + k];
            S[i * d + j] = scale * sum / (double)d + (i == j ? ridge : 0.0);
        }
}

/* Inverse and log-determinant of SPD S (d x d) via GSL's Cholesky. */
static int spd_inverse(size_t d, const double *S, gsl_matrix *inv, double *logdet)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(inv, i, j, S[i * d + j]);
    int s = gsl_linalg_cholesky_decomp1(inv);
    if (s)
        return el_from_gsl(s, "Cholesky");
    *logdet = 0.0;
    for (size_t i = 0; i < d; i++)
        *logdet += 2.0 * log(gsl_matrix_get(inv, i, i));
    return el_from_gsl(gsl_linalg_cholesky_invert(inv), "Cholesky inverse");
}

/* The typical mistakes written out with explicit inverses: 1 uses Sigma0^-1
 * where Sigma1^-1 belongs (tr(Sigma0^-1 Sigma1), quadratic form in Sigma0^-1);
 * 2 inverts the determinant ratio. */
static int mv_mistake(size_t d, const double *m0, const double *S0, const double *m1,
                      const double *S1, int variant, double *out)
{
    gsl_matrix *I0 = gsl_matrix_alloc(d, d), *I1 = gsl_matrix_alloc(d, d);
    double ld0 = 0.0, ld1 = 0.0;
    int s = I0 && I1 ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = spd_inverse(d, S0, I0, &ld0);
    if (!s)
        s = spd_inverse(d, S1, I1, &ld1);
    if (!s) {
        const gsl_matrix *P = variant == 1 ? I0 : I1; /* the precision used */
        const double *S = variant == 1 ? S1 : S0;     /* what it multiplies */
        double tr = 0.0, quad = 0.0;
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++) {
                tr += gsl_matrix_get(P, i, j) * S[j * d + i];
                quad += (m1[i] - m0[i]) * gsl_matrix_get(P, i, j) * (m1[j] - m0[j]);
            }
        double ldr = variant == 2 ? ld0 - ld1 : ld1 - ld0;
        *out = 0.5 * (tr + quad - (double)d + ldr);
    }
    gsl_matrix_free(I0);
    gsl_matrix_free(I1);
    return s;
}

static int mv_formula(size_t d, const double *m0, const double *S0, const double *m1,
                      const double *S1, int variant, double *out)
{
    return variant == 0 ? el_kl_mvn(d, m0, S0, m1, S1, out)
                        : mv_mistake(d, m0, S0, m1, S1, variant, out);
}

/* One dimension: the formula vs Monte Carlo, and vs 2-D quadrature at d = 2. */
static int mv_one(el_check_result *res, size_t d, int variant, size_t n, const gsl_rng *r)
{
    double m0[MV_DMAX], m1[MV_DMAX], S0[MV_DMAX * MV_DMAX], S1[MV_DMAX * MV_DMAX], closed;
    for (size_t i = 0; i < d; i++) {
        m0[i] = gsl_ran_gaussian(r, 1.0);
        m1[i] = gsl_ran_gaussian(r, 1.0);
    }
    random_spd(r, d, 1.0, 0.3, S0);
    random_spd(r, d, 1.7, 0.5, S1);
    int s = mv_formula(d, m0, S0, m1, S1, variant, &closed);
    el_mvn *q = s ? NULL : el_mvn_alloc(d, m0, S0, "Sigma0", &s);
    el_mvn *p = q ? el_mvn_alloc(d, m1, S1, "Sigma1", &s) : NULL;
    if (q && p) {
        el_densityd dq = el_mvn_density(q), dp = el_mvn_density(p);
        el_estimate mc;
        el_quad_result quad;
        s = el_kl_mcd(&dq, &dp, n, r, &mc);
        if (!s && d == 2)
            s = el_kl_quad2_mvn(q, p, &quad);
        if (!s)
            el_check_compare(res, closed, d == 2 ? &quad : NULL, &mc);
    }
    el_mvn_free(q);
    el_mvn_free(p);
    return s;
}

/* At d = 1 the formula must reduce to kl.gauss_1d. */
static int mv_reduces_to_1d(int variant)
{
    double m0 = 0.385, m1 = -1.21, S0 = 0.49, S1 = 1.69, a = NAN, b = NAN;
    mv_formula(1, &m0, &S0, &m1, &S1, variant, &a);
    el_kl_normal(m0, 0.7, m1, 1.3, &b);
    return el_close(a, b, 1e-13, 1e-15);
}

int el_kl_check_gauss_mv(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 8000);
    int s = EL_OK;
    for (size_t d = 2; d <= MV_DMAX && !s; d++)
        s = mv_one(res, d, v, n, r);
    el_rng_free(r);
    int reduces = mv_reduces_to_1d(v);
    res->pass = res->pass && reduces;
    snprintf(res->detail, sizeof res->detail,
             "d = 2..10 vs Monte Carlo (%zu samples), d = 2 vs 2-D quadrature; "
             "d = 1 %s kl.gauss_1d",
             n, reduces ? "reduces to" : "DOES NOT reduce to");
    return s;
}

/* ======================================================================== */
/* the table                                                                 */
/* ======================================================================== */
