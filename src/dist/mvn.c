/* mvn.c -- full-covariance Gaussian through its Cholesky factor (GSL). */
#include "dist/el_dist.h"
#include "core/el_core.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

#define LOG_SQRT_2PI 0.91893853320467274178

void el_mvn_free(el_mvn *g)
{
    if (!g)
        return;
    gsl_vector_free(g->mu);
    gsl_matrix_free(g->L);
    gsl_vector_free(g->work);
    free(g);
}

/* EL_OK if S (d x d) is finite and symmetric to relative 1e-12. */
static int check_symmetric(const gsl_matrix *S, const char *name)
{
    size_t d = S->size1;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double a = gsl_matrix_get(S, i, j), b = gsl_matrix_get(S, j, i);
            if (!isfinite(a))
                return EL_ERROR(EL_EDOM, "%s[%zu][%zu] must be finite, got %g", name, i, j, a);
            if (fabs(a - b) > 1e-12 * fmax(fabs(a), fabs(b)))
                return EL_ERROR(EL_EDOM, "%s is not symmetric: [%zu][%zu]=%g but [%zu][%zu]=%g",
                                name, i, j, a, j, i, b);
        }
    return EL_OK;
}

/* Factors S in place into its lower Cholesky factor; EL_EDOM if not PD. */
static int factor(gsl_matrix *S, const char *name, double *logdet)
{
    int s = gsl_linalg_cholesky_decomp1(S);
    if (s == GSL_EDOM)
        return EL_ERROR(EL_EDOM, "%s is not positive definite", name);
    if (s != GSL_SUCCESS)
        return el_from_gsl(s, name);
    double ld = 0.0;
    for (size_t i = 0; i < S->size1; i++) {
        double lii = gsl_matrix_get(S, i, i);
        if (!(lii > 0.0))
            return EL_ERROR(EL_EDOM, "%s is not positive definite", name);
        ld += 2.0 * log(lii);
        for (size_t j = i + 1; j < S->size2; j++)
            gsl_matrix_set(S, i, j, 0.0);
    }
    *logdet = ld;
    return EL_OK;
}

el_mvn *el_mvn_alloc(size_t d, const double *mu, const double *Sigma, const char *name, int *status)
{
    el_gsl_init();
    if (!name)
        name = "Sigma";
    if (d == 0) {
        *status = EL_ERROR(EL_EDOM, "%s: dimension must be >= 1", name);
        return NULL;
    }
    el_mvn *g = calloc(1, sizeof *g);
    if (g) {
        g->d = d;
        g->mu = gsl_vector_alloc(d);
        g->L = gsl_matrix_alloc(d, d);
        g->work = gsl_vector_alloc(d);
    }
    if (!g || !g->mu || !g->L || !g->work) {
        el_mvn_free(g);
        *status = EL_ERROR(EL_ENOMEM, "%s: out of memory", name);
        return NULL;
    }
    *status = EL_OK;
    /* the mean's own name: Sigma0 goes with mu0 (eval's parameters) */
    int paired = strncmp(name, "Sigma", 5) == 0;
    for (size_t i = 0; i < d && *status == EL_OK; i++) {
        *status = isfinite(mu[i])
                      ? EL_OK
                      : EL_ERROR(EL_EDOM, "%s%s: entry %zu must be finite, got %g",
                                 paired ? "mu" : "mean of ", paired ? name + 5 : name, i, mu[i]);
        gsl_vector_set(g->mu, i, mu[i]);
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(g->L, i, j, Sigma[i * d + j]);
    }
    if (*status == EL_OK)
        *status = check_symmetric(g->L, name);
    if (*status == EL_OK)
        *status = factor(g->L, name, &g->logdet);
    if (*status != EL_OK) {
        el_mvn_free(g);
        return NULL;
    }
    return g;
}

double el_mvn_logpdf(el_mvn *g, const double *x)
{
    for (size_t i = 0; i < g->d; i++)
        gsl_vector_set(g->work, i, x[i] - gsl_vector_get(g->mu, i));
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, g->L, g->work);
    double q;
    gsl_blas_ddot(g->work, g->work, &q);
    return -0.5 * q - 0.5 * g->logdet - (double)g->d * LOG_SQRT_2PI;
}

void el_mvn_sample(el_mvn *g, const gsl_rng *r, double *x)
{
    for (size_t i = 0; i < g->d; i++)
        gsl_vector_set(g->work, i, gsl_ran_gaussian_ziggurat(r, 1.0));
    gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, g->L, g->work);
    for (size_t i = 0; i < g->d; i++)
        x[i] = gsl_vector_get(g->mu, i) + gsl_vector_get(g->work, i);
}
