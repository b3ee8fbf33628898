/* eval.c -- `elbolab eval kl.*`: each KL closed form, with quadrature
 * (d <= 2) and Monte Carlo beside it. */
#include "results/kl/kl_topic.h"
#include "eval/el_eval.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define EVAL_SAMPLES 200000

static size_t samples(const el_eval_opts *o)
{
    return o->samples ? o->samples : EVAL_SAMPLES;
}

/* Fills RES's Monte Carlo route for 1-D q, p (unavailable with its reason
 * when the sampler fails); EL_OK unless memory runs out. */
static int mc1(const el_density1 *q, const el_density1 *p, const el_eval_opts *o,
               el_eval_result *res)
{
    gsl_rng *r = el_rng_alloc(o->seed);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_estimate e = { NAN, NAN, 0 };
    el_eval_set_mc(res, el_kl_mc1(q, p, samples(o), r, &e), &e);
    el_rng_free(r);
    return EL_OK;
}

/* Fills RES's quadrature and Monte Carlo routes for 1-D q, p. */
static int numeric1(const el_density1 *q, const el_density1 *p, const el_eval_opts *o,
                    el_eval_result *res)
{
    el_quad_result qr = { NAN, NAN };
    el_eval_set_quad(res, el_kl_quad1(q, p, 1.0, &qr), &qr);
    return mc1(q, p, o, res);
}

/* The quadrature route of KL(N(m0,S0)||N(m1,S1)) where it is feasible
 * (d <= 2): 1-D adaptive quadrature, or 2-D in q's whitened coordinates. */
static void quad_small(size_t d, const double *m0, const double *S0, const double *m1,
                       const double *S1, el_eval_result *res)
{
    if (d > 2)
        return;
    el_quad_result qr = { NAN, NAN };
    int s = EL_OK;
    if (d == 1) {
        el_gauss q = { m0[0], sqrt(S0[0]) }, p = { m1[0], sqrt(S1[0]) };
        el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&p);
        s = el_kl_quad1(&dq, &dp, 1.0, &qr);
    } else {
        el_mvn *q = el_mvn_alloc(2, m0, S0, "Sigma0", &s);
        el_mvn *p = q ? el_mvn_alloc(2, m1, S1, "Sigma1", &s) : NULL;
        if (p)
            s = el_kl_quad2_mvn(q, p, &qr);
        el_mvn_free(q);
        el_mvn_free(p);
    }
    el_eval_set_quad(res, s, &qr);
}

/* Fills RES's Monte Carlo route of KL(q||p) for d-dimensional densities. */
static int mc_d(const el_densityd *q, const el_densityd *p, const el_eval_opts *o,
                el_eval_result *res)
{
    gsl_rng *r = el_rng_alloc(o->seed);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_estimate e = { NAN, NAN, 0 };
    el_eval_set_mc(res, el_kl_mcd(q, p, samples(o), r, &e), &e);
    el_rng_free(r);
    return EL_OK;
}

int el_kl_eval_normal(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    double m1, s1, m2, s2;
    int s = el_params_scalar(p, "mu1", &m1);
    if (!s)
        s = el_params_scalar(p, "sigma1", &s1);
    if (!s)
        s = el_params_scalar(p, "mu2", &m2);
    if (!s)
        s = el_params_scalar(p, "sigma2", &s2);
    if (!s)
        s = el_kl_normal(m1, s1, m2, s2, &res->closed);
    if (s)
        return s;
    res->has_closed = 1;
    el_gauss q = { m1, s1 }, g = { m2, s2 };
    el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&g);
    return numeric1(&dq, &dp, o, res);
}

int el_kl_eval_normal_std(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    double m, sd;
    int s = el_params_scalar(p, "mu", &m);
    if (!s)
        s = el_params_scalar(p, "sigma", &sd);
    if (!s)
        s = el_kl_normal_std(m, sd, &res->closed);
    if (s)
        return s;
    res->has_closed = 1;
    el_gauss q = { m, sd }, g = { 0.0, 1.0 };
    el_density1 dq = el_gauss_density(&q), dp = el_gauss_density(&g);
    return numeric1(&dq, &dp, o, res);
}

