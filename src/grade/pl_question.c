/* pl_question.c -- a PrairieLearn question folder for an exercise or a
 * problem set, and the course files its external grader runs.
 *
 * Formats from PrairieLearn's documentation (github.com/PrairieLearn/
 * PrairieLearn): docs/externalGrading.md (info.json's gradingMethod
 * "External" and externalGradingOptions: enabled, image, entrypoint -- a
 * command line, made executable when it lives under /grade --,
 * serverFilesCourse, timeout <= 600 s; files under the course's
 * serverFilesCourse/ are copied to /grade/serverFilesCourse), the example
 * course's questions/demo/autograder/codeEditor (uuid, title, topic, tags,
 * type "v3", singleVariant) and docs/elements/pl-file-editor.md,
 * pl-file-upload.md (file-name, initial text between the tags;
 * optional-file-patterns).  The uuid is a name-based (SHA-1, version 5)
 * UUID of the exercise's id, from libuuid: the same id gives the same uuid
 * on every run, so regenerating a question keeps its students' records. */
#include "grade/util.h"
#include "core/el_core.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

/* The namespace of ELBO Lab's question uuids (drawn once, fixed forever). */
static const char *const uuid_namespace = "52a85467-88f9-44fe-9ab7-d64de549ea3b";

int el_grade_pl_uuid(const char *kind, const char *name, char out[37])
{
    uuid_t ns, u;
    gbuf b = { 0 };
    gbuf_printf(&b, "elbolab/%s/%s", kind, name);
    if (!b.s)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    uuid_parse(uuid_namespace, ns);
    uuid_generate_sha1(u, ns, b.s, b.n);
    uuid_unparse_lower(u, out);
    free(b.s);
    return EL_OK;
}

/* ---- HTML ----------------------------------------------------------------------- */

static void html_text(gbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<': gbuf_puts(b, "&lt;"); break;
        case '>': gbuf_puts(b, "&gt;"); break;
        case '&': gbuf_puts(b, "&amp;"); break;
        case '"': gbuf_puts(b, "&quot;"); break;
        default: gbuf_add(b, s + i, 1);
        }
    }
}

/* 1 when the word W (N bytes, trailing punctuation excluded) reads as TeX:
 * a command, _ ^ { }, p(x), or an operator between such words -- the rule
 * of web/app.js for statements written with inline LaTeX and no $...$. */
static int mathy(const char *w, size_t n)
{
    if (memchr(w, '\\', n) || memchr(w, '_', n) || memchr(w, '^', n) || memchr(w, '{', n))
        return 1;
    if (n >= 4 && isalpha((unsigned char)w[0]) && w[1] == '(' && w[n - 1] == ')')
        return 1;
    static const char *const ops[] = { "=", "+", "-", ">=", "<=", "\\|", "|", NULL };
    for (size_t i = 0; ops[i]; i++)
        if (strlen(ops[i]) == n && !memcmp(w, ops[i], n))
            return 1;
    return 0;
}

/* The word of S (N bytes) that starts at or after I: its start, *END its end. */
static size_t next_word(const char *s, size_t n, size_t i, size_t *end)
{
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    size_t j = i;
    while (j < n && !isspace((unsigned char)s[j]))
        j++;
    *end = j;
    return i;
}

/* '(' minus ')' in W (N bytes). */
static int paren_balance(const char *w, size_t n)
{
    int d = 0;
    for (size_t i = 0; i < n; i++)
        d += (w[i] == '(') - (w[i] == ')');
    return d;
}

/* The prose S (N bytes, no `code`) word by word: runs of TeX words in \( \),
 * kept open through a `,` before more maths and while a '(' is open. */
static void prose_html(gbuf *b, const char *s, size_t n)
{
    int open = 0, depth = 0, first = !(n && isspace((unsigned char)s[0]));
    size_t j, i = next_word(s, n, 0, &j);
    while (j > i) {
        size_t k = j; /* the word without its trailing punctuation */
        while (k > i && strchr(",.;:", s[k - 1]))
            k--;
        int m = k > i && (mathy(s + i, k - i) || (open && depth > 0));
        if (open && !m)
            gbuf_puts(b, "\\)");
        gbuf_puts(b, first ? "" : " ");
        if (m && !open)
            gbuf_puts(b, "\\(");
        open = m;
        depth = m ? depth + paren_balance(s + i, j - i) : 0;
        size_t after, next = next_word(s, n, j, &after);
        int more = depth > 0 || (after > next && mathy(s + next, after - next));
        if (m && k < j && !more) { /* punctuation after maths closes it */
            html_text(b, s + i, k - i);
            gbuf_puts(b, "\\)");
            html_text(b, s + k, j - k);
            open = depth = 0;
        } else {
            html_text(b, s + i, j - i);
        }
        first = 0;
        i = next;
        j = after;
    }
    if (open)
        gbuf_puts(b, "\\)");
    if (n && !first && isspace((unsigned char)s[n - 1]))
        gbuf_puts(b, " ");
}

