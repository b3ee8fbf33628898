/* ini.c -- a forgiving INI reader for answer and exercise files.
 *
 * Hand-written rather than libinih: students' files need things inih does
 * not give (line numbers on every value, unlimited line length with a clear
 * refusal past a limit, UTF-16 files, bare answers without a key, `key:`
 * with the value on the next lines), and the reader must survive fuzzing. */
#include "grade/util.h"
#include "grade/ini.h"
#include "core/el_core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SECTIONS        2000
#define MAX_ENTRIES         5000
#define MAX_SECTION_ENTRIES 256
#define MAX_KEY             64

/* ---- decoding -------------------------------------------------------------- */

/* Appends code point C to B as UTF-8. */
static void put_utf8(gbuf *b, unsigned long c)
{
    char u[4];
    size_t k;
    if (c < 0x80) {
        u[0] = (char)c;
        k = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3F));
        k = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        k = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[3] = (char)(0x80 | (c & 0x3F));
        k = 4;
    }
    gbuf_add(b, u, k);
}

/* UTF-16 (BIG_ENDIAN or not) text after its byte-order mark, as UTF-8.
 * Unpaired surrogates become U+FFFD.  NULL when out of memory. */
static char *from_utf16(const unsigned char *s, size_t n, int big_endian, size_t *outlen)
{
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned long c = big_endian ? (unsigned long)(s[i] << 8 | s[i + 1])
                                     : (unsigned long)(s[i + 1] << 8 | s[i]);
        if (c >= 0xD800 && c < 0xDC00 && i + 3 < n) {
            unsigned long d = big_endian ? (unsigned long)(s[i + 2] << 8 | s[i + 3])
                                         : (unsigned long)(s[i + 3] << 8 | s[i + 2]);
            if (d >= 0xDC00 && d < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i += 2;
            } else {
                c = 0xFFFD;
            }
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        put_utf8(&b, c);
    }
    *outlen = b.n;
    return gbuf_take(&b);
}

/* ---- building the result ------------------------------------------------------ */

static ini_section *add_section(ini_file *f, const char *name, size_t n, int line)
{
    if (grade_grow((void **)&f->s, &f->cap, f->n, sizeof *f->s))
        return NULL;
    ini_section *s = &f->s[f->n];
    memset(s, 0, sizeof *s);
    s->name = grade_strndup(name, n);
    if (!s->name)
        return NULL;
    s->line = line;
    f->n++;
    return s;
}

static ini_entry *add_entry(ini_section *s, const char *key, size_t klen, int line)
{
    if (grade_grow((void **)&s->e, &s->cap, s->n, sizeof *s->e))
        return NULL;
    char *raw = grade_strndup(key, klen);
    char *k = raw ? grade_norm_name(raw, '_') : NULL;
    free(raw);
    for (char *p = k; p && *p; p++) /* "dt/dmu" is the key dt_dmu */
        if (*p == '/')
            *p = '_';
    char *v = grade_strdup("");
    if (!k || !v) {
        free(k);
        free(v);
        return NULL;
    }
    ini_entry *e = &s->e[s->n++];
    *e = (ini_entry){ k, v, NULL, line, NULL, 0, NULL };
    if (klen) { /* as written, for answers in words ("Pros: ...") */
        size_t sep = klen;
        while (key[sep] == ' ' || key[sep] == '\t')
            sep++;
        e->key_raw = grade_strndup(key, klen + 1);
        if (e->key_raw)
            e->key_raw[klen] = key[sep] == ':' ? ':' : '=';
    }
    return e;
}

/* ---- one line ----------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Trims spaces on both ends of [*s, *s + *n). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Length of the key when [s, s+n) starts with `key =` or `key:`, else 0;
 * *VAL gets the offset of the value. */
static size_t key_prefix(const char *s, size_t n, size_t *val)
{
    size_t i = 0;
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    while (i < n && i <= MAX_KEY &&
           (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.' ||
            s[i] == ' ' || s[i] == '/'))
        i++;
    if (i >= n || i > MAX_KEY || (s[i] != '=' && s[i] != ':'))
        return 0;
    if (s[i] == ':' && i + 1 < n && s[i + 1] == '=') /* `key := value` */
        *val = i + 2;
    else
        *val = i + 1;
    size_t k = i;
    while (k && s[k - 1] == ' ')
        k--;
    return k;
}

/* The value part of one physical line: an inline ` # comment` removed. */
static size_t strip_inline_comment(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] == '#' && is_space(s[i - 1]) && (i + 1 == n || is_space(s[i + 1])))
            return i;
    return n;
}

