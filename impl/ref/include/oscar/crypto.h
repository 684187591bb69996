/* oscar/crypto.h — algorithm table and the crypto operations Oscar's protocol code may use.
 *
 * Only impl/ref/crypto/ includes a crypto library; everything else goes through
 * struct oscar_crypto_ops, so one file per backend is the place to audit (STYLE.md rule 21). */
#ifndef OSCAR_CRYPTO_H
#define OSCAR_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscar/core.h"

/* COSE algorithm identifiers (RFC 9053 §4, RFC 8613 §3.2). */
#define OSCAR_COSE_ALG_A128GCM 1
#define OSCAR_COSE_ALG_A256GCM 3
#define OSCAR_COSE_ALG_AES_CCM_16_64_128 10
#define OSCAR_COSE_ALG_CHACHA20_POLY1305 24
#define OSCAR_COSE_ALG_AES_CCM_16_128_128 30
#define OSCAR_COSE_ALG_HKDF_SHA256 (-10)
#define OSCAR_COSE_ALG_HKDF_SHA512 (-11)

#define OSCAR_CRYPTO_KEY_MAX 32
#define OSCAR_CRYPTO_NONCE_MAX 13
#define OSCAR_CRYPTO_TAG_MAX 16
#define OSCAR_CRYPTO_HASH_MAX 64

/* struct oscar_alg_info describes one AEAD algorithm; every length in Oscar comes from here. */
struct oscar_alg_info {
    int32_t cose_id;
    const char *name; /* the COSE registry name, e.g. "AES-CCM-16-64-128" */
    size_t key_len;
    size_t nonce_len;
    size_t tag_len;
};

/* oscar_alg_find returns the table entry for COSE AEAD algorithm cose_id, or NULL if unsupported.
 */
const struct oscar_alg_info *oscar_alg_find(int32_t cose_id);

/* oscar_alg_by_index returns the i-th supported AEAD algorithm, or NULL past the end. */
const struct oscar_alg_info *oscar_alg_by_index(size_t i);

/* oscar_hkdf_hash_len returns the output length of HKDF algorithm cose_hkdf (COSE id), 0 if
 * unknown. */
size_t oscar_hkdf_hash_len(int32_t cose_hkdf);

/* OSCAR_AEAD_STATE_SIZE bounds the backend's expanded-key state kept in struct oscar_aead_key. */
#define OSCAR_AEAD_STATE_SIZE 1152

/* struct oscar_aead_key is an AEAD key prepared once (key schedule) and used for many messages.
 * Its state is owned by the backend that initialised it; copy it only with that backend's init. */
struct oscar_aead_key {
    const struct oscar_alg_info *alg;
    _Alignas(16) unsigned char state[OSCAR_AEAD_STATE_SIZE];
};

/* struct oscar_crypto_ops is a crypto backend. All functions return OSCAR_OK or an error; an
 * authentication failure in aead_open is not an error but *out_authentic == false. */
struct oscar_crypto_ops {
    const char *name;
    /* hkdf derives out_len bytes: HKDF(salt, ikm, info) with the hash of COSE id cose_hkdf
     * (RFC 5869; RFC 8613 §3.2.1). An empty salt means HashLen zero bytes. */
    enum oscar_err (*hkdf)(uint8_t *out, size_t out_len, int32_t cose_hkdf, const uint8_t *salt,
                           size_t salt_len, const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
                           size_t info_len);
    /* aead_key_init runs the key schedule of key->alg for key_bytes (key->alg->key_len bytes). */
    enum oscar_err (*aead_key_init)(struct oscar_aead_key *key, const struct oscar_alg_info *alg,
                                    const uint8_t *key_bytes);
    /* aead_key_cleanup wipes the expanded key. */
    void (*aead_key_cleanup)(struct oscar_aead_key *key);
    /* aead_seal writes pt_len + tag_len bytes (ciphertext || tag) to out. */
    enum oscar_err (*aead_seal)(struct oscar_aead_key *key, uint8_t *out, size_t out_cap,
                                const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                                const uint8_t *pt, size_t pt_len);
    /* aead_open verifies and decrypts ct (ciphertext || tag) into out (ct_len - tag_len bytes). */
    enum oscar_err (*aead_open)(struct oscar_aead_key *key, bool *out_authentic, uint8_t *out,
                                size_t out_cap, const uint8_t *nonce, const uint8_t *aad,
                                size_t aad_len, const uint8_t *ct, size_t ct_len);
};

/* oscar_crypto_wolfssl returns the wolfCrypt backend (static; never NULL). */
const struct oscar_crypto_ops *oscar_crypto_wolfssl(void);

#endif
