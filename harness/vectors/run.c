/* run.c — checks one OSCORE test vector against the reference implementation: every derived and
 * output field the vector states is recomputed and compared, the protected message is verified
 * back to the unprotected one, and every byte of its protected part is tampered with to show the
 * receiver rejects it. */
#include <stdlib.h>
#include <string.h>

#include "oscar/oscore.h"
#include "vectors.h"

/* Largest message a vector may hold; protected messages and decryption scratch are sized from it.
 */
#define MSG_MAX 4096
#define OUT_MAX (2 * MSG_MAX + 64)

#define MAX_CHECKED 64

struct checker {
    const char *checked[MAX_CHECKED]; /* names of the stated fields that were compared */
    size_t num_checked;
    struct oscar_vector_result *res;
    const struct oscar_vector_mutation *mut;
    FILE *report;
    const char *vector_id;
};

static void report_failure(struct checker *c, const char *field, const char *fmt_exp,
                           const char *fmt_act)
{
    c->res->num_failed++;
    c->res->pass = false;
    if (c->res->first_failure[0] == '\0') {
        snprintf(c->res->first_failure, sizeof(c->res->first_failure), "%s: expected %s, got %s",
                 field, fmt_exp, fmt_act);
    }
    if (c->report != NULL) {
        fprintf(c->report, "  %s: %s\n    expected %s\n    actual   %s\n", c->vector_id, field,
                fmt_exp, fmt_act);
    }
}

/* check_bytes compares a stated field with the computed value; absent fields are not checked. */
static void check_bytes(struct checker *c, const char *field, const struct oscar_bytes_field *exp,
                        const uint8_t *actual, size_t actual_len)
{
    if (!exp->present || exp->null) {
        return;
    }
    size_t index = c->res->num_checks++;
    if (c->num_checked < MAX_CHECKED) {
        c->checked[c->num_checked++] = field;
    }
    uint8_t *e = malloc(exp->len + 2);
    if (e == NULL) {
        report_failure(c, field, "(memory)", "(memory)");
        return;
    }
    size_t elen = exp->len;
    if (elen) {
        memcpy(e, exp->data, elen);
    }
    /* Negative controls corrupt the expected value; an empty one is lengthened by a byte. */
    if (c->mut->target == index && c->mut->kind == OSCAR_MUTATE_EXPECTED) {
        if (elen) {
            e[elen / 2] ^= 0x01; /* one bit, mid-value */
        } else {
            e[elen++] = 0x00;
        }
    } else if (c->mut->target == index && c->mut->kind == OSCAR_MUTATE_EXPECTED_LENGTH) {
        if (elen) {
            elen--; /* the last byte missing */
        } else {
            e[elen++] = 0x00;
        }
    }
    bool equal = elen == actual_len && (actual_len == 0 || memcmp(e, actual, actual_len) == 0);
    if (!equal) {
        char *he = malloc(2 * exp->len + 3);
        char *ha = malloc(2 * actual_len + 3);
        if (he != NULL && ha != NULL) {
            oscar_hex_encode(he, e, elen);
            oscar_hex_encode(ha, actual, actual_len);
            report_failure(c, field, elen ? he : "(empty)", actual_len ? ha : "(empty)");
        } else {
            report_failure(c, field, "(memory)", "(memory)");
        }
        free(he);
        free(ha);
    }
    free(e);
}

static void check_true(struct checker *c, const char *what, bool ok, const char *detail)
{
    size_t index = c->res->num_checks++;
    if ((c->mut->kind == OSCAR_MUTATE_EXPECTED || c->mut->kind == OSCAR_MUTATE_EXPECTED_LENGTH) &&
        c->mut->target == index) {
        ok = !ok;
    }
    if (!ok) {
        report_failure(c, what, "true", detail);
    }
}

static const struct oscar_bytes_field *as_field(struct oscar_bytes_field *tmp, const uint8_t *d,
                                                size_t len)
{
    tmp->present = true;
    tmp->null = false;
    tmp->data = (uint8_t *)(uintptr_t)d;
    tmp->len = len;
    return tmp;
}

static void flip(uint8_t *buf, size_t len, const struct oscar_vector_mutation *m,
                 enum oscar_vector_mutation_kind kind)
{
    if (m->kind == kind && len != 0) {
        buf[0] ^= 0x80;
    }
}

