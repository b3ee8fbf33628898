/* net_source.c -- the network, written once for both precisions.
 *
 * Not compiled on its own: net_f.c includes it with REAL = float and
 * net_d.c with REAL = double (as GSL builds its float and double variants
 * from one template).  FN(name) appends the precision suffix, GEMM is
 * cblas_sgemm or cblas_dgemm, and <tgmath.h> picks expf or exp.
 *
 * Shapes: B rows per batch, D data values, H hidden units, Z latent
 * dimensions, K mixture components.  Activations are row-major (B x n);
 * weights are (out x in) row-major, so a linear layer is out = inp W^T + b
 * (NI inputs, NO outputs).
 * Backward passes ADD into parameter gradients and WRITE input gradients. */

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tgmath.h>
#include <gsl/gsl_cblas.h> /* the CBLAS interface; OpenBLAS supplies it at link time */
#include <gsl/gsl_randist.h>

#include "core/el_core.h"
#include "vae/el_vae.h"
#include "vae/net.h"
#include "vae/pool.h"

#define LOG_2PI       ((REAL)1.8378770664093454836)
#define P(m, slot)    ((REAL *)(m)->params + (m)->blocks[slot].offset)
#define G(g, m, slot) ((g) + (m)->blocks[slot].offset)
#define WORK(m)       ((FN(work) *)(m)->work)

/* The elementwise loops that dominate after the matrix products are also
 * compiled for AVX2 and AVX-512, picked at load time for the CPU (GCC's
 * function multiversioning; the build stays portable).  Without
 * -ffp-contract (ISO C) no clone fuses a multiply and an add, so every clone
 * computes the same values bit for bit. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef VECTOR_CLONES
#define VECTOR_CLONES
#endif
/* What the clones call must be inlined into each (GCC does not inline a
 * plain function into a clone by itself, and a call stops vectorisation). */
#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif

/* Activations and their gradients for up to CAP rows, carved from one block. */
typedef struct {
    REAL *x;         /* B x D   the input rows */
    REAL *h1, *a1;   /* B x H   encoder hidden layer before / after ReLU */
    REAL *enc;       /* B x 2Z  encoder output: mu (first Z), log sigma^2 (last Z) */
    REAL *eps, *z;   /* B x Z   the noise and the sample z = mu + sigma eps */
    REAL *sd;        /* B x Z   sigma = exp(logvar / 2) */
    REAL *h2, *a2;   /* B x H   decoder hidden layer before / after ReLU */
    REAL *out;       /* B x D   logits (Bernoulli) or means (Gaussian) */
    REAL *dout, *dh; /* B x D, B x H  gradients: logits, decoder hidden layer */
    REAL *dh1;       /* B x H   gradient: encoder hidden layer */
    REAL *dz;        /* B x Z */
    REAL *denc;      /* B x 2Z */
    REAL *recon;     /* B       -log p(x|z) per row */
    REAL *rate;      /* B       the rate per row */
    REAL *lpz;       /* B       log p(z) per row */
    REAL *resp;      /* B x K   mixture responsibilities */
    REAL *mix;       /* K x (Z + 1)  mixture inverse variances and constants */
    REAL *block;
    vae_pool *pool; /* the threads (EL_VAE_PAR_SPLIT...), or NULL */
} FN(work);

/* ======================================================================= */
/* Layers: forward/backward pairs                                           */
/* ======================================================================= */

/* out (B x NO) = inp (B x NI) W^T + b;  W is NO x NI, b has NO entries. */
static void linear_forward(REAL *out, const REAL *inp, const REAL *w, const REAL *b, size_t B,
                           size_t NI, size_t NO)
{
    for (size_t r = 0; r < B; r++)
        memcpy(out + r * NO, b, NO * sizeof(REAL));
    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)NO, (int)NI, 1, inp, (int)NI, w,
         (int)NI, 1, out, (int)NO);
}

/* dinp (B x NI) = dout (B x NO) W (NO x NI): the gradient of a layer's input. */
static void linear_dinp(REAL *dinp, const REAL *dout, const REAL *w, size_t B, size_t NI, size_t NO)
{
    GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)NI, (int)NO, 1, dout, (int)NO, w,
         (int)NI, 0, dinp, (int)NI);
}

/* Output rows O0..O1 of a layer's weight gradient, over all B rows of the
 * batch: dW[o] = sum_r dout[r][o] inp[r] (one product over the whole batch)
 * and db[o] = sum_r dout[r][o], for o in O0..O1.  Written, not added to. */
static void linear_dweights(REAL *dw, REAL *db, const REAL *dout, const REAL *inp, size_t B,
                            size_t NI, size_t NO, size_t o0, size_t o1)
{
    GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(o1 - o0), (int)NI, (int)B, 1, dout + o0,
         (int)NO, inp, (int)NI, 0, dw + o0 * NI, (int)NI);
    memset(db + o0, 0, (o1 - o0) * sizeof(REAL));
    for (size_t r = 0; r < B; r++)
        for (size_t o = o0; o < o1; o++)
            db[o] += dout[r * NO + o];
}

/* out (n) = max(inp, 0). */
static void relu_forward(REAL *out, const REAL *inp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = inp[i] > 0 ? inp[i] : 0;
}

/* dinp (n) = dout where inp > 0, else 0 (DINP may be DOUT). */
static void relu_backward(REAL *dinp, const REAL *dout, const REAL *inp, size_t n, int fault)
{
    if (fault == EL_VAE_FAULT_RELU_MASK) {
        memmove(dinp, dout, n * sizeof(REAL));
        return;
    }
    for (size_t i = 0; i < n; i++)
        dinp[i] = inp[i] > 0 ? dout[i] : 0;
}

/* sd (B x Z) = exp(logvar / 2) and z (B x Z) = mu + sd eps, with
 * enc = [mu | logvar] (B x 2Z).  The later layers reuse sd. */
static void reparam_forward(REAL *z, REAL *sd, const REAL *enc, const REAL *eps, size_t B, size_t Z)
{
    for (size_t r = 0; r < B; r++) {
        const REAL *mu = enc + r * 2 * Z, *lv = mu + Z;
        for (size_t j = 0; j < Z; j++) {
            sd[r * Z + j] = exp(lv[j] / 2);
            z[r * Z + j] = mu[j] + sd[r * Z + j] * eps[r * Z + j];
        }
    }
}

