/* rows.c -- from a text to chains of lines joined by relations.
 *
 * A write-up (a file with a display environment, $$...$$ or \[...\]) is read
 * display by display; anything else is a fragment, read whole, where a blank
 * row or a row of prose ends a chain. Rows end at \\ and newlines; & \label
 * \tag \nonumber \notag and % comments are dropped; a trailing \text{...} or
 * (by ...) is the step's justification. A row that begins with a relation
 * continues the chain; a row with text before its first relation starts a
 * new chain; any other row continues the previous line. `% elbolab: context
 * NAME` and `% elbolab: let ...` (and `let` rows at the top of a fragment)
 * apply to every chain after them. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/derive_int.h"

/* ---- growing strings and arrays -------------------------------------------- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return dup_n(s, n);
}

/* ---- state shared across displays ------------------------------------------ */

typedef struct {
    chains *out;
    char context[CTX_NAME];
    char **lets;
    size_t nlets;
    chain *cur; /* the open chain, or NULL */
    int fragment;
    int failed;
} state;

static void add_let(state *s, const char *row)
{
    char **g = realloc(s->lets, (s->nlets + 1) * sizeof *g);
    if (!g) {
        s->failed = 1;
        return;
    }
    s->lets = g;
    s->lets[s->nlets++] = trim_dup(row, strlen(row));
}

/* Handles `% elbolab: ...` (text after the colon); returns 1 if it was one. */
static int directive(state *s, const char *comment)
{
    const char *p = comment;
    while (*p == '%' || isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "elbolab:", 8) != 0)
        return 0;
    p += 8;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "context", 7) == 0) {
        p += 7;
        while (isspace((unsigned char)*p) || *p == '=')
            p++;
        size_t n = 0;
        while (p[n] && !isspace((unsigned char)p[n]) && n + 1 < sizeof s->context)
            n++;
        memcpy(s->context, p, n);
        s->context[n] = '\0';
        s->cur = NULL;
        for (size_t i = 0; i < s->nlets; i++) /* lets belong to the context they changed */
            free(s->lets[i]);
        s->nlets = 0;
    } else if (strncmp(p, "let ", 4) == 0) {
        add_let(s, p + 4);
        s->cur = NULL;
    }
    return 1;
}

static chain *new_chain(state *s, size_t line)
{
    if (s->out->n >= EL_DERIVE_MAX_CHAINS) {
        s->failed = 2;
        return NULL;
    }
    chain *g = realloc(s->out->c, (s->out->n + 1) * sizeof *g);
    if (!g) {
        s->failed = 1;
        return NULL;
    }
    s->out->c = g;
    chain *c = &g[s->out->n++];
    memset(c, 0, sizeof *c);
    c->line = line;
    snprintf(c->context, sizeof c->context, "%s", s->context);
    if (s->nlets) {
        c->lets = calloc(s->nlets, sizeof *c->lets);
        for (size_t i = 0; c->lets && i < s->nlets; i++)
            c->lets[i] = strdup(s->lets[i]);
        c->nlets = c->lets ? s->nlets : 0;
    }
    s->cur = c;
    return c;
}

static void add_line(state *s, chain *c, el_relation rel, const char *text, size_t n, size_t line,
                     const char *just)
{
    if (c->n >= EL_DERIVE_MAX_LINES) {
        s->failed = 2;
        return;
    }
    chain_line *g = realloc(c->l, (c->n + 1) * sizeof *g);
    if (!g) {
        s->failed = 1;
        return;
    }
    c->l = g;
    chain_line *l = &g[c->n++];
    l->text = trim_dup(text, n);
    l->line = line;
    l->rel = rel;
    l->just = just ? strdup(just) : NULL;
}

static void append_to_last(state *s, const char *text, size_t n)
{
    chain_line *l = &s->cur->l[s->cur->n - 1];
    size_t old = strlen(l->text);
    char *g = realloc(l->text, old + n + 2);
    if (!g) {
        s->failed = 1;
        return;
    }
    g[old] = ' ';
    memcpy(g + old + 1, text, n);
    g[old + 1 + n] = '\0';
    l->text = g;
}

/* ---- relations ---------------------------------------------------------------- */

typedef struct {
    const char *word;
    el_relation rel;
} rel_word;

