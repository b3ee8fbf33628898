/* el_expr.h -- the answer language: plain math and a LaTeX subset parsed to
 * one tree, evaluated over scalars, vectors and small matrices (GSL).
 * Hand-written because no packaged C library parses LaTeX math.
 *
 * Parse once (el_expr_parse), evaluate many times (el_expr_eval): the parser
 * compiles to a postfix program; evaluating a scalar answer allocates only
 * the result.
 *
 * Variable names (canonical spelling, what the lookup callback receives):
 *   - LaTeX Greek letters lose the backslash: `\sigma` -> "sigma",
 *     `\epsilon` -> "epsilon", `\varepsilon` -> "varepsilon". No aliasing:
 *     eps = epsilon = varepsilon, Sigma1 = Sigma_1 is the lookup's business.
 *   - Unicode Greek letters map to the same names: μ -> "mu", σ -> "sigma",
 *     Σ -> "Sigma", ε and ϵ -> "epsilon", φ and ϕ -> "phi".
 *   - A subscript is glued on with '_': `\mu_q` -> "mu_q", `\Sigma_{1}`,
 *     `\Sigma_1` and `Σ₁` -> "Sigma_1", `x_{ij}` -> "x_ij",
 *     `\sigma_{\phi}` -> "sigma_phi", `\mu_{\text{post}}` -> "mu_post".
 *     An unbraced subscript is the whole following name or number
 *     (`\mu_post` -> "mu_post", unlike LaTeX). `\sigma^2_1` = `\sigma_1^2`.
 *   - Plain identifiers stay as written: `mu_q`, `sigma1`, `lik`, `prior`.
 *     An identifier is a letter followed by letters, digits and '_' + letter
 *     or digit, so `ab` is ONE variable "ab" (write `a b` or `a*b`).
 *   - Styles are dropped: `\mathbf{x}`, `\boldsymbol\mu`, `\vec{x}`,
 *     `\mathrm{lik}`, `\text{prior}` -> "x", "mu", "x", "lik", "prior";
 *     accents are appended: `\bar{x}` -> "xbar", `\hat\sigma` -> "sigmahat",
 *     `\tilde\mu` -> "mutilde".
 *   - Inside `\sum_i` / `\prod_i`, `x_i` and `x_{i}` are the i-th element of
 *     the vector variable "x" (reported as "x"), not a variable "x_i".
 * Reserved: `pi`, `\pi`, `π` are 3.14159...; `e` is ALWAYS Euler's number
 * (never a variable; `e^{x}` is exp(x)); `e_1` or `pi_k` are variables.
 * Function names (log ln exp sqrt abs sum prod tr Tr trace det inv) are not
 * variables.
 *
 * Syntax: + - * / ^ ** ' ; implicit multiplication by juxtaposition
 * (`2 sigma^2`, `2(a+b)`, `(a)(b)`; but two numbers in a row, `1 000`, are
 * refused); numbers 2, 1.5, .5, 2., 1e-3; \odot for the elementwise product. LaTeX: \frac \dfrac \tfrac \cfrac
 * (also unbraced, `\frac12`), \sqrt{x}, \sqrt[n]{x}, \log \ln \exp \det,
 * \log_b x, \log^2 x, \cdot \times \div, ^{...} _{...}, \left( \right),
 * \big( \Bigl( ..., \{ \} [ ] { } as brackets, |x| \lvert \rvert \left|
 * \right|, \operatorname{tr} \mathrm{tr} \text{tr}, A^{-1}, A^T, A^{T},
 * A^\top, A^{\top}, A^{\mathsf{T}}, A^{-T} (inverse transpose),
 * \sum_{i} term, \sum_{i=1}^{d} term, \prod (the term extends to the next
 * + or -; the range is lo..the vectors' length when the upper limit is a
 * name, lo..hi when it is a number), spacing \, \; \! \: \quad \qquad ~ and
 * \displaystyle \limits ignored. Unicode: · × ⋅ ∗ (times), − – (minus), ÷,
 * ² ³ ⁻¹ (powers), ₁ ₂ (subscripts), ᵀ ′ (transpose), √, no-break spaces.
 * `^T` is always the transpose (a lone capital T after ^); write `^{(T)}`
 * for a power T.
 * Refused with a message: \mathbb{E} ("expectations cannot be graded: write
 * the closed form"), \int, \partial, \nabla, \mathcal{N}, KL, norms \|x\|,
 * '=', unknown commands.
 *
 * Function application: an unbracketed argument is the juxtaposed product
 * that follows, with its powers, up to the next explicit operator:
 *   `\log \sigma^2` = log(sigma^2), `\log 2\pi\sigma^2` = log(2 pi sigma^2),
 *   `\log\sigma^2 + 1` = log(sigma^2) + 1, `\log x \cdot y` = log(x) y.
 * A bracketed argument is only the brackets, and a power after it applies to
 * the result: `\log(x)^2` = (log x)^2 = `\log^2 x`; `\log(2)\pi` = pi log 2.
 * `\sqrt` follows LaTeX: `\sqrt{x}`, or a single character or command
 * (`\sqrt x^2` = (sqrt x)^2, as typeset).
 * Precedence: -x^2 = -(x^2); a^b^c = a^(b^c); a/b/c = (a/b)/c;
 * a/2b = (a/2)*b (juxtaposition is as strong as * and /).
 *
 * Values: double matrices, row-major. A scalar is 1x1, a vector n x 1.
 * Every 1x1 result is a scalar (so `(m1-m0)' * inv(S1) * (m1-m0)` is one).
 *   + -   elementwise, a scalar broadcasts.
 *   *     scalar * anything scales; two vectors of the same shape multiply
 *         elementwise (x y, and \cdot, are NOT the dot product: write x^T y);
 *         otherwise the matrix product (A x, x^T y, x y^T, A B).
 *   \odot ⊙  always elementwise (equal shapes, or a scalar broadcast).
 *   /     by a scalar, a scalar by anything, or elementwise for equal shapes.
 *   ^ **  a square matrix (larger than 1x1) to a whole power is the matrix
 *         power (negative: of the inverse); otherwise elementwise, with a
 *         scalar exponent or base broadcast.
 *   log ln exp sqrt abs  elementwise (exp is not the matrix exponential).
 *   sum prod  of all elements.  tr det inv  of a square matrix (GSL LU).
 *   |x|   det of a square matrix, abs of a scalar; refused for vectors.
 * Numerical trouble gives NaN or Inf, never an error (log of a negative,
 * 0/0, inverse of a singular matrix: all NaN; det of a singular matrix: 0).
 *
 * Errors: el_expr_parse fills el_expr_error (1-based character position,
 * counting UTF-8 code points, and "expected ... found ..."). el_expr_eval
 * returns EL_EDOM (shapes, non-vector in a sum, non-whole matrix power),
 * EL_ENOTFOUND (a variable the lookup does not know), EL_ELIMIT (a value
 * larger than EL_EXPR_MAX_DIM, or the evaluation cost limit), EL_ENOMEM,
 * EL_EUSAGE (NULL arguments); it fills el_expr_error and el_errmsg().
 *
 * Limits (hostile input is refused, never crashes or hangs): input length
 * EL_EXPR_MAX_LEN bytes, nesting depth EL_EXPR_MAX_DEPTH (the recursion of
 * the parser), EL_EXPR_MAX_NODES operations, 256 variables, 32 sums nested
 * at most 8 deep, values up to EL_EXPR_MAX_DIM x EL_EXPR_MAX_DIM,
 * |k| <= 1e6 in a matrix power A^k, and EL_EXPR_MAX_COST (about one unit
 * per element touched) per evaluation. Evaluation is a loop, not a
 * recursion; el_expr_eval only reads the tree, so one tree may be evaluated
 * from several threads at once.
 */
