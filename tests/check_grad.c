/* check_grad.c -- the KS test, the gradient estimators and their test
 * functions, the KL backward pass and the two descent parameterisations. */
#include <check.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_randist.h>
#include <math.h>

#include "check_main.h"
#include "core/el_core.h"
#include "num/el_num.h"
#include "results/grad/el_grad.h"

/* ---- helpers: E_{N(mu, sigma^2)} f by quadrature, and its derivatives ----------- */

typedef struct {
    const el_grad_fn *f;
    double mu, sigma;
} expect_args;

static double expect_integrand(double z, void *p)
{
    const expect_args *a = p;
    return a->f->f(z, a->f->p) * gsl_ran_gaussian_pdf(z - a->mu, a->sigma);
}

static double expectation(const el_grad_fn *f, double mu, double sigma)
{
    expect_args a = { f, mu, sigma };
    el_quad_result q;
    ck_assert_int_eq(el_quad_1d(expect_integrand, &a, -INFINITY, INFINITY, &q), EL_OK);
    return q.value;
}

typedef struct {
    const el_grad_fn *f;
    double mu, sigma;
    int which;
} slice_args;

static double expect_slice(double x, void *p)
{
    const slice_args *s = p;
    return expectation(s->f, s->which ? s->mu : x, s->which ? x : s->sigma);
}

/* d/dmu (WHICH 0) or d/dsigma (1) of E f, by central differences of quadrature. */
static double expect_deriv(const el_grad_fn *f, double mu, double sigma, int which)
{
    slice_args s = { f, mu, sigma, which };
    gsl_function fn = { expect_slice, &s };
    double d, err;
    gsl_deriv_central(&fn, which ? sigma : mu, 1e-3, &d, &err);
    return d;
}

/* ---- Core ------------------------------------------------------------------- */

START_TEST(ks_pvalue_known_quantiles)
{
    /* Kolmogorov's distribution: P(K > 1.3580986) = 0.05, P(K > 1) = 0.2699996716 */
    size_t n = 1000000;
    double c = sqrt((double)n) + 0.12 + 0.11 / sqrt((double)n);
    ck_assert(el_close(el_ks_pvalue(1.3580986 / c, n), 0.05, 1e-6, 0));
    ck_assert(el_close(el_ks_pvalue(1.0 / c, n), 0.2699996716, 1e-8, 0));
    /* the two series meet at lambda = 1.18 */
    ck_assert(el_close(el_ks_pvalue((1.18 - 1e-12) / c, n), el_ks_pvalue((1.18 + 1e-12) / c, n),
                       1e-10, 0));
    ck_assert(el_ks_pvalue(0.0, n) == 1.0);
}
END_TEST

static double uniform_cdf(double x, void *p)
{
    double shift = *(const double *)p;
    return fmin(1.0, fmax(0.0, x - shift));
}

START_TEST(ks_test_accepts_and_rejects)
{
    double x[400], shift = 0.0;
    el_ks_result r;
    for (int i = 0; i < 400; i++)
        x[i] = (399 - i + 0.5) / 400.0; /* a perfect uniform sample, reversed */
    ck_assert_int_eq(el_ks_test(x, 400, uniform_cdf, &shift, &r), EL_OK);
    ck_assert(el_close(r.D, 0.5 / 400.0, 1e-12, 0));
    ck_assert(r.p > 0.999);
    ck_assert(x[0] < x[399]); /* sorted in place */
    shift = 0.1;
    ck_assert_int_eq(el_ks_test(x, 400, uniform_cdf, &shift, &r), EL_OK);
    ck_assert(el_close(r.D, 0.1 + 0.5 / 400.0, 1e-12, 0));
    ck_assert(r.p < 1e-3);
}
END_TEST

START_TEST(test_functions_match_quadrature)
{
    static const el_grad_bump k = { 1.1, 0.8 };
    el_grad_fn cubic = { el_grad_cubic, el_grad_cubic_df, NULL };
    el_grad_fn bump = { el_grad_bump_f, el_grad_bump_df, &k };
    double g[2];
    el_grad_cubic_exact(0.385, 1.3, g);
    for (int w = 0; w < 2; w++)
        ck_assert(el_close(g[w], expect_deriv(&cubic, 0.385, 1.3, w), 1e-6, 1e-8));
    el_grad_bump_exact(&k, -0.6, 0.9, g);
    for (int w = 0; w < 2; w++)
        ck_assert(el_close(g[w], expect_deriv(&bump, -0.6, 0.9, w), 1e-6, 1e-8));
}
END_TEST

START_TEST(estimators_per_sample)
{
    el_grad_fn cubic = { el_grad_cubic, el_grad_cubic_df, NULL };
    double p[2], s[2], mu = 0.4, sigma = 1.7, eps = -0.8, z = mu + sigma * eps;
    el_grad_pathwise(&cubic, mu, sigma, eps, p);
    ck_assert(el_close(p[0], 3 * z * z + z, 1e-15, 0));
    ck_assert(el_close(p[1], (3 * z * z + z) * eps, 1e-15, 0));
    el_grad_score(&cubic, mu, sigma, eps, s);
    double f = z * z * z + 0.5 * z * z;
    ck_assert(el_close(s[0], f * eps / sigma, 1e-14, 0));
    ck_assert(el_close(s[1], f * (eps * eps - 1) / sigma, 1e-14, 0));
}
END_TEST

