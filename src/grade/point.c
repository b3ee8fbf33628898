/* point.c -- random points in an exercise's variable domains, and
 * the look-up that gives the expression evaluator their values (with the
 * aliases students use: Sigma1 = Sigma_1, eps = epsilon, ...). */
#include "grade/util.h"
#include "grade/point.h"
#include "core/el_core.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------- */

/* 1 if A and B are equal once underscores and braces are ignored. */
static int same_squashed(const char *a, const char *b)
{
    for (;;) {
        while (*a == '_' || *a == '{' || *a == '}')
            a++;
        while (*b == '_' || *b == '{' || *b == '}')
            b++;
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++;
        b++;
    }
}

long grade_resolve(const el_grade_exercise *ex, const char *name)
{
    for (size_t i = 0; i < ex->nvars; i++)
        if (!strcmp(ex->vars[i].name, name))
            return (long)i;
    for (size_t i = 0; i < ex->nvars; i++)
        for (size_t j = 0; j < ex->vars[i].naliases; j++)
            if (!strcmp(ex->vars[i].aliases[j], name))
                return (long)i;
    for (size_t i = 0; i < ex->nvars; i++) {
        if (same_squashed(ex->vars[i].name, name))
            return (long)i;
        for (size_t j = 0; j < ex->vars[i].naliases; j++)
            if (same_squashed(ex->vars[i].aliases[j], name))
                return (long)i;
    }
    return -1;
}

int grade_lookup(void *ctx, const char *name, const el_value **out)
{
    grade_lookup_ctx *c = ctx;
    long i = grade_resolve(c->ex, name);
    if (i < 0)
        return 1;
    size_t k = c->subst ? c->subst[i] : (size_t)i;
    *out = &c->p->val[k];
    return 0;
}

/* ---- drawing -------------------------------------------------------------------- */

/* One number from a scalar domain. */
static double draw_scalar(const el_grade_variable *v, size_t d, const gsl_rng *r)
{
    switch (v->dom) {
    case EL_GRADE_DOM_UNIFORM: return v->a + (v->b - v->a) * gsl_rng_uniform(r);
    case EL_GRADE_DOM_LOGUNIFORM:
        return exp(log(v->a) + (log(v->b) - log(v->a)) * gsl_rng_uniform(r));
    case EL_GRADE_DOM_NORMAL: return v->a + v->b * gsl_ran_gaussian(r, 1.0);
    case EL_GRADE_DOM_DIM: return (double)d;
    case EL_GRADE_DOM_SPD:
    case EL_GRADE_DOM_SIMPLEX: break;
    }
    return gsl_rng_uniform_pos(r);
}

/* A random symmetric positive definite D x D matrix B B^T / d + a I. */
static void draw_spd(double a, size_t d, const gsl_rng *r, double *m)
{
    double b[16 * 16];
    for (size_t i = 0; i < d * d; i++)
        b[i] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0.0;
            for (size_t k = 0; k < d; k++)
                s += b[i * d + k] * b[j * d + k];
            s /= (double)d;
            m[i * d + j] = m[j * d + i] = s + (i == j ? a : 0.0);
        }
}

/* A probability vector: Dirichlet(1) mixed with the uniform one (>= 0.1/d). */
static void draw_simplex(size_t d, const gsl_rng *r, double *p)
{
    double alpha[16], theta[16];
    for (size_t i = 0; i < d; i++)
        alpha[i] = 1.0;
    gsl_ran_dirichlet(r, d, alpha, theta);
    for (size_t i = 0; i < d; i++)
        p[i] = 0.9 * theta[i] + 0.1 / (double)d;
}

int grade_point_alloc(const el_grade_exercise *ex, size_t d, grade_point *p)
{
    p->nvars = ex->nvars;
    p->val = calloc(ex->nvars + 1, sizeof *p->val);
    if (!p->val)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < ex->nvars; i++) {
        const el_grade_variable *v = &ex->vars[i];
        size_t rows = v->shape == EL_GRADE_SHAPE_SCALAR ? 1 : d;
        size_t cols = v->shape == EL_GRADE_SHAPE_MATRIX ? d : 1;
        p->val[i] = (el_value){ rows, cols, calloc(rows * cols, sizeof(double)) };
        if (!p->val[i].v) {
            grade_point_free(p);
            return EL_ERROR(EL_ENOMEM, "out of memory");
        }
    }
    return EL_OK;
}

