/* lex.c -- the tokenizer of the answer language: plain math, a LaTeX
 * subset and the Unicode a student pastes from a PDF (· × − μ σ ² ₁ ᵀ √).
 * Hand-written: no packaged C library tokenizes LaTeX math. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr_internal.h"

/* ---- characters -------------------------------------------------------- */

/* Decodes one UTF-8 code point at s[0..n). Returns its length in bytes and
 * stores the code point in *cp, or returns 0 for an invalid sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
    static const unsigned long min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t len;
    if (n == 0)
        return 0;
    if (s[0] < 0x80)
        len = 1;
    else if ((s[0] & 0xE0) == 0xC0)
        len = 2;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    unsigned long c = len == 1 ? s[0] : (unsigned long)(s[0] & (0x7F >> len));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* The code point at the cursor (0 at the end); *len its byte length, 0 if
 * the bytes are not valid UTF-8. */
static unsigned long peek_cp(const cursor *c, size_t *len)
{
    unsigned long cp = 0;
    if (c->off >= c->len) {
        *len = 0;
        return 0;
    }
    *len = utf8_decode((const unsigned char *)c->s + c->off, c->len - c->off, &cp);
    return cp;
}

/* Advances the cursor by one character of `len` bytes. */
static void step(cursor *c, size_t len)
{
    c->off += len;
    c->pos += 1;
}

