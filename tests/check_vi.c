/* check_vi.c -- the inclusive / exclusive fit solvers, their inputs, the vi
 * evaluators.  The exclusive optima are compared with an independent
 * implementation written here: GSL Nelder-Mead on KL(q||p) by el_kl_quad1. */
#include <check.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "check/el_check.h"
#include "core/el_core.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/kl/el_kl.h"
#include "results/vi/el_vi.h"
#include "results/vi/vi_topic.h" /* the topic's figures */
#include "topics/el_topics.h"

/* ---- an independent exclusive fit ------------------------------------------ */

typedef struct {
    const el_mix *p;
} nm_ctx;

/* KL(N(x0, exp(x1)^2) || p) by el_kl_quad1. */
static double nm_kl(const gsl_vector *x, void *v)
{
    const nm_ctx *c = v;
    el_gauss q = { gsl_vector_get(x, 0), exp(gsl_vector_get(x, 1)) };
    el_density1 dq = el_gauss_density(&q), dp = el_mix_density(c->p);
    el_quad_result r;
    return el_kl_quad1(&dq, &dp, 1.0, &r) == EL_OK ? r.value : GSL_NAN;
}

/* Nelder-Mead from (MU, SIGMA) to a simplex of size 1e-8; overwrites them and
 * returns the minimal KL. */
static double nm_fit(size_t K, const double *w, const double *m, const double *s, double *mu,
                     double *sigma)
{
    int st;
    el_mix *p = el_mix_alloc(K, w, m, s, &st);
    ck_assert_ptr_nonnull(p);
    nm_ctx c = { p };
    gsl_multimin_function F = { nm_kl, 2, &c };
    gsl_multimin_fminimizer *nm =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2);
    gsl_vector *x = gsl_vector_alloc(2), *step = gsl_vector_alloc(2);
    gsl_vector_set(x, 0, *mu);
    gsl_vector_set(x, 1, log(*sigma));
    gsl_vector_set_all(step, 0.1);
    gsl_multimin_fminimizer_set(nm, &F, x, step);
    for (int it = 0; it < 2000; it++) {
        gsl_multimin_fminimizer_iterate(nm);
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(nm), 1e-8) == GSL_SUCCESS)
            break;
    }
    *mu = gsl_vector_get(nm->x, 0);
    *sigma = exp(gsl_vector_get(nm->x, 1));
    double f = nm->fval;
    gsl_multimin_fminimizer_free(nm);
    gsl_vector_free(x);
    gsl_vector_free(step);
    el_mix_free(p);
    return f;
}

/* The solver's global optimum agrees with Nelder-Mead started near it (1e-5
 * in mu and sigma relative to the scale, 1e-6 in KL). */
static void assert_global_matches_nm(size_t K, const double *w, const double *m, const double *s,
                                     double scale)
{
    el_vi_optimum o[16];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_exclusive(K, w, m, s, o, 16, &n, &g), EL_OK);
    double mu = o[g].mu + 0.1 * scale, sigma = o[g].sigma * 1.1;
    double kl = nm_fit(K, w, m, s, &mu, &sigma);
    ck_assert_msg(fabs(mu - o[g].mu) < 1e-5 * scale, "mu %.12g vs NM %.12g", o[g].mu, mu);
    ck_assert_msg(fabs(sigma - o[g].sigma) < 1e-5 * scale, "sigma %.12g vs NM %.12g", o[g].sigma,
                  sigma);
    ck_assert_msg(fabs(kl - o[g].kl) < 1e-6, "KL %.12g vs NM %.12g", o[g].kl, kl);
    ck_assert(o[g].global);
}

/* ---- Core ------------------------------------------------------------------------- */

static const double hw_w[] = { 1.0 / 3.0, 2.0 / 3.0 }, hw_m[] = { -1.0, 1.0 },
                    hw_s[] = { 1.0, 1.0 };

