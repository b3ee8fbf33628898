/* check_prairielearn.c -- PrairieLearn's external grader on a simulated
 * /grade tree (Docker does not run here): right and wrong answer files,
 * nothing to grade, hostile data.json, whose variant is graded (the same
 * rule and the same score as `elbolab grade` and Gradescope), the results
 * file written atomically; and the generated question folder (info.json's
 * keys, a stable uuid, question.html, run.sh run end to end). */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "check_grade_fixture.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

static el_grade_book *book;
static const el_grade_exercise_set *all, *kl;

static void load(void)
{
    int st;
    book = el_grade_book_load(el_grade_book_default_dir(NULL), &st);
    ck_assert_msg(book != NULL, "exercises: %s", el_errmsg());
    all = el_grade_book_set(book, "all");
    kl = el_grade_book_set(book, "kl");
    ck_assert(all && kl);
}

static void unload(void)
{
    el_grade_book_free(book);
}

/* ---- the simulated tree ---------------------------------------------------------- */

/* ROOT with ROOT/grade/student and ROOT/grade/data (no results/: the grader makes it). */
static char *grade_tree(void)
{
    char *t = strdup("/tmp/elbolab-pl-XXXXXX"), p[1100];
    ck_assert_ptr_nonnull(mkdtemp(t));
    snprintf(p, sizeof p, "%s/grade", t);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/grade/student", t);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/grade/data", t);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    return t;
}

/* Writes TEXT to ROOT/REL. */
static void put(const char *root, const char *rel, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s", path);
    ck_assert_uint_eq(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static void sh(const char *fmt, const char *a)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, fmt, a);
    ck_assert_int_eq(system(cmd), 0);
}

static void rm_tree(char *dir)
{
    sh("rm -rf '%s'", dir);
    free(dir);
}

/* DIR/NAME, parsed: it must be a JSON object (no duplicate keys). */
static json_t *object_at(const char *dir, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t err;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    ck_assert_msg(json_is_object(j), "%s: %s", path, err.text);
    return j;
}

/* ROOT/grade/results/results.json, parsed: it must be a JSON object. */
static json_t *results(const char *root)
{
    return object_at(root, "grade/results/results.json");
}

static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

/* The keys PrairieLearn reads, with their types; the score in [0, 1] and
 * equal to points / max_points; each test's fields. */
static void well_formed(const json_t *j)
{
    ck_assert(json_is_true(json_object_get(j, "gradable")));
    double s = num(j, "score"), p = num(j, "points"), m = num(j, "max_points");
    ck_assert(s >= 0 && s <= 1 && m > 0);
    ck_assert_msg(fabs(s - p / m) < 1e-6, "score %g, points %g/%g", s, p, m);
    str(j, "message");
    str(j, "output");
    const json_t *tests = json_object_get(j, "tests");
    ck_assert(json_is_array(tests) && json_array_size(tests) > 0);
    double sum = 0;
    for (size_t i = 0; i < json_array_size(tests); i++) {
        const json_t *t = json_array_get(tests, i);
        str(t, "name");
        str(t, "output");
        str(t, "description");
        ck_assert(num(t, "points") <= num(t, "max_points"));
        sum += num(t, "points");
    }
    ck_assert(fabs(sum - p) < 1e-6);
}

static const json_t *test_named(const json_t *j, const char *name)
{
    const json_t *tests = json_object_get(j, "tests");
    for (size_t i = 0; i < json_array_size(tests); i++)
        if (!strcmp(str(json_array_get(tests, i), "name"), name))
            return json_array_get(tests, i);
    ck_abort_msg("no test %s", name);
    return NULL;
}

static const char *const right_kl =
    "[kl-self]\nanswer = 0\n"
    "[kl-gauss-1d]\n"
    "answer = log(sigma2/sigma1) + (sigma1^2 + (mu1 - mu2)^2) / (2 sigma2^2) - 1/2\n";

/* ---- grading ------------------------------------------------------------------------ */

/* Answers in words reach PrairieLearn as Gradescope's do: a test out of 0
 * with the text, "graded by the instructor"; points and max_points count
 * only what was graded, with a sheet's own points (issue 11, section 2). */
