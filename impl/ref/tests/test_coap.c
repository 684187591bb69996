/* test_coap.c — unit tests of the strict CoAP codec (RFC 7252 §3, §3.1, §3.2, §4.1).
 *
 * Byte strings in the tables are hex; every malformation names the rule and the exact offset
 * oscar_coap_parse reports. The random cases draw from otest_rand (seed: $OSCAR_SEED). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oscar/coap.h"
#include "otest.h"

#define BUF_MAX (1u << 18)
#define SENTINEL 0xA5
#define RANDOM_MESSAGES 2000
#define RANDOM_BYTE_STRINGS 20000
#define RANDOM_BYTES_MAX 80
#define MUTATIONS_PER_MESSAGE 8

/* Large scratch buffers live here rather than on the stack. */
static uint8_t in_buf[BUF_MAX];
static uint8_t out_buf[BUF_MAX];
static uint8_t pool[BUF_MAX];
static struct oscar_coap_msg msg_a;
static struct oscar_coap_msg msg_b;

static uint32_t rand_below(uint32_t n)
{
    return (uint32_t)(otest_rand() % n);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t)otest_rand();
    }
}

/* msg_equal compares two messages field by field (option values and payload by content). */
static bool msg_equal(const struct oscar_coap_msg *a, const struct oscar_coap_msg *b)
{
    if (a->type != b->type || a->code != b->code || a->mid != b->mid ||
        a->token_len != b->token_len || memcmp(a->token, b->token, a->token_len) != 0 ||
        a->num_options != b->num_options || a->has_payload != b->has_payload ||
        a->payload_len != b->payload_len) {
        return false;
    }
    for (size_t i = 0; i < a->num_options; i++) {
        const struct oscar_coap_option *x = &a->options[i];
        const struct oscar_coap_option *y = &b->options[i];
        if (x->number != y->number || x->len != y->len ||
            (x->len != 0 && memcmp(x->value, y->value, x->len) != 0)) {
            return false;
        }
    }
    return a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0;
}

/* ---- well-formed messages round-trip byte-exactly ---- */

static const char *const WELL_FORMED[] = {
    /* RFC 8613 C.4 unprotected request: CON GET, token 4 bytes, Uri-Host "localhost", Uri-Path
     * "tv1". */
    "44015d1f00003974396c6f63616c686f737483747631",
    /* RFC 8613 C.7 unprotected response: ACK 2.05, token, payload "Hello World!". */
    "64455d1f00003974ff48656c6c6f20576f726c6421",
    /* Empty ACK and RST (code 0.00, nothing else; RFC 7252 §4.1). */
    "60000001",
    "70001234",
    /* Minimal request: no token, no options, no payload. */
    "40010000",
    /* NON with 8-byte token and a payload only. */
    "5802ffff0102030405060708ff00",
    /* Repeated options, zero-length values, delta 13 (1-byte extension) and 269 (2-byte). */
    "42030102abcd 10 00 00 d0 00 e1 0000 aa ff 01 02",
    /* Option length 13 (1-byte extended length) and 269 would need long strings: see the
     * boundary case. Highest option number 65535: delta 0xfef2 + 269. */
    "40010001 e0 fef2",
    /* Options 1, 3, 4 ... with 12-byte value (largest without extension). */
    "40010001 1c 000102030405060708090a0b 21 61",
};

static void coap_roundtrip_wellformed(void)
{
    for (size_t i = 0; i < sizeof(WELL_FORMED) / sizeof(WELL_FORMED[0]); i++) {
        size_t len = otest_unhex(in_buf, sizeof(in_buf), WELL_FORMED[i]);
        size_t off = 99;
        enum oscar_coap_rule r = oscar_coap_parse(&msg_a, &off, in_buf, len);
        if (r != OSCAR_COAP_WELL_FORMED) {
            fprintf(stderr, "  case %zu: %s\n", i, WELL_FORMED[i]);
        }
        OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, r);
        OTEST_EQ_INT(0, off);
        OTEST_EQ_INT(OSCAR_COAP_VERSION, msg_a.version);
        OTEST_EQ_INT(len, oscar_coap_encoded_len(&msg_a));
        size_t out_len = 0;
        OTEST_OK(oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
        OTEST_EQ_BYTES(in_buf, len, out_buf, out_len);
    }
}

