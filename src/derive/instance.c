/* instance.c -- random instances of a context: every parameter drawn from
 * its domain (or computed from its definition), and a free value of each
 * random variable for lines that use it outside an expectation. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/derive_int.h"

/* The integer a length names: a number, or an integer parameter drawn before. */
static int length_of(const el_context *c, const instance *in, const char *len)
{
    if (!len[0])
        return 1;
    char *end;
    long n = strtol(len, &end, 10);
    if (end != len && !*end)
        return (int)n;
    int i = ctx_param_index(c, len);
    if (i < 0 || in->param[i].rows != 1 || in->param[i].cols != 1)
        return -1;
    return (int)lround(in->param[i].v[0]);
}

static double draw_scalar(const dparam *p, gsl_rng *r)
{
    if (p->lo == p->hi)
        return p->lo;
    if (p->logscale)
        return exp(log(p->lo) + (log(p->hi) - log(p->lo)) * gsl_rng_uniform(r));
    return p->lo + (p->hi - p->lo) * gsl_rng_uniform(r);
}

static int draw_param(const el_context *c, const dparam *p, gsl_rng *r, instance *in, dval *out)
{
    int n = length_of(c, in, p->length);
    if (n < 1 || n > 8)
        return EL_ERROR(EL_EFORMAT, "context %s: the length of %s is not 1..8", c->name, p->name);
    memset(out, 0, sizeof *out);
    out->rows = 1, out->cols = 1;
    switch (p->shape) {
    case P_INTEGER:
        out->v[0] = (double)((long)p->lo +
                             (long)gsl_rng_uniform_int(r, (unsigned long)(p->hi - p->lo + 1)));
        break;
    case P_SCALAR: out->v[0] = draw_scalar(p, r); break;
    case P_VECTOR:
        out->rows = n;
        for (int i = 0; i < n; i++)
            out->v[i] = draw_scalar(p, r);
        break;
    case P_SIMPLEX: {
        double alpha[8], theta[8];
        for (int i = 0; i < n; i++)
            alpha[i] = 2.0;
        gsl_ran_dirichlet(r, (size_t)n, alpha, theta);
        out->rows = n;
        for (int i = 0; i < n; i++)
            out->v[i] = theta[i];
        break;
    }
    case P_SPD: {
        double a[64];
        for (int i = 0; i < n * n; i++)
            a[i] = gsl_rng_uniform(r) * 2 - 1;
        out->rows = out->cols = n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double s = i == j ? 0.5 : 0.0;
                for (int k = 0; k < n; k++)
                    s += a[i * n + k] * a[j * n + k];
                out->v[i * n + j] = s;
            }
        break;
    }
    }
    return 0;
}

int inst_draw(const el_context *c, gsl_rng *r, instance *in)
{
    memset(in, 0, sizeof *in);
    for (int i = 0; i < c->nparam; i++) {
        const dparam *p = &c->param[i];
        if (p->define) {
            env e = { .ctx = c, .in = in, .budget = 100000 };
            if (ev(&e, p->define, &in->param[i]))
                return EL_ERROR(EL_EFORMAT, "context %s: %s = %s: %s", c->name, p->name,
                                p->define_text, e.msg);
            in->param[i].err = 0;
        } else if (draw_param(c, p, r, in, &in->param[i])) {
            return EL_EFORMAT;
        }
    }
    for (int k = 0; k < c->nrv; k++) {
        const drandom *v = &c->rv[k];
        int n = length_of(c, in, v->size);
        if (n < 1 || n > 8)
            return EL_ERROR(EL_EFORMAT, "context %s: the size of %s is not 1..8", c->name, v->name);
        in->rvsize[k] = n;
        env e = { .ctx = c, .in = in, .budget = 100000 };
        dval loc, scale;
        dv_set(&loc, 0);
        dv_set(&scale, 1);
        /* a family member's location (z_i: mu_i) needs its index: 0 and 1 then */
        if (v->loc && ev(&e, v->loc, &loc))
            dv_set(&loc, 0);
        if (v->scale && ev(&e, v->scale, &scale))
            dv_set(&scale, 1);
        for (int i = 0; i < (v->kind == RV_STATES ? 1 : n); i++) {
            double m = loc.v[loc.rows * loc.cols > 1 ? i : 0];
            double s = scale.v[scale.rows * scale.cols > 1 ? i : 0];
            in->rvfree[k][i] = v->kind == RV_STATES
                                   ? (double)(1 + gsl_rng_uniform_int(r, (unsigned long)n))
                                   : m + fabs(s) * gsl_ran_gaussian(r, 1.0);
        }
    }
    return 0;
}

static json_t *dval_json(const dval *v)
{
    if (v->rows == 1 && v->cols == 1)
        return json_real(v->v[0]);
    json_t *a = json_array();
    for (int i = 0; i < v->rows; i++) {
        if (v->cols == 1) {
            json_array_append_new(a, json_real(v->v[i]));
            continue;
        }
        json_t *row = json_array();
        for (int j = 0; j < v->cols; j++)
            json_array_append_new(row, json_real(v->v[i * v->cols + j]));
        json_array_append_new(a, row);
    }
    return a;
}

json_t *inst_json(const el_context *c, const instance *in)
{
    json_t *o = json_object();
    for (int i = 0; i < c->nparam; i++) {
        const dparam *p = &c->param[i];
        if (p->define && !p->auto_declared && strchr(p->define_text, '\\') == NULL &&
            p->define_text[0] && (p->define_text[0] < '0' || p->define_text[0] > '9') &&
            p->define_text[0] != '-')
            continue; /* derived from others: not an input of the instance */
        if (p->shape == P_INTEGER)
            json_object_set_new(o, p->name, json_integer((json_int_t)lround(in->param[i].v[0])));
        else
            json_object_set_new(o, p->name, dval_json(&in->param[i]));
    }
    return o;
}
