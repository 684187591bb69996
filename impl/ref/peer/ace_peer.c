/* ace_peer.c — the ACE roles of oscar-peer (issue 6): `--role as` (the Authorization Server's
 * /token), `--role gm` (the Group Manager: /authz-info, then its interface OSCORE-protected with
 * the OSCORE profile of ACE, RFC 9203) and `--role joiner` (a joining node running the steps of
 * its config: token, authz, join, get, renew, cred, leave, wait; rekeying messages from the GM
 * are taken whenever they come). Same contract as the other peers (docs/shim-contract.md):
 * flags in, `ready <port>` on --ready-fd, events as JSON lines on stdout, diagnostics on stderr;
 * a joiner prints {"event":"done"} after its last step and keeps answering until stdin closes.
 * CoAP over plain UDP sockets: confirmable requests retransmitted (2 s, twice), responses
 * piggybacked. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hcore.h"
#include "oscar/coap.h"
#include "oscar/gm.h"
#include "oscar/group.h"
#include "oscar/oscore.h"
#include "peer.h"
#include "udp_util.h"

#define MSG_MAX 2048
#define CLIENTS_MAX 64
#define STEPS_MAX 32
#define RETRANSMIT_MS 2000
#define ATTEMPTS 3
#define EXIT_USAGE 2

struct ace_peer {
    const struct oscar_crypto_ops *crypto;
    int fd;
    uint64_t seed;
    uint64_t now; /* seconds: the config's clock, so that tokens and keying material agree */
    uint16_t mid;
    /* as */
    struct oscar_as *as;
    /* gm */
    struct oscar_gm *gm;
    struct oscar_oscore_ctx ctx[CLIENTS_MAX]; /* per client handle: the OSCORE profile context */
    bool has_ctx[CLIENTS_MAX];
    struct sockaddr_storage addr[CLIENTS_MAX]; /* where the client's requests come from */
    socklen_t addr_len[CLIENTS_MAX];
    struct oscar_gm_outgoing outbox[CLIENTS_MAX];
    /* joiner */
    char name[32];
    uint8_t priv[32], pub[32], cred[128];
    size_t cred_len;
    struct sockaddr_storage as_addr, gm_addr;
    socklen_t as_len, gm_len;
    uint8_t token[1024];
    size_t token_len;
    struct oscar_ace_claims osc;
    uint8_t n_s[16];
    size_t n_s_len;
    uint8_t n_c[8];
    struct oscar_oscore_ctx jctx;
    bool has_jctx;
    char node[96];
    bool skip_kdc_pop_check;
    bool accept_replay; /* GM fault: its OSCORE contexts take replays (RFC 8613 §7.4 broken) */
    bool ignore_rekey;  /* joiner fault: keeps the old group material (KGO §11.2 broken) */
    /* the joined node as a group member: the Group OSCORE context from the Join Response (and
     * rekeying messages), the members' credentials the GM gave */
    struct sockaddr_storage group_addr;
    socklen_t group_len;
    bool has_group_addr;
    struct oscar_group_ctx gctx;
    bool has_gctx;
    struct oscar_group_recipient gslots[16];
    uint8_t g_ms[32], g_salt[32], g_gid[16], g_sid[4], g_gm_cred[160];
    size_t g_ms_len, g_salt_len, g_gid_len, g_sid_len, g_gm_cred_len;
    struct {
        uint8_t sid[4], cred[160], pub[32];
        size_t sid_len, cred_len;
    } creds[16];
    size_t num_creds;
    uint64_t g_num;        /* the version of the installed material */
    uint64_t token_roles;  /* the roles the token was asked for (its scope) */
    uint8_t gm_dh_pub[32]; /* pairwise-only groups: the GM's key from kdc_dh_creds */
    bool has_gm_dh_pub;
    bool ignore_missed_rekey; /* joiner fault: skips the missed-rekeying procedure (KGO §11.3) */
    unsigned gm_faults;
};

static uint8_t cf_bytes(long cf, uint8_t out[2], size_t *n)
{
    out[0] = (uint8_t)(cf >> 8);
    out[1] = (uint8_t)cf;
    *n = cf > 255 ? 2 : cf > 0 ? 1 : 0;
    return 0;
}

/* coap_build writes a CoAP message; path segments go to option opt (Uri- or Location-Path). */
static size_t coap_build(uint8_t *out, uint8_t type, uint8_t code, uint16_t mid,
                         const uint8_t *token, size_t token_len, uint16_t opt, const char *path,
                         long cf, const uint8_t *payload, size_t len)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = type;
    m.code = code;
    m.mid = mid;
    m.token_len = token_len;
    memcpy(m.token, token, token_len);
    for (const char *seg = path; seg != NULL && *seg != '\0';) {
        size_t n = strcspn(seg, "/");
        if (oscar_coap_add_option(&m, opt, (const uint8_t *)seg, n) != OSCAR_OK) {
            return 0;
        }
        seg += n + (seg[n] == '/');
    }
    uint8_t cfb[2];
    size_t cfn;
    cf_bytes(cf, cfb, &cfn);
    if (cf >= 0 && oscar_coap_add_option(&m, OSCAR_COAP_OPT_CONTENT_FORMAT,
                                         cfn == 2 ? cfb : cfb + 1, cfn) != OSCAR_OK) {
        return 0;
    }
    m.has_payload = len > 0;
    m.payload = payload;
    m.payload_len = len;
    size_t n = 0;
    return oscar_coap_serialize(out, MSG_MAX, &n, &m) == OSCAR_OK ? n : 0;
}

static void send_to(struct ace_peer *p, const struct sockaddr_storage *to, socklen_t to_len,
                    const uint8_t *msg, size_t len)
{
    if (sendto(p->fd, msg, len, 0, (const struct sockaddr *)to, to_len) < 0) {
        fprintf(stderr, "ace-peer: sendto: %s\n", strerror(errno));
    }
}

static void code_text(char *out, size_t cap, uint8_t code)
{
    snprintf(out, cap, "%u.%02u", OSCAR_COAP_CODE_CLASS(code), OSCAR_COAP_CODE_DETAIL(code));
}

/* --- Authorization Server --- */

static void as_request(struct ace_peer *p, const struct oscar_coap_msg *m,
                       const struct sockaddr_storage *from, socklen_t from_len)
{
    static struct oscar_gm_response rs;
    char path[64];
    oscar_coap_path(m, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
    memset(&rs, 0, sizeof(rs));
    if (strcmp(path, "token") != 0 || m->code != OSCAR_COAP_CODE_POST) {
        rs.code = strcmp(path, "token") != 0 ? OSCAR_COAP_CODE_NOT_FOUND : OSCAR_COAP_CODE(4, 5);
        rs.content_format = OSCAR_CF_NONE;
    } else {
        /* the client is taken at its client_id: the client-AS channel is not what is tested */
        oscar_as_token(p->as, NULL, m->payload, m->has_payload ? m->payload_len : 0, p->now, &rs);
    }
    uint8_t out[MSG_MAX];
    size_t n =
        coap_build(out, OSCAR_COAP_TYPE_ACK, rs.code, m->mid, m->token, m->token_len, 0, NULL,
                   rs.content_format == OSCAR_CF_NONE ? -1 : rs.content_format, rs.payload, rs.len);
    send_to(p, from, from_len, out, n);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "token");
    char code[8];
    code_text(code, sizeof(code), rs.code);
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "why", rs.why);
    peer_util_event(e);
}

/* --- Group Manager --- */

/* gm_push sends the rekeying messages of the last request to their members' addresses, each a
 * POST to the member's control resource protected with the member's context. */
