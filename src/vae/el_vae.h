/* el_vae.h -- the tiny VAE: a small variational auto-encoder in plain C whose
 * every ingredient is a result the toolkit verifies elsewhere.
 *
 *   encoder   x -> [Linear -> ReLU] -> Linear -> (mu, log sigma^2)  (grad.logvar)
 *   sample    z = mu + exp(logvar/2) * eps, eps ~ N(0, I)           (grad.reparam_*)
 *   rate      KL(q(z|x) || N(0, I)) = sum_j 1/2 (mu^2 + s^2 - 1 - log s^2)
 *                                                     (kl.gauss_std, kl.additive)
 *   decoder   z -> [Linear -> ReLU] -> Linear -> logits (Bernoulli) or means
 *             (Gaussian, fixed or learned variance)
 *   loss      -ELBO = -log p(x|z) + beta * rate                      (elbo.*)
 *   log p(x)  the importance-weighted bound log (1/k) sum_i w_i      (elbo.iwae)
 *
 * With hidden = 0 the encoder and decoder are single linear maps.  With
 * mixture = K > 0 the prior is a learned K-component Gaussian mixture and the
 * rate is -H(q) - log p(z) at the sampled z, with the mixture component summed
 * out exactly (the GM-VAE of gmvae.training).
 *
 * The network runs in single precision (training speed, through CBLAS
 * sgemm) or double precision (gradient checks and the numerical checks);
 * both are compiled from one source (net_source.c).  Data are stored as
 * float.  Nothing here prints or exits. */
#ifndef EL_VAE_H
#define EL_VAE_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "num/el_num.h"

/* ---- data sets ------------------------------------------------------------- */

typedef struct {
    size_t n, d;          /* n rows of d values */
    float *x;             /* n * d values, row-major */
    int *label;           /* n class labels in 0..nclass-1, or NULL */
    size_t nclass;        /* number of classes (0 without labels) */
    size_t width, height; /* image shape when a row is an image (width * height = d), else 0 */
    int binary;           /* 1 when every value is 0 or 1 */
} el_vae_data;

/* An n x d data set of zeros (with n zero labels when LABELLED).  NULL on
 * failure with *STATUS set; free with el_vae_data_free (NULL is a no-op). */
el_vae_data *el_vae_data_alloc(size_t n, size_t d, int labelled, int *status);
void el_vae_data_free(el_vae_data *d);

/* The built-in synthetic data sets (no download needed). */
typedef enum {
    EL_VAE_SYN_SPRITES, /* 16x16 binary images of 3 shapes at random place and size (labels: shape) */
    EL_VAE_SYN_PPCA,    /* 6-D linear-Gaussian data x = W z + b + 0.3 noise, z ~ N(0, I_2) */
    EL_VAE_SYN_TOY2D,   /* 2-D: a mixture of 8 Gaussians on a circle (labels: component) */
    EL_VAE_SYN_FACTORS, /* 6-D: two independent uniform factors through a fixed smooth map, plus noise */
    EL_VAE_SYN_CLUSTERS /* 8-D: 4 well separated Gaussian clusters (labels: cluster) */
} el_vae_synth;

/* N rows of synthetic data KIND.  The generative model (loadings, cluster
 * centres, the smooth map) depends on nothing but KIND; the rows are drawn
 * with R, so a train and a test split come from two generators. */
el_vae_data *el_vae_synthetic(el_vae_synth kind, size_t n, const gsl_rng *r, int *status);

/* Parses "sprites", "ppca", "toy2d", "factors" or "clusters"; EL_ENOTFOUND otherwise. */
int el_vae_synth_parse(const char *name, el_vae_synth *out);
const char *el_vae_synth_name(el_vae_synth kind);

/* log density of the TOY2D distribution at (x, y): exact (a Gaussian mixture). */
double el_vae_toy2d_logpdf(double x, double y);

/* Where Debian's dataset-fashion-mnist package puts the files. */
#define EL_VAE_FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define EL_VAE_FASHION_APT "apt-get install dataset-fashion-mnist"

/* Reads one split of an MNIST-style data set from DIR: SPLIT is "train" or
 * "t10k", the files SPLIT-images-idx3-ubyte[.gz] and SPLIT-labels-idx1-ubyte[.gz]
 * (gzip or plain IDX, read with zlib).  Pixels become p/255, then 0/1 at
 * THRESHOLD when 0 <= THRESHOLD < 1 (binarised: p/255 > THRESHOLD), or stay
 * grey when THRESHOLD < 0.  At most MAX_ROWS rows are kept (0 = all).
 * EL_EIO when a file is missing, EL_EFORMAT when one is corrupt or truncated
 * (the message names the file and what is wrong). */
el_vae_data *el_vae_idx_load(const char *dir, const char *split, double threshold, size_t max_rows,
                             int *status);

