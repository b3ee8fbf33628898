/* vae_cli.h -- the pieces of `elbolab vae`: data sets by name, the progress
 * bar, and the figures written after a run.  Private to the CLI. */
#ifndef EL_VAE_CLI_H
#define EL_VAE_CLI_H

#include <stdio.h>
#include "vae/el_vae.h"
#include "plot/el_plot.h"

/* ---- data ---------------------------------------------------------------- */

typedef struct {
    el_vae_data *train, *test;
    char name[256]; /* what the model file records: "fashion-mnist", "synthetic:toy2d", a folder */
    double threshold; /* binarisation threshold (< 0: grey levels) */
} vae_data;

/* Opens SPEC -- "synthetic" (sprites), "synthetic:KIND", "fashion-mnist" or
 * a folder of IDX files -- with at most MAX_ROWS training rows (0 = all).
 * Returns 0, or prints one line and returns EXIT_USAGE. */
int vae_data_open(const char *spec, double threshold, size_t max_rows, unsigned long seed,
                  vae_data *out);
void vae_data_close(vae_data *d);

/* Class names of a data set ("T-shirt/top", ... for Fashion-MNIST), or NULL. */
const char *vae_class_name(const vae_data *d, size_t k);

/* ---- progress bar --------------------------------------------------------------- */

typedef struct {
    int on; /* 1 when stderr is a terminal */
    size_t epoch, epochs, rows;
    double start, last; /* wall-clock seconds: the run's start, the last redraw */
    double epoch_start; /* when the current epoch's training began */
    double images;      /* images trained so far in the run */
} vae_progress;

double vae_now(void);
void vae_progress_init(vae_progress *p, size_t epochs, size_t rows);
/* Marks the start of an epoch's training (images per second count from here). */
void vae_progress_start_epoch(vae_progress *p);
/* el_vae_progress_fn: redraws the bar at most ten times a second. */
void vae_progress_batch(void *ctx, size_t batch, size_t nbatch, const el_vae_terms *running);
/* Ends the bar of an epoch with a summary LINE (printed only on a terminal). */
void vae_progress_epoch(vae_progress *p, const char *line);

/* ---- figures ---------------------------------------------------------------------- */

/* One row per epoch. */
typedef struct {
    size_t n;
    size_t iwae_rows; /* test rows of the IWAE estimate */
    double *train_elbo, *test_elbo, *test_recon, *test_kl, *test_iwae, *ips;
} vae_history;

/* Writes the figures of a trained model into DIR (training curves, a grid of
 * reconstructions and of samples, the latent space by class) and renders
 * them with gnuplot.  Prints the image paths; returns 0 or an exit code. */
int vae_figures(const char *dir, el_vae *m, const vae_data *d, const vae_history *h, size_t iwae_k,
                unsigned long seed, el_plot_format fmt, int quiet);

/* Only the samples figure (for `vae sample`): an image grid when WIDTH > 0,
 * else a scatter plot, over the test data when d->test is not NULL. */
int vae_figure_samples(const char *dir, el_vae *m, const vae_data *d, size_t width, size_t height,
                       size_t n, unsigned long seed, el_plot_format fmt);

#endif
