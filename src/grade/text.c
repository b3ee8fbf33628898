/* text.c -- tidying what students write before it is graded: math
 * delimiters, trailing punctuation, LaTeX text commands in choices, numbers
 * written as expressions. */
#include "expr/el_expr.h"
#include "grade/util.h"
#include "grade/text.h"
#include "core/el_core.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Removes PREFIX and SUFFIX around [*s, *s+*n) when both are there. */
static int unwrap(const char **s, size_t *n, const char *prefix, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    if (*n < a + b || strncmp(*s, prefix, a) != 0 || strncmp(*s + *n - b, suffix, b) != 0)
        return 0;
    *s += a;
    *n -= a + b;
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Removes one trailing LaTeX space command or punctuation mark; 1 if any. */
static int drop_tail(const char *s, size_t *n)
{
    static const char *const tails[] = { "\\quad", "\\qquad", "\\,", "\\;",  "\\:",
                                         "\\!",    "\\ ",     "\\.", "\\\\", NULL };
    for (size_t i = 0; tails[i]; i++) {
        size_t k = strlen(tails[i]);
        if (*n >= k && strncmp(s + *n - k, tails[i], k) == 0) {
            *n -= k;
            return 1;
        }
    }
    if (*n > 1 && (s[*n - 1] == '.' || s[*n - 1] == ',' || s[*n - 1] == ';') &&
        !(s[*n - 1] == '.' && isdigit((unsigned char)s[*n - 2]) && *n == 2)) {
        (*n)--;
        return 1;
    }
    return 0;
}

char *grade_strip_math(const char *text)
{
    static const char *const envs[][2] = {
        { "\\begin{equation*}", "\\end{equation*}" },
        { "\\begin{equation}", "\\end{equation}" },
        { "\\begin{align*}", "\\end{align*}" },
        { "\\begin{align}", "\\end{align}" },
        { "\\begin{math}", "\\end{math}" },
        { "\\begin{displaymath}", "\\end{displaymath}" },
        { "\\begin{gather*}", "\\end{gather*}" },
        { "\\begin{gather}", "\\end{gather}" },
    };
    const char *s = text;
    size_t n = strlen(text);
    for (int changed = 1; changed;) {
        trim(&s, &n);
        changed = unwrap(&s, &n, "$$", "$$") || unwrap(&s, &n, "$", "$") ||
                  unwrap(&s, &n, "\\(", "\\)") || unwrap(&s, &n, "\\[", "\\]") || drop_tail(s, &n);
        for (size_t i = 0; !changed && i < sizeof envs / sizeof envs[0] && n && s[0] == '\\'; i++)
            changed = unwrap(&s, &n, envs[i][0], envs[i][1]);
    }
    /* remaining unescaped '$' (as in "$a$ + $b$"), \displaystyle and MATLAB's dots go */
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '$' && (i == 0 || s[i - 1] != '\\'))
            continue;
        if (s[i] == '.' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '/' || s[i + 1] == '^'))
            continue; /* MATLAB's entrywise .* ./ .^ are what * / ^ do on vectors */
        if (s[i] == '\\' && n - i >= 13 && strncmp(s + i, "\\displaystyle", 13) == 0 &&
            (n - i == 13 || !isalpha((unsigned char)s[i + 13]))) {
            i += 12;
            continue;
        }
        gbuf_add(&b, s + i, 1);
    }
    return gbuf_take(&b);
}

/* Length of one base at S: a number, a name, a \command or a bracket. */
static size_t base_len(const char *s)
{
    size_t k = 0;
    int depth = 0;
    char open = s[0], close = open == '(' ? ')' : '}';
    if (isdigit((unsigned char)s[0]) || s[0] == '.') {
        while (isdigit((unsigned char)s[k]) || s[k] == '.')
            k++;
    } else if (isalpha((unsigned char)s[0]) || s[0] == '\\') {
        k = 1;
        while (isalnum((unsigned char)s[k]) || s[k] == '_')
            k++;
    } else if (open == '(' || open == '{') {
        do {
            depth += (s[k] == open) - (s[k] == close);
            k++;
        } while (s[k] && depth > 0);
    }
    return k;
}

