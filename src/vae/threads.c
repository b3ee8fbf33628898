/* threads.c -- the number of BLAS threads (OpenBLAS's own calls; kept apart
 * because OpenBLAS's cblas.h and GSL's gsl_cblas.h cannot share a file). */
#include <cblas.h>

#include "vae/el_vae.h"

int el_vae_threads(int n)
{
    int old = openblas_get_num_threads();
    openblas_set_num_threads(n);
    return old;
}
