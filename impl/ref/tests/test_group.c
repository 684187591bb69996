/* test_group.c — the reference Group OSCORE implementation (RFC 10021): the Group Security
 * Context against the IETF 109 hackathon derivations ("Rikard Test 1" and "Rikard Test 2",
 * vectors/group-oscore-legacy-hackathon.json; Sender/Recipient Keys are still valid for
 * draft-28 with Group Encryption Algorithm 10), the Common IV and Signature Encryption Key an
 * independent Python derivation printed for the same contexts (shared/spec SPECS.md §3.1), and
 * Recipient Contexts created on first contact. */
#include "oscar/group.h"
#include "otest.h"

struct member {
    const char *id;
    const char *d;
    const char *pub;
    const char *key;
};

struct group_vec {
    const char *secret;
    const char *salt;
    const char *gid;
    int32_t sig_alg;
    const char *common_iv;
    const char *sekey;
    struct member m[3];
};

static const struct group_vec VECS[2] = {
    {"0102030405060708090a0b0c0d0e0f10",
     "9e7ca92223786340",
     "37cbf3210017a2d3",
     OSCAR_COSE_ALG_ES256,
     "2ca58fb85ff1b81c0b7181b85e",
     "35b0a927e0f1c46200bd9bae3b8cddf0",
     {{"01", "fea2190084748436543c5ec8e329d2afbd7068054f595ca1f987b9e43e2205e6",
       "1adb2ab6af48f17c9877cf77db4fa39dc0923fbe215e576fe6f790b1ff2cbc96"
       "64ce3dd128cc4efa6de209be8abd111c7272f612c2db654057b6ec00fbfb0684",
       "e39a0c7c77b43f03b4b39ab9a268699f"},
      {"", "da2593a6e0bcc81a5941069cb76303487816a2f4e6c0f21737b56a7c90381597",
       "0eb313b4d314a1001244776d321f2dd88a5a31df06a6eeae0a79832d39408bc1"
       "1897a28666fe1cc4facef79cc7bdecdc271f2a619a00844fcd553a12dd679a4f",
       "af2a1300a5e95788b356336eeecd2b92"},
      {"aa", "bf31d3f9670a7d1342259e700f48dd9983a5f9df80d58994c667b6ebfd23270e",
       "fad4312a45f45a3212810905b223800f6ced4bc8d5bacbc8d33bb60c45fc98dd"
       "5694315ad17a4da5e3f69ca02f83e9c3d594712137ed8afb748a70491598f9cd",
       "4d9eabdba0f97f044fc0ee5313b1ebc6"}}},
    {"11223344556677889900aabbccddeeff",
     "1f2e3d4c5b6a7081",
     "dd11",
     OSCAR_COSE_ALG_EDDSA,
     "16655ebde5098e0746a6e9daa3",
     "8e5b3cb866066dcc47db4ab90afacfbb",
     {{"0a", "397ceb5a8d21d74a9258c20c33fc45ab152b02cf479b2e3081285f77454cf347",
       "ce616f28426ef24edb51dbcef7a23305f886f657959d4df889ddfc0255042159",
       "33badb4d6b487e16bc8dc3f6db382990"},
      {"51", "70559b9eecdc578d5fc2ca37f9969630029f1592aff3306392ab15546c6a184a",
       "2668ba6ca302f14e952228da1250a890c143fdba4daed27246188b9e42c94b6d",
       "1809ba2d5dc543e600270023c29c31f8"},
      {"52", "e550cd532b881d52ad75ce7b91171063e568f2531fbdfb32ee01d1910bcf810f",
       "5394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df",
       "3e55d62e4541dbf594dee14bc425d19b"}}},
};

