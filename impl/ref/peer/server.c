/* server.c — oscar-peer as a server: verifies OSCORE requests with every configured context,
 * serves the resources of the OSCORE plugtest specification (shared/spec: test-spec5, resources
 * /oscore/hello/coap, /1, /2, /3, /6, /7, /observe1, /observe2, /test), protects responses and
 * sends Observe notifications; reports every request as an event. */
#include <string.h>

#include "peer.h"

enum resource {
    RES_NONE = -1,
    RES_HELLO_COAP,
    RES_HELLO_1,
    RES_HELLO_2,
    RES_HELLO_3,
    RES_HELLO_6,
    RES_HELLO_7,
    RES_OBSERVE_1,
    RES_OBSERVE_2,
    RES_TEST,
    RES_BLOCK,
};

static const struct {
    const char *path;
    bool protected_only;
} resources[] = {
    [RES_HELLO_COAP] = {"oscore/hello/coap", false},
    [RES_HELLO_1] = {"oscore/hello/1", true},
    [RES_HELLO_2] = {"oscore/hello/2", true},
    [RES_HELLO_3] = {"oscore/hello/3", true},
    [RES_HELLO_6] = {"oscore/hello/6", true},
    [RES_HELLO_7] = {"oscore/hello/7", true},
    [RES_OBSERVE_1] = {"oscore/observe1", true},
    [RES_OBSERVE_2] = {"oscore/observe2", true},
    [RES_TEST] = {"oscore/test", true},
    /* Oscar's addition to the plugtest resources: a representation larger than one block, served
     * block-wise with Inner Block2 (RFC 7959, RFC 8613 §4.1.3.4.1) */
    [RES_BLOCK] = {"oscore/block", true},
};

#define NUM_RESOURCES (sizeof(resources) / sizeof(resources[0]))
#define CONTENT_FORMAT_TEXT 0
#define HELLO "Hello World!"
#define HELLO2_ETAG 0x2b
#define HELLO3_MAX_AGE 5
#define HELLO7_ETAG 0x7b
#define CODE_PRECONDITION_FAILED OSCAR_COAP_CODE(4, 12)
#define CODE_METHOD_NOT_ALLOWED OSCAR_COAP_CODE(4, 5)
#define CODE_INTERNAL_ERROR OSCAR_COAP_CODE(5, 0)
#define OBSERVE1_NOTIFICATIONS 2
#define BLOCK_RESOURCE_LEN 300
#define BLOCK_SZX_DEFAULT 2 /* 64-byte blocks */
#define BLOCK_SZX_MAX 6     /* 1024 bytes; 7 is reserved (RFC 7959 §2.2) */

