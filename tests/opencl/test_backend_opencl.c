/*
 * The OpenCL backend (host/backend_opencl.c and the kernels of kernels/) against the CPU
 * reference: every op of core/backend.h on random inputs must give the CPU's result bit for
 * bit (NTT in every order and direction, coset evaluation, Merkle trees with and without
 * salts, device-resident matrices and their opened rows, device-resident Merkle trees (only
 * the cap and the fetched paths come back) of one matrix or of several of mixed heights,
 * the constraint quotient of kernels generated from random tables, DEEP, FRI's commit phase
 * and openings on device layers (only the roots, the final layer and the opened rows and
 * paths come back)), whole toy proofs must be the CPU's bytes (and differ with a
 * deliberately wrong generated kernel), the program cache must load what it stored and
 * survive a corrupt or unwritable cache, and errors must be clear (bad device index, build
 * failure with its log, out of device memory).
 *
 * Device 0 is used (PoCL in CI). With no OpenCL platform on the host, every case exits 77
 * (skipped).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/backend.h"
#include "core/ctx.h"
#include "core/merkle.h"
#include "core/ntt.h"
#include "air/air.h"
#include "fri/fri.h"
#include "fri/stark_toy.h"
#include "host/backends.h"
#include "host/opencl_codegen.h"
#include "host/opencl_runtime.h"
#include "tests/sm_test.h"

/* Device 0, or exit 77 when the host has no OpenCL platform or device. */
static sm_backend *open_or_skip(void) {
  sm_backend *be = NULL;
  char why[4096] = "";
  starkml_status s = sm_opencl_open(&be, 0, 2, why, sizeof why);
  if (s == STARKML_ERR_BACKEND &&
      (strstr(why, "no OpenCL platform") != NULL || strstr(why, "no OpenCL device") != NULL)) {
    printf("skipped: %s\n", why);
    exit(SM_TEST_SKIP);
  }
  if (s != STARKML_OK) fail_msg("sm_opencl_open: %s: %s", starkml_strerror(s), why);
  assert_non_null(be);
  assert_string_equal(sm_be_name(be), "opencl");
  return be;
}

/* open_or_skip, and a CPU NTT plan of up to 2^log_n points (threads threads) for the host
   references; close_with_plan frees both. */
static sm_backend *open_with_plan(sm_ntt_plan **plan, unsigned log_n, int threads) {
  sm_backend *be = open_or_skip();
  *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(plan, log_n, threads), STARKML_OK);
  return be;
}

static void close_with_plan(sm_backend *be, sm_ntt_plan *plan) {
  sm_ntt_plan_free(plan);
  sm_be_free(be);
}

static void random_gl(gl_t *x, size_t n, uint64_t *rng) {
  for (size_t i = 0; i < n; i++) x[i] = sm_test_next(rng) % GL_P;
}

/* ---- NTT ------------------------------------------------------------------------------ */

/* Every direction and order pair of a batch of cols columns (stride > n) equals the CPU;
   the gaps between columns are left alone. */
static void check_ntt(sm_backend *be, sm_ntt_plan *plan, unsigned log_n, size_t cols,
                      size_t stride, uint64_t *rng) {
  const size_t total = (cols - 1) * stride + ((size_t)1 << log_n) + 5;
  gl_t *x = malloc(total * sizeof *x), *y = malloc(total * sizeof *y);
  assert_non_null(x);
  assert_non_null(y);
  for (int inv = 0; inv < 2; inv++)
    for (int in = 0; in < 2; in++)
      for (int out = 0; out < 2; out++) {
        random_gl(x, total, rng);
        memcpy(y, x, total * sizeof *x);
        assert_int_equal(sm_be_ntt(be, plan, x, cols, stride, log_n, inv, (sm_order)in,
                                   (sm_order)out),
                         STARKML_OK);
        starkml_status s =
            inv ? sm_ntt_inverse(plan, y, cols, stride, log_n, (sm_order)in, (sm_order)out)
                : sm_ntt_forward(plan, y, cols, stride, log_n, (sm_order)in, (sm_order)out);
        assert_int_equal(s, STARKML_OK);
        if (memcmp(x, y, total * sizeof *x) != 0)
          fail_msg("NTT 2^%u x %zu (stride %zu) inverse=%d in=%d out=%d differs from the CPU",
                   log_n, cols, stride, inv, in, out);
      }
  free(x);
  free(y);
}

static void ntt_all_orders(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 16, 2);
  uint64_t rng = sm_test_seed();
  for (unsigned log_n = 0; log_n <= 16; log_n++) {
    const size_t n = (size_t)1 << log_n;
    check_ntt(be, plan, log_n, 1, n, &rng);
    check_ntt(be, plan, log_n, log_n <= 12 ? 3 : 2, n + 3, &rng);
  }
  close_with_plan(be, plan);
}

/* Sizes with one and two top passes above the bottom one (kernels/ntt.cl, "Passes"). */
static void ntt_large(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 20, 2);
  uint64_t rng = sm_test_seed();
  check_ntt(be, plan, 17, 2, ((size_t)1 << 17) + 1, &rng);
  check_ntt(be, plan, 19, 1, (size_t)1 << 19, &rng);
  check_ntt(be, plan, 20, 2, (size_t)1 << 20, &rng);
  close_with_plan(be, plan);
}

static void ntt_huge_slow(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 24, 2);
  uint64_t rng = sm_test_seed();
  check_ntt(be, plan, 22, 2, (size_t)1 << 22, &rng);
  check_ntt(be, plan, 24, 1, (size_t)1 << 24, &rng);
  close_with_plan(be, plan);
}

/* ---- coset evaluation ------------------------------------------------------------------ */

static void check_coset(sm_backend *be, sm_ntt_plan *plan, unsigned log_N, size_t nc,
                        size_t cols, uint64_t *rng) {
  const size_t N = (size_t)1 << log_N;
  const size_t cs = nc + (cols > 1 ? 2 : 0), os = N + (cols > 1 ? 1 : 0);
  const size_t ctot = cols * cs + 1, otot = cols * os;
  gl_t *coef = malloc(ctot * sizeof *coef);
  gl_t *a = malloc(otot * sizeof *a), *b = malloc(otot * sizeof *b);
  assert_non_null(coef);
  assert_non_null(a);
  assert_non_null(b);
  random_gl(coef, ctot, rng);
  random_gl(a, otot, rng);
  memcpy(b, a, otot * sizeof *a);
  const gl_t shift = sm_test_next(rng) % GL_P;
  assert_int_equal(sm_be_coset_eval(be, plan, a, os, coef, cs, nc, cols, log_N, shift),
                   STARKML_OK);
  assert_int_equal(sm_coset_eval(plan, b, os, coef, cs, nc, cols, log_N, shift), STARKML_OK);
  if (memcmp(a, b, otot * sizeof *a) != 0)
    fail_msg("coset eval 2^%u from %zu coefficients x %zu columns differs from the CPU", log_N,
             nc, cols);
  free(coef);
  free(a);
  free(b);
}

static void coset_eval(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 18, 2);
  uint64_t rng = sm_test_seed();
  for (unsigned log_N = 0; log_N <= 14; log_N++) {
    const size_t N = (size_t)1 << log_N;
    const size_t ncs[] = {0, 1, 3, N / 4, N / 2 + 1, N - 1, N};
    for (size_t i = 0; i < sizeof ncs / sizeof ncs[0]; i++) {
      if (ncs[i] > N) continue;
      check_coset(be, plan, log_N, ncs[i], 1, &rng);
      check_coset(be, plan, log_N, ncs[i], 3, &rng);
    }
  }
  check_coset(be, plan, 18, ((size_t)1 << 16) + 7, 2, &rng);
  check_coset(be, plan, 18, (size_t)1 << 15, 1, &rng);
  close_with_plan(be, plan);
}

/* ---- Merkle ---------------------------------------------------------------------------- */

static void check_merkle(sm_backend *be, size_t n, size_t w, size_t stride, size_t salt_len,
                         uint64_t *rng) {
  gl_t *m = malloc(((w - 1) * stride + n) * sizeof *m);
  uint8_t *salts = salt_len > 0 ? malloc(n * salt_len) : NULL;
  assert_non_null(m);
  random_gl(m, (w - 1) * stride + n, rng);
  for (size_t i = 0; i < n * salt_len; i++) salts[i] = (uint8_t)sm_test_next(rng);
  sm_merkle_tree a, b;
  assert_int_equal(sm_be_merkle_commit(be, &a, m, n, w, stride, salts, salt_len, 1),
                   STARKML_OK);
  assert_int_equal(sm_merkle_commit(&b, m, n, w, stride, salts, salt_len, 2), STARKML_OK);
  assert_int_equal(a.n_leaves, b.n_leaves);
  assert_int_equal(a.log_n, b.log_n);
  if (memcmp(a.nodes, b.nodes, (2 * n - 1) * sizeof *a.nodes) != 0)
    fail_msg("Merkle tree of %zu rows x %zu columns (salt %zu bytes) differs from the CPU", n, w,
             salt_len);
  sm_merkle_tree_free(&a);
  sm_merkle_tree_free(&b);
  free(m);
  free(salts);
}

/* Widths 1..300: leaves of one to many Keccak blocks, with and without salts, and the
   salt length that puts the last message byte just before the block's final byte (the
   0x06 and 0x80 padding bytes then share it). */
static void merkle_widths(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  uint64_t rng = sm_test_seed();
  for (size_t w = 1; w <= 300; w++) {
    check_merkle(be, 8, w, 8, 0, &rng);
    check_merkle(be, 4, w, 5, 16, &rng);
    const size_t fill = (134 + 136 * 8 - (8 * w) % 136) % 136; /* 1 + 8w + fill = 135 mod 136 */
    check_merkle(be, 2, w, 2, fill, &rng);
  }
  sm_be_free(be);
}

static void merkle_rows(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  uint64_t rng = sm_test_seed();
  for (size_t n = 1; n <= 4096; n *= 2) {
    check_merkle(be, n, 1, n, 0, &rng);
    check_merkle(be, n, 8, n + 1, 16, &rng);
    check_merkle(be, n, 64, n, 32, &rng);
  }
  check_merkle(be, (size_t)1 << 16, 24, (size_t)1 << 16, 0, &rng);
  sm_be_free(be);
}

/* ---- whole proofs ---------------------------------------------------------------------- */

/* A proof of toy `which` (fibonacci, range check, bus) on ctx, of a witness changed by
   tamper when set (sm_stark_prove_tampered): the prover's status. */
static starkml_status toy_prove(starkml_ctx *ctx, int which, int zk, sm_stark_tamper_fn tamper,
                                uint8_t **proof, size_t *len) {
  sm_stark_toy f;
  memset(&f, 0, sizeof f);
  starkml_status s = which == 0   ? sm_air_toy_fibonacci(&f.toy, 8, 1, 1)
                     : which == 1 ? sm_air_toy_range_check(&f.toy, 7, 7)
                                  : sm_air_toy_bus(&f.toy, 6, 9);
  assert_int_equal(s, STARKML_OK);
  sm_stark_toy_wire(&f);
  sm_stark_options opt;
  assert_int_equal(sm_stark_options_preset(&opt, SM_PRESET_FAST, &f.st, zk), STARKML_OK);
  assert_int_equal(sm_stark_setup(ctx, &f.pre_root, &f.st, &f.w, &opt), STARKML_OK);
  static const uint8_t seed[32] = {9, 8, 7};
  *proof = NULL;
  *len = 0;
  s = tamper == NULL
          ? sm_stark_prove(ctx, proof, len, &f.st, &f.w, &opt, seed)
          : sm_stark_prove_tampered(ctx, proof, len, &f.st, &f.w, &opt, seed, tamper, NULL);
  sm_air_toy_free(&f.toy);
  return s;
}

static uint8_t *prove_toy(starkml_ctx *ctx, int which, int zk, size_t *len) {
  uint8_t *proof = NULL;
  starkml_status s = toy_prove(ctx, which, zk, NULL, &proof, len);
  if (s != STARKML_OK)
    fail_msg("prove on %s: %s (%s)", starkml_ctx_backend(ctx), starkml_strerror(s),
             sm_be_last_error(ctx->backend));
  return proof;
}

static void toy_proofs_identical(void **state) {
  (void)state;
  sm_backend *probe = open_or_skip();
  sm_be_free(probe);
  for (int which = 0; which < 3; which++)
    for (int zk = 0; zk < 2; zk++) {
      starkml_ctx *cpu = NULL, *dev = NULL;
      assert_int_equal(starkml_ctx_create(&cpu, 2), STARKML_OK);
      assert_int_equal(starkml_ctx_create(&dev, 2), STARKML_OK);
      char why[4096];
      assert_int_equal(starkml_ctx_set_backend(dev, "opencl", 0, why, sizeof why), STARKML_OK);
      assert_string_equal(starkml_ctx_backend(dev), "opencl");
      size_t la = 0, lb = 0;
      uint8_t *a = prove_toy(dev, which, zk, &la);
      uint8_t *b = prove_toy(cpu, which, zk, &lb);
      assert_int_equal(la, lb);
      if (memcmp(a, b, la) != 0) fail_msg("toy %d (zk %d): the OpenCL proof differs", which, zk);
      free(a);
      free(b);
      starkml_ctx_destroy(cpu);
      starkml_ctx_destroy(dev);
    }
}

