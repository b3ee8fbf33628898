/* lgm.c -- the conjugate linear-Gaussian model z ~ N(0, I_k),
 * x | z ~ N(A z + b, Psi): evidence, posterior and the ELBO of a Gaussian q,
 * all through Cholesky factors (GSL linalg / BLAS). */
#include "results/elbo/el_elbo.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>

#define LOG_2PI 1.83787706640934548356

void el_lgm_free(el_lgm *m)
{
    if (!m)
        return;
    gsl_matrix_free(m->A);
    gsl_vector_free(m->b);
    el_mvn_free(m->noise);
    el_mvn_free(m->marginal);
    gsl_matrix_free(m->B);
    gsl_matrix_free(m->post_L);
    gsl_vector_free(m->wd);
    gsl_vector_free(m->wk);
    free(m);
}

/* Copies A and b into M, checking that every entry is finite. */
static int copy_loadings(el_lgm *m, const double *A, const double *b)
{
    for (size_t i = 0; i < m->d; i++) {
        if (!isfinite(b[i]))
            return EL_ERROR(EL_EDOM, "b[%zu] must be finite, got %g", i, b[i]);
        gsl_vector_set(m->b, i, b[i]);
        for (size_t j = 0; j < m->k; j++) {
            double a = A[i * m->k + j];
            if (!isfinite(a))
                return EL_ERROR(EL_EDOM, "A[%zu][%zu] must be finite, got %g", i, j, a);
            gsl_matrix_set(m->A, i, j, a);
        }
    }
    return EL_OK;
}

/* The marginal p(x) = N(b, A A^T + Psi).  The sum is formed on the lower
 * triangle and mirrored, so that it is exactly symmetric. */
static int build_marginal(el_lgm *m, const double *Psi)
{
    size_t d = m->d;
    double *C = malloc(d * d * sizeof *C);
    if (!C)
        return EL_ERROR(EL_ENOMEM, "linear-Gaussian model: out of memory");
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = Psi[i * d + j];
            for (size_t l = 0; l < m->k; l++)
                s += gsl_matrix_get(m->A, i, l) * gsl_matrix_get(m->A, j, l);
            C[i * d + j] = C[j * d + i] = s;
        }
    int st;
    m->marginal = el_mvn_alloc(d, m->b->data, C, "A A^T + Psi", &st);
    free(C);
    return st;
}

/* B = L_Psi^-1 A and the Cholesky factor of the posterior precision I + B^T B. */
static int build_posterior(el_lgm *m)
{
    gsl_matrix_memcpy(m->B, m->A);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, m->noise->L, m->B);
    gsl_matrix_set_identity(m->post_L);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, m->B, 1.0, m->post_L);
    int s = gsl_linalg_cholesky_decomp1(m->post_L);
    return s ? el_from_gsl(s, "posterior precision I + A^T Psi^-1 A") : EL_OK;
}

el_lgm *el_lgm_alloc(size_t k, size_t d, const double *A, const double *b, const double *Psi,
                     int *status)
{
    el_gsl_init();
    if (k == 0 || d == 0) {
        *status =
            EL_ERROR(EL_EDOM, "linear-Gaussian model: k and d must be >= 1, got %zu, %zu", k, d);
        return NULL;
    }
    el_lgm *m = calloc(1, sizeof *m);
    if (m) {
        m->k = k;
        m->d = d;
        m->A = gsl_matrix_alloc(d, k);
        m->b = gsl_vector_alloc(d);
        m->B = gsl_matrix_alloc(d, k);
        m->post_L = gsl_matrix_alloc(k, k);
        m->wd = gsl_vector_calloc(d);
        m->wk = gsl_vector_alloc(k);
    }
    if (!m || !m->A || !m->b || !m->B || !m->post_L || !m->wd || !m->wk) {
        el_lgm_free(m);
        *status = EL_ERROR(EL_ENOMEM, "linear-Gaussian model: out of memory");
        return NULL;
    }
    *status = copy_loadings(m, A, b);
    if (*status == EL_OK)
        m->noise = el_mvn_alloc(d, m->wd->data, Psi, "Psi", status);
    if (*status == EL_OK)
        *status = build_marginal(m, Psi);
    if (*status == EL_OK)
        *status = build_posterior(m);
    if (*status != EL_OK) {
        el_lgm_free(m);
        return NULL;
    }
    return m;
}

