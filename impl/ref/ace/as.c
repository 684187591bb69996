/* ace/as.c — the reference Authorization Server's token endpoint (see oscar/gm.h): the client
 * credentials grant of RFC 9200 §5.8 with an asymmetric PoP key (req_cnf, RFC 9201), AIF scopes
 * of Group OSCORE narrowed to what the policy allows, CWT access tokens signed with EdDSA. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oscar/coap.h"
#include "oscar/gm.h"

enum oscar_err oscar_as_init(struct oscar_as *as, const struct oscar_crypto_ops *crypto,
                             const char *iss, const uint8_t priv[32], uint64_t lifetime)
{
    memset(as, 0, sizeof(*as));
    as->crypto = crypto;
    if (strlen(iss) >= sizeof(as->iss)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    snprintf(as->iss, sizeof(as->iss), "%s", iss);
    memcpy(as->priv, priv, 32);
    as->lifetime = lifetime;
    return crypto->sig_public(OSCAR_COSE_ALG_EDDSA, as->priv, as->pub);
}

static void as_error(struct oscar_gm_response *rs, enum oscar_as_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void as_error(struct oscar_gm_response *rs, enum oscar_as_error e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rs->why, sizeof(rs->why), fmt, ap);
    va_end(ap);
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 2);
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_ERROR);
    oscar_cbor_put_uint(&w, (uint64_t)e);
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_ERROR_DESCRIPTION);
    oscar_cbor_put_tstr(&w, rs->why, strlen(rs->why));
    (void)oscar_cbor_writer_finish(&w, &rs->len);
    rs->code =
        e == OSCAR_AS_INVALID_CLIENT ? OSCAR_COAP_CODE_UNAUTHORIZED : OSCAR_COAP_CODE_BAD_REQUEST;
    rs->content_format = OSCAR_CF_ACE_CBOR;
}

struct token_request {
    uint64_t grant;
    bool has_grant;
    char client_id[OSCAR_ACE_TEXT_MAX];
    char aud[OSCAR_ACE_TEXT_MAX];
    const uint8_t *scope;
    size_t scope_len;
    uint8_t pub[32];
    bool has_cnf;
    bool bad_cnf;
    uint8_t kid[8]; /* req_cnf {kid}: the OSCORE material of an earlier token (RFC 9203 §4.1) */
    size_t kid_len;
    bool has_kid;
};

static bool text(const struct oscar_cbor_item *v, char *out, size_t cap)
{
    if (v->type != OSCAR_CBOR_TSTR || v->len >= cap) {
        return false;
    }
    memcpy(out, v->data, v->len);
    out[v->len] = '\0';
    return true;
}

