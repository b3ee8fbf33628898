/* topics.c -- the topic table and the three lists built on it. */
#include "topics/el_topics.h"
#include "topics/topic_list.h" /* generated: EL_TOPICS, from src/meson.build */
#include "core/el_core.h"

#include <stdio.h>
#include <string.h>

#define EL_TOPIC(name) extern const el_topic el_##name##_topic;
EL_TOPICS
#undef EL_TOPIC

#define EL_TOPIC(name) &el_##name##_topic,
static const el_topic *const topics[] = { EL_TOPICS };
#undef EL_TOPIC

size_t el_topics_count(void)
{
    return EL_COUNT(topics);
}

const el_topic *el_topics_at(size_t i)
{
    return i < EL_COUNT(topics) ? topics[i] : NULL;
}

/* ---- the three lists: offsets into each topic's table -------------------- */

/* Which part of a descriptor a list reads. */
typedef enum { CHECKS, EVALS, FIGURES } part;

static size_t part_count(const el_topic *t, part p)
{
    return p == CHECKS ? t->nchecks : p == EVALS ? t->nevals : t->nfigures;
}

static size_t total(part p)
{
    size_t n = 0;
    for (size_t t = 0; t < EL_COUNT(topics); t++)
        n += part_count(topics[t], p);
    return n;
}

/* The topic holding entry I of list P, with *I made an index into its table;
 * NULL past the end. */
static const el_topic *locate(part p, size_t *i)
{
    for (size_t t = 0; t < EL_COUNT(topics); t++) {
        size_t n = part_count(topics[t], p);
        if (*i < n)
            return topics[t];
        *i -= n;
    }
    return NULL;
}

size_t el_topics_check_count(void)
{
    return total(CHECKS);
}

const el_check *el_topics_check_at(size_t i)
{
    const el_topic *t = locate(CHECKS, &i);
    return t ? &t->checks[i] : NULL;
}

const el_check *el_topics_check_find(const char *id)
{
    for (size_t i = 0; i < el_topics_check_count(); i++)
        if (strcmp(el_topics_check_at(i)->id, id) == 0)
            return el_topics_check_at(i);
    return NULL;
}

size_t el_topics_eval_count(void)
{
    return total(EVALS);
}

const el_eval *el_topics_eval_at(size_t i)
{
    const el_topic *t = locate(EVALS, &i);
    return t ? &t->evals[i] : NULL;
}

const el_eval *el_topics_eval_find(const char *name)
{
    char known[1024] = "";
    size_t n = el_topics_eval_count();
    for (size_t i = 0; i < n; i++) {
        const el_eval *e = el_topics_eval_at(i);
        if (strcmp(e->name, name) == 0)
            return e;
        size_t len = strlen(known);
        snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "", e->name);
    }
    EL_ERROR(EL_ENOTFOUND, "unknown quantity '%s' (known: %s)", name, known);
    return NULL;
}

size_t el_topics_figure_count(void)
{
    return total(FIGURES);
}

const el_figure *el_topics_figure_at(size_t i)
{
    const el_topic *t = locate(FIGURES, &i);
    return t ? &t->figures[i] : NULL;
}

const el_figure *el_topics_figure_find(const char *id)
{
    for (size_t i = 0; i < el_topics_figure_count(); i++)
        if (strcmp(el_topics_figure_at(i)->id, id) == 0)
            return el_topics_figure_at(i);
    return NULL;
}
