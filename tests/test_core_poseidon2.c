/*
 * Poseidon2 over Goldilocks, width 12 (core/poseidon2.h):
 *  - the reference implementation's known-answer test for t = 12 (HorizenLabs/poseidon2,
 *    plain_implementations/src/poseidon2/poseidon2.rs, test `kats` of module
 *    poseidon2_tests_goldilocks, at commit bb476b9ca38198cf5092487283c8b8c5d4317c4e, the
 *    commit the constants were taken from). Older commits of that repository carry other
 *    Goldilocks constants and other expected outputs (0xed3dbcc4ff1e8d33..., then
 *    0x12a0e34a20879ec7...); the vector below belongs to the published constants in use;
 *  - a deliberately naive second implementation written here: the linear layers are
 *    dense 12 x 12 matrices built from the paper's definitions (M_E = circ(2 M4, M4, M4),
 *    M_I = J + diag), products are plain row-by-column sums, the S-box is gl_exp(x, 7);
 *  - the sponge against a naive sponge over that permutation, across block boundaries.
 */
#include <stdlib.h>
#include <string.h>

#include "core/poseidon2.h"
#include "tests/sm_test.h"

#define W SM_P2_WIDTH

/* ---- the naive model ------------------------------------------------------------------- */

static const gl_t k_m4[4][4] = {{5, 7, 1, 3}, {4, 6, 1, 1}, {1, 3, 5, 7}, {1, 1, 4, 6}};

static void dense_external(gl_t m[W][W]) {
  for (int i = 0; i < W; i++)
    for (int j = 0; j < W; j++) m[i][j] = k_m4[i % 4][j % 4] * (i / 4 == j / 4 ? 2 : 1);
}

static void dense_internal(gl_t m[W][W]) {
  for (int i = 0; i < W; i++)
    for (int j = 0; j < W; j++) m[i][j] = i == j ? gl_add(1, sm_p2_diag[i]) : 1;
}

static void dense_apply(const gl_t m[W][W], gl_t s[W]) {
  gl_t out[W];
  for (int i = 0; i < W; i++) {
    out[i] = 0;
    for (int j = 0; j < W; j++) out[i] = gl_add(out[i], gl_mul(m[i][j], s[j]));
  }
  memcpy(s, out, sizeof out);
}

static void naive_permute(gl_t s[W]) {
  gl_t me[W][W], mi[W][W];
  dense_external(me);
  dense_internal(mi);
  dense_apply(me, s);
  for (int r = 0; r < 30; r++) {
    int full = r < 4 || r >= 26;
    if (full) {
      const gl_t *rc = sm_p2_rc_full[r < 4 ? r : r - 22];
      for (int i = 0; i < W; i++) s[i] = gl_exp(gl_add(s[i], rc[i]), 7);
      dense_apply(me, s);
    } else {
      s[0] = gl_exp(gl_add(s[0], sm_p2_rc_partial[r - 4]), 7);
      dense_apply(mi, s);
    }
  }
}

/* The sponge as specified: pad the input with zeros to whole blocks (one block at least),
 * start from (0, ..., 0, n, 0, 0, 0), add and permute block by block. */
static void naive_hash(gl_t digest[4], const gl_t *in, size_t n) {
  size_t blocks = n == 0 ? 1 : (n + 7) / 8;
  gl_t *padded = calloc(blocks * 8, sizeof *padded);
  assert_non_null(padded);
  if (n > 0) memcpy(padded, in, n * sizeof *in);
  gl_t s[W] = {0};
  s[8] = (gl_t)n;
  for (size_t b = 0; b < blocks; b++) {
    for (int i = 0; i < 8; i++) s[i] = gl_add(s[i], padded[8 * b + i]);
    naive_permute(s);
  }
  memcpy(digest, s, 4 * sizeof *s);
  free(padded);
}

static gl_t rand_gl(uint64_t *rng) {
  /* Bias the draw towards the edges now and then: 0, 1, p - 1, p - 2. */
  uint64_t r = sm_test_next(rng);
  switch (r & 15) {
    case 0: return 0;
    case 1: return 1;
    case 2: return GL_P - 1;
    case 3: return GL_P - 2;
    default: return gl_from_u64(sm_test_next(rng));
  }
}

