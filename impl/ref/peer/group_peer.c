/* group_peer.c — oscar-group-peer: one member of one or more OSCORE groups (RFC 10021) as a
 * networked node of Oscar's multi-node scenarios (scenarios/group/, scenarios/README.md).
 *
 * Same contract as oscar-peer (docs/shim-contract.md): flags in, `ready <port>` on --ready-fd,
 * control as JSON lines on stdin, events as JSON lines on stdout, diagnostics on stderr. CoAP
 * over plain UDP, Non-confirmable only (group requests are NON, RFC 10021 §7; so are the
 * responses here): no retransmission layer is needed, and the socket is ours to point at a
 * multicast group (the relay's group alias, or a real multicast address in a namespace).
 *
 * Roles: "client" sends the requests the harness asks for and reports every response; "server"
 * verifies requests and, when the request's application group (the first Uri-Path segment) is
 * one of its own, acts on it and answers; "silent" and "monitor" verify and never answer.
 *
 * Config (written by the harness):
 *   {"name", "role", "app_groups": [..], "response_mode": "group"|"pairwise",
 *    "groups": [{"name", "gid", "master_secret", "master_salt", "group_enc_alg", "sig_alg",
 *                "aead_alg", "pairwise_alg", "gm_cred", "sender_id", "private_key",
 *                "credential", "members": [{"sender_id", "credential", "public_key"}]}]}
 * Control: {"op": "request", "id", "group", "mode", "to", "target", "method", "path",
 *           "payload"}, {"op": "rekey", "group", "gid", "master_secret"}, {"op": "quit"}.
 * Events: sent, response (client); request (servers: verdict, acted). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hcore.h"
#include "udp_util.h"
#include "oscar/group.h"
#include "pcapio.h"

#define MAX_GROUPS 4
#define MAX_MEMBERS 64
#define MAX_EXCHANGES 32
#define MSG_MAX 1500
#define LINE_MAX_LEN 65536

enum role { ROLE_CLIENT, ROLE_SERVER, ROLE_SILENT, ROLE_MONITOR };

/* Peer-level faults of a group member (the protocol-level ones are enum oscar_group_fault). */
enum gpeer_fault {
    GPEER_FAULT_ERROR_TO_GROUP = 1u << 0,    /* answers a group request it does not act on with a
                                                protected 4.04 instead of silence (§7) */
    GPEER_FAULT_ACT_ANY_APP_GROUP = 1u << 1, /* acts on requests for application groups it is
                                                not in */
    GPEER_FAULT_ECHO_RETRY_GROUP = 1u << 2,  /* answers an Echo challenge in group mode although
                                                the group has pairwise mode (§9) */
    GPEER_FAULT_IGNORE_REKEY = 1u << 3, /* keeps the old Security Context when the group is rekeyed
                                           (§12.2) */
};

struct member_cred {
    uint8_t id[OSCAR_OSCORE_ID_MAX];
    size_t id_len;
    uint8_t cred[OSCAR_GROUP_CRED_MAX];
    size_t cred_len;
    uint8_t pub[OSCAR_SIG_PUB_MAX];
    size_t pub_len;
};

struct group {
    char name[64];
    struct oscar_group_params params;
    struct oscar_group_ctx ctx;
    struct oscar_group_recipient slots[MAX_MEMBERS];
    struct member_cred members[MAX_MEMBERS];
    size_t num_members;
    /* storage behind params */
    uint8_t secret[OSCAR_OSCORE_SECRET_MAX], salt[OSCAR_OSCORE_SALT_MAX];
    uint8_t gid[OSCAR_OSCORE_ID_CONTEXT_MAX], gm_cred[OSCAR_GROUP_CRED_MAX];
    uint8_t sender_id[OSCAR_OSCORE_ID_MAX], priv[OSCAR_SIG_PRIV_LEN];
    uint8_t cred[OSCAR_GROUP_CRED_MAX];
};

struct exchange {
    bool used;
    char id[64];
    size_t group;
    uint8_t code; /* the request, for a retry with Echo (§9) */
    char path[128];
    char payload[128];
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    size_t token_len;
    struct oscar_group_exchange ex;
    unsigned responses;
};

