/* integrate.c -- expectations, integrals and sums over a random variable.
 *
 * - a discrete variable: the exact finite sum over its states;
 * - under a Gaussian (a declared distribution whose density is N(z; m, v),
 *   or a literal N(m, v)): Gauss-Hermite in the standardised coordinate
 *   z = m + sqrt(2) L t (GSL's fixed Hermite rule), at two orders; the
 *   difference is the error estimate;
 * - any other 1-D integral: GSL's QAGI on z = loc + scale t, centred and
 *   scaled on the variable's declared location, with GSL's error estimate;
 * - other integrals over R^d (d <= 3): tensor Gauss-Hermite against the
 *   reference N(loc, scale^2 I), at two orders. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/derive_int.h"

/* ---- Gauss-Hermite nodes (computed once) ------------------------------------ */

enum { GH_ORDERS = 7 };
static const int gh_n[GH_ORDERS] = { 4, 6, 10, 16, 24, 40, 64 };
static double gh_x[GH_ORDERS][64], gh_w[GH_ORDERS][64];
static pthread_once_t gh_once = PTHREAD_ONCE_INIT;

static void gh_init(void)
{
    el_gsl_init();
    for (int k = 0; k < GH_ORDERS; k++) {
        gsl_integration_fixed_workspace *w =
            gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, (size_t)gh_n[k], 0, 1, 0, 0);
        if (!w)
            continue;
        const double *x = gsl_integration_fixed_nodes(w), *wt = gsl_integration_fixed_weights(w);
        for (int i = 0; i < gh_n[k]; i++) {
            gh_x[k][i] = x[i];
            gh_w[k][i] = wt[i] / sqrt(M_PI); /* weights of N(0, 1/2) */
        }
        gsl_integration_fixed_free(w);
    }
}

/* ---- resolving a distribution term ------------------------------------------ */

static int rv_index(const el_context *c, const char *name)
{
    for (int i = 0; i < c->nrv; i++)
        if (strcmp(c->rv[i].name, name) == 0)
            return i;
    return -1;
}

static int first_real_rv(const el_context *c)
{
    int k = c->latent[0] ? rv_index(c, c->latent) : -1;
    for (int i = 0; k < 0 && i < c->nrv; i++)
        if (c->rv[i].kind != RV_OBSERVED)
            k = i;
    return k;
}

static int tfail(env *e, const char *msg, const char *name)
{
    snprintf(e->msg, sizeof e->msg, msg, name);
    return -1;
}

static int tunknown(env *e, const char *msg, const char *name)
{
    e->unknown = 1;
    return tfail(e, msg, name);
}

/* Mean and covariance of a declared distribution whose density is
 * N(var; m, v), evaluated with the call's arguments bound. */
static void declared_gaussian(env *e, dterm *d)
{
    const ddist *g = d->dist;
    int saved = d->call ? ev_bind_call(e, g, d->call) : e->nbind;
    if (saved < 0)
        return;
    dval sd;
    if (!ev(e, g->mean, &d->mean)) {
        if (g->cov && !ev(e, g->cov, &d->cov)) {
            d->gaussian = 1;
        } else if (g->sd && !ev(e, g->sd, &sd)) {
            int n = sd.rows * sd.cols;
            if (n == 1) {
                dv_set(&d->cov, sd.v[0] * sd.v[0]);
            } else {
                memset(&d->cov, 0, sizeof d->cov);
                d->cov.rows = d->cov.cols = n;
                for (int i = 0; i < n; i++)
                    d->cov.v[i * n + i] = sd.v[i] * sd.v[i];
            }
            d->gaussian = 2; /* the covariance is explicit: no sd convention */
        }
    }
    e->nbind = saved;
}

