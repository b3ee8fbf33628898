/* error.c -- thread-local error messages and the GSL bridge. */
#include "core/el_core.h"

#include <gsl/gsl_errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static _Thread_local char errmsg[512];
static _Thread_local char errloc[128];

int el_error(int status, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errmsg, sizeof errmsg, fmt, ap);
    va_end(ap);
    snprintf(errloc, sizeof errloc, "%s:%d", file, line);
    return status;
}

const char *el_errmsg(void)
{
    return errmsg;
}
const char *el_errloc(void)
{
    return errloc;
}

void el_error_clear(void)
{
    errmsg[0] = '\0';
    errloc[0] = '\0';
}

const char *el_strerror(int status)
{
    switch (status) {
    case EL_OK: return "success";
    case EL_EDOM: return "parameter outside its domain";
    case EL_ENOMEM: return "out of memory";
    case EL_ENOCONV: return "did not converge";
    case EL_ENUM: return "numerical failure";
    case EL_EIO: return "input/output error";
    case EL_EFORMAT: return "malformed input";
    case EL_ELIMIT: return "input exceeds a limit";
    case EL_ENOTFOUND: return "unknown name";
    case EL_EUSAGE: return "bad arguments";
    default: return "unknown error";
    }
}

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_off(void)
{
    gsl_set_error_handler_off();
}

void el_gsl_init(void)
{
    pthread_once(&gsl_once, gsl_off);
}

int el_from_gsl(int gsl_status, const char *what)
{
    if (gsl_status == GSL_SUCCESS)
        return EL_OK;
    if (gsl_status == GSL_ENOMEM)
        return EL_ERROR(EL_ENOMEM, "%s: out of memory", what);
    if (gsl_status == GSL_EMAXITER || gsl_status == GSL_CONTINUE)
        return EL_ERROR(EL_ENOCONV, "%s: %s", what, gsl_strerror(gsl_status));
    return EL_ERROR(EL_ENUM, "%s: %s", what, gsl_strerror(gsl_status));
}
