/* el_core.h -- status codes and error reporting shared by every module.
 *
 * The library never prints and never exits: a function that can fail returns
 * an el_status (0 on success) and records a one-line message, readable with
 * el_errmsg(), in thread-local storage.  The CLI turns that message into the
 * single line a user sees on stderr. */
#ifndef EL_CORE_H
#define EL_CORE_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
    EL_OK = 0,        /* success */
    EL_EDOM = 1,      /* a parameter is outside its domain (sigma <= 0, NaN, not PD, ...) */
    EL_ENOMEM = 2,    /* an allocation failed */
    EL_ENOCONV = 3,   /* an iterative method did not converge */
    EL_ENUM = 4,      /* a GSL routine reported a numerical failure */
    EL_EIO = 5,       /* a file could not be opened, read or written */
    EL_EFORMAT = 6,   /* malformed input: a file or a piece of text */
    EL_ELIMIT = 7,    /* input exceeds a documented size or cost limit */
    EL_ENOTFOUND = 8, /* an unknown name (check id, eval name, exercise id, ...) */
    EL_EUSAGE = 9     /* an API was called the wrong way (bad arguments) */
} el_status;

/* Records MSG (printf format) as this thread's last error and returns STATUS,
 * so that callers can write `return EL_ERROR(EL_EDOM, "sigma must be > 0, got %g", s);`.
 * FILE and LINE are kept for debugging (el_errloc). */
int el_error(int status, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
#define EL_ERROR(status, ...) el_error((status), __FILE__, __LINE__, __VA_ARGS__)

/* The last message recorded in this thread ("" if none).  Owned by the library. */
const char *el_errmsg(void);

/* "file:line" where the last error was recorded ("" if none). */
const char *el_errloc(void);

/* A short fixed description of a status code. */
const char *el_strerror(int status);

/* Clears this thread's error message. */
void el_error_clear(void);

/* Turns GSL's abort-on-error handler off (idempotent, thread-safe).  Every
 * library entry point that calls GSL does this itself; callers may too. */
void el_gsl_init(void);

/* Converts a GSL status into an el_status with a message naming WHAT failed. */
int el_from_gsl(int gsl_status, const char *what);

/* ---- files (file.c) ------------------------------------------------------- */

/* Opens PATH for reading only when it is a regular file: the open never
 * blocks (O_NONBLOCK until fstat has looked), and a FIFO, device, socket or
 * folder gets EL_EIO "... is not a regular file".  LIMIT > 0: a longer file
 * gets EL_ELIMIT.  *SIZE (SIZE may be NULL) gets its length. */
int el_file_open_read(const char *path, size_t limit, FILE **f, size_t *size);

/* Reads the whole regular file PATH (at most LIMIT bytes, 0 = no limit)
 * into a malloc'd buffer *BUF with a NUL after its *N bytes. */
int el_file_read(const char *path, size_t limit, unsigned char **buf, size_t *n);

/* An output written through a temporary file in the target's folder. */
typedef struct {
    FILE *f;          /* write here */
    const char *path; /* the target (not copied) */
    char *tmp;        /* DIR/.NAME.tmpXXXXXX beside PATH, created by mkstemp */
    unsigned mode;
} el_file_out;

/* Starts writing PATH: refuses (EL_EIO) an existing PATH that is not a
 * regular file -- a device, FIFO, folder or symbolic link -- and creates the
 * temporary with mkstemp (O_EXCL: a planted link is never followed). */
int el_file_out_open(el_file_out *o, const char *path, unsigned mode);

/* Flushes and closes the temporary, sets MODE and renames it over PATH;
 * on any failure removes it and returns EL_EIO. */
int el_file_out_commit(el_file_out *o);

/* Removes the temporary (after a failure). */
void el_file_out_abort(el_file_out *o);

#endif
