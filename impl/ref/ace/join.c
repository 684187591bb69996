/* ace/join.c — the joining node's side of the Group Manager exchange (see oscar/gm.h): writing
 * the Join Request with its proof of possession, reading the Group Manager's answers strictly
 * and checking its proof of possession. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "oscar/gm.h"

#define CCS_SUB 2
#define CCS_CNF 8
#define CNF_COSE_KEY 1
#define KEY_KTY 1
#define KEY_CRV (-1)
#define KEY_X (-2)
#define KTY_OKP 1

enum oscar_err oscar_ace_ccs_write(const char *sub, const uint8_t pub[32], uint8_t *out, size_t cap,
                                   size_t *out_len)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_map(&w, 2);
    oscar_cbor_put_uint(&w, CCS_SUB);
    oscar_cbor_put_tstr(&w, sub, strlen(sub));
    oscar_cbor_put_uint(&w, CCS_CNF);
    oscar_cbor_put_map(&w, 1);
    oscar_cbor_put_uint(&w, CNF_COSE_KEY);
    oscar_cbor_put_map(&w, 3);
    oscar_cbor_put_int(&w, KEY_KTY);
    oscar_cbor_put_int(&w, KTY_OKP);
    oscar_cbor_put_int(&w, KEY_CRV);
    oscar_cbor_put_int(&w, OSCAR_COSE_CRV_ED25519);
    oscar_cbor_put_int(&w, KEY_X);
    oscar_cbor_put_bstr(&w, pub, 32);
    return oscar_cbor_writer_finish(&w, out_len);
}

bool oscar_ace_read_okp_key(struct oscar_cbor_reader *r, uint8_t pub[32])
{
    struct oscar_cbor_item it, v;
    int64_t label, x;
    bool kty = false, crv = false, have_x = false;
    if (!oscar_cbor_read(r, &it) || it.type != OSCAR_CBOR_MAP) {
        return false;
    }
    for (uint64_t i = 0; i < it.value; i++) {
        if (!oscar_cbor_read(r, &v) || !oscar_cbor_int(&v, &label)) {
            return false;
        }
        if (label == KEY_X) {
            if (!oscar_cbor_read(r, &v) || v.type != OSCAR_CBOR_BSTR || v.len != 32 || have_x) {
                return false;
            }
            memcpy(pub, v.data, 32);
            have_x = true;
        } else if (label == KEY_KTY || label == KEY_CRV) {
            if (!oscar_cbor_read(r, &v) || !oscar_cbor_int(&v, &x)) {
                return false;
            }
            bool *seen = label == KEY_KTY ? &kty : &crv;
            if (*seen || x != (label == KEY_KTY ? KTY_OKP : OSCAR_COSE_CRV_ED25519)) {
                return false;
            }
            *seen = true;
        } else if (!oscar_cbor_skip(r)) {
            return false;
        }
    }
    return kty && crv && have_x;
}

bool oscar_ace_ccs_pub(const uint8_t *cred, size_t len, uint8_t pub[32])
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it, v;
    int64_t label;
    bool found = false;
    oscar_cbor_reader_init(&r, cred, len);
    if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_MAP) {
        return false;
    }
    for (uint64_t i = 0; i < it.value; i++) {
        if (!oscar_cbor_read(&r, &v) || !oscar_cbor_int(&v, &label)) {
            return false;
        }
        if (label == CCS_CNF && !found) {
            if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_MAP || v.value != 1 ||
                !oscar_cbor_read(&r, &v) || !oscar_cbor_int(&v, &label) || label != CNF_COSE_KEY ||
                !oscar_ace_read_okp_key(&r, pub)) {
                return false;
            }
            found = true;
        } else if (!oscar_cbor_skip(&r)) {
            return false;
        }
    }
    return found && r.pos == r.len;
}

enum oscar_err oscar_ace_join_request_write(const struct oscar_crypto_ops *crypto,
                                            const struct oscar_ace_join_request *rq, uint8_t *out,
                                            size_t cap, size_t *out_len)
{
    uint8_t scope[OSCAR_ACE_SCOPE_BYTES_MAX];
    size_t scope_len;
    struct oscar_ace_scope_entry e = {.perm = rq->roles};
    if (strlen(rq->gname) >= sizeof(e.gname)) {
        return OSCAR_ERR_INVALID_ARG;
    }
    memcpy(e.gname, rq->gname, strlen(rq->gname) + 1);
    OSCAR_TRY(oscar_ace_scope_entry_encode(scope, sizeof(scope), &scope_len, &e));
    bool with_cred = rq->cred != NULL;
    uint8_t sig[OSCAR_SIG_MAX];
    size_t sig_len = rq->gm_pub != NULL ? 8 : 64;
    if (with_cred && !rq->empty_pop) {
        uint8_t input[OSCAR_ACE_SCOPE_BYTES_MAX + 2 * OSCAR_ACE_NONCE_MAX + 16];
        size_t input_len;
        const uint8_t *parts[3] = {scope, rq->n_s, rq->n_c};
        size_t lens[3] = {scope_len, rq->n_s_len, rq->n_c_len};
        OSCAR_TRY(oscar_ace_concat_bstr(input, sizeof(input), &input_len, parts, lens, 3));
        if (rq->gm_pub != NULL) {
            OSCAR_TRY(oscar_ace_pop_mac(crypto, rq->priv, rq->gm_pub, input, input_len, sig));
        } else {
            OSCAR_TRY(crypto->sign(OSCAR_COSE_ALG_EDDSA, rq->priv, rq->pub, input, input_len, sig));
        }
    }
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_map(&w, 2 + rq->get_creds + 2 * with_cred);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_SCOPE);
    oscar_cbor_put_bstr(&w, scope, scope_len);
    if (rq->get_creds) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_GET_CREDS);
        oscar_cbor_put_null(&w);
    }
    if (with_cred) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_CLIENT_CRED);
        oscar_cbor_put_bstr(&w, rq->cred, rq->cred_len);
    }
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_CNONCE);
    oscar_cbor_put_bstr(&w, rq->n_c, rq->n_c_len);
    if (with_cred) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_CLIENT_CRED_VERIFY);
        oscar_cbor_put_bstr(&w, sig, rq->empty_pop ? 0 : sig_len);
    }
    return oscar_cbor_writer_finish(&w, out_len);
}

bool oscar_ace_join_request_read(const uint8_t *p, size_t len, struct oscar_ace_join_fields *f,
                                 char *err, size_t cap)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it;
    memset(f, 0, sizeof(*f));
    oscar_cbor_reader_init(&r, p, len);
    if (len == 0) {
        snprintf(err, cap, "empty payload");
        return false;
    }
    if (!oscar_cbor_read(&r, &it) || it.type != OSCAR_CBOR_MAP) {
        snprintf(err, cap, "payload: %s", r.error[0] ? r.error : "not a map");
        return false;
    }
    uint64_t seen = 0;
    for (uint64_t i = 0; i < it.value; i++) {
        struct oscar_cbor_item k, v;
        int64_t label;
        if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label) || !oscar_cbor_read(&r, &v)) {
            snprintf(err, cap, "entry %llu: %s", (unsigned long long)i,
                     r.error[0] ? r.error : "a key that is no integer");
            return false;
        }
        if (label >= 0 && label < 64) {
            if (seen & (UINT64_C(1) << label)) {
                snprintf(err, cap, "parameter %lld given twice", (long long)label);
                return false;
            }
            seen |= UINT64_C(1) << label;
        }
        bool bstr = v.type == OSCAR_CBOR_BSTR;
        bool ok = true;
        if (label == OSCAR_ACE_P_SCOPE) {
            ok = bstr;
            f->scope = v.data;
            f->scope_len = v.len;
        } else if (label == OSCAR_ACE_P_CLIENT_CRED) {
            ok = bstr;
            f->cred = v.data;
            f->cred_len = v.len;
        } else if (label == OSCAR_ACE_P_CNONCE) {
            ok = bstr && v.len <= OSCAR_ACE_NONCE_MAX;
            f->n_c = v.data;
            f->n_c_len = v.len;
        } else if (label == OSCAR_ACE_P_CLIENT_CRED_VERIFY) {
            ok = bstr;
            f->pop = v.data;
            f->pop_len = v.len;
        } else if (label == OSCAR_ACE_P_GET_CREDS) {
            /* null: the relevant members; or [true, role_filter (non-empty), []] (RFC 9594
             * §4.3.1, KGO §6.1) */
            f->get_creds = true;
            if (v.type == OSCAR_CBOR_SIMPLE) {
                ok = v.value == 22;
            } else {
                struct oscar_cbor_item x;
                ok = v.type == OSCAR_CBOR_ARRAY && v.value == 3 && oscar_cbor_read(&r, &x) &&
                     x.type == OSCAR_CBOR_SIMPLE && x.value == 21 && oscar_cbor_read(&r, &x) &&
                     x.type == OSCAR_CBOR_ARRAY && x.value >= 1 &&
                     x.value <= sizeof(f->get_creds_roles) / sizeof(f->get_creds_roles[0]);
                size_t nr = ok ? (size_t)x.value : 0;
                for (size_t q = 0; ok && q < nr; q++) {
                    ok = oscar_cbor_read(&r, &x) && x.type == OSCAR_CBOR_UINT;
                    f->get_creds_roles[q] = x.value;
                }
                f->num_get_creds_roles = nr;
                ok = ok && oscar_cbor_read(&r, &x) && x.type == OSCAR_CBOR_ARRAY && x.value == 0;
            }
        } else if (v.type == OSCAR_CBOR_ARRAY || v.type == OSCAR_CBOR_MAP ||
                   v.type == OSCAR_CBOR_TAG) {
            /* an unknown parameter: skip its contents */
            r.pos = v.offset;
            ok = oscar_cbor_skip(&r);
        }
        if (!ok) {
            snprintf(err, cap, "parameter %lld at byte %zu: wrong type or size", (long long)label,
                     v.offset);
            return false;
        }
    }
    if (r.pos != r.len) {
        snprintf(err, cap, "%zu bytes after the map", r.len - r.pos);
        return false;
    }
    if (f->n_c == NULL) {
        snprintf(err, cap, "no cnonce (6)");
        return false;
    }
    return true;
}