/* Adds 1 to cell (column 0, row 3) of table 0: the constraints no longer hold. */
static void tamper_one_cell(void *user, size_t table, gl_t *main_cols, size_t n_rows) {
  (void)user;
  if (table == 0 && n_rows > 3) main_cols[3] = gl_add(main_cols[3], 1);
}

/* A toy's proof from a tampered witness on OpenCL (on_dev) or the CPU: its status, and the
   proof when there is one. */
static starkml_status prove_toy_tampered(int on_dev, int which, int zk, uint8_t **proof,
                                         size_t *len) {
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 2), STARKML_OK);
  char why[4096];
  if (on_dev)
    assert_int_equal(starkml_ctx_set_backend(ctx, "opencl", 0, why, sizeof why), STARKML_OK);
  starkml_status s = toy_prove(ctx, which, zk, tamper_one_cell, proof, len);
  starkml_ctx_destroy(ctx);
  return s;
}

/* ---- device-resident matrices ----------------------------------------------------------- */

/* The matrix of ncols random LDE columns (from n_coeffs random coefficients each) on the
   device (dev) and on the host (cpu), from the same coefficients. */
static void random_mats(sm_backend *be, sm_ntt_plan *plan, sm_be_mat *dev, sm_be_mat *cpu,
                        size_t ncols, unsigned log_N, size_t n_coeffs, gl_t shift,
                        uint64_t *rng) {
  gl_t *coef = malloc((ncols * n_coeffs + 1) * sizeof *coef);
  assert_non_null(coef);
  random_gl(coef, ncols * n_coeffs, rng);
  assert_int_equal(sm_be_coset_eval_mat(be, plan, dev, coef, n_coeffs, n_coeffs, ncols, log_N,
                                        shift),
                   STARKML_OK);
  assert_int_equal(sm_be_coset_eval_mat(NULL, plan, cpu, coef, n_coeffs, n_coeffs, ncols, log_N,
                                        shift),
                   STARKML_OK);
  free(coef);
}

/* The LDE matrices stay on the device (no host copy); commitments, opened rows and the
   values themselves equal the CPU's. */
static void mats_read_rows(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed();
  const size_t widths[] = {1, 3, 17};
  for (unsigned log_N = 2; log_N <= 14; log_N += 3)
    for (size_t wi = 0; wi < 3; wi++) {
      const size_t N = (size_t)1 << log_N, w = widths[wi];
      sm_be_mat dev, cpu;
      random_mats(be, plan, &dev, &cpu, w, log_N, N / 2 + 1, gl_exp(GL_GENERATOR, 3), &rng);
      assert_non_null(dev.dev);
      assert_null(dev.host); /* resident: nothing came back */
      assert_int_equal(dev.rows, N);
      assert_int_equal(dev.cols, w);
      /* Every row, in a scrambled order with repeats. */
      size_t *rows = malloc((N + 3) * sizeof *rows);
      gl_t *a = malloc((N + 3) * w * sizeof *a), *b = malloc((N + 3) * w * sizeof *b);
      assert_non_null(rows);
      assert_non_null(a);
      assert_non_null(b);
      for (size_t k = 0; k < N + 3; k++) rows[k] = k < N ? (k * 5 + 3) % N : k % N;
      assert_int_equal(sm_be_read_rows(be, a, &dev, rows, N + 3), STARKML_OK);
      assert_int_equal(sm_be_read_rows(NULL, b, &cpu, rows, N + 3), STARKML_OK);
      for (size_t k = 0; k < N + 3; k++)
        for (size_t c = 0; c < w; c++) assert_true(b[k * w + c] == cpu.host[c * N + rows[k]]);
      if (memcmp(a, b, (N + 3) * w * sizeof *a) != 0)
        fail_msg("rows of a 2^%u x %zu device matrix differ from the CPU", log_N, w);
      /* A row out of range is refused before the device sees it. */
      rows[0] = N;
      assert_int_equal(sm_be_read_rows(be, a, &dev, rows, 1), STARKML_ERR_ARG);
      rows[0] = 3 % N;
      /* Commitments, with and without salts. */
      for (size_t salt_len = 0; salt_len <= 32; salt_len += 32) {
        uint8_t *salts = salt_len ? malloc(N * salt_len) : NULL;
        for (size_t i = 0; i < N * salt_len; i++) salts[i] = (uint8_t)sm_test_next(&rng);
        sm_merkle_tree ta, tb;
        assert_int_equal(sm_be_merkle_commit_mat(be, &ta, &dev, salts, salt_len, 0, 1),
                         STARKML_OK);
        assert_int_equal(sm_merkle_commit(&tb, cpu.host, N, w, N, salts, salt_len, 2), STARKML_OK);
        assert_int_equal(ta.n_leaves, tb.n_leaves);
        assert_non_null(ta.dev);
        /* The paths of every row are every node but the root: the whole tree. */
        assert_int_equal(sm_be_merkle_fetch_paths(be, &ta, rows, N, 0), STARKML_OK);
        if (memcmp(ta.nodes, tb.nodes, (2 * N - 1) * sizeof *ta.nodes) != 0)
          fail_msg("Merkle tree of a 2^%u x %zu device matrix differs from the CPU", log_N, w);
        sm_be_merkle_tree_free(be, &ta);
        assert_null(ta.dev);
        sm_merkle_tree_free(&tb);
        free(salts);
      }
      sm_be_mat_free(be, &dev);
      assert_null(dev.dev);
      assert_int_equal(dev.rows, 0);
      sm_be_mat_free(NULL, &cpu);
      free(rows);
      free(a);
      free(b);
    }
  /* A matrix the caller never frees is released with the backend (LSan checks it). */
  sm_be_mat left, cpu;
  random_mats(be, plan, &left, &cpu, 2, 8, 100, 7, &rng);
  sm_be_mat_free(NULL, &cpu);
  close_with_plan(be, plan);
}

/* ---- device-resident trees ---------------------------------------------------------------- */

/* A device tree of a random 2^log_N x w matrix (salted when salt_len > 0) beside the CPU's
   tree of the same rows. */
static void random_trees(sm_backend *be, sm_ntt_plan *plan, sm_merkle_tree *dt,
                         sm_merkle_tree *ct, unsigned log_N, size_t w, size_t salt_len,
                         unsigned cap_h, uint64_t *rng) {
  const size_t N = (size_t)1 << log_N;
  sm_be_mat dev, cpu;
  random_mats(be, plan, &dev, &cpu, w, log_N, N / 2 + 1, gl_exp(GL_GENERATOR, 5), rng);
  uint8_t *salts = salt_len ? malloc(N * salt_len) : NULL;
  for (size_t i = 0; i < N * salt_len; i++) salts[i] = (uint8_t)sm_test_next(rng);
  assert_int_equal(sm_be_merkle_commit_mat(be, dt, &dev, salts, salt_len, cap_h, 1), STARKML_OK);
  assert_int_equal(sm_merkle_commit(ct, cpu.host, N, w, N, salts, salt_len, 2), STARKML_OK);
  free(salts);
  sm_be_mat_free(be, &dev);
  sm_be_mat_free(NULL, &cpu);
}

/* Every digest of a tree from node `from` on is zero (nothing of it came back). */
static int zero_from(const sm_merkle_tree *t, size_t from) {
  static const sm_digest z;
  for (size_t i = from; i < 2 * t->n_leaves - 1; i++)
    if (memcmp(&t->nodes[i], &z, sizeof z) != 0) return 0;
  return 1;
}

/* The root and cap of a device tree, and the paths fetched for random rows (repeats
   included), equal the CPU tree's, for caps from the root alone to the leaves. */
static void tree_paths_match_cpu(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 12, 2);
  uint64_t rng = sm_test_seed();
  const unsigned logs[] = {1, 6, 12};
  for (size_t li = 0; li < 3; li++) {
    const unsigned log_N = logs[li];
    const size_t N = (size_t)1 << log_N;
    const unsigned caps[] = {0, log_N / 2, log_N};
    for (size_t ci = 0; ci < 3; ci++) {
      const unsigned cap_h = caps[ci];
      sm_merkle_tree dt, ct;
      random_trees(be, plan, &dt, &ct, log_N, 3 + li, ci == 1 ? 32 : 0, cap_h, &rng);
      assert_non_null(dt.dev);
      assert_int_equal(dt.top_h, cap_h);
      assert_int_equal(dt.log_n, log_N);
      const size_t top = ((size_t)2 << cap_h) - 1; /* levels 0..cap_h */
      if (memcmp(dt.nodes, ct.nodes, top * sizeof *dt.nodes) != 0)
        fail_msg("root or cap (height %u) of a 2^%u device tree differs from the CPU", cap_h,
                 log_N);
      size_t rows[24];
      for (size_t k = 0; k < 24; k++) rows[k] = sm_test_next(&rng) % N;
      rows[23] = rows[0];
      assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, rows, 24, cap_h), STARKML_OK);
      sm_digest pa[12], pc[12];
      for (size_t k = 0; k < 24; k++) {
        assert_int_equal(sm_merkle_path(&dt, pa, rows[k]), STARKML_OK);
        assert_int_equal(sm_merkle_path(&ct, pc, rows[k]), STARKML_OK);
        if (memcmp(pa, pc, (log_N - cap_h) * sizeof *pa) != 0)
          fail_msg("path of row %zu below the cap (height %u) of a 2^%u device tree differs "
                   "from the CPU", rows[k], cap_h, log_N);
      }
      sm_be_merkle_tree_free(be, &dt);
      assert_null(dt.dev);
      assert_null(dt.nodes);
      sm_merkle_tree_free(&ct);
    }
  }
  close_with_plan(be, plan);
}

/* The tree is not read back whole: below the cap nothing comes back at commitment, and a
   fetch brings exactly the siblings of the requested path (the opened leaf itself, and
   everything off the path, stays zero). */
static void tree_stays_on_device(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 10, 2);
  uint64_t rng = sm_test_seed();
  const unsigned log_N = 10, cap_h = 2;
  const size_t N = (size_t)1 << log_N, top = ((size_t)2 << cap_h) - 1;
  sm_merkle_tree dt, ct;
  random_trees(be, plan, &dt, &ct, log_N, 4, 0, cap_h, &rng);
  assert_non_null(dt.dev);
  assert_memory_equal(dt.nodes, ct.nodes, top * sizeof *dt.nodes);
  if (!zero_from(&dt, top)) fail_msg("nodes below the cap came back at commitment");
  const size_t row = 5;
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, &row, 1, cap_h), STARKML_OK);
  /* Exactly log_N - cap_h nodes below the cap are filled: the siblings, the CPU's. */
  size_t sib[16], n_sib = 0, filled = 0;
  assert_int_equal(sm_merkle_path_nodes(sib, &n_sib, log_N, cap_h, &row, 1), STARKML_OK);
  assert_int_equal(n_sib, log_N - cap_h);
  static const sm_digest z;
  for (size_t i = top; i < 2 * N - 1; i++)
    if (memcmp(&dt.nodes[i], &z, sizeof z) != 0) filled++;
  assert_int_equal(filled, log_N - cap_h);
  for (size_t k = 0; k < n_sib; k++)
    assert_memory_equal(&dt.nodes[sib[k]], &ct.nodes[sib[k]], sizeof z);
  assert_memory_equal(&dt.nodes[N - 1 + (row ^ 1)], &ct.nodes[N - 1 + (row ^ 1)], sizeof z);
  assert_memory_equal(&dt.nodes[N - 1 + row], &z, sizeof z); /* not a sibling: not fetched */
  assert_memory_equal(&dt.nodes[N - 1 + 700], &z, sizeof z);
  sm_be_merkle_tree_free(be, &dt);
  sm_merkle_tree_free(&ct);
  /* A device tree released only on the host is released with the backend (LSan). */
  random_trees(be, plan, &dt, &ct, 4, 2, 0, 1, &rng);
  sm_merkle_tree_free(&dt);
  sm_merkle_tree_free(&ct);
  close_with_plan(be, plan);
}

/* Bad rows, caps and trees are refused before the device sees them, and leave the tree as
   it was. */
