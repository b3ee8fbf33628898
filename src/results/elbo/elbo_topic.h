/* elbo_topic.h -- private to the elbo topic: the example models (examples.c),
 * the checks (checks_*.c), evaluators (eval.c) and figures (plots.c), tabled
 * in topic.c. */
#ifndef EL_ELBO_TOPIC_H
#define EL_ELBO_TOPIC_H

#include <stdio.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
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

/* ---- the entries of the topic, tabled in topic.c --------------------------- */

/* The checks: each runs VARIANT 0 (the claim) or k >= 1 (the k-th negative
 * control listed beside it in topic.c). */
int el_elbo_check_jensen(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_elbo_check_optimal(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_elbo_check_decomposition(const el_check *c, const el_check_opts *o, int v,
                                el_check_result *res);
int el_elbo_check_tight(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_elbo_check_iwae(const el_check *c, const el_check_opts *o, int v, el_check_result *res);

/* The evaluators of `elbolab eval`. */
int el_elbo_eval_elbo(const el_params *p, const el_eval_opts *o, el_eval_result *res);
int el_elbo_eval_iwae(const el_params *p, const el_eval_opts *o, el_eval_result *res);

/* The figures: each writes its gnuplot commands and data to F. */
int el_elbo_fig_gap(FILE *f, const el_plot_opts *o);
int el_elbo_fig_jensen(FILE *f, const el_plot_opts *o);
int el_elbo_fig_tight(FILE *f, const el_plot_opts *o);
int el_elbo_fig_optimal(FILE *f, const el_plot_opts *o);
int el_elbo_fig_iwae(FILE *f, const el_plot_opts *o);

/* The descriptor, defined in topic.c. */
extern const el_topic el_elbo_topic;

#endif
