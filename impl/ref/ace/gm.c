/* ace/gm.c — the reference Group Manager (see oscar/gm.h). One group, Point-to-Point rekeying
 * (KGO §11.1), EdDSA group mode with X25519 pairwise mode, credentials as CCS. The checks of a
 * Join Request run in the order of RFC 9594 §4.3.1 and KGO §6.2's prose (neither text fixes one
 * between all of them); each failure names the check in rs->why. */
#include "oscar/gm.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oscar/coap.h"

#define KTY_OKP 1 /* COSE key type OKP (RFC 9053 §7) */
#define ROLE(r) (UINT64_C(1) << (r))
#define ROLE_ACTIVE (ROLE(OSCAR_ACE_ROLE_REQUESTER) | ROLE(OSCAR_ACE_ROLE_RESPONDER))
#define ROLE_MONITOR_ONLY ROLE(OSCAR_ACE_ROLE_MONITOR)
#define KEY_UPDATE_CHECK_INTERVAL 3600 /* group_policies defaults (RFC 9594 §4.3.1) */
#define POLICY_CHECK_INTERVAL 1
#define POLICY_EXPIRATION_DELTA 2

static void why(struct oscar_gm_response *rs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void why(struct oscar_gm_response *rs, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rs->why, sizeof(rs->why), fmt, ap);
    va_end(ap);
}

static void bit_set(uint8_t *set, unsigned b, bool on)
{
    if (on) {
        set[b / 8] |= (uint8_t)(1u << (b % 8));
    } else {
        set[b / 8] &= (uint8_t) ~(1u << (b % 8));
    }
}

static bool bit_get(const uint8_t *set, unsigned b)
{
    return (set[b / 8] >> (b % 8)) & 1u;
}

/* draw writes n bytes of the seeded generator. */
static enum oscar_err draw(struct oscar_gm *gm, uint8_t *out, size_t n)
{
    return oscar_ace_draw(gm->crypto, gm->seed, gm->draws++, "oscar group manager", out, n);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

enum oscar_err oscar_gm_init(struct oscar_gm *gm, const struct oscar_gm_config *cfg,
                             const struct oscar_crypto_ops *crypto)
{
    memset(gm, 0, sizeof(*gm));
    gm->crypto = crypto;
    if (cfg->gname == NULL || strlen(cfg->gname) >= sizeof(gm->gname) ||
        cfg->gm_cred_len > sizeof(gm->gm_cred) || cfg->master_salt_len > sizeof(gm->salt) ||
        (cfg->gid != NULL && (cfg->gid_len == 0 || cfg->gid_len > sizeof(gm->gid))) ||
        cfg->sid_count == 0 || cfg->sid_first + cfg->sid_count > OSCAR_GM_SID_BITS ||
        cfg->exp == 0) { /* exp 0 would tell members the material expired in 1970 */
        return OSCAR_ERR_INVALID_ARG;
    }
    copy_text(gm->gname, sizeof(gm->gname), cfg->gname);
    copy_text(gm->aud, sizeof(gm->aud), cfg->aud);
    copy_text(gm->iss, sizeof(gm->iss), cfg->iss);
    memcpy(gm->as_pub, cfg->as_pub, 32);
    memcpy(gm->gm_priv, cfg->gm_priv, 32);
    OSCAR_TRY(crypto->sig_public(OSCAR_COSE_ALG_EDDSA, gm->gm_priv, gm->gm_pub));
    memcpy(gm->gm_cred, cfg->gm_cred, cfg->gm_cred_len);
    gm->gm_cred_len = cfg->gm_cred_len;
    gm->seed = cfg->seed;
    gm->sid_first = cfg->sid_first;
    gm->sid_count = cfg->sid_count;
    gm->inactive = cfg->inactive;
    gm->exp = cfg->exp;
    gm->faults = cfg->faults;
    gm->rekey_on_join = cfg->rekey_on_join;
    gm->pairwise_only = cfg->pairwise_only;
    if (cfg->token_key != NULL) {
        memcpy(gm->token_key, cfg->token_key, sizeof(gm->token_key));
        gm->has_token_key = true;
    }
    if (cfg->gid != NULL) {
        memcpy(gm->gid, cfg->gid, cfg->gid_len);
        gm->gid_len = cfg->gid_len;
    } else {
        gm->gid_len = OSCAR_GM_GID_LEN;
        OSCAR_TRY(draw(gm, gm->gid, gm->gid_len));
    }
    if (cfg->master_secret != NULL) {
        memcpy(gm->ms, cfg->master_secret, OSCAR_GM_MS_LEN);
    } else {
        OSCAR_TRY(draw(gm, gm->ms, OSCAR_GM_MS_LEN));
    }
    if (cfg->master_salt_len > 0) {
        memcpy(gm->salt, cfg->master_salt, cfg->master_salt_len);
    }
    gm->salt_len = cfg->master_salt_len;
    for (size_t k = 0; k < OSCAR_GM_STALE_SETS; k++) {
        gm->stale_num[k] = UINT64_MAX;
    }
    gm->stale_num[0] = 0;
    for (size_t i = 0; i < OSCAR_GM_CLIENTS_MAX; i++) {
        gm->clients[i].member = -1;
    }
    return OSCAR_OK;
}

void oscar_gm_set_outbox(struct oscar_gm *gm, struct oscar_gm_outgoing *out, size_t cap)
{
    gm->outbox = out;
    gm->outbox_cap = cap;
    gm->outbox_len = 0;
}

/* set_sid gives m Sender ID v: one byte below 256, else two (big-endian). */
static void set_sid(struct oscar_gm_member *m, unsigned v)
{
    m->sid_value = v;
    if (v < 256) {
        m->sid[0] = (uint8_t)v;
        m->sid_len = 1;
    } else {
        m->sid[0] = (uint8_t)(v >> 8);
        m->sid[1] = (uint8_t)v;
        m->sid_len = 2;
    }
}

/* alloc_sid finds a Sender ID not handed out since the current Gid (KGO §6.3). */
static bool alloc_sid(struct oscar_gm *gm, unsigned *sid)
{
    if (gm->faults & OSCAR_GM_FAULT_REUSE_SID) {
        for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
            if (gm->members[i].used && gm->members[i].sid_len > 0) {
                *sid = gm->members[i].sid_value;
                return true;
            }
        }
    }
    for (unsigned k = 0; k < gm->sid_count; k++) {
        unsigned v = gm->sid_first + k;
        if (!bit_get(gm->sid_used, v)) {
            bit_set(gm->sid_used, v, true);
            *sid = v;
            return true;
        }
    }
    return false;
}

static bool sid_available(const struct oscar_gm *gm)
{
    for (unsigned k = 0; k < gm->sid_count; k++) {
        if (!bit_get(gm->sid_used, gm->sid_first + k)) {
            return true;
        }
    }
    return (gm->faults & OSCAR_GM_FAULT_REUSE_SID) != 0;
}

/* make_stale puts a relinquished Sender ID into the current version's stale set (KGO §7.1). */
static void make_stale(struct oscar_gm *gm, const struct oscar_gm_member *m)
{
    if (m->sid_len > 0) {
        bit_set(gm->stale[0], m->sid_value, true);
    }
}

/* put_sid_set writes the Sender IDs of a bit set as an array of byte strings. */
static void put_sid_set(struct oscar_cbor_writer *w, const uint8_t *set, size_t n)
{
    oscar_cbor_put_array(w, n);
    for (unsigned byte = 0; byte < OSCAR_GM_SID_BITS / 8; byte++) {
        for (unsigned b = 0; set[byte] != 0 && b < 8; b++) {
            if ((set[byte] >> b) & 1u) {
                struct oscar_gm_member tmp;
                set_sid(&tmp, byte * 8 + b);
                oscar_cbor_put_bstr(w, tmp.sid, tmp.sid_len);
            }
        }
    }
}

static size_t count_set(const uint8_t *set)
{
    size_t n = 0;
    for (unsigned byte = 0; byte < OSCAR_GM_SID_BITS / 8; byte++) {
        n += (size_t)__builtin_popcount(set[byte]);
    }
    return n;
}

static int new_member(struct oscar_gm *gm)
{
    for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
        if (!gm->members[i].used) {
            struct oscar_gm_member *m = &gm->members[i];
            memset(m, 0, sizeof(*m));
            m->used = true;
            m->client = -1;
            snprintf(m->node, sizeof(m->node), "n%u", ++gm->next_node);
            return (int)i;
        }
    }
    return -1;
}

int oscar_gm_add_member(struct oscar_gm *gm, unsigned sid, uint64_t roles, const uint8_t *cred,
                        size_t cred_len)
{
    int i = new_member(gm);
    if (i < 0 || cred_len > OSCAR_GROUP_CRED_MAX) {
        return -1;
    }
    struct oscar_gm_member *m = &gm->members[i];
    m->roles = roles;
    if ((roles & ROLE_ACTIVE) != 0) {
        if (sid >= OSCAR_GM_SID_BITS) {
            m->used = false;
            return -1;
        }
        set_sid(m, sid);
        bit_set(gm->sid_used, sid, true);
    }
    memcpy(m->cred, cred, cred_len);
    m->cred_len = cred_len;
    if (cred_len > 0 && !oscar_ace_ccs_pub(cred, cred_len, m->pub)) {
        m->used = false;
        return -1;
    }
    return i;
}

