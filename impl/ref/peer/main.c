/* main.c — oscar-peer: the reference implementation as a CoAP/OSCORE endpoint over UDP, speaking
 * the shim contract (docs/shim-contract.md): flags in, `ready <port>` on --ready-fd, control as
 * JSON lines on stdin, events as JSON lines on stdout, diagnostics on stderr; exit 0 ok,
 * 1 failure, 2 usage, 89 unimplemented. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcapio.h"
#include "peer.h"

#define EXIT_USAGE 2
#define EXIT_UNIMPLEMENTED 89
#define LINE_MAX_LEN 65536
#define TICK_MS 10
#define DEFAULT_NOTIFY_MS 50

void peer_event(cJSON *event)
{
    char *s = cJSON_PrintUnformatted(event);
    if (s != NULL) {
        fputs(s, stdout);
        fputc('\n', stdout);
        fflush(stdout);
        cJSON_free(s);
    }
    cJSON_Delete(event);
}

uint64_t peer_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t peer_rand(struct peer *p)
{
    /* splitmix64: tokens and Echo values follow from --seed */
    uint64_t z = (p->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

void peer_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len)
{
    char *hex = malloc(2 * len + 1);
    if (hex == NULL) {
        return;
    }
    oscar_hex_encode(hex, data, len);
    cJSON_AddStringToObject(obj, name, hex);
    free(hex);
}

void peer_describe(cJSON *obj, const uint8_t *msg, size_t len)
{
    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, msg, len) != OSCAR_COAP_WELL_FORMED) {
        return;
    }
    char code[8];
    snprintf(code, sizeof(code), "%u.%02u", OSCAR_COAP_CODE_CLASS(m.code),
             OSCAR_COAP_CODE_DETAIL(m.code));
    cJSON_AddStringToObject(obj, "code", code);
    cJSON *opts = cJSON_AddArrayToObject(obj, "options");
    for (size_t i = 0; i < m.num_options; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(m.options[i].number));
        char *hex = malloc(2 * (size_t)m.options[i].len + 1);
        if (hex != NULL) {
            oscar_hex_encode(hex, m.options[i].value, m.options[i].len);
            cJSON_AddItemToArray(pair, cJSON_CreateString(hex));
            free(hex);
        }
        cJSON_AddItemToArray(opts, pair);
    }
    peer_hex(obj, "payload_hex", m.payload, m.has_payload ? m.payload_len : 0);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: oscar-peer --role client|server|as|gm|joiner --config FILE [--bind ADDR:PORT]\n"
            "                  [--server ADDR:PORT] [--ready-fd N] [--seed N] [--bug NAME]...\n"
            "                  [--oscore-unaware] [--notify-ms N]\n"
            "Faults (--bug): the names of enum oscar_oscore_fault (reuse-piv, accept-replay,\n"
            "wrong-outer-code, class-e-outer, wrong-response-nonce, no-kid, skip-tag-check,\n"
            "reserved-flags, nonminimal-piv, wrong-external-aad) and replay-gets-205,\n"
            "error-protected, error-unprotected, no-dedup. See docs/shim-contract.md.\n");
}

static uint32_t peer_fault_parse(const char *name)
{
    if (strcmp(name, "replay-gets-205") == 0) {
        return PEER_FAULT_REPLAY_GETS_205;
    }
    if (strcmp(name, "error-protected") == 0) {
        return PEER_FAULT_ERROR_PROTECTED;
    }
    if (strcmp(name, "error-unprotected") == 0) {
        return PEER_FAULT_ERROR_UNPROTECTED;
    }
    if (strcmp(name, "no-dedup") == 0) {
        return PEER_FAULT_NO_DEDUP;
    }
    return 0;
}

static bool to_taddr(struct oscar_transport_addr *out, const char *text)
{
    struct oscar_endpoint e;
    if (oscar_endpoint_parse(&e, text) != OSCAR_OK) {
        return false;
    }
    out->family = e.family;
    memcpy(out->addr, e.addr, sizeof(out->addr));
    out->port = e.port;
    return true;
}

