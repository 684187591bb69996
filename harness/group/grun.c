/* grun.c — `oscar run --suite group`: the multi-node Group OSCORE scenarios of scenarios/group/
 * on the relay. Each node is an oscar-group-peer process; multicast groups are relay group
 * aliases (captured once, fanned out to every member); the steps are driven through the nodes'
 * control pipes; the verdict comes from the capture alone, decoded with the members' keys
 * (gjudge.c): each request's responders, each response's code, and the group trace rules.
 * Every scenario also runs once per negative control, a fault switch in one node, and must
 * FAIL at the step it names. */
#include <dirent.h>
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

#include "../main/cli.h"
#include "../run/proc.h"
#include "../run/run_internal.h"
#include "gjudge.h"
#include "gnet.h"

#define MAX_SCEN 64
#define MAX_EVENTS 256
#define READY_MS 5000

struct gnode {
    struct oscar_proc proc;
    bool started;
    size_t relay_index;
    cJSON *events[MAX_EVENTS];
    size_t num_events;
};

struct grun {
    const struct gs_scenario *s;
    const struct gs_variant *v;
    bool netns; /* --net netns: namespaces on a bridge instead of the relay */
    struct gnet net;
    struct oscar_relay relay;
    struct gnode nodes[GS_MAX_NODES];
    size_t mcast_index[GS_MAX_MCAST];
    struct gj_keys *keys;
    char dir[1400];
    const char *bin_dir;
    uint64_t seed;
    FILE *events_log;
    bool failed;
    const char *fail_step;
    char reason[1024];
};

