/* topic.c -- what the grad topic offers: its checks (each with its negative
 * controls) and figures, and the descriptor that lists them. */
#include "results/grad/grad_topic.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const reparam_sampling_mistakes[] = {
    "z = mu + sigma^2 eps (variance in place of the standard deviation)",
    "z = mu + L^T eps (the transposed Cholesky factor)",
    NULL,
};

static const char *const reparam_unbiased_mistakes[] = {
    "score function without the (z - mu)/sigma^2 factor: f(z) alone for d/dmu",
    "pathwise d/dsigma without eps: f'(z) in place of f'(z) eps",
    NULL,
};

static const char *const kl_backprop_mistakes[] = {
    "eps dropped: dt/dsigma = -1/sigma + z",
    "z treated as a constant inside r = log q(z)",
    NULL,
};

static const char *const logvar_mistakes[] = {
    "a step small enough (0.005) that the sigma^2 run stays valid: the claimed contrast vanishes",
    NULL,
};

static const el_check checks[] = {
    { "grad.reparam_sampling",
      "z = mu + sigma eps (and mu + L eps), eps ~ N(0, I), samples q: moments and a KS test",
      reparam_sampling_mistakes, el_grad_check_reparam_sampling },
    { "grad.reparam_unbiased",
      "pathwise E[f'(mu + sigma eps)(1, eps)] and score E[f(z) grad log q] both equal grad E_q f; "
      "the pathwise one has the smaller variance",
      reparam_unbiased_mistakes, el_grad_check_reparam_unbiased },
    { "grad.kl_backprop",
      "t = log q(z) - log p(z), z = mu + sigma eps: dt/dmu = z, dt/dsigma = -1/sigma + z eps; "
      "their mean is grad KL = (mu, sigma - 1/sigma)",
      kl_backprop_mistakes, el_grad_check_kl_backprop },
    { "grad.logvar",
      "gradient descent on log sigma^2 converges at a step where descent on sigma^2 drives "
      "sigma^2 <= 0",
      logvar_mistakes, el_grad_check_logvar },
};

static const el_figure figures[] = {
    { "grad-estimator-variance",
      "variance of pathwise and score-function gradient estimators against the sample count",
      "grad.reparam_unbiased", el_grad_fig_variance },
    { "grad-logvar", "gradient descent on a Gaussian KL in sigma^2 and in log sigma^2",
      "grad.logvar", el_grad_fig_logvar },
};

const el_topic el_grad_topic = {
    .name = "grad",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