/* A statement (prose with inline LaTeX and `code`) as HTML paragraphs. */
static void statement_html(gbuf *b, const char *s)
{
    gbuf_puts(b, "<p>");
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        size_t t = 0;
        while (t < len && isspace((unsigned char)s[t]))
            t++;
        if (t == len) {
            gbuf_puts(b, "</p>\n<p>");
        } else {
            if (s[t] == '-' || s[t] == '*' || isdigit((unsigned char)s[t]))
                gbuf_puts(b, "<br>");
            for (size_t i = t; i < len;) { /* `code` spans, then prose */
                const char *tick = memchr(s + i, '`', len - i);
                const char *end = tick ? memchr(tick + 1, '`', len - (size_t)(tick + 1 - s)) : NULL;
                size_t stop = end ? (size_t)(tick - s) : len;
                prose_html(b, s + i, stop - i);
                if (!end)
                    break;
                gbuf_puts(b, "<code>");
                html_text(b, tick + 1, (size_t)(end - tick - 1));
                gbuf_puts(b, "</code>");
                i = (size_t)(end + 1 - s);
            }
            gbuf_puts(b, "\n");
        }
        s += len + (nl != NULL);
    }
    gbuf_puts(b, "</p>\n");
}

static const char *part_kind(el_grade_part_kind k)
{
    switch (k) {
    case EL_GRADE_PART_EXPRESSION: return "an expression";
    case EL_GRADE_PART_NUMBER: return "a number";
    case EL_GRADE_PART_TRUEFALSE: return "true or false";
    case EL_GRADE_PART_CHOICE: return "one option";
    case EL_GRADE_PART_SELECT: return "every option that applies";
    case EL_GRADE_PART_DERIVATION: return "a derivation, one relation per row";
    case EL_GRADE_PART_CODE: return "a Python function (code = ```python, then the code and ```)";
    case EL_GRADE_PART_TEXT: return "words, graded by the instructor";
    }
    return "an answer";
}

/* The answer file a student starts from: a `student =` line when the
 * variant follows it, and one section per exercise with its keys (plain
 * text, escaped by the caller). */
static void answer_template(gbuf *b, const el_grade_exercise_set *set, el_grade_id_rule rule)
{
    int variants = 0;
    for (size_t i = 0; i < set->n; i++)
        variants |= el_grade_exercise_has_variants(set->ex[i]);
    if (rule == EL_GRADE_ID_STUDENT_LINE && variants) /* whose numbers: the student says */
        gbuf_puts(b, "# your e-mail: it chooses your variant of the numbers\nstudent = \n");
    for (size_t i = 0; i < set->n; i++) {
        const el_grade_exercise *ex = set->ex[i];
        double scale = ex->points > 0 ? el_grade_set_points(set, i, NULL) / ex->points : 1;
        gbuf_printf(b, "\n[%s]\n", ex->id);
        for (size_t j = 0; j < ex->nparts; j++) { /* a sheet's own points where it has them */
            double pts = el_grade_round(ex->parts[j].points * scale);
            gbuf_printf(b, "# %s: %s, %g point%s\n%s = \n", ex->parts[j].name,
                        part_kind(ex->parts[j].kind), pts, pts == 1 ? "" : "s", ex->parts[j].name);
        }
    }
}

/* One exercise's statement (worth POINTS in its set), its variables and
 * the keys to fill in. */
static void exercise_html(gbuf *b, const el_grade_exercise *ex, double points)
{
    char *st = el_grade_exercise_statement(ex, NULL);
    gbuf_puts(b, "  <h4>");
    html_text(b, ex->id, strlen(ex->id));
    gbuf_puts(b, ": ");
    html_text(b, ex->title, strlen(ex->title));
    gbuf_printf(b, " (%g point%s)</h4>\n", points, points == 1 ? "" : "s");
    statement_html(b, st ? st : ex->statement);
    free(st);
    if (el_grade_exercise_has_variants(ex)) {
        gbuf_puts(b, "  <p><em>The numbers of this exercise differ per student.  Your variant "
                     "follows your answer file's <code>student =</code> line: run "
                     "<code>elbolab exercise show ");
        html_text(b, ex->id, strlen(ex->id));
        gbuf_puts(b, " --student YOUR-ID</code> to see yours.</em></p>\n");
    }
    if (ex->nvars) {
        gbuf_puts(b, "  <p>Variables:");
        for (size_t i = 0; i < ex->nvars; i++) {
            gbuf_puts(b, i ? ", <code>" : " <code>");
            html_text(b, ex->vars[i].name, strlen(ex->vars[i].name));
            gbuf_puts(b, "</code>");
        }
        gbuf_puts(b, ".</p>\n");
    }
}

