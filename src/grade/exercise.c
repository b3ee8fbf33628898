/* exercise.c -- exercises and problem sets as data: reading one
 * exercise file (INI), checking it, and compiling its references.
 *
 * File layout (see exercises/README.md):
 *   top level:        id, title, kind, statement, checked_by, solver, dimensions, points
 *   [variable NAME]   shape, domain | define, aliases, about
 *   [part NAME]       kind, points, reference | solver_output, rel_tol, abs_tol,
 *                     aliases, swap, swap_hint, title; text parts: model, rubric
 *   [option ID]       text, accept, correct, hint       (of the last part)
 *   [mistake ID]      part, answer, hint
 *   [parameter NAME]  default, min, max, digits
 *   [fixed NAME]      VARIABLE = number ...               (a fixed point) */
#include "grade/util.h"
#include "grade/ini.h"
#include "grade/text.h"
#include "grade/point.h"
#include "grade/exercise.h"
#include "grade/derivation.h"
#include "grade/code.h"
#include "core/el_core.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_REL_TOL 1e-6
#define DEFAULT_ABS_TOL 1e-9

typedef struct {
    const char *path;
    int line;
} where;

/* Records "PATH:LINE: message" and returns EL_EFORMAT. */
#define BAD(w, ...) bad_at((w), __VA_ARGS__)
static int bad_at(where w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int bad_at(where w, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return EL_ERROR(EL_EFORMAT, "%s:%d: %s", w.path, w.line, msg);
}

/* ---- small parsers ------------------------------------------------------------ */

/* Splits S at SEP into trimmed, non-empty, malloc'd strings. */
static int split_list(const char *s, char sep, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    while (*s) {
        const char *e = strchr(s, sep);
        size_t len = e ? (size_t)(e - s) : strlen(s);
        const char *a = s;
        while (len && isspace((unsigned char)*a)) {
            a++;
            len--;
        }
        while (len && isspace((unsigned char)a[len - 1]))
            len--;
        if (len) {
            if (grade_grow((void **)out, &cap, *n, sizeof **out))
                return -1;
            if (!((*out)[*n] = grade_strndup(a, len)))
                return -1;
            (*n)++;
        }
        if (!e)
            break;
        s = e + 1;
    }
    return 0;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int parse_double(const char *s, double *out)
{
    char msg[256];
    return grade_number(s, out, msg, sizeof msg);
}

static int parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* "uniform(a, b)", "loguniform(a, b)", "normal(m, s)", "spd(a)", "simplex", "dim". */
static int parse_domain(const char *s, el_grade_variable *v, where w)
{
    static const struct {
        const char *name;
        el_grade_domain d;
        int nargs;
    } doms[] = {
        { "uniform", EL_GRADE_DOM_UNIFORM, 2 }, { "loguniform", EL_GRADE_DOM_LOGUNIFORM, 2 },
        { "normal", EL_GRADE_DOM_NORMAL, 2 },   { "spd", EL_GRADE_DOM_SPD, 1 },
        { "simplex", EL_GRADE_DOM_SIMPLEX, 0 }, { "dim", EL_GRADE_DOM_DIM, 0 },
    };
    for (size_t i = 0; i < sizeof doms / sizeof doms[0]; i++) {
        size_t k = strlen(doms[i].name);
        if (strncmp(s, doms[i].name, k) != 0 || isalpha((unsigned char)s[k]))
            continue;
        v->dom = doms[i].d;
        v->a = 0.0;
        v->b = 1.0;
        if (doms[i].nargs == 0)
            return s[k] ? BAD(w, "domain '%s' takes no arguments", doms[i].name) : 0;
        double a, b = 0.0;
        int got = sscanf(s + k, " ( %lf , %lf )", &a, &b);
        if (got < 1 || (doms[i].nargs == 2 && got < 2))
            return BAD(w, "domain '%s' needs %d number(s): %s(...)", doms[i].name, doms[i].nargs,
                       doms[i].name);
        v->a = a;
        v->b = b;
        if (v->dom == EL_GRADE_DOM_LOGUNIFORM && !(a > 0 && b > a))
            return BAD(w, "loguniform(a, b) needs 0 < a < b");
        if (v->dom == EL_GRADE_DOM_UNIFORM && !(b > a))
            return BAD(w, "uniform(a, b) needs a < b");
        if ((v->dom == EL_GRADE_DOM_NORMAL && !(b > 0)) || (v->dom == EL_GRADE_DOM_SPD && !(a > 0)))
            return BAD(w, "the spread of '%s' must be > 0", doms[i].name);
        return 0;
    }
    return BAD(w,
               "unknown domain '%s' (uniform(a,b), loguniform(a,b), normal(m,s), spd(a), "
               "simplex, dim)",
               s);
}

static int parse_part_kind(const char *s, el_grade_part_kind *k)
{
    static const struct {
        const char *name;
        el_grade_part_kind k;
    } kinds[] = {
        { "expression", EL_GRADE_PART_EXPRESSION },
        { "number", EL_GRADE_PART_NUMBER },
        { "numbers", EL_GRADE_PART_NUMBER },
        { "truefalse", EL_GRADE_PART_TRUEFALSE },
        { "choice", EL_GRADE_PART_CHOICE },
        { "select", EL_GRADE_PART_SELECT },
        { "code", EL_GRADE_PART_CODE },
        { "text", EL_GRADE_PART_TEXT },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(s, kinds[i].name)) {
            *k = kinds[i].k;
            return 0;
        }
    return -1;
}

/* ---- the sections of one file ---------------------------------------------------- */

static int read_top(el_grade_exercise *ex, const ini_section *s, where w)
{
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        w.line = e->line;
        char **field = NULL;
        if (!strcmp(e->key, "id"))
            field = &ex->id;
        else if (!strcmp(e->key, "title"))
            field = &ex->title;
        else if (!strcmp(e->key, "kind"))
            field = &ex->kind;
        else if (!strcmp(e->key, "statement"))
            field = &ex->statement;
        else if (!strcmp(e->key, "checked_by"))
            field = &ex->checked_by;
        else if (!strcmp(e->key, "solver"))
            field = &ex->solver;
        if (field) {
            free(*field);
            if (!(*field = grade_strdup(e->value)))
                return EL_ERROR(EL_ENOMEM, "out of memory");
        } else if (!strcmp(e->key, "dimensions")) {
            char **v;
            size_t n;
            if (split_list(e->value, ',', &v, &n))
                return EL_ERROR(EL_ENOMEM, "out of memory");
            ex->ndims = 0;
            for (size_t j = 0; j < n && j < 8; j++) {
                double d;
                if (parse_double(v[j], &d) || d < 1 || d > 16 || d != floor(d)) {
                    free_list(v, n);
                    return BAD(w, "dimensions: '%s' is not a whole number in 1..16", v[j]);
                }
                ex->dims[ex->ndims++] = (size_t)d;
            }
            free_list(v, n);
        } else {
            int handled, st = grade_deriv_top_key(ex, e, w.path, &handled);
            if (!st && !handled)
                st = grade_code_top_key(ex, e, w.path, &handled);
            if (st)
                return st;
            if (!handled)
                return BAD(w, "unknown key '%s'", e->key);
        }
    }
    return 0;
}

static int read_variable(el_grade_exercise *ex, const char *name, const ini_section *s, where w)
{
    if (grade_grow((void **)&ex->vars, &(size_t){ ex->nvars }, ex->nvars, sizeof *ex->vars))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_variable *v = &ex->vars[ex->nvars++];
    memset(v, 0, sizeof *v);
    v->name = grade_strdup(name);
    v->line = w.line;
    v->dom = EL_GRADE_DOM_UNIFORM;
    v->a = -2.0;
    v->b = 2.0;
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        w.line = e->line;
        int st = 0;
        if (!strcmp(e->key, "shape")) {
            if (!strcmp(e->value, "scalar"))
                v->shape = EL_GRADE_SHAPE_SCALAR;
            else if (!strcmp(e->value, "vector"))
                v->shape = EL_GRADE_SHAPE_VECTOR;
            else if (!strcmp(e->value, "matrix"))
                v->shape = EL_GRADE_SHAPE_MATRIX;
            else
                st = BAD(w, "shape must be scalar, vector or matrix, not '%s'", e->value);
        } else if (!strcmp(e->key, "domain")) {
            st = parse_domain(e->value, v, w);
        } else if (!strcmp(e->key, "aliases")) {
            if (split_list(e->value, ',', &v->aliases, &v->naliases))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        } else if (!strcmp(e->key, "written")) {
            if (split_list(e->value, ';', &v->written, &v->nwritten))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        } else if (!strcmp(e->key, "about")) {
            free(v->about);
            v->about = grade_strdup(e->value);
        } else if (!strcmp(e->key, "define")) {
            free(v->define);
            if (!(v->define = grade_strdup(e->value)))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        } else {
            st = BAD(w, "unknown key '%s' in [variable %s]", e->key, name);
        }
        if (st)
            return st;
    }
    if (v->dom == EL_GRADE_DOM_SPD && v->shape != EL_GRADE_SHAPE_MATRIX)
        return BAD(w, "variable %s: spd is a domain of matrices", name);
    if (v->dom == EL_GRADE_DOM_SIMPLEX && v->shape != EL_GRADE_SHAPE_VECTOR)
        return BAD(w, "variable %s: simplex is a domain of vectors", name);
    if (v->dom == EL_GRADE_DOM_DIM && v->shape != EL_GRADE_SHAPE_SCALAR)
        return BAD(w, "variable %s: dim is a scalar", name);
    return 0;
}

