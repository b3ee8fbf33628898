/* cmd_serve.c -- `elbolab serve`: a page on 127.0.0.1 that checks a
 * derivation as it is typed (src/serve), until Ctrl-C. */
#include "cli/cli.h"
#include "core/el_core.h"
#include "serve/el_serve.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void serve_help(void)
{
    puts("usage: elbolab serve [--port N] [--bind ADDR] [--exercises DIR]\n\n"
         "Serves a page where a derivation is checked as it is typed: each line\n"
         "typeset as it was read, each step marked, the diagnosis under the first\n"
         "bad one; or an exercise's statement and its score.  The page talks to a\n"
         "small JSON API (POST /api/derive, /api/grade; GET /api/contexts,\n"
         "/api/exercises, /api/exercises/ID?student=X).\n\n"
         "--port N      the port (default 8080; 0 picks a free one, printed)\n"
         "--bind ADDR   the address to listen on (default 127.0.0.1: this machine\n"
         "              only; another address makes the page reachable by others)\n"
         "--exercises DIR  the exercises folder (or $ELBOLAB_EXERCISES)\n\n"
         "Prints the page's URL and runs until interrupted (Ctrl-C).  Exit status 2\n"
         "for bad usage, a port in use, or a build without libmicrohttpd.");
}

typedef struct {
    unsigned long port;
    const char *bind, *dir;
} serve_opts;

static int parse(int argc, char **argv, serve_opts *o)
{
    static const struct option longopts[] = {
        { "port", required_argument, NULL, 'p' },
        { "bind", required_argument, NULL, 'b' },
        { "exercises", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":hp:b:e:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': serve_help(); return -1;
        case 'p':
            if (cli_parse_ulong(optarg, &o->port) || o->port > 65535)
                return cli_fail("serve", "--port needs a number from 0 to 65535, not '%s'", optarg);
            break;
        case 'b': o->bind = optarg; break;
        case 'e': o->dir = optarg; break;
        case ':': return cli_fail("serve", "%s needs a value", argv[optind - 1]);
        default:
            return cli_fail("serve", "unknown option '%s' (see elbolab serve --help)",
                            argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_fail("serve", "unexpected argument '%s' (see elbolab serve --help)",
                        argv[optind]);
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    serve_opts o = { 8080, "127.0.0.1", NULL };
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (!el_serve_available())
        return cli_fail("serve", "this build has no HTTP server: install libmicrohttpd-dev "
                                 "(scripts/deps.sh does) and rebuild");
    el_serve *s = el_serve_new(o.dir);
    if (!s)
        return cli_fail_lib("serve");
    /* The server's threads inherit this mask: SIGINT and SIGTERM reach sigwait. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    void *h = NULL;
    unsigned port = 0;
    if (el_serve_listen(s, o.bind, (unsigned)o.port, &port, &h)) {
        el_serve_free(s);
        return cli_fail_lib("serve");
    }
    int v6 = strchr(o.bind, ':') != NULL;
    printf("elbolab serve: http://%s%s%s:%u/  (Ctrl-C stops)\n", v6 ? "[" : "", o.bind,
           v6 ? "]" : "", port);
    fflush(stdout);
    if (strcmp(o.bind, "127.0.0.1") != 0 && strcmp(o.bind, "::1") != 0)
        fprintf(stderr, "elbolab serve: listening on %s: other machines can reach this page\n",
                o.bind);
    int sig = 0;
    sigwait(&sigs, &sig);
    el_serve_stop(h);
    el_serve_free(s);
    return 0;
}
