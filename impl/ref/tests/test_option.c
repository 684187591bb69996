/* test_option.c — unit tests of the OSCORE option value (RFC 8613 §6.1, §2), Partial IV encoding
 * (§5) and option classes (§4.1, Figure 5). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oscar/coap.h"
#include "oscar/oscore.h"
#include "otest.h"

#define VALUE_MAX 512
#define RANDOM_VALUES_PER_FLAGS 64
#define RANDOM_VALUE_LEN_MAX 40

static const char *rule_name(enum oscar_oscore_option_rule r)
{
    return oscar_oscore_option_rule_str(r);
}

/* decode_exact decodes from an exactly-sized heap copy so ASan sees any over-read. */
static enum oscar_oscore_option_rule decode_exact(struct oscar_oscore_option *out, uint8_t **copy,
                                                  const uint8_t *value, size_t len,
                                                  bool allow_group)
{
    *copy = malloc(len ? len : 1);
    if (*copy == NULL) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    memcpy(*copy, value, len);
    return oscar_oscore_option_decode(out, *copy, len, allow_group);
}

/* ---- RFC 8613 §6.3 compression examples ---- */

struct example {
    const char *name;
    bool has_kid;
    const char *kid;
    const char *piv;
    bool has_kid_context;
    const char *kid_context;
    const char *value;
};

static const struct example EXAMPLES[] = {
    {"6.3 example 1 (kid 25, PIV 05)", true, "25", "05", false, "", "090525"},
    {"6.3 example 2 (kid empty, PIV 00)", true, "", "00", false, "", "0900"},
    {"6.3 example 3 (kid empty, PIV 05, kid context)", true, "", "05", true, "44616c656b",
     "19050544616c656b"},
    {"6.3 example 4 (response without PIV)", false, "", "", false, "", ""},
    {"6.3 example 5 (response with PIV 07)", false, "", "07", false, "", "0107"},
};

static void option_rfc_examples(void)
{
    for (size_t i = 0; i < sizeof(EXAMPLES) / sizeof(EXAMPLES[0]); i++) {
        const struct example *e = &EXAMPLES[i];
        uint8_t kid[16];
        uint8_t piv[8];
        uint8_t ctx[16];
        uint8_t want[32];
        struct oscar_oscore_option opt = {0};
        opt.has_kid = e->has_kid;
        opt.kid = kid;
        opt.kid_len = otest_unhex(kid, sizeof(kid), e->kid);
        opt.piv = piv;
        opt.piv_len = otest_unhex(piv, sizeof(piv), e->piv);
        opt.has_kid_context = e->has_kid_context;
        opt.kid_context = ctx;
        opt.kid_context_len = otest_unhex(ctx, sizeof(ctx), e->kid_context);
        size_t want_len = otest_unhex(want, sizeof(want), e->value);

        uint8_t got[32];
        size_t got_len = 99;
        OTEST_OK(oscar_oscore_option_encode(got, sizeof(got), &got_len, &opt));
        if (got_len != want_len || memcmp(got, want, want_len) != 0) {
            fprintf(stderr, "  %s\n", e->name);
        }
        OTEST_EQ_BYTES(want, want_len, got, got_len);

        struct oscar_oscore_option dec;
        uint8_t *copy;
        enum oscar_oscore_option_rule r = decode_exact(&dec, &copy, want, want_len, false);
        OTEST_EQ_INT(OSCAR_OSCORE_OPTION_OK, r);
        OTEST_EQ_INT(want_len ? want[0] : 0, dec.flags);
        OTEST_EQ_BYTES(piv, opt.piv_len, dec.piv, dec.piv_len);
        OTEST_EQ_INT(e->has_kid, dec.has_kid);
        OTEST_EQ_BYTES(kid, e->has_kid ? opt.kid_len : 0, dec.kid, dec.kid_len);
        OTEST_EQ_INT(e->has_kid_context, dec.has_kid_context);
        OTEST_EQ_BYTES(ctx, e->has_kid_context ? opt.kid_context_len : 0, dec.kid_context,
                       dec.kid_context_len);
        free(copy);
    }
}

/* ---- named malformations ---- */

