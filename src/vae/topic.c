/* topic.c -- what the vae topic offers: the `vae.*` checks and gmvae.training,
 * which the tiny VAE trains (each run function lives in a check_*.c file,
 * with its negative controls here), the figures (figures.c), and the
 * descriptor that lists them. */
#include "vae/vae_check.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const gradcheck_mistakes[] = {
    "ReLU backward passes the gradient where the input was negative",
    "reparameterisation backward: dz/dlogvar = sigma eps (the 1/2 of exp(logvar/2) dropped)",
    "KL backward: dKL/dlogvar = exp(logvar) - 1 (the 1/2 dropped)",
    NULL,
};

static const char *const kl_term_mistakes[] = {
    "log sigma in place of log sigma^2: 1/2 (mu^2 + sigma^2 - 1 - log sigma)",
    "the per-dimension KLs averaged instead of summed",
    NULL,
};

static const char *const ppca_mistakes[] = {
    "sigma^2 = the mean of all eigenvalues, not only the discarded ones",
    "W from the eigenvectors of the smallest eigenvalues",
    NULL,
};

static const char *const bounds_mistakes[] = {
    "IWAE without the 1/k: log sum_i w_i",
    NULL,
};

static const char *const beta_mistakes[] = {
    "beta multiplies the reconstruction term instead of the KL: beta * recon + KL",
    NULL,
};

static const char *const generation_mistakes[] = {
    "the KL term dropped from the VAE loss (beta = 0: 'it is only a regulariser')",
    NULL,
};

static const char *const gmvae_mistakes[] = {
    "q(k|z,x) = 1/K (the prior) instead of the responsibilities p(k|z)",
    NULL,
};

static const el_check checks[] = {
    { "vae.gradcheck",
      "the hand-written backward passes of the tiny VAE equal central differences of its loss, "
      "for every parameter block",
      gradcheck_mistakes, el_vae_check_gradcheck },
    { "vae.kl_term",
      "the closed-form KL used in training (kl.gauss_std summed over dimensions) equals the "
      "Monte Carlo KL of the same q",
      kl_term_mistakes, el_vae_check_kl_term },
    { "vae.linear_ppca",
      "a linear VAE with Gaussian decoder reaches the pPCA maximum likelihood: "
      "W from the top eigenvectors, sigma^2 = mean of the discarded eigenvalues",
      ppca_mistakes, el_vae_check_linear_ppca },
    { "vae.bounds",
      "on a trained model ELBO <= IWAE_5 <= IWAE_50 <= log p(x) (exact for the linear-Gaussian "
      "VAE)",
      bounds_mistakes, el_vae_check_bounds },
    { "vae.beta",
      "'large beta makes the latents correlated' is false: TC(q(z)) <= rate always; for optimal "
      "models the rate falls and the distortion rises with beta; TC's fall is observed",
      beta_mistakes, el_vae_check_beta },
    { "vae.generation",
      "decoding z ~ N(0, I) gives samples of higher true-data likelihood from a VAE than from a "
      "plain auto-encoder",
      generation_mistakes, el_vae_check_generation },
    { "gmvae.training",
      "a GM-VAE (q(k|z,x) = responsibilities, z reparameterised, k summed out exactly) trained "
      "on clustered data recovers the clusters",
      gmvae_mistakes, el_vae_check_gmvae },
};

static const el_figure figures[] = {
    { "vae-ppca", "a linear VAE trained to the pPCA maximum likelihood", "vae.linear_ppca",
      el_vae_fig_ppca },
    { "vae-bounds", "ELBO <= IWAE_k <= log p(x) on a trained linear VAE", "vae.bounds",
      el_vae_fig_bounds },
    { "vae-beta", "the beta rate-distortion curve and the total correlation", "vae.beta",
      el_vae_fig_beta },
    { "vae-generation", "samples of a VAE and of a plain auto-encoder", "vae.generation",
      el_vae_fig_generation },
    { "gmvae-training", "the latent space of a trained GM-VAE", "gmvae.training",
      el_vae_fig_gmvae },
};

const el_topic el_vae_topic = {
    .name = "vae",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
