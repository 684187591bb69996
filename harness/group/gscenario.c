/* gscenario.c — see gscenario.h. */
#include "gscenario.h"

#include <stdio.h>
#include <string.h>

static const char *const TOP[] = {"id",
                                  "title",
                                  "source",
                                  "rfc",
                                  "ip",
                                  "suites",
                                  "description",
                                  "groups",
                                  "nodes",
                                  "multicast",
                                  "relay",
                                  "steps",
                                  "negative_controls",
                                  "allowed_violations",
                                  NULL};
static const char *const TOP_REQ[] = {"id",     "title", "source", "rfc",
                                      "groups", "nodes", "steps",  NULL};

static enum oscar_err str(const char **out, const cJSON *o, const char *key, bool required,
                          struct oscar_arena *a, const struct oscar_json_loc *loc)
{
    OSCAR_TRY(oscar_json_get_string(out, o, key, a, loc));
    if (required && *out == NULL) {
        return oscar_json_fail(loc, key, "missing required key");
    }
    return OSCAR_OK;
}

/* hexn reads obj[key] as hex of 1..cap bytes (min 0 when allow_empty). */
static enum oscar_err hexn(uint8_t *out, size_t cap, size_t *len, const cJSON *o, const char *key,
                           bool allow_empty, const struct oscar_json_loc *loc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v) ||
        oscar_hex_decode(out, cap, len, v->valuestring, strlen(v->valuestring)) != OSCAR_OK ||
        (*len == 0 && !allow_empty)) {
        return oscar_json_fail(loc, key, "expected hex of %s1 to %zu bytes",
                               allow_empty ? "0 or " : "", cap);
    }
    return OSCAR_OK;
}

static enum oscar_err index_of(size_t *out, const char *name, const char *const *names, size_t n,
                               const struct oscar_json_loc *loc, const char *key, const char *what)
{
    for (size_t i = 0; name != NULL && i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return OSCAR_OK;
        }
    }
    return oscar_json_fail(loc, key, "no %s named \"%s\"", what, name != NULL ? name : "");
}

static enum oscar_err load_groups(struct gs_scenario *s, const cJSON *arr, struct oscar_arena *a,
                                  const struct oscar_json_loc *loc)
{
    static const char *const keys[] = {"name",     "gid", "master_secret", "master_salt", "sig_alg",
                                       "pairwise", NULL};
    static const char *const req[] = {"name", "gid", "master_secret", "sig_alg", NULL};
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > GS_MAX_GROUPS) {
        return oscar_json_fail(loc, "groups", "expected 1 to %d groups", GS_MAX_GROUPS);
    }
    const cJSON *g;
    cJSON_ArrayForEach(g, arr)
    {
        struct oscar_json_loc l;
        oscar_json_loc_push(&l, loc, "groups", s->num_groups);
        oscar_json_loc_push(&l, &l, NULL, s->num_groups);
        struct gs_group *x = &s->groups[s->num_groups++];
        OSCAR_TRY(oscar_json_check_keys(g, &l, keys, req));
        OSCAR_TRY(str(&x->name, g, "name", true, a, &l));
        OSCAR_TRY(hexn(x->gid, sizeof(x->gid), &x->gid_len, g, "gid", false, &l));
        size_t n;
        OSCAR_TRY(hexn(x->secret, sizeof(x->secret), &n, g, "master_secret", false, &l));
        if (n != sizeof(x->secret)) {
            return oscar_json_fail(&l, "master_secret", "expected 16 bytes");
        }
        if (cJSON_GetObjectItemCaseSensitive(g, "master_salt") != NULL) {
            OSCAR_TRY(hexn(x->salt, sizeof(x->salt), &x->salt_len, g, "master_salt", true, &l));
        }
        int64_t sig;
        bool present;
        OSCAR_TRY(oscar_json_get_int(&sig, &present, g, "sig_alg", -8, -7, &l));
        x->sig_alg = (int32_t)sig;
        const cJSON *pw = cJSON_GetObjectItemCaseSensitive(g, "pairwise");
        x->pairwise = cJSON_IsTrue(pw);
    }
    return OSCAR_OK;
}

