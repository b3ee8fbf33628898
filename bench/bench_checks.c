/* bench_checks.c -- the cost of each derivation check and of a whole
 * `elbolab check` run (wall-clock, best of REPS), so regressions show. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check/el_check.h"
#include "topics/el_topics.h"

#define REPS 3

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void)
{
    el_check_opts o = { 20241, 0 };
    double total = 0.0;
    printf("%-26s %12s\n", "check", "best ms");
    for (size_t i = 0; i < el_topics_check_count(); i++) {
        const el_check *c = el_topics_check_at(i);
        double best = 1e300;
        for (int k = 0; k < REPS; k++) {
            el_check_result r;
            double t0 = now();
            el_check_run(c, &o, 0, &r);
            double dt = now() - t0;
            best = dt < best ? dt : best;
        }
        total += best;
        printf("%-26s %12.3f\n", c->id, 1e3 * best);
    }
    printf("%-26s %12.3f\n", "all checks", 1e3 * total);
    return EXIT_SUCCESS;
}
