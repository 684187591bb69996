/* group/protect.c — Group OSCORE message protection (RFC 10021 §3, §4, §5.3, §7, §8): group mode
 * (Group Flag 1, ciphertext || encrypted countersignature) and pairwise mode (Group Flag 0,
 * pairwise keys), for requests and responses, with the external_aad of §3.4 in both. */
#include "oscar/group.h"

#include <string.h>

#include "../oscore/internal.h"
#include "oscar/cbor.h"

/* Countersign_structure context of an abbreviated countersignature (§3.1; RFC 9338 §3.3). */
static const char COUNTERSIGN_CONTEXT[] = "CounterSignature0";
static const char ENCRYPT0[] = "Encrypt0";

#define SIG_LEN OSCAR_SIG_MAX
/* aad_array with the largest IDs, kid context and three credentials, with room for heads */
#define AAD_ARRAY_MAX                                                                              \
    (2 * OSCAR_GROUP_CRED_MAX + OSCAR_GROUP_CRED_MAX + OSCAR_OSCORE_ID_CONTEXT_MAX +               \
     OSCAR_OSCORE_OPTION_MAX + 96)
#define ENC_STRUCTURE_MAX (AAD_ARRAY_MAX + 16)
/* ToBeSigned: a group message's ciphertext up to this size can be signed and verified */
#define TBS_MAX 4096

/* struct aad_in is what the external_aad of a message covers (§3.4). */
struct aad_in {
    const uint8_t *req_kid;
    size_t req_kid_len;
    const uint8_t *req_piv;
    size_t req_piv_len;
    const uint8_t *req_kid_context;
    size_t req_kid_context_len;
    const uint8_t *option; /* the OSCORE option value of this message */
    size_t option_len;
    const uint8_t *sender_cred; /* of the endpoint that protects this message */
    size_t sender_cred_len;
};

/* put_alg writes a set algorithm, or null for one not set (§3.4). */
static void put_alg(struct oscar_cbor_writer *w, int32_t alg)
{
    if (alg == 0) {
        oscar_cbor_put_null(w);
    } else {
        oscar_cbor_put_int(w, alg);
    }
}

/* aad_array writes [1, [alg_aead, alg_group_enc, alg_signature, alg_pairwise_key_agreement],
 * request_kid, request_piv, options (no Class I options: h''), request_kid_context,
 * OSCORE_option, sender_cred, gm_cred] (§3.4). */
static enum oscar_err aad_array(const struct oscar_group_ctx *ctx, uint8_t *out, size_t cap,
                                size_t *len, const struct aad_in *in)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 9);
    oscar_cbor_put_uint(&w, OSCAR_OSCORE_VERSION);
    oscar_cbor_put_array(&w, 4);
    put_alg(&w, ctx->aead != NULL ? ctx->aead->cose_id : 0);
    put_alg(&w, ctx->group_enc != NULL ? ctx->group_enc->cose_id : 0);
    put_alg(&w, ctx->group_enc != NULL ? ctx->sig_alg : 0);
    put_alg(&w, ctx->pairwise_alg);
    oscar_cbor_put_bstr(&w, in->req_kid, in->req_kid_len);
    oscar_cbor_put_bstr(&w, in->req_piv, in->req_piv_len);
    oscar_cbor_put_bstr(&w, NULL, 0);
    oscar_cbor_put_bstr(&w, in->req_kid_context, in->req_kid_context_len);
    oscar_cbor_put_bstr(&w, in->option, in->option_len);
    oscar_cbor_put_bstr(&w, in->sender_cred, in->sender_cred_len);
    oscar_cbor_put_bstr(&w, ctx->gm_cred, ctx->gm_cred_len);
    return oscar_cbor_writer_finish(&w, len);
}

/* struct aad is the AAD of the AEAD (Enc_structure) and the aad_array the signature covers. */
struct aad {
    uint8_t array[AAD_ARRAY_MAX];
    size_t array_len;
    uint8_t enc[ENC_STRUCTURE_MAX];
    size_t enc_len;
};

static enum oscar_err build_aad(struct aad *a, const struct oscar_group_ctx *ctx,
                                const struct aad_in *in)
{
    OSCAR_TRY(aad_array(ctx, a->array, sizeof(a->array), &a->array_len, in));
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, a->enc, sizeof(a->enc));
    oscar_cbor_put_array(&w, 3);
    oscar_cbor_put_tstr(&w, ENCRYPT0, sizeof(ENCRYPT0) - 1);
    oscar_cbor_put_bstr(&w, NULL, 0);
    oscar_cbor_put_bstr(&w, a->array, a->array_len);
    return oscar_cbor_writer_finish(&w, &a->enc_len);
}

