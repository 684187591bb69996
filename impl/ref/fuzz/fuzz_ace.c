/* fuzz_ace.c — libFuzzer target: arbitrary bytes as an access token posted to a Group Manager
 * (RFC 9200 §5.10.1), as an AIF scope, through the strict CBOR reader item by item, as a Join
 * Request to the reference Group Manager (and to its other resources), and as each message the
 * joining node reads from a Group Manager. Nothing may crash or read out of bounds; a token the
 * checker accepts must carry a valid scope; a GM answer must fit its buffer and have a code. */
#include <stdint.h>
#include <string.h>

#include "oscar/ace.h"
#include "oscar/coap.h"
#include "oscar/gm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t as_pub[32];
    static bool ready;
    if (!ready) {
        static const uint8_t d[32] = {7};
        if (oscar_crypto_wolfssl()->sig_public(OSCAR_COSE_ALG_EDDSA, d, as_pub) != OSCAR_OK) {
            __builtin_trap();
        }
        ready = true;
    }
    struct oscar_ace_claims claims;
    char why[256];
    enum oscar_ace_token_verdict v = oscar_ace_cwt_check(oscar_crypto_wolfssl(), as_pub, "as", "gm",
                                                         1, data, size, &claims, why, sizeof(why));
    if (v == OSCAR_ACE_TOKEN_OK && claims.scope_len == 0) {
        __builtin_trap(); /* accepted without a scope */
    }
    struct oscar_ace_scope_entry e[OSCAR_ACE_SCOPE_MAX];
    size_t n;
    if (oscar_ace_scope_decode(data, size, e, OSCAR_ACE_SCOPE_MAX, &n, why, sizeof(why))) {
        for (size_t i = 0; i < n; i++) {
            if (!oscar_ace_roles_valid(e[i].perm, why, sizeof(why))) {
                __builtin_trap(); /* a scope entry with roles a member may not have */
            }
        }
    }
    struct oscar_cbor_reader r;
    oscar_cbor_reader_init(&r, data, size);
    while (r.pos < r.len && oscar_cbor_skip(&r)) {
    }
    /* the joining node's reader, every kind, and the credential reader */
    static struct oscar_ace_join_info info;
    static const enum oscar_ace_join_kind kinds[] = {
        OSCAR_ACE_JOIN_RESPONSE, OSCAR_ACE_KEY_DISTRIBUTION, OSCAR_ACE_REKEYING};
    for (size_t k = 0; k < 3; k++) {
        if (oscar_ace_join_info_read(data, size, kinds[k], k == 1, &info, why, sizeof(why)) &&
            (info.ms == NULL || info.gid == NULL)) {
            __builtin_trap(); /* accepted without a Master Secret or Gid */
        }
    }
    uint8_t pub[32];
    (void)oscar_ace_ccs_pub(data, size, pub);
    /* the Group Manager: a client whose token grants Requester+Responder in g1 posts the input
     * to the group (a join) and to a node resource */
    static struct oscar_gm gm;
    static const uint8_t gm_priv[32] = {3};
    static const uint8_t cred[] = {0xa1, 0x02, 0x61, 0x67};
    struct oscar_gm_config cfg = {.gname = "g1",
                                  .aud = "gm",
                                  .iss = "as",
                                  .as_pub = as_pub,
                                  .gm_priv = gm_priv,
                                  .gm_cred = cred,
                                  .gm_cred_len = sizeof(cred),
                                  .sid_first = 1,
                                  .sid_count = 4,
                                  .exp = 10,
                                  .seed = 1};
    if (oscar_gm_init(&gm, &cfg, oscar_crypto_wolfssl()) != OSCAR_OK) {
        __builtin_trap();
    }
    gm.clients[0].used = true;
    gm.clients[0].has_n_s = true;
    struct oscar_ace_scope_entry g1 = {"g1", 6};
    if (oscar_ace_scope_encode(gm.clients[0].claims.scope, sizeof(gm.clients[0].claims.scope),
                               &gm.clients[0].claims.scope_len, &g1, 1) != OSCAR_OK) {
        __builtin_trap();
    }
    static struct oscar_gm_response rs;
    oscar_gm_handle(&gm, 0, 1, OSCAR_COAP_CODE_POST, "ace-group/g1", data, size, &rs);
    if (rs.code == 0 || rs.len > sizeof(rs.payload)) {
        __builtin_trap();
    }
    oscar_gm_handle(&gm, 0, 1, OSCAR_COAP_CODE_FETCH, "ace-group/g1/stale-sids", data, size, &rs);
    if (rs.code == 0 || rs.len > sizeof(rs.payload)) {
        __builtin_trap();
    }
    return 0;
}
