/* oscar/gm.h — the Group Manager of Group OSCORE (RFC 9594 on ACE, RFC 9200;
 * draft-ietf-ace-key-groupcomm-oscore-21, "KGO" below) and the joining node's side of it, as
 * transport-independent message processing: requests come in as (client, method, path, payload)
 * and go out as (code, Content-Format, payload, Location-Path). Which client sent a request is
 * the secure channel's business (the OSCORE or DTLS profile of ACE binds it to the token posted
 * to /authz-info); the caller passes the handle oscar_gm_authz_info returned.
 *
 * Every CBOR label below is the value RFC 9594 §8 registers or KGO "suggests"; the few that no
 * text we could read confirms are marked [unconfirmed] and kept as named constants so that a
 * single edit follows the registry. Nonces and fresh keying material come from a generator seeded
 * by the caller, so a run is reproducible from its recorded seed. Never allocates. */
#ifndef OSCAR_GM_H
#define OSCAR_GM_H

#include "oscar/ace.h"
#include "oscar/group.h"

/* ACE Groupcomm Parameters (RFC 9594 §8, KGO §12) */
#define OSCAR_ACE_P_SCOPE 3
#define OSCAR_ACE_P_GET_CREDS 4
#define OSCAR_ACE_P_CLIENT_CRED 5
#define OSCAR_ACE_P_CNONCE 6
#define OSCAR_ACE_P_GKTY 7
#define OSCAR_ACE_P_KEY 8
#define OSCAR_ACE_P_NUM 9
#define OSCAR_ACE_P_PROFILE 10
#define OSCAR_ACE_P_EXP 11
#define OSCAR_ACE_P_EXI 12
#define OSCAR_ACE_P_CREDS 13
#define OSCAR_ACE_P_PEER_ROLES 14
#define OSCAR_ACE_P_PEER_IDENTIFIERS 15
#define OSCAR_ACE_P_GROUP_POLICIES 16
#define OSCAR_ACE_P_KDC_CRED 17
#define OSCAR_ACE_P_KDC_NONCE 18
#define OSCAR_ACE_P_KDC_CRED_VERIFY 19
#define OSCAR_ACE_P_REKEYING_SCHEME 20
#define OSCAR_ACE_P_GROUP_SENDERID 21
#define OSCAR_ACE_P_CLIENT_CRED_VERIFY 24
#define OSCAR_ACE_P_CONTROL_URI 26
#define OSCAR_ACE_P_SIGN_INFO 29
#define OSCAR_ACE_P_KDCCHALLENGE 30
#define OSCAR_ACE_P_ECDH_INFO 31
#define OSCAR_ACE_P_KDC_DH_CREDS 32
#define OSCAR_ACE_P_SIGN_ENC_KEY 33
#define OSCAR_ACE_P_STALE_NODE_IDS 34

/* Group_OSCORE_Input_Material labels ('key', RFC 9203 §3.2.1 and KGO §16.6) */
#define OSCAR_ACE_K_MS 2
#define OSCAR_ACE_K_HKDF 3
#define OSCAR_ACE_K_ALG 4
#define OSCAR_ACE_K_SALT 5
#define OSCAR_ACE_K_CONTEXT_ID 6
#define OSCAR_ACE_K_GROUP_SENDER_ID 7
#define OSCAR_ACE_K_CRED_FMT 8
#define OSCAR_ACE_K_GP_ENC_ALG 9
#define OSCAR_ACE_K_SIGN_ALG 10
#define OSCAR_ACE_K_SIGN_PARAMS 11
#define OSCAR_ACE_K_ECDH_ALG 12
#define OSCAR_ACE_K_ECDH_PARAMS 13

#define OSCAR_ACE_GKTY_GROUP_OSCORE 1    /* KGO §16.4, suggested */
#define OSCAR_ACE_PROFILE_GROUP_OSCORE 1 /* coap_group_oscore_app, KGO §16.5, suggested */
#define OSCAR_ACE_CRED_FMT_KCCS 14       /* COSE header parameter kccs */
#define OSCAR_ACE_HKDF_SHA256 5          /* as an HMAC algorithm (RFC 9203 §3.2.1) */