START_TEST(text_answers_are_left_to_the_instructor)
{
    char *root = grade_tree();
    const el_grade_exercise_set *s1 = el_grade_book_set(book, "sheet-001");
    ck_assert_ptr_nonnull(s1);
    put(root, "grade/student/answers.txt",
        "[text-why-logvar]\nanswer = the variance stays positive for any output\n"
        "[elbo-name]\nanswer = evidence lower bound\n");
    put(root, "grade/data/data.json", "{\"params\": {}}");
    ck_assert_int_eq(el_grade_prairielearn_run(book, s1, root, NULL), EL_OK);
    json_t *j = results(root);
    well_formed(j);
    /* 9 points on the sheet, 2.5 of them in words */
    ck_assert(num(j, "points") == 1 && num(j, "max_points") == 6.5);
    ck_assert_msg(strstr(str(j, "message"), "2.5 more points are graded by the instructor"), "%s",
                  str(j, "message"));
    const json_t *t = test_named(j, "text-why-logvar");
    ck_assert(num(t, "points") == 0 && num(t, "max_points") == 0);
    ck_assert_str_eq(str(t, "message"), "Graded by the instructor.");
    ck_assert_ptr_nonnull(strstr(str(t, "output"), "Graded by the instructor (1 point). The "
                                                   "answer collected:\nthe variance stays"));
    /* a graded test beside it keeps its verdict (control) */
    ck_assert_str_eq(str(test_named(j, "elbo-name"), "message"), "Correct.");
    json_decref(j);
    rm_tree(root);
}
END_TEST

START_TEST(right_and_wrong_answer_files)
{
    char *root = grade_tree();
    const el_grade_exercise *ex = el_grade_book_find(book, "kl-gauss-1d");
    const el_grade_exercise_set one = {
        .name = (char *)"kl-gauss-1d", .title = ex->title, .n = 1, .ex = &ex
    };
    put(root, "grade/student/answers.txt", right_kl);
    put(root, "grade/data/data.json", "{\"params\": {}, \"variant_seed\": 12}");
    ck_assert_int_eq(el_grade_prairielearn_run(book, &one, root, NULL), EL_OK);
    json_t *j = results(root);
    well_formed(j);
    ck_assert(num(j, "score") == 1.0 && num(j, "points") == 3 && num(j, "max_points") == 3);
    ck_assert_str_eq(str(test_named(j, "kl-gauss-1d"), "message"), "Correct.");
    json_decref(j);
    /* the whole set: two right, the rest missing -- partial */
    ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, NULL), EL_OK);
    j = results(root);
    well_formed(j);
    ck_assert(num(j, "points") == 1 + 3 && num(j, "score") > 0 && num(j, "score") < 1);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "tests")), kl->n);
    json_decref(j);
    /* a wrong answer: 0 for it, and its test says what is wrong */
    put(root, "grade/student/answers.txt",
        "[kl-self]\nanswer = 0\n[kl-gauss-1d]\n"
        "answer = log(sigma2/sigma1) + (sigma1^2 + (mu1 - mu2)^2) / (2 sigma2^2)\n");
    ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, NULL), EL_OK);
    j = results(root);
    well_formed(j);
    ck_assert(num(j, "points") == 1);
    const json_t *t = test_named(j, "kl-gauss-1d");
    ck_assert(num(t, "points") == 0 && num(t, "max_points") == 3);
    ck_assert_str_eq(str(t, "message"), "Not correct.");
    ck_assert_ptr_nonnull(strstr(str(t, "output"), "-1/2 is missing"));
    ck_assert(num(test_named(j, "kl-self"), "points") == 1);
    json_decref(j);
    /* nothing but the results file was written there: no temporary left */
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/grade/results", root);
    sh("test \"$(ls -A '%s')\" = results.json", dir);
    rm_tree(root);
}
END_TEST

/* A submission with nothing to grade: gradable false with a message. */
static void ungradable(const char *root, const el_grade_identity *id, const char *why)
{
    ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, id), EL_OK);
    json_t *j = results(root);
    ck_assert(json_is_false(json_object_get(j, "gradable")));
    ck_assert_msg(strstr(str(j, "message"), why) != NULL, "%s", str(j, "message"));
    ck_assert(json_is_array(json_object_get(j, "format_errors")));
    ck_assert(num(j, "score") == 0);
    json_decref(j);
}

