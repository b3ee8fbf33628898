/* check.c -- every step of every chain, at every instance: the verdicts,
 * the diagnoses of an invalid step and the composed relation.
 *
 * A step `A r B` holds when r holds between the values of A and B at each
 * instance within max(1e-9 scale, 1e-10) plus both error estimates (scale =
 * the larger magnitude). The diagnoses of an invalid step are tried in the
 * contract's order: wrong-way, swapped-kl, factor, sign, inequality,
 * constant. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/derive_int.h"
#include "num/el_num.h"

#define LINE_BUDGET 4000000L  /* node evaluations for one line at one instance */
#define TEXT_BUDGET 40000000L /* for a whole text: hostile input stops here */

typedef struct {
    el_context *ctx;
    size_t ninst;
    instance *inst;
    el_tree **tree; /* per line, NULL when it did not parse */
    double *val, *err;
    int *state;   /* per line and instance: 0 ok, 1 error, 2 unknown */
    char **why;   /* per line: the first evaluation message */
    rcache *rc;   /* name resolutions of the lines' and the context's trees */
    long *budget; /* what is left for the whole text */
} dpriv;

static char *fmt_dup(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

/* ---- relations ------------------------------------------------------------ */

const char *el_relation_name(el_relation r)
{
    switch (r) {
    case EL_REL_EQ: return "=";
    case EL_REL_GE: return ">=";
    case EL_REL_LE: return "<=";
    case EL_REL_GT: return ">";
    case EL_REL_LT: return "<";
    case EL_REL_APPROX: return "~";
    case EL_REL_PROPTO: return "propto";
    case EL_REL_IMPLIES: return "=>";
    case EL_REL_NEQ: return "!=";
    default: return NULL;
    }
}

int el_relation_implies(el_relation have, el_relation want)
{
    if (have == want)
        return 1;
    if (want == EL_REL_GE)
        return have == EL_REL_EQ || have == EL_REL_GT;
    if (want == EL_REL_LE)
        return have == EL_REL_EQ || have == EL_REL_LT;
    return 0;
}

/* The chain's relation from the written ones (the contract's four values):
 * all = gives =; = with >= (or >) gives >=; = with <= (or <) gives <=;
 * both directions, an approximation, a proportionality or an implication
 * give none. */
static el_relation compose(const el_derivation *d)
{
    int ge = 0, le = 0, other = 0;
    for (size_t k = 1; k < d->nlines; k++) {
        el_relation r = d->steps[k].relation;
        ge |= r == EL_REL_GE || r == EL_REL_GT;
        le |= r == EL_REL_LE || r == EL_REL_LT;
        other |= r == EL_REL_APPROX || r == EL_REL_PROPTO || r == EL_REL_IMPLIES || r == EL_REL_NEQ;
    }
    if (other || (ge && le))
        return EL_REL_NONE;
    return ge ? EL_REL_GE : le ? EL_REL_LE : EL_REL_EQ;
}

/* ---- evaluating lines ---------------------------------------------------------- */

static void eval_line(dpriv *p, size_t line)
{
    const el_tree *t = p->tree[line];
    for (size_t i = 0; i < p->ninst; i++) {
        size_t at = line * p->ninst + i;
        if (!t) {
            p->state[at] = 1;
            continue;
        }
        long allowed = *p->budget < LINE_BUDGET ? *p->budget : LINE_BUDGET;
        env e = { .ctx = p->ctx, .in = &p->inst[i], .budget = allowed, .rc = p->rc };
        dval v;
        int rc = allowed > 0 ? ev(&e, t, &v) : -1;
        if (allowed <= 0)
            snprintf(e.msg, sizeof e.msg,
                     "the text is too costly to check: stopped before this "
                     "line");
        *p->budget -= allowed - (e.budget > 0 ? e.budget : 0);
        if (!rc && !dv_scalar(&v)) {
            rc = -1;
            snprintf(e.msg, sizeof e.msg, "the line is a %dx%d value, not a number", v.rows,
                     v.cols);
        }
        if (!rc && isfinite(v.v[0]) && !(v.err <= 1e-6 * fmax(1.0, fabs(v.v[0])))) {
            rc = -1; /* an error bar that wide could make any step hold */
            snprintf(e.msg, sizeof e.msg,
                     "the value at instance %zu cannot be computed to a "
                     "useful accuracy (error bound %.3g)",
                     i + 1, v.err);
        }
        if (!rc && !isfinite(v.v[0])) {
            rc = -1;
            snprintf(e.msg, sizeof e.msg,
                     "the line is not finite at instance %zu (a log of a "
                     "negative number, a division by zero or a diverging integral?)",
                     i + 1);
        }
        p->state[at] = rc ? (e.unknown ? 2 : 1) : 0;
        p->val[at] = rc ? NAN : v.v[0];
        p->err[at] = rc ? NAN : v.err;
        if (rc && !p->why[line])
            p->why[line] = strdup(e.msg);
        if (rc && e.unknown)
            break; /* unknown everywhere */
    }
}

static double tol(double a, double b, double ea, double eb)
{
    double scale = fmax(fabs(a), fabs(b));
    return fmax(1e-9 * scale, 1e-10) + ea + eb;
}

/* What an extra evaluation (a diagnosis, proportionality) may spend: the
 * rest of the text's budget, charged back with `charge`, so that diagnoses
 * cannot multiply a hostile text's cost. */
static long allowance(const dpriv *p)
{
    if (!p->budget)
        return LINE_BUDGET;
    return *p->budget < LINE_BUDGET ? *p->budget : LINE_BUDGET;
}

static void charge(dpriv *p, long allowed, long left)
{
    if (p->budget)
        *p->budget -= allowed - (left > 0 ? left : 0);
}

/* ---- diagnoses ------------------------------------------------------------------- */

typedef struct {
    const double *l, *r, *el, *er;
    size_t n;
} sides;

static int holds(const sides *s, el_relation rel, size_t *bad)
{
    for (size_t i = 0; i < s->n; i++) {
        double d = s->l[i] - s->r[i], t = tol(s->l[i], s->r[i], s->el[i], s->er[i]);
        int ok;
        switch (rel) {
        case EL_REL_EQ: ok = fabs(d) <= t; break;
        case EL_REL_GE: ok = d >= -t; break;
        case EL_REL_LE: ok = d <= t; break;
        case EL_REL_GT: ok = d > t; break;
        case EL_REL_LT: ok = d < -t; break;
        case EL_REL_APPROX: ok = fabs(d) <= 1e-2 * fmax(fabs(s->l[i]), fabs(s->r[i])) + t; break;
        default: ok = 0;
        }
        if (!ok) {
            if (bad)
                *bad = i;
            return 0;
        }
    }
    return 1;
}

/* The sides' ratio is the same number c at every instance (c != 1). */
static int const_ratio(const sides *s, double *c)
{
    if (s->r[0] == 0)
        return 0;
    *c = s->l[0] / s->r[0];
    double slack0 = s->el[0] / fmax(fabs(s->l[0]), 1e-300) + s->er[0] / fabs(s->r[0]);
    for (size_t i = 0; i < s->n; i++) {
        if (fabs(s->r[i]) < 1e-12)
            return 0;
        /* within the two values' relative error bars (and at least 1e-9) */
        double slack = s->el[i] / fmax(fabs(s->l[i]), 1e-300) + s->er[i] / fabs(s->r[i]) + slack0;
        if (fabs(s->l[i] / s->r[i] - *c) > (1e-9 + slack) * fmax(1, fabs(*c)))
            return 0;
    }
    return fabs(*c - 1) > 1e-7;
}

static int const_diff(const sides *s, double *c)
{
    *c = s->l[0] - s->r[0];
    for (size_t i = 0; i < s->n; i++)
        if (fabs(s->l[i] - s->r[i] - *c) > 1e-7 * fmax(1, fabs(*c)) + s->el[i] + s->er[i])
            return 0;
    return 1;
}

static void add_diag(el_derive_step *st, const char *tok)
{
    if (!st->diagnosis[0])
        snprintf(st->diagnosis, sizeof st->diagnosis, "%s", tok);
    size_t n = strlen(st->diagnoses);
    snprintf(st->diagnoses + n, sizeof st->diagnoses - n, "%s%s", n ? " " : "", tok);
}

/* Collects the KL nodes of a tree. */
static void find_kl(const el_tree *t, const el_tree **out, int *n, int max)
{
    if (!t || *n >= max)
        return;
    if (t->kind == EL_T_KL)
        out[(*n)++] = t;
    find_kl(t->a, out, n, max);
    find_kl(t->b, out, n, max);
    find_kl(t->c, out, n, max);
    for (size_t i = 0; i < t->nargs; i++)
        find_kl(t->args[i], out, n, max);
}

/* Is the step an identity once one KL's arguments are exchanged (or every
 * KL's of one side, k = n)? */
static int swapped_kl(dpriv *p, size_t a, size_t b, const sides *s)
{
    const el_tree *kls[8];
    for (int side = 0; side < 2; side++) {
        int n = 0;
        size_t line = side ? b : a;
        find_kl(p->tree[line], kls, &n, 8);
        for (int k = 0; k < n + (n > 1); k++) {
            int ok = 1;
            for (size_t i = 0; i < p->ninst && ok; i++) {
                long allowed = allowance(p);
                env e = { .ctx = p->ctx,
                          .in = &p->inst[i],
                          .budget = allowed,
                          .rc = p->rc,
                          .swap_kl = k < n ? kls[k] : NULL,
                          .swap_all = k == n };
                dval v;
                int rc = allowed > 0 ? ev(&e, p->tree[line], &v) : -1;
                charge(p, allowed, e.budget);
                if (rc || !dv_scalar(&v)) {
                    ok = 0;
                    break;
                }
                double other = side ? s->l[i] : s->r[i], oe = side ? s->el[i] : s->er[i];
                ok = fabs(v.v[0] - other) <= tol(v.v[0], other, v.err, oe);
            }
            if (ok)
                return 1;
        }
    }
    return 0;
}

/* The sides differ by c times a named difference of the context. */
static int named_diff(dpriv *p, const sides *s, char *what, size_t cap)
{
    if (!p->ctx->differences[0])
        return 0;
    el_tree *q = el_tree_parse(p->ctx->differences, NULL);
    if (!q)
        return 0;
    double c = NAN;
    int ok = 1;
    for (size_t i = 0; i < s->n && ok; i++) {
        long allowed = allowance(p);
        env e = { .ctx = p->ctx, .in = &p->inst[i], .budget = allowed };
        dval v;
        int rc = allowed > 0 ? ev(&e, q, &v) : -1;
        charge(p, allowed, e.budget);
        if (rc || !dv_scalar(&v) || fabs(v.v[0]) < 1e-9) {
            ok = 0;
            break;
        }
        double ci = (s->l[i] - s->r[i]) / v.v[0];
        if (i == 0)
            c = ci;
        ok = fabs(ci - c) <= 1e-6 * fmax(1, fabs(c));
    }
    if (ok && fabs(c) > 1e-6) {
        char txt[128];
        el_tree_print(q, txt, sizeof txt);
        if (fabs(c - 1) < 1e-6)
            snprintf(what, cap, "%s", txt);
        else if (fabs(c + 1) < 1e-6)
            snprintf(what, cap, "-%s", txt);
        else
            snprintf(what, cap, "%.6g %s", c, txt);
    }
    el_tree_free(q);
    return ok && fabs(c) > 1e-6;
}

static void diagnose(dpriv *p, size_t a, size_t b, el_derive_step *st, const sides *s,
                     char *sentence, size_t cap)
{
    el_relation r = st->relation;
    double c;
    char what[160];
    sentence[0] = '\0';
    if ((r == EL_REL_GT || r == EL_REL_LT) && holds(s, EL_REL_EQ, NULL)) {
        snprintf(sentence, cap, "the two sides are equal: the inequality is not strict");
        return;
    }
    if ((r == EL_REL_GE || r == EL_REL_GT) && holds(s, EL_REL_LE, NULL)) {
        add_diag(st, "wrong-way");
        snprintf(sentence, cap,
                 "the inequality is the wrong way round: here the left side is "
                 "<= the right side");
    } else if ((r == EL_REL_LE || r == EL_REL_LT) && holds(s, EL_REL_GE, NULL)) {
        add_diag(st, "wrong-way");
        snprintf(sentence, cap,
                 "the inequality is the wrong way round: here the left side is "
                 ">= the right side");
    }
    if (swapped_kl(p, a, b, s)) {
        add_diag(st, "swapped-kl");
        if (!sentence[0])
            snprintf(sentence, cap,
                     "the sides agree once the arguments of a KL are exchanged: "
                     "KL(q||p) and KL(p||q) differ");
    }
    int sign = const_ratio(s, &c) && fabs(c + 1) < 1e-7;
    if (!sign && const_ratio(s, &c) && fabs(c) > 1e-12) {
        add_diag(st, "factor");
        if (!sentence[0])
            snprintf(sentence, cap, "the sides differ by a constant factor: left = %.6g x right",
                     c);
    }
    if (sign) {
        add_diag(st, "sign");
        if (!sentence[0])
            snprintf(sentence, cap, "the sides have opposite signs: a sign error");
    }
    if (r == EL_REL_EQ && (holds(s, EL_REL_GE, NULL) || holds(s, EL_REL_LE, NULL))) {
        int ge = holds(s, EL_REL_GE, NULL);
        add_diag(st, "inequality");
        /* a constant offset holds one way too: then the offset is the better sentence */
        if (!sentence[0] && !const_diff(s, &c) && !named_diff(p, s, what, sizeof what))
            snprintf(sentence, cap,
                     "written '=', but only '%s' holds: an inequality (such as "
                     "Jensen's) gives '%s' here, not '='",
                     ge ? ">=" : "<=", ge ? ">=" : "<=");
    }
    int ineq = strstr(st->diagnoses, "inequality") != NULL;
    const char *so = !ineq                       ? ""
                     : holds(s, EL_REL_GE, NULL) ? " (so, as written, only '>=' holds)"
                                                 : " (so, as written, only '<=' holds)";
    if (named_diff(p, s, what, sizeof what)) {
        add_diag(st, "constant");
        char extra[320];
        snprintf(extra, sizeof extra, "%sthe sides differ by %s: a dropped or added term%s",
                 sentence[0] ? "; " : "", what, so);
        strncat(sentence, extra, cap - strlen(sentence) - 1);
    } else if (const_diff(s, &c)) {
        add_diag(st, "constant");
        char extra[240];
        snprintf(extra, sizeof extra,
                 "%sthe sides differ by the constant %.6g: a dropped or "
                 "added term%s",
                 sentence[0] ? "; " : "", c, so);
        strncat(sentence, extra, cap - strlen(sentence) - 1);
    }
}

/* ---- one step ------------------------------------------------------------------- */

static int propto_holds(dpriv *p, size_t a, size_t b, size_t *bad);

static void step_failed_eval(dpriv *p, size_t a, size_t b, el_derive_step *st, el_derivation *d)
{
    size_t lines[2] = { a, b };
    for (int k = 0; k < 2; k++) {
        size_t line = lines[k];
        for (size_t i = 0; i < p->ninst; i++) {
            int s = p->state[line * p->ninst + i];
            if (s == 2) {
                st->status = EL_STEP_UNKNOWN;
                st->message = fmt_dup("%s", p->why[line] ? p->why[line] : "not checkable here");
                return;
            }
        }
    }
    for (int k = 0; k < 2; k++) {
        size_t line = lines[k];
        if (!p->tree[line]) {
            st->status = EL_STEP_ERROR;
            st->message = fmt_dup("line %zu does not read: %s", line + 1,
                                  d->lines[line].error ? d->lines[line].error : "");
            return;
        }
        for (size_t i = 0; i < p->ninst; i++) {
            if (p->state[line * p->ninst + i] == 1) {
                st->status = EL_STEP_ERROR;
                st->message = fmt_dup("line %zu cannot be evaluated at instance %zu: %s", line + 1,
                                      i + 1, p->why[line] ? p->why[line] : "");
                st->instance = inst_json(p->ctx, &p->inst[i]);
                return;
            }
        }
    }
}

static void check_step(dpriv *p, el_derivation *d, size_t k)
{
    el_derive_step *st = &d->steps[k];
    size_t a = k - 1, b = k;
    st->lhs = st->rhs = NAN;
    if ((st->relation == EL_REL_IMPLIES || st->relation == EL_REL_NEQ) && p->tree[a] &&
        p->tree[b]) {
        st->status = EL_STEP_UNKNOWN;
        st->message = strdup("implications and '\\neq' between lines are not checked");
        return;
    }
    st->status = EL_STEP_VALID;
    step_failed_eval(p, a, b, st, d);
    if (st->status != EL_STEP_VALID)
        return;
    sides s = { p->val + a * p->ninst, p->val + b * p->ninst, p->err + a * p->ninst,
                p->err + b * p->ninst, p->ninst };
    size_t bad = 0;
    int ok =
        st->relation == EL_REL_PROPTO ? propto_holds(p, a, b, &bad) : holds(&s, st->relation, &bad);
    if (ok == -2) {
        st->status = EL_STEP_ERROR;
        st->message = strdup("the sides cannot be evaluated at other values of the latent");
        return;
    }
    if (ok < 0) {
        st->status = EL_STEP_UNKNOWN;
        st->message = strdup("'\\propto' between lines that do not depend on the latent: "
                             "nothing to check");
        return;
    }
    if (ok)
        return;
    st->status = EL_STEP_INVALID;
    st->lhs = s.l[bad];
    st->rhs = s.r[bad];
    st->instance = inst_json(p->ctx, &p->inst[bad]);
    char sentence[600];
    diagnose(p, a, b, st, &s, sentence, sizeof sentence);
    st->message = fmt_dup("does not hold at instance %zu: left %.10g, right %.10g%s%s", bad + 1,
                          st->lhs, st->rhs, sentence[0] ? "; " : "", sentence);
}

/* A ∝ B: the ratio A/B does not depend on the latent, at each instance. */
static int propto_holds(dpriv *p, size_t a, size_t b, size_t *bad)
{
    const char *latent = p->ctx->latent[0] ? p->ctx->latent : "z";
    int rv = -1;
    for (int i = 0; i < p->ctx->nrv; i++)
        if (strcmp(p->ctx->rv[i].name, latent) == 0)
            rv = i;
    if (rv < 0)
        return 0;
    int moved = 0;
    double x0 = 0;
    for (size_t i = 0; i < p->ninst; i++) {
        double first = NAN;
        for (int k = 0; k < 3; k++) {
            instance in = p->inst[i];
            if (p->ctx->rv[rv].kind == RV_STATES)
                in.rvfree[rv][0] = 1 + (k % in.rvsize[rv]);
            else
                in.rvfree[rv][0] += 0.37 * (k + 1) - 0.5;
            long allowed = allowance(p);
            env e = { .ctx = p->ctx, .in = &in, .budget = allowed, .rc = p->rc };
            dval x, y;
            int rc = allowed > 0 && !ev(&e, p->tree[a], &x) && !ev(&e, p->tree[b], &y) ? 0 : -1;
            charge(p, allowed, e.budget);
            if (rc || !dv_scalar(&x) || !dv_scalar(&y) || y.v[0] == 0) {
                *bad = i;
                return rc ? -2 : 0; /* -2: cannot be evaluated */
            }
            double r = x.v[0] / y.v[0];
            if (k == 0) {
                first = r;
                x0 = x.v[0];
            } else if (fabs(r - first) > 1e-8 * fmax(1, fabs(first))) {
                *bad = i;
                return 0;
            } else if (fabs(x.v[0] - x0) > 1e-9 * fmax(1, fabs(x0))) {
                moved = 1;
            }
        }
    }
    return moved ? 1 : -1; /* -1: neither side depends on the latent */
}

/* ---- unknown names -------------------------------------------------------------- */

static int edit1(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la < lb) {
        const char *t = a;
        a = b, b = t;
        size_t u = la;
        la = lb, lb = u;
    }
    if (la - lb > 1)
        return 0;
    size_t i = 0;
    while (i < lb && a[i] == b[i])
        i++;
    if (la == lb)
        return strcmp(a + i + 1, b + i + 1) == 0 && (a[i] != b[i]);
    return strcmp(a + i + 1, b + i) == 0;
}