/* denc (B x 2Z) += [dz | dz * eps * sd / 2]  (d sd / d logvar = sd / 2). */
static void reparam_backward(REAL *denc, const REAL *dz, const REAL *sd, const REAL *eps, size_t B,
                             size_t Z, int fault)
{
    REAL half = fault == EL_VAE_FAULT_REPARAM_HALF ? 1 : (REAL)0.5;
    for (size_t r = 0; r < B; r++) {
        REAL *dmu = denc + r * 2 * Z, *dlv = dmu + Z;
        for (size_t j = 0; j < Z; j++) {
            dmu[j] += dz[r * Z + j];
            dlv[j] += dz[r * Z + j] * eps[r * Z + j] * sd[r * Z + j] * half;
        }
    }
}

/* rate (B) = KL(N(mu, s^2) || N(0, I)) = sum_j 1/2 (mu^2 + s^2 - 1 - log s^2)
 * (kl.gauss_std per dimension, summed: kl.additive); sd = s from the
 * reparameterisation. */
static void kl_forward(REAL *rate, const REAL *enc, const REAL *sd, size_t B, size_t Z, int fault)
{
    REAL lvw = fault == EL_VAE_FAULT_KL_LOGSIGMA ? (REAL)0.5 : 1;
    for (size_t r = 0; r < B; r++) {
        const REAL *mu = enc + r * 2 * Z, *lv = mu + Z, *s2 = sd + r * Z;
        REAL s = 0;
        for (size_t j = 0; j < Z; j++)
            s += (mu[j] * mu[j] + s2[j] * s2[j] - 1 - lvw * lv[j]) / 2;
        rate[r] = fault == EL_VAE_FAULT_KL_MEAN ? s / (REAL)Z : s;
    }
}

/* denc (B x 2Z) = SCALE * [mu | (s^2 - 1) / 2]: the gradient of SCALE * rate
 * (s^2 = exp(logvar) = sd^2). */
static void kl_backward(REAL *denc, const REAL *enc, const REAL *sd, REAL scale, size_t B, size_t Z,
                        int fault)
{
    REAL half = fault == EL_VAE_FAULT_KL_GRAD ? 1 : (REAL)0.5;
    for (size_t r = 0; r < B; r++) {
        const REAL *mu = enc + r * 2 * Z, *s = sd + r * Z;
        REAL *dmu = denc + r * 2 * Z, *dlv = dmu + Z;
        for (size_t j = 0; j < Z; j++) {
            dmu[j] = scale * mu[j];
            dlv[j] = scale * (s[j] * s[j] - 1) * half;
        }
    }
}

/* log N(z; 0, I) for one row of Z values. */
static REAL log_normal_std(const REAL *z, size_t Z)
{
    REAL t = 0;
    for (size_t j = 0; j < Z; j++)
        t += z[j] * z[j] + LOG_2PI;
    return -t / 2;
}

/* Per-component constants of the mixture prior (m, s: K x Z): IV (K x Z) =
 * exp(-s), the inverse variances, and C (K) = -1/2 (sum_j s_kj + Z log 2 pi). */
static void mixture_constants(REAL *iv, REAL *c, const REAL *s, size_t Z, size_t K)
{
    for (size_t k = 0; k < K; k++) {
        REAL t = 0;
        for (size_t j = 0; j < Z; j++) {
            iv[k * Z + j] = exp(-s[k * Z + j]);
            t += s[k * Z + j] + LOG_2PI;
        }
        c[k] = -t / 2;
    }
}

/* Mixture prior p(z) = (1/K) sum_k N(z; m_k, diag(exp(s_k))) (m: K x Z; IV and
 * C from mixture_constants).  lpz (B) = log p(z) with the component summed
 * out exactly; resp (B x K) = p(k|z), the responsibilities (1/K under the
 * RESP_UNIFORM fault, which also replaces log p(z) by mean_k log N(z; m_k, s_k)). */
static void mixture_forward(REAL *lpz, REAL *resp, const REAL *z, const REAL *m, const REAL *iv,
                            const REAL *c, size_t B, size_t Z, size_t K, int fault)
{
    for (size_t r = 0; r < B; r++) {
        REAL *q = resp + r * K, top = -INFINITY, sum = 0, mean = 0;
        for (size_t k = 0; k < K; k++) {
            REAL t = 0;
            for (size_t j = 0; j < Z; j++) {
                REAL d = z[r * Z + j] - m[k * Z + j];
                t += d * d * iv[k * Z + j];
            }
            q[k] = c[k] - t / 2;
            top = q[k] > top ? q[k] : top;
            mean += q[k] / (REAL)K;
        }
        for (size_t k = 0; k < K; k++)
            sum += (q[k] = exp(q[k] - top));
        for (size_t k = 0; k < K; k++)
            q[k] = fault == EL_VAE_FAULT_RESP_UNIFORM ? 1 / (REAL)K : q[k] / sum;
        lpz[r] = fault == EL_VAE_FAULT_RESP_UNIFORM ? mean : top + log(sum / (REAL)K);
    }
}

/* Gradient of SCALE * (-lpz) with respect to z, given the responsibilities
 * q and IV = exp(-s): dz += SCALE sum_k q_k (z - m_k) iv_k (row by row). */
static void mixture_backward_z(REAL *dz, const REAL *resp, const REAL *z, const REAL *m,
                               const REAL *iv, REAL scale, size_t B, size_t Z, size_t K)
{
    for (size_t r = 0; r < B; r++)
        for (size_t k = 0; k < K; k++) {
            REAL g = scale * resp[r * K + k];
            for (size_t j = 0; j < Z; j++)
                dz[r * Z + j] += g * (z[r * Z + j] - m[k * Z + j]) * iv[k * Z + j];
        }
}

/* The same gradient with respect to the mixture, summed over the B rows:
 * dm_k -= SCALE q_k (z - m_k) iv_k,  ds_k -= SCALE q_k ((z - m_k)^2 iv_k - 1) / 2. */
