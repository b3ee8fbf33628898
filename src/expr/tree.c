/* tree.c -- the answer language as a tree, for the lines of a derivation
 * (el_expr.h, "derivation lines"). Recursive descent over the same lexer
 * (in derivation mode), bounded in depth and node count. Hand-written: no
 * packaged C library parses LaTeX math, let alone E_q[.] and KL(.||.).
 *
 * Grammar (juxtaposition is multiplication, as in the closed-form language):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '\odot') unary | postfix)*
 *   unary   := ('+' | '-') unary | postfix
 *   postfix := primary ('^' sup | "'" | '²')*
 * A term stops at a token in the current stop set: the closing bracket of
 * the group it is in, a call's ',' '|' ';', a KL's separator, an integral's
 * differential. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_internal.h"

enum {
    STOP_BAR = 1,   /* '|' and \mid end the term (a call's conditioning bar) */
    STOP_COMMA = 2, /* ',' and ';' */
    STOP_KL = 4,    /* '||', \|, ‖, \parallel, \mid\mid */
    STOP_DIFF = 8,  /* dz, \mathrm{d}z, \,d z */
    STOP_SIM = 16   /* \sim */
};

typedef struct {
    cursor cur;
    token tok;
    int depth;
    int stop;
    size_t nodes;
    int failed;
    el_expr_error *err;
} tparser;

static el_tree *parse_expr(tparser *p);
static el_tree *parse_term(tparser *p);
static el_tree *parse_unary(tparser *p);
static el_tree *parse_postfix(tparser *p);
static el_tree *parse_primary(tparser *p);

/* ---- helpers ------------------------------------------------------------ */

static void advance(tparser *p)
{
    expr_lex(&p->cur, &p->tok);
}

/* Records the first error (position of the lookahead) and returns NULL. */
static el_tree *fail(tparser *p, const char *fmt, ...)
{
    if (!p->failed && p->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
        va_end(ap);
        p->err->pos = p->tok.pos;
    }
    p->failed = 1;
    return NULL;
}

/* A short description of the lookahead for messages. */
static const char *found(tparser *p)
{
    static _Thread_local char buf[48];
    if (p->tok.kind == TK_END)
        return "the end of the line";
    if (p->tok.kind == TK_BAD)
        return p->tok.msg;
    size_t n = p->tok.end - p->tok.off;
    if (n > 24)
        n = 24;
    snprintf(buf, sizeof buf, "'%.*s'", (int)n, p->cur.s + p->tok.off);
    return buf;
}

static el_tree *node(tparser *p, el_tree_kind kind)
{
    if (++p->nodes > EL_EXPR_MAX_NODES)
        return fail(p, "the line is too long to check (more than %d operations)",
                    EL_EXPR_MAX_NODES);
    el_tree *t = calloc(1, sizeof *t);
    if (!t)
        return fail(p, "out of memory");
    t->kind = kind;
    t->pos = p->tok.pos;
    return t;
}

static el_tree *binary(tparser *p, el_tree_kind kind, el_tree *a, el_tree *b)
{
    if (!a || !b) {
        el_tree_free(a);
        el_tree_free(b);
        return NULL;
    }
    el_tree *t = node(p, kind);
    if (!t) {
        el_tree_free(a);
        el_tree_free(b);
        return NULL;
    }
    t->a = a;
    t->b = b;
    t->pos = a->pos;
    return t;
}

static el_tree *unary_node(tparser *p, el_tree_kind kind, const char *name, el_tree *a)
{
    if (!a)
        return NULL;
    el_tree *t = node(p, kind);
    if (!t) {
        el_tree_free(a);
        return NULL;
    }
    t->a = a;
    if (name)
        snprintf(t->name, sizeof t->name, "%s", name);
    return t;
}

static int is_cmd(const tparser *p, const char *name)
{
    return p->tok.kind == TK_CMD && strcmp(p->tok.name, name) == 0;
}

static int accept(tparser *p, tok_kind kind)
{
    if (p->tok.kind != kind)
        return 0;
    advance(p);
    return 1;
}

static int expect(tparser *p, tok_kind kind, const char *what)
{
    if (accept(p, kind))
        return 1;
    fail(p, "expected %s, found %s", what, found(p));
    return 0;
}

static int enter(tparser *p)
{
    if (++p->depth > EL_EXPR_MAX_DEPTH) {
        fail(p, "the line is nested too deeply (more than %d levels)", EL_EXPR_MAX_DEPTH);
        return 0;
    }
    return 1;
}

/* ---- stop tokens -------------------------------------------------------- */

/* Is the lookahead a differential `dz` (a plain name d + one more name)? */
static int at_differential(tparser *p)
{
    if (p->tok.kind == TK_NAME && p->tok.name[0] == 'd' && p->tok.name[1] &&
        strcmp(p->tok.name, "det") != 0 && strcmp(p->tok.name, "delta") != 0 &&
        strlen(p->tok.name) <= 2)
        return 1;
    if (p->tok.kind == TK_NAME && strcmp(p->tok.name, "d") == 0)
        return 1;
    if ((is_cmd(p, "mathrm") || is_cmd(p, "text") || is_cmd(p, "operatorname")) &&
        strncmp(p->cur.s + p->cur.off, "{d}", 3) == 0)
        return 1;
    return 0;
}

/* Is the lookahead a KL separator? */
static int at_kl_sep(tparser *p)
{
    if (p->tok.kind == TK_DBAR || is_cmd(p, "|") || is_cmd(p, "parallel") || is_cmd(p, "Vert"))
        return 1;
    if (p->tok.kind == TK_BAR || is_cmd(p, "mid"))
        return 1; /* a single bar at a KL's top level separates too */
    return p->tok.kind == TK_COMMA;
}

