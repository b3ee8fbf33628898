/* el_kl.h -- KL divergences in closed form.
 *
 * KL(q||p) = E_q[log q - log p].  Every function validates its parameters
 * (EL_EDOM with a message naming the bad one) and writes the value to *OUT. */
#ifndef EL_KL_H
#define EL_KL_H

#include <stddef.h>
#include "dist/el_dist.h"
#include "num/el_num.h"

/* KL(N(mu1, s1^2) || N(mu2, s2^2))
 *   = log(s2/s1) + (s1^2 + (mu1-mu2)^2) / (2 s2^2) - 1/2,
 * evaluated as 1/2 [ (r^2 - 1 - log r^2) + ((mu1-mu2)/s2)^2 ], r = s1/s2,
 * with r^2 - 1 - log r^2 = expm1(t) - t (t = log r^2) through GSL's exprel_2,
 * so that the value keeps full relative precision as KL -> 0. */
int el_kl_normal(double mu1, double s1, double mu2, double s2, double *out);

/* KL(N(mu, s^2) || N(0, 1)) = 1/2 (mu^2 + s^2 - 1 - log s^2). */
int el_kl_normal_std(double mu, double s, double *out);

/* KL(N(mu_q, s^2) || N(mu_p, s^2)) = (mu_q - mu_p)^2 / (2 s^2). */
int el_kl_equal_var(double mu_q, double mu_p, double s, double *out);

/* Diagonal Gaussians in d dimensions: the sum of per-dimension KLs. */
int el_kl_diag(size_t d, const double *mu0, const double *s0, const double *mu1, const double *s1,
               double *out);

/* KL(N(mu0, S0) || N(mu1, S1)) in d dimensions (S row-major d*d):
 *   1/2 [ tr(S1^-1 S0) + (mu1-mu0)^T S1^-1 (mu1-mu0) - d + log(|S1|/|S0|) ],
 * through the Cholesky factors L0, L1: tr = ||L1^-1 L0||_F^2, the quadratic
 * form = ||L1^-1 (mu1-mu0)||^2, log|S| = 2 sum log L_ii.  EL_EDOM if either
 * matrix is not symmetric positive definite. */
int el_kl_mvn(size_t d, const double *mu0, const double *S0, const double *mu1, const double *S1,
              double *out);

/* Discrete KL(p||q) = sum_i p_i log(p_i/q_i), with 0 log 0 = 0; +inf when
 * some q_i = 0 < p_i.  Both must be probability vectors of length n. */
int el_kl_discrete(size_t n, const double *p, const double *q, double *out);

/* ---- the same divergences computed numerically ---------------------------- */

/* KL(q||p) = integral of q (log q - log p) over the real line (adaptive
 * quadrature, el_quad_1d, piecewise between breakpoints at mu_k + c sigma_k,
 * c in {0, +-1.5, +-4, +-10, +-40}, for every site of q and of p: each bump of q is
 * integrated in its own standardised coordinate, so means far from 0 and
 * tiny or huge scales are found).  SIGN = -1 integrates q log(p/q) instead (the
 * sign-flip mistake); pass +1 for the definition. */
int el_kl_quad1(const el_density1 *q, const el_density1 *p, double sign, el_quad_result *out);

/* KL(q||p) as the Monte Carlo mean of log q(X) - log p(X), X ~ q (N draws). */
int el_kl_mc1(const el_density1 *q, const el_density1 *p, size_t n, const gsl_rng *r,
              el_estimate *out);

/* KL(q||p) by defensive importance sampling: X ~ r = (q + p) / 2, the mean
 * of w(X) (log q(X) - log p(X)) with w = q / r = 2 / (1 + p/q) <= 2.  Where p
 * has a narrow bump that q reaches only with tiny probability, plain draws
 * from q miss it (their standard error is then wrong); r draws it half the
 * time and weighs it down, so the standard error is honest. */
int el_kl_mc1_defensive(const el_density1 *q, const el_density1 *p, size_t n, const gsl_rng *r,
                        el_estimate *out);

/* d = 2, full-covariance Gaussians: the same integral in q's whitened
 * coordinates (x = mu_q + L_q u) over the box |u_i| <= 12 by nested adaptive
 * quadrature; abserr adds a bound on the truncated tail.  Much faster than
 * el_kl_quad2 at the same tolerance. */
int el_kl_quad2_mvn(el_mvn *q, el_mvn *p, el_quad_result *out);

/* Discrete: the Monte Carlo mean of log p_i - log q_i, i ~ p (N draws).
 * SIGN = -1 averages the flipped log-ratio (the sign-flip mistake). */
int el_kl_mc_discrete(size_t k, const double *p, const double *q, double sign, size_t n,
                      const gsl_rng *r, el_estimate *out);

/* Any d: the Monte Carlo mean of log q(X) - log p(X), X ~ q. */
int el_kl_mcd(const el_densityd *q, const el_densityd *p, size_t n, const gsl_rng *r,
              el_estimate *out);

#endif
