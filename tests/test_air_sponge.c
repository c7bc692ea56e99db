/*
 * The Poseidon2 sponge table (air/sponge.h, one row per permutation): honest traces satisfy
 * every constraint (the LogUp ones included) and reproduce sm_poseidon2_hash; every main
 * cell changed alone is caught; a malicious prover that rewrites a whole row consistently
 * around one wrong round value breaks exactly that value's own constraint; the capacity
 * initialisation, a padding lane, a padding row, an absorbed value and the digest public
 * are each caught; the description does not depend on keys or multiplicities; and a whole
 * STARK proof of the sponge with a receiver table verifies, while a malicious prover that
 * edits one round value, cube helper or absorbed value is rejected.
 */
#include <stdlib.h>
#include <string.h>

#include "air/air.h"
#include "air/sponge.h"
#include "core/poseidon2.h"
#include "fri/stark.h"
#include "tests/sm_test.h"

#define BUS 7u
#define W SM_P2_WIDTH

static const gl3_t k_zero3 = {{0, 0, 0}};

static gl3_t rand_gl3(uint64_t *s) {
  gl3_t r = {
      {gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s))}};
  return r;
}

static size_t blocks_of(size_t n_values) { return (n_values + SM_P2_RATE - 1) / SM_P2_RATE; }

/* A sponge over n random values (value 0 is the salt: key 0, multiplicity 0; value j > 0
 * has key 1000 + j and multiplicity 1 + (j % 3 == 0), so some are sent twice), and a
 * receiver table that takes each sent value with multiplicity -mult. */
typedef struct {
  sm_sponge_spec spec;
  gl_t *values, *keys, *mults;
  sm_air_table table, recv;
  gl_t *pre, *main, digest[SM_P2_DIGEST];
  gl_t *recv_main; /* key, value, m */
  size_t n;        /* rows of the sponge table */
  size_t blocks;   /* permutations */
} fixture;

static void fixture_make(fixture *f, size_t n_values, uint64_t *rng) {
  memset(f, 0, sizeof *f);
  f->values = malloc(n_values * sizeof(gl_t));
  f->keys = malloc(n_values * sizeof(gl_t));
  f->mults = malloc(n_values * sizeof(gl_t));
  assert_true(f->values && f->keys && f->mults);
  for (size_t j = 0; j < n_values; j++) {
    f->values[j] = gl_from_u64(sm_test_next(rng));
    f->keys[j] = j == 0 ? 0 : 1000 + j;
    f->mults[j] = j == 0 ? 0 : 1 + (j % 3 == 0);
  }
  f->spec = (sm_sponge_spec){BUS, n_values, f->keys, f->mults};
  f->blocks = blocks_of(n_values);
  assert_int_equal(sm_sponge_table(&f->table, "sponge", &f->spec), STARKML_OK);
  assert_int_equal(f->table.log_n, sm_sponge_log_n(n_values));
  f->n = (size_t)1 << f->table.log_n;
  f->pre = malloc(SM_SPONGE_N_PRE * f->n * sizeof(gl_t));
  f->main = malloc(SM_SPONGE_N_MAIN * f->n * sizeof(gl_t));
  assert_true(f->pre && f->main);
  assert_int_equal(sm_sponge_pre(f->pre, &f->spec), STARKML_OK);
  assert_int_equal(sm_sponge_main(f->main, f->digest, &f->spec, f->values), STARKML_OK);

  /* The receiver. */
  unsigned log_r = SM_AIR_MIN_LOG_N;
  while (((size_t)1 << log_r) < n_values) log_r++;
  size_t nr = (size_t)1 << log_r;
  sm_air_builder b;
  sm_air_builder_init(&b, "receiver", log_r, 0, 3, 0);
  uint32_t kv[2] = {sm_ab_col(&b, SM_COL_MAIN, 0, 0), sm_ab_col(&b, SM_COL_MAIN, 1, 0)};
  sm_ab_interaction(&b, BUS, sm_ab_neg(&b, sm_ab_col(&b, SM_COL_MAIN, 2, 0)), kv, 2);
  assert_int_equal(sm_ab_finish(&b, &f->recv, NULL, 0), STARKML_OK);
  f->recv_main = calloc(3 * nr, sizeof(gl_t));
  assert_non_null(f->recv_main);
  for (size_t j = 0; j < n_values; j++) {
    f->recv_main[j] = f->keys[j];
    f->recv_main[nr + j] = f->values[j];
    f->recv_main[2 * nr + j] = f->mults[j];
  }
}

static void fixture_free(fixture *f) {
  free(f->values);
  free(f->keys);
  free(f->mults);
  free(f->pre);
  free(f->main);
  free(f->recv_main);
  sm_air_table_free(&f->table);
  sm_air_table_free(&f->recv);
  memset(f, 0, sizeof *f);
}

static gl_t *cell(fixture *f, size_t col, size_t row) { return &f->main[col * f->n + row]; }
static gl_t pcell(const fixture *f, size_t col, size_t row) { return f->pre[col * f->n + row]; }