static int resolvable(const el_context *c, const char *name, char scope[][CTX_NAME], int ns)
{
    for (int i = 0; i < ns; i++)
        if (strcmp(scope[i], name) == 0)
            return 1;
    if (ctx_param(c, name) || ctx_rv(c, name) || ctx_quant(c, name) || ctx_dist_bare(c, name))
        return 1;
    const char *u = strrchr(name, '_');
    if (u && u != name) { /* pi_k: a vector indexed by a bound index, a state or a number */
        char base[CTX_NAME];
        snprintf(base, sizeof base, "%.*s", (int)(u - name), name);
        const dparam *vp = ctx_param(c, base);
        int vector = (vp && (vp->shape == P_VECTOR || vp->shape == P_SIMPLEX)) || ctx_rv(c, base);
        for (int i = 0; i < ns; i++)
            vector |= strcmp(scope[i], base) == 0;
        int index = strspn(u + 1, "0123456789") == strlen(u + 1) || ctx_rv(c, u + 1) != NULL;
        for (int i = 0; i < ns; i++)
            index |= strcmp(scope[i], u + 1) == 0;
        if (vector && index)
            return 1;
    }
    return !strcmp(name, "R") || !strcmp(name, "I");
}

typedef struct {
    char name[16][CTX_NAME];
    int n;
    char bound[8][CTX_NAME]; /* unknown names used as the bound of a sum */
    int nbound;
} namelist;

