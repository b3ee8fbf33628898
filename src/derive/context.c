/* context.c -- contexts as data: exercises/contexts/NAME.ini read into
 * parameters, random variables, distributions and quantities.
 *
 * The format (see exercises/README.md, "Write a derivation exercise or a
 * context"): top-level keys `name`, `title`, `q`, `p` (what bare q and p
 * mean), `latent`, `indices` (the range of a sum over a plain index),
 * `gaussian = var|sd`, `differences`; sections `[variable NAME]` (domain,
 * shape, length, aliases, define), `[random NAME]` (support, location,
 * scale), `[distribution SIGNATURE]` (density, aliases, family) and
 * `[quantity NAME]` (value, aliases). Whole rows starting with # or ; are
 * comments; indented rows continue a value. A small reader of its own:
 * the grader's INI reader lives in a higher layer. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/el_core.h"
#include "derive/derive_config.h"
#include "derive/derive_int.h"

#ifndef ELBOLAB_SOURCE_DIR
#define ELBOLAB_SOURCE_DIR "."
#endif

static const char *const builtin[] = { "discrete",      "gauss", "gauss-mv", "diag",
                                       "distributions", "gmvae", NULL };

const char *const *el_context_builtin_names(void)
{
    return builtin;
}

el_context *ctx_new(void)
{
    el_context *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    return c;
}

static void free_trees(el_context *c)
{
    for (int i = 0; i < c->nparam; i++)
        el_tree_free(c->param[i].define);
    for (int i = 0; i < c->nrv; i++) {
        el_tree_free(c->rv[i].loc);
        el_tree_free(c->rv[i].scale);
    }
    for (int i = 0; i < c->ndist; i++) {
        el_tree_free(c->dist[i].density);
        el_tree_free(c->dist[i].mean);
        el_tree_free(c->dist[i].sd);
        el_tree_free(c->dist[i].cov);
    }
    for (int i = 0; i < c->nquant; i++)
        el_tree_free(c->quant[i].value);
}

void el_context_free(el_context *c)
{
    if (!c)
        return;
    free_trees(c);
    free(c);
}

el_context *el_context_copy(const el_context *c)
{
    el_context *d = malloc(sizeof *d);
    if (!d)
        return NULL;
    *d = *c;
    for (int i = 0; i < d->nparam; i++)
        d->param[i].define = el_tree_copy(c->param[i].define);
    for (int i = 0; i < d->nrv; i++) {
        d->rv[i].loc = el_tree_copy(c->rv[i].loc);
        d->rv[i].scale = el_tree_copy(c->rv[i].scale);
    }
    for (int i = 0; i < d->ndist; i++) {
        d->dist[i].density = el_tree_copy(c->dist[i].density);
        d->dist[i].mean = el_tree_copy(c->dist[i].mean);
        d->dist[i].sd = el_tree_copy(c->dist[i].sd);
        d->dist[i].cov = el_tree_copy(c->dist[i].cov);
    }
    for (int i = 0; i < d->nquant; i++)
        d->quant[i].value = el_tree_copy(c->quant[i].value);
    return d;
}

const char *el_context_name(const el_context *c)
{
    return c->name;
}

const char *el_context_title(const el_context *c)
{
    return c->title;
}

void mark_sd(el_tree *t)
{
    if (!t)
        return;
    if (t->kind == EL_T_GAUSS)
        t->num = 1;
    mark_sd(t->a);
    mark_sd(t->b);
    mark_sd(t->c);
    for (size_t i = 0; i < t->nargs; i++)
        mark_sd(t->args[i]);
}

/* ---- small string helpers --------------------------------------------------- */

void name_copy(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}


static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Splits a ','-separated list into `out` (trimmed); returns the count. */
static int split_list(const char *text, char out[][CTX_NAME], int max)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", text);
    int n = 0;
    for (char *tok = strtok(buf, ","); tok && n < max; tok = strtok(NULL, ","))
        snprintf(out[n++], CTX_NAME, "%s", trim(tok));
    return n;
}

