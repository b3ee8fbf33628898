/* prairielearn.c -- PrairieLearn's external grader: the grading run inside
 * the grading container (ROOT/grade/student and ROOT/grade/data/data.json
 * in, ROOT/grade/results/results.json out) and its results.
 *
 * The formats follow PrairieLearn's documentation, "External Grading"
 * (docs/externalGrading.md of github.com/PrairieLearn/PrairieLearn): the
 * job's folder layout (/grade/student, /grade/data/data.json,
 * /grade/results/results.json, which the grader must create); results with
 * `score` in [0, 1], `gradable` (false: "invalid, not gradable", no
 * attempt used) with `format_errors`, `message`, `output` and `tests` of
 * {name, description, points, max_points, message, output}.  data.json is
 * written by apps/prairielearn/src/lib/externalGraderCommon.ts
 * (buildDirectory): params, correct_answers, submitted_answers,
 * format_errors, partial_scores, score, feedback, variant_seed, options,
 * raw_submitted_answers, gradable -- and no user: see pl_platform_id. */
#include "grade/code.h"
#include "grade/util.h"
#include "core/el_core.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_DATA_JSON (16u << 20) /* PrairieLearn's answers are limited to a few MB */

/* ---- data.json ------------------------------------------------------------------ */

/* The string or integer V as a malloc'd string, or NULL. */
static char *id_value(const json_t *v)
{
    char num[32];
    if (json_is_string(v) && *json_string_value(v))
        return grade_strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return grade_strdup(num);
    }
    return NULL;
}

/* The student named in the object O: an e-mail, else a uid. */
static char *named_in(const json_t *o)
{
    static const char *const keys[] = { "email", "user_email", "uid", "user_uid", NULL };
    char *who = NULL;
    for (size_t i = 0; json_is_object(o) && !who && keys[i]; i++)
        who = id_value(json_object_get(o, keys[i]));
    return who;
}

/* Reads PrairieLearn's data.json at PATH.  *WHO gets the student's e-mail
 * or uid when the file names one -- at its top level, or in `params` (where
 * a question's server.py can put it) -- else NULL.  PrairieLearn itself
 * passes no user to an external grader, so NULL is the usual answer.
 * EL_ENOTFOUND when there is no file; EL_EFORMAT / EL_EIO / EL_ELIMIT with
 * a message when it is not a readable JSON object. */
static int pl_platform_id(const char *path, char **who)
{
    *who = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT)
        return EL_ENOTFOUND;
    char *text;
    size_t len;
    int st = grade_slurp(path, MAX_DATA_JSON, &text, &len);
    if (st)
        return st;
    json_error_t err;
    json_t *d = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    free(text);
    if (!json_is_object(d)) {
        json_decref(d);
        return d ? EL_ERROR(EL_EFORMAT, "data.json is not a JSON object")
                 : EL_ERROR(EL_EFORMAT, "data.json is not JSON (line %d: %s)", err.line, err.text);
    }
    *who = named_in(d);
    if (!*who)
        *who = named_in(json_object_get(d, "params"));
    json_decref(d);
    return EL_OK;
}

/* ---- results.json --------------------------------------------------------------------- */

/* A JSON number: an integer when whole, else rounded to 4 decimals. */
static json_t *num_json(double x)
{
    x = el_grade_round(x);
    if (x == floor(x) && fabs(x) < 1e15)
        return json_integer((json_int_t)x);
    return json_real(x);
}

/* One PrairieLearn test from Gradescope's test GS (the same list: one
 * builder of the per-exercise feedback, report.c's) and, when known, the
 * exercise EX it grades (its id as the name, its title as the description);
 * MANUAL > 0: points of text parts, left to the instructor (out of 0 here,
 * the text and its points in the output, el_grade_manual_text). */
static json_t *pl_test(const json_t *gs, const el_grade_exercise *ex, double manual)
{
    json_t *t = json_object();
    double pts = json_number_value(json_object_get(gs, "score"));
    double max = json_number_value(json_object_get(gs, "max_score"));
    const char *status = json_string_value(json_object_get(gs, "status"));
    if (ex)
        json_object_set_new(t, "name", json_string(ex->id));
    else
        json_object_set(t, "name", json_object_get(gs, "name"));
    if (ex && ex->title)
        json_object_set_new(t, "description", json_string(ex->title));
    json_object_set_new(t, "points", num_json(pts));
    json_object_set_new(t, "max_points", num_json(max));
    const char *msg = max <= 0 && manual > 0                ? "Graded by the instructor."
                      : status && !strcmp(status, "passed") ? "Correct."
                      : pts > 0                             ? "Partly correct."
                      : max > 0                             ? "Not correct."
                                                            : NULL;
    if (msg)
        json_object_set_new(t, "message", json_string(msg));
    json_t *out = json_object_get(gs, "output");
    json_object_set_new(t, "output", out ? json_incref(out) : json_string(""));
    return t;
}

