/* mixture.c -- 1-D Gaussian mixtures. */
#include "dist/el_dist.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SQRT_2PI 0.91893853320467274178

void el_mix_free(el_mix *m)
{
    if (!m)
        return;
    free(m->w);
    if (m->table)
        gsl_ran_discrete_free(m->table);
    free(m);
}

/* EL_OK if every mean is finite and every sigma finite and > 0. */
static int check_components(size_t K, const double *mu, const double *sigma)
{
    for (size_t k = 0; k < K; k++) {
        if (!isfinite(mu[k]))
            return EL_ERROR(EL_EDOM, "m[%zu] must be finite, got %g", k, mu[k]);
        if (!isfinite(sigma[k]) || !(sigma[k] > 0.0))
            return EL_ERROR(EL_EDOM, "s[%zu] must be > 0, got %g", k, sigma[k]);
    }
    return EL_OK;
}

el_mix *el_mix_alloc(size_t K, const double *w, const double *mu, const double *sigma, int *status)
{
    *status = el_discrete_validate("w", K, w);
    if (*status == EL_OK)
        *status = check_components(K, mu, sigma);
    if (*status != EL_OK)
        return NULL;
    el_mix *m = calloc(1, sizeof *m);
    double *buf = malloc(3 * K * sizeof *buf);
    if (!m || !buf) {
        free(m);
        free(buf);
        *status = EL_ERROR(EL_ENOMEM, "mixture: out of memory");
        return NULL;
    }
    m->K = K;
    m->w = buf;
    m->mu = buf + K;
    m->sigma = buf + 2 * K;
    memcpy(m->w, w, K * sizeof *w);
    memcpy(m->mu, mu, K * sizeof *mu);
    memcpy(m->sigma, sigma, K * sizeof *sigma);
    m->table = el_discrete_sampler("w", K, w, status);
    if (!m->table) {
        el_mix_free(m);
        return NULL;
    }
    return m;
}

double el_mix_logpdf(const el_mix *m, double x)
{
    double best = -INFINITY;
    double lp[64];
    double *l = m->K <= 64 ? lp : malloc(m->K * sizeof *l);
    if (!l)
        return NAN;
    for (size_t k = 0; k < m->K; k++) {
        double z = (x - m->mu[k]) / m->sigma[k];
        l[k] = m->w[k] > 0.0 ? log(m->w[k]) - 0.5 * z * z - log(m->sigma[k]) - LOG_SQRT_2PI
                             : -INFINITY;
        best = fmax(best, l[k]);
    }
    double s = 0.0;
    for (size_t k = 0; k < m->K; k++)
        s += exp(l[k] - best);
    if (l != lp)
        free(l);
    return best + log(s);
}

double el_mix_pdf(const el_mix *m, double x)
{
    return exp(el_mix_logpdf(m, x));
}

double el_mix_sample(const el_mix *m, const gsl_rng *r)
{
    size_t k = gsl_ran_discrete(r, m->table);
    return m->mu[k] + gsl_ran_gaussian_ziggurat(r, m->sigma[k]);
}

double el_mix_mean(const el_mix *m)
{
    double s = 0.0;
    for (size_t k = 0; k < m->K; k++)
        s += m->w[k] * m->mu[k];
    return s;
}

double el_mix_var(const el_mix *m)
{
    double mean = el_mix_mean(m), s = 0.0;
    for (size_t k = 0; k < m->K; k++) {
        double dm = m->mu[k] - mean;
        s += m->w[k] * (m->sigma[k] * m->sigma[k] + dm * dm);
    }
    return s;
}
