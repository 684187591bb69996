/* pcapio.c — capture writing and reading on libpcap (see pcapio.h). libpcap does the file
 * formats; the IP/UDP header building and parsing here is ours because libpcap has none. */
#include "pcapio.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

#define SNAPLEN 262144
#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define UDP_HEADER 8
#define IP_PROTO_UDP 17
#define IPV4_DEFAULT_TTL 64
#define ETH_HEADER 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define SLL_HEADER 16
#define SLL2_HEADER 20
#define NULL_HEADER 4
#define BSD_AF_INET 2
#define MAX_DATAGRAM 65535

/* LINKTYPE_LINUX_SLL2 may be missing from older headers. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

enum oscar_err oscar_endpoint_parse(struct oscar_endpoint *out, const char *text)
{
    memset(out, 0, sizeof(*out));
    char host[64];
    const char *port;
    if (text[0] == '[') {
        const char *rb = strchr(text, ']');
        if (rb == NULL || rb[1] != ':' || (size_t)(rb - text - 1) >= sizeof(host)) {
            return OSCAR_ERR_PARSE;
        }
        memcpy(host, text + 1, (size_t)(rb - text - 1));
        host[rb - text - 1] = '\0';
        port = rb + 2;
        out->family = AF_INET6;
    } else {
        const char *colon = strrchr(text, ':');
        if (colon == NULL || (size_t)(colon - text) >= sizeof(host)) {
            return OSCAR_ERR_PARSE;
        }
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        port = colon + 1;
        out->family = AF_INET;
    }
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (*port == '\0' || *end != '\0' || p > 65535) {
        return OSCAR_ERR_PARSE;
    }
    out->port = (uint16_t)p;
    if (inet_pton(out->family, host, out->addr) != 1) {
        return OSCAR_ERR_PARSE;
    }
    return OSCAR_OK;
}

void oscar_endpoint_format(char *out, size_t out_cap, const struct oscar_endpoint *ep)
{
    char host[INET6_ADDRSTRLEN];
    if (inet_ntop(ep->family, ep->addr, host, sizeof(host)) == NULL) {
        snprintf(out, out_cap, "?:%u", ep->port);
        return;
    }
    if (ep->family == AF_INET6) {
        snprintf(out, out_cap, "[%s]:%u", host, ep->port);
    } else {
        snprintf(out, out_cap, "%s:%u", host, ep->port);
    }
}

bool oscar_endpoint_equal(const struct oscar_endpoint *a, const struct oscar_endpoint *b)
{
    size_t n = a->family == AF_INET6 ? 16 : 4;
    return a->family == b->family && a->port == b->port && memcmp(a->addr, b->addr, n) == 0;
}

struct oscar_pcap_writer {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    uint8_t packet[IPV6_HEADER + UDP_HEADER + MAX_DATAGRAM];
};

enum oscar_err oscar_pcap_writer_open(struct oscar_pcap_writer **out, const char *path,
                                      struct oscar_diag *diag)
{
    struct oscar_pcap_writer *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "%s: out of memory", path);
    }
    w->dead = pcap_open_dead(DLT_RAW, SNAPLEN);
    if (w->dead == NULL) {
        free(w);
        return oscar_diag_set(diag, OSCAR_ERR_IO, "%s: pcap_open_dead failed", path);
    }
    w->dumper = pcap_dump_open(w->dead, path);
    if (w->dumper == NULL) {
        enum oscar_err err =
            oscar_diag_set(diag, OSCAR_ERR_IO, "%s: %s", path, pcap_geterr(w->dead));
        pcap_close(w->dead);
        free(w);
        return err;
    }
    *out = w;
    return OSCAR_OK;
}

/* sum16 adds data to a one's-complement checksum accumulator (RFC 1071). */
static uint32_t sum16(uint32_t acc, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        acc += (uint32_t)(data[i] << 8 | data[i + 1]);
    }
    if (len & 1) {
        acc += (uint32_t)(data[len - 1] << 8);
    }
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16) {
        acc = (acc & 0xFFFF) + (acc >> 16);
    }
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

