/* print.c -- a derivation line's tree in canonical plain notation, the
 * "read as" echo a student sees: E_{q(z|x)}[log p(x,z) - log q(z|x)],
 * KL(q(z|x) || p(z)), sum_z q(z|x) (...), int ... dz, N(z; m, v). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "expr/el_expr.h"

typedef struct {
    char *buf;
    size_t cap, len;
    int followed; /* more factors follow the node printed now (log p(x) q: ambiguous) */
} out;

static void put(out *o, const char *s)
{
    size_t n = strlen(s);
    if (o->len < o->cap) {
        size_t room = o->cap - o->len - 1;
        memcpy(o->buf + o->len, s, n < room ? n : room);
        o->buf[o->len + (n < room ? n : room)] = '\0';
    }
    o->len += n;
}

static int prec(const el_tree *t)
{
    switch (t->kind) {
    case EL_T_ADD:
    case EL_T_SUB: return 1;
    case EL_T_MUL:
    case EL_T_EMUL:
    case EL_T_DIV: return 2;
    case EL_T_NEG: return 3;
    case EL_T_POW: return 4;
    case EL_T_SUM:
    case EL_T_PROD:
    case EL_T_DERIV: return 1; /* their body runs to the next + or - */
    case EL_T_NUM: return t->num < 0 ? 3 : 5;
    default: return 5;
    }
}

static void print(out *o, const el_tree *t);

/* Prints t, in parentheses when it binds less tightly than `min`. */
static void sub(out *o, const el_tree *t, int min)
{
    int paren = prec(t) < min, after = o->followed;
    if (paren) {
        put(o, "(");
        o->followed = 0;
    }
    print(o, t);
    if (paren)
        put(o, ")");
    o->followed = after;
}

static void print_num(out *o, double x)
{
    char b[40];
    if (isinf(x))
        snprintf(b, sizeof b, "%sinf", x < 0 ? "-" : "");
    else if (x == M_PI)
        snprintf(b, sizeof b, "pi");
    else if (x == M_E)
        snprintf(b, sizeof b, "e");
    else
        snprintf(b, sizeof b, "%.15g", x);
    put(o, b);
}

static void print_args(out *o, const el_tree *t)
{
    put(o, "(");
    for (size_t i = 0; i < t->nargs; i++) {
        if (i)
            put(o, i == t->nvars ? "|" : ",");
        print(o, t->args[i]);
    }
    put(o, ")");
}

static void print_binary(out *o, const el_tree *t, const char *op, int p)
{
    int after = o->followed;
    o->followed = t->kind == EL_T_MUL || t->kind == EL_T_EMUL || t->kind == EL_T_DIV ? 1 : 0;
    sub(o, t->a, p);
    o->followed = t->kind == EL_T_ADD || t->kind == EL_T_SUB ? 0 : after;
    put(o, op);
    /* a - (b + c), a / (b c): the right side binds tighter */
    sub(o, t->b, t->kind == EL_T_SUB || t->kind == EL_T_DIV ? p + 1 : p);
}

static void print_sum(out *o, const el_tree *t)
{
    put(o, t->kind == EL_T_SUM ? "sum_" : "prod_");
    if (t->b || t->c) {
        put(o, "{");
        put(o, t->name);
        if (t->b) {
            put(o, "=");
            print(o, t->b);
        }
        put(o, "}");
        if (t->c) {
            put(o, "^{");
            print(o, t->c);
            put(o, "}");
        }
    } else {
        put(o, t->name[0] ? t->name : "?");
    }
    put(o, " ");
    sub(o, t->a, 2);
}

static void print(out *o, const el_tree *t)
{
    switch (t->kind) {
    case EL_T_NUM: print_num(o, t->num); break;
    case EL_T_VAR: put(o, t->name); break;
    case EL_T_NEG:
        put(o, "-");
        sub(o, t->a, 3);
        break;
    case EL_T_ADD: print_binary(o, t, " + ", 1); break;
    case EL_T_SUB: print_binary(o, t, " - ", 1); break;
    case EL_T_MUL: print_binary(o, t, " ", 2); break;
    case EL_T_EMUL: print_binary(o, t, " .* ", 2); break;
    case EL_T_DIV: print_binary(o, t, "/", 2); break;
    case EL_T_POW:
        sub(o, t->a, 5);
        put(o, "^");
        sub(o, t->b, 5);
        break;
    case EL_T_FN: /* log p(x|z), log(a + b); log(p(x|z)) p(z) in a product */
        put(o, t->name);
        if ((t->a->kind == EL_T_CALL || t->a->kind == EL_T_VAR) && !o->followed) {
            put(o, " ");
            print(o, t->a);
            break;
        }
        put(o, "(");
        print(o, t->a);
        put(o, ")");
        break;
    case EL_T_TRANS:
        sub(o, t->a, 5);
        put(o, "^T");
        break;
    case EL_T_BARS:
        put(o, "|");
        print(o, t->a);
        put(o, "|");
        break;
    case EL_T_SUM:
    case EL_T_PROD: print_sum(o, t); break;
    case EL_T_CALL:
        put(o, t->name);
        print_args(o, t);
        break;
    case EL_T_BIND:
        put(o, t->name);
        put(o, "=");
        print(o, t->a);
        break;
    case EL_T_GAUSS:
        put(o, "N(");
        if (t->c) {
            print(o, t->c);
            put(o, "; ");
        }
        print(o, t->a);
        put(o, ", ");
        print(o, t->b);
        put(o, ")");
        break;
    case EL_T_EXPECT:
        put(o, "E");
        if (t->b) {
            put(o, "_{");
            if (t->name[0]) {
                put(o, t->name);
                put(o, " ~ ");
            }
            print(o, t->b);
            put(o, "}");
        }
        put(o, "[");
        print(o, t->a);
        put(o, "]");
        break;
    case EL_T_INT:
        put(o, "int ");
        sub(o, t->a, 2);
        put(o, " d");
        put(o, t->name);
        break;
    case EL_T_KL:
        put(o, "KL(");
        print(o, t->a);
        put(o, " || ");
        print(o, t->b);
        put(o, ")");
        break;
    case EL_T_ENT:
        put(o, "H(");
        print(o, t->a);
        put(o, ")");
        break;
    case EL_T_IND:
        put(o, "1[");
        print(o, t->a);
        put(o, "]");
        break;
    case EL_T_DERIV:
        put(o, "d/d");
        put(o, t->name);
        put(o, " ");
        sub(o, t->a, 2);
        break;
    }
}

size_t el_tree_print(const el_tree *t, char *buf, size_t cap)
{
    out o = { buf, cap, 0, 0 };
    if (cap)
        buf[0] = '\0';
    if (t)
        print(&o, t);
    return o.len;
}
