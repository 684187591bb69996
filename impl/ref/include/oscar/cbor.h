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
void oscar_cbor_put_map(struct oscar_cbor_writer *w, size_t num_pairs);
void oscar_cbor_put_null(struct oscar_cbor_writer *w);
/* oscar_cbor_put_raw appends bytes that are already CBOR. */
void oscar_cbor_put_raw(struct oscar_cbor_writer *w, const uint8_t *data, size_t len);
/* oscar_cbor_bstr_head_len returns the length of the head of a byte string of len bytes. */
size_t oscar_cbor_bstr_head_len(size_t len);

/* oscar_cbor_writer_finish returns OSCAR_OK and the length written, or
 * OSCAR_ERR_BUFFER_TOO_SMALL with *out_len set to the length needed. */
enum oscar_err oscar_cbor_writer_finish(const struct oscar_cbor_writer *w, size_t *out_len);

/* --- strict reader ---
 * A validating CBOR decoder for the ACE messages Oscar judges and produces (RFC 9200, 9203,
 * 9594): written here rather than taken from libcbor because the point is the diagnostic (which
 * field, which offset, which rule) and because protocol code never allocates. It accepts only
 * the deterministic subset peers must send (RFC 8949 §4.2.1: minimal heads, definite lengths)
 * and rejects the rest with a reason. */

enum oscar_cbor_type {
    OSCAR_CBOR_UINT = 0,
    OSCAR_CBOR_NINT = 1,
    OSCAR_CBOR_BSTR = 2,
    OSCAR_CBOR_TSTR = 3,
    OSCAR_CBOR_ARRAY = 4,
    OSCAR_CBOR_MAP = 5,
    OSCAR_CBOR_TAG = 6,
    OSCAR_CBOR_SIMPLE = 7, /* false, true, null, undefined */
};

/* struct oscar_cbor_item is one decoded head: for strings, data/len borrow the input; for
 * integers, value (nint: -1 - value); for arrays and maps, the number of items or pairs. */
struct oscar_cbor_item {
    enum oscar_cbor_type type;
    uint64_t value;
    const uint8_t *data;
    size_t len;
    size_t offset; /* where the item starts in the input */
};

struct oscar_cbor_reader {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    char error[160]; /* set on the first error: what and at which byte */
};

void oscar_cbor_reader_init(struct oscar_cbor_reader *r, const uint8_t *buf, size_t len);

/* oscar_cbor_read reads the next head (and a string's bytes); false on truncation, a
 * non-minimal head, an indefinite length or a reserved value (r->error says which). */
bool oscar_cbor_read(struct oscar_cbor_reader *r, struct oscar_cbor_item *out);

/* oscar_cbor_skip skips one whole item (nested up to 16 levels). */
bool oscar_cbor_skip(struct oscar_cbor_reader *r);

/* oscar_cbor_int reads an integer item as int64 (false if not an integer or out of range). */
bool oscar_cbor_int(const struct oscar_cbor_item *it, int64_t *out);

#endif