/* --- reading the Group Manager's messages --- */

struct rd {
    struct oscar_cbor_reader r;
    char *why;
    size_t cap;
};

static bool fail(struct rd *d, const char *field, int64_t label, const char *what)
{
    oscar_ace_say(d->why, d->cap, "%s (%lld) at byte %zu: %s", field, (long long)label, d->r.pos,
                  d->r.error[0] ? d->r.error : what);
    return false;
}

static bool rd_bstr(struct rd *d, const char *field, int64_t label, const uint8_t **p, size_t *len)
{
    struct oscar_cbor_item v;
    if (!oscar_cbor_read(&d->r, &v) || v.type != OSCAR_CBOR_BSTR) {
        return fail(d, field, label, "not a byte string");
    }
    *p = v.data;
    *len = v.len;
    return true;
}

static bool rd_uint(struct rd *d, const char *field, int64_t label, uint64_t *out)
{
    struct oscar_cbor_item v;
    if (!oscar_cbor_read(&d->r, &v) || v.type != OSCAR_CBOR_UINT) {
        return fail(d, field, label, "not an unsigned integer");
    }
    *out = v.value;
    return true;
}

static bool rd_int(struct rd *d, const char *field, int64_t label, int64_t *out)
{
    struct oscar_cbor_item v;
    if (!oscar_cbor_read(&d->r, &v) || !oscar_cbor_int(&v, out) || *out == 0) {
        return fail(d, field, label, "not a nonzero integer (text algorithm names are not taken)");
    }
    return true;
}