/* set by Ctrl-C (SIGINT) or SIGTERM: the test in progress stops and cleans up, no other test
 * starts, and the reports are written with what was run */
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
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void gfail(struct grun *g, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void gfail(struct grun *g, const char *step, const char *fmt, ...)
{
    if (g->failed) {
        return;
    }
    g->failed = true;
    g->fail_step = step;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
    va_end(ap);
}

static void hex_item(cJSON *o, const char *key, const uint8_t *b, size_t n)
{
    char h[2 * OSCAR_GROUP_CRED_MAX + 1];
    oscar_hex_encode(h, b, n);
    cJSON_AddStringToObject(o, key, h);
}

/* write_config writes node n's oscar-group-peer config: its groups (first epoch) with every
 * member's credential, as a Group Manager would have distributed them. */
static bool write_config(struct grun *g, size_t n, const char *path)
{
    const struct gs_scenario *s = g->s;
    const struct gs_node *nd = &s->nodes[n];
    static const char *const roles[] = {"client", "server", "silent", "monitor"};
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", nd->name);
    cJSON_AddStringToObject(root, "role", roles[nd->role]);
    cJSON_AddStringToObject(root, "response_mode", nd->pairwise_responses ? "pairwise" : "group");
    cJSON *ag = cJSON_AddArrayToObject(root, "app_groups");
    for (size_t i = 0; i < nd->num_app_groups; i++) {
        cJSON_AddItemToArray(ag, cJSON_CreateString(nd->app_groups[i]));
    }
    cJSON *groups = cJSON_AddArrayToObject(root, "groups");
    for (size_t e = 0; e < s->num_groups; e++) { /* the first epochs come first */
        struct oscar_group_params p;
        struct gj_param_store st;
        if (gj_params(&p, &st, g->keys, e, n) != OSCAR_OK) {
            continue;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", s->groups[e].name);
        hex_item(o, "gid", p.gid, p.gid_len);
        hex_item(o, "master_secret", p.master_secret, p.master_secret_len);
        hex_item(o, "master_salt", p.master_salt, p.master_salt_len);
        hex_item(o, "gm_cred", p.gm_cred, p.gm_cred_len);
        hex_item(o, "sender_id", p.sender_id, p.sender_id_len);
        hex_item(o, "private_key", st.d, sizeof(st.d));
        hex_item(o, "credential", p.sender_cred, p.sender_cred_len);
        cJSON_AddNumberToObject(o, "group_enc_alg", p.group_enc_alg);
        cJSON_AddNumberToObject(o, "sig_alg", p.sig_alg);
        cJSON_AddNumberToObject(o, "aead_alg", p.aead_alg);
        cJSON_AddNumberToObject(o, "pairwise_alg", p.pairwise_alg);
        cJSON *members = cJSON_AddArrayToObject(o, "members");
        for (size_t m = 0; m < s->num_nodes; m++) {
            struct oscar_group_params mp;
            struct gj_param_store ms;
            if (m == n || gj_params(&mp, &ms, g->keys, e, m) != OSCAR_OK) {
                continue;
            }
            cJSON *x = cJSON_CreateObject();
            hex_item(x, "sender_id", mp.sender_id, mp.sender_id_len);
            hex_item(x, "credential", mp.sender_cred, mp.sender_cred_len);
            hex_item(x, "public_key", mp.sender_cred, mp.sender_cred_len);
            cJSON_AddItemToArray(members, x);
        }
        cJSON_AddItemToArray(groups, o);
    }
    return oscar_json_write_file(path, root);
}

/* start_node starts node n; restart: again after a stop, on the same address, without its
 * replay windows and with its Sender Sequence Number from seq_start (§2.6.1). */
static bool start_node(struct grun *g, size_t n, const char *bin_dir, uint64_t seed, bool restart,
                       uint64_t seq_start)
{
    const struct gs_node *nd = &g->s->nodes[n];
    char config[1600];
    char log[1600];
    char peer[1200];
    char seed_s[32];
    snprintf(config, sizeof(config), "%s/%s.json", g->dir, nd->name);
    snprintf(log, sizeof(log), "%s/%s.log", g->dir, nd->name);
    snprintf(peer, sizeof(peer), "%s/impl/ref/oscar-group-peer", bin_dir);
    snprintf(seed_s, sizeof(seed_s), "%llu", (unsigned long long)(seed * 31 + n));
    if (!write_config(g, n, config)) {
        gfail(g, NULL, "cannot write %s", config);
        return false;
    }
    char ns[64];
    char bug[128];
    char joins[GS_MAX_MCAST][64];
    char *argv[32];
    size_t argc = 0;
    if (g->netns) {
        gnet_ns_name(&g->net, (int)n, ns, sizeof(ns));
        argv[argc++] = "ip";
        argv[argc++] = "netns";
        argv[argc++] = "exec";
        argv[argc++] = ns;
    }
    argv[argc++] = peer;
    argv[argc++] = "--config";
    argv[argc++] = config;
    char bind[48];
    const char *host =
        g->s->ipv6 ? (g->netns ? "[::]" : "[::1]") : (g->netns ? "0.0.0.0" : "127.0.0.1");
    unsigned want_port = g->netns ? 5683u : restart ? (unsigned)g->keys->real[n].port : 0u;
    snprintf(bind, sizeof(bind), "%s:%u", host, want_port);
    argv[argc++] = "--bind";
    argv[argc++] = bind;
    char seq[32];
    if (restart) {
        snprintf(seq, sizeof(seq), "%llu", (unsigned long long)seq_start);
        argv[argc++] = "--lost-state";
        argv[argc++] = "--seq-start";
        argv[argc++] = seq;
    }
    argv[argc++] = "--ready-fd";
    argv[argc++] = "3";
    argv[argc++] = "--seed";
    argv[argc++] = seed_s;
    for (size_t m = 0; g->netns && m < g->s->num_mcast; m++) {
        for (size_t i = 0; i < g->s->mcast[m].num_members; i++) {
            if (g->s->mcast[m].members[i] == n) {
                struct oscar_endpoint a;
                gnet_mcast_addr(&a, m, g->s->ipv6);
                oscar_endpoint_format(joins[m], sizeof(joins[m]), &a);
                /* the address alone: "239.255.77.1" of "239.255.77.1:5683", "ff15::77:1" of
                 * "[ff15::77:1]:5683" */
                char *end = strrchr(joins[m], ':');
                if (end != NULL) {
                    *end = '\0';
                }
                if (joins[m][0] == '[') {
                    memmove(joins[m], joins[m] + 1, strlen(joins[m]));
                    joins[m][strcspn(joins[m], "]")] = '\0';
                }
                argv[argc++] = "--join";
                argv[argc++] = joins[m];
            }
        }
    }
    if (g->v != NULL && g->v->node == n) {
        snprintf(bug, sizeof(bug), "%s", g->v->bug);
        argv[argc++] = "--bug";
        argv[argc++] = bug;
    }
    argv[argc] = NULL;
    struct oscar_diag d = {{0}};
    struct gnode *gn = &g->nodes[n];
    if (oscar_proc_spawn(&gn->proc, argv, log, &d) != OSCAR_OK) {
        gfail(g, NULL, "cannot start %s: %s", nd->name, d.msg);
        return false;
    }
    gn->started = true;
    unsigned port;
    if (oscar_proc_wait_ready(&gn->proc, &port, READY_MS, &d) != OSCAR_OK) {
        gfail(g, NULL, "%s did not start: %s (see %s)", nd->name, d.msg, log);
        return false;
    }
    struct oscar_endpoint real;
    if (g->netns) {
        gnet_node_addr(&real, n, g->s->ipv6);
    } else {
        oscar_endpoint_parse(&real, g->s->ipv6 ? "[::1]:0" : "127.0.0.1:0");
        real.port = (uint16_t)port;
        oscar_relay_set_real(&g->relay, gn->relay_index, &real);
    }
    g->keys->real[n] = real;
    g->keys->known[n] = true;
    return true;
}

static void collect(struct grun *g, size_t n)
{
    struct gnode *gn = &g->nodes[n];
    const char *line;
    for (;;) {
        oscar_proc_read_line(&gn->proc, &line);
        if (line == NULL) {
            return;
        }
        if (g->events_log != NULL) {
            fprintf(g->events_log, "%s %s\n", g->s->nodes[n].name, line);
        }
        cJSON *e = cJSON_Parse(line);
        if (e == NULL || gn->num_events == MAX_EVENTS) {
            cJSON_Delete(e);
            continue;
        }
        gn->events[gn->num_events++] = e;
    }
}

static void pump(struct grun *g, long until_ms)
{
    while (!g->failed) {
        if (interrupted) {
            gfail(g, NULL, "interrupted (Ctrl-C)");
            return;
        }
        struct pollfd fds[OSCAR_RELAY_MAX_NODES + GS_MAX_NODES + 1];
        size_t n = 0;
        if (g->netns) {
            fds[n].fd = oscar_pcap_live_fd(g->net.capture);
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            n++;
        } else {
            n = oscar_relay_pollfds(&g->relay, fds, OSCAR_RELAY_MAX_NODES);
        }
        for (size_t i = 0; i < g->s->num_nodes; i++) {
            if (g->nodes[i].started && !g->nodes[i].proc.out_eof) {
                fds[n].fd = g->nodes[i].proc.out_fd;
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                n++;
            }
        }
        long left = until_ms - mono_ms();
        if (left <= 0) {
            return;
        }
        int rt = g->netns ? -1 : oscar_relay_timeout_ms(&g->relay, 0);
        int wait = left > 50 ? 50 : (int)left;
        (void)poll(fds, n, rt >= 0 && rt < wait ? rt : wait);
        struct oscar_diag d = {{0}};
        if (g->netns) {
            oscar_pcap_live_pump(g->net.capture);
        } else if (oscar_relay_service(&g->relay, oscar_now_usec(), &d) != OSCAR_OK) {
            gfail(g, NULL, "relay: %s", d.msg);
            return;
        }
        for (size_t i = 0; i < g->s->num_nodes; i++) {
            if (g->nodes[i].started) {
                collect(g, i);
                if (oscar_proc_poll_exit(&g->nodes[i].proc)) {
                    char st[96];
                    oscar_proc_describe_status(g->nodes[i].proc.status, st, sizeof(st));
                    gfail(g, NULL, "%s exited during the test (%s)", g->s->nodes[i].name, st);
                    g->nodes[i].started = false;
                }
            }
        }
    }
}

static void send_json(struct grun *g, size_t n, cJSON *c)
{
    char *text = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    if (text == NULL || oscar_proc_send(&g->nodes[n].proc, text) != OSCAR_OK) {
        gfail(g, NULL, "cannot write to %s", g->s->nodes[n].name);
    }
    cJSON_free(text);
}

/* current_epoch: the epoch of group gr in force after the rekey steps before step k. */
static size_t current_epoch(const struct grun *g, size_t gr, size_t k)
{
    size_t e = gr;
    size_t next = g->s->num_groups;
    for (size_t i = 0; i < k; i++) {
        if (g->s->steps[i].kind == GS_STEP_REKEY) {
            if (g->s->steps[i].group == gr) {
                e = next;
            }
            next++;
        }
    }
    return e;
}

static void run_step(struct grun *g, size_t k)
{
    const struct gs_step *st = &g->s->steps[k];
    const struct gs_scenario *s = g->s;
    if (st->kind == GS_STEP_RESTART) {
        struct gnode *gn = &g->nodes[st->node];
        char why[96];
        oscar_proc_stop(&gn->proc, 500, why, sizeof(why));
        collect(g, st->node);
        gn->started = false;
        if (start_node(g, st->node, g->bin_dir, g->seed + 1000, true, st->seq_start)) {
            pump(g, mono_ms() + 100);
        }
        return;
    }
    if (st->kind == GS_STEP_REKEY) {
        size_t e = current_epoch(g, st->group, k + 1);
        for (size_t n = 0; n < s->num_nodes; n++) {
            if (!g->keys->have[e][n]) {
                continue;
            }
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "op", "rekey");
            cJSON_AddStringToObject(c, "group", s->groups[st->group].name);
            hex_item(c, "gid", st->new_gid, st->new_gid_len);
            hex_item(c, "master_secret", st->new_secret, sizeof(st->new_secret));
            send_json(g, n, c);
        }
        pump(g, mono_ms() + 150);
        return;
    }
    char to[64];
    struct oscar_endpoint dest;
    if (g->netns && st->to_mcast) {
        gnet_mcast_addr(&dest, st->to, s->ipv6);
    } else if (g->netns) {
        gnet_node_addr(&dest, st->to, s->ipv6);
    } else {
        dest = st->to_mcast ? g->relay.nodes[g->mcast_index[st->to]].alias
                            : g->relay.nodes[g->nodes[st->to].relay_index].alias;
    }
    oscar_endpoint_format(to, sizeof(to), &dest);
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "op", "request");
    cJSON_AddStringToObject(c, "id", st->id);
    cJSON_AddStringToObject(c, "group", s->groups[st->group].name);
    cJSON_AddStringToObject(c, "mode", st->pairwise ? "pairwise" : "group");
    cJSON_AddStringToObject(c, "to", to);
    if (st->pairwise) {
        size_t e = current_epoch(g, st->group, k);
        const struct gj_member_id *id = &g->keys->ids[e][st->to];
        hex_item(c, "target", id->id, id->len);
    }
    cJSON_AddStringToObject(c, "method", st->method);
    cJSON_AddStringToObject(c, "path", st->path);
    if (st->payload != NULL) {
        cJSON_AddStringToObject(c, "payload", st->payload);
    }
    send_json(g, st->from, c);
    pump(g, mono_ms() + (long)st->wait_ms);
}

