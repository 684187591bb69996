/* ace/ace.c — see oscar/ace.h. */
#include "oscar/ace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "oscar/coap.h"

/* COSE and CWT labels (RFC 9052 §3.1, RFC 8392 §4, RFC 8747 §3.1, RFC 9053 §7.2) */
#define CWT_ISS 1
#define CWT_AUD 3
#define CWT_EXP 4
#define CWT_NBF 5
#define CWT_IAT 6
#define CWT_CTI 7
#define CWT_CNF 8
#define CWT_SCOPE 9
#define CNF_COSE_KEY 1
#define CNF_OSC 4 /* RFC 9203 §3.2.1 */
#define OSC_ID 0
#define OSC_MS 2
#define OSC_SALT 5
#define OSC_VERSION 1
#define OSC_HKDF 3
#define OSC_ALG 4
#define OSC_CONTEXT_ID 6
#define KEY_KTY 1
#define KEY_CRV (-1)
#define KEY_X (-2)
#define KTY_OKP 1

static const char SIGNATURE1[] = "Signature1";
/* the protected header {1: -8} (alg EdDSA) as a serialized map */
static const uint8_t PROTECTED[] = {0xa1, 0x01, 0x27};

void oscar_ace_say(char *why, size_t cap, const char *fmt, ...)
{
    if (why == NULL || cap == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

enum oscar_err oscar_ace_concat_bstr(uint8_t *out, size_t cap, size_t *out_len,
                                     const uint8_t *const *parts, const size_t *part_lens,
                                     size_t num_parts)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    for (size_t i = 0; i < num_parts; i++) {
        oscar_cbor_put_bstr(&w, parts[i], part_lens[i]);
    }
    return oscar_cbor_writer_finish(&w, out_len);
}

bool oscar_ace_roles_valid(uint64_t perm, char *why, size_t why_cap)
{
    uint64_t known = (1u << OSCAR_ACE_ROLE_REQUESTER) | (1u << OSCAR_ACE_ROLE_RESPONDER) |
                     (1u << OSCAR_ACE_ROLE_MONITOR) | (1u << OSCAR_ACE_ROLE_VERIFIER);
    uint64_t monitor = 1u << OSCAR_ACE_ROLE_MONITOR;
    uint64_t active = (1u << OSCAR_ACE_ROLE_REQUESTER) | (1u << OSCAR_ACE_ROLE_RESPONDER);
    if (perm == 0 || (perm & ~known) != 0) {
        oscar_ace_say(why, why_cap, "permissions %llu: %s", (unsigned long long)perm,
                      perm == 0 ? "no role"
                                : "a bit that is no member role (bit 0 is the admin interface's)");
        return false;
    }
    if ((perm & monitor) && (perm & active)) {
        oscar_ace_say(why, why_cap,
                      "permissions %llu: Monitor together with Requester or Responder",
                      (unsigned long long)perm);
        return false;
    }
    return true;
}

enum oscar_err oscar_ace_scope_encode(uint8_t *out, size_t cap, size_t *out_len,
                                      const struct oscar_ace_scope_entry *entries, size_t num)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, num);
    for (size_t i = 0; i < num; i++) {
        oscar_cbor_put_array(&w, 2);
        oscar_cbor_put_tstr(&w, entries[i].gname, strlen(entries[i].gname));
        oscar_cbor_put_uint(&w, entries[i].perm);
    }
    return oscar_cbor_writer_finish(&w, out_len);
}

