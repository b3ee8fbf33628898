/* derivation.c -- exercises of kind `derivation` (a chain from a start to a
 * goal, checked step by step by src/derive) and expression exercises that
 * name a context (a final answer such as E_q[log p(x|z)] - KL(q || p(z)),
 * compared with the reference in that context).
 *
 * File format (exercises/README.md): top-level `context`, `start`, `goal`,
 * `relation`, `min_steps`, `reference`, `partial = none`, `points`;
 * sections [milestone NAME] form; [alternative NAME] start, goal, relation;
 * [mistake NAME] steps, step, diagnosis, hint; [variable NAME] value,
 * domain, aliases; [quantity NAME] value, aliases; [distribution SIG]
 * density (the last three change the context for this exercise). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/el_derive.h"
#include "grade/derivation.h"
#include "grade/text.h"
#include "grade/util.h"

typedef struct {
    char *name, *value, *domain, *aliases;
    int kind; /* 0 variable, 1 quantity, 2 distribution */
} override;

typedef struct {
    char *name, *start, *goal;
    el_relation rel;
} alternative;

typedef struct {
    char *id, *steps, *hint, *diagnosis;
    long step;
} dmistake;

typedef struct {
    char *start, *goal, *reference;
    el_relation relation;
    size_t min_steps;
    int no_partial, same_form, gauss_sd;
    size_t nov, nms, nalt, nmk;
    override *ov;
    char **ms; /* milestone forms */
    alternative *alt;
    dmistake *mk;
    el_context *ctx; /* loaded with the overrides applied */
} grade_deriv;

static grade_deriv *spec(el_grade_exercise *ex)
{
    if (!ex->deriv)
        ex->deriv = calloc(1, sizeof(grade_deriv));
    return ex->deriv;
}

static int bad(const char *path, int line, const char *what, const char *arg)
{
    return EL_ERROR(EL_EFORMAT, "%s:%d: %s%s", path, line, what, arg ? arg : "");
}

static int set_str(char **field, const char *value)
{
    free(*field);
    *field = grade_strdup(value);
    return *field ? 0 : EL_ERROR(EL_ENOMEM, "out of memory");
}

static int parse_relation(const char *s, el_relation *r)
{
    static const struct {
        const char *text;
        el_relation rel;
    } rels[] = { { "=", EL_REL_EQ },     { ">=", EL_REL_GE },    { "<=", EL_REL_LE },
                 { "\\geq", EL_REL_GE }, { "\\leq", EL_REL_LE }, { "ge", EL_REL_GE },
                 { "le", EL_REL_LE },    { "eq", EL_REL_EQ } };
    for (size_t i = 0; i < sizeof rels / sizeof rels[0]; i++)
        if (!strcmp(s, rels[i].text)) {
            *r = rels[i].rel;
            return 0;
        }
    return -1;
}

/* ---- reading ------------------------------------------------------------------ */

int grade_deriv_top_key(el_grade_exercise *ex, const ini_entry *e, const char *path, int *handled)
{
    static const char *const keys[] = { "context",   "start",   "goal",   "relation", "min_steps",
                                        "reference", "partial", "points", "form",     NULL };
    *handled = 0;
    for (size_t i = 0; keys[i] && !*handled; i++)
        *handled = !strcmp(e->key, keys[i]);
    if (!*handled)
        return 0;
    grade_deriv *d = spec(ex);
    if (!d)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    const char *k = e->key, *v = e->value;
    if (!strcmp(k, "context"))
        return set_str(&ex->context, v);
    if (!strcmp(k, "start"))
        return set_str(&d->start, v);
    if (!strcmp(k, "goal"))
        return set_str(&d->goal, v);
    if (!strcmp(k, "reference"))
        return set_str(&d->reference, v);
    if (!strcmp(k, "relation"))
        return parse_relation(v, &d->relation) ? bad(path, e->line, "relation is =, >= or <=", NULL)
                                               : 0;
    if (!strcmp(k, "partial")) {
        d->no_partial = !strcmp(v, "none") || !strcmp(v, "no");
        return 0;
    }
    if (!strcmp(k, "form")) {
        d->same_form = !strcmp(v, "same");
        return 0;
    }
    if (!strcmp(k, "gaussian")) { /* N(z; mu, sigma): sigma is the standard deviation */
        d->gauss_sd = !strcmp(v, "sd");
        return 0;
    }
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || x < 0 || x > 1000)
        return bad(path, e->line, "expected a number, got ", v);
    if (!strcmp(k, "min_steps"))
        d->min_steps = (size_t)x;
    else
        ex->points = x;
    return 0;
}

