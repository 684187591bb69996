/* test_rules.c — every trace rule (harness/check/rules.c) against captures this test writes
 * itself from the reference core: a conformant conversation must raise nothing, and each
 * negative control — the same conversation with one deliberate non-conformance (a fault switch
 * of the core, or bytes the test forges) — must raise exactly that rule. */
#include <unistd.h>

#include "../check/rules.h"
#include "oscar/gm.h"
#include "oscar/oscore.h"
#include "otest.h"

#define BUF 1024

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t CLIENT_ID[1] = {0x00};
static const uint8_t SERVER_ID[1] = {0x01};

/* The client's view of the one association, as a contexts file would state it. */
static struct oscar_context_spec client_spec(void)
{
    static uint8_t secret[16];
    static uint8_t cid[1];
    static uint8_t sid[1];
    memcpy(secret, SECRET, 16);
    cid[0] = CLIENT_ID[0];
    sid[0] = SERVER_ID[0];
    struct oscar_context_spec s;
    memset(&s, 0, sizeof(s));
    snprintf(s.name, sizeof(s.name), "client");
    s.master_secret = (struct oscar_bytes_field){true, false, secret, 16};
    s.sender_id = (struct oscar_bytes_field){true, false, cid, 1};
    s.recipient_id = (struct oscar_bytes_field){true, false, sid, 1};
    s.aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    s.hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA256;
    return s;
}

struct trace {
    char path[256];
    struct oscar_pcap_writer *w;
    struct oscar_endpoint c;
    struct oscar_endpoint s;
    uint64_t t;
    struct oscar_oscore_ctx client;
    struct oscar_oscore_ctx server;
};

static void trace_open(struct trace *tr, uint32_t client_faults, uint32_t server_faults)
{
    snprintf(tr->path, sizeof(tr->path), "/tmp/oscar-test-rules-XXXXXX");
    int fd = mkstemp(tr->path);
    close(fd);
    struct oscar_diag d;
    OTEST_OK(oscar_pcap_writer_open(&tr->w, tr->path, &d));
    OTEST_OK(oscar_endpoint_parse(&tr->c, "127.0.0.1:40000"));
    OTEST_OK(oscar_endpoint_parse(&tr->s, "127.0.0.1:5683"));
    tr->t = UINT64_C(1700000000000000);
    struct oscar_oscore_params p = {
        .master_secret = SECRET,
        .master_secret_len = 16,
        .sender_id = CLIENT_ID,
        .sender_id_len = 1,
        .recipient_id = SERVER_ID,
        .recipient_id_len = 1,
    };
    OTEST_OK(oscar_oscore_ctx_init(&tr->client, oscar_crypto_wolfssl(), &p));
    p.sender_id = SERVER_ID;
    p.recipient_id = CLIENT_ID;
    OTEST_OK(oscar_oscore_ctx_init(&tr->server, oscar_crypto_wolfssl(), &p));
    tr->client.faults = client_faults;
    tr->server.faults = server_faults;
}

static void put(struct trace *tr, bool from_client, const uint8_t *msg, size_t len)
{
    tr->t += 1000;
    OTEST_OK(oscar_pcap_write_udp(tr->w, tr->t, from_client ? &tr->c : &tr->s,
                                  from_client ? &tr->s : &tr->c, msg, len));
}

static size_t plain_msg(uint8_t *out, uint8_t type, uint8_t code, uint16_t mid, uint8_t tok,
                        const char *path)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = type;
    m.code = code;
    m.mid = mid;
    m.token_len = 1;
    m.token[0] = tok;
    if (path != NULL) {
        OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)path,
                                       strlen(path)));
    }
    size_t n = 0;
    OTEST_OK(oscar_coap_serialize(out, BUF, &n, &m));
    return n;
}

/* exchange writes one protected request and its protected 2.05 response; returns the request. */
static void exchange_path(struct trace *tr, uint16_t mid, uint8_t tok, bool own_piv,
                          struct oscar_oscore_exchange *out_sex, const char *path)
{
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    uint8_t dec[2 * BUF];
    size_t n;
    size_t pn;
    size_t dn;
    n = plain_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_GET, mid, tok, path);
    struct oscar_oscore_exchange cex;
    OTEST_OK(oscar_oscore_protect_request(&tr->client, prot, BUF, &pn, &cex, NULL, plain, n));
    put(tr, true, prot, pn);
    struct oscar_oscore_ctx *list[1] = {&tr->server};
    enum oscar_oscore_verdict v;
    size_t idx;
    struct oscar_oscore_exchange sex;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &sex, prot, pn));
    if (v != OSCAR_OSCORE_ACCEPT) {
        return; /* a fault made the request unreadable: no response */
    }
    n = plain_msg(plain, OSCAR_COAP_TYPE_ACK, OSCAR_COAP_CODE_CONTENT, mid, tok, NULL);
    struct oscar_oscore_send_opts o = {.own_piv = own_piv};
    OTEST_OK(oscar_oscore_protect_response(&tr->server, prot, BUF, &pn, &sex, &o, plain, n));
    put(tr, false, prot, pn);
    if (out_sex != NULL) {
        *out_sex = sex;
    }
}

static void exchange(struct trace *tr, uint16_t mid, uint8_t tok, bool own_piv,
                     struct oscar_oscore_exchange *out_sex)
{
    exchange_path(tr, mid, tok, own_piv, out_sex, "hello");
}

/* judge closes the trace, checks it with opts (NULL: defaults) and returns the violated rule IDs
 * joined by spaces. */
