/* model_io.c -- the versioned binary model file.
 *
 * Layout (all integers and reals little-endian):
 *   "ELBOVAE\0"                       8 bytes magic
 *   version u32, precision u32        (4 = float, 8 = double)
 *   x_dim, hidden, z_dim, mixture u64; decoder u32; sigma f64
 *   data: length u32 + bytes; threshold f64; width, height, epochs u64
 *   nparams u64, then nparams values of the given precision
 *   CRC-32 (zlib) of every byte before it, u32
 * A reader refuses a file whose magic, version, shapes, length or checksum
 * is wrong, with a message that says which. */
#include "vae/el_vae.h"
#include "core/el_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const char magic[8] = { 'E', 'L', 'B', 'O', 'V', 'A', 'E', '\0' };
#define MAX_FILE ((size_t)1 << 30) /* a 784-400-20 model is 2.6 MB */

/* ---- writing: a growing byte buffer ------------------------------------------ */

typedef struct {
    unsigned char *b;
    size_t n, cap;
    int oom;
} wbuf;

static void put_bytes(wbuf *w, const void *p, size_t n)
{
    if (w->oom)
        return;
    if (w->n + n > w->cap) {
        size_t cap = (w->cap ? w->cap * 2 : 4096) + n;
        unsigned char *b = realloc(w->b, cap);
        if (!b) {
            w->oom = 1;
            return;
        }
        w->b = b;
        w->cap = cap;
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

/* Appends the low NBYTES bytes of V, least significant first. */
static void put_uint(wbuf *w, uint64_t v, int nbytes)
{
    unsigned char b[8];
    for (int i = 0; i < nbytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(w, b, (size_t)nbytes);
}

static void put_f64(wbuf *w, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    put_uint(w, u, 8);
}

static void put_f32(wbuf *w, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    put_uint(w, u, 4);
}

/* Writes the N bytes B to PATH through a temporary file and a rename. */
static int write_atomic(const char *path, const unsigned char *b, size_t n)
{
    el_file_out o;
    int s = el_file_out_open(&o, path, 0644);
    if (s)
        return s;
    if (fwrite(b, 1, n, o.f) != n) {
        el_file_out_abort(&o);
        return EL_ERROR(EL_EIO, "cannot write %s", path);
    }
    return el_file_out_commit(&o);
}

int el_vae_save(const el_vae *m, const el_vae_meta *meta, const char *path)
{
    wbuf w = { NULL, 0, 0, 0 };
    const el_vae_config *c = &m->cfg;
    put_bytes(&w, magic, 8);
    put_uint(&w, EL_VAE_FILE_VERSION, 4);
    put_uint(&w, (uint64_t)m->prec, 4);
    put_uint(&w, c->x_dim, 8), put_uint(&w, c->hidden, 8), put_uint(&w, c->z_dim, 8);
    put_uint(&w, c->mixture, 8), put_uint(&w, (uint64_t)c->decoder, 4), put_f64(&w, c->sigma);
    size_t len = strnlen(meta->data, sizeof meta->data - 1);
    put_uint(&w, len, 4), put_bytes(&w, meta->data, len), put_f64(&w, meta->threshold);
    put_uint(&w, meta->width, 8), put_uint(&w, meta->height, 8), put_uint(&w, meta->epochs, 8);
    put_uint(&w, m->nparams, 8);
    for (size_t i = 0; i < m->nparams; i++) {
        if (m->prec == EL_VAE_F32)
            put_f32(&w, ((const float *)m->params)[i]);
        else
            put_f64(&w, ((const double *)m->params)[i]);
    }
    put_uint(&w, crc32(0L, w.b, (uInt)w.n), 4);
    int s = w.oom ? EL_ERROR(EL_ENOMEM, "out of memory") : write_atomic(path, w.b, w.n);
    free(w.b);
    return s;
}

/* ---- reading: a bounds-checked cursor ------------------------------------------ */

typedef struct {
    const unsigned char *b;
    size_t n, pos;
    int short_read; /* set when a read ran past the end */
} rbuf;

static uint64_t get_uint(rbuf *r, int nbytes)
{
    if (r->pos + (size_t)nbytes > r->n) {
        r->short_read = 1;
        r->pos = r->n;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++)
        v |= (uint64_t)r->b[r->pos + (size_t)i] << (8 * i);
    r->pos += (size_t)nbytes;
    return v;
}

static double get_f64(rbuf *r)
{
    uint64_t u = get_uint(r, 8);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

static float get_f32(rbuf *r)
{
    uint32_t u = (uint32_t)get_uint(r, 4);
    float x;
    memcpy(&x, &u, 4);
    return x;
}

/* Reads the whole of PATH (a regular file of at most MAX_FILE bytes) into *B. */
static int slurp(const char *path, unsigned char **b, size_t *n)
{
    return el_file_read(path, MAX_FILE, b, n);
}

/* Parses the header of R into CFG, PREC and META. */
static int parse_header(rbuf *r, const char *path, el_vae_config *cfg, el_vae_precision *prec,
                        el_vae_meta *meta)
{
    if (r->n < 8 || memcmp(r->b, magic, 8) != 0)
        return EL_ERROR(EL_EFORMAT, "%s is not an elbolab VAE model (bad magic)", path);
    r->pos = 8;
    uint64_t version = get_uint(r, 4);
    if (version != EL_VAE_FILE_VERSION)
        return EL_ERROR(EL_EFORMAT,
                        "%s is a VAE model of format version %llu; this elbolab reads "
                        "version %d",
                        path, (unsigned long long)version, EL_VAE_FILE_VERSION);
    *prec = (el_vae_precision)get_uint(r, 4);
    cfg->x_dim = (size_t)get_uint(r, 8), cfg->hidden = (size_t)get_uint(r, 8);
    cfg->z_dim = (size_t)get_uint(r, 8), cfg->mixture = (size_t)get_uint(r, 8);
    cfg->decoder = (el_vae_decoder)get_uint(r, 4), cfg->sigma = get_f64(r);
    size_t len = (size_t)get_uint(r, 4);
    if (len >= sizeof meta->data || r->pos + len > r->n)
        return EL_ERROR(EL_EFORMAT, "%s is damaged: bad data name length %zu", path, len);
    memset(meta->data, 0, sizeof meta->data);
    memcpy(meta->data, r->b + r->pos, len);
    r->pos += len;
    meta->threshold = get_f64(r);
    meta->width = (size_t)get_uint(r, 8), meta->height = (size_t)get_uint(r, 8);
    meta->epochs = (size_t)get_uint(r, 8);
    return r->short_read ? EL_ERROR(EL_EFORMAT, "%s is truncated (in the header)", path) : EL_OK;
}

/* Checks the CRC-32 in the last 4 bytes of R against the bytes before it. */
static int check_crc(const rbuf *r, const char *path)
{
    if (r->n < 12)
        return EL_ERROR(EL_EFORMAT, "%s is truncated (%zu bytes)", path, r->n);
    rbuf t = { r->b, r->n, r->n - 4, 0 };
    uint32_t want = (uint32_t)get_uint(&t, 4);
    uint32_t got = (uint32_t)crc32(0L, r->b, (uInt)(r->n - 4));
    if (want != got)
        return EL_ERROR(EL_EFORMAT, "%s is damaged or truncated (checksum %08x, expected %08x)",
                        path, (unsigned)got, (unsigned)want);
    return EL_OK;
}

/* Checks, before anything is allocated, the shapes read from the header of R
 * against sane bounds, the file's length and the image shape in META. */
static int check_sizes(const rbuf *r, const char *path, const el_vae_config *cfg,
                       el_vae_precision prec, const el_vae_meta *meta)
{
    size_t np;
    if (el_vae_shape_check(cfg, &np)) {
        char why[256];
        snprintf(why, sizeof why, "%s", el_errmsg());
        return EL_ERROR(EL_EFORMAT, "%s is damaged: %s", path, why);
    }
    if (prec != EL_VAE_F32 && prec != EL_VAE_F64)
        return EL_ERROR(EL_EFORMAT, "%s is damaged: precision %d", path, (int)prec);
    /* header, the count, the values, the CRC: NP is at most 2^30, so no overflow */
    if (r->pos + 8 + np * (size_t)prec + 4 != r->n)
        return EL_ERROR(EL_EFORMAT, "%s has %zu bytes; its shapes need %zu", path, r->n,
                        r->pos + 8 + np * (size_t)prec + 4);
    if ((meta->width || meta->height) && (meta->width > cfg->x_dim || meta->height > cfg->x_dim ||
                                          meta->width * meta->height != cfg->x_dim))
        return EL_ERROR(EL_EFORMAT, "%s is damaged: images of %zu x %zu for %zu inputs", path,
                        meta->width, meta->height, cfg->x_dim);
    return EL_OK;
}

/* Reads the parameters of M from R (the count must match M's shape). */
static int parse_params(rbuf *r, const char *path, el_vae *m)
{
    uint64_t np = get_uint(r, 8);
    if (np != m->nparams)
        return EL_ERROR(EL_EFORMAT, "%s holds %llu parameters; its shapes need %zu", path,
                        (unsigned long long)np, m->nparams);
    if (r->pos + m->nparams * (size_t)m->prec + 4 != r->n)
        return EL_ERROR(EL_EFORMAT, "%s has %zu bytes; its shapes need %zu", path, r->n,
                        r->pos + m->nparams * (size_t)m->prec + 4);
    for (size_t i = 0; i < m->nparams; i++) {
        if (m->prec == EL_VAE_F32)
            ((float *)m->params)[i] = get_f32(r);
        else
            ((double *)m->params)[i] = get_f64(r);
    }
    return EL_OK;
}

el_vae *el_vae_load_mem(const unsigned char *b, size_t n, const char *path, el_vae_meta *meta,
                        int *status)
{
    int dummy;
    status = status ? status : &dummy;
    el_vae *m = NULL;
    el_vae_config cfg;
    el_vae_precision prec = EL_VAE_F32;
    rbuf r = { b, n, 0, 0 };
    *status = parse_header(&r, path, &cfg, &prec, meta);
    if (!*status)
        *status = check_crc(&r, path);
    if (!*status)
        *status = check_sizes(&r, path, &cfg, prec, meta);
    if (!*status && !(m = el_vae_alloc(&cfg, prec, status))) {
        char why[256];
        snprintf(why, sizeof why, "%s", el_errmsg());
        *status = EL_ERROR(EL_EFORMAT, "%s is damaged: %s", path, why);
    }
    if (!*status)
        *status = parse_params(&r, path, m);
    if (*status) {
        el_vae_free(m);
        return NULL;
    }
    return m;
}

el_vae *el_vae_load(const char *path, el_vae_meta *meta, int *status)
{
    int dummy;
    status = status ? status : &dummy;
    unsigned char *b = NULL;
    size_t n = 0;
    *status = slurp(path, &b, &n);
    el_vae *m = *status ? NULL : el_vae_load_mem(b, n, path, meta, status);
    free(b);
    return m;
}
