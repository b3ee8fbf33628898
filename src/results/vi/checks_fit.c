/* checks_fit.c -- the checks vi.inclusive_exclusive and vi.mode_seeking.
 *
 * The fits come from the solver (el_vi_fit_inclusive / el_vi_fit_exclusive,
 * fit.c); every verdict uses routes independent of it: the moments of p by
 * el_quad_1d, both KLs by el_kl_quad1 (quadrature in x, not in the solver's
 * standardised variable), gradients by GSL numerical derivatives of those
 * quadratures, a perturbation test for minimality, and a derivative-free
 * GSL Nelder-Mead minimiser as a second optimiser. */
#include "results/vi/vi_topic.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_deriv.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_OPT    8
#define GRAD_TOL   1e-6 /* |d KL / d(mu, log sigma)| at an optimum */
#define PERTURB    1e-3 /* step of the minimality test in (mu, log sigma) */
#define ARGMIN_TOL 1e-5 /* Nelder-Mead vs solver / closed form, in mu and sigma */

/* ---- KL by el_kl_quad1 (quadrature in x) ------------------------------------- */

/* KL(q||p) (EXCLUSIVE) or KL(p||q), q = N(mu, sigma^2), by el_kl_quad1. */
static int kl_quad(const el_mix *p, double mu, double sigma, int exclusive, el_quad_result *out)
{
    el_gauss q;
    int s = el_gauss_init(&q, mu, sigma);
    if (s)
        return s;
    el_density1 dq = el_gauss_density(&q), dp = el_mix_density(p);
    return exclusive ? el_kl_quad1(&dq, &dp, 1.0, out) : el_kl_quad1(&dp, &dq, 1.0, out);
}

/* ---- gradient by GSL numerical differentiation --------------------------------- */

typedef struct {
    const el_mix *p;
    double mu, ls;
    int axis; /* 0: vary mu, 1: vary log sigma */
    int status;
} fd_par;

static double fd_kl(double t, void *v)
{
    fd_par *f = v;
    double mu = f->axis == 0 ? t : f->mu, ls = f->axis == 1 ? t : f->ls;
    el_quad_result q = { NAN, 0 };
    int s = kl_quad(f->p, mu, exp(ls), 1, &q);
    if (s && !f->status)
        f->status = s;
    return q.value;
}

/* |grad| (max norm) of KL(q||p) in (mu, log sigma) at (MU, SIGMA): GSL
 * central differences (step 1e-3) of the el_kl_quad1 value. */
static int excl_grad_fd(const el_mix *p, double mu, double sigma, double *gmax)
{
    fd_par f = { p, mu, log(sigma), 0, EL_OK };
    gsl_function F = { fd_kl, &f };
    *gmax = 0.0;
    for (f.axis = 0; f.axis < 2 && !f.status; f.axis++) {
        double g, err;
        int s = gsl_deriv_central(&F, f.axis ? f.ls : f.mu, 1e-3, &g, &err);
        if (s && !f.status)
            f.status = el_from_gsl(s, "numerical derivative of KL(q||p)");
        *gmax = fmax(*gmax, fabs(g));
    }
    return f.status;
}

/* 1 if KL(q||p) at (MU, SIGMA) is below its value at the four points
 * PERTURB away in mu and in log sigma (with the quadrature errors allowed). */
static int excl_is_minimum(const el_mix *p, double mu, double sigma, int *status)
{
    static const double dir[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };
    el_quad_result c, q;
    *status = kl_quad(p, mu, sigma, 1, &c);
    int ok = *status == EL_OK;
    for (int i = 0; i < 4 && ok; i++) {
        *status = kl_quad(p, mu + PERTURB * dir[i][0], sigma * exp(PERTURB * dir[i][1]), 1, &q);
        ok = *status == EL_OK && q.value - q.abserr > c.value + c.abserr;
    }
    return ok;
}

/* ---- a second optimiser: GSL Nelder-Mead on the el_kl_quad1 value --------------- */

typedef struct {
    const el_mix *p;
    int exclusive;
    int status;
} nm_par;

static double nm_f(const double *x, void *v)
{
    nm_par *n = v;
    el_quad_result q = { NAN, 0 };
    int s = kl_quad(n->p, x[0], exp(x[1]), n->exclusive, &q);
    if (s && !n->status)
        n->status = s;
    return q.value;
}

/* argmin over (mu, log sigma) of KL(q||p) (EXCLUSIVE) or KL(p||q), from
 * (MU, SIGMA); results overwrite MU and SIGMA.  Simplex size 1e-7. */
static int nm_minimise(const el_mix *p, int exclusive, double *mu, double *sigma)
{
    nm_par n = { p, exclusive, EL_OK };
    double x[2] = { *mu, log(*sigma) };
    int s = el_vi_nelder_mead(nm_f, &n, 2, x, 0.2, 1e-7, 600, NULL);
    if (n.status)
        s = n.status;
    if (!s) {
        *mu = x[0];
        *sigma = exp(x[1]);
    }
    return s;
}