static void tree_bad_rows(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 8, 2);
  uint64_t rng = sm_test_seed();
  const unsigned log_N = 8, cap_h = 3;
  const size_t N = (size_t)1 << log_N, top = ((size_t)2 << cap_h) - 1;
  sm_merkle_tree dt, ct;
  random_trees(be, plan, &dt, &ct, log_N, 2, 0, cap_h, &rng);
  const size_t bad[][2] = {{0, N}, {N + 1, 3}, {SIZE_MAX, 0}, {(size_t)1 << 40, 1}};
  for (size_t k = 0; k < 4; k++)
    assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, bad[k], 2, cap_h), STARKML_ERR_ARG);
  const size_t good = 7;
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, &good, 1, log_N + 1), STARKML_ERR_ARG);
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, NULL, 1, cap_h), STARKML_ERR_ARG);
  assert_int_equal(sm_be_merkle_fetch_paths(NULL, &dt, &good, 1, cap_h), STARKML_ERR_ARG);
  assert_true(zero_from(&dt, top)); /* nothing was read */
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, NULL, 0, cap_h), STARKML_OK);
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, &good, 1, log_N), STARKML_OK); /* no path */
  assert_true(zero_from(&dt, top));
  sm_be_merkle_tree_free(be, &dt);
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, &good, 1, 0), STARKML_ERR_ARG); /* freed */
  assert_int_equal(sm_be_merkle_fetch_paths(be, NULL, &good, 1, 0), STARKML_ERR_ARG);
  sm_be_merkle_tree_free(be, &dt); /* twice: a no-op */
  sm_merkle_tree_free(&ct);
  /* A cap above the root of the matrix's tree is refused at commitment, the tree zeroed. */
  sm_be_mat dev, cpu;
  random_mats(be, plan, &dev, &cpu, 2, 4, 9, 7, &rng);
  dt.log_n = 99;
  assert_int_equal(sm_be_merkle_commit_mat(be, &dt, &dev, NULL, 0, 5, 1), STARKML_ERR_ARG);
  assert_int_equal(dt.log_n, 0);
  assert_null(dt.dev);
  assert_null(dt.nodes);
  sm_be_mat_free(be, &dev);
  sm_be_mat_free(NULL, &cpu);
  close_with_plan(be, plan);
}

/* ---- mixed-height trees ------------------------------------------------------------------ */

/* n random matrices of 2^logs[t] rows and widths[t] columns, on the device (dev) and on the
   host (cpu), with salts (salt_len bytes a row; NULL when 0) for each. */
static void mmcs_mats(sm_backend *be, sm_ntt_plan *plan, sm_be_mat *dev, sm_be_mat *cpu,
                      uint8_t **salts, const unsigned *logs, const size_t *widths, size_t n,
                      size_t salt_len, uint64_t *rng) {
  for (size_t t = 0; t < n; t++) {
    const size_t N = (size_t)1 << logs[t];
    random_mats(be, plan, &dev[t], &cpu[t], widths[t], logs[t], N / 2 + 1,
                gl_exp(GL_GENERATOR, 3 + t), rng);
    assert_non_null(dev[t].dev);
    assert_null(dev[t].host);
    salts[t] = NULL;
    if (salt_len == 0) continue;
    salts[t] = malloc(N * salt_len);
    assert_non_null(salts[t]);
    for (size_t i = 0; i < N * salt_len; i++) salts[t][i] = (uint8_t)sm_test_next(rng);
  }
}

static void mmcs_mats_free(sm_backend *be, sm_be_mat *dev, sm_be_mat *cpu, uint8_t **salts,
                           size_t n) {
  for (size_t t = 0; t < n; t++) {
    sm_be_mat_free(be, &dev[t]);
    sm_be_mat_free(NULL, &cpu[t]);
    free(salts[t]);
  }
}

/* The mixed-height tree of n device matrices (2^logs[t] x widths[t]) against the CPU's
   sm_mmcs_commit: root, cap, nothing else back at commitment, the paths of a set of rows,
   and (after fetching every row's path) every node. */
static void check_mmcs(sm_backend *be, sm_ntt_plan *plan, const unsigned *logs,
                       const size_t *widths, size_t n, size_t salt_len, unsigned cap_h,
                       uint64_t *rng) {
  sm_be_mat dev[SM_MMCS_MAX_MATS], cpu[SM_MMCS_MAX_MATS];
  const sm_be_mat *dm[SM_MMCS_MAX_MATS];
  uint8_t *salts[SM_MMCS_MAX_MATS];
  sm_mmcs_mat mats[SM_MMCS_MAX_MATS];
  assert_true(n <= SM_MMCS_MAX_MATS);
  mmcs_mats(be, plan, dev, cpu, salts, logs, widths, n, salt_len, rng);
  unsigned L = 0;
  for (size_t t = 0; t < n; t++) {
    const size_t N = (size_t)1 << logs[t];
    dm[t] = &dev[t];
    mats[t] = (sm_mmcs_mat){cpu[t].host, N, widths[t], N, salts[t]};
    if (logs[t] > L) L = logs[t];
  }
  const size_t N = (size_t)1 << L, top = ((size_t)2 << cap_h) - 1;
  sm_merkle_tree dt, ct;
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, dm, salt_len ? (const uint8_t *const *)salts
                                                                 : NULL,
                                         n, salt_len, cap_h, 1),
                   STARKML_OK);
  assert_int_equal(sm_mmcs_commit(&ct, mats, n, salt_len, 2), STARKML_OK);
  assert_non_null(dt.dev);
  assert_int_equal(dt.top_h, cap_h);
  assert_int_equal(dt.log_n, L);
  assert_int_equal(dt.n_leaves, N);
  if (memcmp(dt.nodes, ct.nodes, top * sizeof *dt.nodes) != 0)
    fail_msg("root or cap (height %u) of a mixed-height device tree (%zu matrices, 2^%u "
             "leaves, salt %zu) differs from the CPU", cap_h, n, L, salt_len);
  if (!zero_from(&dt, top)) fail_msg("nodes below the cap came back at commitment");
  size_t rows[26];
  for (size_t k = 0; k < 24; k++) rows[k] = sm_test_next(rng) % N;
  rows[24] = 0, rows[25] = N - 1;
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, rows, 26, cap_h), STARKML_OK);
  sm_digest pa[64], pc[64];
  for (size_t k = 0; k < 26; k++) {
    assert_int_equal(sm_merkle_path(&dt, pa, rows[k]), STARKML_OK);
    assert_int_equal(sm_merkle_path(&ct, pc, rows[k]), STARKML_OK);
    if (memcmp(pa, pc, (L - cap_h) * sizeof *pa) != 0)
      fail_msg("path of row %zu below the cap (height %u) of a mixed-height device tree "
               "(%zu matrices, 2^%u leaves, salt %zu) differs from the CPU", rows[k], cap_h, n,
               L, salt_len);
  }
  /* Every row's path, down from the root: every node but the root, i.e. the whole tree. */
  size_t *all = malloc(N * sizeof *all);
  assert_non_null(all);
  for (size_t r = 0; r < N; r++) all[r] = r;
  assert_int_equal(sm_be_merkle_fetch_paths(be, &dt, all, N, 0), STARKML_OK);
  free(all);
  if (memcmp(dt.nodes, ct.nodes, (2 * N - 1) * sizeof *dt.nodes) != 0)
    fail_msg("a mixed-height device tree (%zu matrices, 2^%u leaves, salt %zu) differs from "
             "the CPU", n, L, salt_len);
  sm_be_merkle_tree_free(be, &dt);
  assert_null(dt.dev);
  assert_null(dt.nodes);
  sm_merkle_tree_free(&ct);
  mmcs_mats_free(be, dev, cpu, salts, n);
}

/* Mixed-height trees on the device equal the CPU's: one matrix, several of one height,
   heights with gaps between them (groups at the leaf level and injected at several inner
   levels, the root included), groups whose message spans several Keccak blocks (up to
   SM_MMCS_MAX_MATS matrices), widths 1 to 40, with and without salts, caps from the root
   to the smallest matrix's height. */
static void mmcs_matches_cpu(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 10, 2);
  uint64_t rng = sm_test_seed();
  unsigned logs[SM_MMCS_MAX_MATS];
  size_t widths[SM_MMCS_MAX_MATS];
  static const struct {
    size_t n;
    unsigned logs[6];
    size_t widths[6];
  } cfg[] = {
      {1, {6}, {17}},
      {1, {0}, {18}},
      {3, {5, 5, 5}, {1, 18, 40}},
      {5, {3, 5, 5, 6, 9}, {17, 1, 40, 18, 3}},
      {4, {9, 0, 4, 9}, {40, 1, 17, 18}},
      {6, {7, 7, 7, 7, 7, 2}, {1, 17, 18, 40, 2, 5}}, /* 161-byte group: two blocks */
  };
  for (size_t c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
    unsigned lmin = 63;
    for (size_t t = 0; t < cfg[c].n; t++)
      if (cfg[c].logs[t] < lmin) lmin = cfg[c].logs[t];
    for (size_t salt_len = 0; salt_len <= 32; salt_len += 32) {
      check_mmcs(be, plan, cfg[c].logs, cfg[c].widths, cfg[c].n, salt_len, 0, &rng);
      if (lmin > 0)
        check_mmcs(be, plan, cfg[c].logs, cfg[c].widths, cfg[c].n, salt_len, lmin, &rng);
    }
  }
  /* The most matrices a tree takes: 64 of one height (a 2049-byte group, 16 blocks), then
     64 over three heights. */
  for (size_t t = 0; t < SM_MMCS_MAX_MATS; t++) logs[t] = 3, widths[t] = 1 + t % 5;
  check_mmcs(be, plan, logs, widths, SM_MMCS_MAX_MATS, 32, 2, &rng);
  for (size_t t = 0; t < SM_MMCS_MAX_MATS; t++) logs[t] = 2 + t % 3;
  check_mmcs(be, plan, logs, widths, SM_MMCS_MAX_MATS, 0, 1, &rng);
  close_with_plan(be, plan);
}

/* Bad matrices and arguments are refused (the tree zeroed), not crashed on; host matrices
   alone take the CPU path; a tree or group too large for one buffer is out of device
   memory. */
static void mmcs_bad_args(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 8, 2);
  uint64_t rng = sm_test_seed();
  const unsigned logs[3] = {4, 6, 4};
  const size_t widths[3] = {3, 2, 17};
  sm_be_mat dev[3], cpu[3];
  uint8_t *salts[3];
  mmcs_mats(be, plan, dev, cpu, salts, logs, widths, 3, 8, &rng);
  const uint8_t *const *sl = (const uint8_t *const *)salts;
  sm_merkle_tree dt;
  const sm_be_mat *dm[3] = {&dev[0], &dev[1], &dev[2]};
  memset(&dt, 0x5a, sizeof dt);
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, dm, sl, 3, 8, 0, 1), STARKML_OK);
  sm_be_merkle_tree_free(be, &dt);
  /* A NULL matrix, a host matrix among device ones, a cap above the smallest matrix, no
     salts, no or too many matrices, no array. */
  const sm_be_mat *with_null[3] = {&dev[0], NULL, &dev[2]};
  const sm_be_mat *mixed[3] = {&dev[0], &cpu[1], &dev[2]};
  const sm_be_mat *many[SM_MMCS_MAX_MATS + 1];
  for (size_t t = 0; t <= SM_MMCS_MAX_MATS; t++) many[t] = &dev[0];
  const uint8_t *many_salts[SM_MMCS_MAX_MATS + 1];
  for (size_t t = 0; t <= SM_MMCS_MAX_MATS; t++) many_salts[t] = salts[0];
  const starkml_status got[] = {
      sm_be_mmcs_commit_mat(be, &dt, with_null, sl, 3, 8, 0, 1),
      sm_be_mmcs_commit_mat(be, &dt, mixed, sl, 3, 8, 0, 1),
      sm_be_mmcs_commit_mat(be, &dt, dm, sl, 3, 8, 5, 1),
      sm_be_mmcs_commit_mat(be, &dt, dm, NULL, 3, 8, 0, 1),
      sm_be_mmcs_commit_mat(be, &dt, dm, sl, 0, 8, 0, 1),
      sm_be_mmcs_commit_mat(be, &dt, many, many_salts, SM_MMCS_MAX_MATS + 1, 8, 0, 1),
      sm_be_mmcs_commit_mat(be, &dt, NULL, sl, 3, 8, 0, 1),
  };
  for (size_t k = 0; k < sizeof got / sizeof got[0]; k++) {
    if (got[k] != STARKML_ERR_ARG) fail_msg("bad case %zu: %s", k, starkml_strerror(got[k]));
  }
  assert_null(dt.nodes);
  assert_null(dt.dev);
  assert_int_equal(dt.log_n, 0);
  /* The op itself refuses a matrix that is not on the device, with a message. */
  assert_non_null(be->ops->mmcs_commit_mat);
  assert_int_equal(be->ops->mmcs_commit_mat(be, &dt, mixed, sl, 3, 8, 0), STARKML_ERR_ARG);
  assert_non_null(strstr(sm_be_last_error(be), "not on the device"));
  assert_null(dt.dev);
  /* Host matrices alone: the CPU builds the whole tree. */
  const sm_be_mat *hosts[3] = {&cpu[0], &cpu[1], &cpu[2]};
  sm_mmcs_mat mats[3];
  for (size_t t = 0; t < 3; t++)
    mats[t] = (sm_mmcs_mat){cpu[t].host, cpu[t].rows, cpu[t].cols, cpu[t].rows, salts[t]};
  sm_merkle_tree ct;
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, hosts, sl, 3, 8, 0, 1), STARKML_OK);
  assert_int_equal(sm_mmcs_commit(&ct, mats, 3, 8, 1), STARKML_OK);
  assert_null(dt.dev);
  assert_memory_equal(dt.nodes, ct.nodes, (2 * ct.n_leaves - 1) * sizeof *ct.nodes);
  sm_merkle_tree_free(&dt);
  sm_merkle_tree_free(&ct);
  mmcs_mats_free(be, dev, cpu, salts, 3);
  close_with_plan(be, plan);
}