/* the lookup of these tests: the members of the vector group, credential = its public key */
static bool lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred, size_t *cred_len,
                   uint8_t *pub)
{
    const struct group_vec *v = arg;
    for (int i = 0; i < 3; i++) {
        uint8_t id[8];
        size_t n = otest_unhex(id, sizeof(id), v->m[i].id);
        if (n == kid_len && memcmp(id, kid, n) == 0) {
            *cred_len = otest_unhex(cred, OSCAR_GROUP_CRED_MAX, v->m[i].pub);
            memcpy(pub, cred, *cred_len);
            return true;
        }
    }
    return false;
}

static struct oscar_group_recipient slots[4];

/* open_member_in sets up member k of vector v (group mode with Group Encryption Algorithm 10,
 * pairwise mode too when pairwise) with its Recipient Contexts in rs[4]. */
static void open_member_in(struct oscar_group_ctx *ctx, const struct group_vec *v, int k,
                           bool pairwise, struct oscar_group_recipient *rs)
{
    uint8_t secret[16];
    uint8_t salt[8];
    uint8_t gid[8];
    uint8_t id[8];
    uint8_t d[32];
    uint8_t cred[64];
    struct oscar_group_params p = {0};
    p.master_secret_len = otest_unhex(secret, sizeof(secret), v->secret);
    p.master_secret = secret;
    p.master_salt_len = otest_unhex(salt, sizeof(salt), v->salt);
    p.master_salt = salt;
    p.gid_len = otest_unhex(gid, sizeof(gid), v->gid);
    p.gid = gid;
    p.group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    p.sig_alg = v->sig_alg;
    if (pairwise) {
        p.aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
        p.pairwise_alg = OSCAR_COSE_ALG_ECDH_SS_HKDF_256;
    }
    p.sender_id_len = otest_unhex(id, sizeof(id), v->m[k].id);
    p.sender_id = id;
    otest_unhex(d, sizeof(d), v->m[k].d);
    p.sender_priv = d;
    p.sender_cred_len = otest_unhex(cred, sizeof(cred), v->m[k].pub);
    p.sender_cred = cred;
    p.recipients = rs;
    p.recipients_cap = 4;
    p.cred_lookup = lookup;
    p.cred_arg = (void *)(uintptr_t)v;
    OTEST_OK(oscar_group_ctx_init(ctx, oscar_crypto_wolfssl(), &p));
}

static void open_member(struct oscar_group_ctx *ctx, const struct group_vec *v, int k,
                        bool pairwise)
{
    open_member_in(ctx, v, k, pairwise, slots);
}

static void test_hackathon_derivation(void)
{
    for (int g = 0; g < 2; g++) {
        const struct group_vec *v = &VECS[g];
        struct oscar_group_ctx ctx;
        open_member(&ctx, v, 0, false);
        uint8_t want[32];
        size_t n = otest_unhex(want, sizeof(want), v->m[0].key);
        OTEST_EQ_BYTES(want, n, ctx.sender_key, 16);
        n = otest_unhex(want, sizeof(want), v->common_iv);
        OTEST_EQ_BYTES(want, n, ctx.common_iv, ctx.nonce_len);
        n = otest_unhex(want, sizeof(want), v->sekey);
        OTEST_EQ_BYTES(want, n, ctx.sig_enc_key, 16);
        uint8_t pub[64];
        n = otest_unhex(pub, sizeof(pub), v->m[0].pub);
        OTEST_EQ_BYTES(pub, n, ctx.sender_pub, n);
        /* the other two members' keys, as Recipient Contexts created on first contact */
        for (int k = 1; k < 3; k++) {
            uint8_t id[8];
            size_t idl = otest_unhex(id, sizeof(id), v->m[k].id);
            OTEST_CHECK(oscar_group_recipient_get(&ctx, id, idl, false) == NULL);
            struct oscar_group_recipient *r = oscar_group_recipient_get(&ctx, id, idl, true);
            OTEST_CHECK(r != NULL);
            if (r == NULL) {
                continue;
            }
            n = otest_unhex(want, sizeof(want), v->m[k].key);
            OTEST_EQ_BYTES(want, n, r->key, 16);
            OTEST_CHECK(oscar_group_recipient_get(&ctx, id, idl, false) == r);
        }
        /* a Sender ID nobody has a credential for gets no context */
        static const uint8_t stranger[1] = {0x77};
        OTEST_CHECK(oscar_group_recipient_get(&ctx, stranger, 1, true) == NULL);
        oscar_group_ctx_cleanup(&ctx);
    }
}

