/* model.c -- the small Gaussian-mixture VAE of el_gmvae.h: exact
 * evidence, the three-term ELBO, the direct ELBO by quadrature and by Monte
 * Carlo, and the ELBO maximised over q(z|w,x). */
#include "results/gmvae/el_gmvae.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#define LOG_SQRT_2PI 0.91893853320467274178

int el_gmvae_validate(const el_gmvae *m)
{
    if (m->K < 1 || m->K > EL_GMVAE_KMAX || m->D < 1 || m->D > EL_GMVAE_DMAX)
        return EL_ERROR(EL_EDOM, "GMVAE: need 1 <= K <= %d and 1 <= D <= %d, got K = %zu, D = %zu",
                        EL_GMVAE_KMAX, EL_GMVAE_DMAX, m->K, m->D);
    int s = el_discrete_validate("pi", m->K, m->pi);
    for (size_t z = 0; z < m->K && !s; z++) {
        if (!(m->pi[z] > 0.0))
            s = EL_ERROR(EL_EDOM, "pi[%zu] must be > 0, got %g", z, m->pi[z]);
        else if (!isfinite(m->mu[z]))
            s = EL_ERROR(EL_EDOM, "mu[%zu] must be finite, got %g", z, m->mu[z]);
        else if (!(isfinite(m->sigma[z]) && m->sigma[z] > 0.0))
            s = EL_ERROR(EL_EDOM, "sigma[%zu] must be > 0, got %g", z, m->sigma[z]);
    }
    for (size_t i = 0; i < m->D && !s; i++)
        if (!isfinite(m->W[i]) || !isfinite(m->c[i]))
            s = EL_ERROR(EL_EDOM, "W[%zu] and c[%zu] must be finite, got %g and %g", i, i, m->W[i],
                         m->c[i]);
    if (!s)
        s = el_require_positive("noise", m->noise);
    return s;
}

/* log N(x; W mu_z + c, sigma_z^2 W W^T + noise^2 I) into *OUT. */
static int component_logpdf(const el_gmvae *m, size_t z, const double *x, double *out)
{
    size_t D = m->D;
    double mean[EL_GMVAE_DMAX], *S = malloc(D * D * sizeof *S);
    if (!S)
        return EL_ERROR(EL_ENOMEM, "GMVAE evidence: out of memory");
    double v = m->sigma[z] * m->sigma[z], n2 = m->noise * m->noise;
    for (size_t i = 0; i < D; i++) {
        mean[i] = m->W[i] * m->mu[z] + m->c[i];
        for (size_t j = 0; j < D; j++)
            S[i * D + j] = v * m->W[i] * m->W[j] + (i == j ? n2 : 0.0);
    }
    int s;
    el_mvn *g = el_mvn_alloc(D, mean, S, "GMVAE marginal covariance", &s);
    free(S);
    if (g)
        *out = el_mvn_logpdf(g, x);
    el_mvn_free(g);
    return s;
}

int el_gmvae_log_evidence(const el_gmvae *m, const double *x, double *out)
{
    int s = el_gmvae_validate(m);
    double lz[EL_GMVAE_KMAX], mx = -INFINITY, sum = 0.0;
    for (size_t z = 0; z < m->K && !s; z++) {
        s = component_logpdf(m, z, x, &lz[z]);
        lz[z] += log(m->pi[z]);
        mx = fmax(mx, lz[z]);
    }
    if (s)
        return s;
    for (size_t z = 0; z < m->K; z++)
        sum += exp(lz[z] - mx);
    *out = mx + log(sum);
    return EL_OK;
}

double el_gmvae_log_lik(const el_gmvae *m, const double *x, double w)
{
    double q = 0.0;
    for (size_t i = 0; i < m->D; i++) {
        double r = (x[i] - m->W[i] * w - m->c[i]) / m->noise;
        q += r * r;
    }
    return -(double)m->D * (LOG_SQRT_2PI + log(m->noise)) - 0.5 * q;
}

/* log N(w; mu_z, sigma_z^2). */
static double log_pw_z(const el_gmvae *m, size_t z, double w)
{
    double u = (w - m->mu[z]) / m->sigma[z];
    return -LOG_SQRT_2PI - log(m->sigma[z]) - 0.5 * u * u;
}

double el_gmvae_log_prior_w(const el_gmvae *m, double w)
{
    double l[EL_GMVAE_KMAX], mx = -INFINITY, sum = 0.0;
    for (size_t z = 0; z < m->K; z++) {
        l[z] = log(m->pi[z]) + log_pw_z(m, z, w);
        mx = fmax(mx, l[z]);
    }
    for (size_t z = 0; z < m->K; z++)
        sum += exp(l[z] - mx);
    return mx + log(sum);
}

