/* check_sandbox.c -- src/sandbox: a command under bubblewrap runs as an
 * unprivileged user (when root), sees only its work folder writable, is
 * stopped by the wall-clock timeout and the output cap; the work folder is
 * removed without following links.  Its own program: skipped (exit 77)
 * where bubblewrap cannot run, never passed. */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "core/el_core.h"
#include "sandbox/el_sandbox.h"

static char *dir;

static void setup(void)
{
    ck_assert_int_eq(el_sandbox_workdir(&dir), EL_OK);
}

static void teardown(void)
{
    ck_assert_int_eq(el_sandbox_remove(dir), EL_OK);
    free(dir);
}

static el_sandbox_opts opts(const char *const *argv)
{
    el_sandbox_opts o = { argv, dir, 5, 10, (size_t)1 << 30, 1 << 20, 16, 4096, 0 };
    return o;
}

START_TEST(runs_unprivileged_in_its_folder)
{
    const char *const argv[] = { "/bin/sh", "-c",
                                 "id -u; echo x > f; cat f; touch /usr/x /x 2>/dev/null; exit 3",
                                 NULL };
    el_sandbox_opts o = opts(argv);
    el_sandbox_result r;
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_OK);
    ck_assert_int_eq(r.end, EL_SANDBOX_EXITED);
    ck_assert_int_eq(r.code, 3);
    int uid = -1;
    ck_assert_int_eq(sscanf(r.out, "%d", &uid), 1);
    if (getuid() == 0) /* a uid of its own, below nobody */
        ck_assert(uid >= EL_SANDBOX_UID - EL_SANDBOX_SLOTS && uid <= EL_SANDBOX_UID);
    else
        ck_assert_int_eq(uid, (int)getuid());
    ck_assert_ptr_nonnull(strstr(r.out, "\nx\n")); /* it wrote and read its own file */
    el_sandbox_result_free(&r);
    struct stat sb;
    char f[4200];
    snprintf(f, sizeof f, "%s/f", dir);
    ck_assert_int_ne(stat(f, &sb), 0); /* in a tmpfs of its own, not on the host's disk */
    ck_assert_int_ne(stat("/x", &sb), 0);
    ck_assert_int_ne(stat("/usr/x", &sb), 0);
}
END_TEST

/* The work folder inside holds the caller's files read-only and at most
 * EL_SANDBOX_WORK_MB of the program's own: writing more fails, and the
 * caller's file is unchanged (the control: a small write succeeds). */
START_TEST(work_folder_is_capped)
{
    char f[4200];
    snprintf(f, sizeof f, "%s/given.txt", dir);
    FILE *g = fopen(f, "w");
    ck_assert_ptr_nonnull(g);
    fputs("given\n", g);
    fclose(g);
    const char *const argv[] = {
        "/bin/sh", "-c",
        "cat given.txt; echo small > s && echo small-ok; echo x >> given.txt || echo ro-ok; "
        "for i in 1 2 3 4 5 6 7 8 9; do head -c 10000000 /dev/zero > big$i || exit 9; done; exit 0",
        NULL
    };
    el_sandbox_opts o = opts(argv);
    el_sandbox_result r;
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_OK);
    ck_assert_msg(strstr(r.out, "given\nsmall-ok\nro-ok\n") != NULL, "%s", r.out);
    ck_assert_int_eq(r.code, 9); /* 64 MB: the seventh 10 MB file does not fit */
    el_sandbox_result_free(&r);
    g = fopen(f, "r");
    char line[32] = "";
    ck_assert(g && fgets(line, sizeof line, g) && !fgets(line + 6, 8, g));
    fclose(g);
    unlink(f);
}
END_TEST

START_TEST(stopped_by_timeout_and_output_cap)
{
    const char *const sleeper[] = { "/bin/sh", "-c", "sleep 100 & sleep 100", NULL };
    el_sandbox_opts o = opts(sleeper);
    o.wall_seconds = 0.5;
    el_sandbox_result r;
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_OK);
    ck_assert_int_eq(r.end, EL_SANDBOX_TIMEOUT);
    el_sandbox_result_free(&r);
    const char *const loud[] = { "/bin/sh", "-c", "yes", NULL };
    o = opts(loud);
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_OK);
    ck_assert_int_eq(r.end, EL_SANDBOX_OUTPUT_LIMIT);
    ck_assert_uint_eq(r.out_len, 4096);
    el_sandbox_result_free(&r);
}
END_TEST