static const rel_word rel_words[] = { { "coloneqq", EL_REL_EQ },
                                      { "triangleq", EL_REL_EQ },
                                      { "equiv", EL_REL_EQ },
                                      { "geqslant", EL_REL_GE },
                                      { "geq", EL_REL_GE },
                                      { "ge", EL_REL_GE },
                                      { "leqslant", EL_REL_LE },
                                      { "leq", EL_REL_LE },
                                      { "le", EL_REL_LE },
                                      { "gt", EL_REL_GT },
                                      { "lt", EL_REL_LT },
                                      { "approx", EL_REL_APPROX },
                                      { "propto", EL_REL_PROPTO },
                                      { "Rightarrow", EL_REL_IMPLIES },
                                      { "implies", EL_REL_IMPLIES },
                                      { "iff", EL_REL_IMPLIES },
                                      { "Leftrightarrow", EL_REL_IMPLIES },
                                      { "Longrightarrow", EL_REL_IMPLIES },
                                      { "neq", EL_REL_IMPLIES },
                                      { "ne", EL_REL_IMPLIES },
                                      { NULL, EL_REL_EQ } };

static const struct {
    const char *text;
    el_relation rel;
} rel_symbols[] = { { ":=", EL_REL_EQ },
                    { ">=", EL_REL_GE },
                    { "<=", EL_REL_LE },
                    { "==", EL_REL_EQ },
                    { "\xe2\x89\xa5", EL_REL_GE },
                    { "\xe2\xa9\xbe", EL_REL_GE },
                    { "\xe2\x89\xa4", EL_REL_LE },
                    { "\xe2\xa9\xbd", EL_REL_LE },
                    { "\xe2\x89\x88", EL_REL_APPROX },
                    { "\xe2\x88\x9d", EL_REL_PROPTO },
                    { "\xe2\x89\xa0", EL_REL_NEQ },
                    { "\xe2\x87\x92", EL_REL_IMPLIES },
                    { "\xe2\x9f\xb9", EL_REL_IMPLIES },
                    { "=", EL_REL_EQ },
                    { ">", EL_REL_GT },
                    { "<", EL_REL_LT },
                    { NULL, EL_REL_EQ } };

typedef struct {
    size_t at, end; /* byte range of the relation in the row */
    el_relation rel;
    char just[128]; /* \overset{Jensen}{\geq} */
} rel_hit;

static size_t word_len(const char *s)
{
    size_t n = 0;
    while (isalpha((unsigned char)s[n]))
        n++;
    return n;
}

/* Reads a braced group starting at s (s[0] == '{'); returns its length
 * including the braces, or 0. */
static size_t braced(const char *s)
{
    if (*s != '{')
        return 0;
    int depth = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\\' && s[i + 1]) {
            i++;
            continue;
        }
        if (s[i] == '{')
            depth++;
        else if (s[i] == '}' && --depth == 0)
            return i + 1;
    }
    return 0;
}

/* \overset{J}{\geq}, \stackrel{J}{=}: one relation with a justification. */
static size_t stacked_rel(const char *s, rel_hit *h)
{
    size_t a = braced(s);
    if (!a)
        return 0;
    size_t b = braced(s + a);
    if (!b)
        return 0;
    char inner[64];
    snprintf(inner, sizeof inner, "%.*s", (int)(b - 2), s + a + 1);
    char *t = inner;
    while (isspace((unsigned char)*t))
        t++;
    h->rel = (el_relation)-1;
    if (*t == '\\') {
        for (size_t i = 0; rel_words[i].word; i++)
            if (strncmp(t + 1, rel_words[i].word, strlen(rel_words[i].word)) == 0 &&
                word_len(t + 1) == strlen(rel_words[i].word))
                h->rel = rel_words[i].rel;
    } else {
        for (size_t i = 0; rel_symbols[i].text; i++)
            if (strncmp(t, rel_symbols[i].text, strlen(rel_symbols[i].text)) == 0) {
                h->rel = rel_symbols[i].rel;
                break;
            }
    }
    if ((int)h->rel < 0)
        return 0;
    const char *j = s + 1;
    size_t jn = a - 2;
    if (strncmp(j, "\\text{", 6) == 0 && jn > 7)
        j += 6, jn -= 7;
    snprintf(h->just, sizeof h->just, "%.*s", (int)jn, j);
    return a + b;
}