#ifndef EL_EXPR_H
#define EL_EXPR_H

#include <stddef.h>

#define EL_EXPR_MAX_LEN   4096
#define EL_EXPR_MAX_DEPTH 64
#define EL_EXPR_MAX_NODES 2048
#define EL_EXPR_MAX_DIM   64
#define EL_EXPR_MAX_COST  1e7

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

/* As el_expr_parse, with INDEX (NULL: none) a free index: x_k, where no
 * enclosing sum binds k, is the whole vector x, so that an entry written in
 * index notation (lik_k prior_k / \sum_j lik_j prior_j) is the vector of
 * those entries. */
el_expr *el_expr_parse_free(const char *text, const char *index, el_expr_error *err);

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

/* Evaluate at the values the lookup gives (each variable is looked up once
 * per call). On EL_OK, *out holds the result (out->v malloc'd, free with
 * el_value_free). On failure returns a status (see above) with `err` filled
 * (err may be NULL) and *out = {0, 0, NULL}. */
int el_expr_eval(const el_expr *e, el_expr_lookup lookup, void *ctx, el_value *out,
                 el_expr_error *err);

/* Free a value's storage and zero it; NULL is a no-op. */
void el_value_free(el_value *v);

/* ---- derivation lines: the same language as a tree ---------------------
 *
 * el_tree_parse reads one line of a derivation (no relations: the caller
 * splits rows at =, \geq, ...) into a tree that keeps the probabilistic
 * constructs the closed-form language refuses: densities by signature
 * (`q(z|x)`, `p_\theta(x,z)`, `q(z=k|x)`), Gaussians (`\mathcal{N}(z; \mu,
 * \sigma^2)`, `N(\mu, \sigma^2)`), expectations (`E_{q(z|x)}[f]`, `E_q[f]`,
 * `\mathbb{E}_{z \sim q}\left[f\right]`, `𝔼`), integrals (`\int f \, dz`,
 * `\int_{\mathbb{R}} f \mathrm{d}z`), sums (`\sum_z f`, `\sum_{k=1}^{K} f`,
 * plain `sum_z f`), KL (`KL(q||p)`, `D_{KL}(q \| p)`, `\mathrm{KL}(q, p)`,
 * `\mathcal{KL}(q \mid\mid p)`), entropy (`H(q)`, `\mathcal{H}[q]`),
 * indicators (`\mathbb{1}[z=k]`), partial derivatives
 * (`\frac{\partial}{\partial \mu} f`, `\frac{\partial f}{\partial \mu}`,
 * `\nabla_\mu f`). It gives no meaning to names: which names are
 * distributions, random variables or parameters is the caller's business
 * (src/derive). A name is applied as a function (`p(...)`) when its base
 * (before any subscript) is one of p q r f g h P Q F L G J or is `ELBO`;
 * any other `a(b)` is a product, as in the closed-form language.
 * Bounded like el_expr_parse: EL_EXPR_MAX_LEN bytes, EL_EXPR_MAX_DEPTH
 * nesting, EL_EXPR_MAX_NODES nodes. */