/* sent_bytes finds the bytes node n reported for the request of step id. */
static bool sent_bytes(const struct grun *g, size_t n, const char *id, uint8_t *out, size_t cap,
                       size_t *len)
{
    const struct gnode *gn = &g->nodes[n];
    for (size_t i = 0; i < gn->num_events; i++) {
        const cJSON *e = gn->events[i];
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(e, "event");
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(e, "id");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "bytes");
        if (cJSON_IsString(ev) && strcmp(ev->valuestring, "sent") == 0 && cJSON_IsString(eid) &&
            strcmp(eid->valuestring, id) == 0 && cJSON_IsString(b)) {
            return oscar_hex_decode(out, cap, len, b->valuestring, strlen(b->valuestring)) ==
                   OSCAR_OK;
        }
    }
    return false;
}

/* echo_retry_ok checks the Echo procedure (§9) after the challenge c to the request of step st
 * (frame q): the responder's 4.01 carries an Echo value, and a later request of the client to
 * that responder alone carries it, verifies, and gets a 2.xx from it. */
static bool echo_retry_ok(struct grun *g, const struct oscar_transcript *t,
                          const struct gj_result *r, const struct gs_step *st, size_t q, size_t c)
{
    const struct gj_msg *ch = &r->msgs[c];
    const char *server = g->s->nodes[ch->src].name;
    if (ch->echo_len == 0) {
        gfail(g, st->id, "%s's challenge (frame %zu) carries no Echo option (RFC 10021 §9)", server,
              t->msgs[c].frame);
        return false;
    }
    for (size_t i = c + 1; i < r->num_msgs; i++) {
        const struct gj_msg *m = &r->msgs[i];
        if (!t->msgs[i].is_request || m->src != r->msgs[q].src || m->dst != ch->src ||
            m->echo_len != ch->echo_len || memcmp(m->echo, ch->echo, ch->echo_len) != 0) {
            continue;
        }
        for (size_t k = i + 1; k < r->num_msgs; k++) {
            const struct gj_msg *a = &r->msgs[k];
            if (a->request == (long)i && a->src == ch->src && a->verdict == OSCAR_OSCORE_ACCEPT &&
                OSCAR_COAP_CODE_CLASS(a->inner_code) == 2) {
                return true;
            }
        }
        gfail(g, st->id, "%s did not answer the client's retry with Echo (frame %zu) with a 2.xx",
              server, t->msgs[i].frame);
        return false;
    }
    gfail(g, st->id, "the client did not retry its request to %s with the Echo of frame %zu",
          server, t->msgs[c].frame);
    return false;
}

