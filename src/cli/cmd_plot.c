/* cmd_plot.c -- `elbolab plot [ID ...|all] [--out DIR] [--format F]`:
 * writes each figure's gnuplot script into DIR and runs gnuplot on it. */
#include "cli/cli.h"
#include "plot/el_plot.h"
#include "core/el_core.h"
#include "topics/el_topics.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_SEED 20241
#define DEFAULT_DIR  "elbolab-plots"

static void help(void)
{
    puts("usage: elbolab plot [ID ...|all] [--out DIR] [--format png|svg|pdf|dumb] [--seed N]\n\n"
         "Draws figures with gnuplot.  Each figure is written as a self-contained script\n"
         "DIR/ID.gp (data inline: edit and re-run it with `gnuplot DIR/ID.gp`) and\n"
         "rendered to DIR/ID.png (or .svg, .pdf).  --format dumb previews in the\n"
         "terminal (its script is still written to DIR).  Without --out, DIR is\n"
         "./elbolab-plots in the current folder, and the command says so on standard\n"
         "error with the folder's full path.  `make plots` draws into build/plots.  Figures:");
    for (size_t i = 0; i < el_topics_figure_count(); i++) {
        const el_figure *f = el_topics_figure_at(i);
        printf("  %-22s %s (check %s)\n", f->id, f->title, f->check);
    }
}

/* Says on standard error where the figures went when no --out was given
 * (a folder made in the current directory should not be a surprise). */
static void say_default_dir(const char *dir)
{
    char *full = realpath(dir, NULL);
    fprintf(stderr, "elbolab plot: no --out given: the scripts and images are in %s\n",
            full ? full : dir);
    free(full);
}

/* Writes FIG's script to DIR/ID.gp through a temporary file and a rename. */
static int write_script(const el_figure *fig, const el_plot_opts *o, const char *gp)
{
    el_file_out out;
    if (el_file_out_open(&out, gp, 0644))
        return cli_fail_lib("plot");
    if (el_plot_script(fig, o, out.f) != EL_OK) {
        el_file_out_abort(&out);
        return cli_fail_lib("plot");
    }
    return el_file_out_commit(&out) ? cli_fail_lib("plot") : 0;
}

static int plot_one(const el_figure *fig, const char *dir, el_plot_opts o)
{
    char gp[4096], img[4096];
    snprintf(gp, sizeof gp, "%s/%s.gp", dir, fig->id);
    snprintf(img, sizeof img, "%s/%s.%s", dir, fig->id, el_plot_ext(o.format));
    o.output = img;
    int rc = write_script(fig, &o, gp);
    if (rc)
        return rc;
    rc = cli_gnuplot(gp, o.format == EL_PLOT_DUMB ? NULL : img);
    if (rc == 127)
        return cli_fail("plot",
                        "gnuplot is not installed: run 'apt-get install gnuplot-nox' "
                        "(the scripts are in %s)",
                        dir);
    if (rc == 2)
        return cli_fail_lib("plot");
    if (rc)
        return cli_fail("plot", "gnuplot failed on %s", gp);
    if (o.format != EL_PLOT_DUMB)
        printf("%s\n", img);
    return 0;
}

int cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'f' },
        { "seed", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    el_plot_opts o = { EL_PLOT_PNG, NULL, DEFAULT_SEED };
    const char *dir = DEFAULT_DIR;
    int dir_given = 0;
    unsigned long v;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': dir = optarg, dir_given = 1; break;
        case 'f':
            if (el_plot_format_parse(optarg, &o.format))
                return cli_fail_lib("plot");
            break;
        case 's':
            if (cli_parse_ulong(optarg, &v))
                return cli_fail("plot", "--seed needs a whole number >= 0, got '%s'", optarg);
            o.seed = v;
            break;
        case 'h': help(); return 0;
        default: return cli_fail("plot", "unknown option '%s' (try --help)", argv[optind - 1]);
        }
    }
    int all = optind >= argc;
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "all") == 0)
            all = 1;
        else if (!el_topics_figure_find(argv[i]))
            return cli_fail("plot", "no figure '%s' (see 'elbolab plot --help')", argv[i]);
    }
    if (el_plot_check_path(dir))
        return cli_fail_lib("plot");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail("plot", "cannot create %s: %s", dir, strerror(errno));
    for (size_t k = 0; k < el_topics_figure_count(); k++) {
        const el_figure *fig = el_topics_figure_at(k);
        int want = all;
        for (int i = optind; i < argc && !want; i++)
            want = strcmp(argv[i], fig->id) == 0;
        if (want) {
            int rc = plot_one(fig, dir, o);
            if (rc)
                return rc;
        }
    }
    if (!dir_given)
        say_default_dir(dir);
    return 0;
}