static void coap_parse_fields(void)
{
    size_t len = otest_unhex(in_buf, sizeof(in_buf), WELL_FORMED[0]);
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&msg_a, &off, in_buf, len));
    OTEST_EQ_INT(OSCAR_COAP_TYPE_CON, msg_a.type);
    OTEST_EQ_INT(OSCAR_COAP_CODE_GET, msg_a.code);
    OTEST_EQ_INT(0x5d1f, msg_a.mid);
    OTEST_EQ_BYTES("\x00\x00\x39\x74", 4, msg_a.token, msg_a.token_len);
    OTEST_EQ_INT(2, msg_a.num_options);
    OTEST_EQ_INT(OSCAR_COAP_OPT_URI_HOST, msg_a.options[0].number);
    OTEST_EQ_BYTES("localhost", 9, msg_a.options[0].value, msg_a.options[0].len);
    OTEST_EQ_INT(OSCAR_COAP_OPT_URI_PATH, msg_a.options[1].number);
    OTEST_EQ_BYTES("tv1", 3, msg_a.options[1].value, msg_a.options[1].len);
    OTEST_CHECK(!msg_a.has_payload);
    OTEST_CHECK(oscar_coap_find_option(&msg_a, OSCAR_COAP_OPT_URI_PATH) == &msg_a.options[1]);
    OTEST_CHECK(oscar_coap_find_option(&msg_a, OSCAR_COAP_OPT_OSCORE) == NULL);
    OTEST_CHECK(oscar_coap_is_request(msg_a.code));

    len = otest_unhex(in_buf, sizeof(in_buf), WELL_FORMED[1]);
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&msg_a, &off, in_buf, len));
    OTEST_EQ_INT(OSCAR_COAP_TYPE_ACK, msg_a.type);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, msg_a.code);
    OTEST_CHECK(msg_a.has_payload);
    OTEST_EQ_BYTES("Hello World!", 12, msg_a.payload, msg_a.payload_len);
    OTEST_CHECK(!oscar_coap_is_request(msg_a.code));
    OTEST_CHECK(!oscar_coap_is_request(OSCAR_COAP_CODE_EMPTY));
    OTEST_CHECK(oscar_coap_is_request(OSCAR_COAP_CODE(0, 31)));
    OTEST_CHECK(!oscar_coap_is_request(OSCAR_COAP_CODE(1, 0)));
}

/* ---- every rule, with its offset ---- */

struct parse_case {
    const char *hex;
    enum oscar_coap_rule rule;
    size_t offset;
    const char *what;
};

static const struct parse_case PARSE_CASES[] = {
    {"40010001", OSCAR_COAP_WELL_FORMED, 0, "minimal request"},
    {"", OSCAR_COAP_RULE_SHORT_HEADER, 0, "empty datagram"},
    {"40", OSCAR_COAP_RULE_SHORT_HEADER, 1, "1-byte header"},
    {"400100", OSCAR_COAP_RULE_SHORT_HEADER, 3, "3-byte header"},
    {"00010001", OSCAR_COAP_RULE_VERSION, 0, "version 0"},
    {"80010001", OSCAR_COAP_RULE_VERSION, 0, "version 2"},
    {"c0010001", OSCAR_COAP_RULE_VERSION, 0, "version 3"},
    {"41010001", OSCAR_COAP_RULE_SHORT_TOKEN, 4, "TKL 1, no token byte"},
    {"48010001 01020304050607", OSCAR_COAP_RULE_SHORT_TOKEN, 11, "TKL 8, 7 token bytes"},
    {"40010001 f0", OSCAR_COAP_RULE_OPT_DELTA_RESERVED, 4, "delta nibble 15"},
    {"42010001 aabb b1 61 f5 00", OSCAR_COAP_RULE_OPT_DELTA_RESERVED, 8, "delta 15, 2nd option"},
    {"40010001 0f", OSCAR_COAP_RULE_OPT_LENGTH_RESERVED, 4, "length nibble 15"},
    {"40010001 df 00", OSCAR_COAP_RULE_OPT_LENGTH_RESERVED, 4, "delta 13, length nibble 15"},
    {"40010001 b0 3f", OSCAR_COAP_RULE_OPT_LENGTH_RESERVED, 5, "length 15, 2nd option"},
    {"40010001 d0", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "1-byte extended delta missing"},
    {"40010001 e0", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "2-byte extended delta missing"},
    {"40010001 e0 00", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "2-byte extended delta, 1 byte"},
    {"40010001 0d", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "1-byte extended length missing"},
    {"40010001 0e", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "2-byte extended length missing"},
    {"40010001 0e 00", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "2-byte extended length, 1 byte"},
    {"40010001 dd 00", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "ext delta ok, ext length missing"},
    {"40010001 ee 0000 00", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "ext delta ok, ext length short"},
    {"40010001 01", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "value missing"},
    {"40010001 03 6162", OSCAR_COAP_RULE_OPT_TRUNCATED, 4, "value 1 byte short"},
    {"40010001 0d 00 000102030405060708090a0b", OSCAR_COAP_RULE_OPT_TRUNCATED, 4,
     "13-byte value (1-byte ext) 1 byte short"},
    {"40010001 0e 0000 00", OSCAR_COAP_RULE_OPT_TRUNCATED, 4,
     "269-byte value (2-byte ext) 268 bytes short"},
    {"41010001 aa b1 61 01", OSCAR_COAP_RULE_OPT_TRUNCATED, 7, "2nd option value missing"},
    {"40010001 e0 ffff", OSCAR_COAP_RULE_OPT_NUMBER_RANGE, 4, "delta 65804 in one step"},
    {"40010001 e0 fef3", OSCAR_COAP_RULE_OPT_NUMBER_RANGE, 4, "delta 65536 in one step"},
    {"40010001 e0 fef2 10", OSCAR_COAP_RULE_OPT_NUMBER_RANGE, 7, "65535 + 1 by accumulation"},
    {"40010001 e0 8000 e0 7de6", OSCAR_COAP_RULE_OPT_NUMBER_RANGE, 7,
     "33037 + 32499 = 65536 by accumulation"},
    {"40010001 e0 8000 e0 7de5", OSCAR_COAP_WELL_FORMED, 0, "33037 + 32498 = 65535"},
    {"40010001 be ffff", OSCAR_COAP_RULE_OPT_TOO_LONG, 4, "length 65804 (2-byte ext maximum)"},
    {"40010001 be fef3", OSCAR_COAP_RULE_OPT_TOO_LONG, 4, "length 65536"},
    {"40010001 ff", OSCAR_COAP_RULE_EMPTY_PAYLOAD_MARKER, 4, "marker, no payload"},
    {"41010001 aa b1 61 ff", OSCAR_COAP_RULE_EMPTY_PAYLOAD_MARKER, 7, "option, marker"},
    {"41000001 aa", OSCAR_COAP_RULE_EMPTY_NOT_EMPTY, 0, "0.00 with a token"},
    {"40000001 b0", OSCAR_COAP_RULE_EMPTY_NOT_EMPTY, 4, "0.00 with an option"},
    {"60000001 ff 01", OSCAR_COAP_RULE_EMPTY_NOT_EMPTY, 4, "0.00 ACK with a payload"},
    {"70000001 ff", OSCAR_COAP_RULE_EMPTY_NOT_EMPTY, 4, "0.00 RST with a bare marker"},
};