/* rd_caps reads [[kty], [kty, crv]] and requires the expected curve. */
static bool rd_caps(struct rd *d, const char *field, int64_t label, int64_t crv)
{
    struct oscar_cbor_item a, b, v;
    int64_t x;
    if (!oscar_cbor_read(&d->r, &a) || a.type != OSCAR_CBOR_ARRAY || a.value != 2 ||
        !oscar_cbor_read(&d->r, &b) || b.type != OSCAR_CBOR_ARRAY || b.value != 1 ||
        !oscar_cbor_read(&d->r, &v) || !oscar_cbor_int(&v, &x) || x != KTY_OKP ||
        !oscar_cbor_read(&d->r, &b) || b.type != OSCAR_CBOR_ARRAY || b.value != 2 ||
        !oscar_cbor_read(&d->r, &v) || !oscar_cbor_int(&v, &x) || x != KTY_OKP ||
        !oscar_cbor_read(&d->r, &v) || !oscar_cbor_int(&v, &x) || x != crv) {
        return fail(d, field, label, "not [[OKP], [OKP, curve]] with the expected curve");
    }
    return true;
}

static const char *const KEY_NAMES[] = {"id",       "version",    "ms",        "hkdf",
                                        "alg",      "salt",       "contextId", "group_SenderId",
                                        "cred_fmt", "gp_enc_alg", "sign_alg",  "sign_params",
                                        "ecdh_alg", "ecdh_params"};

