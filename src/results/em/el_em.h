/* el_em.h -- EM for a 1-D Gaussian mixture, and EM seen as coordinate ascent
 * on the free energy.
 *
 * Model: z ~ Cat(w), x | z = k ~ N(mu_k, sigma_k^2).  For data x_1..x_n and
 * responsibilities q (n x K, row i is a distribution over the K components)
 *   F(theta, q) = sum_i sum_k q_ik [log w_k + log N(x_i; mu_k, sigma_k^2) - log q_ik]
 *               = log p(x; theta) - sum_i KL(q_i || p(z | x_i; theta)).
 * Classic EM alternates the closed-form E-step (q = the posterior) and M-step
 * (weighted maximum likelihood); the "ascent" functions maximise F over q and
 * over theta with a generic numerical optimiser instead, knowing only F and
 * its gradient, so that the two can be compared iterate by iterate. */
#ifndef EL_EM_H
#define EL_EM_H

#include <stddef.h>

/* The parameters theta of a K-component 1-D mixture.  The arrays belong to
 * whoever filled the struct. */
typedef struct {
    size_t K;
    double *w;     /* K mixing weights, > 0, summing to 1 */
    double *mu;    /* K means */
    double *sigma; /* K standard deviations, > 0 */
} el_gmm;

#define EL_EM_KMAX        1000 /* at most this many components */
#define EL_EM_SIGMA_FLOOR 1e-8 /* a sigma below this times the data's spread is a collapse */

/* EL_OK if G has K >= 1 components, weights > 0 summing to 1 (within
 * EL_PROB_SUM_TOL), finite means and finite sigmas > 0; else EL_EDOM naming
 * the first bad entry (NAMES: the parameter names used in messages, e.g.
 * {"init_w", "init_mu", "init_sigma"}; NULL for {"w", "mu", "sigma"}). */
int el_gmm_validate(const el_gmm *g, const char *const names[3]);

/* Copies the parameters of SRC into DST (both with the same K). */
void el_gmm_copy(el_gmm *dst, const el_gmm *src);

/* log w_k + log N(x; mu_k, sigma_k^2): the log joint of x and z = k. */
double el_gmm_logjoint(const el_gmm *g, size_t k, double x);

/* ---- classic EM ----------------------------------------------------------- */

/* E-step: RESP (n x K, row-major, caller-owned) = the posterior p(z_i | x_i),
 * computed with log-sum-exp; *LOGLIK (may be NULL) = sum_i log p(x_i; theta).
 * EL_ENUM if a log-likelihood is not finite. */
int el_em_estep(const el_gmm *g, size_t n, const double *x, double *resp, double *loglik);

/* M-step: G = argmax_theta sum_ik resp_ik log p(x_i, z_i = k; theta), i.e.
 * N_k = sum_i resp_ik, w_k = N_k / n, mu_k = sum_i resp_ik x_i / N_k,
 * sigma_k^2 = sum_i resp_ik (x_i - mu_k)^2 / N_k (two passes).  EL_ENUM with a
 * message naming the component when it has lost all its responsibility or
 * its sigma falls below EL_EM_SIGMA_FLOOR times SPREAD (the data's standard
 * deviation, or 1 if that is 0): the likelihood is then unbounded. */
int el_em_mstep(el_gmm *g, size_t n, const double *x, const double *resp, double spread);

/* The free energy F(theta, q) above (0 log 0 = 0; -inf if q_ik > 0 where the
 * joint is 0). */
double el_em_free_energy(const el_gmm *g, size_t n, const double *x, const double *resp);

/* Runs ITERS EM iterations from G (updated in place).  LOGLIK (ITERS entries,
 * may be NULL) receives after iteration i the mean log-likelihood per data
 * point at the new parameters: loglik[i] = (1/n) log p(x; theta_{i+1}).
 * Errors as for the E- and M-steps, with the iteration named. */
int el_em_run(el_gmm *g, size_t n, const double *x, size_t iters, double *loglik);

/* The population standard deviation of X (n >= 1). */
double el_em_spread(size_t n, const double *x);

/* ---- EM as generic coordinate ascent on F ---------------------------------- */

/* Numerical E-step: for each i, maximises F over row i of Q on the simplex
 * (softmax logits, GSL BFGS) starting from Q's current row, which must be
 * strictly positive (the uniform row is a good first start).  Only the
 * value and gradient of F are used: nothing knows the posterior's formula. */
int el_em_ascent_q(const el_gmm *g, size_t n, const double *x, double *q);

/* Numerical M-step: maximises F(theta, Q) over theta = (weight logits,
 * means, log sigmas) with GSL BFGS from G's current value (updated in
 * place), then polishes the stationary point with a Newton root-finder on
 * the gradient.  Only F and its gradient are used. */
int el_em_ascent_theta(el_gmm *g, size_t n, const double *x, const double *q);

/* ---- data files ------------------------------------------------------------ */

/* Reads one number per line from PATH (blank lines and '#' comments, whole or
 * trailing, are skipped) into *X (malloc'ed, caller frees) and *N.  EL_EIO
 * naming the path when it cannot be read; EL_EFORMAT naming PATH:LINE for a
 * line that is not one finite number, or when there is no number at all. */
int el_em_read_data(const char *path, double **x, size_t *n);

#endif