enum oscar_err oscar_pcap_write_udp(struct oscar_pcap_writer *w, uint64_t usec,
                                    const struct oscar_endpoint *src,
                                    const struct oscar_endpoint *dst, const uint8_t *payload,
                                    size_t len)
{
    if (src->family != dst->family || len > MAX_DATAGRAM - UDP_HEADER - IPV6_HEADER) {
        return OSCAR_ERR_INVALID_ARG;
    }
    bool v6 = src->family == AF_INET6;
    size_t alen = v6 ? 16 : 4;
    size_t ip = v6 ? IPV6_HEADER : IPV4_HEADER;
    uint8_t *p = w->packet;
    size_t udp_len = UDP_HEADER + len;
    memset(p, 0, ip + UDP_HEADER);
    if (v6) {
        p[0] = 0x60;
        put16(p + 4, (uint16_t)udp_len);
        p[6] = IP_PROTO_UDP;
        p[7] = IPV4_DEFAULT_TTL;
        memcpy(p + 8, src->addr, 16);
        memcpy(p + 24, dst->addr, 16);
    } else {
        p[0] = 0x45;
        put16(p + 2, (uint16_t)(ip + udp_len));
        p[6] = 0x40; /* don't fragment */
        p[8] = IPV4_DEFAULT_TTL;
        p[9] = IP_PROTO_UDP;
        memcpy(p + 12, src->addr, 4);
        memcpy(p + 16, dst->addr, 4);
        put16(p + 10, fold(sum16(0, p, IPV4_HEADER)));
    }
    uint8_t *u = p + ip;
    put16(u, src->port);
    put16(u + 2, dst->port);
    put16(u + 4, (uint16_t)udp_len);
    memcpy(u + UDP_HEADER, payload, len);
    /* UDP checksum over the pseudo-header (RFC 768, RFC 8200 §8.1). */
    uint32_t acc = sum16(0, src->addr, alen);
    acc = sum16(acc, dst->addr, alen);
    acc += IP_PROTO_UDP + (uint32_t)udp_len;
    acc = sum16(acc, u, udp_len);
    uint16_t ck = fold(acc);
    put16(u + 6, ck == 0 ? 0xFFFF : ck);
    struct pcap_pkthdr h = {0};
    h.ts.tv_sec = (time_t)(usec / 1000000);
    h.ts.tv_usec = (suseconds_t)(usec % 1000000);
    h.caplen = (bpf_u_int32)(ip + udp_len);
    h.len = h.caplen;
    pcap_dump((u_char *)w->dumper, &h, p);
    return OSCAR_OK;
}

void oscar_pcap_writer_flush(struct oscar_pcap_writer *w)
{
    pcap_dump_flush(w->dumper);
}

void oscar_pcap_writer_close(struct oscar_pcap_writer *w)
{
    if (w == NULL) {
        return;
    }
    pcap_dump_close(w->dumper);
    pcap_close(w->dead);
    free(w);
}

struct oscar_pcap_reader {
    pcap_t *pcap;
    int linktype;
    size_t frame;
    size_t skipped[OSCAR_PCAP_SKIP__COUNT];
    char damage[PCAP_ERRBUF_SIZE];
    bool damaged;
};

static const char *const skip_names[OSCAR_PCAP_SKIP__COUNT] = {
    [OSCAR_PCAP_SKIP_TRUNCATED] = "truncated",
    [OSCAR_PCAP_SKIP_NOT_IP] = "not IPv4/IPv6",
    [OSCAR_PCAP_SKIP_NOT_UDP] = "not UDP",
    [OSCAR_PCAP_SKIP_FRAGMENT] = "IP fragment (not reassembled)",
    [OSCAR_PCAP_SKIP_BAD_HEADER] = "inconsistent IP/UDP header",
};

