/* answers.c -- answer files: INI-style or LaTeX with \answer{id}{...},
 * read forgivingly into one section per exercise id. */
#include "grade/util.h"
#include "grade/ini.h"
#include "core/el_core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- building the answers ---------------------------------------------------- */

static el_grade_answer_section *find_section(el_grade_answers *a, const char *id)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->s[i].id, id) == 0)
            return &a->s[i];
    return NULL;
}

/* The section for RAW_NAME (normalised), created at LINE if new. */
static el_grade_answer_section *section_for(el_grade_answers *a, const char *raw_name, int line)
{
    char *id = grade_norm_name(raw_name, '-');
    if (!id)
        return NULL;
    el_grade_answer_section *s = find_section(a, id);
    if (s) {
        grade_note(&a->notes, line, 0, "[%s] appears again (first at line %d): the two are merged",
                   id, s->line);
        free(id);
        return s;
    }
    if (grade_grow((void **)&a->s, &a->cap, a->n, sizeof *a->s)) {
        free(id);
        return NULL;
    }
    s = &a->s[a->n];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->raw = grade_clean(raw_name, strlen(raw_name), 120, 0);
    s->line = line;
    if (!s->raw) {
        free(id);
        return NULL;
    }
    a->n++;
    return s;
}

/* Adds KEY = VALUE (ERROR may be NULL) to S; a repeated key keeps the later
 * value, with a note.  Lines of text without a key are each kept (the
 * paragraphs of an answer in words; for other answers the grader reads the
 * last and notes the others). */
static int put_entry(el_grade_answers *a, el_grade_answer_section *s, const char *key,
                     const char *value, const char *error, int line, const char *remark,
                     int remark_line, const char *key_raw)
{
    el_grade_answer_entry *e = NULL;
    for (size_t i = 0; *key && i < s->n; i++)
        if (strcmp(s->e[i].key, key) == 0)
            e = &s->e[i];
    if (e) {
        grade_note(&a->notes, line, 0, "%s%s%s of [%s] is given again (line %d): line %d is graded",
                   *key ? "'" : "the answer", key, *key ? "'" : "", s->id, e->line, line);
        free(e->key);
        free(e->value);
        free(e->error);
        free(e->remark);
        free(e->key_raw);
    } else {
        if (grade_grow((void **)&s->e, &s->cap, s->n, sizeof *s->e))
            return -1;
        e = &s->e[s->n++];
    }
    e->key = grade_strdup(key);
    e->value = grade_strdup(value);
    e->error = error ? grade_strdup(error) : NULL;
    e->line = line;
    e->remark = remark ? grade_strdup(remark) : NULL;
    e->remark_line = remark_line;
    e->key_raw = key_raw ? grade_strdup(key_raw) : NULL;
    if (!e->key || !e->value || (error && !e->error) || (remark && !e->remark) ||
        (key_raw && !e->key_raw))
        return -1;
    return 0;
}

static int is_student_key(const char *k)
{
    static const char *const keys[] = { "student", "student_id", "studentid", "sid",
                                        "id",      "email",      "name",      NULL };
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(k, keys[i]) == 0)
            return 1;
    return 0;
}

/* What comes before the first section: a student id, or stray text. */
static int read_preamble(el_grade_answers *a, const ini_section *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        if (is_student_key(e->key) && *e->value && !e->error) {
            if (!a->student || strcmp(e->key, "name") != 0) {
                free(a->student);
                a->student = grade_clean(e->value, strlen(e->value), 200, 0);
                if (!a->student)
                    return -1;
            }
        } else if (*e->key) {
            grade_note(&a->notes, e->line, 0, "'%s' is outside any [exercise] section: ignored",
                       e->key);
        } else {
            grade_note(&a->notes, e->line, 0, "text outside any [exercise] section: ignored");
        }
    }
    return 0;
}

static int from_ini(el_grade_answers *a, const ini_file *f)
{
    if (read_preamble(a, &f->s[0]))
        return -1;
    for (size_t i = 1; i < f->n; i++) {
        const ini_section *src = &f->s[i];
        if (!*src->name) {
            grade_note(&a->notes, src->line, 1,
                       "a section without a name ([]): its answers are ignored");
            continue;
        }
        el_grade_answer_section *s = section_for(a, src->name, src->line);
        if (!s)
            return -1;
        for (size_t j = 0; j < src->n; j++)
            if (put_entry(a, s, src->e[j].key, src->e[j].value, src->e[j].error, src->e[j].line,
                          src->e[j].remark, src->e[j].remark_line, src->e[j].key_raw))
                return -1;
    }
    for (size_t i = 0; i < f->notes.n; i++)
        grade_note(&a->notes, f->notes.v[i].line, f->notes.v[i].error, "%s", f->notes.v[i].text);
    a->notes.dropped += f->notes.dropped;
    return 0;
}