/* Canonical spelling of a name written in a context file or a signature
 * (`\mu_q` -> mu_q, `\sigma_{\phi}` -> sigma_phi), through the parser. */
static int canon_name(const char *text, char *out, size_t cap)
{
    const char *nm = text + (text[0] == '\\');
    if (isalpha((unsigned char)nm[0]) &&
        strspn(nm, "abcdefghijklmnopqrstuvwxyz"
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(nm)) {
        snprintf(out, cap, "%s", nm);
        return 1;
    }
    el_expr_error err;
    el_tree *t = el_tree_parse(text, &err);
    int ok = t && (t->kind == EL_T_VAR || t->kind == EL_T_CALL);
    if (ok)
        snprintf(out, cap, "%s", t->name);
    else if (t && t->kind == EL_T_NUM && text[0]) /* pi */
        ok = 0;
    el_tree_free(t);
    return ok;
}

/* A ','-separated list of spellings, each in canonical form, into alias. */
static void read_aliases(const char *val, char alias[][CTX_NAME], int *nalias)
{
    char raw[CTX_ALIAS][CTX_NAME];
    int n = split_list(val, raw, CTX_ALIAS);
    *nalias = 0;
    for (int i = 0; i < n; i++)
        if (canon_name(raw[i], alias[*nalias], CTX_NAME))
            (*nalias)++;
}

void ctx_base_name(const char *name, char *out, size_t cap)
{
    /* p_1 is p1 */
    if (name[0] && name[1] == '_' && name[2] >= '0' && name[2] <= '9' &&
        strspn(name + 2, "0123456789") == strlen(name + 2)) {
        snprintf(out, cap, "%c%s", name[0], name + 2);
        return;
    }
    name_copy(out, name, cap);
    /* p_{\mu,\sigma,\theta}, q_{\psi,\phi}: a subscript of parameter names is spelling */
    static const char *const words[] = { "mu",     "sigma", "theta",    "phi",    "psi", "eta",
                                         "lambda", "omega", "vartheta", "varphi", NULL };
    if (strchr("pq", out[0]) && out[1] == '_') {
        for (size_t i = 0; words[i]; i++) {
            size_t n = strlen(words[i]);
            if (strncmp(out + 2, words[i], n) == 0 && (out[2 + n] == '\0' || out[2 + n] == '_')) {
                out[1] = '\0';
                return;
            }
        }
    }
    for (size_t i = 0; words[i]; i++) { /* N_theta, r_phi */
        size_t n = strlen(words[i]), m = strlen(out);
        if (m > n + 1 && out[m - n - 1] == '_' && strcmp(out + m - n, words[i]) == 0) {
            out[m - n - 1] = '\0';
            return;
        }
    }
}

/* ---- lookups ---------------------------------------------------------------- */

static int name_in(const char *name, const char *base, char alias[][CTX_NAME], int nalias)
{
    if (strcmp(name, base) == 0)
        return 1;
    for (int i = 0; i < nalias; i++)
        if (strcmp(name, alias[i]) == 0)
            return 1;
    return 0;
}

int ctx_param_index(const el_context *c, const char *name)
{
    for (int i = 0; i < c->nparam; i++)
        if (strcmp(c->param[i].name, name) == 0)
            return i;
    for (int i = 0; i < c->nparam; i++) {
        el_context *m = (el_context *)c;
        if (name_in(name, "", m->param[i].alias, m->param[i].nalias))
            return i;
    }
    return -1;
}

const dparam *ctx_param(const el_context *c, const char *name)
{
    int i = ctx_param_index(c, name);
    return i < 0 ? NULL : &c->param[i];
}

const drandom *ctx_rv(const el_context *c, const char *name)
{
    for (int i = 0; i < c->nrv; i++)
        if (strcmp(c->rv[i].name, name) == 0)
            return &c->rv[i];
    return NULL;
}

const dquant *ctx_quant(const el_context *c, const char *name)
{
    el_context *m = (el_context *)c;
    for (int i = 0; i < c->nquant; i++)
        if (name_in(name, m->quant[i].name, m->quant[i].alias, m->quant[i].nalias))
            return &c->quant[i];
    return NULL;
}

static int same_set(char a[][CTX_NAME], int na, const char *const *b, int nb)
{
    if (na != nb)
        return 0;
    for (int i = 0; i < na; i++) {
        int hit = 0;
        for (int j = 0; j < nb && !hit; j++)
            hit = strcmp(a[i], b[j]) == 0;
        if (!hit)
            return 0;
    }
    return 1;
}

const ddist *ctx_dist(const el_context *c, const char *name, const char *const *vars, int nvars,
                      const char *const *cond, int ncond)
{
    char base[CTX_NAME];
    ctx_base_name(name, base, sizeof base);
    el_context *m = (el_context *)c;
    const ddist *only = NULL;
    int count = 0;
    for (int i = 0; i < c->ndist; i++) {
        ddist *d = &m->dist[i];
        if (strcmp(d->name, base) != 0 && strcmp(d->name, name) != 0)
            continue;
        if (same_set(d->vars, d->nvars, vars, nvars) && same_set(d->cond, d->ncond, cond, ncond))
            return d;
        only = d;
        count++;
    }
    /* a declared alias applied to the distribution's variables: N_0(x) */
    for (int i = 0; i < c->ndist && count == 0; i++) {
        ddist *d = &m->dist[i];
        if ((name_in(name, "", d->alias, d->nalias) || name_in(base, "", d->alias, d->nalias)) &&
            nvars == d->nvars && ncond == d->ncond)
            return d;
    }
    /* where a context has one q, q(z), q(z|x) and q are that q */
    if (count == 1 && (base[0] == 'q' || only->family[0]) && nvars == only->nvars)
        return only;
    /* N_0(x), p(x) in contexts whose p has one signature over other names */
    if (count == 1 && nvars == only->nvars && ncond == only->ncond)
        return only;
    return NULL;
}

/* The context's distribution of the signature sig (parsed, not yet in c). */
static const ddist *dist_of_sig(const el_context *c, const ddist *sig)
{
    const char *vars[4], *cond[4];
    for (int i = 0; i < sig->nvars; i++)
        vars[i] = sig->vars[i];
    for (int i = 0; i < sig->ncond; i++)
        cond[i] = sig->cond[i];
    return ctx_dist(c, sig->name, vars, sig->nvars, cond, sig->ncond);
}

const ddist *ctx_dist_call(const el_context *c, const el_tree *t)
{
    const char *vars[8], *cond[8];
    int nv = 0, nc = 0;
    for (size_t i = 0; i < t->nargs && i < 8; i++) {
        const el_tree *a = t->args[i];
        const char *n = a->kind == EL_T_VAR || a->kind == EL_T_BIND ? a->name : "";
        if (i < t->nvars)
            vars[nv++] = n;
        else
            cond[nc++] = n;
    }
    return ctx_dist(c, t->name, vars, nv, cond, nc);
}

const ddist *ctx_dist_bare(const el_context *c, const char *name)
{
    char base[CTX_NAME];
    ctx_base_name(name, base, sizeof base);
    el_context *m = (el_context *)c;
    for (int i = 0; i < c->ndist; i++)
        if (name_in(name, "", m->dist[i].alias, m->dist[i].nalias) ||
            name_in(base, "", m->dist[i].alias, m->dist[i].nalias))
            return &c->dist[i];
    const ddist *sig = !strcmp(base, "q") ? &c->pair[0] : !strcmp(base, "p") ? &c->pair[1] : NULL;
    const ddist *d = sig && sig->name[0] ? dist_of_sig(c, sig) : NULL;
    if (d)
        return d;
    int hit = -1, count = 0;
    for (int i = 0; i < c->ndist; i++)
        if (strcmp(c->dist[i].name, base) == 0 || strcmp(c->dist[i].name, name) == 0)
            hit = i, count++;
    return count == 1 ? &c->dist[hit] : NULL;
}

/* ---- parsing sections ---------------------------------------------------------- */

static int bad(const char *path, size_t line, const char *what)
{
    return EL_ERROR(EL_EFORMAT, "%s:%zu: %s", path, line, what);
}

static el_tree *parse_or_fail(const char *text, const char *path, size_t line, int *rc)
{
    el_expr_error err;
    el_tree *t = el_tree_parse(text, &err);
    if (!t) {
        char msg[400];
        snprintf(msg, sizeof msg, "cannot read '%.120s': %s", text, err.msg);
        *rc = bad(path, line, msg);
    }
    return t;
}

/* uniform(a, b), loguniform(a, b), integer(a, b), simplex, spd, a number. */
static int parse_domain(dparam *p, const char *text)
{
    double a, b;
    if (sscanf(text, "uniform(%lf ,%lf)", &a, &b) == 2 && a <= b) {
        p->lo = a, p->hi = b;
        return 0;
    }
    if (sscanf(text, "loguniform(%lf ,%lf)", &a, &b) == 2 && a > 0 && a <= b) {
        p->lo = a, p->hi = b, p->logscale = 1;
        return 0;
    }
    if (sscanf(text, "integer(%lf ,%lf)", &a, &b) == 2 && a <= b) {
        p->lo = a, p->hi = b, p->shape = P_INTEGER;
        return 0;
    }
    if (strcmp(text, "simplex") == 0) {
        p->shape = P_SIMPLEX;
        return 0;
    }
    if (sscanf(text, "spd(%lf)", &a) == 1 || strcmp(text, "spd") == 0) {
        p->shape = P_SPD;
        return 0;
    }
    char *end;
    a = strtod(text, &end);
    if (end != text && *trim(end) == '\0') {
        p->lo = p->hi = a;
        return 0;
    }
    return -1;
}

static dparam *add_param(el_context *c, const char *name)
{
    int i = -1;
    for (int k = 0; k < c->nparam; k++)
        if (strcmp(c->param[k].name, name) == 0)
            i = k;
    if (i < 0) {
        if (c->nparam >= CTX_MAX)
            return NULL;
        i = c->nparam++;
    } else {
        el_tree_free(c->param[i].define);
    }
    dparam *p = &c->param[i];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->lo = -1, p->hi = 1;
    return p;
}

static int param_key(el_context *c, dparam *p, const char *key, const char *val, const char *path,
                     size_t line)
{
    int rc = 0;
    if (strcmp(key, "domain") == 0) {
        if (parse_domain(p, val))
            return bad(path, line,
                       "domain is uniform(a,b), loguniform(a,b), integer(a,b), "
                       "simplex, spd or a number");
    } else if (strcmp(key, "shape") == 0) {
        p->shape = strcmp(val, "vector") == 0    ? P_VECTOR
                   : strcmp(val, "simplex") == 0 ? P_SIMPLEX
                   : strcmp(val, "spd") == 0     ? P_SPD
                   : strcmp(val, "integer") == 0 ? P_INTEGER
                                                 : P_SCALAR;
    } else if (strcmp(key, "length") == 0 || strcmp(key, "dimension") == 0) {
        snprintf(p->length, sizeof p->length, "%s", val);
    } else if (strcmp(key, "aliases") == 0) {
        read_aliases(val, p->alias, &p->nalias);
    } else if (strcmp(key, "define") == 0 || strcmp(key, "value") == 0) {
        p->define = parse_or_fail(val, path, line, &rc);
        snprintf(p->define_text, sizeof p->define_text, "%s", val);
    }
    (void)c;
    return rc;
}

static int random_key(drandom *r, const char *key, const char *val, const char *path, size_t line)
{
    int rc = 0;
    if (strcmp(key, "support") == 0) {
        char size[CTX_NAME] = "";
        if (strcmp(val, "real") == 0) {
            r->kind = RV_REAL;
        } else if (sscanf(val, "real^%63s", size) == 1) {
            r->kind = RV_REAL;
            snprintf(r->size, sizeof r->size, "%s", size);
        } else if (sscanf(val, "states(%63[^)])", size) == 1) {
            r->kind = RV_STATES;
            snprintf(r->size, sizeof r->size, "%s", size);
        } else if (strcmp(val, "observed") == 0) {
            r->kind = RV_OBSERVED;
        } else {
            return bad(path, line, "support is real, real^d, states(K) or observed");
        }
    } else if (strcmp(key, "location") == 0) {
        r->loc = parse_or_fail(val, path, line, &rc);
    } else if (strcmp(key, "scale") == 0) {
        r->scale = parse_or_fail(val, path, line, &rc);
    }
    return rc;
}

/* "q(z|x)" -> name q, vars {z}, cond {x}. */
static int parse_signature(ddist *d, const char *sig)
{
    el_tree *t = el_tree_parse(sig, NULL);
    int ok = 0;
    if (t && t->kind == EL_T_CALL) {
        snprintf(d->name, sizeof d->name, "%s", t->name);
        ok = 1;
        for (size_t i = 0; i < t->nargs && ok; i++) {
            if (t->args[i]->kind != EL_T_VAR || i >= 8) {
                ok = 0;
                break;
            }
            if (i < t->nvars && d->nvars < 4)
                snprintf(d->vars[d->nvars++], CTX_NAME, "%s", t->args[i]->name);
            else if (i >= t->nvars && d->ncond < 4)
                snprintf(d->cond[d->ncond++], CTX_NAME, "%s", t->args[i]->name);
        }
    }
    el_tree_free(t);
    return ok ? 0 : -1;
}

static int dist_key(ddist *d, const char *key, const char *val, const char *path, size_t line)
{
    int rc = 0;
    if (strcmp(key, "density") == 0) {
        el_tree_free(d->density);
        d->density = parse_or_fail(val, path, line, &rc);
        snprintf(d->density_text, sizeof d->density_text, "%s", val);
    } else if (strcmp(key, "aliases") == 0) {
        read_aliases(val, d->alias, &d->nalias);
    } else if (strcmp(key, "mean") == 0 || strcmp(key, "sd") == 0 || strcmp(key, "cov") == 0) {
        el_tree **slot = key[0] == 'm' ? &d->mean : key[0] == 's' ? &d->sd : &d->cov;
        el_tree_free(*slot);
        *slot = parse_or_fail(val, path, line, &rc);
    } else if (strcmp(key, "family") == 0) {
        snprintf(d->family, sizeof d->family, "%s", val);
    }
    return rc;
}

static int quant_key(dquant *q, const char *key, const char *val, const char *path, size_t line)
{
    int rc = 0;
    if (strcmp(key, "value") == 0) {
        el_tree_free(q->value);
        q->value = parse_or_fail(val, path, line, &rc);
        snprintf(q->value_text, sizeof q->value_text, "%s", val);
    } else if (strcmp(key, "aliases") == 0) {
        read_aliases(val, q->alias, &q->nalias);
    }
    return rc;
}

static int top_key(el_context *c, const char *key, const char *val)
{
    if (strcmp(key, "name") == 0)
        snprintf(c->name, sizeof c->name, "%s", val);
    else if (strcmp(key, "title") == 0)
        snprintf(c->title, sizeof c->title, "%s", val);
    else if (strcmp(key, "q") == 0 || strcmp(key, "p") == 0) { /* parsed once, here */
        ddist *sig = &c->pair[key[0] == 'p'];
        memset(sig, 0, sizeof *sig);
        if (parse_signature(sig, val)) /* a bare "q": nothing more to say */
            sig->name[0] = '\0';
    } else if (strcmp(key, "latent") == 0)
        snprintf(c->latent, sizeof c->latent, "%s", val);
    else if (strcmp(key, "indices") == 0)
        snprintf(c->index_range, sizeof c->index_range, "%s", val);
    else if (strcmp(key, "gaussian") == 0)
        c->file_sd = strcmp(val, "sd") == 0;
    else if (strcmp(key, "differences") == 0)
        snprintf(c->differences, sizeof c->differences, "%s", val);
    return 0;
}

typedef enum { S_TOP, S_VAR, S_RV, S_DIST, S_QUANT, S_OTHER } section;

/* Opens section `head` ("variable mu_q"); sets *sec and the index. */
static int open_section(el_context *c, char *head, section *sec, const char *path, size_t line)
{
    char *sp = strchr(head, ' ');
    char *arg = sp ? trim(sp + 1) : (char *)"";
    if (sp)
        *sp = '\0';
    char name[CTX_NAME];
    if (strcmp(head, "variable") == 0) {
        if (!canon_name(arg, name, sizeof name) || !add_param(c, name))
            return bad(path, line, "a [variable] needs a name");
        *sec = S_VAR;
    } else if (strcmp(head, "random") == 0) {
        if (c->nrv >= 8 || !canon_name(arg, name, sizeof name))
            return bad(path, line, "a [random] needs a name (at most 8)");
        memset(&c->rv[c->nrv], 0, sizeof c->rv[0]);
        snprintf(c->rv[c->nrv++].name, CTX_NAME, "%s", name);
        *sec = S_RV;
    } else if (strcmp(head, "distribution") == 0) {
        if (c->ndist >= CTX_MAX)
            return bad(path, line, "too many distributions");
        ddist *d = &c->dist[c->ndist];
        memset(d, 0, sizeof *d);
        if (parse_signature(d, arg))
            return bad(path, line, "a [distribution] needs a signature such as q(z|x)");
        c->ndist++;
        *sec = S_DIST;
    } else if (strcmp(head, "quantity") == 0) {
        if (c->nquant >= CTX_MAX || !canon_name(arg, name, sizeof name))
            return bad(path, line, "a [quantity] needs a name");
        memset(&c->quant[c->nquant], 0, sizeof c->quant[0]);
        snprintf(c->quant[c->nquant++].name, CTX_NAME, "%s", name);
        *sec = S_QUANT;
    } else {
        *sec = S_OTHER; /* sections of an exercise file: not the context's */
    }
    return 0;
}

static int apply_key(el_context *c, section sec, const char *key, const char *val, const char *path,
                     size_t line)
{
    switch (sec) {
    case S_TOP: return top_key(c, key, val);
    case S_VAR: return param_key(c, &c->param[c->nparam - 1], key, val, path, line);
    case S_RV: return random_key(&c->rv[c->nrv - 1], key, val, path, line);
    case S_DIST: return dist_key(&c->dist[c->ndist - 1], key, val, path, line);
    case S_QUANT: return quant_key(&c->quant[c->nquant - 1], key, val, path, line);
    default: return 0;
    }
}

/* Reads the whole file (at most 1 MiB, a regular file) into a new string. */
static char *slurp(const char *path)
{
    unsigned char *buf;
    size_t n;
    return el_file_read(path, (size_t)1 << 20, &buf, &n) ? NULL : (char *)buf;
}

/* Flushes a pending key (value accumulated over continuation rows). */
static int flush(el_context *c, section sec, char *key, char *val, const char *path, size_t line)
{
    if (!key[0])
        return 0;
    int rc = apply_key(c, sec, key, trim(val), path, line);
    key[0] = '\0';
    val[0] = '\0';
    return rc;
}

int ctx_parse_file(el_context *c, const char *path)
{
    char *text = slurp(path);
    if (!text)
        return EL_ERROR(EL_EIO, "cannot read %s", path);
    snprintf(c->path, sizeof c->path, "%s", path);
    section sec = S_TOP;
    char key[64] = "", val[2048] = "";
    size_t line = 0, key_line = 0;
    int rc = 0;
    for (char *row = text, *next; row && !rc; row = next) {
        next = strchr(row, '\n');
        if (next)
            *next++ = '\0';
        line++;
        char *t = trim(row);
        if (*t == '#' || *t == ';')
            continue;
        if ((*row == ' ' || *row == '\t') && *t && key[0]) { /* continuation */
            size_t n = strlen(val);
            snprintf(val + n, sizeof val - n, " %s", t);
            continue;
        }
        rc = flush(c, sec, key, val, path, key_line);
        if (rc || !*t)
            continue;
        if (*t == '[') {
            char *close = strrchr(t, ']');
            if (!close) {
                rc = bad(path, line, "a section header needs ']'");
                break;
            }
            *close = '\0';
            rc = open_section(c, t + 1, &sec, path, line);
            continue;
        }
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = bad(path, line, "expected 'key = value'");
            break;
        }
        *eq = '\0';
        snprintf(key, sizeof key, "%s", trim(t));
        snprintf(val, sizeof val, "%s", eq + 1);
        key_line = line;
    }
    if (!rc)
        rc = flush(c, sec, key, val, path, key_line);
    for (int i = 0; !rc && c->file_sd && i < c->ndist; i++) /* the file's own convention */
        mark_sd(c->dist[i].density);
    c->gauss_sd = c->file_sd;
    free(text);
    return rc;
}

