/* check_elbo.c -- the exact models of the elbo group against independent
 * routes: Bayes' rule, quadrature written here with GSL directly, and the
 * scalar model against the general linear-Gaussian code. */
#include <check.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "eval/el_eval.h"
#include "results/elbo/el_elbo.h"
#include "results/kl/el_kl.h"
#include "topics/el_topics.h"

/* ---- fixtures ---------------------------------------------------------------- */

static const double A3[6] = { 0.85, -0.4, 0.3, 1.15, -0.6, 0.25 };
static const double b3[3] = { 0.2, -0.35, 0.5 };
static const double Psi3[9] = { 0.5, 0.1, 0.0, 0.1, 0.4, -0.05, 0.0, -0.05, 0.6 };
static const double x3[3] = { 1.3, -0.8, 0.45 };

static el_lgm *model3(void)
{
    int s;
    el_lgm *m = el_lgm_alloc(2, 3, A3, b3, Psi3, &s);
    ck_assert_msg(m != NULL, "%s", el_errmsg());
    return m;
}

/* Runs evaluator NAME on ARGV into RES; returns its status. */
static int run_eval(const char *name, int argc, char **argv, size_t samples, el_eval_result *res)
{
    const el_eval *e = el_topics_eval_find(name);
    ck_assert_ptr_nonnull(e);
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, argc, argv), EL_OK);
    el_eval_opts o = { 7, samples };
    int s = el_eval_run(e, &p, &o, res);
    el_params_free(&p);
    return s;
}

static double extra(const el_eval_result *r, const char *key)
{
    json_t *v = json_object_get(r->extra, key);
    ck_assert_msg(v != NULL, "extra field %s missing", key);
    return json_number_value(v);
}

/* ---- Core: the linear-Gaussian model ----------------------------------------- */

/* p(z|x) = p(x|z) p(z) / p(x) at several z: the posterior and the evidence
 * must satisfy Bayes' rule pointwise. */
START_TEST(lgm_posterior_is_bayes_rule)
{
    el_lgm *m = model3();
    double mu[2], S[4];
    el_lgm_posterior(m, x3, mu, S);
    double lp = el_lgm_log_evidence(m, x3);
    int s;
    el_mvn *post = el_mvn_alloc(2, mu, S, "posterior", &s);
    ck_assert_ptr_nonnull(post);
    static const double zs[4][2] = { { 0.0, 0.0 }, { 1.3, -0.7 }, { -2.1, 0.45 }, { 0.385, 1.9 } };
    for (int i = 0; i < 4; i++) {
        double lhs = el_mvn_logpdf(post, zs[i]);
        double rhs = el_lgm_log_joint(m, x3, zs[i]) - lp;
        ck_assert_msg(el_close(lhs, rhs, 1e-12, 1e-12), "z #%d: %.17g vs %.17g", i, lhs, rhs);
    }
    el_mvn_free(post);
    el_lgm_free(m);
}
END_TEST

/* The two written forms of the ELBO and the decomposition, at several q. */
START_TEST(lgm_elbo_forms_and_decomposition)
{
    el_lgm *m = model3();
    double pmu[2], pS[4], lp = el_lgm_log_evidence(m, x3);
    el_lgm_posterior(m, x3, pmu, pS);
    static const double qm[3][2] = { { 0.2, -0.4 }, { 1.5, 0.3 }, { -0.8, 1.1 } };
    static const double qS[3][4] = { { 0.3, 0.05, 0.05, 0.2 },
                                     { 1.0, -0.4, -0.4, 0.9 },
                                     { 0.05, 0.0, 0.0, 2.5 } };
    for (int i = 0; i < 3; i++) {
        el_elbo_terms e;
        double kl;
        ck_assert_int_eq(el_lgm_elbo(m, x3, qm[i], qS[i], &e), EL_OK);
        ck_assert_int_eq(el_kl_mvn(2, qm[i], qS[i], pmu, pS, &kl), EL_OK);
        ck_assert(el_close(e.elbo, e.elbo_joint, 1e-12, 1e-12));
        ck_assert(el_close(e.elbo + kl, lp, 1e-12, 1e-12));
        ck_assert(e.elbo < lp);
    }
    el_elbo_terms e;
    ck_assert_int_eq(el_lgm_elbo(m, x3, pmu, pS, &e), EL_OK);
    ck_assert(fabs(e.elbo - lp) < 1e-12);
    el_lgm_free(m);
}
END_TEST

