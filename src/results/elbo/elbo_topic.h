/* elbo_topic.h -- private to the elbo group: the check functions and their
 * negative controls, defined in checks_*.c and tabled in topic.c. */
#ifndef EL_ELBO_TOPIC_H
#define EL_ELBO_TOPIC_H

#include "check/el_check.h"
#include "results/elbo/el_elbo.h"

/* ---- the example models the checks and figures share ---------------------- */

/* The discrete example: K = 5 states with a non-uniform prior PI and
 * L[z] = log N(x = 0.9; m_z, s_z^2) for fixed component means and widths. */
#define EL_DLM_EXAMPLE_K 5
void el_elbo_dlm_example(double *pi, double *l);

/* The conjugate example: k = 2 latents, d = 3 observations (X gets 3 numbers).
 * NULL on failure with *STATUS set. */
el_lgm *el_elbo_lgm_example(double *x, int *status);

/* The scalar example: x = 1.7, a = 1.3, b = -0.2, noise = 0.6, and the q of
 * its IWAE check and figure (wider than the posterior, so chi^2 is finite). */
el_lg1 el_elbo_lg1_example(void);
#define EL_ELBO_IWAE_Q_MU    0.8
#define EL_ELBO_IWAE_Q_SIGMA 0.7

/* checks_discrete.c: the discrete-latent model. */
extern const char *const el_elbo_jensen_mistakes[];
int el_elbo_check_jensen(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
extern const char *const el_elbo_optimal_mistakes[];
int el_elbo_check_optimal(const el_check *c, const el_check_opts *o, int v, el_check_result *res);

/* checks_gauss.c: the conjugate linear-Gaussian model. */
extern const char *const el_elbo_decomposition_mistakes[];
int el_elbo_check_decomposition(const el_check *c, const el_check_opts *o, int v,
                                el_check_result *res);
extern const char *const el_elbo_tight_mistakes[];
int el_elbo_check_tight(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
extern const char *const el_elbo_iwae_mistakes[];
int el_elbo_check_iwae(const el_check *c, const el_check_opts *o, int v, el_check_result *res);

#endif