static el_grade_part *new_part(el_grade_exercise *ex, const char *name, el_grade_part_kind kind)
{
    size_t cap = ex->nparts;
    if (grade_grow((void **)&ex->parts, &cap, ex->nparts, sizeof *ex->parts))
        return NULL;
    el_grade_part *p = &ex->parts[ex->nparts++];
    memset(p, 0, sizeof *p);
    p->name = grade_strdup(name);
    p->kind = kind;
    p->points = 1.0;
    p->rel_tol = DEFAULT_REL_TOL;
    p->abs_tol = DEFAULT_ABS_TOL;
    p->penalty = -1.0;
    return p->name ? p : NULL;
}

/* The part kind implied by the exercise's kind. */
static el_grade_part_kind default_kind(const el_grade_exercise *ex)
{
    el_grade_part_kind k = EL_GRADE_PART_EXPRESSION;
    if (ex->kind && parse_part_kind(ex->kind, &k) == 0)
        return k;
    return EL_GRADE_PART_EXPRESSION;
}

static int read_part(el_grade_exercise *ex, const char *name, const ini_section *s, where w)
{
    el_grade_part *p = new_part(ex, name, default_kind(ex));
    if (!p)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    p->line = s->line;
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        w.line = e->line;
        int st = 0;
        char **field = NULL;
        if (!strcmp(e->key, "kind")) {
            if (parse_part_kind(e->value, &p->kind))
                st = BAD(w, "part kind must be expression, number, truefalse, choice, select or "
                            "text");
        } else if (!strcmp(e->key, "points")) {
            if (parse_double(e->value, &p->points) || !(p->points > 0))
                st = BAD(w, "points must be a number > 0");
        } else if (!strcmp(e->key, "rel_tol") || !strcmp(e->key, "abs_tol")) {
            double *t = e->key[0] == 'r' ? &p->rel_tol : &p->abs_tol;
            if (parse_double(e->value, t) || !(*t >= 0))
                st = BAD(w, "%s must be a number >= 0", e->key);
        } else if (!strcmp(e->key, "penalty")) { /* select: points off per wrong option */
            if (parse_double(e->value, &p->penalty) || !(p->penalty >= 0))
                st = BAD(w, "penalty must be a number >= 0");
        } else if (!strcmp(e->key, "min_correct")) { /* select: right options for full marks */
            double m;
            if (parse_double(e->value, &m) || m < 1 || m > 64 || m != floor(m))
                st = BAD(w, "min_correct must be a whole number in 1..64");
            else
                p->min_correct = (size_t)m;
        } else if (!strcmp(e->key, "reference"))
            field = &p->reference;
        else if (!strcmp(e->key, "solver_output"))
            field = &p->solver_out;
        else if (!strcmp(e->key, "swap_hint"))
            field = &p->swap_hint;
        else if (!strcmp(e->key, "title"))
            field = &p->title;
        else if (!strcmp(e->key, "model"))
            field = &p->model;
        else if (!strcmp(e->key, "rubric"))
            field = &p->rubric;
        else if (!strcmp(e->key, "aliases")) {
            if (split_list(e->value, ',', &p->aliases, &p->naliases))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        } else if (!strcmp(e->key, "swap")) {
            if (split_list(e->value, ';', &p->swaps, &p->nswaps))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        } else {
            st = BAD(w, "unknown key '%s' in [part %s]", e->key, name);
        }
        if (field) {
            free(*field);
            if (!(*field = grade_strdup(e->value)))
                st = EL_ERROR(EL_ENOMEM, "out of memory");
        }
        if (st)
            return st;
    }
    return 0;
}

