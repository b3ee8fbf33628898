/* gmvae.c -- the `gmvae.*` rows of the catalogue.  gmvae.elbo: on a small
 * Gaussian-mixture VAE with a linear-Gaussian decoder (el_gmvae.h), the
 * three-term ELBO equals the direct E_q[log p(x,w,z) - log q(w,z|x)] (by
 * quadrature and by Monte Carlo), both stay below the exact log p(x), and
 * the best q(z|w,x) is p(z|w). */
#include "check/el_check.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"
#include "results/elbo/el_elbo.h"
#include "results/el_gmvae.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the example ------------------------------------------------------------ */

/* K = 3 uniform components in a scalar w, decoded linearly into x in R^2. */
static void example(el_gmvae *m, double *x)
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

/* q(z|w,x) number I of the example set: 0 the optimum p(z|w), 1 the prior,
 * 2 a perturbation of the optimum's coefficients. */
#define NQZ 3
static void example_qz(const el_gmvae *m, int i, el_gmvae_qz *qz)
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

static const char *const elbo_mistakes[] = {
    "second term with the KL reversed: E_q(w|x)[KL(p(z)||q(z|w,x))]",
    "log q(w|x) dropped from the third term: only -E[-log p(w|z)]",
    "middle term dropped: no E_q(w|x)[KL(q(z|w,x)||p(z))]",
    "the optimal q(z|w,x) is the prior p(z)",
    NULL,
};

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

/* The three-term ELBO as VARIANT writes it. */
static int three_term(const el_gmvae *m, const double *x, const el_gauss *qw, const el_gmvae_qz *qz,
                      int v, double *out)
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
    int s = three_term(g->m, g->x, qw, qz, v, three);
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
    double val[NQZ], kl[NQZ];
    el_gmvae_qz qz[NQZ];
    el_quad_result zq, klq;
    el_estimate zmc;
    int s = EL_OK, claimed = v == 4 ? 1 : 0;
    for (int i = 0; i < NQZ && !s; i++) {
        example_qz(g->m, i, &qz[i]);
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
    for (int i = 0; i < NQZ; i++) {
        el_check_tally_eq(t, "ELBO(q_z) = max - E_q(w) KL(q(z|w,x)||p(z|w))", val[i],
                          zq.value - kl[i], 1e-9);
        el_check_tally_le(t, "ELBO(q_z) <= ELBO(claimed optimum)", val[i], val[claimed], 1e-9);
    }
    return EL_OK;
}

static int check_elbo(const el_check *c, const el_check_opts *o, int v, el_check_result *res)
{
    static const el_gauss qws[] = { { 1.55, 0.33 }, { 1.0, 0.6 } };
    el_gmvae m;
    double x[2], lp;
    example(&m, x);
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

static const el_check gmvae_checks[] = {
    { "gmvae.elbo",
      "ELBO = E_q(w|x)[log p(x|w)] - E_q(w|x)[KL(q(z|w,x)||p(z))] - E_q(w|x)q(z|w,x)[log q(w|x) - "
      "log p(w|z)] <= log p(x); best q(z|w,x) = p(z|w)",
      elbo_mistakes, check_elbo },
};

const el_check *el_gmvae_checks(size_t *n)
{
    *n = sizeof gmvae_checks / sizeof gmvae_checks[0];
    return gmvae_checks;
}

const el_eval *el_gmvae_evals(size_t *n)
{
    *n = 0;
    return NULL;
}

/* ---- gmvae-elbo: the ELBO as q(w|x) moves, for three q(z|w,x) ----------- */

#define FIG_N  61
#define FIG_MC 7
#define FIG_SD 0.33

static int write_elbo(FILE *f, const el_plot_opts *o)
{
    el_gmvae m;
    double x[2], lp, c[4][FIG_N], p[3][FIG_MC];
    example(&m, x);
    int s = el_gmvae_log_evidence(&m, x, &lp);
    for (int i = 0; i < FIG_N && !s; i++) {
        el_gauss qw = { 3.0 * i / (FIG_N - 1.0), FIG_SD };
        c[0][i] = qw.mu;
        for (int j = 0; j < NQZ && !s; j++) {
            el_gmvae_qz qz;
            example_qz(&m, j, &qz);
            s = three_term(&m, x, &qw, &qz, 0, &c[1 + j][i]);
        }
    }
    gsl_rng *r = s ? NULL : el_rng_alloc(el_seed_mix(o->seed, "gmvae-elbo"));
    if (!s && !r)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    for (int i = 0; i < FIG_MC && !s; i++) {
        el_gauss qw = { 0.25 + 2.5 * i / (FIG_MC - 1.0), FIG_SD };
        el_gmvae_qz qz;
        el_estimate e;
        example_qz(&m, 0, &qz);
        s = el_gmvae_elbo_mc(&m, x, &qw, &qz, 20000, r, &e);
        p[0][i] = qw.mu;
        p[1][i] = e.value;
        p[2][i] = e.se;
    }
    el_rng_free(r);
    if (s)
        return s;
    const double *cols[4] = { c[0], c[1], c[2], c[3] }, *pc[3] = { p[0], p[1], p[2] };
    el_plot_block(f, "three", FIG_N, 4, cols);
    el_plot_block(f, "mc", FIG_MC, 3, pc);
    fputs("set title \"GM-VAE (K = 3, w scalar, x in R^2, linear decoder): three-term ELBO as "
          "q(w|x) = N(m, 0.33^2) moves\"\n"
          "set xlabel 'mean m of q(w|x)'\nset ylabel 'nats'\n"
          "set key top left\nset autoscale xfix\n",
          f);
    fprintf(f, "set yrange [%.10g:%.10g]\n", lp - 9.0, lp + 3.5);
    fprintf(f,
            "plot %.17g w l lc rgb '#000000' lw 2 dt 2 t 'exact log p(x) (Gaussian mixture)', "
            "$three u 1:2 w l ls 1 t 'q(z|w,x) = p(z|w) (optimal)', "
            "$three u 1:4 w l ls 3 t 'q(z|w,x) = perturbed softmax', "
            "$three u 1:3 w l ls 2 t 'q(z|w,x) = p(z)', "
            "$mc u 1:2:3 w yerrorbars ls 4 pt 7 t 'direct MC of E_q[log p(x,w,z) - log q(w,z|x)], "
            "optimal q(z|w,x)'\n",
            lp);
    return EL_OK;
}

static const el_figure gmvae_figures[] = {
    { "gmvae-elbo", "GM-VAE: three-term ELBO vs direct MC, below log p(x); best q(z|w,x) = p(z|w)",
      "gmvae.elbo", write_elbo },
};

const el_figure *el_gmvae_figures(size_t *n)
{
    *n = sizeof gmvae_figures / sizeof gmvae_figures[0];
    return gmvae_figures;
}
