/* relay.h — the harness's UDP relay (DESIGN.md §5): every node talks to the others through an
 * alias socket the relay owns, so the relay sees every datagram, can apply seeded faults (drop,
 * duplicate, delay, replay the k-th datagram of a link) and writes the pcap of what it delivered,
 * with the nodes' real addresses, as a capture on the wire would show it. No privileges needed. */
#ifndef OSCAR_RELAY_H
#define OSCAR_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/hcore.h"
#include "../trace/pcapio.h"

#define OSCAR_RELAY_MAX_NODES 16 /* what the scenario runners poll for; the relay has no limit */
#define OSCAR_RELAY_MAX_RULES 32
#define OSCAR_RELAY_MAX_PENDING 256
#define OSCAR_RELAY_NAME_MAX 32
#define OSCAR_RELAY_DATAGRAM_MAX 65535

enum oscar_relay_action {
    OSCAR_RELAY_DROP,      /* the datagram is not delivered */
    OSCAR_RELAY_DUPLICATE, /* delivered twice */
    OSCAR_RELAY_DELAY,     /* delivered delay_ms later (later datagrams may overtake it) */
    OSCAR_RELAY_REPLAY,    /* delivered, and again delay_ms later (an attacker's replay) */
    OSCAR_RELAY_CORRUPT,   /* delivered with its last byte flipped (a forged signature or tag) */
};

/* struct oscar_relay_rule applies action to datagrams from node `from` to node `to` (NULL = any):
 * the nth datagram of that link (nth >= 1), or, with nth == 0, each with probability percent. */
struct oscar_relay_rule {
    char from[OSCAR_RELAY_NAME_MAX];
    char to[OSCAR_RELAY_NAME_MAX];
    enum oscar_relay_action action;
    unsigned nth;
    unsigned percent;
    unsigned delay_ms;
    bool new_mid; /* replay: change the CoAP Message ID, as an attacker dodging deduplication */
};

struct oscar_relay_node {
    char name[OSCAR_RELAY_NAME_MAX];
    struct oscar_endpoint real; /* where the node's process listens */
    bool real_known;
    struct oscar_endpoint alias; /* the relay's socket that stands for this node */
    int fd;
    /* a group alias (oscar_relay_add_group): what a node sends to it goes to every member */
    bool is_group;
    size_t *members;
    size_t num_members;
};

struct oscar_relay_pending {
    uint64_t due_usec;
    size_t from;
    size_t to;
    size_t len;
    uint8_t *data;
};

struct oscar_relay_stats {
    size_t delivered;
    size_t dropped;
    size_t duplicated;
    size_t delayed;
    size_t replayed;
    size_t corrupted;
    size_t unknown_source; /* datagrams from an address that is no node's */
};

struct oscar_relay {
    struct oscar_relay_node *nodes; /* grows with oscar_relay_add_node */
    size_t num_nodes;
    size_t cap_nodes;
    unsigned *sent; /* cap_nodes x cap_nodes: datagrams seen on link from -> to, for nth rules */
    struct oscar_relay_rule rules[OSCAR_RELAY_MAX_RULES];
    size_t num_rules;
    struct oscar_relay_pending pending[OSCAR_RELAY_MAX_PENDING];
    size_t num_pending;
    struct oscar_pcap_writer *pcap;
    uint64_t rng;
    struct oscar_relay_stats stats;
    uint8_t buf[OSCAR_RELAY_DATAGRAM_MAX];
};

/* oscar_relay_init starts an empty relay with its faults seeded by seed; pcap_path may be NULL. */
enum oscar_err oscar_relay_init(struct oscar_relay *r, uint64_t seed, const char *pcap_path,
                                struct oscar_diag *diag);

/* oscar_relay_cleanup closes sockets and the pcap (flushed), frees pending datagrams. */
void oscar_relay_cleanup(struct oscar_relay *r);

/* oscar_relay_add_node binds an alias socket on the loopback of family (AF_INET or AF_INET6) for
 * a node called name and returns its index; the node's real address comes later. */
enum oscar_err oscar_relay_add_node(struct oscar_relay *r, size_t *out_index, const char *name,
                                    int family, struct oscar_diag *diag);

/* oscar_relay_set_real records where node index listens. */
void oscar_relay_set_real(struct oscar_relay *r, size_t index, const struct oscar_endpoint *real);

/* oscar_relay_add_group adds a group alias standing for a multicast group of the member nodes
 * (indexes of earlier oscar_relay_add_node calls): a datagram a node sends to it is captured
 * once, addressed to the group alias, and delivered to every other member from the sender's
 * alias, so that each member answers the sender by unicast. Rules on the link sender -> group
 * apply to the datagram as sent; rules on sender -> member to that member's copy. */
enum oscar_err oscar_relay_add_group(struct oscar_relay *r, size_t *out_index, const char *name,
                                     const size_t *members, size_t num_members, int family,
                                     struct oscar_diag *diag);

/* oscar_relay_add_rule adds a fault rule (checked for known node names). */
enum oscar_err oscar_relay_add_rule(struct oscar_relay *r, const struct oscar_relay_rule *rule,
                                    struct oscar_diag *diag);

/* oscar_relay_pollfds fills fds with the relay's sockets (POLLIN) and returns how many. */
size_t oscar_relay_pollfds(const struct oscar_relay *r, struct pollfd *fds, size_t cap);

/* oscar_relay_timeout_ms returns how long poll may sleep before a delayed datagram is due
 * (-1: nothing pending). */
int oscar_relay_timeout_ms(const struct oscar_relay *r, uint64_t now_usec);

/* oscar_relay_service reads every readable alias socket and delivers what is due. */
enum oscar_err oscar_relay_service(struct oscar_relay *r, uint64_t now_usec,
                                   struct oscar_diag *diag);

/* oscar_now_usec returns the wall clock in microseconds (pcap timestamps). */
uint64_t oscar_now_usec(void);

#endif
