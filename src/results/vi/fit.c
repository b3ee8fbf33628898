/* fit.c -- Gaussian fits to a 1-D Gaussian mixture p = sum_k w_k N(m_k, s_k^2).
 *
 * Inclusive fit: argmin_q KL(p||q) is moment matching (closed form); its KL
 * needs the entropy of p, computed by quadrature.
 * Exclusive fit: KL(q||p) = -1/2 log(2 pi e) - log sigma - E_q[log p] has no
 * closed form.  E_q[log p], its gradient and Hessian in (mu, log sigma) are
 * Gaussian expectations computed by adaptive quadrature in the standardised
 * variable t = (x - mu) / sigma; a GSL BFGS minimiser runs from several
 * starts and GSL's Newton root finder polishes each end point on the
 * gradient.  The problem is first standardised (x -> (x - E_p x) / sd_p:
 * KL is invariant under this affine map), so tolerances are scale-free. */
#include "results/vi/el_vi.h"
#include "core/el_core.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_randist.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SQRT_2PI    0.91893853320467274178
#define QUAD_LIMIT      1000
#define QUAD_EPSABS     1e-13 /* per panel; integrals are O(1) in standard units */
#define QUAD_EPSREL     1e-10
#define BFGS_MAX_ITER   200
#define BFGS_GRAD_TOL   1e-4 /* then Newton, which converges quadratically */
#define NEWTON_MAX_ITER 30
#define NEWTON_GRAD_TOL 1e-10
#define SAME_OPTIMUM    1e-6 /* in standard units of (mu, log sigma) */
#define TIE_KL          1e-9 /* optima whose KL differ by less are all global */
#define START_ALL_RUNS  4    /* up to this K, every run of adjacent components is a start */
#define MAX_STARTS      (START_ALL_RUNS * (START_ALL_RUNS + 1) / 2 + 2 * EL_VI_MAX_COMPONENTS)

/* ---- log p and its first two derivatives ------------------------------------ */

/* log p(x), d/dx log p and d^2/dx^2 log p for the mixture P, through the
 * responsibilities r_k(x) = w_k N_k(x) / p(x) (log-sum-exp):
 *   (log p)'  = sum_k r_k d_k,                 d_k = -(x - m_k) / s_k^2
 *   (log p)'' = sum_k r_k (d_k - (log p)')^2 - sum_k r_k / s_k^2. */
el_vi_logp el_vi_logp3(const el_mix *p, double x)
{
    double l[EL_VI_MAX_COMPONENTS], d[EL_VI_MAX_COMPONENTS], best = -INFINITY;
    if (p->K > EL_VI_MAX_COMPONENTS)
        return (el_vi_logp){ NAN, NAN, NAN };
    for (size_t k = 0; k < p->K; k++) {
        double z = (x - p->mu[k]) / p->sigma[k];
        d[k] = -z / p->sigma[k];
        l[k] = p->w[k] > 0.0 ? log(p->w[k]) - 0.5 * z * z - log(p->sigma[k]) - LOG_SQRT_2PI
                             : -INFINITY;
        best = fmax(best, l[k]);
    }
    double sum = 0.0, d1 = 0.0;
    for (size_t k = 0; k < p->K; k++) {
        l[k] = exp(l[k] - best); /* unnormalised responsibility */
        sum += l[k];
        d1 += l[k] * d[k];
    }
    d1 /= sum;
    double d2 = 0.0;
    for (size_t k = 0; k < p->K; k++) {
        double e = d[k] - d1;
        d2 += l[k] * (e * e - 1.0 / (p->sigma[k] * p->sigma[k]));
    }
    return (el_vi_logp){ best + log(sum), d1, d2 / sum };
}

/* ---- Gaussian expectations by quadrature ------------------------------------- */

typedef enum { E_L, E_D1, E_TD1, E_D2, E_TD2, E_TTD2, E_INCL } expect_kind;

typedef struct {
    const el_mix *p;
    double mu, sigma;   /* the Gaussian the expectation is over */
    double qmu, qsigma; /* E_INCL: the fitted q in log p - log q */
    expect_kind kind;
} expect_par;

