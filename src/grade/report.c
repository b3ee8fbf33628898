/* report.c -- what a graded submission looks like: a human report
 * (optionally coloured), JSON with a fixed key order, and Gradescope's
 * results.json; JSON files are written atomically. */
#include "grade/util.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *status_word(el_grade_status s)
{
    switch (s) {
    case EL_GRADE_CORRECT: return "correct";
    case EL_GRADE_PARTIAL: return "partial";
    case EL_GRADE_WRONG: return "wrong";
    case EL_GRADE_MISSING: return "missing";
    case EL_GRADE_UNREADABLE: return "unreadable";
    case EL_GRADE_MANUAL: return "for the instructor";
    }
    return "wrong";
}

const char *el_grade_status_name(el_grade_status s)
{
    return status_word(s);
}

static const char *status_colour(el_grade_status s)
{
    switch (s) {
    case EL_GRADE_CORRECT: return "\033[32m";
    case EL_GRADE_PARTIAL: return "\033[33m";
    case EL_GRADE_MISSING: return "\033[2m";
    case EL_GRADE_MANUAL: return "\033[36m";
    default: return "\033[31m";
    }
}

/* "2", "0.5", "0.7143". */
static void fmt_score(char *b, size_t n, double x)
{
    snprintf(b, n, "%.4g", el_grade_round(x));
}

/* ---- text ------------------------------------------------------------------------- */

/* Writes TEXT wrapped at WIDTH columns, every line indented by INDENT. */
static void wrap(FILE *f, const char *text, int indent, int width)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int col = indent;
        fprintf(f, "%*s", indent, "");
        int first = 1;
        while (*p) {
            const char *e = p;
            while (*e && *e != ' ')
                e++;
            int len = (int)(e - p);
            if (!first && col + 1 + len > width)
                break;
            fprintf(f, "%s%.*s", first ? "" : " ", len, p);
            col += len + !first;
            first = 0;
            p = e;
            while (*p == ' ')
                p++;
        }
        fputc('\n', f);
    }
}

/* The index of the exercise note N concerns (its line lies in that
 * exercise's section), or -1 for a note on the whole file. */
static long note_exercise(const el_grade_report *r, const el_grade_note *n)
{
    for (size_t i = 0; n->line > 0 && i < r->n; i++)
        if (r->ex[i].line_from > 0 && n->line >= r->ex[i].line_from && n->line <= r->ex[i].line_to)
            return (long)i;
    return -1;
}

static void write_status(FILE *f, el_grade_status s, int colour)
{
    if (colour)
        fprintf(f, "%s%s\033[0m", status_colour(s), status_word(s));
    else
        fputs(status_word(s), f);
}

/* The line of a text part: its points for the instructor and how it begins. */
static void write_manual(FILE *f, const el_grade_part_result *p, int indent)
{
    char mx[32];
    fmt_score(mx, sizeof mx, p->manual_points);
    if (!p->text) {
        fprintf(f, "%*stext answer (%s point%s, graded by the instructor): none given\n", indent,
                "", mx, p->manual_points == 1 ? "" : "s");
        return;
    }
    char *one = grade_clean(p->text, strlen(p->text), 48, 0);
    fprintf(f, "%*stext answer (%s point%s, graded by the instructor), %zu characters: \"%s\"\n",
            indent, "", mx, p->manual_points == 1 ? "" : "s", strlen(p->text), one ? one : "");
    free(one);
}

static void write_exercise(FILE *f, const el_grade_exercise_result *e, int colour)
{
    char sc[32], mx[32];
    fmt_score(sc, sizeof sc, e->score);
    fmt_score(mx, sizeof mx, e->max);
    fprintf(f, "  %-30s %6s/%-4s ", e->ex->id, sc, mx);
    write_status(f, e->status, colour);
    fputc('\n', f);
    for (size_t j = 0; j < e->nparts; j++)
        if (e->parts[j].manual)
            write_manual(f, &e->parts[j], 6);
    for (size_t j = 0; j < e->nparts; j++) {
        const el_grade_part_result *p = &e->parts[j];
        if (e->nparts > 1) {
            fmt_score(sc, sizeof sc, p->score);
            fmt_score(mx, sizeof mx, p->max);
            fprintf(f, "      %-26s %6s/%-4s ", p->name, sc, mx);
            write_status(f, p->status, colour);
            fputc('\n', f);
        }
        if (p->feedback && !p->manual && p->status != EL_GRADE_CORRECT &&
            p->status != EL_GRADE_MISSING)
            wrap(f, p->feedback, e->nparts > 1 ? 8 : 6, 78);
    }
}

