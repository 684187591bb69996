/* coap/coap.c — strict CoAP-over-UDP decoder and exact encoder (RFC 7252 §3); see oscar/coap.h
 * for why this is hand-written. */
#include "oscar/coap.h"

#include <string.h>

/* RFC 7252 §3.1 option header nibbles. */
#define NIBBLE_EXT8 13
#define NIBBLE_EXT16 14
#define NIBBLE_RESERVED 15
#define EXT8_BASE 13
#define EXT16_BASE 269

static const char *const rule_names[OSCAR_COAP_RULE__COUNT] = {
    [OSCAR_COAP_WELL_FORMED] = "well-formed",
    [OSCAR_COAP_RULE_SHORT_HEADER] = "shorter than the 4-byte header (RFC 7252 section 3)",
    [OSCAR_COAP_RULE_VERSION] = "version is not 1 (RFC 7252 section 3)",
    [OSCAR_COAP_RULE_TKL_RESERVED] = "token length 9-15 is reserved (RFC 7252 section 3)",
    [OSCAR_COAP_RULE_SHORT_TOKEN] = "message ends inside the token (RFC 7252 section 3)",
    [OSCAR_COAP_RULE_OPT_DELTA_RESERVED] =
        "option delta nibble 15 is reserved (RFC 7252 section 3.1)",
    [OSCAR_COAP_RULE_OPT_LENGTH_RESERVED] =
        "option length nibble 15 is reserved (RFC 7252 section 3.1)",
    [OSCAR_COAP_RULE_OPT_TRUNCATED] = "option runs past the end (RFC 7252 section 3.1)",
    [OSCAR_COAP_RULE_OPT_NUMBER_RANGE] = "option number above 65535 (RFC 7252 section 3.1)",
    [OSCAR_COAP_RULE_EMPTY_PAYLOAD_MARKER] =
        "payload marker followed by a zero-length payload (RFC 7252 section 3)",
    [OSCAR_COAP_RULE_EMPTY_NOT_EMPTY] =
        "code 0.00 with a token, options or payload (RFC 7252 section 4.1)",
    [OSCAR_COAP_RULE_TOO_MANY_OPTIONS] = "more options than Oscar's limit of 64",
    [OSCAR_COAP_RULE_OPT_TOO_LONG] = "option value longer than 65535 bytes (RFC 7252 section 3.1)",
};

const char *oscar_coap_rule_str(enum oscar_coap_rule rule)
{
    if ((unsigned)rule >= OSCAR_COAP_RULE__COUNT) {
        return "unknown rule";
    }
    return rule_names[rule];
}

bool oscar_coap_is_request(uint8_t code)
{
    return OSCAR_COAP_CODE_CLASS(code) == 0 && code != OSCAR_COAP_CODE_EMPTY;
}

/* read_ext reads the extended delta or length for nibble at buf[*pos]. */
static enum oscar_coap_rule read_ext(uint32_t *out, unsigned nibble, const uint8_t *buf, size_t len,
                                     size_t *pos)
{
    if (nibble < NIBBLE_EXT8) {
        *out = nibble;
        return OSCAR_COAP_WELL_FORMED;
    }
    if (nibble == NIBBLE_EXT8) {
        if (*pos + 1 > len) {
            return OSCAR_COAP_RULE_OPT_TRUNCATED;
        }
        *out = (uint32_t)buf[*pos] + EXT8_BASE;
        *pos += 1;
        return OSCAR_COAP_WELL_FORMED;
    }
    /* NIBBLE_EXT16; NIBBLE_RESERVED is handled by the caller. */
    if (*pos + 2 > len) {
        return OSCAR_COAP_RULE_OPT_TRUNCATED;
    }
    *out = ((uint32_t)buf[*pos] << 8 | buf[*pos + 1]) + EXT16_BASE;
    *pos += 2;
    return OSCAR_COAP_WELL_FORMED;
}

