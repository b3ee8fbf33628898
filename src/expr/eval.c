/* eval.c -- evaluates a compiled answer (parse.c) over scalars,
 * vectors and small matrices. One loop over the postfix program with an
 * explicit value stack; a 1x1 value lives inside its stack slot, so a purely
 * scalar answer allocates only the result. Matrix products, determinants and
 * inverses use GSL (BLAS, LU). */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "expr/expr_internal.h"

/* A value on the stack: r x c, row-major; 1x1 values are stored in s, larger
 * ones in buf (cap doubles, kept across pushes to avoid reallocation). An
 * empty sum accumulator has r = c = 0. */
typedef struct {
    size_t r, c;
    double s;
    double *buf;
    size_t cap;
} slot;

#define LOCAL_SLOTS 16

typedef struct {
    const el_expr *e;
    const el_value **vals; /* the variables, looked up once */
    slot *st;              /* the stack */
    size_t sp;
    slot tmp;                /* scratch for products and transposes */
    long idx[EXPR_MAX_SUMS]; /* current 0-based index of each sum */
    long end[EXPR_MAX_SUMS]; /* one past its last index */
    double cost;
    el_expr_error *err;
} machine;

static double *data(slot *s)
{
    return s->r * s->c == 1 ? &s->s : s->buf;
}

static size_t count(const slot *s)
{
    return s->r * s->c;
}

static int is_scalar(const slot *s)
{
    return s->r == 1 && s->c == 1;
}

static int is_vector(size_t r, size_t c)
{
    return r == 1 || c == 1;
}

/* Records an evaluation error at 1-based position pos; returns status. */
static int fail(machine *m, int status, size_t pos, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m->err) {
        m->err->pos = pos;
        memcpy(m->err->msg, msg, sizeof msg);
    }
    return EL_ERROR(status, "%s", msg);
}

/* Gives slot s the shape r x c (contents undefined). */
static int reshape(machine *m, slot *s, size_t r, size_t c)
{
    size_t n = r * c;
    if (n > 1 && n > s->cap) {
        double *b = realloc(s->buf, n * sizeof *b);
        if (!b)
            return fail(m, EL_ENOMEM, 0, "out of memory");
        s->buf = b;
        s->cap = n;
    }
    s->r = r;
    s->c = c;
    return EL_OK;
}

/* Adds `c` to the cost; fails past EL_EXPR_MAX_COST. */
static int charge(machine *m, double c, size_t pos)
{
    m->cost += c;
    if (m->cost > EL_EXPR_MAX_COST)
        return fail(m, EL_ELIMIT, pos, "the answer is too costly to evaluate");
    return EL_OK;
}

static void swap_slots(slot *a, slot *b)
{
    slot t = *a;
    *a = *b;
    *b = t;
}

/* ---- elementwise ------------------------------------------------------------ */

static double apply(int op, double x, double y)
{
    switch (op) {
    case OP_ADD: return x + y;
    case OP_SUB: return x - y;
    case OP_MUL: return x * y;
    case OP_DIV: return x / y;
    default: return pow(x, y);
    }
}

/* a := a op b elementwise for two equal shapes or a scalar and anything; the
 * result replaces a (the lower slot). Returns 1 if the shapes fit, 0 if not. */
static int ewise(machine *m, slot *a, slot *b, int op)
{
    if (is_scalar(a) && is_scalar(b)) {
        a->s = apply(op, a->s, b->s);
        return 1;
    }
    double *x = data(a), *y = data(b);
    size_t n;
    if (a->r == b->r && a->c == b->c) {
        n = count(a);
        for (size_t i = 0; i < n; i++)
            x[i] = apply(op, x[i], y[i]);
    } else if (is_scalar(b)) {
        n = count(a);
        for (size_t i = 0; i < n; i++)
            x[i] = apply(op, x[i], b->s);
    } else if (is_scalar(a)) {
        n = count(b);
        for (size_t i = 0; i < n; i++)
            y[i] = apply(op, a->s, y[i]);
        swap_slots(a, b);
    } else {
        return 0;
    }
    m->cost += (double)n;
    return 1;
}

