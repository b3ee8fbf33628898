/* el_vi.h -- inclusive and exclusive KL fits of a Gaussian to a 1-D Gaussian
 * mixture: the solvers behind the `vi.*` checks, `elbolab eval fit.*` and the
 * autograder's `incl-excl-fit` exercise.
 *
 * The target is p = sum_k w_k N(m_k, s_k^2) (K components); the fitted
 * family is q = N(mu, sigma^2).  A mixture is valid when K >= 1, every w_k is
 * finite and >= 0 with sum 1 (within EL_PROB_SUM_TOL), every m_k is finite
 * and every s_k is finite and > 0; anything else is EL_EDOM with a message
 * naming the bad entry ("s[1] must be > 0, got -2").  NULL pointers are
 * EL_EUSAGE; K > EL_VI_MAX_COMPONENTS is EL_ELIMIT. */
#ifndef EL_VI_H
#define EL_VI_H

#include <stddef.h>
#include "dist/el_dist.h"
#include "num/el_num.h"

/* The largest mixture the solvers accept.  The exclusive fit's cost grows
 * like K^2 (about 2K starts, each integrating over K components): about 0.5 s
 * at K = 8 and a few seconds at K = 16. */
#define EL_VI_MAX_COMPONENTS 16

/* *MU = sum_k w_k m_k and *SIGMA^2 = sum_k w_k (s_k^2 + (m_k - mu)^2) (the
 * mean and variance of p: the spread of the means counts); *KL = KL(p||q) at
 * that q, by quadrature (the entropy of p has no closed form).  KL may be
 * NULL (not computed). */
/* Inclusive fit: argmin over Gaussians q of KL(p||q) for the 1-D mixture p = sum_k w_k N(m_k, s_k^2): moment matching. */
int el_vi_fit_inclusive(size_t K, const double *w, const double *m, const double *s, double *mu,
                        double *sigma, double *kl);

typedef struct {
    double mu, sigma, kl;
    int global;
} el_vi_optimum;

/* Minimises KL(q||p) = -1/2 log(2 pi e sigma^2) - E_q[log p] over (mu, log
 * sigma): GSL BFGS with the quadrature gradient, started from every
 * component (m_k, s_k) and from the moment-matched fit of runs of components
 * adjacent in mean (all runs for K <= 4; pairs and the whole mixture
 * beyond).  Each end point is polished by Newton's method on the gradient
 * (GSL multiroot, quadrature Hessian) to |sigma dKL/dmu| + |dKL/dlog sigma|
 * < 1e-10 (in standardised units), and kept only if the Hessian is positive
 * definite.  A saddle is not a local minimum, but the symmetric point
 * between two well-separated modes can be one.  Writes at most MAX_OPTIMA
 * optima (the best ones), sets *N_OPTIMA to that count and *GLOBAL_INDEX to
 * 0; `global` is 1 for every optimum whose KL is within 1e-9 of the
 * smallest (a symmetric mixture has two equally good fits), ties ordered by
 * mu.  EL_ENOCONV if no start reaches a local minimum. */
/* Exclusive fit: every local minimum of KL(q||p) found from several starts (deduplicated), sorted by kl; *global_index marks the global one. */
int el_vi_fit_exclusive(size_t K, const double *w, const double *m, const double *s,
                        el_vi_optimum *optima, size_t max_optima, size_t *n_optima,
                        size_t *global_index);

/* ---- building blocks shared by the vi checks and figures ----------------- */

/* log p(x) and its first two derivatives in x. */
typedef struct {
    double l, d1, d2;
} el_vi_logp;

/* log p, (log p)' and (log p)'' of the mixture P at X (log-sum-exp through the
 * responsibilities).  NaNs if P has more than EL_VI_MAX_COMPONENTS components. */
el_vi_logp el_vi_logp3(const el_mix *p, double x);

/* An objective on R^dim for el_vi_nelder_mead; a failure inside it should
 * be recorded in PARAMS by the caller and NAN returned. */
typedef double (*el_vi_objective)(const double *x, void *params);

/* Minimises F over R^DIM from X (overwritten with the argmin) with GSL's
 * Nelder-Mead simplex (nmsimplex2), initial step STEP in every coordinate,
 * until the simplex size is below TOL; *FMIN (may be NULL) gets the minimum.
 * A simplex that has not converged after MAX_ITER iterations is restarted
 * where it stopped (a collapsed simplex stalls), up to 4 times; then
 * EL_ENOCONV.  EL_ENUM if F is not finite. */
int el_vi_nelder_mead(el_vi_objective f, void *params, size_t dim, double *x, double step,
                      double tol, int max_iter, double *fmin);

/* ---- the evidence of a tiny nonlinear decoder (vi.posterior_intractable) ---- */

#define EL_VI_MAX_LATENT 5           /* latent dimensions 1..5 */
#define EL_VI_MAX_NODES  200         /* grid nodes per axis */
#define EL_VI_MAX_EVALS  100000000.0 /* grid size limit: n^d */

/* The model: z ~ N(0, I_d), x | z ~ N(f(z), 0.5^2 I_2) with a fixed tanh
 * network f (six hidden units) and a fixed observation x for each d.  The
 * evidence p(x) = E_{p(z)}[p(x|z)] by a tensor Gauss-Hermite grid with N
 * nodes per axis: *VALUE, and *EVALS = N^d likelihood evaluations.
 * EL_EDOM outside 1 <= d <= EL_VI_MAX_LATENT, 1 <= n <= EL_VI_MAX_NODES;
 * EL_ELIMIT if N^d exceeds EL_VI_MAX_EVALS. */
int el_vi_evidence_grid(size_t d, size_t n, double *value, size_t *evals);

/* The same by importance sampling, N draws: the proposal is a defensive
 * mixture 0.8 L + 0.2 p(z), where L is a Gaussian centred at the posterior
 * mode with twice the inverse Gauss-Newton Hessian as covariance (a widened
 * Laplace approximation, what an encoder would provide); mean and standard
 * error. */
int el_vi_evidence_is(size_t d, size_t n, const gsl_rng *r, el_estimate *out);

/* The reference: randomised quasi-Monte Carlo of E_{p(z)}[p(x|z)] with N
 * Sobol points and SHIFTS random shifts (el_qmc_mean). */
int el_vi_evidence_qmc(size_t d, size_t n, size_t shifts, const gsl_rng *r, el_estimate *out);

/* The mistake "p(x) = p(x | z = E z)": the likelihood at z = 0. */
int el_vi_evidence_plugin(size_t d, double *value);

/* The most grid nodes per axis (<= EL_VI_MAX_NODES) with n^d <= BUDGET. */
size_t el_vi_budget_nodes(size_t d, size_t budget);

#endif
