/* equiv.c -- random-point equivalence of a student's expression with
 * the reference, and the diagnosis of a wrong one.
 *
 * Both expressions are evaluated at EL_GRADE_POINTS random points of the
 * variables' domains (seeded by exercise, part and student) plus the
 * exercise's fixed points; a point where the reference is undefined is
 * redrawn.  Equal everywhere within the part's tolerances = correct.  When
 * not, the student's values are compared with those of each declared
 * mistake, of the reference with arguments swapped, with a variable
 * replaced by its square or square root, and tested for a constant factor,
 * a sign, an additive constant, a missing normalisation or a missing sum;
 * the simplest failing point found is shown. */
#include "grade/util.h"
#include "grade/text.h"
#include "grade/point.h"
#include "grade/exercise.h"
#include "grade/parts.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXPTS   (EL_GRADE_POINTS + 8)
#define ATTEMPTS 60
#define NSIMPLE  160

typedef enum { CMP_MATCH, CMP_DIFF, CMP_SHAPE, CMP_UNDEF } cmp_result;

typedef struct {
    const el_grade_exercise *ex;
    const el_grade_part *part;
    size_t n;
    grade_point pt[MAXPTS];
    el_value ref[MAXPTS]; /* the reference at each point */
    el_value stu[MAXPTS]; /* the student's answer at each point */
    int stu_st[MAXPTS];   /* its evaluation status */
    char stu_msg[256];    /* the first evaluation error */
} pointset;

/* 1 if S has a Greek letter (U+0391..U+03C9, two bytes in UTF-8) written
 * directly against an ASCII letter or digit: the lexer glues them into one name. */
static int glued_greek(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p[0] && p[1]; p++)
        if ((p[0] == 0xCE || p[0] == 0xCF) && p[1] >= 0x80 && isalnum(p[2]))
            return 1;
    return 0;
}

/* ---- evaluation ------------------------------------------------------------- */

static int eval_at(const el_grade_exercise *ex, const void *e, const grade_point *p,
                   const size_t *subst, el_value *out, el_expr_error *err)
{
    grade_lookup_ctx c = { ex, p, subst };
    return el_expr_eval(e, grade_lookup, &c, out, err);
}

static int all_finite(const el_value *v)
{
    for (size_t i = 0; i < v->rows * v->cols; i++)
        if (!isfinite(v->v[i]))
            return 0;
    return v->rows * v->cols > 0;
}

static int same_shape(const el_value *s, const el_value *r)
{
    if (s->rows == r->rows && s->cols == r->cols)
        return 1;
    /* a vector may come as a row or a column */
    return (r->cols == 1 || r->rows == 1) && (s->cols == 1 || s->rows == 1) &&
           s->rows * s->cols == r->rows * r->cols;
}

static cmp_result compare(const el_value *s, const el_value *r, double rel, double abs)
{
    if (!same_shape(s, r))
        return CMP_SHAPE;
    if (!all_finite(s))
        return CMP_UNDEF;
    for (size_t i = 0; i < r->rows * r->cols; i++)
        if (!el_close(s->v[i], r->v[i], rel, abs))
            return CMP_DIFF;
    return CMP_MATCH;
}

/* ---- the points ----------------------------------------------------------------- */

static void pointset_free(pointset *ps)
{
    for (size_t k = 0; k < ps->n; k++) {
        grade_point_free(&ps->pt[k]);
        el_value_free(&ps->ref[k]);
        el_value_free(&ps->stu[k]);
    }
    ps->n = 0;
}

/* Adds point P (taken over) if the reference is defined there; 1 if added. */
static int try_point(pointset *ps, grade_point *p)
{
    el_value r = { 0, 0, NULL };
    el_expr_error err;
    if (eval_at(ps->ex, ps->part->compiled, p, NULL, &r, &err) || !all_finite(&r)) {
        el_value_free(&r);
        grade_point_free(p);
        return 0;
    }
    ps->pt[ps->n] = *p;
    ps->ref[ps->n] = r;
    ps->n++;
    return 1;
}

