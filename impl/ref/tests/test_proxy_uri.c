/* test_proxy_uri.c — Proxy-Uri decomposition for OSCORE (RFC 8613 §4.1.3.3): scheme, host and
 * port stay Outer as a shortened Proxy-Uri, path and query become Inner Uri-Path and Uri-Query
 * options as RFC 7252 §6.4 decomposes them. Tested on the internal decomposer directly, so each
 * case sees the exact Outer value and Inner options; test_oscore.c covers the protect path. */
#include "oscar/oscore.h"
#include "otest.h"

#include "../oscore/internal.h"

#define MAX_INNER 16

struct decomposed {
    enum oscar_err err;
    struct oscar_coap_option outer;
    struct oscar_coap_option inner[MAX_INNER];
    size_t num_inner;
    uint8_t scratch[OSCAR_PROXY_URI_SCRATCH];
};

static void decompose(struct decomposed *d, const char *uri)
{
    memset(d, 0, sizeof(*d));
    d->err =
        oscar_oscore_decompose_proxy_uri(&d->outer, d->inner, &d->num_inner, MAX_INNER, d->scratch,
                                         sizeof(d->scratch), (const uint8_t *)uri, strlen(uri));
}

/* expect_ok checks that uri decomposes into Outer Proxy-Uri outer and the Inner options in want,
 * each written "P:segment" (Uri-Path) or "Q:argument" (Uri-Query), NULL-terminated. */
static void expect_ok(const char *uri, const char *outer, const char *const *want)
{
    struct decomposed d;
    decompose(&d, uri);
    OTEST_OK(d.err);
    if (d.err != OSCAR_OK) {
        fprintf(stderr, "    uri %s\n", uri);
        return;
    }
    OTEST_EQ_INT(OSCAR_COAP_OPT_PROXY_URI, d.outer.number);
    OTEST_EQ_BYTES(outer, strlen(outer), d.outer.value, d.outer.len);
    size_t n = 0;
    while (want[n] != NULL) {
        n++;
    }
    OTEST_EQ_INT(n, d.num_inner);
    for (size_t i = 0; i < n && i < d.num_inner; i++) {
        uint16_t number = want[i][0] == 'P' ? OSCAR_COAP_OPT_URI_PATH : OSCAR_COAP_OPT_URI_QUERY;
        OTEST_EQ_INT(number, d.inner[i].number);
        OTEST_EQ_BYTES(want[i] + 2, strlen(want[i] + 2), d.inner[i].value, d.inner[i].len);
    }
}

static void expect_err(const char *uri, enum oscar_err err)
{
    struct decomposed d;
    decompose(&d, uri);
    OTEST_ERR(err, d.err);
    if (d.err != err) {
        fprintf(stderr, "    uri %s\n", uri);
    }
}

static void test_percent_decoding(void)
{
    /* RFC 8613 §4.1.3.3 with RFC 7252 §6.4 step 8/9: percent-encodings become the bytes they
     * stand for, digits and both cases of hex letters (RFC 3986 §2.1). */
    static const char *const w1[] = {"P:9aJ", NULL};
    expect_ok("coap://h/%39%61%4A", "coap://h", w1);
    static const char *const w2[] = {"P:~J", "Q:k=\xff", NULL};
    expect_ok("coap://h/%7e%4a?k=%FF", "coap://h", w2);
    static const char *const w3[] = {"P:0/f", NULL};
    expect_ok("coap://h/%30%2F%66", "coap://h", w3);
}

