/* client.c — oscar-peer as a client: executes request commands from the control channel
 * (shim contract: JSON lines on stdin), protects them with the named context, verifies the
 * responses and notifications, and reports each as an event. */
#include <stdlib.h>
#include <string.h>

#include "peer.h"

#define DEFAULT_TOKEN_LEN 4

static void event_error(const char *id, const char *what)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "error");
    if (id != NULL) {
        cJSON_AddStringToObject(e, "id", id);
    }
    cJSON_AddStringToObject(e, "error", what);
    peer_event(e);
}

static int find_context(const struct peer *p, const char *name)
{
    for (size_t i = 0; i < p->num_contexts; i++) {
        if (strcmp(p->contexts[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static const struct {
    const char *name;
    uint8_t code;
} methods[] = {{"GET", OSCAR_COAP_CODE_GET},
               {"POST", OSCAR_COAP_CODE_POST},
               {"PUT", OSCAR_COAP_CODE_PUT},
               {"DELETE", OSCAR_COAP_CODE_DELETE},
               {"FETCH", OSCAR_COAP_CODE_FETCH}};

/* str_member returns cmd[name] as a string, or NULL. */
static const char *str_member(const cJSON *cmd, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* hex_member decodes cmd[name] (hex) into out; false if present but bad. */
static bool hex_member(const cJSON *cmd, const char *name, uint8_t *out, size_t cap, size_t *len,
                       bool *present)
{
    const char *s = str_member(cmd, name);
    *present = s != NULL;
    *len = 0;
    return s == NULL || oscar_hex_decode(out, cap, len, s, strlen(s)) == OSCAR_OK;
}

static struct peer_pending *pending_by_id(struct peer *p, const char *id)
{
    for (size_t i = 0; i < PEER_MAX_PENDING; i++) {
        if (p->pending[i].used && strcmp(p->pending[i].id, id) == 0) {
            return &p->pending[i];
        }
    }
    return NULL;
}

struct request_build {
    struct oscar_coap_msg m;
    char segments[256];
    uint8_t values[16][8];
    uint8_t blobs[512];
    size_t blob_used;
};

/* add_blob copies data into the build's storage and adds it as an option. */
static bool add_blob(struct request_build *b, uint16_t number, const uint8_t *data, size_t len)
{
    if (b->blob_used + len > sizeof(b->blobs)) {
        return false;
    }
    if (len != 0) {
        memcpy(b->blobs + b->blob_used, data, len);
    }
    bool ok = oscar_coap_add_option(&b->m, number, b->blobs + b->blob_used, len) == OSCAR_OK;
    b->blob_used += len;
    return ok;
}

static bool add_uint(struct request_build *b, uint16_t number, const cJSON *v)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > UINT32_MAX) {
        return false;
    }
    uint8_t tmp[4];
    size_t n = oscar_coap_uint_encode(tmp, (uint32_t)v->valuedouble);
    return add_blob(b, number, tmp, n);
}

/* build_request turns a request command into CoAP bytes. */
static const char *build_request(struct peer *p, const cJSON *cmd, struct request_build *b,
                                 const uint8_t *token, size_t token_len, uint8_t *out, size_t cap,
                                 size_t *out_len)
{
    memset(&b->m, 0, sizeof(b->m));
    b->blob_used = 0;
    b->m.version = OSCAR_COAP_VERSION;
    const char *type = str_member(cmd, "type");
    b->m.type =
        type != NULL && strcmp(type, "NON") == 0 ? OSCAR_COAP_TYPE_NON : OSCAR_COAP_TYPE_CON;
    const char *method = str_member(cmd, "method");
    b->m.code = 0;
    for (size_t i = 0; method != NULL && i < sizeof(methods) / sizeof(methods[0]); i++) {
        if (strcmp(methods[i].name, method) == 0) {
            b->m.code = methods[i].code;
        }
    }
    if (b->m.code == 0) {
        return "method must be GET, POST, PUT, DELETE or FETCH";
    }
    b->m.mid = oscar_transport_new_mid(p->t);
    b->m.token_len = (uint8_t)token_len;
    memcpy(b->m.token, token, token_len);
    const char *path = str_member(cmd, "path");
    if (path != NULL) {
        const char *s = path[0] == '/' ? path + 1 : path;
        while (*s != '\0') {
            const char *slash = strchr(s, '/');
            size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
            if (!add_blob(b, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)s, n)) {
                return "path too long";
            }
            s += n + (slash != NULL ? 1 : 0);
        }
    }
    const cJSON *query = cJSON_GetObjectItemCaseSensitive(cmd, "query");
    const cJSON *q;
    cJSON_ArrayForEach(q, query)
    {
        if (!cJSON_IsString(q) ||
            !add_blob(b, OSCAR_COAP_OPT_URI_QUERY, (const uint8_t *)q->valuestring,
                      strlen(q->valuestring))) {
            return "query must be a list of strings";
        }
    }
    const cJSON *v;
    if ((v = cJSON_GetObjectItemCaseSensitive(cmd, "observe")) != NULL &&
        !add_uint(b, OSCAR_COAP_OPT_OBSERVE, v)) {
        return "bad observe";
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(cmd, "accept")) != NULL &&
        !add_uint(b, OSCAR_COAP_OPT_ACCEPT, v)) {
        return "bad accept";
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(cmd, "content_format")) != NULL &&
        !add_uint(b, OSCAR_COAP_OPT_CONTENT_FORMAT, v)) {
        return "bad content_format";
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cmd, "if_none_match")) &&
        !add_blob(b, OSCAR_COAP_OPT_IF_NONE_MATCH, NULL, 0)) {
        return "bad if_none_match";
    }
    uint8_t tmp[256];
    size_t n;
    bool present;
    if (!hex_member(cmd, "if_match_hex", tmp, sizeof(tmp), &n, &present) ||
        (present && !add_blob(b, OSCAR_COAP_OPT_IF_MATCH, tmp, n))) {
        return "bad if_match_hex";
    }
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(cmd, "options");
    const cJSON *o;
    cJSON_ArrayForEach(o, opts)
    {
        const cJSON *num = cJSON_GetArrayItem(o, 0);
        const cJSON *val = cJSON_GetArrayItem(o, 1);
        if (!cJSON_IsNumber(num) || !cJSON_IsString(val) || num->valuedouble < 0 ||
            num->valuedouble > OSCAR_COAP_OPTION_NUMBER_MAX ||
            oscar_hex_decode(tmp, sizeof(tmp), &n, val->valuestring, strlen(val->valuestring)) !=
                OSCAR_OK ||
            !add_blob(b, (uint16_t)num->valuedouble, tmp, n)) {
            return "options must be [[number, \"hex\"], ...]";
        }
    }
    const char *payload = str_member(cmd, "payload");
    if (!hex_member(cmd, "payload_hex", tmp, sizeof(tmp), &n, &present)) {
        return "bad payload_hex";
    }
    if (present || payload != NULL) {
        size_t plen = present ? n : strlen(payload);
        if (plen != 0) {
            if (b->blob_used + plen > sizeof(b->blobs)) {
                return "payload too long";
            }
            memcpy(b->blobs + b->blob_used, present ? tmp : (const uint8_t *)payload, plen);
            b->m.has_payload = true;
            b->m.payload = b->blobs + b->blob_used;
            b->m.payload_len = plen;
            b->blob_used += plen;
        }
    }
    if (oscar_coap_serialize(out, cap, out_len, &b->m) != OSCAR_OK) {
        return "request does not fit";
    }
    return NULL;
}