/* Appends a piece of value text to E (after a newline when E is not empty). */
static int append_value(ini_entry *e, const char *s, size_t n)
{
    n = strip_inline_comment(s, n);
    trim(&s, &n);
    if (n == 0 || e->error)
        return 0;
    size_t old = strlen(e->value);
    if (old + n + 1 > EL_GRADE_MAX_LINE) {
        free(e->value);
        e->value = grade_strdup("");
        e->error = grade_strdup("the value is too long (the limit is 65536 characters)");
        return (e->value && e->error) ? 0 : -1;
    }
    char *v = realloc(e->value, old + n + 2);
    if (!v)
        return -1;
    if (old)
        v[old++] = '\n';
    memcpy(v + old, s, n);
    v[old + n] = '\0';
    e->value = v;
    return 0;
}

typedef struct {
    ini_file *f;
    ini_entry *cont;    /* the entry that following lines may continue */
    size_t cont_indent; /* indentation of its key line */
    size_t entries;
    int stopped;          /* a size limit was reached */
    ini_entry *remark_of; /* the entry whose remark the lines being read are, or NULL */
} reader;

static ini_section *current(reader *r)
{
    return &r->f->s[r->f->n - 1];
}

/* `[name]` at LINE; text after ']' may be a `key = value`. */
static int read_header(reader *r, const char *s, size_t n, int line)
{
    if (r->f->n >= MAX_SECTIONS) {
        grade_note(&r->f->notes, line, 1,
                   "too many sections (more than %d): the rest of the file is ignored",
                   MAX_SECTIONS);
        r->stopped = 1;
        return 0;
    }
    const char *close = memchr(s, ']', n);
    size_t inner = close ? (size_t)(close - s) - 1 : n - 1;
    const char *name = s + 1;
    trim(&name, &inner);
    if (!close)
        grade_note(&r->f->notes, line, 0, "section header without ']': read as [%.*s]",
                   (int)(inner > 80 ? 80 : inner), name);
    if (!add_section(r->f, name, inner, line))
        return -1;
    r->cont = NULL;
    r->remark_of = NULL;
    if (!close)
        return 0;
    const char *rest = close + 1;
    size_t rn = n - (size_t)(rest - s);
    trim(&rest, &rn);
    if (rn == 0 || rest[0] == '#' || rest[0] == ';' || rest[0] == '%')
        return 0;
    size_t val, k = key_prefix(rest, rn, &val);
    if (!k) /* "[kl-self] 0": a bare answer on the header line */
        val = 0;
    ini_entry *e = add_entry(current(r), rest, k, line);
    if (!e)
        return -1;
    r->entries++;
    r->cont = e;
    r->cont_indent = 0;
    return append_value(e, rest + val, rn - val);
}

/* A line longer than the limit: reported, and if it starts with a key the
 * key is recorded with the error so that its exercise says why. */
static int read_long_line(reader *r, const char *s, size_t n, int line)
{
    const char *t = s;
    size_t tn = n < 256 ? n : 256;
    trim(&t, &tn);
    size_t val, k = key_prefix(t, tn, &val);
    r->cont = NULL;
    if (!k || r->entries >= MAX_ENTRIES || current(r)->n >= MAX_SECTION_ENTRIES) {
        grade_note(&r->f->notes, line, 1,
                   "line %d is %zu characters long (the limit is %d): ignored", line, n,
                   EL_GRADE_MAX_LINE);
        return 0;
    }
    ini_entry *e = add_entry(current(r), t, k, line);
    if (!e)
        return -1;
    r->entries++;
    char msg[128];
    snprintf(msg, sizeof msg, "line %d is %zu characters long (the limit is %d)", line, n,
             EL_GRADE_MAX_LINE);
    e->error = grade_strdup(msg);
    return e->error ? 0 : -1;
}

/* Indentation (spaces and tabs) at the start of S. */
static size_t indent_of(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_space(s[i]))
        i++;
    return i;
}

/* 1 when the LaTeX command at S (after its backslash, N bytes) is a
 * relation or an operator a row of a chain may begin or end with. */
static int relation_cmd(const char *s, size_t n)
{
    static const char *const cmds[] = {
        "le",    "leq",   "ge",   "geq",     "approx", "propto",     "cdot",
        "times", "right", "neq",  "equiv",   "sim",    "div",        "pm",
        "mp",    "bigr",  "Bigr", "biggr",   "Biggr",  "implies",    "iff",
        "to",    "ll",    "gg",   "lesssim", "gtrsim", "Rightarrow", "Longrightarrow",
        NULL
    };
    size_t k = 0;
    while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')))
        k++;
    for (size_t i = 0; k && cmds[i]; i++)
        if (strlen(cmds[i]) == k && !memcmp(s, cmds[i], k))
            return 1;
    return 0;
}

/* 1 when S (N bytes) begins with a relation, '&', an operator or a closing
 * bracket: a row that cannot stand alone. */
