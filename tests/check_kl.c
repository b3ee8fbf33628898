/* check_kl.c -- closed-form KL divergences against independent routes:
 * textbook formulas, GSL quadrature, exact sums, precision near zero and
 * invalid parameters. */
#include <check.h>
#include <gsl/gsl_integration.h>
#include <math.h>

#include "check_main.h"
#include "core/el_core.h"
#include "results/kl/el_kl.h"

/* The textbook formula, term by term (an independent route). */
static double textbook_1d(double m1, double s1, double m2, double s2)
{
    return log(s2 / s1) + (s1 * s1 + (m1 - m2) * (m1 - m2)) / (2.0 * s2 * s2) - 0.5;
}

START_TEST(normal_matches_textbook_formula)
{
    static const double p[][4] = { { 0, 1, 1, 2 },
                                   { 0.385, 0.7, -1.21, 1.3 },
                                   { 3, 2.4, -0.5, 1.7 } };
    for (int i = 0; i < 3; i++) {
        double k;
        ck_assert_int_eq(el_kl_normal(p[i][0], p[i][1], p[i][2], p[i][3], &k), EL_OK);
        ck_assert(el_close(k, textbook_1d(p[i][0], p[i][1], p[i][2], p[i][3]), 1e-14, 0));
    }
}
END_TEST

START_TEST(normal_keeps_precision_near_zero)
{
    /* s1 = 1 + h: KL = (r^2 - 1 - log r^2)/2 ~ h^2 for small h; the naive
     * formula loses all digits there, the exprel_2 route must not */
    double h = 1e-7, k;
    ck_assert_int_eq(el_kl_normal(0.0, 1.0 + h, 0.0, 1.0, &k), EL_OK);
    double t = 2.0 * log1p(h); /* log r^2 */
    double series = 0.5 * (t * t / 2.0 + t * t * t / 6.0);
    ck_assert(el_close(k, series, 1e-8, 0));
    ck_assert(k > 0.0);
    ck_assert_int_eq(el_kl_normal(0.5, 2.0, 0.5, 2.0, &k), EL_OK);
    ck_assert(k == 0.0);
}
END_TEST

START_TEST(std_and_equal_var_are_special_cases)
{
    double a, b;
    el_kl_normal_std(0.7, 0.45, &a);
    el_kl_normal(0.7, 0.45, 0.0, 1.0, &b);
    ck_assert(el_close(a, b, 1e-15, 0));
    ck_assert(el_close(a, 0.5 * (0.49 + 0.2025 - 1.0 - log(0.2025)), 1e-14, 0));
    el_kl_equal_var(1.3, -0.4, 0.8, &a);
    el_kl_normal(1.3, 0.8, -0.4, 0.8, &b);
    ck_assert(el_close(a, b, 1e-14, 0));
}
END_TEST

START_TEST(mvn_matches_explicit_inverse_2d)
{
    /* explicit 2x2 inverse and determinants: an independent route */
    double m0[2] = { 0.3, -1.0 }, m1[2] = { 1.0, 0.25 };
    double S0[4] = { 0.4, 0.35, 0.35, 0.5 }, S1[4] = { 3.0, 0.5, 0.5, 1.5 };
    double det0 = S0[0] * S0[3] - S0[1] * S0[2], det1 = S1[0] * S1[3] - S1[1] * S1[2];
    double I1[4] = { S1[3] / det1, -S1[1] / det1, -S1[2] / det1, S1[0] / det1 };
    double tr = I1[0] * S0[0] + I1[1] * S0[2] + I1[2] * S0[1] + I1[3] * S0[3];
    double dm[2] = { m1[0] - m0[0], m1[1] - m0[1] };
    double quad = dm[0] * (I1[0] * dm[0] + I1[1] * dm[1]) + dm[1] * (I1[2] * dm[0] + I1[3] * dm[1]);
    double ref = 0.5 * (tr + quad - 2.0 + log(det1 / det0)), k;
    ck_assert_int_eq(el_kl_mvn(2, m0, S0, m1, S1, &k), EL_OK);
    ck_assert(el_close(k, ref, 1e-13, 0));
}
END_TEST

