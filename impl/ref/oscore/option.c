/* oscore/option.c — option classes (RFC 8613 §4.1), the OSCORE option value (§6.1) and Partial
 * IV encoding (§5). */
#include "oscar/oscore.h"

#include <string.h>

enum oscar_option_class oscar_oscore_option_class(uint16_t number)
{
    switch (number) {
    /* §4.1, Figure 5: Class U only. */
    case OSCAR_COAP_OPT_URI_HOST:
    case OSCAR_COAP_OPT_URI_PORT:
    case OSCAR_COAP_OPT_OSCORE:
    case OSCAR_COAP_OPT_PROXY_URI:
    case OSCAR_COAP_OPT_PROXY_SCHEME:
    case OSCAR_COAP_OPT_HOP_LIMIT: /* RFC 8768 §4: Hop-Limit is Class U */
        return OSCAR_OPTION_CLASS_U;
    /* §4.1, Figure 5: options with an Inner and an Outer instance. */
    case OSCAR_COAP_OPT_OBSERVE:
    case OSCAR_COAP_OPT_MAX_AGE:
    case OSCAR_COAP_OPT_BLOCK2:
    case OSCAR_COAP_OPT_BLOCK1:
    case OSCAR_COAP_OPT_SIZE2:
    case OSCAR_COAP_OPT_SIZE1:
    case OSCAR_COAP_OPT_NO_RESPONSE:
        return OSCAR_OPTION_CLASS_EU;
    default:
        /* §4.1: options not listed, and unknown ones, are Class E (Echo and Request-Tag too,
         * RFC 9175 §2.3 and §3.3). */
        return OSCAR_OPTION_CLASS_E;
    }
}

static const char *const rule_names[OSCAR_OSCORE_OPTION_RULE__COUNT] = {
    [OSCAR_OSCORE_OPTION_OK] = "well-formed",
    [OSCAR_OSCORE_OPTION_RESERVED_FLAGS] = "reserved flag bits set (RFC 8613 section 6.1)",
    [OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED] =
        "Partial IV length 6 or 7 is reserved (RFC 8613 section 6.1)",
    [OSCAR_OSCORE_OPTION_TRUNCATED] =
        "Partial IV or kid context runs past the end of the option (RFC 8613 section 6.1)",
    [OSCAR_OSCORE_OPTION_TRAILING_BYTES] =
        "bytes after the last field with the kid flag clear (RFC 8613 section 6.1)",
    [OSCAR_OSCORE_OPTION_ZERO_FLAGS_NOT_EMPTY] =
        "all flag bits zero but the option is not empty (RFC 8613 section 2)",
    [OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL] =
        "Partial IV has a leading zero byte (RFC 8613 section 5)",
    [OSCAR_OSCORE_OPTION_TOO_LONG] = "OSCORE option longer than 255 bytes (RFC 8613 section 2)",
};

const char *oscar_oscore_option_rule_str(enum oscar_oscore_option_rule rule)
{
    if ((unsigned)rule >= OSCAR_OSCORE_OPTION_RULE__COUNT) {
        return "unknown rule";
    }
    return rule_names[rule];
}

enum oscar_oscore_option_rule oscar_oscore_option_decode(struct oscar_oscore_option *out,
                                                         const uint8_t *value, size_t len,
                                                         bool allow_group)
{
    memset(out, 0, sizeof(*out));
    if (len > OSCAR_OSCORE_OPTION_MAX) {
        return OSCAR_OSCORE_OPTION_TOO_LONG;
    }
    if (len == 0) {
        return OSCAR_OSCORE_OPTION_OK;
    }
    uint8_t flags = value[0];
    out->flags = flags;
    uint8_t reserved = OSCAR_OSCORE_FLAG_RESERVED;
    if (allow_group) {
        reserved &= (uint8_t)~OSCAR_OSCORE_FLAG_GROUP;
    }
    if (flags & reserved) {
        return OSCAR_OSCORE_OPTION_RESERVED_FLAGS;
    }
    if (flags == 0) {
        return OSCAR_OSCORE_OPTION_ZERO_FLAGS_NOT_EMPTY;
    }
    size_t n = flags & OSCAR_OSCORE_FLAG_PIV_LEN_MASK;
    if (n >= OSCAR_OSCORE_PIV_LEN_RESERVED_MIN) {
        return OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED;
    }
    size_t pos = 1;
    if (n > len - pos) {
        return OSCAR_OSCORE_OPTION_TRUNCATED;
    }
    if (n > 0) {
        out->piv = value + pos;
        out->piv_len = n;
        pos += n;
    }
    if (flags & OSCAR_OSCORE_FLAG_KID_CONTEXT) {
        if (pos >= len) {
            return OSCAR_OSCORE_OPTION_TRUNCATED;
        }
        size_t s = value[pos++];
        if (s > len - pos) {
            return OSCAR_OSCORE_OPTION_TRUNCATED;
        }
        out->has_kid_context = true;
        out->kid_context = value + pos;
        out->kid_context_len = s;
        pos += s;
    }
    if (flags & OSCAR_OSCORE_FLAG_KID) {
        out->has_kid = true;
        out->kid = value + pos;
        out->kid_len = len - pos;
        pos = len;
    }
    if (pos != len) {
        return OSCAR_OSCORE_OPTION_TRAILING_BYTES;
    }
    if (n > 1 && out->piv[0] == 0) {
        return OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL;
    }
    return OSCAR_OSCORE_OPTION_OK;
}