static int begins_joined(const char *s, size_t n)
{
    static const char *const uni[] = {
        "\xc2\xb7",     "\xc3\x97",     "\xe2\x88\x92", "\xe2\x89\xa4", "\xe2\x89\xa5",
        "\xe2\x89\x88", "\xe2\x88\x9d", "\xe2\x87\x92", "\xe2\x89\xa0", NULL
    }; /* · × − ≤ ≥ ≈ ∝ ⇒ ≠ */
    if (strchr("=<>&+-*/^)]}|", s[0]))
        return 1;
    if (s[0] == '\\' && n > 1)
        return s[1] == '}' || s[1] == '|' || relation_cmd(s + 1, n - 1);
    for (size_t i = 0; uni[i]; i++)
        if (n >= strlen(uni[i]) && !memcmp(s, uni[i], strlen(uni[i])))
            return 1;
    return 0;
}

/* 1 when the value V so far cannot end there: it is empty, ends with a
 * relation, an operator, '&', an opening bracket or "\\", or leaves a
 * bracket open. */
static int ends_open(const char *v)
{
    size_t n = strlen(v);
    while (n && is_space(v[n - 1]))
        n--;
    if (n == 0 || strchr("=<>&+-*/^([{,;", v[n - 1]) || (n >= 2 && !memcmp(v + n - 2, "\\\\", 2)))
        return 1;
    size_t k = n;
    while (k && ((v[k - 1] >= 'a' && v[k - 1] <= 'z') || (v[k - 1] >= 'A' && v[k - 1] <= 'Z')))
        k--;
    if (k < n && k && v[k - 1] == '\\' &&
        (relation_cmd(v + k, n - k) || !strncmp(v + k, "left", 4)))
        return 1;
    long depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '{' || v[i + 1] == '}'))
            i++;
        else if (v[i] == '(' || v[i] == '[' || v[i] == '{')
            depth++;
        else if (v[i] == ')' || v[i] == ']' || v[i] == '}')
            depth--;
    }
    return depth > 0;
}

/* 1 when T (TN bytes) is an item of a list of options: "3", "3, 5", "b)",
 * "(c)", "d." -- a selection written one option per line. */
