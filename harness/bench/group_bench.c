#define _GNU_SOURCE /* SO_RCVBUFFORCE */
/* group_bench.c — `oscar bench --group`: the cost of one Group OSCORE exchange with N servers
 * (RFC 10021 §7): the client protects one group-mode request, every server verifies it (its
 * Recipient Context for the client created on first contact) and answers in group mode, and
 * the client verifies all N responses (N Recipient Contexts created). Printed for each N with
 * the time, the time per server, and the process's peak memory, next to the signature sign and
 * verify rates measured in the same run and the time those rates predict (N verifies, N + 1
 * signs, N verifies). Twice: in memory (the protocol and crypto cost alone), and through the
 * harness's relay (every node a UDP socket on loopback, the request fanned out by the relay's
 * group alias as in the group scenarios), all in one process. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../main/cli.h"
#include "../net/relay.h"
#include "bench.h"
#include "oscar/group.h"

#define MSG_MAX 1024
#define CRED_LEN 32

struct member {
    uint8_t id[2];
    uint8_t d[OSCAR_SIG_PRIV_LEN];
    uint8_t pub[OSCAR_SIG_PUB_MAX];
};

struct directory {
    struct member *m;
    size_t n;
    size_t pub_len;
};

double oscar_bench_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* member i's Sender ID is i in two bytes; the credential of these runs is the public key */
static bool lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred, size_t *cred_len,
                   uint8_t *pub)
{
    const struct directory *dir = arg;
    if (kid_len != 2) {
        return false;
    }
    size_t i = (size_t)kid[0] << 8 | kid[1];
    if (i >= dir->n) {
        return false;
    }
    memcpy(cred, dir->m[i].pub, dir->pub_len);
    *cred_len = dir->pub_len;
    memcpy(pub, dir->m[i].pub, dir->pub_len);
    return true;
}

static int make_members(struct directory *dir, size_t n, int32_t sig)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    dir->m = calloc(n, sizeof(*dir->m));
    dir->n = n;
    dir->pub_len = oscar_sig_pub_len(sig);
    if (dir->m == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct member *m = &dir->m[i];
        m->id[0] = (uint8_t)(i >> 8);
        m->id[1] = (uint8_t)i;
        /* a private key from HKDF of the member number: fixed, valid for both curves */
        uint8_t info[2] = {m->id[0], m->id[1]};
        static const uint8_t ikm[] = "oscar group bench";
        if (c->hkdf(m->d, sizeof(m->d), OSCAR_COSE_ALG_HKDF_SHA256, NULL, 0, ikm, sizeof(ikm), info,
                    sizeof(info)) != OSCAR_OK ||
            c->sig_public(sig, m->d, m->pub) != OSCAR_OK) {
            return -1;
        }
    }
    return 0;
}

static int open_ctx(struct oscar_group_ctx *ctx, struct directory *dir, size_t who, int32_t sig,
                    struct oscar_group_recipient *slots, size_t num_slots)
{
    static const uint8_t secret[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t gid[2] = {0xdd, 0x11};
    static const uint8_t gm_cred[8] = {0x47, 0x4d};
    struct oscar_group_params p = {
        .master_secret = secret,
        .master_secret_len = sizeof(secret),
        .gid = gid,
        .gid_len = sizeof(gid),
        .group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
        .sig_alg = sig,
        .gm_cred = gm_cred,
        .gm_cred_len = sizeof(gm_cred),
        .sender_id = dir->m[who].id,
        .sender_id_len = 2,
        .sender_priv = dir->m[who].d,
        .sender_cred = dir->m[who].pub,
        .sender_cred_len = dir->pub_len,
        .recipients = slots,
        .recipients_cap = num_slots,
        .cred_lookup = lookup,
        .cred_arg = dir,
    };
    return oscar_group_ctx_init(ctx, oscar_crypto_wolfssl(), &p) == OSCAR_OK ? 0 : -1;
}

/* rates measures signs and verifies per second of a 200-byte message. */
void oscar_bench_sig_rates(int32_t sig, double *sign_rate, double *verify_rate)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    struct directory dir;
    *sign_rate = *verify_rate = 0;
    if (make_members(&dir, 1, sig) != 0) {
        free(dir.m);
        return;
    }
    uint8_t msg[200] = {0};
    uint8_t s[OSCAR_SIG_MAX];
    int n = 0;
    double t0 = oscar_bench_seconds();
    while (oscar_bench_seconds() - t0 < 0.5) {
        msg[0] = (uint8_t)n++;
        if (c->sign(sig, dir.m[0].d, dir.m[0].pub, msg, sizeof(msg), s) != OSCAR_OK) {
            break;
        }
    }
    *sign_rate = n / (oscar_bench_seconds() - t0);
    n = 0;
    t0 = oscar_bench_seconds();
    bool ok = true;
    while (oscar_bench_seconds() - t0 < 0.5 && ok) {
        n++;
        c->verify(sig, dir.m[0].pub, msg, sizeof(msg), s, sizeof(s), &ok);
    }
    *verify_rate = n / (oscar_bench_seconds() - t0);
    free(dir.m);
}

