/* load.c — strict loader of OSCORE vector files (schema: shared/spec/vectors/rfc8613.json). */
#include <string.h>

#include "oscar/crypto.h"
#include "vectors.h"

#define AEAD_ID_MIN (-65536)
#define AEAD_ID_MAX 65535
#define SEQ_MAX ((int64_t)1 << 40)

static const char *const FILE_REQUIRED[] = {"source", "vectors", NULL};
static const char *const FILE_ALLOWED[] = {"encoding",     "note",      "field_names",
                                           "verification", "generator", NULL};
static const char *const KD_REQUIRED[] = {"id", "kind", "inputs", "outputs", NULL};
static const char *const KD_ALLOWED[] = {
    "title", "description", "role", "info", "nonces_for_partial_iv_0", NULL};
static const char *const KD_INPUTS_REQ[] = {"master_secret", "sender_id", "recipient_id", NULL};
static const char *const KD_INPUTS_OPT[] = {"master_salt", "id_context", "aead_algorithm", "hkdf",
                                            NULL};
static const char *const KD_INFO[] = {"info_sender_key", "info_recipient_key", "info_common_iv",
                                      NULL};
static const char *const KD_OUTPUTS[] = {"sender_key", "recipient_key", "common_iv", NULL};
static const char *const KD_NONCES[] = {"sender_nonce", "recipient_nonce", NULL};
static const char *const REQ_REQUIRED[] = {
    "id", "kind", "unprotected_coap_request", "common_context", "sender_context", "outputs", NULL};
static const char *const RESP_REQUIRED[] = {
    "id", "kind", "unprotected_coap_response", "common_context", "sender_context", "outputs", NULL};
static const char *const PROT_ALLOWED[] = {"title",   "description", "security_context_from",
                                           "derived", "request_ref", "request_parameters",
                                           NULL};
static const char *const COMMON_REQ[] = {"aead_algorithm", "common_iv", NULL};
static const char *const COMMON_OPT[] = {"aead_algorithm_name", "key_derivation_function",
                                         "id_context", NULL};
static const char *const SENDER_REQ[] = {"sender_id", "sender_key", "sender_sequence_number", NULL};
static const char *const DERIVED[] = {"partial_iv",     "kid",   "kid_context",
                                      "aad_array",      "aad",   "plaintext",
                                      "encryption_key", "nonce", NULL};
static const char *const REQ_OUT_REQ[] = {"protected_coap_request", NULL};
static const char *const RESP_OUT_REQ[] = {"protected_coap_response", NULL};
static const char *const OUT_OPT[] = {"oscore_option_value", "ciphertext", NULL};
static const char *const REQP[] = {"note", "request_kid", "request_piv", "request_nonce", NULL};

struct loader {
    struct oscar_arena *arena;
};

/* sub enters obj[key] as an object (absent: *out NULL unless required). */
static enum oscar_err sub(const cJSON **out, struct oscar_json_loc *child, const cJSON *obj,
                          const char *key, const struct oscar_json_loc *loc,
                          const char *const *allowed, const char *const *required)
{
    *out = cJSON_GetObjectItemCaseSensitive(obj, key);
    oscar_json_loc_push(child, loc, key, 0);
    if (*out == NULL) {
        return OSCAR_OK;
    }
    return oscar_json_check_keys(*out, child, allowed, required);
}

static enum oscar_err get_bytes(struct oscar_bytes_field *f, const cJSON *obj, const char *key,
                                bool nullable, struct oscar_arena *a,
                                const struct oscar_json_loc *loc)
{
    if (obj == NULL) {
        memset(f, 0, sizeof(*f));
        return OSCAR_OK;
    }
    return oscar_json_get_bytes(f, obj, key, nullable, a, loc);
}

/* parse_hkdf reads "hkdf": "HKDF SHA-256" | "HKDF SHA-512" | COSE id -10 | -11. */
static enum oscar_err parse_hkdf(int32_t *out, const cJSON *obj, const char *key,
                                 const struct oscar_json_loc *loc)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = OSCAR_COSE_ALG_HKDF_SHA256;
    if (item == NULL) {
        return OSCAR_OK;
    }
    if (cJSON_IsString(item)) {
        if (strcmp(item->valuestring, "HKDF SHA-256") == 0) {
            return OSCAR_OK;
        }
        if (strcmp(item->valuestring, "HKDF SHA-512") == 0) {
            *out = OSCAR_COSE_ALG_HKDF_SHA512;
            return OSCAR_OK;
        }
    } else if (cJSON_IsNumber(item) && (item->valuedouble == OSCAR_COSE_ALG_HKDF_SHA256 ||
                                        item->valuedouble == OSCAR_COSE_ALG_HKDF_SHA512)) {
        *out = (int32_t)item->valuedouble;
        return OSCAR_OK;
    }
    return oscar_json_fail(
        loc, key, "unsupported HKDF (expected \"HKDF SHA-256\", \"HKDF SHA-512\", -10 or -11)");
}

