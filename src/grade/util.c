/* util.c -- growable strings, UTF-8 cleaning and notes for the grader. */
#include "grade/util.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable strings ----------------------------------------------------- */

/* Appends N bytes of S to B (sets B->oom instead when memory runs out). */
void gbuf_add(gbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->oom = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void gbuf_puts(gbuf *b, const char *s)
{
    gbuf_add(b, s, strlen(s));
}

/* Appends a formatted string to B. */
void gbuf_printf(gbuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < sizeof small) {
        gbuf_add(b, small, (size_t)k);
        return;
    }
    char *big = malloc((size_t)k + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    gbuf_add(b, big, (size_t)k);
    free(big);
}

/* Returns B's string (an empty one if nothing was added) and resets B; NULL
 * only when out of memory. */
char *gbuf_take(gbuf *b)
{
    char *s = b->s;
    int oom = b->oom;
    memset(b, 0, sizeof *b);
    if (oom) {
        free(s);
        return NULL;
    }
    return s ? s : grade_strdup("");
}

int grade_grow(void **v, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 8;
    void *t = realloc(*v, c * sz);
    if (!t)
        return -1;
    *v = t;
    *cap = c;
    return 0;
}

char *grade_strndup(const char *s, size_t n)
{
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    memcpy(t, s, n);
    t[n] = '\0';
    return t;
}

char *grade_strdup(const char *s)
{
    return s ? grade_strndup(s, strlen(s)) : NULL;
}

/* ---- UTF-8 cleaning ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at S (N bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t c;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        c = s[0] & 0x07;
    } else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are invalid */
    if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
        (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 0;
    /* C1 controls (U+0080..U+009F) would reach a terminal: drop them */
    if (c >= 0x80 && c < 0xA0)
        return 0;
    return len;
}

char *grade_clean(const char *s, size_t n, size_t max, int keep_nl)
{
    gbuf b = { 0 };
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    gbuf_add(&b, "", 0);
    while (i < n) {
        if (b.n >= max) {
            gbuf_puts(&b, "...");
            break;
        }
        if (u[i] == '\n' || u[i] == '\t' || u[i] == '\r') {
            gbuf_add(&b, (u[i] == '\n' && keep_nl) ? "\n" : " ", 1);
            i++;
            continue;
        }
        if (u[i] < 0x20 || u[i] == 0x7F) {
            i++;
            continue;
        }
        size_t k = utf8_len(u + i, n - i);
        if (k == 0) {
            gbuf_puts(&b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        gbuf_add(&b, s + i, k);
        i += k;
    }
    return gbuf_take(&b);
}

/* ---- notes ----------------------------------------------------------------------- */

void grade_note(el_grade_notes *notes, int line, int error, const char *fmt, ...)
{
    if (notes->n >= EL_GRADE_MAX_NOTES) {
        notes->dropped++;
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (grade_grow((void **)&notes->v, &notes->cap, notes->n, sizeof *notes->v))
        return;
    char *t = grade_clean(msg, strlen(msg), sizeof msg, 0);
    if (!t)
        return;
    notes->v[notes->n++] = (el_grade_note){ line, error, t };
}

void grade_notes_free(el_grade_notes *notes)
{
    for (size_t i = 0; i < notes->n; i++)
        free(notes->v[i].text);
    free(notes->v);
    memset(notes, 0, sizeof *notes);
}

/* ---- names ------------------------------------------------------------------------ */

char *grade_norm_name(const char *s, char sep)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    size_t k = 0;
    int pending = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '-' || c == '_') {
            pending = 1;
            continue;
        }
        if (pending && k > 0)
            t[k++] = sep;
        pending = 0;
        t[k++] = (char)tolower(c);
    }
    t[k] = '\0';
    return t;
}

void grade_fmt_number(char *buf, size_t n, double x)
{
    if (x == 0.0) {
        snprintf(buf, n, "0");
        return;
    }
    if (!isfinite(x) || fabs(x) > 1e6 || fabs(x) < 1e-4) {
        snprintf(buf, n, "%.6g", x);
        return;
    }
    for (int q = 1; q <= 12; q++) {
        double p = x * q;
        double r = (double)(long long)(p + (p > 0 ? 0.5 : -0.5));
        if (fabs(p - r) < 1e-9 * fmax(1.0, fabs(p)) && fabs(r) < 1e6) {
            if (q == 1)
                snprintf(buf, n, "%lld", (long long)r);
            else
                snprintf(buf, n, "%lld/%d", (long long)r, q);
            return;
        }
    }
    snprintf(buf, n, "%.6g", x);
}

double el_grade_round(double score)
{
    return round(score * 1e4) / 1e4;
}

int grade_safe_name(const char *s)
{
    if (!s || !*s || strlen(s) > 64 || *s == '.')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return 1;
}
