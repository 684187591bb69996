/* rules.c — see rules.h. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgindex.h"
#include "oscar/gm.h"

enum {
    R_COAP,
    R_OPTION,
    R_REQUEST_FIELDS,
    R_OUTER_CODE,
    R_CLASS_E_OUTER,
    R_NONCE_REUSE,
    R_REPLAY_ANSWERED,
    R_UNDECRYPTABLE,
    R_SUCCESS_PROTECTED,
    R_NOTIFICATION_PIV,
    R_CLASS_U_INNER,
    R_OBSERVE,
    R_PIV_ORDER,
    R_REPLAY_WINDOW,
    R_OUTER_MAX_AGE,
    R_ACE_JOIN_REQUEST,
    R_ACE_JOIN_RESPONSE,
    R_ACE_KEY_DISTRIBUTION,
    R_ACE_REKEYING,
    R_ACE_PROBLEM,
    R_ACE_AUTHZ_INFO,
    R_ACE_TOKEN_RESPONSE,
    R__COUNT
};

static const struct oscar_rule catalogue[R__COUNT + 1] = {
    [R_COAP] = {"COAP-3-WELL-FORMED", "RFC 7252 §3",
                "every datagram is a well-formed CoAP message"},
    [R_OPTION] = {"OSCORE-6.1-OPTION", "RFC 8613 §6.1, §2, §5",
                  "the OSCORE option is well-formed: no reserved flags, n < 6, minimal Partial "
                  "IV, lengths consistent, empty when all flags are zero, not repeated"},
    [R_REQUEST_FIELDS] = {"OSCORE-5-REQUEST-PIV-KID", "RFC 8613 §5",
                          "an OSCORE request carries a Partial IV and a kid"},
    [R_OUTER_CODE] = {"OSCORE-4.2-OUTER-CODE", "RFC 8613 §4.2, §4.1.3.5",
                      "the Outer Code is POST (FETCH with Observe) for requests and 2.04 (2.05 "
                      "with Observe) for responses"},
    [R_CLASS_E_OUTER] = {"OSCORE-4.1-CLASS-E-OUTER", "RFC 8613 §4.1.1, §4.1.2",
                         "no Class E option appears in the outer message"},
    [R_NONCE_REUSE] = {"OSCORE-7.2-NONCE-REUSE", "RFC 8613 §7.2, §5.2",
                       "no AEAD (key, nonce) pair protects two different messages"},
    [R_REPLAY_ANSWERED] = {"OSCORE-7.4-REPLAY-ANSWERED", "RFC 8613 §7.4, §8.2 step 3",
                           "a request whose Partial IV was already received (not a CoAP "
                           "retransmission) gets no successful response"},
    [R_UNDECRYPTABLE] = {"OSCORE-8-VERIFIES", "RFC 8613 §8.1, §8.3",
                         "every OSCORE message verifies with the contexts of the test"},
    [R_SUCCESS_PROTECTED] =
        {"OSCORE-8.3-SUCCESS-PROTECTED", "RFC 8613 §8.3, §8.2",
         "a successful (2.xx) response to an OSCORE request is OSCORE-protected; "
         "only the errors of §8.2 go unprotected"},
    [R_NOTIFICATION_PIV] = {"OSCORE-4.1.3.5-RESPONSE-PIV", "RFC 8613 §4.1.3.5, §8.3.1",
                            "every response to an Observe registration but the first carries its "
                            "own Partial IV"},
    [R_CLASS_U_INNER] = {"OSCORE-4.1-CLASS-U-INNER", "RFC 8613 §4.1.2, §4.1.3.2, §4.1.3.3",
                         "no Class U option (Uri-Host, Uri-Port, Proxy-Uri, Proxy-Scheme, OSCORE) "
                         "is encrypted inside"},
    [R_OBSERVE] = {"OSCORE-4.1.3.5-OBSERVE", "RFC 8613 §4.1.3.5.1, §4.1.3.5.2",
                   "a request carries the same Observe value inside and outside; a notification's "
                   "inner Observe is empty"},
    [R_PIV_ORDER] = {"OSCORE-7.2-PIV-INCREASING", "RFC 8613 §3.1, §3.2.2, §7.2.1",
                     "a sender's Partial IVs increase: each new message carrying one has a higher "
                     "Partial IV than every earlier message of the same Sender Context"},
    [R_REPLAY_WINDOW] = {"OSCORE-7.4-REPLAY-WINDOW", "RFC 8613 §7.4, §3.2.2, §8.2 steps 3 and 6",
                         "the recipient's replay window, modelled from the trace: a request older "
                         "than the window gets no successful response, and a request the window "
                         "has not seen is not rejected as \"Replay detected\""},
    [R_OUTER_MAX_AGE] = {"OSCORE-4.1.3.1-OUTER-MAX-AGE", "RFC 8613 §4.1.3.1, §4.1.2",
                         "an Outer Max-Age is 0: the end-to-end Max-Age is encrypted (Class E), "
                         "the outer one only keeps intermediaries from caching OSCORE errors"},
    [R__COUNT] = {NULL, NULL, NULL},
    [R_ACE_JOIN_REQUEST] =
        {"ACE-9594-4.3.1-JOIN-REQUEST", "RFC 9594 §4.3.1; draft-ietf-ace-key-groupcomm-oscore §6.1",
         "a Join Request (POST /ace-group/GROUPNAME, application/ace-groupcomm+cbor) "
         "carries scope (one AIF entry with roles a member may ask for) and "
         "cnonce, each parameter once and of its type"},
    [R_ACE_JOIN_RESPONSE] = {"ACE-KGO-6.3-JOIN-RESPONSE",
                             "draft-ietf-ace-key-groupcomm-oscore §6.3; RFC 9594 §4.3.1",
                             "a successful Join Response carries gkty, key (with group_SenderId "
                             "unless the node joined only as monitor), num, ace_groupcomm_profile, "
                             "exi, kdc_cred, kdc_nonce and kdc_cred_verify of their types, and "
                             "Location-Path ace-group/GROUPNAME/nodes/NODENAME"},
    [R_ACE_KEY_DISTRIBUTION] = {"ACE-KGO-9.1.1-KEY-DISTRIBUTION",
                                "draft-ietf-ace-key-groupcomm-oscore §9.1.1; RFC 9594 §4.3.2",
                                "a Key Distribution response (GET /ace-group/GROUPNAME) carries "
                                "gkty, key without group_SenderId, num, ace_groupcomm_profile and "
                                "exi"},
    [R_ACE_REKEYING] = {"ACE-KGO-11.1-REKEYING", "draft-ietf-ace-key-groupcomm-oscore §11.1",
                        "a rekeying message (a POST of application/ace-groupcomm+cbor to a "
                        "member) carries the new key (ms, contextId), num, exi and "
                        "stale_node_ids"},
    [R_ACE_AUTHZ_INFO] = {"ACE-9203-4.2-AUTHZ-INFO", "RFC 9203 §4.1, §4.2; RFC 9594 §3.3",
                          "a 2.01 answer to POST /authz-info is an application/ace+cbor map: "
                          "nonce2 and ace_server_recipientid together (the latter not equal to "
                          "the client's ace_client_recipientid), kdcchallenge a byte string"},
    [R_ACE_TOKEN_RESPONSE] = {"ACE-9200-5.8.2-TOKEN-RESPONSE",
                              "RFC 9200 §5.8.2; draft-ietf-ace-key-groupcomm-oscore §3",
                              "a 2.01 answer to POST /token carries access_token (bstr) and "
                              "expires_in (uint), each once"},
    [R_ACE_PROBLEM] = {"ACE-9594-4.1.2-PROBLEM-DETAILS", "RFC 9594 §4.1.2, §9; RFC 9290",
                       "an error in application/concise-problem-details+cbor carries the "
                       "ace-groupcomm-error entry {error-id: int} with a registered error-id"},
};

const struct oscar_rule *oscar_rules(void)
{
    return catalogue;
}

struct sink {
    struct oscar_violation *out;
    size_t cap;
    size_t n;
};

static void add(struct sink *s, int rule, size_t msg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(struct sink *s, int rule, size_t msg, const char *fmt, ...)
{
    if (s->n == s->cap) {
        return;
    }
    struct oscar_violation *v = &s->out[s->n++];
    v->rule = &catalogue[rule];
    v->msg = msg;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
    va_end(ap);
}

/* is_retransmission: an earlier datagram with the same bytes between the same endpoints. */
static bool is_retransmission(const struct oscar_transcript *t, size_t i)
{
    return t->msgs[i].first_copy != (long)i;
}

