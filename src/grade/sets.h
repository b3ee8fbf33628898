/* sets.h -- private to grade/: reading a problem set file (sets.c). */
#ifndef EL_GRADE_SETS_H
#define EL_GRADE_SETS_H

#include "grade/el_grade.h"
#include "grade/ini.h"

/* Reads the problem set F (the file PATH, for messages) into S, whose name
 * is set already, its exercises looked up among ALL (NALL of them, the
 * book's).  EL_EFORMAT with
 * "PATH:LINE: problem" when it is not valid; S is freed by grade_set_free
 * either way. */
int grade_set_read(el_grade_exercise *const *all, size_t nall, const char *path, const ini_file *f,
                   el_grade_exercise_set *s);
void grade_set_free(el_grade_exercise_set *s);

#endif
