/* idx.c -- MNIST-style IDX files (Fashion-MNIST from Debian's
 * dataset-fashion-mnist package), gzip-compressed or plain, read with zlib.
 *
 * An IDX file is a big-endian header -- two zero bytes, a type byte (0x08:
 * unsigned bytes), the number of dimensions, then each dimension as a
 * 32-bit count -- followed by the values.  Every read is checked, so a
 * corrupt or truncated file gives a message instead of wrong numbers. */
#include "vae/el_vae.h"
#include "core/el_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_ROWS     10000000UL
#define MAX_PIXELS   65536UL
#define MAX_LABEL    99                /* class labels are 0..MAX_LABEL */
#define MAX_IDX_FILE ((size_t)1 << 31) /* the largest IDX file opened */

typedef struct {
    gzFile f;
    char path[4096];
} idx_file;

/* Opens DIR/NAME.gz, or DIR/NAME when that does not exist. */
static int idx_open(idx_file *x, const char *dir, const char *name)
{
    struct stat sb;
    snprintf(x->path, sizeof x->path, "%s/%s.gz", dir, name);
    if (lstat(x->path, &sb) != 0 && errno == ENOENT)
        snprintf(x->path, sizeof x->path, "%s/%s", dir, name);
    FILE *f;
    int s = el_file_open_read(x->path, MAX_IDX_FILE, &f, NULL); /* regular files only */
    if (s)
        return s;
    int fd = dup(fileno(f));
    fclose(f);
    x->f = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!x->f) {
        if (fd >= 0)
            close(fd);
        return EL_ERROR(EL_EIO, "cannot open %s: %s", x->path, errno ? strerror(errno) : "");
    }
    return EL_OK;
}

/* Reads exactly N bytes; EL_EFORMAT naming WHAT when the file is damaged or short. */
static int idx_read(idx_file *x, void *buf, size_t n, const char *what)
{
    size_t got = 0;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? (1u << 30) : (unsigned)(n - got);
        int r = gzread(x->f, (char *)buf + got, chunk);
        if (r < 0) {
            int err;
            const char *msg = gzerror(x->f, &err);
            return EL_ERROR(EL_EFORMAT, "%s is corrupt (%s): %s", x->path, what, msg);
        }
        if (r == 0)
            return EL_ERROR(EL_EFORMAT, "%s is truncated: %zu of %zu bytes of %s", x->path, got, n,
                            what);
        got += (size_t)r;
    }
    return EL_OK;
}

/* After the last value: reading on makes zlib verify the gzip trailer (CRC
 * and length), so damage that the inflater alone would not notice shows. */
static int idx_finish(idx_file *x)
{
    unsigned char c;
    int r = gzread(x->f, &c, 1);
    if (r < 0) {
        int err;
        return EL_ERROR(EL_EFORMAT, "%s is corrupt: %s", x->path, gzerror(x->f, &err));
    }
    if (r > 0)
        return EL_ERROR(EL_EFORMAT, "%s has bytes after the values its header announces", x->path);
    return EL_OK;
}

