/* oscore/protect.c — protecting and verifying OSCORE requests and responses (RFC 8613 §4, §5,
 * §8), Observe (§4.1.3.5, §7.4.1), the unprotected error responses of §8.2 and the Echo challenge
 * of Appendix B.1.2. */
#include <string.h>

#include "internal.h"

/* RFC 8613 §4.1.3.5.2: a client MAY use the three least significant bytes of the Partial IV as
 * Observe value of a decrypted notification. */
#define NOTIFICATION_OBSERVE_BYTES 3

static const char DIAG_DECODE[] = "Failed to decode COSE";          /* §8.2 step 2 */
static const char DIAG_NO_CONTEXT[] = "Security context not found"; /* §8.2 step 2 */
static const char DIAG_DECRYPT[] = "Decryption failed";             /* §8.2 step 6 */
static const char DIAG_REPLAY[] = "Replay detected";                /* §7.4 */

static const char *const verdict_names[OSCAR_OSCORE_VERDICT__COUNT] = {
    [OSCAR_OSCORE_ACCEPT] = "accept",
    [OSCAR_OSCORE_NOT_OSCORE] = "not an OSCORE message (no OSCORE option)",
    [OSCAR_OSCORE_MALFORMED_COAP] = "malformed CoAP message (RFC 7252 section 3)",
    [OSCAR_OSCORE_DECODE_FAILED] = "COSE decoding failed (RFC 8613 section 8.2 step 2)",
    [OSCAR_OSCORE_NO_CONTEXT] = "security context not found (RFC 8613 section 8.2 step 2)",
    [OSCAR_OSCORE_REPLAY] = "replay detected (RFC 8613 section 7.4)",
    [OSCAR_OSCORE_DECRYPT_FAILED] = "decryption failed (RFC 8613 section 8.2 step 6)",
    [OSCAR_OSCORE_PLAINTEXT_MALFORMED] = "decrypted plaintext malformed (RFC 8613 section 5.3)",
    [OSCAR_OSCORE_FRESHNESS_REQUIRED] =
        "replay window not initialised, Echo required (RFC 8613 appendix B.1.2)",
    [OSCAR_OSCORE_UNEXPECTED_OBSERVE] =
        "Observe in a response to a non-Observe request (RFC 8613 section 4.1.3.5.2)",
    [OSCAR_OSCORE_DUPLICATE_RESPONSE] =
        "response or notification already received (RFC 8613 sections 7.4, 7.4.1)",
};

static const char *const verdict_short[OSCAR_OSCORE_VERDICT__COUNT] = {
    [OSCAR_OSCORE_ACCEPT] = "accept",
    [OSCAR_OSCORE_NOT_OSCORE] = "not-oscore",
    [OSCAR_OSCORE_MALFORMED_COAP] = "malformed-coap",
    [OSCAR_OSCORE_DECODE_FAILED] = "decode-failed",
    [OSCAR_OSCORE_NO_CONTEXT] = "no-context",
    [OSCAR_OSCORE_REPLAY] = "replay",
    [OSCAR_OSCORE_DECRYPT_FAILED] = "decrypt-failed",
    [OSCAR_OSCORE_PLAINTEXT_MALFORMED] = "plaintext-malformed",
    [OSCAR_OSCORE_FRESHNESS_REQUIRED] = "freshness-required",
    [OSCAR_OSCORE_UNEXPECTED_OBSERVE] = "unexpected-observe",
    [OSCAR_OSCORE_DUPLICATE_RESPONSE] = "duplicate-response",
};

const char *oscar_oscore_verdict_name(enum oscar_oscore_verdict verdict)
{
    if ((unsigned)verdict >= OSCAR_OSCORE_VERDICT__COUNT) {
        return "unknown";
    }
    return verdict_short[verdict];
}

const char *oscar_oscore_verdict_str(enum oscar_oscore_verdict verdict)
{
    if ((unsigned)verdict >= OSCAR_OSCORE_VERDICT__COUNT) {
        return "unknown verdict";
    }
    return verdict_names[verdict];
}

static void sort_options(struct oscar_coap_option *opts, size_t n)
{
    /* Stable insertion sort: repeated options keep their order (RFC 7252 §3.1). */
    for (size_t i = 1; i < n; i++) {
        struct oscar_coap_option o = opts[i];
        size_t j = i;
        while (j > 0 && opts[j - 1].number > o.number) {
            opts[j] = opts[j - 1];
            j--;
        }
        opts[j] = o;
    }
}

static enum oscar_err push(struct oscar_coap_option *opts, size_t *n,
                           const struct oscar_coap_option *o)
{
    if (*n == OSCAR_COAP_MAX_OPTIONS) {
        return OSCAR_ERR_COAP_TOO_MANY_OPTIONS;
    }
    opts[(*n)++] = *o;
    return OSCAR_OK;
}

