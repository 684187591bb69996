/* test_oscore.c — protect and verify (RFC 8613 §4, §5, §7, §8) beyond what the vectors state:
 * round trips for every AEAD, option classes, Observe, Proxy-Uri, verdicts, error responses. */
#include "oscar/cbor.h"
#include "oscar/oscore.h"
#include "otest.h"

#define BUF 2048

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t SALT[8] = {0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40};
static const uint8_t CLIENT_ID[1] = {0x00};
static const uint8_t SERVER_ID[1] = {0x01};

struct pair {
    struct oscar_oscore_ctx client;
    struct oscar_oscore_ctx server;
};

static void pair_init(struct pair *p, int32_t alg, const uint8_t *id_ctx, size_t id_ctx_len)
{
    struct oscar_oscore_params c = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .master_salt = SALT,
        .master_salt_len = sizeof(SALT),
        .sender_id = CLIENT_ID,
        .sender_id_len = 1,
        .recipient_id = SERVER_ID,
        .recipient_id_len = 1,
        .has_id_context = id_ctx != NULL,
        .id_context = id_ctx,
        .id_context_len = id_ctx_len,
        .aead_alg = alg,
    };
    OTEST_OK(oscar_oscore_ctx_init(&p->client, oscar_crypto_wolfssl(), &c));
    struct oscar_oscore_params s = c;
    s.sender_id = SERVER_ID;
    s.recipient_id = CLIENT_ID;
    OTEST_OK(oscar_oscore_ctx_init(&p->server, oscar_crypto_wolfssl(), &s));
}

static void pair_cleanup(struct pair *p)
{
    oscar_oscore_ctx_cleanup(&p->client);
    oscar_oscore_ctx_cleanup(&p->server);
}

/* msg_start begins a message: CON, MID 0x1234, token 0xa1a2. */
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

static size_t encode(uint8_t *out, const struct oscar_coap_msg *m)
{
    size_t n = 0;
    OTEST_OK(oscar_coap_serialize(out, BUF, &n, m));
    return n;
}

static void add(struct oscar_coap_msg *m, uint16_t number, const char *value)
{
    OTEST_OK(oscar_coap_add_option(m, number, (const uint8_t *)value, strlen(value)));
}

static size_t hello_request(uint8_t *out, bool observe)
{
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_URI_HOST, "localhost");
    add(&m, OSCAR_COAP_OPT_URI_PATH, "oscore");
    add(&m, OSCAR_COAP_OPT_URI_PATH, "hello");
    add(&m, OSCAR_COAP_OPT_URI_QUERY, "first=1");
    add(&m, OSCAR_COAP_OPT_ACCEPT, "");
    if (observe) {
        add(&m, OSCAR_COAP_OPT_OBSERVE, "");
    }
    return encode(out, &m);
}

/* request_roundtrip protects req, verifies it at the server and returns the server's exchange. */
static void request_roundtrip(struct pair *p, const uint8_t *req, size_t req_len,
                              struct oscar_oscore_exchange *cex, struct oscar_oscore_exchange *sex,
                              uint8_t *prot, size_t *prot_len)
{
    uint8_t out[BUF];
    size_t out_len = 0;
    OTEST_OK(
        oscar_oscore_protect_request(&p->client, prot, BUF, prot_len, cex, NULL, req, req_len));
    struct oscar_oscore_ctx *list[1] = {&p->server};
    enum oscar_oscore_verdict v;
    size_t idx = 99;
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &out_len, sex,
                                            prot, *prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_EQ_INT(0, idx);
    OTEST_EQ_BYTES(req, req_len, out, out_len);
}

static void test_roundtrip_every_algorithm(void)
{
    for (size_t i = 0; oscar_alg_by_index(i) != NULL; i++) {
        const struct oscar_alg_info *alg = oscar_alg_by_index(i);
        struct pair p;
        pair_init(&p, alg->cose_id, NULL, 0);
        uint8_t req[BUF];
        uint8_t prot[BUF];
        size_t prot_len;
        size_t req_len = hello_request(req, false);
        struct oscar_oscore_exchange cex;
        struct oscar_oscore_exchange sex;
        request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
        /* response with the request nonce, then verify at the client */
        struct oscar_coap_msg r;
        msg_start(&r, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_ACK);
        add(&r, OSCAR_COAP_OPT_CONTENT_FORMAT, "");
        r.has_payload = true;
        r.payload = (const uint8_t *)"Hello World!";
        r.payload_len = 12;
        uint8_t resp[BUF];
        size_t resp_len = encode(resp, &r);
        size_t n;
        OTEST_OK(oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, resp,
                                               resp_len));
        uint8_t out[BUF];
        enum oscar_oscore_verdict v;
        OTEST_OK(oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, prot,
                                                 prot_len));
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
        OTEST_EQ_BYTES(resp, resp_len, out, n);
        /* §7.4: only one response is accepted for a non-Observe request */
        OTEST_OK(oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, prot,
                                                 prot_len));
        OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, v);
        pair_cleanup(&p);
    }
}

