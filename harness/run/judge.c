/* judge.c — each step's expectations evaluated on the decoded capture (decode.h): the request as
 * it was on the wire, and every response bound to it, decrypted by the reference core. What
 * peers report about themselves is used only where a scenario asks for it explicitly
 * (server_verdict, client_verdict) and is named as such in the failure. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../check/rules.h"
#include "run_internal.h"

static void judge_fail(struct judge_verdict *v, const struct oscar_step *st, const char *rfc,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void judge_fail(struct judge_verdict *v, const struct oscar_step *st, const char *rfc,
                       const char *fmt, ...)
{
    if (v->failed) {
        return;
    }
    v->failed = true;
    v->step = st->id;
    v->rfc = rfc;
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(v->reason, sizeof(v->reason), "step %s: %s", st->id, what);
}

static const char *ev_str(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void code_text(char *out, size_t cap, uint8_t code)
{
    snprintf(out, cap, "%u.%02u", OSCAR_COAP_CODE_CLASS(code), OSCAR_COAP_CODE_DETAIL(code));
}

static const struct oscar_decoded *find_wire(const struct oscar_transcript *tr, const char *hex,
                                             const struct oscar_endpoint *src, size_t from,
                                             size_t *out_index)
{
    uint8_t bytes[2048];
    size_t len;
    if (hex == NULL || oscar_hex_decode(bytes, sizeof(bytes), &len, hex, strlen(hex)) != OSCAR_OK) {
        return NULL;
    }
    for (size_t i = from; i < tr->num_msgs; i++) {
        const struct oscar_decoded *d = &tr->msgs[i];
        if (d->wire_len == len && memcmp(d->wire, bytes, len) == 0 &&
            oscar_endpoint_equal(&d->src, src)) {
            *out_index = i;
            return d;
        }
    }
    return NULL;
}

/* check_message compares one message on the wire (request or response) with an expectation.
 * what names the message in failures ("request", "response 2"). */
static void check_message(struct judge_verdict *v, const struct oscar_step *st, const char *rfc,
                          const struct oscar_expect_response *e, const struct oscar_decoded *d,
                          const cJSON *client_ev, bool offline, const char *what)
{
    char got[16];
    if (d->coap_rule != OSCAR_COAP_WELL_FORMED) {
        judge_fail(v, st, "RFC 7252 §3", "%s (frame %zu) is not CoAP: %s at byte %zu", what,
                   d->frame, oscar_coap_rule_str(d->coap_rule), (size_t)d->coap_offset);
        return;
    }
    if (e->oscore >= 0 && d->oscore != (e->oscore == 1)) {
        judge_fail(v, st, rfc, "%s (frame %zu) %s OSCORE-protected", what, d->frame,
                   e->oscore ? "should be but is not" : "should not be but is");
        return;
    }
    code_text(got, sizeof(got), d->code);
    if (e->outer_code != NULL && strcmp(e->outer_code, got) != 0) {
        judge_fail(v, st, rfc, "%s (frame %zu): code on the wire %s, expected %s", what, d->frame,
                   got, e->outer_code);
        return;
    }
    const char *verdict = d->oscore ? oscar_oscore_verdict_name(d->verdict) : "not-oscore";
    if (e->wire_verdict != NULL && strcmp(e->wire_verdict, verdict) != 0) {
        judge_fail(v, st, rfc, "%s (frame %zu): the reference decoder says %s, expected %s", what,
                   d->frame, verdict, e->wire_verdict);
        return;
    }
    if (e->piv >= 0) {
        struct oscar_coap_msg m;
        struct oscar_oscore_option o;
        bool has =
            oscar_oscore_peek(&m, &o, d->wire, d->wire_len) == OSCAR_OSCORE_ACCEPT && o.piv_len > 0;
        if (has != (e->piv == 1)) {
            judge_fail(v, st, rfc, "%s (frame %zu) %s its own Partial IV", what, d->frame,
                       has ? "carries" : "lacks");
            return;
        }
    }
    if (e->client_verdict != NULL && offline) {
        v->unjudged++;
    } else if (e->client_verdict != NULL) {
        const char *cv = client_ev != NULL ? ev_str(client_ev, "verdict") : NULL;
        if (cv == NULL || strcmp(cv, e->client_verdict) != 0) {
            judge_fail(v, st, rfc, "%s: the client reports %s, expected %s", what,
                       cv != NULL ? cv : "nothing", e->client_verdict);
            return;
        }
    }
    bool need_inner = e->code != NULL || e->payload != NULL || e->payload_hex.present ||
                      e->num_options != 0 || e->num_absent != 0;
    if (!need_inner) {
        return;
    }
    if (d->oscore && d->verdict != OSCAR_OSCORE_ACCEPT) {
        judge_fail(v, st, rfc, "%s (frame %zu) cannot be read: %s", what, d->frame,
                   oscar_oscore_verdict_str(d->verdict));
        return;
    }
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, d->plain, d->plain_len) != OSCAR_COAP_WELL_FORMED) {
        judge_fail(v, st, "RFC 8613 §5.3", "%s (frame %zu): decrypted message is malformed", what,
                   d->frame);
        return;
    }
    code_text(got, sizeof(got), m.code);
    if (e->code != NULL && strcmp(e->code, got) != 0) {
        judge_fail(v, st, rfc, "%s (frame %zu): code %s, expected %s", what, d->frame, got,
                   e->code);
        return;
    }
    for (size_t i = 0; i < e->num_options; i++) {
        const struct oscar_coap_option *o = oscar_coap_find_option(&m, e->option_numbers[i]);
        const struct oscar_bytes_field *want = &e->option_values[i];
        if (o == NULL || o->len != want->len || (o->len && memcmp(o->value, want->data, o->len))) {
            judge_fail(v, st, rfc, "%s (frame %zu): option %u %s", what, d->frame,
                       e->option_numbers[i], o == NULL ? "missing" : "has another value");
            return;
        }
    }
    for (size_t i = 0; i < e->num_absent; i++) {
        if (oscar_coap_find_option(&m, e->absent[i]) != NULL) {
            judge_fail(v, st, rfc, "%s (frame %zu): option %u must be absent", what, d->frame,
                       e->absent[i]);
            return;
        }
    }
    const uint8_t *want = NULL;
    size_t want_len = 0;
    if (e->payload != NULL) {
        want = (const uint8_t *)e->payload;
        want_len = strlen(e->payload);
    } else if (e->payload_hex.present) {
        want = e->payload_hex.data;
        want_len = e->payload_hex.len;
    }
    if (want != NULL) {
        size_t got_len = m.has_payload ? m.payload_len : 0;
        if (got_len != want_len || (want_len && memcmp(m.payload, want, want_len) != 0)) {
            judge_fail(v, st, rfc, "%s (frame %zu): payload \"%.*s\", expected \"%.*s\"", what,
                       d->frame, (int)(got_len < 60 ? got_len : 60),
                       m.has_payload ? (const char *)m.payload : "",
                       (int)(want_len < 60 ? want_len : 60), (const char *)want);
        }
    }
}