/* struct bench_group is a client and n servers with their contexts, and where the n
 * responses go before the client reads them. */
struct bench_group {
    size_t n;
    struct directory dir;
    struct oscar_group_ctx client;
    struct oscar_group_ctx *servers;
    struct oscar_group_recipient *server_slots;
    struct oscar_group_recipient *client_slots;
    struct oscar_group_exchange *sex;
    uint8_t (*responses)[MSG_MAX];
    size_t *response_len;
    bool opened;
};

static void group_close(struct bench_group *b)
{
    for (size_t k = 0; b->servers != NULL && k < b->n; k++) {
        oscar_group_ctx_cleanup(&b->servers[k]);
    }
    if (b->opened) {
        oscar_group_ctx_cleanup(&b->client);
    }
    free(b->servers);
    free(b->server_slots);
    free(b->client_slots);
    free(b->sex);
    free(b->responses);
    free(b->response_len);
    free(b->dir.m);
}

static bool group_open(struct bench_group *b, size_t n, int32_t sig)
{
    memset(b, 0, sizeof(*b));
    b->n = n;
    b->servers = calloc(n, sizeof(*b->servers));
    b->server_slots = calloc(n, sizeof(*b->server_slots));
    b->client_slots = calloc(n, sizeof(*b->client_slots));
    b->sex = calloc(n, sizeof(*b->sex));
    b->responses = calloc(n, MSG_MAX);
    b->response_len = calloc(n, sizeof(size_t));
    if (b->servers == NULL || b->server_slots == NULL || b->client_slots == NULL ||
        b->sex == NULL || b->responses == NULL || b->response_len == NULL ||
        make_members(&b->dir, n + 1, sig) != 0 ||
        open_ctx(&b->client, &b->dir, 0, sig, b->client_slots, n) != 0) {
        return false;
    }
    b->opened = true;
    for (size_t k = 0; k < n; k++) {
        if (open_ctx(&b->servers[k], &b->dir, k + 1, sig, &b->server_slots[k], 1) != 0) {
            return false;
        }
    }
    return true;
}

/* NON GET /light, and the 2.05 "on" every server answers */
static const uint8_t GET[] = {0x52, 0x01, 0x00, 0x01, 0x4a, 0x01, 0xb5, 'l', 'i', 'g', 'h', 't'};
static const uint8_t ON[] = {0x52, 0x45, 0x00, 0x01, 0x4a, 0x01, 0xff, 'o', 'n'};

/* serve has server k verify the request and protect its response into responses[k]. */
static bool serve(struct bench_group *b, size_t k, const uint8_t *req, size_t req_len)
{
    uint8_t dec[2 * MSG_MAX + 8];
    size_t dec_len;
    enum oscar_oscore_verdict v;
    struct oscar_group_recipient *who;
    return oscar_group_unprotect_request(&b->servers[k], &v, &who, dec, sizeof(dec), &dec_len,
                                         &b->sex[k], req, req_len) == OSCAR_OK &&
           v == OSCAR_OSCORE_ACCEPT &&
           oscar_group_protect_response(&b->servers[k], OSCAR_GROUP_MODE_GROUP, false,
                                        b->responses[k], MSG_MAX, &b->response_len[k], &b->sex[k],
                                        ON, sizeof(ON)) == OSCAR_OK;
}

static bool client_reads(struct bench_group *b, const struct oscar_group_exchange *cex,
                         const uint8_t *msg, size_t len)
{
    uint8_t dec[2 * MSG_MAX + 8];
    size_t dec_len;
    enum oscar_oscore_verdict v;
    struct oscar_group_recipient *who;
    return oscar_group_unprotect_response(&b->client, &v, &who, dec, sizeof(dec), &dec_len, cex,
                                          msg, len) == OSCAR_OK &&
           v == OSCAR_OSCORE_ACCEPT;
}