static void collect_unknown(const el_context *c, const el_tree *t, char scope[][CTX_NAME], int ns,
                            namelist *out)
{
    if (!t)
        return;
    if ((t->kind == EL_T_SUM || t->kind == EL_T_PROD || t->kind == EL_T_INT ||
         t->kind == EL_T_EXPECT) &&
        t->name[0] && ns < 16) {
        snprintf(scope[ns++], CTX_NAME, "%s", t->name);
    }
    if ((t->kind == EL_T_SUM || t->kind == EL_T_PROD) && t->c && t->c->kind == EL_T_VAR &&
        !resolvable(c, t->c->name, scope, ns)) { /* \sum_{k=1}^{K}: K is a count, not a real */
        int dup = 0;
        for (int i = 0; i < out->nbound; i++)
            dup |= strcmp(out->bound[i], t->c->name) == 0;
        if (!dup && out->nbound < 8)
            snprintf(out->bound[out->nbound++], CTX_NAME, "%s", t->c->name);
    }
    if (t->kind == EL_T_VAR && !resolvable(c, t->name, scope, ns)) {
        int dup = 0;
        for (int i = 0; i < out->n; i++)
            dup |= strcmp(out->name[i], t->name) == 0;
        if (!dup && out->n < 16)
            snprintf(out->name[out->n++], CTX_NAME, "%s", t->name);
    }
    collect_unknown(c, t->a, scope, ns, out);
    collect_unknown(c, t->b, scope, ns, out);
    collect_unknown(c, t->c, scope, ns, out);
    for (size_t i = 0; i < t->nargs; i++)
        if (t->args[i]->kind != EL_T_BIND)
            collect_unknown(c, t->args[i], scope, ns, out);
        else
            collect_unknown(c, t->args[i]->a, scope, ns, out);
}

