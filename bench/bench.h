/*
 * Benchmark harness: each measurement is repeated, and min / median / max are printed
 * (text) or collected (--json). Benchmarks are programs, never timed tests.
 */
#ifndef STARKML_BENCH_BENCH_H
#define STARKML_BENCH_BENCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  int json;         /* collect JSON instead of printing text */
  int reps;         /* repetitions per measurement (>= 1) */
  int threads;      /* worker threads (>= 1) */
  int quick;        /* smaller sizes, for a smoke run */
  json_t *results;  /* array of result objects when json */
} bench_cfg;

typedef struct {
  double min, median, max; /* seconds */
} bench_stats;

/* Monotonic clock in seconds. */
double bench_now(void);

/* Sorts samples[0..n) and fills min / median / max. */
bench_stats bench_stats_of(double *samples, int n);

/*
 * Reports one measurement. `work` is how much one run does in `work_unit` (for example
 * butterflies or bytes); the report adds the rate at the median. extra may be NULL.
 */
void bench_report(bench_cfg *cfg, const char *name, const bench_stats *s, double work,
                  const char *work_unit, const char *extra);

/*
 * The prover's secret seed for repetition r (r = -1: a warm-up). Every repetition gets its
 * own seed: the proof of work's cost is geometrically distributed (2^grinding_bits hashes
 * on average) and is a function of the transcript, so with one fixed seed every repetition
 * would grind exactly as long as the first, one draw of a random variable.
 */
void bench_seed(uint8_t seed[32], int r);

/* Resets the kernel's RSS high-water mark (Linux >= 4.0). Returns 1 on success. */
int bench_rss_reset(void);
/* Peak resident set of the process in KiB (getrusage), or -1. */
long bench_rss_peak_kib(void);

/* Sections (one file each). */
void bench_ntt(bench_cfg *cfg);
void bench_hash(bench_cfg *cfg);
void bench_stark(bench_cfg *cfg);
void bench_zkml(bench_cfg *cfg);

#endif
