/* gjudge.c — judging a Group OSCORE scenario from its capture alone (gjudge.h): every group
 * message decoded by the reference core with the keys of the member that received it, responses
 * bound to their request by token and client, each step's responders compared with the
 * expected set, and the group trace rules applied to the whole capture. */
#include "gjudge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct gj_rule RULES[] = {
    {"GOSC-7-VERIFIES", "RFC 10021 §7.2, §7.4, §8.2, §8.4",
     "every Group OSCORE message a member sends verifies with the group's keys (countersignature "
     "and AEAD tag in group mode, pairwise keys in pairwise mode)"},
    {"GOSC-2.5.3-PIV-ONCE", "RFC 10021 §2.5.3, §3.3; RFC 8613 §7.2",
     "a sender uses each Partial IV once, in group and pairwise mode alike (one Sender Sequence "
     "Number for both)"},
    {"GOSC-5.3-REPLAY-ANSWERED", "RFC 10021 §5.3; RFC 8613 §7.4; RFC 7252 §4.5",
     "a server answers a request (its sender and Partial IV) once: a replay or duplicate gets "
     "no second response"},
    {"GOSC-3.2-RESPONSE-KID", "RFC 10021 §3.2",
     "a response to a group-mode request carries the responder's kid"},
    {"GOSC-7-NO-ERROR-RESPONSE", "RFC 10021 §7, §9",
     "a server does not answer a group-mode request with an error response (but for the 4.01 "
     "with an Echo challenge of §9)"},
    {"GOSC-7.2-UNVERIFIED-ANSWERED", "RFC 10021 §7.2, §8.2",
     "a request that does not verify gets no (successful) response"},
    {"GOSC-9-ECHO-PIV", "RFC 10021 §9, §5.3.1",
     "a 4.01 with an Echo challenge carries the server's own Partial IV"},
    {"GOSC-9-ECHO-UNICAST-PAIRWISE", "RFC 10021 §9",
     "a request that echoes a server's Echo value goes to that server alone, in pairwise mode "
     "when the group has it"},
    {NULL, NULL, NULL},
};

enum {
    R_VERIFIES,
    R_PIV_ONCE,
    R_REPLAY_ANSWERED,
    R_RESPONSE_KID,
    R_NO_ERROR,
    R_UNVERIFIED,
    R_ECHO_PIV,
    R_ECHO
};

const struct gj_rule *gj_rules(void)
{
    return RULES;
}

static int node_at(const struct gj_keys *k, const struct oscar_endpoint *e)
{
    for (size_t i = 0; i < k->s->num_nodes; i++) {
        if (k->known[i] && oscar_endpoint_equal(&k->real[i], e)) {
            return (int)i;
        }
    }
    return -1;
}

/* epoch_for finds the group epoch whose Gid is gid. */
static int epoch_for(const struct gj_keys *k, const uint8_t *gid, size_t gid_len, size_t *group)
{
    for (size_t e = 0; e < k->num_epochs; e++) {
        const struct gj_epoch *ep = &k->epochs[e];
        if (ep->gid_len == gid_len && memcmp(ep->gid, gid, gid_len) == 0) {
            *group = ep->group;
            return (int)e;
        }
    }
    return -1;
}

/* ctx_of is the context of node n in epoch e, or NULL when n is not in that group. */
static struct oscar_group_ctx *ctx_of(struct gj_keys *k, size_t e, size_t n)
{
    return k->have[e][n] ? &k->ctx[e][n] : NULL;
}