void el_gmvae_qz_posterior(const el_gmvae *m, el_gmvae_qz *qz)
{
    /* log pi_z + log N(w; mu_z, sigma_z^2) = alpha_z + beta_z w + gamma_z w^2 + const */
    for (size_t z = 0; z < m->K; z++) {
        double p = 1.0 / (m->sigma[z] * m->sigma[z]);
        qz->alpha[z] = log(m->pi[z]) - log(m->sigma[z]) - 0.5 * m->mu[z] * m->mu[z] * p;
        qz->beta[z] = m->mu[z] * p;
        qz->gamma[z] = -0.5 * p;
    }
}

void el_gmvae_qz_prior(const el_gmvae *m, el_gmvae_qz *qz)
{
    for (size_t z = 0; z < m->K; z++) {
        qz->alpha[z] = log(m->pi[z]);
        qz->beta[z] = qz->gamma[z] = 0.0;
    }
}

void el_gmvae_qz_log(const el_gmvae_qz *qz, size_t K, double w, double *logq)
{
    double mx = -INFINITY, sum = 0.0;
    for (size_t z = 0; z < K; z++) {
        logq[z] = qz->alpha[z] + w * (qz->beta[z] + w * qz->gamma[z]);
        mx = fmax(mx, logq[z]);
    }
    for (size_t z = 0; z < K; z++)
        sum += exp(logq[z] - mx);
    double lse = mx + log(sum);
    for (size_t z = 0; z < K; z++)
        logq[z] -= lse;
}

/* ---- expectations over q(w|x) ------------------------------------------- */

typedef struct {
    const el_gauss *qw;
    el_fn1 f;
    void *params;
} std_ctx;

/* phi(t) f(m + s t). */
static double std_integrand(double t, void *p)
{
    const std_ctx *c = p;
    double phi = exp(-0.5 * t * t - LOG_SQRT_2PI);
    return phi == 0.0 ? 0.0 : phi * c->f(c->qw->mu + c->qw->sigma * t, c->params);
}

int el_gmvae_expect(const el_gauss *qw, el_fn1 f, void *params, el_quad_result *out)
{
    int s = el_require_finite("mean of q(w|x)", qw->mu);
    if (!s)
        s = el_require_positive("sd of q(w|x)", qw->sigma);
    if (s)
        return s;
    std_ctx c = { qw, f, params };
    return el_quad_1d(std_integrand, &c, -INFINITY, INFINITY, out);
}

typedef struct {
    const el_gmvae *m;
    const double *x;
    const el_gauss *qw;
    const el_gmvae_qz *qz;
} ctx;

/* KL(q(z|w,x) || p(z)) at W. */
static double kl_z_at(double w, void *p)
{
    const ctx *c = p;
    double lq[EL_GMVAE_KMAX], s = 0.0;
    el_gmvae_qz_log(c->qz, c->m->K, w, lq);
    for (size_t z = 0; z < c->m->K; z++)
        s += exp(lq[z]) * (lq[z] - log(c->m->pi[z]));
    return s;
}

/* sum_z q(z|w,x) log p(w|z) at W. */
static double cross_w_at(double w, void *p)
{
    const ctx *c = p;
    double lq[EL_GMVAE_KMAX], s = 0.0;
    el_gmvae_qz_log(c->qz, c->m->K, w, lq);
    for (size_t z = 0; z < c->m->K; z++)
        s += exp(lq[z]) * log_pw_z(c->m, z, w);
    return s;
}

/* log p(x,w,z) - log q(w,z|x) for one (w, z), given log q(z|w,x) in LQ. */
static double log_ratio(const ctx *c, double w, size_t z, const double *lq)
{
    return el_gmvae_log_lik(c->m, c->x, w) + log_pw_z(c->m, z, w) + log(c->m->pi[z]) -
           el_gauss_logpdf(c->qw, w) - lq[z];
}

/* sum_z q(z|w,x) [log p(x,w,z) - log q(w,z|x)] at W. */
static double direct_at(double w, void *p)
{
    const ctx *c = p;
    double lq[EL_GMVAE_KMAX], s = 0.0;
    el_gmvae_qz_log(c->qz, c->m->K, w, lq);
    for (size_t z = 0; z < c->m->K; z++)
        s += exp(lq[z]) * log_ratio(c, w, z, lq);
    return s;
}

/* Checks M and QW before an expectation. */
static int validate_q(const el_gmvae *m, const el_gauss *qw)
{
    int s = el_gmvae_validate(m);
    if (!s)
        s = el_require_finite("mean of q(w|x)", qw->mu);
    if (!s)
        s = el_require_positive("sd of q(w|x)", qw->sigma);
    return s;
}