/* application/ace+cbor map keys of the Token Transfer exchange (RFC 9200 Table 5, RFC 9203
 * §4.1, RFC 9594 §3.3) */
#define OSCAR_ACE_OAUTH_ACCESS_TOKEN 1
#define OSCAR_ACE_OAUTH_NONCE1 40
#define OSCAR_ACE_OAUTH_NONCE2 42
#define OSCAR_ACE_OAUTH_CLIENT_RID 43
#define OSCAR_ACE_OAUTH_SERVER_RID 44
#define OSCAR_ACE_OAUTH_KDCCHALLENGE 46 /* [unconfirmed] "TBD" in the RFC 9594 text we read */
#define OSCAR_ACE_OAUTH_SIGN_INFO 45    /* [unconfirmed] "TBD" in the RFC 9594 text we read */
#define OSCAR_ACE_OAUTH_ECDH_INFO 47    /* KGO §16.2, suggested */
#define OSCAR_ACE_OAUTH_KDC_DH_CREDS 48 /* KGO §16.2, suggested */

/* Content-Formats */
#define OSCAR_CF_ACE_CBOR 19              /* application/ace+cbor */
#define OSCAR_CF_ACE_GROUPCOMM_CBOR 261   /* application/ace-groupcomm+cbor */
#define OSCAR_CF_PROBLEM_DETAILS_CBOR 257 /* application/concise-problem-details+cbor */
#define OSCAR_CF_CBOR 60
#define OSCAR_CF_NONE 0xffff

/* the Custom Problem Detail key of 'ace-groupcomm-error' [unconfirmed]: "TBD" in the text read */
#define OSCAR_ACE_PROBLEM_KEY 0

/* error-ids of 'ace-groupcomm-error' (RFC 9594 §9, KGO §13) */
enum oscar_ace_error_id {
    OSCAR_ACE_ERR_MEMBERS_ONLY = 0,
    OSCAR_ACE_ERR_ROLES = 1,
    OSCAR_ACE_ERR_CRED_INCOMPATIBLE = 2,
    OSCAR_ACE_ERR_POP = 3,
    OSCAR_ACE_ERR_NO_IDS = 4,
    OSCAR_ACE_ERR_TERMINATED = 5,
    OSCAR_ACE_ERR_DELETED = 6,
    OSCAR_ACE_ERR_NO_SIGNATURES = 7,
    OSCAR_ACE_ERR_VERIFIERS_ONLY = 8,
    OSCAR_ACE_ERR_INACTIVE = 9,
};

/* fault switches of the reference Group Manager (a vendor-shaped bug each, for negative controls)
 */
enum oscar_gm_fault {
    OSCAR_GM_FAULT_ACCEPT_BAD_POP = 1u << 0,    /* join succeeds whatever client_cred_verify is */
    OSCAR_GM_FAULT_REUSE_SID = 1u << 1,         /* hands out a Sender ID that is in use */
    OSCAR_GM_FAULT_OMIT_STALE = 1u << 2,        /* rekeying messages without stale_node_ids */
    OSCAR_GM_FAULT_ALLOW_MONITOR_MIX = 1u << 3, /* accepts Requester or Responder with Monitor */
    OSCAR_GM_FAULT_NO_REKEY_ON_LEAVE = 1u << 4, /* a leave changes no keying material */
    OSCAR_GM_FAULT_SID_TOP_LEVEL = 1u << 5,     /* the Sender ID at top level (21), not key{7} */
    OSCAR_GM_FAULT_BAD_KDC_POP = 1u << 6,       /* kdc_cred_verify over the wrong nonces */
    OSCAR_GM_FAULT_KEEP_OLD_CRED = 1u << 7,     /* a new credential answered 2.04, not stored */
    OSCAR_GM_FAULT_IGNORE_UPDATE = 1u << 8,     /* new access rights answered 2.01, not taken */
};

