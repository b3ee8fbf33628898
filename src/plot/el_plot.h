/* el_plot.h -- figures as self-contained gnuplot scripts.
 *
 * A figure writes gnuplot commands with its data inline ($data << EOD); the
 * header written by el_plot_script sets the terminal (pngcairo, svg,
 * pdfcairo or dumb), the output file and the shared style (plots/style.gp,
 * embedded at build time).  The library only writes the script to a stream;
 * running gnuplot is the CLI's job.  Each topic tables its own figures
 * (core/el_topic.h); the list of all of them is src/topics. */
#ifndef EL_PLOT_H
#define EL_PLOT_H

#include <stddef.h>
#include <stdio.h>

typedef enum { EL_PLOT_PNG, EL_PLOT_SVG, EL_PLOT_PDF, EL_PLOT_DUMB } el_plot_format;

typedef struct {
    el_plot_format format;
    const char *output; /* image path written into `set output` (ignored for dumb) */
    unsigned long seed; /* for figures that draw Monte Carlo points */
} el_plot_opts;

typedef struct el_figure {
    const char *id;    /* "topic-name": also the file name */
    const char *title; /* one line */
    const char *check; /* the id of the check it illustrates */
    /* Writes the figure's commands and inline data to F; returns a status. */
    int (*write)(FILE *f, const el_plot_opts *opts);
} el_figure;

/* Parses "png", "svg", "pdf" or "dumb"; EL_EDOM otherwise. */
int el_plot_format_parse(const char *s, el_plot_format *out);

/* The file extension of a format ("png", ...; "txt" for dumb). */
const char *el_plot_ext(el_plot_format f);

/* Writes the whole script for FIG to OUT: terminal, output, style, body.
 * Returns EL_EDOM (writing nothing) when opts->output holds a control
 * character, EL_EIO if the stream reports a write error. */
int el_plot_script(const el_figure *fig, const el_plot_opts *opts, FILE *out);

/* Writes "$NAME << EOD" followed by N rows of NCOL columns taken from COLS
 * (column-major: cols[c][i]) and "EOD". */
void el_plot_block(FILE *f, const char *name, size_t n, size_t ncol, const double *const *cols);

/* Writes S to F as one gnuplot single-quoted string, quotes included: a '
 * is doubled and every control character (bytes below 0x20, and 0x7f)
 * becomes '?', so the string can neither end the command nor start another.
 * gnuplot expands neither backquotes nor macros inside single quotes: every
 * string that does not come from the program itself (titles with data
 * names, labels, file names) goes through here. */
void el_plot_quote(FILE *f, const char *s);

/* EL_OK when PATH holds no control character; EL_EDOM otherwise (such a
 * path cannot be written into a script without changing it). */
int el_plot_check_path(const char *path);

#endif