static void test_pairwise_keys_agree(void)
{
    /* member 0's Pairwise Sender Key with member 1 is member 1's Pairwise Recipient Key with 0 */
    for (int g = 0; g < 2; g++) {
        const struct group_vec *v = &VECS[g];
        struct oscar_group_ctx a;
        struct oscar_group_ctx b;
        static struct oscar_group_recipient other[4];
        open_member(&a, v, 0, true);
        uint8_t a_send[16];
        uint8_t a_recv[16];
        uint8_t id1[8];
        size_t id1_len = otest_unhex(id1, sizeof(id1), v->m[1].id);
        struct oscar_group_recipient *r = oscar_group_recipient_get(&a, id1, id1_len, true);
        OTEST_CHECK(r != NULL);
        OTEST_OK(oscar_group_pairwise_keys(&a, r));
        memcpy(a_send, r->pairwise_sender_key, 16);
        memcpy(a_recv, r->pairwise_recipient_key, 16);
        memcpy(other, slots, sizeof(slots));
        oscar_group_ctx_cleanup(&a);
        open_member(&b, v, 1, true);
        uint8_t id0[8];
        size_t id0_len = otest_unhex(id0, sizeof(id0), v->m[0].id);
        r = oscar_group_recipient_get(&b, id0, id0_len, true);
        OTEST_CHECK(r != NULL);
        OTEST_OK(oscar_group_pairwise_keys(&b, r));
        OTEST_EQ_BYTES(a_send, 16, r->pairwise_recipient_key, 16);
        OTEST_EQ_BYTES(a_recv, 16, r->pairwise_sender_key, 16);
        OTEST_CHECK(memcmp(a_send, a_recv, 16) != 0);
        oscar_group_ctx_cleanup(&b);
    }
}

static void test_params_checked(void)
{
    struct oscar_group_ctx ctx;
    struct oscar_group_params p = {0};
    static const uint8_t secret[16] = {1};
    static const uint8_t d[32] = {1};
    p.master_secret = secret;
    p.master_secret_len = 16;
    p.sender_priv = d;
    p.sig_alg = OSCAR_COSE_ALG_EDDSA;
    /* a Signature Algorithm without a Group Encryption Algorithm: group mode half set (§6) */
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, oscar_group_ctx_init(&ctx, oscar_crypto_wolfssl(), &p));
    p.group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    p.aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128; /* without the Pairwise Key Agreement Alg */
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, oscar_group_ctx_init(&ctx, oscar_crypto_wolfssl(), &p));
    p.pairwise_alg = OSCAR_COSE_ALG_ECDH_SS_HKDF_256;
    static const uint8_t long_id[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    p.sender_id = long_id; /* longer than nonce length - 6 */
    p.sender_id_len = 8;
    OTEST_EQ_INT(OSCAR_ERR_ID_TOO_LONG, oscar_group_ctx_init(&ctx, oscar_crypto_wolfssl(), &p));
    p.sender_id_len = 7;
    OTEST_OK(oscar_group_ctx_init(&ctx, oscar_crypto_wolfssl(), &p));
    oscar_group_ctx_cleanup(&ctx);
}

/* --- messages: member 0 is the client, members 1 and 2 servers --- */

#define MSG_MAX 2048

struct trio {
    struct oscar_group_ctx m[3];
    struct oscar_group_recipient rs[3][4];
};

static void trio_open(struct trio *t, const struct group_vec *v, bool pairwise)
{
    for (int k = 0; k < 3; k++) {
        open_member_in(&t->m[k], v, k, pairwise, t->rs[k]);
    }
}

