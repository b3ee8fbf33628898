/* topic.c -- the `elbo.*` rows of the catalogue: the example models and
 * the table of checks (the checks themselves are in checks_*.c). */
#include "results/elbo/elbo_topic.h"
#include "core/el_core.h"

#include <math.h>

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

static const el_check elbo_checks[] = {
    { "elbo.jensen",
      "log p(x) = log E_q[p(x,z)/q] >= E_q[log p(x,z)/q] = E_q[log p(x|z)] - KL(q||p(z)); "
      "the gap is KL(q||p(z|x))",
      el_elbo_jensen_mistakes, el_elbo_check_jensen },
    { "elbo.decomposition", "log p(x) = ELBO(q) + KL(q(z|x)||p(z|x)) for every q",
      el_elbo_decomposition_mistakes, el_elbo_check_decomposition },
    { "elbo.tight", "the bound is tight exactly when q(z|x) = p(z|x)", el_elbo_tight_mistakes,
      el_elbo_check_tight },
    { "elbo.optimal_posterior",
      "argmax over the simplex of sum_z q log p(x|z) - KL(q||p(z)) is p(z|x); the maximum is log "
      "p(x)",
      el_elbo_optimal_mistakes, el_elbo_check_optimal },
    { "elbo.iwae",
      "L_k = E log (1/k) sum_i w_i is <= log p(x), non-decreasing in k, and -> log p(x)",
      el_elbo_iwae_mistakes, el_elbo_check_iwae },
};

const el_check *el_elbo_checks(size_t *n)
{
    *n = sizeof elbo_checks / sizeof elbo_checks[0];
    return elbo_checks;
}
