/* gnet.c — the network-namespace test network of `oscar run --suite group --net netns` (root):
 * every node in a namespace of its own, linked by a veth pair to a bridge in a hub namespace,
 * with real IPv4 multicast (the bridge floods it; nodes join their groups' addresses), captured
 * on the bridge with libpcap.
 *
 * Everything is named after the harness's PID (oscar<pid>-hub, oscar<pid>-<i>) and removed by a
 * watchdog process that waits for the harness to close a pipe: at the end of the test, on
 * Ctrl-C, or when the harness crashes or is killed, the pipe closes and the watchdog deletes the
 * namespaces (their veths and bridge go with them). A later run also sweeps namespaces left by
 * a PID that no longer exists. */
#include "gnet.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS_DIR "/var/run/netns"

/* run_ip runs ip(8) with args and waits; true on exit 0. */
static bool run_ip(const char *const *args)
{
    pid_t pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execvp("ip", (char *const *)(uintptr_t)args);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void ns_del(const char *name)
{
    const char *args[] = {"ip", "netns", "del", name, NULL};
    (void)run_ip(args);
}

void gnet_ns_name(const struct gnet *n, int i, char *out, size_t cap)
{
    if (i < 0) {
        snprintf(out, cap, "%s-hub", n->prefix);
    } else {
        snprintf(out, cap, "%s-%d", n->prefix, i);
    }
}

void gnet_node_addr(struct oscar_endpoint *out, size_t i, bool ipv6)
{
    char text[48];
    if (ipv6) {
        snprintf(text, sizeof(text), "[fd77::%zx]:%d", i + 2, GNET_PORT);
    } else {
        snprintf(text, sizeof(text), "10.77.0.%zu:%d", i + 2, GNET_PORT);
    }
    oscar_endpoint_parse(out, text);
}

void gnet_mcast_addr(struct oscar_endpoint *out, size_t m, bool ipv6)
{
    char text[48];
    if (ipv6) {
        snprintf(text, sizeof(text), "[ff15::77:%zx]:%d", m + 1, GNET_PORT);
    } else {
        snprintf(text, sizeof(text), "239.255.77.%zu:%d", m + 1, GNET_PORT);
    }
    oscar_endpoint_parse(out, text);
}

/* sweep removes namespaces of earlier runs whose harness process is gone. */
static void sweep(void)
{
    DIR *d = opendir(NETNS_DIR);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        long pid;
        char rest[64];
        if (sscanf(e->d_name, "oscar%ld-%63s", &pid, rest) == 2 && pid > 0 &&
            kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            ns_del(e->d_name);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

/* watchdog forks the process that deletes the namespaces once the pipe closes. */
static bool watchdog(struct gnet *n)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0) {
        setsid(); /* not in the harness's process group: Ctrl-C does not reach it */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        close(p[1]);
        char c;
        while (read(p[0], &c, 1) != 0 && errno == EINTR) {
        }
        for (int i = (int)n->num_nodes - 1; i >= -1; i--) {
            char name[64];
            gnet_ns_name(n, i, name, sizeof(name));
            ns_del(name);
        }
        _exit(0);
    }
    close(p[0]);
    n->watchdog = pid;
    n->watchdog_fd = p[1];
    return true;
}

static bool node_link(struct gnet *n, size_t i)
{
    char hub[64], ns[64], veth[32], addr[48];
    gnet_ns_name(n, -1, hub, sizeof(hub));
    gnet_ns_name(n, (int)i, ns, sizeof(ns));
    snprintf(veth, sizeof(veth), "v%zu", i);
    if (n->ipv6) {
        snprintf(addr, sizeof(addr), "fd77::%zx/64", i + 2);
    } else {
        snprintf(addr, sizeof(addr), "10.77.0.%zu/24", i + 2);
    }
    const char *add_ns[] = {"ip", "netns", "add", ns, NULL};
    const char *add_veth[] = {"ip",   "link", "add",  veth,   "netns", hub, "type",
                              "veth", "peer", "name", "eth0", "netns", ns,  NULL};
    const char *to_bridge[] = {"ip", "-n", hub, "link", "set", veth, "master", "br0", "up", NULL};
    const char *lo_up[] = {"ip", "-n", ns, "link", "set", "lo", "up", NULL};
    const char *add_addr[] = {"ip", "-n", ns, "addr", "add", addr, "dev", "eth0", NULL};
    const char *add_addr6[] = {"ip", "-n", ns, "addr", "add", addr, "dev", "eth0", "nodad", NULL};
    const char *eth_up[] = {"ip", "-n", ns, "link", "set", "eth0", "up", NULL};
    const char *mroute[] = {"ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0", NULL};
    /* IPv6: the kernel's local table routes ff00::/8 to every interface that is up */
    return run_ip(add_ns) && run_ip(add_veth) && run_ip(to_bridge) && run_ip(lo_up) &&
           run_ip(n->ipv6 ? add_addr6 : add_addr) && run_ip(eth_up) && (n->ipv6 || run_ip(mroute));
}

/* open_capture opens the bridge capture from inside the hub namespace. */
static enum oscar_err open_capture(struct gnet *n, const char *pcap_path, struct oscar_diag *diag)
{
    char hub[64], path[128];
    gnet_ns_name(n, -1, hub, sizeof(hub));
    snprintf(path, sizeof(path), NETNS_DIR "/%s", hub);
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(path, O_RDONLY | O_CLOEXEC);
    enum oscar_err err = OSCAR_OK;
    if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0) {
        err = oscar_diag_set(diag, OSCAR_ERR_IO, "cannot enter %s: %s", hub, strerror(errno));
    } else {
        err = oscar_pcap_live_open(&n->capture, "br0", pcap_path, diag);
        if (setns(self, CLONE_NEWNET) != 0) {
            err = oscar_diag_set(diag, OSCAR_ERR_IO, "cannot return to our namespace: %s",
                                 strerror(errno));
        }
    }
    if (self >= 0) {
        close(self);
    }
    if (target >= 0) {
        close(target);
    }
    return err;
}