static void detect_gaussian(env *e, dterm *d)
{
    if (d->dist->mean) {
        declared_gaussian(e, d);
        return;
    }
    const el_tree *g = d->dist->density;
    if (!g || g->kind != EL_T_GAUSS || !g->c || g->c->kind != EL_T_VAR ||
        strcmp(g->c->name, d->dist->vars[0]) != 0)
        return;
    int saved = d->call ? ev_bind_call(e, d->dist, d->call) : e->nbind;
    if (saved < 0)
        return;
    if (!ev(e, g->a, &d->mean) && !ev(e, g->b, &d->cov)) {
        d->gaussian = 1;
        d->sd = g->num != 0;
    }
    e->nbind = saved;
}

/* The first distribution referenced inside a mixture term. */
static const ddist *first_dist(env *e, const el_tree *t)
{
    if (!t)
        return NULL;
    if (t->kind == EL_T_CALL)
        return ev_call_dist(e, t);
    if (t->kind == EL_T_VAR)
        return ctx_dist_bare(e->ctx, t->name);
    const ddist *d = first_dist(e, t->a);
    return d ? d : first_dist(e, t->b);
}

static int resolve_literal(env *e, const el_tree *t, const char *var, dterm *out)
{
    int k = var ? rv_index(e->ctx, var) : first_real_rv(e->ctx);
    if (t->c && t->c->kind == EL_T_VAR)
        k = rv_index(e->ctx, t->c->name);
    if (k < 0)
        return tunknown(e,
                        "not checkable here: a Gaussian over %s, which is not a random "
                        "variable of this context",
                        var ? var : "?");
    out->rv = k;
    if (ev(e, t->a, &out->mean) || ev(e, t->b, &out->cov))
        return -1;
    out->gaussian = 1;
    out->sd = t->num != 0;
    return 0;
}

int term_resolve(env *e, const el_tree *t, const char *var, dterm *out)
{
    memset(out, 0, sizeof *out);
    out->tree = t;
    if (var)
        snprintf(out->bindname, sizeof out->bindname, "%s", var);
    if (t && t->kind == EL_T_GAUSS)
        return resolve_literal(e, t, var, out);
    if (!t || t->kind == EL_T_VAR) {
        out->dist = ctx_dist_bare(e->ctx, t ? t->name : "q");
        if (!out->dist)
            return tunknown(e, "not checkable here: unknown distribution '%s'", t ? t->name : "q");
    } else if (t->kind == EL_T_CALL) {
        out->dist = ev_call_dist(e, t);
        out->call = t;
        if (!out->dist)
            return tunknown(e,
                            "not checkable here: this context has no distribution %s(...) "
                            "of that signature",
                            t->name);
    } else {
        const ddist *d = first_dist(e, t);
        if (!d)
            return tunknown(e, "not checkable here: %s is not a distribution", "this term");
        out->rv = rv_index(e->ctx, d->vars[0]);
        if (out->rv < 0)
            return tfail(e, "the variable %s is not declared", d->vars[0]);
        return 0; /* a mixture: evaluated as written */
    }
    out->rv = rv_index(e->ctx, out->dist->vars[0]);
    if (out->rv < 0)
        return tfail(e, "the variable %s is not declared in the context", out->dist->vars[0]);
    if (e->ctx->rv[out->rv].kind == RV_REAL)
        detect_gaussian(e, out);
    return 0;
}

int term_log_density(env *e, const dterm *d, dval *out)
{
    const char *name = e->ctx->rv[d->rv].name;
    if (d->tree && d->tree->kind == EL_T_GAUSS) {
        el_tree var = { .kind = EL_T_VAR };
        snprintf(var.name, sizeof var.name, "%s", name);
        dval x;
        if (ev(e, &var, &x))
            return -1;
        return ev_gauss_log_at(e, d->tree, &x, out);
    }
    if (d->dist && d->call)
        return ev_log(e, d->call, out);
    if (d->dist)
        return ev_log(e, d->dist->density, out);
    return ev_log(e, d->tree, out);
}

