/* numeric.c -- KL divergences by quadrature and by Monte Carlo. */
#include "results/kl/el_kl.h"
#include "core/el_core.h"

#include <gsl/gsl_math.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    const el_density1 *q, *p;
    double sign;
} pair1;

/* q(x) below e^-600 = 3e-261 counts as 0: the integrand there, even times a
 * log-ratio of 1e100 over a range of 1e100, stays far below EL_QUAD_ABS. */
#define LOG_NEGLIGIBLE -600.0

/* q(x) (log q(x) - log p(x)); 0 where q is negligible. */
static double integrand1(double x, void *v)
{
    const pair1 *k = v;
    double lq = k->q->logpdf(k->q->obj, x);
    if (lq < LOG_NEGLIGIBLE) /* subnormal products upset the error estimates */
        return 0.0;
    double lp = k->p->logpdf(k->p->obj, x);
    return exp(lq) * k->sign * (lq - lp);
}

static double integrand1_abs(double x, void *v)
{
    return fabs(integrand1(x, v));
}

/* q(x): the integrator must find all of q's mass. */
static double weight1(double x, void *v)
{
    const pair1 *k = v;
    double lq = k->q->logpdf(k->q->obj, x);
    return lq < LOG_NEGLIGIBLE ? 0.0 : exp(lq);
}

#define MASS_TOL 1e-6 /* |integral of q - 1| allowed beyond the integrator's own error */

/* Breakpoints at each site of Q: mu + c sigma for these c.  Beyond 40 sd a
 * Gaussian bump's mass is below 1e-340 (it underflows), so the outer pieces
 * only confirm that nothing is left. */
static const double SITE_STEPS[] = { -40.0, -10.0, -4.0, -1.5, 0.0, 1.5, 4.0, 10.0, 40.0 };
#define NSTEPS       (sizeof SITE_STEPS / sizeof SITE_STEPS[0])
#define MAX_SITES    64
#define MERGE        1e-3
#define ROUND_FACTOR 16.0 /* |f'| <= ~10 |f| / width on a piece: a safety margin */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Appends the breakpoints of D's sites to PT (count *N); lowers *SMIN to
 * the smallest site scale. */
static void add_sites(const el_density1 *d, double *pt, size_t *n, double *smin)
{
    for (size_t k = 0; k < d->nsites && k < MAX_SITES; k++)
        for (size_t j = 0; j < NSTEPS; j++) {
            *smin = fmin(*smin, d->site_sigma[k]);
            double x = d->site_mu[k] + SITE_STEPS[j] * d->site_sigma[k];
            if (isfinite(x))
                pt[(*n)++] = x;
        }
}

/* The sorted distinct breakpoints of Q's and P's sites into PT (P's too: a
 * narrow bump of p inside q's mass is a narrow bump of log p); their number. */
static size_t breakpoints(const el_density1 *q, const el_density1 *p, double *pt)
{
    size_t n = 0;
    double smin = INFINITY;
    add_sites(q, pt, &n, &smin);
    add_sites(p, pt, &n, &smin);
    qsort(pt, n, sizeof *pt, cmp_double);
    /* points closer than 1e-3 of the smallest scale are one point: q and p
     * may share a component up to rounding, and a sliver between two such
     * points is a piece the integrator cannot subdivide */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || pt[i] - pt[m - 1] > MERGE * smin)
            pt[m++] = pt[i];
    return m;
}

