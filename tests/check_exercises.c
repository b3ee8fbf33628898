/* check_exercises.c -- every exercise's answer key against the module that
 * proves it: expression references evaluated at random points against the
 * closed forms of src/results (el_kl_*), against direct numerical
 * maximisation or finite differences; computed numbers against moment
 * matching and a numerical exclusive-KL minimisation; true/false and choice
 * keys against a numerical demonstration of the fact.  So no answer key in
 * exercises/ can be wrong. */
#include <check.h>
#include <gsl/gsl_deriv.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "core/el_core.h"
#include "dist/el_dist.h"
#include "expr/el_expr.h"
#include "grade/el_grade.h"
#include "num/el_num.h"
#include "results/kl/el_kl.h"

#define NPOINTS 40

static el_grade_book *book;

static void load(void)
{
    int st;
    book = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    ck_assert_msg(book != NULL, "exercises: %s", el_errmsg());
}

static void unload(void)
{
    el_grade_book_free(book);
}

static const el_grade_exercise *ex_of(const char *id)
{
    const el_grade_exercise *ex = el_grade_book_find(book, id);
    ck_assert_msg(ex != NULL, "exercise %s is missing", id);
    return ex;
}

static const el_grade_part *part_of(const el_grade_exercise *ex, const char *name)
{
    for (size_t i = 0; i < ex->nparts; i++)
        if (!strcmp(ex->parts[i].name, name))
            return &ex->parts[i];
    ck_abort_msg("%s has no part %s", ex->id, name);
    return NULL;
}

/* ---- evaluating a reference at given values ------------------------------ */

typedef struct {
    size_t n;
    const char *names[8];
    el_value vals[8];
} binding;

static int lookup(void *ctx, const char *name, const el_value **out)
{
    binding *b = ctx;
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->names[i], name)) {
            *out = &b->vals[i];
            return 0;
        }
    return 1;
}

static void bind(binding *b, const char *name, size_t rows, size_t cols, double *v)
{
    b->names[b->n] = name;
    b->vals[b->n] = (el_value){ rows, cols, v };
    b->n++;
}

/* The part's reference at the values of B (a scalar). */
static double ref_scalar(const el_grade_part *p, binding *b)
{
    el_value out;
    el_expr_error err;
    ck_assert_msg(el_expr_eval(p->compiled, lookup, b, &out, &err) == EL_OK, "%s", err.msg);
    ck_assert_uint_eq(out.rows * out.cols, 1);
    double x = out.v[0];
    el_value_free(&out);
    return x;
}

static gsl_rng *rng(const char *label)
{
    return el_rng_alloc(el_seed_mix(7321, label));
}

static double unif(gsl_rng *r, double a, double b)
{
    return a + (b - a) * gsl_rng_uniform(r);
}

/* ---- KL closed forms -------------------------------------------------------- */

START_TEST(equal_variance_matches_el_kl)
{
    const el_grade_part *p = part_of(ex_of("kl-equal-variance"), "answer");
    gsl_rng *r = rng("eqvar");
    for (int k = 0; k < NPOINTS; k++) {
        double mq = unif(r, -3, 3), mp = unif(r, -3, 3), s = unif(r, 0.2, 3), want;
        binding b = { 0 };
        bind(&b, "mu_q", 1, 1, &mq);
        bind(&b, "mu_p", 1, 1, &mp);
        bind(&b, "sigma", 1, 1, &s);
        ck_assert_int_eq(el_kl_equal_var(mq, mp, s, &want), EL_OK);
        ck_assert(el_close(ref_scalar(p, &b), want, 1e-12, 1e-14));
    }
    el_rng_free(r);
}
END_TEST

START_TEST(gauss_1d_matches_el_kl)
{
    const el_grade_part *p = part_of(ex_of("kl-gauss-1d"), "answer");
    gsl_rng *r = rng("g1d");
    for (int k = 0; k < NPOINTS; k++) {
        double m1 = unif(r, -2, 2), s1 = unif(r, 0.2, 3), m2 = unif(r, -2, 2), s2 = unif(r, 0.2, 3),
               want;
        binding b = { 0 };
        bind(&b, "mu1", 1, 1, &m1);
        bind(&b, "sigma1", 1, 1, &s1);
        bind(&b, "mu2", 1, 1, &m2);
        bind(&b, "sigma2", 1, 1, &s2);
        ck_assert_int_eq(el_kl_normal(m1, s1, m2, s2, &want), EL_OK);
        ck_assert(el_close(ref_scalar(p, &b), want, 1e-10, 1e-12));
    }
    el_rng_free(r);
}
END_TEST

START_TEST(std_normal_matches_el_kl)
{
    const el_grade_part *p = part_of(ex_of("kl-std-normal"), "answer");
    gsl_rng *r = rng("std");
    for (int k = 0; k < NPOINTS; k++) {
        double m = unif(r, -3, 3), s = unif(r, 0.2, 4), want;
        binding b = { 0 };
        bind(&b, "mu", 1, 1, &m);
        bind(&b, "sigma", 1, 1, &s);
        ck_assert_int_eq(el_kl_normal_std(m, s, &want), EL_OK);
        ck_assert(el_close(ref_scalar(p, &b), want, 1e-10, 1e-12));
    }
    el_rng_free(r);
}
END_TEST

