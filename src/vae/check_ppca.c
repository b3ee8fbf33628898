/* check_ppca.c -- vae.linear_ppca and vae.bounds: the linear-Gaussian VAE,
 * where log p(x) is exact, so the trained ELBO and the IWAE bounds can be
 * held against the truth. */
#include "vae/vae_check.h"
#include "dist/el_dist.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multimin.h>

#define PPCA_D          6
#define PPCA_Q          2
#define PPCA_TOL        0.01 /* nats per point */
#define PPCA_LR0        0.1  /* the learning rate falls geometrically from LR0 to LR1 */
#define PPCA_LR1        3e-4
#define PPCA_BFGS_ITERS 400
#define PPCA_GRAD_TOL   1e-7

el_vae *el_vae_check_model(const el_vae_config *cfg, int fault, const gsl_rng *r, int *status)
{
    el_vae *m = el_vae_alloc(cfg, EL_VAE_F64, status);
    if (m) {
        el_vae_init(m, r);
        m->fault = fault;
    }
    return m;
}

/* Sample mean MEAN (D) and covariance S (D x D, divided by n) of DATA. */
static void moments(const el_vae_data *d, double *mean, double *S)
{
    size_t D = d->d;
    memset(mean, 0, D * sizeof *mean);
    memset(S, 0, D * D * sizeof *S);
    for (size_t i = 0; i < d->n; i++)
        for (size_t a = 0; a < D; a++)
            mean[a] += d->x[i * D + a] / (double)d->n;
    for (size_t i = 0; i < d->n; i++)
        for (size_t a = 0; a < D; a++)
            for (size_t b = 0; b < D; b++)
                S[a * D + b] +=
                    (d->x[i * D + a] - mean[a]) * (d->x[i * D + b] - mean[b]) / (double)d->n;
}

/* Mean of log N(x_i; MEAN, C) over the rows of DATA (el_mvn: Cholesky). */
static int mean_logpdf(const el_vae_data *d, const double *mean, const double *C, double *out)
{
    int s;
    el_mvn *g = el_mvn_alloc(d->d, mean, C, "C", &s);
    if (!g)
        return s;
    double x[64], t = 0;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t a = 0; a < d->d; a++)
            x[a] = d->x[i * d->d + a];
        t += el_mvn_logpdf(g, x);
    }
    el_mvn_free(g);
    *out = t / (double)d->n;
    return EL_OK;
}

int el_vae_ppca_loglik(const el_vae_data *data, size_t q, int variant, double *out)
{
    size_t D = data->d;
    if (D > 64 || q >= D)
        return EL_ERROR(EL_EDOM, "pPCA needs q < D <= 64 (got q=%zu, D=%zu)", q, D);
    double mean[64], S[64 * 64], C[64 * 64];
    moments(data, mean, S);
    gsl_matrix_view Sv = gsl_matrix_view_array(S, D, D);
    gsl_vector *ev = gsl_vector_alloc(D);
    gsl_matrix *U = gsl_matrix_alloc(D, D);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(D);
    int s = ev && U && w ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = el_from_gsl(gsl_eigen_symmv(&Sv.matrix, ev, U, w), "eigen-decomposition of S");
    if (!s)
        s = el_from_gsl(gsl_eigen_symmv_sort(ev, U, GSL_EIGEN_SORT_VAL_DESC), "eigen sort");
    if (!s) {
        /* sigma^2: mean of the discarded eigenvalues (mistake 1: of all of them) */
        double s2 = 0;
        size_t lo = variant == 1 ? 0 : q;
        for (size_t i = lo; i < D; i++)
            s2 += gsl_vector_get(ev, i) / (double)(D - lo);
        /* kept directions: the top q (mistake 2: the bottom q, sigma^2 from the rest) */
        if (variant == 2) {
            s2 = 0;
            for (size_t i = 0; i < D - q; i++)
                s2 += gsl_vector_get(ev, i) / (double)(D - q);
        }
        /* C = W W^T + s2 I with W = U_q (L_q - s2)^(1/2), i.e. sum_k (l_k - s2)+ u_k u_k^T */
        for (size_t a = 0; a < D; a++)
            for (size_t b = 0; b < D; b++)
                C[a * D + b] = a == b ? s2 : 0.0;
        for (size_t k = 0; k < q; k++) {
            size_t col = variant == 2 ? D - 1 - k : k;
            double l = GSL_MAX(gsl_vector_get(ev, col) - s2, 0.0);
            for (size_t a = 0; a < D; a++)
                for (size_t b = 0; b < D; b++)
                    C[a * D + b] += l * gsl_matrix_get(U, a, col) * gsl_matrix_get(U, b, col);
        }
        s = mean_logpdf(data, mean, C, out);
    }
    gsl_vector_free(ev);
    gsl_matrix_free(U);
    gsl_eigen_symmv_free(w);
    return s;
}