static void gm_push(struct ace_peer *p)
{
    for (size_t k = 0; k < p->gm->outbox_len; k++) {
        const struct oscar_gm_outgoing *o = &p->gm->outbox[k];
        int client = p->gm->members[o->member].client;
        if (client < 0 || client >= CLIENTS_MAX || !p->has_ctx[client]) {
            continue;
        }
        uint8_t plain[MSG_MAX], prot[MSG_MAX];
        uint8_t tok[2] = {0x7e, (uint8_t)k};
        size_t n = coap_build(plain, OSCAR_COAP_TYPE_NON, OSCAR_COAP_CODE_POST, ++p->mid, tok, 2,
                              OSCAR_COAP_OPT_URI_PATH, "grp-rekey", OSCAR_CF_ACE_GROUPCOMM_CBOR,
                              o->payload, o->len);
        size_t pn;
        if (n > 0 && oscar_oscore_protect_request(&p->ctx[client], prot, sizeof(prot), &pn, NULL,
                                                  NULL, plain, n) == OSCAR_OK) {
            send_to(p, &p->addr[client], p->addr_len[client], prot, pn);
        }
    }
}

static void gm_request(struct ace_peer *p, const uint8_t *msg, size_t len,
                       const struct oscar_coap_msg *outer, const struct sockaddr_storage *from,
                       socklen_t from_len)
{
    static struct oscar_gm_response rs;
    uint8_t out[MSG_MAX];
    size_t n;
    char path[160];
    if (oscar_coap_find_option(outer, OSCAR_COAP_OPT_OSCORE) == NULL) {
        oscar_coap_path(outer, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
        int client = -1;
        if (strcmp(path, "authz-info") == 0 && outer->code == OSCAR_COAP_CODE_POST) {
            client = oscar_gm_authz_info(p->gm, outer->payload,
                                         outer->has_payload ? outer->payload_len : 0, p->now, &rs);
            struct oscar_ace_osc_params op;
            if (client >= 0 && client < CLIENTS_MAX && oscar_gm_client_osc(p->gm, client, &op)) {
                if (p->has_ctx[client]) {
                    oscar_oscore_ctx_cleanup(&p->ctx[client]);
                }
                p->has_ctx[client] =
                    oscar_ace_osc_context(p->crypto, &op, false, &p->ctx[client]) == OSCAR_OK;
                if (p->accept_replay) {
                    p->ctx[client].faults |= OSCAR_FAULT_ACCEPT_REPLAY;
                }
                memcpy(&p->addr[client], from, from_len);
                p->addr_len[client] = from_len;
            }
        } else {
            /* no secure channel, no token behind it (RFC 9594 §4.1.2) */
            oscar_gm_handle(p->gm, -1, p->now, outer->code, path, NULL, 0, &rs);
        }
        n = coap_build(out, OSCAR_COAP_TYPE_ACK, rs.code, outer->mid, outer->token,
                       outer->token_len, OSCAR_COAP_OPT_LOCATION_PATH, rs.location,
                       rs.content_format == OSCAR_CF_NONE ? -1 : rs.content_format, rs.payload,
                       rs.len);
        send_to(p, from, from_len, out, n);
        fprintf(stderr, "gm: %s %s -> %u.%02u %s\n", path, client >= 0 ? "ok" : "refused",
                rs.code >> 5, rs.code & 31, rs.why);
        return;
    }
    /* OSCORE: the client whose context verifies it */
    struct oscar_oscore_ctx *list[CLIENTS_MAX];
    int handle[CLIENTS_MAX];
    size_t nl = 0;
    for (int c = 0; c < CLIENTS_MAX; c++) {
        if (p->has_ctx[c]) {
            handle[nl] = c;
            list[nl++] = &p->ctx[c];
        }
    }
    enum oscar_oscore_verdict v = OSCAR_OSCORE_NO_CONTEXT;
    size_t idx = 0;
    uint8_t dec[2 * MSG_MAX];
    size_t dn = 0;
    struct oscar_oscore_exchange ex;
    if (nl > 0) {
        (void)oscar_oscore_unprotect_request(list, nl, &v, &idx, dec, sizeof(dec), &dn, &ex, msg,
                                             len);
    }
    struct oscar_coap_msg in;
    size_t off;
    if (v != OSCAR_OSCORE_ACCEPT ||
        oscar_coap_parse(&in, &off, dec, dn) != OSCAR_COAP_WELL_FORMED) {
        /* RFC 8613 §8.2: an unprotected 4.01 (4.00 for a malformed one) */
        n = coap_build(out, OSCAR_COAP_TYPE_ACK,
                       v == OSCAR_OSCORE_ACCEPT ? OSCAR_COAP_CODE_BAD_REQUEST
                                                : OSCAR_COAP_CODE_UNAUTHORIZED,
                       outer->mid, outer->token, outer->token_len, 0, NULL, -1, NULL, 0);
        send_to(p, from, from_len, out, n);
        fprintf(stderr, "gm: OSCORE request refused: %s\n", oscar_oscore_verdict_name(v));
        return;
    }
    int client = handle[idx];
    memcpy(&p->addr[client], from, from_len);
    p->addr_len[client] = from_len;
    oscar_coap_path(&in, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
    oscar_gm_set_outbox(p->gm, p->outbox, CLIENTS_MAX);
    if (strcmp(path, "authz-info") == 0 && in.code == OSCAR_COAP_CODE_POST) {
        /* a protected token post: new access rights on this context (RFC 9203 §4.1) */
        oscar_gm_authz_update(p->gm, client, in.has_payload ? in.payload : NULL,
                              in.has_payload ? in.payload_len : 0, p->now, &rs);
    } else {
        oscar_gm_handle(p->gm, client, p->now, in.code, path, in.has_payload ? in.payload : NULL,
                        in.has_payload ? in.payload_len : 0, &rs);
    }
    uint8_t plain[MSG_MAX];
    n = coap_build(plain, OSCAR_COAP_TYPE_ACK, rs.code, outer->mid, outer->token, outer->token_len,
                   OSCAR_COAP_OPT_LOCATION_PATH, rs.location,
                   rs.content_format == OSCAR_CF_NONE ? -1 : rs.content_format, rs.payload, rs.len);
    size_t pn;
    if (n > 0 && oscar_oscore_protect_response(&p->ctx[client], out, sizeof(out), &pn, &ex, NULL,
                                               plain, n) == OSCAR_OK) {
        send_to(p, from, from_len, out, pn);
    }
    fprintf(stderr, "gm: client %d %u.%02u %s -> %u.%02u %s\n", client, in.code >> 5, in.code & 31,
            path, rs.code >> 5, rs.code & 31, rs.why);
    gm_push(p);
}

/* --- joining node --- */

static bool exchange(struct ace_peer *p, const struct sockaddr_storage *to, socklen_t to_len,
                     bool protect, uint8_t code, const char *path, long cf, const uint8_t *payload,
                     size_t len, uint8_t *resp, size_t *resp_len);

static bool member_cred(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred,
                        size_t *cred_len, uint8_t *pub)
{
    const struct ace_peer *p = arg;
    for (size_t i = 0; i < p->num_creds; i++) {
        if (p->creds[i].sid_len == kid_len && memcmp(p->creds[i].sid, kid, kid_len) == 0) {
            memcpy(cred, p->creds[i].cred, p->creds[i].cred_len);
            *cred_len = p->creds[i].cred_len;
            memcpy(pub, p->creds[i].pub, 32);
            return true;
        }
    }
    return false;
}

/* add_creds records the members' credentials of a Join Response or a creds response. */
static void add_creds(struct ace_peer *p, const uint8_t *const *creds, const size_t *cred_lens,
                      const uint8_t *const *ids, const size_t *id_lens, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < p->num_creds && !(p->creds[k].sid_len == id_lens[i] &&
                                     memcmp(p->creds[k].sid, ids[i], id_lens[i]) == 0)) {
            k++;
        }
        if (k == 16 || id_lens[i] > 4 || cred_lens[i] > sizeof(p->creds[k].cred) ||
            !oscar_ace_ccs_pub(creds[i], cred_lens[i], p->creds[k].pub)) {
            continue;
        }
        memcpy(p->creds[k].sid, ids[i], id_lens[i]);
        p->creds[k].sid_len = id_lens[i];
        memcpy(p->creds[k].cred, creds[i], cred_lens[i]);
        p->creds[k].cred_len = cred_lens[i];
        p->num_creds += k == p->num_creds;
    }
}

