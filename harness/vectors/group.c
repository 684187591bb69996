/* group.c — Group OSCORE vector files for `oscar vectors` (RFC 10021): three kinds, told apart by
 * their top-level keys.
 *   "examples": the header-compression examples of draft-28 §4.3 (OSCORE option values);
 *   "contexts" with "entities": the IETF 109 hackathon key material (Sender Keys, ECDH secrets);
 *   "groups": vectors derived by an independent implementation (vectors/tools/
 *     gen_group_vectors.py): Common IV, Signature Encryption Key, pairwise keys, and group- and
 *     pairwise-mode requests and responses, protected byte for byte by the reference
 *     implementation, read back by the receiver, and every payload bit flip rejected.
 *   "values" with "join_request_payload": the ACE join example (vectors/ace-join-example.json).
 * Each vector is a list of checks; a negative control flips one expected value at a time and
 * requires the vector to fail. */
#include <string.h>

#include <stddef.h>
#include <stdlib.h>

#include "oscar/coap.h"
#include "oscar/gm.h"
#include "oscar/group.h"
#include "vectors.h"

#define BYTES_MAX 2048
#define MAX_MEMBERS 8

/* struct run is one vector being checked: its id, result, and the check to corrupt. */
struct run {
    const char *file;
    const char *vid;
    struct oscar_vector_result *r;
    FILE *report;
    long corrupt; /* index of the check whose expected value gets a bit flipped; -1 none */
    size_t index;
    struct oscar_diag *diag;
};

static void check(struct run *c, const char *what, const uint8_t *want, size_t want_len,
                  const uint8_t *got, size_t got_len)
{
    uint8_t w[BYTES_MAX];
    size_t n = want_len < sizeof(w) ? want_len : sizeof(w);
    memcpy(w, want, n);
    if (c->corrupt == (long)c->index) {
        if (n == 0) {
            w[n++] = 0;
        } else {
            w[0] ^= 0x01;
        }
    }
    c->index++;
    c->r->num_checks++;
    if (n == got_len && (n == 0 || memcmp(w, got, n) == 0)) {
        return;
    }
    if (c->r->num_failed++ == 0) {
        snprintf(c->r->first_failure, sizeof(c->r->first_failure), "%s differs", what);
    }
    if (c->report != NULL) {
        fprintf(c->report, "  %s %s: expected %zu bytes, got %zu\n", c->vid, what, n, got_len);
    }
}

static void check_true(struct run *c, const char *what, bool ok)
{
    static const uint8_t one = 1;
    uint8_t got = ok ? 1 : 0;
    check(c, what, &one, 1, &got, 1);
}

/* hex reads obj[key] (a hex string; null gives *present false) into out. */
static enum oscar_err hex(struct run *c, const cJSON *obj, const char *key, uint8_t *out,
                          size_t cap, size_t *len, bool *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *len = 0;
    if (present != NULL) {
        *present = !cJSON_IsNull(v) && v != NULL;
        if (!*present) {
            return OSCAR_OK;
        }
    }
    if (!cJSON_IsString(v) ||
        oscar_hex_decode(out, cap, len, v->valuestring, strlen(v->valuestring)) != OSCAR_OK) {
        return oscar_diag_set(c->diag, OSCAR_ERR_PARSE, "%s: %s: \"%s\" is not a hex string",
                              c->file, c->vid, key);
    }
    return OSCAR_OK;
}

static enum oscar_err number(struct run *c, const cJSON *obj, const char *key, int32_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v)) {
        return oscar_diag_set(c->diag, OSCAR_ERR_PARSE, "%s: %s: \"%s\" is not a number", c->file,
                              c->vid, key);
    }
    *out = (int32_t)v->valuedouble;
    return OSCAR_OK;
}

/* --- draft-28 §4.3 compression examples --- */

static enum oscar_err run_example(struct run *c, const cJSON *ex)
{
    const cJSON *cose = cJSON_GetObjectItemCaseSensitive(ex, "cose_encrypt0");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(ex, "mode");
    uint8_t kid[16], piv[8], kc[64], want[300];
    size_t kid_len, piv_len, kc_len, want_len;
    bool has_kid, has_piv, has_kc;
    OSCAR_TRY(hex(c, cose, "kid", kid, sizeof(kid), &kid_len, &has_kid));
    OSCAR_TRY(hex(c, cose, "partial_iv", piv, sizeof(piv), &piv_len, &has_piv));
    OSCAR_TRY(hex(c, cose, "kid_context", kc, sizeof(kc), &kc_len, &has_kc));
    OSCAR_TRY(hex(c, ex, "oscore_option_value", want, sizeof(want), &want_len, NULL));
    bool group = cJSON_IsString(mode) && strcmp(mode->valuestring, "group") == 0;
    struct oscar_oscore_option o = {
        .flags = group ? OSCAR_OSCORE_FLAG_GROUP : 0,
        .piv = piv,
        .piv_len = has_piv ? piv_len : 0,
        .has_kid = has_kid,
        .kid = kid,
        .kid_len = kid_len,
        .has_kid_context = has_kc,
        .kid_context = kc,
        .kid_context_len = kc_len,
    };
    uint8_t got[300];
    size_t got_len = 0;
    bool encoded = oscar_oscore_option_encode(got, sizeof(got), &got_len, &o) == OSCAR_OK;
    check_true(c, "option encodes", encoded);
    check(c, "OSCORE option value", want, want_len, got, got_len);
    struct oscar_oscore_option d;
    bool decoded = oscar_oscore_option_decode(&d, want, want_len, true) == OSCAR_OSCORE_OPTION_OK;
    check_true(c, "option decodes", decoded);
    if (decoded) {
        uint8_t flag = (d.flags & OSCAR_OSCORE_FLAG_GROUP) ? 1 : 0;
        uint8_t want_flag = group ? 1 : 0;
        check(c, "Group Flag", &want_flag, 1, &flag, 1);
        check(c, "decoded Partial IV", piv, has_piv ? piv_len : 0, d.piv, d.piv_len);
        check(c, "decoded kid", kid, has_kid ? kid_len : 0, d.kid, d.has_kid ? d.kid_len : 0);
        check(c, "decoded kid context", kc, has_kc ? kc_len : 0, d.kid_context,
              d.has_kid_context ? d.kid_context_len : 0);
    }
    return OSCAR_OK;
}