static void trio_close(struct trio *t)
{
    for (int k = 0; k < 3; k++) {
        oscar_group_ctx_cleanup(&t->m[k]);
    }
}

static size_t coap_get(uint8_t *out, uint16_t mid, const char *path)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_NON;
    m.code = OSCAR_COAP_CODE_GET;
    m.mid = mid;
    m.token_len = 2;
    m.token[0] = 0x4a;
    m.token[1] = (uint8_t)mid;
    OTEST_OK(
        oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)path, strlen(path)));
    size_t n;
    OTEST_OK(oscar_coap_serialize(out, MSG_MAX, &n, &m));
    return n;
}

static size_t coap_content(uint8_t *out, uint16_t mid, const char *payload)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_NON;
    m.code = OSCAR_COAP_CODE_CONTENT;
    m.mid = mid;
    m.token_len = 2;
    m.token[0] = 0x4a;
    m.token[1] = (uint8_t)mid;
    m.has_payload = true;
    m.payload = (const uint8_t *)payload;
    m.payload_len = strlen(payload);
    size_t n;
    OTEST_OK(oscar_coap_serialize(out, MSG_MAX, &n, &m));
    return n;
}

/* payload_is: the decrypted message dec carries payload p */
static void payload_is(const uint8_t *dec, size_t len, const char *p)
{
    struct oscar_coap_msg m;
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&m, &off, dec, len));
    OTEST_EQ_BYTES(p, strlen(p), m.payload, m.payload_len);
}

static void group_round_trip(const struct group_vec *v)
{
    struct trio t;
    trio_open(&t, v, true);
    uint8_t plain[MSG_MAX];
    uint8_t prot[MSG_MAX];
    uint8_t dec[2 * MSG_MAX + 8];
    size_t n = coap_get(plain, 1, "light");
    size_t pn;
    size_t dn;
    struct oscar_group_exchange cex;
    OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_GROUP, NULL, 0, prot, MSG_MAX,
                                         &pn, &cex, plain, n));
    OTEST_CHECK((prot[6] & OSCAR_OSCORE_FLAG_GROUP) != 0 || pn > 0);
    /* both servers verify it, creating the client's Recipient Context, and answer */
    struct oscar_group_exchange sex[3];
    for (int k = 1; k < 3; k++) {
        enum oscar_oscore_verdict vd;
        struct oscar_group_recipient *who;
        OTEST_OK(oscar_group_unprotect_request(&t.m[k], &vd, &who, dec, sizeof(dec), &dn, &sex[k],
                                               prot, pn));
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
        OTEST_CHECK(who != NULL && who->id_len == t.m[0].sender_id_len);
        struct oscar_coap_msg m;
        size_t off;
        OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&m, &off, dec, dn));
        OTEST_EQ_INT(OSCAR_COAP_CODE_GET, m.code);
        /* the same bytes again: a replay */
        OTEST_OK(oscar_group_unprotect_request(&t.m[k], &vd, &who, dec, sizeof(dec), &dn, &sex[k],
                                               prot, pn));
        OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, vd);
    }
    /* server 1 answers in group mode without Partial IV, server 2 in pairwise mode with one */
    uint8_t r1[MSG_MAX];
    uint8_t r2[MSG_MAX];
    size_t r1n;
    size_t r2n;
    n = coap_content(plain, 1, "on");
    OTEST_OK(oscar_group_protect_response(&t.m[1], OSCAR_GROUP_MODE_GROUP, false, r1, MSG_MAX, &r1n,
                                          &sex[1], plain, n));
    /* the request nonce serves one response only */
    OTEST_EQ_INT(OSCAR_ERR_NONCE_REUSE,
                 oscar_group_protect_response(&t.m[1], OSCAR_GROUP_MODE_GROUP, false, r2, MSG_MAX,
                                              &r2n, &sex[1], plain, n));
    n = coap_content(plain, 1, "off");
    OTEST_OK(oscar_group_protect_response(&t.m[2], OSCAR_GROUP_MODE_PAIRWISE, true, r2, MSG_MAX,
                                          &r2n, &sex[2], plain, n));
    enum oscar_oscore_verdict vd;
    struct oscar_group_recipient *who;
    OTEST_OK(
        oscar_group_unprotect_response(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, &cex, r1, r1n));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
    payload_is(dec, dn, "on");
    OTEST_OK(
        oscar_group_unprotect_response(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, &cex, r2, r2n));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
    payload_is(dec, dn, "off");
    /* each response once (§5.3.1) */
    OTEST_OK(
        oscar_group_unprotect_response(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, &cex, r1, r1n));
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, vd);
    OTEST_OK(
        oscar_group_unprotect_response(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, &cex, r2, r2n));
    OTEST_EQ_INT(OSCAR_OSCORE_DUPLICATE_RESPONSE, vd);
    /* a pairwise request from the client to server 2 and its answer without Partial IV */
    n = coap_get(plain, 2, "light");
    OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_PAIRWISE, t.m[2].sender_id,
                                         t.m[2].sender_id_len, prot, MSG_MAX, &pn, &cex, plain, n));
    OTEST_OK(oscar_group_unprotect_request(&t.m[2], &vd, &who, dec, sizeof(dec), &dn, &sex[2], prot,
                                           pn));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
    OTEST_EQ_INT(OSCAR_GROUP_MODE_PAIRWISE, sex[2].mode);
    /* server 1 has no pairwise keys for it: the pairwise request is not readable there */
    OTEST_OK(oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, &sex[1], prot,
                                           pn));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, vd);
    n = coap_content(plain, 2, "pairwise");
    OTEST_OK(oscar_group_protect_response(&t.m[2], OSCAR_GROUP_MODE_PAIRWISE, false, r2, MSG_MAX,
                                          &r2n, &sex[2], plain, n));
    OTEST_OK(
        oscar_group_unprotect_response(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, &cex, r2, r2n));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
    payload_is(dec, dn, "pairwise");
    trio_close(&t);
}

