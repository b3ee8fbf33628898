/* el_grade.h -- the autograder: answer files, exercises as data, grading,
 * reports (text, JSON, Gradescope, PrairieLearn), class batches, the Gradescope
 * bundle and PrairieLearn questions.
 *
 * Students write an answer file (INI-style, or LaTeX with \answer{id}{...});
 * instructors describe exercises in INI files under exercises/ (one file per
 * exercise, problem sets in exercises/sets/), loaded as an el_grade_book (the
 * exercise book -- not the catalogue of checks).  el_grade_score scores every
 * exercise of a set: expressions by random-point equivalence (seeded by the
 * exercise id and the student id), numbers within tolerances, true/false and
 * choices by forgiving matching, with feedback that names the mistake.
 *
 * Every public name starts with el_grade_ (EL_GRADE_).  The expression
 * language itself is el_expr.h.  Nothing here prints or exits; strings
 * handed out are UTF-8 with control characters removed, so they are safe in
 * a terminal and in JSON. */
#ifndef EL_GRADE_H
#define EL_GRADE_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define EL_GRADE_SEED      20241UL     /* base seed of the random points */
#define EL_GRADE_POINTS    12          /* random points per expression (>= 8) */
#define EL_GRADE_MAX_FILE  (64u << 20) /* answer files larger than this are refused */
#define EL_GRADE_MAX_LINE  65536       /* longer lines are reported, not read */
#define EL_GRADE_MAX_NOTES 25          /* notes kept per file (the rest are counted) */

/* ---- notes: what a reader or the grader wants to tell the student ------- */

typedef struct {
    int line;   /* 1-based line of the answer file, 0 if none */
    int error;  /* 1 for an error (something was not read), 0 for a remark */
    char *text; /* one sentence, owned */
} el_grade_note;

typedef struct {
    size_t n, cap;
    el_grade_note *v;
    size_t dropped; /* notes beyond EL_GRADE_MAX_NOTES, counted only */
} el_grade_notes;

/* ---- answer files --------------------------------------------------------- */

typedef struct {
    char *key;   /* normalised: lower case, '_' for spaces and '-'; "" if bare */
    char *value; /* trimmed text; "" when unreadable (see error) */
    char *error; /* why the value could not be read (line too long...), or NULL */
    int line;
    char *remark;    /* unindented lines after it that do not continue it (a remark,
                        or the next items of a list), or NULL */
    int remark_line; /* the first of them */
    char *key_raw;   /* the key as written with its separator ("Pros:"), or NULL */
} el_grade_answer_entry;

typedef struct {
    char *id;  /* normalised exercise id: lower case, '-' for '_' and spaces */
    char *raw; /* as written (sanitised for display) */
    int line;  /* line of its (first) header */
    size_t n, cap;
    el_grade_answer_entry *e;
} el_grade_answer_section;

typedef enum { EL_GRADE_ANSWERS_INI = 0, EL_GRADE_ANSWERS_TEX = 1 } el_grade_answers_format;

typedef struct {
    el_grade_answers_format format;
    char *student; /* `student = ...` before the first section, or NULL */
    size_t n, cap;
    el_grade_answer_section *s; /* one per exercise id, in order of first appearance */
    el_grade_notes notes;
} el_grade_answers;

/* Reads an answer file held in TEXT (LEN bytes; NUL bytes, any encoding and
 * any size are tolerated).  FORMAT_HINT is the file's name or NULL: a name
 * ending in .tex, or text with \answer{ and no INI section, is read as LaTeX.
 * Duplicate sections are merged and a repeated key keeps its last value, each
 * with a note naming the lines.  Returns EL_OK or EL_ENOMEM; OUT is to be
 * released with el_grade_answers_free either way. */
int el_grade_answers_parse(const char *text, size_t len, const char *format_hint,
                           el_grade_answers *out);

/* Reads the file at PATH (EL_EIO with a message if it cannot be read,
 * EL_ELIMIT if larger than EL_GRADE_MAX_FILE) and parses it as above. */
