/* test_replay.c — the replay window of RFC 8613 §7.4 against a naive model, and the lower limit of
 * Appendix B.1.2. */
#include "oscar/oscore.h"
#include "otest.h"

/* struct model remembers every accepted sequence number exactly; the window must agree with it
 * wherever the window can know the answer, and must reject (never accept) where it cannot. */
#define MODEL_MAX 4096
struct model {
    uint64_t seen[MODEL_MAX];
    size_t n;
    uint64_t highest;
};

static bool model_seen(const struct model *m, uint64_t seq)
{
    for (size_t i = 0; i < m->n; i++) {
        if (m->seen[i] == seq) {
            return true;
        }
    }
    return false;
}

static void check_against_model(size_t size, uint64_t span, size_t steps)
{
    struct oscar_oscore_replay w;
    oscar_oscore_replay_init(&w, size);
    struct model m = {0};
    for (size_t i = 0; i < steps && m.n < MODEL_MAX; i++) {
        uint64_t seq = otest_rand() % span;
        bool accept = oscar_oscore_replay_check(&w, seq);
        bool seen = model_seen(&m, seq);
        bool in_window = m.n == 0 || seq > m.highest || m.highest - seq < w.size;
        if (seen) {
            OTEST_CHECK(!accept); /* a replay is never accepted */
        } else if (in_window) {
            OTEST_CHECK(accept); /* new and inside the window: accepted */
        } else {
            OTEST_CHECK(!accept); /* too old to tell: rejected */
        }
        if (accept) {
            oscar_oscore_replay_update(&w, seq);
            m.seen[m.n++] = seq;
            if (m.n == 1 || seq > m.highest) {
                m.highest = seq;
            }
        }
        if (otest.case_failed) {
            fprintf(stderr, "    window size %zu, step %zu, seq %" PRIu64 ", highest %" PRIu64 "\n",
                    size, i, seq, m.highest);
            return;
        }
    }
}

static void test_replay_window_model(void)
{
    static const size_t sizes[] = {1, 2, 31, 32, 33, 63, 64, 65, 100, 128, 1000, 1024};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !otest.case_failed; i++) {
        check_against_model(sizes[i], 3 * sizes[i] + 10, 3000);
        check_against_model(sizes[i], 10 * sizes[i], 3000);
    }
}

static void test_replay_default_size_is_32(void)
{
    struct oscar_oscore_replay w;
    oscar_oscore_replay_init(&w, 0);
    OTEST_EQ_INT(32, w.size); /* RFC 8613 §3.2.2 */
    oscar_oscore_replay_update(&w, 100);
    OTEST_CHECK(oscar_oscore_replay_check(&w, 69));  /* 100 - 31: inside */
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 68)); /* 100 - 32: outside */
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 100));
    OTEST_CHECK(oscar_oscore_replay_check(&w, 101));
}

static void test_replay_first_message_any_value(void)
{
    struct oscar_oscore_replay w;
    oscar_oscore_replay_init(&w, 32);
    OTEST_CHECK(oscar_oscore_replay_check(&w, 0));
    OTEST_CHECK(oscar_oscore_replay_check(&w, (UINT64_C(1) << 40) - 1));
    oscar_oscore_replay_update(&w, 0);
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 0));
    OTEST_CHECK(oscar_oscore_replay_check(&w, 1));
}

static void test_replay_large_jump_clears_window(void)
{
    struct oscar_oscore_replay w;
    oscar_oscore_replay_init(&w, 64);
    for (uint64_t s = 0; s < 64; s++) {
        oscar_oscore_replay_update(&w, s);
    }
    oscar_oscore_replay_update(&w, 1000000);
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 1000000));
    OTEST_CHECK(oscar_oscore_replay_check(&w, 999999));
    OTEST_CHECK(oscar_oscore_replay_check(&w, 1000000 - 63));
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 1000000 - 64));
}

static void test_replay_lower_limit(void)
{
    /* Appendix B.1.2: the PIV of the verified Echo request becomes the lower limit. */
    struct oscar_oscore_replay w;
    oscar_oscore_replay_init(&w, 32);
    w.valid = false;
    oscar_oscore_replay_set_lower_limit(&w, 500);
    OTEST_CHECK(w.valid);
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 500));
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 499));
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 469));
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 0));
    OTEST_CHECK(oscar_oscore_replay_check(&w, 501));
    oscar_oscore_replay_update(&w, 510);
    OTEST_CHECK(oscar_oscore_replay_check(&w, 505)); /* above the limit, not yet seen */
    OTEST_CHECK(!oscar_oscore_replay_check(&w, 500));
}

int main(int argc, char **argv)
{
    otest_init(argc, argv);
    OTEST_RUN(test_replay_window_model);
    OTEST_RUN(test_replay_default_size_is_32);
    OTEST_RUN(test_replay_first_message_any_value);
    OTEST_RUN(test_replay_large_jump_clears_window);
    OTEST_RUN(test_replay_lower_limit);
    return otest_finish();
}