struct node {
    char name[64];
    enum role role;
    char app_groups[8][64];
    size_t num_app_groups;
    enum oscar_group_mode response_mode;
    struct group groups[MAX_GROUPS];
    size_t num_groups;
    struct exchange ex[MAX_EXCHANGES];
    int fd;
    uint16_t next_mid;
    uint32_t group_faults;
    uint32_t peer_faults;
    char state[64]; /* the resource: "on" / "off" */
    uint64_t seed;
    uint64_t echo_counter;
    bool lost_state;    /* --lost-state: restarted without the replay windows (§2.6.1) */
    uint64_t seq_start; /* --seq-start: the Sender Sequence Number kept across the restart */
};

static bool lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred, size_t *cred_len,
                   uint8_t *pub)
{
    const struct group *g = arg;
    for (size_t i = 0; i < g->num_members; i++) {
        const struct member_cred *m = &g->members[i];
        if (m->id_len == kid_len && (kid_len == 0 || memcmp(m->id, kid, kid_len) == 0)) {
            memcpy(cred, m->cred, m->cred_len);
            *cred_len = m->cred_len;
            memcpy(pub, m->pub, m->pub_len);
            return true;
        }
    }
    return false;
}

static bool load_group(struct group *g, const cJSON *j, uint32_t faults)
{
    memset(g, 0, sizeof(*g));
    const char *name = peer_util_get_str(j, "name");
    snprintf(g->name, sizeof(g->name), "%s", name != NULL ? name : "?");
    struct oscar_group_params *p = &g->params;
    size_t n;
    bool ok =
        peer_util_get_hex(j, "master_secret", g->secret, sizeof(g->secret),
                          &p->master_secret_len) &&
        peer_util_get_hex(j, "master_salt", g->salt, sizeof(g->salt), &p->master_salt_len) &&
        peer_util_get_hex(j, "gid", g->gid, sizeof(g->gid), &p->gid_len) &&
        peer_util_get_hex(j, "gm_cred", g->gm_cred, sizeof(g->gm_cred), &p->gm_cred_len) &&
        peer_util_get_hex(j, "sender_id", g->sender_id, sizeof(g->sender_id), &p->sender_id_len) &&
        peer_util_get_hex(j, "private_key", g->priv, sizeof(g->priv), &n) &&
        n == OSCAR_SIG_PRIV_LEN &&
        peer_util_get_hex(j, "credential", g->cred, sizeof(g->cred), &p->sender_cred_len);
    if (!ok) {
        return false;
    }
    p->master_secret = g->secret;
    p->master_salt = g->salt;
    p->gid = g->gid;
    p->gm_cred = g->gm_cred;
    p->sender_id = g->sender_id;
    p->sender_priv = g->priv;
    p->sender_cred = g->cred;
    p->group_enc_alg = peer_util_get_int(j, "group_enc_alg");
    p->sig_alg = peer_util_get_int(j, "sig_alg");
    p->aead_alg = peer_util_get_int(j, "aead_alg");
    p->pairwise_alg = peer_util_get_int(j, "pairwise_alg");
    p->recipients = g->slots;
    p->recipients_cap = MAX_MEMBERS;
    p->cred_lookup = lookup;
    p->cred_arg = g;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(j, "members"))
    {
        if (g->num_members == MAX_MEMBERS) {
            break;
        }
        struct member_cred *c = &g->members[g->num_members++];
        if (!peer_util_get_hex(m, "sender_id", c->id, sizeof(c->id), &c->id_len) ||
            !peer_util_get_hex(m, "credential", c->cred, sizeof(c->cred), &c->cred_len) ||
            !peer_util_get_hex(m, "public_key", c->pub, sizeof(c->pub), &c->pub_len)) {
            return false;
        }
    }
    if (oscar_group_ctx_init(&g->ctx, oscar_crypto_wolfssl(), p) != OSCAR_OK) {
        return false;
    }
    g->ctx.faults = faults;
    return true;
}