static void mixture_backward_params(REAL *dm, REAL *ds, const REAL *resp, const REAL *z,
                                    const REAL *m, const REAL *iv, REAL scale, size_t B, size_t Z,
                                    size_t K)
{
    for (size_t r = 0; r < B; r++)
        for (size_t k = 0; k < K; k++) {
            REAL g = scale * resp[r * K + k];
            for (size_t j = 0; j < Z; j++) {
                REAL d = z[r * Z + j] - m[k * Z + j], u = d * iv[k * Z + j];
                dm[k * Z + j] -= g * u;
                ds[k * Z + j] -= g * (d * u - 1) / 2;
            }
        }
}

/* log q(z|x) per row = log N(z; mu, diag(exp(lv))) written with eps:
 * -1/2 sum_j (eps^2 + log 2 pi + lv).  OUT has B entries. */
static void logq_forward(REAL *out, const REAL *enc, const REAL *eps, size_t B, size_t Z)
{
    for (size_t r = 0; r < B; r++) {
        const REAL *lv = enc + r * 2 * Z + Z, *e = eps + r * Z;
        REAL t = 0;
        for (size_t j = 0; j < Z; j++)
            t += e[j] * e[j] + LOG_2PI + lv[j];
        out[r] = -t / 2;
    }
}

/* e^x for x <= 0 and log(1 + e) for e in [0, 1]: the two functions of the
 * Bernoulli likelihood's inner loop.  The float network (FAST_ELEMENTWISE)
 * uses these hand-written versions because libm's expf and log1pf are calls
 * GCC cannot vectorise (and GSL has nothing for float vectors); the double
 * network, which the checks run, uses libm.
 *   exp: x = n ln2 + r, |r| <= ln2/2 (ln2 split in two for exactness), e^r
 *        by its Taylor polynomial to r^7 (truncation < 6e-9 relative), 2^n
 *        written into the exponent bits; x < -87 is clamped (e^-87 ~ 1e-38).
 *   log1p: log(1 + e) = 2 atanh(s), s = e / (2 + e) <= 1/3, by its series to
 *        s^13 (truncation < 2e-8 relative), exact in relative terms as e -> 0. */
#ifdef FAST_ELEMENTWISE
/* max(x, lo) for float, as a select on the bits: the same value as
 * "x < lo ? lo : x", but GCC's AVX clones vectorise it (the branch form keeps
 * their loops scalar), and an infinite x stays harmless. */
INLINE REAL clamp_low(REAL x, REAL lo)
{
    int32_t xb, lb, below = -(int32_t)(x < lo);
    memcpy(&xb, &x, sizeof xb);
    memcpy(&lb, &lo, sizeof lb);
    xb = (xb & ~below) | (lb & below);
    memcpy(&x, &xb, sizeof x);
    return x;
}

INLINE REAL exp_nonpos(REAL x)
{
    x = clamp_low(x, (REAL)-87);
    int32_t n = (int32_t)(x * (REAL)1.4426950408889634 - (REAL)0.5); /* round(x / ln2), x <= 0 */
    REAL r = (x - (REAL)n * (REAL)0.693145751953125) - (REAL)n * (REAL)1.428606820309417e-06;
    REAL p = (REAL)(1.0 / 5040);
    p = p * r + (REAL)(1.0 / 720);
    p = p * r + (REAL)(1.0 / 120);
    p = p * r + (REAL)(1.0 / 24);
    p = p * r + (REAL)(1.0 / 6);
    p = p * r + (REAL)0.5;
    p = p * r + 1;
    p = p * r + 1;
    int32_t bits = (n + 127) << 23;
    REAL two_n;
    memcpy(&two_n, &bits, sizeof two_n);
    return p * two_n;
}

INLINE REAL log1p_unit(REAL e)
{
    REAL s = e / (2 + e), t = s * s;
    REAL p = (REAL)(1.0 / 13);
    p = p * t + (REAL)(1.0 / 11);
    p = p * t + (REAL)(1.0 / 9);
    p = p * t + (REAL)(1.0 / 7);
    p = p * t + (REAL)(1.0 / 5);
    p = p * t + (REAL)(1.0 / 3);
    p = p * t + 1;
    return 2 * s * p;
}
#else
INLINE REAL exp_nonpos(REAL x)
{
    return exp(x);
}

INLINE REAL log1p_unit(REAL e)
{
    return log1p(e);
}
#endif

/* recon (B) = -log Bernoulli(x; sigmoid(l)) = sum_d softplus(l) - x l,
 * with softplus(l) = max(l, 0) + log(1 + exp(-|l|)) (no overflow). */
static void bernoulli_forward(REAL *recon, const REAL *logit, const REAL *x, size_t B, size_t D)
{
    enum { LANES = 8 }; /* independent partial sums, so the loop vectorises */
    for (size_t r = 0; r < B; r++) {
        const REAL *l = logit + r * D, *xr = x + r * D;
        REAL acc[LANES] = { 0 }, t = 0;
        size_t d = 0;
        for (; d + LANES <= D; d += LANES)
            for (size_t k = 0; k < LANES; k++) {
                REAL v = l[d + k];
                acc[k] += (v > 0 ? v : 0) - xr[d + k] * v + log1p_unit(exp_nonpos(-fabs(v)));
            }
        for (; d < D; d++)
            t += (l[d] > 0 ? l[d] : 0) - xr[d] * l[d] + log1p_unit(exp_nonpos(-fabs(l[d])));
        for (size_t k = 0; k < LANES; k++)
            t += acc[k];
        recon[r] = t;
    }
}

/* bernoulli_forward and, in the same pass (one exponential per value),
 * dlogit (B x D) = SCALE (sigmoid(l) - x): the gradient of SCALE * recon. */
