/*
 * The OpenCL backend (host/backend_opencl.c and the kernels of kernels/) against the CPU
 * reference: every op of core/backend.h on random inputs must give the CPU's result bit for
 * bit (NTT in every order and direction, coset evaluation, Merkle trees with and without
 * salts, FRI folds), whole toy proofs must be the CPU's bytes, the program cache must load what it
 * stored and survive a corrupt or unwritable cache, and errors must be clear (bad device
 * index, build failure with its log, out of device memory).
 *
 * Device 0 is used (PoCL in CI). With no OpenCL platform on the host, every case exits 77
 * (skipped).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/backend.h"
#include "core/ctx.h"
#include "core/merkle.h"
#include "core/ntt.h"
#include "fri/stark_toy.h"
#include "host/backends.h"
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
  sm_backend *be = open_or_skip();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 16, 2), STARKML_OK);
  uint64_t rng = sm_test_seed();
  for (unsigned log_n = 0; log_n <= 16; log_n++) {
    const size_t n = (size_t)1 << log_n;
    check_ntt(be, plan, log_n, 1, n, &rng);
    check_ntt(be, plan, log_n, log_n <= 12 ? 3 : 2, n + 3, &rng);
  }
  sm_ntt_plan_free(plan);
  sm_be_free(be);
}

/* Sizes with one and two top passes above the bottom one (kernels/ntt.cl, "Passes"). */
static void ntt_large(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 20, 2), STARKML_OK);
  uint64_t rng = sm_test_seed();
  check_ntt(be, plan, 17, 2, ((size_t)1 << 17) + 1, &rng);
  check_ntt(be, plan, 19, 1, (size_t)1 << 19, &rng);
  check_ntt(be, plan, 20, 2, (size_t)1 << 20, &rng);
  sm_ntt_plan_free(plan);
  sm_be_free(be);
}

static void ntt_huge_slow(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 24, 2), STARKML_OK);
  uint64_t rng = sm_test_seed();
  check_ntt(be, plan, 22, 2, (size_t)1 << 22, &rng);
  check_ntt(be, plan, 24, 1, (size_t)1 << 24, &rng);
  sm_ntt_plan_free(plan);
  sm_be_free(be);
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
  sm_backend *be = open_or_skip();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 18, 2), STARKML_OK);
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
  sm_ntt_plan_free(plan);
  sm_be_free(be);
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

/* ---- FRI fold -------------------------------------------------------------------------- */

/* The contract of core/backend.h's fri_fold, value by value (tests/test_core_backend.c). */
static void fold_reference(gl3_t *out, const gl_t *cur, size_t R, unsigned log_a,
                           const gl3_t *bp, const gl_t *const *ix) {
  const size_t a = (size_t)1 << log_a;
  const gl_t half = gl_inv(2);
  gl3_t v[16];
  for (size_t m = 0; m < R; m++) {
    for (size_t r = 0; r < a; r++)
      for (int k = 0; k < 3; k++) v[r].v[k] = cur[(3 * r + (size_t)k) * R + m];
    size_t h = a;
    for (unsigned r = 0; r < log_a; r++) {
      h >>= 1;
      for (size_t u = 0; u < h; u++) {
        gl3_t lo = v[2 * u], hi = v[2 * u + 1];
        gl3_t even = gl3_mul_base(gl3_add(lo, hi), half);
        gl3_t odd = gl3_mul_base(gl3_sub(lo, hi), ix[r][(a >> (r + 1)) * m + u]);
        v[u] = gl3_add(even, gl3_mul(bp[r], odd));
      }
    }
    out[m] = v[0];
  }
}

static void fri_fold(void **state) {
  (void)state;
  sm_backend *be = open_or_skip();
  uint64_t rng = sm_test_seed();
  const size_t Rs[] = {1, 3, 64, 1000, 4096};
  for (unsigned log_a = 1; log_a <= 4; log_a++)
    for (size_t i = 0; i < sizeof Rs / sizeof Rs[0]; i++) {
      const size_t R = Rs[i], a = (size_t)1 << log_a;
      gl_t *cur = malloc(3 * a * R * sizeof *cur);
      gl3_t *x = malloc(R * sizeof *x), *y = malloc(R * sizeof *y);
      gl_t *tabs[4];
      gl3_t bp[4];
      assert_non_null(cur);
      random_gl(cur, 3 * a * R, &rng);
      for (unsigned r = 0; r < log_a; r++) {
        tabs[r] = malloc((a >> (r + 1)) * R * sizeof(gl_t));
        random_gl(tabs[r], (a >> (r + 1)) * R, &rng);
        random_gl(bp[r].v, 3, &rng);
      }
      const gl_t *const *ix = (const gl_t *const *)tabs;
      assert_true(sm_be_has_fri_fold(be));
      assert_int_equal(sm_be_fri_fold(be, x, cur, R, log_a, bp, ix), STARKML_OK);
      fold_reference(y, cur, R, log_a, bp, ix);
      if (memcmp(x, y, R * sizeof *x) != 0)
        fail_msg("FRI fold of %zu runs of %zu differs from the reference", R, a);
      for (unsigned r = 0; r < log_a; r++) free(tabs[r]);
      free(cur);
      free(x);
      free(y);
    }
  sm_be_free(be);
}

/* ---- whole proofs ---------------------------------------------------------------------- */

static uint8_t *prove_toy(starkml_ctx *ctx, int which, int zk, size_t *len) {
  sm_stark_toy f;
  memset(&f, 0, sizeof f);
  starkml_status s = which == 0   ? sm_air_toy_fibonacci(&f.toy, 8, 1, 1)
                     : which == 1 ? sm_air_toy_range_check(&f.toy, 7, 7)
                                  : sm_air_toy_bus(&f.toy, 6, 9);
  assert_int_equal(s, STARKML_OK);
  sm_stark_toy_wire(&f);
  sm_stark_options opt;
  assert_int_equal(sm_stark_options_preset(&opt, SM_PRESET_FAST, &f.st, zk), STARKML_OK);
  assert_int_equal(sm_stark_setup(ctx, f.roots, &f.st, &f.w, &opt), STARKML_OK);
  static const uint8_t seed[32] = {9, 8, 7};
  uint8_t *proof = NULL;
  *len = 0;
  s = sm_stark_prove(ctx, &proof, len, &f.st, &f.w, &opt, seed);
  if (s != STARKML_OK)
    fail_msg("prove on %s: %s (%s)", starkml_ctx_backend(ctx), starkml_strerror(s),
             sm_be_last_error(ctx->backend));
  sm_air_toy_free(&f.toy);
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
  sm_ntt_plan_free(plan);
  sm_be_free(be);
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
  sm_backend *be = open_or_skip();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 10, 1), STARKML_OK);
  check_ntt(be, plan, 10, 2, 1024, rng);
  sm_ntt_plan_free(plan);
  sm_be_free(be);
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

SM_TEST_MAIN(cmocka_unit_test(ntt_all_orders), cmocka_unit_test(ntt_large),
             cmocka_unit_test(ntt_huge_slow), cmocka_unit_test(coset_eval),
             cmocka_unit_test(merkle_widths), cmocka_unit_test(merkle_rows),
             cmocka_unit_test(fri_fold), cmocka_unit_test(toy_proofs_identical),
             cmocka_unit_test(bad_device_index), cmocka_unit_test(devices_listed),
             cmocka_unit_test(build_failure_has_log),
             cmocka_unit_test(chunks_and_out_of_memory), cmocka_unit_test(program_cache))
