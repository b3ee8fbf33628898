/* vae.c -- the model object: shape, the parameter table, initialisation,
 * and the dispatch to the float or double network (net_source.c). */
#include "vae/el_vae.h"
#include "vae/net.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

/* The parameter table of CFG: names and sizes in storage order; absent blocks
 * have size 0.  Returns the total count. */
static size_t layout(const el_vae_config *c, el_vae_block *b)
{
    size_t D = c->x_dim, H = c->hidden, Z = c->z_dim, K = c->mixture;
    int lin = H == 0;
    el_vae_block t[EL_VAE_MAXBLOCKS] = {
        [EL_VAE_ENC1_W] = { "enc1.w", 0, H * D },
        [EL_VAE_ENC1_B] = { "enc1.b", 0, H },
        [EL_VAE_ENC2_W] = { lin ? "enc.w" : "enc2.w", 0, 2 * Z * (lin ? D : H) },
        [EL_VAE_ENC2_B] = { lin ? "enc.b" : "enc2.b", 0, 2 * Z },
        [EL_VAE_DEC1_W] = { "dec1.w", 0, H * Z },
        [EL_VAE_DEC1_B] = { "dec1.b", 0, H },
        [EL_VAE_DEC2_W] = { lin ? "dec.w" : "dec2.w", 0, D * (lin ? Z : H) },
        [EL_VAE_DEC2_B] = { lin ? "dec.b" : "dec2.b", 0, D },
        [EL_VAE_DEC_LOGVAR] = { "dec.logvar", 0, c->decoder == EL_VAE_GAUSS_LEARNED },
        [EL_VAE_PRIOR_MU] = { "prior.mu", 0, K * Z },
        [EL_VAE_PRIOR_LOGVAR] = { "prior.logvar", 0, K * Z },
    };
    size_t off = 0;
    for (int i = 0; i < EL_VAE_MAXBLOCKS; i++) {
        t[i].offset = off;
        off += t[i].size;
        b[i] = t[i];
    }
    return off;
}

/* EL_OK if CFG describes a model this code can build. */
static int validate(const el_vae_config *c)
{
    const size_t big = (size_t)1 << 20;
    if (c->x_dim == 0 || c->z_dim == 0 || c->x_dim > big || c->hidden > big || c->z_dim > 4096 ||
        c->mixture > 4096)
        return EL_ERROR(EL_EDOM, "impossible VAE shape: D=%zu H=%zu Z=%zu K=%zu (need D, Z >= 1)",
                        c->x_dim, c->hidden, c->z_dim, c->mixture);
    if (c->decoder != EL_VAE_BERNOULLI && c->decoder != EL_VAE_GAUSS &&
        c->decoder != EL_VAE_GAUSS_LEARNED)
        return EL_ERROR(EL_EDOM, "unknown decoder %d", (int)c->decoder);
    if (c->decoder != EL_VAE_BERNOULLI && !(c->sigma > 0 && isfinite(c->sigma)))
        return EL_ERROR(EL_EDOM, "decoder sigma must be > 0, got %g", c->sigma);
    if ((double)c->hidden * (double)(c->x_dim + c->z_dim) > 1e9)
        return EL_ERROR(EL_ELIMIT, "VAE too large: %zu hidden units", c->hidden);
    return EL_OK;
}

/* NULL (with *STATUS = EL_ENOMEM) or a 64-byte aligned zeroed block of N values. */
static void *alloc_values(size_t n, size_t size, int *status)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, (n ? n : 1) * size)) {
        *status = EL_ERROR(EL_ENOMEM, "out of memory for %zu parameters", n);
        return NULL;
    }
    memset(p, 0, (n ? n : 1) * size);
    return p;
}

int el_vae_shape_check(const el_vae_config *cfg, size_t *nparams)
{
    int s = validate(cfg);
    if (s)
        return s;
    el_vae_block b[EL_VAE_MAXBLOCKS];
    *nparams = layout(cfg, b);
    return EL_OK;
}