/* Checks the sponge description alone (no LogUp). */
static starkml_status check_plain(const fixture *f, const gl_t *publics, size_t *row,
                                  size_t *con) {
  gl3_t chal[SM_AIR_N_CHALLENGES] = {{{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}};
  return sm_air_check_trace(&f->table, 0, row, con, f->pre, f->main, NULL, publics, chal);
}

/* Extends a table with LogUp, builds its aux trace for (alpha, beta), checks every
 * constraint, and returns the claimed sum through *claimed. Returns the check's status. */
static starkml_status check_logup(const sm_air_table *t, const gl_t *pre, const gl_t *main,
                                  const gl_t *publics, gl3_t alpha, gl3_t beta, gl3_t *claimed) {
  sm_air_table ext;
  assert_int_equal(sm_air_logup_extend(t, &ext), STARKML_OK);
  uint32_t n_aux = sm_air_logup_n_aux(t);
  size_t n = (size_t)1 << t->log_n;
  gl3_t *aux = calloc(n_aux * n, sizeof *aux);
  assert_non_null(aux);
  gl3_t chal[SM_AIR_N_CHALLENGES] = {alpha, beta, k_zero3};
  assert_int_equal(sm_air_logup_aux_trace(t, aux, &chal[2], pre, main, publics, alpha, beta),
                   STARKML_OK);
  starkml_status st = sm_air_check_trace(&ext, n_aux, NULL, NULL, pre, main, aux, publics, chal);
  *claimed = chal[2];
  free(aux);
  sm_air_table_free(&ext);
  return st;
}

/* ---- an independent model of one row, with an optional fault ------------------------------
 *
 * The row of air/sponge.h recomputed from the permutation's definition (core/poseidon2.h),
 * not from air/sponge.c: fault_col, when not SIZE_MAX, gets fault_delta added at the moment
 * it is written, and the rest of the row is computed from the faulty value, as a malicious
 * prover who wants every other relation of the row to hold would. */

typedef struct {
  size_t col;
  gl_t delta;
} fault;

static gl_t put(gl_t *main, size_t n, size_t row, size_t col, gl_t v, const fault *e) {
  if (e != NULL && e->col == col) v = gl_add(v, e->delta);
  main[col * n + row] = v;
  return v;
}

static void model_full_round(gl_t *main, size_t n, size_t row, gl_t s[W], unsigned r,
                             const fault *e) {
  for (unsigned l = 0; l < W; l++) {
    gl_t y = gl_add(s[l], sm_p2_rc_full[r][l]);
    gl_t c = put(main, n, row, SM_SPONGE_COL_FC(r, l), gl_mul(gl_mul(y, y), y), e);
    s[l] = gl_mul(gl_mul(c, c), y);
  }
  sm_p2_external_linear(s);
  if (r + 1 < SM_P2_FULL_ROUNDS)
    for (unsigned l = 0; l < W; l++) s[l] = put(main, n, row, SM_SPONGE_COL_FX(r, l), s[l], e);
}

static void model_row(gl_t *main, size_t n, size_t row, const gl_t in[W], gl_t out[W],
                      const fault *e) {
  gl_t s[W];
  for (unsigned l = 0; l < W; l++) s[l] = put(main, n, row, SM_SPONGE_MAIN_S + l, in[l], e);
  sm_p2_external_linear(s);
  for (unsigned r = 0; r < SM_P2_FULL_ROUNDS / 2; r++) model_full_round(main, n, row, s, r, e);
  for (unsigned j = 0; j < SM_P2_PARTIAL_ROUNDS; j++) {
    gl_t y = gl_add(s[0], sm_p2_rc_partial[j]);
    gl_t c = put(main, n, row, SM_SPONGE_MAIN_PC + j, gl_mul(gl_mul(y, y), y), e);
    s[0] = put(main, n, row, SM_SPONGE_MAIN_PZ + j, gl_mul(gl_mul(c, c), y), e);
    sm_p2_internal_linear(s);
  }
  for (unsigned r = SM_P2_FULL_ROUNDS / 2; r < SM_P2_FULL_ROUNDS; r++)
    model_full_round(main, n, row, s, r, e);
  memcpy(out, s, sizeof s);
}

/* Rewrites rows from..n-1 of a sponge trace (n rows, `blocks` permutations) as a
 * consistent chain (each row's input = the previous row's output + its A values on the
 * rate), with the fault on row `from`, starting from the input `in` at row `from`. The
 * digest the chain gives (the output of row blocks - 1) goes to digest when that row is
 * not before `from`. */
static void rechain_raw(gl_t *main, size_t n, size_t blocks, size_t from, const gl_t in[W],
                        const fault *e, gl_t digest[SM_P2_DIGEST]) {
  gl_t s[W];
  memcpy(s, in, sizeof s);
  for (size_t i = from; i < n; i++) {
    if (i > from)
      for (unsigned l = 0; l < SM_P2_RATE; l++)
        s[l] = gl_add(s[l], main[(SM_SPONGE_MAIN_A + l) * n + i]);
    model_row(main, n, i, s, s, i == from ? e : NULL);
    if (i + 1 == blocks) memcpy(digest, s, SM_P2_DIGEST * sizeof *digest);
  }
}

static void rechain(fixture *f, size_t from, const gl_t in[W], const fault *e,
                    gl_t digest[SM_P2_DIGEST]) {
  rechain_raw(f->main, f->n, f->blocks, from, in, e, digest);
}

/* The state a row holds in its S columns. */
static void row_input(fixture *f, size_t row, gl_t in[W]) {
  for (unsigned l = 0; l < W; l++) in[l] = *cell(f, SM_SPONGE_MAIN_S + l, row);
}

/* The constraint that defines a round column: the one whose root is `col - expression`. */
static size_t defining_constraint(const sm_air_table *t, uint32_t col) {
  for (size_t k = 0; k < t->n_constraints; k++) {
    const sm_expr_node *r = &t->nodes[t->constraints[k].root];
    if (r->op != SM_EX_SUB) continue;
    const sm_expr_node *x = &t->nodes[r->a];
    if (x->op == SM_EX_COL && x->kind == SM_COL_MAIN && x->next == 0 && x->a == col &&
        t->constraints[k].selector == SM_SEL_EVERY)
      return k;
  }
  return SIZE_MAX;
}

/* ---- honest traces ------------------------------------------------------------------------ */

static void honest_traces(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x73706e67ULL;
  static const size_t sizes[] = {1, 2, 7, 8, 9, 16, 17, 30, 100};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    fixture f;
    fixture_make(&f, sizes[k], &rng);
    gl_t want[SM_P2_DIGEST];
    sm_poseidon2_hash(want, f.values, sizes[k]);
    assert_memory_equal(f.digest, want, sizeof want);
    /* Row 0 holds the first block and the length; the trace is canonical. */
    for (size_t l = 0; l < W; l++) {
      gl_t v = l < SM_P2_RATE ? (l < sizes[k] ? f.values[l] : 0) : l == SM_P2_RATE ? sizes[k] : 0;
      assert_int_equal(*cell(&f, SM_SPONGE_MAIN_S + l, 0), v);
    }
    for (size_t i = 0; i < SM_SPONGE_N_MAIN * f.n; i++) assert_true(f.main[i] < GL_P);
    /* The flags: active on the permutations, last on the last one. */
    for (size_t i = 0; i < f.n; i++) {
      assert_int_equal(pcell(&f, SM_SPONGE_PRE_ACTIVE, i), i < f.blocks);
      assert_int_equal(pcell(&f, SM_SPONGE_PRE_LAST, i), i + 1 == f.blocks);
    }
    /* The independent model of the rows gives the same trace. */
    gl_t *copy = malloc(SM_SPONGE_N_MAIN * f.n * sizeof *copy), in0[W], d2[SM_P2_DIGEST];
    assert_non_null(copy);
    memcpy(copy, f.main, SM_SPONGE_N_MAIN * f.n * sizeof *copy);
    row_input(&f, 0, in0);
    rechain(&f, 0, in0, NULL, d2);
    assert_memory_equal(d2, want, sizeof want);
    assert_memory_equal(copy, f.main, SM_SPONGE_N_MAIN * f.n * sizeof *copy);
    free(copy);
    size_t row = 0, con = 0;
    assert_int_equal(check_plain(&f, f.digest, &row, &con), STARKML_OK);
    /* With LogUp: every constraint holds and the bus balances against the receiver. */
    gl3_t alpha = rand_gl3(&rng), beta = rand_gl3(&rng), c0, c1;
    assert_int_equal(check_logup(&f.table, f.pre, f.main, f.digest, alpha, beta, &c0), STARKML_OK);
    assert_int_equal(check_logup(&f.recv, NULL, f.recv_main, NULL, alpha, beta, &c1), STARKML_OK);
    assert_true(gl3_eq(gl3_add(c0, c1), k_zero3));
    if (sizes[k] > 1) assert_false(gl3_eq(c0, k_zero3)); /* one value: only the unsent salt */
    fixture_free(&f);
  }
  /* sm_sponge_fill_row is the permutation. */
  gl_t *m = calloc(SM_SPONGE_N_MAIN * 4, sizeof *m), s[W], want[W], got[W];
  assert_non_null(m);
  for (int t = 0; t < 8; t++) {
    for (unsigned l = 0; l < W; l++) s[l] = want[l] = gl_from_u64(sm_test_next(&rng));
    sm_poseidon2_permute(want);
    sm_sponge_fill_row(m, 4, (size_t)t % 4, got, s);
    assert_memory_equal(got, want, sizeof want);
    for (unsigned l = 0; l < W; l++) assert_int_equal(m[(SM_SPONGE_MAIN_S + l) * 4 + t % 4], s[l]);
  }
  free(m);
}

