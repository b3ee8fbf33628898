/* checks.c -- the check gmvae.elbo and the example it shares with the
 * figure (plots.c).  gmvae.elbo: on a small
 * Gaussian-mixture VAE with a linear-Gaussian decoder (el_gmvae.h), the
 * three-term ELBO equals the direct E_q[log p(x,w,z) - log q(w,z|x)] (by
 * quadrature and by Monte Carlo), both stay below the exact log p(x), and
 * the best q(z|w,x) is p(z|w). */
#include "results/gmvae/gmvae_topic.h"
#include "results/elbo/el_elbo.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the example ------------------------------------------------------------ */

void el_gmvae_example(el_gmvae *m, double *x)
{
    static const double mu[3] = { -2.0, 0.5, 2.5 }, sigma[3] = { 0.6, 0.9, 0.5 };
    memset(m, 0, sizeof *m);
    m->K = 3;
    m->D = 2;
    for (int z = 0; z < 3; z++) {
        m->pi[z] = 1.0 / 3.0;
        m->mu[z] = mu[z];
        m->sigma[z] = sigma[z];
    }
    m->W[0] = 1.1;
    m->W[1] = -0.7;
    m->c[0] = 0.3;
    m->c[1] = 0.2;
    m->noise = 0.5;
    x[0] = 1.9;
    x[1] = -1.1;
}

void el_gmvae_example_qz(const el_gmvae *m, int i, el_gmvae_qz *qz)
{
    static const double da[3] = { 0.0, 0.9, -0.9 }, db[3] = { 0.0, 0.4, -0.4 };
    if (i == 1) {
        el_gmvae_qz_prior(m, qz);
        return;
    }
    el_gmvae_qz_posterior(m, qz);
    for (size_t z = 0; i == 2 && z < m->K; z++) {
        qz->alpha[z] += da[z];
        qz->beta[z] += db[z];
    }
}

/* ---- gmvae.elbo ---------------------------------------------------------------- */

typedef struct {
    const el_gmvae *m;
    const el_gmvae_qz *qz;
} rev_ctx;

/* KL(p(z) || q(z|w,x)) at W: the reversed middle term (mistake 1). */
static double kl_reversed_at(double w, void *p)
{
    const rev_ctx *c = p;
    double lq[EL_GMVAE_KMAX], s = 0.0;
    el_gmvae_qz_log(c->qz, c->m->K, w, lq);
    for (size_t z = 0; z < c->m->K; z++)
        s += c->m->pi[z] * (log(c->m->pi[z]) - lq[z]);
    return s;
}

int el_gmvae_three_term(const el_gmvae *m, const double *x, const el_gauss *qw,
                        const el_gmvae_qz *qz, int v, double *out)
{
    el_gmvae_terms t;
    int s = el_gmvae_elbo3(m, x, qw, qz, &t);
    if (s)
        return s;
    double third = -t.ent_w - t.cross_w; /* E[log q(w|x) - log p(w|z)] */
    if (v == 1) {
        rev_ctx c = { m, qz };
        el_quad_result kr;
        s = el_gmvae_expect(qw, kl_reversed_at, &c, &kr);
        *out = t.rec - kr.value - third;
    } else if (v == 2)
        *out = t.rec - t.kl_z + t.cross_w;
    else if (v == 3)
        *out = t.rec - third;
    else
        *out = t.elbo;
    return s;
}

typedef struct {
    const el_gmvae *m;
    const double *x;
    double lp; /* exact log p(x) */
    size_t n;  /* Monte Carlo draws */
    const gsl_rng *r;
} gm_run;

/* Three-term vs direct (quadrature, Monte Carlo) for one q; the bound. */
static int compare_forms(const gm_run *g, const el_gauss *qw, const el_gmvae_qz *qz, int v,
                         double *three, el_check_tally *t, el_check_result *res)
{
    el_quad_result dq;
    el_estimate mc;
    int s = el_gmvae_three_term(g->m, g->x, qw, qz, v, three);
    if (!s)
        s = el_gmvae_elbo_quad(g->m, g->x, qw, qz, &dq);
    if (!s)
        s = el_gmvae_elbo_mc(g->m, g->x, qw, qz, g->n, g->r, &mc);
    if (s)
        return s;
    el_check_compare(res, *three, &dq, &mc);
    el_check_tally_le(t, "three-term ELBO <= log p(x)", *three, g->lp, EL_CHECK_IDENT_TOL);
    el_check_tally_le(t, "direct MC ELBO <= log p(x) (within 5 se)", mc.value, g->lp,
                      EL_MC_SIGMAS * mc.se);
    return EL_OK;
}

/* For one q(w|x): every q(z|w,x) of the set, then the optimality relations
 * for the claimed optimum (the prior under mistake 4). */
static int run_qw(const gm_run *g, const el_gauss *qw, int v, el_check_tally *t,
                  el_check_result *res)
{
    double val[EL_GMVAE_NQZ], kl[EL_GMVAE_NQZ];
    el_gmvae_qz qz[EL_GMVAE_NQZ];
    el_quad_result zq, klq;
    el_estimate zmc;
    int s = EL_OK, claimed = v == 4 ? 1 : 0;
    for (int i = 0; i < EL_GMVAE_NQZ && !s; i++) {
        el_gmvae_example_qz(g->m, i, &qz[i]);
        s = compare_forms(g, qw, &qz[i], v, &val[i], t, res);
        if (!s)
            s = el_gmvae_kl_zpost(g->m, qw, &qz[i], &klq);
        kl[i] = klq.value;
    }
    if (!s)
        s = el_gmvae_zmax(g->m, g->x, qw, &zq, g->n, g->r, &zmc);
    if (s)
        return s;
    /* the best ELBO over q(z|w,x) is reached at the claimed optimum */
    el_check_compare(res, val[claimed], &zq, &zmc);
    for (int i = 0; i < EL_GMVAE_NQZ; i++) {
        el_check_tally_eq(t, "ELBO(q_z) = max - E_q(w) KL(q(z|w,x)||p(z|w))", val[i],
                          zq.value - kl[i], 1e-9);
        el_check_tally_le(t, "ELBO(q_z) <= ELBO(claimed optimum)", val[i], val[claimed], 1e-9);
    }
    return EL_OK;
}

int el_gmvae_check_elbo(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    static const el_gauss qws[] = { { 1.55, 0.33 }, { 1.0, 0.6 } };
    el_gmvae m;
    double x[2], lp;
    el_gmvae_example(&m, x);
    int s = el_gmvae_log_evidence(&m, x, &lp);
    gsl_rng *r = s ? NULL : el_check_rng(c, o);
    if (!s && !r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    gm_run g = { &m, x, lp, el_check_samples(o, 40000), r };
    el_check_tally t;
    el_check_tally_init(&t);
    for (size_t i = 0; i < sizeof qws / sizeof qws[0] && !s; i++)
        s = run_qw(&g, &qws[i], v, &t, res);
    el_rng_free(r);
    char prefix[128];
    snprintf(prefix, sizeof prefix,
             "K = 3, D = 2; 2 q(w|x) x 3 q(z|w,x); log p(x) = %.10g; "
             "%zu MC draws",
             lp, g.n);
    el_check_tally_finish(&t, prefix, res);
    return s;
}