el_vae *el_vae_alloc(const el_vae_config *cfg, el_vae_precision prec, int *status)
{
    int dummy;
    status = status ? status : &dummy;
    *status = validate(cfg);
    if (*status)
        return NULL;
    if (prec != EL_VAE_F32 && prec != EL_VAE_F64) {
        *status = EL_ERROR(EL_EDOM, "precision must be 4 or 8 bytes, got %d", (int)prec);
        return NULL;
    }
    el_vae *m = calloc(1, sizeof *m);
    if (!m) {
        *status = EL_ERROR(EL_ENOMEM, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->prec = prec;
    m->nparams = layout(cfg, m->blocks);
    m->params = alloc_values(m->nparams, (size_t)prec, status);
    m->grads = m->params ? alloc_values(m->nparams, (size_t)prec, status) : NULL;
    m->adam_m = m->grads ? alloc_values(m->nparams, (size_t)prec, status) : NULL;
    m->adam_v = m->adam_m ? alloc_values(m->nparams, (size_t)prec, status) : NULL;
    if (!m->adam_v) {
        el_vae_free(m);
        return NULL;
    }
    return m;
}

void el_vae_free(el_vae *m)
{
    if (!m)
        return;
    if (m->prec == EL_VAE_F32)
        el_vae_work_free_f(m);
    else
        el_vae_work_free_d(m);
    free(m->params);
    free(m->grads);
    free(m->adam_m);
    free(m->adam_v);
    free(m);
}

/* Stores V at position I of the parameter vector. */
static void put(el_vae *m, size_t i, double v)
{
    if (m->prec == EL_VAE_F32)
        ((float *)m->params)[i] = (float)v;
    else
        ((double *)m->params)[i] = v;
}

/* Fills block B with U(-bound, bound). */
static void init_uniform(el_vae *m, int b, double bound, const gsl_rng *r)
{
    for (size_t i = 0; i < m->blocks[b].size; i++)
        put(m, m->blocks[b].offset + i, bound * (2 * gsl_rng_uniform(r) - 1));
}

void el_vae_init(el_vae *m, const gsl_rng *r)
{
    size_t D = m->cfg.x_dim, H = m->cfg.hidden, Z = m->cfg.z_dim;
    size_t fan_in[EL_VAE_MAXBLOCKS] = {
        [EL_VAE_ENC1_W] = D,         [EL_VAE_ENC1_B] = D,         [EL_VAE_ENC2_W] = H ? H : D,
        [EL_VAE_ENC2_B] = H ? H : D, [EL_VAE_DEC1_W] = Z,         [EL_VAE_DEC1_B] = Z,
        [EL_VAE_DEC2_W] = H ? H : Z, [EL_VAE_DEC2_B] = H ? H : Z,
    };
    for (int b = EL_VAE_ENC1_W; b <= EL_VAE_DEC2_B; b++)
        init_uniform(m, b, 1 / sqrt((double)fan_in[b]), r);
    if (m->blocks[EL_VAE_DEC_LOGVAR].size)
        put(m, m->blocks[EL_VAE_DEC_LOGVAR].offset, 2 * log(m->cfg.sigma));
    for (size_t i = 0; i < m->blocks[EL_VAE_PRIOR_MU].size; i++) {
        put(m, m->blocks[EL_VAE_PRIOR_MU].offset + i, gsl_ran_gaussian_ziggurat(r, 1.0));
        put(m, m->blocks[EL_VAE_PRIOR_LOGVAR].offset + i, 0.0);
    }
    size_t bytes = m->nparams * (size_t)m->prec;
    memset(m->adam_m, 0, bytes);
    memset(m->adam_v, 0, bytes);
    memset(m->grads, 0, bytes);
    m->step = 0;
}

/* Copies N values between a float/double block SRC of precision PREC and doubles. */
static void to_double(const void *src, el_vae_precision prec, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = prec == EL_VAE_F32 ? (double)((const float *)src)[i] : ((const double *)src)[i];
}

void el_vae_params_get(const el_vae *m, double *out)
{
    to_double(m->params, m->prec, m->nparams, out);
}

void el_vae_grads_get(const el_vae *m, double *out)
{
    to_double(m->grads, m->prec, m->nparams, out);
}

void el_vae_params_set(el_vae *m, const double *in)
{
    for (size_t i = 0; i < m->nparams; i++)
        put(m, i, in[i]);
}

double el_vae_sigma(const el_vae *m)
{
    if (m->cfg.decoder == EL_VAE_BERNOULLI)
        return NAN;
    if (m->cfg.decoder == EL_VAE_GAUSS)
        return m->cfg.sigma;
    size_t i = m->blocks[EL_VAE_DEC_LOGVAR].offset;
    double lv = m->prec == EL_VAE_F32 ? (double)((float *)m->params)[i] : ((double *)m->params)[i];
    return exp(lv / 2);
}

double el_vae_flops_per_row(const el_vae_config *c)
{
    double D = (double)c->x_dim, H = (double)c->hidden, Z = (double)c->z_dim;
    double enc1 = H * D, enc2 = 2 * Z * (H > 0 ? H : D), dec1 = Z * H, dec2 = D * (H > 0 ? H : Z);
    double forward = enc1 + enc2 + dec1 + dec2;
    double input_grads = forward - (H > 0 ? enc1 : enc2); /* no gradient for the data */
    return 2 * (2 * forward + input_grads);
}

/* ---- dispatch to the compiled precision ----------------------------------- */

int el_vae_loss(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n, double beta,
                const gsl_rng *r, int grad, el_vae_terms *out)
{
    if (n == 0 || data->d != m->cfg.x_dim)
        return EL_ERROR(EL_EDOM, "batch of %zu rows of width %zu for a model of width %zu", n,
                        data->d, m->cfg.x_dim);
    return m->prec == EL_VAE_F32 ? el_vae_loss_f(m, data, idx, n, beta, r, grad, out)
                                 : el_vae_loss_d(m, data, idx, n, beta, r, grad, out);
}

int el_vae_train_step(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n, double beta,
                      const gsl_rng *r, double lr, el_vae_terms *out)
{
    if (n == 0 || data->d != m->cfg.x_dim)
        return EL_ERROR(EL_EDOM, "batch of %zu rows of width %zu for a model of width %zu", n,
                        data->d, m->cfg.x_dim);
    return m->prec == EL_VAE_F32 ? el_vae_train_step_f(m, data, idx, n, beta, r, lr, out)
                                 : el_vae_train_step_d(m, data, idx, n, beta, r, lr, out);
}

void el_vae_adam(el_vae *m, double lr)
{
    if (m->prec == EL_VAE_F32)
        el_vae_adam_f(m, lr);
    else
        el_vae_adam_d(m, lr);
}

int el_vae_log_weights(el_vae *m, const el_vae_data *data, size_t first, size_t n, size_t k,
                       const gsl_rng *r, double *logw)
{
    if (k == 0 || data->d != m->cfg.x_dim || first + n > data->n)
        return EL_ERROR(EL_EDOM, "log weights: k = %zu, rows %zu..%zu of %zu, width %zu vs %zu", k,
                        first, first + n, data->n, data->d, m->cfg.x_dim);
    return m->prec == EL_VAE_F32 ? el_vae_log_weights_f(m, data, first, n, k, r, logw)
                                 : el_vae_log_weights_d(m, data, first, n, k, r, logw);
}

int el_vae_encode(el_vae *m, const el_vae_data *data, size_t first, size_t n, double *mu,
                  double *logvar)
{
    if (data->d != m->cfg.x_dim || first + n > data->n)
        return EL_ERROR(EL_EDOM, "encode: rows %zu..%zu of %zu, width %zu vs %zu", first, first + n,
                        data->n, data->d, m->cfg.x_dim);
    return m->prec == EL_VAE_F32 ? el_vae_encode_f(m, data, first, n, mu, logvar)
                                 : el_vae_encode_d(m, data, first, n, mu, logvar);
}

int el_vae_decode(el_vae *m, const double *z, size_t n, double *xmean)
{
    return m->prec == EL_VAE_F32 ? el_vae_decode_f(m, z, n, xmean)
                                 : el_vae_decode_d(m, z, n, xmean);
}

double el_vae_logmeanexp(const double *logw, size_t k)
{
    double top = -INFINITY, s = 0;
    for (size_t j = 0; j < k; j++)
        top = logw[j] > top ? logw[j] : top;
    if (!isfinite(top))
        return top;
    for (size_t j = 0; j < k; j++)
        s += exp(logw[j] - top);
    return top + log(s / (double)k);
}