START_TEST(nothing_of_the_grader_is_inherited)
{
    /* another grading thread's open file (no O_CLOEXEC), a blocked and an
     * ignored signal: none of them may reach the program */
    int fd = open("/dev/null", O_WRONLY);
    ck_assert_int_ge(fd, 3);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
    void (*was)(int) = signal(SIGPIPE, SIG_IGN);
    char script[256];
    snprintf(script, sizeof script,
             "if [ -e /proc/self/fd/%d ]; then echo leaked; fi; "
             "grep -E '^Sig(Blk|Ign)' /proc/self/status",
             fd);
    const char *const argv[] = { "/bin/sh", "-c", script, NULL };
    el_sandbox_opts o = opts(argv);
    el_sandbox_result r;
    int st = el_sandbox_run(&o, &r);
    close(fd);
    signal(SIGPIPE, was);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    ck_assert_int_eq(st, EL_OK);
    ck_assert_int_eq(r.end, EL_SANDBOX_EXITED);
    ck_assert_msg(!strstr(r.out, "leaked"), "the grader's descriptor %d reached the program", fd);
    /* the two signals set here: SIGTERM blocked, SIGPIPE ignored (what the
     * environment may set for others, e.g. SIGINT in a background job, is
     * not this test's business) */
    const char *blk = strstr(r.out, "SigBlk:\t"), *ign = strstr(r.out, "SigIgn:\t");
    ck_assert_msg(blk && ign, "%s", r.out);
    unsigned long long b = strtoull(blk + 8, NULL, 16), g = strtoull(ign + 8, NULL, 16);
    ck_assert_msg(!(b & (1ull << (SIGTERM - 1))), "SIGTERM still blocked: %s", r.out);
    ck_assert_msg(!(g & (1ull << (SIGPIPE - 1))), "SIGPIPE still ignored: %s", r.out);
    el_sandbox_result_free(&r);
}
END_TEST

START_TEST(stderr_keeps_its_last_bytes)
{
    /* 100000 bytes of standard error, then a mark: the tail is kept, capped */
    const char *const argv[] = { "/bin/sh", "-c",
                                 "head -c 100000 /dev/zero | tr '\\0' x >&2; echo END >&2", NULL };
    el_sandbox_opts o = opts(argv);
    el_sandbox_result r;
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_OK);
    ck_assert_int_eq(r.end, EL_SANDBOX_EXITED);
    ck_assert_uint_eq(r.err_len, EL_SANDBOX_ERR_KEEP);
    ck_assert_uint_eq(strlen(r.err), EL_SANDBOX_ERR_KEEP);
    ck_assert_str_eq(r.err + r.err_len - 4, "END\n");
    ck_assert_int_eq(r.err[0], 'x');
    el_sandbox_result_free(&r);
}
END_TEST

/* The pid of a child of PARENT (from /proc), or 0. */
static pid_t child_of(pid_t parent)
{
    char cmd[160], line[64];
    snprintf(cmd, sizeof cmd,
             "grep -l '^PPid:[[:space:]]*%d$' /proc/[0-9]*/status 2>/dev/null | head -n 1",
             (int)parent);
    FILE *p = popen(cmd, "r");
    int pid = 0;
    if (p && fgets(line, sizeof line, p))
        sscanf(line, "/proc/%d/", &pid);
    if (p)
        pclose(p);
    return (pid_t)pid;
}

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* Runs a sleeper (under bubblewrap, or UNSAFE) in a grader process that is
 * then killed: 1 when what it forked is gone within 3 s. */
