/* scenario.c — strict loader of scenario files (see scenario.h, scenarios/README.md). */
#include "scenario.h"

#include "../check/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const TOP_REQ[] = {"id",     "title",  "source", "rfc", "judged",
                                      "client", "server", "steps",  NULL};
static const char *const TOP_OPT[] = {
    "suites",      "contexts",           "contexts_file", "negative_controls",
    "description", "allowed_violations", "relay",         "ip",
    NULL};
static const char *const ALLOWED_REQ[] = {"rule", "why", NULL};
static const char *const RELAY_REQ[] = {"action", NULL};
static const char *const RELAY_OPT[] = {"from",     "to",      "nth", "percent",
                                        "delay_ms", "new_mid", NULL};
static const char *const NODE_REQ[] = {"contexts", NULL};
static const char *const NODE_OPT[] = {"oscore_aware", NULL};
static const char *const STEP_REQ[] = {"id", NULL};
static const char *const STEP_OPT[] = {"request", "set_seq", "expect", "rfc", "description", NULL};
static const char *const EXPECT_OPT[] = {"responses", "wait_ms", "server_verdict",
                                         "response",  "sent",    NULL};
static const char *const RESP_OPT[] = {
    "code",         "outer_code",     "payload", "payload_hex",    "oscore", "piv",
    "wire_verdict", "client_verdict", "options", "absent_options", NULL};
static const char *const SETSEQ_REQ[] = {"context", "to_piv_of", NULL};
static const char *const VARIANT_REQ[] = {"bug", "node", "fails_at", NULL};

#define DEFAULT_WAIT_MS 1000
#define MAX_WAIT_MS 60000

static enum oscar_err get_str(const char **out, const cJSON *obj, const char *key, bool required,
                              struct oscar_arena *a, const struct oscar_json_loc *loc)
{
    OSCAR_TRY(oscar_json_get_string(out, obj, key, a, loc));
    if (required && *out == NULL) {
        return oscar_json_fail(loc, key, "missing required key");
    }
    return OSCAR_OK;
}

static enum oscar_err get_tristate(int *out, const cJSON *obj, const char *key,
                                   const struct oscar_json_loc *loc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    *out = -1;
    if (v == NULL) {
        return OSCAR_OK;
    }
    if (!cJSON_IsBool(v)) {
        return oscar_json_fail(loc, key, "expected true or false");
    }
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return OSCAR_OK;
}

static enum oscar_err load_response(struct oscar_expect_response *r, const cJSON *obj,
                                    const struct oscar_json_loc *loc, struct oscar_arena *a)
{
    memset(r, 0, sizeof(*r));
    OSCAR_TRY(oscar_json_check_keys(obj, loc, RESP_OPT, NULL));
    OSCAR_TRY(get_str(&r->code, obj, "code", false, a, loc));
    OSCAR_TRY(get_str(&r->outer_code, obj, "outer_code", false, a, loc));
    OSCAR_TRY(get_str(&r->payload, obj, "payload", false, a, loc));
    OSCAR_TRY(oscar_json_get_bytes(&r->payload_hex, obj, "payload_hex", false, a, loc));
    OSCAR_TRY(get_tristate(&r->oscore, obj, "oscore", loc));
    OSCAR_TRY(get_tristate(&r->piv, obj, "piv", loc));
    OSCAR_TRY(get_str(&r->wire_verdict, obj, "wire_verdict", false, a, loc));
    OSCAR_TRY(get_str(&r->client_verdict, obj, "client_verdict", false, a, loc));
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(obj, "options");
    if (opts != NULL) {
        struct oscar_json_loc ol;
        oscar_json_loc_push(&ol, loc, "options", 0);
        OSCAR_TRY(oscar_json_expect_object(opts, loc, "options"));
        for (const cJSON *o = opts->child; o != NULL; o = o->next) {
            char *end;
            unsigned long num = strtoul(o->string, &end, 10);
            if (*o->string == '\0' || *end != '\0' || num > OSCAR_COAP_OPTION_NUMBER_MAX) {
                return oscar_json_fail(&ol, o->string, "option keys are option numbers");
            }
            if (r->num_options == OSCAR_SCENARIO_MAX_OPTIONS) {
                return oscar_json_fail(&ol, o->string, "too many options");
            }
            r->option_numbers[r->num_options] = (uint16_t)num;
            OSCAR_TRY(oscar_json_get_bytes(&r->option_values[r->num_options], opts, o->string,
                                           false, a, &ol));
            r->num_options++;
        }
    }
    const cJSON *absent = cJSON_GetObjectItemCaseSensitive(obj, "absent_options");
    const cJSON *n;
    cJSON_ArrayForEach(n, absent)
    {
        if (!cJSON_IsNumber(n) || r->num_absent == OSCAR_SCENARIO_MAX_OPTIONS) {
            return oscar_json_fail(loc, "absent_options", "expected a short list of numbers");
        }
        r->absent[r->num_absent++] = (uint16_t)n->valuedouble;
    }
    return OSCAR_OK;
}