static void check_parse_case(const struct parse_case *c, const uint8_t *buf, size_t len, bool *seen)
{
    size_t off = 12345;
    enum oscar_coap_rule r = oscar_coap_parse(&msg_a, &off, buf, len);
    if (r != c->rule || off != c->offset) {
        fprintf(stderr, "  case \"%s\" (%s): got %s at %zu\n", c->hex, c->what,
                oscar_coap_rule_str(r), off);
    }
    OTEST_EQ_INT(c->rule, r);
    OTEST_EQ_INT(c->offset, off);
    if ((unsigned)r < OSCAR_COAP_RULE__COUNT) {
        seen[r] = true;
    }
}

static void coap_parse_every_rule(void)
{
    bool seen[OSCAR_COAP_RULE__COUNT] = {false};
    for (size_t i = 0; i < sizeof(PARSE_CASES) / sizeof(PARSE_CASES[0]); i++) {
        /* Exactly-sized heap copy, so ASan sees any read past the end. */
        size_t len = otest_unhex(in_buf, sizeof(in_buf), PARSE_CASES[i].hex);
        uint8_t *exact = malloc(len ? len : 1);
        OTEST_CHECK(exact != NULL);
        if (exact == NULL) {
            return;
        }
        memcpy(exact, in_buf, len);
        check_parse_case(&PARSE_CASES[i], exact, len, seen);
        free(exact);
    }
    /* §3: TKL 9-15 are reserved, whatever follows. */
    for (unsigned tkl = 9; tkl <= 15; tkl++) {
        memset(in_buf, 0x11, 24);
        in_buf[0] = (uint8_t)(0x40 | tkl);
        for (size_t len = OSCAR_COAP_HEADER_LEN; len <= 24; len += 10) {
            struct parse_case c = {"(TKL 9-15)", OSCAR_COAP_RULE_TKL_RESERVED, 0, "reserved TKL"};
            check_parse_case(&c, in_buf, len, seen);
        }
    }
    /* 64 options are our limit; the 65th is refused at its own offset. */
    size_t len = otest_unhex(in_buf, sizeof(in_buf), "40010001");
    in_buf[len++] = 0xb0; /* Uri-Path, empty */
    for (size_t i = 1; i < OSCAR_COAP_MAX_OPTIONS; i++) {
        in_buf[len++] = 0x00;
    }
    struct parse_case ok = {"(64 options)", OSCAR_COAP_WELL_FORMED, 0, "64 options"};
    check_parse_case(&ok, in_buf, len, seen);
    OTEST_EQ_INT(OSCAR_COAP_MAX_OPTIONS, msg_a.num_options);
    size_t at = len;
    in_buf[len++] = 0x00;
    struct parse_case many = {"(65 options)", OSCAR_COAP_RULE_TOO_MANY_OPTIONS, at, "65 options"};
    check_parse_case(&many, in_buf, len, seen);
    for (unsigned r = 0; r < OSCAR_COAP_RULE__COUNT; r++) {
        if (!seen[r]) {
            fprintf(stderr, "  rule %u (%s) never produced\n", r,
                    oscar_coap_rule_str((enum oscar_coap_rule)r));
        }
        OTEST_CHECK(seen[r]);
    }
}

static void coap_rule_strings(void)
{
    for (unsigned r = 0; r < OSCAR_COAP_RULE__COUNT; r++) {
        const char *s = oscar_coap_rule_str((enum oscar_coap_rule)r);
        OTEST_CHECK(s != NULL && s[0] != '\0' && strcmp(s, "unknown rule") != 0);
        for (unsigned q = 0; q < r; q++) {
            OTEST_CHECK(strcmp(s, oscar_coap_rule_str((enum oscar_coap_rule)q)) != 0);
        }
    }
    OTEST_CHECK(strcmp(oscar_coap_rule_str(OSCAR_COAP_RULE__COUNT), "unknown rule") == 0);
}