static int dies_with(int unsafe)
{
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0); /* orphans come to us */
    char mark[4200];
    snprintf(mark, sizeof mark, "%s/started", dir);
    pid_t grader = fork();
    ck_assert_int_ge(grader, 0);
    if (grader == 0) {
        const char *const argv[] = { "/bin/sh", "-c", "touch started; exec sleep 30", NULL };
        el_sandbox_opts o = opts(argv);
        o.wall_seconds = 40;
        o.unsafe = unsafe;
        el_sandbox_result r;
        el_sandbox_run(&o, &r);
        _exit(0);
    }
    struct stat sb;
    for (int i = 0; i < 500 && stat(mark, &sb) != 0 && !(unsafe == 0 && child_of(grader) > 0); i++)
        pause_ms(10);
    if (!unsafe)
        pause_ms(300); /* its own tmpfs: no mark on the host; the run has started */
    else
        ck_assert_int_eq(stat(mark, &sb), 0);
    pid_t run = child_of(grader);
    ck_assert_int_gt(run, 0);
    kill(grader, SIGKILL);
    ck_assert_int_eq(waitpid(grader, NULL, 0), grader);
    int gone = 0;
    for (int i = 0; i < 300 && !gone; i++) {
        gone = waitpid(run, NULL, WNOHANG) == run;
        if (!gone)
            pause_ms(10);
    }
    if (!gone)
        kill(run, SIGKILL), waitpid(run, NULL, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    unlink(mark);
    return gone;
}

START_TEST(dies_with_the_grader)
{
    /* a grader killed mid-run (a platform's timeout) leaves nothing running,
     * with bubblewrap (its --die-with-parent) and without it: there the
     * parent-death signal is set after the drop to the sandbox's user, which
     * clears one set before it */
    ck_assert_msg(dies_with(0), "the sandbox outlived the grader that started it");
    ck_assert_msg(dies_with(1), "the unsafe run outlived the grader that started it");
}
END_TEST

START_TEST(bad_options_refused)
{
    const char *const rel[] = { "sh", NULL }; /* negative control: nothing runs */
    el_sandbox_opts o = opts(rel);
    el_sandbox_result r;
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_EUSAGE);
    const char *const ok[] = { "/bin/true", NULL };
    o = opts(ok);
    o.memory_bytes = 0;
    ck_assert_int_eq(el_sandbox_run(&o, &r), EL_EUSAGE);
}
END_TEST

START_TEST(remove_never_follows_links)
{
    char outside[] = "/tmp/elbolab-check-sandbox-XXXXXX", keep[128], link[4200];
    ck_assert_ptr_nonnull(mkdtemp(outside));
    snprintf(keep, sizeof keep, "%s/keep", outside);
    FILE *f = fopen(keep, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(link, sizeof link, "%s/link", dir);
    ck_assert_int_eq(symlink(outside, link), 0);
    ck_assert_int_eq(el_sandbox_remove(dir), EL_OK);
    struct stat sb;
    ck_assert_int_eq(stat(keep, &sb), 0);
    ck_assert_int_ne(lstat(dir, &sb), 0);
    unlink(keep);
    rmdir(outside);
    ck_assert_int_eq(mkdir(dir, 0700), 0); /* for the teardown */
}
END_TEST

static Suite *sandbox_suite(void)
{
    Suite *s = suite_create("sandbox");
    TCase *core = tcase_create("Core");
    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_test(core, runs_unprivileged_in_its_folder);
    tcase_add_test(core, work_folder_is_capped);
    tcase_add_test(core, remove_never_follows_links);
    tcase_add_test(core, nothing_of_the_grader_is_inherited);
    suite_add_tcase(s, core);
    TCase *lim = tcase_create("Limits");
    tcase_add_checked_fixture(lim, setup, teardown);
    tcase_add_test(lim, stopped_by_timeout_and_output_cap);
    tcase_add_test(lim, bad_options_refused);
    tcase_add_test(lim, stderr_keeps_its_last_bytes);
    tcase_add_test(lim, dies_with_the_grader);
    suite_add_tcase(s, lim);
    return s;
}

int main(void)
{
    if (el_sandbox_probe() != EL_OK) {
        printf("SKIP: %s\n", el_errmsg());
        return EL_CHECK_SKIPPED;
    }
    return el_check_run_suite(sandbox_suite());
}