/* --- members of a group, from a hackathon entity or a derived-vector member --- */

struct member {
    uint8_t id[OSCAR_OSCORE_ID_MAX];
    size_t id_len;
    uint8_t d[OSCAR_SIG_PRIV_LEN];
    uint8_t pub[OSCAR_SIG_PUB_MAX];
    size_t pub_len;
    uint8_t cred[OSCAR_GROUP_CRED_MAX];
    size_t cred_len;
    const char *name;
};

struct group_def {
    uint8_t secret[OSCAR_OSCORE_SECRET_MAX], salt[OSCAR_OSCORE_SALT_MAX];
    uint8_t gid[OSCAR_OSCORE_ID_CONTEXT_MAX], gm_cred[OSCAR_GROUP_CRED_MAX];
    size_t secret_len, salt_len, gid_len, gm_cred_len;
    int32_t group_enc, sig, aead, pairwise;
    struct member m[MAX_MEMBERS];
    size_t num;
};

/* load_key reads a COSE-key-like object {d or d_seed, x[, y]} into m. */
static enum oscar_err load_key(struct run *c, struct member *m, const cJSON *key)
{
    size_t n;
    bool seed;
    uint8_t y[32];
    size_t y_len;
    bool has_y;
    OSCAR_TRY(hex(c, key, "d_seed", m->d, sizeof(m->d), &n, &seed));
    if (!seed) {
        OSCAR_TRY(hex(c, key, "d", m->d, sizeof(m->d), &n, NULL));
    }
    OSCAR_TRY(hex(c, key, "x", m->pub, 32, &m->pub_len, NULL));
    OSCAR_TRY(hex(c, key, "y", y, sizeof(y), &y_len, &has_y));
    if (has_y) {
        memcpy(m->pub + m->pub_len, y, y_len);
        m->pub_len += y_len;
    }
    return n == OSCAR_SIG_PRIV_LEN
               ? OSCAR_OK
               : oscar_diag_set(c->diag, OSCAR_ERR_PARSE, "%s: %s: private key not 32 bytes",
                                c->file, c->vid);
}

static bool lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred, size_t *cred_len,
                   uint8_t *pub)
{
    const struct group_def *g = arg;
    for (size_t i = 0; i < g->num; i++) {
        const struct member *m = &g->m[i];
        if (m->id_len == kid_len && (kid_len == 0 || memcmp(m->id, kid, kid_len) == 0)) {
            memcpy(cred, m->cred, m->cred_len);
            *cred_len = m->cred_len;
            memcpy(pub, m->pub, m->pub_len);
            return true;
        }
    }
    return false;
}

static enum oscar_err open_member(struct oscar_group_ctx *ctx, struct group_def *g, size_t k,
                                  struct oscar_group_recipient *slots, size_t num_slots)
{
    struct oscar_group_params p = {
        .master_secret = g->secret,
        .master_secret_len = g->secret_len,
        .master_salt = g->salt,
        .master_salt_len = g->salt_len,
        .gid = g->gid,
        .gid_len = g->gid_len,
        .group_enc_alg = g->group_enc,
        .sig_alg = g->sig,
        .aead_alg = g->aead,
        .pairwise_alg = g->pairwise,
        .gm_cred = g->gm_cred,
        .gm_cred_len = g->gm_cred_len,
        .sender_id = g->m[k].id,
        .sender_id_len = g->m[k].id_len,
        .sender_priv = g->m[k].d,
        .sender_cred = g->m[k].cred,
        .sender_cred_len = g->m[k].cred_len,
        .recipients = slots,
        .recipients_cap = num_slots,
        .cred_lookup = lookup,
        .cred_arg = g,
    };
    return oscar_group_ctx_init(ctx, oscar_crypto_wolfssl(), &p);
}

/* --- IETF 109 hackathon contexts --- */

static enum oscar_err load_hackathon(struct run *c, struct group_def *g, const cJSON *ctx)
{
    memset(g, 0, sizeof(*g));
    OSCAR_TRY(hex(c, ctx, "master_secret", g->secret, sizeof(g->secret), &g->secret_len, NULL));
    OSCAR_TRY(hex(c, ctx, "master_salt", g->salt, sizeof(g->salt), &g->salt_len, NULL));
    OSCAR_TRY(hex(c, ctx, "group_id", g->gid, sizeof(g->gid), &g->gid_len, NULL));
    OSCAR_TRY(number(c, ctx, "aead_or_group_enc_alg", &g->group_enc));
    OSCAR_TRY(number(c, ctx, "signature_alg_in_source", &g->sig));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ctx, "entities"))
    {
        if (g->num == MAX_MEMBERS) {
            break;
        }
        struct member *m = &g->m[g->num++];
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        m->name = cJSON_IsString(name) ? name->valuestring : "?";
        OSCAR_TRY(hex(c, e, "id", m->id, sizeof(m->id), &m->id_len, NULL));
        OSCAR_TRY(load_key(c, m, cJSON_GetObjectItemCaseSensitive(e, "cose_key")));
    }
    return OSCAR_OK;
}

