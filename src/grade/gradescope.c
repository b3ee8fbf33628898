/* gradescope.c -- Gradescope: the autograder bundle (a zip with the
 * sources, setup.sh and run_autograder) and the grading run inside it.
 *
 * The zip is written by hand with zlib's raw deflate and crc32 (neither GSL
 * nor the C library writes zip files); timestamps are fixed, so the same
 * tree gives the same bundle. */
#include "grade/util.h"
#include "core/el_core.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#define MAX_BUNDLE_FILE (8u << 20)
#define ZIP_DATE        0x0021 /* 1980-01-01, a fixed date: reproducible bundles */

/* ---- a minimal zip writer ------------------------------------------------------ */

typedef struct {
    gbuf data;    /* local headers and file data */
    gbuf central; /* the central directory */
    size_t count;
} zipw;

static void put16(gbuf *b, unsigned v)
{
    unsigned char c[2] = { (unsigned char)(v & 0xFF), (unsigned char)((v >> 8) & 0xFF) };
    gbuf_add(b, (const char *)c, 2);
}

static void put32(gbuf *b, uint32_t v)
{
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}

/* Raw deflate of IN (N bytes) into *OUT (malloc'd); its size or 0 on failure. */
static size_t deflate_raw(const char *in, size_t n, unsigned char **out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    uLong cap = deflateBound(&z, (uLong)n);
    *out = malloc(cap + 1);
    if (!*out) {
        deflateEnd(&z);
        return 0;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    int r = deflate(&z, Z_FINISH);
    size_t size = z.total_out;
    deflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(*out);
        *out = NULL;
        return 0;
    }
    return size;
}

/* Adds NAME (with Unix permissions MODE) holding DATA (N bytes). */
static int zip_add(zipw *z, const char *name, const char *data, size_t n, unsigned mode)
{
    unsigned char *comp = NULL;
    size_t csize = n ? deflate_raw(data, n, &comp) : 0;
    if (n && !csize)
        return EL_ERROR(EL_ENOMEM, "cannot compress %s", name);
    uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)data, (uInt)n);
    size_t offset = z->data.n, nl = strlen(name);
    put32(&z->data, 0x04034b50);
    put16(&z->data, 20);
    put16(&z->data, 0x0800); /* names are UTF-8 */
    put16(&z->data, n ? 8 : 0);
    put16(&z->data, 0);
    put16(&z->data, ZIP_DATE);
    put32(&z->data, crc);
    put32(&z->data, (uint32_t)csize);
    put32(&z->data, (uint32_t)n);
    put16(&z->data, (unsigned)nl);
    put16(&z->data, 0);
    gbuf_add(&z->data, name, nl);
    if (csize)
        gbuf_add(&z->data, (const char *)comp, csize);
    free(comp);
    put32(&z->central, 0x02014b50);
    put16(&z->central, (3u << 8) | 20); /* made by Unix */
    put16(&z->central, 20);
    put16(&z->central, 0x0800);
    put16(&z->central, n ? 8 : 0);
    put16(&z->central, 0);
    put16(&z->central, ZIP_DATE);
    put32(&z->central, crc);
    put32(&z->central, (uint32_t)csize);
    put32(&z->central, (uint32_t)n);
    put16(&z->central, (unsigned)nl);
    put16(&z->central, 0);
    put16(&z->central, 0);
    put16(&z->central, 0);
    put16(&z->central, 0);
    put32(&z->central, (uint32_t)((0100000u | mode) << 16));
    put32(&z->central, (uint32_t)offset);
    gbuf_add(&z->central, name, nl);
    z->count++;
    return (z->data.oom || z->central.oom) ? EL_ERROR(EL_ENOMEM, "out of memory") : EL_OK;
}

/* The finished archive (central directory and end record appended). */
static int zip_finish(zipw *z, const char *path)
{
    size_t cd_offset = z->data.n, cd_size = z->central.n;
    gbuf_add(&z->data, z->central.s ? z->central.s : "", cd_size);
    put32(&z->data, 0x06054b50);
    put16(&z->data, 0);
    put16(&z->data, 0);
    put16(&z->data, (unsigned)z->count);
    put16(&z->data, (unsigned)z->count);
    put32(&z->data, (uint32_t)cd_size);
    put32(&z->data, (uint32_t)cd_offset);
    put16(&z->data, 0);
    if (z->data.oom || z->count > 0xFFFF || z->data.n > 0xFFFFFFFFu)
        return EL_ERROR(EL_ELIMIT, "the bundle is too large");
    return grade_write_atomic(path, z->data.s, z->data.n, 0644);
}

