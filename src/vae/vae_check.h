/* vae_check.h -- private to src/vae: the checks of the tiny VAE (one run
 * function per catalogue row, in the files check_*.c) and the experiments
 * that the figures share with them. */
#ifndef EL_VAE_CHECK_H
#define EL_VAE_CHECK_H

#include <stdio.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "plot/el_plot.h"
#include "vae/el_vae.h"

/* The checks (tabled in topic.c): each runs VARIANT 0 (the claim) or k >= 1
 * (the k-th negative control listed beside it in topic.c). */
int el_vae_check_gradcheck(const el_check *c, const el_check_opts *o, int variant,
                           el_check_result *res);
int el_vae_check_kl_term(const el_check *c, const el_check_opts *o, int variant,
                         el_check_result *res);
int el_vae_check_linear_ppca(const el_check *c, const el_check_opts *o, int variant,
                             el_check_result *res);
int el_vae_check_bounds(const el_check *c, const el_check_opts *o, int variant,
                        el_check_result *res);
int el_vae_check_beta(const el_check *c, const el_check_opts *o, int variant, el_check_result *res);
int el_vae_check_generation(const el_check *c, const el_check_opts *o, int variant,
                            el_check_result *res);
int el_vae_check_gmvae(const el_check *c, const el_check_opts *o, int variant,
                       el_check_result *res);

/* A double-precision model of shape CFG with FAULT set, initialised from R.
 * NULL on failure with *STATUS set. */
el_vae *el_vae_check_model(const el_vae_config *cfg, int fault, const gsl_rng *r, int *status);

/* ---- experiments shared with the figures ------------------------------------------ */

/* The pPCA data of vae.linear_ppca and the linear VAE trained on it; the
 * ELBO per step is written to TRACE (STEPS entries) when not NULL. */
#define EL_VAE_PPCA_ROWS  150
#define EL_VAE_PPCA_STEPS 3500

/* Average log-likelihood of DATA under probabilistic PCA with Q latent
 * dimensions, fitted in closed form from the sample covariance (VARIANT 0),
 * or with a typical mistake (1: sigma^2 = the mean of all eigenvalues;
 * 2: W from the eigenvectors of the Q smallest eigenvalues). */
int el_vae_ppca_loglik(const el_vae_data *data, size_t q, int variant, double *out);

/* The run of vae.linear_ppca (for seed SEED, as `elbolab check --seed`)
 * traced: after every EVERY steps, STEP and the exact ELBO per point (*N
 * entries, at most EL_VAE_PPCA_STEPS / EVERY + 1); *LL the pPCA optimum. */
int el_vae_ppca_trace(unsigned long seed, size_t every, double *step, double *elbo, size_t *n,
                      double *ll);

/* The model of vae.bounds, with paired estimates: every point draws one
 * pool of KS[NK-1] log weights, and IWAE_k for each of the NK sample sizes
 * KS (1 = the ELBO; each must divide the next, else EL_EUSAGE) is the mean
 * of log-mean-exp over disjoint blocks of k of that pool.  For each k: GAP
 * and SE, the mean over points of (estimate - exact log p(x)) and its
 * standard error; GAIN and GAIN_SE (NAN for the first), the same for
 * IWAE_{k_j} - IWAE_{k_{j-1}} on the same draws.  As each block of k_j is a
 * union of blocks of k_{j-1}, concavity of log makes every point's gain >= 0. */
int el_vae_bounds_curve(unsigned long seed, const size_t *ks, size_t nk, double *gap, double *se,
                        double *gain, double *gain_se);

/* The exact ELBO per row of a linear VAE with a Gaussian decoder (no Monte
 * Carlo: E_q log p(x|z) is a quadratic form), averaged over DATA. */
int el_vae_linear_elbo(const el_vae *m, const el_vae_data *data, double *out);

/* One point of the beta sweep of vae.beta. */
typedef struct {
    double beta;
    double rate;       /* mean KL(q(z|x) || N(0, I)) */
    double distortion; /* mean -log p(x|z) */
    double tc;         /* total correlation of the aggregate posterior (Gaussian fit) */
    double tc_se;      /* the Monte Carlo standard error of tc */
} el_vae_beta_point;

#define EL_VAE_NBETA 4
extern const double el_vae_betas[EL_VAE_NBETA];

/* Trains one VAE per beta in el_vae_betas on the independent-factor data
 * (FAULT applied) and measures each: the run of vae.beta for SEED. */
int el_vae_beta_sweep(unsigned long seed, int fault, el_vae_beta_point *pts);

/* The models of vae.generation (VARIANT as the check's): N decoder means of
 * the same z ~ N(0, I) from the VAE (VAE_X, n x 2) and the auto-encoder
 * (AE_X), and the true log-density of each (SCORE, n x 2: VAE, AE). */
int el_vae_generation_samples(unsigned long seed, int variant, size_t n, double *vae_x,
                              double *ae_x, double *score);

/* The GM-VAE of gmvae.training (VARIANT as the check's): the best of its
 * starts, and its clustered data in *DATA.  NULL on failure with *STATUS set. */
el_vae *el_vae_gmvae_fit(unsigned long seed, int variant, el_vae_data **data, int *status);

/* ---- the figures (figures.c), tabled in topic.c ------------------------------------ */

int el_vae_fig_ppca(FILE *f, const el_plot_opts *o);
int el_vae_fig_bounds(FILE *f, const el_plot_opts *o);
int el_vae_fig_beta(FILE *f, const el_plot_opts *o);
int el_vae_fig_generation(FILE *f, const el_plot_opts *o);
int el_vae_fig_gmvae(FILE *f, const el_plot_opts *o);

/* The descriptor, defined in topic.c. */
extern const el_topic el_vae_topic;

#endif
