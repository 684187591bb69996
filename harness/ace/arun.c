/* arun.c — `oscar run --suite ace` (issue 6): the scenarios of scenarios/ace/ run an
 * Authorization Server, a Group Manager and joining nodes (oscar-peer --role as|gm|joiner, or a
 * manifest's implementation of any of them) through the harness's relay, and judge every one
 * from the capture alone:
 *  - the OSCORE-profile contexts are derived from the trace (each /authz-info request's token
 *    decrypted with the AS-GM key the harness configured, N1 and ID1 from it, N2 and ID2 from the
 *    answer), so every exchange with the GM is decrypted by the checker's decoder;
 *  - every trace rule applies (the OSCORE ones and the ACE-* ones on the GM's messages);
 *  - each joiner step's request is found in the capture (in order) and its answer's code, and
 *    error-id when the scenario gives one, compared with the scenario;
 *  - every Join Response's kdc_cred_verify is verified over the N_C of its request, Sender IDs
 *    handed out under one Gid are unique, and the members the scenario names receive a
 *    rekeying message (or none).
 * A scenario's negative controls run it again with a fault switch of one role and must fail at
 * the step they name. */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "../check/rules.h"
#include "../main/cli.h"
#include "../run/proc.h"
#include "../run/run_internal.h"
#include "oscar/coap.h"
#include "oscar/gm.h"
#include "oscar/group.h"

#define MAX_SCEN 64
#define MAX_JOINERS 8
#define MAX_VARIANTS 8
#define READY_MS 5000
#define STEP_MS 7000
#define NOW 1900000000

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* struct role_impl is the implementation playing a role: its manifest's command line for the
 * role ("as", "gm" or "joiner" in impl/NAME/impl.json), fault-switch flag, and whether it can
 * run at all. */
struct role_impl {
    const char *name;
    char dir[1100];
    const char *argv[32];
    size_t argc;
    const char *bug_flag;
    const char *skip; /* set: every test with it is SKIP, with this reason */
};

struct node {
    char name[32];
    size_t relay_index;
    struct oscar_proc proc;
    bool started;
    bool done;
    struct oscar_endpoint real;
    const cJSON *steps; /* joiners */
    const cJSON *bugs;  /* the scenario's stimulus on this node ("bugs"), the reference's */
};

struct arun {
    const cJSON *scen;
    const char *id;
    char dir[1400];
    uint64_t seed;
    const char *bin_dir;
    const char *root;
    const struct role_impl *impl_as, *impl_gm, *impl_joiner;
    struct oscar_arena *arena;
    const char *bug;      /* the variant's fault switch, or NULL */
    const char *bug_node; /* "as", "gm" or a joiner's name */
    struct oscar_relay relay;
    struct node as, gm;
    struct node j[MAX_JOINERS];
    size_t nj;
    size_t group_index; /* the relay's multicast alias of the joiners */
    uint8_t token_key[16];
    FILE *events;
    bool failed;
    char fail_step[64];
    char reason[1024];
};

static void afail(struct arun *a, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void afail(struct arun *a, const char *step, const char *fmt, ...)
{
    if (a->failed) {
        return;
    }
    a->failed = true;
    snprintf(a->fail_step, sizeof(a->fail_step), "%s", step != NULL ? step : "set-up");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
    va_end(ap);
}

static const char *str(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static int num(const cJSON *o, const char *key, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : dflt;
}

static void hex_of(char *out, const uint8_t *b, size_t n)
{
    oscar_hex_encode(out, b, n);
}

/* key_for draws the 32-byte private key (or the 16-byte token key) of a role from the seed. */
static void key_for(const struct arun *a, const char *who, uint8_t *out, size_t n)
{
    (void)oscar_ace_draw(oscar_crypto_wolfssl(), a->seed, 0, who, out, n);
}

static bool write_json(const char *path, cJSON *doc)
{
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    FILE *f = text != NULL ? fopen(path, "w") : NULL;
    bool ok = f != NULL && fputs(text, f) >= 0;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    cJSON_free(text);
    return ok;
}

/* base_config is what every role's config holds: the clock and the AS-GM token key. */
static cJSON *base_config(const struct arun *a, int clock_offset)
{
    cJSON *c = cJSON_CreateObject();
    char h[64];
    cJSON_AddNumberToObject(c, "now", NOW + clock_offset);
    hex_of(h, a->token_key, sizeof(a->token_key));
    cJSON_AddStringToObject(c, "token_key", h);
    return c;
}

static bool write_configs(struct arun *a)
{
    char path[1600], h[80];
    uint8_t k[32];
    const cJSON *gm = cJSON_GetObjectItemCaseSensitive(a->scen, "gm");
    /* the AS */
    cJSON *c = base_config(a, 0);
    cJSON *as = cJSON_AddObjectToObject(c, "as");
    key_for(a, "as", k, 32);
    hex_of(h, k, 32);
    cJSON_AddStringToObject(as, "priv", h);
    cJSON_AddItemToObject(
        as, "policies",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(a->scen, "policies"), true));
    snprintf(path, sizeof(path), "%s/as.json", a->dir);
    if (!write_json(path, c)) {
        return false;
    }
    /* the GM, with its own clock (a later one makes tokens expire) */
    c = base_config(a, num(gm, "clock_offset", 0));
    cJSON *g = cJSON_AddObjectToObject(c, "gm");
    key_for(a, "gm", k, 32);
    hex_of(h, k, 32);
    cJSON_AddStringToObject(g, "priv", h);
    cJSON_AddNumberToObject(g, "sid_count", num(gm, "sid_count", 32));
    cJSON_AddBoolToObject(g, "inactive",
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gm, "inactive")));
    cJSON_AddBoolToObject(g, "rekey_on_join",
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gm, "rekey_on_join")));
    cJSON_AddBoolToObject(g, "pairwise_only",
                          cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(gm, "pairwise_only")));
    snprintf(path, sizeof(path), "%s/gm.json", a->dir);
    if (!write_json(path, c)) {
        return false;
    }
    /* the joiners: the AS and GM by their relay aliases */
    char as_alias[64], gm_alias[64];
    oscar_endpoint_format(as_alias, sizeof(as_alias), &a->relay.nodes[a->as.relay_index].alias);
    oscar_endpoint_format(gm_alias, sizeof(gm_alias), &a->relay.nodes[a->gm.relay_index].alias);
    for (size_t i = 0; i < a->nj; i++) {
        c = base_config(a, 0);
        cJSON *j = cJSON_AddObjectToObject(c, "joiner");
        cJSON_AddStringToObject(j, "name", a->j[i].name);
        key_for(a, a->j[i].name, k, 32);
        hex_of(h, k, 32);
        cJSON_AddStringToObject(j, "priv", h);
        cJSON_AddStringToObject(j, "as", as_alias);
        cJSON_AddStringToObject(j, "gm", gm_alias);
        char group_alias[64];
        oscar_endpoint_format(group_alias, sizeof(group_alias),
                              &a->relay.nodes[a->group_index].alias);
        cJSON_AddStringToObject(j, "group", group_alias);
        cJSON_AddItemToObject(j, "steps", cJSON_Duplicate(a->j[i].steps, true));
        snprintf(path, sizeof(path), "%s/%s.json", a->dir, a->j[i].name);
        if (!write_json(path, c)) {
            return false;
        }
    }
    return true;
}