static int build_points(pointset *ps, const char *student)
{
    const el_grade_exercise *ex = ps->ex;
    gsl_rng *r = el_rng_alloc(el_seed_mix(grade_seed(ex, student), ps->part->name));
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    int st = EL_OK;
    for (size_t k = 0; !st && k < EL_GRADE_POINTS; k++) {
        int ok = 0;
        for (int a = 0; !st && !ok && a < ATTEMPTS; a++) {
            grade_point p;
            st = grade_point_draw(ex, ex->dims[k % ex->ndims], r, &p);
            ok = !st && try_point(ps, &p);
        }
        if (!st && !ok)
            st = EL_ERROR(EL_EDOM, "%s: the reference of part %s is undefined on its domains",
                          ex->id, ps->part->name);
    }
    for (size_t f = 0; !st && f < ex->nfixed && ps->n < MAXPTS; f++) {
        grade_point p;
        st = grade_point_draw(ex, ex->dims[0], r, &p);
        for (size_t i = 0; !st && i < ex->nvars; i++)
            if (!isnan(ex->fixed[f].values[i]))
                p.val[i].v[0] = ex->fixed[f].values[i];
        if (!st && grade_point_derive(ex, &p) == EL_OK)
            try_point(ps, &p);
        else if (!st)
            grade_point_free(&p);
    }
    el_rng_free(r);
    return st;
}

/* Evaluates the student's expression E at every point. */
static void eval_student(pointset *ps, const void *e)
{
    ps->stu_msg[0] = '\0';
    for (size_t k = 0; k < ps->n; k++) {
        el_expr_error err;
        ps->stu_st[k] = eval_at(ps->ex, e, &ps->pt[k], NULL, &ps->stu[k], &err);
        if (ps->stu_st[k] && !ps->stu_msg[0])
            snprintf(ps->stu_msg, sizeof ps->stu_msg, "%s", err.msg);
    }
}

/* 1 if expression E (at the points transformed by XF, or swapped by SUBST)
 * equals the student's answer at every point. */
static int agrees(const pointset *ps, const void *e, const size_t *subst, const grade_point *xf)
{
    for (size_t k = 0; k < ps->n; k++) {
        if (ps->stu_st[k])
            return 0;
        el_value v = { 0, 0, NULL };
        el_expr_error err;
        int st = eval_at(ps->ex, e, xf ? &xf[k] : &ps->pt[k], subst, &v, &err);
        int ok = !st && all_finite(&v) &&
                 compare(&ps->stu[k], &v, ps->part->rel_tol, ps->part->abs_tol) == CMP_MATCH;
        el_value_free(&v);
        if (!ok)
            return 0;
    }
    return ps->n > 0;
}

/* ---- numeric signatures ------------------------------------------------------------- */

/* All student and reference entries flattened: at most CAP pairs. */
static size_t pairs(const pointset *ps, double *s, double *r, size_t cap)
{
    size_t m = 0;
    for (size_t k = 0; k < ps->n; k++) {
        if (ps->stu_st[k] || !same_shape(&ps->stu[k], &ps->ref[k]) || !all_finite(&ps->stu[k]))
            return 0;
        for (size_t i = 0; i < ps->ref[k].rows * ps->ref[k].cols && m < cap; i++) {
            s[m] = ps->stu[k].v[i];
            r[m] = ps->ref[k].v[i];
            m++;
        }
    }
    return m;
}

/* The constant C with s = C r everywhere, if there is one (else NAN). */
static double constant_factor(const double *s, const double *r, size_t m)
{
    double c = NAN;
    size_t used = 0;
    for (size_t i = 0; i < m; i++) {
        if (fabs(r[i]) < 1e-9) {
            if (fabs(s[i]) > 1e-9)
                return NAN;
            continue;
        }
        double ci = s[i] / r[i];
        if (used++ == 0)
            c = ci;
        else if (!el_close(ci, c, 1e-6, 1e-12))
            return NAN;
    }
    return used >= 3 ? c : NAN;
}

/* The constant C with s = r + C everywhere, if there is one (else NAN). */
static double constant_shift(const double *s, const double *r, size_t m)
{
    if (m < 3)
        return NAN;
    double c = s[0] - r[0];
    for (size_t i = 1; i < m; i++)
        if (fabs((s[i] - r[i]) - c) > 1e-6 * fmax(1.0, fmax(fabs(s[i]), fabs(r[i]))))
            return NAN;
    return c;
}

/* 1 if at every point the student's vector is a multiple of the reference's,
 * with a multiple that changes from point to point (a missing normaliser). */
static int unnormalised(const pointset *ps)
{
    double first = NAN;
    int varies = 0;
    for (size_t k = 0; k < ps->n; k++) {
        const el_value *s = &ps->stu[k], *r = &ps->ref[k];
        size_t n = r->rows * r->cols;
        if (ps->stu_st[k] || n < 2 || !same_shape(s, r))
            return 0;
        double c = constant_factor(s->v, r->v, n);
        if (n < 3) {
            c = fabs(r->v[0]) > 1e-9 ? s->v[0] / r->v[0] : NAN;
            if (!el_close(s->v[1], c * r->v[1], 1e-6, 1e-12))
                return 0;
        }
        if (!isfinite(c))
            return 0;
        if (k == 0)
            first = c;
        else if (!el_close(c, first, 1e-6, 1e-12))
            varies = 1;
    }
    return varies;
}

