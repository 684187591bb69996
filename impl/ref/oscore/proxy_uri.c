/* oscore/proxy_uri.c — Proxy-Uri decomposition for OSCORE (RFC 8613 §4.1.3.3): Uri-Path and
 * Uri-Query become Inner options, scheme, host and port stay Outer as a shortened Proxy-Uri. */
#include <string.h>

#include "internal.h"

/* decode percent-decodes src into dst (RFC 3986 §2.1); returns false on a bad escape. */
static bool decode(uint8_t *dst, size_t *dst_len, const uint8_t *src, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '%') {
            if (i + 2 >= len) {
                return false;
            }
            int hi = oscar_hex_digit(src[i + 1]);
            int lo = oscar_hex_digit(src[i + 2]);
            if (hi < 0 || lo < 0) {
                return false;
            }
            dst[n++] = (uint8_t)(hi << 4 | lo);
            i += 2;
        } else {
            dst[n++] = src[i];
        }
    }
    *dst_len = n;
    return true;
}

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* is_default_port compares scheme case-insensitively (RFC 3986 §3.1) and the port as a number,
 * so "COAP://h:05683" is recognised like "coap://h:5683" (RFC 7252 §6.5 omits default ports). */
static bool is_default_port(const uint8_t *scheme, size_t scheme_len, const uint8_t *port,
                            size_t port_len)
{
    static const struct {
        const char *scheme;
        unsigned long port;
    } defaults[] = {{"coap", 5683}, {"coaps", 5684}, {"http", 80}, {"https", 443}};
    unsigned long value = 0;
    for (size_t i = 0; i < port_len; i++) {
        if (port[i] < '0' || port[i] > '9' || value > 65535) {
            return false;
        }
        value = value * 10 + (unsigned long)(port[i] - '0');
    }
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        size_t n = strlen(defaults[i].scheme);
        if (n != scheme_len || defaults[i].port != value) {
            continue;
        }
        bool same = true;
        for (size_t k = 0; k < n; k++) {
            same = same && lower(scheme[k]) == (uint8_t)defaults[i].scheme[k];
        }
        if (same) {
            return true;
        }
    }
    return false;
}

static enum oscar_err add_inner(struct oscar_coap_option *inner, size_t *num_inner,
                                size_t inner_cap, uint16_t number, const uint8_t *value, size_t len)
{
    if (*num_inner == inner_cap) {
        return OSCAR_ERR_COAP_TOO_MANY_OPTIONS;
    }
    if (len > UINT16_MAX) {
        return OSCAR_ERR_COAP_MALFORMED;
    }
    inner[*num_inner].number = number;
    inner[*num_inner].len = (uint16_t)len;
    inner[*num_inner].value = value;
    (*num_inner)++;
    return OSCAR_OK;
}

enum oscar_err oscar_oscore_decompose_proxy_uri(struct oscar_coap_option *out_outer,
                                                struct oscar_coap_option *inner, size_t *num_inner,
                                                size_t inner_cap, uint8_t *scratch,
                                                size_t scratch_cap, const uint8_t *uri,
                                                size_t uri_len)
{
    if (uri_len > OSCAR_PROXY_URI_MAX || scratch_cap < 2 * uri_len) {
        return uri_len > OSCAR_PROXY_URI_MAX ? OSCAR_ERR_COAP_MALFORMED
                                             : OSCAR_ERR_BUFFER_TOO_SMALL;
    }
    /* RFC 7252 §6.4 step 1-3: an absolute URI without fragment. */
    const uint8_t *colon = memchr(uri, ':', uri_len);
    if (colon == NULL || memchr(uri, '#', uri_len) != NULL) {
        return OSCAR_ERR_COAP_MALFORMED;
    }
    size_t scheme_len = (size_t)(colon - uri);
    if (scheme_len == 0 || uri_len < scheme_len + 3 || colon[1] != '/' || colon[2] != '/') {
        return OSCAR_ERR_COAP_MALFORMED;
    }
    size_t auth_start = scheme_len + 3;
    size_t auth_end = auth_start;
    while (auth_end < uri_len && uri[auth_end] != '/' && uri[auth_end] != '?') {
        auth_end++;
    }
    if (auth_end == auth_start) {
        return OSCAR_ERR_COAP_MALFORMED;
    }
    /* Host and optional port; an IP-literal host is bracketed (RFC 3986 §3.2.2). */
    size_t host_end = auth_end;
    const uint8_t *port = NULL;
    size_t port_len = 0;
    size_t search_from = auth_start;
    if (uri[auth_start] == '[') {
        const uint8_t *rb = memchr(uri + auth_start, ']', auth_end - auth_start);
        if (rb == NULL) {
            return OSCAR_ERR_COAP_MALFORMED;
        }
        search_from = (size_t)(rb - uri);
    }
    const uint8_t *pc = memchr(uri + search_from, ':', auth_end - search_from);
    if (pc != NULL) {
        host_end = (size_t)(pc - uri);
        port = pc + 1;
        port_len = auth_end - host_end - 1;
    }
    uint8_t *outer = scratch;
    size_t outer_len = host_end; /* scheme "://" host, the scheme in lower case (RFC 3986 §3.1) */
    memcpy(outer, uri, host_end);
    for (size_t i = 0; i < scheme_len; i++) {
        outer[i] = lower(outer[i]);
    }
    if (port != NULL && port_len != 0 && !is_default_port(uri, scheme_len, port, port_len)) {
        outer[outer_len++] = ':';
        memcpy(outer + outer_len, port, port_len);
        outer_len += port_len;
    }
    out_outer->number = OSCAR_COAP_OPT_PROXY_URI;
    out_outer->len = (uint16_t)outer_len;
    out_outer->value = outer;

    uint8_t *dec = scratch + outer_len;
    size_t pos = auth_end;
    /* Path segments (RFC 7252 §6.4 step 8): "/" alone means no Uri-Path. */
    if (pos < uri_len && uri[pos] == '/') {
        size_t path_end = pos;
        while (path_end < uri_len && uri[path_end] != '?') {
            path_end++;
        }
        if (!(path_end == pos + 1)) {
            size_t seg = pos + 1;
            while (seg <= path_end) {
                size_t seg_end = seg;
                while (seg_end < path_end && uri[seg_end] != '/') {
                    seg_end++;
                }
                size_t n;
                if (!decode(dec, &n, uri + seg, seg_end - seg)) {
                    return OSCAR_ERR_COAP_MALFORMED;
                }
                OSCAR_TRY(add_inner(inner, num_inner, inner_cap, OSCAR_COAP_OPT_URI_PATH, dec, n));
                dec += n;
                seg = seg_end + 1;
            }
        }
        pos = path_end;
    }
    /* Query arguments (step 9), separated by '&'. */
    if (pos < uri_len && uri[pos] == '?') {
        size_t arg = pos + 1;
        while (arg <= uri_len) {
            size_t arg_end = arg;
            while (arg_end < uri_len && uri[arg_end] != '&') {
                arg_end++;
            }
            size_t n;
            if (!decode(dec, &n, uri + arg, arg_end - arg)) {
                return OSCAR_ERR_COAP_MALFORMED;
            }
            OSCAR_TRY(add_inner(inner, num_inner, inner_cap, OSCAR_COAP_OPT_URI_QUERY, dec, n));
            dec += n;
            arg = arg_end + 1;
        }
    }
    return OSCAR_OK;
}