/* check_response_piv applies §4.1.3.5 to response i, which has `earlier` OSCORE responses (not
 * retransmissions) to the same request before it: when that request was an Observe registration,
 * only the first response on the wire may go without its own Partial IV. */
static void check_response_piv(struct sink *s, const struct oscar_transcript *t, size_t i,
                               size_t earlier)
{
    const struct oscar_decoded *d = &t->msgs[i];
    if (d->is_request || d->request < 0 || is_retransmission(t, i)) {
        return;
    }
    const struct oscar_decoded *q = &t->msgs[d->request];
    if (!q->oscore || !q->observe) {
        return;
    }
    struct oscar_coap_msg m;
    struct oscar_oscore_option o;
    if (earlier > 0 && oscar_oscore_peek(&m, &o, d->wire, d->wire_len) == OSCAR_OSCORE_ACCEPT &&
        o.piv_len == 0) {
        add(s, R_NOTIFICATION_PIV, i,
            "response %zu to the registration in frame %zu has no Partial IV", earlier + 1,
            q->frame);
    }
}

/* check_inner applies the rules about what is inside a decrypted message: no Class U option,
 * and the Observe relations of §4.1.3.5. */
static void check_ace(struct sink *s, const struct oscar_transcript *t, size_t i,
                      const struct oscar_coap_msg *m);

