/* checks_gauss.c -- elbo.decomposition, elbo.tight and elbo.iwae on the
 * conjugate linear-Gaussian model, where log p(x) and p(z|x) are exact. */
#include "results/elbo/elbo_topic.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rstat.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define KZ 2 /* latent dimension of the example */

/* The example model, its data point, posterior and evidence. */
typedef struct {
    el_lgm *m;
    double x[3], pmu[KZ], pS[KZ * KZ], lp;
} fixture;

static int fixture_init(fixture *f)
{
    int s;
    f->m = el_elbo_lgm_example(f->x, &s);
    if (!f->m)
        return s;
    el_lgm_posterior(f->m, f->x, f->pmu, f->pS);
    f->lp = el_lgm_log_evidence(f->m, f->x);
    return EL_OK;
}

/* A random Gaussian q: mean = posterior mean + N(0, 0.7^2) per coordinate,
 * covariance L L^T with L lower triangular, diagonal 0.6 exp(N(0, 0.4^2)),
 * below it N(0, 0.3^2). */
static void random_q(const fixture *f, const gsl_rng *r, double *mu, double *S)
{
    double L[KZ * KZ] = { 0 };
    for (int i = 0; i < KZ; i++) {
        mu[i] = f->pmu[i] + gsl_ran_gaussian(r, 0.7);
        for (int j = 0; j < i; j++)
            L[i * KZ + j] = gsl_ran_gaussian(r, 0.3);
        L[i * KZ + i] = 0.6 * exp(gsl_ran_gaussian(r, 0.4));
    }
    for (int i = 0; i < KZ; i++)
        for (int j = 0; j < KZ; j++) {
            double s = 0.0;
            for (int l = 0; l < KZ; l++)
                s += L[i * KZ + l] * L[j * KZ + l];
            S[i * KZ + j] = s;
        }
}

typedef struct {
    el_lgm *m;
    const double *x;
    el_mvn *q;
    double z[KZ];
} draw_ctx;

/* log p(x,z) - log q(z) for one z ~ q. */
static double elbo_draw(const gsl_rng *r, void *p)
{
    draw_ctx *c = p;
    el_mvn_sample(c->q, r, c->z);
    return el_lgm_log_joint(c->m, c->x, c->z) - el_mvn_logpdf(c->q, c->z);
}

/* The Monte Carlo ELBO of q = N(mu, S) with N draws. */
static int elbo_mc(const fixture *f, const double *mu, const double *S, size_t n, const gsl_rng *r,
                   el_estimate *out)
{
    int s;
    draw_ctx c = { f->m, f->x, el_mvn_alloc(KZ, mu, S, "q covariance", &s), { 0 } };
    if (!c.q)
        return s;
    s = el_mc_mean(elbo_draw, &c, n, r, out);
    el_mvn_free(c.q);
    return s;
}

/* ---- elbo.decomposition ---------------------------------------------------- */

#define DECOMP_NQ 8

/* One random q: the identity log p(x) = ELBO + KL(q||p(z|x)) exactly, and the
 * Monte Carlo ELBO against both the closed ELBO and log p(x) - KL. */
static int decomp_one(const fixture *f, const double *mu, const double *S, int v, size_t n,
                      const gsl_rng *r, el_check_tally *t, el_check_result *res)
{
    el_elbo_terms e;
    el_estimate mc;
    double kl;
    int s = el_lgm_elbo(f->m, f->x, mu, S, &e);
    if (!s)
        s = v == 3 ? el_kl_mvn(KZ, f->pmu, f->pS, mu, S, &kl)
                   : el_kl_mvn(KZ, mu, S, f->pmu, f->pS, &kl);
    if (!s)
        s = elbo_mc(f, mu, S, n, r, &mc);
    if (s)
        return s;
    double elbo = v == 1 ? e.loglik + e.kl_prior : v == 2 ? e.loglik + e.cross : e.elbo;
    el_check_tally_eq(t, "ELBO + KL(q||p(z|x)) = log p(x)", elbo + kl, f->lp, EL_CHECK_IDENT_TOL);
    el_check_compare(res, elbo, NULL, &mc);
    el_check_compare(res, f->lp - kl, NULL, &mc);
    return EL_OK;
}

int el_elbo_check_decomposition(const el_check *c, const el_check_opts *o, int v,
                                el_check_result *res)
{
    fixture f;
    int s = fixture_init(&f);
    if (s)
        return s;
    gsl_rng *r = el_check_rng(c, o);
    size_t n = el_check_samples(o, 20000);
    el_check_tally t;
    el_check_tally_init(&t);
    s = r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    for (int i = 0; i < DECOMP_NQ && !s; i++) {
        double mu[KZ], S[KZ * KZ];
        random_q(&f, r, mu, S);
        s = decomp_one(&f, mu, S, v, n, r, &t, res);
    }
    el_rng_free(r);
    el_lgm_free(f.m);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "k = 2, d = 3; %d random Gaussian q, %zu MC draws each",
             DECOMP_NQ, n);
    el_check_tally_finish(&t, prefix, res);
    return s;
}