/* Under a 256 KiB buffer cap: a tree, the leaf digests of a group, or a matrix's salts too
   large for one buffer are out of device memory (the tree zeroed); what fits still works. */
static void mmcs_out_of_memory(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  sm_opencl_limit_alloc(be, 256u << 10);
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 13, 2), STARKML_OK);
  uint64_t rng = sm_test_seed();
  /* 2^13 leaves: 2^14 - 1 nodes of 32 bytes, 512 KiB. */
  const unsigned big_log[2] = {13, 4};
  const size_t big_w[2] = {1, 2};
  check_mmcs(be, plan, (const unsigned[]){12, 4}, big_w, 2, 0, 0, &rng); /* 256 KiB - 32 */
  sm_be_mat dev[16], cpu[16];
  uint8_t *salts[16];
  const sm_be_mat *dm[16];
  sm_merkle_tree dt;
  mmcs_mats(be, plan, dev, cpu, salts, big_log, big_w, 2, 0, &rng);
  for (size_t t = 0; t < 16; t++) dm[t] = &dev[t];
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, dm, NULL, 2, 0, 0, 1), STARKML_ERR_NOMEM);
  assert_non_null(strstr(sm_be_last_error(be), "tree"));
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  assert_null(dt.nodes);
  assert_null(dt.dev);
  mmcs_mats_free(be, dev, cpu, salts, 2);
  /* 16 matrices of 2^10 rows: a 64 KiB tree, but 512 KiB of leaf digests in one group. */
  unsigned logs[16];
  size_t widths[16];
  for (size_t t = 0; t < 16; t++) logs[t] = 10, widths[t] = 1;
  mmcs_mats(be, plan, dev, cpu, salts, logs, widths, 16, 0, &rng);
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, dm, NULL, 16, 0, 0, 1), STARKML_ERR_NOMEM);
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  assert_null(dt.nodes);
  assert_null(dt.dev);
  /* 8 of them fit (256 KiB of leaf digests). */
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, dm, NULL, 8, 0, 0, 1), STARKML_OK);
  sm_be_merkle_tree_free(be, &dt);
  mmcs_mats_free(be, dev, cpu, salts, 16);
  /* 2^12 rows of 65-byte salts: one row too many for one salt buffer. */
  mmcs_mats(be, plan, dev, cpu, salts, (const unsigned[]){12}, widths, 1, 65, &rng);
  assert_int_equal(sm_be_mmcs_commit_mat(be, &dt, dm, (const uint8_t *const *)salts, 1, 65, 0, 1),
                   STARKML_ERR_NOMEM);
  assert_non_null(strstr(sm_be_last_error(be), "salt"));
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  assert_null(dt.dev);
  mmcs_mats_free(be, dev, cpu, salts, 1);
  close_with_plan(be, plan);
}

/* ---- FRI on the device ------------------------------------------------------------------ */

/* An FRI input of 2^log_size values on its domain (shift 7^(2^(log_max - log_size))) from
   n_coeffs random coefficients per component: a 3-column matrix on the device, and the same
   values as a host vector (*host, malloc'd). */
static void fri_input(sm_backend *be, sm_ntt_plan *plan, sm_be_mat *dev, gl3_t **host,
                      unsigned log_size, unsigned log_max, size_t n_coeffs, uint64_t *rng) {
  const size_t N = (size_t)1 << log_size;
  sm_be_mat cpu;
  random_mats(be, plan, dev, &cpu, 3, log_size, n_coeffs,
              gl_exp(GL_GENERATOR, (uint64_t)1 << (log_max - log_size)), rng);
  assert_non_null(dev->dev);
  assert_null(dev->host);
  *host = malloc(N * sizeof **host);
  assert_non_null(*host);
  for (size_t i = 0; i < N; i++)
    for (size_t c = 0; c < 3; c++) (*host)[i].v[c] = cpu.host[c * N + i];
  sm_be_mat_free(NULL, &cpu);
}

#define FRI_MAX_TEST_INPUTS 8
#define FRI_TEST_QUERIES 13

typedef struct {
  size_t n;
  sm_be_mat dev[FRI_MAX_TEST_INPUTS];
  gl3_t *host[FRI_MAX_TEST_INPUTS];
  sm_fri_input di[FRI_MAX_TEST_INPUTS], hi[FRI_MAX_TEST_INPUTS]; /* device, host */
  unsigned log_max;
} fri_inputs;

/* Inputs of the given log sizes, of degree < N / 2^log_blowup when honest (else random). */
static void fri_inputs_make(fri_inputs *f, sm_backend *be, sm_ntt_plan *plan, const unsigned *sizes,
                            size_t n, unsigned log_blowup, int honest, uint64_t *rng) {
  memset(f, 0, sizeof *f);
  assert_true(n <= FRI_MAX_TEST_INPUTS);
  f->n = n;
  for (size_t t = 0; t < n; t++)
    if (sizes[t] > f->log_max) f->log_max = sizes[t];
  for (size_t t = 0; t < n; t++) {
    const size_t N = (size_t)1 << sizes[t];
    fri_input(be, plan, &f->dev[t], &f->host[t], sizes[t], f->log_max, honest ? N >> log_blowup : N,
              rng);
    f->di[t] = (sm_fri_input){sizes[t], NULL, &f->dev[t]};
    f->hi[t] = (sm_fri_input){sizes[t], f->host[t], NULL};
  }
}

static void fri_inputs_free(fri_inputs *f, sm_backend *be) {
  for (size_t t = 0; t < f->n; t++) {
    sm_be_mat_free(be, &f->dev[t]);
    free(f->host[t]);
  }
  memset(f, 0, sizeof *f);
}

/* Opened values and path digests of one query (fri.h, sm_fri_query_proof). */
static void fri_query_shape(const sm_fri_schedule *s, size_t *nv, size_t *nd) {
  *nv = *nd = 0;
  for (unsigned j = 0; j < s->n_layers; j++) {
    *nv += (size_t)1 << s->log_arity[j];
    *nd += s->log_size[j] - s->log_arity[j];
  }
}

/*
 * The commit phase on device inputs and on the same values on the host, from equal
 * transcripts: the same schedule, roots, betas (drawn from the transcript after each root),
 * final polynomial and transcript state (its next challenge), the layers and their trees
 * only on the device; then the openings of random queries (repeats, the first and last
 * index), batched on the device and one by one on the host, equal value for value and path
 * for path.
 */
static void check_fri(sm_backend *be, sm_ntt_plan *plan, const unsigned *sizes, size_t n,
                      unsigned log_blowup, unsigned log_arity, unsigned log_final_degree,
                      int honest, uint64_t *rng) {
  fri_inputs f;
  fri_inputs_make(&f, be, plan, sizes, n, log_blowup, honest, rng);
  const sm_fri_params pd = {log_blowup, log_arity, log_final_degree, 2, be};
  sm_fri_params ph = pd;
  ph.backend = NULL;
  sm_transcript ta, tb;
  sm_tr_init(&ta, "starkml/test/fri-device");
  sm_tr_init(&tb, "starkml/test/fri-device");
  sm_fri_prover pa, pb;
  starkml_status s = sm_fri__commit(&pa, &ta, plan, &pd, f.di, n, !honest);
  if (s != STARKML_OK)
    fail_msg("device FRI commit: %s (%s)", starkml_strerror(s), sm_be_last_error(be));
  assert_int_equal(sm_fri__commit(&pb, &tb, plan, &ph, f.hi, n, !honest), STARKML_OK);
  const sm_fri_schedule *sc = &pa.sched;
  assert_int_equal(pa.sched.n_layers, pb.sched.n_layers);
  assert_int_equal(pa.sched.log_final_size, pb.sched.log_final_size);
  for (unsigned j = 0; j < sc->n_layers; j++) {
    if (memcmp(&pa.roots[j], &pb.roots[j], sizeof pa.roots[j]) != 0)
      fail_msg("FRI layer %u root (inputs of 2^%u.., arity 2^%u, %s) differs from the CPU", j,
               sizes[0], log_arity, honest ? "low degree" : "random");
    assert_true(gl3_eq(pa.betas[j], pb.betas[j]));
    assert_non_null(pa.layers[j].dev);
    assert_null(pa.layers[j].host);
    assert_non_null(pa.trees[j].dev);
  }
  for (size_t k = 0; k < sc->n_final; k++)
    if (!gl3_eq(pa.final_coeffs[k], pb.final_coeffs[k]))
      fail_msg("FRI final coefficient %zu differs from the CPU", k);
  assert_true(gl3_eq(sm_tr_challenge_gl3(&ta, "next"), sm_tr_challenge_gl3(&tb, "next")));

  const size_t n_max = (size_t)1 << f.log_max;
  size_t i0[FRI_TEST_QUERIES];
  for (size_t k = 0; k < FRI_TEST_QUERIES; k++) i0[k] = sm_test_next(rng) % n_max;
  i0[0] = 0;
  i0[1] = n_max - 1;
  i0[FRI_TEST_QUERIES - 1] = i0[2];
  sm_fri_query_proof qa[FRI_TEST_QUERIES];
  assert_int_equal(sm_fri_open_batch(qa, &pa, i0, FRI_TEST_QUERIES), STARKML_OK);
  size_t nv, nd;
  fri_query_shape(sc, &nv, &nd);
  for (size_t k = 0; k < FRI_TEST_QUERIES; k++) {
    sm_fri_query_proof qb;
    assert_int_equal(sm_fri_open(&qb, &pb, i0[k]), STARKML_OK);
    assert_int_equal(qa[k].n_layers, qb.n_layers);
    if ((nv > 0 && memcmp(qa[k].values, qb.values, nv * sizeof *qb.values) != 0) ||
        (nd > 0 && memcmp(qa[k].paths, qb.paths, nd * sizeof *qb.paths) != 0))
      fail_msg("FRI opening of query %zu differs from the CPU", i0[k]);
    sm_fri_query_proof_free(&qa[k]);
    sm_fri_query_proof_free(&qb);
  }
  sm_fri_prover_free(&pa);
  sm_fri_prover_free(&pb);
  sm_tr_free(&ta);
  sm_tr_free(&tb);
  fri_inputs_free(&f, be);
}

/* Device FRI against the host's on random and low-degree inputs: one input and several
   sizes (injection into layer 0 and into folded layers, arities cut short at an input
   size), arities 2 to 16, no committed layer at all (layer 0 is the final layer). */
