/* eval.c -- a derivation line's value at one instance of a context.
 *
 * Values are small dense matrices (at most 8 x 8) carried on the stack with
 * an absolute error bound; arithmetic propagates the bound to first order.
 * Densities come from the context's distributions, evaluated with their
 * variables bound; `log` of a density is taken in closed form (log-pdf),
 * so far tails give finite logs. Expectations, integrals and KLs go
 * through integrate.c. The recursion is bounded by the parser's depth
 * limit, a depth limit on densities and quantities defined through each
 * other, and a budget of node evaluations (no input hangs). */
#include <stdint.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "derive/derive_int.h"

dval dv_num(double x)
{
    dval d;
    d.rows = d.cols = 1;
    d.v[0] = x;
    d.err = 0;
    return d;
}

int dv_scalar(const dval *v)
{
    return v->rows == 1 && v->cols == 1;
}

/* Copies a value's used elements only (a dval is 64 doubles wide; most are
 * scalars, and whole-struct copies were most of the evaluation's cost). */
static void dv_copy(dval *dst, const dval *src)
{
    dst->rows = src->rows;
    dst->cols = src->cols;
    dst->err = src->err;
    memcpy(dst->v, src->v, sizeof(double) * (size_t)(src->rows * src->cols));
}

static int fail(env *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int unknown(env *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->unknown = 1;
    return -1;
}

/* The cache slot of node `key`: found (->key == key) or free, or NULL. */
static rc_entry *rc_slot(env *e, const void *key)
{
    if (!e->rc)
        return NULL;
    size_t h = ((uintptr_t)key >> 4) * 2654435761u % RC_SIZE;
    for (int probe = 0; probe < 16; probe++, h = (h + 1) % RC_SIZE) {
        rc_entry *s = &e->rc->e[h];
        if (s->key == key || !s->key)
            return s;
    }
    return NULL;
}

int env_bind(env *e, const char *name, const dval *v)
{
    int saved = e->nbind;
    if (e->nbind >= BIND_MAX)
        return fail(e, "sums and expectations are nested too deeply");
    name_copy(e->bind[e->nbind].name, name, CTX_NAME);
    dv_copy(&e->bind[e->nbind++].v, v);
    return saved;
}

static const dval *bound(const env *e, const char *name)
{
    for (int i = e->nbind - 1; i >= 0; i--)
        if (e->bind[i].name[0] == name[0] && strcmp(e->bind[i].name, name) == 0)
            return &e->bind[i].v;
    return NULL;
}

/* ---- arithmetic ------------------------------------------------------------ */

static int n_of(const dval *v)
{
    return v->rows * v->cols;
}

static double maxabs(const dval *v)
{
    double m = 0;
    for (int i = 0; i < n_of(v); i++)
        m = fmax(m, fabs(v->v[i]));
    return m;
}

static int add_sub(env *e, const dval *a, const dval *b, int sign, dval *out)
{
    if (dv_scalar(a) && dv_scalar(b)) {
        double err = a->err + b->err;
        out->v[0] = a->v[0] + sign * b->v[0];
        out->rows = out->cols = 1;
        out->err = err;
        return 0;
    }
    const dval *big = n_of(a) >= n_of(b) ? a : b;
    if (!dv_scalar(a) && !dv_scalar(b) && (a->rows != b->rows || a->cols != b->cols))
        return fail(e, "cannot add a %dx%d and a %dx%d value", a->rows, a->cols, b->rows, b->cols);
    dval r;
    dv_copy(&r, big);
    for (int i = 0; i < n_of(big); i++)
        r.v[i] = a->v[dv_scalar(a) ? 0 : i] + sign * b->v[dv_scalar(b) ? 0 : i];
    r.err = a->err + b->err;
    dv_copy(out, &r);
    return 0;
}

static int mul(env *e, const dval *a, const dval *b, int elementwise, dval *out)
{
    if (dv_scalar(a) && dv_scalar(b)) {
        double x = a->v[0], y = b->v[0];
        out->err = fabs(x) * b->err + fabs(y) * a->err + a->err * b->err;
        out->v[0] = x * y;
        out->rows = out->cols = 1;
        return 0;
    }
    double err = maxabs(a) * b->err + maxabs(b) * a->err + a->err * b->err;
    if (dv_scalar(a) || dv_scalar(b) || elementwise ||
        (a->rows == b->rows && a->cols == b->cols && a->cols == 1)) {
        const dval *big = n_of(a) >= n_of(b) ? a : b;
        if (!dv_scalar(a) && !dv_scalar(b) && (a->rows != b->rows || a->cols != b->cols))
            return fail(e, "cannot multiply a %dx%d and a %dx%d value elementwise", a->rows,
                        a->cols, b->rows, b->cols);
        dval r;
        dv_copy(&r, big);
        for (int i = 0; i < n_of(big); i++)
            r.v[i] = a->v[dv_scalar(a) ? 0 : i] * b->v[dv_scalar(b) ? 0 : i];
        r.err = err;
        dv_copy(out, &r);
        return 0;
    }
    if (a->cols != b->rows)
        return fail(e, "cannot multiply a %dx%d and a %dx%d matrix", a->rows, a->cols, b->rows,
                    b->cols);
    if (a->rows * b->cols > DV_MAX)
        return fail(e, "a product larger than 8x8");
    dval r; /* out may alias a or b */
    r.rows = a->rows, r.cols = b->cols;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < b->cols; j++) {
            double s = 0;
            for (int k = 0; k < a->cols; k++)
                s += a->v[i * a->cols + k] * b->v[k * b->cols + j];
            r.v[i * r.cols + j] = s;
        }
    r.err = err * a->cols;
    dv_copy(out, &r);
    return 0;
}

