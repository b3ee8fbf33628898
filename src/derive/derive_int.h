/* derive_int.h -- private to src/derive: contexts, values, evaluation. */
#ifndef DERIVE_INT_H
#define DERIVE_INT_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

#include "derive/el_derive.h"
#include "expr/el_expr.h"

#define DV_MAX    64 /* elements of a value: up to 8 x 8 */
#define CTX_NAME  64
#define CTX_MAX   64 /* parameters, distributions, quantities per context */
#define CTX_ALIAS 12
#define BIND_MAX  16

/* A value with an absolute error bound (the largest of its elements'). */
typedef struct {
    int rows, cols;
    double v[DV_MAX];
    double err;
} dval;

typedef enum { P_SCALAR, P_VECTOR, P_SIMPLEX, P_SPD, P_INTEGER } pshape;

typedef struct {
    char name[CTX_NAME];
    char alias[CTX_ALIAS][CTX_NAME];
    int nalias;
    pshape shape;
    double lo, hi;         /* uniform(lo, hi) */
    int logscale;          /* loguniform */
    char length[CTX_NAME]; /* vector length: a number or an integer parameter */
    el_tree *define;       /* derived: an expression in earlier parameters */
    char define_text[512];
    int auto_declared;
} dparam;

typedef enum { RV_REAL, RV_STATES, RV_OBSERVED } rvkind;

typedef struct {
    char name[CTX_NAME];
    rvkind kind;
    char size[CTX_NAME];  /* states(K): K; real^d: d ("" = 1) */
    el_tree *loc, *scale; /* where its mass sits (real): for integrals */
} drandom;

typedef struct {
    char name[CTX_NAME]; /* base name: p, q, N_0, q_i */
    char vars[4][CTX_NAME];
    int nvars;
    char cond[4][CTX_NAME];
    int ncond;
    el_tree *density;
    char density_text[1024];
    char family[CTX_NAME];           /* index name of an indexed family (q_i), or "" */
    el_tree *mean, *sd, *cov;        /* a declared Gaussian (diag: sd a vector), or NULL */
    char alias[CTX_ALIAS][CTX_NAME]; /* other bare names: q, q_phi */
    int nalias;
} ddist;

typedef struct {
    char name[CTX_NAME];
    char alias[CTX_ALIAS][CTX_NAME];
    int nalias;
    el_tree *value;
    char value_text[1024];
} dquant;

struct el_context {
    char name[CTX_NAME];
    char title[256];
    char path[512];
    /* what bare q ([0]) and p ([1]) mean: a signature such as q(z|x), parsed
     * once (name, vars, cond only); an empty name when the context says none */
    ddist pair[2];
    char latent[CTX_NAME];
    char index_range[CTX_NAME]; /* range of a sum over a non-variable index */
    int gauss_sd;               /* lines read N(z; m, s) with s the sd (let gaussian = sd) */
    int file_sd;                /* the context file's densities do (gaussian = sd) */
    char differences[512];      /* named differences for the `constant` diagnosis */
    dparam param[CTX_MAX];
    int nparam;
    drandom rv[8];
    int nrv;
    ddist dist[CTX_MAX];
    int ndist;
    dquant quant[CTX_MAX];
    int nquant;
};

/* ---- context.c ---- */
el_context *ctx_new(void);
int ctx_parse_file(el_context *c, const char *path);
const dparam *ctx_param(const el_context *c, const char *name);
int ctx_param_index(const el_context *c, const char *name);
const drandom *ctx_rv(const el_context *c, const char *name);
const dquant *ctx_quant(const el_context *c, const char *name);
/* The distribution for a call `name(vars | cond)`, or NULL. */
const ddist *ctx_dist(const el_context *c, const char *name, const char *const *vars, int nvars,
                      const char *const *cond, int ncond);
/* The distribution a call denotes (`q(z=k|x)`, `p_theta(x,z)`), by its name
 * and the names of its arguments, or NULL. */
const ddist *ctx_dist_call(const el_context *c, const el_tree *call);
/* The distribution a bare name denotes (`q`, `p`, `N_0`, `q_phi`), or NULL. */
const ddist *ctx_dist_bare(const el_context *c, const char *name);
/* Strips spelling subscripts: q_phi -> q, p_theta -> p, p_{\theta} -> p. */
void ctx_base_name(const char *name, char *out, size_t cap);

/* ---- instance.c ---- */
typedef struct {
    dval param[CTX_MAX];
    double rvfree[8][DV_MAX]; /* a free value of each random variable */
    int rvsize[8];            /* states or dimension */
} instance;

int inst_draw(const el_context *c, gsl_rng *r, instance *in);
/* Recomputes the defined parameters (but `keep`) after one was changed
 * (eval.c: it evaluates their definitions). */