/* take_creds records the credentials of a GET .../creds response {creds, peer_roles,
 * peer_identifiers} (RFC 9594 §4.4.1). */
static void take_creds(struct ace_peer *p, const uint8_t *resp, size_t rn)
{
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED &&
        m.code == OSCAR_COAP_CODE_CONTENT && m.has_payload) {
        /* {creds, peer_roles, peer_identifiers}: read through a Join Response's reader */
        static struct oscar_ace_join_info ci;
        struct oscar_cbor_reader r;
        struct oscar_cbor_item it, k, v;
        int64_t label;
        memset(&ci, 0, sizeof(ci));
        oscar_cbor_reader_init(&r, m.payload, m.payload_len);
        bool ok = oscar_cbor_read(&r, &it) && it.type == OSCAR_CBOR_MAP;
        for (uint64_t e = 0; ok && e < it.value; e++) {
            ok = oscar_cbor_read(&r, &k) && oscar_cbor_int(&k, &label) && oscar_cbor_read(&r, &v);
            if (ok && label == OSCAR_ACE_P_NUM) {
                continue; /* the version, before the three arrays (RFC 9594 §4.4.1) */
            }
            ok = ok && v.type == OSCAR_CBOR_ARRAY && v.value <= OSCAR_ACE_PEERS_MAX;
            for (uint64_t x = 0; ok && x < v.value; x++) {
                struct oscar_cbor_item b;
                ok = oscar_cbor_read(&r, &b);
                if (ok && label == OSCAR_ACE_P_CREDS && b.type == OSCAR_CBOR_BSTR) {
                    ci.creds[x] = b.data;
                    ci.cred_lens[x] = b.len;
                    ci.num_creds = x + 1;
                } else if (ok && label == OSCAR_ACE_P_PEER_IDENTIFIERS &&
                           b.type == OSCAR_CBOR_BSTR) {
                    ci.peer_ids[x] = b.data;
                    ci.peer_id_lens[x] = b.len;
                    ci.num_peer_ids = x + 1;
                }
            }
        }
        if (ok && ci.num_creds == ci.num_peer_ids) {
            add_creds(p, ci.creds, ci.cred_lens, ci.peer_ids, ci.peer_id_lens, ci.num_creds);
        }
    }
}

/* install_group (re)derives the Group OSCORE context from the stored material (KGO §6.4). */
static void install_group(struct ace_peer *p)
{
    struct oscar_group_params gp = {.master_secret = p->g_ms,
                                    .master_secret_len = p->g_ms_len,
                                    .master_salt = p->g_salt_len ? p->g_salt : NULL,
                                    .master_salt_len = p->g_salt_len,
                                    .gid = p->g_gid,
                                    .gid_len = p->g_gid_len,
                                    .group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
                                    .sig_alg = OSCAR_COSE_ALG_EDDSA,
                                    .aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
                                    .pairwise_alg = OSCAR_COSE_ALG_ECDH_SS_HKDF_256,
                                    .gm_cred = p->g_gm_cred,
                                    .gm_cred_len = p->g_gm_cred_len,
                                    .sender_id = p->g_sid,
                                    .sender_id_len = p->g_sid_len,
                                    .sender_priv = p->priv,
                                    .sender_cred = p->cred,
                                    .sender_cred_len = p->cred_len,
                                    .recipients = p->gslots,
                                    .recipients_cap = 16,
                                    .cred_lookup = member_cred,
                                    .cred_arg = p};
    if (p->has_gctx) {
        oscar_group_ctx_cleanup(&p->gctx);
    }
    memset(p->gslots, 0, sizeof(p->gslots));
    p->has_gctx = p->g_sid_len > 0 && oscar_group_ctx_init(&p->gctx, p->crypto, &gp) == OSCAR_OK;
}

/* joined keeps a Join Response's material and installs the group context. */
static void joined(struct ace_peer *p, const struct oscar_ace_join_info *info)
{
    if (info->ms_len > sizeof(p->g_ms) || info->gid_len > sizeof(p->g_gid) ||
        info->sid_len > sizeof(p->g_sid) || info->salt_len > sizeof(p->g_salt) ||
        info->kdc_cred_len > sizeof(p->g_gm_cred)) {
        return;
    }
    memcpy(p->g_ms, info->ms, info->ms_len);
    p->g_ms_len = info->ms_len;
    memcpy(p->g_gid, info->gid, info->gid_len);
    p->g_gid_len = info->gid_len;
    p->g_sid_len = info->has_sid ? info->sid_len : 0;
    if (p->g_sid_len > 0) {
        memcpy(p->g_sid, info->sid, p->g_sid_len);
    }
    p->g_salt_len = info->has_salt ? info->salt_len : 0;
    if (p->g_salt_len > 0) {
        memcpy(p->g_salt, info->salt, p->g_salt_len);
    }
    memcpy(p->g_gm_cred, info->kdc_cred, info->kdc_cred_len);
    p->g_gm_cred_len = info->kdc_cred_len;
    p->g_num = info->num;
    add_creds(p, info->creds, info->cred_lens, info->peer_ids, info->peer_id_lens, info->num_creds);
    install_group(p);
}

/* group_answer verifies a group request and answers it 2.05 in group mode (RFC 10021 §7.3). */
static void group_answer(struct ace_peer *p, const uint8_t *msg, size_t len,
                         const struct sockaddr_storage *from, socklen_t from_len)
{
    if (!p->has_gctx) {
        return;
    }
    enum oscar_oscore_verdict v;
    struct oscar_group_recipient *who;
    uint8_t dec[2 * MSG_MAX];
    size_t dn;
    struct oscar_group_exchange ex;
    enum oscar_err err =
        oscar_group_unprotect_request(&p->gctx, &v, &who, dec, sizeof(dec), &dn, &ex, msg, len);
    if (err == OSCAR_OK && v == OSCAR_OSCORE_NO_CONTEXT && p->has_jctx) {
        /* a sender whose credential this member lacks: ask the GM (RFC 9594 §4.4), retry */
        uint8_t resp[MSG_MAX];
        size_t rn;
        if (exchange(p, &p->gm_addr, p->gm_len, true, OSCAR_COAP_CODE_GET, "ace-group/g1/creds", -1,
                     NULL, 0, resp, &rn)) {
            take_creds(p, resp, rn);
        }
        err =
            oscar_group_unprotect_request(&p->gctx, &v, &who, dec, sizeof(dec), &dn, &ex, msg, len);
    }
    if (err != OSCAR_OK || v != OSCAR_OSCORE_ACCEPT) {
        fprintf(stderr, "joiner: a group request refused: %s\n", oscar_oscore_verdict_name(v));
        return;
    }
    struct oscar_coap_msg in;
    size_t off;
    if (oscar_coap_parse(&in, &off, dec, dn) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    uint8_t plain[MSG_MAX], out[MSG_MAX];
    static const uint8_t on[] = {'o', 'n'};
    size_t n = coap_build(plain, OSCAR_COAP_TYPE_NON, OSCAR_COAP_CODE_CONTENT, ++p->mid, in.token,
                          in.token_len, 0, NULL, -1, on, sizeof(on));
    size_t pn;
    if (n > 0 && oscar_group_protect_response(&p->gctx, OSCAR_GROUP_MODE_GROUP, false, out,
                                              sizeof(out), &pn, &ex, plain, n) == OSCAR_OK) {
        send_to(p, from, from_len, out, pn);
    }
}

/* is_group_message: the OSCORE option has the Group Flag (RFC 10021 §4). */
static bool is_group_message(const uint8_t *msg, size_t len)
{
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return false;
    }
    const struct oscar_coap_option *o = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE);
    return o != NULL && o->len > 0 && (o->value[0] & OSCAR_OSCORE_FLAG_GROUP) != 0;
}

