/* parse.c -- recursive-descent parser of the answer language. It emits
 * a postfix program while it parses (see expr_internal.h); the recursion
 * depth is bounded by EL_EXPR_MAX_DEPTH, the program by EL_EXPR_MAX_NODES.
 *
 * Grammar (juxtaposition is multiplication):
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '\odot') unary | unary-without-sign)*
 *   chain   := unary unary-without-sign*          (argument of \log x y)
 *   unary   := ('+' | '-') unary | postfix
 *   postfix := primary ('_' sub | '^' unary | '^T' | "'" | '²')*
 *   primary := number | name | group | |expr| | function arg | \frac a b
 *            | \sqrt[n]{x} | \sum_{i=1}^{d} term
 * A function without brackets applies to the chain that follows it:
 * \log 2\pi\sigma^2 = log(2 pi sigma^2); with brackets only to them:
 * \log(x)^2 = (log x)^2. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_internal.h"

typedef struct {
    char name[EXPR_NAME_MAX];
    uint32_t id;
} active_index;

typedef struct {
    cursor cur;
    token tok;     /* the lookahead */
    tok_kind prev; /* the token before it */
    expr_op *code;
    size_t ncode, cap;
    char **vars;
    uint32_t *var_pos;
    size_t nvars;
    expr_sum sums[EXPR_MAX_SUMS];
    size_t nsums;
    active_index idx[EXPR_MAX_SUM_NEST];
    size_t nidx;
    int depth;
    int bars;                       /* an ambiguous '|' closes (1) or opens (0) */
    int norms;                      /* inside \|...\|: an ambiguous '\|' closes */
    char free_index[EXPR_NAME_MAX]; /* x_k with no sum over k is the vector x ("": none) */
    int failed;
    el_expr_error *err;
} parser;

/* A name being read: emitted as a variable, constant or vector element only
 * once its subscript is known (\sigma^2_1 is sigma_1 squared). */
typedef struct {
    int pending;
    char base[EXPR_NAME_MAX];
    char sub[EXPR_NAME_MAX];
    int has_sub;
    uint32_t pos;
    size_t start; /* where its code goes */
} name_info;

static int parse_expr(parser *p);
static int parse_term(parser *p, int chain);
/* What a postfix may take after its primary. */
enum { POST_SUB = 1, POST_POW = 2, POST_ALL = 3 };

static int parse_unary(parser *p, int post);
static int parse_postfix(parser *p, int post);

/* ---- errors and tokens -------------------------------------------------- */

