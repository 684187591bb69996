/* oscar/core.h — errors, byte helpers and constant-time comparison shared by every Oscar module.
 *
 * Fallible functions return enum oscar_err (OSCAR_OK == 0) and pass data through out-parameters.
 * Peer misbehaviour is never an oscar_err: protocol modules report it as a verdict enum. */
#ifndef OSCAR_CORE_H
#define OSCAR_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum oscar_err {
    OSCAR_OK = 0,
    OSCAR_ERR_INVALID_ARG,      /* a caller passed a value outside the documented range */
    OSCAR_ERR_BUFFER_TOO_SMALL, /* an output buffer cannot hold the result */
    OSCAR_ERR_UNSUPPORTED_ALG,  /* AEAD algorithm not in the algorithm table */
    OSCAR_ERR_UNSUPPORTED_HKDF, /* HKDF algorithm not supported */
    OSCAR_ERR_ID_TOO_LONG,   /* Sender/Recipient ID longer than nonce length - 6 (RFC 8613 §5.2) */
    OSCAR_ERR_CRYPTO,        /* the crypto backend failed for a reason other than authentication */
    OSCAR_ERR_SEQ_EXHAUSTED, /* Sender Sequence Number reached its limit (RFC 8613 §7.2.1) */
    OSCAR_ERR_PERSIST,       /* the sequence-number persistence callback failed (RFC 8613 B.1.1) */
    OSCAR_ERR_COAP_MALFORMED, /* a CoAP message we were asked to protect or build is malformed */
    OSCAR_ERR_COAP_TOO_MANY_OPTIONS, /* more options than OSCAR_COAP_MAX_OPTIONS */
    OSCAR_ERR_NESTED_OSCORE, /* the message to protect already has an OSCORE option (RFC 8613
                                §4.1.3.7) */
    OSCAR_ERR_NONCE_REUSE,   /* the operation would reuse an AEAD nonce (RFC 8613 §7.2) */
    OSCAR_ERR_STATE,         /* the operation is not valid in the object's current state */
    OSCAR_ERR_NOMEM,         /* allocation failed (harness only) */
    OSCAR_ERR_IO,            /* file or socket I/O failed (harness only) */
    OSCAR_ERR_PARSE,         /* input file unusable: JSON syntax, schema, hex (harness only) */
    OSCAR_ERR__COUNT
};

/* oscar_err_str returns a static, human-readable name for err; never NULL. */
const char *oscar_err_str(enum oscar_err err);

/* OSCAR_TRY evaluates expr and returns its error from the enclosing function if it is not OSCAR_OK.
 */
#define OSCAR_TRY(expr)                                                                            \
    do {                                                                                           \
        enum oscar_err oscar_try_err_ = (expr);                                                    \
        if (oscar_try_err_ != OSCAR_OK) {                                                          \
            return oscar_try_err_;                                                                 \
        }                                                                                          \
    } while (0)

/* oscar_ct_equal compares len bytes of a and b in time independent of their contents. */
bool oscar_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* oscar_hex_digit returns the value of hexadecimal digit c (either case), or -1. */
int oscar_hex_digit(int c);

/* oscar_secure_zero overwrites len bytes at p with zeros in a way the compiler does not elide. */
void oscar_secure_zero(void *p, size_t len);

#endif