/* phi(t) times the quantity KIND at x = mu + sigma t. */
static double expect_integrand(double t, void *v)
{
    const expect_par *e = v;
    double phi = gsl_ran_ugaussian_pdf(t);
    if (phi == 0.0)
        return 0.0;
    double x = e->mu + e->sigma * t;
    el_vi_logp lp = el_vi_logp3(e->p, x);
    double z;
    switch (e->kind) {
    case E_L: return phi * lp.l;
    case E_D1: return phi * lp.d1;
    case E_TD1: return phi * t * lp.d1;
    case E_D2: return phi * lp.d2;
    case E_TD2: return phi * t * lp.d2;
    case E_TTD2: return phi * t * t * lp.d2;
    case E_INCL:
        z = (x - e->qmu) / e->qsigma;
        return phi * (lp.l + 0.5 * z * z + log(e->qsigma) + LOG_SQRT_2PI);
    }
    return NAN;
}

/* Panels in t: phi underflows to 0 beyond |t| = 38.6, so the range is exact. */
static const double panels[] = { -38.7, -16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16, 38.7 };
#define NPANELS (sizeof panels / sizeof panels[0] - 1)
/* Where a component of p is narrower than the Gaussian (s_k < sigma), log p
 * has a bump of width s_k that a panel of width sigma can miss: breakpoints
 * at m_k + c s_k for these c, in t, put that bump on its own scale. */
static const double bump_steps[] = { -10, -4, -1.5, 0, 1.5, 4, 10 };
#define NBUMP         (sizeof bump_steps / sizeof bump_steps[0])
#define MAX_PANEL_PTS (sizeof panels / sizeof panels[0] + NBUMP * EL_VI_MAX_COMPONENTS)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The panel ends in t for E's Gaussian: the fixed panels and the bumps of
 * p's narrower components, sorted and distinct; their number. */
static size_t panel_points(const expect_par *e, double *pt)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof panels / sizeof panels[0]; i++)
        pt[n++] = panels[i];
    for (size_t k = 0; k < e->p->K && k < EL_VI_MAX_COMPONENTS; k++) {
        if (e->p->w[k] == 0.0 || !(e->p->sigma[k] < e->sigma))
            continue;
        for (size_t j = 0; j < NBUMP; j++) {
            double t = (e->p->mu[k] + bump_steps[j] * e->p->sigma[k] - e->mu) / e->sigma;
            if (t > panels[0] && t < panels[NPANELS])
                pt[n++] = t;
        }
    }
    qsort(pt, n, sizeof *pt, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || pt[i] > pt[m - 1])
            pt[m++] = pt[i];
    return m;
}

/* E[ quantity ] under N(e->mu, e->sigma^2), as the integral over t of phi(t)
 * times the quantity at mu + sigma t: GSL QAG (Gauss-Kronrod 21) on each
 * panel, summed.  A round-off warning is accepted (its estimate is kept). */
static int expect(expect_par *e, expect_kind kind, gsl_integration_workspace *w, double *out)
{
    gsl_function F = { expect_integrand, e };
    e->kind = kind;
    double pt[MAX_PANEL_PTS], sum = 0.0;
    size_t n = panel_points(e, pt);
    for (size_t i = 0; i + 1 < n; i++) {
        double v, err;
        int s = gsl_integration_qag(&F, pt[i], pt[i + 1], QUAD_EPSABS, QUAD_EPSREL, QUAD_LIMIT,
                                    GSL_INTEG_GAUSS21, w, &v, &err);
        if (s != GSL_SUCCESS && s != GSL_EROUND)
            return el_from_gsl(s, "exclusive fit: quadrature of E_q[log p]");
        sum += v;
    }
    if (!isfinite(sum))
        return EL_ERROR(EL_ENUM, "exclusive fit: E_q[log p] is not finite at mu=%g sigma=%g", e->mu,
                        e->sigma);
    *out = sum;
    return EL_OK;
}

/* ---- the exclusive objective in (mu, log sigma) ---------------------------- */

typedef struct {
    const el_mix *p; /* the standardised mixture */
    gsl_integration_workspace *w;
    int status; /* first failure inside a GSL callback */
} excl_ctx;

/* KL(q||p) at q = N(mu, e^ls): -1/2 log(2 pi e) - ls - E_q[log p]. */
static int excl_value(excl_ctx *c, double mu, double ls, double *f)
{
    expect_par e = { c->p, mu, exp(ls), 0, 1, E_L };
    double el;
    int s = expect(&e, E_L, c->w, &el);
    if (!s)
        *f = -0.5 - LOG_SQRT_2PI - ls - el;
    return s;
}