static const cJSON *nth_event(const cJSON *const *ev, size_t n, const char *kind, const char *id,
                              size_t nth)
{
    for (size_t i = 0; i < n; i++) {
        const char *k = ev_str(ev[i], "event");
        const char *eid = ev_str(ev[i], "id");
        if (k != NULL && strcmp(k, kind) == 0 && (id == NULL || (eid && strcmp(eid, id) == 0))) {
            if (nth-- == 0) {
                return ev[i];
            }
        }
    }
    return NULL;
}

#define MAX_VIOLATIONS 16

void oscar_judge(struct judge_verdict *out, const struct judge_input *in)
{
    const struct oscar_scenario *s = in->s;
    size_t from = 0;
    size_t step_at[OSCAR_SCENARIO_MAX_STEPS] = {0};
    for (size_t si = 0; si < s->num_steps && !out->failed; si++) {
        const struct oscar_step *st = &s->steps[si];
        const char *rfc = st->rfc != NULL ? st->rfc : s->rfc;
        if (st->kind != OSCAR_STEP_REQUEST) {
            continue;
        }
        const cJSON *sent =
            in->offline ? NULL
                        : nth_event(in->client_events, in->num_client_events, "sent", st->id, 0);
        if (sent == NULL && !in->offline) {
            judge_fail(out, st, rfc, "the client reported no request");
            return;
        }
        size_t qi = 0;
        const struct oscar_decoded *q;
        if (sent != NULL && ev_str(sent, "bytes") != NULL) {
            q = find_wire(in->tr, ev_str(sent, "bytes"), &in->client_ep, from, &qi);
        } else {
            /* a shim that cannot report its bytes: the client's next datagram is the request;
             * offline, its next request that is not a retransmission */
            q = NULL;
            for (size_t i = from; i < in->tr->num_msgs && q == NULL; i++) {
                const struct oscar_decoded *c = &in->tr->msgs[i];
                if (oscar_endpoint_equal(&c->src, &in->client_ep) &&
                    (!in->offline || (c->is_request && c->first_copy == (long)i))) {
                    q = &in->tr->msgs[i];
                    qi = i;
                }
            }
        }
        if (q == NULL) {
            judge_fail(out, st, rfc, "the request the client reported is not on the wire");
            return;
        }
        if (q->coap_rule != OSCAR_COAP_WELL_FORMED) {
            judge_fail(out, st, "RFC 7252 §3",
                       "client violated COAP-3-WELL-FORMED (frame %zu): %s at byte %zu", q->frame,
                       oscar_coap_rule_str(q->coap_rule), (size_t)q->coap_offset);
            return;
        }
        from = qi + 1;
        step_at[si] = qi;
        if (st->has_sent) {
            check_message(out, st, rfc, &st->sent, q, NULL, in->offline, "request");
        }
        if (st->server_verdict != NULL && in->offline) {
            out->unjudged++;
        } else if (st->server_verdict != NULL) {
            const char *sv = NULL;
            for (size_t i = 0; i < in->num_server_events && sv == NULL; i++) {
                const char *b = ev_str(in->server_events[i], "bytes");
                const char *k = ev_str(in->server_events[i], "event");
                if (k != NULL && strcmp(k, "request") == 0 && b != NULL &&
                    strcmp(b, ev_str(sent, "bytes")) == 0) {
                    sv = ev_str(in->server_events[i], "verdict");
                }
            }
            if (sv == NULL || strcmp(sv, st->server_verdict) != 0) {
                judge_fail(out, st, rfc, "the server reports %s for the request, expected %s",
                           sv != NULL ? sv : "nothing", st->server_verdict);
            }
        }
        /* the responses on the wire bound to this request, in order */
        const struct oscar_decoded *resp[OSCAR_SCENARIO_MAX_RESPONSES + 8];
        size_t nresp = 0;
        for (size_t i = qi + 1; i < in->tr->num_msgs && nresp < sizeof(resp) / sizeof(resp[0]);
             i++) {
            if (in->tr->msgs[i].request == (long)qi) {
                resp[nresp++] = &in->tr->msgs[i];
            }
        }
        if (st->responses >= 0 && nresp != (size_t)st->responses) {
            judge_fail(out, st, rfc, "%zu response(s) on the wire, expected %d", nresp,
                       st->responses);
            return;
        }
        for (size_t i = 0; i < st->num_expect && i < nresp && !out->failed; i++) {
            char what[32];
            snprintf(what, sizeof(what), "response %zu", i + 1);
            const cJSON *cev =
                nth_event(in->client_events, in->num_client_events, "response", st->id, i);
            check_message(out, st, rfc, &st->expect[i], resp[i], cev, in->offline, what);
        }
    }
    if (out->failed) {
        return;
    }
    /* the trace rules hold whatever the scenario; a violation belongs to the step in progress */
    struct oscar_violation all[MAX_VIOLATIONS];
    size_t na = 0;
    /* the relay captures what it delivers, in the recipients' order; a datagram it delays may
     * appear after later ones of its sender */
    struct oscar_rules_opts ro = {0, 0, OSCAR_RULES_DEFAULT_REPLAY_WINDOW};
    for (size_t k = 0; k < s->num_relay; k++) {
        if (s->relay[k].action == OSCAR_RELAY_DELAY || s->relay[k].action == OSCAR_RELAY_REPLAY) {
            uint64_t us = (uint64_t)s->relay[k].delay_ms * 1000u;
            ro.sender_reorder_usec = us > ro.sender_reorder_usec ? us : ro.sender_reorder_usec;
        }
    }
    if (oscar_rules_check(all, MAX_VIOLATIONS, &na, in->tr, &ro) != OSCAR_OK) {
        judge_fail(out, &s->steps[0], "RFC 8613 §7, §8",
                   "the trace rules could not run: out of memory");
        return;
    }
    struct oscar_violation v[MAX_VIOLATIONS];
    size_t nv = 0;
    for (size_t i = 0; i < na; i++) {
        bool allowed = false;
        for (size_t k = 0; k < s->num_allowed_rules; k++) {
            allowed = allowed || strcmp(s->allowed_rules[k], all[i].rule->id) == 0;
        }
        if (!allowed) {
            v[nv++] = all[i];
        }
    }
    if (nv == 0) {
        return;
    }
    const struct oscar_step *owner = &s->steps[0];
    for (size_t si = 0; si < s->num_steps; si++) {
        if (s->steps[si].kind == OSCAR_STEP_REQUEST && step_at[si] <= v[0].msg) {
            owner = &s->steps[si];
        }
    }
    const struct oscar_decoded *d = &in->tr->msgs[v[0].msg];
    const char *who = oscar_endpoint_equal(&d->src, &in->client_ep) ? "client" : "server";
    judge_fail(out, owner, v[0].rule->rfc, "%s violated %s (frame %zu): %s", who, v[0].rule->id,
               d->frame, v[0].detail);
}