bool oscar_ace_scope_decode(const uint8_t *scope, size_t len, struct oscar_ace_scope_entry *out,
                            size_t cap, size_t *num, char *why, size_t why_cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it;
    oscar_cbor_reader_init(&r, scope, len);
    *num = 0;
    if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_ARRAY || it.value == 0 ||
        it.value > cap) {
        oscar_ace_say(why, why_cap, "scope: %s",
                      r.error[0] ? r.error : "expected an array of 1 to 8 entries");
        return false;
    }
    size_t n = (size_t)it.value;
    for (size_t i = 0; i < n; i++) {
        struct oscar_cbor_item name;
        struct oscar_cbor_item perm;
        if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_ARRAY || it.value != 2 ||
            !oscar_cbor_read(&r, &name) || name.type != OSCAR_CBOR_TSTR ||
            name.len >= OSCAR_ACE_GNAME_MAX || !oscar_cbor_read(&r, &perm) ||
            perm.type != OSCAR_CBOR_UINT) {
            oscar_ace_say(why, why_cap, "scope entry %zu: %s", i,
                          r.error[0] ? r.error : "expected [gname: tstr, gperm: uint]");
            return false;
        }
        memcpy(out[i].gname, name.data, name.len);
        out[i].gname[name.len] = '\0';
        out[i].perm = perm.value;
        char roles[128];
        if (!oscar_ace_roles_valid(perm.value, roles, sizeof(roles))) {
            oscar_ace_say(why, why_cap, "scope entry %zu (%s): %s", i, out[i].gname, roles);
            return false;
        }
    }
    if (r.pos != r.len) {
        oscar_ace_say(why, why_cap, "scope: %zu bytes after the array", r.len - r.pos);
        return false;
    }
    *num = n;
    return true;
}

enum oscar_err oscar_ace_scope_entry_encode(uint8_t *out, size_t cap, size_t *out_len,
                                            const struct oscar_ace_scope_entry *entry)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 2);
    oscar_cbor_put_tstr(&w, entry->gname, strlen(entry->gname));
    oscar_cbor_put_uint(&w, entry->perm);
    return oscar_cbor_writer_finish(&w, out_len);
}

bool oscar_ace_scope_entry_decode(const uint8_t *scope, size_t len,
                                  struct oscar_ace_scope_entry *out, char *why, size_t why_cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it, name, perm;
    oscar_cbor_reader_init(&r, scope, len);
    if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_ARRAY || it.value != 2 ||
        !oscar_cbor_read(&r, &name) || name.type != OSCAR_CBOR_TSTR ||
        name.len >= OSCAR_ACE_GNAME_MAX || !oscar_cbor_read(&r, &perm) ||
        perm.type != OSCAR_CBOR_UINT || r.pos != r.len) {
        oscar_ace_say(why, why_cap, "scope: %s",
                      r.error[0] ? r.error
                                 : "expected one entry [gname: tstr, gperm: uint] and nothing "
                                   "after it");
        return false;
    }
    memcpy(out->gname, name.data, name.len);
    out->gname[name.len] = '\0';
    out->perm = perm.value;
    char roles[128];
    if (!oscar_ace_roles_valid(perm.value, roles, sizeof(roles))) {
        oscar_ace_say(why, why_cap, "scope (%s): %s", out->gname, roles);
        return false;
    }
    return true;
}