static int at_stop(tparser *p)
{
    switch (p->tok.kind) {
    case TK_END:
    case TK_RPAREN:
    case TK_RBRACK:
    case TK_RBRACE:
    case TK_RCURLY:
    case TK_PLUS:
    case TK_MINUS:
    case TK_EQ:
    case TK_BAD: return 1;
    case TK_COMMA:
    case TK_SEMI: return 1;
    case TK_BAR: return (p->stop & (STOP_BAR | STOP_KL)) || p->tok.flag == BAR_CLOSE;
    case TK_DBAR: return 1;
    default: break;
    }
    if ((p->stop & (STOP_BAR | STOP_KL)) && is_cmd(p, "mid"))
        return 1;
    if ((p->stop & STOP_KL) && at_kl_sep(p))
        return 1;
    if ((p->stop & STOP_DIFF) && at_differential(p))
        return 1;
    if (is_cmd(p, "sim") || is_cmd(p, "|") || is_cmd(p, "parallel"))
        return 1;
    return 0;
}

/* ---- names -------------------------------------------------------------- */

static void glue(char *dst, size_t cap, const char *add)
{
    size_t n = strlen(dst);
    snprintf(dst + n, cap - n, "%s%s", n ? "_" : "", add);
}

/* Reads a braced group of names/numbers as one glued name: {q,i} -> "q_i". */
static int read_braced_text(tparser *p, char *out, size_t cap)
{
    out[0] = '\0';
    if (!accept(p, TK_LBRACE)) {
        if (p->tok.kind == TK_NAME || p->tok.kind == TK_NUM) {
            if (p->tok.kind == TK_NUM)
                snprintf(out, cap, "%s", "");
            size_t n = p->tok.end - p->tok.off;
            snprintf(out, cap, "%.*s", (int)n, p->cur.s + p->tok.off);
            if (p->tok.kind == TK_NAME)
                snprintf(out, cap, "%s", p->tok.name);
            advance(p);
            return 1;
        }
        if (p->tok.kind == TK_CMD) { /* \sigma_\phi is a name; \mathrm{x} */
            snprintf(out, cap, "%s", p->tok.name);
            advance(p);
            return 1;
        }
        fail(p, "expected a name, found %s", found(p));
        return 0;
    }
    while (p->tok.kind != TK_RBRACE) {
        if (p->tok.kind == TK_NAME || p->tok.kind == TK_CMD) {
            char w[EXPR_NAME_MAX];
            snprintf(w, sizeof w, "%s", p->tok.name);
            advance(p);
            if (p->tok.kind == TK_LBRACE && strcmp(w, "infty") != 0) { /* \mathrm{post} */
                char inner[EXPR_NAME_MAX];
                if (!read_braced_text(p, inner, sizeof inner))
                    return 0;
                snprintf(w, sizeof w, "%s", inner);
            }
            glue(out, cap, w);
        } else if (p->tok.kind == TK_NUM || p->tok.kind == TK_SUBDIG) {
            char w[EXPR_NAME_MAX];
            size_t n = p->tok.end - p->tok.off;
            snprintf(w, sizeof w, "%.*s", (int)n, p->cur.s + p->tok.off);
            if (p->tok.kind == TK_SUBDIG)
                snprintf(w, sizeof w, "%s", p->tok.name);
            glue(out, cap, w);
            advance(p);
        } else if (p->tok.kind == TK_COMMA || p->tok.kind == TK_USCORE) {
            advance(p);
        } else {
            fail(p, "expected a name in braces, found %s", found(p));
            return 0;
        }
    }
    advance(p);
    return 1;
}

/* The styles whose braced argument is a name (or a word: \mathrm{KL}). */
static int is_style(const char *c)
{
    static const char *const s[] = { "mathrm", "text",   "operatorname", "mathbf",  "boldsymbol",
                                     "bm",     "mathit", "mathsf",       "vec",     "mathcal",
                                     "mathbb", "textrm", "textit",       "mathscr", NULL };
    for (size_t i = 0; s[i]; i++)
        if (strcmp(s[i], c) == 0)
            return 1;
    return 0;
}

static const char *accent_suffix(const char *c)
{
    if (strcmp(c, "bar") == 0 || strcmp(c, "overline") == 0)
        return "bar";
    if (strcmp(c, "hat") == 0 || strcmp(c, "widehat") == 0)
        return "hat";
    if (strcmp(c, "tilde") == 0 || strcmp(c, "widetilde") == 0)
        return "tilde";
    return NULL;
}

/* Reads a subscript after '_' and glues it on `name`. */
static int read_subscript(tparser *p, char *name, size_t cap)
{
    char sub[EXPR_NAME_MAX];
    if (p->tok.kind == TK_SUBDIG) {
        glue(name, cap, p->tok.name);
        advance(p);
        return 1;
    }
    if (p->tok.kind == TK_CMD && (is_style(p->tok.name) || accent_suffix(p->tok.name))) {
        advance(p);
    }
    if (!read_braced_text(p, sub, sizeof sub))
        return 0;
    glue(name, cap, sub);
    return 1;
}

/* ---- groups and calls --------------------------------------------------- */

static int is_open(tok_kind k)
{
    return k == TK_LPAREN || k == TK_LBRACK || k == TK_LBRACE || k == TK_LCURLY;
}

static tok_kind closer(tok_kind k)
{
    return k == TK_LPAREN   ? TK_RPAREN
           : k == TK_LBRACK ? TK_RBRACK
           : k == TK_LBRACE ? TK_RBRACE
                            : TK_RCURLY;
}

/* Accepts a closing bracket of any kind (students write \left[ ... \right)). */
static int close_group(tparser *p, tok_kind want)
{
    if (p->tok.kind == want || p->tok.kind == TK_RPAREN || p->tok.kind == TK_RBRACK ||
        p->tok.kind == TK_RCURLY || (p->tok.kind == TK_RBRACE && want == TK_RBRACE)) {
        advance(p);
        return 1;
    }
    fail(p, "expected a closing bracket, found %s", found(p));
    return 0;
}