START_TEST(diag_sum_matches_el_kl)
{
    const el_grade_part *p = part_of(ex_of("kl-diag-sum"), "answer");
    gsl_rng *r = rng("diag");
    for (size_t d = 1; d <= 6; d++) {
        double mu[6], s[6], zero[6] = { 0 }, one[6] = { 1, 1, 1, 1, 1, 1 }, dd = (double)d, want;
        for (size_t i = 0; i < d; i++) {
            mu[i] = unif(r, -2, 2);
            s[i] = unif(r, 0.3, 3);
        }
        binding b = { 0 };
        bind(&b, "mu", d, 1, mu);
        bind(&b, "sigma", d, 1, s);
        bind(&b, "d", 1, 1, &dd);
        ck_assert_int_eq(el_kl_diag(d, mu, s, zero, one, &want), EL_OK);
        ck_assert(el_close(ref_scalar(p, &b), want, 1e-10, 1e-12));
    }
    el_rng_free(r);
}
END_TEST

/* A random SPD matrix B B^T / d + 0.3 I into S (d x d). */
static void spd(gsl_rng *r, size_t d, double *S)
{
    double B[36];
    for (size_t i = 0; i < d * d; i++)
        B[i] = unif(r, -1, 1);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++)
                s += B[i * d + k] * B[j * d + k];
            S[i * d + j] = s / (double)d + (i == j ? 0.3 : 0.0);
        }
}

START_TEST(gauss_mv_matches_el_kl)
{
    const el_grade_part *p = part_of(ex_of("kl-gauss-mv"), "answer");
    gsl_rng *r = rng("mv");
    for (size_t d = 1; d <= 6; d++) {
        double m0[6], m1[6], S0[36], S1[36], dd = (double)d, want;
        for (size_t i = 0; i < d; i++) {
            m0[i] = unif(r, -1.5, 1.5);
            m1[i] = unif(r, -1.5, 1.5);
        }
        spd(r, d, S0);
        spd(r, d, S1);
        binding b = { 0 };
        bind(&b, "mu0", d, 1, m0);
        bind(&b, "mu1", d, 1, m1);
        bind(&b, "Sigma0", d, d, S0);
        bind(&b, "Sigma1", d, d, S1);
        bind(&b, "d", 1, 1, &dd);
        ck_assert_int_eq(el_kl_mvn(d, m0, S0, m1, S1, &want), EL_OK);
        ck_assert_msg(el_close(ref_scalar(p, &b), want, 1e-9, 1e-12), "d = %zu", d);
    }
    el_rng_free(r);
}
END_TEST

START_TEST(self_is_zero)
{
    const el_grade_exercise *ex = ex_of("kl-self");
    double key, k1, k2, p[4] = { 0.1, 0.2, 0.3, 0.4 };
    ck_assert_int_eq(el_grade_exercise_number(ex, part_of(ex, "answer"), NULL, &key), EL_OK);
    ck_assert_int_eq(el_kl_normal(0.7, 1.3, 0.7, 1.3, &k1), EL_OK);
    ck_assert_int_eq(el_kl_discrete(4, p, p, &k2), EL_OK);
    ck_assert(key == k1 && key == k2);
}
END_TEST

/* ---- optimal posterior: direct maximisation over softmax logits ------------ */

typedef struct {
    size_t K;
    const double *lik, *prior;
} post_model;

/* Minus the objective sum q log lik - KL(q || prior), q = softmax(x). */
static double neg_objective(const gsl_vector *x, void *params)
{
    const post_model *m = params;
    double mx = -INFINITY, z = 0, q[8], f = 0;
    for (size_t k = 0; k < m->K; k++)
        mx = fmax(mx, gsl_vector_get(x, k));
    for (size_t k = 0; k < m->K; k++)
        z += (q[k] = exp(gsl_vector_get(x, k) - mx));
    for (size_t k = 0; k < m->K; k++) {
        q[k] /= z;
        f += q[k] * log(m->lik[k]) - q[k] * log(q[k] / m->prior[k]);
    }
    return -f;
}

/* The maximiser found numerically (GSL's simplex method) into Q. */
static void maximise_posterior(const post_model *m, double *q)
{
    gsl_multimin_function fn = { neg_objective, m->K, (void *)m };
    gsl_vector *x = gsl_vector_calloc(m->K), *step = gsl_vector_alloc(m->K);
    gsl_vector_set_all(step, 0.5);
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, m->K);
    gsl_multimin_fminimizer_set(s, &fn, x, step);
    for (int it = 0; it < 20000 && gsl_multimin_fminimizer_size(s) > 1e-12; it++)
        gsl_multimin_fminimizer_iterate(s);
    double mx = -INFINITY, z = 0;
    for (size_t k = 0; k < m->K; k++)
        mx = fmax(mx, gsl_vector_get(s->x, k));
    for (size_t k = 0; k < m->K; k++)
        z += (q[k] = exp(gsl_vector_get(s->x, k) - mx));
    for (size_t k = 0; k < m->K; k++)
        q[k] /= z;
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(x);
    gsl_vector_free(step);
}

START_TEST(optimal_posterior_matches_maximisation)
{
    el_gsl_init();
    const el_grade_exercise *ex = ex_of("optimal-posterior");
    const el_grade_part *p = part_of(ex, "answer");
    gsl_rng *r = rng("post");
    for (size_t K = 2; K <= 5; K++) {
        double lik[8], prior[8], alpha[8], q[8];
        for (size_t k = 0; k < K; k++) {
            lik[k] = unif(r, 0.05, 1);
            alpha[k] = 1.0;
        }
        gsl_ran_dirichlet(r, K, alpha, prior);
        post_model m = { K, lik, prior };
        maximise_posterior(&m, q);
        binding b = { 0 };
        bind(&b, "lik", K, 1, lik);
        bind(&b, "prior", K, 1, prior);
        el_value out;
        el_expr_error err;
        ck_assert_int_eq(el_expr_eval(p->compiled, lookup, &b, &out, &err), EL_OK);
        ck_assert_uint_eq(out.rows * out.cols, K);
        for (size_t k = 0; k < K; k++)
            ck_assert_msg(fabs(out.v[k] - q[k]) < 1e-5, "K=%zu k=%zu key %g numeric %g", K, k,
                          out.v[k], q[k]);
        el_value_free(&out);
    }
    el_rng_free(r);
}
END_TEST

