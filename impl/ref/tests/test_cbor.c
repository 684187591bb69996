/* test_cbor.c — the bounded minimal-length CBOR writer (oscar/cbor.h) that builds HKDF info
 * (RFC 8613 §3.2.1) and external_aad / Enc_structure (§5.4): encodings checked against RFC 8949
 * §3, and the buffer contract (exact fit, too small with the needed size, NULL to measure). */
#include "oscar/cbor.h"
#include "otest.h"

#define GUARD 0xEE
#define AREA 64

/* struct item is one value to write; kind selects the writer call. */
enum kind { K_UINT, K_INT, K_BSTR, K_TSTR, K_ARRAY, K_NULL, K_RAW };

struct item {
    enum kind kind;
    uint64_t u;
    int64_t i;
    const char *data; /* bstr/tstr/raw contents */
    size_t len;
};

static void put(struct oscar_cbor_writer *w, const struct item *it)
{
    switch (it->kind) {
    case K_UINT:
        oscar_cbor_put_uint(w, it->u);
        break;
    case K_INT:
        oscar_cbor_put_int(w, it->i);
        break;
    case K_BSTR:
        oscar_cbor_put_bstr(w, (const uint8_t *)it->data, it->len);
        break;
    case K_TSTR:
        oscar_cbor_put_tstr(w, it->data, it->len);
        break;
    case K_ARRAY:
        oscar_cbor_put_array(w, (size_t)it->u);
        break;
    case K_NULL:
        oscar_cbor_put_null(w);
        break;
    case K_RAW:
        oscar_cbor_put_raw(w, (const uint8_t *)it->data, it->len);
        break;
    }
}

/* check_encoding writes the items into buffers of every capacity from 0 to the exact size: every
 * smaller one reports BUFFER_TOO_SMALL and the exact size and writes nothing past its capacity;
 * the exact one (and a NULL-buffer measurement) give want. */
static void check_encoding(const struct item *items, size_t num_items, const uint8_t *want,
                           size_t want_len)
{
    OTEST_CHECK(want_len <= AREA);
    for (size_t cap = 0; cap <= want_len && want_len <= AREA; cap++) {
        uint8_t area[AREA + 1];
        memset(area, GUARD, sizeof(area));
        struct oscar_cbor_writer w;
        oscar_cbor_writer_init(&w, area, cap);
        for (size_t k = 0; k < num_items; k++) {
            put(&w, &items[k]);
        }
        size_t n = 0;
        enum oscar_err err = oscar_cbor_writer_finish(&w, &n);
        OTEST_EQ_INT(want_len, n);
        if (cap < want_len) {
            OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, err);
        } else {
            OTEST_OK(err);
            OTEST_EQ_BYTES(want, want_len, area, n);
        }
        for (size_t k = cap; k < sizeof(area); k++) {
            if (area[k] != GUARD) {
                OTEST_EQ_INT(GUARD, area[k]); /* wrote past the capacity */
                break;
            }
        }
    }
    struct oscar_cbor_writer m;
    oscar_cbor_writer_init(&m, NULL, 0);
    for (size_t k = 0; k < num_items; k++) {
        put(&m, &items[k]);
    }
    size_t n = 0;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, oscar_cbor_writer_finish(&m, &n));
    OTEST_EQ_INT(want_len, n);
}

struct uint_case {
    uint64_t value;
    uint8_t enc[9];
    size_t len;
};