/* Parses `open expr close` with a fresh stop set plus `stop`. */
static el_tree *parse_group_with(tparser *p, int stop)
{
    tok_kind open = p->tok.kind;
    advance(p);
    int saved = p->stop;
    p->stop = stop;
    el_tree *e = parse_expr(p);
    p->stop = saved;
    if (e && !close_group(p, closer(open))) {
        el_tree_free(e);
        return NULL;
    }
    return e;
}

static el_tree *parse_group(tparser *p)
{
    return parse_group_with(p, 0);
}

static int add_arg(tparser *p, el_tree *t, el_tree *a)
{
    if (!a)
        return 0;
    el_tree **grown = realloc(t->args, (t->nargs + 1) * sizeof *grown);
    if (!grown) {
        el_tree_free(a);
        fail(p, "out of memory");
        return 0;
    }
    t->args = grown;
    t->args[t->nargs++] = a;
    return 1;
}

/* One argument of a call: `z=k` is a binding, anything else an expression. */
static el_tree *parse_call_arg(tparser *p)
{
    if (p->tok.kind == TK_NAME || p->tok.kind == TK_CMD) {
        cursor save = p->cur;
        token tok = p->tok;
        char name[EXPR_NAME_MAX];
        snprintf(name, sizeof name, "%s", p->tok.name);
        advance(p);
        while (p->tok.kind == TK_USCORE) {
            advance(p);
            if (!read_subscript(p, name, sizeof name))
                return NULL;
        }
        if (p->tok.kind == TK_EQ) {
            advance(p);
            el_tree *v = parse_expr(p);
            el_tree *b = unary_node(p, EL_T_BIND, name, v);
            return b;
        }
        p->cur = save;
        p->tok = tok;
    }
    return parse_expr(p);
}

/* Parses `( a, b | c, d )` into t->args (nvars = the count before the bar;
 * a ';' counts as the bar for N(z; m, v)). The lookahead is the bracket. */
static int parse_call_args(tparser *p, el_tree *t)
{
    tok_kind open = p->tok.kind;
    advance(p);
    int saved = p->stop, bar = 0;
    p->stop = STOP_BAR | STOP_COMMA;
    t->nvars = (size_t)-1;
    for (;;) {
        if (!add_arg(p, t, parse_call_arg(p))) {
            p->stop = saved;
            return 0;
        }
        if (p->tok.kind == TK_COMMA) {
            advance(p);
        } else if (!bar && (p->tok.kind == TK_BAR || is_cmd(p, "mid") || p->tok.kind == TK_SEMI)) {
            t->nvars = t->nargs;
            bar = 1;
            advance(p);
        } else {
            break;
        }
    }
    p->stop = saved;
    if (t->nvars == (size_t)-1)
        t->nvars = t->nargs;
    return close_group(p, closer(open));
}

static int is_callable(const char *name)
{
    static const char bases[] = "pqrfghPQFLGJ";
    if (strcmp(name, "ELBO") == 0 || strncmp(name, "ELBO_", 5) == 0)
        return 1;
    if (strncmp(name, "N_", 2) == 0 && name[2]) /* N_0(x): a named Gaussian's density */
        return 1;
    if (name[0] && strchr(bases, name[0]) &&
        (name[1] == '\0' || name[1] == '_' || (name[1] >= '0' && name[1] <= '9' && !name[2])))
        return 1;
    return 0;
}

/* ---- the probabilistic constructs --------------------------------------- */

/* N(c; a, b), N(c | a, b), N(a, b): the lookahead is the bracket. */
static el_tree *parse_gauss(tparser *p)
{
    el_tree *t = node(p, EL_T_GAUSS);
    if (!t)
        return NULL;
    if (!parse_call_args(p, t)) {
        el_tree_free(t);
        return NULL;
    }
    size_t before = t->nvars, after = t->nargs - t->nvars;
    if (before == 1 && after == 2) {
        t->c = t->args[0], t->a = t->args[1], t->b = t->args[2];
    } else if (t->nargs == 2 && before == 2) {
        t->a = t->args[0], t->b = t->args[1];
    } else {
        el_tree_free(t);
        return fail(p, "a Gaussian is written N(z; mean, variance) or N(mean, variance)");
    }
    free(t->args);
    t->args = NULL;
    t->nargs = t->nvars = 0;
    return t;
}

/* An opening bracket of an expectation's, KL's or entropy's argument. */
static int at_open(tparser *p)
{
    return is_open(p->tok.kind);
}

/* E_{sub}[body]: the lookahead is after `E`; `dist` may already be known
 * (the lexer glues `E_q` into one name). */
static el_tree *parse_expect(tparser *p, el_tree *dist)
{
    el_tree *t = node(p, EL_T_EXPECT);
    if (!t) {
        el_tree_free(dist);
        return NULL;
    }
    t->b = dist;
    if (!dist && accept(p, TK_USCORE)) {
        if (p->tok.kind == TK_LBRACE) {
            advance(p);
            int saved = p->stop;
            p->stop = STOP_SIM;
            el_tree *d = parse_expr(p);
            if (d && is_cmd(p, "sim")) { /* z \sim q(z|x) */
                advance(p);
                if (d->kind == EL_T_VAR)
                    snprintf(t->name, sizeof t->name, "%s", d->name);
                el_tree_free(d);
                d = parse_expr(p);
            }
            p->stop = saved;
            t->b = d;
            if (!d || !expect(p, TK_RBRACE, "'}' after the expectation's subscript")) {
                el_tree_free(t);
                return NULL;
            }
        } else {
            t->b = parse_postfix(p);
            if (!t->b) {
                el_tree_free(t);
                return NULL;
            }
        }
    }
    if (!at_open(p)) {
        el_tree_free(t);
        return fail(p, "expected '[' after the expectation, found %s", found(p));
    }
    t->a = parse_group(p);
    if (!t->a) {
        el_tree_free(t);
        return NULL;
    }
    return t;
}

