/*
 * End-to-end STARK benchmarks (fri/stark.h) on the Fibonacci toy AIR (air/toy.h): two
 * main columns, linear transitions a' = b, b' = a + b, three boundary constraints.
 *
 * For each size (2^16, 2^20, 2^22 rows; --quick: 2^10, 2^12) and each preset (secure,
 * fast), with zero knowledge on, it measures:
 *  - prove: sm_stark_prove alone (the setup, the trace and the options are made before
 *    timing), with a different prover seed for every proof (see bench_seed). Below 2^20
 *    rows one untimed warm-up proof comes first; from 2^20 (a proof takes a minute or
 *    more on two cores) there is none, the repetitions are capped at 3, and a proof slower
 *    than STARK_LONG_PROOF_S (3 minutes) is not repeated at all: the report's reps (and
 *    the JSON's) say how many were taken;
 *  - verify: sm_stark_verify of that proof against the preset's own floor, repeated many
 *    times (at least STARK_VERIFY_REPS, it is fast);
 *  - the proof size in bytes and the security bits (provable / conjectured) of the options;
 *  - the peak RSS of the process during the configuration (getrusage ru_maxrss, after
 *    resetting the kernel's high-water mark through /proc/self/clear_refs where allowed;
 *    otherwise the figure is the peak since the program started, and says so).
 * One more configuration, 2^20 secure with zk = 0 (what --no-zk selects), shows what zero
 * knowledge costs (randomized trace columns, salted leaves).
 *
 * The timed regions contain one library call each; the proof buffer the prover returns is
 * freed outside them. Work units: rows per second (prove), proofs per second (verify).
 * In --json mode each result object also carries log_n, preset, zk, log_blowup, queries,
 * grinding_bits, proof_bytes, provable_bits, conjectured_bits and peak_rss_kib.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/toy.h"
#include "bench/bench.h"
#include "fri/stark.h"

#define STARK_VERIFY_REPS 50
#define STARK_BIG_LOG_N 20 /* from this size: no warm-up, at most STARK_BIG_REPS */
#define STARK_BIG_REPS 3
#define STARK_LONG_PROOF_S 180.0 /* a proof slower than this is not repeated */

/* Adds the STARK-specific fields to the result bench_report appended last. */
static void json_annotate(bench_cfg *cfg, unsigned log_n, const char *preset,
                          const sm_stark_options *opt, size_t proof_len,
                          const sm_soundness_bits *bits, long rss_kib) {
  if (!cfg->json) return;
  size_t k = json_array_size(cfg->results);
  if (k == 0) return;
  json_t *o = json_array_get(cfg->results, k - 1);
  json_object_set_new(o, "log_n", json_integer(log_n));
  json_object_set_new(o, "preset", json_string(preset));
  json_object_set_new(o, "zk", json_boolean(opt->zk));
  json_object_set_new(o, "log_blowup", json_integer(opt->log_blowup));
  json_object_set_new(o, "queries", json_integer(opt->n_queries));
  json_object_set_new(o, "grinding_bits", json_integer(opt->grinding_bits));
  json_object_set_new(o, "proof_bytes", json_integer((json_int_t)proof_len));
  json_object_set_new(o, "provable_bits", json_integer(bits->provable_bits));
  json_object_set_new(o, "conjectured_bits", json_integer(bits->conjectured_bits));
  json_object_set_new(o, "peak_rss_kib", json_integer(rss_kib));
}