/* ---- the bundle's contents ------------------------------------------------------------ */

static const char setup_sh[] =
    "#!/usr/bin/env bash\n"
    "# setup.sh -- run once by Gradescope on its Ubuntu image: installs the\n"
    "# packages ELBO Lab builds with and builds elbolab in /autograder/source.\n"
    "set -euo pipefail\n"
    "export DEBIAN_FRONTEND=noninteractive\n"
    "apt-get update -q\n"
    "apt-get install -y -q build-essential pkg-config ninja-build python3-pip \\\n"
    "    libgsl-dev libjansson-dev zlib1g-dev libopenblas-dev meson\n"
    "cd \"${ELBOLAB_SOURCE:-/autograder/source}\"\n"
    "# elbolab needs Meson >= 0.63; older Ubuntu images get it from pip\n"
    "if ! meson --version 2>/dev/null | awk -F. '{ exit !($1 > 0 || $2 >= 63) }'; then\n"
    "    python3 -m pip install --quiet 'meson>=0.63' \\\n"
    "        || python3 -m pip install --quiet --break-system-packages 'meson>=0.63'\n"
    "    hash -r\n"
    "fi\n"
    "meson setup build --buildtype=release -Dtests=disabled\n"
    "meson compile -C build\n";

/* run_autograder for SET (a safe name, checked by the caller) and the
 * identity rule RULE. */
static char *run_script(const char *set, el_grade_id_rule rule)
{
    gbuf b = { 0 };
    gbuf_printf(&b,
                "#!/usr/bin/env bash\n"
                "# run_autograder -- run by Gradescope for every submission: grades the\n"
                "# answer file in $ROOT/submission (problem set '%s') and writes\n"
                "# $ROOT/results/results.json.  ELBOLAB_AUTOGRADER_ROOT overrides /autograder\n"
                "# (to try it on a simulated tree); ELBOLAB_BIN overrides the program.\n"
                "ROOT=\"${ELBOLAB_AUTOGRADER_ROOT:-/autograder}\"\n"
                "SRC=\"${ELBOLAB_SOURCE:-$ROOT/source}\"\n"
                "BIN=\"${ELBOLAB_BIN:-$SRC/build/src/cli/elbolab}\"\n"
                "if [ ! -x \"$BIN\" ]; then\n"
                "    mkdir -p \"$ROOT/results\"\n"
                "    printf '%%s\\n' '{\"score\": 0, \"output\": \"The autograder is not built: "
                "setup.sh failed. Please tell your instructor.\", \"tests\": []}' "
                "> \"$ROOT/results/results.json\"\n"
                "    exit 1\n"
                "fi\n"
                "exec \"$BIN\" gradescope run --root \"$ROOT\" --set '%s' --identity %s \\\n"
                "    --exercises \"$SRC/exercises\"\n",
                set, set, el_grade_id_rule_name(rule));
    return gbuf_take(&b);
}

/* 1 for the top-level entries of the source tree that the build needs. */
static int wanted_top(const char *name)
{
    static const char *const keep[] = { "meson.build", "meson_options.txt", "src",
                                        "exercises",   "scripts",           "bench",
                                        "plots",       "README.md",         "LICENSE",
                                        NULL };
    for (size_t i = 0; keep[i]; i++)
        if (!strcmp(name, keep[i]))
            return 1;
    return 0;
}

