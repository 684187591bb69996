/* cmd_check.c — `oscar check PCAP --contexts FILE`: decode any capture with the given contexts,
 * apply every trace rule, print the conversation message by message with each violation under
 * the message that caused it, and optionally the same as JSON. Exit 0 clean, 1 violations,
 * 2 unusable input. Also `oscar keys --wireshark FILE` and `oscar rules`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../main/cli.h"
#include "../run/run_internal.h"
#include "keys.h"
#include "rules.h"
#include "../group/gjudge.h"

#define MAX_PORTS 16
#define MAX_CONTEXTS 32
#define MAX_VIOLATIONS 4096
#define DEFAULT_COAP_PORT 5683

/* load_contexts reads a JSON array of contexts, or an object {"contexts": [...]} (the peer
 * config form). Contexts without a name are called ctx1, ctx2, ... */
static enum oscar_err load_contexts(struct oscar_context_spec *out, size_t *n, const char *path,
                                    struct oscar_arena *a, struct oscar_diag *diag)
{
    cJSON *root = NULL;
    OSCAR_TRY(oscar_json_load_file(&root, path, diag));
    struct oscar_json_loc loc = {.file = path, .diag = diag};
    const cJSON *list = root;
    enum oscar_err err = OSCAR_OK;
    if (cJSON_IsObject(root)) {
        static const char *const req[] = {"contexts", NULL};
        static const char *const opt[] = {"notify_interval_ms", NULL};
        err = oscar_json_check_keys(root, &loc, opt, req);
        list = cJSON_GetObjectItemCaseSensitive(root, "contexts");
    }
    if (err == OSCAR_OK && (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0 ||
                            cJSON_GetArraySize(list) > MAX_CONTEXTS)) {
        err = oscar_json_fail(&loc, NULL, "expected 1 to %d security contexts", MAX_CONTEXTS);
    }
    *n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        if (err != OSCAR_OK) {
            break;
        }
        struct oscar_json_loc cl;
        oscar_json_loc_push(&cl, &loc, cJSON_IsObject(root) ? "contexts" : NULL, *n);
        if (cJSON_IsObject(root)) {
            oscar_json_loc_push(&cl, &cl, NULL, *n);
        }
        err = oscar_context_spec_load(&out[*n], c, &cl, a);
        if (err == OSCAR_OK && out[*n].name[0] == '\0') {
            snprintf(out[*n].name, sizeof(out[*n].name), "ctx%zu", *n + 1);
        }
        (*n)++;
    }
    cJSON_Delete(root);
    return err;
}

static void fmt_code(char *out, size_t cap, uint8_t code)
{
    snprintf(out, cap, "%u.%02u", OSCAR_COAP_CODE_CLASS(code), OSCAR_COAP_CODE_DETAIL(code));
}

static const char *type_name(uint8_t t)
{
    static const char *const names[] = {"CON", "NON", "ACK", "RST"};
    return t < 4 ? names[t] : "?";
}

/* describe_coap prints "CODE opt=value ... payload N bytes" of a CoAP message. */
static void describe_coap(FILE *f, const uint8_t *msg, size_t len)
{
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        fprintf(f, "(malformed)");
        return;
    }
    char code[8];
    fmt_code(code, sizeof(code), m.code);
    fprintf(f, "%s", code);
    for (size_t i = 0; i < m.num_options; i++) {
        const struct oscar_coap_option *o = &m.options[i];
        bool text = o->number == OSCAR_COAP_OPT_URI_PATH || o->number == OSCAR_COAP_OPT_URI_QUERY ||
                    o->number == OSCAR_COAP_OPT_URI_HOST || o->number == OSCAR_COAP_OPT_PROXY_URI;
        if (text) {
            fprintf(f, " %u=\"%.*s\"", o->number, (int)o->len, (const char *)o->value);
        } else {
            fprintf(f, " %u=", o->number);
            for (size_t k = 0; k < o->len; k++) {
                fprintf(f, "%02x", o->value[k]);
            }
        }
    }
    if (m.has_payload) {
        fprintf(f, " payload %zu bytes", m.payload_len);
    }
}

static void add_hex(cJSON *o, const char *name, const uint8_t *d, size_t n)
{
    char *h = malloc(2 * n + 1);
    if (h != NULL) {
        oscar_hex_encode(h, d, n);
        cJSON_AddStringToObject(o, name, h);
        free(h);
    }
}

static const struct oscar_violation *by_message; /* for cmp_by_message (qsort has no argument) */

