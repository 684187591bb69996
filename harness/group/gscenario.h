/* gscenario.h — multi-node Group OSCORE scenarios (scenarios/group/, format in
 * scenarios/README.md "Group scenarios"): security groups, nodes with roles and memberships,
 * multicast groups the relay fans out, per-link impairments, and steps (a request from a node,
 * a rekeying) with the set of responders the trace must show. Loaded strictly: unknown keys and
 * dangling names are errors naming the file and JSON path. */
#ifndef OSCAR_GSCENARIO_H
#define OSCAR_GSCENARIO_H

#include "../net/relay.h"
#include "oscar/group.h"

#define GS_MAX_GROUPS 4
#define GS_MAX_NODES 12
#define GS_MAX_MCAST 4
#define GS_MAX_STEPS 16
#define GS_MAX_RULES 8
#define GS_MAX_VARIANTS 8
#define GS_MAX_APP 4

struct gs_group {
    const char *name;
    uint8_t gid[8];
    size_t gid_len;
    uint8_t secret[16];
    uint8_t salt[8];
    size_t salt_len;
    int32_t sig_alg;
    bool pairwise; /* the group also has pairwise mode (AEAD + ECDH-SS + HKDF-256) */
};

enum gs_role { GS_CLIENT, GS_SERVER, GS_SILENT, GS_MONITOR };

struct gs_membership {
    size_t group;
    uint8_t sender_id[OSCAR_OSCORE_ID_MAX];
    size_t sender_id_len;
};

struct gs_node {
    const char *name;
    enum gs_role role;
    struct gs_membership member_of[GS_MAX_GROUPS];
    size_t num_member_of;
    const char *app_groups[GS_MAX_APP];
    size_t num_app_groups;
    bool pairwise_responses; /* answer group requests in pairwise mode */
};

struct gs_mcast {
    const char *name;
    size_t members[GS_MAX_NODES];
    size_t num_members;
};

enum gs_step_kind { GS_STEP_REQUEST, GS_STEP_REKEY, GS_STEP_RESTART };

struct gs_step {
    enum gs_step_kind kind;
    const char *id;
    const char *rfc;
    /* request */
    size_t from;   /* node */
    bool to_mcast; /* to is a multicast group (else a node) */
    size_t to;     /* multicast or node index */
    size_t group;  /* security group */
    bool pairwise; /* pairwise mode (unicast to a node) */
    const char *method;
    const char *path;
    const char *payload;
    bool expect_responders_given;
    bool responders[GS_MAX_NODES];   /* the nodes that must answer, each exactly once */
    const char *code;                /* the decrypted code every response must carry, or NULL */
    const char *codes[GS_MAX_NODES]; /* per responder, overriding code */
    bool echo_retry[GS_MAX_NODES];   /* §9: the node challenges with Echo; the client's retry to
                                        it (unicast, pairwise if set, with the Echo) succeeds */
    unsigned wait_ms;
    /* restart: the node restarts without its replay windows, Sender Sequence Number from
     * seq_start (§2.6.1; as if persisted, RFC 8613 B.1.1) */
    size_t node;
    uint64_t seq_start;
    /* rekey: the group gets a new Master Secret and Gid (§12.2) */
    uint8_t new_gid[8];
    size_t new_gid_len;
    uint8_t new_secret[16];
};

struct gs_variant {
    const char *bug;
    size_t node;
    const char *fails_at;
};

struct gs_scenario {
    const char *path;
    bool ipv6; /* "ip": "ipv6": the nodes talk IPv6 (loopback on the relay, fd77::/64 and ff15::
                  multicast in namespaces) */
    const char *id;
    const char *title;
    const char *source;
    const char *rfc;
    const char *suites[4];
    size_t num_suites;
    struct gs_group groups[GS_MAX_GROUPS];
    size_t num_groups;
    struct gs_node nodes[GS_MAX_NODES];
    size_t num_nodes;
    struct gs_mcast mcast[GS_MAX_MCAST];
    size_t num_mcast;
    struct oscar_relay_rule relay[GS_MAX_RULES];
    size_t num_relay;
    const char *allowed[4]; /* trace rules the stimulus breaks on purpose */
    size_t num_allowed;
    struct gs_step steps[GS_MAX_STEPS];
    size_t num_steps;
    struct gs_variant variants[GS_MAX_VARIANTS];
    size_t num_variants;
};

/* gs_load reads a group scenario (memory from arena). */
enum oscar_err gs_load(struct gs_scenario *out, const char *path, struct oscar_arena *a,
                       struct oscar_diag *diag);

#endif
