/* check_eval.c -- key=value parameters and the evaluators. */
#include <check.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "eval/el_eval.h"
#include "num/el_num.h"
#include "topics/el_topics.h"

START_TEST(parse_shapes)
{
    char *argv[] = { "a=1.5", "v=[0, 1,2.5]", "S=[[2,0.3],[0.3,1]]", "data=x.txt" };
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, 4, argv), EL_OK);
    double a;
    size_t n;
    const double *v;
    ck_assert_int_eq(el_params_scalar(&p, "a", &a), EL_OK);
    ck_assert(a == 1.5);
    ck_assert_int_eq(el_params_vector(&p, "v", &n, &v), EL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(v[2] == 2.5);
    ck_assert_int_eq(el_params_square(&p, "S", &n, &v), EL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(v[1] == 0.3 && v[3] == 1.0);
    const char *t;
    ck_assert_int_eq(el_params_text(&p, "data", &t), EL_OK);
    ck_assert_str_eq(t, "x.txt");
    ck_assert_int_eq(el_params_scalar(&p, "v", &a), EL_EDOM);
    ck_assert_int_eq(el_params_scalar(&p, "zz", &a), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "missing parameter zz");
    el_params_free(&p);
}
END_TEST

START_TEST(parse_errors)
{
    char *bad[] = { "noequals", "=3", "v=[1,2", "v=[1,,2]", "S=[[1,2],[3]]", "v=[1]x" };
    for (int i = 0; i < 6; i++) {
        el_params p = { 0 };
        ck_assert_msg(el_params_parse(&p, 1, &bad[i]) != EL_OK, "accepted %s", bad[i]);
        el_params_free(&p);
    }
    char *twice[] = { "a=1", "a=2" };
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, 2, twice), EL_EFORMAT);
    el_params_free(&p);
}
END_TEST

START_TEST(eval_unknown_and_missing)
{
    ck_assert_ptr_null(el_topics_eval_find("kl.nope"));
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "kl.normal"));
    const el_eval *e = el_topics_eval_find("kl.normal");
    char *argv[] = { "mu1=0", "sigma1=1", "mu2=1" };
    el_params p = { 0 };
    el_params_parse(&p, 3, argv);
    el_eval_opts o = { 1, 1000 };
    el_eval_result r;
    ck_assert_int_eq(el_eval_run(e, &p, &o, &r), EL_EDOM);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "sigma2"));
    el_eval_result_free(&r);
    el_params_free(&p);
}
END_TEST

START_TEST(parse_expressions)
{
    char *argv[] = {
        "w=[1/3, 2/3]", "sigma=sqrt(2)", "mu=-1e3", "f=\\frac{1}{4}", "S=[[exp(0),1/2],[1/2,2^2]]",
        "data=3abc",    "y=sqrt(z)"
    };
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, 7, argv), EL_OK);
    double x;
    size_t n;
    const double *v;
    ck_assert_int_eq(el_params_vector(&p, "w", &n, &v), EL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(v[0] == 1.0 / 3.0 && v[1] == 2.0 / 3.0);
    ck_assert_int_eq(el_params_scalar(&p, "sigma", &x), EL_OK);
    ck_assert(x == sqrt(2.0));
    ck_assert_int_eq(el_params_scalar(&p, "mu", &x), EL_OK);
    ck_assert(x == -1000.0);
    ck_assert_int_eq(el_params_scalar(&p, "f", &x), EL_OK);
    ck_assert(x == 0.25);
    ck_assert_int_eq(el_params_square(&p, "S", &n, &v), EL_OK);
    ck_assert(n == 2 && v[0] == 1.0 && v[1] == 0.5 && v[3] == 4.0);
    const char *t;
    ck_assert_int_eq(el_params_text(&p, "data", &t), EL_OK); /* a file name stays text */
    ck_assert_int_eq(el_params_scalar(&p, "data", &x), EL_EDOM);
    ck_assert_int_eq(el_params_scalar(&p, "y", &x), EL_EDOM); /* a variable has no value */
    el_params_free(&p);
    char *bad[] = { "v=[1, sqrt(y)]", "v=[1, (2]", "v=[1, [2]]" };
    for (int i = 0; i < 3; i++) {
        el_params q = { 0 };
        ck_assert_msg(el_params_parse(&q, 1, &bad[i]) == EL_EFORMAT, "accepted %s", bad[i]);
        el_params_free(&q);
    }
}
END_TEST