/* claims_write writes the claims map. */
static void claims_write(struct oscar_cbor_writer *w, const struct oscar_ace_claims *c)
{
    size_t n = 2 + (c->exp != 0) + (c->iat != 0) + (c->cti_len != 0) + (c->scope_len != 0) +
               (c->cnf_pub_len != 0 || c->has_osc);
    oscar_cbor_put_map(w, n);
    oscar_cbor_put_uint(w, CWT_ISS);
    oscar_cbor_put_tstr(w, c->iss, strlen(c->iss));
    oscar_cbor_put_uint(w, CWT_AUD);
    oscar_cbor_put_tstr(w, c->aud, strlen(c->aud));
    if (c->exp != 0) {
        oscar_cbor_put_uint(w, CWT_EXP);
        oscar_cbor_put_uint(w, c->exp);
    }
    if (c->iat != 0) {
        oscar_cbor_put_uint(w, CWT_IAT);
        oscar_cbor_put_uint(w, c->iat);
    }
    if (c->cti_len != 0) {
        oscar_cbor_put_uint(w, CWT_CTI);
        oscar_cbor_put_bstr(w, c->cti, c->cti_len);
    }
    if (c->cnf_pub_len != 0) {
        /* cnf: {COSE_Key: {kty: OKP, crv: Ed25519, x}} (RFC 8747 §3.2) */
        oscar_cbor_put_uint(w, CWT_CNF);
        oscar_cbor_put_map(w, 1);
        oscar_cbor_put_uint(w, CNF_COSE_KEY);
        oscar_cbor_put_map(w, 3);
        oscar_cbor_put_int(w, KEY_KTY);
        oscar_cbor_put_int(w, KTY_OKP);
        oscar_cbor_put_int(w, KEY_CRV);
        oscar_cbor_put_int(w, OSCAR_COSE_CRV_ED25519);
        oscar_cbor_put_int(w, KEY_X);
        oscar_cbor_put_bstr(w, c->cnf_pub, c->cnf_pub_len);
    }
    if (c->has_osc && c->cnf_pub_len == 0) {
        /* cnf: {osc: {id, ms[, salt]}} (RFC 9203 §3.2.1) */
        oscar_cbor_put_uint(w, CWT_CNF);
        oscar_cbor_put_map(w, 1);
        oscar_cbor_put_uint(w, CNF_OSC);
        oscar_cbor_put_map(w, 2 + (c->osc_salt_len > 0));
        oscar_cbor_put_uint(w, OSC_ID);
        oscar_cbor_put_bstr(w, c->osc_id, c->osc_id_len);
        oscar_cbor_put_uint(w, OSC_MS);
        oscar_cbor_put_bstr(w, c->osc_ms, c->osc_ms_len);
        if (c->osc_salt_len > 0) {
            oscar_cbor_put_uint(w, OSC_SALT);
            oscar_cbor_put_bstr(w, c->osc_salt, c->osc_salt_len);
        }
    }
    if (c->scope_len != 0) {
        oscar_cbor_put_uint(w, CWT_SCOPE);
        oscar_cbor_put_bstr(w, c->scope, c->scope_len);
    }
}

/* sig_structure writes ["Signature1", protected, h'', payload] (RFC 9052 §4.4). */
static enum oscar_err sig_structure(uint8_t *out, size_t cap, size_t *len, const uint8_t *payload,
                                    size_t payload_len)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 4);
    oscar_cbor_put_tstr(&w, SIGNATURE1, sizeof(SIGNATURE1) - 1);
    oscar_cbor_put_bstr(&w, PROTECTED, sizeof(PROTECTED));
    oscar_cbor_put_bstr(&w, NULL, 0);
    oscar_cbor_put_bstr(&w, payload, payload_len);
    return oscar_cbor_writer_finish(&w, len);
}

#define CLAIMS_MAX 640
#define TBS_MAX (CLAIMS_MAX + 32)

enum oscar_err oscar_ace_cwt_sign(const struct oscar_crypto_ops *crypto, const uint8_t *as_priv,
                                  const uint8_t *as_pub, const struct oscar_ace_claims *claims,
                                  uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t payload[CLAIMS_MAX];
    uint8_t tbs[TBS_MAX];
    size_t payload_len;
    size_t tbs_len;
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, payload, sizeof(payload));
    claims_write(&w, claims);
    OSCAR_TRY(oscar_cbor_writer_finish(&w, &payload_len));
    OSCAR_TRY(sig_structure(tbs, sizeof(tbs), &tbs_len, payload, payload_len));
    uint8_t sig[OSCAR_SIG_MAX];
    OSCAR_TRY(crypto->sign(OSCAR_COSE_ALG_EDDSA, as_priv, as_pub, tbs, tbs_len, sig));
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 4);
    oscar_cbor_put_bstr(&w, PROTECTED, sizeof(PROTECTED));
    oscar_cbor_put_map(&w, 0);
    oscar_cbor_put_bstr(&w, payload, payload_len);
    oscar_cbor_put_bstr(&w, sig, sizeof(sig));
    return oscar_cbor_writer_finish(&w, out_len);
}