void el_grade_write_text(const el_grade_report *r, FILE *f, int colour)
{
    const char *how = r->identity_source ? r->identity_source : "none";
    fprintf(f, "%s%s%s  (set %s, %s%s%s%s)\n\n", colour ? "\033[1m" : "",
            *r->source ? r->source : "answers", colour ? "\033[0m" : "", r->set,
            *r->student ? "student " : "default variant", r->student, *r->student ? " from " : "",
            *r->student ? how : "");
    size_t general = 0;
    for (size_t i = 0; i < r->n; i++) {
        write_exercise(f, &r->ex[i], colour);
        for (size_t k = 0; k < r->notes.n; k++) { /* the notes on its lines, beside it */
            if (note_exercise(r, &r->notes.v[k]) != (long)i)
                continue;
            gbuf b = { 0 };
            if (r->notes.v[k].line)
                gbuf_printf(&b, "Note (line %d): %s", r->notes.v[k].line, r->notes.v[k].text);
            else
                gbuf_printf(&b, "Note: %s", r->notes.v[k].text);
            if (b.s)
                wrap(f, b.s, 6, 78);
            free(b.s);
        }
    }
    for (size_t k = 0; k < r->notes.n; k++)
        general += note_exercise(r, &r->notes.v[k]) < 0;
    char sc[32], mx[32];
    fmt_score(sc, sizeof sc, r->score);
    fmt_score(mx, sizeof mx, r->max);
    fprintf(f, "\n%sTotal: %s/%s (%.1f%%)%s\n", colour ? "\033[1m" : "", sc, mx,
            r->max > 0 ? 100.0 * r->score / r->max : 0.0, colour ? "\033[0m" : "");
    if (r->manual > 0) {
        fmt_score(mx, sizeof mx, r->manual);
        fprintf(f, "Plus %s point%s of text answers, graded by the instructor.\n", mx,
                r->manual == 1 ? "" : "s");
    }
    if (general || r->notes.dropped) {
        fputs("\nNotes on the file:\n", f);
        for (size_t i = 0; i < r->notes.n; i++) {
            if (note_exercise(r, &r->notes.v[i]) >= 0)
                continue; /* printed beside its exercise */
            char head[32] = "";
            if (r->notes.v[i].line)
                snprintf(head, sizeof head, "line %d: ", r->notes.v[i].line);
            fprintf(f, "  %s%s\n", head, r->notes.v[i].text);
        }
        if (r->notes.dropped)
            fprintf(f, "  ... and %zu more\n", r->notes.dropped);
    }
}

/* ---- JSON ---------------------------------------------------------------------------- */

/* A score as an integer when whole, else rounded to 4 decimals. */
static json_t *score_json(double x)
{
    x = el_grade_round(x);
    if (x == floor(x) && fabs(x) < 1e15)
        return json_integer((json_int_t)x);
    return json_real(x);
}

/* A JSON string of S, never NULL (jansson refuses invalid UTF-8: cleaned first). */
static json_t *str_json(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *c = grade_clean(s, strlen(s), 100000, 1);
    j = json_string(c ? c : "");
    free(c);
    return j ? j : json_string("");
}

/* The notes of R that concern exercise WHICH (-2: every note) as JSON. */
static json_t *notes_json(const el_grade_report *r, long which)
{
    const el_grade_notes *n = &r->notes;
    json_t *a = json_array();
    for (size_t i = 0; i < n->n; i++) {
        if (which != -2 && note_exercise(r, &n->v[i]) != which)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(n->v[i].line));
        json_object_set_new(o, "error", json_boolean(n->v[i].error));
        json_object_set_new(o, "text", str_json(n->v[i].text));
        json_array_append_new(a, o);
    }
    return a;
}