/* split_message sorts the options of msg into Inner and Outer (§4.1.1, §4.1.2, §4.1.3). */
enum oscar_err oscar_oscore_split_message(struct oscar_oscore_split *s,
                                          const struct oscar_coap_msg *msg, bool is_request,
                                          uint32_t faults)
{
    static const uint8_t empty_value[1] = {0};
    s->outer.num_options = 0;
    s->outer.has_payload = false;
    s->outer.payload = NULL;
    s->outer.payload_len = 0;
    s->outer.version = OSCAR_COAP_VERSION;
    s->outer.type = msg->type;
    s->outer.mid = msg->mid;
    s->outer.token_len = msg->token_len;
    memcpy(s->outer.token, msg->token, msg->token_len);
    s->num_inner = 0;
    bool observe = false;
    for (size_t i = 0; i < msg->num_options; i++) {
        const struct oscar_coap_option *o = &msg->options[i];
        if (o->number == OSCAR_COAP_OPT_OSCORE) {
            return OSCAR_ERR_NESTED_OSCORE; /* §4.1.3.7 */
        }
        if (o->number == OSCAR_COAP_OPT_PROXY_URI && is_request) {
            struct oscar_coap_option outer_uri;
            OSCAR_TRY(oscar_oscore_decompose_proxy_uri(&outer_uri, s->inner, &s->num_inner,
                                                       OSCAR_COAP_MAX_OPTIONS, s->proxy_scratch,
                                                       sizeof(s->proxy_scratch), o->value, o->len));
            OSCAR_TRY(push(s->outer.options, &s->outer.num_options, &outer_uri));
            continue;
        }
        switch (oscar_oscore_option_class(o->number)) {
        case OSCAR_OPTION_CLASS_U:
            OSCAR_TRY(push(s->outer.options, &s->outer.num_options, o));
            break;
        case OSCAR_OPTION_CLASS_E:
            OSCAR_TRY(push(s->inner, &s->num_inner, o));
            if (faults & OSCAR_FAULT_CLASS_E_OUTER) {
                OSCAR_TRY(push(s->outer.options, &s->outer.num_options, o));
            }
            break;
        case OSCAR_OPTION_CLASS_EU:
            if (o->number == OSCAR_COAP_OPT_OBSERVE) {
                /* §4.1.3.5.1: requests carry the value inside and outside; §4.1.3.5.2:
                 * notifications carry an empty Inner Observe and the value outside. */
                observe = true;
                OSCAR_TRY(push(s->outer.options, &s->outer.num_options, o));
                struct oscar_coap_option inner = *o;
                if (!is_request) {
                    inner.len = 0;
                    inner.value = empty_value;
                }
                OSCAR_TRY(push(s->inner, &s->num_inner, &inner));
            } else {
                /* Max-Age (§4.1.3.1), Block/Size (§4.1.3.4.1) and No-Response (§4.1.3.6) are
                 * Inner end to end; their Outer instances belong to proxies and OSCORE errors. */
                OSCAR_TRY(push(s->inner, &s->num_inner, o));
            }
            break;
        }
    }
    sort_options(s->inner, s->num_inner);
    sort_options(s->outer.options, s->outer.num_options);
    /* The receiver rebuilds one message from both parts (§8.2 step 7): it must fit our limit,
     * or we would protect what we cannot verify (Proxy-Uri decomposition adds options). */
    if (s->num_inner + s->outer.num_options > OSCAR_COAP_MAX_OPTIONS) {
        return OSCAR_ERR_COAP_TOO_MANY_OPTIONS;
    }
    /* §4.2 and §4.1.3.5: the Outer Code is POST/FETCH for requests, 2.04/2.05 for responses. */
    if (is_request) {
        s->outer.code = observe ? OSCAR_COAP_CODE_FETCH : OSCAR_COAP_CODE_POST;
    } else {
        s->outer.code = observe ? OSCAR_COAP_CODE_CONTENT : OSCAR_COAP_CODE_CHANGED;
    }
    if (faults & OSCAR_FAULT_WRONG_OUTER_CODE) {
        s->outer.code = msg->code;
    }
    return OSCAR_OK;
}

/* next_piv takes the next Sender Sequence Number (§8.1 step 3), persisting it first when
 * Appendix B.1.1 is enabled. */
static enum oscar_err next_piv(struct oscar_oscore_ctx *ctx, uint8_t piv[OSCAR_OSCORE_PIV_MAX],
                               size_t *piv_len)
{
    uint64_t seq = ctx->sender.seq;
    if (seq >= OSCAR_OSCORE_SEQ_LIMIT) {
        return OSCAR_ERR_SEQ_EXHAUSTED; /* §7.2.1 */
    }
    if (ctx->persist != NULL && (seq % ctx->persist_k == 0 || ctx->persist_pending)) {
        if (ctx->persist(ctx->persist_arg, seq) != 0) {
            return OSCAR_ERR_PERSIST;
        }
        ctx->persist_pending = false;
    }
    if (!(ctx->faults & OSCAR_FAULT_REUSE_PIV)) {
        ctx->sender.seq = seq + 1;
    }
    *piv_len = oscar_oscore_piv_encode(piv, seq);
    if ((ctx->faults & OSCAR_FAULT_NONMINIMAL_PIV) && *piv_len < OSCAR_OSCORE_PIV_MAX) {
        memmove(piv + 1, piv, *piv_len);
        piv[0] = 0;
        (*piv_len)++;
    }
    return OSCAR_OK;
}

/* put_head writes a minimal CBOR head (RFC 8949 §3, §4.2.1) for values below 65536. */
static size_t put_head(uint8_t *out, uint8_t major, uint32_t value)
{
    if (value < 24) {
        out[0] = (uint8_t)(major << 5 | value);
        return 1;
    }
    if (value <= UINT8_MAX) {
        out[0] = (uint8_t)(major << 5 | 24);
        out[1] = (uint8_t)value;
        return 2;
    }
    out[0] = (uint8_t)(major << 5 | 25);
    out[1] = (uint8_t)(value >> 8);
    out[2] = (uint8_t)value;
    return 3;
}

#define CBOR_MAJOR_UINT 0
#define CBOR_MAJOR_NEGINT 1
#define CBOR_MAJOR_BSTR 2
#define CBOR_AAD_ARRAY_SMALL 23 /* aad_array lengths below 24 take a one-byte bstr head */

/* compute_aad writes AAD = Enc_structure (§5.4) straight into aad. This is the per-message hot
 * path, so it is written by hand for the fixed shape of RFC 8613's aad_array (small kid, PIV and
 * algorithm id, empty Class I options); anything else goes through the libcbor-based writer,
 * and tests check both give the same bytes. */