/* 1 if the reference is a scalar and the sum of the student's vector equals
 * it at every point (a vector at one point at least). */
static int missing_sum(const pointset *ps)
{
    int vector = 0;
    for (size_t k = 0; k < ps->n; k++) {
        const el_value *s = &ps->stu[k];
        if (ps->stu_st[k] || ps->ref[k].rows * ps->ref[k].cols != 1)
            return 0;
        double sum = 0.0;
        for (size_t i = 0; i < s->rows * s->cols; i++)
            sum += s->v[i];
        vector |= s->rows * s->cols > 1;
        if (!el_close(sum, ps->ref[k].v[0], 1e-6, 1e-9))
            return 0;
    }
    return vector;
}

/* ---- diagnoses -------------------------------------------------------------------------- */

/* Declared mistakes: the hint of the first one the student's answer matches. */
static const char *declared_mistake(const pointset *ps)
{
    for (size_t i = 0; i < ps->part->nmistakes; i++)
        if (agrees(ps, ps->part->mistakes[i].compiled, NULL, NULL))
            return ps->part->mistakes[i].hint;
    return NULL;
}

/* Declared swaps ("a b; c d" exchanges a with b and c with d at once). */
static int swapped(const pointset *ps, gbuf *fb)
{
    const el_grade_exercise *ex = ps->ex;
    const el_grade_part *p = ps->part;
    if (!p->nswaps || ex->nvars > 64)
        return 0;
    size_t subst[64];
    for (size_t i = 0; i < ex->nvars; i++)
        subst[i] = i;
    for (size_t i = 0; i < p->nswaps; i++) {
        char a[64], b[64];
        if (sscanf(p->swaps[i], "%63s %63s", a, b) != 2)
            return 0;
        long ia = grade_resolve(ex, a), ib = grade_resolve(ex, b);
        if (ia < 0 || ib < 0)
            return 0;
        subst[ia] = (size_t)ib;
        subst[ib] = (size_t)ia;
    }
    if (!agrees(ps, p->compiled, subst, NULL))
        return 0;
    gbuf_puts(fb, p->swap_hint ? p->swap_hint
                               : "Your answer is the expected one with its arguments exchanged.");
    return 1;
}

static int positive_var(const el_grade_variable *v)
{
    return v->shape != EL_GRADE_SHAPE_MATRIX &&
           (v->dom == EL_GRADE_DOM_LOGUNIFORM || (v->dom == EL_GRADE_DOM_UNIFORM && v->a > 0));
}

/* sigma where sigma^2 belongs (POWER 0.5) or the other way round (POWER 2). */
static int power_swap(const pointset *ps, gbuf *fb)
{
    const el_grade_exercise *ex = ps->ex;
    for (size_t i = 0; i < ex->nvars; i++) {
        if (!positive_var(&ex->vars[i]))
            continue;
        for (int q = 0; q < 2; q++) {
            grade_point xf[MAXPTS];
            size_t made = 0;
            int st = 0;
            for (; !st && made < ps->n; made++) {
                st = grade_point_copy(&ps->pt[made], &xf[made]);
                if (st)
                    break;
                el_value *v = &xf[made].val[i];
                for (size_t j = 0; j < v->rows * v->cols; j++)
                    v->v[j] = q == 0 ? sqrt(v->v[j]) : v->v[j] * v->v[j];
            }
            int hit = !st && agrees(ps, ps->part->compiled, NULL, xf);
            for (size_t k = 0; k < made; k++)
                grade_point_free(&xf[k]);
            if (hit) {
                const char *n = ex->vars[i].name;
                if (q == 0)
                    gbuf_printf(fb,
                                "Your answer has %s where %s^2 belongs (is %s the standard "
                                "deviation or the variance?).",
                                n, n, n);
                else
                    gbuf_printf(fb,
                                "Your answer has %s^2 where %s belongs (is %s the standard "
                                "deviation or the variance?).",
                                n, n, n);
                return 1;
            }
        }
    }
    return 0;
}

