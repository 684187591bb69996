/* test_gm.c — the reference Group Manager and joining node (oscar/gm.h), message level:
 *  - the worked Join Request / Join Response of vectors/ace-join-example.json, byte for byte
 *    (produced independently by vectors/tools/gen_ace_example.py);
 *  - every failure path of a join with the code and error-id RFC 9594 §4.1.2 / §4.3.1 and
 *    key-groupcomm-oscore §6.2 require, and the permitted-methods matrix (KGO §8.5);
 *  - the life of a group: joins in each role, creds of the relevant members only, key
 *    distribution, Sender ID renewal, a new credential, leave with rekeying (stale_node_ids, num
 *    growing), the remaining members talking Group OSCORE under the new material and the leaver
 *    unable to read it;
 *  - each fault switch of the reference GM caught by the joiner's strict reader or a check here;
 *  - the strict reader naming the field of a broken response. */
#include "oscar/coap.h"
#include "oscar/gm.h"
#include "oscar/oscore.h"
#include "otest.h"

#define NOW UINT64_C(1997408000) /* the example's exp minus its exi */
#define EXP UINT64_C(2000000000)

static const struct oscar_crypto_ops *cr(void)
{
    return oscar_crypto_wolfssl();
}

struct keypair {
    uint8_t priv[32];
    uint8_t pub[32];
    uint8_t cred[OSCAR_GROUP_CRED_MAX];
    size_t cred_len;
};

static void keypair(struct keypair *k, uint8_t fill, const char *sub)
{
    memset(k->priv, fill, 32);
    OTEST_OK(cr()->sig_public(OSCAR_COSE_ALG_EDDSA, k->priv, k->pub));
    OTEST_OK(oscar_ace_ccs_write(sub, k->pub, k->cred, sizeof(k->cred), &k->cred_len));
}

static struct keypair AS, GM_KEY, MEMBER52;
static struct oscar_gm GM; /* large: static */

/* token signs an access token for a client key with scope [[gname, roles]]. */
static size_t token(uint8_t *out, size_t cap, const struct keypair *client, const char *gname,
                    uint64_t roles, const char *aud, uint64_t exp)
{
    struct oscar_ace_claims c = {0};
    snprintf(c.iss, sizeof(c.iss), "as");
    snprintf(c.aud, sizeof(c.aud), "%s", aud);
    c.exp = exp;
    struct oscar_ace_scope_entry e = {.perm = roles};
    snprintf(e.gname, sizeof(e.gname), "%s", gname);
    OTEST_OK(oscar_ace_scope_encode(c.scope, sizeof(c.scope), &c.scope_len, &e, 1));
    memcpy(c.cnf_pub, client->pub, 32);
    c.cnf_pub_len = 32;
    size_t n;
    OTEST_OK(oscar_ace_cwt_sign(cr(), AS.priv, AS.pub, &c, out, cap, &n));
    return n;
}

static void gm_open(unsigned sid_count, bool inactive, unsigned faults, bool member52)
{
    static const uint8_t gid[] = {0x37, 0xcb, 0xf3, 0x21, 0x00, 0x17, 0xa2, 0xd3};
    static const uint8_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t salt[] = {0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40};
    keypair(&AS, 0x44, "as");
    keypair(&GM_KEY, 0x33, "group-manager");
    keypair(&MEMBER52, 0x22, "member-52");
    struct oscar_gm_config cfg = {.gname = "g1",
                                  .aud = "gm",
                                  .iss = "as",
                                  .as_pub = AS.pub,
                                  .gm_priv = GM_KEY.priv,
                                  .gm_cred = GM_KEY.cred,
                                  .gm_cred_len = GM_KEY.cred_len,
                                  .gid = gid,
                                  .gid_len = sizeof(gid),
                                  .master_secret = ms,
                                  .master_salt = salt,
                                  .master_salt_len = sizeof(salt),
                                  .sid_first = 0x25,
                                  .sid_count = sid_count,
                                  .inactive = inactive,
                                  .exp = EXP,
                                  .seed = otest.seed,
                                  .faults = faults};
    OTEST_OK(oscar_gm_init(&GM, &cfg, cr()));
    if (member52) {
        OTEST_CHECK(oscar_gm_add_member(&GM, 0x52, 6, MEMBER52.cred, MEMBER52.cred_len) >= 0);
    }
}

/* client_in posts a token for k to /authz-info; returns the handle (and N_S in n_s). */
static int client_in(const struct keypair *k, uint64_t roles, uint8_t n_s[8])
{
    uint8_t tok[512];
    size_t n = token(tok, sizeof(tok), k, "g1", roles, "gm", EXP);
    static struct oscar_gm_response rs;
    int c = oscar_gm_authz_info(&GM, tok, n, NOW, &rs);
    OTEST_CHECK(c >= 0);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, rs.code);
    /* {kdcchallenge: N_S} */
    /* {46: h'N_S'[, 48: kdc_dh_creds]} */
    OTEST_CHECK(rs.len >= 12 && rs.payload[1] == 0x18 && rs.payload[2] == 46);
    if (c >= 0 && n_s != NULL) {
        memcpy(n_s, rs.payload + 4, 8);
    }
    return c;
}

struct joiner {
    struct keypair k;
    int client;
    uint8_t n_s[8];
    uint8_t n_c[8];
    uint64_t roles;
};

static void joiner_open(struct joiner *j, uint8_t fill, const char *sub, uint64_t roles)
{
    keypair(&j->k, fill, sub);
    j->roles = roles;
    j->client = client_in(&j->k, roles, j->n_s);
    memset(j->n_c, fill ^ 0x5a, sizeof(j->n_c));
}

/* join_payload writes j's Join Request for roles. */
static size_t join_payload(const struct joiner *j, uint64_t roles, bool get_creds, uint8_t *out,
                           size_t cap)
{
    bool monitor = (roles & 6) == 0;
    struct oscar_ace_join_request rq = {.gname = "g1",
                                        .roles = roles,
                                        .get_creds = get_creds,
                                        .cred = monitor ? NULL : j->k.cred,
                                        .cred_len = j->k.cred_len,
                                        .priv = j->k.priv,
                                        .pub = j->k.pub,
                                        .n_s = j->n_s,
                                        .n_s_len = 8,
                                        .n_c = j->n_c,
                                        .n_c_len = 8};
    size_t n;
    OTEST_OK(oscar_ace_join_request_write(cr(), &rq, out, cap, &n));
    return n;
}

static struct oscar_gm_response RS;

static void post_join(const struct joiner *j, uint64_t roles, bool get_creds)
{
    uint8_t p[512];
    size_t n = join_payload(j, roles, get_creds, p, sizeof(p));
    oscar_gm_handle(&GM, j->client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
}

/* expect_problem: the response is code with concise problem details {0: {0: id}}. */
static void expect_problem(uint8_t code, int id)
{
    OTEST_EQ_INT(code, RS.code);
    OTEST_EQ_INT(OSCAR_CF_PROBLEM_DETAILS_CBOR, RS.content_format);
    uint8_t want[] = {0xa1, 0x00, 0xa1, 0x00, (uint8_t)id};
    OTEST_EQ_BYTES(want, sizeof(want), RS.payload, RS.len);
    if (RS.code != code) {
        fprintf(stderr, "    GM said: %s\n", RS.why);
    }
}

/* expect_bad_join: 4.00 with application/ace-groupcomm+cbor carrying sign_info (KGO §6.2). */
static void expect_bad_join(void)
{
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, RS.code);
    OTEST_EQ_INT(OSCAR_CF_ACE_GROUPCOMM_CBOR, RS.content_format);
    OTEST_CHECK(RS.len > 3 && RS.payload[1] == 0x18 && RS.payload[2] == OSCAR_ACE_P_SIGN_INFO);
}

