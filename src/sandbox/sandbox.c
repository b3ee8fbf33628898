/* sandbox.c -- bubblewrap around an untrusted program, limits set in the
 * child before exec, a wall-clock timeout, output captured with a cap. */
#define _GNU_SOURCE
#include "sandbox/el_sandbox.h"
#include "core/el_core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
    char pool[8192]; /* the arguments built here (paths) */
    size_t used;
} args;

static void arg(args *a, const char *s)
{
    if (a->n < MAX_ARGS - 1)
        a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

/* Appends DIR/NAME (or NAME alone when DIR is NULL) as an argument, kept in
 * A's pool; marks A too long (full) when it does not fit. */
static void arg_path(args *a, const char *dir, const char *name)
{
    size_t room = sizeof a->pool - a->used;
    int k = snprintf(a->pool + a->used, room, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    if (k < 0 || (size_t)k >= room) {
        a->n = MAX_ARGS - 1; /* too long: bwrap_args says so */
        return;
    }
    arg(a, a->pool + a->used);
    a->used += (size_t)k + 1;
}

/* The work folder inside: a tmpfs of EL_SANDBOX_WORK_MB (so that a program
 * cannot fill the host's disk, however many files it writes) holding each
 * regular file of O->workdir read-only (links are not followed).  -1 if the
 * folder cannot be listed. */
static int work_args(const el_sandbox_opts *o, args *a)
{
    char size[32];
    snprintf(size, sizeof size, "%lu", (unsigned long)EL_SANDBOX_WORK_MB << 20);
    arg(a, "--size");
    arg_path(a, NULL, size);
    arg(a, "--tmpfs");
    arg(a, EL_SANDBOX_WORK);
    DIR *d = opendir(o->workdir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat sb;
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", o->workdir, e->d_name) >= (int)sizeof path ||
            lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        arg(a, "--ro-bind");
        arg_path(a, o->workdir, e->d_name);
        arg_path(a, EL_SANDBOX_WORK, e->d_name);
    }
    closedir(d);
    return 0;
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
    a->used = 0;
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
    if (work_args(o, a))
        return -1;
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

/* In the child: nothing of the grader's reaches the program but 0-2 --
 * every other descriptor closed (another thread's open files or sockets;
 * mkstemp's and fopen's are not close-on-exec), the signal mask emptied and
 * every signal back to its default (an ignored one would stay ignored
 * across exec). */
static void child_clean(void)
{
    if (close_range(3, ~0u, 0) != 0) {
        struct rlimit r;
        rlim_t top = getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < 65536 ? r.rlim_cur : 65536;
        for (rlim_t fd = 3; fd < top; fd++)
            close((int)fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
}

/* In the child: pipes as stdout/stderr, limits, nobody when root, exec;
 * killed when PARENT (the grader) dies.  Only async-signal-safe calls (the
 * grader may have threads). */
static void child(const el_sandbox_opts *o, int out, int err, const char *const *argv,
                  char *const *env, uid_t uid, rlim_t nproc, pid_t parent)
{
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
        _exit(126);
    child_clean();
    limit(RLIMIT_CPU, (rlim_t)(o->cpu_seconds + 0.999));
    limit(RLIMIT_AS, (rlim_t)o->memory_bytes);
    limit(RLIMIT_FSIZE, (rlim_t)o->file_bytes);
    limit(RLIMIT_NPROC, nproc);
    limit(RLIMIT_CORE, 0);
    if (getuid() == 0 || geteuid() == 0) {
        if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid(uid))
            _exit(126);
        if (setuid(0) == 0) /* the drop must be irreversible */
            _exit(126);
    }
    /* after the drop, which clears a parent-death signal set before it; a
     * grader already gone by now is not waited for */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(126);
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
        if (drop) /* k->s is NULL until the first bytes are kept */
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

/* A root caller's run takes a slot: a uid of its own (EL_SANDBOX_UID - 1 -
 * slot), held across processes by a lock file in SLOT_DIR (root's only), so
 * that every process of that uid is this run's: the limit on processes
 * counts only them, and what is left of them afterwards is killed. */
#define SLOT_DIR "/run/elbolab-sandbox"

typedef struct {
    int fd;    /* the slot's locked file, or -1 */
    uid_t uid; /* the run's user */
    int own;   /* 1: no one else runs as uid */
} user_slot;

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static int slot_busy[EL_SANDBOX_SLOTS];

/* 1 when process P (its /proc path) is a zombie: it runs nothing and
 * waits for its parent (or init) to reap it. */
static int zombie(const char *p)
{
    char path[320], buf[512];
    snprintf(path, sizeof path, "%s/stat", p);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1; /* gone */
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    const char *end = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return end && end[1] == ' ' && end[2] == 'Z';
}

/* The live processes of UID now (from /proc; zombies aside, or all of them
 * when WITH_ZOMBIES); KILL_THEM: killed as well. */
static size_t processes_of(uid_t uid, int kill_them, int with_zombies)
{
    DIR *d = opendir("/proc");
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char p[300];
        struct stat sb;
        snprintf(p, sizeof p, "/proc/%s", e->d_name);
        if (stat(p, &sb) == 0 && sb.st_uid == uid && (with_zombies || !zombie(p))) {
            n++;
            if (kill_them)
                kill((pid_t)atol(e->d_name), SIGKILL);
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* Locks slot I's file: its descriptor, or -1 when another process has it
 * (or SLOT_DIR cannot be used: then the slot is this process's alone). */
static int slot_file(int i, int *shared_ok)
{
    struct stat sb;
    if ((mkdir(SLOT_DIR, 0700) != 0 && errno != EEXIST) || lstat(SLOT_DIR, &sb) != 0 ||
        !S_ISDIR(sb.st_mode) || sb.st_uid != 0) {
        *shared_ok = 0;
        return -1;
    }
    char p[64];
    snprintf(p, sizeof p, SLOT_DIR "/slot-%d", i);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    *shared_ok = fd >= 0; /* locked by another process */
    return -1;
}

/* The user for a run: the caller (not root), a slot's own uid, or, when
 * every slot is taken, nobody (shared). */
static user_slot slot_take(void)
{
    user_slot u = { -1, getuid(), 0 };
    if (getuid() != 0 && geteuid() != 0)
        return u;
    u.uid = EL_SANDBOX_UID;
    pthread_mutex_lock(&slot_lock);
    for (int i = 0; i < EL_SANDBOX_SLOTS && !u.own; i++) {
        int usable = 1;
        if (slot_busy[i] || ((u.fd = slot_file(i, &usable)) < 0 && usable))
            continue;
        slot_busy[i] = 1;
        u.uid = (uid_t)(EL_SANDBOX_UID - 1 - i);
        u.own = 1;
    }
    pthread_mutex_unlock(&slot_lock);
    if (u.own)
        processes_of(u.uid, 1, 0); /* what a crashed grader left behind */
    return u;
}

/* Ends a run's use of its user: its remaining processes killed and gone
 * (at most 2 s), then the slot released. */
static void slot_give(user_slot *u)
{
    if (!u->own)
        return;
    for (int i = 0; i < 200 && processes_of(u->uid, 1, 0) > 0; i++) {
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&slot_lock);
    slot_busy[EL_SANDBOX_UID - 1 - (int)u->uid] = 0;
    pthread_mutex_unlock(&slot_lock);
    if (u->fd >= 0)
        close(u->fd);
    u->own = 0;
}

/* Forks the child that runs ARGV as U's user (when root), allowed NPROC
 * processes of that user; *PID, the parent's ends in OUT[0], ERR[0]. */
static int start(const el_sandbox_opts *o, const char *const *argv, const user_slot *u,
                 rlim_t nproc, pid_t *pid, int out[2], int err[2])
{
    if (pipe2(out, O_CLOEXEC) != 0)
        return EL_ERROR(EL_EIO, "pipe: %s", strerror(errno));
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]), close(out[1]);
        return EL_ERROR(EL_EIO, "pipe: %s", strerror(errno));
    }
    pid_t self = getpid();
    *pid = fork();
    if (*pid == 0)
        child(o, out[1], err[1], argv, (char *const *)sandbox_env, u->uid, nproc, self);
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
    user_slot u = slot_take();
    if ((getuid() == 0 || geteuid() == 0) && chown(o->workdir, u.uid, (gid_t)u.uid) != 0) {
        slot_give(&u);
        return EL_ERROR(EL_EIO, "cannot give the work folder to the sandbox's user: %s",
                        strerror(errno));
    }
    /* the limit counts every process of the user, zombies not yet reaped
     * included: those it has already, plus nproc */
    rlim_t nproc = (rlim_t)o->nproc + (rlim_t)processes_of(u.uid, 0, 1);
    if ((st = start(o, argv, &u, nproc, &pid, out, err))) {
        slot_give(&u);
        return st;
    }
    sink so = { NULL, 0, 0, o->output_bytes, 0, 0 }, se = { NULL, 0, 0, EL_SANDBOX_ERR_KEEP, 1, 0 };
    r->end = watch(pid, out[0], err[0], o, &so, &se, &status, &oom);
    close(out[0]);
    close(err[0]);
    slot_give(&u);
    r->wall = now() - t0;
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
