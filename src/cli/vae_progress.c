/* vae_progress.c -- the live progress bar of `elbolab vae train`: epoch,
 * batch, running ELBO, images per second and time left, on stderr when it
 * is a terminal (nothing otherwise). */
#include "cli/vae_cli.h"

#include <time.h>
#include <unistd.h>

#define BAR 24

double vae_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void vae_progress_init(vae_progress *p, size_t epochs, size_t rows)
{
    p->on = isatty(STDERR_FILENO);
    p->epoch = 0;
    p->epochs = epochs;
    p->rows = rows;
    p->start = p->last = p->epoch_start = vae_now();
    p->images = 0;
}

void vae_progress_start_epoch(vae_progress *p)
{
    p->epoch_start = vae_now();
}

/* "m:ss" (or "h:mm:ss") of S seconds into BUF. */
static void clock_text(char *buf, size_t len, double s)
{
    long t = s > 0 && s < 1e7 ? (long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void vae_progress_batch(void *ctx, size_t batch, size_t nbatch, const el_vae_terms *running)
{
    vae_progress *p = ctx;
    double now = vae_now();
    double done =
        (double)p->epoch * (double)p->rows + (double)batch / (double)nbatch * (double)p->rows;
    p->images = done;
    if (!p->on || (now - p->last < 0.1 && batch < nbatch))
        return;
    p->last = now;
    double rate = done / (now - p->start + 1e-9); /* overall, evaluations included */
    double left = ((double)p->epochs * (double)p->rows - done) / (rate > 0 ? rate : 1);
    double ips = (double)batch / (double)nbatch * (double)p->rows / (now - p->epoch_start + 1e-9);
    char bar[BAR + 1], eta[32];
    size_t full = (size_t)((double)BAR * (double)batch / (double)nbatch);
    for (size_t i = 0; i < BAR; i++)
        bar[i] = i < full ? '#' : '-';
    bar[BAR] = '\0';
    clock_text(eta, sizeof eta, left);
    fprintf(stderr, "\repoch %zu/%zu [%s] %zu/%zu  ELBO %.2f  %.0f img/s  %s left\033[K",
            p->epoch + 1, p->epochs, bar, batch, nbatch, -(running->recon + running->kl), ips, eta);
    fflush(stderr);
}

void vae_progress_epoch(vae_progress *p, const char *line)
{
    p->epoch++;
    if (p->on)
        fprintf(stderr, "\r%s\033[K\n", line);
}
