/* ace_bench.c — `oscar bench --ace`: the reference Group Manager's costs (issue 6), figures only.
 *  - joins per second: J joining nodes, each with its token already at /authz-info and its Join
 *    Request already written (the joiner's signing is not the GM's cost); the GM processes all J
 *    joins: the token lookup, every check, the PoP signature verified, a Sender ID allocated,
 *    kdc_cred_verify signed and the Join Response written. Also /authz-info per second (the
 *    token's COSE_Sign1 verified).
 *  - rekeying a group of N = 100 and N = 1000 members on a leave: the leave processed, the new
 *    material drawn, N - 1 rekeying messages written, and each one OSCORE-protected as a POST to
 *    that member's control_uri under the member's own pairwise context with the GM (RFC 9203),
 *    the way it goes on the wire.
 * Medians of R rounds, with the Ed25519 sign and verify rates of the same run for reference.
 * In memory: no network (the messages' sizes are printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../main/cli.h"
#include "bench.h"
#include "oscar/coap.h"
#include "oscar/gm.h"
#include "oscar/oscore.h"

#define NOW UINT64_C(1900000000)
#define JOINS 200

struct node {
    uint8_t priv[32], pub[32];
    uint8_t cred[128];
    size_t cred_len;
    uint8_t token[512];
    size_t token_len;
    uint8_t join[512];
    size_t join_len;
};

static const uint8_t AS_PRIV[32] = {0x44};
static const uint8_t GM_PRIV[32] = {0x33};

static int gm_open(struct oscar_gm *gm, uint8_t *as_pub, size_t members_max)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    static uint8_t gm_cred[128];
    size_t gm_cred_len;
    uint8_t gm_pub[32];
    if (c->sig_public(OSCAR_COSE_ALG_EDDSA, AS_PRIV, as_pub) != OSCAR_OK ||
        c->sig_public(OSCAR_COSE_ALG_EDDSA, GM_PRIV, gm_pub) != OSCAR_OK ||
        oscar_ace_ccs_write("gm", gm_pub, gm_cred, sizeof(gm_cred), &gm_cred_len) != OSCAR_OK) {
        return -1;
    }
    struct oscar_gm_config cfg = {.gname = "g1",
                                  .aud = "gm",
                                  .iss = "as",
                                  .as_pub = as_pub,
                                  .gm_priv = GM_PRIV,
                                  .gm_cred = gm_cred,
                                  .gm_cred_len = gm_cred_len,
                                  .sid_first = 0,
                                  .sid_count = (unsigned)members_max + 16,
                                  .exp = NOW + 3600,
                                  .seed = 1};
    return oscar_gm_init(gm, &cfg, c) == OSCAR_OK ? 0 : -1;
}

/* nodes_make writes n joining nodes' keys, tokens and (for N_S from a GM seeded alike) Join
 * Requests. */
static int nodes_make(struct node *nodes, size_t n, struct oscar_gm *gm, const uint8_t *as_pub)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    uint8_t as_pub_check[32];
    if (c->sig_public(OSCAR_COSE_ALG_EDDSA, AS_PRIV, as_pub_check) != OSCAR_OK ||
        memcmp(as_pub, as_pub_check, 32) != 0) {
        return -1;
    }
    static struct oscar_gm_response rs;
    for (size_t i = 0; i < n; i++) {
        struct node *nd = &nodes[i];
        memset(nd->priv, 0, 32);
        nd->priv[0] = (uint8_t)i;
        nd->priv[1] = (uint8_t)(i >> 8);
        nd->priv[2] = 0xa5;
        struct oscar_ace_claims cl = {0};
        struct oscar_ace_scope_entry e = {"g1", 6};
        if (c->sig_public(OSCAR_COSE_ALG_EDDSA, nd->priv, nd->pub) != OSCAR_OK ||
            oscar_ace_ccs_write("node", nd->pub, nd->cred, sizeof(nd->cred), &nd->cred_len) !=
                OSCAR_OK ||
            oscar_ace_scope_encode(cl.scope, sizeof(cl.scope), &cl.scope_len, &e, 1) != OSCAR_OK) {
            return -1;
        }
        snprintf(cl.iss, sizeof(cl.iss), "as");
        snprintf(cl.aud, sizeof(cl.aud), "gm");
        cl.exp = NOW + 3600;
        memcpy(cl.cnf_pub, nd->pub, 32);
        cl.cnf_pub_len = 32;
        if (oscar_ace_cwt_sign(c, AS_PRIV, as_pub, &cl, nd->token, sizeof(nd->token),
                               &nd->token_len) != OSCAR_OK ||
            oscar_gm_authz_info(gm, nd->token, nd->token_len, NOW, &rs) != (int)i) {
            return -1;
        }
        uint8_t n_c[8] = {(uint8_t)i, (uint8_t)(i >> 8), 1, 2, 3, 4, 5, 6};
        struct oscar_ace_join_request rq = {.gname = "g1",
                                            .roles = 6,
                                            .cred = nd->cred,
                                            .cred_len = nd->cred_len,
                                            .priv = nd->priv,
                                            .pub = nd->pub,
                                            .n_s = rs.payload + 4,
                                            .n_s_len = 8,
                                            .n_c = n_c,
                                            .n_c_len = 8};
        if (oscar_ace_join_request_write(c, &rq, nd->join, sizeof(nd->join), &nd->join_len) !=
            OSCAR_OK) {
            return -1;
        }
    }
    return 0;
}