/* ---- LaTeX: \answer{id}{content} -------------------------------------------- */

/* Skips spaces, newlines and %-comments from *I; counts lines. */
static void skip_blank(const char *t, size_t n, size_t *i, int *line)
{
    while (*i < n) {
        if (t[*i] == '\n') {
            (*line)++;
            (*i)++;
        } else if (isspace((unsigned char)t[*i])) {
            (*i)++;
        } else if (t[*i] == '%') {
            while (*i < n && t[*i] != '\n')
                (*i)++;
        } else {
            break;
        }
    }
}

/* Reads a brace group at *I (which is '{'): its content without %-comments
 * into B, newlines as spaces.  -1 when the group never closes. */
static int read_group(const char *t, size_t n, size_t *i, int *line, gbuf *b)
{
    int depth = 0;
    gbuf_add(b, "", 0);
    for (; *i < n; (*i)++) {
        char c = t[*i];
        if (c == '\\' && *i + 1 < n) {
            gbuf_add(b, t + *i, 1);
            gbuf_add(b, (t[*i + 1] == '\n' || t[*i + 1] == '\r') ? " " : t + *i + 1, 1);
            if (t[*i + 1] == '\n')
                (*line)++;
            (*i)++;
            continue;
        }
        if (c == '%') {
            while (*i + 1 < n && t[*i + 1] != '\n')
                (*i)++;
            continue;
        }
        if (c == '\n')
            (*line)++;
        if (c == '{' && depth++ == 0)
            continue;
        if (c == '}' && --depth == 0) {
            (*i)++;
            return 0;
        }
        gbuf_add(b, (c == '\n' || c == '\r' || c == '\t') ? " " : &t[*i], 1);
    }
    return -1;
}

/* One \answer at *I (just past the word): adds its entry. */
static int read_tex_answer(el_grade_answers *a, const char *t, size_t n, size_t *i, int *line)
{
    int at = *line;
    gbuf id = { 0 }, body = { 0 };
    skip_blank(t, n, i, line);
    if (*i >= n || t[*i] != '{')
        return 0; /* \newcommand{\answer}..., \answer[..: not an answer */
    int bad = read_group(t, n, i, line, &id);
    if (!bad) {
        skip_blank(t, n, i, line);
        bad = (*i >= n || t[*i] != '{') ? 1 : read_group(t, n, i, line, &body);
    }
    int st = 0;
    if (id.oom || body.oom) {
        st = -1;
    } else if (bad) {
        grade_note(&a->notes, at, 1, "\\answer{%.60s}: its second {...} is missing or never closed",
                   id.s ? id.s : "");
    } else {
        /* "id.key", "id:key" or "id/key" names one part of a multi-part exercise */
        char *sep = strpbrk(id.s, ".:/");
        const char *key = "";
        if (sep) {
            *sep = '\0';
            key = sep + 1;
        }
        char *nkey = grade_norm_name(key, '_');
        el_grade_answer_section *s = nkey && *id.s ? section_for(a, id.s, at) : NULL;
        if (!*id.s)
            grade_note(&a->notes, at, 1, "\\answer{}{...} without an exercise id: ignored");
        else if (!s || put_entry(a, s, nkey, body.s, NULL, at, NULL, 0, NULL))
            st = -1;
        free(nkey);
    }
    free(id.s);
    free(body.s);
    return st;
}

static int from_tex(el_grade_answers *a, const char *t, size_t n)
{
    int line = 1;
    static const char word[] = "\\answer";
    const size_t wl = sizeof word - 1;
    for (size_t i = 0; i < n;) {
        if (t[i] == '\n') {
            line++;
            i++;
        } else if (t[i] == '\\' && i + 1 < n && t[i + 1] != 'a') {
            i += 2; /* an escaped character (\%, \\, \{) or another command */
        } else if (t[i] == '%') {
            while (i < n && t[i] != '\n')
                i++;
        } else if (n - i > wl && memcmp(t + i, word, wl) == 0 &&
                   !isalpha((unsigned char)t[i + wl])) {
            i += wl;
            if (read_tex_answer(a, t, n, &i, &line))
                return -1;
        } else {
            i++;
        }
    }
    if (a->n == 0)
        grade_note(&a->notes, 0, 1, "no \\answer{exercise-id}{...} found in this LaTeX file");
    return 0;
}