static int add_override(grade_deriv *d, int kind, const char *name, const ini_section *s,
                        const char *path)
{
    override o = { grade_strdup(name), NULL, NULL, NULL, kind };
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        char **f =
            !strcmp(e->key, "value") || !strcmp(e->key, "define") || !strcmp(e->key, "density")
                ? &o.value
            : !strcmp(e->key, "domain")  ? &o.domain
            : !strcmp(e->key, "aliases") ? &o.aliases
                                         : NULL;
        if (!f) {
            free(o.name), free(o.value), free(o.domain), free(o.aliases);
            return bad(path, e->line, "unknown key in an override: ", e->key);
        }
        if (set_str(f, e->value))
            return EL_ENOMEM;
    }
    size_t cap = d->nov;
    if (grade_grow((void **)&d->ov, &cap, d->nov, sizeof *d->ov))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    d->ov[d->nov++] = o;
    return 0;
}

static int add_mistake(grade_deriv *d, const char *id, const ini_section *s, const char *path)
{
    dmistake m = { grade_strdup(id), NULL, NULL, NULL, 0 };
    for (size_t i = 0; i < s->n; i++) {
        const ini_entry *e = &s->e[i];
        if (!strcmp(e->key, "steps") || !strcmp(e->key, "answer"))
            set_str(&m.steps, e->value);
        else if (!strcmp(e->key, "hint"))
            set_str(&m.hint, e->value);
        else if (!strcmp(e->key, "diagnosis"))
            set_str(&m.diagnosis, e->value);
        else if (!strcmp(e->key, "step"))
            m.step = strtol(e->value, NULL, 10);
        else
            return bad(path, e->line, "unknown key in a derivation's [mistake]: ", e->key);
    }
    if (!m.steps || !m.hint || m.step < 1)
        return bad(path, s->line, "a derivation's [mistake] needs steps, step (>= 1) and a hint",
                   NULL);
    size_t cap = d->nmk;
    if (grade_grow((void **)&d->mk, &cap, d->nmk, sizeof *d->mk))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    d->mk[d->nmk++] = m;
    return 0;
}

static const char *value_of(const ini_section *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->e[i].key, key))
            return s->e[i].value;
    return NULL;
}

int grade_deriv_section(el_grade_exercise *ex, const char *word, const char *name,
                        const ini_section *s, const char *path, int *handled)
{
    int derivation = ex->kind && !strcmp(ex->kind, "derivation");
    *handled = 1;
    grade_deriv *d = spec(ex);
    if (!d)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    if (!strcmp(word, "milestone")) {
        const char *f = value_of(s, "form");
        if (!f)
            return bad(path, s->line, "a [milestone] needs a form", NULL);
        size_t cap = d->nms;
        if (grade_grow((void **)&d->ms, &cap, d->nms, sizeof *d->ms))
            return EL_ERROR(EL_ENOMEM, "out of memory");
        return (d->ms[d->nms++] = grade_strdup(f)) ? 0 : EL_ERROR(EL_ENOMEM, "out of memory");
    }
    if (!strcmp(word, "alternative")) {
        alternative a = { grade_strdup(name), NULL, NULL, EL_REL_EQ };
        const char *r = value_of(s, "relation");
        set_str(&a.start, value_of(s, "start") ? value_of(s, "start") : "");
        set_str(&a.goal, value_of(s, "goal") ? value_of(s, "goal") : "");
        if (!a.start[0] || !a.goal[0] || (r && parse_relation(r, &a.rel)))
            return bad(path, s->line, "an [alternative] needs start, goal and relation", NULL);
        size_t cap = d->nalt;
        if (grade_grow((void **)&d->alt, &cap, d->nalt, sizeof *d->alt))
            return EL_ERROR(EL_ENOMEM, "out of memory");
        d->alt[d->nalt++] = a;
        return 0;
    }
    if (!strcmp(word, "quantity"))
        return add_override(d, 1, name, s, path);
    if (!strcmp(word, "distribution"))
        return add_override(d, 2, name, s, path);
    if (derivation && !strcmp(word, "variable"))
        return add_override(d, 0, name, s, path);
    if (derivation && !strcmp(word, "mistake"))
        return add_mistake(d, name, s, path);
    *handled = 0;
    return 0;
}