/* Sign, factor, additive constant, normalisation, sum. */
static int signature(const pointset *ps, gbuf *fb)
{
    double s[4096], r[4096];
    size_t m = pairs(ps, s, r, 4096);
    char num[64];
    if (m) {
        double c = constant_factor(s, r, m);
        if (isfinite(c) && el_close(c, -1.0, 1e-6, 0)) {
            gbuf_puts(fb, "The sign is wrong: your answer is minus the expected one.");
            return 1;
        }
        if (isfinite(c) && c != 0.0) {
            grade_fmt_number(num, sizeof num, c);
            gbuf_printf(fb, "Your answer is %s times the expected one: a constant factor is off.",
                        num);
            return 1;
        }
        c = constant_shift(s, r, m);
        if (isfinite(c)) {
            grade_fmt_number(num, sizeof num, c);
            gbuf_printf(fb,
                        "Your answer differs from the expected one by the constant %s: an "
                        "additive constant is missing or extra.",
                        num);
            return 1;
        }
    }
    if (unnormalised(ps)) {
        gbuf_puts(fb, "Your vector is proportional to the expected one but not normalised: "
                      "divide by the sum of its entries.");
        return 1;
    }
    if (missing_sum(ps)) {
        gbuf_puts(fb, "Your answer gives one term per dimension: sum them over the dimensions.");
        return 1;
    }
    return 0;
}

/* ---- the simplest failing point --------------------------------------------------------- */

static const double simple_values[] = {
    0, 1, -1, 2, 0.5, -2, 3, 1.5, -0.5, 0.25, 4, -3, 0.1, 5, 10
};
#define NSV (sizeof simple_values / sizeof simple_values[0])

/* Up to 4 simple numbers inside V's domain into OUT; their count. */
static size_t simple_for(const el_grade_variable *v, double *out)
{
    size_t k = 0;
    for (size_t i = 0; i < NSV && k < 4; i++) {
        double x = simple_values[i];
        int in = 0;
        switch (v->dom) {
        case EL_GRADE_DOM_UNIFORM:
        case EL_GRADE_DOM_LOGUNIFORM: in = x >= v->a && x <= v->b; break;
        case EL_GRADE_DOM_NORMAL: in = fabs(x - v->a) <= 3 * v->b; break;
        default: in = x > 0; break;
        }
        if (in)
            out[k++] = x;
    }
    if (k == 0)
        out[k++] = v->dom == EL_GRADE_DOM_NORMAL ? v->a : 0.5 * (v->a + v->b);
    return k;
}

/* A small index in [0, n): the smaller of two uniform draws. */
static unsigned char small_index(const gsl_rng *r, size_t n)
{
    size_t a = gsl_rng_uniform_int(r, n), b = gsl_rng_uniform_int(r, n);
    return (unsigned char)(a < b ? a : b);
}

#define MAXSLOTS 96

/* How many simple values variable V takes at dimension D (its slots), and
 * how many choices each slot has. */
static size_t slots_of(const el_grade_variable *v, size_t d, size_t *choices)
{
    double vals[4];
    switch (v->dom) {
    case EL_GRADE_DOM_DIM: *choices = 1; return 0;
    case EL_GRADE_DOM_SIMPLEX: *choices = 3; return d;
    case EL_GRADE_DOM_SPD: *choices = 2; return d * (d + 1) / 2;
    default:
        *choices = simple_for(v, vals);
        return v->shape == EL_GRADE_SHAPE_SCALAR   ? 1
               : v->shape == EL_GRADE_SHAPE_VECTOR ? d
                                                   : d * d;
    }
}

typedef struct {
    unsigned char idx[MAXSLOTS];
    size_t d, cost, order;
} candidate;

/* Draws the indices of one simple point at dimension D; 0 if too many slots. */
static int draw_candidate(const el_grade_exercise *ex, size_t d, const gsl_rng *r, candidate *c)
{
    size_t k = 0;
    c->d = d;
    c->cost = 2 * d;
    for (size_t i = 0; i < ex->nvars; i++) {
        size_t choices, n = ex->vars[i].compiled ? 0 : slots_of(&ex->vars[i], d, &choices);
        if (k + n > MAXSLOTS)
            return 0;
        for (size_t j = 0; j < n; j++) {
            c->idx[k] = small_index(r, choices);
            c->cost += c->idx[k++];
        }
    }
    return 1;
}