/* ---- the model --------------------------------------------------------------- */

typedef enum {
    EL_VAE_BERNOULLI = 0,    /* logits; -log p(x|z) is the stable binary cross-entropy */
    EL_VAE_GAUSS = 1,        /* means, fixed standard deviation cfg.sigma */
    EL_VAE_GAUSS_LEARNED = 2 /* means, one learned log variance shared by all pixels */
} el_vae_decoder;

typedef enum { EL_VAE_F32 = 4, EL_VAE_F64 = 8 } el_vae_precision;

typedef struct {
    size_t x_dim;   /* D: values per data row */
    size_t hidden;  /* H: hidden units of encoder and decoder; 0 = linear maps */
    size_t z_dim;   /* Z: latent dimensions */
    size_t mixture; /* K > 0: learned K-component Gaussian-mixture prior; 0: N(0, I) */
    el_vae_decoder decoder;
    double sigma; /* decoder standard deviation (fixed; initial value when learned) */
} el_vae_config;

/* Deliberate faults, used only by the negative controls of the checks. */
typedef enum {
    EL_VAE_FAULT_NONE = 0,
    EL_VAE_FAULT_RELU_MASK,    /* ReLU backward passes the gradient where the input was < 0 */
    EL_VAE_FAULT_REPARAM_HALF, /* dz/dlogvar = sigma * eps: the 1/2 of exp(logvar/2) dropped */
    EL_VAE_FAULT_KL_GRAD,      /* dKL/dlogvar = exp(logvar) - 1: the 1/2 dropped */
    EL_VAE_FAULT_KL_LOGSIGMA,  /* KL forward uses log sigma where log sigma^2 belongs */
    EL_VAE_FAULT_KL_MEAN,      /* KL forward averages the dimensions instead of summing them */
    EL_VAE_FAULT_RESP_UNIFORM, /* GM-VAE: q(k|z,x) = 1/K instead of the responsibilities */
    EL_VAE_FAULT_BETA_RECON,   /* beta multiplies the reconstruction term instead of the rate */
    EL_VAE_FAULT_IWAE_NO_1K    /* IWAE: log sum_i w_i, the 1/k dropped */
} el_vae_fault;

/* One named block of the parameter vector. */
typedef struct {
    const char *name;    /* "enc1.w", "enc1.b", ... */
    size_t offset, size; /* size 0: the block is absent from this shape */
} el_vae_block;

/* The blocks, in storage order.  Weights are (out x in) row-major. */
enum {
    EL_VAE_ENC1_W,
    EL_VAE_ENC1_B, /* x -> hidden             (H x D, H)  */
    EL_VAE_ENC2_W,
    EL_VAE_ENC2_B, /* hidden (or x) -> mu|lv  (2Z x H, 2Z) */
    EL_VAE_DEC1_W,
    EL_VAE_DEC1_B, /* z -> hidden             (H x Z, H)  */
    EL_VAE_DEC2_W,
    EL_VAE_DEC2_B,       /* hidden (or z) -> x      (D x H, D)  */
    EL_VAE_DEC_LOGVAR,   /* learned decoder log variance (1) */
    EL_VAE_PRIOR_MU,     /* mixture prior means (K x Z) */
    EL_VAE_PRIOR_LOGVAR, /* mixture prior log variances (K x Z) */
    EL_VAE_MAXBLOCKS
};

/* The model: shape, parameters in one contiguous block (carved by BLOCKS),
 * Adam moments, and scratch space for a batch.  Fields are read-only for
 * callers except FAULT. */
typedef struct el_vae {
    el_vae_config cfg;
    el_vae_precision prec;
    el_vae_block blocks[EL_VAE_MAXBLOCKS];
    size_t nparams;
    void *params, *grads;  /* nparams values each, of type float or double */
    void *adam_m, *adam_v; /* Adam's first and second moments */
    long step;             /* Adam steps taken */
    int fault;             /* el_vae_fault (checks only) */
    void *work;            /* activations for up to CAP rows (see net_source.c) */
    size_t cap;
} el_vae;

/* EL_OK when CFG is a shape el_vae_alloc accepts (D <= 2^20, H <= 2^20,
 * Z, K <= 4096, H (D + Z) <= 1e9, a known decoder), with *NPARAMS its
 * parameter count; EL_EDOM or EL_ELIMIT otherwise.  Allocates nothing. */
int el_vae_shape_check(const el_vae_config *cfg, size_t *nparams);

/* A model of shape CFG in precision PREC, parameters zero (call el_vae_init).
 * EL_EDOM for an impossible shape.  NULL on failure with *STATUS set. */
el_vae *el_vae_alloc(const el_vae_config *cfg, el_vae_precision prec, int *status);
void el_vae_free(el_vae *m);