VECTOR_CLONES
static void bernoulli_both(REAL *restrict recon, REAL *restrict dlogit, const REAL *restrict logit,
                           const REAL *restrict x, REAL scale, size_t B, size_t D)
{
    enum { LANES = 8, CHUNK = 512 }; /* the sums of bernoulli_forward, bit for bit */
    REAL term[CHUNK];
    for (size_t r = 0; r < B; r++) {
        const REAL *restrict l = logit + r * D, *restrict xr = x + r * D;
        REAL *restrict dl = dlogit + r * D, acc[LANES] = { 0 }, t = 0;
        size_t full = D / LANES * LANES;
        for (size_t c = 0; c < full; c += CHUNK) { /* each value's term, then lane sums */
            size_t m = full - c < CHUNK ? full - c : CHUNK;
            for (size_t d = 0; d < m; d++) {
                REAL v = l[c + d], e = exp_nonpos(-fabs(v)); /* e in (0, 1] */
                term[d] = (v > 0 ? v : 0) - xr[c + d] * v + log1p_unit(e);
                dl[c + d] = scale * ((v >= 0 ? 1 : e) / (1 + e) - xr[c + d]);
            }
            for (size_t d = 0; d < m; d += LANES)
                for (size_t k = 0; k < LANES; k++)
                    acc[k] += term[d + k];
        }
        for (size_t d = full; d < D; d++) {
            REAL v = l[d], e = exp_nonpos(-fabs(v));
            t += (v > 0 ? v : 0) - xr[d] * v + log1p_unit(e);
            dl[d] = scale * ((v >= 0 ? 1 : e) / (1 + e) - xr[d]);
        }
        for (size_t k = 0; k < LANES; k++)
            t += acc[k];
        recon[r] = t;
    }
}

/* recon (B) = -log N(x; mean, exp(s) I) = sum_d ((x - mean)^2 / v + s + log 2 pi) / 2. */
static void gauss_forward(REAL *recon, const REAL *mean, REAL s, const REAL *x, size_t B, size_t D)
{
    REAL iv = exp(-s);
    for (size_t r = 0; r < B; r++) {
        REAL t = 0;
        for (size_t d = 0; d < D; d++) {
            REAL e = x[r * D + d] - mean[r * D + d];
            t += e * e * iv;
        }
        recon[r] = (t + (REAL)D * (s + LOG_2PI)) / 2;
    }
}

/* dmean (N values) = SCALE (mean - x) / v (v = exp(s)). */
static void gauss_backward_mean(REAL *dmean, const REAL *mean, REAL s, const REAL *x, REAL scale,
                                size_t n)
{
    REAL iv = exp(-s);
    for (size_t i = 0; i < n; i++)
        dmean[i] = scale * (mean[i] - x[i]) * iv;
}

/* *ds += SCALE sum (1 - (x - mean)^2 / v) / 2 over N values: the gradient of
 * SCALE * recon with respect to the learned log variance s. */
static void gauss_backward_logvar(REAL *ds, const REAL *mean, REAL s, const REAL *x, REAL scale,
                                  size_t n)
{
    REAL iv = exp(-s), acc = 0;
    for (size_t i = 0; i < n; i++) {
        REAL e = mean[i] - x[i];
        acc += 1 - e * e * iv;
    }
    *ds += scale * acc / 2;
}

/* ======================================================================= */
/* The model                                                                */
/* ======================================================================= */

void FN(el_vae_work_free)(el_vae *m)
{
    FN(work) *w = WORK(m);
    if (w) {
        vae_pool_free(w->pool);
        free(w->block);
        free(w);
    }
    m->work = NULL;
    m->cap = 0;
}

enum { NFIELDS = 20 }; /* the activation arrays */

/* The width of each activation array, in ensure_work's order (the last,
 * the mixture's constants, is not per row). */
static size_t widths(const el_vae *m, size_t *sizes)
{
    size_t D = m->cfg.x_dim, H = m->cfg.hidden, Z = m->cfg.z_dim, K = m->cfg.mixture;
    size_t s[] = { D, H, H, 2 * Z, Z, Z, Z, H, H, D, D, H, H, Z, 2 * Z, 1, 1, 1, K, 0 };
    memcpy(sizes, s, sizeof s);
    return sizeof s / sizeof s[0];
}

/* The activation arrays of W, in ensure_work's order. */
static void fields(FN(work) * w, REAL ***ptr)
{
    REAL **p[] = { &w->x,    &w->h1,    &w->a1,   &w->enc,  &w->eps,  &w->z,   &w->sd,
                   &w->h2,   &w->a2,    &w->out,  &w->dout, &w->dh,   &w->dh1, &w->dz,
                   &w->denc, &w->recon, &w->rate, &w->lpz,  &w->resp, &w->mix };
    memcpy(ptr, p, sizeof p);
}

/* Makes room for ROWS rows of activations (keeps the old space if enough). */
static int ensure_work(el_vae *m, size_t rows)
{
    FN(work) *w = WORK(m);
    if (!w && !(m->work = w = calloc(1, sizeof *w)))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    if (rows <= m->cap)
        return EL_OK;
    size_t sizes[NFIELDS], nsz = widths(m, sizes), n = 0, K = m->cfg.mixture, Z = m->cfg.z_dim;
    for (size_t i = 0; i < nsz; i++) /* 64-byte aligned pieces */
        n += ((i + 1 < nsz ? rows * sizes[i] : K * (Z + 1)) + 15) & ~(size_t)15;
    void *blk = NULL;
    if (posix_memalign(&blk, 64, (n ? n : 1) * sizeof(REAL)))
        return EL_ERROR(EL_ENOMEM, "out of memory for %zu rows of activations", rows);
    free(w->block);
    w->block = blk;
    REAL **ptr[NFIELDS], *p = blk;
    fields(w, ptr);
    for (size_t i = 0; i < nsz; i++) {
        *ptr[i] = p;
        p += ((i + 1 < nsz ? rows * sizes[i] : K * (Z + 1)) + 15) & ~(size_t)15;
    }
    m->cap = rows;
    return EL_OK;
}

/* A view of W's rows from LO on (the mixture's constants are shared). */
static FN(work) shard(el_vae *m, FN(work) * w, size_t lo)
{
    FN(work) v = *w;
    size_t sizes[NFIELDS], nsz = widths(m, sizes);
    REAL **ptr[NFIELDS];
    fields(&v, ptr);
    for (size_t i = 0; i + 1 < nsz; i++)
        *ptr[i] += lo * sizes[i];
    return v;
}

/* Makes the team of THREADS threads (none for one; on failure too). */
static void ensure_team(FN(work) * w, int threads)
{
    if (w->pool ? vae_pool_size(w->pool) == threads : threads <= 1)
        return;
    vae_pool_free(w->pool);
    w->pool = threads > 1 ? vae_pool_new(threads) : NULL;
}

/* Copies rows IDX[0..n) (or rows FIRST..FIRST+n-1 when IDX is NULL) of DATA into x. */
static void gather(REAL *x, const el_vae_data *data, const size_t *idx, size_t first, size_t n)
{
    size_t D = data->d;
    for (size_t r = 0; r < n; r++) {
        const float *src = data->x + (idx ? idx[r] : first + r) * D;
        for (size_t d = 0; d < D; d++)
            x[r * D + d] = (REAL)src[d];
    }
}

