/* fuzz_plot.c -- libFuzzer target for the figure writers' quoting: the
 * input is a data name and an output path (split at the first NUL byte);
 * a figure titled with the name is written by el_plot_script.  Aborts (a
 * finding) when a path with a control character is accepted, when the
 * title or the output is not one gnuplot single-quoted string that ends its
 * line, or when reading that string back does not give the name (control
 * characters as '?').  Built and run by tests/fuzz/run_plot.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/el_core.h"
#include "plot/el_plot.h"

static const char *title_of_figure;

static int body(FILE *f, const el_plot_opts *o)
{
    (void)o;
    fputs("set title ", f);
    el_plot_quote(f, title_of_figure);
    fputs("\nplot x\n", f);
    return EL_OK;
}

/* Reads the gnuplot single-quoted string at *P (which must start with ')
 * into OUT; *P moves past its closing quote.  Aborts if the string does not
 * close on its line. */
static void unquote(const char **p, char *out)
{
    const char *s = *p;
    if (*s++ != '\'')
        abort();
    for (;;) {
        if (*s == '\0' || *s == '\n')
            abort();
        if (*s == '\'' && s[1] == '\'') {
            *out++ = '\'';
            s += 2;
        } else if (*s == '\'') {
            s++;
            break;
        } else {
            *out++ = *s++;
        }
    }
    *out = '\0';
    *p = s;
}

/* S with every control character replaced by '?', as el_plot_quote does. */
static void expected(const char *s, char *out)
{
    for (; *s; s++)
        *out++ = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
    *out = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 2), *want = malloc(size + 2), *got = malloc(size + 2);
    if (!in || !want || !got)
        abort();
    memcpy(in, data, size);
    in[size] = in[size + 1] = '\0';
    const char *name = in, *output = in + strlen(in) + 1;
    title_of_figure = name;
    el_figure fig = { "fuzz", "fuzz", "none", body };
    el_plot_opts o = { EL_PLOT_PNG, output, 1 };
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        abort();
    int s = el_plot_script(&fig, &o, f);
    fclose(f);
    int control = 0;
    for (const char *p = output; *p; p++)
        control |= (unsigned char)*p < 0x20 || *p == 0x7f;
    if (control != (s == EL_EDOM) || (!control && s != EL_OK))
        abort();
    if (s == EL_OK) {
        const char *t = strstr(buf, "\nset title '");
        if (!t)
            abort();
        t += strlen("\nset title ");
        unquote(&t, got);
        expected(name, want);
        if (strcmp(got, want) != 0 || *t != '\n' || strcmp(t, "\nplot x\n") != 0)
            abort();
        const char *out =
            strstr(buf, "\nset output (exists('elbolab_output') ? elbolab_output : '");
        if (!out)
            abort();
        out = strchr(out, ':') + 2;
        unquote(&out, got);
        if (strcmp(got, output) != 0 || strncmp(out, ")\n", 2) != 0)
            abort();
    }
    free(buf);
    free(in);
    free(want);
    free(got);
    return 0;
}