/* k = d = 1: the general model and the scalar closed forms are two codes. */
START_TEST(lgm_scalar_case_matches_lg1)
{
    el_lg1 s1 = { 1.7, 1.3, -0.2, 0.6 };
    double A = s1.a, b = s1.b, Psi = s1.noise * s1.noise, mu, S, pm, ps;
    int st;
    el_lgm *m = el_lgm_alloc(1, 1, &A, &b, &Psi, &st);
    ck_assert_ptr_nonnull(m);
    ck_assert(el_close(el_lgm_log_evidence(m, &s1.x), el_lg1_log_evidence(&s1), 1e-13, 1e-13));
    el_lgm_posterior(m, &s1.x, &mu, &S);
    el_lg1_posterior(&s1, &pm, &ps);
    ck_assert(el_close(mu, pm, 1e-13, 1e-13) && el_close(S, ps * ps, 1e-13, 1e-13));
    double qm = 0.8, qv = 0.49;
    el_elbo_terms e1, e2;
    ck_assert_int_eq(el_lgm_elbo(m, &s1.x, &qm, &qv, &e1), EL_OK);
    ck_assert_int_eq(el_lg1_elbo(&s1, qm, 0.7, &e2), EL_OK);
    ck_assert(el_close(e1.elbo, e2.elbo, 1e-13, 1e-13));
    ck_assert(el_close(e1.entropy, e2.entropy, 1e-13, 1e-13));
    el_lgm_free(m);
}
END_TEST

/* ---- Core: the scalar model and the evaluators ------------------------------ */

typedef struct {
    double x, a, b, noise, qm, qs;
} raw;

/* log N(v; 0, s^2) written out (GSL's pdf would underflow before the log). */
static double log_normal0(double v, double s)
{
    return -0.5 * log(2.0 * M_PI) - log(s) - 0.5 * (v / s) * (v / s);
}

/* q(z) [log p(x|z) + log p(z) - log q(z)] in the original variable z: a
 * route independent of el_lg1. */
static double raw_integrand(double z, void *p)
{
    const raw *r = p;
    double q = gsl_ran_gaussian_pdf(z - r->qm, r->qs);
    if (q == 0.0)
        return 0.0;
    return q * (log_normal0(r->x - r->a * z - r->b, r->noise) + log_normal0(z, 1.0) -
                log_normal0(z - r->qm, r->qs));
}

static double raw_quadrature(raw *r)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function F = { raw_integrand, r };
    double v, err;
    el_gsl_init();
    /* q's mass lies within 12 sd of its mean */
    int s = gsl_integration_qag(&F, r->qm - 12 * r->qs, r->qm + 12 * r->qs, 0.0, 1e-11, 1000,
                                GSL_INTEG_GAUSS61, w, &v, &err);
    gsl_integration_workspace_free(w);
    ck_assert_msg(s == 0 || s == GSL_EROUND, "qag status %d", s);
    ck_assert(err < 1e-11 * fabs(v) + 1e-12);
    return v;
}

START_TEST(elbo_gauss_matches_independent_quadrature)
{
    char *argv[] = { "x=1.7", "a=1.3", "b=-0.2", "noise=0.6", "q_mu=0.8", "q_sigma=0.7" };
    el_eval_result r;
    ck_assert_int_eq(run_eval("elbo.gauss", 6, argv, 100000, &r), EL_OK);
    raw q = { 1.7, 1.3, -0.2, 0.6, 0.8, 0.7 };
    ck_assert(r.has_closed && r.has_quad && r.has_mc);
    ck_assert_msg(el_close(r.closed, raw_quadrature(&q), 1e-10, 1e-10), "%.17g", r.closed);
    ck_assert(el_agrees_quad(r.closed, &r.quad));
    ck_assert(el_agrees_mc(r.closed, &r.mc));
    ck_assert(
        el_close(extra(&r, "log_evidence") - extra(&r, "kl_to_posterior"), r.closed, 1e-12, 1e-12));
    el_eval_result_free(&r);
}
END_TEST