static void coap_parse_options_relative(void)
{
    /* oscar_coap_parse_options (used on OSCORE plaintext) reports offsets relative to buf. */
    size_t off = 99;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse_options(&msg_a, &off, in_buf, 0));
    OTEST_EQ_INT(0, msg_a.num_options);
    OTEST_CHECK(!msg_a.has_payload);
    size_t len = otest_unhex(in_buf, sizeof(in_buf), "b1 61 ff");
    OTEST_EQ_INT(OSCAR_COAP_RULE_EMPTY_PAYLOAD_MARKER,
                 oscar_coap_parse_options(&msg_a, &off, in_buf, len));
    OTEST_EQ_INT(2, off);
    len = otest_unhex(in_buf, sizeof(in_buf), "b1 61 ff 00");
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse_options(&msg_a, &off, in_buf, len));
    OTEST_EQ_INT(1, msg_a.num_options);
    OTEST_EQ_BYTES("\x00", 1, msg_a.payload, msg_a.payload_len);
}

/* ---- option delta and length boundaries (§3.1) ---- */

struct ext_case {
    uint32_t value;
    unsigned nibble;
    size_t ext_len;
    uint16_t ext; /* extended bytes, big-endian */
};

static const struct ext_case EXT_CASES[] = {
    {0, 0, 0, 0},      {1, 1, 0, 0},    {12, 12, 0, 0},  {13, 13, 1, 0},     {14, 13, 1, 1},
    {268, 13, 1, 255}, {269, 14, 2, 0}, {270, 14, 2, 1}, {1000, 14, 2, 731}, {65535, 14, 2, 65266},
};

static void check_ext(const uint8_t *p, size_t ext_len, uint16_t ext)
{
    if (ext_len == 1) {
        OTEST_EQ_INT(ext, p[0]);
    } else if (ext_len == 2) {
        OTEST_EQ_INT(ext, (unsigned)p[0] << 8 | p[1]);
    }
}

static void coap_option_boundaries(void)
{
    size_t n = sizeof(EXT_CASES) / sizeof(EXT_CASES[0]);
    memset(pool, 'v', 65535);
    for (size_t i = 0; i < n; i++) {
        const struct ext_case *c = &EXT_CASES[i];
        /* As an option number (delta from 0), with a 1-byte value. */
        memset(&msg_a, 0, sizeof(msg_a));
        msg_a.type = OSCAR_COAP_TYPE_CON;
        msg_a.code = OSCAR_COAP_CODE_GET;
        msg_a.mid = 7;
        OTEST_OK(oscar_coap_add_option(&msg_a, (uint16_t)c->value, pool, 1));
        size_t out_len = 0;
        OTEST_OK(oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
        OTEST_EQ_INT(OSCAR_COAP_HEADER_LEN + 1 + c->ext_len + 1, out_len);
        OTEST_EQ_INT(c->nibble, out_buf[4] >> 4);
        OTEST_EQ_INT(1, out_buf[4] & 0x0F);
        check_ext(out_buf + 5, c->ext_len, c->ext);
        size_t off;
        OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&msg_b, &off, out_buf, out_len));
        OTEST_EQ_INT(1, msg_b.num_options);
        OTEST_EQ_INT(c->value, msg_b.options[0].number);
        OTEST_EQ_INT(1, msg_b.options[0].len);

        /* As an option length, on Uri-Path. */
        memset(&msg_a, 0, sizeof(msg_a));
        msg_a.code = OSCAR_COAP_CODE_GET;
        OTEST_OK(oscar_coap_add_option(&msg_a, OSCAR_COAP_OPT_URI_PATH, pool, c->value));
        OTEST_OK(oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
        OTEST_EQ_INT(OSCAR_COAP_HEADER_LEN + 1 + c->ext_len + c->value, out_len);
        OTEST_EQ_INT(OSCAR_COAP_OPT_URI_PATH, out_buf[4] >> 4);
        OTEST_EQ_INT(c->nibble, out_buf[4] & 0x0F);
        check_ext(out_buf + 5, c->ext_len, c->ext);
        OTEST_EQ_INT(out_len, oscar_coap_encoded_len(&msg_a));
        OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&msg_b, &off, out_buf, out_len));
        OTEST_EQ_INT(1, msg_b.num_options);
        OTEST_EQ_INT(OSCAR_COAP_OPT_URI_PATH, msg_b.options[0].number);
        OTEST_EQ_INT(c->value, msg_b.options[0].len);
        OTEST_CHECK(msg_b.options[0].value == out_buf + 5 + c->ext_len);
    }
}

static void coap_option_length_above_65535(void)
{
    /* §3.1: a 2-byte extended length reaches 65535 + 269 = 65804. Our option length field is
     * 16 bits, so a parser that accepts such an option must not misreport its length: a
     * WELL_FORMED result has to describe exactly the bytes that were parsed. */
    static const uint32_t lengths[] = {65535, 65536, 65804};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        uint32_t olen = lengths[i];
        uint32_t ext = olen - 269;
        size_t len = otest_unhex(in_buf, sizeof(in_buf), "40010001");
        in_buf[len++] = 0xbe; /* Uri-Path, 2-byte extended length */
        in_buf[len++] = (uint8_t)(ext >> 8);
        in_buf[len++] = (uint8_t)ext;
        memset(in_buf + len, 'x', olen);
        len += olen;
        size_t off;
        enum oscar_coap_rule r = oscar_coap_parse(&msg_a, &off, in_buf, len);
        if (r == OSCAR_COAP_WELL_FORMED) {
            OTEST_EQ_INT(1, msg_a.num_options);
            if (msg_a.options[0].len != olen) {
                fprintf(stderr, "  option length %u parsed as WELL_FORMED with len %u\n",
                        (unsigned)olen, (unsigned)msg_a.options[0].len);
            }
            OTEST_EQ_INT(olen, msg_a.options[0].len);
            OTEST_EQ_INT(len, oscar_coap_encoded_len(&msg_a));
        } else {
            /* Refusing is acceptable only above the field's range. */
            OTEST_CHECK(olen > UINT16_MAX);
            OTEST_EQ_INT(4, off);
        }
    }
}

