/* test_third_party.c — captures of OSCORE messages that other OSCORE stacks produced (the files
 * in vectors/third-party/, each exchange with its provenance) must be read in full and judged
 * clean by the checker: every OSCORE message decrypts, every response finds its request, and no
 * trace rule fires. Negative controls on the same bytes: one flipped ciphertext bit must make
 * OSCORE-8-VERIFIES fire, and a request sent again with a new Message ID (a replay) must make
 * OSCORE-7.4-REPLAY-ANSWERED fire when its response is sent again too (the last exchange of each
 * source is a request answered with a success).
 *
 * The test's sources have every message in Message ID 0 with reused tokens (they are unit
 * tests), so each request and its response go on a UDP flow of their own (client port 40000+k).
 *
 * usage: test_third_party FILE.json... */
#include <unistd.h>

#include "../check/rules.h"
#include "otest.h"

#define MAX_MSGS 64

struct msg {
    bool from_client;
    uint8_t bytes[2048];
    size_t len;
};

struct exchange {
    char what[512];
    struct oscar_context_spec ctx;
    struct msg msgs[MAX_MSGS];
    size_t num;
};

/* load_exchange reads exchange number k of a vectors/third-party file. */
static void load_exchange(struct exchange *ex, const cJSON *e, const char *file, size_t k,
                          struct oscar_arena *a)
{
    struct oscar_diag d = {{0}};
    struct oscar_json_loc loc = {.file = file, .diag = &d};
    oscar_json_loc_push(&loc, &loc, "exchanges", k);
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(e, "source");
    const cJSON *repo = cJSON_GetObjectItemCaseSensitive(src, "repo");
    const cJSON *commit = cJSON_GetObjectItemCaseSensitive(src, "commit");
    snprintf(ex->what, sizeof(ex->what), "%s exchange %zu (%s @ %.12s)", file, k,
             cJSON_IsString(repo) ? repo->valuestring : "?",
             cJSON_IsString(commit) ? commit->valuestring : "?");
    struct oscar_json_loc cl;
    oscar_json_loc_push(&cl, &loc, "context", 0);
    if (oscar_context_spec_load(&ex->ctx, cJSON_GetObjectItemCaseSensitive(e, "context"), &cl, a) !=
        OSCAR_OK) {
        fprintf(stderr, "%s: %s\n", ex->what, d.msg);
        abort();
    }
    snprintf(ex->ctx.name, sizeof(ex->ctx.name), "client");
    ex->num = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(e, "messages"))
    {
        OTEST_CHECK(ex->num < MAX_MSGS);
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(m, "dir");
        const cJSON *hex = cJSON_GetObjectItemCaseSensitive(m, "coap_hex");
        OTEST_CHECK(cJSON_IsString(dir) && cJSON_IsString(hex));
        struct msg *x = &ex->msgs[ex->num++];
        x->from_client = strcmp(dir->valuestring, "c2s") == 0;
        x->len = otest_unhex(x->bytes, sizeof(x->bytes), hex->valuestring);
    }
}

enum variant { AS_CAPTURED, FLIP_CIPHERTEXT, REPLAY_REQUEST };

/* write_capture writes ex as a pcap: message i on the flow of its request pair (i / 2). */
static void write_capture(const struct exchange *ex, const char *path, enum variant v)
{
    struct oscar_pcap_writer *w;
    struct oscar_diag d;
    OTEST_OK(oscar_pcap_writer_open(&w, path, &d));
    struct oscar_endpoint server;
    OTEST_OK(oscar_endpoint_parse(&server, "192.0.2.1:5683"));
    uint64_t t = UINT64_C(1700000000000000);
    for (size_t i = 0; i < ex->num; i++) {
        char addr[32];
        snprintf(addr, sizeof(addr), "192.0.2.2:%zu", 40000 + i / 2);
        struct oscar_endpoint client;
        OTEST_OK(oscar_endpoint_parse(&client, addr));
        struct msg m = ex->msgs[i];
        if (v == FLIP_CIPHERTEXT && i == ex->num - 1) {
            m.bytes[m.len - 1] ^= 0x01; /* the last byte of the tag of the last message */
        }
        t += 1000;
        const struct oscar_endpoint *src = m.from_client ? &client : &server;
        const struct oscar_endpoint *dst = m.from_client ? &server : &client;
        OTEST_OK(oscar_pcap_write_udp(w, t, src, dst, m.bytes, m.len));
        if (v == REPLAY_REQUEST && i == ex->num - 1) {
            /* an attacker replays the last request (answered with a success in every source)
             * with a new Message ID; the server, faulty, answers it with the same response */
            struct msg q = ex->msgs[i - 1];
            struct msg r = ex->msgs[i];
            q.bytes[3] ^= 0x55;
            r.bytes[3] ^= 0x55;
            OTEST_OK(oscar_pcap_write_udp(w, t + 100, &client, &server, q.bytes, q.len));
            OTEST_OK(oscar_pcap_write_udp(w, t + 200, &server, &client, r.bytes, r.len));
        }
    }
    oscar_pcap_writer_close(w);
}

