/* transport.c — libcoap 4.3 glue for oscar-peer (see transport.h). Messages cross this boundary
 * as bytes encoded by Oscar's own codec; libcoap does the messaging layer only. */
#include "transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "oscar/coap.h"

#define MSG_MAX 1500
#define PORT_TRIES 8

struct oscar_transport {
    coap_context_t *ctx;
    coap_session_t *client; /* NULL for a server */
    struct oscar_transport_addr local;
    struct oscar_transport_handlers h;
};

static void to_coap(coap_address_t *a, const struct oscar_transport_addr *e)
{
    coap_address_init(a);
    if (e->family == AF_INET6) {
        a->addr.sin6.sin6_family = AF_INET6;
        a->addr.sin6.sin6_port = htons(e->port);
        memcpy(&a->addr.sin6.sin6_addr, e->addr, 16);
        a->size = sizeof(struct sockaddr_in6);
    } else {
        a->addr.sin.sin_family = AF_INET;
        a->addr.sin.sin_port = htons(e->port);
        memcpy(&a->addr.sin.sin_addr, e->addr, 4);
        a->size = sizeof(struct sockaddr_in);
    }
}

static void from_coap(struct oscar_transport_addr *e, const coap_address_t *a)
{
    memset(e, 0, sizeof(*e));
    if (a->addr.sa.sa_family == AF_INET6) {
        e->family = AF_INET6;
        e->port = ntohs(a->addr.sin6.sin6_port);
        memcpy(e->addr, &a->addr.sin6.sin6_addr, 16);
    } else {
        e->family = AF_INET;
        e->port = ntohs(a->addr.sin.sin_port);
        memcpy(e->addr, &a->addr.sin.sin_addr, 4);
    }
}

/* free_port asks the kernel for an unused UDP port on the address of e (libcoap 4.3 has no
 * getter for an endpoint's bound port). The port is free again when libcoap binds it. */
static uint16_t free_port(const struct oscar_transport_addr *e)
{
    int fd = socket(e->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 0;
    }
    coap_address_t a;
    struct oscar_transport_addr any = *e;
    any.port = 0;
    to_coap(&a, &any);
    uint16_t port = 0;
    if (bind(fd, &a.addr.sa, a.size) == 0) {
        socklen_t sl = a.size;
        if (getsockname(fd, &a.addr.sa, &sl) == 0) {
            struct oscar_transport_addr got;
            from_coap(&got, &a);
            port = got.port;
        }
    }
    close(fd);
    return port;
}

/* pdu_to_bytes re-encodes a libcoap PDU with Oscar's codec; CoAP's encoding is unique, so these
 * are the bytes that were on the wire. */
static bool pdu_to_bytes(const coap_pdu_t *pdu, uint8_t *out, size_t cap, size_t *out_len)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = (uint8_t)coap_pdu_get_type(pdu);
    m.code = (uint8_t)coap_pdu_get_code(pdu);
    m.mid = (uint16_t)coap_pdu_get_mid(pdu);
    coap_bin_const_t tok = coap_pdu_get_token(pdu);
    if (tok.length > OSCAR_COAP_TOKEN_MAX) {
        return false;
    }
    m.token_len = (uint8_t)tok.length;
    if (tok.length) {
        memcpy(m.token, tok.s, tok.length);
    }
    coap_opt_iterator_t it;
    coap_opt_t *opt;
    coap_option_iterator_init(pdu, &it, COAP_OPT_ALL);
    while ((opt = coap_option_next(&it)) != NULL) {
        if (oscar_coap_add_option(&m, (uint16_t)it.number, coap_opt_value(opt),
                                  coap_opt_length(opt)) != OSCAR_OK) {
            return false;
        }
    }
    size_t len = 0;
    const uint8_t *data = NULL;
    if (coap_get_data(pdu, &len, &data) && len > 0) {
        m.has_payload = true;
        m.payload = data;
        m.payload_len = len;
    }
    return oscar_coap_serialize(out, cap, out_len, &m) == OSCAR_OK;
}

/* fill_pdu copies options and payload of msg into pdu (type, MID and token set by caller). */
static bool fill_pdu(coap_pdu_t *pdu, const struct oscar_coap_msg *m)
{
    for (size_t i = 0; i < m->num_options; i++) {
        const struct oscar_coap_option *o = &m->options[i];
        if (coap_add_option(pdu, o->number, o->len, o->value) == 0) {
            return false;
        }
    }
    if (m->has_payload && !coap_add_data(pdu, m->payload_len, m->payload)) {
        return false;
    }
    return true;
}