static const char *verb(int op)
{
    switch (op) {
    case OP_ADD: return "add";
    case OP_SUB: return "subtract";
    case OP_MUL: return "multiply";
    case OP_DIV: return "divide";
    default: return "raise";
    }
}

/* Pops b and combines it elementwise into the new top. */
static int binary_ewise(machine *m, int op, size_t pos)
{
    slot *a = &m->st[m->sp - 2], *b = &m->st[m->sp - 1];
    size_t ar = a->r, ac = a->c, br = b->r, bc = b->c;
    if (!ewise(m, a, b, op))
        return fail(m, EL_EDOM, pos, "cannot %s a %zux%zu and a %zux%zu value", verb(op), ar, ac,
                    br, bc);
    m->sp--;
    return charge(m, 1, pos);
}

/* ---- linear algebra (GSL) ------------------------------------------------------ */

/* c (r x n) := a (r x k) * b (k x n), with GSL BLAS. */
static void matmul(const double *a, const double *b, double *c, size_t r, size_t k, size_t n)
{
    gsl_matrix_const_view A = gsl_matrix_const_view_array(a, r, k);
    gsl_matrix_const_view B = gsl_matrix_const_view_array(b, k, n);
    gsl_matrix_view C = gsl_matrix_view_array(c, r, n);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &A.matrix, &B.matrix, 0.0, &C.matrix);
}

/* Pops b; the top a becomes a * b: scaling by a scalar, elementwise for two
 * vectors of the same shape, else the matrix product. */
static int binary_mul(machine *m, size_t pos)
{
    slot *a = &m->st[m->sp - 2], *b = &m->st[m->sp - 1];
    if (is_scalar(a) || is_scalar(b) || (a->r == b->r && a->c == b->c && is_vector(a->r, a->c)))
        return binary_ewise(m, OP_MUL, pos);
    if (a->c != b->r)
        return fail(m, EL_EDOM, pos,
                    "cannot multiply a %zux%zu by a %zux%zu value (inner sizes differ)", a->r, a->c,
                    b->r, b->c);
    int st = charge(m, (double)(a->r * a->c * b->c), pos);
    if (st || (st = reshape(m, &m->tmp, a->r, b->c)))
        return st;
    matmul(data(a), data(b), data(&m->tmp), a->r, a->c, b->c);
    swap_slots(a, &m->tmp);
    m->sp--;
    return EL_OK;
}

/* Overwrites the square n x n matrix x with its inverse (NaN if singular). */
static void invert(double *x, size_t n)
{
    size_t perm[EL_EXPR_MAX_DIM];
    gsl_permutation p = { n, perm };
    gsl_matrix_view A = gsl_matrix_view_array(x, n, n);
    int sign;
    if (gsl_linalg_LU_decomp(&A.matrix, &p, &sign) || gsl_linalg_LU_invx(&A.matrix, &p))
        for (size_t i = 0; i < n * n; i++)
            x[i] = NAN;
}

/* The determinant of the n x n matrix x (destroyed), by LU. */
static double determinant(double *x, size_t n)
{
    size_t perm[EL_EXPR_MAX_DIM];
    gsl_permutation p = { n, perm };
    gsl_matrix_view A = gsl_matrix_view_array(x, n, n);
    int sign;
    if (gsl_linalg_LU_decomp(&A.matrix, &p, &sign))
        return NAN;
    for (size_t i = 0; i < n; i++) /* a zero pivot: singular (the rest may be 0/0) */
        if (x[i * (n + 1)] == 0.0)
            return 0.0;
    return gsl_linalg_LU_det(&A.matrix, sign);
}