static void check_inner(struct sink *s, const struct oscar_transcript *t, size_t i)
{
    const struct oscar_decoded *d = &t->msgs[i];
    struct oscar_coap_msg inner;
    struct oscar_coap_msg outer;
    size_t off;
    if (oscar_coap_parse(&inner, &off, d->plain, d->plain_len) != OSCAR_COAP_WELL_FORMED ||
        oscar_coap_parse(&outer, &off, d->wire, d->wire_len) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    /* The decrypted message merges the outer Class U options back in; what was encrypted is
     * what the merged message has beyond the outer ones. */
    for (size_t k = 0; k < inner.num_options; k++) {
        uint16_t num = inner.options[k].number;
        if (oscar_oscore_option_class(num) == OSCAR_OPTION_CLASS_U &&
            oscar_coap_count_option(&inner, num) > oscar_coap_count_option(&outer, num)) {
            add(s, R_CLASS_U_INNER, i, "Class U option %u encrypted inside", num);
            break;
        }
    }
    const struct oscar_coap_option *in_obs = oscar_coap_find_option(&inner, OSCAR_COAP_OPT_OBSERVE);
    const struct oscar_coap_option *out_obs =
        oscar_coap_find_option(&outer, OSCAR_COAP_OPT_OBSERVE);
    if (d->is_request && in_obs != NULL &&
        (out_obs == NULL || out_obs->len != in_obs->len ||
         (in_obs->len && memcmp(out_obs->value, in_obs->value, in_obs->len) != 0))) {
        add(s, R_OBSERVE, i, "Observe inside and outside differ");
    }
    /* a response's decrypted Observe is rewritten from its Partial IV by the decoder, so the
     * inner value is read from the plaintext: it must be empty */
    if (!d->is_request && in_obs != NULL && d->inner_observe_len > 0) {
        add(s, R_OBSERVE, i, "a notification's inner Observe is not empty");
    }
    check_ace(s, t, i, &inner);
}

/* same_ciphertext compares the OSCORE payloads (ciphertext and tag) of two messages. */
static bool same_ciphertext(const struct oscar_decoded *a, const struct oscar_decoded *b)
{
    struct oscar_coap_msg ma;
    struct oscar_coap_msg mb;
    size_t off;
    if (oscar_coap_parse(&ma, &off, a->wire, a->wire_len) != OSCAR_COAP_WELL_FORMED ||
        oscar_coap_parse(&mb, &off, b->wire, b->wire_len) != OSCAR_COAP_WELL_FORMED) {
        return false;
    }
    return ma.payload_len == mb.payload_len &&
           (ma.payload_len == 0 || memcmp(ma.payload, mb.payload, ma.payload_len) == 0);
}

/* outer_max_age_nonzero: m carries an outer Max-Age whose value is not 0 (§4.1.3.1). */
static bool outer_max_age_nonzero(const struct oscar_coap_msg *m)
{
    const struct oscar_coap_option *ma = oscar_coap_find_option(m, OSCAR_COAP_OPT_MAX_AGE);
    for (size_t k = 0; ma != NULL && k < ma->len; k++) {
        if (ma->value[k] != 0) {
            return true;
        }
    }
    return false;
}

static void check_outer(struct sink *s, const struct oscar_decoded *d, size_t i)
{
    struct oscar_coap_msg m;
    struct oscar_oscore_option o;
    enum oscar_oscore_verdict pv = oscar_oscore_peek(&m, &o, d->wire, d->wire_len);
    if (pv == OSCAR_OSCORE_DECODE_FAILED) {
        const struct oscar_coap_option *opt = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE);
        enum oscar_oscore_option_rule r =
            opt != NULL ? oscar_oscore_option_decode(&o, opt->value, opt->len, false)
                        : OSCAR_OSCORE_OPTION_OK;
        if (oscar_coap_count_option(&m, OSCAR_COAP_OPT_OSCORE) > 1) {
            add(s, R_OPTION, i, "the OSCORE option is repeated");
        } else if (r != OSCAR_OSCORE_OPTION_OK) {
            add(s, R_OPTION, i, "%s", oscar_oscore_option_rule_str(r));
        } else {
            add(s, R_OPTION, i, "OSCORE message without payload (ciphertext)");
        }
        return;
    }
    if (d->is_request && (o.piv_len == 0 || !o.has_kid)) {
        add(s, R_REQUEST_FIELDS, i, "request without %s", o.piv_len == 0 ? "Partial IV" : "kid");
    }
    bool outer_observe = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OBSERVE) != NULL;
    uint8_t want;
    if (d->is_request) {
        want = outer_observe ? OSCAR_COAP_CODE_FETCH : OSCAR_COAP_CODE_POST;
    } else {
        want = outer_observe ? OSCAR_COAP_CODE_CONTENT : OSCAR_COAP_CODE_CHANGED;
    }
    /* §8.2 errors are not OSCORE messages; an OSCORE response carries one of the two codes */
    if (d->code != want) {
        add(s, R_OUTER_CODE, i, "Outer Code %u.%02u, expected %u.%02u",
            OSCAR_COAP_CODE_CLASS(d->code), OSCAR_COAP_CODE_DETAIL(d->code),
            OSCAR_COAP_CODE_CLASS(want), OSCAR_COAP_CODE_DETAIL(want));
    }
    for (size_t k = 0; k < m.num_options; k++) {
        uint16_t num = m.options[k].number;
        if (oscar_oscore_option_class(num) == OSCAR_OPTION_CLASS_E) {
            add(s, R_CLASS_E_OUTER, i, "Class E option %u in the outer message", num);
            break;
        }
    }
    if (outer_max_age_nonzero(&m)) {
        add(s, R_OUTER_MAX_AGE, i, "OSCORE message with a non-zero Outer Max-Age");
    }
}

static bool same_key_nonce(const struct oscar_transcript *t, size_t a, size_t b)
{
    const struct oscar_decoded *x = &t->msgs[a];
    const struct oscar_decoded *y = &t->msgs[b];
    return x->key_id == y->key_id && x->nonce_len == y->nonce_len &&
           memcmp(x->nonce, y->nonce, x->nonce_len) == 0;
}

static uint64_t key_nonce_hash(const struct oscar_decoded *d)
{
    return oscar_hash_bytes(OSCAR_HASH_SEED + d->key_id, d->nonce, d->nonce_len);
}

