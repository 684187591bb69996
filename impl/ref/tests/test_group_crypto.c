/* test_group_crypto.c — the signature and key agreement operations of the crypto backend that
 * Group OSCORE needs (RFC 10021 §2.5, §3.1, §10): public keys from private keys, EdDSA and ES256
 * signatures, static-static ECDH on P-256 and on Ed25519 keys mapped to X25519.
 *
 * Known answers: RFC 8032 §7.1 TEST 1 (Ed25519), and the IETF 109 hackathon Group OSCORE key
 * material (vectors/group-oscore-legacy-hackathon.json: "Rikard Test 1" P-256 and "Rikard Test 2"
 * Ed25519 entities and their pairwise shared secrets, re-verified independently). */
#include "oscar/crypto.h"
#include "otest.h"

struct entity {
    const char *d;
    const char *pub; /* Ed25519: x; P-256: x || y */
};

static const struct entity P256[3] = {
    {"fea2190084748436543c5ec8e329d2afbd7068054f595ca1f987b9e43e2205e6",
     "1adb2ab6af48f17c9877cf77db4fa39dc0923fbe215e576fe6f790b1ff2cbc96"
     "64ce3dd128cc4efa6de209be8abd111c7272f612c2db654057b6ec00fbfb0684"},
    {"da2593a6e0bcc81a5941069cb76303487816a2f4e6c0f21737b56a7c90381597",
     "0eb313b4d314a1001244776d321f2dd88a5a31df06a6eeae0a79832d39408bc1"
     "1897a28666fe1cc4facef79cc7bdecdc271f2a619a00844fcd553a12dd679a4f"},
    {"bf31d3f9670a7d1342259e700f48dd9983a5f9df80d58994c667b6ebfd23270e",
     "fad4312a45f45a3212810905b223800f6ced4bc8d5bacbc8d33bb60c45fc98dd"
     "5694315ad17a4da5e3f69ca02f83e9c3d594712137ed8afb748a70491598f9cd"},
};
static const char *const P256_SECRETS[2] = {
    "56ede6c59e919031cfc8afa3e74a7b7615c2e7a08494cf3638c78757293adc80", /* 1 with 2 */
    "f568ec5f7df45db137fc79a27595eba737b62e8ee385c7309e316dd409de6953", /* 1 with 3 */
};

static const struct entity ED[3] = {
    {"397ceb5a8d21d74a9258c20c33fc45ab152b02cf479b2e3081285f77454cf347",
     "ce616f28426ef24edb51dbcef7a23305f886f657959d4df889ddfc0255042159"},
    {"70559b9eecdc578d5fc2ca37f9969630029f1592aff3306392ab15546c6a184a",
     "2668ba6ca302f14e952228da1250a890c143fdba4daed27246188b9e42c94b6d"},
    {"e550cd532b881d52ad75ce7b91171063e568f2531fbdfb32ee01d1910bcf810f",
     "5394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df"},
};
static const char *const ED_SECRETS[2] = {
    "4546babdb9482396c167af11d21953bfa49eb9f630c45de93ee4d3b9ef059576",
    "bb11648af3dfebb35e612914a7a21fc751b001aceb0267c5536528e2b9261450",
};

