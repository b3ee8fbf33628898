/* el_dist.h -- the distributions the checks use: 1-D Gaussian, diagonal and
 * full-covariance Gaussians (Cholesky), 1-D Gaussian mixtures, and discrete
 * distributions.  Log-densities, densities and sampling.
 *
 * Invalid parameters (sigma <= 0, NaN, a covariance that is not symmetric
 * positive definite, weights that do not sum to 1) make the constructor fail
 * with EL_EDOM and a message; a constructed object is always valid. */
#ifndef EL_DIST_H
#define EL_DIST_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

/* Tolerance on |sum(p) - 1| for probability vectors. */
#define EL_PROB_SUM_TOL 1e-9

/* Checks that X is finite and > 0; NAME is used in the error message
 * ("sigma1 must be > 0, got -1").  Returns EL_OK or EL_EDOM. */
int el_require_positive(const char *name, double x);

/* Checks that X is finite ("mu1 must be finite, got nan"). */
int el_require_finite(const char *name, double x);

/* ---- 1-D Gaussian N(mu, sigma^2) ----------------------------------------- */
typedef struct {
    double mu;
    double sigma;
} el_gauss;

/* Fills G; EL_EDOM if mu is not finite or sigma is not finite and > 0. */
int el_gauss_init(el_gauss *g, double mu, double sigma);
double el_gauss_logpdf(const el_gauss *g, double x);
double el_gauss_pdf(const el_gauss *g, double x);
double el_gauss_sample(const el_gauss *g, const gsl_rng *r);

/* ---- diagonal Gaussian ---------------------------------------------------- */
typedef struct {
    size_t d;
    double *mu;    /* d means */
    double *sigma; /* d standard deviations, all > 0 */
} el_diag;

/* Copies MU and SIGMA (d each).  NULL on failure with *STATUS set. */
el_diag *el_diag_alloc(size_t d, const double *mu, const double *sigma, int *status);
void el_diag_free(el_diag *g);
double el_diag_logpdf(const el_diag *g, const double *x);
void el_diag_sample(const el_diag *g, const gsl_rng *r, double *x);

/* ---- full-covariance Gaussian --------------------------------------------- */
typedef struct {
    size_t d;
    gsl_vector *mu;
    gsl_matrix *L;    /* lower Cholesky factor: Sigma = L L^T */
    double logdet;    /* log |Sigma| */
    gsl_vector *work; /* scratch for logpdf/sample (not thread-safe) */
} el_mvn;

/* Copies MU (d) and SIGMA (d*d, row-major).  Fails with EL_EDOM if Sigma is
 * not symmetric (relative 1e-12) or not positive definite; NULL then, with
 * *STATUS set.  NAME names the matrix in messages ("Sigma0"); may be NULL. */
el_mvn *el_mvn_alloc(size_t d, const double *mu, const double *Sigma, const char *name,
                     int *status);
void el_mvn_free(el_mvn *g);
double el_mvn_logpdf(el_mvn *g, const double *x);
void el_mvn_sample(el_mvn *g, const gsl_rng *r, double *x);

/* ---- 1-D Gaussian mixture sum_k w_k N(mu_k, sigma_k^2) --------------------- */
typedef struct {
    size_t K;
    double *w, *mu, *sigma;
    gsl_ran_discrete_t *table; /* for sampling the component */
} el_mix;

el_mix *el_mix_alloc(size_t K, const double *w, const double *mu, const double *sigma, int *status);
void el_mix_free(el_mix *m);
double el_mix_logpdf(const el_mix *m, double x); /* log-sum-exp */
double el_mix_pdf(const el_mix *m, double x);
double el_mix_sample(const el_mix *m, const gsl_rng *r);
double el_mix_mean(const el_mix *m);
double el_mix_var(const el_mix *m);

/* ---- discrete distributions over {0, ..., n-1} ------------------------------ */

/* EL_OK if P has n >= 1 finite entries >= 0 summing to 1 within
 * EL_PROB_SUM_TOL; NAME is used in the message. */
int el_discrete_validate(const char *name, size_t n, const double *p);

/* A sampler for P (validated first).  Free with gsl_ran_discrete_free. */
gsl_ran_discrete_t *el_discrete_sampler(const char *name, size_t n, const double *p, int *status);

/* A draw from Dirichlet(alpha, ..., alpha) into P (n entries). */
int el_dirichlet_sample(const gsl_rng *r, size_t n, double alpha, double *p);

/* ---- densities as values: what the numeric KLs integrate and sample ------ */

/* A 1-D density: its log-density and a sampler over an object OBJ, and
 * where its mass sits: NSITES Gaussian-like bumps, the k-th centred at
 * SITE_MU[k] with scale SITE_SIGMA[k] (one for a Gaussian, one per component
 * of a mixture).  Quadrature places its breakpoints there, so a density
 * whose mass lies far from 0 or at a tiny scale is still found. */
typedef struct {
    double (*logpdf)(const void *obj, double x);
    double (*sample)(const void *obj, const gsl_rng *r);
    const void *obj;
    size_t nsites;
    const double *site_mu, *site_sigma;
} el_density1;

/* A d-dimensional density (OBJ may keep scratch space: not thread-safe). */
typedef struct {
    size_t d;
    double (*logpdf)(void *obj, const double *x);
    void (*sample)(void *obj, const gsl_rng *r, double *x);
    void *obj;
} el_densityd;

el_density1 el_gauss_density(const el_gauss *g);
el_density1 el_mix_density(const el_mix *m);
el_densityd el_mvn_density(el_mvn *g);
el_densityd el_diag_density(el_diag *g);

#endif