static bool start(struct arun *a, struct node *n, const char *role)
{
    char config[1600], log[1600], seed_s[32];
    snprintf(config, sizeof(config), "%s/%s.json", a->dir, n->name);
    snprintf(log, sizeof(log), "%s/%s.log", a->dir, n->name);
    snprintf(seed_s, sizeof(seed_s), "%llu", (unsigned long long)(a->seed * 131 + n->relay_index));
    const struct role_impl *im = strcmp(role, "as") == 0   ? a->impl_as
                                 : strcmp(role, "gm") == 0 ? a->impl_gm
                                                           : a->impl_joiner;
    const char *const subst[][2] = {{"{bin}", a->bin_dir},     {"{root}", a->root},
                                    {"{impl}", im->dir},       {"{config}", config},
                                    {"{bind}", "127.0.0.1:0"}, {"{seed}", seed_s}};
    char *argv[40];
    size_t argc = 0;
    for (size_t k = 0; k < im->argc && argc < 36; k++) {
        argv[argc++] = oscar_expand_placeholders(im->argv[k], subst, 6, a->arena);
    }
    if (a->bug != NULL && strcmp(a->bug_node, n->name) == 0 && im->bug_flag != NULL) {
        argv[argc++] = oscar_arena_strdup(a->arena, im->bug_flag);
        argv[argc++] = oscar_arena_strdup(a->arena, a->bug);
    }
    /* the scenario's own stimulus: fault switches of the reference it sets on a node */
    const cJSON *bugs = n->bugs;
    const cJSON *b;
    cJSON_ArrayForEach(b, bugs)
    {
        if (cJSON_IsString(b) && argc < 38) {
            argv[argc++] = oscar_arena_strdup(a->arena, "--bug");
            argv[argc++] = oscar_arena_strdup(a->arena, b->valuestring);
        }
    }
    argv[argc] = NULL;
    struct oscar_diag d = {{0}};
    if (oscar_proc_spawn(&n->proc, argv, log, &d) != OSCAR_OK) {
        afail(a, NULL, "cannot start %s (%s): %s", n->name, im->name, d.msg);
        return false;
    }
    n->started = true;
    unsigned port;
    if (oscar_proc_wait_ready(&n->proc, &port, READY_MS, &d) != OSCAR_OK) {
        afail(a, NULL, "%s (%s) did not start: %s (see %s)", n->name, im->name, d.msg, log);
        return false;
    }
    oscar_endpoint_parse(&n->real, "127.0.0.1:0");
    n->real.port = (uint16_t)port;
    oscar_relay_set_real(&a->relay, n->relay_index, &n->real);
    return true;
}

/* role_load reads the command line of role from impl/NAME/impl.json. */
static enum oscar_err role_load(struct role_impl *out, const char *root, const char *name,
                                const char *role, struct oscar_arena *arena,
                                struct oscar_diag *diag)
{
    char path[1200];
    memset(out, 0, sizeof(*out));
    out->name = name;
    snprintf(out->dir, sizeof(out->dir), "%s/impl/%s", root, name);
    snprintf(path, sizeof(path), "%s/impl.json", out->dir);
    cJSON *m = NULL;
    OSCAR_TRY(oscar_json_load_file(&m, path, diag));
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(m, role);
    const char *unavailable = str(m, "unavailable", NULL);
    const char *bug = str(m, "bug_flag", NULL);
    out->bug_flag = bug != NULL ? oscar_arena_strdup(arena, bug) : NULL;
    if (unavailable != NULL) {
        out->skip = oscar_arena_strdup(arena, unavailable);
    } else if (!cJSON_IsArray(cmd) || cJSON_GetArraySize(cmd) == 0) {
        char why[300];
        snprintf(why, sizeof(why), "impl/%s has no \"%s\" role in impl.json", name, role);
        out->skip = oscar_arena_strdup(arena, why);
    }
    const cJSON *arg;
    cJSON_ArrayForEach(arg, cmd)
    {
        if (cJSON_IsString(arg) && out->argc < 32) {
            out->argv[out->argc++] = oscar_arena_strdup(arena, arg->valuestring);
        }
    }
    cJSON_Delete(m);
    return OSCAR_OK;
}

static void collect(struct arun *a, struct node *n)
{
    const char *line;
    for (;;) {
        oscar_proc_read_line(&n->proc, &line);
        if (line == NULL) {
            return;
        }
        if (a->events != NULL) {
            fprintf(a->events, "%s %s\n", n->name, line);
        }
        if (strstr(line, "\"event\":\"done\"") != NULL) {
            n->done = true;
        }
    }
}

/* pump runs the relay and reads the nodes' events until until_ms, or until *flag is set. */
static void pump(struct arun *a, long until_ms, const bool *flag)
{
    struct node *all[MAX_JOINERS + 2] = {&a->as, &a->gm};
    size_t na = 2;
    for (size_t i = 0; i < a->nj; i++) {
        all[na++] = &a->j[i];
    }
    while (!a->failed && (flag == NULL || !*flag)) {
        if (interrupted) {
            afail(a, NULL, "interrupted (Ctrl-C)");
            return;
        }
        struct pollfd fds[OSCAR_RELAY_MAX_NODES + MAX_JOINERS + 2];
        size_t n = oscar_relay_pollfds(&a->relay, fds, OSCAR_RELAY_MAX_NODES);
        for (size_t i = 0; i < na; i++) {
            if (all[i]->started && !all[i]->proc.out_eof) {
                fds[n].fd = all[i]->proc.out_fd;
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                n++;
            }
        }
        long left = until_ms - mono_ms();
        if (left <= 0) {
            return;
        }
        int rt = oscar_relay_timeout_ms(&a->relay, 0);
        int wait = left > 50 ? 50 : (int)left;
        (void)poll(fds, n, rt >= 0 && rt < wait ? rt : wait);
        struct oscar_diag d = {{0}};
        if (oscar_relay_service(&a->relay, oscar_now_usec(), &d) != OSCAR_OK) {
            afail(a, NULL, "relay: %s", d.msg);
            return;
        }
        for (size_t i = 0; i < na; i++) {
            if (all[i]->started) {
                collect(a, all[i]);
                if (oscar_proc_poll_exit(&all[i]->proc)) {
                    char st[96];
                    oscar_proc_describe_status(all[i]->proc.status, st, sizeof(st));
                    afail(a, NULL, "%s exited during the test (%s)", all[i]->name, st);
                    all[i]->started = false;
                }
            }
        }
    }
}

/* --- judging from the capture --- */

static bool path_is(const struct oscar_coap_msg *m, const char *want)
{
    char path[160];
    oscar_coap_path(m, OSCAR_COAP_OPT_URI_PATH, path, sizeof(path));
    return strcmp(path, want) == 0;
}

/* response_of returns the index of the first answer to request q, or -1. */
static long response_of(const struct oscar_transcript *t, size_t q)
{
    for (size_t i = q + 1; i < t->num_msgs; i++) {
        if (t->msgs[i].request == (long)q) {
            return (long)i;
        }
    }
    return -1;
}

/* plain_msg parses message i as its decrypted (or plain) CoAP. */
static bool plain_msg(const struct oscar_transcript *t, size_t i, struct oscar_coap_msg *m)
{
    size_t off;
    const struct oscar_decoded *d = &t->msgs[i];
    if (d->oscore && d->verdict != OSCAR_OSCORE_ACCEPT) {
        return false;
    }
    return oscar_coap_parse(m, &off, d->plain, d->plain_len) == OSCAR_COAP_WELL_FORMED;
}

