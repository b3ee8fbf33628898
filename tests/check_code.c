/* check_code.c -- code answers (exercise reparam-sample-code): held-out
 * submissions in tests/data/code graded through the sandbox, right ones and
 * typical mistakes, and hostile programs (endless loop, writes outside its
 * folder, socket, fork bomb, 10 GB) that must score 0 and leave nothing
 * behind.  Its own program: without a usable bubblewrap (or NumPy) it is
 * skipped (exit 77), never passed.  PyTorch submissions: check_code_torch.c;
 * the sandbox alone: check_sandbox.c. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "core/el_core.h"
#include "grade/el_grade.h"
#include "sandbox/el_sandbox.h"

#define EXERCISE "reparam-sample-code"

static el_grade_book *book;
static const el_grade_exercise_set *one;
static el_grade_exercise_set single;
static const el_grade_exercise *code_ex;
static char tmpdir[] = "/tmp/elbolab-check-code-XXXXXX";

static void load(void)
{
    int st;
    book = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    ck_assert_msg(book != NULL, "%s", el_errmsg());
    code_ex = el_grade_book_find(book, EXERCISE);
    ck_assert(code_ex != NULL);
    single = (el_grade_exercise_set){ .name = "one", .title = "one", .n = 1, .ex = &code_ex };
    one = &single;
    el_grade_code_options o = { 0, 2.0, NULL }; /* the endless loop is stopped after 2 s */
    el_grade_code_configure(&o);
}

static void unload(void)
{
    el_grade_book_free(book);
}

/* Grades the file NAME of tests/data/code against the code exercise. */
static void grade(const char *name, el_grade_report *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CODE_DATA, name);
    el_grade_identity id = { EL_GRADE_ID_STUDENT_LINE, "s1" };
    ck_assert_msg(el_grade_file(book, one, path, &id, r) == EL_OK, "%s", el_errmsg());
    ck_assert_uint_eq(r->n, 1);
    ck_assert_uint_eq(r->ex[0].nparts, 4);
}

static const el_grade_part_result *part(const el_grade_report *r, const char *name)
{
    for (size_t i = 0; i < r->ex[0].nparts; i++)
        if (!strcmp(r->ex[0].parts[i].name, name))
            return &r->ex[0].parts[i];
    ck_abort_msg("no part %s", name);
    return NULL;
}

/* The file graded scores TOTAL and the feedback of PART contains WANT. */
static void expect(const char *file, double total, const char *pname, const char *want)
{
    el_grade_report r;
    grade(file, &r);
    const el_grade_part_result *p = part(&r, pname);
    ck_assert_msg(r.score == total, "%s scored %g, not %g (%s: %s)", file, r.score, total, pname,
                  p->feedback ? p->feedback : "");
    if (want)
        ck_assert_msg(p->feedback && strstr(p->feedback, want), "%s: '%s' without '%s'", file,
                      p->feedback ? p->feedback : "(none)", want);
    el_grade_report_free(&r);
}

/* The number of entries of the folder D ("." and ".." aside). */
static size_t entries(const char *d)
{
    DIR *dir = opendir(d);
    ck_assert(dir != NULL);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(dir);
    return n;
}

/* ---- right answers ------------------------------------------------------------ */

START_TEST(right_numpy_full_marks_byte_for_byte)
{
    el_grade_report a, b;
    grade("right_numpy.py", &a);
    grade("right_numpy.py", &b);
    ck_assert_msg(a.score == 6.0, "%s", a.ex[0].parts[0].feedback ? a.ex[0].parts[0].feedback : "");
    json_t *ja = el_grade_json(&a), *jb = el_grade_json(&b);
    char *sa = el_grade_dump_json(ja), *sb = el_grade_dump_json(jb);
    ck_assert_str_eq(sa, sb);
    free(sa), free(sb);
    json_decref(ja), json_decref(jb);
    el_grade_report_free(&a);
    el_grade_report_free(&b);
}
END_TEST

START_TEST(right_forms)
{
    expect("right_rng.py", 6.0, "runs", NULL);       /* a module-level Generator, other names */
    expect("answers_fenced.txt", 6.0, "runs", NULL); /* ```python fence, indented, # and [ */
    expect("answers_file.txt", 6.0, "runs", NULL);   /* file = right_numpy.py */
}
END_TEST

/* file = NAME naming a link (a submission unpacked with one) is refused:
 * a link could show the grader's own files; the control is the same file
 * copied, which runs. */
