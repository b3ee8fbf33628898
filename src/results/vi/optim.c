/* optim.c -- a thin, status-checked wrapper over GSL's Nelder-Mead
 * simplex (nmsimplex2), shared by the vi checks that minimise a divergence
 * without derivatives. */
#include "results/vi/el_vi.h"
#include "core/el_core.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>

typedef struct {
    el_vi_objective f;
    void *params;
} nm_adapter;

static double nm_call(const gsl_vector *x, void *v)
{
    const nm_adapter *a = v;
    return a->f(x->data, a->params);
}

/* Iterates M until its simplex is smaller than TOL or MAX_ITER is reached. */
static int nm_iterate(gsl_multimin_fminimizer *m, double tol, int max_iter)
{
    for (int it = 0; it < max_iter; it++) {
        int s = gsl_multimin_fminimizer_iterate(m);
        if (s)
            return el_from_gsl(s, "Nelder-Mead");
        if (!isfinite(m->fval))
            return EL_ERROR(EL_ENUM, "Nelder-Mead: the objective is not finite");
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), tol) == GSL_SUCCESS)
            return EL_OK;
    }
    return EL_ERROR(EL_ENOCONV, "Nelder-Mead: no convergence in %d iterations", max_iter);
}

#define NM_RESTARTS 4

int el_vi_nelder_mead(el_vi_objective f, void *params, size_t dim, double *x, double step,
                      double tol, int max_iter, double *fmin)
{
    el_gsl_init();
    nm_adapter a = { f, params };
    gsl_multimin_function F = { nm_call, dim, &a };
    gsl_multimin_fminimizer *m =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, dim);
    gsl_vector *x0 = gsl_vector_alloc(dim), *st = gsl_vector_alloc(dim);
    int s = m && x0 && st ? EL_OK : EL_ERROR(EL_ENOMEM, "Nelder-Mead: out of memory");
    if (!s) {
        for (size_t i = 0; i < dim; i++)
            gsl_vector_set(x0, i, x[i]);
        gsl_vector_set_all(st, step);
        s = el_from_gsl(gsl_multimin_fminimizer_set(m, &F, x0, st), "Nelder-Mead");
    }
    if (!s)
        s = nm_iterate(m, tol, max_iter);
    /* a simplex that collapses onto a line stalls without converging: start
     * a fresh one where it stopped (the standard remedy) */
    for (int k = 0; k < NM_RESTARTS && s == EL_ENOCONV; k++) {
        el_error_clear();
        gsl_vector_memcpy(x0, m->x);
        s = el_from_gsl(gsl_multimin_fminimizer_set(m, &F, x0, st), "Nelder-Mead");
        if (!s)
            s = nm_iterate(m, tol, max_iter);
    }
    if (!s) {
        for (size_t i = 0; i < dim; i++)
            x[i] = gsl_vector_get(m->x, i);
        if (fmin)
            *fmin = m->fval;
    }
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x0);
    gsl_vector_free(st);
    return s;
}
