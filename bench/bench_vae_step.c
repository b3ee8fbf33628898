/* bench_vae_step.c -- the tiny VAE's training step against what its own
 * matrix shapes allow on this machine (issue 14).
 *
 * Network: 784-400-20, ReLU, Bernoulli decoder, batch 128, Adam 1e-3, float,
 * on binarised Fashion-MNIST (random binary images of the same shape when
 * the package is missing: the speed does not depend on the pixels).
 *
 * In ROUNDS rounds, alternating, it measures:
 *   - `train T`: one epoch of el_vae_train_epoch on T = 1 and 2 threads
 *     (images/s, and GFLOP/s = images/s x el_vae_flops_per_row); and, to
 *     compare, 2 threads on 4 parts of 32 rows (EL_VAE_PAR_SPLIT_FINE) and
 *     2 threads as OpenBLAS's own (EL_VAE_PAR_BLAS);
 *   - `gemm T`: the GEMM rate of the network's own shapes on T threads: the
 *     exact sequence of the 11 sgemm calls of one training step (4 forward,
 *     4 weight gradients, 3 input gradients; same shapes, transposes and
 *     leading dimensions as src/vae/net_source.c), repeated STEPS times, its
 *     FLOPs (checked equal to el_vae_flops_per_row x 128) over its time,
 *     the best of 3 such timings in each round.
 *     Ways to use T threads are timed and the fastest is the reference:
 *     "blas": one caller, OpenBLAS with T threads on the whole batch;
 *     "split": T threads of our own, each with single-threaded OpenBLAS,
 *     all 11 calls on 128/T rows; "phases": the network's own calls
 *     (parts of 64 rows forward and back, weight gradients in slices of 128
 *     output rows over the batch) shared as the network shares them; the
 *     threads start together and do not wait for each other between steps.
 *     On 1 thread: the plain sequence on 128 rows, or the phases;
 *   - `torch`: bench/vae_torch.py, one epoch, torch threads 2 and
 *     OPENBLAS_NUM_THREADS=1 (PyTorch's best set-up), when torch imports.
 * Then, with a busy-loop process pinned to the last CPU (not pinned with
 * --unpinned-busy, none with --no-busy; it is stopped at the end), the
 * trainings again.
 * Prints every run with the load average, then medians, the shares
 * (train GFLOP/s / gemm GFLOP/s on the same T) and the ratios, also as the
 * median of each round's own ratio (robust to a neighbour's job that
 * slows a whole round; the JSON line gives these).
 *
 *   bench_vae_step [ROUNDS=5] [--no-torch] [--no-busy] [--unpinned-busy]
 */
#define _GNU_SOURCE
#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vae/el_vae.h"
#include "num/el_num.h"

#ifndef BENCH_DIR
#define BENCH_DIR "bench"
#endif

enum { D = 784, H = 400, Z = 20, BATCH = 128, STEPS = 150, MAXRUNS = 64 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &l) != 1)
        l = -1;
    if (f)
        fclose(f);
    return l;
}

/* ---- the GEMM sequence of one training step --------------------------------- */

/* The buffers of one step, as in net_source.c's work space and parameters. */
enum { X, W1, A1, W2, ENC, W3, Zs, A2, W4, OUT, DOUT, DW4, DH, DW3, DZ, DENC, DW2, DW1, NBUF };

/* One sgemm of the step: C (m x n) = op(A) op(B) + beta C, row-major, on buffers. */
typedef struct {
    int ta, tb, m, n, k, lda, ldb, ldc, a, b, c;
    float beta;
    int aoff, coff; /* offsets into A and C (a slice of output rows) */
} gemm;

/* The 11 sgemm calls of one step on B rows, in the network's order and on
 * its operands (linear_forward / linear_backward of net_source.c):
 * out (B x NO) = inp (B x NI) W^T (beta 1: over the bias), then, last layer
 * first, dW (NO x NI) = dout^T inp and dinp (B x NI) = dout W. */
