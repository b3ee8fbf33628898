/* threads.c -- how many threads the network uses, and how (el_vae.h): the
 * model's own threads over parts of each step, each calling
 * single-threaded OpenBLAS, or OpenBLAS's threads on the whole batch.
 * Kept apart because OpenBLAS's cblas.h and GSL's gsl_cblas.h cannot share
 * a file.  Process-wide, like OpenBLAS's own setting. */
#include <cblas.h>

#include "vae/el_vae.h"
#include "vae/pool.h"

static int nthreads = 1;
static el_vae_parallel how = EL_VAE_PAR_SPLIT;

/* Gives OpenBLAS its share: 1 thread when we split the batch ourselves. */
static void apply(void)
{
    openblas_set_num_threads(how == EL_VAE_PAR_BLAS ? nthreads : 1);
}

int el_vae_threads(int n)
{
    int old = nthreads;
    nthreads = n < 1 ? 1 : n > VAE_POOL_MAX ? VAE_POOL_MAX : n;
    apply();
    return old;
}

el_vae_parallel el_vae_parallel_set(el_vae_parallel h)
{
    el_vae_parallel old = how;
    how = h == EL_VAE_PAR_BLAS || h == EL_VAE_PAR_SPLIT_FINE ? h : EL_VAE_PAR_SPLIT;
    apply();
    return old;
}

int vae_pool_threads(void)
{
    return how == EL_VAE_PAR_BLAS ? 1 : nthreads;
}

int vae_pool_fine(void)
{
    return how == EL_VAE_PAR_SPLIT_FINE;
}
