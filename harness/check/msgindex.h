/* msgindex.h — a hash index over the messages of a transcript, so that the checker's lookups
 * (the first copy of a datagram, the latest request with a token, the first use of a key and
 * nonce, the first request with a Partial IV) take constant time and a capture of a million
 * packets is judged in linear time. Written here rather than taken from a library because the
 * keys are transcript messages compared by the checker's own equality functions. */
#ifndef OSCAR_MSGINDEX_H
#define OSCAR_MSGINDEX_H

#include "decode.h"

/* oscar_msg_eq says whether stored message a matches probe message b. */
typedef bool (*oscar_msg_eq)(const struct oscar_transcript *t, size_t a, size_t b);

struct oscar_msg_slot {
    uint64_t hash;
    size_t msg; /* message index + 1; 0 is empty */
};

struct oscar_msg_index {
    struct oscar_msg_slot *slots; /* hash next to index: one cache line per probe */
    size_t mask;
    size_t used;
};

enum oscar_err oscar_msg_index_init(struct oscar_msg_index *ix, size_t expected);
void oscar_msg_index_free(struct oscar_msg_index *ix);

/* oscar_msg_index_find returns the stored message with hash h that eq matches with probe, or -1. */
long oscar_msg_index_find(const struct oscar_msg_index *ix, uint64_t h,
                          const struct oscar_transcript *t, size_t probe, oscar_msg_eq eq);

/* oscar_msg_index_prefetch starts loading the slot where hash h goes, so that a find, first or
 * put under h a little later does not wait for memory: a table of a million messages is far
 * larger than the caches, and every probe would otherwise miss them. */
void oscar_msg_index_prefetch(const struct oscar_msg_index *ix, uint64_t h);

/* oscar_msg_index_first sets *out_first to the first message stored under hash h that eq matches
 * with message i; when there is none it stores i and sets *out_first to i. One probe for both. */
enum oscar_err oscar_msg_index_first(struct oscar_msg_index *ix, uint64_t h,
                                     const struct oscar_transcript *t, size_t i, oscar_msg_eq eq,
                                     long *out_first);

/* oscar_msg_index_put stores message i under hash h in place of any stored message eq matches
 * (the index then finds the latest). */
enum oscar_err oscar_msg_index_put(struct oscar_msg_index *ix, uint64_t h,
                                   const struct oscar_transcript *t, size_t i, oscar_msg_eq eq);

/* a 64-bit hash of bytes, 8 at a time, chained from h (start with OSCAR_HASH_SEED). */
#define OSCAR_HASH_SEED UINT64_C(0xcbf29ce484222325)
uint64_t oscar_hash_bytes(uint64_t h, const void *p, size_t n);
uint64_t oscar_hash_endpoint(uint64_t h, const struct oscar_endpoint *e);

#endif