int grade_point_draw(const el_grade_exercise *ex, size_t d, const gsl_rng *r, grade_point *p)
{
    if (d < 1 || d > 16)
        return EL_ERROR(EL_EDOM, "dimension %zu is outside 1..16", d);
    int st = grade_point_alloc(ex, d, p);
    for (size_t i = 0; !st && i < ex->nvars; i++) {
        const el_grade_variable *v = &ex->vars[i];
        double *x = p->val[i].v;
        size_t n = p->val[i].rows * p->val[i].cols;
        if (v->dom == EL_GRADE_DOM_SPD)
            draw_spd(v->a, d, r, x);
        else if (v->dom == EL_GRADE_DOM_SIMPLEX)
            draw_simplex(d, r, x);
        else
            for (size_t k = 0; k < n; k++)
                x[k] = draw_scalar(v, d, r);
    }
    if (!st && (st = grade_point_derive(ex, p)))
        grade_point_free(p);
    return st;
}

int grade_point_derive(const el_grade_exercise *ex, grade_point *p)
{
    for (size_t i = 0; i < ex->nvars; i++) {
        if (!ex->vars[i].compiled)
            continue;
        grade_lookup_ctx c = { ex, p, NULL };
        el_value v = { 0, 0, NULL };
        el_expr_error err;
        int st = el_expr_eval(ex->vars[i].compiled, grade_lookup, &c, &v, &err);
        el_value *dst = &p->val[i];
        if (!st && v.rows * v.cols == dst->rows * dst->cols)
            memcpy(dst->v, v.v, v.rows * v.cols * sizeof(double));
        else if (!st)
            st = EL_ERROR(EL_EDOM, "variable %s: its definition has the wrong shape",
                          ex->vars[i].name);
        el_value_free(&v);
        if (st)
            return st;
    }
    return EL_OK;
}

void grade_point_free(grade_point *p)
{
    if (!p->val)
        return;
    for (size_t i = 0; i < p->nvars; i++)
        free(p->val[i].v);
    free(p->val);
    p->val = NULL;
    p->nvars = 0;
}

int grade_point_copy(const grade_point *src, grade_point *dst)
{
    dst->nvars = src->nvars;
    dst->val = calloc(src->nvars + 1, sizeof *dst->val);
    if (!dst->val)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < src->nvars; i++) {
        size_t n = src->val[i].rows * src->val[i].cols;
        dst->val[i] =
            (el_value){ src->val[i].rows, src->val[i].cols, malloc(n * sizeof(double) + 1) };
        if (!dst->val[i].v) {
            grade_point_free(dst);
            return EL_ERROR(EL_ENOMEM, "out of memory");
        }
        memcpy(dst->val[i].v, src->val[i].v, n * sizeof(double));
    }
    return EL_OK;
}

/* ---- describing ------------------------------------------------------------------- */

void grade_value_describe(gbuf *b, const el_value *v)
{
    char num[64];
    if (v->rows * v->cols == 1) {
        snprintf(num, sizeof num, "%.6g", v->v[0]);
        gbuf_puts(b, num);
        return;
    }
    int matrix = v->rows > 1 && v->cols > 1;
    gbuf_puts(b, "[");
    for (size_t i = 0; i < v->rows; i++) {
        if (matrix)
            gbuf_puts(b, i ? ", [" : "[");
        for (size_t j = 0; j < v->cols; j++) {
            snprintf(num, sizeof num, "%s%.4g", (i || j) && !(matrix && j == 0) ? ", " : "",
                     v->v[i * v->cols + j]);
            gbuf_puts(b, num);
        }
        if (matrix)
            gbuf_puts(b, "]");
    }
    gbuf_puts(b, "]");
}

char *grade_point_describe(const el_grade_exercise *ex, const grade_point *p)
{
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (size_t i = 0; i < ex->nvars && i < p->nvars; i++) {
        gbuf_printf(&b, "%s%s = ", i ? ", " : "", ex->vars[i].name);
        grade_value_describe(&b, &p->val[i]);
    }
    return gbuf_take(&b);
}
