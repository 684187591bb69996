/* test_appendix_b.c — RFC 8613 Appendix B: sequence-number persistence (B.1.1), Echo-based
 * replay-window recovery after a reboot (B.1.2) and re-derivation with ID Context R1/R2/R3 (B.2).
 */
#include "oscar/oscore.h"
#include "otest.h"

#define BUF 1024

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t CLIENT_ID[1] = {0x00};
static const uint8_t SERVER_ID[1] = {0x01};

static void init_ctx(struct oscar_oscore_ctx *ctx, bool server, const uint8_t *id_ctx,
                     size_t id_ctx_len)
{
    struct oscar_oscore_params p = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .sender_id = server ? SERVER_ID : CLIENT_ID,
        .sender_id_len = 1,
        .recipient_id = server ? CLIENT_ID : SERVER_ID,
        .recipient_id_len = 1,
        .has_id_context = id_ctx != NULL,
        .id_context = id_ctx,
        .id_context_len = id_ctx_len,
    };
    OTEST_OK(oscar_oscore_ctx_init(ctx, oscar_crypto_wolfssl(), &p));
}

static size_t make_msg(uint8_t *out, uint8_t code, const uint8_t *echo, size_t echo_len)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_CON;
    m.code = code;
    m.mid = 7;
    m.token_len = 1;
    m.token[0] = 0x42;
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"light", 5));
    if (echo != NULL) {
        OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_ECHO, echo, echo_len));
    }
    size_t n = 0;
    OTEST_OK(oscar_coap_serialize(out, BUF, &n, &m));
    return n;
}

struct persisted {
    uint64_t stored;
    int calls;
    bool fail;
};

static int persist_cb(void *arg, uint64_t ssn)
{
    struct persisted *p = arg;
    if (p->fail) {
        return -1;
    }
    p->stored = ssn;
    p->calls++;
    return 0;
}

static void test_b11_sequence_number_persistence(void)
{
    struct oscar_oscore_ctx c;
    init_ctx(&c, false, NULL, 0);
    struct persisted store = {0};
    oscar_oscore_set_persistence(&c, persist_cb, &store, 10, 5);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t req_len = make_msg(req, OSCAR_COAP_CODE_GET, NULL, 0);
    size_t n;
    for (int i = 0; i < 25; i++) {
        OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &n, NULL, NULL, req, req_len));
    }
    /* B.1.1: the SSNs 0, 10 and 20 were stored before use */
    OTEST_EQ_INT(3, store.calls);
    OTEST_EQ_INT(20, store.stored);
    /* a failing store stops the sender before it uses the number */
    c.sender.seq = 30;
    store.fail = true;
    OTEST_ERR(OSCAR_ERR_PERSIST,
              oscar_oscore_protect_request(&c, prot, BUF, &n, NULL, NULL, req, req_len));
    OTEST_EQ_INT(30, c.sender.seq);
    /* after reboot: SSN2 = SSN1 + K + F = 20 + 10 + 5, above the last SSN used (24) */
    OTEST_OK(oscar_oscore_restore_after_reboot(&c, store.stored));
    OTEST_EQ_INT(35, c.sender.seq);
    OTEST_ERR(OSCAR_ERR_SEQ_EXHAUSTED,
              oscar_oscore_restore_after_reboot(&c, OSCAR_OSCORE_SEQ_LIMIT - 3));
    oscar_oscore_ctx_cleanup(&c);
}

