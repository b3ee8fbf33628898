/* discrete.c -- probability vectors: validation, sampling, Dirichlet draws. */
#include "dist/el_dist.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>

int el_discrete_validate(const char *name, size_t n, const double *p)
{
    if (n == 0)
        return EL_ERROR(EL_EDOM, "%s must have at least one entry", name);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i]) || p[i] < 0.0)
            return EL_ERROR(EL_EDOM, "%s[%zu] must be a probability >= 0, got %g", name, i, p[i]);
        sum += p[i];
    }
    if (fabs(sum - 1.0) > EL_PROB_SUM_TOL)
        return EL_ERROR(EL_EDOM, "%s must sum to 1, got %.17g", name, sum);
    return EL_OK;
}

gsl_ran_discrete_t *el_discrete_sampler(const char *name, size_t n, const double *p, int *status)
{
    *status = el_discrete_validate(name, n, p);
    if (*status != EL_OK)
        return NULL;
    el_gsl_init();
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc(n, p);
    if (!t)
        *status = EL_ERROR(EL_ENOMEM, "%s: out of memory", name);
    return t;
}

int el_dirichlet_sample(const gsl_rng *r, size_t n, double alpha, double *p)
{
    double *a = malloc(n * sizeof *a);
    if (!a)
        return EL_ERROR(EL_ENOMEM, "Dirichlet draw: out of memory");
    for (size_t i = 0; i < n; i++)
        a[i] = alpha;
    gsl_ran_dirichlet(r, n, a, p);
    free(a);
    return EL_OK;
}