/* --- responses --- */

static void respond(struct oscar_gm_response *rs, uint8_t code, uint16_t cf)
{
    rs->code = code;
    rs->content_format = cf;
}

/* problem answers with concise problem details carrying ace-groupcomm-error (RFC 9594 §4.1.2). */
static void problem(struct oscar_gm_response *rs, uint8_t code, enum oscar_ace_error_id id)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 1);
    oscar_cbor_put_uint(&w, OSCAR_ACE_PROBLEM_KEY);
    oscar_cbor_put_map(&w, 1);
    oscar_cbor_put_uint(&w, 0);
    oscar_cbor_put_uint(&w, (uint64_t)id);
    (void)oscar_cbor_writer_finish(&w, &rs->len);
    respond(rs, code, OSCAR_CF_PROBLEM_DETAILS_CBOR);
}

/* put_caps writes an algorithm's capabilities: [kty] and [kty, crv] (KGO §5.3, §6.3). */
static void put_caps(struct oscar_cbor_writer *w, int kty, int crv)
{
    oscar_cbor_put_array(w, 1);
    oscar_cbor_put_uint(w, (uint64_t)kty);
    oscar_cbor_put_array(w, 2);
    oscar_cbor_put_uint(w, (uint64_t)kty);
    oscar_cbor_put_uint(w, (uint64_t)crv);
}

/* put_info writes one sign_info or ecdh_info entry [gname, alg, [kty], [kty, crv], cred_fmt]. */
static void put_info(struct oscar_cbor_writer *w, const struct oscar_gm *gm, int64_t alg, int crv)
{
    oscar_cbor_put_array(w, 1);
    oscar_cbor_put_array(w, 5);
    oscar_cbor_put_tstr(w, gm->gname, strlen(gm->gname));
    oscar_cbor_put_int(w, alg);
    put_caps(w, KTY_OKP, crv);
    oscar_cbor_put_uint(w, OSCAR_ACE_CRED_FMT_KCCS);
}

/* put_dh_creds writes kdc_dh_creds: the GM's Diffie-Hellman credential of a pairwise-only
 * group, [[gname, cred_fmt, cred]] (KGO §5.3.2). */
static void put_dh_creds(struct oscar_cbor_writer *w, const struct oscar_gm *gm)
{
    oscar_cbor_put_array(w, 1);
    oscar_cbor_put_array(w, 3);
    oscar_cbor_put_tstr(w, gm->gname, strlen(gm->gname));
    oscar_cbor_put_uint(w, OSCAR_ACE_CRED_FMT_KCCS);
    oscar_cbor_put_bstr(w, gm->gm_cred, gm->gm_cred_len);
}

/* bad_join answers a generic 4.00 to a Join Request (KGO §6.2): sign_info and ecdh_info for the
 * group, and a fresh kdcchallenge when the client has none stored. */
static void bad_join(struct oscar_gm *gm, struct oscar_gm_client *c, struct oscar_gm_response *rs)
{
    bool fresh = c != NULL && !c->has_n_s;
    if (fresh && draw(gm, c->n_s, sizeof(c->n_s)) == OSCAR_OK) {
        c->has_n_s = true;
    } else {
        fresh = false;
    }
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    /* sign_info for group mode; ecdh_info for pairwise mode, with kdc_dh_creds when the group
     * is pairwise-only (KGO §6.2) */
    oscar_cbor_put_map(&w, 2 + fresh);
    if (!gm->pairwise_only) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_SIGN_INFO);
        put_info(&w, gm, OSCAR_COSE_ALG_EDDSA, OSCAR_COSE_CRV_ED25519);
    }
    if (fresh) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_KDCCHALLENGE);
        oscar_cbor_put_bstr(&w, c->n_s, sizeof(c->n_s));
    }
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_ECDH_INFO);
    put_info(&w, gm, OSCAR_COSE_ALG_ECDH_SS_HKDF_256, OSCAR_COSE_CRV_X25519);
    if (gm->pairwise_only) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_KDC_DH_CREDS);
        put_dh_creds(&w, gm);
    }
    (void)oscar_cbor_writer_finish(&w, &rs->len);
    respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_ACE_GROUPCOMM_CBOR);
}

/* put_key writes the Group_OSCORE_Input_Material object (KGO §6.3); sid NULL: without
 * group_SenderId; rekey: only ms, salt and contextId (KGO §11.1). */
static void put_key(struct oscar_cbor_writer *w, const struct oscar_gm *gm, const uint8_t *sid,
                    size_t sid_len, bool rekey)
{
    if (rekey) {
        oscar_cbor_put_map(w, 2 + (gm->salt_len > 0));
        oscar_cbor_put_uint(w, OSCAR_ACE_K_MS);
        oscar_cbor_put_bstr(w, gm->ms, sizeof(gm->ms));
        if (gm->salt_len > 0) {
            oscar_cbor_put_uint(w, OSCAR_ACE_K_SALT);
            oscar_cbor_put_bstr(w, gm->salt, gm->salt_len);
        }
        oscar_cbor_put_uint(w, OSCAR_ACE_K_CONTEXT_ID);
        oscar_cbor_put_bstr(w, gm->gid, gm->gid_len);
        return;
    }
    oscar_cbor_put_map(w, 10 - 3 * gm->pairwise_only + (gm->salt_len > 0) + (sid != NULL));
    oscar_cbor_put_uint(w, OSCAR_ACE_K_MS);
    oscar_cbor_put_bstr(w, gm->ms, sizeof(gm->ms));
    oscar_cbor_put_uint(w, OSCAR_ACE_K_HKDF);
    oscar_cbor_put_uint(w, OSCAR_ACE_HKDF_SHA256);
    oscar_cbor_put_uint(w, OSCAR_ACE_K_ALG);
    oscar_cbor_put_int(w, OSCAR_COSE_ALG_AES_CCM_16_64_128);
    if (gm->salt_len > 0) {
        oscar_cbor_put_uint(w, OSCAR_ACE_K_SALT);
        oscar_cbor_put_bstr(w, gm->salt, gm->salt_len);
    }
    oscar_cbor_put_uint(w, OSCAR_ACE_K_CONTEXT_ID);
    oscar_cbor_put_bstr(w, gm->gid, gm->gid_len);
    if (sid != NULL) {
        oscar_cbor_put_uint(w, OSCAR_ACE_K_GROUP_SENDER_ID);
        oscar_cbor_put_bstr(w, sid, sid_len);
    }
    oscar_cbor_put_uint(w, OSCAR_ACE_K_CRED_FMT);
    oscar_cbor_put_uint(w, OSCAR_ACE_CRED_FMT_KCCS);
    if (!gm->pairwise_only) {
        oscar_cbor_put_uint(w, OSCAR_ACE_K_GP_ENC_ALG);
        oscar_cbor_put_int(w, OSCAR_COSE_ALG_AES_CCM_16_64_128);
        oscar_cbor_put_uint(w, OSCAR_ACE_K_SIGN_ALG);
        oscar_cbor_put_int(w, OSCAR_COSE_ALG_EDDSA);
        oscar_cbor_put_uint(w, OSCAR_ACE_K_SIGN_PARAMS);
        oscar_cbor_put_array(w, 2);
        put_caps(w, KTY_OKP, OSCAR_COSE_CRV_ED25519);
    }
    oscar_cbor_put_uint(w, OSCAR_ACE_K_ECDH_ALG);
    oscar_cbor_put_int(w, OSCAR_COSE_ALG_ECDH_SS_HKDF_256);
    oscar_cbor_put_uint(w, OSCAR_ACE_K_ECDH_PARAMS);
    oscar_cbor_put_array(w, 2);
    put_caps(w, KTY_OKP, OSCAR_COSE_CRV_X25519);
}

/* exi is the seconds left of the keying material (RFC 9594 §4.3.1). */
static uint64_t exi_at(const struct oscar_gm *gm, uint64_t now)
{
    return gm->exp > now ? gm->exp - now : 0;
}

/* put_common writes gkty, key, num, ace_groupcomm_profile, exp and exi (keys 7 to 12). */
static void put_common(struct oscar_cbor_writer *w, const struct oscar_gm *gm, uint64_t now,
                       const uint8_t *sid, size_t sid_len, bool rekey)
{
    oscar_cbor_put_uint(w, OSCAR_ACE_P_GKTY);
    oscar_cbor_put_uint(w, OSCAR_ACE_GKTY_GROUP_OSCORE);
    oscar_cbor_put_uint(w, OSCAR_ACE_P_KEY);
    put_key(w, gm, sid, sid_len, rekey);
    oscar_cbor_put_uint(w, OSCAR_ACE_P_NUM);
    oscar_cbor_put_uint(w, gm->num);
    oscar_cbor_put_uint(w, OSCAR_ACE_P_PROFILE);
    oscar_cbor_put_uint(w, OSCAR_ACE_PROFILE_GROUP_OSCORE);
    oscar_cbor_put_uint(w, OSCAR_ACE_P_EXP);
    oscar_cbor_put_uint(w, gm->exp);
    oscar_cbor_put_uint(w, OSCAR_ACE_P_EXI);
    oscar_cbor_put_uint(w, exi_at(gm, now));
}

