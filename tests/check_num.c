/* check_num.c -- the numeric core: rng, Monte Carlo, Sobol QMC, quadrature,
 * verdicts. */
#include <check.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "core/el_core.h"
#include "num/el_num.h"

static double unif_sq(const gsl_rng *r, void *p)
{
    (void)p;
    double u = gsl_rng_uniform(r);
    return u * u;
}

static double nan_draw(const gsl_rng *r, void *p)
{
    (void)r;
    (void)p;
    return NAN;
}

START_TEST(mc_mean_of_u_squared)
{
    gsl_rng *r = el_rng_alloc(7);
    el_estimate e;
    ck_assert_int_eq(el_mc_mean(unif_sq, NULL, 200000, r, &e), EL_OK);
    ck_assert_uint_eq(e.n, 200000);
    /* E U^2 = 1/3, sd(U^2) = sqrt(4/45) */
    ck_assert(el_agrees_mc(1.0 / 3.0, &e));
    ck_assert_double_eq_tol(e.se, sqrt(4.0 / 45.0 / 200000.0), 2e-5);
    /* negative control: 0.35 is > 20 se away and must be rejected */
    ck_assert(!el_agrees_mc(0.35, &e));
    ck_assert(el_mc_zscore(0.35, &e) > 20.0);
    el_rng_free(r);
}
END_TEST

START_TEST(mc_same_seed_same_value)
{
    gsl_rng *a = el_rng_alloc(99), *b = el_rng_alloc(99);
    el_estimate ea, eb;
    el_mc_mean(unif_sq, NULL, 1000, a, &ea);
    el_mc_mean(unif_sq, NULL, 1000, b, &eb);
    ck_assert(ea.value == eb.value && ea.se == eb.se);
    el_rng_free(a);
    el_rng_free(b);
}
END_TEST

START_TEST(mc_rejects_bad_input)
{
    gsl_rng *r = el_rng_alloc(1);
    el_estimate e;
    ck_assert_int_eq(el_mc_mean(unif_sq, NULL, 1, r, &e), EL_EDOM);
    ck_assert_int_eq(el_mc_mean(nan_draw, NULL, 10, r, &e), EL_ENUM);
    ck_assert_str_eq(el_errmsg(), "Monte Carlo: draw 0 is not finite (nan)");
    el_rng_free(r);
}
END_TEST

static double qmc_gauss_sq(const double *u, void *p)
{
    (void)p;
    double z = el_qmc_gauss(u[0]), w = el_qmc_gauss(u[1]);
    return z * z + w * w;
}

START_TEST(qmc_beats_mc)
{
    gsl_rng *r = el_rng_alloc(3);
    el_estimate q;
    ck_assert_int_eq(el_qmc_mean(qmc_gauss_sq, NULL, 2, 4096, 16, r, &q), EL_OK);
    ck_assert(el_agrees_mc(2.0, &q));
    /* plain MC of the same integrand (variance 4) with 65536 points has
     * se = 2/256 ~ 0.0078: randomised Sobol must do far better */
    ck_assert(q.se < 0.002);
    ck_assert(!el_agrees_mc(2.01, &q));
    ck_assert_int_eq(el_qmc_mean(qmc_gauss_sq, NULL, 41, 10, 4, r, &q), EL_EDOM);
    el_rng_free(r);
}
END_TEST