/* same_request_piv: two requests read with the same context and the same Partial IV. */
static bool same_request_piv(const struct oscar_transcript *t, size_t a, size_t b)
{
    const struct oscar_decoded *x = &t->msgs[a];
    const struct oscar_decoded *y = &t->msgs[b];
    return x->context == y->context && x->request_piv_len == y->request_piv_len &&
           memcmp(x->request_piv, y->request_piv, x->request_piv_len) == 0;
}

static uint64_t request_piv_hash(const struct oscar_decoded *d)
{
    uint8_t c[4] = {(uint8_t)(d->context >> 24), (uint8_t)(d->context >> 16),
                    (uint8_t)(d->context >> 8), (uint8_t)d->context};
    return oscar_hash_bytes(oscar_hash_bytes(OSCAR_HASH_SEED, c, sizeof(c)), d->request_piv,
                            d->request_piv_len);
}

/* struct links holds what the rules look up across the transcript, built in one pass: the
 * responses to each request in order, how many OSCORE responses came before each response to
 * the same request, and the indexes of first uses of a (key, nonce) and of a request Partial IV. */
struct links {
    long *first_resp; /* per request: its first response, -1 */
    long *next_resp;  /* per response: the next response to the same request, -1 */
    size_t
        *earlier;   /* per response: OSCORE responses (not retransmissions) to its request before */
    long *distinct; /* per first use of a key and nonce: the first message under them with another
                       ciphertext, -1 */
    struct oscar_msg_index nonces;
    struct oscar_msg_index pivs;
};

static void links_free(struct links *l)
{
    free(l->first_resp);
    free(l->next_resp);
    free(l->earlier);
    free(l->distinct);
    oscar_msg_index_free(&l->nonces);
    oscar_msg_index_free(&l->pivs);
}

static bool links_build(struct links *l, const struct oscar_transcript *t)
{
    size_t n = t->num_msgs + 1;
    memset(l, 0, sizeof(*l));
    l->first_resp = malloc(n * sizeof(long));
    l->next_resp = malloc(n * sizeof(long));
    l->earlier = calloc(n, sizeof(size_t));
    l->distinct = malloc(n * sizeof(long));
    long *last_resp = malloc(n * sizeof(long)); /* per request, while building */
    size_t *count = calloc(n, sizeof(size_t));  /* per request, while building */
    bool ok = l->first_resp != NULL && l->next_resp != NULL && l->earlier != NULL &&
              l->distinct != NULL && last_resp != NULL && count != NULL &&
              oscar_msg_index_init(&l->nonces, t->num_msgs) == OSCAR_OK &&
              oscar_msg_index_init(&l->pivs, t->num_msgs) == OSCAR_OK;
    for (size_t i = 0; ok && i < n; i++) {
        l->first_resp[i] = l->next_resp[i] = last_resp[i] = l->distinct[i] = -1;
    }
    for (size_t i = 0; ok && i < t->num_msgs; i++) {
        const struct oscar_decoded *d = &t->msgs[i];
        if (d->is_request || d->request < 0) {
            continue;
        }
        size_t q = (size_t)d->request;
        l->earlier[i] = count[q];
        count[q] += d->oscore && !is_retransmission(t, i);
        if (last_resp[q] < 0) {
            l->first_resp[q] = (long)i;
        } else {
            l->next_resp[last_resp[q]] = (long)i;
        }
        last_resp[q] = (long)i;
    }
    free(last_resp);
    free(count);
    return ok;
}

/* check_nonce_reuse: a different ciphertext under a (key, nonce) pair already used (§7.2).
 * *first says whether message i is the first use of its key and nonce (not a copy of an earlier
 * message, not a reuse). */
static bool check_nonce_reuse(struct sink *s, struct links *l, const struct oscar_transcript *t,
                              size_t i, bool *first)
{
    const struct oscar_decoded *d = &t->msgs[i];
    uint64_t h = key_nonce_hash(d);
    long e;
    *first = false;
    if (oscar_msg_index_first(&l->nonces, h, t, i, same_key_nonce, &e) != OSCAR_OK) {
        return false;
    }
    if (e == (long)i) {
        *first = true;
        return true;
    }
    /* the same ciphertext again is a replay or retransmission (other rules) */
    long other = -1;
    if (!same_ciphertext(&t->msgs[e], d)) {
        other = e;
        if (l->distinct[e] < 0) {
            l->distinct[e] = (long)i;
        }
    } else {
        other = l->distinct[e];
    }
    if (other >= 0) {
        add(s, R_NONCE_REUSE, i, "same key and nonce as frame %zu", t->msgs[other].frame);
    }
    return true;
}

/* struct order holds, per Sender Context (decoding context index), the highest Partial IV seen
 * and the message that carried it: the sender's side for R_PIV_ORDER, the recipient's replay
 * window top for R_REPLAY_WINDOW. */
struct order {
    bool any;
    uint64_t top;
    size_t at;
};

/* reordered: message i may have overtaken message at on the way (less than tolerance apart). */
static bool reordered(const struct oscar_transcript *t, uint64_t tolerance, size_t i, size_t at)
{
    uint64_t a = t->msgs[at].usec;
    uint64_t b = t->msgs[i].usec;
    return tolerance > 0 && (b < a || b - a <= tolerance);
}

/* check_piv_order: a new message of a sender (first use of its key and nonce) carries a Partial
 * IV below one the same sender already sent (§7.2.1: the Sender Sequence Number only grows). */
