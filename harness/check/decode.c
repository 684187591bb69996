/* decode.c — see decode.h. */
#include "decode.h"

#include "msgindex.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* push appends a zeroed message. The array lives in its own mapping that grows with mremap: a
 * capture of a million datagrams is never copied to grow, and sits in huge pages. */
static enum oscar_err push(struct oscar_transcript *t, struct oscar_decoded **out)
{
    if (t->num_msgs == t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 4096;
        void *n = t->msgs == NULL ? mmap(NULL, ncap * sizeof(*t->msgs), PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                                  : mremap(t->msgs, t->cap * sizeof(*t->msgs),
                                           ncap * sizeof(*t->msgs), MREMAP_MAYMOVE);
        if (n == MAP_FAILED) {
            return OSCAR_ERR_NOMEM;
        }
        /* the whole mapping, so that it stays one VMA mremap can move (oscar_advise_huge would
         * split off its unaligned ends) */
        (void)madvise(n, ncap * sizeof(*t->msgs), MADV_HUGEPAGE);
        t->msgs = n;
        t->cap = ncap;
    }
    *out = &t->msgs[t->num_msgs++];
    return OSCAR_OK; /* fresh anonymous memory is zero */
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

/* raw_exchange_hash is exchange_hash of datagram d read from its raw header (token length in
 * byte 0, code in byte 1, token from byte 4), before it is parsed: the slot to prefetch. */
static uint64_t raw_exchange_hash(const struct oscar_decoded *d)
{
    size_t tkl = d->wire_len > 0 ? (d->wire[0] & 0x0fu) : 0;
    if (d->wire_len < 4 + tkl || tkl > OSCAR_COAP_TOKEN_MAX) {
        return 0;
    }
    bool request = d->wire[1] != 0 && OSCAR_COAP_CODE_CLASS(d->wire[1]) == 0;
    return request ? exchange_hash(d->wire + 4, tkl, &d->src, &d->dst)
                   : exchange_hash(d->wire + 4, tkl, &d->dst, &d->src);
}

/* struct pending is what a datagram i puts in the indexes once its turn is over: its entry in the
 * index of copies, and for a request its entry in the index of requests. */
struct pending {
    size_t i; /* SIZE_MAX: nothing */
    uint64_t dh;
    bool put;
    uint64_t eh;
};

static enum oscar_err flush(struct pending *p, struct oscar_msg_index *copies,
                            struct oscar_msg_index *requests, struct oscar_transcript *t)
{
    if (p->i == SIZE_MAX) {
        return OSCAR_OK;
    }
    OSCAR_TRY(
        oscar_msg_index_first(copies, p->dh, t, p->i, same_datagram, &t->msgs[p->i].first_copy));
    if (p->put) {
        OSCAR_TRY(oscar_msg_index_put(requests, p->eh, t, p->i, same_exchange));
    }
    p->i = SIZE_MAX;
    return OSCAR_OK;
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

/* init_contexts makes the 2 * num_specs contexts of a decoder: index 2i is context i as given,
 * 2i+1 its mirror, the two ends of one association. names (may be NULL) gets their names. */
static enum oscar_err init_contexts(struct oscar_oscore_ctx *ctxs, struct oscar_oscore_ctx **list,
                                    const struct oscar_context_spec *specs, size_t num_specs,
                                    struct oscar_transcript *names, struct oscar_diag *diag)
{
    for (size_t i = 0; i < num_specs; i++) {
        struct oscar_context_spec m = mirror(&specs[i]);
        const struct oscar_context_spec *views[2] = {&specs[i], &m};
        for (size_t k = 0; k < 2; k++) {
            enum oscar_err err = oscar_context_spec_init(&ctxs[2 * i + k], views[k]);
            if (err != OSCAR_OK) {
                return oscar_diag_set(diag, err, "context %s: %s", specs[i].name,
                                      oscar_err_str(err));
            }
            /* decoding reads every message, replays included: replay is judged by rules */
            ctxs[2 * i + k].faults = OSCAR_FAULT_ACCEPT_REPLAY;
            list[2 * i + k] = &ctxs[2 * i + k];
            if (names != NULL) {
                size_t me = 2 * i + k;
                size_t first = 0;
                while (first < me && !(ctxs[first].alg->key_len == ctxs[me].alg->key_len &&
                                       memcmp(ctxs[first].recipient.key, ctxs[me].recipient.key,
                                              ctxs[me].alg->key_len) == 0)) {
                    first++;
                }
                names->key_id[me] = (uint8_t)first;
                names->replay_window[2 * i + k] =
                    views[k]->replay_window > 0 ? (uint64_t)views[k]->replay_window : 0;
                snprintf(names->context_names[2 * i + k], sizeof(names->context_names[0]), "%s%s",
                         specs[i].name, k ? " (mirrored)" : "");
            }
        }
    }
    return OSCAR_OK;
}

/* struct worker verifies the OSCORE messages of one slice of a transcript. Each worker has its
 * own contexts (the core keeps per-message state in them), scratch buffer and arena, so workers
 * share nothing but the transcript, where each writes only the messages of its slice. */
struct worker {
    struct oscar_transcript *t;
    const struct oscar_context_spec *specs;
    size_t num_specs;
    struct oscar_oscore_ctx *ctxs;
    struct oscar_oscore_ctx **list;
    struct oscar_arena *arena;
    uint8_t *scratch;
    size_t scratch_cap;
    size_t from;
    size_t to;
    bool responses; /* this pass: responses (their requests are done), else requests */
    enum oscar_err err;
    struct oscar_diag diag;
};

/* verify_request unprotects request d, trying every context whose IDs match (§3.3). */
static enum oscar_err verify_request(struct worker *w, struct oscar_decoded *d, size_t cap)
{
    size_t idx = 0;
    size_t plain_len = 0;
    struct oscar_oscore_exchange ex;
    OSCAR_TRY(oscar_oscore_unprotect_request(w->list, 2 * w->num_specs, &d->verdict, &idx,
                                             w->scratch, cap, &plain_len, &ex, d->wire,
                                             d->wire_len));
    d->plain_len = (uint32_t)plain_len;
    if (d->verdict == OSCAR_OSCORE_ACCEPT || d->verdict == OSCAR_OSCORE_PLAINTEXT_MALFORMED) {
        d->context = (int)idx;
        /* §5.2: the request nonce under the client's Sender Key */
        const struct oscar_oscore_ctx *c = &w->ctxs[idx];
        d->has_key_nonce = true;
        d->key_id = w->t->key_id[idx];
        d->nonce_len = (uint8_t)c->alg->nonce_len;
        memcpy(d->nonce, ex.request_nonce, d->nonce_len);
        d->kid_len = (uint8_t)ex.request_kid_len;
        memcpy(d->kid, ex.request_kid, ex.request_kid_len);
        d->request_piv_len = (uint8_t)ex.request_piv_len;
        memcpy(d->request_piv, ex.request_piv, ex.request_piv_len);
        d->observe = ex.observe;
        set_piv(d, ex.request_piv, ex.request_piv_len);
    }
    return OSCAR_OK;
}

/* request_exchange rebuilds what binds responses to request q (§7.1): its kid, Partial IV and
 * nonce; every response and notification is read (observe), the rules judge them later. */
static void request_exchange(struct oscar_oscore_exchange *ex, const struct oscar_decoded *q)
{
    memset(ex, 0, sizeof(*ex));
    memcpy(ex->request_kid, q->kid, q->kid_len);
    ex->request_kid_len = q->kid_len;
    memcpy(ex->request_piv, q->request_piv, q->request_piv_len);
    ex->request_piv_len = q->request_piv_len;
    memcpy(ex->request_nonce, q->nonce, q->nonce_len);
    ex->observe = true;
}

/* verify_response unprotects response d with the other end of the context that read its
 * request q. */
static enum oscar_err verify_response(struct worker *w, struct oscar_decoded *d,
                                      const struct oscar_decoded *q, size_t cap)
{
    int partner = q->context ^ 1;
    struct oscar_oscore_exchange ex;
    request_exchange(&ex, q);
    size_t plain_len = 0;
    OSCAR_TRY(oscar_oscore_unprotect_response(&w->ctxs[partner], &d->verdict, w->scratch, cap,
                                              &plain_len, &ex, d->wire, d->wire_len));
    d->plain_len = (uint32_t)plain_len;
    d->context = partner;
    if (d->verdict == OSCAR_OSCORE_ACCEPT) {
        /* §5.2: own Partial IV -> the responder's nonce; none -> the request's */
        const struct oscar_oscore_ctx *c = &w->ctxs[partner];
        struct oscar_coap_msg rm;
        struct oscar_oscore_option ro;
        d->has_key_nonce = true;
        d->key_id = w->t->key_id[partner];
        d->nonce_len = (uint8_t)c->alg->nonce_len;
        memcpy(d->nonce, q->nonce, d->nonce_len);
        if (oscar_oscore_peek(&rm, &ro, d->wire, d->wire_len) == OSCAR_OSCORE_ACCEPT &&
            ro.piv_len != 0) {
            oscar_oscore_nonce(d->nonce, c->alg, c->common_iv, c->recipient.id, c->recipient.id_len,
                               ro.piv, ro.piv_len);
            set_piv(d, ro.piv, ro.piv_len);
        }
        request_exchange(&ex, q);
        d->inner_observe_len = inner_observe(&w->ctxs[partner], d, &ex, &rm);
    }
    return OSCAR_OK;
}

static enum oscar_err verify_one(struct worker *w, size_t i)
{
    struct oscar_decoded *d = &w->t->msgs[i];
    if (!d->oscore || d->coap_rule != OSCAR_COAP_WELL_FORMED || d->is_request == w->responses) {
        return OSCAR_OK;
    }
    size_t cap = 2 * d->wire_len + PLAIN_SLACK;
    if (cap > w->scratch_cap) {
        uint8_t *bigger = realloc(w->scratch, cap);
        if (bigger == NULL) {
            return oscar_diag_set(&w->diag, OSCAR_ERR_NOMEM, "out of memory");
        }
        w->scratch = bigger;
        w->scratch_cap = cap;
    }
    if (d->is_request) {
        OSCAR_TRY(verify_request(w, d, cap));
    } else if (d->request >= 0 && w->t->msgs[d->request].context >= 0) {
        OSCAR_TRY(verify_response(w, d, &w->t->msgs[d->request], cap));
    } else {
        d->verdict = OSCAR_OSCORE_NO_CONTEXT;
    }
    if (d->plain_len > 0) {
        d->plain = oscar_arena_alloc(w->arena, d->plain_len);
        if (d->plain == NULL) {
            return oscar_diag_set(&w->diag, OSCAR_ERR_NOMEM, "out of memory");
        }
        memcpy(d->plain, w->scratch, d->plain_len);
    }
    return OSCAR_OK;
}

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    for (size_t i = w->from; i < w->to && w->err == OSCAR_OK; i++) {
        w->err = verify_one(w, i);
        if (w->err != OSCAR_OK && w->diag.msg[0] == '\0') {
            oscar_diag_set(&w->diag, w->err, "frame %zu: %s", w->t->msgs[i].frame,
                           oscar_err_str(w->err));
        }
    }
    return NULL;
}

/* num_workers: one per online CPU (at most OSCAR_DECODE_MAX_WORKERS, one per 4096 messages at
 * least), or $OSCAR_THREADS. Small captures are read by the calling thread alone. */
static size_t num_workers(size_t num_msgs)
{
    const char *env = getenv("OSCAR_THREADS");
    long n = env != NULL && env[0] != '\0' ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    size_t by_size = num_msgs / 4096 + 1;
    size_t k = n < 1 ? 1 : (size_t)n;
    k = k > OSCAR_DECODE_MAX_WORKERS ? OSCAR_DECODE_MAX_WORKERS : k;
    return env == NULL && k > by_size ? by_size : k;
}

/* verify_all runs one pass (requests, then responses) over the transcript on the workers. */
static enum oscar_err verify_all(struct worker *ws, size_t nw, bool responses,
                                 struct oscar_diag *diag)
{
    pthread_t tid[OSCAR_DECODE_MAX_WORKERS];
    bool started[OSCAR_DECODE_MAX_WORKERS] = {false};
    size_t n = ws[0].t->num_msgs;
    for (size_t k = 0; k < nw; k++) {
        ws[k].from = n * k / nw;
        ws[k].to = n * (k + 1) / nw;
        ws[k].responses = responses;
        if (k > 0) {
            started[k] = pthread_create(&tid[k], NULL, worker_run, &ws[k]) == 0;
        }
    }
    worker_run(&ws[0]);
    for (size_t k = 1; k < nw; k++) {
        if (started[k]) {
            pthread_join(tid[k], NULL);
        } else {
            worker_run(&ws[k]); /* no thread for it: run its slice here */
        }
    }
    for (size_t k = 0; k < nw; k++) {
        if (ws[k].err != OSCAR_OK) {
            return oscar_diag_set(diag, ws[k].err, "%s", ws[k].diag.msg);
        }
    }
    return OSCAR_OK;
}

/* read_all reads every datagram of rd into out: CoAP parsed, copies and requests indexed,
 * responses bound to their requests; nothing decrypted yet. */
static enum oscar_err read_all(struct oscar_transcript *out, struct oscar_pcap_reader *rd,
                               const uint16_t *ports, size_t num_ports, struct oscar_diag *diag)
{
    struct oscar_msg_index copies = {0};
    struct oscar_msg_index requests = {0};
    struct pending before = {SIZE_MAX, 0, false, 0};
    enum oscar_err err = OSCAR_OK;
    if (oscar_msg_index_init(&copies, 0) != OSCAR_OK ||
        oscar_msg_index_init(&requests, 0) != OSCAR_OK) {
        err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    while (err == OSCAR_OK) {
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
            err = oscar_diag_set(diag, err, "out of memory after %zu datagrams", out->num_msgs);
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
        d->wire_len = (uint32_t)g.len;
        d->plain_len = (uint32_t)g.len;
        size_t di = out->num_msgs - 1;
        /* This datagram's index entries are made at the start of the next one's turn, once its
         * slots have been prefetched for a whole turn; what this turn looks up was made before. */
        struct pending now = {di, datagram_hash(d), false, raw_exchange_hash(d)};
        oscar_msg_index_prefetch(&copies, now.dh);
        oscar_msg_index_prefetch(&requests, now.eh);
        err = flush(&before, &copies, &requests, out);
        before = now;
        if (err != OSCAR_OK) {
            err = oscar_diag_set(diag, err, "out of memory");
            break;
        }
        struct oscar_coap_msg m;
        size_t coap_offset = 0;
        d->coap_rule = oscar_coap_parse(&m, &coap_offset, d->wire, d->wire_len);
        d->coap_offset = (uint32_t)coap_offset;
        if (d->coap_rule != OSCAR_COAP_WELL_FORMED) {
            continue;
        }
        d->type = m.type;
        d->code = m.code;
        d->mid = m.mid;
        d->token_len = (uint8_t)m.token_len;
        memcpy(d->token, m.token, m.token_len);
        d->is_request = oscar_coap_is_request(m.code);
        d->oscore = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE) != NULL;
        if (d->oscore) {
            d->plain_len = 0;
        }
        if (!d->is_request && m.code != OSCAR_COAP_CODE_EMPTY) {
            d->request = find_request(out, &requests, di);
        } else if (d->is_request) {
            before.put = true;
            before.eh = exchange_hash(d->token, d->token_len, &d->src, &d->dst);
        }
    }
    if (err == OSCAR_OK && flush(&before, &copies, &requests, out) != OSCAR_OK) {
        err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    oscar_msg_index_free(&copies);
    oscar_msg_index_free(&requests);
    return err;
}

enum oscar_err oscar_transcript_decode_reader(struct oscar_transcript *out,
                                              struct oscar_pcap_reader *rd,
                                              const struct oscar_context_spec *specs,
                                              size_t num_specs, const uint16_t *ports,
                                              size_t num_ports, struct oscar_diag *diag)
{
    memset(out, 0, sizeof(*out));
    oscar_arena_init(&out->arena, SIZE_MAX);
    for (size_t k = 0; k < OSCAR_DECODE_MAX_WORKERS; k++) {
        oscar_arena_init(&out->worker_arena[k], SIZE_MAX);
    }
    if (2 * num_specs > OSCAR_DECODE_MAX_CONTEXTS) {
        oscar_pcap_reader_close(rd);
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "more than %d contexts",
                              OSCAR_DECODE_MAX_CONTEXTS / 2);
    }
    struct worker ws[OSCAR_DECODE_MAX_WORKERS];
    memset(ws, 0, sizeof(ws));
    size_t nw = 0;
    /* the contexts first: a bad one is reported before the capture is read */
    struct oscar_oscore_ctx *ctxs = calloc(2 * num_specs + 1, sizeof(*ctxs));
    struct oscar_oscore_ctx **list = calloc(2 * num_specs + 1, sizeof(*list));
    enum oscar_err err = OSCAR_OK;
    if (ctxs == NULL || list == NULL) {
        err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    if (err == OSCAR_OK) {
        err = init_contexts(ctxs, list, specs, num_specs, out, diag);
    }
    out->num_contexts = 2 * num_specs;
    if (err == OSCAR_OK) {
        err = read_all(out, rd, ports, num_ports, diag);
    }
    nw = err == OSCAR_OK ? num_workers(out->num_msgs) : 0;
    for (size_t k = 0; k < nw && err == OSCAR_OK; k++) {
        struct worker *w = &ws[k];
        w->t = out;
        w->specs = specs;
        w->num_specs = num_specs;
        w->arena = &out->worker_arena[k];
        if (k == 0) {
            w->ctxs = ctxs;
            w->list = list;
            ctxs = NULL;
            list = NULL;
        } else {
            w->ctxs = calloc(2 * num_specs + 1, sizeof(*w->ctxs));
            w->list = calloc(2 * num_specs + 1, sizeof(*w->list));
            if (w->ctxs == NULL || w->list == NULL) {
                err = oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
                break;
            }
            err = init_contexts(w->ctxs, w->list, specs, num_specs, NULL, diag);
        }
    }
    if (err == OSCAR_OK) {
        err = verify_all(ws, nw, false, diag);
    }
    if (err == OSCAR_OK) {
        err = verify_all(ws, nw, true, diag);
    }
    for (int k = 0; k < OSCAR_PCAP_SKIP__COUNT; k++) {
        out->skipped[k] = oscar_pcap_reader_skipped(rd, (enum oscar_pcap_skip)k);
    }
    if (oscar_pcap_reader_damage(rd) != NULL) {
        snprintf(out->damage, sizeof(out->damage), "%s", oscar_pcap_reader_damage(rd));
    }
    oscar_pcap_reader_close(rd);
    for (size_t k = 0; k < OSCAR_DECODE_MAX_WORKERS; k++) {
        for (size_t i = 0; ws[k].ctxs != NULL && i < 2 * num_specs; i++) {
            oscar_oscore_ctx_cleanup(&ws[k].ctxs[i]);
        }
        free(ws[k].ctxs);
        free(ws[k].list);
        free(ws[k].scratch);
    }
    for (size_t i = 0; ctxs != NULL && i < 2 * num_specs; i++) {
        oscar_oscore_ctx_cleanup(&ctxs[i]);
    }
    free(ctxs);
    free(list);
    return err;
}

void oscar_transcript_free(struct oscar_transcript *t)
{
    if (t->msgs != NULL) {
        munmap(t->msgs, t->cap * sizeof(*t->msgs));
    }
    t->msgs = NULL;
    t->num_msgs = 0;
    t->cap = 0;
    oscar_arena_free(&t->arena);
    for (size_t k = 0; k < OSCAR_DECODE_MAX_WORKERS; k++) {
        oscar_arena_free(&t->worker_arena[k]);
    }
}
