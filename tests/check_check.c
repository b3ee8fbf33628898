/* check_check.c -- the registry as a whole: every registered check passes
 * with its claim (twice, with the same result), every negative control is rejected by the same
 * comparison (and, where Monte Carlo is involved, lies >= 20 standard errors
 * away), and runs are reproducible. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "check/el_check.h"
#include "core/el_core.h"
#include "topics/el_topics.h"

static const el_check_opts opts = { 20241, 0 };

START_TEST(claim_passes)
{
    const el_check *c = el_topics_check_at((size_t)_i);
    el_check_result r;
    int s = el_check_run(c, &opts, 0, &r);
    ck_assert_msg(s == EL_OK, "%s: %s", c->id, el_errmsg());
    ck_assert_msg(r.pass, "%s fails: closed %.17g, detail %s", c->id, r.closed, r.detail);
    el_check_result again;
    el_check_run(c, &opts, 0, &again);
    ck_assert_msg(memcmp(&r, &again, sizeof r) == 0, "%s is not reproducible", c->id);
}
END_TEST

START_TEST(mistakes_rejected)
{
    const el_check *c = el_topics_check_at((size_t)_i);
    for (int v = 1; v <= el_check_nmistakes(c); v++) {
        el_check_result r;
        int s = el_check_run(c, &opts, v, &r);
        ck_assert_msg(s == EL_OK, "%s!%d: %s", c->id, v, el_errmsg());
        ck_assert_msg(!r.pass, "%s: negative control '%s' was accepted", c->id, c->mistakes[v - 1]);
        if (r.has_mc)
            ck_assert_msg(r.mc_zmax >= 20.0, "%s: negative control '%s' is only %.1f se away",
                          c->id, c->mistakes[v - 1], r.mc_zmax);
    }
}
END_TEST

/* --samples never lowers a check below its own default (its power). */
START_TEST(samples_floor_at_default)
{
    el_check_opts few = { 1, 100 }, many = { 1, 1000000 }, unset = { 1, 0 };
    ck_assert_uint_eq(el_check_samples(&few, 40000), 40000);
    ck_assert_uint_eq(el_check_samples(&many, 40000), 1000000);
    ck_assert_uint_eq(el_check_samples(&unset, 40000), 40000);
}
END_TEST

START_TEST(every_check_has_a_negative_control)
{
    const el_check *c = el_topics_check_at((size_t)_i);
    ck_assert_msg(el_check_nmistakes(c) >= 1, "%s has no negative control", c->id);
}
END_TEST

START_TEST(registry_lookup)
{
    ck_assert_ptr_null(el_topics_check_find("kl.nope"));
    const el_check *c = el_topics_check_find("kl.gauss_1d");
    ck_assert_ptr_nonnull(c);
    ck_assert(el_check_matches(c, "kl"));
    ck_assert(el_check_matches(c, "kl."));
    ck_assert(el_check_matches(c, "kl.gauss_1d"));
    ck_assert(!el_check_matches(c, "k"));
    ck_assert(!el_check_matches(c, "kl.gauss"));
    ck_assert(!el_check_matches(c, ""));
    el_check_result r;
    ck_assert_int_eq(el_check_run(c, &opts, 99, &r), EL_EUSAGE);
    /* ids are unique */
    for (size_t i = 0; i < el_topics_check_count(); i++)
        ck_assert_ptr_eq(el_topics_check_find(el_topics_check_at(i)->id), el_topics_check_at(i));
}
END_TEST

static Suite *check_suite(void)
{
    Suite *s = suite_create("check");
    int n = (int)el_topics_check_count();
    TCase *core = tcase_create("Core");
    tcase_set_timeout(core, 600);
    tcase_add_loop_test(core, claim_passes, 0, n);
    tcase_add_loop_test(core, mistakes_rejected, 0, n);
    tcase_add_loop_test(core, every_check_has_a_negative_control, 0, n);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, registry_lookup);
    tcase_add_test(lim, samples_floor_at_default);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(check_suite)
