/* run.c — one test x pairing: start the shims, relay every datagram (writing the pcap), drive
 * the steps, stop and reap the shims, decode the pcap with the reference core and judge each
 * step's expectations on what was on the wire. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "../check/decode.h"
#include "../check/keys.h"
#include "../net/relay.h"
#include "proc.h"
#include "run_internal.h"

#define READY_TIMEOUT_MS 5000
#define STOP_GRACE_MS 1000
#define SETTLE_MS 40
#define MAX_EVENTS 512
#define POLL_MAX_MS 20

static long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

struct node_run {
    const char *name;
    struct oscar_proc proc;
    bool started;
    size_t relay_index;
    cJSON *events[MAX_EVENTS];
    size_t num_events;
};

struct test_run {
    struct oscar_endpoint client_real; /* kept from the relay for the judge and run.json */
    const struct run_config *rc;
    const struct oscar_scenario *s;
    struct oscar_result *res;
    struct oscar_relay relay;
    struct node_run client;
    struct node_run server;
    FILE *events_log;
    bool failed; /* res holds a failure already */
};

static void fail(struct test_run *t, enum oscar_status status, const char *step, const char *rfc,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void fail(struct test_run *t, enum oscar_status status, const char *step, const char *rfc,
                 const char *fmt, ...)
{
    if (t->failed) {
        return; /* the first failure is the one reported */
    }
    t->failed = true;
    t->res->status = status;
    t->res->step = step;
    t->res->rfc = rfc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->res->reason, sizeof(t->res->reason), fmt, ap);
    va_end(ap);
}

char *oscar_expand_placeholders(const char *arg, const char *const (*subst)[2], size_t num,
                                struct oscar_arena *a)
{
    char out[2048];
    size_t n = 0;
    for (const char *p = arg; *p != '\0' && n + 1 < sizeof(out);) {
        bool done = false;
        for (size_t i = 0; i < num && !done; i++) {
            size_t kl = strlen(subst[i][0]);
            if (strncmp(p, subst[i][0], kl) == 0 && subst[i][1] != NULL) {
                n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", subst[i][1]);
                p += kl;
                done = true;
            }
        }
        if (!done) {
            out[n++] = *p++;
        }
        if (n >= sizeof(out)) {
            n = sizeof(out) - 1;
        }
    }
    out[n] = '\0';
    return oscar_arena_strdup(a, out);
}

/* expand replaces {bin}, {root}, {impl}, {config}, {server}, {seed} and {bind} in an argument. */
static char *expand(const char *arg, const struct run_config *rc, const struct oscar_impl *impl,
                    const char *config, const char *server, const char *bind, struct oscar_arena *a)
{
    char seed[32];
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)rc->seed);
    const char *const subst[][2] = {
        {"{bin}", rc->bin_dir}, {"{root}", rc->root}, {"{impl}", impl->dir}, {"{config}", config},
        {"{server}", server},   {"{seed}", seed},     {"{bind}", bind}};
    return oscar_expand_placeholders(arg, subst, sizeof(subst) / sizeof(subst[0]), a);
}

/* write_config writes the node's contexts as the peer config file. */
static bool write_config(const char *path, const struct oscar_scenario *s, const char *const *names,
                         size_t num)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(root, "contexts");
    for (size_t i = 0; i < num; i++) {
        const struct oscar_context_spec *c = oscar_scenario_context(s, names[i]);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", c->name);
        const struct {
            const char *key;
            const struct oscar_bytes_field *f;
        } fields[] = {{"master_secret", &c->master_secret}, {"master_salt", &c->master_salt},
                      {"sender_id", &c->sender_id},         {"recipient_id", &c->recipient_id},
                      {"id_context", &c->id_context},       {"sender_key", &c->sender_key},
                      {"recipient_key", &c->recipient_key}, {"common_iv", &c->common_iv}};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
            if (!fields[k].f->present) {
                continue;
            }
            if (fields[k].f->null) {
                cJSON_AddNullToObject(o, fields[k].key);
                continue;
            }
            char hex[2 * 512 + 1];
            size_t len = fields[k].f->len < 512 ? fields[k].f->len : 512;
            oscar_hex_encode(hex, fields[k].f->data, len);
            cJSON_AddStringToObject(o, fields[k].key, hex);
        }
        cJSON_AddNumberToObject(o, "aead_algorithm", (double)c->aead_alg);
        cJSON_AddStringToObject(
            o, "hkdf", c->hkdf_alg == OSCAR_COSE_ALG_HKDF_SHA512 ? "HKDF SHA-512" : "HKDF SHA-256");
        if (c->replay_window != 0) {
            cJSON_AddNumberToObject(o, "replay_window", (double)c->replay_window);
        }
        cJSON_AddItemToArray(list, o);
    }
    return oscar_json_write_file(path, root);
}