static void put_policies(struct oscar_cbor_writer *w)
{
    oscar_cbor_put_uint(w, OSCAR_ACE_P_GROUP_POLICIES);
    oscar_cbor_put_map(w, 2);
    oscar_cbor_put_uint(w, POLICY_CHECK_INTERVAL);
    oscar_cbor_put_uint(w, KEY_UPDATE_CHECK_INTERVAL);
    oscar_cbor_put_uint(w, POLICY_EXPIRATION_DELTA);
    oscar_cbor_put_uint(w, 0);
}

/* struct creds_filter is a FETCH .../creds filter (RFC 9594 §4.4.1.1): get_creds =
 * [inclusion_flag, role_filter, id_filter]. */
struct creds_filter {
    bool used;
    bool include;
    uint64_t roles[8];
    size_t num_roles;
    const uint8_t *ids[16];
    size_t id_lens[16];
    size_t num_ids;
};

/* filter_admits: true inclusion: the listed ids, or members with one of the listed role sets;
 * false: members not listed whose roles match. */
static bool filter_admits(const struct creds_filter *f, const struct oscar_gm_member *m)
{
    bool listed = false;
    for (size_t i = 0; i < f->num_ids; i++) {
        listed =
            listed || (f->id_lens[i] == m->sid_len && memcmp(f->ids[i], m->sid, m->sid_len) == 0);
    }
    bool role = f->num_roles == 0;
    for (size_t i = 0; i < f->num_roles; i++) {
        role = role || (m->roles & f->roles[i]) == f->roles[i];
    }
    if (f->include) {
        return listed || (f->num_roles > 0 && role) || (f->num_ids == 0 && f->num_roles == 0);
    }
    return !listed && role;
}

/* relevant: whether member m's credential goes to a joiner with roles (RFC 9594 §4.3.1 with
 * get_creds null; KGO §6.3): responders for a requester, requesters for a responder or monitor. */
static bool relevant(const struct oscar_gm_member *m, uint64_t roles)
{
    bool want_resp = (roles & ROLE(OSCAR_ACE_ROLE_REQUESTER)) != 0;
    bool want_req = (roles & (ROLE(OSCAR_ACE_ROLE_RESPONDER) | ROLE_MONITOR_ONLY)) != 0;
    return m->sid_len > 0 && ((want_resp && (m->roles & ROLE(OSCAR_ACE_ROLE_RESPONDER))) ||
                              (want_req && (m->roles & ROLE(OSCAR_ACE_ROLE_REQUESTER))));
}

/* put_creds writes creds, peer_roles and peer_identifiers of the members filter picks. */
static bool creds_pick(const struct oscar_gm_member *m, int i, int self, uint64_t roles, bool all,
                       const struct creds_filter *f)
{
    if (!m->used || i == self || m->sid_len == 0) {
        return false;
    }
    if (f != NULL && f->used) {
        return filter_admits(f, m);
    }
    return all || relevant(m, roles);
}

static void put_creds_filtered(struct oscar_cbor_writer *w, const struct oscar_gm *gm, int self,
                               uint64_t roles, bool all, const struct creds_filter *f);

static void put_creds(struct oscar_cbor_writer *w, const struct oscar_gm *gm, int self,
                      uint64_t roles, bool all)
{
    put_creds_filtered(w, gm, self, roles, all, NULL);
}

static void put_creds_filtered(struct oscar_cbor_writer *w, const struct oscar_gm *gm, int self,
                               uint64_t roles, bool all, const struct creds_filter *f)
{
    size_t n = 0;
    for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
        n += creds_pick(&gm->members[i], (int)i, self, roles, all, f);
    }
    for (int pass = 0; pass < 3; pass++) {
        oscar_cbor_put_uint(w, (uint64_t)(OSCAR_ACE_P_CREDS + pass));
        oscar_cbor_put_array(w, n);
        for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
            const struct oscar_gm_member *m = &gm->members[i];
            if (!creds_pick(m, (int)i, self, roles, all, f)) {
                continue;
            }
            if (pass == 0) {
                oscar_cbor_put_bstr(w, m->cred, m->cred_len);
            } else if (pass == 1) {
                oscar_cbor_put_uint(w, m->roles);
            } else {
                oscar_cbor_put_bstr(w, m->sid, m->sid_len);
            }
        }
    }
}

/* kdc_pop writes kdc_cred, kdc_nonce and kdc_cred_verify for the client's N_C (RFC 9594 §4.3.1). */
static enum oscar_err put_kdc_pop(struct oscar_cbor_writer *w, struct oscar_gm *gm,
                                  const uint8_t *n_c, size_t n_c_len, const uint8_t *peer_pub)
{
    uint8_t n_kdc[OSCAR_GM_NONCE_LEN];
    if (gm->has_fixed_n_kdc) {
        memcpy(n_kdc, gm->fixed_n_kdc, sizeof(n_kdc));
        gm->has_fixed_n_kdc = false;
    } else {
        OSCAR_TRY(draw(gm, n_kdc, sizeof(n_kdc)));
    }
    uint8_t input[2 * (OSCAR_ACE_NONCE_MAX + 2)];
    size_t input_len;
    const uint8_t *parts[2] = {n_c, n_kdc};
    size_t lens[2] = {n_c_len, sizeof(n_kdc)};
    if (gm->faults & OSCAR_GM_FAULT_BAD_KDC_POP) {
        parts[0] = n_kdc; /* signs bstr(N_KDC) | bstr(N_C): the wrong order */
        lens[0] = sizeof(n_kdc);
        parts[1] = n_c;
        lens[1] = n_c_len;
    }
    OSCAR_TRY(oscar_ace_concat_bstr(input, sizeof(input), &input_len, parts, lens, 2));
    uint8_t sig[OSCAR_SIG_MAX];
    size_t sig_len = 64;
    if (gm->pairwise_only && peer_pub != NULL) {
        OSCAR_TRY(oscar_ace_pop_mac(gm->crypto, gm->gm_priv, peer_pub, input, input_len, sig));
        sig_len = 8;
    } else {
        OSCAR_TRY(
            gm->crypto->sign(OSCAR_COSE_ALG_EDDSA, gm->gm_priv, gm->gm_pub, input, input_len, sig));
    }
    oscar_cbor_put_uint(w, OSCAR_ACE_P_KDC_CRED);
    oscar_cbor_put_bstr(w, gm->gm_cred, gm->gm_cred_len);
    oscar_cbor_put_uint(w, OSCAR_ACE_P_KDC_NONCE);
    oscar_cbor_put_bstr(w, n_kdc, sizeof(n_kdc));
    oscar_cbor_put_uint(w, OSCAR_ACE_P_KDC_CRED_VERIFY);
    oscar_cbor_put_bstr(w, sig, sig_len);
    return OSCAR_OK;
}

/* --- /authz-info --- */

/* read_token_post finds the token in an /authz-info payload: an application/ace+cbor map
 * {access_token, ...} (RFC 9203 §4.1, RFC 9594 §3.3) or the bare CWT. */