uint8_t oscar_ace_token_code(enum oscar_ace_token_verdict v)
{
    switch (v) {
    case OSCAR_ACE_TOKEN_OK:
        return OSCAR_COAP_CODE(2, 1);
    case OSCAR_ACE_TOKEN_BAD_SIGNATURE:
    case OSCAR_ACE_TOKEN_WRONG_ISSUER:
    case OSCAR_ACE_TOKEN_EXPIRED:
        return OSCAR_COAP_CODE(4, 1);
    case OSCAR_ACE_TOKEN_WRONG_AUDIENCE:
        return OSCAR_COAP_CODE(4, 3);
    case OSCAR_ACE_TOKEN_MALFORMED:
    case OSCAR_ACE_TOKEN_BAD_SCOPE:
        return OSCAR_COAP_CODE(4, 0);
    }
    return OSCAR_COAP_CODE(5, 0);
}

const char *oscar_ace_token_verdict_name(enum oscar_ace_token_verdict v)
{
    static const char *const names[] = {"ok",           "malformed", "bad-signature",
                                        "wrong-issuer", "expired",   "wrong-audience",
                                        "bad-scope"};
    return (size_t)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

/* read_text copies a tstr item into out (false if not a tstr or too long). */
static bool read_text(const struct oscar_cbor_item *it, char *out, size_t cap)
{
    if (it->type != OSCAR_CBOR_TSTR || it->len >= cap) {
        return false;
    }
    memcpy(out, it->data, it->len);
    out[it->len] = '\0';
    return true;
}

/* read_osc reads an OSCORE_Input_Material with id and ms (RFC 9203 §3.2.1): id, ms, salt,
 * contextId, alg and hkdf kept (as integers), version only as 1. */
static bool read_osc(struct oscar_cbor_reader *r, struct oscar_ace_claims *c)
{
    struct oscar_cbor_item m, k, v;
    int64_t label, x;
    if (!oscar_cbor_read(r, &m) || m.type != OSCAR_CBOR_MAP) {
        return false;
    }
    uint32_t seen = 0;
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(r, &k) || !oscar_cbor_int(&k, &label) || label < 0 || label > 6 ||
            (seen & (1u << label)) || !oscar_cbor_read(r, &v)) {
            return false;
        }
        seen |= 1u << label;
        if (label == OSC_VERSION || label == OSC_ALG || label == OSC_HKDF) {
            if (!oscar_cbor_int(&v, &x) || x < INT32_MIN || x > INT32_MAX ||
                (label == OSC_VERSION && x != 1)) {
                return false;
            }
            if (label == OSC_ALG) {
                c->osc_alg = (int32_t)x;
            } else if (label == OSC_HKDF) {
                c->osc_hkdf = (int32_t)x;
            }
            continue;
        }
        uint8_t *dst = label == OSC_ID     ? c->osc_id
                       : label == OSC_MS   ? c->osc_ms
                       : label == OSC_SALT ? c->osc_salt
                                           : c->osc_context_id;
        size_t cap = label == OSC_ID     ? sizeof(c->osc_id)
                     : label == OSC_MS   ? sizeof(c->osc_ms)
                     : label == OSC_SALT ? sizeof(c->osc_salt)
                                         : sizeof(c->osc_context_id);
        size_t *len = label == OSC_ID     ? &c->osc_id_len
                      : label == OSC_MS   ? &c->osc_ms_len
                      : label == OSC_SALT ? &c->osc_salt_len
                                          : &c->osc_context_id_len;
        if (v.type != OSCAR_CBOR_BSTR || v.len > cap) {
            return false;
        }
        memcpy(dst, v.data, v.len);
        *len = v.len;
        c->osc_has_context_id = c->osc_has_context_id || label == OSC_CONTEXT_ID;
    }
    c->has_osc = true;
    return (seen & (1u << OSC_ID)) && (seen & (1u << OSC_MS)) && c->osc_ms_len > 0;
}

/* read_cnf reads {1: {1: 1, -1: 6, -2: x}}: an Ed25519 COSE_Key (RFC 8747 §3.2), or
 * {4: OSCORE_Input_Material} (RFC 9203 §3.2.1). */
