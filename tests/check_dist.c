/* check_dist.c -- distributions: densities, sampling, invalid parameters. */
#include <check.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "core/el_core.h"
#include "dist/el_dist.h"
#include "num/el_num.h"

START_TEST(gauss_logpdf_matches_gsl)
{
    el_gauss g;
    ck_assert_int_eq(el_gauss_init(&g, 0.385, 1.7), EL_OK);
    for (double x = -4.0; x <= 4.0; x += 0.37)
        ck_assert(el_close(el_gauss_pdf(&g, x), gsl_ran_gaussian_pdf(x - 0.385, 1.7), 1e-14, 0));
}
END_TEST

START_TEST(gauss_invalid)
{
    el_gauss g;
    ck_assert_int_eq(el_gauss_init(&g, 0.0, -1.0), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "sigma must be > 0, got -1");
    ck_assert_int_eq(el_gauss_init(&g, NAN, 1.0), EL_EDOM);
    ck_assert_int_eq(el_gauss_init(&g, 0.0, 0.0), EL_EDOM);
    ck_assert_int_eq(el_gauss_init(&g, 0.0, INFINITY), EL_EDOM);
}
END_TEST

START_TEST(mvn_logpdf_matches_gsl)
{
    double mu[2] = { 0.3, -1.1 }, S[4] = { 2.0, 0.3, 0.3, 1.0 }, x[2] = { 1.25, 0.4 };
    int s;
    el_mvn *g = el_mvn_alloc(2, mu, S, "S", &s);
    ck_assert_ptr_nonnull(g);
    gsl_vector_const_view xv = gsl_vector_const_view_array(x, 2);
    gsl_vector_const_view mv = gsl_vector_const_view_array(mu, 2);
    gsl_matrix *L = gsl_matrix_alloc(2, 2);
    gsl_matrix_memcpy(L, g->L);
    gsl_vector *w = gsl_vector_alloc(2);
    double ref;
    ck_assert_int_eq(gsl_ran_multivariate_gaussian_log_pdf(&xv.vector, &mv.vector, L, &ref, w), 0);
    ck_assert(el_close(el_mvn_logpdf(g, x), ref, 1e-14, 0));
    gsl_matrix_free(L);
    gsl_vector_free(w);
    el_mvn_free(g);
}
END_TEST

START_TEST(mvn_invalid)
{
    double mu[2] = { 0, 0 };
    double notpd[4] = { 1.0, 2.0, 2.0, 1.0 }, asym[4] = { 1.0, 0.2, 0.3, 1.0 };
    int s;
    ck_assert_ptr_null(el_mvn_alloc(2, mu, notpd, "Sigma0", &s));
    ck_assert_int_eq(s, EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "Sigma0 is not positive definite");
    ck_assert_ptr_null(el_mvn_alloc(2, mu, asym, "Sigma1", &s));
    ck_assert_int_eq(s, EL_EDOM);
    double nanS[4] = { 1.0, NAN, NAN, 1.0 };
    ck_assert_ptr_null(el_mvn_alloc(2, mu, nanS, NULL, &s));
    ck_assert_ptr_null(el_mvn_alloc(0, mu, nanS, NULL, &s));
    el_mvn_free(NULL);
}
END_TEST

START_TEST(mvn_sample_covariance)
{
    double mu[2] = { 1.0, -2.0 }, S[4] = { 2.0, 0.6, 0.6, 1.0 }, x[2];
    int s;
    el_mvn *g = el_mvn_alloc(2, mu, S, "S", &s);
    gsl_rng *r = el_rng_alloc(11);
    const size_t n = 200000;
    double sxy = 0.0, sx = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++) {
        el_mvn_sample(g, r, x);
        sx += x[0];
        sy += x[1];
        sxy += (x[0] - 1.0) * (x[1] + 2.0);
    }
    /* cov 0.6; sd of the product ~ sqrt(2*1 + 0.36) / sqrt(n) ~ 0.0034 */
    ck_assert(fabs(sxy / n - 0.6) < 5 * sqrt(2.36 / n));
    ck_assert(fabs(sx / n - 1.0) < 5 * sqrt(2.0 / n));
    ck_assert(fabs(sy / n + 2.0) < 5 * sqrt(1.0 / n));
    el_rng_free(r);
    el_mvn_free(g);
}
END_TEST