static void judge(struct trace *tr, char *out, size_t cap, const struct oscar_rules_opts *opts)
{
    oscar_pcap_writer_close(tr->w);
    oscar_oscore_ctx_cleanup(&tr->client);
    oscar_oscore_ctx_cleanup(&tr->server);
    struct oscar_context_spec spec = client_spec();
    struct oscar_transcript t;
    struct oscar_diag d = {{0}};
    out[0] = '\0';
    if (oscar_transcript_decode(&t, tr->path, &spec, 1, NULL, 0, &d) != OSCAR_OK) {
        snprintf(out, cap, "decode error: %.400s", d.msg);
        unlink(tr->path);
        return;
    }
    struct oscar_violation v[32];
    size_t nv = 0;
    if (oscar_rules_check(v, 32, &nv, &t, opts) != OSCAR_OK) {
        fprintf(stderr, "%s: the rules could not run\n", tr->path);
        abort();
    }
    size_t len = 0;
    for (size_t i = 0; i < nv; i++) {
        /* each rule once, in order of first appearance */
        bool seen = false;
        for (size_t k = 0; k < i; k++) {
            seen = seen || v[k].rule == v[i].rule;
        }
        if (!seen) {
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " " : "", v[i].rule->id);
        }
    }
    oscar_transcript_free(&t);
    unlink(tr->path);
}

#define EXPECT_RULES_OPTS(tr, opts, want)                                                          \
    do {                                                                                           \
        char got_[512];                                                                            \
        judge((tr), got_, sizeof(got_), (opts));                                                   \
        OTEST_EQ_BYTES((want), strlen(want), got_, strlen(got_));                                  \
    } while (0)
#define EXPECT_RULES(tr, want) EXPECT_RULES_OPTS(tr, NULL, want)

static void test_conformant_trace_is_clean(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    exchange(&tr, 1, 0xa1, false, NULL);
    exchange(&tr, 2, 0xa2, true, NULL);
    /* a CoAP retransmission (same bytes) is neither a replay nor a nonce reuse */
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    size_t n = plain_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_GET, 3, 0xa3, "x");
    size_t pn;
    OTEST_OK(oscar_oscore_protect_request(&tr.client, prot, BUF, &pn, NULL, NULL, plain, n));
    put(&tr, true, prot, pn);
    put(&tr, true, prot, pn);
    /* plain CoAP alongside is fine */
    n = plain_msg(plain, OSCAR_COAP_TYPE_NON, OSCAR_COAP_CODE_GET, 4, 0xa4, "coap");
    put(&tr, true, plain, n);
    EXPECT_RULES(&tr, "");
}

static void test_coap_well_formed(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    static const uint8_t bad[] = {0x40, 0x01, 0x00, 0x01, 0xff}; /* marker, no payload */
    put(&tr, true, bad, sizeof(bad));
    EXPECT_RULES(&tr, "COAP-3-WELL-FORMED");
}

static void test_option_rules(void)
{
    static const uint32_t faults[] = {OSCAR_FAULT_RESERVED_FLAGS, OSCAR_FAULT_NONMINIMAL_PIV};
    for (size_t i = 0; i < 2; i++) {
        struct trace tr;
        trace_open(&tr, faults[i], 0);
        exchange(&tr, 1, 0xa1, false, NULL);
        EXPECT_RULES(&tr, "OSCORE-6.1-OPTION");
    }
}

static void test_request_without_kid(void)
{
    struct trace tr;
    trace_open(&tr, OSCAR_FAULT_NO_KID, 0);
    exchange(&tr, 1, 0xa1, false, NULL);
    /* the request cannot be decoded at all, so nothing else is said about it */
    EXPECT_RULES(&tr, "OSCORE-5-REQUEST-PIV-KID");
}

static void test_outer_code(void)
{
    struct trace tr;
    trace_open(&tr, OSCAR_FAULT_WRONG_OUTER_CODE, 0);
    exchange(&tr, 1, 0xa1, false, NULL);
    EXPECT_RULES(&tr, "OSCORE-4.2-OUTER-CODE");
    trace_open(&tr, 0, OSCAR_FAULT_WRONG_OUTER_CODE);
    exchange(&tr, 1, 0xa1, false, NULL);
    EXPECT_RULES(&tr, "OSCORE-4.2-OUTER-CODE");
}

static void test_class_e_outer(void)
{
    struct trace tr;
    trace_open(&tr, OSCAR_FAULT_CLASS_E_OUTER, 0);
    exchange(&tr, 1, 0xa1, false, NULL);
    EXPECT_RULES(&tr, "OSCORE-4.1-CLASS-E-OUTER");
}

static void test_nonce_reuse(void)
{
    struct trace tr;
    trace_open(&tr, OSCAR_FAULT_REUSE_PIV, OSCAR_FAULT_ACCEPT_REPLAY);
    exchange(&tr, 1, 0xa1, false, NULL);
    /* same PIV, a different request: a different ciphertext under the same key and nonce (the
     * same plaintext again would give the same ciphertext, which a trace cannot tell from an
     * attacker's replay: that case is OSCORE-7.4-REPLAY-ANSWERED's) */
    exchange_path(&tr, 2, 0xa2, false, NULL, "other");
    EXPECT_RULES(&tr, "OSCORE-7.2-NONCE-REUSE OSCORE-7.4-REPLAY-ANSWERED");
}

