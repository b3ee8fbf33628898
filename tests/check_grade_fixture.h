/* check_grade_fixture.h -- what the grader's test programs (check_grade.c,
 * check_prairielearn.c) share: the elbolab program to run, and a student's
 * right answers to their variant of incl-excl-fit. */
#ifndef CHECK_GRADE_FIXTURE_H
#define CHECK_GRADE_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/el_core.h"
#include "grade/el_grade.h"

/* The elbolab program: $ELBOLAB_BIN (meson test sets it), else the one this
 * test's build tree holds (../src/cli/elbolab from the test's folder). */
static inline void elbolab_program(char *bin, size_t n)
{
    const char *env = getenv("ELBOLAB_BIN");
    if (env && *env) {
        snprintf(bin, n, "%s", env);
        return;
    }
    char self[1024];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    self[k > 0 ? k : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(bin, n, "%s/../src/cli/elbolab", self);
}

/* The answers (malloc'd) of STUDENT's variant of incl-excl-fit in BOOK,
 * with LINE on top. */
static inline char *variant_answers(const el_grade_book *book, const char *line,
                                    const char *student)
{
    const el_grade_exercise *ex = el_grade_book_find(book, "incl-excl-fit");
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    fprintf(f, "%s\n[incl-excl-fit]\n", line);
    for (size_t i = 0; i < ex->nparts; i++) {
        double v;
        ck_assert_int_eq(el_grade_exercise_number(ex, &ex->parts[i], student, &v), EL_OK);
        fprintf(f, "%s = %.6f\n", ex->parts[i].name, v);
    }
    fclose(f);
    return buf;
}

#endif