/* Cuts the string at KEY of O to at most MAX bytes (at a character
 * boundary), saying so at its end. */
static void cut_string(json_t *o, const char *key, size_t max)
{
    const char *v = json_string_value(json_object_get(o, key));
    size_t n = v ? strlen(v) : 0;
    if (n <= max)
        return;
    while (max > 0 && ((unsigned char)v[max] & 0xC0) == 0x80)
        max--;
    gbuf b = { 0 };
    gbuf_add(&b, v, max);
    gbuf_puts(&b, "\n... (cut: PrairieLearn takes results of at most 1 MB)\n");
    char *t = gbuf_take(&b);
    if (t)
        json_object_set_new(o, key, json_string(t));
    free(t);
}

/* PrairieLearn refuses results larger than 1 MB: when O's would be, its
 * outputs are cut to an equal share each. */
static void fit_limit(json_t *o)
{
    char *dump = json_dumps(o, JSON_COMPACT);
    size_t n = dump ? strlen(dump) : 0;
    free(dump);
    if (n <= EL_GRADE_PL_MAX_RESULTS)
        return;
    json_t *tests = json_object_get(o, "tests");
    size_t share = EL_GRADE_PL_MAX_RESULTS / 2 / (json_array_size(tests) + 1);
    cut_string(o, "output", share);
    for (size_t i = 0; i < json_array_size(tests); i++)
        cut_string(json_array_get(tests, i), "output", share);
}

json_t *el_grade_prairielearn(const el_grade_report *r)
{
    json_t *gs = el_grade_gradescope(r, 0.0);
    json_t *o = json_object(), *tests = json_array(), *gst = json_object_get(gs, "tests");
    double frac = r->max > 0 ? r->score / r->max : 0.0;
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    char sc[32], mx[32];
    snprintf(sc, sizeof sc, "%.4g", el_grade_round(r->score)); /* 6.5, not 13/2 */
    snprintf(mx, sizeof mx, "%.4g", el_grade_round(r->max));
    gbuf m = { 0 };
    int single = r->n == 1 && !strcmp(r->set, r->ex[0].ex->id), variants = 0;
    for (size_t i = 0; i < r->n; i++) /* whose variant matters only when there are some */
        variants |= el_grade_exercise_has_variants(r->ex[i].ex);
    gbuf_printf(&m, "%s/%s points (%s %s%s%s).", sc, mx, single ? "exercise" : "problem set",
                r->set, variants && *r->student ? ", variant of " : "", variants ? r->student : "");
    if (r->manual > 0) { /* text answers: not in points or max_points */
        snprintf(mx, sizeof mx, "%.4g", el_grade_round(r->manual));
        gbuf_printf(&m, " Text answers worth %s more point%s are graded by the instructor.", mx,
                    r->manual == 1 ? "" : "s");
    }
    char *msg = gbuf_take(&m);
    json_object_set_new(o, "gradable", json_true());
    json_object_set_new(o, "score", json_real(round(frac * 1e6) / 1e6));
    json_object_set_new(o, "points", num_json(r->score));
    json_object_set_new(o, "max_points", num_json(r->max));
    json_object_set_new(o, "message", json_string(msg ? msg : ""));
    json_object_set(o, "output", json_object_get(gs, "output"));
    json_object_set_new(o, "identity",
                        json_pack("{s:s, s:s}", "used", r->student ? r->student : "", "source",
                                  r->identity_source ? r->identity_source : "none"));
    size_t n = json_array_size(gst);
    for (size_t i = 0; i < n; i++) /* one test per exercise, in order: named by id */
        json_array_append_new(tests, pl_test(json_array_get(gst, i), n == r->n ? r->ex[i].ex : NULL,
                                             n == r->n ? r->ex[i].manual : 0));
    json_object_set_new(o, "tests", tests);
    free(msg);
    json_decref(gs);
    fit_limit(o);
    return o;
}

/* The results of a submission that could not be graded: no attempt used,
 * WHY shown to the student; MAX is what the set is worth. */
static json_t *ungradable(const char *why, double max)
{
    json_t *o = json_object();
    json_object_set_new(o, "gradable", json_false());
    json_object_set_new(o, "score", json_integer(0));
    json_object_set_new(o, "points", json_integer(0));
    json_object_set_new(o, "max_points", num_json(max));
    json_object_set_new(o, "message", json_string(why));
    json_object_set_new(o, "output", json_string(why));
    json_object_set_new(o, "format_errors", json_pack("[s]", why));
    json_object_set_new(o, "tests", json_array());
    return o;
}

/* ---- the run ---------------------------------------------------------------------------- */

