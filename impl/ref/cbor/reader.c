/* cbor/reader.c — the strict CBOR reader of oscar/cbor.h (why it is written here: see there). */
#include <stdio.h>
#include <string.h>

#include "oscar/cbor.h"

#define MAX_DEPTH 16

void oscar_cbor_reader_init(struct oscar_cbor_reader *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->error[0] = '\0';
}

static bool fail(struct oscar_cbor_reader *r, size_t at, const char *what)
{
    if (r->error[0] == '\0') {
        snprintf(r->error, sizeof(r->error), "%s at byte %zu", what, at);
    }
    return false;
}

bool oscar_cbor_read(struct oscar_cbor_reader *r, struct oscar_cbor_item *out)
{
    size_t at = r->pos;
    if (r->pos >= r->len) {
        return fail(r, at, "truncated: an item expected");
    }
    uint8_t ib = r->buf[r->pos++];
    unsigned major = ib >> 5;
    unsigned info = ib & 0x1f;
    uint64_t v = info;
    if (info >= 24 && info <= 27) {
        size_t n = (size_t)1 << (info - 24);
        if (r->len - r->pos < n) {
            return fail(r, at, "truncated head");
        }
        v = 0;
        for (size_t i = 0; i < n; i++) {
            v = v << 8 | r->buf[r->pos++];
        }
        /* RFC 8949 §4.2.1: the shortest head (simple values 24-31 aside, handled below) */
        uint64_t min = 24;
        if (info == 25) {
            min = 0x100;
        } else if (info == 26) {
            min = 0x10000;
        } else if (info == 27) {
            min = UINT64_C(0x100000000);
        }
        if (v < min && !(major == 7 && info == 24 && v >= 32)) {
            return fail(r, at, "non-minimal head (RFC 8949 §4.2.1)");
        }
    } else if (info > 27) {
        return fail(r, at,
                    info == 31 ? "indefinite length (not deterministic CBOR)"
                               : "reserved additional information");
    }
    out->type = (enum oscar_cbor_type)major;
    out->value = v;
    out->data = NULL;
    out->len = 0;
    out->offset = at;
    if (major == OSCAR_CBOR_BSTR || major == OSCAR_CBOR_TSTR) {
        if (v > r->len - r->pos) {
            return fail(r, at, "truncated string");
        }
        out->data = r->buf + r->pos;
        out->len = (size_t)v;
        r->pos += (size_t)v;
    }
    if (major == OSCAR_CBOR_SIMPLE && (info > 23 || v < 20)) {
        return fail(r, at, "floating point or unassigned simple value");
    }
    return true;
}

static bool skip_depth(struct oscar_cbor_reader *r, int depth)
{
    struct oscar_cbor_item it;
    if (depth > MAX_DEPTH) {
        return fail(r, r->pos, "nested too deeply");
    }
    if (!oscar_cbor_read(r, &it)) {
        return false;
    }
    uint64_t n = it.type == OSCAR_CBOR_ARRAY ? it.value
                 : it.type == OSCAR_CBOR_MAP ? 2 * it.value
                 : it.type == OSCAR_CBOR_TAG ? 1
                                             : 0;
    if (n > r->len - r->pos) {
        return fail(r, it.offset, "more items announced than bytes left");
    }
    for (uint64_t i = 0; i < n; i++) {
        if (!skip_depth(r, depth + 1)) {
            return false;
        }
    }
    return true;
}

bool oscar_cbor_skip(struct oscar_cbor_reader *r)
{
    return skip_depth(r, 0);
}

bool oscar_cbor_int(const struct oscar_cbor_item *it, int64_t *out)
{
    if ((it->type != OSCAR_CBOR_UINT && it->type != OSCAR_CBOR_NINT) ||
        it->value > (uint64_t)INT64_MAX) {
        return false;
    }
    *out = it->type == OSCAR_CBOR_UINT ? (int64_t)it->value : -1 - (int64_t)it->value;
    return true;
}