int oscar_gm_authz_info(struct oscar_gm *gm, const uint8_t *payload, size_t len, uint64_t now,
                        struct oscar_gm_response *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->content_format = OSCAR_CF_NONE;
    struct oscar_ace_authz_request tp;
    if (!oscar_ace_authz_request_read(payload, len, &tp, rs->why, sizeof(rs->why))) {
        respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
        return -1;
    }
    struct oscar_ace_claims claims;
    enum oscar_ace_token_verdict v =
        gm->has_token_key
            ? oscar_ace_cwt_check_encrypted(gm->crypto, gm->token_key, gm->iss, gm->aud, now,
                                            tp.token, tp.token_len, &claims, rs->why,
                                            sizeof(rs->why))
            : oscar_ace_cwt_check(gm->crypto, gm->as_pub, gm->iss, gm->aud, now, tp.token,
                                  tp.token_len, &claims, rs->why, sizeof(rs->why));
    if (v == OSCAR_ACE_TOKEN_OK && gm->has_token_key &&
        (!claims.has_osc || tp.n1 == NULL || tp.id1 == NULL)) {
        /* RFC 9203 §4.1: the OSCORE profile needs osc in the token, nonce1 and the Recipient ID */
        why(rs, "OSCORE profile: %s",
            !claims.has_osc ? "the token's cnf is no osc"
            : tp.n1 == NULL ? "no nonce1 (40)"
                            : "no ace_client_recipientid (43)");
        respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
        return -1;
    }
    if (v != OSCAR_ACE_TOKEN_OK) {
        respond(rs, oscar_ace_token_code(v), OSCAR_CF_NONE);
        return -1;
    }
    /* one token per PoP key: a new one supersedes the old (RFC 9200 §5.10.1) */
    int slot = -1;
    for (int i = 0; i < OSCAR_GM_CLIENTS_MAX; i++) {
        const struct oscar_gm_client *c = &gm->clients[i];
        if (c->used && c->claims.cnf_pub_len == claims.cnf_pub_len &&
            memcmp(c->claims.cnf_pub, claims.cnf_pub, claims.cnf_pub_len) == 0 &&
            c->claims.osc_id_len == claims.osc_id_len &&
            memcmp(c->claims.osc_id, claims.osc_id, claims.osc_id_len) == 0) {
            slot = i;
            break;
        }
        if (!c->used && slot < 0) {
            slot = i;
        }
    }
    if (slot < 0) {
        why(rs, "no room for another token");
        respond(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_CF_NONE);
        return -1;
    }
    struct oscar_gm_client *c = &gm->clients[slot];
    if (!c->used) {
        memset(c, 0, sizeof(*c));
        c->member = -1;
    }
    c->used = true;
    c->claims = claims;
    if (draw(gm, c->n_s, sizeof(c->n_s)) != OSCAR_OK) {
        respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
        return -1;
    }
    c->has_n_s = true;
    c->osc = tp.n1 != NULL && tp.id1 != NULL;
    if (c->osc) {
        /* N2, and ID2: the slot number + 1 in two bytes, never equal to ID1 (RFC 9203 §4.2) */
        memcpy(c->n1, tp.n1, tp.n1_len);
        c->n1_len = tp.n1_len;
        memcpy(c->id1, tp.id1, tp.id1_len);
        c->id1_len = tp.id1_len;
        c->id2[0] = (uint8_t)((slot + 1) >> 8);
        c->id2[1] = (uint8_t)(slot + 1);
        c->id2_len = 2;
        if (tp.id1_len == 2 && memcmp(tp.id1, c->id2, 2) == 0) {
            c->id2[0] |= 0x80;
        }
        if (draw(gm, c->n2, sizeof(c->n2)) != OSCAR_OK) {
            respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
            return -1;
        }
    }
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    /* sign_info only for groups with signatures (RFC 9594 §3.3.1, KGO §5.3) */
    bool sign_info = tp.sign_info && !gm->pairwise_only;
    oscar_cbor_put_map(&w, (c->osc ? 3 : 1) + gm->pairwise_only + sign_info + tp.ecdh_info);
    if (c->osc) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_NONCE2);
        oscar_cbor_put_bstr(&w, c->n2, sizeof(c->n2));
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_SERVER_RID);
        oscar_cbor_put_bstr(&w, c->id2, c->id2_len);
    }
    if (sign_info) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_SIGN_INFO);
        put_info(&w, gm, OSCAR_COSE_ALG_EDDSA, OSCAR_COSE_CRV_ED25519);
    }
    oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_KDCCHALLENGE);
    oscar_cbor_put_bstr(&w, c->n_s, sizeof(c->n_s));
    if (tp.ecdh_info) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_ECDH_INFO);
        put_info(&w, gm, OSCAR_COSE_ALG_ECDH_SS_HKDF_256, OSCAR_COSE_CRV_X25519);
    }
    if (gm->pairwise_only) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_KDC_DH_CREDS);
        put_dh_creds(&w, gm);
    }
    (void)oscar_cbor_writer_finish(&w, &rs->len);
    respond(rs, OSCAR_COAP_CODE_CREATED, OSCAR_CF_ACE_CBOR);
    return slot;
}

void oscar_gm_authz_update(struct oscar_gm *gm, int client, const uint8_t *payload, size_t len,
                           uint64_t now, struct oscar_gm_response *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->content_format = OSCAR_CF_NONE;
    struct oscar_ace_authz_request tp;
    struct oscar_ace_claims claims;
    struct oscar_gm_client *c =
        client >= 0 && client < OSCAR_GM_CLIENTS_MAX ? &gm->clients[client] : NULL;
    if (c == NULL || !c->used || !gm->has_token_key ||
        !oscar_ace_authz_request_read(payload, len, &tp, rs->why, sizeof(rs->why))) {
        respond(rs, OSCAR_COAP_CODE_UNAUTHORIZED, OSCAR_CF_NONE);
        return;
    }
    enum oscar_ace_token_verdict v =
        oscar_ace_cwt_check_encrypted(gm->crypto, gm->token_key, gm->iss, gm->aud, now, tp.token,
                                      tp.token_len, &claims, rs->why, sizeof(rs->why));
    /* RFC 9203 §4.2: the new token must bind the same OSCORE material (kid = its id) */
    if (v != OSCAR_ACE_TOKEN_OK || !claims.has_osc || claims.osc_id_len != c->claims.osc_id_len ||
        memcmp(claims.osc_id, c->claims.osc_id, claims.osc_id_len) != 0 ||
        claims.osc_ms_len != c->claims.osc_ms_len ||
        memcmp(claims.osc_ms, c->claims.osc_ms, claims.osc_ms_len) != 0) {
        if (v == OSCAR_ACE_TOKEN_OK) {
            why(rs, "the token is for other OSCORE material than this security context's");
        }
        respond(rs, OSCAR_COAP_CODE_UNAUTHORIZED, OSCAR_CF_NONE);
        return;
    }
    if (!(gm->faults & OSCAR_GM_FAULT_IGNORE_UPDATE)) {
        c->claims = claims; /* the new access rights supersede the old (RFC 9200 §5.10.1) */
    }
    respond(rs, OSCAR_COAP_CODE_CREATED, OSCAR_CF_NONE);
}

/* --- the join (RFC 9594 §4.3.1, KGO §6.2) --- */

/* token_roles returns the roles the client's token grants in gm's group (0: none). */
static uint64_t token_roles(const struct oscar_gm *gm, const struct oscar_gm_client *c)
{
    struct oscar_ace_scope_entry e[OSCAR_ACE_SCOPE_MAX];
    size_t n = 0;
    if (!oscar_ace_scope_decode(c->claims.scope, c->claims.scope_len, e, OSCAR_ACE_SCOPE_MAX, &n,
                                NULL, 0)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(e[i].gname, gm->gname) == 0) {
            return e[i].perm;
        }
    }
    return 0;
}

/* pop_valid verifies client_cred_verify over bstr(scope) | bstr(N_S) | bstr(N_C). */
static bool pop_valid(const struct oscar_gm *gm, const struct oscar_gm_client *c,
                      const struct oscar_ace_join_fields *f, const uint8_t *pub)
{
    uint8_t input[OSCAR_ACE_SCOPE_BYTES_MAX + 2 * OSCAR_ACE_NONCE_MAX + 16];
    size_t input_len;
    const uint8_t *parts[3] = {f->scope, c->n_s, f->n_c};
    size_t lens[3] = {f->scope_len, sizeof(c->n_s), f->n_c_len};
    bool valid = false;
    if (f->scope_len > OSCAR_ACE_SCOPE_BYTES_MAX ||
        oscar_ace_concat_bstr(input, sizeof(input), &input_len, parts, lens, 3) != OSCAR_OK) {
        return false;
    }
    if (gm->pairwise_only) {
        /* the 8-byte MAC keyed by ECDH(GM key, joiner key) (KGO §6.1) */
        uint8_t mac[8];
        uint8_t diff = 0;
        if (f->pop_len != 8 ||
            oscar_ace_pop_mac(gm->crypto, gm->gm_priv, pub, input, input_len, mac) != OSCAR_OK) {
            return false;
        }
        for (int i = 0; i < 8; i++) {
            diff |= (uint8_t)(mac[i] ^ f->pop[i]);
        }
        return diff == 0;
    }
    return gm->crypto->verify(OSCAR_COSE_ALG_EDDSA, pub, input, input_len, f->pop, f->pop_len,
                              &valid) == OSCAR_OK &&
           valid;
}

static enum oscar_err rekey(struct oscar_gm *gm, uint64_t now, int newcomer);

