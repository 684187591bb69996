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

/* COSE signature algorithms and curves of Group OSCORE (RFC 9053 §2.1, §2.2, §7.1; RFC 10021
 * §10: EdDSA with Ed25519 and ES256 with P-256; pairwise keys by ECDH on the same keys). */
#define OSCAR_COSE_ALG_ES256 (-7)
#define OSCAR_COSE_ALG_EDDSA (-8)
#define OSCAR_COSE_ALG_ECDH_SS_HKDF_256 (-27)
#define OSCAR_COSE_CRV_P256 1
#define OSCAR_COSE_CRV_X25519 4
#define OSCAR_COSE_CRV_ED25519 6

#define OSCAR_SIG_MAX 64      /* Ed25519 and ES256 (r || s) signatures */
#define OSCAR_SIG_PUB_MAX 64  /* Ed25519: 32 bytes; P-256: x || y */
#define OSCAR_SIG_PRIV_LEN 32 /* Ed25519 seed; P-256 scalar d */
#define OSCAR_SHARED_SECRET_LEN 32

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
    /* sig_public writes the public key (oscar_sig_pub_len bytes) of private key priv
     * (OSCAR_SIG_PRIV_LEN bytes) of signature algorithm cose_sig. */
    enum oscar_err (*sig_public)(int32_t cose_sig, const uint8_t *priv, uint8_t *pub);
    /* sign writes the 64-byte signature of msg: Ed25519 (RFC 8032), or ES256 as r || s (RFC
     * 9053 §2.1) with deterministic k (RFC 6979), so that the same input signs the same. */
    enum oscar_err (*sign)(int32_t cose_sig, const uint8_t *priv, const uint8_t *pub,
                           const uint8_t *msg, size_t msg_len, uint8_t sig[OSCAR_SIG_MAX]);
    /* verify sets *out_valid to whether sig is a valid signature of msg by pub; a malformed
     * signature or key is not an error but invalid. */
    enum oscar_err (*verify)(int32_t cose_sig, const uint8_t *pub, const uint8_t *msg,
                             size_t msg_len, const uint8_t *sig, size_t sig_len, bool *out_valid);
    /* ecdh writes the static-static shared secret of own private signature key priv and a
     * peer's public key (RFC 10021 §2.5.1): P-256 ECDH (the x coordinate) for ES256 keys, X25519
     * for Ed25519 keys mapped to Montgomery form (§2.5.2.1: the scalar from SHA-512 of the seed,
     * the peer's u from its y). OSCAR_ERR_INVALID_ARG for a public key not on the curve. */
    enum oscar_err (*ecdh)(int32_t cose_sig, const uint8_t *priv, const uint8_t *peer_pub,
                           uint8_t out[OSCAR_SHARED_SECRET_LEN]);
};

/* oscar_sig_pub_len is the public key length of signature algorithm cose_sig (0: unsupported). */
size_t oscar_sig_pub_len(int32_t cose_sig);

/* oscar_ed25519_to_x25519_public maps an Ed25519 public key (the y coordinate, RFC 8032 §5.1.2)
 * to the X25519 u coordinate u = (1 + y) / (1 - y) mod 2^255 - 19 (RFC 7748 §4.1; RFC 10021
 * §2.5.2.1). OSCAR_ERR_INVALID_ARG when y is 1 or -1 (the map is undefined or gives 0). */
enum oscar_err oscar_ed25519_to_x25519_public(uint8_t u[32], const uint8_t ed_pub[32]);

/* oscar_crypto_wolfssl returns the wolfCrypt backend (static; never NULL). */
const struct oscar_crypto_ops *oscar_crypto_wolfssl(void);

#endif