/* Finds the relations outside brackets; returns the count (at most max). */
static int find_relations(const char *row, rel_hit *hits, int max)
{
    int n = 0, depth = 0;
    for (size_t i = 0; row[i] && n < max;) {
        char c = row[i];
        if (c == '\\') {
            size_t w = word_len(row + i + 1);
            if (w == 0) { /* \{ \} \| \, */
                if (row[i + 1] == '{')
                    depth++;
                else if (row[i + 1] == '}' && depth > 0)
                    depth--;
                i += row[i + 1] ? 2 : 1;
                continue;
            }
            const char *word = row + i + 1;
            if (depth == 0 && ((w == 7 && strncmp(word, "overset", 7) == 0) ||
                               (w == 8 && strncmp(word, "stackrel", 8) == 0))) {
                rel_hit h = { 0 };
                size_t len = stacked_rel(row + i + 1 + w, &h);
                if (len) {
                    h.at = i;
                    h.end = i + 1 + w + len;
                    hits[n++] = h;
                    i = h.end;
                    continue;
                }
            }
            int matched = 0;
            for (size_t k = 0; depth == 0 && rel_words[k].word && !matched; k++) {
                if (strlen(rel_words[k].word) == w && strncmp(word, rel_words[k].word, w) == 0) {
                    hits[n++] = (rel_hit){ i, i + 1 + w, rel_words[k].rel, "" };
                    matched = 1;
                }
            }
            if (!matched && ((w == 4 && strncmp(word, "left", 4) == 0) ||
                             (w == 5 && strncmp(word, "right", 5) == 0))) {
                i += 1 + w;
                if (row[i] == '\\' && (row[i + 1] == '{' || row[i + 1] == '}'))
                    i++;
                if (row[i])
                    i++;
                depth += word[0] == 'l' ? 1 : depth > 0 ? -1 : 0;
                continue;
            }
            if (!matched && ((w == 6 && strncmp(word, "langle", 6) == 0)))
                depth++;
            if (!matched && ((w == 6 && strncmp(word, "rangle", 6) == 0)) && depth > 0)
                depth--;
            i += 1 + w;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            depth -= depth > 0; /* a row may close what the row before opened */
        } else if (depth == 0) {
            for (size_t k = 0; rel_symbols[k].text; k++) {
                size_t len = strlen(rel_symbols[k].text);
                if (strncmp(row + i, rel_symbols[k].text, len) == 0) {
                    hits[n++] = (rel_hit){ i, i + len, rel_symbols[k].rel, "" };
                    i += len - 1;
                    break;
                }
            }
        }
        i++;
    }
    return n;
}

/* ---- cleaning a row --------------------------------------------------------------- */

/* Removes `\cmd{...}` (and `\cmd*{...}`) everywhere in s. */
static void drop_cmd_arg(char *s, const char *cmd)
{
    size_t n = strlen(cmd);
    for (char *p = strstr(s, cmd); p; p = strstr(p, cmd)) {
        if (isalpha((unsigned char)p[n])) {
            p += n;
            continue;
        }
        char *q = p + n;
        if (*q == '*')
            q++;
        size_t b = braced(q);
        memmove(p, q + b, strlen(q + b) + 1);
    }
}

static void drop_word(char *s, const char *word)
{
    size_t n = strlen(word);
    for (char *p = strstr(s, word); p; p = strstr(p, word)) {
        if (isalpha((unsigned char)p[n])) {
            p += n;
            continue;
        }
        memmove(p, p + n, strlen(p + n) + 1);
    }
}

/* Removes `\\begin{ENV}` and its arguments: `[t]` (a position), `{ll}` or
 * `{2}` (columns). */
static void drop_env_open(char *s, const char *open)
{
    size_t n = strlen(open);
    for (char *p = strstr(s, open); p; p = strstr(p, open)) {
        char *q = p + n;
        for (int k = 0; k < 2; k++) {
            while (*q == ' ')
                q++;
            if (*q == '[' && strchr(q, ']'))
                q = strchr(q, ']') + 1;
            else if (*q == '{' && braced(q))
                q += braced(q);
        }
        memmove(p, q, strlen(q) + 1);
    }
}