/* save_evidence puts what a re-judgement needs next to the capture (`oscar check --rejudge`):
 * the scenario file (and its contexts file, at the same relative path) and run.json. */
static bool save_evidence(const struct test_run *t, const struct oscar_variant *variant)
{
    char dir[1600];
    char dst[1800];
    snprintf(dir, sizeof(dir), "%s/scenario", t->res->dir);
    mkdir(dir, 0755);
    const char *base = strrchr(t->s->path, '/');
    base = base != NULL ? base + 1 : t->s->path;
    snprintf(dst, sizeof(dst), "%s/%s", dir, base);
    bool ok = oscar_copy_file(t->s->path, dst);
    if (ok && t->s->contexts_file != NULL) {
        char src[1800];
        char sdir[1024];
        snprintf(sdir, sizeof(sdir), "%s", t->s->path);
        char *slash = strrchr(sdir, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
        /* contexts_file is relative to the scenarios folder, one level above the group */
        slash = strrchr(sdir, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
        snprintf(src, sizeof(src), "%s/%s", sdir, t->s->contexts_file);
        snprintf(dst, sizeof(dst), "%s/%s", t->res->dir, "scenario/contexts");
        mkdir(dst, 0755);
        const char *cbase = strrchr(t->s->contexts_file, '/');
        cbase = cbase != NULL ? cbase + 1 : t->s->contexts_file;
        snprintf(dst, sizeof(dst), "%s/scenario/contexts/%s", t->res->dir, cbase);
        ok = oscar_copy_file(src, dst);
    }
    cJSON *run = cJSON_CreateObject();
    char ep[64];
    oscar_endpoint_format(ep, sizeof(ep), &t->client_real);
    cJSON_AddStringToObject(run, "client_endpoint", ep);
    cJSON_AddStringToObject(run, "scenario", base);
    cJSON_AddStringToObject(run, "client", t->rc->client->name);
    cJSON_AddStringToObject(run, "server", t->rc->server->name);
    cJSON_AddNumberToObject(run, "seed", (double)t->rc->seed);
    if (variant != NULL) {
        cJSON_AddStringToObject(run, "bug", variant->bug);
        cJSON_AddStringToObject(run, "bug_node", variant->node);
    }
    char *text = cJSON_Print(run);
    cJSON_Delete(run);
    snprintf(dst, sizeof(dst), "%s/run.json", t->res->dir);
    FILE *f = fopen(dst, "w");
    ok = ok && f != NULL && text != NULL && fputs(text, f) >= 0;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    cJSON_free(text);
    return ok;
}

static bool start_node(struct test_run *t, struct node_run *n, const struct oscar_impl *impl,
                       const char *const *argv_tmpl, size_t argc, const char *config,
                       const char *server, const char *bug, struct oscar_arena *a)
{
    char *argv[OSCAR_IMPL_ARGS_MAX + 4];
    size_t k = 0;
    for (size_t i = 0; i < argc; i++) {
        argv[k++] = expand(argv_tmpl[i], t->rc, impl, config, server,
                           t->s->ipv6 ? "[::1]:0" : "127.0.0.1:0", a);
    }
    if (bug != NULL) {
        if (impl->bug_flag == NULL) {
            fail(t, OSCAR_STATUS_SKIP, NULL, NULL, "%s has no fault switches", impl->name);
            return false;
        }
        argv[k++] = oscar_arena_strdup(a, impl->bug_flag);
        argv[k++] = oscar_arena_strdup(a, bug);
    }
    argv[k] = NULL;
    char log[1500];
    snprintf(log, sizeof(log), "%s/%s.log", t->res->dir, n->name);
    struct oscar_diag d = {{0}};
    if (oscar_proc_spawn(&n->proc, argv, log, &d) != OSCAR_OK) {
        fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "cannot start the %s: %s", n->name, d.msg);
        return false;
    }
    n->started = true;
    unsigned port;
    enum oscar_err err = oscar_proc_wait_ready(
        &n->proc, &port, impl->ready_timeout_ms ? (int)impl->ready_timeout_ms : READY_TIMEOUT_MS,
        &d);
    if (err == OSCAR_ERR_STATE) {
        fail(t, OSCAR_STATUS_UNIMPL, NULL, NULL, "%s %s: %s", impl->name, n->name, d.msg);
        return false;
    }
    if (err == OSCAR_ERR_UNSUPPORTED_ALG) {
        /* exit 77: the shim's last stderr line says why it cannot run here */
        char why[512] = "no reason given";
        FILE *lf = fopen(log, "r");
        char line[512];
        while (lf != NULL && fgets(line, sizeof(line), lf) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            if (line[0] != '\0') {
                snprintf(why, sizeof(why), "%s", line);
            }
        }
        if (lf != NULL) {
            fclose(lf);
        }
        fail(t, OSCAR_STATUS_SKIP, NULL, NULL, "%s %s: %s", impl->name, n->name, why);
        return false;
    }
    if (err != OSCAR_OK) {
        fail(t, OSCAR_STATUS_FAIL, NULL, NULL, "%s %s: %s (see %s)", impl->name, n->name, d.msg,
             log);
        return false;
    }
    struct oscar_endpoint real;
    oscar_endpoint_parse(&real, t->s->ipv6 ? "[::1]:0" : "127.0.0.1:0");
    real.port = (uint16_t)port;
    oscar_relay_set_real(&t->relay, n->relay_index, &real);
    return true;
}

/* collect reads every complete event line of node n. */
static void collect(struct test_run *t, struct node_run *n)
{
    const char *line;
    for (;;) {
        oscar_proc_read_line(&n->proc, &line);
        if (line == NULL) {
            return;
        }
        if (t->events_log != NULL) {
            fprintf(t->events_log, "%s %s\n", n->name, line);
        }
        cJSON *e = cJSON_Parse(line);
        if (e == NULL || !cJSON_IsObject(e)) {
            cJSON_Delete(e);
            fail(t, OSCAR_STATUS_FAIL, NULL, NULL,
                 "the %s wrote a line that is not a JSON event on stdout: %.200s", n->name, line);
            continue;
        }
        if (n->num_events < MAX_EVENTS) {
            n->events[n->num_events++] = e;
        } else {
            cJSON_Delete(e);
        }
    }
}

/* pump services relay and event pipes until deadline_ms, or until done(t, arg) is true. */
static void pump(struct test_run *t, long deadline_ms, bool (*done)(struct test_run *, void *),
                 void *arg)
{
    for (;;) {
        struct pollfd fds[OSCAR_RELAY_MAX_NODES + 2];
        size_t n = oscar_relay_pollfds(&t->relay, fds, OSCAR_RELAY_MAX_NODES);
        struct node_run *nodes[2] = {&t->client, &t->server};
        for (int i = 0; i < 2; i++) {
            if (nodes[i]->started && nodes[i]->proc.out_fd >= 0 && !nodes[i]->proc.out_eof) {
                fds[n].fd = nodes[i]->proc.out_fd;
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                n++;
            }
        }
        long left = deadline_ms - mono_ms();
        int rt = oscar_relay_timeout_ms(&t->relay, 0);
        int wait = left < POLL_MAX_MS ? (int)(left > 0 ? left : 0) : POLL_MAX_MS;
        if (rt >= 0 && rt < wait) {
            wait = rt;
        }
        (void)poll(fds, n, wait);
        struct oscar_diag d = {{0}};
        if (oscar_relay_service(&t->relay, oscar_now_usec(), &d) != OSCAR_OK) {
            fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "relay: %s", d.msg);
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (nodes[i]->started) {
                collect(t, nodes[i]);
                if (oscar_proc_poll_exit(&nodes[i]->proc)) {
                    char st[96];
                    oscar_proc_describe_status(nodes[i]->proc.status, st, sizeof(st));
                    fail(t, OSCAR_STATUS_FAIL, NULL, NULL, "the %s exited during the test (%s)",
                         nodes[i]->name, st);
                    nodes[i]->started = false;
                }
            }
        }
        if ((done != NULL && done(t, arg)) || mono_ms() >= deadline_ms || t->failed) {
            return;
        }
    }
}

