/* core/core.c — error strings, constant-time comparison and secret wiping. */
#include "oscar/core.h"

#include <string.h>

static const char *const err_names[OSCAR_ERR__COUNT] = {
    [OSCAR_OK] = "ok",
    [OSCAR_ERR_INVALID_ARG] = "invalid argument",
    [OSCAR_ERR_BUFFER_TOO_SMALL] = "buffer too small",
    [OSCAR_ERR_UNSUPPORTED_ALG] = "unsupported AEAD algorithm",
    [OSCAR_ERR_UNSUPPORTED_HKDF] = "unsupported HKDF algorithm",
    [OSCAR_ERR_ID_TOO_LONG] = "identifier longer than nonce length - 6 (RFC 8613 section 5.2)",
    [OSCAR_ERR_CRYPTO] = "crypto backend failure",
    [OSCAR_ERR_SEQ_EXHAUSTED] = "sender sequence number exhausted (RFC 8613 section 7.2.1)",
    [OSCAR_ERR_PERSIST] = "sequence number persistence failed (RFC 8613 appendix B.1.1)",
    [OSCAR_ERR_COAP_MALFORMED] = "malformed CoAP message",
    [OSCAR_ERR_COAP_TOO_MANY_OPTIONS] = "too many CoAP options",
    [OSCAR_ERR_NESTED_OSCORE] = "message already has an OSCORE option (RFC 8613 section 4.1.3.7)",
    [OSCAR_ERR_NONCE_REUSE] = "operation would reuse an AEAD nonce (RFC 8613 section 7.2)",
    [OSCAR_ERR_STATE] = "operation not valid in the current state",
    [OSCAR_ERR_NOMEM] = "out of memory",
    [OSCAR_ERR_IO] = "I/O error",
    [OSCAR_ERR_PARSE] = "unusable input",
};

const char *oscar_err_str(enum oscar_err err)
{
    if ((unsigned)err >= OSCAR_ERR__COUNT || err_names[err] == NULL) {
        return "unknown error";
    }
    return err_names[err];
}

bool oscar_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    volatile uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) {
        acc |= (uint8_t)(a[i] ^ b[i]);
    }
    return acc == 0;
}

void oscar_secure_zero(void *p, size_t len)
{
    volatile uint8_t *v = p;
    for (size_t i = 0; i < len; i++) {
        v[i] = 0;
    }
}

int oscar_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
