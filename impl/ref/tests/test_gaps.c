/* test_gaps.c — protect and verify cases found missing by mutation testing: Echo handling after a
 * reboot (RFC 8613 Appendix B.1.2), sequence-number persistence (B.1.1), notification replay
 * (§7.4.1), Security Context matching (§8.2), OSCORE option and Outer Code checks (§2, §4.2,
 * §6.1), plaintext decoding (§5.3), buffer sizes, context limits (§3.2, §5.2) and Observe
 * (§4.1.3.5). Each case names the section it enforces. */
#include "oscar/oscore.h"
#include "otest.h"

#define BUF 2048

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t CLIENT_ID[1] = {0x00};
static const uint8_t SERVER_ID[1] = {0x01};
static const uint8_t ECHO[8] = {0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8};

struct pair {
    struct oscar_oscore_ctx client;
    struct oscar_oscore_ctx server;
};

/* pair_init sets up client (ID 00) and server (ID 01) without ID Context; window 0 = default. */
static void pair_init(struct pair *p, size_t window)
{
    struct oscar_oscore_params c = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .sender_id = CLIENT_ID,
        .sender_id_len = 1,
        .recipient_id = SERVER_ID,
        .recipient_id_len = 1,
        .replay_window = window,
    };
    OTEST_OK(oscar_oscore_ctx_init(&p->client, oscar_crypto_wolfssl(), &c));
    c.sender_id = SERVER_ID;
    c.recipient_id = CLIENT_ID;
    OTEST_OK(oscar_oscore_ctx_init(&p->server, oscar_crypto_wolfssl(), &c));
}

static void pair_cleanup(struct pair *p)
{
    oscar_oscore_ctx_cleanup(&p->client);
    oscar_oscore_ctx_cleanup(&p->server);
}

/* msg_start begins a message: MID 0x1234, token 0xa1a2. */
static void msg_start(struct oscar_coap_msg *m, uint8_t code, uint8_t type)
{
    memset(m, 0, sizeof(*m));
    m->version = OSCAR_COAP_VERSION;
    m->type = type;
    m->code = code;
    m->mid = 0x1234;
    m->token_len = 2;
    m->token[0] = 0xa1;
    m->token[1] = 0xa2;
}

static void add(struct oscar_coap_msg *m, uint16_t number, const void *value, size_t len)
{
    OTEST_OK(oscar_coap_add_option(m, number, (const uint8_t *)value, len));
}

static size_t encode(uint8_t *out, const struct oscar_coap_msg *m)
{
    size_t n = 0;
    OTEST_OK(oscar_coap_serialize(out, BUF, &n, m));
    return n;
}

static void parse(struct oscar_coap_msg *m, const uint8_t *buf, size_t len)
{
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(m, &off, buf, len));
}

/* plain_request is a PUT to /light, with an Echo option when echo != NULL (even an empty one). */
static size_t plain_request(uint8_t *out, const uint8_t *echo, size_t echo_len)
{
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_PUT, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_URI_PATH, "light", 5);
    if (echo != NULL) {
        add(&m, OSCAR_COAP_OPT_ECHO, echo, echo_len);
    }
    m.has_payload = true;
    m.payload = (const uint8_t *)"on";
    m.payload_len = 2;
    return encode(out, &m);
}

/* observe_request is a GET with Observe value obs (RFC 7641: 0 registers, 1 deregisters). */
static size_t observe_request(uint8_t *out, uint32_t obs)
{
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    uint8_t v[4];
    size_t v_len = oscar_coap_uint_encode(v, obs);
    add(&m, OSCAR_COAP_OPT_OBSERVE, v, v_len);
    add(&m, OSCAR_COAP_OPT_URI_PATH, "temp", 4);
    return encode(out, &m);
}

/* plain_response is a 2.05 with payload "22", with Observe value obs when observe is set. */
static size_t plain_response(uint8_t *out, bool observe, uint32_t obs)
{
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_NON);
    uint8_t v[4]; /* the option borrows it until encode */
    if (observe) {
        size_t v_len = oscar_coap_uint_encode(v, obs);
        add(&m, OSCAR_COAP_OPT_OBSERVE, v, v_len);
    }
    m.has_payload = true;
    m.payload = (const uint8_t *)"22";
    m.payload_len = 2;
    return encode(out, &m);
}

static void protect_req(struct pair *p, uint8_t *prot, size_t *prot_len,
                        struct oscar_oscore_exchange *cex, const uint8_t *req, size_t req_len)
{
    OTEST_OK(
        oscar_oscore_protect_request(&p->client, prot, BUF, prot_len, cex, NULL, req, req_len));
}

static enum oscar_oscore_verdict server_recv(struct oscar_oscore_ctx *server,
                                             struct oscar_oscore_exchange *sex, const uint8_t *msg,
                                             size_t len)
{
    struct oscar_oscore_ctx *list[1] = {server};
    uint8_t out[2 * BUF];
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, sex, msg, len));
    return v;
}

/* client_recv verifies a response; the decrypted message goes to out/out_len when out != NULL. */
static enum oscar_oscore_verdict client_recv(struct pair *p, struct oscar_oscore_exchange *cex,
                                             const uint8_t *msg, size_t len, uint8_t *out,
                                             size_t *out_len)
{
    uint8_t tmp[2 * BUF];
    size_t n = 0;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(oscar_oscore_unprotect_response(&p->client, &v, tmp, sizeof(tmp), &n, cex, msg, len));
    if (out != NULL) {
        memcpy(out, tmp, n);
        *out_len = n;
    }
    return v;
}

/* request_roundtrip protects req at the client and verifies it at the server: must ACCEPT. */
static void request_roundtrip(struct pair *p, const uint8_t *req, size_t req_len,
                              struct oscar_oscore_exchange *cex, struct oscar_oscore_exchange *sex)
{
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(p, prot, &prot_len, cex, req, req_len);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p->server, sex, prot, prot_len));
}

/* notify protects a notification with Observe value (seq & 0xFFFFFF); with own_piv the server's
 * Sender Sequence Number is set to seq first, so the notification carries Partial IV seq. */
static size_t notify(struct pair *p, struct oscar_oscore_exchange *sex, uint8_t *out, bool own_piv,
                     uint64_t seq)
{
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, true, (uint32_t)(seq & 0xFFFFFF));
    struct oscar_oscore_send_opts opts = {.own_piv = own_piv};
    if (own_piv) {
        p->server.sender.seq = seq;
    }
    size_t n = 0;
    OTEST_OK(oscar_oscore_protect_response(&p->server, out, BUF, &n, sex, &opts, plain, plen));
    return n;
}

/* find_index returns the index of the first option number in m (m->num_options if none). */
static size_t find_index(const struct oscar_coap_msg *m, uint16_t number)
{
    size_t i = 0;
    while (i < m->num_options && m->options[i].number != number) {
        i++;
    }
    return i;
}

/* with_oscore_value re-encodes msg with its OSCORE option value replaced by value. Neither the
 * option value nor the Outer Code is integrity-protected (§5.4: only kid and Partial IV enter the
 * AAD), so what a receiver makes of the result is decided by its checks alone. */