/* ---- oscar_coap_add_option, find, count ---- */

static void coap_add_option_stable(void)
{
    static const struct {
        uint16_t number;
        const char *value;
    } adds[] = {
        {11, "a"}, {3, "h"},     {11, "b"}, {1, "x"}, {11, "c"},
        {3, "i"},  {65535, "z"}, {0, "0"},  {12, ""}, {11, "d"},
    };
    static const struct {
        uint16_t number;
        const char *value;
    } want[] = {
        {0, "0"},  {1, "x"},  {3, "h"},  {3, "i"}, {11, "a"},
        {11, "b"}, {11, "c"}, {11, "d"}, {12, ""}, {65535, "z"},
    };
    memset(&msg_a, 0, sizeof(msg_a));
    msg_a.code = OSCAR_COAP_CODE_GET;
    for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
        OTEST_OK(oscar_coap_add_option(&msg_a, adds[i].number, (const uint8_t *)adds[i].value,
                                       strlen(adds[i].value)));
    }
    OTEST_EQ_INT(sizeof(want) / sizeof(want[0]), msg_a.num_options);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && i < msg_a.num_options; i++) {
        OTEST_EQ_INT(want[i].number, msg_a.options[i].number);
        OTEST_EQ_BYTES(want[i].value, strlen(want[i].value), msg_a.options[i].value,
                       msg_a.options[i].len);
    }
    OTEST_EQ_INT(4, oscar_coap_count_option(&msg_a, 11));
    OTEST_EQ_INT(0, oscar_coap_count_option(&msg_a, 9));
    const struct oscar_coap_option *o = oscar_coap_find_option(&msg_a, 11);
    OTEST_CHECK(o != NULL && o->len == 1 && o->value[0] == 'a');
    /* The sorted list serializes and parses back in the same order. */
    size_t out_len;
    size_t off;
    OTEST_OK(oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&msg_b, &off, out_buf, out_len));
    OTEST_CHECK(msg_equal(&msg_a, &msg_b));

    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_coap_add_option(&msg_a, 1, pool, 65536));
    while (msg_a.num_options < OSCAR_COAP_MAX_OPTIONS) {
        OTEST_OK(oscar_coap_add_option(&msg_a, 20, NULL, 0));
    }
    OTEST_ERR(OSCAR_ERR_COAP_TOO_MANY_OPTIONS, oscar_coap_add_option(&msg_a, 20, NULL, 0));
    OTEST_EQ_INT(OSCAR_COAP_MAX_OPTIONS, msg_a.num_options);
}

/* ---- option uint (§3.2) ---- */

static void coap_uint(void)
{
    static const struct {
        uint32_t value;
        const char *hex;
    } cases[] = {
        {0, ""},
        {1, "01"},
        {255, "ff"},
        {256, "0100"},
        {65535, "ffff"},
        {65536, "010000"},
        {0xffffff, "ffffff"},
        {0x1000000, "01000000"},
        {60, "3c"},
        {0xffffffff, "ffffffff"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t want[4];
        size_t want_len = otest_unhex(want, sizeof(want), cases[i].hex);
        uint8_t got[4] = {0};
        size_t got_len = oscar_coap_uint_encode(got, cases[i].value);
        OTEST_EQ_BYTES(want, want_len, got, got_len);
        uint32_t back = 0xdeadbeef;
        OTEST_CHECK(oscar_coap_uint_decode(&back, got, got_len));
        OTEST_EQ_INT(cases[i].value, back);
    }
    /* Receivers accept leading zeros (§3.2 only asks senders to be minimal). */
    uint32_t v = 0;
    OTEST_CHECK(oscar_coap_uint_decode(&v, (const uint8_t *)"\x00\x00\x01", 3));
    OTEST_EQ_INT(1, v);
    OTEST_CHECK(oscar_coap_uint_decode(&v, (const uint8_t *)"\x00", 1));
    OTEST_EQ_INT(0, v);
    v = 77;
    OTEST_CHECK(!oscar_coap_uint_decode(&v, (const uint8_t *)"\x00\x00\x00\x00\x01", 5));
    OTEST_CHECK(!oscar_coap_uint_decode(&v, (const uint8_t *)"\x01\x02\x03\x04\x05\x06", 6));
}

/* ---- writer refusals and capacity ---- */

static void coap_write_options_refuses(void)
{
    struct oscar_coap_option unsorted[3] = {
        {11, 1, (const uint8_t *)"a"},
        {3, 1, (const uint8_t *)"h"},
        {12, 0, NULL},
    };
    size_t pos = 0;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_coap_write_options(out_buf, sizeof(out_buf), &pos,
                                                              unsorted, 3, false, NULL, 0));
    OTEST_EQ_INT(0, pos);
    struct oscar_coap_option late[3] = {
        {3, 1, (const uint8_t *)"h"},
        {60, 0, NULL},
        {59, 1, (const uint8_t *)"x"},
    };
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_coap_write_options(out_buf, sizeof(out_buf), &pos, late, 3, false, NULL, 0));
    OTEST_EQ_INT(0, pos);
    /* §3: a payload marker must be followed by a non-empty payload. */
    OTEST_ERR(OSCAR_ERR_COAP_MALFORMED,
              oscar_coap_write_options(out_buf, sizeof(out_buf), &pos, NULL, 0, true,
                                       (const uint8_t *)"", 0));
    pos = 11;
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_coap_write_options(out_buf, 10, &pos, NULL, 0, false, NULL, 0));
    OTEST_EQ_INT(11, pos);
    memset(&msg_a, 0, sizeof(msg_a));
    msg_a.token_len = OSCAR_COAP_TOKEN_MAX + 1;
    size_t out_len;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
    msg_a.token_len = 0;
    msg_a.type = 4;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG,
              oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
}

