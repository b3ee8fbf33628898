/* net_d.c -- the network in double precision (gradient checks, numerical checks). */
#define REAL     double
#define FN(name) name##_d
#define GEMM     cblas_dgemm
#include "vae/net_source.c"