/* A route that is not credible is unavailable, with its reason. */
START_TEST(routes_credible_or_unavailable)
{
    el_eval_result r;
    memset(&r, 0, sizeof r);
    el_quad_result good = { 1.5, 1e-12 },
                   bad[4] = { { NAN, 0.0 }, { 1.0, -1e-3 }, { 1.0, INFINITY }, { 1.0, 0.5 } };
    el_eval_set_quad(&r, EL_OK, &good);
    ck_assert(r.has_quad && r.quad.value == 1.5 && r.why_quad[0] == '\0');
    for (int i = 0; i < 4; i++) {
        el_eval_set_quad(&r, EL_OK, &bad[i]);
        ck_assert_msg(!r.has_quad && r.why_quad[0], "case %d shown", i);
    }
    el_eval_set_quad(&r, EL_ERROR(EL_ENUM, "quadrature: divergent"), &good);
    ck_assert(!r.has_quad);
    ck_assert_ptr_nonnull(strstr(r.why_quad, "quadrature: divergent"));
    el_estimate e = { 2.0, 0.1, 100 }, nan_se = { 2.0, NAN, 100 };
    el_eval_set_mc(&r, EL_OK, &e);
    ck_assert(r.has_mc && r.why_mc[0] == '\0');
    el_eval_set_mc(&r, EL_OK, &nan_se);
    ck_assert(!r.has_mc && r.why_mc[0]);
    el_estimate constant = { 4.95, 0.0, 4000 }, zero = { 0.0, 0.0, 4000 };
    el_eval_set_mc(&r, EL_OK, &constant); /* a rare outcome never drawn */
    ck_assert(!r.has_mc && strstr(r.why_mc, "all 4000 draws"));
    el_eval_set_mc(&r, EL_OK, &zero); /* KL(p||p) */
    ck_assert(r.has_mc);
}
END_TEST

/* Disagreement beyond the error bars is found and named; agreement within
 * them, or a single route, is not a disagreement. */
START_TEST(routes_disagree)
{
    el_eval_result r;
    memset(&r, 0, sizeof r);
    char msg[512] = "";
    r.has_closed = 1;
    r.closed = 1.0;
    r.has_quad = 1;
    r.quad = (el_quad_result){ 1.0 + 1e-12, 1e-11 };
    r.has_mc = 1;
    r.mc = (el_estimate){ 1.04, 0.01, 1000 };
    ck_assert_int_eq(el_eval_disagreement(&r, msg, sizeof msg), 0);
    r.mc.value = 1.06; /* 6 se away */
    ck_assert_int_eq(el_eval_disagreement(&r, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "Monte Carlo"));
    r.mc.value = 1.0;
    r.quad.value = 1.0 + 1e-6; /* beyond abserr + 1e-9 */
    ck_assert_int_eq(el_eval_disagreement(&r, msg, sizeof msg), 1);
    ck_assert_ptr_nonnull(strstr(msg, "quadrature"));
    r.has_closed = r.has_mc = 0;
    ck_assert_int_eq(el_eval_disagreement(&r, msg, sizeof msg), 0);
}
END_TEST

/* ---- property test: every eval name over wide valid ranges ---------------
 * Means up to 1e3 apart, standard deviations from 1e-4 to 1e4, covariances
 * with condition number up to 1e6.  Every route eval shows is compared with
 * an independent formula: quadrature with the closed form within
 * el_quad_tolerance, Monte Carlo within 5 standard errors (and the rounding
 * floor of the verdicts); where there is no closed form, the routes with each
 * other or with a bound.  The draws are seeded: the test is deterministic. */