/* One configuration: statement st / witness w already built for 2^log_n rows. */
static void bench_config(bench_cfg *cfg, const starkml_ctx *ctx, sm_air_toy *toy,
                         unsigned log_n, sm_preset preset, int zk) {
  const char *pname = preset == SM_PRESET_SECURE ? "secure" : "fast";
  const gl_t *publics[1] = {toy->t[0].publics};
  const gl_t *mains[1] = {toy->t[0].main};
  const gl_t *pres[1] = {toy->t[0].pre};
  sm_digest pre_root;
  sm_stark_statement st = {1, &toy->t[0].table, publics, &pre_root, NULL};
  sm_stark_witness w = {mains, pres};
  sm_stark_options opt;
  sm_soundness_bits bits;
  uint8_t *proof = NULL;
  size_t proof_len = 0;
  int reset = bench_rss_reset();

  int reps = cfg->reps, warm = 1;
  if (log_n >= STARK_BIG_LOG_N) {
    warm = 0;
    if (reps > STARK_BIG_REPS) reps = STARK_BIG_REPS;
  }
  int vreps = cfg->reps > STARK_VERIFY_REPS ? cfg->reps : STARK_VERIFY_REPS;
  double *t = malloc((size_t)(reps > vreps ? reps : vreps) * sizeof *t);
  starkml_status s = t == NULL ? STARKML_ERR_NOMEM : STARKML_OK;
  if (s == STARKML_OK) s = sm_stark_options_preset(&opt, preset, &st, zk);
  if (s == STARKML_OK) s = sm_stark_security(&bits, &st, &opt);
  if (s == STARKML_OK) s = sm_stark_setup(ctx, &pre_root, &st, &w, &opt);
  uint8_t seed[32];
  if (s == STARKML_OK && warm) {
    bench_seed(seed, -1);
    s = sm_stark_prove(ctx, &proof, &proof_len, &st, &w, &opt, seed);
    free(proof);
    proof = NULL;
  }
  for (int r = 0; s == STARKML_OK && r < reps; r++) {
    free(proof); /* outside the timed region; the last proof is kept for verify */
    proof = NULL;
    bench_seed(seed, r);
    double t0 = bench_now();
    s = sm_stark_prove(ctx, &proof, &proof_len, &st, &w, &opt, seed);
    t[r] = bench_now() - t0;
    if (t[r] > STARK_LONG_PROOF_S && r + 1 < reps) {
      fprintf(stderr, "bench_stark: 2^%u %s: a proof took %.0f s, not repeated\n", log_n,
              pname, t[r]);
      reps = r + 1;
    }
  }
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_stark: 2^%u %s zk=%d: %s\n", log_n, pname, zk, starkml_strerror(s));
    free(proof);
    free(t);
    return;
  }
  long rss = bench_rss_peak_kib();

  char name[64], extra[192];
  bench_cfg c = *cfg;
  c.reps = reps; /* the JSON states the repetitions this measurement used */
  bench_stats sp = bench_stats_of(t, reps);
  snprintf(name, sizeof name, "stark prove fib 2^%u %s%s", log_n, pname, zk ? "" : " no-zk");
  snprintf(extra, sizeof extra,
           "proof %zu B, %u provable / %u conjectured bits, blowup 2^%u, %u queries, %u-bit "
           "grinding, peak RSS %.0f MiB%s",
           proof_len, bits.provable_bits, bits.conjectured_bits, opt.log_blowup, opt.n_queries,
           opt.grinding_bits, (double)rss / 1024.0, reset ? "" : " (since start)");
  bench_report(&c, name, &sp, (double)((size_t)1 << log_n), "row", extra);
  json_annotate(&c, log_n, pname, &opt, proof_len, &bits, rss);

  sm_stark_reject why = SM_REJ_NONE;
  s = sm_stark_verify(ctx, &why, &st, preset, 0, proof, proof_len); /* warm-up and check */
  for (int r = 0; s == STARKML_OK && r < vreps; r++) {
    double t0 = bench_now();
    s = sm_stark_verify(ctx, &why, &st, preset, 0, proof, proof_len);
    t[r] = bench_now() - t0;
  }
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_stark: 2^%u %s zk=%d: verify: %s (%s)\n", log_n, pname, zk,
            starkml_strerror(s), sm_stark_reject_str(why));
  } else {
    c.reps = vreps;
    bench_stats sv = bench_stats_of(t, vreps);
    snprintf(name, sizeof name, "stark verify fib 2^%u %s%s", log_n, pname, zk ? "" : " no-zk");
    snprintf(extra, sizeof extra, "proof %zu B", proof_len);
    bench_report(&c, name, &sv, 1.0, "proof", extra);
    json_annotate(&c, log_n, pname, &opt, proof_len, &bits, rss);
  }
  free(proof);
  free(t);
}

void bench_stark(bench_cfg *cfg) {
  static const unsigned full_sizes[] = {16, 20, 22};
  static const unsigned quick_sizes[] = {10, 12};
  const unsigned *sizes = cfg->quick ? quick_sizes : full_sizes;
  size_t nsizes = cfg->quick ? 2 : 3;
  unsigned nozk_log = cfg->quick ? 12 : 20;
  starkml_ctx *ctx = NULL;
  if (starkml_ctx_create(&ctx, cfg->threads) != STARKML_OK) {
    fprintf(stderr, "bench_stark: cannot create a context\n");
    return;
  }
  for (size_t i = 0; i < nsizes; i++) {
    sm_air_toy toy;
    starkml_status s = sm_air_toy_fibonacci(&toy, sizes[i], 1, 1);
    if (s != STARKML_OK) {
      fprintf(stderr, "bench_stark: fibonacci 2^%u: %s\n", sizes[i], starkml_strerror(s));
      continue;
    }
    bench_config(cfg, ctx, &toy, sizes[i], SM_PRESET_SECURE, 1);
    bench_config(cfg, ctx, &toy, sizes[i], SM_PRESET_FAST, 1);
    if (sizes[i] == nozk_log) bench_config(cfg, ctx, &toy, sizes[i], SM_PRESET_SECURE, 0);
    sm_air_toy_free(&toy);
  }
  starkml_ctx_destroy(ctx);
}