static void test_group_mode_round_trip(void)
{
    group_round_trip(&VECS[0]); /* ES256, P-256 ECDH */
    group_round_trip(&VECS[1]); /* EdDSA, X25519 */
}

/* forged_request: a group request of member 0 with one bit of the encrypted signature flipped */
static size_t forged_request(struct trio *t, uint8_t *prot, uint32_t client_faults)
{
    uint8_t plain[MSG_MAX];
    size_t n = coap_get(plain, 3, "light");
    size_t pn;
    t->m[0].faults = client_faults;
    OTEST_OK(oscar_group_protect_request(&t->m[0], OSCAR_GROUP_MODE_GROUP, NULL, 0, prot, MSG_MAX,
                                         &pn, NULL, plain, n));
    prot[pn - 1] ^= 0x01;
    return pn;
}

static void test_bad_signature(void)
{
    struct trio t;
    trio_open(&t, &VECS[1], false);
    uint8_t prot[MSG_MAX];
    uint8_t dec[2 * MSG_MAX + 8];
    size_t dn;
    size_t pn = forged_request(&t, prot, 0);
    enum oscar_oscore_verdict vd;
    struct oscar_group_recipient *who;
    OTEST_OK(
        oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, NULL, prot, pn));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, vd);
    /* the failed message does not leave a Recipient Context behind (§7.2) */
    OTEST_CHECK(oscar_group_recipient_get(&t.m[1], t.m[0].sender_id, t.m[0].sender_id_len, false) ==
                NULL);
    /* the fault switch: a server that does not check the countersignature takes it */
    t.m[2].faults = OSCAR_GROUP_FAULT_ACCEPT_BAD_SIGNATURE;
    OTEST_OK(
        oscar_group_unprotect_request(&t.m[2], &vd, &who, dec, sizeof(dec), &dn, NULL, prot, pn));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
    trio_close(&t);
}

