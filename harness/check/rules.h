/* rules.h — trace rules: what every OSCORE conversation must satisfy whatever the scenario, each
 * with a stable ID and the RFC 8613 section it enforces, evaluated on a decoded capture. The
 * catalogue (oscar_rules, docs/rules.md) is the contract; IDs never change meaning. */
#ifndef OSCAR_RULES_H
#define OSCAR_RULES_H

#include "decode.h"

struct oscar_rule {
    const char *id;
    const char *rfc;
    const char *summary;
};

/* oscar_rules returns the rule catalogue (terminated by an entry with id NULL). */
const struct oscar_rule *oscar_rules(void);

struct oscar_violation {
    const struct oscar_rule *rule;
    size_t msg; /* index in the transcript */
    char detail[256];
};

/* struct oscar_rules_opts says how far the capture order can be trusted and what the recipients
 * were configured with. */
struct oscar_rules_opts {
    /* How far the capture order can differ from the order in which each sender sent (the
     * Partial IV order rule) and in which each recipient received (the replay window model),
     * in microseconds. 0: exactly that order (a capture on the peers' host without reordering).
     * Otherwise datagrams less than that far apart may have been swapped on the way (a capture
     * mid-network; the harness's relay delaying a datagram, which it captures on delivery, so
     * in the recipient's order), and the order rules give them the benefit of the doubt. */
    uint64_t sender_reorder_usec;
    uint64_t receiver_reorder_usec;
    /* the recipients' replay window size (§7.4; default 32, RFC 8613 §3.2.2) */
    uint64_t replay_window;
};

#define OSCAR_RULES_DEFAULT_REPLAY_WINDOW 32

/* oscar_rules_check stores the violations of t (at most cap) in *out and their number in *out_n;
 * opts NULL means capture order trusted and a window of 32. OSCAR_ERR_NOMEM when its indexes
 * cannot be allocated: the rules did not all run (*out_n holds what was found before). */
enum oscar_err oscar_rules_check(struct oscar_violation *out, size_t cap, size_t *out_n,
                                 const struct oscar_transcript *t,
                                 const struct oscar_rules_opts *opts);

#endif
