/* bench.h — shared pieces of the benchmark commands (figures only; nothing asserts). */
#ifndef OSCAR_BENCH_H
#define OSCAR_BENCH_H

#include <stdint.h>

/* oscar_bench_cmp_double orders doubles for qsort (medians). */
int oscar_bench_cmp_double(const void *a, const void *b);

/* oscar_group_bench runs `oscar bench --group` (group_bench.c) with signature algorithm sig,
 * rounds runs per size; returns an exit code. */
int oscar_group_bench(int32_t sig, int rounds);

/* oscar_bench_seconds is a monotonic clock in seconds. */
double oscar_bench_seconds(void);

/* oscar_bench_sig_rates measures signs/s and verifies/s of signature algorithm sig (half a
 * second each). */
void oscar_bench_sig_rates(int32_t sig, double *sign_rate, double *verify_rate);

/* oscar_ace_bench runs `oscar bench --ace` (ace_bench.c): joins per second at the reference
 * Group Manager and the time to rekey groups of 100 and 1000 members; returns an exit code. */
int oscar_ace_bench(int rounds);

#endif
