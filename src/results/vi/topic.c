/* topic.c -- the `vi.*` rows of the catalogue: the tables of checks, evaluators
 * and figures of the vi group (the code lives in checks_*.c, eval.c and plots.c). */
#include "results/vi/vi_topic.h"

static const el_check vi_checks[] = {
    { "vi.inclusive_exclusive",
      "for p = 1/3 N(-1,1) + 2/3 N(1,1): argmin KL(p||q) is moment matching N(1/3, 17/9); "
      "argmin KL(q||p) has no closed form, is found numerically and is narrower",
      el_vi_inclusive_exclusive_mistakes, el_vi_run_inclusive_exclusive },
    { "vi.mode_seeking",
      "for 1/2 N(-3,1) + 1/2 N(3,1): KL(q||p) seeks one mode (sigma ~ 1), KL(p||q) spans "
      "both (mu = 0, sigma^2 = 10); a symmetric local optimum also exists",
      el_vi_mode_seeking_mistakes, el_vi_run_mode_seeking },
    { "vi.forward_objective",
      "min_q KL(p||q) = max_q E_p[log q] (needs samples of p: SNIS with q as proposal); for a "
      "correlated Gaussian p and factorised q: forward v_i = Sigma_ii, reverse v_i = 1/Lambda_ii",
      el_vi_forward_objective_mistakes, el_vi_run_forward_objective },
    { "vi.posterior_intractable",
      "the VAE posterior is not easy: p(x) = int p(x|z) p(z) dz has no closed form for a "
      "neural decoder, and grid quadrature cost grows exponentially with the latent dimension",
      el_vi_posterior_intractable_mistakes, el_vi_run_posterior_intractable },
};

const el_check *el_vi_checks(size_t *n)
{
    *n = sizeof vi_checks / sizeof vi_checks[0];
    return vi_checks;
}

static const el_eval vi_evals[] = {
    { "fit.inclusive",
      "argmin over Gaussians q of KL(p||q) for p = sum_k w_k N(m_k, s_k^2): moment matching",
      "w m s", "", el_vi_eval_inclusive },
    { "fit.exclusive",
      "argmin over Gaussians q of KL(q||p): every local optimum, the global one reported", "w m s",
      "", el_vi_eval_exclusive },
};

const el_eval *el_vi_evals(size_t *n)
{
    *n = sizeof vi_evals / sizeof vi_evals[0];
    return vi_evals;
}

static const el_figure vi_figures[] = {
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

const el_figure *el_vi_figures(size_t *n)
{
    *n = sizeof vi_figures / sizeof vi_figures[0];
    return vi_figures;
}
