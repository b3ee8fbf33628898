/* util.h -- private to grade/: growable strings, allocation helpers, safe
 * text, notes and numbers for people (util.c); reading, listing and
 * writing files (files.c). */
#ifndef EL_GRADE_UTIL_H
#define EL_GRADE_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#include "grade/el_grade.h"

/* ---- growable strings ----------------------------------------------------- */

typedef struct {
    char *s; /* NUL-terminated (NULL until the first append) */
    size_t n, cap;
    int oom; /* an allocation failed: the content is incomplete */
} gbuf;

void gbuf_add(gbuf *b, const char *s, size_t n);
void gbuf_puts(gbuf *b, const char *s);
void gbuf_printf(gbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Hands the string over (never NULL unless out of memory) and resets B. */
char *gbuf_take(gbuf *b);

/* Grows *V (element size SZ) so that it holds at least N+1 elements. */
int grade_grow(void **v, size_t *cap, size_t n, size_t sz);

char *grade_strndup(const char *s, size_t n);
char *grade_strdup(const char *s);

/* A copy of S (N bytes) that is valid UTF-8 without control characters:
 * invalid bytes become U+FFFD, tabs and newlines spaces (newlines kept when
 * KEEP_NL), other controls are dropped; at most MAX bytes (then "..."). */
char *grade_clean(const char *s, size_t n, size_t max, int keep_nl);

/* Adds a note (printf format) to NOTES; beyond EL_GRADE_MAX_NOTES it is counted. */
void grade_note(el_grade_notes *notes, int line, int error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void grade_notes_free(el_grade_notes *notes);

/* Lower case, trimmed, runs of spaces, '-' and '_' replaced by SEP. */
char *grade_norm_name(const char *s, char sep);

/* A number written for people: 0.5, 2, -1/2, 1/3, else %.6g. */
void grade_fmt_number(char *buf, size_t n, double x);

/* 1 when S is a safe file or set name: 1 to 64 letters, digits, '-', '_'
 * and '.', not starting with '.' (a folder name, a script argument). */
int grade_safe_name(const char *s);

/* ---- identity (identity.c) -------------------------------------------------- */

/* The identity for ID (NULL: student-line) given the file's `student =`
 * LINE (or NULL) and FROM (or NULL): *USED (malloc'd, "" for the default
 * variant) and *SOURCE (static: --student, platform, name, student-line,
 * none). */
int grade_identity_resolve(const el_grade_identity *id, const char *line,
                           const el_grade_origin *from, char **used, const char **source);

/* el_grade_file with NAME (NULL: PATH) as the submission's name. */
int grade_file_named(const el_grade_book *c, const el_grade_exercise_set *set, const char *path,
                     const char *name, const el_grade_identity *id, el_grade_report *out);

/* 1 when A and B name the same student (trimmed, case-insensitive). */
int grade_same_student(const char *a, const char *b);

/* ---- files (files.c) -------------------------------------------------------- */

/* Reads a whole file into a malloc'd, NUL-terminated buffer (LIMIT bytes at
 * most).  EL_EIO / EL_ELIMIT / EL_ENOMEM with a message. */
int grade_slurp(const char *path, size_t limit, char **out, size_t *len);

/* Writes TEXT (LEN bytes) to PATH through a temporary file and a rename,
 * with permissions MODE. */
int grade_write_atomic(const char *path, const char *text, size_t len, unsigned mode);

/* The non-hidden entries of DIR, sorted (malloc'd names); free them with
 * grade_free_names. */
int grade_list_dir(const char *dir, char ***names, size_t *n);
void grade_free_names(char **v, size_t n);

/* The answer file in DIR: answers.* first, then *.txt / *.ini / *.tex / *.md,
 * then anything not obviously binary.  EL_ENOTFOUND if there is none. */
int grade_find_submission(const char *dir, char **path);

#endif