static void join(struct oscar_gm *gm, int client, uint64_t now, const uint8_t *p, size_t len,
                 struct oscar_gm_response *rs)
{
    struct oscar_gm_client *c = &gm->clients[client];
    uint64_t granted = token_roles(gm, c);
    struct oscar_ace_join_fields f;
    if (!oscar_ace_join_request_read(p, len, &f, rs->why, sizeof(rs->why))) {
        bad_join(gm, c, rs);
        return;
    }
    struct oscar_ace_scope_entry e[1];
    char scope_why[128] = "";
    bool scope_ok = f.scope != NULL && oscar_ace_scope_entry_decode(f.scope, f.scope_len, &e[0],
                                                                    scope_why, sizeof(scope_why));
    if (!scope_ok && (gm->faults & OSCAR_GM_FAULT_ALLOW_MONITOR_MIX) && f.scope != NULL &&
        strstr(scope_why, "Monitor together") != NULL) {
        /* the fault: the entry read again without the role rules */
        struct oscar_cbor_reader r;
        struct oscar_cbor_item it, name, perm;
        oscar_cbor_reader_init(&r, f.scope, f.scope_len);
        scope_ok = oscar_cbor_read(&r, &it) && it.value == 2 && oscar_cbor_read(&r, &name) &&
                   name.type == OSCAR_CBOR_TSTR && name.len < sizeof(e[0].gname) &&
                   oscar_cbor_read(&r, &perm) && perm.type == OSCAR_CBOR_UINT;
        if (scope_ok) {
            memcpy(e[0].gname, name.data, name.len);
            e[0].gname[name.len] = '\0';
            e[0].perm = perm.value;
        }
    }
    if (!scope_ok) {
        why(rs, "scope: %s", f.scope == NULL ? "absent" : scope_why);
        bad_join(gm, c, rs);
        return;
    }
    uint64_t roles = e[0].perm;
    if (strcmp(e[0].gname, gm->gname) != 0 || (roles & ~granted) != 0) {
        why(rs, "scope asks for %s/%llu, the token grants %llu", e[0].gname,
            (unsigned long long)roles, (unsigned long long)granted);
        respond(rs, OSCAR_COAP_CODE(4, 3), OSCAR_CF_NONE);
        return;
    }
    if ((roles & (ROLE_ACTIVE | ROLE_MONITOR_ONLY)) == 0) {
        /* KGO §8.5: a signature verifier does not join (it reads verif-data instead) */
        why(rs, "a Verifier-only scope cannot join the group");
        problem(rs, OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_ROLES);
        return;
    }
    if (gm->inactive) {
        why(rs, "the group is not active");
        problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_INACTIVE);
        return;
    }
    bool monitor = (roles & ROLE_ACTIVE) == 0;
    struct oscar_gm_member *old = c->member >= 0 ? &gm->members[c->member] : NULL;
    if (!monitor && !sid_available(gm)) {
        why(rs, "no Sender ID left (%u in the pool)", gm->sid_count);
        problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_NO_IDS);
        return;
    }
    uint8_t pub[OSCAR_SIG_PUB_MAX];
    if (!monitor) {
        /* client_cred h'' counts as absent (KGO §6.1: a current member may send it) */
        bool has_cred = f.cred != NULL && f.cred_len > 0;
        bool stored = old != NULL && old->cred_len > 0; /* a monitor has none */
        if ((!stored && (!has_cred || f.pop == NULL)) || (has_cred && !stored && f.pop == NULL)) {
            why(rs, "no %s", !has_cred ? "client_cred (5)" : "client_cred_verify (24)");
            bad_join(gm, c, rs);
            return;
        }
        if (!c->has_n_s) {
            why(rs, "no kdcchallenge stored for this client");
            bad_join(gm, c, rs);
            return;
        }
        if (has_cred &&
            (f.cred_len > OSCAR_GROUP_CRED_MAX || !oscar_ace_ccs_pub(f.cred, f.cred_len, pub))) {
            why(rs, "client_cred is no CCS with an Ed25519 key");
            problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_CRED_INCOMPATIBLE);
            return;
        }
        if (!has_cred) {
            memcpy(pub, old->pub, sizeof(pub)); /* a member re-joining with its credential */
        }
        if (f.pop == NULL && has_cred &&
            (f.cred_len != old->cred_len || memcmp(f.cred, old->cred, f.cred_len) != 0)) {
            /* KGO §6.2: without proof of possession only the stored credential is accepted */
            why(rs, "client_cred differs from the stored one and comes without client_cred_verify");
            bad_join(gm, c, rs);
            return;
        }
        bool accept = (gm->faults & OSCAR_GM_FAULT_ACCEPT_BAD_POP) != 0;
        if (f.pop != NULL && f.pop_len == 0) {
            if (!(c->pop_key_known && old != NULL && memcmp(old->pub, pub, 32) == 0) && !accept) {
                why(rs, "empty client_cred_verify, and no earlier proof of possession of the key");
                problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
                return;
            }
        } else if (f.pop != NULL && !pop_valid(gm, c, &f, pub) && !accept) {
            why(rs, "client_cred_verify does not verify over scope, N_S and N_C");
            problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
            return;
        }
    }
    /* admitted: a re-joining member gets a new Sender ID, its old one goes stale (KGO §6.3) */
    bool rejoin = old != NULL;
    int mi = rejoin ? c->member : new_member(gm);
    if (mi < 0) {
        why(rs, "the member table is full");
        problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_NO_IDS);
        return;
    }
    struct oscar_gm_member *m = &gm->members[mi];
    if (rejoin) {
        make_stale(gm, m);
    }
    m->client = client;
    m->roles = roles;
    m->sid_len = 0;
    if (!monitor) {
        unsigned v;
        if (!alloc_sid(gm, &v)) {
            m->used = rejoin;
            problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_NO_IDS);
            return;
        }
        set_sid(m, v);
        if (f.cred != NULL && f.cred_len > 0 && f.cred_len <= sizeof(m->cred)) {
            memcpy(m->cred, f.cred, f.cred_len);
            m->cred_len = f.cred_len;
        }
        memcpy(m->pub, pub, 32);
        c->pop_key_known = true;
    }
    c->member = mi;
    memcpy(m->n_c, f.n_c, f.n_c_len); /* RFC 9594 §4.3.1: kept for GET kdc-cred */
    m->n_c_len = f.n_c_len;
    if (f.scope_len <= sizeof(m->scope)) { /* RFC 9594 §4.9.1: the PoP of a new credential */
        memcpy(m->scope, f.scope, f.scope_len);
        m->scope_len = f.scope_len;
    }
    if (!rejoin && gm->rekey_on_join && rekey(gm, now, mi) != OSCAR_OK) {
        /* backward security (KGO §7): the others move to new material, which the newcomer gets
         * in its answer; an outbox too small only loses messages, the join goes on */
        why(rs, "the rekeying messages did not fit the outbox");
    }
    bool sid_top = (gm->faults & OSCAR_GM_FAULT_SID_TOP_LEVEL) && m->sid_len > 0;
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 10 + 3 * f.get_creds + sid_top);
    put_common(&w, gm, now, m->sid_len > 0 && !sid_top ? m->sid : NULL, m->sid_len, false);
    if (f.get_creds && f.num_get_creds_roles > 0) {
        struct creds_filter cf = {.used = true, .include = true};
        memcpy(cf.roles, f.get_creds_roles, f.num_get_creds_roles * sizeof(cf.roles[0]));
        cf.num_roles = f.num_get_creds_roles;
        put_creds_filtered(&w, gm, mi, roles, false, &cf);
    } else if (f.get_creds) {
        put_creds(&w, gm, mi, roles, false);
    }
    put_policies(&w);
    if (put_kdc_pop(&w, gm, f.n_c, f.n_c_len, m->sid_len > 0 ? m->pub : NULL) != OSCAR_OK) {
        respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
        return;
    }
    if (sid_top) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_GROUP_SENDERID);
        oscar_cbor_put_bstr(&w, m->sid, m->sid_len);
    }
    if (oscar_cbor_writer_finish(&w, &rs->len) != OSCAR_OK) {
        why(rs, "the Join Response does not fit");
        respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
        return;
    }
    snprintf(rs->location, sizeof(rs->location), "ace-group/%s/nodes/%s", gm->gname, m->node);
    respond(rs, rejoin ? OSCAR_COAP_CODE_CHANGED : OSCAR_COAP_CODE_CREATED,
            OSCAR_CF_ACE_GROUPCOMM_CBOR);
}

/* --- rekeying (KGO §11) --- */

/* rekey renews the material; newcomer >= 0: the rekeying is caused by that member's join (KGO
 * §11.1): it gets the material in its Join Response, the others its credential, roles and
 * Sender ID with theirs. */
