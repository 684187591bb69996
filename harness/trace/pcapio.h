/* pcapio.h — capture files through libpcap: a writer of UDP datagrams as raw IPv4/IPv6 packets
 * (LINKTYPE_RAW, with correct IP and UDP checksums, so Wireshark and tshark open them as they
 * would a live capture), and a reader of pcap and pcapng captures of the link types people bring
 * to a plugtest (Ethernet, Linux cooked v1 and v2, raw IP, BSD loopback) that yields the UDP
 * datagrams in them and counts, with a reason, every packet it cannot use. */
#ifndef OSCAR_PCAPIO_H
#define OSCAR_PCAPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/hcore.h"

/* struct oscar_endpoint is an IPv4 or IPv6 address and UDP port. */
struct oscar_endpoint {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    uint16_t port;
};

/* oscar_endpoint_parse reads "1.2.3.4:5683" or "[::1]:5683". */
enum oscar_err oscar_endpoint_parse(struct oscar_endpoint *out, const char *text);

/* oscar_endpoint_format writes "1.2.3.4:5683" / "[::1]:5683" (64 bytes suffice). */
void oscar_endpoint_format(char *out, size_t out_cap, const struct oscar_endpoint *ep);

bool oscar_endpoint_equal(const struct oscar_endpoint *a, const struct oscar_endpoint *b);

struct oscar_pcap_writer;

/* oscar_pcap_writer_open creates path ([new] writer; close with oscar_pcap_writer_close). */
enum oscar_err oscar_pcap_writer_open(struct oscar_pcap_writer **out, const char *path,
                                      struct oscar_diag *diag);

/* oscar_pcap_write_udp appends one datagram from src to dst at time usec (microseconds since
 * the epoch). src and dst must be of the same family. */
enum oscar_err oscar_pcap_write_udp(struct oscar_pcap_writer *w, uint64_t usec,
                                    const struct oscar_endpoint *src,
                                    const struct oscar_endpoint *dst, const uint8_t *payload,
                                    size_t len);

/* oscar_pcap_writer_flush pushes buffered packets to the file (results survive a crash). */
void oscar_pcap_writer_flush(struct oscar_pcap_writer *w);

/* oscar_pcap_writer_close flushes and closes; NULL is fine. */
void oscar_pcap_writer_close(struct oscar_pcap_writer *w);

/* enum oscar_pcap_skip says why a packet was not usable as a UDP datagram. */
enum oscar_pcap_skip {
    OSCAR_PCAP_SKIP_TRUNCATED,  /* captured length shorter than the headers say */
    OSCAR_PCAP_SKIP_NOT_IP,     /* link-layer payload is not IPv4/IPv6 */
    OSCAR_PCAP_SKIP_NOT_UDP,    /* IP payload is not UDP (after IPv6 extension headers) */
    OSCAR_PCAP_SKIP_FRAGMENT,   /* an IP fragment: reassembly is not done */
    OSCAR_PCAP_SKIP_BAD_HEADER, /* inconsistent IP/UDP header lengths */
    OSCAR_PCAP_SKIP__COUNT
};

const char *oscar_pcap_skip_str(enum oscar_pcap_skip why);

/* struct oscar_datagram is one UDP datagram of a capture; payload points into the reader's buffer
 * and is valid until the next call ([borrow]). */
struct oscar_datagram {
    size_t frame;  /* 1-based packet number in the capture, as Wireshark counts */
    uint64_t usec; /* timestamp, microseconds since the epoch */
    struct oscar_endpoint src;
    struct oscar_endpoint dst;
    const uint8_t *payload;
    size_t len;
};

/* struct oscar_pcap_live captures an interface (promiscuous, whole frames) into a pcap file:
 * the bridge of a network-namespace test network. */
struct oscar_pcap_live;

/* oscar_pcap_live_open starts capturing iface into path (opened in the calling thread's network
 * namespace, which the capture keeps). */
enum oscar_err oscar_pcap_live_open(struct oscar_pcap_live **out, const char *iface,
                                    const char *path, struct oscar_diag *diag);

/* oscar_pcap_live_fd is the descriptor to poll; oscar_pcap_live_pump writes what has arrived. */
int oscar_pcap_live_fd(const struct oscar_pcap_live *l);
void oscar_pcap_live_pump(struct oscar_pcap_live *l);

/* oscar_pcap_live_close writes what is left, flushes and closes (NULL is fine). */
void oscar_pcap_live_close(struct oscar_pcap_live *l);

struct oscar_pcap_reader;

/* oscar_pcap_reader_open opens a pcap or pcapng file; an unsupported link type is an error that
 * names it. */
enum oscar_err oscar_pcap_reader_open(struct oscar_pcap_reader **out, const char *path,
                                      struct oscar_diag *diag);

/* oscar_pcap_reader_open_memory reads a capture held in memory (data must outlive the reader). */
enum oscar_err oscar_pcap_reader_open_memory(struct oscar_pcap_reader **out, const uint8_t *data,
                                             size_t len, struct oscar_diag *diag);

/* oscar_pcap_reader_next yields the next UDP datagram (*out_done at the end). Unusable packets
 * are skipped and counted; a damaged file (truncated record) ends the read with *out_done and a
 * message in oscar_pcap_reader_damage. */
enum oscar_err oscar_pcap_reader_next(struct oscar_pcap_reader *r, struct oscar_datagram *out,
                                      bool *out_done);

/* oscar_pcap_reader_skipped returns how many packets were skipped for reason why. */
size_t oscar_pcap_reader_skipped(const struct oscar_pcap_reader *r, enum oscar_pcap_skip why);

/* oscar_pcap_reader_damage returns libpcap's message if the file ended badly, else NULL. */
const char *oscar_pcap_reader_damage(const struct oscar_pcap_reader *r);

/* oscar_pcap_reader_linktype returns the capture's link-layer type name, e.g. "EN10MB". */
const char *oscar_pcap_reader_linktype(const struct oscar_pcap_reader *r);

void oscar_pcap_reader_close(struct oscar_pcap_reader *r);

#endif
