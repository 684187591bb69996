/* relay.c — see relay.h. */
#include "relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PERCENT 100
#define COAP_HEADER 4

uint64_t oscar_now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t monotonic_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* rng_next is splitmix64: the relay's faults replay exactly from the recorded seed. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

enum oscar_err oscar_relay_init(struct oscar_relay *r, uint64_t seed, const char *pcap_path,
                                struct oscar_diag *diag)
{
    memset(r, 0, sizeof(*r));
    r->rng = seed;
    if (pcap_path != NULL) {
        OSCAR_TRY(oscar_pcap_writer_open(&r->pcap, pcap_path, diag));
    }
    return OSCAR_OK;
}

void oscar_relay_cleanup(struct oscar_relay *r)
{
    for (size_t i = 0; i < r->num_nodes; i++) {
        if (r->nodes[i].fd >= 0) {
            close(r->nodes[i].fd);
            r->nodes[i].fd = -1;
        }
        free(r->nodes[i].members);
    }
    free(r->nodes);
    free(r->sent);
    r->nodes = NULL;
    r->sent = NULL;
    r->num_nodes = r->cap_nodes = 0;
    for (size_t i = 0; i < r->num_pending; i++) {
        free(r->pending[i].data);
    }
    r->num_pending = 0;
    oscar_pcap_writer_close(r->pcap);
    r->pcap = NULL;
}

static void to_sockaddr(struct sockaddr_storage *ss, socklen_t *len, const struct oscar_endpoint *e)
{
    memset(ss, 0, sizeof(*ss));
    if (e->family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(e->port);
        memcpy(&s6->sin6_addr, e->addr, 16);
        *len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(e->port);
        memcpy(&s4->sin_addr, e->addr, 4);
        *len = sizeof(*s4);
    }
}

static void from_sockaddr(struct oscar_endpoint *e, const struct sockaddr_storage *ss)
{
    memset(e, 0, sizeof(*e));
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        e->family = AF_INET6;
        e->port = ntohs(s6->sin6_port);
        memcpy(e->addr, &s6->sin6_addr, 16);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        e->family = AF_INET;
        e->port = ntohs(s4->sin_port);
        memcpy(e->addr, &s4->sin_addr, 4);
    }
}

/* grow_nodes doubles the node table and the link counters (kept at their from/to places). */
static bool grow_nodes(struct oscar_relay *r)
{
    size_t cap = r->cap_nodes ? 2 * r->cap_nodes : 16;
    struct oscar_relay_node *nodes = realloc(r->nodes, cap * sizeof(*nodes));
    unsigned *sent = calloc(cap * cap, sizeof(*sent));
    if (nodes == NULL || sent == NULL) {
        free(sent);
        if (nodes != NULL) {
            r->nodes = nodes;
        }
        return false;
    }
    for (size_t i = 0; i < r->cap_nodes; i++) {
        memcpy(&sent[i * cap], &r->sent[i * r->cap_nodes], r->cap_nodes * sizeof(*sent));
    }
    free(r->sent);
    r->nodes = nodes;
    r->sent = sent;
    r->cap_nodes = cap;
    return true;
}

static unsigned next_on_link(struct oscar_relay *r, size_t from, size_t to)
{
    return ++r->sent[from * r->cap_nodes + to];
}

enum oscar_err oscar_relay_add_node(struct oscar_relay *r, size_t *out_index, const char *name,
                                    int family, struct oscar_diag *diag)
{
    if (strlen(name) >= OSCAR_RELAY_NAME_MAX) {
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "relay: node name too long");
    }
    if (r->num_nodes == r->cap_nodes && !grow_nodes(r)) {
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "relay: out of memory");
    }
    for (size_t i = 0; i < r->num_nodes; i++) {
        if (strcmp(r->nodes[i].name, name) == 0) {
            return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "relay: node %s added twice", name);
        }
    }
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "relay: socket: %s", strerror(errno));
    }
    struct oscar_endpoint loop = {.family = family};
    if (family == AF_INET6) {
        loop.addr[15] = 1;
    } else {
        loop.addr[0] = 127;
        loop.addr[3] = 1;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    to_sockaddr(&ss, &sl, &loop);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        enum oscar_err err =
            oscar_diag_set(diag, OSCAR_ERR_IO, "relay: bind for %s: %s", name, strerror(errno));
        close(fd);
        return err;
    }
    struct oscar_relay_node *n = &r->nodes[r->num_nodes];
    memset(n, 0, sizeof(*n));
    snprintf(n->name, sizeof(n->name), "%s", name);
    n->fd = fd;
    from_sockaddr(&n->alias, &ss);
    *out_index = r->num_nodes++;
    return OSCAR_OK;
}