/* question.html: the statements, the editor (or upload) and the results. */
static char *question_html(const el_grade_exercise_set *set, const el_grade_pl_options *o)
{
    gbuf b = { 0 };
    gbuf_puts(&b, "<!-- Generated by `elbolab prairielearn question`: graded by ELBO Lab's\n"
                  "     external grader (serverFilesCourse/elbolab/run.sh). -->\n"
                  "<pl-question-panel>\n  <p>Answer in an ELBO Lab answer file: one "
                  "<code>[exercise-id]</code> section per exercise, with the keys shown "
                  "below (plain text, Unicode or LaTeX notation).</p>\n");
    for (size_t i = 0; i < set->n; i++)
        exercise_html(&b, set->ex[i], el_grade_set_points(set, i, NULL));
    gbuf_puts(&b, "</pl-question-panel>\n\n");
    if (o->upload) {
        gbuf_puts(&b,
                  "<pl-file-upload optional-file-patterns=\"answers*, *.txt, *.ini, *.tex, *.py, "
                  "*.md\"></pl-file-upload>\n");
    } else {
        gbuf t = { 0 };
        answer_template(&t, set, o->rule);
        gbuf_puts(&b, "<pl-file-editor file-name=\"answers.txt\" ace-mode=\"ace/mode/ini\">\n");
        if (t.s)
            html_text(&b, t.s, t.n);
        free(t.s);
        gbuf_puts(&b, "</pl-file-editor>\n");
    }
    gbuf_puts(&b, "\n<pl-submission-panel>\n  <pl-external-grader-results>"
                  "</pl-external-grader-results>\n  <pl-file-preview></pl-file-preview>\n"
                  "</pl-submission-panel>\n");
    return gbuf_take(&b);
}

/* info.json for SET (one exercise when O->single). */
static json_t *info_json(const el_grade_exercise_set *set, const el_grade_pl_options *o,
                         const char *uuid)
{
    gbuf e = { 0 };
    gbuf_printf(&e, "/grade/serverFilesCourse/elbolab/run.sh %s %s --identity %s",
                o->single ? "--exercise" : "--set", o->single ? set->ex[0]->id : set->name,
                el_grade_id_rule_name(o->rule));
    char *entry = gbuf_take(&e);
    const char *title = o->single ? set->ex[0]->title : set->title ? set->title : set->name;
    json_t *j = json_pack("{s:s, s:s, s:s, s:[s, s], s:s, s:b, s:s, s:{s:b, s:s, s:s, s:[s], s:i}}",
                          "uuid", uuid, "title", title, "topic", "ELBO Lab", "tags", "elbolab",
                          o->single ? "exercise" : "problem-set", "type", "v3", "singleVariant", 1,
                          "gradingMethod", "External", "externalGradingOptions", "enabled", 1,
                          "image", o->image, "entrypoint", entry ? entry : "", "serverFilesCourse",
                          "elbolab/", "timeout", o->timeout > 0 ? o->timeout : 60);
    free(entry);
    return j;
}

/* ---- the course files --------------------------------------------------------------------- */

static const char run_sh[] =
    "#!/bin/sh\n"
    "# run.sh -- PrairieLearn's external-grader entrypoint for ELBO Lab questions,\n"
    "# written by `elbolab prairielearn question`.  A question's info.json runs\n"
    "#   /grade/serverFilesCourse/elbolab/run.sh --exercise ID --identity RULE\n"
    "# (or --set NAME): it grades the answer file in /grade/student (and reads\n"
    "# /grade/data/data.json) and writes /grade/results/results.json.\n"
    "# ELBOLAB_PL_ROOT overrides / (to try it on a simulated tree), ELBOLAB_BIN the\n"
    "# program; an exercises/ folder beside this script (your own exercise book)\n"
    "# is used instead of the image's unless ELBOLAB_EXERCISES says otherwise.\n"
    "ROOT=\"${ELBOLAB_PL_ROOT:-/}\"\n"
    "HERE=$(dirname \"$0\")\n"
    "BIN=\"${ELBOLAB_BIN:-elbolab}\"\n"
    "if [ -z \"${ELBOLAB_EXERCISES:-}\" ] && [ -d \"$HERE/exercises\" ]; then\n"
    "    ELBOLAB_EXERCISES=\"$HERE/exercises\"\n"
    "    export ELBOLAB_EXERCISES\n"
    "fi\n"
    "if ! command -v \"$BIN\" >/dev/null 2>&1; then\n"
    "    mkdir -p \"$ROOT/grade/results\"\n"
    "    printf '%s\\n' '{\"gradable\": false, \"score\": 0, \"message\": \"The grader image "
    "has no elbolab program. Please tell your instructor.\", \"format_errors\": [\"The "
    "grader image has no elbolab program.\"], \"tests\": []}' "
    "> \"$ROOT/grade/results/results.json\"\n"
    "    exit 1\n"
    "fi\n"
    "exec \"$BIN\" prairielearn grade --root \"$ROOT\" \"$@\"\n";