static int divide(env *e, const dval *a, const dval *b, dval *out)
{
    if (!dv_scalar(b) && !(a->rows == b->rows && a->cols == b->cols) && !dv_scalar(a))
        return fail(e, "cannot divide by a %dx%d value", b->rows, b->cols);
    const dval *big = n_of(a) >= n_of(b) ? a : b;
    dval r;
    dv_copy(&r, big);
    double err = 0;
    for (int i = 0; i < n_of(big); i++) {
        double x = a->v[dv_scalar(a) ? 0 : i], y = b->v[dv_scalar(b) ? 0 : i];
        r.v[i] = x / y;
        err = fmax(err, (a->err + fabs(x / y) * b->err) / fabs(y));
    }
    r.err = err;
    dv_copy(out, &r);
    return 0;
}

/* LU of a square value: det, or the inverse into *inv. */
static int lu(env *e, const dval *a, double *det, dval *inv)
{
    if (a->rows != a->cols)
        return fail(e, "det and inverse need a square matrix, got %dx%d", a->rows, a->cols);
    int n = a->rows, sign;
    double m[DV_MAX];
    memcpy(m, a->v, sizeof(double) * (size_t)(n * n));
    gsl_matrix_view mv = gsl_matrix_view_array(m, (size_t)n, (size_t)n);
    size_t perm[8]; /* on the stack: this runs at every quadrature point */
    gsl_permutation pv = { (size_t)n, perm }, *p = &pv;
    int rc = gsl_linalg_LU_decomp(&mv.matrix, p, &sign);
    if (!rc && det)
        *det = gsl_linalg_LU_det(&mv.matrix, sign);
    if (!rc && inv) {
        *inv = *a;
        gsl_matrix_view iv = gsl_matrix_view_array(inv->v, (size_t)n, (size_t)n);
        if (gsl_linalg_LU_invert(&mv.matrix, p, &iv.matrix))
            for (int i = 0; i < n * n; i++)
                inv->v[i] = NAN;
    }
    return rc ? fail(e, "the matrix is singular") : 0;
}

