/* check_main.h -- the main() every suite shares: run, report, fail on failure. */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* Meson's exit status for a skipped test (a Check test case cannot skip). */
#define EL_CHECK_SKIPPED 77

/* Runs S (and frees it): EXIT_FAILURE if any test failed. */
static inline int el_check_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define EL_CHECK_MAIN(suite_fn)                                                                    \
    int main(void)                                                                                 \
    {                                                                                              \
        return el_check_run_suite(suite_fn());                                                     \
    }

#endif