struct decode_case {
    const char *value;
    bool allow_group;
    enum oscar_oscore_option_rule rule;
    const char *what;
};

static const struct decode_case DECODE_CASES[] = {
    {"", false, OSCAR_OSCORE_OPTION_OK, "empty value"},
    {"00", false, OSCAR_OSCORE_OPTION_ZERO_FLAGS_NOT_EMPTY, "single zero flags byte (§2)"},
    {"00 00", false, OSCAR_OSCORE_OPTION_ZERO_FLAGS_NOT_EMPTY, "zero flags and a byte"},
    {"20", false, OSCAR_OSCORE_OPTION_RESERVED_FLAGS, "group flag in RFC 8613"},
    {"20", true, OSCAR_OSCORE_OPTION_OK, "group flag allowed"},
    {"29 05 25", true, OSCAR_OSCORE_OPTION_OK, "group flag, PIV, kid"},
    {"40", false, OSCAR_OSCORE_OPTION_RESERVED_FLAGS, "bit 0x40"},
    {"40", true, OSCAR_OSCORE_OPTION_RESERVED_FLAGS, "bit 0x40 with group allowed"},
    {"80", true, OSCAR_OSCORE_OPTION_RESERVED_FLAGS, "bit 0x80 with group allowed"},
    {"89 05 25", false, OSCAR_OSCORE_OPTION_RESERVED_FLAGS, "bit 0x80 on a valid value"},
    {"06 010203040506", false, OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED, "n = 6"},
    {"07 01020304050607", false, OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED, "n = 7"},
    {"0f 01020304050607 25", false, OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED, "n = 7 with kid"},
    {"05 0102030405", false, OSCAR_OSCORE_OPTION_OK, "n = 5"},
    {"01", false, OSCAR_OSCORE_OPTION_TRUNCATED, "PIV missing"},
    {"05 01020304", false, OSCAR_OSCORE_OPTION_TRUNCATED, "PIV 1 byte short"},
    {"10", false, OSCAR_OSCORE_OPTION_TRUNCATED, "kid context length missing"},
    {"11 05", false, OSCAR_OSCORE_OPTION_TRUNCATED, "PIV, kid context length missing"},
    {"10 02 aa", false, OSCAR_OSCORE_OPTION_TRUNCATED, "kid context 1 byte short"},
    {"18 05 0102030405 aa", false, OSCAR_OSCORE_OPTION_OK, "kid context then kid"},
    {"18 ff", false, OSCAR_OSCORE_OPTION_TRUNCATED, "kid context 255 bytes, none present"},
    {"10 00", false, OSCAR_OSCORE_OPTION_OK, "empty kid context"},
    {"10 00 aa", false, OSCAR_OSCORE_OPTION_TRAILING_BYTES, "byte after kid context, no kid"},
    {"01 05 aa", false, OSCAR_OSCORE_OPTION_TRAILING_BYTES, "byte after PIV, no kid"},
    {"08", false, OSCAR_OSCORE_OPTION_OK, "empty kid, no PIV"},
    {"08 0102030405060708", false, OSCAR_OSCORE_OPTION_OK,
     "8-byte kid: the decoder checks the value, not the ID limit of §5.2"},
    {"02 0005", false, OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL, "PIV 0005 (§5)"},
    {"05 0000000001", false, OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL, "PIV 0000000001"},
    {"0a 0001 25", false, OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL, "PIV 0001 with kid"},
    {"01 00", false, OSCAR_OSCORE_OPTION_OK, "PIV 00 is minimal (sequence number 0)"},
    {"02 0100", false, OSCAR_OSCORE_OPTION_OK, "PIV 0100"},
};

