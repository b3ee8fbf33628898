/* identity.c -- whose variant a submission gets: one rule (student-line,
 * name or platform) applied the same way by `grade`, `grade --batch` and
 * the Gradescope run, with --student overriding all of them. */
#include "grade/util.h"
#include "core/el_core.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[] = { "student-line", "name", "platform" };

int el_grade_id_rule_parse(const char *s, el_grade_id_rule *out)
{
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (s && !strcmp(s, rule_names[i])) {
            *out = (el_grade_id_rule)i;
            return EL_OK;
        }
    return EL_ERROR(EL_EUSAGE, "--identity takes student-line, name or platform, not '%s'",
                    s ? s : "");
}

const char *el_grade_id_rule_name(el_grade_id_rule r)
{
    return (unsigned)r < 3 ? rule_names[r] : "student-line";
}

char *el_grade_platform_id(const char *dir)
{
    gbuf b = { 0 };
    gbuf_printf(&b, "%s/submission_metadata.json", dir);
    json_error_t err;
    json_t *m = b.s ? json_load_file(b.s, 0, &err) : NULL;
    free(b.s);
    json_t *users = m ? json_object_get(m, "users") : NULL;
    json_t *u = json_is_array(users) ? json_array_get(users, 0) : NULL;
    char *who = NULL;
    static const char *const keys[] = { "email", "sid", "id", NULL };
    for (size_t i = 0; u && !who && keys[i]; i++) {
        json_t *v = json_object_get(u, keys[i]);
        char num[32];
        if (json_is_string(v) && *json_string_value(v)) {
            who = grade_strdup(json_string_value(v));
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            who = grade_strdup(num);
        }
    }
    json_decref(m);
    return who;
}

/* The name of PATH without its folders and its extension ("" for none). */
static char *stem_of(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *b = path;
    for (size_t i = 0; i < n; i++)
        if (path[i] == '/' && i + 1 < n)
            b = path + i + 1;
    size_t len = (size_t)(path + n - b);
    const char *dot = NULL;
    for (size_t i = 1; i < len; i++)
        if (b[i] == '.')
            dot = b + i;
    return grade_strndup(b, dot ? (size_t)(dot - b) : len);
}

/* S trimmed; LEN gets its length. */
static const char *trimmed(const char *s, size_t *len)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    *len = n;
    return s;
}

int grade_same_student(const char *a, const char *b)
{
    size_t na, nb;
    a = trimmed(a, &na);
    b = trimmed(b, &nb);
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

static int given(const char *s)
{
    size_t n = 0;
    return s && (trimmed(s, &n), n > 0);
}

int grade_identity_resolve(const el_grade_identity *id, const char *line,
                           const el_grade_origin *from, char **used, const char **source)
{
    el_grade_id_rule rule = id ? id->rule : EL_GRADE_ID_STUDENT_LINE;
    char *name = from && given(from->name) ? stem_of(from->name) : NULL;
    const char *platform = from && given(from->platform) ? from->platform : NULL;
    const char *pick = NULL;
    *source = "none";
    if (id && given(id->student)) {
        pick = id->student;
        *source = "--student";
    } else if (rule == EL_GRADE_ID_PLATFORM && platform) {
        pick = platform;
        *source = "platform";
    } else if (rule == EL_GRADE_ID_NAME && given(name)) {
        pick = name;
        *source = "name";
    } else if (given(line)) {
        pick = line;
        *source = "student-line";
    } else if (given(name)) {
        pick = name;
        *source = "name";
    }
    size_t n = 0;
    const char *t = pick ? trimmed(pick, &n) : "";
    *used = grade_clean(t, n, 200, 0);
    free(name);
    return *used ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
}