static enum resource find_resource(const struct oscar_coap_msg *m)
{
    char path[128];
    oscar_coap_path(m, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
    for (size_t i = 0; i < NUM_RESOURCES; i++) {
        if (strcmp(path, resources[i].path) == 0) {
            return (enum resource)i;
        }
    }
    return RES_NONE;
}

/* struct reply is the application's answer before protection. */
struct reply {
    struct oscar_coap_msg m;
    uint8_t block2[4];
    uint8_t block_body[BLOCK_RESOURCE_LEN];
    uint8_t cf[4];
    uint8_t etag[1];
    uint8_t max_age[4];
    uint8_t observe[4];
};

static void reply_start(struct reply *r, const struct oscar_coap_msg *req, uint8_t code)
{
    memset(&r->m, 0, sizeof(r->m));
    r->m.version = OSCAR_COAP_VERSION;
    r->m.type = req->type == OSCAR_COAP_TYPE_CON ? OSCAR_COAP_TYPE_ACK : OSCAR_COAP_TYPE_NON;
    r->m.mid = req->mid;
    r->m.code = code;
    r->m.token_len = req->token_len;
    memcpy(r->m.token, req->token, req->token_len);
}

static void reply_text(struct reply *r, const uint8_t *text, size_t len)
{
    size_t n = oscar_coap_uint_encode(r->cf, CONTENT_FORMAT_TEXT);
    oscar_coap_add_option(&r->m, OSCAR_COAP_OPT_CONTENT_FORMAT, r->cf, n);
    if (len != 0) {
        r->m.has_payload = true;
        r->m.payload = text;
        r->m.payload_len = len;
    }
}

static bool method_ok(const struct oscar_coap_msg *req, uint8_t method, struct reply *r)
{
    if (req->code == method) {
        return true;
    }
    reply_start(r, req, CODE_METHOD_NOT_ALLOWED);
    return false;
}

/* serve runs the plugtest resources on a decrypted (or plain) request. */
static void serve(struct peer *p, enum resource res, const struct oscar_coap_msg *req,
                  struct reply *r)
{
    switch (res) {
    case RES_HELLO_COAP:
    case RES_HELLO_1:
    case RES_HELLO_2:
    case RES_HELLO_3:
        if (!method_ok(req, OSCAR_COAP_CODE_GET, r)) {
            return;
        }
        reply_start(r, req, OSCAR_COAP_CODE_CONTENT);
        if (res == RES_HELLO_2) {
            r->etag[0] = HELLO2_ETAG;
            oscar_coap_add_option(&r->m, OSCAR_COAP_OPT_ETAG, r->etag, 1);
        }
        if (res == RES_HELLO_3) {
            size_t n = oscar_coap_uint_encode(r->max_age, HELLO3_MAX_AGE);
            oscar_coap_add_option(&r->m, OSCAR_COAP_OPT_MAX_AGE, r->max_age, n);
        }
        reply_text(r, (const uint8_t *)HELLO, sizeof(HELLO) - 1);
        return;
    case RES_HELLO_6:
        if (!method_ok(req, OSCAR_COAP_CODE_POST, r)) {
            return;
        }
        p->hello6_len = req->payload_len < sizeof(p->hello6) ? req->payload_len : 0;
        memcpy(p->hello6, req->payload, p->hello6_len);
        reply_start(r, req, OSCAR_COAP_CODE_CHANGED);
        reply_text(r, p->hello6, p->hello6_len);
        return;
    case RES_HELLO_7: {
        if (!method_ok(req, OSCAR_COAP_CODE_PUT, r)) {
            return;
        }
        /* RFC 7252 §5.10.8: If-Match must match the current ETag; If-None-Match fails because
         * the resource exists. */
        const struct oscar_coap_option *im = oscar_coap_find_option(req, OSCAR_COAP_OPT_IF_MATCH);
        bool inm = oscar_coap_find_option(req, OSCAR_COAP_OPT_IF_NONE_MATCH) != NULL;
        if (inm || (im != NULL && !(im->len == 1 && im->value[0] == HELLO7_ETAG))) {
            reply_start(r, req, CODE_PRECONDITION_FAILED);
            return;
        }
        p->hello7_len = req->payload_len < sizeof(p->hello7) ? req->payload_len : 0;
        memcpy(p->hello7, req->payload, p->hello7_len);
        reply_start(r, req, OSCAR_COAP_CODE_CHANGED);
        return;
    }
    case RES_OBSERVE_1:
    case RES_OBSERVE_2:
        if (!method_ok(req, OSCAR_COAP_CODE_GET, r)) {
            return;
        }
        reply_start(r, req, OSCAR_COAP_CODE_CONTENT);
        reply_text(r, (const uint8_t *)"one", 3);
        return;
    case RES_TEST:
        if (!method_ok(req, OSCAR_COAP_CODE_DELETE, r)) {
            return;
        }
        reply_start(r, req, OSCAR_COAP_CODE_DELETED);
        return;
    case RES_BLOCK: {
        if (!method_ok(req, OSCAR_COAP_CODE_GET, r)) {
            return;
        }
        /* RFC 7959 §2.2: Block2 = NUM << 4 | M << 3 | SZX, block size 2^(SZX+4) */
        uint32_t num = 0;
        uint32_t szx = BLOCK_SZX_DEFAULT;
        const struct oscar_coap_option *b2 = oscar_coap_find_option(req, OSCAR_COAP_OPT_BLOCK2);
        uint32_t v;
        if (b2 != NULL && oscar_coap_uint_decode(&v, b2->value, b2->len)) {
            num = v >> 4;
            szx = (v & 0x07) > BLOCK_SZX_MAX ? BLOCK_SZX_MAX : (v & 0x07);
        }
        size_t size = (size_t)1 << (szx + 4);
        if ((size_t)num * size >= BLOCK_RESOURCE_LEN) {
            reply_start(r, req, OSCAR_COAP_CODE(4, 2)); /* RFC 7959 §2.2: out of range */
            return;
        }
        for (size_t i = 0; i < BLOCK_RESOURCE_LEN; i++) {
            r->block_body[i] = (uint8_t)('0' + i % 10);
        }
        size_t off = (size_t)num * size;
        size_t len = BLOCK_RESOURCE_LEN - off < size ? BLOCK_RESOURCE_LEN - off : size;
        bool more = off + len < BLOCK_RESOURCE_LEN;
        reply_start(r, req, OSCAR_COAP_CODE_CONTENT);
        size_t n = oscar_coap_uint_encode(r->block2, num << 4 | (more ? 0x08u : 0) | szx);
        oscar_coap_add_option(&r->m, OSCAR_COAP_OPT_BLOCK2, r->block2, n);
        reply_text(r, r->block_body + off, len);
        return;
    }
    case RES_NONE:
        reply_start(r, req, OSCAR_COAP_CODE_NOT_FOUND);
        return;
    }
}

static bool observe_value(const struct oscar_coap_msg *m, uint32_t *out)
{
    const struct oscar_coap_option *o = oscar_coap_find_option(m, OSCAR_COAP_OPT_OBSERVE);
    return o != NULL && oscar_coap_uint_decode(out, o->value, o->len);
}

static struct peer_observer *find_observer(struct peer *p, const struct oscar_coap_msg *req)
{
    for (size_t i = 0; i < PEER_MAX_OBSERVERS; i++) {
        struct peer_observer *o = &p->observers[i];
        if (o->used && o->token_len == req->token_len &&
            memcmp(o->token, req->token, req->token_len) == 0) {
            return o;
        }
    }
    return NULL;
}

static void drop_observer(struct peer_observer *o)
{
    if (o->used) {
        oscar_transport_peer_unref(o->to);
        memset(o, 0, sizeof(*o));
    }
}

/* observe_setup handles Observe on the observable resources: registration adds an observer and
 * an Observe option to the first notification; cancellation removes it (RFC 7641 §3.6). */
static void observe_setup(struct peer *p, struct oscar_transport_peer *from, enum resource res,
                          const struct oscar_coap_msg *req, const struct oscar_oscore_exchange *ex,
                          size_t ctx_index, struct reply *r)
{
    uint32_t obs;
    if ((res != RES_OBSERVE_1 && res != RES_OBSERVE_2) || !observe_value(req, &obs) ||
        r->m.code != OSCAR_COAP_CODE_CONTENT) {
        return;
    }
    struct peer_observer *o = find_observer(p, req);
    if (obs == 1) {
        if (o != NULL) {
            drop_observer(o);
        }
        /* the cancellation's answer is the current state, without Observe */
        r->m.payload = (const uint8_t *)"two";
        return;
    }
    if (o == NULL) {
        for (size_t i = 0; i < PEER_MAX_OBSERVERS && o == NULL; i++) {
            if (!p->observers[i].used) {
                o = &p->observers[i];
            }
        }
    } else {
        oscar_transport_peer_unref(o->to);
    }
    if (o == NULL) {
        return; /* no room: answer without Observe (RFC 7641 §4.1) */
    }
    o->used = true;
    o->to = oscar_transport_peer_ref(from);
    o->token_len = req->token_len;
    memcpy(o->token, req->token, req->token_len);
    o->ctx_index = ctx_index;
    o->ex = *ex;
    o->resource = res;
    o->sent = 1;
    o->due_ms = peer_now_ms() + p->notify_interval_ms;
    size_t n = oscar_coap_uint_encode(r->observe, o->sent);
    oscar_coap_add_option(&r->m, OSCAR_COAP_OPT_OBSERVE, r->observe, n);
}

/* protect_reply serialises and, for OSCORE exchanges, protects the reply into resp. */
static bool protect_reply(struct peer *p, size_t ctx_index, struct oscar_oscore_exchange *ex,
                          bool own_piv, const struct reply *r, uint8_t *resp, size_t resp_cap,
                          size_t *resp_len, const char **why)
{
    uint8_t plain[PEER_MSG_MAX];
    size_t plain_len;
    if (oscar_coap_serialize(plain, sizeof(plain), &plain_len, &r->m) != OSCAR_OK) {
        *why = "reply too large";
        return false;
    }
    bool app_error = OSCAR_COAP_CODE_CLASS(r->m.code) >= 4;
    if (ex == NULL || (app_error && (p->peer_faults & PEER_FAULT_ERROR_UNPROTECTED))) {
        if (plain_len > resp_cap) {
            *why = "reply too large";
            return false;
        }
        memcpy(resp, plain, plain_len);
        *resp_len = plain_len;
        return true;
    }
    struct oscar_oscore_send_opts opts = {.own_piv = own_piv};
    enum oscar_err err = oscar_oscore_protect_response(&p->contexts[ctx_index].ctx, resp, resp_cap,
                                                       resp_len, ex, &opts, plain, plain_len);
    if (err != OSCAR_OK) {
        *why = oscar_err_str(err);
        return false;
    }
    return true;
}

static void event_request(const char *verdict, const char *ctx_name, const uint8_t *msg, size_t len,
                          const uint8_t *plain, size_t plain_len)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "request");
    cJSON_AddStringToObject(e, "verdict", verdict);
    if (ctx_name != NULL) {
        cJSON_AddStringToObject(e, "context", ctx_name);
    }
    peer_hex(e, "bytes", msg, len);
    if (plain != NULL) {
        peer_describe(e, plain, plain_len);
    }
    peer_event(e);
}