static void shape_and_degree(void **state) {
  (void)state;
  assert_int_equal(sm_sponge_n_pre(), SM_SPONGE_N_PRE);
  assert_int_equal(sm_sponge_n_main(), SM_SPONGE_N_MAIN);
  assert_int_equal(SM_SPONGE_MAIN_PZ + SM_P2_PARTIAL_ROUNDS, SM_SPONGE_N_MAIN);
  assert_int_equal(SM_SPONGE_COL_FX(SM_P2_FULL_ROUNDS - 2, W - 1) + 1, SM_SPONGE_MAIN_PC);
  assert_int_equal(SM_SPONGE_COL_FC(SM_P2_FULL_ROUNDS - 1, W - 1) + 1, SM_SPONGE_MAIN_FX);
  assert_int_equal(sm_sponge_log_n(0), 0);
  assert_int_equal(sm_sponge_log_n(1), SM_AIR_MIN_LOG_N);
  assert_int_equal(sm_sponge_log_n(32), 2);  /* 4 blocks */
  assert_int_equal(sm_sponge_log_n(33), 3);  /* 5 blocks */
  assert_int_equal(sm_sponge_log_n(100), 4); /* 13 blocks -> 16 rows */
  assert_int_equal(sm_sponge_log_n(2782), 9); /* 348 blocks -> 512 rows */
  assert_int_equal(sm_sponge_log_n((size_t)8 << SM_AIR_MAX_LOG_N), SM_AIR_MAX_LOG_N);
  assert_int_equal(sm_sponge_log_n(((size_t)8 << SM_AIR_MAX_LOG_N) + 1), 0);
  sm_sponge_spec spec = {BUS, 30, NULL, NULL};
  sm_air_table t;
  assert_int_equal(sm_sponge_table(&t, "sponge", &spec), STARKML_OK);
  uint32_t deg = 0;
  assert_int_equal(sm_air_max_degree(&t, &deg), STARKML_OK);
  assert_int_equal(deg, 4);
  assert_int_equal(t.n_public, 4);
  assert_int_equal(t.n_interactions, 8);
  assert_int_equal(t.n_pre, SM_SPONGE_N_PRE);
  assert_int_equal(t.n_main, SM_SPONGE_N_MAIN);
  assert_int_equal(sm_air_validate(&t, 0, NULL, 0), STARKML_OK);
  /* Every round column has its own defining constraint (col - expression, every row). */
  for (uint32_t c = SM_SPONGE_MAIN_FC; c < SM_SPONGE_N_MAIN; c++)
    if (defining_constraint(&t, c) == SIZE_MAX)
      fail_msg("main column %u has no defining constraint", c);
  /* Degrees: only the digest (flag x degree-3 output) reaches 4; the LogUp extension keeps 4. */
  uint32_t *cd = calloc(t.n_constraints, sizeof *cd);
  assert_non_null(cd);
  assert_int_equal(sm_air_constraint_degrees(&t, cd), STARKML_OK);
  size_t n4 = 0, hist[5] = {0};
  for (size_t k = 0; k < t.n_constraints; k++) {
    assert_true(cd[k] >= 1 && cd[k] <= 4);
    hist[cd[k]]++;
    n4 += cd[k] == 4;
  }
  assert_int_equal(n4, SM_P2_DIGEST);
  free(cd);
  sm_air_table ext;
  assert_int_equal(sm_air_logup_extend(&t, &ext), STARKML_OK);
  assert_int_equal(sm_air_max_degree(&ext, &deg), STARKML_OK);
  assert_int_equal(deg, 4);
  print_message("    sponge table: %u pre + %u main columns (+ %u LogUp aux), %zu nodes, "
                "%zu constraints (degree 1/2/3/4: %zu/%zu/%zu/%zu), %zu interactions; with "
                "LogUp %zu nodes, %zu constraints\n",
                t.n_pre, t.n_main, sm_air_logup_n_aux(&t), t.n_nodes, t.n_constraints, hist[1],
                hist[2], hist[3], hist[4], t.n_interactions, ext.n_nodes, ext.n_constraints);
  sm_air_table_free(&ext);
  sm_air_table_free(&t);
  /* The size for the mlp_digits weights (2778 weights + a 4-element salt), against the
   * layout of 32 rows x (40 pre + 32 main) per permutation it replaces. */
  const size_t nv = 2782, old_rows = 1u << 14, old_cols = 40 + 32;
  size_t rows = (size_t)1 << sm_sponge_log_n(nv), cols = SM_SPONGE_N_PRE + SM_SPONGE_N_MAIN;
  assert_true(32 * blocks_of(nv) <= old_rows && 32 * blocks_of(nv) > old_rows / 2);
  print_message("    n_values %zu: %zu permutations; %zu rows x %zu columns (+ 9 aux) = %zu cells "
                "(+ %zu aux), was %zu rows x %zu columns (+ 9 aux) = %zu cells (+ %zu aux)\n",
                nv, blocks_of(nv), rows, cols, rows * cols, rows * 9, old_rows, old_cols,
                old_rows * old_cols, old_rows * 9);
}

