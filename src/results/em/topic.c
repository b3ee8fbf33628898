/* topic.c -- what the em topic offers: its checks (each with its negative
 * controls), evaluators and figures, and the descriptor that lists them. */
#include "results/em/em_topic.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const coordinate_ascent_mistakes[] = {
    "E-step sets q to the prior w_k instead of the posterior",
    "E-step drops the entropy H(q): hard assignments to the most probable component",
    "M-step variance not weighted by the responsibilities",
    NULL,
};

static const el_check checks[] = {
    { "em.coordinate_ascent",
      "EM is coordinate ascent on F(theta,q) = E_q[log p(x,z;theta)] + H(q); after the E-step F = "
      "log p(x;theta)",
      coordinate_ascent_mistakes, el_em_check_coordinate_ascent },
};

static const el_eval evals[] = {
    { "em.gmm",
      "EM on a 1-D Gaussian mixture: final weights, means, sigmas and the mean log-likelihood "
      "after each iteration",
      "data K init_w init_mu init_sigma iterations", "", el_em_eval_gmm },
};

static const el_figure figures[] = {
    { "em-free-energy", "F and the log-likelihood at every half-step of EM", "em.coordinate_ascent",
      el_em_fig_halfsteps },
};

const el_topic el_em_topic = {
    .name = "em",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .evals = evals,
    .nevals = EL_COUNT(evals),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