/* The encoder outputs (mu, logvar) of row X under the linear VAE with parameters P. */
static void linear_encode(const el_vae *m, const double *p, const float *x, double *mu, double *lv)
{
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim;
    const double *Ew = p + m->blocks[EL_VAE_ENC2_W].offset,
                 *Eb = p + m->blocks[EL_VAE_ENC2_B].offset;
    for (size_t j = 0; j < 2 * Z; j++) {
        double t = Eb[j];
        for (size_t k = 0; k < D; k++)
            t += Ew[j * D + k] * x[k];
        if (j < Z)
            mu[j] = t;
        else
            lv[j - Z] = t;
    }
}

/* Adds one row's gradient of the exact ELBO to G (see linear_elbo_p). */
static void linear_grad_row(const el_vae *m, const float *x, const double *e, const double *mu,
                            const double *lv, const double *W, double v, double sq, double *g)
{
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim;
    double *gW = g + m->blocks[EL_VAE_DEC2_W].offset, *gb = g + m->blocks[EL_VAE_DEC2_B].offset;
    double *gEw = g + m->blocks[EL_VAE_ENC2_W].offset, *gEb = g + m->blocks[EL_VAE_ENC2_B].offset;
    double gmu[64], glv[64];
    for (size_t j = 0; j < Z; j++) {
        double s2 = exp(lv[j]), wtw = 0, wte = 0;
        for (size_t d = 0; d < D; d++) {
            wtw += W[d * Z + j] * W[d * Z + j];
            wte += W[d * Z + j] * e[d];
            gW[d * Z + j] += v * (e[d] * mu[j] - W[d * Z + j] * s2);
        }
        gmu[j] = v * wte - mu[j];
        glv[j] = -0.5 * (v * wtw + 1.0) * s2 + 0.5;
    }
    for (size_t d = 0; d < D; d++)
        gb[d] += v * e[d];
    for (size_t j = 0; j < 2 * Z; j++) {
        double gj = j < Z ? gmu[j] : glv[j - Z];
        gEb[j] += gj;
        for (size_t k = 0; k < D; k++)
            gEw[j * D + k] += gj * x[k];
    }
    if (m->cfg.decoder != EL_VAE_GAUSS)
        g[m->blocks[EL_VAE_DEC_LOGVAR].offset] += 0.5 * (v * sq - (double)D);
}

/* The exact ELBO per point of the linear VAE M with parameters P (doubles);
 * with G (NPARAMS doubles, or NULL) its gradient too.  Per row, with
 * s_j^2 = exp(lv_j), e = x - W mu - b and v = e^-sv (sv = log sigma^2):
 *   dELBO/db = v e,  dELBO/dW_dj = v (e_d mu_j - W_dj s_j^2),
 *   dELBO/dmu_j = v (W'e)_j - mu_j,  dELBO/dlv_j = -(v |W_j|^2 + 1) s_j^2 / 2 + 1/2,
 *   dELBO/dsv = (v sq - D) / 2, and the encoder's rows by the chain rule. */