/* ---- the claim under test --------------------------------------------------------- */

/* What a variant asserts: the inclusive fit (mu, var) and the list of
 * exclusive local optima with the global one marked. */
typedef struct {
    double mu, var;
    el_vi_optimum ex[MAX_OPT];
    size_t n, g;
    double gmax;   /* largest |grad| found over the optima */
    int ok;        /* every verdict so far */
    char why[160]; /* the first failed verdict */
} fit_claim;

/* Records a failed verdict (the first one is kept for the detail line). */
static void fail(fit_claim *c, const char *fmt, ...)
{
    if (c->ok) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
    }
    c->ok = 0;
}

typedef struct {
    const el_mix *p;
    double mu;
    int power;
} moment_par;

static double moment_integrand(double x, void *v)
{
    const moment_par *m = v;
    return el_mix_pdf(m->p, x) * pow(x - m->mu, m->power);
}

/* Inclusive part: the stationarity conditions of KL(p||q) are E_p x = mu and
 * E_p (x - mu)^2 = sigma^2; both moments by quadrature vs the claim.  The
 * solver agrees with the claim, and its KL(p||q) with el_kl_quad1. */
static int verify_inclusive(const el_mix *p, fit_claim *c, el_check_result *res)
{
    moment_par m1 = { p, 0.0, 1 }, m2 = { p, c->mu, 2 };
    el_quad_result q1, q2, qk;
    double smu, ssig, skl;
    int s = el_quad_1d(moment_integrand, &m1, -INFINITY, INFINITY, &q1);
    if (!s)
        s = el_quad_1d(moment_integrand, &m2, -INFINITY, INFINITY, &q2);
    if (!s)
        s = el_vi_fit_inclusive(p->K, p->w, p->mu, p->sigma, &smu, &ssig, &skl);
    if (!s)
        s = kl_quad(p, smu, ssig, 0, &qk);
    if (s)
        return s;
    if (!el_check_compare(res, c->mu, &q1, NULL))
        fail(c, "E_p x = %.9g by quadrature, not mu = %.9g", q1.value, c->mu);
    if (!el_check_compare(res, c->var, &q2, NULL))
        fail(c, "E_p (x-mu)^2 = %.9g by quadrature, not sigma^2 = %.9g", q2.value, c->var);
    if (!el_check_compare(res, skl, &qk, NULL))
        fail(c, "solver KL(p||q) %.12g vs quadrature %.12g", skl, qk.value);
    if (!el_close(smu, c->mu, 1e-12, 1e-12) || !el_close(ssig * ssig, c->var, 1e-12, 1e-12))
        fail(c, "solver inclusive fit N(%.9g, %.9g) differs from the claim", smu, ssig * ssig);
    return EL_OK;
}

/* Exclusive part, for every claimed optimum: KL(q||p) agrees with
 * el_kl_quad1, the gradient vanishes, the point is a local minimum; the one
 * marked global has the smallest KL of all. */
static int verify_exclusive(const el_mix *p, fit_claim *c, el_check_result *res)
{
    double best = INFINITY;
    for (size_t i = 0; i < c->n; i++) {
        const el_vi_optimum *o = &c->ex[i];
        el_quad_result q;
        double g;
        int s = kl_quad(p, o->mu, o->sigma, 1, &q);
        if (!s)
            s = excl_grad_fd(p, o->mu, o->sigma, &g);
        if (s)
            return s;
        c->gmax = fmax(c->gmax, g);
        best = fmin(best, q.value);
        if (!el_check_compare(res, o->kl, &q, NULL))
            fail(c, "optimum %zu: KL(q||p) %.12g vs quadrature %.12g", i, o->kl, q.value);
        if (!(g <= GRAD_TOL))
            fail(c, "optimum %zu N(%.6g, %.6g^2): |grad KL(q||p)| = %.2g", i, o->mu, o->sigma, g);
        else if (!excl_is_minimum(p, o->mu, o->sigma, &s))
            fail(c, "optimum %zu N(%.6g, %.6g^2) is not a local minimum", i, o->mu, o->sigma);
        if (s)
            return s;
    }
    if (c->n == 0 || c->ex[c->g].kl > best + 1e-9)
        fail(c, "the optimum marked global (KL %.9g) is not the lowest (%.9g)",
             c->n ? c->ex[c->g].kl : NAN, best);
    return EL_OK;
}

/* The claim of variant 0 for mixture P: the textbook moment-matching formulas
 * and the solver's exclusive optima. */
