/* bench_grade_derive.c -- derivation exercises at class scale: 1000
 * submissions of the 15 `derive-*` exercises (half the reference chains,
 * half with a wrong last step the grader has to diagnose), graded like
 * `elbolab grade --batch --jobs 2`. The target: under 60 s on 2 cores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/el_core.h"
#include "grade/el_grade.h"
#include "vae/el_vae.h"

#define STUDENTS 1000
#define JOBS     2

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One student's file: every derivation exercise, right or with `= 0` added. */
static int write_submission(const char *path, const el_grade_exercise_set *set, int wrong)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (size_t i = 0; i < set->n; i++) {
        const el_grade_exercise *ex = set->ex[i];
        fprintf(f, "[%s]\nsteps = ", ex->id);
        for (const char *s = ex->parts[0].reference; *s; s++) /* rows indented */
            fputs(*s == '\n' ? "\n    " : (char[2]){ *s, 0 }, f);
        fputs(wrong ? "\n    = 0\n" : "\n", f);
    }
    return fclose(f);
}

int main(void)
{
    int st;
    el_vae_threads(1); /* as the elbolab program does outside training */
    el_grade_book *c = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    const el_grade_exercise_set *set = c ? el_grade_book_set(c, "derivations") : NULL;
    char dir[] = "/tmp/elbolab-bench-derive-XXXXXX";
    if (!set || !mkdtemp(dir)) {
        fprintf(stderr, "bench_grade_derive: %s\n", c ? "no set 'derivations'" : el_errmsg());
        return EXIT_FAILURE;
    }
    for (int i = 0; i < STUDENTS; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/s%04d.txt", dir, i);
        if (write_submission(path, set, i % 2))
            return EXIT_FAILURE;
    }
    el_grade_batch b;
    double t0 = now();
    if (el_grade_folder(c, set, dir, NULL, JOBS, &b) != EL_OK)
        return EXIT_FAILURE;
    double dt = now() - t0;
    double total = 0, max = 0;
    for (size_t i = 0; i < b.n; i++)
        total += b.rows[i].score, max += b.rows[i].max;
    printf("grade: %d submissions x %zu derivation exercises, %d threads: %.1f s "
           "(%.0f answers/s; goal < 60 s), mean score %.1f%%\n",
           STUDENTS, set->n, JOBS, dt, STUDENTS * (double)set->n / dt, 100 * total / max);
    el_grade_batch_free(&b);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_grade_derive: could not remove %s\n", dir);
    el_grade_book_free(c);
    return dt < 60 ? EXIT_SUCCESS : EXIT_FAILURE;
}
