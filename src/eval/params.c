/* params.c -- key=value parameters: numbers, [vectors] and [[matrices]].
 * A tiny hand-written reader: the grammar is three lines and no packaged
 * library parses exactly this syntax.  A number is anything the answer
 * language (expr/el_expr.h) evaluates to a scalar without variables, as the
 * grader accepts it: 1/3, sqrt(2), -1e3, \frac{1}{3}. */
#include "eval/el_eval.h"
#include "core/el_core.h"
#include "expr/el_expr.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;  /* whole value */
    const char *at; /* cursor */
    const char *key;
    double *v;
    size_t n, cap;
} reader;

static void skip_ws(reader *r)
{
    while (isspace((unsigned char)*r->at))
        r->at++;
}

static int push(reader *r, double x)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 8;
        double *v = realloc(r->v, cap * sizeof *v);
        if (!v)
            return EL_ERROR(EL_ENOMEM, "out of memory reading %s", r->key);
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = x;
    return EL_OK;
}

static int expect(reader *r, const char *what)
{
    return EL_ERROR(EL_EFORMAT, "%s: expected %s at position %d of '%s'", r->key, what,
                    (int)(r->at - r->s) + 1, r->s);
}

/* The extent of one element at AT: up to a ',', '[' or ']' outside
 * parentheses and braces. */
static size_t element_len(const char *at)
{
    int depth = 0;
    const char *p = at;
    for (; *p; p++) {
        if (*p == '(' || *p == '{')
            depth++;
        else if ((*p == ')' || *p == '}') && depth > 0)
            depth--;
        else if (depth == 0 && (*p == ',' || *p == '[' || *p == ']'))
            break;
    }
    while (p > at && isspace((unsigned char)p[-1]))
        p--;
    return (size_t)(p - at);
}

/* No variables: every name is unknown. */
static int no_variables(void *ctx, const char *name, const el_value **out)
{
    (void)ctx;
    (void)name;
    (void)out;
    return 1;
}

/* The number TEXT stands for: a C number (strtod, the whole text), else a
 * constant expression of the answer language that evaluates to a scalar.
 * EL_OK, or EL_EFORMAT with the reason in WHY (N characters). */
static int number_of(const char *text, double *x, char *why, size_t n)
{
    char *end;
    *x = strtod(text, &end);
    if (end != text && *end == '\0')
        return EL_OK;
    el_expr_error err = { 0, "" };
    el_expr *e = el_expr_parse(text, &err);
    if (!e) {
        snprintf(why, n, "%s", err.msg);
        return EL_EFORMAT;
    }
    el_value v = { 0, 0, NULL };
    int s = el_expr_nvars(e) ? EL_EFORMAT : el_expr_eval(e, no_variables, NULL, &v, &err);
    if (el_expr_nvars(e))
        snprintf(why, n, "it names %s, which has no value here", el_expr_var(e, 0));
    else if (s != EL_OK)
        snprintf(why, n, "%s", err.msg);
    else if (v.rows * v.cols != 1) {
        snprintf(why, n, "it is a %zux%zu value, not a number", v.rows, v.cols);
        s = EL_EFORMAT;
    } else
        *x = v.v[0];
    el_value_free(&v);
    el_expr_free(e);
    el_error_clear();
    return s == EL_OK ? EL_OK : EL_EFORMAT;
}

static int read_number(reader *r)
{
    skip_ws(r);
    size_t len = element_len(r->at);
    if (len == 0)
        return expect(r, "a number");
    char *text = strndup(r->at, len), why[256] = "";
    if (!text)
        return EL_ERROR(EL_ENOMEM, "out of memory reading %s", r->key);
    double x;
    int s = number_of(text, &x, why, sizeof why);
    if (s != EL_OK)
        s = EL_ERROR(EL_EFORMAT, "%s: '%s' at position %d of '%s' is not a number (%s)", r->key,
                     text, (int)(r->at - r->s) + 1, r->s, why);
    free(text);
    if (s != EL_OK)
        return s;
    r->at += len;
    return push(r, x);
}

/* '[' number (',' number)* ']'; sets *count to the numbers read. */
static int read_list(reader *r, size_t *count)
{
    size_t start = r->n;
    skip_ws(r);
    if (*r->at != '[')
        return expect(r, "'['");
    r->at++;
    for (;;) {
        int s = read_number(r);
        if (s)
            return s;
        skip_ws(r);
        if (*r->at == ']')
            break;
        if (*r->at != ',')
            return expect(r, "',' or ']'");
        r->at++;
    }
    r->at++;
    *count = r->n - start;
    return EL_OK;
}

/* '[' list (',' list)* ']' with rows of equal length. */
static int read_matrix(reader *r, size_t *rows, size_t *cols)
{
    r->at++; /* the outer '[' */
    *rows = 0;
    for (;;) {
        size_t c;
        int s = read_list(r, &c);
        if (s)
            return s;
        if (*rows > 0 && c != *cols)
            return EL_ERROR(EL_EFORMAT, "%s: row %zu has %zu entries, row 1 has %zu", r->key,
                            *rows + 1, c, *cols);
        *cols = c;
        (*rows)++;
        skip_ws(r);
        if (*r->at == ']')
            break;
        if (*r->at != ',')
            return expect(r, "',' or ']'");
        r->at++;
    }
    r->at++;
    return EL_OK;
}

