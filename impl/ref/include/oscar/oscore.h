/* oscar/oscore.h — the reference OSCORE implementation (RFC 8613).
 *
 * Security contexts are caller-owned (_init/_cleanup) and never allocate. Protecting is a fallible
 * operation (enum oscar_err); receiving is an outcome (enum oscar_oscore_verdict): what a peer
 * sent is never a library error. Messages go in and come out as CoAP-over-UDP bytes; input and
 * output buffers must not overlap. */
#ifndef OSCAR_OSCORE_H
#define OSCAR_OSCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscar/coap.h"
#include "oscar/core.h"
#include "oscar/crypto.h"

#define OSCAR_OSCORE_VERSION 1                     /* §5.4 oscore_version */
#define OSCAR_OSCORE_ID_MAX 7                      /* §5.2: nonce length - 6 for 13-byte nonces */
#define OSCAR_OSCORE_ID_CONTEXT_MAX 64             /* our storage limit for an ID Context */
#define OSCAR_OSCORE_SECRET_MAX 64                 /* our storage limit for Master Secret */
#define OSCAR_OSCORE_SALT_MAX 64                   /* our storage limit for Master Salt */
#define OSCAR_OSCORE_PIV_MAX 5                     /* §6.1: n = 1..5 */
#define OSCAR_OSCORE_SEQ_LIMIT (UINT64_C(1) << 40) /* §7.2.1: SSN < 2^40 */
#define OSCAR_OSCORE_REPLAY_WINDOW_DEFAULT 32      /* §3.2.2 */
#define OSCAR_OSCORE_REPLAY_WINDOW_MAX 1024
#define OSCAR_OSCORE_NOTIFICATION_WINDOW 64 /* PIVs remembered per observation (§7.4.1) */
#define OSCAR_OSCORE_ECHO_MAX 40            /* RFC 9175 §2.2.1: Echo is 1-40 bytes */
#define OSCAR_OSCORE_OPTION_MAX 255         /* RFC 8613 §2: OSCORE option length 0-255 */
#define OSCAR_OSCORE_AAD_MAX 96             /* Enc_structure with empty Class I options */
#define OSCAR_OSCORE_INFO_MAX (16 + OSCAR_OSCORE_ID_MAX + OSCAR_OSCORE_ID_CONTEXT_MAX)

/* OSCORE option flag bits (§6.1, registry §13.7). */
#define OSCAR_OSCORE_FLAG_PIV_LEN_MASK 0x07
#define OSCAR_OSCORE_FLAG_KID 0x08
#define OSCAR_OSCORE_FLAG_KID_CONTEXT 0x10
#define OSCAR_OSCORE_FLAG_GROUP 0x20 /* Group OSCORE (RFC 10021 §4); reserved in RFC 8613 */
#define OSCAR_OSCORE_FLAG_RESERVED 0xE0
#define OSCAR_OSCORE_PIV_LEN_RESERVED_MIN 6

/* enum oscar_option_class is the protection class of a CoAP option (§4.1, Figure 5). */
enum oscar_option_class {
    OSCAR_OPTION_CLASS_E = 1,  /* inner only */
    OSCAR_OPTION_CLASS_U = 2,  /* outer only */
    OSCAR_OPTION_CLASS_EU = 3, /* both an inner and an outer instance exist */
};

/* oscar_oscore_option_class returns the class of option number (unknown options are E, §4.1). */
enum oscar_option_class oscar_oscore_option_class(uint16_t number);

/* struct oscar_oscore_option is a decoded OSCORE option value (§6.1); pointers [borrow]. */
struct oscar_oscore_option {
    uint8_t flags;
    const uint8_t *piv;
    size_t piv_len;
    bool has_kid_context;
    const uint8_t *kid_context;
    size_t kid_context_len;
    bool has_kid;
    const uint8_t *kid;
    size_t kid_len;
};