static int cmp_by_message(const void *a, const void *b)
{
    size_t x = *(const size_t *)a;
    size_t y = *(const size_t *)b;
    if (by_message[x].msg != by_message[y].msg) {
        return by_message[x].msg < by_message[y].msg ? -1 : 1;
    }
    return x < y ? -1 : x > y;
}

/* print_message writes the report lines of message d: addresses, CoAP header, OSCORE verdict and
 * the decrypted (or plain) message. */
static void print_message(const struct oscar_transcript *t, const struct oscar_decoded *d)
{
    char src[64];
    char dst[64];
    char code[8];
    oscar_endpoint_format(src, sizeof(src), &d->src);
    oscar_endpoint_format(dst, sizeof(dst), &d->dst);
    printf("#%-5zu %s -> %s  ", d->frame, src, dst);
    if (d->coap_rule != OSCAR_COAP_WELL_FORMED) {
        printf("not CoAP: %s at byte %zu\n", oscar_coap_rule_str(d->coap_rule),
               (size_t)d->coap_offset);
        return;
    }
    fmt_code(code, sizeof(code), d->code);
    printf("%s %s mid=0x%04x tok=", type_name(d->type), code, d->mid);
    for (size_t k = 0; k < d->token_len; k++) {
        printf("%02x", d->token[k]);
    }
    if (d->request >= 0) {
        printf(" (answers #%zu)", t->msgs[d->request].frame);
    }
    if (d->oscore) {
        printf("  OSCORE %s", oscar_oscore_verdict_name(d->verdict));
        if (d->context >= 0) {
            printf(" [%s]", t->context_names[d->context]);
        }
        if (d->verdict == OSCAR_OSCORE_ACCEPT) {
            printf("\n        decrypted: ");
            describe_coap(stdout, d->plain, d->plain_len);
        }
    } else {
        printf("\n        ");
        describe_coap(stdout, d->wire, d->wire_len);
    }
    printf("\n");
}

/* message_json is message d of t as a JSON object ([new]: the caller deletes it). */
static cJSON *message_json(const struct oscar_transcript *t, const struct oscar_decoded *d)
{
    cJSON *o = cJSON_CreateObject();
    char ep[64];
    cJSON_AddNumberToObject(o, "frame", (double)d->frame);
    oscar_endpoint_format(ep, sizeof(ep), &d->src);
    cJSON_AddStringToObject(o, "src", ep);
    oscar_endpoint_format(ep, sizeof(ep), &d->dst);
    cJSON_AddStringToObject(o, "dst", ep);
    add_hex(o, "bytes", d->wire, d->wire_len);
    cJSON_AddStringToObject(o, "coap", oscar_coap_rule_str(d->coap_rule));
    cJSON_AddBoolToObject(o, "oscore", d->oscore);
    if (d->oscore) {
        cJSON_AddStringToObject(o, "verdict", oscar_oscore_verdict_name(d->verdict));
        if (d->context >= 0) {
            cJSON_AddStringToObject(o, "context", t->context_names[d->context]);
        }
        if (d->verdict == OSCAR_OSCORE_ACCEPT) {
            add_hex(o, "decrypted", d->plain, d->plain_len);
        }
    }
    if (d->request >= 0) {
        cJSON_AddNumberToObject(o, "answers_frame", (double)t->msgs[d->request].frame);
    }
    return o;
}

/* put_item writes item compactly after sep, then deletes it; false when it cannot. */
static bool put_item(FILE *f, const char *sep, cJSON *item)
{
    char *text = item != NULL ? cJSON_PrintUnformatted(item) : NULL;
    bool ok = text != NULL && fputs(sep, f) >= 0 && fputs(text, f) >= 0;
    cJSON_free(text);
    cJSON_Delete(item);
    return ok;
}

/* write_json streams the report as one JSON object, a message or violation per line: cJSON
 * builds one small object at a time, so a capture of millions of messages needs no more memory
 * than one of ten. */
