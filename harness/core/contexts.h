/* contexts.h — security contexts as data: the JSON form every Oscar tool shares (field names of
 * the RFC 8613 vector inputs: master_secret, master_salt, sender_id, recipient_id, id_context,
 * aead_algorithm, hkdf), or, for a context stated by its keys as the plugtest specification does,
 * sender_key, recipient_key and common_iv instead of master_secret. Strictly loaded. */
#ifndef OSCAR_CONTEXTS_H
#define OSCAR_CONTEXTS_H

#include "hcore.h"
#include "oscar/oscore.h"

#define OSCAR_CONTEXT_NAME_MAX 48

struct oscar_context_spec {
    char name[OSCAR_CONTEXT_NAME_MAX];
    struct oscar_bytes_field master_secret, master_salt, sender_id, recipient_id, id_context;
    struct oscar_bytes_field sender_key, recipient_key, common_iv;
    int64_t aead_alg;
    int32_t hkdf_alg;
    int64_t replay_window;
};

/* oscar_context_spec_load reads one context object at loc (memory from arena). */
enum oscar_err oscar_context_spec_load(struct oscar_context_spec *out, const cJSON *obj,
                                       const struct oscar_json_loc *loc, struct oscar_arena *arena);

/* oscar_context_spec_init sets up ctx from spec with the wolfCrypt backend. */
enum oscar_err oscar_context_spec_init(struct oscar_oscore_ctx *ctx,
                                       const struct oscar_context_spec *spec);

#endif
