/* gauss.c -- 1-D and diagonal Gaussians. */
#include "dist/el_dist.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SQRT_2PI 0.91893853320467274178

int el_require_finite(const char *name, double x)
{
    if (!isfinite(x))
        return EL_ERROR(EL_EDOM, "%s must be finite, got %g", name, x);
    return EL_OK;
}

int el_require_positive(const char *name, double x)
{
    if (!isfinite(x) || !(x > 0.0))
        return EL_ERROR(EL_EDOM, "%s must be > 0, got %g", name, x);
    return EL_OK;
}

int el_gauss_init(el_gauss *g, double mu, double sigma)
{
    int s = el_require_finite("mu", mu);
    if (s == EL_OK)
        s = el_require_positive("sigma", sigma);
    if (s == EL_OK) {
        g->mu = mu;
        g->sigma = sigma;
    }
    return s;
}

double el_gauss_logpdf(const el_gauss *g, double x)
{
    double z = (x - g->mu) / g->sigma;
    return -0.5 * z * z - log(g->sigma) - LOG_SQRT_2PI;
}

double el_gauss_pdf(const el_gauss *g, double x)
{
    return exp(el_gauss_logpdf(g, x));
}

double el_gauss_sample(const el_gauss *g, const gsl_rng *r)
{
    return g->mu + gsl_ran_gaussian_ziggurat(r, g->sigma);
}

el_diag *el_diag_alloc(size_t d, const double *mu, const double *sigma, int *status)
{
    *status = d ? EL_OK : EL_ERROR(EL_EDOM, "dimension must be >= 1");
    for (size_t i = 0; i < d && *status == EL_OK; i++) {
        if (!isfinite(mu[i]))
            *status = EL_ERROR(EL_EDOM, "mu[%zu] must be finite, got %g", i, mu[i]);
        else if (!isfinite(sigma[i]) || !(sigma[i] > 0.0))
            *status = EL_ERROR(EL_EDOM, "sigma[%zu] must be > 0, got %g", i, sigma[i]);
    }
    if (*status != EL_OK)
        return NULL;
    el_diag *g = calloc(1, sizeof *g);
    double *buf = malloc(2 * d * sizeof *buf);
    if (!g || !buf) {
        free(g);
        free(buf);
        *status = EL_ERROR(EL_ENOMEM, "diagonal Gaussian: out of memory");
        return NULL;
    }
    g->d = d;
    g->mu = buf;
    g->sigma = buf + d;
    memcpy(g->mu, mu, d * sizeof *mu);
    memcpy(g->sigma, sigma, d * sizeof *sigma);
    return g;
}

void el_diag_free(el_diag *g)
{
    if (!g)
        return;
    free(g->mu);
    free(g);
}

double el_diag_logpdf(const el_diag *g, const double *x)
{
    double s = 0.0;
    for (size_t i = 0; i < g->d; i++) {
        double z = (x[i] - g->mu[i]) / g->sigma[i];
        s += -0.5 * z * z - log(g->sigma[i]) - LOG_SQRT_2PI;
    }
    return s;
}

void el_diag_sample(const el_diag *g, const gsl_rng *r, double *x)
{
    for (size_t i = 0; i < g->d; i++)
        x[i] = g->mu[i] + gsl_ran_gaussian_ziggurat(r, g->sigma[i]);
}
