/* api.c -- the API's handlers: derive, contexts, exercises, grade.  Each
 * answers with the JSON the matching `elbolab ... --json` prints. */
#include "serve/serve_int.h"
#include "core/el_core.h"
#include "derive/el_derive.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ANSWERS 64 /* keys in one grade request */

void serve_derive(el_serve *s, const el_serve_request *req, el_serve_response *out)
{
    json_t *j = serve_body_object(req, out);
    if (!j)
        return;
    json_t *text = json_object_get(j, "text"), *ctx = json_object_get(j, "context");
    json_t *seed = json_object_get(j, "seed");
    const char *dirs[1] = { s->dir };
    el_derive_opts o = { .dirs = dirs, .ndirs = 1, .label = "" };
    if (!json_is_string(text))
        serve_error(out, 400, "\"text\" must be a string: the derivation.");
    else if (ctx && !json_is_null(ctx) && !json_is_string(ctx))
        serve_error(out, 400, "\"context\" must be a context's name.");
    else if (seed && !json_is_null(seed) &&
             (!json_is_integer(seed) || json_integer_value(seed) < 0))
        serve_error(out, 400, "\"seed\" must be a whole number >= 0.");
    else if (strlen(json_string_value(text)) != json_string_length(text))
        serve_error(out, 400, "\"text\" contains a NUL character.");
    if (out->body) {
        json_decref(j);
        return;
    }
    o.context = json_is_string(ctx) ? json_string_value(ctx) : NULL;
    o.seed = json_is_integer(seed) ? (unsigned long)json_integer_value(seed) : 0;
    el_derive_report rep;
    int st = el_derive_check(json_string_value(text), "(request)", &o, &rep);
    json_decref(j);
    if (st) {
        serve_error(out, st == EL_ELIMIT ? 413 : 400, "%s", el_errmsg());
        return;
    }
    serve_json(out, el_derive_report_json(&rep), JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    el_derive_report_free(&rep);
}

void serve_contexts(el_serve *s, el_serve_response *out)
{
    const char *dirs[1] = { s->dir };
    const char *const *names = el_context_builtin_names();
    json_t *a = json_array();
    for (size_t i = 0; names[i]; i++) {
        el_context *c = el_context_load(names[i], dirs, 1);
        json_array_append_new(
            a, json_pack("{s:s, s:s?}", "name", names[i], "title", c ? el_context_title(c) : NULL));
        el_context_free(c);
    }
    serve_json(out, a, JSON_INDENT(2));
}

static const char *part_kind(el_grade_part_kind k)
{
    static const char *const names[] = { "expression", "number", "truefalse",
                                         "choice",     "select", "derivation" };
    return (size_t)k < sizeof names / sizeof names[0] ? names[k] : "";
}

static json_t *parts_json(const el_grade_exercise *ex)
{
    json_t *a = json_array();
    for (size_t i = 0; i < ex->nparts; i++) {
        const el_grade_part *p = &ex->parts[i];
        json_t *opts = json_array();
        for (size_t k = 0; k < p->noptions; k++)
            json_array_append_new(
                opts, json_pack("{s:s, s:s}", "id", p->options[k].id, "text", p->options[k].text));
        json_array_append_new(a, json_pack("{s:s, s:s?, s:s, s:f, s:o}", "name", p->name, "title",
                                           p->title, "kind", part_kind(p->kind), "points",
                                           p->points, "options", opts));
    }
    return a;
}

void serve_exercises(el_serve *s, el_serve_response *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < el_grade_book_count(s->book); i++) {
        const el_grade_exercise *ex = el_grade_book_at(s->book, i);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:f, s:s?, s:o}", "id", ex->id, "title",
                                           ex->title, "kind", ex->kind, "points", ex->points,
                                           "context", ex->context, "parts", parts_json(ex)));
    }
    serve_json(out, a, JSON_INDENT(2));
}

/* The exercise ID of the book, or NULL after a 404 that suggests one. */
static const el_grade_exercise *find_exercise(el_serve *s, const char *id, el_serve_response *out)
{
    const el_grade_exercise *ex = el_grade_book_find(s->book, id);
    if (!ex) {
        const char *sug = el_grade_book_suggest(s->book, id);
        serve_error(out, 404, "There is no exercise '%.100s'%s%s%s.", id,
                    sug ? " (did you mean " : "", sug ? sug : "", sug ? "?)" : "");
    }
    return ex;
}

