/* checks.c -- the `vae.*` rows of the catalogue (not yet implemented). */
#include "check/el_check.h"
#include "plot/el_plot.h"

const el_check *el_vae_checks(size_t *n)
{
    *n = 0;
    return NULL;
}

const el_figure *el_vae_figures(size_t *n)
{
    *n = 0;
    return NULL;
}