static const char *ev_str(const cJSON *e, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* client_events counts the client's events of kind for step id. */
static size_t client_events(const struct test_run *t, const char *id, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < t->client.num_events; i++) {
        const char *eid = ev_str(t->client.events[i], "id");
        const char *ev = ev_str(t->client.events[i], "event");
        n += eid != NULL && ev != NULL && strcmp(eid, id) == 0 && strcmp(ev, kind) == 0;
    }
    return n;
}

struct step_wait {
    const struct oscar_step *step;
};

static const cJSON *client_event(const struct test_run *t, const char *id, const char *kind,
                                 size_t nth);

/* last_response_observes tells whether the client's nth response of step id carries Observe. */
static bool last_response_observes(const struct test_run *t, const char *id, size_t nth)
{
    const cJSON *e = client_event(t, id, "response", nth);
    const cJSON *opts = e != NULL ? cJSON_GetObjectItemCaseSensitive(e, "options") : NULL;
    if (opts == NULL) {
        return true; /* the shim said nothing about options: keep waiting */
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, opts)
    {
        const cJSON *num = cJSON_GetArrayItem(o, 0);
        if (cJSON_IsNumber(num) && num->valuedouble == OSCAR_COAP_OPT_OBSERVE) {
            return true;
        }
    }
    return false;
}