/* Length of one factor at S: a base and its powers (^2, ^{-1}, ^x^y). */
static size_t factor_len(const char *s)
{
    size_t k = base_len(s);
    while (k && s[k] == '^' && s[k + 1]) {
        size_t p = base_len(s + k + 1);
        k += 1 + (p ? p : 1);
    }
    return k;
}

char *grade_bracket_denominator(const char *text)
{
    for (const char *p = strchr(text, '/'); p; p = strchr(p + 1, '/')) {
        const char *q = p + 1;
        while (*q == ' ')
            q++;
        size_t f = factor_len(q);
        if (!f)
            continue;
        const char *r = q + f;
        while (*r == ' ')
            r++;
        if (!(isalnum((unsigned char)*r) || *r == '\\' || *r == '(' || (unsigned char)*r >= 0x80))
            continue; /* no juxtaposed factor after the first one */
        const char *end = r;
        int depth = 0;
        while (*end && !(depth == 0 && strchr("+-*/),=", *end))) {
            depth += (*end == '(') - (*end == ')');
            if (depth < 0)
                break;
            end++;
        }
        const char *last = end;
        while (last > q && last[-1] == ' ')
            last--;
        gbuf b = { 0 };
        gbuf_add(&b, text, (size_t)(q - text));
        gbuf_puts(&b, "(");
        gbuf_add(&b, q, (size_t)(last - q));
        gbuf_puts(&b, ")");
        gbuf_puts(&b, last);
        return gbuf_take(&b);
    }
    return NULL;
}

/* ---- choices ---------------------------------------------------------------------- */

/* Replacements applied to a lower-cased choice answer (first match wins). */
static const struct {
    const char *from, *to;
} choice_map[] = {
    { "\\textbf", "" },      { "\\textit", "" },      { "\\text", "" },
    { "\\mathrm", "" },      { "\\mathbf", "" },      { "\\mathit", "" },
    { "\\mathcal", "" },     { "\\emph", "" },        { "\\operatorname", "" },
    { "\\left", "" },        { "\\right", "" },       { "\\bigg", "" },
    { "\\big", "" },         { "\\mid", "|" },        { "\\vert", "|" },
    { "\\lvert", "|" },      { "\\rvert", "|" },      { "\\|", "||" },
    { "\\parallel", "||" },  { "\\,", "" },           { "\\;", "" },
    { "\\:", "" },           { "\\!", "" },           { "\\ ", "" },
    { "\\log", "log" },      { "\\mathbb", "" },      { "\xe2\x80\x96", "||" },
    { "\xe2\x88\xa3", "|" }, { "\xe2\x80\x93", "" },  { "\xe2\x80\x94", "" },
    { "\xe2\x80\x99", "" },  { "\xe2\x80\x98", "" },  { "\xe2\x80\x9c", "" },
    { "\xe2\x80\x9d", "" },  { "\xce\xb8", "theta" }, { "\\", "" },
};

/* Skips a parameter subscript ("_\theta", "_{\phi}", "_t", "_{t}": they name
 * parameters, not distributions) at S; returns its length, 0 if none. */
static size_t subscript_len(const char *s)
{
    if (s[0] != '_')
        return 0;
    if (s[1] == 't' && !isalnum((unsigned char)s[2]))
        return 2;
    if (!strncmp(s + 1, "{t}", 3))
        return 4;
    size_t k = s[1] == '{' ? 2 : 1;
    if (s[k] != '\\')
        return 0;
    k++;
    while (isalpha((unsigned char)s[k]))
        k++;
    if (s[1] == '{') {
        if (s[k] != '}')
            return 0;
        k++;
    }
    return k;
}

char *grade_norm_choice(const char *text)
{
    char *s = grade_strip_math(text);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (const char *p = s; *p;) {
        size_t k = 0;
        int special = *p == '\\' || (unsigned char)*p >= 0x80; /* what the map can match */
        for (size_t i = 0; special && !k && i < sizeof choice_map / sizeof choice_map[0]; i++) {
            size_t len = strlen(choice_map[i].from);
            if (strncmp(p, choice_map[i].from, len) == 0) {
                gbuf_puts(&b, choice_map[i].to);
                k = len;
            }
        }
        if (!k && (k = subscript_len(p)))
            ;
        else if (!k) {
            if (!strchr(" \t\r\n{}-_'\"*`~", *p))
                gbuf_add(&b, p, 1);
            k = 1;
        }
        p += k;
    }
    free(s);
    char *r = gbuf_take(&b);
    size_t n = r ? strlen(r) : 0;
    while (n && (r[n - 1] == '.' || r[n - 1] == ',' || r[n - 1] == ';' || r[n - 1] == '!'))
        r[--n] = '\0';
    return r;
}

