/* solver.c -- named solvers that compute the reference numbers of an
 * exercise from its (per-student) parameters.
 *
 * "mixture-fit": the Gaussian q fitted to p = w1 N(m1, s1^2) + (1-w1) N(m2, s2^2)
 * by the inclusive KL(p||q) (moment matching, exact) and the exclusive
 * KL(q||p) (numerical).  The exclusive optimum comes from the vi module's
 * solver, el_vi_fit_exclusive (src/results/vi/el_vi.h), so every student can get
 * a mixture of their own (tests/check_exercises.c recomputes the default
 * mixture's optimum with an independent minimiser).  Results are cached per
 * parameter vector: a class shares a few dozen mixtures. */
#include "grade/el_grade.h"
#include "core/el_core.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "results/vi/el_vi.h"

/* The parameter called NAME of EX in V, or DEF when the exercise has none. */
static double param(const el_grade_exercise *ex, const double *v, const char *name, double def)
{
    for (size_t i = 0; i < ex->nparams; i++)
        if (!strcmp(ex->params[i].name, name))
            return v[i];
    return def;
}

/* The exclusive-KL fit (its global optimum) of w1 N(m1, s1^2) + (1-w1) N(m2, s2^2). */
static int solve_exclusive(double w1, const double *m, const double *s, double *mu, double *sigma)
{
    double w[2] = { w1, 1.0 - w1 };
    el_vi_optimum opt[8];
    size_t n = 0, g = 0;
    int st = el_vi_fit_exclusive(2, w, m, s, opt, 8, &n, &g);
    if (st)
        return st;
    if (g >= n)
        return EL_ERROR(EL_ENUM, "the exclusive fit found no optimum");
    *mu = opt[g].mu;
    *sigma = opt[g].sigma;
    return EL_OK;
}

/* ---- a cache of exclusive fits, shared by the grading threads ----------------- */

#define CACHE_SIZE 256

typedef struct {
    double key[5];
    double mu, sigma;
} fit_entry;

static fit_entry cache[CACHE_SIZE];
static size_t cached, next_slot;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* solve_exclusive through the cache (solves happen outside the lock). */
static int fit_exclusive(double w1, const double *m, const double *s, double *mu, double *sigma)
{
    double key[5] = { w1, m[0], m[1], s[0], s[1] };
    int hit = 0;
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < cached && !hit; i++)
        if (!memcmp(cache[i].key, key, sizeof key)) {
            *mu = cache[i].mu;
            *sigma = cache[i].sigma;
            hit = 1;
        }
    pthread_mutex_unlock(&cache_lock);
    if (hit)
        return EL_OK;
    int st = solve_exclusive(w1, m, s, mu, sigma);
    if (st)
        return st;
    pthread_mutex_lock(&cache_lock);
    fit_entry *e = &cache[next_slot];
    memcpy(e->key, key, sizeof key);
    e->mu = *mu;
    e->sigma = *sigma;
    next_slot = (next_slot + 1) % CACHE_SIZE;
    if (cached < CACHE_SIZE)
        cached++;
    pthread_mutex_unlock(&cache_lock);
    return EL_OK;
}

static int mixture_fit(const el_grade_exercise *ex, const double *v, const char *output,
                       double *out)
{
    double w1 = param(ex, v, "w1", 1.0 / 3.0);
    double m[2] = { param(ex, v, "m1", -1.0), param(ex, v, "m2", 1.0) };
    double s[2] = { param(ex, v, "s1", 1.0), param(ex, v, "s2", 1.0) };
    if (!(w1 > 0 && w1 < 1 && s[0] > 0 && s[1] > 0))
        return EL_ERROR(EL_EDOM, "mixture-fit: weights must be in (0,1) and scales > 0");
    double w[2] = { w1, 1.0 - w1 };
    if (!strcmp(output, "inclusive_mu") || !strcmp(output, "inclusive_sigma")) {
        double mean = w[0] * m[0] + w[1] * m[1];
        double second = w[0] * (s[0] * s[0] + m[0] * m[0]) + w[1] * (s[1] * s[1] + m[1] * m[1]);
        *out = strstr(output, "_mu") ? mean : sqrt(second - mean * mean);
        return EL_OK;
    }
    if (!strcmp(output, "exclusive_mu") || !strcmp(output, "exclusive_sigma")) {
        double mu = NAN, sigma = NAN;
        int st = fit_exclusive(w1, m, s, &mu, &sigma);
        if (!st)
            *out = strstr(output, "_mu") ? mu : sigma;
        return st;
    }
    return EL_ERROR(EL_ENOTFOUND, "mixture-fit has no output '%s'", output);
}

static const el_grade_solver solvers[] = {
    { "mixture-fit", 1, mixture_fit },
};

const el_grade_solver *el_grade_solver_find(const char *name)
{
    for (size_t i = 0; i < sizeof solvers / sizeof solvers[0]; i++)
        if (!strcmp(solvers[i].name, name))
            return &solvers[i];
    return NULL;
}
