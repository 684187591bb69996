/* oscar/coap.h — a strict CoAP message view and an exact encoder (RFC 7252 §3).
 *
 * Written by hand rather than taken from libcoap on purpose: the checker needs a validating decoder
 * that names the byte offset and the rule of every malformation, and the reference peer needs an
 * encoder whose every byte we control (OSCORE's plaintext and outer message are byte-exact
 * transformations, and fault switches must be able to emit what libcoap would refuse). libcoap is
 * still the transport of the networked peer. Nothing here allocates: option values and payload
 * point into the caller's buffer ([borrow]). */
#ifndef OSCAR_COAP_H
#define OSCAR_COAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscar/core.h"

#define OSCAR_COAP_VERSION 1
#define OSCAR_COAP_HEADER_LEN 4
#define OSCAR_COAP_TOKEN_MAX 8
#define OSCAR_COAP_MAX_OPTIONS 64
#define OSCAR_COAP_OPTION_NUMBER_MAX 65535
#define OSCAR_COAP_PAYLOAD_MARKER 0xFF

enum oscar_coap_type {
    OSCAR_COAP_TYPE_CON = 0,
    OSCAR_COAP_TYPE_NON = 1,
    OSCAR_COAP_TYPE_ACK = 2,
    OSCAR_COAP_TYPE_RST = 3,
};

/* OSCAR_COAP_CODE builds a code from its class and detail (RFC 7252 §3: c.dd). */
#define OSCAR_COAP_CODE(c, dd) ((uint8_t)(((c) << 5) | (dd)))
#define OSCAR_COAP_CODE_CLASS(code) ((unsigned)(code) >> 5)
#define OSCAR_COAP_CODE_DETAIL(code) ((unsigned)(code)&0x1F)

#define OSCAR_COAP_CODE_EMPTY OSCAR_COAP_CODE(0, 0)
#define OSCAR_COAP_CODE_GET OSCAR_COAP_CODE(0, 1)
#define OSCAR_COAP_CODE_POST OSCAR_COAP_CODE(0, 2)
#define OSCAR_COAP_CODE_PUT OSCAR_COAP_CODE(0, 3)
#define OSCAR_COAP_CODE_DELETE OSCAR_COAP_CODE(0, 4)
#define OSCAR_COAP_CODE_FETCH OSCAR_COAP_CODE(0, 5)
#define OSCAR_COAP_CODE_CREATED OSCAR_COAP_CODE(2, 1)
#define OSCAR_COAP_CODE_DELETED OSCAR_COAP_CODE(2, 2)
#define OSCAR_COAP_CODE_VALID OSCAR_COAP_CODE(2, 3)
#define OSCAR_COAP_CODE_CHANGED OSCAR_COAP_CODE(2, 4)
#define OSCAR_COAP_CODE_CONTENT OSCAR_COAP_CODE(2, 5)
#define OSCAR_COAP_CODE_BAD_REQUEST OSCAR_COAP_CODE(4, 0)
#define OSCAR_COAP_CODE_UNAUTHORIZED OSCAR_COAP_CODE(4, 1)
#define OSCAR_COAP_CODE_BAD_OPTION OSCAR_COAP_CODE(4, 2)
#define OSCAR_COAP_CODE_NOT_FOUND OSCAR_COAP_CODE(4, 4)
#define OSCAR_COAP_CODE_SERVICE_UNAVAILABLE OSCAR_COAP_CODE(5, 3)

/* Option numbers (RFC 7252 §12.2, RFC 7641, RFC 7959, RFC 7967, RFC 8613, RFC 8768, RFC 9175). */
#define OSCAR_COAP_OPT_IF_MATCH 1
#define OSCAR_COAP_OPT_URI_HOST 3
#define OSCAR_COAP_OPT_ETAG 4
#define OSCAR_COAP_OPT_IF_NONE_MATCH 5
#define OSCAR_COAP_OPT_OBSERVE 6
#define OSCAR_COAP_OPT_URI_PORT 7
#define OSCAR_COAP_OPT_LOCATION_PATH 8
#define OSCAR_COAP_OPT_OSCORE 9
#define OSCAR_COAP_OPT_URI_PATH 11
#define OSCAR_COAP_OPT_CONTENT_FORMAT 12
#define OSCAR_COAP_OPT_MAX_AGE 14
#define OSCAR_COAP_OPT_URI_QUERY 15
#define OSCAR_COAP_OPT_HOP_LIMIT 16
#define OSCAR_COAP_OPT_ACCEPT 17
#define OSCAR_COAP_OPT_LOCATION_QUERY 20
#define OSCAR_COAP_OPT_BLOCK2 23
#define OSCAR_COAP_OPT_BLOCK1 27
#define OSCAR_COAP_OPT_SIZE2 28
#define OSCAR_COAP_OPT_PROXY_URI 35
#define OSCAR_COAP_OPT_PROXY_SCHEME 39
#define OSCAR_COAP_OPT_SIZE1 60
#define OSCAR_COAP_OPT_ECHO 252
#define OSCAR_COAP_OPT_NO_RESPONSE 258
#define OSCAR_COAP_OPT_REQUEST_TAG 292

#define OSCAR_COAP_DEFAULT_PORT 5683

/* struct oscar_coap_option is one option instance; value is [borrow]ed. */
struct oscar_coap_option {
    uint16_t number;
    uint16_t len;
    const uint8_t *value;
};

/* struct oscar_coap_msg is a parsed or to-be-encoded CoAP-over-UDP message. Options are kept in
 * non-decreasing number order; payload is [borrow]ed and has_payload says whether a payload
 * marker is (to be) present. */