static void check_piv_order(struct sink *s, struct order *st, const struct oscar_transcript *t,
                            const struct oscar_rules_opts *o, size_t i)
{
    const struct oscar_decoded *d = &t->msgs[i];
    if (d->piv_len == 0 || d->context < 0 || d->context >= OSCAR_DECODE_MAX_CONTEXTS) {
        return;
    }
    struct order *so = &st[d->context];
    if (so->any && d->piv < so->top && !reordered(t, o->sender_reorder_usec, i, so->at)) {
        add(s, R_PIV_ORDER, i, "Partial IV %llu after Partial IV %llu in frame %zu",
            (unsigned long long)d->piv, (unsigned long long)so->top, t->msgs[so->at].frame);
    }
    if (!so->any || d->piv > so->top) {
        so->any = true;
        so->top = d->piv;
        so->at = i;
    }
}

enum reply { REPLY_NONE, REPLY_SUCCESS, REPLY_REJECTED, REPLY_REPLAY_DETECTED };

/* reply_to says how request q was answered: a success (a 2.xx inside or an unprotected one), an
 * unprotected error (REPLY_REPLAY_DETECTED when it is 4.01 "Replay detected", §8.2 step 3), or
 * nothing; *at is the deciding response. */
static enum reply reply_to(const struct links *l, const struct oscar_transcript *t, size_t q,
                           long *at)
{
    enum reply best = REPLY_NONE;
    for (long r = l->first_resp[q]; r >= 0; r = l->next_resp[r]) {
        const struct oscar_decoded *resp = &t->msgs[r];
        struct oscar_coap_msg m;
        size_t off;
        if (resp->oscore) {
            if (resp->verdict == OSCAR_OSCORE_ACCEPT &&
                oscar_coap_parse(&m, &off, resp->plain, resp->plain_len) ==
                    OSCAR_COAP_WELL_FORMED &&
                OSCAR_COAP_CODE_CLASS(m.code) == 2) {
                *at = r;
                return REPLY_SUCCESS;
            }
            continue;
        }
        if (OSCAR_COAP_CODE_CLASS(resp->code) == 2) {
            *at = r;
            return REPLY_SUCCESS;
        }
        if (best == REPLY_NONE && OSCAR_COAP_CODE_CLASS(resp->code) >= 4) {
            static const char replay[] = "Replay detected";
            bool rd =
                resp->code == OSCAR_COAP_CODE(4, 1) &&
                oscar_coap_parse(&m, &off, resp->wire, resp->wire_len) == OSCAR_COAP_WELL_FORMED &&
                m.payload_len == sizeof(replay) - 1 &&
                memcmp(m.payload, replay, m.payload_len) == 0;
            best = rd ? REPLY_REPLAY_DETECTED : REPLY_REJECTED;
            *at = r;
        }
    }
    return best;
}

/* check_window models the recipient's replay window for a request whose Partial IV it has not
 * received before (§7.4): the top moves with every request the server did not reject. */
static void check_window(struct sink *s, struct order *win, const struct links *l,
                         const struct oscar_transcript *t, const struct oscar_rules_opts *o,
                         size_t i)
{
    const struct oscar_decoded *d = &t->msgs[i];
    if (d->piv_len == 0 || d->context >= OSCAR_DECODE_MAX_CONTEXTS) {
        return;
    }
    struct order *w = &win[d->context];
    long r = -1;
    enum reply how = reply_to(l, t, i, &r);
    uint64_t size = t->replay_window[d->context] ? t->replay_window[d->context] : o->replay_window;
    bool old =
        w->any && d->piv + size <= w->top && !reordered(t, o->receiver_reorder_usec, i, w->at);
    if (old && how == REPLY_SUCCESS) {
        add(s, R_REPLAY_WINDOW, (size_t)r,
            "frame %zu has Partial IV %llu, below the replay window (top %llu in frame %zu, size "
            "%llu), and got a 2.xx",
            d->frame, (unsigned long long)d->piv, (unsigned long long)w->top, t->msgs[w->at].frame,
            (unsigned long long)o->replay_window);
    }
    if (!old && w->any && how == REPLY_REPLAY_DETECTED) {
        add(s, R_REPLAY_WINDOW, (size_t)r,
            "frame %zu has Partial IV %llu, never received and within the replay window (top "
            "%llu in frame %zu), and was rejected as a replay",
            d->frame, (unsigned long long)d->piv, (unsigned long long)w->top, t->msgs[w->at].frame);
    }
    if (how != REPLY_REJECTED && how != REPLY_REPLAY_DETECTED && (!w->any || d->piv > w->top)) {
        w->any = true;
        w->top = d->piv;
        w->at = i;
    }
}

/* check_replay_answered: request i repeats the context and Partial IV of an earlier request (a
 * replay, not a retransmission) and one of its responses is a success (§7.4); a request with a
 * Partial IV not seen before goes to the window model. */
static bool check_replay_answered(struct sink *s, struct links *l, struct order *win,
                                  const struct oscar_transcript *t,
                                  const struct oscar_rules_opts *o, size_t i)
{
    const struct oscar_decoded *d = &t->msgs[i];
    uint64_t h = request_piv_hash(d);
    long e;
    if (oscar_msg_index_first(&l->pivs, h, t, i, same_request_piv, &e) != OSCAR_OK) {
        return false;
    }
    if (e == (long)i) {
        check_window(s, win, l, t, o, i);
        return true;
    }
    long r = -1;
    if (reply_to(l, t, i, &r) == REPLY_SUCCESS) {
        add(s, R_REPLAY_ANSWERED, (size_t)r,
            "frame %zu replays the Partial IV of frame %zu and got %s", d->frame, t->msgs[e].frame,
            t->msgs[r].oscore ? "a 2.xx" : "an unprotected 2.xx");
    }
    return true;
}