static enum oscar_err need_alg(int64_t alg, const struct oscar_json_loc *loc, const char *key)
{
    if (oscar_alg_find((int32_t)alg) == NULL) {
        return oscar_json_fail(loc, key, "unsupported AEAD algorithm %lld", (long long)alg);
    }
    return OSCAR_OK;
}

static enum oscar_err load_kd(struct oscar_vector *v, const cJSON *obj,
                              const struct oscar_json_loc *loc, struct oscar_arena *a)
{
    OSCAR_TRY(oscar_json_check_keys(obj, loc, KD_ALLOWED, KD_REQUIRED));
    struct oscar_vector_kd *kd = &v->kd;
    OSCAR_TRY(oscar_json_get_string(&kd->role, obj, "role", a, loc));
    if (kd->role != NULL && strcmp(kd->role, "client") != 0 && strcmp(kd->role, "server") != 0) {
        return oscar_json_fail(loc, "role", "expected \"client\" or \"server\"");
    }
    const cJSON *in;
    const cJSON *info;
    const cJSON *outp;
    const cJSON *non;
    struct oscar_json_loc lin;
    struct oscar_json_loc linfo;
    struct oscar_json_loc lout;
    struct oscar_json_loc lnon;
    OSCAR_TRY(sub(&in, &lin, obj, "inputs", loc, KD_INPUTS_OPT, KD_INPUTS_REQ));
    OSCAR_TRY(sub(&info, &linfo, obj, "info", loc, KD_INFO, NULL));
    OSCAR_TRY(sub(&outp, &lout, obj, "outputs", loc, KD_OUTPUTS, NULL));
    OSCAR_TRY(sub(&non, &lnon, obj, "nonces_for_partial_iv_0", loc, KD_NONCES, NULL));
    OSCAR_TRY(get_bytes(&kd->master_secret, in, "master_secret", false, a, &lin));
    OSCAR_TRY(get_bytes(&kd->master_salt, in, "master_salt", true, a, &lin));
    OSCAR_TRY(get_bytes(&kd->sender_id, in, "sender_id", false, a, &lin));
    OSCAR_TRY(get_bytes(&kd->recipient_id, in, "recipient_id", false, a, &lin));
    OSCAR_TRY(get_bytes(&kd->id_context, in, "id_context", true, a, &lin));
    bool present;
    kd->aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    OSCAR_TRY(oscar_json_get_int(&kd->aead_alg, &present, in, "aead_algorithm", AEAD_ID_MIN,
                                 AEAD_ID_MAX, &lin));
    OSCAR_TRY(need_alg(kd->aead_alg, &lin, "aead_algorithm"));
    OSCAR_TRY(parse_hkdf(&kd->hkdf_alg, in, "hkdf", &lin));
    if (kd->master_secret.len == 0) {
        return oscar_json_fail(&lin, "master_secret", "must not be empty");
    }
    OSCAR_TRY(get_bytes(&kd->info_sender_key, info, "info_sender_key", false, a, &linfo));
    OSCAR_TRY(get_bytes(&kd->info_recipient_key, info, "info_recipient_key", false, a, &linfo));
    OSCAR_TRY(get_bytes(&kd->info_common_iv, info, "info_common_iv", false, a, &linfo));
    OSCAR_TRY(get_bytes(&kd->sender_key, outp, "sender_key", false, a, &lout));
    OSCAR_TRY(get_bytes(&kd->recipient_key, outp, "recipient_key", false, a, &lout));
    OSCAR_TRY(get_bytes(&kd->common_iv, outp, "common_iv", false, a, &lout));
    OSCAR_TRY(get_bytes(&kd->sender_nonce, non, "sender_nonce", false, a, &lnon));
    OSCAR_TRY(get_bytes(&kd->recipient_nonce, non, "recipient_nonce", false, a, &lnon));
    return OSCAR_OK;
}

