/* check_code_torch.c -- code answers written with PyTorch: the right one
 * scores full marks, torch.normal(mu, std) loses the gradients part.  Its own
 * program: skipped (exit 77) without a usable bubblewrap or without PyTorch
 * (optional: python3-torch), never passed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/el_core.h"
#include "grade/el_grade.h"
#include "sandbox/el_sandbox.h"

static el_grade_book *book;
static const el_grade_exercise *code_ex;

static void load(void)
{
    int st;
    book = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    ck_assert_msg(book != NULL, "%s", el_errmsg());
    code_ex = el_grade_book_find(book, "reparam-sample-code");
    ck_assert(code_ex != NULL);
}

static void unload(void)
{
    el_grade_book_free(book);
}

static void grade(const char *name, el_grade_report *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CODE_DATA, name);
    el_grade_exercise_set one = { .name = "one", .title = "one", .n = 1, .ex = &code_ex };
    ck_assert_msg(el_grade_file(book, &one, path, NULL, r) == EL_OK, "%s", el_errmsg());
    ck_assert_uint_eq(r->n, 1);
}

START_TEST(right_torch_full_marks)
{
    el_grade_report r;
    grade("right_torch.py", &r);
    ck_assert_msg(r.score == 6.0, "scored %g: %s", r.score,
                  r.ex[0].parts[0].feedback ? r.ex[0].parts[0].feedback : "");
    el_grade_report_free(&r);
}
END_TEST

START_TEST(torch_normal_blocks_gradients)
{
    el_grade_report r;
    grade("torch_normal.py", &r);
    const el_grade_part_result *g = &r.ex[0].parts[3];
    ck_assert_str_eq(g->name, "gradients");
    ck_assert(g->score == 0.0 && r.score == 3.0); /* runs and distribution only */
    ck_assert(g->feedback && strstr(g->feedback, "torch.normal(mu, std)"));
    const el_grade_part_result *rp = &r.ex[0].parts[2]; /* not the trick: z is drawn directly */
    ck_assert_str_eq(rp->name, "reparameterisation");
    ck_assert(rp->score == 0.0 && rp->feedback && strstr(rp->feedback, "not a differentiable"));
    el_grade_report_free(&r);
}
END_TEST

static Suite *torch_suite(void)
{
    Suite *s = suite_create("code_torch");
    TCase *core = tcase_create("Core");
    tcase_add_unchecked_fixture(core, load, unload);
    tcase_set_timeout(core, 120);
    tcase_add_test(core, right_torch_full_marks);
    tcase_add_test(core, torch_normal_blocks_gradients);
    suite_add_tcase(s, core);
    return s;
}

int main(void)
{
    if (el_sandbox_probe() != EL_OK) {
        printf("SKIP: %s\n", el_errmsg());
        return EL_CHECK_SKIPPED;
    }
    if (system("/usr/bin/python3 -c 'import torch' 2>/dev/null") != 0) {
        puts("SKIP: PyTorch is not installed (optional: apt-get install python3-torch)");
        return EL_CHECK_SKIPPED;
    }
    return el_check_run_suite(torch_suite());
}
