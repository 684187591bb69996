/* decode.c — see decode.h. */
#include "decode.h"

#include "msgindex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLAIN_SLACK 64
#define OSCAR_DATAGRAM_MAX 65535

/* mirror swaps the two sides of a context spec. */
static struct oscar_context_spec mirror(const struct oscar_context_spec *s)
{
    struct oscar_context_spec m = *s;
    m.sender_id = s->recipient_id;
    m.recipient_id = s->sender_id;
    m.sender_key = s->recipient_key;
    m.recipient_key = s->sender_key;
    return m;
}

static enum oscar_err push(struct oscar_transcript *t, struct oscar_decoded **out)
{
    if (t->num_msgs == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 64;
        struct oscar_decoded *n = realloc(t->msgs, ncap * sizeof(*n));
        if (n == NULL) {
            return OSCAR_ERR_NOMEM;
        }
        t->msgs = n;
        t->cap = ncap;
    }
    *out = &t->msgs[t->num_msgs++];
    memset(*out, 0, sizeof(**out));
    return OSCAR_OK;
}

/* same_datagram: the same bytes between the same endpoints. */
static bool same_datagram(const struct oscar_transcript *t, size_t a, size_t b)
{
    const struct oscar_decoded *x = &t->msgs[a];
    const struct oscar_decoded *y = &t->msgs[b];
    return x->wire_len == y->wire_len && memcmp(x->wire, y->wire, x->wire_len) == 0 &&
           oscar_endpoint_equal(&x->src, &y->src) && oscar_endpoint_equal(&x->dst, &y->dst);
}

static uint64_t datagram_hash(const struct oscar_decoded *d)
{
    uint64_t h = oscar_hash_bytes(OSCAR_HASH_SEED, d->wire, d->wire_len);
    return oscar_hash_endpoint(oscar_hash_endpoint(h, &d->src), &d->dst);
}

static uint64_t exchange_hash(const uint8_t *token, size_t token_len,
                              const struct oscar_endpoint *client,
                              const struct oscar_endpoint *server)
{
    uint64_t h = oscar_hash_bytes(OSCAR_HASH_SEED, token, token_len);
    return oscar_hash_endpoint(oscar_hash_endpoint(h, client), server);
}

/* same_exchange: two requests with the same token from and to the same endpoints. */
static bool same_exchange(const struct oscar_transcript *t, size_t a, size_t b)
{
    const struct oscar_decoded *x = &t->msgs[a];
    const struct oscar_decoded *y = &t->msgs[b];
    return x->token_len == y->token_len && memcmp(x->token, y->token, x->token_len) == 0 &&
           oscar_endpoint_equal(&x->src, &y->src) && oscar_endpoint_equal(&x->dst, &y->dst);
}

/* answers: stored request a has the token of response b and the reversed endpoints. */
static bool answers(const struct oscar_transcript *t, size_t a, size_t b)
{
    const struct oscar_decoded *q = &t->msgs[a];
    const struct oscar_decoded *r = &t->msgs[b];
    return q->token_len == r->token_len && memcmp(q->token, r->token, r->token_len) == 0 &&
           oscar_endpoint_equal(&q->src, &r->dst) && oscar_endpoint_equal(&q->dst, &r->src);
}

/* find_request finds the latest request answered by response r (same token, reversed
 * endpoints) and binds to its first copy: a retransmission is the same request. */
static long find_request(const struct oscar_transcript *t, const struct oscar_msg_index *requests,
                         size_t r)
{
    const struct oscar_decoded *d = &t->msgs[r];
    long q = oscar_msg_index_find(requests, exchange_hash(d->token, d->token_len, &d->dst, &d->src),
                                  t, r, answers);
    return q < 0 ? -1 : t->msgs[q].first_copy;
}

/* inner_observe opens a verified response once more to read its encrypted Observe option as it
 * was sent (the decrypted message carries the client's view, derived from the Partial IV). */