int el_gmvae_elbo3(const el_gmvae *m, const double *x, const el_gauss *qw, const el_gmvae_qz *qz,
                   el_gmvae_terms *out)
{
    int s = validate_q(m, qw);
    if (s)
        return s;
    ctx c = { m, x, qw, qz };
    el_quad_result kz, cw;
    s = el_gmvae_expect(qw, kl_z_at, &c, &kz);
    if (!s)
        s = el_gmvae_expect(qw, cross_w_at, &c, &cw);
    if (s)
        return s;
    double q = 0.0, v = 0.0; /* E|x - W w - c|^2 = |x - W m - c|^2 + s^2 |W|^2 */
    for (size_t i = 0; i < m->D; i++) {
        double r = x[i] - m->W[i] * qw->mu - m->c[i];
        q += r * r;
        v += m->W[i] * m->W[i];
    }
    out->rec = -(double)m->D * (LOG_SQRT_2PI + log(m->noise)) -
               0.5 * (q + qw->sigma * qw->sigma * v) / (m->noise * m->noise);
    out->ent_w = 0.5 + LOG_SQRT_2PI + log(qw->sigma);
    out->kl_z = kz.value;
    out->cross_w = cw.value;
    out->elbo = out->rec - out->kl_z - (-out->ent_w - out->cross_w);
    out->abserr = kz.abserr + cw.abserr;
    return EL_OK;
}

int el_gmvae_elbo_quad(const el_gmvae *m, const double *x, const el_gauss *qw,
                       const el_gmvae_qz *qz, el_quad_result *out)
{
    int s = validate_q(m, qw);
    ctx c = { m, x, qw, qz };
    return s ? s : el_gmvae_expect(qw, direct_at, &c, out);
}

/* One draw of the direct form: w ~ q(w|x), then z ~ q(z|w,x) by inverse CDF
 * (written by hand: GSL's discrete sampler needs a table per w). */
static double direct_draw(const gsl_rng *r, void *p)
{
    const ctx *c = p;
    double w = c->qw->mu + c->qw->sigma * gsl_ran_gaussian_ziggurat(r, 1.0);
    double lq[EL_GMVAE_KMAX], u = gsl_rng_uniform(r), cum = 0.0;
    el_gmvae_qz_log(c->qz, c->m->K, w, lq);
    size_t z = 0;
    for (; z + 1 < c->m->K; z++) {
        cum += exp(lq[z]);
        if (u < cum)
            break;
    }
    return log_ratio(c, w, z, lq);
}

int el_gmvae_elbo_mc(const el_gmvae *m, const double *x, const el_gauss *qw, const el_gmvae_qz *qz,
                     size_t n, const gsl_rng *r, el_estimate *out)
{
    int s = validate_q(m, qw);
    ctx c = { m, x, qw, qz };
    return s ? s : el_mc_mean(direct_draw, &c, n, r, out);
}

/* log p(x|w) + log p(w) - log q(w|x) at W. */
static double zmax_at(double w, void *p)
{
    const ctx *c = p;
    return el_gmvae_log_lik(c->m, c->x, w) + el_gmvae_log_prior_w(c->m, w) -
           el_gauss_logpdf(c->qw, w);
}

static double zmax_draw(const gsl_rng *r, void *p)
{
    const ctx *c = p;
    return zmax_at(c->qw->mu + c->qw->sigma * gsl_ran_gaussian_ziggurat(r, 1.0), p);
}

int el_gmvae_zmax(const el_gmvae *m, const double *x, const el_gauss *qw, el_quad_result *quad,
                  size_t n, const gsl_rng *r, el_estimate *est)
{
    int s = validate_q(m, qw);
    ctx c = { m, x, qw, NULL };
    if (!s && quad)
        s = el_gmvae_expect(qw, zmax_at, &c, quad);
    if (!s && est)
        s = el_mc_mean(zmax_draw, &c, n, r, est);
    return s;
}

/* KL(q(z|w,x) || p(z|w)) at W. */
static double kl_zpost_at(double w, void *p)
{
    const ctx *c = p;
    el_gmvae_qz post;
    double lq[EL_GMVAE_KMAX], lp[EL_GMVAE_KMAX], s = 0.0;
    el_gmvae_qz_posterior(c->m, &post);
    el_gmvae_qz_log(c->qz, c->m->K, w, lq);
    el_gmvae_qz_log(&post, c->m->K, w, lp);
    for (size_t z = 0; z < c->m->K; z++)
        s += exp(lq[z]) * (lq[z] - lp[z]);
    return s;
}

int el_gmvae_kl_zpost(const el_gmvae *m, const el_gauss *qw, const el_gmvae_qz *qz,
                      el_quad_result *out)
{
    int s = validate_q(m, qw);
    ctx c = { m, NULL, qw, qz };
    return s ? s : el_gmvae_expect(qw, kl_zpost_at, &c, out);
}