json_t *el_grade_json(const el_grade_report *r)
{
    json_t *o = json_object(), *exs = json_array();
    json_object_set_new(o, "source", str_json(r->source));
    json_object_set_new(o, "student", str_json(r->student));
    json_object_set_new(o, "identity",
                        json_pack("{s:o, s:s}", "used", str_json(r->student), "source",
                                  r->identity_source ? r->identity_source : "none"));
    json_object_set_new(o, "set", str_json(r->set));
    json_object_set_new(o, "score", score_json(r->score));
    json_object_set_new(o, "max_score", score_json(r->max));
    if (r->manual > 0)
        json_object_set_new(o, "manual_points", score_json(r->manual));
    for (size_t i = 0; i < r->n; i++) {
        const el_grade_exercise_result *e = &r->ex[i];
        json_t *x = json_object(), *parts = json_array();
        json_object_set_new(x, "id", str_json(e->ex->id));
        json_object_set_new(x, "title", str_json(e->ex->title));
        json_object_set_new(x, "score", score_json(e->score));
        json_object_set_new(x, "max_score", score_json(e->max));
        json_object_set_new(x, "status", json_string(status_word(e->status)));
        if (e->manual > 0)
            json_object_set_new(x, "manual_points", score_json(e->manual));
        for (size_t j = 0; j < e->nparts; j++) {
            const el_grade_part_result *p = &e->parts[j];
            json_t *y = json_object();
            json_object_set_new(y, "name", str_json(p->name));
            json_object_set_new(y, "score", score_json(p->score));
            json_object_set_new(y, "max_score", score_json(p->max));
            json_object_set_new(y, "status", json_string(status_word(p->status)));
            json_object_set_new(y, "answer", str_json(p->answer));
            json_object_set_new(y, "feedback", str_json(p->feedback));
            if (p->manual) {
                json_object_set_new(y, "manual", json_true());
                json_object_set_new(y, "manual_points", score_json(p->manual_points));
                json_object_set_new(y, "text", str_json(p->text));
            }
            json_array_append_new(parts, y);
        }
        json_object_set_new(x, "parts", parts);
        json_object_set_new(x, "notes", notes_json(r, (long)i));
        json_array_append_new(exs, x);
    }
    json_object_set_new(o, "exercises", exs);
    json_object_set_new(o, "notes", notes_json(r, -2));
    json_object_set_new(o, "notes_dropped", json_integer((json_int_t)r->notes.dropped));
    return o;
}

char *el_grade_manual_text(const el_grade_part_result *p)
{
    char pts[32];
    gbuf b = { 0 };
    fmt_score(pts, sizeof pts, p->manual_points);
    if (!p->text)
        gbuf_printf(&b, "No answer given (text, %s point%s, graded by the instructor).\n", pts,
                    p->manual_points == 1 ? "" : "s");
    else
        gbuf_printf(&b, "Graded by the instructor (%s point%s). The answer collected:\n%s\n", pts,
                    p->manual_points == 1 ? "" : "s", p->text);
    return gbuf_take(&b);
}

/* The feedback of one exercise as Gradescope shows it. */
static char *test_output(const el_grade_report *r, size_t which)
{
    const el_grade_exercise_result *e = &r->ex[which];
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (size_t j = 0; j < e->nparts; j++) {
        const el_grade_part_result *p = &e->parts[j];
        char sc[32], mx[32];
        fmt_score(sc, sizeof sc, p->score);
        fmt_score(mx, sizeof mx, p->max);
        if (p->manual) {
            char *t = el_grade_manual_text(p);
            gbuf_printf(&b, "%s%s%s", e->nparts > 1 ? p->name : "", e->nparts > 1 ? ": " : "",
                        t ? t : "");
            free(t);
            continue;
        }
        if (e->nparts > 1)
            gbuf_printf(&b, "%s: %s/%s %s%s", p->name, sc, mx, status_word(p->status),
                        p->feedback ? ". " : "\n");
        else if (!p->feedback)
            gbuf_printf(&b, "%s.\n",
                        p->status == EL_GRADE_CORRECT ? "Correct" : status_word(p->status));
        if (p->feedback)
            gbuf_printf(&b, "%s\n", p->feedback);
    }
    for (size_t k = 0; k < r->notes.n; k++) /* the notes on its lines */
        if (note_exercise(r, &r->notes.v[k]) == (long)which)
            gbuf_printf(&b, "Note (line %d): %s\n", r->notes.v[k].line, r->notes.v[k].text);
    return gbuf_take(&b);
}

