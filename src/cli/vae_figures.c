/* vae_figures.c -- the figures `elbolab vae train` leaves next to the model:
 * training curves (ELBO, reconstruction, KL and the IWAE estimate per
 * epoch), reconstructions and samples as image grids (or scatter plots for
 * low-dimensional data), and the latent space coloured by class.  Each is a
 * self-contained gnuplot script (header and style from el_plot_script),
 * rendered by one gnuplot process. */
#include "cli/cli.h"
#include "cli/vae_cli.h"
#include "core/el_core.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FIGS      8
#define GRID_COLS     8
#define LATENT_POINTS 2000
#define MAX_GRID      1024 /* images in one grid figure */

typedef struct {
    el_vae *m;
    const vae_data *d; /* test may be NULL (vae sample without the data) */
    const vae_history *h;
    size_t iwae_k, nsamples;
    unsigned long seed;
    size_t width, height; /* image shape, 0 when rows are not images */
} fig_ctx;

typedef int (*body_fn)(FILE *f, const fig_ctx *c);

/* Writes CMD, then PRE NAME POST as one gnuplot string (NAME comes from a
 * file or the command line: el_plot_quote escapes it), then a newline. */
static void quoted_title(FILE *f, const char *cmd, const char *pre, const char *name,
                         const char *post)
{
    char t[512];
    snprintf(t, sizeof t, "%s%s%s", pre, name, post);
    fputs(cmd, f);
    el_plot_quote(f, t);
    fputc('\n', f);
}

/* el_figure.write has no context argument: the figure being written reads
 * its data through these (the CLI is single-threaded). */
static const fig_ctx *current_ctx;
static body_fn current_body;

static int write_current(FILE *f, const el_plot_opts *o)
{
    (void)o;
    return current_body(f, current_ctx);
}

typedef struct {
    char gp[MAX_FIGS][4096], img[MAX_FIGS][4096];
    size_t n;
} fig_list;

/* Writes DIR/ID.gp (data inline) for BODY; the image path is DIR/ID.EXT. */
static int write_figure(const char *dir, const char *id, const char *title, body_fn body,
                        const fig_ctx *c, el_plot_format fmt, fig_list *out)
{
    if (out->n >= MAX_FIGS)
        return 0;
    char *gp = out->gp[out->n], *img = out->img[out->n];
    snprintf(gp, 4096, "%s/%s.gp", dir, id);
    snprintf(img, 4096, "%s/%s.%s", dir, id, el_plot_ext(fmt));
    el_figure fig = { id, title, "vae", write_current };
    el_plot_opts o = { fmt, img, c->seed };
    current_ctx = c, current_body = body;
    el_file_out f;
    if (el_file_out_open(&f, gp, 0644))
        return cli_fail_lib("vae");
    int s = el_plot_script(&fig, &o, f.f);
    if (s)
        el_file_out_abort(&f);
    else
        s = el_file_out_commit(&f);
    if (s)
        return cli_fail_lib("vae");
    out->n++;
    return 0;
}

/* Renders every script of L (one gnuplot each, so no setting leaks from one
 * figure into the next); 0, or an exit code after a message. */
static int render(const fig_list *l, const char *dir, int quiet)
{
    for (size_t i = 0; i < l->n; i++) {
        int e = cli_gnuplot(l->gp[i], l->img[i]);
        if (e == 127)
            return cli_fail("vae",
                            "gnuplot is not installed: run 'apt-get install gnuplot-nox' "
                            "(the figure scripts are in %s)",
                            dir);
        if (e == 2)
            return cli_fail_lib("vae");
        if (e)
            return cli_fail("vae", "gnuplot failed on %s", l->gp[i]);
        if (!quiet)
            printf("%s\n", l->img[i]);
    }
    return 0;
}

/* ---- image grids ------------------------------------------------------------- */

/* Writes $NAME: N images (W x H, values in [0,1]) as one matrix, COLS per
 * row, separated by a one-pixel grey frame. */
static void grid_block(FILE *f, const char *name, const double *img, size_t n, size_t w, size_t h,
                       size_t cols)
{
    size_t rows = (n + cols - 1) / cols, W = cols * (w + 1) + 1, Hh = rows * (h + 1) + 1;
    fprintf(f, "$%s << EOD\n", name);
    for (size_t y = 0; y < Hh; y++) {
        for (size_t x = 0; x < W; x++) {
            size_t r = y / (h + 1), c = x / (w + 1), py = y % (h + 1), px = x % (w + 1);
            size_t k = r * cols + c;
            double v = 0.25; /* the frame */
            if (py > 0 && px > 0)
                v = k < n ? img[k * w * h + (py - 1) * w + (px - 1)] : 0.0;
            fprintf(f, x ? " %.3f" : "%.3f", v);
        }
        fputc('\n', f);
    }
    fputs("EOD\n", f);
}