static enum oscar_err run_kd(struct checker *c, const struct oscar_vector *v)
{
    const struct oscar_vector_kd *kd = &v->kd;
    const struct oscar_alg_info *alg = oscar_alg_find((int32_t)kd->aead_alg);
    bool has_ctx = kd->id_context.present && !kd->id_context.null;
    uint8_t info[OSCAR_OSCORE_INFO_MAX];
    size_t info_len;
    if (oscar_oscore_derive_info(info, sizeof(info), &info_len, kd->sender_id.data,
                                 kd->sender_id.len, kd->id_context.data, kd->id_context.len,
                                 has_ctx, alg->cose_id, false, alg->key_len) == OSCAR_OK) {
        check_bytes(c, "info.info_sender_key", &kd->info_sender_key, info, info_len);
    }
    if (oscar_oscore_derive_info(info, sizeof(info), &info_len, kd->recipient_id.data,
                                 kd->recipient_id.len, kd->id_context.data, kd->id_context.len,
                                 has_ctx, alg->cose_id, false, alg->key_len) == OSCAR_OK) {
        check_bytes(c, "info.info_recipient_key", &kd->info_recipient_key, info, info_len);
    }
    if (oscar_oscore_derive_info(info, sizeof(info), &info_len, NULL, 0, kd->id_context.data,
                                 kd->id_context.len, has_ctx, alg->cose_id, true,
                                 alg->nonce_len) == OSCAR_OK) {
        check_bytes(c, "info.info_common_iv", &kd->info_common_iv, info, info_len);
    }
    uint8_t secret[OSCAR_OSCORE_SECRET_MAX];
    size_t secret_len =
        kd->master_secret.len < sizeof(secret) ? kd->master_secret.len : sizeof(secret);
    memcpy(secret, kd->master_secret.data, secret_len);
    flip(secret, secret_len, c->mut, OSCAR_MUTATE_KEY);
    struct oscar_oscore_params p = {
        .master_secret = secret,
        .master_secret_len = kd->master_secret.len,
        .master_salt = kd->master_salt.null ? NULL : kd->master_salt.data,
        .master_salt_len = kd->master_salt.len,
        .sender_id = kd->sender_id.data,
        .sender_id_len = kd->sender_id.len,
        .recipient_id = kd->recipient_id.data,
        .recipient_id_len = kd->recipient_id.len,
        .has_id_context = has_ctx,
        .id_context = kd->id_context.data,
        .id_context_len = kd->id_context.len,
        .aead_alg = alg->cose_id,
        .hkdf_alg = kd->hkdf_alg,
    };
    struct oscar_oscore_ctx ctx;
    enum oscar_err err = oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &p);
    check_true(c, "security context derivation", err == OSCAR_OK, oscar_err_str(err));
    if (err != OSCAR_OK) {
        return OSCAR_OK;
    }
    flip(ctx.common_iv, alg->nonce_len, c->mut, OSCAR_MUTATE_NONCE);
    check_bytes(c, "outputs.sender_key", &kd->sender_key, ctx.sender.key, alg->key_len);
    check_bytes(c, "outputs.recipient_key", &kd->recipient_key, ctx.recipient.key, alg->key_len);
    check_bytes(c, "outputs.common_iv", &kd->common_iv, ctx.common_iv, alg->nonce_len);
    static const uint8_t piv0[1] = {0};
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    if (oscar_oscore_nonce(nonce, alg, ctx.common_iv, ctx.sender.id, ctx.sender.id_len, piv0, 1) ==
        OSCAR_OK) {
        check_bytes(c, "nonces_for_partial_iv_0.sender_nonce", &kd->sender_nonce, nonce,
                    alg->nonce_len);
    }
    if (oscar_oscore_nonce(nonce, alg, ctx.common_iv, ctx.recipient.id, ctx.recipient.id_len, piv0,
                           1) == OSCAR_OK) {
        check_bytes(c, "nonces_for_partial_iv_0.recipient_nonce", &kd->recipient_nonce, nonce,
                    alg->nonce_len);
    }
    oscar_oscore_ctx_cleanup(&ctx);
    return OSCAR_OK;
}

static const struct oscar_vector *find_vector(const struct oscar_vector_file *f, const char *id)
{
    for (size_t i = 0; i < f->num_vectors; i++) {
        if (strcmp(f->vectors[i].id, id) == 0) {
            return &f->vectors[i];
        }
    }
    return NULL;
}