static size_t with_oscore_value(uint8_t *out, const uint8_t *msg, size_t len, const uint8_t *value,
                                size_t value_len)
{
    struct oscar_coap_msg m;
    parse(&m, msg, len);
    size_t i = find_index(&m, OSCAR_COAP_OPT_OSCORE);
    OTEST_CHECK(i < m.num_options);
    if (i < m.num_options) {
        m.options[i].value = value;
        m.options[i].len = (uint16_t)value_len;
    }
    return encode(out, &m);
}

/* with_code re-encodes msg with a different Outer Code. */
static size_t with_code(uint8_t *out, const uint8_t *msg, size_t len, uint8_t code)
{
    struct oscar_coap_msg m;
    parse(&m, msg, len);
    m.code = code;
    return encode(out, &m);
}

/* echo_request protects a PUT carrying Echo (if echo != NULL) and returns the server's verdict. */
static enum oscar_oscore_verdict echo_request(struct pair *p, struct oscar_oscore_exchange *sex,
                                              const uint8_t *echo, size_t echo_len, uint8_t *prot,
                                              size_t *prot_len)
{
    uint8_t req[BUF];
    size_t req_len = plain_request(req, echo, echo_len);
    protect_req(p, prot, prot_len, NULL, req, req_len);
    return server_recv(&p->server, sex, prot, *prot_len);
}

/* challenge answers the request of sex with the protected 4.01 + Echo of Appendix B.1.2. */
static void challenge(struct pair *p, struct oscar_oscore_exchange *sex, const uint8_t *echo,
                      size_t echo_len)
{
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    struct oscar_coap_msg dreq;
    parse(&dreq, req, req_len);
    uint8_t out[BUF];
    size_t n;
    OTEST_OK(oscar_oscore_echo_challenge(&p->server, out, BUF, &n, sex, &dreq, echo, echo_len, 7));
}

/* ---------------------------------------------------------------- Appendix B.1.2: Echo --- */

static void test_b12_empty_echo_without_challenge(void)
{
    /* RFC 8613 Appendix B.1.2: only a request echoing the value the server sent is fresh. Before
     * any challenge there is nothing to echo, so an empty Echo option proves nothing. */
    struct pair p;
    pair_init(&p, 0);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 0));
    struct oscar_oscore_exchange sex;
    uint8_t prot[BUF];
    size_t prot_len;
    static const uint8_t empty[1] = {0};
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED,
                 echo_request(&p, &sex, empty, 0, prot, &prot_len));
    OTEST_CHECK(!p.server.recipient.replay.valid);
    pair_cleanup(&p);
}

static void test_b12_echo_must_equal_challenge(void)
{
    /* RFC 8613 Appendix B.1.2 (RFC 9175 §2.4): the Echo value must be exactly the one sent:
     * not another value of the same length, not the challenge with a byte appended or removed. */
    struct pair p;
    pair_init(&p, 0);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 0));
    struct oscar_oscore_exchange sex;
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, echo_request(&p, &sex, NULL, 0, prot, &prot_len));
    challenge(&p, &sex, ECHO, sizeof(ECHO));
    uint8_t wrong[sizeof(ECHO)];
    memcpy(wrong, ECHO, sizeof(ECHO));
    wrong[sizeof(ECHO) - 1] ^= 0x01;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED,
                 echo_request(&p, &sex, wrong, sizeof(wrong), prot, &prot_len));
    uint8_t longer[sizeof(ECHO) + 1];
    memcpy(longer, ECHO, sizeof(ECHO));
    longer[sizeof(ECHO)] = 0x00;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED,
                 echo_request(&p, &sex, longer, sizeof(longer), prot, &prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED,
                 echo_request(&p, &sex, ECHO, sizeof(ECHO) - 1, prot, &prot_len));
    OTEST_CHECK(!p.server.recipient.replay.valid);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, echo_request(&p, &sex, ECHO, sizeof(ECHO), prot, &prot_len));
    OTEST_CHECK(p.server.recipient.replay.valid);
    pair_cleanup(&p);
}

static void test_b12_unverified_request_needs_own_piv(void)
{
    /* RFC 8613 Appendix B.1.2: the server cannot replay-protect a request received while its
     * window is invalid, so the response to it MUST NOT reuse the request's nonce (§7.2). */
    struct pair p;
    pair_init(&p, 0);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 0));
    struct oscar_oscore_exchange sex;
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, echo_request(&p, &sex, NULL, 0, prot, &prot_len));
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, false, 0);
    uint8_t out[BUF];
    size_t n;
    OTEST_ERR(OSCAR_ERR_NONCE_REUSE,
              oscar_oscore_protect_response(&p.server, out, BUF, &n, &sex, NULL, plain, plen));
    struct oscar_oscore_send_opts own = {.own_piv = true};
    OTEST_OK(oscar_oscore_protect_response(&p.server, out, BUF, &n, &sex, &own, plain, plen));
    pair_cleanup(&p);
}

static void test_b12_window_64_echo_request_not_replayable(void)
{
    /* RFC 8613 Appendix B.1.2: the Partial IV of the Echo-verified request becomes the lower
     * limit of the window, so that request itself counts as received (§7.4) — also with a
     * 64-bit window, where the whole first word is set at once. */
    struct pair p;
    pair_init(&p, 64);
    OTEST_EQ_INT(64, p.server.recipient.replay.size);
    uint8_t old[BUF];
    size_t old_len;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, echo_request(&p, NULL, NULL, 0, old, &old_len));
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 0));
    OTEST_EQ_INT(64, p.server.recipient.replay.size);
    struct oscar_oscore_exchange sex;
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, echo_request(&p, &sex, NULL, 0, prot, &prot_len));
    challenge(&p, &sex, ECHO, sizeof(ECHO));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, echo_request(&p, &sex, ECHO, sizeof(ECHO), prot, &prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, server_recv(&p.server, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, server_recv(&p.server, NULL, old, old_len));
    pair_cleanup(&p);
}

static void test_b12_challenge_forgotten_on_reboot(void)
{
    /* RFC 8613 Appendix B.1.2: a challenge sent before a second reboot is not a proof of
     * freshness after it: the Echo state goes with the rest of the volatile state. */
    struct pair p;
    pair_init(&p, 0);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 0));
    struct oscar_oscore_exchange sex;
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, echo_request(&p, &sex, NULL, 0, prot, &prot_len));
    challenge(&p, &sex, ECHO, sizeof(ECHO));
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 100));
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED,
                 echo_request(&p, &sex, ECHO, sizeof(ECHO), prot, &prot_len));
    pair_cleanup(&p);
}

static void test_b12_echo_challenge_length(void)
{
    /* RFC 8613 Appendix B.1.2 with RFC 9175 §2.2.1: the Echo value is 1 to 40 bytes. */
    struct pair p;
    pair_init(&p, 0);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.server, 0));
    struct oscar_oscore_exchange sex;
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, echo_request(&p, &sex, NULL, 0, prot, &prot_len));
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    struct oscar_coap_msg dreq;
    parse(&dreq, req, req_len);
    uint8_t echo[OSCAR_OSCORE_ECHO_MAX + 1];
    memset(echo, 0x5a, sizeof(echo));
    uint8_t out[BUF];
    size_t n;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_oscore_echo_challenge(&p.server, out, BUF, &n, &sex, &dreq, echo, 0, 1));
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_oscore_echo_challenge(&p.server, out, BUF, &n, &sex, &dreq, echo,
                                          OSCAR_OSCORE_ECHO_MAX + 1, 1));
    OTEST_OK(oscar_oscore_echo_challenge(&p.server, out, BUF, &n, &sex, &dreq, echo,
                                         OSCAR_OSCORE_ECHO_MAX, 1));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT,
                 echo_request(&p, &sex, echo, OSCAR_OSCORE_ECHO_MAX, prot, &prot_len));
    pair_cleanup(&p);
}

