/* ascent.c -- EM as generic coordinate ascent: the free energy F(theta, q)
 * is maximised numerically, first over q (on the simplex, through softmax
 * logits), then over theta (weight logits, means, log sigmas).  The
 * optimiser sees only F and its gradient -- never the posterior or the
 * weighted-moment formulas -- so agreement with classic EM is evidence that
 * the E- and M-steps are the two coordinate maximisations of F. */
#include "results/em/el_em.h"
#include "core/el_core.h"

#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BFGS_ITERS    500   /* quasi-Newton iterations at most */
#define BFGS_GRAD_TOL 1e-7  /* |gradient| at which BFGS hands over to the polish */
#define ROOT_ITERS    50    /* Newton polish iterations at most */
#define ROOT_TOL      1e-13 /* sum |gradient| that counts as stationary */

/* ---- a smooth objective and its maximiser ------------------------------------ */

/* An objective to maximise over DIM coordinates: its value and its gradient.
 * RESID, if not NULL, is the gradient rescaled coordinate by coordinate by
 * positive factors (same zeros, better scaled): the polish drives it to 0. */
typedef struct {
    size_t dim;
    double (*value)(const double *x, void *p);
    void (*grad)(const double *x, void *p, double *g);
    void (*resid)(const double *x, void *p, double *g);
    void *p;
} objective;

static double neg_f(const gsl_vector *x, void *v)
{
    const objective *o = v;
    return -o->value(x->data, o->p);
}

static void neg_df(const gsl_vector *x, void *v, gsl_vector *g)
{
    const objective *o = v;
    o->grad(x->data, o->p, g->data);
    gsl_vector_scale(g, -1.0);
}

static void neg_fdf(const gsl_vector *x, void *v, double *f, gsl_vector *g)
{
    *f = neg_f(x, v);
    neg_df(x, v, g);
}

static int resid_f(const gsl_vector *x, void *v, gsl_vector *g)
{
    const objective *o = v;
    (o->resid ? o->resid : o->grad)(x->data, o->p, g->data);
    return GSL_SUCCESS;
}

/* BFGS (gsl_multimin vector_bfgs2) on -value from X (updated in place) until
 * the gradient is below BFGS_GRAD_TOL or no further progress is possible. */
static int bfgs(objective *o, gsl_vector *x)
{
    gsl_multimin_function_fdf fn = { neg_f, neg_df, neg_fdf, o->dim, o };
    gsl_multimin_fdfminimizer *m =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, o->dim);
    if (!m)
        return EL_ERROR(EL_ENOMEM, "coordinate ascent: out of memory");
    int s = gsl_multimin_fdfminimizer_set(m, &fn, x, 0.1, 0.1);
    for (int it = 0; it < BFGS_ITERS && s == GSL_SUCCESS; it++) {
        if (gsl_multimin_test_gradient(m->gradient, BFGS_GRAD_TOL) == GSL_SUCCESS)
            break;
        s = gsl_multimin_fdfminimizer_iterate(m);
    }
    gsl_vector_memcpy(x, m->x);
    gsl_multimin_fdfminimizer_free(m);
    /* ENOPROG: the line search cannot improve F any more -- the polish takes over */
    return s == GSL_SUCCESS || s == GSL_ENOPROG ? EL_OK : el_from_gsl(s, "BFGS on F");
}

/* Newton polish (gsl_multiroot hybrids, finite-difference Jacobian) of the
 * stationary point of the objective near X, to sum |residual| < ROOT_TOL. */
static int polish(objective *o, gsl_vector *x)
{
    gsl_multiroot_function fn = { resid_f, o->dim, o };
    gsl_multiroot_fsolver *r = gsl_multiroot_fsolver_alloc(gsl_multiroot_fsolver_hybrids, o->dim);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "coordinate ascent: out of memory");
    int s = gsl_multiroot_fsolver_set(r, &fn, x), done = 0;
    for (int it = 0; it < ROOT_ITERS && s == GSL_SUCCESS && !done; it++) {
        done = gsl_multiroot_test_residual(r->f, ROOT_TOL) == GSL_SUCCESS;
        if (!done)
            s = gsl_multiroot_fsolver_iterate(r);
    }
    if (!done && s == GSL_SUCCESS)
        done = gsl_multiroot_test_residual(r->f, ROOT_TOL) == GSL_SUCCESS;
    gsl_vector_memcpy(x, r->x);
    gsl_multiroot_fsolver_free(r);
    if (s != GSL_SUCCESS && s != GSL_ENOPROG && s != GSL_ENOPROGJ)
        return el_from_gsl(s, "Newton polish of F's stationary point");
    return done ? EL_OK : EL_ERROR(EL_ENOCONV, "coordinate ascent: F's gradient did not vanish");
}