/* The plot command of an image grid. */
static void grid_plot(FILE *f, const char *name)
{
    fputs("unset key\nunset tics\nunset border\nunset grid\nunset colorbox\n"
          "set size ratio -1\nset yrange [*:*] reverse\n"
          "set palette defined (0 'white', 1 'black')\nset cbrange [0:1]\n",
          f);
    fprintf(f, "plot $%s matrix with image\n", name);
}

static int body_samples_grid(FILE *f, const fig_ctx *c)
{
    size_t n = c->nsamples, D = c->m->cfg.x_dim;
    double *x = malloc(n * D * sizeof *x);
    int s = x ? el_vae_sample_prior(c->m, n, c->seed, x) : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s) {
        quoted_title(f, "set title ", "Samples: decoder means of z \\~ N(0, I) (", c->d->name, ")");
        grid_block(f, "samples", x, n, c->width, c->height, GRID_COLS);
        grid_plot(f, "samples");
    }
    free(x);
    return s;
}

static int body_reconstructions(FILE *f, const fig_ctx *c)
{
    const el_vae_data *t = c->d->test;
    size_t n = t->n < 16 ? t->n : 16, D = t->d, Z = c->m->cfg.z_dim;
    double *mu = malloc(n * Z * sizeof *mu), *rec = malloc(n * D * sizeof *rec),
           *grid = malloc(2 * n * D * sizeof *grid);
    int s = mu && rec && grid ? el_vae_encode(c->m, t, 0, n, mu, NULL)
                              : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = el_vae_decode(c->m, mu, n, rec);
    if (!s) {
        /* rows of GRID_COLS: originals, then their reconstructions */
        for (size_t k = 0; k < n; k++) {
            size_t row = k / GRID_COLS, col = k % GRID_COLS;
            double *o = grid + ((2 * row) * GRID_COLS + col) * D;
            double *r = grid + ((2 * row + 1) * GRID_COLS + col) * D;
            for (size_t j = 0; j < D; j++)
                o[j] = t->x[k * D + j], r[j] = rec[k * D + j];
        }
        fputs("set title 'Test images (odd rows) and their reconstructions at z = mu(x) "
              "(even rows)'\n",
              f);
        grid_block(f, "recon", grid, 2 * n, t->width, t->height, GRID_COLS);
        grid_plot(f, "recon");
    }
    free(mu);
    free(rec);
    free(grid);
    return s;
}

/* ---- scatter plots for low-dimensional data -------------------------------------------- */

static int body_samples_scatter(FILE *f, const fig_ctx *c)
{
    const el_vae_data *t = c->d->test;
    size_t n = c->nsamples, D = c->m->cfg.x_dim, nt = !t ? 0 : t->n < 1000 ? t->n : 1000;
    double *x = malloc(n * D * sizeof *x), *a = malloc(2 * (n + nt) * sizeof *a);
    int s =
        x && a ? el_vae_sample_prior(c->m, n, c->seed, x) : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s) {
        for (size_t i = 0; i < nt; i++)
            a[i] = t->x[i * D], a[nt + i] = t->x[i * D + 1];
        double *b = a + 2 * nt;
        for (size_t i = 0; i < n; i++)
            b[i] = x[i * D], b[n + i] = x[i * D + 1];
        const double *cd[2] = { a, a + nt }, *cs[2] = { b, b + n };
        el_plot_block(f, "samples", n, 2, cs);
        if (nt)
            el_plot_block(f, "data", nt, 2, cd);
        quoted_title(f, "set title ",
                     nt ? "Test data and decoder means of z \\~ N(0, I) ("
                        : "decoder means of z \\~ N(0, I) (",
                     c->d->name, ")");
        fputs("set xlabel 'x_1'\nset ylabel 'x_2'\nset size ratio -1\nplot ", f);
        if (nt)
            fputs("$data with points pt 7 ps 0.4 lc rgb '#9ecae1' title 'test data', ", f);
        fputs("$samples with points ls 2 ps 0.5 title 'samples'\n", f);
    }
    free(x);
    free(a);
    return s;
}

/* Writes the 2-D coordinates of class K (rows with that label) as block $cK. */
static void class_block(FILE *f, const double *p, const int *lab, size_t n, int k)
{
    fprintf(f, "$c%d << EOD\n", k);
    for (size_t i = 0; i < n; i++)
        if (!lab || lab[i] == k)
            fprintf(f, "%.6g %.6g\n", p[2 * i], p[2 * i + 1]);
    fputs("EOD\n", f);
}

