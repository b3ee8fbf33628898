/* files.c -- the file helpers the grader shares: reading a whole
 * file, listing a folder, finding the answer file in a submission folder,
 * and writing a file atomically. */
#include "grade/util.h"
#include "core/el_core.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading ------------------------------------------------------------------ */

int grade_slurp(const char *path, size_t limit, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    FILE *f;
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return EL_ERROR(EL_EIO, "%s is a directory, not a file", path);
    int st = el_file_open_read(path, 0, &f, NULL); /* a FIFO or device is refused */
    if (st)
        return st;
    gbuf b = { 0 };
    char chunk[65536];
    size_t k;
    gbuf_add(&b, "", 0);
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0 && b.n <= limit)
        gbuf_add(&b, chunk, k);
    int err = ferror(f);
    fclose(f);
    if (b.oom || err || b.n > limit) {
        free(b.s);
        if (b.oom)
            return EL_ERROR(EL_ENOMEM, "out of memory reading %s", path);
        if (err)
            return EL_ERROR(EL_EIO, "cannot read %s", path);
        return EL_ERROR(EL_ELIMIT, "%s is larger than %zu MB", path, limit >> 20);
    }
    *len = b.n;
    *out = gbuf_take(&b);
    return EL_OK;
}

/* ---- folders ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The non-hidden entries of DIR, sorted; EL_EIO if it cannot be read. */
int grade_list_dir(const char *dir, char ***names, size_t *n)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return EL_ERROR(EL_EIO, "cannot open the folder %s: %s", dir, strerror(errno));
    size_t cap = 0;
    struct dirent *e;
    int st = EL_OK;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (grade_grow((void **)names, &cap, *n, sizeof **names) ||
            !((*names)[*n] = grade_strdup(e->d_name)))
            st = EL_ERROR(EL_ENOMEM, "out of memory");
        else
            (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return st;
}

void grade_free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* How much NAME looks like an answer file: 3 answers.*, 2 .txt/.ini/.tex,
 * 1 anything else that is not obviously binary, 0 binary. */
static int answer_rank(const char *name)
{
    static const char *const binary[] = { ".pdf", ".png",  ".jpg",  ".jpeg",
                                          ".zip", ".docx", ".json", NULL };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && binary[i]; i++)
        if (!strcasecmp(dot, binary[i]))
            return 0;
    int text = dot && (!strcasecmp(dot, ".txt") || !strcasecmp(dot, ".ini") ||
                       !strcasecmp(dot, ".tex") || !strcasecmp(dot, ".md"));
    if (!strncasecmp(name, "answers", 7) && (text || !dot))
        return 3;
    return text ? 2 : 1;
}

int grade_find_submission(const char *dir, char **path)
{
    char **names;
    size_t n;
    *path = NULL;
    int st = grade_list_dir(dir, &names, &n);
    if (st)
        return st;
    int best = 0;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        gbuf b = { 0 };
        gbuf_printf(&b, "%s/%s", dir, names[i]);
        struct stat sb;
        int r = (b.s && stat(b.s, &sb) == 0 && S_ISREG(sb.st_mode)) ? answer_rank(names[i]) : 0;
        free(b.s);
        if (r > best) {
            best = r;
            pick = names[i];
        }
    }
    if (pick) {
        gbuf b = { 0 };
        gbuf_printf(&b, "%s/%s", dir, pick);
        *path = gbuf_take(&b);
        st = *path ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    } else {
        st = EL_ERROR(EL_ENOTFOUND, "no answer file (answers.txt, *.ini or *.tex) in %s", dir);
    }
    grade_free_names(names, n);
    return st;
}

/* ---- writing ------------------------------------------------------------------ */

/* Writes the NUL-terminated TEXT to PATH through a temporary file in the
 * same folder and a rename, so that readers never see half a file; a PATH
 * that exists and is not a regular file is never replaced (el_file_out). */
int grade_write_atomic(const char *path, const char *text, size_t len, unsigned mode)
{
    el_file_out o;
    int st = el_file_out_open(&o, path, mode);
    if (st)
        return st;
    if (fwrite(text, 1, len, o.f) != len) {
        el_file_out_abort(&o);
        return EL_ERROR(EL_EIO, "cannot write %s", path);
    }
    return el_file_out_commit(&o);
}