const char *oscar_pcap_skip_str(enum oscar_pcap_skip why)
{
    if ((unsigned)why >= OSCAR_PCAP_SKIP__COUNT) {
        return "unknown";
    }
    return skip_names[why];
}

static bool linktype_supported(int lt)
{
    return lt == DLT_EN10MB || lt == DLT_LINUX_SLL || lt == DLT_LINUX_SLL2 || lt == DLT_RAW ||
           lt == DLT_IPV4 || lt == DLT_IPV6 || lt == DLT_NULL || lt == DLT_LOOP;
}

/* reader_wrap checks the link type of an opened capture and wraps it. */
static enum oscar_err reader_wrap(struct oscar_pcap_reader **out, pcap_t *p, const char *name,
                                  struct oscar_diag *diag)
{
    int lt = pcap_datalink(p);
    if (!linktype_supported(lt)) {
        const char *lname = pcap_datalink_val_to_name(lt);
        pcap_close(p);
        return oscar_diag_set(diag, OSCAR_ERR_PARSE,
                              "%s: link type %d (%s) is not supported; use Ethernet, Linux "
                              "cooked (SLL/SLL2), raw IP or loopback captures",
                              name, lt, lname != NULL ? lname : "unknown");
    }
    struct oscar_pcap_reader *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        pcap_close(p);
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "%s: out of memory", name);
    }
    r->pcap = p;
    r->linktype = lt;
    *out = r;
    return OSCAR_OK;
}

enum oscar_err oscar_pcap_reader_open(struct oscar_pcap_reader **out, const char *path,
                                      struct oscar_diag *diag)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_PARSE, "%s: not a readable pcap/pcapng file: %s",
                              path, err);
    }
    return reader_wrap(out, p, path, diag);
}

enum oscar_err oscar_pcap_reader_open_memory(struct oscar_pcap_reader **out, const uint8_t *data,
                                             size_t len, struct oscar_diag *diag)
{
    /* libpcap reads from a FILE; fmemopen gives one over the caller's bytes (pcap_close
     * closes it) */
    FILE *f = fmemopen((void *)(uintptr_t)data, len, "rb");
    if (f == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "(memory): fmemopen failed");
    }
    char err[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == NULL) {
        fclose(f);
        return oscar_diag_set(diag, OSCAR_ERR_PARSE, "(memory): not a pcap/pcapng capture: %s",
                              err);
    }
    return reader_wrap(out, p, "(memory)", diag);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* link_payload finds the IP packet inside a frame of the reader's link type; returns false and
 * sets *why when it cannot. */
static bool link_payload(const struct oscar_pcap_reader *r, const uint8_t *f, size_t n,
                         const uint8_t **ip, size_t *ip_len, enum oscar_pcap_skip *why)
{
    size_t off = 0;
    uint16_t ethertype = 0;
    *why = OSCAR_PCAP_SKIP_TRUNCATED;
    switch (r->linktype) {
    case DLT_EN10MB:
        if (n < ETH_HEADER) {
            return false;
        }
        ethertype = get16(f + 12);
        off = ETH_HEADER;
        while (ethertype == ETHERTYPE_VLAN) {
            if (n < off + 4) {
                return false;
            }
            ethertype = get16(f + off + 2);
            off += 4;
        }
        break;
    case DLT_LINUX_SLL:
        if (n < SLL_HEADER) {
            return false;
        }
        ethertype = get16(f + 14);
        off = SLL_HEADER;
        break;
    case DLT_LINUX_SLL2:
        if (n < SLL2_HEADER) {
            return false;
        }
        ethertype = get16(f);
        off = SLL2_HEADER;
        break;
    case DLT_NULL:
    case DLT_LOOP: {
        if (n < NULL_HEADER) {
            return false;
        }
        /* DLT_NULL stores the family in host byte order of the capturing machine; DLT_LOOP in
         * network order. Only the IP version nibble is used below, so either works. */
        off = NULL_HEADER;
        break;
    }
    default: /* raw IP */
        break;
    }
    if (ethertype != 0 && ethertype != ETHERTYPE_IPV4 && ethertype != ETHERTYPE_IPV6) {
        *why = OSCAR_PCAP_SKIP_NOT_IP;
        return false;
    }
    if (n <= off) {
        return false;
    }
    *ip = f + off;
    *ip_len = n - off;
    return true;
}

