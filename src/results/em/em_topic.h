/* em_topic.h -- private to the em topic: its check (checks.c), evaluator
 * (eval.c) and figure (plots.c), tabled in topic.c. */
#ifndef EL_EM_TOPIC_H
#define EL_EM_TOPIC_H

#include <stdio.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/em/el_em.h"

/* ---- the entries of the topic, tabled in topic.c --------------------------- */

/* The checks: each runs VARIANT 0 (the claim) or k >= 1 (the k-th negative
 * control listed beside it in topic.c). */
int el_em_check_coordinate_ascent(const el_check *c, const el_check_opts *o, int variant,
                                  el_check_result *res);

/* The evaluators of `elbolab eval`. */
int el_em_eval_gmm(const el_params *p, const el_eval_opts *o, el_eval_result *res);

/* The figures: each writes its gnuplot commands and data to F. */
int el_em_fig_halfsteps(FILE *out, const el_plot_opts *o);

/* The descriptor, defined in topic.c. */
extern const el_topic el_em_topic;

#endif
