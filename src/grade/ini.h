/* ini.h -- private to grade/: decoding an answer or exercise file and the
 * tolerant INI reader (ini.c). */
#ifndef EL_GRADE_INI_H
#define EL_GRADE_INI_H

#include <stddef.h>

#include "grade/el_grade.h"

/* ---- decoding ----------------------------------------------------------------- */

/* TEXT without a UTF-8 byte-order mark, or converted from UTF-16 when it
 * starts with a UTF-16 mark (then *OWNED holds the copy to free).  *OUT and
 * *OUTLEN receive the text to read.  EL_OK or EL_ENOMEM. */
int grade_decode(const char *text, size_t len, char **owned, const char **out, size_t *outlen);

/* ---- the tolerant INI reader ------------------------------------------------ */

typedef struct {
    char *key; /* normalised key ("" for a bare line of text) */
    char *value;
    char *error; /* the value could not be read, or NULL */
    int line;
    char *remark;    /* unindented lines after the value that do not continue it, or NULL */
    int remark_line; /* the first of them */
    char *key_raw;   /* the key as written with its separator ("Pros:"), or NULL if none */
} ini_entry;

typedef struct {
    char *name; /* as written, trimmed ("" for the part before any header) */
    int line;
    size_t n, cap;
    ini_entry *e;
} ini_section;

typedef struct {
    size_t n, cap;
    ini_section *s; /* s[0] is the text before the first header */
    el_grade_notes notes;
} ini_file;

/* Reads TEXT (LEN bytes) forgivingly: a UTF-8 or UTF-16 byte-order mark,
 * CRLF or CR line ends, `key = value` or `key: value`, #, ; and % comment
 * lines, ` # ` inline comments, continuation lines (joined with a newline):
 * indented ones, and unindented ones without a key that cannot stand alone
 * (they begin with a relation, '&', an operator or a closing bracket, or the
 * value so far ends with one or leaves a bracket open) -- any other
 * unindented line after a value is a remark (kept apart in `remark`); keys
 * in any case.  Lines that cannot be read become notes.
 * EL_OK or EL_ENOMEM. */
int ini_parse(const char *text, size_t len, ini_file *out);
void ini_free(ini_file *f);

#endif