/* ------------------------------------------------------ Appendix B.1.1: persistence --- */

struct store {
    uint64_t last;
    int calls;
};

static int store_cb(void *arg, uint64_t ssn)
{
    struct store *s = arg;
    s->last = ssn;
    s->calls++;
    return 0;
}

/* send_n protects n requests with ctx. */
static void send_n(struct oscar_oscore_ctx *ctx, int n)
{
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = plain_request(req, NULL, 0);
    for (int i = 0; i < n; i++) {
        OTEST_OK(oscar_oscore_protect_request(ctx, prot, BUF, &prot_len, NULL, NULL, req, req_len));
    }
}

static void test_b11_store_once_after_restore(void)
{
    /* RFC 8613 Appendix B.1.1: after a restore the first SSN used is stored (so a second reboot
     * cannot come back to it), then only every K-th again. K=10, F=5, stored 20: SSNs 35..40
     * store 35 and 40. */
    struct pair p;
    pair_init(&p, 0);
    struct store s = {0};
    oscar_oscore_set_persistence(&p.client, store_cb, &s, 10, 5);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.client, 20));
    OTEST_EQ_INT(35, p.client.sender.seq);
    send_n(&p.client, 6);
    OTEST_EQ_INT(2, s.calls);
    OTEST_EQ_INT(40, s.last);
    pair_cleanup(&p);
}

static void test_b11_k_zero_stores_every_ssn(void)
{
    /* RFC 8613 Appendix B.1.1: K = 0 is taken as K = 1 (store before every use). */
    struct pair p;
    pair_init(&p, 0);
    struct store s = {0};
    oscar_oscore_set_persistence(&p.client, store_cb, &s, 0, 0);
    send_n(&p.client, 5);
    OTEST_EQ_INT(5, s.calls);
    OTEST_EQ_INT(4, s.last);
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.client, s.last));
    OTEST_EQ_INT(5, p.client.sender.seq); /* SSN2 = SSN1 + K + F = 4 + 1 + 0 */
    pair_cleanup(&p);
}

static void test_b11_rederive_keeps_persistence(void)
{
    /* RFC 8613 Appendix B.1.1 with B.2: a re-derived context starts at SSN 0 but keeps the
     * persistence settings (callback, K and F), so the new SSNs are protected the same way. */
    struct pair p;
    pair_init(&p, 0);
    struct store s = {0};
    oscar_oscore_set_persistence(&p.client, store_cb, &s, 10, 5);
    static const uint8_t idc[4] = {0x1d, 0xc0, 0x1d, 0xc1};
    struct oscar_oscore_ctx c2;
    OTEST_OK(oscar_oscore_ctx_rederive(&c2, &p.client, idc, sizeof(idc)));
    OTEST_EQ_INT(0, c2.sender.seq);
    send_n(&c2, 11); /* SSNs 0..10: stores 0 and 10 */
    OTEST_EQ_INT(2, s.calls);
    OTEST_EQ_INT(10, s.last);
    OTEST_OK(oscar_oscore_restore_after_reboot(&c2, s.last));
    OTEST_EQ_INT(25, c2.sender.seq); /* 10 + K + F */
    send_n(&c2, 1);
    OTEST_EQ_INT(3, s.calls); /* the first SSN after the restore is stored */
    OTEST_EQ_INT(25, s.last);
    oscar_oscore_ctx_cleanup(&c2);
    pair_cleanup(&p);
}

static void test_b11_restore_limits(void)
{
    /* RFC 8613 Appendix B.1.1 and §7.2.1: SSN2 = SSN1 + K + F must stay below 2^40, and must
     * not wrap around (which would reuse nonces). */
    struct pair p;
    pair_init(&p, 0);
    struct store s = {0};
    oscar_oscore_set_persistence(&p.client, store_cb, &s, 10, 5);
    OTEST_ERR(OSCAR_ERR_SEQ_EXHAUSTED,
              oscar_oscore_restore_after_reboot(&p.client, UINT64_MAX - 3));
    OTEST_ERR(OSCAR_ERR_SEQ_EXHAUSTED,
              oscar_oscore_restore_after_reboot(&p.client, OSCAR_OSCORE_SEQ_LIMIT - 15));
    OTEST_OK(oscar_oscore_restore_after_reboot(&p.client, OSCAR_OSCORE_SEQ_LIMIT - 16));
    OTEST_EQ_INT(OSCAR_OSCORE_SEQ_LIMIT - 1, p.client.sender.seq);
    pair_cleanup(&p);
}

/* --------------------------------------------------------- §7.4.1: notifications --- */

/* observe_setup registers an observation: cex at the client, sex at the server. */
static void observe_setup(struct pair *p, struct oscar_oscore_exchange *cex,
                          struct oscar_oscore_exchange *sex)
{
    pair_init(p, 0);
    uint8_t req[BUF];
    size_t req_len = observe_request(req, 0);
    request_roundtrip(p, req, req_len, cex, sex);
    OTEST_CHECK(cex->observe && sex->observe);
}

static void test_notification_older_replayed(void)
{
    /* RFC 8613 §7.4.1: a notification older than the newest is accepted once (and is not the
     * freshest); the same notification again is a replay. */
    struct pair p;
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    observe_setup(&p, &cex, &sex);
    uint8_t n2[BUF];
    uint8_t n1[BUF];
    size_t n2_len = notify(&p, &sex, n2, true, 2);
    size_t n1_len = notify(&p, &sex, n1, true, 1);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, n2, n2_len, NULL, NULL));
    OTEST_CHECK(cex.last_fresh);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, n1, n1_len, NULL, NULL));
    OTEST_CHECK(!cex.last_fresh);
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, client_recv(&p, &cex, n1, n1_len, NULL, NULL));
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, client_recv(&p, &cex, n2, n2_len, NULL, NULL));
    pair_cleanup(&p);
}

static void test_notification_without_piv(void)
{
    /* RFC 8613 §7.4.1, §8.4.2: the first notification may use the request nonce; it is accepted
     * once, even before any notification with a Partial IV arrived, and it counts as the oldest
     * notification (not fresh) when one with a Partial IV came first. */
    struct pair p;
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    observe_setup(&p, &cex, &sex);
    struct oscar_oscore_exchange cex2 = cex;
    uint8_t n0[BUF];
    uint8_t n5[BUF];
    size_t n0_len = notify(&p, &sex, n0, false, 0);
    size_t n5_len = notify(&p, &sex, n5, true, 5);
    /* in order: PIV-less first, replayed at once */
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, n0, n0_len, NULL, NULL));
    OTEST_CHECK(cex.last_fresh);
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, client_recv(&p, &cex, n0, n0_len, NULL, NULL));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, n5, n5_len, NULL, NULL));
    OTEST_CHECK(cex.last_fresh);
    OTEST_EQ_INT(2, cex.num_responses);
    /* reordered: the PIV-less one arrives after PIV 5 */
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex2, n5, n5_len, NULL, NULL));
    OTEST_CHECK(cex2.last_fresh);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex2, n0, n0_len, NULL, NULL));
    OTEST_CHECK(!cex2.last_fresh);
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, client_recv(&p, &cex2, n0, n0_len, NULL, NULL));
    pair_cleanup(&p);
}