/* read_request reads the token request map; false with why on a malformed one. */
static bool read_request(const uint8_t *p, size_t len, struct token_request *t, char *why,
                         size_t cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item m, k, v;
    int64_t label;
    uint64_t seen = 0;
    memset(t, 0, sizeof(*t));
    oscar_cbor_reader_init(&r, p, len);
    if (!oscar_cbor_read(&r, &m) || m.type != OSCAR_CBOR_MAP) {
        snprintf(why, cap, "not an ace+cbor map");
        return false;
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label)) {
            snprintf(why, cap, "entry %llu: a key that is no integer", (unsigned long long)i);
            return false;
        }
        if (label >= 0 && label < 64) {
            if (seen & (UINT64_C(1) << label)) {
                snprintf(why, cap, "parameter %lld given twice", (long long)label);
                return false;
            }
            seen |= UINT64_C(1) << label;
        }
        if (label == OSCAR_ACE_T_REQ_CNF) {
            struct oscar_cbor_item cnf, c, kid;
            size_t at = r.pos;
            t->has_cnf = true;
            if (oscar_cbor_read(&r, &cnf) && cnf.type == OSCAR_CBOR_MAP && cnf.value == 1 &&
                oscar_cbor_read(&r, &c) && oscar_cbor_int(&c, &label) && label == 3 &&
                oscar_cbor_read(&r, &kid) && kid.type == OSCAR_CBOR_BSTR &&
                kid.len <= sizeof(t->kid)) {
                /* {kid: id}: the update of access rights (RFC 9203 §4.1, RFC 9201) */
                memcpy(t->kid, kid.data, kid.len);
                t->kid_len = kid.len;
                t->has_kid = true;
                continue;
            }
            r.pos = at;
            r.error[0] = '\0';
            if (!oscar_cbor_read(&r, &cnf) || cnf.type != OSCAR_CBOR_MAP || cnf.value != 1 ||
                !oscar_cbor_read(&r, &c) || !oscar_cbor_int(&c, &label) || label != 1 ||
                !oscar_ace_read_okp_key(&r, t->pub)) {
                /* not an Ed25519 COSE_Key: skip it whole and say unsupported_pop_key */
                t->bad_cnf = true;
                r.pos = at;
                r.error[0] = '\0';
                if (!oscar_cbor_skip(&r)) {
                    snprintf(why, cap, "req_cnf: malformed");
                    return false;
                }
            }
            continue;
        }
        bool ok = true;
        if (!oscar_cbor_read(&r, &v)) {
            ok = false;
        } else if (label == OSCAR_ACE_T_GRANT_TYPE) {
            ok = v.type == OSCAR_CBOR_UINT;
            t->grant = v.value;
            t->has_grant = true;
        } else if (label == OSCAR_ACE_T_CLIENT_ID) {
            ok = text(&v, t->client_id, sizeof(t->client_id));
        } else if (label == OSCAR_ACE_T_AUDIENCE) {
            ok = text(&v, t->aud, sizeof(t->aud));
        } else if (label == OSCAR_ACE_T_SCOPE) {
            ok = v.type == OSCAR_CBOR_BSTR;
            t->scope = v.data;
            t->scope_len = v.len;
        } else if (v.type == OSCAR_CBOR_ARRAY || v.type == OSCAR_CBOR_MAP ||
                   v.type == OSCAR_CBOR_TAG) {
            r.pos = v.offset;
            ok = oscar_cbor_skip(&r);
        }
        if (!ok) {
            snprintf(why, cap, "parameter %lld: wrong type", (long long)label);
            return false;
        }
    }
    if (r.pos != r.len) {
        snprintf(why, cap, "bytes after the map");
        return false;
    }
    return true;
}

