/* score.c -- grading a whole submission: matching the file's sections
 * to the set's exercises and its keys to their parts, then scoring each
 * part by its kind. */
#include "grade/util.h"
#include "grade/parts.h"
#include "grade/derivation.h"
#include "grade/code.h"
#include "core/el_core.h"

#include <math.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VIRTUAL 16

/* ---- which entry answers which part ---------------------------------------------- */

/* An entry of a section, or a piece "key = value" cut out of one. */
typedef struct {
    char *key;
    char *value;
    const char *error;
    int line;
    int used;
    const char *remark; /* lines after it that do not continue it, or NULL */
    int remark_line;
    const char *key_raw; /* its key as written ("Pros:"), or NULL */
} entry;

static int key_is(const char *key, const el_grade_part *p)
{
    char *k = grade_norm_name(key, '_'), *n = grade_norm_name(p->name, '_');
    int same = k && n && !strcmp(k, n);
    for (size_t i = 0; k && !same && i < p->naliases; i++) {
        char *a = grade_norm_name(p->aliases[i], '_');
        same = a && !strcmp(a, k);
        free(a);
    }
    free(k);
    free(n);
    return same;
}

static int generic_key(const char *key)
{
    static const char *const keys[] = { "",         "answer", "ans",   "a",
                                        "solution", "result", "value", NULL };
    for (size_t i = 0; keys[i]; i++)
        if (!strcmp(key, keys[i]))
            return 1;
    return 0;
}

/* Cuts "k1 = v1, k2 = v2" (separated by , ; \\ or line breaks outside
 * brackets) into entries when every piece names a part of EX, its key
 * prefixed by PREFIX when not empty ("inclusive" + "mu"); 0 if it does not. */
static size_t split_pairs(const el_grade_exercise *ex, const char *prefix,
                          const el_grade_answer_entry *src, entry *out, size_t cap)
{
    const char *s = src->value;
    size_t n = 0, start = 0;
    int depth = 0;
    for (size_t i = 0;; i++) {
        char c = s[i];
        if (c == '(' || c == '{' || c == '[')
            depth++;
        else if ((c == ')' || c == '}' || c == ']') && depth > 0)
            depth--;
        int cut = c == '\0' || c == '\n' ||
                  (depth == 0 && (c == ';' || c == ',' || (c == '\\' && s[i + 1] == '\\')));
        if (!cut)
            continue;
        const char *eq = memchr(s + start, '=', i - start);
        if (!eq && strspn(s + start, " \t\r") == i - start) { /* an empty piece */
            if (c == '\0')
                break;
            start = i + 1;
            continue;
        }
        if (!eq || n == cap)
            goto fail;
        gbuf kb = { 0 };
        gbuf_printf(&kb, "%s%s%.*s", prefix, *prefix ? "_" : "", (int)((size_t)(eq - s) - start),
                    s + start);
        char *k = gbuf_take(&kb);
        char *nk = k ? grade_norm_name(k, '_') : NULL;
        free(k);
        int known = 0;
        for (size_t p = 0; nk && p < ex->nparts; p++)
            known |= key_is(nk, &ex->parts[p]);
        if (!known) {
            free(nk);
            goto fail;
        }
        out[n++] = (entry){
            nk, grade_strndup(eq + 1, i - (size_t)(eq + 1 - s)), NULL, src->line, 0, NULL, 0, NULL
        };
        if (c == '\0')
            break;
        if (c == '\\')
            i++;
        start = i + 1;
    }
    return n;
fail:
    for (size_t i = 0; i < n; i++) {
        free(out[i].key);
        free(out[i].value);
    }
    return 0;
}

/* The entries of section S as a flat list (pairs split for multi-part EX). */
static size_t collect(const el_grade_exercise *ex, const el_grade_answer_section *s, entry **out)
{
    size_t cap = s->n + MAX_VIRTUAL, n = 0;
    entry *v = calloc(cap + 1, sizeof *v);
    if (!v)
        return 0;
    for (size_t i = 0; i < s->n; i++) {
        const el_grade_answer_entry *e = &s->e[i];
        if (ex->nparts > 1 && !e->error && strchr(e->value, '=')) {
            size_t k = split_pairs(ex, generic_key(e->key) ? "" : e->key, e, v + n, cap - n);
            if (k) {
                n += k;
                continue;
            }
        }
        if (n < cap)
            v[n++] = (entry){ grade_strdup(e->key),
                              grade_strdup(e->value),
                              e->error,
                              e->line,
                              0,
                              e->remark,
                              e->remark_line,
                              e->key_raw };
    }
    *out = v;
    return n;
}