static bool read_cnf(struct oscar_cbor_reader *r, struct oscar_ace_claims *c)
{
    struct oscar_cbor_item it;
    int64_t label;
    if (!oscar_cbor_read(r, &it) || it.type != OSCAR_CBOR_MAP || it.value != 1 ||
        !oscar_cbor_read(r, &it) || !oscar_cbor_int(&it, &label)) {
        return false;
    }
    if (label == CNF_OSC) {
        return read_osc(r, c);
    }
    if (label != CNF_COSE_KEY || !oscar_cbor_read(r, &it) || it.type != OSCAR_CBOR_MAP ||
        it.value != 3) {
        return false;
    }
    bool kty = false;
    bool crv = false;
    for (int i = 0; i < 3; i++) {
        struct oscar_cbor_item v;
        if (!oscar_cbor_read(r, &it) || !oscar_cbor_int(&it, &label) || !oscar_cbor_read(r, &v)) {
            return false;
        }
        int64_t x;
        if (label == KEY_KTY && oscar_cbor_int(&v, &x) && x == KTY_OKP && !kty) {
            kty = true;
        } else if (label == KEY_CRV && oscar_cbor_int(&v, &x) && x == OSCAR_COSE_CRV_ED25519 &&
                   !crv) {
            crv = true;
        } else if (label == KEY_X && v.type == OSCAR_CBOR_BSTR && v.len == 32 &&
                   c->cnf_pub_len == 0) {
            memcpy(c->cnf_pub, v.data, 32);
            c->cnf_pub_len = 32;
        } else {
            return false;
        }
    }
    return kty && crv && c->cnf_pub_len == 32;
}

static const char *claim_name(int64_t label)
{
    static const char *const names[] = {"?",   "iss", "sub", "aud", "exp",
                                        "nbf", "iat", "cti", "cnf", "scope"};
    return label >= 0 && label < 10 ? names[label] : "?";
}

bool oscar_ace_claims_read(const uint8_t *p, size_t len, struct oscar_ace_claims *c, char *why,
                           size_t why_cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it;
    oscar_cbor_reader_init(&r, p, len);
    memset(c, 0, sizeof(*c));
    if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_MAP) {
        oscar_ace_say(why, why_cap, "claims: %s", r.error[0] ? r.error : "not a map");
        return false;
    }
    uint32_t seen = 0;
    for (uint64_t i = 0; i < it.value; i++) {
        struct oscar_cbor_item key;
        struct oscar_cbor_item v;
        int64_t label;
        if (!oscar_cbor_read(&r, &key) || !oscar_cbor_int(&key, &label)) {
            oscar_ace_say(why, why_cap, "claims: %s",
                          r.error[0] ? r.error : "a label that is no integer");
            return false;
        }
        if (label < 1 || label > 31) {
            /* a claim this reader does not know is ignored (RFC 8392 §4, RFC 7519 §4) */
            if (!oscar_cbor_skip(&r)) {
                oscar_ace_say(why, why_cap, "claim %lld: %s", (long long)label, r.error);
                return false;
            }
            continue;
        }
        if (seen & (1u << label)) {
            oscar_ace_say(why, why_cap, "claim %s (%lld) given twice", claim_name(label),
                          (long long)label);
            return false;
        }
        seen |= 1u << label;
        bool ok;
        size_t at = r.pos;
        if (label == CWT_CNF) {
            ok = read_cnf(&r, c);
        } else if (!oscar_cbor_read(&r, &v)) {
            ok = false;
        } else if (label == CWT_ISS) {
            ok = read_text(&v, c->iss, sizeof(c->iss));
        } else if (label == CWT_AUD) {
            ok = read_text(&v, c->aud, sizeof(c->aud));
        } else if (label == CWT_EXP || label == CWT_IAT || label == CWT_NBF) {
            ok = v.type == OSCAR_CBOR_UINT;
            *(label == CWT_EXP ? &c->exp : label == CWT_IAT ? &c->iat : &c->nbf) = v.value;
        } else if (label == CWT_CTI) {
            ok = v.type == OSCAR_CBOR_BSTR && v.len <= sizeof(c->cti);
            if (ok) {
                memcpy(c->cti, v.data, v.len);
                c->cti_len = v.len;
            }
        } else if (label == CWT_SCOPE) {
            ok = v.type == OSCAR_CBOR_BSTR && v.len <= sizeof(c->scope);
            if (ok) {
                memcpy(c->scope, v.data, v.len);
                c->scope_len = v.len;
            }
        } else {
            ok = true; /* known to CWT (e.g. sub), not needed here: ignored */
        }
        if (!ok) {
            oscar_ace_say(why, why_cap, "claim %s (%lld) at byte %zu: %s", claim_name(label),
                          (long long)label, at, r.error[0] ? r.error : "wrong type or size");
            return false;
        }
    }
    if (r.pos != r.len) {
        oscar_ace_say(why, why_cap, "claims: %zu bytes after the map", r.len - r.pos);
        return false;
    }
    return true;
}

