/* vi_topic.h -- private to the vi topic: its checks (checks_*.c), evaluators
 * (eval.c) and figures (plots.c), tabled in topic.c. */
#ifndef EL_VI_TOPIC_H
#define EL_VI_TOPIC_H

#include <stdio.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/vi/el_vi.h"

/* ---- the vi topic's entry points, tabled in topic.c ------------------------ */

/* The checks: each runs VARIANT 0 (the claim) or k >= 1 (the k-th negative
 * control listed beside it in topic.c). */
int el_vi_run_inclusive_exclusive(const el_check *c, const el_check_opts *o, int variant,
                                  el_check_result *res);
int el_vi_run_mode_seeking(const el_check *c, const el_check_opts *o, int variant,
                           el_check_result *res);
int el_vi_run_forward_objective(const el_check *c, const el_check_opts *o, int variant,
                                el_check_result *res);
int el_vi_run_posterior_intractable(const el_check *c, const el_check_opts *o, int variant,
                                    el_check_result *res);

/* `elbolab eval fit.inclusive` / `fit.exclusive` (keys w, m, s). */
int el_vi_eval_inclusive(const el_params *p, const el_eval_opts *o, el_eval_result *res);
int el_vi_eval_exclusive(const el_params *p, const el_eval_opts *o, el_eval_result *res);

/* The figures. */
int el_vi_fig_homework(FILE *f, const el_plot_opts *o);
int el_vi_fig_modes(FILE *f, const el_plot_opts *o);
int el_vi_fig_forward(FILE *f, const el_plot_opts *o);
int el_vi_fig_evidence(FILE *f, const el_plot_opts *o);

/* The target of vi.forward_objective: its mean M[2] and covariance S[4]. */
void el_vi_forward_target(double *m, double *S);

/* The descriptor, defined in topic.c. */
extern const el_topic el_vi_topic;

#endif