START_TEST(diag_is_sum_and_matches_mvn)
{
    double m0[3] = { 0.1, -0.4, 2.2 }, s0[3] = { 0.5, 1.3, 2.0 };
    double m1[3] = { 0.0, 0.6, 1.0 }, s1[3] = { 1.1, 0.9, 1.7 };
    double S0[9] = { 0 }, S1[9] = { 0 }, sum = 0.0, k, full;
    for (int i = 0; i < 3; i++) {
        double ki;
        el_kl_normal(m0[i], s0[i], m1[i], s1[i], &ki);
        sum += ki;
        S0[4 * i] = s0[i] * s0[i];
        S1[4 * i] = s1[i] * s1[i];
    }
    ck_assert_int_eq(el_kl_diag(3, m0, s0, m1, s1, &k), EL_OK);
    ck_assert(el_close(k, sum, 1e-15, 0));
    ck_assert_int_eq(el_kl_mvn(3, m0, S0, m1, S1, &full), EL_OK);
    ck_assert(el_close(k, full, 1e-13, 0));
}
END_TEST

START_TEST(discrete_sum_and_support)
{
    double p[3] = { 0.2, 0.3, 0.5 }, q[3] = { 0.4, 0.4, 0.2 }, k;
    ck_assert_int_eq(el_kl_discrete(3, p, q, &k), EL_OK);
    ck_assert(el_close(k, 0.2 * log(0.5) + 0.3 * log(0.75) + 0.5 * log(2.5), 1e-15, 0));
    double p0[3] = { 0.0, 0.5, 0.5 }, q0[3] = { 0.5, 0.5, 0.0 };
    ck_assert_int_eq(el_kl_discrete(3, p0, q, &k), EL_OK); /* 0 log 0 = 0 */
    ck_assert(isfinite(k));
    ck_assert_int_eq(el_kl_discrete(3, p, q0, &k), EL_OK); /* q misses mass of p */
    ck_assert(isinf(k) && k > 0);
}
END_TEST

START_TEST(quad1_definition_and_sign)
{
    el_gauss q = { 0.0, 1.0 }, p = { 1.0, 2.0 };
    el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
    el_quad_result plus, minus;
    double k;
    el_kl_normal(0.0, 1.0, 1.0, 2.0, &k);
    ck_assert_int_eq(el_kl_quad1(&dq, &dp, 1.0, &plus), EL_OK);
    ck_assert_int_eq(el_kl_quad1(&dq, &dp, -1.0, &minus), EL_OK);
    ck_assert(el_agrees_quad(k, &plus));
    ck_assert(!el_agrees_quad(k, &minus));
    ck_assert(plus.abserr < 1e-9);
}
END_TEST

/* log-uniform on [lo, hi] */
static double log_uniform(const gsl_rng *r, double lo, double hi)
{
    return exp(log(lo) + gsl_rng_uniform(r) * (log(hi) - log(lo)));
}

/* Means up to 1e3 apart and sigma from 1e-4 to 1e4: quadrature in q's own
 * coordinate finds the mass, and its error bar covers the closed form (with
 * only the closed form's rounding, 1e-13 relative, beside it). */
START_TEST(quad1_extreme_parameters)
{
    gsl_rng *r = el_rng_alloc(12);
    for (int i = 0; i < 150; i++) {
        double m1 = 2e3 * gsl_rng_uniform(r) - 1e3, m2 = 2e3 * gsl_rng_uniform(r) - 1e3;
        double s1 = log_uniform(r, 1e-4, 1e4), s2 = log_uniform(r, 1e-4, 1e4), k;
        if (i == 0) { /* issue 12's example */
            m1 = 1000.0, s1 = 1.0, m2 = 0.0, s2 = 1.0;
        }
        el_gauss q = { m1, s1 }, p = { m2, s2 };
        el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
        el_quad_result res;
        ck_assert_int_eq(el_kl_normal(m1, s1, m2, s2, &k), EL_OK);
        ck_assert_int_eq(el_kl_quad1(&dq, &dp, 1.0, &res), EL_OK);
        ck_assert(isfinite(res.abserr) && res.abserr >= 0.0);
        ck_assert_msg(fabs(res.value - k) <= res.abserr + 1e-13 * fmax(1.0, fabs(k)),
                      "KL(N(%g,%g)||N(%g,%g)) = %.17g, quadrature %.17g +- %g", m1, s1, m2, s2, k,
                      res.value, res.abserr);
    }
    el_rng_free(r);
}
END_TEST