/* KL(a || b): the lookahead is the bracket. */
static el_tree *parse_kl(tparser *p)
{
    tok_kind open = p->tok.kind;
    el_tree *t = node(p, EL_T_KL);
    if (!t)
        return NULL;
    advance(p);
    int saved = p->stop;
    p->stop = STOP_KL;
    t->a = parse_expr(p);
    if (t->a) {
        if (p->tok.kind == TK_BAR || is_cmd(p, "mid")) {
            advance(p);
            if (p->tok.kind == TK_BAR || is_cmd(p, "mid"))
                advance(p);
        } else if (at_kl_sep(p)) {
            advance(p);
        } else {
            fail(p, "expected '||' between the arguments of KL, found %s", found(p));
        }
    }
    if (!p->failed)
        t->b = parse_expr(p);
    p->stop = saved;
    if (p->failed || !close_group(p, closer(open))) {
        el_tree_free(t);
        return NULL;
    }
    return t;
}

/* H(a), H[a]: the lookahead is the bracket. */
static el_tree *parse_entropy(tparser *p)
{
    el_tree *t = node(p, EL_T_ENT);
    if (!t)
        return NULL;
    t->a = parse_group(p);
    if (!t->a) {
        el_tree_free(t);
        return NULL;
    }
    return t;
}

/* \sum_{k=1}^{K} body, \sum_z body, sum_z body: lookahead after the name. */
static el_tree *parse_sum(tparser *p, el_tree_kind kind, const char *index)
{
    el_tree *t = node(p, kind);
    if (!t)
        return NULL;
    if (index) {
        snprintf(t->name, sizeof t->name, "%s", index);
    } else if (p->tok.kind == TK_SUBDIG) { /* ∑ₓ */
        snprintf(t->name, sizeof t->name, "%s", p->tok.name);
        advance(p);
    } else if (accept(p, TK_USCORE)) {
        if (accept(p, TK_LBRACE)) {
            if (p->tok.kind != TK_NAME && p->tok.kind != TK_CMD) {
                el_tree_free(t);
                return fail(p, "expected the index of the sum, found %s", found(p));
            }
            snprintf(t->name, sizeof t->name, "%s", p->tok.name);
            advance(p);
            if (accept(p, TK_EQ))
                t->b = parse_expr(p);
            else if (is_cmd(p, "in")) { /* \sum_{z \in Z} */
                while (p->tok.kind != TK_RBRACE && p->tok.kind != TK_END)
                    advance(p);
            }
            if (p->failed || !expect(p, TK_RBRACE, "'}' after the sum's index")) {
                el_tree_free(t);
                return NULL;
            }
        } else if (p->tok.kind == TK_NAME || p->tok.kind == TK_CMD) {
            snprintf(t->name, sizeof t->name, "%s", p->tok.name);
            advance(p);
        } else {
            el_tree_free(t);
            return fail(p, "expected the index of the sum, found %s", found(p));
        }
        if (accept(p, TK_CARET)) {
            t->c = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_postfix(p);
            if (!t->c) {
                el_tree_free(t);
                return NULL;
            }
        }
    } else {
        snprintf(t->name, sizeof t->name, "%s", "");
    }
    t->a = parse_term(p);
    if (!t->a) {
        el_tree_free(t);
        return NULL;
    }
    return t;
}

/* Skips an integral's limit after _ or ^ (a group or one token); a bare
 * variable as the lower limit names the variable (\int_z). */
static void skip_limit(tparser *p, char *var, size_t cap)
{
    if (p->tok.kind == TK_LBRACE) {
        int depth = 0;
        do {
            if (p->tok.kind == TK_LBRACE)
                depth++;
            if (p->tok.kind == TK_RBRACE)
                depth--;
            advance(p);
        } while (depth > 0 && p->tok.kind != TK_END);
        return;
    }
    if (p->tok.kind == TK_NAME && var)
        snprintf(var, cap, "%s", p->tok.name);
    if (p->tok.kind == TK_MINUS)
        advance(p);
    if (is_cmd(p, "mathbb") || is_style(p->tok.name)) {
        advance(p);
        if (p->tok.kind == TK_LBRACE) {
            skip_limit(p, NULL, 0);
            return;
        }
    }
    advance(p);
}

/* \int_{lo}^{hi} body dz. */
static el_tree *parse_int(tparser *p)
{
    el_tree *t = node(p, EL_T_INT);
    if (!t)
        return NULL;
    for (int i = 0; i < 2; i++) { /* the limits: the integral is over the support */
        if (accept(p, TK_USCORE))
            skip_limit(p, NULL, 0);
        else if (accept(p, TK_CARET))
            skip_limit(p, NULL, 0);
    }
    int saved = p->stop;
    p->stop = STOP_DIFF;
    t->a = parse_expr(p);
    p->stop = saved;
    if (!t->a) {
        el_tree_free(t);
        return NULL;
    }
    if (!at_differential(p)) {
        el_tree_free(t);
        return fail(p, "expected the differential (dz) that ends the integral, found %s", found(p));
    }
    if (p->tok.kind == TK_NAME && strcmp(p->tok.name, "d") != 0) {
        snprintf(t->name, sizeof t->name, "%s", p->tok.name + 1);
        advance(p);
    } else {
        advance(p); /* d, or \mathrm */
        if (p->tok.kind == TK_LBRACE) {
            char d[8];
            read_braced_text(p, d, sizeof d);
        }
        if (is_style(p->tok.name) && p->tok.kind == TK_CMD)
            advance(p);
        char v[EXPR_NAME_MAX];
        if (!read_braced_text(p, v, sizeof v)) {
            el_tree_free(t);
            return NULL;
        }
        snprintf(t->name, sizeof t->name, "%s", v);
    }
    return t;
}