/* A message whose encoding uses every option header shape: ext delta 1 and 2 bytes, ext length
 * 1 and 2 bytes, a zero-length value, and a payload. */
static void build_shapes(struct oscar_coap_msg *m)
{
    memset(m, 0, sizeof(*m));
    m->type = OSCAR_COAP_TYPE_NON;
    m->code = OSCAR_COAP_CODE_POST;
    m->mid = 0xbeef;
    m->token_len = 3;
    memcpy(m->token, "tok", 3);
    memset(pool, 'p', 400);
    OTEST_OK(oscar_coap_add_option(m, OSCAR_COAP_OPT_URI_PATH, pool, 0));
    OTEST_OK(oscar_coap_add_option(m, OSCAR_COAP_OPT_URI_QUERY, pool, 13));
    OTEST_OK(oscar_coap_add_option(m, OSCAR_COAP_OPT_NO_RESPONSE, pool, 1));
    OTEST_OK(oscar_coap_add_option(m, 2000, pool, 300));
    OTEST_OK(oscar_coap_add_option(m, 2000, pool, 12));
    m->has_payload = true;
    m->payload = pool;
    m->payload_len = 5;
}

static void coap_write_every_truncation(void)
{
    build_shapes(&msg_a);
    size_t full = oscar_coap_encoded_len(&msg_a);
    size_t out_len = 0;
    OTEST_OK(oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
    OTEST_EQ_INT(full, out_len);
    static uint8_t ref[1024];
    OTEST_CHECK(full + 16 <= sizeof(ref));
    memcpy(ref, out_buf, full);
    for (size_t cap = 0; cap < full; cap++) {
        /* A heap buffer of exactly cap bytes: ASan catches a write past it; the sentinel copy
         * checks the same thing without ASan. */
        uint8_t *exact = malloc(cap ? cap : 1);
        OTEST_CHECK(exact != NULL);
        if (exact == NULL) {
            return;
        }
        memset(out_buf, SENTINEL, full + 16);
        size_t got = 777;
        enum oscar_err err = oscar_coap_serialize(exact, cap, &got, &msg_a);
        if (err != OSCAR_ERR_BUFFER_TOO_SMALL) {
            fprintf(stderr, "  cap %zu of %zu\n", cap, full);
        }
        OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, err);
        OTEST_EQ_INT(777, got);
        err = oscar_coap_serialize(out_buf, cap, &got, &msg_a);
        OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, err);
        for (size_t i = cap; i < full + 16; i++) {
            if (out_buf[i] != SENTINEL) {
                fprintf(stderr, "  cap %zu: byte %zu written\n", cap, i);
                OTEST_CHECK(out_buf[i] == SENTINEL);
                break;
            }
        }
        /* The same through oscar_coap_write_options at a non-zero start. */
        size_t start = OSCAR_COAP_HEADER_LEN + msg_a.token_len;
        if (cap >= start) {
            size_t pos = start;
            err = oscar_coap_write_options(exact, cap, &pos, msg_a.options, msg_a.num_options,
                                           msg_a.has_payload, msg_a.payload, msg_a.payload_len);
            OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, err);
            OTEST_EQ_INT(start, pos);
        }
        free(exact);
    }
    uint8_t *exact = malloc(full);
    OTEST_CHECK(exact != NULL);
    if (exact != NULL) {
        OTEST_OK(oscar_coap_serialize(exact, full, &out_len, &msg_a));
        OTEST_EQ_BYTES(ref, full, exact, out_len);
        free(exact);
    }
}

/* ---- random messages ---- */

/* random_len picks lengths around every encoding boundary, sometimes large. */
static uint32_t random_len(void)
{
    switch (rand_below(6)) {
    case 0:
        return 0;
    case 1:
        return rand_below(13);
    case 2:
        return 11 + rand_below(5);
    case 3:
        return 266 + rand_below(6);
    case 4:
        return rand_below(300);
    default:
        return rand_below(1500);
    }
}

