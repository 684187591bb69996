/* udp_util.h — what the UDP peers (oscar-group-peer, the ACE roles of oscar-peer) share: JSON
 * events on stdout, hex and number fields of their JSON configs, and ADDR:PORT text to and from
 * socket addresses. */
#ifndef OSCAR_PEER_UDP_UTIL_H
#define OSCAR_PEER_UDP_UTIL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PEER_UTIL_HEX_MAX 1500 /* longest byte string an event shows */

/* peer_util_event prints e as one JSON line on stdout (flushed) and frees it. */
void peer_util_event(cJSON *e);
/* peer_util_add_hex adds b as a hex string under key. */
void peer_util_add_hex(cJSON *o, const char *key, const uint8_t *b, size_t n);
/* peer_util_get_hex reads o[key], a hex string, into out (false if absent or malformed). */
bool peer_util_get_hex(const cJSON *o, const char *key, uint8_t *out, size_t cap, size_t *len);
/* peer_util_get_int reads o[key] as a number (0 if absent). */
int32_t peer_util_get_int(const cJSON *o, const char *key);
/* peer_util_get_str reads o[key] as a string (NULL if absent). */
const char *peer_util_get_str(const cJSON *o, const char *key);
/* peer_util_parse_addr parses ADDR:PORT ([v6]:PORT) into a socket address. */
bool peer_util_parse_addr(struct sockaddr_storage *ss, socklen_t *sl, const char *text);
/* peer_util_format_addr writes a socket address as ADDR:PORT. */
void peer_util_format_addr(char *out, size_t cap, const struct sockaddr_storage *ss);

/* peer_util_bind opens a UDP socket bound to ADDR:PORT text bind_addr; the bound address goes
 * to *out (its port to *port). -1 with the reason on stderr (prefixed by who). */
int peer_util_bind(const char *who, const char *bind_addr, struct sockaddr_storage *out,
                   unsigned *port);

/* peer_util_ready writes `ready PORT` on fd (if >= 0) and closes it (docs/shim-contract.md). */
void peer_util_ready(int fd, unsigned port);

#endif