/* rd_key reads the Group_OSCORE_Input_Material object (KGO §6.3; §11.1 for rekeying). */
static bool rd_key(struct rd *d, struct oscar_ace_join_info *o, enum oscar_ace_join_kind kind)
{
    struct oscar_cbor_item m, k;
    int64_t label;
    uint32_t seen = 0;
    if (!oscar_cbor_read(&d->r, &m) || m.type != OSCAR_CBOR_MAP) {
        return fail(d, "key", OSCAR_ACE_P_KEY, "not a map");
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(&d->r, &k) || !oscar_cbor_int(&k, &label) || label < 0 ||
            label > OSCAR_ACE_K_ECDH_PARAMS) {
            return fail(d, "key", OSCAR_ACE_P_KEY,
                        "a label that is not Group_OSCORE_Input_Material's");
        }
        const char *name = KEY_NAMES[label];
        if (seen & (1u << label)) {
            return fail(d, name, label, "given twice");
        }
        seen |= 1u << label;
        bool ok = true;
        switch (label) {
        case OSCAR_ACE_K_MS:
            ok = rd_bstr(d, name, label, &o->ms, &o->ms_len);
            break;
        case OSCAR_ACE_K_SALT:
            ok = rd_bstr(d, name, label, &o->salt, &o->salt_len);
            o->has_salt = true;
            break;
        case OSCAR_ACE_K_CONTEXT_ID:
            ok = rd_bstr(d, name, label, &o->gid, &o->gid_len);
            break;
        case OSCAR_ACE_K_GROUP_SENDER_ID:
            ok = rd_bstr(d, name, label, &o->sid, &o->sid_len);
            o->has_sid = true;
            break;
        case OSCAR_ACE_K_HKDF:
            ok = rd_int(d, name, label, &o->hkdf);
            break;
        case OSCAR_ACE_K_ALG:
            ok = rd_int(d, name, label, &o->alg);
            break;
        case OSCAR_ACE_K_CRED_FMT:
            ok = rd_int(d, name, label, &o->cred_fmt);
            break;
        case OSCAR_ACE_K_GP_ENC_ALG:
            ok = rd_int(d, name, label, &o->gp_enc_alg);
            break;
        case OSCAR_ACE_K_SIGN_ALG:
            ok = rd_int(d, name, label, &o->sign_alg);
            break;
        case OSCAR_ACE_K_ECDH_ALG:
            ok = rd_int(d, name, label, &o->ecdh_alg);
            break;
        case OSCAR_ACE_K_SIGN_PARAMS:
            ok = rd_caps(d, name, label, OSCAR_COSE_CRV_ED25519);
            break;
        case OSCAR_ACE_K_ECDH_PARAMS:
            ok = rd_caps(d, name, label, OSCAR_COSE_CRV_X25519);
            break;
        default:
            ok = oscar_cbor_skip(&d->r) || fail(d, name, label, "malformed");
            break;
        }
        if (!ok) {
            return false;
        }
    }
    static const struct {
        int label;
        bool join;
        bool rekey;
    } need[] = {{OSCAR_ACE_K_MS, true, true},
                {OSCAR_ACE_K_CONTEXT_ID, true, true},
                {OSCAR_ACE_K_CRED_FMT, true, false}};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        bool required = kind == OSCAR_ACE_REKEYING ? need[i].rekey : need[i].join;
        if (required && !(seen & (1u << need[i].label))) {
            return fail(d, KEY_NAMES[need[i].label], need[i].label, "missing");
        }
    }
    /* the signature parameters come as a set, and so do the pairwise ones (KGO §6.3) */
    uint32_t sig_set = (1u << 9) | (1u << 10) | (1u << 11);
    uint32_t dh_set = (1u << 4) | (1u << 12) | (1u << 13);
    if (kind != OSCAR_ACE_REKEYING &&
        (((seen & sig_set) != 0 && (seen & sig_set) != sig_set) ||
         ((seen & dh_set) != 0 && (seen & dh_set) != dh_set) || (seen & (sig_set | dh_set)) == 0)) {
        return fail(d, "key", OSCAR_ACE_P_KEY,
                    "gp_enc_alg/sign_alg/sign_params and alg/ecdh_alg/ecdh_params go together, "
                    "and one set is needed");
    }
    return true;
}

/* rd_bstr_array reads an array of byte strings. */
static bool rd_bstr_array(struct rd *d, const char *field, int64_t label, const uint8_t **p,
                          size_t *lens, size_t *n)
{
    struct oscar_cbor_item a;
    if (!oscar_cbor_read(&d->r, &a) || a.type != OSCAR_CBOR_ARRAY) {
        return fail(d, field, label, "not an array");
    }
    if (a.value > OSCAR_ACE_PEERS_MAX) {
        return fail(d, field, label, "more entries than this reader takes");
    }
    for (uint64_t i = 0; i < a.value; i++) {
        if (!rd_bstr(d, field, label, &p[i], &lens[i])) {
            return false;
        }
    }
    *n = a.value;
    return true;
}

static const char *param_name(int64_t label)
{
    static const char *const names[] = {"gid",
                                        "gname",
                                        "guri",
                                        "scope",
                                        "get_creds",
                                        "client_cred",
                                        "cnonce",
                                        "gkty",
                                        "key",
                                        "num",
                                        "ace_groupcomm_profile",
                                        "exp",
                                        "exi",
                                        "creds",
                                        "peer_roles",
                                        "peer_identifiers",
                                        "group_policies",
                                        "kdc_cred",
                                        "kdc_nonce",
                                        "kdc_cred_verify",
                                        "rekeying_scheme",
                                        "group_senderId"};
    if (label >= 0 && label < (int64_t)(sizeof(names) / sizeof(names[0]))) {
        return names[label];
    }
    return label == OSCAR_ACE_P_STALE_NODE_IDS ? "stale_node_ids" : "parameter";
}