static uint32_t random_delta(void)
{
    switch (rand_below(5)) {
    case 0:
        return 0;
    case 1:
        return rand_below(13);
    case 2:
        return 12 + rand_below(3);
    case 3:
        return 266 + rand_below(6);
    default:
        return rand_below(3000);
    }
}

/* random_msg builds a well-formed message with values pointing into pool. */
static void random_msg(struct oscar_coap_msg *m)
{
    memset(m, 0, sizeof(*m));
    m->version = OSCAR_COAP_VERSION;
    m->type = (uint8_t)rand_below(4);
    m->mid = (uint16_t)otest_rand();
    if (rand_below(20) == 0) {
        m->code = OSCAR_COAP_CODE_EMPTY; /* §4.1: nothing else */
        return;
    }
    do {
        m->code = (uint8_t)otest_rand();
    } while (m->code == OSCAR_COAP_CODE_EMPTY);
    m->token_len = (uint8_t)rand_below(OSCAR_COAP_TOKEN_MAX + 1);
    fill_random(m->token, m->token_len);
    size_t num = rand_below(10) == 0 ? rand_below(OSCAR_COAP_MAX_OPTIONS + 1) : rand_below(8);
    uint16_t numbers[OSCAR_COAP_MAX_OPTIONS];
    uint32_t number = 0;
    for (size_t i = 0; i < num; i++) {
        uint32_t next = number + random_delta();
        if (rand_below(30) == 0) {
            next = OSCAR_COAP_OPTION_NUMBER_MAX - rand_below(3);
        }
        if (next > OSCAR_COAP_OPTION_NUMBER_MAX) {
            next = OSCAR_COAP_OPTION_NUMBER_MAX;
        }
        number = next;
        numbers[i] = (uint16_t)number;
    }
    /* Insert in shuffled order; add_option must sort them. */
    for (size_t i = num; i > 1; i--) {
        size_t j = rand_below((uint32_t)i);
        uint16_t t = numbers[i - 1];
        numbers[i - 1] = numbers[j];
        numbers[j] = t;
    }
    for (size_t i = 0; i < num; i++) {
        uint32_t len = num > 16 ? rand_below(20) : random_len();
        size_t at = rand_below((uint32_t)(BUF_MAX - len));
        OTEST_OK(oscar_coap_add_option(m, numbers[i], pool + at, len));
    }
    for (size_t i = 1; i < m->num_options; i++) {
        OTEST_CHECK(m->options[i - 1].number <= m->options[i].number);
    }
    if (rand_below(2) == 0) {
        m->has_payload = true;
        m->payload_len = 1 + (rand_below(4) == 0 ? rand_below(5000) : rand_below(40));
        m->payload = pool + rand_below((uint32_t)(BUF_MAX - m->payload_len));
    }
}

static void coap_random_roundtrip(void)
{
    fill_random(pool, BUF_MAX);
    for (unsigned iter = 0; iter < RANDOM_MESSAGES; iter++) {
        random_msg(&msg_a);
        size_t want = oscar_coap_encoded_len(&msg_a);
        size_t out_len = 0;
        enum oscar_err err = oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a);
        OTEST_OK(err);
        OTEST_EQ_INT(want, out_len);
        size_t off = 0;
        enum oscar_coap_rule r = oscar_coap_parse(&msg_b, &off, out_buf, out_len);
        OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, r);
        bool same = r == OSCAR_COAP_WELL_FORMED && msg_equal(&msg_a, &msg_b);
        if (!same) {
            fprintf(stderr, "  iteration %u: parse gives %s at %zu or a different message\n", iter,
                    oscar_coap_rule_str(r), off);
            otest_hex("encoded", out_buf, out_len < 64 ? out_len : 64);
        }
        OTEST_CHECK(same);
        size_t again_len = 0;
        OTEST_OK(oscar_coap_serialize(in_buf, sizeof(in_buf), &again_len, &msg_b));
        OTEST_EQ_BYTES(out_buf, out_len, in_buf, again_len);
        if (otest.case_failed) {
            return;
        }
    }
}

/* check_any_bytes parses len bytes at buf (an exact heap copy) and, when WELL_FORMED, demands
 * the serializer reproduce them exactly: the codec has one encoding per message. */
static void check_any_bytes(const uint8_t *src, size_t len, unsigned iter, size_t *num_good)
{
    uint8_t *exact = malloc(len ? len : 1);
    OTEST_CHECK(exact != NULL);
    if (exact == NULL) {
        return;
    }
    memcpy(exact, src, len);
    size_t off = 0;
    enum oscar_coap_rule r = oscar_coap_parse(&msg_a, &off, exact, len);
    OTEST_CHECK((unsigned)r < OSCAR_COAP_RULE__COUNT);
    OTEST_CHECK(off <= len);
    if (r == OSCAR_COAP_WELL_FORMED) {
        if (msg_a.num_options > 1 || msg_a.has_payload) {
            (*num_good)++;
        }
        OTEST_EQ_INT(0, off);
        OTEST_EQ_INT(len, oscar_coap_encoded_len(&msg_a));
        size_t out_len = 0;
        OTEST_OK(oscar_coap_serialize(out_buf, sizeof(out_buf), &out_len, &msg_a));
        if (out_len != len || memcmp(out_buf, exact, len) != 0) {
            fprintf(stderr, "  iteration %u: WELL_FORMED input does not re-serialize\n", iter);
            OTEST_EQ_BYTES(exact, len, out_buf, out_len);
        }
    }
    free(exact);
}