void oscar_as_token(struct oscar_as *as, const char *client, const uint8_t *payload, size_t len,
                    uint64_t now, struct oscar_gm_response *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->content_format = OSCAR_CF_NONE;
    struct token_request t;
    char why[160];
    if (!read_request(payload, len, &t, why, sizeof(why))) {
        as_error(rs, OSCAR_AS_INVALID_REQUEST, "%s", why);
        return;
    }
    if (client == NULL) {
        client = t.client_id; /* the channel says nothing: the request's client_id */
    }
    bool known = false;
    for (size_t i = 0; i < as->num_policies; i++) {
        known |= client[0] != '\0' && strcmp(as->policies[i].client, client) == 0;
    }
    if (!known || (t.client_id[0] != '\0' && strcmp(t.client_id, client) != 0)) {
        as_error(rs, OSCAR_AS_INVALID_CLIENT, "client %s is not known here", client);
        return;
    }
    if (!t.has_grant) {
        t.grant = OSCAR_ACE_GRANT_CLIENT_CREDENTIALS; /* RFC 9200 §5.8.1: the default */
    }
    if (t.scope == NULL) {
        as_error(rs, OSCAR_AS_INVALID_SCOPE, "no scope, and this AS has no default scope");
        return;
    }
    if (t.aud[0] == '\0' || (!t.has_cnf && !as->has_token_key)) {
        as_error(rs, OSCAR_AS_INVALID_REQUEST, "missing %s",
                 t.aud[0] == '\0' ? "audience" : "req_cnf");
        return;
    }
    if (t.grant != OSCAR_ACE_GRANT_CLIENT_CREDENTIALS) {
        as_error(rs, OSCAR_AS_UNSUPPORTED_GRANT_TYPE, "grant_type %llu: only client credentials",
                 (unsigned long long)t.grant);
        return;
    }
    if (t.bad_cnf) {
        as_error(rs, OSCAR_AS_UNSUPPORTED_POP_KEY, "req_cnf: only an Ed25519 COSE_Key");
        return;
    }
    struct oscar_ace_scope_entry e[OSCAR_ACE_SCOPE_MAX];
    size_t n;
    if (!oscar_ace_scope_decode(t.scope, t.scope_len, e, OSCAR_ACE_SCOPE_MAX, &n, why,
                                sizeof(why))) {
        as_error(rs, OSCAR_AS_INVALID_SCOPE, "%s", why);
        return;
    }
    /* each entry narrowed to the roles the policy allows; entries left empty are dropped */
    size_t kept = 0;
    bool narrowed = false;
    for (size_t i = 0; i < n; i++) {
        uint64_t allowed = 0;
        for (size_t k = 0; k < as->num_policies; k++) {
            const struct oscar_as_policy *pol = &as->policies[k];
            if (strcmp(pol->client, client) == 0 && strcmp(pol->aud, t.aud) == 0 &&
                strcmp(pol->gname, e[i].gname) == 0) {
                allowed |= pol->roles;
            }
        }
        uint64_t granted =
            (as->faults & OSCAR_AS_FAULT_IGNORE_POLICY) ? e[i].perm : e[i].perm & allowed;
        narrowed |= granted != e[i].perm;
        /* a role set the narrowing made invalid (none left) is dropped */
        if (granted != 0 && oscar_ace_roles_valid(granted, NULL, 0)) {
            e[kept] = e[i];
            e[kept++].perm = granted;
        }
    }
    if (kept == 0) {
        as_error(rs, OSCAR_AS_INVALID_SCOPE, "client %s may have none of the roles asked for at %s",
                 client, t.aud);
        return;
    }
    struct oscar_ace_claims c = {0};
    snprintf(c.iss, sizeof(c.iss), "%s", as->iss);
    snprintf(c.aud, sizeof(c.aud), "%s", t.aud);
    c.iat = now;
    c.exp = (as->faults & OSCAR_AS_FAULT_NO_EXP) ? 0 : now + as->lifetime;
    as->issued++;
    for (size_t i = 0; i < 8; i++) {
        c.cti[i] = (uint8_t)(as->issued >> (56 - 8 * i));
    }
    c.cti_len = 8;
    uint8_t token[1024];
    size_t token_len;
    enum oscar_err err = oscar_ace_scope_encode(c.scope, sizeof(c.scope), &c.scope_len, e, kept);
    if (as->has_token_key) {
        /* the OSCORE profile: a drawn OSCORE_Input_Material, the token encrypted for the RS;
         * with req_cnf {kid}, the material of that earlier token of this client (an update of
         * access rights, RFC 9203 §4.1) */
        uint8_t iv[13];
        c.has_osc = true;
        c.osc_id_len = 2;
        c.osc_ms_len = 16;
        c.osc_id[0] = (uint8_t)(as->issued >> 8);
        c.osc_id[1] = (uint8_t)as->issued;
        if (t.has_kid) {
            size_t k = 0;
            while (k < as->num_materials && !(as->materials[k].id_len == t.kid_len &&
                                              memcmp(as->materials[k].id, t.kid, t.kid_len) == 0 &&
                                              strcmp(as->materials[k].client, client) == 0)) {
                k++;
            }
            if (k == as->num_materials) {
                as_error(rs, OSCAR_AS_INVALID_REQUEST, "req_cnf: no token of %s with kid %02x",
                         client, t.kid_len > 0 ? t.kid[0] : 0);
                return;
            }
            memcpy(c.osc_id, as->materials[k].id, as->materials[k].id_len);
            c.osc_id_len = as->materials[k].id_len;
            memcpy(c.osc_ms, as->materials[k].ms, 16);
        } else if (err == OSCAR_OK) {
            err = oscar_ace_draw(as->crypto, as->seed, 2 * as->issued, "oscar as ms", c.osc_ms, 16);
            if (err == OSCAR_OK && as->num_materials < OSCAR_AS_MATERIALS_MAX) {
                struct oscar_as_material *mt = &as->materials[as->num_materials++];
                snprintf(mt->client, sizeof(mt->client), "%s", client);
                memcpy(mt->id, c.osc_id, c.osc_id_len);
                mt->id_len = c.osc_id_len;
                memcpy(mt->ms, c.osc_ms, 16);
            }
        }
        if (err == OSCAR_OK) {
            err = oscar_ace_draw(as->crypto, as->seed, 2 * as->issued + 1, "oscar as iv", iv,
                                 sizeof(iv));
        }
        if (err == OSCAR_OK) {
            err = oscar_ace_cwt_encrypt(as->crypto, as->token_key, iv, &c, token, sizeof(token),
                                        &token_len);
        }
    } else {
        memcpy(c.cnf_pub, t.pub, 32);
        c.cnf_pub_len = 32;
        if (err == OSCAR_OK) {
            err = oscar_ace_cwt_sign(as->crypto, as->priv, as->pub, &c, token, sizeof(token),
                                     &token_len);
        }
    }
    if (err != OSCAR_OK) {
        as_error(rs, OSCAR_AS_INVALID_REQUEST, "the token does not fit");
        return;
    }
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 2 + narrowed + 2 * c.has_osc - t.has_kid);
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_ACCESS_TOKEN);
    oscar_cbor_put_bstr(&w, token, token_len);
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_EXPIRES_IN);
    oscar_cbor_put_uint(&w, as->lifetime);
    if (c.has_osc && !t.has_kid) { /* cnf: {osc: {id, ms}} for the client (RFC 9203 §3.2) */
        oscar_cbor_put_uint(&w, OSCAR_ACE_T_CNF);
        oscar_cbor_put_map(&w, 1);
        oscar_cbor_put_uint(&w, 4);
        oscar_cbor_put_map(&w, 2);
        oscar_cbor_put_uint(&w, 0);
        oscar_cbor_put_bstr(&w, c.osc_id, c.osc_id_len);
        oscar_cbor_put_uint(&w, 2);
        oscar_cbor_put_bstr(&w, c.osc_ms, c.osc_ms_len);
    }
    if (narrowed) { /* the scope granted differs from the one asked for (RFC 9200 §5.8.2) */
        oscar_cbor_put_uint(&w, OSCAR_ACE_T_SCOPE);
        oscar_cbor_put_bstr(&w, c.scope, c.scope_len);
    }
    if (c.has_osc) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_T_ACE_PROFILE);
        oscar_cbor_put_uint(&w, OSCAR_ACE_PROFILE_COAP_OSCORE);
    }
    if (oscar_cbor_writer_finish(&w, &rs->len) != OSCAR_OK) {
        as_error(rs, OSCAR_AS_INVALID_REQUEST, "the response does not fit");
        return;
    }
    rs->code = OSCAR_COAP_CODE_CREATED;
    rs->content_format = OSCAR_CF_ACE_CBOR;
}