/* The gradient G[2] of KL(q||p) in (mu, ls) (pathwise: x = mu + sigma t):
 *   d/dmu = -E[(log p)'],  d/dls = -1 - sigma E[t (log p)']. */
static int excl_grad(excl_ctx *c, double mu, double ls, double *g)
{
    expect_par e = { c->p, mu, exp(ls), 0, 1, E_L };
    double a, b;
    int s = expect(&e, E_D1, c->w, &a);
    if (!s)
        s = expect(&e, E_TD1, c->w, &b);
    if (!s) {
        g[0] = -a;
        g[1] = -1.0 - e.sigma * b;
    }
    return s;
}

/* The Hessian H[4] (row-major) of KL(q||p) in (mu, ls):
 *   H_mm = -E[(log p)''],  H_ml = -sigma E[t (log p)''],
 *   H_ll = -sigma E[t (log p)'] - sigma^2 E[t^2 (log p)'']. */
static int excl_hess(excl_ctx *c, double mu, double ls, double *h)
{
    expect_par e = { c->p, mu, exp(ls), 0, 1, E_L };
    double a, b, t1, t2;
    int s = expect(&e, E_D2, c->w, &a);
    if (!s)
        s = expect(&e, E_TD2, c->w, &b);
    if (!s)
        s = expect(&e, E_TD1, c->w, &t1);
    if (!s)
        s = expect(&e, E_TTD2, c->w, &t2);
    if (!s) {
        h[0] = -a;
        h[1] = h[2] = -e.sigma * b;
        h[3] = -e.sigma * t1 - e.sigma * e.sigma * t2;
    }
    return s;
}

/* GSL callbacks: a failure is recorded in the context and NaN returned. */
static double mm_f(const gsl_vector *x, void *v)
{
    excl_ctx *c = v;
    double f = NAN;
    int s = excl_value(c, gsl_vector_get(x, 0), gsl_vector_get(x, 1), &f);
    if (s && !c->status)
        c->status = s;
    return f;
}

static void mm_df(const gsl_vector *x, void *v, gsl_vector *g)
{
    excl_ctx *c = v;
    double gg[2] = { NAN, NAN };
    int s = excl_grad(c, gsl_vector_get(x, 0), gsl_vector_get(x, 1), gg);
    if (s && !c->status)
        c->status = s;
    gsl_vector_set(g, 0, gg[0]);
    gsl_vector_set(g, 1, gg[1]);
}

static void mm_fdf(const gsl_vector *x, void *v, double *f, gsl_vector *g)
{
    *f = mm_f(x, v);
    mm_df(x, v, g);
}

static int mr_f(const gsl_vector *x, void *v, gsl_vector *f)
{
    mm_df(x, v, f);
    return ((excl_ctx *)v)->status ? GSL_EFAILED : GSL_SUCCESS;
}

static int mr_df(const gsl_vector *x, void *v, gsl_matrix *J)
{
    excl_ctx *c = v;
    double h[4];
    int s = excl_hess(c, gsl_vector_get(x, 0), gsl_vector_get(x, 1), h);
    if (s) {
        c->status = c->status ? c->status : s;
        return GSL_EFAILED;
    }
    for (int i = 0; i < 4; i++)
        gsl_matrix_set(J, (size_t)i / 2, (size_t)i % 2, h[i]);
    return GSL_SUCCESS;
}

static int mr_fdf(const gsl_vector *x, void *v, gsl_vector *f, gsl_matrix *J)
{
    int s = mr_f(x, v, f);
    return s ? s : mr_df(x, v, J);
}

/* 1 if the gradient G at X = (mu, log sigma) is below TOL in the scale-free
 * norm |sigma dKL/dmu| + |dKL/dlog sigma|.  The floor 64 eps (1 + |mu|/sigma)
 * is the round-off of x = mu + sigma t measured in units of sigma: a narrow
 * optimum far from 0 cannot be located more finely than that. */