static coap_pdu_t *bytes_to_pdu(coap_session_t *s, const uint8_t *msg, size_t len)
{
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return NULL;
    }
    coap_pdu_t *pdu = coap_pdu_init((coap_pdu_type_t)m.type, (coap_pdu_code_t)m.code,
                                    (coap_mid_t)m.mid, coap_session_max_pdu_size(s));
    if (pdu == NULL) {
        return NULL;
    }
    if ((m.token_len && !coap_add_token(pdu, m.token_len, m.token)) || !fill_pdu(pdu, &m)) {
        coap_delete_pdu(pdu);
        return NULL;
    }
    return pdu;
}

/* libcoap 4.3.1 has no per-context application data; a peer process has one transport. */
static struct oscar_transport *the_transport;

static struct oscar_transport *of_session(coap_session_t *s)
{
    (void)s;
    return the_transport;
}

static void on_request(coap_resource_t *resource, coap_session_t *session,
                       const coap_pdu_t *request, const coap_string_t *query, coap_pdu_t *response)
{
    (void)resource;
    (void)query;
    struct oscar_transport *t = of_session(session);
    uint8_t in[MSG_MAX];
    uint8_t out[MSG_MAX];
    size_t in_len;
    size_t out_len = 0;
    if (!pdu_to_bytes(request, in, sizeof(in), &in_len)) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_BAD_REQUEST);
        return;
    }
    t->h.on_request(t->h.arg, (struct oscar_transport_peer *)session, in, in_len, out, sizeof(out),
                    &out_len);
    if (out_len == 0) {
        return; /* libcoap acknowledges a CON with an empty ACK */
    }
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, out, out_len) != OSCAR_COAP_WELL_FORMED) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
        return;
    }
    coap_pdu_set_code(response, (coap_pdu_code_t)m.code);
    if (!fill_pdu(response, &m)) {
        coap_pdu_set_code(response, COAP_RESPONSE_CODE_INTERNAL_ERROR);
    }
}

static coap_response_t on_response(coap_session_t *session, const coap_pdu_t *sent,
                                   const coap_pdu_t *received, const coap_mid_t mid)
{
    (void)sent;
    (void)mid;
    struct oscar_transport *t = of_session(session);
    uint8_t in[MSG_MAX];
    size_t in_len;
    if (t->h.on_response != NULL && pdu_to_bytes(received, in, sizeof(in), &in_len)) {
        t->h.on_response(t->h.arg, in, in_len);
    }
    return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *session, const coap_pdu_t *sent, coap_nack_reason_t reason,
                    const coap_mid_t mid)
{
    (void)sent;
    struct oscar_transport *t = of_session(session);
    if (reason == COAP_NACK_TOO_MANY_RETRIES && t->h.on_timeout != NULL) {
        t->h.on_timeout(t->h.arg, (uint16_t)mid);
    }
}

static enum oscar_err new_context(struct oscar_transport **out,
                                  const struct oscar_transport_handlers *h)
{
    static bool started;
    if (!started) {
        coap_startup();
        coap_set_log_level(LOG_CRIT);
        started = true;
    }
    struct oscar_transport *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return OSCAR_ERR_NOMEM;
    }
    t->h = *h;
    t->ctx = coap_new_context(NULL);
    if (t->ctx == NULL) {
        free(t);
        return OSCAR_ERR_IO;
    }
    the_transport = t;
    coap_context_set_block_mode(t->ctx, 0); /* block-wise is the application's (inner) */
    coap_register_response_handler(t->ctx, on_response);
    coap_register_nack_handler(t->ctx, on_nack);
    *out = t;
    return OSCAR_OK;
}