static void violation(struct gj_result *r, int rule, size_t msg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void violation(struct gj_result *r, int rule, size_t msg, const char *fmt, ...)
{
    for (size_t i = 0; i < r->num_allowed; i++) {
        if (strcmp(r->allowed[i], RULES[rule].id) == 0) {
            return;
        }
    }
    if (r->num_violations == GJ_MAX_VIOLATIONS) {
        return;
    }
    struct gj_violation *v = &r->violations[r->num_violations++];
    v->rule = &RULES[rule];
    v->msg = msg;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
    va_end(ap);
}

static bool code_is_error(uint8_t code)
{
    return OSCAR_COAP_CODE_CLASS(code) >= 4;
}

/* read_inner keeps the decrypted code and Echo value of a verified message. */
static void read_inner(struct gj_msg *m, const uint8_t *dec, size_t dn)
{
    struct oscar_coap_msg cm;
    size_t off;
    if (oscar_coap_parse(&cm, &off, dec, dn) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    m->inner_code = cm.code;
    const struct oscar_coap_option *e = oscar_coap_find_option(&cm, OSCAR_COAP_OPT_ECHO);
    if (e != NULL && e->len <= sizeof(m->echo)) {
        memcpy(m->echo, e->value, e->len);
        m->echo_len = e->len;
    }
}

/* decode_request verifies request i with the context of a member that received it. */
static void decode_request(struct gj_keys *k, struct gj_msg *m, const struct oscar_decoded *d,
                           const struct oscar_oscore_option *o)
{
    size_t group;
    int e = o->has_kid_context ? epoch_for(k, o->kid_context, o->kid_context_len, &group) : -1;
    m->verdict = OSCAR_OSCORE_NO_CONTEXT;
    if (e < 0) {
        return;
    }
    m->epoch = e;
    m->pairwise_set = k->s->groups[group].pairwise;
    int dst = node_at(k, &d->dst);
    struct oscar_group_ctx *ctx = NULL;
    if (dst >= 0) {
        ctx = ctx_of(k, (size_t)e, (size_t)dst);
    }
    for (size_t n = 0; ctx == NULL && n < k->s->num_nodes; n++) {
        if ((int)n != m->src) {
            ctx = ctx_of(k, (size_t)e, n);
        }
    }
    if (ctx == NULL) {
        return;
    }
    struct oscar_group_recipient *who;
    uint8_t dec[2 * GJ_MSG_MAX + 8];
    size_t dn = 0;
    if (oscar_group_unprotect_request(ctx, &m->verdict, &who, dec, sizeof(dec), &dn, &m->ex,
                                      d->wire, d->wire_len) != OSCAR_OK) {
        m->verdict = OSCAR_OSCORE_DECODE_FAILED;
    }
    if ((m->verdict == OSCAR_OSCORE_ACCEPT || m->verdict == OSCAR_OSCORE_FRESHNESS_REQUIRED) &&
        dn > 1) {
        read_inner(m, dec, dn);
    }
}

/* decode_response verifies response i with the client's context and the exchange of its
 * request q (a fresh exchange number each time: the decoder reads duplicates too). */
static void decode_response(struct gj_keys *k, struct gj_msg *m, const struct oscar_decoded *d,
                            const struct gj_msg *q)
{
    m->verdict = OSCAR_OSCORE_NO_CONTEXT;
    struct oscar_group_ctx *ctx = m->dst >= 0 ? ctx_of(k, (size_t)q->epoch, (size_t)m->dst) : NULL;
    if (ctx == NULL || q->verdict != OSCAR_OSCORE_ACCEPT) {
        return;
    }
    m->epoch = q->epoch;
    struct oscar_group_exchange ex = q->ex;
    ex.serial = ++k->serial;
    if (ex.mode == OSCAR_GROUP_MODE_PAIRWISE && m->src >= 0) {
        const struct gj_member_id *sid = &k->ids[q->epoch][m->src];
        memcpy(ex.target_id, sid->id, sid->len);
        ex.target_id_len = sid->len;
    }
    struct oscar_group_recipient *who;
    uint8_t dec[2 * GJ_MSG_MAX + 8];
    size_t dn = 0;
    if (oscar_group_unprotect_response(ctx, &m->verdict, &who, dec, sizeof(dec), &dn, &ex, d->wire,
                                       d->wire_len) != OSCAR_OK) {
        m->verdict = OSCAR_OSCORE_DECODE_FAILED;
    }
    if ((m->verdict == OSCAR_OSCORE_ACCEPT || m->verdict == OSCAR_OSCORE_FRESHNESS_REQUIRED) &&
        dn > 1) {
        read_inner(m, dec, dn);
    }
}

/* bind_response finds the latest request before i with the response's token sent by the node
 * the response goes to (a group request goes to many, so the server end is not compared). */
static long bind_response(const struct oscar_transcript *t, const struct gj_result *r, size_t i)
{
    const struct oscar_decoded *d = &t->msgs[i];
    for (size_t j = i; j-- > 0;) {
        const struct oscar_decoded *q = &t->msgs[j];
        if (q->is_request && r->msgs[j].oscore && q->token_len == d->token_len &&
            memcmp(q->token, d->token, d->token_len) == 0 &&
            oscar_endpoint_equal(&q->src, &d->dst)) {
            return (long)j;
        }
    }
    return -1;
}

void gj_decode(struct gj_result *r, struct gj_keys *k, const struct oscar_transcript *t)
{
    r->num_msgs = t->num_msgs < GJ_MAX_MSGS ? t->num_msgs : GJ_MAX_MSGS;
    for (size_t i = 0; i < r->num_msgs; i++) {
        const struct oscar_decoded *d = &t->msgs[i];
        struct gj_msg *m = &r->msgs[i];
        memset(m, 0, sizeof(*m));
        m->request = -1;
        m->epoch = -1;
        m->src = node_at(k, &d->src);
        m->dst = node_at(k, &d->dst);
        struct oscar_coap_msg cm;
        struct oscar_oscore_option o;
        if (d->coap_rule != OSCAR_COAP_WELL_FORMED || !d->oscore) {
            continue;
        }
        size_t off;
        if (oscar_coap_parse(&cm, &off, d->wire, d->wire_len) != OSCAR_COAP_WELL_FORMED) {
            continue;
        }
        const struct oscar_coap_option *opt = oscar_coap_find_option(&cm, OSCAR_COAP_OPT_OSCORE);
        m->oscore = true;
        if (opt == NULL ||
            oscar_oscore_option_decode(&o, opt->value, opt->len, true) != OSCAR_OSCORE_OPTION_OK) {
            m->verdict = OSCAR_OSCORE_DECODE_FAILED;
            continue;
        }
        m->group_mode = (o.flags & OSCAR_OSCORE_FLAG_GROUP) != 0;
        m->has_kid = o.has_kid;
        m->piv_len = o.piv_len;
        if (o.piv_len != 0) {
            memcpy(m->piv, o.piv, o.piv_len);
        }
        if (d->is_request) {
            decode_request(k, m, d, &o);
            continue;
        }
        m->request = bind_response(t, r, i);
        if (m->request >= 0) {
            decode_response(k, m, d, &r->msgs[m->request]);
        }
    }
}

void gj_rules_check(struct gj_result *r, const struct oscar_transcript *t)
{
    for (size_t i = 0; i < r->num_msgs; i++) {
        const struct gj_msg *m = &r->msgs[i];
        const struct oscar_decoded *d = &t->msgs[i];
        if (!m->oscore || m->src < 0) {
            continue;
        }
        bool is_copy = d->first_copy != (long)i;
        /* the missing kid first: it is why such a response cannot be verified */
        if (!d->is_request && m->request >= 0 && r->msgs[m->request].group_mode && !m->has_kid) {
            violation(r, R_RESPONSE_KID, i, "frame %zu answers group request frame %zu without kid",
                      d->frame, t->msgs[m->request].frame);
        }
        if (m->verdict != OSCAR_OSCORE_ACCEPT && m->verdict != OSCAR_OSCORE_REPLAY && !is_copy &&
            (d->is_request || m->request >= 0)) {
            violation(r, R_VERIFIES, i, "frame %zu: %s", d->frame,
                      oscar_oscore_verdict_str(m->verdict));
        }
        if (d->is_request && m->verdict == OSCAR_OSCORE_ACCEPT && !is_copy) {
            /* the same sender and Partial IV in an earlier request with other bytes */
            for (size_t j = 0; j < i; j++) {
                const struct gj_msg *p = &r->msgs[j];
                if (t->msgs[j].is_request && p->verdict == OSCAR_OSCORE_ACCEPT &&
                    p->src == m->src && p->epoch == m->epoch && p->piv_len == m->piv_len &&
                    memcmp(p->piv, m->piv, m->piv_len) == 0 && t->msgs[i].first_copy != (long)j &&
                    !(t->msgs[j].wire_len == d->wire_len &&
                      memcmp(t->msgs[j].wire + 4, d->wire + 4, d->wire_len - 4) == 0)) {
                    violation(r, R_PIV_ONCE, i,
                              "frame %zu uses the Partial IV of frame %zu from the same sender",
                              d->frame, t->msgs[j].frame);
                    break;
                }
            }
        }
        if (d->is_request && m->verdict == OSCAR_OSCORE_ACCEPT && m->echo_len != 0 && !is_copy &&
            (m->dst < 0 || (m->pairwise_set && m->group_mode))) {
            violation(r, R_ECHO, i, "frame %zu echoes a challenge %s", d->frame,
                      m->dst < 0 ? "to more than the challenging server"
                                 : "in group mode (the group has pairwise mode)");
        }
        if (d->is_request || m->request < 0) {
            continue;
        }
        const struct gj_msg *q = &r->msgs[m->request];
        const struct oscar_decoded *qd = &t->msgs[m->request];
        /* the one error §9 asks for: the 4.01 that carries an Echo challenge */
        bool echo_challenge = m->inner_code == OSCAR_COAP_CODE(4, 1) && m->echo_len != 0;
        if (echo_challenge && m->verdict == OSCAR_OSCORE_ACCEPT && m->piv_len == 0) {
            violation(r, R_ECHO_PIV, i, "frame %zu: an Echo challenge without own Partial IV",
                      d->frame);
        }
        if (q->group_mode && m->verdict == OSCAR_OSCORE_ACCEPT && code_is_error(m->inner_code) &&
            !echo_challenge) {
            violation(r, R_NO_ERROR, i, "frame %zu answers group request frame %zu with %u.%02u",
                      d->frame, qd->frame, OSCAR_COAP_CODE_CLASS(m->inner_code),
                      OSCAR_COAP_CODE_DETAIL(m->inner_code));
        }
        if (q->verdict != OSCAR_OSCORE_ACCEPT && q->verdict != OSCAR_OSCORE_REPLAY) {
            violation(r, R_UNVERIFIED, i, "frame %zu answers frame %zu, which does not verify (%s)",
                      d->frame, qd->frame, oscar_oscore_verdict_str(q->verdict));
        }
        /* an earlier response of the same server to the same sender and Partial IV */
        for (size_t j = 0; j < i; j++) {
            const struct gj_msg *p = &r->msgs[j];
            if (t->msgs[j].is_request || p->request < 0 || p->src != m->src ||
                t->msgs[j].first_copy != (long)j || is_copy) {
                continue;
            }
            const struct gj_msg *pq = &r->msgs[p->request];
            if (pq->src == q->src && pq->epoch == q->epoch && pq->piv_len == q->piv_len &&
                memcmp(pq->piv, q->piv, q->piv_len) == 0) {
                violation(r, R_REPLAY_ANSWERED, i,
                          "frame %zu answers a request with the Partial IV of frame %zu, already "
                          "answered in frame %zu",
                          d->frame, t->msgs[p->request].frame, t->msgs[j].frame);
                break;
            }
        }
    }
}

/* --- key material --- */

/* the Group Manager credential of every scenario group: these scenarios have no Group Manager
 * node (ACE comes later), but gm_cred is part of every external_aad (§3.4), so it is fixed */
static const uint8_t GM_CRED[] = "oscar-scenario-gm";

void gs_member_key(const struct gs_scenario *s, size_t n, size_t g, uint8_t d[32])
{
    char info[160];
    int len = snprintf(info, sizeof(info), "%s/%s", s->nodes[n].name, s->groups[g].name);
    (void)oscar_crypto_wolfssl()->hkdf(d, 32, OSCAR_COSE_ALG_HKDF_SHA256, NULL, 0,
                                       (const uint8_t *)s->id, strlen(s->id), (const uint8_t *)info,
                                       (size_t)len);
}

static const struct gs_membership *membership(const struct gs_scenario *s, size_t n, size_t g)
{
    for (size_t i = 0; i < s->nodes[n].num_member_of; i++) {
        if (s->nodes[n].member_of[i].group == g) {
            return &s->nodes[n].member_of[i];
        }
    }
    return NULL;
}

struct lookup_arg {
    const struct gj_keys *k;
    size_t epoch;
};
static struct lookup_arg lookup_args[GJ_MAX_EPOCHS];

static bool lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred, size_t *cred_len,
                   uint8_t *pub)
{
    const struct lookup_arg *la = arg;
    const struct gs_scenario *s = la->k->s;
    size_t g = la->k->epochs[la->epoch].group;
    for (size_t n = 0; n < s->num_nodes; n++) {
        const struct gs_membership *m = membership(s, n, g);
        if (m != NULL && m->sender_id_len == kid_len && memcmp(m->sender_id, kid, kid_len) == 0) {
            uint8_t d[32];
            gs_member_key(s, n, g, d);
            if (oscar_crypto_wolfssl()->sig_public(s->groups[g].sig_alg, d, pub) != OSCAR_OK) {
                return false;
            }
            *cred_len = oscar_sig_pub_len(s->groups[g].sig_alg);
            memcpy(cred, pub, *cred_len);
            return true;
        }
    }
    return false;
}

enum oscar_err gj_params(struct oscar_group_params *p, struct gj_param_store *st,
                         const struct gj_keys *k, size_t e, size_t n)
{
    const struct gj_epoch *ep = &k->epochs[e];
    const struct gs_group *g = &k->s->groups[ep->group];
    const struct gs_membership *m = membership(k->s, n, ep->group);
    if (m == NULL) {
        return OSCAR_ERR_INVALID_ARG;
    }
    gs_member_key(k->s, n, ep->group, st->d);
    OSCAR_TRY(oscar_crypto_wolfssl()->sig_public(g->sig_alg, st->d, st->cred));
    memset(p, 0, sizeof(*p));
    p->master_secret = ep->secret;
    p->master_secret_len = sizeof(ep->secret);
    p->master_salt = g->salt;
    p->master_salt_len = g->salt_len;
    p->gid = ep->gid;
    p->gid_len = ep->gid_len;
    p->group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    p->sig_alg = g->sig_alg;
    if (g->pairwise) {
        p->aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
        p->pairwise_alg = OSCAR_COSE_ALG_ECDH_SS_HKDF_256;
    }
    p->gm_cred = GM_CRED;
    p->gm_cred_len = sizeof(GM_CRED) - 1;
    p->sender_id = m->sender_id;
    p->sender_id_len = m->sender_id_len;
    p->sender_priv = st->d;
    p->sender_cred = st->cred;
    p->sender_cred_len = oscar_sig_pub_len(g->sig_alg);
    lookup_args[e].k = k;
    lookup_args[e].epoch = e;
    p->cred_lookup = lookup;
    p->cred_arg = &lookup_args[e];
    return OSCAR_OK;
}

enum oscar_err gj_keys_init(struct gj_keys *k, const struct gs_scenario *s, uint32_t faults)
{
    k->s = s;
    k->num_epochs = 0;
    for (size_t g = 0; g < s->num_groups; g++) {
        struct gj_epoch *ep = &k->epochs[k->num_epochs++];
        ep->group = g;
        memcpy(ep->gid, s->groups[g].gid, s->groups[g].gid_len);
        ep->gid_len = s->groups[g].gid_len;
        memcpy(ep->secret, s->groups[g].secret, sizeof(ep->secret));
    }
    for (size_t i = 0; i < s->num_steps && k->num_epochs < GJ_MAX_EPOCHS; i++) {
        const struct gs_step *st = &s->steps[i];
        if (st->kind == GS_STEP_REKEY) {
            struct gj_epoch *ep = &k->epochs[k->num_epochs++];
            ep->group = st->group;
            memcpy(ep->gid, st->new_gid, st->new_gid_len);
            ep->gid_len = st->new_gid_len;
            memcpy(ep->secret, st->new_secret, sizeof(ep->secret));
        }
    }
    for (size_t e = 0; e < k->num_epochs; e++) {
        for (size_t n = 0; n < s->num_nodes; n++) {
            struct oscar_group_params p;
            struct gj_param_store st;
            k->have[e][n] = false;
            if (gj_params(&p, &st, k, e, n) != OSCAR_OK) {
                continue;
            }
            memcpy(k->ids[e][n].id, p.sender_id, p.sender_id_len);
            k->ids[e][n].len = p.sender_id_len;
            p.recipients = k->slots[e][n];
            p.recipients_cap = GS_MAX_NODES;
            OSCAR_TRY(oscar_group_ctx_init(&k->ctx[e][n], oscar_crypto_wolfssl(), &p));
            k->ctx[e][n].faults = faults;
            k->have[e][n] = true;
        }
    }
    return OSCAR_OK;
}

void gj_keys_cleanup(struct gj_keys *k)
{
    for (size_t e = 0; e < k->num_epochs; e++) {
        for (size_t n = 0; n < GS_MAX_NODES; n++) {
            if (k->have[e][n]) {
                oscar_group_ctx_cleanup(&k->ctx[e][n]);
                k->have[e][n] = false;
            }
        }
    }
}