size_t oscar_ace_derive_specs(const uint8_t token_key[16], const struct oscar_transcript *t,
                              struct oscar_context_spec *out, size_t cap, struct oscar_arena *arena)
{
    size_t n = 0;
    for (size_t i = 0; i < t->num_msgs && n < cap; i++) {
        const struct oscar_decoded *d = &t->msgs[i];
        struct oscar_coap_msg m, r;
        if (!d->is_request || d->oscore || d->first_copy != (long)i || !plain_msg(t, i, &m) ||
            m.code != OSCAR_COAP_CODE_POST || !path_is(&m, "authz-info") || !m.has_payload) {
            continue;
        }
        long ri = response_of(t, i);
        struct oscar_ace_authz_response ar;
        char why[256];
        if (ri < 0 || !plain_msg(t, (size_t)ri, &r) || r.code != OSCAR_COAP_CODE_CREATED ||
            !oscar_ace_authz_response_read(r.payload, r.payload_len, &ar, why, sizeof(why)) ||
            ar.n2 == NULL) {
            continue;
        }
        /* the request: {1: token, 40: N1, 43: ID1} */
        struct oscar_ace_authz_request aq;
        struct oscar_ace_claims cl;
        if (!oscar_ace_authz_request_read(m.payload, m.payload_len, &aq, why, sizeof(why)) ||
            aq.n1 == NULL || aq.id1 == NULL) {
            continue;
        }
        const uint8_t *tok = aq.token, *n1 = aq.n1, *id1 = aq.id1;
        size_t tok_len = aq.token_len, n1_len = aq.n1_len, id1_len = aq.id1_len;
        (void)oscar_ace_cwt_check_encrypted(oscar_crypto_wolfssl(), token_key, "", "", 0, tok,
                                            tok_len, &cl, why, sizeof(why));
        uint8_t salt[128];
        size_t salt_len = 0;
        struct oscar_ace_osc_params op = {&cl,    n1,        ar.n2,   id1,       ar.id2,
                                          n1_len, ar.n2_len, id1_len, ar.id2_len};
        uint8_t *ms = oscar_arena_alloc(arena, cl.osc_ms_len + 1);
        uint8_t *sa = oscar_arena_alloc(arena, sizeof(salt));
        uint8_t *sid = oscar_arena_alloc(arena, ar.id2_len + 1);
        uint8_t *rid = oscar_arena_alloc(arena, id1_len + 1);
        if (!cl.has_osc || ms == NULL || sa == NULL || sid == NULL || rid == NULL ||
            oscar_ace_osc_salt(&op, salt, sizeof(salt), &salt_len) != OSCAR_OK) {
            continue;
        }
        struct oscar_context_spec *sp = &out[n++];
        memset(sp, 0, sizeof(*sp));
        snprintf(sp->name, sizeof(sp->name), "authz-info@%zu", d->frame);
        memcpy(ms, cl.osc_ms, cl.osc_ms_len);
        memcpy(sa, salt, salt_len);
        memcpy(sid, ar.id2, ar.id2_len);
        memcpy(rid, id1, id1_len);
        sp->master_secret = (struct oscar_bytes_field){true, false, ms, cl.osc_ms_len};
        sp->master_salt = (struct oscar_bytes_field){true, false, sa, salt_len};
        sp->sender_id = (struct oscar_bytes_field){true, false, sid, ar.id2_len};
        sp->recipient_id = (struct oscar_bytes_field){true, false, rid, id1_len};
        /* RFC 9203 §4.3: ID Context, AEAD and HKDF from the material when it has them */
        uint8_t *ctx_id = oscar_arena_alloc(arena, cl.osc_context_id_len + 1);
        if (cl.osc_has_context_id && ctx_id != NULL) {
            memcpy(ctx_id, cl.osc_context_id, cl.osc_context_id_len);
            sp->id_context = (struct oscar_bytes_field){true, false, ctx_id, cl.osc_context_id_len};
        } else {
            sp->id_context = (struct oscar_bytes_field){true, true, NULL, 0};
        }
        sp->aead_alg = cl.osc_alg != 0 ? cl.osc_alg : OSCAR_COSE_ALG_AES_CCM_16_64_128;
        sp->hkdf_alg = cl.osc_hkdf == 7 ? OSCAR_COSE_ALG_HKDF_SHA512 : OSCAR_COSE_ALG_HKDF_SHA256;
    }
    return n;
}

/* problem_id reads the error-id of concise problem details (-1 if none). */
static int problem_id(const struct oscar_coap_msg *m)
{
    if (!m->has_payload || m->payload_len != 5 || m->payload[0] != 0xa1 || m->payload[2] != 0xa1 ||
        m->payload[4] > 0x17) {
        return -1;
    }
    return m->payload[4];
}

/* --- Group OSCORE traffic of the joined members, verified with what the trace distributed --- */

struct gkeys {
    struct {
        uint8_t sid[4], cred[160], pub[32];
        size_t sid_len, cred_len;
        size_t since; /* the message that gave the Sender ID */
    } m[32];
    size_t nm;
    size_t at; /* the message being verified: a Sender ID means its latest holder before it */
    struct {
        uint8_t ms[32], salt[32], gid[16], gm_cred[160];
        size_t ms_len, salt_len, gid_len, gm_cred_len;
        size_t since; /* the message that first distributed it */
    } v[16];
    size_t nv;
    size_t verified_version; /* set by group_responders */
};

static bool gk_lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred,
                      size_t *cred_len, uint8_t *pub)
{
    const struct gkeys *g = arg;
    for (size_t i = g->nm; i-- > 0;) {
        if (g->m[i].since < g->at && g->m[i].sid_len == kid_len &&
            memcmp(g->m[i].sid, kid, kid_len) == 0) {
            memcpy(cred, g->m[i].cred, g->m[i].cred_len);
            *cred_len = g->m[i].cred_len;
            memcpy(pub, g->m[i].pub, 32);
            return true;
        }
    }
    return false;
}

static void gk_version(struct gkeys *g, const struct oscar_ace_join_info *info,
                       const uint8_t *gm_cred, size_t gm_cred_len, size_t at)
{
    if (g->nv == 16 || info->ms_len > 32 || info->gid_len > 16 || info->salt_len > 32 ||
        gm_cred_len > 160) {
        return;
    }
    for (size_t i = 0; i < g->nv; i++) {
        if (g->v[i].gid_len == info->gid_len &&
            memcmp(g->v[i].gid, info->gid, info->gid_len) == 0) {
            return;
        }
    }
    memcpy(g->v[g->nv].ms, info->ms, info->ms_len);
    g->v[g->nv].ms_len = info->ms_len;
    memcpy(g->v[g->nv].gid, info->gid, info->gid_len);
    g->v[g->nv].gid_len = info->gid_len;
    g->v[g->nv].salt_len = info->has_salt ? info->salt_len : 0;
    if (g->v[g->nv].salt_len > 0) {
        memcpy(g->v[g->nv].salt, info->salt, info->salt_len);
    }
    memcpy(g->v[g->nv].gm_cred, gm_cred, gm_cred_len);
    g->v[g->nv].since = at;
    g->v[g->nv++].gm_cred_len = gm_cred_len;
}

/* gather_keys reads, from the decrypted GM exchanges, each member's Sender ID and credential
 * (its Join Request's client_cred, its Join Response's key{7}) and every version of the keying
 * material (Join Responses, rekeying messages). */
static void gather_keys(const struct oscar_transcript *t, struct gkeys *g)
{
    static struct oscar_ace_join_info info;
    uint8_t gm_cred[160];
    size_t gm_cred_len = 0;
    static struct {
        char node[160];
        uint8_t sid[4];
        size_t sid_len;
    } nodes[32];
    size_t nn = 0;
    for (size_t i = 0; i < t->num_msgs; i++) {
        struct oscar_coap_msg m, q;
        const struct oscar_decoded *d = &t->msgs[i];
        if (!plain_msg(t, i, &m)) {
            continue;
        }
        /* a new credential accepted (2.04 to POST .../nodes/NODE/cred): that member's from now */
        char upath[200];
        struct oscar_ace_join_fields cf;
        if (!d->is_request && d->request >= 0 && m.code == OSCAR_COAP_CODE_CHANGED &&
            plain_msg(t, (size_t)d->request, &q) && q.code == OSCAR_COAP_CODE_POST &&
            q.has_payload &&
            oscar_coap_path(&q, OSCAR_COAP_OPT_URI_PATH, upath, sizeof(upath)) > 0 &&
            oscar_ace_join_request_read(q.payload, q.payload_len, &cf, NULL, 0) &&
            cf.cred != NULL) {
            for (size_t k = 0; k < nn && g->nm < 32; k++) {
                size_t nl = strlen(nodes[k].node);
                if (strncmp(upath, nodes[k].node, nl) == 0 && strcmp(upath + nl, "/cred") == 0 &&
                    cf.cred_len <= 160 &&
                    oscar_ace_ccs_pub(cf.cred, cf.cred_len, g->m[g->nm].pub)) {
                    memcpy(g->m[g->nm].sid, nodes[k].sid, nodes[k].sid_len);
                    g->m[g->nm].sid_len = nodes[k].sid_len;
                    memcpy(g->m[g->nm].cred, cf.cred, cf.cred_len);
                    g->m[g->nm].cred_len = cf.cred_len;
                    g->m[g->nm++].since = i;
                }
            }
            continue;
        }
        if (!m.has_payload) {
            continue;
        }
        if (d->is_request && m.code == OSCAR_COAP_CODE_POST && !path_is(&m, "ace-group/g1") &&
            oscar_ace_join_info_read(m.payload, m.payload_len, OSCAR_ACE_REKEYING, false, &info,
                                     NULL, 0)) {
            gk_version(g, &info, gm_cred, gm_cred_len, i);
            continue;
        }
        struct oscar_ace_join_fields f;
        if (d->is_request || d->request < 0 || !plain_msg(t, (size_t)d->request, &q) ||
            q.code != OSCAR_COAP_CODE_POST || !path_is(&q, "ace-group/g1") || !q.has_payload ||
            !oscar_ace_join_request_read(q.payload, q.payload_len, &f, NULL, 0) ||
            !oscar_ace_join_info_read(m.payload, m.payload_len, OSCAR_ACE_JOIN_RESPONSE,
                                      f.cred == NULL, &info, NULL, 0)) {
            continue;
        }
        if (info.kdc_cred_len <= sizeof(gm_cred)) {
            memcpy(gm_cred, info.kdc_cred, info.kdc_cred_len);
            gm_cred_len = info.kdc_cred_len;
        }
        gk_version(g, &info, gm_cred, gm_cred_len, i);
        if (info.has_sid && f.cred != NULL && g->nm < 32 && info.sid_len <= 4 &&
            f.cred_len <= 160 && oscar_ace_ccs_pub(f.cred, f.cred_len, g->m[g->nm].pub)) {
            memcpy(g->m[g->nm].sid, info.sid, info.sid_len);
            g->m[g->nm].sid_len = info.sid_len;
            memcpy(g->m[g->nm].cred, f.cred, f.cred_len);
            g->m[g->nm].since = i;
            g->m[g->nm++].cred_len = f.cred_len;
            /* its node resource (Location-Path), for a later new credential */
            if (nn < 32 && info.sid_len <= 4) {
                oscar_coap_path(&m, OSCAR_COAP_OPT_LOCATION_PATH, nodes[nn].node,
                                sizeof(nodes[nn].node));
                memcpy(nodes[nn].sid, info.sid, info.sid_len);
                nodes[nn++].sid_len = info.sid_len;
            }
        }
    }
}