/* check_unprotected: an unprotected answer to an OSCORE request is one of the errors of §8.2,
 * never a success, and sets Outer Max-Age to 0 if at all. */
static void check_unprotected(struct sink *s, const struct oscar_transcript *t, size_t i)
{
    const struct oscar_decoded *d = &t->msgs[i];
    if (d->request < 0 || !t->msgs[d->request].oscore) {
        return;
    }
    if (OSCAR_COAP_CODE_CLASS(d->code) == 2) {
        add(s, R_SUCCESS_PROTECTED, i, "unprotected %u.%02u to OSCORE request frame %zu",
            OSCAR_COAP_CODE_CLASS(d->code), OSCAR_COAP_CODE_DETAIL(d->code),
            t->msgs[d->request].frame);
        return;
    }
    struct oscar_coap_msg m;
    size_t off;
    if (OSCAR_COAP_CODE_CLASS(d->code) >= 4 &&
        oscar_coap_parse(&m, &off, d->wire, d->wire_len) == OSCAR_COAP_WELL_FORMED &&
        outer_max_age_nonzero(&m)) {
        add(s, R_OUTER_MAX_AGE, i, "unprotected OSCORE error with a non-zero Max-Age");
    }
}

/* --- ACE Group Manager messages (RFC 9594, key-groupcomm-oscore), read from the decrypted or
 * plain CoAP --- */

/* content_format returns the Content-Format of m, or -1. */
static long content_format(const struct oscar_coap_msg *m)
{
    const struct oscar_coap_option *o = oscar_coap_find_option(m, OSCAR_COAP_OPT_CONTENT_FORMAT);
    uint32_t v;
    if (o == NULL || o->len > 2 || !oscar_coap_uint_decode(&v, o->value, o->len)) {
        return -1;
    }
    return (long)v;
}

/* group_path: path is "ace-group/NAME" (segments 2) and NAME goes to name. */
static bool group_path(const char *path, size_t segs, char *name, size_t cap)
{
    size_t n = strlen(path);
    if (segs != 2 || n <= 10 || n - 10 >= cap || strncmp(path, "ace-group/", 10) != 0) {
        return false;
    }
    memcpy(name, path + 10, n - 10 + 1);
    return true;
}

static void check_ace_problem(struct sink *s, const struct oscar_coap_msg *m, size_t i)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it, k, v;
    int64_t label;
    bool found = false;
    oscar_cbor_reader_init(&r, m->payload, m->has_payload ? m->payload_len : 0);
    if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_MAP) {
        add(s, R_ACE_PROBLEM, i, "problem details: %s", r.error[0] ? r.error : "not a map");
        return;
    }
    for (uint64_t e = 0; e < it.value; e++) {
        if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label)) {
            add(s, R_ACE_PROBLEM, i, "problem details: entry %llu: a key that is no integer",
                (unsigned long long)e);
            return;
        }
        if (label != OSCAR_ACE_PROBLEM_KEY) {
            if (!oscar_cbor_skip(&r)) {
                add(s, R_ACE_PROBLEM, i, "problem details: %s", r.error);
                return;
            }
            continue;
        }
        int64_t id;
        if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_MAP || v.value != 1 ||
            !oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label) || label != 0 ||
            !oscar_cbor_read(&r, &v) || !oscar_cbor_int(&v, &id)) {
            add(s, R_ACE_PROBLEM, i,
                "ace-groupcomm-error (key %d) at byte %zu: not {0 (error-id): int}",
                OSCAR_ACE_PROBLEM_KEY, r.pos);
            return;
        }
        if (id < 0 || id > 12) {
            add(s, R_ACE_PROBLEM, i, "error-id %lld is not registered (0-12)", (long long)id);
        }
        found = true;
    }
    if (!found) {
        add(s, R_ACE_PROBLEM, i, "no ace-groupcomm-error entry (key %d)", OSCAR_ACE_PROBLEM_KEY);
    } else if (r.pos != r.len) {
        add(s, R_ACE_PROBLEM, i, "%zu bytes after the problem details", r.len - r.pos);
    }
}