/* one_exchange runs the exchange with n servers in this process, messages handed over in
 * memory; returns seconds, -1 on a failure. */
static double one_exchange(size_t n, int32_t sig)
{
    struct bench_group b;
    double elapsed = -1;
    if (group_open(&b, n, sig)) {
        uint8_t req[MSG_MAX];
        size_t req_len;
        struct oscar_group_exchange cex;
        double t0 = oscar_bench_seconds();
        bool ok =
            oscar_group_protect_request(&b.client, OSCAR_GROUP_MODE_GROUP, NULL, 0, req,
                                        sizeof(req), &req_len, &cex, GET, sizeof(GET)) == OSCAR_OK;
        for (size_t k = 0; ok && k < n; k++) {
            ok = serve(&b, k, req, req_len);
        }
        for (size_t k = 0; ok && k < n; k++) {
            ok = client_reads(&b, &cex, b.responses[k], b.response_len[k]);
        }
        elapsed = ok ? oscar_bench_seconds() - t0 : -1;
    }
    group_close(&b);
    return elapsed;
}

/* udp_socket binds a loopback UDP socket, with a receive buffer for burst bytes. */
static int udp_socket(struct oscar_endpoint *out, int burst)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sl) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    if (burst > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &burst, sizeof(burst)) != 0) {
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &burst, sizeof(burst));
    }
    char text[32];
    snprintf(text, sizeof(text), "127.0.0.1:%u", ntohs(sa.sin_port));
    oscar_endpoint_parse(out, text);
    return fd;
}

static bool send_to(int fd, const struct oscar_endpoint *to, const uint8_t *msg, size_t len)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(to->port)};
    memcpy(&sa.sin_addr, to->addr, 4);
    return sendto(fd, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len;
}

/* receive waits (up to a second) for one datagram on fd. */
static ssize_t receive(int fd, uint8_t *buf, size_t cap)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) {
        return -1;
    }
    return recv(fd, buf, cap, 0);
}

#define RELAY_BATCH 32 /* responses the relay forwards at once */

/* relay_exchange runs the exchange with every node a UDP socket of the harness's relay (as in
 * the group scenarios): the request goes once to the relay's group alias, which hands each of
 * the n servers its copy; each response goes through the relay to the client. */
static double relay_exchange(size_t n, int32_t sig)
{
    struct bench_group b;
    struct oscar_relay relay;
    struct oscar_diag d = {{0}};
    int client_fd = -1;
    int *fds = calloc(n, sizeof(int));
    size_t *members = calloc(n, sizeof(size_t));
    double elapsed = -1;
    bool ok = fds != NULL && members != NULL && group_open(&b, n, sig) &&
              oscar_relay_init(&relay, 1, NULL, &d) == OSCAR_OK;
    size_t client_idx = 0;
    size_t group_idx = 0;
    struct oscar_endpoint real;
    for (size_t k = 0; fds != NULL && k < n; k++) {
        fds[k] = -1;
    }
    if (ok) {
        ok = oscar_relay_add_node(&relay, &client_idx, "client", AF_INET, &d) == OSCAR_OK &&
             (client_fd = udp_socket(&real, 4 << 20)) >= 0;
        if (ok) {
            oscar_relay_set_real(&relay, client_idx, &real);
        }
    }
    for (size_t k = 0; ok && k < n; k++) {
        char name[32];
        snprintf(name, sizeof(name), "s%zu", k);
        ok = oscar_relay_add_node(&relay, &members[k], name, AF_INET, &d) == OSCAR_OK &&
             (fds[k] = udp_socket(&real, 0)) >= 0;
        if (ok) {
            oscar_relay_set_real(&relay, members[k], &real);
        }
    }
    ok =
        ok && oscar_relay_add_group(&relay, &group_idx, "all", members, n, AF_INET, &d) == OSCAR_OK;
    if (ok) {
        uint8_t req[MSG_MAX];
        uint8_t buf[MSG_MAX];
        size_t req_len;
        struct oscar_group_exchange cex;
        double t0 = oscar_bench_seconds();
        ok = oscar_group_protect_request(&b.client, OSCAR_GROUP_MODE_GROUP, NULL, 0, req,
                                         sizeof(req), &req_len, &cex, GET,
                                         sizeof(GET)) == OSCAR_OK &&
             send_to(client_fd, &relay.nodes[group_idx].alias, req, req_len) &&
             oscar_relay_service(&relay, oscar_now_usec(), &d) == OSCAR_OK;
        for (size_t k = 0; ok && k < n; k++) {
            ssize_t got = receive(fds[k], buf, sizeof(buf));
            ok = got > 0 && serve(&b, k, buf, (size_t)got) &&
                 send_to(fds[k], &relay.nodes[client_idx].alias, b.responses[k], b.response_len[k]);
            if (ok && (k % RELAY_BATCH == RELAY_BATCH - 1 || k == n - 1)) {
                ok = oscar_relay_service(&relay, oscar_now_usec(), &d) == OSCAR_OK;
            }
        }
        for (size_t k = 0; ok && k < n; k++) {
            ssize_t got = receive(client_fd, buf, sizeof(buf));
            ok = got > 0 && client_reads(&b, &cex, buf, (size_t)got);
        }
        elapsed = ok ? oscar_bench_seconds() - t0 : -1;
    }
    oscar_relay_cleanup(&relay);
    for (size_t k = 0; fds != NULL && k < n; k++) {
        if (fds[k] >= 0) {
            close(fds[k]);
        }
    }
    if (client_fd >= 0) {
        close(client_fd);
    }
    free(fds);
    free(members);
    group_close(&b);
    return elapsed;
}

