/*
 * The backend dispatch (core/backend.h) with a reference "device" written here
 * from the definitions alone: a naive O(n^2) DFT for `ntt` and a pass-through
 * Merkle commit that counts its calls. The dispatch must route the prover's work through
 * the backend (a corrupting device changes the proof, a failing one fails it:
 * nothing falls back), and the host-side coset evaluation that backends without
 * their own get must equal sm_coset_eval. A whole proof made through this
 * device is byte-identical to the CPU's: the property every real backend
 * (OpenCL, Verilator) is held to.
 */
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/ctx.h"
#include "fri/stark_toy.h"
#include "tests/sm_test.h"

typedef struct {
  size_t ntt_calls, merkle_calls;
  int corrupt; /* flip one output element of the next NTT */
  int fail;    /* report a device failure */
} naive_dev;

static gl_t pow_gl(gl_t b, uint64_t e) { return gl_exp(b, e); }

/* One column, by the definition: A_i = sum_j a_j w^(ij) (inverse: w^-1 and
 * 1/n). */
static void naive_column(gl_t *x, unsigned log_n, int inverse, sm_order in,
                         sm_order out) {
  const size_t n = (size_t)1 << log_n;
  gl_t *a = calloc(n, sizeof *a), *r = calloc(n, sizeof *r);
  assert_non_null(a);
  assert_non_null(r);
  for (size_t i = 0; i < n; i++)
    a[i] = x[in == SM_ORDER_BITREV ? sm_bitrev(i, log_n) : i];
  gl_t w = gl_root_of_unity(log_n);
  if (inverse)
    w = gl_inv(w);
  const gl_t ninv = gl_inv((gl_t)n);
  for (size_t i = 0; i < n; i++) {
    gl_t acc = 0, wi = pow_gl(w, i), p = 1;
    for (size_t j = 0; j < n; j++) {
      acc = gl_add(acc, gl_mul(a[j], p));
      p = gl_mul(p, wi);
    }
    r[i] = inverse ? gl_mul(acc, ninv) : acc;
  }
  for (size_t i = 0; i < n; i++)
    x[out == SM_ORDER_BITREV ? sm_bitrev(i, log_n) : i] = r[i];
  free(a);
  free(r);
}

static starkml_status dev_ntt(sm_backend *be, gl_t *data, size_t ncols,
                              size_t col_stride, unsigned log_n, int inverse,
                              sm_order in_order, sm_order out_order) {
  naive_dev *d = be->impl;
  d->ntt_calls++;
  if (d->fail) {
    strcpy(be->last_error, "naive device: failure requested by the test");
    return STARKML_ERR_BACKEND;
  }
  for (size_t c = 0; c < ncols; c++)
    naive_column(data + c * col_stride, log_n, inverse, in_order, out_order);
  if (d->corrupt) {
    d->corrupt = 0;
    data[0] = gl_add(data[0], 1);
  }
  return STARKML_OK;
}

static starkml_status dev_merkle(sm_backend *be, sm_merkle_tree *tree,
                                 const gl_t *m, size_t n_rows, size_t width,
                                 size_t col_stride, const uint8_t *salts,
                                 size_t salt_len) {
  ((naive_dev *)be->impl)->merkle_calls++;
  return sm_merkle_commit(tree, m, n_rows, width, col_stride, salts, salt_len,
                          1);
}

static void dev_destroy(sm_backend *be) { free(be); }

static const sm_backend_ops naive_ops = {.name = "naive",
                                         .ntt = dev_ntt,
                                         .merkle_commit = dev_merkle,
                                         .destroy = dev_destroy};

/* A context whose backend is the naive device d (the context frees the backend
 * object). */
static starkml_ctx *ctx_with(naive_dev *d) {
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 2), STARKML_OK);
  if (d != NULL) {
    sm_backend *be = calloc(1, sizeof *be);
    assert_non_null(be);
    be->ops = &naive_ops;
    be->impl = d;
    ctx->backend = be;
  }
  return ctx;
}