/* group_responders verifies group request q of the capture with the material of its kid
 * context and counts the verified responses to it; -1 when the request itself does not verify
 * under any version. */
static int group_responders(const struct oscar_transcript *t, size_t q, struct gkeys *g)
{
    g->at = q;
    static const uint8_t verifier_priv[32] = {0x5e};
    static const uint8_t verifier_id[2] = {0xfe, 0xfe};
    for (size_t k = 0; k < g->nv; k++) {
        static struct oscar_group_ctx ctx;
        static struct oscar_group_recipient slots[16];
        memset(slots, 0, sizeof(slots));
        struct oscar_group_params gp = {.master_secret = g->v[k].ms,
                                        .master_secret_len = g->v[k].ms_len,
                                        .master_salt = g->v[k].salt_len ? g->v[k].salt : NULL,
                                        .master_salt_len = g->v[k].salt_len,
                                        .gid = g->v[k].gid,
                                        .gid_len = g->v[k].gid_len,
                                        .group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
                                        .sig_alg = OSCAR_COSE_ALG_EDDSA,
                                        .aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
                                        .pairwise_alg = OSCAR_COSE_ALG_ECDH_SS_HKDF_256,
                                        .gm_cred = g->v[k].gm_cred,
                                        .gm_cred_len = g->v[k].gm_cred_len,
                                        .sender_id = verifier_id,
                                        .sender_id_len = 2,
                                        .sender_priv = verifier_priv,
                                        .sender_cred = verifier_id,
                                        .sender_cred_len = 2,
                                        .recipients = slots,
                                        .recipients_cap = 16,
                                        .cred_lookup = gk_lookup,
                                        .cred_arg = g};
        if (oscar_group_ctx_init(&ctx, oscar_crypto_wolfssl(), &gp) != OSCAR_OK) {
            continue;
        }
        enum oscar_oscore_verdict v;
        struct oscar_group_recipient *who;
        static uint8_t dec[2 * 2048];
        size_t dn;
        struct oscar_group_exchange ex;
        const struct oscar_decoded *d = &t->msgs[q];
        if (oscar_group_unprotect_request(&ctx, &v, &who, dec, sizeof(dec), &dn, &ex, d->wire,
                                          d->wire_len) != OSCAR_OK ||
            v != OSCAR_OSCORE_ACCEPT) {
            oscar_group_ctx_cleanup(&ctx);
            continue;
        }
        int n = 0;
        for (size_t i = q + 1; i < t->num_msgs; i++) {
            const struct oscar_decoded *r = &t->msgs[i];
            if (r->is_request || r->token_len != d->token_len ||
                memcmp(r->token, d->token, d->token_len) != 0 ||
                !oscar_endpoint_equal(&r->dst, &d->src)) {
                continue;
            }
            n += oscar_group_unprotect_response(&ctx, &v, &who, dec, sizeof(dec), &dn, &ex, r->wire,
                                                r->wire_len) == OSCAR_OK &&
                 v == OSCAR_OSCORE_ACCEPT;
        }
        oscar_group_ctx_cleanup(&ctx);
        g->verified_version = k;
        return n;
    }
    return -1;
}

static void judge_steps(struct arun *a, const struct oscar_transcript *t, struct gkeys *g)
{
    for (size_t ji = 0; ji < a->nj && !a->failed; ji++) {
        struct node *jn = &a->j[ji];
        size_t q = 0; /* the next of jn's requests in the capture */
        int k = 0;
        const cJSON *st;
        cJSON_ArrayForEach(st, jn->steps)
        {
            char step[64];
            snprintf(step, sizeof(step), "%s/%d", jn->name, k++);
            if (strcmp(str(st, "op", ""), "wait") == 0) {
                continue;
            }
            while (q < t->num_msgs && !(t->msgs[q].is_request && t->msgs[q].first_copy == (long)q &&
                                        oscar_endpoint_equal(&t->msgs[q].src, &jn->real))) {
                q++;
            }
            if (q >= t->num_msgs) {
                afail(a, step, "%s: its request (%s) is not in the capture", step,
                      str(st, "op", "?"));
                return;
            }
            if (strcmp(str(st, "op", ""), "update") == 0) {
                /* two requests: the token from the AS (not judged), then /authz-info */
                q++;
                while (q < t->num_msgs &&
                       !(t->msgs[q].is_request && t->msgs[q].first_copy == (long)q &&
                         oscar_endpoint_equal(&t->msgs[q].src, &jn->real))) {
                    q++;
                }
                if (q >= t->num_msgs) {
                    afail(a, step, "%s: its /authz-info request is not in the capture", step);
                    return;
                }
            }
            size_t req = q++;
            if (strcmp(str(st, "op", ""), "group_request") == 0) {
                int n = group_responders(t, req, g);
                int want = num(st, "expect_responders", -1);
                if (n < 0) {
                    afail(a, step,
                          "%s: the group request (frame %zu) does not verify with any keying "
                          "material the GM distributed in this capture",
                          step, t->msgs[req].frame);
                    return;
                }
                /* after_leave_of: the request must be under material distributed after that
                 * member's leave (KGO §10: the leaver cannot read what is sent after) */
                const char *leaver = str(st, "after_leave_of", NULL);
                size_t left_at = SIZE_MAX;
                for (size_t x = 0; leaver != NULL && x < t->num_msgs; x++) {
                    struct oscar_coap_msg lm;
                    const struct node *ln = NULL;
                    for (size_t y = 0; y < a->nj; y++) {
                        ln = strcmp(a->j[y].name, leaver) == 0 ? &a->j[y] : ln;
                    }
                    if (ln != NULL && t->msgs[x].is_request &&
                        oscar_endpoint_equal(&t->msgs[x].src, &ln->real) && plain_msg(t, x, &lm) &&
                        lm.code == OSCAR_COAP_CODE_DELETE) {
                        left_at = x;
                        break;
                    }
                }
                if (leaver != NULL &&
                    (left_at == SIZE_MAX || g->v[g->verified_version].since < left_at)) {
                    afail(a, step,
                          "%s: the group request (frame %zu) is protected with keying material "
                          "%s had before it left: the group was not rekeyed (KGO §10)",
                          step, t->msgs[req].frame, leaver);
                    return;
                }
                if (want >= 0 && n != want) {
                    afail(a, step,
                          "%s: %d verified responses to the group request (frame %zu), expected %d",
                          step, n, t->msgs[req].frame, want);
                    return;
                }
                continue;
            }
            const char *expect = str(st, "expect", NULL);
            if (expect == NULL) {
                continue;
            }
            long r = response_of(t, req);
            struct oscar_coap_msg m;
            if (r < 0) {
                afail(a, step, "%s (%s, frame %zu): no answer in the capture, expected %s", step,
                      str(st, "op", "?"), t->msgs[req].frame, expect);
                return;
            }
            bool readable = plain_msg(t, (size_t)r, &m);
            char got[16];
            uint8_t code = readable ? m.code : t->msgs[r].code;
            snprintf(got, sizeof(got), "%u.%02u", OSCAR_COAP_CODE_CLASS(code),
                     OSCAR_COAP_CODE_DETAIL(code));
            if (strcmp(got, expect) != 0) {
                afail(a, step, "%s (%s): answered %s (frame %zu), expected %s", step,
                      str(st, "op", "?"), got, t->msgs[r].frame, expect);
                return;
            }
            int want_id = num(st, "error_id", -1);
            if (want_id >= 0 && (!readable || problem_id(&m) != want_id)) {
                afail(a, step, "%s (%s): error-id %d (frame %zu), expected %d", step,
                      str(st, "op", "?"), readable ? problem_id(&m) : -1, t->msgs[r].frame,
                      want_id);
                return;
            }
        }
    }
}

