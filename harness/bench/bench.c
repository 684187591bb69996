/* bench.c — `oscar bench`: OSCORE protect+unprotect of a 40-byte CoAP request per second, next to
 * the raw AEAD seal+open rate of the same algorithm on the same plaintext and AAD sizes, measured
 * in the same run (rounds interleaved; medians reported). Figures only: nothing here asserts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oscar/oscore.h"
#include "../main/cli.h"
#include "../trace/pcapio.h"
#include "bench.h"

#define REQUEST_LEN 40
#define ROUNDS_DEFAULT 7
#define ROUND_SECONDS_DEFAULT 0.4
#define BATCH 2048
#define ROUNDS_MAX 99
#define TRACE_PACKETS_MAX 100000000L

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int oscar_bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* build_request makes a CON POST /oscore/hello/1 with Uri-Host, padded to exactly len bytes. */
static size_t build_request(uint8_t *out, size_t cap, size_t len)
{
    static const uint8_t payload_fill[64] = {0};
    struct oscar_coap_msg m = {0};
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_CON;
    m.code = OSCAR_COAP_CODE_POST;
    m.mid = 0x1234;
    m.token_len = 4;
    memcpy(m.token, "\x01\x02\x03\x04", 4);
    oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_HOST, (const uint8_t *)"localhost", 9);
    oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"oscore", 6);
    oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"hello", 5);
    oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"1", 1);
    oscar_coap_add_option(&m, OSCAR_COAP_OPT_CONTENT_FORMAT, NULL, 0);
    size_t base = oscar_coap_encoded_len(&m) + 1; /* + payload marker */
    m.has_payload = true;
    m.payload = payload_fill;
    m.payload_len = len > base ? len - base : 1;
    size_t n = 0;
    if (oscar_coap_serialize(out, cap, &n, &m) != OSCAR_OK) {
        return 0;
    }
    return n;
}

struct bench_state {
    struct oscar_oscore_ctx client;
    struct oscar_oscore_ctx server;
    uint8_t req[REQUEST_LEN + 8];
    size_t req_len;
    uint8_t prot[256];
    uint8_t plain[512];
    uint8_t aad[OSCAR_OSCORE_AAD_MAX];
    size_t aad_len;
    size_t pt_len;
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
};

static int oscore_batch(struct bench_state *s)
{
    struct oscar_oscore_ctx *list[1] = {&s->server};
    for (int i = 0; i < BATCH; i++) {
        size_t plen;
        size_t out_len;
        size_t idx;
        enum oscar_oscore_verdict v;
        if (oscar_oscore_protect_request(&s->client, s->prot, sizeof(s->prot), &plen, NULL, NULL,
                                         s->req, s->req_len) != OSCAR_OK ||
            oscar_oscore_unprotect_request(list, 1, &v, &idx, s->plain, sizeof(s->plain), &out_len,
                                           NULL, s->prot, plen) != OSCAR_OK ||
            v != OSCAR_OSCORE_ACCEPT) {
            return -1;
        }
    }
    return 0;
}

static int raw_batch(struct bench_state *s)
{
    const struct oscar_crypto_ops *c = s->client.crypto;
    for (int i = 0; i < BATCH; i++) {
        bool ok;
        s->nonce[0]++; /* a new nonce each time, as OSCORE has */
        if (c->aead_seal(&s->client.sender.aead, s->prot, sizeof(s->prot), s->nonce, s->aad,
                         s->aad_len, s->req, s->pt_len) != OSCAR_OK ||
            c->aead_open(&s->client.sender.aead, &ok, s->plain, sizeof(s->plain), s->nonce, s->aad,
                         s->aad_len, s->prot, s->pt_len + s->client.alg->tag_len) != OSCAR_OK ||
            !ok) {
            return -1;
        }
    }
    return 0;
}

static double measure(int (*fn)(struct bench_state *), struct bench_state *s, double seconds)
{
    double start = now();
    double end = start;
    size_t ops = 0;
    do {
        if (fn(s) != 0) {
            return -1;
        }
        ops += BATCH;
        end = now();
    } while (end - start < seconds);
    return (double)ops / (end - start);
}

