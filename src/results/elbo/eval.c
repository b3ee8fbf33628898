/* eval.c -- `elbolab eval elbo.gauss` and `iwae.gauss`: the scalar
 * conjugate model z ~ N(0,1), x | z ~ N(a z + b, noise^2) with
 * q = N(q_mu, q_sigma^2). */
#include "results/elbo/elbo_topic.h"
#include "eval/el_eval.h"
#include "results/elbo/el_elbo.h"
#include "core/el_core.h"

#include <math.h>

#define ELBO_SAMPLES    200000    /* Monte Carlo draws for elbo.gauss */
#define IWAE_DRAWS      1000000.0 /* default draws for iwae.gauss: bounds = max(20, 1e6/k) */
#define IWAE_MIN_BOUNDS 20
#define IWAE_KMAX       1000000

/* Reads the six keys of the model and q, validated. */
static int read_model(const el_params *p, el_lg1 *m, double *q_mu, double *q_sigma)
{
    int s = el_params_scalar(p, "x", &m->x);
    if (!s)
        s = el_params_scalar(p, "a", &m->a);
    if (!s)
        s = el_params_scalar(p, "b", &m->b);
    if (!s)
        s = el_params_scalar(p, "noise", &m->noise);
    if (!s)
        s = el_params_scalar(p, "q_mu", q_mu);
    if (!s)
        s = el_params_scalar(p, "q_sigma", q_sigma);
    if (!s)
        s = el_lg1_validate(m, *q_mu, *q_sigma);
    return s;
}

int el_elbo_eval_elbo(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    el_lg1 m;
    double qm, qs, kl;
    el_elbo_terms e;
    int s = read_model(p, &m, &qm, &qs);
    if (!s)
        s = el_lg1_elbo(&m, qm, qs, &e);
    if (!s)
        s = el_lg1_kl_posterior(&m, qm, qs, &kl);
    if (s)
        return s;
    res->has_closed = 1;
    res->closed = e.elbo;
    s = el_eval_extra(res, "log_evidence", json_real(el_lg1_log_evidence(&m)));
    if (!s)
        s = el_eval_extra(res, "kl_to_posterior", json_real(kl));
    if (s)
        return s;
    el_quad_result qr = { NAN, NAN };
    el_eval_set_quad(res, el_lg1_elbo_quad(&m, qm, qs, &qr), &qr);
    gsl_rng *r = el_rng_alloc(o->seed);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_estimate mc = { NAN, NAN, 0 };
    s = el_lg1_elbo_mc(&m, qm, qs, o->samples ? o->samples : ELBO_SAMPLES, r, &mc);
    el_eval_set_mc(res, s, &mc);
    el_rng_free(r);
    return EL_OK;
}

/* Reads k: a whole number in 1..IWAE_KMAX. */
static int read_k(const el_params *p, size_t *k)
{
    double v;
    int s = el_params_scalar(p, "k", &v);
    if (s)
        return s;
    if (!isfinite(v) || v != floor(v) || v < 1.0 || v > IWAE_KMAX)
        return EL_ERROR(EL_EDOM, "k must be a whole number in 1..%d, got %g", IWAE_KMAX, v);
    *k = (size_t)v;
    return EL_OK;
}

int el_elbo_eval_iwae(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    el_lg1 m;
    double qm, qs;
    size_t k = 0;
    el_elbo_terms e;
    int s = read_model(p, &m, &qm, &qs);
    if (!s)
        s = read_k(p, &k);
    if (!s)
        s = el_lg1_elbo(&m, qm, qs, &e);
    if (s)
        return s;
    res->has_closed = k == 1; /* L_1 is the ELBO; no closed form beyond */
    res->closed = e.elbo;
    s = el_eval_extra(res, "log_evidence", json_real(el_lg1_log_evidence(&m)));
    if (!s)
        s = el_eval_extra(res, "elbo", json_real(e.elbo));
    if (!s)
        s = el_eval_extra(res, "k", json_integer((json_int_t)k));
    size_t bounds = o->samples ? o->samples : (size_t)fmax(IWAE_MIN_BOUNDS, IWAE_DRAWS / (double)k);
    if (s)
        return s;
    gsl_rng *r = el_rng_alloc(o->seed);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_estimate mc = { NAN, NAN, 0 };
    el_eval_set_mc(res, el_lg1_iwae_mc(&m, qm, qs, k, bounds, r, &mc), &mc);
    el_rng_free(r);
    return EL_OK;
}