/* ---- numbers --------------------------------------------------------------------- */

static int no_vars(void *ctx, const char *name, const el_value **out)
{
    (void)ctx;
    (void)name;
    (void)out;
    return 1;
}

/* "0,333" (a decimal comma) as "0.333"; NULL if S is not of that form. */
static char *decimal_comma(const char *s)
{
    size_t i = 0, commas = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    if (!isdigit((unsigned char)s[i]))
        return NULL;
    for (; s[i]; i++) {
        if (s[i] == ',')
            commas++;
        else if (!isdigit((unsigned char)s[i]))
            return NULL;
    }
    if (commas != 1)
        return NULL;
    char *t = grade_strdup(s);
    if (t)
        *strchr(t, ',') = '.';
    return t;
}

int grade_number(const char *text, double *out, char *msg, size_t msglen)
{
    char *s = grade_strip_math(text);
    if (!s) {
        snprintf(msg, msglen, "out of memory");
        return EL_ENOMEM;
    }
    char *dc = decimal_comma(s);
    const char *src = dc ? dc : (!strcmp(s, "zero") ? "0" : s);
    el_expr_error err;
    el_expr *e = *src ? el_expr_parse(src, &err) : NULL;
    int st = EL_OK;
    if (!*src) {
        snprintf(msg, msglen, "the answer is empty");
        st = EL_EFORMAT;
    } else if (!e) {
        snprintf(msg, msglen, "cannot read '%.80s': %s (at character %zu)", src, err.msg, err.pos);
        st = EL_EFORMAT;
    } else if (el_expr_nvars(e) > 0) {
        snprintf(msg, msglen, "a number is expected, but '%.40s' is a variable", el_expr_var(e, 0));
        st = EL_EFORMAT;
    } else {
        el_value v = { 0, 0, NULL };
        st = el_expr_eval(e, no_vars, NULL, &v, &err);
        if (st)
            snprintf(msg, msglen, "cannot evaluate '%.80s': %s", src, err.msg);
        else if (v.rows * v.cols != 1 || !isfinite(v.v[0])) {
            snprintf(msg, msglen, "'%.80s' is not a finite number", src);
            st = EL_EDOM;
        } else {
            *out = v.v[0];
        }
        el_value_free(&v);
    }
    el_expr_free(e);
    free(dc);
    free(s);
    return st;
}

/* ---- statements for a terminal ---------------------------------------------------- */

/* The LaTeX commands of the exercises' statements and what a terminal shows
 * for them (a font command keeps its argument: \mathrm{KL} is KL). */
static const struct {
    const char *cmd, *plain;
} plain_map[] = {
    { "\\|", "\xe2\x80\x96" },
    { "\\mu", "\xce\xbc" },
    { "\\sigma", "\xcf\x83" },
    { "\\Sigma", "\xce\xa3" },
    { "\\sum", "\xce\xa3" },
    { "\\lambda", "\xce\xbb" },
    { "\\theta", "\xce\xb8" },
    { "\\pi", "\xcf\x80" },
    { "\\epsilon", "\xce\xb5" },
    { "\\varepsilon", "\xce\xb5" },
    { "\\beta", "\xce\xb2" },
    { "\\Delta", "\xce\x94" },
    { "\\cdot", "\xc2\xb7" },
    { "\\leq", "\xe2\x89\xa4" },
    { "\\geq", "\xe2\x89\xa5" },
    { "\\le", "\xe2\x89\xa4" },
    { "\\ge", "\xe2\x89\xa5" },
    { "\\neq", "\xe2\x89\xa0" },
    { "\\dots", "\xe2\x80\xa6" },
    { "\\ldots", "\xe2\x80\xa6" },
    { "\\sim", "~" },
    { "\\prod", "\xe2\x88\x8f" },
    { "\\int", "\xe2\x88\xab" },
    { "\\nabla", "\xe2\x88\x87" },
    { "\\in", "\xe2\x88\x88" },
    { "\\infty", "\xe2\x88\x9e" },
    { "\\log", "log" },
    { "\\exp", "exp" },
    { "\\left", "" },
    { "\\right", "" },
    { "\\mathrm", "" },
    { "\\mathbb", "" },
    { "\\mathcal", "" },
    { "\\text", "" },
    { "\\operatorname", "" },
    { "\\mathbf", "" },
    { "\\boldsymbol", "" },
    { "\\ ", " " },
    { "\\,", " " },
    { "\\;", " " },
    { "\\quad", "  " },
    { "\\top", "T" },
};