static bool control_request(struct peer *p, const cJSON *cmd)
{
    const char *id = str_member(cmd, "id");
    if (id == NULL || strlen(id) >= PEER_ID_MAX) {
        event_error(NULL, "request needs an id (string, < 64 characters)");
        return false;
    }
    struct peer_pending *slot = NULL;
    for (size_t i = 0; i < PEER_MAX_PENDING && slot == NULL; i++) {
        if (!p->pending[i].used) {
            slot = &p->pending[i];
        }
    }
    if (slot == NULL) {
        event_error(id, "too many requests in flight");
        return false;
    }
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    size_t token_len = DEFAULT_TOKEN_LEN;
    const char *same = str_member(cmd, "token_of");
    const struct peer_pending *prev = same != NULL ? pending_by_id(p, same) : NULL;
    if (same != NULL && prev == NULL) {
        event_error(id, "token_of names no earlier request");
        return false;
    }
    if (prev != NULL) {
        token_len = prev->token_len;
        memcpy(token, prev->token, token_len);
    } else {
        uint64_t r = peer_rand(p);
        memcpy(token, &r, token_len);
    }
    struct request_build *b = malloc(sizeof(*b));
    uint8_t plain[PEER_MSG_MAX];
    size_t plain_len;
    const char *bad =
        b == NULL ? "out of memory"
                  : build_request(p, cmd, b, token, token_len, plain, sizeof(plain), &plain_len);
    uint16_t mid = b != NULL ? b->m.mid : 0;
    free(b);
    if (bad != NULL) {
        event_error(id, bad);
        return false;
    }
    const char *ctx_name = str_member(cmd, "context");
    uint8_t wire[PEER_MSG_MAX];
    size_t wire_len = plain_len;
    memset(slot, 0, sizeof(*slot));
    if (ctx_name != NULL) {
        int ci = find_context(p, ctx_name);
        if (ci < 0) {
            event_error(id, "unknown context");
            return false;
        }
        struct oscar_oscore_send_opts opts = {
            .include_kid_context =
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cmd, "kid_context")),
        };
        enum oscar_err err =
            oscar_oscore_protect_request(&p->contexts[ci].ctx, wire, sizeof(wire), &wire_len,
                                         &slot->ex, &opts, plain, plain_len);
        if (err != OSCAR_OK) {
            event_error(id, oscar_err_str(err));
            return false;
        }
        slot->oscore = true;
        slot->ctx_index = (size_t)ci;
    } else {
        memcpy(wire, plain, plain_len);
    }
    slot->used = true;
    memcpy(slot->id, id, strlen(id) + 1);
    slot->token_len = token_len;
    memcpy(slot->token, token, token_len);
    slot->mid = mid;
    /* a re-registration or cancellation replaces the earlier exchange of the same token */
    if (prev != NULL) {
        struct peer_pending *old = pending_by_id(p, same);
        if (old != NULL && old != slot) {
            old->used = false;
        }
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "sent");
    cJSON_AddStringToObject(e, "id", id);
    peer_hex(e, "bytes", wire, wire_len);
    if (slot->oscore) {
        peer_hex(e, "piv", slot->ex.request_piv, slot->ex.request_piv_len);
    }
    peer_event(e);
    if (oscar_transport_send(p->t, wire, wire_len) != OSCAR_OK) {
        event_error(id, "send failed");
        return false;
    }
    return true;
}