int el_grade_answers_read(const char *path, el_grade_answers *out);

void el_grade_answers_free(el_grade_answers *a);

/* The section for exercise ID (normalised as above), or NULL. */
const el_grade_answer_section *el_grade_answers_find(const el_grade_answers *a, const char *id);

/* ---- exercises ------------------------------------------------------------ */

typedef enum { EL_GRADE_SHAPE_SCALAR, EL_GRADE_SHAPE_VECTOR, EL_GRADE_SHAPE_MATRIX } el_grade_shape;

typedef enum {
    EL_GRADE_DOM_UNIFORM,    /* uniform(a, b) */
    EL_GRADE_DOM_LOGUNIFORM, /* loguniform(a, b), 0 < a < b: positive */
    EL_GRADE_DOM_NORMAL,     /* normal(m, s) */
    EL_GRADE_DOM_SPD,        /* spd(a): B B^T / d + a I, B uniform(-1, 1); matrices only */
    EL_GRADE_DOM_SIMPLEX,    /* simplex: a probability vector, Dirichlet(1) kept >= 0.02 */
    EL_GRADE_DOM_DIM         /* the dimension d of the point's vectors (a scalar) */
} el_grade_domain;

typedef struct {
    char *name; /* canonical name, as el_expr reports it (mu_q, Sigma1) */
    el_grade_shape shape;
    el_grade_domain dom;
    double a, b; /* domain parameters */
    size_t naliases;
    char **aliases; /* other spellings accepted for this variable */
    size_t nwritten;
    char **written; /* forms that stand for it in answers (p(x|z) for lik), or none */
    char *about;    /* one line for the statement, or NULL */
    char *define;   /* a derived variable's expression (z = mu + sigma eps), or NULL */
    void *compiled; /* its parsed form (el_expr *), owned */
    int line;       /* where it is declared */
} el_grade_variable;

typedef enum {
    EL_GRADE_PART_EXPRESSION, /* an expression in the exercise's variables */
    EL_GRADE_PART_NUMBER,     /* a number (written as any constant expression) */
    EL_GRADE_PART_TRUEFALSE,
    EL_GRADE_PART_CHOICE,     /* one option of several */
    EL_GRADE_PART_SELECT,     /* every option that applies */
    EL_GRADE_PART_DERIVATION, /* a chain of steps, checked by src/derive */
    EL_GRADE_PART_CODE,       /* one test of a program run in the sandbox (code.c) */
    EL_GRADE_PART_TEXT        /* words: collected verbatim for the instructor (manual) */
} el_grade_part_kind;

typedef struct {
    char *id;   /* short name, e.g. "posterior" */
    char *text; /* as shown in the statement */
    size_t naccept;
    char **accept; /* normalised spellings accepted besides the text */
    int correct;   /* 1 if this option is (one of) the answer */
    char *hint;    /* said when this option is chosen wrongly, or NULL */
    int hidden;    /* not listed nor numbered: a claim students write ("positive") */
    char **norm;   /* text and accepted spellings normalised (1 + naccept of them) */
} el_grade_option;

typedef struct {
    char *id;       /* name of the mistake */
    char *answer;   /* the wrong expression / number / option id */
    char *hint;     /* the feedback given when it is recognised */
    void *compiled; /* parsed answer (el_expr *), owned */
    double value;   /* for numbers, its value (NAN until computed) */
    int line;       /* where it is declared */
} el_grade_mistake;