/* The simple point that candidate C describes, into P. */
static int simple_point(const el_grade_exercise *ex, const candidate *c, grade_point *p)
{
    size_t d = c->d, k = 0;
    int st = grade_point_alloc(ex, d, p);
    for (size_t i = 0; !st && i < ex->nvars; i++) {
        const el_grade_variable *v = &ex->vars[i];
        double vals[4], *x = p->val[i].v;
        size_t choices;
        if (v->compiled)
            continue;
        slots_of(v, d, &choices);
        simple_for(v, vals);
        if (v->dom == EL_GRADE_DOM_DIM) {
            x[0] = (double)d;
        } else if (v->dom == EL_GRADE_DOM_SIMPLEX) {
            double sum = 0.0;
            for (size_t j = 0; j < d; j++)
                sum += (x[j] = 1.0 + c->idx[k++]);
            for (size_t j = 0; j < d; j++)
                x[j] /= sum;
        } else if (v->dom == EL_GRADE_DOM_SPD) {
            /* L L^T with L lower triangular: diagonal 1 or 2, below it 0 or 1 */
            double L[16 * 16] = { 0 };
            for (size_t a = 0; a < d; a++)
                for (size_t b = 0; b <= a; b++, k++)
                    L[a * d + b] = (double)(a == b ? 1 + c->idx[k] : c->idx[k]);
            for (size_t a = 0; a < d; a++)
                for (size_t b = 0; b < d; b++) {
                    double s = 0.0;
                    for (size_t q = 0; q < d; q++)
                        s += L[a * d + q] * L[b * d + q];
                    x[a * d + b] = s;
                }
        } else {
            for (size_t j = 0; j < p->val[i].rows * p->val[i].cols; j++)
                x[j] = vals[c->idx[k++]];
        }
    }
    if (!st && (st = grade_point_derive(ex, p)))
        grade_point_free(p);
    return st;
}

static int cmp_candidate(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends "at POINT the expected value is R; your answer gives S." to FB. */
static void describe_failure(const pointset *ps, const grade_point *p, const el_value *r,
                             const el_value *s, int st, gbuf *fb)
{
    char *where = grade_point_describe(ps->ex, p);
    gbuf_printf(fb, " For example, at %s the expected value is ", where ? where : "a point");
    free(where);
    grade_value_describe(fb, r);
    if (st) {
        gbuf_puts(fb, " and your answer cannot be evaluated.");
    } else if (!same_shape(s, r)) {
        gbuf_puts(fb, " and your answer gives ");
        grade_value_describe(fb, s);
        gbuf_puts(fb, ".");
    } else {
        gbuf_puts(fb,
                  all_finite(s) ? "; your answer gives " : "; your answer is undefined there (");
        grade_value_describe(fb, s);
        gbuf_puts(fb, all_finite(s) ? "." : ").");
    }
}

/* Looks for the simplest point where the answer E fails, else the failing
 * random point with the smallest entries; describes it in FB. */
static void simplest_failure(const pointset *ps, const void *e, const char *student, gbuf *fb)
{
    const el_grade_exercise *ex = ps->ex;
    candidate *c = calloc(NSIMPLE, sizeof *c);
    gsl_rng *r = el_rng_alloc(el_seed_mix(grade_seed(ex, student), "simple"));
    size_t dmin = 16, dnext = 16, n = 0;
    for (size_t i = 0; i < ex->ndims; i++)
        if (ex->dims[i] < dmin)
            dmin = ex->dims[i];
    for (size_t i = 0; i < ex->ndims; i++)
        if (ex->dims[i] > dmin && ex->dims[i] < dnext)
            dnext = ex->dims[i];
    if (dnext == 16)
        dnext = dmin;
    for (size_t i = 0; c && r && i < NSIMPLE; i++) {
        c[n].order = i;
        n += draw_candidate(ex, (i % 3 == 2) ? dnext : dmin, r, &c[n]);
    }
    el_rng_free(r);
    if (c)
        qsort(c, n, sizeof *c, cmp_candidate);
    int found = 0;
    size_t fallback = n; /* a failure by shape alone where the reference is 0 */
    for (size_t pass = 0; pass < 2 && !found; pass++)
        for (size_t i = 0; i < n && !found; i++) {
            el_value rv = { 0, 0, NULL }, sv = { 0, 0, NULL };
            el_expr_error err;
            grade_point pt = { 0, NULL };
            if ((pass == 0 || i == fallback) && simple_point(ex, &c[i], &pt) == EL_OK &&
                !eval_at(ex, ps->part->compiled, &pt, NULL, &rv, &err) && all_finite(&rv)) {
                int st = eval_at(ex, e, &pt, NULL, &sv, &err);
                cmp_result cr =
                    st ? CMP_UNDEF : compare(&sv, &rv, ps->part->rel_tol, ps->part->abs_tol);
                int zero = 1;
                for (size_t j = 0; j < rv.rows * rv.cols; j++)
                    zero &= rv.v[j] == 0.0;
                if (cr == CMP_SHAPE && zero && pass == 0) {
                    if (fallback == n)
                        fallback = i;
                } else if (cr != CMP_MATCH) {
                    describe_failure(ps, &pt, &rv, &sv, st, fb);
                    found = 1;
                }
            }
            grade_point_free(&pt);
            el_value_free(&rv);
            el_value_free(&sv);
        }
    free(c);
    /* no simple point fails: the failing random point with the smallest entries */
    double best = INFINITY;
    size_t bk = 0;
    for (size_t k = 0; !found && k < ps->n; k++) {
        if (!ps->stu_st[k] &&
            compare(&ps->stu[k], &ps->ref[k], ps->part->rel_tol, ps->part->abs_tol) == CMP_MATCH)
            continue;
        double size = 0.0;
        for (size_t i = 0; i < ps->pt[k].nvars; i++)
            for (size_t j = 0; j < ps->pt[k].val[i].rows * ps->pt[k].val[i].cols; j++)
                size = fmax(size, fabs(ps->pt[k].val[i].v[j]));
        if (size < best) {
            best = size;
            bk = k;
        }
    }
    if (!found && isfinite(best))
        describe_failure(ps, &ps->pt[bk], &ps->ref[bk], &ps->stu[bk], ps->stu_st[bk], fb);
}

/* ---- reading the student's expression ------------------------------------------------- */

/* The first variable of E that EX does not know, or NULL. */
static const char *unknown_var(const el_grade_exercise *ex, const el_expr *e)
{
    for (size_t i = 0; i < el_expr_nvars(e); i++)
        if (grade_resolve(ex, el_expr_var(e, i)) < 0)
            return el_expr_var(e, i);
    return NULL;
}

/* Offsets of the '=' signs of S outside brackets (at most CAP). */
static size_t top_level_equals(const char *s, size_t *at, size_t cap)
{
    size_t n = 0;
    int depth = 0;
    for (size_t i = 0; s[i] && n < cap; i++) {
        char c = s[i];
        if (c == '(' || c == '[' || c == '{')
            depth++;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0)
            depth--;
        else if (c == '=' && depth == 0 && (i == 0 || !strchr("<>!:", s[i - 1])) && s[i + 1] != '=')
            at[n++] = i;
    }
    return n;
}