static enum oscar_err run_hackathon_keys(struct run *c, const cJSON *ctx)
{
    struct group_def g;
    OSCAR_TRY(load_hackathon(c, &g, ctx));
    size_t k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ctx, "entities"))
    {
        if (k == g.num) {
            break;
        }
        uint8_t want[32];
        size_t want_len;
        OSCAR_TRY(hex(c, e, "expected_key", want, sizeof(want), &want_len, NULL));
        struct oscar_group_ctx gc;
        if (open_member(&gc, &g, k, NULL, 0) != OSCAR_OK) {
            check_true(c, "context derives", false);
            k++;
            continue;
        }
        check(c, "Sender Key", want, want_len, gc.sender_key, gc.group_enc->key_len);
        check(c, "public key", g.m[k].pub, g.m[k].pub_len, gc.sender_pub, g.m[k].pub_len);
        oscar_group_ctx_cleanup(&gc);
        k++;
    }
    return OSCAR_OK;
}

static const struct member *by_name(const struct group_def *g, const char *name)
{
    for (size_t i = 0; i < g->num; i++) {
        if (g->m[i].name != NULL && strcmp(g->m[i].name, name) == 0) {
            return &g->m[i];
        }
    }
    return NULL;
}

static enum oscar_err run_hackathon_ecdh(struct run *c, const cJSON *ctx)
{
    struct group_def g;
    OSCAR_TRY(load_hackathon(c, &g, ctx));
    const struct oscar_crypto_ops *cr = oscar_crypto_wolfssl();
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(ctx, "expected_shared_secrets"))
    {
        const cJSON *own = cJSON_GetObjectItemCaseSensitive(s, "own");
        const cJSON *peer = cJSON_GetObjectItemCaseSensitive(s, "peer");
        const struct member *a = cJSON_IsString(own) ? by_name(&g, own->valuestring) : NULL;
        const struct member *b = cJSON_IsString(peer) ? by_name(&g, peer->valuestring) : NULL;
        if (a == NULL || b == NULL) {
            return oscar_diag_set(c->diag, OSCAR_ERR_PARSE,
                                  "%s: %s: unknown entity in a shared "
                                  "secret",
                                  c->file, c->vid);
        }
        uint8_t want[32];
        size_t want_len;
        OSCAR_TRY(hex(c, s, "value", want, sizeof(want), &want_len, NULL));
        uint8_t ab[32] = {0};
        uint8_t ba[32] = {0};
        check_true(c, "ECDH runs",
                   cr->ecdh(g.sig, a->d, b->pub, ab) == OSCAR_OK &&
                       cr->ecdh(g.sig, b->d, a->pub, ba) == OSCAR_OK);
        check(c, "shared secret (own, peer)", want, want_len, ab, 32);
        check(c, "shared secret (peer, own)", want, want_len, ba, 32);
    }
    return OSCAR_OK;
}

/* --- derived groups --- */

static enum oscar_err load_derived(struct run *c, struct group_def *g, const cJSON *grp)
{
    memset(g, 0, sizeof(*g));
    const cJSON *common = cJSON_GetObjectItemCaseSensitive(grp, "common");
    OSCAR_TRY(hex(c, common, "master_secret", g->secret, sizeof(g->secret), &g->secret_len, NULL));
    OSCAR_TRY(hex(c, common, "master_salt", g->salt, sizeof(g->salt), &g->salt_len, NULL));
    OSCAR_TRY(hex(c, common, "id_context_gid", g->gid, sizeof(g->gid), &g->gid_len, NULL));
    OSCAR_TRY(number(c, common, "group_encryption_algorithm", &g->group_enc));
    OSCAR_TRY(number(c, common, "signature_algorithm", &g->sig));
    OSCAR_TRY(number(c, common, "aead_algorithm", &g->aead));
    OSCAR_TRY(number(c, common, "pairwise_key_agreement_algorithm", &g->pairwise));
    OSCAR_TRY(hex(c, cJSON_GetObjectItemCaseSensitive(grp, "group_manager"), "credential_hex",
                  g->gm_cred, sizeof(g->gm_cred), &g->gm_cred_len, NULL));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(grp, "members"))
    {
        if (g->num == MAX_MEMBERS) {
            break;
        }
        struct member *m = &g->m[g->num++];
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        m->name = cJSON_IsString(name) ? name->valuestring : "?";
        OSCAR_TRY(hex(c, e, "sender_id", m->id, sizeof(m->id), &m->id_len, NULL));
        OSCAR_TRY(hex(c, e, "credential_hex", m->cred, sizeof(m->cred), &m->cred_len, NULL));
        OSCAR_TRY(load_key(c, m, cJSON_GetObjectItemCaseSensitive(e, "signing_key")));
    }
    return OSCAR_OK;
}