static bool load_config(struct node *nd, const char *path)
{
    cJSON *root = NULL;
    struct oscar_diag d = {{0}};
    if (oscar_json_load_file(&root, path, &d) != OSCAR_OK) {
        fprintf(stderr, "oscar-group-peer: %s\n", d.msg);
        return false;
    }
    const char *name = peer_util_get_str(root, "name");
    const char *role = peer_util_get_str(root, "role");
    const char *mode = peer_util_get_str(root, "response_mode");
    snprintf(nd->name, sizeof(nd->name), "%s", name != NULL ? name : "?");
    static const char *const roles[] = {"client", "server", "silent", "monitor"};
    bool ok = false;
    for (int i = 0; i < 4; i++) {
        if (role != NULL && strcmp(role, roles[i]) == 0) {
            nd->role = (enum role)i;
            ok = true;
        }
    }
    nd->response_mode = mode != NULL && strcmp(mode, "pairwise") == 0 ? OSCAR_GROUP_MODE_PAIRWISE
                                                                      : OSCAR_GROUP_MODE_GROUP;
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(root, "app_groups"))
    {
        if (cJSON_IsString(a) && nd->num_app_groups < 8) {
            snprintf(nd->app_groups[nd->num_app_groups++], 64, "%s", a->valuestring);
        }
    }
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(root, "groups"))
    {
        if (ok && nd->num_groups < MAX_GROUPS) {
            ok = load_group(&nd->groups[nd->num_groups++], g, nd->group_faults);
        }
    }
    cJSON_Delete(root);
    if (!ok) {
        fprintf(stderr, "oscar-group-peer: %s: bad role or group\n", path);
    }
    return ok;
}

static struct group *group_named(struct node *nd, const char *name, size_t *index)
{
    for (size_t i = 0; name != NULL && i < nd->num_groups; i++) {
        if (strcmp(nd->groups[i].name, name) == 0) {
            *index = i;
            return &nd->groups[i];
        }
    }
    return NULL;
}

static uint8_t method_code(const char *m)
{
    static const char *const names[] = {"GET", "POST", "PUT", "DELETE"};
    for (uint8_t i = 0; m != NULL && i < 4; i++) {
        if (strcmp(m, names[i]) == 0) {
            return (uint8_t)(i + 1);
        }
    }
    return 0;
}

/* build_request writes a NON request with a fresh token; path segments become Uri-Path; echo
 * (may be NULL) is an Echo option to add (RFC 9175). */
static size_t build_request(struct node *nd, uint8_t *out, uint8_t code, const char *path,
                            const char *payload, const uint8_t *echo, size_t echo_len,
                            uint8_t *token)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_NON;
    m.code = code;
    m.mid = nd->next_mid++;
    m.token_len = 4;
    uint32_t t = (uint32_t)(nd->seed * 2654435761u) ^ m.mid;
    for (int i = 0; i < 4; i++) {
        m.token[i] = token[i] = (uint8_t)(t >> (8 * i));
    }
    /* each non-empty segment between slashes is a Uri-Path option */
    for (const char *p = path != NULL ? path : ""; *p != '\0';) {
        size_t len = strcspn(p, "/");
        if (len != 0 && oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)p,
                                              len) != OSCAR_OK) {
            return 0;
        }
        p += len + (p[len] == '/');
    }
    if (echo_len != 0 &&
        oscar_coap_add_option(&m, OSCAR_COAP_OPT_ECHO, echo, echo_len) != OSCAR_OK) {
        return 0;
    }
    if (payload != NULL && payload[0] != '\0') {
        m.has_payload = true;
        m.payload = (const uint8_t *)payload;
        m.payload_len = strlen(payload);
    }
    size_t n = 0;
    return oscar_coap_serialize(out, MSG_MAX, &n, &m) == OSCAR_OK ? n : 0;
}

/* struct req is one request to send (from a control line, or a retry with Echo). */
struct req {
    const char *id;
    size_t group;
    uint8_t code;
    const char *path;
    const char *payload;
    enum oscar_group_mode mode;
    const uint8_t *target;
    size_t target_len;
    const uint8_t *echo;
    size_t echo_len;
};