/* \mathbb{1}[z = k], \mathbb{I}(z=k), \mathbb{1}_{z=k}. */
static el_tree *parse_indicator(tparser *p)
{
    el_tree *t = node(p, EL_T_IND);
    if (!t)
        return NULL;
    int braced = accept(p, TK_USCORE);
    if (!braced && !at_open(p)) {
        el_tree_free(t);
        return fail(p, "expected '[' after the indicator, found %s", found(p));
    }
    tok_kind open = p->tok.kind;
    advance(p);
    t->a = parse_call_arg(p);
    if (!t->a || t->a->kind != EL_T_BIND || !close_group(p, closer(open))) {
        el_tree_free(t);
        return p->failed ? NULL : fail(p, "an indicator is written 1[z = k]");
    }
    return t;
}

/* ---- primaries ------------------------------------------------------------ */

static el_tree *num_node(tparser *p, double x)
{
    el_tree *t = node(p, EL_T_NUM);
    if (t)
        t->num = x;
    return t;
}

/* The argument of \log, \exp...: a bracket alone, or the juxtaposed chain. */
static el_tree *parse_fn_arg(tparser *p)
{
    if (p->tok.kind == TK_LPAREN || p->tok.kind == TK_LBRACK || p->tok.kind == TK_LCURLY)
        return parse_group(p);
    el_tree *a = parse_postfix(p);
    while (a && !at_stop(p) && p->tok.kind != TK_STAR && p->tok.kind != TK_SLASH &&
           p->tok.kind != TK_ODOT && p->tok.kind != TK_POW2 &&
           !(p->tok.kind == TK_CMD &&
             (strcmp(p->tok.name, "log") == 0 || strcmp(p->tok.name, "ln") == 0))) {
        a = binary(p, EL_T_MUL, a, parse_postfix(p));
    }
    return a;
}

/* The function `fn` whose name has just been read (lookahead after it). */
static el_tree *parse_fn_rest(tparser *p, const char *fn, size_t pos)
{
    el_tree *power = NULL;
    if (p->tok.kind == TK_CARET) { /* \log^2 x */
        advance(p);
        power = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_postfix(p);
        if (!power)
            return NULL;
    }
    if (strcmp(fn, "log") == 0 && p->tok.kind == TK_USCORE) { /* \log_2 x, \log_e x */
        advance(p);
        el_tree *base = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_primary(p);
        el_tree *arg = parse_fn_arg(p);
        el_tree *t = binary(p, EL_T_DIV, unary_node(p, EL_T_FN, "log", arg),
                            unary_node(p, EL_T_FN, "log", base));
        return power ? binary(p, EL_T_POW, t, power) : t;
    }
    el_tree *t = unary_node(p, EL_T_FN, fn, parse_fn_arg(p));
    if (!t) {
        el_tree_free(power);
        return NULL;
    }
    t->pos = pos;
    return power ? binary(p, EL_T_POW, t, power) : t;
}

static el_tree *parse_fn(tparser *p, const char *fn)
{
    size_t pos = p->tok.pos;
    advance(p);
    return parse_fn_rest(p, fn, pos);
}

/* A variable's name with its subscripts (\mu_q, \sigma_{\phi}), as in d/d\mu_q. */
static int read_var_name(tparser *p, char *out, size_t cap)
{
    if (!read_braced_text(p, out, cap))
        return 0;
    while (p->tok.kind == TK_USCORE) {
        advance(p);
        if (!read_subscript(p, out, cap))
            return 0;
    }
    return 1;
}

static el_tree *parse_frac(tparser *p)
{
    advance(p);
    if (is_cmd(p, "partial") ||
        (p->tok.kind == TK_LBRACE && strncmp(p->cur.s + p->cur.off, "\\partial", 8) == 0)) {
        /* \frac{\partial}{\partial \mu} f  or  \frac{\partial f}{\partial \mu} */
        int braced = accept(p, TK_LBRACE);
        advance(p); /* \partial */
        el_tree *inner = NULL;
        if (braced && p->tok.kind != TK_RBRACE)
            inner = parse_expr(p);
        if (p->failed || (braced && !expect(p, TK_RBRACE, "'}'"))) {
            el_tree_free(inner);
            return NULL;
        }
        char var[EXPR_NAME_MAX] = "";
        if (!expect(p, TK_LBRACE, "'{\\partial x}'") ||
            !(is_cmd(p, "partial") ? (advance(p), 1) : 0) || !read_var_name(p, var, sizeof var) ||
            !expect(p, TK_RBRACE, "'}'")) {
            el_tree_free(inner);
            return p->failed ? NULL
                             : fail(p, "a derivative is written \\frac{\\partial}{\\partial x}");
        }
        if (!inner)
            inner = parse_term(p);
        return unary_node(p, EL_T_DERIV, var, inner);
    }
    /* unbraced arguments (\frac a b, \frac\pi 2): one primary each */
    el_tree *num = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_primary(p), *den = NULL;
    if (!num)
        return NULL;
    den = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_primary(p);
    return binary(p, EL_T_DIV, num, den);
}

/* \frac12: LaTeX reads one character per unbraced argument. */
static el_tree *parse_frac_cmd(tparser *p)
{
    /* look at the raw text after \frac: digits are single-character args */
    const char *s = p->cur.s + p->cur.off;
    while (*s == ' ')
        s++;
    if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9') {
        double a = s[0] - '0', b = s[1] - '0';
        p->cur.off = (size_t)(s + 2 - p->cur.s);
        p->cur.pos += 2;
        advance(p);
        el_tree *t = binary(p, EL_T_DIV, num_node(p, a), num_node(p, b));
        return t;
    }
    return parse_frac(p);
}