static enum oscar_err run_derived_context(struct run *c, const cJSON *grp)
{
    struct group_def g;
    OSCAR_TRY(load_derived(c, &g, grp));
    const cJSON *common = cJSON_GetObjectItemCaseSensitive(grp, "common");
    uint8_t iv[16], sek[32], key[32];
    size_t iv_len, sek_len, key_len;
    OSCAR_TRY(hex(c, common, "common_iv", iv, sizeof(iv), &iv_len, NULL));
    OSCAR_TRY(hex(c, common, "signature_encryption_key", sek, sizeof(sek), &sek_len, NULL));
    size_t k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(grp, "members"))
    {
        if (k == g.num) {
            break;
        }
        OSCAR_TRY(hex(c, e, "sender_key", key, sizeof(key), &key_len, NULL));
        struct oscar_group_ctx gc;
        if (open_member(&gc, &g, k, NULL, 0) != OSCAR_OK) {
            check_true(c, "context derives", false);
            k++;
            continue;
        }
        check(c, "Sender Key", key, key_len, gc.sender_key, gc.group_enc->key_len);
        check(c, "Common IV", iv, iv_len, gc.common_iv, gc.nonce_len);
        check(c, "Signature Encryption Key", sek, sek_len, gc.sig_enc_key, gc.group_enc->key_len);
        oscar_group_ctx_cleanup(&gc);
        k++;
    }
    return OSCAR_OK;
}

