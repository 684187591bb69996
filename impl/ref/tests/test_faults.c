/* test_faults.c — every fault switch of the reference implementation (enum oscar_oscore_fault)
 * produces the non-conformance it names, and a conformant peer notices it where the protocol
 * lets a peer notice (the rest is the trace checker's job: the test shows the bytes). */
#include "oscar/oscore.h"
#include "otest.h"

#define BUF 1024

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t CLIENT_ID[1] = {0x00};
static const uint8_t SERVER_ID[1] = {0x01};

struct pair {
    struct oscar_oscore_ctx client;
    struct oscar_oscore_ctx server;
    uint8_t req[BUF];
    size_t req_len;
    uint8_t prot[BUF];
    size_t prot_len;
    uint8_t out[2 * BUF];
    size_t out_len;
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
};

static void setup(struct pair *p, uint32_t client_faults, uint32_t server_faults)
{
    struct oscar_oscore_params c = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .sender_id = CLIENT_ID,
        .sender_id_len = 1,
        .recipient_id = SERVER_ID,
        .recipient_id_len = 1,
    };
    OTEST_OK(oscar_oscore_ctx_init(&p->client, oscar_crypto_wolfssl(), &c));
    c.sender_id = SERVER_ID;
    c.recipient_id = CLIENT_ID;
    OTEST_OK(oscar_oscore_ctx_init(&p->server, oscar_crypto_wolfssl(), &c));
    p->client.faults = client_faults;
    p->server.faults = server_faults;
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_CON;
    m.code = OSCAR_COAP_CODE_GET;
    m.mid = 1;
    m.token_len = 1;
    m.token[0] = 0x77;
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"hello", 5));
    OTEST_OK(oscar_coap_serialize(p->req, BUF, &p->req_len, &m));
}

static void cleanup(struct pair *p)
{
    oscar_oscore_ctx_cleanup(&p->client);
    oscar_oscore_ctx_cleanup(&p->server);
}

static void send_request(struct pair *p)
{
    OTEST_OK(oscar_oscore_protect_request(&p->client, p->prot, BUF, &p->prot_len, &p->cex, NULL,
                                          p->req, p->req_len));
}

static enum oscar_oscore_verdict receive_request(struct pair *p)
{
    struct oscar_oscore_ctx *list[1] = {&p->server};
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    size_t idx;
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, p->out, sizeof(p->out), &p->out_len,
                                            &p->sex, p->prot, p->prot_len));
    return v;
}

static void outer(struct oscar_coap_msg *m, const struct pair *p)
{
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(m, &off, p->prot, p->prot_len));
}

static void test_fault_names(void)
{
    for (unsigned bit = 0; bit < 10; bit++) {
        uint32_t f = UINT32_C(1) << bit;
        const char *name = oscar_oscore_fault_name(f);
        OTEST_CHECK(name != NULL);
        if (name != NULL) {
            OTEST_EQ_INT(f, oscar_oscore_fault_parse(name));
        }
    }
    OTEST_EQ_INT(0, oscar_oscore_fault_parse("no-such-fault"));
    OTEST_CHECK(oscar_oscore_fault_name(UINT32_C(1) << 10) == NULL);
}

static void test_fault_reuse_piv(void)
{
    struct pair p;
    setup(&p, OSCAR_FAULT_REUSE_PIV, 0);
    send_request(&p);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p));
    uint8_t first_piv[OSCAR_OSCORE_PIV_MAX];
    memcpy(first_piv, p.cex.request_piv, p.cex.request_piv_len);
    send_request(&p);
    OTEST_EQ_BYTES(first_piv, p.cex.request_piv_len, p.cex.request_piv, p.cex.request_piv_len);
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, receive_request(&p)); /* §7.4 at a conformant server */
    cleanup(&p);
}

static void test_fault_accept_replay(void)
{
    struct pair p;
    setup(&p, 0, OSCAR_FAULT_ACCEPT_REPLAY);
    send_request(&p);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p)); /* the replay goes through */
    p.server.faults = 0;
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, receive_request(&p));
    cleanup(&p);
}