static el_tree *parse_sqrt(tparser *p)
{
    advance(p);
    if (p->tok.kind == TK_LBRACK) { /* \sqrt[n]{x} */
        el_tree *n = parse_group(p);
        el_tree *x = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_postfix(p);
        return binary(p, EL_T_POW, x, binary(p, EL_T_DIV, num_node(p, 1), n));
    }
    el_tree *x = p->tok.kind == TK_LBRACE ? parse_group(p) : parse_postfix(p);
    return unary_node(p, EL_T_FN, "sqrt", x);
}

/* After a name: subscripts, then a call, an expectation, a KL... */
/* After '^': is the superscript a star (q^*, q^{*}, q^\star, q^{\ast})? Consumes it. */
static int at_star_sup(tparser *p)
{
    const char *s = p->cur.s + p->cur.off;
    while (*s == ' ')
        s++;
    static const char *const forms[] = {
        "{*}", "*", "{\\star}", "\\star", "{\\ast}", "\\ast", NULL
    };
    for (size_t i = 0; forms[i]; i++) {
        size_t n = strlen(forms[i]);
        if (strncmp(s, forms[i], n) == 0 && !isalpha((unsigned char)s[n])) {
            size_t skip = (size_t)(s - (p->cur.s + p->cur.off)) + n;
            p->cur.off += skip;
            p->cur.pos += skip;
            advance(p);
            return 1;
        }
    }
    return 0;
}

/* 1 when the '(' group at the lookahead closes and a '[' follows it: the
 * subscript of E_q(z|x)[f] is a density call, not E_q's own bracket. */
static int call_then_bracket(const tparser *p)
{
    const char *s = p->cur.s + p->tok.off, *end = p->cur.s + p->cur.len;
    int depth = 0;
    for (; s < end; s++) {
        depth += *s == '(';
        depth -= *s == ')';
        if (depth == 0)
            break;
    }
    if (s >= end)
        return 0;
    for (s++; s < end && (*s == ' ' || *s == '\t'); s++)
        ;
    return s < end && *s == '[';
}

/* The expectation E_DENS[...] (E_q[f]) or E_DENS(args)[...] (E_q(z|x)[f],
 * the density without braces) at the lookahead; *HANDLED 0 (and NULL) when
 * neither follows. */
static el_tree *parse_expect_named(tparser *p, const char *dens, int *handled)
{
    int call = p->tok.kind == TK_LPAREN && is_callable(dens) && call_then_bracket(p);
    *handled = call || at_open(p);
    if (!*handled)
        return NULL;
    el_tree *d = node(p, call ? EL_T_CALL : EL_T_VAR);
    if (d)
        snprintf(d->name, sizeof d->name, "%s", dens);
    if (d && call && !parse_call_args(p, d)) {
        el_tree_free(d);
        return NULL;
    }
    return d ? parse_expect(p, d) : NULL;
}

static el_tree *parse_named_rest(tparser *p, const char *start, size_t pos)
{
    char name[EXPR_NAME_MAX];
    snprintf(name, sizeof name, "%s", start);
    if (strcmp(name, "E") == 0 && (p->tok.kind == TK_USCORE || at_open(p)))
        return parse_expect(p, NULL);
    int handled = 0;
    el_tree *e = strncmp(name, "E_", 2) == 0 ? parse_expect_named(p, name + 2, &handled) : NULL;
    if (handled)
        return e;
    if ((strcmp(name, "sum") == 0 || strncmp(name, "sum_", 4) == 0) && !at_open(p))
        return parse_sum(p, EL_T_SUM, name[3] ? name + 4 : NULL);
    if (strcmp(name, "D") == 0 && p->tok.kind == TK_USCORE) { /* D_{KL} */
        char sub[EXPR_NAME_MAX - 2] = "";
        advance(p);
        if (!read_subscript(p, sub, sizeof sub))
            return NULL;
        snprintf(name, sizeof name, "D_%s", sub);
    }
    while (p->tok.kind == TK_USCORE) {
        advance(p);
        if (p->tok.kind == TK_STAR || is_cmd(p, "star") || is_cmd(p, "ast")) { /* q_* */
            advance(p);
            glue(name, sizeof name, "star");
            continue;
        }
        if (!read_subscript(p, name, sizeof name))
            return NULL;
    }
    if (p->tok.kind == TK_CARET && at_star_sup(p)) /* q^*, q^{\star} */
        glue(name, sizeof name, "star");
    if ((strcmp(name, "KL") == 0 || strcmp(name, "D_KL") == 0 || strcmp(name, "DKL") == 0) &&
        at_open(p))
        return parse_kl(p);
    if ((strcmp(name, "H") == 0 || strcmp(name, "Ent") == 0) && at_open(p))
        return parse_entropy(p);
    if (strcmp(name, "N") == 0 && p->tok.kind == TK_LPAREN)
        return parse_gauss(p);
    if (is_callable(name) && p->tok.kind == TK_LPAREN) {
        el_tree *t = node(p, EL_T_CALL);
        if (!t)
            return NULL;
        snprintf(t->name, sizeof t->name, "%s", name);
        t->pos = pos;
        if (!parse_call_args(p, t)) {
            el_tree_free(t);
            return NULL;
        }
        return t;
    }
    el_tree *t = node(p, EL_T_VAR);
    if (t) {
        snprintf(t->name, sizeof t->name, "%s", name);
        t->pos = pos;
    }
    return t;
}

static el_tree *parse_named(tparser *p, const char *start)
{
    size_t pos = p->tok.pos;
    advance(p);
    return parse_named_rest(p, start, pos);
}