static bool step_done(struct test_run *t, void *arg)
{
    const struct oscar_step *st = ((struct step_wait *)arg)->step;
    if (t->relay.num_pending != 0) {
        return false; /* delayed or replayed datagrams of this step are still on their way */
    }
    if (client_events(t, st->id, "error") || client_events(t, st->id, "timeout")) {
        return true;
    }
    size_t got = client_events(t, st->id, "response");
    if (st->responses > 0 ? got >= (size_t)st->responses : (st->responses < 0 && got > 0)) {
        return true;
    }
    /* RFC 7641 §3.2: a response without Observe ends the exchange; nothing more will come, so
     * a step that expected more notifications need not wait out its time */
    return got > 0 && !last_response_observes(t, st->id, got - 1);
}

static const cJSON *client_event(const struct test_run *t, const char *id, const char *kind,
                                 size_t nth)
{
    for (size_t i = 0; i < t->client.num_events; i++) {
        const char *eid = ev_str(t->client.events[i], "id");
        const char *ev = ev_str(t->client.events[i], "event");
        if (eid != NULL && ev != NULL && strcmp(eid, id) == 0 && strcmp(ev, kind) == 0) {
            if (nth-- == 0) {
                return t->client.events[i];
            }
        }
    }
    return NULL;
}

static void drive(struct test_run *t)
{
    const struct oscar_scenario *s = t->s;
    for (size_t i = 0; i < s->num_steps && !t->failed; i++) {
        const struct oscar_step *st = &s->steps[i];
        if (st->kind == OSCAR_STEP_SET_SEQ) {
            const cJSON *sent = client_event(t, st->seq_of, "sent", 0);
            const char *piv = sent != NULL ? ev_str(sent, "piv") : NULL;
            if (piv == NULL) {
                fail(t, OSCAR_STATUS_FAIL, st->id, s->rfc,
                     "step %s: the client reported no Partial IV for step %s", st->id, st->seq_of);
                return;
            }
            char line[256];
            snprintf(line, sizeof(line), "{\"op\":\"set_seq\",\"context\":\"%s\",\"seq\":%llu}",
                     st->context, strtoull(piv, NULL, 16));
            oscar_proc_send(&t->client.proc, line);
            pump(t, mono_ms() + SETTLE_MS, NULL, NULL);
            continue;
        }
        if (oscar_proc_send(&t->client.proc, st->request_json) != OSCAR_OK) {
            fail(t, OSCAR_STATUS_FAIL, st->id, s->rfc, "step %s: the client's stdin is closed",
                 st->id);
            return;
        }
        struct step_wait w = {st};
        pump(t, mono_ms() + st->wait_ms, step_done, &w);
        /* settle: late duplicates and notifications beyond the expected ones still count */
        pump(t, mono_ms() + SETTLE_MS, NULL, NULL);
        const cJSON *err = client_event(t, st->id, "error", 0);
        if (err != NULL) {
            fail(t, OSCAR_STATUS_FAIL, st->id, s->rfc, "step %s: the client could not send: %s",
                 st->id, ev_str(err, "error") != NULL ? ev_str(err, "error") : "?");
            return;
        }
    }
}

