/* check_grad.c -- vae.gradcheck (every hand-written backward pass against
 * central differences) and vae.kl_term (the closed-form KL used in training
 * against Monte Carlo of the same q). */
#include "vae/vae_check.h"
#include "dist/el_dist.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- vae.gradcheck ------------------------------------------------------------ */

#define GC_ROWS  5
#define GC_BETA  0.7
#define GC_STEP  1e-5 /* central-difference step */
#define GC_TOL   1e-5 /* largest relative error accepted */
#define GC_FLOOR 1e-3 /* relative errors are taken against max(|a| + |n|, floor) */

/* The shapes whose every parameter block is checked. */
static const el_vae_config gc_shapes[] = {
    { 6, 5, 3, 0, EL_VAE_BERNOULLI, 1.0 },     /* MLP, Bernoulli */
    { 6, 5, 3, 0, EL_VAE_GAUSS_LEARNED, 0.7 }, /* MLP, Gaussian with learned variance */
    { 6, 0, 2, 0, EL_VAE_GAUSS, 0.5 },         /* linear, Gaussian with fixed variance */
    { 6, 4, 2, 3, EL_VAE_GAUSS_LEARNED, 0.8 }, /* GM-VAE: mixture prior */
};
#define NSHAPES (sizeof gc_shapes / sizeof gc_shapes[0])

/* The loss of M on DATA with the noise of generator seed SEED (the same eps every call). */
static double loss_at(el_vae *m, const el_vae_data *data, gsl_rng *r, unsigned long seed)
{
    el_vae_terms t = { NAN, NAN, NAN };
    gsl_rng_set(r, seed);
    if (el_vae_loss(m, data, NULL, data->n, GC_BETA, r, 0, &t))
        return NAN;
    return t.loss;
}

/* The worst relative error between the backward pass G and central
 * differences over the block B of M at parameters P. */
static double block_error(el_vae *m, const el_vae_data *data, int b, double *p, const double *g,
                          gsl_rng *r, unsigned long seed)
{
    double worst = 0;
    for (size_t i = m->blocks[b].offset; i < m->blocks[b].offset + m->blocks[b].size; i++) {
        double keep = p[i];
        p[i] = keep + GC_STEP;
        el_vae_params_set(m, p);
        double up = loss_at(m, data, r, seed);
        p[i] = keep - GC_STEP;
        el_vae_params_set(m, p);
        double down = loss_at(m, data, r, seed);
        p[i] = keep;
        el_vae_params_set(m, p);
        double num = (up - down) / (2 * GC_STEP);
        double err = fabs(num - g[i]) / fmax(fabs(num) + fabs(g[i]), GC_FLOOR);
        if (!isfinite(err))
            err = INFINITY;
        if (err > worst)
            worst = err;
    }
    return worst;
}

/* Data for shape CFG: the independent-factor rows, thresholded to 0/1 for a
 * Bernoulli decoder. */
static el_vae_data *gc_data(const el_vae_config *cfg, const gsl_rng *r, int *status)
{
    el_vae_data *d = el_vae_synthetic(EL_VAE_SYN_FACTORS, GC_ROWS, r, status);
    if (d && cfg->decoder == EL_VAE_BERNOULLI)
        for (size_t i = 0; i < d->n * d->d; i++)
            d->x[i] = d->x[i] > 0 ? 1.0f : 0.0f;
    return d;
}

/* Checks every block of one shape; updates the worst error, its block and the counts. */
static int gc_shape(const el_vae_config *cfg, int fault, gsl_rng *r, double *worst,
                    const char **where, size_t *nblocks, size_t *nvalues)
{
    int s;
    el_vae *m = el_vae_check_model(cfg, fault, r, &s);
    el_vae_data *d = m ? gc_data(cfg, r, &s) : NULL;
    double *p = d ? malloc(m->nparams * sizeof *p) : NULL,
           *g = p ? malloc(m->nparams * sizeof *g) : NULL;
    if (d && !g)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (g) {
        unsigned long seed = gsl_rng_get(r);
        gsl_rng_set(r, seed);
        s = el_vae_loss(m, d, NULL, d->n, GC_BETA, r, 1, &(el_vae_terms){ 0, 0, 0 });
        el_vae_grads_get(m, g);
        el_vae_params_get(m, p);
        for (int b = 0; b < EL_VAE_MAXBLOCKS && !s; b++) {
            if (!m->blocks[b].size)
                continue;
            double e = block_error(m, d, b, p, g, r, seed);
            if (e > *worst || !*where)
                *worst = e, *where = m->blocks[b].name;
            *nblocks += 1;
            *nvalues += m->blocks[b].size;
        }
    }
    free(p);
    free(g);
    el_vae_data_free(d);
    el_vae_free(m);
    return s;
}