START_TEST(file_link_refused)
{
    char d[] = "/tmp/elbolab-check-link-XXXXXX", ans[128], link[128], src[1024];
    ck_assert_ptr_nonnull(mkdtemp(d));
    snprintf(ans, sizeof ans, "%s/answers.txt", d);
    snprintf(link, sizeof link, "%s/code.py", d);
    snprintf(src, sizeof src, "%s/right_numpy.py", CODE_DATA);
    FILE *f = fopen(ans, "w");
    ck_assert_ptr_nonnull(f);
    fputs("[reparam-sample-code]\nfile = code.py\n", f);
    fclose(f);
    ck_assert_int_eq(symlink(src, link), 0);
    el_grade_identity id = { EL_GRADE_ID_STUDENT_LINE, "s1" };
    el_grade_report r;
    ck_assert_int_eq(el_grade_file(book, one, ans, &id, &r), EL_OK);
    const el_grade_part_result *p = part(&r, "runs");
    ck_assert_msg(r.score == 0.0 && p->feedback && strstr(p->feedback, "link"), "%g: %s", r.score,
                  p->feedback ? p->feedback : "");
    el_grade_report_free(&r);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -f '%s' && cp '%s' '%s'", link, src, link);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(el_grade_file(book, one, ans, &id, &r), EL_OK);
    ck_assert_msg(r.score == 6.0, "the copied file scored %g", r.score);
    el_grade_report_free(&r);
    unlink(link);
    unlink(ans);
    rmdir(d);
}
END_TEST

/* PrairieLearn: a lone .py in /grade/student is graded against the set's
 * code exercise, end to end (results.json parsed back); a wrong one is the
 * control. */
START_TEST(prairielearn_lone_py)
{
    static const struct {
        const char *file;
        double points;
    } cases[] = { { "right_numpy.py", 6.0 }, { "std_is_variance.py", 1.0 } };
    for (size_t i = 0; i < 2; i++) {
        char root[] = "/tmp/elbolab-check-pl-XXXXXX", cmd[4096], path[2048];
        ck_assert(mkdtemp(root) != NULL);
        snprintf(cmd, sizeof cmd, "mkdir -p '%s/grade/student' && cp '%s/%s' '%s/grade/student/'",
                 root, CODE_DATA, cases[i].file, root);
        ck_assert_int_eq(system(cmd), 0);
        ck_assert_int_eq(el_grade_prairielearn_run(book, one, root, NULL), EL_OK);
        snprintf(path, sizeof path, "%s/grade/results/results.json", root);
        json_error_t err;
        json_t *j = json_load_file(path, 0, &err);
        ck_assert_msg(j != NULL, "%s", err.text);
        ck_assert(json_is_true(json_object_get(j, "gradable")));
        ck_assert_msg(json_number_value(json_object_get(j, "points")) == cases[i].points, "%s: %s",
                      cases[i].file, json_string_value(json_object_get(j, "output")));
        json_decref(j);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        ck_assert_int_eq(system(cmd), 0);
    }
}
END_TEST

/* ---- the typical mistakes ------------------------------------------------------- */

START_TEST(mistakes_diagnosed)
{
    expect("std_is_variance.py", 1.0, "distribution",
           "exp(logvar) is used as the standard deviation");
    expect("sigma_squared.py", 1.0, "distribution", "sigma^2 is used where sigma belongs");
    expect("logvar_as_sigma.py", 1.0, "distribution", "logvar is used as sigma");
    expect("noise_reused.py", 2.0, "reparameterisation", "drawn once");
    expect("noise_reused.py", 2.0, "distribution", "Every sample is the same");
    expect("syntax_error.py", 0.0, "runs", "does not parse (line 3)");
    expect("only_1d.py", 5.0, "runs", "does not work on a batch of rows");
    expect("shared_scalar_eps.py", 4.0, "distribution", "Every row of a batch gets the same z");
    /* writing the harness's report itself: through the harness's own function
     * and the parent's /proc/PID/fd -- neither reaches the report (the old
     * harness, one process, printed "FORGED BY STUDENT" as its feedback) */
    el_grade_report r;
    grade("forge_report.py", &r);
    for (size_t i = 0; i < r.ex[0].nparts; i++)
        ck_assert_msg(!r.ex[0].parts[i].feedback || !strstr(r.ex[0].parts[i].feedback, "FORGED"),
                      "forged: %s", r.ex[0].parts[i].feedback);
    ck_assert(part(&r, "runs")->score == 1.0 && r.score == 2.0); /* its own sampler, judged */
    el_grade_report_free(&r);
}
END_TEST

