/*
 * Merkle commitment: roots, leaves and paths against a naive recursive reference built
 * from the spec in core/merkle.h on OpenSSL's SHA3-256 (not on sm_sha3, so that a bug in
 * one does not hide in the other); tampering; bad arguments; thread-count independence.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"
#include "tests/sm_test.h"

/* ---- Reference, straight from the spec. ---- */

typedef struct {
  const gl_t *m;
  size_t width, col_stride;
  const uint8_t *salts;
  size_t salt_len;
} ref_matrix;

static void ref_sha3(sm_digest *out, const uint8_t *data, size_t len) {
  unsigned n = 0;
  assert_int_equal(EVP_Digest(data, len, out->b, &n, EVP_sha3_256(), NULL), 1);
  assert_int_equal(n, SM_DIGEST_LEN);
}

/* leaf(r) = SHA3-256(0x00 || LE64(m[0][r]) || ... || LE64(m[w-1][r]) || salt_r) */
static sm_digest ref_leaf(const ref_matrix *x, size_t r) {
  size_t len = 1 + 8 * x->width + x->salt_len;
  uint8_t *buf = malloc(len);
  assert_non_null(buf);
  buf[0] = 0x00;
  for (size_t c = 0; c < x->width; c++) {
    gl_t v = x->m[c * x->col_stride + r];
    for (int j = 0; j < 8; j++) buf[1 + 8 * c + (size_t)j] = (uint8_t)(v >> (8 * j));
  }
  if (x->salt_len > 0) memcpy(buf + 1 + 8 * x->width, x->salts + r * x->salt_len, x->salt_len);
  sm_digest d;
  ref_sha3(&d, buf, len);
  free(buf);
  return d;
}

/* node = SHA3-256(0x01 || left || right) */
static sm_digest ref_node(const sm_digest *l, const sm_digest *r) {
  uint8_t buf[1 + 2 * SM_DIGEST_LEN];
  buf[0] = 0x01;
  memcpy(buf + 1, l->b, SM_DIGEST_LEN);
  memcpy(buf + 1 + SM_DIGEST_LEN, r->b, SM_DIGEST_LEN);
  sm_digest d;
  ref_sha3(&d, buf, sizeof buf);
  return d;
}

/* Root of the rows [lo, lo + count), count a power of two. */
static sm_digest ref_root(const ref_matrix *x, size_t lo, size_t count) {
  if (count == 1) return ref_leaf(x, lo);
  sm_digest l = ref_root(x, lo, count / 2), r = ref_root(x, lo + count / 2, count / 2);
  return ref_node(&l, &r);
}

/* Path of row `index` within rows [lo, lo + count): path[k] is the sibling at height k. */
static void ref_path(const ref_matrix *x, size_t lo, size_t count, size_t index,
                     sm_digest *path) {
  if (count == 1) return;
  unsigned k = 0;
  while (((size_t)2 << k) < count) k++; /* count = 2^(k + 1): the sibling is at height k */
  size_t half = count / 2;
  if (index < lo + half) {
    path[k] = ref_root(x, lo + half, half);
    ref_path(x, lo, half, index, path);
  } else {
    path[k] = ref_root(x, lo, half);
    ref_path(x, lo + half, half, index, path);
  }
}

/* ---- Helpers. ---- */

static gl_t random_gl(uint64_t *rng) {
  gl_t v = sm_test_next(rng);
  return v >= GL_P ? v - GL_P : v;
}

/* A column-major matrix with canonical random entries and random salts; the padding
 * between columns (col_stride > n_rows) holds non-canonical garbage that must be ignored. */
typedef struct {
  gl_t *m;
  uint8_t *salts;
  ref_matrix x;
} test_matrix;

static test_matrix make_matrix(size_t n, size_t width, size_t col_stride, size_t salt_len,
                               uint64_t *rng) {
  test_matrix t;
  t.m = malloc(width * col_stride * sizeof *t.m);
  assert_non_null(t.m);
  for (size_t c = 0; c < width; c++)
    for (size_t r = 0; r < col_stride; r++)
      t.m[c * col_stride + r] = r < n ? random_gl(rng) : UINT64_MAX;
  t.salts = NULL;
  if (salt_len > 0) {
    t.salts = malloc(n * salt_len);
    assert_non_null(t.salts);
    for (size_t i = 0; i < n * salt_len; i++) t.salts[i] = (uint8_t)sm_test_next(rng);
  }
  t.x = (ref_matrix){t.m, width, col_stride, t.salts, salt_len};
  return t;
}

static void free_matrix(test_matrix *t) {
  free(t->m);
  free(t->salts);
}

/* ---- Cases. ---- */