enum oscar_err oscar_transport_open_server(struct oscar_transport **out,
                                           const struct oscar_transport_addr *bind,
                                           bool oscore_aware,
                                           const struct oscar_transport_handlers *h)
{
    struct oscar_transport *t;
    OSCAR_TRY(new_context(&t, h));
    if (oscore_aware) {
        coap_register_option(t->ctx, COAP_OPTION_OSCORE);
    }
    struct oscar_transport_addr local = *bind;
    coap_endpoint_t *ep = NULL;
    for (int i = 0; i < PORT_TRIES && ep == NULL; i++) {
        if (bind->port == 0) {
            local.port = free_port(bind);
        }
        coap_address_t a;
        to_coap(&a, &local);
        ep = coap_new_endpoint(t->ctx, &a, COAP_PROTO_UDP);
        if (bind->port != 0) {
            break;
        }
    }
    if (ep == NULL) {
        oscar_transport_close(t);
        return OSCAR_ERR_IO;
    }
    t->local = local;
    coap_resource_t *r = coap_resource_unknown_init2(on_request, 0);
    coap_register_request_handler(r, COAP_REQUEST_GET, on_request);
    coap_register_request_handler(r, COAP_REQUEST_POST, on_request);
    coap_register_request_handler(r, COAP_REQUEST_DELETE, on_request);
    coap_register_request_handler(r, COAP_REQUEST_FETCH, on_request);
    coap_register_request_handler(r, COAP_REQUEST_PATCH, on_request);
    coap_register_request_handler(r, COAP_REQUEST_IPATCH, on_request);
    coap_add_resource(t->ctx, r);
    *out = t;
    return OSCAR_OK;
}

enum oscar_err oscar_transport_open_client(struct oscar_transport **out,
                                           const struct oscar_transport_addr *bind,
                                           const struct oscar_transport_addr *server,
                                           const struct oscar_transport_handlers *h)
{
    struct oscar_transport *t;
    OSCAR_TRY(new_context(&t, h));
    coap_register_option(t->ctx, COAP_OPTION_OSCORE);
    coap_address_t dst;
    to_coap(&dst, server);
    struct oscar_transport_addr local = *bind;
    for (int i = 0; i < PORT_TRIES && t->client == NULL; i++) {
        if (bind->port == 0) {
            local.port = free_port(bind);
        }
        coap_address_t src;
        to_coap(&src, &local);
        t->client = coap_new_client_session(t->ctx, &src, &dst, COAP_PROTO_UDP);
        if (bind->port != 0) {
            break;
        }
    }
    if (t->client == NULL) {
        oscar_transport_close(t);
        return OSCAR_ERR_IO;
    }
    from_coap(&t->local, coap_session_get_addr_local(t->client));
    *out = t;
    return OSCAR_OK;
}

void oscar_transport_close(struct oscar_transport *t)
{
    if (t == NULL) {
        return;
    }
    if (t->client != NULL) {
        coap_session_release(t->client);
    }
    coap_free_context(t->ctx);
    free(t);
}

void oscar_transport_local(const struct oscar_transport *t, struct oscar_transport_addr *out)
{
    *out = t->local;
}

int oscar_transport_fd(const struct oscar_transport *t)
{
    return coap_context_get_coap_fd(t->ctx);
}

void oscar_transport_process(struct oscar_transport *t)
{
    coap_io_process(t->ctx, COAP_IO_NO_WAIT);
}

uint16_t oscar_transport_new_mid(struct oscar_transport *t)
{
    return coap_new_message_id(t->client);
}

static enum oscar_err send_on(coap_session_t *s, const uint8_t *msg, size_t len)
{
    coap_pdu_t *pdu = bytes_to_pdu(s, msg, len);
    if (pdu == NULL) {
        return OSCAR_ERR_COAP_MALFORMED;
    }
    return coap_send(s, pdu) == COAP_INVALID_MID ? OSCAR_ERR_IO : OSCAR_OK;
}

enum oscar_err oscar_transport_send(struct oscar_transport *t, const uint8_t *msg, size_t len)
{
    return send_on(t->client, msg, len);
}

struct oscar_transport_peer *oscar_transport_peer_ref(struct oscar_transport_peer *p)
{
    return (struct oscar_transport_peer *)coap_session_reference((coap_session_t *)p);
}

void oscar_transport_peer_unref(struct oscar_transport_peer *p)
{
    coap_session_release((coap_session_t *)p);
}

uint16_t oscar_transport_peer_mid(struct oscar_transport_peer *p)
{
    return coap_new_message_id((coap_session_t *)p);
}

enum oscar_err oscar_transport_send_to_peer(struct oscar_transport_peer *p, const uint8_t *msg,
                                            size_t len)
{
    return send_on((coap_session_t *)p, msg, len);
}
