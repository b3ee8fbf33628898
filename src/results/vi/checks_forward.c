/* checks_forward.c -- the check vi.forward_objective.
 *
 * Target: a correlated 2-D Gaussian "posterior" p = N(m, Sigma), known (as a
 * posterior is) only up to its normaliser; q = N(mu, diag(v)) factorised.
 *   forward  KL(p||q) = E_p[log p] - E_p[log q]: minimising it over q is
 *            maximising E_p[log q]; the optimum matches the marginals,
 *            v_i = Sigma_ii (mass-covering);
 *   reverse  KL(q||p): the optimum has v_i = 1/Lambda_ii, Lambda = Sigma^-1
 *            (the conditional variances: under-covering).
 * E_p needs samples of p: self-normalised importance sampling (SNIS) with a
 * factorised q (widened) as the proposal, adapted once (q0 -> fitted q1 ->
 * the estimate).  Exact KLs come from el_kl_mvn and are minimised with GSL
 * Nelder-Mead. */
#include "results/vi/vi_topic.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FWD_SAMPLES 50000
#define ARGMIN_TOL  1e-6
#define WIDEN       2.0 /* proposal variance / q variance */
#define LOG_2PI     1.83787706640934548356

/* The target: mean and covariance (row-major), correlation 0.77. */
static const double tgt_m[2] = { 0.35, -0.6 };
static const double tgt_S[4] = { 1.7, 1.15, 1.15, 1.3 };

void el_vi_forward_target(double *m, double *S)
{
    memcpy(m, tgt_m, sizeof tgt_m);
    memcpy(S, tgt_S, sizeof tgt_S);
}

/* A factorised Gaussian N(m, diag(v)). */
typedef struct {
    double m[2], v[2];
} fgauss;

/* The precision Lambda = Sigma^-1 of the 2x2 target (adjugate / determinant). */
static void target_precision(double *L)
{
    double det = tgt_S[0] * tgt_S[3] - tgt_S[1] * tgt_S[2];
    L[0] = tgt_S[3] / det;
    L[1] = L[2] = -tgt_S[1] / det;
    L[3] = tgt_S[0] / det;
}

/* log p~(z) = -1/2 (z-m)' Lambda (z-m): the target without its normaliser. */
static double log_target_u(const double *L, const double *z)
{
    double a = z[0] - tgt_m[0], b = z[1] - tgt_m[1];
    return -0.5 * (L[0] * a * a + 2.0 * L[1] * a * b + L[3] * b * b);
}

static double log_fgauss(const fgauss *q, const double *z)
{
    double s = 0.0;
    for (int i = 0; i < 2; i++) {
        double d = z[i] - q->m[i];
        s += -0.5 * (LOG_2PI + log(q->v[i]) + d * d / q->v[i]);
    }
    return s;
}

/* ---- self-normalised importance sampling ---------------------------------------- */

typedef struct {
    size_t n;
    double *z; /* 2n draws from the proposal */
    double *w; /* n normalised weights */
} snis;

/* Draws S->n points from proposal Q and sets the normalised weights
 * w_i ∝ p~(z_i) / q(z_i) (log-sum-exp).  *ESS (may be NULL) gets
 * 1 / sum w_i^2. */
static void snis_draw(snis *s, const fgauss *q, const gsl_rng *r, double *ess)
{
    double L[4], best = -INFINITY, sum = 0.0, sq = 0.0;
    target_precision(L);
    for (size_t i = 0; i < s->n; i++) {
        double *z = s->z + 2 * i;
        for (int k = 0; k < 2; k++)
            z[k] = q->m[k] + gsl_ran_gaussian_ziggurat(r, sqrt(q->v[k]));
        s->w[i] = log_target_u(L, z) - log_fgauss(q, z);
        best = fmax(best, s->w[i]);
    }
    for (size_t i = 0; i < s->n; i++)
        sum += s->w[i] = exp(s->w[i] - best);
    for (size_t i = 0; i < s->n; i++) {
        s->w[i] /= sum;
        sq += s->w[i] * s->w[i];
    }
    if (ess)
        *ess = 1.0 / sq;
}