enum oscar_err oscar_oscore_option_encode(uint8_t *out, size_t out_cap, size_t *out_len,
                                          const struct oscar_oscore_option *opt)
{
    if (opt->piv_len > OSCAR_OSCORE_FLAG_PIV_LEN_MASK || opt->kid_context_len > UINT8_MAX) {
        return OSCAR_ERR_INVALID_ARG;
    }
    uint8_t flags =
        (uint8_t)(opt->flags & ~(OSCAR_OSCORE_FLAG_PIV_LEN_MASK | OSCAR_OSCORE_FLAG_KID |
                                 OSCAR_OSCORE_FLAG_KID_CONTEXT));
    flags |= (uint8_t)opt->piv_len;
    if (opt->has_kid) {
        flags |= OSCAR_OSCORE_FLAG_KID;
    }
    if (opt->has_kid_context) {
        flags |= OSCAR_OSCORE_FLAG_KID_CONTEXT;
    }
    if (flags == 0) {
        *out_len = 0; /* §2: all flags zero => empty option value */
        return OSCAR_OK;
    }
    size_t need = 1 + opt->piv_len + (opt->has_kid_context ? 1 + opt->kid_context_len : 0) +
                  (opt->has_kid ? opt->kid_len : 0);
    if (need > OSCAR_OSCORE_OPTION_MAX) {
        return OSCAR_ERR_INVALID_ARG;
    }
    if (need > out_cap) {
        *out_len = need;
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    size_t pos = 0;
    out[pos++] = flags;
    if (opt->piv_len) {
        memcpy(out + pos, opt->piv, opt->piv_len);
        pos += opt->piv_len;
    }
    if (opt->has_kid_context) {
        out[pos++] = (uint8_t)opt->kid_context_len;
        if (opt->kid_context_len) {
            memcpy(out + pos, opt->kid_context, opt->kid_context_len);
        }
        pos += opt->kid_context_len;
    }
    if (opt->has_kid && opt->kid_len) {
        memcpy(out + pos, opt->kid, opt->kid_len);
        pos += opt->kid_len;
    }
    *out_len = pos;
    return OSCAR_OK;
}

size_t oscar_oscore_piv_encode(uint8_t out[OSCAR_OSCORE_PIV_MAX], uint64_t seq)
{
    size_t n = 1;
    while (n < OSCAR_OSCORE_PIV_MAX && (seq >> (8 * n)) != 0) {
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(seq >> (8 * (n - 1 - i)));
    }
    return n;
}

uint64_t oscar_oscore_piv_decode(const uint8_t *piv, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < OSCAR_OSCORE_PIV_MAX; i++) {
        v = v << 8 | piv[i];
    }
    return v;
}

static const struct {
    uint32_t bit;
    const char *name;
} fault_names[] = {
    {OSCAR_FAULT_REUSE_PIV, "reuse-piv"},
    {OSCAR_FAULT_ACCEPT_REPLAY, "accept-replay"},
    {OSCAR_FAULT_WRONG_OUTER_CODE, "wrong-outer-code"},
    {OSCAR_FAULT_CLASS_E_OUTER, "class-e-outer"},
    {OSCAR_FAULT_WRONG_RESPONSE_NONCE, "wrong-response-nonce"},
    {OSCAR_FAULT_NO_KID, "no-kid"},
    {OSCAR_FAULT_SKIP_TAG_CHECK, "skip-tag-check"},
    {OSCAR_FAULT_RESERVED_FLAGS, "reserved-flags"},
    {OSCAR_FAULT_NONMINIMAL_PIV, "nonminimal-piv"},
    {OSCAR_FAULT_WRONG_EXTERNAL_AAD, "wrong-external-aad"},
};

const char *oscar_oscore_fault_name(uint32_t fault)
{
    for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++) {
        if (fault_names[i].bit == fault) {
            return fault_names[i].name;
        }
    }
    return NULL;
}

uint32_t oscar_oscore_fault_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++) {
        if (strcmp(fault_names[i].name, name) == 0) {
            return fault_names[i].bit;
        }
    }
    return 0;
}