static double gauss_pdf(double x, void *p)
{
    (void)p;
    return exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

static double x2_gauss(double x, void *p)
{
    return x * x * gauss_pdf(x, p);
}
static double inv_sqrt(double x, void *p)
{
    (void)p;
    return 1.0 / sqrt(x);
}
static double bad_fn(double x, void *p)
{
    (void)p;
    return x > 0.3 ? NAN : 1.0;
}

START_TEST(quad_1d_ranges)
{
    el_quad_result q;
    ck_assert_int_eq(el_quad_1d(gauss_pdf, NULL, -INFINITY, INFINITY, &q), EL_OK);
    ck_assert(el_agrees_quad(1.0, &q));
    ck_assert(!el_agrees_quad(1.0 + 1e-7, &q)); /* the tolerance is tight */
    ck_assert_int_eq(el_quad_1d(x2_gauss, NULL, 0.0, INFINITY, &q), EL_OK);
    ck_assert(el_agrees_quad(0.5, &q));
    ck_assert_int_eq(el_quad_1d(gauss_pdf, NULL, -INFINITY, 1.2, &q), EL_OK);
    ck_assert(el_agrees_quad(0.88493032977829178, &q));
    /* integrable singularity at 0: QAGS extrapolates */
    ck_assert_int_eq(el_quad_1d(inv_sqrt, NULL, 0.0, 2.5, &q), EL_OK);
    ck_assert(el_agrees_quad(2.0 * sqrt(2.5), &q));
}
END_TEST

START_TEST(quad_1d_errors)
{
    el_quad_result q;
    ck_assert_int_eq(el_quad_1d(bad_fn, NULL, 0.0, 1.0, &q), EL_ENUM);
    ck_assert_int_eq(el_quad_1d(gauss_pdf, NULL, INFINITY, 1.0, &q), EL_EDOM);
}
END_TEST

static double gauss2(double x, double y, void *p)
{
    const double *rho = p;
    double r = *rho, det = 1.0 - r * r;
    double z = (x * x - 2.0 * r * x * y + y * y) / det;
    return x * y * exp(-0.5 * z) / (2.0 * M_PI * sqrt(det));
}

START_TEST(quad_2d_correlation)
{
    double rho = 0.385;
    el_quad_result q;
    ck_assert_int_eq(el_quad_2d(gauss2, &rho, -INFINITY, INFINITY, -INFINITY, INFINITY, &q), EL_OK);
    ck_assert(el_agrees_quad(rho, &q));
    ck_assert(!el_agrees_quad(rho * 1.0001, &q));
}
END_TEST

START_TEST(verdict_rules)
{
    el_quad_result q = { 1.0 + 5e-10, 1e-12 };
    ck_assert(el_agrees_quad(1.0, &q)); /* within 1e-9 relative */
    q.value = 1.0 + 3e-9;
    ck_assert(!el_agrees_quad(1.0, &q));
    q.value = 5e-11;
    ck_assert(el_agrees_quad(0.0, &q)); /* absolute floor */
    el_estimate e = { 0.0, 0.0, 100 };
    ck_assert(el_agrees_mc(0.0, &e)); /* se = 0: exact agreement only */
    ck_assert(!el_agrees_mc(1e-300, &e));
    e.value = 1.0;
    e.se = 0.2;
    ck_assert(el_agrees_mc(2.0, &e)); /* exactly 5 se */
    ck_assert(!el_agrees_mc(2.0001, &e));
    ck_assert(!el_agrees_mc(NAN, &e));
}
END_TEST

START_TEST(seed_mix_differs)
{
    ck_assert(el_seed_mix(1, "kl.gauss_1d") != el_seed_mix(1, "kl.gauss_std"));
    ck_assert(el_seed_mix(1, "a") != el_seed_mix(2, "a"));
    ck_assert(el_seed_mix(5, "x") == el_seed_mix(5, "x"));
}
END_TEST

static Suite *num_suite(void)
{
    Suite *s = suite_create("num");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, mc_mean_of_u_squared);
    tcase_add_test(core, mc_same_seed_same_value);
    tcase_add_test(core, qmc_beats_mc);
    tcase_add_test(core, quad_1d_ranges);
    tcase_add_test(core, quad_2d_correlation);
    tcase_add_test(core, verdict_rules);
    tcase_add_test(core, seed_mix_differs);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, mc_rejects_bad_input);
    tcase_add_test(lim, quad_1d_errors);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(num_suite)