#define PROP_DRAWS   30 /* per name; ELBOLAB_SWEEP=N runs N (the longer sweep) */
#define PROP_SAMPLES 4000

typedef struct {
    gsl_rng *r;
    char buf[8][512];
    char *argv[8];
    int argc;
} draw;

static double unif(draw *d, double lo, double hi)
{
    return lo + (hi - lo) * gsl_rng_uniform(d->r);
}

static double logu(draw *d, double lo, double hi)
{
    return exp(unif(d, log(lo), log(hi)));
}

static void arg(draw *d, const char *key, const double *v, size_t n, size_t rows)
{
    char *b = d->buf[d->argc];
    size_t at = (size_t)snprintf(b, 512, "%s=", key);
    if (rows == 0)
        snprintf(b + at, 512 - at, "%.17g", v[0]);
    else {
        size_t cols = n / rows;
        for (size_t i = 0; i < rows * cols; i++) {
            const char *open =
                rows > 1 ? (i % cols == 0 ? (i == 0 ? "[[" : "[") : "") : (i == 0 ? "[" : "");
            at += (size_t)snprintf(b + at, 512 - at, "%s%.17g", open, v[i]);
            int row_end = (i + 1) % cols == 0;
            const char *close =
                rows > 1 ? (row_end ? (i + 1 == n ? "]]" : "],") : ",") : (i + 1 == n ? "]" : ",");
            at += (size_t)snprintf(b + at, 512 - at, "%s", close);
        }
    }
    d->argv[d->argc] = b;
    d->argc++;
}

static void scalar(draw *d, const char *key, double x)
{
    arg(d, key, &x, 1, 0);
}

/* A d x d covariance R diag(lambda) R' with condition number up to 1e6 and
 * a scale from 1e-4 to 1e4 (standard deviations). */
static void covariance(draw *d, size_t dim, double *S)
{
    double sd = logu(d, 1e-4, 1e4), lam[3], R[9] = { 0 };
    for (size_t i = 0; i < dim; i++)
        lam[i] = sd * sd * (i == 0 ? 1.0 : logu(d, 1e-6, 1.0));
    double th = unif(d, 0, M_PI), c = cos(th), s = sin(th);
    for (size_t i = 0; i < dim; i++)
        R[i * dim + i] = 1.0;
    R[0] = c, R[1] = -s, R[dim] = s, R[dim + 1] = c; /* a rotation in the first plane */
    for (size_t i = 0; i < dim; i++)
        for (size_t j = 0; j < dim; j++) {
            double a = 0.0;
            for (size_t k = 0; k < dim; k++)
                a += R[i * dim + k] * lam[k] * R[j * dim + k];
            S[i * dim + j] = a;
        }
    for (size_t i = 0; i < dim; i++) /* exactly symmetric */
        for (size_t j = 0; j < i; j++)
            S[i * dim + j] = S[j * dim + i];
}

static void means(draw *d, double *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        m[i] = unif(d, -1e3, 1e3);
}