static int inner_observe(struct oscar_oscore_ctx *c, const struct oscar_decoded *d,
                         const struct oscar_oscore_exchange *ex, const struct oscar_coap_msg *m)
{
    uint8_t arr[OSCAR_OSCORE_AAD_MAX];
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t arr_len;
    size_t aad_len;
    if (oscar_oscore_aad_array(arr, sizeof(arr), &arr_len, c->alg->cose_id, ex->request_kid,
                               ex->request_kid_len, ex->request_piv, ex->request_piv_len, NULL,
                               0) != OSCAR_OK ||
        oscar_oscore_enc_structure(aad, sizeof(aad), &aad_len, arr, arr_len) != OSCAR_OK ||
        m->payload_len < c->alg->tag_len) {
        return -1;
    }
    size_t pt_len = m->payload_len - c->alg->tag_len;
    uint8_t *pt = malloc(pt_len + 1);
    bool ok = false;
    int len = -1;
    if (pt != NULL &&
        c->crypto->aead_open(&c->recipient.aead, &ok, pt, pt_len, d->nonce, aad, aad_len,
                             m->payload, m->payload_len) == OSCAR_OK &&
        ok && pt_len > 0) {
        struct oscar_coap_msg inner;
        size_t off;
        if (oscar_coap_parse_options(&inner, &off, pt + 1, pt_len - 1) == OSCAR_COAP_WELL_FORMED) {
            const struct oscar_coap_option *o =
                oscar_coap_find_option(&inner, OSCAR_COAP_OPT_OBSERVE);
            len = o != NULL ? (int)o->len : -1;
        }
    }
    free(pt);
    return len;
}

/* set_piv records a Partial IV (at most 5 bytes, §6.1) as a number. */
static void set_piv(struct oscar_decoded *d, const uint8_t *piv, size_t len)
{
    d->piv = 0;
    for (size_t i = 0; i < len; i++) {
        d->piv = d->piv << 8 | piv[i];
    }
    d->piv_len = (uint8_t)len;
}

static bool port_wanted(const struct oscar_datagram *g, const uint16_t *ports, size_t n)
{
    if (n == 0) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (g->src.port == ports[i] || g->dst.port == ports[i]) {
            return true;
        }
    }
    return false;
}

enum oscar_err oscar_transcript_decode(struct oscar_transcript *out, const char *pcap_path,
                                       const struct oscar_context_spec *specs, size_t num_specs,
                                       const uint16_t *ports, size_t num_ports,
                                       struct oscar_diag *diag)
{
    struct oscar_pcap_reader *rd = NULL;
    memset(out, 0, sizeof(*out));
    oscar_arena_init(&out->arena, 0);
    OSCAR_TRY(oscar_pcap_reader_open(&rd, pcap_path, diag));
    return oscar_transcript_decode_reader(out, rd, specs, num_specs, ports, num_ports, diag);
}

