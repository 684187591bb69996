/* oscore/context.c — Security Context derivation (RFC 8613 §3.2), AEAD nonce (§5.2), AAD (§5.4),
 * re-derivation (Appendix B.2) and sequence-number persistence (Appendix B.1). */
#include "oscar/oscore.h"

#include <string.h>

#include "oscar/cbor.h"

/* §3.2.1: the 'type' field of the info array. */
static const char INFO_TYPE_KEY[] = "Key";
static const char INFO_TYPE_IV[] = "IV";
/* RFC 9052 §5.3: context string of the Enc_structure for COSE_Encrypt0. */
static const char ENC_CONTEXT[] = "Encrypt0";

enum oscar_err oscar_oscore_derive_info(uint8_t *out, size_t out_cap, size_t *out_len,
                                        const uint8_t *id, size_t id_len, const uint8_t *id_context,
                                        size_t id_context_len, bool has_id_context,
                                        int32_t aead_alg, bool type_iv, size_t length)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, out_cap);
    oscar_cbor_put_array(&w, 5);
    oscar_cbor_put_bstr(&w, id, id_len);
    if (has_id_context) {
        oscar_cbor_put_bstr(&w, id_context, id_context_len);
    } else {
        oscar_cbor_put_null(&w);
    }
    oscar_cbor_put_int(&w, aead_alg);
    if (type_iv) {
        oscar_cbor_put_tstr(&w, INFO_TYPE_IV, sizeof(INFO_TYPE_IV) - 1);
    } else {
        oscar_cbor_put_tstr(&w, INFO_TYPE_KEY, sizeof(INFO_TYPE_KEY) - 1);
    }
    oscar_cbor_put_uint(&w, length);
    return oscar_cbor_writer_finish(&w, out_len);
}

static enum oscar_err derive(const struct oscar_oscore_ctx *ctx, uint8_t *out, const uint8_t *id,
                             size_t id_len, bool type_iv, size_t length)
{
    uint8_t info[OSCAR_OSCORE_INFO_MAX];
    size_t info_len;
    OSCAR_TRY(oscar_oscore_derive_info(info, sizeof(info), &info_len, id, id_len, ctx->id_context,
                                       ctx->id_context_len, ctx->has_id_context, ctx->alg->cose_id,
                                       type_iv, length));
    return ctx->crypto->hkdf(out, length, ctx->hkdf_alg, ctx->master_salt, ctx->master_salt_len,
                             ctx->master_secret, ctx->master_secret_len, info, info_len);
}

/* derive_keys computes Sender Key, Recipient Key and Common IV (§3.2.1) from the stored inputs. */
static enum oscar_err derive_keys(struct oscar_oscore_ctx *ctx)
{
    const struct oscar_alg_info *alg = ctx->alg;
    OSCAR_TRY(
        derive(ctx, ctx->sender.key, ctx->sender.id, ctx->sender.id_len, false, alg->key_len));
    OSCAR_TRY(derive(ctx, ctx->recipient.key, ctx->recipient.id, ctx->recipient.id_len, false,
                     alg->key_len));
    OSCAR_TRY(derive(ctx, ctx->common_iv, NULL, 0, true, alg->nonce_len));
    OSCAR_TRY(ctx->crypto->aead_key_init(&ctx->sender.aead, alg, ctx->sender.key));
    enum oscar_err err = ctx->crypto->aead_key_init(&ctx->recipient.aead, alg, ctx->recipient.key);
    if (err != OSCAR_OK) {
        ctx->crypto->aead_key_cleanup(&ctx->sender.aead);
    }
    return err;
}

enum oscar_err oscar_oscore_ctx_init(struct oscar_oscore_ctx *ctx,
                                     const struct oscar_crypto_ops *crypto,
                                     const struct oscar_oscore_params *params)
{
    memset(ctx, 0, sizeof(*ctx));
    int32_t alg_id = params->aead_alg != 0 ? params->aead_alg : OSCAR_COSE_ALG_AES_CCM_16_64_128;
    const struct oscar_alg_info *alg = oscar_alg_find(alg_id);
    if (alg == NULL) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    int32_t hkdf = params->hkdf_alg != 0 ? params->hkdf_alg : OSCAR_COSE_ALG_HKDF_SHA256;
    if (oscar_hkdf_hash_len(hkdf) == 0) {
        return OSCAR_ERR_UNSUPPORTED_HKDF;
    }
    /* §5.2: an ID must fit the nonce: at most nonce length - 6 bytes. */
    size_t id_max = alg->nonce_len - 6;
    if (params->sender_id_len > id_max || params->recipient_id_len > id_max) {
        return OSCAR_ERR_ID_TOO_LONG;
    }
    if (params->master_secret_len == 0 || params->master_secret_len > OSCAR_OSCORE_SECRET_MAX ||
        params->master_salt_len > OSCAR_OSCORE_SALT_MAX ||
        (params->has_id_context && params->id_context_len > OSCAR_OSCORE_ID_CONTEXT_MAX) ||
        params->replay_window > OSCAR_OSCORE_REPLAY_WINDOW_MAX) {
        return OSCAR_ERR_INVALID_ARG;
    }
    ctx->crypto = crypto;
    ctx->alg = alg;
    ctx->hkdf_alg = hkdf;
    memcpy(ctx->master_secret, params->master_secret, params->master_secret_len);
    ctx->master_secret_len = params->master_secret_len;
    if (params->master_salt != NULL && params->master_salt_len != 0) {
        memcpy(ctx->master_salt, params->master_salt, params->master_salt_len);
        ctx->master_salt_len = params->master_salt_len;
    }
    ctx->has_id_context = params->has_id_context;
    if (params->has_id_context && params->id_context_len != 0) {
        memcpy(ctx->id_context, params->id_context, params->id_context_len);
    }
    ctx->id_context_len = params->has_id_context ? params->id_context_len : 0;
    if (params->sender_id_len) {
        memcpy(ctx->sender.id, params->sender_id, params->sender_id_len);
    }
    ctx->sender.id_len = params->sender_id_len;
    if (params->recipient_id_len) {
        memcpy(ctx->recipient.id, params->recipient_id, params->recipient_id_len);
    }
    ctx->recipient.id_len = params->recipient_id_len;
    oscar_oscore_replay_init(&ctx->recipient.replay, params->replay_window);
    enum oscar_err err = derive_keys(ctx);
    if (err != OSCAR_OK) {
        oscar_secure_zero(ctx, sizeof(*ctx));
    }
    return err;
}

