/* main.c -- elbolab: parses the command name and dispatches.  The table of
 * commands below is the only list of them: the usage text and the message
 * for an unknown command are built from it. */
#include "cli/cli.h"
#include "vae/el_vae.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "list", cmd_list, "list every derivation check" },
    { "check", cmd_check, "run derivation checks: closed form vs quadrature vs Monte Carlo" },
    { "eval", cmd_eval, "evaluate one quantity three ways (kl.normal, kl.mvn, ...)" },
    { "plot", cmd_plot, "draw figures with gnuplot (png, svg, pdf or a terminal preview)" },
    { "derive", cmd_derive, "check a derivation step by step (plain text, LaTeX, a .tex file)" },
    { "serve", cmd_serve, "check derivations live in the browser (a local page)" },
    { "grade", cmd_grade, "grade an answer file (or a folder of them)" },
    { "exercise", cmd_exercise, "list exercises or show one" },
    { "gradescope", cmd_gradescope, "build a Gradescope autograder bundle" },
    { "prairielearn", cmd_prairielearn, "PrairieLearn questions and their external grader" },
    { "vae", cmd_vae, "train, evaluate and sample the tiny VAE" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fputs("usage: elbolab COMMAND [ARGS...]\n\n"
          "ELBO Lab checks the derivations behind variational auto-encoders with numbers.\n\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs("\n'elbolab COMMAND --help' describes one command.\n"
          "Exit status: 0 success, 1 a derivation check failed, 2 bad usage or input.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return cli_finish(0);
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("elbolab %s\n", ELBOLAB_VERSION);
        return cli_finish(0);
    }
    /* Outside training, BLAS only sees 3x3 matrices (GSL's LU and Cholesky):
     * OpenBLAS's worker threads would spin for nothing and slow every
     * command down, the graders' own threads most of all. */
    if (strcmp(argv[1], "vae") != 0)
        el_vae_threads(1);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return cli_finish(commands[i].run(argc - 1, argv + 1));
    char known[256] = "";
    for (size_t i = 0; i < NCOMMANDS; i++) {
        size_t len = strlen(known);
        snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", commands[i].name);
    }
    return cli_fail(NULL, "unknown command '%s' (known: %s)", argv[1], known);
}