static void test_replay_answered(void)
{
    /* an attacker replays the first request with a new Message ID; a faulty server answers */
    struct trace tr;
    trace_open(&tr, 0, OSCAR_FAULT_ACCEPT_REPLAY);
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    uint8_t dec[2 * BUF];
    size_t n = plain_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_GET, 1, 0xa1, "hello");
    size_t pn;
    size_t dn;
    OTEST_OK(oscar_oscore_protect_request(&tr.client, prot, BUF, &pn, NULL, NULL, plain, n));
    put(&tr, true, prot, pn);
    for (int k = 0; k < 2; k++) {
        if (k == 1) {
            prot[3] ^= 0x40; /* new Message ID: not a retransmission */
            put(&tr, true, prot, pn);
        }
        struct oscar_oscore_ctx *list[1] = {&tr.server};
        enum oscar_oscore_verdict v;
        size_t idx;
        struct oscar_oscore_exchange sex;
        OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &sex,
                                                prot, pn));
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
        uint8_t rp[BUF];
        uint8_t rprot[BUF];
        size_t rn = plain_msg(rp, OSCAR_COAP_TYPE_ACK, OSCAR_COAP_CODE_CONTENT,
                              prot[2] << 8 | prot[3], 0xa1, NULL);
        struct oscar_oscore_send_opts o = {.own_piv = true};
        size_t rpn;
        OTEST_OK(oscar_oscore_protect_response(&tr.server, rprot, BUF, &rpn, &sex, &o, rp, rn));
        put(&tr, false, rprot, rpn);
    }
    EXPECT_RULES(&tr, "OSCORE-7.4-REPLAY-ANSWERED");
    /* the conformant server answers the replay with an unprotected 4.01: no violation */
    trace_open(&tr, 0, 0);
    n = plain_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_GET, 1, 0xa1, "hello");
    OTEST_OK(oscar_oscore_protect_request(&tr.client, prot, BUF, &pn, NULL, NULL, plain, n));
    put(&tr, true, prot, pn);
    prot[3] ^= 0x40;
    put(&tr, true, prot, pn);
    struct oscar_coap_msg req;
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&req, &off, prot, pn));
    uint8_t err[BUF];
    size_t en;
    OTEST_OK(oscar_oscore_error_response(err, BUF, &en, OSCAR_OSCORE_REPLAY, &req, false, 0));
    put(&tr, false, err, en);
    EXPECT_RULES(&tr, "");
}

static void test_undecryptable(void)
{
    struct trace tr;
    trace_open(&tr, OSCAR_FAULT_WRONG_EXTERNAL_AAD, OSCAR_FAULT_WRONG_EXTERNAL_AAD);
    exchange(&tr, 1, 0xa1, false, NULL);
    /* both ends share the bug and interoperate; the trace shows they are not RFC 8613 */
    EXPECT_RULES(&tr, "OSCORE-8-VERIFIES");
}

/* register_observe writes the client's protected Observe registration GET /obs (mid, token tok)
 * and returns its bytes in prot (BUF) and its exchange in *cex (may be NULL). */
static void register_observe(struct trace *tr, uint16_t mid, uint8_t tok, uint8_t *prot, size_t *pn,
                             struct oscar_oscore_exchange *cex)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_CON;
    m.code = OSCAR_COAP_CODE_GET;
    m.mid = mid;
    m.token_len = 1;
    m.token[0] = tok;
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OBSERVE, NULL, 0));
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"obs", 3));
    uint8_t plain[BUF];
    size_t n;
    OTEST_OK(oscar_coap_serialize(plain, BUF, &n, &m));
    OTEST_OK(oscar_oscore_protect_request(&tr->client, prot, BUF, pn, cex, NULL, plain, n));
    put(tr, true, prot, *pn);
}

/* observe_exchange writes a registration and two notifications; the second with its own
 * Partial IV when conformant, else (the fault) with the request nonce again. */
static void observe_exchange(struct trace *tr, bool conformant)
{
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    uint8_t dec[2 * BUF];
    size_t pn;
    size_t dn;
    size_t n;
    struct oscar_coap_msg m;
    register_observe(tr, 7, 0xb7, prot, &pn, NULL);
    struct oscar_oscore_ctx *list[1] = {&tr->server};
    enum oscar_oscore_verdict v;
    size_t idx;
    struct oscar_oscore_exchange sex;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &sex, prot, pn));
    struct oscar_oscore_exchange copy = sex;
    for (int k = 0; k < 2; k++) {
        memset(&m, 0, sizeof(m));
        m.version = OSCAR_COAP_VERSION;
        m.type = k == 0 ? OSCAR_COAP_TYPE_ACK : OSCAR_COAP_TYPE_NON;
        m.code = OSCAR_COAP_CODE_CONTENT;
        m.mid = (uint16_t)(7 + 100 * k);
        m.token_len = 1;
        m.token[0] = 0xb7;
        uint8_t obs[1] = {(uint8_t)(k + 1)};
        OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OBSERVE, obs, 1));
        m.has_payload = true;
        m.payload = (const uint8_t *)(k == 0 ? "one" : "two");
        m.payload_len = 3;
        OTEST_OK(oscar_coap_serialize(plain, BUF, &n, &m));
        struct oscar_oscore_send_opts o = {.own_piv = k == 1 && conformant};
        /* the fault: a second response under a fresh copy of the exchange, request nonce again */
        struct oscar_oscore_exchange *ex = k == 1 && !conformant ? &copy : &sex;
        OTEST_OK(oscar_oscore_protect_response(&tr->server, prot, BUF, &pn, ex, &o, plain, n));
        put(tr, false, prot, pn);
    }
}

static void test_response_piv(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    observe_exchange(&tr, true);
    EXPECT_RULES(&tr, "");
    trace_open(&tr, 0, 0);
    observe_exchange(&tr, false);
    EXPECT_RULES(&tr, "OSCORE-4.1.3.5-RESPONSE-PIV OSCORE-7.2-NONCE-REUSE");
}

static void test_success_protected(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    size_t n = plain_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_GET, 9, 0xc9, "hello");
    size_t pn;
    OTEST_OK(oscar_oscore_protect_request(&tr.client, prot, BUF, &pn, NULL, NULL, plain, n));
    put(&tr, true, prot, pn);
    n = plain_msg(plain, OSCAR_COAP_TYPE_ACK, OSCAR_COAP_CODE_CONTENT, 9, 0xc9, NULL);
    put(&tr, false, plain, n); /* an unprotected 2.05 to an OSCORE request */
    EXPECT_RULES(&tr, "OSCORE-8.3-SUCCESS-PROTECTED");
}

/* forge_request encrypts a hand-made plaintext (code, options, payload) as an OSCORE request of
 * the client with Partial IV piv and writes it: bytes a conformant sender would never produce. */