/* check_claims reads the claims of an unwrapped token and checks them in RFC 9200 §5.10.1.1's
 * order. */
static enum oscar_ace_token_verdict check_claims(const uint8_t *payload, size_t payload_len,
                                                 const char *iss, const char *aud, uint64_t now,
                                                 struct oscar_ace_claims *claims, char *why,
                                                 size_t why_cap)
{
    if (!oscar_ace_claims_read(payload, payload_len, claims, why, why_cap)) {
        return OSCAR_ACE_TOKEN_MALFORMED;
    }
    if (strcmp(claims->iss, iss) != 0) {
        oscar_ace_say(why, why_cap, "iss \"%s\", expected \"%s\"", claims->iss, iss);
        return OSCAR_ACE_TOKEN_WRONG_ISSUER;
    }
    if (claims->nbf != 0 && claims->nbf > now) {
        oscar_ace_say(why, why_cap, "nbf %llu is after now (%llu): not valid yet",
                      (unsigned long long)claims->nbf, (unsigned long long)now);
        return OSCAR_ACE_TOKEN_EXPIRED;
    }
    if (claims->exp != 0 && claims->exp <= now) {
        oscar_ace_say(why, why_cap, "exp %llu is not after now (%llu)",
                      (unsigned long long)claims->exp, (unsigned long long)now);
        return OSCAR_ACE_TOKEN_EXPIRED;
    }
    if (strcmp(claims->aud, aud) != 0) {
        oscar_ace_say(why, why_cap, "aud \"%s\", this Group Manager is \"%s\"", claims->aud, aud);
        return OSCAR_ACE_TOKEN_WRONG_AUDIENCE;
    }
    struct oscar_ace_scope_entry entries[OSCAR_ACE_SCOPE_MAX];
    size_t n;
    if (claims->scope_len == 0) {
        oscar_ace_say(why, why_cap, "no scope");
        return OSCAR_ACE_TOKEN_BAD_SCOPE;
    }
    if (!oscar_ace_scope_decode(claims->scope, claims->scope_len, entries, OSCAR_ACE_SCOPE_MAX, &n,
                                why, why_cap)) {
        return OSCAR_ACE_TOKEN_BAD_SCOPE;
    }
    return OSCAR_ACE_TOKEN_OK;
}