static int step_gemms(gemm *g, int B)
{
    /* NI, NO, input, weight, output (forward); output gradient, dW, input gradient (backward) */
    const int L[4][8] = { { D, H, X, W1, A1, DH, DW1, -1 },
                          { H, 2 * Z, A1, W2, ENC, DENC, DW2, DH },
                          { Z, H, Zs, W3, A2, DH, DW3, DZ },
                          { H, D, A2, W4, OUT, DOUT, DW4, DH } };
    int n = 0;
    for (int i = 0; i < 4; i++) {
        const int *l = L[i];
        g[n++] = (gemm){ 0, 1, B, l[1], l[0], l[0], l[0], l[1], l[2], l[3], l[4], 1, 0, 0 };
    }
    for (int i = 3; i >= 0; i--) {
        const int *l = L[i];
        g[n++] = (gemm){ 1, 0, l[1], l[0], B, l[1], l[0], l[0], l[5], l[2], l[6], 0, 0, 0 };
        if (l[7] >= 0)
            g[n++] = (gemm){ 0, 0, B, l[0], l[1], l[1], l[0], l[0], l[5], l[3], l[7], 0, 0, 0 };
    }
    return n;
}

/* The calls of thread PART of NPARTS in the network's own two phases
 * (net_source.c): its share of the parts of 64 rows, each forward and back
 * to each layer's output gradient (4 forward, 3 input gradients), then its
 * share of the slices of 128 output rows of the 4 weight gradients, each
 * over all B rows. */
static int step_gemms_phases(gemm *g, int B, int part, int nparts)
{
    gemm all[16];
    step_gemms(all, 64);
    int n = 0, k = 0;
    for (int p = part; p < B / 64; p += nparts)
        for (int i = 0; i < 11; i++)
            if (all[i].ta == 0) /* forward and input gradients */
                g[n++] = all[i];
    for (int i = 0; i < 11; i++) {
        if (all[i].ta == 0)
            continue;
        gemm w = all[i]; /* dW (NO x NI) = dout^T inp over all B rows, in slices */
        for (int o = 0; o < w.m; o += 128, k++)
            if (k % nparts == part) {
                g[n] = w;
                g[n].m = w.m - o < 128 ? w.m - o : 128, g[n].k = B;
                g[n].aoff = o, g[n].coff = o * w.n;
                n++;
            }
    }
    return n;
}

static double step_flops(const gemm *g, int n)
{
    double f = 0;
    for (int i = 0; i < n; i++)
        f += 2.0 * g[i].m * g[i].n * g[i].k;
    return f;
}

/* The buffers (each as large as the largest, D x D) and the calls of one thread. */
typedef struct {
    float *buf[NBUF];
    gemm g[32];
    int n, steps;
} gemm_set;

static void gemm_set_free(gemm_set *s)
{
    for (int i = 0; i < NBUF; i++)
        free(s->buf[i]);
}

static int gemm_set_init(gemm_set *s, int B, int steps, int part, int nparts)
{
    size_t sz = (size_t)D * D;
    int ok = 1;
    for (int i = 0; i < NBUF; i++) {
        s->buf[i] = malloc(sz * sizeof(float));
        ok &= s->buf[i] != NULL;
        for (size_t j = 0; s->buf[i] && j < sz; j++)
            s->buf[i][j] = (float)((j + (size_t)i) % 13) * 0.01f;
    }
    s->n = nparts ? step_gemms_phases(s->g, B, part, nparts) : step_gemms(s->g, B);
    s->steps = steps;
    return ok ? 0 : -1;
}

static void gemm_run(const gemm_set *s)
{
    for (int t = 0; t < s->steps; t++)
        for (int i = 0; i < s->n; i++) {
            const gemm *g = &s->g[i];
            cblas_sgemm(CblasRowMajor, g->ta ? CblasTrans : CblasNoTrans,
                        g->tb ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1,
                        s->buf[g->a] + g->aoff, g->lda, s->buf[g->b], g->ldb, g->beta,
                        s->buf[g->c] + g->coff, g->ldc);
        }
}