static enum oscar_err load_prot(struct oscar_vector *v, const cJSON *obj,
                                const struct oscar_json_loc *loc, struct oscar_arena *a,
                                bool request)
{
    OSCAR_TRY(
        oscar_json_check_keys(obj, loc, PROT_ALLOWED, request ? REQ_REQUIRED : RESP_REQUIRED));
    struct oscar_vector_prot *p = &v->prot;
    OSCAR_TRY(
        oscar_json_get_string(&p->security_context_from, obj, "security_context_from", a, loc));
    OSCAR_TRY(oscar_json_get_string(&p->request_ref, obj, "request_ref", a, loc));
    if (request && (p->request_ref != NULL ||
                    cJSON_GetObjectItemCaseSensitive(obj, "request_parameters") != NULL)) {
        return oscar_json_fail(loc, p->request_ref ? "request_ref" : "request_parameters",
                               "only response_protection vectors refer to a request");
    }
    OSCAR_TRY(get_bytes(&p->unprotected, obj,
                        request ? "unprotected_coap_request" : "unprotected_coap_response", false,
                        a, loc));
    const cJSON *cc;
    const cJSON *sc;
    const cJSON *dv;
    const cJSON *out;
    const cJSON *rp;
    struct oscar_json_loc lcc;
    struct oscar_json_loc lsc;
    struct oscar_json_loc ldv;
    struct oscar_json_loc lout;
    struct oscar_json_loc lrp;
    OSCAR_TRY(sub(&cc, &lcc, obj, "common_context", loc, COMMON_OPT, COMMON_REQ));
    OSCAR_TRY(sub(&sc, &lsc, obj, "sender_context", loc, NULL, SENDER_REQ));
    OSCAR_TRY(sub(&dv, &ldv, obj, "derived", loc, DERIVED, NULL));
    OSCAR_TRY(sub(&out, &lout, obj, "outputs", loc, OUT_OPT, request ? REQ_OUT_REQ : RESP_OUT_REQ));
    OSCAR_TRY(sub(&rp, &lrp, obj, "request_parameters", loc, REQP, NULL));
    bool present;
    OSCAR_TRY(oscar_json_get_int(&p->aead_alg, &present, cc, "aead_algorithm", AEAD_ID_MIN,
                                 AEAD_ID_MAX, &lcc));
    OSCAR_TRY(need_alg(p->aead_alg, &lcc, "aead_algorithm"));
    OSCAR_TRY(oscar_json_get_string(&p->aead_alg_name, cc, "aead_algorithm_name", a, &lcc));
    OSCAR_TRY(oscar_json_get_string(&p->kdf_name, cc, "key_derivation_function", a, &lcc));
    if (p->kdf_name != NULL && strcmp(p->kdf_name, "HKDF SHA-256") != 0 &&
        strcmp(p->kdf_name, "HKDF SHA-512") != 0) {
        return oscar_json_fail(&lcc, "key_derivation_function", "unsupported \"%s\"", p->kdf_name);
    }
    OSCAR_TRY(get_bytes(&p->common_iv, cc, "common_iv", false, a, &lcc));
    OSCAR_TRY(get_bytes(&p->id_context, cc, "id_context", false, a, &lcc));
    OSCAR_TRY(get_bytes(&p->sender_id, sc, "sender_id", false, a, &lsc));
    OSCAR_TRY(get_bytes(&p->sender_key, sc, "sender_key", false, a, &lsc));
    OSCAR_TRY(
        oscar_json_get_int(&p->seq, &present, sc, "sender_sequence_number", 0, SEQ_MAX - 1, &lsc));
    OSCAR_TRY(get_bytes(&p->partial_iv, dv, "partial_iv", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->kid, dv, "kid", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->kid_context, dv, "kid_context", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->aad_array, dv, "aad_array", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->aad, dv, "aad", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->plaintext, dv, "plaintext", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->encryption_key, dv, "encryption_key", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->nonce, dv, "nonce", false, a, &ldv));
    OSCAR_TRY(get_bytes(&p->option_value, out, "oscore_option_value", false, a, &lout));
    OSCAR_TRY(get_bytes(&p->ciphertext, out, "ciphertext", false, a, &lout));
    OSCAR_TRY(get_bytes(&p->protected_msg, out,
                        request ? "protected_coap_request" : "protected_coap_response", false, a,
                        &lout));
    OSCAR_TRY(get_bytes(&p->request_kid, rp, "request_kid", false, a, &lrp));
    OSCAR_TRY(get_bytes(&p->request_piv, rp, "request_piv", false, a, &lrp));
    OSCAR_TRY(get_bytes(&p->request_nonce, rp, "request_nonce", false, a, &lrp));
    if (rp != NULL && cJSON_GetObjectItemCaseSensitive(rp, "note") != NULL &&
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rp, "note"))) {
        return oscar_json_fail(&lrp, "note", "expected a string");
    }
    if (!request) {
        if (rp == NULL && p->request_ref == NULL) {
            return oscar_json_fail(loc, "request_parameters",
                                   "a response vector needs request_parameters or request_ref");
        }
        if (rp != NULL && (!p->request_kid.present || !p->request_piv.present)) {
            return oscar_json_fail(&lrp, p->request_kid.present ? "request_piv" : "request_kid",
                                   "missing required key");
        }
        if (rp != NULL && !p->partial_iv.present && !p->request_nonce.present) {
            return oscar_json_fail(&lrp, "request_nonce",
                                   "needed by a response without its own Partial IV");
        }
    }
    return OSCAR_OK;
}