static void fri_commit_matches_cpu(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed();
  static const struct {
    unsigned sizes[FRI_MAX_TEST_INPUTS];
    size_t n;
    unsigned log_blowup, log_arity, log_final_degree;
    int honest;
  } cases[] = {
      {{10}, 1, 1, 1, 0, 1},                     /* arity 2, down to 2 coefficients */
      {{10, 10, 8, 7, 5, 5}, 6, 2, 2, 1, 0},     /* arity 4, injections, random */
      {{12, 9, 6}, 3, 3, 3, 2, 1},               /* arity 8 cut to 3, 3 bits */
      {{11, 11, 7, 4}, 4, 1, 4, 3, 0},           /* arity 16 cut at 7 and 4 */
      {{14}, 1, 1, 4, 2, 1},                     /* arity 16, 16, then 8 */
      {{13, 13, 12}, 3, 3, 4, 4, 1},             /* arity 16, then 2 */
      {{6, 6}, 2, 2, 4, 4, 1},                   /* no committed layer */
      {{9, 8, 7, 6, 5, 4, 3, 2}, 8, 1, 2, 1, 0}, /* an input at every layer */
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    check_fri(be, plan, cases[c].sizes, cases[c].n, cases[c].log_blowup, cases[c].log_arity,
              cases[c].log_final_degree, cases[c].honest, &rng);
  close_with_plan(be, plan);
}

/*
 * FRI's layers are not read back: the commit phase reads exactly one root per layer and the
 * final layer (3 N_f values), every layer and tree stays on the device (nothing below a
 * root on the host), and the openings read exactly the opened rows (3a values each) and
 * the path nodes (each once). Inputs on the device need a backend with fri_layer, all
 * inputs alike; a layer beyond the device's buffers is "out of device memory".
 */
static void fri_layers_stay_on_device(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 12, 2);
  uint64_t rng = sm_test_seed();
  static const unsigned sizes[] = {12, 10, 10, 8};
  fri_inputs f;
  fri_inputs_make(&f, be, plan, sizes, 4, 2, 1, &rng);
  const sm_fri_params p = {2, 2, 2, 2, be};
  sm_transcript tr;
  sm_tr_init(&tr, "starkml/test/fri-device");
  sm_fri_prover pr;
  const unsigned long long b0 = sm_opencl_bytes_read(be);
  assert_int_equal(sm_fri_commit(&pr, &tr, plan, &p, f.di, 4), STARKML_OK);
  const sm_fri_schedule *sc = &pr.sched;
  const size_t n_f = (size_t)1 << sc->log_final_size;
  assert_true(sc->n_layers >= 3);
  const unsigned long long commit_bytes = sm_opencl_bytes_read(be) - b0;
  const unsigned long long want = sc->n_layers * sizeof(sm_digest) + 3 * n_f * sizeof(gl_t);
  if (commit_bytes != want)
    fail_msg("the FRI commit read %llu bytes back; its roots and final layer are %llu",
             commit_bytes, want);
  for (unsigned j = 0; j < sc->n_layers; j++) {
    assert_null(pr.layers[j].host);
    assert_non_null(pr.layers[j].dev);
    assert_non_null(pr.trees[j].dev);
    assert_true(zero_from(&pr.trees[j], 1)); /* the root alone came back */
  }

  /* Openings: the opened rows and the path nodes, nothing else. */
  size_t i0[5];
  for (size_t k = 0; k < 5; k++) i0[k] = sm_test_next(&rng) % ((size_t)1 << sc->log_max_size);
  unsigned long long want_open = 0;
  size_t n_nodes[SM_FRI_MAX_LAYERS];
  for (unsigned j = 0, shift = 0; j < sc->n_layers; shift += sc->log_arity[j], j++) {
    const unsigned la = sc->log_arity[j];
    size_t m[5], idx[5 * 32];
    for (size_t k = 0; k < 5; k++) m[k] = (i0[k] >> shift) >> la;
    assert_int_equal(sm_merkle_path_nodes(idx, &n_nodes[j], sc->log_size[j] - la, 0, m, 5),
                     STARKML_OK);
    want_open += 5 * ((size_t)3 << la) * sizeof(gl_t) + n_nodes[j] * sizeof(sm_digest);
  }
  const unsigned long long b1 = sm_opencl_bytes_read(be);
  sm_fri_query_proof q[5];
  assert_int_equal(sm_fri_open_batch(q, &pr, i0, 5), STARKML_OK);
  const unsigned long long open_bytes = sm_opencl_bytes_read(be) - b1;
  if (open_bytes != want_open)
    fail_msg("the FRI openings read %llu bytes back; the opened rows and paths are %llu",
             open_bytes, want_open);
  static const sm_digest z;
  for (unsigned j = 0; j < sc->n_layers; j++) {
    size_t filled = 0;
    for (size_t i = 1; i < 2 * pr.trees[j].n_leaves - 1; i++)
      filled += memcmp(&pr.trees[j].nodes[i], &z, sizeof z) != 0;
    assert_int_equal(filled, n_nodes[j]);
  }
  for (size_t k = 0; k < 5; k++) sm_fri_query_proof_free(&q[k]);
  sm_fri_prover_free(&pr);
  sm_tr_free(&tr);

  /* Device inputs need device FRI, and all inputs must be given alike. */
  sm_tr_init(&tr, "starkml/test/fri-device");
  sm_fri_params cpu = p;
  cpu.backend = NULL;
  assert_int_equal(sm_fri_commit(&pr, &tr, plan, &cpu, f.di, 4), STARKML_ERR_ARG);
  sm_fri_input mixed[4] = {f.di[0], f.hi[1], f.di[2], f.di[3]};
  assert_int_equal(sm_fri_commit(&pr, &tr, plan, &p, mixed, 4), STARKML_ERR_ARG);
  mixed[1] = (sm_fri_input){10, f.host[1], &f.dev[1]}; /* both */
  assert_int_equal(sm_fri_commit(&pr, &tr, plan, &p, mixed, 4), STARKML_ERR_ARG);
  mixed[1] = (sm_fri_input){11, NULL, &f.dev[1]}; /* a size that is not the matrix's */
  assert_int_equal(sm_fri_commit(&pr, &tr, plan, &p, mixed, 4), STARKML_ERR_ARG);
  assert_null(pr.final_coeffs);

  /* A layer that does not fit in a buffer: out of device memory, nothing left behind. */
  sm_opencl_limit_alloc(be, 64u << 10); /* layer 0: 2^12 x 3 x 8 = 96 KiB */
  assert_int_equal(sm_fri_commit(&pr, &tr, plan, &p, f.di, 4), STARKML_ERR_NOMEM);
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  assert_null(pr.layers[0].dev);
  sm_tr_free(&tr);
  fri_inputs_free(&f, be);
  close_with_plan(be, plan);
}

/* Matrices under a 256 KiB buffer cap: one that fits works, one that does not is a clean
   "out of device memory" (STARKML_ERR_NOMEM, the matrix zeroed, nothing leaked). */
static void mats_out_of_memory(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  sm_opencl_limit_alloc(be, 256u << 10);
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 16, 2), STARKML_OK);
  uint64_t rng = sm_test_seed();
  sm_be_mat dev, cpu;
  random_mats(be, plan, &dev, &cpu, 4, 12, 1000, 7, &rng); /* 128 KiB: fits */
  sm_merkle_tree ta, tb;
  assert_int_equal(sm_be_merkle_commit_mat(be, &ta, &dev, NULL, 0, 0, 1), STARKML_OK);
  assert_int_equal(sm_merkle_commit(&tb, cpu.host, 4096, 4, 4096, NULL, 0, 2), STARKML_OK);
  size_t *all = malloc(4096 * sizeof *all);
  assert_non_null(all);
  for (size_t r = 0; r < 4096; r++) all[r] = r;
  assert_int_equal(sm_be_merkle_fetch_paths(be, &ta, all, 4096, 0), STARKML_OK);
  free(all);
  assert_memory_equal(ta.nodes, tb.nodes, (2 * 4096 - 1) * sizeof *ta.nodes);
  sm_be_merkle_tree_free(be, &ta);
  sm_merkle_tree_free(&tb);
  /* 2^12 rows of 64-byte salts: 256 KiB + 1 row too many for one salt buffer. */
  uint8_t *salts = calloc(4096, 65);
  assert_non_null(salts);
  assert_int_equal(sm_be_merkle_commit_mat(be, &ta, &dev, salts, 65, 0, 1), STARKML_ERR_NOMEM);
  assert_null(ta.nodes);
  assert_null(ta.dev);
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  free(salts);
  sm_be_mat_free(be, &dev);
  sm_be_mat_free(NULL, &cpu);
  gl_t *coef = calloc(9 * 1000, sizeof *coef);
  assert_non_null(coef);
  sm_be_mat big;
  assert_int_equal(sm_be_coset_eval_mat(be, plan, &big, coef, 1000, 1000, 9, 12, 7),
                   STARKML_ERR_NOMEM); /* 9 columns of 32 KiB: 256 KiB + 1 column */
  printf("%s\n", sm_be_last_error(be));
  assert_non_null(strstr(sm_be_last_error(be), "matrix"));
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  assert_null(big.dev);
  assert_null(big.host);
  assert_int_equal(big.rows, 0);
  free(coef);
  close_with_plan(be, plan);
}

/* ---- constraint quotient (generated kernels) and DEEP --------------------------------------- */

/* A random table of about n_nodes nodes over every op kind: columns of the three kinds on
   the current and the next row, publics, challenges, constants, repeated subexpressions
   (merged by the generator), and constraints with the selectors of sel_mask (each used). */
static void random_table(sm_air_table *t, unsigned log_n, uint32_t n_aux, size_t n_nodes,
                         unsigned sel_mask, uint64_t *rng) {
  sm_air_builder b;
  sm_air_builder_init(&b, "random", log_n, 2, 3, 2);
  b.n_aux = n_aux;
  uint32_t *id = malloc(n_nodes * sizeof *id);
  assert_non_null(id);
  size_t k = 0;
  /* Every leaf kind first, then random nodes. */
  id[k++] = sm_ab_const(&b, sm_test_next(rng) % GL_P);
  id[k++] = sm_ab_col(&b, SM_COL_PRE, 1, 0);
  id[k++] = sm_ab_col(&b, SM_COL_MAIN, 2, 1);
  if (n_aux > 0) id[k++] = sm_ab_col(&b, SM_COL_AUX, n_aux - 1, 1);
  id[k++] = sm_ab_pub(&b, 1);
  id[k++] = sm_ab_chal(&b, 2);
  while (k < n_nodes) {
    const uint64_t r = sm_test_next(rng);
    const uint32_t x = id[(r >> 8) % k], y = id[(r >> 32) % k];
    switch (r % 9) {
      case 0: id[k++] = sm_ab_const(&b, (r >> 3) % 5 == 0 ? 0 : sm_test_next(rng) % GL_P); break;
      case 1: {
        const uint64_t q = sm_test_next(rng);
        const sm_col_kind kind = (sm_col_kind)(q % (n_aux > 0 ? 3 : 2));
        const uint32_t lim = kind == SM_COL_PRE ? 2 : kind == SM_COL_MAIN ? 3 : n_aux;
        id[k++] = sm_ab_col(&b, kind, (uint32_t)((q >> 8) % lim), (int)((q >> 16) & 1));
        break;
      }
      case 2: id[k++] = sm_ab_pub(&b, (uint32_t)((r >> 5) & 1)); break;
      case 3: id[k++] = sm_ab_chal(&b, (uint32_t)((r >> 5) % 3)); break;
      case 4: id[k++] = sm_ab_add(&b, x, y); break;
      case 5: id[k++] = sm_ab_sub(&b, x, y); break;
      case 6: id[k++] = sm_ab_mul(&b, x, y); break;
      case 7: id[k++] = sm_ab_neg(&b, x); break;
      default: id[k++] = sm_ab_mul(&b, y, x); break; /* a commuted repeat, often */
    }
  }
  size_t nc = n_nodes / 6 + 4, sel_seen = 0;
  for (size_t j = 0; j < nc || sel_seen != sel_mask; j++) {
    unsigned sel = (unsigned)(sm_test_next(rng) % 4);
    if (!((sel_mask >> sel) & 1)) continue;
    sel_seen |= 1u << sel;
    sm_ab_constraint(&b, id[n_nodes / 2 + sm_test_next(rng) % (n_nodes - n_nodes / 2)],
                     (sm_selector)sel);
  }
  char why[256];
  starkml_status s = sm_ab_finish(&b, t, why, sizeof why);
  if (s != STARKML_OK) fail_msg("random table: %s", why);
  free(id);
}