#define OSCAR_GM_MEMBERS_MAX 1024
#define OSCAR_GM_CLIENTS_MAX 1024
#define OSCAR_GM_NODE_MAX 16
#define OSCAR_GM_NONCE_LEN 8
#define OSCAR_GM_MS_LEN 16
#define OSCAR_GM_GID_LEN 8
#define OSCAR_GM_PAYLOAD_MAX 4096
#define OSCAR_ACE_NONCE_MAX 32        /* longest N_C we take */
#define OSCAR_ACE_SCOPE_BYTES_MAX 256 /* longest scope (as in struct oscar_ace_claims) */
#define OSCAR_ACE_PEERS_MAX 64        /* credentials one response may carry, as read */
#define OSCAR_GM_STALE_SETS 3
#define OSCAR_GM_SID_BITS                                                                          \
    65536 /* Sender IDs of one or two bytes */ /* max_stale_sets (KGO §14.1) */

/* struct oscar_gm_config is a Group Manager with one group (bytes are copied at init). */
struct oscar_gm_config {
    const char *gname;
    const char *aud;        /* this Group Manager's audience in tokens */
    const char *iss;        /* the Authorization Server it trusts */
    const uint8_t *as_pub;  /* its Ed25519 key (32 bytes) */
    const uint8_t *gm_priv; /* Ed25519 seed (32 bytes) */
    const uint8_t *gm_cred; /* the Group Manager's credential (CCS), as distributed */
    size_t gm_cred_len;
    const uint8_t *gid; /* NULL: drawn from the generator */
    size_t gid_len;
    const uint8_t *master_secret; /* NULL: drawn */
    const uint8_t *master_salt;   /* NULL with len 0: empty */
    size_t master_salt_len;
    uint8_t sid_first; /* Sender IDs are one byte: sid_first .. sid_first + sid_count - 1 */
    unsigned sid_count;
    bool inactive;
    uint64_t exp;    /* keying material expiry (NumericDate); exi = exp - now */
    uint64_t seed;   /* the nonce and key generator's seed */
    unsigned faults; /* enum oscar_gm_fault */
    /* the key the AS encrypts tokens with (16 bytes, AES-CCM-16-64-128): set, /authz-info takes
     * COSE_Encrypt0 tokens and the OSCORE profile's nonce1/ace_client_recipientid (RFC 9203) */
    const uint8_t *token_key;
    bool rekey_on_join; /* backward security: a new member's join rekeys the others (KGO §7) */
    bool pairwise_only; /* no group mode: no signatures; PoP is the 8-byte HKDF MAC (KGO §6.1) */
};

/* struct oscar_gm_member is one member: its node name, Sender ID, roles (AIF Tperm) and
 * credential. Monitors have no Sender ID (sid_len 0). */
struct oscar_gm_member {
    bool used;
    char node[OSCAR_GM_NODE_MAX];
    uint8_t sid[2];
    size_t sid_len; /* 0: a monitor */
    unsigned sid_value;
    uint64_t roles;
    uint8_t cred[OSCAR_GROUP_CRED_MAX];
    size_t cred_len;
    uint8_t pub[OSCAR_SIG_PUB_MAX];
    int client; /* the client handle it joined through, -1 for preloaded members */
    uint8_t n_c[OSCAR_ACE_NONCE_MAX]; /* its Join Request's cnonce ('clientchallenge') */
    size_t n_c_len;
    uint8_t scope[OSCAR_ACE_GNAME_MAX + 16]; /* its latest Join Request's scope entry */
    size_t scope_len;
};

/* struct oscar_gm_client is one token posted to /authz-info and what hangs on it. */
struct oscar_gm_client {
    bool used;
    struct oscar_ace_claims claims;
    uint8_t n_s[OSCAR_GM_NONCE_LEN]; /* kdcchallenge */
    bool has_n_s;
    int member;         /* -1: not a member */
    bool pop_key_known; /* the GM has proof of possession of member's credential */
    /* the OSCORE profile's exchange (RFC 9203 §4.1, §4.2) */
    bool osc;
    uint8_t n1[OSCAR_ACE_NONCE_MAX], n2[OSCAR_GM_NONCE_LEN], id1[OSCAR_OSCORE_ID_MAX], id2[2];
    size_t n1_len, id1_len, id2_len;
};

