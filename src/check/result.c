/* result.c -- helpers shared by check implementations. */
#include "check/el_check.h"

#include <math.h>
#include <string.h>

void el_check_result_init(el_check_result *res)
{
    memset(res, 0, sizeof *res);
    res->closed = NAN;
}

gsl_rng *el_check_rng(const el_check *check, const el_check_opts *opts)
{
    return el_rng_alloc(el_seed_mix(opts->seed, check->id));
}

size_t el_check_samples(const el_check_opts *opts, size_t default_n)
{
    return opts->samples > default_n ? opts->samples : default_n;
}

/* How far a comparison is from failing: error / tolerance (> 1 fails). */
static double margin(double closed, const el_quad_result *q, const el_estimate *e)
{
    double m = 0.0;
    if (q) {
        double d = fabs(closed - q->value);
        m = fmax(m, isfinite(d) ? d / el_quad_tolerance(closed, q) : INFINITY);
    }
    if (e)
        m = fmax(m, el_mc_zscore(closed, e) / EL_MC_SIGMAS);
    if (!isfinite(closed))
        m = INFINITY;
    return m;
}

int el_check_compare(el_check_result *res, double closed, const el_quad_result *q,
                     const el_estimate *e)
{
    int ok =
        isfinite(closed) && (!q || el_agrees_quad(closed, q)) && (!e || el_agrees_mc(closed, e));
    double m_new = margin(closed, q, e);
    int first = isnan(res->closed) && !res->has_quad && !res->has_mc;
    double m_old = first ? -1.0
                         : margin(res->closed, res->has_quad ? &res->quad : NULL,
                                  res->has_mc ? &res->mc : NULL);
    if (first || m_new > m_old || (m_new == m_old && !ok)) {
        res->closed = closed;
        res->has_quad = q != NULL;
        if (q)
            res->quad = *q;
        res->has_mc = e != NULL;
        if (e)
            res->mc = *e;
    }
    if (e)
        res->mc_zmax = fmax(res->mc_zmax, el_mc_zscore(closed, e));
    res->pass = first ? ok : (res->pass && ok);
    return ok;
}