/* load_config reads {"contexts": [ ... ]} (contexts.h) into p. */
static bool load_config(struct peer *p, const char *path)
{
    struct oscar_diag diag = {{0}};
    cJSON *root = NULL;
    struct oscar_arena arena;
    oscar_arena_init(&arena, 0);
    bool ok = false;
    if (oscar_json_load_file(&root, path, &diag) != OSCAR_OK) {
        goto out;
    }
    struct oscar_json_loc loc = {.file = path, .diag = &diag};
    static const char *const allowed[] = {"notify_interval_ms", NULL};
    static const char *const required[] = {"contexts", NULL};
    if (oscar_json_check_keys(root, &loc, allowed, required) != OSCAR_OK) {
        goto out;
    }
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "contexts");
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) > PEER_MAX_CONTEXTS) {
        oscar_json_fail(&loc, "contexts", "expected an array of at most %d contexts",
                        PEER_MAX_CONTEXTS);
        goto out;
    }
    int64_t interval = DEFAULT_NOTIFY_MS;
    bool present;
    if (oscar_json_get_int(&interval, &present, root, "notify_interval_ms", 1, 60000, &loc) !=
        OSCAR_OK) {
        goto out;
    }
    p->notify_interval_ms = (unsigned)interval;
    size_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        struct oscar_json_loc cl;
        oscar_json_loc_push(&cl, &loc, "contexts", 0);
        oscar_json_loc_push(&cl, &cl, NULL, i);
        struct oscar_context_spec spec;
        if (oscar_context_spec_load(&spec, c, &cl, &arena) != OSCAR_OK) {
            goto out;
        }
        if (spec.name[0] == '\0') {
            oscar_json_fail(&cl, "name", "every context of a peer needs a name");
            goto out;
        }
        enum oscar_err err = oscar_context_spec_init(&p->contexts[i].ctx, &spec);
        if (err != OSCAR_OK) {
            oscar_json_fail(&cl, NULL, "cannot set up the context: %s", oscar_err_str(err));
            goto out;
        }
        memcpy(p->contexts[i].name, spec.name, sizeof(spec.name));
        i++;
        p->num_contexts = i;
    }
    ok = true;
out:
    if (!ok) {
        fprintf(stderr, "oscar-peer: %s\n", diag.msg);
    }
    cJSON_Delete(root);
    oscar_arena_free(&arena);
    return ok;
}

