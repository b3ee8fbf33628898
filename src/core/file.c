/* file.c -- opening inputs that are regular files only, and writing outputs
 * through a temporary file of our own in the target's folder. */
#include "core/el_core.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int el_file_open_read(const char *path, size_t limit, FILE **f, size_t *size)
{
    *f = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return EL_ERROR(EL_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    int st = EL_OK;
    if (fstat(fd, &sb) != 0)
        st = EL_ERROR(EL_EIO, "cannot read %s: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = EL_ERROR(EL_EIO, "%s is not a regular file", path);
    else if (limit && (uint64_t)sb.st_size > (uint64_t)limit)
        st = EL_ERROR(EL_ELIMIT, "%s is larger than the limit of %zu bytes", path, limit);
    else if (fcntl(fd, F_SETFL, 0) != 0 || !(*f = fdopen(fd, "rb")))
        st = EL_ERROR(EL_EIO, "cannot read %s: %s", path, strerror(errno));
    if (st) {
        close(fd);
        return st;
    }
    if (size)
        *size = (size_t)sb.st_size;
    return EL_OK;
}

int el_file_read(const char *path, size_t limit, unsigned char **buf, size_t *n)
{
    *buf = NULL;
    *n = 0;
    FILE *f;
    size_t size;
    int st = el_file_open_read(path, limit, &f, &size);
    if (st)
        return st;
    unsigned char *b = malloc(size + 1);
    size_t got = b ? fread(b, 1, size, f) : 0;
    int extra = b && got == size && fgetc(f) != EOF; /* it grew while we read it */
    int err = ferror(f);
    fclose(f);
    if (!b)
        return EL_ERROR(EL_ENOMEM, "out of memory reading %s", path);
    if (err || got != size || extra) {
        free(b);
        return EL_ERROR(EL_EIO, "cannot read %s (it changed while being read)", path);
    }
    b[size] = '\0';
    *buf = b;
    *n = size;
    return EL_OK;
}

int el_file_out_open(el_file_out *o, const char *path, unsigned mode)
{
    o->f = NULL;
    o->tmp = NULL;
    o->path = path;
    o->mode = mode;
    struct stat sb;
    if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return EL_ERROR(EL_EIO, "%s exists and is not a regular file: not replacing it", path);
    size_t len = strlen(path) + 16;
    o->tmp = malloc(len);
    if (!o->tmp)
        return EL_ERROR(EL_ENOMEM, "out of memory");
    /* DIR/.NAME.tmpXXXXXX: the same folder as PATH, hidden from folder listings
     * (a class being graded into its own folder does not see it) */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(o->tmp, len, "%.*s.%s.tmpXXXXXX", (int)dirlen, path, path + dirlen);
    int fd = mkstemp(o->tmp); /* O_EXCL: never follows a planted link */
    if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
        int st = EL_ERROR(EL_EIO, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return st;
    }
    return EL_OK;
}

int el_file_out_commit(el_file_out *o)
{
    if (!o->f)
        return EL_ERROR(EL_EUSAGE, "el_file_out_commit without an open file");
    int ok = fflush(o->f) == 0 && !ferror(o->f);
    ok = fchmod(fileno(o->f), (mode_t)o->mode) == 0 && ok;
    ok = (fclose(o->f) == 0) && ok;
    o->f = NULL;
    struct stat sb; /* refuse, again, to replace what appeared meanwhile */
    ok = ok && !(lstat(o->path, &sb) == 0 && !S_ISREG(sb.st_mode));
    ok = ok && rename(o->tmp, o->path) == 0;
    int st = ok ? EL_OK : EL_ERROR(EL_EIO, "cannot write %s: %s", o->path, strerror(errno));
    if (!ok)
        unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return st;
}

void el_file_out_abort(el_file_out *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    o->f = NULL;
    o->tmp = NULL;
}