/* Draws the parameters as PyTorch's nn.Linear does (weights and biases
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in))); decoder log variance log sigma^2;
 * mixture means N(0, 1), mixture log variances 0.  Resets Adam. */
void el_vae_init(el_vae *m, const gsl_rng *r);

/* Copies the parameters (or the gradient of the last el_vae_loss with
 * GRAD = 1) to or from NPARAMS doubles. */
void el_vae_params_get(const el_vae *m, double *out);
void el_vae_params_set(el_vae *m, const double *in);
void el_vae_grads_get(const el_vae *m, double *out);

/* Per-row means of one pass over a batch, in nats. */
typedef struct {
    double loss;  /* recon + beta * kl: the minimised objective (-ELBO when beta = 1) */
    double recon; /* -log p(x|z) at the sampled z (all constants included) */
    double kl;    /* the rate: closed-form KL(q||N(0,I)), or -H(q) - log p(z) for a mixture prior */
} el_vae_terms;

/* One forward pass over rows IDX[0..n) of DATA (IDX NULL: rows 0..n-1) with
 * eps ~ N(0, I) drawn from R (R NULL: eps = 0, the deterministic
 * auto-encoder), and, when GRAD, the backward pass that leaves the gradient
 * of the mean loss in m->grads.  Returns EL_OK or EL_ENOMEM / EL_EDOM. */
int el_vae_loss(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n, double beta,
                const gsl_rng *r, int grad, el_vae_terms *out);

/* One Adam step (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected) along m->grads. */
void el_vae_adam(el_vae *m, double lr);

/* el_vae_loss with GRAD = 1 and then, when the loss is finite, el_vae_adam
 * with LR, in one pass: each slice of the gradient takes its Adam step as
 * soon as it is computed, on the thread that computed it.  The same model
 * as the two calls. */
int el_vae_train_step(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n, double beta,
                      const gsl_rng *r, double lr, el_vae_terms *out);

/* Log importance weights log p(x, z_j) - log q(z_j|x), z_j ~ q(z|x), for
 * j < k and rows 0..n-1 of DATA starting at row FIRST: LOGW[i*k + j].
 * Every constant is included, so mean_j is an unbiased ELBO estimate and
 * logmeanexp_j the IWAE_k estimate of log p(x). */
int el_vae_log_weights(el_vae *m, const el_vae_data *data, size_t first, size_t n, size_t k,
                       const gsl_rng *r, double *logw);

/* Encoder outputs for rows 0..n-1 of DATA from row FIRST: MU and LOGVAR
 * (n * Z each; LOGVAR may be NULL). */
int el_vae_encode(el_vae *m, const el_vae_data *data, size_t first, size_t n, double *mu,
                  double *logvar);

/* Decoder means for N latent points Z (n * Z): sigmoid(logits) for a
 * Bernoulli decoder, the Gaussian means otherwise; XMEAN is n * D. */
int el_vae_decode(el_vae *m, const double *z, size_t n, double *xmean);

/* Decoder means of N points z ~ N(0, I) drawn from a generator seeded with
 * SEED (mixed with "vae samples"); XMEAN is n * D.  (latent.c) */
int el_vae_sample_prior(el_vae *m, size_t n, unsigned long seed, double *xmean);

/* A plane through the N latent means MU (n * Z) for a scatter plot: P (n * 2)
 * gets their coordinates on the two principal axes of their (uncentred)
 * second-moment matrix when Z > 2, else (z_1, z_2), with 0 for z_2 when
 * Z = 1.  (latent.c) */
int el_vae_latent_plane(const double *mu, size_t n, size_t Z, double *p);

/* The decoder's standard deviation (Gaussian decoders), NAN for Bernoulli. */
double el_vae_sigma(const el_vae *m);

/* Floating-point operations of one training step per data row: the matrix
 * products of the forward pass, the weight gradients and the input gradients
 * (all but the first layer's), a multiply-add counted as 2.  Elementwise work
 * is not counted.  784-400-20: 3.28 MFLOP. */
double el_vae_flops_per_row(const el_vae_config *cfg);

/* Sets the number of threads training and evaluation use (1 .. 64; 1 until
 * called); returns the previous number.  Process-wide: call it between
 * runs, not during one.  The threads do not change what is computed: the
 * same seed gives the same model byte for byte on any number of threads
 * (see el_vae_parallel_set). */
int el_vae_threads(int n);

