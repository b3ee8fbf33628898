/* fuzz_params.c -- libFuzzer target for the `key=value` parameter parser of
 * `elbolab eval` (el_params_parse): the input is split at newlines into at
 * most 40 arguments and parsed; every parameter is then looked up as a
 * scalar, a vector, a square matrix and text.  Aborts (a finding) when a
 * parsed parameter disagrees with its kind and shape.  Crashes, hangs and
 * sanitizer reports are findings by themselves.  Built and run by
 * tests/fuzz/run_params.sh. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "eval/el_eval.h"

#define MAX_ARGS 40

static void look_up(const el_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const el_param *q = &p->p[i];
        if (!q->key || !q->text || (q->kind != EL_PARAM_TEXT && !q->v && q->rows * q->cols))
            abort();
        if (q->kind == EL_PARAM_SCALAR && (q->rows != 1 || q->cols != 1))
            abort();
        double x;
        size_t n, d;
        const double *v;
        const char *t;
        if (el_params_scalar(p, q->key, &x) == EL_OK && q->kind != EL_PARAM_SCALAR)
            abort();
        if (el_params_vector(p, q->key, &n, &v) == EL_OK && n && !v)
            abort();
        if (el_params_square(p, q->key, &d, &v) == EL_OK && d && !v)
            abort();
        if (el_params_text(p, q->key, &t) != EL_OK || !t)
            abort();
        if (!el_params_has(p, q->key))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS];
    int argc = 0;
    for (char *s = buf; argc < MAX_ARGS;) {
        argv[argc++] = s;
        char *nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        s = nl + 1;
    }
    el_params p;
    memset(&p, 0, sizeof p);
    if (el_params_parse(&p, argc, argv) == EL_OK)
        look_up(&p);
    el_params_free(&p);
    free(buf);
    return 0;
}