/* The part named NAME, or (NAME NULL) the last one, creating "answer" when
 * the exercise has none yet. */
static el_grade_part *part_for(el_grade_exercise *ex, const char *name, where w, int *st)
{
    *st = 0;
    if (name) {
        for (size_t i = 0; i < ex->nparts; i++)
            if (!strcmp(ex->parts[i].name, name))
                return &ex->parts[i];
        *st = BAD(w, "no [part %s] before this section", name);
        return NULL;
    }
    if (ex->nparts)
        return &ex->parts[ex->nparts - 1];
    el_grade_part *p = new_part(ex, "answer", default_kind(ex));
    if (!p)
        *st = EL_ERROR(EL_ENOMEM, "out of memory");
    return p;
}

static int read_option(el_grade_exercise *ex, const char *id, const ini_section *s, where w)
{
    int st;
    el_grade_part *p = part_for(ex, NULL, w, &st);
    if (!p)
        return st;
    size_t cap = p->noptions;
    if (grade_grow((void **)&p->options, &cap, p->noptions, sizeof *p->options))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_option *o = &p->options[p->noptions++];
    memset(o, 0, sizeof *o);
    o->id = grade_strdup(id);
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        w.line = e->line;
        if (!strcmp(e->key, "text")) {
            free(o->text);
            o->text = grade_strdup(e->value);
        } else if (!strcmp(e->key, "hint")) {
            free(o->hint);
            o->hint = grade_strdup(e->value);
        } else if (!strcmp(e->key, "correct")) {
            if (parse_bool(e->value, &o->correct))
                return BAD(w, "correct must be yes or no");
        } else if (!strcmp(e->key, "hidden")) {
            if (parse_bool(e->value, &o->hidden))
                return BAD(w, "hidden must be yes or no");
        } else if (!strcmp(e->key, "accept")) {
            if (split_list(e->value, ';', &o->accept, &o->naccept))
                return EL_ERROR(EL_ENOMEM, "out of memory");
        } else {
            return BAD(w, "unknown key '%s' in [option %s]", e->key, id);
        }
    }
    if (!o->text)
        return BAD(w, "[option %s] needs a text", id);
    if (!o->hidden && p->noptions > 1 && p->options[p->noptions - 2].hidden)
        return BAD(w, "[option %s] follows a hidden option: hidden options come last", id);
    if (!(o->norm = calloc(o->naccept + 1, sizeof *o->norm)))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t j = 0; j <= o->naccept; j++) {
        o->norm[j] = grade_norm_choice(j == 0 ? o->text : o->accept[j - 1]);
        if (!o->norm[j])
            return EL_ERROR(EL_ENOMEM, "out of memory");
        if (!*o->norm[j])
            return BAD(w, "[option %s]: a spelling is empty once normalised", id);
    }
    return 0;
}

