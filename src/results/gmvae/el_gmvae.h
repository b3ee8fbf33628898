/* el_gmvae.h -- the ELBO of a small Gaussian-mixture VAE with a linear-Gaussian
 * decoder, where every term can be computed independently.
 *
 * Model:  z ~ Cat(pi),  w | z ~ N(mu_z, sigma_z^2)  (w scalar),
 *         x | w ~ N(W w + c, noise^2 I_D)            (x in R^D).
 * Then p(x) = sum_z pi_z N(x; W mu_z + c, sigma_z^2 W W^T + noise^2 I) exactly.
 * Variational family:  q(w|x) = N(m, s^2)  and
 *         q(z|w,x) proportional to exp(alpha_z + beta_z w + gamma_z w^2),
 * a family that contains the true p(z|w) (log N(w; mu_z, sigma_z^2) is
 * quadratic in w) and the prior (beta = gamma = 0).
 *
 * Expectations over q(w|x) are one-dimensional: they are computed by adaptive
 * quadrature in the standardised variable t = (w - m)/s, sums over z exactly. */
#ifndef EL_GMVAE_H
#define EL_GMVAE_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "dist/el_dist.h"
#include "num/el_num.h"

#define EL_GMVAE_KMAX 16 /* mixture components */
#define EL_GMVAE_DMAX 16 /* observed dimensions */

typedef struct {
    size_t K, D;
    double pi[EL_GMVAE_KMAX]; /* p(z) */
    double mu[EL_GMVAE_KMAX]; /* p(w|z) = N(mu_z, sigma_z^2) */
    double sigma[EL_GMVAE_KMAX];
    double W[EL_GMVAE_DMAX]; /* p(x|w) = N(W w + c, noise^2 I) */
    double c[EL_GMVAE_DMAX];
    double noise;
} el_gmvae;

/* q(z|w,x) = softmax_z(alpha_z + beta_z w + gamma_z w^2). */
typedef struct {
    double alpha[EL_GMVAE_KMAX], beta[EL_GMVAE_KMAX], gamma[EL_GMVAE_KMAX];
} el_gmvae_qz;

/* The ELBO split into the catalogue's three terms, with the third written as
 * E[log q(w|x) - log p(w|z)] = -ent_w - cross_w. */
typedef struct {
    double rec;     /* E_q(w|x)[log p(x|w)] (closed form) */
    double kl_z;    /* E_q(w|x)[KL(q(z|w,x) || p(z))] */
    double cross_w; /* E_q(w|x)q(z|w,x)[log p(w|z)] */
    double ent_w;   /* H(q(w|x)) = -E_q(w|x)[log q(w|x)] (closed form) */
    double elbo;    /* rec - kl_z - (-ent_w - cross_w) */
    double abserr;  /* sum of the quadrature error estimates */
} el_gmvae_terms;

/* EL_OK if 1 <= K <= KMAX, 1 <= D <= DMAX, pi a probability vector with
 * pi_z > 0, mu, W, c finite, sigma_z and noise finite and > 0. */
int el_gmvae_validate(const el_gmvae *m);

/* log p(x) of the Gaussian mixture, each component through el_mvn. */
int el_gmvae_log_evidence(const el_gmvae *m, const double *x, double *out);

/* log p(x|w). */
double el_gmvae_log_lik(const el_gmvae *m, const double *x, double w);

/* log p(w) = log sum_z pi_z N(w; mu_z, sigma_z^2). */
double el_gmvae_log_prior_w(const el_gmvae *m, double w);

/* The coefficients of q(z|w,x) = p(z|w) (the optimum), and of q = p(z). */
void el_gmvae_qz_posterior(const el_gmvae *m, el_gmvae_qz *qz);
void el_gmvae_qz_prior(const el_gmvae *m, el_gmvae_qz *qz);

/* log q(z|w,x) for z = 0..K-1 into LOGQ (log-softmax, never -inf). */
void el_gmvae_qz_log(const el_gmvae_qz *qz, size_t K, double w, double *logq);

/* int q(w) f(w) dw for q = N(QW.mu, QW.sigma^2), by quadrature in t. */
int el_gmvae_expect(const el_gauss *qw, el_fn1 f, void *params, el_quad_result *out);

/* The three-term ELBO: rec and ent_w in closed form, kl_z and cross_w by
 * el_gmvae_expect.  Validates M and QW. */
int el_gmvae_elbo3(const el_gmvae *m, const double *x, const el_gauss *qw, const el_gmvae_qz *qz,
                   el_gmvae_terms *out);

/* The direct form E_q[log p(x,w,z) - log q(w,z|x)], w by quadrature, z summed. */
int el_gmvae_elbo_quad(const el_gmvae *m, const double *x, const el_gauss *qw,
                       const el_gmvae_qz *qz, el_quad_result *out);

/* The direct form by Monte Carlo: N draws of w ~ q(w|x), then z ~ q(z|w,x). */
int el_gmvae_elbo_mc(const el_gmvae *m, const double *x, const el_gauss *qw, const el_gmvae_qz *qz,
                     size_t n, const gsl_rng *r, el_estimate *out);

/* The ELBO maximised over q(z|w,x): E_q(w|x)[log p(x|w) + log p(w) - log q(w|x)]
 * (z summed out), by quadrature (N = 0, R = NULL, EST = NULL) and/or Monte
 * Carlo (N draws into EST) -- whichever output is not NULL. */
int el_gmvae_zmax(const el_gmvae *m, const double *x, const el_gauss *qw, el_quad_result *quad,
                  size_t n, const gsl_rng *r, el_estimate *est);

/* E_q(w|x)[KL(q(z|w,x) || p(z|w))]: how far QZ falls short of the optimum. */
int el_gmvae_kl_zpost(const el_gmvae *m, const el_gauss *qw, const el_gmvae_qz *qz,
                      el_quad_result *out);

#endif