static void serve_request(struct peer *p, struct oscar_transport_peer *from, const uint8_t *msg,
                          size_t len, uint8_t *resp, size_t resp_cap, size_t *resp_len);

/* peer_server_on_request deduplicates Confirmable requests (RFC 7252 §4.5: acknowledge each
 * copy the same way, process the request once) before serving them. */
void peer_server_on_request(void *arg, struct oscar_transport_peer *from, const uint8_t *msg,
                            size_t len, uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
    struct peer *p = arg;
    uint64_t now = peer_now_ms();
    bool con = len > 0 && (msg[0] >> 4 & 0x03) == OSCAR_COAP_TYPE_CON;
    if (con && !(p->peer_faults & PEER_FAULT_NO_DEDUP)) {
        for (size_t i = 0; i < PEER_DEDUP_ENTRIES; i++) {
            struct peer_dedup *e = &p->dedup[i];
            if (e->used && e->from == from && now - e->at_ms < PEER_DEDUP_LIFETIME_MS &&
                e->request_len == len && memcmp(e->request, msg, len) == 0 &&
                e->response_len <= resp_cap) {
                memcpy(resp, e->response, e->response_len);
                *resp_len = e->response_len;
                cJSON *ev = cJSON_CreateObject();
                cJSON_AddStringToObject(ev, "event", "duplicate");
                peer_hex(ev, "bytes", msg, len);
                peer_event(ev);
                return;
            }
        }
    }
    serve_request(p, from, msg, len, resp, resp_cap, resp_len);
    if (con && len <= PEER_MSG_MAX && *resp_len <= PEER_MSG_MAX) {
        struct peer_dedup *e = &p->dedup[p->dedup_next++ % PEER_DEDUP_ENTRIES];
        e->used = true;
        e->from = from;
        memcpy(e->request, msg, len);
        e->request_len = len;
        memcpy(e->response, resp, *resp_len);
        e->response_len = *resp_len;
        e->at_ms = now;
    }
}

