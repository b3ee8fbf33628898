/* checks.c -- `em.coordinate_ascent`: classic EM against generic
 * coordinate ascent on the free energy F(theta, q), iterate by iterate, on
 * synthetic 1-D Gaussian-mixture data (K = 2 and K = 3). */
#include "results/em/em_topic.h"
#include "check/el_check.h"
#include "results/em/el_em.h"
#include "core/el_core.h"
#include "dist/el_dist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ITERS    8    /* EM iterations compared */
#define ITER_TOL 1e-8 /* |theta_EM - theta_ascent| (relative, floor 1e-8) */
#define F_TOL    1e-9 /* F relative tolerance: monotone, and = log p after E */
#define KMAX     3
#define NMAX     60

/* A synthetic problem: the mixture the data come from and the EM start. */
typedef struct {
    size_t K, n;
    double w[KMAX], mu[KMAX], sigma[KMAX];    /* the truth */
    double w0[KMAX], mu0[KMAX], sigma0[KMAX]; /* theta_0 */
} em_problem;

static const em_problem problems[] = {
    { 2,
      40,
      { 0.35, 0.65 },
      { -1.2, 1.45 },
      { 0.7, 0.95 },
      { 0.5, 0.5 },
      { -0.4, 0.9 },
      { 1.3, 1.1 } },
    { 3,
      60,
      { 0.25, 0.4, 0.35 },
      { -2.6, 0.15, 2.3 },
      { 0.8, 0.55, 1.05 },
      { 0.3, 0.3, 0.4 },
      { -1.9, 0.35, 1.6 },
      { 1.2, 0.9, 1.4 } },
};
#define NPROBLEMS (sizeof problems / sizeof problems[0])

/* What the comparison found over every problem and iteration. */
typedef struct {
    double iter_err; /* max relative |theta_EM - theta_ascent| and |q_EM - q_ascent| */
    double f_rise;   /* min relative increase of F over a half-step (< 0 is bad) */
    double f_gap;    /* max relative |F - log p(x)| right after an E-step */
} em_findings;

/* ---- classic EM as a student might write it --------------------------------- */

/* The E-step of VARIANT: 0 the posterior, 1 the prior (mistake), 2 a hard
 * assignment to the most probable component, i.e. E_q[log p(x,z)] maximised
 * without H(q) (mistake). */
static int estep(int variant, const el_gmm *g, size_t n, const double *x, double *q)
{
    int s = el_em_estep(g, n, x, q, NULL);
    for (size_t i = 0; i < n && (variant == 1 || variant == 2); i++) {
        double *qi = q + i * g->K;
        size_t best = 0;
        for (size_t k = 1; k < g->K; k++)
            if (qi[k] > qi[best])
                best = k;
        for (size_t k = 0; k < g->K; k++)
            qi[k] = variant == 1 ? g->w[k] : (double)(k == best);
    }
    return s;
}

/* The M-step of VARIANT: the weighted MLE, or for 3 (mistake) sigma_k from
 * the unweighted squared deviations of all the data from mu_k. */
static int mstep(int variant, el_gmm *g, size_t n, const double *x, const double *q)
{
    int s = el_em_mstep(g, n, x, q, el_em_spread(n, x));
    for (size_t k = 0; k < g->K && variant == 3 && !s; k++) {
        double v = 0.0;
        for (size_t i = 0; i < n; i++)
            v += (x[i] - g->mu[k]) * (x[i] - g->mu[k]);
        g->sigma[k] = sqrt(v / (double)n);
    }
    return s;
}

/* ---- one problem ------------------------------------------------------------ */

