/* sandbox.c -- bubblewrap around an untrusted program, limits set in the
 * child before exec, a wall-clock timeout, output captured with a cap. */
#define _GNU_SOURCE
#include "sandbox/el_sandbox.h"
#include "core/el_core.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 96

/* The environment of the program: nothing of the grader's. */
static const char *const env_names[] = { "PATH",
                                         "HOME",
                                         "TMPDIR",
                                         "LANG",
                                         "PYTHONHASHSEED",
                                         "OPENBLAS_NUM_THREADS",
                                         "OMP_NUM_THREADS",
                                         "MKL_NUM_THREADS",
                                         NULL };
static const char *const env_values[] = {
    "/usr/bin:/bin", EL_SANDBOX_WORK, EL_SANDBOX_WORK, "C.UTF-8", "0", "1", "1", "1", NULL
};
static const char *const sandbox_env[] = {
    "PATH=/usr/bin:/bin", "HOME=" EL_SANDBOX_WORK, "TMPDIR=" EL_SANDBOX_WORK,
    "LANG=C.UTF-8",       "PYTHONHASHSEED=0",      "OPENBLAS_NUM_THREADS=1",
    "OMP_NUM_THREADS=1",  "MKL_NUM_THREADS=1",     NULL
};

/* Read-only files of /etc the dynamic loader and BLAS alternatives need. */
static const char *const etc_files[] = { "/etc/ld.so.cache",  "/etc/ld.so.conf",
                                         "/etc/ld.so.conf.d", "/etc/alternatives",
                                         "/etc/localtime",    NULL };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The bwrap program, or NULL. */
static const char *bwrap_path(void)
{
    static const char *const where[] = { "/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap",
                                         NULL };
    for (size_t i = 0; where[i]; i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return NULL;
}

/* ---- the command line --------------------------------------------------------- */

typedef struct {
    const char *v[MAX_ARGS];
    size_t n;
} args;

static void arg(args *a, const char *s)
{
    if (a->n < MAX_ARGS - 1)
        a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

/* bwrap's options for a run in WORKDIR, then O->argv; -1 when too long. */
static int bwrap_args(const char *bwrap, const el_sandbox_opts *o, args *a)
{
    static const char *const fixed[] = { "--unshare-all", "--die-with-parent",
                                         "--new-session", "--cap-drop",
                                         "ALL",           "--ro-bind",
                                         "/usr",          "/usr",
                                         "--symlink",     "usr/bin",
                                         "/bin",          "--symlink",
                                         "usr/lib",       "/lib",
                                         "--symlink",     "usr/lib64",
                                         "/lib64",        "--symlink",
                                         "usr/sbin",      "/sbin",
                                         "--proc",        "/proc",
                                         "--dev",         "/dev",
                                         "--clearenv",    NULL };
    a->n = 0;
    arg(a, bwrap);
    for (size_t i = 0; fixed[i]; i++)
        arg(a, fixed[i]);
    for (size_t i = 0; etc_files[i]; i++) {
        arg(a, "--ro-bind-try");
        arg(a, etc_files[i]);
        arg(a, etc_files[i]);
    }
    for (size_t i = 0; env_names[i]; i++) {
        arg(a, "--setenv");
        arg(a, env_names[i]);
        arg(a, env_values[i]);
    }
    arg(a, "--bind");
    arg(a, o->workdir);
    arg(a, EL_SANDBOX_WORK);
    arg(a, "--remount-ro"); /* the root (and so /tmp, which does not exist) is read-only */
    arg(a, "/");
    arg(a, "--chdir");
    arg(a, EL_SANDBOX_WORK);
    arg(a, "--");
    size_t before = a->n;
    for (size_t i = 0; o->argv[i]; i++)
        arg(a, o->argv[i]);
    return a->n == MAX_ARGS - 1 || a->n == before ? -1 : 0;
}

/* ---- the child ---------------------------------------------------------------- */

static void limit(int what, rlim_t v)
{
    struct rlimit r = { v, v };
    if (setrlimit(what, &r) != 0)
        _exit(126);
}

/* In the child: pipes as stdout/stderr, limits, nobody when root, exec.
 * Only async-signal-safe calls (the grader may have threads). */
static void child(const el_sandbox_opts *o, int out, int err, const char *const *argv,
                  char *const *env, uid_t uid)
{
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    limit(RLIMIT_CPU, (rlim_t)(o->cpu_seconds + 0.999));
    limit(RLIMIT_AS, (rlim_t)o->memory_bytes);
    limit(RLIMIT_FSIZE, (rlim_t)o->file_bytes);
    limit(RLIMIT_NPROC, (rlim_t)o->nproc);
    limit(RLIMIT_CORE, 0);
    if (getuid() == 0 || geteuid() == 0) {
        if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid(uid))
            _exit(126);
        if (setuid(0) == 0) /* the drop must be irreversible */
            _exit(126);
    }
    if (!o->unsafe || chdir(o->workdir) == 0)
        execve(argv[0], (char *const *)argv, env);
    _exit(127);
}

/* ---- the parent ---------------------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap, keep; /* keep: the cap; for stderr only the last bytes are kept */
    int tail, over;
} sink;

