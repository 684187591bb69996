/* crypto/wolfssl.c — the wolfCrypt backend of struct oscar_crypto_ops, and the only file of the
 * reference implementation that includes wolfSSL (STYLE.md rule 21). */
#include <wolfssl/options.h>

#include <string.h>

#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/hmac.h>
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

static const struct oscar_crypto_ops wolf_ops = {
    .name = "wolfCrypt " LIBWOLFSSL_VERSION_STRING,
    .hkdf = wolf_hkdf,
    .aead_key_init = wolf_aead_key_init,
    .aead_key_cleanup = wolf_aead_key_cleanup,
    .aead_seal = wolf_aead_seal,
    .aead_open = wolf_aead_open,
};

const struct oscar_crypto_ops *oscar_crypto_wolfssl(void)
{
    return &wolf_ops;
}