/* Drops comments, alignment and labels; trailing punctuation. */
static void clean_row(char *s)
{
    for (char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p == '%') {
            *p = '\0';
            break;
        }
        if (*p == '&')
            *p = ' ';
    }
    drop_cmd_arg(s, "\\label");
    drop_cmd_arg(s, "\\tag");
    drop_word(s, "\\nonumber");
    drop_word(s, "\\notag");
    static const char *const envs[] = {
        "aligned", "split", "gathered", "array", "alignedat", NULL
    };
    for (size_t i = 0; envs[i]; i++) {
        char b[32];
        snprintf(b, sizeof b, "\\begin{%s}", envs[i]);
        drop_env_open(s, b);
        snprintf(b, sizeof b, "\\end{%s}", envs[i]);
        drop_word(s, b);
    }
    size_t n = strlen(s);
    while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '.' || s[n - 1] == ',' ||
                 s[n - 1] == ';'))
        s[--n] = '\0';
    if (n >= 2 && s[n - 2] == '\\' && s[n - 1] == ',') /* a trailing \, */
        s[n -= 2] = '\0';
}

/* Words of an expression (never a justification on their own). */
static int math_word(const char *w, size_t n)
{
    static const char *const words[] = { "tr", "const", "KL", "ELBO", "d", "T", "const.", NULL };
    for (size_t i = 0; words[i]; i++)
        if (strlen(words[i]) == n && strncmp(w, words[i], n) == 0)
            return 1;
    return 0;
}

/* Takes a trailing justification off the row into just (or leaves it). */
static void take_justification(char *s, char *just, size_t cap)
{
    just[0] = '\0';
    size_t n = strlen(s);
    if (n && s[n - 1] == '}') { /* ... \quad \text{Jensen} */
        char *p = NULL;
        static const char *const cmds[] = { "\\text{", "\\textrm{", "\\mbox{", NULL };
        for (size_t i = 0; cmds[i]; i++) {
            char *q = s;
            while ((q = strstr(q, cmds[i])) != NULL) {
                size_t b = braced(q + strlen(cmds[i]) - 1);
                if (b && q + strlen(cmds[i]) - 1 + b == s + n)
                    p = q;
                q++;
            }
        }
        if (p) {
            const char *open = strchr(p, '{') + 1;
            size_t len = (size_t)(s + n - 1 - open);
            char *before = p;
            while (before > s && isspace((unsigned char)before[-1]))
                before--;
            int spaced =
                before >= s + 5 && (strncmp(before - 5, "\\quad", 5) == 0 ||
                                    strncmp(before - 6 < s ? s : before - 6, "\\qquad", 6) == 0);
            int wordy = len > 3 || memchr(open, ' ', len) || memchr(open, '(', len);
            if ((spaced || wordy) && !math_word(open, len) && strncmp(p, "\\mathrm", 7) != 0) {
                snprintf(just, cap, "%.*s", (int)len, open);
                *p = '\0';
            } else if (spaced && strncmp(p, "\\mathrm", 7) != 0) {
                snprintf(just, cap, "%.*s", (int)len, open);
                *p = '\0';
            }
        }
    }
    n = strlen(s);
    if (!just[0] && n && s[n - 1] == ')') { /* ... (by Bayes' rule) */
        char *p = strrchr(s, '(');
        if (p && (strncmp(p, "(by ", 4) == 0 || strncmp(p, "(using ", 7) == 0 ||
                  strncmp(p, "(from ", 6) == 0 || strncmp(p, "(Jensen", 7) == 0 ||
                  strncmp(p, "(\\text{", 7) == 0)) {
            const char *in = p + 1;
            size_t len = (size_t)(s + n - 1 - in);
            if (strncmp(in, "\\text{", 6) == 0 && len > 7)
                in += 6, len -= 7;
            snprintf(just, cap, "%.*s", (int)len, in);
            *p = '\0';
        }
    }
    /* drop the spacing left before it */
    for (int again = 1; again;) {
        again = 0;
        n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
            s[--n] = '\0';
        static const char *const sp[] = { "\\qquad", "\\quad", "\\;", "\\,", "\\:", NULL };
        for (size_t i = 0; sp[i]; i++) {
            size_t k = strlen(sp[i]);
            if (n >= k && strcmp(s + n - k, sp[i]) == 0) {
                s[n - k] = '\0';
                again = 1;
            }
        }
    }
    n = strlen(s);
    while (n && (s[n - 1] == '.' || s[n - 1] == ',' || isspace((unsigned char)s[n - 1])))
        s[--n] = '\0';
}