/* The length of the command name at S (S[0] is '\\'): letters, or one sign. */
static size_t command_len(const char *s)
{
    size_t k = 1;
    while (isalpha((unsigned char)s[k]))
        k++;
    return k > 1 ? k : s[1] ? 2 : 1;
}

/* The end of the {...} group at P (P[0] == '{'), just past its '}'; NULL if open. */
static const char *group_end(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        depth += *p == '{';
        depth -= *p == '}';
        if (!depth)
            return p + 1;
    }
    return NULL;
}

/* Appends the plain form of the group [A+1, B-1) to OUT, bracketed when it
 * is more than one term ("1", "p(x,z)" stay bare; "a + b" is "(a + b)"). */
static void plain_group(gbuf *out, const char *a, const char *b)
{
    char *in = grade_strndup(a + 1, (size_t)(b - a - 2));
    char *g = in ? el_grade_plain(in) : NULL;
    int bare = g && !strpbrk(g, " +-");
    gbuf_printf(out, bare ? "%s" : "(%s)", g ? g : "");
    free(g);
    free(in);
}

/* \frac{A}{B} at P as A/B; the length read, or 0 if it is not of that form. */
static size_t plain_frac(gbuf *out, const char *p)
{
    const char *a = p + 5, *m = *a == '{' ? group_end(a) : NULL;
    const char *e = m && *m == '{' ? group_end(m) : NULL;
    if (!e)
        return 0;
    plain_group(out, a, m);
    gbuf_puts(out, "/");
    plain_group(out, m, e);
    return (size_t)(e - p);
}

char *el_grade_plain(const char *latex)
{
    gbuf b = { 0 };
    gbuf_add(&b, "", 0);
    for (const char *p = latex; p && *p;) {
        if (*p != '\\') {
            gbuf_add(&b, p++, 1);
            continue;
        }
        size_t k = command_len(p), i = 0;
        if (k == 5 && !strncmp(p, "\\frac", 5) && (i = plain_frac(&b, p))) {
            p += i;
            continue;
        }
        while (i < sizeof plain_map / sizeof plain_map[0] &&
               (strlen(plain_map[i].cmd) != k || strncmp(p, plain_map[i].cmd, k)))
            i++;
        if (i == sizeof plain_map / sizeof plain_map[0]) {
            gbuf_add(&b, p, k); /* a command without a plain form stays */
        } else if (!*plain_map[i].plain && p[k] == '{' && isalpha((unsigned char)p[1]) &&
                   strcmp(plain_map[i].cmd, "\\left") && strcmp(plain_map[i].cmd, "\\right")) {
            const char *end = strchr(p + k, '}'); /* \mathrm{KL}: the argument alone */
            if (end) {
                gbuf_add(&b, p + k + 1, (size_t)(end - p - k - 1));
                k = (size_t)(end - p) + 1;
            }
        } else {
            const char *w = plain_map[i].plain;
            if (isalpha((unsigned char)*w) && b.n && isalnum((unsigned char)b.s[b.n - 1]))
                gbuf_puts(&b, " "); /* 1/2\log: "1/2 log" */
            gbuf_puts(&b, w);
            if (*w && isalpha((unsigned char)w[strlen(w) - 1]) &&
                (isalnum((unsigned char)p[k]) || p[k] == '\\'))
                gbuf_puts(&b, " "); /* \log\frac, \log x: a word needs its space */
        }
        p += k;
    }
    return gbuf_take(&b);
}