/* uri_path_is: request q's Uri-Path is want. */
static bool uri_path_is(const struct oscar_coap_msg *q, const char *want)
{
    char path[160];
    oscar_coap_path(q, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
    return strcmp(path, want) == 0;
}

/* check_ace_oauth: the application/ace+cbor 2.01 answers to POST /authz-info and /token. */
static void check_ace_oauth(struct sink *s, const struct oscar_transcript *t, size_t i,
                            const struct oscar_coap_msg *m)
{
    const struct oscar_decoded *d = &t->msgs[i];
    struct oscar_coap_msg q;
    size_t off;
    const uint8_t *p = m->has_payload ? m->payload : NULL;
    size_t len = m->has_payload ? m->payload_len : 0;
    char why[256] = "";
    if (d->request < 0 ||
        oscar_coap_parse(&q, &off, t->msgs[d->request].plain, t->msgs[d->request].plain_len) !=
            OSCAR_COAP_WELL_FORMED) {
        return;
    }
    if (uri_path_is(&q, "authz-info")) {
        struct oscar_ace_authz_response ar;
        if (!oscar_ace_authz_response_read(p, len, &ar, why, sizeof(why))) {
            add(s, R_ACE_AUTHZ_INFO, i, "%s", why);
            return;
        }
        /* ID2 must differ from the request's ace_client_recipientid (RFC 9203 §4.2) */
        struct oscar_cbor_reader r;
        struct oscar_cbor_item it, k, v;
        int64_t label;
        oscar_cbor_reader_init(&r, q.payload, q.has_payload ? q.payload_len : 0);
        bool map = oscar_cbor_read(&r, &it) && it.type == OSCAR_CBOR_MAP;
        for (uint64_t e = 0; map && ar.id2 != NULL && e < it.value; e++) {
            if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label) ||
                !oscar_cbor_read(&r, &v)) {
                break;
            }
            if (label == OSCAR_ACE_OAUTH_CLIENT_RID && v.type == OSCAR_CBOR_BSTR &&
                v.len == ar.id2_len && memcmp(v.data, ar.id2, v.len) == 0) {
                add(s, R_ACE_AUTHZ_INFO, i,
                    "ace_server_recipientid (44) equals the client's ace_client_recipientid");
            }
        }
    } else if (uri_path_is(&q, "token")) {
        struct oscar_cbor_reader r;
        struct oscar_cbor_item it, k, v;
        int64_t label;
        bool token = false, expires = false;
        oscar_cbor_reader_init(&r, p, len);
        if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_MAP) {
            add(s, R_ACE_TOKEN_RESPONSE, i, "payload: %s", r.error[0] ? r.error : "not a map");
            return;
        }
        for (uint64_t e = 0; e < it.value; e++) {
            size_t at = r.pos;
            if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label)) {
                add(s, R_ACE_TOKEN_RESPONSE, i, "entry %llu at byte %zu: %s", (unsigned long long)e,
                    at, r.error[0] ? r.error : "a key that is no integer");
                return;
            }
            bool ok;
            if (label == OSCAR_ACE_T_ACCESS_TOKEN || label == OSCAR_ACE_T_EXPIRES_IN) {
                bool *seen = label == OSCAR_ACE_T_ACCESS_TOKEN ? &token : &expires;
                ok = !*seen && oscar_cbor_read(&r, &v) &&
                     v.type ==
                         (label == OSCAR_ACE_T_ACCESS_TOKEN ? OSCAR_CBOR_BSTR : OSCAR_CBOR_UINT);
                *seen = true;
            } else {
                ok = oscar_cbor_skip(&r);
            }
            if (!ok) {
                add(s, R_ACE_TOKEN_RESPONSE, i, "%s (%lld) at byte %zu: %s",
                    label == OSCAR_ACE_T_ACCESS_TOKEN ? "access_token"
                    : label == OSCAR_ACE_T_EXPIRES_IN ? "expires_in"
                                                      : "parameter",
                    (long long)label, at, "wrong type, malformed or given twice");
                return;
            }
        }
        if (!token || !expires) {
            add(s, R_ACE_TOKEN_RESPONSE, i, "no %s",
                !token ? "access_token (1)" : "expires_in (2)");
        }
    }
}

/* join_roles reads the roles a Join Request asks for (0 when unreadable). */
static uint64_t join_roles(const struct oscar_coap_msg *rq)
{
    struct oscar_ace_join_fields f;
    struct oscar_ace_scope_entry e[1];
    if (!rq->has_payload ||
        !oscar_ace_join_request_read(rq->payload, rq->payload_len, &f, NULL, 0) ||
        f.scope == NULL || !oscar_ace_scope_entry_decode(f.scope, f.scope_len, e, NULL, 0)) {
        return 0;
    }
    return e[0].perm;
}