static int is_alpha(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int at(const cursor *c, size_t k)
{
    return c->off + k < c->len ? (unsigned char)c->s[c->off + k] : 0;
}

/* ---- tables ------------------------------------------------------------ */

/* LaTeX Greek letters: the command name is the variable name. */
static const char *const greek[] = {
    "alpha",    "beta",   "gamma", "delta",    "epsilon", "varepsilon", "zeta", "eta",    "theta",
    "vartheta", "iota",   "kappa", "lambda",   "mu",      "nu",         "xi",   "pi",     "varpi",
    "rho",      "varrho", "sigma", "varsigma", "tau",     "upsilon",    "phi",  "varphi", "chi",
    "psi",      "omega",  "Gamma", "Delta",    "Theta",   "Lambda",     "Xi",   "Pi",     "Sigma",
    "Upsilon",  "Phi",    "Psi",   "Omega",    "ell",     NULL
};

/* Commands that only change spacing or style: skipped like white space. */
static const char *const ignored[] = { "quad",        "qquad",    "displaystyle", "textstyle",
                                       "scriptstyle", "limits",   "nolimits",     "enspace",
                                       "thinspace",   "medspace", "thickspace",   NULL };

/* Unicode code points with a fixed meaning. */
typedef struct {
    unsigned long cp;
    tok_kind kind;
    const char *name;
} uni_entry;

static const uni_entry unicode[] = { { 0x00B7, TK_STAR, NULL },
                                     { 0x00D7, TK_STAR, NULL },
                                     { 0x22C5, TK_STAR, NULL },
                                     { 0x2217, TK_STAR, NULL },
                                     { 0x2219, TK_STAR, NULL },
                                     { 0x2212, TK_MINUS, NULL },
                                     { 0x2299, TK_ODOT, NULL },
                                     { 0x2013, TK_MINUS, NULL },
                                     { 0x2012, TK_MINUS, NULL },
                                     { 0x00F7, TK_SLASH, NULL },
                                     { 0x2215, TK_SLASH, NULL },
                                     { 0x2032, TK_PRIME, NULL },
                                     { 0x1D40, TK_PRIME, NULL },
                                     { 0x22A4, TK_PRIME, NULL },
                                     { 0x221A, TK_SQRT, NULL },
                                     { 0x2223, TK_BAR, NULL },
                                     { 0x03B1, TK_NAME, "alpha" },
                                     { 0x03B2, TK_NAME, "beta" },
                                     { 0x03B3, TK_NAME, "gamma" },
                                     { 0x03B4, TK_NAME, "delta" },
                                     { 0x03B5, TK_NAME, "epsilon" },
                                     { 0x03F5, TK_NAME, "epsilon" },
                                     { 0x03B6, TK_NAME, "zeta" },
                                     { 0x03B7, TK_NAME, "eta" },
                                     { 0x03B8, TK_NAME, "theta" },
                                     { 0x03D1, TK_NAME, "theta" },
                                     { 0x03B9, TK_NAME, "iota" },
                                     { 0x03BA, TK_NAME, "kappa" },
                                     { 0x03BB, TK_NAME, "lambda" },
                                     { 0x03BC, TK_NAME, "mu" },
                                     { 0x00B5, TK_NAME, "mu" },
                                     { 0x03BD, TK_NAME, "nu" },
                                     { 0x03BE, TK_NAME, "xi" },
                                     { 0x03BF, TK_NAME, "o" },
                                     { 0x03C0, TK_NAME, "pi" },
                                     { 0x03C1, TK_NAME, "rho" },
                                     { 0x03C2, TK_NAME, "sigma" },
                                     { 0x03C3, TK_NAME, "sigma" },
                                     { 0x03C4, TK_NAME, "tau" },
                                     { 0x03C5, TK_NAME, "upsilon" },
                                     { 0x03C6, TK_NAME, "phi" },
                                     { 0x03D5, TK_NAME, "phi" },
                                     { 0x03C7, TK_NAME, "chi" },
                                     { 0x03C8, TK_NAME, "psi" },
                                     { 0x03C9, TK_NAME, "omega" },
                                     { 0x0393, TK_NAME, "Gamma" },
                                     { 0x0394, TK_NAME, "Delta" },
                                     { 0x0398, TK_NAME, "Theta" },
                                     { 0x039B, TK_NAME, "Lambda" },
                                     { 0x039E, TK_NAME, "Xi" },
                                     { 0x03A0, TK_NAME, "Pi" },
                                     { 0x03A3, TK_NAME, "Sigma" },
                                     { 0x03A5, TK_NAME, "Upsilon" },
                                     { 0x03A6, TK_NAME, "Phi" },
                                     { 0x03A8, TK_NAME, "Psi" },
                                     { 0x03A9, TK_NAME, "Omega" },
                                     { 0x2126, TK_NAME, "Omega" },
                                     { 0x2113, TK_NAME, "ell" },
                                     { 0x0391, TK_NAME, "A" },
                                     { 0x0392, TK_NAME, "B" },
                                     { 0x0395, TK_NAME, "E" },
                                     { 0x0396, TK_NAME, "Z" },
                                     { 0x0397, TK_NAME, "H" },
                                     { 0x0399, TK_NAME, "I" },
                                     { 0x039A, TK_NAME, "K" },
                                     { 0x039C, TK_NAME, "M" },
                                     { 0x039D, TK_NAME, "N" },
                                     { 0x039F, TK_NAME, "O" },
                                     { 0x03A1, TK_NAME, "P" },
                                     { 0x03A4, TK_NAME, "T" },
                                     { 0x03A7, TK_NAME, "X" },
                                     { 0x2211, TK_CMD, "sum" },
                                     { 0x220F, TK_CMD, "prod" },
                                     { 0x2016, TK_CMD, "|" },
                                     { 0x2225, TK_CMD, "|" },
                                     { 0x2044, TK_SLASH, NULL },
                                     { 0, TK_END, NULL } };

static int in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

/* Unicode white space a PDF or word processor may produce. */
static int is_uspace(unsigned long cp)
{
    return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000 || cp == 0xFEFF;
}

/* Value of a Unicode superscript digit or sign, as the ASCII character it
 * stands for, or 0. */
static char superscript(unsigned long cp)
{
    switch (cp) {
    case 0x00B2: return '2';
    case 0x00B3: return '3';
    case 0x00B9: return '1';
    case 0x2070: return '0';
    case 0x207A: return '+';
    case 0x207B: return '-';
    default: return cp >= 0x2074 && cp <= 0x2079 ? (char)('4' + (cp - 0x2074)) : 0;
    }
}

/* ---- token builders ---------------------------------------------------- */

static void tok_start(token *t, const cursor *c, tok_kind kind)
{
    t->kind = kind;
    t->off = c->off;
    t->end = c->off;
    t->pos = c->pos;
    t->num = 0;
    t->flag = 0;
    t->digits_only = 0;
    t->name[0] = '\0';
    t->msg[0] = '\0';
}

static void tok_bad(token *t, const char *fmt, const char *arg)
{
    t->kind = TK_BAD;
    snprintf(t->msg, sizeof t->msg, fmt, arg);
}

/* Reads a LaTeX command name (letters) after the backslash into buf;
 * a single non-letter character for symbols such as \, or \{.
 * Returns 0 if the name is too long. */
static int read_cmd_name(cursor *c, char *buf, size_t cap)
{
    size_t n = 0;
    if (!is_alpha(at(c, 0))) {
        size_t len;
        unsigned long cp = peek_cp(c, &len);
        if (len == 0 || cp == 0) {
            buf[0] = '\0';
            return 1;
        }
        if (len >= cap)
            return 0;
        memcpy(buf, c->s + c->off, len);
        buf[len] = '\0';
        step(c, len);
        return 1;
    }
    while (is_alpha(at(c, 0))) {
        if (n + 1 >= cap)
            return 0;
        buf[n++] = (char)at(c, 0);
        step(c, 1);
    }
    buf[n] = '\0';
    return 1;
}

/* Skips white space, `~`, LaTeX spacing commands (\, \; \: \! \  \quad ...)
 * and style switches (\displaystyle, \limits). */
static void skip_space(cursor *c)
{
    for (;;) {
        size_t len;
        unsigned long cp = peek_cp(c, &len);
        if (len == 0)
            return;
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
            cp == '~' || is_uspace(cp)) {
            step(c, len);
            continue;
        }
        if (cp == '%') { /* a LaTeX comment, to the end of the line */
            while (c->off < c->len && at(c, 0) != '\n') { /* characters, whatever the bytes */
                c->pos += (at(c, 0) & 0xC0) != 0x80;
                c->off++;
            }
            continue;
        }
        if (cp != '\\')
            return;
        int next = at(c, 1);
        if (next == ',' || next == ';' || next == ':' || next == '!' || next == ' ') {
            step(c, 1);
            step(c, 1);
            continue;
        }
        if (!is_alpha(next))
            return;
        cursor probe = *c;
        char name[EXPR_NAME_MAX];
        step(&probe, 1);
        if (!read_cmd_name(&probe, name, sizeof name) || !in_list(ignored, name))
            return;
        *c = probe;
    }
}