void oscar_relay_set_real(struct oscar_relay *r, size_t index, const struct oscar_endpoint *real)
{
    r->nodes[index].real = *real;
    r->nodes[index].real_known = true;
}

static bool node_named(const struct oscar_relay *r, const char *name)
{
    if (name[0] == '\0') {
        return true;
    }
    for (size_t i = 0; i < r->num_nodes; i++) {
        if (strcmp(r->nodes[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

enum oscar_err oscar_relay_add_rule(struct oscar_relay *r, const struct oscar_relay_rule *rule,
                                    struct oscar_diag *diag)
{
    if (r->num_rules == OSCAR_RELAY_MAX_RULES) {
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "relay: more than %d fault rules",
                              OSCAR_RELAY_MAX_RULES);
    }
    if (!node_named(r, rule->from) || !node_named(r, rule->to)) {
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "relay: rule names unknown node %s",
                              node_named(r, rule->from) ? rule->to : rule->from);
    }
    if (rule->percent > PERCENT) {
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "relay: percent above 100");
    }
    r->rules[r->num_rules++] = *rule;
    return OSCAR_OK;
}

size_t oscar_relay_pollfds(const struct oscar_relay *r, struct pollfd *fds, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < r->num_nodes && n < cap; i++) {
        fds[n].fd = r->nodes[i].fd;
        fds[n].events = POLLIN;
        fds[n].revents = 0;
        n++;
    }
    return n;
}

int oscar_relay_timeout_ms(const struct oscar_relay *r, uint64_t now_usec)
{
    (void)now_usec;
    if (r->num_pending == 0) {
        return -1;
    }
    uint64_t now = monotonic_usec();
    uint64_t soonest = UINT64_MAX;
    for (size_t i = 0; i < r->num_pending; i++) {
        if (r->pending[i].due_usec < soonest) {
            soonest = r->pending[i].due_usec;
        }
    }
    if (soonest <= now) {
        return 0;
    }
    return (int)((soonest - now + 999) / 1000);
}

/* deliver sends data from node from's alias to node to's real address and records it (unless
 * it is one member's copy of a group datagram, recorded once by fanout). */
static enum oscar_err deliver_copy(struct oscar_relay *r, size_t from, size_t to,
                                   const uint8_t *data, size_t len, uint64_t now_usec, bool record,
                                   struct oscar_diag *diag);

static enum oscar_err fanout(struct oscar_relay *r, size_t from, size_t group, const uint8_t *data,
                             size_t len, uint64_t now_usec, struct oscar_diag *diag);

static enum oscar_err deliver(struct oscar_relay *r, size_t from, size_t to, const uint8_t *data,
                              size_t len, uint64_t now_usec, struct oscar_diag *diag)
{
    if (r->nodes[to].is_group) {
        return fanout(r, from, to, data, len, now_usec, diag);
    }
    return deliver_copy(r, from, to, data, len, now_usec, true, diag);
}

static enum oscar_err deliver_copy(struct oscar_relay *r, size_t from, size_t to,
                                   const uint8_t *data, size_t len, uint64_t now_usec, bool record,
                                   struct oscar_diag *diag)
{
    struct oscar_relay_node *src = &r->nodes[from];
    struct oscar_relay_node *dst = &r->nodes[to];
    if (!dst->real_known) {
        r->stats.dropped++;
        return OSCAR_OK;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    to_sockaddr(&ss, &sl, &dst->real);
    if (sendto(src->fd, data, len, 0, (struct sockaddr *)&ss, sl) < 0 && errno != EAGAIN &&
        errno != ECONNREFUSED) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "relay: sendto %s: %s", dst->name,
                              strerror(errno));
    }
    r->stats.delivered++;
    if (record && r->pcap != NULL) {
        OSCAR_TRY(oscar_pcap_write_udp(r->pcap, now_usec, &src->real, &dst->real, data, len));
        oscar_pcap_writer_flush(r->pcap);
    }
    return OSCAR_OK;
}