int term_density(env *e, const dterm *d, dval *out)
{
    if (d->dist && d->call)
        return ev(e, d->call, out);
    if (d->dist)
        return ev(e, d->dist->density, out);
    if (term_log_density(e, d, out))
        return -1;
    out->v[0] = exp(out->v[0]);
    out->err *= out->v[0];
    return 0;
}

/* ---- rules -------------------------------------------------------------------- */

/* Binds the variable (and the term's own name for it) to v. */
static int bind_var(env *e, const dterm *d, dval v)
{
    int saved = env_bind(e, e->ctx->rv[d->rv].name, &v);
    if (saved >= 0 && d->bindname[0] && strcmp(d->bindname, e->ctx->rv[d->rv].name) != 0 &&
        env_bind(e, d->bindname, &v) < 0)
        return e->nbind = saved, -1;
    return saved;
}

static int expect_states(env *e, const dterm *d, integrand fn, void *arg, dval *out)
{
    int n = e->in->rvsize[d->rv];
    double acc = 0, err = 0;
    for (int k = 1; k <= n; k++) {
        int saved = bind_var(e, d, dv_num(k));
        if (saved < 0)
            return -1;
        dval w, f;
        int rc = term_density(e, d, &w);
        if (!rc && w.v[0] != 0)
            rc = fn(e, arg, &f);
        e->nbind = saved;
        if (rc)
            return -1;
        if (w.v[0] == 0)
            continue;
        if (!dv_scalar(&f))
            return tfail(e, "%s", "an expectation of a vector or matrix");
        acc += w.v[0] * f.v[0];
        err += fabs(w.v[0]) * f.err + fabs(f.v[0]) * w.err;
    }
    dv_set(out, acc);
    out->err = err;
    return 0;
}

/* Lower-triangular factor of a covariance (1-D: the standard deviation). */
static int chol(env *e, const dval *cov, int dim, int sd_convention, double *l)
{
    if (dv_scalar(cov)) {
        double v = sd_convention ? cov->v[0] * cov->v[0] : cov->v[0];
        if (!(v > 0))
            return tfail(e, "%s", "a Gaussian's variance must be > 0");
        memset(l, 0, sizeof(double) * (size_t)(dim * dim));
        for (int i = 0; i < dim; i++)
            l[i * dim + i] = sqrt(v);
        return 0;
    }
    if (cov->rows != dim || cov->cols != dim)
        return tfail(e, "%s", "a covariance does not fit its variable");
    memcpy(l, cov->v, sizeof(double) * (size_t)(dim * dim));
    gsl_matrix_view lv = gsl_matrix_view_array(l, (size_t)dim, (size_t)dim);
    if (gsl_linalg_cholesky_decomp1(&lv.matrix))
        return tfail(e, "%s", "a covariance is not positive definite");
    for (int i = 0; i < dim; i++)
        for (int j = i + 1; j < dim; j++)
            l[i * dim + j] = 0;
    return 0;
}

typedef struct {
    const dterm *d; /* NULL: a plain integral against the reference */
    integrand fn;
    void *arg;
    const double *m, *l;
    int dim;
} gh_job;

/* The tensor Gauss-Hermite sum at order k: E[g(m + sqrt2 L t)]. */
static int gh_sum(env *e, const gh_job *j, int k, double *val, double *err)
{
    int n = gh_n[k], total = 1;
    for (int i = 0; i < j->dim; i++)
        total *= n;
    double acc = 0, eacc = 0;
    for (int idx = 0; idx < total; idx++) {
        dval z;
        z.rows = j->dim, z.cols = 1, z.err = 0;
        double w = 1, t[8];
        for (int i = 0, r = idx; i < j->dim; i++, r /= n) {
            t[i] = gh_x[k][r % n];
            w *= gh_w[k][r % n];
        }
        for (int i = 0; i < j->dim; i++) {
            double s = j->m[i];
            for (int c = 0; c <= i; c++)
                s += M_SQRT2 * j->l[i * j->dim + c] * t[c];
            z.v[i] = s;
        }
        int saved = j->d ? bind_var(e, j->d, z) : e->nbind;
        if (saved < 0)
            return -1;
        dval f;
        int rc = j->fn(e, j->arg, &f);
        e->nbind = saved;
        if (rc)
            return -1;
        if (!dv_scalar(&f))
            return tfail(e, "%s", "an expectation of a vector or matrix");
        acc += w * f.v[0];
        eacc += w * f.err;
    }
    *val = acc;
    *err = eacc;
    return 0;
}