static void send_request(struct node *nd, const struct req *rq, const struct sockaddr_storage *ss,
                         socklen_t sl)
{
    struct group *g = &nd->groups[rq->group];
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "id", rq->id);
    struct exchange *x = NULL;
    for (size_t i = 0; i < MAX_EXCHANGES && x == NULL; i++) {
        if (!nd->ex[i].used) {
            x = &nd->ex[i];
        }
    }
    if (x == NULL) {
        x = &nd->ex[0]; /* reuse the oldest slot */
    }
    memset(x, 0, sizeof(*x));
    uint8_t plain[MSG_MAX];
    uint8_t prot[MSG_MAX];
    size_t n =
        build_request(nd, plain, rq->code, rq->path, rq->payload, rq->echo, rq->echo_len, x->token);
    size_t pn = 0;
    enum oscar_err err =
        n == 0 ? OSCAR_ERR_INVALID_ARG
               : oscar_group_protect_request(&g->ctx, rq->mode, rq->target, rq->target_len, prot,
                                             sizeof(prot), &pn, &x->ex, plain, n);
    if (err != OSCAR_OK) {
        cJSON_AddStringToObject(e, "event", "error");
        cJSON_AddStringToObject(e, "error", oscar_err_str(err));
        peer_util_event(e);
        return;
    }
    x->used = true;
    x->group = rq->group;
    x->token_len = 4;
    x->code = rq->code;
    snprintf(x->id, sizeof(x->id), "%s", rq->id);
    snprintf(x->path, sizeof(x->path), "%s", rq->path != NULL ? rq->path : "");
    snprintf(x->payload, sizeof(x->payload), "%s", rq->payload != NULL ? rq->payload : "");
    if (sendto(nd->fd, prot, pn, 0, (const struct sockaddr *)ss, sl) < 0) {
        fprintf(stderr, "oscar-group-peer %s: sendto: %s\n", nd->name, strerror(errno));
    }
    cJSON_AddStringToObject(e, "event", "sent");
    peer_util_add_hex(e, "bytes", prot, pn);
    peer_util_add_hex(e, "piv", x->ex.request_piv, x->ex.request_piv_len);
    peer_util_event(e);
}

static void control_request(struct node *nd, const cJSON *c)
{
    const char *id = peer_util_get_str(c, "id");
    size_t gi = 0;
    struct group *g = group_named(nd, peer_util_get_str(c, "group"), &gi);
    const char *mode = peer_util_get_str(c, "mode");
    const char *to = peer_util_get_str(c, "to");
    struct sockaddr_storage ss;
    socklen_t sl;
    uint8_t code = method_code(peer_util_get_str(c, "method"));
    if (g == NULL || to == NULL || !peer_util_parse_addr(&ss, &sl, to) || code == 0 || id == NULL) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", id != NULL ? id : "");
        cJSON_AddStringToObject(e, "event", "error");
        cJSON_AddStringToObject(e, "error", "request: unknown group, bad to, method or id");
        peer_util_event(e);
        return;
    }
    uint8_t target[OSCAR_OSCORE_ID_MAX];
    size_t target_len = 0;
    peer_util_get_hex(c, "target", target, sizeof(target), &target_len);
    struct req rq = {id,
                     gi,
                     code,
                     peer_util_get_str(c, "path"),
                     peer_util_get_str(c, "payload"),
                     mode != NULL && strcmp(mode, "pairwise") == 0 ? OSCAR_GROUP_MODE_PAIRWISE
                                                                   : OSCAR_GROUP_MODE_GROUP,
                     target,
                     target_len,
                     NULL,
                     0};
    send_request(nd, &rq, &ss, sl);
}

static void control_rekey(struct node *nd, const cJSON *c)
{
    size_t gi = 0;
    struct group *g = group_named(nd, peer_util_get_str(c, "group"), &gi);
    cJSON *e = cJSON_CreateObject();
    if (nd->peer_faults & GPEER_FAULT_IGNORE_REKEY) {
        cJSON_AddStringToObject(e, "event", "rekeyed");
        cJSON_AddStringToObject(e, "group", g != NULL ? g->name : "?");
        peer_util_event(e); /* says so, and keeps the old context: only the trace tells */
        return;
    }
    if (g == NULL || !peer_util_get_hex(c, "gid", g->gid, sizeof(g->gid), &g->params.gid_len) ||
        !peer_util_get_hex(c, "master_secret", g->secret, sizeof(g->secret),
                           &g->params.master_secret_len)) {
        cJSON_AddStringToObject(e, "event", "error");
        cJSON_AddStringToObject(e, "error", "rekey: unknown group or bad gid / master_secret");
        peer_util_event(e);
        return;
    }
    /* §12.2: the new Security Context: keys from the new material, Sender IDs kept, SSN 0,
     * Recipient Contexts and replay windows anew */
    uint32_t faults = g->ctx.faults;
    oscar_group_ctx_cleanup(&g->ctx);
    if (oscar_group_ctx_init(&g->ctx, oscar_crypto_wolfssl(), &g->params) != OSCAR_OK) {
        cJSON_AddStringToObject(e, "event", "error");
        cJSON_AddStringToObject(e, "error", "rekey: the new context does not derive");
        peer_util_event(e);
        return;
    }
    g->ctx.faults = faults;
    cJSON_AddStringToObject(e, "event", "rekeyed");
    cJSON_AddStringToObject(e, "group", g->name);
    peer_util_event(e);
}