static double rel_err(double a, double b)
{
    return fabs(a - b) / fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The largest relative difference between the two parameter sets. */
static double theta_err(const el_gmm *a, const el_gmm *b)
{
    double e = 0.0;
    for (size_t k = 0; k < a->K; k++)
        e = fmax(e, fmax(rel_err(a->w[k], b->w[k]),
                         fmax(rel_err(a->mu[k], b->mu[k]), rel_err(a->sigma[k], b->sigma[k]))));
    return e;
}

/* Records a half-step from F_OLD to F_NEW in FD; updates *F_OLD. */
static void half_step(em_findings *fd, double *f_old, double f_new)
{
    if (isfinite(*f_old))
        fd->f_rise = fmin(fd->f_rise, (f_new - *f_old) / fabs(*f_old));
    *f_old = f_new;
}

/* After an E-step at G with responsibilities Q: F against log p(x). */
static void after_estep(em_findings *fd, double *f_old, const el_gmm *g, size_t n, const double *x,
                        const double *q, double *scratch)
{
    double ll, f = el_em_free_energy(g, n, x, q);
    el_em_estep(g, n, x, scratch, &ll);
    fd->f_gap = fmax(fd->f_gap, fabs(f - ll) / fabs(ll));
    half_step(fd, f_old, f);
}

/* Draws P's data with R into X. */
static int draw_data(const em_problem *p, const gsl_rng *r, double *x)
{
    int s;
    el_mix *m = el_mix_alloc(p->K, p->w, p->mu, p->sigma, &s);
    for (size_t i = 0; m && i < p->n; i++)
        x[i] = el_mix_sample(m, r);
    el_mix_free(m);
    return s;
}

/* Runs classic EM (as VARIANT) and the generic ascent side by side on P. */
static int run_problem(const em_problem *p, int variant, const gsl_rng *r, em_findings *fd)
{
    double x[NMAX], qe[NMAX * KMAX], qa[NMAX * KMAX], tmp[NMAX * KMAX];
    double buf[6 * KMAX], fe = -INFINITY, fa = -INFINITY;
    el_gmm em = { p->K, buf, buf + KMAX, buf + 2 * KMAX };
    el_gmm ca = { p->K, buf + 3 * KMAX, buf + 4 * KMAX, buf + 5 * KMAX };
    el_gmm start = { p->K, (double *)p->w0, (double *)p->mu0, (double *)p->sigma0 };
    el_gmm_copy(&em, &start);
    el_gmm_copy(&ca, &start);
    for (size_t i = 0; i < p->n * p->K; i++)
        qa[i] = 1.0 / (double)p->K;
    int s = draw_data(p, r, x);
    for (int t = 0; t < ITERS && !s; t++) {
        s = estep(variant, &em, p->n, x, qe);
        if (!s)
            s = el_em_ascent_q(&ca, p->n, x, qa);
        if (s)
            break;
        after_estep(fd, &fe, &em, p->n, x, qe, tmp);
        after_estep(fd, &fa, &ca, p->n, x, qa, tmp);
        for (size_t i = 0; i < p->n * p->K; i++)
            fd->iter_err = fmax(fd->iter_err, rel_err(qe[i], qa[i]));
        s = mstep(variant, &em, p->n, x, qe);
        if (!s)
            s = el_em_ascent_theta(&ca, p->n, x, qa);
        if (s)
            break;
        half_step(fd, &fe, el_em_free_energy(&em, p->n, x, qe));
        half_step(fd, &fa, el_em_free_energy(&ca, p->n, x, qa));
        fd->iter_err = fmax(fd->iter_err, theta_err(&em, &ca));
    }
    return s;
}

int el_em_check_coordinate_ascent(const el_check *c, const el_check_opts *o, int variant,
                                  el_check_result *res)
{
    gsl_rng *r = el_check_rng(c, o);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    em_findings fd = { 0.0, INFINITY, 0.0 };
    int s = EL_OK;
    for (size_t i = 0; i < NPROBLEMS && !s; i++)
        s = run_problem(&problems[i], variant, r, &fd);
    el_rng_free(r);
    if (s && variant && strncmp(el_errmsg(), "M-step", 6) == 0) {
        /* a mistaken E-step can starve a component: that, too, is a rejection */
        snprintf(res->detail, sizeof res->detail, "the mistaken EM broke down: %.200s",
                 el_errmsg());
        res->pass = 0;
        return EL_OK;
    }
    res->pass = !s && fd.iter_err <= ITER_TOL && fd.f_rise >= -F_TOL && fd.f_gap <= F_TOL;
    snprintf(res->detail, sizeof res->detail,
             "K=2,3, %d iterations: max |EM - ascent| %.2g (tol %.0e); min F rise %.2g; "
             "max |F - log p| after E %.2g (tol %.0e)",
             ITERS, fd.iter_err, ITER_TOL, fd.f_rise, fd.f_gap, F_TOL);
    return s;
}