START_TEST(nothing_to_grade)
{
    char *root = grade_tree();
    ungradable(root, NULL, "No answer file was submitted");
    put(root, "grade/student/scan.pdf", "%PDF-1.4 binary");
    ungradable(root, NULL, "No answer file was submitted");
    put(root, "grade/student/answers.txt", "I did not understand the question.\n");
    ungradable(root, NULL, "has no answers");
    put(root, "grade/student/answers.txt", "");
    ungradable(root, NULL, "has no answers");
    sh("rm '%s/grade/student/answers.txt'", root);
    char sub[1200];
    snprintf(sub, sizeof sub, "%s/grade/student/answers.txt", root);
    ck_assert_int_eq(mkfifo(sub, 0600), 0); /* never blocks on a FIFO */
    ungradable(root, NULL, "No answer file was submitted");
    unlink(sub);
    /* the control: one answer makes it gradable */
    put(root, "grade/student/answers.txt", "[kl-self]\nanswer = 1\n");
    ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, NULL), EL_OK);
    json_t *j = results(root);
    well_formed(j);
    ck_assert(num(j, "points") == 0);
    json_decref(j);
    /* without a student folder at all */
    sh("rm -rf '%s/grade/student'", root);
    ungradable(root, NULL, "No answer file was submitted");
    rm_tree(root);
}
END_TEST

START_TEST(hostile_data_json)
{
    static const char *const bad[] = {
        "garbage{",
        "[1, 2, 3]",
        "\"a string\"",
        "{\"email\": \"a\", \"email\": \"b\"}",
        "{\"params\": {\"email\": ",
        "\xff\xfe{\x00\"",
        "",
    };
    const el_grade_identity platform = { EL_GRADE_ID_PLATFORM, NULL };
    char *root = grade_tree();
    put(root, "grade/student/answers.txt", right_kl);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put(root, "grade/data/data.json", bad[i]);
        /* whose variant is unknown under the platform rule: not graded */
        ungradable(root, &platform, "data.json");
        /* not needed by the student-line rule: graded, with a note */
        ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, NULL), EL_OK);
        json_t *j = results(root);
        well_formed(j);
        ck_assert(num(j, "points") == 4);
        ck_assert_ptr_nonnull(strstr(str(j, "output"), "data.json"));
        json_decref(j);
    }
    /* 100000 nested arrays, wrong types, a folder, a FIFO: never a crash */
    char *deep = malloc(200002);
    memset(deep, '[', 100000);
    memset(deep + 100000, ']', 100000);
    deep[200000] = '\0';
    put(root, "grade/data/data.json", deep);
    free(deep);
    ungradable(root, &platform, "data.json");
    put(root, "grade/data/data.json", "{\"email\": 5, \"params\": [1], \"uid\": null}");
    ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, &platform), EL_OK);
    json_t *j = results(root);
    well_formed(j); /* the integer 5 is an id, as Gradescope's SID may be */
    ck_assert_str_eq(str(json_object_get(j, "identity"), "used"), "5");
    json_decref(j);
    char path[1200];
    snprintf(path, sizeof path, "%s/grade/data/data.json", root);
    unlink(path);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ungradable(root, &platform, "data.json");
    rmdir(path);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ungradable(root, &platform, "data.json");
    unlink(path);
    rm_tree(root);
}
END_TEST

static double ex_points(const json_t *j)
{
    return num(test_named(j, "incl-excl-fit"), "points");
}

/* One rule for every path: the file's `student =` line by default, the
 * e-mail data.json names under `platform`; the same points as `elbolab
 * grade FILE` (el_grade_file) and the Gradescope run under the same rule. */