static enum oscar_err rekey(struct oscar_gm *gm, uint64_t now, int newcomer)
{
    /* the stale set of the version being relinquished goes with it; a new empty one starts */
    memmove(&gm->stale[1], &gm->stale[0], sizeof(gm->stale[0]) * (OSCAR_GM_STALE_SETS - 1));
    memmove(&gm->stale_num[1], &gm->stale_num[0],
            sizeof(gm->stale_num[0]) * (OSCAR_GM_STALE_SETS - 1));
    const uint8_t *relinquished = gm->stale[1];
    gm->num++;
    memset(gm->stale[0], 0, sizeof(gm->stale[0]));
    gm->stale_num[0] = gm->num;
    OSCAR_TRY(draw(gm, gm->ms, sizeof(gm->ms)));
    OSCAR_TRY(draw(gm, gm->gid, gm->gid_len));
    /* a new Gid: Sender IDs no member holds may be handed out again (KGO §6.3, §10) */
    memset(gm->sid_used, 0, sizeof(gm->sid_used));
    for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
        if (gm->members[i].used && gm->members[i].sid_len > 0) {
            bit_set(gm->sid_used, gm->members[i].sid_value, true);
        }
    }
    size_t num_stale = count_set(relinquished);
    bool stale = (gm->faults & OSCAR_GM_FAULT_OMIT_STALE) == 0;
    /* the part every member's message shares, written once */
    uint8_t common[OSCAR_GM_PAYLOAD_MAX];
    size_t common_len;
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, common, sizeof(common));
    const struct oscar_gm_member *nm = newcomer >= 0 ? &gm->members[newcomer] : NULL;
    bool creds = nm != NULL && nm->sid_len > 0 && nm->cred_len > 0;
    oscar_cbor_put_map(&w, 6 + stale + 3 * creds);
    put_common(&w, gm, now, NULL, 0, true);
    if (creds) { /* all three or none (KGO §11.1) */
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_CREDS);
        oscar_cbor_put_array(&w, 1);
        oscar_cbor_put_bstr(&w, nm->cred, nm->cred_len);
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_PEER_ROLES);
        oscar_cbor_put_array(&w, 1);
        oscar_cbor_put_uint(&w, nm->roles);
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_PEER_IDENTIFIERS);
        oscar_cbor_put_array(&w, 1);
        oscar_cbor_put_bstr(&w, nm->sid, nm->sid_len);
    }
    if (stale) {
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_STALE_NODE_IDS);
        put_sid_set(&w, relinquished, num_stale);
    }
    OSCAR_TRY(oscar_cbor_writer_finish(&w, &common_len));
    for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
        if (!gm->members[i].used || (int)i == newcomer) {
            continue;
        }
        if (gm->outbox_len >= gm->outbox_cap || common_len > sizeof(gm->outbox[0].payload)) {
            return OSCAR_ERR_BUFFER_TOO_SMALL;
        }
        struct oscar_gm_outgoing *o = &gm->outbox[gm->outbox_len++];
        o->member = (int)i;
        memcpy(o->payload, common, common_len);
        o->len = common_len;
    }
    return OSCAR_OK;
}

enum oscar_err oscar_gm_rekey(struct oscar_gm *gm, uint64_t now)
{
    return rekey(gm, now, -1);
}

/* --- the other resources (RFC 9594 §4, KGO §8, §9) --- */

/* member_of returns the client's member record, or NULL. */
static struct oscar_gm_member *member_of(struct oscar_gm *gm, int client)
{
    int mi = gm->clients[client].member;
    return mi >= 0 && gm->members[mi].used ? &gm->members[mi] : NULL;
}

static void members_only(struct oscar_gm_response *rs, const char *what)
{
    why(rs, "%s: only for group members", what);
    problem(rs, OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_MEMBERS_ONLY);
}

static void finish(struct oscar_gm_response *rs, struct oscar_cbor_writer *w, uint8_t code,
                   uint16_t cf)
{
    if (oscar_cbor_writer_finish(w, &rs->len) != OSCAR_OK) {
        why(rs, "the response does not fit");
        respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
        return;
    }
    respond(rs, code, cf);
}

/* key_material answers GET /ace-group/GROUPNAME (self NULL) or GET .../nodes/NODENAME. */
static void key_material(struct oscar_gm *gm, uint64_t now, const struct oscar_gm_member *self,
                         struct oscar_gm_response *rs)
{
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 6);
    put_common(&w, gm, now, self != NULL && self->sid_len > 0 ? self->sid : NULL,
               self != NULL ? self->sid_len : 0, false);
    finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
}

/* leave processes DELETE .../nodes/NODENAME (RFC 9594 §4.8.3, KGO §10). */
static void leave(struct oscar_gm *gm, int client, uint64_t now, struct oscar_gm_member *m,
                  struct oscar_gm_response *rs)
{
    bool active = m->sid_len > 0;
    make_stale(gm, m);
    m->used = false;
    gm->clients[client].member = -1;
    respond(rs, OSCAR_COAP_CODE_DELETED, OSCAR_CF_NONE);
    if (active && !(gm->faults & OSCAR_GM_FAULT_NO_REKEY_ON_LEAVE) &&
        oscar_gm_rekey(gm, now) != OSCAR_OK) {
        why(rs, "left, but the rekeying messages did not fit the outbox");
    }
}

/* renew processes POST .../nodes/NODENAME: a new Sender ID (KGO §9.2). */
static void renew(struct oscar_gm *gm, struct oscar_gm_member *m, struct oscar_gm_response *rs)
{
    if (gm->inactive) {
        problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_INACTIVE);
        return;
    }
    if (m->sid_len == 0) {
        why(rs, "a monitor has no Sender ID to renew");
        problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_ROLES);
        return;
    }
    unsigned sid;
    if (!alloc_sid(gm, &sid)) {
        problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_NO_IDS);
        return;
    }
    make_stale(gm, m);
    set_sid(m, sid);
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 1);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_GROUP_SENDERID);
    oscar_cbor_put_bstr(&w, m->sid, m->sid_len);
    finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
}

/* new_cred processes POST .../nodes/NODENAME/cred (RFC 9594 §4.9.1): a new credential with
 * proof of possession over the same input as a join's. */
static void new_cred(struct oscar_gm *gm, int client, struct oscar_gm_member *m, const uint8_t *p,
                     size_t len, struct oscar_gm_response *rs)
{
    struct oscar_gm_client *c = &gm->clients[client];
    struct oscar_ace_join_fields f;
    uint8_t pub[OSCAR_SIG_PUB_MAX];
    if (gm->inactive) { /* KGO §9.4 */
        problem(rs, OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_INACTIVE);
        return;
    }
    if (m->sid_len == 0) {
        why(rs, "a monitor has no credential in the group");
        problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_ROLES);
        return;
    }
    if (!oscar_ace_join_request_read(p, len, &f, rs->why, sizeof(rs->why)) || f.cred == NULL ||
        f.pop == NULL || f.pop_len == 0) {
        if (rs->why[0] == '\0') {
            why(rs, "client_cred and a non-empty client_cred_verify are required");
        }
        respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
        return;
    }
    /* the PoP input's scope is the latest Join Request's scope entry (RFC 9594 §4.9.1) */
    f.scope = m->scope;
    f.scope_len = m->scope_len;
    if (f.cred_len > OSCAR_GROUP_CRED_MAX || !oscar_ace_ccs_pub(f.cred, f.cred_len, pub)) {
        problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_CRED_INCOMPATIBLE);
        return;
    }
    if (!pop_valid(gm, c, &f, pub) && !(gm->faults & OSCAR_GM_FAULT_ACCEPT_BAD_POP)) {
        why(rs, "client_cred_verify does not verify");
        problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
        return;
    }
    if (!(gm->faults & OSCAR_GM_FAULT_KEEP_OLD_CRED)) {
        memcpy(m->cred, f.cred, f.cred_len);
        m->cred_len = f.cred_len;
        memcpy(m->pub, pub, 32);
    }
    respond(rs, OSCAR_COAP_CODE_CHANGED, OSCAR_CF_NONE);
}

/* stale_sids answers FETCH .../stale-sids with payload V (KGO §11.3). */
static void stale_sids(struct oscar_gm *gm, const uint8_t *p, size_t len,
                       struct oscar_gm_response *rs)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item v;
    oscar_cbor_reader_init(&r, p, len);
    if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_UINT || r.pos != len ||
        v.value >= gm->num) {
        why(rs, "the payload must be one uint below the current version %llu",
            (unsigned long long)gm->num);
        respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
        return;
    }
    uint8_t *set = gm->stale_scratch;
    memset(set, 0, OSCAR_GM_SID_BITS / 8);
    for (size_t k = 0; k < OSCAR_GM_STALE_SETS; k++) {
        /* the sets of the versions the node missed: V up to the current one */
        if (gm->stale_num[k] == UINT64_MAX || gm->stale_num[k] < v.value) {
            continue;
        }
        for (size_t b = 0; b < OSCAR_GM_SID_BITS / 8; b++) {
            set[b] |= gm->stale[k][b];
        }
    }
    if (gm->num - v.value + 1 > OSCAR_GM_STALE_SETS) {
        respond(rs, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_NONE); /* too far behind: rejoin */
        return;
    }
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    put_sid_set(&w, set, count_set(set));
    finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_CBOR);
}

/* group_resource answers the sub-resources of /ace-group/GROUPNAME that take no node name. */
/* sig_enc_key derives the group's Signature Encryption Key (RFC 10021 §2.1.9) for verif-data. */
static enum oscar_err sig_enc_key(const struct oscar_gm *gm, uint8_t *out, size_t *out_len)
{
    static struct oscar_group_ctx ctx;
    static const uint8_t gm_sid[1] = {0};
    struct oscar_group_params p = {.master_secret = gm->ms,
                                   .master_secret_len = sizeof(gm->ms),
                                   .master_salt = gm->salt_len ? gm->salt : NULL,
                                   .master_salt_len = gm->salt_len,
                                   .gid = gm->gid,
                                   .gid_len = gm->gid_len,
                                   .group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128,
                                   .sig_alg = OSCAR_COSE_ALG_EDDSA,
                                   .gm_cred = gm->gm_cred,
                                   .gm_cred_len = gm->gm_cred_len,
                                   .sender_id = gm_sid,
                                   .sender_id_len = 1,
                                   .sender_priv = gm->gm_priv,
                                   .sender_cred = gm->gm_cred,
                                   .sender_cred_len = gm->gm_cred_len};
    OSCAR_TRY(oscar_group_ctx_init(&ctx, gm->crypto, &p));
    *out_len = ctx.group_enc->key_len;
    memcpy(out, ctx.sig_enc_key, *out_len);
    oscar_group_ctx_cleanup(&ctx);
    return OSCAR_OK;
}