static void test_notification_window_edges(void)
{
    /* RFC 8613 §7.4.1: we remember 64 Partial IVs below the newest notification. One 63 below
     * is still known to be new; one 64 below cannot be told from a replay and is refused. */
    struct pair p;
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    observe_setup(&p, &cex, &sex);
    static const uint64_t seqs[] = {70, 7, 6};
    static const enum oscar_oscore_verdict want[] = {OSCAR_OSCORE_ACCEPT, OSCAR_OSCORE_ACCEPT,
                                                     OSCAR_OSCORE_DUPLICATE_RESPONSE};
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        uint8_t n[BUF];
        size_t n_len = notify(&p, &sex, n, true, seqs[i]);
        OTEST_EQ_INT(want[i], client_recv(&p, &cex, n, n_len, NULL, NULL));
    }
    pair_cleanup(&p);
}

static void test_notification_jump_of_64(void)
{
    /* RFC 8613 §7.4.1: N, N-1, then N+64 (a jump of exactly the window: nothing remembered
     * stays inside it), then N+63, which was never received and must be accepted; N+63 again
     * is a replay, and N is now too old. */
    struct pair p;
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    observe_setup(&p, &cex, &sex);
    static const uint64_t seqs[] = {10, 9, 74, 73, 73, 10};
    static const enum oscar_oscore_verdict want[] = {
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_DUPLICATE_RESPONSE,
        OSCAR_OSCORE_DUPLICATE_RESPONSE,
    };
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        uint8_t n[BUF];
        size_t n_len = notify(&p, &sex, n, true, seqs[i]);
        OTEST_EQ_INT(want[i], client_recv(&p, &cex, n, n_len, NULL, NULL));
    }
    pair_cleanup(&p);
}

static void test_notification_observe_from_piv(void)
{
    /* RFC 8613 §4.1.3.5.2: the Observe value of a decrypted notification is the three least
     * significant bytes of its Partial IV: 0x010000 gives 01 00 00, 0x01020304 gives 02 03 04. */
    struct pair p;
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    observe_setup(&p, &cex, &sex);
    static const uint64_t seqs[] = {0x010000, 0x01020304};
    static const uint8_t want[2][3] = {{0x01, 0x00, 0x00}, {0x02, 0x03, 0x04}};
    for (size_t i = 0; i < 2; i++) {
        uint8_t n[BUF];
        size_t n_len = notify(&p, &sex, n, true, seqs[i]);
        uint8_t out[2 * BUF];
        size_t out_len = 0;
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, n, n_len, out, &out_len));
        struct oscar_coap_msg d;
        parse(&d, out, out_len);
        const struct oscar_coap_option *obs = oscar_coap_find_option(&d, OSCAR_COAP_OPT_OBSERVE);
        OTEST_CHECK(obs != NULL);
        if (obs != NULL) {
            OTEST_EQ_BYTES(want[i], 3, obs->value, obs->len);
        }
    }
    pair_cleanup(&p);
}

static void test_final_response_is_fresh(void)
{
    /* RFC 8613 §7.4.1 and §8.4: an accepted response that is not a notification is the freshest
     * information, and it is counted in the exchange. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex);
    OTEST_CHECK(!cex.last_fresh);
    OTEST_EQ_INT(0, cex.num_responses);
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, false, 0);
    uint8_t resp[BUF];
    size_t resp_len;
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, resp, BUF, &resp_len, &sex, NULL, plain, plen));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, resp, resp_len, NULL, NULL));
    OTEST_CHECK(cex.last_fresh);
    OTEST_EQ_INT(1, cex.num_responses);
    pair_cleanup(&p);
}

static void test_deregistration_is_not_observe(void)
{
    /* RFC 8613 §4.1.3.5 with RFC 7641 §3.6: Observe 1 deregisters; it opens no observation on
     * either side. A response with Inner Observe to it is unexpected (§4.1.3.5.2), and after
     * the one response nothing more is accepted (§7.4). */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = observe_request(req, 1);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex);
    OTEST_CHECK(!cex.observe);
    OTEST_CHECK(!sex.observe);
    struct oscar_oscore_exchange cex2 = cex;
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, true, 9);
    uint8_t resp[BUF];
    size_t resp_len;
    struct oscar_oscore_send_opts own = {.own_piv = true};
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, resp, BUF, &resp_len, &sex, &own, plain, plen));
    OTEST_EQ_INT(OSCAR_OSCORE_UNEXPECTED_OBSERVE,
                 client_recv(&p, &cex, resp, resp_len, NULL, NULL));
    plen = plain_response(plain, false, 0);
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, resp, BUF, &resp_len, &sex, &own, plain, plen));
    uint8_t resp2[BUF];
    size_t resp2_len;
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, resp2, BUF, &resp2_len, &sex, &own, plain, plen));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex2, resp, resp_len, NULL, NULL));
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE,
                 client_recv(&p, &cex2, resp2, resp2_len, NULL, NULL));
    pair_cleanup(&p);
}

static void test_later_notification_needs_own_piv(void)
{
    /* RFC 8613 §8.3.1 (§4.1.3.5): a notification that is not the first response of its
     * exchange is protected with the server's own Partial IV, never with the request nonce. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex);
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, false, 0);
    uint8_t out[BUF];
    size_t n;
    struct oscar_oscore_send_opts own = {.own_piv = true};
    OTEST_OK(oscar_oscore_protect_response(&p.server, out, BUF, &n, &sex, &own, plain, plen));
    plen = plain_response(plain, true, 3);
    OTEST_ERR(OSCAR_ERR_NONCE_REUSE,
              oscar_oscore_protect_response(&p.server, out, BUF, &n, &sex, NULL, plain, plen));
    pair_cleanup(&p);
}

/* ------------------------------------------- §8.2, §6.1, §4.2: what a receiver checks --- */

static void test_kid_must_equal_recipient_id(void)
{
    /* RFC 8613 §8.2 step 2: the kid selects the Recipient Context by exact match: kid 00 02 is
     * neither Recipient ID 00 (a prefix) nor the empty Recipient ID. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    static const uint8_t opt[] = {0x09, 0x00, 0x00, 0x02}; /* PIV 00, kid 00 02 */
    uint8_t msg[BUF];
    size_t len = with_oscore_value(msg, prot, prot_len, opt, sizeof(opt));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, server_recv(&p.server, NULL, msg, len));
    struct oscar_oscore_params sp = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .sender_id = SERVER_ID,
        .sender_id_len = 1,
        .recipient_id = NULL,
        .recipient_id_len = 0,
    };
    struct oscar_oscore_ctx empty_rid;
    OTEST_OK(oscar_oscore_ctx_init(&empty_rid, oscar_crypto_wolfssl(), &sp));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, server_recv(&empty_rid, NULL, msg, len));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, server_recv(&empty_rid, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, NULL, prot, prot_len));
    oscar_oscore_ctx_cleanup(&empty_rid);
    pair_cleanup(&p);
}

