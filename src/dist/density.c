/* density.c -- distributions wrapped as el_density1 / el_densityd values. */
#include "dist/el_dist.h"

static double g_logpdf(const void *o, double x)
{
    return el_gauss_logpdf(o, x);
}
static double g_sample(const void *o, const gsl_rng *r)
{
    return el_gauss_sample(o, r);
}
static double m_logpdf(const void *o, double x)
{
    return el_mix_logpdf(o, x);
}
static double m_sample(const void *o, const gsl_rng *r)
{
    return el_mix_sample(o, r);
}
static double mvn_logpdf(void *o, const double *x)
{
    return el_mvn_logpdf(o, x);
}
static void mvn_sample(void *o, const gsl_rng *r, double *x)
{
    el_mvn_sample(o, r, x);
}
static double diag_logpdf(void *o, const double *x)
{
    return el_diag_logpdf(o, x);
}
static void diag_sample(void *o, const gsl_rng *r, double *x)
{
    el_diag_sample(o, r, x);
}

el_density1 el_gauss_density(const el_gauss *g)
{
    return (el_density1){ g_logpdf, g_sample, g, 1, &g->mu, &g->sigma };
}
el_density1 el_mix_density(const el_mix *m)
{
    return (el_density1){ m_logpdf, m_sample, m, m->K, m->mu, m->sigma };
}
el_densityd el_mvn_density(el_mvn *g)
{
    return (el_densityd){ g->d, mvn_logpdf, mvn_sample, g };
}
el_densityd el_diag_density(el_diag *g)
{
    return (el_densityd){ g->d, diag_logpdf, diag_sample, g };
}