/* judge_steps checks every request step's responders on the decoded capture. */
static void judge_steps(struct grun *g, const struct oscar_transcript *t, const struct gj_result *r)
{
    const struct gs_scenario *s = g->s;
    for (size_t k = 0; k < s->num_steps && !g->failed; k++) {
        const struct gs_step *st = &s->steps[k];
        if (st->kind != GS_STEP_REQUEST) {
            continue;
        }
        uint8_t bytes[GJ_MSG_MAX];
        size_t len;
        if (!sent_bytes(g, st->from, st->id, bytes, sizeof(bytes), &len)) {
            gfail(g, st->id, "%s reported no request sent for step %s", s->nodes[st->from].name,
                  st->id);
            return;
        }
        long q = -1;
        for (size_t i = 0; i < r->num_msgs && q < 0; i++) {
            if (t->msgs[i].wire_len == len && memcmp(t->msgs[i].wire, bytes, len) == 0 &&
                r->msgs[i].src == (int)st->from) {
                q = (long)i;
            }
        }
        /* the network may have altered it (a relay corrupt rule): the same token from the
         * same node */
        for (size_t i = 0; i < r->num_msgs && q < 0 && len > 4; i++) {
            size_t tkl = bytes[0] & 0x0fu;
            if (t->msgs[i].is_request && r->msgs[i].src == (int)st->from &&
                t->msgs[i].wire_len == len && 4 + tkl <= len &&
                memcmp(t->msgs[i].wire + 4, bytes + 4, tkl) == 0) {
                q = (long)i;
            }
        }
        if (q < 0) {
            gfail(g, st->id, "the request of step %s is not on the wire", st->id);
            return;
        }
        unsigned count[GS_MAX_NODES] = {0};
        for (size_t i = 0; i < r->num_msgs; i++) {
            const struct gj_msg *m = &r->msgs[i];
            if (t->msgs[i].is_request || m->request < 0 || m->src < 0 ||
                t->msgs[m->request].first_copy != t->msgs[q].first_copy) {
                continue;
            }
            count[m->src]++;
            if (m->verdict != OSCAR_OSCORE_ACCEPT) {
                gfail(g, st->id, "the response of %s (frame %zu) does not verify: %s",
                      s->nodes[m->src].name, t->msgs[i].frame,
                      oscar_oscore_verdict_str(m->verdict));
                return;
            }
            char code[8];
            snprintf(code, sizeof(code), "%u.%02u", OSCAR_COAP_CODE_CLASS(m->inner_code),
                     OSCAR_COAP_CODE_DETAIL(m->inner_code));
            const char *want = st->codes[m->src] != NULL ? st->codes[m->src] : st->code;
            if (want != NULL && strcmp(want, code) != 0) {
                gfail(g, st->id, "%s answered %s (frame %zu), expected %s", s->nodes[m->src].name,
                      code, t->msgs[i].frame, want);
                return;
            }
            if (st->echo_retry[m->src] && !echo_retry_ok(g, t, r, st, (size_t)q, i)) {
                return;
            }
        }
        for (size_t n = 0; n < s->num_nodes && st->expect_responders_given; n++) {
            if (st->responders[n] && count[n] == 0) {
                gfail(g, st->id, "%s did not answer the request of step %s (frame %zu)",
                      s->nodes[n].name, st->id, t->msgs[q].frame);
                return;
            }
            if (!st->responders[n] && count[n] != 0) {
                gfail(g, st->id, "%s answered the request of step %s (frame %zu) and must not",
                      s->nodes[n].name, st->id, t->msgs[q].frame);
                return;
            }
            if (count[n] > 1) {
                gfail(g, st->id, "%s answered the request of step %s %u times", s->nodes[n].name,
                      st->id, count[n]);
                return;
            }
        }
    }
}

/* owner_step is the step in progress when message msg went out: the last request step whose
 * request is at or before it. */