/* The description is a function of (name, bus, n_values) only. */
static void description_independent_of_keys(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x6465736bULL;
  fixture a, b;
  fixture_make(&a, 30, &rng);
  fixture_make(&b, 30, &rng);
  for (size_t j = 0; j < 30; j++) b.keys[j] = gl_add(b.keys[j], 77), b.mults[j] = 5;
  sm_air_table_free(&b.table);
  assert_int_equal(sm_sponge_table(&b.table, "sponge", &b.spec), STARKML_OK);
  uint8_t ha[32], hb[32], hc[32];
  assert_int_equal(sm_air_hash(&a.table, ha), STARKML_OK);
  assert_int_equal(sm_air_hash(&b.table, hb), STARKML_OK);
  assert_memory_equal(ha, hb, 32);
  sm_sponge_spec bare = {BUS, 30, NULL, NULL};
  sm_air_table t;
  assert_int_equal(sm_sponge_table(&t, "sponge", &bare), STARKML_OK);
  assert_int_equal(sm_air_hash(&t, hc), STARKML_OK);
  assert_memory_equal(ha, hc, 32);
  sm_air_table_free(&t);
  /* Another length is another table (the capacity constant and the padding lanes differ,
   * not just the height: 30, 31 and 32 values all take 4 rows). */
  for (size_t nv = 31; nv <= 32; nv++) {
    bare.n_values = nv;
    assert_int_equal(sm_sponge_table(&t, "sponge", &bare), STARKML_OK);
    assert_int_equal(t.log_n, a.table.log_n);
    assert_int_equal(sm_air_hash(&t, hc), STARKML_OK);
    assert_memory_not_equal(ha, hc, 32);
    sm_air_table_free(&t);
  }
  fixture_free(&a);
  fixture_free(&b);
}

