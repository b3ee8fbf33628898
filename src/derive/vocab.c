/* vocab.c -- the vocabulary of a line: its set of probabilistic constructs.
 *
 * In an `=` chain every line equals every other, so a line matches a start,
 * goal or milestone only when it is equal to it *and* uses the same
 * constructs: expectations, sums and integrals over a random variable (one
 * token "E[z]" -- E_q[f] = sum_z q f = int q f dz), densities by their
 * declared signature (q, q_phi(z|x), q(z) -> "q(z|x)"), KL and H with their
 * arguments, literal Gaussians. A density defined as a product or ratio of
 * other densities (p(x,z) = p(x|z) p(z)) and a named quantity (ELBO) count as
 * what they are made of, so that log(ab) = log a + log b and writing the
 * ELBO out do not change the vocabulary. */
#include <stdlib.h>
#include <string.h>

#include "derive/derive_int.h"

typedef struct {
    char tok[48][96];
    int n;
    int depth;
} vset;

static void add(vset *s, const char *t)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->tok[i], t) == 0)
            return;
    if (s->n < 48)
        snprintf(s->tok[s->n++], sizeof s->tok[0], "%s", t);
}

static void signature(const ddist *d, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "%s(", d->name);
    for (int i = 0; i < d->nvars && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", d->vars[i]);
    for (int i = 0; i < d->ncond && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "|", d->cond[i]);
    if (n < cap)
        snprintf(out + n, cap - n, ")");
}

static const ddist *dist_of(const el_context *c, const el_tree *t)
{
    if (t->kind == EL_T_VAR)
        return ctx_param(c, t->name) ? NULL : ctx_dist_bare(c, t->name);
    return t->kind == EL_T_CALL ? ctx_dist_call(c, t) : NULL;
}

static void walk(const el_context *c, const el_tree *t, vset *s);

/* The random variable that body binds to the index (q(z=k|x) binds z to k), or NULL. */
static const char *bound_latent(const el_context *c, const el_tree *t, const char *index)
{
    if (!t)
        return NULL;
    if (t->kind == EL_T_BIND && t->a && t->a->kind == EL_T_VAR && !strcmp(t->a->name, index) &&
        ctx_rv(c, t->name))
        return t->name;
    const char *r = bound_latent(c, t->a, index);
    if (!r)
        r = bound_latent(c, t->b, index);
    for (size_t i = 0; !r && i < t->nargs; i++)
        r = bound_latent(c, t->args[i], index);
    return r;
}

/* pi_k, when the context's p(z) is written pi_z: the distribution an element
 * of a parameter vector stands for, or NULL. */
static const ddist *vector_dist(const el_context *c, const char *name)
{
    const char *u = strrchr(name, '_');
    if (!u || u == name)
        return NULL;
    size_t n = (size_t)(u - name);
    for (int i = 0; i < c->ndist; i++) {
        const el_tree *d = c->dist[i].density;
        if (d && d->kind == EL_T_VAR && c->dist[i].nvars == 1 && !strncmp(d->name, name, n) &&
            d->name[n] == '_' && !strcmp(d->name + n + 1, c->dist[i].vars[0]))
            return &c->dist[i];
    }
    return NULL;
}

/* A density counts as its factors when its definition holds only densities. */
static void add_dist(const el_context *c, const ddist *d, vset *s)
{
    vset inner = { .n = 0, .depth = s->depth + 1 };
    if (d->density && s->depth < 6)
        walk(c, d->density, &inner);
    int only_densities = inner.n > 0;
    for (int i = 0; i < inner.n; i++)
        if (strncmp(inner.tok[i], "E[", 2) == 0 || strncmp(inner.tok[i], "KL(", 3) == 0 ||
            strncmp(inner.tok[i], "H(", 2) == 0 || strcmp(inner.tok[i], "N") == 0)
            only_densities = 0;
    if (only_densities) {
        for (int i = 0; i < inner.n; i++)
            add(s, inner.tok[i]);
        return;
    }
    char sig[96];
    signature(d, sig, sizeof sig);
    add(s, sig);
}