/* Reads a number: digits [. digits] [e|E [+-] digits], or . digits. */
static void lex_number(cursor *c, token *t)
{
    size_t start = c->off, n;
    int plain = 1;
    while (is_digit(at(c, 0)))
        step(c, 1);
    if (at(c, 0) == '.') {
        plain = 0;
        step(c, 1);
        while (is_digit(at(c, 0)))
            step(c, 1);
    }
    if ((at(c, 0) == 'e' || at(c, 0) == 'E') &&
        (is_digit(at(c, 1)) || ((at(c, 1) == '+' || at(c, 1) == '-') && is_digit(at(c, 2))))) {
        plain = 0;
        step(c, 2);
        while (is_digit(at(c, 0)))
            step(c, 1);
    }
    n = c->off - start;
    char buf[128];
    if (n >= sizeof buf) {
        tok_bad(t, "number too long%s", "");
        return;
    }
    memcpy(buf, c->s + start, n);
    buf[n] = '\0';
    errno = 0;
    t->num = strtod(buf, NULL); /* the C locale: the library never calls setlocale */
    t->digits_only = plain;
    if (!isfinite(t->num))
        tok_bad(t, "number %.24s is too large", buf);
}

/* 1 if a name goes on at C: a letter or digit, or '_' before one (so `mu_q`
 * and `x_1` are one name, while `x_{1}` stops at the '_'). */