static const char *owner_step(const struct grun *g, const struct oscar_transcript *t, size_t msg)
{
    const char *owner = g->s->steps[0].id;
    for (size_t k = 0; k < g->s->num_steps; k++) {
        const struct gs_step *st = &g->s->steps[k];
        uint8_t bytes[GJ_MSG_MAX];
        size_t len;
        if (st->kind != GS_STEP_REQUEST ||
            !sent_bytes(g, st->from, st->id, bytes, sizeof(bytes), &len)) {
            continue;
        }
        for (size_t i = 0; i <= msg && i < t->num_msgs; i++) {
            if (t->msgs[i].wire_len == len && memcmp(t->msgs[i].wire, bytes, len) == 0) {
                owner = st->id;
                break;
            }
        }
    }
    return owner;
}

static void judge(struct grun *g)
{
    char pcap[1500];
    snprintf(pcap, sizeof(pcap), "%s/capture.pcap", g->dir);
    struct oscar_transcript t;
    struct oscar_diag d = {{0}};
    if (oscar_transcript_decode(&t, pcap, NULL, 0, NULL, 0, &d) != OSCAR_OK) {
        gfail(g, NULL, "the capture cannot be read: %s", d.msg);
        return;
    }
    static struct gj_keys dk;
    static struct gj_result r;
    memset(&r, 0, sizeof(r));
    if (gj_keys_init(&dk, g->s, OSCAR_GROUP_FAULT_ACCEPT_REPLAY) != OSCAR_OK) {
        gfail(g, NULL, "the group keys do not derive");
        oscar_transcript_free(&t);
        return;
    }
    memcpy(dk.real, g->keys->real, sizeof(dk.real));
    memcpy(dk.known, g->keys->known, sizeof(dk.known));
    r.allowed = g->s->allowed;
    r.num_allowed = g->s->num_allowed;
    gj_decode(&r, &dk, &t);
    /* the trace rules first: they name the precise fault; then each step's responders */
    gj_rules_check(&r, &t);
    if (r.num_violations != 0) {
        const struct gj_violation *v = &r.violations[0];
        const char *who = r.msgs[v->msg].src >= 0 ? g->s->nodes[r.msgs[v->msg].src].name : "?";
        gfail(g, owner_step(g, &t, v->msg), "%s violated %s (%s): %s", who, v->rule->id,
              v->rule->rfc, v->detail);
    }
    judge_steps(g, &t, &r);
    gj_keys_cleanup(&dk);
    oscar_transcript_free(&t);
}

/* write_run_json keeps what a later `oscar check --rejudge` needs next to the capture: a copy
 * of the scenario, where each node listened, and the fault switch of a negative control. */
static void write_run_json(const struct grun *g)
{
    char path[1500];
    snprintf(path, sizeof(path), "%s/scenario.json", g->dir);
    (void)oscar_copy_file(g->s->path, path); /* without it, only rejudging is lost */
    cJSON *run = cJSON_CreateObject();
    cJSON_AddStringToObject(run, "kind", "group");
    cJSON_AddStringToObject(run, "scenario", "scenario.json");
    cJSON_AddStringToObject(run, "net", g->netns ? "netns" : "relay");
    cJSON *nodes = cJSON_AddObjectToObject(run, "nodes");
    for (size_t i = 0; i < g->s->num_nodes; i++) {
        char ep[64];
        oscar_endpoint_format(ep, sizeof(ep), &g->keys->real[i]);
        cJSON_AddStringToObject(nodes, g->s->nodes[i].name, ep);
    }
    if (g->v != NULL) {
        cJSON_AddStringToObject(run, "bug", g->v->bug);
        cJSON_AddStringToObject(run, "bug_node", g->s->nodes[g->v->node].name);
    }
    snprintf(path, sizeof(path), "%s/run.json", g->dir);
    (void)oscar_json_write_file(path, run); /* rejudging needs it; the run goes on without */
}