/* enum oscar_oscore_option_rule is the outcome of decoding an OSCORE option value. */
enum oscar_oscore_option_rule {
    OSCAR_OSCORE_OPTION_OK = 0,
    OSCAR_OSCORE_OPTION_RESERVED_FLAGS,       /* §6.1: reserved bits set => malformed */
    OSCAR_OSCORE_OPTION_PIV_LEN_RESERVED,     /* §6.1: n = 6 or 7 */
    OSCAR_OSCORE_OPTION_TRUNCATED,            /* Partial IV or kid context runs past the end */
    OSCAR_OSCORE_OPTION_TRAILING_BYTES,       /* bytes left over with the kid flag clear */
    OSCAR_OSCORE_OPTION_ZERO_FLAGS_NOT_EMPTY, /* §2: flags all zero => value SHALL be empty */
    OSCAR_OSCORE_OPTION_PIV_NOT_MINIMAL,      /* §5: leading zero bytes SHALL be removed */
    OSCAR_OSCORE_OPTION_TOO_LONG,             /* §2: option longer than 255 bytes */
    OSCAR_OSCORE_OPTION_RULE__COUNT
};

const char *oscar_oscore_option_rule_str(enum oscar_oscore_option_rule rule);

/* oscar_oscore_option_decode decodes an OSCORE option value (§6.1). allow_group accepts the
 * Group Flag (0x20) for Group OSCORE callers; RFC 8613 callers pass false. */
enum oscar_oscore_option_rule oscar_oscore_option_decode(struct oscar_oscore_option *out,
                                                         const uint8_t *value, size_t len,
                                                         bool allow_group);

/* oscar_oscore_option_encode writes the option value for opt; flags beyond n/k/h are taken from
 * opt->flags (so a fault-injecting caller may set reserved bits). */
enum oscar_err oscar_oscore_option_encode(uint8_t *out, size_t out_cap, size_t *out_len,
                                          const struct oscar_oscore_option *opt);

/* oscar_oscore_piv_encode writes seq as a minimal Partial IV (§5: 0 => h'00'), returns length. */
size_t oscar_oscore_piv_encode(uint8_t out[OSCAR_OSCORE_PIV_MAX], uint64_t seq);

/* oscar_oscore_piv_decode reads a Partial IV of 1..5 bytes. */
uint64_t oscar_oscore_piv_decode(const uint8_t *piv, size_t len);

/* struct oscar_oscore_params holds the input parameters of a Security Context (§3.2). Byte
 * strings are [borrow]ed during init only. A NULL master_salt means the empty default (§3.2). */
struct oscar_oscore_params {
    const uint8_t *master_secret;
    size_t master_secret_len;
    const uint8_t *master_salt;
    size_t master_salt_len;
    const uint8_t *sender_id;
    size_t sender_id_len;
    const uint8_t *recipient_id;
    size_t recipient_id_len;
    bool has_id_context;
    const uint8_t *id_context;
    size_t id_context_len;
    int32_t aead_alg;     /* COSE id; 0 means the default AES-CCM-16-64-128 (§3.2) */
    int32_t hkdf_alg;     /* COSE id; 0 means the default HKDF SHA-256 (§3.2) */
    size_t replay_window; /* 0 means the default of 32 (§3.2.2) */
};

/* struct oscar_oscore_replay is a sliding replay window (§7.4): bit i of bits set means
 * highest - i was received. valid is false after loss of state (Appendix B.1.2). */
struct oscar_oscore_replay {
    size_t size;
    bool valid;
    bool seen_any;
    uint64_t highest;
    uint64_t bits[OSCAR_OSCORE_REPLAY_WINDOW_MAX / 64];
};

/* oscar_oscore_persist_fn stores ssn in non-volatile memory (Appendix B.1.1); non-zero = failed. */
typedef int (*oscar_oscore_persist_fn)(void *arg, uint64_t ssn);

struct oscar_oscore_sender {
    uint8_t id[OSCAR_OSCORE_ID_MAX];
    size_t id_len;
    uint8_t key[OSCAR_CRYPTO_KEY_MAX];
    struct oscar_aead_key aead;
    uint64_t seq; /* next Sender Sequence Number */
};

struct oscar_oscore_recipient {
    uint8_t id[OSCAR_OSCORE_ID_MAX];
    size_t id_len;
    uint8_t key[OSCAR_CRYPTO_KEY_MAX];
    struct oscar_aead_key aead;
    struct oscar_oscore_replay replay;
    uint8_t echo[OSCAR_OSCORE_ECHO_MAX]; /* Echo value sent while the window is invalid (B.1.2) */
    size_t echo_len;
};