bool oscar_ace_join_info_read(const uint8_t *payload, size_t len, enum oscar_ace_join_kind kind,
                              bool monitor, struct oscar_ace_join_info *o, char *why,
                              size_t why_cap)
{
    struct rd d = {.why = why, .cap = why_cap};
    struct oscar_cbor_item m, k;
    int64_t label;
    uint64_t seen = 0;
    memset(o, 0, sizeof(*o));
    oscar_cbor_reader_init(&d.r, payload, len);
    if (!oscar_cbor_read(&d.r, &m) || m.type != OSCAR_CBOR_MAP) {
        return fail(&d, "payload", -1, "not a map");
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(&d.r, &k) || !oscar_cbor_int(&k, &label) || label < 0 || label > 63) {
            return fail(&d, "payload", -1, "a key that is no ACE Groupcomm Parameter");
        }
        const char *name = param_name(label);
        if (seen & (UINT64_C(1) << label)) {
            return fail(&d, name, label, "given twice");
        }
        seen |= UINT64_C(1) << label;
        bool ok = true;
        uint64_t u;
        switch (label) {
        case OSCAR_ACE_P_GKTY:
            ok = rd_uint(&d, name, label, &u) &&
                 (u == OSCAR_ACE_GKTY_GROUP_OSCORE ||
                  fail(&d, name, label, "not the Group_OSCORE_Input_Material object (1)"));
            break;
        case OSCAR_ACE_P_KEY:
            ok = rd_key(&d, o, kind);
            break;
        case OSCAR_ACE_P_NUM:
            ok = rd_uint(&d, name, label, &o->num);
            break;
        case OSCAR_ACE_P_PROFILE:
            ok = rd_uint(&d, name, label, &u) &&
                 (u == OSCAR_ACE_PROFILE_GROUP_OSCORE ||
                  fail(&d, name, label, "not coap_group_oscore_app (1)"));
            o->has_profile = true;
            break;
        case OSCAR_ACE_P_EXP:
            ok = rd_uint(&d, name, label, &o->exp);
            o->has_exp = true;
            break;
        case OSCAR_ACE_P_EXI:
            ok = rd_uint(&d, name, label, &o->exi);
            o->has_exi = true;
            break;
        case OSCAR_ACE_P_CREDS:
            ok = rd_bstr_array(&d, name, label, o->creds, o->cred_lens, &o->num_creds);
            break;
        case OSCAR_ACE_P_PEER_IDENTIFIERS:
            ok = rd_bstr_array(&d, name, label, o->peer_ids, o->peer_id_lens, &o->num_peer_ids);
            break;
        case OSCAR_ACE_P_STALE_NODE_IDS:
            ok = rd_bstr_array(&d, name, label, o->stale, o->stale_lens, &o->num_stale);
            o->has_stale = true;
            break;
        case OSCAR_ACE_P_PEER_ROLES: {
            struct oscar_cbor_item a;
            ok = oscar_cbor_read(&d.r, &a) && a.type == OSCAR_CBOR_ARRAY &&
                 a.value <= OSCAR_ACE_PEERS_MAX;
            for (uint64_t j = 0; ok && j < a.value; j++) {
                ok = rd_uint(&d, name, label, &o->peer_roles[j]);
            }
            o->num_peer_roles = ok ? a.value : 0;
            ok = ok || fail(&d, name, label, "not an array of role sets");
            break;
        }
        case OSCAR_ACE_P_KDC_CRED:
            ok = rd_bstr(&d, name, label, &o->kdc_cred, &o->kdc_cred_len);
            break;
        case OSCAR_ACE_P_KDC_NONCE:
            ok = rd_bstr(&d, name, label, &o->kdc_nonce, &o->kdc_nonce_len);
            break;
        case OSCAR_ACE_P_KDC_CRED_VERIFY:
            ok = rd_bstr(&d, name, label, &o->kdc_cred_verify, &o->kdc_cred_verify_len);
            break;
        case OSCAR_ACE_P_GROUP_SENDERID:
            return fail(&d, name, label,
                        "the Sender ID of a join or key distribution goes in key (label 7); "
                        "group_senderId is the Key Renewal Response's (KGO §9.2)");
        default:
            ok = oscar_cbor_skip(&d.r) || fail(&d, name, label, "malformed");
            break;
        }
        if (!ok) {
            return false;
        }
    }
    if (d.r.pos != d.r.len) {
        return fail(&d, "payload", -1, "bytes after the map");
    }
    /* required parameters, per message (RFC 9594 §4.3.1, KGO §6.3, §9.1.1, §11.1) */
    static const int common[] = {OSCAR_ACE_P_GKTY, OSCAR_ACE_P_KEY, OSCAR_ACE_P_NUM,
                                 OSCAR_ACE_P_PROFILE, OSCAR_ACE_P_EXI};
    static const int join_only[] = {OSCAR_ACE_P_KDC_CRED, OSCAR_ACE_P_KDC_NONCE,
                                    OSCAR_ACE_P_KDC_CRED_VERIFY};
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        if (!(seen & (UINT64_C(1) << common[i]))) {
            return fail(&d, param_name(common[i]), common[i], "missing");
        }
    }
    for (size_t i = 0; kind == OSCAR_ACE_JOIN_RESPONSE && i < 3; i++) {
        if (!(seen & (UINT64_C(1) << join_only[i]))) {
            return fail(&d, param_name(join_only[i]), join_only[i], "missing");
        }
    }
    if (kind == OSCAR_ACE_REKEYING && !o->has_stale) {
        return fail(&d, "stale_node_ids", OSCAR_ACE_P_STALE_NODE_IDS,
                    "missing (KGO §11.1: every rekeying message carries it)");
    }
    if (kind == OSCAR_ACE_JOIN_RESPONSE && o->has_sid == monitor) {
        return fail(&d, "group_SenderId", OSCAR_ACE_K_GROUP_SENDER_ID,
                    monitor ? "given to a monitor" : "missing from key");
    }
    if (kind == OSCAR_ACE_KEY_DISTRIBUTION && o->has_sid) {
        return fail(&d, "group_SenderId", OSCAR_ACE_K_GROUP_SENDER_ID,
                    "in a Key Distribution response (KGO §9.1.1)");
    }
    bool creds = (seen & (UINT64_C(1) << OSCAR_ACE_P_CREDS)) != 0;
    bool ids = (seen & (UINT64_C(1) << OSCAR_ACE_P_PEER_IDENTIFIERS)) != 0;
    bool roles = (seen & (UINT64_C(1) << OSCAR_ACE_P_PEER_ROLES)) != 0;
    if (creds != ids || (roles && !creds) || (ids && o->num_peer_ids != o->num_creds) ||
        (roles && o->num_peer_roles != o->num_creds)) {
        return fail(&d, "creds", OSCAR_ACE_P_CREDS,
                    "creds, peer_identifiers and peer_roles must come together, one entry each "
                    "per member");
    }
    return true;
}