/* struct oscar_gm_outgoing is a message the Group Manager sends on its own: a rekeying message
 * to one member (KGO §11.1), over that member's pairwise channel. */
struct oscar_gm_outgoing {
    int member;
    uint8_t payload[512];
    size_t len;
};

struct oscar_gm {
    const struct oscar_crypto_ops *crypto;
    char gname[OSCAR_ACE_GNAME_MAX];
    char aud[OSCAR_ACE_TEXT_MAX];
    char iss[OSCAR_ACE_TEXT_MAX];
    uint8_t as_pub[32];
    uint8_t gm_priv[32];
    uint8_t gm_pub[32];
    uint8_t gm_cred[OSCAR_GROUP_CRED_MAX];
    size_t gm_cred_len;
    uint8_t gid[OSCAR_GM_GID_LEN];
    size_t gid_len;
    uint8_t ms[OSCAR_GM_MS_LEN];
    uint8_t salt[16];
    size_t salt_len;
    uint64_t num; /* version of the keying material (KGO §7: starts at 0) */
    unsigned sid_first;
    unsigned sid_count;
    bool inactive;
    uint64_t exp;
    unsigned faults;
    uint64_t seed;
    uint64_t draws;
    uint8_t fixed_n_kdc[OSCAR_GM_NONCE_LEN]; /* the next N_KDC when set (test vectors) */
    uint8_t token_key[16];
    bool has_token_key;
    bool rekey_on_join;
    bool pairwise_only;
    bool has_fixed_n_kdc;
    /* Sender IDs handed out since the current Gid (KGO §6.3: never reused until a new Gid) */
    uint8_t sid_used[OSCAR_GM_SID_BITS / 8];
    /* stale Sender ID sets (KGO §7.1): stale[k] goes with version stale_num[k] */
    uint8_t stale[OSCAR_GM_STALE_SETS][OSCAR_GM_SID_BITS / 8];
    uint8_t stale_scratch[OSCAR_GM_SID_BITS / 8];
    uint64_t stale_num[OSCAR_GM_STALE_SETS];
    unsigned next_node;
    struct oscar_gm_member members[OSCAR_GM_MEMBERS_MAX];
    struct oscar_gm_client clients[OSCAR_GM_CLIENTS_MAX];
    struct oscar_gm_outgoing *outbox; /* rekeying messages of the last request, [borrow]ed */
    size_t outbox_cap;
    size_t outbox_len;
};

/* struct oscar_gm_response is what the Group Manager answers. */
struct oscar_gm_response {
    uint8_t code;            /* CoAP code, e.g. OSCAR_COAP_CODE(2, 1) */
    uint16_t content_format; /* OSCAR_CF_NONE: none */
    uint8_t payload[OSCAR_GM_PAYLOAD_MAX];
    size_t len;
    char location[96]; /* Location-Path segments joined by '/', "" if none */
    char why[256];     /* why an error was answered (for the log; not sent) */
};

/* oscar_gm_init sets up gm (a large struct: allocate it statically or on the heap). */
enum oscar_err oscar_gm_init(struct oscar_gm *gm, const struct oscar_gm_config *cfg,
                             const struct oscar_crypto_ops *crypto);

/* oscar_gm_set_outbox lends gm the array where a request's rekeying messages go. */
void oscar_gm_set_outbox(struct oscar_gm *gm, struct oscar_gm_outgoing *out, size_t cap);

/* oscar_gm_add_member enrols a member without a join (a group that exists already); returns its
 * index or -1. */
int oscar_gm_add_member(struct oscar_gm *gm, unsigned sid, uint64_t roles, const uint8_t *cred,
                        size_t cred_len);

/* oscar_gm_authz_info processes POST /authz-info (RFC 9200 §5.10.1, RFC 9594 §3.3): payload is
 * the token itself (application/cwt) or an application/ace+cbor map holding it. On success the
 * response is 2.01 with kdcchallenge and the return value is the client handle; otherwise the
 * token check's code and -1. */
int oscar_gm_authz_info(struct oscar_gm *gm, const uint8_t *payload, size_t len, uint64_t now,
                        struct oscar_gm_response *rs);

