/* em.c -- classic EM for a 1-D Gaussian mixture and the free energy F. */
#include "results/em/el_em.h"
#include "core/el_core.h"
#include "dist/el_dist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SQRT_2PI 0.91893853320467274178

/* ---- parameters ------------------------------------------------------------- */

int el_gmm_validate(const el_gmm *g, const char *const names[3])
{
    static const char *const plain[3] = { "w", "mu", "sigma" };
    const char *const *nm = names ? names : plain;
    if (g->K < 1 || g->K > EL_EM_KMAX)
        return EL_ERROR(EL_EDOM, "the number of components must be in 1..%d, got %zu", EL_EM_KMAX,
                        g->K);
    int s = el_discrete_validate(nm[0], g->K, g->w);
    for (size_t k = 0; k < g->K && !s; k++) {
        if (!(g->w[k] > 0.0))
            s = EL_ERROR(EL_EDOM, "%s[%zu] must be > 0, got %g", nm[0], k, g->w[k]);
        else if (!isfinite(g->mu[k]))
            s = EL_ERROR(EL_EDOM, "%s[%zu] must be finite, got %g", nm[1], k, g->mu[k]);
        else if (!isfinite(g->sigma[k]) || !(g->sigma[k] > 0.0))
            s = EL_ERROR(EL_EDOM, "%s[%zu] must be > 0, got %g", nm[2], k, g->sigma[k]);
    }
    return s;
}

void el_gmm_copy(el_gmm *dst, const el_gmm *src)
{
    memcpy(dst->w, src->w, src->K * sizeof *src->w);
    memcpy(dst->mu, src->mu, src->K * sizeof *src->mu);
    memcpy(dst->sigma, src->sigma, src->K * sizeof *src->sigma);
}

double el_gmm_logjoint(const el_gmm *g, size_t k, double x)
{
    double z = (x - g->mu[k]) / g->sigma[k];
    return log(g->w[k]) - 0.5 * z * z - log(g->sigma[k]) - LOG_SQRT_2PI;
}

double el_em_spread(size_t n, const double *x)
{
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    return sqrt(v / (double)n);
}

/* ---- E-step ----------------------------------------------------------------- */

/* Row R (K entries) = softmax of the log joints at X; returns log p(x). */
static double posterior_row(const el_gmm *g, double x, double *r)
{
    double top = -INFINITY, sum = 0.0;
    for (size_t k = 0; k < g->K; k++) {
        r[k] = el_gmm_logjoint(g, k, x);
        top = fmax(top, r[k]);
    }
    for (size_t k = 0; k < g->K; k++) {
        r[k] = exp(r[k] - top);
        sum += r[k];
    }
    for (size_t k = 0; k < g->K; k++)
        r[k] /= sum;
    return top + log(sum);
}

int el_em_estep(const el_gmm *g, size_t n, const double *x, double *resp, double *loglik)
{
    double ll = 0.0;
    for (size_t i = 0; i < n; i++) {
        double li = posterior_row(g, x[i], resp + i * g->K);
        if (!isfinite(li))
            return EL_ERROR(EL_ENUM, "E-step: log p(x) of data point %zu (x = %g) is not finite",
                            i + 1, x[i]);
        ll += li;
    }
    if (loglik)
        *loglik = ll;
    return EL_OK;
}

/* ---- M-step ----------------------------------------------------------------- */

/* Weighted mean and standard deviation of X with weights column K of RESP;
 * *NK = the total weight. */
static void weighted_moments(size_t n, const double *x, const double *resp, size_t K, size_t k,
                             double *nk, double *mean, double *sd)
{
    double w = 0.0, m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++) {
        w += resp[i * K + k];
        m += resp[i * K + k] * x[i];
    }
    m /= w;
    for (size_t i = 0; i < n; i++)
        v += resp[i * K + k] * (x[i] - m) * (x[i] - m);
    *nk = w;
    *mean = m;
    *sd = sqrt(v / w);
}

int el_em_mstep(el_gmm *g, size_t n, const double *x, const double *resp, double spread)
{
    double floor = EL_EM_SIGMA_FLOOR * (spread > 0.0 ? spread : 1.0);
    for (size_t k = 0; k < g->K; k++) {
        double nk, m, sd;
        weighted_moments(n, x, resp, g->K, k, &nk, &m, &sd);
        if (!(nk > 0.0))
            return EL_ERROR(EL_ENUM,
                            "M-step: component %zu has no data left "
                            "(all its responsibilities are 0)",
                            k + 1);
        if (!(sd >= floor))
            return EL_ERROR(EL_ENUM,
                            "M-step: component %zu collapsed onto its data "
                            "(sigma = %g): the likelihood is unbounded",
                            k + 1, sd);
        g->w[k] = nk / (double)n;
        g->mu[k] = m;
        g->sigma[k] = sd;
    }
    return EL_OK;
}

/* ---- free energy and the whole run ------------------------------------------- */

double el_em_free_energy(const el_gmm *g, size_t n, const double *x, const double *resp)
{
    double f = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < g->K; k++) {
            double q = resp[i * g->K + k];
            if (q > 0.0)
                f += q * (el_gmm_logjoint(g, k, x[i]) - log(q));
        }
    return f;
}

/* Re-records the last error with "iteration I: " in front. */
static int at_iteration(int status, size_t i)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", el_errmsg());
    return EL_ERROR(status, "EM iteration %zu: %s", i + 1, msg);
}

int el_em_run(el_gmm *g, size_t n, const double *x, size_t iters, double *loglik)
{
    double *resp = malloc(n * g->K * sizeof *resp);
    if (!resp)
        return EL_ERROR(EL_ENOMEM, "EM: out of memory for %zu x %zu responsibilities", n, g->K);
    double spread = el_em_spread(n, x), ll;
    int s = el_em_estep(g, n, x, resp, NULL);
    for (size_t i = 0; i < iters && !s; i++) {
        s = el_em_mstep(g, n, x, resp, spread);
        if (!s)
            s = el_em_estep(g, n, x, resp, &ll);
        if (s)
            s = at_iteration(s, i);
        else if (loglik)
            loglik[i] = ll / (double)n;
    }
    free(resp);
    return s;
}
