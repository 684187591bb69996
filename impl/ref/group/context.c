/* group/context.c — the Group Security Context (RFC 10021 §2): derivation of the Sender Key,
 * Recipient Keys, Common IV and Signature Encryption Key (§2.3, §2.1.9), Recipient Contexts
 * created on first contact (§2.2, §7.2), pairwise keys (§2.5.1). */
#include "oscar/group.h"

#include <string.h>

#include "oscar/cbor.h"

static const char TYPE_KEY[] = "Key";
static const char TYPE_IV[] = "IV";
static const char TYPE_SEKEY[] = "SEKey";

enum oscar_err oscar_group_derive_info(uint8_t *out, size_t out_cap, size_t *out_len,
                                       const uint8_t *id, size_t id_len, const uint8_t *id_context,
                                       size_t id_context_len, int32_t alg, const char *type,
                                       size_t length)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, out_cap);
    oscar_cbor_put_array(&w, 5);
    oscar_cbor_put_bstr(&w, id, id_len);
    oscar_cbor_put_bstr(&w, id_context, id_context_len);
    oscar_cbor_put_int(&w, alg);
    oscar_cbor_put_tstr(&w, type, strlen(type));
    oscar_cbor_put_uint(&w, length);
    return oscar_cbor_writer_finish(&w, out_len);
}

/* derive: HKDF(Master Salt, Master Secret, info(id, Gid, alg, type, length)) (§2.3). */
static enum oscar_err derive(const struct oscar_group_ctx *ctx, uint8_t *out, const uint8_t *id,
                             size_t id_len, int32_t alg, const char *type, size_t length)
{
    uint8_t info[OSCAR_OSCORE_INFO_MAX];
    size_t info_len;
    OSCAR_TRY(oscar_group_derive_info(info, sizeof(info), &info_len, id, id_len, ctx->gid,
                                      ctx->gid_len, alg, type, length));
    return ctx->crypto->hkdf(out, length, ctx->hkdf_alg, ctx->master_salt, ctx->master_salt_len,
                             ctx->master_secret, ctx->master_secret_len, info, info_len);
}

/* key_alg is the algorithm of Sender and Recipient Keys: the Group Encryption Algorithm if set,
 * else the AEAD Algorithm (§2.3). */
static const struct oscar_alg_info *key_alg(const struct oscar_group_ctx *ctx)
{
    return ctx->group_enc != NULL ? ctx->group_enc : ctx->aead;
}

/* find_alg: the AEAD table entry of a set algorithm (0: not set, *out NULL). */
static enum oscar_err find_alg(const struct oscar_alg_info **out, int32_t id)
{
    *out = NULL;
    if (id == 0) {
        return OSCAR_OK;
    }
    *out = oscar_alg_find(id);
    return *out != NULL ? OSCAR_OK : OSCAR_ERR_UNSUPPORTED_ALG;
}

