/* gmvae_topic.h -- private to the gmvae topic: the example the check
 * (checks.c) and the figure (plots.c) share. */
#ifndef EL_GMVAE_TOPIC_H
#define EL_GMVAE_TOPIC_H

#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/gmvae/el_gmvae.h"

/* K = 3 uniform components in a scalar w, decoded linearly into x in R^2. */
void el_gmvae_example(el_gmvae *m, double *x);

/* q(z|w,x) number I of the example set: 0 the optimum p(z|w), 1 the prior,
 * 2 a perturbation of the optimum's coefficients. */
#define EL_GMVAE_NQZ 3
void el_gmvae_example_qz(const el_gmvae *m, int i, el_gmvae_qz *qz);

/* The three-term ELBO as VARIANT writes it (0: the claim; k >= 1 the k-th
 * mistake of gmvae.elbo). */
int el_gmvae_three_term(const el_gmvae *m, const double *x, const el_gauss *qw,
                        const el_gmvae_qz *qz, int v, double *out);

/* ---- the entries of the topic, tabled in topic.c --------------------------- */

/* The checks: each runs VARIANT 0 (the claim) or k >= 1 (the k-th negative
 * control listed beside it in topic.c). */
int el_gmvae_check_elbo(const el_check *c, const el_check_opts *o, int v, el_check_result *res);

/* The figures: each writes its gnuplot commands and data to F. */
int el_gmvae_fig_elbo(FILE *f, const el_plot_opts *o);

/* The descriptor, defined in topic.c. */
extern const el_topic el_gmvae_topic;

#endif
