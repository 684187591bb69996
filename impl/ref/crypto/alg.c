/* crypto/alg.c — the AEAD algorithm table (RFC 9053 §4.1-4.3 lengths; RFC 8613 §3.2 uses COSE ids).
 */
#include "oscar/crypto.h"

static const struct oscar_alg_info algs[] = {
    {OSCAR_COSE_ALG_AES_CCM_16_64_128, "AES-CCM-16-64-128", 16, 13, 8},
    {OSCAR_COSE_ALG_AES_CCM_16_128_128, "AES-CCM-16-128-128", 16, 13, 16},
    {OSCAR_COSE_ALG_A128GCM, "A128GCM", 16, 12, 16},
    {OSCAR_COSE_ALG_A256GCM, "A256GCM", 32, 12, 16},
    {OSCAR_COSE_ALG_CHACHA20_POLY1305, "ChaCha20/Poly1305", 32, 12, 16},
};

const struct oscar_alg_info *oscar_alg_find(int32_t cose_id)
{
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        if (algs[i].cose_id == cose_id) {
            return &algs[i];
        }
    }
    return NULL;
}

const struct oscar_alg_info *oscar_alg_by_index(size_t i)
{
    return i < sizeof(algs) / sizeof(algs[0]) ? &algs[i] : NULL;
}

size_t oscar_hkdf_hash_len(int32_t cose_hkdf)
{
    switch (cose_hkdf) {
    case OSCAR_COSE_ALG_HKDF_SHA256:
        return 32;
    case OSCAR_COSE_ALG_HKDF_SHA512:
        return 64;
    default:
        return 0;
    }
}

size_t oscar_sig_pub_len(int32_t cose_sig)
{
    switch (cose_sig) {
    case OSCAR_COSE_ALG_EDDSA:
        return 32;
    case OSCAR_COSE_ALG_ES256:
        return 64;
    default:
        return 0;
    }
}