typedef struct {
    double mu, sigma, eps;
    int which;
} kl_args;

static double kl_slice(double x, void *p)
{
    const kl_args *a = p;
    el_kl_tape t;
    return el_kl_sample_forward(a->which ? a->mu : x, a->which ? x : a->sigma, a->eps, &t);
}

START_TEST(kl_backward_is_the_derivative)
{
    static const double pts[][3] = { { 0.6, 1.4, 0.3 }, { -1.1, 0.55, -2.2 }, { 2.0, 3.1, 1.7 } };
    for (int i = 0; i < 3; i++) {
        el_kl_tape t;
        double dmu, dsig;
        double tv = el_kl_sample_forward(pts[i][0], pts[i][1], pts[i][2], &t);
        /* t = log N(z; mu, sigma^2) - log N(z; 0, 1) directly */
        ck_assert(el_close(tv,
                           log(gsl_ran_gaussian_pdf(t.z - pts[i][0], pts[i][1])) -
                               log(gsl_ran_gaussian_pdf(t.z, 1.0)),
                           1e-12, 1e-14));
        el_kl_sample_backward(&t, &dmu, &dsig);
        ck_assert(el_close(dmu, t.z, 1e-14, 1e-15));
        ck_assert(el_close(dsig, -1.0 / pts[i][1] + t.z * pts[i][2], 1e-14, 1e-15));
        for (int w = 0; w < 2; w++) {
            kl_args a = { pts[i][0], pts[i][1], pts[i][2], w };
            gsl_function fn = { kl_slice, &a };
            double d, err;
            gsl_deriv_central(&fn, w ? pts[i][1] : pts[i][0], 1e-3, &d, &err);
            ck_assert(fabs((w ? dsig : dmu) - d) <= err + 1e-9);
        }
    }
}
END_TEST

static const double M[2] = { 0.5, -1.0 }, TAU[2] = { 0.2, 2.0 }, MU0[2] = { 0, 0 },
                    V0[2] = { 1, 1 };

START_TEST(descent_parameterisations)
{
    el_descent_result r;
    double trace[11 * 2];
    ck_assert_int_eq(el_grad_descent(EL_PARAM_VARIANCE, 2, M, TAU, MU0, V0, 0.07, 10, trace, &r),
                     EL_OK);
    ck_assert(r.invalid);
    ck_assert_uint_eq(r.steps, 2);
    /* by hand: v1 = 1 - 0.035 (25 - 1) = 0.16, v2 = 0.16 - 0.035 (25 - 6.25) < 0 */
    ck_assert(el_close(trace[2], 0.16, 1e-14, 0));
    ck_assert(el_close(trace[4], 0.16 - 0.035 * 18.75, 1e-13, 0));
    ck_assert(isnan(trace[6]) && isnan(trace[21]));
    ck_assert(isnan(r.err));
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 2, M, TAU, MU0, V0, 0.07, 3000, NULL, &r),
                     EL_OK);
    ck_assert(!r.invalid && r.err < 1e-10);
    /* a small step keeps sigma^2 positive (it converges in the narrow dimension only) */
    ck_assert_int_eq(el_grad_descent(EL_PARAM_VARIANCE, 2, M, TAU, MU0, V0, 0.005, 3000, NULL, &r),
                     EL_OK);
    ck_assert(!r.invalid && r.steps == 3000);
}
END_TEST

/* ---- Limits ----------------------------------------------------------------- */

START_TEST(ks_bad_input)
{
    double x[3] = { 0.1, NAN, 0.3 }, shift = 0.0;
    el_ks_result r;
    ck_assert_int_eq(el_ks_test(x, 1, uniform_cdf, &shift, &r), EL_EDOM);
    ck_assert_int_eq(el_ks_test(x, 3, uniform_cdf, &shift, &r), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "KS test: value 1 is not finite (nan)");
}
END_TEST

START_TEST(descent_bad_input)
{
    el_descent_result r;
    double bad_tau[2] = { 0.2, -1.0 }, bad_v0[2] = { 1.0, 0.0 };
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 0, M, TAU, MU0, V0, 0.07, 10, NULL, &r),
                     EL_EDOM);
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 2, M, bad_tau, MU0, V0, 0.07, 10, NULL, &r),
                     EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "tau must be > 0, got -1");
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 2, M, TAU, MU0, bad_v0, 0.07, 10, NULL, &r),
                     EL_EDOM);
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 2, M, TAU, MU0, V0, 0.0, 10, NULL, &r),
                     EL_EDOM);
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 2, M, TAU, MU0, V0, NAN, 10, NULL, &r),
                     EL_EDOM);
    /* a huge step: mu and log sigma^2 blow up; reported, not a crash */
    ck_assert_int_eq(el_grad_descent(EL_PARAM_LOGVAR, 2, M, TAU, MU0, V0, 1e6, 50, NULL, &r),
                     EL_OK);
    ck_assert(r.invalid);
}
END_TEST

static Suite *grad_suite(void)
{
    Suite *s = suite_create("grad");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, ks_pvalue_known_quantiles);
    tcase_add_test(core, ks_test_accepts_and_rejects);
    tcase_add_test(core, test_functions_match_quadrature);
    tcase_add_test(core, estimators_per_sample);
    tcase_add_test(core, kl_backward_is_the_derivative);
    tcase_add_test(core, descent_parameterisations);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, ks_bad_input);
    tcase_add_test(lim, descent_bad_input);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(grad_suite)