static int read_mistake(el_grade_exercise *ex, const char *id, const ini_section *s, where w)
{
    const char *pname = NULL, *answer = NULL, *hint = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        w.line = e->line;
        if (!strcmp(e->key, "part"))
            pname = e->value;
        else if (!strcmp(e->key, "answer"))
            answer = e->value;
        else if (!strcmp(e->key, "hint"))
            hint = e->value;
        else
            return BAD(w, "unknown key '%s' in [mistake %s]", e->key, id);
    }
    w.line = s->line;
    if (!answer || !hint)
        return BAD(w, "[mistake %s] needs an answer and a hint", id);
    int st;
    el_grade_part *p = part_for(ex, pname, w, &st);
    if (!p)
        return st;
    size_t cap = p->nmistakes;
    if (grade_grow((void **)&p->mistakes, &cap, p->nmistakes, sizeof *p->mistakes))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_mistake *m = &p->mistakes[p->nmistakes++];
    memset(m, 0, sizeof *m);
    m->id = grade_strdup(id);
    m->answer = grade_strdup(answer);
    m->hint = grade_strdup(hint);
    m->value = NAN;
    m->line = s->line;
    return (m->id && m->answer && m->hint) ? 0 : EL_ERROR(EL_ENOMEM, "out of memory");
}