static const char *close_name(const el_context *c, const char *name)
{
    if (strlen(name) < 3)
        return NULL;
    for (int i = 0; i < c->nparam; i++) {
        if (edit1(name, c->param[i].name))
            return c->param[i].name;
        for (int k = 0; k < c->param[i].nalias; k++)
            if (edit1(name, c->param[i].alias[k]))
                return c->param[i].alias[k];
    }
    return NULL;
}

static int positive_name(const char *n)
{
    static const char *const pos[] = {
        "sigma", "tau", "lambda", "var", "std", "kappa", "beta", NULL
    };
    for (size_t i = 0; pos[i]; i++) /* sigma_1, tau2, var_q ... */
        if (strncmp(n, pos[i], strlen(pos[i])) == 0)
            return 1;
    return !strcmp(n, "s") || !strcmp(n, "sd") || !strncmp(n, "s_", 2) || !strcmp(n, "nu");
}

/* Free checking: declares the unknown scalar names of the lines. */
static void declare_unknown(dpriv *p, el_derivation *d, size_t nlines, int exercise)
{
    namelist names = { .n = 0 };
    char scope[16][CTX_NAME];
    for (size_t i = 0; i < nlines; i++)
        collect_unknown(p->ctx, p->tree[i], scope, 0, &names);
    char notes[1024] = "";
    for (int i = 0; i < names.n; i++) {
        int is_bound = 0;
        for (int k = 0; k < names.nbound; k++)
            is_bound |= strcmp(names.bound[k], names.name[i]) == 0;
        if (is_bound) { /* left unknown: its steps say so, with the hint */
            size_t n = strlen(notes);
            snprintf(notes + n, sizeof notes - n,
                     "%s'%s' bounds a sum but is not in the context: a discrete latent reads "
                     "better in `%% elbolab: context discrete`.",
                     n ? " " : "", names.name[i]);
            continue;
        }
        const char *near = close_name(p->ctx, names.name[i]);
        size_t n = strlen(notes);
        if (near) {
            snprintf(notes + n, sizeof notes - n, "%s'%s' is not known here: did you mean '%s'?",
                     n ? " " : "", names.name[i], near);
            continue;
        }
        if (exercise)
            continue;
        int pos = positive_name(names.name[i]);
        if (el_context_set_param(p->ctx, names.name[i],
                                 pos ? "uniform(0.3, 2.5)" : "uniform(-2, 2)", NULL, NULL) == 0) {
            int at = ctx_param_index(p->ctx, names.name[i]);
            if (at >= 0)
                p->ctx->param[at].auto_declared = 1;
            snprintf(notes + n, sizeof notes - n,
                     "%s'%s' is not in the context: checked as a "
                     "parameter drawn from %s.",
                     n ? " " : "", names.name[i], pos ? "(0.3, 2.5)" : "(-2, 2)");
        }
    }
    if (notes[0])
        d->notes = strdup(notes);
}