START_TEST(one_identity_rule)
{
    double va[4], vb[4];
    const el_grade_exercise *ex = el_grade_book_find(book, "incl-excl-fit");
    el_grade_exercise_variant(ex, "ann@uni.edu", va);
    el_grade_exercise_variant(ex, "bob@uni.edu", vb);
    ck_assert(va[0] != vb[0]); /* two students, two variants */
    char *root = grade_tree(), path[1200];
    char *text = variant_answers(book, "student = ann@uni.edu", "ann@uni.edu");
    put(root, "grade/student/answers.txt", text);
    put(root, "grade/data/data.json",
        "{\"params\": {\"email\": \"bob@uni.edu\"}, \"variant_seed\": 7}");
    snprintf(path, sizeof path, "%s/grade/student/answers.txt", root);
    const el_grade_identity line = { EL_GRADE_ID_STUDENT_LINE, NULL },
                            platform = { EL_GRADE_ID_PLATFORM, NULL },
                            name = { EL_GRADE_ID_NAME, NULL },
                            forced = { EL_GRADE_ID_PLATFORM, "ann@uni.edu" };
    const el_grade_identity *rules[] = { NULL, &line, &platform, &name, &forced };
    const char *used[] = { "ann@uni.edu", "ann@uni.edu", "bob@uni.edu", "answers", "ann@uni.edu" };
    const char *source[] = { "student-line", "student-line", "platform", "name", "--student" };
    for (size_t k = 0; k < 5; k++) {
        ck_assert_int_eq(el_grade_prairielearn_run(book, all, root, rules[k]), EL_OK);
        json_t *j = results(root);
        well_formed(j);
        const json_t *id = json_object_get(j, "identity");
        ck_assert_str_eq(str(id, "used"), used[k]);
        ck_assert_str_eq(str(id, "source"), source[k]);
        double on_pl = ex_points(j);
        ck_assert_msg(k == 2 || k == 3 ? on_pl < 4 : on_pl == 4, "rule %zu: %g", k, on_pl);
        if (k == 2) /* the file's `student =` line is named when it is not used */
            ck_assert_ptr_nonnull(strstr(str(j, "output"), "student = ann@uni.edu"));
        json_decref(j);
        /* `elbolab grade FILE` under the same rule; for `platform`, the same
         * student given by Gradescope's metadata */
        el_grade_report r;
        const el_grade_identity bob = { EL_GRADE_ID_PLATFORM, "bob@uni.edu" };
        ck_assert_int_eq(el_grade_file(book, all, path, k == 2 ? &bob : rules[k], &r), EL_OK);
        double alone = -1;
        for (size_t i = 0; i < r.n; i++)
            if (!strcmp(r.ex[i].ex->id, "incl-excl-fit"))
                alone = r.ex[i].score;
        ck_assert_str_eq(r.student, used[k]);
        el_grade_report_free(&r);
        ck_assert_msg(alone == on_pl, "rule %zu: %g on PrairieLearn, %g alone", k, on_pl, alone);
    }
    /* data.json naming nobody (PrairieLearn's own): platform falls back to the line */
    put(root, "grade/data/data.json", "{\"params\": {}, \"variant_seed\": 7}");
    ck_assert_int_eq(el_grade_prairielearn_run(book, all, root, &platform), EL_OK);
    json_t *j = results(root);
    ck_assert_str_eq(str(json_object_get(j, "identity"), "source"), "student-line");
    ck_assert(ex_points(j) == 4);
    ck_assert_ptr_nonnull(strstr(str(j, "output"), "PrairieLearn names no student"));
    json_decref(j);
    /* a top-level uid counts too, and the e-mail comes first */
    put(root, "grade/data/data.json", "{\"uid\": \"bob@uni.edu\"}");
    ck_assert_int_eq(el_grade_prairielearn_run(book, all, root, &platform), EL_OK);
    j = results(root);
    ck_assert_str_eq(str(json_object_get(j, "identity"), "used"), "bob@uni.edu");
    json_decref(j);
    free(text);
    rm_tree(root);
}
END_TEST

START_TEST(results_file_is_refused_when_unsafe)
{
    char *root = grade_tree(), path[1200];
    put(root, "grade/student/answers.txt", right_kl);
    snprintf(path, sizeof path, "%s/grade/results", root);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/grade/results/results.json", root);
    ck_assert_int_eq(symlink("/tmp/elbolab-pl-elsewhere", path), 0);
    ck_assert_int_eq(el_grade_prairielearn_run(book, kl, root, NULL), EL_EIO);
    ck_assert_int_eq(access("/tmp/elbolab-pl-elsewhere", F_OK), -1);
    unlink(path);
    /* a root without grade/ at all: an error, not a crash */
    ck_assert_int_ne(el_grade_prairielearn_run(book, kl, "/nonexistent-elbolab-root", NULL), EL_OK);
    rm_tree(root);
}
END_TEST

/* Feedback of 3 x 600 kB (two-byte characters): the results still fit in
 * PrairieLearn's 1 MB, as valid JSON, and say they were cut. */
