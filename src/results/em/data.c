/* data.c -- reading a data file: one number a line. */
#include "results/em/el_em.h"
#include "core/el_core.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMAX      10000000          /* at most this many data points */
#define MAX_LINE  4096              /* bytes per line, the newline included */
#define MAX_BYTES ((size_t)1 << 30) /* the largest data file read */

/* Cuts LINE at a '#' and trims white space; returns the start of what is left. */
static char *strip(char *line)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    while (isspace((unsigned char)*line))
        line++;
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1]))
        line[--len] = '\0';
    return line;
}

/* Parses TEXT as exactly one finite number into *V. */
static int parse_one(const char *text, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(text, &end);
    return end != text && *end == '\0' && isfinite(*v) && errno != ERANGE;
}

/* Appends V to *X (capacity *CAP), growing it geometrically. */
static int push(double **x, size_t *n, size_t *cap, double v)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        double *y = realloc(*x, c * sizeof *y);
        if (!y)
            return EL_ERROR(EL_ENOMEM, "out of memory reading data");
        *x = y;
        *cap = c;
    }
    (*x)[(*n)++] = v;
    return EL_OK;
}

/* Reads the numbers of the open stream F (named PATH in messages). */
static int read_stream(FILE *f, const char *path, double **x, size_t *n)
{
    char line[MAX_LINE + 2];
    size_t cap = 0, lineno = 0;
    int s = EL_OK;
    while (s == EL_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t got = strlen(line);
        if (got > MAX_LINE) { /* fgets stopped inside a longer line */
            s = EL_ERROR(EL_ELIMIT, "%s:%zu: a line longer than %d bytes", path, lineno, MAX_LINE);
            break;
        }
        char *t = strip(line);
        double v;
        if (*t == '\0')
            continue;
        if (!parse_one(t, &v))
            s = EL_ERROR(EL_EFORMAT, "%s:%zu: expected one finite number, got '%.40s'", path,
                         lineno, t);
        else if (*n == NMAX)
            s = EL_ERROR(EL_ELIMIT, "%s: more than %d data points", path, NMAX);
        else
            s = push(x, n, &cap, v);
    }
    if (s == EL_OK && ferror(f))
        s = EL_ERROR(EL_EIO, "cannot read data file '%s': %s", path, strerror(errno));
    if (s == EL_OK && *n == 0)
        s = EL_ERROR(EL_EFORMAT, "%s: no data (only blank lines and comments)", path);
    return s;
}

int el_em_read_data(const char *path, double **x, size_t *n)
{
    *x = NULL;
    *n = 0;
    FILE *f;
    int s = el_file_open_read(path, MAX_BYTES, &f, NULL); /* regular files only */
    if (s)
        return s;
    s = read_stream(f, path, x, n);
    fclose(f);
    if (s != EL_OK) {
        free(*x);
        *x = NULL;
        *n = 0;
    }
    return s;
}