static int claim_from_solver(const el_mix *p, fit_claim *c)
{
    memset(c, 0, sizeof *c);
    c->ok = 1;
    for (size_t k = 0; k < p->K; k++) {
        c->mu += p->w[k] * p->mu[k];
        c->var += p->w[k] * (p->sigma[k] * p->sigma[k] + p->mu[k] * p->mu[k]);
    }
    c->var -= c->mu * c->mu;
    return el_vi_fit_exclusive(p->K, p->w, p->mu, p->sigma, c->ex, MAX_OPT, &c->n, &c->g);
}

/* A mistaken claim: the global exclusive optimum is N(MU, SIGMA^2), with its
 * KL(q||p) (so that only the optimality verdicts can reject it). */
static int claim_global_at(const el_mix *p, fit_claim *c, double mu, double sigma)
{
    el_quad_result q;
    int s = kl_quad(p, mu, sigma, 1, &q);
    if (!s)
        c->ex[c->g] = (el_vi_optimum){ mu, sigma, q.value, 1 };
    return s;
}

/* Writes the verdict into RES: the comparisons recorded by el_check_compare
 * and every other verdict in C; SUMMARY is the detail line on success. */
static void finish(el_check_result *res, const fit_claim *c, const char *summary)
{
    res->pass = res->pass && c->ok;
    if (c->ok)
        snprintf(res->detail, sizeof res->detail, "%.250s", summary);
    else
        snprintf(res->detail, sizeof res->detail, "FAILED: %.200s", c->why);
}

/* A two-component fit check: the mixture, how a variant corrupts the claim,
 * the check-specific verdicts, and the detail line on success. */
typedef struct {
    const double *w, *m, *s;
    int (*mistake)(const el_mix *p, fit_claim *c, int variant);
    int (*verify)(const el_mix *p, fit_claim *c);
    void (*summary)(const fit_claim *c, char *buf, size_t len);
} fit_case;

/* Runs FC as VARIANT: the solver's claim (corrupted by the mistake), then the
 * inclusive, exclusive and check-specific verdicts. */
static int run_fit_case(const fit_case *fc, int variant, el_check_result *res)
{
    int s;
    el_mix *p = el_mix_alloc(2, fc->w, fc->m, fc->s, &s);
    fit_claim c;
    if (p)
        s = claim_from_solver(p, &c);
    if (p && !s)
        s = fc->mistake(p, &c, variant);
    if (p && !s)
        s = verify_inclusive(p, &c, res);
    if (p && !s)
        s = verify_exclusive(p, &c, res);
    if (p && !s)
        s = fc->verify(p, &c);
    if (p && !s) {
        char sum[256];
        fc->summary(&c, sum, sizeof sum);
        finish(res, &c, sum);
    }
    el_mix_free(p);
    return s;
}

/* ---- vi.inclusive_exclusive -------------------------------------------------------- */

/* p = 1/3 N(-1,1) + 2/3 N(1,1): log-concave (its (log p)'' = -1 + 4 r1 r2 <= 0). */
static const double hw_w[] = { 1.0 / 3.0, 2.0 / 3.0 }, hw_m[] = { -1.0, 1.0 },
                    hw_s[] = { 1.0, 1.0 };

/* Both fits again with Nelder-Mead on el_kl_quad1; they must match the claim
 * to ARGMIN_TOL.  Then the orderings: the exclusive fit is narrower, and each
 * fit wins its own objective. */
static int verify_homework(const el_mix *p, fit_claim *c)
{
    const el_vi_optimum *e = &c->ex[c->g];
    double imu = 0.0, isig = 1.0, emu = 0.0, esig = 1.0, sd = sqrt(c->var);
    el_quad_result ee, ei, ie, ii;
    int s = nm_minimise(p, 0, &imu, &isig);
    if (!s)
        s = nm_minimise(p, 1, &emu, &esig);
    if (!s)
        s = kl_quad(p, e->mu, e->sigma, 1, &ee);
    if (!s)
        s = kl_quad(p, c->mu, sd, 1, &ei);
    if (!s)
        s = kl_quad(p, e->mu, e->sigma, 0, &ie);
    if (!s)
        s = kl_quad(p, c->mu, sd, 0, &ii);
    if (s)
        return s;
    if (fabs(imu - c->mu) > ARGMIN_TOL || fabs(isig - sd) > ARGMIN_TOL)
        fail(c, "Nelder-Mead argmin KL(p||q) = N(%.8g, %.8g^2), claim N(%.8g, %.8g^2)", imu, isig,
             c->mu, sd);
    if (fabs(emu - e->mu) > ARGMIN_TOL || fabs(esig - e->sigma) > ARGMIN_TOL)
        fail(c, "Nelder-Mead argmin KL(q||p) = N(%.8g, %.8g^2), claim N(%.8g, %.8g^2)", emu, esig,
             e->mu, e->sigma);
    if (c->n != 1)
        fail(c, "%zu exclusive optima for a log-concave p (expected 1)", c->n);
    if (!(e->sigma < sd))
        fail(c, "exclusive sigma %.8g is not below the inclusive %.8g", e->sigma, sd);
    if (!(ee.value < ei.value) || !(ii.value < ie.value))
        fail(c,
             "a fit does not win its own objective (KL(q||p) %.9g vs %.9g, KL(p||q) %.9g vs %.9g)",
             ee.value, ei.value, ii.value, ie.value);
    return EL_OK;
}

