/* gradescope.c -- Gradescope: the autograder bundle (a zip with the
 * sources, setup.sh and run_autograder) and the grading run inside it.
 *
 * The zip is written with libzip, in memory, then to its path atomically;
 * timestamps are fixed, so the same tree gives the same bundle. */
#include "grade/util.h"
#include "core/el_core.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#define MAX_BUNDLE_FILE (8u << 20)
#define ZIP_TIME        315576000 /* 1980-01-01 12:00 UTC, a fixed time: reproducible bundles */

/* ---- the zip, through libzip --------------------------------------------------- */

/* An archive built in memory (libzip), written to its path atomically at the
 * end; entries carry a fixed time, so the same tree gives the same bundle. */
typedef struct {
    zip_source_t *src; /* the in-memory archive */
    zip_t *za;
    int failed;
} bundle_zip;

static int bundle_start(bundle_zip *z)
{
    zip_error_t err;
    zip_error_init(&err);
    memset(z, 0, sizeof *z);
    z->src = zip_source_buffer_create(NULL, 0, 0, &err);
    z->za = z->src ? zip_open_from_source(z->src, ZIP_TRUNCATE, &err) : NULL;
    zip_error_fini(&err);
    if (!z->za) {
        zip_source_free(z->src);
        return EL_ERROR(EL_ENOMEM, "cannot start the bundle's zip");
    }
    zip_source_keep(z->src); /* the archive's bytes outlive zip_close */
    return EL_OK;
}

/* Adds NAME (with Unix permissions MODE) holding DATA (N bytes, copied). */
static int bundle_add(bundle_zip *z, const char *name, const char *data, size_t n, unsigned mode)
{
    char *copy = malloc(n ? n : 1);
    if (copy && n)
        memcpy(copy, data, n);
    zip_source_t *s = copy ? zip_source_buffer(z->za, copy, n, 1) : NULL;
    if (!s) {
        free(copy);
        return EL_ERROR(EL_ENOMEM, "out of memory adding %s to the bundle", name);
    }
    zip_int64_t at = zip_file_add(z->za, name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (at < 0) {
        zip_source_free(s);
        return EL_ERROR(EL_EIO, "cannot add %s to the bundle: %s", name, zip_strerror(z->za));
    }
    if (zip_file_set_mtime(z->za, (zip_uint64_t)at, ZIP_TIME, 0) < 0 ||
        zip_file_set_external_attributes(z->za, (zip_uint64_t)at, 0, ZIP_OPSYS_UNIX,
                                         (zip_uint32_t)(0100000u | mode) << 16) < 0 ||
        zip_set_file_compression(z->za, (zip_uint64_t)at, ZIP_CM_DEFLATE, 9) < 0)
        return EL_ERROR(EL_EIO, "cannot describe %s in the bundle: %s", name, zip_strerror(z->za));
    return EL_OK;
}

/* Closes the archive and writes its bytes to PATH atomically. */
static int bundle_finish(bundle_zip *z, const char *path)
{
    if (zip_close(z->za) < 0) {
        int st = EL_ERROR(EL_EIO, "cannot finish the bundle: %s", zip_strerror(z->za));
        zip_discard(z->za);
        z->za = NULL;
        return st;
    }
    z->za = NULL;
    zip_stat_t sb;
    if (zip_source_stat(z->src, &sb) < 0 || !(sb.valid & ZIP_STAT_SIZE) ||
        zip_source_open(z->src) < 0)
        return EL_ERROR(EL_EIO, "cannot read the bundle back");
    char *bytes = malloc(sb.size ? sb.size : 1);
    zip_int64_t got = bytes ? zip_source_read(z->src, bytes, sb.size) : -1;
    zip_source_close(z->src);
    int st = got == (zip_int64_t)sb.size ? grade_write_atomic(path, bytes, (size_t)got, 0644)
                                         : EL_ERROR(EL_EIO, "cannot read the bundle back");
    free(bytes);
    return st;
}

static void bundle_end(bundle_zip *z)
{
    if (z->za)
        zip_discard(z->za);
    zip_source_free(z->src);
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
    "    libgsl-dev libjansson-dev zlib1g-dev libopenblas-dev libzip-dev uuid-dev meson\n"
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
static int add_tree(bundle_zip *z, const char *root, const char *rel, int depth)
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
            st = bundle_add(z, rel, text, len, (sb.st_mode & 0111) ? 0755 : 0644);
        free(text);
    }
    free(path);
    return st;
}

int el_grade_gradescope_bundle(const char *src_dir, const char *set, el_grade_id_rule rule,
                               const char *zip_path)
{
    if (!grade_safe_name(set))
        return EL_ERROR(EL_EUSAGE, "a set name is letters, digits, '-', '_' and '.'");
    gbuf probe = { 0 };
    gbuf_printf(&probe, "%s/src/grade/el_grade.h", src_dir);
    struct stat sb;
    int ok = probe.s && stat(probe.s, &sb) == 0;
    free(probe.s);
    if (!ok)
        return EL_ERROR(EL_ENOTFOUND,
                        "%s is not the ELBO Lab source tree (no src/grade/el_grade.h)", src_dir);
    bundle_zip z;
    int st = bundle_start(&z);
    if (st)
        return st;
    char *run = run_script(set, rule);
    st = run ? bundle_add(&z, "setup.sh", setup_sh, strlen(setup_sh), 0755)
             : EL_ERROR(EL_ENOMEM, "out of memory");
    if (!st)
        st = bundle_add(&z, "run_autograder", run, strlen(run), 0755);
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
        st = bundle_finish(&z, zip_path);
    bundle_end(&z);
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