static void test_example_join(void)
{
    gm_open(8, false, 0, true);
    struct joiner j;
    keypair(&j.k, 0x11, "joining-node");
    j.client = client_in(&j.k, 6, NULL);
    /* the example's nonces (vectors/ace-join-example.json) */
    otest_unhex(j.n_s, 8, "018a278f7faab55a");
    otest_unhex(j.n_c, 8, "25a8991cd700ac01");
    memcpy(GM.clients[j.client].n_s, j.n_s, 8);
    otest_unhex(GM.fixed_n_kdc, 8, "cef04b2aa791bc6d");
    GM.has_fixed_n_kdc = true;
    uint8_t req[512];
    size_t n = join_payload(&j, 6, true, req, sizeof(req));
    uint8_t want[512];
    size_t want_len = otest_unhex(
        want, sizeof(want),
        "a50345826267310604f605583aa2026c6a6f696e696e672d6e6f646508a101a301012006215820d04ab23274"
        "2bb4ab3a1368bd4615e4e6d0224ab71a016baf8520a332c9778737064825a8991cd700ac0118185840cd33c3"
        "124ade01582df9f5c0c598095f4b2cf878b51cbade0a0f5e795092ef96b536bf5dcc6435707744e65bd19c7c"
        "e74e4cb8239d90499a3cf8478a2c479c0e");
    OTEST_EQ_BYTES(want, want_len, req, n);
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", req, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    OTEST_EQ_INT(OSCAR_CF_ACE_GROUPCOMM_CBOR, RS.content_format);
    OTEST_CHECK(strcmp(RS.location, "ace-group/g1/nodes/n2") == 0);
    want_len = otest_unhex(
        want, sizeof(want),
        "ad070108ac02500102030405060708090a0b0c0d0e0f100305040a05489e7ca92223786340064837cbf32100"
        "17a2d3074125080e090a0a270b8281018201060c381a0d82810182010409000a010b1a773594000c1a00278d"
        "000d815837a202696d656d6265722d353208a101a301012006215820a09aa5f47a6759802ff955f8dc2d2a14"
        "a5c99d23be97f864127ff9383455a4f00e81060f81415210a201190e10020011583ba2026d67726f75702d6d"
        "616e6167657208a101a30101200621582017cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b"
        "85e18080ce1248cef04b2aa791bc6d1358405db1b64f3bd7020d6eba972d0f3a352be29cc6cf7d46644be8d3"
        "0bd5331a277c3b31ec263176c034b4e4dbeb35c70fdb108279d61679a0fd790576482586f404");
    OTEST_EQ_BYTES(want, want_len, RS.payload, RS.len);
    /* the joiner reads it strictly and checks the GM's proof of possession */
    struct oscar_ace_join_info info;
    char why[256] = "";
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    if (why[0] != '\0') {
        fprintf(stderr, "    %s\n", why);
    }
    OTEST_CHECK(oscar_ace_kdc_pop_verify(cr(), &info, j.n_c, 8));
    OTEST_CHECK(info.sid_len == 1 && info.sid[0] == 0x25 && info.num_creds == 1);
    /* a flipped bit of kdc_cred_verify, or the wrong N_C, must fail */
    uint8_t *sig = (uint8_t *)(uintptr_t)info.kdc_cred_verify;
    sig[5] ^= 0x10;
    OTEST_CHECK(!oscar_ace_kdc_pop_verify(cr(), &info, j.n_c, 8));
    sig[5] ^= 0x10;
    OTEST_CHECK(!oscar_ace_kdc_pop_verify(cr(), &info, j.n_s, 8));
}

