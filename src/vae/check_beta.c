/* check_beta.c -- vae.beta (the beta-VAE trade-off: rate and total
 * correlation fall, distortion rises as beta grows) and vae.generation (a
 * VAE generates better than a plain auto-encoder). */
#include "vae/vae_check.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>

/* ---- vae.beta ---------------------------------------------------------------- */

#define BETA_ROWS   300
#define BETA_STEPS  600
#define BETA_Z      2
#define TC_DRAWS    2000
#define BETA_STARTS 2
#define TC_MIN_Z    3.0 /* TC falls by this many se from the first beta to the last */

const double el_vae_betas[EL_VAE_NBETA] = { 0.25, 1.0, 4.0, 16.0 };

typedef struct {
    const double *mu, *lv; /* encoder outputs of all rows, n x Z */
    size_t n;
    double *t, *t0, *t1; /* scratch, n each */
    double *iv, *c;      /* per row: exp(-lv) (n x Z) and -1/2 (lv + log 2 pi) (n x Z) */
} tc_draw;

/* One draw of log q(z) - log q(z_1) - log q(z_2), z from the aggregate
 * posterior q(z) = (1/n) sum_i N(z; mu_i, diag s_i^2): every density here is
 * that exact mixture (or its marginals), summed with log-sum-exp. */
static double tc_sample(const gsl_rng *r, void *params)
{
    tc_draw *d = params;
    size_t i = gsl_rng_uniform_int(r, d->n);
    double z[BETA_Z];
    for (size_t j = 0; j < BETA_Z; j++)
        z[j] = d->mu[i * BETA_Z + j] +
               exp(d->lv[i * BETA_Z + j] / 2) * gsl_ran_gaussian_ziggurat(r, 1.0);
    for (size_t a = 0; a < d->n; a++) {
        double l[BETA_Z];
        for (size_t j = 0; j < BETA_Z; j++) {
            double e = z[j] - d->mu[a * BETA_Z + j];
            l[j] = d->c[a * BETA_Z + j] - 0.5 * e * e * d->iv[a * BETA_Z + j];
        }
        d->t[a] = l[0] + l[1], d->t0[a] = l[0], d->t1[a] = l[1];
    }
    return el_vae_logmeanexp(d->t, d->n) - el_vae_logmeanexp(d->t0, d->n) -
           el_vae_logmeanexp(d->t1, d->n);
}

/* Rate, distortion and total correlation of M on DATA into PT. */
static int measure(el_vae *m, const el_vae_data *data, const gsl_rng *r, el_vae_beta_point *pt,
                   el_estimate *tc)
{
    size_t n = data->n;
    double *buf = malloc(9 * n * sizeof *buf);
    if (!buf)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_terms t;
    int s = el_vae_evaluate(m, data, r, &t);
    if (!s)
        s = el_vae_encode(m, data, 0, n, buf, buf + 2 * n);
    tc_draw d = { buf, buf + 2 * n, n, buf + 4 * n, NULL, NULL, buf + 5 * n, buf + 7 * n };
    for (size_t i = 0; !s && i < BETA_Z * n; i++) {
        d.iv[i] = exp(-d.lv[i]);
        d.c[i] = -0.5 * (d.lv[i] + log(2 * M_PI));
    }
    double *scratch = malloc(2 * n * sizeof *scratch);
    d.t0 = scratch, d.t1 = scratch ? scratch + n : NULL;
    if (!s && !scratch)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = el_mc_mean(tc_sample, &d, TC_DRAWS, r, tc);
    if (!s)
        pt->rate = t.kl, pt->distortion = t.recon, pt->tc = tc->value, pt->tc_se = tc->se;
    free(scratch);
    free(buf);
    return s;
}

/* One start of the sweep's VAE with BETA, trained from SEED; its objective
 * D + beta R (the minimised loss, on all of DATA) in *OBJ. */
static el_vae *train_one(const el_vae_data *data, double beta, unsigned long seed, int fault,
                         double *obj, int *status)
{
    el_vae_config cfg = { data->d, 16, BETA_Z, 0, EL_VAE_GAUSS, 0.1 };
    gsl_rng *r = el_rng_alloc(seed);
    *status = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae *m = r ? el_vae_check_model(&cfg, fault, r, status) : NULL;
    el_vae_train_opts o = { 100, 0.01, beta, 0 };
    el_vae_terms t;
    if (m)
        *status = el_vae_fit(m, data, &o, BETA_STEPS, 0.001, r);
    if (m && !*status)
        *status = el_vae_evaluate(m, data, r, &t);
    if (m && !*status)
        *obj = t.recon + beta * t.kl;
    el_rng_free(r);
    if (*status) {
        el_vae_free(m);
        m = NULL;
    }
    return m;
}