static int name_continues(const cursor *c)
{
    return is_alpha(at(c, 0)) || is_digit(at(c, 0)) ||
           (at(c, 0) == '_' && (is_alpha(at(c, 1)) || is_digit(at(c, 1))));
}

/* Modules whose prefix a student pastes from a notebook: np.log is log. */
static const char *const libraries[] = { "np", "numpy", "math", "torch", "jnp", "linalg", NULL };

/* Reads a plain identifier: a letter, then letters, digits, and '_' when a
 * letter or digit follows it (so `mu_q`, `sigma1`, `x_1` are one name, while
 * `x_{1}` is `x`, `_`, `{1}`).  A library prefix (np., math., torch.) is
 * dropped. */
static void lex_ident(cursor *c, token *t)
{
    for (;;) {
        cursor probe = *c;
        size_t n = 0;
        char word[8];
        while (n + 1 < sizeof word && is_alpha(at(&probe, 0))) {
            word[n++] = (char)at(&probe, 0);
            step(&probe, 1);
        }
        word[n] = '\0';
        if (at(&probe, 0) != '.' || !is_alpha(at(&probe, 1)) || !in_list(libraries, word))
            break;
        step(&probe, 1);
        *c = probe;
    }
    size_t n = 0;
    while (name_continues(c)) {
        if (n + 1 >= sizeof t->name) {
            tok_bad(t, "name too long%s", "");
            while (is_alpha(at(c, 0)) || is_digit(at(c, 0)) || at(c, 0) == '_')
                step(c, 1);
            return;
        }
        t->name[n++] = (char)at(c, 0);
        step(c, 1);
    }
    t->name[n] = '\0';
}

/* Reads the delimiter after \left, \right, \big, \bigl, ...: sets t to a
 * bracket or bar token; `side` is BAR_OPEN, BAR_CLOSE or BAR_EITHER. */
static void lex_token(cursor *c, token *t, int nested);

static void lex_delim(cursor *c, token *t, int side, const char *cmd)
{
    skip_space(c);
    cursor save = *c;
    token d;
    lex_token(c, &d, 1);
    switch (d.kind) {
    case TK_LPAREN:
    case TK_RPAREN:
    case TK_LBRACK:
    case TK_RBRACK:
    case TK_LCURLY:
    case TK_RCURLY:
        t->kind = d.kind;
        t->flag = 1;
        return;
    case TK_BAR:
        t->kind = TK_BAR;
        t->flag = d.flag != BAR_EITHER ? d.flag : side;
        return;
    case TK_CMD: /* \left\| ... \right\|: a norm */
        if (!strcmp(d.name, "|") || !strcmp(d.name, "Vert") || !strcmp(d.name, "lVert") ||
            !strcmp(d.name, "rVert")) {
            t->kind = TK_CMD;
            strcpy(t->name, side == BAR_OPEN ? "lVert" : side == BAR_CLOSE ? "rVert" : d.name);
            return;
        }
        break;
    default: break;
    }
    if (at(&save, 0) == '.')
        tok_bad(t, "'\\%s.' (an invisible delimiter) is not supported", cmd);
    else if (d.kind == TK_BAD && d.msg[0])
        *t = d;
    else
        tok_bad(t, "expected a bracket or '|' after '\\%s'", cmd);
}

