/* train.c -- training epochs and evaluation (ELBO and IWAE) of the tiny VAE. */
#include "vae/el_vae.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

/* An array 0..n-1 in a random order drawn with R (NULL when out of memory). */
static size_t *shuffled(size_t n, const gsl_rng *r)
{
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    gsl_ran_shuffle(r, idx, n, sizeof *idx);
    return idx;
}

/* Checks the options of a training run against the model and data. */
static int check_opts(const el_vae *m, const el_vae_data *d, const el_vae_train_opts *o)
{
    if (d->d != m->cfg.x_dim)
        return EL_ERROR(EL_EDOM, "data rows have %zu values, the model expects %zu", d->d,
                        m->cfg.x_dim);
    if (o->batch == 0 || !(o->lr > 0) || !isfinite(o->lr) || !(o->beta >= 0) || !isfinite(o->beta))
        return EL_ERROR(EL_EDOM, "need batch >= 1, lr > 0 and beta >= 0 (got %zu, %g, %g)",
                        o->batch, o->lr, o->beta);
    return EL_OK;
}

int el_vae_train_epoch(el_vae *m, const el_vae_data *train, const el_vae_train_opts *o,
                       const gsl_rng *r, el_vae_progress_fn cb, void *ctx, el_vae_terms *out)
{
    int s = check_opts(m, train, o);
    if (s)
        return s;
    size_t *idx = shuffled(train->n, r);
    if (!idx)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t nb = (train->n + o->batch - 1) / o->batch, seen = 0;
    el_vae_terms sum = { 0, 0, 0 }, run;
    for (size_t b = 0; b < nb && !s; b++) {
        size_t lo = b * o->batch, n = train->n - lo < o->batch ? train->n - lo : o->batch;
        el_vae_terms t;
        s = el_vae_train_step(m, train, idx + lo, n, o->ae ? 0.0 : o->beta, o->ae ? NULL : r, o->lr,
                              &t); /* no Adam step when the loss is not finite */
        if (s)
            break;
        if (!isfinite(t.loss)) {
            s = EL_ERROR(EL_ENUM, "the loss is not finite at batch %zu (learning rate too large?)",
                         b + 1);
            break;
        }
        seen += n;
        sum.loss += t.loss * (double)n, sum.recon += t.recon * (double)n,
            sum.kl += t.kl * (double)n;
        run = (el_vae_terms){ sum.loss / (double)seen, sum.recon / (double)seen,
                              sum.kl / (double)seen };
        if (cb)
            cb(ctx, b + 1, nb, &run);
    }
    free(idx);
    if (!s && out)
        *out = (el_vae_terms){ sum.loss / (double)seen, sum.recon / (double)seen,
                               sum.kl / (double)seen };
    return s;
}

int el_vae_evaluate(el_vae *m, const el_vae_data *data, const gsl_rng *r, el_vae_terms *out)
{
    const size_t chunk = 500;
    size_t *idx = malloc(chunk * sizeof *idx);
    if (!idx)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_vae_terms sum = { 0, 0, 0 }, t;
    int s = EL_OK;
    for (size_t lo = 0; lo < data->n && !s; lo += chunk) {
        size_t n = data->n - lo < chunk ? data->n - lo : chunk;
        for (size_t i = 0; i < n; i++)
            idx[i] = lo + i;
        s = el_vae_loss(m, data, idx, n, 1.0, r, 0, &t);
        sum.loss += t.loss * (double)n, sum.recon += t.recon * (double)n,
            sum.kl += t.kl * (double)n;
    }
    free(idx);
    double N = (double)data->n;
    if (!s)
        *out = (el_vae_terms){ sum.loss / N, sum.recon / N, sum.kl / N };
    return s;
}

/* Mean and standard error of the N values V (gsl_stats). */
static el_estimate mean_se(const double *v, size_t n)
{
    double mean = gsl_stats_mean(v, 1, n);
    double sd = n > 1 ? gsl_stats_sd_m(v, 1, n, mean) : 0.0;
    return (el_estimate){ mean, sd / sqrt((double)n), n };
}

int el_vae_iwae_rows(el_vae *m, const el_vae_data *data, size_t n, size_t k, const gsl_rng *r,
                     double *iwae, double *elbo)
{
    const size_t chunk = 64;
    double *logw = malloc(chunk * k * sizeof *logw);
    int s = logw ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t lo = 0; lo < n && !s; lo += chunk) {
        size_t c = n - lo < chunk ? n - lo : chunk;
        s = el_vae_log_weights(m, data, lo, c, k, r, logw);
        for (size_t i = 0; i < c && !s; i++) {
            double e = 0;
            for (size_t j = 0; j < k; j++)
                e += logw[i * k + j] / (double)k;
            if (iwae)
                iwae[lo + i] = el_vae_logmeanexp(logw + i * k, k) +
                               (m->fault == EL_VAE_FAULT_IWAE_NO_1K ? log((double)k) : 0.0);
            if (elbo)
                elbo[lo + i] = e;
        }
    }
    free(logw);
    return s;
}

int el_vae_iwae(el_vae *m, const el_vae_data *data, size_t n, size_t k, const gsl_rng *r,
                el_estimate *iwae, el_estimate *elbo)
{
    n = n == 0 || n > data->n ? data->n : n;
    double *iw = malloc(n * sizeof *iw), *el = malloc(n * sizeof *el);
    int s = iw && el ? el_vae_iwae_rows(m, data, n, k, r, iw, el)
                     : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s) {
        if (iwae)
            *iwae = mean_se(iw, n);
        if (elbo)
            *elbo = mean_se(el, n);
    }
    free(iw);
    free(el);
    return s;
}

int el_vae_fit(el_vae *m, const el_vae_data *data, const el_vae_train_opts *o, size_t steps,
               double lr_end, const gsl_rng *r)
{
    int s = check_opts(m, data, o);
    if (s)
        return s;
    if (!(lr_end > 0))
        return EL_ERROR(EL_EDOM, "the final learning rate must be > 0, got %g", lr_end);
    size_t B = o->batch < data->n ? o->batch : data->n, pos = data->n;
    size_t *idx = malloc(data->n * sizeof *idx);
    if (!idx)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < data->n; i++)
        idx[i] = i;
    for (size_t t = 0; t < steps && !s; t++) {
        if (pos + B > data->n) { /* a new pass over the data */
            if (B < data->n)
                gsl_ran_shuffle(r, idx, data->n, sizeof *idx);
            pos = 0;
        }
        el_vae_terms terms;
        double lr = o->lr * pow(lr_end / o->lr, (double)t / (double)(steps > 1 ? steps - 1 : 1));
        s = el_vae_train_step(m, data, idx + pos, B, o->ae ? 0.0 : o->beta, o->ae ? NULL : r, lr,
                              &terms);
        if (!s && !isfinite(terms.loss))
            s = EL_ERROR(EL_ENUM, "the loss is not finite at step %zu", t + 1);
        pos += B;
    }
    free(idx);
    return s;
}