static int power(env *e, const dval *a, const dval *b, dval *out)
{
    if (!dv_scalar(b))
        return fail(e, "an exponent must be a number");
    double k = b->v[0];
    if (!dv_scalar(a) && a->rows == a->cols && a->rows > 1) {
        if (k != floor(k) || fabs(k) > 64)
            return fail(e, "a matrix power needs a whole exponent");
        dval base = *a, acc;
        if (k < 0 && lu(e, a, NULL, &base))
            return -1;
        acc = base;
        for (int i = 0; i < a->rows * a->cols; i++)
            acc.v[i] = (i / a->cols == i % a->cols);
        for (int i = 0; i < (int)fabs(k); i++) {
            dval next; /* mul must not write over its operands */
            if (mul(e, &acc, &base, 0, &next))
                return -1;
            acc = next;
        }
        *out = acc;
        return 0;
    }
    dv_copy(out, a);
    double err = 0;
    for (int i = 0; i < n_of(a); i++) {
        double x = a->v[i];
        out->v[i] = k == 2 ? x * x : pow(x, k);
        err = fmax(err, fabs(k * pow(x, k - 1)) * a->err + fabs(out->v[i] * log(fabs(x))) * b->err);
    }
    out->err = isfinite(err) ? err : INFINITY;
    return 0;
}

static int apply_fn(env *e, const char *fn, const dval *a, dval *out)
{
    if (out != a)
        dv_copy(out, a);
    if (strcmp(fn, "tr") == 0 || strcmp(fn, "det") == 0 || strcmp(fn, "inv") == 0) {
        if (a->rows != a->cols)
            return fail(e, "%s needs a square matrix", fn);
        if (fn[0] == 't') {
            double s = 0;
            for (int i = 0; i < a->rows; i++)
                s += a->v[i * a->cols + i];
            dv_set(out, s);
            out->err = a->err * a->rows;
            return 0;
        }
        if (fn[0] == 'd') {
            double d;
            if (lu(e, a, &d, NULL))
                return -1;
            dv_set(out, d);
            out->err = a->err * fabs(d) * a->rows * 10;
            return 0;
        }
        return lu(e, a, NULL, out);
    }
    double err = 0;
    for (int i = 0; i < n_of(a); i++) {
        double x = a->v[i], y;
        if (strcmp(fn, "log") == 0)
            y = log(x), err = fmax(err, a->err / fabs(x));
        else if (strcmp(fn, "exp") == 0)
            y = exp(x), err = fmax(err, y * a->err);
        else if (strcmp(fn, "sqrt") == 0)
            y = sqrt(x), err = fmax(err, a->err / (2 * y));
        else
            y = fabs(x), err = a->err;
        out->v[i] = y;
    }
    out->err = isfinite(err) ? err : INFINITY;
    return 0;
}

static int transpose(const dval *a, dval *out)
{
    dval t = *a;
    t.rows = a->cols, t.cols = a->rows;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++)
            t.v[j * t.cols + i] = a->v[i * a->cols + j];
    *out = t;
    return 0;
}

/* ---- names -------------------------------------------------------------------- */

static int ev_quantity(env *e, const dquant *q, dval *out)
{
    if (!q->value)
        return fail(e, "the quantity %s has no value", q->name);
    if (e->depth > 8)
        return fail(e, "quantities defined in terms of each other");
    e->depth++;
    int rc = ev(e, q->value, out);
    e->depth--;
    return rc;
}

/* base_sub with sub a bound index or a number: the element of vector base. */
static int ev_indexed(env *e, const char *name, rc_entry *slot, dval *out, int *found)
{
    const char *u = strrchr(name, '_');
    *found = 0;
    if (!u || u == name)
        return 0;
    char base[CTX_NAME], sub[CTX_NAME];
    size_t bn = (size_t)(u - name) < sizeof base - 1 ? (size_t)(u - name) : sizeof base - 1;
    memcpy(base, name, bn);
    base[bn] = '\0';
    name_copy(sub, u + 1, sizeof sub);
    const dval *vec = bound(e, base);
    int pi = -1;
    if (!vec) {
        pi = slot && slot->kind == 4 ? slot->index : ctx_param_index(e->ctx, base);
        if (pi >= 0)
            vec = &e->in->param[pi];
    }
    if (!vec || vec->cols != 1)
        return 0;
    dval idx;
    const dval *b = bound(e, sub);
    char *end;
    double k = strtod(sub, &end);
    if (b) {
        idx = *b;
    } else if (end != sub && !*end) {
        dv_set(&idx, k);
    } else {
        const drandom *rv = ctx_rv(e->ctx, sub);
        if (!rv || rv->kind != RV_STATES)
            return 0;
        dv_set(&idx, e->in->rvfree[rv - e->ctx->rv][0]);
    }
    *found = 1;
    if (slot && pi >= 0) /* the vector is a parameter: remember which */
        slot->kind = 4, slot->index = pi;
    long i = lround(idx.v[0]);
    if (!dv_scalar(&idx) || i < 1 || i > vec->rows)
        return fail(e, "%s_%s: index %ld is outside 1..%d", base, sub, i, vec->rows);
    dv_set(out, vec->v[i - 1]);
    out->err = vec->err;
    return 0;
}