/* check_context_ref cross-checks a protection vector with the key_derivation vector it names. */
static enum oscar_err check_context_ref(struct checker *c, const struct oscar_vector_file *f,
                                        const struct oscar_vector *v, struct oscar_diag *diag)
{
    const struct oscar_vector_prot *p = &v->prot;
    const struct oscar_vector *ref = find_vector(f, p->security_context_from);
    if (ref == NULL || ref->kind != OSCAR_VECTOR_KEY_DERIVATION) {
        return oscar_diag_set(diag, OSCAR_ERR_PARSE,
                              "%s: vector %s: $.vectors[%zu].security_context_from: \"%s\" is not "
                              "a key_derivation vector of this file",
                              f->path, v->id, v->index, p->security_context_from);
    }
    const struct oscar_vector_kd *kd = &ref->kd;
    struct oscar_oscore_params params = {
        .master_secret = kd->master_secret.data,
        .master_secret_len = kd->master_secret.len,
        .master_salt = kd->master_salt.null ? NULL : kd->master_salt.data,
        .master_salt_len = kd->master_salt.len,
        .sender_id = kd->sender_id.data,
        .sender_id_len = kd->sender_id.len,
        .recipient_id = kd->recipient_id.data,
        .recipient_id_len = kd->recipient_id.len,
        .has_id_context = kd->id_context.present && !kd->id_context.null,
        .id_context = kd->id_context.data,
        .id_context_len = kd->id_context.len,
        .aead_alg = (int32_t)kd->aead_alg,
        .hkdf_alg = kd->hkdf_alg,
    };
    struct oscar_oscore_ctx ctx;
    enum oscar_err err = oscar_oscore_ctx_init(&ctx, oscar_crypto_wolfssl(), &params);
    check_true(c, "security_context_from derivation", err == OSCAR_OK, oscar_err_str(err));
    if (err != OSCAR_OK) {
        return OSCAR_OK;
    }
    struct oscar_bytes_field tmp;
    check_true(c, "security_context_from aead_algorithm", kd->aead_alg == p->aead_alg,
               "different AEAD algorithm");
    check_bytes(c, "sender_context.sender_id (vs security_context_from)", &p->sender_id,
                ctx.sender.id, ctx.sender.id_len);
    check_bytes(c, "sender_context.sender_key (vs security_context_from)", &p->sender_key,
                ctx.sender.key, ctx.alg->key_len);
    check_bytes(c, "common_context.common_iv (vs security_context_from)", &p->common_iv,
                ctx.common_iv, ctx.alg->nonce_len);
    if (p->id_context.present) {
        check_bytes(c, "common_context.id_context (vs security_context_from)",
                    as_field(&tmp, kd->id_context.data, kd->id_context.len), p->id_context.data,
                    p->id_context.len);
    }
    oscar_oscore_ctx_cleanup(&ctx);
    return OSCAR_OK;
}