/* a := a^k for a square n x n matrix a and whole k (negative: inverse). */
static int matrix_power(machine *m, slot *a, long k, size_t pos)
{
    size_t n = a->r, nn = n * n;
    unsigned long e = k < 0 ? (unsigned long)(-k) : (unsigned long)k;
    int st = charge(m, 2.0 * (double)(nn * n) * (2 + log2((double)e + 1)), pos);
    if (st)
        return st;
    double *w = malloc(3 * nn * sizeof *w);
    if (!w)
        return fail(m, EL_ENOMEM, pos, "out of memory");
    double *base = w, *res = w + nn, *t = w + 2 * nn, *x = data(a);
    memcpy(base, x, nn * sizeof *x);
    if (k < 0)
        invert(base, n);
    for (size_t i = 0; i < nn; i++)
        res[i] = i % (n + 1) == 0;
    for (; e; e >>= 1) {
        if (e & 1) {
            matmul(res, base, t, n, n, n);
            memcpy(res, t, nn * sizeof *t);
        }
        if (e > 1) {
            matmul(base, base, t, n, n, n);
            memcpy(base, t, nn * sizeof *t);
        }
    }
    memcpy(x, res, nn * sizeof *x);
    free(w);
    return EL_OK;
}

/* Pops the exponent b; the top a becomes a^b: a matrix power for a square
 * matrix and a whole number, else elementwise. */
static int binary_pow(machine *m, size_t pos)
{
    slot *a = &m->st[m->sp - 2], *b = &m->st[m->sp - 1];
    if (a->r == a->c && a->r > 1) {
        if (!is_scalar(b))
            return fail(m, EL_EDOM, pos, "the power of a matrix must be a number, not %zux%zu",
                        b->r, b->c);
        double k = b->s;
        if (k != floor(k) || fabs(k) > EXPR_MAX_MATPOW)
            return fail(m, EL_EDOM, pos,
                        "a matrix power needs a whole-number exponent "
                        "of size at most %d, not %g",
                        EXPR_MAX_MATPOW, k);
        m->sp--;
        return matrix_power(m, a, (long)k, pos);
    }
    return binary_ewise(m, OP_POW, pos);
}

/* Pops x; the top n (a number) becomes the n-th root of x, elementwise.
 * Odd roots of negative numbers are real (\sqrt[3]{-8} = -2). */
static int binary_root(machine *m, size_t pos)
{
    slot *a = &m->st[m->sp - 2], *b = &m->st[m->sp - 1];
    if (!is_scalar(a))
        return fail(m, EL_EDOM, pos, "the index of a root must be a number, not %zux%zu", a->r,
                    a->c);
    double k = a->s, *x = data(b);
    int odd = k == floor(k) && fmod(fabs(k), 2.0) == 1.0;
    for (size_t i = 0; i < count(b); i++)
        x[i] = odd && x[i] < 0 ? -pow(-x[i], 1.0 / k) : pow(x[i], 1.0 / k);
    swap_slots(a, b);
    m->sp--;
    return charge(m, (double)count(a), pos);
}

/* Transposes the top value. */
static int transpose(machine *m, size_t pos)
{
    slot *a = &m->st[m->sp - 1];
    size_t r = a->r, c = a->c;
    if (!is_vector(r, c)) {
        int st = reshape(m, &m->tmp, c, r);
        if (st)
            return st;
        const double *x = data(a);
        double *y = data(&m->tmp);
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < c; j++)
                y[j * r + i] = x[i * c + j];
        swap_slots(a, &m->tmp);
    }
    a->r = c;
    a->c = r;
    return charge(m, (double)(r * c), pos);
}

/* ---- functions ----------------------------------------------------------------- */

static int need_square(machine *m, const slot *a, const char *what, size_t pos)
{
    if (a->r == a->c)
        return EL_OK;
    return fail(m, EL_EDOM, pos, "%s needs a square matrix, not %zux%zu", what, a->r, a->c);
}

/* Replaces the top with a scalar. */
static void set_scalar(slot *a, double v)
{
    a->r = a->c = 1;
    a->s = v;
}

