/* latent.c -- the latent space of a trained model, as its figures show it:
 * decoded samples of the prior, and a plane through the latent means (their
 * top two principal axes, gsl_eigen). */
#include "vae/el_vae.h"
#include "core/el_core.h"
#include "num/el_num.h"

#include <stdlib.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_randist.h>

int el_vae_sample_prior(el_vae *m, size_t n, unsigned long seed, double *xmean)
{
    size_t Z = m->cfg.z_dim;
    double *z = malloc(n * Z * sizeof *z);
    gsl_rng *r = el_rng_alloc(el_seed_mix(seed, "vae samples"));
    int s = z && r ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; !s && i < n * Z; i++)
        z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    if (!s)
        s = el_vae_decode(m, z, n, xmean);
    free(z);
    el_rng_free(r);
    return s;
}

/* The top two principal axes of the N x Z points MU, into AX (2 x Z). */
static int principal_axes(const double *mu, size_t n, size_t Z, double *ax)
{
    gsl_matrix *C = gsl_matrix_calloc(Z, Z), *V = gsl_matrix_alloc(Z, Z);
    gsl_vector *ev = gsl_vector_alloc(Z);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(Z);
    int s = C && V && ev && w ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; !s && i < n; i++)
        for (size_t a = 0; a < Z; a++)
            for (size_t b = 0; b < Z; b++)
                *gsl_matrix_ptr(C, a, b) += mu[i * Z + a] * mu[i * Z + b];
    if (!s)
        s = el_from_gsl(gsl_eigen_symmv(C, ev, V, w), "principal axes");
    if (!s)
        s = el_from_gsl(gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC), "principal axes");
    for (size_t j = 0; !s && j < Z; j++)
        ax[j] = gsl_matrix_get(V, j, 0), ax[Z + j] = gsl_matrix_get(V, j, 1);
    gsl_matrix_free(C);
    gsl_matrix_free(V);
    gsl_vector_free(ev);
    gsl_eigen_symmv_free(w);
    return s;
}

int el_vae_latent_plane(const double *mu, size_t n, size_t Z, double *p)
{
    double *ax = malloc(2 * Z * sizeof *ax);
    int s = ax ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s && Z > 2)
        s = principal_axes(mu, n, Z, ax);
    for (size_t i = 0; !s && i < n; i++)
        for (int a = 0; a < 2; a++) {
            double v = 0;
            for (size_t j = 0; j < Z; j++)
                v += Z > 2 ? ax[a * Z + j] * mu[i * Z + j] : (j == (size_t)a ? mu[i * Z + j] : 0);
            p[2 * i + a] = Z == 1 && a == 1 ? 0.0 : v;
        }
    free(ax);
    return s;
}