static void option_decode_cases(void)
{
    bool seen[OSCAR_OSCORE_OPTION_RULE__COUNT] = {false};
    for (size_t i = 0; i < sizeof(DECODE_CASES) / sizeof(DECODE_CASES[0]); i++) {
        const struct decode_case *c = &DECODE_CASES[i];
        uint8_t value[64];
        size_t len = otest_unhex(value, sizeof(value), c->value);
        struct oscar_oscore_option dec;
        uint8_t *copy;
        enum oscar_oscore_option_rule r = decode_exact(&dec, &copy, value, len, c->allow_group);
        free(copy);
        if (r != c->rule) {
            fprintf(stderr, "  \"%s\" (%s): got %s\n", c->value, c->what, rule_name(r));
        }
        OTEST_EQ_INT(c->rule, r);
        if ((unsigned)r < OSCAR_OSCORE_OPTION_RULE__COUNT) {
            seen[r] = true;
        }
    }
    /* §2: the option value is 0-255 bytes. */
    static uint8_t big[VALUE_MAX];
    memset(big, 0x25, sizeof(big));
    big[0] = OSCAR_OSCORE_FLAG_KID | 1;
    struct oscar_oscore_option dec;
    uint8_t *copy;
    OTEST_EQ_INT(OSCAR_OSCORE_OPTION_OK, decode_exact(&dec, &copy, big, 255, false));
    OTEST_EQ_INT(253, dec.kid_len);
    free(copy);
    enum oscar_oscore_option_rule r = decode_exact(&dec, &copy, big, 256, false);
    free(copy);
    OTEST_EQ_INT(OSCAR_OSCORE_OPTION_TOO_LONG, r);
    seen[r] = true;
    big[0] = 0; /* too long wins over everything else */
    OTEST_EQ_INT(OSCAR_OSCORE_OPTION_TOO_LONG, decode_exact(&dec, &copy, big, 400, true));
    free(copy);
    for (unsigned q = 0; q < OSCAR_OSCORE_OPTION_RULE__COUNT; q++) {
        if (!seen[q]) {
            fprintf(stderr, "  rule %u (%s) never produced\n", q,
                    rule_name((enum oscar_oscore_option_rule)q));
        }
        OTEST_CHECK(seen[q]);
        const char *s = rule_name((enum oscar_oscore_option_rule)q);
        OTEST_CHECK(s != NULL && s[0] != '\0' && strcmp(s, "unknown rule") != 0);
    }
    OTEST_CHECK(strcmp(rule_name(OSCAR_OSCORE_OPTION_RULE__COUNT), "unknown rule") == 0);
}

/* ---- every flags byte ---- */

/* struct model is what §6.1 says a value decodes to, computed independently of option.c. */
struct model {
    enum oscar_oscore_option_rule rule;
    size_t piv_off, piv_len;
    size_t ctx_off, ctx_len;
    size_t kid_off, kid_len;
};

static struct model model_decode(const uint8_t *v, size_t len, bool allow_group)
{
    struct model m = {0};
    if (len > OSCAR_OSCORE_OPTION_MAX) {
        m.rule = OSCAR_OSCORE_OPTION_TOO_LONG;
        return m;
    }
    if (len == 0) {
        return m;
    }
    uint8_t f = v[0];
    bool reserved = (f & 0x80) || (f & 0x40) || ((f & 0x20) && !allow_group);
    if (reserved) {
        m.rule = OSCAR_OSCORE_OPTION_RESERVED_FLAGS;
        return m;
    }
    if (f == 0) {
        m.rule = OSCAR_OSCORE_OPTION_ZERO_FLAGS_NOT_EMPTY;
        return m;
    }
    size_t n = f & 0x07;
    if (n == 6 || n == 7) {
        m.rule = OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED;
        return m;
    }
    size_t rest = len - 1;
    if (n > rest) {
        m.rule = OSCAR_OSCORE_OPTION_TRUNCATED;
        return m;
    }
    m.piv_off = 1;
    m.piv_len = n;
    rest -= n;
    size_t pos = 1 + n;
    if (f & 0x10) {
        if (rest == 0) {
            m.rule = OSCAR_OSCORE_OPTION_TRUNCATED;
            return m;
        }
        size_t s = v[pos];
        if (s > rest - 1) {
            m.rule = OSCAR_OSCORE_OPTION_TRUNCATED;
            return m;
        }
        m.ctx_off = pos + 1;
        m.ctx_len = s;
        pos += 1 + s;
        rest -= 1 + s;
    }
    if (f & 0x08) {
        m.kid_off = pos;
        m.kid_len = rest;
        rest = 0;
    }
    if (rest != 0) {
        m.rule = OSCAR_OSCORE_OPTION_TRAILING_BYTES;
        return m;
    }
    if (n > 1 && v[1] == 0) {
        m.rule = OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL;
        return m;
    }
    return m;
}

