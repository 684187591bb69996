/* contexts.c — see contexts.h. */
#include "contexts.h"

#include <string.h>

static const char *const CTX_REQUIRED[] = {"sender_id", "recipient_id", NULL};
static const char *const CTX_ALLOWED[] = {
    "name", "master_secret", "master_salt", "id_context",    "aead_algorithm",
    "hkdf", "replay_window", "sender_key",  "recipient_key", "common_iv",
    NULL};

enum oscar_err oscar_context_spec_load(struct oscar_context_spec *out, const cJSON *obj,
                                       const struct oscar_json_loc *loc, struct oscar_arena *arena)
{
    memset(out, 0, sizeof(*out));
    OSCAR_TRY(oscar_json_check_keys(obj, loc, CTX_ALLOWED, CTX_REQUIRED));
    const char *name;
    OSCAR_TRY(oscar_json_get_string(&name, obj, "name", arena, loc));
    if (name != NULL) {
        if (strlen(name) >= sizeof(out->name) || name[0] == '\0') {
            return oscar_json_fail(loc, "name", "must be 1 to %d characters",
                                   OSCAR_CONTEXT_NAME_MAX - 1);
        }
        memcpy(out->name, name, strlen(name) + 1);
    }
    OSCAR_TRY(oscar_json_get_bytes(&out->master_secret, obj, "master_secret", false, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->master_salt, obj, "master_salt", true, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->sender_id, obj, "sender_id", false, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->recipient_id, obj, "recipient_id", false, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->id_context, obj, "id_context", true, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->sender_key, obj, "sender_key", false, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->recipient_key, obj, "recipient_key", false, arena, loc));
    OSCAR_TRY(oscar_json_get_bytes(&out->common_iv, obj, "common_iv", false, arena, loc));
    bool present;
    out->aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    OSCAR_TRY(
        oscar_json_get_int(&out->aead_alg, &present, obj, "aead_algorithm", -65536, 65535, loc));
    const struct oscar_alg_info *alg = oscar_alg_find((int32_t)out->aead_alg);
    if (alg == NULL) {
        return oscar_json_fail(loc, "aead_algorithm", "unsupported AEAD algorithm %lld",
                               (long long)out->aead_alg);
    }
    out->hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA256;
    const cJSON *hkdf = cJSON_GetObjectItemCaseSensitive(obj, "hkdf");
    if (hkdf != NULL) {
        if (cJSON_IsString(hkdf) && strcmp(hkdf->valuestring, "HKDF SHA-256") == 0) {
            out->hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA256;
        } else if (cJSON_IsString(hkdf) && strcmp(hkdf->valuestring, "HKDF SHA-512") == 0) {
            out->hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA512;
        } else {
            return oscar_json_fail(loc, "hkdf", "expected \"HKDF SHA-256\" or \"HKDF SHA-512\"");
        }
    }
    OSCAR_TRY(oscar_json_get_int(&out->replay_window, &present, obj, "replay_window", 0,
                                 OSCAR_OSCORE_REPLAY_WINDOW_MAX, loc));
    bool keyed = out->sender_key.present || out->recipient_key.present || out->common_iv.present;
    if (keyed) {
        if (!out->sender_key.present || !out->recipient_key.present || !out->common_iv.present) {
            return oscar_json_fail(loc, NULL,
                                   "a context stated by keys needs sender_key, recipient_key "
                                   "and common_iv");
        }
        if (out->sender_key.len != alg->key_len || out->recipient_key.len != alg->key_len ||
            out->common_iv.len != alg->nonce_len) {
            return oscar_json_fail(loc, NULL, "key or Common IV length does not fit %s", alg->name);
        }
    } else if (!out->master_secret.present) {
        return oscar_json_fail(loc, "master_secret", "missing required key");
    }
    return OSCAR_OK;
}

enum oscar_err oscar_context_spec_init(struct oscar_oscore_ctx *ctx,
                                       const struct oscar_context_spec *spec)
{
    bool has_ctx = spec->id_context.present && !spec->id_context.null;
    if (spec->sender_key.present) {
        struct oscar_oscore_keys k = {
            .aead_alg = (int32_t)spec->aead_alg,
            .sender_id = spec->sender_id.data,
            .sender_id_len = spec->sender_id.len,
            .sender_key = spec->sender_key.data,
            .recipient_id = spec->recipient_id.data,
            .recipient_id_len = spec->recipient_id.len,
            .recipient_key = spec->recipient_key.data,
            .common_iv = spec->common_iv.data,
            .has_id_context = has_ctx,
            .id_context = spec->id_context.data,
            .id_context_len = spec->id_context.len,
            .replay_window = (size_t)spec->replay_window,
        };
        return oscar_oscore_ctx_init_keys(ctx, oscar_crypto_wolfssl(), &k);
    }
    struct oscar_oscore_params p = {
        .master_secret = spec->master_secret.data,
        .master_secret_len = spec->master_secret.len,
        .master_salt = spec->master_salt.null ? NULL : spec->master_salt.data,
        .master_salt_len = spec->master_salt.len,
        .sender_id = spec->sender_id.data,
        .sender_id_len = spec->sender_id.len,
        .recipient_id = spec->recipient_id.data,
        .recipient_id_len = spec->recipient_id.len,
        .has_id_context = has_ctx,
        .id_context = spec->id_context.data,
        .id_context_len = spec->id_context.len,
        .aead_alg = (int32_t)spec->aead_alg,
        .hkdf_alg = spec->hkdf_alg,
        .replay_window = (size_t)spec->replay_window,
    };
    return oscar_oscore_ctx_init(ctx, oscar_crypto_wolfssl(), &p);
}