static double linear_elbo_p(const el_vae *m, const double *p, const el_vae_data *data, double *g)
{
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim;
    double mu[64], lv[64], e[64], total = 0, N = (double)data->n;
    const double *W = p + m->blocks[EL_VAE_DEC2_W].offset, *b = p + m->blocks[EL_VAE_DEC2_B].offset;
    int learned = m->cfg.decoder != EL_VAE_GAUSS;
    double sv = learned ? p[m->blocks[EL_VAE_DEC_LOGVAR].offset] : 2 * log(m->cfg.sigma);
    double v = exp(-sv);
    if (g)
        memset(g, 0, m->nparams * sizeof *g);
    for (size_t i = 0; i < data->n; i++) {
        const float *x = data->x + i * D;
        linear_encode(m, p, x, mu, lv);
        /* E_q |x - W z - b|^2 = |x - W mu - b|^2 + sum_dj W_dj^2 s_j^2 */
        double sq = 0, kl = 0;
        for (size_t d = 0; d < D; d++) {
            e[d] = x[d] - b[d];
            for (size_t j = 0; j < Z; j++)
                e[d] -= W[d * Z + j] * mu[j], sq += W[d * Z + j] * W[d * Z + j] * exp(lv[j]);
            sq += e[d] * e[d];
        }
        for (size_t j = 0; j < Z; j++)
            kl += 0.5 * (mu[j] * mu[j] + exp(lv[j]) - 1 - lv[j]);
        total += -0.5 * ((double)D * (M_LN2 + M_LNPI + sv) + sq * v) - kl;
        if (g)
            linear_grad_row(m, x, e, mu, lv, W, v, sq, g);
    }
    if (g)
        for (size_t k = 0; k < m->nparams; k++)
            g[k] /= N;
    return total / N;
}

int el_vae_linear_elbo(const el_vae *m, const el_vae_data *data, double *out)
{
    size_t Z = m->cfg.z_dim;
    if (m->cfg.hidden != 0 || m->cfg.decoder == EL_VAE_BERNOULLI || m->cfg.mixture || Z > 64)
        return EL_ERROR(EL_EUSAGE, "the exact ELBO needs a linear Gaussian VAE with N(0, I) prior");
    double *p = malloc(m->nparams * sizeof *p);
    if (!p)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_params_get(m, p);
    *out = linear_elbo_p(m, p, data, NULL);
    free(p);
    return EL_OK;
}

/* ---- polishing on the exact ELBO ------------------------------------------ */

typedef struct {
    const el_vae *m;
    const el_vae_data *data;
} exact_ctx;

static double neg_exact(const gsl_vector *v, void *vp)
{
    const exact_ctx *c = vp;
    return -linear_elbo_p(c->m, v->data, c->data, NULL);
}

static void neg_exact_fdf(const gsl_vector *v, void *vp, double *f, gsl_vector *g)
{
    const exact_ctx *c = vp;
    *f = -linear_elbo_p(c->m, v->data, c->data, g->data);
    gsl_vector_scale(g, -1.0);
}

static void neg_exact_df(const gsl_vector *v, void *vp, gsl_vector *g)
{
    double f;
    neg_exact_fdf(v, vp, &f, g);
}

/* The SGD-trained linear VAE M finished deterministically: BFGS on the
 * exact ELBO (a closed form of the parameters, with its analytic gradient)
 * from M's parameters, until the gradient norm is below
 * PPCA_GRAD_TOL or BFGS stops (at most PPCA_BFGS_ITERS iterations).  SGD's
 * sampling noise and its slow progress along the flat rotation of W's
 * columns left gaps of 0.010-0.014 nats on some seeds; randomness adds
 * nothing here.  M keeps the better of its own and the polished parameters. */
static int polish_linear(el_vae *m, const el_vae_data *data)
{
    size_t n = m->nparams;
    exact_ctx c = { m, data };
    gsl_multimin_function_fdf fn = { neg_exact, neg_exact_df, neg_exact_fdf, n, &c };
    gsl_vector *x0 = gsl_vector_alloc(n);
    gsl_multimin_fdfminimizer *mz =
        x0 ? gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n) : NULL;
    if (!mz) {
        gsl_vector_free(x0);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    el_vae_params_get(m, x0->data);
    int s = gsl_multimin_fdfminimizer_set(mz, &fn, x0, 1e-3, 0.1);
    for (int it = 0; it < PPCA_BFGS_ITERS && s == GSL_SUCCESS; it++) {
        s = gsl_multimin_fdfminimizer_iterate(mz);
        if (s == GSL_SUCCESS &&
            gsl_multimin_test_gradient(mz->gradient, PPCA_GRAD_TOL) == GSL_SUCCESS)
            break;
    }
    if (s == GSL_SUCCESS || s == GSL_ENOPROG) { /* stalled: keep where it got */
        s = EL_OK;
        if (mz->f < neg_exact(x0, &c))
            el_vae_params_set(m, mz->x->data);
    } else
        s = el_from_gsl(s, "linear VAE: BFGS on the exact ELBO");
    gsl_multimin_fdfminimizer_free(mz);
    gsl_vector_free(x0);
    return s;
}

