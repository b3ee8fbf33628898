/* cli.h -- the elbolab command-line interface: one function per command.
 * Commands print and exit; the library does neither.  Exit codes: 0 success,
 * 1 a derivation check failed, 2 bad usage or bad input. */
#ifndef EL_CLI_H
#define EL_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "num/el_num.h"

#define EXIT_CHECK_FAILED 1
#define EXIT_USAGE        2

int cmd_list(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_exercise(int argc, char **argv);
int cmd_gradescope(int argc, char **argv);
int cmd_prairielearn(int argc, char **argv);
int cmd_vae(int argc, char **argv);
int cmd_derive(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* Prints "elbolab CMD: MESSAGE" to stderr (one line) and returns EXIT_USAGE. */
int cli_fail(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The same with the library's last error message. */
int cli_fail_lib(const char *cmd);

/* Parses a whole non-negative decimal number; 0 on success, -1 otherwise. */
int cli_parse_ulong(const char *s, unsigned long *out);

/* 1 if ARG is -h or --help. */
int cli_is_help(const char *arg);

/* Prints J to stdout as JSON (17 significant digits, 2-space indent) and a
 * newline, then releases J.  J NULL (a json_pack that failed, e.g. on a
 * string that is not UTF-8): an error line, and cli_finish returns 2. */
void cli_print_json(json_t *j);

/* The exit status of a command that returned RC: 2 when standard output
 * could not be written (a full disk, /dev/full, a closed pipe) or a JSON
 * result could not be made, else RC.  main calls it after every command. */
int cli_finish(int rc);

/* A JSON number; the strings "inf" and "-inf" for infinities (a KL that is
 * infinite); null for NaN. */
json_t *cli_json_number(double x);

/* {"value", "abserr"} of a quadrature result, or null when HAS is 0. */
json_t *cli_quad_json(int has, const el_quad_result *q);

/* {"value", "stderr", "samples"} of a Monte Carlo estimate, or null when HAS is 0. */
json_t *cli_mc_json(int has, const el_estimate *e);

/* 1 when standard output is a terminal that shows colour. */
int cli_colour(void);

/* Runs `gnuplot SCRIPT` and waits: 0 on success, 127 when gnuplot is not
 * installed, 1 when it fails, 2 when IMAGE cannot be written (the message in
 * el_errmsg()).  IMAGE not NULL: the script's image (its
 * `set output` reads `elbolab_output` when set) is drawn into a temporary
 * file made with mkstemp beside IMAGE and renamed over IMAGE only when
 * gnuplot succeeded and wrote something; an IMAGE that exists and is not a
 * regular file (a device, FIFO, link) is never replaced. */
int cli_gnuplot(const char *script, const char *image);

#endif
