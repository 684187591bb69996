/* group_bench.c — `oscar bench --group`: the cost of one Group OSCORE exchange with N servers
 * (RFC 10021 §7): the client protects one group-mode request, every server verifies it (its
 * Recipient Context for the client created on first contact) and answers in group mode, and
 * the client verifies all N responses (N Recipient Contexts created). Printed for each N with
 * the time, the time per server, and the process's peak memory, next to the signature sign and
 * verify rates measured in the same run and the time those rates predict (N verifies, N + 1
 * signs, N verifies). Run in one process, on the reference core alone: the figure is the
 * protocol and crypto cost, without the network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../main/cli.h"
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

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
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
static void rates(int32_t sig, double *sign_rate, double *verify_rate)
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
    double t0 = seconds();
    while (seconds() - t0 < 0.5) {
        msg[0] = (uint8_t)n++;
        if (c->sign(sig, dir.m[0].d, dir.m[0].pub, msg, sizeof(msg), s) != OSCAR_OK) {
            break;
        }
    }
    *sign_rate = n / (seconds() - t0);
    n = 0;
    t0 = seconds();
    bool ok = true;
    while (seconds() - t0 < 0.5 && ok) {
        n++;
        c->verify(sig, dir.m[0].pub, msg, sizeof(msg), s, sizeof(s), &ok);
    }
    *verify_rate = n / (seconds() - t0);
    free(dir.m);
}

/* one_exchange runs the exchange with n servers; returns seconds, -1 on a failure. */
static double one_exchange(size_t n, int32_t sig)
{
    struct directory dir;
    struct oscar_group_ctx *servers = calloc(n, sizeof(*servers));
    struct oscar_group_recipient *server_slots = calloc(n, sizeof(*server_slots));
    struct oscar_group_recipient *client_slots = calloc(n, sizeof(*client_slots));
    struct oscar_group_exchange *sex = calloc(n, sizeof(*sex));
    uint8_t(*responses)[MSG_MAX] = calloc(n, MSG_MAX);
    size_t *response_len = calloc(n, sizeof(size_t));
    struct oscar_group_ctx client;
    double elapsed = -1;
    if (servers == NULL || server_slots == NULL || client_slots == NULL || sex == NULL ||
        responses == NULL || response_len == NULL || make_members(&dir, n + 1, sig) != 0 ||
        open_ctx(&client, &dir, 0, sig, client_slots, n) != 0) {
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        if (open_ctx(&servers[k], &dir, k + 1, sig, &server_slots[k], 1) != 0) {
            goto out;
        }
    }
    /* NON GET /light */
    static const uint8_t get[] = {0x52, 0x01, 0x00, 0x01, 0x4a, 0x01,
                                  0xb5, 'l',  'i',  'g',  'h',  't'};
    static const uint8_t on[] = {0x52, 0x45, 0x00, 0x01, 0x4a, 0x01, 0xff, 'o', 'n'};
    uint8_t req[MSG_MAX];
    uint8_t dec[2 * MSG_MAX + 8];
    size_t req_len;
    size_t dec_len;
    struct oscar_group_exchange cex;
    double t0 = seconds();
    if (oscar_group_protect_request(&client, OSCAR_GROUP_MODE_GROUP, NULL, 0, req, sizeof(req),
                                    &req_len, &cex, get, sizeof(get)) != OSCAR_OK) {
        goto close;
    }
    for (size_t k = 0; k < n; k++) {
        enum oscar_oscore_verdict v;
        struct oscar_group_recipient *who;
        if (oscar_group_unprotect_request(&servers[k], &v, &who, dec, sizeof(dec), &dec_len,
                                          &sex[k], req, req_len) != OSCAR_OK ||
            v != OSCAR_OSCORE_ACCEPT ||
            oscar_group_protect_response(&servers[k], OSCAR_GROUP_MODE_GROUP, false, responses[k],
                                         MSG_MAX, &response_len[k], &sex[k], on,
                                         sizeof(on)) != OSCAR_OK) {
            goto close;
        }
    }
    for (size_t k = 0; k < n; k++) {
        enum oscar_oscore_verdict v;
        struct oscar_group_recipient *who;
        if (oscar_group_unprotect_response(&client, &v, &who, dec, sizeof(dec), &dec_len, &cex,
                                           responses[k], response_len[k]) != OSCAR_OK ||
            v != OSCAR_OSCORE_ACCEPT) {
            goto close;
        }
    }
    elapsed = seconds() - t0;
close:
    for (size_t k = 0; k < n; k++) {
        oscar_group_ctx_cleanup(&servers[k]);
    }
    oscar_group_ctx_cleanup(&client);
out:
    free(servers);
    free(server_slots);
    free(client_slots);
    free(sex);
    free(responses);
    free(response_len);
    free(dir.m);
    return elapsed;
}

int oscar_group_bench(int32_t sig, int rounds)
{
    if (oscar_sig_pub_len(sig) == 0) {
        fprintf(stderr, "oscar bench --group: --sig is -8 (EdDSA) or -7 (ES256)\n");
        return OSCAR_EXIT_USAGE;
    }
    double sign_rate;
    double verify_rate;
    rates(sig, &sign_rate, &verify_rate);
    printf("Group OSCORE, group mode, %s, AES-CCM-16-64-128: one request to N servers, N "
           "responses\n",
           sig == OSCAR_COSE_ALG_EDDSA ? "EdDSA (Ed25519)" : "ES256 (P-256)");
    printf("signature rates, same run: %.0f signs/s, %.0f verifies/s\n", sign_rate, verify_rate);
    static const size_t sizes[] = {10, 100, 1000};
    double per_server_10 = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        double best[16];
        int got = 0;
        for (int r = 0; r < rounds && r < 16; r++) {
            double t = one_exchange(n, sig);
            if (t < 0) {
                fprintf(stderr, "oscar bench --group: the exchange with %zu servers failed\n", n);
                return OSCAR_EXIT_FAIL;
            }
            best[got++] = t;
        }
        qsort(best, (size_t)got, sizeof(double), oscar_bench_cmp_double);
        double t = best[got / 2];
        double predicted = (double)(2 * n) / verify_rate + (double)(n + 1) / sign_rate;
        double per = t / (double)n;
        if (i == 0) {
            per_server_10 = per;
        }
        printf("N = %4zu: median %8.2f ms (%zu runs), %6.1f us per server (%.2f x N = 10), "
               "signature work predicts %8.2f ms; peak memory %ld KiB\n",
               n, t * 1e3, (size_t)got, per * 1e6, per / per_server_10, predicted * 1e3,
               peak_kib());
    }
    return OSCAR_EXIT_OK;
}