/* Classifies a LaTeX command that starts at the cursor's backslash. */
static void lex_command(cursor *c, token *t, int nested)
{
    char name[EXPR_NAME_MAX];
    step(c, 1);
    if (!read_cmd_name(c, name, sizeof name)) {
        tok_bad(t, "LaTeX command name too long%s", "");
        while (is_alpha(at(c, 0)))
            step(c, 1);
        return;
    }
    if (strcmp(name, "{") == 0 || strcmp(name, "lbrace") == 0) {
        t->kind = TK_LCURLY;
    } else if (strcmp(name, "}") == 0 || strcmp(name, "rbrace") == 0) {
        t->kind = TK_RCURLY;
    } else if (strcmp(name, "cdot") == 0 || strcmp(name, "times") == 0 ||
               strcmp(name, "ast") == 0) {
        t->kind = TK_STAR;
    } else if (strcmp(name, "odot") == 0) {
        t->kind = TK_ODOT;
    } else if (strcmp(name, "div") == 0) {
        t->kind = TK_SLASH;
    } else if (strcmp(name, "lvert") == 0 || strcmp(name, "rvert") == 0 ||
               strcmp(name, "vert") == 0) {
        t->kind = TK_BAR;
        t->flag = name[0] == 'l' ? BAR_OPEN : name[0] == 'r' ? BAR_CLOSE : BAR_EITHER;
    } else if (strcmp(name, "prime") == 0) {
        t->kind = TK_PRIME;
    } else if (nested && (strcmp(name, "left") == 0 || strcmp(name, "right") == 0 ||
                          strncmp(name, "big", 3) == 0 || strncmp(name, "Big", 3) == 0)) {
        tok_bad(t, "expected a bracket or '|' after '\\%.24s'", name);
    } else if (strcmp(name, "left") == 0 || strcmp(name, "right") == 0) {
        lex_delim(c, t, name[0] == 'l' ? BAR_OPEN : BAR_CLOSE, name);
    } else if (strncmp(name, "big", 3) == 0 || strncmp(name, "Big", 3) == 0) {
        const char *rest = name + 3;
        if (strncmp(rest, "g", 1) == 0)
            rest++;
        if (strcmp(rest, "") && strcmp(rest, "l") && strcmp(rest, "r") && strcmp(rest, "m")) {
            t->kind = TK_CMD;
            strcpy(t->name, name);
            return;
        }
        lex_delim(c, t, *rest == 'l' ? BAR_OPEN : *rest == 'r' ? BAR_CLOSE : BAR_EITHER, name);
    } else if (in_list(greek, name)) {
        t->kind = TK_NAME;
        strcpy(t->name, name);
    } else if (name[0] == '\0') {
        tok_bad(t, "a lone '\\' at the end%s", "");
    } else {
        t->kind = TK_CMD;
        strcpy(t->name, name);
    }
}

/* Reads a run of Unicode superscripts (x²  A⁻¹) as the number they spell. */
static void lex_superscript(cursor *c, token *t)
{
    char buf[32];
    size_t n = 0, len;
    char ch;
    while ((ch = superscript(peek_cp(c, &len))) != 0 && len) {
        if (n + 1 >= sizeof buf) {
            tok_bad(t, "superscript too long%s", "");
            return;
        }
        buf[n++] = ch;
        step(c, len);
    }
    buf[n] = '\0';
    char *end;
    t->kind = TK_SUPER;
    t->num = strtod(buf, &end);
    if (end == buf || *end != '\0')
        tok_bad(t, "cannot read the superscript '%s'", buf);
}

/* The ASCII character a Unicode subscript digit or letter spells (₁ is 1,
 * ₓ is x, ᵢ is i), or 0. */
static char subscript_char(unsigned long cp)
{
    static const struct {
        unsigned long cp;
        char ch;
    } letters[] = { { 0x2090, 'a' }, { 0x2091, 'e' }, { 0x2092, 'o' }, { 0x2093, 'x' },
                    { 0x2095, 'h' }, { 0x2096, 'k' }, { 0x2097, 'l' }, { 0x2098, 'm' },
                    { 0x2099, 'n' }, { 0x209A, 'p' }, { 0x209B, 's' }, { 0x209C, 't' },
                    { 0x1D62, 'i' }, { 0x2C7C, 'j' }, { 0x1D63, 'r' }, { 0x1D64, 'u' },
                    { 0x1D65, 'v' }, { 0, 0 } };
    if (cp >= 0x2080 && cp <= 0x2089)
        return (char)('0' + (cp - 0x2080));
    for (size_t i = 0; letters[i].cp; i++)
        if (letters[i].cp == cp)
            return letters[i].ch;
    return 0;
}

