/* oscore/internal.h — helpers shared by the files of impl/ref/oscore. */
#ifndef OSCAR_OSCORE_INTERNAL_H
#define OSCAR_OSCORE_INTERNAL_H

#include "oscar/oscore.h"

/* OSCAR_PROXY_URI_SCRATCH is the scratch space oscar_oscore_decompose_proxy_uri needs: the
 * longest Proxy-Uri (1034 bytes, RFC 7252 §5.10) decoded plus the composed outer value. */
#define OSCAR_PROXY_URI_MAX 1034
#define OSCAR_PROXY_URI_SCRATCH (2 * OSCAR_PROXY_URI_MAX)

/* oscar_oscore_decompose_proxy_uri splits a Proxy-Uri value (RFC 8613 §4.1.3.3, RFC 7252 §6.4)
 * into an outer Proxy-Uri holding scheme and authority (*out_outer) and inner Uri-Path and
 * Uri-Query options appended to inner[*num_inner]. Values live in scratch. */
enum oscar_err oscar_oscore_decompose_proxy_uri(struct oscar_coap_option *out_outer,
                                                struct oscar_coap_option *inner, size_t *num_inner,
                                                size_t inner_cap, uint8_t *scratch,
                                                size_t scratch_cap, const uint8_t *uri,
                                                size_t uri_len);

/* struct oscar_oscore_split is a message cut into its Inner and Outer parts (§4.1). */
struct oscar_oscore_split {
    struct oscar_coap_option inner[OSCAR_COAP_MAX_OPTIONS];
    size_t num_inner;
    struct oscar_coap_msg outer; /* header and Outer options; no payload */
    uint8_t proxy_scratch[OSCAR_PROXY_URI_SCRATCH];
};

/* oscar_oscore_split_message sorts the options of msg into Inner and Outer (§4.1.1, §4.1.2,
 * §4.1.3) and sets the Outer Code (§4.2); faults are enum oscar_oscore_fault bits. */
enum oscar_err oscar_oscore_split_message(struct oscar_oscore_split *s,
                                          const struct oscar_coap_msg *msg, bool is_request,
                                          uint32_t faults);

/* oscar_oscore_parse_own parses a CoAP message we were asked to protect. */
enum oscar_err oscar_oscore_parse_own(struct oscar_coap_msg *m, const uint8_t *msg, size_t msg_len);

/* struct oscar_oscore_seal_in is what oscar_oscore_seal_message seals a split message with. */
struct oscar_oscore_seal_in {
    const struct oscar_crypto_ops *crypto;
    struct oscar_aead_key *key;
    size_t tag_len;
    const uint8_t *option; /* the OSCORE option value (§6.1) */
    size_t option_len;
    const uint8_t *nonce;
    const uint8_t *aad;
    size_t aad_len;
    size_t tail_len; /* bytes left after the ciphertext, for group mode's countersignature */
};

/* oscar_oscore_seal_message writes the protected message: the Outer header and options with the
 * OSCORE option, the payload marker, then the plaintext of §5.3 (code, Inner options, payload)
 * encrypted in place; *ct_off is where the ciphertext starts. out_len is the whole length, tail
 * included; the caller writes the tail. */
enum oscar_err oscar_oscore_seal_message(struct oscar_oscore_split *s,
                                         const struct oscar_coap_msg *msg,
                                         const struct oscar_oscore_seal_in *in, uint8_t *out,
                                         size_t out_cap, size_t *out_len, size_t *ct_off);

/* oscar_oscore_decode_plaintext parses code, Inner options and payload (§5.3); false when
 * malformed or nested OSCORE. */
bool oscar_oscore_decode_plaintext(struct oscar_coap_msg *inner, const uint8_t *pt, size_t pt_len);

/* oscar_oscore_write_merged builds the decrypted message (§8.2 step 7, §8.4 step 6) from the
 * Outer message and the Inner plaintext into out[0 .. limit), m being scratch; observe_value
 * (may be NULL) replaces the Inner Observe value. */
enum oscar_err oscar_oscore_write_merged(struct oscar_coap_msg *m,
                                         const struct oscar_coap_msg *outer,
                                         const struct oscar_coap_msg *inner, uint8_t *out,
                                         size_t limit, size_t *out_len,
                                         const uint8_t *observe_value, size_t observe_len);

#endif