static void forge_request(struct trace *tr, const uint8_t *pt, size_t pt_len, uint8_t piv,
                          const struct oscar_coap_msg *outer_extra)
{
    const uint8_t pivb[1] = {piv};
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    OTEST_OK(
        oscar_oscore_nonce(nonce, tr->client.alg, tr->client.common_iv, CLIENT_ID, 1, pivb, 1));
    uint8_t arr[64];
    size_t arr_len;
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OTEST_OK(
        oscar_oscore_aad_array(arr, sizeof(arr), &arr_len, 10, CLIENT_ID, 1, pivb, 1, NULL, 0));
    OTEST_OK(oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, arr, arr_len));
    uint8_t ct[BUF];
    OTEST_OK(tr->client.crypto->aead_seal(&tr->client.sender.aead, ct, sizeof(ct), nonce, aad,
                                          aad_len, pt, pt_len));
    struct oscar_coap_msg m;
    if (outer_extra != NULL) {
        m = *outer_extra;
    } else {
        memset(&m, 0, sizeof(m));
        m.version = OSCAR_COAP_VERSION;
        m.type = OSCAR_COAP_TYPE_CON;
        m.code = OSCAR_COAP_CODE_POST;
        m.mid = piv;
        m.token_len = 1;
        m.token[0] = piv;
    }
    const uint8_t opt[3] = {0x09, piv, CLIENT_ID[0]};
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OSCORE, opt, 3));
    m.has_payload = true;
    m.payload = ct;
    m.payload_len = pt_len + tr->client.alg->tag_len;
    uint8_t wire[BUF];
    size_t n;
    OTEST_OK(oscar_coap_serialize(wire, BUF, &n, &m));
    put(tr, true, wire, n);
}

static void test_class_u_inner(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    /* GET with Uri-Host "h" encrypted inside (option 3, length 1) */
    static const uint8_t pt[] = {OSCAR_COAP_CODE_GET, 0x31, 'h'};
    forge_request(&tr, pt, sizeof(pt), 5, NULL);
    EXPECT_RULES(&tr, "OSCORE-4.1-CLASS-U-INNER");
}

static void test_observe_inner_outer(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    /* inner Observe 0 (registration), outer Observe 1: the values must be equal */
    static const uint8_t pt[] = {OSCAR_COAP_CODE_GET, 0x60};
    struct oscar_coap_msg outer;
    memset(&outer, 0, sizeof(outer));
    outer.version = OSCAR_COAP_VERSION;
    outer.type = OSCAR_COAP_TYPE_CON;
    outer.code = OSCAR_COAP_CODE_FETCH;
    outer.mid = 6;
    outer.token_len = 1;
    outer.token[0] = 6;
    static const uint8_t one[1] = {1};
    OTEST_OK(oscar_coap_add_option(&outer, OSCAR_COAP_OPT_OBSERVE, one, 1));
    forge_request(&tr, pt, sizeof(pt), 6, &outer);
    EXPECT_RULES(&tr, "OSCORE-4.1.3.5-OBSERVE");
}

/* test_notification_inner_observe: a registration from the core, then a notification forged with
 * the value 1 in its encrypted Observe (§4.1.3.5.2 wants it empty; the value travels outside). */
static void test_notification_inner_observe(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    size_t n;
    size_t pn;
    struct oscar_oscore_exchange cex;
    register_observe(&tr, 8, 0xb8, prot, &pn, &cex);
    struct oscar_coap_msg m;
    /* 2.05, Observe 1 inside (option 6, length 1), payload "x"; first response: the request's
     * nonce and no Partial IV of its own */
    static const uint8_t pt[] = {OSCAR_COAP_CODE_CONTENT, 0x61, 0x01, 0xff, 'x'};
    uint8_t arr[64];
    size_t arr_len;
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OTEST_OK(oscar_oscore_aad_array(arr, sizeof(arr), &arr_len, 10, cex.request_kid,
                                    cex.request_kid_len, cex.request_piv, cex.request_piv_len, NULL,
                                    0));
    OTEST_OK(oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, arr, arr_len));
    uint8_t ct[BUF];
    OTEST_OK(tr.server.crypto->aead_seal(&tr.server.sender.aead, ct, sizeof(ct), cex.request_nonce,
                                         aad, aad_len, pt, sizeof(pt)));
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_ACK;
    m.code = OSCAR_COAP_CODE_CONTENT;
    m.mid = 8;
    m.token_len = 1;
    m.token[0] = 0xb8;
    static const uint8_t one[1] = {1};
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OBSERVE, one, 1));
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OSCORE, NULL, 0));
    m.has_payload = true;
    m.payload = ct;
    m.payload_len = sizeof(pt) + tr.server.alg->tag_len;
    OTEST_OK(oscar_coap_serialize(plain, BUF, &n, &m));
    put(&tr, false, plain, n);
    EXPECT_RULES(&tr, "OSCORE-4.1.3.5-OBSERVE");
}

/* protect_get protects GET /hello (mid and token from n) as the client's next request. */
static size_t protect_get(struct trace *tr, uint8_t *prot, unsigned n)
{
    uint8_t plain[BUF];
    size_t len = plain_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_GET, (uint16_t)n, (uint8_t)n,
                           "hello");
    size_t pn;
    OTEST_OK(oscar_oscore_protect_request(&tr->client, prot, BUF, &pn, NULL, NULL, plain, len));
    return pn;
}

/* answer has the server read request prot and write its protected 2.05, or the unprotected
 * 4.01 "Replay detected" when replay_detected. */
static void answer(struct trace *tr, const uint8_t *prot, size_t pn, bool replay_detected)
{
    struct oscar_coap_msg req;
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&req, &off, prot, pn));
    uint8_t out[BUF];
    size_t on;
    if (replay_detected) {
        OTEST_OK(oscar_oscore_error_response(out, BUF, &on, OSCAR_OSCORE_REPLAY, &req, false, 0));
        put(tr, false, out, on);
        return;
    }
    uint8_t dec[2 * BUF];
    size_t dn;
    struct oscar_oscore_ctx *list[1] = {&tr->server};
    enum oscar_oscore_verdict v;
    size_t idx;
    struct oscar_oscore_exchange sex;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &sex, prot, pn));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    uint8_t plain[BUF];
    size_t n =
        plain_msg(plain, OSCAR_COAP_TYPE_ACK, OSCAR_COAP_CODE_CONTENT, req.mid, req.token[0], NULL);
    OTEST_OK(oscar_oscore_protect_response(&tr->server, out, BUF, &on, &sex, NULL, plain, n));
    put(tr, false, out, on);
}