/* outer_view parses a protected message. */
static void outer_view(struct oscar_coap_msg *m, const uint8_t *prot, size_t len)
{
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(m, &off, prot, len));
}

static void test_option_classes_in_request(void)
{
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_PUT, OSCAR_COAP_TYPE_NON);
    add(&m, OSCAR_COAP_OPT_IF_MATCH, "\x01");
    add(&m, OSCAR_COAP_OPT_URI_HOST, "example.com");
    add(&m, OSCAR_COAP_OPT_URI_PORT, "\x16\x34");
    add(&m, OSCAR_COAP_OPT_URI_PATH, "a");
    add(&m, OSCAR_COAP_OPT_MAX_AGE, "\x3c");
    add(&m, OSCAR_COAP_OPT_BLOCK1, "\x0e");
    add(&m, OSCAR_COAP_OPT_PROXY_SCHEME, "coap");
    add(&m, OSCAR_COAP_OPT_ECHO, "\x11\x22");
    add(&m, OSCAR_COAP_OPT_NO_RESPONSE, "\x1a");
    add(&m, 2049, "x"); /* unknown option: Class E */
    m.has_payload = true;
    m.payload = (const uint8_t *)"on";
    m.payload_len = 2;
    size_t req_len = encode(req, &m);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
    struct oscar_coap_msg o;
    outer_view(&o, prot, prot_len);
    /* §4.2: outer code POST; §4.1: only Class U options and OSCORE outside, in order */
    OTEST_EQ_INT(OSCAR_COAP_CODE_POST, o.code);
    OTEST_EQ_INT(OSCAR_COAP_TYPE_NON, o.type);
    OTEST_EQ_INT(0x1234, o.mid);
    OTEST_EQ_INT(4, o.num_options);
    OTEST_EQ_INT(OSCAR_COAP_OPT_URI_HOST, o.options[0].number);
    OTEST_EQ_INT(OSCAR_COAP_OPT_URI_PORT, o.options[1].number);
    OTEST_EQ_INT(OSCAR_COAP_OPT_OSCORE, o.options[2].number);
    OTEST_EQ_INT(OSCAR_COAP_OPT_PROXY_SCHEME, o.options[3].number);
    pair_cleanup(&p);
}

static void test_observe_outer_code_and_notifications(void)
{
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, true);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
    struct oscar_coap_msg o;
    outer_view(&o, prot, prot_len);
    OTEST_EQ_INT(OSCAR_COAP_CODE_FETCH, o.code); /* §4.1.3.5 */
    OTEST_CHECK(oscar_coap_find_option(&o, OSCAR_COAP_OPT_OBSERVE) != NULL);
    OTEST_CHECK(cex.observe && sex.observe);

    uint8_t notif[6][BUF];
    size_t notif_len[6];
    uint8_t plain[BUF];
    for (int i = 0; i < 6; i++) {
        struct oscar_coap_msg r;
        msg_start(&r, OSCAR_COAP_CODE_CONTENT, i == 0 ? OSCAR_COAP_TYPE_ACK : OSCAR_COAP_TYPE_NON);
        uint8_t obs[4];
        size_t obs_len = oscar_coap_uint_encode(obs, (uint32_t)(i + 7));
        OTEST_OK(oscar_coap_add_option(&r, OSCAR_COAP_OPT_OBSERVE, obs, obs_len));
        r.has_payload = true;
        r.payload = (const uint8_t *)"22";
        r.payload_len = 2;
        size_t plen = encode(plain, &r);
        struct oscar_oscore_send_opts opts = {.own_piv = i != 0};
        if (i == 1) {
            /* §8.3.1: notifications after the first need their own Partial IV */
            struct oscar_oscore_send_opts no_piv = {0};
            OTEST_ERR(OSCAR_ERR_NONCE_REUSE,
                      oscar_oscore_protect_response(&p.server, notif[i], BUF, &notif_len[i], &sex,
                                                    &no_piv, plain, plen));
        }
        OTEST_OK(oscar_oscore_protect_response(&p.server, notif[i], BUF, &notif_len[i], &sex, &opts,
                                               plain, plen));
        outer_view(&o, notif[i], notif_len[i]);
        OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, o.code); /* §4.2 with Observe */
    }
    uint8_t out[BUF];
    size_t n;
    enum oscar_oscore_verdict v;
    /* first notification (no PIV), then PIVs out of order: 2, 1, 4, 3; replays rejected */
    static const int order[] = {0, 2, 1, 2, 4, 3, 0, 5, 5};
    static const enum oscar_oscore_verdict expect[] = {
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_DUPLICATE_RESPONSE,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_DUPLICATE_RESPONSE,
        OSCAR_OSCORE_ACCEPT,
        OSCAR_OSCORE_DUPLICATE_RESPONSE,
    };
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        OTEST_OK(oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex,
                                                 notif[order[k]], notif_len[order[k]]));
        OTEST_EQ_INT(expect[k], v);
    }
    pair_cleanup(&p);
}