/* enum oscar_oscore_fault lists deliberate non-conformances of the reference implementation, in
 * the spirit of BoringSSL's BoGo shim: each one is a real bug seen in OSCORE stacks, switched on
 * per context (ctx->faults) so the suite can prove it catches it. Zero is conformant. */
enum oscar_oscore_fault {
    OSCAR_FAULT_REUSE_PIV = 1u << 0,        /* §7.2: the Sender Sequence Number never advances */
    OSCAR_FAULT_ACCEPT_REPLAY = 1u << 1,    /* §7.4: the replay window is not consulted */
    OSCAR_FAULT_WRONG_OUTER_CODE = 1u << 2, /* §4.2: the Outer Code is the original Code */
    OSCAR_FAULT_CLASS_E_OUTER = 1u << 3,    /* §4.1.1: Class E options also sent outside */
    OSCAR_FAULT_WRONG_RESPONSE_NONCE = 1u << 4, /* §5.2: own-PIV response nonce built with the
                                                   peer's ID instead of our Sender ID */
    OSCAR_FAULT_NO_KID = 1u << 5,               /* §5: requests carry no 'kid' */
    OSCAR_FAULT_SKIP_TAG_CHECK = 1u << 6,       /* §8.2 step 6: decrypt without verifying */
    OSCAR_FAULT_RESERVED_FLAGS = 1u << 7,       /* §6.1: a reserved flag bit (0x80) is set */
    OSCAR_FAULT_NONMINIMAL_PIV = 1u << 8,       /* §5: Partial IV sent with a leading zero */
    OSCAR_FAULT_WRONG_EXTERNAL_AAD = 1u << 9,   /* §5.4: request_piv left out of the AAD */
};

/* oscar_oscore_fault_name returns the switch name of a single fault bit ("reuse-piv", ...), or
 * NULL; oscar_oscore_fault_parse maps a name back (0 if unknown). */
const char *oscar_oscore_fault_name(uint32_t fault);
uint32_t oscar_oscore_fault_parse(const char *name);

/* struct oscar_oscore_ctx is a Security Context (§3.1): Common, Sender and Recipient Context. */
struct oscar_oscore_ctx {
    const struct oscar_crypto_ops *crypto;
    const struct oscar_alg_info *alg;
    int32_t hkdf_alg;
    uint8_t master_secret[OSCAR_OSCORE_SECRET_MAX];
    size_t master_secret_len;
    uint8_t master_salt[OSCAR_OSCORE_SALT_MAX];
    size_t master_salt_len;
    bool has_id_context;
    uint8_t id_context[OSCAR_OSCORE_ID_CONTEXT_MAX];
    size_t id_context_len;
    uint8_t common_iv[OSCAR_CRYPTO_NONCE_MAX];
    struct oscar_oscore_sender sender;
    struct oscar_oscore_recipient recipient;
    /* Appendix B.1.1 sequence-number persistence; persist == NULL disables it. */
    oscar_oscore_persist_fn persist;
    void *persist_arg;
    uint64_t persist_k;
    uint64_t persist_f;
    bool persist_pending; /* after a restore: store the first SSN used before using it */
    uint32_t faults;      /* enum oscar_oscore_fault bits; 0 = conformant */
};

/* oscar_oscore_ctx_init derives a Security Context from params (§3.2.1) using crypto. */
enum oscar_err oscar_oscore_ctx_init(struct oscar_oscore_ctx *ctx,
                                     const struct oscar_crypto_ops *crypto,
                                     const struct oscar_oscore_params *params);

/* struct oscar_oscore_keys gives a context's derived values directly, for test vectors that state
 * keys rather than Master Secret, and for key material from elsewhere. Bytes are [borrow]ed. */
struct oscar_oscore_keys {
    int32_t aead_alg;
    const uint8_t *sender_id;
    size_t sender_id_len;
    const uint8_t *sender_key; /* alg key_len bytes */
    const uint8_t *recipient_id;
    size_t recipient_id_len;
    const uint8_t *recipient_key; /* alg key_len bytes */
    const uint8_t *common_iv;     /* alg nonce_len bytes */
    bool has_id_context;
    const uint8_t *id_context;
    size_t id_context_len;
    size_t replay_window;
};

