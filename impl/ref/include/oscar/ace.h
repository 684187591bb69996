/* oscar/ace.h — the pieces of ACE (RFC 9200) that joining an OSCORE group through a Group
 * Manager rests on (RFC 9203, RFC 9594, draft-ietf-ace-key-groupcomm-oscore-21): the proof-of-
 * possession inputs, the AIF scope of Group OSCORE, and CWT access tokens (COSE_Sign1 by the
 * Authorization Server) checked in the order RFC 9200 §5.10.1 gives, each failure with its CoAP
 * code. Strict: every message read goes through the validating reader of oscar/cbor.h, and a
 * failure names the field. Never allocates. */
#ifndef OSCAR_ACE_H
#define OSCAR_ACE_H

#include "oscar/cbor.h"
#include "oscar/crypto.h"

/* Group OSCORE roles (key-groupcomm-oscore §3, "Group OSCORE Roles"): bit 2^role in a scope
 * entry's permissions. */
#define OSCAR_ACE_ROLE_REQUESTER 1
#define OSCAR_ACE_ROLE_RESPONDER 2
#define OSCAR_ACE_ROLE_MONITOR 3
#define OSCAR_ACE_ROLE_VERIFIER 4

#define OSCAR_ACE_GNAME_MAX 64
#define OSCAR_ACE_SCOPE_MAX 8 /* entries of one scope */
#define OSCAR_ACE_TEXT_MAX 128

/* oscar_ace_concat_bstr writes each part as a CBOR byte string, one after the other: the PoP
 * input bstr(scope) | bstr(N_S) | bstr(N_C) of RFC 9594 §3.3.1, the KDC's bstr(N_C) | bstr(N_KDC)
 * (§4.3.1), and the Master Salt bstr(salt) | bstr(N1) | bstr(N2) of RFC 9203 §4.3. */
enum oscar_err oscar_ace_concat_bstr(uint8_t *out, size_t cap, size_t *out_len,
                                     const uint8_t *const *parts, const size_t *part_lens,
                                     size_t num_parts);

/* struct oscar_ace_scope_entry is [oscore-gname, oscore-gperm] (AIF, key-groupcomm-oscore §3). */
struct oscar_ace_scope_entry {
    char gname[OSCAR_ACE_GNAME_MAX];
    uint64_t perm;
};

/* oscar_ace_scope_encode writes the AIF scope [* [gname, perm]]. */
enum oscar_err oscar_ace_scope_encode(uint8_t *out, size_t cap, size_t *out_len,
                                      const struct oscar_ace_scope_entry *entries, size_t num);

/* oscar_ace_scope_decode reads an AIF scope strictly; false with why (naming the entry and the
 * field) on anything else, including a role combination a member may not ask for. */
bool oscar_ace_scope_decode(const uint8_t *scope, size_t len, struct oscar_ace_scope_entry *out,
                            size_t cap, size_t *num, char *why, size_t why_cap);

/* oscar_ace_scope_entry_encode writes one scope entry [gname, perm]: the 'scope' of a Join
 * Request, which wraps exactly one entry (RFC 9594 §4.3.1, key-groupcomm-oscore §6.1), unlike
 * a token's scope (an array of entries). */
enum oscar_err oscar_ace_scope_entry_encode(uint8_t *out, size_t cap, size_t *out_len,
                                            const struct oscar_ace_scope_entry *entry);

/* oscar_ace_scope_entry_decode reads one scope entry strictly, with the role rules; false with
 * why. */
bool oscar_ace_scope_entry_decode(const uint8_t *scope, size_t len,
                                  struct oscar_ace_scope_entry *out, char *why, size_t why_cap);

/* oscar_ace_roles_valid: perm names member roles only (bit 0 clear, no unknown bit) and not
 * (Requester or Responder) with Monitor (key-groupcomm-oscore §3). */
bool oscar_ace_roles_valid(uint64_t perm, char *why, size_t why_cap);

/* struct oscar_ace_claims are the CWT claims an access token carries (RFC 8392, RFC 9200 §5.8). */
struct oscar_ace_claims {
    char iss[OSCAR_ACE_TEXT_MAX];
    char aud[OSCAR_ACE_TEXT_MAX];
    uint64_t exp; /* seconds since the epoch; 0: absent */
    uint64_t iat;
    uint64_t nbf; /* not before; 0: absent */
    uint8_t cti[16];
    size_t cti_len;
    uint8_t scope[256]; /* the AIF scope, bstr */
    size_t scope_len;
    uint8_t cnf_pub[OSCAR_SIG_PUB_MAX]; /* the PoP key: the client's public key (cnf/COSE_Key) */
    size_t cnf_pub_len;
    /* or the OSCORE profile's (RFC 9203 §3.2): cnf/osc, an OSCORE_Input_Material {id, ms[, salt]}
     */
    bool has_osc;
    uint8_t osc_id[8];
    size_t osc_id_len;
    uint8_t osc_ms[32];
    size_t osc_ms_len;
    uint8_t osc_salt[16];
    size_t osc_salt_len;
    uint8_t osc_context_id[16]; /* contextId (6), the ID Context, when given */
    size_t osc_context_id_len;
    bool osc_has_context_id;
    int32_t osc_alg;  /* alg (4) as a COSE AEAD id; 0: the default */
    int32_t osc_hkdf; /* hkdf (3) as an HMAC id (5: HMAC 256/256); 0: the default */
};