/* \mathrm{KL}(...), \mathcal{N}(...), \mathbb{E}_q[...], \text{tr}(...) */
static el_tree *parse_styled(tparser *p, const char *style)
{
    size_t pos = p->tok.pos;
    advance(p);
    char word[EXPR_NAME_MAX];
    if (p->tok.kind == TK_LBRACE) {
        if (!read_braced_text(p, word, sizeof word))
            return NULL;
    } else if (p->tok.kind == TK_NAME || p->tok.kind == TK_CMD) {
        snprintf(word, sizeof word, "%s", p->tok.name);
        advance(p);
    } else {
        return fail(p, "expected '{' after \\%s, found %s", style, found(p));
    }
    if (strcmp(style, "mathbb") == 0 && (strcmp(word, "1") == 0 || strcmp(word, "I") == 0))
        return parse_indicator(p);
    static const char *const fns[] = { "tr", "Tr", "trace", "det", "log", "exp", NULL };
    for (size_t i = 0; fns[i]; i++)
        if (strcmp(word, fns[i]) == 0)
            return parse_fn_rest(p, (word[0] == 'T' || word[1] == 'r') ? "tr" : word, pos);
    const char *acc = accent_suffix(style);
    if (acc) {
        size_t n = strlen(word);
        snprintf(word + n, sizeof word - n, "%s", acc);
    }
    return parse_named_rest(p, word, pos);
}

static el_tree *parse_bars(tparser *p)
{
    advance(p);
    int saved = p->stop;
    p->stop = STOP_BAR;
    el_tree *e = parse_expr(p);
    p->stop = saved;
    if (e && !(p->tok.kind == TK_BAR || is_cmd(p, "rvert"))) {
        el_tree_free(e);
        return fail(p, "expected the closing '|', found %s", found(p));
    }
    advance(p);
    return unary_node(p, EL_T_BARS, NULL, e);
}

static el_tree *parse_command(tparser *p)
{
    char c[EXPR_NAME_MAX];
    snprintf(c, sizeof c, "%s", p->tok.name);
    static const char *const fns[] = { "log", "ln", "exp", "det", "tr", NULL };
    for (size_t i = 0; fns[i]; i++)
        if (strcmp(c, fns[i]) == 0)
            return parse_fn(p, strcmp(c, "ln") == 0 ? "log" : c);
    if (strcmp(c, "frac") == 0 || strcmp(c, "dfrac") == 0 || strcmp(c, "tfrac") == 0 ||
        strcmp(c, "cfrac") == 0)
        return parse_frac_cmd(p);
    if (strcmp(c, "sqrt") == 0)
        return parse_sqrt(p);
    if (strcmp(c, "sum") == 0 || strcmp(c, "prod") == 0) {
        el_tree_kind k = c[0] == 's' ? EL_T_SUM : EL_T_PROD;
        advance(p);
        return parse_sum(p, k, NULL);
    }
    if (strcmp(c, "int") == 0) {
        advance(p);
        return parse_int(p);
    }
    if (strcmp(c, "infty") == 0) {
        advance(p);
        return num_node(p, INFINITY);
    }
    if (strcmp(c, "nabla") == 0) {
        advance(p);
        char var[EXPR_NAME_MAX] = "";
        if (!expect(p, TK_USCORE, "'_' after \\nabla") || !read_braced_text(p, var, sizeof var))
            return NULL;
        return unary_node(p, EL_T_DERIV, var, parse_term(p));
    }
    if (is_style(c) || accent_suffix(c)) {
        char style[EXPR_NAME_MAX];
        snprintf(style, sizeof style, "%s", c);
        return parse_styled(p, style);
    }
    if (strcmp(c, "lvert") == 0 || strcmp(c, "vert") == 0)
        return parse_bars(p);
    if (strcmp(c, "partial") == 0)
        return fail(p, "write a derivative as \\frac{\\partial}{\\partial x} f");
    return fail(p, "unknown command '\\%s'", c);
}

static el_tree *parse_primary(tparser *p)
{
    switch (p->tok.kind) {
    case TK_NUM: {
        el_tree *t = num_node(p, p->tok.num);
        advance(p);
        return t;
    }
    case TK_NAME: {
        char name[EXPR_NAME_MAX];
        snprintf(name, sizeof name, "%s", p->tok.name);
        if (strcmp(name, "pi") == 0 && !(p->cur.off < p->cur.len && p->cur.s[p->cur.off] == '_')) {
            advance(p);
            if (p->tok.kind != TK_USCORE)
                return num_node(p, M_PI);
            advance(p);
            if (!read_subscript(p, name, sizeof name))
                return NULL;
            el_tree *t = node(p, EL_T_VAR);
            if (t)
                snprintf(t->name, sizeof t->name, "%s", name);
            return t;
        }
        if (strcmp(name, "e") == 0) {
            advance(p);
            return num_node(p, M_E);
        }
        static const char *const plain_fns[] = { "log", "ln",  "exp", "sqrt", "abs",
                                                 "tr",  "det", "inv", NULL };
        for (size_t i = 0; plain_fns[i]; i++)
            if (strcmp(name, plain_fns[i]) == 0)
                return parse_fn(p, strcmp(name, "ln") == 0 ? "log" : plain_fns[i]);
        return parse_named(p, name);
    }
    case TK_CMD: return parse_command(p);
    case TK_LPAREN:
    case TK_LBRACK:
    case TK_LBRACE:
    case TK_LCURLY: return parse_group(p);
    case TK_BAR:
        if (p->stop & (STOP_BAR | STOP_KL))
            break;
        return parse_bars(p);
    case TK_SQRT: {
        advance(p);
        return unary_node(p, EL_T_FN, "sqrt", parse_postfix(p));
    }
    default: break;
    }
    return fail(p, "expected a value, found %s", found(p));
}

/* ---- operators ------------------------------------------------------------ */