static void bad_arguments(void **state) {
  (void)state;
  gl_t keys[2] = {0, 1}, mults[2] = {0, 1}, values[2] = {3, 4}, digest[4];
  sm_sponge_spec spec = {BUS, 2, keys, mults};
  sm_air_table t;
  size_t n = (size_t)1 << SM_AIR_MIN_LOG_N;
  gl_t *pre = malloc(SM_SPONGE_N_PRE * n * sizeof *pre);
  gl_t *main = malloc(SM_SPONGE_N_MAIN * n * sizeof *main);
  assert_true(pre && main);
  assert_int_equal(sm_sponge_table(NULL, "s", &spec), STARKML_ERR_ARG);
  assert_int_equal(sm_sponge_table(&t, NULL, &spec), STARKML_ERR_ARG);
  assert_int_equal(sm_sponge_table(&t, "s", NULL), STARKML_ERR_ARG);
  assert_int_equal(sm_sponge_table(&t, "bad name", &spec), STARKML_ERR_ARG);
  spec.bus = SM_SPONGE_MAX_BUS + 1;
  assert_int_equal(sm_sponge_table(&t, "s", &spec), STARKML_ERR_ARG);
  spec.bus = BUS;
  spec.n_values = 0;
  assert_int_equal(sm_sponge_table(&t, "s", &spec), STARKML_ERR_ARG);
  assert_int_equal(sm_sponge_pre(pre, &spec), STARKML_ERR_ARG);
  assert_int_equal(sm_sponge_main(main, digest, &spec, values), STARKML_ERR_ARG);
  spec.n_values = 2;
  assert_int_equal(sm_sponge_pre(pre, &spec), STARKML_OK);
  keys[1] = GL_P;
  assert_int_equal(sm_sponge_pre(pre, &spec), STARKML_ERR_ARG);
  keys[1] = 1;
  mults[0] = GL_P;
  assert_int_equal(sm_sponge_pre(pre, &spec), STARKML_ERR_ARG);
  for (size_t i = 0; i < SM_SPONGE_N_PRE * n; i++) assert_int_equal(pre[i], 0);
  mults[0] = 0;
  spec.keys = NULL;
  assert_int_equal(sm_sponge_pre(pre, &spec), STARKML_ERR_ARG);
  spec.keys = keys;
  values[1] = GL_P;
  assert_int_equal(sm_sponge_main(main, digest, &spec, values), STARKML_ERR_ARG);
  for (size_t i = 0; i < 4; i++) assert_int_equal(digest[i], 0);
  for (size_t i = 0; i < SM_SPONGE_N_MAIN * n; i++) assert_int_equal(main[i], 0);
  assert_int_equal(sm_sponge_main(main, digest, &spec, NULL), STARKML_ERR_ARG);
  assert_int_equal(sm_sponge_main(main, NULL, &spec, values), STARKML_ERR_ARG);
  values[1] = 4;
  assert_int_equal(sm_sponge_main(main, digest, &spec, values), STARKML_OK);
  free(pre);
  free(main);
}

/* ---- tampering ---------------------------------------------------------------------------- */

/* Every main cell changed alone breaks a constraint of the plain table: 9 values (two
 * permutations, a partial last block, two padding rows), 17 (three, one padding row), 32
 * (four full blocks, no padding row) and 33 (five, a one-lane last block, three padding
 * rows). */
static void every_cell_is_constrained(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x63656c6cULL;
  static const size_t sizes[] = {9, 17, 32, 33};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    fixture f;
    fixture_make(&f, sizes[k], &rng);
    size_t tried = 0;
    for (size_t col = 0; col < SM_SPONGE_N_MAIN; col++) {
      for (size_t row = 0; row < f.n; row++) {
        gl_t *x = cell(&f, col, row), saved = *x;
        *x = gl_add(saved, 1 + (sm_test_next(&rng) & 0xFFFF));
        size_t br, bc;
        if (check_plain(&f, f.digest, &br, &bc) != STARKML_REJECT)
          fail_msg("n_values %zu: main column %zu row %zu changed alone was not caught",
                   sizes[k], col, row);
        *x = saved;
        tried++;
      }
    }
    assert_int_equal(tried, SM_SPONGE_N_MAIN * f.n);
    assert_int_equal(check_plain(&f, f.digest, NULL, NULL), STARKML_OK);
    fixture_free(&f);
  }
}