/* The entry answering part P: its own key or alias, else (single-part
 * exercise) a generic key or the only entry.  NULL if none. */
static entry *entry_for(const el_grade_exercise *ex, const el_grade_part *p, entry *v, size_t n)
{
    for (size_t i = n; i-- > 0;)
        if (v[i].key && key_is(v[i].key, p))
            return &v[i];
    if (ex->nparts > 1)
        return NULL;
    for (size_t i = n; i-- > 0;)
        if (v[i].key && generic_key(v[i].key))
            return &v[i];
    return n == 1 ? &v[0] : NULL;
}

/* ---- one exercise ---------------------------------------------------------------------- */

/* A text part: the words verbatim for the instructor, out of no automatic points. */
static void collect_text(const el_grade_part *p, const entry *e, el_grade_part_result *r)
{
    r->manual = 1;
    r->manual_points = p->points;
    r->max = 0.0;
    if (!e || e->error || !*e->value) {
        r->status = e && e->error ? EL_GRADE_UNREADABLE : EL_GRADE_MISSING;
        r->feedback = grade_strdup(e && e->error ? e->error : "No answer.");
        return;
    }
    r->status = EL_GRADE_MANUAL;
    r->answer = grade_clean(e->value, strlen(e->value), 300, 0);
    r->text = grade_clean(e->value, strlen(e->value), 20000, 1);
}

static void grade_part(const el_grade_exercise *ex, const el_grade_part *p, const entry *e,
                       const char *student, el_grade_part_result *r)
{
    r->name = grade_strdup(p->name);
    r->max = p->points;
    r->score = 0.0;
    if (p->kind == EL_GRADE_PART_TEXT) {
        collect_text(p, e, r);
        return;
    }
    if (!e || (!e->error && !*e->value)) {
        r->status = EL_GRADE_MISSING;
        r->feedback = grade_strdup(e ? "The answer is empty." : "No answer.");
        return;
    }
    r->answer = grade_clean(e->value, strlen(e->value), 300, 0);
    if (e->error) {
        r->status = EL_GRADE_UNREADABLE;
        r->feedback = grade_strdup(e->error);
        return;
    }
    switch (p->kind) {
    case EL_GRADE_PART_EXPRESSION:
        if (ex->context)
            grade_context_expression(ex, p, e->value, student, r);
        else
            grade_expression(ex, p, e->value, student, r);
        break;
    case EL_GRADE_PART_DERIVATION: grade_derivation(ex, p, e->value, student, r); break;
    case EL_GRADE_PART_CODE: break; /* graded with its exercise (grade_code_one) */
    case EL_GRADE_PART_NUMBER: grade_number_part(ex, p, e->value, student, r); break;
    case EL_GRADE_PART_TRUEFALSE: grade_truefalse(ex, p, e->value, r); break;
    case EL_GRADE_PART_CHOICE: grade_choice(p, e->value, r); break;
    case EL_GRADE_PART_SELECT: grade_select(p, e->value, r); break;
    case EL_GRADE_PART_TEXT: break; /* collected above */
    }
    r->score = el_grade_round(r->score);
    if (r->feedback) { /* whatever a grader wrote, keep it printable */
        char *c = grade_clean(r->feedback, strlen(r->feedback), 2000, 0);
        free(r->feedback);
        r->feedback = c;
    }
}

void grade_part_answer(const el_grade_exercise *ex, const el_grade_part *p, const char *text,
                       const char *student, el_grade_part_result *r)
{
    entry e = { NULL, (char *)text, NULL, 0, 0, NULL, 0, NULL };
    memset(r, 0, sizeof *r);
    grade_part(ex, p, &e, student, r);
}

void grade_part_result_free(el_grade_part_result *r)
{
    free(r->name);
    free(r->answer);
    free(r->feedback);
    free(r->text);
    memset(r, 0, sizeof *r);
}