/* oscar_gm_authz_update processes a POST /authz-info protected with client's OSCORE context:
 * a new token for the same OSCORE material, updating the access rights (RFC 9203 §4.1, §4.2):
 * 2.01 without payload, or 4.01 when the token does not verify or is for other material. */
void oscar_gm_authz_update(struct oscar_gm *gm, int client, const uint8_t *payload, size_t len,
                           uint64_t now, struct oscar_gm_response *rs);

/* oscar_gm_handle processes one request to the Group Manager's interface (RFC 9594 §4, KGO §8,
 * §9): path without a leading '/', e.g. "ace-group/g1/nodes/n1". client is -1 when no token
 * stands behind the channel. */
void oscar_gm_handle(struct oscar_gm *gm, int client, uint64_t now, uint8_t method,
                     const char *path, const uint8_t *payload, size_t len,
                     struct oscar_gm_response *rs);

/* oscar_gm_rekey renews the group's keying material (new Master Secret and Gid, num + 1; Sender
 * IDs kept, KGO §11) and queues one rekeying message per member for the outbox. */
enum oscar_err oscar_gm_rekey(struct oscar_gm *gm, uint64_t now);

/* --- the joining node's side --- */

/* struct oscar_ace_join_request is what a joining node asks for (RFC 9594 §4.3.1, KGO §6.1). */
struct oscar_ace_join_request {
    const char *gname;
    uint64_t roles;
    bool get_creds;      /* ask for the relevant members' credentials (get_creds null) */
    const uint8_t *cred; /* our credential (CCS); NULL for a monitor */
    size_t cred_len;
    const uint8_t *priv; /* Ed25519 seed: signs the PoP evidence */
    const uint8_t *pub;
    const uint8_t *n_s; /* the kdcchallenge */
    size_t n_s_len;
    const uint8_t *n_c; /* our cnonce */
    size_t n_c_len;
    bool empty_pop;        /* send client_cred_verify h'' (KGO §6.1) */
    const uint8_t *gm_pub; /* set: a pairwise-only group, PoP as the 8-byte MAC keyed by
                            * ECDH(our key, the GM's key), both Ed25519 mapped to X25519 */
};

/* oscar_ace_join_request_write writes the Join Request payload (keys in ascending order). */
enum oscar_err oscar_ace_join_request_write(const struct oscar_crypto_ops *crypto,
                                            const struct oscar_ace_join_request *rq, uint8_t *out,
                                            size_t cap, size_t *out_len);

/* struct oscar_ace_join_fields is a Join Request as read; byte fields borrow the payload. */
struct oscar_ace_join_fields {
    const uint8_t *scope, *cred, *n_c, *pop;
    size_t scope_len, cred_len, n_c_len, pop_len;
    bool get_creds;
    uint64_t get_creds_roles[8]; /* get_creds [true, role_filter, []]; none: null */
    size_t num_get_creds_roles;
};

/* oscar_ace_join_request_read reads a Join Request (RFC 9594 §4.3.1, KGO §6.1): a map with the
 * known parameters once each and of their types (unknown ones are skipped, §4.1.2), cnonce
 * present; false with why naming the parameter. The scope's content is the caller's to check. */
bool oscar_ace_join_request_read(const uint8_t *p, size_t len, struct oscar_ace_join_fields *f,
                                 char *why, size_t why_cap);

/* struct oscar_ace_join_info is a Join Response, Key Distribution response or rekeying message
 * read strictly; byte fields borrow the payload. */
struct oscar_ace_join_info {
    uint64_t num;
    uint64_t exp, exi;
    bool has_exp, has_exi, has_profile;
    const uint8_t *ms, *salt, *gid, *sid;
    size_t ms_len, salt_len, gid_len, sid_len;
    bool has_sid, has_salt;
    int64_t hkdf, alg, gp_enc_alg, sign_alg, ecdh_alg, cred_fmt; /* 0: absent */
    const uint8_t *kdc_cred, *kdc_nonce, *kdc_cred_verify;
    size_t kdc_cred_len, kdc_nonce_len, kdc_cred_verify_len;
    size_t num_creds;
    const uint8_t *creds[OSCAR_ACE_PEERS_MAX];
    size_t cred_lens[OSCAR_ACE_PEERS_MAX];
    const uint8_t *peer_ids[OSCAR_ACE_PEERS_MAX];
    size_t peer_id_lens[OSCAR_ACE_PEERS_MAX];
    uint64_t peer_roles[OSCAR_ACE_PEERS_MAX];
    size_t num_peer_ids, num_peer_roles;
    bool has_stale;
    const uint8_t *stale[OSCAR_ACE_PEERS_MAX];
    size_t stale_lens[OSCAR_ACE_PEERS_MAX];
    size_t num_stale;
};