static void *gemm_thread(void *arg)
{
    gemm_run(arg);
    return NULL;
}

/* GFLOP/s of STEPS steps' sgemm calls on THREADS threads: MODE 0 "blas"
 * (one caller, OpenBLAS's threads), 1 "split" (each thread all 11 calls on
 * BATCH / THREADS rows), 2 "phases" (the network's own calls, shared as it
 * shares them, without its waits). */
static double gemm_rate_once(int threads, int mode)
{
    gemm_set s[2];
    int split = mode > 0, parts = split ? threads : 1, ok = 1;
    memset(s, 0, sizeof s);
    for (int p = 0; p < parts; p++)
        ok &= gemm_set_init(&s[p], mode == 2 ? BATCH : BATCH / parts, STEPS, p,
                            mode == 2 ? parts : 0) == 0;
    double flops = 0, t0 = 0, t1 = 0;
    if (ok) {
        openblas_set_num_threads(split ? 1 : threads);
        pthread_t th[2];
        t0 = now();
        for (int p = 1; p < parts; p++)
            pthread_create(&th[p], NULL, gemm_thread, &s[p]);
        gemm_run(&s[0]);
        for (int p = 1; p < parts; p++)
            pthread_join(th[p], NULL);
        t1 = now();
        for (int p = 0; p < parts; p++)
            flops += step_flops(s[p].g, s[p].n) * STEPS;
    }
    for (int p = 0; p < parts; p++)
        gemm_set_free(&s[p]);
    return ok ? flops / (t1 - t0) / 1e9 : 0;
}

/* The best of three gemm_rate_once: what the shapes allow, not what a
 * neighbour's job left of it (which makes the share a conservative one). */
static double gemm_rate(int threads, int mode)
{
    double best = 0;
    for (int k = 0; k < 3; k++) {
        double g = gemm_rate_once(threads, mode);
        best = g > best ? g : best;
    }
    return best;
}

/* The better of gemm_rate in modes A and B, each printed. */
static double gemm_best(int threads, int a, int b)
{
    static const char *const name[] = { "blas", "split", "phases" };
    double ga = gemm_rate(threads, a), gb = gemm_rate(threads, b);
    printf("    (gemm %d: %s %.1f, %s %.1f)\n", threads, name[a], ga, name[b], gb);
    return ga > gb ? ga : gb;
}

/* ---- training and the PyTorch peer ------------------------------------------- */

static el_vae_data *load_data(int *real)
{
    int s;
    el_vae_data *d = el_vae_idx_load(EL_VAE_FASHION_DIR, "train", 0.5, 0, &s);
    *real = d != NULL;
    if (d)
        return d;
    d = el_vae_data_alloc(60000, D, 0, &s);
    gsl_rng *r = el_rng_alloc(1);
    for (size_t i = 0; d && r && i < d->n * d->d; i++)
        d->x[i] = gsl_rng_uniform(r) < 0.3 ? 1.0f : 0.0f;
    el_rng_free(r);
    return d;
}

/* Images/s of one epoch of a fresh model on THREADS threads used as HOW says. */
static double train_rate(const el_vae_data *d, int threads, el_vae_parallel how, double *loss)
{
    el_vae_config cfg = { D, H, Z, 0, EL_VAE_BERNOULLI, 1.0 };
    el_vae *m = el_vae_alloc(&cfg, EL_VAE_F32, NULL);
    gsl_rng *r = el_rng_alloc(1);
    double ips = 0;
    if (m && r) {
        el_vae_parallel_set(how);
        el_vae_threads(threads);
        el_vae_init(m, r);
        el_vae_train_opts o = { BATCH, 1e-3, 1.0, 0 };
        el_vae_terms t = { 0, 0, 0 };
        double t0 = now();
        el_vae_train_epoch(m, d, &o, r, NULL, NULL, &t);
        ips = (double)d->n / (now() - t0);
        *loss = t.loss;
    }
    el_vae_free(m);
    el_rng_free(r);
    return ips;
}