static enum oscar_err load_nodes(struct gs_scenario *s, const cJSON *arr, struct oscar_arena *a,
                                 const struct oscar_json_loc *loc)
{
    static const char *const keys[] = {
        "name", "role", "member_of", "app_groups", "pairwise_responses", NULL};
    static const char *const req[] = {"name", "role", "member_of", NULL};
    static const char *const roles[] = {"client", "server", "silent", "monitor"};
    const char *group_names[GS_MAX_GROUPS];
    for (size_t i = 0; i < s->num_groups; i++) {
        group_names[i] = s->groups[i].name;
    }
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 2 ||
        cJSON_GetArraySize(arr) > GS_MAX_NODES) {
        return oscar_json_fail(loc, "nodes", "expected 2 to %d nodes", GS_MAX_NODES);
    }
    const cJSON *n;
    cJSON_ArrayForEach(n, arr)
    {
        struct oscar_json_loc l;
        oscar_json_loc_push(&l, loc, "nodes", s->num_nodes);
        oscar_json_loc_push(&l, &l, NULL, s->num_nodes);
        struct gs_node *x = &s->nodes[s->num_nodes++];
        OSCAR_TRY(oscar_json_check_keys(n, &l, keys, req));
        OSCAR_TRY(str(&x->name, n, "name", true, a, &l));
        const char *role;
        OSCAR_TRY(str(&role, n, "role", true, a, &l));
        size_t r;
        OSCAR_TRY(index_of(&r, role, roles, 4, &l, "role", "role"));
        x->role = (enum gs_role)r;
        x->pairwise_responses =
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n, "pairwise_responses"));
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(n, "member_of"))
        {
            static const char *const mkeys[] = {"group", "sender_id", NULL};
            struct oscar_json_loc ml;
            oscar_json_loc_push(&ml, &l, "member_of", x->num_member_of);
            if (x->num_member_of == GS_MAX_GROUPS) {
                return oscar_json_fail(&ml, NULL, "too many memberships");
            }
            struct gs_membership *ms = &x->member_of[x->num_member_of++];
            OSCAR_TRY(oscar_json_check_keys(m, &ml, mkeys, mkeys));
            const char *gname;
            OSCAR_TRY(str(&gname, m, "group", true, a, &ml));
            OSCAR_TRY(
                index_of(&ms->group, gname, group_names, s->num_groups, &ml, "group", "group"));
            OSCAR_TRY(hexn(ms->sender_id, sizeof(ms->sender_id), &ms->sender_id_len, m, "sender_id",
                           true, &ml));
        }
        if (x->num_member_of == 0) {
            return oscar_json_fail(&l, "member_of", "a node is a member of at least one group");
        }
        const cJSON *ag;
        cJSON_ArrayForEach(ag, cJSON_GetObjectItemCaseSensitive(n, "app_groups"))
        {
            if (!cJSON_IsString(ag) || x->num_app_groups == GS_MAX_APP) {
                return oscar_json_fail(&l, "app_groups", "expected up to %d names", GS_MAX_APP);
            }
            x->app_groups[x->num_app_groups++] = oscar_arena_strdup(a, ag->valuestring);
        }
    }
    return OSCAR_OK;
}