/* A row of words rather than mathematics (fragments only). */
static int is_prose(const char *s)
{
    static const char *const known[] = { "log", "ln",  "exp",  "sum",   "sqrt", "det",
                                         "tr",  "KL",  "ELBO", "sigma", "mu",   "lambda",
                                         "pi",  "let", "int",  "prod",  "inf",  NULL };
    int run = 0, best = 0, letters_only = 1, words = 0;
    for (const char *p = s; *p;) {
        if (isalpha((unsigned char)*p) &&
            (p == s || (!isalnum((unsigned char)p[-1]) && p[-1] != '\\' && p[-1] != '_'))) {
            size_t n = 0;
            while (isalpha((unsigned char)p[n]) || p[n] == '\'')
                n++;
            int is_known = 0;
            for (size_t i = 0; known[i]; i++)
                if (strlen(known[i]) == n && strncmp(p, known[i], n) == 0)
                    is_known = 1;
            static const char *const small[] = { "we", "by", "of", "is", "to", "in", "so", "as",
                                                 "if", "it", "on", "at", "be", "an", "or", NULL };
            int word = n >= 3;
            for (size_t i = 0; small[i] && !word; i++)
                word = n == 2 && strncmp(p, small[i], 2) == 0;
            int plain = word && !is_known &&
                        (p[n] == ' ' || p[n] == '\0' || p[n] == ',' || p[n] == '.' || p[n] == ':' ||
                         p[n] == ';');
            run = plain ? run + 1 : 0;
            words += plain;
            best = run > best ? run : best;
            p += n;
            continue;
        }
        if (!isspace((unsigned char)*p) && !strchr(",.:;'!?-()", *p))
            letters_only = 0;
        if (!isspace((unsigned char)*p))
            run = *p == ',' || *p == '\'' ? run : 0;
        p++;
    }
    return best >= 3 || (letters_only && words >= 1);
}

/* ---- chains --------------------------------------------------------------------- */

/* Opening minus closing brackets of a line ( ( [ { \\{ \\left( count the same). */
static int balance(const char *t)
{
    int b = 0;
    for (const char *p = t; *p; p++) {
        if (*p == '\\' && p[1] && strchr("{}", p[1])) {
            b += p[1] == '{' ? 1 : -1;
            p++;
        } else if (*p == '\\' && p[1]) {
            p++; /* \, \| and the like */
        } else if (strchr("([{", *p)) {
            b++;
        } else if (strchr(")]}", *p)) {
            b--;
        }
    }
    return b;
}

/* Skips what may stand before a row's first relation without being part of
 * the line: spaces, `{}`, LaTeX spacing (\quad \, \hspace{..}) and the
 * `[2pt]` of a `\\[2pt]` row end. */
static const char *skip_lead(const char *t)
{
    static const char *const sp[] = { "\\qquad", "\\quad", "\\,", "\\;", "\\:",
                                      "\\!",     "\\ ",    "{}",  NULL };
    for (int again = 1; again;) {
        again = 0;
        while (isspace((unsigned char)*t))
            t++;
        for (size_t i = 0; sp[i]; i++) {
            size_t n = strlen(sp[i]);
            if (strncmp(t, sp[i], n) == 0 && !(n > 2 && isalpha((unsigned char)t[n]))) {
                t += n;
                again = 1;
            }
        }
        if (strncmp(t, "\\hspace", 7) == 0 && t[7 + (t[7] == '*')] == '{') {
            size_t b = braced(t + 7 + (t[7] == '*'));
            t += 7 + (t[7] == '*') + b;
            again = b > 0;
        }
        if (*t == '[') { /* \\[2pt]: a length, not mathematics */
            const char *e = strchr(t, ']');
            if (e && e - t < 12 &&
                strspn(t + 1, "0123456789.-ptemxcinbsd ") == (size_t)(e - t - 1)) {
                t = e + 1;
                again = 1;
            }
        }
    }
    return t;
}

