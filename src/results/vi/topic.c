/* topic.c -- what the vi topic offers: its checks (each with its negative
 * controls), evaluators and figures, and the descriptor that lists them. */
#include "results/vi/vi_topic.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const inclusive_exclusive_mistakes[] = {
    "the exclusive fit equals the moment-matched (inclusive) fit",
    "inclusive sigma^2 = average of the component variances (spread of the means ignored)",
    NULL,
};

static const char *const mode_seeking_mistakes[] = {
    "reverse KL covers all modes: the global exclusive optimum is the broad one between the modes",
    "the exclusive fit equals the inclusive one (mu = 0, sigma^2 = 10)",
    NULL,
};

static const char *const forward_objective_mistakes[] = {
    "answers swapped: forward fit v_i = 1/Lambda_ii, reverse fit v_i = Sigma_ii",
    "the forward objective taken to be E_q[log p] instead of E_p[log q]",
    NULL,
};

static const char *const posterior_intractable_mistakes[] = {
    "a grid with a fixed total budget (at most 4096 evaluations) stays accurate as the dimension "
    "grows",
    "p(x) = p(x | z = E[z]): the likelihood at the prior mean, the integral skipped",
    NULL,
};

static const el_check checks[] = {
    { "vi.inclusive_exclusive",
      "for p = 1/3 N(-1,1) + 2/3 N(1,1): argmin KL(p||q) is moment matching N(1/3, 17/9); "
      "argmin KL(q||p) has no closed form, is found numerically and is narrower",
      inclusive_exclusive_mistakes, el_vi_run_inclusive_exclusive },
    { "vi.mode_seeking",
      "for 1/2 N(-3,1) + 1/2 N(3,1): KL(q||p) seeks one mode (sigma ~ 1), KL(p||q) spans "
      "both (mu = 0, sigma^2 = 10); a symmetric local optimum also exists",
      mode_seeking_mistakes, el_vi_run_mode_seeking },
    { "vi.forward_objective",
      "min_q KL(p||q) = max_q E_p[log q] (needs samples of p: SNIS with q as proposal); for a "
      "correlated Gaussian p and factorised q: forward v_i = Sigma_ii, reverse v_i = 1/Lambda_ii",
      forward_objective_mistakes, el_vi_run_forward_objective },
    { "vi.posterior_intractable",
      "the VAE posterior is not easy: p(x) = int p(x|z) p(z) dz has no closed form for a "
      "neural decoder, and grid quadrature cost grows exponentially with the latent dimension",
      posterior_intractable_mistakes, el_vi_run_posterior_intractable },
};

static const el_eval evals[] = {
    { "fit.inclusive",
      "argmin over Gaussians q of KL(p||q) for p = sum_k w_k N(m_k, s_k^2): moment matching",
      "w m s", "", el_vi_eval_inclusive },
    { "fit.exclusive",
      "argmin over Gaussians q of KL(q||p): every local optimum, the global one reported", "w m s",
      "", el_vi_eval_exclusive },
};

static const el_figure figures[] = {
    { "vi-fits-homework", "inclusive and exclusive Gaussian fits of 1/3 N(-1,1) + 2/3 N(1,1)",
      "vi.inclusive_exclusive", el_vi_fig_homework },
    { "vi-fits-modes",
      "the inclusive fit and every exclusive local optimum for 1/2 N(-3,1) + 1/2 N(3,1)",
      "vi.mode_seeking", el_vi_fig_modes },
    { "vi-forward-reverse-2d",
      "factorised fits of a correlated 2-D Gaussian: forward vs reverse KL", "vi.forward_objective",
      el_vi_fig_forward },
    { "vi-evidence-cost", "error and cost of the evidence p(x) against the latent dimension",
      "vi.posterior_intractable", el_vi_fig_evidence },
};

const el_topic el_vi_topic = {
    .name = "vi",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .evals = evals,
    .nevals = EL_COUNT(evals),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
