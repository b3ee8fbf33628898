/* mc.c -- plain Monte Carlo with a standard error (gsl_rstat). */
#include "num/el_num.h"
#include "core/el_core.h"

#include <gsl/gsl_rstat.h>
#include <math.h>

int el_mc_mean(el_mc_draw_fn f, void *params, size_t n, const gsl_rng *r, el_estimate *out)
{
    if (n < 2)
        return EL_ERROR(EL_EDOM, "Monte Carlo needs at least 2 samples, got %zu", n);
    el_gsl_init();
    gsl_rstat_workspace *w = gsl_rstat_alloc();
    if (!w)
        return EL_ERROR(EL_ENOMEM, "Monte Carlo: out of memory");
    int status = EL_OK;
    for (size_t i = 0; i < n; i++) {
        double v = f(r, params);
        if (!isfinite(v)) {
            status = EL_ERROR(EL_ENUM, "Monte Carlo: draw %zu is not finite (%g)", i, v);
            break;
        }
        gsl_rstat_add(v, w);
    }
    if (status == EL_OK) {
        out->value = gsl_rstat_mean(w);
        out->se = gsl_rstat_sd_mean(w);
        out->n = n;
    }
    gsl_rstat_free(w);
    return status;
}
