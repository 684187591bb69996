/* transport.h — CoAP-over-UDP messaging for oscar-peer on libcoap: confirmable retransmission,
 * deduplication, piggybacked and separate responses. OSCORE is not libcoap's business here
 * (Debian's libcoap has none): the peer hands this layer whole CoAP messages as bytes, already
 * protected by Oscar's reference core, and gets bytes back. transport.c is the only file that
 * includes libcoap. */
#ifndef OSCAR_PEER_TRANSPORT_H
#define OSCAR_PEER_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscar/core.h"

struct oscar_transport;
struct oscar_transport_peer; /* a remote endpoint a server can send separate messages to */

/* struct oscar_transport_addr is a UDP endpoint in the form the peer's command line uses. */
struct oscar_transport_addr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    uint16_t port;
};

/* oscar_transport_request_fn is a server's handler: msg is the received request; it writes the
 * response (header fields other than code are the transport's) into resp, *resp_len = 0 for an
 * empty ACK. from can be kept with oscar_transport_peer_ref for later notifications. */
typedef void (*oscar_transport_request_fn)(void *arg, struct oscar_transport_peer *from,
                                           const uint8_t *msg, size_t len, uint8_t *resp,
                                           size_t resp_cap, size_t *resp_len);

/* oscar_transport_response_fn receives a client's response (or a server's notification ACK-less
 * message) as bytes. */
typedef void (*oscar_transport_response_fn)(void *arg, const uint8_t *msg, size_t len);

/* oscar_transport_timeout_fn reports a confirmable message that was never acknowledged. */
typedef void (*oscar_transport_timeout_fn)(void *arg, uint16_t mid);

struct oscar_transport_handlers {
    oscar_transport_request_fn on_request;
    oscar_transport_response_fn on_response;
    oscar_transport_timeout_fn on_timeout;
    void *arg;
};

/* oscar_transport_open_server listens on bind (port 0: any free port). oscore_aware false makes
 * the OSCORE option unknown, so libcoap answers 4.02 (Bad Option) as an OSCORE-unaware server
 * must (plugtest test 16). */
enum oscar_err oscar_transport_open_server(struct oscar_transport **out,
                                           const struct oscar_transport_addr *bind,
                                           bool oscore_aware,
                                           const struct oscar_transport_handlers *h);

/* oscar_transport_open_client opens a session from bind to server. */
enum oscar_err oscar_transport_open_client(struct oscar_transport **out,
                                           const struct oscar_transport_addr *bind,
                                           const struct oscar_transport_addr *server,
                                           const struct oscar_transport_handlers *h);

void oscar_transport_close(struct oscar_transport *t);

/* oscar_transport_local gives the bound local endpoint (to print `ready <port>`). */
void oscar_transport_local(const struct oscar_transport *t, struct oscar_transport_addr *out);

/* oscar_transport_fd is the descriptor to poll for input; then call oscar_transport_process. */
int oscar_transport_fd(const struct oscar_transport *t);

/* oscar_transport_process runs libcoap's I/O once without waiting (retransmissions included). */
void oscar_transport_process(struct oscar_transport *t);

/* oscar_transport_new_mid returns a fresh Message ID of the client session. */
uint16_t oscar_transport_new_mid(struct oscar_transport *t);

/* oscar_transport_send sends a complete message (client: to the server). */
enum oscar_err oscar_transport_send(struct oscar_transport *t, const uint8_t *msg, size_t len);

/* oscar_transport_peer_ref keeps a server-side peer for later messages; unref releases it. */
struct oscar_transport_peer *oscar_transport_peer_ref(struct oscar_transport_peer *p);
void oscar_transport_peer_unref(struct oscar_transport_peer *p);

/* oscar_transport_peer_mid returns a fresh Message ID towards p. */
uint16_t oscar_transport_peer_mid(struct oscar_transport_peer *p);

/* oscar_transport_send_to_peer sends a complete message (e.g. a notification) to p. */
enum oscar_err oscar_transport_send_to_peer(struct oscar_transport_peer *p, const uint8_t *msg,
                                            size_t len);

#endif