static void random_cols(gl_t *x, size_t len, uint64_t *rng) {
  for (size_t i = 0; i < len; i++)
    x[i] = sm_test_next(rng) % GL_P;
}

/* sm_be_ntt through the device equals the CPU for every order pair and stride.
 */
static void ntt_matches_cpu(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0xB1;
  naive_dev d = {0};
  starkml_ctx *ctx = ctx_with(&d);
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 9, 1), STARKML_OK);
  for (unsigned log_n = 0; log_n <= 9; log_n++)
    for (int inv = 0; inv < 2; inv++)
      for (int io = 0; io < 4; io++) {
        const size_t n = (size_t)1 << log_n, stride = n + 3, cols = 3;
        gl_t *x = calloc(cols * stride, sizeof *x),
             *y = calloc(cols * stride, sizeof *y);
        random_cols(x, cols * stride, &rng);
        memcpy(y, x, cols * stride * sizeof *x);
        sm_order in = (sm_order)(io & 1), out = (sm_order)(io >> 1);
        assert_int_equal(
            sm_be_ntt(ctx->backend, plan, x, cols, stride, log_n, inv, in, out),
            STARKML_OK);
        assert_int_equal(
            sm_be_ntt(NULL, plan, y, cols, stride, log_n, inv, in, out),
            STARKML_OK);
        assert_memory_equal(x, y, cols * stride * sizeof *x);
        free(x);
        free(y);
      }
  assert_true(d.ntt_calls > 0);
  /* The dispatcher's argument checks hold for backends too. */
  gl_t z[4] = {0};
  assert_int_equal(sm_be_ntt(ctx->backend, plan, z, 2, 2, 2, 0,
                             SM_ORDER_NATURAL, SM_ORDER_NATURAL),
                   STARKML_ERR_ARG);
  sm_ntt_plan_free(plan);
  starkml_ctx_destroy(ctx);
}

/* The host-side coset evaluation of backends that only have `ntt` equals
 * sm_coset_eval. */
static void coset_eval_matches_cpu(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0xB2;
  naive_dev d = {0};
  starkml_ctx *ctx = ctx_with(&d);
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 8, 1), STARKML_OK);
  static const size_t ncoef[] = {0, 1, 5, 16, 17, 64, 100, 256};
  for (size_t k = 0; k < sizeof ncoef / sizeof ncoef[0]; k++) {
    const unsigned log_N = 8;
    const size_t N = 256, nc = ncoef[k], cs = nc + 2, cols = 2;
    gl_t *coef = calloc(cols * cs, sizeof *coef);
    gl_t *a = calloc(cols * N, sizeof *a), *b = calloc(cols * N, sizeof *b);
    random_cols(coef, cols * cs, &rng);
    gl_t shift = sm_test_next(&rng) % GL_P;
    assert_int_equal(sm_be_coset_eval(ctx->backend, plan, a, N, coef, cs, nc,
                                      cols, log_N, shift),
                     STARKML_OK);
    assert_int_equal(
        sm_coset_eval(plan, b, N, coef, cs, nc, cols, log_N, shift),
        STARKML_OK);
    assert_memory_equal(a, b, cols * N * sizeof *a);
    free(coef);
    free(a);
    free(b);
  }
  /* Overlapping buffers are refused before the device sees them. */
  gl_t buf[512] = {0};
  size_t before = d.ntt_calls;
  assert_int_equal(
      sm_be_coset_eval(ctx->backend, plan, buf, 256, buf + 8, 16, 16, 1, 8, 7),
      STARKML_ERR_ARG);
  assert_int_equal(d.ntt_calls, before);
  sm_ntt_plan_free(plan);
  starkml_ctx_destroy(ctx);
}