static void run_scenario(struct oscar_result *res, const struct gs_scenario *s,
                         const struct gs_variant *v, const char *out_dir, const char *bin_dir,
                         uint64_t seed, bool netns)
{
    static struct grun g;
    static struct gj_keys keys;
    memset(&g, 0, sizeof(g));
    g.s = s;
    g.v = v;
    g.netns = netns;
    g.keys = &keys;
    g.bin_dir = bin_dir;
    g.seed = seed;
    long t0 = mono_ms();
    if (netns && s->num_relay != 0) {
        /* the relay's faults are exact (the k-th datagram of a link); namespaces would need
         * netem, which gives probabilities, and this kernel may not even have it */
        res->status = OSCAR_STATUS_SKIP;
        snprintf(res->reason, sizeof(res->reason),
                 "its network faults are the relay's (per datagram, seeded): run it with --net "
                 "relay");
        return;
    }
    snprintf(g.dir, sizeof(g.dir), "%s/%s", out_dir, res->test);
    mkdir(g.dir, 0755);
    char path[1500];
    snprintf(path, sizeof(path), "%s/events.log", g.dir);
    g.events_log = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/capture.pcap", g.dir);
    struct oscar_diag d = {{0}};
    bool ok = gj_keys_init(&keys, s, 0) == OSCAR_OK;
    if (ok && netns) {
        ok = gnet_up(&g.net, s->num_nodes, s->ipv6, path, &d) == OSCAR_OK;
        if (!ok) {
            gfail(&g, NULL, "network namespaces: %s", d.msg);
        }
    }
    ok = ok && oscar_relay_init(&g.relay, seed, netns ? NULL : path, &d) == OSCAR_OK;
    for (size_t n = 0; ok && n < s->num_nodes; n++) {
        ok = oscar_relay_add_node(&g.relay, &g.nodes[n].relay_index, s->nodes[n].name,
                                  s->ipv6 ? AF_INET6 : AF_INET, &d) == OSCAR_OK;
    }
    for (size_t m = 0; ok && m < s->num_mcast; m++) {
        size_t members[GS_MAX_NODES];
        for (size_t i = 0; i < s->mcast[m].num_members; i++) {
            members[i] = g.nodes[s->mcast[m].members[i]].relay_index;
        }
        ok = oscar_relay_add_group(&g.relay, &g.mcast_index[m], s->mcast[m].name, members,
                                   s->mcast[m].num_members, s->ipv6 ? AF_INET6 : AF_INET,
                                   &d) == OSCAR_OK;
    }
    for (size_t i = 0; ok && i < s->num_relay; i++) {
        ok = oscar_relay_add_rule(&g.relay, &s->relay[i], &d) == OSCAR_OK;
    }
    if (!ok) {
        gfail(&g, NULL, "set-up: %s", d.msg[0] ? d.msg : "the group keys do not derive");
    }
    for (size_t n = 0; !g.failed && n < s->num_nodes; n++) {
        start_node(&g, n, bin_dir, seed, false, 0);
    }
    for (size_t k = 0; !g.failed && k < s->num_steps; k++) {
        run_step(&g, k);
    }
    pump(&g, mono_ms() + 50);
    for (size_t n = 0; n < s->num_nodes; n++) {
        if (g.nodes[n].started) {
            char why[96];
            oscar_proc_stop(&g.nodes[n].proc, 500, why, sizeof(why));
            collect(&g, n);
        }
    }
    oscar_relay_cleanup(&g.relay); /* flushes the capture */
    if (netns) {
        gnet_down(&g.net); /* the capture too; every namespace deleted */
    }
    write_run_json(&g);
    if (!g.failed) {
        judge(&g);
    }
    for (size_t n = 0; n < s->num_nodes; n++) {
        for (size_t i = 0; i < g.nodes[n].num_events; i++) {
            cJSON_Delete(g.nodes[n].events[i]);
        }
    }
    if (g.events_log != NULL) {
        fclose(g.events_log);
    }
    gj_keys_cleanup(&keys);
    res->seconds = (double)(mono_ms() - t0) / 1000.0;
    snprintf(res->dir, sizeof(res->dir), "%s", g.dir);
    snprintf(res->reason, sizeof(res->reason), "%s", g.reason);
    res->step = g.fail_step;
    if (v == NULL) {
        res->status = g.failed ? OSCAR_STATUS_FAIL : OSCAR_STATUS_PASS;
        return;
    }
    res->expected_fail = true;
    if (g.failed && g.fail_step != NULL && strcmp(g.fail_step, v->fails_at) == 0) {
        res->status = OSCAR_STATUS_PASS; /* the control did its job: as oscar run reports it */
    } else if (g.failed) {
        res->status = OSCAR_STATUS_FAIL;
        char why[1024];
        snprintf(why, sizeof(why), "failed at step %s, not %s: %.900s",
                 g.fail_step != NULL ? g.fail_step : "(set-up)", v->fails_at, g.reason);
        snprintf(res->reason, sizeof(res->reason), "%s", why);
    } else {
        res->status = OSCAR_STATUS_FAIL;
        snprintf(res->reason, sizeof(res->reason), "the fault %s in %s went unnoticed", v->bug,
                 s->nodes[v->node].name);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t oscar_scenario_files(const char **out, size_t cap, const char *dir, struct oscar_arena *a)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL && n < cap) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 && e->d_name[0] != '.') {
            char path[1400];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            out[n++] = oscar_arena_strdup(a, path);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    qsort(out, n, sizeof(out[0]), cmp_str);
    return n;
}