/* Trains the VAE of the sweep with BETA from BETA_STARTS starts (the first
 * the same for every beta) and measures the one with the best objective
 * D + beta R: the claims are about optimal models, and one start of 600
 * steps sometimes stops in a poor one (seed 99: beta = 0.25 ended with a
 * worse distortion than beta = 1, which no pair of optima can do). */
static int sweep_one(const el_vae_data *data, double beta, unsigned long seed, int fault,
                     el_vae_beta_point *pt, el_estimate *tc)
{
    el_vae *best = NULL;
    double best_obj = INFINITY;
    int s = EL_OK;
    for (int k = 0; k < BETA_STARTS && !s; k++) {
        double obj = INFINITY;
        unsigned long sk = k == 0 ? seed : el_seed_mix(seed + (unsigned long)k, "vae.beta start");
        el_vae *m = train_one(data, beta, sk, fault, &obj, &s);
        if (m && obj < best_obj) {
            el_vae_free(best);
            best = m, best_obj = obj;
        } else
            el_vae_free(m);
    }
    pt->beta = beta;
    gsl_rng *r = best ? el_rng_alloc(el_seed_mix(seed, "vae.beta measure")) : NULL;
    if (best && !r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (r && !s)
        s = measure(best, data, r, pt, tc);
    el_vae_free(best);
    el_rng_free(r);
    return s;
}

/* The sweep with the standard errors of the TC estimates. */
static int sweep(unsigned long seed, int fault, el_vae_beta_point *pts, el_estimate *tc)
{
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae.beta data"));
    int s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_data *data = r ? el_vae_synthetic(EL_VAE_SYN_FACTORS, BETA_ROWS, r, &s) : NULL;
    for (int b = 0; data && !s && b < EL_VAE_NBETA; b++)
        s = sweep_one(data, el_vae_betas[b], el_seed_mix(seed, "vae.beta model"), fault, &pts[b],
                      &tc[b]);
    el_vae_data_free(data);
    el_rng_free(r);
    return s;
}

int el_vae_beta_sweep(unsigned long seed, int fault, el_vae_beta_point *pts)
{
    el_estimate tc[EL_VAE_NBETA];
    int threads = el_vae_threads(1);
    int s = sweep(el_seed_mix(seed, "vae.beta"), fault, pts, tc);
    el_vae_threads(threads);
    return s;
}

/* The fall of the TC from A to B in standard errors of the difference. */
static double tc_fall(const el_estimate *a, const el_estimate *b)
{
    return (a->value - b->value) / hypot(a->se, b->se);
}

int el_vae_check_beta(const el_check *c, const el_check_opts *o, int variant, el_check_result *res)
{
    el_vae_beta_point p[EL_VAE_NBETA];
    el_estimate tc[EL_VAE_NBETA];
    int threads = el_vae_threads(1);
    int s = sweep(el_seed_mix(o->seed, c->id), variant ? EL_VAE_FAULT_BETA_RECON : 0, p, tc);
    el_vae_threads(threads);
    if (s)
        return s;
    char why[128] = "";
    for (int b = 0; b < EL_VAE_NBETA; b++) /* TC <= R (proved), to 5 se */
        if (!why[0] && !(tc[b].value <= p[b].rate + EL_MC_SIGMAS * tc[b].se))
            snprintf(why, sizeof why, "; FAILED: TC %.3f > rate %.3f at beta %g", tc[b].value,
                     p[b].rate, el_vae_betas[b]);
    for (int b = 0; b + 1 < EL_VAE_NBETA; b++) {
        if (!why[0] && !(p[b + 1].rate < p[b].rate))
            snprintf(why, sizeof why, "; FAILED: rate rises %.3f -> %.3f from beta %g to %g",
                     p[b].rate, p[b + 1].rate, el_vae_betas[b], el_vae_betas[b + 1]);
        if (!why[0] && !(p[b + 1].distortion > p[b].distortion))
            snprintf(why, sizeof why, "; FAILED: distortion falls %.3f -> %.3f from beta %g to %g",
                     p[b].distortion, p[b + 1].distortion, el_vae_betas[b], el_vae_betas[b + 1]);
    }
    double zall = tc_fall(&tc[0], &tc[EL_VAE_NBETA - 1]);
    if (!why[0] && !(zall >= TC_MIN_Z))
        snprintf(why, sizeof why, "; FAILED: TC falls by only %.1f se overall", zall);
    res->pass = !why[0];
    /* the detail may be cut at its size; the verdict is res->pass */
    if (snprintf(res->detail, sizeof res->detail,
                 "beta %g..%g: rate %.2f -> %.2f, distortion %.2f -> %.2f, TC %.3f -> %.3f "
                 "(a fall of %.1f se: must be >= %.0f, and TC <= rate at each beta)%s",
                 el_vae_betas[0], el_vae_betas[EL_VAE_NBETA - 1], p[0].rate,
                 p[EL_VAE_NBETA - 1].rate, p[0].distortion, p[EL_VAE_NBETA - 1].distortion, p[0].tc,
                 p[EL_VAE_NBETA - 1].tc, zall, TC_MIN_Z, why) < 0)
        res->detail[0] = '\0';
    return EL_OK;
}

/* ---- vae.generation -------------------------------------------------------------- */

#define GEN_ROWS    500
#define GEN_STEPS   1000
#define GEN_Z       4
#define GEN_SAMPLES 2000
#define GEN_MIN_Z   5.0

/* A model of the 2-D toy data trained as a VAE with BETA (AE: a plain auto-encoder). */
static el_vae *gen_train(const el_vae_data *data, double beta, int ae, unsigned long seed,
                         int *status)
{
    el_vae_config cfg = { 2, 32, GEN_Z, 0, EL_VAE_GAUSS_LEARNED, 0.1 };
    gsl_rng *r = el_rng_alloc(seed);
    el_vae *m = r ? el_vae_check_model(&cfg, 0, r, status) : NULL;
    el_vae_train_opts o = { 100, 0.01, beta, ae };
    if (m && (*status = el_vae_fit(m, data, &o, GEN_STEPS, 0.001, r))) {
        el_vae_free(m);
        m = NULL;
    }
    if (!r)
        *status = EL_ERROR(EL_ENOMEM, "out of memory");
    el_rng_free(r);
    return m;
}

int el_vae_generation_samples(unsigned long seed, int variant, size_t n, double *vae_x,
                              double *ae_x, double *score)
{
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae.generation"));
    int threads = el_vae_threads(1), s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    unsigned long ms = el_seed_mix(seed, "vae.generation model");
    el_vae_data *data = r ? el_vae_synthetic(EL_VAE_SYN_TOY2D, GEN_ROWS, r, &s) : NULL;
    /* the VAE (mistake: the KL term dropped, beta = 0) and the auto-encoder, same start */
    el_vae *vae = data ? gen_train(data, variant ? 0.0 : 1.0, 0, ms, &s) : NULL;
    el_vae *ae = vae ? gen_train(data, 0.0, 1, ms, &s) : NULL;
    double *z = ae ? malloc(n * GEN_Z * sizeof *z) : NULL;
    if (ae && !z)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; z && i < n * GEN_Z; i++)
        z[i] = gsl_ran_gaussian_ziggurat(r, 1.0); /* the same z ~ N(0, I) for both */
    if (z && !s)
        s = el_vae_decode(vae, z, n, vae_x);
    if (z && !s)
        s = el_vae_decode(ae, z, n, ae_x);
    for (size_t i = 0; z && !s && i < n; i++) {
        score[2 * i] = el_vae_toy2d_logpdf(vae_x[2 * i], vae_x[2 * i + 1]);
        score[2 * i + 1] = el_vae_toy2d_logpdf(ae_x[2 * i], ae_x[2 * i + 1]);
    }
    free(z);
    el_vae_free(vae);
    el_vae_free(ae);
    el_vae_data_free(data);
    el_rng_free(r);
    el_vae_threads(threads);
    return s;
}