static void test_join_failures(void)
{
    uint8_t tok[512];
    size_t n;
    static struct oscar_gm_response rs;
    gm_open(8, false, 0, true);
    struct joiner j;
    joiner_open(&j, 0x61, "j", 6);
    /* tokens at /authz-info: expired 4.01, wrong audience 4.03, scope for no group 4.00 */
    n = token(tok, sizeof(tok), &j.k, "g1", 6, "gm", NOW - 1);
    OTEST_EQ_INT(-1, oscar_gm_authz_info(&GM, tok, n, NOW, &rs));
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, rs.code);
    n = token(tok, sizeof(tok), &j.k, "g1", 6, "another-gm", EXP);
    OTEST_EQ_INT(-1, oscar_gm_authz_info(&GM, tok, n, NOW, &rs));
    OTEST_EQ_INT(OSCAR_COAP_CODE(4, 3), rs.code);
    tok[n / 2] ^= 1;
    OTEST_EQ_INT(-1, oscar_gm_authz_info(&GM, tok, n, NOW, &rs));
    OTEST_CHECK(rs.code == OSCAR_COAP_CODE_UNAUTHORIZED || rs.code == OSCAR_COAP_CODE_BAD_REQUEST);
    /* no token behind the channel: 4.01 */
    uint8_t p[512];
    n = join_payload(&j, 6, false, p, sizeof(p));
    oscar_gm_handle(&GM, -1, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, RS.code);
    /* the stored token has expired since: 4.01 */
    oscar_gm_handle(&GM, j.client, EXP + 1, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, RS.code);
    /* roles beyond the token's: 4.03 */
    struct joiner r;
    joiner_open(&r, 0x62, "r", 2);
    post_join(&r, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE(4, 3), RS.code);
    /* a token for another group: 4.03 */
    n = token(tok, sizeof(tok), &r.k, "g2", 6, "gm", EXP);
    int other = oscar_gm_authz_info(&GM, tok, n, NOW, &rs);
    OTEST_CHECK(other >= 0);
    post_join(&(struct joiner){.k = r.k, .client = other}, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE(4, 3), RS.code);
    /* forbidden role combination, empty POST, no cnonce: 4.00 with sign_info (KGO §6.2) */
    post_join(&j, 2 | 8, false);
    expect_bad_join();
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", NULL, 0, &RS);
    expect_bad_join();
    uint8_t no_cnonce[] = {0xa1, 0x03, 0x45, 0x82, 0x62, 0x67, 0x31, 0x06};
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", no_cnonce,
                    sizeof(no_cnonce), &RS);
    expect_bad_join();
    /* invalid PoP: 4.00 error 3; empty PoP without an earlier proof: 4.00 error 3 */
    n = join_payload(&j, 6, false, p, sizeof(p));
    p[n - 7] ^= 0x04;
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
    struct oscar_ace_join_request rq = {.gname = "g1",
                                        .roles = 6,
                                        .cred = j.k.cred,
                                        .cred_len = j.k.cred_len,
                                        .priv = j.k.priv,
                                        .pub = j.k.pub,
                                        .n_s = j.n_s,
                                        .n_s_len = 8,
                                        .n_c = j.n_c,
                                        .n_c_len = 8,
                                        .empty_pop = true};
    OTEST_OK(oscar_ace_join_request_write(cr(), &rq, p, sizeof(p), &n));
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
    /* a credential that is no CCS: 4.00 error 2 */
    uint8_t junk_cred[] = {0xa1, 0x02, 0x61, 0x78};
    rq.cred = junk_cred;
    rq.cred_len = sizeof(junk_cred);
    rq.empty_pop = false;
    OTEST_OK(oscar_ace_join_request_write(cr(), &rq, p, sizeof(p), &n));
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_CRED_INCOMPATIBLE);
    /* the same join, correct: 2.01; again: a re-join, 2.04 with a new Sender ID */
    post_join(&j, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    uint8_t first = GM.members[GM.clients[j.client].member].sid[0];
    post_join(&j, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CHANGED, RS.code);
    OTEST_CHECK(GM.members[GM.clients[j.client].member].sid[0] != first);
    /* no Sender ID left: 5.03 error 4; group inactive: 5.03 error 9 */
    gm_open(1, false, 0, false);
    joiner_open(&j, 0x63, "a", 6);
    joiner_open(&r, 0x64, "b", 6);
    post_join(&j, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    post_join(&r, 6, false);
    expect_problem(OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_NO_IDS);
    gm_open(8, true, 0, false);
    joiner_open(&j, 0x65, "c", 6);
    post_join(&j, 6, false);
    expect_problem(OSCAR_COAP_CODE_SERVICE_UNAVAILABLE, OSCAR_ACE_ERR_INACTIVE);
}

/* the permitted-methods matrix (KGO §8.5) for a member, a monitor and a non-member */
static void test_methods(void)
{
    gm_open(8, false, 0, true);
    struct joiner mem, mon, out;
    joiner_open(&mem, 0x71, "mem", 6);
    joiner_open(&mon, 0x72, "mon", 8);
    joiner_open(&out, 0x73, "out", 6);
    post_join(&mem, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    char mem_node[96];
    snprintf(mem_node, sizeof(mem_node), "%s", RS.location);
    post_join(&mon, 8, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    char mon_node[96];
    snprintf(mon_node, sizeof(mon_node), "%s", RS.location);
    struct oscar_ace_join_info info;
    char why[256];
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, true, &info,
                                         why, sizeof(why)));
    OTEST_CHECK(!info.has_sid);
    static const struct {
        const char *path; /* "$m" / "$o": the member's / monitor's node */
        uint8_t method;
        uint8_t code_mem, code_mon, code_out;
    } rows[] = {
        {"ace-group/g1", OSCAR_COAP_CODE_GET, 0x45, 0x45, 0x83},
        {"ace-group/g1/num", OSCAR_COAP_CODE_GET, 0x45, 0x45, 0x83},
        {"ace-group/g1/active", OSCAR_COAP_CODE_GET, 0x45, 0x45, 0x83},
        {"ace-group/g1/policies", OSCAR_COAP_CODE_GET, 0x45, 0x45, 0x83},
        {"ace-group/g1/creds", OSCAR_COAP_CODE_GET, 0x45, 0x45, 0x83},
        {"ace-group/g1/kdc-cred", OSCAR_COAP_CODE_GET, 0x45, 0x45, 0x83},
        {"ace-group/g1/num", OSCAR_COAP_CODE_POST, 0x85, 0x85, 0x83},
        {"ace-group/g1", OSCAR_COAP_CODE_PUT, 0x85, 0x85, 0x85},
        {"$m", OSCAR_COAP_CODE_GET, 0x45, 0x83, 0x83},
        {"$o", OSCAR_COAP_CODE_GET, 0x83, 0x45, 0x83},
        {"$o", OSCAR_COAP_CODE_POST, 0x83, 0x80, 0x83}, /* a monitor renews nothing: error 1 */
        {"ace-group/g2", OSCAR_COAP_CODE_GET, 0x84, 0x84, 0x84},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *path = rows[i].path;
        path = strcmp(path, "$m") == 0 ? mem_node : strcmp(path, "$o") == 0 ? mon_node : path;
        const struct joiner *who[3] = {&mem, &mon, &out};
        const uint8_t want[3] = {rows[i].code_mem, rows[i].code_mon, rows[i].code_out};
        for (int k = 0; k < 3; k++) {
            oscar_gm_handle(&GM, who[k]->client, NOW, rows[i].method, path, NULL, 0, &RS);
            if (RS.code != want[k]) {
                fprintf(stderr, "    row %zu (%s) as %s: %s\n", i, path,
                        k == 0   ? "member"
                        : k == 1 ? "monitor"
                                 : "non-member",
                        RS.why);
            }
            OTEST_EQ_INT(want[k], RS.code);
        }
    }
    /* the errors of those rows carry their error-ids */
    oscar_gm_handle(&GM, out.client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1/num", NULL, 0, &RS);
    expect_problem(OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_MEMBERS_ONLY);
    oscar_gm_handle(&GM, mon.client, NOW, OSCAR_COAP_CODE_POST, mon_node, NULL, 0, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_ROLES);
}

/* --- the life of a group --- */

struct member_ctx {
    struct oscar_group_ctx ctx;
    struct oscar_group_recipient slots[8];
    struct oscar_ace_join_info info;
    uint8_t payload[OSCAR_GM_PAYLOAD_MAX];
    const struct keypair *k;
};

/* creds the members know: looked up by Sender ID in the GM's table (as distributed) */
static bool lookup(void *arg, const uint8_t *kid, size_t kid_len, uint8_t *cred, size_t *cred_len,
                   uint8_t *pub)
{
    (void)arg;
    for (size_t i = 0; i < OSCAR_GM_MEMBERS_MAX; i++) {
        const struct oscar_gm_member *m = &GM.members[i];
        if (m->used && m->sid_len == kid_len && kid_len == 1 && m->sid[0] == kid[0]) {
            memcpy(cred, m->cred, m->cred_len);
            *cred_len = m->cred_len;
            memcpy(pub, m->pub, 32);
            return true;
        }
    }
    return false;
}

/* install derives a member's Group OSCORE context from a Join Response (sid) or a rekeying
 * message (keeping sid). */
static void install(struct member_ctx *m, const uint8_t *payload, size_t len,
                    enum oscar_ace_join_kind kind, const uint8_t *keep_sid)
{
    char why[256] = "";
    memcpy(m->payload, payload, len);
    OTEST_CHECK(oscar_ace_join_info_read(m->payload, len, kind, false, &m->info, why, sizeof(why)));
    if (why[0] != '\0') {
        fprintf(stderr, "    %s\n", why);
    }
    struct oscar_group_params p = {0};
    OTEST_CHECK(oscar_ace_group_params(&m->info, &p, why, sizeof(why)));
    if (kind == OSCAR_ACE_REKEYING) {
        /* a rekeying message carries only ms, salt and Gid; the rest stays (KGO §11.1) */
        p.sender_id = keep_sid;
        p.sender_id_len = 1;
        p.group_enc_alg = OSCAR_COSE_ALG_AES_CCM_16_64_128;
        p.sig_alg = OSCAR_COSE_ALG_EDDSA;
        p.gm_cred = GM_KEY.cred;
        p.gm_cred_len = GM_KEY.cred_len;
    }
    p.sender_priv = m->k->priv;
    p.sender_cred = m->k->cred;
    p.sender_cred_len = m->k->cred_len;
    p.recipients = m->slots;
    p.recipients_cap = 8;
    p.cred_lookup = lookup;
    oscar_group_ctx_cleanup(&m->ctx);
    OTEST_OK(oscar_group_ctx_init(&m->ctx, cr(), &p));
}

/* talk: a protects a group-mode GET; returns whether b accepts it. */
static bool talk(struct member_ctx *a, struct member_ctx *b)
{
    uint8_t plain[32] = {0x51, OSCAR_COAP_CODE_GET, 0x12, 0x34, 0xab, 0xb5, 'l', 'i', 'g', 'h',
                         't'};
    uint8_t prot[256];
    uint8_t dec[600];
    size_t pn, dn;
    struct oscar_group_exchange ex;
    OTEST_OK(oscar_group_protect_request(&a->ctx, OSCAR_GROUP_MODE_GROUP, NULL, 0, prot,
                                         sizeof(prot), &pn, &ex, plain, 11));
    enum oscar_oscore_verdict vd;
    struct oscar_group_recipient *who;
    OTEST_OK(
        oscar_group_unprotect_request(&b->ctx, &vd, &who, dec, sizeof(dec), &dn, &ex, prot, pn));
    return vd == OSCAR_OSCORE_ACCEPT;
}

static void test_lifecycle(void)
{
    gm_open(8, false, 0, false);
    static struct oscar_gm_outgoing outbox[8];
    oscar_gm_set_outbox(&GM, outbox, 8);
    static struct joiner j[4];
    static struct member_ctx mc[4];
    const uint64_t roles[4] = {2, 4, 6, 2}; /* requester, responder, both; a late requester */
    for (int i = 0; i < 3; i++) {
        joiner_open(&j[i], (uint8_t)(0x81 + i),
                    i == 0   ? "req"
                    : i == 1 ? "resp"
                             : "both",
                    roles[i]);
        post_join(&j[i], roles[i], true);
        OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
        mc[i].k = &j[i].k;
        install(&mc[i], RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, NULL);
        OTEST_CHECK(oscar_ace_kdc_pop_verify(cr(), &mc[i].info, j[i].n_c, 8));
    }
    /* creds of the relevant members only: a requester gets the responders (1 and 2) */
    joiner_open(&j[3], 0x84, "late", 2);
    post_join(&j[3], 2, true);
    mc[3].k = &j[3].k;
    install(&mc[3], RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, NULL);
    OTEST_EQ_INT(2, mc[3].info.num_creds);
    for (size_t i = 0; i < mc[3].info.num_creds; i++) {
        OTEST_CHECK((mc[3].info.peer_roles[i] & 4) != 0);
    }
    /* a responder gets the requesters that were in when it joined: 0 only */
    OTEST_EQ_INT(1, mc[1].info.num_creds);
    OTEST_EQ_INT(2, mc[1].info.peer_roles[0]);
    /* all four talk Group OSCORE */
    OTEST_CHECK(talk(&mc[0], &mc[1]));
    OTEST_CHECK(talk(&mc[3], &mc[2]));
    /* key distribution: the same material, without a Sender ID */
    oscar_gm_handle(&GM, j[0].client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, &RS);
    struct oscar_ace_join_info kd;
    char why[256] = "";
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_KEY_DISTRIBUTION, false, &kd,
                                         why, sizeof(why)));
    OTEST_EQ_BYTES(mc[0].info.ms, mc[0].info.ms_len, kd.ms, kd.ms_len);
    /* Sender ID renewal: a new one, the old one stale */
    char node[96];
    snprintf(node, sizeof(node), "ace-group/g1/nodes/%s",
             GM.members[GM.clients[j[3].client].member].node);
    uint8_t old_sid = GM.members[GM.clients[j[3].client].member].sid[0];
    oscar_gm_handle(&GM, j[3].client, NOW, OSCAR_COAP_CODE_POST, node, NULL, 0, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(RS.len == 4 && RS.payload[1] == OSCAR_ACE_P_GROUP_SENDERID &&
                RS.payload[3] != old_sid);
    /* a new credential, with proof of possession over the token's scope */
    struct keypair fresh;
    keypair(&fresh, 0x99, "late-2");
    uint8_t p[512];
    size_t n;
    struct oscar_ace_join_request rq = {.gname = "g1",
                                        .roles = 2,
                                        .cred = fresh.cred,
                                        .cred_len = fresh.cred_len,
                                        .priv = fresh.priv,
                                        .pub = fresh.pub,
                                        .n_s = j[3].n_s,
                                        .n_s_len = 8,
                                        .n_c = j[3].n_c,
                                        .n_c_len = 8};
    OTEST_OK(oscar_ace_join_request_write(cr(), &rq, p, sizeof(p), &n));
    char cred_path[112];
    snprintf(cred_path, sizeof(cred_path), "%s/cred", node);
    oscar_gm_handle(&GM, j[3].client, NOW, OSCAR_COAP_CODE_POST, cred_path, p, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CHANGED, RS.code);
    p[n - 3] ^= 1;
    oscar_gm_handle(&GM, j[3].client, NOW, OSCAR_COAP_CODE_POST, cred_path, p, n, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
    /* member 0 leaves: 2.02, one rekeying message per remaining member, its Sender ID stale */
    uint8_t leaver_sid = mc[0].info.sid[0];
    snprintf(node, sizeof(node), "ace-group/g1/nodes/%s",
             GM.members[GM.clients[j[0].client].member].node);
    oscar_gm_handle(&GM, j[0].client, NOW, OSCAR_COAP_CODE_DELETE, node, NULL, 0, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_DELETED, RS.code);
    OTEST_EQ_INT(3, GM.outbox_len);
    uint8_t sids[4];
    for (int i = 1; i < 4; i++) {
        sids[i] = GM.members[GM.clients[j[i].client].member].sid[0];
    }
    for (size_t o = 0; o < GM.outbox_len; o++) {
        int who = -1;
        for (int i = 1; i < 4; i++) {
            who = GM.clients[j[i].client].member == outbox[o].member ? i : who;
        }
        OTEST_CHECK(who > 0);
        if (who <= 0) {
            continue;
        }
        install(&mc[who], outbox[o].payload, outbox[o].len, OSCAR_ACE_REKEYING, &sids[who]);
        OTEST_EQ_INT(1, mc[who].info.num);
        OTEST_CHECK(mc[who].info.num_stale >= 1);
        bool has_leaver = false;
        for (size_t s = 0; s < mc[who].info.num_stale; s++) {
            has_leaver |= mc[who].info.stale[s][0] == leaver_sid;
        }
        OTEST_CHECK(has_leaver);
    }
    /* the remaining members follow the rekeying; the leaver cannot read them any more */
    OTEST_CHECK(talk(&mc[2], &mc[1]));
    OTEST_CHECK(!talk(&mc[2], &mc[0]));
    /* stale Sender IDs since version 0 include the leaver's and the renewed one */
    uint8_t v0[] = {0x00};
    oscar_gm_handle(&GM, j[1].client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/stale-sids", v0, 1,
                    &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(RS.len >= 5 && RS.payload[0] == 0x82);
    oscar_gm_handle(&GM, j[1].client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1/num", NULL, 0, &RS);
    OTEST_CHECK(RS.len == 1 && RS.payload[0] == 1);
    for (int i = 0; i < 4; i++) {
        oscar_group_ctx_cleanup(&mc[i].ctx);
    }
}

/* each fault switch of the reference GM, and what catches it */
static void test_faults(void)
{
    static struct oscar_gm_outgoing outbox[8];
    struct joiner a, b;
    struct oscar_ace_join_info info;
    char why[256];
    uint8_t p[512];
    size_t n;
    /* ACCEPT_BAD_POP: a broken client_cred_verify is let in */
    gm_open(8, false, OSCAR_GM_FAULT_ACCEPT_BAD_POP, false);
    joiner_open(&a, 0x91, "a", 6);
    n = join_payload(&a, 6, false, p, sizeof(p));
    p[n - 7] ^= 0x04;
    oscar_gm_handle(&GM, a.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code); /* the reference says 4.00 */
    /* REUSE_SID: two members with one Sender ID */
    gm_open(8, false, OSCAR_GM_FAULT_REUSE_SID, false);
    joiner_open(&a, 0x92, "a", 6);
    joiner_open(&b, 0x93, "b", 6);
    post_join(&a, 6, false);
    post_join(&b, 6, false);
    OTEST_EQ_INT(GM.members[GM.clients[a.client].member].sid[0],
                 GM.members[GM.clients[b.client].member].sid[0]);
    /* OMIT_STALE: the rekeying message fails the joiner's reader, naming stale_node_ids */
    gm_open(8, false, OSCAR_GM_FAULT_OMIT_STALE, false);
    oscar_gm_set_outbox(&GM, outbox, 8);
    joiner_open(&a, 0x94, "a", 6);
    joiner_open(&b, 0x95, "b", 6);
    post_join(&a, 6, false);
    post_join(&b, 6, false);
    char node[96];
    snprintf(node, sizeof(node), "%s", RS.location);
    oscar_gm_handle(&GM, b.client, NOW, OSCAR_COAP_CODE_DELETE, node, NULL, 0, &RS);
    OTEST_EQ_INT(1, GM.outbox_len);
    OTEST_CHECK(!oscar_ace_join_info_read(outbox[0].payload, outbox[0].len, OSCAR_ACE_REKEYING,
                                          false, &info, why, sizeof(why)));
    OTEST_CHECK(strstr(why, "stale_node_ids") != NULL);
    /* NO_REKEY_ON_LEAVE: nothing goes out */
    gm_open(8, false, OSCAR_GM_FAULT_NO_REKEY_ON_LEAVE, false);
    oscar_gm_set_outbox(&GM, outbox, 8);
    joiner_open(&a, 0x96, "a", 6);
    joiner_open(&b, 0x97, "b", 6);
    post_join(&a, 6, false);
    post_join(&b, 6, false);
    snprintf(node, sizeof(node), "%s", RS.location);
    oscar_gm_handle(&GM, b.client, NOW, OSCAR_COAP_CODE_DELETE, node, NULL, 0, &RS);
    OTEST_EQ_INT(0, GM.outbox_len);
    OTEST_EQ_INT(0, GM.num);
    /* ALLOW_MONITOR_MIX: Requester + Monitor admitted */
    gm_open(8, false, OSCAR_GM_FAULT_ALLOW_MONITOR_MIX, false);
    joiner_open(&a, 0x98, "a", 6);
    post_join(&a, 2 | 8, false);
    OTEST_CHECK(RS.code == OSCAR_COAP_CODE_CREATED || RS.code == OSCAR_COAP_CODE(4, 3));
    OTEST_CHECK(RS.code != OSCAR_COAP_CODE_BAD_REQUEST);
    /* SID_TOP_LEVEL: the joiner's reader names group_senderId */
    gm_open(8, false, OSCAR_GM_FAULT_SID_TOP_LEVEL, false);
    joiner_open(&a, 0x99, "a", 6);
    post_join(&a, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    OTEST_CHECK(!oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                          why, sizeof(why)));
    OTEST_CHECK(strstr(why, "group_senderId") != NULL);
    /* BAD_KDC_POP: the joiner's check of kdc_cred_verify fails */
    gm_open(8, false, OSCAR_GM_FAULT_BAD_KDC_POP, false);
    joiner_open(&a, 0x9a, "a", 6);
    post_join(&a, 6, false);
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    OTEST_CHECK(!oscar_ace_kdc_pop_verify(cr(), &info, a.n_c, 8));
}

/* the strict reader names the field of a broken Join Response */
static void test_reader_names_field(void)
{
    gm_open(8, false, 0, true);
    struct joiner a;
    joiner_open(&a, 0xa1, "a", 6);
    post_join(&a, 6, true);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    uint8_t good[OSCAR_GM_PAYLOAD_MAX];
    size_t n = RS.len;
    memcpy(good, RS.payload, n);
    struct oscar_ace_join_info info;
    char why[256];
    OTEST_CHECK(
        oscar_ace_join_info_read(good, n, OSCAR_ACE_JOIN_RESPONSE, false, &info, why, sizeof(why)));
    static const struct {
        size_t at;        /* byte to change */
        uint8_t value;    /* its new value */
        const char *name; /* the field the reader must name */
    } cases[] = {
        {2, 0x02, "gkty"}, /* gkty 1 -> 2 */
        {1, 0x08, "key"},  /* gkty's label -> key's: given twice */
        {5, 0x01, "ms"},   /* key{ms} -> key{version}: ms missing */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t bad[OSCAR_GM_PAYLOAD_MAX];
        memcpy(bad, good, n);
        bad[cases[i].at] = cases[i].value;
        why[0] = '\0';
        OTEST_CHECK(!oscar_ace_join_info_read(bad, n, OSCAR_ACE_JOIN_RESPONSE, false, &info, why,
                                              sizeof(why)));
        if (strstr(why, cases[i].name) == NULL) {
            fprintf(stderr, "    case %zu: \"%s\" does not name %s\n", i, why, cases[i].name);
        }
        OTEST_CHECK(strstr(why, cases[i].name) != NULL);
    }
    /* truncated anywhere: refused */
    for (size_t cut = 0; cut < n; cut++) {
        OTEST_CHECK(!oscar_ace_join_info_read(good, cut, OSCAR_ACE_JOIN_RESPONSE, false, &info, why,
                                              sizeof(why)));
    }
}

/* Sender IDs run from one byte into two (groups beyond 256 members) */
static void test_two_byte_sids(void)
{
    gm_open(4, false, 0, false);
    GM.sid_first = 0xff;
    struct joiner a, b;
    joiner_open(&a, 0xc1, "a", 6);
    joiner_open(&b, 0xc2, "b", 6);
    post_join(&a, 6, false);
    struct oscar_ace_join_info info;
    char why[256];
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    OTEST_CHECK(info.sid_len == 1 && info.sid[0] == 0xff);
    post_join(&b, 6, false);
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    OTEST_CHECK(info.sid_len == 2 && info.sid[0] == 0x01 && info.sid[1] == 0x00);
}

/* the OSCORE profile (RFC 9203) end to end in memory: AS -> encrypted token with an osc cnf ->
 * /authz-info with nonce1 and ID1 -> both derive the OSCORE context -> the join travels
 * OSCORE-protected both ways */
static void test_oscore_profile(void)
{
    static const uint8_t token_key[16] = {0x70, 0x71, 0x72};
    static struct oscar_as as;
    OTEST_OK(oscar_as_init(&as, cr(), "as", AS.priv, 3600));
    memcpy(as.token_key, token_key, 16);
    as.has_token_key = true;
    as.seed = 99;
    as.policies[0] = (struct oscar_as_policy){"c1", "gm", "g1", 6};
    as.num_policies = 1;
    keypair(&AS, 0x44, "as");
    keypair(&GM_KEY, 0x33, "group-manager");
    struct oscar_gm_config cfg = {.gname = "g1",
                                  .aud = "gm",
                                  .iss = "as",
                                  .as_pub = AS.pub,
                                  .gm_priv = GM_KEY.priv,
                                  .gm_cred = GM_KEY.cred,
                                  .gm_cred_len = GM_KEY.cred_len,
                                  .sid_first = 1,
                                  .sid_count = 8,
                                  .exp = EXP,
                                  .seed = 3,
                                  .token_key = token_key};
    OTEST_OK(oscar_gm_init(&GM, &cfg, cr()));
    uint8_t rq[256];
    size_t n;
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 6, NULL, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    const uint8_t *tok;
    size_t tok_len;
    struct oscar_ace_claims osc;
    char why[256] = "";
    OTEST_CHECK(
        oscar_as_token_response_read(RS.payload, RS.len, &tok, &tok_len, &osc, why, sizeof(why)));
    OTEST_CHECK(osc.has_osc && osc.osc_ms_len == 16);
    uint8_t token[512];
    memcpy(token, tok, tok_len);
    /* the token is not readable as a signed one, nor with another key */
    struct oscar_ace_claims cl;
    static const uint8_t wrong_key[16] = {1};
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_BAD_SIGNATURE,
                 oscar_ace_cwt_check_encrypted(cr(), wrong_key, "as", "gm", NOW, token, tok_len,
                                               &cl, why, sizeof(why)));
    /* /authz-info without nonce1: 4.00 */
    uint8_t post[640];
    static const uint8_t n1[8] = {0x18, 0x8a, 0x27, 0x8f, 0x7f, 0xaa, 0xb5, 0x5a};
    static const uint8_t id1[1] = {0x01};
    OTEST_OK(
        oscar_ace_authz_request_write(token, tok_len, NULL, 0, NULL, 0, post, sizeof(post), &n));
    static struct oscar_gm_response rs;
    OTEST_EQ_INT(-1, oscar_gm_authz_info(&GM, post, n, NOW, &rs));
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, rs.code);
    OTEST_OK(oscar_ace_authz_request_write(token, tok_len, n1, 8, id1, 1, post, sizeof(post), &n));
    int client = oscar_gm_authz_info(&GM, post, n, NOW, &rs);
    OTEST_CHECK(client >= 0);
    struct oscar_ace_authz_response ar;
    OTEST_CHECK(oscar_ace_authz_response_read(rs.payload, rs.len, &ar, why, sizeof(why)));
    OTEST_CHECK(ar.n2 != NULL && ar.id2 != NULL && ar.n_s != NULL && ar.n_s_len == 8);
    /* the request asked for sign_info and ecdh_info (null): both answered, in key order */
    {
        struct oscar_cbor_reader r;
        struct oscar_cbor_item it, k;
        int64_t label, keys[8] = {0};
        size_t nk = 0;
        oscar_cbor_reader_init(&r, rs.payload, rs.len);
        OTEST_CHECK(oscar_cbor_read(&r, &it) && it.type == OSCAR_CBOR_MAP);
        for (uint64_t e = 0; e < it.value && nk < 8; e++) {
            OTEST_CHECK(oscar_cbor_read(&r, &k) && oscar_cbor_int(&k, &label) &&
                        oscar_cbor_skip(&r));
            keys[nk++] = label;
        }
        static const int64_t want[] = {42, 44, 45, 46, 47};
        OTEST_EQ_INT(5, nk);
        for (size_t e = 0; e < 5 && e < nk; e++) {
            OTEST_EQ_INT(want[e], keys[e]);
        }
    }
    /* both sides derive the context */
    struct oscar_ace_osc_params cp = {&osc, n1, ar.n2, id1, ar.id2, 8, ar.n2_len, 1, ar.id2_len};
    struct oscar_ace_osc_params gp;
    OTEST_CHECK(oscar_gm_client_osc(&GM, client, &gp));
    struct oscar_oscore_ctx cctx, gctx;
    OTEST_OK(oscar_ace_osc_context(cr(), &cp, true, &cctx));
    OTEST_OK(oscar_ace_osc_context(cr(), &gp, false, &gctx));
    struct oscar_ace_osc_params same = cp;
    same.id2 = id1;
    same.id2_len = 1;
    struct oscar_oscore_ctx bad;
    OTEST_EQ_INT(OSCAR_ERR_INVALID_ARG, oscar_ace_osc_context(cr(), &same, true, &bad));
    /* the join, protected */
    struct joiner j;
    keypair(&j.k, 0xd1, "c1");
    j.client = client;
    memcpy(j.n_s, ar.n_s, 8);
    memset(j.n_c, 0x3c, 8);
    uint8_t body[512];
    size_t bn = join_payload(&j, 6, false, body, sizeof(body));
    struct oscar_coap_msg m;
    memset(&m, 0, sizeof(m));
    m.version = OSCAR_COAP_VERSION;
    m.type = OSCAR_COAP_TYPE_CON;
    m.code = OSCAR_COAP_CODE_POST;
    m.mid = 7;
    m.token_len = 1;
    m.token[0] = 0x42;
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"ace-group", 9));
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_URI_PATH, (const uint8_t *)"g1", 2));
    static const uint8_t cf261[2] = {0x01, 0x05};
    OTEST_OK(oscar_coap_add_option(&m, OSCAR_COAP_OPT_CONTENT_FORMAT, cf261, 2));
    m.has_payload = true;
    m.payload = body;
    m.payload_len = bn;
    uint8_t plain[700], prot[800], dec[1600];
    size_t pn, prn, dn;
    OTEST_OK(oscar_coap_serialize(plain, sizeof(plain), &pn, &m));
    struct oscar_oscore_exchange cex, sex;
    OTEST_OK(oscar_oscore_protect_request(&cctx, prot, sizeof(prot), &prn, &cex, NULL, plain, pn));
    struct oscar_oscore_ctx *list[1] = {&gctx};
    enum oscar_oscore_verdict v;
    size_t idx;
    OTEST_OK(
        oscar_oscore_unprotect_request(list, 1, &v, &idx, dec, sizeof(dec), &dn, &sex, prot, prn));
    OTEST_EQ_INT(OSCAR_OSCORE_ACCEPT, v);
    struct oscar_coap_msg got;
    size_t off;
    OTEST_EQ_INT(OSCAR_COAP_WELL_FORMED, oscar_coap_parse(&got, &off, dec, dn));
    oscar_gm_handle(&GM, client, NOW, got.code, "ace-group/g1", got.payload, got.payload_len, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    /* new access rights on the same material (RFC 9203 §4.1): 2.01, the scope replaced; a
     * token for other material: 4.01 */
    OTEST_OK(oscar_as_token_update_write("c1", "gm", "g1", 2, osc.osc_id, osc.osc_id_len, rq,
                                         sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    struct oscar_ace_claims none;
    OTEST_CHECK(
        oscar_as_token_response_read(RS.payload, RS.len, &tok, &tok_len, &none, why, sizeof(why)));
    OTEST_CHECK(!none.has_osc); /* no new material for the client */
    OTEST_OK(oscar_ace_authz_request_write(tok, tok_len, NULL, 0, NULL, 0, post, sizeof(post), &n));
    oscar_gm_authz_update(&GM, client, post, n, NOW, &rs);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, rs.code);
    OTEST_EQ_INT(0, rs.len);
    OTEST_EQ_INT(0x02, GM.clients[client].claims.scope[GM.clients[client].claims.scope_len - 1]);
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 6, NULL, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS); /* a fresh token: new material */
    OTEST_CHECK(
        oscar_as_token_response_read(RS.payload, RS.len, &tok, &tok_len, &none, why, sizeof(why)));
    OTEST_OK(oscar_ace_authz_request_write(tok, tok_len, NULL, 0, NULL, 0, post, sizeof(post), &n));
    oscar_gm_authz_update(&GM, client, post, n, NOW, &rs);
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, rs.code);
    oscar_oscore_ctx_cleanup(&cctx);
    oscar_oscore_ctx_cleanup(&gctx);
}

