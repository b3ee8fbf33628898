/* discrete.c -- the discrete-latent model: z in {0..K-1}, prior pi,
 * log-likelihoods l_z = log p(x|z).  Evidence, posterior, the ELBO of a
 * categorical q, and its numerical maximisation over the simplex. */
#include "results/elbo/el_elbo.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>

/* EL_OK if PI is a probability vector and L holds K finite numbers. */
static int validate(size_t K, const double *pi, const double *l)
{
    int s = el_discrete_validate("pi", K, pi);
    for (size_t z = 0; z < K && !s; z++)
        if (!isfinite(l[z]))
            s = EL_ERROR(EL_EDOM, "log-likelihood l[%zu] must be finite, got %g", z, l[z]);
    return s;
}

/* log p(x,z) = log pi_z + l_z (-inf when pi_z = 0). */
static double log_joint(const double *pi, const double *l, size_t z)
{
    return pi[z] > 0.0 ? log(pi[z]) + l[z] : -INFINITY;
}

int el_dlm_log_evidence(size_t K, const double *pi, const double *l, double *out)
{
    int s = validate(K, pi, l);
    if (s)
        return s;
    double mx = -INFINITY, sum = 0.0;
    for (size_t z = 0; z < K; z++)
        mx = fmax(mx, log_joint(pi, l, z));
    for (size_t z = 0; z < K; z++)
        sum += exp(log_joint(pi, l, z) - mx);
    *out = mx + log(sum);
    return EL_OK;
}

int el_dlm_posterior(size_t K, const double *pi, const double *l, double *post)
{
    double lp;
    int s = el_dlm_log_evidence(K, pi, l, &lp);
    if (s)
        return s;
    for (size_t z = 0; z < K; z++)
        post[z] = exp(log_joint(pi, l, z) - lp);
    return EL_OK;
}

int el_dlm_elbo(size_t K, const double *pi, const double *l, const double *q, el_elbo_terms *out)
{
    int s = validate(K, pi, l);
    if (!s)
        s = el_kl_discrete(K, q, pi, &out->kl_prior); /* validates q */
    if (s)
        return s;
    double ll = 0.0, cross = 0.0, ent = 0.0, joint = 0.0;
    for (size_t z = 0; z < K; z++) {
        if (q[z] == 0.0) /* 0 log 0 = 0 */
            continue;
        double lq = log(q[z]);
        ll += q[z] * l[z];
        cross += q[z] * log(pi[z]);
        ent -= q[z] * lq;
        joint += q[z] * (log_joint(pi, l, z) - lq);
    }
    out->loglik = ll;
    out->cross = cross;
    out->entropy = ent;
    out->elbo = ll - out->kl_prior;
    out->elbo_joint = joint;
    return EL_OK;
}

int el_dlm_jensen_lhs(size_t K, const double *pi, const double *l, const double *q, double *out)
{
    int s = validate(K, pi, l);
    if (!s)
        s = el_discrete_validate("q", K, q);
    if (s)
        return s;
    double mx = -INFINITY, sum = 0.0;
    for (size_t z = 0; z < K; z++)
        mx = fmax(mx, log_joint(pi, l, z));
    for (size_t z = 0; z < K; z++) /* sum_z q_z * (p(x,z)/q_z), scaled by e^-mx */
        if (q[z] > 0.0)
            sum += q[z] * exp(log_joint(pi, l, z) - mx - log(q[z]));
    *out = mx + log(sum);
    return EL_OK;
}

/* ---- maximising F(q) = sum q l - KL(q || pi) over softmax logits ---------- */

#define DLM_MIRROR   80   /* 2^-80: any start */
#define DLM_BFGS_TOL 1e-4 /* BFGS gets here; Newton polishes */
#define DLM_NEWTON   30

typedef struct {
    size_t K;
    const double *pi, *l;
    double *q, *lq; /* K scratch: q = softmax(theta), log q */
} opt_ctx;

/* Fills c->q, c->lq from the K-1 free logits (the last logit is 0) and
 * returns F(q) = sum_z q_z (l_z + log pi_z - log q_z). */