/* oscar_oscore_ctx_init_keys sets up a context from already derived keys. It has no Master
 * Secret, so it cannot be re-derived (Appendix B.2). */
enum oscar_err oscar_oscore_ctx_init_keys(struct oscar_oscore_ctx *ctx,
                                          const struct oscar_crypto_ops *crypto,
                                          const struct oscar_oscore_keys *keys);

/* oscar_oscore_ctx_cleanup wipes keys and secrets; safe on a zeroed or cleaned context. */
void oscar_oscore_ctx_cleanup(struct oscar_oscore_ctx *ctx);

/* oscar_oscore_ctx_rederive derives a new context from ctx's Master Secret, Master Salt and IDs
 * with a new ID Context (Appendix B.2), into *out (which may be ctx itself). Sequence number and
 * replay window start fresh. */
enum oscar_err oscar_oscore_ctx_rederive(struct oscar_oscore_ctx *out,
                                         const struct oscar_oscore_ctx *ctx,
                                         const uint8_t *id_context, size_t id_context_len);

/* oscar_oscore_set_persistence enables Appendix B.1.1: before using a Sender Sequence Number
 * divisible by k, and before the first one used after a restore, persist(arg, ssn) must succeed.
 * The extra store after a restore keeps a second reboot before the next multiple of k from
 * coming back to the same SSN2 = SSN1 + K + F. */
void oscar_oscore_set_persistence(struct oscar_oscore_ctx *ctx, oscar_oscore_persist_fn persist,
                                  void *arg, uint64_t k, uint64_t f);

/* oscar_oscore_restore_after_reboot sets the context as after a reboot (Appendix B.1): the
 * Sender Sequence Number becomes stored_ssn + K + F (B.1.1) and the replay window becomes invalid
 * until an Echo exchange verifies a fresh request (B.1.2). */
enum oscar_err oscar_oscore_restore_after_reboot(struct oscar_oscore_ctx *ctx, uint64_t stored_ssn);

/* oscar_oscore_derive_info writes the CBOR info array [id, id_context / nil, alg_aead, type, L]
 * of §3.2.1 in minimal encoding; type_iv selects "IV" over "Key". */
enum oscar_err oscar_oscore_derive_info(uint8_t *out, size_t out_cap, size_t *out_len,
                                        const uint8_t *id, size_t id_len, const uint8_t *id_context,
                                        size_t id_context_len, bool has_id_context,
                                        int32_t aead_alg, bool type_iv, size_t length);

/* oscar_oscore_nonce computes the AEAD nonce of §5.2 into out (alg->nonce_len bytes). */
enum oscar_err oscar_oscore_nonce(uint8_t *out, const struct oscar_alg_info *alg,
                                  const uint8_t *common_iv, const uint8_t *id_piv,
                                  size_t id_piv_len, const uint8_t *piv, size_t piv_len);

/* oscar_oscore_aad_array writes aad_array of §5.4 (without the bstr wrapping). */
enum oscar_err oscar_oscore_aad_array(uint8_t *out, size_t out_cap, size_t *out_len,
                                      int32_t aead_alg, const uint8_t *request_kid,
                                      size_t request_kid_len, const uint8_t *request_piv,
                                      size_t request_piv_len, const uint8_t *class_i_options,
                                      size_t class_i_len);

/* oscar_oscore_enc_structure writes AAD = ["Encrypt0", h'', bstr(aad_array)] (§5.4). */
enum oscar_err oscar_oscore_enc_structure(uint8_t *out, size_t out_cap, size_t *out_len,
                                          const uint8_t *aad_array, size_t aad_array_len);

/* struct oscar_oscore_exchange binds responses to their request (§7.1, §8): the request's kid,
 * Partial IV and nonce, plus Observe state (§4.1.3.5, §7.4.1). */