/* Fills eps (n) with N(0, 1) draws from R, or zeros when R is NULL. */
static void draw_noise(REAL *eps, size_t n, const gsl_rng *r)
{
    for (size_t i = 0; i < n; i++)
        eps[i] = r ? (REAL)gsl_ran_gaussian_ziggurat(r, 1.0) : 0;
}

/* x (B x D) -> enc (B x 2Z) = [mu | log sigma^2]. */
static void encoder_forward(el_vae *m, FN(work) * w, size_t B)
{
    size_t D = m->cfg.x_dim, H = m->cfg.hidden, Z = m->cfg.z_dim;
    if (H == 0) {
        linear_forward(w->enc, w->x, P(m, EL_VAE_ENC2_W), P(m, EL_VAE_ENC2_B), B, D, 2 * Z);
        return;
    }
    linear_forward(w->h1, w->x, P(m, EL_VAE_ENC1_W), P(m, EL_VAE_ENC1_B), B, D, H);
    relu_forward(w->a1, w->h1, B * H);
    linear_forward(w->enc, w->a1, P(m, EL_VAE_ENC2_W), P(m, EL_VAE_ENC2_B), B, H, 2 * Z);
}

/* z (B x Z) -> out (B x D): logits or means. */
static void decoder_forward(el_vae *m, FN(work) * w, size_t B)
{
    size_t D = m->cfg.x_dim, H = m->cfg.hidden, Z = m->cfg.z_dim;
    if (H == 0) {
        linear_forward(w->out, w->z, P(m, EL_VAE_DEC2_W), P(m, EL_VAE_DEC2_B), B, Z, D);
        return;
    }
    linear_forward(w->h2, w->z, P(m, EL_VAE_DEC1_W), P(m, EL_VAE_DEC1_B), B, Z, H);
    relu_forward(w->a2, w->h2, B * H);
    linear_forward(w->out, w->a2, P(m, EL_VAE_DEC2_W), P(m, EL_VAE_DEC2_B), B, H, D);
}

/* The decoder's log variance (Gaussian decoders). */
static REAL decoder_logvar(const el_vae *m)
{
    if (m->cfg.decoder == EL_VAE_GAUSS_LEARNED)
        return P(m, EL_VAE_DEC_LOGVAR)[0];
    return (REAL)(2 * log(m->cfg.sigma));
}

/* recon (B) from out and x. */
static void recon_forward(el_vae *m, FN(work) * w, size_t B)
{
    if (m->cfg.decoder == EL_VAE_BERNOULLI)
        bernoulli_forward(w->recon, w->out, w->x, B, m->cfg.x_dim);
    else
        gauss_forward(w->recon, w->out, decoder_logvar(m), w->x, B, m->cfg.x_dim);
}

/* rate (B) and, for a mixture prior, lpz and resp (w->mix must hold
 * mixture_constants). */
static void rate_forward(el_vae *m, FN(work) * w, size_t B)
{
    size_t Z = m->cfg.z_dim, K = m->cfg.mixture;
    if (K == 0) {
        kl_forward(w->rate, w->enc, w->sd, B, Z, m->fault);
        return;
    }
    REAL *iv = w->mix, *c = w->mix + K * Z; /* mixture_constants, before the parts */
    mixture_forward(w->lpz, w->resp, w->z, P(m, EL_VAE_PRIOR_MU), iv, c, B, Z, K, m->fault);
    for (size_t r = 0; r < B; r++) { /* -H(q) - log p(z) */
        const REAL *lv = w->enc + r * 2 * Z + Z;
        REAL negent = 0;
        for (size_t j = 0; j < Z; j++)
            negent -= (1 + LOG_2PI + lv[j]) / 2;
        w->rate[r] = negent - w->lpz[r];
    }
}

/* The row-by-row half of the backward pass, for the B rows of W: in reverse
 * order of the forward pass (likelihood -> decoder -> rate ->
 * reparameterisation -> encoder), the gradient of each layer's output, kept
 * for the weight gradients (dout, dh, dz, denc, dh1).  SR and SK scale the
 * reconstruction and rate terms (1/n and beta/n).  The Bernoulli's dout came
 * with its forward pass. */
static void rows_backward(el_vae *m, FN(work) * w, size_t B, REAL sr, REAL sk)
{
    size_t D = m->cfg.x_dim, H = m->cfg.hidden, Z = m->cfg.z_dim, K = m->cfg.mixture;
    if (m->cfg.decoder != EL_VAE_BERNOULLI)
        gauss_backward_mean(w->dout, w->out, decoder_logvar(m), w->x, sr, B * D);
    if (H == 0) {
        linear_dinp(w->dz, w->dout, P(m, EL_VAE_DEC2_W), B, Z, D);
    } else {
        linear_dinp(w->dh, w->dout, P(m, EL_VAE_DEC2_W), B, H, D);
        relu_backward(w->dh, w->dh, w->h2, B * H, m->fault);
        linear_dinp(w->dz, w->dh, P(m, EL_VAE_DEC1_W), B, Z, H);
    }
    if (K == 0) { /* closed-form KL on (mu, logvar), or the mixture term on z */
        kl_backward(w->denc, w->enc, w->sd, sk, B, Z, m->fault);
    } else {
        mixture_backward_z(w->dz, w->resp, w->z, P(m, EL_VAE_PRIOR_MU), w->mix, sk, B, Z, K);
        for (size_t r = 0; r < B; r++) /* d(-H(q))/dlogvar = -1/2; mu gets nothing */
            for (size_t j = 0; j < Z; j++) {
                w->denc[r * 2 * Z + j] = 0;
                w->denc[r * 2 * Z + Z + j] = -sk / 2;
            }
    }
    reparam_backward(w->denc, w->dz, w->sd, w->eps, B, Z, m->fault);
    if (H > 0) {
        linear_dinp(w->dh1, w->denc, P(m, EL_VAE_ENC2_W), B, H, 2 * Z);
        relu_backward(w->dh1, w->dh1, w->h1, B * H, m->fault);
    }
}

