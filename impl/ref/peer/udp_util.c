/* udp_util.c — see udp_util.h. */
#include "udp_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "hcore.h"
#include "pcapio.h"

void peer_util_event(cJSON *e)
{
    char *s = cJSON_PrintUnformatted(e);
    if (s != NULL) {
        printf("%s\n", s);
        fflush(stdout);
        cJSON_free(s);
    }
    cJSON_Delete(e);
}

void peer_util_add_hex(cJSON *o, const char *key, const uint8_t *b, size_t n)
{
    char h[2 * PEER_UTIL_HEX_MAX + 1];
    oscar_hex_encode(h, b, n < PEER_UTIL_HEX_MAX ? n : PEER_UTIL_HEX_MAX);
    cJSON_AddStringToObject(o, key, h);
}

bool peer_util_get_hex(const cJSON *o, const char *key, uint8_t *out, size_t cap, size_t *len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    *len = 0;
    return cJSON_IsString(v) &&
           oscar_hex_decode(out, cap, len, v->valuestring, strlen(v->valuestring)) == OSCAR_OK;
}

int32_t peer_util_get_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (int32_t)v->valuedouble : 0;
}

const char *peer_util_get_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool peer_util_parse_addr(struct sockaddr_storage *ss, socklen_t *sl, const char *text)
{
    struct oscar_endpoint e;
    if (oscar_endpoint_parse(&e, text) != OSCAR_OK) {
        return false;
    }
    memset(ss, 0, sizeof(*ss));
    if (e.family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(e.port);
        memcpy(&s6->sin6_addr, e.addr, 16);
        *sl = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(e.port);
        memcpy(&s4->sin_addr, e.addr, 4);
        *sl = sizeof(*s4);
    }
    return true;
}

void peer_util_format_addr(char *out, size_t cap, const struct sockaddr_storage *ss)
{
    char a[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
        snprintf(out, cap, "[%s]:%u", a, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
        snprintf(out, cap, "%s:%u", a, ntohs(s4->sin_port));
    }
}

int peer_util_bind(const char *who, const char *bind_addr, struct sockaddr_storage *out,
                   unsigned *port)
{
    socklen_t sl;
    if (!peer_util_parse_addr(out, &sl, bind_addr)) {
        fprintf(stderr, "%s: bad --bind %s\n", who, bind_addr);
        return -1;
    }
    int fd = socket(out->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)out, sl) != 0 ||
        getsockname(fd, (struct sockaddr *)out, &sl) != 0) {
        fprintf(stderr, "%s: bind %s: %s\n", who, bind_addr, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    *port = out->ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)out)->sin6_port)
                                       : ntohs(((struct sockaddr_in *)out)->sin_port);
    return fd;
}

void peer_util_ready(int fd, unsigned port)
{
    if (fd >= 0) {
        dprintf(fd, "ready %u\n", port);
        close(fd);
    }
}