START_TEST(elbo_gauss_far_narrow_q)
{
    char *argv[] = { "x=-3", "a=2.5", "b=1", "noise=0.05", "q_mu=-4.2", "q_sigma=1e-3" };
    el_eval_result r;
    ck_assert_int_eq(run_eval("elbo.gauss", 6, argv, 20000, &r), EL_OK);
    raw q = { -3, 2.5, 1, 0.05, -4.2, 1e-3 };
    ck_assert_msg(el_close(r.closed, raw_quadrature(&q), 1e-10, 1e-10), "%.17g", r.closed);
    ck_assert(el_agrees_quad(r.closed, &r.quad));
    el_eval_result_free(&r);
}
END_TEST

/* p(x|z) p(z) with GSL's densities. */
static double evidence_integrand(double z, void *p)
{
    const el_lg1 *m = p;
    return gsl_ran_gaussian_pdf(m->x - m->a * z - m->b, m->noise) * gsl_ran_ugaussian_pdf(z);
}

START_TEST(log_evidence_by_quadrature)
{
    el_lg1 m = { 0.35, -0.9, 0.4, 0.75 };
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function F = { evidence_integrand, &m };
    double v, err;
    el_gsl_init();
    ck_assert_int_eq(gsl_integration_qagi(&F, 0.0, 1e-13, 1000, w, &v, &err), 0);
    gsl_integration_workspace_free(w);
    ck_assert(el_close(log(v), el_lg1_log_evidence(&m), 1e-11, 0));
}
END_TEST

typedef struct {
    double m, s, qm, qs;
} chi_ctx;

static double chi_integrand(double z, void *p)
{
    const chi_ctx *c = p;
    double pz = gsl_ran_gaussian_pdf(z - c->m, c->s);
    return pz == 0.0 ? 0.0 : pz * pz / gsl_ran_gaussian_pdf(z - c->qm, c->qs);
}

START_TEST(chi2_matches_quadrature)
{
    el_lg1 m = { 1.7, 1.3, -0.2, 0.6 };
    chi_ctx c = { 0, 0, 0.8, 0.7 };
    el_lg1_posterior(&m, &c.m, &c.s);
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function F = { chi_integrand, &c };
    double v, err;
    el_gsl_init();
    ck_assert_int_eq(
        gsl_integration_qags(&F, c.m - 20 * c.s, c.m + 20 * c.s, 0.0, 1e-12, 1000, w, &v, &err), 0);
    gsl_integration_workspace_free(w);
    ck_assert(el_close(el_lg1_chi2(&m, 0.8, 0.7), v - 1.0, 1e-10, 1e-12));
    ck_assert(isinf(el_lg1_chi2(&m, 0.8, 0.2))); /* q_sigma^2 < s^2/2: infinite variance */
}
END_TEST

START_TEST(iwae_bound_basics)
{
    double one[1] = { -2.5 }, same[4] = { 0.3, 0.3, 0.3, 0.3 }, two[2] = { 0.0, log(3.0) };
    ck_assert(el_iwae_bound(one, 1) == -2.5);
    ck_assert(el_close(el_iwae_bound(same, 4), 0.3, 1e-15, 0));
    ck_assert(el_close(el_iwae_bound(two, 2), log(2.0), 1e-15, 0));
    double big[3] = { 1000.0, 1000.0, -1e300 }; /* no overflow */
    ck_assert(el_close(el_iwae_bound(big, 3), 1000.0 + log(2.0 / 3.0), 1e-15, 0));
}
END_TEST

