/* fuzz_oscore.c — libFuzzer target: arbitrary bytes through the strict CoAP decoder, the OSCORE
 * option decoder and request/response verification (RFC 8613 §8.2, §8.4), plus the input's
 * second half as the plaintext of a message we protect. Nothing may crash, leak or read out of
 * bounds, and any accepted request must re-protect cleanly. */
#include <stdint.h>
#include <string.h>

#include "oscar/oscore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t ID_A[1] = {0x00};
static const uint8_t ID_B[1] = {0x01};

static void ctx_for(struct oscar_oscore_ctx *ctx, bool server, int32_t alg)
{
    struct oscar_oscore_params p = {
        .master_secret = SECRET,
        .master_secret_len = sizeof(SECRET),
        .sender_id = server ? ID_B : ID_A,
        .sender_id_len = 1,
        .recipient_id = server ? ID_A : ID_B,
        .recipient_id_len = 1,
        .aead_alg = alg,
    };
    if (oscar_oscore_ctx_init(ctx, oscar_crypto_wolfssl(), &p) != OSCAR_OK) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[2 * 65536 + 64];
    static uint8_t prot[65536 + 512];
    if (size > 65536) {
        return 0;
    }
    int32_t alg = oscar_alg_by_index(size % 5)->cose_id;
    struct oscar_oscore_ctx server;
    struct oscar_oscore_ctx client;
    ctx_for(&server, true, alg);
    ctx_for(&client, false, alg);

    struct oscar_coap_msg m;
    size_t off;
    if (oscar_coap_parse(&m, &off, data, size) == OSCAR_COAP_WELL_FORMED) {
        /* A well-formed message re-encodes to the same bytes. */
        size_t n;
        if (oscar_coap_serialize(out, sizeof(out), &n, &m) != OSCAR_OK || n != size ||
            memcmp(out, data, n) != 0) {
            __builtin_trap();
        }
    }
    struct oscar_oscore_option opt;
    (void)oscar_oscore_option_decode(&opt, data, size < 300 ? size : 300, size & 1);

    struct oscar_oscore_ctx *list[1] = {&server};
    enum oscar_oscore_verdict v;
    size_t idx;
    size_t n;
    struct oscar_oscore_exchange ex;
    if (oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, &ex, data, size) !=
        OSCAR_OK) {
        __builtin_trap();
    }
    struct oscar_oscore_exchange cex = {0};
    cex.observe = size & 2;
    if (oscar_oscore_unprotect_response(&client, &v, out, sizeof(out), &n, &cex, data, size) !=
        OSCAR_OK) {
        __builtin_trap();
    }
    /* Protect: our own errors are allowed (malformed input), crashes are not. */
    size_t plen;
    if (oscar_oscore_protect_request(&client, prot, sizeof(prot), &plen, &ex, NULL, data, size) ==
        OSCAR_OK) {
        if (oscar_oscore_unprotect_request(list, 1, &v, &idx, out, sizeof(out), &n, NULL, prot,
                                           plen) != OSCAR_OK ||
            v != OSCAR_OSCORE_ACCEPT) {
            __builtin_trap(); /* what we protect, we verify */
        }
    }
    oscar_oscore_ctx_cleanup(&server);
    oscar_oscore_ctx_cleanup(&client);
    return 0;
}