/* ---- elbo.tight ------------------------------------------------------------ */

#define TIGHT_DRAWS 2000

/* The normalised likelihood in z: N(P^-1 B^T c, P^-1) with P = A^T Psi^-1 A,
 * c = L_Psi^-1 (x - b) (needs A of full column rank). */
static int likelihood_gaussian(const fixture *f, double *mu, double *S)
{
    el_lgm *m = f->m;
    gsl_matrix_view P = gsl_matrix_view_array(S, KZ, KZ);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, m->B, m->B, 0.0, &P.matrix);
    for (size_t i = 0; i < m->d; i++)
        gsl_vector_set(m->wd, i, f->x[i] - gsl_vector_get(m->b, i));
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, m->noise->L, m->wd);
    gsl_vector_view v = gsl_vector_view_array(mu, KZ);
    gsl_blas_dgemv(CblasTrans, 1.0, m->B, m->wd, 0.0, &v.vector);
    int s = gsl_linalg_cholesky_decomp1(&P.matrix);
    if (!s)
        s = gsl_linalg_cholesky_svx(&P.matrix, &v.vector);
    if (!s)
        s = gsl_linalg_cholesky_invert(&P.matrix);
    return s ? el_from_gsl(s, "normalised likelihood") : EL_OK;
}

/* The claimed optimum as VARIANT: the posterior, the prior, the likelihood. */
static int claimed_optimum(const fixture *f, int v, double *mu, double *S)
{
    if (v == 2)
        return likelihood_gaussian(f, mu, S);
    for (int i = 0; i < KZ * KZ; i++)
        S[i] = v == 1 ? (i % (KZ + 1) == 0) : f->pS[i];
    for (int i = 0; i < KZ; i++)
        mu[i] = v == 1 ? 0.0 : f->pmu[i];
    return EL_OK;
}

/* At the claimed optimum: gap = 0, KL = 0 and every log-weight equals log p(x). */
static int tight_at(const fixture *f, const double *mu, const double *S, const gsl_rng *r,
                    el_check_tally *t)
{
    el_elbo_terms e;
    int s = el_lgm_elbo(f->m, f->x, mu, S, &e);
    draw_ctx c = { f->m, f->x, s ? NULL : el_mvn_alloc(KZ, mu, S, "q covariance", &s), { 0 } };
    if (s)
        return s;
    el_check_tally_eq(t, "gap log p(x) - ELBO at the optimum = 0", f->lp - e.elbo, 0.0,
                      EL_CHECK_IDENT_TOL);
    for (int i = 0; i < TIGHT_DRAWS; i++)
        el_check_tally_eq(t, "log p(x,z) - log q(z) = log p(x) for every z ~ q", elbo_draw(r, &c),
                          f->lp, EL_CHECK_IDENT_TOL);
    el_mvn_free(c.q);
    return EL_OK;
}

/* Perturbs the posterior by EPS in direction DIR (0, 1: mean; 2: scale the
 * covariance; 3: shear it) and records gap = KL(q||p(z|x)) > 0. */
static int tight_perturbed(const fixture *f, int dir, double eps, int v, el_check_tally *t)
{
    double mu[KZ], S[KZ * KZ], kl;
    memcpy(mu, f->pmu, sizeof mu);
    memcpy(S, f->pS, sizeof S);
    if (dir < KZ)
        mu[dir] += eps;
    else if (dir == KZ)
        for (int i = 0; i < KZ * KZ; i++)
            S[i] *= 1.0 + eps;
    else { /* S + eps * sqrt(S00 S11) (e1 e2^T + e2 e1^T) * 0.5 */
        double off = 0.5 * eps * sqrt(S[0] * S[KZ * KZ - 1]);
        S[1] += off;
        S[KZ] += off;
    }
    el_elbo_terms e;
    int s = el_lgm_elbo(f->m, f->x, mu, S, &e);
    if (!s)
        s = v == 3 ? el_kl_mvn(KZ, f->pmu, f->pS, mu, S, &kl)
                   : el_kl_mvn(KZ, mu, S, f->pmu, f->pS, &kl);
    if (s)
        return s;
    double gap = f->lp - e.elbo;
    el_check_tally_le(t, "gap > 0 off the posterior (gap >= 1e-14)", 1e-14, gap, 0.0);
    el_check_tally_eq(t, "gap = KL(q||p(z|x)) off the posterior", gap, kl, EL_CHECK_IDENT_TOL);
    return EL_OK;
}