static int stationary(const gsl_vector *x, const gsl_vector *g, double tol)
{
    double mu = gsl_vector_get(x, 0), sigma = exp(gsl_vector_get(x, 1));
    double norm = fabs(sigma * gsl_vector_get(g, 0)) + fabs(gsl_vector_get(g, 1));
    return norm < tol + 64.0 * DBL_EPSILON * (1.0 + fabs(mu) / sigma);
}

/* BFGS (GSL vector_bfgs2, analytic gradient) from X[2] = (mu, ls); X is
 * overwritten with the end point.  Stalling (GSL_ENOPROG) is not an error:
 * Newton polishing follows. */
static int run_bfgs(excl_ctx *c, double *x)
{
    gsl_multimin_function_fdf F = { mm_f, mm_df, mm_fdf, 2, c };
    gsl_multimin_fdfminimizer *m =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 2);
    gsl_vector *x0 = gsl_vector_alloc(2);
    if (!m || !x0) {
        gsl_multimin_fdfminimizer_free(m);
        gsl_vector_free(x0);
        return EL_ERROR(EL_ENOMEM, "exclusive fit: out of memory");
    }
    gsl_vector_set(x0, 0, x[0]);
    gsl_vector_set(x0, 1, x[1]);
    int s = gsl_multimin_fdfminimizer_set(m, &F, x0, 0.1, 0.1);
    for (int it = 0; it < BFGS_MAX_ITER && s == GSL_SUCCESS && !c->status; it++) {
        s = gsl_multimin_fdfminimizer_iterate(m);
        if (s == GSL_SUCCESS && stationary(m->x, m->gradient, BFGS_GRAD_TOL))
            break;
    }
    x[0] = gsl_vector_get(m->x, 0);
    x[1] = gsl_vector_get(m->x, 1);
    gsl_multimin_fdfminimizer_free(m);
    gsl_vector_free(x0);
    return c->status;
}

/* Newton on the gradient (GSL multiroot newton, analytic Hessian) from X[2];
 * EL_ENOCONV if it does not become stationary(NEWTON_GRAD_TOL). */
static int run_newton(excl_ctx *c, double *x)
{
    gsl_multiroot_function_fdf F = { mr_f, mr_df, mr_fdf, 2, c };
    gsl_multiroot_fdfsolver *r = gsl_multiroot_fdfsolver_alloc(gsl_multiroot_fdfsolver_newton, 2);
    gsl_vector *x0 = gsl_vector_alloc(2);
    if (!r || !x0) {
        gsl_multiroot_fdfsolver_free(r);
        gsl_vector_free(x0);
        return EL_ERROR(EL_ENOMEM, "exclusive fit: out of memory");
    }
    gsl_vector_set(x0, 0, x[0]);
    gsl_vector_set(x0, 1, x[1]);
    int s = gsl_multiroot_fdfsolver_set(r, &F, x0), done = 0;
    for (int it = 0; it < NEWTON_MAX_ITER && s == GSL_SUCCESS && !done; it++) {
        s = gsl_multiroot_fdfsolver_iterate(r);
        done = s == GSL_SUCCESS && stationary(r->x, r->f, NEWTON_GRAD_TOL);
    }
    x[0] = gsl_vector_get(r->x, 0);
    x[1] = gsl_vector_get(r->x, 1);
    gsl_multiroot_fdfsolver_free(r);
    gsl_vector_free(x0);
    if (c->status)
        return c->status;
    return done ? EL_OK : EL_ERROR(EL_ENOCONV, "exclusive fit: Newton polishing did not converge");
}

/* ---- validation and standardisation ------------------------------------------ */

/* Validates the mixture (NULL pointers, size limit, then el_mix_alloc's
 * domain checks) and returns it, or NULL with *STATUS set. */
static el_mix *mixture(size_t K, const double *w, const double *m, const double *s, int *status)
{
    if (!w || !m || !s) {
        *status = EL_ERROR(EL_EUSAGE, "mixture: w, m and s must not be NULL");
        return NULL;
    }
    if (K > EL_VI_MAX_COMPONENTS) {
        *status =
            EL_ERROR(EL_ELIMIT, "mixture: at most %d components, got %zu", EL_VI_MAX_COMPONENTS, K);
        return NULL;
    }
    return el_mix_alloc(K, w, m, s, status);
}

