/* topic.c -- what the kl topic offers: its checks (each with its negative
 * controls), evaluators and figures, and the descriptor that lists them. */
#include "results/kl/kl_topic.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const definition_mistakes[] = { "sign flip: integral of q log(p/q)", NULL };

static const char *const nonneg_mistakes[] = { "sign flip: sum of q log(p/q) (which is <= 0)",
                                               NULL };

static const char *const self_zero_mistakes[] = { "the -1/2 dropped from the Gaussian formula",
                                                  NULL };

static const char *const asym_mistakes[] = { "assuming symmetry: KL(p||q) taken to be KL(q||p)",
                                             NULL };

static const char *const triangle_mistakes[] = {
    "sqrt(KL) in place of KL (a metric on equal-variance Gaussians)", NULL
};

static const char *const additive_mistakes[] = {
    "mean of the per-dimension KLs instead of their sum", NULL
};

static const char *const invariant_mistakes[] = {
    "the Jacobian 1/y dropped from the transformed densities", NULL
};

static const char *const convex_mistakes[] = { "the inequality reversed (concavity)", NULL };

static const char *const equal_var_mistakes[] = { "missing the 1/2", "sigma in place of sigma^2",
                                                  NULL };

static const char *const gauss_1d_mistakes[] = { "arguments swapped: KL(N(mu2,s2^2)||N(mu1,s1^2))",
                                                 "the -1/2 dropped", NULL };

static const char *const gauss_std_mistakes[] = { "log sigma in place of log sigma^2", NULL };

static const char *const gauss_mv_mistakes[] = {
    "Sigma0^-1 in place of Sigma1^-1", "determinant ratio inverted: log(|Sigma0|/|Sigma1|)", NULL
};

static const el_check checks[] = {
    { "kl.definition", "KL(q||p) = integral of q log(q/p) = E_q[log q - log p]",
      definition_mistakes, el_kl_check_definition },
    { "kl.nonnegative",
      "KL >= 0 (Gibbs); if supp p lies in supp q, the Jensen gap log E_q[p/q] - "
      "E_q[log p/q] equals KL",
      nonneg_mistakes, el_kl_check_nonnegative },
    { "kl.self_zero",
      "KL(q||q) = 0, and KL(q||p) > 0 when p and q differ on a set of positive "
      "measure",
      self_zero_mistakes, el_kl_check_self_zero },
    { "kl.asymmetric", "KL(p||q) != KL(q||p) in general", asym_mistakes, el_kl_check_asymmetric },
    { "kl.no_triangle", "KL is not a metric: KL(a||c) > KL(a||b) + KL(b||c) can happen",
      triangle_mistakes, el_kl_check_no_triangle },
    { "kl.additive", "KL of product distributions is the sum of the per-factor KLs",
      additive_mistakes, el_kl_check_additive },
    { "kl.invariant", "KL is unchanged by an invertible change of variable (y = exp(x))",
      invariant_mistakes, el_kl_check_invariant },
    { "kl.convex", "KL is jointly convex in (p, q)", convex_mistakes, el_kl_check_convex },
    { "kl.gauss_equal_var", "KL(N(mq,s^2)||N(mp,s^2)) = (mq - mp)^2 / (2 s^2)", equal_var_mistakes,
      el_kl_check_equal_var },
    { "kl.gauss_1d", "KL(N(m1,s1^2)||N(m2,s2^2)) = log(s2/s1) + (s1^2 + (m1-m2)^2)/(2 s2^2) - 1/2",
      gauss_1d_mistakes, el_kl_check_gauss_1d },
    { "kl.gauss_std", "KL(N(m,s^2)||N(0,1)) = (m^2 + s^2 - 1 - log s^2) / 2", gauss_std_mistakes,
      el_kl_check_gauss_std },
    { "kl.gauss_mv",
      "KL(N(m0,S0)||N(m1,S1)) = [tr(S1^-1 S0) + (m1-m0)' S1^-1 (m1-m0) - d + log(|S1|/|S0|)] / 2",
      gauss_mv_mistakes, el_kl_check_gauss_mv },
};

static const el_eval evals[] = {
    { "kl.normal", "KL(N(mu1,sigma1^2) || N(mu2,sigma2^2))", "mu1 sigma1 mu2 sigma2", "",
      el_kl_eval_normal },
    { "kl.normal_std", "KL(N(mu,sigma^2) || N(0,1))", "mu sigma", "", el_kl_eval_normal_std },
    { "kl.mvn", "KL(N(mu0,Sigma0) || N(mu1,Sigma1))", "mu0 Sigma0 mu1 Sigma1", "", el_kl_eval_mvn },
    { "kl.diag", "KL between diagonal Gaussians (vectors of means and standard deviations)",
      "mu0 sigma0 mu1 sigma1", "", el_kl_eval_diag },
    { "kl.discrete", "KL(p || q) between discrete distributions", "p q", "", el_kl_eval_discrete },
};

static const el_figure figures[] = {
    { "kl-gauss-1d", "1-D Gaussian KL against mean gap and variance ratio", "kl.gauss_1d",
      el_kl_fig_gauss_1d },
    { "mc-vs-sobol", "Monte Carlo and Sobol error against sample count", "kl.definition",
      el_kl_fig_mc_vs_sobol },
    { "kl-convex", "the convexity chord", "kl.convex", el_kl_fig_convex },
};

const el_topic el_kl_topic = {
    .name = "kl",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .evals = evals,
    .nevals = EL_COUNT(evals),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