/* Reads a run of Unicode subscript digits and letters (σ₁, ∑ₓ, μᵢ) as the
 * ASCII they spell. */
static void lex_subdigits(cursor *c, token *t)
{
    size_t n = 0, len;
    unsigned long cp;
    char ch;
    t->kind = TK_SUBDIG;
    while ((cp = peek_cp(c, &len)) && len && (ch = subscript_char(cp))) {
        if (n + 1 >= sizeof t->name) {
            tok_bad(t, "subscript too long%s", "");
            return;
        }
        t->name[n++] = ch;
        step(c, len);
    }
    t->name[n] = '\0';
}

/* Derivation mode: Unicode symbols read as their LaTeX commands (or names). */
static const struct {
    unsigned long cp;
    tok_kind kind;
    const char *name;
} deriv_unicode[] = {
    { 0x2211, TK_CMD, "sum" },   { 0x220F, TK_CMD, "prod" },  { 0x222B, TK_CMD, "int" },
    { 0x1D53C, TK_NAME, "E" },   { 0x223C, TK_CMD, "sim" },   { 0x2202, TK_CMD, "partial" },
    { 0x2207, TK_CMD, "nabla" }, { 0x221E, TK_CMD, "infty" }, { 0x211D, TK_NAME, "R" },
    { 0x2016, TK_DBAR, NULL },   { 0x2225, TK_DBAR, NULL },   { 0x1D4A9, TK_NAME, "N" },
    { 0x2115, TK_NAME, "N" },    { 0x2124, TK_NAME, "Z" },    { 0, TK_END, NULL }
};

/* Derivation mode: returns 1 when cp is one of deriv_unicode (token set). */
static int lex_deriv_unicode(cursor *c, token *t, unsigned long cp, size_t len)
{
    for (size_t i = 0; deriv_unicode[i].cp; i++) {
        if (deriv_unicode[i].cp == cp) {
            t->kind = deriv_unicode[i].kind;
            if (deriv_unicode[i].name)
                strcpy(t->name, deriv_unicode[i].name);
            step(c, len);
            return 1;
        }
    }
    return 0;
}

/* The value of a Unicode vulgar fraction (½ ⅓ ¼ ¾ ⅔ ⅛ ...), or 0. */
static double vulgar_fraction(unsigned long cp)
{
    static const struct {
        unsigned long cp;
        double num, den;
    } fr[] = { { 0x00BD, 1, 2 }, { 0x00BC, 1, 4 },  { 0x00BE, 3, 4 }, { 0x2150, 1, 7 },
               { 0x2151, 1, 9 }, { 0x2152, 1, 10 }, { 0x2153, 1, 3 }, { 0x2154, 2, 3 },
               { 0x2155, 1, 5 }, { 0x2156, 2, 5 },  { 0x2157, 3, 5 }, { 0x2158, 4, 5 },
               { 0x2159, 1, 6 }, { 0x215A, 5, 6 },  { 0x215B, 1, 8 }, { 0x215C, 3, 8 },
               { 0x215D, 5, 8 }, { 0x215E, 7, 8 },  { 0, 0, 1 } };
    for (size_t i = 0; fr[i].cp; i++)
        if (fr[i].cp == cp)
            return fr[i].num / fr[i].den;
    return 0;
}

/* A Greek letter written against ASCII letters or digits is one name, as
 * its spelled-out form would be: σ2 is sigma2, μq is muq (answers only; a
 * derivation reads σ and 2). */
static void glue_ascii(cursor *c, token *t)
{
    size_t n = strlen(t->name);
    while (name_continues(c) && n + 1 < sizeof t->name) {
        t->name[n++] = (char)at(c, 0);
        step(c, 1);
    }
    t->name[n] = '\0';
}