START_TEST(inclusive_is_moment_matching)
{
    double mu, sigma, kl;
    ck_assert_int_eq(el_vi_fit_inclusive(2, hw_w, hw_m, hw_s, &mu, &sigma, &kl), EL_OK);
    ck_assert(el_close(mu, 1.0 / 3.0, 1e-14, 1e-15));
    ck_assert(el_close(sigma * sigma, 17.0 / 9.0, 1e-14, 0));
    /* KL(p||q) by el_kl_quad1 in x */
    int s;
    el_mix *p = el_mix_alloc(2, hw_w, hw_m, hw_s, &s);
    el_gauss q = { mu, sigma };
    el_density1 dp = el_mix_density(p), dq = el_gauss_density(&q);
    el_quad_result r;
    ck_assert_int_eq(el_kl_quad1(&dp, &dq, 1.0, &r), EL_OK);
    ck_assert_msg(el_agrees_quad(kl, &r), "KL %.15g vs %.15g", kl, r.value);
    el_mix_free(p);
    /* kl may be NULL */
    ck_assert_int_eq(el_vi_fit_inclusive(2, hw_w, hw_m, hw_s, &mu, &sigma, NULL), EL_OK);
}
END_TEST

START_TEST(inclusive_single_component_is_exact)
{
    double w = 1.0, m = -2.385, s = 0.37, mu, sigma, kl;
    ck_assert_int_eq(el_vi_fit_inclusive(1, &w, &m, &s, &mu, &sigma, &kl), EL_OK);
    ck_assert(mu == m && el_close(sigma, s, 1e-15, 0));
    ck_assert(fabs(kl) < 1e-12);
}
END_TEST

START_TEST(exclusive_homework_matches_independent_fit)
{
    assert_global_matches_nm(2, hw_w, hw_m, hw_s, 1.0);
    el_vi_optimum o[4];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_exclusive(2, hw_w, hw_m, hw_s, o, 4, &n, &g), EL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(g, 0);
    ck_assert(o[0].sigma < sqrt(17.0 / 9.0)); /* narrower than the inclusive fit */
}
END_TEST

START_TEST(exclusive_other_mixtures_match_independent_fit)
{
    const double w3[] = { 0.2, 0.3, 0.5 }, m3[] = { -4.0, 0.15, 5.0 }, s3[] = { 0.3, 2.0, 0.5 };
    assert_global_matches_nm(3, w3, m3, s3, 1.0);
    const double w2[] = { 0.7, 0.3 }, m2[] = { 0.0, 1.3 }, s2[] = { 0.6, 0.25 };
    assert_global_matches_nm(2, w2, m2, s2, 1.0);
    /* the same shape at scale 1e3, shifted: the solver is scale-free */
    const double m2b[] = { 250.0, 1550.0 }, s2b[] = { 600.0, 250.0 };
    assert_global_matches_nm(2, w2, m2b, s2b, 1e3);
}
END_TEST

START_TEST(exclusive_finds_every_optimum_of_two_modes)
{
    const double w[] = { 0.5, 0.5 }, m[] = { -3.0, 3.0 }, s[] = { 1.0, 1.0 };
    el_vi_optimum o[8];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_exclusive(2, w, m, s, o, 8, &n, &g), EL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(g, 0);
    /* two mirror-image global optima (ordered by mu), then the symmetric one */
    ck_assert(o[0].global && o[1].global && !o[2].global);
    ck_assert(o[0].mu < 0 && el_close(o[1].mu, -o[0].mu, 1e-9, 1e-12));
    ck_assert(el_close(o[0].sigma, o[1].sigma, 1e-9, 0));
    ck_assert(fabs(o[2].mu) < 1e-9 && o[2].kl > o[0].kl);
    ck_assert(o[0].kl <= o[1].kl + 1e-9 && o[1].kl < o[2].kl);
    /* max_optima = 1 keeps the best only */
    ck_assert_int_eq(el_vi_fit_exclusive(2, w, m, s, o, 1, &n, &g), EL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(o[0].global && o[0].mu < 0);
}
END_TEST

START_TEST(exclusive_of_a_gaussian_is_itself)
{
    const double w[] = { 0.25, 0.75 }, m[] = { 1.7, 1.7 }, s[] = { 0.45, 0.45 };
    el_vi_optimum o[4];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_exclusive(2, w, m, s, o, 4, &n, &g), EL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(el_close(o[0].mu, 1.7, 1e-9, 0) && el_close(o[0].sigma, 0.45, 1e-9, 0));
    ck_assert(fabs(o[0].kl) < 1e-12);
}
END_TEST

/* ---- Limits ------------------------------------------------------------------------ */

/* Both solvers reject the mixture with status ST and a message containing MSG. */
static void assert_rejected(size_t K, const double *w, const double *m, const double *s, int st,
                            const char *msg)
{
    double mu, sigma, kl;
    el_vi_optimum o[4];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_inclusive(K, w, m, s, &mu, &sigma, &kl), st);
    ck_assert_msg(strstr(el_errmsg(), msg), "message '%s' lacks '%s'", el_errmsg(), msg);
    ck_assert_int_eq(el_vi_fit_exclusive(K, w, m, s, o, 4, &n, &g), st);
    ck_assert_msg(strstr(el_errmsg(), msg), "message '%s' lacks '%s'", el_errmsg(), msg);
}