static void variable_list(const el_grade_exercise *ex, gbuf *b)
{
    for (size_t i = 0; i < ex->nvars; i++)
        gbuf_printf(b, "%s%s", i ? (i + 1 == ex->nvars ? " and " : ", ") : "", ex->vars[i].name);
}

/* Parses the answer TEXT (math delimiters stripped; "KL = ..." read from the
 * last '=' on); NULL with the reason in FB. */
/* 1 when S calls NAME with a library prefix (np.NAME, torch.NAME...). */
static int library_call(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(s, name); p; p = strstr(p + 1, name))
        if (p > s && p[-1] == '.' && !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z')))
            return 1;
    return 0;
}

/* The letter k when every unknown variable of E is V_k for a vector
 * variable V of EX -- one free index, as in lik_k prior_k / \sum_j lik_j
 * prior_j, the k-th entry of a vector -- and k is not a variable of EX;
 * else 0. */
static char free_index(const el_grade_exercise *ex, const el_expr *e)
{
    char k = 0, base[128];
    for (size_t i = 0; i < el_expr_nvars(e); i++) {
        const char *v = el_expr_var(e, i), *us = strrchr(v, '_');
        if (grade_resolve(ex, v) >= 0)
            continue;
        if (!us || us == v || us[2] || us[1] < 'a' || us[1] > 'z' || (k && us[1] != k) ||
            (size_t)(us - v) >= sizeof base)
            return 0;
        k = us[1];
        memcpy(base, v, (size_t)(us - v));
        base[us - v] = '\0';
        long vi = grade_resolve(ex, base);
        if (vi < 0 || ex->vars[vi].shape != EL_GRADE_SHAPE_VECTOR)
            return 0;
    }
    char name[2] = { k, '\0' };
    return k && grade_resolve(ex, name) < 0 ? k : 0;
}

/* S read again with its one free index (see free_index), or NULL. */
static el_expr *without_free_index(const el_grade_exercise *ex, const el_expr *e, const char *s)
{
    char k[2] = { free_index(ex, e), '\0' };
    el_expr_error err;
    el_expr *r = k[0] ? el_expr_parse_free(s, k, &err) : NULL;
    if (r && unknown_var(ex, r)) {
        el_expr_free(r);
        r = NULL;
    }
    return r;
}