START_TEST(iwae_gauss_eval)
{
    char *k1[] = { "x=1.7", "a=1.3", "b=-0.2", "noise=0.6", "q_mu=0.8", "q_sigma=0.7", "k=1" };
    char *k50[] = { "x=1.7", "a=1.3", "b=-0.2", "noise=0.6", "q_mu=0.8", "q_sigma=0.7", "k=50" };
    el_eval_result r1, r50;
    ck_assert_int_eq(run_eval("iwae.gauss", 7, k1, 50000, &r1), EL_OK);
    ck_assert_int_eq(run_eval("iwae.gauss", 7, k50, 2000, &r50), EL_OK);
    ck_assert(r1.has_closed && !r50.has_closed && !r1.has_quad);
    ck_assert(r1.closed == extra(&r1, "elbo"));
    ck_assert(el_agrees_mc(r1.closed, &r1.mc));
    ck_assert(json_is_integer(json_object_get(r50.extra, "k")));
    double lp = extra(&r50, "log_evidence");
    ck_assert(r50.mc.value > r1.mc.value + 10 * hypot(r1.mc.se, r50.mc.se));
    ck_assert(r50.mc.value <= lp + 5 * r50.mc.se);
    ck_assert_uint_eq(r50.mc.n, 2000);
    el_eval_result_free(&r1);
    el_eval_result_free(&r50);
}
END_TEST

/* ---- Core: the discrete model and the optimal posterior ------------------- */

static const double pi5[5] = { 0.1, 0.25, 0.3, 0.15, 0.2 };
static const double l5[5] = { -2.3, -0.4, -1.1, -3.7, -0.2 };

START_TEST(dlm_posterior_and_jensen)
{
    double post[5], lp, lhs, sum = 0.0, joint = 0.0;
    ck_assert_int_eq(el_dlm_log_evidence(5, pi5, l5, &lp), EL_OK);
    ck_assert_int_eq(el_dlm_posterior(5, pi5, l5, post), EL_OK);
    for (int z = 0; z < 5; z++) {
        sum += post[z];
        joint += pi5[z] * exp(l5[z]);
    }
    ck_assert(el_close(sum, 1.0, 1e-15, 0));
    ck_assert(el_close(lp, log(joint), 1e-15, 0));
    double q[5] = { 0.3, 0.1, 0.2, 0.25, 0.15 };
    ck_assert_int_eq(el_dlm_jensen_lhs(5, pi5, l5, q, &lhs), EL_OK);
    ck_assert(el_close(lhs, lp, 1e-14, 0));
    el_elbo_terms e;
    double kl;
    ck_assert_int_eq(el_dlm_elbo(5, pi5, l5, q, &e), EL_OK);
    ck_assert_int_eq(el_kl_discrete(5, q, post, &kl), EL_OK);
    ck_assert(el_close(e.elbo, e.elbo_joint, 1e-14, 0));
    ck_assert(el_close(lp - e.elbo, kl, 1e-13, 1e-14));
}
END_TEST

START_TEST(optimal_posterior_maximiser)
{
    double post[5], q[5], fmax, lp, theta0[4] = { 4.0, -3.0, 2.5, -1.0 };
    ck_assert_int_eq(el_dlm_posterior(5, pi5, l5, post), EL_OK);
    ck_assert_int_eq(el_dlm_log_evidence(5, pi5, l5, &lp), EL_OK);
    ck_assert_int_eq(el_dlm_maximise(5, pi5, l5, theta0, q, &fmax), EL_OK);
    for (int z = 0; z < 5; z++)
        ck_assert_msg(fabs(q[z] - post[z]) < 1e-6, "z = %d: %.10g vs %.10g", z, q[z], post[z]);
    ck_assert(el_close(fmax, lp, 1e-12, 1e-12));
    /* any other point of the simplex is worse */
    el_elbo_terms e;
    ck_assert_int_eq(el_dlm_elbo(5, pi5, l5, pi5, &e), EL_OK);
    ck_assert(e.elbo < fmax - 0.1);
}
END_TEST