/* oscar_ace_claims_read reads a claims map strictly (known labels once each, of their types);
 * false with why naming the claim. */
bool oscar_ace_claims_read(const uint8_t *p, size_t len, struct oscar_ace_claims *c, char *why,
                           size_t why_cap);

/* oscar_ace_cwt_sign writes the token: COSE_Sign1 (RFC 9052 §4.2, untagged) over the claims,
 * EdDSA with the Authorization Server's key. */
enum oscar_err oscar_ace_cwt_sign(const struct oscar_crypto_ops *crypto, const uint8_t *as_priv,
                                  const uint8_t *as_pub, const struct oscar_ace_claims *claims,
                                  uint8_t *out, size_t cap, size_t *out_len);

/* oscar_ace_cwt_encrypt writes the token as COSE_Encrypt0 (RFC 9052 §5.2, untagged) with
 * AES-CCM-16-64-128 under the key the Authorization Server shares with the resource server, iv
 * 13 bytes: the form a token carrying a symmetric PoP key (the OSCORE profile's) must take. */
enum oscar_err oscar_ace_cwt_encrypt(const struct oscar_crypto_ops *crypto, const uint8_t key[16],
                                     const uint8_t iv[13], const struct oscar_ace_claims *claims,
                                     uint8_t *out, size_t cap, size_t *out_len);

/* enum oscar_ace_token_verdict: what a resource server (the Group Manager's /authz-info) makes
 * of a posted token, in the order of RFC 9200 §5.10.1.1. */
enum oscar_ace_token_verdict {
    OSCAR_ACE_TOKEN_OK = 0,
    OSCAR_ACE_TOKEN_MALFORMED,      /* not a token: 4.00 */
    OSCAR_ACE_TOKEN_BAD_SIGNATURE,  /* the security wrapper does not verify: 4.01 */
    OSCAR_ACE_TOKEN_WRONG_ISSUER,   /* 4.01 */
    OSCAR_ACE_TOKEN_EXPIRED,        /* 4.01 */
    OSCAR_ACE_TOKEN_WRONG_AUDIENCE, /* 4.03 */
    OSCAR_ACE_TOKEN_BAD_SCOPE,      /* 4.00 */
};

/* oscar_ace_token_code is the CoAP response code of a verdict (2.01 for OK). */
uint8_t oscar_ace_token_code(enum oscar_ace_token_verdict v);

const char *oscar_ace_token_verdict_name(enum oscar_ace_token_verdict v);

/* oscar_ace_cwt_check verifies and reads a token posted to a resource server whose audience is
 * aud, trusting the Authorization Server iss with key as_pub, at time now; *claims is filled
 * when the token decodes. why (may be NULL) says which check failed and on which field. */
enum oscar_ace_token_verdict
oscar_ace_cwt_check(const struct oscar_crypto_ops *crypto, const uint8_t *as_pub, const char *iss,
                    const char *aud, uint64_t now, const uint8_t *token, size_t len,
                    struct oscar_ace_claims *claims, char *why, size_t why_cap);

/* oscar_ace_cwt_check_encrypted is oscar_ace_cwt_check for a COSE_Encrypt0 token under key
 * (a token that does not decrypt is BAD_SIGNATURE: its security wrapper fails, 4.01). */
enum oscar_ace_token_verdict oscar_ace_cwt_check_encrypted(const struct oscar_crypto_ops *crypto,
                                                           const uint8_t key[16], const char *iss,
                                                           const char *aud, uint64_t now,
                                                           const uint8_t *token, size_t len,
                                                           struct oscar_ace_claims *claims,
                                                           char *why, size_t why_cap);

/* oscar_ace_draw writes n bytes of a seeded generator (HKDF-SHA-256 of seed and counter, info
 * label): nonces and keys of the reference roles, reproducible from a run's recorded seed. */
enum oscar_err oscar_ace_draw(const struct oscar_crypto_ops *crypto, uint64_t seed,
                              uint64_t counter, const char *label, uint8_t *out, size_t n);

/* --- the OSCORE profile of ACE (RFC 9203) --- */

/* struct oscar_ace_osc_params are the inputs of the OSCORE Security Context a client and a
 * resource server derive after /authz-info (RFC 9203 §4.3): the token's OSCORE_Input_Material,
 * the nonces N1 (client) and N2 (server), the Recipient IDs ID1 (client's, ace_client_recipientid)
 * and ID2 (server's, ace_server_recipientid). */
struct oscar_ace_osc_params {
    const struct oscar_ace_claims *claims;
    const uint8_t *n1, *n2, *id1, *id2;
    size_t n1_len, n2_len, id1_len, id2_len;
};

/* oscar_ace_osc_salt writes the Master Salt bstr(salt) | bstr(N1) | bstr(N2) (RFC 9203 §4.3). */
enum oscar_err oscar_ace_osc_salt(const struct oscar_ace_osc_params *p, uint8_t *out, size_t cap,
                                  size_t *out_len);

#endif