static void test_plain_signature_fault(void)
{
    /* a sender that does not encrypt its signature (§4.1) is refused by a conformant server */
    struct trio t;
    trio_open(&t, &VECS[0], false);
    uint8_t plain[MSG_MAX];
    uint8_t prot[MSG_MAX];
    uint8_t dec[2 * MSG_MAX + 8];
    size_t n = coap_get(plain, 4, "light");
    size_t pn;
    size_t dn;
    t.m[0].faults = OSCAR_GROUP_FAULT_PLAIN_SIGNATURE;
    OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_GROUP, NULL, 0, prot, MSG_MAX,
                                         &pn, NULL, plain, n));
    enum oscar_oscore_verdict vd;
    struct oscar_group_recipient *who;
    OTEST_OK(
        oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, NULL, prot, pn));
    OTEST_EQ_INT(OSCAR_OSCORE_DECRYPT_FAILED, vd);
    trio_close(&t);
}

static void test_other_group_and_own_id(void)
{
    /* a member of another group (other Gid) and a message carrying our own Sender ID */
    struct trio t;
    struct oscar_group_ctx other;
    struct oscar_group_recipient ors[4];
    trio_open(&t, &VECS[1], false);
    struct group_vec v2 = VECS[1];
    v2.gid = "dd12";
    open_member_in(&other, &v2, 0, false, ors);
    uint8_t plain[MSG_MAX];
    uint8_t prot[MSG_MAX];
    uint8_t dec[2 * MSG_MAX + 8];
    size_t n = coap_get(plain, 5, "light");
    size_t pn;
    size_t dn;
    OTEST_OK(oscar_group_protect_request(&other, OSCAR_GROUP_MODE_GROUP, NULL, 0, prot, MSG_MAX,
                                         &pn, NULL, plain, n));
    enum oscar_oscore_verdict vd;
    struct oscar_group_recipient *who;
    OTEST_OK(
        oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, NULL, prot, pn));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, vd);
    OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_GROUP, NULL, 0, prot, MSG_MAX,
                                         &pn, NULL, plain, n));
    OTEST_OK(
        oscar_group_unprotect_request(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, NULL, prot, pn));
    OTEST_EQ_INT(OSCAR_OSCORE_NO_CONTEXT, vd);
    oscar_group_ctx_cleanup(&other);
    trio_close(&t);
}

static void test_shared_piv(void)
{
    /* one Sender Sequence Number for both modes (§2.5.3); the fault counts pairwise apart */
    for (int fault = 0; fault < 2; fault++) {
        struct trio t;
        trio_open(&t, &VECS[1], true);
        t.m[0].faults = fault ? OSCAR_GROUP_FAULT_SHARED_PIV : 0;
        uint8_t plain[MSG_MAX];
        uint8_t prot[MSG_MAX];
        size_t n = coap_get(plain, 6, "light");
        size_t pn;
        struct oscar_group_exchange a;
        struct oscar_group_exchange b;
        OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_GROUP, NULL, 0, prot,
                                             MSG_MAX, &pn, &a, plain, n));
        OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_PAIRWISE, t.m[1].sender_id,
                                             t.m[1].sender_id_len, prot, MSG_MAX, &pn, &b, plain,
                                             n));
        bool same = a.request_piv_len == b.request_piv_len &&
                    memcmp(a.request_piv, b.request_piv, a.request_piv_len) == 0;
        OTEST_CHECK(same == (fault == 1));
        trio_close(&t);
    }
}