static void roots_match_reference(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed();
  static const size_t widths[] = {1, 7, 64};
  static const size_t salt_lens[] = {0, 20};
  for (unsigned log_n = 0; log_n <= 12; log_n++) {
    size_t n = (size_t)1 << log_n;
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
      for (size_t si = 0; si < sizeof salt_lens / sizeof salt_lens[0]; si++) {
        size_t stride = n + (log_n + wi + si) % 3 * 5; /* sometimes > n_rows */
        test_matrix t = make_matrix(n, widths[wi], stride, salt_lens[si], &rng);
        sm_digest want = ref_root(&t.x, 0, n);
        for (int threads = 1; threads <= 2; threads++) {
          sm_merkle_tree tree;
          assert_int_equal(sm_merkle_commit(&tree, t.m, n, widths[wi], stride, t.salts,
                                            salt_lens[si], threads),
                           STARKML_OK);
          assert_int_equal(tree.n_leaves, n);
          assert_int_equal(tree.log_n, log_n);
          if (memcmp(sm_merkle_root(&tree)->b, want.b, SM_DIGEST_LEN) != 0)
            fail_msg("root differs: n %zu width %zu salt %zu stride %zu threads %d", n,
                     widths[wi], salt_lens[si], stride, threads);
          /* A random leaf's path verifies against the reference root. */
          size_t index = (size_t)(sm_test_next(&rng) % n);
          sm_digest leaf = ref_leaf(&t.x, index), path[12];
          assert_int_equal(sm_merkle_path(&tree, path, index), STARKML_OK);
          assert_int_equal(sm_merkle_verify(&want, log_n, index, &leaf, path), STARKML_OK);
          sm_merkle_tree_free(&tree);
        }
        free_matrix(&t);
      }
    }
  }
}

/* sm_merkle_leaf (the verifier's leaf hash) and sm_merkle_node against the reference, and
 * against the leaves commit stored, for widths around its internal chunk size. */
static void leaf_and_node_match_reference(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 1;
  static const size_t widths[] = {1, 2, 7, 31, 32, 33, 64, 100, 257};
  for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
    for (size_t salt_len = 0; salt_len <= 24; salt_len += 24) {
      enum { N = 8 };
      test_matrix t = make_matrix(N, widths[wi], N, salt_len, &rng);
      sm_merkle_tree tree;
      assert_int_equal(
          sm_merkle_commit(&tree, t.m, N, widths[wi], N, t.salts, salt_len, 1), STARKML_OK);
      gl_t *row = malloc(widths[wi] * sizeof *row);
      assert_non_null(row);
      for (size_t r = 0; r < N; r++) {
        for (size_t c = 0; c < widths[wi]; c++) row[c] = t.m[c * N + r];
        sm_digest got, want = ref_leaf(&t.x, r);
        sm_merkle_leaf(&got, row, widths[wi], salt_len ? t.salts + r * salt_len : NULL,
                       salt_len);
        assert_memory_equal(got.b, want.b, SM_DIGEST_LEN);
        assert_memory_equal(tree.nodes[N - 1 + r].b, want.b, SM_DIGEST_LEN);
      }
      for (size_t i = 0; i < N - 1; i++) {
        sm_digest got, want = ref_node(&tree.nodes[2 * i + 1], &tree.nodes[2 * i + 2]);
        sm_merkle_node(&got, &tree.nodes[2 * i + 1], &tree.nodes[2 * i + 2]);
        assert_memory_equal(got.b, want.b, SM_DIGEST_LEN);
        assert_memory_equal(tree.nodes[i].b, want.b, SM_DIGEST_LEN);
      }
      free(row);
      sm_merkle_tree_free(&tree);
      free_matrix(&t);
    }
  }
}

/* Every path of a small tree equals the reference path and verifies; flipping a bit of
 * any byte of the leaf, of any path element or of the root, a wrong index, a wrong depth
 * or an index outside the tree are all rejected. */