/* The linear VAE of the pPCA checks (decoder variance learned from 1 when
 * SIGMA is 0, else fixed at SIGMA) trained on the whole of DATA for STEPS
 * steps, the learning rate falling from LR0 to LR1. */
static el_vae *train_linear(const el_vae_data *data, double sigma, size_t steps, double lr0,
                            double lr1, int fault, const gsl_rng *r, int *status)
{
    el_vae_config cfg = { PPCA_D,
                          0,
                          PPCA_Q,
                          0,
                          sigma > 0 ? EL_VAE_GAUSS : EL_VAE_GAUSS_LEARNED,
                          sigma > 0 ? sigma : 1.0 };
    el_vae *m = el_vae_check_model(&cfg, fault, r, status);
    el_vae_train_opts o = { data->n, lr0, 1.0, 0 };
    if (m && (*status = el_vae_fit(m, data, &o, steps, lr1, r))) {
        el_vae_free(m);
        m = NULL;
    }
    return m;
}

/* The Monte Carlo ELBO of M over DATA from its own log weights (K per row),
 * with the standard error of the sampling over z only (rows are fixed). */
static int mc_elbo(el_vae *m, const el_vae_data *data, size_t k, const gsl_rng *r, el_estimate *out)
{
    double *lw = malloc(data->n * k * sizeof *lw);
    if (!lw)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int s = el_vae_log_weights(m, data, 0, data->n, k, r, lw);
    double mean = 0, var = 0, N = (double)data->n;
    for (size_t i = 0; i < data->n && !s; i++) {
        double mi = 0, vi = 0;
        for (size_t j = 0; j < k; j++)
            mi += lw[i * k + j] / (double)k;
        for (size_t j = 0; j < k; j++)
            vi += (lw[i * k + j] - mi) * (lw[i * k + j] - mi) / (double)(k - 1);
        mean += mi / N;
        var += vi / (double)k / (N * N);
    }
    free(lw);
    *out = (el_estimate){ mean, sqrt(var), data->n * k };
    return s;
}