/* A mixture with a narrow component 2000 away from a wider one: every bump
 * is found.  With the components this far apart, KL(p||q) = sum_k w_k (log
 * w_k + KL(N_k||q)) to double precision. */
START_TEST(quad1_mixture_far_apart)
{
    double w[2] = { 0.3, 0.7 }, m[2] = { -1000.0, 1000.0 }, s[2] = { 1e-4, 1e-2 };
    int st;
    el_mix *p = el_mix_alloc(2, w, m, s, &st);
    ck_assert_ptr_nonnull(p);
    el_gauss q = { 0.0, 800.0 };
    el_density1 dp = el_mix_density(p), dq = el_gauss_density(&q);
    double want = 0.0, k;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(el_kl_normal(m[i], s[i], 0.0, 800.0, &k), EL_OK);
        want += w[i] * (log(w[i]) + k);
    }
    el_quad_result res;
    ck_assert_int_eq(el_kl_quad1(&dp, &dq, 1.0, &res), EL_OK);
    ck_assert_msg(fabs(res.value - want) <= res.abserr + 1e-13 * fabs(want),
                  "want %.17g, quadrature %.17g +- %g", want, res.value, res.abserr);
    el_mix_free(p);
}
END_TEST

/* A narrow bump of p inside q's mass is a narrow bump of log p: p's sites
 * are breakpoints too.  Reference: mpmath, 30 digits. */
START_TEST(quad1_narrow_bump_of_p)
{
    double w[2] = { 0.5, 0.5 }, m[2] = { 0.0, 30.0 }, s[2] = { 100.0, 0.01 };
    int st;
    el_mix *p = el_mix_alloc(2, w, m, s, &st);
    ck_assert_ptr_nonnull(p);
    el_gauss q = { 0.0, 100.0 };
    el_density1 dp = el_mix_density(p), dq = el_gauss_density(&q);
    el_quad_result res;
    ck_assert_int_eq(el_kl_quad1(&dq, &dp, 1.0, &res), EL_OK);
    ck_assert_msg(fabs(res.value - 0.691092752137092) <= res.abserr + 1e-14,
                  "quadrature %.17g +- %g", res.value, res.abserr);
    el_mix_free(p);
}
END_TEST

/* KL(q||p) with p's narrow component where q has a little mass: plain draws
 * from q usually miss it and their standard error is too small (seed 7, 4000
 * draws: 9 se off); defensive draws from (q + p)/2 keep the 5 se rule. */
START_TEST(mc1_defensive_sees_rare_bumps)
{
    double w[2] = { 0.42220975905012897, 0.57779024094987108 };
    double m[2] = { 256.71664159744978, 437.18494102358818 };
    double s[2] = { 0.037362722859614839, 57.634008086046983 };
    int st;
    el_mix *p = el_mix_alloc(2, w, m, s, &st);
    ck_assert_ptr_nonnull(p);
    el_gauss q = { 437.157607877, 57.6724116167 };
    el_density1 dp = el_mix_density(p), dq = el_gauss_density(&q);
    el_quad_result k;
    ck_assert_int_eq(el_kl_quad1(&dq, &dp, 1.0, &k), EL_OK);
    for (unsigned long seed = 1; seed <= 20; seed++) {
        gsl_rng *r = el_rng_alloc(seed);
        el_estimate e;
        ck_assert_int_eq(el_kl_mc1_defensive(&dq, &dp, 4000, r, &e), EL_OK);
        ck_assert_msg(el_agrees_mc(k.value, &e), "seed %lu: %.17g +- %g vs %.17g", seed, e.value,
                      e.se, k.value);
        el_rng_free(r);
    }
    el_mix_free(p);
}
END_TEST