/* write_request writes a token request: req_cnf an Ed25519 key (pub), or {kid} (kid), or
 * none; then audience, scope [[gname, roles]], client_id and grant_type. */
static enum oscar_err write_request(const char *client, const char *aud, const char *gname,
                                    uint64_t roles, const uint8_t *pub, const uint8_t *kid,
                                    size_t kid_len, uint8_t *out, size_t cap, size_t *out_len)
{
    struct oscar_ace_scope_entry e = {.perm = roles};
    uint8_t scope[OSCAR_ACE_SCOPE_BYTES_MAX];
    size_t scope_len;
    if (strlen(gname) >= sizeof(e.gname)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    memcpy(e.gname, gname, strlen(gname) + 1);
    OSCAR_TRY(oscar_ace_scope_encode(scope, sizeof(scope), &scope_len, &e, 1));
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_map(&w, 4 + (pub != NULL || kid != NULL));
    if (pub != NULL) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_T_REQ_CNF);
        oscar_cbor_put_map(&w, 1);
        oscar_cbor_put_uint(&w, 1);
        oscar_cbor_put_map(&w, 3);
        oscar_cbor_put_int(&w, 1);
        oscar_cbor_put_int(&w, 1);
        oscar_cbor_put_int(&w, -1);
        oscar_cbor_put_int(&w, OSCAR_COSE_CRV_ED25519);
        oscar_cbor_put_int(&w, -2);
        oscar_cbor_put_bstr(&w, pub, 32);
    } else if (kid != NULL) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_T_REQ_CNF);
        oscar_cbor_put_map(&w, 1);
        oscar_cbor_put_uint(&w, 3); /* kid (RFC 9201) */
        oscar_cbor_put_bstr(&w, kid, kid_len);
    }
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_AUDIENCE);
    oscar_cbor_put_tstr(&w, aud, strlen(aud));
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_SCOPE);
    oscar_cbor_put_bstr(&w, scope, scope_len);
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_CLIENT_ID);
    oscar_cbor_put_tstr(&w, client, strlen(client));
    oscar_cbor_put_uint(&w, OSCAR_ACE_T_GRANT_TYPE);
    oscar_cbor_put_uint(&w, OSCAR_ACE_GRANT_CLIENT_CREDENTIALS);
    return oscar_cbor_writer_finish(&w, out_len);
}