/* Fills D's arguments for NAME (draw I); 0 if NAME has no numeric routes. */
static int make_args(draw *d, const char *name, int i)
{
    double m0[3], m1[3], s0[3], s1[3], S0[9], S1[9];
    size_t dim = 1 + (size_t)i % 3;
    d->argc = 0;
    means(d, m0, 3);
    means(d, m1, 3);
    for (int k = 0; k < 3; k++)
        s0[k] = logu(d, 1e-4, 1e4), s1[k] = logu(d, 1e-4, 1e4);
    if (strcmp(name, "kl.normal") == 0) {
        scalar(d, "mu1", m0[0]), scalar(d, "sigma1", s0[0]);
        scalar(d, "mu2", m1[0]), scalar(d, "sigma2", s1[0]);
    } else if (strcmp(name, "kl.normal_std") == 0) {
        scalar(d, "mu", m0[0]), scalar(d, "sigma", s0[0]);
    } else if (strcmp(name, "kl.mvn") == 0) {
        covariance(d, dim, S0), covariance(d, dim, S1);
        arg(d, "mu0", m0, dim, 1), arg(d, "Sigma0", S0, dim * dim, dim == 1 ? 0 : dim);
        arg(d, "mu1", m1, dim, 1), arg(d, "Sigma1", S1, dim * dim, dim == 1 ? 0 : dim);
    } else if (strcmp(name, "kl.diag") == 0) {
        arg(d, "mu0", m0, dim, 1), arg(d, "sigma0", s0, dim, 1);
        arg(d, "mu1", m1, dim, 1), arg(d, "sigma1", s1, dim, 1);
    } else if (strcmp(name, "kl.discrete") == 0) {
        double p[6], q[6], sp = 0, sq = 0;
        size_t n = 2 + (size_t)i % 5;
        for (size_t k = 0; k < n; k++)
            sp += p[k] = logu(d, 1e-6, 1.0), sq += q[k] = logu(d, 1e-6, 1.0);
        for (size_t k = 0; k < n; k++)
            p[k] /= sp, q[k] /= sq;
        arg(d, "p", p, n, 1), arg(d, "q", q, n, 1);
    } else if (strcmp(name, "elbo.gauss") == 0 || strcmp(name, "iwae.gauss") == 0) {
        scalar(d, "a", unif(d, -1e3, 1e3)), scalar(d, "b", m0[1]);
        scalar(d, "noise", logu(d, 1e-4, 1e4)), scalar(d, "x", m0[0]);
        scalar(d, "q_mu", m1[0]), scalar(d, "q_sigma", logu(d, 1e-4, 1e4));
        if (name[0] == 'i')
            scalar(d, "k", i % 2 ? 1.0 : floor(logu(d, 2, 50)));
    } else if (strncmp(name, "fit.", 4) == 0) {
        double w[3], sw = 0;
        for (size_t k = 0; k < dim; k++)
            sw += w[k] = unif(d, 0.1, 1.0);
        for (size_t k = 0; k < dim; k++)
            w[k] /= sw, s0[k] = logu(d, 1e-2, 1e2); /* the fits' own solver range */
        arg(d, "w", w, dim, 1), arg(d, "m", m0, dim, 1), arg(d, "s", s0, dim, 1);
    } else
        return 0;
    return 1;
}

static double rounding(double v)
{
    return fmax(EL_QUAD_ABS, EL_QUAD_REL * fabs(v));
}

/* The routes of R agree with the independent value WANT (exact). */
static void against(const char *what, double want, const el_eval_result *r, const char *ctx)
{
    if (r->has_quad)
        ck_assert_msg(el_agrees_quad(want, &r->quad), "%s: quadrature %.17g +- %g vs %s %.17g", ctx,
                      r->quad.value, r->quad.abserr, what, want);
    if (r->has_mc)
        ck_assert_msg(fabs(r->mc.value - want) <= EL_MC_SIGMAS * r->mc.se + rounding(want),
                      "%s: Monte Carlo %.17g +- %g vs %s %.17g", ctx, r->mc.value, r->mc.se, what,
                      want);
}

static double extra(const el_eval_result *r, const char *key)
{
    json_t *v = r->extra ? json_object_get(r->extra, key) : NULL;
    ck_assert_ptr_nonnull(v);
    return json_number_value(v);
}

