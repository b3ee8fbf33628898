/* el_grad.h -- the reparameterisation trick and the log-variance
 * parameterisation: reparameterised sampling, the Kolmogorov-Smirnov test
 * used to check it, pathwise and score-function gradient estimators, the
 * backward pass of the single-sample KL term, and gradient descent on a
 * Gaussian KL in two parameterisations. */
#ifndef EL_GRAD_H
#define EL_GRAD_H

#include <stddef.h>

/* ---- Kolmogorov-Smirnov test ------------------------------------------------ */

typedef struct {
    double D; /* sup |empirical CDF - CDF| */
    double p; /* asymptotic p-value of D (Stephens' small-n correction) */
    size_t n;
} el_ks_result;

/* One-sample KS test of the N values X (sorted in place) against CDF.
 * EL_EDOM if N < 2 or a value is not finite. */
int el_ks_test(double *x, size_t n, double (*cdf)(double x, void *p), void *params,
               el_ks_result *out);

/* P(D_n > d) under the null: the Kolmogorov distribution's tail at
 * (sqrt(n) + 0.12 + 0.11/sqrt(n)) d. */
double el_ks_pvalue(double d, size_t n);

/* ---- gradient estimators of d/d(mu, sigma) E_{z ~ N(mu, sigma^2)} f(z) -------- */

/* A smooth test function and its derivative. */
typedef struct {
    double (*f)(double z, const void *p);
    double (*df)(double z, const void *p);
    const void *p;
} el_grad_fn;

/* Single-sample pathwise (reparameterisation) estimate with z = mu + sigma eps:
 * g[0] = f'(z) (dz/dmu = 1), g[1] = f'(z) eps (dz/dsigma = eps). */
void el_grad_pathwise(const el_grad_fn *f, double mu, double sigma, double eps, double g[2]);

/* Single-sample score-function (REINFORCE) estimate at the same z:
 * g = f(z) d log q(z)/d(mu, sigma) = f(z) ((z - mu)/sigma^2, -1/sigma + (z - mu)^2/sigma^3). */
void el_grad_score(const el_grad_fn *f, double mu, double sigma, double eps, double g[2]);

/* Test functions whose expectation under N(mu, sigma^2) has a closed form;
 * the _exact functions write g = (d/dmu, d/dsigma) E f. */

/* f(z) = z^3 + z^2/2: E f = mu^3 + 3 mu sigma^2 + (mu^2 + sigma^2)/2. */
double el_grad_cubic(double z, const void *unused);
double el_grad_cubic_df(double z, const void *unused);
void el_grad_cubic_exact(double mu, double sigma, double g[2]);

/* A Gaussian bump f(z) = exp(-(z - c)^2 / (2 b^2)) (P points to an el_grad_bump):
 * E f = b / sqrt(v) exp(-(mu - c)^2 / (2 v)), v = b^2 + sigma^2. */
typedef struct {
    double c, b;
} el_grad_bump;
double el_grad_bump_f(double z, const void *p);
double el_grad_bump_df(double z, const void *p);
void el_grad_bump_exact(const el_grad_bump *k, double mu, double sigma, double g[2]);

/* ---- the single-sample KL term and its backward pass ------------------------- */

/* The values the forward pass keeps for the backward pass. */
typedef struct {
    double mu, sigma, eps;
    double z; /* mu + sigma eps */
    double r; /* log q(z) = log N(z; mu, sigma^2) */
    double s; /* log p(z) = log N(z; 0, 1) */
    double t; /* r - s */
} el_kl_tape;

/* Forward pass of t(mu, sigma; eps) = log q(z) - log p(z), z = mu + sigma eps;
 * returns t and fills TAPE. */
double el_kl_sample_forward(double mu, double sigma, double eps, el_kl_tape *tape);

/* Reverse-mode backward pass through the graph (eps held fixed): node by
 * node, z receives the adjoints of r and s, and mu, sigma receive r's direct
 * adjoints plus z's times dz/dmu = 1, dz/dsigma = eps.  Writes dt/dmu and
 * dt/dsigma (which simplify to z and -1/sigma + z eps). */
void el_kl_sample_backward(const el_kl_tape *tape, double *dmu, double *dsigma);

/* ---- gradient descent on KL(N(mu, v) || N(m, tau^2)), per dimension ---------- */

typedef enum {
    EL_PARAM_VARIANCE, /* the optimiser updates v = sigma^2 */
    EL_PARAM_LOGVAR    /* the optimiser updates s = log sigma^2 */
} el_var_param;

/* The outcome of a descent run. */
typedef struct {
    int invalid;  /* 1 if some iterate left the valid region (v <= 0 or not finite) */
    size_t steps; /* iterations done (up to the first invalid iterate) */
    double err;   /* max over dims of |mu - m|/tau and |v - tau^2|/tau^2 at the end */
} el_descent_result;

/* Runs up to ITERS steps of gradient descent with step ETA on
 * sum_j KL(N(mu_j, v_j) || N(m_j, tau_j^2)) in D dimensions, from mu = MU0,
 * v = V0 (arrays of D), in parameterisation PARAM.  If TRACE is not NULL it
 * receives (ITERS + 1) x D variances, row t = after step t (rows after an
 * invalid step are NAN).  Stops at the first invalid iterate. */
int el_grad_descent(el_var_param param, size_t d, const double *m, const double *tau,
                    const double *mu0, const double *v0, double eta, size_t iters, double *trace,
                    el_descent_result *out);

#endif