static const char dockerfile[] =
    "# Dockerfile -- the image PrairieLearn grades ELBO Lab questions in (written by\n"
    "# `elbolab prairielearn question`).  Build it from the ELBO Lab source tree and\n"
    "# push it where PrairieLearn can pull it, under the name given to --image:\n"
    "#   docker build -t USER/elbolab-grader -f THIS_FILE /path/to/elbolab\n"
    "#   docker push USER/elbolab-grader\n"
    "FROM debian:bookworm-slim\n"
    "RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \\\n"
    "        --no-install-recommends build-essential pkg-config meson ninja-build \\\n"
    "        libgsl-dev libjansson-dev zlib1g-dev libopenblas-dev libzip-dev uuid-dev \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n"
    "COPY . /opt/elbolab\n"
    "RUN cd /opt/elbolab && rm -rf build && meson setup build --buildtype=release \\\n"
    "        -Dtests=disabled && meson compile -C build && meson install -C build\n"
    "# elbolab reads /opt/elbolab/exercises (the tree it was built from) unless\n"
    "# run.sh finds the course's serverFilesCourse/elbolab/exercises/.\n";

/* mkdir -p PATH: every folder on the way created when missing. */
static int make_dirs(const char *path)
{
    char *p = grade_strdup(path);
    int st = p ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = p ? strlen(p) : 0;
    for (size_t i = 1; !st && i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char keep = p[i];
        p[i] = '\0';
        struct stat sb;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            st = EL_ERROR(EL_EIO, "cannot create %s: %s", p, strerror(errno));
        else if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
            st = EL_ERROR(EL_EIO, "%s is not a folder", p);
        p[i] = keep;
    }
    free(p);
    return st;
}

/* Writes TEXT to DIR/NAME atomically with MODE. */
static int put_file(const char *dir, const char *name, const char *text, unsigned mode)
{
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/%s", dir, name);
    int st = b.s ? grade_write_atomic(b.s, text, strlen(text), mode)
                 : EL_ERROR(EL_ENOMEM, "out of memory");
    free(b.s);
    return st;
}

/* The course's shared grader files: serverFilesCourse/elbolab/{run.sh, Dockerfile}. */
static int course_files(const char *course)
{
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/serverFilesCourse/elbolab", course);
    int st = b.s ? make_dirs(b.s) : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st)
        st = put_file(b.s, "run.sh", run_sh, 0755);
    if (!st)
        st = put_file(b.s, "Dockerfile", dockerfile, 0644);
    free(b.s);
    return st;
}

int el_grade_prairielearn_question(const el_grade_exercise_set *set, const char *course,
                                   const el_grade_pl_options *o, char **qdir)
{
    *qdir = NULL;
    const char *name = o->single ? set->ex[0]->id : set->name;
    if (!grade_safe_name(name))
        return EL_ERROR(EL_EUSAGE, "'%s' cannot name a question folder", name);
    if (!o->image || !*o->image || strpbrk(o->image, " \t\n\"'\\"))
        return EL_ERROR(EL_EUSAGE, "--image names the Docker image PrairieLearn grades in "
                                   "(built from the Dockerfile this writes)");
    if (o->timeout < 0 || o->timeout > 600)
        return EL_ERROR(EL_EUSAGE, "PrairieLearn's grading timeout is 1 to 600 seconds");
    char uuid[37];
    int st = el_grade_pl_uuid(o->single ? "exercise" : "set", name, uuid);
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/questions/elbolab/%s", course, name);
    char *dir = gbuf_take(&b);
    if (!st && !dir)
        st = EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st)
        st = make_dirs(dir);
    json_t *info = st ? NULL : info_json(set, o, uuid);
    char *info_path = NULL, *html = st ? NULL : question_html(set, o);
    if (!st) {
        gbuf_printf(&b, "%s/info.json", dir);
        info_path = gbuf_take(&b);
        st = info && info_path && html ? el_grade_write_json(info_path, info)
                                       : EL_ERROR(EL_ENOMEM, "out of memory");
    }
    if (!st)
        st = put_file(dir, "question.html", html, 0644);
    if (!st)
        st = course_files(course);
    json_decref(info);
    free(info_path);
    free(html);
    if (!st)
        *qdir = dir;
    else
        free(dir);
    return st;
}