/* A training step in two phases, each shared among the threads:
 *   1. the rows: the batch cut into parts of rows (multiples of 16 rows, on
 *      which OpenBLAS gives every row the same bits as one product over
 *      the whole batch), each part gathered, run forward and backward to the
 *      layers' output gradients (rows_backward);
 *   2. the parameters: each layer's weight gradient cut into slices of
 *      SLICE output rows, each slice one product over the whole batch
 *      (linear_dweights), then, in a training step, Adam on that slice at
 *      once, while it is in cache; one more piece for the small blocks
 *      (the mixture prior, the decoder's log variance).
 * Parts and pieces are claimed in turn, so that a thread on a busy core
 * holds up at most one of them; what a part or piece computes does not
 * depend on which thread runs it, and no sum is split between threads, so
 * the gradient and the model are the same for every thread count. */
enum { SLICE = 128, MAXLAYERS = 4 };

typedef struct {
    int w, b;          /* parameter blocks */
    const REAL *dout;  /* B x NO, the output gradient */
    const REAL *inp;   /* B x NI, the input */
    size_t ni, no, n0; /* sizes; the first piece of this layer */
} FN(layer);

typedef struct {
    el_vae *m;
    FN(work) * w;
    const el_vae_data *data;
    const size_t *idx;
    size_t n, per; /* rows, rows per part */
    REAL sr, sk;
    int grad, np;   /* NP parts */
    int adam;       /* phase 2 also takes the Adam step */
    REAL step, rc2; /* Adam's step and 1/sqrt(1 - beta2^t) */
    FN(layer) lay[MAXLAYERS];
    int nlay, npieces;
    atomic_int next; /* the next part or piece to claim */
} FN(batch);

/* Phase 1, part P: rows P*per .. of the batch (IDX[...] of DATA, or
 * consecutive rows when IDX is NULL). */
static void FN(part_one)(FN(batch) * b, int p)
{
    el_vae *m = b->m;
    size_t lo = (size_t)p * b->per, rows = b->n - lo < b->per ? b->n - lo : b->per;
    FN(work) v = shard(m, b->w, lo);
    gather(v.x, b->data, b->idx ? b->idx + lo : NULL, lo, rows);
    encoder_forward(m, &v, rows);
    reparam_forward(v.z, v.sd, v.enc, v.eps, rows, m->cfg.z_dim);
    decoder_forward(m, &v, rows);
    if (b->grad && m->cfg.decoder == EL_VAE_BERNOULLI)
        bernoulli_both(v.recon, v.dout, v.out, v.x, b->sr, rows, m->cfg.x_dim);
    else
        recon_forward(m, &v, rows);
    rate_forward(m, &v, rows);
    if (b->grad)
        rows_backward(m, &v, rows, b->sr, b->sk);
}

static void FN(phase_rows)(void *ctx, int t, int nt)
{
    FN(batch) *b = ctx;
    (void)t, (void)nt;
    for (int p; (p = atomic_fetch_add(&b->next, 1)) < b->np;)
        FN(part_one)(b, p);
}

/* One Adam update of a value (P, its moments MM and VV) along gradient G. */
INLINE void adam_one(REAL *p, REAL *mm, REAL *vv, REAL g, REAL step, REAL rc2)
{
    const double b1 = 0.9, b2 = 0.999;
    *mm = (REAL)b1 * *mm + (REAL)(1 - b1) * g;
    *vv = (REAL)b2 * *vv + (REAL)(1 - b2) * g * g;
    *p -= step * *mm / (sqrt(*vv) * rc2 + (REAL)1e-8);
}

/* Adam on values LO..HI of the parameter vector along m->grads. */
VECTOR_CLONES
static void FN(adam_range)(el_vae *m, size_t lo, size_t hi, REAL step, REAL rc2)
{
    REAL *restrict p = (REAL *)m->params + lo, *restrict mm = (REAL *)m->adam_m + lo,
                   *restrict vv = (REAL *)m->adam_v + lo;
    const REAL *restrict g = (const REAL *)m->grads + lo;
    for (size_t i = 0; i < hi - lo; i++)
        adam_one(p + i, mm + i, vv + i, g[i], step, rc2);
}

/* Adam on block B (all of it). */
static void FN(adam_block)(el_vae *m, int b, REAL step, REAL rc2)
{
    size_t o = m->blocks[b].offset;
    FN(adam_range)(m, o, o + m->blocks[b].size, step, rc2);
}

/* The gradients of the small blocks, summed over all rows (and their Adam step). */
static void FN(small_blocks)(FN(batch) * b)
{
    el_vae *m = b->m;
    FN(work) *w = b->w;
    REAL *g = m->grads;
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim, K = m->cfg.mixture;
    for (int k = EL_VAE_DEC_LOGVAR; k <= EL_VAE_PRIOR_LOGVAR; k++)
        memset(G(g, m, k), 0, m->blocks[k].size * sizeof(REAL));
    if (m->cfg.decoder == EL_VAE_GAUSS_LEARNED)
        gauss_backward_logvar(G(g, m, EL_VAE_DEC_LOGVAR), w->out, decoder_logvar(m), w->x, b->sr,
                              b->n * D);
    if (K)
        mixture_backward_params(G(g, m, EL_VAE_PRIOR_MU), G(g, m, EL_VAE_PRIOR_LOGVAR), w->resp,
                                w->z, P(m, EL_VAE_PRIOR_MU), w->mix, b->sk, b->n, Z, K);
    for (int k = EL_VAE_DEC_LOGVAR; k <= EL_VAE_PRIOR_LOGVAR && b->adam; k++)
        FN(adam_block)(m, k, b->step, b->rc2);
}

/* Phase 2, piece Q: a slice of a layer's weight gradient (and its Adam
 * step), or the small blocks (the last piece). */
static void FN(piece_one)(FN(batch) * b, int q)
{
    el_vae *m = b->m;
    int l = 0;
    while (l + 1 < b->nlay && (size_t)q >= b->lay[l + 1].n0)
        l++;
    if (l + 1 == b->nlay && (size_t)q >= b->lay[l].n0 + (b->lay[l].no + SLICE - 1) / SLICE) {
        FN(small_blocks)(b);
        return;
    }
    const FN(layer) *L = &b->lay[l];
    size_t o0 = ((size_t)q - L->n0) * SLICE, o1 = o0 + SLICE < L->no ? o0 + SLICE : L->no;
    REAL *g = m->grads;
    linear_dweights(G(g, m, L->w), G(g, m, L->b), L->dout, L->inp, b->n, L->ni, L->no, o0, o1);
    if (!b->adam)
        return;
    size_t wo = m->blocks[L->w].offset, bo = m->blocks[L->b].offset;
    FN(adam_range)(m, wo + o0 * L->ni, wo + o1 * L->ni, b->step, b->rc2);
    FN(adam_range)(m, bo + o0, bo + o1, b->step, b->rc2);
}

