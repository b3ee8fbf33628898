/* book.c -- the exercises directory: every exercise file, the
 * problem sets and look-ups (each student's variant is grade_variant.c). */
#include "grade/util.h"
#include "grade/ini.h"
#include "grade/exercise.h"
#include "grade/sets.h"
#include "grade/grade_config.h"
#include "core/el_core.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct el_grade_book {
    size_t n, cap;
    el_grade_exercise **ex;
    size_t nsets, setcap;
    el_grade_exercise_set *sets;
};

/* The names of DIR's files ending in ".ini", sorted; a missing folder is
 * an error only when REQUIRED. */
static int ini_files(const char *dir, char ***names, size_t *n, int required)
{
    struct stat sb;
    *names = NULL;
    *n = 0;
    if (!required && stat(dir, &sb) != 0 && errno == ENOENT)
        return EL_OK;
    int st = grade_list_dir(dir, names, n);
    if (st == EL_EIO)
        return EL_ERROR(EL_EIO, "cannot open the exercises folder %s: %s", dir, strerror(errno));
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        size_t len = strlen((*names)[i]);
        if (len >= 5 && strcmp((*names)[i] + len - 4, ".ini") == 0)
            (*names)[k++] = (*names)[i];
        else
            free((*names)[i]);
    }
    *n = k;
    return st;
}

static char *join_path(const char *dir, const char *name)
{
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/%s", dir, name);
    return gbuf_take(&b);
}

/* ---- loading ------------------------------------------------------------------ */

static int add_exercise(el_grade_book *c, const char *dir, const char *name)
{
    char *path = join_path(dir, name), *text = NULL;
    size_t len;
    int st = path ? grade_slurp(path, 1u << 20, &text, &len) : EL_ERROR(EL_ENOMEM, "out of memory");
    el_grade_exercise *ex = NULL;
    if (!st)
        ex = grade_exercise_parse(text, len, path, &st);
    free(text);
    if (!st && el_grade_book_find(c, ex->id))
        st = EL_ERROR(EL_EFORMAT, "%s: exercise id '%s' is used twice", path, ex->id);
    if (!st && grade_grow((void **)&c->ex, &c->cap, c->n, sizeof *c->ex))
        st = EL_ERROR(EL_ENOMEM, "out of memory");
    free(path);
    if (st) {
        grade_exercise_free(ex);
        return st;
    }
    c->ex[c->n++] = ex;
    return EL_OK;
}

static el_grade_exercise_set *new_set(el_grade_book *c, const char *name)
{
    if (grade_grow((void **)&c->sets, &c->setcap, c->nsets, sizeof *c->sets))
        return NULL;
    el_grade_exercise_set *s = &c->sets[c->nsets];
    memset(s, 0, sizeof *s);
    s->name = grade_strdup(name);
    if (!s->name)
        return NULL;
    c->nsets++;
    return s;
}

static int add_set(el_grade_book *c, const char *dir, const char *name)
{
    char *path = join_path(dir, name), *text = NULL;
    size_t len;
    int st = path ? grade_slurp(path, 1u << 20, &text, &len) : EL_ERROR(EL_ENOMEM, "out of memory");
    ini_file f = { 0 };
    if (!st)
        st = ini_parse(text, len, &f);
    free(text);
    const char *sname = NULL;
    for (size_t i = 0; !st && f.n && i < f.s[0].n; i++)
        if (!strcmp(f.s[0].e[i].key, "name"))
            sname = f.s[0].e[i].value;
    if (!st && !sname)
        st = EL_ERROR(EL_EFORMAT, "%s: a problem set has a name", path);
    if (!st && el_grade_book_set(c, sname))
        st = EL_ERROR(EL_EFORMAT, "%s: problem set '%s' is defined twice", path, sname);
    el_grade_exercise_set *s = st ? NULL : new_set(c, sname);
    if (!st && !s)
        st = EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st)
        st = grade_set_read(c->ex, c->n, path, &f, s);
    ini_free(&f);
    free(path);
    return st;
}