static el_grade_status overall(const el_grade_exercise_result *r)
{
    size_t missing = 0, unread = 0, manual = 0;
    for (size_t i = 0; i < r->nparts; i++) {
        missing += r->parts[i].status == EL_GRADE_MISSING;
        unread += r->parts[i].status == EL_GRADE_UNREADABLE;
        manual += r->parts[i].manual;
    }
    if (manual == r->nparts && missing + unread < r->nparts)
        return EL_GRADE_MANUAL; /* words only, some given: the instructor's to grade */
    if (r->max > 0 && r->score >= r->max)
        return EL_GRADE_CORRECT;
    if (r->score > 0)
        return EL_GRADE_PARTIAL;
    if (missing == r->nparts)
        return EL_GRADE_MISSING;
    if (missing + unread == r->nparts)
        return EL_GRADE_UNREADABLE;
    return EL_GRADE_WRONG;
}

static void part_list(const el_grade_exercise *ex, gbuf *b)
{
    for (size_t i = 0; i < ex->nparts; i++)
        gbuf_printf(b, "%s%s", i ? ", " : "", ex->parts[i].name);
}

/* The lines after E's value that do not continue it: the next items of a
 * selection written one per line, else a remark (said in a note). */
static void take_remark(const el_grade_part *p, entry *e, el_grade_notes *notes)
{
    if (p->kind != EL_GRADE_PART_SELECT && p->kind != EL_GRADE_PART_TEXT) {
        grade_note(notes, e->remark_line, 0,
                   "this line is read as a remark, not as part of the answer on line %d "
                   "(indent it to continue that answer)",
                   e->line);
        return;
    }
    gbuf b = { 0 };
    gbuf_printf(&b, "%s\n%s", e->value, e->remark);
    char *v = gbuf_take(&b);
    if (v) {
        free(e->value);
        e->value = v;
    }
}

/* Scales part result R by the set's points for its exercise (SCALE = the
 * set's points / the exercise's own). */
static void scale_part(el_grade_part_result *r, double scale)
{
    if (scale == 1.0)
        return;
    r->score = el_grade_round(r->score * scale);
    r->max = el_grade_round(r->max * scale);
    r->manual_points = el_grade_round(r->manual_points * scale);
}

/* A text answer runs over blank lines: the section's bare lines of text
 * (paragraphs without a key) join E, in the file's order; in an exercise
 * that is one text part (PROSE), so do lines that only look like keys
 * ("Pros: ..."), as written. */
static void join_paragraphs(const el_grade_part *p, entry *e, entry *v, size_t n, int prose)
{
    gbuf b = { 0 };
    size_t joined = 0;
    for (size_t j = 0; j < n; j++) {
        int bare = v[j].key && !v[j].used && !v[j].error && (!*v[j].key || (prose && v[j].key_raw));
        if (&v[j] != e && !bare)
            continue;
        const char *sep = b.s && *b.s ? "\n\n" : "";
        int keyed = *v[j].key && v[j].key_raw && !generic_key(v[j].key) && !key_is(v[j].key, p);
        if (keyed && (&v[j] != e || prose))
            gbuf_printf(&b, "%s%s %s", sep, v[j].key_raw, v[j].value ? v[j].value : "");
        else if (v[j].value && *v[j].value)
            gbuf_printf(&b, "%s%s", sep, v[j].value);
        v[j].used = 1;
        joined += &v[j] != e;
    }
    if (b.s && (joined || prose)) {
        free(e->value);
        e->value = gbuf_take(&b);
    } else {
        free(b.s);
    }
}

static int grade_one(const el_grade_exercise *ex, const el_grade_answer_section *s,
                     const char *student, double scale, el_grade_exercise_result *r,
                     el_grade_notes *notes)
{
    if (ex->code) /* a program: run once, every part from that run (code.c) */
        return grade_code_one(ex, s, r, notes);
    r->ex = ex;
    r->max = 0.0;
    r->parts = calloc(ex->nparts, sizeof *r->parts);
    if (!r->parts)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    r->nparts = ex->nparts;
    entry *v = NULL;
    size_t n = s ? collect(ex, s, &v) : 0;
    for (size_t i = 0; i < ex->nparts; i++) {
        entry *e = entry_for(ex, &ex->parts[i], v, n);
        if (!e && n && ex->nparts == 1 && ex->parts[i].kind == EL_GRADE_PART_TEXT)
            e = &v[0]; /* words only, whatever their first line looks like */
        if (e)
            e->used = 1;
        if (e && e->remark)
            take_remark(&ex->parts[i], e, notes);
        if (e && ex->parts[i].kind == EL_GRADE_PART_TEXT)
            join_paragraphs(&ex->parts[i], e, v, n, ex->nparts == 1);
        grade_part(ex, &ex->parts[i], e, student, &r->parts[i]);
        scale_part(&r->parts[i], scale);
        r->score += r->parts[i].score;
        r->max += r->parts[i].max;
        r->manual += r->parts[i].manual_points;
    }
    for (size_t i = 0; i < n; i++) {
        if (!v[i].used) {
            gbuf b = { 0 };
            part_list(ex, &b);
            grade_note(notes, v[i].line, 0,
                       "%s%s%s in [%s] is not graded (this exercise's answer keys: %s)",
                       *v[i].key ? "'" : "text", v[i].key, *v[i].key ? "'" : "", ex->id,
                       b.s ? b.s : "");
            free(b.s);
        }
        free(v[i].key);
        free(v[i].value);
    }
    free(v);
    r->score = el_grade_round(r->score);
    r->max = el_grade_round(r->max);
    r->status = overall(r);
    return EL_OK;
}