/* Maximises O from X (DIM values, updated in place). */
static int maximise(objective *o, double *x)
{
    gsl_vector_view v = gsl_vector_view_array(x, o->dim);
    int s = bfgs(o, &v.vector);
    return s ? s : polish(o, &v.vector);
}

/* ---- F over one row of q ---------------------------------------------------- */

/* Row i: the log joints l_k = log p(x_i, z = k; theta).  Softmax is
 * invariant to a common shift, so the logit of one reference component REF
 * is held at 0 and the other K - 1 are free. */
typedef struct {
    size_t K, ref;
    const double *l;
} qrow;

/* The component that free logit M stands for. */
static size_t comp(const qrow *r, size_t m)
{
    return m < r->ref ? m : m + 1;
}

/* log q_k = a_k - logsumexp(a) for K logits A. */
static void log_softmax(size_t K, const double *a, double *lq)
{
    double top = -INFINITY, sum = 0.0;
    for (size_t k = 0; k < K; k++)
        top = fmax(top, a[k]);
    for (size_t k = 0; k < K; k++)
        sum += exp(a[k] - top);
    for (size_t k = 0; k < K; k++)
        lq[k] = a[k] - top - log(sum);
}

/* F_i = sum_k q_k (l_k - log q_k) with q = softmax of the free logits
 * FREE_A and 0 for REF; LQ receives log q. */
static double qrow_f(const qrow *r, const double *free_a, double *lq)
{
    double a[EL_EM_KMAX], f = 0.0;
    a[r->ref] = 0.0;
    for (size_t m = 0; m + 1 < r->K; m++)
        a[comp(r, m)] = free_a[m];
    log_softmax(r->K, a, lq);
    for (size_t k = 0; k < r->K; k++)
        f += exp(lq[k]) * (r->l[k] - lq[k]);
    return f;
}

static double qrow_value(const double *free_a, void *v)
{
    double lq[EL_EM_KMAX];
    return qrow_f(v, free_a, lq);
}

/* dF_i/da_j = q_j [(l_j - log q_j) - F_i]  (softmax Jacobian q_j (delta_jk - q_k),
 * and sum_k q_k d(-log q_k) = 0), for the K - 1 free logits. */
static void qrow_grad(const double *free_a, void *v, double *g)
{
    const qrow *r = v;
    double lq[EL_EM_KMAX], f = qrow_f(r, free_a, lq);
    for (size_t m = 0; m + 1 < r->K; m++) {
        size_t j = comp(r, m);
        g[m] = exp(lq[j]) * ((r->l[j] - lq[j]) - f);
    }
}

/* The gradient divided by q_j.  Where a softmax saturates, q_j and with it
 * the raw gradient are tiny although q_j may still be far (relatively) from
 * its optimum; scaled, the stationarity test sees that -- provided the
 * reference component is not itself tiny (el_em_ascent_q makes it the
 * largest before polishing). */
static void qrow_resid(const double *free_a, void *v, double *g)
{
    const qrow *r = v;
    double lq[EL_EM_KMAX], f = qrow_f(r, free_a, lq);
    for (size_t m = 0; m + 1 < r->K; m++) {
        size_t j = comp(r, m);
        g[m] = (r->l[j] - lq[j]) - f;
    }
}

/* Makes the largest of the K values LQ (log q) R's reference and writes the
 * other logits relative to it into FREE_A. */
static void qrow_rebase(qrow *r, const double *lq, double *free_a)
{
    r->ref = 0;
    for (size_t k = 1; k < r->K; k++)
        if (lq[k] > lq[r->ref])
            r->ref = k;
    for (size_t m = 0; m + 1 < r->K; m++)
        free_a[m] = lq[comp(r, m)] - lq[r->ref];
}

/* Maximises F_i over row R of q: BFGS from LQ (log q, updated in place),
 * then the Newton polish relative to the largest component. */
static int qrow_maximise(qrow *r, double *lq)
{
    objective o = { r->K - 1, qrow_value, qrow_grad, qrow_resid, r };
    double a[EL_EM_KMAX];
    gsl_vector_view v = gsl_vector_view_array(a, r->K - 1);
    qrow_rebase(r, lq, a);
    int s = bfgs(&o, &v.vector);
    qrow_f(r, a, lq);
    qrow_rebase(r, lq, a);
    if (!s)
        s = polish(&o, &v.vector);
    qrow_f(r, a, lq);
    return s;
}

