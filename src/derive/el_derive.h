/* el_derive.h -- checking a student's derivation step by step.
 *
 * A derivation is a chain of lines L0 r1 L1 r2 ... Ln (r = relations).
 * Every line is evaluated at random instances of a model -- a *context*
 * (exercises/contexts/NAME.ini): parameters with domains, random variables,
 * distributions by signature, named quantities -- with expectations,
 * integrals, sums over the latent, KL and entropies computed numerically
 * (exact sums; Gauss-Hermite in a Gaussian's standardised coordinate; GSL's
 * QAGI centred on the variable's declared location), each value with an
 * error estimate. A step holds when its relation holds at every instance.
 * See shared/spec/derivations.md (the contract) and notes/derive.md.
 *
 * The library never prints: reports are data (el_derive_report) that the
 * caller renders as text or JSON (el_derive_report_json). */
#ifndef EL_DERIVE_H
#define EL_DERIVE_H

#include <jansson.h>
#include <stddef.h>

#define EL_DERIVE_MAX_BYTES  (1 << 20) /* a file or answer larger than this is refused */
#define EL_DERIVE_MAX_LINES  400       /* lines in one chain */
#define EL_DERIVE_MAX_CHAINS 200       /* chains in one text */
#define EL_DERIVE_MAX_INST   64        /* instances per check */

typedef struct el_context el_context;

/* Loads context NAME: DIR/contexts/NAME.ini for each of the `ndirs`
 * folders in order (an exercises folder), then the built-in one. Returns
 * NULL with el_errmsg() set (EL_ENOTFOUND: no such context, EL_EFORMAT: a
 * malformed file, naming file and line). Free with el_context_free. */
el_context *el_context_load(const char *name, const char *const *dirs, size_t ndirs);

/* Loads a context from one file (tests, instructors' files). */
el_context *el_context_load_file(const char *path);

void el_context_free(el_context *c);

/* The context's name and one-line description (owned by the context). */
const char *el_context_name(const el_context *c);
const char *el_context_title(const el_context *c);

/* The names of the built-in contexts, NULL-terminated (static). */
const char *const *el_context_builtin_names(void);

/* Applies one `let` row to the context (`mu_p = 0`, `sigma_p = sigma_q`,
 * `q(z) = \mathcal{N}(z; \mu, \sigma^2)`, `gaussian = sd`, a new name).
 * Returns EL_OK, or EL_EFORMAT with el_errmsg() set. *note (may be NULL) gets
 * a sentence when the row declared a new name (static storage, or NULL). */
int el_context_let(el_context *c, const char *row, const char **note);

/* ---- the report ---------------------------------------------------------- */

typedef enum {
    EL_STEP_VALID,
    EL_STEP_INVALID,
    EL_STEP_ERROR,  /* a line did not parse or evaluate */
    EL_STEP_UNKNOWN /* a symbol the context lacks, or an implication */
} el_step_status;

typedef enum {
    EL_REL_EQ,
    EL_REL_GE,
    EL_REL_LE,
    EL_REL_GT,
    EL_REL_LT,
    EL_REL_APPROX,
    EL_REL_PROPTO,
    EL_REL_IMPLIES, /* \Rightarrow, \implies, \iff: not checked */
    EL_REL_NEQ,     /* \neq: not checked either */
    EL_REL_NONE     /* the composed relation of a chain mixing directions */
} el_relation;

typedef struct {
    size_t line;   /* line number in the file (1-based) */
    char *source;  /* the text as written (after dropping & \label ...) */
    char *read_as; /* canonical echo, or NULL when it did not parse */
    char *error;   /* the parser's message ("at 12: expected ...") or NULL */
    char *vocab;   /* sorted construct set, ';'-separated (for matching) */
} el_derive_line;

typedef struct {
    el_relation relation; /* as written */
    el_step_status status;
    char diagnosis[16];  /* first diagnosis token, "" if none */
    char diagnoses[96];  /* all tokens, ' '-separated */
    char *message;       /* one or two sentences, or NULL */
    json_t *instance;    /* the failing instance's parameters, or NULL */
    double lhs, rhs;     /* both sides there (NaN when not evaluated) */
    char *justification; /* `\text{Jensen}` -> "Jensen", or NULL */
    int repeat;          /* both lines read the same: does not count */
} el_derive_step;

typedef struct {
    size_t line; /* where the chain starts */
    char context[64];
    size_t instances;
    int valid;            /* every step valid */
    long first_invalid;   /* 1-based, or 0 */
    el_relation relation; /* composed from the written relations */
    size_t nlines;
    el_derive_line *lines;
    el_derive_step *steps; /* nlines - 1 of them */
    char *notes;           /* auto-declared names, typos ... or NULL */
    void *priv;            /* values and instances, for matching forms */
} el_derivation;

