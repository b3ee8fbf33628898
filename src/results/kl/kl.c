/* kl.c -- closed-form KL divergences. */
#include "results/kl/el_kl.h"
#include "core/el_core.h"
#include "dist/el_dist.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sf_exp.h>
#include <math.h>
#include <stdio.h>

/* r^2 - 1 - log r^2 for r = s1/s2, accurate when r is near 1. */
static double ratio_term(double s1, double s2)
{
    double t = 2.0 * (log(s1) - log(s2));
    if (fabs(t) > 1.0)
        return expm1(t) - t;
    return 0.5 * t * t * gsl_sf_exprel_2(t);
}

int el_kl_normal(double mu1, double s1, double mu2, double s2, double *out)
{
    int s = el_require_finite("mu1", mu1);
    if (!s)
        s = el_require_positive("sigma1", s1);
    if (!s)
        s = el_require_finite("mu2", mu2);
    if (!s)
        s = el_require_positive("sigma2", s2);
    if (s)
        return s;
    double z = (mu1 - mu2) / s2;
    *out = 0.5 * (ratio_term(s1, s2) + z * z);
    return EL_OK;
}

int el_kl_normal_std(double mu, double s, double *out)
{
    int st = el_require_finite("mu", mu);
    if (!st)
        st = el_require_positive("sigma", s);
    if (st)
        return st;
    *out = 0.5 * (ratio_term(s, 1.0) + mu * mu);
    return EL_OK;
}

int el_kl_equal_var(double mu_q, double mu_p, double s, double *out)
{
    int st = el_require_finite("mu_q", mu_q);
    if (!st)
        st = el_require_finite("mu_p", mu_p);
    if (!st)
        st = el_require_positive("sigma", s);
    if (st)
        return st;
    double z = (mu_q - mu_p) / s;
    *out = 0.5 * z * z;
    return EL_OK;
}

int el_kl_diag(size_t d, const double *mu0, const double *s0, const double *mu1, const double *s1,
               double *out)
{
    if (d == 0)
        return EL_ERROR(EL_EDOM, "dimension must be >= 1");
    double sum = 0.0;
    for (size_t i = 0; i < d; i++) {
        double k;
        int s = el_kl_normal(mu0[i], s0[i], mu1[i], s1[i], &k);
        if (s) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", el_errmsg());
            return EL_ERROR(s, "dimension %zu: %s", i, msg);
        }
        sum += k;
    }
    *out = sum;
    return EL_OK;
}

int el_kl_mvn(size_t d, const double *mu0, const double *S0, const double *mu1, const double *S1,
              double *out)
{
    int s0, s1;
    el_mvn *p = el_mvn_alloc(d, mu0, S0, "Sigma0", &s0);
    if (!p)
        return s0;
    el_mvn *q = el_mvn_alloc(d, mu1, S1, "Sigma1", &s1);
    if (!q) {
        el_mvn_free(p);
        return s1;
    }
    /* M = L1^-1 L0 (lower triangular), v = L1^-1 (mu1 - mu0) */
    gsl_matrix *M = gsl_matrix_alloc(d, d);
    int st = M ? EL_OK : EL_ERROR(EL_ENOMEM, "kl.mvn: out of memory");
    if (st == EL_OK) {
        gsl_matrix_memcpy(M, p->L);
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, q->L, M);
        gsl_vector *v = q->work;
        gsl_vector_memcpy(v, q->mu);
        gsl_vector_sub(v, p->mu);
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, q->L, v);
        double tr = 0.0, quad;
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j <= i; j++)
                tr += gsl_matrix_get(M, i, j) * gsl_matrix_get(M, i, j);
        gsl_blas_ddot(v, v, &quad);
        *out = 0.5 * (tr + quad - (double)d + (q->logdet - p->logdet));
        if (!isfinite(*out))
            st = EL_ERROR(EL_ENUM, "kl.mvn: the result is not finite");
    }
    gsl_matrix_free(M);
    el_mvn_free(p);
    el_mvn_free(q);
    return st;
}

int el_kl_discrete(size_t n, const double *p, const double *q, double *out)
{
    int s = el_discrete_validate("p", n, p);
    if (!s)
        s = el_discrete_validate("q", n, q);
    if (s)
        return s;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0.0)
            continue;
        if (q[i] == 0.0) {
            *out = INFINITY;
            return EL_OK;
        }
        sum += p[i] * log(p[i] / q[i]);
    }
    /* rounding can leave -1e-17 when p == q */
    *out = sum;
    return EL_OK;
}
