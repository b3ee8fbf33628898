/* el_eval.h -- `elbolab eval NAME key=value ...`: one quantity three ways.
 *
 * Parameters arrive as text (`mu=[0,1]`, `Sigma=[[2,0.3],[0.3,1]]`,
 * `data=FILE`); el_params parses them.  An evaluator fills an el_eval_result:
 * the closed form, the quadrature value with its error (where an integral is
 * feasible), a Monte Carlo estimate, and any extra named fields (a jansson
 * object) such as a fit's "mu" and "sigma".  Each topic tables its own
 * evaluators (core/el_topic.h); the list of all of them is src/topics. */
#ifndef EL_EVAL_H
#define EL_EVAL_H

#include <stddef.h>
#include <jansson.h>
#include "num/el_num.h"

#define EL_PARAMS_MAX    32    /* at most this many key=value pairs */
#define EL_PARAM_MAX_LEN 65536 /* characters in one value */

typedef enum { EL_PARAM_SCALAR, EL_PARAM_VECTOR, EL_PARAM_MATRIX, EL_PARAM_TEXT } el_param_kind;

typedef struct {
    char *key;
    char *text;         /* the value as written */
    el_param_kind kind; /* TEXT when the value is not a number or a bracket list */
    size_t rows, cols;  /* scalar 1x1, vector 1 x n, matrix rows x cols */
    double *v;          /* rows*cols numbers, row-major (NULL for TEXT) */
} el_param;

typedef struct {
    size_t n;
    el_param p[EL_PARAMS_MAX];
} el_params;

/* Parses "key=value" strings into P (which the caller zero-initialises and
 * frees with el_params_free).  EL_EFORMAT with a message naming the argument
 * on malformed input; duplicate keys are an error. */
int el_params_parse(el_params *p, int argc, char *const *argv);
void el_params_free(el_params *p);

/* Look-ups: EL_EDOM with "missing parameter NAME" or a shape message. */
int el_params_scalar(const el_params *p, const char *key, double *out);
int el_params_vector(const el_params *p, const char *key, size_t *n, const double **v);
int el_params_square(const el_params *p, const char *key, size_t *d, const double **v);
int el_params_text(const el_params *p, const char *key, const char **text);
int el_params_has(const el_params *p, const char *key);

/* The parameters as a JSON object (numbers, arrays, arrays of arrays, strings). */
json_t *el_params_json(const el_params *p);

typedef struct {
    unsigned long seed;
    size_t samples; /* 0 = the evaluator's default */
} el_eval_opts;

#define EL_EVAL_WHY_LEN 256

/* A route is shown (has_* = 1), does not apply (has_* = 0, why_* empty), or
 * could not be computed credibly (has_* = 0, why_* holds one sentence). */
typedef struct {
    int has_closed;
    double closed;
    int has_quad;
    el_quad_result quad;
    int has_mc;
    el_estimate mc;
    json_t *extra; /* object of extra fields (owned; may stay NULL) */
    char why_quad[EL_EVAL_WHY_LEN];
    char why_mc[EL_EVAL_WHY_LEN];
} el_eval_result;

/* The largest credible quadrature error relative to max(1, |value|): the
 * integrators are asked for 1e-11; an error estimate 8 orders above it says
 * the integrator did not converge, whatever its status. */
#define EL_EVAL_QUAD_MAXREL 1e-3

/* Records the quadrature route from the integrator's status S (el_errmsg()
 * holds its message when S != EL_OK) and result Q: shown when S is EL_OK, the
 * value is finite and the error estimate is finite, >= 0 and at most
 * EL_EVAL_QUAD_MAXREL max(1, |value|); otherwise unavailable with the reason
 * in RES->why_quad.  Clears the library's error message. */
void el_eval_set_quad(el_eval_result *res, int s, const el_quad_result *q);

/* The same for the Monte Carlo route: shown when S is EL_OK and the value and
 * the standard error are finite (se >= 0), and not when every draw gave the
 * same nonzero value (se = 0: the sample cannot measure its own error; a
 * discrete outcome rarer than 1/n may be missing).  All draws 0 is shown: it
 * is KL(p||p). */
void el_eval_set_mc(el_eval_result *res, int s, const el_estimate *e);

/* 1 if two shown routes disagree beyond their error bars (closed form exact;
 * quadrature within el_quad_tolerance; Monte Carlo within EL_MC_SIGMAS
 * standard errors, each with the rounding floor max(EL_QUAD_ABS, EL_QUAD_REL
 * |value|)), with a sentence naming the first such pair in MSG; else 0. */
int el_eval_disagreement(const el_eval_result *res, char *msg, size_t n);

typedef int (*el_eval_fn)(const el_params *p, const el_eval_opts *opts, el_eval_result *res);

typedef struct el_eval {
    const char *name;     /* "TOPIC.NAME" (or another prefix) */
    const char *summary;  /* one line */
    const char *required; /* space-separated keys */
    const char *optional; /* space-separated keys, or "" */
    el_eval_fn run;
} el_eval;

/* Checks P's keys against E (unknown or missing keys are EL_EDOM), then runs
 * E.  RES is initialised here; free it with el_eval_result_free. */
int el_eval_run(const el_eval *e, const el_params *p, const el_eval_opts *opts,
                el_eval_result *res);
void el_eval_result_free(el_eval_result *res);

/* Sets RES->extra[KEY] = value, creating the object; takes ownership of VALUE. */
int el_eval_extra(el_eval_result *res, const char *key, json_t *value);

#endif
