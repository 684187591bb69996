/* test_relay.c — the UDP relay: forwarding through alias sockets, the pcap of what it delivered
 * (with the nodes' real addresses), each fault action on the k-th datagram of a link, seeded
 * probabilistic faults that replay exactly, and datagrams from strangers. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../net/relay.h"
#include "otest.h"

struct peer {
    int fd;
    struct oscar_endpoint ep;
};

static void peer_open(struct peer *p)
{
    p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    OTEST_CHECK(bind(p->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    socklen_t sl = sizeof(sa);
    OTEST_CHECK(getsockname(p->fd, (struct sockaddr *)&sa, &sl) == 0);
    memset(&p->ep, 0, sizeof(p->ep));
    p->ep.family = AF_INET;
    memcpy(p->ep.addr, &sa.sin_addr, 4);
    p->ep.port = ntohs(sa.sin_port);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 1000}; /* recv polls, never blocks long */
    setsockopt(p->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void send_to(const struct peer *p, const struct oscar_endpoint *to, uint8_t tag)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(to->port)};
    memcpy(&sa.sin_addr, to->addr, 4);
    OTEST_CHECK(sendto(p->fd, &tag, 1, 0, (struct sockaddr *)&sa, sizeof(sa)) == 1);
}

/* pump services the relay until nothing is pending and sockets are quiet for a moment. */
static void pump(struct oscar_relay *r, int rounds)
{
    struct oscar_diag d;
    for (int i = 0; i < rounds; i++) {
        struct pollfd fds[OSCAR_RELAY_MAX_NODES];
        size_t n = oscar_relay_pollfds(r, fds, OSCAR_RELAY_MAX_NODES);
        int t = oscar_relay_timeout_ms(r, 0);
        (void)poll(fds, n, t < 0 || t > 20 ? 20 : t);
        OTEST_OK(oscar_relay_service(r, oscar_now_usec(), &d));
    }
}

/* drain collects the tags a peer received, with the source it saw. */
static size_t drain(const struct peer *p, uint8_t *tags, size_t cap, struct oscar_endpoint *from)
{
    size_t n = 0;
    for (;;) {
        uint8_t b;
        struct sockaddr_in sa;
        socklen_t sl = sizeof(sa);
        if (recvfrom(p->fd, &b, 1, 0, (struct sockaddr *)&sa, &sl) != 1) {
            break;
        }
        if (n < cap) {
            tags[n++] = b;
        }
        from->family = AF_INET;
        memcpy(from->addr, &sa.sin_addr, 4);
        from->port = ntohs(sa.sin_port);
    }
    return n;
}

static void setup(struct oscar_relay *r, struct peer *a, struct peer *b, uint64_t seed,
                  const char *pcap)
{
    struct oscar_diag d;
    OTEST_OK(oscar_relay_init(r, seed, pcap, &d));
    size_t ia;
    size_t ib;
    OTEST_OK(oscar_relay_add_node(r, &ia, "client", AF_INET, &d));
    OTEST_OK(oscar_relay_add_node(r, &ib, "server", AF_INET, &d));
    peer_open(a);
    peer_open(b);
    oscar_relay_set_real(r, ia, &a->ep);
    oscar_relay_set_real(r, ib, &b->ep);
}

static void test_forwarding_and_pcap(void)
{
    struct oscar_relay r;
    struct peer a;
    struct peer b;
    char path[] = "/tmp/oscar-relay-XXXXXX";
    int tmp = mkstemp(path);
    close(tmp);
    setup(&r, &a, &b, 1, path);
    send_to(&a, &r.nodes[1].alias, 1);
    pump(&r, 3);
    uint8_t tags[8];
    struct oscar_endpoint from;
    OTEST_EQ_INT(1, drain(&b, tags, 8, &from));
    OTEST_CHECK(oscar_endpoint_equal(&from, &r.nodes[0].alias)); /* b sees the client's alias */
    send_to(&b, &from, 2);                                       /* b answers the alias */
    pump(&r, 3);
    OTEST_EQ_INT(1, drain(&a, tags, 8, &from));
    OTEST_EQ_INT(2, tags[0]);
    OTEST_CHECK(oscar_endpoint_equal(&from, &r.nodes[1].alias));
    /* a stranger is not forwarded */
    struct peer c;
    peer_open(&c);
    send_to(&c, &r.nodes[1].alias, 3);
    pump(&r, 3);
    OTEST_EQ_INT(0, drain(&b, tags, 8, &from));
    OTEST_EQ_INT(1, r.stats.unknown_source);
    oscar_relay_cleanup(&r);
    /* the pcap shows the real endpoints, as on the wire */
    struct oscar_pcap_reader *rd;
    struct oscar_diag d;
    OTEST_OK(oscar_pcap_reader_open(&rd, path, &d));
    struct oscar_datagram g;
    bool done;
    OTEST_OK(oscar_pcap_reader_next(rd, &g, &done));
    OTEST_CHECK(!done && oscar_endpoint_equal(&g.src, &a.ep) &&
                oscar_endpoint_equal(&g.dst, &b.ep));
    OTEST_OK(oscar_pcap_reader_next(rd, &g, &done));
    OTEST_CHECK(!done && oscar_endpoint_equal(&g.src, &b.ep) &&
                oscar_endpoint_equal(&g.dst, &a.ep));
    OTEST_OK(oscar_pcap_reader_next(rd, &g, &done));
    OTEST_CHECK(done);
    oscar_pcap_reader_close(rd);
    unlink(path);
    close(a.fd);
    close(b.fd);
    close(c.fd);
}