typedef struct {
    char *name;  /* the answer key in the file: "answer", "inclusive_mu", ... */
    char *title; /* what the part asks, one line (may be NULL) */
    el_grade_part_kind kind;
    double points;
    char *reference;  /* expression text, number text, "true"/"false", or NULL */
    char *solver_out; /* for numbers computed by the exercise's solver, else NULL */
    void *compiled;   /* parsed reference (el_expr *), owned */
    double rel_tol, abs_tol;
    int truth; /* true/false parts: the answer */
    size_t naliases;
    char **aliases; /* other keys accepted for this part */
    size_t nswaps;
    char **swaps; /* "a b": the reference with a and b exchanged is a mistake */
    char *swap_hint;
    size_t noptions;
    el_grade_option *options;
    size_t nmistakes;
    el_grade_mistake *mistakes;
    size_t min_correct; /* select: right options that earn full marks (0: all of them) */
    double penalty;     /* select: points off per wrong option named (< 0: points / need) */
    int line;           /* where it is declared */
    char *model;        /* text: the model answer's note (notes/MODEL.md), or NULL */
    char *rubric;       /* text: what the instructor looks for, or NULL */
} el_grade_part;

typedef struct {
    char *name;    /* w1, ... */
    double def;    /* the default (the variant of an unnamed student) */
    double lo, hi; /* per-student range; lo == hi means fixed */
    int digits;    /* decimals a per-student value is rounded to */
} el_grade_param;

typedef struct {
    char *name;
    size_t n;
    double *values; /* one per variable (NAN: drawn as usual) */
} el_grade_fixed_point;

typedef struct {
    char *id;
    char *title;
    char *kind;       /* expression, numbers, choice, multi, truefalse (as declared) */
    char *statement;  /* Markdown + LaTeX; {name} is replaced by a parameter */
    char *checked_by; /* the catalogue check that proves the answer */
    char *solver;     /* named solver for computed numbers, or NULL */
    char *path;       /* the file it came from */
    double points;    /* sum of the parts' points */
    size_t ndims;
    size_t dims[8]; /* dimensions the random points cycle through */
    size_t nvars;
    el_grade_variable *vars;
    size_t nparts;
    el_grade_part *parts;
    size_t nparams;
    el_grade_param *params;
    size_t nfixed;
    el_grade_fixed_point *fixed;
    char *context; /* the context of a derivation or of an expression in E, KL... (or NULL) */
    void *deriv;   /* what derivations need (grade/derivation.c), owned, or NULL */
    void *code;    /* what code answers need (grade/code.c), owned, or NULL */
} el_grade_exercise;

/* A question of a homework sheet: the set's exercises FIRST .. FIRST+N-1
 * grade it (a problem set written as `[question NAME]` sections). */
typedef struct {
    char *name;  /* the sheet's numbering: "1a", "6.4" */
    char *title; /* what it asks, one line, or NULL */
    size_t first, n;
    double points; /* the question's points (the sum of its exercises') */
} el_grade_question;

typedef struct {
    char *name;
    char *title;
    size_t n;
    const el_grade_exercise **ex;
    double *points; /* per exercise: the set's points for it (NAN: the exercise's own), or NULL */
    char *sheet;    /* the homework sheet it follows, or NULL */
    size_t nquestions;
    el_grade_question *questions; /* the sheet's questions in order, or none */
} el_grade_exercise_set;

typedef struct el_grade_book el_grade_book;

/* Loads every *.ini of DIR as an exercise and every DIR/sets/ *.ini as a
 * problem set, parses each reference and mistake, and adds the set "all"
 * (every exercise, in file-name order) when no file defines it.  NULL on
 * failure with *STATUS set and el_errmsg() naming the file and line. */
el_grade_book *el_grade_book_load(const char *dir, int *status);
void el_grade_book_free(el_grade_book *c);

/* The exercises directory to use: ARG if not NULL, else $ELBOLAB_EXERCISES,
 * else the source tree's exercises/ compiled in at build time. */
const char *el_grade_book_default_dir(const char *arg);

size_t el_grade_book_count(const el_grade_book *c);
const el_grade_exercise *el_grade_book_at(const el_grade_book *c, size_t i);
/* By id (normalised as in answer files); NULL if unknown. */
const el_grade_exercise *el_grade_book_find(const el_grade_book *c, const char *id);
size_t el_grade_book_nsets(const el_grade_book *c);
const el_grade_exercise_set *el_grade_book_set_at(const el_grade_book *c, size_t i);
/* By name; NULL if unknown. */
const el_grade_exercise_set *el_grade_book_set(const el_grade_book *c, const char *name);