/* recv_until waits for the next datagram until ms after t0: its length (from filled), or -1
 * once the time is up. */
static ssize_t recv_until(struct ace_peer *p, const struct timespec *t0, long ms, uint8_t *buf,
                          size_t cap, struct sockaddr_storage *from, socklen_t *from_len)
{
    for (;;) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long left =
            ms - (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
        struct pollfd pf = {p->fd, POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0) {
            return -1;
        }
        *from_len = sizeof(*from);
        ssize_t got = recvfrom(p->fd, buf, cap, 0, (struct sockaddr *)from, from_len);
        if (got > 0) {
            return got;
        }
    }
}

/* exchange sends a confirmable request (protected when ctx) to `to` and waits for its
 * piggybacked response, answering the GM's rekeying POSTs meanwhile; the decrypted (or plain)
 * response goes to resp. false on a timeout. */
static bool handle_push(struct ace_peer *p, const uint8_t *msg, size_t len,
                        const struct sockaddr_storage *from, socklen_t from_len);

static bool exchange(struct ace_peer *p, const struct sockaddr_storage *to, socklen_t to_len,
                     bool protect, uint8_t code, const char *path, long cf, const uint8_t *payload,
                     size_t len, uint8_t *resp, size_t *resp_len)
{
    uint8_t plain[MSG_MAX], wire[MSG_MAX];
    uint16_t mid = ++p->mid;
    uint8_t tok[4] = {(uint8_t)(mid >> 8), (uint8_t)mid, 0xac, 0xe0};
    size_t n = coap_build(plain, OSCAR_COAP_TYPE_CON, code, mid, tok, 4, OSCAR_COAP_OPT_URI_PATH,
                          path, cf, payload, len);
    size_t wn = n;
    struct oscar_oscore_exchange ex;
    protect = protect && p->has_jctx; /* no context (no token posted): the request goes plain */
    if (protect) {
        if (oscar_oscore_protect_request(&p->jctx, wire, sizeof(wire), &wn, &ex, NULL, plain, n) !=
            OSCAR_OK) {
            return false;
        }
    } else {
        memcpy(wire, plain, n);
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        send_to(p, to, to_len, wire, wn);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            uint8_t buf[MSG_MAX];
            struct sockaddr_storage from;
            socklen_t fl;
            ssize_t got = recv_until(p, &t0, RETRANSMIT_MS, buf, sizeof(buf), &from, &fl);
            if (got < 0) {
                break;
            }
            struct oscar_coap_msg m;
            size_t off;
            if (got <= 0 ||
                oscar_coap_parse(&m, &off, buf, (size_t)got) != OSCAR_COAP_WELL_FORMED) {
                continue;
            }
            if (oscar_coap_is_request(m.code)) {
                handle_push(p, buf, (size_t)got, &from, fl);
                continue;
            }
            if (m.token_len != 4 || memcmp(m.token, tok, 4) != 0) {
                continue;
            }
            if (protect && oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE) != NULL) {
                enum oscar_oscore_verdict v;
                if (oscar_oscore_unprotect_response(&p->jctx, &v, resp, MSG_MAX, resp_len, &ex, buf,
                                                    (size_t)got) != OSCAR_OK ||
                    v != OSCAR_OSCORE_ACCEPT) {
                    fprintf(stderr, "joiner: a response that does not verify\n");
                    continue;
                }
            } else {
                memcpy(resp, buf, (size_t)got);
                *resp_len = (size_t)got;
            }
            return true;
        }
    }
    return false;
}

/* handle_push takes a request from the GM: a rekeying message (KGO §11.1), answered 2.04. */
static bool handle_push(struct ace_peer *p, const uint8_t *msg, size_t len,
                        const struct sockaddr_storage *from, socklen_t from_len)
{
    if (is_group_message(msg, len)) {
        group_answer(p, msg, len, from, from_len);
        return true;
    }
    if (!p->has_jctx) {
        return false;
    }
    struct oscar_oscore_ctx *list[1] = {&p->jctx};
    enum oscar_oscore_verdict v;
    size_t idx;
    uint8_t dec[2 * MSG_MAX];
    size_t dn;
    struct oscar_oscore_exchange ex;
    if (oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &ex, msg, len) !=
            OSCAR_OK ||
        v != OSCAR_OSCORE_ACCEPT) {
        fprintf(stderr, "joiner: a request that does not verify\n");
        return false;
    }
    struct oscar_coap_msg in;
    size_t off;
    if (oscar_coap_parse(&in, &off, dec, dn) != OSCAR_COAP_WELL_FORMED) {
        return false;
    }
    static struct oscar_ace_join_info info;
    char why[256] = "";
    bool ok =
        in.has_payload && oscar_ace_join_info_read(in.payload, in.payload_len, OSCAR_ACE_REKEYING,
                                                   false, &info, why, sizeof(why));
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "rekey");
    cJSON_AddBoolToObject(e, "valid", ok);
    if (ok && info.num <= p->g_num) {
        ok = false; /* KGO §11.2: V' <= V is ignored */
        cJSON_AddStringToObject(e, "why", "not newer than the material in use: ignored");
    } else if (ok && info.num > p->g_num + 1 && !p->ignore_missed_rekey) {
        /* KGO §11.3: versions were missed; the stale Sender IDs since ours */
        uint8_t ver[9], resp[MSG_MAX];
        size_t vn, rn;
        struct oscar_cbor_writer w;
        oscar_cbor_writer_init(&w, ver, sizeof(ver));
        oscar_cbor_put_uint(&w, p->g_num);
        if (oscar_cbor_writer_finish(&w, &vn) == OSCAR_OK &&
            exchange(p, &p->gm_addr, p->gm_len, true, OSCAR_COAP_CODE_FETCH,
                     "ace-group/g1/stale-sids", OSCAR_CF_CBOR, ver, vn, resp, &rn)) {
            struct oscar_coap_msg sm;
            size_t soff;
            struct oscar_cbor_reader r;
            struct oscar_cbor_item arr, sid;
            if (oscar_coap_parse(&sm, &soff, resp, rn) == OSCAR_COAP_WELL_FORMED &&
                sm.has_payload) {
                oscar_cbor_reader_init(&r, sm.payload, sm.payload_len);
                if (oscar_cbor_read(&r, &arr) && arr.type == OSCAR_CBOR_ARRAY) {
                    for (uint64_t x = 0; x < arr.value && oscar_cbor_read(&r, &sid); x++) {
                        for (size_t k = 0; sid.type == OSCAR_CBOR_BSTR && k < p->num_creds; k++) {
                            if (p->creds[k].sid_len == sid.len &&
                                memcmp(p->creds[k].sid, sid.data, sid.len) == 0) {
                                p->creds[k] = p->creds[--p->num_creds];
                                break;
                            }
                        }
                    }
                }
            }
            cJSON_AddBoolToObject(e, "missed_rekeying", true);
        }
    }
    if (ok) {
        cJSON_AddNumberToObject(e, "num", (double)info.num);
        cJSON_AddNumberToObject(e, "stale", (double)info.num_stale);
        p->g_num = info.num;
        /* a rekeying caused by joins brings the newcomers' credentials (KGO §11.1) */
        add_creds(p, info.creds, info.cred_lens, info.peer_ids, info.peer_id_lens, info.num_creds);
        /* KGO §11.2: drop the stale members, then take the new material */
        for (size_t s = 0; s < info.num_stale; s++) {
            for (size_t k = 0; k < p->num_creds; k++) {
                if (p->creds[k].sid_len == info.stale_lens[s] &&
                    memcmp(p->creds[k].sid, info.stale[s], info.stale_lens[s]) == 0) {
                    p->creds[k] = p->creds[--p->num_creds];
                    break;
                }
            }
        }
        if (info.ms_len <= sizeof(p->g_ms) && info.gid_len <= sizeof(p->g_gid) &&
            p->g_sid_len > 0 && !p->ignore_rekey) {
            memcpy(p->g_ms, info.ms, info.ms_len);
            p->g_ms_len = info.ms_len;
            memcpy(p->g_gid, info.gid, info.gid_len);
            p->g_gid_len = info.gid_len;
            if (info.has_salt && info.salt_len <= sizeof(p->g_salt)) {
                memcpy(p->g_salt, info.salt, info.salt_len);
                p->g_salt_len = info.salt_len;
            }
            install_group(p);
        }
    } else {
        cJSON_AddStringToObject(e, "why", why);
    }
    peer_util_event(e);
    (void)from;
    (void)from_len;
    return ok;
}