/* A malicious prover that rewrites the whole trace consistently around one wrong value of
 * a round column (the rest of its row and every later row recomputed from it, the digest
 * public replaced by what the forged chain gives): the first constraint to fail is that
 * column's own defining constraint, on that row. Every round column of one row of each
 * kind (first, middle, last permutation). */
static void consistent_forgery_breaks_own_constraint(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x666f7267ULL;
  fixture f;
  fixture_make(&f, 20, &rng); /* 3 permutations, 1 padding row */
  gl_t *honest = malloc(SM_SPONGE_N_MAIN * f.n * sizeof *honest);
  assert_non_null(honest);
  memcpy(honest, f.main, SM_SPONGE_N_MAIN * f.n * sizeof *honest);
  static const size_t rows[] = {0, 1, 2};
  for (size_t k = 0; k < 3; k++) {
    size_t row = rows[k];
    for (uint32_t col = SM_SPONGE_MAIN_FC; col < SM_SPONGE_N_MAIN; col++) {
      size_t want = defining_constraint(&f.table, col);
      assert_true(want != SIZE_MAX);
      gl_t in[W], forged[SM_P2_DIGEST];
      row_input(&f, row, in);
      fault e = {col, 1 + (sm_test_next(&rng) & 0xFF)};
      rechain(&f, row, in, &e, forged);
      size_t br = 0, bc = 0;
      assert_int_equal(check_plain(&f, forged, &br, &bc), STARKML_REJECT);
      if (br != row || bc != want)
        fail_msg("column %u row %zu: first failure row %zu constraint %zu, want %zu", col, row,
                 br, bc, want);
      /* Against the true digest, the forged chain fails too (at the latest on the last
       * permutation). */
      assert_int_equal(check_plain(&f, f.digest, &br, &bc), STARKML_REJECT);
      memcpy(f.main, honest, SM_SPONGE_N_MAIN * f.n * sizeof *honest);
    }
  }
  assert_int_equal(check_plain(&f, f.digest, NULL, NULL), STARKML_OK);
  free(honest);
  fixture_free(&f);
}

static void targeted_tampering(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x74617267ULL;
  fixture f;
  fixture_make(&f, 9, &rng); /* block 1 absorbs value 8 on lane 0; lanes 1..7 are padding;
                                rows 2 and 3 are padding rows */
  assert_int_equal(f.n, 4);
  assert_int_equal(f.blocks, 2);
  const size_t nc = f.table.n_constraints;
  /* Constraint order (air/sponge.c): rounds, then the 8 padding ones, the 4 digest ones,
   * the 12 transitions, the 12 of the first row. */
  const size_t c_pad = nc - 12 - 12 - 4 - 8, c_digest = nc - 12 - 12 - 4, c_trans = nc - 24,
               c_first = nc - 12;
  size_t row, con;
  gl_t in[W], forged[SM_P2_DIGEST];

  /* The capacity initialisation: row 0 starts from another length, the whole chain is
   * consistent with it, and the digest public is the forged chain's: only FIRST (lane 8)
   * catches it. */
  row_input(&f, 0, in);
  in[SM_P2_RATE] = 10;
  rechain(&f, 0, in, NULL, forged);
  assert_int_equal(check_plain(&f, forged, &row, &con), STARKML_REJECT);
  assert_int_equal(row, 0);
  assert_int_equal(con, c_first + SM_P2_RATE);
  /* Another capacity lane, and a rate lane that disagrees with its absorbed value. */
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);
  row_input(&f, 0, in);
  in[11] = 1;
  rechain(&f, 0, in, NULL, forged);
  assert_int_equal(check_plain(&f, forged, &row, &con), STARKML_REJECT);
  assert_int_equal(con, c_first + 11);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);
  row_input(&f, 0, in);
  in[5] = gl_add(in[5], 1);
  rechain(&f, 0, in, NULL, forged);
  assert_int_equal(check_plain(&f, forged, &row, &con), STARKML_REJECT);
  assert_int_equal(con, c_first + 5);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);

  /* A padding lane absorbing a non-zero value, with the rest kept consistent (row 1's
   * input includes it, the chain and the digest follow): the padding constraint of lane 3
   * catches it. */
  *cell(&f, SM_SPONGE_MAIN_A + 3, 1) = 5;
  row_input(&f, 1, in);
  in[3] = gl_add(in[3], 5);
  rechain(&f, 1, in, NULL, forged);
  assert_int_equal(check_plain(&f, forged, &row, &con), STARKML_REJECT);
  assert_int_equal(row, 1);
  assert_int_equal(con, c_pad + 3);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);
  /* The same on a padding row (after the digest: the digest is unchanged). */
  *cell(&f, SM_SPONGE_MAIN_A + 0, 2) = 5;
  row_input(&f, 2, in);
  in[0] = gl_add(in[0], 5);
  rechain(&f, 2, in, NULL, forged);
  assert_int_equal(check_plain(&f, f.digest, &row, &con), STARKML_REJECT);
  assert_int_equal(row, 2);
  assert_int_equal(con, c_pad + 0);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);
  /* A padding row's input off the chain, the row itself consistent: the transition into
   * it catches it (the padding rows carry no freedom). */
  row_input(&f, 3, in);
  in[9] = gl_add(in[9], 1);
  rechain(&f, 3, in, NULL, forged);
  assert_int_equal(check_plain(&f, f.digest, &row, &con), STARKML_REJECT);
  assert_int_equal(row, 2);
  assert_int_equal(con, c_trans + 9);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);
  /* The input of permutation 1 off the chain (lane 4 + 1, the rest consistent). */
  row_input(&f, 1, in);
  in[4] = gl_add(in[4], 1);
  rechain(&f, 1, in, NULL, forged);
  assert_int_equal(check_plain(&f, forged, &row, &con), STARKML_REJECT);
  assert_int_equal(row, 0);
  assert_int_equal(con, c_trans + 4);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);

  /* The digest public: caught on the last permutation's row. */
  for (size_t l = 0; l < SM_P2_DIGEST; l++) {
    gl_t pubs[SM_P2_DIGEST];
    memcpy(pubs, f.digest, sizeof pubs);
    pubs[l] = gl_add(pubs[l], 1);
    assert_int_equal(check_plain(&f, pubs, &row, &con), STARKML_REJECT);
    assert_int_equal(row, f.blocks - 1);
    assert_int_equal(con, c_digest + l);
  }
  /* The digest of a padding row's permutation (what a chain continued past the last
   * permutation would give) is not accepted either. */
  {
    gl_t s[W], pubs[SM_P2_DIGEST];
    row_input(&f, f.n - 1, s);
    sm_poseidon2_permute(s);
    memcpy(pubs, s, sizeof pubs);
    assert_int_equal(check_plain(&f, pubs, &row, &con), STARKML_REJECT);
    assert_int_equal(row, f.blocks - 1);
  }

  /* An absorbed value changed and the whole trace recomputed honestly for it: the old
   * digest no longer matches; with the new digest the table holds but the bus no longer
   * balances against the receiver of the original values. */
  f.values[4] = gl_add(f.values[4], 1);
  gl_t new_digest[SM_P2_DIGEST], old_digest[SM_P2_DIGEST];
  memcpy(old_digest, f.digest, sizeof old_digest);
  assert_int_equal(sm_sponge_main(f.main, new_digest, &f.spec, f.values), STARKML_OK);
  assert_int_equal(check_plain(&f, old_digest, &row, &con), STARKML_REJECT);
  assert_int_equal(check_plain(&f, new_digest, &row, &con), STARKML_OK);
  gl3_t alpha = rand_gl3(&rng), beta = rand_gl3(&rng), c0, c1;
  assert_int_equal(check_logup(&f.table, f.pre, f.main, new_digest, alpha, beta, &c0),
                   STARKML_OK);
  assert_int_equal(check_logup(&f.recv, NULL, f.recv_main, NULL, alpha, beta, &c1), STARKML_OK);
  assert_false(gl3_eq(gl3_add(c0, c1), k_zero3));
  fixture_free(&f);
}

