/* cmd_grade.c -- grade, exercise and gradescope (see issue 5: not yet built). */
#include "cli/cli.h"

int cmd_grade(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("grade", "the autograder is not built yet");
}

int cmd_exercise(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("exercise", "the exercises are not built yet");
}

int cmd_gradescope(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("gradescope", "the autograder is not built yet");
}