static void stop_node(struct test_run *t, struct node_run *n)
{
    if (!n->started && n->proc.pid <= 0) {
        return;
    }
    if (n->started) {
        oscar_proc_send(&n->proc, "{\"op\":\"quit\"}");
    }
    char why[128];
    oscar_proc_stop(&n->proc, STOP_GRACE_MS, why, sizeof(why));
    collect(t, n);
    if (n->proc.exited && !(WIFEXITED(n->proc.status) && WEXITSTATUS(n->proc.status) == 0)) {
        fail(t, OSCAR_STATUS_FAIL, NULL, NULL, "the %s ended badly: %s", n->name, why);
    }
    n->started = false;
}

void oscar_run_one(struct oscar_result *res, const struct run_config *rc,
                   const struct oscar_scenario *s, const struct oscar_variant *variant,
                   struct oscar_arena *a)
{
    struct test_run *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        res->status = OSCAR_STATUS_ERROR;
        snprintf(res->reason, sizeof(res->reason), "out of memory");
        return;
    }
    long start = mono_ms();
    t->rc = rc;
    t->s = s;
    t->res = res;
    t->client.name = "client";
    t->server.name = "server";
    t->client.proc.pid = t->server.proc.pid = -1;
    res->status = OSCAR_STATUS_PASS;
    mkdir(res->dir, 0755);
    char path[1500];
    char server_cfg[1500];
    char client_cfg[1500];
    snprintf(path, sizeof(path), "%s/capture.pcap", res->dir);
    snprintf(server_cfg, sizeof(server_cfg), "%s/server.json", res->dir);
    snprintf(client_cfg, sizeof(client_cfg), "%s/client.json", res->dir);
    char ev_path[1500];
    snprintf(ev_path, sizeof(ev_path), "%s/events.log", res->dir);
    t->events_log = fopen(ev_path, "w");
    /* every capture opens decrypted in Wireshark with the keys next to it */
    if (oscar_keys_write_dir(res->dir, s->contexts, s->num_contexts) != OSCAR_OK) {
        fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "cannot write Wireshark keys in %s", res->dir);
    }
    struct oscar_diag d = {{0}};
    int family = s->ipv6 ? AF_INET6 : AF_INET;
    bool relay_ok =
        oscar_relay_init(&t->relay, rc->seed, path, &d) == OSCAR_OK &&
        oscar_relay_add_node(&t->relay, &t->client.relay_index, "client", family, &d) == OSCAR_OK &&
        oscar_relay_add_node(&t->relay, &t->server.relay_index, "server", family, &d) == OSCAR_OK;
    for (size_t i = 0; relay_ok && i < s->num_relay; i++) {
        relay_ok = oscar_relay_add_rule(&t->relay, &s->relay[i], &d) == OSCAR_OK;
    }
    if (!relay_ok) {
        fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "relay: %s", d.msg);
    } else if (!write_config(server_cfg, s, s->server_contexts, s->num_server_contexts) ||
               !write_config(client_cfg, s, s->client_contexts, s->num_client_contexts)) {
        fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "cannot write the peer configs in %s", res->dir);
    } else {
        char alias[64];
        oscar_endpoint_format(alias, sizeof(alias), &t->relay.nodes[t->server.relay_index].alias);
        const char *sbug =
            variant != NULL && strcmp(variant->node, "server") == 0 ? variant->bug : NULL;
        const char *cbug =
            variant != NULL && strcmp(variant->node, "client") == 0 ? variant->bug : NULL;
        const char *const *sargv = rc->server->server_argv;
        size_t sargc = rc->server->server_argc;
        const char *sargv_unaware[OSCAR_IMPL_ARGS_MAX + 1];
        if (!s->server_oscore_aware) {
            /* the reference server plays OSCORE-unaware (plugtest 16) by a flag */
            memcpy(sargv_unaware, sargv, sargc * sizeof(*sargv));
            sargv_unaware[sargc++] = "--oscore-unaware";
            sargv = sargv_unaware;
        }
        if (start_node(t, &t->server, rc->server, sargv, sargc, server_cfg, NULL, sbug, a) &&
            start_node(t, &t->client, rc->client, rc->client->client_argv, rc->client->client_argc,
                       client_cfg, alias, cbug, a)) {
            drive(t);
        }
    }
    stop_node(t, &t->client);
    stop_node(t, &t->server);
    pump(t, mono_ms(), NULL, NULL);
    if (t->client.relay_index < t->relay.num_nodes) {
        t->client_real = t->relay.nodes[t->client.relay_index].real;
    }
    oscar_relay_cleanup(&t->relay);
    if (t->events_log != NULL) {
        fclose(t->events_log);
    }
    if (!save_evidence(t, variant)) {
        fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "cannot save the scenario and run.json in %s",
             res->dir);
    }
    if (!t->failed || res->status == OSCAR_STATUS_FAIL) {
        bool was_failed = t->failed;
        struct oscar_transcript tr;
        if (oscar_transcript_decode(&tr, path, s->contexts, s->num_contexts, NULL, 0, &d) !=
            OSCAR_OK) {
            if (!was_failed) {
                fail(t, OSCAR_STATUS_ERROR, NULL, NULL, "cannot decode %s: %s", path, d.msg);
            }
        } else {
            if (!was_failed) {
                struct judge_input in = {
                    .s = s,
                    .tr = &tr,
                    .client_events = (const cJSON *const *)t->client.events,
                    .num_client_events = t->client.num_events,
                    .server_events = (const cJSON *const *)t->server.events,
                    .num_server_events = t->server.num_events,
                    .client_ep = t->client_real,
                };
                struct judge_verdict jv = {0};
                oscar_judge(&jv, &in);
                if (jv.failed) {
                    fail(t, OSCAR_STATUS_FAIL, jv.step, jv.rfc, "%s", jv.reason);
                }
            }
            oscar_transcript_free(&tr);
        }
    }
    for (size_t i = 0; i < t->client.num_events; i++) {
        cJSON_Delete(t->client.events[i]);
    }
    for (size_t i = 0; i < t->server.num_events; i++) {
        cJSON_Delete(t->server.events[i]);
    }
    res->seconds = (double)(mono_ms() - start) / 1000.0;
    free(t);
}
