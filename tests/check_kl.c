/* check_kl.c -- closed-form KL divergences against independent routes. */
#include <check.h>
#include <math.h>

#include "check_main.h"
#include "core/el_core.h"
#include "results/el_kl.h"

START_TEST(normal_matches_textbook_formula)
{
    double k;
    ck_assert_int_eq(el_kl_normal(0.0, 1.0, 1.0, 2.0, &k), EL_OK);
    ck_assert(el_close(k, log(2.0) + 2.0 / 8.0 - 0.5, 1e-15, 0));
}
END_TEST

START_TEST(normal_invalid)
{
    double k;
    ck_assert_int_eq(el_kl_normal(0.0, -1.0, 1.0, 2.0, &k), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "sigma1 must be > 0, got -1");
}
END_TEST

static Suite *kl_suite(void)
{
    Suite *s = suite_create("kl");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, normal_matches_textbook_formula);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, normal_invalid);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(kl_suite)