/* ---- a chain --------------------------------------------------------------------- */

static void free_priv(dpriv *p, size_t nlines)
{
    if (!p)
        return;
    el_context_free(p->ctx);
    for (size_t i = 0; i < nlines; i++) {
        el_tree_free(p->tree[i]);
        free(p->why[i]);
    }
    free(p->tree);
    free(p->why);
    free(p->val);
    free(p->err);
    free(p->state);
    free(p->inst);
    free(p->rc);
    free(p);
}

static int alloc_priv(dpriv *p, size_t nlines, size_t ninst)
{
    p->ninst = ninst;
    p->tree = calloc(nlines, sizeof *p->tree);
    p->why = calloc(nlines, sizeof *p->why);
    p->val = calloc(nlines * ninst, sizeof *p->val);
    p->err = calloc(nlines * ninst, sizeof *p->err);
    p->state = calloc(nlines * ninst, sizeof *p->state);
    p->inst = calloc(ninst, sizeof *p->inst);
    p->rc = calloc(1, sizeof *p->rc);
    return p->rc && p->tree && p->why && p->val && p->err && p->state && p->inst ? 0 : -1;
}

static int read_lines(dpriv *p, const chain *c, el_derivation *d)
{
    d->lines = calloc(c->n, sizeof *d->lines);
    d->steps = calloc(c->n, sizeof *d->steps);
    if (!d->lines || !d->steps)
        return -1;
    d->nlines = c->n;
    for (size_t i = 0; i < c->n; i++) {
        el_derive_line *l = &d->lines[i];
        l->line = c->l[i].line;
        l->source = strdup(c->l[i].text);
        el_expr_error err;
        p->tree[i] = el_tree_parse(c->l[i].text, &err);
        if (p->tree[i] && p->ctx->gauss_sd)
            mark_sd(p->tree[i]);
        if (!p->tree[i]) {
            l->error = fmt_dup("at %zu: %s", err.pos, err.msg);
        } else {
            char buf[2048];
            el_tree_print(p->tree[i], buf, sizeof buf);
            l->read_as = strdup(buf);
            l->vocab = vocab_of(p->ctx, p->tree[i]);
        }
        if (i > 0) {
            d->steps[i].relation = c->l[i].rel;
            d->steps[i].justification = c->l[i].just ? strdup(c->l[i].just) : NULL;
            d->steps[i].repeat = l->read_as && d->lines[i - 1].read_as &&
                                 strcmp(l->read_as, d->lines[i - 1].read_as) == 0;
        }
    }
    return 0;
}

