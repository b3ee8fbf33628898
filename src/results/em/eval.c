/* eval.c -- `elbolab eval em.gmm data=FILE K=2 init_w=[..] init_mu=[..]
 * init_sigma=[..] iterations=N`: N iterations of classic EM on a 1-D
 * Gaussian mixture.  No closed form, quadrature or Monte Carlo part; the
 * extras are the final weights, means and sigmas and loglik[i], the mean
 * log-likelihood per data point after iteration i (at theta_{i+1}). */
#include "results/em/em_topic.h"
#include "eval/el_eval.h"
#include "results/em/el_em.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>

#define ITERS_MAX 1000000 /* iterations at most */
#define COST_MAX  1e9     /* n * K * iterations at most (seconds of work) */

/* Reads KEY as a whole number in MIN..MAX into *OUT. */
static int whole(const el_params *p, const char *key, double min, double max, size_t *out)
{
    double v;
    int s = el_params_scalar(p, key, &v);
    if (s)
        return s;
    if (!isfinite(v) || v < min || v != floor(v))
        return EL_ERROR(EL_EDOM, "%s must be a whole number >= %g, got %g", key, min, v);
    if (v > max)
        return EL_ERROR(EL_ELIMIT, "%s must be at most %g, got %g", key, max, v);
    *out = (size_t)v;
    return EL_OK;
}

/* Reads the vector KEY, which must have K entries. */
static int vector_k(const el_params *p, const char *key, size_t K, const double **v)
{
    size_t n;
    int s = el_params_vector(p, key, &n, v);
    if (!s && n != K)
        s = EL_ERROR(EL_EDOM, "%s has %zu entries but K = %zu", key, n, K);
    return s;
}

/* Fills G (pointing into P's vectors) and the iteration count from P. */
static int read_setup(const el_params *p, el_gmm *g, size_t *iters)
{
    static const char *const names[3] = { "init_w", "init_mu", "init_sigma" };
    const double *v[3];
    int s = whole(p, "K", 1, EL_EM_KMAX, &g->K);
    for (int i = 0; i < 3 && !s; i++)
        s = vector_k(p, names[i], g->K, &v[i]);
    if (!s) {
        g->w = (double *)v[0];
        g->mu = (double *)v[1];
        g->sigma = (double *)v[2];
        s = el_gmm_validate(g, names);
    }
    return s ? s : whole(p, "iterations", 0, ITERS_MAX, iters);
}

/* A JSON array of the N numbers V (NULL if one is not finite). */
static json_t *array_json(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        if (!isfinite(v[i]) || json_array_append_new(a, json_real(v[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Runs EM from G on X (N points) and records the extras in RES. */
static int run_em(const el_gmm *g0, size_t iters, size_t n, const double *x, el_eval_result *res)
{
    size_t K = g0->K;
    double *buf = malloc((3 * K + (iters ? iters : 1)) * sizeof *buf);
    if (!buf)
        return EL_ERROR(EL_ENOMEM, "em.gmm: out of memory");
    el_gmm g = { K, buf, buf + K, buf + 2 * K };
    double *loglik = buf + 3 * K;
    el_gmm_copy(&g, g0);
    int s = el_em_run(&g, n, x, iters, loglik);
    if (!s)
        s = el_eval_extra(res, "weights", array_json(g.w, K));
    if (!s)
        s = el_eval_extra(res, "means", array_json(g.mu, K));
    if (!s)
        s = el_eval_extra(res, "sigmas", array_json(g.sigma, K));
    if (!s)
        s = el_eval_extra(res, "loglik", array_json(loglik, iters));
    free(buf);
    return s;
}

int el_em_eval_gmm(const el_params *p, const el_eval_opts *o, el_eval_result *res)
{
    (void)o;
    el_gmm g;
    size_t iters, n;
    const char *path;
    double *x = NULL;
    int s = read_setup(p, &g, &iters);
    if (!s)
        s = el_params_text(p, "data", &path);
    if (!s)
        s = el_em_read_data(path, &x, &n);
    if (!s && (double)n * (double)g.K * (double)iters > COST_MAX)
        s = EL_ERROR(EL_ELIMIT, "em.gmm: n * K * iterations = %zu * %zu * %zu exceeds %g", n, g.K,
                     iters, COST_MAX);
    if (!s)
        s = run_em(&g, iters, n, x, res);
    free(x);
    return s;
}