static int read_parameter(el_grade_exercise *ex, const char *name, const ini_section *s, where w)
{
    size_t cap = ex->nparams;
    if (grade_grow((void **)&ex->params, &cap, ex->nparams, sizeof *ex->params))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_param *p = &ex->params[ex->nparams++];
    *p = (el_grade_param){ grade_strdup(name), NAN, NAN, NAN, 2 };
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        w.line = e->line;
        double x;
        if (parse_double(e->value, &x))
            return BAD(w, "'%s' must be a number", e->key);
        if (!strcmp(e->key, "default"))
            p->def = x;
        else if (!strcmp(e->key, "min"))
            p->lo = x;
        else if (!strcmp(e->key, "max"))
            p->hi = x;
        else if (!strcmp(e->key, "digits") && x >= 0 && x <= 8)
            p->digits = (int)x;
        else
            return BAD(w, "unknown key '%s' in [parameter %s]", e->key, name);
    }
    if (isnan(p->def))
        return BAD(w, "[parameter %s] needs a default", name);
    if (isnan(p->lo))
        p->lo = p->def;
    if (isnan(p->hi))
        p->hi = p->def;
    if (!(p->lo <= p->def && p->def <= p->hi))
        return BAD(w, "[parameter %s]: min <= default <= max is required", name);
    return 0;
}

static long var_index(const el_grade_exercise *ex, const char *name)
{
    for (size_t i = 0; i < ex->nvars; i++)
        if (!strcmp(ex->vars[i].name, name))
            return (long)i;
    return -1;
}

static int read_fixed(el_grade_exercise *ex, const char *name, const ini_section *s, where w)
{
    size_t cap = ex->nfixed;
    if (grade_grow((void **)&ex->fixed, &cap, ex->nfixed, sizeof *ex->fixed))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_fixed_point *f = &ex->fixed[ex->nfixed++];
    *f = (el_grade_fixed_point){ grade_strdup(name), ex->nvars,
                                 malloc(ex->nvars * sizeof(double) + 1) };
    if (!f->name || !f->values)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < ex->nvars; i++)
        f->values[i] = NAN;
    for (size_t i = 0; i < s->n; i++) {
        w.line = s->e[i].line;
        long k = var_index(ex, s->e[i].key);
        if (k < 0 || ex->vars[k].shape != EL_GRADE_SHAPE_SCALAR)
            return BAD(w, "[fixed %s]: '%s' is not a scalar variable declared above", name,
                       s->e[i].key);
        if (parse_double(s->e[i].value, &f->values[k]))
            return BAD(w, "[fixed %s]: '%s' is not a number", name, s->e[i].value);
    }
    return 0;
}

