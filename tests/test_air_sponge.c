/*
 * The Poseidon2 sponge table (air/sponge.h): honest traces satisfy every constraint (the
 * LogUp ones included) and reproduce sm_poseidon2_hash; every main cell changed alone, the
 * capacity initialisation, a padding lane, an absorbed value and the digest public are
 * each caught; the description does not depend on keys or multiplicities; and a whole
 * STARK proof of the sponge with a receiver table verifies, while a malicious prover that
 * edits one round value is rejected.
 */
#include <stdlib.h>
#include <string.h>

#include "air/air.h"
#include "air/sponge.h"
#include "core/poseidon2.h"
#include "fri/stark.h"
#include "tests/sm_test.h"

#define BUS 7u

static const gl3_t k_zero3 = {{0, 0, 0}};

static gl3_t rand_gl3(uint64_t *s) {
  gl3_t r = {
      {gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s))}};
  return r;
}

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
    /* The last row holds the digest, the trace is canonical. */
    for (size_t l = 0; l < SM_P2_DIGEST; l++) assert_int_equal(*cell(&f, l, f.n - 1), want[l]);
    for (size_t i = 0; i < SM_SPONGE_N_MAIN * f.n; i++) assert_true(f.main[i] < GL_P);
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
}

static void shape_and_degree(void **state) {
  (void)state;
  assert_int_equal(sm_sponge_n_pre(), SM_SPONGE_N_PRE);
  assert_int_equal(sm_sponge_n_main(), SM_SPONGE_N_MAIN);
  assert_int_equal(sm_sponge_log_n(0), 0);
  assert_int_equal(sm_sponge_log_n(1), 5);
  assert_int_equal(sm_sponge_log_n(8), 5);
  assert_int_equal(sm_sponge_log_n(9), 6);
  assert_int_equal(sm_sponge_log_n(100), 9); /* 13 blocks: 416 rows -> 512 */
  assert_int_equal(sm_sponge_log_n((size_t)8 << 23), SM_AIR_MAX_LOG_N);
  assert_int_equal(sm_sponge_log_n(((size_t)8 << 23) + 1), 0);
  sm_sponge_spec spec = {BUS, 30, NULL, NULL};
  sm_air_table t;
  assert_int_equal(sm_sponge_table(&t, "sponge", &spec), STARKML_OK);
  uint32_t deg = 0;
  assert_int_equal(sm_air_max_degree(&t, &deg), STARKML_OK);
  assert_int_equal(deg, 4);
  assert_int_equal(t.n_public, 4);
  assert_int_equal(t.n_interactions, 8);
  assert_int_equal(sm_air_validate(&t, 0, NULL, 0), STARKML_OK);
  sm_air_table_free(&t);
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
  /* Another length is another table (the capacity constant differs, not just the height). */
  bare.n_values = 31;
  assert_int_equal(sm_sponge_table(&t, "sponge", &bare), STARKML_OK);
  assert_int_equal(sm_air_hash(&t, hc), STARKML_OK);
  assert_memory_not_equal(ha, hc, 32);
  sm_air_table_free(&t);
  fixture_free(&a);
  fixture_free(&b);
}

static void bad_arguments(void **state) {
  (void)state;
  gl_t keys[2] = {0, 1}, mults[2] = {0, 1}, values[2] = {3, 4}, digest[4];
  sm_sponge_spec spec = {BUS, 2, keys, mults};
  sm_air_table t;
  size_t n = 32;
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
  assert_int_equal(sm_sponge_main(main, digest, &spec, NULL), STARKML_ERR_ARG);
  values[1] = 4;
  assert_int_equal(sm_sponge_main(main, digest, &spec, values), STARKML_OK);
  free(pre);
  free(main);
}

/* ---- tampering ---------------------------------------------------------------------------- */

/* Every main cell changed alone breaks a constraint of the plain table (9 values: two
 * permutations, a partial last block, no padding rows; and 30 values, with padding rows). */
static void every_cell_is_constrained(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x63656c6cULL;
  static const size_t sizes[] = {9, 30};
  for (size_t k = 0; k < 2; k++) {
    fixture f;
    fixture_make(&f, sizes[k], &rng);
    for (size_t col = 0; col < SM_SPONGE_N_MAIN; col++) {
      for (size_t row = 0; row < f.n; row++) {
        gl_t *x = cell(&f, col, row), saved = *x;
        *x = gl_add(saved, 1 + (sm_test_next(&rng) & 0xFFFF));
        size_t br, bc;
        if (check_plain(&f, f.digest, &br, &bc) != STARKML_REJECT)
          fail_msg("n_values %zu: main column %zu row %zu changed alone was not caught",
                   sizes[k], col, row);
        *x = saved;
      }
    }
    assert_int_equal(check_plain(&f, f.digest, NULL, NULL), STARKML_OK);
    fixture_free(&f);
  }
}