/* check_against_model decodes value both ways and compares rule and, when OK, every field. */
static void check_against_model(const uint8_t *value, size_t len, bool allow_group)
{
    struct model m = model_decode(value, len, allow_group);
    struct oscar_oscore_option dec;
    uint8_t *copy;
    enum oscar_oscore_option_rule r = decode_exact(&dec, &copy, value, len, allow_group);
    if (r != m.rule) {
        fprintf(stderr, "  allow_group %d: expected %s, got %s\n", allow_group, rule_name(m.rule),
                rule_name(r));
        otest_hex("value", value, len);
    }
    OTEST_EQ_INT(m.rule, r);
    if (r == OSCAR_OSCORE_OPTION_OK && m.rule == OSCAR_OSCORE_OPTION_OK && len > 0) {
        OTEST_EQ_INT(value[0], dec.flags);
        OTEST_EQ_INT(m.piv_len, dec.piv_len);
        OTEST_CHECK(m.piv_len == 0 || dec.piv == copy + m.piv_off);
        OTEST_EQ_INT((value[0] & 0x10) != 0, dec.has_kid_context);
        OTEST_EQ_INT(m.ctx_len, dec.kid_context_len);
        OTEST_CHECK(!dec.has_kid_context || dec.kid_context == copy + m.ctx_off);
        OTEST_EQ_INT((value[0] & 0x08) != 0, dec.has_kid);
        OTEST_EQ_INT(m.kid_len, dec.kid_len);
        OTEST_CHECK(!dec.has_kid || dec.kid == copy + m.kid_off);
    }
    free(copy);
}

static void option_every_flags_byte(void)
{
    /* Fixed trailing patterns: nonzero bytes, a leading zero (PIV_NOT_MINIMAL or an empty kid
     * context), and small bytes that make kid context lengths fit. */
    static const uint8_t fills[] = {0x01, 0x00, 0x02, 0xff};
    uint8_t value[VALUE_MAX];
    unsigned counts[OSCAR_OSCORE_OPTION_RULE__COUNT] = {0};
    for (unsigned flags = 0; flags <= 0xff; flags++) {
        for (int g = 0; g < 2; g++) {
            bool allow_group = g != 0;
            for (size_t trail = 0; trail <= 12; trail++) {
                for (size_t fi = 0; fi < sizeof(fills); fi++) {
                    value[0] = (uint8_t)flags;
                    memset(value + 1, fills[fi] == 0x00 ? 0x01 : fills[fi], trail);
                    if (trail > 0) {
                        value[1] = fills[fi];
                    }
                    check_against_model(value, 1 + trail, allow_group);
                    counts[model_decode(value, 1 + trail, allow_group).rule]++;
                }
            }
            /* Length 255 is the longest allowed value; 256 is too long. */
            memset(value + 1, 0x01, 255);
            value[0] = (uint8_t)flags;
            check_against_model(value, 255, allow_group);
            check_against_model(value, 256, allow_group);
            counts[OSCAR_OSCORE_OPTION_TOO_LONG]++;
            /* Random contents and lengths. */
            for (unsigned k = 0; k < RANDOM_VALUES_PER_FLAGS; k++) {
                size_t len = 1 + (size_t)(otest_rand() % RANDOM_VALUE_LEN_MAX);
                value[0] = (uint8_t)flags;
                for (size_t i = 1; i < len; i++) {
                    uint64_t x = otest_rand();
                    value[i] = (uint8_t)((x & 0x300) ? (x & 0x0f) : x);
                }
                check_against_model(value, len, allow_group);
            }
            if (otest.case_failed) {
                fprintf(stderr, "  (stopped at flags 0x%02x)\n", flags);
                return;
            }
        }
    }
    /* The table above must reach every rule, or it is not testing what it claims. */
    for (unsigned q = 0; q < OSCAR_OSCORE_OPTION_RULE__COUNT; q++) {
        OTEST_CHECK(counts[q] > 0);
    }
}