static void coap_random_bytes(void)
{
    uint8_t buf[RANDOM_BYTES_MAX];
    size_t num_good = 0;
    for (unsigned iter = 0; iter < RANDOM_BYTE_STRINGS && !otest.case_failed; iter++) {
        size_t len = rand_below(RANDOM_BYTES_MAX + 1);
        fill_random(buf, len);
        /* Half the time, a plausible header, so the option decoder gets exercised. */
        if (len > 0 && rand_below(2) == 0) {
            buf[0] = (uint8_t)(0x40 | (buf[0] & 0x30) | rand_below(OSCAR_COAP_TOKEN_MAX + 1));
        }
        if (len > 1 && buf[1] == 0 && rand_below(2) == 0) {
            buf[1] = OSCAR_COAP_CODE_GET;
        }
        /* Small option headers are more likely to chain into long well-formed runs. */
        for (size_t i = OSCAR_COAP_HEADER_LEN + 8; i < len; i++) {
            if (rand_below(3) != 0) {
                buf[i] = (uint8_t)(buf[i] & 0xD1);
            }
        }
        check_any_bytes(buf, len, iter, &num_good);
    }
    /* The generator must reach the interesting inputs: well-formed with options or payload. */
    printf("  %zu of %u random strings well-formed with options or a payload\n", num_good,
           RANDOM_BYTE_STRINGS);
    OTEST_CHECK(num_good >= RANDOM_BYTE_STRINGS / 100);
}

static void coap_mutated_messages(void)
{
    fill_random(pool, BUF_MAX);
    size_t num_good = 0;
    for (unsigned iter = 0; iter < RANDOM_MESSAGES && !otest.case_failed; iter++) {
        random_msg(&msg_b);
        size_t len = 0;
        OTEST_OK(oscar_coap_serialize(in_buf, sizeof(in_buf), &len, &msg_b));
        for (unsigned m = 0; m < MUTATIONS_PER_MESSAGE && len > 0; m++) {
            static uint8_t work[BUF_MAX];
            memcpy(work, in_buf, len);
            size_t wlen = len;
            switch (rand_below(4)) {
            case 0:
                work[rand_below((uint32_t)wlen)] ^= (uint8_t)(1u << rand_below(8));
                break;
            case 1:
                work[rand_below((uint32_t)wlen)] = (uint8_t)otest_rand();
                break;
            case 2:
                wlen = rand_below((uint32_t)wlen);
                break;
            default:
                if (wlen < sizeof(work)) {
                    work[wlen++] = (uint8_t)otest_rand();
                }
                break;
            }
            check_any_bytes(work, wlen, iter, &num_good);
        }
    }
    printf("  %zu of %u mutants still well-formed with options or a payload\n", num_good,
           RANDOM_MESSAGES * MUTATIONS_PER_MESSAGE);
    OTEST_CHECK(num_good >= RANDOM_MESSAGES);
}

/* oscar_coap_path: segments joined by '/', only those of the option asked for, nothing when
 * they do not fit */
static void coap_path(void)
{
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.code = OSCAR_COAP_CODE_GET;
    char out[16];
    OTEST_EQ_INT(0, oscar_coap_path(&m, OSCAR_COAP_OPT_URI_PATH, out, sizeof(out)));
    OTEST_CHECK(strcmp(out, "") == 0);
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_LOCATION_PATH, (const uint8_t *)"x", 1));
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"ace-group", 9));
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"g1", 2));
    OTEST_EQ_INT(2, oscar_coap_path(&m, OSCAR_COAP_OPT_URI_PATH, out, sizeof(out)));
    OTEST_CHECK(strcmp(out, "ace-group/g1") == 0);
    OTEST_EQ_INT(1, oscar_coap_path(&m, OSCAR_COAP_OPT_LOCATION_PATH, out, sizeof(out)));
    OTEST_CHECK(strcmp(out, "x") == 0);
    /* "ace-group/g1" needs 13 bytes: 13 fits, 12 does not */
    OTEST_EQ_INT(2, oscar_coap_path(&m, OSCAR_COAP_OPT_URI_PATH, out, 13));
    OTEST_EQ_INT(0, oscar_coap_path(&m, OSCAR_COAP_OPT_URI_PATH, out, 12));
    OTEST_CHECK(strcmp(out, "") == 0);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(coap_roundtrip_wellformed);
    OTEST_RUN(coap_parse_fields);
    OTEST_RUN(coap_parse_every_rule);
    OTEST_RUN(coap_rule_strings);
    OTEST_RUN(coap_parse_options_relative);
    OTEST_RUN(coap_option_boundaries);
    OTEST_RUN(coap_option_length_above_65535);
    OTEST_RUN(coap_add_option_stable);
    OTEST_RUN(coap_uint);
    OTEST_RUN(coap_write_options_refuses);
    OTEST_RUN(coap_write_every_truncation);
    OTEST_RUN(coap_random_roundtrip);
    OTEST_RUN(coap_random_bytes);
    OTEST_RUN(coap_mutated_messages);
    OTEST_RUN(coap_path);
    return otest_finish();
}