enum oscar_ace_token_verdict
oscar_ace_cwt_check(const struct oscar_crypto_ops *crypto, const uint8_t *as_pub, const char *iss,
                    const char *aud, uint64_t now, const uint8_t *token, size_t len,
                    struct oscar_ace_claims *claims, char *why, size_t why_cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item arr, prot, unprot, payload, sig;
    memset(claims, 0, sizeof(*claims));
    oscar_cbor_reader_init(&r, token, len);
    if (!oscar_cbor_read(&r, &arr) || arr.type != OSCAR_CBOR_ARRAY || arr.value != 4 ||
        !oscar_cbor_read(&r, &prot) || prot.type != OSCAR_CBOR_BSTR ||
        !oscar_cbor_read(&r, &unprot) || unprot.type != OSCAR_CBOR_MAP || unprot.value != 0 ||
        !oscar_cbor_read(&r, &payload) || payload.type != OSCAR_CBOR_BSTR ||
        !oscar_cbor_read(&r, &sig) || sig.type != OSCAR_CBOR_BSTR || r.pos != r.len) {
        oscar_ace_say(why, why_cap, "not a COSE_Sign1 [protected, {}, payload, signature]: %s",
                      r.error[0] ? r.error : "wrong structure");
        return OSCAR_ACE_TOKEN_MALFORMED;
    }
    if (prot.len != sizeof(PROTECTED) || memcmp(prot.data, PROTECTED, sizeof(PROTECTED)) != 0) {
        oscar_ace_say(why, why_cap, "protected header: not {alg: EdDSA}");
        return OSCAR_ACE_TOKEN_BAD_SIGNATURE;
    }
    uint8_t tbs[TBS_MAX];
    size_t tbs_len;
    bool valid = false;
    if (payload.len > CLAIMS_MAX ||
        sig_structure(tbs, sizeof(tbs), &tbs_len, payload.data, payload.len) != OSCAR_OK ||
        crypto->verify(OSCAR_COSE_ALG_EDDSA, as_pub, tbs, tbs_len, sig.data, sig.len, &valid) !=
            OSCAR_OK ||
        !valid) {
        oscar_ace_say(why, why_cap,
                      "the signature does not verify with the Authorization Server's key");
        return OSCAR_ACE_TOKEN_BAD_SIGNATURE;
    }
    return check_claims(payload.data, payload.len, iss, aud, now, claims, why, why_cap);
}

/* the protected header {1: 10} (alg AES-CCM-16-64-128) and the unprotected IV label */
static const uint8_t ENC_PROTECTED[] = {0xa1, 0x01, 0x0a};
#define HDR_IV 5
#define ENC_IV_LEN 13

/* enc_structure writes ["Encrypt0", protected, h''] (RFC 9052 §5.3). */
static enum oscar_err enc_structure(uint8_t *out, size_t cap, size_t *len)
{
    static const char ENCRYPT0[] = "Encrypt0";
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 3);
    oscar_cbor_put_tstr(&w, ENCRYPT0, sizeof(ENCRYPT0) - 1);
    oscar_cbor_put_bstr(&w, ENC_PROTECTED, sizeof(ENC_PROTECTED));
    oscar_cbor_put_bstr(&w, NULL, 0);
    return oscar_cbor_writer_finish(&w, len);
}

enum oscar_err oscar_ace_cwt_encrypt(const struct oscar_crypto_ops *crypto, const uint8_t key[16],
                                     const uint8_t iv[13], const struct oscar_ace_claims *claims,
                                     uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t payload[CLAIMS_MAX];
    uint8_t ct[CLAIMS_MAX + 16];
    uint8_t aad[32];
    size_t payload_len, aad_len;
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, payload, sizeof(payload));
    claims_write(&w, claims);
    OSCAR_TRY(oscar_cbor_writer_finish(&w, &payload_len));
    OSCAR_TRY(enc_structure(aad, sizeof(aad), &aad_len));
    const struct oscar_alg_info *alg = oscar_alg_find(OSCAR_COSE_ALG_AES_CCM_16_64_128);
    struct oscar_aead_key k;
    OSCAR_TRY(crypto->aead_key_init(&k, alg, key));
    enum oscar_err err =
        crypto->aead_seal(&k, ct, sizeof(ct), iv, aad, aad_len, payload, payload_len);
    crypto->aead_key_cleanup(&k);
    OSCAR_TRY(err);
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_array(&w, 3);
    oscar_cbor_put_bstr(&w, ENC_PROTECTED, sizeof(ENC_PROTECTED));
    oscar_cbor_put_map(&w, 1);
    oscar_cbor_put_uint(&w, HDR_IV);
    oscar_cbor_put_bstr(&w, iv, ENC_IV_LEN);
    oscar_cbor_put_bstr(&w, ct, payload_len + alg->tag_len);
    return oscar_cbor_writer_finish(&w, out_len);
}