static enum oscar_err load_vector(struct oscar_vector *v, const cJSON *obj,
                                  struct oscar_json_loc *loc, struct oscar_arena *a)
{
    OSCAR_TRY(oscar_json_expect_object(obj, loc, NULL));
    const char *kind;
    OSCAR_TRY(oscar_json_get_string(&v->id, obj, "id", a, loc));
    if (v->id == NULL) {
        return oscar_json_fail(loc, "id", "missing required key");
    }
    if (v->id[0] == '\0') {
        return oscar_json_fail(loc, "id", "must not be empty");
    }
    loc->record = v->id;
    OSCAR_TRY(oscar_json_get_string(&kind, obj, "kind", a, loc));
    OSCAR_TRY(oscar_json_get_string(&v->title, obj, "title", a, loc));
    const char *description; /* informational; read to check its type */
    OSCAR_TRY(oscar_json_get_string(&description, obj, "description", a, loc));
    if (kind == NULL) {
        return oscar_json_fail(loc, "kind", "missing required key");
    }
    if (strcmp(kind, "key_derivation") == 0) {
        v->kind = OSCAR_VECTOR_KEY_DERIVATION;
        return load_kd(v, obj, loc, a);
    }
    if (strcmp(kind, "request_protection") == 0) {
        v->kind = OSCAR_VECTOR_REQUEST_PROTECTION;
        return load_prot(v, obj, loc, a, true);
    }
    if (strcmp(kind, "response_protection") == 0) {
        v->kind = OSCAR_VECTOR_RESPONSE_PROTECTION;
        return load_prot(v, obj, loc, a, false);
    }
    return oscar_json_fail(loc, "kind",
                           "unknown kind \"%s\" (expected key_derivation, request_protection or "
                           "response_protection)",
                           kind);
}

static enum oscar_err load_tree(struct oscar_vector_file *out, const cJSON *root, const char *path,
                                struct oscar_arena *a, struct oscar_diag *diag)
{
    struct oscar_json_loc loc = {.file = path, .diag = diag};
    OSCAR_TRY(oscar_json_check_keys(root, &loc, FILE_ALLOWED, FILE_REQUIRED));
    OSCAR_TRY(oscar_json_get_string(&out->source, root, "source", a, &loc));
    const cJSON *vecs = cJSON_GetObjectItemCaseSensitive(root, "vectors");
    if (!cJSON_IsArray(vecs)) {
        return oscar_json_fail(&loc, "vectors", "expected an array");
    }
    size_t n = (size_t)cJSON_GetArraySize(vecs);
    out->vectors = oscar_arena_alloc(a, (n ? n : 1) * sizeof(*out->vectors));
    if (out->vectors == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t i = 0;
    for (const cJSON *item = vecs->child; item != NULL; item = item->next, i++) {
        struct oscar_json_loc vloc;
        oscar_json_loc_push(&vloc, &loc, "vectors", 0);
        oscar_json_loc_push(&vloc, &vloc, NULL, i);
        struct oscar_vector *v = &out->vectors[i];
        v->index = i;
        OSCAR_TRY(load_vector(v, item, &vloc, a));
        for (size_t j = 0; j < i; j++) {
            if (strcmp(out->vectors[j].id, v->id) == 0) {
                return oscar_json_fail(&vloc, "id", "duplicate vector id (also at index %zu)", j);
            }
        }
    }
    out->num_vectors = n;
    return OSCAR_OK;
}

enum oscar_err oscar_vectors_load(struct oscar_vector_file *out, const char *path,
                                  struct oscar_arena *arena, struct oscar_diag *diag)
{
    memset(out, 0, sizeof(*out));
    out->path = path;
    cJSON *root = NULL;
    OSCAR_TRY(oscar_json_load_file(&root, path, diag));
    enum oscar_err err = load_tree(out, root, path, arena, diag);
    cJSON_Delete(root);
    return err;
}