/* tr, det, inv, |x| of the top value. */
static int apply_matrix_fn(machine *m, slot *a, int fn, size_t pos)
{
    static const char *const names[] = {
        [FN_TR] = "tr", [FN_DET] = "det", [FN_INV] = "inv", [FN_BARS] = "|...|"
    };
    if (fn == FN_BARS && is_vector(a->r, a->c) && !is_scalar(a))
        return fail(m, EL_EDOM, pos,
                    "|x| of a %zux%zu vector: write sqrt(x^T x) for its "
                    "length or abs(x) elementwise",
                    a->r, a->c);
    int st = need_square(m, a, names[fn], pos);
    size_t n = a->r;
    if (st || (st = charge(m, (double)(n * n * n), pos)))
        return st;
    double *x = data(a);
    if (fn == FN_TR) {
        double t = 0;
        for (size_t i = 0; i < n; i++)
            t += x[i * (n + 1)];
        set_scalar(a, t);
    } else if (fn == FN_INV) {
        invert(x, n);
    } else if (n == 1) {
        set_scalar(a, fn == FN_BARS ? fabs(a->s) : a->s);
    } else {
        set_scalar(a, determinant(x, n));
    }
    return EL_OK;
}

/* diag of the top value: a vector becomes the diagonal matrix, a square
 * matrix its diagonal (a column), a scalar stays. */
static int apply_diag(machine *m, slot *a, size_t pos)
{
    size_t r = a->r, c = a->c, n = r < c ? c : r;
    if (!is_vector(r, c) && r != c)
        return fail(m, EL_EDOM, pos, "diag needs a vector or a square matrix, not %zux%zu", r, c);
    if (n == 1)
        return EL_OK;
    int vec = is_vector(r, c);
    int st = reshape(m, &m->tmp, vec ? n : r, vec ? n : 1);
    if (st || (st = charge(m, (double)(n * n), pos)))
        return st;
    const double *x = data(a);
    double *y = data(&m->tmp);
    for (size_t i = 0; i < n; i++) {
        if (vec)
            for (size_t j = 0; j < n; j++)
                y[i * n + j] = i == j ? x[i] : 0.0;
        else
            y[i] = x[i * (n + 1)];
    }
    swap_slots(a, &m->tmp);
    return EL_OK;
}

/* Applies function fn to the top value. */
static int apply_fn(machine *m, int fn, size_t pos)
{
    slot *a = &m->st[m->sp - 1];
    double *x = data(a);
    size_t n = count(a);
    int st = charge(m, (double)n, pos);
    if (st)
        return st;
    switch (fn) {
    case FN_LOG:
        for (size_t i = 0; i < n; i++)
            x[i] = log(x[i]);
        return EL_OK;
    case FN_EXP:
        for (size_t i = 0; i < n; i++)
            x[i] = exp(x[i]);
        return EL_OK;
    case FN_SQRT:
        for (size_t i = 0; i < n; i++)
            x[i] = sqrt(x[i]);
        return EL_OK;
    case FN_ABS:
        for (size_t i = 0; i < n; i++)
            x[i] = fabs(x[i]);
        return EL_OK;
    case FN_SUM:
    case FN_PROD: {
        double t = fn == FN_SUM ? 0 : 1;
        for (size_t i = 0; i < n; i++)
            t = fn == FN_SUM ? t + x[i] : t * x[i];
        set_scalar(a, t);
        return EL_OK;
    }
    case FN_DIAG: return apply_diag(m, a, pos);
    default: return apply_matrix_fn(m, a, fn, pos);
    }
}

/* ---- stack ---------------------------------------------------------------------- */

/* Pushes a copy of value v. */
static int push_value(machine *m, const el_value *v, size_t pos)
{
    slot *s = &m->st[m->sp];
    int st = reshape(m, s, v->rows, v->cols);
    if (st || (st = charge(m, (double)(v->rows * v->cols), pos)))
        return st;
    memcpy(data(s), v->v, v->rows * v->cols * sizeof *v->v);
    m->sp++;
    return EL_OK;
}