/* Checks chain c (its context already loaded as ctx, a private copy). */
static int check_chain(const chain *c, el_context *ctx, const el_derive_opts *o, size_t index,
                       long *budget, el_derivation *d)
{
    dpriv *p = calloc(1, sizeof *p);
    if (!p) {
        el_context_free(ctx);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    p->ctx = ctx;
    p->budget = budget;
    d->priv = p;
    d->line = c->line;
    snprintf(d->context, sizeof d->context, "%s", ctx->name);
    size_t ninst = o->instances ? o->instances : 8;
    if (ninst > EL_DERIVE_MAX_INST)
        ninst = EL_DERIVE_MAX_INST;
    d->instances = ninst;
    if (alloc_priv(p, c->n, ninst) || read_lines(p, c, d))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    declare_unknown(p, d, c->n, o->exercise);
    char label[256];
    snprintf(label, sizeof label, "%s#%zu", o->label ? o->label : "", index);
    gsl_rng *r = el_rng_alloc(el_seed_mix(o->seed, label));
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < ninst; i++) {
        if (inst_draw(p->ctx, r, &p->inst[i])) {
            el_rng_free(r);
            return EL_EFORMAT;
        }
    }
    el_rng_free(r);
    for (size_t i = 0; i < c->n; i++)
        eval_line(p, i);
    d->valid = 1;
    for (size_t k = 1; k < c->n; k++) {
        check_step(p, d, k);
        if (d->steps[k].status != EL_STEP_VALID)
            d->valid = 0;
        if (!d->first_invalid &&
            (d->steps[k].status == EL_STEP_INVALID || d->steps[k].status == EL_STEP_ERROR))
            d->first_invalid = (long)k;
    }
    d->relation = compose(d);
    return 0;
}

/* The context of a chain: its own `% elbolab: context`, else the option,
 * else gauss; then its let rows. */
static el_context *chain_context(const chain *c, const el_derive_opts *o, const el_context *given,
                                 char **note)
{
    el_context *ctx;
    if (given && o->exercise) { /* an answer never changes the exercise's model */
        ctx = el_context_copy(given);
        if (ctx && (c->nlets || c->context[0]))
            *note = strdup("`let` rows and `% elbolab:` directives are ignored in an answer: "
                           "the exercise fixes the model.");
        return ctx;
    }
    if (given && !c->context[0])
        ctx = el_context_copy(given);
    else
        ctx = el_context_load(c->context[0] ? c->context
                              : o->context  ? o->context
                                            : "gauss",
                              o->dirs, o->ndirs);
    if (!ctx)
        return NULL;
    char notes[512] = "";
    for (size_t i = 0; i < c->nlets; i++) {
        const char *n = NULL;
        size_t len = strlen(notes);
        if (el_context_let(ctx, c->lets[i], &n))
            snprintf(notes + len, sizeof notes - len, "%s%s", len ? " " : "", el_errmsg());
        else if (n)
            snprintf(notes + len, sizeof notes - len, "%s%s.", len ? " " : "", n);
    }
    if (notes[0])
        *note = strdup(notes);
    return ctx;
}