static void test_inner_observe_to_non_observe_request(void)
{
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, false);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
    struct oscar_coap_msg r;
    msg_start(&r, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_ACK);
    add(&r, OSCAR_COAP_OPT_OBSERVE, "\x05");
    uint8_t plain[BUF];
    size_t plen = encode(plain, &r);
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, plain, plen));
    uint8_t out[BUF];
    size_t n;
    enum oscar_oscore_verdict v;
    OTEST_OK(
        oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_UNEXPECTED_OBSERVE, v); /* §4.1.3.5.2 */
    pair_cleanup(&p);
}

static void test_proxy_uri_decomposition(void)
{
    /* RFC 8613 §4.1.3.3 example: coap://example.com/resource?q=1 */
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_PROXY_URI, "coap://example.com/resource?q=1");
    uint8_t req[BUF];
    size_t req_len = encode(req, &m);
    uint8_t prot[BUF];
    size_t prot_len;
    struct oscar_oscore_exchange cex;
    OTEST_OK(
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, &cex, NULL, req, req_len));
    struct oscar_coap_msg o;
    outer_view(&o, prot, prot_len);
    const struct oscar_coap_option *pu = oscar_coap_find_option(&o, OSCAR_COAP_OPT_PROXY_URI);
    OTEST_CHECK(pu != NULL);
    if (pu != NULL) {
        OTEST_EQ_BYTES("coap://example.com", 18, pu->value, pu->len);
    }
    /* the server sees the decomposed request: outer Proxy-Uri, inner Uri-Path and Uri-Query */
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[BUF];
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v;
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    struct oscar_coap_msg d;
    outer_view(&d, out, n);
    const struct oscar_coap_option *path = oscar_coap_find_option(&d, OSCAR_COAP_OPT_URI_PATH);
    const struct oscar_coap_option *query = oscar_coap_find_option(&d, OSCAR_COAP_OPT_URI_QUERY);
    OTEST_CHECK(path != NULL && query != NULL);
    if (path != NULL && query != NULL) {
        OTEST_EQ_BYTES("resource", 8, path->value, path->len);
        OTEST_EQ_BYTES("q=1", 3, query->value, query->len);
    }
    /* a non-default port stays outer; percent-escapes are decoded; a bad URI is refused */
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_PROXY_URI, "coap://[2001:db8::1]:61616/a%20b/c?x&y=%41");
    req_len = encode(req, &m);
    OTEST_OK(
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, &cex, NULL, req, req_len));
    outer_view(&o, prot, prot_len);
    pu = oscar_coap_find_option(&o, OSCAR_COAP_OPT_PROXY_URI);
    OTEST_CHECK(pu != NULL);
    if (pu != NULL) {
        OTEST_EQ_BYTES("coap://[2001:db8::1]:61616", 26, pu->value, pu->len);
    }
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    outer_view(&d, out, n);
    OTEST_EQ_INT(2, oscar_coap_count_option(&d, OSCAR_COAP_OPT_URI_PATH));
    OTEST_EQ_INT(2, oscar_coap_count_option(&d, OSCAR_COAP_OPT_URI_QUERY));
    path = oscar_coap_find_option(&d, OSCAR_COAP_OPT_URI_PATH);
    if (path != NULL) {
        OTEST_EQ_BYTES("a b", 3, path->value, path->len);
    }
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_PROXY_URI, "coap://host/x%4");
    req_len = encode(req, &m);
    OTEST_ERR(
        OSCAR_ERR_COAP_MALFORMED,
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, &cex, NULL, req, req_len));
    pair_cleanup(&p);
}

/* protect_raw builds an OSCORE request by hand around option value opt and ciphertext of
 * plaintext pt, encrypted correctly with the client's key, so verification can be probed. */