static int sink_add(sink *k, const char *b, size_t n)
{
    if (k->tail && k->n + n > k->keep) { /* keep the last `keep` bytes */
        size_t drop = k->n + n - k->keep;
        if (drop > k->n) {
            b += drop - k->n;
            n -= drop - k->n;
            drop = k->n;
        }
        memmove(k->s, k->s + drop, k->n - drop);
        k->n -= drop;
    } else if (!k->tail && k->n + n > k->keep) {
        n = k->keep - k->n;
        k->over = 1;
    }
    if (k->n + n + 1 > k->cap) {
        size_t cap = (k->n + n + 1) * 2;
        char *s = realloc(k->s, cap);
        if (!s)
            return -1;
        k->s = s;
        k->cap = cap;
    }
    memcpy(k->s + k->n, b, n);
    k->n += n;
    k->s[k->n] = '\0';
    return 0;
}

/* Reads what is ready on FD into K; 1 at end of file. */
static int drain(int fd, sink *k, int *oom)
{
    char buf[65536];
    ssize_t got = read(fd, buf, sizeof buf);
    if (got > 0) {
        if (sink_add(k, buf, (size_t)got))
            *oom = 1;
        return 0;
    }
    return !(got < 0 && (errno == EINTR || errno == EAGAIN));
}

static void kill_all(pid_t pid)
{
    if (pid <= 0) /* never kill(-1) or our own group */
        return;
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* Collects the output of PID until it ends, the deadline or the cap. */
static el_sandbox_end watch(pid_t pid, int out, int err, const el_sandbox_opts *o, sink *so,
                            sink *se, int *status, int *oom)
{
    double deadline = now() + o->wall_seconds;
    struct pollfd p[2] = { { out, POLLIN, 0 }, { err, POLLIN, 0 } };
    int open_fds = 2;
    el_sandbox_end end = EL_SANDBOX_EXITED;
    for (;;) {
        double left = deadline - now();
        if (left <= 0) {
            end = EL_SANDBOX_TIMEOUT;
            break;
        }
        if (open_fds == 0) { /* both closed: wait for the exit */
            pid_t w = waitpid(pid, status, WNOHANG);
            if (w == pid)
                return EL_SANDBOX_EXITED;
            struct timespec ts = { 0, 5000000 };
            nanosleep(&ts, NULL);
            continue;
        }
        int ms = left > 1.0 ? 1000 : (int)(left * 1000) + 1;
        if (poll(p, 2, ms) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++)
            if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) &&
                drain(p[i].fd, i ? se : so, oom)) {
                p[i].fd = -1;
                open_fds--;
            }
        if (so->over) {
            end = EL_SANDBOX_OUTPUT_LIMIT;
            break;
        }
    }
    kill_all(pid);
    waitpid(pid, status, 0);
    return end;
}