int el_elbo_check_tight(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    static const double eps[] = { 1e-3, 1e-2, 0.1, 1.0 };
    fixture f;
    int s = fixture_init(&f);
    if (s)
        return s;
    gsl_rng *r = el_check_rng(c, o);
    double mu[KZ], S[KZ * KZ];
    el_check_tally t;
    el_check_tally_init(&t);
    s = r ? claimed_optimum(&f, v, mu, S) : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = tight_at(&f, mu, S, r, &t);
    for (int dir = 0; dir < KZ + 2 && !s; dir++)
        for (size_t i = 0; i < sizeof eps / sizeof eps[0] && !s; i++)
            s = tight_perturbed(&f, dir, eps[i], v, &t);
    el_rng_free(r);
    el_check_tally_finish(&t, "k = 2, d = 3; optimum, 2000 draws there, 16 perturbations", res);
    res->closed = f.lp;
    el_lgm_free(f.m);
    return s;
}

/* ---- elbo.iwae --------------------------------------------------------------- */

#define IWAE_REPS 300
#define IWAE_KMAX 1000
static const size_t iwae_k[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
#define IWAE_NK      (sizeof iwae_k / sizeof iwae_k[0])
#define IWAE_Q_MU    EL_ELBO_IWAE_Q_MU
#define IWAE_Q_SIGMA EL_ELBO_IWAE_Q_SIGMA

/* One k-sample bound as VARIANT from the log-weights LOGW. */
static double iwae_variant(const double *logw, size_t k, int v)
{
    if (v == 1) {
        double s = 0.0;
        for (size_t i = 0; i < k; i++)
            s += logw[i];
        return s / (double)k;
    }
    return el_iwae_bound(logw, k) + (v == 2 ? log((double)k) : 0.0);
}

/* L_k estimated from REPS independent k-sample bounds. */
static void iwae_estimate(const el_lg1 *m, size_t k, size_t reps, int v, const gsl_rng *r,
                          double *logw, gsl_rstat_workspace *w, el_estimate *out)
{
    gsl_rstat_reset(w);
    for (size_t j = 0; j < reps; j++) {
        for (size_t i = 0; i < k; i++) {
            double z = IWAE_Q_MU + IWAE_Q_SIGMA * gsl_ran_gaussian_ziggurat(r, 1.0);
            logw[i] = el_lg1_log_weight(m, IWAE_Q_MU, IWAE_Q_SIGMA, z);
        }
        gsl_rstat_add(iwae_variant(logw, k, v), w);
    }
    out->value = gsl_rstat_mean(w);
    out->se = gsl_rstat_sd_mean(w);
    out->n = reps;
}

/* Compares L_k with what the claim predicts at this k and records the
 * bound and monotonicity relations against the previous estimate PREV. */
static void iwae_record(const el_lg1 *m, size_t k, double elbo, double chi2, const el_estimate *e,
                        const el_estimate *prev, el_check_tally *t, el_check_result *res)
{
    double lp = el_lg1_log_evidence(m);
    if (k == 1)
        el_check_compare(res, elbo, NULL, e);
    else if (k >= 100) /* L_k = log p(x) - chi^2/(2k) + O(1/k^2) */
        el_check_compare(res, lp - chi2 / (2.0 * (double)k), NULL, e);
    el_check_tally_le(t, "L_k <= log p(x) (within 5 se)", e->value, lp, EL_MC_SIGMAS * e->se);
    if (prev)
        el_check_tally_le(t, "L_k non-decreasing (within 5 se)", prev->value, e->value,
                          EL_MC_SIGMAS * hypot(prev->se, e->se));
}

int el_elbo_check_iwae(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    el_lg1 m = el_elbo_lg1_example();
    el_elbo_terms e;
    int s = el_lg1_elbo(&m, IWAE_Q_MU, IWAE_Q_SIGMA, &e);
    if (s)
        return s;
    double chi2 = el_lg1_chi2(&m, IWAE_Q_MU, IWAE_Q_SIGMA), logw[IWAE_KMAX];
    /* --samples N asks for about N draws per estimate elsewhere: here N/100 bounds per k,
     * never fewer than IWAE_REPS (as el_check_samples) */
    size_t reps = o->samples / 100 > IWAE_REPS ? o->samples / 100 : IWAE_REPS;
    gsl_rng *r = el_check_rng(c, o);
    gsl_rstat_workspace *w = gsl_rstat_alloc();
    el_check_tally t;
    el_check_tally_init(&t);
    el_estimate est[IWAE_NK];
    if (!r || !w)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < IWAE_NK && !s; i++) {
        iwae_estimate(&m, iwae_k[i], reps, v, r, logw, w, &est[i]);
        iwae_record(&m, iwae_k[i], e.elbo, chi2, &est[i], i ? &est[i - 1] : NULL, &t, res);
    }
    el_rng_free(r);
    if (w)
        gsl_rstat_free(w);
    char prefix[128];
    snprintf(prefix, sizeof prefix,
             "scalar model; k = 1..1000, %zu bounds per k; "
             "L_1 = ELBO, L_k ~ log p(x) - chi2/2k for k >= 100",
             reps);
    el_check_tally_finish(&t, prefix, res);
    return s;
}