static void test_empty_kid_context_needs_id_context(void)
{
    /* RFC 8613 §5.1, §8.2 step 2: a kid context (even an empty one) only matches a context that
     * has an ID Context equal to it; a context without ID Context is not found. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    static const uint8_t opt[] = {0x19, 0x00, 0x00, 0x00}; /* PIV 00, kid context h'', kid 00 */
    uint8_t msg[BUF];
    size_t len = with_oscore_value(msg, prot, prot_len, opt, sizeof(opt));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, server_recv(&p.server, NULL, msg, len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, NULL, prot, prot_len));
    pair_cleanup(&p);
}

static void test_group_flag_refused(void)
{
    /* RFC 8613 §6.1: bit 0x20 (the Group Flag of Group OSCORE) is reserved in RFC 8613; an
     * option with it set is malformed: §8.2 step 2 decoding fails. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    static const uint8_t opt[] = {0x29, 0x00, 0x00};
    uint8_t msg[BUF];
    size_t len = with_oscore_value(msg, prot, prot_len, opt, sizeof(opt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, server_recv(&p.server, NULL, msg, len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, NULL, prot, prot_len));
    pair_cleanup(&p);
}

static void test_two_oscore_options_refused(void)
{
    /* RFC 8613 §2: the OSCORE option is not repeatable; two of them fail decoding (§8.2). */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    struct oscar_coap_msg m;
    parse(&m, prot, prot_len);
    const struct oscar_coap_option *o = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE);
    OTEST_CHECK(o != NULL);
    if (o == NULL) {
        pair_cleanup(&p);
        return;
    }
    struct oscar_coap_option copy = *o;
    add(&m, OSCAR_COAP_OPT_OSCORE, copy.value, copy.len);
    uint8_t msg[BUF];
    size_t len = encode(msg, &m);
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, server_recv(&p.server, NULL, msg, len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, NULL, prot, prot_len));
    pair_cleanup(&p);
}

static void test_outer_code_class_checked(void)
{
    /* RFC 8613 §4.2: a request's Outer Code is a request code (POST/FETCH) and a response's a
     * response code (2.04/2.05). The Outer Code is not integrity-protected, so the receiver
     * must check it: a request re-coded 2.04 and a response re-coded POST fail decoding. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    struct oscar_oscore_exchange cex;
    protect_req(&p, prot, &prot_len, &cex, req, req_len);
    uint8_t msg[BUF];
    size_t len = with_code(msg, prot, prot_len, OSCAR_COAP_CODE_CHANGED);
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, server_recv(&p.server, NULL, msg, len));
    struct oscar_oscore_exchange sex;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, &sex, prot, prot_len));
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, false, 0);
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, plain, plen));
    len = with_code(msg, prot, prot_len, OSCAR_COAP_CODE_POST);
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, client_recv(&p, &cex, msg, len, NULL, NULL));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, prot, prot_len, NULL, NULL));
    pair_cleanup(&p);
}

/* raw_request builds an OSCORE request from the client with Partial IV piv (one byte) and
 * plaintext pt (§5.3: code, options, payload), encrypted correctly with the client's key. */
static size_t raw_request(struct pair *p, uint8_t *out, uint8_t piv, const uint8_t *pt,
                          size_t pt_len)
{
    const uint8_t piv_bytes[1] = {piv};
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    OTEST_OK(
        oscar_oscore_nonce(nonce, p->client.alg, p->client.common_iv, CLIENT_ID, 1, piv_bytes, 1));
    uint8_t arr[OSCAR_OSCORE_AAD_MAX];
    size_t arr_len;
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OTEST_OK(oscar_oscore_aad_array(arr, sizeof(arr), &arr_len, p->client.alg->cose_id, CLIENT_ID,
                                    1, piv_bytes, 1, NULL, 0));
    OTEST_OK(oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, arr, arr_len));
    uint8_t ct[BUF];
    OTEST_OK(p->client.crypto->aead_seal(&p->client.sender.aead, ct, sizeof(ct), nonce, aad,
                                         aad_len, pt, pt_len));
    const uint8_t opt[3] = {0x09, piv, CLIENT_ID[0]};
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_POST, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_OSCORE, opt, sizeof(opt));
    m.has_payload = true;
    m.payload = ct;
    m.payload_len = pt_len + p->client.alg->tag_len;
    return encode(out, &m);
}

static void test_tag_only_ciphertext(void)
{
    /* RFC 8613 §5.3: the plaintext holds at least the Code. A ciphertext that is only a valid
     * tag decrypts to nothing, which is not a plaintext: not a decryption failure either. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t msg[BUF];
    size_t len = raw_request(&p, msg, 0x05, NULL, 0);
    OTEST_EQ_INT(OSCAR_OSCORE_PLAINTEXT_MALFORMED, server_recv(&p.server, NULL, msg, len));
    /* the empty plaintext sits at the very end of out: the bytes just past out_cap (which would
     * parse as code 0.01 and a payload) are not the verifier's to read */
    len = raw_request(&p, msg, 0x06, NULL, 0);
    uint8_t out[64];
    memset(out, 0x00, sizeof(out));
    size_t cap = 32;
    out[cap] = OSCAR_COAP_CODE_GET;
    out[cap + 1] = OSCAR_COAP_PAYLOAD_MARKER;
    struct oscar_oscore_ctx *list[1] = {&p.server};
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, cap, &n, NULL, msg, len));
    OTEST_EQ_INT(OSCAR_OSCORE_PLAINTEXT_MALFORMED, v);
    pair_cleanup(&p);
}

static void test_malformed_plaintext_opens_no_exchange(void)
{
    /* RFC 8613 §5.3, §8.2: a request whose plaintext does not decode is discarded; no exchange
     * is recorded that a response could be bound to. */
    struct pair p;
    pair_init(&p, 0);
    static const uint8_t bad_pt[] = {OSCAR_COAP_CODE_GET, 0xf0};
    uint8_t msg[BUF];
    size_t len = raw_request(&p, msg, 0x06, bad_pt, sizeof(bad_pt));
    struct oscar_oscore_exchange sex;
    memset(&sex, 0xaa, sizeof(sex));
    uint8_t before[sizeof(sex)];
    memcpy(before, &sex, sizeof(sex));
    OTEST_EQ_INT(OSCAR_OSCORE_PLAINTEXT_MALFORMED, server_recv(&p.server, &sex, msg, len));
    OTEST_CHECK(memcmp(before, &sex, sizeof(sex)) == 0);
    pair_cleanup(&p);
}