/* Two Gauss-Hermite orders, low first; escalates to higher orders when the
 * two disagree by more than 1e-10 relative (far below the 1e-9 tolerance
 * of a step, and the difference is added to the error bound). Polynomial
 * integrands -- the log-densities of Gaussians, quadratic forms -- are exact
 * at the first level (an n-point rule is exact to degree 2n - 1). */
static int gh_two_orders(env *e, const gh_job *j, dval *out)
{
    pthread_once(&gh_once, gh_init);
    static const int levels[3][3][2] = {
        { { 2, 3 }, { 4, 5 }, { 5, 6 } }, /* 1-D: 10/16, 24/40, 40/64 points */
        { { 1, 2 }, { 3, 4 }, { 3, 4 } }, /* 2-D: 6/10, 16/24 per axis */
        { { 0, 1 }, { 2, 3 }, { 2, 3 } }, /* 3-D: 4/6, 10/16 per axis */
    };
    int d = j->dim < 1 ? 1 : j->dim > 3 ? 3 : j->dim;
    double a, ea, b, eb;
    for (int level = 0; level < 3; level++) {
        if (level > 0 && levels[d - 1][level][1] == levels[d - 1][level - 1][1])
            break;
        int lo = levels[d - 1][level][0], hi = levels[d - 1][level][1];
        if (gh_sum(e, j, hi, &b, &eb) || gh_sum(e, j, lo, &a, &ea))
            return -1;
        dv_set(out, b);
        out->err = fabs(b - a) + eb + 1e-15 * fabs(b);
        if (fabs(b - a) <= 1e-10 * fmax(1.0, fabs(b)))
            break;
    }
    return 0;
}

static int qagi_on(env *e, int rv, integrand fn, void *arg, double loc, double scale, int gauss,
                   dval *out);

static int expect_gauss(env *e, const dterm *d, integrand fn, void *arg, dval *out)
{
    int dim = e->in->rvsize[d->rv];
    if (d->mean.rows * d->mean.cols != dim)
        return tfail(e, "the mean of the Gaussian over %s has the wrong size",
                     e->ctx->rv[d->rv].name);
    double l[DV_MAX];
    int sd = d->gaussian == 2 ? 0 : d->sd;
    if (chol(e, &d->cov, dim, sd, l))
        return -1;
    gh_job j = { d, fn, arg, d->mean.v, l, dim };
    if (gh_two_orders(e, &j, out))
        return -1;
    /* Gauss-Hermite converges slowly for some integrands (log(1 + z^2)):
     * then GSL's adaptive QAGI in the same standardised coordinate decides */
    if (dim == 1 && out->err > 1e-10 * fmax(1.0, fabs(out->v[0]))) {
        dval q;
        if (qagi_on(e, d->rv, fn, arg, d->mean.v[0], l[0], 1, &q) == 0 && q.err < out->err)
            *out = q;
    }
    return 0;
}

typedef struct {
    const dterm *d;
    integrand fn;
    void *arg;
} weighted;

static int weighted_fn(env *e, void *arg, dval *out)
{
    weighted *w = arg;
    dval p, f;
    if (term_density(e, w->d, &p))
        return -1;
    if (p.v[0] == 0) {
        dv_set(out, 0);
        return 0;
    }
    if (w->fn(e, w->arg, &f))
        return -1;
    if (!dv_scalar(&f))
        return tfail(e, "%s", "an expectation of a vector or matrix");
    dv_set(out, p.v[0] * f.v[0]);
    out->err = fabs(p.v[0]) * f.err + fabs(f.v[0]) * p.err;
    return 0;
}