static uint8_t *prove_toy(starkml_ctx *ctx, int which, int zk, size_t *len,
                          starkml_status *st) {
  sm_stark_toy f;
  memset(&f, 0, sizeof f);
  starkml_status s = which == 0   ? sm_air_toy_fibonacci(&f.toy, 6, 1, 1)
                     : which == 1 ? sm_air_toy_range_check(&f.toy, 5, 7)
                                  : sm_air_toy_bus(&f.toy, 4, 9);
  assert_int_equal(s, STARKML_OK);
  sm_stark_toy_wire(&f);
  sm_stark_options opt;
  assert_int_equal(sm_stark_options_preset(&opt, SM_PRESET_FAST, &f.st, zk),
                   STARKML_OK);
  /* The setup runs on the CPU: the roots are the reference the prover must
   * reproduce. */
  starkml_ctx *cpu = ctx_with(NULL);
  assert_int_equal(sm_stark_setup(cpu, &f.pre_root, &f.st, &f.w, &opt), STARKML_OK);
  starkml_ctx_destroy(cpu);
  static const uint8_t seed[32] = {7, 7, 7};
  uint8_t *proof = NULL;
  *len = 0;
  *st = sm_stark_prove(ctx, &proof, len, &f.st, &f.w, &opt, seed);
  sm_air_toy_free(&f.toy);
  return proof;
}