static void test_forgery_with_tight_buffer(void)
{
    /* RFC 8613 §8.2 step 6: a forged message is a verdict (DECRYPT_FAILED), not a local error,
     * as soon as the buffer holds the plaintext: a buffer of exactly the plaintext length. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    prot[prot_len - 1] ^= 0x01;
    struct oscar_coap_msg m;
    parse(&m, prot, prot_len);
    size_t pt_len = m.payload_len - p.server.alg->tag_len;
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[BUF];
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, pt_len, &n, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, v);
    pair_cleanup(&p);
}

/* ------------------------------------------------------------ protecting: arguments --- */

static void test_protect_argument_errors(void)
{
    /* RFC 8613 §8.1 protects requests and §8.3 responses: a response code given to
     * protect_request, or the Empty code 0.00 (not a response, RFC 7252 §4.1) given to
     * protect_response, is refused; so is a kid context (§5.1) from a context without ID
     * Context. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t msg[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t len = plain_response(msg, false, 0);
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, NULL, NULL, msg, len));
    len = plain_request(msg, NULL, 0);
    struct oscar_oscore_send_opts kc = {.include_kid_context = true};
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, NULL, &kc, msg, len));
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, msg, len, &cex, &sex);
    static const uint8_t empty_msg[4] = {0x40, 0x00, 0x12, 0x34}; /* CON 0.00, MID 0x1234 */
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, empty_msg,
                                            sizeof(empty_msg)));
    len = plain_request(msg, NULL, 0);
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, msg, len));
    OTEST_EQ_INT(0, sex.num_responses);
    pair_cleanup(&p);
}

static void test_protect_exact_buffer(void)
{
    /* RFC 8613 §8.1, §8.3 (STYLE.md rule 17): the protected message fits a buffer of exactly
     * its size; one byte less is BUFFER_TOO_SMALL reporting that size. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t need = 0;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_oscore_protect_request(&p.client, prot, 0, &need, NULL, NULL, req, req_len));
    OTEST_CHECK(need > req_len);
    size_t got = 0;
    OTEST_ERR(
        OSCAR_ERR_BUFFER_TOO_SMALL,
        oscar_oscore_protect_request(&p.client, prot, need - 1, &got, NULL, NULL, req, req_len));
    OTEST_EQ_INT(need, got);
    struct oscar_oscore_exchange cex;
    got = 0;
    OTEST_OK(oscar_oscore_protect_request(&p.client, prot, need, &got, &cex, NULL, req, req_len));
    OTEST_EQ_INT(need, got);
    struct oscar_oscore_exchange sex;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, &sex, prot, got));
    /* the same for a response */
    uint8_t plain[BUF];
    size_t plen = plain_response(plain, false, 0);
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_oscore_protect_response(&p.server, prot, 0, &need, &sex, NULL, plain, plen));
    OTEST_ERR(
        OSCAR_ERR_BUFFER_TOO_SMALL,
        oscar_oscore_protect_response(&p.server, prot, need - 1, &got, &sex, NULL, plain, plen));
    OTEST_EQ_INT(need, got);
    OTEST_OK(oscar_oscore_protect_response(&p.server, prot, need, &got, &sex, NULL, plain, plen));
    OTEST_EQ_INT(need, got);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, prot, got, NULL, NULL));
    pair_cleanup(&p);
}

static void test_unprotect_exact_buffer(void)
{
    /* RFC 8613 §8.2 steps 6-7: out holds the plaintext and the decrypted message; a buffer of
     * exactly message + plaintext length succeeds, one byte less does not. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    struct oscar_coap_msg m;
    parse(&m, prot, prot_len);
    size_t pt_len = m.payload_len - p.server.alg->tag_len;
    size_t exact = req_len + pt_len;
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[BUF];
    size_t n = 0;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_oscore_unprotect_request(list, 1, &v, &idx, out, exact - 1, &n, NULL, prot,
                                             prot_len));
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, exact, &n, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_EQ_BYTES(req, req_len, out, n);
    pair_cleanup(&p);
}

static void test_unprotect_reports_usable_size(void)
{
    /* STYLE.md rule 17 — a writer reports the size it needs. unprotect_request needs the
     * decrypted message plus the plaintext (RFC 8613 §8.2: the plaintext is decrypted into the
     * same buffer), so a retry with the reported size must succeed. (Found by this test.) */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    uint8_t prot[BUF];
    size_t prot_len;
    protect_req(&p, prot, &prot_len, NULL, req, req_len);
    struct oscar_coap_msg m;
    parse(&m, prot, prot_len);
    size_t pt_len = m.payload_len - p.server.alg->tag_len;
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[BUF];
    size_t n = 0;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_oscore_unprotect_request(list, 1, &v, &idx, out, req_len + pt_len - 1, &n, NULL,
                                             prot, prot_len));
    OTEST_EQ_INT(req_len + pt_len, n);
    pair_cleanup(&p);
}

static void test_most_options_roundtrip(void)
{
    /* RFC 8613 §4.1: every Class E option goes inside; a request with the most options we keep
     * (OSCAR_COAP_MAX_OPTIONS, all Uri-Path) protects and verifies unchanged. */
    struct pair p;
    pair_init(&p, 0);
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    for (int i = 0; i < OSCAR_COAP_MAX_OPTIONS; i++) {
        add(&m, OSCAR_COAP_OPT_URI_PATH, "s", 1);
    }
    uint8_t req[BUF];
    size_t req_len = encode(req, &m);
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_OK(
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, NULL, NULL, req, req_len));
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[2 * BUF];
    size_t n = 0;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_EQ_BYTES(req, req_len, out, n);
    pair_cleanup(&p);
}

static void test_proxy_uri_inner_options_sorted(void)
{
    /* RFC 8613 §4.1.3.3: Uri-Path and Uri-Query from a Proxy-Uri join the other Inner options
     * (here Accept, number 17) in option-number order (RFC 7252 §3.1). */
    struct pair p;
    pair_init(&p, 0);
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_ACCEPT, "\x32", 1);
    add(&m, OSCAR_COAP_OPT_PROXY_URI, "coap://h/p?q", 12);
    uint8_t req[BUF];
    size_t req_len = encode(req, &m);
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_OK(
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, NULL, NULL, req, req_len));
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[2 * BUF];
    size_t n = 0;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    struct oscar_coap_msg d;
    parse(&d, out, n);
    static const uint16_t want[] = {OSCAR_COAP_OPT_URI_PATH, OSCAR_COAP_OPT_URI_QUERY,
                                    OSCAR_COAP_OPT_ACCEPT, OSCAR_COAP_OPT_PROXY_URI};
    OTEST_EQ_INT(4, d.num_options);
    for (size_t i = 0; i < 4 && i < d.num_options; i++) {
        OTEST_EQ_INT(want[i], d.options[i].number);
    }
    pair_cleanup(&p);
}

static void test_response_proxy_uri_untouched(void)
{
    /* RFC 8613 §4.1.3.3: the decomposition of Proxy-Uri is for requests (a client's, towards a
     * proxy); anywhere else Proxy-Uri is just Class U and goes outside as it is. */
    struct pair p;
    pair_init(&p, 0);
    uint8_t req[BUF];
    size_t req_len = plain_request(req, NULL, 0);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex);
    struct oscar_coap_msg r;
    msg_start(&r, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_ACK);
    add(&r, OSCAR_COAP_OPT_PROXY_URI, "coap://h/p", 10);
    uint8_t plain[BUF];
    size_t plen = encode(plain, &r);
    uint8_t prot[BUF];
    size_t prot_len;
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, plain, plen));
    struct oscar_coap_msg o;
    parse(&o, prot, prot_len);
    const struct oscar_coap_option *pu = oscar_coap_find_option(&o, OSCAR_COAP_OPT_PROXY_URI);
    OTEST_CHECK(pu != NULL);
    if (pu != NULL) {
        OTEST_EQ_BYTES("coap://h/p", 10, pu->value, pu->len);
    }
    uint8_t out[2 * BUF];
    size_t n = 0;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, client_recv(&p, &cex, prot, prot_len, out, &n));
    OTEST_EQ_BYTES(plain, plen, out, n);
    pair_cleanup(&p);
}