/* The independent checks of one result. */
static void check_result(const char *name, const el_params *p, const el_eval_result *r,
                         const char *ctx)
{
    if (strcmp(name, "iwae.gauss") == 0 && !r->has_closed) {
        /* L_1 = ELBO <= L_k <= log p(x) */
        ck_assert_msg(r->has_mc, "%s: no Monte Carlo (%s)", ctx, r->why_mc);
        double lo = extra(r, "elbo"), hi = extra(r, "log_evidence");
        double slack = EL_MC_SIGMAS * r->mc.se + rounding(hi);
        ck_assert_msg(r->mc.value >= lo - slack && r->mc.value <= hi + slack,
                      "%s: L_k %.17g +- %g outside [%.17g, %.17g]", ctx, r->mc.value, r->mc.se, lo,
                      hi);
        return;
    }
    if (strncmp(name, "fit.", 4) == 0) {
        double kl = extra(r, "kl");
        ck_assert_msg(r->has_quad, "%s: quadrature unavailable: %s", ctx, r->why_quad);
        against("the solver's KL", kl, r, ctx);
        if (name[4] == 'i') { /* moment matching */
            size_t K;
            const double *w, *m, *s;
            el_params_vector(p, "w", &K, &w), el_params_vector(p, "m", &K, &m);
            el_params_vector(p, "s", &K, &s);
            double mu = 0, m2 = 0;
            for (size_t k = 0; k < K; k++)
                mu += w[k] * m[k], m2 += w[k] * (s[k] * s[k] + m[k] * m[k]);
            ck_assert(el_close(extra(r, "mu"), mu, 1e-9, 1e-9));
            ck_assert(el_close(extra(r, "sigma"), sqrt(m2 - mu * mu), 1e-6, 1e-9));
        }
        return;
    }
    ck_assert_msg(r->has_closed, "%s: no closed form", ctx);
    if (strcmp(name, "elbo.gauss") == 0) /* log p(x) - KL(q || p(z|x)) */
        ck_assert(el_close(r->closed, extra(r, "log_evidence") - extra(r, "kl_to_posterior"), 1e-9,
                           1e-9));
    /* a discrete p may have outcomes too rare for the sample: unavailable then */
    int rare = strcmp(name, "kl.discrete") == 0 && r->why_mc[0];
    ck_assert_msg(r->has_mc || rare || !isfinite(r->closed), "%s: Monte Carlo unavailable: %s", ctx,
                  r->why_mc);
    ck_assert_msg(!r->why_quad[0], "%s: quadrature unavailable: %s", ctx, r->why_quad);
    against("the closed form", r->closed, r, ctx);
}

START_TEST(every_eval_at_wide_valid_ranges)
{
    draw d;
    d.r = el_rng_alloc(2024);
    el_eval_opts o = { 7, PROP_SAMPLES };
    const char *sweep = getenv("ELBOLAB_SWEEP");
    int draws = sweep && atoi(sweep) > 0 ? atoi(sweep) : PROP_DRAWS;
    for (size_t e = 0; e < el_topics_eval_count(); e++) {
        const el_eval *ev = el_topics_eval_at(e);
        for (int i = 0; i < draws; i++) {
            if (!make_args(&d, ev->name, i)) {
                ck_assert_str_eq(ev->name, "em.gmm"); /* the one name without routes */
                break;
            }
            char ctx[4200];
            size_t at = (size_t)snprintf(ctx, sizeof ctx, "%s", ev->name);
            for (int k = 0; k < d.argc; k++)
                at += (size_t)snprintf(ctx + at, sizeof ctx - at, " %s", d.argv[k]);
            el_params p = { 0 };
            el_eval_result r;
            ck_assert_int_eq(el_params_parse(&p, d.argc, d.argv), EL_OK);
            ck_assert_msg(el_eval_run(ev, &p, &o, &r) == EL_OK, "%s: %s", ctx, el_errmsg());
            check_result(ev->name, &p, &r, ctx);
            el_eval_result_free(&r);
            el_params_free(&p);
        }
    }
    el_rng_free(d.r);
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, parse_shapes);
    tcase_add_test(core, parse_expressions);
    tcase_add_test(core, routes_credible_or_unavailable);
    tcase_add_test(core, routes_disagree);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, parse_errors);
    tcase_add_test(lim, eval_unknown_and_missing);
    tcase_add_test(lim, every_eval_at_wide_valid_ranges);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(eval_suite)