/* extract pulls the OSCORE option value and the payload out of a protected message. */
static bool extract(const uint8_t *msg, size_t len, struct oscar_coap_msg *m,
                    const struct oscar_coap_option **opt)
{
    size_t off;
    if (oscar_coap_parse(m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return false;
    }
    *opt = oscar_coap_find_option(m, OSCAR_COAP_OPT_OSCORE);
    return *opt != NULL;
}

/* normalise_observe rewrites the Observe value of msg to the 3 least significant bytes of the
 * Partial IV, as Oscar's client delivers notifications (RFC 8613 §4.1.3.5.2). */
static size_t normalise_observe(uint8_t *out, size_t cap, const uint8_t *msg, size_t len,
                                const uint8_t *piv, size_t piv_len)
{
    struct oscar_coap_msg m;
    size_t off;
    if (piv_len == 0 || oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return 0;
    }
    uint8_t value[4];
    size_t vlen =
        oscar_coap_uint_encode(value, (uint32_t)(oscar_oscore_piv_decode(piv, piv_len) & 0xFFFFFF));
    for (size_t i = 0; i < m.num_options; i++) {
        if (m.options[i].number == OSCAR_COAP_OPT_OBSERVE) {
            m.options[i].value = value;
            m.options[i].len = (uint16_t)vlen;
        }
    }
    size_t n;
    return oscar_coap_serialize(out, cap, &n, &m) == OSCAR_OK ? n : 0;
}

struct prot_state {
    uint8_t out[OUT_MAX];
    uint8_t recv[OUT_MAX];
    uint8_t tampered[MSG_MAX];
    uint8_t expect[MSG_MAX];
};

static enum oscar_err run_prot(struct checker *c, const struct oscar_vector_file *f,
                               const struct oscar_vector *v, struct prot_state *st,
                               struct oscar_diag *diag)
{
    const struct oscar_vector_prot *p = &v->prot;
    bool request = v->kind == OSCAR_VECTOR_REQUEST_PROTECTION;
    const struct oscar_alg_info *alg = oscar_alg_find((int32_t)p->aead_alg);
    struct oscar_bytes_field tmp;
    if (p->aead_alg_name != NULL) {
        check_true(c, "common_context.aead_algorithm_name",
                   strcmp(p->aead_alg_name, alg->name) == 0, alg->name);
    }
    if (p->security_context_from != NULL) {
        OSCAR_TRY(check_context_ref(c, f, v, diag));
    }
    if (p->sender_key.len != alg->key_len || p->common_iv.len != alg->nonce_len) {
        check_true(c, "key and Common IV lengths match the AEAD algorithm", false, "wrong length");
        return OSCAR_OK;
    }
    if (p->unprotected.len > MSG_MAX || p->protected_msg.len > MSG_MAX) {
        return oscar_diag_set(diag, OSCAR_ERR_PARSE, "%s: vector %s: message longer than %d bytes",
                              f->path, v->id, MSG_MAX);
    }
    /* Exchange parameters of a response: stated, or taken from the request vector it answers. */
    struct oscar_oscore_exchange ex = {0};
    if (!request) {
        if (p->request_kid.present) {
            if (p->request_kid.len > OSCAR_OSCORE_ID_MAX ||
                p->request_piv.len > OSCAR_OSCORE_PIV_MAX ||
                (p->request_nonce.present && p->request_nonce.len != alg->nonce_len)) {
                return oscar_diag_set(diag, OSCAR_ERR_PARSE,
                                      "%s: vector %s: $.vectors[%zu].request_parameters: lengths "
                                      "do not fit the algorithm",
                                      f->path, v->id, v->index);
            }
            memcpy(ex.request_kid, p->request_kid.data, p->request_kid.len);
            ex.request_kid_len = p->request_kid.len;
            memcpy(ex.request_piv, p->request_piv.data, p->request_piv.len);
            ex.request_piv_len = p->request_piv.len;
            if (p->request_nonce.present) {
                memcpy(ex.request_nonce, p->request_nonce.data, alg->nonce_len);
            }
        } else {
            const struct oscar_vector *rq = find_vector(f, p->request_ref);
            if (rq == NULL || rq->kind != OSCAR_VECTOR_REQUEST_PROTECTION ||
                rq->prot.sender_id.len > OSCAR_OSCORE_ID_MAX ||
                rq->prot.common_iv.len != alg->nonce_len) {
                return oscar_diag_set(diag, OSCAR_ERR_PARSE,
                                      "%s: vector %s: $.vectors[%zu].request_ref: \"%s\" is not a "
                                      "usable request_protection vector of this file",
                                      f->path, v->id, v->index, p->request_ref);
            }
            memcpy(ex.request_kid, rq->prot.sender_id.data, rq->prot.sender_id.len);
            ex.request_kid_len = rq->prot.sender_id.len;
            ex.request_piv_len = oscar_oscore_piv_encode(ex.request_piv, (uint64_t)rq->prot.seq);
            OSCAR_TRY(oscar_oscore_nonce(ex.request_nonce, alg, rq->prot.common_iv.data,
                                         rq->prot.sender_id.data, rq->prot.sender_id.len,
                                         ex.request_piv, ex.request_piv_len));
        }
    }
    uint8_t key[OSCAR_CRYPTO_KEY_MAX];
    uint8_t civ[OSCAR_CRYPTO_NONCE_MAX];
    memcpy(key, p->sender_key.data, alg->key_len);
    memcpy(civ, p->common_iv.data, alg->nonce_len);
    flip(key, alg->key_len, c->mut, OSCAR_MUTATE_KEY);
    flip(civ, alg->nonce_len, c->mut, OSCAR_MUTATE_NONCE);
    /* A response without Partial IV uses the request's nonce (§5.2): corrupt that one too. */
    flip(ex.request_nonce, alg->nonce_len, c->mut, OSCAR_MUTATE_NONCE);
    bool has_ctx = p->id_context.present;
    static const uint8_t other_id[1] = {0xFF};
    /* The sender's context; its Recipient side is unused. */
    struct oscar_oscore_keys sk = {
        .aead_alg = alg->cose_id,
        .sender_id = p->sender_id.data,
        .sender_id_len = p->sender_id.len,
        .sender_key = key,
        .recipient_id = other_id,
        .recipient_id_len = 0,
        .recipient_key = key,
        .common_iv = civ,
        .has_id_context = has_ctx,
        .id_context = p->id_context.data,
        .id_context_len = p->id_context.len,
    };
    struct oscar_oscore_ctx ctx;
    enum oscar_err err = oscar_oscore_ctx_init_keys(&ctx, oscar_crypto_wolfssl(), &sk);
    check_true(c, "sender context set-up", err == OSCAR_OK, oscar_err_str(err));
    if (err != OSCAR_OK) {
        return OSCAR_OK;
    }
    ctx.sender.seq = (uint64_t)p->seq;
    struct oscar_oscore_send_opts opts = {0};
    if (request) {
        opts.include_kid_context = p->kid_context.present;
        if (p->kid_context.present) {
            check_true(c, "derived.kid_context equals the ID Context",
                       has_ctx && p->kid_context.len == p->id_context.len &&
                           memcmp(p->kid_context.data, p->id_context.data, p->id_context.len) == 0,
                       "differs");
        }
    } else {
        opts.own_piv = p->partial_iv.present;
        opts.include_kid = p->kid.present;
        if (p->kid_context.present) {
            opts.has_response_kid_context = true;
            opts.response_kid_context = p->kid_context.data;
            opts.response_kid_context_len = p->kid_context.len;
        }
    }
    struct oscar_oscore_exchange send_ex = ex;
    size_t out_len = 0;
    if (request) {
        err = oscar_oscore_protect_request(&ctx, st->out, sizeof(st->out), &out_len, &send_ex,
                                           &opts, p->unprotected.data, p->unprotected.len);
    } else {
        err = oscar_oscore_protect_response(&ctx, st->out, sizeof(st->out), &out_len, &send_ex,
                                            &opts, p->unprotected.data, p->unprotected.len);
    }
    check_true(c, "protect", err == OSCAR_OK, oscar_err_str(err));
    if (err == OSCAR_OK) {
        uint8_t piv[OSCAR_OSCORE_PIV_MAX];
        size_t piv_len = 0;
        if (request || opts.own_piv) {
            piv_len = oscar_oscore_piv_encode(piv, (uint64_t)p->seq);
        }
        check_bytes(c, "derived.partial_iv", &p->partial_iv, piv, piv_len);
        check_bytes(c, "derived.kid", &p->kid, ctx.sender.id, ctx.sender.id_len);
        check_bytes(c, "derived.encryption_key", &p->encryption_key, key, alg->key_len);
        uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
        if (piv_len != 0) {
            OSCAR_TRY(oscar_oscore_nonce(nonce, alg, civ, ctx.sender.id, ctx.sender.id_len, piv,
                                         piv_len));
        } else {
            memcpy(nonce, ex.request_nonce, alg->nonce_len);
        }
        check_bytes(c, "derived.nonce", &p->nonce, nonce, alg->nonce_len);
        const uint8_t *akid = request ? ctx.sender.id : ex.request_kid;
        size_t akid_len = request ? ctx.sender.id_len : ex.request_kid_len;
        const uint8_t *apiv = request ? piv : ex.request_piv;
        size_t apiv_len = request ? piv_len : ex.request_piv_len;
        uint8_t aad_array[OSCAR_OSCORE_AAD_MAX];
        size_t aad_array_len;
        uint8_t aad[OSCAR_OSCORE_AAD_MAX];
        size_t aad_len;
        OSCAR_TRY(oscar_oscore_aad_array(aad_array, sizeof(aad_array), &aad_array_len, alg->cose_id,
                                         akid, akid_len, apiv, apiv_len, NULL, 0));
        OSCAR_TRY(oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, aad_array, aad_array_len));
        check_bytes(c, "derived.aad_array", &p->aad_array, aad_array, aad_array_len);
        check_bytes(c, "derived.aad", &p->aad, aad, aad_len);
        struct oscar_coap_msg m;
        const struct oscar_coap_option *o = NULL;
        bool parsed = extract(st->out, out_len, &m, &o);
        check_true(c, "protected message parses and has an OSCORE option", parsed, "no");
        if (parsed) {
            check_bytes(c, "outputs.oscore_option_value", &p->option_value, o->value, o->len);
            check_bytes(c, "outputs.ciphertext", &p->ciphertext, m.payload, m.payload_len);
            bool authentic = false;
            if (m.payload_len >= alg->tag_len &&
                ctx.crypto->aead_open(&ctx.sender.aead, &authentic, st->recv, sizeof(st->recv),
                                      nonce, aad, aad_len, m.payload, m.payload_len) == OSCAR_OK &&
                authentic) {
                check_bytes(c, "derived.plaintext", &p->plaintext, st->recv,
                            m.payload_len - alg->tag_len);
            } else {
                check_true(c, "derived.plaintext (own ciphertext decrypts)", false, "no");
            }
        }
        check_bytes(c,
                    request ? "outputs.protected_coap_request" : "outputs.protected_coap_response",
                    &p->protected_msg, st->out, out_len);
    }
    oscar_oscore_ctx_cleanup(&ctx);

    /* Receive side: the vector's protected message must verify to the unprotected one. */
    const uint8_t *prot = p->protected_msg.data;
    size_t prot_len = p->protected_msg.len;
    struct oscar_oscore_keys rk = {
        .aead_alg = alg->cose_id,
        .sender_id = other_id,
        .sender_id_len = 0,
        .sender_key = key,
        .recipient_id = p->sender_id.data,
        .recipient_id_len = p->sender_id.len,
        .recipient_key = key,
        .common_iv = civ,
        .has_id_context = has_ctx,
        .id_context = p->id_context.data,
        .id_context_len = p->id_context.len,
    };
    struct oscar_coap_msg um;
    size_t off;
    bool observe = !request &&
                   oscar_coap_parse(&um, &off, p->unprotected.data, p->unprotected.len) ==
                       OSCAR_COAP_WELL_FORMED &&
                   oscar_coap_find_option(&um, OSCAR_COAP_OPT_OBSERVE) != NULL;
    size_t expect_len = p->unprotected.len;
    memcpy(st->expect, p->unprotected.data, p->unprotected.len);
    if (observe) {
        size_t n = normalise_observe(st->expect, sizeof(st->expect), p->unprotected.data,
                                     p->unprotected.len, p->partial_iv.data, p->partial_iv.len);
        if (n != 0) {
            expect_len = n;
        }
    }
    /* Tamper positions: every byte of the OSCORE option value and of the payload. */
    struct oscar_coap_msg pm;
    const struct oscar_coap_option *popt = NULL;
    bool pparsed = extract(prot, prot_len, &pm, &popt);
    size_t positions = pparsed ? (size_t)popt->len + pm.payload_len : 0;
    for (size_t t = 0; t <= positions; t++) {
        const uint8_t *input = prot;
        if (t > 0) {
            size_t pos = t - 1 < popt->len ? (size_t)(popt->value - prot) + (t - 1)
                                           : (size_t)(pm.payload - prot) + (t - 1 - popt->len);
            memcpy(st->tampered, prot, prot_len);
            st->tampered[pos] ^= 0x01;
            input = st->tampered;
        }
        struct oscar_oscore_ctx rctx;
        err = oscar_oscore_ctx_init_keys(&rctx, oscar_crypto_wolfssl(), &rk);
        if (err != OSCAR_OK) {
            check_true(c, "recipient context set-up", false, oscar_err_str(err));
            break;
        }
        enum oscar_oscore_verdict verdict;
        size_t recv_len = 0;
        if (request) {
            struct oscar_oscore_ctx *list[1] = {&rctx};
            size_t idx;
            err =
                oscar_oscore_unprotect_request(list, 1, &verdict, &idx, st->recv, sizeof(st->recv),
                                               &recv_len, NULL, input, prot_len);
        } else {
            struct oscar_oscore_exchange rex = ex;
            rex.observe = observe;
            err = oscar_oscore_unprotect_response(&rctx, &verdict, st->recv, sizeof(st->recv),
                                                  &recv_len, &rex, input, prot_len);
        }
        oscar_oscore_ctx_cleanup(&rctx);
        if (t == 0) {
            check_true(c, "unprotect(protected message) accepted",
                       err == OSCAR_OK && verdict == OSCAR_OSCORE_ACCEPT,
                       err != OSCAR_OK ? oscar_err_str(err) : oscar_oscore_verdict_str(verdict));
            if (err == OSCAR_OK && verdict == OSCAR_OSCORE_ACCEPT) {
                check_bytes(c, "unprotect(protected message) equals the unprotected message",
                            as_field(&tmp, st->expect, expect_len), st->recv, recv_len);
            }
        } else {
            c->res->num_tamper++;
            if (err == OSCAR_OK && verdict == OSCAR_OSCORE_ACCEPT) {
                c->res->num_tamper_accepted++;
                char what[96];
                snprintf(what, sizeof(what), "tampered byte %zu of the protected part rejected",
                         t - 1);
                check_true(c, what, false, "accepted");
            }
        }
    }
    /* every byte of the OSCORE option value and of the ciphertext was tried once */
    check_true(c, "every protected byte tampered with",
               !pparsed || c->res->num_tamper == (size_t)popt->len + pm.payload_len,
               "some bytes were skipped");
    return OSCAR_OK;
}