/* The quotient of core/backend.h on the CPU, from sm_air_eval_block over all M points. */
static void quotient_reference(gl3_t *q, const sm_be_quotient_in *in) {
  const sm_air_table *t = in->table;
  const size_t M = (size_t)1 << in->log_qdom, big = (size_t)1 << in->log_big;
  const size_t n = (size_t)1 << in->log_n, nb = (size_t)t->n_pre + t->n_main, na = in->n_aux;
  const gl_t **bc = calloc(nb + 1, sizeof *bc), **bn = calloc(nb + 1, sizeof *bn);
  const gl3_t **ac = calloc(na + 1, sizeof *ac), **an = calloc(na + 1, sizeof *an);
  gl_t *nxt_base = malloc((nb * M + 1) * sizeof *nxt_base);
  gl3_t *aux = malloc((2 * na * M + 1) * sizeof *aux);
  gl3_t *out = malloc(t->n_constraints * M * sizeof *out);
  gl_t *scratch = malloc(sm_air_block_scratch_len(t, M) * sizeof *scratch);
  size_t *nxt = malloc(M * sizeof *nxt);
  assert_true(bc && bn && ac && an && nxt_base && aux && out && scratch && nxt);
  for (size_t i = 0; i < M; i++) {
    const size_t e = sm_bitrev(i, in->log_big);
    nxt[i] = sm_bitrev((e + big / n) & (big - 1), in->log_big);
    assert_true(nxt[i] < M);
  }
  for (size_t c = 0; c < nb; c++) {
    const gl_t *col =
        c < t->n_pre ? in->pre->host + c * big : in->main->host + (c - t->n_pre) * big;
    bc[c] = col;
    for (size_t i = 0; i < M; i++) nxt_base[c * M + i] = col[nxt[i]];
    bn[c] = nxt_base + c * M;
  }
  for (size_t k = 0; k < na; k++) {
    const gl_t *c0 = in->aux->host + 3 * k * big;
    for (size_t i = 0; i < M; i++) {
      aux[k * M + i] = (gl3_t){{c0[i], c0[big + i], c0[2 * big + i]}};
      aux[(na + k) * M + i] = (gl3_t){{c0[nxt[i]], c0[big + nxt[i]], c0[2 * big + nxt[i]]}};
    }
    ac[k] = aux + k * M;
    an[k] = aux + (na + k) * M;
  }
  sm_air_block_in bin = {bc, bn, 1, ac, an, 1, in->publics, in->chal};
  assert_int_equal(sm_air_eval_block(t, in->n_aux, out, &bin, M, scratch), STARKML_OK);
  const gl_t wb = gl_root_of_unity(in->log_big);
  const gl_t wl = gl_exp(gl_root_of_unity(in->log_n), n - 1);
  for (size_t i = 0; i < M; i++) {
    gl3_t acc[4] = {{{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}};
    for (size_t j = 0; j < t->n_constraints; j++) {
      const unsigned sel = t->constraints[j].selector;
      acc[sel] = gl3_add(acc[sel], gl3_mul(in->gpow[j], out[j * M + i]));
    }
    const gl_t x = gl_mul(in->shift, gl_exp(wb, sm_bitrev(i, in->log_big)));
    const gl_t iz = gl_inv(gl_sub(gl_exp(x, n), 1));
    gl3_t v = gl3_mul_base(acc[SM_SEL_FIRST], gl_inv(gl_sub(x, 1)));
    v = gl3_add(v, gl3_mul_base(acc[SM_SEL_LAST], gl_inv(gl_sub(x, wl))));
    v = gl3_add(v, gl3_mul_base(acc[SM_SEL_TRANSITION], gl_mul(gl_sub(x, wl), iz)));
    v = gl3_add(v, gl3_mul_base(acc[SM_SEL_EVERY], iz));
    q[i] = v;
  }
  free(bc), free(bn), free(ac), free(an), free(nxt_base), free(aux), free(out), free(scratch);
  free(nxt);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One random table through the generated kernel and through the CPU reference. */
static void check_quotient(sm_backend *be, sm_ntt_plan *plan, unsigned log_n, unsigned blowup,
                           unsigned qdom, uint32_t n_aux, size_t n_nodes, unsigned sel_mask,
                           uint64_t *rng) {
  sm_air_table t;
  random_table(&t, log_n, n_aux, n_nodes, sel_mask, rng);
  const unsigned log_big = log_n + blowup, log_qdom = log_n + qdom;
  const size_t big = (size_t)1 << log_big, M = (size_t)1 << log_qdom;
  const gl_t shift = gl_exp(GL_GENERATOR, 1 + sm_test_next(rng) % 5);
  sm_be_mat dev[3], cpu[3];
  const size_t cols[3] = {t.n_pre, t.n_main, 3 * (size_t)n_aux};
  memset(dev, 0, sizeof dev);
  memset(cpu, 0, sizeof cpu);
  for (int m = 0; m < 3; m++)
    if (cols[m] > 0) random_mats(be, plan, &dev[m], &cpu[m], cols[m], log_big, big, shift, rng);
  gl_t publics[2];
  random_gl(publics, 2, rng);
  gl3_t *gpow = malloc(t.n_constraints * sizeof *gpow);
  gl3_t *qa = malloc(M * sizeof *qa), *qb = malloc(M * sizeof *qb);
  assert_non_null(gpow);
  assert_non_null(qa);
  assert_non_null(qb);
  random_gl(gpow[0].v, 3 * t.n_constraints, rng);
  sm_be_quotient_in in = {&t, n_aux, log_n, log_big, log_qdom, shift, &dev[0], &dev[1],
                          n_aux ? &dev[2] : NULL, publics, {{{0}}}, gpow};
  for (int c = 0; c < 3; c++) random_gl(in.chal[c].v, 3, rng);
  const double t0 = now_s();
  assert_int_equal(be->ops->quotient(be, qa, &in), STARKML_OK);
  const double t1 = now_s();
  in.pre = &cpu[0];
  in.main = &cpu[1];
  in.aux = n_aux ? &cpu[2] : NULL;
  quotient_reference(qb, &in);
  /* The same values left in a 3-column matrix (quotient_mat): nothing comes back. */
  in.pre = &dev[0];
  in.main = &dev[1];
  in.aux = n_aux ? &dev[2] : NULL;
  sm_be_mat qm = {NULL, NULL, M, 3};
  const unsigned long long b0 = sm_opencl_bytes_read(be);
  assert_int_equal(be->ops->quotient_mat(be, &qm, &in), STARKML_OK);
  assert_true(sm_opencl_bytes_read(be) == b0);
  assert_null(qm.host);
  size_t *all = malloc(M * sizeof *all);
  gl3_t *qc = malloc(M * sizeof *qc);
  assert_true(all && qc);
  for (size_t i = 0; i < M; i++) all[i] = i;
  assert_int_equal(sm_be_read_rows(be, qc[0].v, &qm, all, M), STARKML_OK);
  if (memcmp(qa, qc, M * sizeof *qa) != 0) fail_msg("quotient_mat differs from quotient");
  sm_be_mat_free(be, &qm);
  free(all), free(qc);
  if (n_nodes >= 1000)
    printf("quotient kernel of a %zu-node table: generated, built and run in %.2f s\n", n_nodes,
           t1 - t0);
  if (memcmp(qa, qb, M * sizeof *qa) != 0) {
    for (size_t i = 0; i < M; i++)
      if (!gl3_eq(qa[i], qb[i])) {
        fail_msg("quotient of a %zu-node table (2^%u rows, selectors %x, %u aux) differs from "
                 "the CPU at position %zu",
                 n_nodes, log_n, sel_mask, (unsigned)n_aux, i);
      }
  }
  for (int m = 0; m < 3; m++) {
    sm_be_mat_free(be, &dev[m]);
    sm_be_mat_free(NULL, &cpu[m]);
  }
  free(gpow), free(qa), free(qb);
  sm_air_table_free(&t);
}

/* Generated quotient kernels against sm_air_eval_block: every op kind, next-row reads,
   publics, challenges, each selector alone and all four, tables with and without
   preprocessed-only or auxiliary columns, and a large table (build time printed); the
   values of quotient_mat equal quotient's. */
static void quotient_codegen(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed();
  for (unsigned sel_mask = 1; sel_mask < 16; sel_mask++)
    check_quotient(be, plan, 3 + sel_mask % 3, 2 + sel_mask % 2, sel_mask % 2, sel_mask % 3,
                   40 + 7 * sel_mask, sel_mask, &rng);
  check_quotient(be, plan, 6, 3, 2, 2, 400, 15, &rng);
  close_with_plan(be, plan);
}

/* A 4000-node table (about 36 s of PoCL kernel build on the CI machine: label slow). */
static void quotient_codegen_large_slow(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed() ^ 0x4000;
  check_quotient(be, plan, 5, 2, 1, 3, 4000, 15, &rng);
  close_with_plan(be, plan);
}

/* DEEP values on the device against core/backend.h's formula on the CPU. */
static void deep_on_device(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed();
  for (int trial = 0; trial < 6; trial++) {
    const unsigned log_big = 3 + 2 * (unsigned)trial;
    const size_t big = (size_t)1 << log_big;
    const size_t np = trial % 2 ? 2 : 0, nm = 1 + (size_t)trial, na = trial % 3 ? 6 : 0;
    const size_t nq = 3 * (1 + (size_t)trial % 2);
    const int mask = trial % 2 == 0;
    const size_t nqc = nq + (mask ? 3 : 0), nbo = np + nm + na;
    const gl_t shift = gl_exp(GL_GENERATOR, 1 + (uint64_t)trial);
    sm_be_mat dev[4], cpu[4];
    const size_t cols[4] = {np, nm, na, nqc};
    memset(dev, 0, sizeof dev);
    memset(cpu, 0, sizeof cpu);
    for (int m = 0; m < 4; m++)
      if (cols[m] > 0)
        random_mats(be, plan, &dev[m], &cpu[m], cols[m], log_big, big / 2, shift, &rng);
    const size_t nw = 2 * nbo + nq + 1;
    gl3_t *w = malloc(nw * sizeof *w), *a = malloc(big * sizeof *a);
    size_t *all = malloc(big * sizeof *all);
    assert_non_null(w);
    assert_non_null(a);
    assert_non_null(all);
    random_gl(w[0].v, 3 * nw, &rng);
    sm_be_deep_in in = {log_big, shift, np ? &dev[0] : NULL, &dev[1], na ? &dev[2] : NULL,
                        &dev[3], nbo, nq, mask, w,
                        {{0}}, {{0}}, {{0}}, {{0}}, {{0}}};
    random_gl(in.kz.v, 3, &rng);
    random_gl(in.kzw.v, 3, &rng);
    random_gl(in.kq.v, 3, &rng);
    random_gl(in.z.v, 3, &rng);
    random_gl(in.zw.v, 3, &rng);
    if (trial == 5) in.z = gl3_from_base(shift); /* x_0 - z = 0: the zero-inverse path */
    /* The values stay on the device (FRI's input): read them back here to compare. */
    sm_be_mat out = {NULL, NULL, big, 3};
    assert_int_equal(be->ops->deep(be, &out, &in), STARKML_OK);
    assert_non_null(out.dev);
    assert_null(out.host);
    for (size_t i = 0; i < big; i++) all[i] = i;
    assert_int_equal(sm_be_read_rows(be, (gl_t *)a, &out, all, big), STARKML_OK);
    sm_be_mat_free(be, &out);
    const gl_t wb = gl_root_of_unity(log_big);
    for (size_t i = 0; i < big; i++) {
      const gl3_t x = gl3_from_base(gl_mul(shift, gl_exp(wb, sm_bitrev(i, log_big))));
      const gl3_t iz = sm_gl3_inv(gl3_sub(x, in.z)), izw = sm_gl3_inv(gl3_sub(x, in.zw));
      gl3_t sz = gl3_from_base(0), szw = sz, sq = sz;
      for (size_t c = 0; c < nbo; c++) {
        const gl_t v = c < np        ? cpu[0].host[c * big + i]
                       : c < np + nm ? cpu[1].host[(c - np) * big + i]
                                     : cpu[2].host[(c - np - nm) * big + i];
        sz = gl3_add(sz, gl3_mul_base(w[c], v));
        szw = gl3_add(szw, gl3_mul_base(w[nbo + c], v));
      }
      for (size_t c = 0; c < nq; c++)
        sq = gl3_add(sq, gl3_mul_base(w[2 * nbo + c], cpu[3].host[c * big + i]));
      gl3_t v = gl3_mul(gl3_sub(sz, in.kz), iz);
      v = gl3_add(v, gl3_mul(gl3_sub(szw, in.kzw), izw));
      v = gl3_add(v, gl3_mul(gl3_sub(sq, in.kq), iz));
      if (mask) {
        const gl3_t r = {{cpu[3].host[nq * big + i], cpu[3].host[(nq + 1) * big + i],
                          cpu[3].host[(nq + 2) * big + i]}};
        v = gl3_add(v, gl3_mul(w[2 * nbo + nq], r));
      }
      if (!gl3_eq(v, a[i]))
        fail_msg("DEEP value %zu of 2^%u (trial %d) differs from the CPU", i, log_big, trial);
    }
    for (int m = 0; m < 4; m++) {
      sm_be_mat_free(be, &dev[m]);
      sm_be_mat_free(NULL, &cpu[m]);
    }
    free(w), free(a), free(all);
  }
  close_with_plan(be, plan);
}

/* The proof uses the generated kernels: a deliberately wrong one (every quotient value
   doubled, still a polynomial) changes the proof; the right one gives the CPU's bytes. */
static void codegen_fault_changes_proof(void **state) {
  (void)state;
  sm_be_free(open_or_skip());
  starkml_ctx *cpu = NULL, *dev = NULL;
  assert_int_equal(starkml_ctx_create(&cpu, 2), STARKML_OK);
  assert_int_equal(starkml_ctx_create(&dev, 2), STARKML_OK);
  char why[4096];
  assert_int_equal(starkml_ctx_set_backend(dev, "opencl", 0, why, sizeof why), STARKML_OK);
  size_t la = 0, lb = 0, lc = 0;
  uint8_t *ref = prove_toy(cpu, 2, 1, &la);
  sm_opencl_codegen_fault(dev->backend, SM_OCL_CODEGEN_FAULT_DOUBLE);
  uint8_t *bad = prove_toy(dev, 2, 1, &lb);
  assert_true(lb != la || memcmp(bad, ref, la) != 0);
  sm_opencl_codegen_fault(dev->backend, 0);
  uint8_t *good = prove_toy(dev, 2, 1, &lc);
  assert_int_equal(lc, la);
  assert_memory_equal(good, ref, la);
  free(ref), free(bad), free(good);
  starkml_ctx_destroy(cpu);
  starkml_ctx_destroy(dev);
}

/* ---- errors ---------------------------------------------------------------------------- */

static void bad_device_index(void **state) {
  (void)state;
  sm_be_free(open_or_skip());
  sm_backend *be = NULL;
  char why[512] = "";
  assert_int_equal(sm_opencl_open(&be, 100000, 1, why, sizeof why), STARKML_ERR_ARG);
  assert_null(be);
  assert_non_null(strstr(why, "no OpenCL device 100000"));
  assert_int_equal(sm_opencl_open(&be, -1, 1, why, sizeof why), STARKML_ERR_ARG);
  assert_null(be);
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 1), STARKML_OK);
  assert_int_equal(starkml_ctx_set_backend(ctx, "opencl", 100000, why, sizeof why),
                   STARKML_ERR_ARG);
  assert_string_equal(starkml_ctx_backend(ctx), "cpu");
  starkml_ctx_destroy(ctx);
}