/* The points exercise I of SET is worth in that set (its override, else its
 * own), and the set's total; the share graded by the instructor (text parts)
 * goes to *MANUAL when not NULL. */
double el_grade_set_points(const el_grade_exercise_set *set, size_t i, double *manual);
double el_grade_set_total(const el_grade_exercise_set *set, double *manual);

/* Reads and checks one exercise file at PATH outside any book (for
 * `elbolab exercise check`): NULL with *STATUS and el_errmsg() as the book
 * loader says them.  Free with el_grade_exercise_free. */
el_grade_exercise *el_grade_exercise_load(const char *path, int *status);
void el_grade_exercise_free(el_grade_exercise *ex);

/* Verifies exercise EX as an instructor would before shipping it: every
 * part's key graded scores full marks, every declared mistake (and every
 * wrong option with a hint) is rejected, a derivation's chain and mistakes
 * pass el_grade_derivation_verify, and, where EX->checked_by names a closed
 * form this module knows (kl.gauss_equal_var, kl.gauss_1d, kl.gauss_std,
 * kl.self_zero, kl.additive), the expression key equals it at random points.
 * Returns 0, or -1 with WHY (CAP bytes) naming the first failure.  *VERIFIED
 * (if not NULL) is 1 when a closed form was compared. */
int el_grade_exercise_verify(const el_grade_exercise *ex, int *verified, char *why, size_t cap);

/* The id of the exercise closest to ID (edit distance <= 3), or NULL. */
const char *el_grade_book_suggest(const el_grade_book *c, const char *id);

/* This student's parameter values (EX->nparams of them) into OUT.  A NULL or
 * empty STUDENT gets the defaults; so does every student when the exercise's
 * solver cannot handle other values yet. */
void el_grade_exercise_variant(const el_grade_exercise *ex, const char *student, double *out);

/* 1 when students get different parameter values (per-student variants). */
int el_grade_exercise_has_variants(const el_grade_exercise *ex);

/* LATEX as a terminal shows it: \| is ‖, \mu is μ, \mathrm{KL} is KL,
 * \left( is (; other commands stay.  malloc'd (NULL when out of memory). */
char *el_grade_plain(const char *latex);

/* The statement with {param} replaced by this student's values; malloc'd. */
char *el_grade_exercise_statement(const el_grade_exercise *ex, const char *student);

/* The reference value of a number part for STUDENT (expression or solver). */
int el_grade_exercise_number(const el_grade_exercise *ex, const el_grade_part *part,
                             const char *student, double *out);

/* For a `derivation` exercise: 0 when its reference chain scores full marks
 * and each declared mistake is rejected at its declared step (with its
 * declared diagnosis); -1 with WHY saying which does not. 0 for other kinds. */
int el_grade_derivation_verify(const el_grade_exercise *ex, char *why, size_t cap);

/* The I-th declared mistake of a `derivation` exercise: its name, its wrong
 * chain and the feedback students get (the instructor view); -1 past the
 * last one or for other kinds. */
int el_grade_derivation_mistake(const el_grade_exercise *ex, size_t i, const char **id,
                                const char **steps, const char **hint);

/* ---- named solvers for computed references -------------------------------- */

/* A solver maps an exercise's parameters (by name) to named outputs.
 * `general` is 0 when it only knows the default parameters (then every
 * student gets the default variant). */
typedef int (*el_grade_solver_fn)(const el_grade_exercise *ex, const double *params,
                                  const char *output, double *out);
typedef struct {
    const char *name;
    int general;
    el_grade_solver_fn fn;
} el_grade_solver;

/* The solver registered under NAME, or NULL. */
const el_grade_solver *el_grade_solver_find(const char *name);

/* ---- whose variant: one identity rule for every path ----------------------- */

/* The rule an instructor sets once (--identity), the same for `grade`,
 * `grade --batch`, the Gradescope run and the PrairieLearn run.  Every
 * rule falls back to the next available source: student-line -> name;
 * name -> student-line;
 * platform -> student-line -> name; nothing at all is the default variant. */
