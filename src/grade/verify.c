/* verify.c -- an exercise checked before it ships (`elbolab exercise
 * check`): its key graded scores full marks, its declared mistakes and
 * wrong options are rejected, a derivation's chain and mistakes hold, and
 * an expression key equals the closed form of the result it names in
 * `checked_by` where this module knows one (src/results/kl). */
#include "grade/util.h"
#include "grade/parts.h"
#include "grade/point.h"
#include "grade/exercise.h"
#include "core/el_core.h"
#include "num/el_num.h"
#include "results/kl/el_kl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_POINTS 24

static int fail(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the key as an answer ------------------------------------------------------------ */

/* The key of part P written as a student would (malloc'd), or NULL when the
 * part has none of its own (text, derivation). */
static char *key_text(const el_grade_exercise *ex, const el_grade_part *p)
{
    gbuf b = { 0 };
    switch (p->kind) {
    case EL_GRADE_PART_EXPRESSION:
    case EL_GRADE_PART_TRUEFALSE: return grade_strdup(p->reference);
    case EL_GRADE_PART_NUMBER:
        if (p->reference)
            return grade_strdup(p->reference);
        double x;
        if (el_grade_exercise_number(ex, p, NULL, &x))
            return NULL;
        gbuf_printf(&b, "%.17g", x);
        return gbuf_take(&b);
    case EL_GRADE_PART_CHOICE:
    case EL_GRADE_PART_SELECT:
        for (size_t i = 0, k = 0; i < p->noptions; i++)
            if (p->options[i].correct)
                gbuf_printf(&b, "%s%zu", k++ ? ", " : "", i + 1);
        return gbuf_take(&b);
    default: return NULL; /* derivations (their own chain), text, kinds added later */
    }
}

/* Grades TEXT as part P's answer: 1 when it earns full marks. */
static int full_marks(const el_grade_exercise *ex, const el_grade_part *p, const char *text,
                      char **feedback)
{
    el_grade_part_result r;
    grade_part_answer(ex, p, text, NULL, &r);
    int full = r.max > 0 && r.score >= r.max - 1e-12;
    if (feedback)
        *feedback = r.feedback ? grade_strdup(r.feedback) : NULL;
    grade_part_result_free(&r);
    return full;
}

static int verify_part(const el_grade_exercise *ex, const el_grade_part *p, char *why, size_t cap)
{
    char *key = key_text(ex, p), *fb = NULL;
    if (!key)
        return 0;
    int ok = full_marks(ex, p, key, &fb);
    if (!ok)
        fail(why, cap, "part %s: its own key '%.80s' does not score full marks (%.200s)", p->name,
             key, fb ? fb : "no feedback");
    free(key);
    free(fb);
    if (!ok)
        return -1;
    for (size_t i = 0; i < p->nmistakes; i++)
        if (full_marks(ex, p, p->mistakes[i].answer, NULL))
            return fail(why, cap,
                        "part %s: mistake '%s' (%.80s) is accepted as right: it is the key, "
                        "not a mistake",
                        p->name, p->mistakes[i].id, p->mistakes[i].answer);
    for (size_t i = 0; p->kind == EL_GRADE_PART_CHOICE && i < p->noptions; i++) {
        char num[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        if (!p->options[i].correct && full_marks(ex, p, num, NULL))
            return fail(why, cap, "part %s: the wrong option '%s' is accepted", p->name,
                        p->options[i].id);
    }
    return 0;
}

/* ---- the closed forms this module knows -------------------------------------------- */

typedef struct {
    const char *check;
    const char *vars[4]; /* canonical names, in the order the closed form takes them */
    size_t nvars;
    int vector; /* 1: vectors mu, sigma against N(0, I) */
} closed_form;

static const closed_form forms[] = {
    { "kl.gauss_equal_var", { "mu_q", "mu_p", "sigma" }, 3, 0 },
    { "kl.gauss_1d", { "mu1", "sigma1", "mu2", "sigma2" }, 4, 0 },
    { "kl.gauss_std", { "mu", "sigma" }, 2, 0 },
    { "kl.additive", { "mu", "sigma" }, 2, 1 },
};

static int closed_value(const closed_form *f, const el_value *v[4], double *out)
{
    if (f->vector) {
        size_t d = v[0]->rows * v[0]->cols;
        if (v[1]->rows * v[1]->cols != d || d > 64)
            return EL_EDOM;
        double zero[64] = { 0 }, one[64];
        for (size_t i = 0; i < d; i++)
            one[i] = 1.0;
        return el_kl_diag(d, v[0]->v, v[1]->v, zero, one, out);
    }
    double x[4] = { 0 };
    for (size_t i = 0; i < f->nvars; i++) {
        if (v[i]->rows * v[i]->cols != 1)
            return EL_EDOM;
        x[i] = v[i]->v[0];
    }
    if (!strcmp(f->check, "kl.gauss_equal_var"))
        return el_kl_equal_var(x[0], x[1], x[2], out);
    if (!strcmp(f->check, "kl.gauss_1d"))
        return el_kl_normal(x[0], x[1], x[2], x[3], out);
    return el_kl_normal_std(x[0], x[1], out);
}

/* Compares part P's key with closed form F at random points of EX: 0 when
 * it agrees at every one, -1 (WHY) when it differs, cannot be evaluated,
 * or the closed form cannot (nothing compared is never a pass). */
static int compare_closed(const el_grade_exercise *ex, const el_grade_part *p, const closed_form *f,
                          char *why, size_t cap)
{
    long idx[4];
    for (size_t i = 0; i < f->nvars; i++)
        if ((idx[i] = grade_resolve(ex, f->vars[i])) < 0)
            return fail(why, cap, "%s: the closed form of %s needs a variable %s", ex->id, f->check,
                        f->vars[i]);
    gsl_rng *r = el_rng_alloc(el_seed_mix(EL_GRADE_SEED, ex->id));
    int bad = r ? 0 : fail(why, cap, "%s: out of memory", ex->id);
    for (int k = 0; r && !bad && k < VERIFY_POINTS; k++) {
        grade_point pt;
        if (grade_point_draw(ex, ex->dims[k % ex->ndims], r, &pt) || grade_point_derive(ex, &pt)) {
            bad = fail(why, cap, "%s: cannot draw a point", ex->id);
            break;
        }
        const el_value *v[4] = { NULL };
        for (size_t i = 0; i < f->nvars; i++)
            v[i] = &pt.val[idx[i]];
        grade_lookup_ctx lc = { ex, &pt, NULL };
        el_value got;
        el_expr_error err;
        double want;
        int st = closed_value(f, v, &want);
        if (!st && el_expr_eval(p->compiled, grade_lookup, &lc, &got, &err) == EL_OK) {
            double x = got.rows * got.cols == 1 ? got.v[0] : NAN;
            if (!el_close(x, want, 1e-9, 1e-12)) {
                char *at = grade_point_describe(ex, &pt);
                bad = fail(why, cap,
                           "%s: the key is not %s's closed form: at %s it gives %.10g, the "
                           "closed form %.10g",
                           ex->id, f->check, at ? at : "a random point", x, want);
                free(at);
            }
            el_value_free(&got);
        } else if (!st) {
            bad = fail(why, cap, "%s: the key cannot be evaluated: %s", ex->id, err.msg);
        } else { /* nothing compared: never counted as verified */
            bad = fail(why, cap,
                       "%s: %s's closed form cannot be evaluated at the exercise's points "
                       "(a variable of the wrong shape or outside its domain?)",
                       ex->id, f->check);
        }
        grade_point_free(&pt);
    }
    el_rng_free(r);
    return bad;
}

/* The closed-form comparison for EX where its checked_by has one. */
static int verify_closed(const el_grade_exercise *ex, int *verified, char *why, size_t cap)
{
    if (!ex->checked_by || ex->context)
        return 0;
    if (!strcmp(ex->checked_by, "kl.self_zero")) { /* KL(q||q) = 0 */
        for (size_t i = 0; i < ex->nparts; i++)
            if (ex->parts[i].kind == EL_GRADE_PART_NUMBER) {
                double x;
                if (el_grade_exercise_number(ex, &ex->parts[i], NULL, &x) || x != 0.0)
                    return fail(why, cap, "%s: KL(q||q) is 0, the key says %g", ex->id, x);
                *verified = 1;
            }
        return 0;
    }
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (strcmp(ex->checked_by, forms[f].check) != 0)
            continue;
        for (size_t i = 0; i < ex->nparts; i++) {
            if (ex->parts[i].kind != EL_GRADE_PART_EXPRESSION || !ex->parts[i].compiled)
                continue;
            if (compare_closed(ex, &ex->parts[i], &forms[f], why, cap))
                return -1;
            *verified = 1;
        }
    }
    return 0;
}

int el_grade_exercise_verify(const el_grade_exercise *ex, int *verified, char *why, size_t cap)
{
    int closed = 0;
    if (verified)
        *verified = 0;
    if (el_grade_derivation_verify(ex, why, cap))
        return -1;
    for (size_t i = 0; i < ex->nparts; i++)
        if (verify_part(ex, &ex->parts[i], why, cap))
            return -1;
    if (verify_closed(ex, &closed, why, cap))
        return -1;
    if (verified)
        *verified = closed;
    return 0;
}