static void step_event(int i, const char *op, uint8_t code, bool answered, const char *detail)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "event", "step");
    cJSON_AddNumberToObject(e, "step", i);
    cJSON_AddStringToObject(e, "op", op);
    char c[8] = "timeout";
    if (answered) {
        code_text(c, sizeof(c), code);
    }
    cJSON_AddStringToObject(e, "code", c);
    if (detail != NULL && detail[0] != '\0') {
        cJSON_AddStringToObject(e, "detail", detail);
    }
    peer_util_event(e);
}

/* run_step executes one step of the joiner's script. */
static void run_step(struct ace_peer *p, int i, const cJSON *st)
{
    const char *op = peer_util_get_str(st, "op");
    uint8_t resp[MSG_MAX];
    size_t rn = 0;
    uint8_t body[MSG_MAX];
    size_t bn = 0;
    char detail[256] = "";
    struct oscar_coap_msg m;
    size_t off;
    bool answered = false;
    if (op == NULL) {
        step_event(i, "?", 0, false, "a step without op");
        return;
    }
    uint64_t roles = (uint64_t)peer_util_get_int(st, "roles");
    if (strcmp(op, "token") == 0) {
        p->token_roles = roles;
        const char *aud = peer_util_get_str(st, "aud");
        if (oscar_as_token_request_write(p->name, aud != NULL ? aud : "gm", "g1", roles, NULL, body,
                                         sizeof(body), &bn) == OSCAR_OK) {
            answered = exchange(p, &p->as_addr, p->as_len, false, OSCAR_COAP_CODE_POST, "token",
                                OSCAR_CF_ACE_CBOR, body, bn, resp, &rn);
        }
        if (answered && oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED &&
            m.code == OSCAR_COAP_CODE_CREATED) {
            const uint8_t *tok;
            if (oscar_as_token_response_read(m.payload, m.payload_len, &tok, &p->token_len, &p->osc,
                                             detail, sizeof(detail)) &&
                p->token_len <= sizeof(p->token)) {
                memcpy(p->token, tok, p->token_len);
            }
        }
    } else if (strcmp(op, "update") == 0) {
        /* new access rights on the same OSCORE material (RFC 9203 §4.1): a token for it from
         * the AS (req_cnf {kid}), posted to /authz-info under the existing context */
        const char *aud = peer_util_get_str(st, "aud");
        bool got_token = false;
        if (oscar_as_token_update_write(p->name, aud != NULL ? aud : "gm", "g1", roles,
                                        p->osc.osc_id, p->osc.osc_id_len, body, sizeof(body),
                                        &bn) == OSCAR_OK &&
            exchange(p, &p->as_addr, p->as_len, false, OSCAR_COAP_CODE_POST, "token",
                     OSCAR_CF_ACE_CBOR, body, bn, resp, &rn) &&
            oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED &&
            m.code == OSCAR_COAP_CODE_CREATED) {
            const uint8_t *tok;
            struct oscar_ace_claims none;
            got_token = oscar_as_token_response_read(m.payload, m.payload_len, &tok, &p->token_len,
                                                     &none, detail, sizeof(detail)) &&
                        p->token_len <= sizeof(p->token);
            if (got_token) {
                memcpy(p->token, tok, p->token_len);
                p->token_roles = roles;
            }
        }
        if (got_token && oscar_ace_authz_request_write(p->token, p->token_len, NULL, 0, NULL, 0,
                                                       body, sizeof(body), &bn) == OSCAR_OK) {
            answered = exchange(p, &p->gm_addr, p->gm_len, true, OSCAR_COAP_CODE_POST, "authz-info",
                                OSCAR_CF_ACE_CBOR, body, bn, resp, &rn);
        } else if (!got_token && detail[0] == '\0') {
            snprintf(detail, sizeof(detail), "the AS gave no token for the update");
        }
    } else if (strcmp(op, "authz") == 0) {
        uint8_t n1[8];
        uint8_t id1[1] = {(uint8_t)(0x10 + (p->seed & 0x0f))};
        (void)oscar_ace_draw(p->crypto, p->seed, 1, "joiner n1", n1, sizeof(n1));
        bool corrupt = peer_util_get_int(st, "corrupt_token") != 0;
        if (corrupt && p->token_len > 0) {
            p->token[p->token_len - 1] ^= 1;
        }
        if (oscar_ace_authz_request_write(p->token, p->token_len, n1, 8, id1, 1, body, sizeof(body),
                                          &bn) == OSCAR_OK) {
            answered = exchange(p, &p->gm_addr, p->gm_len, false, OSCAR_COAP_CODE_POST,
                                "authz-info", OSCAR_CF_ACE_CBOR, body, bn, resp, &rn);
        }
        struct oscar_ace_authz_response ar;
        if (answered && oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED &&
            m.code == OSCAR_COAP_CODE_CREATED &&
            oscar_ace_authz_response_read(m.payload, m.payload_len, &ar, detail, sizeof(detail)) &&
            ar.n2 != NULL && ar.n_s != NULL && ar.n_s_len <= sizeof(p->n_s)) {
            struct oscar_ace_osc_params cp = {&p->osc, n1,        ar.n2, id1,       ar.id2,
                                              8,       ar.n2_len, 1,     ar.id2_len};
            memcpy(p->n_s, ar.n_s, ar.n_s_len);
            p->n_s_len = ar.n_s_len;
            p->has_gm_dh_pub = ar.kdc_dh_cred != NULL &&
                               oscar_ace_ccs_pub(ar.kdc_dh_cred, ar.kdc_dh_cred_len, p->gm_dh_pub);
            if (p->has_jctx) {
                oscar_oscore_ctx_cleanup(&p->jctx);
            }
            p->has_jctx = oscar_ace_osc_context(p->crypto, &cp, true, &p->jctx) == OSCAR_OK;
        }
    } else if (strcmp(op, "join") == 0) {
        (void)oscar_ace_draw(p->crypto, p->seed, 2 + (uint64_t)i, "joiner n_c", p->n_c, 8);
        struct oscar_ace_join_request rq = {.gname = "g1",
                                            .roles = roles,
                                            .get_creds = peer_util_get_int(st, "get_creds") != 0,
                                            .cred = (roles & 6) != 0 ? p->cred : NULL,
                                            .cred_len = p->cred_len,
                                            .priv = p->priv,
                                            .pub = p->pub,
                                            .n_s = p->n_s,
                                            .n_s_len = p->n_s_len,
                                            .n_c = p->n_c,
                                            .n_c_len = 8,
                                            .empty_pop = peer_util_get_int(st, "empty_pop") != 0};
        rq.gm_pub = p->has_gm_dh_pub ? p->gm_dh_pub : NULL; /* pairwise-only: the MAC */
        if (oscar_ace_join_request_write(p->crypto, &rq, body, sizeof(body), &bn) == OSCAR_OK) {
            if (peer_util_get_int(st, "corrupt_pop") != 0 && bn > 10) {
                body[bn - 5] ^= 0x01;
            }
            answered = exchange(p, &p->gm_addr, p->gm_len, true, OSCAR_COAP_CODE_POST,
                                "ace-group/g1", OSCAR_CF_ACE_GROUPCOMM_CBOR, body, bn, resp, &rn);
        }
        static struct oscar_ace_join_info info;
        if (answered && oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED &&
            (m.code == OSCAR_COAP_CODE_CREATED || m.code == OSCAR_COAP_CODE_CHANGED)) {
            oscar_coap_path(&m, OSCAR_COAP_OPT_LOCATION_PATH, p->node, sizeof(p->node));
            if (!oscar_ace_join_info_read(m.payload, m.payload_len, OSCAR_ACE_JOIN_RESPONSE,
                                          (roles & 6) == 0, &info, detail, sizeof(detail))) {
                /* detail says which field */
            } else if (!p->skip_kdc_pop_check &&
                       !(info.sign_alg == 0
                             ? oscar_ace_kdc_pop_verify_mac(p->crypto, &info, p->n_c, 8, p->priv)
                             : oscar_ace_kdc_pop_verify(p->crypto, &info, p->n_c, 8))) {
                snprintf(detail, sizeof(detail), "kdc_cred_verify does not verify: not joined");
                p->node[0] = '\0';
            } else {
                joined(p, &info);
            }
        }
    } else if (strcmp(op, "get") == 0 || strcmp(op, "renew") == 0 || strcmp(op, "leave") == 0 ||
               strcmp(op, "fetch") == 0) {
        const char *sub = peer_util_get_str(st, "path");
        char path[160];
        uint8_t code = strcmp(op, "get") == 0     ? OSCAR_COAP_CODE_GET
                       : strcmp(op, "renew") == 0 ? OSCAR_COAP_CODE_POST
                       : strcmp(op, "fetch") == 0 ? OSCAR_COAP_CODE_FETCH
                                                  : OSCAR_COAP_CODE_DELETE;
        if (strcmp(op, "renew") == 0 || strcmp(op, "leave") == 0 ||
            (sub != NULL && strcmp(sub, "node") == 0)) {
            snprintf(path, sizeof(path), "%s", p->node[0] ? p->node : "ace-group/g1/nodes/none");
        } else {
            snprintf(path, sizeof(path), "ace-group/g1%s%s", sub != NULL && sub[0] ? "/" : "",
                     sub != NULL ? sub : "");
        }
        /* FETCH payloads: stale-sids takes a version (0), kdc-cred our cnonce {6: N_C}, creds a
         * filter {4: [true, role_filter, []]}, groups (FETCH /ace-group) {0: [our Gid]} */
        uint8_t fetch[64] = {0};
        size_t fetch_len = code == OSCAR_COAP_CODE_FETCH ? 1 : 0;
        long fetch_cf = code == OSCAR_COAP_CODE_FETCH ? OSCAR_CF_CBOR : -1;
        if (code == OSCAR_COAP_CODE_FETCH && sub != NULL &&
            (strcmp(sub, "creds") == 0 || strcmp(sub, "groups") == 0)) {
            struct oscar_cbor_writer w;
            oscar_cbor_writer_init(&w, fetch, sizeof(fetch));
            oscar_cbor_put_map(&w, 1);
            if (strcmp(sub, "creds") == 0) {
                const cJSON *rf = cJSON_GetObjectItemCaseSensitive(st, "role_filter");
                oscar_cbor_put_uint(&w, OSCAR_ACE_P_GET_CREDS);
                oscar_cbor_put_array(&w, 3);
                oscar_cbor_put_raw(&w, (const uint8_t[]){0xf5}, 1);
                oscar_cbor_put_array(&w, (size_t)cJSON_GetArraySize(rf));
                const cJSON *x;
                cJSON_ArrayForEach(x, rf)
                {
                    oscar_cbor_put_uint(&w, cJSON_IsNumber(x) ? (uint64_t)x->valuedouble : 0);
                }
                oscar_cbor_put_array(&w, 0);
            } else {
                snprintf(path, sizeof(path), "ace-group");
                oscar_cbor_put_uint(&w, 0);
                oscar_cbor_put_array(&w, 1);
                oscar_cbor_put_bstr(&w, p->g_gid, p->g_gid_len);
            }
            if (oscar_cbor_writer_finish(&w, &fetch_len) != OSCAR_OK) {
                fetch_len = 0;
            }
            fetch_cf = OSCAR_CF_ACE_GROUPCOMM_CBOR;
        }
        if (code == OSCAR_COAP_CODE_FETCH && sub != NULL && strcmp(sub, "kdc-cred") == 0) {
            fetch[0] = 0xa1;
            fetch[1] = OSCAR_ACE_P_CNONCE;
            fetch[2] = 0x48;
            (void)oscar_ace_draw(p->crypto, p->seed, 100 + (uint64_t)i, "joiner fetch n_c",
                                 fetch + 3, 8);
            fetch_len = 11;
            fetch_cf = OSCAR_CF_ACE_GROUPCOMM_CBOR;
        }
        answered = exchange(p, &p->gm_addr, p->gm_len, true, code, path, fetch_cf, fetch, fetch_len,
                            resp, &rn);
        if (answered && sub != NULL && strcmp(sub, "creds") == 0) {
            take_creds(p, resp, rn);
        }
    } else if (strcmp(op, "cred") == 0) {
        /* a new authentication credential (RFC 9594 §4.9.1): a fresh key drawn from the seed,
         * proof of possession over the token's scope, N_S and a fresh N_C */
        uint8_t priv[32], pub[32], cred[128];
        size_t cred_len;
        uint8_t n_c[8];
        (void)oscar_ace_draw(p->crypto, p->seed, 200 + (uint64_t)i, "joiner new key", priv, 32);
        (void)oscar_ace_draw(p->crypto, p->seed, 300 + (uint64_t)i, "joiner cred n_c", n_c, 8);
        char path[160];
        snprintf(path, sizeof(path), "%s/cred", p->node[0] ? p->node : "ace-group/g1/nodes/none");
        struct oscar_ace_join_request rq = {.gname = "g1",
                                            .roles = p->token_roles,
                                            .cred = cred,
                                            .priv = priv,
                                            .pub = pub,
                                            .n_s = p->n_s,
                                            .n_s_len = p->n_s_len,
                                            .n_c = n_c,
                                            .n_c_len = 8};
        if (p->crypto->sig_public(OSCAR_COSE_ALG_EDDSA, priv, pub) == OSCAR_OK &&
            oscar_ace_ccs_write(p->name, pub, cred, sizeof(cred), &cred_len) == OSCAR_OK) {
            rq.cred_len = cred_len;
            if (oscar_ace_join_request_write(p->crypto, &rq, body, sizeof(body), &bn) == OSCAR_OK) {
                answered = exchange(p, &p->gm_addr, p->gm_len, true, OSCAR_COAP_CODE_POST, path,
                                    OSCAR_CF_ACE_GROUPCOMM_CBOR, body, bn, resp, &rn);
            }
        }
        if (answered && oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED &&
            m.code == OSCAR_COAP_CODE_CHANGED) {
            /* from now on the group hears this key */
            memcpy(p->priv, priv, 32);
            memcpy(p->pub, pub, 32);
            memcpy(p->cred, cred, cred_len);
            p->cred_len = cred_len;
            install_group(p);
        }
    } else if (strcmp(op, "group_request") == 0) {
        /* a group-mode GET to the multicast group; the verified responses are counted */
        const char *gpath = peer_util_get_str(st, "path");
        int wait_ms = peer_util_get_int(st, "wait_ms");
        uint8_t plain[MSG_MAX], prot[MSG_MAX];
        uint16_t mid = ++p->mid;
        uint8_t tok[4] = {(uint8_t)(mid >> 8), (uint8_t)mid, 0x60, 0x0d};
        size_t n =
            coap_build(plain, OSCAR_COAP_TYPE_NON, OSCAR_COAP_CODE_GET, mid, tok, 4,
                       OSCAR_COAP_OPT_URI_PATH, gpath != NULL ? gpath : "light", -1, NULL, 0);
        size_t pn;
        struct oscar_group_exchange gex;
        int responders = 0;
        if (!p->has_gctx || !p->has_group_addr ||
            oscar_group_protect_request(&p->gctx, OSCAR_GROUP_MODE_GROUP, NULL, 0, prot,
                                        sizeof(prot), &pn, &gex, plain, n) != OSCAR_OK) {
            step_event(i, op, 0, false, "not a member with a group context");
            return;
        }
        send_to(p, &p->group_addr, p->group_len, prot, pn);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
            uint8_t buf[MSG_MAX], dec[2 * MSG_MAX];
            struct sockaddr_storage from;
            socklen_t fl;
            ssize_t got =
                recv_until(p, &t0, wait_ms > 0 ? wait_ms : 500, buf, sizeof(buf), &from, &fl);
            if (got < 0) {
                break;
            }
            struct oscar_coap_msg rm;
            if (got <= 0 ||
                oscar_coap_parse(&rm, &off, buf, (size_t)got) != OSCAR_COAP_WELL_FORMED) {
                continue;
            }
            if (oscar_coap_is_request(rm.code)) {
                handle_push(p, buf, (size_t)got, &from, fl);
                continue;
            }
            enum oscar_oscore_verdict v;
            struct oscar_group_recipient *who;
            size_t dn;
            if (rm.token_len == 4 && memcmp(rm.token, tok, 4) == 0 &&
                oscar_group_unprotect_response(&p->gctx, &v, &who, dec, sizeof(dec), &dn, &gex, buf,
                                               (size_t)got) == OSCAR_OK &&
                v == OSCAR_OSCORE_ACCEPT) {
                responders++;
            }
        }
        snprintf(detail, sizeof(detail), "%d verified responses", responders);
        step_event(i, op, OSCAR_COAP_CODE_CONTENT, true, detail);
        return;
    } else if (strcmp(op, "wait") == 0) {
        int ms = peer_util_get_int(st, "ms");
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        uint8_t buf[MSG_MAX];
        struct sockaddr_storage from;
        socklen_t fl;
        ssize_t got;
        while ((got = recv_until(p, &t0, ms, buf, sizeof(buf), &from, &fl)) > 0) {
            handle_push(p, buf, (size_t)got, &from, fl);
        }
        step_event(i, op, OSCAR_COAP_CODE_EMPTY, true, "");
        return;
    } else {
        snprintf(detail, sizeof(detail), "unknown op %s", op);
    }
    uint8_t code = 0;
    if (answered && oscar_coap_parse(&m, &off, resp, rn) == OSCAR_COAP_WELL_FORMED) {
        code = m.code;
    }
    step_event(i, op, code, answered, detail);
}