/* joins_round: a fresh GM (seeded as the one the requests were written against) takes the
 * tokens untimed, then all joins timed; returns (authz-info seconds, join seconds). */
static int joins_round(struct oscar_gm *gm, const struct node *nodes, size_t n, double *t_authz,
                       double *t_join, size_t *resp_len)
{
    uint8_t as_pub[32];
    static struct oscar_gm_response rs;
    if (gm_open(gm, as_pub, n) != 0) {
        return -1;
    }
    double t0 = oscar_bench_seconds();
    for (size_t i = 0; i < n; i++) {
        if (oscar_gm_authz_info(gm, nodes[i].token, nodes[i].token_len, NOW, &rs) != (int)i) {
            return -1;
        }
    }
    double t1 = oscar_bench_seconds();
    for (size_t i = 0; i < n; i++) {
        oscar_gm_handle(gm, (int)i, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", nodes[i].join,
                        nodes[i].join_len, &rs);
        if (rs.code != OSCAR_COAP_CODE_CREATED) {
            fprintf(stderr, "oscar bench --ace: join %zu answered %u.%02u: %s\n", i, rs.code >> 5,
                    rs.code & 31, rs.why);
            return -1;
        }
    }
    *t_authz = t1 - t0;
    *t_join = oscar_bench_seconds() - t1;
    *resp_len = rs.len;
    return 0;
}

/* rekey_round: a group of n members (one of them joined through the GM, the one that leaves),
 * each with an OSCORE context shared with the GM; the leave, the rekeying and the protection of
 * every rekeying message timed. */
static int rekey_round(struct oscar_gm *gm, size_t n, const struct node *leaver, double *t,
                       size_t *msg_len)
{
    const struct oscar_crypto_ops *c = oscar_crypto_wolfssl();
    uint8_t as_pub[32];
    static struct oscar_gm_response rs;
    if (gm_open(gm, as_pub, n) != 0) {
        return -1;
    }
    uint8_t cred[128];
    size_t cred_len;
    if (oscar_ace_ccs_write("m", leaver->pub, cred, sizeof(cred), &cred_len) != OSCAR_OK) {
        return -1;
    }
    for (size_t i = 1; i < n; i++) {
        if (oscar_gm_add_member(gm, (unsigned)i + 8, 6, cred, cred_len) < 0) {
            return -1;
        }
    }
    if (oscar_gm_authz_info(gm, leaver->token, leaver->token_len, NOW, &rs) != 0) {
        return -1;
    }
    oscar_gm_handle(gm, 0, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", leaver->join,
                    leaver->join_len, &rs);
    if (rs.code != OSCAR_COAP_CODE_CREATED) {
        return -1;
    }
    char node[128];
    snprintf(node, sizeof(node), "%s", rs.location);
    /* the GM's pairwise OSCORE contexts, one per member (RFC 9203) */
    struct oscar_oscore_ctx *ctx = calloc(n, sizeof(*ctx));
    struct oscar_gm_outgoing *out = calloc(n, sizeof(*out));
    int rc = ctx == NULL || out == NULL ? -1 : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint8_t ms[16] = {(uint8_t)i, (uint8_t)(i >> 8)};
        uint8_t sid[2] = {(uint8_t)i, (uint8_t)(i >> 8)};
        uint8_t rid[1] = {0};
        struct oscar_oscore_params p = {.master_secret = ms,
                                        .master_secret_len = 16,
                                        .sender_id = rid,
                                        .sender_id_len = 1,
                                        .recipient_id = sid,
                                        .recipient_id_len = 2};
        rc = oscar_oscore_ctx_init(&ctx[i], c, &p) == OSCAR_OK ? 0 : -1;
    }
    oscar_gm_set_outbox(gm, out, n);
    double t0 = oscar_bench_seconds();
    if (rc == 0) {
        oscar_gm_handle(gm, 0, NOW, OSCAR_COAP_CODE_DELETE, node, NULL, 0, &rs);
        rc = rs.code == OSCAR_COAP_CODE_DELETED && gm->outbox_len == n - 1 ? 0 : -1;
    }
    for (size_t k = 0; k < gm->outbox_len && rc == 0; k++) {
        /* POST /grp-rekey (the member's control_uri), Content-Format 261, the message */
        struct oscar_gm_outgoing *o = &gm->outbox[k];
        uint8_t coap[700];
        size_t cn = 0;
        coap[cn++] = 0x40 | 0x00;
        coap[cn++] = OSCAR_COAP_CODE_POST;
        coap[cn++] = (uint8_t)(k >> 8);
        coap[cn++] = (uint8_t)k;
        coap[cn++] = 0xb9; /* Uri-Path (11), 9 bytes */
        memcpy(coap + cn, "grp-rekey", 9);
        cn += 9;
        coap[cn++] = 0x12; /* Content-Format (12), 2 bytes: 261 */
        coap[cn++] = 0x01;
        coap[cn++] = 0x05;
        coap[cn++] = 0xff;
        memcpy(coap + cn, o->payload, o->len);
        cn += o->len;
        uint8_t prot[800];
        size_t pn;
        struct oscar_oscore_exchange ex;
        rc = oscar_oscore_protect_request(&ctx[o->member], prot, sizeof(prot), &pn, &ex, NULL, coap,
                                          cn) == OSCAR_OK
                 ? 0
                 : -1;
        *msg_len = pn;
    }
    *t = oscar_bench_seconds() - t0;
    for (size_t i = 0; ctx != NULL && i < n; i++) {
        oscar_oscore_ctx_cleanup(&ctx[i]);
    }
    free(ctx);
    free(out);
    return rc;
}

