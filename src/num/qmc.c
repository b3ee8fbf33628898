/* qmc.c -- randomised quasi-Monte Carlo on Sobol points (gsl_qrng). */
#include "num/el_num.h"
#include "core/el_core.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rstat.h>
#include <math.h>
#include <stdlib.h>

double el_qmc_gauss(double u)
{
    return gsl_cdf_ugaussian_Pinv(u);
}

/* One shifted pass: the mean of F over N Sobol points shifted by SHIFT mod 1. */
static int qmc_pass(el_qmc_fn f, void *params, size_t dim, size_t n, const double *shift, double *u,
                    double *mean)
{
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
    if (!q)
        return EL_ERROR(EL_ENOMEM, "Sobol generator: out of memory");
    double sum = 0.0;
    int status = EL_OK;
    for (size_t i = 0; i < n && status == EL_OK; i++) {
        gsl_qrng_get(q, u);
        for (size_t k = 0; k < dim; k++) {
            double v = u[k] + shift[k];
            v -= floor(v);
            /* keep strictly inside (0,1) so Gaussian quantiles are finite */
            u[k] = fmin(fmax(v, 1e-15), 1.0 - 1e-15);
        }
        double y = f(u, params);
        if (!isfinite(y))
            status = EL_ERROR(EL_ENUM, "quasi-Monte Carlo: point %zu is not finite", i);
        sum += y;
    }
    gsl_qrng_free(q);
    *mean = sum / (double)n;
    return status;
}

int el_qmc_mean(el_qmc_fn f, void *params, size_t dim, size_t n, size_t shifts, const gsl_rng *r,
                el_estimate *out)
{
    if (dim < 1 || dim > 40)
        return EL_ERROR(EL_EDOM, "Sobol points need 1 <= dim <= 40, got %zu", dim);
    if (n < 1 || shifts < 2)
        return EL_ERROR(EL_EDOM, "quasi-Monte Carlo needs n >= 1 and shifts >= 2");
    el_gsl_init();
    double *buf = malloc(2 * dim * sizeof *buf);
    gsl_rstat_workspace *w = gsl_rstat_alloc();
    int status = (buf && w) ? EL_OK : EL_ERROR(EL_ENOMEM, "quasi-Monte Carlo: out of memory");
    for (size_t s = 0; s < shifts && status == EL_OK; s++) {
        double m = 0.0;
        for (size_t k = 0; k < dim; k++)
            buf[dim + k] = gsl_rng_uniform(r);
        status = qmc_pass(f, params, dim, n, buf + dim, buf, &m);
        if (status == EL_OK)
            gsl_rstat_add(m, w);
    }
    if (status == EL_OK) {
        out->value = gsl_rstat_mean(w);
        out->se = gsl_rstat_sd_mean(w);
        out->n = n * shifts;
    }
    free(buf);
    if (w)
        gsl_rstat_free(w);
    return status;
}