/* verif_data answers GET .../verif-data (KGO §9.6): what a signature verifier needs. */
static void verif_data(struct oscar_gm *gm, uint64_t now, struct oscar_gm_response *rs)
{
    uint8_t sek[OSCAR_CRYPTO_KEY_MAX];
    size_t sek_len;
    if (sig_enc_key(gm, sek, &sek_len) != OSCAR_OK) {
        respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
        return;
    }
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 7);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_GKTY);
    oscar_cbor_put_uint(&w, OSCAR_ACE_GKTY_GROUP_OSCORE);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_KEY);
    oscar_cbor_put_map(&w, 8);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_HKDF);
    oscar_cbor_put_uint(&w, OSCAR_ACE_HKDF_SHA256);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_ALG); /* pairwise mode is in use (KGO §9.6) */
    oscar_cbor_put_int(&w, OSCAR_COSE_ALG_AES_CCM_16_64_128);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_CONTEXT_ID);
    oscar_cbor_put_bstr(&w, gm->gid, gm->gid_len);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_CRED_FMT);
    oscar_cbor_put_uint(&w, OSCAR_ACE_CRED_FMT_KCCS);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_GP_ENC_ALG);
    oscar_cbor_put_int(&w, OSCAR_COSE_ALG_AES_CCM_16_64_128);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_SIGN_ALG);
    oscar_cbor_put_int(&w, OSCAR_COSE_ALG_EDDSA);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_SIGN_PARAMS);
    oscar_cbor_put_array(&w, 2);
    put_caps(&w, KTY_OKP, OSCAR_COSE_CRV_ED25519);
    oscar_cbor_put_uint(&w, OSCAR_ACE_K_ECDH_ALG);
    oscar_cbor_put_int(&w, OSCAR_COSE_ALG_ECDH_SS_HKDF_256);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_NUM);
    oscar_cbor_put_uint(&w, gm->num);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_PROFILE);
    oscar_cbor_put_uint(&w, OSCAR_ACE_PROFILE_GROUP_OSCORE);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_EXP);
    oscar_cbor_put_uint(&w, gm->exp);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_EXI);
    oscar_cbor_put_uint(&w, exi_at(gm, now));
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_SIGN_ENC_KEY);
    oscar_cbor_put_bstr(&w, sek, sek_len);
    finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
}

/* read_get_creds reads the value of get_creds at r: [inclusion_flag, role_filter, id_filter]
 * (RFC 9594 §4.4.1.1); the two filters must not both be empty. */
static bool read_get_creds(struct oscar_cbor_reader *r, struct creds_filter *f)
{
    struct oscar_cbor_item a, flag, list, v;
    memset(f, 0, sizeof(*f));
    if (!oscar_cbor_read(r, &a) || a.type != OSCAR_CBOR_ARRAY || a.value != 3 ||
        !oscar_cbor_read(r, &flag) || flag.type != OSCAR_CBOR_SIMPLE ||
        (flag.value != 20 && flag.value != 21)) {
        return false;
    }
    f->used = true;
    f->include = flag.value == 21;
    if (!oscar_cbor_read(r, &list) || list.type != OSCAR_CBOR_ARRAY || list.value > 8) {
        return false;
    }
    for (uint64_t i = 0; i < list.value; i++) {
        if (!oscar_cbor_read(r, &v) || v.type != OSCAR_CBOR_UINT) {
            return false;
        }
        f->roles[f->num_roles++] = v.value;
    }
    if (!oscar_cbor_read(r, &list) || list.type != OSCAR_CBOR_ARRAY || list.value > 16) {
        return false;
    }
    for (uint64_t i = 0; i < list.value; i++) {
        if (!oscar_cbor_read(r, &v) || v.type != OSCAR_CBOR_BSTR) {
            return false;
        }
        f->ids[f->num_ids] = v.data;
        f->id_lens[f->num_ids++] = v.len;
    }
    return f->num_roles > 0 || f->num_ids > 0;
}

/* map_find reads a request map and leaves r at the value of label (unknown entries skipped,
 * RFC 9594 §4.1.2); false if the payload is no map or has no such entry. */
static bool map_find(struct oscar_cbor_reader *r, const uint8_t *p, size_t len, int64_t label)
{
    struct oscar_cbor_item m, k;
    int64_t l;
    oscar_cbor_reader_init(r, p, len);
    if (!oscar_cbor_read(r, &m) || m.type != OSCAR_CBOR_MAP) {
        return false;
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(r, &k) || !oscar_cbor_int(&k, &l)) {
            return false;
        }
        if (l == label) {
            return true;
        }
        if (!oscar_cbor_skip(r)) {
            return false;
        }
    }
    return false;
}

/* read_filter reads {get_creds: [inclusion_flag, role_filter, id_filter], ...}. */
static bool read_filter(const uint8_t *p, size_t len, struct creds_filter *f)
{
    struct oscar_cbor_reader r;
    return map_find(&r, p, len, OSCAR_ACE_P_GET_CREDS) && read_get_creds(&r, f);
}

/* group_names answers FETCH /ace-group (RFC 9594 §4.2.1): {gid: [Gid]} in, the matching groups'
 * {gid, gname, guri} out (guri as a path-absolute reference on this GM). */
static void group_names(struct oscar_gm *gm, const uint8_t *p, size_t len,
                        struct oscar_gm_response *rs)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item list, v;
    bool match = false;
    if (!map_find(&r, p, len, 0) || !oscar_cbor_read(&r, &list) || list.type != OSCAR_CBOR_ARRAY) {
        why(rs, "FETCH ace-group: the payload must be {gid (0): [Gid...]}");
        respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
        return;
    }
    for (uint64_t i = 0; i < list.value; i++) {
        if (!oscar_cbor_read(&r, &v) || v.type != OSCAR_CBOR_BSTR) {
            why(rs, "FETCH ace-group: a Gid that is no byte string");
            respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
            return;
        }
        match = match || (v.len == gm->gid_len && memcmp(v.data, gm->gid, v.len) == 0);
    }
    if (!match) {
        /* no such group here: a zero-length byte string (RFC 9594 §4.2.1) */
        rs->payload[0] = 0x40;
        rs->len = 1;
        respond(rs, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
        return;
    }
    char guri[OSCAR_ACE_GNAME_MAX + 16];
    snprintf(guri, sizeof(guri), "/ace-group/%s", gm->gname);
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    oscar_cbor_put_map(&w, 3);
    oscar_cbor_put_uint(&w, 0);
    oscar_cbor_put_array(&w, 1);
    oscar_cbor_put_bstr(&w, gm->gid, gm->gid_len);
    oscar_cbor_put_uint(&w, 1);
    oscar_cbor_put_array(&w, 1);
    oscar_cbor_put_tstr(&w, gm->gname, strlen(gm->gname));
    oscar_cbor_put_uint(&w, 2);
    oscar_cbor_put_array(&w, 1);
    oscar_cbor_put_tstr(&w, guri, strlen(guri));
    finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
}

/* read_cnonce reads {cnonce} of a FETCH .../kdc-cred (KGO §9.5). */
static bool read_cnonce(const uint8_t *p, size_t len, const uint8_t **n_c, size_t *n_c_len)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item v;
    if (!map_find(&r, p, len, OSCAR_ACE_P_CNONCE) || !oscar_cbor_read(&r, &v) ||
        v.type != OSCAR_CBOR_BSTR || v.len == 0 || v.len > OSCAR_ACE_NONCE_MAX) {
        return false;
    }
    *n_c = v.data;
    *n_c_len = v.len;
    return true;
}