static int ev_var(env *e, const el_tree *t, dval *out)
{
    const dval *b = bound(e, t->name);
    if (b) {
        dv_copy(out, b);
        return 0;
    }
    rc_entry *slot = rc_slot(e, t);
    int pi;
    if (slot && slot->key == t && slot->kind != 0) {
        pi = slot->kind == 1 ? slot->index : -1; /* -1, 4 or 5: not a parameter */
    } else {
        pi = ctx_param_index(e->ctx, t->name);
        if (slot)
            *slot = (rc_entry){ t, pi >= 0 ? 1 : -1, pi, NULL };
    }
    if (pi >= 0) {
        dv_copy(out, &e->in->param[pi]);
        return 0;
    }
    int found;
    if (slot && slot->kind == 5) /* known not to be an indexed name */
        found = 0;
    else if (ev_indexed(e, t->name, slot && slot->key == t ? slot : NULL, out, &found))
        return -1;
    if (found)
        return 0;
    if (slot && slot->kind == -1)
        slot->kind = 5;
    const drandom *rv = ctx_rv(e->ctx, t->name);
    if (rv && rv->kind != RV_OBSERVED) {
        int k = (int)(rv - e->ctx->rv), n = rv->kind == RV_STATES ? 1 : e->in->rvsize[k];
        out->rows = n, out->cols = 1, out->err = 0;
        memcpy(out->v, e->in->rvfree[k], sizeof(double) * (size_t)n);
        return 0;
    }
    const dquant *q = ctx_quant(e->ctx, t->name);
    if (q)
        return ev_quantity(e, q, out);
    if (ctx_dist_bare(e->ctx, t->name)) {
        dterm d;
        if (term_resolve(e, t, NULL, &d))
            return -1;
        return term_density(e, &d, out);
    }
    if (rv)
        return unknown(e, "%s is observed: it has no value here", t->name);
    return unknown(e, "not checkable here: unknown symbol '%s'", t->name);
}

/* ---- distributions ------------------------------------------------------------ */

/* Finds the distribution of call t. */
const ddist *ev_call_dist(env *e, const el_tree *t)
{
    return ctx_dist_call(e->ctx, t);
}

/* Binds the distribution's variables to the call's arguments; returns the
 * binding count to restore, or -1. */
int ev_bind_call(env *e, const ddist *d, const el_tree *t)
{
    int saved = e->nbind;
    for (size_t i = 0; i < t->nargs; i++) {
        const el_tree *a = t->args[i];
        int j = (int)i < (int)t->nvars ? (int)i : (int)(i - t->nvars);
        int cond = i >= t->nvars;
        const char *decl = NULL;
        /* by name first (p(z,x) = p(x,z)), else by position */
        for (int k = 0; k < (cond ? d->ncond : d->nvars); k++)
            if (a->kind != EL_T_NUM && strcmp(cond ? d->cond[k] : d->vars[k], a->name) == 0)
                decl = a->name;
        if (!decl && j < (cond ? d->ncond : d->nvars))
            decl = cond ? d->cond[j] : d->vars[j];
        if (!decl)
            continue;
        const drandom *rv = ctx_rv(e->ctx, decl);
        if (rv && rv->kind == RV_OBSERVED)
            continue;
        if (a->kind == EL_T_VAR && strcmp(a->name, decl) == 0)
            continue; /* p(x|z) with z as it is: already bound or free */
        dval v;
        if (ev(e, a->kind == EL_T_BIND ? a->a : a, &v))
            return e->nbind = saved, -1;
        if (env_bind(e, decl, &v) < 0)
            return e->nbind = saved, -1;
    }
    return saved;
}