/* which message oscar_ace_join_info_read expects */
enum oscar_ace_join_kind {
    OSCAR_ACE_JOIN_RESPONSE,    /* KGO §6.3 */
    OSCAR_ACE_KEY_DISTRIBUTION, /* GET /ace-group/GROUPNAME, KGO §9.1.1 */
    OSCAR_ACE_REKEYING,         /* KGO §11.1 */
};

/* oscar_ace_join_info_read reads one of those messages strictly: types, required fields, no
 * label twice, all-or-none of creds/peer_identifiers; false with why naming the field. */
bool oscar_ace_join_info_read(const uint8_t *payload, size_t len, enum oscar_ace_join_kind kind,
                              bool monitor, struct oscar_ace_join_info *out, char *why,
                              size_t why_cap);

/* oscar_ace_ccs_pub reads the Ed25519 key out of a CCS credential {2: sub, 8: {1: COSE_Key}}. */
bool oscar_ace_ccs_pub(const uint8_t *cred, size_t len, uint8_t pub[32]);

/* oscar_ace_read_okp_key reads a COSE_Key {kty: OKP, crv: Ed25519, x} (labels in any order,
 * others skipped) at r. */
bool oscar_ace_read_okp_key(struct oscar_cbor_reader *r, uint8_t pub[32]);

/* oscar_ace_ccs_write writes the CCS credential of an Ed25519 public key. */
enum oscar_err oscar_ace_ccs_write(const char *sub, const uint8_t pub[32], uint8_t *out, size_t cap,
                                   size_t *out_len);

/* oscar_ace_pop_mac writes the 8-byte proof of possession of pairwise-only groups (KGO §6.1,
 * §6.3): HKDF-SHA-256(salt = empty, IKM = ECDH(priv, peer_pub), info = input, L = 8), the
 * Ed25519 keys mapped to X25519 (RFC 10021 §2.5.2.1). */
enum oscar_err oscar_ace_pop_mac(const struct oscar_crypto_ops *crypto, const uint8_t *priv,
                                 const uint8_t *peer_pub, const uint8_t *input, size_t input_len,
                                 uint8_t mac[8]);

/* oscar_ace_kdc_pop_verify_mac checks the GM's kdc_cred_verify of a pairwise-only group with
 * the joining node's private key priv. */
bool oscar_ace_kdc_pop_verify_mac(const struct oscar_crypto_ops *crypto,
                                  const struct oscar_ace_join_info *info, const uint8_t *n_c,
                                  size_t n_c_len, const uint8_t *priv);

/* oscar_ace_kdc_pop_verify checks the Group Manager's kdc_cred_verify over bstr(N_C) |
 * bstr(N_KDC) with the key in kdc_cred (RFC 9594 §4.3.1, KGO §6.3). */
bool oscar_ace_kdc_pop_verify(const struct oscar_crypto_ops *crypto,
                              const struct oscar_ace_join_info *info, const uint8_t *n_c,
                              size_t n_c_len);

/* --- the Authorization Server's /token (RFC 9200 §5.8), client credentials grant --- */

