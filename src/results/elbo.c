/* elbo.c -- the `elbo.*` rows of the catalogue (not yet implemented). */
#include "check/el_check.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"

const el_check *el_elbo_checks(size_t *n)
{
    *n = 0;
    return NULL;
}

const el_eval *el_elbo_evals(size_t *n)
{
    *n = 0;
    return NULL;
}

const el_figure *el_elbo_figures(size_t *n)
{
    *n = 0;
    return NULL;
}
