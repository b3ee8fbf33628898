/* eval.c -- the key checks around an evaluator's run, and its result. */
#include "eval/el_eval.h"
#include "core/el_core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* 1 if KEY is one of the space-separated words of LIST. */
static int in_list(const char *list, const char *key)
{
    size_t k = strlen(key);
    for (const char *w = list; *w;) {
        while (*w == ' ')
            w++;
        size_t len = strcspn(w, " ");
        if (len == k && strncmp(w, key, k) == 0)
            return 1;
        w += len;
    }
    return 0;
}

/* Unknown keys, then missing required keys, are EL_EDOM. */
static int check_keys(const el_eval *e, const el_params *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (!in_list(e->required, p->p[i].key) && !in_list(e->optional, p->p[i].key))
            return EL_ERROR(EL_EDOM, "%s takes no parameter '%s' (it takes: %s%s%s)", e->name,
                            p->p[i].key, e->required, *e->optional ? " " : "", e->optional);
    for (const char *w = e->required; *w;) {
        while (*w == ' ')
            w++;
        size_t len = strcspn(w, " ");
        if (len == 0)
            break;
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)len, w);
        if (!el_params_has(p, key))
            return EL_ERROR(EL_EDOM, "%s needs parameter %s (it takes: %s)", e->name, key,
                            e->required);
        w += len;
    }
    return EL_OK;
}

int el_eval_run(const el_eval *e, const el_params *p, const el_eval_opts *opts, el_eval_result *res)
{
    memset(res, 0, sizeof *res);
    el_error_clear();
    el_gsl_init();
    int s = check_keys(e, p);
    return s ? s : e->run(p, opts, res);
}

void el_eval_result_free(el_eval_result *res)
{
    if (res->extra)
        json_decref(res->extra);
    res->extra = NULL;
}

int el_eval_extra(el_eval_result *res, const char *key, json_t *value)
{
    if (!value)
        return EL_ERROR(EL_ENUM, "%s is not a finite number", key);
    if (!res->extra)
        res->extra = json_object();
    if (!res->extra || json_object_set_new(res->extra, key, value) != 0)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    return EL_OK;
}

void el_eval_set_quad(el_eval_result *res, int s, const el_quad_result *q)
{
    res->has_quad = 0;
    if (s != EL_OK)
        snprintf(res->why_quad, sizeof res->why_quad, "the integrator failed: %s", el_errmsg());
    else if (!isfinite(q->value))
        snprintf(res->why_quad, sizeof res->why_quad, "the integral came out as %g, not a number",
                 q->value);
    else if (!isfinite(q->abserr) || q->abserr < 0.0)
        snprintf(res->why_quad, sizeof res->why_quad,
                 "the integrator's error estimate %g is not an error bar", q->abserr);
    else if (q->abserr > EL_EVAL_QUAD_MAXREL * fmax(1.0, fabs(q->value)))
        snprintf(res->why_quad, sizeof res->why_quad,
                 "the integrator's error estimate %.2g for the value %.6g says it did not converge",
                 q->abserr, q->value);
    else {
        res->has_quad = 1;
        res->quad = *q;
        res->why_quad[0] = '\0';
    }
    el_error_clear();
}

void el_eval_set_mc(el_eval_result *res, int s, const el_estimate *e)
{
    res->has_mc = 0;
    if (s != EL_OK)
        snprintf(res->why_mc, sizeof res->why_mc, "the sampler failed: %s", el_errmsg());
    else if (!isfinite(e->value) || !isfinite(e->se) || e->se < 0.0)
        snprintf(res->why_mc, sizeof res->why_mc,
                 "the sample mean %g +- %g is not a finite estimate", e->value, e->se);
    else if (e->se == 0.0 && e->value != 0.0 && e->n > 1)
        snprintf(res->why_mc, sizeof res->why_mc,
                 "all %zu draws gave %.17g, so the sample cannot measure its own error (an "
                 "outcome rarer than 1 in %zu may be missing)",
                 e->n, e->value, e->n);
    else {
        res->has_mc = 1;
        res->mc = *e;
        res->why_mc[0] = '\0';
    }
    el_error_clear();
}

/* A shown route: its name, value and allowed distance from a value V. */
typedef struct {
    const char *name;
    double value;
    double bar; /* the route's own error bar (0: exact; quadrature abserr; 5 se) */
} route;

static double rounding(double v)
{
    return fmax(EL_QUAD_ABS, EL_QUAD_REL * fabs(v));
}

int el_eval_disagreement(const el_eval_result *res, char *msg, size_t n)
{
    route r[3];
    size_t k = 0;
    if (res->has_closed)
        r[k++] = (route){ "the closed form", res->closed, 0.0 };
    if (res->has_quad)
        r[k++] = (route){ "quadrature", res->quad.value, res->quad.abserr };
    if (res->has_mc)
        r[k++] = (route){ "Monte Carlo", res->mc.value, EL_MC_SIGMAS * res->mc.se };
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            double d = fabs(r[i].value - r[j].value);
            if (r[i].value == r[j].value) /* equal infinities too */
                continue;
            double allowed = r[i].bar + r[j].bar + rounding(r[i].value);
            if (d <= allowed)
                continue;
            snprintf(msg, n,
                     "the routes disagree: %s %.17g and %s %.17g differ by %.3g, more than "
                     "their error bars allow (%.3g)",
                     r[i].name, r[i].value, r[j].name, r[j].value, d, allowed);
            return 1;
        }
    return 0;
}