/* ---- preparing ---------------------------------------------------------------- */

static int apply_overrides(el_context *c, const grade_deriv *d, const char *path)
{
    for (size_t i = 0; i < d->nov; i++) {
        const override *o = &d->ov[i];
        int st;
        if (o->kind == 0)
            st = el_context_set_param(c, o->name, o->domain, o->value, o->aliases);
        else if (o->kind == 1)
            st = el_context_set_quantity(c, o->name, o->value ? o->value : "", o->aliases);
        else {
            char row[1200];
            snprintf(row, sizeof row, "%s = %s", o->name, o->value ? o->value : "");
            st = el_context_let(c, row, NULL);
        }
        if (st)
            return EL_ERROR(EL_EFORMAT, "%s: [%s %s]: %s", path,
                            o->kind == 0   ? "variable"
                            : o->kind == 1 ? "quantity"
                                           : "distribution",
                            o->name, el_errmsg());
    }
    return 0;
}

/* The folder of PATH (the exercises folder, where contexts/ is looked up). */
static void folder_of(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(out, cap, ".");
}

static int add_answer_part(el_grade_exercise *ex, const char *reference)
{
    ex->parts = calloc(1, sizeof *ex->parts);
    if (!ex->parts)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    ex->nparts = 1;
    el_grade_part *p = &ex->parts[0];
    p->name = grade_strdup("answer");
    p->reference = grade_strdup(reference); /* the key, as a student would write it */
    p->kind = EL_GRADE_PART_DERIVATION;
    p->points = ex->points > 0 ? ex->points : 1;
    static const char *const aliases[] = { "steps", "derivation", "proof" };
    p->aliases = calloc(3, sizeof *p->aliases);
    for (size_t i = 0; p->aliases && i < 3; i++)
        p->aliases[i] = grade_strdup(aliases[i]);
    p->naliases = p->aliases ? 3 : 0;
    return p->name ? 0 : EL_ERROR(EL_ENOMEM, "out of memory");
}

int grade_deriv_prepare(el_grade_exercise *ex, const char *path)
{
    grade_deriv *d = ex->deriv;
    int derivation = !strcmp(ex->kind, "derivation");
    if (!ex->context) {
        if (derivation)
            return bad(path, 1, "a derivation exercise names its context", NULL);
        return d && (d->nov || d->nms || d->nalt)
                   ? bad(path, 1, "overrides and milestones need a context", NULL)
                   : 0;
    }
    if (!d && !(d = spec(ex)))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    if (derivation && (!d->start || !d->goal || !d->reference))
        return bad(path, 1, "a derivation exercise needs start, goal and reference", NULL);
    if (derivation && d->min_steps < 1)
        d->min_steps = 1;
    char dir[1024];
    folder_of(path, dir, sizeof dir);
    const char *dirs[1] = { dir };
    d->ctx = el_context_load(ex->context, dirs, 1);
    if (!d->ctx)
        return EL_ERROR(EL_EFORMAT, "%s: %s", path, el_errmsg());
    int st = apply_overrides(d->ctx, d, path);
    if (!st && d->gauss_sd)
        st = el_context_let(d->ctx, "gaussian = sd", NULL);
    if (!st && derivation && ex->nparts == 0)
        st = add_answer_part(ex, d->reference);
    return st;
}

void grade_deriv_free(el_grade_exercise *ex)
{
    grade_deriv *d = ex->deriv;
    free(ex->context);
    if (!d)
        return;
    free(d->start), free(d->goal), free(d->reference);
    for (size_t i = 0; i < d->nov; i++)
        free(d->ov[i].name), free(d->ov[i].value), free(d->ov[i].domain), free(d->ov[i].aliases);
    for (size_t i = 0; i < d->nms; i++)
        free(d->ms[i]);
    for (size_t i = 0; i < d->nalt; i++)
        free(d->alt[i].name), free(d->alt[i].start), free(d->alt[i].goal);
    for (size_t i = 0; i < d->nmk; i++)
        free(d->mk[i].id), free(d->mk[i].steps), free(d->mk[i].hint), free(d->mk[i].diagnosis);
    free(d->ov), free(d->ms), free(d->alt), free(d->mk);
    el_context_free(d->ctx);
    free(d);
}

