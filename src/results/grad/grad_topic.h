/* grad_topic.h -- private to the grad topic: its checks (checks.c) and
 * figures (plots.c), tabled in topic.c. */
#ifndef EL_GRAD_TOPIC_H
#define EL_GRAD_TOPIC_H

#include <stdio.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/grad/el_grad.h"

/* ---- the entries of the topic, tabled in topic.c --------------------------- */

/* The checks: each runs VARIANT 0 (the claim) or k >= 1 (the k-th negative
 * control listed beside it in topic.c). */
int el_grad_check_reparam_sampling(const el_check *c, const el_check_opts *o, int variant,
                                   el_check_result *res);
int el_grad_check_reparam_unbiased(const el_check *c, const el_check_opts *o, int variant,
                                   el_check_result *res);
int el_grad_check_kl_backprop(const el_check *c, const el_check_opts *o, int variant,
                              el_check_result *res);
int el_grad_check_logvar(const el_check *c, const el_check_opts *o, int variant,
                         el_check_result *res);

/* The figures: each writes its gnuplot commands and data to F. */
int el_grad_fig_variance(FILE *out, const el_plot_opts *o);
int el_grad_fig_logvar(FILE *out, const el_plot_opts *o);

/* The descriptor, defined in topic.c. */
extern const el_topic el_grad_topic;

#endif