static void test_piv_order(void)
{
    /* the client protects two requests and sends the second (Partial IV 1) first */
    uint8_t a[BUF];
    uint8_t b[BUF];
    for (int tolerant = 0; tolerant < 2; tolerant++) {
        struct trace tr;
        trace_open(&tr, 0, 0);
        size_t an = protect_get(&tr, a, 1);
        size_t bn = protect_get(&tr, b, 2);
        put(&tr, true, b, bn);
        put(&tr, true, a, an);
        /* captured mid-network with 2 ms of possible reordering: the swap is not the sender's */
        struct oscar_rules_opts o = {2000, 2000, OSCAR_RULES_DEFAULT_REPLAY_WINDOW};
        EXPECT_RULES_OPTS(&tr, tolerant ? &o : NULL, tolerant ? "" : "OSCORE-7.2-PIV-INCREASING");
    }
}

/* old_request_trace: request 0 is held back (an attacker delays it) while 40 later ones are
 * answered, then delivered; the server answers it with a 2.05 (faulty) or "Replay detected". */
static void old_request_trace(struct trace *tr, bool faulty)
{
    trace_open(tr, 0, faulty ? OSCAR_FAULT_ACCEPT_REPLAY : 0);
    uint8_t held[BUF];
    size_t hn = protect_get(tr, held, 100);
    for (unsigned k = 1; k <= 40; k++) {
        exchange(tr, (uint16_t)k, (uint8_t)k, false, NULL);
    }
    put(tr, true, held, hn);
    answer(tr, held, hn, !faulty);
}

static void test_replay_window(void)
{
    /* the relay delayed it: the capture is in the server's order, not in the client's */
    struct oscar_rules_opts relay = {UINT64_C(3600000000), 0, OSCAR_RULES_DEFAULT_REPLAY_WINDOW};
    struct trace tr;
    old_request_trace(&tr, true);
    EXPECT_RULES_OPTS(&tr, &relay, "OSCORE-7.4-REPLAY-WINDOW");
    old_request_trace(&tr, false);
    EXPECT_RULES_OPTS(&tr, &relay, "");
    /* a window of 64 holds Partial IV 0 next to 40: the 2.05 is then allowed */
    relay.replay_window = 64;
    old_request_trace(&tr, true);
    EXPECT_RULES_OPTS(&tr, &relay, "");
    /* captured on the client's host, the late request is the client's own fault too */
    old_request_trace(&tr, true);
    EXPECT_RULES(&tr, "OSCORE-7.2-PIV-INCREASING OSCORE-7.4-REPLAY-WINDOW");
    /* a request the window never saw, rejected as a replay */
    trace_open(&tr, 0, 0);
    exchange(&tr, 1, 1, false, NULL);
    exchange(&tr, 2, 2, false, NULL);
    uint8_t p[BUF];
    size_t pn = protect_get(&tr, p, 3);
    put(&tr, true, p, pn);
    answer(&tr, p, pn, true);
    EXPECT_RULES(&tr, "OSCORE-7.4-REPLAY-WINDOW");
}

static void test_outer_max_age(void)
{
    /* an unprotected 4.01 to an OSCORE request with Max-Age 60 (only 0 keeps caches off it) */
    for (int zero = 0; zero < 2; zero++) {
        struct trace tr;
        trace_open(&tr, 0, 0);
        uint8_t p[BUF];
        size_t pn = protect_get(&tr, p, 1);
        put(&tr, true, p, pn);
        struct oscar_coap_msg m;
        memset(&m, 0, sizeof(m));
        m.version = OSCAR_COAP_VERSION;
        m.type = OSCAR_COAP_TYPE_ACK;
        m.code = OSCAR_COAP_CODE(4, 1);
        m.mid = 1;
        m.token_len = 1;
        m.token[0] = 1;
        static const uint8_t sixty[1] = {60};
        OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_MAX_AGE, sixty, zero ? 0 : 1));
        uint8_t out[BUF];
        size_t on;
        OTEST_OK(oscar_coap_serialize(out, BUF, &on, &m));
        put(&tr, false, out, on);
        EXPECT_RULES(&tr, zero ? "" : "OSCORE-4.1.3.1-OUTER-MAX-AGE");
    }
    /* an OSCORE request whose outer Max-Age is 5: the end-to-end value went out in the clear */
    struct trace tr;
    trace_open(&tr, 0, 0);
    static const uint8_t pt[] = {OSCAR_COAP_CODE_GET};
    struct oscar_coap_msg outer;
    memset(&outer, 0, sizeof(outer));
    outer.version = OSCAR_COAP_VERSION;
    outer.type = OSCAR_COAP_TYPE_CON;
    outer.code = OSCAR_COAP_CODE_POST;
    outer.mid = 7;
    outer.token_len = 1;
    outer.token[0] = 7;
    static const uint8_t five[1] = {5};
    OTEST_OK(oscar_coap_add_option(&outer, OSCAR_COAP_OPT_MAX_AGE, five, 1));
    forge_request(&tr, pt, sizeof(pt), 7, &outer);
    EXPECT_RULES(&tr, "OSCORE-4.1.3.1-OUTER-MAX-AGE");
}

/* --- ACE Group Manager messages, produced by the reference GM (impl/ref/ace) --- */

/* ace_msg writes a CoAP message: path segments (Uri-Path for requests, Location-Path for
 * responses, separated by '/'), Content-Format cf (-1: none), payload. */
