/* el_table.h -- one table made of per-group tables.
 *
 * The check, eval and figure registries each list group functions
 * `const T *group(size_t *n)` (one per catalogue group) and present them as
 * one table.  EL_GROUP_TABLE(count_fn, at_fn, T, groups) defines
 *   size_t count_fn(void)        -- the total number of entries
 *   const T *at_fn(size_t i)     -- entry i in group order, NULL past the end
 * over the static array GROUPS of such functions. */
#ifndef EL_TABLE_H
#define EL_TABLE_H

#include <stddef.h>

#define EL_GROUP_TABLE(count_fn, at_fn, T, groups)                                                 \
    size_t count_fn(void)                                                                          \
    {                                                                                              \
        size_t total = 0;                                                                          \
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {                            \
            size_t n = 0;                                                                          \
            groups[g](&n);                                                                         \
            total += n;                                                                            \
        }                                                                                          \
        return total;                                                                              \
    }                                                                                              \
    const T *at_fn(size_t i)                                                                       \
    {                                                                                              \
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {                            \
            size_t n = 0;                                                                          \
            const T *first = groups[g](&n);                                                        \
            if (i < n)                                                                             \
                return first + i;                                                                  \
            i -= n;                                                                                \
        }                                                                                          \
        return NULL;                                                                               \
    }

#endif