/* Variant 1: the exclusive fit taken to be the moment-matched one; variant 2:
 * the spread of the means forgotten in the inclusive variance. */
static int homework_mistake(const el_mix *p, fit_claim *c, int variant)
{
    if (variant == 2)
        c->var = hw_w[0] * hw_s[0] * hw_s[0] + hw_w[1] * hw_s[1] * hw_s[1];
    return variant == 1 ? claim_global_at(p, c, c->mu, sqrt(c->var)) : EL_OK;
}

static void homework_summary(const fit_claim *c, char *buf, size_t len)
{
    const el_vi_optimum *e = &c->ex[c->g];
    snprintf(buf, len,
             "inclusive N(%.7g, %.7g^2); exclusive N(%.7g, %.7g^2) KL(q||p)=%.7g; "
             "%zu optimum, |grad| %.1e; Nelder-Mead agrees",
             c->mu, sqrt(c->var), e->mu, e->sigma, e->kl, c->n, c->gmax);
}

static const fit_case homework = {
    hw_w, hw_m, hw_s, homework_mistake, verify_homework, homework_summary
};

int el_vi_run_inclusive_exclusive(const el_check *chk, const el_check_opts *o, int variant,
                                  el_check_result *res)
{
    (void)chk;
    (void)o;
    return run_fit_case(&homework, variant, res);
}

/* ---- vi.mode_seeking ----------------------------------------------------------------- */

/* p = 1/2 N(-3,1) + 1/2 N(3,1): two well-separated modes. */
static const double ms_w[] = { 0.5, 0.5 }, ms_m[] = { -3.0, 3.0 }, ms_s[] = { 1.0, 1.0 };

/* The global exclusive fit sits on a mode (|mu| and sigma within 0.05 of 3
 * and 1), is narrower than the inclusive fit and beats it on KL(q||p); a
 * symmetric local optimum (mu = 0) exists with a larger KL. */
static int verify_modes(const el_mix *p, fit_claim *c)
{
    const el_vi_optimum *g = &c->ex[c->g];
    double sd = sqrt(c->var);
    el_quad_result gi;
    int s = kl_quad(p, c->mu, sd, 1, &gi);
    if (s)
        return s;
    if (!(fabs(fabs(g->mu) - 3.0) < 0.05 && fabs(g->sigma - 1.0) < 0.05))
        fail(c, "the global exclusive fit N(%.6g, %.6g^2) does not sit on a mode", g->mu, g->sigma);
    if (!(g->sigma < sd) || !(g->kl < gi.value))
        fail(c,
             "the global exclusive fit is not narrower than, and better than, the inclusive one");
    int sym = 0;
    for (size_t i = 0; i < c->n; i++)
        sym |= fabs(c->ex[i].mu) < 1e-6 && c->ex[i].kl > g->kl;
    if (!sym)
        fail(c, "no symmetric local optimum between the modes");
    return EL_OK;
}

/* Variant 1: the broad symmetric optimum called global; variant 2: the
 * exclusive fit taken to be the inclusive one. */
static int modes_mistake(const el_mix *p, fit_claim *c, int variant)
{
    for (size_t i = 0; variant == 1 && i < c->n; i++)
        if (fabs(c->ex[i].mu) < 1e-6)
            c->g = i;
    return variant == 2 ? claim_global_at(p, c, c->mu, sqrt(c->var)) : EL_OK;
}

static void modes_summary(const fit_claim *c, char *buf, size_t len)
{
    const el_vi_optimum *g = &c->ex[c->g];
    snprintf(buf, len,
             "inclusive N(%.4g, %.6g^2); %zu exclusive optima, global N(%.6g, %.6g^2) "
             "KL=%.6g (and its mirror), symmetric one KL=%.6g; |grad| %.1e",
             c->mu, sqrt(c->var), c->n, g->mu, g->sigma, g->kl, c->ex[c->n - 1].kl, c->gmax);
}

static const fit_case modes = { ms_w, ms_m, ms_s, modes_mistake, verify_modes, modes_summary };

int el_vi_run_mode_seeking(const el_check *chk, const el_check_opts *o, int variant,
                           el_check_result *res)
{
    (void)chk;
    (void)o;
    return run_fit_case(&modes, variant, res);
}