static int write_json(const char *path, const char *pcap, const struct oscar_transcript *t,
                      const struct oscar_violation *v, size_t nv)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return 0;
    }
    cJSON *name = cJSON_CreateString(pcap);
    bool ok = put_item(f, "{\"capture\": ", name) && fputs(",\n\"messages\": [", f) >= 0;
    for (size_t i = 0; ok && i < t->num_msgs; i++) {
        ok = put_item(f, i ? ",\n" : "\n", message_json(t, &t->msgs[i]));
    }
    ok = ok && fputs("],\n\"violations\": [", f) >= 0;
    for (size_t i = 0; ok && i < nv; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "rule", v[i].rule->id);
        cJSON_AddStringToObject(o, "rfc", v[i].rule->rfc);
        cJSON_AddNumberToObject(o, "frame", (double)t->msgs[v[i].msg].frame);
        cJSON_AddStringToObject(o, "detail", v[i].detail);
        ok = put_item(f, i ? ",\n" : "\n", o);
    }
    ok = ok && fputs("]}\n", f) >= 0;
    return fclose(f) == 0 && ok;
}

/* load_scenario reads a scenario file; its contexts file is resolved against dir, by default
 * the folder above the scenario's own (scenarios/plugtest/X.json -> scenarios/). */
static enum oscar_err load_scenario(struct oscar_scenario *sc, const char *path, const char *dir,
                                    struct oscar_arena *arena, struct oscar_diag *diag)
{
    char parent[4096];
    if (dir == NULL) {
        snprintf(parent, sizeof(parent), "%s", path);
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(parent, '/');
            if (slash == NULL) {
                snprintf(parent, sizeof(parent), "%s", up == 0 ? "." : "..");
                break;
            }
            *slash = '\0';
        }
        dir = parent[0] != '\0' ? parent : "/";
    }
    return oscar_scenario_load(sc, path, dir, arena, diag);
}

/* judge_offline evaluates the scenario's expectations on the capture alone (the client is the
 * sender of the first request) and prints the verdict; true when it passes. */
static bool judge_offline(const struct oscar_scenario *sc, const struct oscar_transcript *t)
{
    struct judge_input in = {.s = sc, .tr = t, .offline = true};
    bool have_client = false;
    for (size_t i = 0; i < t->num_msgs && !have_client; i++) {
        if (t->msgs[i].coap_rule == OSCAR_COAP_WELL_FORMED && t->msgs[i].is_request) {
            in.client_ep = t->msgs[i].src;
            have_client = true;
        }
    }
    struct judge_verdict jv = {0};
    if (!have_client) {
        jv.failed = true;
        snprintf(jv.reason, sizeof(jv.reason), "no CoAP request in the capture");
    } else {
        oscar_judge(&jv, &in);
    }
    printf("%s %s (scenario judged offline, from the capture alone)%s%s\n",
           jv.failed ? "FAIL" : "PASS", sc->id, jv.failed ? ": " : "", jv.failed ? jv.reason : "");
    if (jv.unjudged > 0) {
        printf("%zu expectation(s) on what a peer itself reports were not judged: they need the "
               "run's events (oscar check --rejudge FOLDER)\n",
               jv.unjudged);
    }
    return !jv.failed;
}

