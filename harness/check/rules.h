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

/* oscar_rules_check stores the violations of t (at most cap) in *out and their number in *out_n.
 * OSCAR_ERR_NOMEM when its indexes cannot be allocated: the rules did not all run (*out_n holds
 * what was found before). */
enum oscar_err oscar_rules_check(struct oscar_violation *out, size_t cap, size_t *out_n,
                                 const struct oscar_transcript *t);

#endif
