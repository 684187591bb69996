/* oscar/cbor.h — a bounded writer of minimal-length CBOR (RFC 8949 §4.2.1) on top of libcbor's
 * allocation-free encoders. OSCORE's HKDF info (RFC 8613 §3.2.1), external_aad and Enc_structure
 * (§5.4) only verify when every head is minimal, which cbor_encode_* guarantee and
 * cbor_build_uint64 does not (STYLE.md). The writer never allocates: it writes into the caller's
 * buffer and, once that is full, keeps counting so the caller learns the size it needs. */
#ifndef OSCAR_CBOR_H
#define OSCAR_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscar/core.h"

struct oscar_cbor_writer {
    uint8_t *buf;
    size_t cap;
    size_t len; /* bytes written, or needed once overflow is set */
    bool overflow;
};

/* oscar_cbor_writer_init starts writing at buf[0] (buf may be NULL with cap 0 to measure). */
void oscar_cbor_writer_init(struct oscar_cbor_writer *w, uint8_t *buf, size_t cap);
void oscar_cbor_put_uint(struct oscar_cbor_writer *w, uint64_t value);
void oscar_cbor_put_int(struct oscar_cbor_writer *w, int64_t value);
void oscar_cbor_put_bstr(struct oscar_cbor_writer *w, const uint8_t *data, size_t len);
void oscar_cbor_put_tstr(struct oscar_cbor_writer *w, const char *text, size_t len);
void oscar_cbor_put_array(struct oscar_cbor_writer *w, size_t num_items);
void oscar_cbor_put_null(struct oscar_cbor_writer *w);
/* oscar_cbor_put_raw appends bytes that are already CBOR. */
void oscar_cbor_put_raw(struct oscar_cbor_writer *w, const uint8_t *data, size_t len);
/* oscar_cbor_bstr_head_len returns the length of the head of a byte string of len bytes. */
size_t oscar_cbor_bstr_head_len(size_t len);

/* oscar_cbor_writer_finish returns OSCAR_OK and the length written, or
 * OSCAR_ERR_BUFFER_TOO_SMALL with *out_len set to the length needed. */
enum oscar_err oscar_cbor_writer_finish(const struct oscar_cbor_writer *w, size_t *out_len);

#endif