static enum oscar_err load_mcast(struct gs_scenario *s, const cJSON *arr, struct oscar_arena *a,
                                 const struct oscar_json_loc *loc, const char *const *node_names)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, arr)
    {
        static const char *const keys[] = {"name", "members", NULL};
        struct oscar_json_loc l;
        oscar_json_loc_push(&l, loc, "multicast", s->num_mcast);
        if (s->num_mcast == GS_MAX_MCAST) {
            return oscar_json_fail(&l, NULL, "at most %d multicast groups", GS_MAX_MCAST);
        }
        struct gs_mcast *x = &s->mcast[s->num_mcast++];
        OSCAR_TRY(oscar_json_check_keys(m, &l, keys, keys));
        OSCAR_TRY(str(&x->name, m, "name", true, a, &l));
        const cJSON *mem;
        cJSON_ArrayForEach(mem, cJSON_GetObjectItemCaseSensitive(m, "members"))
        {
            if (!cJSON_IsString(mem) || x->num_members == GS_MAX_NODES) {
                return oscar_json_fail(&l, "members", "expected node names");
            }
            OSCAR_TRY(index_of(&x->members[x->num_members++], mem->valuestring, node_names,
                               s->num_nodes, &l, "members", "node"));
        }
    }
    return OSCAR_OK;
}

static enum oscar_err load_relay(struct gs_scenario *s, const cJSON *arr,
                                 const struct oscar_json_loc *loc, const char *const *names,
                                 size_t num_names)
{
    static const char *const keys[] = {"action", "from", "to", "nth", "percent", "delay_ms", NULL};
    static const char *const req[] = {"action", NULL};
    static const char *const actions[] = {"drop", "duplicate", "delay", "replay", "corrupt"};
    static const enum oscar_relay_action codes[] = {OSCAR_RELAY_DROP, OSCAR_RELAY_DUPLICATE,
                                                    OSCAR_RELAY_DELAY, OSCAR_RELAY_REPLAY,
                                                    OSCAR_RELAY_CORRUPT};
    const cJSON *r;
    cJSON_ArrayForEach(r, arr)
    {
        struct oscar_json_loc l;
        oscar_json_loc_push(&l, loc, "relay", s->num_relay);
        if (s->num_relay == GS_MAX_RULES) {
            return oscar_json_fail(&l, NULL, "at most %d rules", GS_MAX_RULES);
        }
        struct oscar_relay_rule *x = &s->relay[s->num_relay++];
        memset(x, 0, sizeof(*x));
        OSCAR_TRY(oscar_json_check_keys(r, &l, keys, req));
        const cJSON *act = cJSON_GetObjectItemCaseSensitive(r, "action");
        size_t k;
        OSCAR_TRY(index_of(&k, cJSON_IsString(act) ? act->valuestring : NULL, actions, 5, &l,
                           "action", "action"));
        x->action = codes[k];
        const char *ends[2] = {"from", "to"};
        char *dst[2] = {x->from, x->to};
        for (int e = 0; e < 2; e++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, ends[e]);
            if (v == NULL) {
                continue;
            }
            size_t idx;
            OSCAR_TRY(index_of(&idx, cJSON_IsString(v) ? v->valuestring : NULL, names, num_names,
                               &l, ends[e], "node or multicast group"));
            snprintf(dst[e], OSCAR_RELAY_NAME_MAX, "%s", names[idx]);
        }
        int64_t v;
        bool present;
        OSCAR_TRY(oscar_json_get_int(&v, &present, r, "nth", 1, 1000, &l));
        x->nth = present ? (unsigned)v : 0;
        OSCAR_TRY(oscar_json_get_int(&v, &present, r, "percent", 0, 100, &l));
        x->percent = present ? (unsigned)v : 0;
        if (x->nth == 0 && !present) {
            return oscar_json_fail(&l, NULL, "a rule needs nth or percent");
        }
        OSCAR_TRY(oscar_json_get_int(&v, &present, r, "delay_ms", 0, 60000, &l));
        x->delay_ms = present ? (unsigned)v : 0;
    }
    return OSCAR_OK;
}