START_TEST(bad_mixtures_rejected)
{
    const double w[] = { 0.5, 0.5 }, m[] = { -1.0, 1.0 }, s[] = { 1.0, 1.0 };
    const double w_sum[] = { 0.5, 0.4 }, w_neg[] = { 1.5, -0.5 }, w_nan[] = { NAN, 1.0 };
    const double s_neg[] = { 1.0, -2.0 }, s_zero[] = { 0.0, 1.0 }, m_inf[] = { INFINITY, 1.0 };
    assert_rejected(2, w_sum, m, s, EL_EDOM, "w must sum to 1");
    assert_rejected(2, w_neg, m, s, EL_EDOM, "w[1]");
    assert_rejected(2, w_nan, m, s, EL_EDOM, "w[0]");
    assert_rejected(2, w, m, s_neg, EL_EDOM, "s[1] must be > 0");
    assert_rejected(2, w, m, s_zero, EL_EDOM, "s[0] must be > 0");
    assert_rejected(2, w, m_inf, s, EL_EDOM, "m[0] must be finite");
    assert_rejected(0, w, m, s, EL_EDOM, "at least one");
    assert_rejected(2, NULL, m, s, EL_EUSAGE, "NULL");
    assert_rejected(EL_VI_MAX_COMPONENTS + 1, w, m, s, EL_ELIMIT, "at most");
}
END_TEST

START_TEST(bad_outputs_rejected)
{
    el_vi_optimum o[2];
    size_t n, g;
    double mu;
    ck_assert_int_eq(el_vi_fit_exclusive(2, hw_w, hw_m, hw_s, o, 0, &n, &g), EL_EUSAGE);
    ck_assert_int_eq(el_vi_fit_exclusive(2, hw_w, hw_m, hw_s, NULL, 2, &n, &g), EL_EUSAGE);
    ck_assert_int_eq(el_vi_fit_exclusive(2, hw_w, hw_m, hw_s, o, 2, NULL, &g), EL_EUSAGE);
    ck_assert_int_eq(el_vi_fit_inclusive(2, hw_w, hw_m, hw_s, &mu, NULL, NULL), EL_EUSAGE);
}
END_TEST

START_TEST(extreme_scales)
{
    /* a very narrow and a very wide component far apart: both optima found
     * (the narrow one is located to round-off in units of its width) */
    const double w[] = { 0.4, 0.6 }, m[] = { -1e4, 2e4 }, s[] = { 1e-3, 5e3 };
    el_vi_optimum o[4];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_exclusive(2, w, m, s, o, 4, &n, &g), EL_OK);
    /* one fit per component, each nearly exact: KL = -log w_k */
    ck_assert_uint_eq(n, 2);
    ck_assert(el_close(o[0].mu, 2e4, 1e-6, 0) && el_close(o[0].kl, -log(0.6), 1e-6, 0));
    ck_assert(el_close(o[1].mu, -1e4, 1e-9, 0) && el_close(o[1].sigma, 1e-3, 1e-6, 0));
    ck_assert(el_close(o[1].kl, -log(0.4), 1e-6, 0));
    double mu, sigma, kl;
    ck_assert_int_eq(el_vi_fit_inclusive(2, w, m, s, &mu, &sigma, &kl), EL_OK);
    ck_assert(isfinite(kl) && kl > 0);
}
END_TEST

