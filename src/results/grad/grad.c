/* grad.c -- the Kolmogorov-Smirnov test, the pathwise and score-function
 * gradient estimators, the backward pass of the single-sample KL term and
 * gradient descent on a Gaussian KL in two parameterisations. */
#include "results/grad/el_grad.h"
#include "core/el_core.h"
#include "dist/el_dist.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#define LOG_SQRT_2PI 0.91893853320467274178

/* ---- Kolmogorov-Smirnov ------------------------------------------------------ */

/* The tail Q(lambda) = P(K > lambda) of the Kolmogorov distribution,
 * Q = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2); for small lambda, where
 * that series converges slowly, the dual (Jacobi theta) form
 * Q = 1 - sqrt(2 pi)/lambda sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 lambda^2)).
 * Written here because GSL has no Kolmogorov distribution. */
static double kolmogorov_q(double lambda)
{
    if (lambda <= 0.0)
        return 1.0;
    double sum = 0.0;
    if (lambda < 1.18) {
        for (int k = 1; k <= 20; k++) {
            double j = 2.0 * k - 1.0;
            sum += exp(-j * j * M_PI * M_PI / (8.0 * lambda * lambda));
        }
        return 1.0 - sqrt(2.0 * M_PI) / lambda * sum;
    }
    for (int k = 1; k <= 100; k++) {
        double term = exp(-2.0 * k * k * lambda * lambda);
        sum += (k % 2 ? term : -term);
        if (term < 1e-300)
            break;
    }
    return fmin(1.0, 2.0 * sum);
}

double el_ks_pvalue(double d, size_t n)
{
    double rn = sqrt((double)n);
    return kolmogorov_q((rn + 0.12 + 0.11 / rn) * d);
}