/* The length of the text at T that spells FORM (spaces aside; '|' also as
 * \mid or \vert), or 0. */
static size_t match_form(const char *t, const char *f)
{
    size_t i = 0;
    for (; *f; f++) {
        if (*f == ' ')
            continue;
        while (i && t[i] == ' ')
            i++;
        size_t k = *f == '|' && !strncmp(t + i, "\\mid", 4)    ? 4
                   : *f == '|' && !strncmp(t + i, "\\vert", 5) ? 5
                                                               : 0;
        if (k && !isalpha((unsigned char)t[i + k]))
            i += k;
        else if (t[i] == *f)
            i++;
        else
            return 0;
    }
    return i;
}

/* S with every form a variable of EX is declared to be written as
 * (`written = p(x|z)` for lik) replaced by that variable, bracketed. */
static char *replace_written(const el_grade_exercise *ex, char *s)
{
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (size_t i = 0; s[i];) {
        size_t len = 0, v = 0;
        int word = i > 0 && (isalpha((unsigned char)s[i - 1]) || s[i - 1] == '\\');
        for (size_t k = 0; !word && !len && k < ex->nvars; k++)
            for (size_t j = 0; !len && j < ex->vars[k].nwritten; j++)
                if ((len = match_form(s + i, ex->vars[k].written[j])) != 0)
                    v = k;
        if (len) {
            gbuf_printf(&b, "(%s)", ex->vars[v].name);
            i += len;
        } else {
            gbuf_add(&b, s + i, 1);
            i++;
        }
    }
    free(s);
    return gbuf_take(&b);
}

static el_expr *read_answer(const el_grade_exercise *ex, const char *text, gbuf *fb)
{
    char *s = grade_strip_math(text);
    if (s)
        s = replace_written(ex, s);
    if (!s)
        return NULL;
    if (!*s) {
        gbuf_puts(fb, "The answer is empty.");
        free(s);
        return NULL;
    }
    el_expr_error err, first_err;
    el_expr *e = el_expr_parse(s, &first_err);
    const char *bad = e ? unknown_var(ex, e) : NULL;
    if (e && !bad) {
        free(s);
        return e;
    }
    size_t eq[8];
    size_t neq = top_level_equals(s, eq, 8);
    for (size_t i = neq; i-- > 0;) {
        el_expr *t = el_expr_parse(s + eq[i] + 1, &err);
        if (t && !unknown_var(ex, t)) {
            el_expr_free(e);
            free(s);
            return t;
        }
        el_expr_free(t);
    }
    el_expr *t = e ? without_free_index(ex, e, s) : NULL;
    if (t) { /* lik_k prior_k / \sum_j lik_j prior_j: the vector of those entries */
        el_expr_free(e);
        free(s);
        return t;
    }
    if (e) {
        gbuf_printf(fb, "Your answer uses '%s', which is not a variable of this exercise (use ",
                    bad);
        variable_list(ex, fb);
        gbuf_puts(fb, ").");
        if (glued_greek(s))
            gbuf_puts(fb, " A Greek letter written against letters or digits is one name (σ2 is "
                          "sigma2, σx is sigmax): for a product, leave a space or write σ·x.");
        if (library_call(s, bad))
            gbuf_printf(fb,
                        " Library prefixes are read away (np.log is log), but '%s' is not a "
                        "function of the answer language: use log, exp, sqrt, abs, sum, prod, "
                        "tr, det, inv, diag and ^ for powers.",
                        bad);
    } else {
        size_t pos = first_err.pos ? first_err.pos - 1 : 0;
        size_t len = strlen(s);
        if (pos > len)
            pos = len;
        gbuf_printf(fb, "Your answer cannot be read: %s (at character %zu", first_err.msg,
                    first_err.pos);
        if (pos < len) {
            char *near = grade_clean(s + pos, len - pos, 24, 0);
            gbuf_printf(fb, ", near '%s'", near ? near : "");
            free(near);
        }
        gbuf_puts(fb, ").");
    }
    el_expr_free(e);
    free(s);
    return NULL;
}

/* ---- grading one expression part ------------------------------------------------------- */

/* "a number", "a 3-vector", "a 2x2 matrix". */
static void shape_name(gbuf *b, const el_value *v)
{
    if (v->rows * v->cols == 1)
        gbuf_puts(b, "a number");
    else if (v->rows == 1 || v->cols == 1)
        gbuf_printf(b, "a %zu-vector", v->rows * v->cols);
    else
        gbuf_printf(b, "a %zux%zu matrix", v->rows, v->cols);
}

