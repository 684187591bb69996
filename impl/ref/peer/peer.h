/* peer.h — oscar-peer internals shared by its files: the reference implementation as a networked
 * CoAP/OSCORE endpoint speaking the shim contract (docs/shim-contract.md). */
#ifndef OSCAR_PEER_H
#define OSCAR_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "contexts.h"
#include "oscar/oscore.h"
#include "transport.h"

#define PEER_MAX_CONTEXTS 16
#define PEER_MAX_PENDING 32
#define PEER_MAX_OBSERVERS 8
#define PEER_ID_MAX 64
#define PEER_MSG_MAX 1500
#define PEER_RESOURCE_VALUE_MAX 256

/* Peer-level fault switches (the protocol-level ones are enum oscar_oscore_fault). */
enum peer_fault {
    PEER_FAULT_REPLAY_GETS_205 = 1u << 0,   /* a detected replay is answered 2.05, unprotected */
    PEER_FAULT_ERROR_PROTECTED = 1u << 1,   /* OSCORE errors (§8.2) sent protected */
    PEER_FAULT_ERROR_UNPROTECTED = 1u << 2, /* application errors sent unprotected (§8.3) */
    PEER_FAULT_NO_DEDUP = 1u << 3 /* duplicate CON requests processed again (RFC 7252 §4.5) */
};

struct peer_ctx {
    char name[OSCAR_CONTEXT_NAME_MAX];
    struct oscar_oscore_ctx ctx;
};

struct peer_pending {
    bool used;
    char id[PEER_ID_MAX];
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    size_t token_len;
    bool oscore;
    size_t ctx_index;
    struct oscar_oscore_exchange ex;
    unsigned responses;
    uint16_t mid;
};

struct peer_observer {
    bool used;
    struct oscar_transport_peer *to;
    uint8_t token[OSCAR_COAP_TOKEN_MAX];
    size_t token_len;
    size_t ctx_index;
    struct oscar_oscore_exchange ex;
    int resource;
    unsigned sent;
    uint64_t due_ms;
};

/* A server answers a duplicate Confirmable request with the response it gave the first copy
 * (RFC 7252 §4.5); libcoap 4.3.1 does not, so the peer keeps the last few. */
#define PEER_DEDUP_ENTRIES 16
#define PEER_DEDUP_LIFETIME_MS 247000 /* EXCHANGE_LIFETIME, RFC 7252 §4.8.2 */

struct peer_dedup {
    bool used;
    const void *from;
    uint8_t request[PEER_MSG_MAX];
    size_t request_len;
    uint8_t response[PEER_MSG_MAX];
    size_t response_len;
    uint64_t at_ms;
};

struct peer {
    bool server;
    struct peer_dedup dedup[PEER_DEDUP_ENTRIES];
    size_t dedup_next;
    struct oscar_transport *t;
    struct peer_ctx contexts[PEER_MAX_CONTEXTS];
    size_t num_contexts;
    struct peer_pending pending[PEER_MAX_PENDING];
    struct peer_observer observers[PEER_MAX_OBSERVERS];
    uint64_t rng;
    uint32_t peer_faults;
    unsigned notify_interval_ms;
    /* plugtest resource state */
    uint8_t hello6[PEER_RESOURCE_VALUE_MAX];
    size_t hello6_len;
    uint8_t hello7[PEER_RESOURCE_VALUE_MAX];
    size_t hello7_len;
    bool quit;
};

/* peer_event prints one JSON event line on stdout (the machine channel). */
void peer_event(cJSON *event);

uint64_t peer_now_ms(void);
uint64_t peer_rand(struct peer *p);

/* Server side (server.c). */
void peer_server_on_request(void *arg, struct oscar_transport_peer *from, const uint8_t *msg,
                            size_t len, uint8_t *resp, size_t resp_cap, size_t *resp_len);
void peer_server_tick(struct peer *p);

/* Client side (client.c). */
void peer_client_on_response(void *arg, const uint8_t *msg, size_t len);
void peer_client_on_timeout(void *arg, uint16_t mid);
/* peer_client_control executes one control line; returns false on a usage error (reported). */
bool peer_client_control(struct peer *p, const cJSON *cmd);

/* peer_hex adds bytes as a lower-case hex string member name to obj. */
void peer_hex(cJSON *obj, const char *name, const uint8_t *data, size_t len);

/* peer_describe adds code, options and payload of a CoAP message to obj. */
void peer_describe(cJSON *obj, const uint8_t *msg, size_t len);

/* oscar_ace_peer_main runs the ACE roles (--role as|gm|joiner, ace_peer.c). */
int oscar_ace_peer_main(int argc, char **argv);

#endif
