/* pool.c -- the model's own threads (pool.h): one mutex, a "go" condition
 * the workers sleep on, a generation count that says a new run started, and
 * a "done" condition the caller sleeps on until every worker has finished. */
#include <pthread.h>
#include <stdlib.h>

#include "vae/pool.h"

struct vae_pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen; /* runs started */
    int n, busy, stop; /* team size, workers still running this run, shut down */
    vae_pool_fn fn;
    void *ctx;
    struct worker {
        struct vae_pool *p;
        int part;
        pthread_t th;
    } w[VAE_POOL_MAX];
};

/* A worker: waits for a new generation, runs its part, reports, repeats. */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    vae_pool *p = w->p;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->stop)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->stop)
            break;
        seen = p->gen;
        vae_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);
        fn(ctx, w->part, p->n);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

vae_pool *vae_pool_new(int n)
{
    if (n < 1 || n > VAE_POOL_MAX)
        return NULL;
    vae_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->n = 1;
    for (int t = 1; t < n; t++) {
        p->w[t] = (struct worker){ p, t, 0 };
        if (pthread_create(&p->w[t].th, NULL, worker_main, &p->w[t]) != 0) {
            vae_pool_free(p);
            return NULL;
        }
        p->n = t + 1;
    }
    return p;
}

void vae_pool_run(vae_pool *p, vae_pool_fn fn, void *ctx)
{
    if (p->n > 1) {
        pthread_mutex_lock(&p->mu);
        p->fn = fn, p->ctx = ctx, p->busy = p->n - 1;
        p->gen++;
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    fn(ctx, 0, p->n);
    if (p->n > 1) {
        pthread_mutex_lock(&p->mu);
        while (p->busy > 0)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}

int vae_pool_size(const vae_pool *p)
{
    return p->n;
}

void vae_pool_free(vae_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int t = 1; t < p->n; t++)
        pthread_join(p->w[t].th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p);
}