/* ----------------------------------------------------- §3.2, §5.2: context limits --- */

static void test_ctx_init_limits(void)
{
    /* RFC 8613 §5.2: Sender and Recipient IDs fit the nonce (at most nonce length - 6 = 7 bytes
     * for AES-CCM-16-64-128); §3.2: our limits for ID Context (64) and replay window (1024)
     * are inclusive. */
    static const uint8_t id8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t idc[OSCAR_OSCORE_ID_CONTEXT_MAX + 1] = {0};
    struct oscar_oscore_params c = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .sender_id = CLIENT_ID,
        .sender_id_len = 1,
        .recipient_id = id8,
        .recipient_id_len = 8,
    };
    struct oscar_oscore_ctx ctx;
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    c.recipient_id_len = 7;
    OTEST_OK(oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    OTEST_EQ_BYTES(id8, 7, ctx.recipient.id, ctx.recipient.id_len);
    oscar_oscore_ctx_cleanup(&ctx);
    c.has_id_context = true;
    c.id_context = idc;
    c.id_context_len = OSCAR_OSCORE_ID_CONTEXT_MAX;
    OTEST_OK(oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    oscar_oscore_ctx_cleanup(&ctx);
    c.id_context_len = OSCAR_OSCORE_ID_CONTEXT_MAX + 1;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    c.has_id_context = false;
    c.replay_window = OSCAR_OSCORE_REPLAY_WINDOW_MAX;
    OTEST_OK(oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY_WINDOW_MAX, ctx.recipient.replay.size);
    oscar_oscore_ctx_cleanup(&ctx);
    c.replay_window = OSCAR_OSCORE_REPLAY_WINDOW_MAX + 1;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
}

static void test_ctx_init_keys_limits(void)
{
    /* RFC 8613 §5.2: the same ID limit for contexts set up from derived keys; the replay window
     * (§3.2.2) is honoured and bounded. */
    static const uint8_t id8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t key[32] = {0x42};
    struct oscar_oscore_keys k = {
        .aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
        .sender_id = id8,
        .sender_id_len = 8,
        .sender_key = key,
        .recipient_id = CLIENT_ID,
        .recipient_id_len = 1,
        .recipient_key = key,
        .common_iv = key,
    };
    struct oscar_oscore_ctx ctx;
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &k));
    k.sender_id_len = 7;
    OTEST_OK(oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &k));
    OTEST_EQ_BYTES(id8, 7, ctx.sender.id, ctx.sender.id_len);
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY_WINDOW_DEFAULT, ctx.recipient.replay.size);
    oscar_oscore_ctx_cleanup(&ctx);
    k.recipient_id = id8;
    k.recipient_id_len = 8;
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &k));
    k.recipient_id_len = 1;
    k.aead_alg = OSCAR_COSE_ALG_A128GCM; /* 12-byte nonce: at most 6 bytes */
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &k));
    k.sender_id_len = 6;
    k.replay_window = 64;
    OTEST_OK(oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &k));
    OTEST_EQ_INT(64, ctx.recipient.replay.size);
    oscar_oscore_ctx_cleanup(&ctx);
    k.replay_window = OSCAR_OSCORE_REPLAY_WINDOW_MAX + 1;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &k));
}

static void test_nonce_id_limit(void)
{
    /* RFC 8613 §5.2: ID_PIV is padded to nonce length - 6 bytes; a longer one cannot be. */
    static const uint8_t id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t iv[OSCAR_CRYPTO_NONCE_MAX] = {0};
    static const uint8_t piv[1] = {0x05};
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    const struct oscar_alg_info *ccm = oscar_alg_find(OSCAR_COSE_ALG_AES_CCM_16_64_128);
    const struct oscar_alg_info *gcm = oscar_alg_find(OSCAR_COSE_ALG_A128GCM);
    OTEST_CHECK(ccm != NULL && gcm != NULL);
    if (ccm == NULL || gcm == NULL) {
        return;
    }
    OTEST_OK(oscar_oscore_nonce(nonce, ccm, iv, id, 7, piv, 1));
    /* Figure 8: S = 7, then ID_PIV right-aligned before the 5-byte PIV field */
    static const uint8_t want[13] = {7, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 5};
    OTEST_EQ_BYTES(want, 13, nonce, 13);
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_nonce(nonce, ccm, iv, id, 8, piv, 1));
    OTEST_OK(oscar_oscore_nonce(nonce, gcm, iv, id, 6, piv, 1));
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_nonce(nonce, gcm, iv, id, 7, piv, 1));
}

static void test_replay_window_honoured(void)
{
    /* RFC 8613 §3.2.2, §7.4: a configured replay window of 64 accepts a new Partial IV 49 below
     * the highest, where the default window of 32 could not tell and refuses. */
    for (int i = 0; i < 2; i++) {
        struct pair p;
        pair_init(&p, i == 0 ? 64 : 0);
        uint8_t req[BUF];
        size_t req_len = plain_request(req, NULL, 0);
        uint8_t old[BUF];
        size_t old_len;
        protect_req(&p, old, &old_len, NULL, req, req_len); /* PIV 0, held back */
        uint8_t prot[BUF];
        size_t prot_len;
        protect_req(&p, prot, &prot_len, NULL, req, req_len); /* PIV 1, held back */
        p.client.sender.seq = 50;
        uint8_t last[BUF];
        size_t last_len;
        protect_req(&p, last, &last_len, NULL, req, req_len); /* PIV 50 */
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, server_recv(&p.server, NULL, last, last_len));
        OTEST_EQ_INT(i == 0 ? OSCAR_OSCORE_ACCEPT : OSCAR_OSCORE_REPLAY,
                     server_recv(&p.server, NULL, prot, prot_len));
        OTEST_EQ_INT(i == 0 ? OSCAR_OSCORE_ACCEPT : OSCAR_OSCORE_REPLAY,
                     server_recv(&p.server, NULL, old, old_len));
        pair_cleanup(&p);
    }
}

static void test_rederive_keeps_replay_window_size(void)
{
    /* RFC 8613 Appendix B.2: the re-derived context starts a fresh replay window (§7.4) of the
     * configured size. */
    struct pair p;
    pair_init(&p, 64);
    static const uint8_t idc[2] = {0x0c, 0x1d};
    struct oscar_oscore_ctx s2;
    OTEST_OK(oscar_oscore_ctx_rederive(&s2, &p.server, idc, sizeof(idc)));
    OTEST_EQ_INT(64, s2.recipient.replay.size);
    OTEST_CHECK(s2.recipient.replay.valid && !s2.recipient.replay.seen_any);
    oscar_oscore_ctx_cleanup(&s2);
    pair_cleanup(&p);
}