/* ---- the submission ------------------------------------------------------------------------- */

/* The exercise a section id names: itself, or without a leading word such as
 * "exercise-" / "problem-", or NULL. */
static const el_grade_exercise *exercise_of(const el_grade_book *c, const char *id)
{
    static const char *const prefixes[] = { "exercise-", "problem-", "question-", "ex-",
                                            "q-",        "task-",    NULL };
    const el_grade_exercise *ex = el_grade_book_find(c, id);
    for (size_t i = 0; !ex && prefixes[i]; i++)
        if (!strncmp(id, prefixes[i], strlen(prefixes[i])))
            ex = el_grade_book_find(c, id + strlen(prefixes[i]));
    return ex;
}

static int in_set(const el_grade_exercise_set *set, const el_grade_exercise *ex)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->ex[i] == ex)
            return 1;
    return 0;
}

/* Notes for sections that are not graded: unknown ids, other sets. */
static void note_sections(const el_grade_book *c, const el_grade_exercise_set *set,
                          const el_grade_answers *a, const el_grade_answer_section **by_ex,
                          el_grade_notes *notes)
{
    for (size_t i = 0; i < a->n; i++) {
        const el_grade_answer_section *s = &a->s[i];
        const el_grade_exercise *ex = exercise_of(c, s->id);
        if (!ex) {
            const char *sug = el_grade_book_suggest(c, s->id);
            grade_note(notes, s->line, 1, "unknown exercise [%s]%s%s%s", s->raw,
                       sug ? " (did you mean [" : "", sug ? sug : "", sug ? "]?)" : "");
        } else if (!in_set(set, ex)) {
            grade_note(notes, s->line, 0, "[%s] is not part of the set '%s': not graded", ex->id,
                       set->name);
        } else {
            for (size_t k = 0; k < set->n; k++)
                if (set->ex[k] == ex && by_ex[k] != s)
                    grade_note(notes, s->line, 0, "[%s] answers %s again: the first one is graded",
                               s->raw, ex->id);
        }
    }
}

/* The lines of section S in the file: from its header to the line before
 * the next section's header (the last section runs to the end). */
static void section_lines(const el_grade_answers *a, const el_grade_answer_section *s,
                          el_grade_exercise_result *r)
{
    int to = INT_MAX;
    for (size_t i = 0; i < a->n; i++)
        if (a->s[i].line > s->line && a->s[i].line - 1 < to)
            to = a->s[i].line - 1;
    for (size_t i = 0; i < s->n; i++) /* a merged duplicate section reaches further */
        if (s->e[i].line > to)
            to = s->e[i].line;
    r->line_from = s->line;
    r->line_to = to;
}

/* The note that says the file's `student =` line is not the identity used. */
static void note_identity(const el_grade_answers *a, const el_grade_report *r,
                          el_grade_notes *notes)
{
    if (!a->student || !*a->student || grade_same_student(a->student, r->student))
        return;
    const char *src = r->identity_source;
    grade_note(notes, 0, 0,
               "the file says `student = %s`, but the variants graded are those of '%s' "
               "(from %s)",
               a->student, r->student,
               !strcmp(src, "--student")  ? "--student"
               : !strcmp(src, "platform") ? "the platform's submission metadata"
               : !strcmp(src, "name")     ? "the file's name"
                                          : "the default");
}