static size_t protect_raw(struct pair *p, uint8_t *out, const uint8_t *opt, size_t opt_len,
                          const uint8_t *piv, size_t piv_len, const uint8_t *pt, size_t pt_len)
{
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    OTEST_OK(
        oscar_oscore_nonce(nonce, p->client.alg, p->client.common_iv, CLIENT_ID, 1, piv, piv_len));
    uint8_t aad_array[64];
    size_t aad_array_len;
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OTEST_OK(oscar_oscore_aad_array(aad_array, sizeof(aad_array), &aad_array_len,
                                    p->client.alg->cose_id, CLIENT_ID, 1, piv, piv_len, NULL, 0));
    OTEST_OK(oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, aad_array, aad_array_len));
    uint8_t ct[BUF];
    OTEST_OK(p->client.crypto->aead_seal(&p->client.sender.aead, ct, sizeof(ct), nonce, aad,
                                         aad_len, pt, pt_len));
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_POST, OSCAR_COAP_TYPE_CON);
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OSCORE, opt, opt_len));
    m.has_payload = true;
    m.payload = ct;
    m.payload_len = pt_len + p->client.alg->tag_len;
    return encode(out, &m);
}

static enum oscar_oscore_verdict verify(struct pair *p, const uint8_t *msg, size_t len)
{
    struct oscar_oscore_ctx *list[1] = {&p->server};
    uint8_t out[BUF];
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, msg, len));
    return v;
}

static void test_request_verdicts(void)
{
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    static const uint8_t good_pt[] = {OSCAR_COAP_CODE_GET, 0xb5, 'h', 'e', 'l', 'l', 'o'};
    static const uint8_t piv[1] = {0x05};
    uint8_t msg[BUF];
    size_t len;
    /* flags: n=1, k: PIV 05, kid 00 */
    static const uint8_t opt_ok[] = {0x09, 0x05, 0x00};
    len = protect_raw(&p, msg, opt_ok, sizeof(opt_ok), piv, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, verify(&p, msg, len));
    OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, verify(&p, msg, len)); /* §7.4 */
    static const uint8_t piv6[1] = {0x06};
    static const uint8_t opt_reserved[] = {0x89, 0x06, 0x00};
    len =
        protect_raw(&p, msg, opt_reserved, sizeof(opt_reserved), piv6, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, verify(&p, msg, len)); /* §6.1 reserved bits */
    static const uint8_t opt_n6[] = {0x0e, 1, 2, 3, 4, 5, 6, 0x00};
    len = protect_raw(&p, msg, opt_n6, sizeof(opt_n6), piv6, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, verify(&p, msg, len)); /* n = 6 reserved */
    static const uint8_t opt_no_kid[] = {0x01, 0x06};
    len = protect_raw(&p, msg, opt_no_kid, sizeof(opt_no_kid), piv6, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, verify(&p, msg, len)); /* §5: kid in requests */
    static const uint8_t opt_no_piv[] = {0x08, 0x00};
    len = protect_raw(&p, msg, opt_no_piv, sizeof(opt_no_piv), piv6, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, verify(&p, msg, len)); /* §5: PIV in requests */
    static const uint8_t opt_long_piv[] = {0x0a, 0x00, 0x06, 0x00};
    len =
        protect_raw(&p, msg, opt_long_piv, sizeof(opt_long_piv), piv6, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, verify(&p, msg, len)); /* §5: minimal PIV */
    static const uint8_t opt_other_kid[] = {0x09, 0x06, 0x07};
    len = protect_raw(&p, msg, opt_other_kid, sizeof(opt_other_kid), piv6, 1, good_pt,
                      sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, verify(&p, msg, len)); /* §8.2 step 2 */
    static const uint8_t opt_kid_ctx[] = {0x19, 0x06, 0x01, 0xaa, 0x00};
    len = protect_raw(&p, msg, opt_kid_ctx, sizeof(opt_kid_ctx), piv6, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, verify(&p, msg, len)); /* unknown kid context */
    static const uint8_t opt_ok6[] = {0x09, 0x06, 0x00};
    static const uint8_t piv7[1] = {0x07};
    len = protect_raw(&p, msg, opt_ok6, sizeof(opt_ok6), piv7, 1, good_pt, sizeof(good_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, verify(&p, msg, len)); /* nonce from wrong PIV */
    static const uint8_t bad_pt[] = {OSCAR_COAP_CODE_GET, 0xf0};
    len = protect_raw(&p, msg, opt_ok6, sizeof(opt_ok6), piv6, 1, bad_pt, sizeof(bad_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_PLAINTEXT_MALFORMED, verify(&p, msg, len)); /* §5.3 */
    static const uint8_t nested_pt[] = {OSCAR_COAP_CODE_GET, 0x90};
    static const uint8_t opt_ok8[] = {0x09, 0x08, 0x00};
    static const uint8_t piv8[1] = {0x08};
    len = protect_raw(&p, msg, opt_ok8, sizeof(opt_ok8), piv8, 1, nested_pt, sizeof(nested_pt));
    OTEST_EQ_INT(OSCAR_OSCORE_PLAINTEXT_MALFORMED, verify(&p, msg, len)); /* §4.1.3.7 nested */
    /* no OSCORE option, and no payload */
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    len = encode(msg, &m);
    OTEST_EQ_INT(OSCAR_OSCORE_NOT_OSCORE, verify(&p, msg, len));
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_OSCORE, opt_ok6, sizeof(opt_ok6)));
    len = encode(msg, &m);
    OTEST_EQ_INT(OSCAR_OSCORE_DECODE_FAILED, verify(&p, msg, len));
    static const uint8_t garbage[] = {0x40};
    OTEST_EQ_INT(OSCAR_OSCORE_MALFORMED_COAP, verify(&p, garbage, sizeof(garbage)));
    pair_cleanup(&p);
}

