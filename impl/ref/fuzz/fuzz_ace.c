/* fuzz_ace.c — libFuzzer target: arbitrary bytes as an access token posted to a Group Manager
 * (RFC 9200 §5.10.1), as an AIF scope, and through the strict CBOR reader item by item. Nothing
 * may crash or read out of bounds; a token the checker accepts must carry a valid scope. */
#include <stdint.h>
#include <string.h>

#include "oscar/ace.h"

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
    return 0;
}