typedef struct {
    const el_tree *inner;
    integrand fn;
    void *arg;
} nested;

static int nested_fn(env *e, void *arg, dval *out)
{
    nested *n = arg;
    dterm in;
    if (term_resolve(e, n->inner, NULL, &in))
        return -1;
    return integrate_expect(e, &in, n->fn, n->arg, out);
}

/* E over a joint q(w,z|x) declared as q(w|x) q(z|w,x): E_{q(w|x)} E_{q(z|w,x)}. */
static int expect_joint(env *e, const dterm *d, integrand fn, void *arg, dval *out)
{
    const el_tree *den = d->dist->density;
    if (!den || den->kind != EL_T_MUL || den->a->kind != EL_T_CALL || den->b->kind != EL_T_CALL)
        return tfail(e,
                     "cannot average over %s: the context must declare its density as a "
                     "product such as q(w|x) q(z|w,x)",
                     d->dist->name);
    const el_tree *outer = den->a, *inner = den->b;
    const ddist *da = ev_call_dist(e, den->a);
    const ddist *db = ev_call_dist(e, den->b);
    if (!da || !db)
        return tfail(e, "the factors of %s are not distributions of the context", d->dist->name);
    for (int i = 0; i < da->ncond; i++)
        if (strcmp(da->cond[i], db->vars[0]) == 0)
            outer = den->b, inner = den->a;
    dterm o;
    if (term_resolve(e, outer, NULL, &o))
        return -1;
    nested n = { inner, fn, arg };
    return integrate_expect(e, &o, nested_fn, &n, out);
}

int integrate_expect(env *e, const dterm *d, integrand fn, void *arg, dval *out)
{
    if (d->dist && d->dist->nvars == 2)
        return expect_joint(e, d, fn, arg, out);
    const drandom *rv = &e->ctx->rv[d->rv];
    if (rv->kind == RV_STATES)
        return expect_states(e, d, fn, arg, out);
    if (rv->kind == RV_OBSERVED)
        return tfail(e, "%s is observed: there is nothing to average over", rv->name);
    if (d->gaussian)
        return expect_gauss(e, d, fn, arg, out);
    weighted w = { d, fn, arg };
    return integrate_plain(e, d->rv, weighted_fn, &w, out);
}

/* ---- plain integrals ------------------------------------------------------------ */

typedef struct {
    env *e;
    int rv;
    integrand fn;
    void *arg;
    double loc, scale;
    int failed;
    double err;
    int gauss; /* E under N(loc, scale^2): weight phi(t) instead of scale */
} qagi_job;

static double qagi_cb(double t, void *p)
{
    qagi_job *j = p;
    if (j->failed)
        return 0;
    dval z;
    dv_set(&z, j->loc + j->scale * t);
    int saved = env_bind(j->e, j->e->ctx->rv[j->rv].name, &z);
    if (saved < 0) {
        j->failed = 1;
        return 0;
    }
    dval f;
    int rc = j->fn(j->e, j->arg, &f);
    j->e->nbind = saved;
    if (rc || !dv_scalar(&f) || !isfinite(f.v[0])) {
        j->failed = rc ? 1 : 2;
        return 0;
    }
    double w = j->gauss ? exp(-0.5 * t * t) / sqrt(2 * M_PI) : j->scale;
    j->err = fmax(j->err, w * f.err);
    return w * f.v[0];
}

static int loc_scale(env *e, int rv, dval *loc, dval *scale)
{
    const drandom *r = &e->ctx->rv[rv];
    dv_set(loc, 0);
    dv_set(scale, 1);
    if (r->loc && ev(e, r->loc, loc))
        return -1;
    if (r->scale && ev(e, r->scale, scale))
        return -1;
    return 0;
}

