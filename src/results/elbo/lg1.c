/* lg1.c -- the scalar conjugate model z ~ N(0,1), x | z ~ N(a z + b,
 * noise^2) with a Gaussian q: evidence, posterior, the ELBO three ways
 * (closed form, quadrature, Monte Carlo) and importance-weighted bounds. */
#include "results/elbo/el_elbo.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#define LOG_SQRT_2PI 0.91893853320467274178

int el_lg1_validate(const el_lg1 *m, double q_mu, double q_sigma)
{
    int s = el_require_finite("x", m->x);
    if (!s)
        s = el_require_finite("a", m->a);
    if (!s)
        s = el_require_finite("b", m->b);
    if (!s)
        s = el_require_positive("noise", m->noise);
    if (!s)
        s = el_require_finite("q_mu", q_mu);
    if (!s)
        s = el_require_positive("q_sigma", q_sigma);
    return s;
}

double el_lg1_log_evidence(const el_lg1 *m)
{
    double h = hypot(m->a, m->noise);
    double u = (m->x - m->b) / h;
    return -LOG_SQRT_2PI - log(h) - 0.5 * u * u;
}

void el_lg1_posterior(const el_lg1 *m, double *mu, double *sigma)
{
    double h = hypot(m->a, m->noise);
    *sigma = m->noise / h;
    *mu = (m->a / h) * ((m->x - m->b) / h);
}

double el_lg1_log_weight(const el_lg1 *m, double q_mu, double q_sigma, double z)
{
    double r = (m->x - m->a * z - m->b) / m->noise, t = (z - q_mu) / q_sigma;
    return -LOG_SQRT_2PI - log(m->noise / q_sigma) - 0.5 * (r * r + z * z - t * t);
}

int el_lg1_elbo(const el_lg1 *m, double q_mu, double q_sigma, el_elbo_terms *out)
{
    int s = el_lg1_validate(m, q_mu, q_sigma);
    if (!s)
        s = el_kl_normal_std(q_mu, q_sigma, &out->kl_prior);
    if (s)
        return s;
    double r = (m->x - m->b - m->a * q_mu) / m->noise, v = m->a * q_sigma / m->noise;
    out->loglik = -LOG_SQRT_2PI - log(m->noise) - 0.5 * (r * r + v * v);
    out->cross = -LOG_SQRT_2PI - 0.5 * (q_mu * q_mu + q_sigma * q_sigma);
    out->entropy = 0.5 + LOG_SQRT_2PI + log(q_sigma);
    out->elbo = out->loglik - out->kl_prior;
    out->elbo_joint = out->loglik + out->cross + out->entropy;
    return EL_OK;
}

int el_lg1_kl_posterior(const el_lg1 *m, double q_mu, double q_sigma, double *out)
{
    int s = el_lg1_validate(m, q_mu, q_sigma);
    if (s)
        return s;
    double mu, sigma;
    el_lg1_posterior(m, &mu, &sigma);
    return el_kl_normal(q_mu, q_sigma, mu, sigma, out);
}

/* ---- numeric routes ------------------------------------------------------ */

typedef struct {
    const el_lg1 *m;
    double q_mu, q_sigma;
    double r0; /* x - b - a q_mu, formed once: the residual at z = q_mu + q_sigma t
                  * is then r0 - a q_sigma t, without cancellation when q is narrow */
} lg1_q;

static lg1_q lg1_q_make(const el_lg1 *m, double q_mu, double q_sigma)
{
    lg1_q c = { m, q_mu, q_sigma, m->x - m->b - m->a * q_mu };
    return c;
}

/* log p(x,z) - log q(z) at z = q_mu + q_sigma t. */
static double log_weight_t(const lg1_q *c, double t)
{
    double r = (c->r0 - c->m->a * c->q_sigma * t) / c->m->noise, z = c->q_mu + c->q_sigma * t;
    return -LOG_SQRT_2PI - log(c->m->noise / c->q_sigma) - 0.5 * (r * r + z * z - t * t);
}

/* phi(t) [log p(x,z) - log q(z)] at z = q_mu + q_sigma t. */
static double elbo_integrand(double t, void *p)
{
    double phi = exp(-0.5 * t * t - LOG_SQRT_2PI);
    return phi == 0.0 ? 0.0 : phi * log_weight_t(p, t);
}

int el_lg1_elbo_quad(const el_lg1 *m, double q_mu, double q_sigma, el_quad_result *out)
{
    int s = el_lg1_validate(m, q_mu, q_sigma);
    if (s)
        return s;
    lg1_q c = lg1_q_make(m, q_mu, q_sigma);
    return el_quad_1d(elbo_integrand, &c, -INFINITY, INFINITY, out);
}

static double elbo_draw(const gsl_rng *r, void *p)
{
    return log_weight_t(p, gsl_ran_gaussian_ziggurat(r, 1.0));
}

int el_lg1_elbo_mc(const el_lg1 *m, double q_mu, double q_sigma, size_t n, const gsl_rng *r,
                   el_estimate *out)
{
    int s = el_lg1_validate(m, q_mu, q_sigma);
    if (s)
        return s;
    lg1_q c = lg1_q_make(m, q_mu, q_sigma);
    return el_mc_mean(elbo_draw, &c, n, r, out);
}

double el_lg1_chi2(const el_lg1 *m, double q_mu, double q_sigma)
{
    double mu, s;
    el_lg1_posterior(m, &mu, &s);
    /* int N(z;mu,s^2)^2 / N(z;q_mu,q_sigma^2) dz
     *   = q_sigma^2 / (s sqrt(2 q_sigma^2 - s^2)) exp((mu - q_mu)^2 / (2 q_sigma^2 - s^2)) */
    double den = 2.0 * q_sigma * q_sigma - s * s;
    if (!(den > 0.0))
        return INFINITY;
    double d = mu - q_mu;
    double logint = 2.0 * log(q_sigma) - log(s) - 0.5 * log(den) + d * d / den;
    return expm1(logint);
}

/* ---- importance-weighted bounds ------------------------------------------ */

double el_iwae_bound(const double *logw, size_t k)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < k; i++)
        mx = fmax(mx, logw[i]);
    if (!isfinite(mx))
        return mx;
    double sum = 0.0;
    for (size_t i = 0; i < k; i++)
        sum += exp(logw[i] - mx);
    return mx + log(sum) - log((double)k);
}

typedef struct {
    lg1_q q;
    size_t k;
    double *logw; /* k scratch log-weights */
} iwae_ctx;

/* One k-sample bound: k fresh draws from q. */
static double iwae_draw(const gsl_rng *r, void *p)
{
    iwae_ctx *c = p;
    for (size_t i = 0; i < c->k; i++)
        c->logw[i] = elbo_draw(r, &c->q);
    return el_iwae_bound(c->logw, c->k);
}

int el_lg1_iwae_mc(const el_lg1 *m, double q_mu, double q_sigma, size_t k, size_t reps,
                   const gsl_rng *r, el_estimate *out)
{
    int s = el_lg1_validate(m, q_mu, q_sigma);
    if (s)
        return s;
    if (k < 1)
        return EL_ERROR(EL_EDOM, "k must be >= 1, got %zu", k);
    iwae_ctx c = { lg1_q_make(m, q_mu, q_sigma), k, malloc(k * sizeof(double)) };
    if (!c.logw)
        return EL_ERROR(EL_ENOMEM, "IWAE: out of memory for %zu log-weights", k);
    s = el_mc_mean(iwae_draw, &c, reps, r, out);
    free(c.logw);
    return s;
}