/* kdc_pop_of reads {kdc_cred, kdc_nonce, kdc_cred_verify} and checks the GM's PoP over n_c */
static bool kdc_pop_of(const uint8_t *p, size_t len, const uint8_t *n_c, size_t n_c_len)
{
    struct oscar_cbor_reader r;
    struct oscar_cbor_item m, k, v;
    int64_t label;
    struct oscar_ace_join_info info;
    memset(&info, 0, sizeof(info));
    oscar_cbor_reader_init(&r, p, len);
    if (!oscar_cbor_read(&r, &m) || m.type != OSCAR_CBOR_MAP) {
        return false;
    }
    for (uint64_t i = 0; i < m.value; i++) {
        if (!oscar_cbor_read(&r, &k) || !oscar_cbor_int(&k, &label) || !oscar_cbor_read(&r, &v) ||
            v.type != OSCAR_CBOR_BSTR) {
            return false;
        }
        if (label == OSCAR_ACE_P_KDC_CRED) {
            info.kdc_cred = v.data;
            info.kdc_cred_len = v.len;
        } else if (label == OSCAR_ACE_P_KDC_NONCE) {
            info.kdc_nonce = v.data;
            info.kdc_nonce_len = v.len;
        } else if (label == OSCAR_ACE_P_KDC_CRED_VERIFY) {
            info.kdc_cred_verify = v.data;
            info.kdc_cred_verify_len = v.len;
        }
    }
    return oscar_ace_kdc_pop_verify(cr(), &info, n_c, n_c_len);
}