static void assert_canonical(const gl_t *v, size_t n) {
  for (size_t i = 0; i < n; i++) assert_true(v[i] < GL_P);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void reference_kat(void **state) {
  (void)state;
  static const gl_t want[W] = {
      0x01eaef96bdf1c0c1ULL, 0x1f0d2cc525b2540cULL, 0x6282c1dfe1e0358dULL, 0xe780d721f698e1e6ULL,
      0x280c0b6f753d833bULL, 0x1b942dd5023156abULL, 0x43f0df3fcccb8398ULL, 0xe8e8190585489025ULL,
      0x56bdbf72f77ada22ULL, 0x7911c32bf9dcd705ULL, 0xec467926508fbe67ULL, 0x6a50450ddf85a6edULL,
  };
  gl_t s[W];
  for (int i = 0; i < W; i++) s[i] = (gl_t)i;
  sm_poseidon2_permute(s);
  assert_memory_equal(s, want, sizeof want);
  for (int i = 0; i < W; i++) s[i] = (gl_t)i;
  naive_permute(s);
  assert_memory_equal(s, want, sizeof want);
}

static void constants_canonical(void **state) {
  (void)state;
  assert_canonical(&sm_p2_rc_full[0][0], SM_P2_FULL_ROUNDS * W);
  assert_canonical(sm_p2_rc_partial, SM_P2_PARTIAL_ROUNDS);
  assert_canonical(sm_p2_diag, W);
  /* A zero entry would make M_I's row i the all-ones row, shared by every such lane. */
  for (int i = 0; i < W; i++) assert_true(sm_p2_diag[i] != 0);
  assert_int_equal(SM_P2_RATE + SM_P2_CAPACITY, SM_P2_WIDTH);
}

static void linear_layers_match_dense(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x6c696eULL;
  gl_t me[W][W], mi[W][W];
  dense_external(me);
  dense_internal(mi);
  for (int it = 0; it < 200; it++) {
    gl_t a[W], b[W];
    for (int i = 0; i < W; i++) a[i] = b[i] = rand_gl(&rng);
    sm_p2_external_linear(a);
    dense_apply(me, b);
    assert_memory_equal(a, b, sizeof a);
    assert_canonical(a, W);
    for (int i = 0; i < W; i++) a[i] = b[i] = rand_gl(&rng);
    sm_p2_internal_linear(a);
    dense_apply(mi, b);
    assert_memory_equal(a, b, sizeof a);
    assert_canonical(a, W);
  }
  /* Unit vectors read out the columns: column 0 of M_E is 2 M4[.][0] on block 0 and
   * M4[.][0] on blocks 1 and 2. */
  gl_t e[W] = {1};
  sm_p2_external_linear(e);
  static const gl_t col0[W] = {10, 8, 2, 2, 5, 4, 1, 1, 5, 4, 1, 1};
  assert_memory_equal(e, col0, sizeof col0);
}

static void permutation_matches_naive(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x7065726dULL;
  for (int it = 0; it < 300; it++) {
    gl_t a[W], b[W];
    for (int i = 0; i < W; i++) a[i] = b[i] = rand_gl(&rng);
    sm_poseidon2_permute(a);
    naive_permute(b);
    assert_memory_equal(a, b, sizeof a);
    assert_canonical(a, W);
  }
  /* All-zero and all-(p-1) states. */
  gl_t a[W], b[W];
  for (int v = 0; v < 2; v++) {
    for (int i = 0; i < W; i++) a[i] = b[i] = v ? GL_P - 1 : 0;
    sm_poseidon2_permute(a);
    naive_permute(b);
    assert_memory_equal(a, b, sizeof a);
  }
}

static void sponge_edge_cases(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x73706fULL;
  static const size_t lens[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 24, 25, 100};
  gl_t in[100];
  for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
    size_t n = lens[k];
    for (size_t i = 0; i < n; i++) in[i] = rand_gl(&rng);
    gl_t got[SM_P2_DIGEST], want[SM_P2_DIGEST];
    sm_poseidon2_hash(got, n ? in : NULL, n);
    naive_hash(want, in, n);
    assert_memory_equal(got, want, sizeof got);
    assert_canonical(got, SM_P2_DIGEST);
  }
  /* n = 0 is one permutation of (0, ..., 0): the capacity lane holds the length 0. */
  gl_t s[W] = {0}, d[SM_P2_DIGEST];
  sm_poseidon2_permute(s);
  sm_poseidon2_hash(d, NULL, 0);
  assert_memory_equal(d, s, sizeof d);
}

/* The length in the capacity separates inputs that zero padding alone would confuse. */
static void sponge_length_separation(void **state) {
  (void)state;
  gl_t zeros[17] = {0};
  gl_t d[18][SM_P2_DIGEST];
  for (size_t n = 0; n <= 17; n++) sm_poseidon2_hash(d[n], zeros, n);
  for (size_t i = 0; i <= 17; i++)
    for (size_t j = i + 1; j <= 17; j++) assert_memory_not_equal(d[i], d[j], sizeof d[i]);
  /* One changed element anywhere, the last element of a partial block included, changes
   * the digest. */
  uint64_t rng = sm_test_seed() ^ 0x736570ULL;
  gl_t in[17], base[SM_P2_DIGEST], other[SM_P2_DIGEST];
  for (size_t i = 0; i < 17; i++) in[i] = rand_gl(&rng);
  sm_poseidon2_hash(base, in, 17);
  for (size_t i = 0; i < 17; i++) {
    in[i] = gl_add(in[i], 1);
    sm_poseidon2_hash(other, in, 17);
    assert_memory_not_equal(base, other, sizeof base);
    in[i] = gl_sub(in[i], 1);
  }
}

SM_TEST_MAIN(cmocka_unit_test(reference_kat), cmocka_unit_test(constants_canonical),
             cmocka_unit_test(linear_layers_match_dense),
             cmocka_unit_test(permutation_matches_naive), cmocka_unit_test(sponge_edge_cases),
             cmocka_unit_test(sponge_length_separation))
