/* check_gmvae.c -- the small Gaussian-mixture VAE: its exact evidence against
 * quadrature over w, the three-term ELBO against the direct form, the
 * optimum q(z|w,x) = p(z|w), and the reduction to the conjugate model at K = 1. */
#include <check.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "results/elbo/el_elbo.h"
#include "results/gmvae/el_gmvae.h"

/* K = 3 unequal weights, x in R^3. */
static el_gmvae model(double *x)
{
    el_gmvae m;
    memset(&m, 0, sizeof m);
    m.K = 3;
    m.D = 3;
    double pi[3] = { 0.2, 0.5, 0.3 }, mu[3] = { -1.4, 0.35, 2.1 }, sg[3] = { 0.45, 0.8, 0.6 };
    double W[3] = { 0.9, -1.2, 0.4 }, c[3] = { 0.1, -0.3, 0.25 };
    memcpy(m.pi, pi, sizeof pi);
    memcpy(m.mu, mu, sizeof mu);
    memcpy(m.sigma, sg, sizeof sg);
    memcpy(m.W, W, sizeof W);
    memcpy(m.c, c, sizeof c);
    m.noise = 0.7;
    x[0] = 0.8;
    x[1] = -0.9;
    x[2] = 0.6;
    return m;
}

typedef struct {
    const el_gmvae *m;
    const double *x;
} px_ctx;

/* p(x|w) p(w), written with GSL's densities. */
static double joint_w(double w, void *p)
{
    const px_ctx *c = p;
    double lik = 1.0, prior = 0.0;
    for (size_t i = 0; i < c->m->D; i++)
        lik *= gsl_ran_gaussian_pdf(c->x[i] - c->m->W[i] * w - c->m->c[i], c->m->noise);
    for (size_t z = 0; z < c->m->K; z++)
        prior += c->m->pi[z] * gsl_ran_gaussian_pdf(w - c->m->mu[z], c->m->sigma[z]);
    return lik * prior;
}

/* ---- Core ---------------------------------------------------------------------- */

START_TEST(evidence_matches_quadrature_over_w)
{
    double x[3], lp, v, err;
    el_gmvae m = model(x);
    ck_assert_int_eq(el_gmvae_log_evidence(&m, x, &lp), EL_OK);
    px_ctx c = { &m, x };
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function F = { joint_w, &c };
    el_gsl_init();
    ck_assert_int_eq(gsl_integration_qagi(&F, 0.0, 1e-13, 1000, w, &v, &err), 0);
    gsl_integration_workspace_free(w);
    ck_assert_msg(el_close(lp, log(v), 1e-11, 0), "%.17g vs %.17g", lp, log(v));
}
END_TEST

START_TEST(qz_posterior_is_bayes_rule)
{
    double x[3];
    el_gmvae m = model(x);
    el_gmvae_qz qz;
    el_gmvae_qz_posterior(&m, &qz);
    static const double ws[4] = { -2.0, 0.1, 0.9, 3.3 };
    for (int i = 0; i < 4; i++) {
        double lq[3], norm = 0.0;
        el_gmvae_qz_log(&qz, 3, ws[i], lq);
        for (int z = 0; z < 3; z++)
            norm += m.pi[z] * gsl_ran_gaussian_pdf(ws[i] - m.mu[z], m.sigma[z]);
        for (int z = 0; z < 3; z++) {
            double bayes = m.pi[z] * gsl_ran_gaussian_pdf(ws[i] - m.mu[z], m.sigma[z]) / norm;
            ck_assert(el_close(exp(lq[z]), bayes, 1e-12, 1e-15));
        }
    }
}
END_TEST

/* Random q(z|w,x) of the softmax-quadratic family: three-term = direct, both
 * below log p(x), and below the ELBO at q(z|w,x) = p(z|w). */
START_TEST(three_term_equals_direct)
{
    double x[3], lp;
    el_gmvae m = model(x);
    ck_assert_int_eq(el_gmvae_log_evidence(&m, x, &lp), EL_OK);
    gsl_rng *r = el_rng_alloc(11);
    el_gauss qw = { 0.2, 0.4 };
    el_quad_result best;
    ck_assert_int_eq(el_gmvae_zmax(&m, x, &qw, &best, 0, NULL, NULL), EL_OK);
    ck_assert(best.value < lp);
    for (int i = 0; i < 5; i++) {
        el_gmvae_qz qz;
        for (int z = 0; z < 3; z++) {
            qz.alpha[z] = gsl_ran_gaussian(r, 1.0);
            qz.beta[z] = gsl_ran_gaussian(r, 1.0);
            qz.gamma[z] = -fabs(gsl_ran_gaussian(r, 0.5));
        }
        el_gmvae_terms t;
        el_quad_result d;
        ck_assert_int_eq(el_gmvae_elbo3(&m, x, &qw, &qz, &t), EL_OK);
        ck_assert_int_eq(el_gmvae_elbo_quad(&m, x, &qw, &qz, &d), EL_OK);
        ck_assert_msg(el_agrees_quad(t.elbo, &d), "q #%d: %.17g vs %.17g", i, t.elbo, d.value);
        ck_assert(t.elbo < best.value);
        ck_assert(t.kl_z >= 0.0);
    }
    el_rng_free(r);
}
END_TEST