static size_t index_of(const struct group_def *g, const char *name)
{
    for (size_t i = 0; i < g->num; i++) {
        if (strcmp(g->m[i].name, name) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* struct live is a group being run: every member's context and Recipient Contexts. */
struct live {
    struct group_def g;
    struct oscar_group_ctx ctx[MAX_MEMBERS];
    struct oscar_group_recipient slots[MAX_MEMBERS][MAX_MEMBERS];
    struct oscar_group_exchange client_ex; /* the last request, at its sender */
    struct oscar_group_exchange server_ex; /* ... and at its receiver */
};

static enum oscar_err live_open(struct run *c, struct live *L, const cJSON *grp)
{
    OSCAR_TRY(load_derived(c, &L->g, grp));
    for (size_t k = 0; k < L->g.num; k++) {
        if (open_member(&L->ctx[k], &L->g, k, L->slots[k], MAX_MEMBERS) != OSCAR_OK) {
            return oscar_diag_set(c->diag, OSCAR_ERR_PARSE, "%s: %s: member %s: no context",
                                  c->file, c->vid, L->g.m[k].name);
        }
    }
    return OSCAR_OK;
}

static void live_close(struct live *L)
{
    for (size_t k = 0; k < L->g.num; k++) {
        oscar_group_ctx_cleanup(&L->ctx[k]);
    }
}

static enum oscar_err run_pairwise(struct run *c, const cJSON *grp)
{
    static struct live L;
    OSCAR_TRY(live_open(c, &L, grp));
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(grp, "pairwise");
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(pw, "A");
    const cJSON *bn = cJSON_GetObjectItemCaseSensitive(pw, "B");
    size_t a = cJSON_IsString(an) ? index_of(&L.g, an->valuestring) : SIZE_MAX;
    size_t b = cJSON_IsString(bn) ? index_of(&L.g, bn->valuestring) : SIZE_MAX;
    if (a == SIZE_MAX || b == SIZE_MAX) {
        live_close(&L);
        return oscar_diag_set(c->diag, OSCAR_ERR_PARSE, "%s: %s: pairwise A/B unknown", c->file,
                              c->vid);
    }
    uint8_t ks[32], kr[32];
    size_t ks_len, kr_len;
    enum oscar_err err = hex(c, cJSON_GetObjectItemCaseSensitive(pw, "A_pairwise_sender_key_for_B"),
                             "key", ks, sizeof(ks), &ks_len, NULL);
    if (err == OSCAR_OK) {
        err = hex(c, cJSON_GetObjectItemCaseSensitive(pw, "A_pairwise_recipient_key_for_B"), "key",
                  kr, sizeof(kr), &kr_len, NULL);
    }
    size_t who[2] = {a, b};
    for (int side = 0; side < 2 && err == OSCAR_OK; side++) {
        const struct member *peer = &L.g.m[who[1 - side]];
        struct oscar_group_recipient *r =
            oscar_group_recipient_get(&L.ctx[who[side]], peer->id, peer->id_len, true);
        bool ok = r != NULL && oscar_group_pairwise_keys(&L.ctx[who[side]], r) == OSCAR_OK;
        check_true(c, "pairwise keys derive", ok);
        if (ok) {
            check(c, side ? "B's Pairwise Recipient Key" : "A's Pairwise Sender Key", ks, ks_len,
                  side ? r->pairwise_recipient_key : r->pairwise_sender_key, ks_len);
            check(c, side ? "B's Pairwise Sender Key" : "A's Pairwise Recipient Key", kr, kr_len,
                  side ? r->pairwise_sender_key : r->pairwise_recipient_key, kr_len);
        }
    }
    live_close(&L);
    return err;
}

/* step runs message m of the group's sequence: the sender protects, then (when checked) every
 * bit of the payload flipped is refused by the receiver, then the receiver reads the message.
 * Checks are recorded only for the vector's own message (checked). */
static enum oscar_err step(struct run *c, struct live *L, const cJSON *m, bool checked,
                           bool *ok_out)
{
    const cJSON *mode_j = cJSON_GetObjectItemCaseSensitive(m, "mode");
    const cJSON *kind_j = cJSON_GetObjectItemCaseSensitive(m, "message");
    const cJSON *snd = cJSON_GetObjectItemCaseSensitive(m, "sender");
    const cJSON *rcv = cJSON_GetObjectItemCaseSensitive(m, "recipient");
    size_t s = cJSON_IsString(snd) ? index_of(&L->g, snd->valuestring) : SIZE_MAX;
    size_t r = cJSON_IsString(rcv) ? index_of(&L->g, rcv->valuestring) : SIZE_MAX;
    if (s == SIZE_MAX || r == SIZE_MAX || !cJSON_IsString(mode_j) || !cJSON_IsString(kind_j)) {
        return oscar_diag_set(c->diag, OSCAR_ERR_PARSE,
                              "%s: %s: message without mode, kind, "
                              "sender or recipient",
                              c->file, c->vid);
    }
    enum oscar_group_mode mode = strcmp(mode_j->valuestring, "group") == 0
                                     ? OSCAR_GROUP_MODE_GROUP
                                     : OSCAR_GROUP_MODE_PAIRWISE;
    bool request = strcmp(kind_j->valuestring, "request") == 0;
    static uint8_t plain[BYTES_MAX], want[BYTES_MAX], prot[BYTES_MAX], dec[2 * BYTES_MAX + 8],
        bad[BYTES_MAX];
    size_t plain_len, want_len, prot_len = 0, dec_len = 0, piv_len;
    uint8_t piv[8];
    bool has_piv;
    OSCAR_TRY(hex(c, m, "unprotected_coap_hex", plain, sizeof(plain), &plain_len, NULL));
    OSCAR_TRY(hex(c, m, "protected_coap_hex", want, sizeof(want), &want_len, NULL));
    OSCAR_TRY(hex(c, m, "partial_iv", piv, sizeof(piv), &piv_len, &has_piv));
    struct oscar_group_ctx *S = &L->ctx[s];
    struct oscar_group_ctx *R = &L->ctx[r];
    if (has_piv) {
        S->seq = oscar_oscore_piv_decode(piv, piv_len);
    }
    enum oscar_err perr;
    if (request) {
        perr =
            oscar_group_protect_request(S, mode, L->g.m[r].id, L->g.m[r].id_len, prot, sizeof(prot),
                                        &prot_len, &L->client_ex, plain, plain_len);
    } else {
        perr = oscar_group_protect_response(S, mode, has_piv, prot, sizeof(prot), &prot_len,
                                            &L->server_ex, plain, plain_len);
    }
    struct run quiet = *c;
    struct oscar_vector_result scratch = {0};
    struct run *rc = c;
    if (!checked) {
        quiet.r = &scratch;
        quiet.report = NULL;
        quiet.corrupt = -1;
        rc = &quiet;
    }
    check_true(rc, "protects", perr == OSCAR_OK);
    check(rc, "protected message", want, want_len, prot, prot_len);
    /* every payload bit flipped: refused (before the genuine message, which would make the
     * copies replays) */
    struct oscar_coap_msg wm;
    size_t off;
    size_t payload = want_len;
    if (oscar_coap_parse(&wm, &off, want, want_len) == OSCAR_COAP_WELL_FORMED) {
        payload = want_len - wm.payload_len;
    }
    size_t refused = 0;
    size_t tried = 0;
    for (size_t i = payload; checked && i < want_len; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            memcpy(bad, want, want_len);
            bad[i] ^= (uint8_t)(1u << bit);
            enum oscar_oscore_verdict v;
            struct oscar_group_recipient *who;
            struct oscar_group_exchange ex;
            if (request) {
                OSCAR_TRY(oscar_group_unprotect_request(R, &v, &who, dec, sizeof(dec), &dec_len,
                                                        &ex, bad, want_len));
            } else {
                OSCAR_TRY(oscar_group_unprotect_response(R, &v, &who, dec, sizeof(dec), &dec_len,
                                                         &L->client_ex, bad, want_len));
            }
            tried++;
            refused += v != OSCAR_OSCORE_ACCEPT;
        }
    }
    c->r->num_tamper += checked ? tried : 0;
    c->r->num_tamper_accepted += tried - refused;
    enum oscar_oscore_verdict v;
    struct oscar_group_recipient *who;
    if (request) {
        OSCAR_TRY(oscar_group_unprotect_request(R, &v, &who, dec, sizeof(dec), &dec_len,
                                                &L->server_ex, want, want_len));
    } else {
        OSCAR_TRY(oscar_group_unprotect_response(R, &v, &who, dec, sizeof(dec), &dec_len,
                                                 &L->client_ex, want, want_len));
    }
    check_true(rc, "receiver accepts", v == OSCAR_OSCORE_ACCEPT);
    check(rc, "decrypted message", plain, plain_len, dec, dec_len);
    check_true(rc, "every tampered copy refused", refused == tried);
    *ok_out = scratch.num_failed == 0;
    return OSCAR_OK;
}

static enum oscar_err run_message(struct run *c, const cJSON *grp, size_t upto)
{
    static struct live L;
    OSCAR_TRY(live_open(c, &L, grp));
    size_t k = 0;
    const cJSON *m;
    enum oscar_err err = OSCAR_OK;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(grp, "messages"))
    {
        bool ok = true;
        err = step(c, &L, m, k == upto, &ok);
        if (err != OSCAR_OK || k == upto) {
            break;
        }
        if (!ok) {
            check_true(c, "an earlier message of the sequence goes through", false);
            break;
        }
        k++;
    }
    live_close(&L);
    return err;
}

/* --- dispatch --- */

/* struct gvec is one vector of a group file: its id and how to run it. */
/* --- the ACE join example (vectors/ace-join-example.json, RFC 9594 §4.3.1, key-groupcomm-oscore
 * §6): the reference joining node writes the Join Request and the reference Group Manager the
 * Join Response, byte for byte; the joiner reads the response and verifies kdc_cred_verify; a
 * Join Request with one bit of client_cred_verify flipped must be refused with 4.00 error 3. */

struct ace_inputs {
    uint8_t seed_c[32], seed_m[32], seed_g[32];
    uint8_t pub_c[32], pub_m[32], pub_g[32];
    uint8_t cred_c[128], cred_m[128], cred_g[128];
    size_t cred_c_len, cred_m_len, cred_g_len;
    uint8_t ms[32], salt[32], gid[16], sid[4], msid[4], n_s[16], n_c[16], n_kdc[16];
    size_t ms_len, salt_len, gid_len, sid_len, msid_len, n_s_len, n_c_len, n_kdc_len;
    int32_t roles, exp, exi;
};

/* ace_gm_join runs a Group Manager as the example sets it up and posts join to it. */
static enum oscar_err ace_gm_join(struct run *c, const struct ace_inputs *in, const uint8_t *join,
                                  size_t join_len, struct oscar_gm_response *rs)
{
    const struct oscar_crypto_ops *cr = oscar_crypto_wolfssl();
    static const uint8_t as_priv[32] = {0x44};
    uint8_t as_pub[32];
    OSCAR_TRY(cr->sig_public(OSCAR_COSE_ALG_EDDSA, as_priv, as_pub));
    struct oscar_gm *gm = calloc(1, sizeof(*gm));
    if (gm == NULL) {
        return oscar_diag_set(c->diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    uint64_t exp = (uint64_t)in->exp;
    struct oscar_gm_config cfg = {.gname = "g1",
                                  .aud = "gm",
                                  .iss = "as",
                                  .as_pub = as_pub,
                                  .gm_priv = in->seed_g,
                                  .gm_cred = in->cred_g,
                                  .gm_cred_len = in->cred_g_len,
                                  .gid = in->gid,
                                  .gid_len = in->gid_len,
                                  .master_secret = in->ms,
                                  .master_salt = in->salt,
                                  .master_salt_len = in->salt_len,
                                  .sid_first = in->sid[0],
                                  .sid_count = 1,
                                  .exp = exp};
    struct oscar_ace_claims cl = {.exp = exp};
    snprintf(cl.iss, sizeof(cl.iss), "as");
    snprintf(cl.aud, sizeof(cl.aud), "gm");
    struct oscar_ace_scope_entry e = {"g1", (uint64_t)in->roles};
    memcpy(cl.cnf_pub, in->pub_c, 32);
    cl.cnf_pub_len = 32;
    uint8_t token[512];
    size_t token_len;
    enum oscar_err err = oscar_gm_init(gm, &cfg, cr);
    if (err == OSCAR_OK &&
        oscar_gm_add_member(gm, in->msid[0], 6, in->cred_m, in->cred_m_len) < 0) {
        err = OSCAR_ERR_INVALID_ARG;
    }
    if (err == OSCAR_OK) {
        err = oscar_ace_scope_encode(cl.scope, sizeof(cl.scope), &cl.scope_len, &e, 1);
    }
    if (err == OSCAR_OK) {
        err = oscar_ace_cwt_sign(cr, as_priv, as_pub, &cl, token, sizeof(token), &token_len);
    }
    int client = err == OSCAR_OK
                     ? oscar_gm_authz_info(gm, token, token_len, exp - (uint64_t)in->exi, rs)
                     : -1;
    if (client >= 0 && in->n_s_len == OSCAR_GM_NONCE_LEN && in->n_kdc_len == OSCAR_GM_NONCE_LEN) {
        memcpy(gm->clients[client].n_s, in->n_s, OSCAR_GM_NONCE_LEN);
        memcpy(gm->fixed_n_kdc, in->n_kdc, OSCAR_GM_NONCE_LEN);
        gm->has_fixed_n_kdc = true;
        oscar_gm_handle(gm, client, exp - (uint64_t)in->exi, OSCAR_COAP_CODE_POST, "ace-group/g1",
                        join, join_len, rs);
    } else if (err == OSCAR_OK) {
        err = oscar_diag_set(c->diag, OSCAR_ERR_PARSE, "%s: %s: the example's set-up failed (%s)",
                             c->file, c->vid, rs->why);
    }
    free(gm);
    return err == OSCAR_OK ? OSCAR_OK
                           : oscar_diag_set(c->diag, err, "%s: %s: set-up failed", c->file, c->vid);
}

static enum oscar_err run_ace_join(struct run *c, const cJSON *root)
{
    const struct oscar_crypto_ops *cr = oscar_crypto_wolfssl();
    const cJSON *in_j = cJSON_GetObjectItemCaseSensitive(root, "inputs");
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(root, "values");
    static struct ace_inputs in;
    static uint8_t want[1024];
    static uint8_t got[1024];
    size_t want_len, got_len, n;
    memset(&in, 0, sizeof(in));
    OSCAR_TRY(hex(c, in_j, "seed_joining_node", in.seed_c, 32, &n, NULL));
    OSCAR_TRY(hex(c, in_j, "seed_member_52", in.seed_m, 32, &n, NULL));
    OSCAR_TRY(hex(c, in_j, "seed_gm", in.seed_g, 32, &n, NULL));
    OSCAR_TRY(hex(c, in_j, "ms", in.ms, sizeof(in.ms), &in.ms_len, NULL));
    OSCAR_TRY(hex(c, in_j, "salt", in.salt, sizeof(in.salt), &in.salt_len, NULL));
    OSCAR_TRY(hex(c, in_j, "gid", in.gid, sizeof(in.gid), &in.gid_len, NULL));
    OSCAR_TRY(hex(c, in_j, "sender_id", in.sid, sizeof(in.sid), &in.sid_len, NULL));
    OSCAR_TRY(hex(c, in_j, "member_sender_id", in.msid, sizeof(in.msid), &in.msid_len, NULL));
    OSCAR_TRY(hex(c, val, "N_S", in.n_s, sizeof(in.n_s), &in.n_s_len, NULL));
    OSCAR_TRY(hex(c, val, "N_C", in.n_c, sizeof(in.n_c), &in.n_c_len, NULL));
    OSCAR_TRY(hex(c, val, "N_KDC", in.n_kdc, sizeof(in.n_kdc), &in.n_kdc_len, NULL));
    OSCAR_TRY(number(c, in_j, "roles", &in.roles));
    OSCAR_TRY(number(c, in_j, "exp", &in.exp));
    OSCAR_TRY(number(c, in_j, "exi", &in.exi));
    if (in.ms_len != OSCAR_GM_MS_LEN || in.sid_len != 1 || in.msid_len != 1 ||
        in.gid_len > OSCAR_GM_GID_LEN) {
        return oscar_diag_set(c->diag, OSCAR_ERR_PARSE,
                              "%s: %s: ms of 16 bytes, one-byte Sender IDs, a Gid of at most 8",
                              c->file, c->vid);
    }
    /* the credentials (CCS) of the three parties */
    static const struct {
        const char *sub, *key;
        size_t off_seed, off_pub, off_cred, off_len;
    } parties[] = {
        {"joining-node", "cred_joining_node", offsetof(struct ace_inputs, seed_c),
         offsetof(struct ace_inputs, pub_c), offsetof(struct ace_inputs, cred_c),
         offsetof(struct ace_inputs, cred_c_len)},
        {"member-52", "cred_member_52", offsetof(struct ace_inputs, seed_m),
         offsetof(struct ace_inputs, pub_m), offsetof(struct ace_inputs, cred_m),
         offsetof(struct ace_inputs, cred_m_len)},
        {"group-manager", "cred_gm", offsetof(struct ace_inputs, seed_g),
         offsetof(struct ace_inputs, pub_g), offsetof(struct ace_inputs, cred_g),
         offsetof(struct ace_inputs, cred_g_len)},
    };
    for (size_t k = 0; k < 3; k++) {
        uint8_t *base = (uint8_t *)&in;
        size_t *len = (size_t *)(void *)(base + parties[k].off_len);
        OSCAR_TRY(cr->sig_public(OSCAR_COSE_ALG_EDDSA, base + parties[k].off_seed,
                                 base + parties[k].off_pub));
        OSCAR_TRY(oscar_ace_ccs_write(parties[k].sub, base + parties[k].off_pub,
                                      base + parties[k].off_cred, 128, len));
        OSCAR_TRY(hex(c, val, parties[k].key, want, sizeof(want), &want_len, NULL));
        check(c, parties[k].key, want, want_len, base + parties[k].off_cred, *len);
    }
    /* the joining node's request */
    struct oscar_ace_join_request rq = {.gname = "g1",
                                        .roles = (uint64_t)in.roles,
                                        .get_creds = true,
                                        .cred = in.cred_c,
                                        .cred_len = in.cred_c_len,
                                        .priv = in.seed_c,
                                        .pub = in.pub_c,
                                        .n_s = in.n_s,
                                        .n_s_len = in.n_s_len,
                                        .n_c = in.n_c,
                                        .n_c_len = in.n_c_len};
    OSCAR_TRY(oscar_ace_join_request_write(cr, &rq, got, sizeof(got), &got_len));
    OSCAR_TRY(hex(c, val, "join_request_payload", want, sizeof(want), &want_len, NULL));
    check(c, "join_request_payload", want, want_len, got, got_len);
    /* the Group Manager's response */
    static struct oscar_gm_response rs;
    OSCAR_TRY(ace_gm_join(c, &in, got, got_len, &rs));
    check_true(c, "the join is answered 2.01", rs.code == OSCAR_COAP_CODE_CREATED);
    OSCAR_TRY(hex(c, val, "join_response_payload", want, sizeof(want), &want_len, NULL));
    check(c, "join_response_payload", want, want_len, rs.payload, rs.len);
    /* the joining node reads it and verifies the GM's proof of possession */
    static struct oscar_ace_join_info info;
    char why[256] = "";
    bool read = oscar_ace_join_info_read(rs.payload, rs.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why));
    check_true(c, "the Join Response reads strictly", read);
    check_true(c, "kdc_cred_verify verifies",
               read && oscar_ace_kdc_pop_verify(cr, &info, in.n_c, in.n_c_len));
    /* tampered: client_cred_verify with one bit flipped must get 4.00 error 3 */
    got[got_len - 9] ^= 0x20;
    OSCAR_TRY(ace_gm_join(c, &in, got, got_len, &rs));
    c->r->num_tamper++;
    if (rs.code != OSCAR_COAP_CODE_BAD_REQUEST || rs.len != 5 ||
        rs.payload[4] != OSCAR_ACE_ERR_POP) {
        c->r->num_tamper_accepted++;
    }
    return OSCAR_OK;
}

enum gkind { G_EXAMPLE, G_HACK_KEYS, G_HACK_ECDH, G_CONTEXT, G_PAIRWISE, G_MESSAGE, G_ACE_JOIN };

static enum oscar_err run_one(struct run *c, enum gkind kind, const cJSON *item, size_t arg)
{
    switch (kind) {
    case G_EXAMPLE:
        return run_example(c, item);
    case G_HACK_KEYS:
        return run_hackathon_keys(c, item);
    case G_HACK_ECDH:
        return run_hackathon_ecdh(c, item);
    case G_CONTEXT:
        return run_derived_context(c, item);
    case G_PAIRWISE:
        return run_pairwise(c, item);
    case G_MESSAGE:
        return run_message(c, item, arg);
    case G_ACE_JOIN:
        return run_ace_join(c, item);
    }
    return OSCAR_ERR_INVALID_ARG;
}

static enum oscar_err run_vector(const struct oscar_group_vector_opts *o, const char *file,
                                 const char *vid, enum gkind kind, const cJSON *item, size_t arg,
                                 struct oscar_group_vector_tally *t, struct oscar_diag *diag)
{
    if (o->selected != NULL && !o->selected(o->selected_arg, vid)) {
        return OSCAR_OK;
    }
    t->matched++;
    struct oscar_vector_result r = {0};
    struct run c = {file, vid, &r, o->report, -1, 0, diag};
    OSCAR_TRY(run_one(&c, kind, item, arg));
    if (r.num_failed != 0 || r.num_tamper_accepted != 0) {
        t->failed++;
        printf("FAIL %-34s %zu of %zu checks failed; %s (%s)\n", vid, r.num_failed, r.num_checks,
               r.num_failed ? r.first_failure : "a tampered message was accepted", file);
        return OSCAR_OK;
    }
    if (o->negative) {
        for (size_t i = 0; i < r.num_checks; i++) {
            struct oscar_vector_result nr = {0};
            struct run nc = {file, vid, &nr, NULL, (long)i, 0, diag};
            OSCAR_TRY(run_one(&nc, kind, item, arg));
            if (nr.num_failed == 0) {
                t->failed++;
                printf("FAIL %-34s negative control: corrupting check #%zu went unnoticed (%s)\n",
                       vid, i, file);
                return OSCAR_OK;
            }
        }
        t->passed++;
        printf("PASS %-34s %zu corrupted expectations all detected\n", vid, r.num_checks);
        return OSCAR_OK;
    }
    t->passed++;
    printf("PASS %-34s %zu checks, %zu tampered messages rejected\n", vid, r.num_checks,
           r.num_tamper);
    return OSCAR_OK;
}

static const char *str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

enum oscar_err oscar_group_vectors_run(const char *path, const struct oscar_group_vector_opts *o,
                                       struct oscar_group_vector_tally *t, bool *is_group,
                                       struct oscar_diag *diag)
{
    cJSON *root = NULL;
    *is_group = false;
    OSCAR_TRY(oscar_json_load_file(&root, path, diag));
    const cJSON *examples = cJSON_GetObjectItemCaseSensitive(root, "examples");
    const cJSON *contexts = cJSON_GetObjectItemCaseSensitive(root, "contexts");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(root, "groups");
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(root, "values");
    enum oscar_err err = OSCAR_OK;
    char vid[160];
    const cJSON *it;
    if (cJSON_IsArray(examples)) {
        *is_group = true;
        cJSON_ArrayForEach(it, examples)
        {
            snprintf(vid, sizeof(vid), "g28-4.3/%s", str(it, "id"));
            err = err == OSCAR_OK ? run_vector(o, path, vid, G_EXAMPLE, it, 0, t, diag) : err;
        }
    } else if (cJSON_IsArray(contexts)) {
        *is_group = true;
        size_t k = 0;
        cJSON_ArrayForEach(it, contexts)
        {
            snprintf(vid, sizeof(vid), "hack109/%zu-keys", ++k);
            err = err == OSCAR_OK ? run_vector(o, path, vid, G_HACK_KEYS, it, 0, t, diag) : err;
            snprintf(vid, sizeof(vid), "hack109/%zu-ecdh", k);
            err = err == OSCAR_OK ? run_vector(o, path, vid, G_HACK_ECDH, it, 0, t, diag) : err;
        }
    } else if (cJSON_IsObject(values) &&
               cJSON_GetObjectItemCaseSensitive(values, "join_request_payload") != NULL) {
        *is_group = true;
        err = run_vector(o, path, "ace-join/example", G_ACE_JOIN, root, 0, t, diag);
    } else if (cJSON_IsArray(groups)) {
        *is_group = true;
        cJSON_ArrayForEach(it, groups)
        {
            const char *name = str(it, "name");
            snprintf(vid, sizeof(vid), "%s/context", name);
            err = err == OSCAR_OK ? run_vector(o, path, vid, G_CONTEXT, it, 0, t, diag) : err;
            snprintf(vid, sizeof(vid), "%s/pairwise-keys", name);
            err = err == OSCAR_OK ? run_vector(o, path, vid, G_PAIRWISE, it, 0, t, diag) : err;
            size_t k = 0;
            const cJSON *m;
            cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(it, "messages"))
            {
                snprintf(vid, sizeof(vid), "%s/%s", name, str(m, "id"));
                err = err == OSCAR_OK ? run_vector(o, path, vid, G_MESSAGE, it, k, t, diag) : err;
                k++;
            }
        }
    }
    cJSON_Delete(root);
    return err;
}
