/* cmd_gradescope.c -- `elbolab gradescope`: builds the autograder bundle
 * (-o autograder.zip), or runs inside it on Gradescope (`gradescope run`). */
#include "cli/cli.h"
#include "cli/grade_cli.h"
#include "core/el_core.h"
#include "grade/el_grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void gradescope_help(void)
{
    puts("usage: elbolab gradescope --set NAME -o autograder.zip [--source DIR]\n"
         "                          [--identity RULE]\n"
         "       elbolab gradescope run [--root DIR] [--set NAME] [--identity RULE]\n"
         "                          [--exercises DIR]\n\n"
         "The first form builds a Gradescope autograder bundle: the sources,\n"
         "exercises/, setup.sh (installs packages and builds on Gradescope's Ubuntu\n"
         "image) and run_autograder.  Upload it as the assignment's autograder.\n"
         "The second form is what run_autograder calls: it grades the answer file in\n"
         "ROOT/submission (ROOT defaults to /autograder) and writes\n"
         "ROOT/results/results.json.  --identity chooses whose variant is graded, as\n"
         "in elbolab grade: student-line (default: the file's `student =` line, else\n"
         "its name), name, or platform (the e-mail, else SID, of\n"
         "ROOT/submission_metadata.json); the bundle passes it to run_autograder.\n"
         "Code answers run under bubblewrap; where it cannot run, `run --unsafe-code`\n"
         "(run_autograder: ELBOLAB_UNSAFE_CODE=1) runs them without it -- only where\n"
         "the grading container is itself the isolation.");
}

int cmd_gradescope(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "set", required_argument, NULL, 's' },
        { "output", required_argument, NULL, 'o' },
        { "source", required_argument, NULL, 'S' },
        { "root", required_argument, NULL, 'r' },
        { "exercises", required_argument, NULL, 'e' },
        { "identity", required_argument, NULL, 'i' },
        { "unsafe-code", no_argument, NULL, 'U' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *set = NULL, *out = NULL, *src = NULL, *root = "/autograder", *dir = NULL;
    el_grade_identity id = { EL_GRADE_ID_STUDENT_LINE, NULL };
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":hs:o:S:r:e:i:U", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': gradescope_help(); return 0;
        case 's': set = optarg; break;
        case 'o': out = optarg; break;
        case 'S': src = optarg; break;
        case 'r': root = optarg; break;
        case 'e': dir = optarg; break;
        case 'U': {
            el_grade_code_options co = { 1, 0.0, NULL }; /* the container is the isolation */
            el_grade_code_configure(&co);
            break;
        }
        case 'i':
            if (el_grade_id_rule_parse(optarg, &id.rule))
                return cli_fail_lib("gradescope");
            break;
        case ':': return cli_fail("gradescope", "%s needs a value", argv[optind - 1]);
        default: return cli_fail("gradescope", "unknown option '%s'", argv[optind - 1]);
        }
    }
    int npos = argc - optind;
    int run = npos == 1 && !strcmp(argv[optind], "run");
    if (!run && npos != 0)
        return cli_fail("gradescope", "unexpected '%s' (see elbolab gradescope --help)",
                        argv[optind]);
    if (!run && (!set || !out))
        return cli_fail("gradescope", "give --set NAME and -o autograder.zip");
    el_grade_book *c = cli_load_book("gradescope", dir);
    if (!c)
        return EXIT_USAGE;
    const el_grade_exercise_set *s = cli_find_set("gradescope", c, set ? set : CLI_DEFAULT_SET);
    int rc = EXIT_USAGE;
    if (s && run)
        rc = el_grade_gradescope_run(c, s, root, &id) ? cli_fail_lib("gradescope") : 0;
    else if (s &&
             el_grade_gradescope_bundle(src ? src : el_grade_source_dir(), s->name, id.rule, out))
        rc = cli_fail_lib("gradescope");
    else if (s) {
        printf(
            "wrote %s (problem set '%s', %zu exercises): upload it as the Gradescope autograder\n",
            out, s->name, s->n);
        rc = 0;
    }
    el_grade_book_free(c);
    return rc;
}