/* q and a component of p equal up to rounding put two breakpoints 1e-10
 * apart; the sliver between them must not fail the integrator.  With the
 * other component 150 sd away, KL(q||p) = -log w_1 + KL(q||N_1). */
START_TEST(quad1_shared_component)
{
    double w[2] = { 0.57070048159959919, 0.42929951840040087 };
    double m[2] = { -173.78390394151211, 468.93921587616205 };
    double s[2] = { 4.3130689775696833, 0.016647863559133655 };
    int st;
    el_mix *p = el_mix_alloc(2, w, m, s, &st);
    ck_assert_ptr_nonnull(p);
    el_gauss q = { -173.783903942, 4.31306897757 };
    el_density1 dp = el_mix_density(p), dq = el_gauss_density(&q);
    double k1;
    ck_assert_int_eq(el_kl_normal(q.mu, q.sigma, m[0], s[0], &k1), EL_OK);
    el_quad_result res;
    ck_assert_int_eq(el_kl_quad1(&dq, &dp, 1.0, &res), EL_OK);
    ck_assert(el_agrees_quad(-log(w[0]) + k1, &res));
    el_mix_free(p);
}
END_TEST

START_TEST(invalid_parameters)
{
    double k, mu[2] = { 0, 0 }, good[4] = { 1, 0, 0, 1 }, notpd[4] = { 1, 2, 2, 1 };
    ck_assert_int_eq(el_kl_normal(0.0, -1.0, 1.0, 2.0, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "sigma1 must be > 0, got -1");
    ck_assert_int_eq(el_kl_normal(NAN, 1.0, 1.0, 2.0, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "mu1 must be finite, got nan");
    ck_assert_int_eq(el_kl_normal(0.0, 1.0, 1.0, 0.0, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "sigma2 must be > 0, got 0");
    ck_assert_int_eq(el_kl_normal_std(0.0, INFINITY, &k), EL_EDOM);
    ck_assert_int_eq(el_kl_equal_var(0.0, 1.0, -2.0, &k), EL_EDOM);
    ck_assert_int_eq(el_kl_mvn(2, mu, good, mu, notpd, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "Sigma1 is not positive definite");
    ck_assert_int_eq(el_kl_mvn(2, mu, notpd, mu, good, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "Sigma0 is not positive definite");
    double s0[2] = { 1.0, -0.5 }, s1[2] = { 1.0, 1.0 };
    ck_assert_int_eq(el_kl_diag(2, mu, s0, mu, s1, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "dimension 1: sigma1 must be > 0, got -0.5");
    ck_assert_int_eq(el_kl_diag(0, mu, s0, mu, s1, &k), EL_EDOM);
    double p[2] = { 0.5, 0.6 }, q[2] = { 0.5, 0.5 };
    ck_assert_int_eq(el_kl_discrete(2, p, q, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "p must sum to 1, got 1.1000000000000001");
}
END_TEST

static Suite *kl_suite(void)
{
    Suite *s = suite_create("kl");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, normal_matches_textbook_formula);
    tcase_add_test(core, normal_keeps_precision_near_zero);
    tcase_add_test(core, std_and_equal_var_are_special_cases);
    tcase_add_test(core, mvn_matches_explicit_inverse_2d);
    tcase_add_test(core, diag_is_sum_and_matches_mvn);
    tcase_add_test(core, discrete_sum_and_support);
    tcase_add_test(core, quad1_definition_and_sign);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, invalid_parameters);
    tcase_add_test(lim, quad1_extreme_parameters);
    tcase_add_test(lim, quad1_mixture_far_apart);
    tcase_add_test(lim, quad1_narrow_bump_of_p);
    tcase_add_test(lim, mc1_defensive_sees_rare_bumps);
    tcase_add_test(lim, quad1_shared_component);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(kl_suite)