START_TEST(direct_mc_within_error_bars)
{
    double x[3];
    el_gmvae m = model(x);
    el_gauss qw = { 0.5, 0.3 };
    el_gmvae_qz qz;
    el_gmvae_qz_posterior(&m, &qz);
    el_gmvae_terms t;
    el_estimate e;
    gsl_rng *r = el_rng_alloc(5);
    ck_assert_int_eq(el_gmvae_elbo3(&m, x, &qw, &qz, &t), EL_OK);
    ck_assert_int_eq(el_gmvae_elbo_mc(&m, x, &qw, &qz, 20000, r, &e), EL_OK);
    ck_assert_msg(el_agrees_mc(t.elbo, &e), "%.10g vs %.10g +- %.2g", t.elbo, e.value, e.se);
    el_rng_free(r);
}
END_TEST

/* K = 1: w ~ N(mu, s^2), x | w ~ N(W w + c, noise^2) is the scalar conjugate
 * model with z = (w - mu)/s, a = W s, b = W mu + c.  With q(w|x) = p(w|x) the
 * ELBO equals log p(x). */
START_TEST(single_component_is_conjugate_and_tight)
{
    el_gmvae m;
    memset(&m, 0, sizeof m);
    m.K = 1;
    m.D = 1;
    m.pi[0] = 1.0;
    m.mu[0] = 0.6;
    m.sigma[0] = 1.3;
    m.W[0] = -0.8;
    m.c[0] = 0.25;
    m.noise = 0.45;
    double x = 1.1, lp, pm, ps;
    el_lg1 s = { x, m.W[0] * m.sigma[0], m.W[0] * m.mu[0] + m.c[0], m.noise };
    ck_assert_int_eq(el_gmvae_log_evidence(&m, &x, &lp), EL_OK);
    ck_assert(el_close(lp, el_lg1_log_evidence(&s), 1e-13, 0));
    el_lg1_posterior(&s, &pm, &ps);
    el_gauss qw = { m.mu[0] + m.sigma[0] * pm, m.sigma[0] * ps };
    el_gmvae_qz qz;
    el_gmvae_qz_posterior(&m, &qz);
    el_gmvae_terms t;
    ck_assert_int_eq(el_gmvae_elbo3(&m, &x, &qw, &qz, &t), EL_OK);
    ck_assert_msg(el_close(t.elbo, lp, 1e-10, 1e-10), "%.17g vs %.17g", t.elbo, lp);
    ck_assert(fabs(t.kl_z) < 1e-15); /* one component: q(z) = p(z) */
}
END_TEST

/* ---- Limits ------------------------------------------------------------------ */

START_TEST(bad_models)
{
    double x[3], lp;
    el_gmvae m = model(x);
    m.K = 0;
    ck_assert_int_eq(el_gmvae_log_evidence(&m, x, &lp), EL_EDOM);
    m.K = EL_GMVAE_KMAX + 1;
    ck_assert_int_eq(el_gmvae_validate(&m), EL_EDOM);
    m = model(x);
    m.pi[0] = 0.4;
    ck_assert_int_eq(el_gmvae_validate(&m), EL_EDOM);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "pi must sum to 1"));
    m = model(x);
    m.sigma[2] = 0.0;
    ck_assert_int_eq(el_gmvae_validate(&m), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "sigma[2] must be > 0, got 0");
    m = model(x);
    m.noise = -1.0;
    ck_assert_int_eq(el_gmvae_validate(&m), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "noise must be > 0, got -1");
    m = model(x);
    m.W[1] = NAN;
    ck_assert_int_eq(el_gmvae_validate(&m), EL_EDOM);
    m = model(x);
    m.pi[0] = 0.0;
    m.pi[1] = 0.7;
    ck_assert_int_eq(el_gmvae_validate(&m), EL_EDOM);
}
END_TEST

START_TEST(bad_q)
{
    double x[3];
    el_gmvae m = model(x);
    el_gmvae_qz qz;
    el_gmvae_qz_prior(&m, &qz);
    el_gmvae_terms t;
    el_gauss qw = { 0.0, 0.0 };
    ck_assert_int_eq(el_gmvae_elbo3(&m, x, &qw, &qz, &t), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "sd of q(w|x) must be > 0, got 0");
    qw.sigma = 1.0;
    qw.mu = INFINITY;
    el_quad_result q;
    ck_assert_int_eq(el_gmvae_elbo_quad(&m, x, &qw, &qz, &q), EL_EDOM);
    qw.mu = 0.0;
    el_estimate e;
    gsl_rng *r = el_rng_alloc(1);
    ck_assert_int_eq(el_gmvae_elbo_mc(&m, x, &qw, &qz, 1, r, &e), EL_EDOM);
    el_rng_free(r);
}
END_TEST

static Suite *gmvae_suite(void)
{
    Suite *s = suite_create("gmvae");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, evidence_matches_quadrature_over_w);
    tcase_add_test(core, qz_posterior_is_bayes_rule);
    tcase_add_test(core, three_term_equals_direct);
    tcase_add_test(core, direct_mc_within_error_bars);
    tcase_add_test(core, single_component_is_conjugate_and_tight);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, bad_models);
    tcase_add_test(lim, bad_q);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(gmvae_suite)
