/* check_core.c -- core's file helpers: inputs that are regular files only,
 * outputs through a temporary of their own that never replace what is not
 * theirs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "core/el_core.h"

/* A fresh folder under /tmp; its path in DIR. */
static void temp_dir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/check_core.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void path_in(char *out, size_t n, const char *dir, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

START_TEST(read_refuses_fifo_device_folder)
{
    char dir[64], fifo[128];
    temp_dir(dir, sizeof dir);
    path_in(fifo, sizeof fifo, dir, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    unsigned char *b;
    size_t n;
    /* a FIFO with no writer: the open would block without O_NONBLOCK */
    ck_assert_int_eq(el_file_read(fifo, 0, &b, &n), EL_EIO);
    ck_assert_ptr_nonnull(strstr(el_errmsg(), "not a regular file"));
    ck_assert_int_eq(el_file_read("/dev/zero", 1 << 20, &b, &n), EL_EIO);
    ck_assert_int_eq(el_file_read(dir, 0, &b, &n), EL_EIO);
    ck_assert_ptr_null(b);
    unlink(fifo);
    rmdir(dir);
}
END_TEST

START_TEST(read_limits_and_reads)
{
    char dir[64], p[128];
    temp_dir(dir, sizeof dir);
    path_in(p, sizeof p, dir, "f");
    FILE *f = fopen(p, "w");
    fputs("hello", f);
    fclose(f);
    unsigned char *b;
    size_t n;
    ck_assert_int_eq(el_file_read(p, 4, &b, &n), EL_ELIMIT);
    ck_assert_int_eq(el_file_read(p, 5, &b, &n), EL_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq((char *)b, "hello");
    free(b);
    unlink(p);
    rmdir(dir);
}
END_TEST

/* Writes TEXT to PATH through el_file_out; the status. */
static int write_out(const char *path, const char *text)
{
    el_file_out o;
    int s = el_file_out_open(&o, path, 0644);
    if (s)
        return s;
    fputs(text, o.f);
    return el_file_out_commit(&o);
}

START_TEST(out_never_replaces_what_is_not_a_file)
{
    char dir[64], fifo[128], link[128], victim[128];
    temp_dir(dir, sizeof dir);
    path_in(fifo, sizeof fifo, dir, "fifo");
    path_in(link, sizeof link, dir, "link");
    path_in(victim, sizeof victim, dir, "victim");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_int_eq(write_out(fifo, "x"), EL_EIO);
    struct stat sb;
    ck_assert_int_eq(lstat(fifo, &sb), 0);
    ck_assert(S_ISFIFO(sb.st_mode));
    FILE *f = fopen(victim, "w");
    fputs("keep", f);
    fclose(f);
    ck_assert_int_eq(symlink(victim, link), 0);
    ck_assert_int_eq(write_out(link, "x"), EL_EIO);
    ck_assert_int_eq(lstat(link, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode));
    ck_assert_int_eq(write_out("/dev/null", "x"), EL_EIO);
    unlink(fifo);
    unlink(link);
    unlink(victim);
    rmdir(dir);
}
END_TEST

START_TEST(out_ignores_a_planted_tmp_link)
{
    char dir[64], out[128], tmp[160], victim[128];
    temp_dir(dir, sizeof dir);
    path_in(out, sizeof out, dir, "out.csv");
    path_in(victim, sizeof victim, dir, "victim");
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *f = fopen(victim, "w");
    fputs("keep", f);
    fclose(f);
    ck_assert_int_eq(symlink(victim, tmp), 0);
    ck_assert_int_eq(write_out(out, "new"), EL_OK);
    unsigned char *b;
    size_t n;
    ck_assert_int_eq(el_file_read(victim, 0, &b, &n), EL_OK);
    ck_assert_str_eq((char *)b, "keep");
    free(b);
    ck_assert_int_eq(el_file_read(out, 0, &b, &n), EL_OK);
    ck_assert_str_eq((char *)b, "new");
    free(b);
    struct stat sb;
    ck_assert_int_eq(stat(out, &sb), 0);
    ck_assert_uint_eq(sb.st_mode & 0777, 0644);
    unlink(out);
    unlink(tmp);
    unlink(victim);
    rmdir(dir);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *c = tcase_create("Limits");
    tcase_add_test(c, read_refuses_fifo_device_folder);
    tcase_add_test(c, read_limits_and_reads);
    tcase_add_test(c, out_never_replaces_what_is_not_a_file);
    tcase_add_test(c, out_ignores_a_planted_tmp_link);
    suite_add_tcase(s, c);
    return s;
}

EL_CHECK_MAIN(core_suite)