/* ---- back-propagation: finite differences of t(mu, sigma) ------------------ */

typedef struct {
    double mu, sigma, eps;
    int wrt; /* 0: mu, 1: sigma */
} t_params;

/* t = log q(z) - log p(z), z = mu + sigma eps, q = N(mu, sigma^2), p = N(0, 1). */
static double t_of(double x, void *params)
{
    const t_params *tp = params;
    double mu = tp->wrt == 0 ? x : tp->mu, sigma = tp->wrt == 1 ? x : tp->sigma;
    double z = mu + sigma * tp->eps;
    el_gauss q, p;
    el_gauss_init(&q, mu, sigma);
    el_gauss_init(&p, 0.0, 1.0);
    return el_gauss_logpdf(&q, z) - el_gauss_logpdf(&p, z);
}

START_TEST(grad_reparam_matches_finite_differences)
{
    el_gsl_init();
    const el_grade_exercise *ex = ex_of("kl-grad-reparam");
    gsl_rng *r = rng("grad");
    for (int k = 0; k < NPOINTS; k++) {
        t_params tp = { unif(r, -2, 2), unif(r, 0.3, 3), gsl_ran_gaussian(r, 1.0), 0 };
        double z = tp.mu + tp.sigma * tp.eps;
        binding b = { 0 };
        bind(&b, "mu", 1, 1, &tp.mu);
        bind(&b, "sigma", 1, 1, &tp.sigma);
        bind(&b, "eps", 1, 1, &tp.eps);
        bind(&b, "z", 1, 1, &z);
        for (int w = 0; w < 2; w++) {
            tp.wrt = w;
            gsl_function f = { t_of, &tp };
            double d, err;
            ck_assert_int_eq(gsl_deriv_central(&f, w ? tp.sigma : tp.mu, 1e-4, &d, &err),
                             GSL_SUCCESS);
            double key = ref_scalar(part_of(ex, w ? "dsigma" : "dmu"), &b);
            ck_assert_msg(fabs(key - d) <= 1e-6 * fmax(1, fabs(d)) + 10 * err, "key %g fd %g", key,
                          d);
        }
    }
    el_rng_free(r);
}
END_TEST

/* ---- the mixture fits -------------------------------------------------------- */

typedef struct {
    const el_mix *p;
    double mu, sigma;
    int what; /* 0: E_q log p, 1: E_q[dlogp], 2: E_q[z dlogp] (z standard) */
} fit_ctx;

/* d/dx log p(x) of a mixture, by the responsibility-weighted slopes. */
static double dlogp(const el_mix *m, double x)
{
    double lp = el_mix_logpdf(m, x), g = 0;
    for (size_t k = 0; k < m->K; k++) {
        el_gauss c;
        el_gauss_init(&c, m->mu[k], m->sigma[k]);
        g += m->w[k] * exp(el_gauss_logpdf(&c, x) - lp) * (m->mu[k] - x) /
             (m->sigma[k] * m->sigma[k]);
    }
    return g;
}

static double fit_integrand(double z, void *params)
{
    const fit_ctx *c = params;
    double x = c->mu + c->sigma * z, phi = exp(-0.5 * z * z) / sqrt(2 * M_PI);
    if (c->what == 0)
        return phi * el_mix_logpdf(c->p, x);
    return phi * dlogp(c->p, x) * (c->what == 2 ? z : 1.0);
}

static double expect(const el_mix *p, double mu, double sigma, int what)
{
    fit_ctx c = { p, mu, sigma, what };
    el_quad_result q;
    ck_assert_int_eq(el_quad_1d(fit_integrand, &c, -INFINITY, INFINITY, &q), EL_OK);
    return q.value;
}

/* KL(q || p) for q = N(x0, exp(x1)^2). */
static double excl_kl(const gsl_vector *x, void *params)
{
    double mu = gsl_vector_get(x, 0), sigma = exp(gsl_vector_get(x, 1));
    return -0.5 * log(2 * M_PI * M_E * sigma * sigma) - expect(params, mu, sigma, 0);
}

/* Minimises the exclusive KL numerically from (MU, SIGMA); the optimum into them. */
static void fit_exclusive(const el_mix *p, double *mu, double *sigma)
{
    gsl_multimin_function fn = { excl_kl, 2, (void *)p };
    gsl_vector *x = gsl_vector_alloc(2), *step = gsl_vector_alloc(2);
    gsl_vector_set(x, 0, *mu);
    gsl_vector_set(x, 1, log(*sigma));
    gsl_vector_set_all(step, 0.2);
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2);
    gsl_multimin_fminimizer_set(s, &fn, x, step);
    for (int it = 0; it < 2000 && gsl_multimin_fminimizer_size(s) > 1e-10; it++)
        gsl_multimin_fminimizer_iterate(s);
    *mu = gsl_vector_get(s->x, 0);
    *sigma = exp(gsl_vector_get(s->x, 1));
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(x);
    gsl_vector_free(step);
}

static el_mix *default_mixture(double w1, double m)
{
    double w[2] = { w1, 1 - w1 }, mu[2] = { -m, m }, s[2] = { 1, 1 };
    int st;
    el_mix *p = el_mix_alloc(2, w, mu, s, &st);
    ck_assert(p != NULL);
    return p;
}