bool oscar_ace_kdc_pop_verify(const struct oscar_crypto_ops *crypto,
                              const struct oscar_ace_join_info *info, const uint8_t *n_c,
                              size_t n_c_len)
{
    uint8_t pub[32];
    uint8_t input[2 * OSCAR_ACE_NONCE_MAX + 8];
    size_t input_len;
    const uint8_t *parts[2] = {n_c, info->kdc_nonce};
    size_t lens[2] = {n_c_len, info->kdc_nonce_len};
    bool valid = false;
    return info->kdc_cred != NULL && n_c_len <= OSCAR_ACE_NONCE_MAX &&
           info->kdc_nonce_len <= OSCAR_ACE_NONCE_MAX &&
           oscar_ace_ccs_pub(info->kdc_cred, info->kdc_cred_len, pub) &&
           oscar_ace_concat_bstr(input, sizeof(input), &input_len, parts, lens, 2) == OSCAR_OK &&
           crypto->verify(OSCAR_COSE_ALG_EDDSA, pub, input, input_len, info->kdc_cred_verify,
                          info->kdc_cred_verify_len, &valid) == OSCAR_OK &&
           valid;
}

bool oscar_ace_group_params(const struct oscar_ace_join_info *info, struct oscar_group_params *p,
                            char *why, size_t why_cap)
{
    p->master_secret = info->ms;
    p->master_secret_len = info->ms_len;
    p->master_salt = info->has_salt ? info->salt : NULL;
    p->master_salt_len = info->has_salt ? info->salt_len : 0;
    p->gid = info->gid;
    p->gid_len = info->gid_len;
    p->sender_id = info->sid;
    p->sender_id_len = info->sid_len;
    p->gm_cred = info->kdc_cred;
    p->gm_cred_len = info->kdc_cred_len;
    /* hkdf comes as an HMAC algorithm (RFC 9203 §3.2.1): 5 is HMAC 256/256 */
    if (info->hkdf == 0 || info->hkdf == OSCAR_ACE_HKDF_SHA256) {
        p->hkdf_alg = 0;
    } else {
        oscar_ace_say(why, why_cap, "hkdf %lld: only HMAC 256/256 (5) is implemented",
                      (long long)info->hkdf);
        return false;
    }
    p->group_enc_alg = (int32_t)info->gp_enc_alg;
    p->sig_alg = (int32_t)info->sign_alg;
    p->aead_alg = (int32_t)info->alg;
    p->pairwise_alg = (int32_t)info->ecdh_alg;
    if (p->sig_alg != 0 && p->sig_alg != OSCAR_COSE_ALG_EDDSA) {
        oscar_ace_say(why, why_cap, "sign_alg %d: only EdDSA credentials are distributed here",
                      p->sig_alg);
        return false;
    }
    return true;
}

enum oscar_err oscar_ace_osc_context(const struct oscar_crypto_ops *crypto,
                                     const struct oscar_ace_osc_params *p, bool client_side,
                                     struct oscar_oscore_ctx *ctx)
{
    uint8_t salt[3 * (OSCAR_ACE_NONCE_MAX + 2) + 16];
    size_t salt_len;
    if (!p->claims->has_osc ||
        (p->id1_len == p->id2_len && memcmp(p->id1, p->id2, p->id1_len) == 0)) {
        return OSCAR_ERR_INVALID_ARG; /* RFC 9203 §4.2: ID1 == ID2 aborts */
    }
    OSCAR_TRY(oscar_ace_osc_salt(p, salt, sizeof(salt), &salt_len));
    /* hkdf is given as an HMAC algorithm (RFC 9203 §3.2.1): 5 HMAC 256/256, 7 HMAC 512/512 */
    int32_t hkdf = p->claims->osc_hkdf == 0 || p->claims->osc_hkdf == 5 ? OSCAR_COSE_ALG_HKDF_SHA256
                   : p->claims->osc_hkdf == 7                           ? OSCAR_COSE_ALG_HKDF_SHA512
                                                                        : 0;
    if (hkdf == 0) {
        return OSCAR_ERR_UNSUPPORTED_ALG;
    }
    struct oscar_oscore_params op = {
        .master_secret = p->claims->osc_ms,
        .master_secret_len = p->claims->osc_ms_len,
        .master_salt = salt,
        .master_salt_len = salt_len,
        .sender_id = client_side ? p->id2 : p->id1,
        .sender_id_len = client_side ? p->id2_len : p->id1_len,
        .recipient_id = client_side ? p->id1 : p->id2,
        .recipient_id_len = client_side ? p->id1_len : p->id2_len,
        /* RFC 9203 §4.3: ID Context, AEAD and HKDF from the material when it has them */
        .has_id_context = p->claims->osc_has_context_id,
        .id_context = p->claims->osc_context_id,
        .id_context_len = p->claims->osc_context_id_len,
        .aead_alg = p->claims->osc_alg,
        .hkdf_alg = hkdf,
    };
    return oscar_oscore_ctx_init(ctx, crypto, &op);
}