int el_vae_check_gradcheck(const el_check *c, const el_check_opts *o, int variant,
                           el_check_result *res)
{
    static const int faults[] = { EL_VAE_FAULT_NONE, EL_VAE_FAULT_RELU_MASK,
                                  EL_VAE_FAULT_REPARAM_HALF, EL_VAE_FAULT_KL_GRAD };
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int threads = el_vae_threads(1), s = EL_OK;
    double worst = 0;
    const char *where = NULL;
    size_t nblocks = 0, nvalues = 0, worst_shape = 0;
    for (size_t k = 0; k < NSHAPES && !s; k++) {
        double before = worst;
        s = gc_shape(&gc_shapes[k], faults[variant], r, &worst, &where, &nblocks, &nvalues);
        if (worst > before)
            worst_shape = k;
    }
    if (!s) {
        static const char *shape_names[] = { "MLP Bernoulli", "MLP Gaussian", "linear Gaussian",
                                             "GM-VAE" };
        res->pass = worst <= GC_TOL;
        snprintf(res->detail, sizeof res->detail,
                 "%zu shapes, %zu parameter blocks, %zu values: worst relative error %.2e "
                 "(%s, %s), must be <= %.0e",
                 NSHAPES, nblocks, nvalues, worst, where ? where : "-", shape_names[worst_shape],
                 GC_TOL);
    }
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}

/* ---- vae.kl_term -------------------------------------------------------------- */

#define KT_ROWS   400
#define KT_BATCH  50
#define KT_EPOCHS 6

typedef struct {
    const double *mu, *lv; /* the batch's encoder outputs, rows x Z */
    size_t rows, Z;
    double *z, *zero, *one, *sd; /* scratch, Z each */
} kt_draw;

/* One draw: a row i uniform in the batch, z ~ q(z|x_i), log q(z) - log N(z; 0, I)
 * with the densities of the dist module. */
static double kt_sample(const gsl_rng *r, void *params)
{
    kt_draw *k = params;
    size_t i = gsl_rng_uniform_int(r, k->rows);
    for (size_t j = 0; j < k->Z; j++)
        k->sd[j] = exp(k->lv[i * k->Z + j] / 2);
    el_diag q = { k->Z, (double *)(k->mu + i * k->Z), k->sd };
    el_diag p = { k->Z, k->zero, k->one };
    el_diag_sample(&q, r, k->z);
    return el_diag_logpdf(&q, k->z) - el_diag_logpdf(&p, k->z);
}

/* Compares the training code's KL on the batch of rows FIRST..FIRST+KT_BATCH-1
 * with the Monte Carlo KL of the same encoder outputs (N draws). */
static int kt_compare(el_vae *m, const el_vae_data *d, size_t first, size_t n, const gsl_rng *r,
                      el_check_result *res)
{
    size_t Z = m->cfg.z_dim, idx[KT_BATCH];
    double mu[KT_BATCH * 8], lv[KT_BATCH * 8], z[8], zero[8] = { 0 }, one[8], sd[8];
    for (size_t j = 0; j < 8; j++)
        one[j] = 1.0;
    for (size_t i = 0; i < KT_BATCH; i++)
        idx[i] = first + i;
    el_vae_terms t;
    int s = el_vae_loss(m, d, idx, KT_BATCH, 1.0, NULL, 0, &t);
    if (!s)
        s = el_vae_encode(m, d, first, KT_BATCH, mu, lv);
    kt_draw k = { mu, lv, KT_BATCH, Z, z, zero, one, sd };
    el_estimate e;
    if (!s)
        s = el_mc_mean(kt_sample, &k, n, r, &e);
    if (!s)
        el_check_compare(res, t.kl, NULL, &e);
    return s;
}

int el_vae_check_kl_term(const el_check *c, const el_check_opts *o, int variant,
                         el_check_result *res)
{
    static const int faults[] = { EL_VAE_FAULT_NONE, EL_VAE_FAULT_KL_LOGSIGMA,
                                  EL_VAE_FAULT_KL_MEAN };
    gsl_rng *r = el_check_rng(c, o);
    int threads = el_vae_threads(1), s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_config cfg = { 8, 16, 3, 0, EL_VAE_GAUSS_LEARNED, 1.0 };
    el_vae_data *d = r ? el_vae_synthetic(EL_VAE_SYN_CLUSTERS, KT_ROWS, r, &s) : NULL;
    el_vae *m = d ? el_vae_check_model(&cfg, faults[variant], r, &s) : NULL;
    el_vae_train_opts to = { KT_BATCH, 0.01, 1.0, 0 };
    size_t n = el_check_samples(o, 20000), checked = 0;
    for (size_t e = 1; m && !s && e <= KT_EPOCHS; e++) {
        s = el_vae_train_epoch(m, d, &to, r, NULL, NULL, NULL);
        if (!s && (e == 1 || e == 3 || e == KT_EPOCHS)) { /* a batch after epochs 1, 3, 6 */
            s = kt_compare(m, d, (e * KT_BATCH) % (KT_ROWS - KT_BATCH), n, r, res);
            checked++;
        }
    }
    if (!s)
        snprintf(res->detail, sizeof res->detail,
                 "training KL of a batch of %d rows vs MC of the same q (%zu draws), after "
                 "epochs 1, 3, %d: worst of %zu shown",
                 KT_BATCH, n, KT_EPOCHS, checked);
    el_vae_free(m);
    el_vae_data_free(d);
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}