/* The set "all" (every exercise in file-name order) unless a file made it. */
static int add_all(el_grade_book *c)
{
    if (el_grade_book_set(c, "all"))
        return EL_OK;
    el_grade_exercise_set *s = new_set(c, "all");
    if (!s || !(s->title = grade_strdup("All exercises")) ||
        !(s->ex = calloc(c->n + 1, sizeof *s->ex)))
        return EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n; i++)
        s->ex[s->n++] = c->ex[i];
    return EL_OK;
}

el_grade_book *el_grade_book_load(const char *dir, int *status)
{
    el_gsl_init();
    el_grade_book *c = calloc(1, sizeof *c);
    char **names = NULL, *setdir = NULL;
    size_t n = 0;
    int st = c ? ini_files(dir, &names, &n, 1) : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st && n == 0)
        st = EL_ERROR(EL_ENOTFOUND, "no exercise files (*.ini) in %s", dir);
    for (size_t i = 0; !st && i < n; i++)
        st = add_exercise(c, dir, names[i]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    names = NULL;
    n = 0;
    if (!st)
        st = (setdir = join_path(dir, "sets")) ? ini_files(setdir, &names, &n, 0)
                                               : EL_ERROR(EL_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++)
        st = add_set(c, setdir, names[i]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(setdir);
    if (!st)
        st = add_all(c);
    if (st) {
        el_grade_book_free(c);
        *status = st;
        return NULL;
    }
    *status = EL_OK;
    return c;
}

void el_grade_book_free(el_grade_book *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        grade_exercise_free(c->ex[i]);
    free(c->ex);
    for (size_t i = 0; i < c->nsets; i++)
        grade_set_free(&c->sets[i]);
    free(c->sets);
    free(c);
}

const char *el_grade_book_default_dir(const char *arg)
{
    if (arg && *arg)
        return arg;
    const char *env = getenv("ELBOLAB_EXERCISES");
    if (env && *env)
        return env;
    return ELBOLAB_SOURCE_DIR "/exercises";
}

el_grade_exercise *el_grade_exercise_load(const char *path, int *status)
{
    char *text = NULL;
    size_t len;
    el_gsl_init();
    *status = grade_slurp(path, 1u << 20, &text, &len);
    el_grade_exercise *ex = *status ? NULL : grade_exercise_parse(text, len, path, status);
    free(text);
    return ex;
}

void el_grade_exercise_free(el_grade_exercise *ex)
{
    grade_exercise_free(ex);
}

const char *el_grade_source_dir(void)
{
    return ELBOLAB_SOURCE_DIR;
}

/* ---- look-ups ------------------------------------------------------------------- */

size_t el_grade_book_count(const el_grade_book *c)
{
    return c->n;
}
const el_grade_exercise *el_grade_book_at(const el_grade_book *c, size_t i)
{
    return i < c->n ? c->ex[i] : NULL;
}
size_t el_grade_book_nsets(const el_grade_book *c)
{
    return c->nsets;
}
const el_grade_exercise_set *el_grade_book_set_at(const el_grade_book *c, size_t i)
{
    return i < c->nsets ? &c->sets[i] : NULL;
}

const el_grade_exercise *el_grade_book_find(const el_grade_book *c, const char *id)
{
    char *n = grade_norm_name(id, '-');
    const el_grade_exercise *found = NULL;
    for (size_t i = 0; n && !found && i < c->n; i++)
        if (!strcmp(c->ex[i]->id, n))
            found = c->ex[i];
    free(n);
    return found;
}

const el_grade_exercise_set *el_grade_book_set(const el_grade_book *c, const char *name)
{
    for (size_t i = 0; i < c->nsets; i++)
        if (!strcmp(c->sets[i].name, name))
            return &c->sets[i];
    return NULL;
}

/* Levenshtein distance of A and B (both at most 63 bytes; longer: large). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return 1000;
    size_t row[64];
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

const char *el_grade_book_suggest(const el_grade_book *c, const char *id)
{
    const char *best = NULL;
    size_t bd = 4;
    for (size_t i = 0; i < c->n; i++) {
        size_t d = edit_distance(id, c->ex[i]->id);
        if (d < bd && 2 * d < strlen(c->ex[i]->id)) {
            bd = d;
            best = c->ex[i]->id;
        }
    }
    return best;
}
