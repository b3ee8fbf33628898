/* eval.c -- `elbolab eval fit.inclusive` and `fit.exclusive`: the Gaussian
 * fits of a 1-D mixture (w, m, s vectors), their KL three ways.
 *
 * JSON: "mu", "sigma", "kl" (the solver's fit and its KL); fit.exclusive adds
 * "local_optima" [{"mu", "sigma", "kl", "global"}, ...] sorted by KL, the
 * global one first.  "closed_form" is the fit's KL where one exists, i.e. 0
 * when p is itself a single Gaussian; otherwise null (the KL of a mixture and
 * a Gaussian has no closed form).  "quadrature" is the same KL by el_kl_quad1
 * in x (independent of the solver's quadrature), "monte_carlo" by
 * el_kl_mc1_defensive (draws from the average of the KL's two arguments,
 * weighted: a narrow component of p that q reaches rarely is not missed). */
#include "results/vi/vi_topic.h"
#include "results/kl/el_kl.h"
#include "eval/el_eval.h"
#include "core/el_core.h"

#include <math.h>

#define EVAL_SAMPLES 200000
#define MAX_OPT      16

/* The mixture from the parameters w, m, s (vectors of the same length). */
static int mixture_params(const el_params *p, size_t *K, const double **w, const double **m,
                          const double **s)
{
    size_t nw, nm, ns;
    int st = el_params_vector(p, "w", &nw, w);
    if (!st)
        st = el_params_vector(p, "m", &nm, m);
    if (!st)
        st = el_params_vector(p, "s", &ns, s);
    if (!st && (nm != nw || ns != nw))
        st = EL_ERROR(EL_EDOM, "w, m and s must have the same length, got %zu, %zu and %zu", nw, nm,
                      ns);
    *K = nw;
    return st;
}

/* 1 if every component with positive weight has the same mean and sd: p is
 * one Gaussian and both fits are exact (KL = 0). */
static int single_gaussian(size_t K, const double *w, const double *m, const double *s)
{
    size_t first = K;
    for (size_t k = 0; k < K; k++) {
        if (w[k] == 0.0)
            continue;
        if (first == K)
            first = k;
        else if (m[k] != m[first] || s[k] != s[first])
            return 0;
    }
    return 1;
}

/* Fills RES's closed form, quadrature and Monte Carlo parts for the KL of the
 * fit q = N(mu, sigma^2): KL(q||p) when EXCLUSIVE, else KL(p||q). */
static int kl_three_ways(size_t K, const double *w, const double *m, const double *s, double mu,
                         double sigma, int exclusive, const el_eval_opts *o, el_eval_result *res)
{
    int st;
    el_mix *p = el_mix_alloc(K, w, m, s, &st);
    if (!p)
        return st;
    el_gauss q = { mu, sigma };
    el_density1 dq = el_gauss_density(&q), dp = el_mix_density(p);
    const el_density1 *a = exclusive ? &dq : &dp, *b = exclusive ? &dp : &dq;
    res->has_closed = single_gaussian(K, w, m, s);
    res->closed = 0.0;
    el_quad_result qr = { NAN, NAN };
    el_eval_set_quad(res, el_kl_quad1(a, b, 1.0, &qr), &qr);
    gsl_rng *r = el_rng_alloc(o->seed);
    el_estimate mc = { NAN, NAN, 0 };
    st = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (r)
        el_eval_set_mc(
            res, el_kl_mc1_defensive(a, b, o->samples ? o->samples : EVAL_SAMPLES, r, &mc), &mc);
    el_rng_free(r);
    el_mix_free(p);
    return st;
}

/* The extras "mu", "sigma", "kl". */
static int fit_extras(el_eval_result *res, double mu, double sigma, double kl)
{
    int st = el_eval_extra(res, "mu", json_real(mu));
    if (!st)
        st = el_eval_extra(res, "sigma", json_real(sigma));
    if (!st)
        st = el_eval_extra(res, "kl", json_real(kl));
    return st;
}

int el_vi_eval_inclusive(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    size_t K;
    const double *w, *m, *s;
    double mu, sigma, kl;
    int st = mixture_params(p, &K, &w, &m, &s);
    if (!st)
        st = el_vi_fit_inclusive(K, w, m, s, &mu, &sigma, &kl);
    if (!st)
        st = fit_extras(res, mu, sigma, kl);
    if (!st)
        st = kl_three_ways(K, w, m, s, mu, sigma, 0, o, res);
    return st;
}

/* The list of optima as a JSON array of objects. */
static json_t *optima_json(const el_vi_optimum *opt, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *e = json_pack("{s:f, s:f, s:f, s:b}", "mu", opt[i].mu, "sigma", opt[i].sigma, "kl",
                              opt[i].kl, "global", opt[i].global);
        if (!e || json_array_append_new(a, e) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int el_vi_eval_exclusive(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    size_t K, n, g;
    const double *w, *m, *s;
    el_vi_optimum opt[MAX_OPT];
    int st = mixture_params(p, &K, &w, &m, &s);
    if (!st)
        st = el_vi_fit_exclusive(K, w, m, s, opt, MAX_OPT, &n, &g);
    if (!st)
        st = fit_extras(res, opt[g].mu, opt[g].sigma, opt[g].kl);
    if (!st)
        st = el_eval_extra(res, "local_optima", optima_json(opt, n));
    if (!st)
        st = kl_three_ways(K, w, m, s, opt[g].mu, opt[g].sigma, 1, o, res);
    return st;
}