enum oscar_err oscar_as_token_request_write(const char *client, const char *aud, const char *gname,
                                            uint64_t roles, const uint8_t pub[32], uint8_t *out,
                                            size_t cap, size_t *out_len)
{
    return write_request(client, aud, gname, roles, pub, NULL, 0, out, cap, out_len);
}

bool oscar_as_token_response_read(const uint8_t *p, size_t len, const uint8_t **token,
                                  size_t *token_len, struct oscar_ace_claims *osc, char *why,
                                  size_t why_cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item m, k, v;
    int64_t label;
    memset(osc, 0, sizeof(*osc));
    *token = NULL;
    oscar_cbor_reader_init(&r, p, len);
    if (!oscar_cbor_read(&r, &m) || m.type != OSCAR_CBOR_MAP) {
        snprintf(why, why_cap, "token response: not a map");
        return false;
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label)) {
            snprintf(why, why_cap, "token response: a key that is no integer");
            return false;
        }
        if (label == OSCAR_ACE_T_ACCESS_TOKEN) {
            if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_BSTR) {
                snprintf(why, why_cap, "access_token (1): not a byte string");
                return false;
            }
            *token = v.data;
            *token_len = v.len;
        } else if (label == OSCAR_ACE_T_CNF) {
            /* {4: OSCORE_Input_Material}: read as a claims cnf */
            uint8_t wrapped[160];
            size_t at = r.pos;
            if (!oscar_cbor_skip(&r) || r.pos - at + 2 > sizeof(wrapped)) {
                snprintf(why, why_cap, "cnf (8): malformed");
                return false;
            }
            wrapped[0] = 0xa1;
            wrapped[1] = 0x08;
            memcpy(wrapped + 2, p + at, r.pos - at);
            struct oscar_ace_claims tmp;
            char w2[64];
            /* reuse the claims reader through a one-claim map */
            if (!oscar_ace_claims_read(wrapped, r.pos - at + 2, &tmp, w2, sizeof(w2)) ||
                !tmp.has_osc) {
                snprintf(why, why_cap, "cnf (8): not an OSCORE_Input_Material with id and ms");
                return false;
            }
            *osc = tmp;
        } else if (!oscar_cbor_skip(&r)) {
            snprintf(why, why_cap, "token response: malformed");
            return false;
        }
    }
    if (*token == NULL) {
        snprintf(why, why_cap, "no access_token (1)");
        return false;
    }
    return true;
}

enum oscar_err oscar_as_token_update_write(const char *client, const char *aud, const char *gname,
                                           uint64_t roles, const uint8_t *kid, size_t kid_len,
                                           uint8_t *out, size_t cap, size_t *out_len)
{
    return write_request(client, aud, gname, roles, NULL, kid, kid_len, out, cap, out_len);
}
