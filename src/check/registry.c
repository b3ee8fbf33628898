/* registry.c -- the table of all checks, in catalogue order. */
#include "check/el_check.h"
#include "core/el_core.h"
#include "core/el_table.h"

#include <string.h>

typedef const el_check *(*group_fn)(size_t *n);

static const group_fn groups[] = {
    el_kl_checks,   el_elbo_checks,  el_vi_checks,  el_em_checks,
    el_grad_checks, el_gmvae_checks, el_vae_checks,
};

EL_GROUP_TABLE(el_check_count, el_check_at, el_check, groups)

const el_check *el_check_find(const char *id)
{
    size_t n = el_check_count();
    for (size_t i = 0; i < n; i++)
        if (strcmp(el_check_at(i)->id, id) == 0)
            return el_check_at(i);
    return NULL;
}

int el_check_matches(const el_check *check, const char *pattern)
{
    size_t len = strlen(pattern);
    if (len == 0)
        return 0;
    if (strcmp(check->id, pattern) == 0)
        return 1;
    if (pattern[len - 1] == '.')
        return strncmp(check->id, pattern, len) == 0;
    return strncmp(check->id, pattern, len) == 0 && check->id[len] == '.';
}

int el_check_nmistakes(const el_check *check)
{
    int k = 0;
    if (check->mistakes)
        while (check->mistakes[k])
            k++;
    return k;
}

int el_check_run(const el_check *check, const el_check_opts *opts, int variant,
                 el_check_result *res)
{
    el_error_clear();
    el_gsl_init();
    el_check_result_init(res);
    if (variant < 0 || variant > el_check_nmistakes(check))
        return EL_ERROR(EL_EUSAGE, "%s has no negative control %d", check->id, variant);
    return check->run(check, opts, variant, res);
}