/* judge_joins checks every successful Join Response of the capture: its kdc_cred_verify over
 * the N_C of its request, and Sender IDs unique under one Gid. */
static void judge_joins(struct arun *a, const struct oscar_transcript *t)
{
    struct {
        uint8_t gid[16], sid[4];
        size_t gid_len, sid_len;
    } seen[64];
    size_t ns = 0;
    for (size_t i = 0; i < t->num_msgs && !a->failed; i++) {
        struct oscar_coap_msg m, q;
        const struct oscar_decoded *d = &t->msgs[i];
        if (d->is_request || d->request < 0 || !plain_msg(t, i, &m) ||
            (m.code != OSCAR_COAP_CODE_CREATED && m.code != OSCAR_COAP_CODE_CHANGED) ||
            !plain_msg(t, (size_t)d->request, &q) || q.code != OSCAR_COAP_CODE_POST ||
            !path_is(&q, "ace-group/g1") || !m.has_payload || !q.has_payload) {
            continue;
        }
        static struct oscar_ace_join_info info;
        struct oscar_ace_join_fields f;
        char why[256];
        if (!oscar_ace_join_request_read(q.payload, q.payload_len, &f, why, sizeof(why)) ||
            !oscar_ace_join_info_read(m.payload, m.payload_len, OSCAR_ACE_JOIN_RESPONSE,
                                      f.cred == NULL, &info, why, sizeof(why))) {
            continue; /* the ACE-* rules report it */
        }
        bool allowed = false;
        const cJSON *ac;
        cJSON_ArrayForEach(ac, cJSON_GetObjectItemCaseSensitive(a->scen, "allowed_checks"))
        {
            allowed = allowed || (cJSON_IsString(ac) && strcmp(ac->valuestring, "kdc-pop") == 0);
        }
        bool pop_ok;
        if (info.sign_alg == 0) {
            /* a pairwise-only group: the MAC keyed by ECDH with the joiner's key, which the
             * harness drew for it */
            uint8_t priv[32];
            pop_ok = false;
            for (size_t k = 0; k < a->nj; k++) {
                if (oscar_endpoint_equal(&d->dst, &a->j[k].real)) {
                    key_for(a, a->j[k].name, priv, sizeof(priv));
                    pop_ok = oscar_ace_kdc_pop_verify_mac(oscar_crypto_wolfssl(), &info, f.n_c,
                                                          f.n_c_len, priv);
                }
            }
        } else {
            pop_ok = oscar_ace_kdc_pop_verify(oscar_crypto_wolfssl(), &info, f.n_c, f.n_c_len);
        }
        if (!allowed && !pop_ok) {
            afail(a, "kdc-pop",
                  "Join Response frame %zu: kdc_cred_verify does not verify over bstr(N_C) | "
                  "bstr(N_KDC) with kdc_cred (RFC 9594 §4.3.1)",
                  d->frame);
            return;
        }
        for (size_t s = 0; info.has_sid && s < ns; s++) {
            if (seen[s].gid_len == info.gid_len && seen[s].sid_len == info.sid_len &&
                memcmp(seen[s].gid, info.gid, info.gid_len) == 0 &&
                memcmp(seen[s].sid, info.sid, info.sid_len) == 0) {
                afail(a, "sender-ids",
                      "Join Response frame %zu: Sender ID already handed out under this Gid "
                      "(key-groupcomm-oscore §6.3)",
                      d->frame);
                return;
            }
        }
        if (info.has_sid && ns < 64 && info.gid_len <= 16 && info.sid_len <= 4) {
            memcpy(seen[ns].gid, info.gid, info.gid_len);
            seen[ns].gid_len = info.gid_len;
            memcpy(seen[ns].sid, info.sid, info.sid_len);
            seen[ns++].sid_len = info.sid_len;
        }
    }
}

/* judge_creds: every credential a Join Response distributes is the member's current one (its
 * Join Request's, or the last it uploaded and got 2.04 for, RFC 9594 §4.9.1). */
static void judge_creds(struct arun *a, const struct oscar_transcript *t, struct gkeys *g)
{
    static struct oscar_ace_join_info info;
    for (size_t i = 0; i < t->num_msgs && !a->failed; i++) {
        struct oscar_coap_msg m, q;
        const struct oscar_decoded *d = &t->msgs[i];
        struct oscar_ace_join_fields f;
        if (d->is_request || d->request < 0 || !plain_msg(t, i, &m) || !m.has_payload ||
            !plain_msg(t, (size_t)d->request, &q) || !path_is(&q, "ace-group/g1") ||
            q.code != OSCAR_COAP_CODE_POST || !q.has_payload ||
            !oscar_ace_join_request_read(q.payload, q.payload_len, &f, NULL, 0) ||
            !oscar_ace_join_info_read(m.payload, m.payload_len, OSCAR_ACE_JOIN_RESPONSE,
                                      f.cred == NULL, &info, NULL, 0)) {
            continue;
        }
        for (size_t k = 0; k < info.num_creds && k < info.num_peer_ids; k++) {
            uint8_t cred[160], pub[32];
            size_t cred_len;
            g->at = i;
            if (gk_lookup(g, info.peer_ids[k], info.peer_id_lens[k], cred, &cred_len, pub) &&
                (cred_len != info.cred_lens[k] || memcmp(cred, info.creds[k], cred_len) != 0)) {
                afail(a, "creds",
                      "Join Response frame %zu: the credential of Sender ID %02x is not the one "
                      "the member last proved possession of (RFC 9594 §4.9.1)",
                      d->frame, info.peer_ids[k][0]);
                return;
            }
        }
    }
}

/* judge_rekeys: the members named in "rekeyed" got a decryptable rekeying message from the GM,
 * those in "not_rekeyed" none. */
static void judge_rekeys(struct arun *a, const struct oscar_transcript *t)
{
    for (int want = 1; want >= 0 && !a->failed; want--) {
        const cJSON *who;
        cJSON_ArrayForEach(
            who, cJSON_GetObjectItemCaseSensitive(a->scen, want ? "rekeyed" : "not_rekeyed"))
        {
            const struct node *jn = NULL;
            for (size_t i = 0; i < a->nj; i++) {
                jn = cJSON_IsString(who) && strcmp(a->j[i].name, who->valuestring) == 0 ? &a->j[i]
                                                                                        : jn;
            }
            size_t got = 0;
            for (size_t i = 0; jn != NULL && i < t->num_msgs; i++) {
                struct oscar_coap_msg m;
                got += t->msgs[i].is_request &&
                       oscar_endpoint_equal(&t->msgs[i].src, &a->gm.real) &&
                       oscar_endpoint_equal(&t->msgs[i].dst, &jn->real) && plain_msg(t, i, &m) &&
                       m.code == OSCAR_COAP_CODE_POST;
            }
            if (jn != NULL && (got > 0) != (want == 1)) {
                afail(a, "rekey",
                      "%s received %zu rekeying messages; %s (key-groupcomm-oscore §11)", jn->name,
                      got, want ? "every remaining member must get one" : "expected none");
            }
        }
    }
}

/* judge_requests: the requests the scenario expects a joiner to make on its own (e.g. the
 * missed-rekeying procedure's FETCH of stale-sids), each found decrypted in the capture with
 * the answer's code. */