/* A sentence when the answer has the wrong shape somewhere; 1 if written. */
static int wrong_shape(const pointset *ps, gbuf *fb)
{
    for (size_t k = 0; k < ps->n; k++)
        if (!same_shape(&ps->stu[k], &ps->ref[k])) {
            gbuf_puts(fb, "Your answer is ");
            shape_name(fb, &ps->stu[k]);
            gbuf_puts(fb, " where ");
            shape_name(fb, &ps->ref[k]);
            gbuf_puts(fb, " is expected.");
            return 1;
        }
    return 0;
}

/* 1 if expression E equals the reference at every point. */
static int equals_reference(const pointset *ps, const void *e)
{
    for (size_t k = 0; k < ps->n; k++) {
        el_value v = { 0, 0, NULL };
        el_expr_error err;
        int ok = !eval_at(ps->ex, e, &ps->pt[k], NULL, &v, &err) &&
                 compare(&v, &ps->ref[k], ps->part->rel_tol, ps->part->abs_tol) == CMP_MATCH;
        el_value_free(&v);
        if (!ok)
            return 0;
    }
    return ps->n > 0;
}

/* "a / 2 b" is (a/2) b: if brackets around the denominator make the answer
 * right, say so.  1 if written. */
static int precedence(const pointset *ps, const char *text, gbuf *fb)
{
    char *s = grade_strip_math(text), *t = s ? grade_bracket_denominator(s) : NULL;
    el_expr_error err;
    el_expr *e = t ? el_expr_parse(t, &err) : NULL;
    int hit = e && equals_reference(ps, e);
    if (hit) {
        char *c = grade_clean(t, strlen(t), 120, 0);
        gbuf_printf(fb,
                    "Mind the precedence: a / 2 b means (a / 2) b, as a / 2 * b does. With "
                    "the denominator in brackets, %s, your answer would be right.",
                    c ? c : "");
        free(c);
    }
    el_expr_free(e);
    free(t);
    free(s);
    return hit;
}

/* Why the answer is wrong, appended to FB (after the evaluation at every point). */
static void diagnose(const pointset *ps, const void *e, const char *text, const char *student,
                     gbuf *fb)
{
    for (size_t k = 0; k < ps->n; k++)
        if (ps->stu_st[k]) {
            char *where = grade_point_describe(ps->ex, &ps->pt[k]);
            gbuf_printf(fb, "Your answer cannot be evaluated at %s: %s.", where ? where : "a point",
                        ps->stu_msg);
            free(where);
            return;
        }
    const char *hint = declared_mistake(ps);
    if (hint)
        gbuf_puts(fb, hint);
    else if (!precedence(ps, text, fb) && !swapped(ps, fb) && !power_swap(ps, fb) &&
             !signature(ps, fb) && !wrong_shape(ps, fb))
        gbuf_puts(fb, "Your answer is not equivalent to the expected one.");
    simplest_failure(ps, e, student, fb);
}

void grade_expression(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                      const char *student, el_grade_part_result *res)
{
    gbuf fb = { 0 };
    gbuf_add(&fb, "", 0);
    el_expr *e = read_answer(ex, text, &fb);
    res->score = 0.0;
    if (!e) {
        res->status = EL_GRADE_UNREADABLE;
        res->feedback = gbuf_take(&fb);
        return;
    }
    pointset *ps = calloc(1, sizeof *ps);
    if (!ps) {
        el_expr_free(e);
        free(gbuf_take(&fb));
        res->status = EL_GRADE_UNREADABLE;
        res->feedback = grade_strdup("The grader ran out of memory.");
        return;
    }
    ps->ex = ex;
    ps->part = part;
    if (build_points(ps, student)) {
        gbuf_printf(&fb, "This exercise cannot be graded: %s.", el_errmsg());
        res->status = EL_GRADE_UNREADABLE;
    } else {
        eval_student(ps, e);
        size_t good = 0;
        for (size_t k = 0; k < ps->n; k++)
            good += !ps->stu_st[k] &&
                    compare(&ps->stu[k], &ps->ref[k], part->rel_tol, part->abs_tol) == CMP_MATCH;
        if (good == ps->n) {
            res->score = part->points;
            res->status = EL_GRADE_CORRECT;
        } else {
            res->status = EL_GRADE_WRONG;
            diagnose(ps, e, text, student, &fb);
        }
    }
    pointset_free(ps);
    free(ps);
    el_expr_free(e);
    char *f = gbuf_take(&fb);
    if (f && !*f) {
        free(f);
        f = NULL;
    }
    res->feedback = f;
}
