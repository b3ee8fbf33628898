/* examples.c -- the example models that the elbo checks and figures share. */
#include "results/elbo/elbo_topic.h"

void el_elbo_dlm_example(double *pi, double *l)
{
    static const double prior[EL_DLM_EXAMPLE_K] = { 0.1, 0.25, 0.3, 0.15, 0.2 };
    static const double m[EL_DLM_EXAMPLE_K] = { -1.2, 0.3, 1.1, 2.4, 0.7 };
    static const double s[EL_DLM_EXAMPLE_K] = { 0.8, 0.5, 1.3, 0.6, 0.9 };
    for (size_t z = 0; z < EL_DLM_EXAMPLE_K; z++) {
        el_gauss g = { m[z], s[z] };
        pi[z] = prior[z];
        l[z] = el_gauss_logpdf(&g, 0.9);
    }
}

el_lgm *el_elbo_lgm_example(double *x, int *status)
{
    static const double A[6] = { 0.85, -0.4, 0.3, 1.15, -0.6, 0.25 };
    static const double b[3] = { 0.2, -0.35, 0.5 };
    static const double Psi[9] = { 0.5, 0.1, 0.0, 0.1, 0.4, -0.05, 0.0, -0.05, 0.6 };
    x[0] = 1.3;
    x[1] = -0.8;
    x[2] = 0.45;
    return el_lgm_alloc(2, 3, A, b, Psi, status);
}

el_lg1 el_elbo_lg1_example(void)
{
    el_lg1 m = { 1.7, 1.3, -0.2, 0.6 };
    return m;
}