static int torch_available(void)
{
    return system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0 &&
           access(EL_VAE_FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) == 0;
}

/* Images/s of one PyTorch epoch in its best set-up (0 on failure). */
static double torch_rate(void)
{
    FILE *p = popen("OPENBLAS_NUM_THREADS=1 timeout 900 /usr/bin/python3 " BENCH_DIR
                    "/vae_torch.py --epochs 1 --threads 2 2>/dev/null",
                    "r");
    char buf[8192];
    size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
    if (p)
        pclose(p);
    buf[n] = '\0';
    const char *k = strstr(buf, "\"images_per_second\":");
    return k ? atof(k + strlen("\"images_per_second\":")) : 0;
}

/* ---- the busy core -------------------------------------------------------------- */

/* A child process that spins until killed (pinned to the last CPU when PIN). */
static pid_t busy_start(int pin)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (pin) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET((int)sysconf(_SC_NPROCESSORS_ONLN) - 1, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        volatile unsigned long x = 0;
        for (;;)
            x++;
    }
    return pid;
}

static void busy_stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* ---- statistics and report ----------------------------------------------------------- */

typedef struct {
    const char *name;
    double v[MAXRUNS];
    int n;
} series;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const series *s)
{
    double v[MAXRUNS];
    if (s->n == 0)
        return 0;
    memcpy(v, s->v, (size_t)s->n * sizeof *v);
    qsort(v, (size_t)s->n, sizeof *v, cmp_double);
    return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

static void add(series *s, double x, const char *unit)
{
    if (s->n < MAXRUNS)
        s->v[s->n++] = x;
    printf("  %-22s %10.1f %s   (load %.2f)\n", s->name, x, unit, load1());
    fflush(stdout);
}

/* The median over rounds of A[k] / B[k] x SCALE (B[k] the larger of B and
 * C when C is not NULL): a ratio of two runs of the same round. */
static double median_ratio(const series *a, const series *b, const series *c, double scale)
{
    series r = { "", { 0 }, 0 };
    for (int k = 0; k < a->n && k < b->n; k++) {
        double d = c && c->v[k] > b->v[k] ? c->v[k] : b->v[k];
        r.v[r.n++] = d > 0 ? a->v[k] * scale / d : 0;
    }
    return median(&r);
}

enum { TR1, TR2, TRF2, TRB2, GB1, GB2, GS2, TORCH, BTR2, BTR1, BTRF2, BTRB2, NSERIES };

typedef struct {
    int rounds, use_torch, busy, pin;
    double fpr, loss; /* FLOP per image; the last run's loss */
    series s[NSERIES];
} bench;

/* Reads the arguments into B; 0, or 2 after a usage line. */
static int parse_args(bench *b, int argc, char **argv)
{
    b->rounds = 5, b->use_torch = 1, b->busy = 1, b->pin = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-torch") == 0)
            b->use_torch = 0;
        else if (strcmp(argv[i], "--no-busy") == 0)
            b->busy = 0;
        else if (strcmp(argv[i], "--unpinned-busy") == 0)
            b->pin = 0;
        else if ((b->rounds = atoi(argv[i])) < 1 || b->rounds > MAXRUNS) {
            fprintf(stderr, "usage: bench_vae_step [ROUNDS=5] [--no-torch] [--no-busy] "
                            "[--unpinned-busy]\n");
            return 2;
        }
    }
    return 0;
}

/* 0 when the sequences of calls (plain, and the phases on 1 and 2 threads)
 * have the FLOPs el_vae_flops_per_row gives a step of BATCH images. */