START_TEST(mixture_fit_keys)
{
    el_gsl_init();
    const el_grade_exercise *ex = ex_of("incl-excl-fit");
    el_mix *p = default_mixture(1.0 / 3.0, 1.0);
    double im, is, em, es;
    ck_assert_int_eq(el_grade_exercise_number(ex, part_of(ex, "inclusive_mu"), NULL, &im), EL_OK);
    ck_assert_int_eq(el_grade_exercise_number(ex, part_of(ex, "inclusive_sigma"), NULL, &is),
                     EL_OK);
    ck_assert_int_eq(el_grade_exercise_number(ex, part_of(ex, "exclusive_mu"), NULL, &em), EL_OK);
    ck_assert_int_eq(el_grade_exercise_number(ex, part_of(ex, "exclusive_sigma"), NULL, &es),
                     EL_OK);
    /* inclusive: moment matching, and the catalogue's 1/3 and 17/9 */
    ck_assert(el_close(im, el_mix_mean(p), 1e-14, 1e-15) && el_close(im, 1.0 / 3.0, 1e-14, 0));
    ck_assert(el_close(is * is, el_mix_var(p), 1e-13, 0) &&
              el_close(is * is, 17.0 / 9.0, 1e-13, 0));
    /* exclusive: the stationarity conditions E_q[dlogp] = 0 and 1/sigma + E_q[z dlogp] = 0
     * hold at the key, and a numerical minimisation lands on it */
    ck_assert_msg(fabs(expect(p, em, es, 1)) < 1e-9, "dKL/dmu = %g", expect(p, em, es, 1));
    ck_assert_msg(fabs(1 / es + expect(p, em, es, 2)) < 1e-9, "dKL/dsigma != 0");
    double mu = 0.0, sigma = 1.0;
    fit_exclusive(p, &mu, &sigma);
    ck_assert_msg(fabs(mu - em) < 1e-6 && fabs(sigma - es) < 1e-6, "numeric %g %g key %g %g", mu,
                  sigma, em, es);
    /* the exclusive fit is the narrower one, and far enough from the inclusive
     * one that the tolerance tells them apart */
    const el_grade_part *pp = part_of(ex, "exclusive_sigma");
    ck_assert(es < is && is - es > 2 * fmax(pp->abs_tol, pp->rel_tol * is));
    ck_assert(fabs(im - em) > 2 * fmax(pp->abs_tol, pp->rel_tol * im));
    el_mix_free(p);
}
END_TEST

/* ---- true / false keys ---------------------------------------------------------- */

START_TEST(reverse_kl_seeks_a_mode)
{
    el_gsl_init();
    /* 1/2 N(-3,1) + 1/2 N(3,1): started near a mode, the exclusive fit stays on it */
    el_mix *p = default_mixture(0.5, 3.0);
    double mu = 2.5, sigma = 1.5;
    fit_exclusive(p, &mu, &sigma);
    int covers = sigma > 2.0; /* covering both modes needs sigma near sqrt(10) */
    ck_assert_msg(fabs(mu - 3.0) < 0.1 && fabs(sigma - 1.0) < 0.1, "fit %g %g", mu, sigma);
    const el_grade_exercise *ex = ex_of("tf-reverse-kl-covers-modes");
    ck_assert_int_eq(part_of(ex, "answer")->truth, covers);
    el_mix_free(p);
}
END_TEST

START_TEST(reparam_gradient_is_unbiased)
{
    /* f(z) = z^2, z = mu + sigma eps: d/dmu E f = 2 mu; the pathwise estimates
     * 2 (mu + sigma eps) average to it within 5 standard errors */
    gsl_rng *r = rng("reparam");
    double mu = 0.7, sigma = 1.3, sum = 0, sum2 = 0;
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        double g = 2 * (mu + sigma * gsl_ran_gaussian(r, 1.0));
        sum += g;
        sum2 += g * g;
    }
    double mean = sum / n, se = sqrt((sum2 / n - mean * mean) / n);
    int unbiased = fabs(mean - 2 * mu) < 5 * se;
    ck_assert(unbiased);
    ck_assert_int_eq(part_of(ex_of("tf-reparam-gradient"), "answer")->truth, unbiased);
    el_rng_free(r);
}
END_TEST

START_TEST(other_truefalse_keys_follow_the_catalogue)
{
    /* "the VAE posterior is easy" and "large beta correlates latents" are
     * claims the catalogue marks false (vi.posterior_intractable, vae.beta);
     * those checks prove it when their modules are built. */
    ck_assert_int_eq(part_of(ex_of("tf-posterior-easy"), "answer")->truth, 0);
    ck_assert_int_eq(part_of(ex_of("tf-beta-correlated"), "answer")->truth, 0);
    ck_assert_str_eq(ex_of("tf-posterior-easy")->checked_by, "vi.posterior_intractable");
    ck_assert_str_eq(ex_of("tf-beta-correlated")->checked_by, "vae.beta");
}
END_TEST

/* ---- choice keys ------------------------------------------------------------------ */

static const char *correct_option(const el_grade_exercise *ex)
{
    const el_grade_part *p = &ex->parts[0];
    for (size_t i = 0; i < p->noptions; i++)
        if (p->options[i].correct)
            return p->options[i].id;
    return "";
}

/* A discrete model: prior, likelihood of one x, posterior, log p(x). */
typedef struct {
    double prior[4], lik[4], post[4], logpx;
} discrete_model;