/* ---- the entry points ---------------------------------------------------------- */

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_status;
static char probe_why[256];

static void probe_run(void)
{
    const char *force = getenv("ELBOLAB_SANDBOX");
    if (force && !strcmp(force, "none")) {
        probe_status = EL_EIO;
        snprintf(probe_why, sizeof probe_why, "bubblewrap is disabled ($ELBOLAB_SANDBOX=none)");
        return;
    }
    if (!bwrap_path()) {
        probe_status = EL_ENOTFOUND;
        snprintf(probe_why, sizeof probe_why,
                 "bubblewrap is not installed (apt-get install bubblewrap)");
        return;
    }
    char *dir = NULL;
    const char *const argv[] = { "/bin/true", NULL };
    el_sandbox_opts o = { argv, NULL, 5, 10, (size_t)1 << 30, 1 << 20, 16, 4096, 0 };
    el_sandbox_result r;
    probe_status = el_sandbox_workdir(&dir);
    if (!probe_status) {
        o.workdir = dir;
        probe_status = el_sandbox_run(&o, &r);
    }
    if (!probe_status) {
        if (r.end != EL_SANDBOX_EXITED || r.code != 0) {
            probe_status = EL_EIO;
            snprintf(
                probe_why, sizeof probe_why,
                "bubblewrap cannot create its sandbox here (user namespaces disabled?): %.150s",
                r.err_len ? r.err : "no message");
        }
        el_sandbox_result_free(&r);
    } else {
        snprintf(probe_why, sizeof probe_why, "%.200s", el_errmsg());
    }
    if (dir)
        el_sandbox_remove(dir);
    free(dir);
}

int el_sandbox_probe(void)
{
    pthread_once(&probe_once, probe_run);
    return probe_status ? EL_ERROR(probe_status, "%s", probe_why) : EL_OK;
}

int el_sandbox_workdir(char **path)
{
    const char *tmp = getenv("TMPDIR");
    struct stat sb;
    int root = getuid() == 0 || geteuid() == 0;
    if (tmp && root && (stat(tmp, &sb) != 0 || !(sb.st_mode & S_IXOTH)))
        tmp = NULL; /* nobody could not reach a work folder in a private TMPDIR */
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/elbolab-sandbox-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    if (!mkdtemp(buf))
        return EL_ERROR(EL_EIO, "cannot create a work folder in %s: %s", tmp ? tmp : "/tmp",
                        strerror(errno));
    *path = strdup(buf);
    return *path ? EL_OK : EL_ERROR(EL_ENOMEM, "out of memory");
}

static int remove_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)f;
    if (flag == FTW_DP)
        return rmdir(p) != 0 && errno != ENOENT;
    return unlink(p) != 0 && errno != ENOENT;
}

int el_sandbox_remove(const char *path)
{
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return EL_ERROR(EL_EIO, "cannot remove the work folder %s", path);
    return EL_OK;
}

static int check_opts(const el_sandbox_opts *o)
{
    if (!o->argv || !o->argv[0] || o->argv[0][0] != '/' || !o->workdir || o->workdir[0] != '/')
        return EL_ERROR(EL_EUSAGE, "the sandbox needs an absolute command and work folder");
    if (!(o->cpu_seconds > 0 && o->wall_seconds > 0) || o->memory_bytes < (1u << 20) ||
        o->nproc < 1 || o->output_bytes < 1)
        return EL_ERROR(EL_EUSAGE, "the sandbox's limits must be positive");
    return EL_OK;
}

/* ---- users: one per concurrent run ------------------------------------------------ */

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static int slot_busy[EL_SANDBOX_SLOTS];

/* A free slot (its uid is EL_SANDBOX_UID - slot), or -1: all are taken,
 * and the run shares EL_SANDBOX_UID. */
