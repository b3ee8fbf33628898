/* report.c -- a derive report as the JSON of `elbolab derive --json`
 * (shared/spec/derivations.md): one object per derivation with its lines
 * (source and canonical echo) and steps (status, diagnosis, the failing
 * instance and both sides' values). */
#include <math.h>
#include <string.h>

#include "derive/el_derive.h"

static const char *status_name(el_step_status s)
{
    switch (s) {
    case EL_STEP_VALID: return "valid";
    case EL_STEP_INVALID: return "invalid";
    case EL_STEP_ERROR: return "error";
    default: return "unknown";
    }
}

static json_t *number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *relation_json(el_relation r)
{
    const char *n = el_relation_name(r);
    return n ? json_string(n) : json_null();
}

static json_t *step_json(const el_derive_step *st, size_t k)
{
    json_t *o = json_object();
    json_object_set_new(o, "step", json_integer((json_int_t)k));
    json_object_set_new(o, "relation", relation_json(st->relation));
    json_object_set_new(o, "status", json_string(status_name(st->status)));
    if (st->diagnosis[0]) {
        json_object_set_new(o, "diagnosis", json_string(st->diagnosis));
        json_t *all = json_array();
        char buf[sizeof st->diagnoses];
        memcpy(buf, st->diagnoses, sizeof buf);
        for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
            json_array_append_new(all, json_string(t));
        json_object_set_new(o, "diagnoses", all);
    }
    if (st->message)
        json_object_set_new(o, "message", json_string(st->message));
    if (st->instance)
        json_object_set(o, "instance", st->instance);
    if (st->status == EL_STEP_INVALID) {
        json_object_set_new(o, "lhs", number(st->lhs));
        json_object_set_new(o, "rhs", number(st->rhs));
    }
    if (st->justification)
        json_object_set_new(o, "justification", json_string(st->justification));
    if (st->repeat)
        json_object_set_new(o, "repeat", json_true());
    return o;
}

static json_t *derivation_json(const el_derivation *d)
{
    json_t *o = json_object();
    json_object_set_new(o, "line", json_integer((json_int_t)d->line));
    json_object_set_new(o, "context", json_string(d->context));
    json_object_set_new(o, "instances", json_integer((json_int_t)d->instances));
    json_object_set_new(o, "valid", json_boolean(d->valid));
    json_object_set_new(o, "first_invalid",
                        d->first_invalid ? json_integer(d->first_invalid) : json_null());
    json_object_set_new(o, "relation", relation_json(d->relation));
    json_t *lines = json_array(), *steps = json_array();
    for (size_t i = 0; i < d->nlines; i++) {
        const el_derive_line *l = &d->lines[i];
        json_t *lo = json_object();
        json_object_set_new(lo, "line", json_integer((json_int_t)l->line));
        json_object_set_new(lo, "source", json_string(l->source ? l->source : ""));
        json_object_set_new(lo, "read_as", l->read_as ? json_string(l->read_as) : json_null());
        if (l->error)
            json_object_set_new(lo, "error", json_string(l->error));
        json_array_append_new(lines, lo);
        if (i > 0)
            json_array_append_new(steps, step_json(&d->steps[i], i));
    }
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "steps", steps);
    if (d->notes)
        json_object_set_new(o, "notes", json_string(d->notes));
    return o;
}

json_t *el_derive_report_json(const el_derive_report *rep)
{
    json_t *o = json_object(), *a = json_array();
    json_object_set_new(o, "file", json_string(rep->file ? rep->file : "-"));
    for (size_t i = 0; i < rep->n; i++)
        json_array_append_new(a, derivation_json(&rep->d[i]));
    json_object_set_new(o, "derivations", a);
    return o;
}