static void group_resource(struct oscar_gm *gm, int client, uint64_t now, uint8_t method,
                           const char *sub, const uint8_t *p, size_t len,
                           struct oscar_gm_response *rs)
{
    struct oscar_gm_member *m = member_of(gm, client);
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, rs->payload, sizeof(rs->payload));
    bool verifier = (token_roles(gm, &gm->clients[client]) & ROLE(OSCAR_ACE_ROLE_VERIFIER)) != 0;
    if (strcmp(sub, "verif-data") == 0 && method == OSCAR_COAP_CODE_GET) {
        if (m != NULL || !verifier) {
            why(rs, "verif-data: only for signature verifiers that are not members");
            problem(rs, OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_VERIFIERS_ONLY);
            return;
        }
        if (gm->pairwise_only) { /* KGO §8.3 */
            problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_NO_SIGNATURES);
            return;
        }
        verif_data(gm, now, rs);
        return;
    }
    if (strcmp(sub, "kdc-cred") == 0 && method == OSCAR_COAP_CODE_FETCH) {
        const uint8_t *n_c;
        size_t n_c_len;
        if (m != NULL || !verifier) {
            why(rs, "FETCH kdc-cred: only for signature verifiers (members GET it)");
            problem(rs, OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_VERIFIERS_ONLY);
            return;
        }
        if (!read_cnonce(p, len, &n_c, &n_c_len)) {
            why(rs, "FETCH kdc-cred: the payload must be {cnonce (6): bstr}");
            respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
            return;
        }
        oscar_cbor_put_map(&w, 3);
        if (gm->pairwise_only) {
            /* KGO §9.5: a pairwise-only group has no signature for verifiers */
            problem(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_NO_SIGNATURES);
            return;
        }
        if (put_kdc_pop(&w, gm, n_c, n_c_len, NULL) != OSCAR_OK) {
            respond(rs, OSCAR_COAP_CODE(5, 0), OSCAR_CF_NONE);
            return;
        }
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
        return;
    }
    if (strcmp(sub, "creds") == 0 && method == OSCAR_COAP_CODE_FETCH) {
        struct creds_filter f;
        if (m == NULL && !verifier) {
            members_only(rs, "creds");
            return;
        }
        if (!read_filter(p, len, &f)) {
            why(rs, "FETCH creds: the payload must be {get_creds (4): [bool, [roles], [ids]]}");
            respond(rs, OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_CF_NONE);
            return;
        }
        oscar_cbor_put_map(&w, 4); /* num, creds, peer_roles, peer_identifiers (§4.4.1) */
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_NUM);
        oscar_cbor_put_uint(&w, gm->num);
        put_creds_filtered(&w, gm, -1, 0, true, &f);
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
        return;
    }
    if (strcmp(sub, "creds") == 0 && method == OSCAR_COAP_CODE_GET) {
        if (m == NULL && !verifier) {
            members_only(rs, "creds");
            return;
        }
        oscar_cbor_put_map(&w, 4);
        oscar_cbor_put_uint(&w, OSCAR_ACE_P_NUM);
        oscar_cbor_put_uint(&w, gm->num);
        put_creds(&w, gm, -1, 0, true);
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
        return;
    }
    if (m == NULL) {
        members_only(rs, sub);
        return;
    }
    if (strcmp(sub, "num") == 0 && method == OSCAR_COAP_CODE_GET) {
        oscar_cbor_put_uint(&w, gm->num);
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_CBOR);
    } else if (strcmp(sub, "active") == 0 && method == OSCAR_COAP_CODE_GET) {
        oscar_cbor_put_raw(&w, (const uint8_t[]){gm->inactive ? 0xf4 : 0xf5}, 1);
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_CBOR);
    } else if (strcmp(sub, "policies") == 0 && method == OSCAR_COAP_CODE_GET) {
        oscar_cbor_put_map(&w, 1);
        put_policies(&w);
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
    } else if (strcmp(sub, "kdc-cred") == 0 && method == OSCAR_COAP_CODE_GET) {
        /* the PoP over the member's stored clientchallenge (RFC 9594 §4.5.1) */
        oscar_cbor_put_map(&w, 3);
        (void)put_kdc_pop(&w, gm, m->n_c, m->n_c_len, m->sid_len > 0 ? m->pub : NULL);
        finish(rs, &w, OSCAR_COAP_CODE_CONTENT, OSCAR_CF_ACE_GROUPCOMM_CBOR);
    } else if (strcmp(sub, "stale-sids") == 0 && method == OSCAR_COAP_CODE_FETCH) {
        stale_sids(gm, p, len, rs);
    } else {
        why(rs, "%s: method %u.%02u not allowed", sub, method >> 5, method & 31);
        respond(rs, OSCAR_COAP_CODE(4, 5), OSCAR_CF_NONE);
    }
    (void)now;
}

void oscar_gm_handle(struct oscar_gm *gm, int client, uint64_t now, uint8_t method,
                     const char *path, const uint8_t *payload, size_t len,
                     struct oscar_gm_response *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->content_format = OSCAR_CF_NONE;
    gm->outbox_len = 0;
    char seg[4][OSCAR_ACE_GNAME_MAX];
    size_t nseg = 0;
    for (const char *s = path; *s != '\0' && nseg < 4;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || n >= sizeof(seg[0])) {
            break;
        }
        memcpy(seg[nseg], s, n);
        seg[nseg++][n] = '\0';
        s += n + (s[n] == '/');
    }
    struct oscar_gm_client *fc =
        client >= 0 && client < OSCAR_GM_CLIENTS_MAX ? &gm->clients[client] : NULL;
    if (nseg == 1 && strcmp(seg[0], "ace-group") == 0) {
        /* every client with a token may ask (KGO §8.5) */
        if (fc == NULL || !fc->used || method != OSCAR_COAP_CODE_FETCH) {
            respond(rs,
                    fc == NULL || !fc->used ? OSCAR_COAP_CODE_UNAUTHORIZED : OSCAR_COAP_CODE(4, 5),
                    OSCAR_CF_NONE);
            return;
        }
        group_names(gm, payload, len, rs);
        return;
    }
    if (nseg < 2 || strcmp(seg[0], "ace-group") != 0 || strcmp(seg[1], gm->gname) != 0) {
        why(rs, "no resource %s", path);
        respond(rs, OSCAR_COAP_CODE_NOT_FOUND, OSCAR_CF_NONE);
        return;
    }
    /* RFC 9594 §4.1.2: no valid token for this client is 4.01 */
    struct oscar_gm_client *c =
        client >= 0 && client < OSCAR_GM_CLIENTS_MAX ? &gm->clients[client] : NULL;
    if (c == NULL || !c->used || (c->claims.exp != 0 && c->claims.exp <= now)) {
        why(rs, "%s", c == NULL || !c->used ? "no access token" : "the access token has expired");
        respond(rs, OSCAR_COAP_CODE_UNAUTHORIZED, OSCAR_CF_NONE);
        return;
    }
    if (token_roles(gm, c) == 0) {
        why(rs, "the token's scope has no entry for group %s", gm->gname);
        respond(rs, OSCAR_COAP_CODE(4, 3), OSCAR_CF_NONE);
        return;
    }
    struct oscar_gm_member *m = member_of(gm, client);
    if (nseg == 2) {
        if (method == OSCAR_COAP_CODE_POST) {
            join(gm, client, now, payload, len, rs);
        } else if (method == OSCAR_COAP_CODE_GET) {
            if (m == NULL) {
                members_only(rs, "key distribution");
                return;
            }
            key_material(gm, now, NULL, rs);
        } else {
            respond(rs, OSCAR_COAP_CODE(4, 5), OSCAR_CF_NONE);
        }
        return;
    }
    if (strcmp(seg[2], "nodes") != 0) {
        if (nseg != 3) {
            respond(rs, OSCAR_COAP_CODE_NOT_FOUND, OSCAR_CF_NONE);
            return;
        }
        group_resource(gm, client, now, method, seg[2], payload, len, rs);
        return;
    }
    if (nseg < 4) {
        respond(rs, OSCAR_COAP_CODE_NOT_FOUND, OSCAR_CF_NONE);
        return;
    }
    if (m == NULL) {
        members_only(rs, "nodes");
        return;
    }
    if (strcmp(seg[3], m->node) != 0) {
        why(rs, "node %s is not this client's (%s)", seg[3], m->node);
        respond(rs, OSCAR_COAP_CODE(4, 3), OSCAR_CF_NONE);
        return;
    }
    const char *tail =
        path + strlen("ace-group/") + strlen(gm->gname) + strlen("/nodes/") + strlen(m->node);
    if (strcmp(tail, "/cred") == 0 && method == OSCAR_COAP_CODE_POST) {
        new_cred(gm, client, m, payload, len, rs);
    } else if (tail[0] != '\0') {
        respond(rs, OSCAR_COAP_CODE_NOT_FOUND, OSCAR_CF_NONE);
    } else if (method == OSCAR_COAP_CODE_GET) {
        key_material(gm, now, m, rs);
    } else if (method == OSCAR_COAP_CODE_POST) {
        renew(gm, m, rs);
    } else if (method == OSCAR_COAP_CODE_DELETE) {
        leave(gm, client, now, m, rs);
    } else {
        respond(rs, OSCAR_COAP_CODE(4, 5), OSCAR_CF_NONE);
    }
}

bool oscar_gm_client_osc(const struct oscar_gm *gm, int client, struct oscar_ace_osc_params *out)
{
    if (client < 0 || client >= OSCAR_GM_CLIENTS_MAX || !gm->clients[client].used ||
        !gm->clients[client].osc) {
        return false;
    }
    const struct oscar_gm_client *c = &gm->clients[client];
    *out = (struct oscar_ace_osc_params){&c->claims, c->n1,         c->n2,      c->id1,    c->id2,
                                         c->n1_len,  sizeof(c->n2), c->id1_len, c->id2_len};
    return true;
}
