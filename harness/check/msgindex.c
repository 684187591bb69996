/* msgindex.c — see msgindex.h. Open addressing with linear probing; grows at half full. */
#include "msgindex.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* zalloc_slots returns cap zeroed slots, in huge pages when large: probes are random, and with
 * 4 KiB pages nearly every one of them would also miss the TLB. */
static struct oscar_msg_slot *zalloc_slots(size_t cap)
{
    struct oscar_msg_slot *p = malloc(cap * sizeof(*p));
    if (p != NULL) {
        oscar_advise_huge(p, cap * sizeof(*p));
        memset(p, 0, cap * sizeof(*p));
    }
    return p;
}

enum oscar_err oscar_msg_index_init(struct oscar_msg_index *ix, size_t expected)
{
    size_t cap = 64;
    while (cap < 2 * expected + 2) {
        cap *= 2;
    }
    ix->slots = zalloc_slots(cap);
    ix->mask = cap - 1;
    ix->used = 0;
    if (ix->slots == NULL) {
        oscar_msg_index_free(ix);
        return OSCAR_ERR_NOMEM;
    }
    return OSCAR_OK;
}

void oscar_msg_index_free(struct oscar_msg_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->mask = 0;
    ix->used = 0;
}

/* home is the first slot for hash h: the high bits folded down (the MurmurHash3 finaliser)
 * before masking. */
static size_t home(const struct oscar_msg_index *ix, uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & ix->mask;
}

void oscar_msg_index_prefetch(const struct oscar_msg_index *ix, uint64_t h)
{
    __builtin_prefetch(&ix->slots[home(ix, h)], 1);
}

/* probe_slot returns the slot holding a match for probe, or the empty slot where the chain ends. */
static size_t probe_slot(const struct oscar_msg_index *ix, uint64_t h,
                         const struct oscar_transcript *t, size_t probe, oscar_msg_eq eq)
{
    size_t k = home(ix, h);
    while (ix->slots[k].msg != 0 &&
           !(ix->slots[k].hash == h && eq(t, ix->slots[k].msg - 1, probe))) {
        k = (k + 1) & ix->mask;
    }
    return k;
}

long oscar_msg_index_find(const struct oscar_msg_index *ix, uint64_t h,
                          const struct oscar_transcript *t, size_t probe, oscar_msg_eq eq)
{
    size_t k = probe_slot(ix, h, t, probe, eq);
    return ix->slots[k].msg != 0 ? (long)(ix->slots[k].msg - 1) : -1;
}

static enum oscar_err grow(struct oscar_msg_index *ix)
{
    struct oscar_msg_index big;
    size_t old_cap = ix->mask + 1;
    OSCAR_TRY(oscar_msg_index_init(&big, old_cap));
    for (size_t k = 0; k < old_cap; k++) {
        if (ix->slots[k].msg != 0) {
            size_t j = home(&big, ix->slots[k].hash);
            while (big.slots[j].msg != 0) {
                j = (j + 1) & big.mask;
            }
            big.slots[j] = ix->slots[k];
            big.used++;
        }
    }
    oscar_msg_index_free(ix);
    *ix = big;
    return OSCAR_OK;
}

/* slot_for returns the slot of a stored match for i, or the empty slot where i goes (growing the
 * table first so that it stays at most half full). */
static enum oscar_err slot_for(struct oscar_msg_index *ix, uint64_t h,
                               const struct oscar_transcript *t, size_t i, oscar_msg_eq eq,
                               size_t *out)
{
    if (2 * (ix->used + 1) > ix->mask + 1) {
        OSCAR_TRY(grow(ix));
    }
    *out = probe_slot(ix, h, t, i, eq);
    return OSCAR_OK;
}

enum oscar_err oscar_msg_index_first(struct oscar_msg_index *ix, uint64_t h,
                                     const struct oscar_transcript *t, size_t i, oscar_msg_eq eq,
                                     long *out_first)
{
    size_t k;
    OSCAR_TRY(slot_for(ix, h, t, i, eq, &k));
    if (ix->slots[k].msg == 0) {
        ix->slots[k].msg = i + 1;
        ix->slots[k].hash = h;
        ix->used++;
    }
    *out_first = (long)(ix->slots[k].msg - 1);
    return OSCAR_OK;
}

enum oscar_err oscar_msg_index_put(struct oscar_msg_index *ix, uint64_t h,
                                   const struct oscar_transcript *t, size_t i, oscar_msg_eq eq)
{
    size_t k;
    OSCAR_TRY(slot_for(ix, h, t, i, eq, &k));
    ix->used += ix->slots[k].msg == 0;
    ix->slots[k].msg = i + 1;
    ix->slots[k].hash = h;
    return OSCAR_OK;
}

/* mix folds one 64-bit word into h (multiply-xorshift, as in the MurmurHash family). */
static uint64_t mix(uint64_t h, uint64_t w)
{
    h ^= w * UINT64_C(0x9e3779b97f4a7c15);
    h = (h ^ (h >> 29)) * UINT64_C(0xbf58476d1ce4e5b9);
    return h ^ (h >> 32);
}

uint64_t oscar_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t w;
    for (; n >= 8; n -= 8, b += 8) {
        memcpy(&w, b, 8);
        h = mix(h, w);
    }
    w = n; /* the tail, with its length, so that trailing zero bytes count */
    for (size_t i = 0; i < n; i++) {
        w |= (uint64_t)b[i] << (8 * i + 8);
    }
    return mix(h, w);
}

uint64_t oscar_hash_endpoint(uint64_t h, const struct oscar_endpoint *e)
{
    uint64_t a;
    uint64_t b = 0;
    memcpy(&a, e->addr, 8);
    if (e->family == AF_INET6) {
        memcpy(&b, e->addr + 8, 8);
    } else {
        a &= UINT64_C(0xffffffff); /* only the first 4 bytes of an IPv4 address are set */
    }
    return mix(mix(mix(h, (uint64_t)(unsigned)e->family << 16 | e->port), a), b);
}