static void serve_request(struct peer *p, struct oscar_transport_peer *from, const uint8_t *msg,
                          size_t len, uint8_t *resp, size_t resp_cap, size_t *resp_len)
{
    *resp_len = 0;
    struct oscar_coap_msg outer;
    struct oscar_oscore_option opt;
    enum oscar_oscore_verdict pv = oscar_oscore_peek(&outer, &opt, msg, len);
    struct reply r;
    const char *why = NULL;
    if (pv == OSCAR_OSCORE_MALFORMED_COAP) {
        event_request("malformed-coap", NULL, msg, len, NULL, 0);
        return;
    }
    if (pv == OSCAR_OSCORE_NOT_OSCORE) {
        /* plain CoAP: only the unprotected resource answers; the others need OSCORE */
        enum resource res = find_resource(&outer);
        event_request("not-oscore", NULL, msg, len, msg, len);
        if (res != RES_NONE && resources[res].protected_only) {
            reply_start(&r, &outer, OSCAR_COAP_CODE_UNAUTHORIZED);
        } else {
            serve(p, res, &outer, &r);
        }
        protect_reply(p, 0, NULL, false, &r, resp, resp_cap, resp_len, &why);
        return;
    }
    struct oscar_oscore_ctx *list[PEER_MAX_CONTEXTS];
    for (size_t i = 0; i < p->num_contexts; i++) {
        list[i] = &p->contexts[i].ctx;
    }
    uint8_t plain[2 * PEER_MSG_MAX];
    size_t plain_len = 0;
    size_t idx = 0;
    enum oscar_oscore_verdict v = pv;
    struct oscar_oscore_exchange ex;
    if (pv == OSCAR_OSCORE_ACCEPT) {
        enum oscar_err err = oscar_oscore_unprotect_request(
            list, p->num_contexts, &v, &idx, plain, sizeof(plain), &plain_len, &ex, msg, len);
        if (err != OSCAR_OK) {
            fprintf(stderr, "oscar-peer: unprotect: %s\n", oscar_err_str(err));
            return;
        }
    }
    const char *ctx_name = v == OSCAR_OSCORE_NO_CONTEXT || v == OSCAR_OSCORE_DECODE_FAILED
                               ? NULL
                               : p->contexts[idx].name;
    event_request(oscar_oscore_verdict_name(v), ctx_name, msg, len,
                  v == OSCAR_OSCORE_ACCEPT ? plain : NULL, plain_len);
    switch (v) {
    case OSCAR_OSCORE_ACCEPT: {
        struct oscar_coap_msg req;
        size_t off;
        oscar_coap_parse(&req, &off, plain, plain_len);
        enum resource res = find_resource(&req);
        serve(p, res, &req, &r);
        observe_setup(p, from, res, &req, &ex, idx, &r);
        break;
    }
    case OSCAR_OSCORE_FRESHNESS_REQUIRED: {
        uint8_t echo[8];
        uint64_t v64 = peer_rand(p);
        memcpy(echo, &v64, sizeof(echo));
        if (oscar_oscore_echo_challenge(&p->contexts[idx].ctx, resp, resp_cap, resp_len, &ex,
                                        &outer, echo, sizeof(echo), 0) != OSCAR_OK) {
            *resp_len = 0;
        }
        return;
    }
    case OSCAR_OSCORE_REPLAY:
        if (p->peer_faults & PEER_FAULT_REPLAY_GETS_205) {
            reply_start(&r, &outer, OSCAR_COAP_CODE_CONTENT);
            reply_text(&r, (const uint8_t *)HELLO, sizeof(HELLO) - 1);
            protect_reply(p, 0, NULL, false, &r, resp, resp_cap, resp_len, &why);
            return;
        }
        /* fall through: an OSCORE error */
        __attribute__((fallthrough));
    case OSCAR_OSCORE_DECODE_FAILED:
    case OSCAR_OSCORE_NO_CONTEXT:
    case OSCAR_OSCORE_DECRYPT_FAILED:
        if ((p->peer_faults & PEER_FAULT_ERROR_PROTECTED) && v != OSCAR_OSCORE_NO_CONTEXT &&
            v != OSCAR_OSCORE_DECODE_FAILED) {
            /* the fault: protect an OSCORE error with the context of the kid */
            struct oscar_oscore_exchange fex = {0};
            memcpy(fex.request_kid, opt.kid, opt.kid_len);
            fex.request_kid_len = opt.kid_len;
            memcpy(fex.request_piv, opt.piv, opt.piv_len);
            fex.request_piv_len = opt.piv_len;
            reply_start(&r, &outer,
                        v == OSCAR_OSCORE_REPLAY ? OSCAR_COAP_CODE_UNAUTHORIZED
                                                 : OSCAR_COAP_CODE_BAD_REQUEST);
            for (size_t i = 0; i < p->num_contexts; i++) {
                if (p->contexts[i].ctx.recipient.id_len == opt.kid_len &&
                    memcmp(p->contexts[i].ctx.recipient.id, opt.kid, opt.kid_len) == 0) {
                    protect_reply(p, i, &fex, true, &r, resp, resp_cap, resp_len, &why);
                    return;
                }
            }
        }
        if (oscar_oscore_error_response(resp, resp_cap, resp_len, v, &outer, false, 0) !=
            OSCAR_OK) {
            *resp_len = 0;
        }
        return;
    case OSCAR_OSCORE_PLAINTEXT_MALFORMED: {
        /* authentic but not a CoAP message inside: a protected 4.00 (§8.3: errors of CoAP
         * processing are protected). unprotect leaves the exchange unset for this verdict, so
         * it is built from the option, and the answer carries its own Partial IV. */
        struct oscar_oscore_exchange mex = {0};
        memcpy(mex.request_kid, opt.kid, opt.kid_len);
        mex.request_kid_len = opt.kid_len;
        memcpy(mex.request_piv, opt.piv, opt.piv_len);
        mex.request_piv_len = opt.piv_len;
        reply_start(&r, &outer, OSCAR_COAP_CODE_BAD_REQUEST);
        if (!protect_reply(p, idx, &mex, true, &r, resp, resp_cap, resp_len, &why)) {
            fprintf(stderr, "oscar-peer: cannot answer: %s\n", why);
            *resp_len = 0;
        }
        return;
    }
    case OSCAR_OSCORE_NOT_OSCORE:
    case OSCAR_OSCORE_MALFORMED_COAP:
    case OSCAR_OSCORE_UNEXPECTED_OBSERVE:
    case OSCAR_OSCORE_DUPLICATE_RESPONSE:
    case OSCAR_OSCORE_VERDICT__COUNT:
    default:
        return;
    }
    if (!protect_reply(p, idx, &ex, false, &r, resp, resp_cap, resp_len, &why)) {
        fprintf(stderr, "oscar-peer: cannot answer: %s\n", why);
        *resp_len = 0;
    }
}