/* --- main --- */

static bool load_keys(const cJSON *j, const char *key, uint8_t out[32])
{
    size_t n;
    return peer_util_get_hex(j, key, out, 32, &n) && n == 32;
}

static unsigned gm_fault(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } table[] = {{"accept-bad-pop", OSCAR_GM_FAULT_ACCEPT_BAD_POP},
                 {"reuse-sid", OSCAR_GM_FAULT_REUSE_SID},
                 {"omit-stale", OSCAR_GM_FAULT_OMIT_STALE},
                 {"allow-monitor-mix", OSCAR_GM_FAULT_ALLOW_MONITOR_MIX},
                 {"no-rekey-on-leave", OSCAR_GM_FAULT_NO_REKEY_ON_LEAVE},
                 {"sid-top-level", OSCAR_GM_FAULT_SID_TOP_LEVEL},
                 {"bad-kdc-pop", OSCAR_GM_FAULT_BAD_KDC_POP},
                 {"keep-old-cred", OSCAR_GM_FAULT_KEEP_OLD_CRED},
                 {"ignore-update", OSCAR_GM_FAULT_IGNORE_UPDATE}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(table[i].name, name) == 0) {
            return table[i].bit;
        }
    }
    return 0;
}

static int setup(struct ace_peer *p, const char *role, const cJSON *cfg)
{
    const cJSON *as = cJSON_GetObjectItemCaseSensitive(cfg, "as");
    const cJSON *gm = cJSON_GetObjectItemCaseSensitive(cfg, "gm");
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(cfg, "joiner");
    uint8_t token_key[16];
    size_t n;
    p->now = (uint64_t)peer_util_get_int(cfg, "now");
    if (!peer_util_get_hex(cfg, "token_key", token_key, sizeof(token_key), &n) || n != 16) {
        fprintf(stderr, "ace-peer: the config needs token_key (16 bytes hex)\n");
        return 1;
    }
    if (strcmp(role, "as") == 0) {
        p->as = calloc(1, sizeof(*p->as));
        uint8_t priv[32];
        if (p->as == NULL || !load_keys(as, "priv", priv) ||
            oscar_as_init(p->as, p->crypto, "as", priv, 3600) != OSCAR_OK) {
            fprintf(stderr, "ace-peer: as: priv (32 bytes hex) needed\n");
            return 1;
        }
        memcpy(p->as->token_key, token_key, 16);
        p->as->has_token_key = true;
        p->as->seed = p->seed;
        const cJSON *pol;
        cJSON_ArrayForEach(pol, cJSON_GetObjectItemCaseSensitive(as, "policies"))
        {
            if (p->as->num_policies == OSCAR_AS_POLICIES_MAX) {
                break;
            }
            struct oscar_as_policy *ap = &p->as->policies[p->as->num_policies++];
            const char *client = peer_util_get_str(pol, "client");
            snprintf(ap->client, sizeof(ap->client), "%s", client != NULL ? client : "");
            const char *aud = peer_util_get_str(pol, "aud");
            snprintf(ap->aud, sizeof(ap->aud), "%s", aud != NULL ? aud : "gm");
            snprintf(ap->gname, sizeof(ap->gname), "g1");
            ap->roles = (uint64_t)peer_util_get_int(pol, "roles");
        }
        return 0;
    }
    if (strcmp(role, "gm") == 0) {
        p->gm = calloc(1, sizeof(*p->gm));
        uint8_t priv[32], pub[32], cred[128];
        size_t cred_len;
        if (p->gm == NULL || !load_keys(gm, "priv", priv) ||
            p->crypto->sig_public(OSCAR_COSE_ALG_EDDSA, priv, pub) != OSCAR_OK ||
            oscar_ace_ccs_write("group-manager", pub, cred, sizeof(cred), &cred_len) != OSCAR_OK) {
            fprintf(stderr, "ace-peer: gm: priv (32 bytes hex) needed\n");
            return 1;
        }
        static const uint8_t no_as_pub[32] = {0};
        int sid_count = peer_util_get_int(gm, "sid_count");
        const cJSON *inactive = cJSON_GetObjectItemCaseSensitive(gm, "inactive");
        struct oscar_gm_config c = {.gname = "g1",
                                    .aud = "gm",
                                    .iss = "as",
                                    .as_pub = no_as_pub,
                                    .gm_priv = priv,
                                    .gm_cred = cred,
                                    .gm_cred_len = cred_len,
                                    .sid_first = 1,
                                    .sid_count = sid_count > 0 ? (unsigned)sid_count : 32,
                                    .inactive = cJSON_IsTrue(inactive),
                                    .exp = p->now + 3600,
                                    .seed = p->seed,
                                    .faults = p->gm_faults,
                                    .token_key = token_key};
        c.rekey_on_join = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gm, "rekey_on_join"));
        c.pairwise_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gm, "pairwise_only"));
        if (oscar_gm_init(p->gm, &c, p->crypto) != OSCAR_OK) {
            fprintf(stderr, "ace-peer: gm: bad configuration\n");
            return 1;
        }
        return 0;
    }
    const char *name = peer_util_get_str(jn, "name");
    const char *as_a = peer_util_get_str(jn, "as");
    const char *gm_a = peer_util_get_str(jn, "gm");
    snprintf(p->name, sizeof(p->name), "%s", name != NULL ? name : "joiner");
    const char *group_a = peer_util_get_str(jn, "group");
    p->has_group_addr =
        group_a != NULL && peer_util_parse_addr(&p->group_addr, &p->group_len, group_a);
    if (!load_keys(jn, "priv", p->priv) || as_a == NULL || gm_a == NULL ||
        !peer_util_parse_addr(&p->as_addr, &p->as_len, as_a) ||
        !peer_util_parse_addr(&p->gm_addr, &p->gm_len, gm_a) ||
        p->crypto->sig_public(OSCAR_COSE_ALG_EDDSA, p->priv, p->pub) != OSCAR_OK ||
        oscar_ace_ccs_write(p->name, p->pub, p->cred, sizeof(p->cred), &p->cred_len) != OSCAR_OK) {
        fprintf(stderr, "ace-peer: joiner: name, priv, as and gm addresses needed\n");
        return 1;
    }
    return 0;
}