void serve_exercise(el_serve *s, const char *id, const char *student, el_serve_response *out)
{
    const el_grade_exercise *ex = find_exercise(s, id, out);
    if (!ex)
        return;
    char *st = el_grade_exercise_statement(ex, student);
    json_t *vars = json_array();
    for (size_t i = 0; i < ex->nvars; i++)
        json_array_append_new(vars, json_string(ex->vars[i].name));
    json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:s, s:s?, s:s?, s:s?, s:o, s:o}", "id", ex->id,
                          "title", ex->title, "kind", ex->kind, "points", ex->points, "student",
                          student ? student : "", "statement", st ? st : ex->statement, "context",
                          ex->context, "checked_by", ex->checked_by, "variables", vars, "parts",
                          parts_json(ex));
    free(st);
    serve_json(out, o, JSON_INDENT(2));
}

/* KEY normalised as answer files' keys are: lower case, '_' between words. */
static char *norm_key(const char *k)
{
    size_t n = strlen(k), m = 0;
    char *t = malloc(n + 1);
    int pending = 0;
    for (size_t i = 0; t && i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        if (c == ' ' || c == '\t' || c == '-' || c == '_') {
            pending = 1;
            continue;
        }
        if (pending && m > 0)
            t[m++] = '_';
        pending = 0;
        t[m++] = (char)tolower(c);
    }
    if (t)
        t[m] = '\0';
    return t;
}

/* The request's answers as an answer file with one section; -1 (with a 400
 * in OUT) when they are not {KEY: text}. */
static int build_answers(const el_grade_exercise *ex, json_t *answers, el_grade_answers *a,
                         el_serve_response *out)
{
    memset(a, 0, sizeof *a);
    if (!json_is_object(answers) || json_object_size(answers) > MAX_ANSWERS)
        return serve_error(out, 400, "\"answers\" must be an object {KEY: text} (at most %d keys).",
                           MAX_ANSWERS),
               -1;
    a->s = calloc(1, sizeof *a->s);
    if (!a->s)
        return -1;
    a->n = a->cap = 1;
    el_grade_answer_section *sec = &a->s[0];
    sec->id = strdup(ex->id);
    sec->raw = strdup(ex->id);
    sec->line = 1;
    size_t n = json_object_size(answers);
    sec->e = calloc(n ? n : 1, sizeof *sec->e);
    if (!sec->id || !sec->raw || !sec->e)
        return -1;
    sec->cap = n;
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v)
    {
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return serve_error(out, 400, "The answer '%.60s' must be a string.", key), -1;
        el_grade_answer_entry *e = &sec->e[sec->n++];
        e->key = norm_key(key);
        e->value = strdup(json_string_value(v));
        e->line = (int)sec->n + 1;
        if (!e->key || !e->value)
            return -1;
    }
    return 0;
}

static void grade_one(el_serve *s, const el_grade_exercise *ex, json_t *answers,
                      const char *student, el_serve_response *out)
{
    el_grade_answers a;
    if (build_answers(ex, answers, &a, out)) {
        el_grade_answers_free(&a);
        return;
    }
    char name[] = "request";
    const el_grade_exercise *list[1] = { ex };
    el_grade_exercise_set set = { .name = name, .title = name, .n = 1, .ex = list };
    el_grade_report r;
    int st = el_grade_score(s->book, &set, &a, student, "(request)", &r);
    el_grade_answers_free(&a);
    if (st) {
        serve_error(out, 500, "%s", el_errmsg());
        return;
    }
    json_t *j = el_grade_json(&r);
    el_grade_report_free(&r);
    out->body = el_grade_dump_json(j);
    json_decref(j);
    out->type = "application/json; charset=utf-8";
    out->len = out->body ? strlen(out->body) : 0;
    out->status = out->body ? 200 : 500;
}

void serve_grade(el_serve *s, const el_serve_request *req, el_serve_response *out)
{
    json_t *j = serve_body_object(req, out);
    if (!j)
        return;
    json_t *id = json_object_get(j, "exercise"), *student = json_object_get(j, "student");
    const el_grade_exercise *ex = NULL;
    if (!json_is_string(id))
        serve_error(out, 400, "\"exercise\" must be an exercise's id.");
    else if (student && !json_is_null(student) && !json_is_string(student))
        serve_error(out, 400, "\"student\" must be a string.");
    else
        ex = find_exercise(s, json_string_value(id), out);
    if (ex)
        grade_one(s, ex, json_object_get(j, "answers"), json_string_value(student), out);
    json_decref(j);
}
