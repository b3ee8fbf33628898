/* el_topics.h -- the topic table: every topic of the catalogue, in order,
 * and their checks, evaluators and figures as three lists.
 *
 * The topics are listed once, in src/meson.build (`topics`); each exports
 * its descriptor (core/el_topic.h).  Entries are numbered across topics in
 * catalogue order: topic by topic, each table in its own order. */
#ifndef EL_TOPICS_H
#define EL_TOPICS_H

#include <stddef.h>
#include "check/el_check.h"
#include "core/el_topic.h"
#include "eval/el_eval.h"
#include "plot/el_plot.h"

/* The topics: their number, and topic I (NULL past the end). */
size_t el_topics_count(void);
const el_topic *el_topics_at(size_t i);

/* All checks: their number, check I (NULL past the end), and the check
 * with exactly this id (NULL if none). */
size_t el_topics_check_count(void);
const el_check *el_topics_check_at(size_t i);
const el_check *el_topics_check_find(const char *id);

/* All evaluators; el_topics_eval_find returns NULL with an EL_ENOTFOUND
 * message listing the known names. */
size_t el_topics_eval_count(void);
const el_eval *el_topics_eval_at(size_t i);
const el_eval *el_topics_eval_find(const char *name);

/* All figures; el_topics_figure_find returns NULL when there is none. */
size_t el_topics_figure_count(void);
const el_figure *el_topics_figure_at(size_t i);
const el_figure *el_topics_figure_find(const char *id);

#endif
