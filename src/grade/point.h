/* point.h -- private to grade/: random points at which expressions are
 * compared, and the variable look-up of the expression evaluator (point.c). */
#ifndef EL_GRADE_POINT_H
#define EL_GRADE_POINT_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "expr/el_expr.h"
#include "grade/el_grade.h"
#include "grade/util.h"

/* ---- random points ------------------------------------------------------------ */

typedef struct {
    size_t nvars;
    el_value *val; /* one value per variable of the exercise */
} grade_point;

/* Draws every variable of EX at dimension D into P (allocated here). */
int grade_point_draw(const el_grade_exercise *ex, size_t d, const gsl_rng *r, grade_point *p);
void grade_point_free(grade_point *p);

/* A short "mu_q = 1, sigma = 0.5" description of P (malloc'd). */
char *grade_point_describe(const el_grade_exercise *ex, const grade_point *p);

/* Computes the derived variables of EX (`define = ...`) at P. */
int grade_point_derive(const el_grade_exercise *ex, grade_point *p);

/* Allocates P with zeroed values of the shapes of EX's variables at dimension D. */
int grade_point_alloc(const el_grade_exercise *ex, size_t d, grade_point *p);
/* A deep copy of SRC. */
int grade_point_copy(const grade_point *src, grade_point *dst);
/* Appends "0.5", "[1, 2]" or "[[1, 0], [0, 1]]" to B. */
void grade_value_describe(gbuf *b, const el_value *v);

/* The lookup context: the exercise (for names and aliases) and the point;
 * SUBST, when not NULL, maps variable i to variable SUBST[i] (swaps). */
typedef struct {
    const el_grade_exercise *ex;
    const grade_point *p;
    const size_t *subst;
} grade_lookup_ctx;

int grade_lookup(void *ctx, const char *name, const el_value **out);

/* The index of the exercise variable called NAME (canonical, alias, or the
 * same letters without '_'), or -1. */
long grade_resolve(const el_grade_exercise *ex, const char *name);

#endif
