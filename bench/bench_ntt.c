/*
 * NTT and coset LDE benchmarks (core/ntt.h).
 *
 * Work unit: one radix-2 butterfly, (n / 2) log2 n per column of a 2^log_n transform. For
 * the LDE, the work is that of the transforms it stands for: an inverse of size n plus a
 * forward of size N = n * blowup, per column. `extra` gives the median's cost in ns per
 * butterfly per core (wall time x threads / butterflies), the figure to compare across
 * machines and thread counts. Buffers and plans are made before timing; the timed region
 * is one library call, after one untimed warm-up call (page faults, thread start-up).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/bench.h"
#include "core/ntt.h"

static gl_t *alloc_filled(size_t n) {
  gl_t *x = malloc(n * sizeof *x);
  if (x == NULL) return NULL;
  uint64_t s = 0x243F6A8885A308D3ULL;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x[i] = gl_from_u64(s);
  }
  return x;
}

static double butterflies(unsigned log_n) { return (double)((size_t)1 << log_n) / 2 * log_n; }

static void report(bench_cfg *cfg, const char *name, double *samples, double work) {
  bench_stats s = bench_stats_of(samples, cfg->reps);
  char extra[64];
  snprintf(extra, sizeof extra, "%.2f ns/butterfly/core", s.median * 1e9 * cfg->threads / work);
  bench_report(cfg, name, &s, work, "butterfly", extra);
}

/* In-place forward (or inverse) of ncols columns of 2^log_n, natural -> bit-reversed
 * (inverse: bit-reversed -> natural), the orders the LDE and FRI use. */
static void bench_xform(bench_cfg *cfg, sm_ntt_plan *plan, unsigned log_n, size_t ncols,
                        int inverse, double *samples) {
  size_t n = (size_t)1 << log_n;
  gl_t *x = alloc_filled(n * ncols);
  if (x == NULL) {
    fprintf(stderr, "bench_ntt: out of memory for 2^%u x %zu\n", log_n, ncols);
    return;
  }
  sm_order in = inverse ? SM_ORDER_BITREV : SM_ORDER_NATURAL;
  sm_order out = inverse ? SM_ORDER_NATURAL : SM_ORDER_BITREV;
  starkml_status (*fn)(sm_ntt_plan *, gl_t *, size_t, size_t, unsigned, sm_order, sm_order) =
      inverse ? sm_ntt_inverse : sm_ntt_forward;
  fn(plan, x, ncols, n, log_n, in, out);
  for (int r = 0; r < cfg->reps; r++) {
    double t0 = bench_now();
    fn(plan, x, ncols, n, log_n, in, out);
    samples[r] = bench_now() - t0;
  }
  char name[64];
  snprintf(name, sizeof name, "ntt %s 2^%u x %zu", inverse ? "inverse" : "forward", log_n, ncols);
  report(cfg, name, samples, butterflies(log_n) * (double)ncols);
  free(x);
}

static void bench_lde(bench_cfg *cfg, sm_ntt_plan *plan, unsigned log_n, unsigned log_blowup,
                      size_t ncols, double *samples) {
  size_t n = (size_t)1 << log_n, N = n << log_blowup;
  gl_t *in = alloc_filled(n * ncols), *out = malloc(N * ncols * sizeof *out);
  if (in == NULL || out == NULL) {
    fprintf(stderr, "bench_ntt: out of memory for LDE 2^%u x %zu\n", log_n, ncols);
    free(in);
    free(out);
    return;
  }
  sm_lde(plan, out, N, in, n, ncols, log_n, log_blowup, GL_GENERATOR);
  for (int r = 0; r < cfg->reps; r++) {
    double t0 = bench_now();
    sm_lde(plan, out, N, in, n, ncols, log_n, log_blowup, GL_GENERATOR);
    samples[r] = bench_now() - t0;
  }
  char name[64];
  snprintf(name, sizeof name, "lde 2^%u -> 2^%u x %zu", log_n, log_n + log_blowup, ncols);
  report(cfg, name, samples, (butterflies(log_n) + butterflies(log_n + log_blowup)) * (double)ncols);
  free(in);
  free(out);
}

void bench_ntt(bench_cfg *cfg) {
  static const unsigned full_sizes[] = {16, 20, 22, 24};
  static const unsigned quick_sizes[] = {12, 16};
  const unsigned *sizes = cfg->quick ? quick_sizes : full_sizes;
  size_t nsizes = cfg->quick ? 2 : 4;
  unsigned max_log = cfg->quick ? 16 : 24;
  unsigned batch_log = cfg->quick ? 12 : 20;   /* 16 columns */
  unsigned lde_log = cfg->quick ? 13 : 20;     /* blowup 8 */
  double *samples = malloc((size_t)cfg->reps * sizeof *samples);
  sm_ntt_plan *plan = NULL;
  if (samples == NULL || sm_ntt_plan_create(&plan, max_log, cfg->threads) != STARKML_OK) {
    fprintf(stderr, "bench_ntt: cannot create a plan for 2^%u\n", max_log);
    free(samples);
    return;
  }
  for (size_t i = 0; i < nsizes; i++) bench_xform(cfg, plan, sizes[i], 1, 0, samples);
  bench_xform(cfg, plan, batch_log, 16, 0, samples);
  bench_xform(cfg, plan, cfg->quick ? 16 : 20, 1, 1, samples);
  bench_lde(cfg, plan, lde_log, 3, 1, samples);
  bench_lde(cfg, plan, lde_log, 3, 8, samples);
  sm_ntt_plan_free(plan);
  free(samples);
}