int inst_redefine(const el_context *c, instance *in, int keep);
json_t *inst_json(const el_context *c, const instance *in);

/* ---- eval.c ---- */

/* What a name or call of a line's tree resolves to, cached by node (the
 * trees and the context outlive a chain's evaluation; lookups by name are
 * most of the cost of a Gauss-Hermite loop otherwise). */
typedef struct {
    const void *key;
    int kind; /* 1 parameter, 2 distribution, 3 quantity, 4 an element of parameter `index`,
                 -1 none of these (yet), 5 none and not an element */
    int index;
    const void *ptr;
} rc_entry;

#define RC_SIZE 1024
typedef struct {
    rc_entry e[RC_SIZE];
} rcache;

/* Copies src into dst (cap bytes, always NUL-terminated): snprintf is too
 * slow for the inner loops. */
void name_copy(char *dst, const char *src, size_t cap);

typedef struct {
    char name[CTX_NAME];
    dval v;
} binding;

typedef struct {
    const el_context *ctx;
    const instance *in;
    binding bind[BIND_MAX];
    int nbind;
    long budget;            /* evaluations of nodes left */
    int unknown;            /* set when a symbol was unknown: the step is unknown */
    char msg[256];          /* what went wrong */
    rcache *rc;             /* resolutions by node, or NULL */
    const el_tree *swap_kl; /* evaluate this KL node with its arguments exchanged */
    int swap_all;           /* ... or every KL node */
    int depth;
} env;

/* Evaluates t; returns 0 and *out, or -1 with e->msg set. */
int ev(env *e, const el_tree *t, dval *out);
/* The log of t, exactly for densities (log-pdf in closed form). */
int ev_log(env *e, const el_tree *t, dval *out);

int dv_scalar(const dval *v);
const ddist *ev_call_dist(env *e, const el_tree *call);
int ev_bind_call(env *e, const ddist *d, const el_tree *call);
int ev_gauss_log_at(env *e, const el_tree *g, const dval *x, dval *out);
dval dv_num(double x);
/* Sets *d to the scalar x (error 0) without copying a whole dval. */
static inline void dv_set(dval *d, double x)
{
    d->rows = d->cols = 1;
    d->v[0] = x;
    d->err = 0;
}

/* ---- integrate.c ---- */
/* A distribution term resolved for integration: over random variable rv. */
typedef struct {
    const el_tree *tree;     /* the term (a call, a bare name, N(m, v), a mixture) */
    const ddist *dist;       /* a distribution of the context, or NULL */
    const el_tree *call;     /* its call with arguments (p(x|z=k)), or NULL */
    char bindname[CTX_NAME]; /* also bind this name (E_{u ~ q}) */
    int rv;                  /* index into ctx->rv */
    int gaussian;            /* mean/cov known: Gauss-Hermite (2: an explicit covariance) */
    int sd;                  /* its N(.) reads the last argument as a standard deviation */
    dval mean, cov;          /* cov: variance (1-D) or covariance matrix */
} dterm;

int term_resolve(env *e, const el_tree *t, const char *var, dterm *out);
/* Density of the term at the current binding of its variable. */
int term_density(env *e, const dterm *d, dval *out);
int term_log_density(env *e, const dterm *d, dval *out);
/* E_d[f] where f is evaluated by `fn` with the variable bound. */
typedef int (*integrand)(env *e, void *arg, dval *out);
int integrate_expect(env *e, const dterm *d, integrand fn, void *arg, dval *out);
/* Integral of f d(var) over the support of random variable `rv`. */
int integrate_plain(env *e, int rv, integrand fn, void *arg, dval *out);

/* Binds name to v (innermost wins); returns the previous count to restore. */
int env_bind(env *e, const char *name, const dval *v);

/* ---- rows.c ---- */
typedef struct {
    char *text;
    size_t line;
    el_relation rel; /* relation before this line (ignored for the first) */
    char *just;      /* justification of the step ending at this line */
} chain_line;

typedef struct {
    chain_line *l;
    size_t n;
    size_t line;
    char context[CTX_NAME]; /* from % elbolab: context, or "" */
    char **lets;            /* let rows in force, in order */
    size_t nlets;
} chain;

typedef struct {
    chain *c;
    size_t n;
} chains;

int rows_split(const char *text, chains *out);
void chains_free(chains *cs);

/* Marks every N(.) of t as using the standard-deviation convention
 * (el_tree.num = 1 on EL_T_GAUSS nodes). */
void mark_sd(el_tree *t);

/* ---- vocab.c ---- */
/* The construct set of a line: sorted, ';'-separated, malloc'd. */
char *vocab_of(const el_context *c, const el_tree *t);

#endif