int el_derive_check_in(const char *text, const char *file, const el_context *given,
                       const el_derive_opts *opts, el_derive_report *rep)
{
    el_derive_opts o = opts ? *opts : (el_derive_opts){ 0 };
    memset(rep, 0, sizeof *rep);
    if (!text)
        return EL_ERROR(EL_EUSAGE, "no text to check");
    if (strlen(text) > EL_DERIVE_MAX_BYTES)
        return EL_ERROR(EL_ELIMIT, "the text is larger than %d bytes", EL_DERIVE_MAX_BYTES);
    chains cs;
    int rc = rows_split(text, &cs);
    if (rc)
        return rc;
    long budget = TEXT_BUDGET;
    rep->file = strdup(file ? file : "-");
    rep->d = calloc(cs.n ? cs.n : 1, sizeof *rep->d);
    if (!rep->d) {
        chains_free(&cs);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cs.n && !rc; i++) {
        char *note = NULL;
        el_context *ctx = chain_context(&cs.c[i], &o, given, &note);
        if (!ctx) {
            rc = el_errmsg()[0] ? EL_ENOTFOUND : EL_ENOMEM;
            free(note);
            break;
        }
        rep->n++;
        rc = check_chain(&cs.c[i], ctx, &o, i, &budget, &rep->d[i]);
        if (note) {
            el_derivation *d = &rep->d[i];
            char *both = d->notes ? fmt_dup("%s %s", note, d->notes) : strdup(note);
            free(d->notes);
            d->notes = both;
            free(note);
        }
    }
    chains_free(&cs);
    for (size_t i = 0; i < rep->n; i++) /* the budget lived on this stack */
        if (rep->d[i].priv)
            ((dpriv *)rep->d[i].priv)->budget = NULL;
    if (rc)
        el_derive_report_free(rep);
    return rc;
}

int el_derive_check(const char *text, const char *file, const el_derive_opts *opts,
                    el_derive_report *rep)
{
    return el_derive_check_in(text, file, NULL, opts, rep);
}

static void derivation_free(el_derivation *d)
{
    for (size_t k = 0; k < d->nlines; k++) {
        free(d->lines[k].source);
        free(d->lines[k].read_as);
        free(d->lines[k].error);
        free(d->lines[k].vocab);
        free(d->steps[k].message);
        free(d->steps[k].justification);
        json_decref(d->steps[k].instance);
    }
    free(d->lines);
    free(d->steps);
    free(d->notes);
    free_priv(d->priv, d->nlines);
}

void el_derive_report_free(el_derive_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        derivation_free(&rep->d[i]);
    free(rep->d);
    free(rep->file);
    memset(rep, 0, sizeof *rep);
}

/* ---- matching -------------------------------------------------------------------- */

/* Is line `line` of d equal in value to `form` at every instance? */
static int equal_values(const el_derivation *d, size_t line, const char *form)
{
    dpriv *p = d->priv;
    el_tree *t = el_tree_parse(form, NULL);
    if (t && p->ctx->gauss_sd)
        mark_sd(t);
    rcache *rc = t ? calloc(1, sizeof *rc) : NULL; /* t dies here: a cache of its own */
    int same = t != NULL;
    for (size_t i = 0; i < p->ninst && same; i++) {
        size_t at = line * p->ninst + i;
        env e = { .ctx = p->ctx, .in = &p->inst[i], .budget = LINE_BUDGET, .rc = rc };
        dval x;
        same = p->state[at] == 0 && !ev(&e, t, &x) && dv_scalar(&x) &&
               fabs(x.v[0] - p->val[at]) <= tol(x.v[0], p->val[at], x.err, p->err[at]);
    }
    el_tree_free(t);
    free(rc);
    return same;
}

int el_derive_same_step(const el_derivation *d, size_t k, const char *steps, long step)
{
    if (!d->priv || k < 1 || k >= d->nlines || step < 1)
        return 0;
    chains cs;
    if (rows_split(steps, &cs))
        return 0;
    int same = 0;
    if (cs.n >= 1 && (size_t)step < cs.c[0].n) {
        const char *a = cs.c[0].l[step - 1].text, *b = cs.c[0].l[step].text;
        same = (equal_values(d, k - 1, a) && equal_values(d, k, b)) ||
               (equal_values(d, k - 1, b) && equal_values(d, k, a));
    }
    chains_free(&cs);
    return same;
}