static void paths_verify_and_tampering_rejects(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 2;
  enum { LOG_N = 5, N = 1 << LOG_N, W = 7, SALT = 16 };
  test_matrix t = make_matrix(N, W, N + 3, SALT, &rng);
  sm_merkle_tree tree;
  assert_int_equal(sm_merkle_commit(&tree, t.m, N, W, N + 3, t.salts, SALT, 2), STARKML_OK);
  sm_digest root = *sm_merkle_root(&tree);
  for (size_t index = 0; index < N; index++) {
    sm_digest leaf = ref_leaf(&t.x, index), path[LOG_N + 1], want[LOG_N];
    assert_int_equal(sm_merkle_path(&tree, path, index), STARKML_OK);
    ref_path(&t.x, 0, N, index, want);
    assert_memory_equal(path, want, sizeof want);
    assert_int_equal(sm_merkle_verify(&root, LOG_N, index, &leaf, path), STARKML_OK);

    for (size_t i = 0; i < SM_DIGEST_LEN; i++) {
      uint8_t bit = (uint8_t)(1u << (i % 8));
      leaf.b[i] ^= bit;
      assert_int_equal(sm_merkle_verify(&root, LOG_N, index, &leaf, path), STARKML_REJECT);
      leaf.b[i] ^= bit;
      root.b[i] ^= bit;
      assert_int_equal(sm_merkle_verify(&root, LOG_N, index, &leaf, path), STARKML_REJECT);
      root.b[i] ^= bit;
      for (size_t k = 0; k < LOG_N; k++) {
        path[k].b[i] ^= bit;
        assert_int_equal(sm_merkle_verify(&root, LOG_N, index, &leaf, path), STARKML_REJECT);
        path[k].b[i] ^= bit;
      }
    }
    for (size_t j = 0; j < N; j++)
      if (j != index)
        assert_int_equal(sm_merkle_verify(&root, LOG_N, j, &leaf, path), STARKML_REJECT);
    assert_int_equal(sm_merkle_verify(&root, LOG_N, index + N, &leaf, path), STARKML_REJECT);
    assert_int_equal(sm_merkle_verify(&root, LOG_N, SIZE_MAX, &leaf, path), STARKML_REJECT);
    assert_int_equal(sm_merkle_verify(&root, LOG_N - 1, index % (N / 2), &leaf, path),
                     STARKML_REJECT);
    path[LOG_N] = path[0];
    assert_int_equal(sm_merkle_verify(&root, LOG_N + 1, index, &leaf, path), STARKML_REJECT);
    /* The leaf digest posing as a node one level up is a different hash input. */
    assert_int_equal(sm_merkle_verify(&root, LOG_N, index, &path[0], path), STARKML_REJECT);
    assert_int_equal(sm_merkle_verify(&root, LOG_N, index, &leaf, path), STARKML_OK);
  }
  sm_merkle_tree_free(&tree);
  free_matrix(&t);
}

/* Caps: every height's cap hashes up to the root (reference paths give the cap nodes), a
   row's path below the cap verifies against its cap node, and a changed cap digest changes
   the root. */
static void caps_match_reference(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 6;
  enum { LOG_N = 6, N = 1 << LOG_N, W = 3 };
  test_matrix t = make_matrix(N, W, N, 0, &rng);
  sm_merkle_tree tree;
  assert_int_equal(sm_merkle_commit(&tree, t.m, N, W, N, NULL, 0, 1), STARKML_OK);
  for (unsigned h = 0; h <= LOG_N; h++) {
    const sm_digest *cap = sm_merkle_cap(&tree, h);
    sm_digest root;
    assert_int_equal(sm_merkle_cap_root(&root, cap, h), STARKML_OK);
    assert_memory_equal(root.b, sm_merkle_root(&tree)->b, SM_DIGEST_LEN);
    const unsigned d = LOG_N - h;
    for (size_t r = 0; r < N; r++) {
      sm_digest leaf = ref_leaf(&t.x, r), path[LOG_N];
      assert_int_equal(sm_merkle_path(&tree, path, r), STARKML_OK);
      const size_t below = r & (((size_t)1 << d) - 1);
      assert_int_equal(sm_merkle_verify(&cap[r >> d], d, below, &leaf, path), STARKML_OK);
      /* The reference's path above level d ends at the same cap node. */
      sm_digest full[LOG_N];
      ref_path(&t.x, 0, N, r, full);
      assert_memory_equal(path, full, sizeof path);
      if (h > 0) {
        const size_t other = (r >> d) ^ 1;
        assert_int_equal(sm_merkle_verify(&cap[other], d, below, &leaf, path), STARKML_REJECT);
      }
    }
    sm_digest *bad = malloc(((size_t)1 << h) * sizeof *bad);
    assert_non_null(bad);
    memcpy(bad, cap, ((size_t)1 << h) * sizeof *bad);
    bad[((size_t)1 << h) - 1].b[31] ^= 1;
    assert_int_equal(sm_merkle_cap_root(&root, bad, h), STARKML_OK);
    assert_memory_not_equal(root.b, sm_merkle_root(&tree)->b, SM_DIGEST_LEN);
    free(bad);
  }
  sm_digest root;
  assert_int_equal(sm_merkle_cap_root(&root, NULL, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_cap_root(&root, sm_merkle_root(&tree), 31), STARKML_ERR_ARG);
  sm_merkle_tree_free(&tree);
  free_matrix(&t);
}

/* Batch leaves equal single leaves. */
static void batch_leaves_match_single(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 11;
  static const size_t counts[] = {1, 3, 4, 5, 9}, widths[] = {1, 3, 48, 130};
  for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++)
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
      const size_t n = counts[ci], w = widths[wi];
      gl_t *rows = malloc(n * w * sizeof *rows);
      sm_digest *got = malloc(n * sizeof *got);
      assert_non_null(rows);
      assert_non_null(got);
      for (size_t i = 0; i < n * w; i++) rows[i] = random_gl(&rng);
      assert_int_equal(sm_merkle_leaves(got, rows, n, w), STARKML_OK);
      for (size_t k = 0; k < n; k++) {
        sm_digest want;
        sm_merkle_leaf(&want, rows + k * w, w, NULL, 0);
        assert_memory_equal(got[k].b, want.b, SM_DIGEST_LEN);
      }
      free(rows), free(got);
    }
  assert_int_equal(sm_merkle_leaves(NULL, NULL, 0, 3), STARKML_OK);
  assert_int_equal(sm_merkle_leaves(NULL, NULL, 1, 3), STARKML_ERR_ARG);
}