/* ---- evaluators ---------------------------------------------------------------------- */

/* Runs `eval NAME ARGV...` into RES; returns the status. */
static int run_eval(const char *name, int argc, char **argv, el_eval_result *res)
{
    const el_eval *e = el_topics_eval_find(name);
    ck_assert_ptr_nonnull(e);
    el_params p = { 0 };
    int s = el_params_parse(&p, argc, argv);
    el_eval_opts o = { 20241, 2000 };
    if (s == EL_OK)
        s = el_eval_run(e, &p, &o, res);
    el_params_free(&p);
    return s;
}

static double extra_real(const el_eval_result *r, const char *key)
{
    json_t *v = json_object_get(r->extra, key);
    ck_assert_msg(json_is_real(v), "extra %s missing", key);
    return json_real_value(v);
}

START_TEST(eval_inclusive_exact)
{
    char *argv[] = { "w=[0.25,0.75]", "m=[-1.5,2]", "s=[0.5,1.25]" };
    el_eval_result r;
    ck_assert_int_eq(run_eval("fit.inclusive", 3, argv, &r), EL_OK);
    double mu = 0.25 * -1.5 + 0.75 * 2.0;
    double var = 0.25 * (0.25 + 2.25) + 0.75 * (1.5625 + 4.0) - mu * mu;
    ck_assert(el_close(extra_real(&r, "mu"), mu, 1e-9, 1e-12));
    ck_assert(el_close(extra_real(&r, "sigma"), sqrt(var), 1e-9, 0));
    ck_assert(!r.has_closed); /* no closed form for a two-component mixture */
    ck_assert(r.has_quad && el_agrees_quad(extra_real(&r, "kl"), &r.quad));
    ck_assert(r.has_mc && el_agrees_mc(extra_real(&r, "kl"), &r.mc));
    el_eval_result_free(&r);
    char *one[] = { "w=1", "m=0.7", "s=2.1" };
    ck_assert_int_eq(run_eval("fit.inclusive", 3, one, &r), EL_OK);
    ck_assert(r.has_closed && r.closed == 0.0);
    el_eval_result_free(&r);
}
END_TEST

START_TEST(eval_exclusive_lists_optima)
{
    char *argv[] = { "w=[0.5,0.5]", "m=[-3,3]", "s=[1,1]" };
    el_eval_result r;
    ck_assert_int_eq(run_eval("fit.exclusive", 3, argv, &r), EL_OK);
    json_t *list = json_object_get(r.extra, "local_optima");
    ck_assert(json_is_array(list));
    ck_assert_uint_eq(json_array_size(list), 3);
    size_t nglobal = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *o = json_array_get(list, i);
        ck_assert(json_is_real(json_object_get(o, "mu")) &&
                  json_is_real(json_object_get(o, "sigma")));
        ck_assert(json_is_real(json_object_get(o, "kl")));
        nglobal += json_is_true(json_object_get(o, "global"));
    }
    ck_assert_uint_eq(nglobal, 2);
    json_t *first = json_array_get(list, 0);
    ck_assert(extra_real(&r, "mu") == json_real_value(json_object_get(first, "mu")));
    ck_assert(fabs(fabs(extra_real(&r, "mu")) - 3.0) < 0.05);
    ck_assert(r.has_quad && el_agrees_quad(extra_real(&r, "kl"), &r.quad));
    el_eval_result_free(&r);
}
END_TEST