double el_lgm_log_evidence(el_lgm *m, const double *x)
{
    return el_mvn_logpdf(m->marginal, x);
}

/* Writes x - A z - b into M->wd. */
static void residual(el_lgm *m, const double *x, const double *z)
{
    gsl_vector_const_view zv = gsl_vector_const_view_array(z, m->k);
    for (size_t i = 0; i < m->d; i++)
        gsl_vector_set(m->wd, i, x[i] - gsl_vector_get(m->b, i));
    gsl_blas_dgemv(CblasNoTrans, -1.0, m->A, &zv.vector, 1.0, m->wd);
}

double el_lgm_log_joint(el_lgm *m, const double *x, const double *z)
{
    residual(m, x, z); /* wd is a contiguous gsl_vector (stride 1) */
    double zz = 0.0;
    for (size_t j = 0; j < m->k; j++)
        zz += z[j] * z[j];
    return el_mvn_logpdf(m->noise, m->wd->data) - 0.5 * (double)m->k * LOG_2PI - 0.5 * zz;
}

void el_lgm_posterior(el_lgm *m, const double *x, double *mu, double *Sigma)
{
    /* mu = Lambda^-1 B^T L_Psi^-1 (x - b) */
    for (size_t i = 0; i < m->d; i++)
        gsl_vector_set(m->wd, i, x[i] - gsl_vector_get(m->b, i));
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, m->noise->L, m->wd);
    gsl_blas_dgemv(CblasTrans, 1.0, m->B, m->wd, 0.0, m->wk);
    gsl_linalg_cholesky_svx(m->post_L, m->wk);
    gsl_matrix_view S = gsl_matrix_view_array(Sigma, m->k, m->k);
    gsl_matrix_memcpy(&S.matrix, m->post_L);
    gsl_linalg_cholesky_invert(&S.matrix);
    for (size_t j = 0; j < m->k; j++)
        mu[j] = gsl_vector_get(m->wk, j);
}

/* KL(q || N(0, I_k)) through el_kl_mvn. */
static int kl_std(size_t k, const double *qmu, const double *qS, double *out)
{
    double *zero = calloc(k + k * k, sizeof *zero);
    if (!zero)
        return EL_ERROR(EL_ENOMEM, "ELBO: out of memory");
    double *eye = zero + k;
    for (size_t i = 0; i < k; i++)
        eye[i * k + i] = 1.0;
    int s = el_kl_mvn(k, qmu, qS, zero, eye, out);
    free(zero);
    return s;
}

/* E_q log p(x|z) = log N(x; A qmu + b, Psi) - 1/2 ||L_Psi^-1 A L_q||_F^2. */
static double expected_loglik(el_lgm *m, const double *x, const double *qmu, const el_mvn *q)
{
    residual(m, x, qmu);
    double lp = el_mvn_logpdf(m->noise, m->wd->data);
    double tr = 0.0;
    for (size_t i = 0; i < m->d; i++)
        for (size_t j = 0; j < m->k; j++) {
            double s = 0.0; /* (B L_q)_ij, L_q lower triangular */
            for (size_t l = j; l < m->k; l++)
                s += gsl_matrix_get(m->B, i, l) * gsl_matrix_get(q->L, l, j);
            tr += s * s;
        }
    return lp - 0.5 * tr;
}

int el_lgm_elbo(el_lgm *m, const double *x, const double *qmu, const double *qS, el_elbo_terms *out)
{
    size_t k = m->k;
    int s;
    el_mvn *q = el_mvn_alloc(k, qmu, qS, "q covariance", &s);
    if (!q)
        return s;
    double sq = 0.0, tr = 0.0;
    for (size_t i = 0; i < k; i++) {
        sq += qmu[i] * qmu[i];
        tr += qS[i * k + i];
    }
    out->loglik = expected_loglik(m, x, qmu, q);
    out->cross = -0.5 * (double)k * LOG_2PI - 0.5 * (sq + tr);
    out->entropy = 0.5 * (double)k * (1.0 + LOG_2PI) + 0.5 * q->logdet;
    el_mvn_free(q);
    s = kl_std(k, qmu, qS, &out->kl_prior);
    out->elbo = out->loglik - out->kl_prior;
    out->elbo_joint = out->loglik + out->cross + out->entropy;
    return s;
}
