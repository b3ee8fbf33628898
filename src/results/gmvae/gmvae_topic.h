/* gmvae_topic.h -- private to the gmvae topic: the example the check
 * (checks.c) and the figure (plots.c) share. */
#ifndef EL_GMVAE_TOPIC_H
#define EL_GMVAE_TOPIC_H

#include "check/el_check.h"
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

#endif
