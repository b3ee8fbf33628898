/* kl_topic.h -- private to the kl topic: its checks (checks.c), evaluators
 * (eval.c) and figures (plots.c), tabled in topic.c. */
#ifndef EL_KL_TOPIC_H
#define EL_KL_TOPIC_H

#include <stdio.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/kl/el_kl.h"

/* ---- the entries of the topic, tabled in topic.c --------------------------- */

/* The checks: each runs VARIANT 0 (the claim) or k >= 1 (the k-th negative
 * control listed beside it in topic.c). */
int el_kl_check_definition(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_nonnegative(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_self_zero(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_asymmetric(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_no_triangle(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_additive(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_invariant(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_convex(const el_check *c, const el_check_opts *o, int v, el_check_result *res);
int el_kl_check_equal_var(const el_check *c, const el_check_opts *o, int v, el_check_result *r);
int el_kl_check_gauss_1d(const el_check *c, const el_check_opts *o, int v, el_check_result *r);
int el_kl_check_gauss_std(const el_check *c, const el_check_opts *o, int v, el_check_result *r);
int el_kl_check_gauss_mv(const el_check *c, const el_check_opts *o, int v, el_check_result *res);

/* The evaluators of `elbolab eval`. */
int el_kl_eval_normal(const el_params *p, const el_eval_opts *o, el_eval_result *res);
int el_kl_eval_normal_std(const el_params *p, const el_eval_opts *o, el_eval_result *res);
int el_kl_eval_mvn(const el_params *p, const el_eval_opts *o, el_eval_result *res);
int el_kl_eval_diag(const el_params *p, const el_eval_opts *o, el_eval_result *res);
int el_kl_eval_discrete(const el_params *p, const el_eval_opts *o, el_eval_result *res);

/* The figures: each writes its gnuplot commands and data to F. */
int el_kl_fig_gauss_1d(FILE *f, const el_plot_opts *o);
int el_kl_fig_mc_vs_sobol(FILE *f, const el_plot_opts *o);
int el_kl_fig_convex(FILE *f, const el_plot_opts *o);

/* The descriptor, defined in topic.c. */
extern const el_topic el_kl_topic;

#endif