static void test_echo_after_lost_state(void)
{
    /* §2.6.1, §9: a server that lost its replay windows challenges the first request of a sender
     * with a 4.01 + Echo, and accepts the retry that echoes it */
    for (int fault = 0; fault < 2; fault++) {
        struct trio t;
        trio_open(&t, &VECS[1], true);
        t.m[1].lost_state = true;
        t.m[1].faults = fault ? OSCAR_GROUP_FAULT_ACCEPT_INVALID_WINDOW : 0;
        uint8_t plain[MSG_MAX];
        uint8_t prot[MSG_MAX];
        uint8_t first[MSG_MAX];
        uint8_t dec[2 * MSG_MAX + 8];
        size_t n = coap_get(plain, 9, "light");
        size_t pn;
        size_t first_len;
        size_t dn;
        struct oscar_group_exchange cex;
        struct oscar_group_exchange sex;
        OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_GROUP, NULL, 0, first,
                                             MSG_MAX, &first_len, &cex, plain, n));
        enum oscar_oscore_verdict vd;
        struct oscar_group_recipient *who;
        OTEST_OK(oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, &sex,
                                               first, first_len));
        if (fault) {
            OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd); /* the fault: no freshness check */
            trio_close(&t);
            continue;
        }
        OTEST_EQ_INT(OSCAR_OSCORE_FRESHNESS_REQUIRED, vd);
        static const uint8_t echo[8] = {0xec, 1, 2, 3, 4, 5, 6, 7};
        uint8_t resp[MSG_MAX];
        size_t rn;
        OTEST_OK(oscar_group_echo_challenge(&t.m[1], OSCAR_GROUP_MODE_GROUP, who, &sex, echo,
                                            sizeof(echo), dec, dn, resp, MSG_MAX, &rn));
        OTEST_OK(oscar_group_unprotect_response(&t.m[0], &vd, &who, dec, sizeof(dec), &dn, &cex,
                                                resp, rn));
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
        struct oscar_coap_msg m;
        size_t off;
        OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&m, &off, dec, dn));
        OTEST_EQ_INT(OSCAR_COAP_CODE(4, 1), m.code);
        const struct oscar_coap_option *e = oscar_coap_find_option(&m, OSCAR_COAP_OPT_ECHO);
        OTEST_CHECK(e != NULL && e->len == sizeof(echo));
        /* the retry: pairwise, unicast, with the Echo value */
        struct oscar_coap_msg r;
        memset(&r, 0, sizeof(r));
        r.version = OSCAR_COAP_VERSION;
        r.type = OSCAR_COAP_TYPE_NON;
        r.code = OSCAR_COAP_CODE_GET;
        r.mid = 10;
        r.token_len = 1;
        r.token[0] = 10;
        OTEST_OK(oscar_coap_add_option(&r, OSCAR_COAP_OPT_ECHO, echo, sizeof(echo)));
        OTEST_OK(oscar_coap_serialize(plain, MSG_MAX, &n, &r));
        OTEST_OK(oscar_group_protect_request(&t.m[0], OSCAR_GROUP_MODE_PAIRWISE, t.m[1].sender_id,
                                             t.m[1].sender_id_len, prot, MSG_MAX, &pn, &cex, plain,
                                             n));
        OTEST_OK(oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, &sex,
                                               prot, pn));
        OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, vd);
        /* the window is valid now, its lower limit the retry's Partial IV: the first request is
         * old */
        OTEST_OK(oscar_group_unprotect_request(&t.m[1], &vd, &who, dec, sizeof(dec), &dn, &sex,
                                               first, first_len));
        OTEST_EQ_INT(OSCAR_OSCORE_REPLAY, vd);
        trio_close(&t);
    }
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_hackathon_derivation);
    OTEST_RUN(test_pairwise_keys_agree);
    OTEST_RUN(test_params_checked);
    OTEST_RUN(test_group_mode_round_trip);
    OTEST_RUN(test_bad_signature);
    OTEST_RUN(test_plain_signature_fault);
    OTEST_RUN(test_other_group_and_own_id);
    OTEST_RUN(test_shared_piv);
    OTEST_RUN(test_echo_after_lost_state);
    return otest_finish();
}