START_TEST(results_fit_in_a_megabyte)
{
    size_t big = 600000;
    char *fb = malloc(big + 1);
    for (size_t i = 0; i < big; i += 2)
        memcpy(fb + i, "\xc3\xa9", 2); /* é */
    fb[big] = '\0';
    el_grade_part_result parts[3];
    el_grade_exercise_result ex[3];
    for (size_t i = 0; i < 3; i++) {
        parts[i] = (el_grade_part_result){
            .name = (char *)"answer", .max = 1, .status = EL_GRADE_WRONG, .feedback = fb
        };
        ex[i] = (el_grade_exercise_result){
            .ex = kl->ex[i], .max = 1, .status = EL_GRADE_WRONG, .nparts = 1, .parts = &parts[i]
        };
    }
    el_grade_report r = { .source = (char *)"answers.txt",
                          .student = (char *)"",
                          .identity_source = (char *)"none",
                          .set = (char *)"kl",
                          .max = 3,
                          .n = 3,
                          .ex = ex };
    json_t *j = el_grade_prairielearn(&r);
    char *dump = json_dumps(j, JSON_COMPACT);
    ck_assert_ptr_nonnull(dump); /* jansson refuses a string cut inside a character */
    ck_assert_uint_le(strlen(dump), EL_GRADE_PL_MAX_RESULTS);
    const json_t *t = json_array_get(json_object_get(j, "tests"), 0);
    ck_assert_ptr_nonnull(strstr(str(t, "output"), "cut: PrairieLearn takes results of at most"));
    free(dump);
    json_decref(j);
    /* the control: small feedback is left whole */
    fb[20] = '\0';
    j = el_grade_prairielearn(&r);
    ck_assert_ptr_null(
        strstr(str(json_array_get(json_object_get(j, "tests"), 0), "output"), "cut:"));
    json_decref(j);
    free(fb);
}
END_TEST

/* ---- the question folder ----------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static json_t *info_of(const char *qdir)
{
    return object_at(qdir, "info.json");
}

/* The text between <pl-file-editor ...> and </pl-file-editor> of HTML, its
 * entities decoded: the file a student starts from. */
static char *editor_text(const char *html)
{
    const char *a = strstr(html, "<pl-file-editor");
    ck_assert_ptr_nonnull(a);
    a = strchr(a, '>') + 1;
    a += *a == '\n';
    const char *b = strstr(a, "</pl-file-editor>");
    ck_assert_ptr_nonnull(b);
    char *out = calloc(1, (size_t)(b - a) + 1), *o = out;
    static const char *const ent[][2] = {
        { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&amp;", "&" }
    };
    while (a < b) {
        size_t k = 0;
        while (k < 4 && strncmp(a, ent[k][0], strlen(ent[k][0])))
            k++;
        *o++ = k < 4 ? ent[k][1][0] : *a;
        a += k < 4 ? strlen(ent[k][0]) : 1;
    }
    return out;
}

/* The skeleton in the editor: untouched, nothing to grade; with the key
 * filled in, full marks. */
START_TEST(editor_skeleton_is_an_answer_file)
{
    char *root = grade_tree(), course[1100], path[1300];
    snprintf(course, sizeof course, "%s/course", root);
    const el_grade_exercise *ex = el_grade_book_find(book, "kl-gauss-1d");
    const el_grade_exercise_set one = {
        .name = (char *)"kl-gauss-1d", .title = ex->title, .n = 1, .ex = &ex
    };
    el_grade_pl_options o = { "me/elbolab-grader", EL_GRADE_ID_STUDENT_LINE, 0, 0, 1 };
    char *qdir;
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &o, &qdir), EL_OK);
    snprintf(path, sizeof path, "%s/question.html", qdir);
    char *html = slurp(path), *text = editor_text(html);
    ck_assert_ptr_null(strstr(text, "student =")); /* no variants: no student line */
    put(root, "grade/student/answers.txt", text);
    ck_assert_int_eq(el_grade_prairielearn_run(book, &one, root, NULL), EL_OK);
    json_t *j = results(root);
    ck_assert(json_is_false(json_object_get(j, "gradable")));
    json_decref(j);
    char *at = strstr(text, "\nanswer = \n"), filled[4000];
    ck_assert_ptr_nonnull(at);
    snprintf(filled, sizeof filled, "%.*s\nanswer = %s\n%s", (int)(at - text), text,
             ex->parts[0].reference, at + 11);
    put(root, "grade/student/answers.txt", filled);
    ck_assert_int_eq(el_grade_prairielearn_run(book, &one, root, NULL), EL_OK);
    j = results(root);
    well_formed(j);
    ck_assert(num(j, "score") == 1.0);
    ck_assert_str_eq(str(j, "message"), "3/3 points (exercise kl-gauss-1d).");
    json_decref(j);
    free(text);
    free(html);
    free(qdir);
    rm_tree(root);
}
END_TEST