static int setup(struct bench_state *s, int32_t alg)
{
    static const uint8_t secret[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t salt[8] = {0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40};
    static const uint8_t id_c[1] = {0x01};
    struct oscar_oscore_params p = {
        .master_secret = secret,
        .master_secret_len = sizeof(secret),
        .master_salt = salt,
        .master_salt_len = sizeof(salt),
        .sender_id = NULL,
        .sender_id_len = 0,
        .recipient_id = id_c,
        .recipient_id_len = 1,
        .aead_alg = alg,
    };
    if (oscar_oscore_ctx_init(&s->client, oscar_crypto_wolfssl(), &p) != OSCAR_OK) {
        return -1;
    }
    p.sender_id = id_c;
    p.sender_id_len = 1;
    p.recipient_id = NULL;
    p.recipient_id_len = 0;
    if (oscar_oscore_ctx_init(&s->server, oscar_crypto_wolfssl(), &p) != OSCAR_OK) {
        return -1;
    }
    s->req_len = build_request(s->req, sizeof(s->req), REQUEST_LEN);
    /* The raw AEAD works on what OSCORE encrypts: the plaintext of §5.3 and the AAD of §5.4. */
    size_t plen;
    struct oscar_oscore_exchange ex;
    if (s->req_len != REQUEST_LEN ||
        oscar_oscore_protect_request(&s->client, s->prot, sizeof(s->prot), &plen, &ex, NULL, s->req,
                                     s->req_len) != OSCAR_OK) {
        return -1;
    }
    struct oscar_coap_msg m;
    size_t off;
    oscar_coap_parse(&m, &off, s->prot, plen);
    s->pt_len = m.payload_len - s->client.alg->tag_len;
    uint8_t aad_array[OSCAR_OSCORE_AAD_MAX];
    size_t aad_array_len;
    oscar_oscore_aad_array(aad_array, sizeof(aad_array), &aad_array_len, alg, ex.request_kid,
                           ex.request_kid_len, ex.request_piv, ex.request_piv_len, NULL, 0);
    oscar_oscore_enc_structure(s->aad, sizeof(s->aad), &s->aad_len, aad_array, aad_array_len);
    memcpy(s->nonce, ex.request_nonce, sizeof(s->nonce));
    /* Restart the server's view so the first measured request is fresh. */
    oscar_oscore_replay_init(&s->server.recipient.replay, 0);
    return 0;
}

/* write_trace writes a capture of num_packets datagrams: requests from the client context of
 * setup (PIV 0, 1, ...) to 127.0.0.1:5683, each with its own token and Message ID, and the
 * server's protected 2.05 response to each. The plugtest context A reads it (the benchmark of
 * `oscar check` against tshark, ci/bench-check). */
static int write_trace(struct bench_state *s, const char *path, long num_packets)
{
    struct oscar_diag diag = {0};
    struct oscar_pcap_writer *w = NULL;
    struct oscar_endpoint client;
    struct oscar_endpoint server;
    if (oscar_endpoint_parse(&client, "127.0.0.1:40000") != OSCAR_OK ||
        oscar_endpoint_parse(&server, "127.0.0.1:5683") != OSCAR_OK ||
        oscar_pcap_writer_open(&w, path, &diag) != OSCAR_OK) {
        fprintf(stderr, "oscar bench: %s: %s\n", path, diag.msg);
        return -1;
    }
    struct oscar_oscore_ctx *list[1] = {&s->server};
    uint64_t usec = UINT64_C(1700000000000000);
    int rc = 0;
    for (long i = 0; i < num_packets && rc == 0; i += 2) {
        uint8_t plain[512];
        uint8_t resp[64];
        size_t plen;
        size_t out_len;
        size_t idx;
        enum oscar_oscore_verdict v;
        struct oscar_oscore_exchange ex;
        uint8_t token[4] = {(uint8_t)(i >> 25), (uint8_t)(i >> 17), (uint8_t)(i >> 9),
                            (uint8_t)(i >> 1)};
        memcpy(s->req + 4, token, sizeof(token)); /* build_request: 4-byte token at offset 4 */
        s->req[2] = (uint8_t)(i >> 9);
        s->req[3] = (uint8_t)(i >> 1);
        s->req[s->req_len - 1] = (uint8_t)(i >> 1); /* the last payload byte: no two alike */
        struct oscar_coap_msg m = {0};
        m.version = OSCAR_COAP_VERSION;
        m.type = OSCAR_COAP_TYPE_ACK;
        m.code = OSCAR_COAP_CODE_CONTENT;
        m.mid = (uint16_t)(i >> 1);
        m.token_len = sizeof(token);
        memcpy(m.token, token, sizeof(token));
        m.has_payload = true;
        m.payload = (const uint8_t *)"Hello World!";
        m.payload_len = 12;
        size_t resp_len = 0;
        if (oscar_oscore_protect_request(&s->client, s->prot, sizeof(s->prot), &plen, NULL, NULL,
                                         s->req, s->req_len) != OSCAR_OK ||
            oscar_pcap_write_udp(w, usec, &client, &server, s->prot, plen) != OSCAR_OK ||
            oscar_oscore_unprotect_request(list, 1, &v, &idx, plain, sizeof(plain), &out_len, &ex,
                                           s->prot, plen) != OSCAR_OK ||
            v != OSCAR_OSCORE_ACCEPT ||
            oscar_coap_serialize(resp, sizeof(resp), &resp_len, &m) != OSCAR_OK ||
            oscar_oscore_protect_response(&s->server, s->prot, sizeof(s->prot), &plen, &ex, NULL,
                                          resp, resp_len) != OSCAR_OK ||
            oscar_pcap_write_udp(w, usec + 5, &server, &client, s->prot, plen) != OSCAR_OK) {
            fprintf(stderr, "oscar bench: writing message %ld of %s failed\n", i, path);
            rc = -1;
        }
        usec += 10;
    }
    oscar_pcap_writer_close(w);
    return rc;
}

int oscar_cmd_bench(int argc, char **argv)
{
    int rounds = ROUNDS_DEFAULT;
    double round_seconds = ROUND_SECONDS_DEFAULT;
    int32_t alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    const char *trace = NULL;
    long packets = 1000000;
    uint32_t fault = 0;
    bool group = false;
    bool ace = false;
    int32_t sig = OSCAR_COSE_ALG_EDDSA;
    static const struct option longopts[] = {
        {"group", no_argument, NULL, 'g'},
        {"ace", no_argument, NULL, 'A'},
        {"sig", required_argument, NULL, 'S'},
        {"write-trace", required_argument, NULL, 'w'},
        {"packets", required_argument, NULL, 'p'},
        {"fault", required_argument, NULL, 'f'},
        {"rounds", required_argument, NULL, 'r'},
        {"round-seconds", required_argument, NULL, 's'},
        {"alg", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "r:s:a:w:p:f:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            rounds = (int)strtol(optarg, NULL, 10);
            break;
        case 's':
            round_seconds = strtod(optarg, NULL);
            break;
        case 'a':
            alg = (int32_t)strtol(optarg, NULL, 10);
            break;
        case 'w':
            trace = optarg;
            break;
        case 'g':
            group = true;
            break;
        case 'A':
            ace = true;
            break;
        case 'S':
            sig = (int32_t)strtol(optarg, NULL, 10);
            break;
        case 'p':
            packets = strtol(optarg, NULL, 10);
            break;
        case 'f':
            fault = oscar_oscore_fault_parse(optarg);
            if (fault == 0) {
                fprintf(stderr, "oscar bench: unknown --fault %s (docs/fault-switches.md)\n",
                        optarg);
                return OSCAR_EXIT_USAGE;
            }
            break;
        case 'h':
            printf(
                "usage: oscar bench [--rounds N] [--round-seconds S] [--alg COSE_ID]\n"
                "       oscar bench --write-trace PCAP [--packets N] [--alg COSE_ID] [--fault F]\n"
                "       oscar bench --group [--sig -8|-7] [--rounds N]\n"
                "       oscar bench --ace [--rounds N]\n"
                "Prints OSCORE protect+unprotect/s of a 40-byte request and the raw AEAD\n"
                "seal+open/s on the same sizes, medians of N interleaved rounds, and their "
                "ratio. --write-trace writes a capture of N (default 1000000) OSCORE\n"
                "packets, requests and responses under plugtest context A (with --alg); --fault\n"
                "switches a core fault on in the client (a negative control at scale).\n"
                "--group: one Group OSCORE request to N = 10, 100, 1000 servers and their N\n"
                "responses (group mode, EdDSA or ES256), time and peak memory, next to the\n"
                "signature rates of the same run.\n"
                "--ace: joins/s and /authz-info tokens/s at the reference Group Manager, and the\n"
                "time to rekey groups of 100 and 1000 members on a leave (messages written and\n"
                "OSCORE-protected), next to the Ed25519 rates of the same run.\n");
            return OSCAR_EXIT_OK;
        default:
            return OSCAR_EXIT_USAGE;
        }
    }
    if (ace) {
        return oscar_ace_bench(rounds < 1 ? 1 : rounds > 15 ? 15 : rounds);
    }
    if (group) {
        return oscar_group_bench(sig, rounds < 1 ? 1 : rounds > 15 ? 15 : rounds);
    }
    if (rounds < 1 || rounds > ROUNDS_MAX || !(round_seconds > 0) || oscar_alg_find(alg) == NULL) {
        fprintf(stderr, "oscar bench: bad --rounds (1-%d), --round-seconds or --alg\n", ROUNDS_MAX);
        return OSCAR_EXIT_USAGE;
    }
    if (packets < 2 || packets > TRACE_PACKETS_MAX) {
        fprintf(stderr, "oscar bench: --packets from 2 to %ld\n", TRACE_PACKETS_MAX);
        return OSCAR_EXIT_USAGE;
    }
    struct bench_state *s = calloc(1, sizeof(*s));
    if (s == NULL || setup(s, alg) != 0) {
        fprintf(stderr, "oscar bench: set-up failed\n");
        free(s);
        return OSCAR_EXIT_FAIL;
    }
    if (trace != NULL) {
        /* the server reads what a faulty client sends: its replay window is not consulted */
        s->client.faults = fault;
        s->server.faults = fault != 0 ? OSCAR_FAULT_ACCEPT_REPLAY : 0;
        int rc = write_trace(s, trace, packets);
        oscar_oscore_ctx_cleanup(&s->client);
        oscar_oscore_ctx_cleanup(&s->server);
        free(s);
        return rc == 0 ? OSCAR_EXIT_OK : OSCAR_EXIT_FAIL;
    }
    double raw[ROUNDS_MAX];
    double osc[ROUNDS_MAX];
    for (int r = 0; r < rounds; r++) {
        raw[r] = measure(raw_batch, s, round_seconds);
        osc[r] = measure(oscore_batch, s, round_seconds);
        if (raw[r] < 0 || osc[r] < 0) {
            fprintf(stderr, "oscar bench: an operation failed in round %d\n", r);
            free(s);
            return OSCAR_EXIT_FAIL;
        }
    }
    qsort(raw, (size_t)rounds, sizeof(double), oscar_bench_cmp_double);
    qsort(osc, (size_t)rounds, sizeof(double), oscar_bench_cmp_double);
    double raw_med = raw[rounds / 2];
    double osc_med = osc[rounds / 2];
    printf("algorithm            %s (COSE %d), %s\n", s->client.alg->name, (int)alg,
           s->client.crypto->name);
    printf("request              %zu bytes CoAP, %zu bytes plaintext, %zu bytes AAD\n", s->req_len,
           s->pt_len, s->aad_len);
    printf("rounds               %d x %.2f s, interleaved, one core\n", rounds, round_seconds);
    printf("raw AEAD seal+open   median %.0f ops/s (min %.0f, max %.0f)\n", raw_med, raw[0],
           raw[rounds - 1]);
    printf("OSCORE protect+unprotect median %.0f ops/s (min %.0f, max %.0f)\n", osc_med, osc[0],
           osc[rounds - 1]);
    printf("ratio                %.1f%% of raw (goal: at least 75%%)\n", 100.0 * osc_med / raw_med);
    oscar_oscore_ctx_cleanup(&s->client);
    oscar_oscore_ctx_cleanup(&s->server);
    free(s);
    return OSCAR_EXIT_OK;
}
