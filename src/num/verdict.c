/* verdict.c -- the comparison rules of design.md ("Numerical discipline"). */
#include "num/el_num.h"

#include <math.h>

double el_quad_tolerance(double closed, const el_quad_result *q)
{
    return fmax(EL_QUAD_ABS, EL_QUAD_REL * fabs(closed)) + q->abserr;
}

int el_agrees_quad(double closed, const el_quad_result *q)
{
    if (!isfinite(closed) || !isfinite(q->value))
        return 0;
    return fabs(closed - q->value) <= el_quad_tolerance(closed, q);
}

double el_mc_zscore(double closed, const el_estimate *e)
{
    double d = fabs(e->value - closed);
    if (d == 0.0)
        return 0.0;
    return e->se > 0.0 ? d / e->se : INFINITY;
}

int el_agrees_mc(double closed, const el_estimate *e)
{
    if (!isfinite(closed) || !isfinite(e->value))
        return 0;
    return el_mc_zscore(closed, e) <= EL_MC_SIGMAS;
}

int el_close(double a, double b, double rel, double abs)
{
    return fabs(a - b) <= fmax(abs, rel * fmax(fabs(a), fabs(b)));
}