/* Whole proofs through the device equal the CPU's bytes. */
static void proofs_byte_identical(void **state) {
  (void)state;
  /* Every toy with zero knowledge; one without. */
  static const int cases[][2] = {{0, 1}, {1, 1}, {2, 1}, {0, 0}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const int which = cases[c][0], zk = cases[c][1];
    naive_dev d = {0};
    starkml_ctx *dev = ctx_with(&d), *cpu = ctx_with(NULL);
    size_t la = 0, lb = 0;
    starkml_status sa, sb;
    uint8_t *a = prove_toy(dev, which, zk, &la, &sa);
    uint8_t *b = prove_toy(cpu, which, zk, &lb, &sb);
    assert_int_equal(sa, STARKML_OK);
    assert_int_equal(sb, STARKML_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    /* The work went through the device. */
    assert_true(d.ntt_calls > 0);
    assert_true(d.merkle_calls > 0);
    free(a);
    free(b);
    starkml_ctx_destroy(dev);
    starkml_ctx_destroy(cpu);
  }
}

/* A device that gets one value wrong changes the proof (or fails the prover's
   own checks); a device that fails fails the proof with STARKML_ERR_BACKEND.
   Nothing falls back. */
static void faults_are_not_hidden(void **state) {
  (void)state;
  starkml_ctx *cpu = ctx_with(NULL);
  size_t lr = 0;
  starkml_status sr;
  uint8_t *ref = prove_toy(cpu, 0, 1, &lr, &sr);
  assert_int_equal(sr, STARKML_OK);

  naive_dev bad = {0};
  bad.corrupt = 1;
  starkml_ctx *ctx = ctx_with(&bad);
  size_t lb = 0;
  starkml_status sb;
  uint8_t *p = prove_toy(ctx, 0, 1, &lb, &sb);
  assert_true(sb != STARKML_OK || lb != lr || memcmp(p, ref, lr) != 0);
  free(p);
  starkml_ctx_destroy(ctx);

  naive_dev dead = {0};
  dead.fail = 1;
  ctx = ctx_with(&dead);
  p = prove_toy(ctx, 0, 1, &lb, &sb);
  assert_int_equal(sb, STARKML_ERR_BACKEND);
  assert_null(p);
  assert_string_equal(sm_be_last_error(ctx->backend),
                      "naive device: failure requested by the test");
  starkml_ctx_destroy(ctx);
  free(ref);
  starkml_ctx_destroy(cpu);
}

/* The public selection API: names, indices and "not in this build" are errors
 * with a why. */
static void set_backend_api(void **state) {
  (void)state;
  starkml_ctx *ctx = ctx_with(NULL);
  char why[256];
  assert_string_equal(starkml_ctx_backend(ctx), "cpu");
  assert_int_equal(starkml_ctx_set_backend(ctx, "cpu", 0, why, sizeof why),
                   STARKML_OK);
  assert_int_equal(starkml_ctx_set_backend(ctx, "cpu", 1, why, sizeof why),
                   STARKML_ERR_ARG);
  assert_true(why[0] != '\0');
  assert_int_equal(starkml_ctx_set_backend(ctx, "gpu", 0, why, sizeof why),
                   STARKML_ERR_ARG);
  assert_non_null(strstr(why, "gpu"));
  assert_int_equal(starkml_ctx_set_backend(ctx, "opencl", -1, why, sizeof why),
                   STARKML_ERR_ARG);
  assert_int_equal(starkml_ctx_set_backend(NULL, "cpu", 0, why, sizeof why),
                   STARKML_ERR_ARG);
  /* A device index no backend has. */
  starkml_status s =
      starkml_ctx_set_backend(ctx, "opencl", 1000, why, sizeof why);
  assert_true(s == STARKML_ERR_ARG || s == STARKML_ERR_BACKEND);
  assert_true(why[0] != '\0');
  assert_string_equal(starkml_ctx_backend(ctx), "cpu");
  size_t n = 0;
  assert_int_equal(starkml_devices(NULL, 0, &n, NULL, 0), STARKML_OK);
  assert_true(n >= 1);
  starkml_device_info info[8];
  size_t n2 = 0;
  assert_int_equal(starkml_devices(info, 8, &n2, why, sizeof why), STARKML_OK);
  assert_int_equal(n2, n);
  assert_string_equal(info[0].backend, "cpu");
  assert_int_equal(starkml_devices(NULL, 1, &n2, NULL, 0), STARKML_ERR_ARG);
  starkml_ctx_destroy(ctx);
}


/* The matrix helpers without a device (be == NULL) and with a device that has
 * none of the matrix ops (only `ntt`): host matrices equal to sm_coset_eval,
 * commitments equal to sm_merkle_commit, opened rows gathered row-major, and
 * a freed matrix zeroed; bad arguments are refused with the matrix zeroed. */
static void mats_cpu_dispatch(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x3A7;
  naive_dev d = {0};
  starkml_ctx *ctx = ctx_with(&d);
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 8, 1), STARKML_OK);
  const unsigned log_N = 8;
  const size_t N = 256, nc = 100, cs = 103, cols = 3;
  gl_t *coef = calloc(cols * cs, sizeof *coef), *ref = calloc(cols * N, sizeof *ref);
  assert_non_null(coef);
  assert_non_null(ref);
  random_cols(coef, cols * cs, &rng);
  const gl_t shift = sm_test_next(&rng) % GL_P;
  assert_int_equal(sm_coset_eval(plan, ref, N, coef, cs, nc, cols, log_N, shift),
                   STARKML_OK);
  sm_backend *bes[2] = {NULL, ctx->backend};
  for (int k = 0; k < 2; k++) {
    const size_t ntt_before = d.ntt_calls;
    sm_be_mat m;
    assert_int_equal(sm_be_coset_eval_mat(bes[k], plan, &m, coef, cs, nc, cols,
                                          log_N, shift),
                     STARKML_OK);
    assert_int_equal(d.ntt_calls, ntt_before + (k == 1)); /* the device's NTT */
    assert_non_null(m.host);
    assert_null(m.dev);
    assert_int_equal(m.rows, N);
    assert_int_equal(m.cols, cols);
    assert_memory_equal(m.host, ref, cols * N * sizeof *ref);
    sm_merkle_tree ta, tb, tc;
    assert_int_equal(sm_be_merkle_commit_mat(bes[k], &ta, &m, NULL, 0, 3, 2),
                     STARKML_OK);
    assert_int_equal(sm_merkle_commit(&tb, ref, N, cols, N, NULL, 0, 1),
                     STARKML_OK);
    assert_null(ta.dev); /* a host tree: whole, whatever the cap */
    assert_memory_equal(ta.nodes, tb.nodes, (2 * N - 1) * sizeof *ta.nodes);
    assert_int_equal(sm_be_merkle_commit_mat(bes[k], &tc, &m, NULL, 0, 9, 1),
                     STARKML_ERR_ARG); /* a cap above the root (2^8 rows) */
    assert_null(tc.nodes);
    sm_be_merkle_tree_free(bes[k], &ta);
    sm_merkle_tree_free(&tb);
    const size_t rows[4] = {0, 255, 17, 17};
    gl_t got[4 * 3];
    assert_int_equal(sm_be_read_rows(bes[k], got, &m, rows, 4), STARKML_OK);
    for (size_t r = 0; r < 4; r++)
      for (size_t c = 0; c < cols; c++)
        assert_true(got[r * cols + c] == ref[c * N + rows[r]]);
    const size_t bad_row[1] = {N};
    assert_int_equal(sm_be_read_rows(bes[k], got, &m, bad_row, 1),
                     STARKML_ERR_ARG);
    sm_be_mat_free(bes[k], &m);
    assert_null(m.host);
    assert_int_equal(m.rows, 0);
    assert_int_equal(m.cols, 0);
    sm_be_mat_free(bes[k], &m); /* twice: a no-op */
    /* No columns, or more coefficients than points: refused, m zeroed. */
    m.rows = 7;
    assert_int_equal(sm_be_coset_eval_mat(bes[k], plan, &m, coef, cs, nc, 0,
                                          log_N, shift),
                     STARKML_ERR_ARG);
    assert_int_equal(m.rows, 0);
    assert_int_equal(sm_be_coset_eval_mat(bes[k], plan, &m, coef, cs, N + 1, 1,
                                          log_N, shift),
                     STARKML_ERR_ARG);
    assert_null(m.host);
    assert_int_equal(sm_be_merkle_commit_mat(bes[k], &ta, &m, NULL, 0, 0, 1),
                     STARKML_ERR_ARG);
  }
  free(coef);
  free(ref);
  sm_ntt_plan_free(plan);
  starkml_ctx_destroy(ctx);
}

