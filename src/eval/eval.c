/* eval.c -- the key checks around an evaluator's run, and its result. */
#include "eval/el_eval.h"
#include "core/el_core.h"

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