/* GSL's QAGI on z = loc + scale t: the plain integral of fn over the real
 * variable rv, or (gauss) its expectation under N(loc, scale^2). */
static int qagi_on(env *e, int rv, integrand fn, void *arg, double loc, double scale, int gauss,
                   dval *out)
{
    el_gsl_init();
    qagi_job j = { e, rv, fn, arg, loc, fabs(scale), 0, 0, gauss };
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    if (!w)
        return tfail(e, "%s", "out of memory");
    gsl_function F = { qagi_cb, &j };
    double v = 0, abserr = 0;
    int s = gsl_integration_qagi(&F, 0, 1e-11, 1000, w, &v, &abserr);
    gsl_integration_workspace_free(w);
    if (j.failed == 1)
        return -1;
    if (j.failed == 2)
        return tfail(e, "the integrand over %s is not finite somewhere", e->ctx->rv[rv].name);
    if (s && s != GSL_EROUND)
        return tfail(e, "the integral over %s did not converge (it may diverge)",
                     e->ctx->rv[rv].name);
    dv_set(out, v);
    out->err = abserr + j.err * 10 + 1e-14 * fabs(v);
    return 0;
}

static int plain_1d(env *e, int rv, integrand fn, void *arg, dval *out)
{
    dval loc, scale;
    if (loc_scale(e, rv, &loc, &scale))
        return -1;
    return qagi_on(e, rv, fn, arg, loc.v[0], scale.v[0], 0, out);
}

typedef struct {
    integrand fn;
    void *arg;
    int rv;
    const double *m;
    double s;
    int dim;
} ref_job;

/* f(z) / N(z; loc, scale^2 I): integrand of a plain integral over R^d. */
static int ref_fn(env *e, void *arg, dval *out)
{
    ref_job *r = arg;
    const dval *z = &e->bind[e->nbind - 1].v;
    double q = 0;
    for (int i = 0; i < r->dim; i++) {
        double t = (z->v[i] - r->m[i]) / r->s;
        q += t * t;
    }
    double logref = -0.5 * (q + r->dim * log(2 * M_PI * r->s * r->s));
    if (r->fn(e, r->arg, out))
        return -1;
    double k = exp(-logref);
    out->v[0] *= k;
    out->err *= k;
    return 0;
}

int integrate_plain(env *e, int rv, integrand fn, void *arg, dval *out)
{
    const drandom *r = &e->ctx->rv[rv];
    if (r->kind == RV_STATES) {
        int n = e->in->rvsize[rv];
        double acc = 0, err = 0;
        for (int k = 1; k <= n; k++) {
            dval kv;
            dv_set(&kv, k);
            int saved = env_bind(e, r->name, &kv);
            if (saved < 0)
                return -1;
            dval f;
            int rc = fn(e, arg, &f);
            e->nbind = saved;
            if (rc)
                return -1;
            if (!dv_scalar(&f))
                return tfail(e, "%s", "an integral of a vector or matrix");
            acc += f.v[0];
            err += f.err;
        }
        dv_set(out, acc);
        out->err = err;
        return 0;
    }
    if (r->kind == RV_OBSERVED)
        return tfail(e, "%s is observed: it is not integrated over", r->name);
    int dim = e->in->rvsize[rv];
    if (dim == 1)
        return plain_1d(e, rv, fn, arg, out);
    dval loc, scale;
    if (loc_scale(e, rv, &loc, &scale))
        return -1;
    double m[8], l[DV_MAX] = { 0 }, s = fabs(scale.v[0]) * 1.5;
    for (int i = 0; i < dim; i++) {
        m[i] = loc.v[loc.rows * loc.cols > 1 ? i : 0];
        l[i * dim + i] = s;
    }
    dterm d;
    memset(&d, 0, sizeof d);
    d.rv = rv;
    ref_job rj = { fn, arg, rv, m, s, dim };
    gh_job j = { &d, ref_fn, &rj, m, l, dim };
    return gh_two_orders(e, &j, out);
}