/* IPv6 extension headers that may precede UDP (RFC 8200 §4). */
#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DSTOPTS 60

static bool parse_ip_udp(struct oscar_datagram *d, const uint8_t *ip, size_t n,
                         enum oscar_pcap_skip *why)
{
    unsigned version = ip[0] >> 4;
    size_t l4;
    uint8_t proto;
    size_t ip_total;
    if (version == 4) {
        size_t ihl = (size_t)(ip[0] & 0x0F) * 4;
        if (n < IPV4_HEADER || ihl < IPV4_HEADER || n < ihl) {
            *why = n < IPV4_HEADER ? OSCAR_PCAP_SKIP_TRUNCATED : OSCAR_PCAP_SKIP_BAD_HEADER;
            return false;
        }
        ip_total = get16(ip + 2);
        uint16_t frag = get16(ip + 6);
        if ((frag & 0x3FFF) != 0) { /* more-fragments flag or an offset */
            *why = OSCAR_PCAP_SKIP_FRAGMENT;
            return false;
        }
        proto = ip[9];
        d->src.family = AF_INET;
        d->dst.family = AF_INET;
        memcpy(d->src.addr, ip + 12, 4);
        memcpy(d->dst.addr, ip + 16, 4);
        l4 = ihl;
    } else if (version == 6) {
        if (n < IPV6_HEADER) {
            *why = OSCAR_PCAP_SKIP_TRUNCATED;
            return false;
        }
        ip_total = IPV6_HEADER + get16(ip + 4);
        proto = ip[6];
        d->src.family = AF_INET6;
        d->dst.family = AF_INET6;
        memcpy(d->src.addr, ip + 8, 16);
        memcpy(d->dst.addr, ip + 24, 16);
        l4 = IPV6_HEADER;
        while (proto == IP6_HOPOPTS || proto == IP6_ROUTING || proto == IP6_DSTOPTS ||
               proto == IP6_FRAGMENT) {
            if (proto == IP6_FRAGMENT) {
                *why = OSCAR_PCAP_SKIP_FRAGMENT;
                return false;
            }
            if (n < l4 + 8) {
                *why = OSCAR_PCAP_SKIP_TRUNCATED;
                return false;
            }
            proto = ip[l4];
            l4 += ((size_t)ip[l4 + 1] + 1) * 8;
        }
    } else {
        *why = OSCAR_PCAP_SKIP_NOT_IP;
        return false;
    }
    if (proto != IP_PROTO_UDP) {
        *why = OSCAR_PCAP_SKIP_NOT_UDP;
        return false;
    }
    if (ip_total > n) {
        *why = OSCAR_PCAP_SKIP_TRUNCATED;
        return false;
    }
    if (ip_total < l4 + UDP_HEADER) {
        *why = OSCAR_PCAP_SKIP_BAD_HEADER;
        return false;
    }
    const uint8_t *u = ip + l4;
    size_t udp_len = get16(u + 4);
    if (udp_len < UDP_HEADER || l4 + udp_len > ip_total) {
        *why = OSCAR_PCAP_SKIP_BAD_HEADER;
        return false;
    }
    d->src.port = get16(u);
    d->dst.port = get16(u + 2);
    d->payload = u + UDP_HEADER;
    d->len = udp_len - UDP_HEADER;
    return true;
}