static void push_scalar(machine *m, double x)
{
    set_scalar(&m->st[m->sp++], x);
}

/* Pushes element idx of vector variable `var` (inside a sum). */
static int push_element(machine *m, const expr_op *op)
{
    const el_value *v = m->vals[op->a];
    long i = m->idx[op->b];
    if (!is_vector(v->rows, v->cols))
        return fail(m, EL_EDOM, op->pos, "%s_i needs a vector, but %s is %zux%zu",
                    m->e->vars[op->a], m->e->vars[op->a], v->rows, v->cols);
    if (i < 0 || (size_t)i >= v->rows * v->cols)
        return fail(m, EL_EDOM, op->pos, "index %ld is outside %s (%zu elements)", i + 1,
                    m->e->vars[op->a], v->rows * v->cols);
    push_scalar(m, v->v[i]);
    return EL_OK;
}

/* Starts a sum: works out its range from the vectors it indexes; an empty
 * range pushes 0 (1 for a product) and skips the body. */
static int sum_begin(machine *m, const expr_op *op, size_t *pc)
{
    const expr_sum *s = &m->e->sums[op->a];
    size_t n = 0;
    for (size_t k = 0; k < s->nv; k++) {
        const el_value *v = m->vals[s->vars[k]];
        const char *name = m->e->vars[s->vars[k]];
        size_t len = v->rows * v->cols;
        if (!is_vector(v->rows, v->cols))
            return fail(m, EL_EDOM, op->pos, "a sum indexes %s, which is %zux%zu, not a vector",
                        name, v->rows, v->cols);
        if (k > 0 && len != n)
            return fail(m, EL_EDOM, op->pos,
                        "a sum indexes vectors of different lengths "
                        "(%s has %zu elements, not %zu)",
                        name, len, n);
        n = len;
    }
    long hi = s->hi < 0 ? (long)n : s->hi;
    if (s->nv > 0 && (size_t)hi > n)
        return fail(m, EL_EDOM, op->pos,
                    "the sum runs to %ld but the vectors have %zu "
                    "elements",
                    hi, n);
    m->idx[op->a] = s->lo - 1;
    m->end[op->a] = hi;
    if (s->lo > hi) {
        push_scalar(m, s->is_prod ? 1.0 : 0.0);
        *pc += op->b;
        return EL_OK;
    }
    slot *acc = &m->st[m->sp++];
    acc->r = acc->c = 0;
    return EL_OK;
}

/* Ends one pass of a sum's body: adds (multiplies) the body's value into the
 * accumulator, then loops or falls through. */
static int sum_end(machine *m, const expr_op *op, size_t *pc)
{
    slot *acc = &m->st[m->sp - 2], *b = &m->st[m->sp - 1];
    if (acc->r == 0) {
        swap_slots(acc, b);
        m->sp--;
    } else {
        int st = binary_ewise(m, op->fn ? OP_MUL : OP_ADD, op->pos);
        if (st)
            return st;
    }
    if (++m->idx[op->a] < m->end[op->a])
        *pc -= op->b + 1;
    return EL_OK;
}

/* Executes one op at *pc. */
static int step(machine *m, size_t *pc)
{
    const expr_op *op = &m->e->code[*pc];
    switch (op->op) {
    case OP_NUM: push_scalar(m, op->x); return charge(m, 1, op->pos);
    case OP_VAR: return push_value(m, m->vals[op->a], op->pos);
    case OP_IDX: {
        int st = push_element(m, op);
        return st ? st : charge(m, 1, op->pos);
    }
    case OP_NEG: {
        slot *a = &m->st[m->sp - 1];
        double *x = data(a);
        for (size_t i = 0; i < count(a); i++)
            x[i] = -x[i];
        return charge(m, (double)count(a), op->pos);
    }
    case OP_ADD:
    case OP_SUB:
    case OP_DIV: return binary_ewise(m, op->op, op->pos);
    case OP_EMUL: return binary_ewise(m, OP_MUL, op->pos);
    case OP_MUL: return binary_mul(m, op->pos);
    case OP_POW: return binary_pow(m, op->pos);
    case OP_ROOT: return binary_root(m, op->pos);
    case OP_TRANS: return transpose(m, op->pos);
    case OP_FN: return apply_fn(m, op->fn, op->pos);
    case OP_SUM_BEGIN: return sum_begin(m, op, pc);
    default: return sum_end(m, op, pc);
    }
}