int el_kl_quad1(const el_density1 *q, const el_density1 *p, double sign, el_quad_result *out)
{
    pair1 k = { q, p, sign };
    if (q->nsites == 0 || q->nsites > MAX_SITES)
        return el_quad_1d(integrand1, &k, -INFINITY, INFINITY, out);
    double pt[2 * MAX_SITES * NSTEPS];
    size_t n = breakpoints(q, p, pt);
    if (n == 0)
        return EL_ERROR(EL_EDOM, "quadrature: the density has no finite site");
    /* pieces (-inf, pt0], [pt0, pt1], ..., [pt_{n-1}, inf): each bump of q is
     * integrated on the scale of its own standard deviation */
    el_quad_result sum = { 0.0, 0.0 }, mass = { 0.0, 0.0 };
    for (size_t i = 0; i <= n; i++) {
        double a = i == 0 ? -INFINITY : pt[i - 1], b = i == n ? INFINITY : pt[i];
        el_quad_result r, ra = { 0.0, 0.0 }, rm;
        int s = el_quad_1d(integrand1, &k, a, b, &r);
        if (!s && isfinite(a) && isfinite(b))
            s = el_quad_1d(integrand1_abs, &k, a, b, &ra);
        if (!s)
            s = el_quad_1d(weight1, &k, a, b, &rm);
        if (s)
            return s;
        mass.value += rm.value;
        mass.abserr += rm.abserr;
        sum.value += r.value;
        /* the nodes x are rounded to doubles: an error of eps |x| in x moves
         * a bump of width ~ (b - a) by eps |x| / (b - a) of its scale */
        double drift = ROUND_FACTOR * DBL_EPSILON * fmax(fabs(a), fabs(b)) / (b - a);
        sum.abserr += r.abserr + (isfinite(drift) ? drift * (ra.value + ra.abserr) : 0.0);
    }
    if (!(fabs(mass.value - 1.0) <= MASS_TOL + mass.abserr))
        return EL_ERROR(EL_ENUM,
                        "the integrand's mass lies beyond the integrator's reach (q integrates "
                        "to %.6g)",
                        mass.value);
    *out = sum;
    return EL_OK;
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

static double draw_defensive(const gsl_rng *r, void *v)
{
    const pair1 *k = v;
    const el_density1 *from = gsl_rng_uniform(r) < 0.5 ? k->q : k->p;
    double x = from->sample(from->obj, r);
    double lq = k->q->logpdf(k->q->obj, x), lp = k->p->logpdf(k->p->obj, x);
    if (lq == -INFINITY)
        return 0.0; /* q(x) = 0: weight 0 */
    double w = 2.0 / (1.0 + exp(lp - lq));
    return w == 0.0 ? 0.0 : w * (lq - lp);
}

int el_kl_mc1_defensive(const el_density1 *q, const el_density1 *p, size_t n, const gsl_rng *r,
                        el_estimate *out)
{
    pair1 k = { q, p, 1.0 };
    return el_mc_mean(draw_defensive, &k, n, r, out);
}

typedef struct {
    const el_densityd *q, *p;
    double *x; /* d scratch */
} paird;

/* ---- full-covariance Gaussians in q's whitened coordinates --------------- */

#define WHITE_BOX 12.0 /* |u_i| <= 12: the standard normal mass outside is < 4e-33 */

typedef struct {
    el_mvn *q, *p;
    double x[2];
} white2;

/* phi(u1) phi(u2) (log q(x) - log p(x)) with x = mu_q + L_q u. */
static double integrand_white(double u1, double u2, void *v)
{
    white2 *k = v;
    const gsl_matrix *L = k->q->L;
    k->x[0] = gsl_vector_get(k->q->mu, 0) + gsl_matrix_get(L, 0, 0) * u1;
    k->x[1] =
        gsl_vector_get(k->q->mu, 1) + gsl_matrix_get(L, 1, 0) * u1 + gsl_matrix_get(L, 1, 1) * u2;
    double lphi = -0.5 * (u1 * u1 + u2 * u2) - log(2.0 * M_PI);
    return exp(lphi) * (el_mvn_logpdf(k->q, k->x) - el_mvn_logpdf(k->p, k->x));
}

int el_kl_quad2_mvn(el_mvn *q, el_mvn *p, el_quad_result *out)
{
    if (q->d != 2 || p->d != 2)
        return EL_ERROR(EL_EDOM, "2-D quadrature needs d = 2, got %zu", q->d);
    white2 k = { q, p, { 0.0, 0.0 } };
    int s = el_quad_2d(integrand_white, &k, -WHITE_BOX, WHITE_BOX, -WHITE_BOX, WHITE_BOX, out);
    if (s == EL_OK) {
        /* the truncated tail: mass < 4e-33 times the largest |log-ratio| on the
         * box corners (the log-ratio is a quadratic, so it peaks there) */
        double worst = 0.0;
        for (int i = 0; i < 4; i++) {
            double u1 = (i & 1) ? WHITE_BOX : -WHITE_BOX, u2 = (i & 2) ? WHITE_BOX : -WHITE_BOX;
            double f = integrand_white(u1, u2, &k) * exp(0.5 * (u1 * u1 + u2 * u2)) * 2.0 * M_PI;
            worst = fmax(worst, fabs(f));
        }
        out->abserr += 4e-33 * worst;
    }
    return s;
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

typedef struct {
    const double *p, *q;
    gsl_ran_discrete_t *table;
    double sign;
} pair_disc;

static double draw_disc(const gsl_rng *r, void *v)
{
    const pair_disc *k = v;
    size_t i = gsl_ran_discrete(r, k->table);
    return k->sign * (log(k->p[i]) - log(k->q[i]));
}

int el_kl_mc_discrete(size_t k, const double *p, const double *q, double sign, size_t n,
                      const gsl_rng *r, el_estimate *out)
{
    int s = el_discrete_validate("q", k, q);
    pair_disc d = { p, q, NULL, sign };
    if (!s)
        d.table = el_discrete_sampler("p", k, p, &s);
    if (!s)
        s = el_mc_mean(draw_disc, &d, n, r, out);
    if (d.table)
        gsl_ran_discrete_free(d.table);
    return s;
}