/* `starkml devices` data: the CPU first, then every OpenCL device with a name. */
static void devices_listed(void **state) {
  (void)state;
  sm_be_free(open_or_skip());
  starkml_device_info d[64];
  size_t n = 0;
  char why[512];
  assert_int_equal(starkml_devices(d, 64, &n, why, sizeof why), STARKML_OK);
  assert_true(n >= 2);
  assert_string_equal(d[0].backend, "cpu");
  int seen = 0;
  for (size_t i = 1; i < n && i < 64; i++) {
    if (strcmp(d[i].backend, "opencl") != 0) continue;
    assert_int_equal(d[i].index, seen);
    assert_true(d[i].name[0] != '\0');
    assert_true(d[i].platform[0] != '\0');
    assert_true(d[i].global_mem > 0);
    seen++;
  }
  assert_true(seen >= 1);
  /* Counting past cap. */
  size_t n2 = 0;
  assert_int_equal(starkml_devices(d, 1, &n2, NULL, 0), STARKML_OK);
  assert_int_equal(n2, n);
}

/* A program that does not compile is STARKML_ERR_BACKEND with the compiler's log. */
static void build_failure_has_log(void **state) {
  (void)state;
  sm_be_free(open_or_skip());
  cl_device_id *ids = NULL;
  cl_platform_id *plats = NULL;
  size_t n = 0;
  assert_int_equal(sm_ocl_list(&ids, &plats, &n, NULL, 0), STARKML_OK);
  assert_true(n > 0);
  cl_int err = CL_SUCCESS;
  cl_context ctx = clCreateContext(NULL, 1, &ids[0], NULL, NULL, &err);
  assert_int_equal(err, CL_SUCCESS);
  cl_program p = NULL;
  char why[8192] = "";
  /* TILE_LOG becomes a syntax error in every kernel that uses it. */
  assert_int_equal(sm_ocl_build(&p, ctx, plats[0], ids[0], "-DTILE_LOG=+", why, sizeof why),
                   STARKML_ERR_BACKEND);
  assert_null(p);
  printf("%s\n", why);
  assert_non_null(strstr(why, "clBuildProgram"));
  assert_non_null(strstr(why, "build log"));
  assert_null(strstr(why, "(empty)"));
  clReleaseContext(ctx);
  free(ids);
  free(plats);
}

/* Buffers limited to 256 KiB: batches and trees are cut into chunks and still equal the
   CPU; a column that cannot fit is "out of device memory" (STARKML_ERR_NOMEM). */
static void chunks_and_out_of_memory(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  sm_opencl_limit_alloc(be, 256u << 10);
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 16, 2), STARKML_OK);
  uint64_t rng = sm_test_seed();
  check_ntt(be, plan, 14, 5, ((size_t)1 << 14) + 2, &rng); /* 2 columns per chunk */
  check_coset(be, plan, 14, 5000, 3, &rng);
  check_merkle(be, (size_t)1 << 12, 16, (size_t)1 << 12, 8, &rng); /* 2 row blocks */
  gl_t *big = calloc((size_t)1 << 16, sizeof *big);
  assert_non_null(big);
  assert_int_equal(sm_be_ntt(be, plan, big, 1, (size_t)1 << 16, 16, 0, SM_ORDER_NATURAL,
                             SM_ORDER_BITREV),
                   STARKML_ERR_NOMEM);
  printf("%s\n", sm_be_last_error(be));
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  free(big);
  close_with_plan(be, plan);
}

/* ---- program cache --------------------------------------------------------------------- */

static int count_cache_files(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strncmp(e->d_name, "opencl-", 7) == 0 && strstr(e->d_name, ".tmp") == NULL) n++;
  closedir(d);
  return n;
}

static void remove_cache(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return;
  struct dirent *e;
  char path[1024];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(dir);
}

/* Opens device 0, checks one NTT against the CPU, and closes it. */
static void open_and_check(uint64_t *rng) {
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 10, 1);
  check_ntt(be, plan, 10, 2, 1024, rng);
  close_with_plan(be, plan);
}

static void program_cache(void **state) {
  (void)state;
  sm_be_free(open_or_skip());
  uint64_t rng = sm_test_seed();
  char base[] = "/tmp/starkml-ocl-cache-XXXXXX";
  assert_non_null(mkdtemp(base));
  char dir[256];
  snprintf(dir, sizeof dir, "%s/starkml", base);
  assert_int_equal(setenv("XDG_CACHE_HOME", base, 1), 0);
  sm_ocl_cache_stats s0, s1;

  /* A fresh cache: built from source, stored on disk. */
  sm_ocl_cache_forget_memory();
  sm_ocl_cache_get_stats(&s0);
  open_and_check(&rng);
  sm_ocl_cache_get_stats(&s1);
  assert_int_equal(s1.built, s0.built + 1);
  assert_int_equal(count_cache_files(dir), 1);

  /* The same process: from memory. */
  open_and_check(&rng);
  sm_ocl_cache_get_stats(&s0);
  assert_int_equal(s0.mem_hits, s1.mem_hits + 1);
  assert_int_equal(s0.built, s1.built);

  /* Another process (the memory forgotten): from disk. */
  sm_ocl_cache_forget_memory();
  open_and_check(&rng);
  sm_ocl_cache_get_stats(&s1);
  assert_int_equal(s1.disk_hits, s0.disk_hits + 1);
  assert_int_equal(s1.built, s0.built);

  /* A corrupt entry is not used: built again, and the entry rewritten. */
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  char path[1024] = "";
  while ((e = readdir(d)) != NULL)
    if (strncmp(e->d_name, "opencl-", 7) == 0) snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
  closedir(d);
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  assert_int_equal(fseek(f, -1, SEEK_END), 0);
  int c = fgetc(f);
  assert_int_equal(fseek(f, -1, SEEK_END), 0);
  fputc(c ^ 0x5a, f);
  fclose(f);
  sm_ocl_cache_forget_memory();
  open_and_check(&rng);
  sm_ocl_cache_get_stats(&s0);
  assert_int_equal(s0.built, s1.built + 1);
  assert_int_equal(s0.disk_hits, s1.disk_hits);
  sm_ocl_cache_forget_memory();
  open_and_check(&rng);
  sm_ocl_cache_get_stats(&s1);
  assert_int_equal(s1.disk_hits, s0.disk_hits + 1);

  /* A cache that cannot be written is no error. */
  assert_int_equal(setenv("XDG_CACHE_HOME", "/proc/starkml-cannot-write-here", 1), 0);
  sm_ocl_cache_forget_memory();
  open_and_check(&rng);
  sm_ocl_cache_get_stats(&s0);
  assert_int_equal(s0.built, s1.built + 1);

  remove_cache(dir);
  rmdir(base);
}

/*
 * Witness coefficients on the device (witness_coef, coset_eval_dev, mat_eval) against
 * fri/stark_prove.c's host path: inverse NTT, the randomizer subtracted from rows [0, h)
 * and added at [n, n + h) (h > n included), the LDE of the n + h coefficients, and the
 * values at two points. Nothing but mat_eval's values comes back.
 */
static void witness_coef_on_device(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed();
  const struct {
    unsigned log_n;
    size_t k, h;
  } cases[] = {{0, 1, 0}, {1, 2, 3}, {3, 3, 0}, {3, 4, 5}, {6, 5, 70}, {10, 3, 22}, {12, 2, 0}};
  for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
    const unsigned log_n = cases[t].log_n;
    const size_t n = (size_t)1 << log_n, k = cases[t].k, h = cases[t].h, rows = n + h;
    unsigned log_N = 1;
    while (((size_t)1 << log_N) < 2 * rows) log_N++;
    const size_t N = (size_t)1 << log_N;
    const gl_t shift = gl_exp(GL_GENERATOR, 3 + t);
    gl_t *tr = malloc(k * n * sizeof *tr), *r = malloc((k * h + 1) * sizeof *r);
    gl_t *ref = calloc(k * rows, sizeof *ref), *got = malloc(k * N * sizeof *got);
    gl_t *lde = malloc(k * N * sizeof *lde);
    gl3_t *pw = malloc(2 * rows * sizeof *pw), *v = malloc(2 * k * sizeof *v);
    size_t *all = malloc(N * sizeof *all);
    assert_true(tr && r && ref && got && lde && pw && v && all);
    random_gl(tr, k * n, &rng);
    random_gl(r, k * h, &rng);
    /* The host path of witness_lde. */
    for (size_t c = 0; c < k; c++) memcpy(ref + c * rows, tr + c * n, n * sizeof *ref);
    assert_int_equal(sm_be_ntt(NULL, plan, ref, k, rows, log_n, 1, SM_ORDER_NATURAL,
                               SM_ORDER_NATURAL),
                     STARKML_OK);
    for (size_t c = 0; c < k; c++)
      for (size_t i = 0; i < h; i++) {
        ref[c * rows + i] = gl_sub(ref[c * rows + i], r[c * h + i]);
        ref[c * rows + n + i] = gl_add(ref[c * rows + n + i], r[c * h + i]);
      }
    sm_be_mat coef = {NULL, NULL, rows, k}, dl = {NULL, NULL, N, k};
    const unsigned long long b0 = sm_opencl_bytes_read(be);
    assert_int_equal(be->ops->witness_coef(be, &coef, tr, log_n, h ? r : NULL, h), STARKML_OK);
    assert_int_equal(be->ops->coset_eval_dev(be, &dl, &coef, log_N, shift), STARKML_OK);
    assert_true(sm_opencl_bytes_read(be) == b0); /* nothing comes back */
    assert_non_null(coef.dev);
    assert_null(coef.host);
    for (size_t i = 0; i < N; i++) all[i] = i;
    assert_int_equal(sm_be_read_rows(be, got, &coef, all, rows), STARKML_OK);
    for (size_t i = 0; i < rows; i++)
      for (size_t c = 0; c < k; c++)
        if (got[i * k + c] != ref[c * rows + i])
          fail_msg("coefficient %zu of column %zu (n 2^%u, h %zu) differs", i, c, log_n, h);
    assert_int_equal(sm_be_coset_eval(NULL, plan, lde, N, ref, rows, rows, k, log_N, shift),
                     STARKML_OK);
    assert_int_equal(sm_be_read_rows(be, got, &dl, all, N), STARKML_OK);
    for (size_t i = 0; i < N; i++)
      for (size_t c = 0; c < k; c++)
        if (got[i * k + c] != lde[c * N + i])
          fail_msg("LDE value %zu of column %zu (n 2^%u, h %zu) differs", i, c, log_n, h);
    /* Two points: random powers (the op does not need them to be powers). */
    random_gl(pw[0].v, 6 * rows, &rng);
    const unsigned long long b1 = sm_opencl_bytes_read(be);
    assert_int_equal(be->ops->mat_eval(be, v, &coef, pw, rows, 2), STARKML_OK);
    assert_true(sm_opencl_bytes_read(be) - b1 == 2 * k * sizeof(gl3_t));
    for (size_t p = 0; p < 2; p++)
      for (size_t c = 0; c < k; c++) {
        gl3_t e = gl3_from_base(0);
        for (size_t i = 0; i < rows; i++)
          e = gl3_add(e, gl3_mul_base(pw[p * rows + i], ref[c * rows + i]));
        if (!gl3_eq(e, v[p * k + c]))
          fail_msg("value %zu of column %zu (n 2^%u, h %zu) differs", p, c, log_n, h);
      }
    sm_be_mat_free(be, &coef);
    sm_be_mat_free(be, &dl);
    /* A matrix that is not on the device is refused. */
    sm_be_mat none = {NULL, NULL, rows, k};
    assert_int_equal(be->ops->mat_eval(be, v, &none, pw, rows, 2), STARKML_ERR_ARG);
    free(tr), free(r), free(ref), free(got), free(lde), free(pw), free(v), free(all);
  }
  close_with_plan(be, plan);
}

/*
 * fri/stark_prove.c's quotient_commit on the host, the reference of quotient_coef: the
 * values vals (3 columns of M, bit-reversed points shift * w_M^bitrev(i)) interpolated
 * (inverse NTT, times shift^-j), the count of nonzero coefficients at j >= m P, the split
 * into m pieces of P coefficients (stride D), the blinders r (k < m - 1, per component, hq
 * each) and, with mask, 3 columns of D - 1 mask values after them.
 */
