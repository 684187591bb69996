/* oscar/group.h — the reference Group OSCORE implementation (RFC 10021, from
 * draft-ietf-core-oscore-groupcomm-28): a Group Security Context, group mode (countersigned,
 * for one-to-many requests) and pairwise mode (keys from static-static ECDH), responses to
 * group requests.
 *
 * Like oscar/oscore.h it never allocates: the Recipient Contexts live in an array the caller
 * gives (struct oscar_group_params.recipients), and are created on the first verified message of
 * a new sender from the credential the caller's lookup returns (§2.4, §7.2: how members get each
 * other's credentials is the Group Manager's business). Messages go in and come out as
 * CoAP-over-UDP bytes; receiving is an outcome (enum oscar_oscore_verdict), never an error. */
#ifndef OSCAR_GROUP_H
#define OSCAR_GROUP_H

#include "oscar/oscore.h"

#define OSCAR_GROUP_CRED_MAX 256 /* our storage limit for an authentication credential */
#define OSCAR_GROUP_SIG_ENC_KEY_MAX OSCAR_CRYPTO_KEY_MAX

/* oscar_group_cred_fn looks up the authentication credential of the group member with Sender
 * ID kid: the credential bytes exactly as distributed (§2.4) into cred (at most
 * OSCAR_GROUP_CRED_MAX), and its public key (oscar_sig_pub_len bytes) into pub. false: unknown. */
typedef bool (*oscar_group_cred_fn)(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred,
                                    size_t *cred_len, uint8_t *pub);

/* struct oscar_group_recipient is one Recipient Context (§2.2): created at the first message of
 * a new sender that verifies (§7.2), with its own replay window and pairwise keys. */
struct oscar_group_recipient {
    bool used;
    uint8_t id[OSCAR_OSCORE_ID_MAX];
    size_t id_len;
    uint8_t key[OSCAR_CRYPTO_KEY_MAX]; /* Recipient Key (Group Encryption Algorithm) */
    struct oscar_aead_key aead;
    uint8_t cred[OSCAR_GROUP_CRED_MAX];
    size_t cred_len;
    uint8_t pub[OSCAR_SIG_PUB_MAX];
    /* Response Number of the current long exchange (§5.3.1): which exchange it belongs to,
     * the highest Partial IV and a window of 64 below it, and whether the one response
     * without Partial IV came */
    uint64_t rn_exchange;
    bool rn_init;
    uint64_t rn_high;
    uint64_t rn_seen;
    bool rn_nopiv;
    /* §9: the Echo value sent while this sender's replay window is invalid */
    uint8_t echo[OSCAR_OSCORE_ECHO_MAX];
    size_t echo_len;
    bool has_pairwise; /* pairwise keys derived (§2.5.1) */
    uint8_t pairwise_sender_key[OSCAR_CRYPTO_KEY_MAX];
    uint8_t pairwise_recipient_key[OSCAR_CRYPTO_KEY_MAX];
    struct oscar_aead_key pairwise_sender;
    struct oscar_aead_key pairwise_recipient;
    struct oscar_oscore_replay replay;
};

/* enum oscar_group_fault: deliberate non-conformances of the reference Group OSCORE endpoint,
 * each a bug the group scenarios must catch (enum oscar_oscore_fault explains the idea). */
enum oscar_group_fault {
    OSCAR_GROUP_FAULT_ACCEPT_BAD_SIGNATURE = 1u << 0, /* §7.2: the countersignature unchecked */
    OSCAR_GROUP_FAULT_ACCEPT_REPLAY = 1u << 1,        /* §5.3: no replay window */
    OSCAR_GROUP_FAULT_SHARED_PIV = 1u << 2, /* §2.5.3: pairwise mode counts its own SSN, so a PIV
                                               is used in both modes */
    OSCAR_GROUP_FAULT_NO_RESPONSE_KID = 1u << 3, /* §3.2: responses to group requests omit kid */
    OSCAR_GROUP_FAULT_PLAIN_SIGNATURE = 1u << 4, /* §4.1: the signature not encrypted */
    OSCAR_GROUP_FAULT_ACCEPT_INVALID_WINDOW = 1u << 5, /* §9: requests accepted while the replay
                                                          window is invalid, without Echo */
    OSCAR_GROUP_FAULT_ECHO_NO_PIV = 1u << 6, /* §9: the Echo challenge uses the request's nonce
                                                instead of the server's own Partial IV */
};

/* struct oscar_group_params holds a member's view of a group (§2): the Common Context, its
 * Sender Context, and where Recipient Contexts go. Bytes are [borrow]ed during init only. An
 * algorithm of 0 is "not set": group mode needs group_enc_alg and sig_alg, pairwise mode
 * aead_alg and pairwise_alg (§6). */