static int check_flops(double fpr)
{
    gemm g[32];
    double fstep = step_flops(g, step_gemms(g, BATCH));
    for (int t = 1; t <= 2; t++) {
        double f = 0;
        for (int p = 0; p < t; p++)
            f += step_flops(g, step_gemms_phases(g, BATCH, p, t));
        fstep = f != fstep ? -1 : fstep;
    }
    if (fstep == fpr * BATCH)
        return 0;
    fprintf(stderr,
            "bench_vae_step: the sgemm sequences have %.0f FLOP per step, the network %.0f\n",
            fstep, fpr * BATCH);
    return 1;
}

/* The idle rounds, then the busy ones. */
static void run(bench *b, const el_vae_data *d)
{
    series *s = b->s;
    for (int k = 0; k < b->rounds; k++) {
        printf("round %d/%d\n", k + 1, b->rounds);
        add(&s[TR1], train_rate(d, 1, EL_VAE_PAR_SPLIT, &b->loss), "images/s");
        add(&s[GB1], gemm_best(1, 0, 2), "GFLOP/s");
        add(&s[TR2], train_rate(d, 2, EL_VAE_PAR_SPLIT, &b->loss), "images/s");
        add(&s[TRF2], train_rate(d, 2, EL_VAE_PAR_SPLIT_FINE, &b->loss), "images/s");
        add(&s[TRB2], train_rate(d, 2, EL_VAE_PAR_BLAS, &b->loss), "images/s");
        add(&s[GB2], gemm_rate(2, 0), "GFLOP/s");
        add(&s[GS2], gemm_best(2, 1, 2), "GFLOP/s");
        if (b->use_torch)
            add(&s[TORCH], torch_rate(), "images/s");
    }
    if (!b->busy)
        return;
    pid_t pid = busy_start(b->pin);
    printf("with a busy-loop process (%s) on the machine\n",
           b->pin ? "pinned to the last CPU" : "not pinned");
    for (int k = 0; k < b->rounds && pid > 0; k++) {
        add(&s[BTR2], train_rate(d, 2, EL_VAE_PAR_SPLIT, &b->loss), "images/s");
        add(&s[BTR1], train_rate(d, 1, EL_VAE_PAR_SPLIT, &b->loss), "images/s");
        add(&s[BTRF2], train_rate(d, 2, EL_VAE_PAR_SPLIT_FINE, &b->loss), "images/s");
        add(&s[BTRB2], train_rate(d, 2, EL_VAE_PAR_BLAS, &b->loss), "images/s");
    }
    busy_stop(pid);
}