int el_vae_check_generation(const el_check *c, const el_check_opts *o, int variant,
                            el_check_result *res)
{
    (void)c;
    double *buf = malloc(GEN_SAMPLES * 6 * sizeof *buf);
    if (!buf)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    double *sc = buf + 4 * GEN_SAMPLES; /* log p_data: VAE, AE interleaved */
    int s =
        el_vae_generation_samples(o->seed, variant, GEN_SAMPLES, buf, buf + 2 * GEN_SAMPLES, sc);
    if (!s) {
        double mv = 0, ma = 0, md = 0, vd = 0, N = GEN_SAMPLES;
        for (size_t i = 0; i < GEN_SAMPLES; i++)
            mv += sc[2 * i] / N, ma += sc[2 * i + 1] / N, md += (sc[2 * i] - sc[2 * i + 1]) / N;
        for (size_t i = 0; i < GEN_SAMPLES; i++) {
            double e = sc[2 * i] - sc[2 * i + 1] - md;
            vd += e * e / (N - 1);
        }
        double zd = md / sqrt(vd / N);
        res->pass = zd >= GEN_MIN_Z;
        snprintf(res->detail, sizeof res->detail,
                 "mean log p_data of %d decoded z ~ N(0, I): VAE %.3f, auto-encoder %.3f; "
                 "VAE ahead by %.1f se (must be >= %.0f)",
                 GEN_SAMPLES, mv, ma, zd, GEN_MIN_Z);
    }
    free(buf);
    return s;
}
