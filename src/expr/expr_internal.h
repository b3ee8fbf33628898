/* expr_internal.h -- private to the expression language (lex.c,
 * parse.c, eval.c): tokens, the compiled program, limits.
 *
 * The parser does not build a tree: it emits a postfix program (like a
 * calculator's RPN) while it parses, so evaluation is one loop over an array
 * with an explicit value stack -- no recursion whose depth the input controls,
 * and no allocation per scalar node. */
#ifndef EXPR_INTERNAL_H
#define EXPR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "expr/el_expr.h"

#define EXPR_NAME_MAX     64 /* longest variable or command name, incl. NUL */
#define EXPR_MAX_SUMS     32 /* \sum / \prod per expression */
#define EXPR_MAX_SUM_NEST 8
#define EXPR_MAX_SUM_VARS 16 /* distinct vectors indexed inside one sum */
#define EXPR_MAX_VARS     256
#define EXPR_MAX_MATPOW   1000000 /* |k| for a matrix power A^k */

/* ---- tokens ---------------------------------------------------------- */

typedef enum {
    TK_END,
    TK_NUM,  /* num */
    TK_NAME, /* a plain identifier, a Greek letter (\mu, μ): name */
    TK_CMD,  /* any other LaTeX command \name: name */
    TK_PLUS,
    TK_MINUS,
    TK_STAR,   /* * \cdot \times · × ⋅ ∗ */
    TK_ODOT,   /* \odot ⊙ (elementwise product) */
    TK_POW2,   /* ** */
    TK_SLASH,  /* / \div */
    TK_CARET,  /* ^ */
    TK_USCORE, /* _ */
    TK_LPAREN, /* ( ; flag: 1 after \left, 2 after \big.. */
    TK_RPAREN,
    TK_LBRACK, /* [ */
    TK_RBRACK,
    TK_LCURLY, /* \{ */
    TK_RCURLY, /* \} */
    TK_LBRACE, /* { (a LaTeX group) */
    TK_RBRACE, /* } */
    TK_BAR,    /* | ; flag: BAR_OPEN / BAR_CLOSE / BAR_EITHER */
    TK_PRIME,  /* ' ′ ᵀ (transpose) */
    TK_EQ,     /* = (only inside \sum_{i=1}) */
    TK_SUPER,  /* a run of Unicode superscripts ²⁻¹: num (value) */
    TK_SUBDIG, /* a run of Unicode subscript digits ₁₂: name (digits) */
    TK_SQRT,   /* √ */
    TK_COMMA,  /* , (derivation mode only) */
    TK_SEMI,   /* ; (derivation mode only) */
    TK_DBAR,   /* ‖ (derivation mode only; \| is TK_CMD "|") */
    TK_BAD     /* anything else: msg says what is wrong */
} tok_kind;

enum { BAR_EITHER = 0, BAR_OPEN = 1, BAR_CLOSE = 2 };

typedef struct {
    tok_kind kind;
    size_t off, end; /* byte range in the input */
    size_t pos;      /* 1-based character position of the first byte */
    double num;
    int flag;
    int digits_only; /* TK_NUM: written as plain digits (no '.', no exponent) */
    char name[EXPR_NAME_MAX];
    char msg[128]; /* TK_BAD: what is wrong */
} token;

/* A cursor into the input: byte offset and the 1-based character position of
 * that byte (characters are UTF-8 code points). */
typedef struct {
    const char *s;
    size_t len, off, pos;
    int deriv; /* derivation mode: , ; ‖ ∑ ∫ 𝔼 ∼ ∂ ∞ are tokens too */
} cursor;

/* Reads the next token at *c (skipping white space and LaTeX spacing) into
 * *t and advances *c past it. Never fails: problems come back as TK_BAD with
 * a message in t->msg. */
void expr_lex(cursor *c, token *t);

/* Reads exactly one character (a digit or a letter) as a TK_NUM or TK_NAME
 * token -- LaTeX's rule for unbraced arguments, as in \frac12. Returns 0 if
 * the next character is neither (then *c is unchanged). */
int expr_lex_char(cursor *c, token *t);

/* ---- program --------------------------------------------------------- */

typedef enum {
    OP_NUM, /* push x */
    OP_VAR, /* push variable a */
    OP_IDX, /* push element idx[b] of vector variable a */
    OP_NEG,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_EMUL, /* elementwise product (\odot) */
    OP_DIV,
    OP_POW,
    OP_ROOT, /* below: n, top: x; pushes the n-th root of x */
    OP_TRANS,
    OP_FN,        /* fn: an expr_fn applied to the top */
    OP_SUM_BEGIN, /* a: sum id; b: index of the matching OP_SUM_END */
    OP_SUM_END    /* a: sum id; b: index of the first op of the body */
} op_kind;

typedef enum {
    FN_LOG,
    FN_EXP,
    FN_SQRT,
    FN_ABS,
    FN_SUM,
    FN_PROD,
    FN_TR,
    FN_DET,
    FN_INV,
    FN_BARS, /* |x|: det of a square matrix, abs of a scalar */
    FN_DIAG  /* diag(v): the diagonal matrix of a vector; diag(A): A's diagonal as a vector */
} expr_fn;

typedef struct {
    uint8_t op, fn;
    uint32_t a, b; /* OP_SUM_*: b is a relative jump, so blocks can move */
    uint32_t pos;  /* 1-based character position for messages */
    double x;
} expr_op;

/* One \sum_{i=lo}^{hi} or \prod: which vector variables it indexes. */
typedef struct {
    int is_prod;
    long lo; /* first index, 1-based */
    long hi; /* last index, or -1: the length of the indexed vectors */
    uint32_t pos;
    size_t nv;
    uint32_t vars[EXPR_MAX_SUM_VARS]; /* distinct vector variables indexed */
} expr_sum;

struct el_expr {
    expr_op *code;
    size_t ncode;
    char **vars;
    uint32_t *var_pos; /* first appearance of each variable */
    size_t nvars;
    expr_sum sums[EXPR_MAX_SUMS];
    size_t nsums;
    size_t max_stack;
};

#endif