enum oscar_err oscar_oscore_ctx_init_keys(struct oscar_oscore_ctx *ctx,
                                          const struct oscar_crypto_ops *crypto,
                                          const struct oscar_oscore_keys *keys)
{
    memset(ctx, 0, sizeof(*ctx));
    const struct oscar_alg_info *alg = oscar_alg_find(keys->aead_alg);
    if (alg == NULL) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    size_t id_max = alg->nonce_len - 6;
    if (keys->sender_id_len > id_max || keys->recipient_id_len > id_max) {
        return OSCAR_ERR_ID_TOO_LONG;
    }
    if ((keys->has_id_context && keys->id_context_len > OSCAR_OSCORE_ID_CONTEXT_MAX) ||
        keys->replay_window > OSCAR_OSCORE_REPLAY_WINDOW_MAX) {
        return OSCAR_ERR_INVALID_ARG;
    }
    ctx->crypto = crypto;
    ctx->alg = alg;
    ctx->hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA256;
    ctx->has_id_context = keys->has_id_context;
    if (keys->has_id_context && keys->id_context_len) {
        memcpy(ctx->id_context, keys->id_context, keys->id_context_len);
        ctx->id_context_len = keys->id_context_len;
    }
    if (keys->sender_id_len) {
        memcpy(ctx->sender.id, keys->sender_id, keys->sender_id_len);
    }
    ctx->sender.id_len = keys->sender_id_len;
    if (keys->recipient_id_len) {
        memcpy(ctx->recipient.id, keys->recipient_id, keys->recipient_id_len);
    }
    ctx->recipient.id_len = keys->recipient_id_len;
    memcpy(ctx->sender.key, keys->sender_key, alg->key_len);
    memcpy(ctx->recipient.key, keys->recipient_key, alg->key_len);
    memcpy(ctx->common_iv, keys->common_iv, alg->nonce_len);
    oscar_oscore_replay_init(&ctx->recipient.replay, keys->replay_window);
    enum oscar_err err = crypto->aead_key_init(&ctx->sender.aead, alg, ctx->sender.key);
    if (err == OSCAR_OK) {
        err = crypto->aead_key_init(&ctx->recipient.aead, alg, ctx->recipient.key);
        if (err != OSCAR_OK) {
            crypto->aead_key_cleanup(&ctx->sender.aead);
        }
    }
    if (err != OSCAR_OK) {
        oscar_secure_zero(ctx, sizeof(*ctx));
    }
    return err;
}

void oscar_oscore_ctx_cleanup(struct oscar_oscore_ctx *ctx)
{
    if (ctx->crypto != NULL) {
        ctx->crypto->aead_key_cleanup(&ctx->sender.aead);
        ctx->crypto->aead_key_cleanup(&ctx->recipient.aead);
    }
    oscar_secure_zero(ctx, sizeof(*ctx));
}

