/* oscore/internal.h — helpers shared by the files of impl/ref/oscore. */
#ifndef OSCAR_OSCORE_INTERNAL_H
#define OSCAR_OSCORE_INTERNAL_H

#include "oscar/oscore.h"

/* OSCAR_PROXY_URI_SCRATCH is the scratch space oscar_oscore_decompose_proxy_uri needs: the
 * longest Proxy-Uri (1034 bytes, RFC 7252 §5.10) decoded plus the composed outer value. */
#define OSCAR_PROXY_URI_MAX 1034
#define OSCAR_PROXY_URI_SCRATCH (2 * OSCAR_PROXY_URI_MAX)

/* oscar_oscore_decompose_proxy_uri splits a Proxy-Uri value (RFC 8613 §4.1.3.3, RFC 7252 §6.4)
 * into an outer Proxy-Uri holding scheme and authority (*out_outer) and inner Uri-Path and
 * Uri-Query options appended to inner[*num_inner]. Values live in scratch. */
enum oscar_err oscar_oscore_decompose_proxy_uri(struct oscar_coap_option *out_outer,
                                                struct oscar_coap_option *inner, size_t *num_inner,
                                                size_t inner_cap, uint8_t *scratch,
                                                size_t scratch_cap, const uint8_t *uri,
                                                size_t uri_len);

#endif