/* Records the first error: 1-based position and message. Returns 0. */
static int fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return 0;
    p->failed = 1;
    if (p->err) {
        va_list ap;
        va_start(ap, fmt);
        p->err->pos = pos;
        vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static void advance(parser *p)
{
    p->prev = p->tok.kind;
    expr_lex(&p->cur, &p->tok);
}

/* The lookahead as the student wrote it, for messages ("the end" at the end). */
static const char *tok_text(const parser *p, char *buf, size_t cap)
{
    const token *t = &p->tok;
    if (t->kind == TK_END)
        return "the end of the answer";
    size_t n = t->end - t->off;
    if (n > 24) {
        n = 24;
        while (n > 0 && ((unsigned char)p->cur.s[t->off + n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(buf, cap, "'%.*s'", (int)n, p->cur.s + t->off);
    return buf;
}

/* Fails with "expected WHAT, found <lookahead>" (or the lexer's message). */
static int expected(parser *p, const char *what)
{
    char buf[40];
    if (p->tok.kind == TK_BAD)
        return fail(p, p->tok.pos, "%s", p->tok.msg);
    return fail(p, p->tok.pos, "expected %s, found %s", what, tok_text(p, buf, sizeof buf));
}

static int accept(parser *p, tok_kind k)
{
    if (p->tok.kind != k)
        return 0;
    advance(p);
    return 1;
}

static int is_cmd(const parser *p, const char *name)
{
    return p->tok.kind == TK_CMD && strcmp(p->tok.name, name) == 0;
}

/* ---- code --------------------------------------------------------------- */

/* Appends one op; fails past EL_EXPR_MAX_NODES. */
static int emit(parser *p, op_kind op, int fn, uint32_t a, uint32_t b, double x, size_t pos)
{
    if (p->ncode >= EL_EXPR_MAX_NODES)
        return fail(p, pos, "the answer is too long (more than %d operations)", EL_EXPR_MAX_NODES);
    if (p->ncode == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 64;
        expr_op *c = realloc(p->code, cap * sizeof *c);
        if (!c)
            return fail(p, pos, "out of memory");
        p->code = c;
        p->cap = cap;
    }
    p->code[p->ncode++] = (expr_op){ (uint8_t)op, (uint8_t)fn, a, b, (uint32_t)pos, x };
    return 1;
}

/* Reverses code[i..j). */
static void reverse(expr_op *c, size_t i, size_t j)
{
    while (i + 1 < j) {
        expr_op t = c[i];
        c[i++] = c[--j];
        c[j] = t;
    }
}

/* Swaps the adjacent blocks code[s..m) and code[m..e): used when the
 * notation names an operand before the value it acts on (\log^2 x, \log_2 x,
 * \sigma^2_1). Sum jumps are relative, so moving whole blocks is safe. */
static void rotate(parser *p, size_t s, size_t m, size_t e)
{
    reverse(p->code, s, m);
    reverse(p->code, m, e);
    reverse(p->code, s, e);
}

/* The id of variable `name`, added on first use. Returns -1 on failure. */
static long intern(parser *p, const char *name, size_t pos)
{
    for (size_t i = 0; i < p->nvars; i++)
        if (strcmp(p->vars[i], name) == 0)
            return (long)i;
    if (p->nvars >= EXPR_MAX_VARS) {
        fail(p, pos, "too many different variables (more than %d)", EXPR_MAX_VARS);
        return -1;
    }
    char **v = realloc(p->vars, (p->nvars + 1) * sizeof *v);
    if (v)
        p->vars = v;
    uint32_t *vp = realloc(p->var_pos, (p->nvars + 1) * sizeof *vp);
    if (vp)
        p->var_pos = vp;
    char *copy = strdup(name);
    if (!v || !vp || !copy) {
        free(copy);
        fail(p, pos, "out of memory");
        return -1;
    }
    p->vars[p->nvars] = copy;
    p->var_pos[p->nvars] = (uint32_t)pos;
    return (long)p->nvars++;
}

/* ---- names -------------------------------------------------------------- */

static int append(char *dst, const char *src)
{
    size_t n = strlen(dst), m = strlen(src);
    if (n + m + 1 > EXPR_NAME_MAX)
        return 0;
    memcpy(dst + n, src, m + 1);
    return 1;
}

/* Reads `{name}` or a bare name token after \mathrm, \text, \mathbf, \bar ...
 * into out (letters and Greek letters, spaces dropped). */
static int read_braced_name(parser *p, char *out, const char *cmd)
{
    out[0] = '\0';
    if (p->tok.kind == TK_NAME) {
        strcpy(out, p->tok.name);
        advance(p);
        return 1;
    }
    if (!accept(p, TK_LBRACE))
        return expected(p, "'{' or a name");
    while (p->tok.kind == TK_NAME) {
        if (!append(out, p->tok.name))
            return fail(p, p->tok.pos, "name too long");
        advance(p);
    }
    if (out[0] == '\0')
        return fail(p, p->tok.pos, "expected a name inside \\%s{...}", cmd);
    if (!accept(p, TK_RBRACE))
        return expected(p, "'}'");
    return 1;
}

/* Reads one subscript after '_' into out: a name, digits, a Greek letter,
 * \mathrm{post}, or a braced sequence of them (`x_{ij}` -> "ij"). */
static int read_subscript(parser *p, char *out)
{
    out[0] = '\0';
    if (p->tok.kind == TK_SUBDIG) {
        strcpy(out, p->tok.name);
        advance(p);
        return 1;
    }
    size_t pos = p->tok.pos;
    advance(p); /* '_' */
    int braced = accept(p, TK_LBRACE);
    do {
        char piece[EXPR_NAME_MAX];
        const token *t = &p->tok;
        if (t->kind == TK_NAME) {
            strcpy(piece, t->name);
            advance(p);
        } else if (t->kind == TK_NUM && t->digits_only && t->end - t->off < sizeof piece) {
            memcpy(piece, p->cur.s + t->off, t->end - t->off);
            piece[t->end - t->off] = '\0';
            advance(p);
        } else if (t->kind == TK_CMD &&
                   (strcmp(t->name, "mathrm") == 0 || strcmp(t->name, "text") == 0 ||
                    strcmp(t->name, "textrm") == 0 || strcmp(t->name, "mathit") == 0)) {
            char cmd[EXPR_NAME_MAX];
            strcpy(cmd, t->name);
            advance(p);
            if (!read_braced_name(p, piece, cmd))
                return 0;
        } else if (braced && *out && t->kind == TK_BAD && p->cur.s[t->off] == ',') {
            strcpy(piece, ","); /* x_{i,j}, \mu_{z,i} */
            advance(p);
        } else {
            return expected(p, "a subscript (letters, digits or a Greek letter)");
        }
        if (!append(out, piece))
            return fail(p, pos, "subscript too long");
    } while (braced && p->tok.kind != TK_RBRACE);
    if (braced && !accept(p, TK_RBRACE))
        return expected(p, "'}' to close the subscript");
    return 1;
}

/* The active sum whose index is `s`, or NULL. */
static active_index *find_index(parser *p, const char *s)
{
    for (size_t k = p->nidx; k-- > 0;)
        if (strcmp(p->idx[k].name, s) == 0)
            return &p->idx[k];
    return NULL;
}

/* Emits x_i inside \sum_i as element i of vector x. */
static int emit_element(parser *p, const char *vec, const active_index *ix, size_t pos)
{
    long v = intern(p, vec, pos);
    if (v < 0)
        return 0;
    expr_sum *s = &p->sums[ix->id];
    size_t k = 0;
    while (k < s->nv && s->vars[k] != (uint32_t)v)
        k++;
    if (k == s->nv) {
        if (s->nv == EXPR_MAX_SUM_VARS)
            return fail(p, pos, "too many vectors in one sum (more than %d)", EXPR_MAX_SUM_VARS);
        s->vars[s->nv++] = (uint32_t)v;
    }
    return emit(p, OP_IDX, 0, (uint32_t)v, ix->id, 0, pos);
}

/* Emits the code of a finished name: the constant pi or e, the element x_i
 * of a summed vector, or the variable base_sub. */
static int emit_name(parser *p, const name_info *n)
{
    char full[EXPR_NAME_MAX];
    if (!n->has_sub && strcmp(n->base, "pi") == 0)
        return emit(p, OP_NUM, 0, 0, 0, M_PI, n->pos);
    if (!n->has_sub && strcmp(n->base, "e") == 0)
        return emit(p, OP_NUM, 1, 0, 0, M_E, n->pos);
    active_index *ix = n->has_sub ? find_index(p, n->sub) : NULL;
    if (ix)
        return emit_element(p, n->base, ix, n->pos);
    const char *comma = n->has_sub ? strrchr(n->sub, ',') : NULL;
    if (comma) { /* \mu_{z,i}: element i of mu_z in a sum over i; else mu_z_i */
        strcpy(full, n->base);
        if (!append(full, "_") || strlen(full) + (size_t)(comma - n->sub) >= sizeof full)
            return fail(p, n->pos, "name too long");
        strncat(full, n->sub, (size_t)(comma - n->sub));
        for (char *c = full; *c; c++)
            *c = *c == ',' ? '_' : *c;
        if ((ix = find_index(p, comma + 1)) != NULL)
            return emit_element(p, full, ix, n->pos);
        if (!append(full, "_") || !append(full, comma + 1))
            return fail(p, n->pos, "name too long");
        long v = intern(p, full, n->pos);
        return v >= 0 && emit(p, OP_VAR, 0, (uint32_t)v, 0, 0, n->pos);
    }
    const char *us = n->has_sub ? NULL : strrchr(n->base, '_');
    if (us && us != n->base && (ix = find_index(p, us + 1)) != NULL) {
        memcpy(full, n->base, (size_t)(us - n->base));
        full[us - n->base] = '\0';
        return emit_element(p, full, ix, n->pos);
    }
    const char *k = n->has_sub ? n->sub : us && us != n->base ? us + 1 : NULL;
    if (k && *p->free_index && !strcmp(k, p->free_index)) { /* x_k, k free: all of x */
        size_t len = n->has_sub ? strlen(n->base) : (size_t)(us - n->base);
        memcpy(full, n->base, len);
        full[len] = '\0';
        long v = intern(p, full, n->pos);
        return v >= 0 && emit(p, OP_VAR, 0, (uint32_t)v, 0, 0, n->pos);
    }
    strcpy(full, n->base);
    if (n->has_sub && (!append(full, "_") || !append(full, n->sub)))
        return fail(p, n->pos, "name too long");
    long v = intern(p, full, n->pos);
    return v >= 0 && emit(p, OP_VAR, 0, (uint32_t)v, 0, 0, n->pos);
}

/* Emits a pending name at its start (before code already emitted after it). */
static int flush_name(parser *p, name_info *n)
{
    if (!n->pending)
        return 1;
    n->pending = 0;
    size_t before = p->ncode;
    if (!emit_name(p, n))
        return 0;
    rotate(p, n->start, before, p->ncode);
    return 1;
}

/* ---- groups --------------------------------------------------------------- */

static tok_kind closer(tok_kind open)
{
    switch (open) {
    case TK_LPAREN: return TK_RPAREN;
    case TK_LBRACK: return TK_RBRACK;
    case TK_LCURLY: return TK_RCURLY;
    default: return TK_RBRACE;
    }
}

static const char *closer_text(tok_kind open)
{
    switch (open) {
    case TK_LPAREN: return "')'";
    case TK_LBRACK: return "']'";
    case TK_LCURLY: return "'\\}'";
    default: return "'}'";
    }
}

/* Skips the opening token and parses the expression inside; `bars` says
 * whether an ambiguous '|' closes (inside |...|) or opens (inside brackets). */
static int parse_inside(parser *p, int bars)
{
    int outer = p->bars;
    advance(p);
    p->bars = bars;
    if (!parse_expr(p))
        return 0;
    p->bars = outer;
    return 1;
}

/* Parses ( expr ), [ expr ], \{ expr \} or { expr } at the lookahead. */
static int parse_group(parser *p)
{
    tok_kind open = p->tok.kind;
    size_t pos = p->tok.pos;
    if (!parse_inside(p, 0))
        return 0;
    if (accept(p, closer(open)))
        return 1;
    char what[96];
    snprintf(what, sizeof what, "%s to close the one at position %zu", closer_text(open), pos);
    return expected(p, what);
}

static int is_open(tok_kind k)
{
    return k == TK_LPAREN || k == TK_LBRACK || k == TK_LCURLY || k == TK_LBRACE;
}

/* Parses |expr| (also \left| \right|, \lvert \rvert): det of a square
 * matrix, abs of a scalar. */
static int parse_bars(parser *p)
{
    size_t pos = p->tok.pos;
    if (!parse_inside(p, 1))
        return 0;
    if (p->tok.kind != TK_BAR || p->tok.flag == BAR_OPEN) {
        char what[64];
        snprintf(what, sizeof what, "'|' to close the one at position %zu", pos);
        return expected(p, what);
    }
    advance(p);
    return emit(p, OP_FN, FN_BARS, 0, 0, 0, pos);
}

/* ---- functions ------------------------------------------------------------ */

typedef struct {
    const char *name;
    expr_fn fn;
} fn_name;

static const fn_name functions[] = { { "log", FN_LOG },   { "ln", FN_LOG },    { "exp", FN_EXP },
                                     { "sqrt", FN_SQRT }, { "abs", FN_ABS },   { "sum", FN_SUM },
                                     { "prod", FN_PROD }, { "tr", FN_TR },     { "Tr", FN_TR },
                                     { "trace", FN_TR },  { "det", FN_DET },   { "inv", FN_INV },
                                     { "diag", FN_DIAG }, { "Diag", FN_DIAG }, { NULL, FN_LOG } };

/* The function called `name`, or -1. */
static int find_function(const char *name)
{
    for (size_t i = 0; functions[i].name; i++)
        if (strcmp(functions[i].name, name) == 0)
            return (int)functions[i].fn;
    return -1;
}

/* Parses an exponent after '^' or '**' (the lookahead): {expr} or a signed
 * factor with its own powers (right associative: a^b^c = a^(b^c)). */
static int parse_exponent(parser *p)
{
    if (p->tok.kind == TK_SUPER) {
        double k = p->tok.num;
        size_t pos = p->tok.pos;
        advance(p);
        return emit(p, OP_NUM, 0, 0, 0, k, pos);
    }
    advance(p);
    if (p->tok.kind == TK_LBRACE)
        return parse_group(p);
    if (p->tok.kind == TK_END || p->tok.kind == TK_RPAREN || p->tok.kind == TK_RBRACE)
        return expected(p, "an exponent");
    return parse_unary(p, POST_POW); /* x^2_1: the subscript is x's */
}

/* Parses the argument of a function (the name already read): a bracketed
 * group, or else the chain that follows (\log 2\pi\sigma^2). Handles
 * \log^2 x (power of the result) and \log_b x (base b). */
static int parse_function(parser *p, expr_fn fn, size_t pos)
{
    size_t s = p->ncode, pow_end = s, base_end;
    int has_pow = 0, has_base = 0;
    if (p->tok.kind == TK_CARET || p->tok.kind == TK_SUPER) {
        if (!parse_exponent(p))
            return 0;
        has_pow = 1;
        pow_end = p->ncode;
    }
    if (fn == FN_LOG && p->tok.kind == TK_USCORE) {
        advance(p);
        if (!(p->tok.kind == TK_LBRACE ? parse_group(p) : parse_postfix(p, POST_SUB)))
            return 0;
        has_base = 1;
    }
    base_end = p->ncode;
    if (p->tok.kind == TK_END)
        return expected(p, "the function's argument");
    int ok = is_open(p->tok.kind) && p->tok.kind != TK_LBRACE ? parse_group(p) : parse_term(p, 1);
    if (!ok || !emit(p, OP_FN, fn, 0, 0, 0, pos))
        return 0;
    if (has_base) { /* pow | base | arg log  ->  pow | arg log base log / */
        rotate(p, pow_end, base_end, p->ncode);
        if (!emit(p, OP_FN, FN_LOG, 0, 0, 0, pos) || !emit(p, OP_DIV, 0, 0, 0, 0, pos))
            return 0;
    }
    if (has_pow) {
        rotate(p, s, pow_end, p->ncode);
        return emit(p, OP_POW, 0, 0, 0, 0, pos);
    }
    return 1;
}

/* ---- LaTeX constructs ----------------------------------------------------- */

/* If the lookahead was lexed from a run of plain letters or digits, re-reads
 * just its first character (LaTeX's unbraced argument: \frac12, \sqrt x). */
static int take_char(parser *p, token *t)
{
    if (p->tok.kind != TK_NUM && p->tok.kind != TK_NAME)
        return 0;
    char c0 = p->cur.s[p->tok.off];
    if (!((c0 >= '0' && c0 <= '9') || (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z')))
        return 0;
    cursor c = p->cur;
    c.off = p->tok.off;
    c.pos = p->tok.pos;
    if (!expr_lex_char(&c, t))
        return 0;
    p->cur = c;
    advance(p);
    return 1;
}

/* Parses one argument of \frac or \sqrt: {expr}, one character, or one
 * command (\pi, \sigma_1). */
static int parse_arg(parser *p)
{
    token t;
    if (p->tok.kind == TK_LBRACE)
        return parse_group(p);
    if (take_char(p, &t)) {
        if (t.kind == TK_NUM)
            return emit(p, OP_NUM, 0, 0, 0, t.num, t.pos);
        name_info n = { 0, "", "", 0, (uint32_t)t.pos, p->ncode };
        strcpy(n.base, t.name);
        if (p->tok.kind == TK_USCORE || p->tok.kind == TK_SUBDIG) {
            if (!read_subscript(p, n.sub))
                return 0;
            n.has_sub = 1;
        }
        return emit_name(p, &n);
    }
    if (p->tok.kind == TK_END)
        return expected(p, "an argument");
    return parse_postfix(p, POST_SUB);
}

/* \frac{a}{b}, \dfrac, \tfrac, \cfrac. */
static int parse_frac(parser *p, size_t pos)
{
    return parse_arg(p) && parse_arg(p) && emit(p, OP_DIV, 0, 0, 0, 0, pos);
}

/* \sqrt{x}, \sqrt[n]{x}. */
static int parse_sqrt(parser *p, size_t pos)
{
    if (p->tok.kind != TK_LBRACK)
        return parse_arg(p) && emit(p, OP_FN, FN_SQRT, 0, 0, 0, pos);
    if (!parse_group(p))
        return 0;
    return parse_arg(p) && emit(p, OP_ROOT, 0, 0, 0, 0, pos);
}

/* Reads a sum bound: digits (checked against range) or a name meaning the
 * length of the summed vectors (*val = -1). */
static int read_bound(parser *p, long *val, int upper)
{
    int braced = accept(p, TK_LBRACE);
    const token *t = &p->tok;
    if (t->kind == TK_NUM && t->digits_only && t->num >= 1 && t->num <= 1e6) {
        *val = (long)t->num;
        advance(p);
    } else if (upper && t->kind == TK_NAME) {
        *val = -1;
        advance(p);
        char sub[EXPR_NAME_MAX];
        if ((p->tok.kind == TK_USCORE || p->tok.kind == TK_SUBDIG) && !read_subscript(p, sub))
            return 0;
    } else {
        return expected(p, upper ? "a number or a name (the length) as the upper limit"
                                 : "a whole number >= 1 as the first index");
    }
    if (braced && !accept(p, TK_RBRACE))
        return expected(p, "'}'");
    return 1;
}

/* Reads the _{i=lo} and ^{hi} of a \sum or \prod into s and the index name. */
static int read_sum_limits(parser *p, expr_sum *s, char *index)
{
    if (p->tok.kind != TK_USCORE)
        return expected(p, "'_' and the index of the sum, as in \\sum_{i}");
    advance(p);
    int braced = accept(p, TK_LBRACE);
    if (p->tok.kind != TK_NAME)
        return expected(p, "the name of the sum's index");
    strcpy(index, p->tok.name);
    advance(p);
    if (braced && accept(p, TK_EQ) && !read_bound(p, &s->lo, 0))
        return 0;
    if (braced && !accept(p, TK_RBRACE))
        return expected(p, "'}' after the sum's index");
    if (p->tok.kind == TK_CARET) {
        advance(p);
        if (!read_bound(p, &s->hi, 1))
            return 0;
    }
    return 1;
}

/* 1 when the code [FROM, TO) reads a variable. */
static int uses_variable(const parser *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p->code[i].op == OP_VAR)
            return 1;
    return 0;
}

/* \sum_{i} term, \sum_{i=1}^{d} term, \prod...: x_i in the term is element i
 * of vector x; the range is lo..hi (hi a name: the vectors' length). */
static int parse_sum(parser *p, int is_prod, size_t pos)
{
    if (p->nsums >= EXPR_MAX_SUMS || p->nidx >= EXPR_MAX_SUM_NEST)
        return fail(p, pos, "too many sums (at most %d, nested %d deep)", EXPR_MAX_SUMS,
                    EXPR_MAX_SUM_NEST);
    uint32_t id = (uint32_t)p->nsums++;
    expr_sum *s = &p->sums[id];
    *s = (expr_sum){ is_prod, 1, -1, (uint32_t)pos, 0, { 0 } };
    active_index *ix = &p->idx[p->nidx];
    if (!read_sum_limits(p, s, ix->name))
        return 0;
    if (find_index(p, ix->name))
        return fail(p, pos, "the index %s is already used by an enclosing sum", ix->name);
    ix->id = id;
    size_t begin = p->ncode;
    if (!emit(p, OP_SUM_BEGIN, is_prod, id, 0, 0, pos))
        return 0;
    p->nidx++;
    int ok = parse_term(p, 0);
    p->nidx--;
    if (!ok || !emit(p, OP_SUM_END, is_prod, id, 0, 0, pos))
        return 0;
    if (s->nv == 0 && s->hi < 0 && uses_variable(p, begin + 1, p->ncode - 1)) {
        /* \sum_z lik prior: no element of a vector, so all of them, as sum(lik prior) */
        memmove(&p->code[begin], &p->code[begin + 1], (p->ncode - 2 - begin) * sizeof *p->code);
        p->ncode -= 2; /* the body moved down over SUM_BEGIN; SUM_END dropped */
        return emit(p, OP_FN, is_prod ? FN_PROD : FN_SUM, 0, 0, 0, pos);
    }
    if (s->nv == 0 && s->hi < 0)
        return fail(p, pos, "the sum over %s uses no vector element such as x_%s", ix->name,
                    ix->name);
    p->code[begin].b = (uint32_t)(p->ncode - 1 - begin);
    p->code[p->ncode - 1].b = (uint32_t)(p->ncode - 1 - (begin + 1));
    return 1;
}

enum { NORM_NONE = 0, NORM_EITHER, NORM_OPEN, NORM_CLOSE };

/* What the lookahead is as a norm's bar (\| \Vert \lVert \rVert ‖). */
static int norm_bar(const parser *p)
{
    if (p->tok.kind != TK_CMD)
        return NORM_NONE;
    const char *n = p->tok.name;
    if (!strcmp(n, "|") || !strcmp(n, "Vert"))
        return NORM_EITHER;
    return !strcmp(n, "lVert") ? NORM_OPEN : !strcmp(n, "rVert") ? NORM_CLOSE : NORM_NONE;
}

/* 1 when the lookahead closes the norm being read. */
static int closes_norm(const parser *p)
{
    int b = norm_bar(p);
    return b == NORM_CLOSE || (b == NORM_EITHER && p->norms);
}

/* \|x\|, \lVert x \rVert, ‖x‖, optionally _2: the Euclidean norm
 * sqrt(sum(x^2)) (the opening bar already read). */
static int parse_norm(parser *p, size_t pos)
{
    int outer_bars = p->bars, outer = p->norms;
    p->bars = 0;
    p->norms = 1;
    if (!parse_expr(p))
        return 0;
    p->bars = outer_bars;
    if (!closes_norm(p)) {
        char what[64];
        snprintf(what, sizeof what, "'\\|' to close the norm at position %zu", pos);
        return expected(p, what);
    }
    p->norms = outer;
    advance(p);
    if (accept(p, TK_USCORE)) {
        int braced = accept(p, TK_LBRACE);
        if (p->tok.kind != TK_NUM || p->tok.num != 2)
            return fail(p, p->tok.pos, "only the Euclidean norm (\\|x\\|_2) can be graded");
        advance(p);
        if (braced && !accept(p, TK_RBRACE))
            return expected(p, "'}'");
    } else if (p->tok.kind == TK_SUBDIG) {
        if (strcmp(p->tok.name, "2") != 0)
            return fail(p, p->tok.pos, "only the Euclidean norm (\\|x\\|_2) can be graded");
        advance(p);
    }
    return emit(p, OP_NUM, 0, 0, 0, 2.0, pos) && emit(p, OP_POW, 0, 0, 0, 0, pos) &&
           emit(p, OP_FN, FN_SUM, 0, 0, 0, pos) && emit(p, OP_FN, FN_SQRT, 0, 0, 0, pos);
}

/* Notations that name something the grader cannot evaluate. */
static int refuse(parser *p, const char *name, size_t pos)
{
    if (strcmp(name, "E") == 0 || strcmp(name, "Exp") == 0)
        return fail(p, pos, "expectations cannot be graded: write the closed form");
    if (strcmp(name, "int") == 0 || strcmp(name, "iint") == 0 || strcmp(name, "oint") == 0)
        return fail(p, pos, "integrals cannot be graded: write the closed form");
    if (strcmp(name, "partial") == 0 || strcmp(name, "nabla") == 0)
        return fail(p, pos, "derivatives cannot be graded: write the closed form");
    if (strcmp(name, "KL") == 0 || strcmp(name, "mathcal") == 0)
        return fail(p, pos,
                    "divergences and distributions cannot be graded: write the "
                    "closed form");
    if (strcmp(name, "|") == 0)
        return fail(p, pos, "norms are not supported: write sqrt(x^T x)");
    if (strcmp(name, "infty") == 0)
        return fail(p, pos, "infinity is not a value");
    return fail(p, pos, "unknown LaTeX command '\\%s'", name);
}

/* \operatorname{tr}, \mathrm{lik}, \text{det}: a function or a name. */
static int parse_named(parser *p, name_info *n, const char *cmd, size_t pos)
{
    char word[EXPR_NAME_MAX];
    if (p->tok.kind == TK_LBRACE) {
        cursor c = p->cur;
        token t = p->tok;
        advance(p);
        if (p->tok.kind == TK_CMD && strcmp(p->tok.name, "mathbb") == 0)
            return refuse(p, "E", pos);
        p->cur = c;
        p->tok = t;
    }
    if (!read_braced_name(p, word, cmd))
        return 0;
    int fn = find_function(word);
    if (fn >= 0)
        return parse_function(p, (expr_fn)fn, pos);
    if (strcmp(word, "E") == 0 || strcmp(word, "KL") == 0)
        return refuse(p, word, pos);
    n->pending = 1;
    strcpy(n->base, word);
    return 1;
}

/* \mathbb{E} is refused; \mathbb{R} and the like are not values. */
static int parse_mathbb(parser *p, size_t pos)
{
    char word[EXPR_NAME_MAX];
    if (!read_braced_name(p, word, "mathbb"))
        return 0;
    if (strcmp(word, "E") == 0)
        return refuse(p, "E", pos);
    return fail(p, pos, "\\mathbb{%s} is not a value", word);
}

/* \mathbf{x}, \boldsymbol\mu, \bar{x} (-> "xbar"), \hat\sigma (-> "sigmahat"). */
static int parse_decorated(parser *p, name_info *n, const char *cmd)
{
    static const char *const accents[][2] = { { "bar", "bar" },     { "overline", "bar" },
                                              { "hat", "hat" },     { "widehat", "hat" },
                                              { "tilde", "tilde" }, { "widetilde", "tilde" },
                                              { NULL, NULL } };
    if (!read_braced_name(p, n->base, cmd))
        return 0;
    for (size_t i = 0; accents[i][0]; i++)
        if (strcmp(cmd, accents[i][0]) == 0 && !append(n->base, accents[i][1]))
            return fail(p, n->pos, "name too long");
    n->pending = 1;
    return 1;
}

static int in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

/* A LaTeX command in value position. */
static int parse_command(parser *p, name_info *n)
{
    static const char *const fracs[] = { "frac", "dfrac", "tfrac", "cfrac", NULL };
    static const char *const names[] = { "operatorname", "mathrm", "text",   "textrm", "mathit",
                                         "textit",       "rm",     "mathsf", NULL };
    static const char *const bold[] = { "mathbf",  "boldsymbol", "bm",        "vec",
                                        "pmb",     "bar",        "overline",  "hat",
                                        "widehat", "tilde",      "widetilde", NULL };
    char cmd[EXPR_NAME_MAX];
    size_t pos = p->tok.pos;
    int bar = norm_bar(p);
    strcpy(cmd, p->tok.name);
    if (closes_norm(p))
        return expected(p, "a value");
    advance(p);
    if (bar)
        return parse_norm(p, pos);
    if (strcmp(cmd, "sqrt") == 0)
        return parse_sqrt(p, pos);
    if ((strcmp(cmd, "sum") == 0 || strcmp(cmd, "prod") == 0) && is_open(p->tok.kind))
        return parse_function(p, cmd[0] == 'p' ? FN_PROD : FN_SUM, pos); /* \sum(v): all of v */
    if (strcmp(cmd, "sum") == 0 || strcmp(cmd, "prod") == 0)
        return parse_sum(p, cmd[0] == 'p', pos);
    if (strcmp(cmd, "mathbb") == 0)
        return parse_mathbb(p, pos);
    int fn = find_function(cmd);
    if (fn >= 0)
        return parse_function(p, (expr_fn)fn, pos);
    if (in(cmd, fracs))
        return parse_frac(p, pos);
    if (in(cmd, names))
        return parse_named(p, n, cmd, pos);
    if (in(cmd, bold))
        return parse_decorated(p, n, cmd);
    return refuse(p, cmd, pos);
}

/* ---- expressions ---------------------------------------------------------- */

/* Parses a primary; a name is left pending in *n (its subscript may follow). */
static int parse_primary(parser *p, name_info *n)
{
    const token *t = &p->tok;
    int fn;
    n->pos = (uint32_t)t->pos;
    switch (t->kind) {
    case TK_NUM:
        if (!emit(p, OP_NUM, 0, 0, 0, t->num, t->pos))
            return 0;
        advance(p);
        return 1;
    case TK_NAME:
        if (!strcmp(t->name, "square")) { /* np.square(x) = x^2 */
            size_t pos = t->pos;
            advance(p);
            if (p->tok.kind == TK_LPAREN)
                return parse_group(p) && emit(p, OP_NUM, 0, 0, 0, 2.0, pos) &&
                       emit(p, OP_POW, 0, 0, 0, 0, pos);
            n->pending = 1;
            strcpy(n->base, "square");
            return 1;
        }
        if ((fn = find_function(t->name)) >= 0) {
            size_t pos = t->pos;
            advance(p);
            return parse_function(p, (expr_fn)fn, pos);
        }
        n->pending = 1;
        strcpy(n->base, t->name);
        advance(p);
        return 1;
    case TK_CMD: return parse_command(p, n);
    case TK_SQRT: {
        size_t pos = t->pos;
        advance(p);
        return parse_function(p, FN_SQRT, pos);
    }
    case TK_BAR:
        if (t->flag == BAR_CLOSE)
            return expected(p, "a value");
        return parse_bars(p);
    default:
        if (is_open(t->kind))
            return parse_group(p);
        return expected(p, "a value");
    }
}


/* Reads a transpose written as a superscript (the '^' is the lookahead):
 * ^T ^\top ^\intercal ^{T} ^{\top} ^{\mathsf{T}}; ^{-T} is the inverse
 * transpose. Returns 1 or 2 (consumed), or 0 (nothing consumed). */
static int match_transpose(parser *p)
{
    cursor c = p->cur;
    token t = p->tok;
    advance(p);
    int braced = accept(p, TK_LBRACE), minus = braced && accept(p, TK_MINUS), ok = 0;
    if (p->tok.kind == TK_NAME && strcmp(p->tok.name, "T") == 0) {
        ok = 1;
        advance(p);
    } else if (is_cmd(p, "top") || is_cmd(p, "intercal")) {
        ok = 1;
        advance(p);
    } else if (is_cmd(p, "mathsf") || is_cmd(p, "mathrm") || is_cmd(p, "text")) {
        advance(p);
        int b = accept(p, TK_LBRACE);
        ok = p->tok.kind == TK_NAME && strcmp(p->tok.name, "T") == 0;
        advance(p);
        ok = ok && (!b || accept(p, TK_RBRACE));
    }
    if (ok && (!braced || accept(p, TK_RBRACE)))
        return minus ? 2 : 1;
    p->cur = c;
    p->tok = t;
    return 0;
}

/* Applies '^' (or '**', '²'): transpose, or a power. e^x becomes exp(x). */
static int parse_power(parser *p, name_info *n)
{
    size_t pos = p->tok.pos;
    int tr = p->tok.kind == TK_CARET ? match_transpose(p) : 0;
    if (tr) {
        if (!flush_name(p, n))
            return 0;
        if (tr == 2 && !emit(p, OP_FN, FN_INV, 0, 0, 0, pos))
            return 0;
        return emit(p, OP_TRANS, 0, 0, 0, 0, pos);
    }
    int is_e = n->pending && !n->has_sub && strcmp(n->base, "e") == 0;
    if (!parse_exponent(p))
        return 0;
    if (n->pending && !n->has_sub && (p->tok.kind == TK_USCORE || p->tok.kind == TK_SUBDIG)) {
        if (!read_subscript(p, n->sub))
            return 0;
        n->has_sub = 1;
        is_e = 0;
    }
    if (is_e) {
        n->pending = 0;
        return emit(p, OP_FN, FN_EXP, 0, 0, 0, pos);
    }
    return flush_name(p, n) && emit(p, OP_POW, 0, 0, 0, 0, pos);
}

/* Parses a primary and what follows it: subscripts (if post & POST_SUB),
 * powers and transposes (if post & POST_POW). */
static int parse_postfix_at(parser *p, int post)
{
    int powers = post & POST_POW;
    name_info n = { 0, "", "", 0, 0, p->ncode };
    if (!parse_primary(p, &n))
        return 0;
    for (;;) {
        tok_kind k = p->tok.kind;
        if ((post & POST_SUB) && (k == TK_USCORE || k == TK_SUBDIG)) {
            if (!n.pending || n.has_sub)
                return fail(p, p->tok.pos, "a subscript must follow a variable name");
            if (!read_subscript(p, n.sub))
                return 0;
            n.has_sub = 1;
        } else if (powers && (k == TK_CARET || k == TK_POW2 || k == TK_SUPER)) {
            if (!parse_power(p, &n))
                return 0;
        } else if (powers && k == TK_PRIME) {
            if (!flush_name(p, &n) || !emit(p, OP_TRANS, 0, 0, 0, 0, p->tok.pos))
                return 0;
            advance(p);
        } else {
            return flush_name(p, &n);
        }
    }
}

/* Signs, then a postfix: -x^2 = -(x^2). A loop, not a recursion, so a
 * run of signs cannot exhaust the stack. */
/* parse_postfix_at, counting the nesting depth: every recursion of the
 * parser passes here, so EL_EXPR_MAX_DEPTH bounds the C stack. */
static int parse_postfix(parser *p, int post)
{
    if (p->depth >= EL_EXPR_MAX_DEPTH)
        return fail(p, p->tok.pos, "the answer is nested too deeply (more than %d levels)",
                    EL_EXPR_MAX_DEPTH);
    p->depth++;
    int ok = parse_postfix_at(p, post);
    p->depth--;
    return ok;
}

static int parse_unary(parser *p, int post)
{
    size_t pos = p->tok.pos;
    int neg = 0;
    while (p->tok.kind == TK_PLUS || p->tok.kind == TK_MINUS) {
        neg ^= p->tok.kind == TK_MINUS;
        advance(p);
    }
    return parse_postfix(p, post) && (!neg || emit(p, OP_NEG, 0, 0, 0, 0, pos));
}

/* Can the lookahead start a factor of an implicit product (2x, (a)(b))? */
static int starts_factor(const parser *p)
{
    switch (p->tok.kind) {
    case TK_NUM:
    case TK_CMD: return !closes_norm(p);
    case TK_NAME:
    case TK_SQRT:
    case TK_BAD:
    case TK_LPAREN:
    case TK_LBRACK:
    case TK_LCURLY:
    case TK_LBRACE: return 1;
    case TK_BAR: return p->tok.flag == BAR_OPEN || (p->tok.flag == BAR_EITHER && !p->bars);
    default: return 0;
    }
}

/* A product: explicit * and / (unless chain) and juxtaposition. */
static int parse_term(parser *p, int chain)
{
    if (!parse_unary(p, POST_ALL))
        return 0;
    for (;;) {
        size_t pos = p->tok.pos;
        op_kind op;
        if (!chain &&
            (p->tok.kind == TK_STAR || p->tok.kind == TK_SLASH || p->tok.kind == TK_ODOT)) {
            op = p->tok.kind == TK_STAR ? OP_MUL : p->tok.kind == TK_ODOT ? OP_EMUL : OP_DIV;
            advance(p);
            if (!parse_unary(p, POST_ALL))
                return 0;
        } else if (starts_factor(p)) {
            op = OP_MUL;
            if (p->tok.kind == TK_NUM && p->prev == TK_NUM)
                return fail(p, p->tok.pos,
                            "two numbers in a row: write 1000, not 1 000, "
                            "and 2*3, not 2 3");
            if (!parse_unary(p, POST_ALL))
                return 0;
        } else {
            return 1;
        }
        if (!emit(p, op, 0, 0, 0, 0, pos))
            return 0;
    }
}

static int parse_expr(parser *p)
{
    if (!parse_term(p, 0))
        return 0;
    while (p->tok.kind == TK_PLUS || p->tok.kind == TK_MINUS) {
        op_kind op = p->tok.kind == TK_PLUS ? OP_ADD : OP_SUB;
        size_t pos = p->tok.pos;
        advance(p);
        if (!parse_term(p, 0) || !emit(p, op, 0, 0, 0, 0, pos))
            return 0;
    }
    return 1;
}

/* ---- public --------------------------------------------------------------- */

/* The largest number of values on the evaluation stack. */
static size_t stack_need(const expr_op *code, size_t n)
{
    long d = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        switch (code[i].op) {
        case OP_NUM:
        case OP_VAR:
        case OP_IDX:
        case OP_SUM_BEGIN: d++; break;
        case OP_NEG:
        case OP_TRANS:
        case OP_FN: break;
        default: d--;
        }
        if (d > max)
            max = d;
    }
    return (size_t)max;
}

/* Frees the arrays a parser builds and an el_expr then owns. */
static void free_program(expr_op *code, char **vars, uint32_t *var_pos, size_t nvars)
{
    for (size_t i = 0; i < nvars; i++)
        free(vars[i]);
    free(vars);
    free(var_pos);
    free(code);
}

/* Moves the parser's results into a new el_expr (NULL if out of memory). */
static el_expr *parser_finish(parser *p)
{
    el_expr *e = calloc(1, sizeof *e);
    if (!e) {
        fail(p, 0, "out of memory");
        return NULL;
    }
    e->code = p->code;
    e->ncode = p->ncode;
    e->vars = p->vars;
    e->var_pos = p->var_pos;
    e->nvars = p->nvars;
    memcpy(e->sums, p->sums, p->nsums * sizeof *p->sums);
    e->nsums = p->nsums;
    e->max_stack = stack_need(p->code, p->ncode);
    return e;
}

el_expr *el_expr_parse(const char *text, el_expr_error *err)
{
    return el_expr_parse_free(text, NULL, err);
}

el_expr *el_expr_parse_free(const char *text, const char *index, el_expr_error *err)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.err = err;
    if (index && strlen(index) < sizeof p.free_index)
        strcpy(p.free_index, index);
    if (err) {
        err->pos = 0;
        err->msg[0] = '\0';
    }
    if (!text) {
        fail(&p, 0, "no answer (NULL)");
        return NULL;
    }
    size_t len = strnlen(text, EL_EXPR_MAX_LEN + 1);
    if (len > EL_EXPR_MAX_LEN) {
        fail(&p, 0, "the answer is longer than %d bytes", EL_EXPR_MAX_LEN);
        return NULL;
    }
    p.cur = (cursor){ text, len, 0, 1, 0 };
    advance(&p);
    if (p.tok.kind == TK_END) {
        fail(&p, 1, "the answer is empty");
        return NULL;
    }
    if (parse_expr(&p) && p.tok.kind == TK_EQ)
        fail(&p, p.tok.pos, "an answer is one expression: remove the '=' and what is left of it");
    else if (p.tok.kind != TK_END)
        expected(&p, "an operator or the end of the answer");
    el_expr *e = p.failed ? NULL : parser_finish(&p);
    if (!e)
        free_program(p.code, p.vars, p.var_pos, p.nvars);
    return e;
}

void el_expr_free(el_expr *e)
{
    if (!e)
        return;
    free_program(e->code, e->vars, e->var_pos, e->nvars);
    free(e);
}

size_t el_expr_nvars(const el_expr *e)
{
    return e ? e->nvars : 0;
}

const char *el_expr_var(const el_expr *e, size_t i)
{
    return e && i < e->nvars ? e->vars[i] : NULL;
}