/* ---- Limits ------------------------------------------------------------------ */

/* Starts whose softmax saturates (q_z ~ e^-20): the theta gradient carries a
 * factor q_z and vanishes long before q is right.  Seed 43's third start
 * ended at F = -1.720 with log p(x) = -1.271 before the maximiser measured
 * stationarity on the simplex. */
START_TEST(optimal_posterior_from_saturated_starts)
{
    double post[5], q[5], fmax, lp;
    double starts[3][4] = { { 12.0, -9.0, 7.5, -11.0 },
                            { -20.0, -20.0, -20.0, -20.0 },
                            { 0.0, 25.0, -3.0, 8.0 } };
    ck_assert_int_eq(el_dlm_posterior(5, pi5, l5, post), EL_OK);
    ck_assert_int_eq(el_dlm_log_evidence(5, pi5, l5, &lp), EL_OK);
    gsl_rng *r = el_rng_alloc(43);
    for (int i = 0; i < 203; i++) {
        double th[4];
        for (int j = 0; j < 4; j++) /* 200 random starts as the check draws them, and wider */
            th[j] = i < 3 ? starts[i][j] : gsl_ran_gaussian(r, i < 103 ? 3.0 : 8.0);
        ck_assert_int_eq(el_dlm_maximise(5, pi5, l5, th, q, &fmax), EL_OK);
        for (int z = 0; z < 5; z++)
            ck_assert_msg(fabs(q[z] - post[z]) < 1e-9, "start %d, z = %d: %.10g vs %.10g", i, z,
                          q[z], post[z]);
        ck_assert(el_close(fmax, lp, 1e-12, 1e-12));
    }
    el_rng_free(r);
}
END_TEST

START_TEST(lgm_bad_inputs)
{
    int s;
    double Psi_bad[9] = { 0.5, 0.1, 0.0, 0.1, -0.4, 0.0, 0.0, 0.0, 0.6 };
    ck_assert_ptr_null(el_lgm_alloc(2, 3, A3, b3, Psi_bad, &s));
    ck_assert_int_eq(s, EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "Psi is not positive definite");
    double A_nan[6] = { 0.85, -0.4, NAN, 1.15, -0.6, 0.25 };
    ck_assert_ptr_null(el_lgm_alloc(2, 3, A_nan, b3, Psi3, &s));
    ck_assert_str_eq(el_errmsg(), "A[1][0] must be finite, got nan");
    ck_assert_ptr_null(el_lgm_alloc(0, 3, A3, b3, Psi3, &s));
    ck_assert_int_eq(s, EL_EDOM);
    el_lgm_free(NULL);
    el_lgm *m = model3();
    el_elbo_terms e;
    double qm[2] = { 0, 0 }, qS[4] = { 1.0, 2.0, 2.0, 1.0 };
    ck_assert_int_eq(el_lgm_elbo(m, x3, qm, qS, &e), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "q covariance is not positive definite");
    el_lgm_free(m);
}
END_TEST

START_TEST(lg1_bad_inputs)
{
    el_elbo_terms e;
    el_lg1 m = { 1.0, 1.0, 0.0, 0.0 };
    ck_assert_int_eq(el_lg1_elbo(&m, 0.0, 1.0, &e), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "noise must be > 0, got 0");
    m.noise = 1.0;
    ck_assert_int_eq(el_lg1_elbo(&m, 0.0, -2.0, &e), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "q_sigma must be > 0, got -2");
    ck_assert_int_eq(el_lg1_elbo(&m, INFINITY, 1.0, &e), EL_EDOM);
    m.a = NAN;
    ck_assert_int_eq(el_lg1_validate(&m, 0.0, 1.0), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "a must be finite, got nan");
    m.a = 1.0;
    gsl_rng *r = el_rng_alloc(1);
    el_estimate est;
    ck_assert_int_eq(el_lg1_iwae_mc(&m, 0.0, 1.0, 0, 10, r, &est), EL_EDOM);
    ck_assert_int_eq(el_lg1_iwae_mc(&m, 0.0, 1.0, 5, 1, r, &est), EL_EDOM);
    el_rng_free(r);
}
END_TEST

