/* bench_vae.c -- training throughput of the tiny VAE on the pytorch/examples
 * architecture: 784-400-20, ReLU, Bernoulli decoder, batch 128, Adam 1e-3,
 * single precision, on Fashion-MNIST (random binary images of the same shape
 * when the package is not installed: the speed does not depend on the
 * pixels).  Reports images per second (best of RUNS), GFLOP/s, and the
 * share of this machine's peak: the attainable peak measured with a large
 * sgemm on the same threads, and the nominal cores x clock x 32
 * single-precision FLOP per cycle (two 256-bit FMA units) at the clock
 * /proc/cpuinfo reports -- a turbo clock can beat that figure.
 *
 *   bench_vae [EPOCHS_PER_RUN=1] [RUNS=3] [THREADS=2]
 *
 * bench/vae_torch.py trains the same network with PyTorch for comparison. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vae/el_vae.h"
#include "num/el_num.h"

#define SGEMM_N 1536

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Fashion-MNIST's training split, or 60000 random binary 28x28 images. */
static el_vae_data *load_data(int *real)
{
    int s;
    el_vae_data *d = el_vae_idx_load(EL_VAE_FASHION_DIR, "train", 0.5, 0, &s);
    *real = d != NULL;
    if (d)
        return d;
    d = el_vae_data_alloc(60000, 784, 0, &s);
    gsl_rng *r = el_rng_alloc(1);
    for (size_t i = 0; d && r && i < d->n * d->d; i++)
        d->x[i] = gsl_rng_uniform(r) < 0.3 ? 1.0f : 0.0f;
    el_rng_free(r);
    return d;
}

/* Best GFLOP/s of a SGEMM_N^3 single-precision product on THREADS OpenBLAS
 * threads (the attainable peak; the network's own threads keep OpenBLAS to
 * one, so the count is set here and put back after). */
static double sgemm_peak(int threads)
{
    int old = openblas_get_num_threads();
    openblas_set_num_threads(threads);
    size_t n = SGEMM_N;
    float *a = malloc(n * n * sizeof *a), *b = malloc(n * n * sizeof *b),
          *c = malloc(n * n * sizeof *c);
    double best = 0;
    for (size_t i = 0; a && b && c && i < n * n; i++)
        a[i] = (float)(i % 7) * 0.1f, b[i] = (float)(i % 5) * 0.1f;
    for (int k = 0; a && b && c && k < 4; k++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1, a, (int)n,
                    b, (int)n, 0, c, (int)n);
        double g = 2.0 * (double)n * (double)n * (double)n / (now() - t0) / 1e9;
        best = g > best ? g : best;
    }
    free(a);
    free(b);
    free(c);
    openblas_set_num_threads(old);
    return best;
}

/* Nominal peak: online cores x MHz (from /proc/cpuinfo) x 32 FLOP per cycle. */
static double nominal_peak(int threads, double *mhz)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    int cores = 0;
    *mhz = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "cpu MHz", 7) == 0) {
            cores++;
            *mhz = atof(strchr(line, ':') + 1);
        }
    if (f)
        fclose(f);
    if (cores > threads)
        cores = threads;
    return (double)cores * *mhz * 1e6 * 32 / 1e9;
}

/* One timed run: a fresh model, EPOCHS epochs; returns images per second. */
static double one_run(const el_vae_data *d, size_t epochs, double *loss)
{
    el_vae_config cfg = { 784, 400, 20, 0, EL_VAE_BERNOULLI, 1.0 };
    el_vae *m = el_vae_alloc(&cfg, EL_VAE_F32, NULL);
    gsl_rng *r = el_rng_alloc(1);
    if (!m || !r)
        return 0;
    el_vae_init(m, r);
    el_vae_train_opts o = { 128, 1e-3, 1.0, 0 };
    el_vae_terms t = { 0, 0, 0 };
    double t0 = now();
    for (size_t e = 0; e < epochs; e++)
        el_vae_train_epoch(m, d, &o, r, NULL, NULL, &t);
    double ips = (double)(d->n * epochs) / (now() - t0);
    *loss = t.loss;
    el_vae_free(m);
    el_rng_free(r);
    return ips;
}

int main(int argc, char **argv)
{
    size_t epochs = argc > 1 ? (size_t)atol(argv[1]) : 1,
           runs = argc > 2 ? (size_t)atol(argv[2]) : 3;
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    el_vae_threads(threads);
    int real;
    el_vae_data *d = load_data(&real);
    if (!d || epochs == 0 || runs == 0) {
        fprintf(stderr, "bench_vae: no data (out of memory?) or bad arguments\n");
        return 1;
    }
    el_vae_config cfg = { 784, 400, 20, 0, EL_VAE_BERNOULLI, 1.0 };
    double flops = el_vae_flops_per_row(&cfg), best = 0, loss = 0, mhz;
    printf("tiny VAE training throughput: 784-400-20, ReLU, Bernoulli decoder, batch 128, "
           "Adam 1e-3, float, %d threads\n",
           threads);
    printf("data: %s\n", real ? "Fashion-MNIST training split (60000 images, binarised at 0.5)"
                              : "60000 random binary 28x28 images (dataset-fashion-mnist is not "
                                "installed; the speed is the same)");
    for (size_t k = 0; k < runs; k++) {
        double ips = one_run(d, epochs, &loss);
        printf("run %zu: %.0f images/s (%zu epoch%s, last-epoch loss %.2f nats per image)\n", k + 1,
               ips, epochs, epochs > 1 ? "s" : "", loss);
        best = ips > best ? ips : best;
    }
    double gf = best * flops / 1e9, peak = sgemm_peak(threads),
           nominal = nominal_peak(threads, &mhz);
    printf("best: %.0f images/s = %.1f GFLOP/s (%.2f MFLOP per image: matrix products of the "
           "forward and backward passes)\n",
           best, gf, flops / 1e6);
    printf("peak, measured (sgemm %d^3, %d threads): %.1f GFLOP/s -> %.0f%% of it\n", SGEMM_N,
           threads, peak, 100 * gf / peak);
    printf("peak, nominal (%d cores x %.0f MHz as reported x 32 FLOP/cycle; turbo can exceed "
           "it): %.1f GFLOP/s -> %.0f%% of it\n",
           threads, mhz, nominal, 100 * gf / nominal);
    printf("{\"images_per_second\": %.1f, \"gflops\": %.2f, \"sgemm_peak_gflops\": %.2f, "
           "\"nominal_peak_gflops\": %.2f, \"threads\": %d, \"fashion_mnist\": %s}\n",
           best, gf, peak, nominal, threads, real ? "true" : "false");
    el_vae_data_free(d);
    return 0;
}
