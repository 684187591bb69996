/* oscore/replay.c — the replay window of RFC 8613 §7.4 (default size 32, §3.2.2): a sliding
 * bitmap anchored at the highest Partial IV received. Checking and updating are split so that the
 * window is only updated after successful decryption (§8.2 step 6); a caller processing messages
 * concurrently must make the pair atomic (§7.4). */
#include "oscar/oscore.h"

#include <string.h>

#define WORD_BITS 64

void oscar_oscore_replay_init(struct oscar_oscore_replay *w, size_t size)
{
    memset(w, 0, sizeof(*w));
    w->size = size != 0 ? size : OSCAR_OSCORE_REPLAY_WINDOW_DEFAULT;
    if (w->size > OSCAR_OSCORE_REPLAY_WINDOW_MAX) {
        w->size = OSCAR_OSCORE_REPLAY_WINDOW_MAX;
    }
    w->valid = true;
}

static bool bit_get(const struct oscar_oscore_replay *w, uint64_t i)
{
    return (w->bits[i / WORD_BITS] >> (i % WORD_BITS)) & 1u;
}

bool oscar_oscore_replay_check(const struct oscar_oscore_replay *w, uint64_t seq)
{
    if (!w->seen_any) {
        return true;
    }
    if (seq > w->highest) {
        return true;
    }
    uint64_t age = w->highest - seq;
    if (age >= w->size) {
        return false; /* older than the window: cannot tell, so reject (§7.4) */
    }
    return !bit_get(w, age);
}

/* shift moves the window up by n positions (bit i becomes bit i + n). */
static void shift(struct oscar_oscore_replay *w, uint64_t n)
{
    size_t words = (w->size + WORD_BITS - 1) / WORD_BITS;
    if (n >= w->size) {
        memset(w->bits, 0, sizeof(w->bits));
        return;
    }
    size_t word_shift = (size_t)(n / WORD_BITS);
    unsigned bit_shift = (unsigned)(n % WORD_BITS);
    for (size_t i = words; i-- > 0;) {
        uint64_t v = 0;
        if (i >= word_shift) {
            v = w->bits[i - word_shift] << bit_shift;
            if (bit_shift != 0 && i > word_shift) {
                v |= w->bits[i - word_shift - 1] >> (WORD_BITS - bit_shift);
            }
        }
        w->bits[i] = v;
    }
    /* Clear bits beyond the window size so they never read as received. */
    if (w->size % WORD_BITS) {
        w->bits[words - 1] &= (UINT64_C(1) << (w->size % WORD_BITS)) - 1;
    }
}

void oscar_oscore_replay_update(struct oscar_oscore_replay *w, uint64_t seq)
{
    if (!w->seen_any) {
        w->seen_any = true;
        w->highest = seq;
        memset(w->bits, 0, sizeof(w->bits));
        w->bits[0] = 1;
        return;
    }
    if (seq > w->highest) {
        shift(w, seq - w->highest);
        w->highest = seq;
        w->bits[0] |= 1;
        return;
    }
    uint64_t age = w->highest - seq;
    if (age < w->size) {
        w->bits[age / WORD_BITS] |= UINT64_C(1) << (age % WORD_BITS);
    }
}

void oscar_oscore_replay_set_lower_limit(struct oscar_oscore_replay *w, uint64_t seq)
{
    size_t words = (w->size + WORD_BITS - 1) / WORD_BITS;
    w->valid = true;
    w->seen_any = true;
    w->highest = seq;
    memset(w->bits, 0, sizeof(w->bits));
    for (size_t i = 0; i < words; i++) {
        w->bits[i] = UINT64_MAX;
    }
    if (w->size % WORD_BITS) {
        w->bits[words - 1] = (UINT64_C(1) << (w->size % WORD_BITS)) - 1;
    }
}