/* read_control consumes complete lines from stdin; returns false at end of input. */
static bool read_control(struct peer *p, char *buf, size_t *used)
{
    ssize_t n = read(STDIN_FILENO, buf + *used, LINE_MAX_LEN - 1 - *used);
    if (n <= 0) {
        return n < 0 && errno == EINTR;
    }
    *used += (size_t)n;
    char *start = buf;
    char *nl;
    while ((nl = memchr(start, '\n', (size_t)(buf + *used - start))) != NULL) {
        *nl = '\0';
        if (nl > start) {
            cJSON *cmd = cJSON_Parse(start);
            if (cmd == NULL || !cJSON_IsObject(cmd)) {
                fprintf(stderr, "oscar-peer: control line is not a JSON object: %s\n", start);
            } else if (p->server) {
                const cJSON *op = cJSON_GetObjectItemCaseSensitive(cmd, "op");
                if (cJSON_IsString(op) && strcmp(op->valuestring, "quit") == 0) {
                    p->quit = true;
                }
            } else {
                peer_client_control(p, cmd);
            }
            cJSON_Delete(cmd);
        }
        start = nl + 1;
    }
    *used = (size_t)(buf + *used - start);
    memmove(buf, start, *used);
    if (*used == LINE_MAX_LEN - 1) {
        fprintf(stderr, "oscar-peer: control line longer than %d bytes dropped\n", LINE_MAX_LEN);
        *used = 0;
    }
    return true;
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 &&
            (strcmp(argv[i + 1], "as") == 0 || strcmp(argv[i + 1], "gm") == 0 ||
             strcmp(argv[i + 1], "joiner") == 0)) {
            return oscar_ace_peer_main(argc, argv);
        }
    }
    static struct peer p;
    const char *role = NULL;
    const char *config = NULL;
    const char *bind_text = "127.0.0.1:0";
    const char *server_text = NULL;
    int ready_fd = -1;
    bool oscore_aware = true;
    uint32_t core_faults = 0;
    p.rng = 1;
    p.notify_interval_ms = DEFAULT_NOTIFY_MS;
    static const struct option longopts[] = {
        {"role", required_argument, NULL, 'r'},     {"config", required_argument, NULL, 'c'},
        {"bind", required_argument, NULL, 'b'},     {"server", required_argument, NULL, 's'},
        {"ready-fd", required_argument, NULL, 'f'}, {"seed", required_argument, NULL, 'S'},
        {"bug", required_argument, NULL, 'B'},      {"oscore-unaware", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            role = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'b':
            bind_text = optarg;
            break;
        case 's':
            server_text = optarg;
            break;
        case 'f':
            ready_fd = (int)strtol(optarg, NULL, 10);
            break;
        case 'S':
            p.rng = strtoull(optarg, NULL, 0);
            break;
        case 'B': {
            uint32_t f = oscar_oscore_fault_parse(optarg);
            uint32_t pf = peer_fault_parse(optarg);
            if (f == 0 && pf == 0) {
                fprintf(stderr, "oscar-peer: unknown --bug %s\n", optarg);
                return EXIT_UNIMPLEMENTED;
            }
            core_faults |= f;
            p.peer_faults |= pf;
            break;
        }
        case 'u':
            oscore_aware = false;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (role == NULL || config == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(role, "client") != 0 && strcmp(role, "server") != 0) {
        fprintf(stderr, "oscar-peer: role %s is not implemented yet\n", role);
        return EXIT_UNIMPLEMENTED;
    }
    p.server = strcmp(role, "server") == 0;
    struct oscar_transport_addr bind_addr;
    struct oscar_transport_addr server_addr;
    if (!to_taddr(&bind_addr, bind_text) ||
        (!p.server && (server_text == NULL || !to_taddr(&server_addr, server_text)))) {
        fprintf(stderr,
                "oscar-peer: --bind/--server must be ADDR:PORT (a client needs --server)\n");
        return EXIT_USAGE;
    }
    if (!load_config(&p, config)) {
        return 1;
    }
    for (size_t i = 0; i < p.num_contexts; i++) {
        p.contexts[i].ctx.faults = core_faults;
    }
    struct oscar_transport_handlers h = {
        .on_request = peer_server_on_request,
        .on_response = peer_client_on_response,
        .on_timeout = peer_client_on_timeout,
        .arg = &p,
    };
    enum oscar_err err = p.server ? oscar_transport_open_server(&p.t, &bind_addr, oscore_aware, &h)
                                  : oscar_transport_open_client(&p.t, &bind_addr, &server_addr, &h);
    if (err != OSCAR_OK) {
        fprintf(stderr, "oscar-peer: cannot open the CoAP endpoint on %s: %s\n", bind_text,
                oscar_err_str(err));
        return 1;
    }
    struct oscar_transport_addr local;
    oscar_transport_local(p.t, &local);
    if (ready_fd >= 0) {
        dprintf(ready_fd, "ready %u\n", local.port);
        close(ready_fd);
    }
    static char line[LINE_MAX_LEN];
    size_t used = 0;
    bool stdin_open = true;
    while (!p.quit) {
        struct pollfd fds[2] = {{oscar_transport_fd(p.t), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        int n = poll(fds, stdin_open ? 2 : 1, TICK_MS);
        if (n < 0 && errno != EINTR) {
            break;
        }
        oscar_transport_process(p.t);
        if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP))) {
            stdin_open = read_control(&p, line, &used);
            if (!stdin_open && !p.server) {
                p.quit = true; /* a client ends with its control channel */
            }
        }
        if (p.server) {
            peer_server_tick(&p);
        }
    }
    for (size_t i = 0; i < PEER_MAX_OBSERVERS; i++) {
        if (p.observers[i].used) {
            oscar_transport_peer_unref(p.observers[i].to);
        }
    }
    oscar_transport_close(p.t);
    for (size_t i = 0; i < p.num_contexts; i++) {
        oscar_oscore_ctx_cleanup(&p.contexts[i].ctx);
    }
    return 0;
}