static int sizes_run(const char *how, double (*exchange)(size_t, int32_t), int32_t sig, int rounds,
                     double sign_rate, double verify_rate);

int oscar_group_bench(int32_t sig, int rounds)
{
    if (oscar_sig_pub_len(sig) == 0) {
        fprintf(stderr, "oscar bench --group: --sig is -8 (EdDSA) or -7 (ES256)\n");
        return OSCAR_EXIT_USAGE;
    }
    double sign_rate;
    double verify_rate;
    oscar_bench_sig_rates(sig, &sign_rate, &verify_rate);
    printf("Group OSCORE, group mode, %s, AES-CCM-16-64-128: one request to N servers, N "
           "responses\n",
           sig == OSCAR_COSE_ALG_EDDSA ? "EdDSA (Ed25519)" : "ES256 (P-256)");
    printf("signature rates, same run: %.0f signs/s, %.0f verifies/s\n", sign_rate, verify_rate);
    int rc = sizes_run("in memory", one_exchange, sig, rounds, sign_rate, verify_rate);
    if (rc == OSCAR_EXIT_OK) {
        rc = sizes_run("through the relay", relay_exchange, sig, rounds, sign_rate, verify_rate);
    }
    return rc;
}

static int sizes_run(const char *how, double (*exchange)(size_t, int32_t), int32_t sig, int rounds,
                     double sign_rate, double verify_rate)
{
    printf("%s (each node %s):\n", how,
           exchange == one_exchange ? "a context, messages handed over in memory"
                                    : "a UDP socket of the harness's relay, the request fanned "
                                      "out by its group alias");
    static const size_t sizes[] = {10, 100, 1000};
    double per_server_10 = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        /* each size in a child process of its own, so that its peak memory is its own */
        int p[2];
        if (pipe(p) != 0) {
            return OSCAR_EXIT_FAIL;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            double best[16];
            int got = 0;
            for (int r = 0; r < rounds && r < 16; r++) {
                best[got] = exchange(n, sig);
                if (best[got++] < 0) {
                    _exit(1);
                }
            }
            qsort(best, (size_t)got, sizeof(double), oscar_bench_cmp_double);
            _exit(write(p[1], &best[got / 2], sizeof(double)) == sizeof(double) ? 0 : 1);
        }
        close(p[1]);
        double t = -1;
        bool got_t = pid > 0 && read(p[0], &t, sizeof(t)) == sizeof(t);
        close(p[0]);
        int status = 0;
        struct rusage ru;
        memset(&ru, 0, sizeof(ru));
        if (pid > 0) {
            wait4(pid, &status, 0, &ru);
        }
        if (!got_t || t < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "oscar bench --group: the exchange with %zu servers failed (%s)\n", n,
                    how);
            return OSCAR_EXIT_FAIL;
        }
        int got = rounds < 16 ? rounds : 16;
        double predicted = (double)(2 * n) / verify_rate + (double)(n + 1) / sign_rate;
        double per = t / (double)n;
        if (i == 0) {
            per_server_10 = per;
        }
        printf("N = %4zu: median %8.2f ms (%d runs), %6.1f us per server (%.2f x N = 10), "
               "signature work predicts %8.2f ms; peak memory %ld KiB\n",
               n, t * 1e3, got, per * 1e6, per / per_server_10, predicted * 1e3, ru.ru_maxrss);
    }
    return OSCAR_EXIT_OK;
}