/* require_checked fails the vector when a stated field was never compared: every field a vector
 * states is a promise the runner must keep (a check that silently went missing would otherwise
 * pass every negative control). */
static void require_checked(struct checker *c, const char *name, const struct oscar_bytes_field *f)
{
    if (!f->present || f->null) {
        return;
    }
    for (size_t i = 0; i < c->num_checked; i++) {
        if (strcmp(c->checked[i], name) == 0) {
            return;
        }
    }
    report_failure(c, name, "a comparison", "the field was never checked");
}

static void require_all_checked(struct checker *c, const struct oscar_vector *v)
{
    if (v->kind == OSCAR_VECTOR_KEY_DERIVATION) {
        const struct oscar_vector_kd *k = &v->kd;
        require_checked(c, "info.info_sender_key", &k->info_sender_key);
        require_checked(c, "info.info_recipient_key", &k->info_recipient_key);
        require_checked(c, "info.info_common_iv", &k->info_common_iv);
        require_checked(c, "outputs.sender_key", &k->sender_key);
        require_checked(c, "outputs.recipient_key", &k->recipient_key);
        require_checked(c, "outputs.common_iv", &k->common_iv);
        require_checked(c, "nonces_for_partial_iv_0.sender_nonce", &k->sender_nonce);
        require_checked(c, "nonces_for_partial_iv_0.recipient_nonce", &k->recipient_nonce);
        return;
    }
    const struct oscar_vector_prot *p = &v->prot;
    bool request = v->kind == OSCAR_VECTOR_REQUEST_PROTECTION;
    require_checked(c, "derived.partial_iv", &p->partial_iv);
    require_checked(c, "derived.kid", &p->kid);
    require_checked(c, "derived.aad_array", &p->aad_array);
    require_checked(c, "derived.aad", &p->aad);
    require_checked(c, "derived.plaintext", &p->plaintext);
    require_checked(c, "derived.encryption_key", &p->encryption_key);
    require_checked(c, "derived.nonce", &p->nonce);
    require_checked(c, "outputs.oscore_option_value", &p->option_value);
    require_checked(c, "outputs.ciphertext", &p->ciphertext);
    require_checked(c,
                    request ? "outputs.protected_coap_request" : "outputs.protected_coap_response",
                    &p->protected_msg);
}

enum oscar_err oscar_vector_run(struct oscar_vector_result *out, const struct oscar_vector_file *f,
                                const struct oscar_vector *v,
                                const struct oscar_vector_mutation *mutation, FILE *report,
                                struct oscar_diag *diag)
{
    static const struct oscar_vector_mutation none = {OSCAR_MUTATE_NONE, 0};
    memset(out, 0, sizeof(*out));
    out->pass = true;
    struct checker c = {
        .res = out,
        .mut = mutation != NULL ? mutation : &none,
        .report = report,
        .vector_id = v->id,
    };
    enum oscar_err err;
    if (v->kind == OSCAR_VECTOR_KEY_DERIVATION) {
        err = run_kd(&c, v);
    } else {
        struct prot_state *st = malloc(sizeof(*st));
        if (st == NULL) {
            return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
        }
        err = run_prot(&c, f, v, st, diag);
        free(st);
    }
    if (err == OSCAR_OK && out->first_failure[0] == '\0') {
        require_all_checked(&c, v);
    }
    return err;
}