static void FN(phase_params)(void *ctx, int t, int nt)
{
    FN(batch) *b = ctx;
    (void)t, (void)nt;
    for (int q; (q = atomic_fetch_add(&b->next, 1)) < b->npieces;)
        FN(piece_one)(b, q);
}

/* The layers whose weight gradients phase 2 computes, the big ones first,
 * and the number of pieces (slices, and one for the small blocks). */
static void FN(plan_pieces)(FN(batch) * b)
{
    el_vae *m = b->m;
    FN(work) *w = b->w;
    size_t D = m->cfg.x_dim, H = m->cfg.hidden, Z = m->cfg.z_dim, n0 = 0;
    FN(layer)
    hid[] = { { EL_VAE_ENC1_W, EL_VAE_ENC1_B, w->dh1, w->x, D, H, 0 },
              { EL_VAE_DEC2_W, EL_VAE_DEC2_B, w->dout, w->a2, H, D, 0 },
              { EL_VAE_ENC2_W, EL_VAE_ENC2_B, w->denc, w->a1, H, 2 * Z, 0 },
              { EL_VAE_DEC1_W, EL_VAE_DEC1_B, w->dh, w->z, Z, H, 0 } };
    FN(layer)
    lin[] = { { EL_VAE_DEC2_W, EL_VAE_DEC2_B, w->dout, w->z, Z, D, 0 },
              { EL_VAE_ENC2_W, EL_VAE_ENC2_B, w->denc, w->x, D, 2 * Z, 0 } };
    b->nlay = H ? 4 : 2;
    for (int l = 0; l < b->nlay; l++) {
        b->lay[l] = H ? hid[l] : lin[l];
        b->lay[l].n0 = n0;
        n0 += (b->lay[l].no + SLICE - 1) / SLICE;
    }
    b->npieces = (int)n0 + 1;
}

/* Rows per part: PART_ROWS (32 for EL_VAE_PAR_SPLIT_FINE), whatever the
 * number of threads, so that every thread count computes the same thing. */
enum { PART_ROWS = 64 };
static size_t part_rows(size_t n)
{
    size_t per = vae_pool_fine() ? PART_ROWS / 2 : PART_ROWS;
    return n < per ? n : per;
}

/* The loss of rows IDX[0..n) and, when GRAD, the gradient in m->grads and,
 * when also LR > 0 and the loss is finite, the Adam step (fused). */
static int FN(step)(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n, double beta,
                    const gsl_rng *r, int grad, double lr, el_vae_terms *out)
{
    int s = ensure_work(m, n);
    if (s)
        return s;
    FN(work) *w = WORK(m);
    size_t Z = m->cfg.z_dim, K = m->cfg.mixture;
    ensure_team(w, vae_pool_threads());
    size_t per = part_rows(n);
    draw_noise(w->eps, n * Z, r); /* in the caller: the same noise for any thread count */
    if (K)
        mixture_constants(w->mix, w->mix + K * Z, P(m, EL_VAE_PRIOR_LOGVAR), Z, K);
    double wr = 1, wk = beta; /* weights of the two terms */
    if (m->fault == EL_VAE_FAULT_BETA_RECON)
        wr = beta, wk = 1;
    static const FN(batch) zero;
    FN(batch) b = zero;
    b.m = m, b.w = w, b.data = data, b.idx = idx, b.n = n, b.per = per;
    b.sr = (REAL)(wr / (double)n), b.sk = (REAL)(wk / (double)n);
    b.grad = grad, b.np = (int)((n + per - 1) / per);
    atomic_init(&b.next, 0);
    if (w->pool)
        vae_pool_run(w->pool, FN(phase_rows), &b);
    else
        FN(phase_rows)(&b, 0, 1);
    double sr = 0, sk = 0;
    for (size_t i = 0; i < n; i++)
        sr += w->recon[i], sk += w->rate[i];
    out->recon = sr / (double)n;
    out->kl = sk / (double)n;
    out->loss = wr * out->recon + wk * out->kl;
    if (!grad)
        return EL_OK;
    if (lr > 0 && isfinite(out->loss)) {
        const double b1 = 0.9, b2 = 0.999;
        m->step++;
        double c1 = 1 - pow(b1, (double)m->step), c2 = 1 - pow(b2, (double)m->step);
        b.adam = 1, b.step = (REAL)(lr / c1), b.rc2 = (REAL)(1 / sqrt(c2));
    }
    FN(plan_pieces)(&b);
    atomic_store(&b.next, 0);
    if (w->pool)
        vae_pool_run(w->pool, FN(phase_params), &b);
    else
        FN(phase_params)(&b, 0, 1);
    return EL_OK;
}

int FN(el_vae_loss)(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n, double beta,
                    const gsl_rng *r, int grad, el_vae_terms *out)
{
    return FN(step)(m, data, idx, n, beta, r, grad, 0, out);
}

int FN(el_vae_train_step)(el_vae *m, const el_vae_data *data, const size_t *idx, size_t n,
                          double beta, const gsl_rng *r, double lr, el_vae_terms *out)
{
    return FN(step)(m, data, idx, n, beta, r, 1, lr, out);
}

/* Adam alone (el_vae_adam): the parameter vector in ranges claimed in turn. */
typedef struct {
    el_vae *m;
    int nchunk;
    REAL step, rc2;
    atomic_int next;
} FN(adam_job);

static void FN(adam_part)(void *ctx, int t, int nt)
{
    FN(adam_job) *a = ctx;
    size_t n = a->m->nparams, nc = (size_t)a->nchunk;
    (void)t, (void)nt;
    for (int c; (c = atomic_fetch_add(&a->next, 1)) < a->nchunk;) {
        size_t lo = (n * (size_t)c / nc) & ~(size_t)15;
        size_t hi = (size_t)c + 1 == nc ? n : (n * ((size_t)c + 1) / nc) & ~(size_t)15;
        FN(adam_range)(a->m, lo, hi, a->step, a->rc2);
    }
}