static int ev_call(env *e, const el_tree *t, dval *out, int take_log)
{
    rc_entry *slot = rc_slot(e, t);
    const dquant *q = NULL;
    const ddist *cached = NULL;
    if (slot && slot->key == t) {
        q = slot->kind == 3 ? slot->ptr : NULL;
        cached = slot->kind == 2 ? slot->ptr : NULL;
    } else {
        q = ctx_quant(e->ctx, t->name);
        if (!q)
            cached = ev_call_dist(e, t);
        if (slot)
            *slot = (rc_entry){ t, q ? 3 : cached ? 2 : -1, 0, q ? (const void *)q : cached };
    }
    if (q) {
        if (ev_quantity(e, q, out))
            return -1;
        return take_log ? apply_fn(e, "log", out, out) : 0;
    }
    const ddist *d = cached;
    if (!d) {
        char base[CTX_NAME];
        ctx_base_name(t->name, base, sizeof base);
        if (strchr("pq", base[0]) && !base[1])
            return unknown(e, "not checkable here: this context has no distribution of that "
                              "signature (see elbolab derive --help for the contexts)");
        return unknown(e, "not checkable here: unknown symbol '%s'", t->name);
    }
    if (!d->density)
        return fail(e, "%s has no density in this context", d->name);
    if (e->depth > 16) /* densities defined through each other, or through themselves */
        return fail(e, "the density of %s is defined in terms of itself", d->name);
    int saved = ev_bind_call(e, d, t);
    if (saved < 0)
        return -1;
    e->depth++;
    int rc = take_log ? ev_log(e, d->density, out) : ev(e, d->density, out);
    e->depth--;
    e->nbind = saved;
    return rc;
}

/* log N(x; m, v): 1-D with variance v (or, sd set, standard deviation v),
 * or d-D with covariance v (or v times the identity). */
static int gauss_log(env *e, const dval *x, const dval *m, const dval *v, int sd, dval *out)
{
    int d = x->rows;
    if (dv_scalar(x) && dv_scalar(v)) {
        double var = sd ? v->v[0] * v->v[0] : v->v[0];
        if (!(var > 0))
            return fail(e, "a Gaussian's variance must be > 0, got %g", var);
        double r = x->v[0] - m->v[0];
        dv_set(out, -0.5 * (log(2 * M_PI * var) + r * r / var));
        out->err = (x->err + m->err) * fabs(r) / var + v->err / var;
        return 0;
    }
    dval cov = *v;
    if (dv_scalar(v)) { /* N(x; m, s^2) over a vector: isotropic */
        double var = sd ? v->v[0] * v->v[0] : v->v[0];
        cov.rows = cov.cols = d;
        for (int i = 0; i < d * d; i++)
            cov.v[i] = i / d == i % d ? var : 0;
    }
    if (cov.rows != d || cov.cols != d || m->rows * m->cols != d)
        return fail(e, "a Gaussian's mean and covariance do not fit its variable");
    double l[DV_MAX], r[8];
    memcpy(l, cov.v, sizeof(double) * (size_t)(d * d));
    gsl_matrix_view lv = gsl_matrix_view_array(l, (size_t)d, (size_t)d);
    if (gsl_linalg_cholesky_decomp1(&lv.matrix))
        return fail(e, "a Gaussian's covariance is not positive definite");
    double logdet = 0, q = 0;
    for (int i = 0; i < d; i++) { /* solve L y = x - m */
        double s = x->v[i] - m->v[i];
        for (int k = 0; k < i; k++)
            s -= l[i * d + k] * r[k];
        r[i] = s / l[i * d + i];
        q += r[i] * r[i];
        logdet += 2 * log(l[i * d + i]);
    }
    dv_set(out, -0.5 * (d * log(2 * M_PI) + logdet + q));
    out->err = x->err + m->err + v->err;
    return 0;
}

int ev_gauss_log_at(env *e, const el_tree *t, const dval *x, dval *out)
{
    dval m, v;
    if (ev(e, t->a, &m) || ev(e, t->b, &v))
        return -1;
    return gauss_log(e, x, &m, &v, t->num != 0, out); /* num: the sd convention */
}

