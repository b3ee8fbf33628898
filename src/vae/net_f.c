/* net_f.c -- the network in single precision (training speed). */
#define REAL             float
#define FN(name)         name##_f
#define GEMM             cblas_sgemm
#define FAST_ELEMENTWISE 1
#include "vae/net_source.c"