START_TEST(question_folder)
{
    char *course = strdup("/tmp/elbolab-plq-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(course));
    const el_grade_exercise *ex = el_grade_book_find(book, "kl-gauss-1d");
    const el_grade_exercise_set one = {
        .name = (char *)"kl-gauss-1d", .title = ex->title, .n = 1, .ex = &ex
    };
    el_grade_pl_options o = { "me/elbolab-grader", EL_GRADE_ID_STUDENT_LINE, 0, 0, 1 };
    char *qdir;
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &o, &qdir), EL_OK);
    ck_assert_ptr_nonnull(strstr(qdir, "/questions/elbolab/kl-gauss-1d"));
    json_t *info = info_of(qdir);
    /* RFC 4122 version 5 of the id: the value Python's uuid.uuid5 gives */
    ck_assert_str_eq(str(info, "uuid"), "713813f6-a45e-5bed-887f-79cb2cfe7800");
    ck_assert_str_eq(str(info, "title"), ex->title);
    str(info, "topic");
    ck_assert(json_is_array(json_object_get(info, "tags")));
    ck_assert_str_eq(str(info, "type"), "v3");
    ck_assert_str_eq(str(info, "gradingMethod"), "External");
    const json_t *eg = json_object_get(info, "externalGradingOptions");
    ck_assert(json_is_true(json_object_get(eg, "enabled")));
    ck_assert_str_eq(str(eg, "image"), "me/elbolab-grader");
    ck_assert_str_eq(str(eg, "entrypoint"), "/grade/serverFilesCourse/elbolab/run.sh "
                                            "--exercise kl-gauss-1d --identity student-line");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(eg, "serverFilesCourse"), 0)),
                     "elbolab/");
    ck_assert(num(eg, "timeout") >= 1 && num(eg, "timeout") <= 600);
    char path[1300];
    snprintf(path, sizeof path, "%s/question.html", qdir);
    char *html = slurp(path);
    ck_assert_ptr_nonnull(strstr(html, "<pl-file-editor file-name=\"answers.txt\""));
    ck_assert_ptr_nonnull(strstr(html, "[kl-gauss-1d]\n# answer: an expression, 3 points\n"));
    ck_assert_ptr_nonnull(strstr(html, "<pl-external-grader-results>"));
    ck_assert_ptr_nonnull(strstr(html, "q \\(= N(\\mu_1, \\sigma_1^2)\\)")); /* MathJax */
    ck_assert_ptr_null(strstr(html, "<pl-file-upload"));
    free(html);
    /* the same uuid on a second run; another exercise, another uuid */
    char *again;
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &o, &again), EL_OK);
    json_t *info2 = info_of(again);
    ck_assert_str_eq(str(info2, "uuid"), str(info, "uuid"));
    json_decref(info2);
    free(again);
    char u[37];
    ck_assert_int_eq(el_grade_pl_uuid("exercise", "kl-self", u), EL_OK);
    ck_assert_str_ne(u, str(info, "uuid"));
    ck_assert_int_eq(el_grade_pl_uuid("set", "kl", u), EL_OK);
    ck_assert_str_eq(u, "3a41b0b3-2f87-5fcf-8a17-bd41760c914a");
    json_decref(info);
    free(qdir);
    /* a whole set, uploaded */
    el_grade_pl_options up = { "me/elbolab-grader", EL_GRADE_ID_PLATFORM, 1, 120, 0 };
    ck_assert_int_eq(el_grade_prairielearn_question(kl, course, &up, &qdir), EL_OK);
    info = info_of(qdir);
    eg = json_object_get(info, "externalGradingOptions");
    ck_assert_str_eq(str(eg, "entrypoint"),
                     "/grade/serverFilesCourse/elbolab/run.sh --set kl --identity platform");
    ck_assert(num(eg, "timeout") == 120);
    json_decref(info);
    snprintf(path, sizeof path, "%s/question.html", qdir);
    html = slurp(path);
    ck_assert_ptr_nonnull(strstr(html, "<pl-file-upload"));
    for (size_t i = 0; i < kl->n; i++) /* every exercise's statement */
        ck_assert_ptr_nonnull(strstr(html, kl->ex[i]->id));
    free(html);
    free(qdir);
    /* the course's files */
    snprintf(path, sizeof path, "%s/serverFilesCourse/elbolab/run.sh", course);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert(sb.st_mode & 0100);
    snprintf(path, sizeof path, "%s/serverFilesCourse/elbolab/Dockerfile", course);
    ck_assert_int_eq(stat(path, &sb), 0);
    /* refused: no image, a quoted image, a bad timeout, an unsafe set name */
    el_grade_pl_options bad = o;
    bad.image = NULL;
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &bad, &qdir), EL_EUSAGE);
    bad.image = "me/x\" --evil";
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &bad, &qdir), EL_EUSAGE);
    bad = o;
    bad.timeout = 601;
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &bad, &qdir), EL_EUSAGE);
    const el_grade_exercise_set evil = {
        .name = (char *)"../x; rm", .title = NULL, .n = 1, .ex = &ex
    };
    bad = o;
    bad.single = 0;
    ck_assert_int_eq(el_grade_prairielearn_question(&evil, course, &bad, &qdir), EL_EUSAGE);
    ck_assert_ptr_null(qdir);
    rm_tree(course);
}
END_TEST