int el_kl_eval_mvn(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    size_t d0, d1, n0, n1;
    const double *m0, *m1, *S0, *S1;
    int s = el_params_vector(p, "mu0", &n0, &m0);
    if (!s)
        s = el_params_square(p, "Sigma0", &d0, &S0);
    if (!s)
        s = el_params_vector(p, "mu1", &n1, &m1);
    if (!s)
        s = el_params_square(p, "Sigma1", &d1, &S1);
    if (!s && (n0 != d0 || n1 != d1 || d0 != d1))
        s = EL_ERROR(EL_EDOM,
                     "dimensions disagree: mu0 %zu, Sigma0 %zux%zu, mu1 %zu, Sigma1 %zux%zu", n0,
                     d0, d0, n1, d1, d1);
    if (!s)
        s = el_kl_mvn(d0, m0, S0, m1, S1, &res->closed);
    if (s)
        return s;
    res->has_closed = 1;
    quad_small(d0, m0, S0, m1, S1, res);
    el_mvn *q = el_mvn_alloc(d0, m0, S0, "Sigma0", &s);
    el_mvn *g = q ? el_mvn_alloc(d1, m1, S1, "Sigma1", &s) : NULL;
    if (q && g) {
        el_densityd dq = el_mvn_density(q), dp = el_mvn_density(g);
        s = mc_d(&dq, &dp, o, res);
    }
    el_mvn_free(q);
    el_mvn_free(g);
    return s;
}

int el_kl_eval_diag(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    size_t n[4];
    const double *v[4];
    static const char *keys[4] = { "mu0", "sigma0", "mu1", "sigma1" };
    int s = EL_OK;
    for (int i = 0; i < 4 && !s; i++)
        s = el_params_vector(p, keys[i], &n[i], &v[i]);
    if (!s && (n[1] != n[0] || n[2] != n[0] || n[3] != n[0]))
        s = EL_ERROR(EL_EDOM, "mu0, sigma0, mu1, sigma1 must have the same length");
    if (!s)
        s = el_kl_diag(n[0], v[0], v[1], v[2], v[3], &res->closed);
    if (s)
        return s;
    res->has_closed = 1;
    if (n[0] <= 2) { /* the covariance matrices diag(sigma^2) for quadrature */
        double S0[4] = { 0 }, S1[4] = { 0 };
        for (size_t i = 0; i < n[0]; i++) {
            S0[i * n[0] + i] = v[1][i] * v[1][i];
            S1[i * n[0] + i] = v[3][i] * v[3][i];
        }
        quad_small(n[0], v[0], S0, v[2], S1, res);
    }
    el_diag *q = el_diag_alloc(n[0], v[0], v[1], &s);
    el_diag *g = q ? el_diag_alloc(n[0], v[2], v[3], &s) : NULL;
    if (q && g) {
        el_densityd dq = el_diag_density(q), dp = el_diag_density(g);
        s = mc_d(&dq, &dp, o, res);
    }
    el_diag_free(q);
    el_diag_free(g);
    return s;
}

int el_kl_eval_discrete(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    size_t np, nq;
    const double *vp, *vq;
    int s = el_params_vector(p, "p", &np, &vp);
    if (!s)
        s = el_params_vector(p, "q", &nq, &vq);
    if (!s && np != nq)
        s = EL_ERROR(EL_EDOM, "p has %zu entries but q has %zu", np, nq);
    if (!s)
        s = el_kl_discrete(np, vp, vq, &res->closed);
    if (s)
        return s;
    res->has_closed = 1;
    if (!isfinite(res->closed)) { /* q misses mass of p: no finite estimate exists */
        snprintf(res->why_mc, sizeof res->why_mc,
                 "q is 0 where p has mass, so the divergence is infinite and no sample mean "
                 "estimates it");
        return EL_OK;
    }
    gsl_rng *r = el_rng_alloc(o->seed);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_estimate e = { NAN, NAN, 0 };
    el_eval_set_mc(res, el_kl_mc_discrete(np, vp, vq, 1.0, samples(o), r, &e), &e);
    el_rng_free(r);
    return EL_OK;
}