static void model(discrete_model *m)
{
    double pr[4] = { 0.1, 0.2, 0.3, 0.4 }, lk[4] = { 0.9, 0.05, 0.3, 0.15 }, px = 0;
    for (int k = 0; k < 4; k++)
        px += pr[k] * lk[k];
    for (int k = 0; k < 4; k++) {
        m->prior[k] = pr[k];
        m->lik[k] = lk[k];
        m->post[k] = pr[k] * lk[k] / px;
    }
    m->logpx = log(px);
}

/* ELBO(q) = sum q (log p(x, z) - log q). */
static double elbo(const discrete_model *m, const double *q)
{
    double f = 0;
    for (int k = 0; k < 4; k++)
        f += q[k] * (log(m->prior[k] * m->lik[k]) - log(q[k]));
    return f;
}

START_TEST(choice_keys_follow_numerics)
{
    el_gsl_init();
    discrete_model m;
    model(&m);
    double q[4];
    post_model pm = { 4, m.lik, m.prior };
    maximise_posterior(&pm, q);
    for (int k = 0; k < 4; k++)
        ck_assert(fabs(q[k] - m.post[k]) < 1e-5 && fabs(q[k] - m.prior[k]) > 1e-2);
    ck_assert_str_eq(correct_option(ex_of("optimal-posterior-choice")), "posterior");
    /* the bound is tight at the posterior, strict at the prior */
    ck_assert(fabs(elbo(&m, m.post) - m.logpx) < 1e-12 && elbo(&m, m.prior) < m.logpx - 1e-3);
    ck_assert_str_eq(correct_option(ex_of("elbo-tight")), "posterior");
    /* after the E-step F = log p(x), which differs from Q and from H(q) */
    double Q = 0, H = 0;
    for (int k = 0; k < 4; k++) {
        Q += m.post[k] * log(m.prior[k] * m.lik[k]);
        H -= m.post[k] * log(m.post[k]);
    }
    ck_assert(fabs(elbo(&m, m.post) - m.logpx) < 1e-12 && fabs(Q - m.logpx) > 1e-3 &&
              fabs(H - m.logpx) > 1e-3);
    ck_assert_str_eq(correct_option(ex_of("em-free-energy-after-e-step")), "loglik");
    /* KL(p || q) + E_p log q = -H(p) for every q: minimising the one is maximising the other */
    gsl_rng *r = rng("fwd");
    double Hp = 0, alpha[4] = { 1, 1, 1, 1 };
    for (int k = 0; k < 4; k++)
        Hp -= m.post[k] * log(m.post[k]);
    for (int t = 0; t < 20; t++) {
        double qq[4], kl, ce = 0;
        gsl_ran_dirichlet(r, 4, alpha, qq);
        ck_assert_int_eq(el_kl_discrete(4, m.post, qq, &kl), EL_OK);
        for (int k = 0; k < 4; k++)
            ce += m.post[k] * log(qq[k]);
        ck_assert(fabs(kl + ce + Hp) < 1e-12);
    }
    el_rng_free(r);
    ck_assert_str_eq(correct_option(ex_of("forward-kl-objective")), "cross-entropy");
    ck_assert_str_eq(correct_option(ex_of("elbo-name")), "evidence");
}
END_TEST

/* Discrete KL of two random Dirichlet draws over N symbols. */
static double random_kl(gsl_rng *r, size_t n, double *p, double *q)
{
    double alpha[16], k;
    for (size_t i = 0; i < n; i++)
        alpha[i] = 1.0;
    gsl_ran_dirichlet(r, n, alpha, p);
    gsl_ran_dirichlet(r, n, alpha, q);
    ck_assert_int_eq(el_kl_discrete(n, p, q, &k), EL_OK);
    return k;
}

/* The truth of each KL property, computed; compared with the options' keys. */
START_TEST(kl_property_keys)
{
    gsl_rng *r = rng("props");
    double p[8], q[8], p2[8], q2[8], k, k2, kmix, mix_p[8], mix_q[8];
    int nonneg = 1, convex = 1;
    for (int t = 0; t < 500; t++) {
        nonneg &= random_kl(r, 8, p, q) >= 0;
        k = random_kl(r, 8, p, q);
        k2 = random_kl(r, 8, p2, q2);
        double lam = gsl_rng_uniform(r);
        for (int i = 0; i < 8; i++) {
            mix_p[i] = lam * p[i] + (1 - lam) * p2[i];
            mix_q[i] = lam * q[i] + (1 - lam) * q2[i];
        }
        ck_assert_int_eq(el_kl_discrete(8, mix_p, mix_q, &kmix), EL_OK);
        convex &= kmix <= lam * k + (1 - lam) * k2 + 1e-12;
    }
    double self, pert, ab, ba, ac, bc;
    el_kl_normal(0.3, 1.2, 0.3, 1.2, &self);
    el_kl_normal(0.3, 1.2, 0.3 + 1e-3, 1.2, &pert);
    int zero_iff = self == 0 && pert > 0;
    el_kl_normal(0, 1, 1, 2, &ab);
    el_kl_normal(1, 2, 0, 1, &ba);
    int symmetric = fabs(ab - ba) < 1e-12;
    el_kl_normal(0, 1, 1, 1, &ab);
    el_kl_normal(1, 1, 2, 1, &bc);
    el_kl_normal(0, 1, 2, 1, &ac);
    int triangle = ac <= ab + bc;
    double mu0[3] = { 0.1, -0.4, 0.9 }, s0[3] = { 1.1, 0.7, 1.6 }, mu1[3] = { 0.5, 0.2, -0.3 },
           s1[3] = { 0.8, 1.3, 1.0 };
    double S0[9] = { 0 }, S1[9] = { 0 }, full, sum = 0;
    for (int i = 0; i < 3; i++) {
        S0[i * 4] = s0[i] * s0[i];
        S1[i * 4] = s1[i] * s1[i];
        double ki;
        el_kl_normal(mu0[i], s0[i], mu1[i], s1[i], &ki);
        sum += ki;
    }
    el_kl_mvn(3, mu0, S0, mu1, S1, &full);
    int additive = fabs(full - sum) < 1e-12;
    /* y = 2x + 1 maps N(m, s^2) to N(2m + 1, 4 s^2): the KL does not change */
    double kx, ky;
    el_kl_normal(0.2, 0.9, -0.5, 1.4, &kx);
    el_kl_normal(1.4, 1.8, 0.0, 2.8, &ky);
    int invariant = fabs(kx - ky) < 1e-12;
    struct {
        const char *id;
        int truth;
    } keys[] = {
        { "nonnegative", nonneg },
        { "zero-iff-equal", zero_iff },
        { "not-symmetric", !symmetric },
        { "no-triangle", !triangle },
        { "convex", convex },
        { "additive", additive },
        { "invariant", invariant },
        { "metric", symmetric && triangle },
        { "symmetric", symmetric },
        { "positive", 0 }, /* hidden: KL(q || q) = 0 */
    };
    const el_grade_part *pt = &ex_of("kl-properties")->parts[0];
    ck_assert_uint_eq(pt->noptions, sizeof keys / sizeof keys[0]);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ck_assert_str_eq(pt->options[i].id, keys[i].id);
        ck_assert_msg(pt->options[i].correct == keys[i].truth, "option %s", keys[i].id);
    }
    el_rng_free(r);
}
END_TEST