struct oscar_group_params {
    const uint8_t *master_secret;
    size_t master_secret_len;
    const uint8_t *master_salt; /* NULL: empty */
    size_t master_salt_len;
    const uint8_t *gid; /* Group Identifier = ID Context (§2.1.3) */
    size_t gid_len;
    int32_t hkdf_alg;       /* 0: HKDF SHA-256 */
    int32_t group_enc_alg;  /* Group Encryption Algorithm (§2.1.7) */
    int32_t sig_alg;        /* Signature Algorithm: -8 EdDSA or -7 ES256 (§2.1.8) */
    int32_t aead_alg;       /* AEAD Algorithm, pairwise mode (§2.1.1) */
    int32_t pairwise_alg;   /* Pairwise Key Agreement Algorithm: -27 ECDH-SS + HKDF-256 */
    const uint8_t *gm_cred; /* the Group Manager's authentication credential (§2.1.6) */
    size_t gm_cred_len;
    const uint8_t *sender_id;
    size_t sender_id_len;
    const uint8_t *sender_priv; /* OSCAR_SIG_PRIV_LEN bytes */
    const uint8_t *sender_cred; /* our authentication credential as distributed */
    size_t sender_cred_len;
    struct oscar_group_recipient *recipients; /* [borrow]ed for the context's lifetime */
    size_t recipients_cap;
    oscar_group_cred_fn cred_lookup;
    void *cred_arg;
    size_t replay_window; /* 0: 32 */
};

/* struct oscar_group_ctx is a Group Security Context (§2). */
struct oscar_group_ctx {
    const struct oscar_crypto_ops *crypto;
    int32_t hkdf_alg;
    const struct oscar_alg_info *group_enc; /* NULL: group mode not set */
    int32_t sig_alg;
    const struct oscar_alg_info *aead; /* NULL: pairwise mode not set */
    int32_t pairwise_alg;
    size_t nonce_len; /* Common IV length: the greater nonce length of the two (§2.1.4) */
    uint8_t master_secret[OSCAR_OSCORE_SECRET_MAX];
    size_t master_secret_len;
    uint8_t master_salt[OSCAR_OSCORE_SALT_MAX];
    size_t master_salt_len;
    uint8_t gid[OSCAR_OSCORE_ID_CONTEXT_MAX];
    size_t gid_len;
    uint8_t common_iv[OSCAR_CRYPTO_NONCE_MAX];
    uint8_t sig_enc_key[OSCAR_GROUP_SIG_ENC_KEY_MAX]; /* Signature Encryption Key (§2.1.9) */
    uint8_t gm_cred[OSCAR_GROUP_CRED_MAX];
    size_t gm_cred_len;
    /* Sender Context */
    uint8_t sender_id[OSCAR_OSCORE_ID_MAX];
    size_t sender_id_len;
    uint8_t sender_key[OSCAR_CRYPTO_KEY_MAX];
    struct oscar_aead_key sender_aead;
    uint8_t sender_priv[OSCAR_SIG_PRIV_LEN];
    uint8_t sender_pub[OSCAR_SIG_PUB_MAX];
    uint8_t sender_cred[OSCAR_GROUP_CRED_MAX];
    size_t sender_cred_len;
    uint64_t seq;          /* one Sender Sequence Number for both modes (§2.5.3) */
    uint64_t pairwise_seq; /* only under OSCAR_GROUP_FAULT_SHARED_PIV */
    /* Recipient Contexts */
    struct oscar_group_recipient *recipients;
    size_t recipients_cap;
    oscar_group_cred_fn cred_lookup;
    void *cred_arg;
    size_t replay_window;
    uint64_t next_serial; /* for exchanges this client starts */
    /* §2.6.1: the endpoint lost its mutable state (a reboot without saved replay windows):
     * every Recipient Context it creates starts with an invalid replay window, made valid by
     * the Echo procedure of §9 */
    bool lost_state;
    uint32_t faults; /* enum oscar_group_fault bits */
};

/* enum oscar_group_mode: how a message is protected (§6): group mode (Group Flag 1,
 * countersigned, for requests to several recipients) or pairwise mode (Group Flag 0, pairwise
 * keys, one recipient). */
enum oscar_group_mode {
    OSCAR_GROUP_MODE_GROUP = 0,
    OSCAR_GROUP_MODE_PAIRWISE = 1,
};

/* struct oscar_group_exchange binds responses to a request (§3.4, §7.3): the request's kid,
 * Partial IV, kid context and nonce, its mode, and on the client which recipient a pairwise
 * request was for. serial tells long exchanges apart for the Response Numbers (§5.3.1). */
struct oscar_group_exchange {
    uint8_t request_kid[OSCAR_OSCORE_ID_MAX];
    size_t request_kid_len;
    uint8_t request_piv[OSCAR_OSCORE_PIV_MAX];
    size_t request_piv_len;
    uint8_t request_kid_context[OSCAR_OSCORE_ID_CONTEXT_MAX];
    size_t request_kid_context_len;
    uint8_t request_nonce[OSCAR_CRYPTO_NONCE_MAX];
    enum oscar_group_mode mode;
    uint8_t target_id[OSCAR_OSCORE_ID_MAX]; /* pairwise requests: the server's Sender ID */
    size_t target_id_len;
    bool request_nonce_used; /* server: a response already went without its own Partial IV */
    uint64_t serial;
};