/* to_be_signed writes [context, h'', external_aad, ciphertext] (§3.1, RFC 9338 §3.3). */
static enum oscar_err to_be_signed(uint8_t *out, size_t cap, size_t *len, const struct aad *a,
                                   const uint8_t *ct, size_t ct_len)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 4);
    oscar_cbor_put_tstr(&w, COUNTERSIGN_CONTEXT, sizeof(COUNTERSIGN_CONTEXT) - 1);
    oscar_cbor_put_bstr(&w, NULL, 0);
    oscar_cbor_put_bstr(&w, a->array, a->array_len);
    oscar_cbor_put_bstr(&w, ct, ct_len);
    return oscar_cbor_writer_finish(&w, len);
}

/* keystream: HKDF(salt = the Partial IV, IKM = Signature Encryption Key, info = [id, Gid,
 * is_request, L], L = signature length) (§4.2). */
static enum oscar_err keystream(const struct oscar_group_ctx *ctx, uint8_t ks[SIG_LEN],
                                const uint8_t *piv, size_t piv_len, const uint8_t *id,
                                size_t id_len, const uint8_t *gid, size_t gid_len, bool is_request)
{
    uint8_t info[OSCAR_OSCORE_INFO_MAX];
    size_t info_len;
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, info, sizeof(info));
    oscar_cbor_put_array(&w, 4);
    oscar_cbor_put_bstr(&w, id, id_len);
    oscar_cbor_put_bstr(&w, gid, gid_len);
    static const uint8_t cbor_true = 0xf5;
    static const uint8_t cbor_false = 0xf4;
    oscar_cbor_put_raw(&w, is_request ? &cbor_true : &cbor_false, 1);
    oscar_cbor_put_uint(&w, SIG_LEN);
    OSCAR_TRY(oscar_cbor_writer_finish(&w, &info_len));
    return ctx->crypto->hkdf(ks, SIG_LEN, ctx->hkdf_alg, piv, piv_len, ctx->sig_enc_key,
                             ctx->group_enc->key_len, info, info_len);
}

/* struct keystream_in says whose Partial IV salts the keystream (§4.2): the message's own, or
 * for a response without one, the request's with the client's Sender ID. */
struct keystream_in {
    const uint8_t *piv;
    size_t piv_len;
    const uint8_t *id;
    size_t id_len;
    bool is_request;
};

static void xor_into(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = (uint8_t)(a[i] ^ b[i]);
    }
}

/* struct group_work holds the temporaries of one operation (about 12 KiB, on the stack). */
struct group_work {
    struct oscar_coap_msg msg;
    struct oscar_oscore_split split;
    struct aad aad;
    uint8_t tbs[TBS_MAX];
    struct oscar_coap_msg inner;
    struct oscar_coap_msg merged;
};

/* seal writes the Outer message with the OSCORE option, then the plaintext encrypted with key
 * and, in group mode, the encrypted countersignature after the ciphertext. */
static enum oscar_err seal(struct oscar_group_ctx *ctx, struct group_work *w,
                           struct oscar_aead_key *key, const struct oscar_alg_info *alg, bool group,
                           const struct keystream_in *ksi, uint8_t *out, size_t out_cap,
                           size_t *out_len, const uint8_t *option, size_t option_len,
                           const uint8_t *nonce)
{
    struct oscar_oscore_seal_in in = {
        .crypto = ctx->crypto,
        .key = key,
        .tag_len = alg->tag_len,
        .option = option,
        .option_len = option_len,
        .nonce = nonce,
        .aad = w->aad.enc,
        .aad_len = w->aad.enc_len,
        .tail_len = group ? SIG_LEN : 0,
    };
    size_t pt_start;
    OSCAR_TRY(oscar_oscore_seal_message(&w->split, &w->msg, &in, out, out_cap, out_len, &pt_start));
    size_t ct_len = *out_len - pt_start - in.tail_len;
    if (group) {
        size_t tbs_len;
        uint8_t sig[SIG_LEN];
        uint8_t ks[SIG_LEN];
        OSCAR_TRY(to_be_signed(w->tbs, sizeof(w->tbs), &tbs_len, &w->aad, out + pt_start, ct_len));
        OSCAR_TRY(ctx->crypto->sign(ctx->sig_alg, ctx->sender_priv, ctx->sender_pub, w->tbs,
                                    tbs_len, sig));
        OSCAR_TRY(keystream(ctx, ks, ksi->piv, ksi->piv_len, ksi->id, ksi->id_len, ctx->gid,
                            ctx->gid_len, ksi->is_request));
        if (ctx->faults & OSCAR_GROUP_FAULT_PLAIN_SIGNATURE) {
            memset(ks, 0, sizeof(ks));
        }
        xor_into(out + pt_start + ct_len, sig, ks, SIG_LEN);
    }
    return OSCAR_OK;
}