int el_grade_score_as(const el_grade_book *c, const el_grade_exercise_set *set,
                      const el_grade_answers *a, const el_grade_identity *id,
                      const el_grade_origin *from, const char *source, el_grade_report *out)
{
    memset(out, 0, sizeof *out);
    el_gsl_init();
    const char *how = "none";
    int st = grade_identity_resolve(id, a->student, from, &out->student, &how);
    const char *who = out->student ? out->student : "";
    out->identity_source = grade_strdup(how);
    out->source = grade_clean(source ? source : "", strlen(source ? source : ""), 300, 0);
    out->set = grade_strdup(set->name);
    out->ex = calloc(set->n + 1, sizeof *out->ex);
    const el_grade_answer_section **by_ex = calloc(set->n + 1, sizeof *by_ex);
    if (!st && !(out->source && out->identity_source && out->set && out->ex && by_ex))
        st = EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < a->notes.n; i++)
        grade_note(&out->notes, a->notes.v[i].line, a->notes.v[i].error, "%s", a->notes.v[i].text);
    out->notes.dropped += a->notes.dropped;
    if (!st)
        note_identity(a, out, &out->notes);
    for (size_t k = 0; !st && k < set->n; k++)
        for (size_t i = 0; !by_ex[k] && i < a->n; i++)
            if (exercise_of(c, a->s[i].id) == set->ex[k])
                by_ex[k] = &a->s[i];
    if (!st)
        note_sections(c, set, a, by_ex, &out->notes);
    for (size_t k = 0; !st && k < set->n; k++)
        if (by_ex[k])
            section_lines(a, by_ex[k], &out->ex[k]);
    for (size_t k = 0; !st && k < set->n; k++) {
        double own = set->ex[k]->points, pts = el_grade_set_points(set, k, NULL);
        st = grade_one(set->ex[k], by_ex[k], who, own > 0 ? pts / own : 1.0, &out->ex[k],
                       &out->notes);
        out->n = k + 1;
        out->score += out->ex[k].score;
        out->max += out->ex[k].max;
        out->manual += out->ex[k].manual;
    }
    free(by_ex);
    out->score = el_grade_round(out->score);
    if (st)
        el_grade_report_free(out);
    return st;
}

int el_grade_score(const el_grade_book *c, const el_grade_exercise_set *set,
                   const el_grade_answers *a, const char *student, const char *source,
                   el_grade_report *out)
{
    el_grade_identity id = { EL_GRADE_ID_STUDENT_LINE, student };
    return el_grade_score_as(c, set, a, &id, NULL, source, out);
}

/* The platform's id for the file at PATH: the metadata beside it, else
 * above its folder when that folder is a Gradescope `submission`. */
static char *platform_near(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? grade_strndup(path, (size_t)(slash - path)) : grade_strdup(".");
    if (!dir)
        return NULL;
    char *who = el_grade_platform_id(*dir ? dir : "/");
    const char *up = strrchr(dir, '/');
    if (!who && !strcmp(up ? up + 1 : dir, "submission")) {
        if (up) {
            dir[up - dir] = '\0';
            who = el_grade_platform_id(*dir ? dir : "/");
        } else {
            who = el_grade_platform_id(".");
        }
    }
    free(dir);
    return who;
}

int grade_file_named(const el_grade_book *c, const el_grade_exercise_set *set, const char *path,
                     const char *name, const el_grade_identity *id, el_grade_report *out)
{
    el_grade_answers a;
    memset(out, 0, sizeof *out);
    int st = grade_code_read_answers(set, path, &a); /* answers, or a .py (code.c) */
    if (!st) {
        int platform = id && id->rule == EL_GRADE_ID_PLATFORM;
        char *who = platform ? platform_near(path) : NULL;
        el_grade_origin from = { name ? name : path, who };
        st = el_grade_score_as(c, set, &a, id, &from, path, out);
        free(who);
    }
    el_grade_answers_free(&a);
    return st;
}

int el_grade_file(const el_grade_book *c, const el_grade_exercise_set *set, const char *path,
                  const el_grade_identity *id, el_grade_report *out)
{
    return grade_file_named(c, set, path, NULL, id, out);
}

void el_grade_report_free(el_grade_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < r->ex[i].nparts; j++) {
            free(r->ex[i].parts[j].name);
            free(r->ex[i].parts[j].answer);
            free(r->ex[i].parts[j].feedback);
            free(r->ex[i].parts[j].text);
        }
        free(r->ex[i].parts);
    }
    free(r->ex);
    free(r->source);
    free(r->student);
    free(r->identity_source);
    free(r->set);
    grade_notes_free(&r->notes);
    memset(r, 0, sizeof *r);
}