static void judge_requests(struct arun *a, const struct oscar_transcript *t)
{
    static const char *const methods[] = {"", "GET", "POST", "PUT", "DELETE", "FETCH"};
    const cJSON *want;
    cJSON_ArrayForEach(want, cJSON_GetObjectItemCaseSensitive(a->scen, "expect_requests"))
    {
        const struct node *jn = NULL;
        for (size_t i = 0; i < a->nj; i++) {
            jn = strcmp(a->j[i].name, str(want, "from", "")) == 0 ? &a->j[i] : jn;
        }
        bool found = false;
        for (size_t i = 0; jn != NULL && i < t->num_msgs && !found; i++) {
            struct oscar_coap_msg m, r;
            if (!t->msgs[i].is_request || !oscar_endpoint_equal(&t->msgs[i].src, &jn->real) ||
                !plain_msg(t, i, &m) || m.code > 5 ||
                strcmp(methods[m.code], str(want, "method", "")) != 0 ||
                !path_is(&m, str(want, "path", ""))) {
                continue;
            }
            long ri = response_of(t, i);
            char got[16] = "none";
            if (ri >= 0 && plain_msg(t, (size_t)ri, &r)) {
                snprintf(got, sizeof(got), "%u.%02u", OSCAR_COAP_CODE_CLASS(r.code),
                         OSCAR_COAP_CODE_DETAIL(r.code));
            }
            found = strcmp(got, str(want, "expect", got)) == 0;
        }
        if (!found) {
            afail(a, "requests", "%s made no %s %s answered %s (%s)", str(want, "from", "?"),
                  str(want, "method", "?"), str(want, "path", "?"), str(want, "expect", "?"),
                  str(want, "rfc", "the scenario"));
            return;
        }
    }
}

static void judge(struct arun *a)
{
    char pcap[1500];
    snprintf(pcap, sizeof(pcap), "%s/capture.pcap", a->dir);
    struct oscar_transcript t;
    struct oscar_diag d = {{0}};
    if (oscar_transcript_decode(&t, pcap, NULL, 0, NULL, 0, &d) != OSCAR_OK) {
        afail(a, NULL, "capture: %s", d.msg);
        return;
    }
    static struct oscar_context_spec specs[MAX_JOINERS * 4];
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    size_t ns = oscar_ace_derive_specs(a->token_key, &t, specs, MAX_JOINERS * 4, &arena);
    oscar_transcript_free(&t);
    enum oscar_err err = oscar_transcript_decode(&t, pcap, specs, ns, NULL, 0, &d);
    oscar_arena_free(&arena);
    if (err != OSCAR_OK) {
        afail(a, NULL, "capture: %s", d.msg);
        return;
    }
    /* the members' credentials and the versions of the keying material, once for all checks */
    static struct gkeys g;
    memset(&g, 0, sizeof(g));
    gather_keys(&t, &g);
    judge_steps(a, &t, &g);
    struct oscar_violation v[64];
    size_t nv = 0;
    if (!a->failed && oscar_rules_check(v, 64, &nv, &t, NULL) == OSCAR_OK) {
        const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(a->scen, "allowed_violations");
        for (size_t i = 0; i < nv && !a->failed; i++) {
            /* Group OSCORE messages between the members are judged by their own step (the
             * RFC 8613 rules read their Group Flag as a reserved bit) */
            const struct oscar_decoded *vm = &t.msgs[v[i].msg];
            struct oscar_coap_msg om;
            size_t off;
            const struct oscar_coap_option *oo = NULL;
            if (oscar_coap_parse(&om, &off, vm->wire, vm->wire_len) == OSCAR_COAP_WELL_FORMED) {
                oo = oscar_coap_find_option(&om, OSCAR_COAP_OPT_OSCORE);
            }
            if (oo != NULL && oo->len > 0 && (oo->value[0] & 0x20) != 0) {
                continue;
            }
            bool ok = false;
            const cJSON *al;
            cJSON_ArrayForEach(al, allowed)
            {
                ok = ok || (cJSON_IsString(al) && strcmp(al->valuestring, v[i].rule->id) == 0);
            }
            if (!ok) {
                afail(a, "rules", "%s (%s) at frame %zu: %s", v[i].rule->id, v[i].rule->rfc,
                      t.msgs[v[i].msg].frame, v[i].detail);
            }
        }
    }
    if (!a->failed) {
        judge_joins(a, &t);
    }
    if (!a->failed) {
        judge_rekeys(a, &t);
    }
    if (!a->failed) {
        judge_requests(a, &t);
    }
    if (!a->failed) {
        judge_creds(a, &t, &g);
    }
    oscar_transcript_free(&t);
}

/* write_run_json keeps what `oscar check --rejudge` needs next to the capture: the scenario,
 * the seed (keys and the AS-GM token key follow from it), the nodes' endpoints, the variant. */
static void write_run_json(const struct arun *a, const cJSON *variant)
{
    char path[1500];
    snprintf(path, sizeof(path), "%s/scenario.json", a->dir);
    (void)write_json(path, cJSON_Duplicate(a->scen, true));
    cJSON *run = cJSON_CreateObject();
    cJSON_AddStringToObject(run, "kind", "ace");
    cJSON_AddStringToObject(run, "scenario", "scenario.json");
    char seed[32];
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)a->seed);
    cJSON_AddStringToObject(run, "seed", seed);
    char key[40];
    hex_of(key, a->token_key, sizeof(a->token_key));
    /* oscar check capture.pcap --ace-token-key KEY --all-ports decodes the capture alone */
    cJSON_AddStringToObject(run, "token_key", key);
    if (variant != NULL) {
        cJSON_AddItemToObject(run, "variant", cJSON_Duplicate(variant, true));
    }
    cJSON *nodes = cJSON_AddObjectToObject(run, "nodes");
    const struct node *all[MAX_JOINERS + 2] = {&a->as, &a->gm};
    size_t na = 2;
    for (size_t i = 0; i < a->nj; i++) {
        all[na++] = &a->j[i];
    }
    for (size_t i = 0; i < na; i++) {
        char ep[64];
        oscar_endpoint_format(ep, sizeof(ep), &all[i]->real);
        cJSON_AddStringToObject(nodes, all[i]->name, ep);
    }
    snprintf(path, sizeof(path), "%s/run.json", a->dir);
    (void)write_json(path, run);
}

int oscar_ace_rejudge_one(const char *dir)
{
    static struct arun a;
    memset(&a, 0, sizeof(a));
    char path[1500];
    struct oscar_diag d = {{0}};
    cJSON *run = NULL;
    cJSON *scen = NULL;
    int rc = 2;
    snprintf(path, sizeof(path), "%s/run.json", dir);
    if (oscar_json_load_file(&run, path, &d) != OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, d.msg);
        return 2;
    }
    snprintf(path, sizeof(path), "%s/scenario.json", dir);
    if (oscar_json_load_file(&scen, path, &d) != OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, d.msg);
        cJSON_Delete(run);
        return 2;
    }
    a.scen = scen;
    a.seed = strtoull(str(run, "seed", "1"), NULL, 10);
    snprintf(a.dir, sizeof(a.dir), "%s", dir);
    key_for(&a, "token key", a.token_key, sizeof(a.token_key));
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(run, "nodes");
    bool ok = oscar_endpoint_parse(&a.as.real, str(nodes, "as", "")) == OSCAR_OK &&
              oscar_endpoint_parse(&a.gm.real, str(nodes, "gm", "")) == OSCAR_OK;
    const cJSON *jn;
    cJSON_ArrayForEach(jn, cJSON_GetObjectItemCaseSensitive(scen, "joiners"))
    {
        if (a.nj < MAX_JOINERS) {
            struct node *n = &a.j[a.nj++];
            snprintf(n->name, sizeof(n->name), "%s", str(jn, "name", "j"));
            n->steps = cJSON_GetObjectItemCaseSensitive(jn, "steps");
            ok = ok && oscar_endpoint_parse(&n->real, str(nodes, n->name, "")) == OSCAR_OK;
        }
    }
    if (!ok) {
        printf("ERROR  %s: run.json lacks a node's endpoint\n", dir);
    } else {
        judge(&a);
        const cJSON *variant = cJSON_GetObjectItemCaseSensitive(run, "variant");
        if (variant != NULL) {
            const char *fails_at = str(variant, "fails_at", "?");
            bool caught = a.failed && strcmp(a.fail_step, fails_at) == 0;
            printf("%-6s %s: negative control %s@%s %s%s\n", caught ? "PASS" : "FAIL", dir,
                   str(variant, "bug", "?"), str(variant, "node", "?"),
                   caught ? "caught: " : "not caught at step ", caught ? a.reason : fails_at);
            rc = caught ? 0 : 1;
        } else {
            printf("%-6s %s%s%s\n", a.failed ? "FAIL" : "PASS", dir, a.failed ? ": " : "",
                   a.failed ? a.reason : "");
            rc = a.failed ? 1 : 0;
        }
    }
    cJSON_Delete(run);
    cJSON_Delete(scen);
    return rc;
}