static int ev_gauss_log(env *e, const el_tree *t, dval *out)
{
    if (!t->c)
        return fail(e, "N(mean, variance) is a distribution, not a number: write N(z; mean, "
                       "variance) for its density");
    dval x;
    if (ev(e, t->c, &x))
        return -1;
    return ev_gauss_log_at(e, t, &x, out);
}

/* Is t a density-like factor whose log is a sum of log-densities? */
static int density_like(env *e, const el_tree *t)
{
    switch (t->kind) {
    case EL_T_CALL: return !ctx_quant(e->ctx, t->name);
    case EL_T_GAUSS: return t->c != NULL;
    case EL_T_MUL:
    case EL_T_DIV: return density_like(e, t->a) && density_like(e, t->b);
    case EL_T_VAR:
        return ctx_dist_bare(e->ctx, t->name) && !bound(e, t->name) &&
               ctx_param_index(e->ctx, t->name) < 0;
    default: return 0;
    }
}

int ev_log(env *e, const el_tree *t, dval *out)
{
    if (t->kind == EL_T_GAUSS)
        return ev_gauss_log(e, t, out);
    if (t->kind == EL_T_CALL && !ctx_quant(e->ctx, t->name))
        return ev_call(e, t, out, 1);
    if ((t->kind == EL_T_MUL || t->kind == EL_T_DIV) && density_like(e, t)) {
        dval a, b;
        if (ev_log(e, t->a, &a) || ev_log(e, t->b, &b))
            return -1;
        return add_sub(e, &a, &b, t->kind == EL_T_MUL ? 1 : -1, out);
    }
    if (t->kind == EL_T_VAR && density_like(e, t)) {
        dterm d;
        if (term_resolve(e, t, NULL, &d))
            return -1;
        return term_log_density(e, &d, out);
    }
    dval a;
    if (ev(e, t, &a))
        return -1;
    return apply_fn(e, "log", &a, out);
}

/* ---- sums, expectations, integrals, KL ------------------------------------------ */

typedef struct {
    const el_tree *body;
} body_arg;

static int body_fn(env *e, void *arg, dval *out)
{
    return ev(e, ((body_arg *)arg)->body, out);
}

/* A sum's bound: a whole number of at most 1e6 in magnitude. */
static int sum_bound(env *e, const el_tree *t, const char *index, int *out)
{
    dval v;
    if (ev(e, t, &v))
        return -1;
    double x = v.v[0];
    if (!dv_scalar(&v) || !(fabs(x) <= 1e6) || fabs(x - nearbyint(x)) > 1e-9)
        return fail(e, "the bound of the sum over %s is not a whole number", index);
    *out = (int)nearbyint(x);
    return 0;
}

static int sum_range(env *e, const el_tree *t, int *lo, int *hi)
{
    *lo = 1;
    if (t->b && sum_bound(e, t->b, t->name, lo))
        return -1;
    if (t->c) {
        if (sum_bound(e, t->c, t->name, hi))
            return -1;
    } else if (e->ctx->index_range[0]) {
        el_tree r = { .kind = EL_T_VAR };
        name_copy(r.name, e->ctx->index_range, sizeof r.name);
        if (sum_bound(e, &r, t->name, hi))
            return -1;
    } else {
        return unknown(e, "not checkable here: the range of the sum over %s is not known", t->name);
    }
    if (*hi - *lo > 64)
        return fail(e, "a sum over more than 64 terms");
    return 0;
}