/* ---- encode/decode round trip ---- */

static void option_roundtrip(void)
{
    uint8_t piv[OSCAR_OSCORE_PIV_MAX] = {0x7a, 0x00, 0x01, 0x02, 0x03};
    uint8_t kid[OSCAR_OSCORE_ID_MAX] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    uint8_t ctx[256];
    for (size_t i = 0; i < sizeof(ctx); i++) {
        ctx[i] = (uint8_t)(i * 7 + 1);
    }
    uint8_t out[VALUE_MAX];
    size_t tried = 0;
    for (size_t piv_len = 0; piv_len <= OSCAR_OSCORE_PIV_MAX; piv_len++) {
        for (size_t kid_len = 0; kid_len <= OSCAR_OSCORE_ID_MAX + 1; kid_len++) {
            /* kid_len == ID_MAX + 1 stands for "no kid". */
            bool has_kid = kid_len <= OSCAR_OSCORE_ID_MAX;
            for (size_t ctx_len = 0; ctx_len <= 256; ctx_len++) {
                /* ctx_len == 256 stands for "no kid context". */
                bool has_ctx = ctx_len <= 255;
                struct oscar_oscore_option opt = {0};
                opt.piv = piv;
                opt.piv_len = piv_len;
                opt.has_kid = has_kid;
                opt.kid = kid;
                opt.kid_len = has_kid ? kid_len : 0;
                opt.has_kid_context = has_ctx;
                opt.kid_context = ctx;
                opt.kid_context_len = has_ctx ? ctx_len : 0;
                size_t need = 1 + piv_len + (has_ctx ? 1 + ctx_len : 0) + opt.kid_len;
                size_t got = 0;
                enum oscar_err err = oscar_oscore_option_encode(out, sizeof(out), &got, &opt);
                tried++;
                if (need > OSCAR_OSCORE_OPTION_MAX) {
                    OTEST_ERR(OSCAR_ERR_INVALID_ARG, err);
                    continue;
                }
                OTEST_OK(err);
                if (err != OSCAR_OK) {
                    continue;
                }
                bool empty = piv_len == 0 && !has_kid && !has_ctx;
                OTEST_EQ_INT(empty ? 0 : need, got);
                struct oscar_oscore_option dec;
                uint8_t *copy;
                enum oscar_oscore_option_rule r = decode_exact(&dec, &copy, out, got, false);
                OTEST_EQ_INT(OSCAR_OSCORE_OPTION_OK, r);
                OTEST_EQ_BYTES(piv, piv_len, dec.piv, dec.piv_len);
                OTEST_EQ_INT(has_kid, dec.has_kid);
                OTEST_EQ_BYTES(kid, opt.kid_len, dec.kid, dec.kid_len);
                OTEST_EQ_INT(has_ctx, dec.has_kid_context);
                OTEST_EQ_BYTES(ctx, opt.kid_context_len, dec.kid_context, dec.kid_context_len);
                free(copy);
                if (otest.case_failed) {
                    fprintf(stderr, "  piv_len %zu kid_len %zu (has %d) ctx_len %zu (has %d)\n",
                            piv_len, opt.kid_len, has_kid, opt.kid_context_len, has_ctx);
                    return;
                }
            }
        }
    }
    OTEST_CHECK(tried > 0);
}