static size_t ace_msg(uint8_t *out, uint8_t type, uint8_t code, uint16_t mid, uint8_t tok,
                      const char *path, long cf, const uint8_t *payload, size_t len)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = type;
    m.code = code;
    m.mid = mid;
    m.token_len = 1;
    m.token[0] = tok;
    uint16_t opt =
        oscar_coap_is_request(code) ? OSCAR_COAP_OPT_URI_PATH : OSCAR_COAP_OPT_LOCATION_PATH;
    for (const char *seg = path; seg != NULL && *seg != '\0';) {
        size_t n = strcspn(seg, "/");
        OTEST_OK(oscar_coap_add_option(&m, opt, (const uint8_t *)seg, n));
        seg += n + (seg[n] == '/');
    }
    uint8_t cfb[2] = {(uint8_t)(cf >> 8), (uint8_t)cf};
    if (cf >= 0) {
        OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_CONTENT_FORMAT, cf > 255 ? cfb : cfb + 1,
                                       cf > 255 ? 2 : 1));
    }
    m.has_payload = len > 0;
    m.payload = payload;
    m.payload_len = len;
    size_t n = 0;
    OTEST_OK(oscar_coap_serialize(out, BUF, &n, &m));
    return n;
}

/* ace_exchange writes an OSCORE-protected request from the client (the joining node) and its
 * protected response from the server (the Group Manager). */
static void ace_exchange(struct trace *tr, uint16_t mid, uint8_t method, const char *path,
                         const uint8_t *rq, size_t rq_len, uint8_t code, const char *location,
                         long cf, const uint8_t *rs, size_t rs_len)
{
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    uint8_t dec[2 * BUF];
    size_t n, pn, dn;
    n = ace_msg(plain, OSCAR_COAP_TYPE_CON, method, mid, (uint8_t)mid, path,
                rq_len > 0 ? OSCAR_CF_ACE_GROUPCOMM_CBOR : -1, rq, rq_len);
    OTEST_OK(oscar_oscore_protect_request(&tr->client, prot, BUF, &pn, NULL, NULL, plain, n));
    put(tr, true, prot, pn);
    struct oscar_oscore_ctx *list[1] = {&tr->server};
    enum oscar_oscore_verdict v;
    size_t idx;
    struct oscar_oscore_exchange sex;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &sex, prot, pn));
    n = ace_msg(plain, OSCAR_COAP_TYPE_ACK, code, mid, (uint8_t)mid, location, cf, rs, rs_len);
    OTEST_OK(oscar_oscore_protect_response(&tr->server, prot, BUF, &pn, &sex, NULL, plain, n));
    put(tr, false, prot, pn);
}

/* gm_push writes a request from the Group Manager to the member (a rekeying message to its
 * control_uri), protected the other way round. */
static void gm_push(struct trace *tr, uint16_t mid, const uint8_t *payload, size_t len)
{
    uint8_t plain[BUF];
    uint8_t prot[BUF];
    size_t n = ace_msg(plain, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_POST, mid, 0x77, "grp-rekey",
                       OSCAR_CF_ACE_GROUPCOMM_CBOR, payload, len);
    size_t pn;
    OTEST_OK(oscar_oscore_protect_request(&tr->server, prot, BUF, &pn, NULL, NULL, plain, n));
    put(tr, false, prot, pn);
}

static struct oscar_gm ACE_GM;

/* ace_conversation: two nodes join the reference GM (faults), the first reads the key
 * distribution, the second leaves and the first gets the rekeying message; written to tr. */
static void ace_conversation(struct trace *tr, unsigned faults)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    static const uint8_t as_priv[32] = {0x44}, gm_priv[32] = {0x33};
    uint8_t as_pub[32], pub[2][32], priv[2][32] = {{1}, {2}};
    OTEST_OK(c->sig_public(OSCAR_COSE_ALG_EDDSA, as_priv, as_pub));
    struct oscar_gm_config cfg = {.gname = "g1",
                                  .aud = "gm",
                                  .iss = "as",
                                  .as_pub = as_pub,
                                  .gm_priv = gm_priv,
                                  .gm_cred = (const uint8_t *)"\xa0",
                                  .gm_cred_len = 1,
                                  .sid_first = 1,
                                  .sid_count = 8,
                                  .exp = 2000000000,
                                  .seed = 5,
                                  .faults = faults};
    OTEST_OK(oscar_gm_init(&ACE_GM, &cfg, c));
    static struct oscar_gm_outgoing outbox[4];
    oscar_gm_set_outbox(&ACE_GM, outbox, 4);
    static struct oscar_gm_response rs;
    char nodes[2][96];
    for (int k = 0; k < 2; k++) {
        OTEST_OK(c->sig_public(OSCAR_COSE_ALG_EDDSA, priv[k], pub[k]));
        struct oscar_ace_claims cl = {.exp = 2000000000};
        snprintf(cl.iss, sizeof(cl.iss), "as");
        snprintf(cl.aud, sizeof(cl.aud), "gm");
        struct oscar_ace_scope_entry e = {"g1", 6};
        OTEST_OK(oscar_ace_scope_encode(cl.scope, sizeof(cl.scope), &cl.scope_len, &e, 1));
        memcpy(cl.cnf_pub, pub[k], 32);
        cl.cnf_pub_len = 32;
        uint8_t tok[512], cred[128], rq[512];
        size_t tn, cn, rn;
        OTEST_OK(oscar_ace_cwt_sign(c, as_priv, as_pub, &cl, tok, sizeof(tok), &tn));
        int client = oscar_gm_authz_info(&ACE_GM, tok, tn, 1900000000, &rs);
        OTEST_EQ_INT(k, client);
        OTEST_OK(oscar_ace_ccs_write("n", pub[k], cred, sizeof(cred), &cn));
        uint8_t n_c[8] = {(uint8_t)k, 9, 9, 9, 9, 9, 9, 9};
        struct oscar_ace_join_request jr = {.gname = "g1",
                                            .roles = 6,
                                            .cred = cred,
                                            .cred_len = cn,
                                            .priv = priv[k],
                                            .pub = pub[k],
                                            .n_s = rs.payload + 4,
                                            .n_s_len = 8,
                                            .n_c = n_c,
                                            .n_c_len = 8};
        OTEST_OK(oscar_ace_join_request_write(c, &jr, rq, sizeof(rq), &rn));
        oscar_gm_handle(&ACE_GM, client, 1900000000, OSCAR_COAP_CODE_POST, "ace-group/g1", rq, rn,
                        &rs);
        OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, rs.code);
        snprintf(nodes[k], sizeof(nodes[k]), "%s", rs.location);
        ace_exchange(tr, (uint16_t)(10 + k), OSCAR_COAP_CODE_POST, "ace-group/g1", rq, rn, rs.code,
                     rs.location, rs.content_format, rs.payload, rs.len);
    }
    oscar_gm_handle(&ACE_GM, 0, 1900000000, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, &rs);
    ace_exchange(tr, 12, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, rs.code, NULL,
                 rs.content_format, rs.payload, rs.len);
    /* member 0 deleting member 1's node: 4.03 */
    oscar_gm_handle(&ACE_GM, 0, 1900000000, OSCAR_COAP_CODE_DELETE, nodes[1], NULL, 0, &rs);
    OTEST_EQ_INT(OSCAR_COAP_CODE(4, 3), rs.code);
    ace_exchange(tr, 13, OSCAR_COAP_CODE_DELETE, nodes[1], NULL, 0, rs.code, NULL,
                 rs.content_format, rs.payload, rs.len);
    oscar_gm_handle(&ACE_GM, 1, 1900000000, OSCAR_COAP_CODE_DELETE, nodes[1], NULL, 0, &rs);
    OTEST_EQ_INT(OSCAR_COAP_CODE_DELETED, rs.code);
    if (ACE_GM.outbox_len > 0) {
        gm_push(tr, 14, outbox[0].payload, outbox[0].len);
    }
}