/* ROOT joined with REL (no doubled '/'); malloc'd. */
static char *under(const char *root, const char *rel)
{
    gbuf b = { 0 };
    size_t n = strlen(root);
    gbuf_printf(&b, "%s%s%s", root, n && root[n - 1] == '/' ? "" : "/", rel);
    return gbuf_take(&b);
}

/* What SET is worth automatically: its points (a sheet's own) but the text
 * parts' (graded by the instructor). */
static double set_points(const el_grade_exercise_set *set)
{
    double manual, total = el_grade_set_total(set, &manual);
    return el_grade_round(total - manual);
}

/* 1 when A holds at least one answer that is not empty (an untouched
 * skeleton from the question's editor holds none). */
static int answered(const el_grade_answers *a)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < a->s[i].n; j++)
            if (a->s[i].e[j].error || *a->s[i].e[j].value)
                return 1;
    return 0;
}

/* What a submission is, before grading: its answers, the student's file
 * name, and why it cannot be graded (NULL when it can). */
typedef struct {
    el_grade_answers a;
    char *file, *why;
    char *who; /* the platform's id of the student, or NULL */
} pl_submission;

/* Reads ROOT's data.json and the answer file in ROOT/grade/student into S.
 * Under the platform rule a data.json that cannot be read makes the
 * submission ungradable (whose variant is unknown); otherwise it is noted. */
static void read_submission(const el_grade_exercise_set *set, const char *root,
                            const el_grade_identity *id, pl_submission *s)
{
    memset(s, 0, sizeof *s);
    char *data = under(root, "grade/data/data.json"), *dir = under(root, "grade/student");
    char why[700] = "";
    int st = data ? pl_platform_id(data, &s->who) : EL_ERROR(EL_ENOMEM, "out of memory");
    int need = id && id->rule == EL_GRADE_ID_PLATFORM && !(id->student && *id->student);
    char data_err[600] = "";
    if (st && st != EL_ENOTFOUND)
        snprintf(data_err, sizeof data_err, "%s", el_errmsg());
    if (*data_err && need)
        snprintf(why, sizeof why,
                 "The grader cannot tell whose variant to grade: PrairieLearn's %s. "
                 "Please tell your instructor.",
                 data_err);
    else if (!dir || grade_find_submission(dir, &s->file))
        snprintf(why, sizeof why,
                 "No answer file was submitted (an answers.txt, .ini or .tex file with one "
                 "[exercise-id] section per exercise).");
    else if (grade_code_read_answers(set, s->file, &s->a)) /* answers, or a lone .py */
        snprintf(why, sizeof why, "Your file could not be read: %s", el_errmsg());
    else if (!answered(&s->a))
        snprintf(why, sizeof why,
                 "Your file has no answers: write one [exercise-id] section per exercise "
                 "(or \\answer{exercise-id}{...} in LaTeX), with `answer = ...` under it.");
    if (*why)
        s->why = grade_strdup(why);
    else if (*data_err) /* not needed for the identity: graded all the same, with a note */
        grade_note(&s->a.notes, 0, 0, "PrairieLearn's %s: ignored", data_err);
    else if (need && !s->who) /* the platform rule falls back: say so */
        grade_note(&s->a.notes, 0, 0,
                   "PrairieLearn names no student to the grader: the variant follows the "
                   "file's `student =` line (else its name)");
    free(data);
    free(dir);
}

/* Writes J to ROOT/grade/results/results.json (the folder created). */
static int write_results(const char *root, const json_t *j)
{
    char *dir = under(root, "grade/results"), *path = under(root, "grade/results/results.json");
    int st = dir && path ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st && mkdir(dir, 0755) != 0 && errno != EEXIST)
        st = EL_ERROR(EL_EIO, "cannot create %s: %s", dir, strerror(errno));
    if (!st)
        st = el_grade_write_json(path, j);
    free(dir);
    free(path);
    return st;
}

int el_grade_prairielearn_run(const el_grade_book *c, const el_grade_exercise_set *set,
                              const char *root, const el_grade_identity *id)
{
    pl_submission s;
    read_submission(set, root, id, &s);
    json_t *j = NULL;
    int st = EL_OK;
    if (s.why) {
        j = ungradable(s.why, set_points(set));
    } else {
        el_grade_report r;
        const char *base = strrchr(s.file, '/');
        el_grade_origin from = { base ? base + 1 : s.file, s.who };
        st = el_grade_score_as(c, set, &s.a, id, &from, from.name, &r);
        if (!st) {
            j = el_grade_prairielearn(&r);
            el_grade_report_free(&r);
        }
    }
    if (!st)
        st = j ? write_results(root, j) : EL_ERROR(EL_ENOMEM, "out of memory");
    json_decref(j);
    el_grade_answers_free(&s.a);
    free(s.file);
    free(s.why);
    free(s.who);
    return st;
}