static enum oscar_err queue(struct oscar_relay *r, size_t from, size_t to, const uint8_t *data,
                            size_t len, unsigned delay_ms, struct oscar_diag *diag)
{
    if (r->num_pending == OSCAR_RELAY_MAX_PENDING) {
        return oscar_diag_set(diag, OSCAR_ERR_INVALID_ARG, "relay: more than %d delayed datagrams",
                              OSCAR_RELAY_MAX_PENDING);
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "relay: out of memory");
    }
    memcpy(copy, data, len);
    struct oscar_relay_pending *p = &r->pending[r->num_pending++];
    p->due_usec = monotonic_usec() + (uint64_t)delay_ms * 1000u;
    p->from = from;
    p->to = to;
    p->len = len;
    p->data = copy;
    return OSCAR_OK;
}

/* matching_rule returns the first rule that applies to the k-th datagram of link from -> to. */
static const struct oscar_relay_rule *matching_rule(struct oscar_relay *r, size_t from, size_t to,
                                                    unsigned k)
{
    for (size_t i = 0; i < r->num_rules; i++) {
        const struct oscar_relay_rule *rule = &r->rules[i];
        if ((rule->from[0] && strcmp(rule->from, r->nodes[from].name) != 0) ||
            (rule->to[0] && strcmp(rule->to, r->nodes[to].name) != 0)) {
            continue;
        }
        if (rule->nth != 0 ? rule->nth == k : rng_next(&r->rng) % PERCENT < rule->percent) {
            return rule;
        }
    }
    return NULL;
}

static enum oscar_err forward(struct oscar_relay *r, size_t from, size_t to, size_t len,
                              uint64_t now_usec, struct oscar_diag *diag)
{
    unsigned k = next_on_link(r, from, to);
    const struct oscar_relay_rule *rule = matching_rule(r, from, to, k);
    if (rule == NULL) {
        return deliver(r, from, to, r->buf, len, now_usec, diag);
    }
    switch (rule->action) {
    case OSCAR_RELAY_DROP:
        r->stats.dropped++;
        return OSCAR_OK;
    case OSCAR_RELAY_DUPLICATE:
        r->stats.duplicated++;
        OSCAR_TRY(deliver(r, from, to, r->buf, len, now_usec, diag));
        return deliver(r, from, to, r->buf, len, now_usec, diag);
    case OSCAR_RELAY_DELAY:
        r->stats.delayed++;
        return queue(r, from, to, r->buf, len, rule->delay_ms, diag);
    case OSCAR_RELAY_REPLAY:
        r->stats.replayed++;
        OSCAR_TRY(deliver(r, from, to, r->buf, len, now_usec, diag));
        if (rule->new_mid && len >= COAP_HEADER) {
            /* RFC 7252 §3: bytes 2-3 are the Message ID (unprotected by OSCORE, §4.2) */
            r->buf[2] ^= 0x80;
        }
        return queue(r, from, to, r->buf, len, rule->delay_ms, diag);
    case OSCAR_RELAY_CORRUPT:
        r->stats.corrupted++;
        if (len > 0) {
            r->buf[len - 1] ^= 0x01;
        }
        return deliver(r, from, to, r->buf, len, now_usec, diag);
    }
    return OSCAR_OK;
}

/* fanout records a datagram sent to a group alias once, then hands each member its copy,
 * applying the rules of the link sender -> member to it. */