static void check_group(int32_t alg, const struct entity *e, const char *const *secrets)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    size_t pub_len = oscar_sig_pub_len(alg);
    uint8_t d[3][32];
    uint8_t pub[3][64];
    for (int i = 0; i < 3; i++) {
        uint8_t got[64];
        OTEST_EQ_INT(32, otest_unhex(d[i], 32, e[i].d));
        OTEST_EQ_INT(pub_len, otest_unhex(pub[i], 64, e[i].pub));
        OTEST_OK(c->sig_public(alg, d[i], got));
        OTEST_EQ_BYTES(pub[i], pub_len, got, pub_len);
    }
    for (int k = 0; k < 2; k++) {
        uint8_t want[32];
        uint8_t ab[32];
        uint8_t ba[32];
        otest_unhex(want, 32, secrets[k]);
        OTEST_OK(c->ecdh(alg, d[0], pub[k + 1], ab));
        OTEST_OK(c->ecdh(alg, d[k + 1], pub[0], ba));
        OTEST_EQ_BYTES(want, 32, ab, 32);
        OTEST_EQ_BYTES(want, 32, ba, 32);
    }
    /* sign and verify; any flipped bit of message or signature is refused */
    static const uint8_t msg[] = "Countersign_structure";
    uint8_t sig[64];
    uint8_t again[64];
    bool ok;
    OTEST_OK(c->sign(alg, d[0], pub[0], msg, sizeof(msg), sig));
    OTEST_OK(c->sign(alg, d[0], pub[0], msg, sizeof(msg), again));
    OTEST_EQ_BYTES(sig, 64, again, 64); /* deterministic: EdDSA, and ES256 with RFC 6979 */
    OTEST_OK(c->verify(alg, pub[0], msg, sizeof(msg), sig, 64, &ok));
    OTEST_CHECK(ok);
    OTEST_OK(c->verify(alg, pub[1], msg, sizeof(msg), sig, 64, &ok));
    OTEST_CHECK(!ok);
    uint8_t bad[sizeof(msg)];
    memcpy(bad, msg, sizeof(msg));
    bad[3] ^= 0x10;
    OTEST_OK(c->verify(alg, pub[0], bad, sizeof(bad), sig, 64, &ok));
    OTEST_CHECK(!ok);
    sig[63] ^= 0x01;
    OTEST_OK(c->verify(alg, pub[0], msg, sizeof(msg), sig, 64, &ok));
    OTEST_CHECK(!ok);
    OTEST_OK(c->verify(alg, pub[0], msg, sizeof(msg), sig, 63, &ok));
    OTEST_CHECK(!ok);
}

static void test_p256_hackathon(void)
{
    check_group(OSCAR_COSE_ALG_ES256, P256, P256_SECRETS);
}

static void test_ed25519_hackathon(void)
{
    check_group(OSCAR_COSE_ALG_EDDSA, ED, ED_SECRETS);
}

static void test_ed25519_rfc8032(void)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    uint8_t d[32];
    uint8_t pub[32];
    uint8_t want[64];
    uint8_t got[64];
    otest_unhex(d, 32, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    otest_unhex(pub, 32, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    otest_unhex(want, 64,
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
                "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    OTEST_OK(c->sig_public(OSCAR_COSE_ALG_EDDSA, d, got));
    OTEST_EQ_BYTES(pub, 32, got, 32);
    OTEST_OK(c->sign(OSCAR_COSE_ALG_EDDSA, d, pub, NULL, 0, got));
    OTEST_EQ_BYTES(want, 64, got, 64);
}

static void test_x25519_map_edges(void)
{
    uint8_t y[32] = {0};
    uint8_t u[32];
    y[0] = 1; /* y = 1: 1 - y = 0 */
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, oscar_ed25519_to_x25519_public(u, y));
    /* y = -1 = p - 1: u = 0 */
    otest_unhex(y, 32, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, oscar_ed25519_to_x25519_public(u, y));
    /* y = p: not canonical */
    otest_unhex(y, 32, "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, oscar_ed25519_to_x25519_public(u, y));
    /* the sign bit of x does not change u; y = 0 gives u = 1 */
    memset(y, 0, sizeof(y));
    OTEST_OK(oscar_ed25519_to_x25519_public(u, y));
    uint8_t one[32] = {1};
    OTEST_EQ_BYTES(one, 32, u, 32);
    y[31] = 0x80;
    OTEST_OK(oscar_ed25519_to_x25519_public(u, y));
    OTEST_EQ_BYTES(one, 32, u, 32);
    /* an off-curve P-256 point is refused by ECDH, not used */
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    uint8_t d[32];
    uint8_t pub[64];
    uint8_t out[32];
    otest_unhex(d, 32, P256[0].d);
    otest_unhex(pub, 64, P256[1].pub);
    pub[63] ^= 1;
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, c->ecdh(OSCAR_COSE_ALG_ES256, d, pub, out));
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_p256_hackathon);
    OTEST_RUN(test_ed25519_hackathon);
    OTEST_RUN(test_ed25519_rfc8032);
    OTEST_RUN(test_x25519_map_edges);
    return otest_finish();
}