void FN(el_vae_adam)(el_vae *m, double lr)
{
    const double b1 = 0.9, b2 = 0.999;
    m->step++;
    double c1 = 1 - pow(b1, (double)m->step), c2 = 1 - pow(b2, (double)m->step);
    FN(work) *w = WORK(m);
    int nt = w && w->pool ? vae_pool_size(w->pool) : 1;
    FN(adam_job) a = { m, 4 * nt, (REAL)(lr / c1), (REAL)(1 / sqrt(c2)), 0 };
    if (nt > 1)
        vae_pool_run(w->pool, FN(adam_part), &a);
    else
        FN(adam_part)(&a, 0, 1);
}


/* ======================================================================= */
/* Inference helpers: importance weights, encoding, decoding                */
/* ======================================================================= */

/* Repeats each of the first N rows (width C) of A K times, in place:
 * row i moves to rows i*k .. i*k+k-1 (A must hold n*k rows). */
static void repeat_rows(REAL *a, size_t n, size_t k, size_t c)
{
    for (size_t i = n; i-- > 0;)
        for (size_t j = k; j-- > 0;)
            memmove(a + (i * k + j) * c, a + i * c, c * sizeof(REAL));
}

/* The importance weights of rows FIRST + lo .. FIRST + hi of DATA, one part
 * of a chunk (the noise of the whole chunk is drawn before, in order). */
typedef struct {
    el_vae *m;
    FN(work) * w;
    const el_vae_data *data;
    size_t first, n, k;
    double *logw;
} FN(iw_job);

static void FN(iw_part)(void *ctx, int t, int nt)
{
    const FN(iw_job) *j = ctx;
    el_vae *m = j->m;
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim, K = m->cfg.mixture, k = j->k;
    size_t lo = j->n * (size_t)t / (size_t)nt, rows = j->n * (size_t)(t + 1) / (size_t)nt - lo;
    size_t B = rows * k;
    if (rows == 0)
        return;
    FN(work) v = shard(m, j->w, lo * k);
    gather(v.x, j->data, NULL, j->first + lo, rows);
    encoder_forward(m, &v, rows);
    repeat_rows(v.x, rows, k, D);
    repeat_rows(v.enc, rows, k, 2 * Z);
    reparam_forward(v.z, v.sd, v.enc, v.eps, B, Z);
    decoder_forward(m, &v, B);
    recon_forward(m, &v, B);
    if (K)
        mixture_forward(v.lpz, v.resp, v.z, P(m, EL_VAE_PRIOR_MU), v.mix, v.mix + K * Z, B, Z, K,
                        EL_VAE_FAULT_NONE);
    else
        for (size_t i = 0; i < B; i++)
            v.lpz[i] = log_normal_std(v.z + i * Z, Z);
    logq_forward(v.rate, v.enc, v.eps, B, Z);
    for (size_t i = 0; i < B; i++)
        j->logw[lo * k + i] = (double)(-v.recon[i] + v.lpz[i] - v.rate[i]);
}

/* log w for a chunk of N rows from FIRST, K samples each (LOGW: n*k), the
 * rows shared among the threads. */
static int log_weights_chunk(el_vae *m, const el_vae_data *data, size_t first, size_t n, size_t k,
                             const gsl_rng *r, double *logw)
{
    size_t Z = m->cfg.z_dim, K = m->cfg.mixture;
    int s = ensure_work(m, n * k);
    if (s)
        return s;
    FN(work) *w = WORK(m);
    ensure_team(w, vae_pool_threads());
    draw_noise(w->eps, n * k * Z, r);
    if (K)
        mixture_constants(w->mix, w->mix + K * Z, P(m, EL_VAE_PRIOR_LOGVAR), Z, K);
    FN(iw_job) j = { m, w, data, first, n, k, logw };
    if (w->pool)
        vae_pool_run(w->pool, FN(iw_part), &j);
    else
        FN(iw_part)(&j, 0, 1);
    return EL_OK;
}

int FN(el_vae_log_weights)(el_vae *m, const el_vae_data *data, size_t first, size_t n, size_t k,
                           const gsl_rng *r, double *logw)
{
    size_t per = 512 * (size_t)vae_pool_threads(), chunk = k >= per ? 1 : per / k;
    for (size_t i = 0; i < n; i += chunk) {
        size_t c = n - i < chunk ? n - i : chunk;
        int s = log_weights_chunk(m, data, first + i, c, k, r, logw + i * k);
        if (s)
            return s;
    }
    return EL_OK;
}

int FN(el_vae_encode)(el_vae *m, const el_vae_data *data, size_t first, size_t n, double *mu,
                      double *logvar)
{
    size_t Z = m->cfg.z_dim, chunk = 256;
    int s = ensure_work(m, chunk);
    if (s)
        return s;
    FN(work) *w = WORK(m);
    for (size_t i = 0; i < n; i += chunk) {
        size_t c = n - i < chunk ? n - i : chunk;
        gather(w->x, data, NULL, first + i, c);
        encoder_forward(m, w, c);
        for (size_t r = 0; r < c; r++)
            for (size_t j = 0; j < Z; j++) {
                mu[(i + r) * Z + j] = (double)w->enc[r * 2 * Z + j];
                if (logvar)
                    logvar[(i + r) * Z + j] = (double)w->enc[r * 2 * Z + Z + j];
            }
    }
    return EL_OK;
}

int FN(el_vae_decode)(el_vae *m, const double *z, size_t n, double *xmean)
{
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim, chunk = 256;
    int s = ensure_work(m, chunk);
    if (s)
        return s;
    FN(work) *w = WORK(m);
    for (size_t i = 0; i < n; i += chunk) {
        size_t c = n - i < chunk ? n - i : chunk;
        for (size_t j = 0; j < c * Z; j++)
            w->z[j] = (REAL)z[i * Z + j];
        decoder_forward(m, w, c);
        for (size_t j = 0; j < c * D; j++) {
            double o = (double)w->out[j];
            xmean[i * D + j] = m->cfg.decoder == EL_VAE_BERNOULLI ? 1 / (1 + exp(-o)) : o;
        }
    }
    return EL_OK;
}