/* ^T, ^\top, ^{T}, ^{\top}, ^{\mathsf{T}}: is the superscript a transpose? */
static int at_transpose_sup(tparser *p)
{
    const char *s = p->cur.s + p->tok.off;
    static const char *const forms[] = {
        "T", "\\top", "{T}", "{\\top}", "{\\mathsf{T}}", "{\\intercal}", "\\intercal", NULL
    };
    for (size_t i = 0; forms[i]; i++) {
        size_t n = strlen(forms[i]);
        if (strncmp(s, forms[i], n) == 0) {
            char next = s[n];
            if (i == 0 && ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z')))
                continue;
            p->cur.off = p->tok.off + n;
            p->cur.pos = p->tok.pos + n;
            advance(p);
            return 1;
        }
    }
    return 0;
}

static el_tree *parse_postfix(tparser *p)
{
    if (!enter(p))
        return NULL;
    el_tree *t = parse_primary(p);
    while (t) {
        if (p->tok.kind == TK_CARET) {
            advance(p);
            if (at_transpose_sup(p)) {
                t = unary_node(p, EL_T_TRANS, NULL, t);
                continue;
            }
            el_tree *e;
            if (p->tok.kind == TK_LBRACE) {
                e = parse_group(p);
            } else if (p->tok.kind == TK_NUM) {
                token one = p->tok;
                e = num_node(p, one.num);
                advance(p);
            } else {
                e = parse_primary(p);
            }
            t = binary(p, EL_T_POW, t, e);
        } else if (p->tok.kind == TK_SUPER) {
            double x = p->tok.num;
            advance(p);
            t = binary(p, EL_T_POW, t, num_node(p, x));
        } else if (p->tok.kind == TK_PRIME) {
            advance(p);
            t = unary_node(p, EL_T_TRANS, NULL, t);
        } else {
            break;
        }
    }
    p->depth--;
    return t;
}

static el_tree *parse_unary(tparser *p)
{
    if (p->tok.kind == TK_MINUS || p->tok.kind == TK_PLUS) {
        int neg = p->tok.kind == TK_MINUS;
        advance(p);
        if (!enter(p))
            return NULL;
        el_tree *a = parse_unary(p);
        p->depth--;
        return neg ? unary_node(p, EL_T_NEG, NULL, a) : a;
    }
    return parse_postfix(p);
}

static el_tree *parse_term(tparser *p)
{
    if (!enter(p))
        return NULL;
    el_tree *t = parse_unary(p);
    while (t && !p->failed) {
        if (p->tok.kind == TK_STAR || p->tok.kind == TK_SLASH || p->tok.kind == TK_ODOT) {
            el_tree_kind k = p->tok.kind == TK_STAR    ? EL_T_MUL
                             : p->tok.kind == TK_SLASH ? EL_T_DIV
                                                       : EL_T_EMUL;
            advance(p);
            t = binary(p, k, t, parse_unary(p));
        } else if (p->tok.kind == TK_POW2) {
            advance(p);
            t = binary(p, EL_T_POW, t, parse_unary(p));
        } else if (!at_stop(p)) {
            t = binary(p, EL_T_MUL, t, parse_postfix(p));
        } else {
            break;
        }
    }
    p->depth--;
    return p->failed ? (el_tree_free(t), NULL) : t;
}

static el_tree *parse_expr(tparser *p)
{
    if (!enter(p))
        return NULL;
    el_tree *t = parse_term(p);
    while (t && (p->tok.kind == TK_PLUS || p->tok.kind == TK_MINUS)) {
        el_tree_kind k = p->tok.kind == TK_PLUS ? EL_T_ADD : EL_T_SUB;
        advance(p);
        t = binary(p, k, t, parse_term(p));
    }
    p->depth--;
    return t;
}

/* ---- public --------------------------------------------------------------- */

el_tree *el_tree_parse(const char *text, el_expr_error *err)
{
    if (err) {
        err->pos = 0;
        err->msg[0] = '\0';
    }
    if (!text) {
        if (err)
            snprintf(err->msg, sizeof err->msg, "no text");
        return NULL;
    }
    size_t len = strlen(text);
    tparser p = { 0 };
    p.err = err;
    if (len > EL_EXPR_MAX_LEN) {
        fail(&p, "the line is too long (more than %d bytes)", EL_EXPR_MAX_LEN);
        return NULL;
    }
    p.cur = (cursor){ text, len, 0, 1, 1 };
    advance(&p);
    if (p.tok.kind == TK_END) {
        fail(&p, "the line is empty");
        return NULL;
    }
    el_tree *t = parse_expr(&p);
    if (t && p.tok.kind != TK_END) {
        el_tree_free(t);
        t = NULL;
        if (p.tok.kind == TK_BAD)
            fail(&p, "%s", p.tok.msg);
        else
            fail(&p, "unexpected %s", found(&p));
    }
    if (p.failed) {
        el_tree_free(t);
        return NULL;
    }
    return t;
}

void el_tree_free(el_tree *t)
{
    if (!t)
        return;
    el_tree_free(t->a);
    el_tree_free(t->b);
    el_tree_free(t->c);
    for (size_t i = 0; i < t->nargs; i++)
        el_tree_free(t->args[i]);
    free(t->args);
    free(t);
}

el_tree *el_tree_copy(const el_tree *t)
{
    if (!t)
        return NULL;
    el_tree *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *t;
    c->a = el_tree_copy(t->a);
    c->b = el_tree_copy(t->b);
    c->c = el_tree_copy(t->c);
    c->args = t->nargs ? calloc(t->nargs, sizeof *c->args) : NULL;
    int ok = (!t->a || c->a) && (!t->b || c->b) && (!t->c || c->c) && (!t->nargs || c->args);
    for (size_t i = 0; i < t->nargs && c->args; i++)
        ok &= (c->args[i] = el_tree_copy(t->args[i])) != NULL;
    if (!c->args)
        c->nargs = 0;
    if (!ok) { /* out of memory: no half copy */
        el_tree_free(c);
        return NULL;
    }
    return c;
}