/* Feeds one cleaned row (at `line`) to the chain builder. */
static void feed_row(state *s, char *row, size_t line)
{
    char just[256];
    take_justification(row, just, sizeof just);
    const char *t = skip_lead(row);
    if (!*t)
        return;
    if (s->fragment && is_prose(t)) {
        s->cur = NULL;
        return;
    }
    rel_hit hits[64];
    int n = find_relations(t, hits, 64);
    size_t pre = n ? hits[0].at : strlen(t);
    int starts_with_rel = n && pre == 0;
    size_t seg = 0;
    /* the last line left a bracket open: this row's text up to its first
     * relation finishes that line, whatever it begins with */
    int open = s->cur && s->cur->n && balance(s->cur->l[s->cur->n - 1].text) > 0;
    if (open && n && pre) {
        append_to_last(s, t, pre);
        starts_with_rel = 1;
    }
    if (!s->cur || (n && !starts_with_rel)) {
        chain *c = new_chain(s, line);
        if (!c)
            return;
        if (pre)
            add_line(s, c, EL_REL_EQ, t, pre, line, NULL);
        seg = 0;
    } else if (!n) {
        append_to_last(s, t, strlen(t));
        if (just[0] && s->cur->n && !s->cur->l[s->cur->n - 1].just)
            s->cur->l[s->cur->n - 1].just = strdup(just);
        return;
    }
    for (int k = (int)seg; k < n; k++) {
        size_t from = hits[k].end, to = k + 1 < n ? hits[k + 1].at : strlen(t);
        const char *j = hits[k].just[0] ? hits[k].just : (k == n - 1 && just[0] ? just : NULL);
        if (s->cur->n == 0) { /* a first row that begins with a relation */
            add_line(s, s->cur, EL_REL_EQ, t + from, to - from, line, NULL);
            continue;
        }
        add_line(s, s->cur, hits[k].rel, t + from, to - from, line, j);
    }
    if (!n && s->cur->n == 0)
        add_line(s, s->cur, EL_REL_EQ, t, strlen(t), line, NULL);
}

/* Splits a block (a display's body or a fragment paragraph) into rows. */
static void feed_block(state *s, const char *text, size_t len, size_t line)
{
    size_t start = 0, row_line = line;
    for (size_t i = 0; i <= len; i++) {
        int end_row =
            i == len || text[i] == '\n' || (text[i] == '\\' && i + 1 < len && text[i + 1] == '\\');
        if (!end_row) {
            if (text[i] == '\\' && i + 1 < len)
                i++;
            continue;
        }
        char *row = dup_n(text + start, i - start);
        if (!row) {
            s->failed = 1;
            return;
        }
        /* % elbolab: directives (whole comment rows) */
        const char *pct = strstr(row, "%");
        if (pct && (pct == row || pct[-1] != '\\') && directive(s, pct)) {
            *(char *)pct = '\0';
        }
        clean_row(row);
        feed_row(s, row, row_line);
        free(row);
        if (i < len && text[i] == '\\')
            i++;
        else if (i < len)
            line++;
        start = i + 1;
        row_line = line;
    }
}

static const char *const display_envs[] = { "align",    "align*",    "equation", "equation*",
                                            "gather",   "gather*",   "multline", "multline*",
                                            "eqnarray", "eqnarray*", "flalign",  "flalign*",
                                            "alignat",  "alignat*",  "dmath",    "dmath*",
                                            NULL };

static size_t count_lines(const char *from, const char *to)
{
    size_t n = 0;
    for (const char *p = from; p < to; p++)
        n += *p == '\n';
    return n;
}

/* The end of the display starting at p (after its opener); *body_end. */
static const char *display_end(const char *p, const char *close, const char **body_end)
{
    const char *e = strstr(p, close);
    if (!e)
        return NULL;
    *body_end = e;
    return e + strlen(close);
}

static int is_writeup(const char *text)
{
    if (strstr(text, "$$"))
        return 1;
    for (const char *p = strstr(text, "\\["); p; p = strstr(p + 1, "\\["))
        if (p == text || p[-1] != '\\') /* \[ opens a display; \\[2pt] ends a row */
            return 1;
    for (size_t i = 0; display_envs[i]; i++) {
        char b[40];
        snprintf(b, sizeof b, "\\begin{%s}", display_envs[i]);
        if (strstr(text, b))
            return 1;
    }
    return 0;
}

/* Directives in the prose between displays (whole-row comments). */
static void scan_directives(state *s, const char *from, const char *to)
{
    for (const char *p = from; p < to; p++) {
        if (*p == '%' && (p == from || p[-1] != '\\')) {
            const char *e = memchr(p, '\n', (size_t)(to - p));
            char *c = dup_n(p, e ? (size_t)(e - p) : (size_t)(to - p));
            if (c)
                directive(s, c);
            free(c);
            p = e ? e : to;
        }
    }
}