static int ev_sum(env *e, const el_tree *t, dval *out)
{
    int prod = t->kind == EL_T_PROD;
    if (!t->name[0]) { /* \sum x: all elements */
        dval v;
        if (ev(e, t->a, &v))
            return -1;
        double s = prod ? 1 : 0;
        for (int i = 0; i < n_of(&v); i++)
            s = prod ? s * v.v[i] : s + v.v[i];
        dv_set(out, s);
        out->err = v.err * n_of(&v);
        return 0;
    }
    const drandom *rv = ctx_rv(e->ctx, t->name);
    if (rv && rv->kind == RV_REAL)
        return unknown(e,
                       "not checkable here: a sum over %s, a real variable; this reads "
                       "like a discrete latent: add `%% elbolab: context discrete`",
                       t->name);
    int lo = 1, hi = 0;
    if (rv && rv->kind == RV_STATES && !t->b && !t->c)
        hi = e->in->rvsize[rv - e->ctx->rv];
    else if (sum_range(e, t, &lo, &hi))
        return -1;
    dval acc;
    dv_set(&acc, prod ? 1 : 0);
    for (int k = lo; k <= hi; k++) {
        dval kv;
        dv_set(&kv, k);
        int saved = env_bind(e, t->name, &kv);
        if (saved < 0)
            return -1;
        dval v;
        int rc = ev(e, t->a, &v);
        e->nbind = saved;
        if (rc)
            return -1;
        if ((prod ? mul(e, &acc, &v, 1, &acc) : add_sub(e, &acc, &v, 1, &acc)))
            return -1;
    }
    *out = acc;
    return 0;
}

static int ev_expect(env *e, const el_tree *t, dval *out)
{
    dterm d;
    if (term_resolve(e, t->b, t->name[0] ? t->name : NULL, &d))
        return -1;
    body_arg arg = { t->a };
    return integrate_expect(e, &d, body_fn, &arg, out);
}

static int ev_int(env *e, const el_tree *t, dval *out)
{
    const drandom *rv = ctx_rv(e->ctx, t->name);
    if (!rv || rv->kind == RV_OBSERVED)
        return unknown(e,
                       "not checkable here: an integral over %s, which is not a random "
                       "variable of this context",
                       t->name);
    body_arg arg = { t->a };
    return integrate_plain(e, (int)(rv - e->ctx->rv), body_fn, &arg, out);
}

typedef struct {
    const dterm *a, *b;
    int entropy;
} kl_arg;

static int kl_fn(env *e, void *arg, dval *out)
{
    kl_arg *k = arg;
    dval la, lb;
    if (term_log_density(e, k->a, &la))
        return -1;
    if (k->entropy) {
        *out = la;
        out->v[0] = -la.v[0];
        return 0;
    }
    if (term_log_density(e, k->b, &lb))
        return -1;
    if (la.v[0] == -INFINITY) { /* outside a's support: weight 0 */
        dv_set(out, 0);
        return 0;
    }
    return add_sub(e, &la, &lb, -1, out);
}

static int ev_kl(env *e, const el_tree *t, dval *out)
{
    const el_tree *a = t->a, *b = t->b;
    if (e->swap_kl == t || e->swap_all)
        a = t->b, b = t->a;
    dterm da, db;
    if (term_resolve(e, a, NULL, &da))
        return -1;
    if (term_resolve(e, b, e->ctx->rv[da.rv].name, &db))
        return -1;
    if (db.rv != da.rv)
        return fail(e, "the two arguments of KL are distributions of different variables");
    kl_arg k = { &da, &db, 0 };
    return integrate_expect(e, &da, kl_fn, &k, out);
}

static int ev_ent(env *e, const el_tree *t, dval *out)
{
    dterm d;
    if (term_resolve(e, t->a, NULL, &d))
        return -1;
    kl_arg k = { &d, NULL, 1 };
    return integrate_expect(e, &d, kl_fn, &k, out);
}

static int ev_ind(env *e, const el_tree *t, dval *out)
{
    el_tree var = { .kind = EL_T_VAR };
    snprintf(var.name, sizeof var.name, "%s", t->a->name);
    dval x, k;
    if (ev(e, &var, &x) || ev(e, t->a->a, &k))
        return -1;
    dv_set(out, lround(x.v[0]) == lround(k.v[0]) ? 1.0 : 0.0);
    return 0;
}

int inst_redefine(const el_context *c, instance *in, int keep)
{
    for (int i = 0; i < c->nparam; i++) {
        if (!c->param[i].define || i == keep)
            continue;
        env e = { .ctx = c, .in = in, .budget = 100000 };
        if (ev(&e, c->param[i].define, &in->param[i]))
            return -1;
        in->param[i].err = 0;
    }
    return 0;
}

