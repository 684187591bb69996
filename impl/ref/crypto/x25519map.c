/* crypto/x25519map.c — the Ed25519 -> X25519 public key map of RFC 10021 §2.5.2.1 (RFC 7748
 * §4.1: u = (1 + y) / (1 - y) mod p, p = 2^255 - 19), which pairwise mode needs to run ECDH on
 * a peer's Ed25519 signature key.
 *
 * Written here rather than taken from wolfSSL: its field arithmetic is internal (no exported
 * function computes the map or a modular inverse over p), and the map is a few lines of
 * arithmetic. Numbers are 8 little-endian 32-bit limbs; products use 64-bit intermediates. Not
 * constant time: it only ever sees public keys. */
#include <string.h>

#include "oscar/crypto.h"

typedef uint32_t fe[8];

/* P is 2^255 - 19. */
static const fe P = {0xffffffedu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                     0xffffffffu, 0xffffffffu, 0xffffffffu, 0x7fffffffu};

/* fold adds carry * 2^256 back in as carry * 38 (2^256 = 38 mod p) until no carry is left. */
static void fold(fe r, uint64_t carry)
{
    while (carry != 0) {
        uint64_t c = carry * 38;
        for (int i = 0; i < 8; i++) {
            c += r[i];
            r[i] = (uint32_t)c;
            c >>= 32;
        }
        carry = c;
    }
}

static void fe_add(fe r, const fe a, const fe b)
{
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (uint64_t)a[i] + b[i];
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    fold(r, c);
}

/* geq_p: a >= p. */
static int geq_p(const fe a)
{
    for (int i = 7; i >= 0; i--) {
        if (a[i] != P[i]) {
            return a[i] > P[i];
        }
    }
    return 1;
}

/* freeze reduces a (< 2^256) fully: the result is below p. */
static void freeze(fe a)
{
    while (geq_p(a)) {
        uint64_t borrow = 0;
        for (int i = 0; i < 8; i++) {
            uint64_t d = (uint64_t)a[i] - P[i] - borrow;
            a[i] = (uint32_t)d;
            borrow = (d >> 32) & 1;
        }
    }
}

/* fe_sub: r = a - b mod p, as a + (p - b) with b fully reduced. */
static void fe_sub(fe r, const fe a, const fe b)
{
    fe nb;
    memcpy(nb, b, sizeof(fe));
    freeze(nb);
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t d = (uint64_t)P[i] - nb[i] - borrow;
        nb[i] = (uint32_t)d;
        borrow = (d >> 32) & 1;
    }
    fe_add(r, a, nb);
}

static void fe_mul(fe r, const fe a, const fe b)
{
    uint32_t t[16] = {0};
    for (int i = 0; i < 8; i++) {
        uint64_t c = 0;
        for (int j = 0; j < 8; j++) {
            c += (uint64_t)a[i] * b[j] + t[i + j];
            t[i + j] = (uint32_t)c;
            c >>= 32;
        }
        t[i + 8] = (uint32_t)c;
    }
    /* t = lo + hi * 2^256 = lo + 38 * hi (mod p) */
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (uint64_t)t[i] + (uint64_t)t[i + 8] * 38;
        r[i] = (uint32_t)c;
        c >>= 32;
    }
    fold(r, c);
}

/* fe_inv: r = a^(p - 2) = 1 / a (a != 0). p - 2 = 2^255 - 21: bits 254..5 set, then 01011. */
static void fe_inv(fe r, const fe a)
{
    fe x = {1};
    for (int bit = 254; bit >= 0; bit--) {
        fe_mul(x, x, x);
        if (bit >= 5 || bit == 3 || bit == 1 || bit == 0) {
            fe_mul(x, x, a);
        }
    }
    memcpy(r, x, sizeof(fe));
}

static int fe_is_zero(const fe a)
{
    fe t;
    memcpy(t, a, sizeof(fe));
    freeze(t);
    uint32_t acc = 0;
    for (int i = 0; i < 8; i++) {
        acc |= t[i];
    }
    return acc == 0;
}

enum oscar_err oscar_ed25519_to_x25519_public(uint8_t u[32], const uint8_t ed_pub[32])
{
    fe y;
    for (int i = 0; i < 8; i++) {
        y[i] = (uint32_t)ed_pub[4 * i] | (uint32_t)ed_pub[4 * i + 1] << 8 |
               (uint32_t)ed_pub[4 * i + 2] << 16 | (uint32_t)ed_pub[4 * i + 3] << 24;
    }
    y[7] &= 0x7fffffffu; /* the top bit is the sign of x */
    if (geq_p(y)) {
        return OSCAR_ERR_INVALID_ARG; /* not a canonical encoding (RFC 8032 §5.1.3) */
    }
    const fe one = {1};
    fe num;
    fe den;
    fe_add(num, one, y);
    fe_sub(den, one, y);
    if (fe_is_zero(den) || fe_is_zero(num)) {
        return OSCAR_ERR_INVALID_ARG; /* y = 1 or y = -1 */
    }
    fe inv;
    fe r;
    fe_inv(inv, den);
    fe_mul(r, num, inv);
    freeze(r);
    for (int i = 0; i < 8; i++) {
        u[4 * i] = (uint8_t)r[i];
        u[4 * i + 1] = (uint8_t)(r[i] >> 8);
        u[4 * i + 2] = (uint8_t)(r[i] >> 16);
        u[4 * i + 3] = (uint8_t)(r[i] >> 24);
    }
    return OSCAR_OK;
}
