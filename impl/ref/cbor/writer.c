/* cbor/writer.c — minimal-length CBOR writer over libcbor's cbor_encode_* (see oscar/cbor.h). */
#include "oscar/cbor.h"

#include <string.h>

#include <cbor.h>

/* CBOR heads are at most 9 bytes (RFC 8949 §3). */
#define CBOR_HEAD_MAX 9

void oscar_cbor_writer_init(struct oscar_cbor_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
    w->len = 0;
    w->overflow = buf == NULL;
}

/* put_head encodes a head with one of libcbor's encoders, measuring it when the buffer is full. */
static void put_head(struct oscar_cbor_writer *w, size_t (*enc)(uint64_t, unsigned char *, size_t),
                     uint64_t value)
{
    if (!w->overflow) {
        size_t n = enc(value, w->buf + w->len, w->cap - w->len);
        if (n != 0) {
            w->len += n;
            return;
        }
        w->overflow = true;
    }
    unsigned char tmp[CBOR_HEAD_MAX];
    w->len += enc(value, tmp, sizeof(tmp));
}

static size_t enc_bstr(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_bytestring_start((size_t)v, b, n);
}

static size_t enc_tstr(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_string_start((size_t)v, b, n);
}

static size_t enc_array(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_array_start((size_t)v, b, n);
}

static size_t enc_map(uint64_t v, unsigned char *b, size_t n)
{
    return cbor_encode_map_start((size_t)v, b, n);
}

void oscar_cbor_put_map(struct oscar_cbor_writer *w, size_t num_pairs)
{
    put_head(w, enc_map, num_pairs);
}

void oscar_cbor_put_raw(struct oscar_cbor_writer *w, const uint8_t *data, size_t len)
{
    if (!w->overflow && w->cap - w->len >= len) {
        if (len != 0) {
            memcpy(w->buf + w->len, data, len);
        }
    } else {
        w->overflow = true;
    }
    w->len += len;
}

void oscar_cbor_put_uint(struct oscar_cbor_writer *w, uint64_t value)
{
    put_head(w, cbor_encode_uint, value);
}

void oscar_cbor_put_int(struct oscar_cbor_writer *w, int64_t value)
{
    if (value >= 0) {
        put_head(w, cbor_encode_uint, (uint64_t)value);
    } else {
        /* RFC 8949 §3.1: major type 1 carries -1 - n. */
        put_head(w, cbor_encode_negint, (uint64_t)(-(value + 1)));
    }
}

void oscar_cbor_put_bstr(struct oscar_cbor_writer *w, const uint8_t *data, size_t len)
{
    put_head(w, enc_bstr, len);
    oscar_cbor_put_raw(w, data, len);
}

void oscar_cbor_put_tstr(struct oscar_cbor_writer *w, const char *text, size_t len)
{
    put_head(w, enc_tstr, len);
    oscar_cbor_put_raw(w, (const uint8_t *)text, len);
}

void oscar_cbor_put_array(struct oscar_cbor_writer *w, size_t num_items)
{
    put_head(w, enc_array, num_items);
}

void oscar_cbor_put_null(struct oscar_cbor_writer *w)
{
    unsigned char tmp[1];
    if (!w->overflow && cbor_encode_null(w->buf + w->len, w->cap - w->len) == 1) {
        w->len += 1;
        return;
    }
    w->overflow = true;
    w->len += cbor_encode_null(tmp, sizeof(tmp));
}

size_t oscar_cbor_bstr_head_len(size_t len)
{
    unsigned char tmp[CBOR_HEAD_MAX];
    return cbor_encode_bytestring_start(len, tmp, sizeof(tmp));
}

enum oscar_err oscar_cbor_writer_finish(const struct oscar_cbor_writer *w, size_t *out_len)
{
    *out_len = w->len;
    return w->overflow ? OSCAR_ERR_BUFFER_TOO_SMALL : OSCAR_OK;
}
