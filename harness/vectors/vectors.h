/* vectors.h — OSCORE test vectors as data (schema of shared/spec/vectors/rfc8613.json, RFC 8613
 * Appendix C): a strict loader into typed records and a runner that checks every field a vector
 * states against the reference implementation. */
#ifndef OSCAR_VECTORS_H
#define OSCAR_VECTORS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/hcore.h"

enum oscar_vector_kind {
    OSCAR_VECTOR_KEY_DERIVATION,
    OSCAR_VECTOR_REQUEST_PROTECTION,
    OSCAR_VECTOR_RESPONSE_PROTECTION,
};

struct oscar_vector_kd {
    const char *role;
    struct oscar_bytes_field master_secret, master_salt, sender_id, recipient_id, id_context;
    int64_t aead_alg;
    int32_t hkdf_alg;
    struct oscar_bytes_field info_sender_key, info_recipient_key, info_common_iv;
    struct oscar_bytes_field sender_key, recipient_key, common_iv;
    struct oscar_bytes_field sender_nonce, recipient_nonce;
};

struct oscar_vector_prot {
    const char *security_context_from;
    struct oscar_bytes_field unprotected;
    int64_t aead_alg;
    const char *aead_alg_name;
    const char *kdf_name;
    struct oscar_bytes_field common_iv, id_context;
    struct oscar_bytes_field sender_id, sender_key;
    int64_t seq;
    struct oscar_bytes_field partial_iv, kid, kid_context, aad_array, aad, plaintext,
        encryption_key, nonce;
    struct oscar_bytes_field option_value, ciphertext, protected_msg;
    const char *request_ref;
    struct oscar_bytes_field request_kid, request_piv, request_nonce;
};

struct oscar_vector {
    const char *id;
    const char *title;
    enum oscar_vector_kind kind;
    size_t index; /* position in the file's "vectors" array */
    struct oscar_vector_kd kd;
    struct oscar_vector_prot prot;
};

struct oscar_vector_file {
    const char *path;
    const char *source;
    size_t num_vectors;
    struct oscar_vector *vectors;
};

/* oscar_vectors_load reads path into *out (memory from arena). Unusable input (bad JSON, unknown
 * kind or key, missing field, bad hex) returns OSCAR_ERR_PARSE with file, vector id and JSON path
 * in diag. */
enum oscar_err oscar_vectors_load(struct oscar_vector_file *out, const char *path,
                                  struct oscar_arena *arena, struct oscar_diag *diag);

/* struct oscar_vector_mutation selects a deliberate corruption for negative controls. */
enum oscar_vector_mutation_kind {
    OSCAR_MUTATE_NONE,
    OSCAR_MUTATE_EXPECTED,        /* flip a bit of the expected value of check number `target` */
    OSCAR_MUTATE_EXPECTED_LENGTH, /* shorten (or lengthen an empty) expected value `target` */
    OSCAR_MUTATE_KEY,             /* flip a bit of the key used to protect / derive */
    OSCAR_MUTATE_NONCE,           /* flip a bit of the Common IV, hence of every nonce */
};

struct oscar_vector_mutation {
    enum oscar_vector_mutation_kind kind;
    size_t target;
};

/* struct oscar_vector_result is the outcome of running one vector. */
struct oscar_vector_result {
    bool pass;
    size_t num_checks;
    size_t num_failed;
    char first_failure[OSCAR_DIAG_MAX];
    size_t num_tamper;          /* protected-message bit flips tried */
    size_t num_tamper_accepted; /* ... that were wrongly accepted */
};

/* oscar_vector_run checks vector v of file f. report (may be NULL) receives one line per failed
 * check with expected and actual hex. Returns an error only for unusable input found at run
 * time (e.g. a dangling security_context_from), with diag set. */
enum oscar_err oscar_vector_run(struct oscar_vector_result *out, const struct oscar_vector_file *f,
                                const struct oscar_vector *v,
                                const struct oscar_vector_mutation *mutation, FILE *report,
                                struct oscar_diag *diag);

/* struct oscar_group_vector_opts selects and tunes the Group OSCORE vectors run (group.c). */
struct oscar_group_vector_opts {
    bool (*selected)(const void *arg, const char *id); /* NULL: all */
    const void *selected_arg;
    bool negative; /* also corrupt each expected value in turn: the vector must fail */
    FILE *report;  /* a line per failed check, or NULL */
};

struct oscar_group_vector_tally {
    size_t passed;
    size_t failed;
    size_t matched;
};

/* oscar_group_vectors_run runs path if it is a Group OSCORE vector file (compression examples,
 * hackathon contexts or derived groups; *is_group says whether it was), printing a PASS or FAIL
 * line per vector and counting them in *t. Errors are for unusable input (diag). */
enum oscar_err oscar_group_vectors_run(const char *path, const struct oscar_group_vector_opts *o,
                                       struct oscar_group_vector_tally *t, bool *is_group,
                                       struct oscar_diag *diag);

#endif