static void test_b12_echo_recovers_replay_window(void)
{
    struct oscar_oscore_ctx c;
    struct oscar_oscore_ctx s;
    init_ctx(&c, false, NULL, 0);
    init_ctx(&s, true, NULL, 0);
    struct oscar_oscore_ctx *list[1] = {&s};
    uint8_t req[BUF];
    uint8_t prot_old[BUF];
    uint8_t prot[BUF];
    uint8_t out[BUF];
    size_t old_len;
    size_t prot_len;
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v;
    size_t req_len = make_msg(req, OSCAR_COAP_CODE_PUT, NULL, 0);
    /* a request captured before the server reboots */
    OTEST_OK(oscar_oscore_protect_request(&c, prot_old, BUF, &old_len, NULL, NULL, req, req_len));
    OTEST_OK(oscar_oscore_restore_after_reboot(&s, 0));
    /* first request after the reboot: verified, but not processed: Echo needed */
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &prot_len, &cex, NULL, req, req_len));
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, BUF, &n, &sex, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, v);
    OTEST_CHECK(sex.must_use_own_piv);
    /* the replayed old request gets the same answer, never acceptance */
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, BUF, &n, NULL, prot_old, old_len));
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, v);
    /* the server's protected 4.01 with Echo and its own Partial IV */
    struct oscar_coap_msg dreq;
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&dreq, &off, req, req_len));
    static const uint8_t echo[8] = {0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8};
    uint8_t chal[BUF];
    size_t chal_len;
    OTEST_OK(
        oscar_oscore_echo_challenge(&s, chal, BUF, &chal_len, &sex, &dreq, echo, sizeof(echo), 0));
    struct oscar_coap_msg cm;
    struct oscar_oscore_option co;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, oscar_oscore_peek(&cm, &co, chal, chal_len));
    OTEST_CHECK(co.piv_len > 0);
    OTEST_OK(oscar_oscore_unprotect_response(&c, &v, out, BUF, &n, &cex, chal, chal_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    struct oscar_coap_msg dresp;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&dresp, &off, out, n));
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, dresp.code);
    const struct oscar_coap_option *e = oscar_coap_find_option(&dresp, OSCAR_COAP_OPT_ECHO);
    OTEST_CHECK(e != NULL && !dresp.has_payload);
    if (e == NULL) {
        return;
    }
    /* a request echoing the value is fresh; its PIV becomes the window's lower limit */
    uint8_t req2[BUF];
    size_t req2_len = make_msg(req2, OSCAR_COAP_CODE_PUT, e->value, e->len);
    OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &prot_len, &cex, NULL, req2, req2_len));
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, BUF, &n, &sex, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_CHECK(s.recipient.replay.valid);
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, BUF, &n, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, v);
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, BUF, &n, NULL, prot_old, old_len));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, v);
    /* a wrong Echo value does not validate the window */
    OTEST_OK(oscar_oscore_restore_after_reboot(&s, 100));
    OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &prot_len, &cex, NULL, req2, req2_len));
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, BUF, &n, &sex, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, v);
    oscar_oscore_ctx_cleanup(&c);
    oscar_oscore_ctx_cleanup(&s);
}

