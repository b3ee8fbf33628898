/* cmd_list.c -- `elbolab list [--json]`. */
#include "cli/cli.h"
#include "check/el_check.h"
#include "topics/el_topics.h"

#include <string.h>

int cmd_list(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            puts("usage: elbolab list [--json]\n\n"
                 "Lists every derivation check: its id, its claim and how many negative\n"
                 "controls (typical mistakes that the same comparison must reject) it has.");
            return 0;
        }
        if (strcmp(argv[i], "--json") != 0)
            return cli_fail("list", "unknown argument '%s' (try --help)", argv[i]);
        json = 1;
    }
    size_t n = el_topics_check_count();
    json_t *arr = json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        const el_check *c = el_topics_check_at(i);
        if (json) {
            json_t *o = json_pack("{s:s, s:s, s:i}", "id", c->id, "claim", c->claim,
                                  "negative_controls", el_check_nmistakes(c));
            json_array_append_new(arr, o);
        } else {
            printf("%-26s %s\n", c->id, c->claim);
        }
    }
    if (json)
        cli_print_json(arr);
    return 0;
}