enum oscar_err oscar_oscore_ctx_rederive(struct oscar_oscore_ctx *out,
                                         const struct oscar_oscore_ctx *ctx,
                                         const uint8_t *id_context, size_t id_context_len)
{
    if (ctx->master_secret_len == 0) {
        return OSCAR_ERR_STATE; /* set up from keys: nothing to re-derive from */
    }
    /* out may alias ctx: keep a copy of the inputs (its AEAD state is never used). */
    struct oscar_oscore_ctx saved = *ctx;
    struct oscar_oscore_params p = {
        .master_secret = saved.master_secret,
        .master_secret_len = saved.master_secret_len,
        .master_salt = saved.master_salt,
        .master_salt_len = saved.master_salt_len,
        .sender_id = saved.sender.id,
        .sender_id_len = saved.sender.id_len,
        .recipient_id = saved.recipient.id,
        .recipient_id_len = saved.recipient.id_len,
        .has_id_context = true,
        .id_context = id_context,
        .id_context_len = id_context_len,
        .aead_alg = saved.alg->cose_id,
        .hkdf_alg = saved.hkdf_alg,
        .replay_window = saved.recipient.replay.size,
    };
    /* Derive into a scratch context first: if that fails (e.g. a peer's kid context too long
     * for us), the caller's context must survive (Appendix B.2: only the message is dropped). */
    struct oscar_oscore_ctx fresh;
    enum oscar_err err = oscar_oscore_ctx_init(&fresh, saved.crypto, &p);
    if (err == OSCAR_OK) {
        oscar_oscore_ctx_cleanup(&fresh);
        if (out == ctx) {
            oscar_oscore_ctx_cleanup(out);
        }
        /* The same inputs succeeded a moment ago; deriving in place keeps backend state where
         * the backend initialised it. */
        err = oscar_oscore_ctx_init(out, saved.crypto, &p);
    }
    if (err == OSCAR_OK) {
        out->persist = saved.persist;
        out->persist_arg = saved.persist_arg;
        out->persist_k = saved.persist_k;
        out->persist_f = saved.persist_f;
    }
    oscar_secure_zero(&saved, sizeof(saved));
    return err;
}

void oscar_oscore_set_persistence(struct oscar_oscore_ctx *ctx, oscar_oscore_persist_fn persist,
                                  void *arg, uint64_t k, uint64_t f)
{
    ctx->persist = persist;
    ctx->persist_arg = arg;
    ctx->persist_k = k != 0 ? k : 1;
    ctx->persist_f = f;
}

enum oscar_err oscar_oscore_restore_after_reboot(struct oscar_oscore_ctx *ctx, uint64_t stored_ssn)
{
    /* B.1.1: SSN2 = SSN1 + K + F. */
    uint64_t k = ctx->persist_k != 0 ? ctx->persist_k : 1;
    uint64_t next = stored_ssn + k + ctx->persist_f;
    if (next < stored_ssn || next >= OSCAR_OSCORE_SEQ_LIMIT) {
        return OSCAR_ERR_SEQ_EXHAUSTED;
    }
    ctx->sender.seq = next;
    ctx->persist_pending = ctx->persist != NULL;
    /* B.1.2: the replay window is lost; it becomes valid again through Echo. */
    oscar_oscore_replay_init(&ctx->recipient.replay, ctx->recipient.replay.size);
    ctx->recipient.replay.valid = false;
    ctx->recipient.echo_len = 0;
    return OSCAR_OK;
}

enum oscar_err oscar_oscore_nonce(uint8_t *out, const struct oscar_alg_info *alg,
                                  const uint8_t *common_iv, const uint8_t *id_piv,
                                  size_t id_piv_len, const uint8_t *piv, size_t piv_len)
{
    size_t n = alg->nonce_len;
    if (id_piv_len > n - 6 || piv_len > OSCAR_OSCORE_PIV_MAX) {
        return OSCAR_ERR_ID_TOO_LONG;
    }
    /* §5.2, Figure 8: S | pad | ID_PIV | pad | PIV, XORed with the Common IV. */
    memset(out, 0, n);
    out[0] = (uint8_t)id_piv_len;
    if (id_piv_len) {
        memcpy(out + (n - OSCAR_OSCORE_PIV_MAX) - id_piv_len, id_piv, id_piv_len);
    }
    if (piv_len) {
        memcpy(out + n - piv_len, piv, piv_len);
    }
    for (size_t i = 0; i < n; i++) {
        out[i] ^= common_iv[i];
    }
    return OSCAR_OK;
}

enum oscar_err oscar_oscore_aad_array(uint8_t *out, size_t out_cap, size_t *out_len,
                                      int32_t aead_alg, const uint8_t *request_kid,
                                      size_t request_kid_len, const uint8_t *request_piv,
                                      size_t request_piv_len, const uint8_t *class_i_options,
                                      size_t class_i_len)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, out_cap);
    oscar_cbor_put_array(&w, 5);
    oscar_cbor_put_uint(&w, OSCAR_OSCORE_VERSION);
    oscar_cbor_put_array(&w, 1);
    oscar_cbor_put_int(&w, aead_alg);
    oscar_cbor_put_bstr(&w, request_kid, request_kid_len);
    oscar_cbor_put_bstr(&w, request_piv, request_piv_len);
    oscar_cbor_put_bstr(&w, class_i_options, class_i_len);
    return oscar_cbor_writer_finish(&w, out_len);
}

enum oscar_err oscar_oscore_enc_structure(uint8_t *out, size_t out_cap, size_t *out_len,
                                          const uint8_t *aad_array, size_t aad_array_len)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, out_cap);
    oscar_cbor_put_array(&w, 3);
    oscar_cbor_put_tstr(&w, ENC_CONTEXT, sizeof(ENC_CONTEXT) - 1);
    oscar_cbor_put_bstr(&w, NULL, 0);
    oscar_cbor_put_bstr(&w, aad_array, aad_array_len);
    return oscar_cbor_writer_finish(&w, out_len);
}