/*
 * The multi-path check accepts exactly when every single check does: honest batches with
 * repeated positions, and batches with spoiled leaves, siblings (also siblings the batch
 * computes itself, which it must still compare), positions and roots.
 */
static void batch_paths_agree_with_single(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 13;
  static const unsigned depths[] = {0, 1, 3, 6};
  static const size_t counts[] = {1, 2, 5, 40};
  size_t accepted = 0, rejected = 0;
  for (size_t di = 0; di < sizeof depths / sizeof depths[0]; di++)
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
      const unsigned D = depths[di];
      const size_t N = (size_t)1 << D, n = counts[ci], W = 3;
      test_matrix t = make_matrix(N, W, N, 0, &rng);
      sm_merkle_tree tree;
      assert_int_equal(sm_merkle_commit(&tree, t.m, N, W, N, NULL, 0, 1), STARKML_OK);
      sm_digest *leaf = malloc(n * sizeof *leaf);
      sm_digest *paths = malloc(n * (D + 1) * sizeof *paths);
      const sm_digest **pp = malloc(n * sizeof *pp);
      size_t *index = malloc(n * sizeof *index);
      assert_true(leaf && paths && pp && index);
      for (int round = 0; round < 40; round++) {
        sm_digest root = *sm_merkle_root(&tree);
        for (size_t k = 0; k < n; k++) {
          const size_t r = sm_test_next(&rng) % N;
          gl_t row[3];
          for (size_t c = 0; c < W; c++) row[c] = t.m[c * N + r];
          sm_merkle_leaf(&leaf[k], row, W, NULL, 0);
          assert_int_equal(sm_merkle_path(&tree, paths + k * (D + 1), r), STARKML_OK);
          pp[k] = paths + k * (D + 1);
          index[k] = r;
        }
        /* Round 0 of each shape is honest; later rounds spoil one or two things. */
        const int spoils = round == 0 ? 0 : 1 + (int)(sm_test_next(&rng) % 2);
        for (int e = 0; e < spoils; e++) {
          const size_t k = sm_test_next(&rng) % n;
          switch (sm_test_next(&rng) % 5) {
            case 0: leaf[k].b[3] ^= 1; break;
            case 1:
              if (D > 0) paths[k * (D + 1) + sm_test_next(&rng) % D].b[9] ^= 0x10;
              break;
            case 2: index[k] ^= (size_t)1 << (sm_test_next(&rng) % (D + 1)); break;
            case 3: root.b[0] ^= 1; break;
            default: /* another query's leaf and path at this one's position */
              if (n > 1) {
                const size_t o = (k + 1) % n;
                leaf[k] = leaf[o], index[k] = index[o];
                paths[k * (D + 1) + (D > 0 ? sm_test_next(&rng) % D : 0)] =
                    paths[o * (D + 1) + (D > 0 ? sm_test_next(&rng) % D : 0)];
              }
              break;
          }
        }
        int want = 1;
        for (size_t k = 0; k < n; k++)
          if (sm_merkle_verify(&root, D, index[k], &leaf[k], pp[k]) != STARKML_OK) want = 0;
        assert_int_equal(sm_merkle_verify_batch(&root, D, n, index, leaf, pp), want);
        if (want) accepted++;
        else rejected++;
      }
      free(leaf), free(paths), free(pp), free(index);
      sm_merkle_tree_free(&tree);
      free_matrix(&t);
    }
  /* Both outcomes were exercised. */
  assert_true(accepted >= 16);
  assert_true(rejected >= 100);
  sm_digest r = {{0}};
  size_t i = 0;
  const sm_digest *p = &r;
  assert_int_equal(sm_merkle_verify_batch(&r, 64, 1, &i, &r, &p), 0);
  assert_int_equal(sm_merkle_verify_batch(NULL, 1, 1, &i, &r, &p), 0);
  assert_int_equal(sm_merkle_verify_batch(NULL, 1, 0, NULL, NULL, NULL), 1);
}