static bool control_set_seq(struct peer *p, const cJSON *cmd)
{
    const char *name = str_member(cmd, "context");
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(cmd, "seq");
    int ci = name != NULL ? find_context(p, name) : -1;
    if (ci < 0 || !cJSON_IsNumber(seq) || seq->valuedouble < 0 ||
        seq->valuedouble >= (double)OSCAR_OSCORE_SEQ_LIMIT) {
        event_error(NULL, "set_seq needs a known context and 0 <= seq < 2^40");
        return false;
    }
    p->contexts[ci].ctx.sender.seq = (uint64_t)seq->valuedouble;
    return true;
}

bool peer_client_control(struct peer *p, const cJSON *cmd)
{
    const char *op = str_member(cmd, "op");
    if (op == NULL) {
        event_error(NULL, "control line without op");
        return false;
    }
    if (strcmp(op, "request") == 0) {
        return control_request(p, cmd);
    }
    if (strcmp(op, "set_seq") == 0) {
        return control_set_seq(p, cmd);
    }
    if (strcmp(op, "quit") == 0) {
        p->quit = true;
        return true;
    }
    event_error(NULL, "unknown op");
    return false;
}

void peer_client_on_response(void *arg, const uint8_t *msg, size_t len)
{
    struct peer *p = arg;
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    struct peer_pending *slot = NULL;
    for (size_t i = 0; i < PEER_MAX_PENDING && slot == NULL; i++) {
        struct peer_pending *c = &p->pending[i];
        if (c->used && c->token_len == m.token_len && memcmp(c->token, m.token, m.token_len) == 0) {
            slot = c;
        }
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "response");
    peer_hex(e, "bytes", msg, len);
    if (slot == NULL) {
        cJSON_AddStringToObject(e, "verdict", "unknown token");
        peer_event(e);
        return;
    }
    cJSON_AddStringToObject(e, "id", slot->id);
    cJSON_AddNumberToObject(e, "n", ++slot->responses);
    struct oscar_oscore_option opt;
    struct oscar_coap_msg outer;
    bool protected_msg = oscar_oscore_peek(&outer, &opt, msg, len) != OSCAR_OSCORE_NOT_OSCORE;
    cJSON_AddBoolToObject(e, "oscore", protected_msg);
    if (slot->oscore && protected_msg) {
        uint8_t plain[2 * PEER_MSG_MAX];
        size_t plain_len = 0;
        enum oscar_oscore_verdict v;
        enum oscar_err err =
            oscar_oscore_unprotect_response(&p->contexts[slot->ctx_index].ctx, &v, plain,
                                            sizeof(plain), &plain_len, &slot->ex, msg, len);
        cJSON_AddStringToObject(
            e, "verdict", err != OSCAR_OK ? oscar_err_str(err) : oscar_oscore_verdict_name(v));
        if (err == OSCAR_OK && v == OSCAR_OSCORE_ACCEPT) {
            peer_describe(e, plain, plain_len);
        }
    } else {
        /* plain CoAP, or an unprotected answer (e.g. an OSCORE error, §8.2) to a protected
         * request: reported as it is */
        cJSON_AddStringToObject(e, "verdict", slot->oscore ? "unprotected" : "accept");
        peer_describe(e, msg, len);
    }
    peer_event(e);
}

void peer_client_on_timeout(void *arg, uint16_t mid)
{
    struct peer *p = arg;
    for (size_t i = 0; i < PEER_MAX_PENDING; i++) {
        struct peer_pending *c = &p->pending[i];
        if (c->used && c->mid == mid) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "event", "timeout");
            cJSON_AddStringToObject(e, "id", c->id);
            peer_event(e);
        }
    }
}