/* ---- grading -------------------------------------------------------------------- */

static el_derive_exercise exercise_of(const grade_deriv *d, const char **as, const char **ag,
                                      el_relation *ar)
{
    for (size_t i = 0; i < d->nalt && i < 8; i++) {
        as[i] = d->alt[i].start;
        ag[i] = d->alt[i].goal;
        ar[i] = d->alt[i].rel;
    }
    el_derive_exercise e = {
        d->start,     d->goal, d->relation, d->min_steps, (const char *const *)d->ms,
        d->nms,       as,      ag,          ar,           d->nalt < 8 ? d->nalt : 8,
        d->no_partial
    };
    return e;
}

/* Strips a ``` fence around an answer. */
static char *unfence(const char *text)
{
    const char *s = text;
    while (*s == ' ' || *s == '\n')
        s++;
    if (strncmp(s, "```", 3) != 0)
        return grade_strdup(text);
    s = strchr(s, '\n');
    char *out = grade_strdup(s ? s + 1 : "");
    char *close = out ? strstr(out, "```") : NULL;
    if (close)
        *close = '\0';
    return out;
}

/* The first failing step of the best chain, in one or two sentences. */
static void describe(const el_derive_report *rep, long best, gbuf *b)
{
    if (best < 0 || (size_t)best >= rep->n)
        return;
    const el_derivation *d = &rep->d[best];
    for (size_t k = 1; k < d->nlines; k++) {
        const el_derive_step *s = &d->steps[k];
        if (s->status == EL_STEP_VALID)
            continue;
        const char *what = s->status == EL_STEP_INVALID ? "does not hold"
                           : s->status == EL_STEP_ERROR ? "cannot be checked"
                                                        : "is not checkable here";
        gbuf_printf(b, "Step %zu (%s %s %s) %s", k,
                    d->lines[k - 1].read_as ? d->lines[k - 1].read_as : d->lines[k - 1].source,
                    el_relation_name(s->relation) ? el_relation_name(s->relation) : "?",
                    d->lines[k].read_as ? d->lines[k].read_as : d->lines[k].source, what);
        if (s->diagnosis[0])
            gbuf_printf(b, " [%s]", s->diagnosis);
        if (s->message)
            gbuf_printf(b, ": %s", s->message);
        gbuf_puts(b, ". ");
        if (s->status != EL_STEP_UNKNOWN)
            return;
    }
}

/* The hint of the exercise's declared mistake whose failing step is the
 * student's first invalid step (the same two sides, in value), or NULL. */
static const char *mistake_hint(const grade_deriv *g, const el_derivation *d)
{
    if (!d->first_invalid)
        return NULL;
    const char *diag = d->steps[d->first_invalid].diagnosis;
    for (size_t i = 0; i < g->nmk; i++) {
        /* a declared mistake with another diagnosis cannot be this step: skip the sums */
        if (g->mk[i].diagnosis && strcmp(g->mk[i].diagnosis, diag) != 0)
            continue;
        if (el_derive_same_step(d, (size_t)d->first_invalid, g->mk[i].steps, g->mk[i].step))
            return g->mk[i].hint;
    }
    return NULL;
}

void grade_derivation(const el_grade_exercise *ex, const el_grade_part *part, const char *text,
                      const char *student, el_grade_part_result *res)
{
    const grade_deriv *g = ex->deriv;
    char label[300];
    snprintf(label, sizeof label, "%s|%s", ex->id, student ? student : "");
    el_derive_opts o = { .seed = EL_GRADE_SEED, .label = label, .exercise = 1 };
    const char *as[8], *ag[8];
    el_relation ar[8];
    el_derive_exercise de = exercise_of(g, as, ag, ar);
    char *answer = unfence(text);
    el_derive_report rep;
    el_derive_grade gr;
    int st = answer ? el_derive_grade_answer(&de, g->ctx, answer, &o, &rep, &gr) : EL_ENOMEM;
    free(answer);
    if (st) {
        res->status = EL_GRADE_UNREADABLE;
        res->feedback = grade_strdup(el_errmsg());
        return;
    }
    res->score = gr.fraction * part->points;
    res->status = gr.fraction >= 1  ? EL_GRADE_CORRECT
                  : gr.fraction > 0 ? EL_GRADE_PARTIAL
                  : rep.n == 0      ? EL_GRADE_UNREADABLE
                                    : EL_GRADE_WRONG;
    if (gr.fraction < 1) {
        gbuf b = { 0 };
        describe(&rep, gr.best, &b);
        const char *hint = gr.best >= 0 ? mistake_hint(g, &rep.d[gr.best]) : NULL;
        if (hint)
            gbuf_printf(&b, "%s ", hint);
        gbuf_puts(&b, gr.feedback);
        res->feedback = gbuf_take(&b);
    }
    el_derive_report_free(&rep);
}