int oscar_ace_bench(int rounds)
{
    double sign_rate, verify_rate;
    oscar_bench_sig_rates(OSCAR_COSE_ALG_EDDSA, &sign_rate, &verify_rate);
    struct oscar_gm *gm = calloc(1, sizeof(*gm));
    struct node *nodes = calloc(JOINS, sizeof(*nodes));
    uint8_t as_pub[32];
    if (gm == NULL || nodes == NULL || gm_open(gm, as_pub, JOINS) != 0 ||
        nodes_make(nodes, JOINS, gm, as_pub) != 0) {
        fprintf(stderr, "oscar bench --ace: set-up failed\n");
        free(gm);
        free(nodes);
        return OSCAR_EXIT_FAIL;
    }
    printf("Group Manager (impl/ref), EdDSA (Ed25519) credentials, AES-CCM-16-64-128, in memory\n");
    printf("signature rates, same run: %.0f signs/s, %.0f verifies/s\n", sign_rate, verify_rate);
    double authz[16], joins[16];
    size_t resp_len = 0;
    int r;
    for (r = 0; r < rounds && r < 16; r++) {
        double ta, tj;
        if (joins_round(gm, nodes, JOINS, &ta, &tj, &resp_len) != 0) {
            free(gm);
            free(nodes);
            return OSCAR_EXIT_FAIL;
        }
        authz[r] = JOINS / ta;
        joins[r] = JOINS / tj;
    }
    qsort(authz, (size_t)r, sizeof(double), oscar_bench_cmp_double);
    qsort(joins, (size_t)r, sizeof(double), oscar_bench_cmp_double);
    printf("/authz-info        median %8.0f tokens/s (%d rounds of %d; one signature verify "
           "each predicts %.0f/s)\n",
           authz[r / 2], r, JOINS, verify_rate);
    printf("join               median %8.0f joins/s (%d rounds of %d; Join Response %zu bytes; "
           "one verify + one sign each predicts %.0f/s)\n",
           joins[r / 2], r, JOINS, resp_len, 1.0 / (1.0 / verify_rate + 1.0 / sign_rate));
    static const size_t sizes[] = {100, 1000};
    int rc = OSCAR_EXIT_OK;
    for (size_t s = 0; s < 2 && rc == OSCAR_EXIT_OK; s++) {
        double t[16];
        size_t msg_len = 0;
        int k;
        for (k = 0; k < rounds && k < 16; k++) {
            if (rekey_round(gm, sizes[s], &nodes[0], &t[k], &msg_len) != 0) {
                fprintf(stderr, "oscar bench --ace: rekeying %zu members failed\n", sizes[s]);
                rc = OSCAR_EXIT_FAIL;
                break;
            }
        }
        if (rc == OSCAR_EXIT_OK) {
            qsort(t, (size_t)k, sizeof(double), oscar_bench_cmp_double);
            printf("rekey on leave, N = %4zu: median %8.3f ms (%d rounds), %5.2f us per member, "
                   "%zu protected messages of %zu bytes\n",
                   sizes[s], t[k / 2] * 1e3, k, t[k / 2] * 1e6 / (double)(sizes[s] - 1),
                   sizes[s] - 1, msg_len);
        }
    }
    free(gm);
    free(nodes);
    return rc;
}