/* run.sh as PrairieLearn runs it: the entrypoint of info.json, on a
 * simulated tree, with this build's elbolab; without elbolab, gradable false. */
START_TEST(run_script_end_to_end)
{
    char *root = grade_tree(), bin[1100], cmd[4000];
    elbolab_program(bin, sizeof bin);
    ck_assert_msg(access(bin, X_OK) == 0, "no elbolab program at %s (meson test sets ELBOLAB_BIN)",
                  bin);
    const el_grade_exercise *ex = el_grade_book_find(book, "kl-gauss-1d");
    const el_grade_exercise_set one = {
        .name = (char *)"kl-gauss-1d", .title = ex->title, .n = 1, .ex = &ex
    };
    el_grade_pl_options o = { "me/elbolab-grader", EL_GRADE_ID_STUDENT_LINE, 0, 0, 1 };
    char *qdir, course[1100];
    snprintf(course, sizeof course, "%s/course", root);
    ck_assert_int_eq(el_grade_prairielearn_question(&one, course, &o, &qdir), EL_OK);
    json_t *info = info_of(qdir);
    const char *entry = str(json_object_get(info, "externalGradingOptions"), "entrypoint");
    const char *args = strstr(entry, "run.sh") + 6;
    put(root, "grade/student/answers.txt", right_kl);
    snprintf(cmd, sizeof cmd,
             "ELBOLAB_PL_ROOT='%s' ELBOLAB_BIN='%s' ELBOLAB_EXERCISES= "
             "sh '%s/serverFilesCourse/elbolab/run.sh' %s",
             root, bin, course, args);
    ck_assert_int_eq(system(cmd), 0);
    json_t *j = results(root);
    well_formed(j);
    ck_assert(num(j, "score") == 1.0);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "tests")), 1);
    json_decref(j);
    /* the image without elbolab: a results file that says so, no attempt used */
    snprintf(cmd, sizeof cmd,
             "ELBOLAB_PL_ROOT='%s' ELBOLAB_BIN=/nonexistent/elbolab "
             "sh '%s/serverFilesCourse/elbolab/run.sh' %s",
             root, course, args);
    ck_assert_int_ne(system(cmd), 0);
    j = results(root);
    ck_assert(json_is_false(json_object_get(j, "gradable")));
    json_decref(j);
    json_decref(info);
    free(qdir);
    rm_tree(root);
}
END_TEST

static Suite *prairielearn_suite(void)
{
    Suite *s = suite_create("prairielearn");
    TCase *core = tcase_create("Core");
    tcase_add_checked_fixture(core, load, unload);
    tcase_set_timeout(core, 120);
    tcase_add_test(core, right_and_wrong_answer_files);
    tcase_add_test(core, one_identity_rule);
    tcase_add_test(core, question_folder);
    tcase_add_test(core, run_script_end_to_end);
    tcase_add_test(core, editor_skeleton_is_an_answer_file);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_checked_fixture(lim, load, unload);
    tcase_set_timeout(lim, 120);
    tcase_add_test(lim, nothing_to_grade);
    tcase_add_test(lim, hostile_data_json);
    tcase_add_test(lim, results_file_is_refused_when_unsafe);
    tcase_add_test(lim, results_fit_in_a_megabyte);
    tcase_add_test(lim, text_answers_are_left_to_the_instructor);
    suite_add_tcase(s, lim);
    return s;
}

EL_CHECK_MAIN(prairielearn_suite)