bool oscar_ace_authz_request_read(const uint8_t *p, size_t len, struct oscar_ace_authz_request *tp,
                                  char *err, size_t err_cap)
{
    memset(tp, 0, sizeof(*tp));
    const uint8_t **token = &tp->token;
    size_t *token_len = &tp->token_len;
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it;
    oscar_cbor_reader_init(&r, p, len);
    if (!oscar_cbor_read(&r, &it)) {
        snprintf(err, err_cap, "not CBOR: %s", r.error);
        return false;
    }
    if (it.type != OSCAR_CBOR_MAP) {
        *token = p;
        *token_len = len;
        return true;
    }
    *token = NULL;
    for (uint64_t i = 0; i < it.value; i++) {
        struct oscar_cbor_item k;
        int64_t label;
        if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label)) {
            snprintf(err, err_cap, "ace+cbor map: %s",
                     r.error[0] ? r.error : "a key that is no int");
            return false;
        }
        if (label == OSCAR_ACE_OAUTH_ACCESS_TOKEN) {
            struct oscar_cbor_item v;
            if (*token != NULL || !oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_BSTR) {
                snprintf(err, err_cap, "access_token (1): %s",
                         *token != NULL ? "given twice" : "not a byte string");
                return false;
            }
            *token = v.data;
            *token_len = v.len;
        } else if (label == OSCAR_ACE_OAUTH_NONCE1 || label == OSCAR_ACE_OAUTH_CLIENT_RID) {
            struct oscar_cbor_item v;
            bool n1 = label == OSCAR_ACE_OAUTH_NONCE1;
            if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_BSTR ||
                v.len > (n1 ? OSCAR_ACE_NONCE_MAX : OSCAR_OSCORE_ID_MAX) ||
                (n1 ? tp->n1 : tp->id1) != NULL) {
                snprintf(err, err_cap, "%s (%lld): not a byte string of a usable size, or twice",
                         n1 ? "nonce1" : "ace_client_recipientid", (long long)label);
                return false;
            }
            *(n1 ? &tp->n1 : &tp->id1) = v.data;
            *(n1 ? &tp->n1_len : &tp->id1_len) = v.len;
        } else if (label == OSCAR_ACE_OAUTH_SIGN_INFO || label == OSCAR_ACE_OAUTH_ECDH_INFO) {
            struct oscar_cbor_item v;
            if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_SIMPLE || v.value != 22) {
                snprintf(err, err_cap, "%s (%lld): only null is asked for",
                         label == OSCAR_ACE_OAUTH_SIGN_INFO ? "sign_info" : "ecdh_info",
                         (long long)label);
                return false;
            }
            *(label == OSCAR_ACE_OAUTH_SIGN_INFO ? &tp->sign_info : &tp->ecdh_info) = true;
        } else if (!oscar_cbor_skip(&r)) {
            snprintf(err, err_cap, "ace+cbor map: %s", r.error);
            return false;
        }
    }
    if (*token == NULL || r.pos != r.len) {
        snprintf(err, err_cap, "%s",
                 *token == NULL ? "no access_token (1)" : "bytes after the map");
        return false;
    }
    return true;
}