static enum oscar_err load_step(struct gs_scenario *s, struct gs_step *x, const cJSON *st,
                                struct oscar_arena *a, const struct oscar_json_loc *l,
                                const char *const *node_names, const char *const *group_names,
                                const char *const *mcast_names)
{
    static const char *const keys[] = {"id",    "rfc",     "description", "request",
                                       "rekey", "restart", "expect",      NULL};
    static const char *const req[] = {"id", NULL};
    OSCAR_TRY(oscar_json_check_keys(st, l, keys, req));
    OSCAR_TRY(str(&x->id, st, "id", true, a, l));
    OSCAR_TRY(str(&x->rfc, st, "rfc", false, a, l));
    const cJSON *rq = cJSON_GetObjectItemCaseSensitive(st, "request");
    const cJSON *rk = cJSON_GetObjectItemCaseSensitive(st, "rekey");
    const cJSON *rst = cJSON_GetObjectItemCaseSensitive(st, "restart");
    if ((rq != NULL) + (rk != NULL) + (rst != NULL) != 1) {
        return oscar_json_fail(l, NULL, "a step is one of request, rekey, restart");
    }
    if (rst != NULL) {
        static const char *const skeys[] = {"node", "seq_start", NULL};
        static const char *const sreq[] = {"node", NULL};
        struct oscar_json_loc sl;
        oscar_json_loc_push(&sl, l, "restart", 0);
        x->kind = GS_STEP_RESTART;
        OSCAR_TRY(oscar_json_check_keys(rst, &sl, skeys, sreq));
        const char *node;
        OSCAR_TRY(str(&node, rst, "node", true, a, &sl));
        OSCAR_TRY(index_of(&x->node, node, node_names, s->num_nodes, &sl, "node", "node"));
        int64_t v;
        bool present;
        OSCAR_TRY(oscar_json_get_int(&v, &present, rst, "seq_start", 0, 1000000, &sl));
        x->seq_start = present ? (uint64_t)v : 1000;
        return OSCAR_OK;
    }
    if (rk != NULL) {
        static const char *const rkeys[] = {"group", "gid", "master_secret", NULL};
        struct oscar_json_loc rl;
        oscar_json_loc_push(&rl, l, "rekey", 0);
        x->kind = GS_STEP_REKEY;
        OSCAR_TRY(oscar_json_check_keys(rk, &rl, rkeys, rkeys));
        const char *g;
        OSCAR_TRY(str(&g, rk, "group", true, a, &rl));
        OSCAR_TRY(index_of(&x->group, g, group_names, s->num_groups, &rl, "group", "group"));
        size_t n;
        OSCAR_TRY(hexn(x->new_gid, sizeof(x->new_gid), &x->new_gid_len, rk, "gid", false, &rl));
        OSCAR_TRY(hexn(x->new_secret, sizeof(x->new_secret), &n, rk, "master_secret", false, &rl));
        return n == sizeof(x->new_secret) ? OSCAR_OK
                                          : oscar_json_fail(&rl, "master_secret", "16 bytes");
    }
    static const char *const qkeys[] = {"from",   "to",   "group",   "mode",
                                        "method", "path", "payload", NULL};
    static const char *const qreq[] = {"from", "to", "group", "method", "path", NULL};
    struct oscar_json_loc ql;
    oscar_json_loc_push(&ql, l, "request", 0);
    x->kind = GS_STEP_REQUEST;
    OSCAR_TRY(oscar_json_check_keys(rq, &ql, qkeys, qreq));
    const char *from, *to, *group, *mode;
    OSCAR_TRY(str(&from, rq, "from", true, a, &ql));
    OSCAR_TRY(str(&to, rq, "to", true, a, &ql));
    OSCAR_TRY(str(&group, rq, "group", true, a, &ql));
    OSCAR_TRY(str(&mode, rq, "mode", false, a, &ql));
    OSCAR_TRY(str(&x->method, rq, "method", true, a, &ql));
    OSCAR_TRY(str(&x->path, rq, "path", true, a, &ql));
    OSCAR_TRY(str(&x->payload, rq, "payload", false, a, &ql));
    OSCAR_TRY(index_of(&x->from, from, node_names, s->num_nodes, &ql, "from", "node"));
    OSCAR_TRY(index_of(&x->group, group, group_names, s->num_groups, &ql, "group", "group"));
    x->pairwise = mode != NULL && strcmp(mode, "pairwise") == 0;
    if (mode != NULL && !x->pairwise && strcmp(mode, "group") != 0) {
        return oscar_json_fail(&ql, "mode", "expected group or pairwise");
    }
    x->to_mcast = index_of(&x->to, to, mcast_names, s->num_mcast, &ql, "to", "") == OSCAR_OK;
    if (!x->to_mcast) {
        OSCAR_TRY(
            index_of(&x->to, to, node_names, s->num_nodes, &ql, "to", "node or multicast group"));
    }
    if (x->pairwise && x->to_mcast) {
        return oscar_json_fail(&ql, "mode", "pairwise mode is for one recipient (§8)");
    }
    static const char *const ekeys[] = {"responders", "code",    "codes",
                                        "echo_retry", "wait_ms", NULL};
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(st, "expect");
    struct oscar_json_loc el;
    oscar_json_loc_push(&el, l, "expect", 0);
    x->wait_ms = 500;
    if (ex != NULL) {
        OSCAR_TRY(oscar_json_check_keys(ex, &el, ekeys, NULL));
        const cJSON *rs = cJSON_GetObjectItemCaseSensitive(ex, "responders");
        if (rs != NULL) {
            x->expect_responders_given = true;
            const cJSON *r;
            cJSON_ArrayForEach(r, rs)
            {
                size_t idx;
                OSCAR_TRY(index_of(&idx, cJSON_IsString(r) ? r->valuestring : NULL, node_names,
                                   s->num_nodes, &el, "responders", "node"));
                x->responders[idx] = true;
            }
        }
        OSCAR_TRY(str(&x->code, ex, "code", false, a, &el));
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(ex, "codes");
        const cJSON *c;
        cJSON_ArrayForEach(c, cs)
        {
            size_t idx;
            OSCAR_TRY(index_of(&idx, c->string, node_names, s->num_nodes, &el, "codes", "node"));
            if (!cJSON_IsString(c)) {
                return oscar_json_fail(&el, "codes", "expected {node: \"2.04\"}");
            }
            x->codes[idx] = oscar_arena_strdup(a, c->valuestring);
        }
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(ex, "echo_retry"))
        {
            size_t idx;
            OSCAR_TRY(index_of(&idx, cJSON_IsString(c) ? c->valuestring : NULL, node_names,
                               s->num_nodes, &el, "echo_retry", "node"));
            x->echo_retry[idx] = true;
        }
        int64_t w;
        bool present;
        OSCAR_TRY(oscar_json_get_int(&w, &present, ex, "wait_ms", 50, 10000, &el));
        x->wait_ms = present ? (unsigned)w : x->wait_ms;
    }
    return OSCAR_OK;
}