START_TEST(mixture_moments_and_density)
{
    double w[2] = { 1.0 / 3.0, 2.0 / 3.0 }, m[2] = { -1.0, 1.0 }, s[2] = { 1.0, 1.0 };
    int st;
    el_mix *mx = el_mix_alloc(2, w, m, s, &st);
    ck_assert_ptr_nonnull(mx);
    ck_assert(el_close(el_mix_mean(mx), 1.0 / 3.0, 1e-15, 0));
    ck_assert(el_close(el_mix_var(mx), 17.0 / 9.0, 1e-15, 0));
    double x = 0.4;
    double ref =
        w[0] * gsl_ran_gaussian_pdf(x + 1.0, 1.0) + w[1] * gsl_ran_gaussian_pdf(x - 1.0, 1.0);
    ck_assert(el_close(el_mix_pdf(mx, x), ref, 1e-14, 0));
    /* far tail: log-sum-exp keeps the log-density finite */
    ck_assert(isfinite(el_mix_logpdf(mx, 80.0)));
    el_mix_free(mx);
}
END_TEST

START_TEST(mixture_invalid)
{
    double w[2] = { 0.5, 0.6 }, m[2] = { 0, 1 }, s[2] = { 1, 1 };
    int st;
    ck_assert_ptr_null(el_mix_alloc(2, w, m, s, &st));
    ck_assert_int_eq(st, EL_EDOM);
    w[1] = 0.5;
    s[1] = -2.0;
    ck_assert_ptr_null(el_mix_alloc(2, w, m, s, &st));
    ck_assert_str_eq(el_errmsg(), "s[1] must be > 0, got -2");
    el_mix_free(NULL);
}
END_TEST

START_TEST(discrete_validate)
{
    double ok[3] = { 0.2, 0.3, 0.5 }, bad[3] = { 0.2, 0.3, 0.4 }, neg[2] = { 1.5, -0.5 };
    ck_assert_int_eq(el_discrete_validate("p", 3, ok), EL_OK);
    ck_assert_int_eq(el_discrete_validate("p", 3, bad), EL_EDOM);
    ck_assert_int_eq(el_discrete_validate("q", 2, neg), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "q[1] must be a probability >= 0, got -0.5");
    ck_assert_int_eq(el_discrete_validate("p", 0, ok), EL_EDOM);
    gsl_rng *r = el_rng_alloc(5);
    double p[7];
    ck_assert_int_eq(el_dirichlet_sample(r, 7, 0.8, p), EL_OK);
    ck_assert_int_eq(el_discrete_validate("p", 7, p), EL_OK);
    el_rng_free(r);
}
END_TEST

START_TEST(diag_matches_sum_of_1d)
{
    double mu[3] = { 0.1, -0.4, 2.2 }, sg[3] = { 0.5, 1.3, 2.0 }, x[3] = { 0.3, 0.3, 0.3 };
    int s;
    el_diag *g = el_diag_alloc(3, mu, sg, &s);
    double ref = 0.0;
    for (int i = 0; i < 3; i++)
        ref += log(gsl_ran_gaussian_pdf(x[i] - mu[i], sg[i]));
    ck_assert(el_close(el_diag_logpdf(g, x), ref, 1e-14, 0));
    el_diag_free(g);
    sg[1] = 0.0;
    ck_assert_ptr_null(el_diag_alloc(3, mu, sg, &s));
    ck_assert_str_eq(el_errmsg(), "sigma[1] must be > 0, got 0");
}
END_TEST

static Suite *dist_suite(void)
{
    Suite *s = suite_create("dist");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, gauss_logpdf_matches_gsl);
    tcase_add_test(core, mvn_logpdf_matches_gsl);
    tcase_add_test(core, mvn_sample_covariance);
    tcase_add_test(core, mixture_moments_and_density);
    tcase_add_test(core, diag_matches_sum_of_1d);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, gauss_invalid);
    tcase_add_test(lim, mvn_invalid);
    tcase_add_test(lim, mixture_invalid);
    tcase_add_test(lim, discrete_validate);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(dist_suite)
