/* fuzz_check.c — libFuzzer target for the checker's whole input path: arbitrary bytes as a
 * capture (pcap or pcapng, any link type libpcap accepts) -> UDP datagrams -> strict CoAP ->
 * OSCORE verification with a fixed pair of contexts -> every trace rule. Nothing may crash,
 * leak or read out of bounds; unusable input must come back as an error. */
#include <stdint.h>
#include <string.h>

#include "../check/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t SECRET[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t SALT[8] = {0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40};
static const uint8_t ID_C[1] = {0x01};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the contexts of RFC 8613 C.1 (client view), so the vectors' messages decrypt */
    struct oscar_context_spec spec;
    memset(&spec, 0, sizeof(spec));
    memcpy(spec.name, "C.1", 4);
    spec.master_secret = (struct oscar_bytes_field){true, false, (uint8_t *)(uintptr_t)SECRET, 16};
    spec.master_salt = (struct oscar_bytes_field){true, false, (uint8_t *)(uintptr_t)SALT, 8};
    spec.sender_id = (struct oscar_bytes_field){true, false, (uint8_t *)(uintptr_t)ID_C, 0};
    spec.recipient_id = (struct oscar_bytes_field){true, false, (uint8_t *)(uintptr_t)ID_C, 1};
    spec.aead_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
    spec.hkdf_alg = OSCAR_COSE_ALG_HKDF_SHA256;
    struct oscar_pcap_reader *rd = NULL;
    struct oscar_diag diag;
    if (oscar_pcap_reader_open_memory(&rd, data, size, &diag) != OSCAR_OK) {
        return 0;
    }
    struct oscar_transcript t;
    if (oscar_transcript_decode_reader(&t, rd, &spec, 1, NULL, 0, &diag) == OSCAR_OK) {
        struct oscar_violation v[64];
        size_t nv;
        (void)oscar_rules_check(v, 64, &nv, &t, NULL);
    }
    oscar_transcript_free(&t);
    return 0;
}