struct roles {
    struct role_impl as, gm, joiner;
    const char *root;
    struct oscar_arena *arena;
};

static void run_scenario(struct oscar_result *res, const cJSON *scen, const cJSON *variant,
                         const char *out_dir, const char *bin_dir, uint64_t seed,
                         const struct roles *ro)
{
    static struct arun a;
    memset(&a, 0, sizeof(a));
    a.root = ro->root;
    a.arena = ro->arena;
    a.impl_as = &ro->as;
    a.impl_gm = &ro->gm;
    a.impl_joiner = &ro->joiner;
    const struct role_impl *skip = ro->as.skip       ? &ro->as
                                   : ro->gm.skip     ? &ro->gm
                                   : ro->joiner.skip ? &ro->joiner
                                                     : NULL;
    if (skip != NULL) {
        res->status = OSCAR_STATUS_SKIP;
        snprintf(res->reason, sizeof(res->reason), "%s", skip->skip);
        return;
    }
    bool joiner_bugs = false;
    const cJSON *jb;
    cJSON_ArrayForEach(jb, cJSON_GetObjectItemCaseSensitive(scen, "joiners"))
    {
        joiner_bugs = joiner_bugs || cJSON_GetObjectItemCaseSensitive(jb, "bugs") != NULL;
    }
    const cJSON *gm_bugs =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(scen, "gm"), "bugs");
    if ((gm_bugs != NULL && strcmp(ro->gm.name, "ref") != 0) ||
        (joiner_bugs && strcmp(ro->joiner.name, "ref") != 0)) {
        res->status = OSCAR_STATUS_SKIP;
        snprintf(res->reason, sizeof(res->reason),
                 "its stimulus is a fault switch of the reference (\"bugs\"), and a third "
                 "party plays that role");
        return;
    }
    if (variant != NULL) {
        /* a control switches a fault of the reference: it needs the reference in that role */
        const char *node = str(variant, "node", "gm");
        const struct role_impl *im = strcmp(node, "as") == 0   ? &ro->as
                                     : strcmp(node, "gm") == 0 ? &ro->gm
                                                               : &ro->joiner;
        if (strcmp(im->name, "ref") != 0) {
            res->status = OSCAR_STATUS_SKIP;
            snprintf(res->reason, sizeof(res->reason),
                     "the fault switch %s is the reference's, and %s plays %s",
                     str(variant, "bug", "?"), im->name, node);
            return;
        }
    }
    a.scen = scen;
    a.id = str(scen, "id", "?");
    a.seed = seed;
    a.bin_dir = bin_dir;
    a.bug = variant != NULL ? str(variant, "bug", NULL) : NULL;
    a.bug_node = variant != NULL ? str(variant, "node", "gm") : NULL;
    long t0 = mono_ms();
    snprintf(a.dir, sizeof(a.dir), "%s/%s", out_dir, res->test);
    mkdir(a.dir, 0755);
    char path[1500];
    snprintf(path, sizeof(path), "%s/events.log", a.dir);
    a.events = fopen(path, "w");
    key_for(&a, "token key", a.token_key, sizeof(a.token_key));
    snprintf(a.as.name, sizeof(a.as.name), "as");
    snprintf(a.gm.name, sizeof(a.gm.name), "gm");
    a.gm.bugs =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(scen, "gm"), "bugs");
    const cJSON *jn;
    cJSON_ArrayForEach(jn, cJSON_GetObjectItemCaseSensitive(scen, "joiners"))
    {
        if (a.nj < MAX_JOINERS) {
            snprintf(a.j[a.nj].name, sizeof(a.j[a.nj].name), "%s", str(jn, "name", "j"));
            a.j[a.nj].bugs = cJSON_GetObjectItemCaseSensitive(jn, "bugs");
            a.j[a.nj++].steps = cJSON_GetObjectItemCaseSensitive(jn, "steps");
        }
    }
    snprintf(path, sizeof(path), "%s/capture.pcap", a.dir);
    struct oscar_diag d = {{0}};
    bool ok = oscar_relay_init(&a.relay, seed, path, &d) == OSCAR_OK &&
              oscar_relay_add_node(&a.relay, &a.as.relay_index, "as", AF_INET, &d) == OSCAR_OK &&
              oscar_relay_add_node(&a.relay, &a.gm.relay_index, "gm", AF_INET, &d) == OSCAR_OK;
    for (size_t i = 0; ok && i < a.nj; i++) {
        ok = oscar_relay_add_node(&a.relay, &a.j[i].relay_index, a.j[i].name, AF_INET, &d) ==
             OSCAR_OK;
    }
    size_t members[MAX_JOINERS];
    for (size_t i = 0; i < a.nj; i++) {
        members[i] = a.j[i].relay_index;
    }
    ok = ok && oscar_relay_add_group(&a.relay, &a.group_index, "g1", members, a.nj, AF_INET, &d) ==
                   OSCAR_OK;
    /* the scenario's network faults: {"from", "to", "action", "nth", "delay_ms"} */
    const cJSON *rule;
    cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(scen, "relay"))
    {
        static const char *const actions[] = {"drop", "duplicate", "delay", "replay", "corrupt"};
        struct oscar_relay_rule rr;
        memset(&rr, 0, sizeof(rr));
        snprintf(rr.from, sizeof(rr.from), "%s", str(rule, "from", ""));
        snprintf(rr.to, sizeof(rr.to), "%s", str(rule, "to", ""));
        rr.action = (enum oscar_relay_action)99;
        for (int k = 0; k < 5; k++) {
            if (strcmp(str(rule, "action", ""), actions[k]) == 0) {
                rr.action = (enum oscar_relay_action)k;
            }
        }
        rr.nth = (unsigned)num(rule, "nth", 1);
        rr.delay_ms = (unsigned)num(rule, "delay_ms", 100);
        if (ok && ((int)rr.action == 99 || oscar_relay_add_rule(&a.relay, &rr, &d) != OSCAR_OK)) {
            ok = false;
            if (d.msg[0] == '\0') {
                snprintf(d.msg, sizeof(d.msg), "relay rule: unknown action %s",
                         str(rule, "action", ""));
            }
        }
    }
    if (!ok || !write_configs(&a)) {
        afail(&a, NULL, "set-up: %s", d.msg[0] ? d.msg : "cannot write the configs");
    }
    if (!a.failed && start(&a, &a.as, "as")) {
        start(&a, &a.gm, "gm");
    }
    /* the joiners one after the other, each to the end of its steps; they stay to take
     * rekeying messages */
    /* a joiner has STEP_MS per step (each request is tried 3 times over 6 s); one that does
     * not finish is judged on what the capture holds, which names the unanswered step */
    char unfinished[128] = "";
    for (size_t i = 0; i < a.nj && !a.failed; i++) {
        if (start(&a, &a.j[i], "joiner")) {
            long budget = (long)STEP_MS * (cJSON_GetArraySize(a.j[i].steps) + 1);
            pump(&a, mono_ms() + budget, &a.j[i].done);
            if (!a.failed && !a.j[i].done && unfinished[0] == '\0') {
                snprintf(unfinished, sizeof(unfinished), "%s did not finish its steps in %ld s",
                         a.j[i].name, budget / 1000);
            }
        }
    }
    pump(&a, mono_ms() + 200, NULL);
    struct node *all[MAX_JOINERS + 2] = {&a.as, &a.gm};
    size_t na = 2;
    for (size_t i = 0; i < a.nj; i++) {
        all[na++] = &a.j[i];
    }
    for (size_t i = 0; i < na; i++) {
        if (all[i]->started) {
            char why[96];
            oscar_proc_stop(&all[i]->proc, 500, why, sizeof(why));
            collect(&a, all[i]);
        }
    }
    oscar_relay_cleanup(&a.relay); /* flushes the capture */
    /* a sanitizer's report in a reference role's log fails the test (the ASan build) */
    for (size_t i = 0; i < na && !a.failed; i++) {
        char log[1600], line[512];
        snprintf(log, sizeof(log), "%s/%s.log", a.dir, all[i]->name);
        FILE *f = fopen(log, "r");
        while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
            if (strstr(line, "AddressSanitizer") != NULL ||
                strstr(line, "runtime error:") != NULL || strstr(line, "LeakSanitizer") != NULL) {
                line[strcspn(line, "\n")] = '\0';
                afail(&a, NULL, "%s: sanitizer report in %s.log: %.300s", all[i]->name,
                      all[i]->name, line);
                break;
            }
        }
        if (f != NULL) {
            fclose(f);
        }
    }
    if (a.events != NULL) {
        fclose(a.events);
    }
    write_run_json(&a, variant);
    if (!a.failed) {
        judge(&a);
    }
    if (!a.failed && unfinished[0] != '\0') {
        afail(&a, NULL, "%s", unfinished);
    }
    res->seconds = (double)(mono_ms() - t0) / 1000.0;
    snprintf(res->dir, sizeof(res->dir), "%s", a.dir);
    snprintf(res->reason, sizeof(res->reason), "%s", a.reason);
    res->step = NULL;
    res->rfc = str(scen, "rfc", NULL);
    if (variant == NULL) {
        res->status = a.failed ? OSCAR_STATUS_FAIL : OSCAR_STATUS_PASS;
        return;
    }
    const char *fails_at = str(variant, "fails_at", "?");
    res->expected_fail = true;
    if (a.failed && strcmp(a.fail_step, fails_at) == 0) {
        res->status = OSCAR_STATUS_PASS; /* the control did its job */
    } else {
        res->status = OSCAR_STATUS_FAIL;
        char why[1024];
        snprintf(why, sizeof(why), "%s%s, not at %s%s%.900s", a.failed ? "failed at " : "",
                 a.failed ? a.fail_step : "the fault went unnoticed", fails_at,
                 a.failed ? ": " : "", a.failed ? a.reason : "");
        snprintf(res->reason, sizeof(res->reason), "%s", why);
    }
}