int el_em_ascent_q(const el_gmm *g, size_t n, const double *x, double *q)
{
    size_t K = g->K;
    if (K < 1 || K > EL_EM_KMAX)
        return EL_ERROR(EL_EDOM, "coordinate ascent: K must be in 1..%d, got %zu", EL_EM_KMAX, K);
    double l[EL_EM_KMAX], lq[EL_EM_KMAX];
    qrow row = { K, 0, l };
    for (size_t i = 0; i < n && K > 1; i++) {
        double *qi = q + i * K;
        for (size_t k = 0; k < K; k++) {
            l[k] = el_gmm_logjoint(g, k, x[i]);
            lq[k] = log(qi[k]);
        }
        int s = qrow_maximise(&row, lq);
        if (s)
            return s;
        for (size_t k = 0; k < K; k++)
            qi[k] = exp(lq[k]);
    }
    return EL_OK;
}

/* ---- F over theta ------------------------------------------------------------ */

/* The data and q that F(theta, q) is maximised over theta for; G is scratch
 * for the parameters the optimiser's vector stands for. */
typedef struct {
    size_t n;
    const double *x, *q;
    el_gmm *g;
} thetafit;

/* Unpacks T = (b_0..b_{K-2}, mu_0..mu_{K-1}, log sigma_0..log sigma_{K-1}) into
 * G: w = softmax(b, 0), mu, sigma = exp(log sigma). */
static void theta_unpack(const double *t, el_gmm *g)
{
    size_t K = g->K;
    double b[EL_EM_KMAX], lw[EL_EM_KMAX];
    memcpy(b, t, (K - 1) * sizeof *b);
    b[K - 1] = 0.0;
    log_softmax(K, b, lw);
    for (size_t k = 0; k < K; k++) {
        g->w[k] = exp(lw[k]);
        g->mu[k] = t[K - 1 + k];
        g->sigma[k] = exp(t[2 * K - 1 + k]);
    }
}

/* The inverse of theta_unpack. */
static void theta_pack(const el_gmm *g, double *t)
{
    size_t K = g->K;
    for (size_t k = 0; k < K; k++) {
        if (k + 1 < K)
            t[k] = log(g->w[k]) - log(g->w[K - 1]);
        t[K - 1 + k] = g->mu[k];
        t[2 * K - 1 + k] = log(g->sigma[k]);
    }
}

static double theta_value(const double *t, void *v)
{
    thetafit *f = v;
    theta_unpack(t, f->g);
    return el_em_free_energy(f->g, f->n, f->x, f->q);
}

/* The gradient of F in T, by differentiating its definition:
 *   dF/db_j        = N_j - w_j sum_k N_k          (N_k = sum_i q_ik)
 *   dF/dmu_k       = sum_i q_ik (x_i - mu_k) / sigma_k^2
 *   dF/dlog sigma_k = sum_i q_ik [((x_i - mu_k)/sigma_k)^2 - 1]. */
static void theta_grad(const double *t, void *v, double *d)
{
    thetafit *f = v;
    el_gmm *g = f->g;
    size_t K = g->K;
    double ntot = 0.0;
    theta_unpack(t, g);
    for (size_t k = 0; k < K; k++) {
        double nk = 0.0, dm = 0.0, ds = 0.0;
        for (size_t i = 0; i < f->n; i++) {
            double qik = f->q[i * K + k], z = (f->x[i] - g->mu[k]) / g->sigma[k];
            nk += qik;
            dm += qik * z / g->sigma[k];
            ds += qik * (z * z - 1.0);
        }
        if (k + 1 < K)
            d[k] = nk;
        d[K - 1 + k] = dm;
        d[2 * K - 1 + k] = ds;
        ntot += nk;
    }
    for (size_t k = 0; k + 1 < K; k++)
        d[k] -= g->w[k] * ntot;
}

int el_em_ascent_theta(el_gmm *g, size_t n, const double *x, const double *q)
{
    size_t K = g->K;
    if (K < 1 || K > EL_EM_KMAX)
        return EL_ERROR(EL_EDOM, "coordinate ascent: K must be in 1..%d, got %zu", EL_EM_KMAX, K);
    double *t = malloc((3 * K - 1 + 3 * K) * sizeof *t);
    if (!t)
        return EL_ERROR(EL_ENOMEM, "coordinate ascent: out of memory");
    el_gmm scratch = { K, t + 3 * K - 1, t + 4 * K - 1, t + 5 * K - 1 };
    thetafit fit = { n, x, q, &scratch };
    objective o = { 3 * K - 1, theta_value, theta_grad, NULL, &fit };
    theta_pack(g, t);
    int s = maximise(&o, t);
    if (!s)
        theta_unpack(t, g);
    free(t);
    return s;
}
