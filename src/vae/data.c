/* data.c -- data sets for the tiny VAE: allocation and the built-in
 * synthetic generators (so everything runs with no download). */
#include "vae/el_vae.h"
#include "num/el_num.h"
#include "core/el_core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

el_vae_data *el_vae_data_alloc(size_t n, size_t d, int labelled, int *status)
{
    int dummy;
    status = status ? status : &dummy;
    if (n == 0 || d == 0 || n > ((size_t)1 << 40) / d) {
        *status = EL_ERROR(EL_EDOM, "a data set needs n, d >= 1 (got %zu x %zu)", n, d);
        return NULL;
    }
    el_vae_data *s = calloc(1, sizeof *s);
    if (s) {
        s->x = calloc(n * d, sizeof *s->x);
        s->label = labelled ? calloc(n, sizeof *s->label) : NULL;
    }
    if (!s || !s->x || (labelled && !s->label)) {
        el_vae_data_free(s);
        *status = EL_ERROR(EL_ENOMEM, "out of memory for %zu x %zu values", n, d);
        return NULL;
    }
    s->n = n;
    s->d = d;
    *status = EL_OK;
    return s;
}

void el_vae_data_free(el_vae_data *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->label);
    free(d);
}

/* ---- the generators ------------------------------------------------------------
 * Each fills row X (width D) and returns its label (or 0).  THETA holds the
 * fixed model constants: N(0, 1) draws from a generator seeded with a
 * constant, so the model does not depend on the caller's seed. */

#define SPRITE     16
#define MODEL_SEED 0x5eedUL

/* One 16x16 sprite: a filled square, a plus or a ring, of half-size 3..6,
 * centred at a random pixel where it fits.  The label is the shape. */
static int gen_sprite(float *x, const double *theta, const gsl_rng *r)
{
    (void)theta;
    int shape = (int)gsl_rng_uniform_int(r, 3);
    int s = 3 + (int)gsl_rng_uniform_int(r, 4);
    int cx = s + (int)gsl_rng_uniform_int(r, (unsigned long)(SPRITE - 2 * s));
    int cy = s + (int)gsl_rng_uniform_int(r, (unsigned long)(SPRITE - 2 * s));
    for (int i = 0; i < SPRITE; i++)
        for (int j = 0; j < SPRITE; j++) {
            int dx = abs(j - cx), dy = abs(i - cy), on;
            double rad = sqrt((double)(dx * dx + dy * dy));
            if (shape == 0)
                on = dx <= s && dy <= s;
            else if (shape == 1)
                on = (dx <= 1 && dy <= s) || (dy <= 1 && dx <= s);
            else
                on = rad <= s + 0.5 && rad >= s - 1.5;
            x[i * SPRITE + j] = on ? 1.0f : 0.0f;
        }
    return shape;
}

/* pPCA data: x = W z + b + 0.3 e, z ~ N(0, I_2), e ~ N(0, I_6);
 * W = theta[0..12) (6 x 2), b = theta[12..18). */
static int gen_ppca(float *x, const double *theta, const gsl_rng *r)
{
    double z0 = gsl_ran_gaussian_ziggurat(r, 1.0), z1 = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (int j = 0; j < 6; j++)
        x[j] = (float)(theta[2 * j] * z0 + theta[2 * j + 1] * z1 + theta[12 + j] +
                       0.3 * gsl_ran_gaussian_ziggurat(r, 1.0));
    return 0;
}

#define TOY_K      8
#define TOY_RADIUS 2.0
#define TOY_SD     0.2

/* 2-D: a component k uniform in 0..7, then N(centre_k, 0.2^2 I), centres on a circle of radius 2. */
static int gen_toy2d(float *x, const double *theta, const gsl_rng *r)
{
    (void)theta;
    int k = (int)gsl_rng_uniform_int(r, TOY_K);
    double a = 2 * M_PI * k / TOY_K;
    x[0] = (float)(TOY_RADIUS * cos(a) + TOY_SD * gsl_ran_gaussian_ziggurat(r, 1.0));
    x[1] = (float)(TOY_RADIUS * sin(a) + TOY_SD * gsl_ran_gaussian_ziggurat(r, 1.0));
    return k;
}