typedef enum {
    EL_GRADE_ID_STUDENT_LINE = 0, /* the file's `student =` line, else its name */
    EL_GRADE_ID_NAME,             /* the file's or folder's name without extension */
    EL_GRADE_ID_PLATFORM          /* the platform's metadata: e-mail, else SID */
} el_grade_id_rule;

typedef struct {
    el_grade_id_rule rule;
    const char *student; /* --student X: overrides every rule (NULL or "": none) */
} el_grade_identity;

/* Where a submission came from, for the rules above. */
typedef struct {
    const char *name;     /* the file's or folder's path or name (its stem is used), or NULL */
    const char *platform; /* the platform's id of the student, or NULL */
} el_grade_origin;

/* Parses "student-line", "name" or "platform" into *OUT; EL_EUSAGE otherwise. */
int el_grade_id_rule_parse(const char *s, el_grade_id_rule *out);
const char *el_grade_id_rule_name(el_grade_id_rule r);

/* The platform's id in DIR/submission_metadata.json (Gradescope): the first
 * user's e-mail, else SID, else id; NULL when there is none.  malloc'd. */
char *el_grade_platform_id(const char *dir);

/* ---- grading -------------------------------------------------------------- */

typedef enum {
    EL_GRADE_CORRECT = 0, /* full marks */
    EL_GRADE_PARTIAL,     /* some marks */
    EL_GRADE_WRONG,       /* an answer, worth nothing */
    EL_GRADE_MISSING,     /* no answer given */
    EL_GRADE_UNREADABLE,  /* an answer that could not be read (parse error, ...) */
    EL_GRADE_MANUAL       /* words collected for the instructor, not graded here */
} el_grade_status;

typedef struct {
    char *name;
    double score, max;
    el_grade_status status;
    char *answer;   /* what the student wrote (sanitised, shortened), or NULL */
    char *feedback; /* one or more sentences, or NULL when correct */
    /* a text part (kind = text): score = max = 0 in every automatic total;
       the instructor grades TEXT out of MANUAL_POINTS. */
    int manual;
    double manual_points;
    char *text; /* the whole answer, verbatim (UTF-8, no control characters
                   but newlines), or NULL when none was given */
} el_grade_part_result;

typedef struct {
    const el_grade_exercise *ex;
    double score, max;
    el_grade_status status;
    size_t nparts;
    el_grade_part_result *parts;
    int line_from, line_to; /* the lines of its section in the file (0, 0: none): the
                               notes on these lines concern it */
    double manual;          /* points left to the instructor (its text parts) */
} el_grade_exercise_result;

typedef struct {
    char *source;          /* file name shown in reports */
    char *student;         /* the student id used for the variant ("" = default) */
    char *identity_source; /* where it came from: --student, student-line, name,
                              platform, or none */
    char *set;
    double score, max;
    size_t n;
    el_grade_exercise_result *ex;
    el_grade_notes notes; /* the reader's notes and the grader's (unknown ids...) */
    double manual;        /* points left to the instructor (text parts), not in max */
} el_grade_report;

/* Grades answers A against every exercise of SET for STUDENT (NULL: the
 * file's own `student =`, else the default variant).  SOURCE names the file
 * in reports.  Always produces a report (EL_OK) unless out of memory. */
int el_grade_score(const el_grade_book *c, const el_grade_exercise_set *set,
                   const el_grade_answers *a, const char *student, const char *source,
                   el_grade_report *out);

/* Grades answers A as above, the variant chosen by the identity rule ID
 * (NULL: student-line, no override) from A's `student =` line and FROM
 * (NULL: nothing more).  The report says the identity and its source, and a
 * note says when the file's `student =` line disagrees with it. */
int el_grade_score_as(const el_grade_book *c, const el_grade_exercise_set *set,
                      const el_grade_answers *a, const el_grade_identity *id,
                      const el_grade_origin *from, const char *source, el_grade_report *out);