enum oscar_err oscar_pcap_reader_next(struct oscar_pcap_reader *r, struct oscar_datagram *out,
                                      bool *out_done)
{
    *out_done = false;
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(r->pcap, &h, &data);
        if (rc == PCAP_ERROR_BREAK) {
            *out_done = true;
            return OSCAR_OK;
        }
        if (rc < 0) {
            snprintf(r->damage, sizeof(r->damage), "after packet %zu: %s", r->frame,
                     pcap_geterr(r->pcap));
            r->damaged = true;
            *out_done = true;
            return OSCAR_OK;
        }
        if (rc == 0) {
            continue;
        }
        r->frame++;
        memset(out, 0, sizeof(*out));
        out->frame = r->frame;
        out->usec = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
        const uint8_t *ip;
        size_t ip_len;
        enum oscar_pcap_skip why = OSCAR_PCAP_SKIP_TRUNCATED;
        if (h->caplen < h->len) {
            why = OSCAR_PCAP_SKIP_TRUNCATED;
        } else if (link_payload(r, data, h->caplen, &ip, &ip_len, &why) &&
                   parse_ip_udp(out, ip, ip_len, &why)) {
            return OSCAR_OK;
        }
        r->skipped[why]++;
    }
}

size_t oscar_pcap_reader_skipped(const struct oscar_pcap_reader *r, enum oscar_pcap_skip why)
{
    return (unsigned)why < OSCAR_PCAP_SKIP__COUNT ? r->skipped[why] : 0;
}

const char *oscar_pcap_reader_damage(const struct oscar_pcap_reader *r)
{
    return r->damaged ? r->damage : NULL;
}

const char *oscar_pcap_reader_linktype(const struct oscar_pcap_reader *r)
{
    const char *n = pcap_datalink_val_to_name(r->linktype);
    return n != NULL ? n : "unknown";
}

void oscar_pcap_reader_close(struct oscar_pcap_reader *r)
{
    if (r == NULL) {
        return;
    }
    pcap_close(r->pcap);
    free(r);
}

struct oscar_pcap_live {
    pcap_t *pcap;
    pcap_dumper_t *dump;
};

enum oscar_err oscar_pcap_live_open(struct oscar_pcap_live **out, const char *iface,
                                    const char *path, struct oscar_diag *diag)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    struct oscar_pcap_live *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "out of memory");
    }
    l->pcap = pcap_create(iface, err);
    if (l->pcap == NULL || pcap_set_snaplen(l->pcap, 65535) != 0 ||
        pcap_set_promisc(l->pcap, 1) != 0 || pcap_set_timeout(l->pcap, 10) != 0 ||
        pcap_set_immediate_mode(l->pcap, 1) != 0 || pcap_activate(l->pcap) < 0 ||
        pcap_setnonblock(l->pcap, 1, err) != 0) {
        enum oscar_err e = oscar_diag_set(diag, OSCAR_ERR_IO, "capture on %s: %s", iface,
                                          l->pcap != NULL ? pcap_geterr(l->pcap) : err);
        oscar_pcap_live_close(l);
        return e;
    }
    l->dump = pcap_dump_open(l->pcap, path);
    if (l->dump == NULL) {
        enum oscar_err e = oscar_diag_set(diag, OSCAR_ERR_IO, "%s: %s", path, pcap_geterr(l->pcap));
        oscar_pcap_live_close(l);
        return e;
    }
    *out = l;
    return OSCAR_OK;
}

int oscar_pcap_live_fd(const struct oscar_pcap_live *l)
{
    return pcap_get_selectable_fd(l->pcap);
}

void oscar_pcap_live_pump(struct oscar_pcap_live *l)
{
    if (l != NULL && l->dump != NULL) {
        (void)pcap_dispatch(l->pcap, -1, pcap_dump, (u_char *)l->dump);
        (void)pcap_dump_flush(l->dump);
    }
}

void oscar_pcap_live_close(struct oscar_pcap_live *l)
{
    if (l == NULL) {
        return;
    }
    oscar_pcap_live_pump(l);
    if (l->dump != NULL) {
        pcap_dump_close(l->dump);
    }
    if (l->pcap != NULL) {
        pcap_close(l->pcap);
    }
    free(l);
}