/* ---- entry points ---------------------------------------------------------------- */

static int ends_with_tex(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 4 && (strcmp(name + n - 4, ".tex") == 0 || strcmp(name + n - 4, ".TEX") == 0);
}

/* 1 when TEXT looks like LaTeX rather than INI (given its INI reading F). */
static int looks_tex(const char *t, size_t n, const ini_file *f)
{
    int has_answer = 0, has_doc = 0;
    for (size_t i = 0; i + 8 <= n; i++) {
        if (t[i] != '\\')
            continue;
        if (memcmp(t + i, "\\answer{", 8) == 0 || memcmp(t + i, "\\answer ", 8) == 0)
            has_answer = 1;
        if (i + 14 <= n && memcmp(t + i, "\\documentclass", 14) == 0)
            has_doc = 1;
    }
    return has_doc || (has_answer && f->n <= 1);
}

/* 1 when T is binary data rather than text: NUL bytes, control characters
 * or invalid UTF-8 make up more than 5% of it. */
static int looks_binary(const char *t, size_t n)
{
    if (n < 16)
        return 0;
    size_t bad = 0;
    char *clean = grade_clean(t, n, n + 1, 1);
    if (!clean)
        return 0;
    for (const char *p = clean; *p; p++) /* U+FFFD marks an invalid byte */
        bad += !strncmp(p, "\xEF\xBF\xBD", 3);
    free(clean);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        bad += c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f';
    }
    return bad * 20 > n;
}

int el_grade_answers_parse(const char *text, size_t len, const char *format_hint,
                           el_grade_answers *out)
{
    memset(out, 0, sizeof *out);
    char *owned;
    const char *t;
    size_t n;
    if (grade_decode(text, len, &owned, &t, &n))
        return EL_ENOMEM;
    if (looks_binary(t, n)) {
        grade_note(&out->notes, 0, 1,
                   "this is not a text file (it holds binary data): write your "
                   "answers in a plain-text file (UTF-8), one [exercise-id] section per exercise");
        free(owned);
        return EL_OK;
    }
    ini_file f;
    int st = ini_parse(t, n, &f);
    if (!st) {
        if (ends_with_tex(format_hint) || looks_tex(t, n, &f)) {
            out->format = EL_GRADE_ANSWERS_TEX;
            st = from_tex(out, t, n);
        } else {
            st = from_ini(out, &f);
        }
        ini_free(&f);
    }
    free(owned);
    if (st)
        return EL_ERROR(EL_ENOMEM, "out of memory reading answers");
    return EL_OK;
}

int el_grade_answers_read(const char *path, el_grade_answers *out)
{
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    int st = grade_slurp(path, EL_GRADE_MAX_FILE, &text, &len);
    if (st == EL_ELIMIT)
        return EL_ERROR(EL_ELIMIT, "%s is larger than %u MB: not an answer file", path,
                        EL_GRADE_MAX_FILE >> 20);
    if (st)
        return st;
    st = el_grade_answers_parse(text, len, path, out);
    free(text);
    return st;
}

void el_grade_answers_free(el_grade_answers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        for (size_t j = 0; j < a->s[i].n; j++) {
            free(a->s[i].e[j].key);
            free(a->s[i].e[j].value);
            free(a->s[i].e[j].error);
            free(a->s[i].e[j].remark);
            free(a->s[i].e[j].key_raw);
        }
        free(a->s[i].e);
        free(a->s[i].id);
        free(a->s[i].raw);
    }
    free(a->s);
    free(a->student);
    grade_notes_free(&a->notes);
    memset(a, 0, sizeof *a);
}

const el_grade_answer_section *el_grade_answers_find(const el_grade_answers *a, const char *id)
{
    char *n = grade_norm_name(id, '-');
    const el_grade_answer_section *s = n ? find_section((el_grade_answers *)a, n) : NULL;
    free(n);
    return s;
}