/* ---- derivation exercises ---------------------------------------------------------------- */

/* Every derivation exercise: its reference chain scores full marks, each
 * declared mistake is rejected at its declared step with its diagnosis. */
START_TEST(derivation_keys_and_mistakes)
{
    size_t n = 0;
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        if (strcmp(ex->kind, "derivation") != 0)
            continue;
        char why[2048];
        ck_assert_msg(el_grade_derivation_verify(ex, why, sizeof why) == 0, "%s: %s", ex->id, why);
        n++;
    }
    ck_assert_uint_ge(n, 15);
}
END_TEST

/* ---- the exercise book as a whole ------------------------------------------------------- */

START_TEST(every_exercise_of_the_book_is_there)
{
    static const char *const ids[] = {
        "kl-self",
        "kl-properties",
        "kl-equal-variance",
        "kl-gauss-1d",
        "kl-std-normal",
        "kl-diag-sum",
        "kl-gauss-mv",
        "optimal-posterior",
        "optimal-posterior-choice",
        "elbo-name",
        "elbo-tight",
        "tf-reverse-kl-covers-modes",
        "tf-reparam-gradient",
        "tf-posterior-easy",
        "tf-beta-correlated",
        "incl-excl-fit",
        "kl-grad-reparam",
        "em-free-energy-after-e-step",
        "forward-kl-objective",
        "derive-elbo-jensen",
        "derive-elbo-kl-form",
        "derive-elbo-decomposition",
        "derive-free-energy",
        "derive-kl-nonnegative",
        "derive-kl-self",
        "derive-kl-equal-variance",
        "derive-kl-std-normal",
        "derive-kl-gauss-mv",
        "derive-kl-diag-sum",
        "derive-kl-convex",
        "derive-em-free-energy",
        "derive-forward-kl",
        "derive-gmvae-elbo",
        "derive-optimal-posterior",
        "elbo-bound-form",
        "kl-definition-form",
        "evidence-gap-form",
        "gmvae-elbo-form",
        "reparam-sample-code",
        "text-kl-self-why",
        "text-elbo-tight-why",
        "text-why-logvar",
        "text-why-reparam",
        "text-forward-kl-pros-cons",
        "text-gmvae-training",
        "text-vae-vs-autoencoder",
        "text-beta-vae",
    };
    const size_t n = sizeof ids / sizeof ids[0];
    const el_grade_exercise_set *all = el_grade_book_set(book, "all");
    ck_assert_ptr_nonnull(all);
    ck_assert_uint_eq(el_grade_book_count(book), n);
    ck_assert_uint_eq(all->n, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(all->ex[i]->id, ids[i]);
        if (strcmp(all->ex[i]->kind, "derivation") != 0) /* proved by its own chain */
            ck_assert_msg(strchr(all->ex[i]->checked_by, '.') != NULL, "%s: checked_by", ids[i]);
    }
    for (size_t i = 0; i < el_grade_book_nsets(book);
         i++) /* every set is graded out of something */
        ck_assert(el_grade_book_set_at(book, i)->n > 0);
}
END_TEST

/* ---- the homework sheets as problem sets ------------------------------------------------- */

/* Every question of the five sheets, in the sheets' order (read off the sheets in
 * ../shared/seeds), and the points each sheet gives (0: none printed). */
static const struct {
    const char *set, *questions;
    double points;
} sheets[] = {
    { "sheet-000", "1a 1b 1c 1d 1e 1f", 15 },
    { "sheet-001", "1a 1b 2a 2b 2c 3 4 5", 9 },
    { "sheet-002", "1 2 3 4 5 6.1 6.2 6.3 6.4 7.1 7.2", 0 },
    { "sheet-003", "a b c d", 6 },
    { "sheet-004", "1.1 1.2 1.3 2.1 2.2 2.3", 0 },
};