enum oscar_err gs_load(struct gs_scenario *s, const char *path, struct oscar_arena *a,
                       struct oscar_diag *diag)
{
    memset(s, 0, sizeof(*s));
    s->path = oscar_arena_strdup(a, path);
    cJSON *root = NULL;
    OSCAR_TRY(oscar_json_load_file(&root, path, diag));
    struct oscar_json_loc loc = {.file = path, .diag = diag};
    enum oscar_err err = oscar_json_check_keys(root, &loc, TOP, TOP_REQ);
    if (err == OSCAR_OK) {
        err = str(&s->id, root, "id", true, a, &loc);
    }
    if (err == OSCAR_OK) {
        loc.record = s->id;
        err = str(&s->title, root, "title", true, a, &loc);
    }
    if (err == OSCAR_OK) {
        err = str(&s->source, root, "source", true, a, &loc);
    }
    if (err == OSCAR_OK) {
        err = str(&s->rfc, root, "rfc", true, a, &loc);
    }
    const char *ip = NULL;
    if (err == OSCAR_OK) {
        err = str(&ip, root, "ip", false, a, &loc);
    }
    if (err == OSCAR_OK && ip != NULL && strcmp(ip, "ipv4") != 0 && strcmp(ip, "ipv6") != 0) {
        err = oscar_json_fail(&loc, "ip", "expected \"ipv4\" or \"ipv6\"");
    }
    s->ipv6 = ip != NULL && strcmp(ip, "ipv6") == 0;
    const cJSON *su;
    cJSON_ArrayForEach(su, cJSON_GetObjectItemCaseSensitive(root, "suites"))
    {
        if (cJSON_IsString(su) && s->num_suites < 4) {
            s->suites[s->num_suites++] = oscar_arena_strdup(a, su->valuestring);
        }
    }
    if (err == OSCAR_OK) {
        err = load_groups(s, cJSON_GetObjectItemCaseSensitive(root, "groups"), a, &loc);
    }
    if (err == OSCAR_OK) {
        err = load_nodes(s, cJSON_GetObjectItemCaseSensitive(root, "nodes"), a, &loc);
    }
    const char *node_names[GS_MAX_NODES];
    const char *group_names[GS_MAX_GROUPS];
    const char *mcast_names[GS_MAX_MCAST];
    const char *all_names[GS_MAX_NODES + GS_MAX_MCAST];
    for (size_t i = 0; i < s->num_nodes; i++) {
        node_names[i] = all_names[i] = s->nodes[i].name;
    }
    for (size_t i = 0; i < s->num_groups; i++) {
        group_names[i] = s->groups[i].name;
    }
    if (err == OSCAR_OK) {
        err =
            load_mcast(s, cJSON_GetObjectItemCaseSensitive(root, "multicast"), a, &loc, node_names);
    }
    for (size_t i = 0; i < s->num_mcast; i++) {
        mcast_names[i] = all_names[s->num_nodes + i] = s->mcast[i].name;
    }
    if (err == OSCAR_OK) {
        err = load_relay(s, cJSON_GetObjectItemCaseSensitive(root, "relay"), &loc, all_names,
                         s->num_nodes + s->num_mcast);
    }
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(root, "steps"))
    {
        if (err != OSCAR_OK) {
            break;
        }
        struct oscar_json_loc l;
        oscar_json_loc_push(&l, &loc, "steps", s->num_steps);
        if (s->num_steps == GS_MAX_STEPS) {
            err = oscar_json_fail(&l, NULL, "at most %d steps", GS_MAX_STEPS);
            break;
        }
        err = load_step(s, &s->steps[s->num_steps++], st, a, &l, node_names, group_names,
                        mcast_names);
    }
    if (err == OSCAR_OK && s->num_steps == 0) {
        err = oscar_json_fail(&loc, "steps", "at least one step");
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "negative_controls"))
    {
        static const char *const vkeys[] = {"bug", "node", "fails_at", NULL};
        struct oscar_json_loc l;
        oscar_json_loc_push(&l, &loc, "negative_controls", s->num_variants);
        if (err != OSCAR_OK || s->num_variants == GS_MAX_VARIANTS) {
            break;
        }
        struct gs_variant *x = &s->variants[s->num_variants++];
        const char *node;
        err = oscar_json_check_keys(v, &l, vkeys, vkeys);
        if (err == OSCAR_OK) {
            err = str(&x->bug, v, "bug", true, a, &l);
        }
        if (err == OSCAR_OK) {
            err = str(&node, v, "node", true, a, &l);
        }
        if (err == OSCAR_OK) {
            err = index_of(&x->node, node, node_names, s->num_nodes, &l, "node", "node");
        }
        if (err == OSCAR_OK) {
            err = str(&x->fails_at, v, "fails_at", true, a, &l);
        }
    }
    const cJSON *al;
    cJSON_ArrayForEach(al, cJSON_GetObjectItemCaseSensitive(root, "allowed_violations"))
    {
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(al, "rule");
        if (cJSON_IsString(rule) && s->num_allowed < 4) {
            s->allowed[s->num_allowed++] = oscar_arena_strdup(a, rule->valuestring);
        }
    }
    cJSON_Delete(root);
    return err;
}