/* The mixture P mapped by x -> (x - MEAN) / SD. */
static el_mix *standardise(const el_mix *p, double mean, double sd, int *status)
{
    double m[EL_VI_MAX_COMPONENTS], s[EL_VI_MAX_COMPONENTS];
    for (size_t k = 0; k < p->K; k++) {
        m[k] = (p->mu[k] - mean) / sd;
        s[k] = p->sigma[k] / sd;
    }
    return el_mix_alloc(p->K, p->w, m, s, status);
}

/* ---- inclusive fit ------------------------------------------------------------ */

/* KL(p||N(mu, sigma^2)) = sum_k w_k E_{N(m_k, s_k^2)}[log p - log q], each
 * expectation by quadrature in the component's own standard variable. */
static int inclusive_kl(const el_mix *p, double mu, double sigma, double *kl)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (!w)
        return EL_ERROR(EL_ENOMEM, "inclusive fit: out of memory");
    int s = EL_OK;
    double sum = 0.0;
    for (size_t k = 0; k < p->K && !s; k++) {
        if (p->w[k] == 0.0)
            continue;
        expect_par e = { p, p->mu[k], p->sigma[k], mu, sigma, E_INCL };
        double v = 0.0;
        s = expect(&e, E_INCL, w, &v);
        sum += p->w[k] * v;
    }
    gsl_integration_workspace_free(w);
    if (!s)
        *kl = fmax(sum, 0.0); /* KL >= 0; only round-off can make it negative */
    return s;
}

int el_vi_fit_inclusive(size_t K, const double *w, const double *m, const double *s, double *mu,
                        double *sigma, double *kl)
{
    el_gsl_init();
    if (!mu || !sigma)
        return EL_ERROR(EL_EUSAGE, "inclusive fit: mu and sigma must not be NULL");
    int st;
    el_mix *p = mixture(K, w, m, s, &st);
    if (!p)
        return st;
    double a = el_mix_mean(p), b = sqrt(el_mix_var(p));
    st = kl ? inclusive_kl(p, a, b, kl) : EL_OK;
    if (!st) {
        *mu = a;
        *sigma = b;
    }
    el_mix_free(p);
    return st;
}

/* ---- exclusive fit -------------------------------------------------------------- */

typedef struct {
    double mu, ls, kl; /* standard units */
} local_opt;

/* From start X[2]: BFGS, Newton polish, and acceptance as a local minimum
 * (positive-definite Hessian).  *FOUND = 1 with OUT filled when accepted.  A
 * start that does not converge, or whose path reaches a point where the
 * quadrature fails (EL_ENOCONV, EL_ENUM), is skipped: EL_OK, *FOUND = 0. */
static int descend(excl_ctx *c, const double *start, local_opt *out, int *found)
{
    double x[2] = { start[0], start[1] }, h[4];
    *found = 0;
    c->status = EL_OK;
    int s = run_bfgs(c, x);
    if (!s)
        s = run_newton(c, x);
    if (!s)
        s = excl_hess(c, x[0], x[1], h);
    if (!s && h[0] > 0.0 && h[0] * h[3] - h[1] * h[2] > 0.0) {
        out->mu = x[0];
        out->ls = x[1];
        s = excl_value(c, x[0], x[1], &out->kl);
        *found = s == EL_OK;
    }
    if (s == EL_ENOCONV || s == EL_ENUM) {
        el_error_clear();
        s = EL_OK;
    }
    return s;
}

/* Appends O to LIST (count *N) unless an equal optimum is there already. */
static void add_unique(local_opt *list, size_t *n, const local_opt *o)
{
    for (size_t i = 0; i < *n; i++)
        if (fabs(list[i].mu - o->mu) < SAME_OPTIMUM && fabs(list[i].ls - o->ls) < SAME_OPTIMUM)
            return;
    list[(*n)++] = *o;
}

/* Order: by KL, and optima tied within TIE_KL by mu. */
static int cmp_opt(const void *a, const void *b)
{
    const local_opt *x = a, *y = b;
    if (fabs(x->kl - y->kl) >= TIE_KL)
        return x->kl < y->kl ? -1 : 1;
    return (x->mu > y->mu) - (x->mu < y->mu);
}

/* The moment-matched fit (standard units) of the components IDX[lo..hi]
 * renormalised: a start for a fit that spans them.  0 if they weigh nothing. */