/* a signature verifier (KGO §9.5, §9.6): verif-data with the Signature Encryption Key, the GM's
 * credential by FETCH with its own nonce; members are refused both, and GET kdc-cred proves
 * possession over their Join Request's nonce */
static void test_verifier(void)
{
    gm_open(8, false, 0, false);
    struct joiner mem, ver;
    joiner_open(&mem, 0xe1, "mem", 6);
    joiner_open(&ver, 0xe2, "ver", 16);
    post_join(&mem, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    struct member_ctx mc;
    memset(&mc, 0, sizeof(mc));
    mc.k = &mem.k;
    install(&mc, RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, NULL);
    oscar_gm_handle(&GM, ver.client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1/verif-data", NULL, 0,
                    &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    /* its last entry is sign_enc_key (33): the member's Signature Encryption Key */
    OTEST_CHECK(RS.len > 19 && RS.payload[RS.len - 19] == 0x18 &&
                RS.payload[RS.len - 18] == OSCAR_ACE_P_SIGN_ENC_KEY);
    OTEST_EQ_BYTES(mc.ctx.sig_enc_key, 16, RS.payload + RS.len - 16, 16);
    oscar_gm_handle(&GM, mem.client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1/verif-data", NULL, 0,
                    &RS);
    expect_problem(OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_VERIFIERS_ONLY);
    uint8_t fetch[] = {0xa1, 0x06, 0x48, 1, 2, 3, 4, 5, 6, 7, 8};
    oscar_gm_handle(&GM, ver.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/kdc-cred", fetch,
                    sizeof(fetch), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(kdc_pop_of(RS.payload, RS.len, fetch + 3, 8));
    OTEST_CHECK(!kdc_pop_of(RS.payload, RS.len, fetch + 2, 8)); /* another nonce: fails */
    oscar_gm_handle(&GM, mem.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/kdc-cred", fetch,
                    sizeof(fetch), &RS);
    expect_problem(OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_VERIFIERS_ONLY);
    oscar_gm_handle(&GM, mem.client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1/kdc-cred", NULL, 0,
                    &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(kdc_pop_of(RS.payload, RS.len, mem.n_c, 8));
    /* the verifier reads the credentials, not the keying material */
    oscar_gm_handle(&GM, ver.client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1/creds", NULL, 0, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    oscar_gm_handle(&GM, ver.client, NOW, OSCAR_COAP_CODE_GET, "ace-group/g1", NULL, 0, &RS);
    expect_problem(OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_MEMBERS_ONLY);
    oscar_group_ctx_cleanup(&mc.ctx);
}

/* FETCH /ace-group by Gid, and FETCH creds with role and id filters (RFC 9594 §4.2.1, §4.4.1) */
static void test_fetch(void)
{
    gm_open(8, false, 0, false);
    struct joiner req, resp, both;
    joiner_open(&req, 0xf1, "req", 2);
    joiner_open(&resp, 0xf2, "resp", 4);
    joiner_open(&both, 0xf3, "both", 6);
    post_join(&req, 2, false);
    post_join(&resp, 4, false);
    post_join(&both, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    /* {0: [h'37cbf3210017a2d3']} -> {0: [gid], 1: ["g1"], 2: ["/ace-group/g1"]} */
    uint8_t q[] = {0xa1, 0x00, 0x81, 0x48, 0x37, 0xcb, 0xf3, 0x21, 0x00, 0x17, 0xa2, 0xd3};
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group", q, sizeof(q), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(RS.len > 20 && memcmp(RS.payload + RS.len - 13, "/ace-group/g1", 13) == 0);
    q[sizeof(q) - 1] ^= 1;
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group", q, sizeof(q), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(RS.len == 1 && RS.payload[0] == 0x40); /* no such group: h'' */
    oscar_gm_handle(&GM, -1, NOW, OSCAR_COAP_CODE_FETCH, "ace-group", q, sizeof(q), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_UNAUTHORIZED, RS.code);
    /* [true, [4], []]: the responders (resp and both); [false, [], [resp's id]]: all but resp */
    uint8_t f1[] = {0xa1, 0x04, 0x83, 0xf5, 0x81, 0x04, 0x80};
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/creds", f1,
                    sizeof(f1), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    /* {num: 0, creds: [2 entries], ...} (RFC 9594 §4.4.1) */
    OTEST_CHECK(RS.len > 5 && RS.payload[0] == 0xa4 && RS.payload[1] == OSCAR_ACE_P_NUM &&
                RS.payload[3] == OSCAR_ACE_P_CREDS && RS.payload[4] == 0x82);
    uint8_t sid = GM.members[GM.clients[resp.client].member].sid[0];
    uint8_t f2[] = {0xa1, 0x04, 0x83, 0xf4, 0x80, 0x81, 0x41, sid};
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/creds", f2,
                    sizeof(f2), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    OTEST_CHECK(RS.len > 5 && RS.payload[4] == 0x82); /* req and both */
    /* an unknown extra parameter is ignored (RFC 9594 §4.1.2); two empty filters are not */
    uint8_t f3[] = {0xa2, 0x04, 0x83, 0xf5, 0x81, 0x04, 0x80, 0x18, 0x63, 0x01};
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/creds", f3,
                    sizeof(f3), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CONTENT, RS.code);
    uint8_t f4[] = {0xa1, 0x04, 0x83, 0xf5, 0x80, 0x80};
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/creds", f4,
                    sizeof(f4), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, RS.code);
    uint8_t bad[] = {0xa1, 0x04, 0x82, 0xf5, 0x80};
    oscar_gm_handle(&GM, req.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/creds", bad,
                    sizeof(bad), &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, RS.code);
}

/* a pairwise-only group (KGO §6.1, §6.3): no signature parameters in key, proofs of possession
 * as the 8-byte HKDF MAC keyed by ECDH of the two keys, no signature data for verifiers */
static void test_pairwise_only(void)
{
    gm_open(8, false, 0, false);
    GM.pairwise_only = true;
    struct joiner j, v;
    joiner_open(&j, 0xa7, "p1", 6);
    joiner_open(&v, 0xa8, "ver", 16);
    struct oscar_ace_join_request rq = {.gname = "g1",
                                        .roles = 6,
                                        .cred = j.k.cred,
                                        .cred_len = j.k.cred_len,
                                        .priv = j.k.priv,
                                        .pub = j.k.pub,
                                        .n_s = j.n_s,
                                        .n_s_len = 8,
                                        .n_c = j.n_c,
                                        .n_c_len = 8,
                                        .gm_pub = GM_KEY.pub};
    uint8_t p[512];
    size_t n;
    /* a signature where the MAC belongs, then a MAC with a flipped bit: 4.00 error 3 */
    n = join_payload(&j, 6, false, p, sizeof(p));
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
    OTEST_OK(oscar_ace_join_request_write(cr(), &rq, p, sizeof(p), &n));
    p[n - 1] ^= 0x01;
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_POP);
    p[n - 1] ^= 0x01;
    oscar_gm_handle(&GM, j.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    struct oscar_ace_join_info info;
    char why[256] = "";
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    OTEST_CHECK(info.sign_alg == 0 && info.gp_enc_alg == 0 && info.alg != 0 && info.ecdh_alg != 0);
    OTEST_EQ_INT(8, info.kdc_cred_verify_len);
    OTEST_CHECK(oscar_ace_kdc_pop_verify_mac(cr(), &info, j.n_c, 8, j.k.priv));
    OTEST_CHECK(!oscar_ace_kdc_pop_verify_mac(cr(), &info, j.n_c, 8, v.k.priv)); /* not for you */
    OTEST_CHECK(!oscar_ace_kdc_pop_verify(cr(), &info, j.n_c, 8));               /* no signature */
    /* a bad join tells the pairwise-only parameters: ecdh_info and kdc_dh_creds, no sign_info */
    oscar_gm_handle(&GM, v.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", NULL, 0, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, RS.code);
    OTEST_CHECK(RS.len > 3 && RS.payload[1] == 0x18 && RS.payload[2] == OSCAR_ACE_P_ECDH_INFO);
    uint8_t fetch[] = {0xa1, 0x06, 0x48, 1, 2, 3, 4, 5, 6, 7, 8};
    oscar_gm_handle(&GM, v.client, NOW, OSCAR_COAP_CODE_FETCH, "ace-group/g1/kdc-cred", fetch,
                    sizeof(fetch), &RS);
    expect_problem(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_ACE_ERR_NO_SIGNATURES);
}

/* the join's credential rules (KGO §6.1, §6.2): client_cred h'' from a non-member, a current
 * member switching credential without proof, a monitor becoming Requester without one, a
 * Verifier-only scope, and get_creds with a role filter */
static void test_join_credentials(void)
{
    gm_open(8, false, 0, false);
    struct joiner a, mon, ver;
    joiner_open(&a, 0xb1, "a", 6);
    joiner_open(&mon, 0xb2, "mon", 8 | 0);
    joiner_open(&ver, 0xb3, "ver", 16);
    uint8_t p[512];
    size_t n;
    /* a non-member with client_cred h'' and some PoP: 4.00, not a crash */
    static const uint8_t empty_cred[1] = {0};
    struct oscar_ace_join_request rq = {.gname = "g1",
                                        .roles = 6,
                                        .cred = empty_cred,
                                        .cred_len = 0,
                                        .priv = a.k.priv,
                                        .pub = a.k.pub,
                                        .n_s = a.n_s,
                                        .n_s_len = 8,
                                        .n_c = a.n_c,
                                        .n_c_len = 8};
    OTEST_OK(oscar_ace_join_request_write(cr(), &rq, p, sizeof(p), &n));
    oscar_gm_handle(&GM, a.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", p, n, &RS);
    expect_bad_join();
    /* joined; then a re-join with another credential and no PoP: 4.00 */
    post_join(&a, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    struct keypair other;
    keypair(&other, 0xb4, "other");
    uint8_t q[400];
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, q, sizeof(q));
    oscar_cbor_put_map(&w, 3);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_SCOPE);
    oscar_cbor_put_bstr(&w, (const uint8_t *)"\x82\x62g1\x06", 5);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_CLIENT_CRED);
    oscar_cbor_put_bstr(&w, other.cred, other.cred_len);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_CNONCE);
    oscar_cbor_put_bstr(&w, a.n_c, 8);
    OTEST_OK(oscar_cbor_writer_finish(&w, &n));
    oscar_gm_handle(&GM, a.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", q, n, &RS);
    expect_bad_join();
    /* ... and with its own stored credential and no PoP: a re-join, 2.04 */
    oscar_cbor_writer_init(&w, q, sizeof(q));
    oscar_cbor_put_map(&w, 3);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_SCOPE);
    oscar_cbor_put_bstr(&w, (const uint8_t *)"\x82\x62g1\x06", 5);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_CLIENT_CRED);
    oscar_cbor_put_bstr(&w, a.k.cred, a.k.cred_len);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_CNONCE);
    oscar_cbor_put_bstr(&w, a.n_c, 8);
    OTEST_OK(oscar_cbor_writer_finish(&w, &n));
    oscar_gm_handle(&GM, a.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", q, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CHANGED, RS.code);
    /* a monitor re-joining as Requester without a credential: 4.00 (it has none stored) */
    struct oscar_gm_response *rs0 = &RS;
    post_join(&mon, 8, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, rs0->code);
    oscar_cbor_writer_init(&w, q, sizeof(q));
    oscar_cbor_put_map(&w, 2);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_SCOPE);
    oscar_cbor_put_bstr(&w, (const uint8_t *)"\x82\x62g1\x08", 5);
    oscar_cbor_put_uint(&w, OSCAR_ACE_P_CNONCE);
    oscar_cbor_put_bstr(&w, mon.n_c, 8);
    OTEST_OK(oscar_cbor_writer_finish(&w, &n));
    q[7] = 0x02; /* the scope entry's roles: Requester */
    /* a new token would now grant Requester: [["g1", 2]] */
    GM.clients[mon.client].claims.scope[GM.clients[mon.client].claims.scope_len - 1] = 0x02;
    oscar_gm_handle(&GM, mon.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", q, n, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_BAD_REQUEST, RS.code);
    /* a Verifier-only scope does not join (KGO §8.5) */
    post_join(&ver, 16, false);
    expect_problem(OSCAR_COAP_CODE(4, 3), OSCAR_ACE_ERR_ROLES);
    /* get_creds [true, [4], []]: only the responders' credentials */
    struct joiner b;
    joiner_open(&b, 0xb5, "b", 2);
    n = join_payload(&b, 2, false, p, sizeof(p));
    /* splice get_creds in: the map grows by one pair after scope */
    uint8_t g[600];
    size_t gn = 0;
    g[gn++] = (uint8_t)(p[0] + 1);
    memcpy(g + gn, p + 1, 7); /* 03 45 82 62 67 31 02 */
    gn += 7;
    static const uint8_t gc[] = {0x04, 0x83, 0xf5, 0x81, 0x04, 0x80};
    memcpy(g + gn, gc, sizeof(gc));
    gn += sizeof(gc);
    memcpy(g + gn, p + 8, n - 8);
    gn += n - 8;
    oscar_gm_handle(&GM, b.client, NOW, OSCAR_COAP_CODE_POST, "ace-group/g1", g, gn, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    struct oscar_ace_join_info info;
    char why[256] = "";
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    OTEST_EQ_INT(1, info.num_creds); /* a (roles 6); the monitor has no credential */
}

/* rekeying on join (KGO §7, §11.1): the others get the new material with the newcomer's
 * credential, roles and Sender ID; the newcomer gets the new material in its Join Response */
static void test_rekey_on_join(void)
{
    static struct oscar_gm_outgoing outbox[4];
    gm_open(8, false, 0, false);
    GM.rekey_on_join = true;
    oscar_gm_set_outbox(&GM, outbox, 4);
    struct joiner a, b;
    joiner_open(&a, 0xc7, "a", 6);
    joiner_open(&b, 0xc8, "b", 6);
    post_join(&a, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    OTEST_EQ_INT(0, GM.outbox_len); /* nobody else to rekey */
    post_join(&b, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    struct oscar_ace_join_info info;
    char why[256] = "";
    OTEST_CHECK(oscar_ace_join_info_read(RS.payload, RS.len, OSCAR_ACE_JOIN_RESPONSE, false, &info,
                                         why, sizeof(why)));
    OTEST_EQ_INT(2, info.num); /* version 0, then 1 at a's join, 2 at b's */
    OTEST_EQ_INT(1, GM.outbox_len);
    OTEST_EQ_INT(GM.clients[a.client].member, outbox[0].member);
    OTEST_CHECK(oscar_ace_join_info_read(outbox[0].payload, outbox[0].len, OSCAR_ACE_REKEYING,
                                         false, &info, why, sizeof(why)));
    OTEST_EQ_INT(1, info.num_creds);
    OTEST_CHECK(info.num_peer_ids == 1 &&
                info.peer_ids[0][0] == GM.members[GM.clients[b.client].member].sid[0]);
    OTEST_EQ_BYTES(b.k.cred, b.k.cred_len, info.creds[0], info.cred_lens[0]);
}

/* as_error_is: the AS answered code with {error: e, error_description: ...} */
static void as_error_is(uint8_t code, int e)
{
    OTEST_EQ_INT(code, RS.code);
    OTEST_EQ_INT(OSCAR_CF_ACE_CBOR, RS.content_format);
    OTEST_CHECK(RS.len > 4 && RS.payload[0] == 0xa2 && RS.payload[1] == 0x18 &&
                RS.payload[2] == OSCAR_ACE_T_ERROR && RS.payload[3] == e);
}

/* the token endpoint (RFC 9200 §5.8) and its errors (Table 3), then AS -> GM -> join */
static void test_as_token(void)
{
    static struct oscar_as as;
    gm_open(8, false, 0, false);
    OTEST_OK(oscar_as_init(&as, cr(), "as", AS.priv, 3600));
    as.policies[0] = (struct oscar_as_policy){"c1", "gm", "g1", 6};
    as.policies[1] = (struct oscar_as_policy){"mon", "gm", "g1", 8};
    as.num_policies = 2;
    struct joiner j;
    keypair(&j.k, 0xb1, "c1");
    uint8_t rq[256];
    size_t n;
    /* Requester+Responder+Verifier asked, Requester+Responder granted: the scope comes back */
    OTEST_OK(
        oscar_as_token_request_write("c1", "gm", "g1", 2 | 4 | 16, j.k.pub, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    if (RS.code != OSCAR_COAP_CODE_CREATED) {
        fprintf(stderr, "    AS said: %s\n", RS.why);
    }
    OTEST_CHECK(RS.payload[0] == 0xa3);
    /* the token goes to the GM in an ace+cbor map, and the join goes through */
    struct oscar_cbor_reader r;
    struct oscar_cbor_item it, tok;
    oscar_cbor_reader_init(&r, RS.payload, RS.len);
    OTEST_CHECK(oscar_cbor_read(&r, &it) && oscar_cbor_read(&r, &it) && it.value == 1 &&
                oscar_cbor_read(&r, &tok) && tok.type == OSCAR_CBOR_BSTR);
    uint8_t post[600];
    struct oscar_cbor_writer w;
    oscar_cbor_writer_init(&w, post, sizeof(post));
    oscar_cbor_put_map(&w, 1);
    oscar_cbor_put_uint(&w, OSCAR_ACE_OAUTH_ACCESS_TOKEN);
    oscar_cbor_put_bstr(&w, tok.data, tok.len);
    OTEST_OK(oscar_cbor_writer_finish(&w, &n));
    static struct oscar_gm_response rs;
    j.client = oscar_gm_authz_info(&GM, post, n, NOW, &rs);
    OTEST_CHECK(j.client >= 0);
    memcpy(j.n_s, rs.payload + 4, 8);
    memset(j.n_c, 0x42, 8);
    j.roles = 6;
    post_join(&j, 6, false);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    /* the errors of Table 3 */
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 6, j.k.pub, rq, sizeof(rq), &n));
    oscar_as_token(&as, "stranger", rq, n, NOW, &RS);
    as_error_is(OSCAR_COAP_CODE_UNAUTHORIZED, OSCAR_AS_INVALID_CLIENT);
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 8, j.k.pub, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    as_error_is(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_AS_INVALID_SCOPE);
    OTEST_OK(oscar_as_token_request_write("c1", "other-gm", "g1", 6, j.k.pub, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    as_error_is(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_AS_INVALID_SCOPE);
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 6, j.k.pub, rq, sizeof(rq), &n));
    rq[n - 1] = 1; /* grant_type: authorization_code */
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    as_error_is(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_AS_UNSUPPORTED_GRANT_TYPE);
    rq[n - 1] = 2;
    rq[8] = 4; /* req_cnf's crv: X25519 */
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    as_error_is(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_AS_UNSUPPORTED_POP_KEY);
    rq[8] = 6;
    rq[0] = 0xa4; /* the last entry (grant_type) falls off: trailing bytes */
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    as_error_is(OSCAR_COAP_CODE_BAD_REQUEST, OSCAR_AS_INVALID_REQUEST);
    /* without grant_type: client credentials, the default (RFC 9200 §5.8.1) */
    oscar_as_token(&as, "c1", rq, n - 3, NOW, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code);
    /* fault switches: a Monitor token for c1; a token without exp */
    as.faults = OSCAR_AS_FAULT_IGNORE_POLICY;
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 8, j.k.pub, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    OTEST_EQ_INT(OSCAR_COAP_CODE_CREATED, RS.code); /* the reference says invalid_scope */
    as.faults = OSCAR_AS_FAULT_NO_EXP;
    OTEST_OK(oscar_as_token_request_write("c1", "gm", "g1", 6, j.k.pub, rq, sizeof(rq), &n));
    oscar_as_token(&as, "c1", rq, n, NOW, &RS);
    oscar_cbor_reader_init(&r, RS.payload, RS.len);
    OTEST_CHECK(oscar_cbor_read(&r, &it) && oscar_cbor_read(&r, &it) && oscar_cbor_read(&r, &tok) &&
                tok.type == OSCAR_CBOR_BSTR);
    struct oscar_ace_claims claims;
    char why[256];
    OTEST_EQ_INT(OSCAR_ACE_TOKEN_OK, oscar_ace_cwt_check(cr(), AS.pub, "as", "gm", NOW, tok.data,
                                                         tok.len, &claims, why, sizeof(why)));
    OTEST_EQ_INT(0, claims.exp); /* the reference always sets exp = iat + lifetime */
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_example_join);
    OTEST_RUN(test_join_failures);
    OTEST_RUN(test_methods);
    OTEST_RUN(test_lifecycle);
    OTEST_RUN(test_faults);
    OTEST_RUN(test_reader_names_field);
    OTEST_RUN(test_as_token);
    OTEST_RUN(test_two_byte_sids);
    OTEST_RUN(test_oscore_profile);
    OTEST_RUN(test_verifier);
    OTEST_RUN(test_fetch);
    OTEST_RUN(test_pairwise_only);
    OTEST_RUN(test_join_credentials);
    OTEST_RUN(test_rekey_on_join);
    return otest_finish();
}