enum oscar_err oscar_transcript_decode_reader(struct oscar_transcript *out,
                                              struct oscar_pcap_reader *rd,
                                              const struct oscar_context_spec *specs,
                                              size_t num_specs, const uint16_t *ports,
                                              size_t num_ports, struct oscar_diag *diag)
{
    memset(out, 0, sizeof(*out));
    oscar_arena_init(&out->arena, 0);
    if (2 * num_specs > OSCAR_DECODE_MAX_CONTEXTS) {
        oscar_pcap_reader_close(rd);
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "more than %d contexts",
                              OSCAR_DECODE_MAX_CONTEXTS / 2);
    }
    struct oscar_oscore_ctx *ctxs = calloc(2 * num_specs + 1, sizeof(*ctxs));
    struct oscar_oscore_ctx **list = calloc(2 * num_specs + 1, sizeof(*list));
    /* what the core decrypts into: 2 * datagram + slack always suffices (oscore.h) */
    size_t scratch_cap = 2 * OSCAR_DATAGRAM_MAX + PLAIN_SLACK;
    uint8_t *scratch = malloc(scratch_cap);
    struct oscar_msg_index copies = {0};
    struct oscar_msg_index requests = {0};
    enum oscar_err err = OSCAR_OK;
    if (ctxs == NULL || list == NULL || scratch == NULL ||
        oscar_msg_index_init(&copies, 0) != OSCAR_OK ||
        oscar_msg_index_init(&requests, 0) != OSCAR_OK) {
        err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Index 2i is context i as given, 2i+1 its mirror: the two ends of one association. */
    for (size_t i = 0; i < num_specs; i++) {
        struct oscar_context_spec m = mirror(&specs[i]);
        const struct oscar_context_spec *views[2] = {&specs[i], &m};
        for (size_t k = 0; k < 2; k++) {
            err = oscar_context_spec_init(&ctxs[2 * i + k], views[k]);
            if (err != OSCAR_OK) {
                err =
                    oscar_diag_set(diag, err, "context %s: %s", specs[i].name, oscar_err_str(err));
                goto out;
            }
            /* decoding reads every message, replays included: replay is judged by rules */
            ctxs[2 * i + k].faults = OSCAR_FAULT_ACCEPT_REPLAY;
            list[2 * i + k] = &ctxs[2 * i + k];
            out->replay_window[2 * i + k] =
                views[k]->replay_window > 0 ? (uint64_t)views[k]->replay_window : 0;
            snprintf(out->context_names[2 * i + k], sizeof(out->context_names[0]), "%s%s",
                     specs[i].name, k ? " (mirrored)" : "");
        }
    }
    out->num_contexts = 2 * num_specs;
    for (;;) {
        struct oscar_datagram g;
        bool done;
        err = oscar_pcap_reader_next(rd, &g, &done);
        if (err != OSCAR_OK || done) {
            break;
        }
        if (!port_wanted(&g, ports, num_ports)) {
            out->other_ports++;
            continue;
        }
        struct oscar_decoded *d;
        err = push(out, &d);
        if (err != OSCAR_OK) {
            break;
        }
        d->frame = g.frame;
        d->usec = g.usec;
        d->src = g.src;
        d->dst = g.dst;
        d->context = -1;
        d->request = -1;
        d->inner_observe_len = -1;
        d->wire = oscar_arena_alloc(&out->arena, g.len + 1);
        d->plain = d->wire; /* until decrypted: then its own copy, of the exact size */
        if (d->wire == NULL) {
            err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
            break;
        }
        memcpy(d->wire, g.payload, g.len);
        d->wire_len = g.len;
        size_t di = out->num_msgs - 1;
        uint64_t dh = datagram_hash(d);
        err = oscar_msg_index_first(&copies, dh, out, di, same_datagram, &d->first_copy);
        if (err != OSCAR_OK) {
            err = oscar_diag_set(diag, err, "out of memory");
            break;
        }
        struct oscar_coap_msg m;
        d->coap_rule = oscar_coap_parse(&m, &d->coap_offset, d->wire, d->wire_len);
        if (d->coap_rule != OSCAR_COAP_WELL_FORMED) {
            continue;
        }
        d->type = m.type;
        d->code = m.code;
        d->mid = m.mid;
        d->token_len = m.token_len;
        memcpy(d->token, m.token, m.token_len);
        d->is_request = oscar_coap_is_request(m.code);
        d->oscore = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE) != NULL;
        size_t cap = 2 * g.len + PLAIN_SLACK;
        if (cap > scratch_cap) {
            uint8_t *bigger = realloc(scratch, cap);
            if (bigger == NULL) {
                err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
                break;
            }
            scratch = bigger;
            scratch_cap = cap;
        }
        if (!d->is_request && m.code != OSCAR_COAP_CODE_EMPTY) {
            d->request = find_request(out, &requests, di);
        } else if (d->is_request) {
            err = oscar_msg_index_put(&requests,
                                      exchange_hash(d->token, d->token_len, &d->src, &d->dst), out,
                                      di, same_exchange);
            if (err != OSCAR_OK) {
                err = oscar_diag_set(diag, err, "out of memory");
                break;
            }
        }
        if (!d->oscore) {
            d->plain_len = d->wire_len;
            continue;
        }
        if (d->is_request) {
            size_t idx = 0;
            err =
                oscar_oscore_unprotect_request(list, out->num_contexts, &d->verdict, &idx, scratch,
                                               cap, &d->plain_len, &d->ex, d->wire, d->wire_len);
            if (err != OSCAR_OK) {
                break;
            }
            if (d->verdict == OSCAR_OSCORE_ACCEPT ||
                d->verdict == OSCAR_OSCORE_PLAINTEXT_MALFORMED) {
                d->context = (int)idx;
                /* §5.2: the request nonce under the client's Sender Key */
                const struct oscar_oscore_ctx *c = &ctxs[idx];
                d->has_key_nonce = true;
                d->key_len = c->alg->key_len;
                d->nonce_len = c->alg->nonce_len;
                memcpy(d->key, c->recipient.key, d->key_len);
                memcpy(d->nonce, d->ex.request_nonce, d->nonce_len);
                set_piv(d, d->ex.request_piv, d->ex.request_piv_len);
            }
        } else if (d->request >= 0 && out->msgs[d->request].context >= 0) {
            const struct oscar_decoded *q = &out->msgs[d->request];
            /* the answering side is the other end of the context that read the request */
            int partner = q->context ^ 1;
            struct oscar_oscore_exchange ex = q->ex;
            ex.observe = true; /* decode every response and notification, judge them later */
            err = oscar_oscore_unprotect_response(&ctxs[partner], &d->verdict, scratch, cap,
                                                  &d->plain_len, &ex, d->wire, d->wire_len);
            if (err != OSCAR_OK) {
                break;
            }
            d->context = partner;
            if (d->verdict == OSCAR_OSCORE_ACCEPT) {
                /* §5.2: own Partial IV -> the responder's nonce; none -> the request's */
                const struct oscar_oscore_ctx *c = &ctxs[partner];
                struct oscar_coap_msg rm;
                struct oscar_oscore_option ro;
                d->has_key_nonce = true;
                d->key_len = c->alg->key_len;
                d->nonce_len = c->alg->nonce_len;
                memcpy(d->key, c->recipient.key, d->key_len);
                memcpy(d->nonce, q->ex.request_nonce, d->nonce_len);
                if (oscar_oscore_peek(&rm, &ro, d->wire, d->wire_len) == OSCAR_OSCORE_ACCEPT &&
                    ro.piv_len != 0) {
                    oscar_oscore_nonce(d->nonce, c->alg, c->common_iv, c->recipient.id,
                                       c->recipient.id_len, ro.piv, ro.piv_len);
                    set_piv(d, ro.piv, ro.piv_len);
                }
                d->inner_observe_len = inner_observe(&ctxs[partner], d, &q->ex, &rm);
            }
        } else {
            d->verdict = OSCAR_OSCORE_NO_CONTEXT;
        }
        if (d->plain_len > 0) {
            d->plain = oscar_arena_alloc(&out->arena, d->plain_len);
            if (d->plain == NULL) {
                err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
                break;
            }
            memcpy(d->plain, scratch, d->plain_len);
        }
    }
out:
    if (rd != NULL) {
        for (int k = 0; k < OSCAR_PCAP_SKIP__COUNT; k++) {
            out->skipped[k] = oscar_pcap_reader_skipped(rd, (enum oscar_pcap_skip)k);
        }
        if (oscar_pcap_reader_damage(rd) != NULL) {
            snprintf(out->damage, sizeof(out->damage), "%s", oscar_pcap_reader_damage(rd));
        }
        oscar_pcap_reader_close(rd);
    }
    for (size_t i = 0; ctxs != NULL && i < 2 * num_specs; i++) {
        oscar_oscore_ctx_cleanup(&ctxs[i]);
    }
    free(ctxs);
    free(list);
    free(scratch);
    oscar_msg_index_free(&copies);
    oscar_msg_index_free(&requests);
    return err;
}

void oscar_transcript_free(struct oscar_transcript *t)
{
    free(t->msgs);
    t->msgs = NULL;
    t->num_msgs = 0;
    oscar_arena_free(&t->arena);
}