enum oscar_coap_rule oscar_coap_parse_options(struct oscar_coap_msg *out, size_t *out_offset,
                                              const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    uint32_t number = 0;
    out->num_options = 0;
    out->has_payload = false;
    out->payload = NULL;
    out->payload_len = 0;
    *out_offset = 0;
    while (pos < len) {
        size_t start = pos;
        uint8_t head = buf[pos];
        if (head == OSCAR_COAP_PAYLOAD_MARKER) {
            if (pos + 1 == len) {
                *out_offset = pos;
                return OSCAR_COAP_RULE_EMPTY_PAYLOAD_MARKER;
            }
            out->has_payload = true;
            out->payload = buf + pos + 1;
            out->payload_len = len - pos - 1;
            return OSCAR_COAP_WELL_FORMED;
        }
        unsigned dn = head >> 4;
        unsigned ln = head & 0x0F;
        pos++;
        if (dn == NIBBLE_RESERVED) {
            *out_offset = start;
            return OSCAR_COAP_RULE_OPT_DELTA_RESERVED;
        }
        if (ln == NIBBLE_RESERVED) {
            *out_offset = start;
            return OSCAR_COAP_RULE_OPT_LENGTH_RESERVED;
        }
        uint32_t delta;
        uint32_t olen;
        enum oscar_coap_rule r = read_ext(&delta, dn, buf, len, &pos);
        if (r == OSCAR_COAP_WELL_FORMED) {
            r = read_ext(&olen, ln, buf, len, &pos);
        }
        if (r != OSCAR_COAP_WELL_FORMED) {
            *out_offset = start;
            return r;
        }
        number += delta;
        if (olen > UINT16_MAX) {
            *out_offset = start;
            return OSCAR_COAP_RULE_OPT_TOO_LONG;
        }
        if (number > OSCAR_COAP_OPTION_NUMBER_MAX) {
            *out_offset = start;
            return OSCAR_COAP_RULE_OPT_NUMBER_RANGE;
        }
        if (olen > len - pos) {
            *out_offset = start;
            return OSCAR_COAP_RULE_OPT_TRUNCATED;
        }
        if (out->num_options == OSCAR_COAP_MAX_OPTIONS) {
            *out_offset = start;
            return OSCAR_COAP_RULE_TOO_MANY_OPTIONS;
        }
        struct oscar_coap_option *o = &out->options[out->num_options++];
        o->number = (uint16_t)number;
        o->len = (uint16_t)olen;
        o->value = buf + pos;
        pos += olen;
    }
    return OSCAR_COAP_WELL_FORMED;
}

enum oscar_coap_rule oscar_coap_parse(struct oscar_coap_msg *out, size_t *out_offset,
                                      const uint8_t *buf, size_t len)
{
    /* Only the header is reset here: the option array is filled by parse_options (a full memset
     * of this 1 KiB struct is measurable per message). */
    out->num_options = 0;
    out->has_payload = false;
    out->payload = NULL;
    out->payload_len = 0;
    out->version = out->type = out->token_len = out->code = 0;
    out->mid = 0;
    *out_offset = 0;
    if (len < OSCAR_COAP_HEADER_LEN) {
        *out_offset = len;
        return OSCAR_COAP_RULE_SHORT_HEADER;
    }
    out->version = buf[0] >> 6;
    out->type = (buf[0] >> 4) & 0x03;
    out->token_len = buf[0] & 0x0F;
    out->code = buf[1];
    out->mid = (uint16_t)(buf[2] << 8 | buf[3]);
    if (out->version != OSCAR_COAP_VERSION) {
        return OSCAR_COAP_RULE_VERSION;
    }
    if (out->token_len > OSCAR_COAP_TOKEN_MAX) {
        return OSCAR_COAP_RULE_TKL_RESERVED;
    }
    if (len < OSCAR_COAP_HEADER_LEN + (size_t)out->token_len) {
        *out_offset = len;
        return OSCAR_COAP_RULE_SHORT_TOKEN;
    }
    memcpy(out->token, buf + OSCAR_COAP_HEADER_LEN, out->token_len);
    size_t body = OSCAR_COAP_HEADER_LEN + out->token_len;
    if (out->code == OSCAR_COAP_CODE_EMPTY && (out->token_len != 0 || len != body)) {
        *out_offset = out->token_len != 0 ? 0 : body;
        return OSCAR_COAP_RULE_EMPTY_NOT_EMPTY;
    }
    size_t off;
    enum oscar_coap_rule r = oscar_coap_parse_options(out, &off, buf + body, len - body);
    *out_offset = r == OSCAR_COAP_WELL_FORMED ? 0 : body + off;
    return r;
}

/* ext_len is the number of extended bytes for a delta or length value. */
static size_t ext_len(uint32_t v)
{
    if (v < EXT8_BASE) {
        return 0;
    }
    return v < EXT16_BASE ? 1 : 2;
}

size_t oscar_coap_options_encoded_len(const struct oscar_coap_option *options, size_t num_options,
                                      bool has_payload, size_t payload_len)
{
    size_t n = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < num_options; i++) {
        uint32_t delta = options[i].number - prev;
        n += 1 + ext_len(delta) + ext_len(options[i].len) + options[i].len;
        prev = options[i].number;
    }
    if (has_payload) {
        n += 1 + payload_len;
    }
    return n;
}

size_t oscar_coap_encoded_len(const struct oscar_coap_msg *msg)
{
    return OSCAR_COAP_HEADER_LEN + msg->token_len +
           oscar_coap_options_encoded_len(msg->options, msg->num_options, msg->has_payload,
                                          msg->payload_len);
}

static unsigned nibble_for(uint32_t v)
{
    if (v < EXT8_BASE) {
        return v;
    }
    return v < EXT16_BASE ? NIBBLE_EXT8 : NIBBLE_EXT16;
}

static void write_ext(uint8_t *out, size_t *pos, uint32_t v)
{
    if (v >= EXT16_BASE) {
        uint32_t e = v - EXT16_BASE;
        out[(*pos)++] = (uint8_t)(e >> 8);
        out[(*pos)++] = (uint8_t)e;
    } else if (v >= EXT8_BASE) {
        out[(*pos)++] = (uint8_t)(v - EXT8_BASE);
    }
}

