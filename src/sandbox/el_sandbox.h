/* el_sandbox.h -- running an untrusted program: bubblewrap (Debian's
 * `bubblewrap`) around it, resource limits inside, a wall-clock timeout and
 * its output captured with a cap.
 *
 * The program sees a read-only system (/usr, the /bin and /lib links, a few
 * files of /etc), nothing else writable but an empty work folder at
 * EL_SANDBOX_WORK (the host folder the caller gives; also $HOME and
 * $TMPDIR; there is no /tmp), no network (every
 * namespace unshared), its own PID namespace, a new session (no terminal),
 * and dies with the grader.  When the caller runs as root the program runs
 * as an unprivileged user of its own: one of the EL_SANDBOX_SLOTS uids
 * below EL_SANDBOX_UID (nobody), held for the run by a lock in
 * /run/elbolab-sandbox across processes, so that one program's processes
 * never count against another's limit (the limit on processes is per user,
 * and does not bind root at all) and every process left when the run ends
 * is killed; nobody itself, shared, only when every slot is taken.
 * Limits (setrlimit before bubblewrap starts, inherited by everything it
 * runs): CPU seconds, address space, processes, size of a written file.
 *
 * Where bubblewrap cannot run (not installed, no user namespaces) nothing
 * runs, unless the caller asked for it explicitly (opts.unsafe): then the
 * program runs with the same limits and the same user but no isolation.
 *
 * Nothing here prints or exits. */
#ifndef EL_SANDBOX_H
#define EL_SANDBOX_H

#include <stddef.h>

#define EL_SANDBOX_WORK    "/work" /* where the work folder is inside the sandbox */
#define EL_SANDBOX_WORK_MB 64      /* the size of that folder inside (a tmpfs) */
#define EL_SANDBOX_UID     65534   /* nobody: the user a root caller's program runs as */
#define EL_SANDBOX_SLOTS   32      /* concurrent runs get uids EL_SANDBOX_UID - 0..31 */

typedef struct {
    const char *const *argv; /* the command (NULL-terminated), argv[0] an absolute path */
    const char *workdir;     /* host folder whose files the program reads (read-only) in
                                EL_SANDBOX_WORK, a tmpfs of EL_SANDBOX_WORK_MB it may write
                                (with --unsafe-code: the folder itself, read-write) */
    double cpu_seconds;      /* RLIMIT_CPU (whole seconds, rounded up) */
    double wall_seconds;     /* the whole run is killed after this long */
    size_t memory_bytes;     /* RLIMIT_AS of every process */
    size_t file_bytes;       /* RLIMIT_FSIZE: the largest file it may write */
    unsigned nproc;          /* RLIMIT_NPROC: processes it may add to its user's */
    size_t output_bytes;     /* standard output kept; more stops the run */
    int unsafe;              /* 1: run without bubblewrap (the caller's explicit choice) */
} el_sandbox_opts;

typedef enum {
    EL_SANDBOX_EXITED = 0,  /* it exited by itself: see code */
    EL_SANDBOX_SIGNALLED,   /* killed by signal `code` (CPU or file limit, crash) */
    EL_SANDBOX_TIMEOUT,     /* stopped after wall_seconds */
    EL_SANDBOX_OUTPUT_LIMIT /* stopped: its output passed output_bytes */
} el_sandbox_end;

typedef struct {
    el_sandbox_end end;
    int code;  /* exit status, or signal number */
    char *out; /* standard output (NUL-terminated), at most output_bytes */
    size_t out_len;
    char *err; /* the last EL_SANDBOX_ERR_KEEP bytes of standard error */
    size_t err_len;
    double wall; /* seconds it ran */
} el_sandbox_result;

#define EL_SANDBOX_ERR_KEEP 16384

/* EL_OK when bubblewrap runs here (a trivial command in the sandbox
 * succeeds; probed once per process); otherwise EL_ENOTFOUND (not
 * installed) or EL_EIO (it cannot create its namespaces), with el_errmsg()
 * saying why.  $ELBOLAB_SANDBOX=none makes it fail (for tests). */
int el_sandbox_probe(void);

/* Creates an empty work folder (mode 0700 under $TMPDIR, or /tmp when the
 * caller is root and $TMPDIR is not searchable by others); a root caller's
 * runs give it to the run's user.  *PATH malloc'd. */
int el_sandbox_workdir(char **path);

/* Removes PATH and everything in it, never following a link. */
int el_sandbox_remove(const char *path);

/* Runs O->argv as described above and waits for it; R is filled (free it
 * with el_sandbox_result_free) whenever EL_OK is returned, whatever the
 * program did.  Errors: EL_EUSAGE (bad options), EL_EIO (bubblewrap cannot
 * run and O->unsafe is 0; fork or pipe failed), EL_ENOMEM. */
int el_sandbox_run(const el_sandbox_opts *o, el_sandbox_result *r);

void el_sandbox_result_free(el_sandbox_result *r);

#endif