/* Reads and grades the file at PATH under the identity rule ID (NULL:
 * student-line): its name is PATH's stem; the platform's metadata is
 * looked for beside it (and above a folder named `submission`).  An
 * unreadable file is an error (EL_EIO / EL_ELIMIT, report empty). */
int el_grade_file(const el_grade_book *c, const el_grade_exercise_set *set, const char *path,
                  const el_grade_identity *id, el_grade_report *out);

void el_grade_report_free(el_grade_report *r);

/* The name of a status as reports print it ("correct", ..., "manual"). */
const char *el_grade_status_name(el_grade_status s);

/* Scores as shown: rounded to 4 decimals. */
double el_grade_round(double score);

/* ---- reports -------------------------------------------------------------- */

/* Writes the human report to F; COLOUR adds ANSI colours. */
void el_grade_write_text(const el_grade_report *r, FILE *f, int colour);

/* The report as JSON, keys in a fixed order. */
json_t *el_grade_json(const el_grade_report *r);

/* Gradescope's results.json object for R (one test per exercise, its name
 * starting with the exercise id). */
json_t *el_grade_gradescope(const el_grade_report *r, double execution_time);

/* What a platform shows for text part P (P->manual): "Graded by the
 * instructor (N points). The answer collected:" and the text, or that none
 * was given.  malloc'd.  Gradescope's and PrairieLearn's tests use it. */
char *el_grade_manual_text(const el_grade_part_result *p);

/* Writes J to PATH atomically (a temporary file beside it, then rename):
 * 2-space indent, fixed key order, numbers with up to 15 digits. */
int el_grade_write_json(const char *path, const json_t *j);

/* The same serialisation into a malloc'd string. */
char *el_grade_dump_json(const json_t *j);

/* ---- class batches --------------------------------------------------------- */

typedef struct {
    char *file;    /* name within the folder */
    char *student; /* the identity used (see el_grade_identity) */
    char *error;   /* why the file could not be graded, or NULL */
    double score, max;
    size_t n;
    double *scores; /* per exercise of the set */
    size_t ntexts;
    char **texts; /* per text part of the set (el_grade_set_text_at), NULL: none */
} el_grade_batch_row;

typedef struct {
    const el_grade_exercise_set *set;
    size_t n;
    el_grade_batch_row *rows; /* sorted by file name */
} el_grade_batch;

/* Grades every non-hidden entry of DIR but *.csv files (the grader's own
 * output) with JOBS threads (0 = 1): a file is an answer file, a folder one
 * student's submission; each under the identity rule ID (NULL: student-line)
 * as el_grade_file does; a per-student folder's name is the folder's.  A bad
 * file gives a row with its error and never stops the others. */
int el_grade_folder(const el_grade_book *c, const el_grade_exercise_set *set, const char *dir,
                    const el_grade_identity *id, unsigned jobs, el_grade_batch *out);
void el_grade_batch_free(el_grade_batch *b);

/* The text parts of SET in order (exercise by exercise): their number, and
 * the I-th as its exercise index and part. */
size_t el_grade_set_ntexts(const el_grade_exercise_set *set);
const el_grade_part *el_grade_set_text_at(const el_grade_exercise_set *set, size_t i,
                                          size_t *exercise);

/* The CSV (header, one row per file; a column `text:EXERCISE.PART` per text
 * part of the set after the scores) to F. */
int el_grade_batch_write_csv(const el_grade_batch *b, FILE *f);

/* ---- Gradescope ------------------------------------------------------------ */

/* Builds the autograder zip at ZIP_PATH from the source tree SRC_DIR: the
 * sources needed to build elbolab, exercises/, setup.sh (installs packages
 * and builds on Gradescope's Ubuntu image) and run_autograder (grades with
 * SET).  Written atomically. */
int el_grade_gradescope_bundle(const char *src_dir, const char *set, el_grade_id_rule rule,
                               const char *zip_path);