/* Dispatches a section "[WORD NAME]" to its reader. */
static int read_section(el_grade_exercise *ex, const ini_section *s, where w)
{
    w.line = s->line;
    const char *sp = strchr(s->name, ' ');
    if (!sp || !sp[1])
        return BAD(w, "a section is [variable NAME], [part NAME], [option ID], [mistake ID], "
                      "[parameter NAME] or [fixed NAME]");
    size_t k = (size_t)(sp - s->name);
    const char *name = sp + 1;
    while (*name == ' ')
        name++;
    char word[16];
    snprintf(word, sizeof word, "%.*s", (int)(k < 15 ? k : 15), s->name);
    int handled, st = grade_deriv_section(ex, word, name, s, w.path, &handled);
    if (st || handled)
        return st;
    if (!strncmp(s->name, "variable", k) && k == 8)
        return read_variable(ex, name, s, w);
    if (!strncmp(s->name, "part", k) && k == 4)
        return read_part(ex, name, s, w);
    if (!strncmp(s->name, "option", k) && k == 6)
        return read_option(ex, name, s, w);
    if (!strncmp(s->name, "mistake", k) && k == 7)
        return read_mistake(ex, name, s, w);
    if (!strncmp(s->name, "parameter", k) && k == 9)
        return read_parameter(ex, name, s, w);
    if (!strncmp(s->name, "fixed", k) && k == 5)
        return read_fixed(ex, name, s, w);
    return BAD(w, "unknown section [%s]", s->name);
}

/* ---- checking and compiling ------------------------------------------------------ */

/* Parses TEXT; every variable must be one of EX's (or, when PARAMS, one of
 * its parameters). */
static int compile(const el_grade_exercise *ex, const char *text, int params, void **out, where w)
{
    el_expr_error err;
    el_expr *e = el_expr_parse(text, &err);
    if (!e)
        return BAD(w, "cannot parse '%s': %s (at character %zu)", text, err.msg, err.pos);
    for (size_t i = 0; i < el_expr_nvars(e); i++) {
        const char *v = el_expr_var(e, i);
        int ok = 0;
        if (params) {
            for (size_t j = 0; j < ex->nparams; j++)
                ok |= !strcmp(ex->params[j].name, v);
        } else {
            ok = grade_resolve(ex, v) >= 0;
        }
        if (!ok) {
            int st = BAD(w, "'%s' uses '%s', which is not declared", text, v);
            el_expr_free(e);
            return st;
        }
    }
    *out = e;
    return 0;
}

static int check_options(const el_grade_part *p, where w)
{
    int ncorrect = 0;
    for (size_t i = 0; i < p->noptions; i++)
        ncorrect += p->options[i].correct;
    if (p->noptions < 2)
        return BAD(w, "part %s: a choice needs at least two [option]s", p->name);
    if (p->kind == EL_GRADE_PART_CHOICE && ncorrect != 1)
        return BAD(w, "part %s: a choice needs exactly one correct option", p->name);
    if (p->kind == EL_GRADE_PART_SELECT && ncorrect < 1)
        return BAD(w, "part %s: a multiple selection needs a correct option", p->name);
    return 0;
}