static void test_fault_wrong_outer_code_and_class_e_outer(void)
{
    struct pair p;
    setup(&p, OSCAR_FAULT_WRONG_OUTER_CODE | OSCAR_FAULT_CLASS_E_OUTER, 0);
    send_request(&p);
    struct oscar_coap_msg m;
    outer(&m, &p);
    OTEST_EQ_INT(OSCAR_COAP_CODE_GET, m.code);                                /* §4.2 wants POST */
    OTEST_CHECK(oscar_coap_find_option(&m, OSCAR_COAP_OPT_URI_PATH) != NULL); /* §4.1.1 */
    /* a conformant server discards both (§8.2 step 1): only the trace shows the bug */
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p));
    OTEST_EQ_BYTES(p.req, p.req_len, p.out, p.out_len);
    cleanup(&p);
}

static void test_fault_no_kid_reserved_flags_nonminimal_piv(void)
{
    static const uint32_t faults[] = {OSCAR_FAULT_NO_KID, OSCAR_FAULT_RESERVED_FLAGS,
                                      OSCAR_FAULT_NONMINIMAL_PIV};
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        struct pair p;
        setup(&p, faults[i], 0);
        send_request(&p);
        struct oscar_coap_msg m;
        struct oscar_oscore_option o;
        /* the option itself is malformed, except for no-kid: a kid-less option is well-formed,
         * only a request without kid is not (§5) */
        OTEST_EQ_INT(faults[i] == OSCAR_FAULT_NO_KID ? OSCAR_OSCORE_ACCEPT
                                                     : OSCAR_OSCORE_DECODE_FAILED,
                     oscar_oscore_peek(&m, &o, p.prot, p.prot_len));
        OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, receive_request(&p)); /* §8.2 step 2 */
        cleanup(&p);
    }
}

static void test_fault_wrong_external_aad(void)
{
    struct pair p;
    setup(&p, OSCAR_FAULT_WRONG_EXTERNAL_AAD, 0);
    send_request(&p);
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, receive_request(&p));
    /* the same bug on both ends interoperates: that is why it survives in the wild */
    p.server.faults = OSCAR_FAULT_WRONG_EXTERNAL_AAD;
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p));
    cleanup(&p);
}

static void test_fault_skip_tag_check(void)
{
    struct pair p;
    setup(&p, 0, OSCAR_FAULT_SKIP_TAG_CHECK);
    send_request(&p);
    p.prot[p.prot_len - 1] ^= 0x01; /* corrupt the tag only */
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p));
    OTEST_EQ_BYTES(p.req, p.req_len, p.out, p.out_len); /* decrypted all the same */
    p.server.faults = 0;
    oscar_oscore_replay_init(&p.server.recipient.replay, 0);
    p.prot[p.prot_len - 1] ^= 0x02;
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, receive_request(&p));
    cleanup(&p);
}

static void test_fault_wrong_response_nonce(void)
{
    struct pair p;
    setup(&p, 0, OSCAR_FAULT_WRONG_RESPONSE_NONCE);
    send_request(&p);
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, receive_request(&p));
    struct oscar_coap_msg r;
    memset(&r, 0, sizeof(r));
    r.version = OSCAR_COAP_VERSION;
    r.type = OSCAR_COAP_TYPE_ACK;
    r.code = OSCAR_COAP_CODE_CONTENT;
    r.mid = 1;
    r.token_len = 1;
    r.token[0] = 0x77;
    uint8_t plain[BUF];
    size_t plen;
    OTEST_OK(oscar_coap_serialize(plain, BUF, &plen, &r));
    struct oscar_oscore_send_opts own = {.own_piv = true};
    OTEST_OK(oscar_oscore_protect_response(&p.server, p.prot, BUF, &p.prot_len, &p.sex, &own, plain,
                                           plen));
    enum oscar_oscore_verdict v;
    OTEST_OK(oscar_oscore_unprotect_response(&p.client, &v, p.out, sizeof(p.out), &p.out_len,
                                             &p.cex, p.prot, p.prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, v); /* §5.2 at a conformant client */
    cleanup(&p);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_fault_names);
    OTEST_RUN(test_fault_reuse_piv);
    OTEST_RUN(test_fault_accept_replay);
    OTEST_RUN(test_fault_wrong_outer_code_and_class_e_outer);
    OTEST_RUN(test_fault_no_kid_reserved_flags_nonminimal_piv);
    OTEST_RUN(test_fault_wrong_external_aad);
    OTEST_RUN(test_fault_skip_tag_check);
    OTEST_RUN(test_fault_wrong_response_nonce);
    return otest_finish();
}