typedef struct {
    size_t n;
    el_derivation *d;
    char *file;
} el_derive_report;

typedef struct {
    const char *context;     /* default context name ("gauss" when NULL) */
    const char *const *dirs; /* exercise folders searched for contexts */
    size_t ndirs;
    unsigned long seed; /* mixed with `label` */
    const char *label;  /* exercise id + student, or "" */
    size_t instances;   /* 0: 8 */
    int exercise;       /* 1: never auto-declare names */
} el_derive_opts;

/* Checks every derivation in `text` (a write-up, a fragment or an answer).
 * `file` is the name shown in the report. Returns EL_OK and fills *rep
 * (free with el_derive_report_free), or an error status (EL_ENOTFOUND: the
 * context; EL_ELIMIT: too large) with el_errmsg() set. */
int el_derive_check(const char *text, const char *file, const el_derive_opts *opts,
                    el_derive_report *rep);

/* Checks the derivations of `text` against an already loaded context, which
 * stays as it is (each chain works on its own copy; `let` rows change that). */
int el_derive_check_in(const char *text, const char *file, const el_context *ctx,
                       const el_derive_opts *opts, el_derive_report *rep);

void el_derive_report_free(el_derive_report *rep);

/* The report as the JSON of `elbolab derive --json` (new reference). */
json_t *el_derive_report_json(const el_derive_report *rep);

/* "=", ">=", "<=", ">", "<", "~", "propto", "=>", "!=", or NULL for EL_REL_NONE. */
const char *el_relation_name(el_relation r);

/* Does the composed relation `have` imply `want` (= implies >= and <=)? */
int el_relation_implies(el_relation have, el_relation want);

/* ---- matching and exercises ---------------------------------------------- */

/* Does line `i` of derivation `d` match `form` (numerically equal at every
 * instance of the check and the same vocabulary of constructs)? Returns 1,
 * 0, or -1 when the form cannot be evaluated (el_errmsg() says why). */
int el_derive_matches(const el_derivation *d, size_t i, const char *form);

/* Is step k of d (lines k-1 and k) the same step, in value at every
 * instance, as step `step` of the chain written in `steps` (an exercise's
 * declared mistake)? Both orders of the two lines count. 1 or 0. */
int el_derive_same_step(const el_derivation *d, size_t k, const char *steps, long step);

/* A derivation exercise (the grader reads its file and fills this). */
typedef struct {
    const char *start, *goal;
    el_relation relation;
    size_t min_steps;
    const char *const *milestones; /* n_milestones forms */
    size_t n_milestones;
    const char *const *alt_start, *const *alt_goal; /* other accepted pairs */
    const el_relation *alt_relation;
    size_t n_alt;
    int no_partial; /* partial = none */
} el_derive_exercise;

/* The outcome of grading one answer. */
typedef struct {
    double fraction;     /* of the exercise's points, 0..1 */
    char feedback[1024]; /* what is missing, or "" */
    long best;           /* index of the chain that counted, or -1 */
} el_derive_grade;

/* Grades `answer` (rows of a derivation, LaTeX or plain) against `ex` in
 * context `ctx` (left as it is: an answer's let rows are ignored). Fills *rep with the
 * step report (free with el_derive_report_free) and *g. Returns EL_OK or an
 * error status (the exercise's own forms do not evaluate: its author's
 * mistake). */
int el_derive_grade_answer(const el_derive_exercise *ex, const el_context *ctx, const char *answer,
                           const el_derive_opts *opts, el_derive_report *rep, el_derive_grade *g);

/* Compares a final answer with a reference form in a context (an
 * `expression` exercise that names a context): both are evaluated at the
 * instances of `opts` and must agree at every one; with `same_form` they must
 * also use the same constructs (E, sums, KL, densities...). Returns 1 equal,
 * 0 different (why: the diagnosis sentence), -1 when the answer does not read
 * or cannot be evaluated (why: the reason; an unknown symbol says so), -2
 * when the reference itself fails (el_errmsg()). */
int el_derive_compare(const el_context *ctx, const el_derive_opts *opts, const char *answer,
                      const char *reference, int same_form, char *why, size_t cap);

/* A deep copy of a context (for `let` rows and per-exercise overrides). */
el_context *el_context_copy(const el_context *c);

/* Adds or replaces a parameter: `value` is an expression in the others
 * (`sigma`), or NULL with `domain` (`uniform(-1, 1)`). Aliases ','-separated
 * or NULL. Returns EL_OK or EL_EFORMAT. */
int el_context_set_param(el_context *c, const char *name, const char *domain, const char *value,
                         const char *aliases);

/* Adds a named quantity (`q*` of an exercise). */
int el_context_set_quantity(el_context *c, const char *name, const char *value,
                            const char *aliases);

#endif
