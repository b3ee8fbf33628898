/* el_num.h -- the numeric core: seeded random numbers, Monte Carlo and
 * quasi-Monte Carlo estimators with standard errors, adaptive quadrature
 * wrappers over GSL, and the comparison verdicts every check uses.
 *
 * Everything here is a thin, status-checked layer over GSL (gsl_rng,
 * gsl_rstat, gsl_qrng_sobol, gsl_integration_qag*). */
#ifndef EL_NUM_H
#define EL_NUM_H

#include <stddef.h>
#include <gsl/gsl_rng.h>

/* ---- random numbers ---------------------------------------------------- */

/* A Mersenne-Twister generator seeded with SEED (the same seed gives the same
 * stream on every machine).  Returns NULL when out of memory; free with
 * el_rng_free. */
gsl_rng *el_rng_alloc(unsigned long seed);
void el_rng_free(gsl_rng *r);

/* A seed derived from a base seed and a label, so that each check (or each
 * student) draws its own reproducible stream.  FNV-1a over the label. */
unsigned long el_seed_mix(unsigned long seed, const char *label);

/* ---- estimates ----------------------------------------------------------- */

/* A Monte Carlo estimate: the mean of n draws and its standard error. */
typedef struct {
    double value; /* sample mean */
    double se;    /* standard error of the mean (sd / sqrt(n)) */
    size_t n;     /* number of samples */
} el_estimate;

/* One draw of a random quantity: returns f(X) for X drawn with R. */
typedef double (*el_mc_draw_fn)(const gsl_rng *r, void *params);

/* Plain Monte Carlo: the mean of N draws of F.  Fails with EL_ENUM if a draw
 * is not finite, EL_EDOM if N < 2. */
int el_mc_mean(el_mc_draw_fn f, void *params, size_t n, const gsl_rng *r, el_estimate *out);

/* An integrand on the unit cube: u has DIM coordinates in (0,1). */
typedef double (*el_qmc_fn)(const double *u, void *params);

/* Randomised quasi-Monte Carlo: the mean of F over N Sobol points
 * (gsl_qrng_sobol, DIM <= 40), repeated over SHIFTS independent random
 * Cranley-Patterson shifts drawn with R; value is the mean of the shifted
 * estimates and se their standard error.  n in the result is N * SHIFTS. */
int el_qmc_mean(el_qmc_fn f, void *params, size_t dim, size_t n, size_t shifts, const gsl_rng *r,
                el_estimate *out);

/* The standard normal quantile of u in (0,1) (gsl_cdf_ugaussian_Pinv). */
double el_qmc_gauss(double u);

/* ---- quadrature ---------------------------------------------------------- */

typedef double (*el_fn1)(double x, void *params);
typedef double (*el_fn2)(double x, double y, void *params);

typedef struct {
    double value;  /* the integral */
    double abserr; /* GSL's estimate of the absolute error */
} el_quad_result;

/* Integral of F over (A, B); either end may be -INFINITY / +INFINITY.
 * QAGS on finite ranges, QAGI/QAGIU/QAGIL on infinite ones, relative
 * tolerance 1e-11.  A round-off warning from GSL is accepted (the error
 * estimate it reports is kept); any other failure is an error. */
int el_quad_1d(el_fn1 f, void *params, double a, double b, el_quad_result *out);

/* Integral of F over the rectangle (AX,BX) x (AY,BY), ends may be infinite:
 * nested adaptive quadrature; abserr adds the outer error and the integral
 * of the inner errors. */
int el_quad_2d(el_fn2 f, void *params, double ax, double bx, double ay, double by,
               el_quad_result *out);

/* ---- verdicts ------------------------------------------------------------ */

#define EL_MC_SIGMAS 5.0   /* Monte Carlo comparisons pass within 5 se */
#define EL_QUAD_ABS  1e-10 /* quadrature: absolute floor ... */
#define EL_QUAD_REL  1e-9  /* ... and relative tolerance */

/* The allowed |closed - quad|: max(1e-10, 1e-9 |closed|) + abserr. */
double el_quad_tolerance(double closed, const el_quad_result *q);

/* 1 if the quadrature value agrees with CLOSED within el_quad_tolerance. */
int el_agrees_quad(double closed, const el_quad_result *q);

/* |mc - closed| / se (0 if both equal; +inf if se = 0 and they differ). */
double el_mc_zscore(double closed, const el_estimate *e);

/* 1 if the Monte Carlo estimate is within EL_MC_SIGMAS standard errors. */
int el_agrees_mc(double closed, const el_estimate *e);

/* 1 if A and B agree to relative tolerance REL with absolute floor ABS. */
int el_close(double a, double b, double rel, double abs);

#endif