static void test_error_responses(void)
{
    /* §8.2: unprotected errors; CON gets a piggybacked ACK, NON a NON with the given MID */
    struct oscar_coap_msg req;
    msg_start(&req, OSCAR_COAP_CODE_POST, OSCAR_COAP_TYPE_CON);
    uint8_t out[BUF];
    size_t n;
    OTEST_OK(
        oscar_oscore_error_response(out, sizeof(out), &n, OSCAR_OSCORE_REPLAY, &req, false, 0));
    static const uint8_t replay[] = {0x62, 0x81, 0x12, 0x34, 0xa1, 0xa2, 0xff, 'R', 'e', 'p', 'l',
                                     'a',  'y',  ' ',  'd',  'e',  't',  'e',  'c', 't', 'e', 'd'};
    OTEST_EQ_BYTES(replay, sizeof(replay), out, n);
    req.type = OSCAR_COAP_TYPE_NON;
    OTEST_OK(oscar_oscore_error_response(out, sizeof(out), &n, OSCAR_OSCORE_DECODE_FAILED, &req,
                                         true, 0x4242));
    struct oscar_coap_msg r;
    outer_view(&r, out, n);
    OTEST_EQ_INT(OSCAR_COAP_TYPE_NON, r.type);
    OTEST_EQ_INT(0x4242, r.mid);
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_OPTION, r.code);
    OTEST_CHECK(oscar_coap_find_option(&r, OSCAR_COAP_OPT_MAX_AGE) != NULL);
    OTEST_CHECK(oscar_coap_find_option(&r, OSCAR_COAP_OPT_OSCORE) == NULL);
    OTEST_EQ_BYTES("Failed to decode COSE", 21, r.payload, r.payload_len);
    OTEST_OK(
        oscar_oscore_error_response(out, sizeof(out), &n, OSCAR_OSCORE_NO_CONTEXT, &req, false, 1));
    outer_view(&r, out, n);
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, r.code);
    OTEST_EQ_BYTES("Security context not found", 26, r.payload, r.payload_len);
    OTEST_OK(oscar_oscore_error_response(out, sizeof(out), &n, OSCAR_OSCORE_DECRYPT_FAILED, &req,
                                         false, 1));
    outer_view(&r, out, n);
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, r.code);
    OTEST_EQ_BYTES("Decryption failed", 17, r.payload, r.payload_len);
    OTEST_ERR(
        OSCAR_ERR_INVALID_ARG,
        oscar_oscore_error_response(out, sizeof(out), &n, OSCAR_OSCORE_ACCEPT, &req, false, 1));
}

static void test_sequence_number_limit(void)
{
    /* §7.2.1: SSN < 2^40; the last one is usable with a 5-byte PIV, then the context is spent */
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    p.client.sender.seq = OSCAR_OSCORE_SEQ_LIMIT - 1;
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, false);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
    static const uint8_t max_piv[5] = {0xff, 0xff, 0xff, 0xff, 0xff};
    OTEST_EQ_BYTES(max_piv, 5, cex.request_piv, cex.request_piv_len);
    OTEST_ERR(OSCAR_ERR_SEQ_EXHAUSTED, oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len,
                                                                    &cex, NULL, req, req_len));
    pair_cleanup(&p);
}

static void test_nonce_reuse_refused(void)
{
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, false);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
    struct oscar_coap_msg r;
    msg_start(&r, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_ACK);
    uint8_t plain[BUF];
    size_t plen = encode(plain, &r);
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, plain, plen));
    /* §7.2: a second response may not reuse the request nonce */
    OTEST_ERR(OSCAR_ERR_NONCE_REUSE, oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len,
                                                                   &sex, NULL, plain, plen));
    /* nested OSCORE is refused when protecting (§4.1.3.7) */
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_OSCORE, "");
    req_len = encode(req, &m);
    OTEST_ERR(OSCAR_ERR_NESTED_OSCORE, oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len,
                                                                    &cex, NULL, req, req_len));
    /* a too-small output buffer reports the size needed */
    req_len = hello_request(req, false);
    size_t need = 0;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_oscore_protect_request(&p.client, prot, 10, &need, &cex, NULL, req, req_len));
    OTEST_CHECK(need > 10);
    pair_cleanup(&p);
}

