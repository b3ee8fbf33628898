/* fuzz_expr.c -- libFuzzer target for the answer language: parses arbitrary
 * bytes and, when they parse, evaluates them twice with a fixed lookup.
 * Aborts (a finding) on a broken contract: a failure without a message, an
 * error position past the end, an out-of-range variable index, or two
 * evaluations that disagree. Crashes, hangs and sanitizer reports are
 * findings by themselves. Built and run by tests/fuzz/run.sh. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "expr/el_expr.h"

static double s_val = 0.731, s_neg = -1.25;
static double v3[3] = { 0.5, -1.5, 2.25 }, w3[3] = { 1.125, 0.375, -0.625 };
static double m2[4] = { 1.7, -0.6, 0.45, 2.3 },
              m3[9] = { 2.1, 0.3, -0.2, 0.3, 1.4, 0.25, -0.2, 0.25, 0.9 };
static double r23[6] = { 1, 2, 3, 4, 5, 6 }, v64[64];
static const el_value scalar = { 1, 1, &s_val }, negative = { 1, 1, &s_neg }, vec = { 3, 1, v3 },
                      vec2 = { 3, 1, w3 }, row = { 1, 3, w3 }, mat2 = { 2, 2, m2 },
                      mat3 = { 3, 3, m3 }, rect = { 2, 3, r23 }, longvec = { 64, 1, v64 };

/* Every name is known: a few have fixed shapes, the rest are scalars. */
static int lookup(void *ctx, const char *name, const el_value **out)
{
    (void)ctx;
    if (strcmp(name, "unknown") == 0)
        return 1;
    switch (name[0]) {
    case 'x': *out = &vec; break;
    case 'y': *out = &vec2; break;
    case 'r': *out = &row; break;
    case 'A': *out = &mat2; break;
    case 'S': *out = &mat3; break;
    case 'C': *out = &rect; break;
    case 'z': *out = &longvec; break;
    case 'n': *out = &negative; break;
    default: *out = &scalar;
    }
    return 0;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Evaluates e into *v; aborts if a failure has no message. */
static int eval_checked(const el_expr *e, el_value *v)
{
    el_expr_error err;
    int st = el_expr_eval(e, lookup, NULL, v, &err);
    if (st != EL_OK && (err.msg[0] == '\0' || v->v != NULL))
        abort();
    if (st == EL_OK && (v->rows == 0 || v->cols == 0 || v->rows > EL_EXPR_MAX_DIM ||
                        v->cols > EL_EXPR_MAX_DIM || !v->v))
        abort();
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        for (int i = 0; i < 64; i++)
            v64[i] = 1.0 + 0.01 * i;
        init = 1;
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    el_expr_error err;
    el_expr *e = el_expr_parse(text, &err);
    if (!e) {
        if (err.msg[0] == '\0' || err.pos > utf8_chars(text) + 1)
            abort();
        free(text);
        return 0;
    }
    for (size_t i = 0; i < el_expr_nvars(e); i++)
        if (!el_expr_var(e, i) || !el_expr_var(e, i)[0])
            abort();
    if (el_expr_var(e, el_expr_nvars(e)) != NULL)
        abort();
    el_value a = { 0, 0, NULL }, b = { 0, 0, NULL };
    int sa = eval_checked(e, &a), sb = eval_checked(e, &b);
    if (sa != sb)
        abort();
    if (sa == EL_OK && (a.rows != b.rows || a.cols != b.cols ||
                        memcmp(a.v, b.v, a.rows * a.cols * sizeof *a.v) != 0))
        abort();
    el_value_free(&a);
    el_value_free(&b);
    el_expr_free(e);
    free(text);
    return 0;
}
