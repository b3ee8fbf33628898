/* variant.c -- each student's variant of an exercise: the seed of
 * their random points, their parameter values, their statement and the
 * reference numbers computed from those values. */
#include "expr/el_expr.h"
#include "grade/util.h"
#include "grade/exercise.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The student id as used for seeding: trimmed, lower case ("" for none). */
static char *student_key(const char *student)
{
    char *s = grade_strdup(student ? student : "");
    if (!s)
        return NULL;
    char *a = s;
    while (isspace((unsigned char)*a))
        a++;
    size_t n = strlen(a);
    while (n && isspace((unsigned char)a[n - 1]))
        n--;
    memmove(s, a, n);
    s[n] = '\0';
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

unsigned long grade_seed(const el_grade_exercise *ex, const char *student)
{
    char *k = student_key(student);
    unsigned long s = el_seed_mix(el_seed_mix(EL_GRADE_SEED, ex->id), k ? k : "");
    free(k);
    return s;
}

int el_grade_exercise_has_variants(const el_grade_exercise *ex)
{
    const el_grade_solver *sv = ex->solver ? el_grade_solver_find(ex->solver) : NULL;
    if (ex->solver && !(sv && sv->general))
        return 0;
    for (size_t i = 0; i < ex->nparams; i++)
        if (ex->params[i].hi > ex->params[i].lo)
            return 1;
    return 0;
}

void el_grade_exercise_variant(const el_grade_exercise *ex, const char *student, double *out)
{
    for (size_t i = 0; i < ex->nparams; i++)
        out[i] = ex->params[i].def;
    const el_grade_solver *sv = ex->solver ? el_grade_solver_find(ex->solver) : NULL;
    char *k = student_key(student);
    if (!k || !*k || (ex->solver && !(sv && sv->general))) {
        free(k);
        return;
    }
    gsl_rng *r = el_rng_alloc(el_seed_mix(el_seed_mix(EL_GRADE_SEED ^ 0x5eedUL, ex->id), k));
    free(k);
    for (size_t i = 0; r && i < ex->nparams; i++) {
        const el_grade_param *p = &ex->params[i];
        if (p->hi > p->lo) {
            double scale = pow(10.0, p->digits);
            double x = p->lo + (p->hi - p->lo) * gsl_rng_uniform(r);
            out[i] = fmin(p->hi, fmax(p->lo, round(x * scale) / scale));
        }
    }
    el_rng_free(r);
}

char *el_grade_exercise_statement(const el_grade_exercise *ex, const char *student)
{
    double *v = malloc((ex->nparams + 1) * sizeof *v);
    if (!v)
        return NULL;
    el_grade_exercise_variant(ex, student, v);
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (const char *p = ex->statement; *p;) {
        size_t k = 0;
        if (*p == '{') {
            for (size_t i = 0; i < ex->nparams; i++) {
                size_t len = strlen(ex->params[i].name);
                if (!strncmp(p + 1, ex->params[i].name, len) && p[1 + len] == '}') {
                    char num[64];
                    grade_fmt_number(num, sizeof num, v[i]);
                    gbuf_puts(&b, num);
                    k = len + 2;
                }
            }
        }
        if (k) {
            p += k;
        } else {
            gbuf_add(&b, p, 1);
            p++;
        }
    }
    free(v);
    return gbuf_take(&b);
}

typedef struct {
    const el_grade_exercise *ex;
    const double *v;
    el_value vals[16];
} param_ctx;

static int param_lookup(void *ctx, const char *name, const el_value **out)
{
    param_ctx *c = ctx;
    for (size_t i = 0; i < c->ex->nparams && i < 16; i++)
        if (!strcmp(c->ex->params[i].name, name)) {
            *out = &c->vals[i];
            return 0;
        }
    return 1;
}

/* The value of a constant expression in the parameters V of EX. */
int grade_param_eval(const el_grade_exercise *ex, const void *compiled, const double *v,
                     double *out)
{
    param_ctx c = { ex, v, { { 0, 0, NULL } } };
    double store[16];
    for (size_t i = 0; i < ex->nparams && i < 16; i++) {
        store[i] = v[i];
        c.vals[i] = (el_value){ 1, 1, &store[i] };
    }
    el_value r = { 0, 0, NULL };
    el_expr_error err;
    int st = el_expr_eval(compiled, param_lookup, &c, &r, &err);
    if (st)
        return EL_ERROR(st, "%s", err.msg);
    if (r.rows * r.cols != 1) {
        el_value_free(&r);
        return EL_ERROR(EL_EDOM, "a number was expected, not a %zux%zu value", r.rows, r.cols);
    }
    *out = r.v[0];
    el_value_free(&r);
    return EL_OK;
}

int el_grade_exercise_number(const el_grade_exercise *ex, const el_grade_part *part,
                             const char *student, double *out)
{
    double v[64];
    if (ex->nparams > 64)
        return EL_ERROR(EL_ELIMIT, "too many parameters");
    el_grade_exercise_variant(ex, student, v);
    if (part->solver_out) {
        const el_grade_solver *s = el_grade_solver_find(ex->solver);
        if (!s)
            return EL_ERROR(EL_ENOTFOUND, "unknown solver '%s'", ex->solver);
        return s->fn(ex, v, part->solver_out, out);
    }
    return grade_param_eval(ex, part->compiled, v, out);
}