static void test_replay_update_too_old_changes_nothing(void)
{
    /* RFC 8613 §7.4: a Partial IV at or beyond the window's lower edge cannot be recorded; the
     * window must stay as it was (and nothing outside it may be written). */
    static const size_t sizes[] = {32, 64, 100, OSCAR_OSCORE_REPLAY_WINDOW_MAX};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        struct {
            struct oscar_oscore_replay w;
            uint64_t guard[2];
        } s;
        memset(&s, 0, sizeof(s));
        oscar_oscore_replay_init(&s.w, sizes[i]);
        oscar_oscore_replay_update(&s.w, 5000);
        oscar_oscore_replay_update(&s.w, 4999);
        uint8_t before[sizeof(s.w)];
        memcpy(before, &s.w, sizeof(s.w));
        oscar_oscore_replay_update(&s.w, 5000 - sizes[i]);
        OTEST_CHECK(memcmp(before, &s.w, sizeof(s.w)) == 0);
        OTEST_EQ_INT(0, s.guard[0]);
        OTEST_EQ_INT(0, s.guard[1]);
        OTEST_CHECK(!oscar_oscore_replay_check(&s.w, 5000 - sizes[i]));
    }
}

static void test_piv_decode_reads_at_most_5_bytes(void)
{
    /* RFC 8613 §6.1: a Partial IV is at most 5 bytes; the decoder never reads more. */
    static const uint8_t six[6] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    OTEST_EQ_INT(UINT64_C(0x0102030405), oscar_oscore_piv_decode(six, 6));
    OTEST_EQ_INT(UINT64_C(0x0102030405), oscar_oscore_piv_decode(six, 5));
}

static void test_piv_encode_bounded(void)
{
    /* RFC 8613 §6.1: a Partial IV is at most 5 bytes; the encoder writes no more, whatever the
     * value (sequence numbers stop below 2^40, §7.2.1). */
    uint8_t buf[OSCAR_OSCORE_PIV_MAX + 3];
    memset(buf, 0xEE, sizeof(buf));
    OTEST_EQ_INT(5, oscar_oscore_piv_encode(buf, OSCAR_OSCORE_SEQ_LIMIT - 1));
    static const uint8_t max[5] = {0xff, 0xff, 0xff, 0xff, 0xff};
    OTEST_EQ_BYTES(max, 5, buf, 5);
    size_t n = oscar_oscore_piv_encode(buf, OSCAR_OSCORE_SEQ_LIMIT);
    OTEST_CHECK(n <= OSCAR_OSCORE_PIV_MAX);
    for (size_t i = OSCAR_OSCORE_PIV_MAX; i < sizeof(buf); i++) {
        OTEST_EQ_INT(0xEE, buf[i]);
    }
    static const uint8_t zero[1] = {0x00};
    OTEST_EQ_INT(1, oscar_oscore_piv_encode(buf, 0));
    OTEST_EQ_BYTES(zero, 1, buf, 1);
}

static void test_verdict_strings_out_of_range(void)
{
    /* RFC 8613 §8.2, §8.4: every verdict has a name; a value past the last one has none. */
    OTEST_CHECK(strcmp(oscar_oscore_verdict_str(OSCAR_OSCORE_VERDICT__COUNT), "unknown verdict") ==
                0);
    OTEST_CHECK(strcmp(oscar_oscore_verdict_name(OSCAR_OSCORE_VERDICT__COUNT), "unknown") == 0);
    OTEST_CHECK(
        strcmp(oscar_oscore_verdict_str(OSCAR_OSCORE_DUPLICATE_RESPONSE), "unknown verdict") != 0);
}

static void test_coap_exact_buffer(void)
{
    /* RFC 8613 §4 builds on RFC 7252 §3 messages: the encoder fills a buffer of exactly the
     * message size (header only, with options, with payload) and refuses one byte less. */
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_ACK;
    m.code = OSCAR_COAP_CODE_EMPTY;
    m.mid = 0x0102;
    uint8_t out[BUF];
    size_t n = 0;
    OTEST_OK(oscar_coap_serialize(out, OSCAR_COAP_HEADER_LEN, &n, &m));
    static const uint8_t ack[4] = {0x60, 0x00, 0x01, 0x02};
    OTEST_EQ_BYTES(ack, 4, out, n);
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_coap_serialize(out, OSCAR_COAP_HEADER_LEN - 1, &n, &m));
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_URI_PATH, "abc", 3);
    size_t need = oscar_coap_encoded_len(&m);
    OTEST_EQ_INT(4 + 2 + 4, need);
    OTEST_OK(oscar_coap_serialize(out, need, &n, &m));
    OTEST_EQ_INT(need, n);
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, oscar_coap_serialize(out, need - 1, &n, &m));
    m.has_payload = true;
    m.payload = (const uint8_t *)"xy";
    m.payload_len = 2;
    need = oscar_coap_encoded_len(&m);
    OTEST_OK(oscar_coap_serialize(out, need, &n, &m));
    OTEST_EQ_INT(need, n);
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, oscar_coap_serialize(out, need - 1, &n, &m));
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_b12_empty_echo_without_challenge);
    OTEST_RUN(test_b12_echo_must_equal_challenge);
    OTEST_RUN(test_b12_unverified_request_needs_own_piv);
    OTEST_RUN(test_b12_window_64_echo_request_not_replayable);
    OTEST_RUN(test_b12_challenge_forgotten_on_reboot);
    OTEST_RUN(test_b12_echo_challenge_length);
    OTEST_RUN(test_b11_store_once_after_restore);
    OTEST_RUN(test_b11_k_zero_stores_every_ssn);
    OTEST_RUN(test_b11_rederive_keeps_persistence);
    OTEST_RUN(test_b11_restore_limits);
    OTEST_RUN(test_notification_older_replayed);
    OTEST_RUN(test_notification_without_piv);
    OTEST_RUN(test_notification_window_edges);
    OTEST_RUN(test_notification_jump_of_64);
    OTEST_RUN(test_notification_observe_from_piv);
    OTEST_RUN(test_final_response_is_fresh);
    OTEST_RUN(test_deregistration_is_not_observe);
    OTEST_RUN(test_later_notification_needs_own_piv);
    OTEST_RUN(test_kid_must_equal_recipient_id);
    OTEST_RUN(test_empty_kid_context_needs_id_context);
    OTEST_RUN(test_group_flag_refused);
    OTEST_RUN(test_two_oscore_options_refused);
    OTEST_RUN(test_outer_code_class_checked);
    OTEST_RUN(test_tag_only_ciphertext);
    OTEST_RUN(test_malformed_plaintext_opens_no_exchange);
    OTEST_RUN(test_forgery_with_tight_buffer);
    OTEST_RUN(test_protect_argument_errors);
    OTEST_RUN(test_protect_exact_buffer);
    OTEST_RUN(test_unprotect_exact_buffer);
    OTEST_RUN(test_unprotect_reports_usable_size);
    OTEST_RUN(test_most_options_roundtrip);
    OTEST_RUN(test_proxy_uri_inner_options_sorted);
    OTEST_RUN(test_response_proxy_uri_untouched);
    OTEST_RUN(test_ctx_init_limits);
    OTEST_RUN(test_ctx_init_keys_limits);
    OTEST_RUN(test_nonce_id_limit);
    OTEST_RUN(test_replay_window_honoured);
    OTEST_RUN(test_rederive_keeps_replay_window_size);
    OTEST_RUN(test_replay_update_too_old_changes_nothing);
    OTEST_RUN(test_piv_decode_reads_at_most_5_bytes);
    OTEST_RUN(test_piv_encode_bounded);
    OTEST_RUN(test_verdict_strings_out_of_range);
    OTEST_RUN(test_coap_exact_buffer);
    return otest_finish();
}
