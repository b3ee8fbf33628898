/* check_gmvae.c -- gmvae.training: the tiny VAE with a learned Gaussian-
 * mixture prior, q(k|z,x) the responsibilities and the component summed
 * out exactly, trained on clustered data, recovers the clusters. */
#include "vae/vae_check.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_permutation.h>

#define GM_ROWS     400
#define GM_STEPS    1600 /* 800 left every start of seed 92 short (ELBO -13.07..-13.29 vs -12.80) */
#define GM_K        4
#define GM_Z        2
#define GM_STARTS   4 /* mixtures have local optima: keep the best ELBO of several starts */
#define GM_MIN_ACC  0.9
#define GM_MIN_CONF 0.9

/* Cluster of each row: argmax_k p(k | z = mu(x)) under the learned prior of
 * M; LAB gets it and *CONF the mean of max_k p(k | z). */
static int assign(el_vae *m, const el_vae_data *d, int *lab, double *conf)
{
    double *p = malloc(m->nparams * sizeof *p), *mu = malloc(d->n * GM_Z * sizeof *mu);
    int s = p && mu ? el_vae_encode(m, d, 0, d->n, mu, NULL) : EL_ERROR(EL_ENOMEM, "out of memory");
    *conf = 0;
    if (!s) {
        el_vae_params_get(m, p);
        const double *pm = p + m->blocks[EL_VAE_PRIOR_MU].offset;
        const double *pv = p + m->blocks[EL_VAE_PRIOR_LOGVAR].offset;
        for (size_t i = 0; i < d->n; i++) {
            double l[GM_K], top = -INFINITY, sum = 0;
            for (int k = 0; k < GM_K; k++) {
                l[k] = 0;
                for (int j = 0; j < GM_Z; j++) {
                    double e = mu[i * GM_Z + j] - pm[k * GM_Z + j];
                    l[k] -= 0.5 * (e * e * exp(-pv[k * GM_Z + j]) + pv[k * GM_Z + j]);
                }
                if (l[k] > top)
                    top = l[k], lab[i] = k;
            }
            for (int k = 0; k < GM_K; k++)
                sum += exp(l[k] - top);
            *conf += 1 / sum / (double)d->n;
        }
    }
    free(p);
    free(mu);
    return s;
}

/* Fraction of rows whose cluster matches the true label under the best
 * relabelling of the clusters (all K! permutations). */
static double accuracy(const el_vae_data *d, const int *lab)
{
    size_t count[GM_K][GM_K] = { { 0 } }, best = 0;
    for (size_t i = 0; i < d->n; i++)
        count[d->label[i]][lab[i]]++;
    gsl_permutation *p = gsl_permutation_calloc(GM_K);
    if (!p)
        return NAN;
    do {
        size_t hit = 0;
        for (int k = 0; k < GM_K; k++)
            hit += count[k][gsl_permutation_get(p, (size_t)k)];
        best = hit > best ? hit : best;
    } while (gsl_permutation_next(p) == GSL_SUCCESS);
    gsl_permutation_free(p);
    return (double)best / (double)d->n;
}

/* The GM-VAE trained from start START; *ELBO gets its training ELBO. */
static el_vae *gm_train(const el_vae_data *d, int fault, unsigned long seed, double *elbo,
                        int *status)
{
    el_vae_config cfg = { d->d, 16, GM_Z, GM_K, EL_VAE_GAUSS_LEARNED, 1.0 };
    gsl_rng *r = el_rng_alloc(seed);
    el_vae *m = r ? el_vae_check_model(&cfg, fault, r, status) : NULL;
    el_vae_train_opts o = { 100, 0.03, 1.0, 0 };
    el_vae_terms t;
    if (m)
        *status = el_vae_fit(m, d, &o, GM_STEPS, 0.003, r);
    if (m && !*status)
        *status = el_vae_evaluate(m, d, r, &t);
    if (m && *status) {
        el_vae_free(m);
        m = NULL;
    }
    if (!r)
        *status = EL_ERROR(EL_ENOMEM, "out of memory");
    *elbo = m ? -t.loss : NAN;
    el_rng_free(r);
    return m;
}

el_vae *el_vae_gmvae_fit(unsigned long seed, int variant, el_vae_data **data, int *status)
{
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "gmvae.training"));
    int threads = el_vae_threads(1);
    *status = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_data *d = r ? el_vae_synthetic(EL_VAE_SYN_CLUSTERS, GM_ROWS, r, status) : NULL;
    el_vae *best = NULL;
    double best_elbo = -INFINITY;
    for (int k = 0; d && !*status && k < GM_STARTS; k++) {
        double elbo;
        char label[32];
        snprintf(label, sizeof label, "gmvae start %d", k);
        el_vae *m = gm_train(d, variant ? EL_VAE_FAULT_RESP_UNIFORM : 0, el_seed_mix(seed, label),
                             &elbo, status);
        if (m && elbo > best_elbo) {
            el_vae_free(best);
            best = m, best_elbo = elbo;
        } else {
            el_vae_free(m);
        }
    }
    if (*status) {
        el_vae_free(best);
        el_vae_data_free(d);
        best = NULL, d = NULL;
    }
    *data = d;
    el_rng_free(r);
    el_vae_threads(threads);
    return best;
}

int el_vae_check_gmvae(const el_check *c, const el_check_opts *o, int variant, el_check_result *res)
{
    (void)c;
    el_vae_data *d = NULL;
    int s;
    el_vae *best = el_vae_gmvae_fit(o->seed, variant, &d, &s);
    int *lab = best ? malloc(GM_ROWS * sizeof *lab) : NULL;
    double conf = NAN, elbo = NAN;
    el_vae_terms t;
    if (best && !lab)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (lab && !s)
        s = assign(best, d, lab, &conf);
    if (lab && !s) {
        gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, "gmvae.training elbo"));
        if (el_vae_evaluate(best, d, r, &t) == EL_OK)
            elbo = -t.loss;
        el_rng_free(r);
        double acc = accuracy(d, lab);
        res->pass = acc >= GM_MIN_ACC && conf >= GM_MIN_CONF;
        snprintf(res->detail, sizeof res->detail,
                 "%d clusters in 8-D, best of %d starts (ELBO %.3f): accuracy %.3f (>= %.1f), "
                 "mean max responsibility %.3f (>= %.1f)%s",
                 GM_K, GM_STARTS, elbo, acc, GM_MIN_ACC, conf, GM_MIN_CONF,
                 acc < GM_MIN_ACC     ? "; FAILED: accuracy"
                 : conf < GM_MIN_CONF ? "; FAILED: responsibilities"
                                      : "");
    }
    free(lab);
    el_vae_free(best);
    el_vae_data_free(d);
    return s;
}
