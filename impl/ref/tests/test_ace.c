/* test_ace.c — the ACE pieces of oscar/ace.h and the strict CBOR reader of oscar/cbor.h:
 * proof-of-possession inputs and the OSCORE-profile Master Salt against the examples of RFC 9594
 * §3.3.1 / §4.3.1 and RFC 9203 §4.3 (shared/spec SPECS.md §4), the AIF scope of Group OSCORE,
 * and access tokens checked in RFC 9200's order, each failure with its code (negative controls:
 * one broken token per check). */
#include "oscar/ace.h"
#include "oscar/coap.h"
#include "otest.h"

static void check_concat(const char *const *parts_hex, size_t n, const char *want_hex)
{
    uint8_t bufs[4][32];
    const uint8_t *parts[4];
    size_t lens[4];
    for (size_t i = 0; i < n; i++) {
        lens[i] = otest_unhex(bufs[i], sizeof(bufs[i]), parts_hex[i]);
        parts[i] = bufs[i];
    }
    uint8_t want[128];
    uint8_t got[128];
    size_t want_len = otest_unhex(want, sizeof(want), want_hex);
    size_t got_len;
    OTEST_OK(oscar_ace_concat_bstr(got, sizeof(got), &got_len, parts, lens, n));
    OTEST_EQ_BYTES(want, want_len, got, got_len);
}

static void test_pop_inputs_and_salt(void)
{
    /* RFC 9594 §3.3.1: bstr(scope) | bstr(N_S) | bstr(N_C) */
    static const char *const pop[] = {"826667726f7570316673656e646572", "018a278f7faab55a",
                                      "25a8991cd700ac01"};
    check_concat(pop, 3, "4f826667726f7570316673656e646572 48018a278f7faab55a 4825a8991cd700ac01");
    /* RFC 9594 §4.3.1: the KDC's bstr(N_C) | bstr(N_KDC) */
    static const char *const kdc[] = {"25a8991cd700ac01", "cef04b2aa791bc6d"};
    check_concat(kdc, 2, "4825a8991cd700ac01 48cef04b2aa791bc6d");
    /* RFC 9203 §4.3: Master Salt = bstr(salt) | bstr(N1) | bstr(N2) */
    static const char *const salt[] = {"f9af838368e353e78888e1426bd94e6f", "018a278f7faab55a",
                                       "25a8991cd700ac01"};
    check_concat(salt, 3,
                 "50f9af838368e353e78888e1426bd94e6f 48018a278f7faab55a 4825a8991cd700ac01");
}

static void test_scope(void)
{
    struct oscar_ace_scope_entry e[2] = {{"gp1", 6}, {"gp2", 1u << OSCAR_ACE_ROLE_MONITOR}};
    uint8_t buf[64];
    size_t n;
    OTEST_OK(oscar_ace_scope_encode(buf, sizeof(buf), &n, e, 1));
    uint8_t want[16];
    size_t want_len = otest_unhex(want, sizeof(want), "81 82 63 677031 06");
    OTEST_EQ_BYTES(want, want_len, buf, n);
    OTEST_OK(oscar_ace_scope_encode(buf, sizeof(buf), &n, e, 2));
    struct oscar_ace_scope_entry back[8];
    size_t num;
    char why[160];
    OTEST_CHECK(oscar_ace_scope_decode(buf, n, back, 8, &num, why, sizeof(why)));
    OTEST_EQ_INT(2, num);
    OTEST_CHECK(strcmp(back[1].gname, "gp2") == 0 && back[1].perm == 8);
    /* roles a member may not ask for (key-groupcomm-oscore §3) */
    static const uint64_t bad[] = {0, 1, 2 | 8, 4 | 8, 32};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        OTEST_CHECK(!oscar_ace_roles_valid(bad[i], why, sizeof(why)));
        e[0].perm = bad[i];
        OTEST_OK(oscar_ace_scope_encode(buf, sizeof(buf), &n, e, 1));
        OTEST_CHECK(!oscar_ace_scope_decode(buf, n, back, 8, &num, why, sizeof(why)));
    }
    OTEST_CHECK(oscar_ace_roles_valid(16, why, sizeof(why))); /* Verifier */
    /* not a scope: a map, trailing bytes, a text permission */
    static const char *const junk[] = {"a0", "81826367703106 00", "818263677031 6131"};
    for (size_t i = 0; i < 3; i++) {
        n = otest_unhex(buf, sizeof(buf), junk[i]);
        OTEST_CHECK(!oscar_ace_scope_decode(buf, n, back, 8, &num, why, sizeof(why)));
    }
}