/* The SNIS estimate of E_p[f] from values F (n) with the delta-method
 * standard error sqrt(sum w_i^2 (f_i - est)^2). */
static el_estimate snis_mean(const snis *s, const double *f)
{
    double est = 0.0, var = 0.0;
    for (size_t i = 0; i < s->n; i++)
        est += s->w[i] * f[i];
    for (size_t i = 0; i < s->n; i++)
        var += s->w[i] * s->w[i] * (f[i] - est) * (f[i] - est);
    return (el_estimate){ est, sqrt(var), s->n };
}

/* SNIS estimates of the means and variances of p, coordinatewise, using F
 * (n scratch values). */
static void snis_moments(const snis *s, double *f, el_estimate *mean, el_estimate *var)
{
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < s->n; i++)
            f[i] = s->z[2 * i + k];
        mean[k] = snis_mean(s, f);
        for (size_t i = 0; i < s->n; i++)
            f[i] = (f[i] - mean[k].value) * (f[i] - mean[k].value);
        var[k] = snis_mean(s, f);
    }
}

/* ---- the objectives minimised numerically --------------------------------------- */

/* q from x = (m1, m2, log v1, log v2). */
static fgauss fg_from(const double *x)
{
    return (fgauss){ { x[0], x[1] }, { exp(x[2]), exp(x[3]) } };
}

typedef struct {
    int reverse;           /* 0: KL(p||q), 1: KL(q||p) */
    const double *s1, *s2; /* SNIS: weighted E[z_k] and E[z_k^2] (NULL: exact KL) */
    int status;
} objective;

/* Exact KL(p||q) or KL(q||p) (el_kl_mvn), or -sum_i w_i log q(z_i) from the
 * SNIS sufficient statistics E_w[z_k], E_w[z_k^2] (the same average, in
 * O(1) per evaluation). */
static double fwd_objective(const double *x, void *v)
{
    objective *o = v;
    fgauss q = fg_from(x);
    if (o->s1) {
        double f = 0.0;
        for (int k = 0; k < 2; k++)
            f += 0.5 * (LOG_2PI + log(q.v[k]) +
                        (o->s2[k] - 2.0 * q.m[k] * o->s1[k] + q.m[k] * q.m[k]) / q.v[k]);
        return f;
    }
    double Q[4] = { q.v[0], 0.0, 0.0, q.v[1] }, kl = NAN;
    int s = o->reverse ? el_kl_mvn(2, q.m, Q, tgt_m, tgt_S, &kl)
                       : el_kl_mvn(2, tgt_m, tgt_S, q.m, Q, &kl);
    if (s && !o->status)
        o->status = s;
    return kl;
}

/* argmin of objective O from N(0, I); the fit into Q. */
static int minimise(objective *o, fgauss *q)
{
    double x[4] = { 0.0, 0.0, 0.0, 0.0 };
    int s = el_vi_nelder_mead(fwd_objective, o, 4, x, 0.3, 1e-7, 5000, NULL);
    if (o->status)
        s = o->status;
    if (!s)
        *q = fg_from(x);
    return s;
}

/* ---- the check ---------------------------------------------------------------------- */

typedef struct {
    double fwd_v[2], rev_v[2]; /* the claimed variances */
    int objective_mistake;     /* 1: E_q[log p] taken for E_p[log q] */
    int ok;
    char why[160];
    double ess;
} fwd_claim;

/* 1 if Q has mean tgt_m and variances V to ARGMIN_TOL. */
static int fit_is(const fgauss *q, const double *v)
{
    return fabs(q->m[0] - tgt_m[0]) < ARGMIN_TOL && fabs(q->m[1] - tgt_m[1]) < ARGMIN_TOL &&
           fabs(q->v[0] - v[0]) < ARGMIN_TOL && fabs(q->v[1] - v[1]) < ARGMIN_TOL;
}

