/* checks_discrete.c -- elbo.jensen and elbo.optimal_posterior on the
 * discrete-latent model, where log p(x) is a finite sum and every side of
 * every relation is exact. */
#include "results/elbo/elbo_topic.h"
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

#define K EL_DLM_EXAMPLE_K

/* The example model's prior PI, log-likelihoods L, posterior POST and
 * evidence *LP, and the check's generator *R (NULL on failure). */
static int setup(const el_check *c, const el_check_opts *o, double *pi, double *l, double *post,
                 double *lp, gsl_rng **r)
{
    el_elbo_dlm_example(pi, l);
    *r = NULL;
    int s = el_dlm_log_evidence(K, pi, l, lp);
    if (!s)
        s = el_dlm_posterior(K, pi, l, post);
    if (!s)
        *r = el_check_rng(c, o);
    if (!s && !*r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    return s;
}

/* ---- elbo.jensen ---------------------------------------------------------- */

#define JENSEN_NQ 200 /* random q from Dirichlet(1), then K one-hot q */

/* The relations of elbo.jensen for one q, with VARIANT's mistake swapped in;
 * COVERS says q > 0 everywhere (Jensen's left side then equals log p(x)). */
static int jensen_one(el_check_tally *t, const double *pi, const double *l, const double *q,
                      const double *post, double lp, int covers, int variant)
{
    el_elbo_terms e;
    double lhs, gap_kl;
    int s = el_dlm_elbo(K, pi, l, q, &e);
    if (!s)
        s = el_dlm_jensen_lhs(K, pi, l, q, &lhs);
    if (!s)
        s = variant == 3 ? el_kl_discrete(K, post, q, &gap_kl)
                         : el_kl_discrete(K, q, post, &gap_kl);
    if (s)
        return s;
    double form_kl = variant == 1 ? e.loglik + e.kl_prior : e.elbo;
    double form_joint = variant == 2 ? e.loglik + e.cross : e.elbo_joint;
    if (covers)
        el_check_tally_eq(t, "log sum_z q p(x,z)/q = log p(x)", lhs, lp, EL_CHECK_IDENT_TOL);
    el_check_tally_eq(t, "E_q log p(x,z)/q = E_q log p(x|z) - KL(q||p(z))", form_joint, form_kl,
                      EL_CHECK_IDENT_TOL);
    el_check_tally_le(t, "ELBO <= log p(x)", form_kl, lp, EL_CHECK_IDENT_TOL * fmax(1.0, fabs(lp)));
    el_check_tally_eq(t, "log p(x) - ELBO = KL(q||p(z|x))", lp - form_kl, gap_kl,
                      EL_CHECK_IDENT_TOL);
    return EL_OK;
}

int el_elbo_check_jensen(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    double pi[K], l[K], post[K], q[K], lp = NAN;
    gsl_rng *r;
    int s = setup(c, o, pi, l, post, &lp, &r);
    el_check_tally t;
    el_check_tally_init(&t);
    for (int i = 0; i < JENSEN_NQ + K && !s; i++) {
        int covers = i < JENSEN_NQ;
        if (covers)
            s = el_dirichlet_sample(r, K, 1.0, q);
        for (int z = 0; z < K && !covers; z++)
            q[z] = z == i - JENSEN_NQ;
        if (!s)
            s = jensen_one(&t, pi, l, q, post, lp, covers, v);
    }
    el_rng_free(r);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "K = %d states, %d Dirichlet and %d one-hot q", K, JENSEN_NQ,
             K);
    el_check_tally_finish(&t, prefix, res);
    res->closed = lp;
    return s;
}

/* ---- elbo.optimal_posterior ------------------------------------------------ */

#define OPT_STARTS 4
#define OPT_Q_TOL  1e-6 /* maximiser vs candidate, per component (see EL_DLM_STAT_TOL) */

/* The claimed maximiser as VARIANT: 0 the posterior, 1 the prior, 2 the
 * normalised likelihood, 3 the unnormalised product. */
static void candidate(const double *pi, const double *l, const double *post, double lp, int variant,
                      double *q)
{
    double lmax = -INFINITY, sum = 0.0;
    for (int z = 0; z < K; z++)
        lmax = fmax(lmax, l[z]);
    for (int z = 0; z < K; z++)
        sum += exp(l[z] - lmax);
    for (int z = 0; z < K; z++) {
        if (variant == 1)
            q[z] = pi[z];
        else if (variant == 2)
            q[z] = exp(l[z] - lmax) / sum;
        else if (variant == 3)
            q[z] = post[z] * exp(lp);
        else
            q[z] = post[z];
    }
}

/* F(q) = sum_z q_z (l_z + log pi_z - log q_z) for any positive vector q. */
static double objective(const double *pi, const double *l, const double *q)
{
    double F = 0.0;
    for (int z = 0; z < K; z++)
        F += q[z] * (l[z] + log(pi[z]) - log(q[z]));
    return F;
}

/* One start: maximise numerically and record the relations against CAND. */
static int optimal_one(el_check_tally *t, const double *pi, const double *l, const double *theta0,
                       const double *cand, double lp)
{
    double qhat[K], fmax;
    int s = el_dlm_maximise(K, pi, l, theta0, qhat, &fmax);
    if (s)
        return s;
    for (int z = 0; z < K; z++) {
        el_check_tally_eq(t, "numerical maximiser = claimed q*", qhat[z], cand[z], OPT_Q_TOL);
        /* Lagrangian stationarity: l_z + log pi_z - log q_z - 1 - lambda = 0 */
        el_check_tally_eq(t, "l_z + log pi_z - log q*_z = 1 + lambda = log p(x)",
                          l[z] + log(pi[z]) - log(cand[z]), lp, EL_CHECK_IDENT_TOL);
    }
    el_check_tally_eq(t, "numerical maximum = log p(x)", fmax, lp, EL_CHECK_IDENT_TOL);
    el_check_tally_eq(t, "F(claimed q*) = numerical maximum", objective(pi, l, cand), fmax,
                      EL_CHECK_IDENT_TOL);
    return EL_OK;
}

int el_elbo_check_optimal(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    double pi[K], l[K], post[K], cand[K], theta0[K - 1], lp = NAN;
    gsl_rng *r;
    int s = setup(c, o, pi, l, post, &lp, &r);
    el_check_tally t;
    el_check_tally_init(&t);
    if (!s)
        candidate(pi, l, post, lp, v, cand);
    for (int i = 0; i < OPT_STARTS && !s; i++) {
        for (int j = 0; j < K - 1; j++) /* start 0: uniform q; then random logits */
            theta0[j] = i == 0 ? 0.0 : gsl_ran_gaussian(r, 3.0);
        s = optimal_one(&t, pi, l, theta0, cand, lp);
    }
    el_rng_free(r);
    char prefix[128];
    snprintf(prefix, sizeof prefix,
             "K = %d states, BFGS/mirror ascent/Newton over softmax logits from %d starts", K,
             OPT_STARTS);
    el_check_tally_finish(&t, prefix, res);
    res->closed = lp;
    return s;
}