static void test_ace_messages(void)
{
    struct trace tr;
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, 0);
    EXPECT_RULES(&tr, "");
    /* the GM's faults: the Sender ID at top level, no stale_node_ids */
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, OSCAR_GM_FAULT_SID_TOP_LEVEL);
    EXPECT_RULES(&tr, "ACE-KGO-6.3-JOIN-RESPONSE");
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, OSCAR_GM_FAULT_OMIT_STALE);
    EXPECT_RULES(&tr, "ACE-KGO-11.1-REKEYING");
    /* forged: a Join Request without cnonce; a Join Response without Location-Path; a Key
     * Distribution response with a Sender ID; problem details of the wrong shape */
    static const uint8_t no_cnonce[] = {0xa1, 0x03, 0x45, 0x82, 0x62, 0x67, 0x31, 0x06};
    static const uint8_t bad_problem[] = {0xa1, 0x00, 0x03}; /* {0: 3}, not {0: {0: 3}} */
    static const uint8_t good_problem[] = {0xa1, 0x00, 0xa1, 0x00, 0x03};
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, 0);
    ace_exchange(&tr, 20, OSCAR_COAP_CODE_POST, "ace-group/g1", no_cnonce, sizeof(no_cnonce),
                 OSCAR_COAP_CODE_BAD_REQUEST, NULL, OSCAR_CF_PROBLEM_DETAILS_CBOR, good_problem,
                 sizeof(good_problem));
    EXPECT_RULES(&tr, "ACE-9594-4.3.1-JOIN-REQUEST");
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, 0);
    ace_exchange(&tr, 20, OSCAR_COAP_CODE_POST, "ace-group/g1", no_cnonce + 0, 0,
                 OSCAR_COAP_CODE_BAD_REQUEST, NULL, OSCAR_CF_PROBLEM_DETAILS_CBOR, bad_problem,
                 sizeof(bad_problem));
    EXPECT_RULES(&tr, "ACE-9594-4.1.2-PROBLEM-DETAILS");
    /* a join answered with a key distribution's payload (no Sender ID, no kdc_*), and a GET
     * answered with a Join Response's (with a Sender ID) */
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, 0);
    static struct oscar_gm_response rs;
    oscar_gm_handle(&ACE_GM, 0, 1900000000, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, &rs);
    uint8_t rq[] = {0xa2, 0x03, 0x45, 0x82, 0x62, 0x67, 0x31, 0x06, 0x06, 0x41, 0x00};
    ace_exchange(&tr, 21, OSCAR_COAP_CODE_POST, "ace-group/g1", rq, sizeof(rq),
                 OSCAR_COAP_CODE_CREATED, "ace-group/g1/nodes/x", rs.content_format, rs.payload,
                 rs.len);
    EXPECT_RULES(&tr, "ACE-KGO-6.3-JOIN-RESPONSE");
    /* a key distribution response with a group_SenderId put into its key */
    trace_open(&tr, 0, 0);
    ace_conversation(&tr, 0);
    oscar_gm_handle(&ACE_GM, 0, 1900000000, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, &rs);
    uint8_t forged[OSCAR_GM_PAYLOAD_MAX];
    OTEST_CHECK(rs.len > 8 && rs.payload[4] == 0xaa); /* {7: 1, 8: {10 entries}, ...} */
    memcpy(forged, rs.payload, 5);
    forged[4] = 0xab;
    forged[5] = OSCAR_ACE_K_GROUP_SENDER_ID;
    forged[6] = 0x41;
    forged[7] = 0x01;
    memcpy(forged + 8, rs.payload + 5, rs.len - 5);
    ace_exchange(&tr, 22, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, OSCAR_COAP_CODE_CONTENT,
                 NULL, OSCAR_CF_ACE_GROUPCOMM_CBOR, forged, rs.len + 3);
    EXPECT_RULES(&tr, "ACE-KGO-9.1.1-KEY-DISTRIBUTION");
}

/* plain_exchange writes an unprotected request (CF 19) and its 2.01 answer (CF 19). */
static void plain_exchange(struct trace *tr, uint16_t mid, const char *path, const uint8_t *rq,
                           size_t rq_len, const uint8_t *rs, size_t rs_len)
{
    uint8_t msg[BUF];
    size_t n = ace_msg(msg, OSCAR_COAP_TYPE_CON, OSCAR_COAP_CODE_POST, mid, (uint8_t)mid, path,
                       OSCAR_CF_ACE_CBOR, rq, rq_len);
    put(tr, true, msg, n);
    n = ace_msg(msg, OSCAR_COAP_TYPE_ACK, OSCAR_COAP_CODE_CREATED, mid, (uint8_t)mid, NULL,
                OSCAR_CF_ACE_CBOR, rs, rs_len);
    put(tr, false, msg, n);
}