START_TEST(every_sheet_question_maps_to_an_exercise)
{
    size_t total = 0;
    for (size_t k = 0; k < sizeof sheets / sizeof sheets[0]; k++) {
        const el_grade_exercise_set *s = el_grade_book_set(book, sheets[k].set);
        ck_assert_msg(s != NULL, "no set %s", sheets[k].set);
        ck_assert_msg(s->sheet && !strncmp(s->sheet, sheets[k].set + 6, 3), "%s: sheet", s->name);
        char want[128];
        snprintf(want, sizeof want, "%s", sheets[k].questions);
        size_t q = 0, covered = 0;
        for (char *t = strtok(want, " "); t; t = strtok(NULL, " "), q++) {
            ck_assert_msg(q < s->nquestions, "%s: question %s is missing", s->name, t);
            ck_assert_str_eq(s->questions[q].name, t);
            ck_assert_msg(s->questions[q].n >= 1, "%s %s: no exercise", s->name, t);
            ck_assert_uint_eq(s->questions[q].first, covered); /* in order, no gap */
            covered += s->questions[q].n;
        }
        ck_assert_uint_eq(q, s->nquestions);
        ck_assert_uint_eq(covered, s->n); /* every exercise answers some question */
        if (sheets[k].points > 0)
            ck_assert_msg(el_grade_set_total(s, NULL) == sheets[k].points, "%s: %g points", s->name,
                          el_grade_set_total(s, NULL));
        total += q;
    }
    ck_assert_uint_eq(total, 35); /* the 35 questions of the five sheets */
}
END_TEST

/* Loads a book made of one exercise (kl-self's file) and a set file SET:
 * the status, and the message in MSG. */
static int load_with_set(const char *set, char *msg, size_t n)
{
    char dir[] = "/tmp/elbolab-sets-XXXXXX", path[256], cmd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "mkdir '%s/sets' && cp '%s/kl-self.ini' '%s/text-kl-self-why.ini' '%s/'", dir,
             el_grade_book_default_dir(NULL), el_grade_book_default_dir(NULL), dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/sets/s.ini", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(set, f);
    fclose(f);
    int st;
    el_grade_book *b = el_grade_book_load(dir, &st);
    snprintf(msg, n, "%s", b ? "" : el_errmsg());
    el_grade_book_free(b);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    return b ? 0 : st;
}

START_TEST(a_set_missing_a_question_is_refused)
{
    char msg[1024];
    static const char twice[] = "name = s\nquestions = 1, 2\n[question 1]\npoints = 2\n"
                                "exercises = kl-self:1, text-kl-self-why:1\n"
                                "[question 2]\nexercises = kl-self\n";
    /* kl-self twice is refused; the control first: a valid sheet loads */
    static const char valid[] = "name = s\nquestions = 1, 2\n[question 1]\npoints = 2\n"
                                "exercises = kl-self\n[question 2]\nexercises = text-kl-self-why\n";
    ck_assert_msg(load_with_set(valid, msg, sizeof msg) == EL_OK, "%s", msg);
    ck_assert_int_eq(load_with_set(twice, msg, sizeof msg), EL_EFORMAT);
    ck_assert_ptr_nonnull(strstr(msg, "repeated exercise 'kl-self'"));
    static const struct {
        const char *set, *says;
    } bad[] = {
        { "name = s\nquestions = 1, 2\n[question 1]\nexercises = kl-self\n",
          "question 2 has no [question] section" },
        { "name = s\nquestions = 1, 2\n[question 2]\nexercises = kl-self\n"
          "[question 1]\nexercises = text-kl-self-why\n",
          "out of the sheet's order" },
        { "name = s\nquestions = 1\n[question 1]\nexercises = kl-self\n[question 9]\n"
          "exercises = text-kl-self-why\n",
          "[question 9] is not in the list" },
        { "name = s\nquestions = 1\n[question 1]\ntitle = nothing grades it\n",
          "names no exercise" },
        { "name = s\nquestions = 1\n[question 1]\npoints = 3\n"
          "exercises = kl-self:1, text-kl-self-why:1\n",
          "worth 3 points, but its exercises add up to 2" },
        { "name = s\nquestions = 1\n[question 1]\nexercises = kl-self:0\n",
          "must be a number > 0" },
        { "name = s\nquestions = 1\n[question 1]\nexercises = nope\n", "unknown exercise 'nope'" },
        { "name = s\nexercises = kl-self\npoints = text-kl-self-why:2\n",
          "must be an exercise of the set" },
        { "name = s\nexercises = kl-self\nquestions = 1\n[question 1]\nexercises = kl-self\n",
          "either exercises" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(load_with_set(bad[i].set, msg, sizeof msg), EL_EFORMAT);
        ck_assert_msg(strstr(msg, bad[i].says) != NULL, "'%s' said '%s'", bad[i].says, msg);
    }
}
END_TEST

/* ---- text exercises and `exercise check` ------------------------------------------------- */

START_TEST(every_text_exercise_has_a_model_answer)
{
    size_t n = 0;
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        for (size_t j = 0; j < ex->nparts; j++) {
            const el_grade_part *p = &ex->parts[j];
            if (p->kind != EL_GRADE_PART_TEXT)
                continue;
            char path[1024];
            struct stat sb;
            snprintf(path, sizeof path, "%s/notes/%s.md", el_grade_source_dir(), p->model);
            ck_assert_msg(stat(path, &sb) == 0 && sb.st_size > 400, "%s: no model answer %s",
                          ex->id, path);
            ck_assert_msg(p->rubric != NULL, "%s: no rubric", ex->id);
            n++;
        }
    }
    ck_assert_uint_ge(n, 8);
}
END_TEST