/* Adds DIR/REL (a file or a folder, recursively) to the zip as REL. */
static int add_tree(zipw *z, const char *root, const char *rel, int depth)
{
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/%s", root, rel);
    char *path = gbuf_take(&b);
    struct stat sb;
    int st = path ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st && stat(path, &sb) != 0)
        st = EL_ERROR(EL_EIO, "cannot read %s: %s", path, strerror(errno));
    if (!st && S_ISDIR(sb.st_mode) && depth < 12) {
        char **names;
        size_t n;
        st = grade_list_dir(path, &names, &n);
        for (size_t i = 0; i < n; i++) {
            if (!st) {
                gbuf r = { 0 };
                gbuf_printf(&r, "%s/%s", rel, names[i]);
                char *sub = gbuf_take(&r);
                st = sub ? add_tree(z, root, sub, depth + 1) : EL_ERROR(EL_ENOMEM, "out of memory");
                free(sub);
            }
            free(names[i]);
        }
        free(names);
    } else if (!st && S_ISREG(sb.st_mode) && (size_t)sb.st_size <= MAX_BUNDLE_FILE) {
        char *text;
        size_t len;
        st = grade_slurp(path, MAX_BUNDLE_FILE, &text, &len);
        if (!st)
            st = zip_add(z, rel, text, len, (sb.st_mode & 0111) ? 0755 : 0644);
        free(text);
    }
    free(path);
    return st;
}

static int safe_set_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    return 1;
}

int el_grade_gradescope_bundle(const char *src_dir, const char *set, el_grade_id_rule rule,
                               const char *zip_path)
{
    if (!safe_set_name(set))
        return EL_ERROR(EL_EUSAGE, "a set name is letters, digits, '-', '_' and '.'");
    gbuf probe = { 0 };
    gbuf_printf(&probe, "%s/src/grade/el_grade.h", src_dir);
    struct stat sb;
    int ok = probe.s && stat(probe.s, &sb) == 0;
    free(probe.s);
    if (!ok)
        return EL_ERROR(EL_ENOTFOUND,
                        "%s is not the ELBO Lab source tree (no src/grade/el_grade.h)", src_dir);
    zipw z;
    memset(&z, 0, sizeof z);
    char *run = run_script(set, rule);
    int st = run ? zip_add(&z, "setup.sh", setup_sh, strlen(setup_sh), 0755)
                 : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st)
        st = zip_add(&z, "run_autograder", run, strlen(run), 0755);
    free(run);
    char **names = NULL;
    size_t n = 0;
    if (!st)
        st = grade_list_dir(src_dir, &names, &n);
    for (size_t i = 0; i < n; i++) {
        if (!st && wanted_top(names[i]))
            st = add_tree(&z, src_dir, names[i], 0);
        free(names[i]);
    }
    free(names);
    if (!st)
        st = zip_finish(&z, zip_path);
    free(z.data.s);
    free(z.central.s);
    return st;
}

/* ---- the run on Gradescope -------------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int el_grade_gradescope_run(const el_grade_book *c, const el_grade_exercise_set *set,
                            const char *root, const el_grade_identity *id)
{
    double t0 = now();
    char *student = el_grade_platform_id(root), *file = NULL;
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/submission", root);
    char *subdir = gbuf_take(&b);
    if (!subdir) {
        free(student);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    el_grade_report r;
    el_grade_answers a;
    int st = grade_find_submission(subdir, &file);
    if (!st)
        st = el_grade_answers_read(file, &a);
    if (st) { /* nothing readable: every exercise scores 0, and the output says why */
        char why[600];
        snprintf(why, sizeof why, "%s", el_errmsg());
        memset(&a, 0, sizeof a);
        grade_note(&a.notes, 0, 1, "%s", why);
    }
    const char *base = file ? strrchr(file, '/') : NULL;
    el_grade_origin from = { base ? base + 1 : NULL, student };
    st = el_grade_score_as(c, set, &a, id, &from, base ? base + 1 : "submission", &r);
    el_grade_answers_free(&a);
    free(file);
    free(student);
    if (!st) {
        gbuf_printf(&b, "%s/results", root);
        char *resdir = gbuf_take(&b);
        if (resdir && mkdir(resdir, 0755) != 0 && errno != EEXIST)
            st = EL_ERROR(EL_EIO, "cannot create %s: %s", resdir, strerror(errno));
        gbuf_printf(&b, "%s/results.json", resdir ? resdir : ".");
        char *out = gbuf_take(&b);
        json_t *j = el_grade_gradescope(&r, now() - t0);
        if (!st)
            st = out ? el_grade_write_json(out, j) : EL_ERROR(EL_ENOMEM, "out of memory");
        json_decref(j);
        free(out);
        free(resdir);
        el_grade_report_free(&r);
    }
    free(subdir);
    return st;
}