/* Numerical minimisers of the exact forward and reverse KL vs the claim. */
static int verify_exact(fwd_claim *c)
{
    objective fo = { 0, NULL, NULL, EL_OK }, ro = { 1, NULL, NULL, EL_OK };
    fgauss qf, qr;
    int s = minimise(&fo, &qf);
    if (!s)
        s = minimise(&ro, &qr);
    if (s)
        return s;
    if (!fit_is(&qf, c->fwd_v) && c->ok) {
        c->ok = 0;
        snprintf(c->why, sizeof c->why, "argmin KL(p||q) has v = (%.8g, %.8g), claim (%.8g, %.8g)",
                 qf.v[0], qf.v[1], c->fwd_v[0], c->fwd_v[1]);
    }
    if (!fit_is(&qr, c->rev_v) && c->ok) {
        c->ok = 0;
        snprintf(c->why, sizeof c->why, "argmin KL(q||p) has v = (%.8g, %.8g), claim (%.8g, %.8g)",
                 qr.v[0], qr.v[1], c->rev_v[0], c->rev_v[1]);
    }
    return EL_OK;
}

/* The SNIS forward fit: maximise the weighted average of log q (Nelder-Mead
 * on its sufficient statistics); its argmax vs the claimed variances and the
 * target mean within 5 standard errors (the SNIS moment estimates' errors). */
static int verify_snis_fit(fwd_claim *c, const snis *s, double *f, el_check_result *res)
{
    el_estimate mean[2], var[2];
    snis_moments(s, f, mean, var);
    double s1[2], s2[2];
    for (int k = 0; k < 2; k++) {
        s1[k] = mean[k].value;
        s2[k] = var[k].value + mean[k].value * mean[k].value;
    }
    objective o = { 0, s1, s2, EL_OK };
    fgauss q;
    int st = minimise(&o, &q);
    if (st)
        return st;
    for (int k = 0; k < 2; k++) {
        el_estimate m = { q.m[k], mean[k].se, s->n }, v = { q.v[k], var[k].se, s->n };
        el_check_compare(res, tgt_m[k], NULL, &m);
        if (!el_check_compare(res, c->fwd_v[k], NULL, &v) && c->ok) {
            c->ok = 0;
            snprintf(c->why, sizeof c->why,
                     "SNIS argmax E_p[log q]: v%d = %.5g +- %.2g, claim %.6g", k + 1, v.value, v.se,
                     c->fwd_v[k]);
        }
    }
    return EL_OK;
}

/* log p(z) (normalised) at z ~ Q: one draw of E_q[log p]. */
static double draw_log_target(const gsl_rng *r, void *v)
{
    const fgauss *q = v;
    double L[4], z[2];
    target_precision(L);
    for (int k = 0; k < 2; k++)
        z[k] = q->m[k] + gsl_ran_gaussian_ziggurat(r, sqrt(q->v[k]));
    double detS = tgt_S[0] * tgt_S[3] - tgt_S[1] * tgt_S[2];
    return log_target_u(L, z) - LOG_2PI - 0.5 * log(detS);
}

/* KL(p||q) + E_p[log q] = E_p[log p] = -H(p) for every q: checked for three
 * q (exact KL, SNIS expectation).  The mistaken variant uses E_q[log p]
 * (plain Monte Carlo from q) instead. */