static void option_encode_capacity(void)
{
    uint8_t ctx[5] = {0x44, 0x61, 0x6c, 0x65, 0x6b};
    uint8_t piv[1] = {0x05};
    struct oscar_oscore_option opt = {0};
    opt.piv = piv;
    opt.piv_len = 1;
    opt.has_kid = true;
    opt.kid = (const uint8_t *)"\x01\x02";
    opt.kid_len = 2;
    opt.has_kid_context = true;
    opt.kid_context = ctx;
    opt.kid_context_len = sizeof(ctx);
    const size_t need = 1 + 1 + 1 + 5 + 2;
    for (size_t cap = 0; cap < need; cap++) {
        uint8_t *exact = malloc(cap ? cap : 1);
        OTEST_CHECK(exact != NULL);
        if (exact == NULL) {
            return;
        }
        size_t got = 0;
        OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL, oscar_oscore_option_encode(exact, cap, &got, &opt));
        OTEST_EQ_INT(need, got); /* writers report the needed size (STYLE.md rule 17) */
        free(exact);
    }
    uint8_t out[16];
    size_t got = 0;
    OTEST_OK(oscar_oscore_option_encode(out, need, &got, &opt));
    OTEST_EQ_BYTES("\x19\x05\x05\x44\x61\x6c\x65\x6b\x01\x02", need, out, got);

    /* Caller errors: PIV length beyond the 3-bit field, kid context beyond its 1-byte length,
     * and a value beyond 255 bytes. */
    opt.piv_len = 8;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_option_encode(out, sizeof(out), &got, &opt));
    opt.piv_len = 1;
    opt.kid_context_len = 256;
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_oscore_option_encode(out, sizeof(out), &got, &opt));

    /* Fault injection: reserved flag bits pass through encode and are refused by decode. */
    struct oscar_oscore_option bad = {0};
    bad.flags = 0x80;
    OTEST_OK(oscar_oscore_option_encode(out, sizeof(out), &got, &bad));
    OTEST_EQ_BYTES("\x80", 1, out, got);
    struct oscar_oscore_option dec;
    OTEST_EQ_INT(OSCAR_OSCORE_OPTION_RESERVED_FLAGS,
                 oscar_oscore_option_decode(&dec, out, got, false));
    /* The n/k/h bits of opt->flags are ignored: they come from the fields. */
    bad.flags = OSCAR_OSCORE_FLAG_KID | OSCAR_OSCORE_FLAG_KID_CONTEXT | 0x05;
    OTEST_OK(oscar_oscore_option_encode(out, sizeof(out), &got, &bad));
    OTEST_EQ_INT(0, got);
}

/* ---- Partial IV (§5) ---- */