/* judge_exchange decodes the capture and returns the violated rule IDs (space-separated) in out;
 * *undecrypted counts OSCORE messages that did not verify, *unpaired responses without request. */
static void judge_exchange(const struct exchange *ex, enum variant v, char *out, size_t cap,
                           size_t *undecrypted, size_t *unpaired)
{
    char path[64];
    snprintf(path, sizeof(path), "/tmp/oscar-test-3p-XXXXXX");
    int fd = mkstemp(path);
    OTEST_CHECK(fd >= 0);
    close(fd);
    write_capture(ex, path, v);
    struct oscar_transcript t;
    struct oscar_diag d = {{0}};
    if (oscar_transcript_decode(&t, path, &ex->ctx, 1, NULL, 0, &d) != OSCAR_OK) {
        fprintf(stderr, "%s: %s\n", ex->what, d.msg);
        abort();
    }
    unlink(path);
    *undecrypted = *unpaired = 0;
    for (size_t i = 0; i < t.num_msgs; i++) {
        const struct oscar_decoded *m = &t.msgs[i];
        *undecrypted += m->oscore && m->verdict != OSCAR_OSCORE_ACCEPT;
        *unpaired += !m->is_request && m->request < 0;
    }
    struct oscar_violation vs[32];
    size_t nv = 0;
    OTEST_OK(oscar_rules_check(vs, 32, &nv, &t, NULL));
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < nv; i++) {
        if (i == 0 || vs[i].rule != vs[i - 1].rule) {
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " " : "", vs[i].rule->id);
        }
        fprintf(stderr, "    %s: frame %zu %s: %s\n", ex->what, t.msgs[vs[i].msg].frame,
                vs[i].rule->id, vs[i].detail);
    }
    oscar_transcript_free(&t);
}

static size_t num_files;
static char **files;

static void test_third_party_captures(void)
{
    size_t exchanges = 0;
    size_t messages = 0;
    for (size_t f = 0; f < num_files; f++) {
        cJSON *root = NULL;
        struct oscar_diag d = {{0}};
        if (oscar_json_load_file(&root, files[f], &d) != OSCAR_OK) {
            fprintf(stderr, "%s\n", d.msg);
            abort();
        }
        struct oscar_arena a;
        oscar_arena_init(&a, 0);
        size_t k = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "exchanges"))
        {
            struct exchange ex;
            load_exchange(&ex, e, files[f], k++, &a);
            char got[256];
            size_t undec;
            size_t unpaired;
            judge_exchange(&ex, AS_CAPTURED, got, sizeof(got), &undec, &unpaired);
            OTEST_EQ_BYTES("", 0, got, strlen(got));
            OTEST_EQ_INT(0, undec);
            OTEST_EQ_INT(0, unpaired);
            judge_exchange(&ex, FLIP_CIPHERTEXT, got, sizeof(got), &undec, &unpaired);
            OTEST_EQ_BYTES("OSCORE-8-VERIFIES", 17, got, strlen(got));
            OTEST_EQ_INT(1, undec);
            judge_exchange(&ex, REPLAY_REQUEST, got, sizeof(got), &undec, &unpaired);
            OTEST_EQ_BYTES("OSCORE-7.4-REPLAY-ANSWERED", 26, got, strlen(got));
            exchanges++;
            messages += ex.num;
        }
        oscar_arena_free(&a);
        cJSON_Delete(root);
    }
    fprintf(stderr, "    %zu exchanges, %zu messages from %zu files\n", exchanges, messages,
            num_files);
    OTEST_CHECK(exchanges > 0);
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    num_files = (size_t)argc - 1;
    files = argv + 1;
    argc = 1; /* the arguments are files, not test names */
    OTEST_RUN(test_third_party_captures);
    return otest_finish();
}
