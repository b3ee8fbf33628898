/* grade_book.c -- what the grade, exercise and gradescope commands share:
 * opening the exercise book and choosing a problem set, with one line on
 * stderr when that fails. */
#include "cli/grade_cli.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* Loads the exercise book from DIR (or the default); prints why not. */
el_grade_book *cli_load_book(const char *cmd, const char *dir)
{
    int st;
    el_grade_book *c = el_grade_book_load(el_grade_book_default_dir(dir), &st);
    if (!c)
        cli_fail_lib(cmd);
    return c;
}

const el_grade_exercise_set *cli_find_set(const char *cmd, const el_grade_book *c, const char *name)
{
    const el_grade_exercise_set *s = el_grade_book_set(c, name);
    if (!s) {
        char known[512] = "";
        for (size_t i = 0; i < el_grade_book_nsets(c); i++) {
            size_t k = strlen(known);
            snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "",
                     el_grade_book_set_at(c, i)->name);
        }
        cli_fail(cmd, "unknown problem set '%s' (known: %s)", name, known);
    }
    return s;
}