static double free_energy(const gsl_vector *th, opt_ctx *c)
{
    double mx = 0.0, sum = 0.0, F = 0.0;
    for (size_t j = 0; j + 1 < c->K; j++)
        mx = fmax(mx, gsl_vector_get(th, j));
    for (size_t j = 0; j < c->K; j++) {
        c->lq[j] = (j + 1 < c->K ? gsl_vector_get(th, j) : 0.0) - mx;
        sum += exp(c->lq[j]);
    }
    for (size_t j = 0; j < c->K; j++) {
        c->lq[j] -= log(sum);
        c->q[j] = exp(c->lq[j]);
        F += c->q[j] * (c->l[j] + log(c->pi[j]) - c->lq[j]);
    }
    return F;
}

static double neg_f(const gsl_vector *th, void *p)
{
    return -free_energy(th, p);
}

/* d(-F)/dtheta_j = -q_j (l_j + log pi_j - log q_j - F). */
static void neg_df(const gsl_vector *th, void *p, gsl_vector *g)
{
    opt_ctx *c = p;
    double F = free_energy(th, c);
    for (size_t j = 0; j + 1 < c->K; j++)
        gsl_vector_set(g, j, -c->q[j] * (c->l[j] + log(c->pi[j]) - c->lq[j] - F));
}

static void neg_fdf(const gsl_vector *th, void *p, double *f, gsl_vector *g)
{
    neg_df(th, p, g);
    *f = neg_f(th, p);
}

/* The stationarity of F on the simplex at theta, free of the softmax's
 * scale: max_z |l_z + log pi_z - log q_z - F| (0 exactly at the maximiser,
 * where log q_z = l_z + log pi_z - log p(x) for every z).  The gradient in
 * theta is q_z times this, so it vanishes where a q_z saturates near 0 long
 * before q is right: BFGS from random logits used to stop there. */
static double stationarity(const gsl_vector *th, opt_ctx *c)
{
    double F = free_energy(th, c), worst = 0.0;
    for (size_t z = 0; z < c->K; z++)
        worst = fmax(worst, fabs(c->l[z] + log(c->pi[z]) - c->lq[z] - F));
    return worst;
}

/* Runs BFGS from X0 until the stationarity is below DLM_BFGS_TOL or BFGS
 * stops (at most 500 iterations).  XMIN is where it ends. */
static int bfgs(gsl_multimin_function_fdf *fn, const gsl_vector *x0, gsl_vector *xmin)
{
    gsl_multimin_fdfminimizer *mz =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, x0->size);
    if (!mz)
        return EL_ERROR(EL_ENOMEM, "optimal posterior: out of memory");
    opt_ctx *c = fn->params;
    int s = gsl_multimin_fdfminimizer_set(mz, fn, x0, 0.1, 0.1);
    int done = stationarity(x0, c) <= DLM_BFGS_TOL;
    for (int it = 0; it < 500 && s == GSL_SUCCESS && !done; it++) {
        s = gsl_multimin_fdfminimizer_iterate(mz);
        done = stationarity(mz->x, c) <= DLM_BFGS_TOL;
    }
    if (s == GSL_ENOPROG) /* stalled: the steps below take over */
        s = GSL_SUCCESS;
    gsl_vector_memcpy(xmin, s == GSL_SUCCESS ? mz->x : x0);
    gsl_multimin_fdfminimizer_free(mz);
    return s == GSL_SUCCESS ? EL_OK : el_from_gsl(s, "optimal posterior: BFGS");
}

/* Where BFGS stopped short (a saturated q_z, whose theta gradient ~ q_z
 * vanishes), mirror-ascent steps theta_j += (r_j - r_{K-1}) / 2: the
 * natural gradient of F on the simplex, damped by 1/2, which halves the
 * distance of log q to the maximiser's (up to a constant) at every step
 * from anywhere.  At most DLM_MIRROR steps, until DLM_BFGS_TOL. */