int el_derive_matches(const el_derivation *d, size_t line, const char *form)
{
    dpriv *p = d->priv;
    if (!p || line >= d->nlines || !p->tree[line])
        return 0;
    el_expr_error err;
    el_tree *t = el_tree_parse(form, &err);
    if (!t)
        return EL_ERROR(EL_EFORMAT, "the form '%.60s' does not read: %s", form, err.msg) ? -1 : -1;
    if (p->ctx->gauss_sd)
        mark_sd(t);
    char *v = vocab_of(p->ctx, t);
    int same = v && d->lines[line].vocab && strcmp(v, d->lines[line].vocab) == 0;
    free(v);
    rcache *rc = same ? calloc(1, sizeof *rc) : NULL; /* t dies here: a cache of its own */
    for (size_t i = 0; i < p->ninst && same; i++) {
        size_t at = line * p->ninst + i;
        if (p->state[at] != 0) {
            same = 0;
            break;
        }
        env e = { .ctx = p->ctx, .in = &p->inst[i], .budget = LINE_BUDGET, .rc = rc };
        dval x;
        if (ev(&e, t, &x) || !dv_scalar(&x)) {
            el_tree_free(t);
            free(rc);
            EL_ERROR(EL_EFORMAT, "the form '%.60s' cannot be evaluated: %s", form, e.msg);
            return -1;
        }
        same = fabs(x.v[0] - p->val[at]) <= tol(x.v[0], p->val[at], x.err, p->err[at]);
    }
    el_tree_free(t);
    free(rc);
    return same;
}

/* ---- comparing a final answer with a form --------------------------------------- */

/* The tokens of vocabulary a (';'-separated) that b lacks, ", "-separated,
 * in words: E[z] is "an expectation over z". */
static void vocab_diff(const char *a, const char *b, char *out, size_t cap)
{
    out[0] = '\0';
    char buf[1024], padded[1100];
    snprintf(buf, sizeof buf, "%s", a ? a : "");
    snprintf(padded, sizeof padded, ";%s;", b ? b : "");
    for (char *t = strtok(buf, ";"); t; t = strtok(NULL, ";")) {
        char key[128];
        snprintf(key, sizeof key, ";%s;", t);
        if (strstr(padded, key))
            continue;
        size_t n = strlen(out);
        if (!strncmp(t, "E[", 2))
            snprintf(out + n, cap - n, "%san expectation or sum over %.*s", n ? ", " : "",
                     (int)(strlen(t) - 3), t + 2);
        else
            snprintf(out + n, cap - n, "%s%s", n ? ", " : "", t);
    }
}

int el_derive_compare(const el_context *ctx, const el_derive_opts *opts, const char *answer,
                      const char *reference, int same_form, char *why, size_t cap)
{
    why[0] = '\0';
    chain c = { 0 };
    chain_line lines[2] = { { (char *)reference, 1, EL_REL_EQ, NULL },
                            { (char *)answer, 1, EL_REL_EQ, NULL } };
    c.l = lines;
    c.n = 2;
    c.line = 1;
    el_derive_opts o = opts ? *opts : (el_derive_opts){ 0 };
    o.exercise = 1;
    el_context *copy = el_context_copy(ctx);
    if (!copy)
        return EL_ERROR(EL_ENOMEM, "out of memory") ? -2 : -2;
    el_derivation d;
    memset(&d, 0, sizeof d);
    long budget = TEXT_BUDGET;
    int rc = check_chain(&c, copy, &o, 0, &budget, &d);
    int out;
    const el_derive_step *st = d.nlines == 2 ? &d.steps[1] : NULL;
    if (rc || !st) {
        out = -2;
    } else if (!((dpriv *)d.priv)->tree[0] || ((dpriv *)d.priv)->state[0] != 0) {
        out = -2;
        EL_ERROR(EL_EFORMAT, "the reference '%.60s' cannot be evaluated: %s", reference,
                 d.lines[0].error            ? d.lines[0].error
                 : ((dpriv *)d.priv)->why[0] ? ((dpriv *)d.priv)->why[0]
                                             : "");
    } else if (st->status == EL_STEP_VALID) {
        out = 1;
        if (same_form && !(d.lines[0].vocab && d.lines[1].vocab &&
                           strcmp(d.lines[0].vocab, d.lines[1].vocab) == 0)) {
            out = 0;
            char missing[300], extra[300];
            vocab_diff(d.lines[0].vocab, d.lines[1].vocab, missing, sizeof missing);
            vocab_diff(d.lines[1].vocab, d.lines[0].vocab, extra, sizeof extra);
            snprintf(why, cap, "equal in value, but not written in the form asked for%s%s%s%s",
                     missing[0] ? ": it should use " : "", missing,
                     extra[0] ? (missing[0] ? ", and not " : ": it should not use ") : "", extra);
        }
    } else if (st->status == EL_STEP_INVALID) {
        out = 0; /* a diagnosis, or the values: a step's relation means nothing here */
        long at = 0;
        char left[40], right[40];
        const char *m = st->message ? strstr(st->message, "; ") : NULL;
        if (m && strncmp(m + 2, "written '", 9) != 0)
            snprintf(why, cap, "%s", m + 2);
        else if (st->message &&
                 sscanf(st->message, "does not hold at instance %ld: left %39[^,], right %39[^;]",
                        &at, left, right) == 3)
            snprintf(why, cap,
                     "not equal to the expected expression: at instance %ld its value "
                     "is %s, the expected one %s",
                     at, right, left);
        else
            snprintf(why, cap, "not equal to the expected expression");
    } else {
        out = -1;
        snprintf(why, cap, "%s",
                 d.lines[1].error ? d.lines[1].error
                 : st->message    ? st->message
                                  : "cannot be evaluated");
    }
    derivation_free(&d);
    return out;
}
