/*
 * Hashing benchmarks: single-stream SHA3-256 throughput beside OpenSSL's (its Keccak is
 * hand-written assembly, so the ratio says how close the portable C permutation gets),
 * and the Merkle commitment of a column-major matrix with one thread and with
 * cfg->threads threads, so that the scaling is visible.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "core/merkle.h"
#include "core/sha3.h"

static void bench_sha3(bench_cfg *cfg) {
  const size_t len = cfg->quick ? (size_t)1 << 20 : (size_t)16 << 20;
  uint8_t *buf = malloc(len);
  double *t_sm = malloc((size_t)cfg->reps * sizeof *t_sm);
  double *t_ossl = malloc((size_t)cfg->reps * sizeof *t_ossl);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_MD *md = EVP_MD_fetch(NULL, "SHA3-256", NULL);
  if (buf == NULL || t_sm == NULL || t_ossl == NULL || ctx == NULL || md == NULL) {
    fprintf(stderr, "bench_hash: setup failed\n");
    goto done;
  }
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(i * 0x9e3779b1u >> 24);

  uint8_t d_sm[32], d_ossl[32];
  /* One untimed run of each warms the caches and the page tables of buf. */
  sm_sha3_256(d_sm, buf, len);
  EVP_Digest(buf, len, d_ossl, NULL, md, NULL);
  if (memcmp(d_sm, d_ossl, 32) != 0) fprintf(stderr, "bench_hash: SHA3-256 MISMATCH\n");
  /* The two are interleaved so that noise from other processes hits both alike. The
   * OpenSSL context and method are fetched once, outside the timed region. */
  for (int r = 0; r < cfg->reps; r++) {
    double t0 = bench_now();
    sm_sha3_256(d_sm, buf, len);
    double t1 = bench_now();
    EVP_DigestInit_ex(ctx, md, NULL);
    EVP_DigestUpdate(ctx, buf, len);
    EVP_DigestFinal_ex(ctx, d_ossl, NULL);
    double t2 = bench_now();
    t_sm[r] = t1 - t0;
    t_ossl[r] = t2 - t1;
  }
  bench_stats s_sm = bench_stats_of(t_sm, cfg->reps);
  bench_stats s_ossl = bench_stats_of(t_ossl, cfg->reps);
  char name[64], extra[128];
  snprintf(extra, sizeof extra, "starkml/OpenSSL throughput %.3f (median), %.3f (best)",
           s_ossl.median / s_sm.median, s_ossl.min / s_sm.min);
  snprintf(name, sizeof name, "sha3-256 %zu MiB starkml", len >> 20);
  bench_report(cfg, name, &s_sm, (double)len / 1e6, "MB", extra);
  snprintf(name, sizeof name, "sha3-256 %zu MiB openssl", len >> 20);
  bench_report(cfg, name, &s_ossl, (double)len / 1e6, "MB", NULL);

done:
  EVP_MD_free(md);
  EVP_MD_CTX_free(ctx);
  free(t_ossl);
  free(t_sm);
  free(buf);
}

/*
 * One measurement of sm_merkle_commit. The node array is allocated by commit itself (its
 * API owns the tree), so that allocation and its first-touch page faults are part of
 * what a prover pays and stay in the timed region; the tree is freed outside it.
 */
static double time_commit(const gl_t *m, size_t n, size_t width, int threads,
                          sm_digest *root) {
  sm_merkle_tree tree;
  double t0 = bench_now();
  starkml_status st = sm_merkle_commit(&tree, m, n, width, n, NULL, 0, threads);
  double t1 = bench_now();
  if (st != STARKML_OK) {
    fprintf(stderr, "bench_hash: merkle commit failed: %s\n", starkml_strerror(st));
    return 0;
  }
  *root = *sm_merkle_root(&tree);
  sm_merkle_tree_free(&tree);
  return t1 - t0;
}

static void bench_merkle(bench_cfg *cfg) {
  const unsigned log_n = cfg->quick ? 12 : 20;
  const size_t n = (size_t)1 << log_n, width = 64;
  gl_t *m = malloc(n * width * sizeof *m);
  double *t = malloc((size_t)cfg->reps * sizeof *t);
  if (m == NULL || t == NULL) {
    fprintf(stderr, "bench_hash: cannot allocate the %zu MiB matrix\n",
            n * width * sizeof *m >> 20);
    free(m);
    free(t);
    return;
  }
  /* Canonical, distinct-looking entries; the values do not change the hashing cost. */
#pragma omp parallel for num_threads(cfg->threads) schedule(static)
  for (size_t i = 0; i < n * width; i++) m[i] = (gl_t)i * 0x9e3779b97f4a7c15ULL % GL_P;

  const double mb = (double)(n * width * sizeof *m) / 1e6;
  double median_1 = 0;
  sm_digest root_1, root;
  int thread_counts[2] = {1, cfg->threads};
  for (int k = 0; k < (cfg->threads > 1 ? 2 : 1); k++) {
    int threads = thread_counts[k];
    time_commit(m, n, width, threads, &root); /* warm-up */
    for (int r = 0; r < cfg->reps; r++) t[r] = time_commit(m, n, width, threads, &root);
    if (k == 0) root_1 = root;
    else if (memcmp(root.b, root_1.b, SM_DIGEST_LEN) != 0)
      fprintf(stderr, "bench_hash: merkle root depends on the thread count\n");
    bench_stats s = bench_stats_of(t, cfg->reps);
    char name[64], extra[96];
    snprintf(name, sizeof name, "merkle commit 2^%ux%zu %d thread%s", log_n, width, threads,
             threads > 1 ? "s" : "");
    extra[0] = '\0';
    if (k == 0) median_1 = s.median;
    else snprintf(extra, sizeof extra, "speedup %.2fx over 1 thread", median_1 / s.median);
    /* The report's thread field states the count this measurement used. */
    bench_cfg c = *cfg;
    c.threads = threads;
    bench_report(&c, name, &s, mb, "MB", extra[0] ? extra : NULL);
  }
  free(t);
  free(m);
}

void bench_hash(bench_cfg *cfg) {
  bench_sha3(cfg);
  bench_merkle(cfg);
}