static int list_item(const char *t, size_t tn)
{
    int alpha = (t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z');
    if (t[0] >= '0' && t[0] <= '9')
        return 1;
    if (alpha && (tn == 1 || strchr(").:", t[1])))
        return 1;
    return tn >= 3 && t[0] == '(' && t[2] == ')';
}

/* Whether an unindented line T without a key continues entry E: only a
 * row that cannot stand alone, a list item, or a line after a value that
 * cannot end there; any other line is a remark (kept apart), not glued on. */
/* An answer that opened a ``` fence and has not closed it yet. */
static int in_fence(const ini_entry *e)
{
    const char *v = e->value;
    while (*v == ' ' || *v == '\t')
        v++;
    return strncmp(v, "```", 3) == 0 && !strstr(v + 3, "```");
}

/* A fence whose rows are code, kept verbatim (indentation, '#' and '['
 * included): ```python (or py, python3), or any fence after `code =`. */
static int code_fence(const ini_entry *e)
{
    if (!in_fence(e))
        return 0;
    const char *v = e->value;
    while (*v == ' ' || *v == '\t')
        v++;
    v += 3;
    size_t k = strcspn(v, " \t\n");
    return !strcmp(e->key, "code") || (k == 6 && !strncmp(v, "python", 6)) ||
           (k == 2 && !strncmp(v, "py", 2)) || (k == 7 && !strncmp(v, "python3", 7));
}

/* Row S (N bytes) of a code fence: added as it is; a row that starts
 * with ``` closes the fence. */
static int fence_row(ini_entry *e, const char *s, size_t n)
{
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if (tn >= 3 && !strncmp(t, "```", 3)) {
        s = "```";
        n = 3;
    }
    size_t old = strlen(e->value);
    if (e->error)
        return 0;
    if (old + n + 2 > EL_GRADE_MAX_LINE) {
        free(e->value);
        e->value = grade_strdup("");
        e->error = grade_strdup("the code is too long (the limit is 65536 characters)");
        return (e->value && e->error) ? 0 : -1;
    }
    char *v = realloc(e->value, old + n + 2);
    if (!v)
        return -1;
    v[old] = '\n';
    memcpy(v + old + 1, s, n);
    v[old + 1 + n] = '\0';
    e->value = v;
    return 0;
}

static int continues(const ini_entry *e, const char *t, size_t tn)
{
    return in_fence(e) || begins_joined(t, tn) || list_item(t, tn) || ends_open(e->value);
}

/* Adds line T (LINE) to E's remark. */
static int add_remark(ini_entry *e, const char *t, size_t tn, int line)
{
    size_t old = e->remark ? strlen(e->remark) : 0;
    char *v = realloc(e->remark, old + tn + 2);
    if (!v)
        return -1;
    if (old)
        v[old++] = '\n';
    else
        e->remark_line = line;
    memcpy(v + old, t, tn);
    v[old + tn] = '\0';
    e->remark = v;
    return 0;
}

static int read_line(reader *r, const char *s, size_t n, int line)
{
    if (n > EL_GRADE_MAX_LINE)
        return read_long_line(r, s, n, line);
    if (memchr(s, '\0', n)) {
        grade_note(&r->f->notes, line, 1, "line %d contains binary data: ignored", line);
        r->cont = NULL;
        return 0;
    }
    if (r->cont && code_fence(r->cont))
        return fence_row(r->cont, s, n);
    size_t ind = indent_of(s, n);
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if (tn == 0) {
        if (r->cont && in_fence(r->cont)) /* a blank row inside a fence */
            return 0;
        r->cont = NULL;
        r->remark_of = NULL;
        return 0;
    }
    if (t[0] == '#' || t[0] == ';' || t[0] == '%' || (tn > 1 && t[0] == '/' && t[1] == '/'))
        return 0;
    if (t[0] == '[')
        return read_header(r, t, tn, line);
    size_t val, k = key_prefix(t, tn, &val);
    if (r->cont && (ind > r->cont_indent || (!k && r->f->n > 1))) { /* not the preamble */
        if (ind > r->cont_indent || continues(r->cont, t, tn))
            return append_value(r->cont, t, tn);
        r->remark_of = r->cont;
        r->cont = NULL;
        return add_remark(r->remark_of, t, tn, line);
    }
    if (!k && r->remark_of) /* the rest of a remark */
        return add_remark(r->remark_of, t, tn, line);
    r->remark_of = NULL;
    if (r->entries >= MAX_ENTRIES) {
        grade_note(&r->f->notes, line, 1,
                   "too many entries (more than %d): the rest of the file is ignored", MAX_ENTRIES);
        r->stopped = 1;
        return 0;
    }
    if (current(r)->n >= MAX_SECTION_ENTRIES) {
        grade_note(&r->f->notes, line, 1,
                   "too many lines in one section (more than %d): line %d ignored",
                   MAX_SECTION_ENTRIES, line);
        r->cont = NULL;
        return 0;
    }
    ini_entry *e = add_entry(current(r), t, k, line);
    if (!e)
        return -1;
    r->entries++;
    r->cont = e;
    r->cont_indent = ind;
    return k ? append_value(e, t + val, tn - val) : append_value(e, t, tn);
}

/* Strips one pair of matching quotes around every value. */
static void unquote(ini_file *f)
{
    for (size_t i = 0; i < f->n; i++)
        for (size_t j = 0; j < f->s[i].n; j++) {
            char *v = f->s[i].e[j].value;
            size_t n = strlen(v);
            if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                memmove(v, v + 1, n - 2);
                v[n - 2] = '\0';
            }
        }
}

int grade_decode(const char *text, size_t len, char **owned, const char **out, size_t *outlen)
{
    const unsigned char *u = (const unsigned char *)text;
    *owned = NULL;
    *out = text;
    *outlen = len;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        *owned = from_utf16(u + 2, len - 2, u[0] == 0xFE, outlen);
        if (!*owned)
            return EL_ERROR(EL_ENOMEM, "out of memory reading a UTF-16 file");
        *out = *owned;
    } else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *out = text + 3;
        *outlen = len - 3;
    }
    return EL_OK;
}

int ini_parse(const char *text, size_t len, ini_file *out)
{
    memset(out, 0, sizeof *out);
    char *decoded;
    if (grade_decode(text, len, &decoded, &text, &len))
        return EL_ENOMEM;
    reader r = { out, NULL, 0, 0, 0, NULL };
    int st = add_section(out, "", 0, 0) ? 0 : -1;
    size_t i = 0;
    int line = 1;
    while (!st && !r.stopped && i < len) {
        size_t j = i;
        while (j < len && text[j] != '\n' && text[j] != '\r')
            j++;
        st = read_line(&r, text + i, j - i, line);
        if (j < len && text[j] == '\r' && j + 1 < len && text[j + 1] == '\n')
            j++;
        i = j + 1;
        line++;
    }
    free(decoded);
    if (st) {
        ini_free(out);
        return EL_ERROR(EL_ENOMEM, "out of memory reading a file");
    }
    unquote(out);
    return EL_OK;
}

void ini_free(ini_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        for (size_t j = 0; j < f->s[i].n; j++) {
            free(f->s[i].e[j].key);
            free(f->s[i].e[j].value);
            free(f->s[i].e[j].error);
            free(f->s[i].e[j].remark);
            free(f->s[i].e[j].key_raw);
        }
        free(f->s[i].e);
        free(f->s[i].name);
    }
    free(f->s);
    grade_notes_free(&f->notes);
    memset(f, 0, sizeof *f);
}
