/* el_check.h -- derivation checks (`elbolab check`): the type and its machinery.
 *
 * A check compares a closed form with adaptive quadrature and/or Monte Carlo
 * and reports one row of the table.  Every check can also be run as one of
 * its *negative controls*: variant k >= 1 swaps in the k-th typical mistake
 * (a plausible wrong formula), and the same comparison must then fail.  The
 * test suite runs every variant of every check.  Each topic tables its own
 * checks (core/el_topic.h); the list of all of them is src/topics. */
#ifndef EL_CHECK_H
#define EL_CHECK_H

#include <stddef.h>
#include "num/el_num.h"

typedef struct {
    unsigned long seed; /* base seed; each check mixes in its id */
    size_t samples;     /* Monte Carlo sample count; 0 = the check's default */
} el_check_opts;

typedef struct {
    int pass;      /* the verdict */
    double closed; /* the closed form (NAN if none) */
    int has_quad;
    el_quad_result quad; /* quadrature value and GSL error estimate */
    int has_mc;
    el_estimate mc;   /* Monte Carlo value, standard error, samples */
    double mc_zmax;   /* largest |mc - closed| / se over all comparisons */
    char detail[256]; /* one line: what was compared, worst case */
} el_check_result;

struct el_check;
/* Runs CHECK as VARIANT (0 = the claim, k >= 1 = the k-th mistake).  Fills
 * RES; returns EL_OK, or a status when the check could not be computed (the
 * verdict is then meaningless). */
typedef int (*el_check_fn)(const struct el_check *check, const el_check_opts *opts, int variant,
                           el_check_result *res);

typedef struct el_check {
    const char *id;              /* "TOPIC.NAME" */
    const char *claim;           /* one line */
    const char *const *mistakes; /* NULL-terminated negative controls, or NULL */
    el_check_fn run;
} el_check;

/* 1 if PATTERN selects CHECK: the exact id, or the part of the id before a
 * dot ("TOPIC" or "TOPIC."). */
int el_check_matches(const el_check *check, const char *pattern);

/* Number of negative controls of CHECK. */
int el_check_nmistakes(const el_check *check);

/* Runs CHECK (variant as above) with the error message cleared first. */
int el_check_run(const el_check *check, const el_check_opts *opts, int variant,
                 el_check_result *res);

/* ---- helpers for check implementations ---------------------------------- */

/* Resets RES: no verdict, closed = NAN, no quadrature, no Monte Carlo. */
void el_check_result_init(el_check_result *res);

/* The check's own generator: seeded from OPTS->seed mixed with CHECK's id. */
gsl_rng *el_check_rng(const el_check *check, const el_check_opts *opts);

/* The Monte Carlo size: OPTS->samples, but never below the check's own
 * DEFAULT_N, the size at which every negative control is >= 20 standard
 * errors away (fewer samples would let a control pass; `--samples 100`
 * made vi.forward_objective and vae.kl_term accept a mistake). */
size_t el_check_samples(const el_check_opts *opts, size_t default_n);

/* Records one closed/quad/mc comparison in RES and returns its verdict:
 * the quadrature and Monte Carlo parts are used only when Q / E are not
 * NULL.  When RES already holds a comparison, the one with the worse margin
 * (ratio of error to tolerance) is kept, so a grid reports its worst point. */
int el_check_compare(el_check_result *res, double closed, const el_quad_result *q,
                     const el_estimate *e);

/* ---- tallies of exact identities inside checks ----------------------------- */

/* Exact identities (closed form = closed form) are held to
 * EL_CHECK_IDENT_TOL * max(1, |lhs|, |rhs|). */
#define EL_CHECK_IDENT_TOL 1e-10

typedef struct {
    int ok;          /* every identity and inequality held */
    size_t n;        /* how many were tested */
    double worst;    /* largest error / tolerance seen */
    char what[96];   /* label of the worst (or of the first failure) */
    double lhs, rhs; /* its two sides */
} el_check_tally;

void el_check_tally_init(el_check_tally *t);

/* Records LHS == RHS within TOL * max(1, |lhs|, |rhs|); returns the verdict. */
int el_check_tally_eq(el_check_tally *t, const char *what, double lhs, double rhs, double tol);

/* Records LHS <= RHS + SLACK (SLACK >= 0); returns the verdict. */
int el_check_tally_le(el_check_tally *t, const char *what, double lhs, double rhs, double slack);

/* Folds T into RES: RES->pass becomes T->ok, and'ed with RES's own verdict
 * when RES already holds a comparison (el_check_compare was called, so
 * closed is set or quadrature / Monte Carlo parts are present).  The detail
 * line is PREFIX followed by T's count and worst case.  Call it after the
 * comparisons and before setting any display field of RES. */
void el_check_tally_finish(const el_check_tally *t, const char *prefix, el_check_result *res);

#endif