static void test_kid_context_and_trial_contexts(void)
{
    static const uint8_t ctx1[] = {0x37, 0xcb, 0xf3, 0x21};
    static const uint8_t ctx2[] = {0x37, 0xcb, 0xf3, 0x22};
    struct pair a;
    struct pair b;
    pair_init(&a, OSCAR_COSE_ALG_AES_CCM_16_64_128, ctx1, sizeof(ctx1));
    pair_init(&b, OSCAR_COSE_ALG_AES_CCM_16_64_128, ctx2, sizeof(ctx2));
    uint8_t req[BUF];
    uint8_t prot[BUF];
    uint8_t out[BUF];
    size_t prot_len;
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v;
    size_t req_len = hello_request(req, false);
    struct oscar_oscore_ctx *list[2] = {&a.server, &b.server};
    /* same kid in two contexts: without kid context the server tries both (§3.3) */
    OTEST_OK(
        oscar_oscore_protect_request(&b.client, prot, BUF, &prot_len, NULL, NULL, req, req_len));
    OTEST_OK(oscar_oscore_unprotect_request(list, 2, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_EQ_INT(1, idx);
    /* with kid context the match is exact (§5.1) */
    struct oscar_oscore_send_opts kc = {.include_kid_context = true};
    OTEST_OK(
        oscar_oscore_protect_request(&a.client, prot, BUF, &prot_len, NULL, &kc, req, req_len));
    OTEST_OK(oscar_oscore_unprotect_request(list, 2, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_EQ_INT(0, idx);
    OTEST_OK(oscar_oscore_unprotect_request(list + 1, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, v);
    pair_cleanup(&a);
    pair_cleanup(&b);
}

static void test_aad_fast_path_matches_cbor_writer(void)
{
    /* protect.c writes the AAD by hand; it must equal the libcbor-based writer byte for byte */
    struct pair p;
    static const uint8_t kid_max[7] = {1, 2, 3, 4, 5, 6, 7};
    struct oscar_oscore_params c = {
        .master_secret = SECRET,
        .master_secret_len = 16,
        .sender_id = kid_max,
        .sender_id_len = 7,
        .recipient_id = SERVER_ID,
        .recipient_id_len = 1,
    };
    OTEST_OK(oscar_oscore_ctx_init(&p.client, oscar_crypto_wolfssl(), &c));
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, false);
    static const uint64_t seqs[] = {0, 23, 24, 255, 256, 65535, 65536, UINT64_C(0xffffffffff)};
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        p.client.sender.seq = seqs[i];
        struct oscar_oscore_exchange ex;
        OTEST_OK(
            oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, &ex, NULL, req, req_len));
        uint8_t arr[OSCAR_OSCORE_AAD_MAX];
        size_t arr_len;
        uint8_t aad[OSCAR_OSCORE_AAD_MAX];
        size_t aad_len;
        OTEST_OK(oscar_oscore_aad_array(arr, sizeof(arr), &arr_len, 10, kid_max, 7, ex.request_piv,
                                        ex.request_piv_len, NULL, 0));
        OTEST_OK(oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, arr, arr_len));
        /* decrypting our own message with the writer's AAD proves the two agree */
        struct oscar_coap_msg m;
        outer_view(&m, prot, prot_len);
        uint8_t pt[BUF];
        bool ok = false;
        OTEST_OK(p.client.crypto->aead_open(&p.client.sender.aead, &ok, pt, sizeof(pt),
                                            ex.request_nonce, aad, aad_len, m.payload,
                                            m.payload_len));
        OTEST_CHECK(ok);
    }
    oscar_oscore_ctx_cleanup(&p.client);
}

static void test_context_errors(void)
{
    struct oscar_oscore_ctx ctx;
    static const uint8_t long_id[8] = {0};
    struct oscar_oscore_params c = {
        .master_secret = SECRET,
        .master_secret_len = 16,
        .sender_id = long_id,
        .sender_id_len = 8,
    };
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    c.sender_id_len = 7;
    c.aead_alg = OSCAR_COSE_ALG_A128GCM; /* 12-byte nonce: IDs up to 6 bytes (§5.2) */
    OTEST_ERR(OSCAR_ERR_ID_TOO_LONG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    c.sender_id_len = 6;
    OTEST_OK(oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    oscar_oscore_ctx_cleanup(&ctx);
    c.aead_alg = 12345;
    OTEST_ERR(OSCAR_ERR_UNSUPPORTED_ALG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    c.aead_alg = 0;
    c.hkdf_alg = -99;
    OTEST_ERR(OSCAR_ERR_UNSUPPORTED_HKDF, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    c.hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA512;
    OTEST_OK(oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
    struct oscar_oscore_ctx ctx256;
    c.hkdf_alg = 0;
    OTEST_OK(oscar_oscore_ctx_init(&ctx256, oscar_crypto_wolfssl(), &c));
    OTEST_CHECK(memcmp(ctx.sender.key, ctx256.sender.key, 16) != 0); /* the hash matters */
    oscar_oscore_ctx_cleanup(&ctx);
    oscar_oscore_ctx_cleanup(&ctx256);
    c.master_secret_len = 0;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &c));
}

static void test_every_code_has_a_string(void)
{
    /* STYLE.md rule 14: a new error code, verdict or rule comes with its string. */
    for (int e = 0; e < OSCAR_ERR__COUNT; e++) {
        OTEST_CHECK(strcmp(oscar_err_str((enum oscar_err)e), "unknown error") != 0);
    }
    OTEST_CHECK(strcmp(oscar_err_str(OSCAR_ERR__COUNT), "unknown error") == 0);
    for (int v = 0; v < OSCAR_OSCORE_VERDICT__COUNT; v++) {
        OTEST_CHECK(
            strcmp(oscar_oscore_verdict_str((enum oscar_oscore_verdict)v), "unknown verdict") != 0);
    }
    for (int v = 0; v < OSCAR_OSCORE_VERDICT__COUNT; v++) {
        OTEST_CHECK(strcmp(oscar_oscore_verdict_name((enum oscar_oscore_verdict)v), "unknown") !=
                    0);
    }
    for (int r = 0; r < OSCAR_COAP_RULE__COUNT; r++) {
        OTEST_CHECK(strcmp(oscar_coap_rule_str((enum oscar_coap_rule)r), "unknown rule") != 0);
    }
    for (int r = 0; r < OSCAR_OSCORE_OPTION_RULE__COUNT; r++) {
        OTEST_CHECK(strcmp(oscar_oscore_option_rule_str((enum oscar_oscore_option_rule)r),
                           "unknown rule") != 0);
    }
}

static void test_observe_exchange_ends_with_final_response(void)
{
    /* §4.1.3.5.2: a response without Inner Observe to a registration is a final, non-Observe
     * response: accepted once, and nothing after it (review finding 2). Server side: every
     * response after the first needs its own Partial IV (§4.1.3.5, finding 3). */
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, true);
    struct oscar_oscore_exchange cex;
    struct oscar_oscore_exchange sex;
    request_roundtrip(&p, req, req_len, &cex, &sex, prot, &prot_len);
    uint8_t plain[BUF];
    struct oscar_coap_msg r;
    msg_start(&r, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_ACK);
    add(&r, OSCAR_COAP_OPT_OBSERVE, "\x01");
    size_t plen = encode(plain, &r);
    uint8_t n1[BUF];
    size_t n1_len;
    struct oscar_oscore_send_opts own = {.own_piv = true};
    OTEST_OK(oscar_oscore_protect_response(&p.server, n1, BUF, &n1_len, &sex, &own, plain, plen));
    msg_start(&r, OSCAR_COAP_CODE_NOT_FOUND, OSCAR_COAP_TYPE_NON);
    plen = encode(plain, &r);
    OTEST_ERR(OSCAR_ERR_NONCE_REUSE, oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len,
                                                                   &sex, NULL, plain, plen));
    uint8_t fin[BUF];
    size_t fin_len;
    OTEST_OK(oscar_oscore_protect_response(&p.server, fin, BUF, &fin_len, &sex, &own, plain, plen));
    uint8_t out[BUF];
    size_t n;
    enum oscar_oscore_verdict v;
    OTEST_OK(
        oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, n1, n1_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_CHECK(cex.last_fresh);
    OTEST_OK(
        oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, fin, fin_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    OTEST_OK(
        oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, fin, fin_len));
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, v);
    pair_cleanup(&p);
}

static void test_small_buffer_does_not_consume_message(void)
{
    /* A too-small output buffer is our problem, not the peer's: the retry must be accepted
     * (review finding 5). */
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t prot_len;
    size_t req_len = hello_request(req, false);
    struct oscar_oscore_exchange cex;
    OTEST_OK(
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, &cex, NULL, req, req_len));
    struct oscar_oscore_ctx *list[1] = {&p.server};
    uint8_t out[BUF];
    size_t n;
    size_t idx;
    enum oscar_oscore_verdict v;
    OTEST_ERR(
        OSCAR_ERR_BUFFER_TOO_SMALL,
        oscar_oscore_unprotect_request(list, 1, &v, &idx, out, prot_len, &n, NULL, prot, prot_len));
    OTEST_OK(oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                            prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    /* the same on the client side */
    struct oscar_oscore_exchange sex = cex;
    struct oscar_coap_msg r;
    msg_start(&r, OSCAR_COAP_CODE_CONTENT, OSCAR_COAP_TYPE_ACK);
    r.has_payload = true;
    r.payload = (const uint8_t *)"0123456789";
    r.payload_len = 10;
    uint8_t plain[BUF];
    size_t plen = encode(plain, &r);
    OTEST_OK(
        oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex, NULL, plain, plen));
    OTEST_ERR(
        OSCAR_ERR_BUFFER_TOO_SMALL,
        oscar_oscore_unprotect_response(&p.client, &v, out, prot_len, &n, &cex, prot, prot_len));
    OTEST_OK(
        oscar_oscore_unprotect_response(&p.client, &v, out, sizeof(out), &n, &cex, prot, prot_len));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    /* §7.2.1: a spent Sender Context protects nothing, not even with the request nonce */
    p.server.sender.seq = OSCAR_OSCORE_SEQ_LIMIT;
    struct oscar_oscore_exchange sex2 = cex;
    sex2.request_nonce_used = false;
    sex2.num_responses = 0;
    OTEST_ERR(
        OSCAR_ERR_SEQ_EXHAUSTED,
        oscar_oscore_protect_response(&p.server, prot, BUF, &prot_len, &sex2, NULL, plain, plen));
    pair_cleanup(&p);
}

static void test_proxy_uri_normalises_scheme_and_port(void)
{
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    static const char *const in[] = {"COAP://h:5683/a", "coap://h:05683/a", "coaps://h:5684",
                                     "coap://h:5684/a"};
    static const char *const want[] = {"coap://h", "coap://h", "coaps://h", "coap://h:5684"};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        struct oscar_coap_msg m;
        msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
        add(&m, OSCAR_COAP_OPT_PROXY_URI, in[i]);
        uint8_t req[BUF];
        uint8_t prot[BUF];
        size_t prot_len;
        size_t req_len = encode(req, &m);
        OTEST_OK(oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, NULL, NULL, req,
                                              req_len));
        struct oscar_coap_msg o;
        outer_view(&o, prot, prot_len);
        const struct oscar_coap_option *pu = oscar_coap_find_option(&o, OSCAR_COAP_OPT_PROXY_URI);
        OTEST_CHECK(pu != NULL);
        if (pu != NULL) {
            OTEST_EQ_BYTES(want[i], strlen(want[i]), pu->value, pu->len);
        }
    }
    pair_cleanup(&p);
}

