/* el_expr.h -- the answer language: plain math and a LaTeX subset parsed to
 * one tree, evaluated over scalars, vectors and small matrices (GSL).
 * Hand-written because no packaged C library parses LaTeX math.
 *
 * Parse once (el_expr_parse), evaluate many times (el_expr_eval).
 *
 * Variable names (canonical spelling, what the lookup callback receives):
 *   - LaTeX Greek letters lose the backslash: `\sigma` -> "sigma",
 *     `\epsilon` -> "epsilon", `\varepsilon` -> "varepsilon" (no aliasing:
 *     eps = epsilon = varepsilon is the lookup's business).
 *   - Unicode Greek letters map to the same names: μ -> "mu", σ -> "sigma",
 *     Σ -> "Sigma", ε -> "epsilon", ϵ -> "epsilon", etc.
 *   - A subscript that is a plain name or number is glued with '_':
 *     `\mu_q` -> "mu_q", `\Sigma_{1}` and `\Sigma_1` -> "Sigma_1",
 *     `x_{ij}` -> "x_ij", `\sigma_{\phi}` -> "sigma_phi".
 *   - Plain identifiers stay as written: `mu_q`, `sigma1`, `lik`, `prior`.
 *     Identifiers are maximal runs of [A-Za-z0-9_] starting with a letter,
 *     so `ab` is one variable "ab" (not a*b); write `a b` or `a*b`.
 *   - Exception: inside a sum whose index is i, `x_i` (and `x_{i}`) is the
 *     i-th element of the vector variable "x", not a variable "x_i".
 * Reserved words: `pi` and `e` are constants (3.14..., Euler's number) and are
 * never reported as variables; `\pi` too. Function names (log ln exp sqrt
 * abs sum prod tr det inv) are not variables.
 *
 * Values: double matrices, row-major. A scalar is 1x1, a vector n x 1.
 * Every 1x1 result is a scalar (so `(m1-m0)' * inv(S1) * (m1-m0)` is one).
 * Semantics (see expr_eval.c for details):
 *   + -   elementwise, a scalar broadcasts.
 *   *     scalar * anything scales; matrix * matrix / matrix * vector is the
 *         matrix product; two vectors of the same length (n x 1 and n x 1, or
 *         1 x n and 1 x n) multiply elementwise; implicit multiplication is *.
 *   /     by a scalar, or elementwise between equal shapes.
 *   ^ **  scalar ^ scalar; square matrix ^ integer is the matrix power
 *         (negative powers invert, A^{-1}); vector/non-square ^ scalar is
 *         elementwise; A^T, A^\top, A' transpose.
 *   Functions: log ln exp sqrt abs (elementwise), sum prod (of all elements),
 *   tr det inv (square matrices; |A| is det of a matrix, abs of a scalar).
 * Function application binds to the following factor including its power:
 *   `\log \sigma^2` = log(sigma^2), `log x^2` = log(x^2), but a parenthesised
 *   argument ends the argument: `\log(x)^2` = (log x)^2.
 * Numerical problems (log of a negative, 0/0) give NaN/Inf, never an error;
 * shape mismatches give EL_EDOM with a message.
 *
 * Limits (hostile input is refused, never crashes): input length
 * EL_EXPR_MAX_LEN bytes, nesting depth EL_EXPR_MAX_DEPTH, EL_EXPR_MAX_NODES
 * tree nodes, matrices up to EL_EXPR_MAX_DIM x EL_EXPR_MAX_DIM, evaluation
 * cost EL_EXPR_MAX_COST flops-ish per evaluation.
 */
#ifndef EL_EXPR_H
#define EL_EXPR_H

#include <stddef.h>

#define EL_EXPR_MAX_LEN 4096
#define EL_EXPR_MAX_DEPTH 64
#define EL_EXPR_MAX_NODES 2048
#define EL_EXPR_MAX_DIM 64
#define EL_EXPR_MAX_COST 50000000.0

typedef struct el_expr el_expr;

/* scalar 1x1, vector n x 1 (column), matrix r x c, row-major; v owned by the value */
typedef struct {
    size_t rows, cols;
    double *v;
} el_value;

/* pos: 1-based character position in the input (0 if none);
 * msg: "expected ')' after ..." */
typedef struct {
    size_t pos;
    char msg[256];
} el_expr_error;

/* Parse `text` (UTF-8, NUL-terminated). Returns a tree owned by the caller
 * (free with el_expr_free), or NULL on failure with `err` filled (err may be
 * NULL). */
el_expr *el_expr_parse(const char *text, el_expr_error *err);

/* Free a tree; NULL is a no-op. */
void el_expr_free(el_expr *e);

/* Number of distinct free variable names, canonical spelling, in order of
 * first appearance. */
size_t el_expr_nvars(const el_expr *e);

/* The i-th free variable name (i < el_expr_nvars), owned by the tree. */
const char *el_expr_var(const el_expr *e, size_t i);

/* Lookup callback: set *out to the value of `name` (owned by the caller,
 * must stay valid during el_expr_eval); return 0 if found, non-zero if
 * unknown. */
typedef int (*el_expr_lookup)(void *ctx, const char *name, const el_value **out);

/* Evaluate. On EL_OK, *out holds the result (out->v malloc'd, free with
 * el_value_free). On failure returns a status (EL_EDOM for shape errors,
 * unknown variables, limits; EL_ENOMEM) with `err` filled (err may be NULL)
 * and *out = {0, 0, NULL}. Thread-safe: the tree is not modified. */
int el_expr_eval(const el_expr *e, el_expr_lookup lookup, void *ctx,
                 el_value *out, el_expr_error *err);

/* Free a value's storage and zero it; NULL is a no-op. */
void el_value_free(el_value *v);

#endif /* EL_EXPR_H */
