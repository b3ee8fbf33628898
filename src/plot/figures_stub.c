/* figures_stub.c -- figure groups whose modules have none yet. */
#include "plot/el_plot.h"

const el_figure *el_latent_figures(size_t *n)
{
    *n = 0;
    return NULL;
}

const el_figure *el_vae_figures(size_t *n)
{
    *n = 0;
    return NULL;
}
