/* check.c -- selecting and running a check. */
#include "check/el_check.h"
#include "core/el_core.h"

#include <string.h>

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