START_TEST(eval_bad_inputs)
{
    struct {
        const char *name;
        char *argv[3];
        int argc;
        const char *msg;
    } bad[] = {
        { "fit.inclusive", { "w=[0.5,0.5]", "m=[0,1]", "s=[1]" }, 3, "same length" },
        { "fit.exclusive", { "w=[0.5,0.4]", "m=[0,1]", "s=[1,1]" }, 3, "w must sum to 1" },
        { "fit.exclusive", { "w=[0.5,0.5]", "m=[0,1]", "s=[1,-1]" }, 3, "s[1] must be > 0" },
        { "fit.inclusive", { "w=[0.5,0.5]", "m=[0,1]", NULL }, 2, "needs parameter s" },
        { "fit.inclusive", { "w=[[1]]", "m=1", "s=1" }, 3, "must be a vector" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        el_eval_result r;
        ck_assert_int_eq(run_eval(bad[i].name, bad[i].argc, bad[i].argv, &r), EL_EDOM);
        ck_assert_msg(strstr(el_errmsg(), bad[i].msg), "'%s' lacks '%s'", el_errmsg(), bad[i].msg);
        el_eval_result_free(&r);
    }
}
END_TEST

/* ---- the evidence of the tiny decoder ------------------------------------------------------ */

START_TEST(evidence_grid_counts_and_converges)
{
    static const size_t nodes[EL_VI_MAX_LATENT] = { 200, 64, 16, 8, 5 };
    for (size_t d = 1; d <= EL_VI_MAX_LATENT; d++)
        ck_assert_uint_eq(el_vi_budget_nodes(d, 4096), nodes[d - 1]);
    double a, b;
    size_t ea, eb;
    ck_assert_int_eq(el_vi_evidence_grid(2, 7, &a, &ea), EL_OK);
    ck_assert_uint_eq(ea, 49);
    /* d = 1: 100 and 200 Gauss-Hermite nodes agree to 1e-7 */
    ck_assert_int_eq(el_vi_evidence_grid(1, 100, &a, &ea), EL_OK);
    ck_assert_int_eq(el_vi_evidence_grid(1, 200, &b, &eb), EL_OK);
    ck_assert_uint_eq(eb, 200);
    ck_assert_msg(el_close(a, b, 1e-7, 0), "%.15g vs %.15g", a, b);
    /* importance sampling agrees with the converged grid within 5 se */
    gsl_rng *r = el_rng_alloc(7);
    el_estimate e;
    ck_assert_int_eq(el_vi_evidence_is(1, 4000, r, &e), EL_OK);
    ck_assert_msg(el_agrees_mc(b, &e), "IS %.6g +- %.2g vs grid %.9g", e.value, e.se, b);
    el_rng_free(r);
}
END_TEST

START_TEST(evidence_bad_arguments)
{
    double v;
    size_t ev;
    el_estimate e;
    gsl_rng *r = el_rng_alloc(7);
    ck_assert_int_eq(el_vi_evidence_grid(0, 5, &v, &ev), EL_EDOM);
    ck_assert_int_eq(el_vi_evidence_grid(EL_VI_MAX_LATENT + 1, 5, &v, &ev), EL_EDOM);
    ck_assert_int_eq(el_vi_evidence_grid(2, EL_VI_MAX_NODES + 1, &v, &ev), EL_EDOM);
    ck_assert_int_eq(el_vi_evidence_grid(5, 200, &v, &ev), EL_ELIMIT);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "limit"));
    ck_assert_int_eq(el_vi_evidence_is(3, 1, r, &e), EL_EDOM);
    ck_assert_int_eq(el_vi_evidence_qmc(9, 64, 4, r, &e), EL_EDOM);
    ck_assert_int_eq(el_vi_evidence_plugin(0, &v), EL_EDOM);
    el_rng_free(r);
}
END_TEST

/* ---- figures ------------------------------------------------------------------------------ */

START_TEST(figures_write_scripts)
{
    size_t n = el_vi_topic.nfigures;
    const el_figure *figs = el_vi_topic.figures;
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        el_plot_opts o = { EL_PLOT_DUMB, NULL, 20241 };
        ck_assert_int_eq(el_plot_script(&figs[i], &o, f), EL_OK);
        fclose(f);
        ck_assert_msg(strstr(buf, "\nplot ") && strstr(buf, "EOD\n"), "%s: no data or plot",
                      figs[i].id);
        ck_assert_msg(!strstr(buf, "nan") && !strstr(buf, "inf"), "%s: non-finite data",
                      figs[i].id);
        ck_assert_ptr_nonnull(el_topics_check_find(figs[i].check));
        free(buf);
    }
}
END_TEST