static void targeted_tampering(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x74617267ULL;
  fixture f;
  fixture_make(&f, 9, &rng); /* block 1 absorbs value 8 on lane 0; lanes 1..7 are padding */
  size_t row, con;

  /* The capacity initialisation: lane 8 at row 0 set to another length. */
  *cell(&f, SM_SPONGE_MAIN_S + 8, 0) = 10;
  assert_int_equal(check_plain(&f, f.digest, &row, &con), STARKML_REJECT);
  assert_int_equal(row, 0);
  *cell(&f, SM_SPONGE_MAIN_S + 8, 0) = 9;

  /* A padding lane absorbing a non-zero value, with the absorption step kept consistent
   * (s = s_prev + a, c = s^3): the padding constraint a_i (1 - valid_i) = 0 of lane 3 is
   * the first to fail (constraints: 12 cube helpers, then the 8 padding ones). */
  size_t r1 = SM_SPONGE_ROWS_PER_PERM;
  *cell(&f, SM_SPONGE_MAIN_A + 3, r1) = 5;
  *cell(&f, SM_SPONGE_MAIN_S + 3, r1) = gl_add(*cell(&f, SM_SPONGE_MAIN_S + 3, r1), 5);
  {
    gl_t y = *cell(&f, SM_SPONGE_MAIN_S + 3, r1);
    *cell(&f, SM_SPONGE_MAIN_C + 3, r1) = gl_mul(gl_sqr(y), y);
  }
  assert_int_equal(check_plain(&f, f.digest, &row, &con), STARKML_REJECT);
  assert_int_equal(row, r1);
  assert_int_equal(con, 12 + 3);
  assert_int_equal(sm_sponge_main(f.main, f.digest, &f.spec, f.values), STARKML_OK);

  /* A round value in the middle of a partial round, and in a full round. */
  static const size_t rows[] = {3, 12, 29, 40};
  for (size_t k = 0; k < 4; k++) {
    gl_t *x = cell(&f, SM_SPONGE_MAIN_S + 5, rows[k]);
    *x = gl_add(*x, 1);
    assert_int_equal(check_plain(&f, f.digest, &row, &con), STARKML_REJECT);
    *x = gl_sub(*x, 1);
  }

  /* The digest public. */
  for (size_t l = 0; l < SM_P2_DIGEST; l++) {
    gl_t pubs[SM_P2_DIGEST];
    memcpy(pubs, f.digest, sizeof pubs);
    pubs[l] = gl_add(pubs[l], 1);
    assert_int_equal(check_plain(&f, pubs, &row, &con), STARKML_REJECT);
    assert_int_equal(row, f.n - 1);
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
  sm_digest roots[2];
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
  s->st = (sm_stark_statement){2, s->tables, s->publics, s->roots};
  s->w = (sm_stark_witness){s->main, s->pre};
  assert_int_equal(sm_stark_setup(ctx, s->roots, &s->st, &s->w, opt), STARKML_OK);
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
    stark_make(&s, zk ? 9 : 20, &opt, ctx, &rng);
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
    assert_int_equal(sm_stark_setup(ctx, s.roots, &s.st, &s.w, &preset), STARKML_OK);
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
} tamper_spec;

static void tamper_sponge(void *user, size_t table, gl_t *main_cols, size_t n_rows) {
  const tamper_spec *t = user;
  if (table != 0) return;
  gl_t *x = &main_cols[t->col * n_rows + t->row];
  *x = gl_add(*x, 1);
}

static void stark_tampered_round_rejected(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x74616d70ULL;
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 2), STARKML_OK);
  sm_stark_options opt = test_options(1);
  stark_fixture s;
  stark_make(&s, 9, &opt, ctx, &rng);
  /* A partial-round state cell, a full-round cube helper, an absorbed value. */
  static const tamper_spec specs[] = {
      {SM_SPONGE_MAIN_S + 4, 14}, {SM_SPONGE_MAIN_C + 7, 3}, {SM_SPONGE_MAIN_A + 0, 32}};
  for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
    uint8_t *proof = NULL;
    size_t len = 0;
    starkml_status ps = sm_stark_prove_tampered(ctx, &proof, &len, &s.st, &s.w, &opt, k_seed,
                                                tamper_sponge, (void *)&specs[k]);
    if (ps == STARKML_OK) {
      sm_stark_reject why = SM_REJ_NONE;
      starkml_status v = sm_stark_verify(ctx, &why, &s.st, SM_PRESET_FAST, 1, proof, len);
      if (v != STARKML_REJECT)
        fail_msg("tampered cell (col %zu row %zu) not rejected: %s", specs[k].col, specs[k].row,
                 starkml_strerror(v));
      print_message("    caught: %s\n", sm_stark_reject_str(why));
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
             cmocka_unit_test(every_cell_is_constrained), cmocka_unit_test(targeted_tampering),
             cmocka_unit_test(stark_prove_verify),
             cmocka_unit_test(stark_tampered_round_rejected))
