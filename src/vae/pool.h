/* pool.h -- private to src/vae: a fixed team of threads for one model.
 * vae_pool_run(p, fn, ctx) calls fn(ctx, t, n) for t = 0 .. n-1, part 0 on
 * the caller and part t on worker t, and returns when all parts are done.
 * Workers sleep on a condition variable between runs (they never spin: on a
 * shared machine a spinning waiter takes the core from the work it waits
 * for).  Not for concurrent callers. */
#ifndef EL_VAE_POOL_H
#define EL_VAE_POOL_H

typedef void (*vae_pool_fn)(void *ctx, int part, int nparts);
typedef struct vae_pool vae_pool;

/* A team of N threads (the caller and N - 1 workers), N in 1..VAE_POOL_MAX;
 * NULL when threads cannot be created. */
#define VAE_POOL_MAX 64
vae_pool *vae_pool_new(int n);

/* Runs FN on every part (see above); with one thread, just fn(ctx, 0, 1). */
void vae_pool_run(vae_pool *p, vae_pool_fn fn, void *ctx);

/* The team's size. */
int vae_pool_size(const vae_pool *p);

/* Stops and joins the workers (NULL is a no-op). */
void vae_pool_free(vae_pool *p);

/* The number of threads el_vae_threads set for the network's own team (1
 * when OpenBLAS threads itself, EL_VAE_PAR_BLAS), and whether the parts of
 * a batch are the finer ones (EL_VAE_PAR_SPLIT_FINE).  (threads.c) */
int vae_pool_threads(void);
int vae_pool_fine(void);

#endif