/* app_group_of reads the first Uri-Path segment of the decrypted request. */
static void app_group_of(const struct oscar_coap_msg *m, char *out, size_t cap)
{
    out[0] = '\0';
    const struct oscar_coap_option *o = oscar_coap_find_option(m, OSCAR_COAP_OPT_URI_PATH);
    if (o != NULL) {
        snprintf(out, cap, "%.*s", (int)o->len, (const char *)o->value);
    }
}

static bool in_app_group(const struct node *nd, const char *ag)
{
    for (size_t i = 0; i < nd->num_app_groups; i++) {
        if (strcmp(nd->app_groups[i], ag) == 0) {
            return true;
        }
    }
    return false;
}

static void answer(struct node *nd, struct group *g, struct oscar_group_exchange *ex,
                   const struct oscar_coap_msg *req, uint8_t code, const char *payload,
                   const struct sockaddr_storage *to, socklen_t tl)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_NON;
    m.code = code;
    m.mid = nd->next_mid++;
    m.token_len = req->token_len;
    memcpy(m.token, req->token, req->token_len);
    if (payload != NULL) {
        m.has_payload = true;
        m.payload = (const uint8_t *)payload;
        m.payload_len = strlen(payload);
    }
    uint8_t plain[MSG_MAX];
    uint8_t prot[MSG_MAX];
    size_t n = 0;
    size_t pn = 0;
    if (oscar_coap_serialize(plain, sizeof(plain), &n, &m) != OSCAR_OK ||
        oscar_group_protect_response(&g->ctx, nd->response_mode, false, prot, sizeof(prot), &pn, ex,
                                     plain, n) != OSCAR_OK) {
        fprintf(stderr, "oscar-group-peer %s: cannot protect the response\n", nd->name);
        return;
    }
    if (sendto(nd->fd, prot, pn, 0, (const struct sockaddr *)to, tl) < 0) {
        fprintf(stderr, "oscar-group-peer %s: sendto: %s\n", nd->name, strerror(errno));
    }
}

/* on_request verifies a request with the group its kid context names and acts on it. */
static void on_request(struct node *nd, const uint8_t *msg, size_t len,
                       const struct sockaddr_storage *from, socklen_t fl)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "request");
    peer_util_add_hex(e, "bytes", msg, len);
    enum oscar_oscore_verdict v = OSCAR_OSCORE_NO_CONTEXT;
    struct group *g = NULL;
    uint8_t dec[2 * MSG_MAX + 8];
    size_t dn = 0;
    struct oscar_group_exchange ex;
    struct oscar_group_recipient *who = NULL;
    for (size_t i = 0; i < nd->num_groups && v == OSCAR_OSCORE_NO_CONTEXT; i++) {
        g = &nd->groups[i];
        if (oscar_group_unprotect_request(&g->ctx, &v, &who, dec, sizeof(dec), &dn, &ex, msg,
                                          len) != OSCAR_OK) {
            v = OSCAR_OSCORE_DECODE_FAILED;
        }
    }
    cJSON_AddStringToObject(e, "verdict", oscar_oscore_verdict_name(v));
    bool acted = false;
    struct oscar_coap_msg m;
    size_t off;
    if (v == OSCAR_OSCORE_ACCEPT && oscar_coap_parse(&m, &off, dec, dn) == OSCAR_COAP_WELL_FORMED) {
        char ag[64];
        app_group_of(&m, ag, sizeof(ag));
        cJSON_AddStringToObject(e, "group", g->name);
        cJSON_AddStringToObject(e, "app_group", ag);
        bool mine = in_app_group(nd, ag) || (nd->peer_faults & GPEER_FAULT_ACT_ANY_APP_GROUP);
        if (nd->role == ROLE_SERVER && mine) {
            acted = true;
            if (m.code == OSCAR_COAP_CODE_GET) {
                answer(nd, g, &ex, &m, OSCAR_COAP_CODE_CONTENT, nd->state, from, fl);
            } else {
                snprintf(nd->state, sizeof(nd->state), "%.*s", (int)m.payload_len,
                         (const char *)m.payload);
                answer(nd, g, &ex, &m, OSCAR_COAP_CODE_CHANGED, NULL, from, fl);
            }
        } else if (nd->role == ROLE_SERVER && (nd->peer_faults & GPEER_FAULT_ERROR_TO_GROUP)) {
            answer(nd, g, &ex, &m, OSCAR_COAP_CODE(4, 4), NULL, from, fl);
        }
    }
    if (v == OSCAR_OSCORE_FRESHNESS_REQUIRED && nd->role == ROLE_SERVER && who != NULL &&
        oscar_coap_parse(&m, &off, dec, dn) == OSCAR_COAP_WELL_FORMED) {
        /* §9: this sender's replay window is invalid (we lost our state): a protected 4.01
         * with an Echo value, and the request is not processed */
        char ag[64];
        app_group_of(&m, ag, sizeof(ag));
        uint8_t echo[8];
        uint64_t x = nd->seed * UINT64_C(0x9e3779b97f4a7c15) + ++nd->echo_counter;
        for (int i = 0; i < 8; i++) {
            echo[i] = (uint8_t)(x >> (8 * i));
        }
        uint8_t prot[MSG_MAX];
        size_t pn = 0;
        if (in_app_group(nd, ag) &&
            oscar_group_echo_challenge(&g->ctx, nd->response_mode, who, &ex, echo, sizeof(echo),
                                       dec, dn, prot, sizeof(prot), &pn) == OSCAR_OK &&
            sendto(nd->fd, prot, pn, 0, (const struct sockaddr *)from, fl) >= 0) {
            cJSON_AddBoolToObject(e, "echo_sent", true);
        }
    }
    cJSON_AddBoolToObject(e, "acted", acted);
    cJSON_AddStringToObject(e, "state", nd->state);
    peer_util_event(e);
}