/* `answer = ```python`, the code not indented, '#' and '[' rows kept as they are */
START_TEST(answer_fence_kept_verbatim)
{
    el_grade_answers a;
    const char text[] = "[reparam-sample-code]\n"
                        "answer = ```python\n"
                        "import numpy as np\n"
                        "# [not a section]\n"
                        "def reparameterize(mu, logvar):\n"
                        "    eps = np.random.standard_normal(np.shape(mu))  # noise\n"
                        "\n"
                        "    return mu + np.exp(0.5 * logvar) * eps\n"
                        "```\n"
                        "remark after the fence\n";
    ck_assert_int_eq(el_grade_answers_parse(text, sizeof text - 1, "x.txt", &a), EL_OK);
    ck_assert_uint_eq(a.n, 1);
    ck_assert_str_eq(a.s[0].e[0].value,
                     "```python\nimport numpy as np\n# [not a section]\n"
                     "def reparameterize(mu, logvar):\n"
                     "    eps = np.random.standard_normal(np.shape(mu))  # noise\n"
                     "\n    return mu + np.exp(0.5 * logvar) * eps\n```");
    el_grade_report r;
    ck_assert_int_eq(el_grade_score(book, one, &a, NULL, "x.txt", &r), EL_OK);
    ck_assert_msg(r.score == 6.0, "%s", r.ex[0].parts[0].feedback ? r.ex[0].parts[0].feedback : "");
    el_grade_report_free(&r);
    el_grade_answers_free(&a);
}
END_TEST

START_TEST(no_code_is_missing)
{
    el_grade_answers a;
    const char text[] = "[reparam-sample-code]\ncode = \n";
    ck_assert_int_eq(el_grade_answers_parse(text, sizeof text - 1, "x.txt", &a), EL_OK);
    el_grade_report r;
    ck_assert_int_eq(el_grade_score(book, one, &a, NULL, "x.txt", &r), EL_OK);
    ck_assert(r.score == 0.0 && r.ex[0].status == EL_GRADE_MISSING);
    el_grade_report_free(&r);
    el_grade_answers_free(&a);
}
END_TEST

/* ---- hostile programs: 0 points, and nothing escapes --------------------------- */

START_TEST(hostile_programs_stopped)
{
    expect("endless_loop.py", 0.0, "runs", "did not finish within 2 s");
    expect("open_socket.py", 0.0, "runs", "Network is unreachable");
    expect("fork_bomb.py", 0.0, "runs", "too many processes");
    expect("big_alloc.py", 0.0, "runs", "out of memory");
    expect("write_outside.py", 0.0, "runs", "outside its folder");
    const char *const escaped[] = { "/tmp/elbolab-escape-tmp", "/root/elbolab-escape-home",
                                    "/elbolab-escape-root", CODE_DATA "/../elbolab-escape-parent",
                                    NULL };
    struct stat sb;
    for (size_t i = 0; escaped[i]; i++)
        ck_assert_msg(stat(escaped[i], &sb) != 0, "%s was written", escaped[i]);
    ck_assert_uint_eq(entries(tmpdir), 0); /* every work folder removed, nothing beside */
}
END_TEST

static Suite *code_suite(void)
{
    Suite *s = suite_create("code");
    TCase *core = tcase_create("Core");
    tcase_add_unchecked_fixture(core, load, unload);
    tcase_set_timeout(core, 120);
    tcase_add_test(core, right_numpy_full_marks_byte_for_byte);
    tcase_add_test(core, right_forms);
    tcase_add_test(core, file_link_refused);
    tcase_add_test(core, prairielearn_lone_py);
    tcase_add_test(core, mistakes_diagnosed);
    tcase_add_test(core, answer_fence_kept_verbatim);
    tcase_add_test(core, no_code_is_missing);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_unchecked_fixture(lim, load, unload);
    tcase_set_timeout(lim, 120);
    tcase_add_test(lim, hostile_programs_stopped);
    suite_add_tcase(s, lim);
    return s;
}

int main(void)
{
    if (el_sandbox_probe() != EL_OK) {
        printf("SKIP: %s\n", el_errmsg());
        return EL_CHECK_SKIPPED;
    }
    if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        puts("SKIP: /usr/bin/python3 with NumPy is missing (apt-get install python3-numpy)");
        return EL_CHECK_SKIPPED;
    }
    /* the sandbox's user (nobody) must reach its work folder inside */
    if (!mkdtemp(tmpdir) || chmod(tmpdir, 0711) != 0 || setenv("TMPDIR", tmpdir, 1) != 0)
        return EXIT_FAILURE;
    int rc = el_check_run_suite(code_suite());
    rmdir(tmpdir);
    return rc;
}