/* ace+cbor keys of the token endpoint (RFC 9200 Table 5, RFC 9201) */
#define OSCAR_ACE_T_ACCESS_TOKEN 1
#define OSCAR_ACE_T_EXPIRES_IN 2
#define OSCAR_ACE_T_REQ_CNF 4
#define OSCAR_ACE_T_AUDIENCE 5
#define OSCAR_ACE_T_SCOPE 9
#define OSCAR_ACE_T_CLIENT_ID 24
#define OSCAR_ACE_T_ERROR 30
#define OSCAR_ACE_T_ERROR_DESCRIPTION 31
#define OSCAR_ACE_T_GRANT_TYPE 33
#define OSCAR_ACE_T_CNF 8
#define OSCAR_ACE_T_ACE_PROFILE 38
#define OSCAR_ACE_PROFILE_COAP_OSCORE 2
#define OSCAR_ACE_GRANT_CLIENT_CREDENTIALS 2

/* error codes of the token endpoint (RFC 9200 Table 3) */
enum oscar_as_error {
    OSCAR_AS_INVALID_REQUEST = 1,
    OSCAR_AS_INVALID_CLIENT = 2,
    OSCAR_AS_UNAUTHORIZED_CLIENT = 4,
    OSCAR_AS_UNSUPPORTED_GRANT_TYPE = 5,
    OSCAR_AS_INVALID_SCOPE = 6,
    OSCAR_AS_UNSUPPORTED_POP_KEY = 7,
};

enum oscar_as_fault {
    OSCAR_AS_FAULT_IGNORE_POLICY = 1u << 0, /* grants whatever roles are asked for */
    OSCAR_AS_FAULT_NO_EXP = 1u << 1,        /* tokens without exp */
};

#define OSCAR_AS_POLICIES_MAX 32
#define OSCAR_AS_MATERIALS_MAX 64

/* struct oscar_as_material is the OSCORE_Input_Material of a token the AS issued, kept for an
 * update of access rights (RFC 9203 §4.1). */
struct oscar_as_material {
    char client[OSCAR_ACE_TEXT_MAX];
    uint8_t id[8];
    size_t id_len;
    uint8_t ms[16];
};

/* struct oscar_as_policy: client may get roles (AIF Tperm) in group gname at audience aud. */
struct oscar_as_policy {
    char client[OSCAR_ACE_TEXT_MAX];
    char aud[OSCAR_ACE_TEXT_MAX];
    char gname[OSCAR_ACE_GNAME_MAX];
    uint64_t roles;
};

struct oscar_as {
    const struct oscar_crypto_ops *crypto;
    char iss[OSCAR_ACE_TEXT_MAX];
    uint8_t priv[32];
    uint8_t pub[32];
    uint64_t lifetime; /* seconds a token lives */
    unsigned faults;
    uint64_t issued; /* tokens so far (their cti) */
    /* the key shared with the resource server (16 bytes): set, tokens are COSE_Encrypt0 with
     * an OSCORE_Input_Material cnf drawn from seed (the OSCORE profile, RFC 9203 §3.2) */
    uint8_t token_key[16];
    bool has_token_key;
    uint64_t seed;
    struct oscar_as_material materials[OSCAR_AS_MATERIALS_MAX];
    size_t num_materials;
    struct oscar_as_policy policies[OSCAR_AS_POLICIES_MAX];
    size_t num_policies;
};

enum oscar_err oscar_as_init(struct oscar_as *as, const struct oscar_crypto_ops *crypto,
                             const char *iss, const uint8_t priv[32], uint64_t lifetime);

/* oscar_as_token processes POST /token from client (as authenticated by the secure channel; NULL:
 * the request's client_id):
 * 2.01 with {access_token, expires_in[, scope when narrowed]}, else the error of Table 3 as
 * {error, error_description} with 4.00 (4.01 for invalid_client). */
void oscar_as_token(struct oscar_as *as, const char *client, const uint8_t *payload, size_t len,
                    uint64_t now, struct oscar_gm_response *rs);

/* oscar_as_token_update_write writes a token request for new access rights [[gname, roles]]
 * on the OSCORE material of an earlier token: req_cnf {kid: id} (RFC 9203 §4.1). */
enum oscar_err oscar_as_token_update_write(const char *client, const char *aud, const char *gname,
                                           uint64_t roles, const uint8_t *kid, size_t kid_len,
                                           uint8_t *out, size_t cap, size_t *out_len);

/* oscar_as_token_response_read reads a 2.01 token response: the access token, and for the
 * OSCORE profile the cnf OSCORE_Input_Material into osc (osc->has_osc). */