static int slot_take(void)
{
    int s = -1;
    pthread_mutex_lock(&slot_lock);
    for (int i = 0; i < EL_SANDBOX_SLOTS && s < 0; i++)
        if (!slot_busy[i])
            slot_busy[s = i] = 1;
    pthread_mutex_unlock(&slot_lock);
    return s;
}

static void slot_give(int s)
{
    if (s < 0)
        return;
    pthread_mutex_lock(&slot_lock);
    slot_busy[s] = 0;
    pthread_mutex_unlock(&slot_lock);
}

/* Forks the child that runs ARGV as UID (when root); *PID, the parent's
 * ends in OUT[0], ERR[0]. */
static int start(const el_sandbox_opts *o, const char *const *argv, uid_t uid, pid_t *pid,
                 int out[2], int err[2])
{
    if (pipe2(out, O_CLOEXEC) != 0)
        return EL_ERROR(EL_EIO, "pipe: %s", strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]), close(out[1]);
        return EL_ERROR(EL_EIO, "pipe: %s", strerror(errno));
    }
    *pid = fork();
    if (*pid == 0)
        child(o, out[1], err[1], argv, (char *const *)sandbox_env, uid);
    close(out[1]);
    close(err[1]);
    if (*pid < 0) {
        close(out[0]), close(err[0]);
        return EL_ERROR(EL_EIO, "fork: %s", strerror(errno));
    }
    return EL_OK;
}

int el_sandbox_run(const el_sandbox_opts *o, el_sandbox_result *r)
{
    memset(r, 0, sizeof *r);
    int st = check_opts(o);
    if (st)
        return st;
    args a;
    const char *const *argv = o->argv;
    if (!o->unsafe) {
        const char *bw = bwrap_path();
        if (!bw)
            return EL_ERROR(EL_EIO, "bubblewrap is not installed: code is not run");
        if (bwrap_args(bw, o, &a))
            return EL_ERROR(EL_EUSAGE, "the sandboxed command is too long");
        argv = a.v;
    }
    int out[2], err[2], status = 0, oom = 0;
    pid_t pid = 0;
    double t0 = now();
    int slot = slot_take();
    uid_t uid = (uid_t)(EL_SANDBOX_UID - (slot < 0 ? 0 : slot));
    if ((getuid() == 0 || geteuid() == 0) && chown(o->workdir, uid, (gid_t)uid) != 0) {
        slot_give(slot);
        return EL_ERROR(EL_EIO, "cannot give the work folder to the sandbox's user: %s",
                        strerror(errno));
    }
    if ((st = start(o, argv, uid, &pid, out, err))) {
        slot_give(slot);
        return st;
    }
    sink so = { NULL, 0, 0, o->output_bytes, 0, 0 }, se = { NULL, 0, 0, EL_SANDBOX_ERR_KEEP, 1, 0 };
    r->end = watch(pid, out[0], err[0], o, &so, &se, &status, &oom);
    close(out[0]);
    close(err[0]);
    r->wall = now() - t0;
    slot_give(slot);
    if (oom || sink_add(&so, "", 0) || sink_add(&se, "", 0)) {
        free(so.s), free(se.s);
        return EL_ERROR(EL_ENOMEM, "out of memory");
    }
    if (r->end == EL_SANDBOX_EXITED && WIFSIGNALED(status)) {
        r->end = EL_SANDBOX_SIGNALLED;
        r->code = WTERMSIG(status);
    } else if (r->end == EL_SANDBOX_EXITED) {
        r->code = WEXITSTATUS(status);
        if (!o->unsafe && r->code > 128 && r->code < 128 + 65) { /* bwrap: 128 + signal */
            r->end = EL_SANDBOX_SIGNALLED;
            r->code -= 128;
        }
    }
    r->out = so.s, r->out_len = so.n;
    r->err = se.s, r->err_len = se.n;
    return EL_OK;
}

void el_sandbox_result_free(el_sandbox_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}