START_TEST(eval_bad_inputs)
{
    static const char *ks[] = { "k=0", "k=2.5", "k=2000001", "k=-3", "k=nan", "k=[1,2]" };
    for (int i = 0; i < 6; i++) {
        char *argv[] = { "x=1", "a=1", "b=0", "noise=1", "q_mu=0", "q_sigma=1", (char *)ks[i] };
        el_eval_result r;
        int s = run_eval("iwae.gauss", 7, argv, 100, &r);
        ck_assert_msg(s == EL_EDOM, "%s accepted", ks[i]);
        if (i < 5)
            ck_assert_ptr_nonnull(strstr(el_errmsg(), "k must be a whole number in 1..1000000"));
        el_eval_result_free(&r);
    }
    char *neg[] = { "x=1", "a=1", "b=0", "noise=-1", "q_mu=0", "q_sigma=1" };
    el_eval_result r;
    ck_assert_int_eq(run_eval("elbo.gauss", 6, neg, 100, &r), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "noise must be > 0, got -1");
    el_eval_result_free(&r);
    char *missing[] = { "x=1", "a=1", "b=0", "noise=1", "q_mu=0" };
    ck_assert_int_eq(run_eval("elbo.gauss", 5, missing, 100, &r), EL_EDOM);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "q_sigma"));
    el_eval_result_free(&r);
}
END_TEST

START_TEST(dlm_bad_inputs)
{
    double q[5], f, lp, pi_bad[5] = { 0.1, 0.25, 0.3, 0.15, 0.3 };
    ck_assert_int_eq(el_dlm_log_evidence(5, pi_bad, l5, &lp), EL_EDOM);
    double l_nan[5] = { -1, NAN, -1, -1, -1 };
    ck_assert_int_eq(el_dlm_log_evidence(5, pi5, l_nan, &lp), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "log-likelihood l[1] must be finite, got nan");
    double pi0[5] = { 0.0, 0.25, 0.3, 0.25, 0.2 };
    ck_assert_int_eq(el_dlm_log_evidence(5, pi0, l5, &lp), EL_OK); /* a state drops out */
    ck_assert_int_eq(el_dlm_maximise(5, pi0, l5, NULL, q, &f), EL_EDOM);
    double one = 1.0, l1 = -0.5;
    ck_assert_int_eq(el_dlm_maximise(1, &one, &l1, NULL, q, &f), EL_EDOM);
    el_elbo_terms e;
    double qbad[5] = { 0.5, 0.5, 0.5, 0.0, 0.0 };
    ck_assert_int_eq(el_dlm_elbo(5, pi5, l5, qbad, &e), EL_EDOM);
}
END_TEST

static Suite *elbo_suite(void)
{
    Suite *s = suite_create("elbo");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, lgm_posterior_is_bayes_rule);
    tcase_add_test(core, lgm_elbo_forms_and_decomposition);
    tcase_add_test(core, lgm_scalar_case_matches_lg1);
    tcase_add_test(core, elbo_gauss_matches_independent_quadrature);
    tcase_add_test(core, elbo_gauss_far_narrow_q);
    tcase_add_test(core, log_evidence_by_quadrature);
    tcase_add_test(core, chi2_matches_quadrature);
    tcase_add_test(core, iwae_bound_basics);
    tcase_add_test(core, iwae_gauss_eval);
    tcase_add_test(core, dlm_posterior_and_jensen);
    tcase_add_test(core, optimal_posterior_maximiser);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, lgm_bad_inputs);
    tcase_add_test(lim, lg1_bad_inputs);
    tcase_add_test(lim, eval_bad_inputs);
    tcase_add_test(lim, dlm_bad_inputs);
    tcase_add_test(lim, optimal_posterior_from_saturated_starts);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(elbo_suite)