/* d/d(param) by a central difference of step h relative to the value. */
static int ev_deriv(env *e, const el_tree *t, dval *out)
{
    int pi = ctx_param_index(e->ctx, t->name);
    if (pi < 0 || !dv_scalar(&e->in->param[pi]))
        return unknown(e,
                       "not checkable here: a derivative with respect to %s, which is not "
                       "a scalar parameter",
                       t->name);
    instance copy = *e->in;
    const instance *orig = e->in;
    double x = orig->param[pi].v[0], h = 1e-4 * fmax(1.0, fabs(x)), f[4];
    static const double off[4] = { -2, -1, 1, 2 };
    double ferr = 0;
    e->in = &copy;
    for (int i = 0; i < 4; i++) {
        copy.param[pi].v[0] = x + off[i] * h;
        dval v;
        /* parameters defined from this one (a posterior's mean, a tie) move with it */
        if (inst_redefine(e->ctx, &copy, pi) || ev(e, t->a, &v) || !dv_scalar(&v)) {
            e->in = orig;
            return e->msg[0] ? -1 : fail(e, "the derivative of a vector or matrix");
        }
        f[i] = v.v[0];
        ferr = fmax(ferr, v.err);
    }
    e->in = orig;
    double d = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
    double d2 = (f[2] - f[1]) / (2 * h);
    dv_set(out, d);
    /* truncation (the two orders' difference) and the values' own errors over h */
    out->err = fabs(d - d2) + 18 * ferr / (12 * h) + 1e-8 * fabs(d);
    return 0;
}

static int ev_binary(env *e, const el_tree *t, dval *out)
{
    dval a, b;
    if (ev(e, t->a, &a) || ev(e, t->b, &b))
        return -1;
    switch (t->kind) {
    case EL_T_ADD: return add_sub(e, &a, &b, 1, out);
    case EL_T_SUB: return add_sub(e, &a, &b, -1, out);
    case EL_T_MUL: return mul(e, &a, &b, 0, out);
    case EL_T_EMUL: return mul(e, &a, &b, 1, out);
    case EL_T_DIV: return divide(e, &a, &b, out);
    default: return power(e, &a, &b, out);
    }
}

int ev(env *e, const el_tree *t, dval *out)
{
    if (--e->budget < 0)
        return fail(e, "the line is too costly to evaluate");
    dval a;
    switch (t->kind) {
    case EL_T_NUM: dv_set(out, t->num); return 0;
    case EL_T_VAR: return ev_var(e, t, out);
    case EL_T_NEG:
        if (ev(e, t->a, out))
            return -1;
        for (int i = 0; i < n_of(out); i++)
            out->v[i] = -out->v[i];
        return 0;
    case EL_T_ADD:
    case EL_T_SUB:
    case EL_T_MUL:
    case EL_T_EMUL:
    case EL_T_DIV:
    case EL_T_POW: return ev_binary(e, t, out);
    case EL_T_FN:
        if (strcmp(t->name, "log") == 0)
            return ev_log(e, t->a, out);
        return ev(e, t->a, &a) ? -1 : apply_fn(e, t->name, &a, out);
    case EL_T_TRANS: return ev(e, t->a, &a) ? -1 : transpose(&a, out);
    case EL_T_BARS:
        if (ev(e, t->a, &a))
            return -1;
        return apply_fn(e, dv_scalar(&a) ? "abs" : "det", &a, out);
    case EL_T_SUM:
    case EL_T_PROD: return ev_sum(e, t, out);
    case EL_T_CALL: return ev_call(e, t, out, 0);
    case EL_T_BIND: return fail(e, "'%s = ...' outside a distribution's arguments", t->name);
    case EL_T_GAUSS:
        if (ev_gauss_log(e, t, out))
            return -1;
        return apply_fn(e, "exp", out, out);
    case EL_T_EXPECT: return ev_expect(e, t, out);
    case EL_T_INT: return ev_int(e, t, out);
    case EL_T_KL: return ev_kl(e, t, out);
    case EL_T_ENT: return ev_ent(e, t, out);
    case EL_T_IND: return ev_ind(e, t, out);
    case EL_T_DERIV: return ev_deriv(e, t, out);
    }
    return fail(e, "cannot evaluate this line");
}