typedef enum {
    EL_T_NUM,   /* num */
    EL_T_VAR,   /* name: canonical spelling, subscripts glued with '_' */
    EL_T_NEG,   /* -a */
    EL_T_ADD,   /* a + b */
    EL_T_SUB,   /* a - b */
    EL_T_MUL,   /* a b, a * b, a \cdot b */
    EL_T_EMUL,  /* a \odot b */
    EL_T_DIV,   /* a / b, \frac{a}{b} */
    EL_T_POW,   /* a ^ b */
    EL_T_FN,    /* name(a): log exp sqrt abs tr det inv */
    EL_T_TRANS, /* a^T */
    EL_T_BARS,  /* |a|: abs of a scalar, det of a matrix */
    EL_T_SUM,   /* \sum_{name = b}^{c} a (b, c may be NULL) */
    EL_T_PROD,  /* \prod_{name = b}^{c} a */
    EL_T_CALL,  /* name(args): args[0..nvars) before the bar, the rest after */
    EL_T_BIND,  /* inside a call or indicator: name = a */
    EL_T_GAUSS, /* N(c; a, b): c the variable (NULL when written N(a, b)), a mean, b (co)variance */
    EL_T_EXPECT, /* E_{b}[a]; b NULL when no subscript; name: the variable of `z \sim q`, or "" */
    EL_T_INT,    /* \int a d(name) */
    EL_T_KL,     /* KL(a || b) */
    EL_T_ENT,    /* H(a) */
    EL_T_IND,    /* \mathbb{1}[a], a an EL_T_BIND */
    EL_T_DERIV   /* d a / d name */
} el_tree_kind;

typedef struct el_tree {
    el_tree_kind kind;
    char name[64];
    double num;
    struct el_tree *a, *b, *c;
    struct el_tree **args;
    size_t nargs, nvars;
    size_t pos; /* 1-based character position in the line */
} el_tree;

/* Parses one line (UTF-8) into a tree owned by the caller (el_tree_free),
 * or returns NULL with err filled (position and "expected ... found ..."). */
el_tree *el_tree_parse(const char *text, el_expr_error *err);

/* Frees a tree; NULL is a no-op. */
void el_tree_free(el_tree *t);

/* A deep copy of t (NULL when out of memory or t is NULL). */
el_tree *el_tree_copy(const el_tree *t);

/* Writes t in canonical plain notation (`E_{q(z|x)}[log p(x,z) - log q(z|x)]`,
 * `KL(q(z|x) || p(z))`) into buf (always NUL-terminated when cap > 0);
 * returns the length the whole text needs, like snprintf. */
size_t el_tree_print(const el_tree *t, char *buf, size_t cap);

#endif /* EL_EXPR_H */