static int body_latent(FILE *f, const fig_ctx *c)
{
    const el_vae_data *t = c->d->test;
    size_t n = t->n < LATENT_POINTS ? t->n : LATENT_POINTS, Z = c->m->cfg.z_dim;
    double *mu = malloc(n * Z * sizeof *mu), *p = malloc(2 * n * sizeof *p);
    int s = mu && p ? el_vae_encode(c->m, t, 0, n, mu, NULL) : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = el_vae_latent_plane(mu, n, Z, p);
    if (!s) {
        int K = t->label ? (int)t->nclass : 1;
        for (int k = 0; k < K; k++)
            class_block(f, p, t->label, n, k);
        fprintf(f,
                "set title 'Latent means mu(x) of %zu test points%s, by class'\n"
                "set xlabel '%s'\nset ylabel '%s'\nset key outside right top\n",
                n, Z > 2 ? " (first two principal axes)" : "", Z > 2 ? "principal axis 1" : "z_1",
                Z > 2 ? "principal axis 2" : "z_2");
        fputs("plot ", f);
        for (int k = 0; k < K; k++) {
            const char *name = vae_class_name(c->d, (size_t)k);
            static const char *tab10[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };
            if (K <= 10)
                fprintf(f, "%s$c%d with points pt 7 ps 0.45 lc rgb '%s' title ", k ? ", " : "", k,
                        tab10[k]);
            else
                fprintf(f,
                        "%s$c%d with points pt 7 ps 0.45 lc rgb hsv2rgb(%.3f, 0.85, 0.85) "
                        "title ",
                        k ? ", " : "", k, (double)k / K);
            char cls[32];
            snprintf(cls, sizeof cls, "class %d", k);
            el_plot_quote(f, name ? name : t->label ? cls : "test points");
        }
        fputc('\n', f);
    }
    free(mu);
    free(p);
    return s;
}

/* ---- training curves ---------------------------------------------------------------- */

static int body_training(FILE *f, const fig_ctx *c)
{
    const vae_history *h = c->h;
    double *ep = malloc(h->n * sizeof *ep);
    if (!ep)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < h->n; i++)
        ep[i] = (double)(i + 1);
    const double *cols[] = { ep,           h->train_elbo, h->test_elbo,
                             h->test_iwae, h->test_recon, h->test_kl };
    el_plot_block(f, "hist", h->n, 6, cols);
    free(ep);
    quoted_title(f, "set multiplot layout 1,2 title ", "Tiny VAE on ", c->d->name,
                 ": nats per image");
    fprintf(f,
            "set xlabel 'epoch'\nset ylabel 'nats per image'\nset key bottom right\n"
            "set xtics 1\n"
            "plot $hist using 1:2 with linespoints ls 1 title 'train ELBO (running mean)', "
            "'' using 1:3 with linespoints ls 2 title 'test ELBO', "
            "'' using 1:4 with linespoints ls 3 title 'test IWAE_{%zu} (log p(x) estimate, %zu "
            "images)'\n"
            "set ylabel 'reconstruction  -E_q log p(x|z)'\nset y2label 'KL(q(z|x) || N(0, I))'\n"
            "set y2tics\nset key top right\n"
            "plot $hist using 1:5 with linespoints ls 1 title 'reconstruction (test)', "
            "'' using 1:6 axes x1y2 with linespoints ls 2 title 'KL (test, right axis)'\n"
            "unset multiplot\n",
            c->iwae_k, h->iwae_rows);
    return EL_OK;
}

/* ---- entry points ----------------------------------------------------------------------- */

/* Creates DIR when missing. */
static int make_dir(const char *dir)
{
    if (el_plot_check_path(dir))
        return cli_fail_lib("vae");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail("vae", "cannot create %s: %s", dir, strerror(errno));
    return 0;
}

int vae_figures(const char *dir, el_vae *m, const vae_data *d, const vae_history *h, size_t iwae_k,
                unsigned long seed, el_plot_format fmt, int quiet)
{
    fig_ctx c = { m, d, h, iwae_k, GRID_COLS * GRID_COLS, seed, d->test->width, d->test->height };
    fig_list l = { .n = 0 };
    int images = d->test->width > 0, rc = make_dir(dir);
    if (!rc && h && h->n >= 2) /* a curve needs two epochs */
        rc = write_figure(dir, "training", "ELBO, reconstruction and KL per epoch", body_training,
                          &c, fmt, &l);
    if (!rc && images)
        rc = write_figure(dir, "reconstructions", "test images and reconstructions",
                          body_reconstructions, &c, fmt, &l);
    if (!rc)
        rc = write_figure(dir, "samples", "decoded samples of the prior",
                          images ? body_samples_grid : body_samples_scatter, &c, fmt, &l);
    if (!rc)
        rc = write_figure(dir, "latent", "latent means by class", body_latent, &c, fmt, &l);
    return rc ? rc : render(&l, dir, quiet);
}

int vae_figure_samples(const char *dir, el_vae *m, const vae_data *d, size_t width, size_t height,
                       size_t n, unsigned long seed, el_plot_format fmt)
{
    fig_ctx c = { m, d, NULL, 0, n, seed, width, height };
    fig_list l = { .n = 0 };
    if (width && n > MAX_GRID)
        return cli_fail("vae", "--n is at most %d for a grid of images (--text prints more)",
                        MAX_GRID);
    int rc = make_dir(dir);
    if (!rc)
        rc = write_figure(dir, "samples", "decoded samples of the prior",
                          width ? body_samples_grid : body_samples_scatter, &c, fmt, &l);
    return rc ? rc : render(&l, dir, 0);
}
