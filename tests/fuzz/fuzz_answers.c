/* fuzz_answers.c -- libFuzzer target for the answer-file reader and the
 * grader behind it: arbitrary bytes are read as an answer file (INI, or
 * LaTeX when the first byte is odd), graded against every exercise, and
 * rendered as text, JSON and Gradescope results.  Aborts (a finding) on a
 * broken contract: a failure other than running out of memory, a score
 * outside [0, max], a report that is not valid JSON, or a second grading
 * that differs from the first.  Crashes, hangs and sanitizer reports are
 * findings by themselves.  Built and run by tests/fuzz/run_answers.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "grade/el_grade.h"

static el_grade_book *cat;
static const el_grade_exercise_set *all;

static char *report_json(const el_grade_answers *a)
{
    el_grade_report r;
    if (el_grade_score(cat, all, a, "fuzz", "fuzz.txt", &r) != EL_OK)
        abort();
    if (!(r.score >= 0 && r.score <= r.max) || r.n != all->n)
        abort();
    for (size_t i = 0; i < r.n; i++)
        if (!(r.ex[i].score >= 0 && r.ex[i].score <= r.ex[i].max))
            abort();
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        el_grade_write_text(&r, null, 1);
        fclose(null);
    }
    json_t *g = el_grade_gradescope(&r, 0.0);
    char *gs = el_grade_dump_json(g);
    if (!gs)
        abort();
    free(gs);
    json_decref(g);
    json_t *j = el_grade_json(&r);
    char *s = el_grade_dump_json(j);
    json_decref(j);
    el_grade_report_free(&r);
    json_error_t err;
    json_t *back = s ? json_loads(s, 0, &err) : NULL;
    if (!back)
        abort();
    json_decref(back);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cat) {
        int st;
        cat = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
        all = cat ? el_grade_book_set(cat, "all") : NULL;
        if (!all)
            abort();
    }
    const char *hint = size && (data[0] & 1) ? "fuzz.tex" : "fuzz.txt";
    el_grade_answers a;
    if (el_grade_answers_parse((const char *)data, size, hint, &a) != EL_OK)
        abort();
    char *first = report_json(&a), *second = report_json(&a);
    if (strcmp(first, second) != 0)
        abort();
    free(first);
    free(second);
    el_grade_answers_free(&a);
    return 0;
}