static void test_bad_percent_escapes(void)
{
    /* RFC 3986 §2.1: "%" is followed by two hex digits; anything else is not a URI (RFC 7252
     * §6.4 step 1), so the Proxy-Uri cannot be decomposed. */
    expect_err("coap://h/%4g", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap://h/%g4", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap://h/%:0", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap://h/a?%4", OSCAR_ERR_COAP_MALFORMED);
}

static void test_not_absolute_or_with_fragment(void)
{
    /* RFC 7252 §6.4 steps 1 and 4 (used by RFC 8613 §4.1.3.3): the URI must be absolute, with a
     * scheme and "//" authority, and without fragment; RFC 7252 §6.1: the host MUST NOT be
     * empty. */
    expect_err("coap://h/p#f", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap://h#f", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap:/x", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap:/xhost/p", OSCAR_ERR_COAP_MALFORMED);
    expect_err("://h/x", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap:///p", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap://", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap://?q", OSCAR_ERR_COAP_MALFORMED);
    expect_err("coap-h/p", OSCAR_ERR_COAP_MALFORMED);
}

static void test_ports(void)
{
    /* RFC 8613 §4.1.3.3: scheme, host and port stay Outer. RFC 7252 §6.5 / RFC 3986 §6.2.3: a
     * port equal to the scheme's default, or empty, is left out; 5683 is the default of coap,
     * not of coaps. A port number too large to be any default is kept as it is. */
    static const char *const none[] = {NULL};
    expect_ok("coaps://h:5683", "coaps://h:5683", none);
    expect_ok("coaps://h:5684", "coaps://h", none);
    expect_ok("coap://h:5684", "coap://h:5684", none);
    static const char *const p[] = {"P:p", NULL};
    expect_ok("coap://h:/p", "coap://h", p);
    expect_ok("coap://h:18446744073709557299/p", "coap://h:18446744073709557299", p);
    expect_ok("coap://h:65536/p", "coap://h:65536", p);
}

static void test_ip_literal(void)
{
    /* RFC 3986 §3.2.2: an IPv6 host is bracketed; its colons are not the port separator. */
    static const char *const p[] = {"P:p", NULL};
    expect_ok("coap://[::1]:61616/p", "coap://[::1]:61616", p);
    expect_ok("coap://[::1]/p", "coap://[::1]", p);
    expect_ok("coap://[::1]:5683/p", "coap://[::1]", p);
    expect_err("coap://[::1/p", OSCAR_ERR_COAP_MALFORMED);
}

static void test_path_and_query_split(void)
{
    /* RFC 7252 §6.4 step 8: no Uri-Path for an empty path or "/", otherwise one per segment, an
     * empty one included ("/a/" gives "a" and ""); step 9: one Uri-Query per "&"-separated
     * argument, an empty last one included. The authority ends at "/" or "?" (RFC 3986 §3.2). */
    static const char *const none[] = {NULL};
    expect_ok("coap://h", "coap://h", none);
    expect_ok("coap://h/", "coap://h", none);
    static const char *const q[] = {"Q:q", NULL};
    expect_ok("coap://h?q", "coap://h", q);
    static const char *const a_empty[] = {"P:a", "P:", NULL};
    expect_ok("coap://h/a/", "coap://h", a_empty);
    static const char *const two_empty[] = {"P:", "P:", NULL};
    expect_ok("coap://h//", "coap://h", two_empty);
    static const char *const x_empty[] = {"P:p", "Q:x", "Q:", NULL};
    expect_ok("coap://h/p?x&", "coap://h", x_empty);
    static const char *const args[] = {"P:a", "P:b", "Q:x=1", "Q:y", NULL};
    expect_ok("COAP://host:5683/a/b?x=1&y", "coap://host", args);
}

static void test_scratch_size(void)
{
    /* RFC 8613 §4.1.3.3 (STYLE.md rule 17): the decomposer needs twice the URI length of
     * scratch (Outer value and decoded options) and says so rather than overrunning it. */
    static const char uri[] = "coap://h/abc?d";
    size_t len = sizeof(uri) - 1;
    struct oscar_coap_option outer;
    struct oscar_coap_option inner[MAX_INNER];
    size_t num_inner = 0;
    uint8_t scratch[2 * sizeof(uri)];
    OTEST_ERR(OSCAR_ERR_BUFFER_TOO_SMALL,
              oscar_oscore_decompose_proxy_uri(&outer, inner, &num_inner, MAX_INNER, scratch,
                                               2 * len - 1, (const uint8_t *)uri, len));
    OTEST_EQ_INT(0, num_inner);
    OTEST_OK(oscar_oscore_decompose_proxy_uri(&outer, inner, &num_inner, MAX_INNER, scratch,
                                              2 * len, (const uint8_t *)uri, len));
    OTEST_EQ_INT(2, num_inner);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_percent_decoding);
    OTEST_RUN(test_bad_percent_escapes);
    OTEST_RUN(test_not_absolute_or_with_fragment);
    OTEST_RUN(test_ports);
    OTEST_RUN(test_ip_literal);
    OTEST_RUN(test_path_and_query_split);
    OTEST_RUN(test_scratch_size);
    return otest_finish();
}
