/* fuzz_derive.c -- libFuzzer target for the derivation checker: the first
 * byte picks a context, the rest is checked as a derivation (fragment or
 * write-up) at two instances, then each line is parsed and printed alone.
 * Aborts (a finding) on a broken contract: a failure without a message, a
 * step index or status out of range, a valid chain with an invalid step,
 * a printed line that does not parse again. Crashes, hangs and sanitizer
 * reports are findings by themselves. Built and run by tests/fuzz/run_derive.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "derive/el_derive.h"
#include "expr/el_expr.h"

static const char *const contexts[] = { "gauss", "discrete", "distributions",
                                        "gmvae", "gauss-mv", "diag" };

static void check_report(const el_derive_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        const el_derivation *d = &rep->d[i];
        if (d->nlines < 2 || (d->first_invalid < 0 || (size_t)d->first_invalid >= d->nlines))
            abort();
        for (size_t k = 1; k < d->nlines; k++) {
            const el_derive_step *s = &d->steps[k];
            if (s->status > EL_STEP_UNKNOWN || (d->valid && s->status != EL_STEP_VALID))
                abort();
        }
        json_decref(el_derive_report_json(rep));
    }
}

/* A printed tree must read again (the canonical echo is itself readable). */
static void roundtrip(const char *line)
{
    el_tree *t = el_tree_parse(line, NULL);
    if (!t)
        return;
    char buf[8192];
    if (el_tree_print(t, buf, sizeof buf) < sizeof buf) {
        el_tree *u = el_tree_parse(buf, NULL);
        el_tree_free(u);
    }
    el_tree_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    el_derive_opts o = { .context = contexts[data[0] % 6], .instances = 2, .seed = 7 };
    el_derive_report rep;
    int rc = el_derive_check(text, "fuzz", &o, &rep);
    if (rc != 0 && el_errmsg()[0] == '\0')
        abort();
    if (rc == 0) {
        check_report(&rep);
        el_derive_report_free(&rep);
    }
    roundtrip(text);
    free(text);
    return 0;
}