/* ---- the whole STARK -------------------------------------------------------------------- */

/* Small options: blowup 8 (the constraints have degree 4), few queries; the verifier's
 * floor is overridden to 1 bit. */
static sm_stark_options test_options(int zk) {
  sm_stark_options o = {3, 8, 4, (uint32_t)zk, 0, 2, 2};
  return o;
}

typedef struct {
  fixture f;
  sm_air_table tables[2];
  const gl_t *publics[2], *main[2], *pre[2];
  sm_digest pre_root;
  sm_stark_statement st;
  sm_stark_witness w;
} stark_fixture;

static void stark_make(stark_fixture *s, size_t n_values, const sm_stark_options *opt,
                       starkml_ctx *ctx, uint64_t *rng) {
  memset(s, 0, sizeof *s);
  fixture_make(&s->f, n_values, rng);
  s->tables[0] = s->f.table;
  s->tables[1] = s->f.recv;
  s->publics[0] = s->f.digest;
  s->publics[1] = NULL;
  s->main[0] = s->f.main;
  s->main[1] = s->f.recv_main;
  s->pre[0] = s->f.pre;
  s->pre[1] = NULL;
  s->st = (sm_stark_statement){2, s->tables, s->publics, &s->pre_root, NULL};
  s->w = (sm_stark_witness){s->main, s->pre};
  assert_int_equal(sm_stark_setup(ctx, &s->pre_root, &s->st, &s->w, opt), STARKML_OK);
}

static const uint8_t k_seed[32] = {5, 4, 3};