static void test_b2_rederivation_r1_r2_r3(void)
{
    static const uint8_t r1[8] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
    static const uint8_t r2[8] = {0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22};
    static const uint8_t r3[8] = {0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33};
    /* both endpoints share Master Secret and IDs (no ID Context yet) */
    struct oscar_oscore_ctx client_base;
    struct oscar_oscore_ctx server_base;
    init_ctx(&client_base, false, NULL, 0);
    init_ctx(&server_base, true, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    uint8_t out[BUF];
    size_t prot_len;
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v;
    size_t req_len = make_msg(req, OSCAR_COAP_CODE_GET, NULL, 0);

    /* 1. client: ID1 = R1, kid context R1 */
    struct oscar_oscore_ctx c1;
    OTEST_OK(oscar_oscore_ctx_rederive(&c1, &client_base, r1, sizeof(r1)));
    struct oscar_oscore_exchange cex1;
    struct oscar_oscore_send_opts kc = {.include_kid_context = true};
    OTEST_OK(oscar_oscore_protect_request(&c1, prot, BUF, &prot_len, &cex1, &kc, req, req_len));
    /* 2. server: unknown kid context -> derive with ID1 from its base and verify */
    struct oscar_oscore_ctx *known[1] = {&server_base};
    OTEST_OK(
        oscar_oscore_unprotect_request(known, 1, &v, &idx, out, BUF, &n, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, v);
    struct oscar_coap_msg pm;
    struct oscar_oscore_option po;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, oscar_oscore_peek(&pm, &po, prot, prot_len));
    OTEST_CHECK(po.has_kid_context);
    struct oscar_oscore_ctx s1;
    OTEST_OK(oscar_oscore_ctx_rederive(&s1, &server_base, po.kid_context, po.kid_context_len));
    struct oscar_oscore_ctx *trial[1] = {&s1};
    struct oscar_oscore_exchange sex1;
    OTEST_OK(
        oscar_oscore_unprotect_request(trial, 1, &v, &idx, out, BUF, &n, &sex1, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    /* ... then ID2 = R2 || ID1 protects a 4.01 carrying kid context R2 */
    uint8_t id2[16];
    memcpy(id2, r2, 8);
    memcpy(id2 + 8, r1, 8);
    struct oscar_oscore_ctx s2;
    OTEST_OK(oscar_oscore_ctx_rederive(&s2, &server_base, id2, sizeof(id2)));
    struct oscar_coap_msg r;
    memset(&r, 0, sizeof(r));
    r.version = 1;
    r.type = OSCAR_COAP_TYPE_ACK;
    r.code = OSCAR_COAP_CODE_UNAUTHORIZED;
    r.mid = 7;
    r.token_len = 1;
    r.token[0] = 0x42;
    uint8_t resp[BUF];
    size_t resp_len;
    OTEST_OK(oscar_coap_serialize(resp, BUF, &resp_len, &r));
    struct oscar_oscore_send_opts ro = {
        .own_piv = true,
        .has_response_kid_context = true,
        .response_kid_context = r2,
        .response_kid_context_len = sizeof(r2),
    };
    OTEST_OK(oscar_oscore_protect_response(&s2, prot, BUF, &prot_len, &sex1, &ro, resp, resp_len));
    /* 3. client: kid context R2 -> ID2 = R2 || ID1 verifies response #1 */
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, oscar_oscore_peek(&pm, &po, prot, prot_len));
    OTEST_EQ_BYTES(r2, sizeof(r2), po.kid_context, po.kid_context_len);
    uint8_t cid2[16];
    memcpy(cid2, po.kid_context, 8);
    memcpy(cid2 + 8, c1.id_context, c1.id_context_len);
    struct oscar_oscore_ctx c2;
    OTEST_OK(oscar_oscore_ctx_rederive(&c2, &client_base, cid2, sizeof(cid2)));
    struct oscar_oscore_exchange cex1b = cex1; /* untouched copy for the ID1 check below */
    OTEST_OK(oscar_oscore_unprotect_response(&c2, &v, out, BUF, &n, &cex1, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    /* the context with ID1 cannot verify it: response #1 really is under ID2 */
    OTEST_OK(oscar_oscore_unprotect_response(&c1, &v, out, BUF, &n, &cex1b, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, v);
    /* ... and request #2 goes out under ID3 = R2 || R3 */
    uint8_t id3[16];
    memcpy(id3, r2, 8);
    memcpy(id3 + 8, r3, 8);
    struct oscar_oscore_ctx c3;
    OTEST_OK(oscar_oscore_ctx_rederive(&c3, &client_base, id3, sizeof(id3)));
    struct oscar_oscore_exchange cex2;
    OTEST_OK(oscar_oscore_protect_request(&c3, prot, BUF, &prot_len, &cex2, &kc, req, req_len));
    /* 4. server: the first 8 bytes equal the R2 it sent -> derive ID3 and verify */
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, oscar_oscore_peek(&pm, &po, prot, prot_len));
    OTEST_CHECK(po.kid_context_len == 16 && memcmp(po.kid_context, r2, 8) == 0);
    struct oscar_oscore_ctx s3;
    OTEST_OK(oscar_oscore_ctx_rederive(&s3, &server_base, po.kid_context, po.kid_context_len));
    struct oscar_oscore_ctx *final[1] = {&s3};
    struct oscar_oscore_exchange sex2;
    OTEST_OK(
        oscar_oscore_unprotect_request(final, 1, &v, &idx, out, BUF, &n, &sex2, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    /* a replayed request #2 is rejected by the third context's window */
    OTEST_OK(
        oscar_oscore_unprotect_request(final, 1, &v, &idx, out, BUF, &n, NULL, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, v);
    /* 5. response #2 under ID3 verifies at the client */
    r.code = OSCAR_COAP_CODE_CONTENT;
    OTEST_OK(oscar_coap_serialize(resp, BUF, &resp_len, &r));
    OTEST_OK(oscar_oscore_protect_response(&s3, prot, BUF, &prot_len, &sex2, NULL, resp, resp_len));
    OTEST_OK(oscar_oscore_unprotect_response(&c3, &v, out, BUF, &n, &cex2, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_EQ_BYTES(resp, resp_len, out, n);
    /* contexts set up from keys cannot be re-derived */
    struct oscar_oscore_keys keys = {
        .aead_alg = 10,
        .sender_key = SECRET,
        .recipient_key = SECRET,
        .common_iv = SECRET,
    };
    struct oscar_oscore_ctx k;
    OTEST_OK(oscar_oscore_ctx_init_keys(&k, oscar_crypto_wolfssl(), &keys));
    OTEST_ERR(OSCAR_ERR_STATE, oscar_oscore_ctx_rederive(&k, &k, r1, sizeof(r1)));
    struct oscar_oscore_ctx *all[] = {&client_base, &server_base, &c1, &s1, &s2, &c2, &c3, &s3, &k};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        oscar_oscore_ctx_cleanup(all[i]);
    }
}

static void test_b11_second_reboot_never_reuses(void)
{
    /* Review finding 1: K=100, F=10; 58 messages, reboot (SSN2 = 110), 40 more (110..149),
     * reboot again: the sender must resume above 149. */
    struct oscar_oscore_ctx c;
    init_ctx(&c, false, NULL, 0);
    struct persisted store = {0};
    oscar_oscore_set_persistence(&c, persist_cb, &store, 100, 10);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t req_len = make_msg(req, OSCAR_COAP_CODE_GET, NULL, 0);
    size_t n;
    for (int i = 0; i < 58; i++) {
        OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &n, NULL, NULL, req, req_len));
    }
    OTEST_OK(oscar_oscore_restore_after_reboot(&c, store.stored));
    OTEST_EQ_INT(110, c.sender.seq);
    for (int i = 0; i < 40; i++) {
        OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &n, NULL, NULL, req, req_len));
    }
    uint64_t last_used = c.sender.seq - 1;
    OTEST_OK(oscar_oscore_restore_after_reboot(&c, store.stored));
    OTEST_CHECK(c.sender.seq > last_used);
    oscar_oscore_ctx_cleanup(&c);
}

static void test_b2_failed_rederive_keeps_context(void)
{
    /* Review finding 4: a peer's kid context we cannot use must not wipe our context. */
    struct oscar_oscore_ctx c;
    init_ctx(&c, false, NULL, 0);
    uint8_t before[OSCAR_CRYPTO_KEY_MAX];
    memcpy(before, c.sender.key, sizeof(before));
    static const uint8_t too_long[OSCAR_OSCORE_ID_CONTEXT_MAX + 1] = {0};
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_ctx_rederive(&c, &c, too_long, sizeof(too_long)));
    OTEST_EQ_INT(sizeof(SECRET), c.master_secret_len);
    OTEST_CHECK(c.alg != NULL);
    OTEST_EQ_BYTES(before, sizeof(before), c.sender.key, sizeof(before));
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t n;
    size_t req_len = make_msg(req, OSCAR_COAP_CODE_GET, NULL, 0);
    OTEST_OK(oscar_oscore_protect_request(&c, prot, BUF, &n, NULL, NULL, req, req_len));
    oscar_oscore_ctx_cleanup(&c);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_b11_sequence_number_persistence);
    OTEST_RUN(test_b11_second_reboot_never_reuses);
    OTEST_RUN(test_b12_echo_recovers_replay_window);
    OTEST_RUN(test_b2_failed_rederive_keeps_context);
    OTEST_RUN(test_b2_rederivation_r1_r2_r3);
    return otest_finish();
}