static void test_fault_actions_on_nth_datagram(void)
{
    struct oscar_relay r;
    struct peer a;
    struct peer b;
    struct oscar_diag d;
    setup(&r, &a, &b, 1, NULL);
    struct oscar_relay_rule drop = {"client", "server", OSCAR_RELAY_DROP, 2, 0, 0, false};
    struct oscar_relay_rule dup = {"client", "server", OSCAR_RELAY_DUPLICATE, 3, 0, 0, false};
    struct oscar_relay_rule delay = {"client", "server", OSCAR_RELAY_DELAY, 4, 0, 150, false};
    struct oscar_relay_rule replay = {"", "server", OSCAR_RELAY_REPLAY, 6, 0, 10, false};
    OTEST_OK(oscar_relay_add_rule(&r, &drop, &d));
    OTEST_OK(oscar_relay_add_rule(&r, &dup, &d));
    OTEST_OK(oscar_relay_add_rule(&r, &delay, &d));
    OTEST_OK(oscar_relay_add_rule(&r, &replay, &d));
    struct oscar_relay_rule bad = {"nobody", "", OSCAR_RELAY_DROP, 1, 0, 0, false};
    OTEST_ERR(OSCAR_ERR_INVALID_ARG, oscar_relay_add_rule(&r, &bad, &d));
    for (uint8_t k = 1; k <= 6; k++) {
        send_to(&a, &r.nodes[1].alias, k);
        pump(&r, 2);
    }
    for (int i = 0; i < 50 && r.num_pending != 0; i++) {
        pump(&r, 1); /* let the delayed ones out */
    }
    pump(&r, 2);
    uint8_t tags[16];
    struct oscar_endpoint from;
    size_t n = drain(&b, tags, 16, &from);
    /* 1, (2 dropped), 3 twice, 4 late (after 5: delayed 150 ms), 5, 6 twice (replayed) */
    size_t count[8] = {0};
    size_t pos[8] = {0};
    for (size_t i = 0; i < n; i++) {
        count[tags[i] & 7]++;
        pos[tags[i] & 7] = i;
    }
    OTEST_EQ_INT(7, n);
    OTEST_EQ_INT(1, count[1]);
    OTEST_EQ_INT(0, count[2]);
    OTEST_EQ_INT(2, count[3]);
    OTEST_EQ_INT(1, count[4]);
    OTEST_EQ_INT(1, count[5]);
    OTEST_EQ_INT(2, count[6]);
    OTEST_CHECK(pos[4] > pos[5]);
    OTEST_EQ_INT(1, r.stats.dropped);
    OTEST_EQ_INT(1, r.stats.duplicated);
    OTEST_EQ_INT(1, r.stats.delayed);
    OTEST_EQ_INT(1, r.stats.replayed);
    oscar_relay_cleanup(&r);
    close(a.fd);
    close(b.fd);
}

static size_t lossy_run(uint64_t seed, uint8_t *tags)
{
    struct oscar_relay r;
    struct peer a;
    struct peer b;
    struct oscar_diag d;
    setup(&r, &a, &b, seed, NULL);
    struct oscar_relay_rule loss = {"", "", OSCAR_RELAY_DROP, 0, 40, 0, false};
    OTEST_OK(oscar_relay_add_rule(&r, &loss, &d));
    for (uint8_t k = 0; k < 40; k++) {
        send_to(&a, &r.nodes[1].alias, k);
        pump(&r, 1);
    }
    pump(&r, 2);
    struct oscar_endpoint from;
    size_t n = drain(&b, tags, 64, &from);
    oscar_relay_cleanup(&r);
    close(a.fd);
    close(b.fd);
    return n;
}

static void test_seeded_loss_replays_exactly(void)
{
    uint8_t t1[64];
    uint8_t t2[64];
    uint8_t t3[64];
    size_t n1 = lossy_run(42, t1);
    size_t n2 = lossy_run(42, t2);
    size_t n3 = lossy_run(43, t3);
    OTEST_EQ_BYTES(t1, n1, t2, n2);
    OTEST_CHECK(n1 > 10 && n1 < 35); /* 40% loss of 40 datagrams */
    OTEST_CHECK(n1 != n3 || memcmp(t1, t3, n1) != 0);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_forwarding_and_pcap);
    OTEST_RUN(test_fault_actions_on_nth_datagram);
    OTEST_RUN(test_seeded_loss_replays_exactly);
    return otest_finish();
}