struct oscar_coap_msg {
    uint8_t version;
    uint8_t type;
    uint8_t code;
    uint16_t mid;
    uint8_t token_len;
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    size_t num_options;
    struct oscar_coap_option options[OSCAR_COAP_MAX_OPTIONS];
    bool has_payload;
    const uint8_t *payload;
    size_t payload_len;
};

/* enum oscar_coap_rule is the outcome of decoding bytes from a peer: WELL_FORMED or the RFC 7252
 * rule the bytes break. */
enum oscar_coap_rule {
    OSCAR_COAP_WELL_FORMED = 0,
    OSCAR_COAP_RULE_SHORT_HEADER,         /* §3: fewer than 4 bytes */
    OSCAR_COAP_RULE_VERSION,              /* §3: Ver is not 1 */
    OSCAR_COAP_RULE_TKL_RESERVED,         /* §3: TKL 9-15 is a message format error */
    OSCAR_COAP_RULE_SHORT_TOKEN,          /* §3: message ends inside the token */
    OSCAR_COAP_RULE_OPT_DELTA_RESERVED,   /* §3.1: delta nibble 15 outside the payload marker */
    OSCAR_COAP_RULE_OPT_LENGTH_RESERVED,  /* §3.1: length nibble 15 */
    OSCAR_COAP_RULE_OPT_TRUNCATED,        /* §3.1: extended delta/length or value past the end */
    OSCAR_COAP_RULE_OPT_NUMBER_RANGE,     /* §3.1: option number above 65535 */
    OSCAR_COAP_RULE_EMPTY_PAYLOAD_MARKER, /* §3: marker followed by a zero-length payload */
    OSCAR_COAP_RULE_EMPTY_NOT_EMPTY,      /* §4.1: code 0.00 with token, options or payload */
    OSCAR_COAP_RULE_TOO_MANY_OPTIONS,     /* more than OSCAR_COAP_MAX_OPTIONS (our limit) */
    OSCAR_COAP_RULE_OPT_TOO_LONG,         /* §3.1 allows 65804, no UDP datagram holds 65536 */
    OSCAR_COAP_RULE__COUNT
};

/* oscar_coap_rule_str returns a static one-line description of rule, with its RFC 7252 section. */
const char *oscar_coap_rule_str(enum oscar_coap_rule rule);

/* oscar_coap_parse decodes a CoAP-over-UDP message of len bytes into *out. On a malformation it
 * returns the rule and stores in *out_offset the offset of the first offending byte.
 * *out borrows from buf. */
enum oscar_coap_rule oscar_coap_parse(struct oscar_coap_msg *out, size_t *out_offset,
                                      const uint8_t *buf, size_t len);

/* oscar_coap_parse_options decodes an option sequence followed by an optional payload marker and
 * payload (RFC 7252 §3.1), as found after the token and in OSCORE plaintext (RFC 8613 §5.3).
 * Offsets are relative to buf. */
enum oscar_coap_rule oscar_coap_parse_options(struct oscar_coap_msg *out, size_t *out_offset,
                                              const uint8_t *buf, size_t len);

/* oscar_coap_encoded_len returns the number of bytes oscar_coap_serialize writes for msg. */
size_t oscar_coap_encoded_len(const struct oscar_coap_msg *msg);

/* oscar_coap_options_encoded_len returns the length of the encoded options and, if has_payload,
 * marker and payload. */
size_t oscar_coap_options_encoded_len(const struct oscar_coap_option *options, size_t num_options,
                                      bool has_payload, size_t payload_len);

/* oscar_coap_serialize encodes msg (options must be sorted by number) into out. */
enum oscar_err oscar_coap_serialize(uint8_t *out, size_t out_cap, size_t *out_len,
                                    const struct oscar_coap_msg *msg);

/* oscar_coap_write_options encodes num_options sorted options and, if has_payload, the marker
 * and payload (RFC 7252 §3.1) at out[*pos], advancing *pos. */
enum oscar_err oscar_coap_write_options(uint8_t *out, size_t out_cap, size_t *pos,
                                        const struct oscar_coap_option *options, size_t num_options,
                                        bool has_payload, const uint8_t *payload,
                                        size_t payload_len);

/* oscar_coap_add_option inserts an option keeping the list sorted (after equal numbers). */
enum oscar_err oscar_coap_add_option(struct oscar_coap_msg *msg, uint16_t number,
                                     const uint8_t *value, size_t len);

/* oscar_coap_find_option returns the first option with number, or NULL. */
const struct oscar_coap_option *oscar_coap_find_option(const struct oscar_coap_msg *msg,
                                                       uint16_t number);

/* oscar_coap_count_option returns how many instances of number msg has. */
size_t oscar_coap_count_option(const struct oscar_coap_msg *msg, uint16_t number);

/* oscar_coap_path joins the values of option number (Uri-Path, Location-Path) of msg with '/'
 * into out ("a/b/c"; "" when there is none) and returns how many there are; when they do not
 * fit in cap, out is "" and the return value 0 (such a path names no resource). */
size_t oscar_coap_path(const struct oscar_coap_msg *msg, uint16_t number, char *out, size_t cap);

/* oscar_coap_uint_encode writes value as a minimal-length option uint (RFC 7252 §3.2) into
 * out (4 bytes suffice) and returns its length (0 for value 0). */
size_t oscar_coap_uint_encode(uint8_t out[4], uint32_t value);

/* oscar_coap_uint_decode reads an option uint of up to 4 bytes. Returns false if len > 4. */
bool oscar_coap_uint_decode(uint32_t *out, const uint8_t *value, size_t len);

/* oscar_coap_is_request is true for codes 0.01-0.31. */
bool oscar_coap_is_request(uint8_t code);

#endif