enum oscar_err oscar_coap_write_options(uint8_t *out, size_t out_cap, size_t *pos,
                                        const struct oscar_coap_option *options, size_t num_options,
                                        bool has_payload, const uint8_t *payload,
                                        size_t payload_len)
{
    if (has_payload && payload_len == 0) {
        return OSCAR_ERR_COAP_MALFORMED;
    }
    if (*pos > out_cap) {
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    /* One pass: every option checks order and room before it is written (hot path). */
    size_t p = *pos;
    uint32_t prev = 0;
    for (size_t i = 0; i < num_options; i++) {
        uint32_t number = options[i].number;
        if (number < prev) {
            return OSCAR_ERR_INVALID_ARG;
        }
        uint32_t delta = number - prev;
        uint32_t len = options[i].len;
        if (out_cap - p < 1 + ext_len(delta) + ext_len(len) + len) {
            return OSCAR_ERR_BUFFER_TOO_SMALL;
        }
        out[p++] = (uint8_t)(nibble_for(delta) << 4 | nibble_for(len));
        write_ext(out, &p, delta);
        write_ext(out, &p, len);
        if (len != 0) {
            memcpy(out + p, options[i].value, len);
        }
        p += len;
        prev = number;
    }
    if (has_payload) {
        if (out_cap - p < 1 + payload_len) {
            return OSCAR_ERR_BUFFER_TOO_SMALL;
        }
        out[p++] = OSCAR_COAP_PAYLOAD_MARKER;
        memcpy(out + p, payload, payload_len);
        p += payload_len;
    }
    *pos = p;
    return OSCAR_OK;
}

enum oscar_err oscar_coap_serialize(uint8_t *out, size_t out_cap, size_t *out_len,
                                    const struct oscar_coap_msg *msg)
{
    if (msg->token_len > OSCAR_COAP_TOKEN_MAX || msg->type > OSCAR_COAP_TYPE_RST) {
        return OSCAR_ERR_INVALID_ARG;
    }
    if (out_cap < OSCAR_COAP_HEADER_LEN + (size_t)msg->token_len) {
        return OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    out[0] = (uint8_t)(OSCAR_COAP_VERSION << 6 | msg->type << 4 | msg->token_len);
    out[1] = msg->code;
    out[2] = (uint8_t)(msg->mid >> 8);
    out[3] = (uint8_t)msg->mid;
    memcpy(out + OSCAR_COAP_HEADER_LEN, msg->token, msg->token_len);
    size_t pos = OSCAR_COAP_HEADER_LEN + msg->token_len;
    OSCAR_TRY(oscar_coap_write_options(out, out_cap, &pos, msg->options, msg->num_options,
                                       msg->has_payload, msg->payload, msg->payload_len));
    *out_len = pos;
    return OSCAR_OK;
}

enum oscar_err oscar_coap_add_option(struct oscar_coap_msg *msg, uint16_t number,
                                     const uint8_t *value, size_t len)
{
    if (len > UINT16_MAX) {
        return OSCAR_ERR_INVALID_ARG;
    }
    if (msg->num_options == OSCAR_COAP_MAX_OPTIONS) {
        return OSCAR_ERR_COAP_TOO_MANY_OPTIONS;
    }
    size_t i = msg->num_options;
    while (i > 0 && msg->options[i - 1].number > number) {
        msg->options[i] = msg->options[i - 1];
        i--;
    }
    msg->options[i].number = number;
    msg->options[i].len = (uint16_t)len;
    msg->options[i].value = value;
    msg->num_options++;
    return OSCAR_OK;
}

const struct oscar_coap_option *oscar_coap_find_option(const struct oscar_coap_msg *msg,
                                                       uint16_t number)
{
    for (size_t i = 0; i < msg->num_options; i++) {
        if (msg->options[i].number == number) {
            return &msg->options[i];
        }
    }
    return NULL;
}

size_t oscar_coap_count_option(const struct oscar_coap_msg *msg, uint16_t number)
{
    size_t n = 0;
    for (size_t i = 0; i < msg->num_options; i++) {
        n += msg->options[i].number == number;
    }
    return n;
}

size_t oscar_coap_uint_encode(uint8_t out[4], uint32_t value)
{
    size_t n = 0;
    for (uint32_t v = value; v != 0; v >>= 8) {
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(value >> (8 * (n - 1 - i)));
    }
    return n;
}

size_t oscar_coap_path(const struct oscar_coap_msg *msg, uint16_t number, char *out, size_t cap)
{
    size_t n = 0;
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < msg->num_options; i++) {
        const struct oscar_coap_option *o = &msg->options[i];
        if (o->number != number) {
            continue;
        }
        if (len + (n > 0) + o->len + 1 > cap) {
            out[0] = '\0';
            return 0;
        }
        if (n++ > 0) {
            out[len++] = '/';
        }
        memcpy(out + len, o->value, o->len);
        len += o->len;
        out[len] = '\0';
    }
    return n;
}

bool oscar_coap_uint_decode(uint32_t *out, const uint8_t *value, size_t len)
{
    if (len > 4) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        v = v << 8 | value[i];
    }
    *out = v;
    return true;
}