static void split_writeup(state *s, const char *text)
{
    const char *p = text;
    while (*p && !s->failed) {
        const char *best = NULL, *open_end = NULL;
        char close[40] = "";
        for (size_t i = 0; display_envs[i]; i++) {
            char b[40];
            snprintf(b, sizeof b, "\\begin{%s}", display_envs[i]);
            const char *h = strstr(p, b);
            if (h && (!best || h < best)) {
                best = h, open_end = h + strlen(b);
                if (strncmp(display_envs[i], "alignat", 7) == 0 && *open_end == '{')
                    open_end += braced(open_end); /* \\begin{alignat*}{2}: the columns */
                snprintf(close, sizeof close, "\\end{%s}", display_envs[i]);
            }
        }
        const char *dd = strstr(p, "$$"), *br = strstr(p, "\\[");
        if (dd && (!best || dd < best))
            best = dd, open_end = dd + 2, snprintf(close, sizeof close, "$$");
        if (br && (!best || br < best))
            best = br, open_end = br + 2, snprintf(close, sizeof close, "\\]");
        if (!best)
            break;
        scan_directives(s, p, best);
        const char *body_end, *after = display_end(open_end, close, &body_end);
        if (!after)
            break;
        size_t line = 1 + count_lines(text, open_end);
        s->cur = NULL;
        feed_block(s, open_end, (size_t)(body_end - open_end), line);
        s->cur = NULL;
        p = after;
    }
}

static void split_fragment(state *s, const char *text)
{
    size_t line = 1;
    const char *p = text;
    /* let rows at the top */
    while (*p) {
        const char *t = p;
        while (*t == ' ' || *t == '\t')
            t++;
        const char *e = strchr(t, '\n');
        size_t n = e ? (size_t)(e - t) : strlen(t);
        if (n == 0 || *t == '#' || (*t == '%' && !strstr(t, "elbolab:"))) {
            /* blank or comment */
        } else if (*t == '%') {
            char *c = dup_n(t, n);
            if (c)
                directive(s, c);
            free(c);
        } else if (strncmp(t, "let ", 4) == 0) {
            char *c = dup_n(t + 4, n - 4);
            if (c)
                add_let(s, c);
            free(c);
        } else {
            break;
        }
        line++;
        p = e ? e + 1 : t + n;
    }
    /* paragraphs: a blank row ends a chain */
    while (*p && !s->failed) {
        const char *e = p;
        size_t para_line = line;
        while (*e) {
            const char *nl = strchr(e, '\n');
            const char *next = nl ? nl + 1 : e + strlen(e);
            const char *q = next;
            while (*q == ' ' || *q == '\t' || *q == '\r')
                q++;
            line++;
            e = next;
            if (!nl || *q == '\n' || *q == '\0')
                break;
        }
        s->cur = NULL;
        feed_block(s, p, (size_t)(e - p), para_line);
        while (*e == ' ' || *e == '\t' || *e == '\r' || *e == '\n') {
            if (*e == '\n')
                line++;
            e++;
        }
        p = e;
    }
}

int rows_split(const char *text, chains *out)
{
    memset(out, 0, sizeof *out);
    state s = { 0 };
    s.out = out;
    if (is_writeup(text)) {
        split_writeup(&s, text);
    } else {
        s.fragment = 1;
        split_fragment(&s, text);
    }
    for (size_t i = 0; i < s.nlets; i++)
        free(s.lets[i]);
    free(s.lets);
    if (s.failed == 1) {
        chains_free(out);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    if (s.failed == 2) {
        chains_free(out);
        return EL_ERROR(EL_ELIMIT,
                        "too many lines or derivations (at most %d chains of %d "
                        "lines)",
                        EL_DERIVE_MAX_CHAINS, EL_DERIVE_MAX_LINES);
    }
    /* chains without a relation are not derivations */
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (out->c[i].n >= 2) {
            out->c[k++] = out->c[i];
        } else {
            chains one = { &out->c[i], 1 };
            chains tmp = one;
            for (size_t j = 0; j < tmp.c->n; j++) {
                free(tmp.c->l[j].text);
                free(tmp.c->l[j].just);
            }
            free(tmp.c->l);
            for (size_t j = 0; j < tmp.c->nlets; j++)
                free(tmp.c->lets[j]);
            free(tmp.c->lets);
        }
    }
    out->n = k;
    return 0;
}

void chains_free(chains *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        chain *c = &cs->c[i];
        for (size_t j = 0; j < c->n; j++) {
            free(c->l[j].text);
            free(c->l[j].just);
        }
        free(c->l);
        for (size_t j = 0; j < c->nlets; j++)
            free(c->lets[j]);
        free(c->lets);
    }
    free(cs->c);
    cs->c = NULL;
    cs->n = 0;
}