static int check_part(el_grade_exercise *ex, el_grade_part *p, where w)
{
    int st = 0;
    w.line = p->line ? p->line : w.line;
    switch (p->kind) {
    case EL_GRADE_PART_DERIVATION: return 0; /* checked by its own chain (derivation.c) */
    case EL_GRADE_PART_CODE: return 0;       /* checked with its exercise (code.c) */
    case EL_GRADE_PART_EXPRESSION:
        if (!p->reference)
            return BAD(w, "part %s needs a reference", p->name);
        if (ex->context) /* in a context's language: E, KL, densities (derivation.c) */
            return 0;
        st = compile(ex, p->reference, 0, &p->compiled, w);
        for (size_t i = 0; !st && i < p->nmistakes; i++) {
            where wm = { w.path, p->mistakes[i].line };
            st = compile(ex, p->mistakes[i].answer, 0, &p->mistakes[i].compiled, wm);
        }
        for (size_t i = 0; !st && i < p->nswaps; i++) {
            char a[64], b[64];
            if (sscanf(p->swaps[i], "%63s %63s", a, b) != 2 || var_index(ex, a) < 0 ||
                var_index(ex, b) < 0)
                st = BAD(w, "part %s: swap '%s' must name two variables", p->name, p->swaps[i]);
        }
        return st;
    case EL_GRADE_PART_NUMBER:
        if (!p->reference == !p->solver_out)
            return BAD(w, "part %s needs a reference or a solver_output (one of them)", p->name);
        if (p->solver_out && !(ex->solver && el_grade_solver_find(ex->solver)))
            return BAD(w, "part %s: solver '%s' is not known", p->name,
                       ex->solver ? ex->solver : "");
        if (p->reference)
            st = compile(ex, p->reference, 1, &p->compiled, w);
        for (size_t i = 0; !st && i < p->nmistakes; i++) {
            where wm = { w.path, p->mistakes[i].line };
            st = compile(ex, p->mistakes[i].answer, 1, &p->mistakes[i].compiled, wm);
        }
        return st;
    case EL_GRADE_PART_TRUEFALSE:
        if (!p->reference || parse_bool(p->reference, &p->truth))
            return BAD(w, "part %s: the reference of a true/false part is true or false", p->name);
        return 0;
    case EL_GRADE_PART_CHOICE:
    case EL_GRADE_PART_SELECT: return check_options(p, w);
    case EL_GRADE_PART_TEXT: /* read by the instructor: a model answer, no key */
        if (p->nmistakes || p->noptions || p->reference)
            return BAD(w,
                       "part %s: a text part has a model answer (model, rubric), no "
                       "reference, options or mistakes",
                       p->name);
        if (!p->model)
            return BAD(w,
                       "part %s: a text part names its model answer (model = NOTE, the "
                       "file notes/NOTE.md)",
                       p->name);
        return 0;
    }
    return 0;
}

static int check_exercise(el_grade_exercise *ex, where w)
{
    w.line = 1;
    if (!ex->id || !ex->title || !ex->statement || !ex->kind)
        return BAD(w, "an exercise needs id, title, kind and statement");
    static const char *const kinds[] = { "expression", "numbers", "choice",     "select",
                                         "truefalse",  "multi",   "derivation", "code",
                                         "text",       NULL };
    int known = 0;
    for (size_t i = 0; kinds[i]; i++)
        known |= !strcmp(ex->kind, kinds[i]);
    if (!known)
        return BAD(w, "kind must be expression, numbers, choice, select, truefalse, multi, "
                      "derivation, code or text");
    int st0 = grade_deriv_prepare(ex, w.path);
    if (!st0)
        st0 = grade_code_prepare(ex, w.path);
    if (st0)
        return st0;
    /* a derivation is proved by its own reference chain; the others by a check */
    if (!ex->checked_by && strcmp(ex->kind, "derivation") != 0)
        return BAD(w, "an exercise names the catalogue result that proves it (checked_by)");
    if (ex->nparts == 0)
        return BAD(w, "an exercise needs at least one [part] (or [option]s)");
    if (ex->ndims == 0) {
        ex->ndims = 1;
        ex->dims[0] = 3;
    }
    if (ex->nvars > 16 || ex->nparams > 16)
        return BAD(w, "at most 16 variables and 16 parameters");
    for (size_t i = 0; i < ex->nvars; i++) {
        el_grade_variable *v = &ex->vars[i];
        if (!v->define)
            continue;
        w.line = v->line;
        int st = compile(ex, v->define, 0, &v->compiled, w);
        for (size_t k = 0; !st && k < el_expr_nvars(v->compiled); k++)
            if (ex->vars[grade_resolve(ex, el_expr_var(v->compiled, k))].define)
                st = BAD(w, "variable %s: a definition may use drawn variables only", v->name);
        if (st)
            return st;
    }
    ex->points = 0.0;
    for (size_t i = 0; i < ex->nparts; i++) {
        int st = check_part(ex, &ex->parts[i], w);
        if (st)
            return st;
        ex->points += ex->parts[i].points;
    }
    return 0;
}