static enum oscar_err check_params(const struct oscar_group_params *p)
{
    if (p->master_secret_len == 0 || p->master_secret_len > OSCAR_OSCORE_SECRET_MAX ||
        p->master_salt_len > OSCAR_OSCORE_SALT_MAX || p->gid_len > OSCAR_OSCORE_ID_CONTEXT_MAX ||
        p->gm_cred_len > OSCAR_GROUP_CRED_MAX || p->sender_cred_len > OSCAR_GROUP_CRED_MAX ||
        p->replay_window > OSCAR_OSCORE_REPLAY_WINDOW_MAX || p->sender_priv == NULL ||
        (p->recipients == NULL && p->recipients_cap != 0)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    if (oscar_sig_pub_len(p->sig_alg) == 0) {
        return OSCAR_ERR_UNSUPPORTED_ALG; /* credentials and pairwise ECDH both need it */
    }
    /* a mode is usable when both of its algorithms are set (§6) */
    if ((p->group_enc_alg == 0) != (p->sig_alg == 0) ||
        (p->aead_alg == 0) != (p->pairwise_alg == 0) ||
        (p->group_enc_alg == 0 && p->aead_alg == 0)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    if (p->pairwise_alg != 0 && p->pairwise_alg != OSCAR_COSE_ALG_ECDH_SS_HKDF_256) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    return OSCAR_OK;
}

enum oscar_err oscar_group_ctx_init(struct oscar_group_ctx *ctx,
                                    const struct oscar_crypto_ops *crypto,
                                    const struct oscar_group_params *p)
{
    memset(ctx, 0, sizeof(*ctx));
    OSCAR_TRY(check_params(p));
    ctx->crypto = crypto;
    ctx->hkdf_alg = p->hkdf_alg != 0 ? p->hkdf_alg : OSCAR_COSE_ALG_HKDF_SHA256;
    if (oscar_hkdf_hash_len(ctx->hkdf_alg) == 0) {
        return OSCAR_ERR_UNSUPPORTED_HKDF;
    }
    OSCAR_TRY(find_alg(&ctx->group_enc, p->group_enc_alg));
    OSCAR_TRY(find_alg(&ctx->aead, p->aead_alg));
    ctx->sig_alg = p->sig_alg;
    ctx->pairwise_alg = p->pairwise_alg;
    /* §2.1.4: the Common IV is as long as the longer nonce; §2.2: an ID fits the shorter one */
    size_t longest = 0;
    size_t shortest = SIZE_MAX;
    const struct oscar_alg_info *algs[2] = {ctx->group_enc, ctx->aead};
    for (int i = 0; i < 2; i++) {
        if (algs[i] != NULL) {
            longest = algs[i]->nonce_len > longest ? algs[i]->nonce_len : longest;
            shortest = algs[i]->nonce_len < shortest ? algs[i]->nonce_len : shortest;
        }
    }
    ctx->nonce_len = longest;
    if (p->sender_id_len > shortest - 6) {
        return OSCAR_ERR_ID_TOO_LONG;
    }
    memcpy(ctx->master_secret, p->master_secret, p->master_secret_len);
    ctx->master_secret_len = p->master_secret_len;
    if (p->master_salt != NULL && p->master_salt_len != 0) {
        memcpy(ctx->master_salt, p->master_salt, p->master_salt_len);
        ctx->master_salt_len = p->master_salt_len;
    }
    if (p->gid_len != 0) {
        memcpy(ctx->gid, p->gid, p->gid_len);
    }
    ctx->gid_len = p->gid_len;
    if (p->gm_cred_len != 0) {
        memcpy(ctx->gm_cred, p->gm_cred, p->gm_cred_len);
    }
    ctx->gm_cred_len = p->gm_cred_len;
    if (p->sender_id_len != 0) {
        memcpy(ctx->sender_id, p->sender_id, p->sender_id_len);
    }
    ctx->sender_id_len = p->sender_id_len;
    memcpy(ctx->sender_priv, p->sender_priv, OSCAR_SIG_PRIV_LEN);
    if (p->sender_cred_len != 0) {
        memcpy(ctx->sender_cred, p->sender_cred, p->sender_cred_len);
    }
    ctx->sender_cred_len = p->sender_cred_len;
    ctx->recipients = p->recipients;
    ctx->recipients_cap = p->recipients_cap;
    if (ctx->recipients != NULL) {
        memset(ctx->recipients, 0, p->recipients_cap * sizeof(*ctx->recipients));
    }
    ctx->cred_lookup = p->cred_lookup;
    ctx->cred_arg = p->cred_arg;
    ctx->replay_window = p->replay_window;
    const struct oscar_alg_info *ka = key_alg(ctx);
    enum oscar_err err = crypto->sig_public(ctx->sig_alg, ctx->sender_priv, ctx->sender_pub);
    if (err == OSCAR_OK) {
        err = derive(ctx, ctx->sender_key, ctx->sender_id, ctx->sender_id_len, ka->cose_id,
                     TYPE_KEY, ka->key_len);
    }
    if (err == OSCAR_OK) {
        err = derive(ctx, ctx->common_iv, NULL, 0, ka->cose_id, TYPE_IV, ctx->nonce_len);
    }
    if (err == OSCAR_OK && ctx->group_enc != NULL) {
        /* §2.1.9: [h'', Gid, Group Encryption Algorithm, "SEKey", its key length] */
        err = derive(ctx, ctx->sig_enc_key, NULL, 0, ctx->group_enc->cose_id, TYPE_SEKEY,
                     ctx->group_enc->key_len);
    }
    if (err == OSCAR_OK) {
        err = crypto->aead_key_init(&ctx->sender_aead, ka, ctx->sender_key);
    }
    if (err != OSCAR_OK) {
        oscar_secure_zero(ctx, sizeof(*ctx));
    }
    return err;
}

static void recipient_wipe(const struct oscar_crypto_ops *c, struct oscar_group_recipient *r)
{
    if (r->used) {
        c->aead_key_cleanup(&r->aead);
    }
    if (r->has_pairwise) {
        c->aead_key_cleanup(&r->pairwise_sender);
        c->aead_key_cleanup(&r->pairwise_recipient);
    }
    oscar_secure_zero(r, sizeof(*r));
}

void oscar_group_ctx_cleanup(struct oscar_group_ctx *ctx)
{
    if (ctx->crypto != NULL) {
        for (size_t i = 0; i < ctx->recipients_cap; i++) {
            recipient_wipe(ctx->crypto, &ctx->recipients[i]);
        }
        ctx->crypto->aead_key_cleanup(&ctx->sender_aead);
    }
    oscar_secure_zero(ctx, sizeof(*ctx));
}

struct oscar_group_recipient *oscar_group_recipient_get(struct oscar_group_ctx *ctx,
                                                        const uint8_t *id, size_t id_len,
                                                        bool create)
{
    struct oscar_group_recipient *free_slot = NULL;
    for (size_t i = 0; i < ctx->recipients_cap; i++) {
        struct oscar_group_recipient *r = &ctx->recipients[i];
        if (r->used && r->id_len == id_len && (id_len == 0 || memcmp(r->id, id, id_len) == 0)) {
            return r;
        }
        if (!r->used && free_slot == NULL) {
            free_slot = r;
        }
    }
    const struct oscar_alg_info *ka = key_alg(ctx);
    if (!create || free_slot == NULL || ctx->cred_lookup == NULL || id_len > ka->nonce_len - 6) {
        return NULL;
    }
    struct oscar_group_recipient *r = free_slot;
    memset(r, 0, sizeof(*r));
    if (!ctx->cred_lookup(ctx->cred_arg, id, id_len, r->cred, &r->cred_len, r->pub) ||
        r->cred_len > OSCAR_GROUP_CRED_MAX ||
        derive(ctx, r->key, id, id_len, ka->cose_id, TYPE_KEY, ka->key_len) != OSCAR_OK ||
        ctx->crypto->aead_key_init(&r->aead, ka, r->key) != OSCAR_OK) {
        oscar_secure_zero(r, sizeof(*r));
        return NULL;
    }
    if (id_len != 0) {
        memcpy(r->id, id, id_len);
    }
    r->id_len = id_len;
    oscar_oscore_replay_init(&r->replay, ctx->replay_window);
    r->replay.valid = !ctx->lost_state; /* §2.6.1 */
    r->used = true;
    return r;
}

/* pairwise_key: HKDF(salt = key, IKM = cred_a | cred_b | shared secret, info(id, Gid, AEAD
 * Algorithm, "Key", its key length)) (§2.5.1). */
static enum oscar_err pairwise_key(const struct oscar_group_ctx *ctx, uint8_t *out,
                                   const uint8_t *salt_key, const uint8_t *id, size_t id_len,
                                   const uint8_t *cred_a, size_t cred_a_len, const uint8_t *cred_b,
                                   size_t cred_b_len, const uint8_t *secret)
{
    uint8_t ikm[2 * OSCAR_GROUP_CRED_MAX + OSCAR_SHARED_SECRET_LEN];
    memcpy(ikm, cred_a, cred_a_len);
    memcpy(ikm + cred_a_len, cred_b, cred_b_len);
    memcpy(ikm + cred_a_len + cred_b_len, secret, OSCAR_SHARED_SECRET_LEN);
    uint8_t info[OSCAR_OSCORE_INFO_MAX];
    size_t info_len;
    OSCAR_TRY(oscar_group_derive_info(info, sizeof(info), &info_len, id, id_len, ctx->gid,
                                      ctx->gid_len, ctx->aead->cose_id, TYPE_KEY,
                                      ctx->aead->key_len));
    enum oscar_err err =
        ctx->crypto->hkdf(out, ctx->aead->key_len, ctx->hkdf_alg, salt_key, key_alg(ctx)->key_len,
                          ikm, cred_a_len + cred_b_len + OSCAR_SHARED_SECRET_LEN, info, info_len);
    oscar_secure_zero(ikm, sizeof(ikm));
    return err;
}

enum oscar_err oscar_group_pairwise_keys(struct oscar_group_ctx *ctx,
                                         struct oscar_group_recipient *r)
{
    if (r->has_pairwise) {
        return OSCAR_OK;
    }
    if (ctx->aead == NULL) {
        return OSCAR_ERR_STATE; /* pairwise mode not set in this group (§6) */
    }
    uint8_t secret[OSCAR_SHARED_SECRET_LEN];
    OSCAR_TRY(ctx->crypto->ecdh(ctx->sig_alg, ctx->sender_priv, r->pub, secret));
    enum oscar_err err = pairwise_key(ctx, r->pairwise_sender_key, ctx->sender_key, ctx->sender_id,
                                      ctx->sender_id_len, ctx->sender_cred, ctx->sender_cred_len,
                                      r->cred, r->cred_len, secret);
    if (err == OSCAR_OK) {
        err = pairwise_key(ctx, r->pairwise_recipient_key, r->key, r->id, r->id_len, r->cred,
                           r->cred_len, ctx->sender_cred, ctx->sender_cred_len, secret);
    }
    oscar_secure_zero(secret, sizeof(secret));
    if (err == OSCAR_OK) {
        err = ctx->crypto->aead_key_init(&r->pairwise_sender, ctx->aead, r->pairwise_sender_key);
    }
    if (err == OSCAR_OK) {
        err = ctx->crypto->aead_key_init(&r->pairwise_recipient, ctx->aead,
                                         r->pairwise_recipient_key);
        if (err != OSCAR_OK) {
            ctx->crypto->aead_key_cleanup(&r->pairwise_sender);
        }
    }
    r->has_pairwise = err == OSCAR_OK;
    return err;
}