int el_ks_test(double *x, size_t n, double (*cdf)(double x, void *p), void *params,
               el_ks_result *out)
{
    if (n < 2)
        return EL_ERROR(EL_EDOM, "KS test needs at least 2 values, got %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return EL_ERROR(EL_EDOM, "KS test: value %zu is not finite (%g)", i, x[i]);
    gsl_sort(x, 1, n);
    double d = 0.0;
    for (size_t i = 0; i < n; i++) {
        double F = cdf(x[i], params);
        d = fmax(d, fmax((double)(i + 1) / (double)n - F, F - (double)i / (double)n));
    }
    out->D = d;
    out->p = el_ks_pvalue(d, n);
    out->n = n;
    return EL_OK;
}

/* ---- gradient estimators ------------------------------------------------------ */

void el_grad_pathwise(const el_grad_fn *f, double mu, double sigma, double eps, double g[2])
{
    double d = f->df(mu + sigma * eps, f->p);
    g[0] = d;
    g[1] = d * eps;
}

void el_grad_score(const el_grad_fn *f, double mu, double sigma, double eps, double g[2])
{
    double z = mu + sigma * eps, v = f->f(z, f->p), u = (z - mu) / sigma;
    g[0] = v * u / sigma;
    g[1] = v * (u * u - 1.0) / sigma;
}

/* ---- test functions -------------------------------------------------------- */

double el_grad_cubic(double z, const void *unused)
{
    (void)unused;
    return z * z * z + 0.5 * z * z;
}

double el_grad_cubic_df(double z, const void *unused)
{
    (void)unused;
    return 3.0 * z * z + z;
}

/* From E z^3 = mu^3 + 3 mu sigma^2 and E z^2 = mu^2 + sigma^2. */
void el_grad_cubic_exact(double mu, double sigma, double g[2])
{
    g[0] = 3.0 * mu * mu + 3.0 * sigma * sigma + mu;
    g[1] = 6.0 * mu * sigma + sigma;
}

double el_grad_bump_f(double z, const void *p)
{
    const el_grad_bump *k = p;
    double u = (z - k->c) / k->b;
    return exp(-0.5 * u * u);
}

double el_grad_bump_df(double z, const void *p)
{
    const el_grad_bump *k = p;
    return -(z - k->c) / (k->b * k->b) * el_grad_bump_f(z, p);
}

/* E f is a Gaussian convolution; differentiate e = b v^(-1/2) exp(-d^2/(2v))
 * with d = mu - c, dv/dsigma = 2 sigma. */
void el_grad_bump_exact(const el_grad_bump *k, double mu, double sigma, double g[2])
{
    double v = k->b * k->b + sigma * sigma, d = mu - k->c;
    double e = k->b / sqrt(v) * exp(-0.5 * d * d / v);
    g[0] = -e * d / v;
    g[1] = e * sigma * (d * d / (v * v) - 1.0 / v);
}

/* ---- the single-sample KL term ------------------------------------------------ */

double el_kl_sample_forward(double mu, double sigma, double eps, el_kl_tape *tp)
{
    tp->mu = mu;
    tp->sigma = sigma;
    tp->eps = eps;
    tp->z = mu + sigma * eps;
    double u = (tp->z - mu) / sigma;
    tp->r = -0.5 * u * u - log(sigma) - LOG_SQRT_2PI;
    tp->s = -0.5 * tp->z * tp->z - LOG_SQRT_2PI;
    tp->t = tp->r - tp->s;
    return tp->t;
}

void el_kl_sample_backward(const el_kl_tape *tp, double *dmu, double *dsigma)
{
    double d = tp->z - tp->mu, s2 = tp->sigma * tp->sigma;
    double bt = 1.0, br = bt, bs = -bt;                               /* t = r - s */
    double bz = br * (-d / s2);                                       /* r through z */
    double bmu = br * (d / s2);                                       /* r's direct mu */
    double bsig = br * (-1.0 / tp->sigma + d * d / (s2 * tp->sigma)); /* r's direct sigma */
    bz += bs * (-tp->z);                                              /* s = log N(z; 0, 1) */
    bmu += bz * 1.0;                                                  /* z = mu + sigma eps */
    bsig += bz * tp->eps;
    *dmu = bmu;
    *dsigma = bsig;
}

/* ---- gradient descent on a Gaussian KL ----------------------------------------- */

/* Checks the descent's inputs. */
static int descent_inputs(size_t d, const double *m, const double *tau, const double *mu0,
                          const double *v0, double eta)
{
    if (d < 1)
        return EL_ERROR(EL_EDOM, "descent: dimension must be >= 1");
    int s = el_require_positive("eta", eta);
    for (size_t j = 0; j < d && !s; j++) {
        s = el_require_finite("m", m[j]);
        if (!s)
            s = el_require_positive("tau", tau[j]);
        if (!s)
            s = el_require_finite("mu0", mu0[j]);
        if (!s)
            s = el_require_positive("v0", v0[j]);
    }
    return s;
}

/* One step on one dimension, whose state is mu and X (X = v, or s = log v):
 * dKL/dmu = (mu - m)/tau^2, dKL/dv = (1/tau^2 - 1/v)/2 and, by the chain
 * rule, dKL/ds = v dKL/dv = (v/tau^2 - 1)/2.  Returns the new variance. */
static double descent_step(el_var_param param, double m, double tau, double eta, double *mu,
                           double *x)
{
    double t2 = tau * tau;
    *mu -= eta * (*mu - m) / t2;
    if (param == EL_PARAM_VARIANCE) {
        *x -= eta * 0.5 * (1.0 / t2 - 1.0 / *x);
        return *x;
    }
    *x -= eta * 0.5 * (exp(*x) / t2 - 1.0);
    return exp(*x);
}

/* 1 if the state is in the valid region: finite, with a variance > 0. */
static int valid(double mu, double v)
{
    return isfinite(mu) && isfinite(v) && v > 0.0;
}

int el_grad_descent(el_var_param param, size_t d, const double *m, const double *tau,
                    const double *mu0, const double *v0, double eta, size_t iters, double *trace,
                    el_descent_result *out)
{
    int s = descent_inputs(d, m, tau, mu0, v0, eta);
    double *mu = s ? NULL : malloc(3 * d * sizeof *mu), *x = mu ? mu + d : NULL,
           *v = mu ? mu + 2 * d : NULL;
    if (!s && !mu)
        s = EL_ERROR(EL_ENOMEM, "descent: out of memory");
    if (s)
        return s;
    out->invalid = 0;
    out->steps = 0;
    for (size_t j = 0; j < d; j++) {
        mu[j] = mu0[j];
        v[j] = v0[j];
        x[j] = param == EL_PARAM_VARIANCE ? v0[j] : log(v0[j]);
    }
    for (size_t t = 0; t <= iters; t++) {
        int step = t > 0 && !out->invalid;
        for (size_t j = 0; step && j < d; j++) {
            v[j] = descent_step(param, m[j], tau[j], eta, &mu[j], &x[j]);
            out->invalid |= !valid(mu[j], v[j]);
        }
        if (step)
            out->steps = t;
        for (size_t j = 0; trace && j < d; j++)
            trace[t * d + j] = t <= out->steps ? v[j] : NAN;
    }
    out->err = out->invalid ? NAN : 0.0;
    for (size_t j = 0; j < d && !out->invalid; j++)
        out->err = fmax(out->err, fmax(fabs(mu[j] - m[j]) / tau[j],
                                       fabs(v[j] - tau[j] * tau[j]) / (tau[j] * tau[j])));
    free(mu);
    return EL_OK;
}
