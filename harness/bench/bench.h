/* bench.h — shared pieces of the benchmark commands (figures only; nothing asserts). */
#ifndef OSCAR_BENCH_H
#define OSCAR_BENCH_H

#include <stdint.h>

/* oscar_bench_cmp_double orders doubles for qsort (medians). */
int oscar_bench_cmp_double(const void *a, const void *b);

/* oscar_group_bench runs `oscar bench --group` (group_bench.c) with signature algorithm sig,
 * rounds runs per size; returns an exit code. */
int oscar_group_bench(int32_t sig, int rounds);

#endif