enum oscar_err gnet_up(struct gnet *n, size_t num_nodes, bool ipv6, const char *pcap_path,
                       struct oscar_diag *diag)
{
    memset(n, 0, sizeof(*n));
    n->ipv6 = ipv6;
    n->watchdog_fd = -1;
    snprintf(n->prefix, sizeof(n->prefix), "oscar%ld", (long)getpid());
    n->num_nodes = num_nodes;
    if (geteuid() != 0) {
        return oscar_diag_set(diag, OSCAR_ERR_STATE, "--net netns needs root");
    }
    sweep();
    if (!watchdog(n)) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "cannot start the namespace watchdog");
    }
    char hub[64];
    gnet_ns_name(n, -1, hub, sizeof(hub));
    const char *add_hub[] = {"ip", "netns", "add", hub, NULL};
    const char *add_br[] = {
        "ip", "-n", hub, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0", NULL};
    const char *br_up[] = {"ip", "-n", hub, "link", "set", "br0", "up", NULL};
    if (!run_ip(add_hub) || !run_ip(add_br) || !run_ip(br_up)) {
        return oscar_diag_set(diag, OSCAR_ERR_IO, "cannot make the bridge namespace %s (ip netns)",
                              hub);
    }
    for (size_t i = 0; i < num_nodes; i++) {
        if (!node_link(n, i)) {
            return oscar_diag_set(diag, OSCAR_ERR_IO, "cannot link node %zu to the bridge", i);
        }
    }
    return open_capture(n, pcap_path, diag);
}

void gnet_down(struct gnet *n)
{
    oscar_pcap_live_close(n->capture);
    n->capture = NULL;
    if (n->watchdog_fd >= 0) {
        close(n->watchdog_fd); /* the watchdog deletes the namespaces now */
        n->watchdog_fd = -1;
    }
    if (n->watchdog > 0) {
        int status;
        while (waitpid(n->watchdog, &status, 0) < 0 && errno == EINTR) {
        }
        n->watchdog = 0;
    }
}