static void test_uint_heads(void)
{
    /* RFC 8613 §3.2.1 and §5.4 need minimal heads (RFC 8949 §4.2.1); RFC 8949 §3: values below
     * 24 in the initial byte, then 1, 2, 4 or 8 following bytes. */
    static const struct uint_case cases[] = {
        {0, {0x00}, 1},
        {1, {0x01}, 1},
        {23, {0x17}, 1},
        {24, {0x18, 0x18}, 2},
        {255, {0x18, 0xff}, 2},
        {256, {0x19, 0x01, 0x00}, 3},
        {65535, {0x19, 0xff, 0xff}, 3},
        {65536, {0x1a, 0x00, 0x01, 0x00, 0x00}, 5},
        {UINT32_MAX, {0x1a, 0xff, 0xff, 0xff, 0xff}, 5},
        {UINT64_C(0x100000000), {0x1b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00}, 9},
        {UINT64_MAX, {0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct item it = {.kind = K_UINT, .u = cases[i].value};
        check_encoding(&it, 1, cases[i].enc, cases[i].len);
    }
}

struct int_case {
    int64_t value;
    uint8_t enc[9];
    size_t len;
};

static void test_int_heads(void)
{
    /* RFC 8613 §3.2.1 and §5.4 encode alg_aead as a CBOR int; RFC 8949 §3.1: major type 1
     * carries -1 - n, so -1 is 0x20, -24 is 0x37, -25 is 0x38 0x18. */
    static const struct int_case cases[] = {
        {0, {0x00}, 1},
        {10, {0x0a}, 1},
        {24, {0x18, 0x18}, 2},
        {-1, {0x20}, 1},
        {-24, {0x37}, 1},
        {-25, {0x38, 0x18}, 2},
        {-256, {0x38, 0xff}, 2},
        {-257, {0x39, 0x01, 0x00}, 3},
        {-65536, {0x39, 0xff, 0xff}, 3},
        {-65537, {0x3a, 0x00, 0x01, 0x00, 0x00}, 5},
        {INT64_MIN, {0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9},
        {INT64_MAX, {0x1b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 9},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct item it = {.kind = K_INT, .i = cases[i].value};
        check_encoding(&it, 1, cases[i].enc, cases[i].len);
    }
}

static void test_string_array_null(void)
{
    /* RFC 8613 §3.2.1: info = [id: bstr, id_context: bstr / nil, alg: int, type: tstr, L: uint];
     * RFC 8949 §3: bstr major 2, tstr major 3, array major 4, null 0xf6. */
    static const char s23[] = "abcdefghijklmnopqrstuvw";
    static const char s24[] = "abcdefghijklmnopqrstuvwx";
    struct item bstr0 = {.kind = K_BSTR, .data = "", .len = 0};
    static const uint8_t e_bstr0[] = {0x40};
    check_encoding(&bstr0, 1, e_bstr0, sizeof(e_bstr0));
    struct item bstr2 = {.kind = K_BSTR, .data = "ab", .len = 2};
    static const uint8_t e_bstr2[] = {0x42, 'a', 'b'};
    check_encoding(&bstr2, 1, e_bstr2, sizeof(e_bstr2));
    struct item bstr23 = {.kind = K_BSTR, .data = s23, .len = 23};
    uint8_t e_bstr23[24];
    e_bstr23[0] = 0x57;
    memcpy(e_bstr23 + 1, s23, 23);
    check_encoding(&bstr23, 1, e_bstr23, sizeof(e_bstr23));
    struct item tstr24 = {.kind = K_TSTR, .data = s24, .len = 24};
    uint8_t e_tstr24[26];
    e_tstr24[0] = 0x78;
    e_tstr24[1] = 24;
    memcpy(e_tstr24 + 2, s24, 24);
    check_encoding(&tstr24, 1, e_tstr24, sizeof(e_tstr24));
    struct item iv = {.kind = K_TSTR, .data = "IV", .len = 2};
    static const uint8_t e_iv[] = {0x62, 'I', 'V'};
    check_encoding(&iv, 1, e_iv, sizeof(e_iv));
    struct item nul = {.kind = K_NULL};
    static const uint8_t e_nul[] = {0xf6};
    check_encoding(&nul, 1, e_nul, sizeof(e_nul));
    struct item arr5 = {.kind = K_ARRAY, .u = 5};
    static const uint8_t e_arr5[] = {0x85};
    check_encoding(&arr5, 1, e_arr5, sizeof(e_arr5));
    struct item arr24 = {.kind = K_ARRAY, .u = 24};
    static const uint8_t e_arr24[] = {0x98, 0x18};
    check_encoding(&arr24, 1, e_arr24, sizeof(e_arr24));
    struct item raw = {.kind = K_RAW, .data = "\x83\x01\x02", .len = 3};
    static const uint8_t e_raw[] = {0x83, 0x01, 0x02};
    check_encoding(&raw, 1, e_raw, sizeof(e_raw));
}

static void test_info_sequence(void)
{
    /* RFC 8613 §3.2.1: the info of the Sender Key for Sender ID h'' and no ID Context with
     * AES-CCM-16-64-128 (Appendix C.1.1): [h'', null, 10, "Key", 16]. Every prefix of the
     * output is a too-small buffer. */
    static const struct item items[] = {
        {.kind = K_ARRAY, .u = 5},
        {.kind = K_BSTR, .data = "", .len = 0},
        {.kind = K_NULL},
        {.kind = K_INT, .i = 10},
        {.kind = K_TSTR, .data = "Key", .len = 3},
        {.kind = K_UINT, .u = 16},
    };
    static const uint8_t want[] = {0x85, 0x40, 0xf6, 0x0a, 0x63, 'K', 'e', 'y', 0x10};
    check_encoding(items, sizeof(items) / sizeof(items[0]), want, sizeof(want));
}

static void test_measuring_nothing(void)
{
    /* RFC 8613 §3.2.1, §5.4 callers measure with a NULL buffer: a measuring writer never claims
     * to have written, even when nothing was put (the needed size is then 0). */
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, NULL, 0);
    size_t n = 99;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, oscar_cbor_writer_finish(&w, &n));
    OTEST_EQ_INT(0, n);
    oscar_cbor_put_raw(&w, NULL, 0);
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, oscar_cbor_writer_finish(&w, &n));
    OTEST_EQ_INT(0, n);
    /* a real buffer with nothing written is a success of length 0 */
    uint8_t b[1];
    oscar_cbor_writer_init(&w, b, 0);
    OTEST_OK(oscar_cbor_writer_finish(&w, &n));
    OTEST_EQ_INT(0, n);
}

static void test_bstr_head_len(void)
{
    /* RFC 8613 §5.4 sizes the bstr-wrapped aad_array: head lengths at the RFC 8949 §3 edges. */
    OTEST_EQ_INT(1, oscar_cbor_bstr_head_len(0));
    OTEST_EQ_INT(1, oscar_cbor_bstr_head_len(23));
    OTEST_EQ_INT(2, oscar_cbor_bstr_head_len(24));
    OTEST_EQ_INT(2, oscar_cbor_bstr_head_len(255));
    OTEST_EQ_INT(3, oscar_cbor_bstr_head_len(256));
    OTEST_EQ_INT(3, oscar_cbor_bstr_head_len(65535));
    OTEST_EQ_INT(5, oscar_cbor_bstr_head_len(65536));
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_uint_heads);
    OTEST_RUN(test_int_heads);
    OTEST_RUN(test_string_array_null);
    OTEST_RUN(test_info_sequence);
    OTEST_RUN(test_measuring_nothing);
    OTEST_RUN(test_bstr_head_len);
    return otest_finish();
}