int oscar_cmd_group_run(int argc, char **argv)
{
    bool netns = false;
    static const struct option longopts[] = {
        {"net", required_argument, NULL, 'N'},
        {"suite", required_argument, NULL, 'S'},
        OSCAR_RUN_LONGOPTS,
        OSCAR_RUN_LONGOPT_VARIANT,
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
        case 'N':
            if (strcmp(optarg, "netns") != 0 && strcmp(optarg, "relay") != 0) {
                fprintf(stderr, "oscar run: --net relay or --net netns\n");
                return OSCAR_EXIT_USAGE;
            }
            netns = strcmp(optarg, "netns") == 0;
            break;
        case 'h':
            printf(
                "usage: oscar run --suite group [--net relay|netns] [--test ID]... [--out DIR]\n"
                "                 [--seed N]\n"
                "                 [--no-negative-controls] [--negative-control BUG@NODE]\n"
                "Runs the multi-node Group OSCORE scenarios of scenarios/group/ on the relay\n"
                "(oscar-group-peer nodes), judged from the capture. Writes DIR/results.json,\n"
                "junit.xml, summary.txt and a folder per test. --net netns (root): each node in\n"
                "a network namespace on a bridge, real IPv4 multicast, the bridge captured;\n"
                "scenarios with relay faults are skipped there.\n");
            return OSCAR_EXIT_OK;
        default:
            return OSCAR_EXIT_USAGE;
        }
    }
    const char *root = getenv("OSCAR_ROOT") != NULL ? getenv("OSCAR_ROOT") : OSCAR_SOURCE_DIR;
    const char *bin = getenv("OSCAR_BIN") != NULL ? getenv("OSCAR_BIN") : OSCAR_BINARY_DIR;
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/scenarios/group", root);
    char out_dir[1024];
    snprintf(out_dir, sizeof(out_dir), "%s", opts.out != NULL ? opts.out : "out/group");
    mkdir(out_dir, 0755);
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    const char *paths[MAX_SCEN];
    size_t np = oscar_scenario_files(paths, MAX_SCEN, dir, &arena);
    static struct gs_scenario scen[MAX_SCEN];
    static struct oscar_result results[MAX_SCEN * (GS_MAX_VARIANTS + 1)];
    size_t nr = 0;
    int exit_code = OSCAR_EXIT_OK;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (size_t i = 0; i < np && !interrupted; i++) {
        struct oscar_diag d = {{0}};
        struct gs_scenario *s = &scen[i];
        if (gs_load(s, paths[i], &arena, &d) != OSCAR_OK) {
            fprintf(stderr, "oscar run: %s\n", d.msg);
            exit_code = OSCAR_EXIT_INPUT;
            continue;
        }
        if (!run_opts_picks(&opts, s->id)) {
            continue;
        }
        size_t nv = opts.negative ? s->num_variants : 0;
        for (size_t v = 0; v <= nv && !interrupted; v++) {
            const struct gs_variant *var = v == 0 ? NULL : &s->variants[v - 1];
            char label[256];
            if (var != NULL) {
                snprintf(label, sizeof(label), "%s@%s", var->bug, s->nodes[var->node].name);
            }
            if (opts.only_variant != NULL &&
                (var == NULL || strcmp(opts.only_variant, label) != 0)) {
                continue;
            }
            struct oscar_result *r = &results[nr++];
            memset(r, 0, sizeof(*r));
            char name[320];
            snprintf(name, sizeof(name), "%s%s%s", s->id, var != NULL ? "~" : "",
                     var != NULL ? label : "");
            r->test = oscar_arena_strdup(&arena, name);
            r->client = "ref";
            r->server = "ref";
            run_scenario(r, s, var, out_dir, bin, opts.seed, netns);
            snprintf(r->repro, sizeof(r->repro),
                     "oscar run --suite group --net %s --test %s --seed %llu%s%s",
                     netns ? "netns" : "relay", s->id, (unsigned long long)opts.seed,
                     var != NULL ? " --negative-control " : "", var != NULL ? label : "");
            printf("%-6s %-52s (%.2f s)%s%s\n", oscar_status_str(r->status), r->test, r->seconds,
                   r->reason[0] ? ": " : "", r->reason);
            fflush(stdout);
            if (r->status != OSCAR_STATUS_PASS && r->status != OSCAR_STATUS_XFAIL &&
                r->status != OSCAR_STATUS_SKIP && exit_code == OSCAR_EXIT_OK) {
                exit_code = OSCAR_EXIT_FAIL;
            }
        }
    }
    struct run_config rc = {.root = root, .bin_dir = bin, .out_dir = out_dir, .seed = opts.seed};
    struct oscar_diag d = {{0}};
    if (oscar_report_write(out_dir, results, nr, &rc, "group", &d) != OSCAR_OK) {
        fprintf(stderr, "oscar run: reports: %s\n", d.msg);
    }
    size_t passed = 0;
    for (size_t i = 0; i < nr; i++) {
        passed += results[i].status == OSCAR_STATUS_PASS ||
                  results[i].status == OSCAR_STATUS_XFAIL || results[i].status == OSCAR_STATUS_SKIP;
    }
    printf("%zu passed, %zu failed (group suite; reports in %s)\n", passed, nr - passed, out_dir);
    if (interrupted) {
        printf("interrupted: %zu tests were run before Ctrl-C\n", nr);
        exit_code = OSCAR_EXIT_FAIL;
    }
    oscar_arena_free(&arena);
    return exit_code;
}