int oscar_ace_peer_main(int argc, char **argv)
{
    const char *role = NULL;
    const char *config = NULL;
    const char *bind_addr = "127.0.0.1:0";
    int ready_fd = -1;
    static struct ace_peer p;
    p.crypto = oscar_crypto_wolfssl();
    static const struct option longopts[] = {
        {"role", required_argument, NULL, 'r'}, {"config", required_argument, NULL, 'c'},
        {"bind", required_argument, NULL, 'b'}, {"ready-fd", required_argument, NULL, 'f'},
        {"seed", required_argument, NULL, 'S'}, {"bug", required_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            role = optarg;
            break;
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
            p.seed = strtoull(optarg, NULL, 0);
            break;
        case 'B':
            if (strcmp(optarg, "skip-kdc-pop-check") == 0) {
                p.skip_kdc_pop_check = true;
            } else if (strcmp(optarg, "accept-replay") == 0) {
                p.accept_replay = true;
            } else if (strcmp(optarg, "ignore-rekey") == 0) {
                p.ignore_rekey = true;
            } else if (strcmp(optarg, "ignore-missed-rekey") == 0) {
                p.ignore_missed_rekey = true;
            } else if (gm_fault(optarg) != 0) {
                p.gm_faults |= gm_fault(optarg);
            } else {
                fprintf(stderr, "oscar-peer: unknown --bug %s for the ACE roles\n", optarg);
                return EXIT_USAGE;
            }
            break;
        default:
            printf("usage: oscar-peer --role as|gm|joiner --config FILE [--bind ADDR:PORT]\n"
                   "                  [--ready-fd N] [--seed N] [--bug NAME]...\n");
            return ch == 'h' ? 0 : EXIT_USAGE;
        }
    }
    cJSON *cfg = NULL;
    struct oscar_diag diag = {{0}};
    if (role == NULL || config == NULL || oscar_json_load_file(&cfg, config, &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar-peer: %s\n", config == NULL ? "--config needed" : diag.msg);
        return EXIT_USAGE;
    }
    if (setup(&p, role, cfg) != 0) {
        cJSON_Delete(cfg);
        return 1;
    }
    struct sockaddr_storage ss;
    unsigned port;
    p.fd = peer_util_bind("oscar-peer", bind_addr, &ss, &port);
    if (p.fd < 0) {
        cJSON_Delete(cfg);
        return 1;
    }
    peer_util_ready(ready_fd, port);
    bool joiner = strcmp(role, "joiner") == 0;
    if (joiner) {
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cfg, "joiner"), "steps");
        int i = 0;
        const cJSON *st;
        cJSON_ArrayForEach(st, steps)
        {
            run_step(&p, i++, st);
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "event", "done");
        peer_util_event(e);
    }
    /* serve until stdin closes (a joiner: take rekeying messages) */
    for (;;) {
        struct pollfd pf[2] = {{p.fd, POLLIN, 0}, {0, POLLIN, 0}};
        if (poll(pf, 2, 1000) < 0 && errno != EINTR) {
            break;
        }
        if (pf[1].revents & (POLLIN | POLLHUP)) {
            char line[256];
            if (read(0, line, sizeof(line)) <= 0) {
                break;
            }
        }
        if (!(pf[0].revents & POLLIN)) {
            continue;
        }
        uint8_t buf[MSG_MAX];
        struct sockaddr_storage from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(p.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        struct oscar_coap_msg m;
        size_t off;
        if (n <= 0 || oscar_coap_parse(&m, &off, buf, (size_t)n) != OSCAR_COAP_WELL_FORMED ||
            !oscar_coap_is_request(m.code)) {
            continue;
        }
        if (p.as != NULL) {
            as_request(&p, &m, &from, fl);
        } else if (p.gm != NULL) {
            gm_request(&p, buf, (size_t)n, &m, &from, fl);
        } else {
            handle_push(&p, buf, (size_t)n, &from, fl);
        }
    }
    cJSON_Delete(cfg);
    close(p.fd);
    free(p.as);
    free(p.gm);
    return 0;
}