/* notify sends the observer's next notification: "two", then for observe1 the final 5.00
 * "Terminate Observe" (plugtest test 6). Every notification after the first carries its own
 * Partial IV (RFC 8613 §4.1.3.5). */
static void notify(struct peer *p, struct peer_observer *o)
{
    struct reply r;
    memset(&r.m, 0, sizeof(r.m));
    r.m.version = OSCAR_COAP_VERSION;
    r.m.type = OSCAR_COAP_TYPE_NON;
    r.m.mid = oscar_transport_peer_mid(o->to);
    r.m.token_len = (uint8_t)o->token_len;
    memcpy(r.m.token, o->token, o->token_len);
    bool final = o->resource == RES_OBSERVE_1 && o->sent > OBSERVE1_NOTIFICATIONS - 1;
    if (final) {
        r.m.code = CODE_INTERNAL_ERROR;
        reply_text(&r, (const uint8_t *)"Terminate Observe", 17);
    } else {
        r.m.code = OSCAR_COAP_CODE_CONTENT;
        o->sent++;
        size_t n = oscar_coap_uint_encode(r.observe, o->sent);
        oscar_coap_add_option(&r.m, OSCAR_COAP_OPT_OBSERVE, r.observe, n);
        reply_text(&r, (const uint8_t *)"two", 3);
    }
    uint8_t out[PEER_MSG_MAX];
    size_t out_len;
    const char *why = NULL;
    if (protect_reply(p, o->ctx_index, &o->ex, true, &r, out, sizeof(out), &out_len, &why)) {
        if (oscar_transport_send_to_peer(o->to, out, out_len) != OSCAR_OK) {
            fprintf(stderr, "oscar-peer: notification not sent\n");
        }
    } else {
        fprintf(stderr, "oscar-peer: notification not protected: %s\n", why);
    }
    if (final || o->resource == RES_OBSERVE_2) {
        /* observe2 sends one more ("two") and then stays quiet until cancelled */
        o->due_ms = UINT64_MAX;
        if (final) {
            drop_observer(o);
        }
        return;
    }
    o->due_ms = peer_now_ms() + p->notify_interval_ms;
}

void peer_server_tick(struct peer *p)
{
    uint64_t now = peer_now_ms();
    for (size_t i = 0; i < PEER_MAX_OBSERVERS; i++) {
        struct peer_observer *o = &p->observers[i];
        if (o->used && o->due_ms <= now) {
            notify(p, o);
        }
    }
}