static void test_ace_oauth(void)
{
    /* /authz-info {1: token, 40: N1, 43: h'01'}; answers {42: N2, 44: ID2, 46: N_S} */
    static const uint8_t authz[] = {0xa3, 0x01, 0x42, 0xde, 0xad, 0x18, 0x28,
                                    0x41, 0x07, 0x18, 0x2b, 0x41, 0x01};
    static const uint8_t ok_rs[] = {0xa3, 0x18, 0x2a, 0x41, 0x09, 0x18, 0x2c,
                                    0x42, 0x00, 0x01, 0x18, 0x2e, 0x41, 0x05};
    static const uint8_t same_id[] = {0xa3, 0x18, 0x2a, 0x41, 0x09, 0x18, 0x2c,
                                      0x41, 0x01, 0x18, 0x2e, 0x41, 0x05};
    static const uint8_t no_id2[] = {0xa2, 0x18, 0x2a, 0x41, 0x09, 0x18, 0x2e, 0x41, 0x05};
    /* /token {...}; answers {1: token, 2: 3600} */
    static const uint8_t tok_rq[] = {0xa1, 0x18, 0x21, 0x02};
    static const uint8_t tok_ok[] = {0xa2, 0x01, 0x42, 0xde, 0xad, 0x02, 0x19, 0x0e, 0x10};
    static const uint8_t tok_no_exp[] = {0xa1, 0x01, 0x42, 0xde, 0xad};
    struct trace tr;
    trace_open(&tr, 0, 0);
    plain_exchange(&tr, 1, "token", tok_rq, sizeof(tok_rq), tok_ok, sizeof(tok_ok));
    plain_exchange(&tr, 2, "authz-info", authz, sizeof(authz), ok_rs, sizeof(ok_rs));
    EXPECT_RULES(&tr, "");
    trace_open(&tr, 0, 0);
    plain_exchange(&tr, 2, "authz-info", authz, sizeof(authz), same_id, sizeof(same_id));
    EXPECT_RULES(&tr, "ACE-9203-4.2-AUTHZ-INFO");
    trace_open(&tr, 0, 0);
    plain_exchange(&tr, 2, "authz-info", authz, sizeof(authz), no_id2, sizeof(no_id2));
    EXPECT_RULES(&tr, "ACE-9203-4.2-AUTHZ-INFO");
    trace_open(&tr, 0, 0);
    plain_exchange(&tr, 1, "token", tok_rq, sizeof(tok_rq), tok_no_exp, sizeof(tok_no_exp));
    EXPECT_RULES(&tr, "ACE-9200-5.8.2-TOKEN-RESPONSE");
}

static void test_catalogue(void)
{
    /* every rule in the catalogue has an ID, a section and a summary, and a test above */
    static const char *const tested[] = {
        "COAP-3-WELL-FORMED",           "OSCORE-6.1-OPTION",
        "OSCORE-5-REQUEST-PIV-KID",     "OSCORE-4.2-OUTER-CODE",
        "OSCORE-4.1-CLASS-E-OUTER",     "OSCORE-7.2-NONCE-REUSE",
        "OSCORE-7.4-REPLAY-ANSWERED",   "OSCORE-8-VERIFIES",
        "OSCORE-8.3-SUCCESS-PROTECTED", "OSCORE-4.1.3.5-RESPONSE-PIV",
        "OSCORE-4.1-CLASS-U-INNER",     "OSCORE-4.1.3.5-OBSERVE",
        "OSCORE-7.2-PIV-INCREASING",    "OSCORE-7.4-REPLAY-WINDOW",
        "OSCORE-4.1.3.1-OUTER-MAX-AGE", "ACE-9594-4.3.1-JOIN-REQUEST",
        "ACE-KGO-6.3-JOIN-RESPONSE",    "ACE-KGO-9.1.1-KEY-DISTRIBUTION",
        "ACE-KGO-11.1-REKEYING",        "ACE-9594-4.1.2-PROBLEM-DETAILS",
        "ACE-9203-4.2-AUTHZ-INFO",      "ACE-9200-5.8.2-TOKEN-RESPONSE"};
    size_t n = 0;
    for (const struct oscar_rule *r = oscar_rules(); r->id != NULL; r++, n++) {
        OTEST_CHECK(r->rfc != NULL && r->summary != NULL);
        bool found = false;
        for (size_t i = 0; i < sizeof(tested) / sizeof(tested[0]); i++) {
            found = found || strcmp(tested[i], r->id) == 0;
        }
        if (!found) {
            fprintf(stderr, "    rule %s has no negative control\n", r->id);
        }
        OTEST_CHECK(found);
    }
    OTEST_EQ_INT(sizeof(tested) / sizeof(tested[0]), n);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_conformant_trace_is_clean);
    OTEST_RUN(test_coap_well_formed);
    OTEST_RUN(test_option_rules);
    OTEST_RUN(test_request_without_kid);
    OTEST_RUN(test_outer_code);
    OTEST_RUN(test_class_e_outer);
    OTEST_RUN(test_nonce_reuse);
    OTEST_RUN(test_replay_answered);
    OTEST_RUN(test_undecryptable);
    OTEST_RUN(test_response_piv);
    OTEST_RUN(test_success_protected);
    OTEST_RUN(test_class_u_inner);
    OTEST_RUN(test_observe_inner_outer);
    OTEST_RUN(test_notification_inner_observe);
    OTEST_RUN(test_piv_order);
    OTEST_RUN(test_replay_window);
    OTEST_RUN(test_outer_max_age);
    OTEST_RUN(test_ace_messages);
    OTEST_RUN(test_ace_oauth);
    OTEST_RUN(test_catalogue);
    return otest_finish();
}