static void piv_encode_minimal(void)
{
    static const struct {
        uint64_t seq;
        const char *hex;
    } cases[] = {
        {0, "00"},
        {1, "01"},
        {255, "ff"},
        {256, "0100"},
        {65535, "ffff"},
        {65536, "010000"},
        {UINT64_C(0xffffff), "ffffff"},
        {UINT64_C(0x1000000), "01000000"},
        {UINT64_C(0xffffffff), "ffffffff"},
        {UINT64_C(0x100000000), "0100000000"},
        {OSCAR_OSCORE_SEQ_LIMIT - 1, "ffffffffff"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t want[OSCAR_OSCORE_PIV_MAX];
        size_t want_len = otest_unhex(want, sizeof(want), cases[i].hex);
        uint8_t got[OSCAR_OSCORE_PIV_MAX] = {0};
        size_t got_len = oscar_oscore_piv_encode(got, cases[i].seq);
        OTEST_EQ_BYTES(want, want_len, got, got_len);
        OTEST_EQ_INT(cases[i].seq, oscar_oscore_piv_decode(got, got_len));
        /* The encoding is accepted by the option decoder as minimal. */
        uint8_t value[1 + OSCAR_OSCORE_PIV_MAX];
        value[0] = (uint8_t)got_len;
        memcpy(value + 1, got, got_len);
        struct oscar_oscore_option dec;
        OTEST_EQ_INT(OSCAR_OSCORE_OPTION_OK,
                     oscar_oscore_option_decode(&dec, value, 1 + got_len, false));
    }
    /* Decoding does not care about minimality (the option decoder does). */
    OTEST_EQ_INT(5, oscar_oscore_piv_decode((const uint8_t *)"\x00\x05", 2));
    OTEST_EQ_INT(0, oscar_oscore_piv_decode((const uint8_t *)"", 0));
    /* Every power-of-two boundary below 2^40 round-trips with the minimal length. */
    for (unsigned bit = 0; bit < 40; bit++) {
        uint64_t seqs[3] = {(UINT64_C(1) << bit) - 1, UINT64_C(1) << bit, (UINT64_C(1) << bit) + 1};
        for (size_t k = 0; k < 3; k++) {
            uint8_t got[OSCAR_OSCORE_PIV_MAX];
            size_t got_len = oscar_oscore_piv_encode(got, seqs[k]);
            size_t want_len = 1;
            while (want_len < OSCAR_OSCORE_PIV_MAX && (seqs[k] >> (8 * want_len)) != 0) {
                want_len++;
            }
            OTEST_EQ_INT(want_len, got_len);
            OTEST_CHECK(got_len == 1 || got[0] != 0);
            OTEST_EQ_INT(seqs[k], oscar_oscore_piv_decode(got, got_len));
        }
    }
}

/* ---- option classes (§4.1, Figure 5) ---- */

static void option_class_figure5(void)
{
    static const struct {
        uint16_t number;
        const char *name;
        enum oscar_option_class cls;
    } cases[] = {
        {OSCAR_COAP_OPT_IF_MATCH, "If-Match", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_URI_HOST, "Uri-Host", OSCAR_OPTION_CLASS_U},
        {OSCAR_COAP_OPT_ETAG, "ETag", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_IF_NONE_MATCH, "If-None-Match", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_OBSERVE, "Observe", OSCAR_OPTION_CLASS_EU},
        {OSCAR_COAP_OPT_URI_PORT, "Uri-Port", OSCAR_OPTION_CLASS_U},
        {OSCAR_COAP_OPT_LOCATION_PATH, "Location-Path", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_OSCORE, "OSCORE", OSCAR_OPTION_CLASS_U},
        {OSCAR_COAP_OPT_URI_PATH, "Uri-Path", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_CONTENT_FORMAT, "Content-Format", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_MAX_AGE, "Max-Age", OSCAR_OPTION_CLASS_EU},
        {OSCAR_COAP_OPT_URI_QUERY, "Uri-Query", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_ACCEPT, "Accept", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_LOCATION_QUERY, "Location-Query", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_BLOCK2, "Block2", OSCAR_OPTION_CLASS_EU},
        {OSCAR_COAP_OPT_BLOCK1, "Block1", OSCAR_OPTION_CLASS_EU},
        {OSCAR_COAP_OPT_SIZE2, "Size2", OSCAR_OPTION_CLASS_EU},
        {OSCAR_COAP_OPT_PROXY_URI, "Proxy-Uri", OSCAR_OPTION_CLASS_U},
        {OSCAR_COAP_OPT_PROXY_SCHEME, "Proxy-Scheme", OSCAR_OPTION_CLASS_U},
        {OSCAR_COAP_OPT_SIZE1, "Size1", OSCAR_OPTION_CLASS_EU},
        {OSCAR_COAP_OPT_NO_RESPONSE, "No-Response", OSCAR_OPTION_CLASS_EU},
        /* Outside Figure 5. */
        {OSCAR_COAP_OPT_ECHO, "Echo (RFC 9175 §2.3)", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_REQUEST_TAG, "Request-Tag (RFC 9175 §3.3)", OSCAR_OPTION_CLASS_E},
        {OSCAR_COAP_OPT_HOP_LIMIT, "Hop-Limit (RFC 8768 §4)", OSCAR_OPTION_CLASS_U},
        {2, "unknown 2", OSCAR_OPTION_CLASS_E},
        {0, "reserved 0", OSCAR_OPTION_CLASS_E},
        {65000, "unknown 65000 (§4.1: unknown options are E)", OSCAR_OPTION_CLASS_E},
        {65535, "unknown 65535", OSCAR_OPTION_CLASS_E},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum oscar_option_class got = oscar_oscore_option_class(cases[i].number);
        if (got != cases[i].cls) {
            fprintf(stderr, "  %s (%u)\n", cases[i].name, (unsigned)cases[i].number);
        }
        OTEST_EQ_INT(cases[i].cls, got);
    }
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(option_rfc_examples);
    OTEST_RUN(option_decode_cases);
    OTEST_RUN(option_every_flags_byte);
    OTEST_RUN(option_roundtrip);
    OTEST_RUN(option_encode_capacity);
    OTEST_RUN(piv_encode_minimal);
    OTEST_RUN(option_class_figure5);
    return otest_finish();
}
