/* crypto/wolfssl.c — the wolfCrypt backend of struct oscar_crypto_ops, and the only file of the
 * reference implementation that includes wolfSSL (STYLE.md rule 21). */
#include <wolfssl/options.h>

#include <string.h>

#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/curve25519.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>
#include <wolfssl/version.h>

#include "oscar/crypto.h"

_Static_assert(sizeof(Aes) <= OSCAR_AEAD_STATE_SIZE, "OSCAR_AEAD_STATE_SIZE too small for Aes");
_Static_assert(CHACHA20_POLY1305_AEAD_KEYSIZE <= OSCAR_AEAD_STATE_SIZE, "state too small");

static Aes *aes_of(struct oscar_aead_key *key)
{
    return (Aes *)(void *)key->state;
}

static enum oscar_err wolf_hkdf(uint8_t *out, size_t out_len, int32_t cose_hkdf,
                                const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
                                size_t ikm_len, const uint8_t *info, size_t info_len)
{
    int type;
    switch (cose_hkdf) {
    case OSCAR_COSE_ALG_HKDF_SHA256:
        type = WC_SHA256;
        break;
    case OSCAR_COSE_ALG_HKDF_SHA512:
        type = WC_SHA512;
        break;
    default:
        return OSCAR_ERR_UNSUPPORTED_HKDF;
    }
    if (out_len > 255 * oscar_hkdf_hash_len(cose_hkdf)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    int rc = wc_HKDF(type, ikm, (word32)ikm_len, salt_len ? salt : NULL, (word32)salt_len, info,
                     (word32)info_len, out, (word32)out_len);
    return rc == 0 ? OSCAR_OK : OSCAR_ERR_CRYPTO;
}

static enum oscar_err wolf_aead_key_init(struct oscar_aead_key *key,
                                         const struct oscar_alg_info *alg, const uint8_t *key_bytes)
{
    int rc;
    memset(key, 0, sizeof(*key));
    key->alg = alg;
    switch (alg->cose_id) {
    case OSCAR_COSE_ALG_AES_CCM_16_64_128:
    case OSCAR_COSE_ALG_AES_CCM_16_128_128:
        rc = wc_AesInit(aes_of(key), NULL, INVALID_DEVID);
        if (rc == 0) {
            rc = wc_AesCcmSetKey(aes_of(key), key_bytes, (word32)alg->key_len);
        }
        break;
    case OSCAR_COSE_ALG_A128GCM:
    case OSCAR_COSE_ALG_A256GCM:
        rc = wc_AesInit(aes_of(key), NULL, INVALID_DEVID);
        if (rc == 0) {
            rc = wc_AesGcmSetKey(aes_of(key), key_bytes, (word32)alg->key_len);
        }
        break;
    case OSCAR_COSE_ALG_CHACHA20_POLY1305:
        memcpy(key->state, key_bytes, CHACHA20_POLY1305_AEAD_KEYSIZE);
        rc = 0;
        break;
    default:
        key->alg = NULL;
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    if (rc != 0) {
        key->alg = NULL;
        return OSCAR_ERR_CRYPTO;
    }
    return OSCAR_OK;
}

static void wolf_aead_key_cleanup(struct oscar_aead_key *key)
{
    if (key->alg != NULL && key->alg->cose_id != OSCAR_COSE_ALG_CHACHA20_POLY1305) {
        wc_AesFree(aes_of(key));
    }
    oscar_secure_zero(key->state, sizeof(key->state));
    key->alg = NULL;
}

static enum oscar_err wolf_aead_seal(struct oscar_aead_key *key, uint8_t *out, size_t out_cap,
                                     const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                                     const uint8_t *pt, size_t pt_len)
{
    const struct oscar_alg_info *alg = key->alg;
    if (alg == NULL) {
        return OSCAR_ERR_STATE;
    }
    if (out_cap < pt_len + alg->tag_len) {
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    int rc;
    switch (alg->cose_id) {
    case OSCAR_COSE_ALG_AES_CCM_16_64_128:
    case OSCAR_COSE_ALG_AES_CCM_16_128_128:
        rc = wc_AesCcmEncrypt(aes_of(key), out, pt, (word32)pt_len, nonce, (word32)alg->nonce_len,
                              out + pt_len, (word32)alg->tag_len, aad, (word32)aad_len);
        break;
    case OSCAR_COSE_ALG_A128GCM:
    case OSCAR_COSE_ALG_A256GCM:
        rc = wc_AesGcmEncrypt(aes_of(key), out, pt, (word32)pt_len, nonce, (word32)alg->nonce_len,
                              out + pt_len, (word32)alg->tag_len, aad, (word32)aad_len);
        break;
    case OSCAR_COSE_ALG_CHACHA20_POLY1305:
        rc = wc_ChaCha20Poly1305_Encrypt(key->state, nonce, aad, (word32)aad_len, pt,
                                         (word32)pt_len, out, out + pt_len);
        break;
    default:
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    return rc == 0 ? OSCAR_OK : OSCAR_ERR_CRYPTO;
}

static enum oscar_err wolf_aead_open(struct oscar_aead_key *key, bool *out_authentic, uint8_t *out,
                                     size_t out_cap, const uint8_t *nonce, const uint8_t *aad,
                                     size_t aad_len, const uint8_t *ct, size_t ct_len)
{
    const struct oscar_alg_info *alg = key->alg;
    *out_authentic = false;
    if (alg == NULL) {
        return OSCAR_ERR_STATE;
    }
    if (ct_len < alg->tag_len) {
        return OSCAR_OK; /* too short to carry a tag: not authentic */
    }
    size_t pt_len = ct_len - alg->tag_len;
    if (out_cap < pt_len) {
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    int rc;
    switch (alg->cose_id) {
    case OSCAR_COSE_ALG_AES_CCM_16_64_128:
    case OSCAR_COSE_ALG_AES_CCM_16_128_128:
        rc = wc_AesCcmDecrypt(aes_of(key), out, ct, (word32)pt_len, nonce, (word32)alg->nonce_len,
                              ct + pt_len, (word32)alg->tag_len, aad, (word32)aad_len);
        if (rc == AES_CCM_AUTH_E) {
            return OSCAR_OK;
        }
        break;
    case OSCAR_COSE_ALG_A128GCM:
    case OSCAR_COSE_ALG_A256GCM:
        rc = wc_AesGcmDecrypt(aes_of(key), out, ct, (word32)pt_len, nonce, (word32)alg->nonce_len,
                              ct + pt_len, (word32)alg->tag_len, aad, (word32)aad_len);
        if (rc == AES_GCM_AUTH_E) {
            return OSCAR_OK;
        }
        break;
    case OSCAR_COSE_ALG_CHACHA20_POLY1305:
        rc = wc_ChaCha20Poly1305_Decrypt(key->state, nonce, aad, (word32)aad_len, ct,
                                         (word32)pt_len, ct + pt_len, out);
        if (rc == MAC_CMP_FAILED_E) {
            return OSCAR_OK;
        }
        break;
    default:
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    if (rc != 0) {
        return OSCAR_ERR_CRYPTO;
    }
    *out_authentic = true;
    return OSCAR_OK;
}

/* p256_private loads scalar d (and, when pub is not NULL, its public key x || y) into key. */
static int p256_private(ecc_key *key, const uint8_t *d, const uint8_t *pub)
{
    int rc = wc_ecc_init(key);
    if (rc != 0) {
        return rc;
    }
    if (pub != NULL) {
        return wc_ecc_import_unsigned(key, pub, pub + 32, d, ECC_SECP256R1);
    }
    rc = wc_ecc_import_private_key_ex(d, 32, NULL, 0, key, ECC_SECP256R1);
    return rc != 0 ? rc : wc_ecc_make_pub(key, NULL);
}

static enum oscar_err wolf_sig_public(int32_t cose_sig, const uint8_t *priv, uint8_t *pub)
{
    int rc;
    if (cose_sig == OSCAR_COSE_ALG_EDDSA) {
        ed25519_key k;
        rc = wc_ed25519_init(&k);
        if (rc == 0) {
            rc = wc_ed25519_import_private_only(priv, ED25519_KEY_SIZE, &k);
        }
        if (rc == 0) {
            rc = wc_ed25519_make_public(&k, pub, ED25519_PUB_KEY_SIZE);
        }
        wc_ed25519_free(&k);
    } else if (cose_sig == OSCAR_COSE_ALG_ES256) {
        ecc_key k;
        rc = p256_private(&k, priv, NULL);
        word32 xl = 32;
        word32 yl = 32;
        if (rc == 0) {
            rc = wc_ecc_export_public_raw(&k, pub, &xl, pub + 32, &yl);
        }
        wc_ecc_free(&k);
        rc = rc == 0 && (xl != 32 || yl != 32) ? -1 : rc;
    } else {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    return rc == 0 ? OSCAR_OK : OSCAR_ERR_CRYPTO;
}

static enum oscar_err wolf_sign(int32_t cose_sig, const uint8_t *priv, const uint8_t *pub,
                                const uint8_t *msg, size_t msg_len, uint8_t sig[OSCAR_SIG_MAX])
{
    static const uint8_t empty[1];
    msg = msg != NULL ? msg : empty; /* wolfCrypt refuses NULL even for 0 bytes */
    int rc;
    if (cose_sig == OSCAR_COSE_ALG_EDDSA) {
        ed25519_key k;
        word32 len = ED25519_SIG_SIZE;
        rc = wc_ed25519_init(&k);
        if (rc == 0) {
            rc = wc_ed25519_import_private_key(priv, ED25519_KEY_SIZE, pub, ED25519_PUB_KEY_SIZE,
                                               &k);
        }
        if (rc == 0) {
            rc = wc_ed25519_sign_msg(msg, (word32)msg_len, sig, &len, &k);
        }
        wc_ed25519_free(&k);
        return rc == 0 && len == ED25519_SIG_SIZE ? OSCAR_OK : OSCAR_ERR_CRYPTO;
    }
    if (cose_sig != OSCAR_COSE_ALG_ES256) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    /* ES256: SHA-256, ECDSA with k from RFC 6979, the DER signature cut into r || s */
    uint8_t hash[WC_SHA256_DIGEST_SIZE];
    uint8_t der[ECC_MAX_SIG_SIZE];
    word32 der_len = sizeof(der);
    uint8_t r[32];
    uint8_t s[32];
    word32 rl = sizeof(r);
    word32 sl = sizeof(s);
    ecc_key k;
    WC_RNG rng;
    rc = wc_Sha256Hash(msg, (word32)msg_len, hash);
    if (rc == 0) {
        rc = wc_InitRng(&rng);
        if (rc != 0) {
            return OSCAR_ERR_CRYPTO;
        }
        rc = p256_private(&k, priv, pub);
        if (rc == 0) {
            rc = wc_ecc_set_deterministic(&k, 1);
        }
        if (rc == 0) {
            rc = wc_ecc_sign_hash(hash, sizeof(hash), der, &der_len, &rng, &k);
        }
        if (rc == 0) {
            rc = wc_ecc_sig_to_rs(der, der_len, r, &rl, s, &sl);
        }
        wc_ecc_free(&k);
        wc_FreeRng(&rng);
    }
    if (rc != 0 || rl > 32 || sl > 32) {
        return OSCAR_ERR_CRYPTO;
    }
    /* r and s come without leading zeros: left-pad each to 32 bytes (RFC 9053 §2.1) */
    memset(sig, 0, 64);
    memcpy(sig + 32 - rl, r, rl);
    memcpy(sig + 64 - sl, s, sl);
    return OSCAR_OK;
}

static enum oscar_err wolf_verify(int32_t cose_sig, const uint8_t *pub, const uint8_t *msg,
                                  size_t msg_len, const uint8_t *sig, size_t sig_len,
                                  bool *out_valid)
{
    static const uint8_t empty[1];
    msg = msg != NULL ? msg : empty;
    int rc;
    int res = 0;
    *out_valid = false;
    if (sig_len != OSCAR_SIG_MAX) {
        return oscar_sig_pub_len(cose_sig) ? OSCAR_OK : OSCAR_ERR_UNSUPPORTED_ALG;
    }
    if (cose_sig == OSCAR_COSE_ALG_EDDSA) {
        ed25519_key k;
        rc = wc_ed25519_init(&k);
        if (rc == 0 && wc_ed25519_import_public(pub, ED25519_PUB_KEY_SIZE, &k) == 0 &&
            wc_ed25519_verify_msg(sig, (word32)sig_len, msg, (word32)msg_len, &res, &k) == 0) {
            *out_valid = res == 1;
        }
        wc_ed25519_free(&k);
        return rc == 0 ? OSCAR_OK : OSCAR_ERR_CRYPTO;
    }
    if (cose_sig != OSCAR_COSE_ALG_ES256) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    uint8_t hash[WC_SHA256_DIGEST_SIZE];
    uint8_t der[ECC_MAX_SIG_SIZE];
    word32 der_len = sizeof(der);
    ecc_key k;
    if (wc_Sha256Hash(msg, (word32)msg_len, hash) != 0 || wc_ecc_init(&k) != 0) {
        return OSCAR_ERR_CRYPTO;
    }
    /* no wc_ecc_check_key: a verification involves no secret and an off-curve key just fails
     * it (ECDH below keeps the check) */
    if (wc_ecc_import_unsigned(&k, pub, pub + 32, NULL, ECC_SECP256R1) == 0 &&
        wc_ecc_rs_raw_to_sig(sig, 32, sig + 32, 32, der, &der_len) == 0 &&
        wc_ecc_verify_hash(der, der_len, hash, sizeof(hash), &res, &k) == 0) {
        *out_valid = res == 1;
    }
    wc_ecc_free(&k);
    return OSCAR_OK;
}

static enum oscar_err wolf_ecdh(int32_t cose_sig, const uint8_t *priv, const uint8_t *peer_pub,
                                uint8_t out[OSCAR_SHARED_SECRET_LEN])
{
    int rc;
    word32 len = OSCAR_SHARED_SECRET_LEN;
    if (cose_sig == OSCAR_COSE_ALG_EDDSA) {
        /* RFC 10021 §2.5.2.1: the X25519 scalar is the first half of SHA-512(seed), clamped
         * (RFC 8032 §5.1.5 step 2); the peer's u comes from its y */
        uint8_t h[WC_SHA512_DIGEST_SIZE];
        uint8_t u[32];
        if (oscar_ed25519_to_x25519_public(u, peer_pub) != OSCAR_OK) {
            return OSCAR_ERR_INVALID_ARG;
        }
        if (wc_Sha512Hash(priv, OSCAR_SIG_PRIV_LEN, h) != 0) {
            return OSCAR_ERR_CRYPTO;
        }
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        curve25519_key own;
        curve25519_key peer;
        rc = wc_curve25519_init(&own);
        if (rc == 0) {
            rc = wc_curve25519_init(&peer);
        }
        if (rc == 0) {
            rc = wc_curve25519_import_private_ex(h, 32, &own, EC25519_LITTLE_ENDIAN);
        }
        if (rc == 0) {
            rc = wc_curve25519_import_public_ex(u, 32, &peer, EC25519_LITTLE_ENDIAN);
        }
        if (rc == 0) {
            rc = wc_curve25519_shared_secret_ex(&own, &peer, out, &len, EC25519_LITTLE_ENDIAN);
        }
        wc_curve25519_free(&own);
        wc_curve25519_free(&peer);
        memset(h, 0, sizeof(h));
        return rc == 0 && len == 32 ? OSCAR_OK : OSCAR_ERR_CRYPTO;
    }
    if (cose_sig != OSCAR_COSE_ALG_ES256) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    ecc_key own;
    ecc_key peer;
    WC_RNG rng;
    if (wc_InitRng(&rng) != 0) {
        return OSCAR_ERR_CRYPTO;
    }
    rc = p256_private(&own, priv, NULL);
    bool peer_ok = false;
    if (rc == 0) {
        rc = wc_ecc_init(&peer);
    }
    if (rc == 0) {
        peer_ok =
            wc_ecc_import_unsigned(&peer, peer_pub, peer_pub + 32, NULL, ECC_SECP256R1) == 0 &&
            wc_ecc_check_key(&peer) == 0;
        rc = wc_ecc_set_rng(&own, &rng);
        if (rc == 0 && peer_ok) {
            rc = wc_ecc_shared_secret(&own, &peer, out, &len);
        }
        wc_ecc_free(&peer);
    }
    wc_ecc_free(&own);
    wc_FreeRng(&rng);
    if (rc == 0 && !peer_ok) {
        return OSCAR_ERR_INVALID_ARG;
    }
    return rc == 0 && len == 32 ? OSCAR_OK : OSCAR_ERR_CRYPTO;
}

static const struct oscar_crypto_ops wolf_ops = {
    .name = "wolfCrypt " LIBWOLFSSL_VERSION_STRING,
    .hkdf = wolf_hkdf,
    .aead_key_init = wolf_aead_key_init,
    .aead_key_cleanup = wolf_aead_key_cleanup,
    .aead_seal = wolf_aead_seal,
    .aead_open = wolf_aead_open,
    .sig_public = wolf_sig_public,
    .sign = wolf_sign,
    .verify = wolf_verify,
    .ecdh = wolf_ecdh,
};

const struct oscar_crypto_ops *oscar_crypto_wolfssl(void)
{
    return &wolf_ops;
}
