/* check_eval.c -- key=value parameters and the evaluators. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "eval/el_eval.h"
#include "topics/el_topics.h"

START_TEST(parse_shapes)
{
    char *argv[] = { "a=1.5", "v=[0, 1,2.5]", "S=[[2,0.3],[0.3,1]]", "data=x.txt" };
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, 4, argv), EL_OK);
    double a;
    size_t n;
    const double *v;
    ck_assert_int_eq(el_params_scalar(&p, "a", &a), EL_OK);
    ck_assert(a == 1.5);
    ck_assert_int_eq(el_params_vector(&p, "v", &n, &v), EL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(v[2] == 2.5);
    ck_assert_int_eq(el_params_square(&p, "S", &n, &v), EL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(v[1] == 0.3 && v[3] == 1.0);
    const char *t;
    ck_assert_int_eq(el_params_text(&p, "data", &t), EL_OK);
    ck_assert_str_eq(t, "x.txt");
    ck_assert_int_eq(el_params_scalar(&p, "v", &a), EL_EDOM);
    ck_assert_int_eq(el_params_scalar(&p, "zz", &a), EL_EDOM);
    ck_assert_str_eq(el_errmsg(), "missing parameter zz");
    el_params_free(&p);
}
END_TEST

START_TEST(parse_errors)
{
    char *bad[] = { "noequals", "=3", "v=[1,2", "v=[1,,2]", "S=[[1,2],[3]]", "v=[1]x" };
    for (int i = 0; i < 6; i++) {
        el_params p = { 0 };
        ck_assert_msg(el_params_parse(&p, 1, &bad[i]) != EL_OK, "accepted %s", bad[i]);
        el_params_free(&p);
    }
    char *twice[] = { "a=1", "a=2" };
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, 2, twice), EL_EFORMAT);
    el_params_free(&p);
}
END_TEST

START_TEST(eval_unknown_and_missing)
{
    ck_assert_ptr_null(el_topics_eval_find("kl.nope"));
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "kl.normal"));
    const el_eval *e = el_topics_eval_find("kl.normal");
    char *argv[] = { "mu1=0", "sigma1=1", "mu2=1" };
    el_params p = { 0 };
    el_params_parse(&p, 3, argv);
    el_eval_opts o = { 1, 1000 };
    el_eval_result r;
    ck_assert_int_eq(el_eval_run(e, &p, &o, &r), EL_EDOM);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "sigma2"));
    el_eval_result_free(&r);
    el_params_free(&p);
}
END_TEST

START_TEST(parse_expressions)
{
    char *argv[] = {
        "w=[1/3, 2/3]", "sigma=sqrt(2)", "mu=-1e3", "f=\\frac{1}{4}", "S=[[exp(0),1/2],[1/2,2^2]]",
        "data=3abc",    "y=sqrt(z)"
    };
    el_params p = { 0 };
    ck_assert_int_eq(el_params_parse(&p, 7, argv), EL_OK);
    double x;
    size_t n;
    const double *v;
    ck_assert_int_eq(el_params_vector(&p, "w", &n, &v), EL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(v[0] == 1.0 / 3.0 && v[1] == 2.0 / 3.0);
    ck_assert_int_eq(el_params_scalar(&p, "sigma", &x), EL_OK);
    ck_assert(x == sqrt(2.0));
    ck_assert_int_eq(el_params_scalar(&p, "mu", &x), EL_OK);
    ck_assert(x == -1000.0);
    ck_assert_int_eq(el_params_scalar(&p, "f", &x), EL_OK);
    ck_assert(x == 0.25);
    ck_assert_int_eq(el_params_square(&p, "S", &n, &v), EL_OK);
    ck_assert(n == 2 && v[0] == 1.0 && v[1] == 0.5 && v[3] == 4.0);
    const char *t;
    ck_assert_int_eq(el_params_text(&p, "data", &t), EL_OK); /* a file name stays text */
    ck_assert_int_eq(el_params_scalar(&p, "data", &x), EL_EDOM);
    ck_assert_int_eq(el_params_scalar(&p, "y", &x), EL_EDOM); /* a variable has no value */
    el_params_free(&p);
    char *bad[] = { "v=[1, sqrt(y)]", "v=[1, (2]", "v=[1, [2]]" };
    for (int i = 0; i < 3; i++) {
        el_params q = { 0 };
        ck_assert_msg(el_params_parse(&q, 1, &bad[i]) == EL_EFORMAT, "accepted %s", bad[i]);
        el_params_free(&q);
    }
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, parse_shapes);
    tcase_add_test(core, parse_expressions);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_test(lim, parse_errors);
    tcase_add_test(lim, eval_unknown_and_missing);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(eval_suite)
