/* cmd_vae.c -- the tiny VAE (see issue 4: not yet built). */
#include "cli/cli.h"

int cmd_vae(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_fail("vae", "the tiny VAE is not built yet");
}