el_context *el_context_load_file(const char *path)
{
    el_context *c = ctx_new();
    if (!c) {
        EL_ERROR(EL_ENOMEM, "out of memory");
        return NULL;
    }
    if (ctx_parse_file(c, path)) {
        el_context_free(c);
        return NULL;
    }
    return c;
}

static int valid_name(const char *name)
{
    if (!name[0] || strlen(name) > 48)
        return 0;
    for (const char *s = name; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return 0;
    return 1;
}

el_context *el_context_load(const char *name, const char *const *dirs, size_t ndirs)
{
    if (!valid_name(name)) {
        EL_ERROR(EL_ENOTFOUND,
                 "no context '%.60s' (contexts: discrete, gauss, gauss-mv, diag, "
                 "distributions, gmvae)",
                 name);
        return NULL;
    }
    char path[1200];
    struct stat st;
    for (size_t i = 0; i <= ndirs; i++) {
        const char *dir = i < ndirs ? dirs[i] : ELBOLAB_SOURCE_DIR "/exercises";
        if (!dir)
            continue;
        snprintf(path, sizeof path, "%s/contexts/%s.ini", dir, name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return el_context_load_file(path);
    }
    EL_ERROR(EL_ENOTFOUND,
             "no context '%s' (contexts: discrete, gauss, gauss-mv, diag, "
             "distributions, gmvae)",
             name);
    return NULL;
}

/* ---- changing a context ---------------------------------------------------------- */

int el_context_set_param(el_context *c, const char *name, const char *domain, const char *value,
                         const char *aliases)
{
    char canon[CTX_NAME];
    if (!canon_name(name, canon, sizeof canon))
        return EL_ERROR(EL_EFORMAT, "'%s' is not a name", name);
    int at = ctx_param_index(c, canon);
    pshape keep = at >= 0 ? c->param[at].shape : P_SCALAR;
    char length[CTX_NAME] = "";
    dparam old;
    if (at >= 0) {
        old = c->param[at];
        snprintf(length, sizeof length, "%s", old.length);
        snprintf(canon, sizeof canon, "%s", old.name); /* an alias names the parameter */
    }
    dparam *p = add_param(c, canon);
    if (!p)
        return EL_ERROR(EL_ELIMIT, "too many parameters");
    if (at >= 0) { /* keep aliases and shape */
        memcpy(p->alias, old.alias, sizeof p->alias);
        p->nalias = old.nalias;
        p->shape = keep;
        snprintf(p->length, sizeof p->length, "%s", length);
    }
    int rc = 0;
    if (value)
        rc = param_key(c, p, "define", value, "let", 1);
    else if (domain)
        rc = param_key(c, p, "domain", domain, "let", 1);
    if (!rc && aliases)
        rc = param_key(c, p, "aliases", aliases, "let", 1);
    /* a parameter must come before the definitions that use it */
    if (!rc && at >= 0 && value && at < c->nparam - 1) {
        dparam moved = *p;
        memmove(&c->param[at], &c->param[at + 1], sizeof *p * (size_t)(c->nparam - 1 - at));
        c->param[c->nparam - 1] = moved;
    }
    return rc;
}

int el_context_set_quantity(el_context *c, const char *name, const char *value, const char *aliases)
{
    char canon[CTX_NAME];
    if (!canon_name(name, canon, sizeof canon)) {
        snprintf(canon, sizeof canon, "%s", name);
    }
    dquant *q = NULL;
    for (int i = 0; i < c->nquant; i++)
        if (strcmp(c->quant[i].name, canon) == 0)
            q = &c->quant[i];
    if (!q) {
        if (c->nquant >= CTX_MAX)
            return EL_ERROR(EL_ELIMIT, "too many quantities");
        q = &c->quant[c->nquant++];
        memset(q, 0, sizeof *q);
        snprintf(q->name, sizeof q->name, "%s", canon);
    }
    int rc = quant_key(q, "value", value, "exercise", 1);
    if (!rc && aliases)
        rc = quant_key(q, "aliases", aliases, "exercise", 1);
    return rc;
}

/* let q(z) = ...: (re)defines a distribution. */
static int let_dist(el_context *c, const char *sig, const char *density)
{
    ddist d;
    memset(&d, 0, sizeof d);
    if (parse_signature(&d, sig))
        return EL_ERROR(EL_EFORMAT, "let: cannot read the signature '%s'", sig);
    ddist *slot = (ddist *)dist_of_sig(c, &d);
    if (!slot) {
        if (c->ndist >= CTX_MAX)
            return EL_ERROR(EL_ELIMIT, "too many distributions");
        slot = &c->dist[c->ndist++];
        *slot = d;
    } else {
        el_tree_free(slot->density);
        slot->density = NULL;
    }
    int rc = dist_key(slot, "density", density, "let", 1);
    return rc;
}

int el_context_let(el_context *c, const char *row, const char **note)
{
    static _Thread_local char msg[160];
    if (note)
        *note = NULL;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", row);
    char *eq = strchr(buf, '=');
    if (!eq)
        return EL_ERROR(EL_EFORMAT, "let: expected 'let NAME = VALUE', got '%.60s'", row);
    *eq = '\0';
    char *lhs = trim(buf), *rhs = trim(eq + 1);
    if (strcmp(lhs, "gaussian") == 0) {
        c->gauss_sd = strcmp(rhs, "sd") == 0;
        return 0;
    }
    if (strcmp(lhs, "context") == 0)
        return 0;
    if (strchr(lhs, '('))
        return let_dist(c, lhs, rhs);
    char canon[CTX_NAME];
    if (!canon_name(lhs, canon, sizeof canon))
        return EL_ERROR(EL_EFORMAT, "let: '%s' is not a name", lhs);
    int known = ctx_param_index(c, canon) >= 0;
    int rc = el_context_set_param(c, lhs, NULL, rhs, NULL);
    if (!rc && !known && note) {
        snprintf(msg, sizeof msg, "'%s' is not a parameter of this context: declared by let",
                 canon);
        *note = msg;
    }
    return rc;
}