bool oscar_ace_authz_response_read(const uint8_t *p, size_t len, struct oscar_ace_authz_response *o,
                                   char *why, size_t why_cap)
{
    struct rd d = {.why = why, .cap = why_cap};
    struct oscar_cbor_item m, k;
    int64_t label;
    memset(o, 0, sizeof(*o));
    oscar_cbor_reader_init(&d.r, p, len);
    if (!oscar_cbor_read(&d.r, &m) || m.type != OSCAR_CBOR_MAP) {
        return fail(&d, "payload", -1, "not a map");
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(&d.r, &k) || !oscar_cbor_int(&k, &label)) {
            return fail(&d, "payload", -1, "a key that is no integer");
        }
        bool ok;
        if (label == OSCAR_ACE_OAUTH_NONCE2 && o->n2 == NULL) {
            ok = rd_bstr(&d, "nonce2", label, &o->n2, &o->n2_len);
        } else if (label == OSCAR_ACE_OAUTH_SERVER_RID && o->id2 == NULL) {
            ok = rd_bstr(&d, "ace_server_recipientid", label, &o->id2, &o->id2_len);
        } else if (label == OSCAR_ACE_OAUTH_KDCCHALLENGE && o->n_s == NULL) {
            ok = rd_bstr(&d, "kdcchallenge", label, &o->n_s, &o->n_s_len);
        } else if (label == OSCAR_ACE_OAUTH_KDC_DH_CREDS && o->kdc_dh_cred == NULL) {
            /* [[gname, cred_fmt, cred]]: the first entry's credential */
            struct oscar_cbor_item a, e, x;
            ok = oscar_cbor_read(&d.r, &a) && a.type == OSCAR_CBOR_ARRAY && a.value >= 1 &&
                 oscar_cbor_read(&d.r, &e) && e.type == OSCAR_CBOR_ARRAY && e.value == 3 &&
                 oscar_cbor_read(&d.r, &x) && x.type == OSCAR_CBOR_TSTR &&
                 oscar_cbor_read(&d.r, &x) && x.type == OSCAR_CBOR_UINT &&
                 oscar_cbor_read(&d.r, &x) && x.type == OSCAR_CBOR_BSTR;
            if (ok) {
                o->kdc_dh_cred = x.data;
                o->kdc_dh_cred_len = x.len;
                for (uint64_t r = 1; ok && r < a.value; r++) {
                    ok = oscar_cbor_skip(&d.r);
                }
            }
            ok = ok || fail(&d, "kdc_dh_creds", label, "not [[gname, cred_fmt, cred], ...]");
        } else if (label == OSCAR_ACE_OAUTH_NONCE2 || label == OSCAR_ACE_OAUTH_SERVER_RID ||
                   label == OSCAR_ACE_OAUTH_KDCCHALLENGE || label == OSCAR_ACE_OAUTH_KDC_DH_CREDS) {
            return fail(&d, "payload", label, "given twice");
        } else {
            ok = oscar_cbor_skip(&d.r) || fail(&d, "payload", label, "malformed");
        }
        if (!ok) {
            return false;
        }
    }
    if (d.r.pos != d.r.len) {
        return fail(&d, "payload", -1, "bytes after the map");
    }
    if ((o->n2 == NULL) != (o->id2 == NULL)) {
        return fail(&d, o->n2 == NULL ? "nonce2" : "ace_server_recipientid",
                    o->n2 == NULL ? OSCAR_ACE_OAUTH_NONCE2 : OSCAR_ACE_OAUTH_SERVER_RID,
                    "missing (the OSCORE profile needs both)");
    }
    if (o->id2 != NULL && o->id2_len > OSCAR_OSCORE_ID_MAX) {
        return fail(&d, "ace_server_recipientid", OSCAR_ACE_OAUTH_SERVER_RID, "too long");
    }
    return true;
}

enum oscar_err oscar_ace_authz_request_write(const uint8_t *token, size_t token_len,
                                             const uint8_t *n1, size_t n1_len, const uint8_t *id1,
                                             size_t id1_len, uint8_t *out, size_t cap,
                                             size_t *out_len)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, out, cap);
    oscar_cbor_put_map(&w, n1 != NULL ? 5 : 1);
    oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_ACCESS_TOKEN);
    oscar_cbor_put_bstr(&w, token, token_len);
    if (n1 != NULL) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_NONCE1);
        oscar_cbor_put_bstr(&w, n1, n1_len);
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_CLIENT_RID);
        oscar_cbor_put_bstr(&w, id1, id1_len);
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_SIGN_INFO);
        oscar_cbor_put_null(&w);
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_ECDH_INFO);
        oscar_cbor_put_null(&w);
    }
    return oscar_cbor_writer_finish(&w, out_len);
}

enum oscar_err oscar_ace_pop_mac(const struct oscar_crypto_ops *crypto, const uint8_t *priv,
                                 const uint8_t *peer_pub, const uint8_t *input, size_t input_len,
                                 uint8_t mac[8])
{
    uint8_t shared[OSCAR_SHARED_SECRET_LEN];
    OSCAR_TRY(crypto->ecdh(OSCAR_COSE_ALG_EDDSA, priv, peer_pub, shared));
    enum oscar_err err = crypto->hkdf(mac, 8, OSCAR_COSE_ALG_HKDF_SHA256, NULL, 0, shared,
                                      sizeof(shared), input, input_len);
    memset(shared, 0, sizeof(shared));
    return err;
}

bool oscar_ace_kdc_pop_verify_mac(const struct oscar_crypto_ops *crypto,
                                  const struct oscar_ace_join_info *info, const uint8_t *n_c,
                                  size_t n_c_len, const uint8_t *priv)
{
    uint8_t pub[32], mac[8];
    uint8_t input[2 * OSCAR_ACE_NONCE_MAX + 8];
    size_t input_len;
    const uint8_t *parts[2] = {n_c, info->kdc_nonce};
    size_t lens[2] = {n_c_len, info->kdc_nonce_len};
    if (info->kdc_cred == NULL || info->kdc_cred_verify_len != 8 || n_c_len > OSCAR_ACE_NONCE_MAX ||
        info->kdc_nonce_len > OSCAR_ACE_NONCE_MAX ||
        !oscar_ace_ccs_pub(info->kdc_cred, info->kdc_cred_len, pub) ||
        oscar_ace_concat_bstr(input, sizeof(input), &input_len, parts, lens, 2) != OSCAR_OK ||
        oscar_ace_pop_mac(crypto, priv, pub, input, input_len, mac) != OSCAR_OK) {
        return false;
    }
    uint8_t diff = 0;
    for (int i = 0; i < 8; i++) {
        diff |= (uint8_t)(mac[i] ^ info->kdc_cred_verify[i]);
    }
    return diff == 0;
}