static int run_start(const el_mix *z, const size_t *idx, size_t lo, size_t hi, double *x)
{
    double w = 0.0, m1 = 0.0, m2 = 0.0;
    for (size_t i = lo; i <= hi; i++) {
        size_t k = idx[i];
        w += z->w[k];
        m1 += z->w[k] * z->mu[k];
        m2 += z->w[k] * (z->sigma[k] * z->sigma[k] + z->mu[k] * z->mu[k]);
    }
    if (!(w > 0.0))
        return 0;
    m1 /= w;
    x[0] = m1;
    x[1] = 0.5 * log(fmax(m2 / w - m1 * m1, DBL_MIN));
    return 1;
}

/* The starts in standard units: every component (m_k, s_k) with w_k > 0 and
 * the moment-matched fit of every run of components adjacent in mean order
 * (all runs when K <= START_ALL_RUNS, else pairs and the whole mixture).
 * Returns their number (at most MAX_STARTS). */
static size_t starts(const el_mix *z, double (*x)[2])
{
    size_t idx[EL_VI_MAX_COMPONENTS], K = z->K, n = 0;
    for (size_t k = 0; k < K; k++)
        idx[k] = k;
    for (size_t i = 1; i < K; i++) /* insertion sort by mean */
        for (size_t j = i; j > 0 && z->mu[idx[j]] < z->mu[idx[j - 1]]; j--) {
            size_t tmp = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = tmp;
        }
    for (size_t lo = 0; lo < K; lo++)
        for (size_t hi = lo; hi < K; hi++) {
            int wanted = K <= START_ALL_RUNS || hi - lo <= 1 || (lo == 0 && hi == K - 1);
            if (wanted && hi == lo && z->w[idx[lo]] > 0.0) {
                x[n][0] = z->mu[idx[lo]];
                x[n++][1] = log(z->sigma[idx[lo]]);
            } else if (wanted && hi > lo) {
                n += (size_t)run_start(z, idx, lo, hi, x[n]);
            }
        }
    return n;
}

/* All local minima of KL(q||z) (standard units) into LIST, sorted; *N set. */
static int exclusive_standard(const el_mix *z, local_opt *list, size_t *n)
{
    double x0[MAX_STARTS][2];
    size_t ns = starts(z, x0);
    excl_ctx c = { z, gsl_integration_workspace_alloc(QUAD_LIMIT), EL_OK };
    if (!c.w)
        return EL_ERROR(EL_ENOMEM, "exclusive fit: out of memory");
    int s = EL_OK;
    *n = 0;
    for (size_t i = 0; i < ns && !s; i++) {
        local_opt o;
        int found = 0;
        s = descend(&c, x0[i], &o, &found);
        if (!s && found)
            add_unique(list, n, &o);
    }
    gsl_integration_workspace_free(c.w);
    if (!s && *n == 0)
        s = EL_ERROR(EL_ENOCONV, "exclusive fit: no start converged to a local minimum");
    if (!s)
        qsort(list, *n, sizeof *list, cmp_opt);
    return s;
}

int el_vi_fit_exclusive(size_t K, const double *w, const double *m, const double *s,
                        el_vi_optimum *optima, size_t max_optima, size_t *n_optima,
                        size_t *global_index)
{
    el_gsl_init();
    if (!optima || !n_optima || !global_index || max_optima == 0)
        return EL_ERROR(EL_EUSAGE, "exclusive fit: need room for at least one optimum");
    int st;
    el_mix *p = mixture(K, w, m, s, &st), *z = NULL;
    double mean = 0.0, sd = 1.0;
    if (p) {
        mean = el_mix_mean(p);
        sd = sqrt(el_mix_var(p));
        z = standardise(p, mean, sd, &st);
    }
    local_opt list[MAX_STARTS];
    size_t n = 0;
    if (z)
        st = exclusive_standard(z, list, &n);
    for (size_t i = 0; !st && i < n && i < max_optima; i++) {
        optima[i].mu = mean + sd * list[i].mu;
        optima[i].sigma = sd * exp(list[i].ls);
        optima[i].kl = list[i].kl;
        optima[i].global = list[i].kl - list[0].kl < TIE_KL;
    }
    if (!st) {
        *n_optima = n < max_optima ? n : max_optima;
        *global_index = 0;
    }
    el_mix_free(p);
    el_mix_free(z);
    return st;
}