static void mirror(opt_ctx *c, gsl_vector *x)
{
    size_t n = x->size;
    for (int it = 0; it < DLM_MIRROR && stationarity(x, c) > DLM_BFGS_TOL; it++) {
        double F = free_energy(x, c);
        double last = c->l[n] + log(c->pi[n]) - c->lq[n] - F;
        for (size_t j = 0; j < n; j++) {
            double r = c->l[j] + log(c->pi[j]) - c->lq[j] - F;
            gsl_vector_set(x, j, gsl_vector_get(x, j) + 0.5 * (r - last));
        }
    }
}

/* Newton's method on the gradient from X (in place), with the analytic
 * Hessian H_jk = q_j [(delta_jk - q_k)(r_j - 1) - q_k r_k], r_z = l_z +
 * log pi_z - log q_z - F: negative definite near the maximum, where it
 * converges quadratically.  Until the stationarity is below
 * EL_DLM_STAT_TOL, at most DLM_NEWTON steps. */
static int newton(opt_ctx *c, gsl_vector *x)
{
    size_t n = x->size;
    gsl_matrix *H = gsl_matrix_alloc(n, n);
    gsl_vector *g = gsl_vector_alloc(n), *d = gsl_vector_alloc(n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    int s = H && g && d && perm ? EL_OK : EL_ERROR(EL_ENOMEM, "optimal posterior: out of memory");
    for (int it = 0; !s && it < DLM_NEWTON && stationarity(x, c) > EL_DLM_STAT_TOL; it++) {
        double F = free_energy(x, c), r[n];
        for (size_t j = 0; j < n; j++) {
            r[j] = c->l[j] + log(c->pi[j]) - c->lq[j] - F;
            gsl_vector_set(g, j, -c->q[j] * r[j]);
        }
        for (size_t j = 0; j < n; j++)
            for (size_t k = 0; k < n; k++)
                gsl_matrix_set(H, j, k,
                               c->q[j] * (((j == k) - c->q[k]) * (r[j] - 1.0) - c->q[k] * r[k]));
        int sign;
        int gs = gsl_linalg_LU_decomp(H, perm, &sign);
        if (!gs)
            gs = gsl_linalg_LU_solve(H, perm, g, d);
        if (gs)
            s = el_from_gsl(gs, "optimal posterior: Newton step");
        else
            gsl_vector_add(x, d);
    }
    if (!s && !(stationarity(x, c) <= EL_DLM_STAT_TOL))
        s = EL_ERROR(EL_ENOCONV, "optimal posterior: not stationary to %g after BFGS and Newton",
                     EL_DLM_STAT_TOL);
    gsl_matrix_free(H);
    gsl_vector_free(g);
    gsl_vector_free(d);
    gsl_permutation_free(perm);
    return s;
}

int el_dlm_maximise(size_t K, const double *pi, const double *l, const double *theta0, double *q,
                    double *fmax)
{
    int s = validate(K, pi, l);
    for (size_t z = 0; z < K && !s; z++)
        if (!(pi[z] > 0.0))
            s = EL_ERROR(EL_EDOM, "pi[%zu] must be > 0 for the softmax maximiser, got %g", z,
                         pi[z]);
    if (!s && K < 2)
        s = EL_ERROR(EL_EDOM, "the maximiser needs K >= 2 states, got %zu", K);
    if (s)
        return s;
    el_gsl_init();
    double *lq = malloc(K * sizeof *lq);
    gsl_vector *x0 = gsl_vector_calloc(K - 1), *xm = gsl_vector_alloc(K - 1);
    if (!lq || !x0 || !xm)
        s = EL_ERROR(EL_ENOMEM, "optimal posterior: out of memory");
    opt_ctx c = { K, pi, l, q, lq };
    gsl_multimin_function_fdf fn = { neg_f, neg_df, neg_fdf, K - 1, &c };
    for (size_t j = 0; !s && theta0 && j + 1 < K; j++)
        gsl_vector_set(x0, j, theta0[j]);
    if (!s)
        s = bfgs(&fn, x0, xm);
    if (!s)
        mirror(&c, xm);
    if (!s)
        s = newton(&c, xm);
    if (!s)
        *fmax = free_energy(xm, &c); /* also leaves the maximiser in q */
    free(lq);
    gsl_vector_free(x0);
    gsl_vector_free(xm);
    return s;
}
