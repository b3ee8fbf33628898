/* http.c -- the thin libmicrohttpd glue: collects a request's body (at most
 * EL_SERVE_MAX_BODY bytes), hands the request to el_serve_handle and sends
 * its answer.  Built without libmicrohttpd, el_serve_listen says so. */
#include "serve/serve_int.h"
#include "serve/serve_config.h"
#include "core/el_core.h"

#include <stdlib.h>
#include <string.h>

#if ELBOLAB_HAVE_MHD
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#define THREADS      2  /* requests answered at once */
#define CONNECTIONS  64 /* open connections at most */
#define PER_IP       32 /* ... from one address */
#define IDLE_SECONDS 15 /* a connection silent this long is closed */

typedef struct {
    char *buf;
    size_t len, cap;
    int too_big;
} upload;

int el_serve_available(void)
{
    return 1;
}

/* Appends DATA to U, or marks U too big past the limit (and drops it). */
static void upload_add(upload *u, const char *data, size_t n)
{
    if (u->too_big || n == 0)
        return;
    if (u->len + n > EL_SERVE_MAX_BODY) {
        u->too_big = 1;
        return;
    }
    if (u->len + n > u->cap) {
        size_t cap = u->cap ? u->cap : 4096;
        while (cap < u->len + n)
            cap *= 2;
        char *b = realloc(u->buf, cap);
        if (!b) {
            u->too_big = 1;
            return;
        }
        u->buf = b;
        u->cap = cap;
    }
    memcpy(u->buf + u->len, data, n);
    u->len += n;
}

static enum MHD_Result respond(struct MHD_Connection *c, el_serve_response *r)
{
    struct MHD_Response *resp =
        r->body ? MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE)
                : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        el_serve_response_free(r);
        return MHD_NO;
    }
    r->body = NULL; /* now the response's */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **state)
{
    (void)version;
    upload *u = *state;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > EL_SERVE_MAX_BODY)
            u->too_big = 1;
        *state = u;
        return MHD_YES;
    }
    if (*data_size) {
        upload_add(u, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    el_serve_request req = {
        .method = method,
        .path = url,
        .student = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "student"),
        .body = u->buf,
        .len = u->too_big ? (size_t)EL_SERVE_MAX_BODY + 1 : u->len,
    };
    el_serve_response r;
    el_serve_handle(cls, &req, &r);
    return respond(c, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    upload *u = *state;
    if (u)
        free(u->buf);
    free(u);
    *state = NULL;
}

int el_serve_listen(el_serve *s, const char *addr, unsigned port, unsigned *port_out, void **handle)
{
    struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD;
    const struct sockaddr *sa = (const struct sockaddr *)&a4;
    if (port > 65535)
        return EL_ERROR(EL_EUSAGE, "port %u is not in 0..65535", port);
    if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
        flags |= MHD_USE_IPv6;
        sa = (const struct sockaddr *)&a6;
    } else if (inet_pton(AF_INET, addr, &a4.sin_addr) != 1) {
        return EL_ERROR(EL_EUSAGE, "'%s' is not an IP address (such as 127.0.0.1 or ::1)", addr);
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_SECONDS, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    if (!d)
        return EL_ERROR(EL_EIO, "cannot listen on %s port %u (in use, or not an address here)",
                        addr, port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = info ? info->port : port;
    *handle = d;
    return EL_OK;
}

void el_serve_stop(void *handle)
{
    if (handle)
        MHD_stop_daemon(handle);
}

#else /* no libmicrohttpd */

int el_serve_available(void)
{
    return 0;
}

int el_serve_listen(el_serve *s, const char *addr, unsigned port, unsigned *port_out, void **handle)
{
    (void)s, (void)addr, (void)port, (void)port_out, (void)handle;
    return EL_ERROR(EL_ENOTFOUND, "this elbolab was built without libmicrohttpd: install it "
                                  "(scripts/deps.sh, or apt-get install libmicrohttpd-dev) and "
                                  "rebuild");
}

void el_serve_stop(void *handle)
{
    (void)handle;
}

#endif