int oscar_cmd_ace_run(int argc, char **argv)
{
    const char *as_name = "ref", *gm_name = "ref", *joiner_name = "ref";
    static const struct option longopts[] = {
        {"suite", required_argument, NULL, 'S'},
        {"as", required_argument, NULL, 'A'},
        {"gm", required_argument, NULL, 'G'},
        {"joiner", required_argument, NULL, 'J'},
        OSCAR_RUN_LONGOPTS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct run_opts opts;
    run_opts_init(&opts);
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (run_opts_take(&opts, ch, optarg)) {
            continue;
        }
        switch (ch) {
        case 'S':
            break;
        case 'A':
            as_name = optarg;
            break;
        case 'G':
            gm_name = optarg;
            break;
        case 'J':
            joiner_name = optarg;
            break;
        case 'h':
            printf(
                "usage: oscar run --suite ace [--test ID]... [--out DIR] [--seed N]\n"
                "                 [--no-negative-controls]\n"
                "Runs the ACE scenarios of scenarios/ace/: an Authorization Server, a Group\n"
                "Manager and joining nodes (oscar-peer --role as|gm|joiner) through the relay,\n"
                "judged from the capture. Writes DIR/results.json, junit.xml, summary.txt and a\n"
                "folder per test.\n");
            return OSCAR_EXIT_OK;
        default:
            return OSCAR_EXIT_USAGE;
        }
    }
    const char *root = getenv("OSCAR_ROOT") != NULL ? getenv("OSCAR_ROOT") : OSCAR_SOURCE_DIR;
    const char *bin = getenv("OSCAR_BIN") != NULL ? getenv("OSCAR_BIN") : OSCAR_BINARY_DIR;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/scenarios/ace", root);
    char out_dir[1024];
    snprintf(out_dir, sizeof(out_dir), "%s", opts.out != NULL ? opts.out : "out/ace");
    mkdir(out_dir, 0755);
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    static struct roles ro;
    ro.root = root;
    ro.arena = &arena;
    struct oscar_diag ld = {{0}};
    if (role_load(&ro.as, root, as_name, "as", &arena, &ld) != OSCAR_OK ||
        role_load(&ro.gm, root, gm_name, "gm", &arena, &ld) != OSCAR_OK ||
        role_load(&ro.joiner, root, joiner_name, "joiner", &arena, &ld) != OSCAR_OK) {
        fprintf(stderr, "oscar run: %s\n", ld.msg);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    const char *paths[MAX_SCEN];
    size_t np = oscar_scenario_files(paths, MAX_SCEN, dir, &arena);
    static struct oscar_result results[MAX_SCEN * (MAX_VARIANTS + 1)];
    cJSON *docs[MAX_SCEN] = {0};
    size_t nr = 0;
    int exit_code = OSCAR_EXIT_OK;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (size_t i = 0; i < np && !interrupted; i++) {
        struct oscar_diag d = {{0}};
        if (oscar_json_load_file(&docs[i], paths[i], &d) != OSCAR_OK) {
            fprintf(stderr, "oscar run: %s\n", d.msg);
            exit_code = OSCAR_EXIT_INPUT;
            continue;
        }
        const cJSON *s = docs[i];
        const char *id = str(s, "id", NULL);
        if (id == NULL || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s, "joiners"))) {
            fprintf(stderr, "oscar run: %s: an ACE scenario needs id and joiners\n", paths[i]);
            exit_code = OSCAR_EXIT_INPUT;
            continue;
        }
        if (!run_opts_picks(&opts, id)) {
            continue;
        }
        const cJSON *variants = cJSON_GetObjectItemCaseSensitive(s, "negative_controls");
        int nv = opts.negative ? cJSON_GetArraySize(variants) : 0;
        for (int v = 0; v <= nv && v <= MAX_VARIANTS && !interrupted; v++) {
            const cJSON *var = v == 0 ? NULL : cJSON_GetArrayItem(variants, v - 1);
            struct oscar_result *r = &results[nr++];
            memset(r, 0, sizeof(*r));
            char name[320];
            snprintf(name, sizeof(name), "%s%s%s%s%s", id, var != NULL ? "~" : "",
                     var != NULL ? str(var, "bug", "?") : "", var != NULL ? "@" : "",
                     var != NULL ? str(var, "node", "gm") : "");
            r->test = oscar_arena_strdup(&arena, name);
            r->client = joiner_name;
            r->server = gm_name;
            run_scenario(r, s, var, out_dir, bin, opts.seed, &ro);
            snprintf(r->repro, sizeof(r->repro),
                     "oscar run --suite ace --as %s --gm %s --joiner %s --test %s --seed %llu",
                     as_name, gm_name, joiner_name, id, (unsigned long long)opts.seed);
            printf("%-6s %-52s (%.2f s)%s%s\n", oscar_status_str(r->status), r->test, r->seconds,
                   r->reason[0] ? ": " : "", r->reason);
            fflush(stdout);
            if (r->status != OSCAR_STATUS_PASS && r->status != OSCAR_STATUS_SKIP &&
                exit_code == OSCAR_EXIT_OK) {
                exit_code = OSCAR_EXIT_FAIL;
            }
        }
    }
    struct run_config rc = {.root = root, .bin_dir = bin, .out_dir = out_dir, .seed = opts.seed};
    struct oscar_diag d = {{0}};
    if (oscar_report_write(out_dir, results, nr, &rc, "ace", &d) != OSCAR_OK) {
        fprintf(stderr, "oscar run: reports: %s\n", d.msg);
    }
    size_t passed = 0, skipped = 0;
    for (size_t i = 0; i < nr; i++) {
        passed += results[i].status == OSCAR_STATUS_PASS;
        skipped += results[i].status == OSCAR_STATUS_SKIP;
    }
    printf("%zu passed, %zu skipped, %zu failed (ace suite: as %s, gm %s, joiner %s; reports in "
           "%s)\n",
           passed, skipped, nr - passed - skipped, as_name, gm_name, joiner_name, out_dir);
    if (interrupted) {
        printf("interrupted: %zu tests were run before Ctrl-C\n", nr);
        exit_code = OSCAR_EXIT_FAIL;
    }
    for (size_t i = 0; i < np; i++) {
        cJSON_Delete(docs[i]);
    }
    oscar_arena_free(&arena);
    return exit_code;
}
