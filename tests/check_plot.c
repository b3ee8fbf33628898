/* check_plot.c -- strings into gnuplot scripts: quoted so that no name can
 * end a command or start another. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "plot/el_plot.h"

/* el_plot_quote(S) as a malloc'd string. */
static char *quoted(const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    el_plot_quote(f, s);
    fclose(f);
    return buf;
}

START_TEST(quote_doubles_quotes_and_replaces_controls)
{
    char *q = quoted("x'\nsystem('touch F')\n#");
    ck_assert_str_eq(q, "'x''?system(''touch F'')?#'");
    free(q);
    q = quoted("a\tb\rc\x7f`d`");
    ck_assert_str_eq(q, "'a?b?c?`d`'");
    free(q);
    q = quoted("Gr\xc3\xbc\xc3\x9f");
    ck_assert_str_eq(q, "'Gr\xc3\xbc\xc3\x9f'"); /* UTF-8 is kept */
    free(q);
}
END_TEST

static int body(FILE *f, const el_plot_opts *o)
{
    (void)o;
    fputs("plot x\n", f);
    return EL_OK;
}

START_TEST(script_refuses_an_output_with_a_newline)
{
    el_figure fig = { "t", "test", "none", body };
    el_plot_opts o = { EL_PLOT_PNG, "a\nsystem('touch F')\n#.png", 1 };
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert_int_eq(el_plot_script(&fig, &o, f), EL_EDOM);
    fclose(f);
    ck_assert_ptr_null(strstr(buf, "system"));
    free(buf);
    o.output = "it's.png";
    buf = NULL;
    f = open_memstream(&buf, &n);
    ck_assert_int_eq(el_plot_script(&fig, &o, f), EL_OK);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, ": 'it''s.png')\n"));
    free(buf);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *c = tcase_create("Limits");
    tcase_add_test(c, quote_doubles_quotes_and_replaces_controls);
    tcase_add_test(c, script_refuses_an_output_with_a_newline);
    suite_add_tcase(s, c);
    return s;
}

EL_CHECK_MAIN(plot_suite)
