/* el_elbo.h -- the evidence lower bound on models where everything is exact.
 *
 * Three exact models:
 *   - el_lgm: the conjugate linear-Gaussian model z ~ N(0, I_k),
 *     x | z ~ N(A z + b, Psi); p(x) = N(b, A A^T + Psi) and p(z|x) is Gaussian.
 *   - el_lg1: its scalar case z ~ N(0,1), x | z ~ N(a z + b, noise^2), written
 *     out in numerically careful closed forms (what `elbolab eval elbo.gauss`
 *     and `iwae.gauss` report).
 *   - the discrete-latent model (el_dlm_*): z in {0..K-1} with prior pi and
 *     log-likelihoods l_z = log p(x|z) of one observed x; p(x) is a finite sum.
 *
 * For a variational q the ELBO is reported in both written forms
 * (el_elbo_terms), so that checks can compare them.  Functions validate their
 * inputs (EL_EDOM with a message naming the bad one) and never print. */
#ifndef EL_ELBO_H
#define EL_ELBO_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include "dist/el_dist.h"
#include "num/el_num.h"

/* The pieces of ELBO(q) = E_q[log p(x,z) - log q(z)]. */
typedef struct {
    double loglik;     /* E_q[log p(x|z)] (reconstruction term) */
    double kl_prior;   /* KL(q || p(z)) */
    double cross;      /* E_q[log p(z)] */
    double entropy;    /* H(q) = -E_q[log q] */
    double elbo;       /* loglik - kl_prior: "reconstruction minus KL" */
    double elbo_joint; /* E_q[log p(x,z) - log q]: "expected log-joint plus entropy" */
} el_elbo_terms;

/* ---- the conjugate linear-Gaussian model ---------------------------------- */
typedef struct {
    size_t k, d;
    gsl_matrix *A;       /* d x k loadings */
    gsl_vector *b;       /* d offsets */
    el_mvn *noise;       /* N(0, Psi): Cholesky factor of Psi and log|Psi| */
    el_mvn *marginal;    /* p(x) = N(b, A A^T + Psi) */
    gsl_matrix *B;       /* L_Psi^-1 A (d x k): whitened loadings */
    gsl_matrix *post_L;  /* Cholesky factor of the posterior precision I + B^T B */
    gsl_vector *wd, *wk; /* scratch (not thread-safe) */
} el_lgm;

/* Copies A (d*k row-major), b (d) and Psi (d*d row-major, symmetric positive
 * definite).  NULL on failure with *STATUS set (EL_EDOM names the bad input). */
el_lgm *el_lgm_alloc(size_t k, size_t d, const double *A, const double *b, const double *Psi,
                     int *status);
void el_lgm_free(el_lgm *m);

/* log p(x) = log N(x; b, A A^T + Psi), through the marginal's Cholesky factor. */
double el_lgm_log_evidence(el_lgm *m, const double *x);

/* log p(x|z) + log p(z). */
double el_lgm_log_joint(el_lgm *m, const double *x, const double *z);

/* The posterior p(z|x) = N(mu, Sigma): precision Lambda = I + A^T Psi^-1 A,
 * Sigma = Lambda^-1, mu = Sigma A^T Psi^-1 (x - b).  MU gets k numbers,
 * SIGMA k*k row-major. */
void el_lgm_posterior(el_lgm *m, const double *x, double *mu, double *Sigma);

/* ELBO terms for q = N(qmu, qS) (qS k*k row-major, SPD):
 *   E_q log p(x|z) = log N(x; A qmu + b, Psi) - 1/2 tr(Psi^-1 A qS A^T),
 *   E_q log p(z)   = -k/2 log 2pi - 1/2 (|qmu|^2 + tr qS),
 *   H(q)           = k/2 (1 + log 2pi) + 1/2 log|qS|,
 *   KL(q||p(z))    by el_kl_mvn (an independent route). */
int el_lgm_elbo(el_lgm *m, const double *x, const double *qmu, const double *qS,
                el_elbo_terms *out);

/* ---- the scalar conjugate model ------------------------------------------- */
typedef struct {
    double x, a, b, noise; /* observed x; x | z ~ N(a z + b, noise^2); z ~ N(0,1) */
} el_lg1;

/* EL_OK if x, a, b are finite and noise is finite and > 0, and likewise
 * q_mu finite and q_sigma > 0 (the names in messages are the eval's keys). */
int el_lg1_validate(const el_lg1 *m, double q_mu, double q_sigma);

/* log p(x) = log N(x; b, a^2 + noise^2), with h = hypot(a, noise). */
double el_lg1_log_evidence(const el_lg1 *m);

/* The posterior N(*MU, *SIGMA^2): SIGMA = noise/h, MU = (a/h) (x-b)/h. */
void el_lg1_posterior(const el_lg1 *m, double *mu, double *sigma);

