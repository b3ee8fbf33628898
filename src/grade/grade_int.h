/* grade_int.h -- internals shared by the grade module's files (not public):
 * growable strings, the tolerant INI reader, text normalisation, sampling of
 * random points and the expression equivalence test. */
#ifndef EL_GRADE_INT_H
#define EL_GRADE_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <gsl/gsl_rng.h>

#include "expr/el_expr.h"
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
 * lines, ` # ` inline comments, indented or bare continuation lines (joined
 * with a newline), keys in any case.  Lines that cannot be read become notes.
 * EL_OK or EL_ENOMEM. */
int ini_parse(const char *text, size_t len, ini_file *out);
void ini_free(ini_file *f);

/* Lower case, trimmed, runs of spaces, '-' and '_' replaced by SEP. */
char *grade_norm_name(const char *s, char sep);

/* ---- exercises ------------------------------------------------------------------ */

/* Reads one exercise file (TEXT, LEN bytes, named PATH in messages): NULL
 * with *STATUS set and el_errmsg() = "PATH:LINE: problem" when it is not
 * valid.  Free with grade_exercise_free. */
el_grade_exercise *grade_exercise_parse(const char *text, size_t len, const char *path,
                                        int *status);
void grade_exercise_free(el_grade_exercise *ex);

/* Reads a whole file into a malloc'd, NUL-terminated buffer (LIMIT bytes at
 * most).  EL_EIO / EL_ELIMIT / EL_ENOMEM with a message. */
int grade_slurp(const char *path, size_t limit, char **out, size_t *len);

/* The value of a constant expression COMPILED in the parameters V of EX. */
int grade_param_eval(const el_grade_exercise *ex, const void *compiled, const double *v,
                     double *out);

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

/* ---- answer text ------------------------------------------------------------ */

/* Strips math delimiters ($..$, $$..$$, \(..\), \[..\], equation
 * environments), a trailing full stop or comma, and surrounding spaces. */
char *grade_strip_math(const char *s);

/* TEXT with the first juxtaposed denominator bracketed ("a / 2 b" becomes
 * "a / (2 b)"), or NULL when there is none; malloc'd. */
char *grade_bracket_denominator(const char *text);

/* Normalised text of a choice answer: lower case, LaTeX text commands and
 * spacing removed, \mid -> |, no spaces, hyphens or quotes. */
char *grade_norm_choice(const char *s);

/* Parses a constant expression (a number) into *OUT; on failure writes the
 * parser's message to MSG. */
int grade_number(const char *text, double *out, char *msg, size_t msglen);

/* ---- random points ------------------------------------------------------------ */

typedef struct {
    size_t nvars;
    el_value *val; /* one value per variable of the exercise */
} grade_point;

/* Draws every variable of EX at dimension D into P (allocated here). */
int grade_point_draw(const el_grade_exercise *ex, size_t d, const gsl_rng *r, grade_point *p);
void grade_point_free(grade_point *p);

/* A short "mu_q = 1, sigma = 0.5" description of P (malloc'd). */
char *grade_point_describe(const el_grade_exercise *ex, const grade_point *p);

/* Computes the derived variables of EX (`define = ...`) at P. */
int grade_point_derive(const el_grade_exercise *ex, grade_point *p);

/* Allocates P with zeroed values of the shapes of EX's variables at dimension D. */
int grade_point_alloc(const el_grade_exercise *ex, size_t d, grade_point *p);
/* A deep copy of SRC. */
int grade_point_copy(const grade_point *src, grade_point *dst);
/* Appends "0.5", "[1, 2]" or "[[1, 0], [0, 1]]" to B. */
void grade_value_describe(gbuf *b, const el_value *v);

/* The lookup context: the exercise (for names and aliases) and the point;
 * SUBST, when not NULL, maps variable i to variable SUBST[i] (swaps). */
typedef struct {
    const el_grade_exercise *ex;
    const grade_point *p;
    const size_t *subst;
} grade_lookup_ctx;

int grade_lookup(void *ctx, const char *name, const el_value **out);

/* The index of the exercise variable called NAME (canonical, alias, or the
 * same letters without '_'), or -1. */
long grade_resolve(const el_grade_exercise *ex, const char *name);

/* ---- the equivalence test ------------------------------------------------------ */

/* Grades one expression part: the student's TEXT against PART's reference. */
void grade_expression(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                      const char *student, el_grade_part_result *res);

/* Number, true/false, choice and multi-select parts. */
void grade_number_part(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                       const char *student, el_grade_part_result *res);
void grade_truefalse(const el_grade_part *part, const char *text, el_grade_part_result *res);
void grade_choice(const el_grade_part *part, const char *text, el_grade_part_result *res);
void grade_select(const el_grade_part *part, const char *text, el_grade_part_result *res);

/* The student's seed stream for exercise EX. */
unsigned long grade_seed(const el_grade_exercise *ex, const char *student);

/* A number written for people: 0.5, 2, -1/2, 1/3, else %.6g. */
void grade_fmt_number(char *buf, size_t n, double x);

#endif