struct oscar_oscore_exchange {
    uint8_t request_kid[OSCAR_OSCORE_ID_MAX];
    size_t request_kid_len;
    uint8_t request_piv[OSCAR_OSCORE_PIV_MAX];
    size_t request_piv_len;
    uint8_t request_nonce[OSCAR_CRYPTO_NONCE_MAX];
    bool observe;            /* the request was an Observe registration (inner Observe 0) */
    bool request_nonce_used; /* a response already used the request's nonce */
    bool must_use_own_piv;   /* B.1.2: server could not do replay protection for the request */
    size_t num_responses;    /* responses protected (server) or accepted (client) */
    bool final_received;     /* client: a response that ends the exchange was accepted */
    bool last_fresh;         /* client: the last accepted notification is the freshest (§7.4.1) */
    bool have_notification_number;
    uint64_t notification_number; /* §7.4.1 */
    uint64_t notification_seen;   /* bit i: notification_number - i received */
};

/* enum oscar_oscore_verdict is the outcome of receiving a message (§8.2, §8.4). */
enum oscar_oscore_verdict {
    OSCAR_OSCORE_ACCEPT = 0,
    OSCAR_OSCORE_NOT_OSCORE,          /* no OSCORE option */
    OSCAR_OSCORE_MALFORMED_COAP,      /* the received bytes are not CoAP (RFC 7252 §3) */
    OSCAR_OSCORE_DECODE_FAILED,       /* §8.2 step 2: decompression/COSE decoding failed */
    OSCAR_OSCORE_NO_CONTEXT,          /* §8.2 step 2: no Recipient Context for kid */
    OSCAR_OSCORE_REPLAY,              /* §7.4, §8.2 step 3: Partial IV received before */
    OSCAR_OSCORE_DECRYPT_FAILED,      /* §8.2 step 6, §8.4 step 5: AEAD verification failed */
    OSCAR_OSCORE_PLAINTEXT_MALFORMED, /* §5.3: decrypted plaintext is not code/options/payload */
    OSCAR_OSCORE_FRESHNESS_REQUIRED,  /* B.1.2: replay window invalid; answer with 4.01 + Echo */
    OSCAR_OSCORE_UNEXPECTED_OBSERVE, /* §4.1.3.5.2: inner Observe answering a non-Observe request */
    OSCAR_OSCORE_DUPLICATE_RESPONSE, /* §7.4, §7.4.1, §8.4.2: response already accepted */
    OSCAR_OSCORE_VERDICT__COUNT
};

const char *oscar_oscore_verdict_str(enum oscar_oscore_verdict verdict);

/* oscar_oscore_verdict_name returns the verdict's stable machine name ("accept", "replay",
 * "decrypt-failed", ...), as used in events, scenarios and reports. */
const char *oscar_oscore_verdict_name(enum oscar_oscore_verdict verdict);

/* struct oscar_oscore_send_opts tunes one protect operation. */
struct oscar_oscore_send_opts {
    bool include_kid_context; /* requests: send the ID Context as 'kid context' (§5.1) */
    bool own_piv;             /* responses: use a new Partial IV instead of the request nonce */
    bool include_kid;         /* responses: also send 'kid' (e.g. Appendix B.2 or Group OSCORE) */
    bool has_response_kid_context; /* responses: send kid context (Appendix B.2 response #1) */
    const uint8_t *response_kid_context;
    size_t response_kid_context_len;
};

/* oscar_oscore_protect_request turns the CoAP request msg into an OSCORE request (§8.1) in out,
 * consuming one Sender Sequence Number, and records the exchange in *out_ex. */
enum oscar_err oscar_oscore_protect_request(struct oscar_oscore_ctx *ctx, uint8_t *out,
                                            size_t out_cap, size_t *out_len,
                                            struct oscar_oscore_exchange *out_ex,
                                            const struct oscar_oscore_send_opts *opts,
                                            const uint8_t *msg, size_t msg_len);

/* oscar_oscore_protect_response protects the CoAP response msg (§8.3, §8.3.1) bound to ex. A
 * second response without own Partial IV is refused (OSCAR_ERR_NONCE_REUSE), as is a response
 * without own Partial IV when ex->must_use_own_piv or to a notification after the first. */
enum oscar_err oscar_oscore_protect_response(struct oscar_oscore_ctx *ctx, uint8_t *out,
                                             size_t out_cap, size_t *out_len,
                                             struct oscar_oscore_exchange *ex,
                                             const struct oscar_oscore_send_opts *opts,
                                             const uint8_t *msg, size_t msg_len);