/* take_piv uses the next Sender Sequence Number, shared by both modes (§2.5.3) unless the
 * shared-piv fault gives pairwise mode a counter of its own. */
static enum oscar_err take_piv(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                               uint8_t piv[OSCAR_OSCORE_PIV_MAX], size_t *piv_len)
{
    uint64_t *seq = &ctx->seq;
    if (mode == OSCAR_GROUP_MODE_PAIRWISE && (ctx->faults & OSCAR_GROUP_FAULT_SHARED_PIV)) {
        seq = &ctx->pairwise_seq;
    }
    if (*seq >= OSCAR_OSCORE_SEQ_LIMIT) {
        return OSCAR_ERR_SEQ_EXHAUSTED; /* §2.6.2 */
    }
    *piv_len = oscar_oscore_piv_encode(piv, (*seq)++);
    return OSCAR_OK;
}

/* mode_key returns the key and algorithm that protect a message to or from r in mode. */
static enum oscar_err mode_ready(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                 struct oscar_group_recipient *r)
{
    if (mode == OSCAR_GROUP_MODE_GROUP) {
        return ctx->group_enc != NULL ? OSCAR_OK : OSCAR_ERR_STATE;
    }
    if (ctx->aead == NULL || r == NULL) {
        return OSCAR_ERR_STATE;
    }
    return oscar_group_pairwise_keys(ctx, r);
}

static const struct oscar_alg_info *mode_alg(const struct oscar_group_ctx *ctx,
                                             enum oscar_group_mode mode)
{
    return mode == OSCAR_GROUP_MODE_GROUP ? ctx->group_enc : ctx->aead;
}