int oscar_cmd_check(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[2], "--group-scenario") == 0 && strcmp(argv[4], "--nodes") == 0) {
        return oscar_group_check(argv[1], argv[3], argv[5]);
    }
    if (argc >= 2 && strcmp(argv[1], "--rejudge") == 0) {
        if (argc < 3) {
            fprintf(stderr, "usage: oscar check --rejudge TEST_FOLDER...\n");
            return OSCAR_EXIT_USAGE;
        }
        return oscar_rejudge(argc - 2, argv + 2);
    }
    const char *contexts = NULL;
    const char *ace_key_hex = NULL;
    const char *json = NULL;
    uint16_t ports[MAX_PORTS];
    size_t num_ports = 0;
    bool all_ports = false;
    bool only_violations = false;
    const char *scenario = NULL;
    const char *scenarios_dir = NULL;
    struct oscar_rules_opts ro = {0, 0, OSCAR_RULES_DEFAULT_REPLAY_WINDOW};
    static const struct option longopts[] = {
        {"reorder-window", required_argument, NULL, 'r'},
        {"replay-window", required_argument, NULL, 'w'},
        {"contexts", required_argument, NULL, 'c'},
        {"ace-token-key", required_argument, NULL, 'K'},
        {"scenario", required_argument, NULL, 's'},
        {"scenarios-dir", required_argument, NULL, 'd'},
        {"json", required_argument, NULL, 'j'},
        {"port", required_argument, NULL, 'p'},
        {"all-ports", no_argument, NULL, 'a'},
        {"only-violations", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            contexts = optarg;
            break;
        case 'K':
            ace_key_hex = optarg;
            break;
        case 'j':
            json = optarg;
            break;
        case 'p': {
            char *end;
            unsigned long p = strtoul(optarg, &end, 10);
            if (*end != '\0' || p == 0 || p > 65535 || num_ports == MAX_PORTS) {
                fprintf(stderr, "oscar check: --port takes 1-65535 (at most %d)\n", MAX_PORTS);
                return OSCAR_EXIT_USAGE;
            }
            ports[num_ports++] = (uint16_t)p;
            break;
        }
        case 'a':
            all_ports = true;
            break;
        case 'r':
        case 'w': {
            char *end;
            unsigned long long x = strtoull(optarg, &end, 10);
            if (*end != '\0' || optarg[0] == '\0' || optarg[0] == '-' || x > 3600000 ||
                (ch == 'w' && x == 0)) {
                fprintf(stderr, "oscar check: --%s takes %s\n",
                        ch == 'r' ? "reorder-window" : "replay-window",
                        ch == 'r' ? "milliseconds (0-3600000)" : "a size (1-3600000)");
                return OSCAR_EXIT_USAGE;
            }
            if (ch == 'r') {
                ro.sender_reorder_usec = ro.receiver_reorder_usec = x * 1000u;
            } else {
                ro.replay_window = x;
            }
            break;
        }
        case 'V':
            only_violations = true;
            break;
        case 's':
            scenario = optarg;
            break;
        case 'd':
            scenarios_dir = optarg;
            break;
        case 'h':
            printf("usage: oscar check PCAP [--contexts FILE] [--ace-token-key HEX] [--json OUT] "
                   "[--port N]... "
                   "[--all-ports]\n"
                   "            [--only-violations] [--scenario FILE [--scenarios-dir DIR]]\n"
                   "            [--reorder-window MS] [--replay-window N]\n"
                   "Decodes every CoAP datagram on port 5683 (and --port N) of a pcap/pcapng\n"
                   "capture, verifies OSCORE messages with the contexts (a JSON array, or\n"
                   "{\"contexts\": [...]}, from one endpoint's view; both directions are "
                   "derived)\n"
                   "and applies every trace rule (oscar rules). Exit 0 clean, 1 violations, 2\n"
                   "unusable input. --scenario FILE also judges the scenario's expectations on\n"
                   "the capture alone (contexts from the scenario unless --contexts; all ports;\n"
                   "its contexts_file resolved against --scenarios-dir, default the folder above\n"
                   "the scenario's). --only-violations prints only the messages that break a "
                   "rule.\n"
                   "--reorder-window MS: the capture was taken mid-network, where datagrams up\n"
                   "to MS apart may be reordered; the order rules (Partial IVs increasing, the\n"
                   "replay window) then give them the benefit of the doubt (default 0: the\n"
                   "capture order is each peer's own, as on a peer's host). --replay-window N:\n"
                   "the recipients' replay window size where the contexts file states none\n"
                   "(replay_window; default 32, RFC 8613 §3.2.2).\n"
                   "--ace-token-key HEX: an ACE capture (OSCORE profile, RFC 9203): the tokens\n"
                   "of its /authz-info exchanges are decrypted with this key (the one the AS\n"
                   "shares with the Group Manager), the OSCORE contexts derived from them and\n"
                   "the nonces and IDs of the exchange, and the GM exchanges judged (ACE-*).\n"
                   "OSCORE messages are verified on one thread per CPU (at most 8);\n"
                   "OSCAR_THREADS=N in the environment sets the number.\n"
                   "       oscar check PCAP --group-scenario FILE --nodes FILE\n"
                   "Decodes the Group OSCORE messages of a capture with the keys of a group\n"
                   "scenario's members (nodes: {\"name\": \"ip:port\"}, e.g. a test folder's "
                   "run.json\n"
                   "\"nodes\") and applies the GOSC-* rules (oscar rules --group).\n"
                   "       oscar check --rejudge TEST_FOLDER...\n"
                   "Judges finished `oscar run` test folders again from what they hold (capture,\n"
                   "events, scenario copy, run.json), with the same code as oscar run.\n");
            return OSCAR_EXIT_OK;
        default:
            return OSCAR_EXIT_USAGE;
        }
    }
    uint8_t ace_key[16];
    size_t ace_key_len = 0;
    if (ace_key_hex != NULL && (oscar_hex_decode(ace_key, sizeof(ace_key), &ace_key_len,
                                                 ace_key_hex, strlen(ace_key_hex)) != OSCAR_OK ||
                                ace_key_len != 16)) {
        fprintf(stderr, "oscar check: --ace-token-key takes 16 bytes in hex\n");
        return OSCAR_EXIT_USAGE;
    }
    if (optind != argc - 1 || (contexts == NULL && scenario == NULL && ace_key_hex == NULL)) {
        fprintf(stderr, "usage: oscar check PCAP --contexts FILE (oscar check --help)\n");
        return OSCAR_EXIT_USAGE;
    }
    const char *pcap = argv[optind];
    if (scenario != NULL && num_ports == 0) {
        all_ports = true; /* scenario captures are taken on the relay's ports */
    }
    if (!all_ports) {
        ports[num_ports++] = DEFAULT_COAP_PORT;
    }
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    struct oscar_diag diag = {{0}};
    static struct oscar_context_spec specs[MAX_CONTEXTS];
    size_t ns = 0;
    struct oscar_transcript t;
    int rc = OSCAR_EXIT_INPUT;
    static struct oscar_scenario sc;
    if (scenario != NULL &&
        load_scenario(&sc, scenario, scenarios_dir, &arena, &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar check: %s\n", diag.msg);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    if (contexts == NULL) {
        ns = sc.num_contexts;
        memcpy(specs, sc.contexts, ns * sizeof(specs[0]));
    }
    if (contexts != NULL && load_contexts(specs, &ns, contexts, &arena, &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar check: %s\n", diag.msg);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    if (ace_key_hex != NULL) {
        /* the OSCORE-profile contexts of the capture's /authz-info exchanges (RFC 9203) */
        if (oscar_transcript_decode(&t, pcap, specs, ns, ports, all_ports ? 0 : num_ports, &diag) !=
            OSCAR_OK) {
            fprintf(stderr, "oscar check: %s\n", diag.msg);
            oscar_arena_free(&arena);
            return OSCAR_EXIT_INPUT;
        }
        size_t nd = oscar_ace_derive_specs(ace_key, &t, specs + ns, MAX_CONTEXTS - ns, &arena);
        oscar_transcript_free(&t);
        fprintf(stderr, "oscar check: %zu OSCORE-profile contexts from /authz-info exchanges\n",
                nd);
        ns += nd;
    }
    if (oscar_transcript_decode(&t, pcap, specs, ns, ports, all_ports ? 0 : num_ports, &diag) !=
        OSCAR_OK) {
        fprintf(stderr, "oscar check: %s\n", diag.msg);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    struct oscar_violation *v = calloc(MAX_VIOLATIONS, sizeof(*v));
    size_t *ord = calloc(MAX_VIOLATIONS, sizeof(*ord));
    if (v == NULL || ord == NULL) {
        fprintf(stderr, "oscar check: out of memory\n");
        free(v);
        free(ord);
        oscar_transcript_free(&t);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    size_t nv = 0;
    if (oscar_rules_check(v, MAX_VIOLATIONS, &nv, &t, &ro) != OSCAR_OK) {
        fprintf(stderr, "oscar check: out of memory applying the rules to %zu messages\n",
                t.num_msgs);
        free(v);
        free(ord);
        oscar_transcript_free(&t);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    /* each message's violations in the order found, one walk through the capture */
    for (size_t k = 0; k < nv; k++) {
        ord[k] = k;
    }
    by_message = v;
    qsort(ord, nv, sizeof(*ord), cmp_by_message);
    size_t next = 0;
    size_t decrypted = 0;
    size_t oscore = 0;
    for (size_t i = 0; i < t.num_msgs; i++) {
        const struct oscar_decoded *d = &t.msgs[i];
        oscore += d->oscore;
        decrypted += d->oscore && d->verdict == OSCAR_OSCORE_ACCEPT;
        bool has_violation = next < nv && v[ord[next]].msg == i;
        if (!only_violations || has_violation) {
            print_message(&t, d);
        }
        for (; next < nv && v[ord[next]].msg == i; next++) {
            const struct oscar_violation *x = &v[ord[next]];
            printf("        ! %s (%s): %s\n", x->rule->id, x->rule->rfc, x->detail);
        }
    }
    printf("%zu messages, %zu OSCORE, %zu decrypted, %zu violations", t.num_msgs, oscore, decrypted,
           nv);
    if (t.other_ports) {
        printf("; %zu datagrams on other ports left out (--port, --all-ports)", t.other_ports);
    }
    for (int k = 0; k < OSCAR_PCAP_SKIP__COUNT; k++) {
        if (t.skipped[k]) {
            printf("; %zu packets skipped: %s", t.skipped[k],
                   oscar_pcap_skip_str((enum oscar_pcap_skip)k));
        }
    }
    printf("\n");
    if (nv == MAX_VIOLATIONS) {
        printf("at least %d violations: only the first %d are listed\n", MAX_VIOLATIONS,
               MAX_VIOLATIONS);
    }
    if (t.damage[0] != '\0') {
        printf("the capture is damaged %s; everything before was checked\n", t.damage);
    }
    /* Group OSCORE read as RFC 8613: its Group Flag is a reserved bit there. Say so once. */
    size_t group_flagged = 0;
    for (size_t k = 0; k < nv; k++) {
        const struct oscar_decoded *d = &t.msgs[v[k].msg];
        struct oscar_coap_msg m;
        size_t off;
        const struct oscar_coap_option *o = NULL;
        if (d->oscore &&
            oscar_coap_parse(&m, &off, d->wire, d->wire_len) == OSCAR_COAP_WELL_FORMED) {
            o = oscar_coap_find_option(&m, OSCAR_COAP_OPT_OSCORE);
        }
        group_flagged += o != NULL && o->len > 0 && (o->value[0] & OSCAR_OSCORE_FLAG_GROUP) != 0;
    }
    if (group_flagged > 0) {
        printf("note: %zu violations are on messages with the Group Flag set (RFC 10021 §4): this "
               "looks like Group OSCORE, which the RFC 8613 rules do not cover; judge it with "
               "--group-scenario FILE --nodes FILE\n",
               group_flagged);
    }
    rc = nv == 0 ? OSCAR_EXIT_OK : OSCAR_EXIT_FAIL;
    if (scenario != NULL) {
        rc = judge_offline(&sc, &t) ? OSCAR_EXIT_OK : OSCAR_EXIT_FAIL;
    }
    if (json != NULL && !write_json(json, pcap, &t, v, nv)) {
        fprintf(stderr, "oscar check: cannot write %s\n", json);
        rc = OSCAR_EXIT_INPUT;
    }
    free(v);
    free(ord);
    oscar_transcript_free(&t);
    oscar_arena_free(&arena);
    return rc;
}

int oscar_cmd_keys(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--wireshark") != 0) {
        fprintf(stderr, "usage: oscar keys --wireshark CONTEXTS_FILE\n"
                        "Prints the Wireshark oscore_contexts UAT lines and the equivalent tshark "
                        "-o arguments.\n");
        return OSCAR_EXIT_USAGE;
    }
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    struct oscar_diag diag = {{0}};
    static struct oscar_context_spec specs[MAX_CONTEXTS];
    size_t ns = 0;
    if (load_contexts(specs, &ns, argv[2], &arena, &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar keys: %s\n", diag.msg);
        oscar_arena_free(&arena);
        return OSCAR_EXIT_INPUT;
    }
    printf("# Wireshark profile file oscore_contexts:\n");
    size_t skipped = oscar_keys_write_uat(stdout, specs, ns);
    printf("# tshark arguments:\n");
    oscar_keys_write_args(stdout, specs, ns);
    if (skipped != 0) {
        fprintf(stderr,
                "oscar keys: %zu context(s) left out: Wireshark 4.0 decrypts only "
                "AES-CCM-16-64-128 with HKDF SHA-256 from a Master Secret\n",
                skipped);
    }
    oscar_arena_free(&arena);
    return OSCAR_EXIT_OK;
}

int oscar_cmd_rules(int argc, char **argv)
{
    bool markdown = false;
    bool group = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0) {
            markdown = true;
        } else if (strcmp(argv[i], "--group") == 0) {
            group = true;
        } else {
            fprintf(stderr, "usage: oscar rules [--group] [--markdown]\n"
                            "The trace rules of RFC 8613 (OSCORE-*, COAP-*), or with --group "
                            "those of\nGroup OSCORE (GOSC-*, RFC 10021).\n");
            return OSCAR_EXIT_USAGE;
        }
    }
    const struct oscar_rule *plain = oscar_rules();
    const struct gj_rule *grp = gj_rules();
    for (size_t i = 0;; i++) {
        const char *id = group ? grp[i].id : plain[i].id;
        if (id == NULL) {
            break;
        }
        const char *rfc = group ? grp[i].rfc : plain[i].rfc;
        const char *summary = group ? grp[i].summary : plain[i].summary;
        if (markdown) {
            printf("| `%s` | %s | %s |\n", id, rfc, summary);
        } else {
            printf("%-28s %-28s %s\n", id, rfc, summary);
        }
    }
    return OSCAR_EXIT_OK;
}
