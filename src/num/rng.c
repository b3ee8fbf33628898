/* rng.c -- seeded generators. */
#include "num/el_num.h"

gsl_rng *el_rng_alloc(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, seed);
    return r;
}

void el_rng_free(gsl_rng *r)
{
    if (r)
        gsl_rng_free(r);
}

unsigned long el_seed_mix(unsigned long seed, const char *label)
{
    unsigned long long h = 1469598103934665603ULL ^ (unsigned long long)seed;
    for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (unsigned long)(h & 0xffffffffUL);
}
