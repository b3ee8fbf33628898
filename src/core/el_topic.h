/* el_topic.h -- what one topic of the catalogue (kl, elbo, vae, ...) offers.
 *
 * Each topic exports one descriptor, `const el_topic el_<name>_topic`,
 * defined in its topic.c: its checks (`elbolab check`), evaluators
 * (`elbolab eval`) and figures (`elbolab plot`), each table with its count.
 * The topic table (src/topics) lists the descriptors; check/, eval/ and
 * plot/ define the entry types and never name a topic.  The descriptor holds
 * only pointers to those types, so this header needs none of theirs. */
#ifndef EL_TOPIC_H
#define EL_TOPIC_H

#include <stddef.h>

struct el_check;  /* check/el_check.h */
struct el_eval;   /* eval/el_eval.h */
struct el_figure; /* plot/el_plot.h */

typedef struct el_topic {
    const char *name; /* "kl" */
    const struct el_check *checks;
    size_t nchecks;
    const struct el_eval *evals; /* NULL when the topic has none */
    size_t nevals;
    const struct el_figure *figures;
    size_t nfigures;
} el_topic;

/* The number of elements of the array A (a table of a descriptor). */
#define EL_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