static enum oscar_err compute_aad(uint8_t *aad, size_t *aad_len, int32_t alg, const uint8_t *kid,
                                  size_t kid_len, const uint8_t *piv, size_t piv_len)
{
    if (alg >= -24 && alg < 24 && kid_len < 24 && piv_len < 24 &&
        8 + kid_len + piv_len <= CBOR_AAD_ARRAY_SMALL) {
        static const uint8_t prefix[] = {0x83, 0x68, 'E', 'n', 'c', 'r', 'y', 'p', 't', '0', 0x40};
        size_t n = sizeof(prefix);
        memcpy(aad, prefix, n);
        size_t head = n++; /* bstr head of aad_array, filled in below */
        aad[n++] = 0x85;   /* array(5) */
        aad[n++] = OSCAR_OSCORE_VERSION;
        aad[n++] = 0x81; /* array(1) */
        n += alg >= 0 ? put_head(aad + n, CBOR_MAJOR_UINT, (uint32_t)alg)
                      : put_head(aad + n, CBOR_MAJOR_NEGINT, (uint32_t)(-1 - alg));
        n += put_head(aad + n, CBOR_MAJOR_BSTR, (uint32_t)kid_len);
        if (kid_len) {
            memcpy(aad + n, kid, kid_len);
            n += kid_len;
        }
        n += put_head(aad + n, CBOR_MAJOR_BSTR, (uint32_t)piv_len);
        if (piv_len) {
            memcpy(aad + n, piv, piv_len);
            n += piv_len;
        }
        aad[n++] = 0x40; /* options: h'' */
        aad[head] = (uint8_t)(CBOR_MAJOR_BSTR << 5 | (n - head - 1));
        *aad_len = n;
        return OSCAR_OK;
    }
    uint8_t aad_array[OSCAR_OSCORE_AAD_MAX];
    size_t aad_array_len;
    OSCAR_TRY(oscar_oscore_aad_array(aad_array, sizeof(aad_array), &aad_array_len, alg, kid,
                                     kid_len, piv, piv_len, NULL, 0));
    return oscar_oscore_enc_structure(aad, OSCAR_OSCORE_AAD_MAX, aad_len, aad_array, aad_array_len);
}

/* aad_piv_len is the request_piv length that goes into the AAD: all of it, unless the
 * wrong-external-aad fault leaves it out. */
static size_t aad_piv_len(const struct oscar_oscore_ctx *ctx, size_t piv_len)
{
    return (ctx->faults & OSCAR_FAULT_WRONG_EXTERNAL_AAD) ? 0 : piv_len;
}

/* fault_flags are the extra OSCORE flag bits a fault sets. */
static uint8_t fault_flags(const struct oscar_oscore_ctx *ctx)
{
    return (ctx->faults & OSCAR_FAULT_RESERVED_FLAGS) ? 0x80 : 0;
}