/* The canonical name of a distribution term (inside KL, H, E). */
static void term_name(const el_context *c, const el_tree *t, char *out, size_t cap)
{
    const ddist *d = t ? dist_of(c, t) : ctx_dist_bare(c, "q");
    if (d) {
        signature(d, out, cap);
        return;
    }
    if (t && t->kind == EL_T_GAUSS) {
        snprintf(out, cap, "N");
        return;
    }
    if (t)
        el_tree_print(t, out, cap);
    else
        snprintf(out, cap, "q");
}

/* A named quantity counts as its definition: 1 when q was expanded. */
static int expand_quantity(const el_context *c, const dquant *q, vset *s)
{
    if (!q || !q->value || s->depth >= 6)
        return 0;
    s->depth++;
    walk(c, q->value, s);
    s->depth--;
    return 1;
}

static void walk(const el_context *c, const el_tree *t, vset *s)
{
    if (!t)
        return;
    char a[96], b[96], tok[200];
    const ddist *d;
    switch (t->kind) {
    case EL_T_VAR:
        if (expand_quantity(c, ctx_param(c, t->name) ? NULL : ctx_quant(c, t->name), s))
            return;
        if ((d = dist_of(c, t)) != NULL || (d = vector_dist(c, t->name)) != NULL)
            add_dist(c, d, s);
        return;
    case EL_T_CALL:
        if (expand_quantity(c, ctx_quant(c, t->name), s))
            return;
        if ((d = dist_of(c, t)) != NULL)
            add_dist(c, d, s);
        else
            add(s, t->name);
        return;
    case EL_T_EXPECT: {
        d = t->b ? dist_of(c, t->b) : ctx_dist_bare(c, "q");
        snprintf(tok, sizeof tok, "E[%s]", d ? d->vars[0] : "?");
        add(s, tok);
        if (d)
            add_dist(c, d, s);
        else if (t->b)
            walk(c, t->b, s);
        walk(c, t->a, s);
        return;
    }
    case EL_T_SUM:
    case EL_T_INT: {
        /* a sum over z, or over an index k that the body binds to z (q(z=k|x)) */
        const char *rv = ctx_rv(c, t->name) ? t->name : bound_latent(c, t->a, t->name);
        if (rv) {
            snprintf(tok, sizeof tok, "E[%s]", rv);
            add(s, tok);
        }
        walk(c, t->a, s);
        return;
    }
    case EL_T_KL:
        term_name(c, t->a, a, sizeof a);
        term_name(c, t->b, b, sizeof b);
        snprintf(tok, sizeof tok, "KL(%s||%s)", a, b);
        add(s, tok);
        return;
    case EL_T_ENT:
        term_name(c, t->a, a, sizeof a);
        snprintf(tok, sizeof tok, "H(%s)", a);
        add(s, tok);
        return;
    case EL_T_GAUSS: add(s, "N"); return;
    default: break;
    }
    walk(c, t->a, s);
    walk(c, t->b, s);
    walk(c, t->c, s);
    for (size_t i = 0; i < t->nargs; i++)
        walk(c, t->args[i], s);
}

static int cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

char *vocab_of(const el_context *c, const el_tree *t)
{
    vset *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    walk(c, t, s);
    qsort(s->tok, (size_t)s->n, sizeof s->tok[0], cmp);
    size_t len = 1;
    for (int i = 0; i < s->n; i++)
        len += strlen(s->tok[i]) + 1;
    char *out = malloc(len);
    if (out) {
        out[0] = '\0';
        for (int i = 0; i < s->n; i++) {
            if (i)
                strcat(out, ";");
            strcat(out, s->tok[i]);
        }
    }
    free(s);
    return out;
}