static enum oscar_err load_step(struct oscar_step *st, const cJSON *obj,
                                const struct oscar_json_loc *loc, struct oscar_arena *a)
{
    memset(st, 0, sizeof(*st));
    OSCAR_TRY(oscar_json_check_keys(obj, loc, STEP_OPT, STEP_REQ));
    OSCAR_TRY(get_str(&st->id, obj, "id", true, a, loc));
    OSCAR_TRY(get_str(&st->rfc, obj, "rfc", false, a, loc));
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(obj, "request");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(obj, "set_seq");
    if ((req == NULL) == (set == NULL)) {
        return oscar_json_fail(loc, NULL, "a step is either a request or a set_seq");
    }
    if (set != NULL) {
        struct oscar_json_loc sl;
        oscar_json_loc_push(&sl, loc, "set_seq", 0);
        OSCAR_TRY(oscar_json_check_keys(set, &sl, NULL, SETSEQ_REQ));
        st->kind = OSCAR_STEP_SET_SEQ;
        OSCAR_TRY(get_str(&st->context, set, "context", true, a, &sl));
        OSCAR_TRY(get_str(&st->seq_of, set, "to_piv_of", true, a, &sl));
        return OSCAR_OK;
    }
    st->kind = OSCAR_STEP_REQUEST;
    OSCAR_TRY(oscar_json_expect_object(req, loc, "request"));
    cJSON *copy = cJSON_Duplicate(req, true);
    if (copy == NULL) {
        return oscar_diag_set(loc->diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "op");
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "id");
    cJSON_AddStringToObject(copy, "op", "request");
    cJSON_AddStringToObject(copy, "id", st->id);
    char *line = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    st->request_json = line != NULL ? oscar_arena_strdup(a, line) : NULL;
    cJSON_free(line);
    if (st->request_json == NULL) {
        return oscar_diag_set(loc->diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    st->responses = 1;
    st->wait_ms = DEFAULT_WAIT_MS;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(obj, "expect");
    if (ex == NULL) {
        return OSCAR_OK;
    }
    struct oscar_json_loc el;
    oscar_json_loc_push(&el, loc, "expect", 0);
    OSCAR_TRY(oscar_json_check_keys(ex, &el, EXPECT_OPT, NULL));
    int64_t v;
    bool present;
    OSCAR_TRY(
        oscar_json_get_int(&v, &present, ex, "responses", -1, OSCAR_SCENARIO_MAX_RESPONSES, &el));
    if (present) {
        st->responses = (int)v;
    }
    OSCAR_TRY(oscar_json_get_int(&v, &present, ex, "wait_ms", 1, MAX_WAIT_MS, &el));
    if (present) {
        st->wait_ms = (unsigned)v;
    }
    OSCAR_TRY(get_str(&st->server_verdict, ex, "server_verdict", false, a, &el));
    const cJSON *sent = cJSON_GetObjectItemCaseSensitive(ex, "sent");
    if (sent != NULL) {
        struct oscar_json_loc rl;
        oscar_json_loc_push(&rl, &el, "sent", 0);
        st->has_sent = true;
        OSCAR_TRY(load_response(&st->sent, sent, &rl, a));
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(ex, "response");
    if (list != NULL && !cJSON_IsArray(list)) {
        return oscar_json_fail(&el, "response", "expected an array (one entry per response)");
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, list)
    {
        if (st->num_expect == OSCAR_SCENARIO_MAX_RESPONSES) {
            return oscar_json_fail(&el, "response", "too many entries");
        }
        struct oscar_json_loc rl;
        oscar_json_loc_push(&rl, &el, "response", 0);
        oscar_json_loc_push(&rl, &rl, NULL, st->num_expect);
        OSCAR_TRY(load_response(&st->expect[st->num_expect], r, &rl, a));
        st->num_expect++;
    }
    return OSCAR_OK;
}

static enum oscar_err load_contexts(struct oscar_scenario *s, const cJSON *list,
                                    const struct oscar_json_loc *loc, struct oscar_arena *a)
{
    if (!cJSON_IsArray(list)) {
        return oscar_json_fail(loc, NULL, "contexts must be an array");
    }
    const cJSON *c;
    size_t i = 0;
    cJSON_ArrayForEach(c, list)
    {
        if (s->num_contexts == OSCAR_SCENARIO_MAX_CONTEXTS) {
            return oscar_json_fail(loc, NULL, "more than %d contexts", OSCAR_SCENARIO_MAX_CONTEXTS);
        }
        struct oscar_json_loc cl;
        oscar_json_loc_push(&cl, loc, NULL, i++);
        struct oscar_context_spec *spec = &s->contexts[s->num_contexts];
        OSCAR_TRY(oscar_context_spec_load(spec, c, &cl, a));
        if (spec->name[0] == '\0') {
            return oscar_json_fail(&cl, "name", "scenario contexts need a name");
        }
        s->num_contexts++;
    }
    return OSCAR_OK;
}

static enum oscar_err load_node(const char **names, size_t *num, bool *oscore_aware,
                                const cJSON *obj, const struct oscar_json_loc *loc,
                                const struct oscar_scenario *s, struct oscar_arena *a)
{
    OSCAR_TRY(oscar_json_check_keys(obj, loc, NODE_OPT, NODE_REQ));
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(obj, "contexts");
    const cJSON *n;
    cJSON_ArrayForEach(n, list)
    {
        if (!cJSON_IsString(n) || *num == OSCAR_SCENARIO_MAX_CONTEXTS) {
            return oscar_json_fail(loc, "contexts", "expected a list of context names");
        }
        if (oscar_scenario_context(s, n->valuestring) == NULL) {
            return oscar_json_fail(loc, "contexts", "no context named \"%s\"", n->valuestring);
        }
        names[(*num)++] = oscar_arena_strdup(a, n->valuestring);
    }
    const cJSON *aware = cJSON_GetObjectItemCaseSensitive(obj, "oscore_aware");
    if (oscore_aware != NULL) {
        *oscore_aware = aware == NULL || cJSON_IsTrue(aware);
    } else if (aware != NULL) {
        return oscar_json_fail(loc, "oscore_aware", "only a server can be OSCORE-unaware");
    }
    return OSCAR_OK;
}

const struct oscar_context_spec *oscar_scenario_context(const struct oscar_scenario *s,
                                                        const char *name)
{
    for (size_t i = 0; i < s->num_contexts; i++) {
        if (strcmp(s->contexts[i].name, name) == 0) {
            return &s->contexts[i];
        }
    }
    return NULL;
}

static enum oscar_err load_tree(struct oscar_scenario *s, const cJSON *root, const char *dir,
                                const struct oscar_json_loc *loc, struct oscar_arena *a)
{
    OSCAR_TRY(oscar_json_check_keys(root, loc, TOP_OPT, TOP_REQ));
    OSCAR_TRY(get_str(&s->id, root, "id", true, a, loc));
    OSCAR_TRY(get_str(&s->title, root, "title", true, a, loc));
    OSCAR_TRY(get_str(&s->source, root, "source", true, a, loc));
    OSCAR_TRY(get_str(&s->rfc, root, "rfc", true, a, loc));
    OSCAR_TRY(get_str(&s->judged, root, "judged", true, a, loc));
    if (strcmp(s->judged, "client") != 0 && strcmp(s->judged, "server") != 0 &&
        strcmp(s->judged, "both") != 0) {
        return oscar_json_fail(loc, "judged", "expected \"client\", \"server\" or \"both\"");
    }
    /* STYLE.md rule 30 / the layout contract: the file name is the test ID */
    const char *base = strrchr(s->path, '/');
    base = base != NULL ? base + 1 : s->path;
    size_t id_len = strlen(s->id);
    if (strncmp(base, s->id, id_len) != 0 || strcmp(base + id_len, ".json") != 0) {
        return oscar_json_fail(loc, "id", "\"%s\" does not match the file name %s", s->id, base);
    }
    const cJSON *suites = cJSON_GetObjectItemCaseSensitive(root, "suites");
    const cJSON *su;
    cJSON_ArrayForEach(su, suites)
    {
        if (!cJSON_IsString(su) || s->num_suites == 4) {
            return oscar_json_fail(loc, "suites", "expected up to 4 suite names");
        }
        s->suites[s->num_suites++] = oscar_arena_strdup(a, su->valuestring);
    }
    const cJSON *ctxs = cJSON_GetObjectItemCaseSensitive(root, "contexts");
    const char *ctx_file;
    OSCAR_TRY(get_str(&ctx_file, root, "contexts_file", false, a, loc));
    s->contexts_file = ctx_file;
    if ((ctxs == NULL) == (ctx_file == NULL)) {
        return oscar_json_fail(loc, "contexts", "give exactly one of contexts, contexts_file");
    }
    struct oscar_json_loc cl;
    oscar_json_loc_push(&cl, loc, "contexts", 0);
    if (ctxs != NULL) {
        OSCAR_TRY(load_contexts(s, ctxs, &cl, a));
    } else {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, ctx_file);
        cJSON *croot = NULL;
        OSCAR_TRY(oscar_json_load_file(&croot, path, loc->diag));
        struct oscar_json_loc fl = {.file = oscar_arena_strdup(a, path), .diag = loc->diag};
        enum oscar_err err = load_contexts(s, croot, &fl, a);
        cJSON_Delete(croot);
        OSCAR_TRY(err);
    }
    struct oscar_json_loc nl;
    oscar_json_loc_push(&nl, loc, "client", 0);
    OSCAR_TRY(load_node(s->client_contexts, &s->num_client_contexts, NULL,
                        cJSON_GetObjectItemCaseSensitive(root, "client"), &nl, s, a));
    oscar_json_loc_push(&nl, loc, "server", 0);
    OSCAR_TRY(load_node(s->server_contexts, &s->num_server_contexts, &s->server_oscore_aware,
                        cJSON_GetObjectItemCaseSensitive(root, "server"), &nl, s, a));
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(root, "steps");
    if (!cJSON_IsArray(steps) || cJSON_GetArraySize(steps) == 0 ||
        cJSON_GetArraySize(steps) > OSCAR_SCENARIO_MAX_STEPS) {
        return oscar_json_fail(loc, "steps", "expected 1 to %d steps", OSCAR_SCENARIO_MAX_STEPS);
    }
    const cJSON *st;
    cJSON_ArrayForEach(st, steps)
    {
        struct oscar_json_loc sl;
        oscar_json_loc_push(&sl, loc, "steps", 0);
        oscar_json_loc_push(&sl, &sl, NULL, s->num_steps);
        OSCAR_TRY(load_step(&s->steps[s->num_steps], st, &sl, a));
        for (size_t k = 0; k < s->num_steps; k++) {
            if (strcmp(s->steps[k].id, s->steps[s->num_steps].id) == 0) {
                return oscar_json_fail(&sl, "id", "duplicate step id");
            }
        }
        s->num_steps++;
    }
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(root, "allowed_violations");
    const cJSON *al;
    cJSON_ArrayForEach(al, allowed)
    {
        struct oscar_json_loc alc;
        oscar_json_loc_push(&alc, loc, "allowed_violations", 0);
        oscar_json_loc_push(&alc, &alc, NULL, s->num_allowed_rules);
        if (s->num_allowed_rules == 4) {
            return oscar_json_fail(&alc, NULL, "at most 4 allowed violations");
        }
        OSCAR_TRY(oscar_json_check_keys(al, &alc, NULL, ALLOWED_REQ));
        const char *rule;
        const char *why;
        OSCAR_TRY(get_str(&rule, al, "rule", true, a, &alc));
        OSCAR_TRY(get_str(&why, al, "why", true, a, &alc));
        bool known = false;
        for (const struct oscar_rule *r = oscar_rules(); r->id != NULL; r++) {
            known = known || strcmp(r->id, rule) == 0;
        }
        if (!known) {
            return oscar_json_fail(&alc, "rule", "no trace rule \"%s\" (oscar rules)", rule);
        }
        s->allowed_rules[s->num_allowed_rules++] = rule;
    }
    const char *ip;
    OSCAR_TRY(get_str(&ip, root, "ip", false, a, loc));
    if (ip != NULL && strcmp(ip, "ipv4") != 0 && strcmp(ip, "ipv6") != 0) {
        return oscar_json_fail(loc, "ip", "expected \"ipv4\" or \"ipv6\"");
    }
    s->ipv6 = ip != NULL && strcmp(ip, "ipv6") == 0;
    const cJSON *relay = cJSON_GetObjectItemCaseSensitive(root, "relay");
    const cJSON *rr;
    cJSON_ArrayForEach(rr, relay)
    {
        struct oscar_json_loc rl;
        oscar_json_loc_push(&rl, loc, "relay", 0);
        oscar_json_loc_push(&rl, &rl, NULL, s->num_relay);
        if (s->num_relay == OSCAR_SCENARIO_MAX_RULES) {
            return oscar_json_fail(&rl, NULL, "at most %d relay rules", OSCAR_SCENARIO_MAX_RULES);
        }
        OSCAR_TRY(oscar_json_check_keys(rr, &rl, RELAY_OPT, RELAY_REQ));
        struct oscar_relay_rule *r = &s->relay[s->num_relay];
        memset(r, 0, sizeof(*r));
        static const char *const actions[] = {"drop", "duplicate", "delay", "replay"};
        static const enum oscar_relay_action codes[] = {OSCAR_RELAY_DROP, OSCAR_RELAY_DUPLICATE,
                                                        OSCAR_RELAY_DELAY, OSCAR_RELAY_REPLAY};
        const char *action;
        OSCAR_TRY(get_str(&action, rr, "action", true, a, &rl));
        size_t k = 0;
        while (k < 4 && strcmp(actions[k], action) != 0) {
            k++;
        }
        if (k == 4) {
            return oscar_json_fail(&rl, "action", "expected drop, duplicate, delay or replay");
        }
        r->action = codes[k];
        const char *from;
        const char *to;
        OSCAR_TRY(get_str(&from, rr, "from", false, a, &rl));
        OSCAR_TRY(get_str(&to, rr, "to", false, a, &rl));
        const char *ends[2] = {from, to};
        char *dst[2] = {r->from, r->to};
        for (int e = 0; e < 2; e++) {
            if (ends[e] != NULL && strcmp(ends[e], "client") != 0 &&
                strcmp(ends[e], "server") != 0) {
                return oscar_json_fail(&rl, e ? "to" : "from", "expected client or server");
            }
            snprintf(dst[e], OSCAR_RELAY_NAME_MAX, "%s", ends[e] != NULL ? ends[e] : "");
        }
        int64_t v;
        bool present;
        OSCAR_TRY(oscar_json_get_int(&v, &present, rr, "nth", 1, 1000000, &rl));
        r->nth = present ? (unsigned)v : 0;
        OSCAR_TRY(oscar_json_get_int(&v, &present, rr, "percent", 0, 100, &rl));
        r->percent = present ? (unsigned)v : 0;
        if ((r->nth == 0) == !present) {
            return oscar_json_fail(&rl, "nth", "give exactly one of nth, percent");
        }
        OSCAR_TRY(oscar_json_get_int(&v, &present, rr, "delay_ms", 0, 60000, &rl));
        r->delay_ms = present ? (unsigned)v : 0;
        r->new_mid = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rr, "new_mid"));
        s->num_relay++;
    }
    const cJSON *vars = cJSON_GetObjectItemCaseSensitive(root, "negative_controls");
    const cJSON *vv;
    cJSON_ArrayForEach(vv, vars)
    {
        if (s->num_variants == OSCAR_SCENARIO_MAX_VARIANTS) {
            return oscar_json_fail(loc, "negative_controls", "too many");
        }
        struct oscar_json_loc vl;
        oscar_json_loc_push(&vl, loc, "negative_controls", 0);
        oscar_json_loc_push(&vl, &vl, NULL, s->num_variants);
        OSCAR_TRY(oscar_json_check_keys(vv, &vl, NULL, VARIANT_REQ));
        struct oscar_variant *v = &s->variants[s->num_variants++];
        OSCAR_TRY(get_str(&v->bug, vv, "bug", true, a, &vl));
        OSCAR_TRY(get_str(&v->node, vv, "node", true, a, &vl));
        OSCAR_TRY(get_str(&v->fails_at, vv, "fails_at", true, a, &vl));
        if (strcmp(v->node, "client") != 0 && strcmp(v->node, "server") != 0) {
            return oscar_json_fail(&vl, "node", "expected \"client\" or \"server\"");
        }
        bool known = false;
        for (size_t k = 0; k < s->num_steps; k++) {
            known = known || strcmp(s->steps[k].id, v->fails_at) == 0;
        }
        if (!known) {
            return oscar_json_fail(&vl, "fails_at", "no step \"%s\"", v->fails_at);
        }
    }
    return OSCAR_OK;
}

enum oscar_err oscar_scenario_load(struct oscar_scenario *out, const char *path, const char *dir,
                                   struct oscar_arena *arena, struct oscar_diag *diag)
{
    memset(out, 0, sizeof(*out));
    out->path = oscar_arena_strdup(arena, path);
    out->server_oscore_aware = true;
    cJSON *root = NULL;
    OSCAR_TRY(oscar_json_load_file(&root, path, diag));
    struct oscar_json_loc loc = {.file = out->path, .diag = diag};
    enum oscar_err err = load_tree(out, root, dir, &loc, arena);
    cJSON_Delete(root);
    return err;
}