/* echo_retry sends the request of exchange x again to the server that challenged it (§9): by
 * unicast, in pairwise mode when the group has it, with the Echo value. */
static void echo_retry(struct node *nd, const struct exchange *x, const struct oscar_coap_msg *m,
                       const struct oscar_group_recipient *who, const struct sockaddr_storage *from)
{
    const struct oscar_coap_option *echo = oscar_coap_find_option(m, OSCAR_COAP_OPT_ECHO);
    struct group *g = &nd->groups[x->group];
    if (echo == NULL || who == NULL) {
        return;
    }
    char id[80];
    snprintf(id, sizeof(id), "%.60s-echo", x->id);
    bool pairwise = g->ctx.aead != NULL && !(nd->peer_faults & GPEER_FAULT_ECHO_RETRY_GROUP);
    struct req rq = {id,          x->group,
                     x->code,     x->path,
                     x->payload,  pairwise ? OSCAR_GROUP_MODE_PAIRWISE : OSCAR_GROUP_MODE_GROUP,
                     who->id,     who->id_len,
                     echo->value, echo->len};
    socklen_t sl =
        from->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    send_request(nd, &rq, from, sl);
}

static void on_response(struct node *nd, const uint8_t *msg, size_t len,
                        const struct sockaddr_storage *from)
{
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    struct exchange *x = NULL;
    for (size_t i = 0; i < MAX_EXCHANGES && x == NULL; i++) {
        if (nd->ex[i].used && nd->ex[i].token_len == m.token_len &&
            memcmp(nd->ex[i].token, m.token, m.token_len) == 0) {
            x = &nd->ex[i];
        }
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "response");
    char addr[64];
    peer_util_format_addr(addr, sizeof(addr), from);
    cJSON_AddStringToObject(e, "from", addr);
    peer_util_add_hex(e, "bytes", msg, len);
    if (x == NULL) {
        cJSON_AddStringToObject(e, "verdict", "unknown-token");
        peer_util_event(e);
        return;
    }
    cJSON_AddStringToObject(e, "id", x->id);
    uint8_t dec[2 * MSG_MAX + 8];
    size_t dn = 0;
    enum oscar_oscore_verdict v;
    struct oscar_group_recipient *who = NULL;
    if (oscar_group_unprotect_response(&nd->groups[x->group].ctx, &v, &who, dec, sizeof(dec), &dn,
                                       &x->ex, msg, len) != OSCAR_OK) {
        v = OSCAR_OSCORE_DECODE_FAILED;
    }
    cJSON_AddStringToObject(e, "verdict", oscar_oscore_verdict_name(v));
    if (v == OSCAR_OSCORE_ACCEPT && oscar_coap_parse(&m, &off, dec, dn) == OSCAR_COAP_WELL_FORMED) {
        char code[8];
        snprintf(code, sizeof(code), "%u.%02u", OSCAR_COAP_CODE_CLASS(m.code),
                 OSCAR_COAP_CODE_DETAIL(m.code));
        cJSON_AddStringToObject(e, "code", code);
        peer_util_add_hex(e, "payload_hex", m.payload, m.payload_len);
        if (who != NULL) {
            peer_util_add_hex(e, "kid", who->id, who->id_len);
        }
    }
    cJSON_AddNumberToObject(e, "n", ++x->responses);
    peer_util_event(e);
    if (v == OSCAR_OSCORE_ACCEPT && m.code == OSCAR_COAP_CODE(4, 1)) {
        echo_retry(nd, x, &m, who, from);
    }
}