/* oscar_oscore_unprotect_request verifies an OSCORE request (§8.2) against the contexts in ctxs
 * (the first whose Recipient ID and ID Context match and that verifies wins; *out_ctx_index).
 * On ACCEPT or FRESHNESS_REQUIRED, out holds the decrypted request and *out_ex the exchange.
 * out_cap must leave room for the plaintext too: 2 * msg_len + 8 bytes always suffice. */
enum oscar_err oscar_oscore_unprotect_request(struct oscar_oscore_ctx *const *ctxs, size_t num_ctxs,
                                              enum oscar_oscore_verdict *out_verdict,
                                              size_t *out_ctx_index, uint8_t *out, size_t out_cap,
                                              size_t *out_len, struct oscar_oscore_exchange *out_ex,
                                              const uint8_t *msg, size_t msg_len);

/* oscar_oscore_unprotect_response verifies an OSCORE response to the request of ex (§8.4,
 * §8.4.2), updating the notification state of ex. Same buffer rule as unprotect_request. */
enum oscar_err oscar_oscore_unprotect_response(struct oscar_oscore_ctx *ctx,
                                               enum oscar_oscore_verdict *out_verdict, uint8_t *out,
                                               size_t out_cap, size_t *out_len,
                                               struct oscar_oscore_exchange *ex, const uint8_t *msg,
                                               size_t msg_len);

/* oscar_oscore_peek decodes msg and its OSCORE option without any context, for a caller that
 * must choose a context first (Appendix B.2) or only inspect. *out_msg and *out_opt borrow msg.
 * Verdicts: ACCEPT (decoded), MALFORMED_COAP, NOT_OSCORE, DECODE_FAILED. */
enum oscar_oscore_verdict oscar_oscore_peek(struct oscar_coap_msg *out_msg,
                                            struct oscar_oscore_option *out_opt, const uint8_t *msg,
                                            size_t msg_len);

/* oscar_oscore_error_response writes the unprotected error response a server MAY send for the
 * request verdict (§8.2 steps 2, 3 and 6, §7.4): 4.02 "Failed to decode COSE", 4.01 "Security
 * context not found", 4.01 "Replay detected", 4.00 "Decryption failed", optionally with Outer
 * Max-Age 0. A CON request gets a piggybacked ACK; otherwise a NON with Message ID non_mid.
 * Other verdicts have no unprotected error: OSCAR_ERR_INVALID_ARG. */
enum oscar_err oscar_oscore_error_response(uint8_t *out, size_t out_cap, size_t *out_len,
                                           enum oscar_oscore_verdict verdict,
                                           const struct oscar_coap_msg *request, bool max_age_zero,
                                           uint16_t non_mid);

/* oscar_oscore_echo_challenge writes the protected 4.01 (Unauthorized) carrying only the Echo
 * option (Appendix B.1.2, RFC 9175 §2.4) that answers a FRESHNESS_REQUIRED request, with the
 * server's own Partial IV, and remembers echo in the Recipient Context. */
enum oscar_err oscar_oscore_echo_challenge(struct oscar_oscore_ctx *ctx, uint8_t *out,
                                           size_t out_cap, size_t *out_len,
                                           struct oscar_oscore_exchange *ex,
                                           const struct oscar_coap_msg *request,
                                           const uint8_t *echo, size_t echo_len, uint16_t non_mid);

/* oscar_oscore_replay_init resets a window of size bits (0 = default) as valid and empty. */
void oscar_oscore_replay_init(struct oscar_oscore_replay *w, size_t size);

/* oscar_oscore_replay_check returns true if seq may be accepted (not seen, not too old). */
bool oscar_oscore_replay_check(const struct oscar_oscore_replay *w, uint64_t seq);

/* oscar_oscore_replay_update marks seq received; call only after successful decryption. */
void oscar_oscore_replay_update(struct oscar_oscore_replay *w, uint64_t seq);

/* oscar_oscore_replay_set_lower_limit makes the window valid with seq as its lower limit: seq and
 * everything below it count as received (Appendix B.1.2). */
void oscar_oscore_replay_set_lower_limit(struct oscar_oscore_replay *w, uint64_t seq);

#endif