static void single_row(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 3;
  test_matrix t = make_matrix(1, 5, 1, 8, &rng);
  gl_t row[5];
  for (size_t c = 0; c < 5; c++) row[c] = t.m[c];
  sm_digest leaf;
  sm_merkle_leaf(&leaf, row, 5, t.salts, 8);
  sm_merkle_tree tree;
  assert_int_equal(sm_merkle_commit(&tree, t.m, 1, 5, 1, t.salts, 8, 2), STARKML_OK);
  assert_int_equal(tree.log_n, 0);
  assert_memory_equal(sm_merkle_root(&tree)->b, leaf.b, SM_DIGEST_LEN);
  sm_digest dummy;
  assert_int_equal(sm_merkle_path(&tree, NULL, 0), STARKML_OK);
  assert_int_equal(sm_merkle_path(&tree, &dummy, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_verify(sm_merkle_root(&tree), 0, 0, &leaf, NULL), STARKML_OK);
  assert_int_equal(sm_merkle_verify(sm_merkle_root(&tree), 0, 1, &leaf, NULL), STARKML_REJECT);
  leaf.b[31] ^= 1;
  assert_int_equal(sm_merkle_verify(sm_merkle_root(&tree), 0, 0, &leaf, NULL), STARKML_REJECT);
  sm_merkle_tree_free(&tree);
  free_matrix(&t);
}

static void bad_arguments(void **state) {
  (void)state;
  gl_t m[16] = {0};
  uint8_t salts[16] = {0};
  sm_merkle_tree tree;
  static const size_t bad_rows[] = {0, 3, 5, 6, 7, 12};
  for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
    memset(&tree, 0xab, sizeof tree);
    assert_int_equal(sm_merkle_commit(&tree, m, bad_rows[i], 1, 16, NULL, 0, 1), STARKML_ERR_ARG);
    assert_null(tree.nodes);
    assert_int_equal(tree.n_leaves, 0);
    assert_int_equal(tree.log_n, 0);
  }
  assert_int_equal(sm_merkle_commit(&tree, m, 4, 0, 4, NULL, 0, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_commit(&tree, m, 4, 1, 4, NULL, 4, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_commit(&tree, m, 4, 1, 4, salts, 4, 0), STARKML_ERR_ARG);
  /* A column stride shorter than a column would make columns overlap. */
  assert_int_equal(sm_merkle_commit(&tree, m, 4, 2, 3, NULL, 0, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_commit(&tree, NULL, 4, 1, 4, NULL, 0, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_commit(NULL, m, 4, 1, 4, NULL, 0, 1), STARKML_ERR_ARG);
  assert_null(tree.nodes);
  sm_merkle_tree_free(&tree); /* a zeroed tree may be freed */

  assert_int_equal(sm_merkle_commit(&tree, m, 4, 2, 4, salts, 4, 1), STARKML_OK);
  sm_digest path[2], leaf = tree.nodes[3];
  memset(path, 0xcd, sizeof path);
  assert_int_equal(sm_merkle_path(&tree, path, 4), STARKML_ERR_ARG);
  for (size_t i = 0; i < sizeof path; i++) assert_int_equal(((uint8_t *)path)[i], 0);
  assert_int_equal(sm_merkle_path(&tree, NULL, 0), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_path(NULL, path, 0), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_path(&tree, path, 0), STARKML_OK);
  const sm_digest *root = sm_merkle_root(&tree);
  assert_int_equal(sm_merkle_verify(root, 2, 0, &leaf, path), STARKML_OK);
  assert_int_equal(sm_merkle_verify(NULL, 2, 0, &leaf, path), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_verify(root, 2, 0, NULL, path), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_verify(root, 2, 0, &leaf, NULL), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_verify(root, 64, 0, &leaf, path), STARKML_ERR_ARG);
  assert_int_equal(sm_merkle_verify(root, 1000, 0, &leaf, path), STARKML_ERR_ARG);
  /* With log_n = 63 any index below 2^63 reads 63 path entries, so only an index at or
   * above 2^63 can be checked without a 63-entry path: it must be rejected up front. */
  assert_int_equal(sm_merkle_verify(root, 63, SIZE_MAX, &leaf, path), STARKML_REJECT);
  sm_merkle_tree_free(&tree);
  assert_null(tree.nodes);
}

/* The tree (every node, not only the root) does not depend on the thread count. */
static void thread_count_independent(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 4;
  enum { N = 1 << 12, W = 9, SALT = 12 };
  test_matrix t = make_matrix(N, W, N + 1, SALT, &rng);
  sm_merkle_tree one;
  assert_int_equal(sm_merkle_commit(&one, t.m, N, W, N + 1, t.salts, SALT, 1), STARKML_OK);
  for (int threads = 2; threads <= 5; threads++) {
    sm_merkle_tree many;
    assert_int_equal(sm_merkle_commit(&many, t.m, N, W, N + 1, t.salts, SALT, threads),
                     STARKML_OK);
    assert_memory_equal(many.nodes, one.nodes, (2 * N - 1) * sizeof *one.nodes);
    sm_merkle_tree_free(&many);
  }
  sm_merkle_tree_free(&one);
  free_matrix(&t);
}

/* A tree large enough that commit uses many blocks per thread and parallel upper levels. */
static void large_tree_matches_reference_slow(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 5;
  enum { N = 1 << 16, W = 64, SALT = 32 };
  test_matrix t = make_matrix(N, W, N, SALT, &rng);
  sm_digest want = ref_root(&t.x, 0, N);
  for (int threads = 1; threads <= 2; threads++) {
    sm_merkle_tree tree;
    assert_int_equal(sm_merkle_commit(&tree, t.m, N, W, N, t.salts, SALT, threads), STARKML_OK);
    assert_memory_equal(sm_merkle_root(&tree)->b, want.b, SM_DIGEST_LEN);
    for (int q = 0; q < 64; q++) {
      size_t index = (size_t)(sm_test_next(&rng) % N);
      sm_digest path[16], leaf = ref_leaf(&t.x, index);
      assert_int_equal(sm_merkle_path(&tree, path, index), STARKML_OK);
      assert_int_equal(sm_merkle_verify(&want, 16, index, &leaf, path), STARKML_OK);
    }
    sm_merkle_tree_free(&tree);
  }
  free_matrix(&t);
}

/* ---- Mixed-height trees (core/merkle.h), against the spec on OpenSSL. ---- */

typedef struct {
  const test_matrix *mats;
  const unsigned *log_rows;
  size_t n;
  unsigned L;
} ref_mmcs;

/* g_l(i) = SHA3(0x02 || leaves of the matrices of 2^l rows at row i), or 0 when none. */
static int ref_group(const ref_mmcs *x, unsigned l, size_t i, sm_digest *g) {
  uint8_t buf[1 + SM_MMCS_MAX_MATS * SM_DIGEST_LEN];
  size_t k = 0;
  buf[0] = 0x02;
  for (size_t t = 0; t < x->n; t++)
    if (x->log_rows[t] == l) {
      sm_digest d = ref_leaf(&x->mats[t].x, i);
      memcpy(buf + 1 + SM_DIGEST_LEN * k++, d.b, SM_DIGEST_LEN);
    }
  if (k > 0) ref_sha3(g, buf, 1 + SM_DIGEST_LEN * k);
  return k > 0;
}

static sm_digest ref_mmcs_node(const ref_mmcs *x, unsigned l, size_t i) {
  sm_digest g, out;
  const int has = ref_group(x, l, i, &g);
  if (l == x->L) return g;
  sm_digest a = ref_mmcs_node(x, l + 1, 2 * i), b = ref_mmcs_node(x, l + 1, 2 * i + 1);
  if (!has) return ref_node(&a, &b);
  uint8_t buf[1 + 3 * SM_DIGEST_LEN];
  buf[0] = 0x03;
  memcpy(buf + 1, a.b, SM_DIGEST_LEN);
  memcpy(buf + 1 + SM_DIGEST_LEN, b.b, SM_DIGEST_LEN);
  memcpy(buf + 1 + 2 * SM_DIGEST_LEN, g.b, SM_DIGEST_LEN);
  ref_sha3(&out, buf, sizeof buf);
  return out;
}

/* Shapes: log heights in commit order (mixed, repeated, gaps, one matrix). */
static const unsigned mmcs_shape_a[] = {5, 3, 5, 6, 2};
static const unsigned mmcs_shape_b[] = {4};
static const unsigned mmcs_shape_c[] = {2, 6, 6, 6};
static const unsigned mmcs_shape_d[] = {0, 1, 3};
static const struct {
  const unsigned *log_rows;
  size_t n;
} mmcs_shapes[] = {{mmcs_shape_a, 5}, {mmcs_shape_b, 1}, {mmcs_shape_c, 4}, {mmcs_shape_d, 3}};

typedef struct {
  test_matrix mats[8];
  sm_mmcs_mat in[8];
  ref_mmcs ref;
} mmcs_case;

static void mmcs_case_make(mmcs_case *c, size_t shape, size_t salt_len, uint64_t *rng) {
  const size_t widths[] = {1, 17, 18, 3, 40, 2, 5, 9};
  unsigned L = 0;
  for (size_t t = 0; t < mmcs_shapes[shape].n; t++) {
    const unsigned l = mmcs_shapes[shape].log_rows[t];
    const size_t rows = (size_t)1 << l, w = widths[(t + shape) % 8];
    c->mats[t] = make_matrix(rows, w, rows + (t & 1), salt_len, rng);
    c->in[t] = (sm_mmcs_mat){c->mats[t].m, rows, w, rows + (t & 1), c->mats[t].salts};
    if (l > L) L = l;
  }
  c->ref = (ref_mmcs){c->mats, mmcs_shapes[shape].log_rows, mmcs_shapes[shape].n, L};
}

static void mmcs_case_free(mmcs_case *c) {
  for (size_t t = 0; t < c->ref.n; t++) free_matrix(&c->mats[t]);
}

static void mmcs_matches_reference(void **state) {
  (void)state;
  uint64_t rng = 0x6d6d6373u;
  for (size_t shape = 0; shape < sizeof mmcs_shapes / sizeof mmcs_shapes[0]; shape++)
    for (size_t salt_len = 0; salt_len <= 32; salt_len += 32) {
      mmcs_case c;
      mmcs_case_make(&c, shape, salt_len, &rng);
      sm_merkle_tree tree;
      assert_int_equal(sm_mmcs_commit(&tree, c.in, c.ref.n, salt_len, 2), STARKML_OK);
      assert_int_equal(tree.log_n, c.ref.L);
      /* Every node of every level, in heap order. */
      for (unsigned l = 0; l <= c.ref.L; l++)
        for (size_t i = 0; i < ((size_t)1 << l); i++) {
          sm_digest want = ref_mmcs_node(&c.ref, l, i);
          assert_memory_equal(tree.nodes[((size_t)1 << l) - 1 + i].b, want.b, SM_DIGEST_LEN);
        }
      /* One matrix alone is not its plain tree: the group tag wraps its leaves. */
      sm_merkle_tree plain;
      assert_int_equal(sm_merkle_commit(&plain, c.in[0].m, c.in[0].n_rows, c.in[0].width,
                                        c.in[0].col_stride, c.in[0].salts, salt_len, 1),
                       STARKML_OK);
      sm_merkle_tree one;
      assert_int_equal(sm_mmcs_commit(&one, c.in, 1, salt_len, 1), STARKML_OK);
      assert_memory_not_equal(sm_merkle_root(&one)->b, sm_merkle_root(&plain)->b, SM_DIGEST_LEN);
      sm_digest g;
      sm_digest leaf = ref_leaf(&c.mats[0].x, 0);
      sm_mmcs_group(&g, &leaf, 1);
      assert_memory_equal(one.nodes[one.n_leaves - 1].b, g.b, SM_DIGEST_LEN);
      sm_merkle_tree_free(&plain), sm_merkle_tree_free(&one), sm_merkle_tree_free(&tree);
      mmcs_case_free(&c);
    }
}

/* sm_mmcs_verify_x4 accepts honest openings at every cap height and rejects each tampered
   part of one check only. */
static void mmcs_verify_and_tampering(void **state) {
  (void)state;
  uint64_t rng = 0x76657269u;
  for (size_t shape = 0; shape < sizeof mmcs_shapes / sizeof mmcs_shapes[0]; shape++) {
    const size_t salt_len = 32;
    mmcs_case c;
    mmcs_case_make(&c, shape, salt_len, &rng);
    const size_t n = c.ref.n;
    const unsigned L = c.ref.L;
    unsigned lmin = L;
    size_t width[8];
    for (size_t t = 0; t < n; t++) {
      width[t] = c.in[t].width;
      if (c.ref.log_rows[t] < lmin) lmin = c.ref.log_rows[t];
    }
    sm_merkle_tree tree;
    assert_int_equal(sm_mmcs_commit(&tree, c.in, n, salt_len, 1), STARKML_OK);
    for (unsigned cap_h = 0; cap_h <= lmin; cap_h++) {
      size_t index[4];
      gl_t rows[4][8][40];
      const gl_t *row[32];
      const uint8_t *salt[32];
      sm_digest path[4][64];
      const sm_digest *pp[4], *cap[4];
      for (int k = 0; k < 4; k++) {
        index[k] = (size_t)(sm_test_next(&rng) & ((1u << L) - 1));
        for (size_t t = 0; t < n; t++) {
          const size_t r = index[k] >> (L - c.ref.log_rows[t]);
          for (size_t col = 0; col < width[t]; col++)
            rows[k][t][col] = c.in[t].m[col * c.in[t].col_stride + r];
          row[(size_t)k * n + t] = rows[k][t];
          salt[(size_t)k * n + t] = c.in[t].salts + r * salt_len;
        }
        assert_int_equal(sm_merkle_path(&tree, path[k], index[k]), STARKML_OK);
        pp[k] = path[k];
        cap[k] = sm_merkle_cap(&tree, cap_h) + (index[k] >> (L - cap_h));
      }
      assert_int_equal(sm_mmcs_verify_x4(cap, cap_h, index, n, c.ref.log_rows, width, row, salt,
                                         salt_len, pp),
                       0xFu);
      /* A value of the last matrix in check 0, a salt of the first in check 1, a sibling in
         check 2 (when there is a path), the cap node of check 3. */
      rows[0][n - 1][width[n - 1] - 1] ^= 1;
      uint8_t bad_salt[32];
      memcpy(bad_salt, salt[n], 32);
      bad_salt[7] ^= 0x10;
      const uint8_t *keep = salt[n];
      salt[n] = bad_salt;
      if (L > cap_h) path[2][L - cap_h - 1].b[0] ^= 1;
      sm_digest wrong = *cap[3];
      wrong.b[31] ^= 0x80;
      cap[3] = &wrong;
      unsigned want = 0x0u | (L > cap_h ? 0u : 0x4u);
      assert_int_equal(sm_mmcs_verify_x4(cap, cap_h, index, n, c.ref.log_rows, width, row, salt,
                                         salt_len, pp),
                       want);
      salt[n] = keep;
      rows[0][n - 1][width[n - 1] - 1] ^= 1;
      if (L > cap_h) path[2][L - cap_h - 1].b[0] ^= 1;
      cap[3] = sm_merkle_cap(&tree, cap_h) + (index[3] >> (L - cap_h));
      /* A position outside the tree fails its check only. */
      index[1] |= (size_t)1 << L;
      assert_int_equal(sm_mmcs_verify_x4(cap, cap_h, index, n, c.ref.log_rows, width, row, salt,
                                         salt_len, pp),
                       0xDu);
      index[1] &= ((size_t)1 << L) - 1;
      /* A cap above the smallest matrix is refused outright. */
      assert_int_equal(sm_mmcs_verify_x4(cap, lmin + 1, index, n, c.ref.log_rows, width, row,
                                         salt, salt_len, pp),
                       0u);
    }
    sm_merkle_tree_free(&tree);
    mmcs_case_free(&c);
  }
}

static void mmcs_threads_and_bad_arguments(void **state) {
  (void)state;
  uint64_t rng = 0x74687264u;
  mmcs_case c;
  mmcs_case_make(&c, 0, 32, &rng);
  sm_merkle_tree a, b;
  assert_int_equal(sm_mmcs_commit(&a, c.in, c.ref.n, 32, 1), STARKML_OK);
  assert_int_equal(sm_mmcs_commit(&b, c.in, c.ref.n, 32, 3), STARKML_OK);
  assert_memory_equal(a.nodes, b.nodes, (2 * a.n_leaves - 1) * sizeof(sm_digest));
  sm_merkle_tree_free(&a), sm_merkle_tree_free(&b);
  assert_int_equal(sm_mmcs_commit(&a, c.in, 0, 32, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_mmcs_commit(&a, NULL, 1, 32, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_mmcs_commit(&a, c.in, SM_MMCS_MAX_MATS + 1, 32, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_mmcs_commit(&a, c.in, c.ref.n, 32, 0), STARKML_ERR_ARG);
  sm_mmcs_mat odd = c.in[0];
  odd.n_rows = 24;
  assert_int_equal(sm_mmcs_commit(&a, &odd, 1, 32, 1), STARKML_ERR_ARG);
  odd = c.in[0], odd.salts = NULL;
  assert_int_equal(sm_mmcs_commit(&a, &odd, 1, 32, 1), STARKML_ERR_ARG);
  odd = c.in[0], odd.col_stride = odd.n_rows - 1;
  assert_int_equal(sm_mmcs_commit(&a, &odd, 1, 32, 1), STARKML_ERR_ARG);
  assert_null(a.nodes);
  mmcs_case_free(&c);
}

SM_TEST_MAIN(cmocka_unit_test(roots_match_reference),
             cmocka_unit_test(leaf_and_node_match_reference),
             cmocka_unit_test(paths_verify_and_tampering_rejects),
             cmocka_unit_test(caps_match_reference),
             cmocka_unit_test(batch_leaves_match_single),
             cmocka_unit_test(batch_paths_agree_with_single), cmocka_unit_test(single_row),
             cmocka_unit_test(bad_arguments), cmocka_unit_test(thread_count_independent),
             cmocka_unit_test(mmcs_matches_reference),
             cmocka_unit_test(mmcs_verify_and_tampering),
             cmocka_unit_test(mmcs_threads_and_bad_arguments),
             cmocka_unit_test(large_tree_matches_reference_slow))
