/* decode.h — a capture decoded with the reference core: every UDP datagram parsed strictly as
 * CoAP, every OSCORE message verified with every context that fits (both directions of each
 * context given), responses bound to their requests by token and endpoints. This is the ground
 * truth the harness judges peers by (never what a peer says about itself); the trace checker's
 * rules run on it. */
#ifndef OSCAR_DECODE_H
#define OSCAR_DECODE_H

#include "../core/contexts.h"
#include "../trace/pcapio.h"

#define OSCAR_DECODE_MAX_CONTEXTS 64
/* OSCORE messages are verified on up to this many threads (decode.c num_workers) */
#define OSCAR_DECODE_MAX_WORKERS 8

struct oscar_decoded {
    size_t frame;
    uint64_t usec;
    struct oscar_endpoint src;
    struct oscar_endpoint dst;
    uint8_t *wire;
    size_t wire_len;
    enum oscar_coap_rule coap_rule; /* WELL_FORMED or the RFC 7252 rule broken */
    size_t coap_offset;
    bool is_request;
    uint8_t type;
    uint8_t code; /* outer code */
    uint16_t mid;
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    size_t token_len;
    bool oscore;
    enum oscar_oscore_verdict verdict; /* for OSCORE messages */
    int context;                       /* decoding context index, -1 if none */
    uint8_t *plain;                    /* decrypted message, or the wire bytes if not OSCORE */
    size_t plain_len;
    long request; /* for responses: index of the request it answers, -1 if none */
    /* the first datagram with the same bytes between the same endpoints (itself if none): a
     * CoAP retransmission, duplicate or replay of it when not itself */
    long first_copy;
    struct oscar_oscore_exchange ex; /* for OSCORE requests: the exchange (kid, PIV, nonce) */
    /* for decrypted OSCORE messages: the AEAD key and nonce the sender used (RFC 8613 §7.2) */
    int inner_observe_len; /* responses: length of the encrypted Observe value, -1 if none */
    /* for decrypted OSCORE messages: the sender's own Partial IV (requests always, responses
     * when they carry one) as a number, piv_len 0 when none */
    uint8_t piv_len;
    uint64_t piv;
    bool has_key_nonce;
    uint8_t key[OSCAR_CRYPTO_KEY_MAX];
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
    size_t key_len;
    size_t nonce_len;
};

struct oscar_transcript {
    struct oscar_decoded *msgs;
    size_t num_msgs;
    size_t cap;
    char context_names[OSCAR_DECODE_MAX_CONTEXTS][OSCAR_CONTEXT_NAME_MAX + 8];
    size_t num_contexts;
    /* the replay window each context states for its recipient (0: not stated) */
    uint64_t replay_window[OSCAR_DECODE_MAX_CONTEXTS];
    size_t other_ports; /* UDP datagrams left out by the port filter */
    size_t skipped[OSCAR_PCAP_SKIP__COUNT];
    char damage[256];         /* set when the capture ended badly */
    struct oscar_arena arena; /* wire bytes */
    struct oscar_arena worker_arena[OSCAR_DECODE_MAX_WORKERS]; /* decrypted messages */
};

/* oscar_transcript_decode reads pcap_path and decodes it with specs (each used as given and
 * mirrored). Only datagrams from or to one of ports are kept (num_ports 0: all). out is [new]:
 * free with oscar_transcript_free. */
enum oscar_err oscar_transcript_decode(struct oscar_transcript *out, const char *pcap_path,
                                       const struct oscar_context_spec *specs, size_t num_specs,
                                       const uint16_t *ports, size_t num_ports,
                                       struct oscar_diag *diag);

/* oscar_transcript_decode_reader is the same on an open reader (which it closes). */
enum oscar_err oscar_transcript_decode_reader(struct oscar_transcript *out,
                                              struct oscar_pcap_reader *rd,
                                              const struct oscar_context_spec *specs,
                                              size_t num_specs, const uint16_t *ports,
                                              size_t num_ports, struct oscar_diag *diag);

void oscar_transcript_free(struct oscar_transcript *t);

#endif