int oscar_group_rejudge_one(const char *dir)
{
    static struct grun g;
    static struct gj_keys keys;
    static struct gs_scenario sc;
    memset(&g, 0, sizeof(g));
    struct oscar_arena a;
    oscar_arena_init(&a, 0);
    struct oscar_diag d = {{0}};
    char path[1500];
    cJSON *run = NULL;
    int rc = 2;
    snprintf(path, sizeof(path), "%s/run.json", dir);
    if (oscar_json_load_file(&run, path, &d) != OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, d.msg);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/scenario.json", dir);
    if (gs_load(&sc, path, &a, &d) != OSCAR_OK || gj_keys_init(&keys, &sc, 0) != OSCAR_OK) {
        printf("ERROR  %s: %s\n", dir, d.msg[0] ? d.msg : "the group keys do not derive");
        goto out;
    }
    g.s = &sc;
    g.keys = &keys;
    snprintf(g.dir, sizeof(g.dir), "%s", dir);
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(run, "nodes");
    for (size_t i = 0; i < sc.num_nodes; i++) {
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(nodes, sc.nodes[i].name);
        if (!cJSON_IsString(ep) ||
            oscar_endpoint_parse(&keys.real[i], ep->valuestring) != OSCAR_OK) {
            printf("ERROR  %s: run.json has no endpoint for %s\n", dir, sc.nodes[i].name);
            goto out;
        }
        keys.known[i] = true;
    }
    const cJSON *bug = cJSON_GetObjectItemCaseSensitive(run, "bug");
    const cJSON *bug_node = cJSON_GetObjectItemCaseSensitive(run, "bug_node");
    for (size_t i = 0; cJSON_IsString(bug) && cJSON_IsString(bug_node) && i < sc.num_variants;
         i++) {
        if (strcmp(sc.variants[i].bug, bug->valuestring) == 0 &&
            strcmp(sc.nodes[sc.variants[i].node].name, bug_node->valuestring) == 0) {
            g.v = &sc.variants[i];
        }
    }
    /* the nodes' events, from events.log ("NODE {json}" per line) */
    snprintf(path, sizeof(path), "%s/events.log", dir);
    FILE *f = fopen(path, "r");
    static char line[65536];
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *sp = strchr(line, ' ');
        if (sp == NULL) {
            continue;
        }
        *sp = '\0';
        for (size_t i = 0; i < sc.num_nodes; i++) {
            if (strcmp(sc.nodes[i].name, line) == 0 && g.nodes[i].num_events < MAX_EVENTS) {
                cJSON *e = cJSON_Parse(sp + 1);
                if (e != NULL) {
                    g.nodes[i].events[g.nodes[i].num_events++] = e;
                }
            }
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    judge(&g);
    if (g.v != NULL) {
        bool caught = g.failed && g.fail_step != NULL && strcmp(g.fail_step, g.v->fails_at) == 0;
        printf("%-6s %s: negative control %s@%s %s%s\n", caught ? "PASS" : "FAIL", dir, g.v->bug,
               sc.nodes[g.v->node].name, caught ? "caught: " : "not caught at step ",
               caught ? g.reason : g.v->fails_at);
        rc = caught ? 0 : 1;
    } else {
        printf("%-6s %s%s%s\n", g.failed ? "FAIL" : "PASS", dir, g.failed ? ": " : "",
               g.failed ? g.reason : "");
        rc = g.failed ? 1 : 0;
    }
    for (size_t i = 0; i < sc.num_nodes; i++) {
        for (size_t k = 0; k < g.nodes[i].num_events; k++) {
            cJSON_Delete(g.nodes[i].events[k]);
        }
    }
out:
    gj_keys_cleanup(&keys);
    cJSON_Delete(run);
    oscar_arena_free(&a);
    return rc;
}

int oscar_group_check(const char *pcap, const char *scenario, const char *nodes_path)
{
    static struct gj_keys keys;
    static struct gs_scenario sc;
    static struct gj_result r;
    struct oscar_arena a;
    oscar_arena_init(&a, 0);
    struct oscar_diag d = {{0}};
    cJSON *nodes = NULL;
    int rc = OSCAR_EXIT_INPUT;
    bool have_keys = false;
    bool have_tr = false;
    struct oscar_transcript t;
    if (gs_load(&sc, scenario, &a, &d) != OSCAR_OK ||
        oscar_json_load_file(&nodes, nodes_path, &d) != OSCAR_OK) {
        fprintf(stderr, "oscar check: %s\n", d.msg);
        goto out;
    }
    if (gj_keys_init(&keys, &sc, OSCAR_GROUP_FAULT_ACCEPT_REPLAY) != OSCAR_OK) {
        fprintf(stderr, "oscar check: %s: the group keys do not derive\n", scenario);
        goto out;
    }
    have_keys = true;
    for (size_t i = 0; i < sc.num_nodes; i++) {
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(nodes, sc.nodes[i].name);
        if (cJSON_IsString(ep) &&
            oscar_endpoint_parse(&keys.real[i], ep->valuestring) == OSCAR_OK) {
            keys.known[i] = true;
        } else {
            fprintf(stderr, "oscar check: %s: no \"ip:port\" for node %s\n", nodes_path,
                    sc.nodes[i].name);
            goto out;
        }
    }
    if (oscar_transcript_decode(&t, pcap, NULL, 0, NULL, 0, &d) != OSCAR_OK) {
        fprintf(stderr, "oscar check: %s\n", d.msg);
        goto out;
    }
    have_tr = true;
    memset(&r, 0, sizeof(r));
    r.allowed = sc.allowed;
    r.num_allowed = sc.num_allowed;
    gj_decode(&r, &keys, &t);
    gj_rules_check(&r, &t);
    size_t group_msgs = 0;
    size_t verified = 0;
    for (size_t i = 0; i < r.num_msgs; i++) {
        const struct gj_msg *m = &r.msgs[i];
        if (!m->oscore) {
            continue;
        }
        group_msgs++;
        verified += m->verdict == OSCAR_OSCORE_ACCEPT;
        printf(
            "#%-5zu %s -> %s  %s %s %s", t.msgs[i].frame, m->src >= 0 ? sc.nodes[m->src].name : "?",
            m->dst >= 0 ? sc.nodes[m->dst].name : "(multicast)",
            t.msgs[i].is_request ? "request" : "response",
            m->group_mode ? "group-mode" : "pairwise-mode", oscar_oscore_verdict_name(m->verdict));
        if (m->verdict == OSCAR_OSCORE_ACCEPT) {
            printf(" %u.%02u", OSCAR_COAP_CODE_CLASS(m->inner_code),
                   OSCAR_COAP_CODE_DETAIL(m->inner_code));
        }
        printf("\n");
        for (size_t k = 0; k < r.num_violations; k++) {
            if (r.violations[k].msg == i) {
                printf("        ! %s (%s): %s\n", r.violations[k].rule->id,
                       r.violations[k].rule->rfc, r.violations[k].detail);
            }
        }
    }
    printf("%zu messages, %zu Group OSCORE, %zu verified, %zu violations\n", t.num_msgs, group_msgs,
           verified, r.num_violations);
    rc = r.num_violations != 0 ? OSCAR_EXIT_FAIL : OSCAR_EXIT_OK;
out:
    if (have_tr) {
        oscar_transcript_free(&t);
    }
    if (have_keys) {
        gj_keys_cleanup(&keys);
    }
    cJSON_Delete(nodes);
    oscar_arena_free(&a);
    return rc;
}
