/* exercise.h -- private to grade/: reading an exercise file (exercise.c)
 * and what depends on the student (variant.c). */
#ifndef EL_GRADE_EXERCISE_H
#define EL_GRADE_EXERCISE_H

#include <stddef.h>

#include "grade/el_grade.h"

/* ---- exercises ------------------------------------------------------------------ */

/* Reads one exercise file (TEXT, LEN bytes, named PATH in messages): NULL
 * with *STATUS set and el_errmsg() = "PATH:LINE: problem" when it is not
 * valid.  Free with grade_exercise_free. */
el_grade_exercise *grade_exercise_parse(const char *text, size_t len, const char *path,
                                        int *status);
void grade_exercise_free(el_grade_exercise *ex);

/* ---- student variants (variant.c) ------------------------------------------- */

/* The value of a constant expression COMPILED in the parameters V of EX. */
int grade_param_eval(const el_grade_exercise *ex, const void *compiled, const double *v,
                     double *out);

/* The student's seed stream for exercise EX. */
unsigned long grade_seed(const el_grade_exercise *ex, const char *student);

#endif
