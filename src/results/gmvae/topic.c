/* topic.c -- what the gmvae topic offers: its check (with its negative
 * controls) and figure, and the descriptor that lists them. */
#include "results/gmvae/gmvae_topic.h"

/* ---- the negative controls of each check (variant k is the k-th) ---- */

static const char *const elbo_mistakes[] = {
    "second term with the KL reversed: E_q(w|x)[KL(p(z)||q(z|w,x))]",
    "log q(w|x) dropped from the third term: only -E[-log p(w|z)]",
    "middle term dropped: no E_q(w|x)[KL(q(z|w,x)||p(z))]",
    "the optimal q(z|w,x) is the prior p(z)",
    NULL,
};

static const el_check checks[] = {
    { "gmvae.elbo",
      "ELBO = E_q(w|x)[log p(x|w)] - E_q(w|x)[KL(q(z|w,x)||p(z))] - E_q(w|x)q(z|w,x)[log q(w|x) - "
      "log p(w|z)] <= log p(x); best q(z|w,x) = p(z|w)",
      elbo_mistakes, el_gmvae_check_elbo },
};

static const el_figure figures[] = {
    { "gmvae-elbo", "GM-VAE: three-term ELBO vs direct MC, below log p(x); best q(z|w,x) = p(z|w)",
      "gmvae.elbo", el_gmvae_fig_elbo },
};

const el_topic el_gmvae_topic = {
    .name = "gmvae",
    .checks = checks,
    .nchecks = EL_COUNT(checks),
    .figures = figures,
    .nfigures = EL_COUNT(figures),
};
