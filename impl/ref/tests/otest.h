/* otest.h — a minimal unit-test harness for Oscar's C tests.
 *
 * A test binary lists its cases in main with OTEST_RUN; `binary [CASE...]` runs all or the named
 * cases. A failed check prints file:line, the expression, expected vs actual (hex for bytes), the
 * seed, and the command that reruns the case (STYLE.md rule 28). */
#ifndef OSCAR_OTEST_H
#define OSCAR_OTEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oscar/core.h"

struct otest_state {
    const char *argv0;
    const char *current;
    int case_failed;
    int cases_run;
    int cases_failed;
    uint64_t seed;
};

extern struct otest_state otest;

void otest_fail_header(const char *file, int line, const char *expr);
void otest_hex(const char *label, const uint8_t *p, size_t n);
/* otest_unhex decodes the hex string s of a test table (spaces ignored) into out and returns its
 * length; a bad or odd table entry, or one longer than out_cap, aborts the test binary. */
size_t otest_unhex(uint8_t *out, size_t out_cap, const char *s);
void otest_init(int argc, char **argv);
bool otest_selected(int argc, char **argv, const char *name);
int otest_finish(void);
/* otest_rand is a seeded xorshift64* generator (seed from $OSCAR_SEED, default fixed). */
uint64_t otest_rand(void);

#define OTEST_CHECK(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            otest_fail_header(__FILE__, __LINE__, #cond);                                          \
        }                                                                                          \
    } while (0)

#define OTEST_EQ_INT(expected, actual)                                                             \
    do {                                                                                           \
        long long otest_e_ = (long long)(expected);                                                \
        long long otest_a_ = (long long)(actual);                                                  \
        if (otest_e_ != otest_a_) {                                                                \
            otest_fail_header(__FILE__, __LINE__, #actual " == " #expected);                       \
            fprintf(stderr, "    expected %lld\n    actual   %lld\n", otest_e_, otest_a_);         \
        }                                                                                          \
    } while (0)

#define OTEST_OK(expr)                                                                             \
    do {                                                                                           \
        enum oscar_err otest_err_ = (expr);                                                        \
        if (otest_err_ != OSCAR_OK) {                                                              \
            otest_fail_header(__FILE__, __LINE__, #expr);                                          \
            fprintf(stderr, "    returned %s\n", oscar_err_str(otest_err_));                       \
        }                                                                                          \
    } while (0)

#define OTEST_ERR(expected, expr)                                                                  \
    do {                                                                                           \
        enum oscar_err otest_err_ = (expr);                                                        \
        if (otest_err_ != (expected)) {                                                            \
            otest_fail_header(__FILE__, __LINE__, #expr);                                          \
            fprintf(stderr, "    expected %s\n    returned %s\n", oscar_err_str(expected),         \
                    oscar_err_str(otest_err_));                                                    \
        }                                                                                          \
    } while (0)

#define OTEST_EQ_BYTES(exp, exp_len, act, act_len)                                                 \
    do {                                                                                           \
        size_t otest_el_ = (exp_len);                                                              \
        size_t otest_al_ = (act_len);                                                              \
        if (otest_el_ != otest_al_ || (otest_el_ && memcmp((exp), (act), otest_el_) != 0)) {       \
            otest_fail_header(__FILE__, __LINE__, #act " == " #exp);                               \
            otest_hex("expected", (const uint8_t *)(exp), otest_el_);                              \
            otest_hex("actual  ", (const uint8_t *)(act), otest_al_);                              \
        }                                                                                          \
    } while (0)

#define OTEST_RUN(fn)                                                                              \
    do {                                                                                           \
        if (otest_selected(argc, argv, #fn)) {                                                     \
            otest.current = #fn;                                                                   \
            otest.case_failed = 0;                                                                 \
            fn();                                                                                  \
            otest.cases_run++;                                                                     \
            if (otest.case_failed) {                                                               \
                otest.cases_failed++;                                                              \
                printf("FAIL %s\n", #fn);                                                          \
            } else {                                                                               \
                printf("PASS %s\n", #fn);                                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#endif
