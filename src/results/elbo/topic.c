/* topic.c -- what the elbo topic offers: its checks (each with its negative
 * controls), evaluators and figures, and the descriptor that lists them. */
#include "results/elbo/elbo_topic.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const jensen_mistakes[] = {
    "KL term with the wrong sign: E_q[log p(x|z)] + KL(q||p(z))",
    "entropy dropped: ELBO = sum_z q log p(x,z)",
    "gap taken as the reversed KL(p(z|x)||q)",
    NULL,
};

static const char *const decomposition_mistakes[] = {
    "KL term with the wrong sign: E_q[log p(x|z)] + KL(q||p(z))",
    "entropy dropped: ELBO = E_q[log p(x,z)]",
    "gap taken as the reversed KL(p(z|x)||q)",
    NULL,
};

static const char *const tight_mistakes[] = {
    "tight at the prior: q = p(z)",
    "tight at the normalised likelihood: q(z) proportional to p(x|z)",
    "the gap is the reversed KL(p(z|x)||q)",
    NULL,
};

static const char *const optimal_mistakes[] = {
    "q* = the prior p(z)",
    "q* = the normalised likelihood p(x|z) / sum_z' p(x|z')",
    "q* = p(x|z) p(z) without the normalisation the multiplier enforces",
    NULL,
};

static const char *const iwae_mistakes[] = {
    "log inside the average: (1/k) sum_i log w_i",
    "the 1/k dropped: log sum_i w_i",
    NULL,
};

static const el_check checks[] = {
    { "elbo.jensen",
      "log p(x) = log E_q[p(x,z)/q] >= E_q[log p(x,z)/q] = E_q[log p(x|z)] - KL(q||p(z)); "
      "the gap is KL(q||p(z|x))",
      jensen_mistakes, el_elbo_check_jensen },
    { "elbo.decomposition", "log p(x) = ELBO(q) + KL(q(z|x)||p(z|x)) for every q",
      decomposition_mistakes, el_elbo_check_decomposition },
    { "elbo.tight", "the bound is tight exactly when q(z|x) = p(z|x) almost everywhere",
      tight_mistakes, el_elbo_check_tight },
    { "elbo.optimal_posterior",
      "argmax over the simplex of sum_z q log p(x|z) - KL(q||p(z)) is p(z|x); the maximum is log "
      "p(x)",
      optimal_mistakes, el_elbo_check_optimal },
    { "elbo.iwae",
      "L_k = E log (1/k) sum_i w_i is <= log p(x), non-decreasing in k, and -> log p(x)",
      iwae_mistakes, el_elbo_check_iwae },
};

static const el_eval evals[] = {
    { "elbo.gauss",
      "ELBO of q = N(q_mu,q_sigma^2) for z ~ N(0,1), x|z ~ N(a z + b, noise^2); "
      "extras log_evidence, kl_to_posterior",
      "x a b noise q_mu q_sigma", "", el_elbo_eval_elbo },
    { "iwae.gauss",
      "IWAE bound L_k for the same model and q (--samples = number of k-sample bounds); "
      "extras log_evidence, elbo, k",
      "x a b noise q_mu q_sigma k", "", el_elbo_eval_iwae },
};

static const el_figure figures[] = {
    { "elbo-gap", "log p(x), ELBO(q) and the gap KL(q||p(z|x)) as q moves", "elbo.decomposition",
      el_elbo_fig_gap },
    { "elbo-jensen", "the Jensen gap of random q equals KL(q||p(z|x))", "elbo.jensen",
      el_elbo_fig_jensen },
    { "elbo-tight", "the gap vanishes (quadratically) only at the posterior", "elbo.tight",
      el_elbo_fig_tight },
    { "elbo-optimal", "the numerical maximiser over the simplex is the posterior",
      "elbo.optimal_posterior", el_elbo_fig_optimal },
    { "elbo-iwae", "IWAE_k against k approaching log p(x)", "elbo.iwae", el_elbo_fig_iwae },
};

const el_topic el_elbo_topic = {
    .name = "elbo",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .evals = evals,
    .nevals = EL_COUNT(evals),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