/* oscar_group_protect_request protects the CoAP request msg in mode (§7.1, §8.1); a pairwise
 * request goes to the member with Sender ID target (whose Recipient Context is created if
 * needed). One Sender Sequence Number is used for both modes (§2.5.3). */
enum oscar_err oscar_group_protect_request(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                           const uint8_t *target, size_t target_len, uint8_t *out,
                                           size_t out_cap, size_t *out_len,
                                           struct oscar_group_exchange *out_ex, const uint8_t *msg,
                                           size_t msg_len);

/* oscar_group_unprotect_request verifies a request (§7.2, §8.2): the mode from the Group Flag,
 * the kid context against the Gid, the sender's Recipient Context found or created, in group
 * mode the countersignature checked before decrypting, the replay window. On ACCEPT out holds
 * the decrypted request, *out_ex the exchange and *out_sender the sender's context. out_cap:
 * 2 * msg_len + 8 always suffices. */
enum oscar_err oscar_group_unprotect_request(struct oscar_group_ctx *ctx,
                                             enum oscar_oscore_verdict *out_verdict,
                                             struct oscar_group_recipient **out_sender,
                                             uint8_t *out, size_t out_cap, size_t *out_len,
                                             struct oscar_group_exchange *out_ex,
                                             const uint8_t *msg, size_t msg_len);

/* oscar_group_protect_response protects response msg to the request of ex in mode (§7.3,
 * §8.3): kid present unless both request and response are pairwise (§3.2), the server's own
 * Partial IV when own_piv (required for every response but the first: OSCAR_ERR_NONCE_REUSE
 * otherwise). */
enum oscar_err oscar_group_protect_response(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                            bool own_piv, uint8_t *out, size_t out_cap,
                                            size_t *out_len, struct oscar_group_exchange *ex,
                                            const uint8_t *msg, size_t msg_len);

/* oscar_group_unprotect_response verifies one of the responses to the request of ex (§7.4,
 * §8.4): the responder's Recipient Context found or created from its kid (a response to a
 * pairwise request may leave kid out: the intended server), its Response Number checked. */
enum oscar_err oscar_group_unprotect_response(struct oscar_group_ctx *ctx,
                                              enum oscar_oscore_verdict *out_verdict,
                                              struct oscar_group_recipient **out_sender,
                                              uint8_t *out, size_t out_cap, size_t *out_len,
                                              const struct oscar_group_exchange *ex,
                                              const uint8_t *msg, size_t msg_len);

/* oscar_group_echo_challenge protects the server's answer to a request accepted with verdict
 * OSCAR_OSCORE_FRESHNESS_REQUIRED (§9): a 4.01 (Unauthorized) with only an Echo option (echo,
 * 1-40 bytes, which the server stores for the sender), no payload, with the server's own
 * Partial IV, in mode. request is the decrypted request (for its token and type). */
enum oscar_err oscar_group_echo_challenge(struct oscar_group_ctx *ctx, enum oscar_group_mode mode,
                                          struct oscar_group_recipient *sender,
                                          struct oscar_group_exchange *ex, const uint8_t *echo,
                                          size_t echo_len, const uint8_t *request,
                                          size_t request_len, uint8_t *out, size_t out_cap,
                                          size_t *out_len);

/* oscar_group_ctx_init derives a Group Security Context (§2.3): Sender Key and the keys of later
 * Recipient Contexts with the Group Encryption Algorithm if set (else the AEAD Algorithm), the
 * Common IV, and the Signature Encryption Key. */
enum oscar_err oscar_group_ctx_init(struct oscar_group_ctx *ctx,
                                    const struct oscar_crypto_ops *crypto,
                                    const struct oscar_group_params *params);

/* oscar_group_ctx_cleanup wipes keys; safe on a zeroed or cleaned context. */
void oscar_group_ctx_cleanup(struct oscar_group_ctx *ctx);

/* oscar_group_recipient_get returns the Recipient Context of Sender ID id, creating it (keys,
 * credential from the lookup, valid replay window) when create is set and there is room; NULL
 * when unknown and not created. */
struct oscar_group_recipient *oscar_group_recipient_get(struct oscar_group_ctx *ctx,
                                                        const uint8_t *id, size_t id_len,
                                                        bool create);

/* oscar_group_pairwise_keys derives the pairwise keys with recipient r (§2.5.1) if not yet. */
enum oscar_err oscar_group_pairwise_keys(struct oscar_group_ctx *ctx,
                                         struct oscar_group_recipient *r);

/* oscar_group_derive_info writes the HKDF info array [id, id_context, alg, type, L] (§2.3,
 * RFC 8613 §3.2.1) with a text type ("Key", "IV", "SEKey"). */
enum oscar_err oscar_group_derive_info(uint8_t *out, size_t out_cap, size_t *out_len,
                                       const uint8_t *id, size_t id_len, const uint8_t *id_context,
                                       size_t id_context_len, int32_t alg, const char *type,
                                       size_t length);

#endif