/* check_ace applies the ACE rules to message i, m being its plain or decrypted CoAP. */
static void check_ace(struct sink *s, const struct oscar_transcript *t, size_t i,
                      const struct oscar_coap_msg *m)
{
    const struct oscar_decoded *d = &t->msgs[i];
    long cf = content_format(m);
    if (cf == OSCAR_CF_ACE_CBOR && !d->is_request && m->code == OSCAR_COAP_CODE_CREATED) {
        check_ace_oauth(s, t, i, m);
        return;
    }
    if (cf != OSCAR_CF_ACE_GROUPCOMM_CBOR && cf != OSCAR_CF_PROBLEM_DETAILS_CBOR) {
        return;
    }
    char path[160];
    char name[OSCAR_ACE_GNAME_MAX];
    char why[256] = "";
    const uint8_t *p = m->has_payload ? m->payload : NULL;
    size_t len = m->has_payload ? m->payload_len : 0;
    if (d->is_request) {
        size_t segs = oscar_coap_path(m, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
        if (m->code != OSCAR_COAP_CODE_POST || cf != OSCAR_CF_ACE_GROUPCOMM_CBOR) {
            return;
        }
        if (group_path(path, segs, name, sizeof(name))) {
            struct oscar_ace_join_fields f;
            struct oscar_ace_scope_entry e[1];
            if (!oscar_ace_join_request_read(p, len, &f, why, sizeof(why))) {
                add(s, R_ACE_JOIN_REQUEST, i, "%s", why);
            } else if (f.scope == NULL) {
                add(s, R_ACE_JOIN_REQUEST, i, "no scope (3)");
            } else if (!oscar_ace_scope_entry_decode(f.scope, f.scope_len, e, why, sizeof(why))) {
                add(s, R_ACE_JOIN_REQUEST, i, "scope (3): %s", why);
            }
        } else if (strncmp(path, "ace-group/", 10) != 0) {
            /* to a member's control_uri: a rekeying message */
            struct oscar_ace_join_info *info = malloc(sizeof(*info));
            if (info != NULL && !oscar_ace_join_info_read(p, len, OSCAR_ACE_REKEYING, false, info,
                                                          why, sizeof(why))) {
                add(s, R_ACE_REKEYING, i, "%s", why);
            }
            free(info);
        }
        return;
    }
    if (cf == OSCAR_CF_PROBLEM_DETAILS_CBOR) {
        check_ace_problem(s, m, i);
        return;
    }
    if (d->request < 0 || OSCAR_COAP_CODE_CLASS(m->code) != 2) {
        return;
    }
    const struct oscar_decoded *q = &t->msgs[d->request];
    struct oscar_coap_msg rq;
    size_t off;
    if (oscar_coap_parse(&rq, &off, q->plain, q->plain_len) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    size_t segs = oscar_coap_path(&rq, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
    if (!group_path(path, segs, name, sizeof(name))) {
        return;
    }
    struct oscar_ace_join_info *info = malloc(sizeof(*info));
    if (info == NULL) {
        return;
    }
    if (rq.code == OSCAR_COAP_CODE_POST) {
        bool monitor = (join_roles(&rq) & 6) == 0 && join_roles(&rq) != 0;
        char loc[160];
        size_t lsegs = oscar_coap_path(m, OSCAR_COAP_OPT_LOCATION_PATH, loc, sizeof(loc));
        char want[96];
        int wn = snprintf(want, sizeof(want), "ace-group/%s/nodes/", name);
        if (!oscar_ace_join_info_read(p, len, OSCAR_ACE_JOIN_RESPONSE, monitor, info, why,
                                      sizeof(why))) {
            add(s, R_ACE_JOIN_RESPONSE, i, "%s", why);
        } else if (lsegs != 4 || wn < 0 || strncmp(loc, want, (size_t)wn) != 0) {
            add(s, R_ACE_JOIN_RESPONSE, i, "Location-Path \"%s\", not %sNODENAME", loc, want);
        }
    } else if (rq.code == OSCAR_COAP_CODE_GET &&
               !oscar_ace_join_info_read(p, len, OSCAR_ACE_KEY_DISTRIBUTION, false, info, why,
                                         sizeof(why))) {
        add(s, R_ACE_KEY_DISTRIBUTION, i, "%s", why);
    }
    free(info);
}

/* prefetch starts loading the index slots message i will probe (if it exists), a few messages
 * ahead: the indexes of a large capture are far larger than the caches. */
#define PREFETCH_AHEAD 8
static void prefetch(const struct links *l, const struct oscar_transcript *t, size_t i)
{
    if (i >= t->num_msgs) {
        return;
    }
    const struct oscar_decoded *d = &t->msgs[i];
    if (d->has_key_nonce) {
        oscar_msg_index_prefetch(&l->nonces, key_nonce_hash(d));
    }
    if (d->is_request && d->context >= 0) {
        oscar_msg_index_prefetch(&l->pivs, request_piv_hash(d));
    }
}

enum oscar_err oscar_rules_check(struct oscar_violation *out, size_t cap, size_t *out_n,
                                 const struct oscar_transcript *t,
                                 const struct oscar_rules_opts *opts)
{
    static const struct oscar_rules_opts defaults = {0, 0, OSCAR_RULES_DEFAULT_REPLAY_WINDOW};
    const struct oscar_rules_opts *o = opts != NULL ? opts : &defaults;
    struct order sent[OSCAR_DECODE_MAX_CONTEXTS] = {0};
    struct order win[OSCAR_DECODE_MAX_CONTEXTS] = {0};
    struct sink s = {out, cap, 0};
    struct links l;
    *out_n = 0;
    if (!links_build(&l, t)) {
        links_free(&l);
        return OSCAR_ERR_NOMEM;
    }
    bool mem_ok = true;
    for (size_t i = 0; i < t->num_msgs && mem_ok; i++) {
        prefetch(&l, t, i + PREFETCH_AHEAD);
        const struct oscar_decoded *d = &t->msgs[i];
        if (d->coap_rule != OSCAR_COAP_WELL_FORMED) {
            add(&s, R_COAP, i, "%s at byte %zu", oscar_coap_rule_str(d->coap_rule),
                (size_t)d->coap_offset);
            continue;
        }
        if (!d->oscore) {
            check_unprotected(&s, t, i);
            struct oscar_coap_msg m;
            size_t off;
            if (oscar_coap_parse(&m, &off, d->plain, d->plain_len) == OSCAR_COAP_WELL_FORMED) {
                check_ace(&s, t, i, &m);
            }
            continue;
        }
        bool retrans = is_retransmission(t, i);
        check_response_piv(&s, t, i, l.earlier[i]);
        check_outer(&s, d, i);
        if (d->verdict == OSCAR_OSCORE_DECRYPT_FAILED || d->verdict == OSCAR_OSCORE_NO_CONTEXT) {
            add(&s, R_UNDECRYPTABLE, i, "%s", oscar_oscore_verdict_str(d->verdict));
        }
        if (d->verdict == OSCAR_OSCORE_ACCEPT) {
            check_inner(&s, t, i);
        }
        bool first = false;
        if (d->has_key_nonce && !retrans) {
            mem_ok = check_nonce_reuse(&s, &l, t, i, &first);
        }
        if (first) {
            check_piv_order(&s, sent, t, o, i);
        }
        if (mem_ok && d->is_request && d->context >= 0 && !retrans) {
            mem_ok = check_replay_answered(&s, &l, win, t, o, i);
        }
    }
    links_free(&l);
    *out_n = s.n;
    return mem_ok ? OSCAR_OK : OSCAR_ERR_NOMEM;
}