static void test_protect_refuses_what_it_could_not_verify(void)
{
    /* Found by fuzz_oscore: a Proxy-Uri with many segments decomposes into more options than
     * the receiver can hold; protect must refuse it rather than emit an unverifiable message. */
    struct pair p;
    pair_init(&p, OSCAR_COSE_ALG_AES_CCM_16_64_128, NULL, 0);
    char uri[400];
    size_t n = (size_t)snprintf(uri, sizeof(uri), "coap://h");
    for (int i = 0; i < 70 && n + 3 < sizeof(uri); i++) {
        n += (size_t)snprintf(uri + n, sizeof(uri) - n, "/%c", 'a' + i % 26);
    }
    struct oscar_coap_msg m;
    msg_start(&m, OSCAR_COAP_CODE_GET, OSCAR_COAP_TYPE_CON);
    add(&m, OSCAR_COAP_OPT_PROXY_URI, uri);
    uint8_t req[BUF];
    uint8_t prot[BUF];
    size_t req_len = encode(req, &m);
    size_t prot_len;
    OTEST_ERR(
        OSCAR_ERR_COAP_TOO_MANY_OPTIONS,
        oscar_oscore_protect_request(&p.client, prot, BUF, &prot_len, NULL, NULL, req, req_len));
    pair_cleanup(&p);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_roundtrip_every_algorithm);
    OTEST_RUN(test_option_classes_in_request);
    OTEST_RUN(test_observe_outer_code_and_notifications);
    OTEST_RUN(test_inner_observe_to_non_observe_request);
    OTEST_RUN(test_proxy_uri_decomposition);
    OTEST_RUN(test_request_verdicts);
    OTEST_RUN(test_error_responses);
    OTEST_RUN(test_sequence_number_limit);
    OTEST_RUN(test_nonce_reuse_refused);
    OTEST_RUN(test_kid_context_and_trial_contexts);
    OTEST_RUN(test_aad_fast_path_matches_cbor_writer);
    OTEST_RUN(test_context_errors);
    OTEST_RUN(test_every_code_has_a_string);
    OTEST_RUN(test_observe_exchange_ends_with_final_response);
    OTEST_RUN(test_small_buffer_does_not_consume_message);
    OTEST_RUN(test_proxy_uri_normalises_scheme_and_port);
    OTEST_RUN(test_protect_refuses_what_it_could_not_verify);
    return otest_finish();
}