/* log p(x|z) + log p(z) - log q(z) at Z, q = N(q_mu, q_sigma^2). */
double el_lg1_log_weight(const el_lg1 *m, double q_mu, double q_sigma, double z);

/* ELBO terms for q = N(q_mu, q_sigma^2) in closed form (validated). */
int el_lg1_elbo(const el_lg1 *m, double q_mu, double q_sigma, el_elbo_terms *out);

/* KL(q || p(z|x)) in closed form (el_kl_normal). */
int el_lg1_kl_posterior(const el_lg1 *m, double q_mu, double q_sigma, double *out);

/* The ELBO by adaptive quadrature of  int q(z) log(p(x,z)/q(z)) dz, in the
 * standardised variable t = (z - q_mu)/q_sigma. */
int el_lg1_elbo_quad(const el_lg1 *m, double q_mu, double q_sigma, el_quad_result *out);

/* The ELBO as the Monte Carlo mean of log p(x,z) - log q(z), z ~ q (N draws). */
int el_lg1_elbo_mc(const el_lg1 *m, double q_mu, double q_sigma, size_t n, const gsl_rng *r,
                   el_estimate *out);

/* chi^2(p(z|x) || q) = int p(z|x)^2 / q(z) dz - 1 = Var_q(w) / p(x)^2 for the
 * importance weight w = p(x,z)/q(z): it sets the IWAE gap
 * log p(x) - L_k = chi^2 / (2k) + O(1/k^2).  +inf when q_sigma^2 <= sigma_post^2/2
 * (the weights then have infinite variance). */
double el_lg1_chi2(const el_lg1 *m, double q_mu, double q_sigma);

/* ---- importance-weighted bounds ------------------------------------------- */

/* log((1/k) sum_i exp(LOGW[i])) by log-sum-exp: one k-sample IWAE bound. */
double el_iwae_bound(const double *logw, size_t k);

/* L_k for the scalar model: the mean over REPS independent k-sample bounds
 * (each of k draws z ~ q), with its standard error.  EL_EDOM when k < 1 or
 * reps < 2; EL_ENOMEM when the k log-weights cannot be allocated. */
int el_lg1_iwae_mc(const el_lg1 *m, double q_mu, double q_sigma, size_t k, size_t reps,
                   const gsl_rng *r, el_estimate *out);

/* ---- the discrete-latent model --------------------------------------------- */

/* log p(x) = log sum_z pi_z exp(l_z) (log-sum-exp).  PI must be a probability
 * vector (states with pi_z = 0 drop out); L finite. */
int el_dlm_log_evidence(size_t K, const double *pi, const double *l, double *out);

/* p(z|x) = pi_z exp(l_z) / p(x) into POST (K entries). */
int el_dlm_posterior(size_t K, const double *pi, const double *l, double *post);

/* ELBO terms for a probability vector Q: loglik = sum q l, kl_prior by
 * el_kl_discrete, cross = sum q log pi, entropy = -sum q log q, and
 * elbo_joint = sum_z q_z log(pi_z exp(l_z) / q_z) term by term (0 log 0 = 0). */
int el_dlm_elbo(size_t K, const double *pi, const double *l, const double *q, el_elbo_terms *out);

/* The left side of Jensen's inequality as written: log sum_z q_z (p(x,z)/q_z)
 * over the states with q_z > 0 (equals log p(x) when q covers the support). */
int el_dlm_jensen_lhs(size_t K, const double *pi, const double *l, const double *q, double *out);

/* Maximises F(q) = sum_z q_z l_z - KL(q || pi) over the simplex numerically:
 * q = softmax(theta) with theta_{K-1} = 0, GSL multimin (BFGS) on -F with the
 * analytic gradient dF/dtheta_j = q_j (l_j + log pi_j - log q_j - F), from the
 * start THETA0 (K-1 logits; NULL = uniform q).  Converged means stationary
 * on the simplex whatever the softmax's scale: max_z |l_z + log pi_z - log
 * q_z - F| <= EL_DLM_STAT_TOL (the theta gradient carries a factor q_z and
 * vanishes where a q_z saturates near 0): BFGS to 1e-4; where it stops
 * short, damped mirror-ascent steps (the natural gradient, halving the
 * distance each step); then Newton's method with the analytic Hessian.  Then each log q_z is within ~2e-10 of the maximiser's,
 * and F(q) is exact to rounding (quadratic at its maximum).
 * Writes the maximiser to Q and F(q) to *FMAX.  Requires pi_z > 0.
 * EL_ENOCONV if stationarity is not reached. */
#define EL_DLM_STAT_TOL 1e-10
int el_dlm_maximise(size_t K, const double *pi, const double *l, const double *theta0, double *q,
                    double *fmax);

#endif