/* Reads the header: expects NDIM dimensions of unsigned bytes; DIMS gets them. */
static int idx_header(idx_file *x, int ndim, unsigned long *dims)
{
    unsigned char h[4], b[4];
    int s = idx_read(x, h, 4, "the header");
    if (s)
        return s;
    if (h[0] != 0 || h[1] != 0 || h[2] != 0x08 || h[3] != ndim)
        return EL_ERROR(EL_EFORMAT,
                        "%s is not an IDX file of %d-D unsigned bytes (magic %02x %02x %02x %02x)",
                        x->path, ndim, h[0], h[1], h[2], h[3]);
    for (int i = 0; i < ndim; i++) {
        if ((s = idx_read(x, b, 4, "the header")))
            return s;
        dims[i] = (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 |
                  (unsigned long)b[3];
    }
    return EL_OK;
}

/* Opens DIR/SPLIT-WHAT-idxNDIM-ubyte[.gz] and reads its header into DIMS.
 * On success the file is open (close x->f); on failure it is closed. */
static int idx_start(idx_file *x, const char *dir, const char *split, const char *what, int ndim,
                     unsigned long *dims)
{
    char name[256];
    snprintf(name, sizeof name, "%s-%s-idx%d-ubyte", split, what, ndim);
    int s = idx_open(x, dir, name);
    if (s)
        return s;
    s = idx_header(x, ndim, dims);
    if (s)
        gzclose(x->f);
    return s;
}

/* Reads the labels file of SPLIT: the first N labels into D (which has room
 * for N); the file must hold one label for each of the TOTAL images. */
static int read_labels(const char *dir, const char *split, el_vae_data *d, unsigned long n,
                       unsigned long total)
{
    idx_file x;
    unsigned long dims[1];
    int s = idx_start(&x, dir, split, "labels", 1, dims);
    if (s)
        return s;
    if (!s && dims[0] != total)
        s = EL_ERROR(EL_EFORMAT, "%s holds %lu labels for %lu images", x.path, dims[0], total);
    unsigned char *lab = s ? NULL : malloc(n ? n : 1);
    if (!s && !lab)
        s = EL_ERROR(EL_ENOMEM, "out of memory");
    if (!s)
        s = idx_read(&x, lab, n, "the labels");
    if (!s && n == dims[0])
        s = idx_finish(&x);
    for (unsigned long i = 0; !s && i < n; i++) {
        if (lab[i] > MAX_LABEL) {
            s = EL_ERROR(EL_EFORMAT, "%s: label %d of image %lu is not a class 0..%d", x.path,
                         lab[i], i, MAX_LABEL);
            break;
        }
        d->label[i] = lab[i];
        if ((size_t)lab[i] + 1 > d->nclass)
            d->nclass = (size_t)lab[i] + 1;
    }
    free(lab);
    gzclose(x.f);
    return s;
}

/* Reads the N pixel bytes of X into *PX, growing the buffer as the bytes
 * arrive: a header that announces more than the file holds costs no more
 * memory than the file. */
static int read_pixels(idx_file *x, size_t n, unsigned char **px)
{
    size_t got = 0, cap = 0;
    unsigned char *b = NULL;
    int s = EL_OK;
    while (!s && got < n) {
        if (got == cap) {
            size_t c = cap ? 2 * cap : ((size_t)1 << 20);
            c = c < n ? c : n;
            unsigned char *nb = realloc(b, c);
            if (!nb) {
                s = EL_ERROR(EL_ENOMEM, "out of memory reading %s", x->path);
                break;
            }
            b = nb;
            cap = c;
        }
        s = idx_read(x, b + got, cap - got, "the pixels");
        got = s ? got : cap;
    }
    if (s) {
        free(b);
        return s;
    }
    *px = b;
    return EL_OK;
}

/* Reads the images of SPLIT (at most MAX rows) into a new data set *OUT. */
static int read_images(const char *dir, const char *split, double thr, size_t max,
                       el_vae_data **out, unsigned long *total)
{
    idx_file x;
    unsigned long dims[3];
    int s = idx_start(&x, dir, split, "images", 3, dims);
    if (s)
        return s;
    if (!s && (dims[0] == 0 || dims[0] > MAX_ROWS || dims[1] == 0 || dims[2] == 0 ||
               dims[1] * dims[2] > MAX_PIXELS))
        s = EL_ERROR(EL_EFORMAT, "%s has implausible dimensions %lu x %lu x %lu", x.path, dims[0],
                     dims[1], dims[2]);
    size_t n = s ? 0 : (max && max < dims[0] ? max : dims[0]), d = s ? 0 : dims[1] * dims[2];
    unsigned char *px = NULL;
    if (!s)
        s = read_pixels(&x, n * d, &px); /* memory follows the bytes that are there */
    if (!s && n == dims[0])
        s = idx_finish(&x);
    gzclose(x.f);
    el_vae_data *data = s ? NULL : el_vae_data_alloc(n, d, 1, &s);
    for (size_t i = 0; data && i < n * d; i++) {
        float v = (float)px[i] / 255.0f;
        data->x[i] = thr >= 0 ? (v > thr ? 1.0f : 0.0f) : v;
    }
    free(px);
    if (s) {
        el_vae_data_free(data);
        return s;
    }
    *total = dims[0];
    data->width = dims[2];
    data->height = dims[1];
    data->binary = thr >= 0;
    *out = data;
    return EL_OK;
}

el_vae_data *el_vae_idx_load(const char *dir, const char *split, double threshold, size_t max_rows,
                             int *status)
{
    int dummy;
    status = status ? status : &dummy;
    el_vae_data *d = NULL;
    if (threshold >= 1 || threshold != threshold) {
        *status = EL_ERROR(EL_EDOM, "binarisation threshold must be < 1, got %g", threshold);
        return NULL;
    }
    unsigned long total = 0;
    *status = read_images(dir, split, threshold, max_rows, &d, &total);
    if (!*status)
        *status = read_labels(dir, split, d, (unsigned long)d->n, total);
    if (*status) {
        el_vae_data_free(d);
        return NULL;
    }
    return d;
}