static enum oscar_err fanout(struct oscar_relay *r, size_t from, size_t group, const uint8_t *data,
                             size_t len, uint64_t now_usec, struct oscar_diag *diag)
{
    const struct oscar_relay_node *g = &r->nodes[group];
    if (r->pcap != NULL) {
        OSCAR_TRY(
            oscar_pcap_write_udp(r->pcap, now_usec, &r->nodes[from].real, &g->alias, data, len));
        oscar_pcap_writer_flush(r->pcap);
    }
    uint8_t copy[OSCAR_RELAY_DATAGRAM_MAX];
    for (size_t i = 0; i < g->num_members; i++) {
        size_t to = g->members[i];
        if (to == from) {
            continue;
        }
        memcpy(copy, data, len);
        unsigned k = next_on_link(r, from, to);
        const struct oscar_relay_rule *rule = matching_rule(r, from, to, k);
        if (rule != NULL && rule->action == OSCAR_RELAY_DROP) {
            r->stats.dropped++;
            continue;
        }
        if (rule != NULL && rule->action == OSCAR_RELAY_CORRUPT && len > 0) {
            r->stats.corrupted++;
            copy[len - 1] ^= 0x01;
        }
        if (rule != NULL &&
            (rule->action == OSCAR_RELAY_DELAY || rule->action == OSCAR_RELAY_REPLAY)) {
            OSCAR_TRY(queue(r, from, to, copy, len, rule->delay_ms, diag));
            continue;
        }
        OSCAR_TRY(deliver_copy(r, from, to, copy, len, now_usec, false, diag));
        if (rule != NULL && rule->action == OSCAR_RELAY_DUPLICATE) {
            OSCAR_TRY(deliver_copy(r, from, to, copy, len, now_usec, false, diag));
        }
    }
    return OSCAR_OK;
}

enum oscar_err oscar_relay_add_group(struct oscar_relay *r, size_t *out_index, const char *name,
                                     const size_t *members, size_t num_members, int family,
                                     struct oscar_diag *diag)
{
    OSCAR_TRY(oscar_relay_add_node(r, out_index, name, family, diag));
    struct oscar_relay_node *g = &r->nodes[*out_index];
    g->is_group = true;
    g->members = malloc((num_members ? num_members : 1) * sizeof(*g->members));
    if (g->members == NULL) {
        return oscar_diag_set(diag, OSCAR_ERR_NOMEM, "relay: out of memory");
    }
    for (size_t i = 0; i < num_members; i++) {
        g->members[g->num_members++] = members[i];
    }
    g->real = g->alias; /* what the capture shows as the multicast destination */
    return OSCAR_OK;
}

enum oscar_err oscar_relay_service(struct oscar_relay *r, uint64_t now_usec,
                                   struct oscar_diag *diag)
{
    for (size_t to = 0; to < r->num_nodes; to++) {
        for (;;) {
            struct sockaddr_storage ss;
            socklen_t sl = sizeof(ss);
            ssize_t n =
                recvfrom(r->nodes[to].fd, r->buf, sizeof(r->buf), 0, (struct sockaddr *)&ss, &sl);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNREFUSED) {
                    break;
                }
                return oscar_diag_set(diag, OSCAR_ERR_IO, "relay: recvfrom: %s", strerror(errno));
            }
            struct oscar_endpoint src;
            from_sockaddr(&src, &ss);
            size_t from = r->num_nodes;
            for (size_t i = 0; i < r->num_nodes; i++) {
                if (r->nodes[i].real_known && oscar_endpoint_equal(&r->nodes[i].real, &src)) {
                    from = i;
                    break;
                }
            }
            if (from == r->num_nodes) {
                r->stats.unknown_source++;
                continue;
            }
            OSCAR_TRY(forward(r, from, to, (size_t)n, now_usec, diag));
        }
    }
    uint64_t mono = monotonic_usec();
    for (size_t i = 0; i < r->num_pending;) {
        struct oscar_relay_pending p = r->pending[i];
        if (p.due_usec > mono) {
            i++;
            continue;
        }
        r->pending[i] = r->pending[--r->num_pending];
        enum oscar_err err = deliver(r, p.from, p.to, p.data, p.len, now_usec, diag);
        free(p.data);
        OSCAR_TRY(err);
    }
    return OSCAR_OK;
}