enum oscar_ace_token_verdict oscar_ace_cwt_check_encrypted(const struct oscar_crypto_ops *crypto,
                                                           const uint8_t key[16], const char *iss,
                                                           const char *aud, uint64_t now,
                                                           const uint8_t *token, size_t len,
                                                           struct oscar_ace_claims *claims,
                                                           char *why, size_t why_cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item arr, prot, unprot, label, iv, ct;
    int64_t l;
    memset(claims, 0, sizeof(*claims));
    oscar_cbor_reader_init(&r, token, len);
    if (!oscar_cbor_read(&r, &arr) || arr.type != OSCAR_CBOR_ARRAY || arr.value != 3 ||
        !oscar_cbor_read(&r, &prot) || prot.type != OSCAR_CBOR_BSTR ||
        !oscar_cbor_read(&r, &unprot) || unprot.type != OSCAR_CBOR_MAP || unprot.value != 1 ||
        !oscar_cbor_read(&r, &label) || !oscar_cbor_int(&label, &l) || l != HDR_IV ||
        !oscar_cbor_read(&r, &iv) || iv.type != OSCAR_CBOR_BSTR || iv.len != ENC_IV_LEN ||
        !oscar_cbor_read(&r, &ct) || ct.type != OSCAR_CBOR_BSTR || r.pos != r.len) {
        oscar_ace_say(why, why_cap, "not a COSE_Encrypt0 [protected, {5: iv}, ciphertext]: %s",
                      r.error[0] ? r.error : "wrong structure");
        return OSCAR_ACE_TOKEN_MALFORMED;
    }
    const struct oscar_alg_info *alg = oscar_alg_find(OSCAR_COSE_ALG_AES_CCM_16_64_128);
    uint8_t aad[32];
    size_t aad_len;
    uint8_t payload[CLAIMS_MAX];
    bool authentic = false;
    struct oscar_aead_key k;
    if (prot.len != sizeof(ENC_PROTECTED) ||
        memcmp(prot.data, ENC_PROTECTED, sizeof(ENC_PROTECTED)) != 0 || ct.len < alg->tag_len ||
        ct.len - alg->tag_len > sizeof(payload) ||
        enc_structure(aad, sizeof(aad), &aad_len) != OSCAR_OK ||
        crypto->aead_key_init(&k, alg, key) != OSCAR_OK) {
        oscar_ace_say(why, why_cap,
                      "protected header: not {alg: AES-CCM-16-64-128}, or a wrong size");
        return OSCAR_ACE_TOKEN_BAD_SIGNATURE;
    }
    enum oscar_err err = crypto->aead_open(&k, &authentic, payload, sizeof(payload), iv.data, aad,
                                           aad_len, ct.data, ct.len);
    crypto->aead_key_cleanup(&k);
    if (err != OSCAR_OK || !authentic) {
        oscar_ace_say(why, why_cap, "the token does not decrypt with the key shared with the AS");
        return OSCAR_ACE_TOKEN_BAD_SIGNATURE;
    }
    return check_claims(payload, ct.len - alg->tag_len, iss, aud, now, claims, why, why_cap);
}

enum oscar_err oscar_ace_osc_salt(const struct oscar_ace_osc_params *p, uint8_t *out, size_t cap,
                                  size_t *out_len)
{
    const uint8_t *parts[3] = {p->claims->osc_salt, p->n1, p->n2};
    size_t lens[3] = {p->claims->osc_salt_len, p->n1_len, p->n2_len};
    return oscar_ace_concat_bstr(out, cap, out_len, parts, lens, 3);
}

enum oscar_err oscar_ace_draw(const struct oscar_crypto_ops *crypto, uint64_t seed,
                              uint64_t counter, const char *label, uint8_t *out, size_t n)
{
    uint8_t ikm[16];
    for (int i = 0; i < 8; i++) {
        ikm[i] = (uint8_t)(seed >> (56 - 8 * i));
        ikm[8 + i] = (uint8_t)(counter >> (56 - 8 * i));
    }
    return crypto->hkdf(out, n, OSCAR_COSE_ALG_HKDF_SHA256, NULL, 0, ikm, sizeof(ikm),
                        (const uint8_t *)label, strlen(label));
}