/* ---- one file ---------------------------------------------------------------------- */

void grade_exercise_free(el_grade_exercise *ex)
{
    if (!ex)
        return;
    free(ex->id);
    free(ex->title);
    free(ex->kind);
    free(ex->statement);
    free(ex->checked_by);
    free(ex->solver);
    free(ex->path);
    for (size_t i = 0; i < ex->nvars; i++) {
        free(ex->vars[i].name);
        free(ex->vars[i].about);
        free(ex->vars[i].define);
        el_expr_free(ex->vars[i].compiled);
        free_list(ex->vars[i].aliases, ex->vars[i].naliases);
        free_list(ex->vars[i].written, ex->vars[i].nwritten);
    }
    free(ex->vars);
    for (size_t i = 0; i < ex->nparts; i++) {
        el_grade_part *p = &ex->parts[i];
        free(p->name);
        free(p->title);
        free(p->reference);
        free(p->solver_out);
        free(p->swap_hint);
        free(p->model);
        free(p->rubric);
        el_expr_free(p->compiled);
        free_list(p->aliases, p->naliases);
        free_list(p->swaps, p->nswaps);
        for (size_t j = 0; j < p->noptions; j++) {
            el_grade_option *o = &p->options[j];
            free(o->id);
            free(o->text);
            free(o->hint);
            for (size_t k = 0; o->norm && k <= o->naccept; k++)
                free(o->norm[k]);
            free(o->norm);
            free_list(o->accept, o->naccept);
        }
        free(p->options);
        for (size_t j = 0; j < p->nmistakes; j++) {
            free(p->mistakes[j].id);
            free(p->mistakes[j].answer);
            free(p->mistakes[j].hint);
            el_expr_free(p->mistakes[j].compiled);
        }
        free(p->mistakes);
    }
    free(ex->parts);
    for (size_t i = 0; i < ex->nparams; i++)
        free(ex->params[i].name);
    free(ex->params);
    for (size_t i = 0; i < ex->nfixed; i++) {
        free(ex->fixed[i].name);
        free(ex->fixed[i].values);
    }
    free(ex->fixed);
    grade_deriv_free(ex);
    grade_code_free(ex);
    free(ex);
}

el_grade_exercise *grade_exercise_parse(const char *text, size_t len, const char *path, int *status)
{
    ini_file f;
    *status = ini_parse(text, len, &f);
    if (*status)
        return NULL;
    where w = { path, 1 };
    el_grade_exercise *ex = calloc(1, sizeof *ex);
    if (!ex) {
        ini_free(&f);
        *status = EL_ERROR(EL_ENOMEM, "out of memory");
        return NULL;
    }
    int st = (ex->path = grade_strdup(path)) ? 0 : EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < f.notes.n; i++)
        if (f.notes.v[i].error) {
            w.line = f.notes.v[i].line;
            st = BAD(w, "%s", f.notes.v[i].text);
        }
    for (size_t i = 0; !st && i < f.n; i++) /* an exercise's text is never a remark */
        for (size_t j = 0; !st && j < f.s[i].n; j++)
            if (f.s[i].e[j].remark) {
                w.line = f.s[i].e[j].remark_line;
                st = BAD(w, "indent the lines that continue '%s' (line %d)", f.s[i].e[j].key,
                         f.s[i].e[j].line);
            }
    if (!st)
        st = read_top(ex, &f.s[0], w);
    for (size_t i = 1; !st && i < f.n; i++)
        st = read_section(ex, &f.s[i], w);
    if (!st)
        st = check_exercise(ex, w);
    ini_free(&f);
    if (st) {
        grade_exercise_free(ex);
        *status = st;
        return NULL;
    }
    return ex;
}