static int verify_objective(fwd_claim *c, const snis *s, double *f, const gsl_rng *r,
                            el_check_result *res)
{
    double detS = tgt_S[0] * tgt_S[3] - tgt_S[1] * tgt_S[2];
    double neg_entropy = -(1.0 + LOG_2PI) - 0.5 * log(detS);
    const fgauss qs[3] = { { { 0, 0 }, { 1, 1 } },
                           { { tgt_m[0], tgt_m[1] }, { tgt_S[0], tgt_S[3] } },
                           { { 0.9, -0.1 }, { 0.5, 2.2 } } };
    for (int j = 0; j < 3; j++) {
        double Q[4] = { qs[j].v[0], 0, 0, qs[j].v[1] }, kl;
        int st = el_kl_mvn(2, tgt_m, tgt_S, qs[j].m, Q, &kl);
        if (st)
            return st;
        el_estimate e;
        if (c->objective_mistake) { /* E_q[log p], z ~ q */
            st = el_mc_mean(draw_log_target, (void *)&qs[j], s->n, r, &e);
            if (st)
                return st;
        } else {
            for (size_t i = 0; i < s->n; i++)
                f[i] = log_fgauss(&qs[j], s->z + 2 * i);
            e = snis_mean(s, f);
        }
        e.value += kl;
        if (!el_check_compare(res, neg_entropy, NULL, &e) && c->ok) {
            c->ok = 0;
            snprintf(c->why, sizeof c->why,
                     "KL(p||q) + objective = %.5g +- %.2g for q%d, not -H(p) = %.6g", e.value, e.se,
                     j + 1, neg_entropy);
        }
    }
    return EL_OK;
}

/* Runs the three verifications on one SNIS sample of size N.  Proposal: the
 * current q with its variances multiplied by WIDEN (a proposal narrower than
 * the target gives heavy-tailed weights): first q0 = N(0, I), then the q1
 * fitted from that first sample. */
static int run_forward(fwd_claim *c, size_t n, const gsl_rng *r, el_check_result *res)
{
    snis s = { n, malloc(2 * n * sizeof(double)), malloc(n * sizeof(double)) };
    double *f = malloc(n * sizeof *f);
    int st = s.z && s.w && f ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st) {
        fgauss q = { { 0.0, 0.0 }, { WIDEN, WIDEN } }; /* q0 = N(0, I), widened */
        el_estimate mean[2], var[2];
        snis_draw(&s, &q, r, NULL);
        snis_moments(&s, f, mean, var);
        q = (fgauss){ { mean[0].value, mean[1].value },
                      { WIDEN * var[0].value, WIDEN * var[1].value } };
        snis_draw(&s, &q, r, &c->ess);
        st = verify_snis_fit(c, &s, f, res);
    }
    if (!st)
        st = verify_objective(c, &s, f, r, res);
    if (!st)
        st = verify_exact(c);
    free(s.z);
    free(s.w);
    free(f);
    return st;
}

int el_vi_run_forward_objective(const el_check *chk, const el_check_opts *o, int variant,
                                el_check_result *res)
{
    double L[4];
    target_precision(L);
    fwd_claim c = { { tgt_S[0], tgt_S[3] }, { 1.0 / L[0], 1.0 / L[3] }, variant == 2, 1, "", 0.0 };
    if (variant == 1)
        for (int k = 0; k < 2; k++) {
            double t = c.fwd_v[k];
            c.fwd_v[k] = c.rev_v[k];
            c.rev_v[k] = t;
        }
    gsl_rng *r = el_check_rng(chk, o);
    size_t n = el_check_samples(o, FWD_SAMPLES);
    int st = r ? run_forward(&c, n, r, res) : EL_ERROR(EL_ENOMEM, "out of memory");
    el_rng_free(r);
    if (st)
        return st;
    res->pass = res->pass && c.ok;
    if (c.ok)
        snprintf(res->detail, sizeof res->detail,
                 "forward v = Sigma_ii = (%.4g, %.4g) by SNIS (N=%zu, ESS %.0f) and argmin; "
                 "reverse v = 1/Lambda_ii = (%.4g, %.4g); KL(p||q) + E_p log q = -H(p) for 3 q",
                 c.fwd_v[0], c.fwd_v[1], n, c.ess, c.rev_v[0], c.rev_v[1]);
    else
        snprintf(res->detail, sizeof res->detail, "FAILED: %.200s", c.why);
    return EL_OK;
}