/* ---- trees left on a device ---------------------------------------------------------- */

/* A tree whose node i is the digest LE64(i) || 0...: sm_merkle_path then names the nodes
   it reads, an independent account of the path nodes. */
static void index_tree(sm_merkle_tree *t, unsigned log_n) {
  memset(t, 0, sizeof *t);
  t->n_leaves = (size_t)1 << log_n;
  t->log_n = log_n;
  t->nodes = calloc(2 * t->n_leaves - 1, sizeof *t->nodes);
  assert_non_null(t->nodes);
  for (size_t i = 0; i < 2 * t->n_leaves - 1; i++)
    for (int b = 0; b < 8; b++) t->nodes[i].b[b] = (uint8_t)(i >> (8 * b));
}

static size_t digest_index(const sm_digest *d) {
  size_t i = 0;
  for (int b = 0; b < 8; b++) i |= (size_t)d->b[b] << (8 * b);
  return i;
}

/* sm_merkle_path_nodes lists, ascending and once each, exactly the nodes sm_merkle_path
   reads below the cap: every tree of up to 2^5 leaves, every cap, single rows and random
   sets with repeats; bad arguments are refused. */
static void path_nodes_exhaustive(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0xC7;
  for (unsigned log_n = 0; log_n <= 5; log_n++) {
    const size_t n = (size_t)1 << log_n;
    sm_merkle_tree t;
    index_tree(&t, log_n);
    for (unsigned cap = 0; cap <= log_n; cap++)
      for (size_t trial = 0; trial < n + 8; trial++) {
        size_t rows[12], nr = trial < n ? 1 : 1 + sm_test_next(&rng) % 12;
        for (size_t k = 0; k < nr; k++) rows[k] = trial < n ? trial : sm_test_next(&rng) % n;
        /* The expected set, from sm_merkle_path. */
        unsigned char want[64] = {0};
        sm_digest path[5];
        for (size_t k = 0; k < nr; k++) {
          assert_int_equal(sm_merkle_path(&t, path, rows[k]), STARKML_OK);
          for (unsigned l = 0; l < log_n - cap; l++) want[digest_index(&path[l])] = 1;
        }
        size_t got[12 * 5], ng = 99;
        assert_int_equal(sm_merkle_path_nodes(got, &ng, log_n, cap, rows, nr), STARKML_OK);
        size_t nw = 0;
        for (size_t i = 0; i < 64; i++) nw += want[i];
        assert_int_equal(ng, nw);
        for (size_t k = 0; k < ng; k++) {
          assert_true(want[got[k]]);
          if (k > 0) assert_true(got[k - 1] < got[k]);
          assert_true(got[k] >= ((size_t)2 << cap) - 1); /* below the cap */
        }
      }
    sm_merkle_tree_free(&t);
  }
  size_t out[4], n_out = 7;
  const size_t bad = 8, ok = 1;
  assert_int_equal(sm_merkle_path_nodes(out, &n_out, 3, 0, &bad, 1), STARKML_ERR_ARG);
  assert_int_equal(n_out, 0);
  assert_int_equal(sm_merkle_path_nodes(out, &n_out, 3, 4, &ok, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_path_nodes(out, &n_out, 63, 0, &ok, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_path_nodes(NULL, &n_out, 3, 0, &ok, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_path_nodes(out, NULL, 3, 0, &ok, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_path_nodes(NULL, &n_out, 3, 0, NULL, 0), STARKML_OK);
  assert_int_equal(n_out, 0);
}

/* A device that keeps a tree's nodes in a host copy of its own (tree->dev) and counts what
   it is asked to read. */
typedef struct {
  size_t reads, nodes, frees;
} tree_dev;

static starkml_status tdev_read_nodes(sm_backend *be, sm_merkle_tree *tree, const size_t *idx,
                                      size_t n) {
  tree_dev *d = be->impl;
  const sm_digest *all = tree->dev;
  d->reads++;
  d->nodes += n;
  for (size_t k = 0; k < n; k++) {
    assert_true(idx[k] < 2 * tree->n_leaves - 1);
    if (k > 0) assert_true(idx[k - 1] < idx[k]); /* the dispatcher's contract */
    tree->nodes[idx[k]] = all[idx[k]];
  }
  return STARKML_OK;
}

static void tdev_tree_free(sm_backend *be, sm_merkle_tree *tree) {
  ((tree_dev *)be->impl)->frees++;
  free(tree->dev);
  tree->dev = NULL;
}

static const sm_backend_ops tree_ops = {
    .name = "tree", .read_nodes = tdev_read_nodes, .tree_free = tdev_tree_free};

/* sm_be_merkle_fetch_paths on a host tree (no backend, or one without read_nodes) checks
   its arguments and reads nothing; on a device tree it asks for each path node once and
   then the paths are the host tree's; sm_be_merkle_tree_free releases the device copy. */
static void fetch_paths_dispatch(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0xD3;
  const size_t N = 64, w = 3;
  const unsigned log_n = 6, cap = 2;
  gl_t *m = calloc(N * w, sizeof *m);
  assert_non_null(m);
  random_cols(m, N * w, &rng);
  sm_merkle_tree ct;
  assert_int_equal(sm_merkle_commit(&ct, m, N, w, N, NULL, 0, 1), STARKML_OK);
  const size_t rows[5] = {9, 63, 9, 0, 8}, bad[2] = {1, N};
  sm_merkle_tree copy = ct;
  copy.nodes = malloc((2 * N - 1) * sizeof *copy.nodes);
  assert_non_null(copy.nodes);
  memcpy(copy.nodes, ct.nodes, (2 * N - 1) * sizeof *ct.nodes);
  /* Host trees: nothing to do, bad rows and caps still refused. */
  assert_int_equal(sm_be_merkle_fetch_paths(NULL, &ct, rows, 5, cap), STARKML_OK);
  assert_memory_equal(ct.nodes, copy.nodes, (2 * N - 1) * sizeof *ct.nodes);
  assert_int_equal(sm_be_merkle_fetch_paths(NULL, &ct, bad, 2, cap), STARKML_ERR_ARG);
  assert_int_equal(sm_be_merkle_fetch_paths(NULL, &ct, rows, 5, log_n + 1), STARKML_ERR_ARG);
  assert_int_equal(sm_be_merkle_fetch_paths(NULL, &ct, NULL, 1, cap), STARKML_ERR_ARG);
  /* A device tree: levels 0..cap on the host, the rest zero. */
  tree_dev d = {0};
  sm_backend be = {.ops = &tree_ops, .impl = &d};
  sm_merkle_tree dt = ct;
  dt.dev = copy.nodes;
  dt.top_h = cap;
  dt.nodes = calloc(2 * N - 1, sizeof *dt.nodes);
  assert_non_null(dt.nodes);
  memcpy(dt.nodes, ct.nodes, (((size_t)2 << cap) - 1) * sizeof *ct.nodes);
  assert_int_equal(sm_be_merkle_fetch_paths(&be, &dt, bad, 2, cap), STARKML_ERR_ARG);
  assert_int_equal(sm_be_merkle_fetch_paths(NULL, &dt, rows, 5, cap), STARKML_ERR_ARG);
  assert_int_equal(d.reads, 0);
  assert_int_equal(sm_be_merkle_fetch_paths(&be, &dt, rows, 5, cap), STARKML_OK);
  size_t want[5 * 6], nw = 0;
  assert_int_equal(sm_merkle_path_nodes(want, &nw, log_n, cap, rows, 5), STARKML_OK);
  assert_int_equal(d.reads, 1);
  assert_int_equal(d.nodes, nw);
  /* Rows 9 and 8 share all but the leaf level; 9 repeats: fewer than 5 x 4 nodes. */
  assert_true(nw < 5 * (log_n - cap));
  sm_digest pd[6], pc[6];
  for (size_t k = 0; k < 5; k++) {
    assert_int_equal(sm_merkle_path(&dt, pd, rows[k]), STARKML_OK);
    assert_int_equal(sm_merkle_path(&ct, pc, rows[k]), STARKML_OK);
    assert_memory_equal(pd, pc, (log_n - cap) * sizeof *pd);
  }
  /* No paths below a cap at the leaves: nothing asked of the device. */
  assert_int_equal(sm_be_merkle_fetch_paths(&be, &dt, rows, 5, log_n), STARKML_OK);
  assert_int_equal(d.reads, 1);
  sm_be_merkle_tree_free(&be, &dt);
  assert_int_equal(d.frees, 1);
  assert_null(dt.dev);
  assert_null(dt.nodes);
  sm_be_merkle_tree_free(&be, &dt); /* twice: a no-op */
  assert_int_equal(d.frees, 1);
  sm_be_merkle_tree_free(NULL, &ct); /* a host tree, no backend */
  assert_null(ct.nodes);
  free(m);
}

SM_TEST_MAIN(cmocka_unit_test(ntt_matches_cpu),
             cmocka_unit_test(coset_eval_matches_cpu),
             cmocka_unit_test(mats_cpu_dispatch),
             cmocka_unit_test(path_nodes_exhaustive),
             cmocka_unit_test(fetch_paths_dispatch),
             cmocka_unit_test(proofs_byte_identical),
             cmocka_unit_test(faults_are_not_hidden),
             cmocka_unit_test(set_backend_api))