/* Classifies a non-ASCII character. */
static void lex_unicode(cursor *c, token *t, unsigned long cp, size_t len)
{
    if (c->deriv && lex_deriv_unicode(c, t, cp, len))
        return;
    if (superscript(cp)) {
        lex_superscript(c, t);
        return;
    }
    if (subscript_char(cp)) {
        lex_subdigits(c, t);
        return;
    }
    double frac = vulgar_fraction(cp);
    if (frac > 0) {
        t->kind = TK_NUM;
        t->num = frac;
        step(c, len);
        return;
    }
    for (size_t i = 0; unicode[i].cp; i++) {
        if (unicode[i].cp == cp) {
            t->kind = unicode[i].kind;
            if (unicode[i].name)
                strcpy(t->name, unicode[i].name);
            step(c, len);
            if (t->kind == TK_NAME && !c->deriv)
                glue_ascii(c, t);
            return;
        }
    }
    char buf[8];
    memcpy(buf, c->s + c->off, len);
    buf[len] = '\0';
    step(c, len);
    tok_bad(t, "unexpected character '%s'", buf);
}

/* Classifies a one-character ASCII token; returns 0 if `ch` is not one. */
static int lex_punct(cursor *c, token *t, int ch)
{
    static const char chars[] = "+-*/^_()[]{}|'";
    static const tok_kind kinds[] = { TK_PLUS,   TK_MINUS,  TK_STAR,   TK_SLASH,  TK_CARET,
                                      TK_USCORE, TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK,
                                      TK_LBRACE, TK_RBRACE, TK_BAR,    TK_PRIME };
    const char *hit = ch ? strchr(chars, ch) : NULL;
    if (!hit)
        return 0;
    t->kind = kinds[hit - chars];
    step(c, 1);
    if (ch == '*' && at(c, 0) == '*') {
        t->kind = TK_POW2;
        step(c, 1);
    }
    return 1;
}

/* Reads one token; `nested` is set inside lex_delim (no \left\left). */
static void lex_token(cursor *c, token *t, int nested)
{
    skip_space(c);
    tok_start(t, c, TK_END);
    size_t len;
    unsigned long cp = peek_cp(c, &len);
    if (c->off >= c->len) {
        t->kind = TK_END;
    } else if (len == 0) {
        tok_bad(t, "the text is not valid UTF-8%s", "");
        step(c, 1);
    } else if (is_digit((int)cp) || (cp == '.' && is_digit(at(c, 1)))) {
        t->kind = TK_NUM;
        lex_number(c, t);
    } else if (is_alpha((int)cp)) {
        t->kind = TK_NAME;
        lex_ident(c, t);
    } else if (cp == '\\') {
        lex_command(c, t, nested);
    } else if (cp >= 0x80) {
        lex_unicode(c, t, cp, len);
    } else if (cp == '@') { /* NumPy's matrix product */
        t->kind = TK_STAR;
        step(c, 1);
    } else if (cp == '.' && at(c, 1) == 'T' && !is_alpha(at(c, 2)) && !is_digit(at(c, 2))) {
        t->kind = TK_PRIME; /* NumPy's transpose, v.T */
        step(c, 2);
    } else if (!lex_punct(c, t, (int)cp)) {
        char buf[2] = { (char)cp, '\0' };
        step(c, 1);
        if (cp == '=')
            t->kind = TK_EQ;
        else if (c->deriv && cp == ',')
            t->kind = TK_COMMA;
        else if (c->deriv && cp == ';')
            t->kind = TK_SEMI;
        else
            tok_bad(t, "unexpected character '%s'", buf);
    }
    t->end = c->off;
}

void expr_lex(cursor *c, token *t)
{
    lex_token(c, t, 0);
}

int expr_lex_char(cursor *c, token *t)
{
    cursor probe = *c;
    skip_space(&probe);
    int ch = at(&probe, 0);
    if (!is_digit(ch) && !is_alpha(ch))
        return 0;
    tok_start(t, &probe, is_digit(ch) ? TK_NUM : TK_NAME);
    t->name[0] = (char)ch;
    t->name[1] = '\0';
    t->num = is_digit(ch) ? ch - '0' : 0;
    t->digits_only = 1;
    step(&probe, 1);
    t->end = probe.off;
    *c = probe;
    return 1;
}