static char *summary_output(const el_grade_report *r)
{
    gbuf b = { 0 };
    char sc[32], mx[32];
    fmt_score(sc, sizeof sc, r->score);
    fmt_score(mx, sizeof mx, r->max);
    gbuf_printf(&b, "Total: %s/%s (set %s%s%s).\n", sc, mx, r->set,
                *r->student ? ", variant of " : "", r->student);
    if (r->manual > 0) {
        fmt_score(mx, sizeof mx, r->manual);
        gbuf_printf(&b, "Text answers worth %s more point%s are graded by the instructor.\n", mx,
                    r->manual == 1 ? "" : "s");
    }
    for (size_t i = 0; i < r->notes.n; i++) {
        if (note_exercise(r, &r->notes.v[i]) >= 0)
            continue; /* in its exercise's output */
        if (r->notes.v[i].line)
            gbuf_printf(&b, "line %d: ", r->notes.v[i].line);
        gbuf_printf(&b, "%s\n", r->notes.v[i].text);
    }
    if (r->notes.dropped)
        gbuf_printf(&b, "... and %zu more notes\n", r->notes.dropped);
    return gbuf_take(&b);
}

json_t *el_grade_gradescope(const el_grade_report *r, double execution_time)
{
    json_t *o = json_object(), *tests = json_array();
    char *summary = summary_output(r);
    json_object_set_new(o, "score", score_json(r->score));
    json_object_set_new(o, "execution_time", json_real(round(execution_time * 1e3) / 1e3));
    json_object_set_new(o, "output", str_json(summary ? summary : ""));
    json_object_set_new(o, "visibility", json_string("visible"));
    json_object_set_new(o, "stdout_visibility", json_string("hidden"));
    free(summary);
    for (size_t i = 0; i < r->n; i++) {
        const el_grade_exercise_result *e = &r->ex[i];
        json_t *t = json_object();
        char num[32];
        char *name = NULL, *out = test_output(r, i);
        gbuf nb = { 0 };
        gbuf_printf(&nb, "%s (%s)%s", e->ex->id, e->ex->title,
                    e->manual > 0 ? " -- graded by the instructor" : "");
        name = gbuf_take(&nb);
        snprintf(num, sizeof num, "%zu", i + 1);
        json_object_set_new(t, "name", str_json(name ? name : e->ex->id));
        json_object_set_new(t, "number", json_string(num));
        json_object_set_new(t, "score", score_json(e->score));
        json_object_set_new(t, "max_score", score_json(e->max));
        if (!(e->max <= 0 && e->manual > 0)) /* words only: no verdict of ours */
            json_object_set_new(t, "status",
                                json_string(e->status == EL_GRADE_CORRECT ? "passed" : "failed"));
        json_object_set_new(t, "output", str_json(out ? out : ""));
        json_object_set_new(t, "visibility", json_string("visible"));
        json_array_append_new(tests, t);
        free(name);
        free(out);
    }
    json_object_set_new(o, "tests", tests);
    return o;
}

/* ---- writing ----------------------------------------------------------------------------- */

#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

char *el_grade_dump_json(const json_t *j)
{
    return json_dumps(j, DUMP_FLAGS);
}

int el_grade_write_json(const char *path, const json_t *j)
{
    char *s = el_grade_dump_json(j);
    if (!s)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    int st = grade_write_atomic(path, t, n + 1, 0644);
    free(t);
    return st;
}
