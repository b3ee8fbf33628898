/* kl_checks.c -- the `kl.*` rows of the catalogue as checks.  Each check
 * computes a closed form (or, as a negative control, a typical mistake) and
 * compares it with adaptive quadrature and Monte Carlo. */
#include "check/el_check.h"
#include "results/el_kl.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>

/* ---- 1-D Gaussian closed forms and their typical mistakes ---------------- */

typedef struct {
    double mu1, s1, mu2, s2;
} gpair;

/* A grid of high-entropy parameter pairs (q = N(mu1,s1^2), p = N(mu2,s2^2)). */
static const gpair grid[] = {
    { 0.0, 1.0, 1.0, 2.0 },     { 0.385, 0.7, -1.21, 1.3 }, { -2.5, 1.9, 0.45, 0.8 },
    { 1.125, 0.35, 1.6, 0.55 }, { 3.0, 2.4, -0.5, 1.7 },   { -0.75, 1.45, -0.2, 1.45 },
};
#define NGRID (sizeof grid / sizeof grid[0])

/* KL(N(mu1,s1^2)||N(mu2,s2^2)) as VARIANT: 0 the claim, 1 arguments swapped,
 * 2 the -1/2 dropped. */
static double gauss_1d_formula(const gpair *g, int variant)
{
    double k = NAN;
    if (variant == 1)
        el_kl_normal(g->mu2, g->s2, g->mu1, g->s1, &k);
    else
        el_kl_normal(g->mu1, g->s1, g->mu2, g->s2, &k);
    return variant == 2 ? k + 0.5 : k;
}

/* Compares CLOSED with quadrature and Monte Carlo of KL(q||p) for pair G. */
static int compare_pair(el_check_result *res, const gpair *g, double closed, size_t n,
                        const gsl_rng *r)
{
    el_gauss q = { g->mu1, g->s1 }, p = { g->mu2, g->s2 };
    el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
    el_quad_result quad;
    el_estimate mc;
    int s = el_kl_quad1(&dq, &dp, 1.0, &quad);
    if (!s) s = el_kl_mc1(&dq, &dp, n, r, &mc);
    if (!s)
        el_check_compare(res, closed, &quad, &mc);
    return s;
}

/* Runs FORMULA over PAIRS (count N); PREP maps a grid pair to the family. */
static int run_grid(const el_check *c, const el_check_opts *o, int variant, el_check_result *res,
                    double (*formula)(const gpair *, int), void (*prep)(gpair *))
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = el_check_samples(o, 100000);
    int s = EL_OK;
    for (size_t i = 0; i < NGRID && !s; i++) {
        gpair g = grid[i];
        if (prep)
            prep(&g);
        s = compare_pair(res, &g, formula(&g, variant), n, r);
    }
    el_rng_free(r);
    snprintf(res->detail, sizeof res->detail,
             "%zu parameter pairs, worst shown; %zu MC samples each", NGRID, n);
    return s;
}

static int check_gauss_1d(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    return run_grid(c, o, v, res, gauss_1d_formula, NULL);
}

static const char *const gauss_1d_mistakes[] = {
    "arguments swapped: KL(N(mu2,s2^2)||N(mu1,s1^2))",
    "the -1/2 dropped",
    NULL,
};

/* ---- the table ------------------------------------------------------------ */

static const el_check kl_checks[] = {
    { "kl.gauss_1d",
      "KL(N(m1,s1^2)||N(m2,s2^2)) = log(s2/s1) + (s1^2 + (m1-m2)^2)/(2 s2^2) - 1/2",
      gauss_1d_mistakes, check_gauss_1d },
};

const el_check *el_kl_checks(size_t *n)
{
    *n = sizeof kl_checks / sizeof kl_checks[0];
    return kl_checks;
}