/* How the threads are used.  EL_VAE_PAR_SPLIT (the default): a step runs in
 * two phases on a team of the model's own threads, each calling
 * single-threaded BLAS and sleeping between phases: (1) the batch in parts
 * of 64 rows, each run forward and backward to the layers' output
 * gradients; (2) the weight gradients in slices of 128 output rows, each one
 * product over the whole batch, with the Adam step of a slice fused in
 * (el_vae_train_step).  Parts and slices are claimed in turn, and none
 * depends on which thread runs it.  EL_VAE_PAR_SPLIT_FINE: the same with
 * parts of 32 rows (more balance, smaller products).  EL_VAE_PAR_BLAS: the
 * caller runs everything and OpenBLAS's own threads share each product
 * (kept to compare; OpenBLAS's idle threads spin, which costs a busy
 * machine dearly).  Returns the previous setting. */
typedef enum {
    EL_VAE_PAR_SPLIT = 0,     /* parts of 64 rows on the model's threads */
    EL_VAE_PAR_BLAS = 1,      /* OpenBLAS's threads */
    EL_VAE_PAR_SPLIT_FINE = 2 /* parts of 32 rows on the model's threads */
} el_vae_parallel;
el_vae_parallel el_vae_parallel_set(el_vae_parallel how);

/* ---- training and evaluation -------------------------------------------------- */

typedef struct {
    size_t batch; /* rows per step */
    double lr;    /* Adam learning rate */
    double beta;  /* weight of the rate (1 = the ELBO) */
    int ae;       /* 1: plain auto-encoder, z = mu and the rate is not trained */
} el_vae_train_opts;

/* Called after every batch: BATCH counts from 1 to NBATCH; RUNNING holds the
 * means over the epoch so far. */
typedef void (*el_vae_progress_fn)(void *ctx, size_t batch, size_t nbatch,
                                   const el_vae_terms *running);

/* One epoch over TRAIN in a random order drawn with R (the last batch may be
 * short).  OUT gets the per-row means.  CB may be NULL. */
int el_vae_train_epoch(el_vae *m, const el_vae_data *train, const el_vae_train_opts *o,
                       const gsl_rng *r, el_vae_progress_fn cb, void *ctx, el_vae_terms *out);

/* STEPS Adam steps on batches of o->batch rows (the whole of DATA when it is
 * no larger; otherwise consecutive slices of a fresh random order each
 * pass), the learning rate falling geometrically from o->lr to LR_END.
 * The quick training used by the checks. */
int el_vae_fit(el_vae *m, const el_vae_data *data, const el_vae_train_opts *o, size_t steps,
               double lr_end, const gsl_rng *r);

/* The mean loss terms over the whole of DATA (beta = 1, one eps per row),
 * without training. */
int el_vae_evaluate(el_vae *m, const el_vae_data *data, const gsl_rng *r, el_vae_terms *out);

/* Per row i < n of DATA: IWAE[i] = logmeanexp_j log w_ij (the IWAE_k estimate
 * of log p(x_i)) and ELBO[i] = mean_j log w_ij (the ELBO estimate), k samples
 * each; either may be NULL. */
int el_vae_iwae_rows(el_vae *m, const el_vae_data *data, size_t n, size_t k, const gsl_rng *r,
                     double *iwae, double *elbo);

/* The mean over rows 0..n-1 of DATA of IWAE_k, and of the k-sample ELBO
 * estimate, each with its standard error over rows.  N = 0 means all rows. */
int el_vae_iwae(el_vae *m, const el_vae_data *data, size_t n, size_t k, const gsl_rng *r,
                el_estimate *iwae, el_estimate *elbo);

/* log (1/k) sum_j exp(LOGW[j]) without overflow (a hand-written log-sum-exp). */
double el_vae_logmeanexp(const double *logw, size_t k);

/* ---- the model file --------------------------------------------------------------- */

/* What the file records besides the network: where the data came from. */
typedef struct {
    char data[256];       /* "fashion-mnist", "synthetic", "synthetic:toy2d" or a folder */
    double threshold;     /* binarisation threshold used (< 0: grey) */
    size_t width, height; /* image shape, 0 if not images */
    size_t epochs;        /* epochs trained */
} el_vae_meta;

/* Writes M and META to PATH (a temporary file, then rename): magic
 * "ELBOVAE\0", format version, shapes, parameters as little-endian floats
 * or doubles, and a CRC-32 of everything before it. */
int el_vae_save(const el_vae *m, const el_vae_meta *meta, const char *path);

/* Reads a model written by el_vae_save.  A file that is not a model, of
 * another version, truncated or damaged (checksum) is refused with
 * EL_EFORMAT and a message saying which; NULL then, with *STATUS set. */
el_vae *el_vae_load(const char *path, el_vae_meta *meta, int *status);

/* The same from the N bytes at B (a file's contents; PATH names it in
 * messages).  Every size is checked before anything is allocated. */
el_vae *el_vae_load_mem(const unsigned char *b, size_t n, const char *path, el_vae_meta *meta,
                        int *status);

#define EL_VAE_FILE_VERSION 1

#endif