static void test_strict_reader(void)
{
    /* each: rejected, with its reason in the error */
    static const struct {
        const char *hex;
        const char *reason;
    } bad[] = {
        {"1805", "non-minimal"},  {"190017", "non-minimal"},  {"9f01ff", "indefinite"},
        {"43 0102", "truncated"}, {"fa3f800000", "floating"}, {"1c", "reserved"},
        {"", "truncated"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t b[16];
        size_t n = otest_unhex(b, sizeof(b), bad[i].hex);
        struct oscar_cbor_reader r;
        struct oscar_cbor_item it;
        oscar_cbor_reader_init(&r, b, n);
        OTEST_CHECK(!oscar_cbor_read(&r, &it));
        if (strstr(r.error, bad[i].reason) == NULL) {
            fprintf(stderr, "    %s: error \"%s\" lacks \"%s\"\n", bad[i].hex, r.error,
                    bad[i].reason);
            OTEST_CHECK(false);
        }
    }
    /* nested skip past an array announcing more items than bytes */
    uint8_t b[4] = {0x85, 0x01, 0x02, 0x03};
    struct oscar_cbor_reader r;
    oscar_cbor_reader_init(&r, b, sizeof(b));
    OTEST_CHECK(!oscar_cbor_skip(&r));
}

/* the Authorization Server and the joining node of these tests */
static uint8_t as_d[32];
static uint8_t as_pub[32];
static uint8_t client_pub[32];

static void keys(void)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    uint8_t client_d[32];
    otest_unhex(as_d, 32, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    otest_unhex(client_d, 32, "397ceb5a8d21d74a9258c20c33fc45ab152b02cf479b2e3081285f77454cf347");
    OTEST_OK(c->sig_public(OSCAR_COSE_ALG_EDDSA, as_d, as_pub));
    OTEST_OK(c->sig_public(OSCAR_COSE_ALG_EDDSA, client_d, client_pub));
}

static void good_claims(struct oscar_ace_claims *cl)
{
    memset(cl, 0, sizeof(*cl));
    snprintf(cl->iss, sizeof(cl->iss), "as.example");
    snprintf(cl->aud, sizeof(cl->aud), "gm.example");
    cl->exp = 2000000000;
    cl->iat = 1700000000;
    struct oscar_ace_scope_entry e = {"gp1", 6};
    OTEST_OK(oscar_ace_scope_encode(cl->scope, sizeof(cl->scope), &cl->scope_len, &e, 1));
    memcpy(cl->cnf_pub, client_pub, 32);
    cl->cnf_pub_len = 32;
}

static enum oscar_ace_token_verdict check(const struct oscar_ace_claims *cl, bool flip_sig,
                                          char *why, size_t why_cap)
{
    uint8_t token[1024];
    size_t n;
    OTEST_OK(
        oscar_ace_cwt_sign(oscar_crypto_wolfssl(), as_d, as_pub, cl, token, sizeof(token), &n));
    if (flip_sig) {
        token[n - 1] ^= 1;
    }
    struct oscar_ace_claims got;
    return oscar_ace_cwt_check(oscar_crypto_wolfssl(), as_pub, "as.example", "gm.example",
                               1800000000, token, n, &got, why, why_cap);
}

static void test_token_checks(void)
{
    keys();
    struct oscar_ace_claims cl;
    char why[256];
    good_claims(&cl);
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_OK, check(&cl, false, why, sizeof(why)));
    OTEST_EQ_INT(OSCAR_COAP_CODE(2, 1), oscar_ace_token_code(OSCAR_ACE_TOKEN_OK));
    /* one broken token per check, in RFC 9200 §5.10.1.1's order, with its code */
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_BAD_SIGNATURE, check(&cl, true, why, sizeof(why)));
    good_claims(&cl);
    snprintf(cl.iss, sizeof(cl.iss), "rogue-as");
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_WRONG_ISSUER, check(&cl, false, why, sizeof(why)));
    good_claims(&cl);
    cl.exp = 1700000001;
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_EXPIRED, check(&cl, false, why, sizeof(why)));
    good_claims(&cl);
    snprintf(cl.aud, sizeof(cl.aud), "other-gm");
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_WRONG_AUDIENCE, check(&cl, false, why, sizeof(why)));
    OTEST_EQ_INT(OSCAR_COAP_CODE(4, 3), oscar_ace_token_code(OSCAR_ACE_TOKEN_WRONG_AUDIENCE));
    good_claims(&cl);
    struct oscar_ace_scope_entry e = {"gp1", 2 | 8}; /* Requester + Monitor */
    OTEST_OK(oscar_ace_scope_encode(cl.scope, sizeof(cl.scope), &cl.scope_len, &e, 1));
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_BAD_SCOPE, check(&cl, false, why, sizeof(why)));
    OTEST_CHECK(strstr(why, "Monitor") != NULL);
    OTEST_EQ_INT(OSCAR_COAP_CODE(4, 0), oscar_ace_token_code(OSCAR_ACE_TOKEN_BAD_SCOPE));
    /* not a token at all */
    static const uint8_t junk[] = {0x83, 0x01, 0x02, 0x03};
    struct oscar_ace_claims got;
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_MALFORMED,
                 oscar_ace_cwt_check(oscar_crypto_wolfssl(), as_pub, "as.example", "gm.example",
                                     1800000000, junk, sizeof(junk), &got, why, sizeof(why)));
    /* the order: a token both expired and for another audience is refused as expired (4.01) */
    good_claims(&cl);
    cl.exp = 1700000001;
    snprintf(cl.aud, sizeof(cl.aud), "other-gm");
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_EXPIRED, check(&cl, false, why, sizeof(why)));
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_pop_inputs_and_salt);
    OTEST_RUN(test_scope);
    OTEST_RUN(test_strict_reader);
    OTEST_RUN(test_token_checks);
    return otest_finish();
}