static void stark_prove_verify(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x7374726bULL;
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 2), STARKML_OK);
  for (int zk = 0; zk < 2; zk++) {
    sm_stark_options opt = test_options(zk);
    stark_fixture s;
    stark_make(&s, zk ? 2782 : 20, &opt, ctx, &rng); /* zk: the mlp_digits weights' size */
    uint8_t *proof = NULL;
    size_t len = 0;
    assert_int_equal(sm_stark_prove(ctx, &proof, &len, &s.st, &s.w, &opt, k_seed), STARKML_OK);
    sm_stark_reject why = SM_REJ_NONE;
    starkml_status v = sm_stark_verify(ctx, &why, &s.st, SM_PRESET_FAST, 1, proof, len);
    if (v != STARKML_OK) fail_msg("verify: %s (%s)", starkml_strerror(v), sm_stark_reject_str(why));
    /* Another digest in the statement is rejected. */
    gl_t other[SM_P2_DIGEST];
    memcpy(other, s.f.digest, sizeof other);
    other[2] = gl_add(other[2], 1);
    s.publics[0] = other;
    assert_int_equal(sm_stark_verify(ctx, &why, &s.st, SM_PRESET_FAST, 1, proof, len),
                     STARKML_REJECT);
    s.publics[0] = s.f.digest;
    free(proof);
    fixture_free(&s.f);
  }
  /* A preset's own options work too (SM_PRESET_FAST chooses the blowup for degree 4). */
  {
    stark_fixture s;
    sm_stark_options opt = test_options(1);
    stark_make(&s, 9, &opt, ctx, &rng);
    sm_stark_options preset;
    assert_int_equal(sm_stark_options_preset(&preset, SM_PRESET_FAST, &s.st, 1), STARKML_OK);
    assert_true(preset.log_blowup >= 3);
    assert_int_equal(sm_stark_setup(ctx, &s.pre_root, &s.st, &s.w, &preset), STARKML_OK);
    uint8_t *proof = NULL;
    size_t len = 0;
    assert_int_equal(sm_stark_prove(ctx, &proof, &len, &s.st, &s.w, &preset, k_seed),
                     STARKML_OK);
    sm_stark_reject why = SM_REJ_NONE;
    assert_int_equal(sm_stark_verify(ctx, &why, &s.st, SM_PRESET_FAST, 0, proof, len),
                     STARKML_OK);
    free(proof);
    fixture_free(&s.f);
  }
  starkml_ctx_destroy(ctx);
}

typedef struct {
  size_t col, row;
  int forge; /* 0: the cell + 1 alone; 1: + 1 and the rest of the trace rewritten around it */
  size_t blocks;
} tamper_spec;

static void tamper_sponge(void *user, size_t table, gl_t *main_cols, size_t n_rows) {
  const tamper_spec *t = user;
  if (table != 0) return;
  if (!t->forge) {
    gl_t *x = &main_cols[t->col * n_rows + t->row];
    *x = gl_add(*x, 1);
    return;
  }
  gl_t in[W], digest[SM_P2_DIGEST];
  for (unsigned l = 0; l < W; l++) in[l] = main_cols[(SM_SPONGE_MAIN_S + l) * n_rows + t->row];
  fault e = {t->col, 1};
  rechain_raw(main_cols, n_rows, t->blocks, t->row, in, &e, digest);
}

static void stark_tampered_round_rejected(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x74616d70ULL;
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 2), STARKML_OK);
  sm_stark_options opt = test_options(1);
  stark_fixture s;
  stark_make(&s, 9, &opt, ctx, &rng); /* 2 permutations, 4 rows */
  const size_t B = s.f.blocks;
  /* A state cell, a partial-round S-box output, a full-round output, a full-round cube
   * helper, a partial-round cube on a padding row, an absorbed value; then the same round
   * values with the rest of the trace rewritten consistently around them. */
  const tamper_spec specs[] = {
      {SM_SPONGE_MAIN_S + 4, 1, 0, B},       {SM_SPONGE_MAIN_PZ + 10, 0, 0, B},
      {SM_SPONGE_COL_FX(2, 5), 1, 0, B},     {SM_SPONGE_COL_FC(1, 7), 0, 0, B},
      {SM_SPONGE_MAIN_PC + 3, 3, 0, B},      {SM_SPONGE_MAIN_A + 0, 1, 0, B},
      {SM_SPONGE_MAIN_PZ + 10, 0, 1, B},     {SM_SPONGE_COL_FX(5, 0), 1, 1, B},
      {SM_SPONGE_COL_FC(7, 11), 1, 1, B},    {SM_SPONGE_MAIN_S + 9, 0, 1, B}};
  for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
    uint8_t *proof = NULL;
    size_t len = 0;
    starkml_status ps = sm_stark_prove_tampered(ctx, &proof, &len, &s.st, &s.w, &opt, k_seed,
                                                tamper_sponge, (void *)&specs[k]);
    if (ps == STARKML_OK) {
      sm_stark_reject why = SM_REJ_NONE;
      starkml_status v = sm_stark_verify(ctx, &why, &s.st, SM_PRESET_FAST, 1, proof, len);
      if (v != STARKML_REJECT)
        fail_msg("tampered cell (col %zu row %zu forge %d) not rejected: %s", specs[k].col,
                 specs[k].row, specs[k].forge, starkml_strerror(v));
      print_message("    col %3zu row %zu%s: caught: %s\n", specs[k].col, specs[k].row,
                    specs[k].forge ? " (forged chain)" : "", sm_stark_reject_str(why));
    } else {
      assert_int_equal(ps, STARKML_REJECT);
    }
    free(proof);
  }
  fixture_free(&s.f);
  starkml_ctx_destroy(ctx);
}

SM_TEST_MAIN(cmocka_unit_test(shape_and_degree), cmocka_unit_test(honest_traces),
             cmocka_unit_test(description_independent_of_keys), cmocka_unit_test(bad_arguments),
             cmocka_unit_test(every_cell_is_constrained),
             cmocka_unit_test(consistent_forgery_breaks_own_constraint),
             cmocka_unit_test(targeted_tampering),
             cmocka_unit_test(stark_prove_verify),
             cmocka_unit_test(stark_tampered_round_rejected))