static bool control(struct node *nd, const char *line)
{
    cJSON *c = cJSON_Parse(line);
    const char *op = peer_util_get_str(c, "op");
    bool go_on = true;
    if (op != NULL && strcmp(op, "request") == 0 && nd->role == ROLE_CLIENT) {
        control_request(nd, c);
    } else if (op != NULL && strcmp(op, "rekey") == 0) {
        control_rekey(nd, c);
    } else if (op != NULL && strcmp(op, "quit") == 0) {
        go_on = false;
    } else {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "event", "error");
        cJSON_AddStringToObject(e, "error", "unknown control line or op for this role");
        peer_util_event(e);
    }
    cJSON_Delete(c);
    return go_on;
}

static uint32_t fault_of(const char *name, uint32_t *peer)
{
    static const struct {
        const char *name;
        uint32_t group;
        uint32_t peer;
    } table[] = {
        {"accept-bad-signature", OSCAR_GROUP_FAULT_ACCEPT_BAD_SIGNATURE, 0},
        {"accept-replay", OSCAR_GROUP_FAULT_ACCEPT_REPLAY, 0},
        {"shared-piv", OSCAR_GROUP_FAULT_SHARED_PIV, 0},
        {"no-response-kid", OSCAR_GROUP_FAULT_NO_RESPONSE_KID, 0},
        {"plain-signature", OSCAR_GROUP_FAULT_PLAIN_SIGNATURE, 0},
        {"error-to-group", 0, GPEER_FAULT_ERROR_TO_GROUP},
        {"act-any-app-group", 0, GPEER_FAULT_ACT_ANY_APP_GROUP},
        {"accept-invalid-window", OSCAR_GROUP_FAULT_ACCEPT_INVALID_WINDOW, 0},
        {"echo-no-piv", OSCAR_GROUP_FAULT_ECHO_NO_PIV, 0},
        {"echo-retry-group", 0, GPEER_FAULT_ECHO_RETRY_GROUP},
        {"ignore-rekey", 0, GPEER_FAULT_IGNORE_REKEY},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].name, name) == 0) {
            *peer |= table[i].peer;
            return table[i].group | (table[i].peer != 0 ? 0x80000000u : 0);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct node nd;
    const char *config = NULL;
    const char *bind_addr = "127.0.0.1:0";
    int ready_fd = -1;
    const char *joins[8];
    size_t num_joins = 0;
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},   {"bind", required_argument, NULL, 'b'},
        {"ready-fd", required_argument, NULL, 'f'}, {"seed", required_argument, NULL, 'S'},
        {"bug", required_argument, NULL, 'B'},      {"join", required_argument, NULL, 'J'},
        {"lost-state", no_argument, NULL, 'L'},     {"seq-start", required_argument, NULL, 'Q'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config = optarg;
            break;
        case 'b':
            bind_addr = optarg;
            break;
        case 'f':
            ready_fd = (int)strtol(optarg, NULL, 10);
            break;
        case 'S':
            nd.seed = strtoull(optarg, NULL, 0);
            break;
        case 'L':
            nd.lost_state = true;
            break;
        case 'Q':
            nd.seq_start = strtoull(optarg, NULL, 0);
            break;
        case 'J':
            if (num_joins < 8) {
                joins[num_joins++] = optarg;
            }
            break;
        case 'B': {
            uint32_t f = fault_of(optarg, &nd.peer_faults);
            if (f == 0) {
                fprintf(stderr, "oscar-group-peer: unknown --bug %s\n", optarg);
                return 2;
            }
            nd.group_faults |= f & 0x7fffffffu;
            break;
        }
        case 'h':
            printf("usage: oscar-group-peer --config FILE [--bind ADDR:PORT] [--ready-fd N] "
                   "[--seed N] [--bug NAME]... [--join MULTICAST_ADDR]...\n"
                   "A Group OSCORE member (RFC 10021) for Oscar's multi-node scenarios.\n"
                   "Bugs: accept-bad-signature, accept-replay, shared-piv, no-response-kid,\n"
                   "plain-signature, error-to-group, act-any-app-group, accept-invalid-window,\n"
                   "echo-retry-group, ignore-rekey, echo-no-piv. --lost-state --seq-start N: "
                   "restarted without "
                   "its replay\n"
                   "windows (Echo procedure, RFC 10021 §9), its Sender Sequence Number kept.\n");
            return 0;
        default:
            return 2;
        }
    }
    if (config == NULL || !load_config(&nd, config)) {
        return 2;
    }
    for (size_t i = 0; i < nd.num_groups; i++) {
        nd.groups[i].ctx.lost_state = nd.lost_state;
        nd.groups[i].ctx.seq = nd.seq_start;
    }
    snprintf(nd.state, sizeof(nd.state), "off");
    nd.next_mid = (uint16_t)(nd.seed * 7919u);
    struct sockaddr_storage ss;
    unsigned port;
    nd.fd = peer_util_bind("oscar-group-peer", bind_addr, &ss, &port);
    if (nd.fd < 0) {
        return 1;
    }
    unsigned eth0 = if_nametoindex("eth0");
    if (ss.ss_family == AF_INET6 && eth0 != 0) {
        /* IPv6 multicast goes out on the node's link (a namespace network's eth0) */
        (void)setsockopt(nd.fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &eth0, sizeof(eth0));
    }
    for (size_t i = 0; i < num_joins; i++) {
        /* a multicast group to receive on: IPv4 on the interface the multicast route picks,
         * IPv6 on eth0 (the node's link in a namespace network) */
        struct ip_mreq mr;
        struct ipv6_mreq mr6;
        memset(&mr, 0, sizeof(mr));
        memset(&mr6, 0, sizeof(mr6));
        bool v6 = strchr(joins[i], ':') != NULL;
        mr6.ipv6mr_interface = if_nametoindex("eth0");
        if (v6 ? inet_pton(AF_INET6, joins[i], &mr6.ipv6mr_multiaddr) != 1 ||
                     setsockopt(nd.fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr6, sizeof(mr6)) != 0
               : inet_pton(AF_INET, joins[i], &mr.imr_multiaddr) != 1 ||
                     setsockopt(nd.fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
            fprintf(stderr, "oscar-group-peer: cannot join %s: %s\n", joins[i], strerror(errno));
            return 1;
        }
    }
    peer_util_ready(ready_fd, port);
    static char line[LINE_MAX_LEN];
    size_t line_len = 0;
    bool running = true;
    while (running) {
        struct pollfd p[2] = {{nd.fd, POLLIN, 0}, {0, POLLIN, 0}};
        if (poll(p, 2, 1000) < 0 && errno != EINTR) {
            break;
        }
        if (p[0].revents & POLLIN) {
            uint8_t buf[MSG_MAX];
            struct sockaddr_storage from;
            socklen_t fl = sizeof(from);
            ssize_t n = recvfrom(nd.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
            if (n > 1) {
                if (buf[1] != 0 && OSCAR_COAP_CODE_CLASS(buf[1]) == 0) {
                    on_request(&nd, buf, (size_t)n, &from, fl);
                } else {
                    on_response(&nd, buf, (size_t)n, &from);
                }
            }
        }
        if (p[1].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(0, line + line_len, sizeof(line) - 1 - line_len);
            if (n <= 0) {
                break; /* end of stdin ends the node */
            }
            line_len += (size_t)n;
            char *nl;
            while (running && (nl = memchr(line, '\n', line_len)) != NULL) {
                *nl = '\0';
                running = control(&nd, line);
                size_t used = (size_t)(nl - line) + 1;
                memmove(line, nl + 1, line_len - used);
                line_len -= used;
            }
            if (line_len == sizeof(line) - 1) {
                line_len = 0; /* a line too long to be a control line */
            }
        }
    }
    for (size_t i = 0; i < nd.num_groups; i++) {
        oscar_group_ctx_cleanup(&nd.groups[i].ctx);
    }
    close(nd.fd);
    return 0;
}
