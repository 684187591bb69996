/* otest.c — see otest.h. */
#include "otest.h"

struct otest_state otest;

#define OTEST_DEFAULT_SEED UINT64_C(0x0dd5ca1ab1e5eed5)

void otest_init(int argc, char **argv)
{
    (void)argc;
    memset(&otest, 0, sizeof(otest));
    otest.argv0 = argv[0];
    const char *s = getenv("OSCAR_SEED");
    otest.seed = s != NULL && s[0] != '\0' ? strtoull(s, NULL, 0) : OTEST_DEFAULT_SEED;
    if (otest.seed == 0) {
        otest.seed = OTEST_DEFAULT_SEED;
    }
}

bool otest_selected(int argc, char **argv, const char *name)
{
    if (argc < 2) {
        return true;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static uint64_t rng_state;
static bool rng_seeded;

uint64_t otest_rand(void)
{
    if (!rng_seeded) {
        rng_state = otest.seed;
        rng_seeded = true;
    }
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(0x2545F4914F6CDD1D);
}

void otest_fail_header(const char *file, int line, const char *expr)
{
    if (!otest.case_failed) {
        fprintf(stderr,
                "%s: case %s failed (seed 0x%" PRIx64 "); rerun: OSCAR_SEED=0x%" PRIx64 " %s %s\n",
                otest.argv0, otest.current, otest.seed, otest.seed, otest.argv0, otest.current);
    }
    otest.case_failed = 1;
    fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, expr);
}

void otest_hex(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "    %s (%zu) ", label, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, "%02x", p[i]);
    }
    fprintf(stderr, "\n");
}

size_t otest_unhex(uint8_t *out, size_t out_cap, const char *s)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == ' ') {
            continue;
        }
        int v = oscar_hex_digit((unsigned char)*p);
        if (v < 0 || (hi >= 0 && n >= out_cap)) {
            fprintf(stderr, "bad hex in test table: %s\n", s);
            abort();
        }
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        fprintf(stderr, "odd hex in test table: %s\n", s);
        abort();
    }
    return n;
}

int otest_finish(void)
{
    printf("%d passed, %d failed\n", otest.cases_run - otest.cases_failed, otest.cases_failed);
    return otest.cases_failed != 0 || otest.cases_run == 0;
}