/* Fills P's shape and numbers from its text; TEXT if it is neither. */
static int parse_value(el_param *p)
{
    reader r = { p->text, p->text, p->key, NULL, 0, 0 };
    int s = EL_OK;
    skip_ws(&r);
    if (*r.at == '[') {
        const char *q = r.at + 1;
        while (isspace((unsigned char)*q))
            q++;
        if (*q == '[') {
            p->kind = EL_PARAM_MATRIX;
            s = read_matrix(&r, &p->rows, &p->cols);
        } else {
            p->kind = EL_PARAM_VECTOR;
            p->rows = 1;
            s = read_list(&r, &p->cols);
        }
    } else {
        double x;
        char why[256];
        if (*r.at == '\0' || number_of(r.at, &x, why, sizeof why) != EL_OK) {
            p->kind = EL_PARAM_TEXT; /* a file name, or a word */
            return EL_OK;
        }
        p->kind = EL_PARAM_SCALAR;
        p->rows = p->cols = 1;
        s = push(&r, x);
        r.at += strlen(r.at);
    }
    skip_ws(&r);
    if (s == EL_OK && *r.at != '\0') {
        if (p->kind == EL_PARAM_SCALAR) { /* "3abc" is text, like a file name */
            p->kind = EL_PARAM_TEXT;
            free(r.v);
            return EL_OK;
        }
        s = expect(&r, "the end of the value");
    }
    if (s != EL_OK) {
        free(r.v);
        return s;
    }
    p->v = r.v;
    return EL_OK;
}

static const el_param *find(const el_params *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->p[i].key, key) == 0)
            return &p->p[i];
    return NULL;
}

int el_params_has(const el_params *p, const char *key)
{
    return find(p, key) != NULL;
}

/* Adds one "key=value" argument. */
static int parse_one(el_params *p, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return EL_ERROR(EL_EFORMAT, "expected key=value, got '%s'", arg);
    if (strlen(eq + 1) > EL_PARAM_MAX_LEN)
        return EL_ERROR(EL_ELIMIT, "the value of '%.*s' is longer than %d characters",
                        (int)(eq - arg), arg, EL_PARAM_MAX_LEN);
    if (p->n == EL_PARAMS_MAX)
        return EL_ERROR(EL_ELIMIT, "at most %d parameters", EL_PARAMS_MAX);
    el_param *q = &p->p[p->n];
    memset(q, 0, sizeof *q);
    q->key = strndup(arg, (size_t)(eq - arg));
    q->text = strdup(eq + 1);
    if (!q->key || !q->text) {
        free(q->key);
        free(q->text);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    p->n++;
    if (find(p, q->key) != q)
        return EL_ERROR(EL_EFORMAT, "parameter %s is given twice", q->key);
    return parse_value(q);
}

int el_params_parse(el_params *p, int argc, char *const *argv)
{
    for (int i = 0; i < argc; i++) {
        int s = parse_one(p, argv[i]);
        if (s)
            return s;
    }
    return EL_OK;
}

void el_params_free(el_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->p[i].key);
        free(p->p[i].text);
        free(p->p[i].v);
    }
    p->n = 0;
}

static const el_param *need(const el_params *p, const char *key, int *s)
{
    const el_param *q = find(p, key);
    *s = q ? EL_OK : EL_ERROR(EL_EDOM, "missing parameter %s", key);
    return q;
}

int el_params_scalar(const el_params *p, const char *key, double *out)
{
    int s;
    const el_param *q = need(p, key, &s);
    if (s)
        return s;
    if (q->kind != EL_PARAM_SCALAR)
        return EL_ERROR(EL_EDOM, "%s must be a number, got '%s'", key, q->text);
    *out = q->v[0];
    return EL_OK;
}

int el_params_vector(const el_params *p, const char *key, size_t *n, const double **v)
{
    int s;
    const el_param *q = need(p, key, &s);
    if (s)
        return s;
    if (q->kind == EL_PARAM_TEXT || q->kind == EL_PARAM_MATRIX)
        return EL_ERROR(EL_EDOM, "%s must be a vector like [0,1], got '%s'", key, q->text);
    *n = q->cols;
    *v = q->v;
    return EL_OK;
}

int el_params_square(const el_params *p, const char *key, size_t *d, const double **v)
{
    int s;
    const el_param *q = need(p, key, &s);
    if (s)
        return s;
    if (q->kind == EL_PARAM_SCALAR) { /* a 1x1 matrix may be written as a number */
        *d = 1;
        *v = q->v;
        return EL_OK;
    }
    if (q->kind != EL_PARAM_MATRIX || q->rows != q->cols)
        return EL_ERROR(EL_EDOM, "%s must be a square matrix like [[2,0.3],[0.3,1]], got '%s'", key,
                        q->text);
    *d = q->rows;
    *v = q->v;
    return EL_OK;
}

int el_params_text(const el_params *p, const char *key, const char **text)
{
    int s;
    const el_param *q = need(p, key, &s);
    if (s == EL_OK)
        *text = q->text;
    return s;
}

static json_t *row_json(const double *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

json_t *el_params_json(const el_params *p)
{
    json_t *o = json_object();
    for (size_t i = 0; i < p->n; i++) {
        const el_param *q = &p->p[i];
        json_t *v;
        if (q->kind == EL_PARAM_TEXT)
            v = json_string(q->text);
        else if (q->kind == EL_PARAM_SCALAR)
            v = json_real(q->v[0]);
        else if (q->kind == EL_PARAM_VECTOR)
            v = row_json(q->v, q->cols);
        else {
            v = json_array();
            for (size_t r = 0; r < q->rows; r++)
                json_array_append_new(v, row_json(q->v + r * q->cols, q->cols));
        }
        json_object_set_new(o, q->key, v);
    }
    return o;
}