double el_vae_toy2d_logpdf(double x, double y)
{
    double t[TOY_K], top = -INFINITY, s = 0;
    for (int k = 0; k < TOY_K; k++) {
        double a = 2 * M_PI * k / TOY_K;
        double dx = x - TOY_RADIUS * cos(a), dy = y - TOY_RADIUS * sin(a);
        t[k] = -(dx * dx + dy * dy) / (2 * TOY_SD * TOY_SD) - log(2 * M_PI * TOY_SD * TOY_SD);
        top = t[k] > top ? t[k] : top;
    }
    for (int k = 0; k < TOY_K; k++)
        s += exp(t[k] - top);
    return top + log(s / TOY_K);
}

/* Two independent factors u1, u2 ~ U(-1, 1) through x_j = tanh(a_j1 u1 + a_j2 u2 + c_j),
 * j < 6, plus 0.05 noise: every coordinate mixes both factors.
 * a = 1.2 theta[0..12), c = 0.3 theta[12..18). */
static int gen_factors(float *x, const double *theta, const gsl_rng *r)
{
    double u1 = 2 * gsl_rng_uniform(r) - 1, u2 = 2 * gsl_rng_uniform(r) - 1;
    for (int j = 0; j < 6; j++)
        x[j] =
            (float)(tanh(1.2 * (theta[2 * j] * u1 + theta[2 * j + 1] * u2) + 0.3 * theta[12 + j]) +
                    0.05 * gsl_ran_gaussian_ziggurat(r, 1.0));
    return 0;
}

/* 4 clusters in 8-D: centres 3 theta (fixed), points centre + N(0, I). */
static int gen_clusters(float *x, const double *theta, const gsl_rng *r)
{
    int k = (int)gsl_rng_uniform_int(r, 4);
    for (int j = 0; j < 8; j++)
        x[j] = (float)(3.0 * theta[k * 8 + j] + gsl_ran_gaussian_ziggurat(r, 1.0));
    return k;
}

#define MAX_THETA 32

typedef struct {
    const char *name;
    size_t d, nclass, side, ntheta;
    int binary;
    int (*gen)(float *x, const double *theta, const gsl_rng *r);
} synth_info;

static const synth_info synths[] = {
    [EL_VAE_SYN_SPRITES] = { "sprites", SPRITE *SPRITE, 3, SPRITE, 0, 1, gen_sprite },
    [EL_VAE_SYN_PPCA] = { "ppca", 6, 0, 0, 18, 0, gen_ppca },
    [EL_VAE_SYN_TOY2D] = { "toy2d", 2, TOY_K, 0, 0, 0, gen_toy2d },
    [EL_VAE_SYN_FACTORS] = { "factors", 6, 0, 0, 18, 0, gen_factors },
    [EL_VAE_SYN_CLUSTERS] = { "clusters", 8, 4, 0, 32, 0, gen_clusters },
};
#define NSYNTH (sizeof synths / sizeof synths[0])

/* THETA (N <= MAX_THETA) = N(0, 1) draws from a generator seeded with the model seed and KIND. */
static int model_constants(el_vae_synth kind, double *theta, size_t n)
{
    gsl_rng *r = el_rng_alloc(MODEL_SEED + (unsigned long)kind);
    if (!r)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        theta[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    el_rng_free(r);
    return EL_OK;
}

el_vae_data *el_vae_synthetic(el_vae_synth kind, size_t n, const gsl_rng *r, int *status)
{
    int dummy;
    status = status ? status : &dummy;
    if ((size_t)kind >= NSYNTH) {
        *status = EL_ERROR(EL_EDOM, "unknown synthetic data set %d", (int)kind);
        return NULL;
    }
    const synth_info *s = &synths[kind];
    double theta[MAX_THETA];
    *status = model_constants(kind, theta, s->ntheta);
    el_vae_data *d = *status ? NULL : el_vae_data_alloc(n, s->d, s->nclass > 0, status);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int lab = s->gen(d->x + i * s->d, theta, r);
        if (d->label)
            d->label[i] = lab;
    }
    d->nclass = s->nclass;
    d->width = d->height = s->side;
    d->binary = s->binary;
    return d;
}

int el_vae_synth_parse(const char *name, el_vae_synth *out)
{
    for (size_t i = 0; i < NSYNTH; i++)
        if (strcmp(name, synths[i].name) == 0) {
            *out = (el_vae_synth)i;
            return EL_OK;
        }
    return EL_ERROR(EL_ENOTFOUND,
                    "unknown synthetic data '%s' (known: sprites, ppca, toy2d, factors, clusters)",
                    name);
}

const char *el_vae_synth_name(el_vae_synth kind)
{
    return (size_t)kind < NSYNTH ? synths[kind].name : "?";
}
