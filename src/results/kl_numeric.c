/* kl_numeric.c -- KL divergences by quadrature and by Monte Carlo. */
#include "results/el_kl.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    const el_density1 *q, *p;
    double sign;
} pair1;

/* q(x) (log q(x) - log p(x)); 0 where q underflows. */
static double integrand1(double x, void *v)
{
    const pair1 *k = v;
    double lq = k->q->logpdf(k->q->obj, x);
    if (lq == -INFINITY)
        return 0.0;
    double lp = k->p->logpdf(k->p->obj, x);
    return exp(lq) * k->sign * (lq - lp);
}

int el_kl_quad1(const el_density1 *q, const el_density1 *p, double sign, el_quad_result *out)
{
    pair1 k = { q, p, sign };
    return el_quad_1d(integrand1, &k, -INFINITY, INFINITY, out);
}

static double draw1(const gsl_rng *r, void *v)
{
    const pair1 *k = v;
    double x = k->q->sample(k->q->obj, r);
    return k->q->logpdf(k->q->obj, x) - k->p->logpdf(k->p->obj, x);
}

int el_kl_mc1(const el_density1 *q, const el_density1 *p, size_t n, const gsl_rng *r,
              el_estimate *out)
{
    pair1 k = { q, p, 1.0 };
    return el_mc_mean(draw1, &k, n, r, out);
}

typedef struct {
    const el_densityd *q, *p;
    double *x;   /* d scratch */
} paird;

static double integrand2(double x, double y, void *v)
{
    paird *k = v;
    k->x[0] = x;
    k->x[1] = y;
    double lq = k->q->logpdf(k->q->obj, k->x);
    if (lq == -INFINITY)
        return 0.0;
    return exp(lq) * (lq - k->p->logpdf(k->p->obj, k->x));
}

int el_kl_quad2(const el_densityd *q, const el_densityd *p, el_quad_result *out)
{
    if (q->d != 2 || p->d != 2)
        return EL_ERROR(EL_EDOM, "2-D quadrature needs d = 2, got %zu", q->d);
    double x[2];
    paird k = { q, p, x };
    return el_quad_2d(integrand2, &k, -INFINITY, INFINITY, -INFINITY, INFINITY, out);
}

static double drawd(const gsl_rng *r, void *v)
{
    paird *k = v;
    k->q->sample(k->q->obj, r, k->x);
    return k->q->logpdf(k->q->obj, k->x) - k->p->logpdf(k->p->obj, k->x);
}

int el_kl_mcd(const el_densityd *q, const el_densityd *p, size_t n, const gsl_rng *r,
              el_estimate *out)
{
    if (q->d != p->d)
        return EL_ERROR(EL_EDOM, "dimensions differ: %zu and %zu", q->d, p->d);
    double *x = malloc(q->d * sizeof *x);
    if (!x)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    paird k = { q, p, x };
    int s = el_mc_mean(drawd, &k, n, r, out);
    free(x);
    return s;
}