/* The source tree compiled in at build time (for the bundle). */
const char *el_grade_source_dir(void);

/* Runs the autograder in ROOT (normally /autograder): grades the answer file
 * found in ROOT/submission under the identity rule ID (NULL: student-line;
 * the platform's id is ROOT/submission_metadata.json's) and writes
 * ROOT/results/results.json.  A missing or unreadable submission still
 * yields a results.json (score 0 and an explanation); only an unwritable
 * results.json is an error. */
int el_grade_gradescope_run(const el_grade_book *c, const el_grade_exercise_set *set,
                            const char *root, const el_grade_identity *id);

/* ---- PrairieLearn ------------------------------------------------------------ */

#define EL_GRADE_PL_MAX_RESULTS (1000u * 1000u) /* PrairieLearn's limit on results */

/* PrairieLearn's results.json object for R: gradable, score (R's fraction
 * of its points, in [0, 1]), points, max_points, message, output, identity
 * {used, source} and one test per exercise (name = its id, description,
 * points, max_points, message, output -- the feedback Gradescope shows).
 * Outputs are cut so that the whole stays under EL_GRADE_PL_MAX_RESULTS. */
json_t *el_grade_prairielearn(const el_grade_report *r);

/* Runs PrairieLearn's external grader in ROOT (normally /): grades the
 * answer file in ROOT/grade/student against SET under the identity rule ID
 * (NULL: student-line; `platform` takes the e-mail or uid that
 * ROOT/grade/data/data.json names at its top level or in its params --
 * PrairieLearn itself passes none, so the rule falls back to the
 * student-line) and writes ROOT/grade/results/results.json atomically.  A
 * submission that cannot be graded (no answer file, an unreadable one, no
 * answer at all; under `platform`, a data.json that is not a JSON object)
 * gets `gradable: false` and a message, so no attempt is used; only an
 * unwritable results.json is an error. */
int el_grade_prairielearn_run(const el_grade_book *c, const el_grade_exercise_set *set,
                              const char *root, const el_grade_identity *id);

typedef struct {
    const char *image;     /* the Docker image with elbolab (required) */
    el_grade_id_rule rule; /* the identity rule the grader applies */
    int upload;            /* 1: a file upload (pl-file-upload); 0: an editor (pl-file-editor) */
    int timeout;           /* grading timeout in seconds, 1..600 (0: 60) */
    int single;            /* 1: SET is one exercise, graded with --exercise ID */
} el_grade_pl_options;

/* Writes the question COURSE/questions/elbolab/NAME/ (NAME: the exercise's
 * id or the set's name) -- info.json with external grading and a uuid
 * derived from NAME, question.html with the statements and an editor
 * holding the answer file's skeleton (or an upload) -- and the course's
 * COURSE/serverFilesCourse/elbolab/run.sh (the entrypoint) and Dockerfile
 * (the image).  *QDIR gets the question's folder (malloc'd).  Every file
 * is written atomically; EL_EUSAGE for an unsafe name or a missing image. */
int el_grade_prairielearn_question(const el_grade_exercise_set *set, const char *course,
                                   const el_grade_pl_options *o, char **qdir);

/* The question uuid of KIND ("exercise" or "set") NAME: a version-5 (SHA-1,
 * name-based) UUID, the same on every run; OUT gets 36 characters and NUL. */
int el_grade_pl_uuid(const char *kind, const char *name, char out[37]);

/* ---- code answers ----------------------------------------------------------- */

/* How code answers (exercises of kind `code`) are run; process-wide, set
 * once before grading (the defaults: sandboxed, the exercise's limits). */
typedef struct {
    int unsafe;         /* 1: run without bubblewrap where it cannot run (--unsafe-code):
                            only where the platform's container is the isolation */
    double time_limit;  /* > 0: seconds of CPU and of wall clock, instead of the exercise's */
    const char *python; /* the interpreter (NULL: /usr/bin/python3) */
} el_grade_code_options;

void el_grade_code_configure(const el_grade_code_options *o);

#endif