/* The medians, shares and ratios, and the JSON line. */
static void report(const bench *b)
{
    const series *s = b->s;
    double fpr = b->fpr, tr1 = median(&s[TR1]), tr2 = median(&s[TR2]), g1 = median(&s[GB1]);
    double g2 = median(&s[GB2]) > median(&s[GS2]) ? median(&s[GB2]) : median(&s[GS2]);
    double tt = median(&s[TORCH]), b2 = median(&s[BTR2]), b1 = median(&s[BTR1]);
    printf("medians of %d rounds (last-epoch loss %.2f nats/image):\n", b->rounds, b->loss);
    printf("  1 thread : %8.0f images/s = %6.1f GFLOP/s; gemm %6.1f GFLOP/s -> %3.0f%%\n", tr1,
           tr1 * fpr / 1e9, g1, 100 * tr1 * fpr / 1e9 / g1);
    printf("  2 threads: %8.0f images/s = %6.1f GFLOP/s; gemm %6.1f GFLOP/s (blas %.1f, ours "
           "%.1f) -> %3.0f%%\n",
           tr2, tr2 * fpr / 1e9, g2, median(&s[GB2]), median(&s[GS2]), 100 * tr2 * fpr / 1e9 / g2);
    printf("  2 threads / 1 thread: %.2fx\n", tr2 / tr1);
    double sh1 = median_ratio(&s[TR1], &s[GB1], NULL, fpr / 1e9),
           sh2 = median_ratio(&s[TR2], &s[GB2], &s[GS2], fpr / 1e9),
           up = median_ratio(&s[TR2], &s[TR1], NULL, 1),
           vs = b->use_torch ? median_ratio(&s[TR2], &s[TORCH], NULL, 1) : 0;
    printf("medians of the ratios within a round: share of the gemm rate %.0f%% (1 thread), "
           "%.0f%% (2 threads); 2 threads / 1 thread %.2fx",
           100 * sh1, 100 * sh2, up);
    if (b->use_torch)
        printf("; 2 threads / PyTorch %.2fx", vs);
    printf("\n");
    printf("  other options on 2 threads: 4 parts of 32 rows %.0f images/s (%.1f GFLOP/s); "
           "OpenBLAS's threads on the whole batch %.0f images/s (%.1f GFLOP/s)\n",
           median(&s[TRF2]), median(&s[TRF2]) * fpr / 1e9, median(&s[TRB2]),
           median(&s[TRB2]) * fpr / 1e9);
    if (tt > 0)
        printf("  PyTorch best set-up: %.0f images/s -> elbolab 2 threads is %.2fx\n", tt,
               tr2 / tt);
    if (b->busy)
        printf("  busy machine: 2 threads %.0f, 1 thread %.0f, 4 parts %.0f, OpenBLAS's 2 threads "
               "%.0f images/s; 2 threads busy / 1 thread idle: %.2fx\n",
               b2, b1, median(&s[BTRF2]), median(&s[BTRB2]), b2 / tr1);
    printf("{\"train1_ips\": %.1f, \"train2_ips\": %.1f, \"gemm1_gflops\": %.2f, "
           "\"gemm2_gflops\": %.2f, \"share1\": %.3f, \"share2\": %.3f, \"speedup\": %.3f, "
           "\"torch_ips\": %.1f, \"vs_torch\": %.3f, \"busy2_ips\": %.1f, \"busy1_ips\": %.1f, "
           "\"rounds\": %d}\n",
           tr1, tr2, g1, g2, sh1, sh2, up, tt, vs, b2, b1, b->rounds);
}

int main(int argc, char **argv)
{
    static bench b = { .s = { [TR1] = { "train 1 thread", { 0 }, 0 },
                              [TR2] = { "train 2 threads", { 0 }, 0 },
                              [TRF2] = { "train 2 (4 parts)", { 0 }, 0 },
                              [TRB2] = { "train 2 (blas threads)", { 0 }, 0 },
                              [GB1] = { "gemm 1 thread", { 0 }, 0 },
                              [GB2] = { "gemm 2 (blas)", { 0 }, 0 },
                              [GS2] = { "gemm 2 (ours)", { 0 }, 0 },
                              [TORCH] = { "torch (best set-up)", { 0 }, 0 },
                              [BTR2] = { "busy: train 2 threads", { 0 }, 0 },
                              [BTR1] = { "busy: train 1 thread", { 0 }, 0 },
                              [BTRF2] = { "busy: train 2 (4 parts)", { 0 }, 0 },
                              [BTRB2] = { "busy: train 2 (blas)", { 0 }, 0 } } };
    int rc = parse_args(&b, argc, argv);
    if (rc)
        return rc;
    el_vae_config cfg = { D, H, Z, 0, EL_VAE_BERNOULLI, 1.0 };
    b.fpr = el_vae_flops_per_row(&cfg);
    if (check_flops(b.fpr))
        return 1;
    int real;
    el_vae_data *d = load_data(&real);
    if (!d) {
        fprintf(stderr, "bench_vae_step: out of memory\n");
        return 1;
    }
    b.use_torch = b.use_torch && torch_available();
    printf("tiny VAE step: 784-400-20, Bernoulli, batch 128, Adam, float; %s; %.3f MFLOP "
           "per image in 11 sgemm calls per step\n",
           real ? "Fashion-MNIST (60000, binarised at 0.5)" : "60000 random binary images",
           b.fpr / 1e6);
    run(&b, d);
    report(&b);
    el_vae_data_free(d);
    return 0;
}