/* ---- entry ----------------------------------------------------------------------- */

/* Looks every variable up once and checks its shape. */
static int bind(machine *m, el_expr_lookup lookup, void *ctx)
{
    for (size_t i = 0; i < m->e->nvars; i++) {
        const char *name = m->e->vars[i];
        const el_value *v = NULL;
        if (!lookup || lookup(ctx, name, &v) != 0 || !v)
            return fail(m, EL_ENOTFOUND, m->e->var_pos[i], "unknown variable '%s'", name);
        if (v->rows == 0 || v->cols == 0 || !v->v)
            return fail(m, EL_EDOM, m->e->var_pos[i], "variable '%s' has no value", name);
        if (v->rows > EL_EXPR_MAX_DIM || v->cols > EL_EXPR_MAX_DIM)
            return fail(m, EL_ELIMIT, m->e->var_pos[i],
                        "variable '%s' is %zux%zu, larger "
                        "than %dx%d",
                        name, v->rows, v->cols, EL_EXPR_MAX_DIM, EL_EXPR_MAX_DIM);
        m->vals[i] = v;
    }
    return EL_OK;
}

/* Runs the program; the result is left in m->st[0]. */
static int run(machine *m)
{
    for (size_t pc = 0; pc < m->e->ncode; pc++) {
        int st = step(m, &pc);
        if (st)
            return st;
    }
    return EL_OK;
}

/* Copies the result into a fresh el_value. */
static int export_result(machine *m, el_value *out)
{
    slot *r = &m->st[0];
    size_t n = count(r);
    out->v = malloc(n * sizeof *out->v);
    if (!out->v)
        return fail(m, EL_ENOMEM, 0, "out of memory");
    memcpy(out->v, data(r), n * sizeof *out->v);
    out->rows = r->r;
    out->cols = r->c;
    return EL_OK;
}

int el_expr_eval(const el_expr *e, el_expr_lookup lookup, void *ctx, el_value *out,
                 el_expr_error *err)
{
    slot local[LOCAL_SLOTS];
    const el_value *local_vals[LOCAL_SLOTS];
    machine m;
    memset(&m, 0, sizeof m);
    m.err = err;
    if (err) {
        err->pos = 0;
        err->msg[0] = '\0';
    }
    if (!e || !out)
        return fail(&m, EL_EUSAGE, 0, "el_expr_eval: NULL expression or output");
    *out = (el_value){ 0, 0, NULL };
    el_gsl_init();
    m.e = e;
    m.st = e->max_stack <= LOCAL_SLOTS ? local : calloc(e->max_stack, sizeof *m.st);
    m.vals = e->nvars <= LOCAL_SLOTS ? local_vals : calloc(e->nvars, sizeof *m.vals);
    int st = EL_OK;
    if (!m.st || !m.vals)
        st = fail(&m, EL_ENOMEM, 0, "out of memory");
    else
        memset(m.st, 0, e->max_stack * sizeof *m.st);
    if (!st)
        st = bind(&m, lookup, ctx);
    if (!st)
        st = run(&m);
    if (!st)
        st = export_result(&m, out);
    for (size_t i = 0; m.st && i < e->max_stack; i++)
        free(m.st[i].buf);
    free(m.tmp.buf);
    if (m.st != local)
        free(m.st);
    if (m.vals != local_vals)
        free((void *)m.vals);
    return st;
}

void el_value_free(el_value *v)
{
    if (!v)
        return;
    free(v->v);
    *v = (el_value){ 0, 0, NULL };
}