static size_t quotient_pieces_reference(gl_t *pieces, sm_ntt_plan *plan, const gl_t *vals,
                                        unsigned log_M, gl_t shift, size_t P, size_t m,
                                        size_t D, const gl_t *r, size_t hq, int mask) {
  const size_t M = (size_t)1 << log_M, cols = 3 * m + (mask ? 3 : 0);
  gl_t *a = malloc(3 * M * sizeof *a);
  assert_non_null(a);
  memcpy(a, vals, 3 * M * sizeof *a);
  assert_int_equal(sm_be_ntt(NULL, plan, a, 3, M, log_M, 1, SM_ORDER_BITREV, SM_ORDER_NATURAL),
                   STARKML_OK);
  const gl_t sinv = gl_inv(shift);
  gl_t sp = 1;
  for (size_t j = 0; j < M; j++, sp = gl_mul(sp, sinv))
    for (size_t c = 0; c < 3; c++) a[c * M + j] = gl_mul(a[c * M + j], sp);
  size_t bad = 0;
  for (size_t j = m * P; j < M; j++)
    for (size_t c = 0; c < 3; c++) bad += a[c * M + j] != 0;
  memset(pieces, 0, cols * D * sizeof *pieces);
  for (size_t k = 0; k < m; k++)
    for (size_t c = 0; c < 3; c++)
      for (size_t t = 0; t < P && k * P + t < M; t++)
        pieces[(3 * k + c) * D + t] = a[c * M + k * P + t];
  for (size_t k = 0; k + 1 < m; k++)
    for (size_t c = 0; c < 3; c++)
      for (size_t i = 0; i < hq; i++) {
        const gl_t b = r[(3 * k + c) * hq + i];
        pieces[(3 * k + c) * D + P + i] = gl_add(pieces[(3 * k + c) * D + P + i], b);
        pieces[(3 * (k + 1) + c) * D + i] = gl_sub(pieces[(3 * (k + 1) + c) * D + i], b);
      }
  for (size_t c = 0; c < 3 && mask; c++)
    for (size_t i = 0; i + 1 < D; i++)
      pieces[(3 * m + c) * D + i] = r[3 * (m - 1) * hq + c * (D - 1) + i];
  free(a);
  return bad;
}

/*
 * The quotient's pieces on the device (quotient_coef, then coset_eval_dev and mat_eval of
 * the pieces without the mask) against the host path, on values of chosen polynomials:
 * honest ones (fewer than m P coefficients: the pieces are those coefficients, blinded) and
 * tampered ones (M coefficients: the count is the host's, and the pieces its low
 * coefficients). sm_opencl_bytes_read: quotient_coef reads back the count alone (4 bytes),
 * mat_eval 3 words per piece column. Then whole tampered proofs of the toys (the count is
 * tolerated and the high coefficients dropped): the OpenCL prover's result is the CPU's.
 */
static void quotient_pieces_on_device(void **state) {
  (void)state;
  sm_ntt_plan *plan = NULL;
  sm_backend *be = open_with_plan(&plan, 14, 2);
  uint64_t rng = sm_test_seed();
  const struct {
    unsigned log_M;
    size_t m, D, hq;
    int mask, tampered; /* 1: M random coefficients; 2: m P, and one more at M - 1 */
  } cases[] = {{0, 1, 1, 0, 0, 0},   {2, 1, 4, 0, 0, 0},   {3, 2, 4, 0, 0, 1},
               {4, 2, 8, 3, 1, 0},   {5, 3, 16, 5, 1, 1},  {6, 5, 16, 8, 1, 0},
               {8, 4, 64, 10, 1, 1}, {10, 1, 512, 0, 0, 2}, {12, 2, 4096, 70, 1, 0},
               {4, 3, 8, 1, 1, 0}};
  for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
    const unsigned log_M = cases[t].log_M;
    const size_t M = (size_t)1 << log_M, m = cases[t].m, D = cases[t].D, hq = cases[t].hq;
    const size_t P = D - hq, cols = 3 * m + (cases[t].mask ? 3 : 0);
    const size_t nr = 3 * (m - 1) * hq + (cases[t].mask ? 3 * (D - 1) : 0);
    const size_t deg = cases[t].tampered == 1 ? M : (m * P < M ? m * P : M);
    unsigned log_N = 1;
    while (((size_t)1 << log_N) < 2 * D) log_N++;
    const size_t N = (size_t)1 << log_N;
    const gl_t shift = gl_exp(GL_GENERATOR, 5 + t);
    gl_t *a = calloc(3 * M, sizeof *a), *r = malloc((nr + 1) * sizeof *r);
    gl_t *vals = malloc(3 * M * sizeof *vals), *ref = malloc(cols * D * sizeof *ref);
    gl_t *got = malloc(cols * N * sizeof *got), *lde = malloc(cols * N * sizeof *lde);
    gl3_t *pw = malloc(D * sizeof *pw), *v = malloc(3 * m * sizeof *v);
    size_t *all = malloc(N * sizeof *all);
    assert_true(a && r && vals && ref && got && lde && pw && v && all);
    for (size_t c = 0; c < 3; c++) random_gl(a + c * M, deg, &rng);
    if (cases[t].tampered) a[2 * M + M - 1] = 1; /* at least one coefficient beyond m P */
    random_gl(r, nr, &rng);
    for (size_t i = 0; i < N; i++) all[i] = i;
    /* The values, on the host and in a device matrix. */
    assert_int_equal(sm_be_coset_eval(NULL, plan, vals, M, a, M, M, 3, log_M, shift),
                     STARKML_OK);
    sm_be_mat q = {NULL, NULL, M, 3};
    assert_int_equal(sm_be_coset_eval_mat(be, plan, &q, a, M, M, 3, log_M, shift), STARKML_OK);
    const size_t bad_ref = quotient_pieces_reference(ref, plan, vals, log_M, shift, P, m, D, r,
                                                     hq, cases[t].mask);
    assert_true((bad_ref > 0) == (cases[t].tampered && m * P < M));
    if (cases[t].tampered == 2) assert_true(bad_ref == 1);
    if (!cases[t].tampered)
      for (size_t k = 0; k < m; k++) /* the reference splits the chosen coefficients */
        for (size_t c = 0; c < 3; c++)
          for (size_t i = hq; i < P && k * P + i < M; i++)
            assert_true(ref[(3 * k + c) * D + i] == a[c * M + k * P + i]);
    sm_be_mat coef = {NULL, NULL, D, cols};
    size_t bad = 12345;
    const unsigned long long b0 = sm_opencl_bytes_read(be);
    assert_int_equal(be->ops->quotient_coef(be, &coef, &bad, &q, shift, P, m, nr ? r : NULL, hq),
                     STARKML_OK);
    assert_true(sm_opencl_bytes_read(be) - b0 == sizeof(uint32_t)); /* the count alone */
    if (bad != bad_ref)
      fail_msg("case %zu: %zu coefficients beyond m P on the device, %zu on the host", t, bad,
               bad_ref);
    assert_non_null(coef.dev);
    assert_null(coef.host);
    assert_int_equal(sm_be_read_rows(be, got, &coef, all, D), STARKML_OK);
    for (size_t i = 0; i < D; i++)
      for (size_t c = 0; c < cols; c++)
        if (got[i * cols + c] != ref[c * D + i])
          fail_msg("case %zu: coefficient %zu of column %zu differs", t, i, c);
    /* Their LDE and their values at a point (the pieces, not the mask). */
    sm_be_mat dl = {NULL, NULL, N, cols};
    assert_int_equal(be->ops->coset_eval_dev(be, &dl, &coef, log_N, shift), STARKML_OK);
    assert_int_equal(sm_be_coset_eval(NULL, plan, lde, N, ref, D, D, cols, log_N, shift),
                     STARKML_OK);
    assert_int_equal(sm_be_read_rows(be, got, &dl, all, N), STARKML_OK);
    for (size_t i = 0; i < N; i++)
      for (size_t c = 0; c < cols; c++)
        if (got[i * cols + c] != lde[c * N + i])
          fail_msg("case %zu: LDE value %zu of column %zu differs", t, i, c);
    random_gl(pw[0].v, 3 * D, &rng);
    sm_be_mat pieces = coef;
    pieces.cols = 3 * m;
    const unsigned long long b1 = sm_opencl_bytes_read(be);
    assert_int_equal(be->ops->mat_eval(be, v, &pieces, pw, D, 1), STARKML_OK);
    assert_true(sm_opencl_bytes_read(be) - b1 == 3 * m * sizeof(gl3_t));
    for (size_t c = 0; c < 3 * m; c++) {
      gl3_t e = gl3_from_base(0);
      for (size_t i = 0; i < D; i++) e = gl3_add(e, gl3_mul_base(pw[i], ref[c * D + i]));
      if (!gl3_eq(e, v[c])) fail_msg("case %zu: the value of piece column %zu differs", t, c);
    }
    /* Bad arguments: values not on the device, a wrong width, missing blinders. */
    sm_be_mat none = {NULL, NULL, M, 3}, c2 = {NULL, NULL, D, cols + 1};
    assert_int_equal(be->ops->quotient_coef(be, &c2, &bad, &none, shift, P, m, r, hq),
                     STARKML_ERR_ARG);
    assert_int_equal(be->ops->quotient_coef(be, &c2, &bad, &q, shift, P, m, r, hq),
                     STARKML_ERR_ARG);
    if (nr > 0) {
      c2.cols = cols;
      assert_int_equal(be->ops->quotient_coef(be, &c2, &bad, &q, shift, P, m, NULL, hq),
                       STARKML_ERR_ARG);
    }
    assert_null(c2.dev);
    sm_be_mat_free(be, &q), sm_be_mat_free(be, &coef), sm_be_mat_free(be, &dl);
    free(a), free(r), free(vals), free(ref), free(got), free(lde), free(pw), free(v), free(all);
  }
  /* Values of 2^14 rows (384 KiB) with buffers capped at 256 KiB: "out of device memory",
     nothing made. */
  const size_t M = (size_t)1 << 14;
  gl_t *a = calloc(3 * M, sizeof *a);
  assert_non_null(a);
  sm_be_mat q = {NULL, NULL, M, 3}, coef = {NULL, NULL, 64, 6};
  assert_int_equal(sm_be_coset_eval_mat(be, plan, &q, a, M, M, 3, 14, GL_GENERATOR), STARKML_OK);
  sm_opencl_limit_alloc(be, 256u << 10);
  size_t bad = 1;
  assert_int_equal(be->ops->quotient_coef(be, &coef, &bad, &q, GL_GENERATOR, 64, 2, NULL, 0),
                   STARKML_ERR_NOMEM);
  assert_non_null(strstr(sm_be_last_error(be), "out of device memory"));
  assert_null(coef.dev);
  sm_be_mat_free(be, &q);
  free(a);
  close_with_plan(be, plan);
  /* Whole tampered proofs: the bad coefficients are tolerated and dropped alike. */
  int made = 0;
  for (int which = 0; which < 3; which++)
    for (int zk = 0; zk < 2; zk++) {
      uint8_t *pa = NULL, *pb = NULL;
      size_t la = 0, lb = 0;
      const starkml_status sa = prove_toy_tampered(1, which, zk, &pa, &la);
      const starkml_status sb = prove_toy_tampered(0, which, zk, &pb, &lb);
      assert_int_equal(sa, sb);
      assert_int_equal(la, lb);
      if (la > 0 && memcmp(pa, pb, la) != 0)
        fail_msg("toy %d (zk %d): the tampered OpenCL proof differs", which, zk);
      print_message("    toy %d (zk %d), tampered: %s on both\n", which, zk,
                    starkml_strerror(sa));
      made += sa == STARKML_OK;
      free(pa), free(pb);
    }
  assert_true(made > 0); /* at least one went through the quotient to a whole proof */
}

SM_TEST_MAIN(cmocka_unit_test(ntt_all_orders), cmocka_unit_test(ntt_large),
             cmocka_unit_test(ntt_huge_slow), cmocka_unit_test(coset_eval),
             cmocka_unit_test(merkle_widths), cmocka_unit_test(merkle_rows),
             cmocka_unit_test(toy_proofs_identical), cmocka_unit_test(bad_device_index),
             cmocka_unit_test(devices_listed), cmocka_unit_test(build_failure_has_log),
             cmocka_unit_test(chunks_and_out_of_memory), cmocka_unit_test(program_cache),
             cmocka_unit_test(mats_read_rows), cmocka_unit_test(mats_out_of_memory),
             cmocka_unit_test(tree_paths_match_cpu), cmocka_unit_test(tree_stays_on_device),
             cmocka_unit_test(tree_bad_rows), cmocka_unit_test(mmcs_matches_cpu),
             cmocka_unit_test(mmcs_bad_args), cmocka_unit_test(mmcs_out_of_memory),
             cmocka_unit_test(fri_commit_matches_cpu),
             cmocka_unit_test(fri_layers_stay_on_device), cmocka_unit_test(quotient_codegen),
             cmocka_unit_test(quotient_codegen_large_slow), cmocka_unit_test(deep_on_device),
             cmocka_unit_test(codegen_fault_changes_proof),
             cmocka_unit_test(witness_coef_on_device),
             cmocka_unit_test(quotient_pieces_on_device))
