/* gnet.h — the network-namespace test network of the group scenarios (gnet.c). */
#ifndef OSCAR_GNET_H
#define OSCAR_GNET_H

#include <stdbool.h>
#include <sys/types.h>

#include "../trace/pcapio.h"

#define GNET_PORT 5683

struct gnet {
    char prefix[32]; /* oscar<pid> */
    bool ipv6;
    size_t num_nodes;
    pid_t watchdog;
    int watchdog_fd;
    struct oscar_pcap_live *capture;
};

/* gnet_up makes the hub namespace with its bridge, one namespace per node (10.77.0.<i+2>/24 on
 * eth0, multicast routed to eth0; fd77::<i+2>/64 without duplicate address detection for
 * ipv6), and starts capturing the bridge into pcap_path. On error
 * call gnet_down all the same. */
enum oscar_err gnet_up(struct gnet *n, size_t num_nodes, bool ipv6, const char *pcap_path,
                       struct oscar_diag *diag);

/* gnet_down stops the capture and has the watchdog delete every namespace, then reaps it. */
void gnet_down(struct gnet *n);

/* gnet_ns_name writes node i's namespace name (i = -1: the hub's). */
void gnet_ns_name(const struct gnet *n, int i, char *out, size_t cap);

/* gnet_node_addr: node i's address and port (10.77.0.<i+2> or fd77::<i+2>); gnet_mcast_addr:
 * multicast group m's (239.255.77.<m+1> or ff15::77:<m+1>). */
void gnet_node_addr(struct oscar_endpoint *out, size_t i, bool ipv6);
void gnet_mcast_addr(struct oscar_endpoint *out, size_t m, bool ipv6);

#endif