bool oscar_as_token_response_read(const uint8_t *p, size_t len, const uint8_t **token,
                                  size_t *token_len, struct oscar_ace_claims *osc, char *why,
                                  size_t why_cap);

/* oscar_as_token_request_write writes a client-credentials token request for scope
 * [[gname, roles]] at aud with the client's Ed25519 key as req_cnf. */
enum oscar_err oscar_as_token_request_write(const char *client, const char *aud, const char *gname,
                                            uint64_t roles, const uint8_t pub[32], uint8_t *out,
                                            size_t cap, size_t *out_len);

/* oscar_ace_osc_context derives the OSCORE Security Context of the OSCORE profile (RFC 9203
 * §4.3): Master Secret ms, Master Salt bstr(salt) | bstr(N1) | bstr(N2), default algorithms; the
 * client sends with ID2 and receives with ID1, the resource server the reverse. */
enum oscar_err oscar_ace_osc_context(const struct oscar_crypto_ops *crypto,
                                     const struct oscar_ace_osc_params *p, bool client_side,
                                     struct oscar_oscore_ctx *ctx);

/* struct oscar_ace_authz_request is a POST /authz-info payload as read: the token (a bare CWT,
 * or access_token of an application/ace+cbor map), the OSCORE profile's nonce1 and
 * ace_client_recipientid, and whether sign_info / ecdh_info are asked for (null). Byte fields
 * borrow the payload. */
struct oscar_ace_authz_request {
    const uint8_t *token, *n1, *id1;
    size_t token_len, n1_len, id1_len;
    bool sign_info, ecdh_info; /* RFC 9594 §3.3.1, KGO §5.3.1 */
};

/* oscar_ace_authz_request_read reads it strictly (each parameter once, of its type; others
 * skipped); false with why naming the parameter. */
bool oscar_ace_authz_request_read(const uint8_t *p, size_t len, struct oscar_ace_authz_request *out,
                                  char *why, size_t why_cap);

/* struct oscar_ace_authz_response is the Group Manager's answer to /authz-info (RFC 9203 §4.2,
 * RFC 9594 §3.3): nonce2 and ace_server_recipientid (OSCORE profile), kdcchallenge. */
struct oscar_ace_authz_response {
    const uint8_t *n2, *id2, *n_s;
    size_t n2_len, id2_len, n_s_len;
    const uint8_t *kdc_dh_cred; /* pairwise-only groups: the GM's credential (kdc_dh_creds) */
    size_t kdc_dh_cred_len;
};

/* oscar_ace_authz_response_read reads it strictly; false with why naming the parameter. */
bool oscar_ace_authz_response_read(const uint8_t *p, size_t len,
                                   struct oscar_ace_authz_response *out, char *why, size_t why_cap);

/* oscar_ace_authz_request_write writes the /authz-info payload {access_token, nonce1,
 * ace_client_recipientid}, asking for sign_info and ecdh_info (null, RFC 9594 §3.3, KGO
 * §5.3.1); n1 NULL: {access_token} alone (an update of access rights, RFC 9203 §4.1). */
enum oscar_err oscar_ace_authz_request_write(const uint8_t *token, size_t token_len,
                                             const uint8_t *n1, size_t n1_len, const uint8_t *id1,
                                             size_t id1_len, uint8_t *out, size_t cap,
                                             size_t *out_len);

/* oscar_gm_client_osc gives the OSCORE-profile parameters of client (false if it posted none). */
bool oscar_gm_client_osc(const struct oscar_gm *gm, int client, struct oscar_ace_osc_params *out);

/* oscar_ace_group_params fills the Common Context part of p (Master Secret and Salt, Gid,
 * algorithms, Group Manager credential, own Sender ID) from a Join Response, borrowing its
 * bytes (KGO §6.4: absent hkdf is HKDF SHA-256, absent salt is empty, a mode whose algorithms
 * did not come stays unset). false with why on an algorithm this implementation lacks. */
bool oscar_ace_group_params(const struct oscar_ace_join_info *info, struct oscar_group_params *p,
                            char *why, size_t why_cap);

#endif