int el_vae_check_linear_ppca(const el_check *c, const el_check_opts *o, int variant,
                             el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    int threads = el_vae_threads(1), s;
    el_vae_data *data = r ? el_vae_synthetic(EL_VAE_SYN_PPCA, EL_VAE_PPCA_ROWS, r, &s) : NULL;
    el_vae *m =
        data ? train_linear(data, 0, EL_VAE_PPCA_STEPS, PPCA_LR0, PPCA_LR1, 0, r, &s) : NULL;
    double ll = NAN, elbo = NAN;
    el_estimate mc = { NAN, NAN, 0 };
    if (!r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (m)
        s = el_vae_ppca_loglik(data, PPCA_Q, variant, &ll);
    if (m && !s)
        s = polish_linear(m, data);
    if (m && !s)
        s = el_vae_linear_elbo(m, data, &elbo);
    if (m && !s)
        s = mc_elbo(m, data, el_check_samples(o, 20000) / EL_VAE_PPCA_ROWS + 2, r, &mc);
    if (!s) {
        double gap = ll - elbo;
        res->closed = ll;
        res->has_mc = 1;
        res->mc = mc;
        res->mc_zmax = el_mc_zscore(ll, &mc);
        res->pass = gap >= -1e-9 && gap <= PPCA_TOL && el_agrees_mc(elbo, &mc);
        snprintf(res->detail, sizeof res->detail,
                 "linear VAE, %d SGD steps + BFGS on the exact ELBO, %d points: ELBO %.6f, "
                 "pPCA log-lik %.6f, gap %.5f %s [0, %.2f]; MC ELBO %.1f se from it%s",
                 EL_VAE_PPCA_STEPS, EL_VAE_PPCA_ROWS, elbo, ll, gap,
                 gap >= -1e-9 && gap <= PPCA_TOL ? "in" : "NOT in", PPCA_TOL,
                 el_mc_zscore(elbo, &mc), el_agrees_mc(elbo, &mc) ? "" : " (FAILED: > 5)");
    }
    el_vae_free(m);
    el_vae_data_free(data);
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}

/* The learning rate of step T of the pPCA training. */
static double ppca_lr(size_t t)
{
    return PPCA_LR0 * pow(PPCA_LR1 / PPCA_LR0, (double)t / (EL_VAE_PPCA_STEPS - 1));
}

int el_vae_ppca_trace(unsigned long seed, size_t every, double *step, double *elbo, size_t *n,
                      double *ll)
{
    el_vae_config cfg = { PPCA_D, 0, PPCA_Q, 0, EL_VAE_GAUSS_LEARNED, 1.0 };
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae.linear_ppca"));
    int threads = el_vae_threads(1), s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_data *data = r ? el_vae_synthetic(EL_VAE_SYN_PPCA, EL_VAE_PPCA_ROWS, r, &s) : NULL;
    el_vae *m = data ? el_vae_check_model(&cfg, 0, r, &s) : NULL; /* as in the check */
    if (m)
        s = el_vae_ppca_loglik(data, PPCA_Q, 0, ll);
    *n = 0;
    for (size_t t0 = 0; m && !s && t0 < EL_VAE_PPCA_STEPS; t0 += every) {
        size_t t1 = t0 + every < EL_VAE_PPCA_STEPS ? t0 + every : EL_VAE_PPCA_STEPS;
        el_vae_train_opts o = { data->n, ppca_lr(t0), 1.0, 0 };
        s = el_vae_fit(m, data, &o, t1 - t0, ppca_lr(t1 - 1), r);
        if (!s)
            s = el_vae_linear_elbo(m, data, &elbo[*n]);
        step[(*n)++] = (double)t1;
    }
    el_vae_free(m);
    el_vae_data_free(data);
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}

/* ---- vae.bounds ---------------------------------------------------------------- */

#define BOUNDS_ROWS  100
#define BOUNDS_STEPS 40
#define BOUNDS_SIGMA 0.3 /* a fixed, small decoder noise: a narrow posterior that q misses */

/* Exact log p(x_i) = log N(x_i; b, W W^T + sigma^2 I) under the linear VAE M (LOGP: n). */
static int exact_logp(const el_vae *m, const el_vae_data *d, double *logp)
{
    size_t D = m->cfg.x_dim, Z = m->cfg.z_dim;
    double *p = malloc(m->nparams * sizeof *p), C[PPCA_D * PPCA_D], x[PPCA_D];
    if (!p)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_params_get(m, p);
    const double *W = p + m->blocks[EL_VAE_DEC2_W].offset, *b = p + m->blocks[EL_VAE_DEC2_B].offset;
    double s2 = el_vae_sigma(m) * el_vae_sigma(m);
    for (size_t a = 0; a < D; a++)
        for (size_t c = 0; c < D; c++) {
            C[a * D + c] = a == c ? s2 : 0.0;
            for (size_t j = 0; j < Z; j++)
                C[a * D + c] += W[a * Z + j] * W[c * Z + j];
        }
    int s;
    el_mvn *g = el_mvn_alloc(D, b, C, "W W^T + sigma^2 I", &s);
    for (size_t i = 0; g && i < d->n; i++) {
        for (size_t a = 0; a < D; a++)
            x[a] = d->x[i * D + a];
        logp[i] = el_mvn_logpdf(g, x);
    }
    el_mvn_free(g);
    free(p);
    return g ? EL_OK : s;
}

/* z-score of the claim A <= B from paired rows: mean(a - b) / se(a - b)
 * (positive when A exceeds B); the mean and se go to *MEAN_OUT and *SE_OUT. */
static double excess_z(const double *a, const double *b, size_t n, double *mean_out, double *se_out)
{
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += (a[i] - b[i]) / (double)n;
    for (size_t i = 0; i < n; i++)
        var += (a[i] - b[i] - mean) * (a[i] - b[i] - mean) / (double)(n - 1);
    *mean_out = mean;
    double se = sqrt(var / (double)n);
    *se_out = se;
    return se > 0 ? mean / se : (mean > 0 ? INFINITY : 0.0);
}

/* Row I's estimate of IWAE_k from its POOL log weights LW: the mean over the
 * POOL / K disjoint consecutive blocks of k of their log-mean-exp. */
static double block_iwae(const double *lw, size_t pool, size_t k)
{
    double e = 0.0;
    for (size_t b = 0; b < pool / k; b++)
        e += el_vae_logmeanexp(lw + b * k, k) / (double)(pool / k);
    return e;
}

int el_vae_bounds_curve(unsigned long seed, const size_t *ks, size_t nk, double *gap, double *se,
                        double *gain, double *gain_se)
{
    size_t pool = ks[nk - 1];
    for (size_t j = 1; j < nk; j++)
        if (ks[j] % ks[j - 1])
            return EL_ERROR(EL_EUSAGE, "each k must divide the next");
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae.bounds"));
    int threads = el_vae_threads(1), s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_data *data = r ? el_vae_synthetic(EL_VAE_SYN_PPCA, BOUNDS_ROWS, r, &s) : NULL;
    el_vae *m = data ? train_linear(data, BOUNDS_SIGMA, BOUNDS_STEPS, 0.05, 0.01, 0, r, &s) : NULL;
    double *lw = m ? malloc(pool * sizeof *lw) : NULL,
           *est = m ? malloc(2 * nk * BOUNDS_ROWS * sizeof *est) : NULL;
    double lp[BOUNDS_ROWS];
    if (m && (!lw || !est))
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (m && !s)
        s = exact_logp(m, data, lp);
    for (size_t i = 0; m && !s && i < BOUNDS_ROWS; i++) {
        /* one pool of draws per point; every k is estimated from the same draws */
        s = el_vae_log_weights(m, data, i, 1, pool, r, lw);
        for (size_t j = 0; !s && j < nk; j++)
            est[j * BOUNDS_ROWS + i] = block_iwae(lw, pool, ks[j]);
    }
    for (size_t j = 0; m && !s && j < nk; j++) {
        const double *ej = est + j * BOUNDS_ROWS;
        excess_z(ej, lp, BOUNDS_ROWS, &gap[j], &se[j]); /* estimate - log p(x): mean, se */
        if (j == 0)
            gain[0] = gain_se[0] = NAN;
        else
            excess_z(ej, ej - BOUNDS_ROWS, BOUNDS_ROWS, &gain[j], &gain_se[j]);
    }
    free(lw);
    free(est);
    el_vae_free(m);
    el_vae_data_free(data);
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}

int el_vae_check_bounds(const el_check *c, const el_check_opts *o, int variant,
                        el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    int threads = el_vae_threads(1), s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_data *data = r ? el_vae_synthetic(EL_VAE_SYN_PPCA, BOUNDS_ROWS, r, &s) : NULL;
    el_vae *m = data ? train_linear(data, BOUNDS_SIGMA, BOUNDS_STEPS, 0.05, 0.01,
                                    variant ? EL_VAE_FAULT_IWAE_NO_1K : 0, r, &s)
                     : NULL;
    enum { ELBO, IW5, IW50, LOGP, NV };
    double *v[NV] = { NULL };
    for (int i = 0; i < NV && m; i++)
        if (!(v[i] = malloc(BOUNDS_ROWS * sizeof(double))))
            s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (m && !s)
        s = el_vae_iwae_rows(m, data, BOUNDS_ROWS, 1, r, NULL, v[ELBO]);
    if (m && !s)
        s = el_vae_iwae_rows(m, data, BOUNDS_ROWS, 5, r, v[IW5], NULL);
    if (m && !s)
        s = el_vae_iwae_rows(m, data, BOUNDS_ROWS, 50, r, v[IW50], NULL);
    if (m && !s)
        s = exact_logp(m, data, v[LOGP]);
    if (m && !s) {
        double d[3], z[3], se[3];
        for (int k = 0; k < 3; k++) /* ELBO <= IWAE_5 <= IWAE_50 <= log p(x) */
            z[k] = excess_z(v[k], v[k + 1], BOUNDS_ROWS, &d[k], &se[k]);
        double zmax = GSL_MAX(z[0], GSL_MAX(z[1], z[2])), lp = 0, iw = 0;
        for (size_t i = 0; i < BOUNDS_ROWS; i++)
            lp += v[LOGP][i] / BOUNDS_ROWS, iw += v[IW50][i] / BOUNDS_ROWS;
        res->closed = lp;
        res->has_mc = 1;
        res->mc = (el_estimate){ iw, se[2], BOUNDS_ROWS * 50 };
        res->mc_zmax = GSL_MAX(zmax, 0.0);
        res->pass = zmax <= EL_MC_SIGMAS;
        snprintf(res->detail, sizeof res->detail,
                 "mean gaps: IWAE_5-ELBO %.4f, IWAE_50-IWAE_5 %.4f, log p-IWAE_50 %.4f "
                 "(each must be >= -5 se; worst %.1f se the wrong way)",
                 -d[0], -d[1], -d[2], zmax);
    }
    for (int i = 0; i < NV; i++)
        free(v[i]);
    el_vae_free(m);
    el_vae_data_free(data);
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}