START_TEST(every_exercise_passes_its_own_check)
{
    size_t closed = 0;
    for (size_t i = 0; i < el_grade_book_count(book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(book, i);
        char why[1024];
        int verified;
        ck_assert_msg(el_grade_exercise_verify(ex, &verified, why, sizeof why) == 0, "%s: %s",
                      ex->id, why);
        closed += (size_t)verified;
    }
    ck_assert_uint_ge(closed, 5); /* equal-variance, 1-d, std-normal, diag-sum, self */
}
END_TEST

/* Verifies the exercise file TEXT: 0 or -1, WHY the reason. */
static int verify_text(const char *text, char *why, size_t n)
{
    char path[] = "/tmp/elbolab-ex-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    int st, verified = 0;
    el_grade_exercise *ex = el_grade_exercise_load(path, &st);
    unlink(path);
    ck_assert_msg(ex != NULL, "%s", el_errmsg());
    int r = el_grade_exercise_verify(ex, &verified, why, n);
    el_grade_exercise_free(ex);
    return r;
}

#define EQVAR_HEAD                                                                                 \
    "id = my-eqvar\ntitle = t\nkind = expression\nchecked_by = kl.gauss_equal_var\n"               \
    "statement = s\n[variable mu_q]\ndomain = uniform(-3, 3)\n[variable mu_p]\n"                   \
    "domain = uniform(-3, 3)\n[variable sigma]\ndomain = loguniform(0.3, 3)\n[part answer]\n"

START_TEST(a_wrong_key_or_an_accepted_mistake_fails_the_check)
{
    char why[1024];
    /* control: the right key and a real mistake pass */
    ck_assert_msg(verify_text(EQVAR_HEAD "reference = (mu_q - mu_p)^2 / (2 sigma^2)\n"
                                         "[mistake no-half]\nanswer = (mu_q - mu_p)^2 / sigma^2\n"
                                         "hint = h\n",
                              why, sizeof why) == 0,
                  "%s", why);
    /* a key without the 1/2 is not the closed form of kl.gauss_equal_var */
    ck_assert_int_eq(
        verify_text(EQVAR_HEAD "reference = (mu_q - mu_p)^2 / sigma^2\n", why, sizeof why), -1);
    ck_assert_msg(strstr(why, "not kl.gauss_equal_var's closed form") != NULL, "%s", why);
    /* a declared mistake that the key accepts (the key written otherwise) */
    ck_assert_int_eq(verify_text(EQVAR_HEAD "reference = (mu_q - mu_p)^2 / (2 sigma^2)\n"
                                            "[mistake fake]\nanswer = (mu_p - mu_q)^2/2/sigma^2\n"
                                            "hint = h\n",
                                 why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "mistake 'fake'") != NULL, "%s", why);
    /* a choice whose wrong option is the key's text too */
    ck_assert_int_eq(verify_text("id = c\ntitle = t\nkind = choice\nchecked_by = elbo.tight\n"
                                 "statement = s\n[option a]\ntext = the posterior\ncorrect = yes\n"
                                 "[option b]\ntext = the prior\naccept = 1\n",
                                 why, sizeof why),
                     -1);
    ck_assert_msg(strstr(why, "wrong option 'b'") != NULL || strstr(why, "full marks") != NULL,
                  "%s", why);
}
END_TEST

START_TEST(a_closed_form_never_compared_is_not_verified)
{
    char why[1024] = "";
    /* sigma a vector: the scalar closed form cannot be evaluated at any
     * point, so nothing was compared; that must not pass as verified */
    ck_assert_int_eq(
        verify_text("id = my-eqvar\ntitle = t\nkind = expression\nchecked_by = "
                    "kl.gauss_equal_var\nstatement = s\n[variable mu_q]\ndomain = uniform(-3, "
                    "3)\n[variable mu_p]\ndomain = uniform(-3, 3)\n[variable sigma]\nshape = "
                    "vector\ndomain = loguniform(0.3, 3)\n[part answer]\nreference = (mu_q - "
                    "mu_p)^2 / (2 sigma^2)\n",
                    why, sizeof why),
        -1);
    ck_assert_msg(strstr(why, "closed form") != NULL, "%s", why);
}
END_TEST

static Suite *exercises_suite(void)
{
    Suite *s = suite_create("exercises");
    TCase *core = tcase_create("Core");
    tcase_add_checked_fixture(core, load, unload);
    tcase_add_test(core, equal_variance_matches_el_kl);
    tcase_add_test(core, gauss_1d_matches_el_kl);
    tcase_add_test(core, std_normal_matches_el_kl);
    tcase_add_test(core, diag_sum_matches_el_kl);
    tcase_add_test(core, gauss_mv_matches_el_kl);
    tcase_add_test(core, self_is_zero);
    tcase_add_test(core, a_closed_form_never_compared_is_not_verified);
    tcase_add_test(core, optimal_posterior_matches_maximisation);
    tcase_add_test(core, grad_reparam_matches_finite_differences);
    tcase_add_test(core, mixture_fit_keys);
    tcase_add_test(core, reverse_kl_seeks_a_mode);
    tcase_add_test(core, reparam_gradient_is_unbiased);
    tcase_add_test(core, other_truefalse_keys_follow_the_catalogue);
    tcase_add_test(core, choice_keys_follow_numerics);
    tcase_add_test(core, kl_property_keys);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_checked_fixture(lim, load, unload);
    tcase_add_test(lim, every_exercise_of_the_book_is_there);
    tcase_add_test(lim, derivation_keys_and_mistakes);
    tcase_add_test(lim, every_sheet_question_maps_to_an_exercise);
    tcase_add_test(lim, a_set_missing_a_question_is_refused);
    tcase_add_test(lim, every_text_exercise_has_a_model_answer);
    tcase_add_test(lim, every_exercise_passes_its_own_check);
    tcase_add_test(lim, a_wrong_key_or_an_accepted_mistake_fails_the_check);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(exercises_suite)