enum oscar_err oscar_group_protect_request(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                           const uint8_t *target, size_t target_len, uint8_t *out,
                                           size_t out_cap, size_t *out_len,
                                           struct oscar_group_exchange *out_ex, const uint8_t *msg,
                                           size_t msg_len)
{
    struct group_work w;
    OSCAR_TRY(oscar_oscore_parse_own(&w.msg, msg, msg_len));
    if (!oscar_coap_is_request(w.msg.code)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    OSCAR_TRY(oscar_oscore_split_message(&w.split, &w.msg, true, 0));
    struct oscar_group_recipient *r = NULL;
    if (mode == OSCAR_GROUP_MODE_PAIRWISE) {
        r = oscar_group_recipient_get(ctx, target, target_len, true);
    }
    OSCAR_TRY(mode_ready(ctx, mode, r));
    const struct oscar_alg_info *alg = mode_alg(ctx, mode);
    uint8_t piv[OSCAR_OSCORE_PIV_MAX];
    size_t piv_len;
    OSCAR_TRY(take_piv(ctx, mode, piv, &piv_len));
    /* §3.2: requests carry kid and kid context (the Gid); §4.1: the Group Flag gives the mode */
    struct oscar_oscore_option o = {
        .flags = mode == OSCAR_GROUP_MODE_GROUP ? OSCAR_OSCORE_FLAG_GROUP : 0,
        .piv = piv,
        .piv_len = piv_len,
        .has_kid = true,
        .kid = ctx->sender_id,
        .kid_len = ctx->sender_id_len,
        .has_kid_context = true,
        .kid_context = ctx->gid,
        .kid_context_len = ctx->gid_len,
    };
    uint8_t option[OSCAR_OSCORE_OPTION_MAX];
    size_t option_len;
    OSCAR_TRY(oscar_oscore_option_encode(option, sizeof(option), &option_len, &o));
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    OSCAR_TRY(oscar_oscore_nonce(nonce, alg, ctx->common_iv, ctx->sender_id, ctx->sender_id_len,
                                 piv, piv_len));
    struct aad_in in = {ctx->sender_id,   ctx->sender_id_len,  piv,    piv_len,
                        ctx->gid,         ctx->gid_len,        option, option_len,
                        ctx->sender_cred, ctx->sender_cred_len};
    OSCAR_TRY(build_aad(&w.aad, ctx, &in));
    struct keystream_in ksi = {piv, piv_len, ctx->sender_id, ctx->sender_id_len, true};
    struct oscar_aead_key *key = r != NULL ? &r->pairwise_sender : &ctx->sender_aead;
    OSCAR_TRY(seal(ctx, &w, key, alg, mode == OSCAR_GROUP_MODE_GROUP, &ksi, out, out_cap, out_len,
                   option, option_len, nonce));
    if (out_ex != NULL) {
        memset(out_ex, 0, sizeof(*out_ex));
        memcpy(out_ex->request_kid, ctx->sender_id, ctx->sender_id_len);
        out_ex->request_kid_len = ctx->sender_id_len;
        memcpy(out_ex->request_piv, piv, piv_len);
        out_ex->request_piv_len = piv_len;
        memcpy(out_ex->request_kid_context, ctx->gid, ctx->gid_len);
        out_ex->request_kid_context_len = ctx->gid_len;
        memcpy(out_ex->request_nonce, nonce, alg->nonce_len);
        out_ex->mode = mode;
        if (r != NULL) {
            memcpy(out_ex->target_id, r->id, r->id_len);
            out_ex->target_id_len = r->id_len;
        }
        out_ex->serial = ++ctx->next_serial;
    }
    return OSCAR_OK;
}

/* parse_received decodes a received message and its OSCORE option, Group Flag allowed. */
static enum oscar_oscore_verdict parse_received(struct oscar_coap_msg *m,
                                                struct oscar_oscore_option *o, const uint8_t *msg,
                                                size_t msg_len)
{
    size_t off;
    memset(o, 0, sizeof(*o));
    if (oscar_coap_parse(m, &off, msg, msg_len) != OSCAR_COAP_WELL_FORMED) {
        return OSCAR_OSCORE_MALFORMED_COAP;
    }
    const struct oscar_coap_option *opt = oscar_coap_find_option(m, OSCAR_COAP_OPT_OSCORE);
    if (opt == NULL) {
        return OSCAR_OSCORE_NOT_OSCORE;
    }
    if (oscar_coap_count_option(m, OSCAR_COAP_OPT_OSCORE) != 1 || !m->has_payload ||
        oscar_oscore_option_decode(o, opt->value, opt->len, true) != OSCAR_OSCORE_OPTION_OK) {
        return OSCAR_OSCORE_DECODE_FAILED;
    }
    return OSCAR_OSCORE_ACCEPT;
}

/* struct open_in is one verification: the key, nonce and AAD inputs, and for group mode the
 * signer's public key and keystream inputs. */
struct open_in {
    bool group;
    struct oscar_aead_key *key;
    const struct oscar_alg_info *alg;
    const uint8_t *nonce;
    const uint8_t *signer_pub;
    struct keystream_in ksi;
};

/* open_message checks the countersignature (group mode, before decrypting: §7.2, §7.4) and
 * decrypts, then decodes the plaintext into w->inner. *ok false: verification failed. */
static enum oscar_err open_message(struct oscar_group_ctx *ctx, struct group_work *w,
                                   const struct open_in *in, bool *ok, const uint8_t **out_pt,
                                   size_t *out_pt_len, uint8_t *out, size_t out_cap,
                                   size_t *out_len, size_t msg_len)
{
    *ok = false;
    const uint8_t *payload = w->msg.payload;
    size_t ct_len = w->msg.payload_len;
    if (in->group) {
        if (ct_len < SIG_LEN + in->alg->tag_len) {
            return OSCAR_OK;
        }
        ct_len -= SIG_LEN;
        uint8_t ks[SIG_LEN];
        uint8_t sig[SIG_LEN];
        size_t tbs_len;
        OSCAR_TRY(keystream(ctx, ks, in->ksi.piv, in->ksi.piv_len, in->ksi.id, in->ksi.id_len,
                            ctx->gid, ctx->gid_len, in->ksi.is_request));
        xor_into(sig, payload + ct_len, ks, SIG_LEN);
        if (to_be_signed(w->tbs, sizeof(w->tbs), &tbs_len, &w->aad, payload, ct_len) != OSCAR_OK) {
            return OSCAR_ERR_BUFFER_TOO_SMALL; /* larger than this reference verifies */
        }
        bool valid;
        OSCAR_TRY(ctx->crypto->verify(ctx->sig_alg, in->signer_pub, w->tbs, tbs_len, sig, SIG_LEN,
                                      &valid));
        if (!valid && !(ctx->faults & OSCAR_GROUP_FAULT_ACCEPT_BAD_SIGNATURE)) {
            return OSCAR_OK;
        }
    }
    if (ct_len < in->alg->tag_len) {
        return OSCAR_OK;
    }
    size_t pt_len = ct_len - in->alg->tag_len;
    if (2 * pt_len + 8 > out_cap) {
        *out_len = 2 * msg_len + 8;
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    uint8_t *pt = out + out_cap - pt_len;
    bool authentic;
    OSCAR_TRY(ctx->crypto->aead_open(in->key, &authentic, pt, pt_len, in->nonce, w->aad.enc,
                                     w->aad.enc_len, payload, ct_len));
    if (!authentic) {
        return OSCAR_OK;
    }
    *ok = true;
    *out_pt = pt;
    *out_pt_len = pt_len;
    return OSCAR_OK;
}

/* forget drops a Recipient Context that the failed message itself created (§7.2: MAY). */
static void forget(struct oscar_group_ctx *ctx, struct oscar_group_recipient *r, bool created)
{
    if (created && r != NULL) {
        ctx->crypto->aead_key_cleanup(&r->aead);
        if (r->has_pairwise) {
            ctx->crypto->aead_key_cleanup(&r->pairwise_sender);
            ctx->crypto->aead_key_cleanup(&r->pairwise_recipient);
        }
        oscar_secure_zero(r, sizeof(*r));
    }
}

/* verify_and_merge verifies and decrypts the message of w (open_message), then writes the
 * decrypted message into out: *verdict ACCEPT, DECRYPT_FAILED (a Recipient Context the message
 * created is dropped) or PLAINTEXT_MALFORMED. */
static enum oscar_err verify_and_merge(struct oscar_group_ctx *ctx, struct group_work *w,
                                       const struct open_in *oi, struct oscar_group_recipient *r,
                                       bool created, enum oscar_oscore_verdict *verdict,
                                       uint8_t *out, size_t out_cap, size_t *out_len,
                                       size_t msg_len)
{
    bool ok;
    const uint8_t *pt = NULL;
    size_t pt_len = 0;
    OSCAR_TRY(open_message(ctx, w, oi, &ok, &pt, &pt_len, out, out_cap, out_len, msg_len));
    if (!ok) {
        forget(ctx, r, created);
        *verdict = OSCAR_OSCORE_DECRYPT_FAILED;
        return OSCAR_OK;
    }
    if (!oscar_oscore_decode_plaintext(&w->inner, pt, pt_len)) {
        *verdict = OSCAR_OSCORE_PLAINTEXT_MALFORMED;
        return OSCAR_OK;
    }
    *verdict = OSCAR_OSCORE_ACCEPT;
    return oscar_oscore_write_merged(&w->merged, &w->msg, &w->inner, out, out_cap - pt_len, out_len,
                                     NULL, 0);
}

static bool bytes_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* echo_matches: the decrypted request carries the Echo value stored for its sender (§9). */
static bool echo_matches(const struct oscar_coap_msg *inner, const struct oscar_group_recipient *r)
{
    const struct oscar_coap_option *e = oscar_coap_find_option(inner, OSCAR_COAP_OPT_ECHO);
    return e != NULL && r->echo_len != 0 && e->len == r->echo_len &&
           oscar_ct_equal(e->value, r->echo, r->echo_len);
}

enum oscar_err oscar_group_unprotect_request(struct oscar_group_ctx *ctx,
                                             enum oscar_oscore_verdict *out_verdict,
                                             struct oscar_group_recipient **out_sender,
                                             uint8_t *out, size_t out_cap, size_t *out_len,
                                             struct oscar_group_exchange *out_ex,
                                             const uint8_t *msg, size_t msg_len)
{
    struct group_work w;
    struct oscar_oscore_option o;
    *out_len = 0;
    *out_sender = NULL;
    *out_verdict = parse_received(&w.msg, &o, msg, msg_len);
    if (*out_verdict != OSCAR_OSCORE_ACCEPT) {
        return OSCAR_OK;
    }
    /* §3.2, §5: a request carries Partial IV, kid and kid context */
    if (!oscar_coap_is_request(w.msg.code) || o.piv_len == 0 || !o.has_kid || !o.has_kid_context) {
        *out_verdict = OSCAR_OSCORE_DECODE_FAILED;
        return OSCAR_OK;
    }
    enum oscar_group_mode mode =
        (o.flags & OSCAR_OSCORE_FLAG_GROUP) ? OSCAR_GROUP_MODE_GROUP : OSCAR_GROUP_MODE_PAIRWISE;
    /* §6: another group, a mode this group does not use, or our own Sender ID: not for us */
    if (!bytes_eq(o.kid_context, o.kid_context_len, ctx->gid, ctx->gid_len) ||
        mode_alg(ctx, mode) == NULL ||
        bytes_eq(o.kid, o.kid_len, ctx->sender_id, ctx->sender_id_len)) {
        *out_verdict = OSCAR_OSCORE_NO_CONTEXT;
        return OSCAR_OK;
    }
    bool created = oscar_group_recipient_get(ctx, o.kid, o.kid_len, false) == NULL;
    struct oscar_group_recipient *r = oscar_group_recipient_get(ctx, o.kid, o.kid_len, true);
    if (r == NULL || (mode == OSCAR_GROUP_MODE_PAIRWISE && mode_ready(ctx, mode, r) != OSCAR_OK)) {
        forget(ctx, r, created);
        *out_verdict = OSCAR_OSCORE_NO_CONTEXT;
        return OSCAR_OK;
    }
    uint64_t seq = oscar_oscore_piv_decode(o.piv, o.piv_len);
    if (r->replay.valid && !(ctx->faults & OSCAR_GROUP_FAULT_ACCEPT_REPLAY) &&
        !oscar_oscore_replay_check(&r->replay, seq)) {
        *out_verdict = OSCAR_OSCORE_REPLAY;
        return OSCAR_OK;
    }
    const struct oscar_alg_info *alg = mode_alg(ctx, mode);
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    OSCAR_TRY(oscar_oscore_nonce(nonce, alg, ctx->common_iv, o.kid, o.kid_len, o.piv, o.piv_len));
    const struct oscar_coap_option *opt = oscar_coap_find_option(&w.msg, OSCAR_COAP_OPT_OSCORE);
    struct aad_in in = {o.kid,         o.kid_len,         o.piv,      o.piv_len,
                        o.kid_context, o.kid_context_len, opt->value, opt->len,
                        r->cred,       r->cred_len};
    OSCAR_TRY(build_aad(&w.aad, ctx, &in));
    struct open_in oi = {
        mode == OSCAR_GROUP_MODE_GROUP,
        mode == OSCAR_GROUP_MODE_GROUP ? &r->aead : &r->pairwise_recipient,
        alg,
        nonce,
        r->pub,
        {o.piv, o.piv_len, o.kid, o.kid_len, true},
    };
    OSCAR_TRY(
        verify_and_merge(ctx, &w, &oi, r, created, out_verdict, out, out_cap, out_len, msg_len));
    if (*out_verdict != OSCAR_OSCORE_ACCEPT) {
        return OSCAR_OK;
    }
    if (r->replay.valid) {
        oscar_oscore_replay_update(&r->replay, seq);
    } else if (echo_matches(&w.inner, r)) {
        /* §9: the request echoes our challenge: its Partial IV becomes the lower limit */
        oscar_oscore_replay_set_lower_limit(&r->replay, seq);
        r->echo_len = 0;
    } else if (!(ctx->faults & OSCAR_GROUP_FAULT_ACCEPT_INVALID_WINDOW)) {
        *out_verdict = OSCAR_OSCORE_FRESHNESS_REQUIRED;
    }
    if (out_ex != NULL) {
        memset(out_ex, 0, sizeof(*out_ex));
        memcpy(out_ex->request_kid, o.kid, o.kid_len);
        out_ex->request_kid_len = o.kid_len;
        memcpy(out_ex->request_piv, o.piv, o.piv_len);
        out_ex->request_piv_len = o.piv_len;
        memcpy(out_ex->request_kid_context, o.kid_context, o.kid_context_len);
        out_ex->request_kid_context_len = o.kid_context_len;
        memcpy(out_ex->request_nonce, nonce, alg->nonce_len);
        out_ex->mode = mode;
    }
    *out_sender = r;
    return OSCAR_OK;
}

enum oscar_err oscar_group_protect_response(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                            bool own_piv, uint8_t *out, size_t out_cap,
                                            size_t *out_len, struct oscar_group_exchange *ex,
                                            const uint8_t *msg, size_t msg_len)
{
    struct group_work w;
    OSCAR_TRY(oscar_oscore_parse_own(&w.msg, msg, msg_len));
    if (oscar_coap_is_request(w.msg.code) || w.msg.code == OSCAR_COAP_CODE_EMPTY) {
        return OSCAR_ERR_INVALID_ARG;
    }
    OSCAR_TRY(oscar_oscore_split_message(&w.split, &w.msg, false, 0));
    /* §5.3.1, §7.3: the request's nonce protects one response at most */
    if (!own_piv && ex->request_nonce_used) {
        return OSCAR_ERR_NONCE_REUSE;
    }
    struct oscar_group_recipient *r = NULL;
    if (mode == OSCAR_GROUP_MODE_PAIRWISE) {
        r = oscar_group_recipient_get(ctx, ex->request_kid, ex->request_kid_len, true);
    }
    OSCAR_TRY(mode_ready(ctx, mode, r));
    const struct oscar_alg_info *alg = mode_alg(ctx, mode);
    uint8_t piv[OSCAR_OSCORE_PIV_MAX];
    size_t piv_len = 0;
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    if (own_piv) {
        OSCAR_TRY(take_piv(ctx, mode, piv, &piv_len));
        OSCAR_TRY(oscar_oscore_nonce(nonce, alg, ctx->common_iv, ctx->sender_id, ctx->sender_id_len,
                                     piv, piv_len));
    } else {
        memcpy(nonce, ex->request_nonce, alg->nonce_len);
    }
    /* §3.2: kid always in responses to group-mode requests, and in group-mode responses (the
     * signer must be known); a pairwise response to a pairwise request leaves it out, as in
     * RFC 8613 */
    bool kid = ex->mode == OSCAR_GROUP_MODE_GROUP || mode == OSCAR_GROUP_MODE_GROUP;
    struct oscar_oscore_option o = {
        .flags = mode == OSCAR_GROUP_MODE_GROUP ? OSCAR_OSCORE_FLAG_GROUP : 0,
        .piv = piv,
        .piv_len = piv_len,
        .has_kid = kid && !(ctx->faults & OSCAR_GROUP_FAULT_NO_RESPONSE_KID),
        .kid = ctx->sender_id,
        .kid_len = ctx->sender_id_len,
    };
    uint8_t option[OSCAR_OSCORE_OPTION_MAX];
    size_t option_len;
    OSCAR_TRY(oscar_oscore_option_encode(option, sizeof(option), &option_len, &o));
    struct aad_in in = {
        ex->request_kid,         ex->request_kid_len,         ex->request_piv, ex->request_piv_len,
        ex->request_kid_context, ex->request_kid_context_len, option,          option_len,
        ctx->sender_cred,        ctx->sender_cred_len};
    OSCAR_TRY(build_aad(&w.aad, ctx, &in));
    struct keystream_in ksi = {own_piv ? piv : ex->request_piv,
                               own_piv ? piv_len : ex->request_piv_len,
                               own_piv ? ctx->sender_id : ex->request_kid,
                               own_piv ? ctx->sender_id_len : ex->request_kid_len, false};
    struct oscar_aead_key *key = r != NULL ? &r->pairwise_sender : &ctx->sender_aead;
    OSCAR_TRY(seal(ctx, &w, key, alg, mode == OSCAR_GROUP_MODE_GROUP, &ksi, out, out_cap, out_len,
                   option, option_len, nonce));
    if (!own_piv) {
        ex->request_nonce_used = true;
    }
    return OSCAR_OK;
}

/* response_number_ok says whether a response from r with Partial IV seq (has_piv false: none)
 * is new in the long exchange ex (§5.3.1): at most one without Partial IV, none twice. */
static bool response_number_ok(struct oscar_group_recipient *r,
                               const struct oscar_group_exchange *ex, bool has_piv, uint64_t seq)
{
    if (r->rn_exchange != ex->serial) {
        r->rn_exchange = ex->serial;
        r->rn_init = false;
        r->rn_seen = 0;
        r->rn_nopiv = false;
    }
    if (!has_piv) {
        return !r->rn_nopiv;
    }
    if (!r->rn_init || seq > r->rn_high) {
        return true;
    }
    uint64_t back = r->rn_high - seq;
    return back < 64 && !(r->rn_seen & (UINT64_C(1) << back));
}

static void response_number_record(struct oscar_group_recipient *r, bool has_piv, uint64_t seq)
{
    if (!has_piv) {
        r->rn_nopiv = true;
        return;
    }
    if (!r->rn_init) {
        r->rn_init = true;
        r->rn_high = seq;
        r->rn_seen = 1;
    } else if (seq > r->rn_high) {
        uint64_t shift = seq - r->rn_high;
        r->rn_seen = shift >= 64 ? 1 : (r->rn_seen << shift) | 1;
        r->rn_high = seq;
    } else {
        r->rn_seen |= UINT64_C(1) << (r->rn_high - seq);
    }
}

enum oscar_err oscar_group_unprotect_response(struct oscar_group_ctx *ctx,
                                              enum oscar_oscore_verdict *out_verdict,
                                              struct oscar_group_recipient **out_sender,
                                              uint8_t *out, size_t out_cap, size_t *out_len,
                                              const struct oscar_group_exchange *ex,
                                              const uint8_t *msg, size_t msg_len)
{
    struct group_work w;
    struct oscar_oscore_option o;
    *out_len = 0;
    *out_sender = NULL;
    *out_verdict = parse_received(&w.msg, &o, msg, msg_len);
    if (*out_verdict != OSCAR_OSCORE_ACCEPT) {
        return OSCAR_OK;
    }
    if (oscar_coap_is_request(w.msg.code)) {
        *out_verdict = OSCAR_OSCORE_DECODE_FAILED;
        return OSCAR_OK;
    }
    enum oscar_group_mode mode =
        (o.flags & OSCAR_OSCORE_FLAG_GROUP) ? OSCAR_GROUP_MODE_GROUP : OSCAR_GROUP_MODE_PAIRWISE;
    /* §7.4: kid identifies the responder; only a response to a pairwise request may leave it
     * out, and then it is the server the request was for */
    const uint8_t *id = o.kid;
    size_t id_len = o.kid_len;
    if (!o.has_kid) {
        if (ex->mode != OSCAR_GROUP_MODE_PAIRWISE) {
            *out_verdict = OSCAR_OSCORE_DECODE_FAILED;
            return OSCAR_OK;
        }
        id = ex->target_id;
        id_len = ex->target_id_len;
    }
    if (mode_alg(ctx, mode) == NULL ||
        (o.has_kid_context &&
         !bytes_eq(o.kid_context, o.kid_context_len, ctx->gid, ctx->gid_len))) {
        *out_verdict = OSCAR_OSCORE_NO_CONTEXT;
        return OSCAR_OK;
    }
    bool created = oscar_group_recipient_get(ctx, id, id_len, false) == NULL;
    struct oscar_group_recipient *r = oscar_group_recipient_get(ctx, id, id_len, true);
    if (r == NULL || (mode == OSCAR_GROUP_MODE_PAIRWISE && mode_ready(ctx, mode, r) != OSCAR_OK)) {
        forget(ctx, r, created);
        *out_verdict = OSCAR_OSCORE_NO_CONTEXT;
        return OSCAR_OK;
    }
    bool has_piv = o.piv_len != 0;
    uint64_t seq = has_piv ? oscar_oscore_piv_decode(o.piv, o.piv_len) : 0;
    if (!response_number_ok(r, ex, has_piv, seq)) {
        *out_verdict = OSCAR_OSCORE_DUPLICATE_RESPONSE;
        return OSCAR_OK;
    }
    const struct oscar_alg_info *alg = mode_alg(ctx, mode);
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    if (has_piv) {
        OSCAR_TRY(oscar_oscore_nonce(nonce, alg, ctx->common_iv, id, id_len, o.piv, o.piv_len));
    } else {
        memcpy(nonce, ex->request_nonce, alg->nonce_len);
    }
    const struct oscar_coap_option *opt = oscar_coap_find_option(&w.msg, OSCAR_COAP_OPT_OSCORE);
    struct aad_in in = {ex->request_kid,
                        ex->request_kid_len,
                        ex->request_piv,
                        ex->request_piv_len,
                        ex->request_kid_context,
                        ex->request_kid_context_len,
                        opt->value,
                        opt->len,
                        r->cred,
                        r->cred_len};
    OSCAR_TRY(build_aad(&w.aad, ctx, &in));
    struct open_in oi = {
        mode == OSCAR_GROUP_MODE_GROUP,
        mode == OSCAR_GROUP_MODE_GROUP ? &r->aead : &r->pairwise_recipient,
        alg,
        nonce,
        r->pub,
        {has_piv ? o.piv : ex->request_piv, has_piv ? o.piv_len : ex->request_piv_len,
         has_piv ? id : ex->request_kid, has_piv ? id_len : ex->request_kid_len, false},
    };
    OSCAR_TRY(
        verify_and_merge(ctx, &w, &oi, r, created, out_verdict, out, out_cap, out_len, msg_len));
    if (*out_verdict != OSCAR_OSCORE_ACCEPT) {
        return OSCAR_OK;
    }
    response_number_record(r, has_piv, seq);
    *out_sender = r;
    return OSCAR_OK;
}

enum oscar_err oscar_group_echo_challenge(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                          struct oscar_group_recipient *sender,
                                          struct oscar_group_exchange *ex, const uint8_t *echo,
                                          size_t echo_len, const uint8_t *request,
                                          size_t request_len, uint8_t *out, size_t out_cap,
                                          size_t *out_len)
{
    struct oscar_coap_msg q;
    size_t off;
    if (echo_len == 0 || echo_len > OSCAR_OSCORE_ECHO_MAX ||
        oscar_coap_parse(&q, &off, request, request_len) != OSCAR_COAP_WELL_FORMED) {
        return OSCAR_ERR_INVALID_ARG;
    }
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = q.type == OSCAR_COAP_TYPE_CON ? OSCAR_COAP_TYPE_ACK : OSCAR_COAP_TYPE_NON;
    m.code = OSCAR_COAP_CODE(4, 1);
    m.mid = q.mid;
    m.token_len = q.token_len;
    memcpy(m.token, q.token, q.token_len);
    OSCAR_TRY(oscar_coap_add_option(&m, OSCAR_COAP_OPT_ECHO, echo, echo_len));
    uint8_t plain[4 + OSCAR_COAP_TOKEN_MAX + 3 + OSCAR_OSCORE_ECHO_MAX];
    size_t n;
    OSCAR_TRY(oscar_coap_serialize(plain, sizeof(plain), &n, &m));
    bool own_piv = !(ctx->faults & OSCAR_GROUP_FAULT_ECHO_NO_PIV);
    OSCAR_TRY(
        oscar_group_protect_response(ctx, mode, own_piv, out, out_cap, out_len, ex, plain, n));
    memcpy(sender->echo, echo, echo_len);
    sender->echo_len = echo_len;
    return OSCAR_OK;
}