enum oscar_err oscar_oscore_seal_message(struct oscar_oscore_split *s,
                                         const struct oscar_coap_msg *msg,
                                         const struct oscar_oscore_seal_in *in, uint8_t *out,
                                         size_t out_cap, size_t *out_len, size_t *ct_off)
{
    OSCAR_TRY(oscar_coap_add_option(&s->outer, OSCAR_COAP_OPT_OSCORE, in->option, in->option_len));
    s->outer.has_payload = false;
    size_t outer_len = oscar_coap_encoded_len(&s->outer);
    size_t pt_len = 1 + oscar_coap_options_encoded_len(s->inner, s->num_inner, msg->has_payload,
                                                       msg->payload_len);
    size_t total = outer_len + 1 + pt_len + in->tag_len + in->tail_len;
    if (total > out_cap) {
        *out_len = total;
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    size_t pos;
    OSCAR_TRY(oscar_coap_serialize(out, out_cap, &pos, &s->outer));
    out[pos++] = OSCAR_COAP_PAYLOAD_MARKER;
    size_t pt_start = pos;
    out[pos++] = msg->code;
    OSCAR_TRY(oscar_coap_write_options(out, out_cap, &pos, s->inner, s->num_inner, msg->has_payload,
                                       msg->payload, msg->payload_len));
    OSCAR_TRY(in->crypto->aead_seal(in->key, out + pt_start, out_cap - pt_start, in->nonce, in->aad,
                                    in->aad_len, out + pt_start, pt_len));
    *out_len = total;
    *ct_off = pt_start;
    return OSCAR_OK;
}

/* seal_message seals with the Sender Key of ctx (§8.1 step 5, §8.3 step 5). */
static enum oscar_err seal_message(struct oscar_oscore_ctx *ctx, uint8_t *out, size_t out_cap,
                                   size_t *out_len, struct oscar_oscore_split *s,
                                   const struct oscar_coap_msg *msg, const uint8_t *option,
                                   size_t option_len, const uint8_t *nonce, const uint8_t *aad,
                                   size_t aad_len)
{
    struct oscar_oscore_seal_in in = {
        .crypto = ctx->crypto,
        .key = &ctx->sender.aead,
        .tag_len = ctx->alg->tag_len,
        .option = option,
        .option_len = option_len,
        .nonce = nonce,
        .aad = aad,
        .aad_len = aad_len,
    };
    size_t ct_off;
    return oscar_oscore_seal_message(s, msg, &in, out, out_cap, out_len, &ct_off);
}

enum oscar_err oscar_oscore_parse_own(struct oscar_coap_msg *m, const uint8_t *msg, size_t msg_len)
{
    size_t off;
    enum oscar_coap_rule r = oscar_coap_parse(m, &off, msg, msg_len);
    if (r == OSCAR_COAP_RULE_TOO_MANY_OPTIONS) {
        return OSCAR_ERR_COAP_TOO_MANY_OPTIONS;
    }
    return r == OSCAR_COAP_WELL_FORMED ? OSCAR_OK : OSCAR_ERR_COAP_MALFORMED;
}

/* struct work holds the large temporaries of one operation, off the caller's small stacks. */
struct protect_work {
    struct oscar_coap_msg msg;
    struct oscar_oscore_split split;
};

enum oscar_err oscar_oscore_protect_request(struct oscar_oscore_ctx *ctx, uint8_t *out,
                                            size_t out_cap, size_t *out_len,
                                            struct oscar_oscore_exchange *out_ex,
                                            const struct oscar_oscore_send_opts *opts,
                                            const uint8_t *msg, size_t msg_len)
{
    static const struct oscar_oscore_send_opts defaults = {0};
    if (opts == NULL) {
        opts = &defaults;
    }
    struct protect_work w;
    OSCAR_TRY(oscar_oscore_parse_own(&w.msg, msg, msg_len));
    if (!oscar_coap_is_request(w.msg.code)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    OSCAR_TRY(oscar_oscore_split_message(&w.split, &w.msg, true, ctx->faults));
    if (opts->include_kid_context && !ctx->has_id_context) {
        return OSCAR_ERR_INVALID_ARG;
    }
    uint8_t piv[OSCAR_OSCORE_PIV_MAX];
    size_t piv_len;
    OSCAR_TRY(next_piv(ctx, piv, &piv_len));
    /* §5: requests carry Partial IV and kid; kid context optionally (§5.1). */
    struct oscar_oscore_option o = {
        .flags = fault_flags(ctx),
        .piv = piv,
        .piv_len = piv_len,
        .has_kid = !(ctx->faults & OSCAR_FAULT_NO_KID),
        .kid = ctx->sender.id,
        .kid_len = ctx->sender.id_len,
        .has_kid_context = opts->include_kid_context,
        .kid_context = ctx->id_context,
        .kid_context_len = ctx->id_context_len,
    };
    uint8_t option[OSCAR_OSCORE_OPTION_MAX];
    size_t option_len;
    OSCAR_TRY(oscar_oscore_option_encode(option, sizeof(option), &option_len, &o));
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    OSCAR_TRY(oscar_oscore_nonce(nonce, ctx->alg, ctx->common_iv, ctx->sender.id,
                                 ctx->sender.id_len, piv, piv_len));
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OSCAR_TRY(compute_aad(aad, &aad_len, ctx->alg->cose_id, ctx->sender.id, ctx->sender.id_len, piv,
                          aad_piv_len(ctx, piv_len)));
    OSCAR_TRY(seal_message(ctx, out, out_cap, out_len, &w.split, &w.msg, option, option_len, nonce,
                           aad, aad_len));
    if (out_ex != NULL) {
        memset(out_ex, 0, sizeof(*out_ex));
        memcpy(out_ex->request_kid, ctx->sender.id, ctx->sender.id_len);
        out_ex->request_kid_len = ctx->sender.id_len;
        memcpy(out_ex->request_piv, piv, piv_len);
        out_ex->request_piv_len = piv_len;
        memcpy(out_ex->request_nonce, nonce, ctx->alg->nonce_len);
        const struct oscar_coap_option *obs =
            oscar_coap_find_option(&w.msg, OSCAR_COAP_OPT_OBSERVE);
        uint32_t obs_value = 1;
        out_ex->observe = obs != NULL && oscar_coap_uint_decode(&obs_value, obs->value, obs->len) &&
                          obs_value == 0;
    }
    return OSCAR_OK;
}

enum oscar_err oscar_oscore_protect_response(struct oscar_oscore_ctx *ctx, uint8_t *out,
                                             size_t out_cap, size_t *out_len,
                                             struct oscar_oscore_exchange *ex,
                                             const struct oscar_oscore_send_opts *opts,
                                             const uint8_t *msg, size_t msg_len)
{
    static const struct oscar_oscore_send_opts defaults = {0};
    if (opts == NULL) {
        opts = &defaults;
    }
    struct protect_work w;
    OSCAR_TRY(oscar_oscore_parse_own(&w.msg, msg, msg_len));
    if (oscar_coap_is_request(w.msg.code) || w.msg.code == OSCAR_COAP_CODE_EMPTY) {
        return OSCAR_ERR_INVALID_ARG;
    }
    OSCAR_TRY(oscar_oscore_split_message(&w.split, &w.msg, false, ctx->faults));
    bool notification = oscar_coap_find_option(&w.msg, OSCAR_COAP_OPT_OBSERVE) != NULL;
    /* §8.3 step 3, §8.3.1 and §4.1.3.5: the request nonce may serve one response only; every
     * response to an Observe registration after the first, and responses the server cannot
     * replay-protect (B.1.2), need their own Partial IV. */
    bool long_exchange = ex->observe || notification;
    if (!opts->own_piv && (ex->request_nonce_used || ex->must_use_own_piv ||
                           (long_exchange && ex->num_responses != 0))) {
        return OSCAR_ERR_NONCE_REUSE;
    }
    /* §7.2.1: once the Sender Sequence Number is spent, the Sender Context is not used. */
    if (ctx->sender.seq >= OSCAR_OSCORE_SEQ_LIMIT) {
        return OSCAR_ERR_SEQ_EXHAUSTED;
    }
    uint8_t piv[OSCAR_OSCORE_PIV_MAX];
    size_t piv_len = 0;
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    if (opts->own_piv) {
        OSCAR_TRY(next_piv(ctx, piv, &piv_len));
        /* §5.2: ID_PIV is the Sender ID of the endpoint that generated the Partial IV. */
        const struct oscar_oscore_sender *who = &ctx->sender;
        const uint8_t *id_piv = who->id;
        size_t id_piv_len = who->id_len;
        if (ctx->faults & OSCAR_FAULT_WRONG_RESPONSE_NONCE) {
            id_piv = ctx->recipient.id;
            id_piv_len = ctx->recipient.id_len;
        }
        OSCAR_TRY(
            oscar_oscore_nonce(nonce, ctx->alg, ctx->common_iv, id_piv, id_piv_len, piv, piv_len));
    } else {
        memcpy(nonce, ex->request_nonce, ctx->alg->nonce_len);
    }
    struct oscar_oscore_option o = {
        .flags = fault_flags(ctx),
        .piv = piv,
        .piv_len = piv_len,
        .has_kid = opts->include_kid,
        .kid = ctx->sender.id,
        .kid_len = ctx->sender.id_len,
        .has_kid_context = opts->has_response_kid_context,
        .kid_context = opts->response_kid_context,
        .kid_context_len = opts->response_kid_context_len,
    };
    uint8_t option[OSCAR_OSCORE_OPTION_MAX];
    size_t option_len;
    OSCAR_TRY(oscar_oscore_option_encode(option, sizeof(option), &option_len, &o));
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OSCAR_TRY(compute_aad(aad, &aad_len, ctx->alg->cose_id, ex->request_kid, ex->request_kid_len,
                          ex->request_piv, aad_piv_len(ctx, ex->request_piv_len)));
    OSCAR_TRY(seal_message(ctx, out, out_cap, out_len, &w.split, &w.msg, option, option_len, nonce,
                           aad, aad_len));
    if (!opts->own_piv) {
        ex->request_nonce_used = true;
    }
    ex->num_responses++;
    return OSCAR_OK;
}

enum oscar_oscore_verdict oscar_oscore_peek(struct oscar_coap_msg *out_msg,
                                            struct oscar_oscore_option *out_opt, const uint8_t *msg,
                                            size_t msg_len)
{
    size_t off;
    memset(out_opt, 0, sizeof(*out_opt));
    if (oscar_coap_parse(out_msg, &off, msg, msg_len) != OSCAR_COAP_WELL_FORMED) {
        return OSCAR_OSCORE_MALFORMED_COAP;
    }
    size_t count = oscar_coap_count_option(out_msg, OSCAR_COAP_OPT_OSCORE);
    if (count == 0) {
        return OSCAR_OSCORE_NOT_OSCORE;
    }
    if (count > 1) {
        return OSCAR_OSCORE_DECODE_FAILED; /* §2: the OSCORE option is not repeatable */
    }
    const struct oscar_coap_option *o = oscar_coap_find_option(out_msg, OSCAR_COAP_OPT_OSCORE);
    if (oscar_oscore_option_decode(out_opt, o->value, o->len, false) != OSCAR_OSCORE_OPTION_OK) {
        return OSCAR_OSCORE_DECODE_FAILED;
    }
    /* §6.2: the payload is the ciphertext, so an OSCORE message always has one. */
    if (!out_msg->has_payload) {
        return OSCAR_OSCORE_DECODE_FAILED;
    }
    return OSCAR_OSCORE_ACCEPT;
}

static bool bytes_equal(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static bool ctx_matches(const struct oscar_oscore_ctx *ctx, const struct oscar_oscore_option *o)
{
    if (!bytes_equal(ctx->recipient.id, ctx->recipient.id_len, o->kid, o->kid_len)) {
        return false;
    }
    if (o->has_kid_context) {
        return ctx->has_id_context && bytes_equal(ctx->id_context, ctx->id_context_len,
                                                  o->kid_context, o->kid_context_len);
    }
    return true;
}

/* struct unprotect_work is the state of one verification. */
struct unprotect_work {
    size_t msg_len;
    struct oscar_coap_msg outer;
    struct oscar_oscore_option opt;
    struct oscar_coap_msg inner;
    struct oscar_coap_msg merged;
};

/* open_payload decrypts the outer payload into the tail of out (so the merged message can be
 * written at its head) and decodes the plaintext of §5.3 into w->inner. */
/* UNPROTECT_CAP is the output size that always suffices for a message of msg_len bytes: the
 * decrypted message plus the plaintext it is built from (oscar/oscore.h). */
#define UNPROTECT_CAP(msg_len) (2 * (msg_len) + 8)

static enum oscar_err open_payload(struct oscar_oscore_ctx *ctx, bool *out_authentic,
                                   const uint8_t **out_pt, size_t *out_pt_len, uint8_t *out,
                                   size_t out_cap, size_t *out_need, const struct unprotect_work *w,
                                   const uint8_t *nonce, const uint8_t *aad, size_t aad_len)
{
    *out_authentic = false;
    if (w->outer.payload_len < ctx->alg->tag_len) {
        return OSCAR_OK;
    }
    size_t pt_len = w->outer.payload_len - ctx->alg->tag_len;
    if (pt_len > out_cap) {
        *out_need = UNPROTECT_CAP(w->msg_len); /* STYLE.md rule 17: report what is needed */
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    uint8_t *pt = out + out_cap - pt_len;
    OSCAR_TRY(ctx->crypto->aead_open(&ctx->recipient.aead, out_authentic, pt, pt_len, nonce, aad,
                                     aad_len, w->outer.payload, w->outer.payload_len));
    size_t tag = ctx->alg->tag_len;
    if (!*out_authentic && (ctx->faults & OSCAR_FAULT_SKIP_TAG_CHECK) && pt_len + tag <= out_cap) {
        /* The fault: decrypt anyway. The keystream is what sealing zeros gives (every AEAD we
         * support encrypts in counter/stream mode), written just below pt; XOR from the end,
         * since the two regions overlap by tag bytes. */
        uint8_t *ks = out + out_cap - pt_len - tag;
        memset(ks, 0, pt_len);
        OSCAR_TRY(ctx->crypto->aead_seal(&ctx->recipient.aead, ks, pt_len + tag, nonce, NULL, 0, ks,
                                         pt_len));
        for (size_t i = pt_len; i-- > 0;) {
            pt[i] = (uint8_t)(w->outer.payload[i] ^ ks[i]);
        }
        *out_authentic = true;
    }
    *out_pt = pt;
    *out_pt_len = pt_len;
    return OSCAR_OK;
}

/* decode_plaintext parses code, Inner options and payload (§5.3). */
bool oscar_oscore_decode_plaintext(struct oscar_coap_msg *inner, const uint8_t *pt, size_t pt_len)
{
    size_t off;
    if (pt_len == 0) {
        return false;
    }
    if (oscar_coap_parse_options(inner, &off, pt + 1, pt_len - 1) != OSCAR_COAP_WELL_FORMED) {
        return false;
    }
    inner->code = pt[0];
    /* §4.1.3.7: nested OSCORE is not supported. */
    return oscar_coap_find_option(inner, OSCAR_COAP_OPT_OSCORE) == NULL;
}

/* write_merged builds the decrypted message (§8.2 step 7, §8.4 step 6): Outer header, Outer
 * Class U options other than OSCORE (Class E Outer options are discarded, step 1), Inner options
 * and payload, into out[0 .. limit). */
enum oscar_err oscar_oscore_write_merged(struct oscar_coap_msg *m,
                                         const struct oscar_coap_msg *outer,
                                         const struct oscar_coap_msg *inner, uint8_t *out,
                                         size_t limit, size_t *out_len,
                                         const uint8_t *observe_value, size_t observe_len)
{
    m->num_options = 0;
    m->version = OSCAR_COAP_VERSION;
    m->type = outer->type;
    m->mid = outer->mid;
    m->token_len = outer->token_len;
    memcpy(m->token, outer->token, outer->token_len);
    m->code = inner->code;
    for (size_t i = 0; i < outer->num_options; i++) {
        const struct oscar_coap_option *o = &outer->options[i];
        if (o->number != OSCAR_COAP_OPT_OSCORE &&
            oscar_oscore_option_class(o->number) == OSCAR_OPTION_CLASS_U) {
            OSCAR_TRY(push(m->options, &m->num_options, o));
        }
    }
    for (size_t i = 0; i < inner->num_options; i++) {
        struct oscar_coap_option o = inner->options[i];
        if (o.number == OSCAR_COAP_OPT_OBSERVE && observe_value != NULL) {
            o.value = observe_value;
            o.len = (uint16_t)observe_len;
        }
        OSCAR_TRY(push(m->options, &m->num_options, &o));
    }
    sort_options(m->options, m->num_options);
    m->has_payload = inner->has_payload;
    m->payload = inner->payload;
    m->payload_len = inner->payload_len;
    size_t need = oscar_coap_encoded_len(m);
    if (need > limit) {
        *out_len = need;
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    return oscar_coap_serialize(out, limit, out_len, m);
}

static bool has_echo(const struct oscar_coap_msg *inner, const struct oscar_oscore_recipient *r)
{
    const struct oscar_coap_option *echo = oscar_coap_find_option(inner, OSCAR_COAP_OPT_ECHO);
    return echo != NULL && r->echo_len != 0 && echo->len == r->echo_len &&
           oscar_ct_equal(echo->value, r->echo, r->echo_len);
}

enum oscar_err oscar_oscore_unprotect_request(struct oscar_oscore_ctx *const *ctxs, size_t num_ctxs,
                                              enum oscar_oscore_verdict *out_verdict,
                                              size_t *out_ctx_index, uint8_t *out, size_t out_cap,
                                              size_t *out_len, struct oscar_oscore_exchange *out_ex,
                                              const uint8_t *msg, size_t msg_len)
{
    struct unprotect_work w;
    w.msg_len = msg_len;
    *out_len = 0;
    *out_verdict = oscar_oscore_peek(&w.outer, &w.opt, msg, msg_len);
    if (*out_verdict != OSCAR_OSCORE_ACCEPT) {
        return OSCAR_OK;
    }
    /* §5: a request carries a Partial IV and a kid. */
    if (w.opt.piv_len == 0 || !w.opt.has_kid || !oscar_coap_is_request(w.outer.code)) {
        *out_verdict = OSCAR_OSCORE_DECODE_FAILED;
        return OSCAR_OK;
    }
    uint64_t seq = oscar_oscore_piv_decode(w.opt.piv, w.opt.piv_len);
    bool any_match = false;
    bool replay_seen = false;
    for (size_t i = 0; i < num_ctxs; i++) {
        struct oscar_oscore_ctx *ctx = ctxs[i];
        if (!ctx_matches(ctx, &w.opt)) {
            continue;
        }
        any_match = true;
        struct oscar_oscore_recipient *r = &ctx->recipient;
        /* §8.2 step 3: replay check before decrypting; skipped while the window is invalid. */
        if (r->replay.valid && !(ctx->faults & OSCAR_FAULT_ACCEPT_REPLAY) &&
            !oscar_oscore_replay_check(&r->replay, seq)) {
            replay_seen = true;
            continue;
        }
        uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
        OSCAR_TRY(oscar_oscore_nonce(nonce, ctx->alg, ctx->common_iv, w.opt.kid, w.opt.kid_len,
                                     w.opt.piv, w.opt.piv_len));
        uint8_t aad[OSCAR_OSCORE_AAD_MAX];
        size_t aad_len;
        OSCAR_TRY(compute_aad(aad, &aad_len, ctx->alg->cose_id, w.opt.kid, w.opt.kid_len, w.opt.piv,
                              aad_piv_len(ctx, w.opt.piv_len)));
        bool authentic;
        const uint8_t *pt = NULL;
        size_t pt_len = 0;
        OSCAR_TRY(open_payload(ctx, &authentic, &pt, &pt_len, out, out_cap, out_len, &w, nonce, aad,
                               aad_len));
        if (!authentic) {
            continue;
        }
        *out_ctx_index = i;
        bool plaintext_ok = oscar_oscore_decode_plaintext(&w.inner, pt, pt_len);
        enum oscar_oscore_verdict v = OSCAR_OSCORE_ACCEPT;
        if (plaintext_ok) {
            /* Write the output first: a too-small buffer must not cost the peer its message
             * (the replay window would otherwise reject the retry). */
            enum oscar_err werr = oscar_oscore_write_merged(&w.merged, &w.outer, &w.inner, out,
                                                            out_cap - pt_len, out_len, NULL, 0);
            if (werr == OSCAR_ERR_BUFFER_TOO_SMALL) {
                *out_len += pt_len; /* the plaintext shares the buffer */
            }
            OSCAR_TRY(werr);
            if (!r->replay.valid && !has_echo(&w.inner, r)) {
                v = OSCAR_OSCORE_FRESHNESS_REQUIRED;
            }
        } else {
            v = OSCAR_OSCORE_PLAINTEXT_MALFORMED;
            *out_len = 0;
        }
        if (!r->replay.valid) {
            /* B.1.2: only a request echoing our challenge sets the window's lower limit. */
            if (v == OSCAR_OSCORE_ACCEPT) {
                oscar_oscore_replay_set_lower_limit(&r->replay, seq);
                r->echo_len = 0;
            }
        } else {
            oscar_oscore_replay_update(&r->replay, seq); /* §8.2 step 6 */
        }
        if (v != OSCAR_OSCORE_PLAINTEXT_MALFORMED && out_ex != NULL) {
            memset(out_ex, 0, sizeof(*out_ex));
            memcpy(out_ex->request_kid, w.opt.kid, w.opt.kid_len);
            out_ex->request_kid_len = w.opt.kid_len;
            memcpy(out_ex->request_piv, w.opt.piv, w.opt.piv_len);
            out_ex->request_piv_len = w.opt.piv_len;
            memcpy(out_ex->request_nonce, nonce, ctx->alg->nonce_len);
            const struct oscar_coap_option *obs =
                oscar_coap_find_option(&w.inner, OSCAR_COAP_OPT_OBSERVE);
            uint32_t obs_value = 1;
            out_ex->observe = obs != NULL &&
                              oscar_coap_uint_decode(&obs_value, obs->value, obs->len) &&
                              obs_value == 0;
            out_ex->must_use_own_piv = v == OSCAR_OSCORE_FRESHNESS_REQUIRED;
        }
        *out_verdict = v;
        return OSCAR_OK;
    }
    if (!any_match) {
        *out_verdict = OSCAR_OSCORE_NO_CONTEXT;
    } else {
        *out_verdict = replay_seen ? OSCAR_OSCORE_REPLAY : OSCAR_OSCORE_DECRYPT_FAILED;
    }
    return OSCAR_OK;
}

/* notification_is_new tells whether a notification with Partial IV seq may be accepted (§7.4.1):
 * not received before in this exchange, and not too old to tell. */
static bool notification_is_new(const struct oscar_oscore_exchange *ex, uint64_t seq)
{
    if (!ex->have_notification_number || seq > ex->notification_number) {
        return true;
    }
    uint64_t age = ex->notification_number - seq;
    if (age >= OSCAR_OSCORE_NOTIFICATION_WINDOW) {
        return false; /* too old to tell whether it was received: MUST NOT risk a replay */
    }
    return ((ex->notification_seen >> age) & 1u) == 0;
}

/* notification_record marks seq received and moves the Notification Number (§7.4.1); returns
 * whether seq is now the freshest notification. */
static bool notification_record(struct oscar_oscore_exchange *ex, uint64_t seq)
{
    if (!ex->have_notification_number) {
        ex->have_notification_number = true;
        ex->notification_number = seq;
        ex->notification_seen = 1;
        return true;
    }
    if (seq > ex->notification_number) {
        uint64_t d = seq - ex->notification_number;
        ex->notification_seen =
            d >= OSCAR_OSCORE_NOTIFICATION_WINDOW ? 0 : ex->notification_seen << d;
        ex->notification_seen |= 1;
        ex->notification_number = seq;
        return true;
    }
    ex->notification_seen |= UINT64_C(1) << (ex->notification_number - seq);
    return false;
}

enum oscar_err oscar_oscore_unprotect_response(struct oscar_oscore_ctx *ctx,
                                               enum oscar_oscore_verdict *out_verdict, uint8_t *out,
                                               size_t out_cap, size_t *out_len,
                                               struct oscar_oscore_exchange *ex, const uint8_t *msg,
                                               size_t msg_len)
{
    struct unprotect_work w;
    w.msg_len = msg_len;
    *out_len = 0;
    *out_verdict = oscar_oscore_peek(&w.outer, &w.opt, msg, msg_len);
    if (*out_verdict != OSCAR_OSCORE_ACCEPT) {
        return OSCAR_OK;
    }
    if (oscar_coap_is_request(w.outer.code)) {
        *out_verdict = OSCAR_OSCORE_DECODE_FAILED;
        return OSCAR_OK;
    }
    /* §7.4: a response to a non-Observe request is accepted once; after a response that ends
     * an observation (no Inner Observe, §4.1.3.5.2) nothing more is accepted either. */
    if (ex->final_received || (!ex->observe && ex->num_responses != 0)) {
        *out_verdict = OSCAR_OSCORE_DUPLICATE_RESPONSE;
        return OSCAR_OK;
    }
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    if (w.opt.piv_len != 0) {
        OSCAR_TRY(oscar_oscore_nonce(nonce, ctx->alg, ctx->common_iv, ctx->recipient.id,
                                     ctx->recipient.id_len, w.opt.piv, w.opt.piv_len));
    } else {
        memcpy(nonce, ex->request_nonce, ctx->alg->nonce_len); /* §8.4 step 4 */
    }
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    OSCAR_TRY(compute_aad(aad, &aad_len, ctx->alg->cose_id, ex->request_kid, ex->request_kid_len,
                          ex->request_piv, aad_piv_len(ctx, ex->request_piv_len)));
    bool authentic;
    const uint8_t *pt = NULL;
    size_t pt_len = 0;
    OSCAR_TRY(open_payload(ctx, &authentic, &pt, &pt_len, out, out_cap, out_len, &w, nonce, aad,
                           aad_len));
    if (!authentic) {
        *out_verdict = OSCAR_OSCORE_DECRYPT_FAILED;
        return OSCAR_OK;
    }
    if (!oscar_oscore_decode_plaintext(&w.inner, pt, pt_len)) {
        *out_verdict = OSCAR_OSCORE_PLAINTEXT_MALFORMED;
        return OSCAR_OK;
    }
    bool inner_observe = oscar_coap_find_option(&w.inner, OSCAR_COAP_OPT_OBSERVE) != NULL;
    if (inner_observe && !ex->observe) {
        *out_verdict = OSCAR_OSCORE_UNEXPECTED_OBSERVE; /* §4.1.3.5.2 */
        return OSCAR_OK;
    }
    bool has_piv = w.opt.piv_len != 0;
    uint64_t seq = has_piv ? oscar_oscore_piv_decode(w.opt.piv, w.opt.piv_len) : 0;
    /* §7.4.1, §8.4.2: the request nonce serves at most one response; a notification's Partial
     * IV is accepted once. Check everything before changing any state. */
    if ((!has_piv && ex->request_nonce_used) ||
        (has_piv && inner_observe && !notification_is_new(ex, seq))) {
        *out_verdict = OSCAR_OSCORE_DUPLICATE_RESPONSE;
        return OSCAR_OK;
    }
    uint8_t observe_value[NOTIFICATION_OBSERVE_BYTES];
    const uint8_t *observe_ptr = NULL;
    size_t observe_len = 0;
    if (has_piv && inner_observe) {
        /* §4.1.3.5.2: the Observe value of the decrypted notification is the 3 LSB of the PIV. */
        uint8_t tmp[4];
        observe_len = oscar_coap_uint_encode(tmp, (uint32_t)(seq & 0xFFFFFF));
        memcpy(observe_value, tmp, observe_len);
        observe_ptr = observe_value;
    }
    enum oscar_err werr = oscar_oscore_write_merged(
        &w.merged, &w.outer, &w.inner, out, out_cap - pt_len, out_len, observe_ptr, observe_len);
    if (werr == OSCAR_ERR_BUFFER_TOO_SMALL) {
        *out_len += pt_len; /* the plaintext shares the buffer */
    }
    OSCAR_TRY(werr);
    if (!has_piv) {
        ex->request_nonce_used = true;
    }
    if (inner_observe) {
        /* §7.4.1: a notification without Partial IV counts as the oldest. */
        ex->last_fresh = has_piv ? notification_record(ex, seq) : !ex->have_notification_number;
    } else {
        ex->final_received = true; /* a non-notification response ends the exchange */
        ex->last_fresh = true;
    }
    ex->num_responses++;
    *out_verdict = OSCAR_OSCORE_ACCEPT;
    return OSCAR_OK;
}

/* start_response fills the header of a response to request: a piggybacked ACK for CON, else NON. */
static void start_response(struct oscar_coap_msg *r, const struct oscar_coap_msg *request,
                           uint8_t code, uint16_t non_mid)
{
    memset(r, 0, sizeof(*r));
    r->version = OSCAR_COAP_VERSION;
    if (request->type == OSCAR_COAP_TYPE_CON) {
        r->type = OSCAR_COAP_TYPE_ACK;
        r->mid = request->mid;
    } else {
        r->type = OSCAR_COAP_TYPE_NON;
        r->mid = non_mid;
    }
    r->code = code;
    r->token_len = request->token_len;
    memcpy(r->token, request->token, request->token_len);
}

enum oscar_err oscar_oscore_error_response(uint8_t *out, size_t out_cap, size_t *out_len,
                                           enum oscar_oscore_verdict verdict,
                                           const struct oscar_coap_msg *request, bool max_age_zero,
                                           uint16_t non_mid)
{
    uint8_t code;
    const char *diag;
    switch (verdict) {
    case OSCAR_OSCORE_DECODE_FAILED:
        code = OSCAR_COAP_CODE_BAD_OPTION;
        diag = DIAG_DECODE;
        break;
    case OSCAR_OSCORE_NO_CONTEXT:
        code = OSCAR_COAP_CODE_UNAUTHORIZED;
        diag = DIAG_NO_CONTEXT;
        break;
    case OSCAR_OSCORE_REPLAY:
        code = OSCAR_COAP_CODE_UNAUTHORIZED;
        diag = DIAG_REPLAY;
        break;
    case OSCAR_OSCORE_DECRYPT_FAILED:
        code = OSCAR_COAP_CODE_BAD_REQUEST;
        diag = DIAG_DECRYPT;
        break;
    case OSCAR_OSCORE_ACCEPT:
    case OSCAR_OSCORE_NOT_OSCORE:
    case OSCAR_OSCORE_MALFORMED_COAP:
    case OSCAR_OSCORE_PLAINTEXT_MALFORMED:
    case OSCAR_OSCORE_FRESHNESS_REQUIRED:
    case OSCAR_OSCORE_UNEXPECTED_OBSERVE:
    case OSCAR_OSCORE_DUPLICATE_RESPONSE:
    case OSCAR_OSCORE_VERDICT__COUNT:
    default:
        return OSCAR_ERR_INVALID_ARG;
    }
    struct oscar_coap_msg r;
    start_response(&r, request, code, non_mid);
    static const uint8_t zero_max_age[1] = {0};
    if (max_age_zero) {
        /* Max-Age 0 is the empty uint (RFC 7252 §3.2). */
        OSCAR_TRY(oscar_coap_add_option(&r, OSCAR_COAP_OPT_MAX_AGE, zero_max_age, 0));
    }
    r.has_payload = true;
    r.payload = (const uint8_t *)diag;
    r.payload_len = strlen(diag);
    return oscar_coap_serialize(out, out_cap, out_len, &r);
}

enum oscar_err oscar_oscore_echo_challenge(struct oscar_oscore_ctx *ctx, uint8_t *out,
                                           size_t out_cap, size_t *out_len,
                                           struct oscar_oscore_exchange *ex,
                                           const struct oscar_coap_msg *request,
                                           const uint8_t *echo, size_t echo_len, uint16_t non_mid)
{
    if (echo_len == 0 || echo_len > OSCAR_OSCORE_ECHO_MAX) {
        return OSCAR_ERR_INVALID_ARG;
    }
    struct oscar_coap_msg r;
    start_response(&r, request, OSCAR_COAP_CODE_UNAUTHORIZED, non_mid);
    OSCAR_TRY(oscar_coap_add_option(&r, OSCAR_COAP_OPT_ECHO, echo, echo_len));
    uint8_t plain[OSCAR_COAP_HEADER_LEN + OSCAR_COAP_TOKEN_MAX + 4 + OSCAR_OSCORE_ECHO_MAX];
    size_t plain_len;
    OSCAR_TRY(oscar_coap_serialize(plain, sizeof(plain), &plain_len, &r));
    /* B.1.2: protected, with the server's own Partial IV. */
    struct oscar_oscore_send_opts opts = {.own_piv = true};
    OSCAR_TRY(
        oscar_oscore_protect_response(ctx, out, out_cap, out_len, ex, &opts, plain, plain_len));
    memcpy(ctx->recipient.echo, echo, echo_len);
    ctx->recipient.echo_len = echo_len;
    return OSCAR_OK;
}
