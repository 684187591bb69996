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

/* struct oscar_decoded is one datagram of a capture. A million of them are held at once, so the
 * fields are ordered and sized to keep it small (lengths fit a UDP datagram). */
struct oscar_decoded {
    size_t frame;
    uint64_t usec;
    /* for decrypted OSCORE messages: the sender's own Partial IV (requests always, responses
     * when they carry one) as a number, piv_len 0 when none */
    uint64_t piv;
    uint8_t *wire;
    uint8_t *plain; /* decrypted message, or the wire bytes if not OSCORE */
    long request;   /* for responses: index of the request it answers, -1 if none */
    /* the first datagram with the same bytes between the same endpoints (itself if none): a
     * CoAP retransmission, duplicate or replay of it when not itself */
    long first_copy;
    struct oscar_endpoint src;
    struct oscar_endpoint dst;
    uint32_t wire_len;
    uint32_t plain_len;
    uint32_t coap_offset;
    enum oscar_coap_rule coap_rule;    /* WELL_FORMED or the RFC 7252 rule broken */
    enum oscar_oscore_verdict verdict; /* for OSCORE messages */
    int context;                       /* decoding context index, -1 if none */
    int inner_observe_len; /* responses: length of the encrypted Observe value, -1 if none */
    uint16_t mid;
    uint8_t type;
    uint8_t code; /* outer code */
    uint8_t token_len;
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    bool is_request;
    bool oscore;
    uint8_t piv_len;
    /* for OSCORE requests read with a context: what binds the responses (§7.1, §5.4): the kid,
     * the Partial IV as sent, whether it registers an Observation; its nonce is `nonce` */
    bool observe;
    uint8_t kid_len;
    uint8_t kid[OSCAR_OSCORE_ID_MAX];
    uint8_t request_piv_len;
    uint8_t request_piv[OSCAR_OSCORE_PIV_MAX];
    /* for decrypted OSCORE messages: the AEAD key (key_id: the first context with that key,
     * oscar_transcript.key_id) and the nonce the sender used (RFC 8613 §7.2) */
    bool has_key_nonce;
    uint8_t key_id;
    uint8_t nonce_len;
    uint8_t nonce[OSCAR_CRYPTO_NONCE_MAX];
};

struct oscar_transcript {
    struct oscar_decoded *msgs;
    size_t num_msgs;
    size_t cap;
    char context_names[OSCAR_DECODE_MAX_CONTEXTS][OSCAR_CONTEXT_NAME_MAX + 8];
    size_t num_contexts;
    /* the replay window each context states for its recipient (0: not stated) */
    uint64_t replay_window[OSCAR_DECODE_MAX_CONTEXTS];
    /* per context: the first context with the same recipient key (its key's identity) */
    uint8_t key_id[OSCAR_DECODE_MAX_CONTEXTS];
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
