/* gjudge.h — the Group OSCORE side of the checker: the key material of a scenario's members
 * (deterministic from the scenario, so a capture can be judged again), decoding of group- and
 * pairwise-mode messages in a capture, and the group trace rules. */
#ifndef OSCAR_GJUDGE_H
#define OSCAR_GJUDGE_H

#include "../check/decode.h"
#include "gscenario.h"

#define GJ_MAX_EPOCHS 8 /* a group's contexts: the first, then one per rekeying */
#define GJ_MAX_MSGS 4096
#define GJ_MAX_VIOLATIONS 32
#define GJ_MSG_MAX 1500

struct gj_rule {
    const char *id;
    const char *rfc;
    const char *summary;
};

/* gj_rules returns the group rule catalogue (terminated by an entry with id NULL). */
const struct gj_rule *gj_rules(void);

/* struct gj_epoch is one Security Context of a group: the first, or the one after a rekeying. */
struct gj_epoch {
    size_t group;
    uint8_t gid[8];
    size_t gid_len;
    uint8_t secret[16];
};

struct gj_member_id {
    uint8_t id[OSCAR_OSCORE_ID_MAX];
    size_t len;
};

/* struct gj_keys holds every member's context in every epoch, and where each node listens. */
struct gj_keys {
    const struct gs_scenario *s;
    struct gj_epoch epochs[GJ_MAX_EPOCHS];
    size_t num_epochs;
    bool have[GJ_MAX_EPOCHS][GS_MAX_NODES];
    struct oscar_group_ctx ctx[GJ_MAX_EPOCHS][GS_MAX_NODES];
    struct oscar_group_recipient slots[GJ_MAX_EPOCHS][GS_MAX_NODES][GS_MAX_NODES];
    struct gj_member_id ids[GJ_MAX_EPOCHS][GS_MAX_NODES];
    struct oscar_endpoint real[GS_MAX_NODES];
    bool known[GS_MAX_NODES];
    uint64_t serial;
};

/* gs_member_key derives node n's private signature key in group g (32 bytes), deterministic
 * from the scenario: a run's capture can be decoded again from the scenario alone. */
void gs_member_key(const struct gs_scenario *s, size_t n, size_t g, uint8_t d[32]);

/* gj_keys_init builds the contexts of every member in the first epoch of every group and in
 * the epochs the scenario's rekey steps make; faults are group faults set on every context
 * (the decoder reads replays: OSCAR_GROUP_FAULT_ACCEPT_REPLAY). */
enum oscar_err gj_keys_init(struct gj_keys *k, const struct gs_scenario *s, uint32_t faults);
void gj_keys_cleanup(struct gj_keys *k);

/* gj_params fills p (and the byte storage of st) for node n in epoch e. */
struct gj_param_store {
    uint8_t d[32];
    uint8_t cred[OSCAR_SIG_PUB_MAX];
};
enum oscar_err gj_params(struct oscar_group_params *p, struct gj_param_store *st,
                         const struct gj_keys *k, size_t e, size_t n);

/* struct gj_msg is what the group decoder says of one datagram. */
struct gj_msg {
    bool oscore;
    int src; /* node index, -1 if none */
    int dst;
    bool group_mode;
    bool has_kid;
    uint8_t piv[OSCAR_OSCORE_PIV_MAX];
    size_t piv_len;
    int epoch;
    bool pairwise_set; /* the message's group has pairwise mode */
    enum oscar_oscore_verdict verdict;
    uint8_t inner_code;
    uint8_t echo[OSCAR_OSCORE_ECHO_MAX]; /* the decrypted Echo option (RFC 9175), if any */
    size_t echo_len;
    long request; /* responses: the request they answer, -1 */
    struct oscar_group_exchange ex;
};

struct gj_violation {
    const struct gj_rule *rule;
    size_t msg;
    char detail[256];
};

struct gj_result {
    struct gj_msg msgs[GJ_MAX_MSGS];
    size_t num_msgs;
    const char *const *allowed; /* rule IDs the stimulus breaks on purpose */
    size_t num_allowed;
    struct gj_violation violations[GJ_MAX_VIOLATIONS];
    size_t num_violations;
};

/* gj_decode decodes every Group OSCORE message of t with k. */
void gj_decode(struct gj_result *r, struct gj_keys *k, const struct oscar_transcript *t);

/* gj_rules_check applies the group trace rules to the decoded capture. */
void gj_rules_check(struct gj_result *r, const struct oscar_transcript *t);

#endif