void grade_context_expression(const el_grade_exercise *ex, const el_grade_part *part,
                              const char *text, const char *student, el_grade_part_result *res)
{
    const grade_deriv *g = ex->deriv;
    char label[300], why[600];
    snprintf(label, sizeof label, "%s|%s|%s", ex->id, part->name, student ? student : "");
    el_derive_opts o = { .seed = EL_GRADE_SEED, .label = label, .exercise = 1 };
    char *bare = grade_strip_math(text); /* $...$, \(...\) as pasted from LaTeX */
    if (bare)
        text = bare;
    int r = el_derive_compare(g->ctx, &o, text, part->reference, g->same_form, why, sizeof why);
    if (r == 1) {
        res->score = part->points;
        res->status = EL_GRADE_CORRECT;
        free(bare);
        return;
    }
    res->status = r == 0 ? EL_GRADE_WRONG : EL_GRADE_UNREADABLE;
    gbuf b = { 0 };
    for (size_t i = 0; r == 0 && i < part->nmistakes; i++) {
        char w2[64];
        if (el_derive_compare(g->ctx, &o, text, part->mistakes[i].answer, 0, w2, sizeof w2) == 1) {
            gbuf_puts(&b, part->mistakes[i].hint);
            res->feedback = gbuf_take(&b);
            free(bare);
            return;
        }
    }
    gbuf_puts(&b, r == -2 ? el_errmsg() : why);
    res->feedback = gbuf_take(&b);
    free(bare);
}

/* ---- the exercise's own keys ---------------------------------------------------------- */

int el_grade_derivation_verify(const el_grade_exercise *ex, char *why, size_t cap)
{
    const grade_deriv *g = ex->deriv;
    why[0] = '\0';
    if (!g || !g->ctx || strcmp(ex->kind, "derivation"))
        return 0;
    el_derive_opts o = { .seed = EL_GRADE_SEED, .label = ex->id, .exercise = 1 };
    const char *as[8], *ag[8];
    el_relation ar[8];
    el_derive_exercise de = exercise_of(g, as, ag, ar);
    for (size_t i = 0; i <= g->nmk; i++) {
        el_derive_report rep;
        el_derive_grade gr;
        const char *text = i ? g->mk[i - 1].steps : g->reference;
        if (el_derive_grade_answer(&de, g->ctx, text, &o, &rep, &gr)) {
            snprintf(why, cap, "%s: %s", i ? g->mk[i - 1].id : "reference", el_errmsg());
            return -1;
        }
        const el_derivation *d = rep.n ? &rep.d[0] : NULL;
        int ok = i == 0
                     ? gr.fraction == 1
                     : d && gr.fraction < 1 && d->first_invalid == g->mk[i - 1].step &&
                           (!g->mk[i - 1].diagnosis ||
                            !strcmp(d->steps[d->first_invalid].diagnosis, g->mk[i - 1].diagnosis));
        if (!ok)
            snprintf(why, cap, "%s: %s (score %.3g, first invalid step %ld, diagnosis '%s') %s",
                     i ? g->mk[i - 1].id : "reference",
                     i ? "is not rejected at its step" : "does not score full marks", gr.fraction,
                     d ? d->first_invalid : -1L,
                     d && d->first_invalid ? d->steps[d->first_invalid].diagnosis : "",
                     gr.feedback);
        el_derive_report_free(&rep);
        if (!ok)
            return -1;
    }
    return 0;
}

int el_grade_derivation_mistake(const el_grade_exercise *ex, size_t i, const char **id,
                                const char **steps, const char **hint)
{
    const grade_deriv *d = ex->deriv;
    if (!d || strcmp(ex->kind, "derivation") != 0 || i >= d->nmk)
        return -1;
    *id = d->mk[i].id;
    *steps = d->mk[i].steps;
    *hint = d->mk[i].hint;
    return 0;
}