/* A component of p much narrower than the Gaussian the expectation is over
 * makes a narrow bump of log p: the solver's panels must find it.  The
 * references are mpmath (30 digits) in x with breakpoints at every
 * component: 3.389531024259010 for this inclusive KL; and KL(N(0,100^2)||p)
 * = 0.691092752137092 < log 2 for the exclusive case below, whose wide fit
 * the spike makes the global optimum (a solver blind to the spike ranks it
 * at log 2 = 0.6931, behind the narrow fit's 0.69280). */
START_TEST(narrow_components_inside_wide_ones)
{
    const double w[] = { 0.4151616986678287, 0.20287612301579941, 0.38196217831637186 };
    const double m[] = { -502.28240294381976, -710.75447369366884, -684.75889833644032 };
    const double s[] = { 0.035211182001033223, 0.84718012380528129, 84.724730751165168 };
    double mu, sigma, kl;
    ck_assert_int_eq(el_vi_fit_inclusive(3, w, m, s, &mu, &sigma, &kl), EL_OK);
    ck_assert_msg(fabs(kl - 3.389531024259010) < 1e-9, "inclusive KL %.17g", kl);
    const double w2[] = { 0.5, 0.5 }, m2[] = { 0.0, 30.0 }, s2[] = { 100.0, 0.01 };
    el_vi_optimum o[4];
    size_t n, g;
    ck_assert_int_eq(el_vi_fit_exclusive(2, w2, m2, s2, o, 4, &n, &g), EL_OK);
    ck_assert_msg(o[g].sigma > 50.0 && o[g].kl < 0.691092752137092 + 1e-12,
                  "global optimum mu %g sigma %g KL %.17g", o[g].mu, o[g].sigma, o[g].kl);
}
END_TEST

/* Seed 46: Nelder-Mead's simplex stalled in vi.forward_objective (no
 * convergence in 5000 iterations); a restart where it stopped converges. */
static void assert_check_passes(const char *id, unsigned long seed)
{
    const el_check *c = el_topics_check_find(id);
    ck_assert_ptr_nonnull(c);
    el_check_opts o = { seed, 0 };
    el_check_result r;
    ck_assert_msg(el_check_run(c, &o, 0, &r) == EL_OK, "%s: %s", id, el_errmsg());
    ck_assert_msg(r.pass, "%s seed %lu: %s", id, seed, r.detail);
}

/* Seed 64: the RQMC reference's standard error from 8 shifts is a t with 7
 * degrees of freedom; the d = 1 grid was 13 "se" from it.  32 shifts. */
START_TEST(posterior_intractable_seed_64)
{
    assert_check_passes("vi.posterior_intractable", 64);
}
END_TEST

START_TEST(forward_objective_seed_46)
{
    const el_check *c = el_topics_check_find("vi.forward_objective");
    ck_assert_ptr_nonnull(c);
    el_check_opts o = { 46, 0 };
    el_check_result r;
    ck_assert_msg(el_check_run(c, &o, 0, &r) == EL_OK, "%s", el_errmsg());
    ck_assert_msg(r.pass, "%s", r.detail);
}
END_TEST

static Suite *vi_suite(void)
{
    Suite *s = suite_create("vi");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, inclusive_is_moment_matching);
    tcase_add_test(core, inclusive_single_component_is_exact);
    tcase_add_test(core, exclusive_homework_matches_independent_fit);
    tcase_add_test(core, exclusive_other_mixtures_match_independent_fit);
    tcase_add_test(core, exclusive_finds_every_optimum_of_two_modes);
    tcase_add_test(core, exclusive_of_a_gaussian_is_itself);
    tcase_add_test(core, eval_inclusive_exact);
    tcase_add_test(core, eval_exclusive_lists_optima);
    tcase_add_test(core, figures_write_scripts);
    tcase_add_test(core, evidence_grid_counts_and_converges);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, bad_mixtures_rejected);
    tcase_add_test(lim, bad_outputs_rejected);
    tcase_add_test(lim, extreme_scales);
    tcase_add_test(lim, narrow_components_inside_wide_ones);
    tcase_add_test(lim, forward_objective_seed_46);
    tcase_add_test(lim, posterior_intractable_seed_64);
    tcase_add_test(lim, eval_bad_inputs);
    tcase_add_test(lim, evidence_bad_arguments);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(vi_suite)
