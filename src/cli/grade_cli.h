/* grade_cli.h -- what the grade, exercise and gradescope commands share
 * (grade_book.c).  Private to the CLI. */
#ifndef EL_GRADE_CLI_H
#define EL_GRADE_CLI_H

#include "grade/el_grade.h"

#define CLI_DEFAULT_SET "all"

/* The exercise book in DIR (NULL: the default, see el_grade_book_default_dir),
 * or NULL after printing "elbolab CMD: why". */
el_grade_book *cli_load_book(const char *cmd, const char *dir);

/* The problem set NAME of BOOK, or NULL after printing the known names. */
const el_grade_exercise_set *cli_find_set(const char *cmd, const el_grade_book *book,
                                          const char *name);

#endif
