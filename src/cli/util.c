/* util.c -- small helpers shared by the commands, and the one gnuplot launcher. */
#include "cli/cli.h"
#include "core/el_core.h"
#include "plot/el_plot.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "elbolab%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

int cli_fail_lib(const char *cmd)
{
    const char *m = el_errmsg();
    return cli_fail(cmd, "%s", *m ? m : "unknown error");
}

int cli_parse_ulong(const char *s, unsigned long *out)
{
    if (!s || !isdigit((unsigned char)*s)) /* strtoul would accept " -1" as 2^64 - 1 */
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static int json_failed;

void cli_print_json(json_t *j)
{
    if (!j) { /* jansson refused a value: a string that is not UTF-8, or no memory */
        cli_fail(NULL, "cannot write the result as JSON (a name that is not UTF-8?)");
        json_failed = 1;
        return;
    }
    if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER))
        json_failed = 1;
    fputc('\n', stdout);
    json_decref(j);
}

int cli_finish(int rc)
{
    int bad = fflush(stdout) != 0 || ferror(stdout);
    if (bad)
        cli_fail(NULL, "cannot write the standard output: %s", strerror(errno));
    return bad || json_failed ? EXIT_USAGE : rc;
}

json_t *cli_json_number(double x)
{
    if (isinf(x)) /* an infinite value is a value: null means "not applicable" */
        return json_string(x > 0 ? "inf" : "-inf");
    return isfinite(x) ? json_real(x) : json_null();
}

int cli_colour(void)
{
    const char *t = getenv("TERM");
    return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && t && strcmp(t, "dumb") != 0;
}

json_t *cli_quad_json(int has, const el_quad_result *q)
{
    if (!has)
        return json_null();
    return json_pack("{s:o, s:o}", "value", cli_json_number(q->value), "abserr",
                     cli_json_number(q->abserr));
}

json_t *cli_mc_json(int has, const el_estimate *e)
{
    if (!has)
        return json_null();
    return json_pack("{s:o, s:o, s:I}", "value", cli_json_number(e->value), "stderr",
                     cli_json_number(e->se), "samples", (json_int_t)e->n);
}

/* Runs gnuplot on SCRIPT, with `elbolab_output` set to OUTPUT (quoted) when
 * OUTPUT is not NULL: 0, 127 (not installed) or 1. */
static int run_gnuplot(const char *script, const char *output)
{
    char *set = NULL;
    size_t n = 0;
    if (output) {
        FILE *m = open_memstream(&set, &n);
        if (!m)
            return 1;
        fputs("elbolab_output=", m);
        el_plot_quote(m, output);
        if (fclose(m) != 0) {
            free(set);
            return 1;
        }
    }
    char *args[] = { "gnuplot", "-e", set, (char *)script, NULL };
    char *plain[] = { "gnuplot", (char *)script, NULL };
    pid_t pid;
    int status = 0, e = posix_spawnp(&pid, "gnuplot", NULL, NULL, set ? args : plain, environ);
    free(set);
    if (e)
        return e == ENOENT ? 127 : 1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return 1;
    return WEXITSTATUS(status) ? 1 : 0;
}

int cli_gnuplot(const char *script, const char *image)
{
    if (!image)
        return run_gnuplot(script, NULL);
    el_file_out o;
    if (el_file_out_open(&o, image, 0644))
        return 2;
    int rc = run_gnuplot(script, o.tmp);
    struct stat sb; /* gnuplot can fail and exit 0: an empty image is a failure */
    if (!rc && (stat(o.tmp, &sb) != 0 || sb.st_size == 0))
        rc = 1;
    if (rc) {
        el_file_out_abort(&o);
        return rc;
    }
    return el_file_out_commit(&o) ? 2 : 0;
}
