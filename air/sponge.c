/*
 * The Poseidon2 sponge table (see air/sponge.h for the layout and the constraints).
 * One row is one permutation. The description (sm_sponge_table) and the witness
 * (sm_sponge_fill_row) walk the rounds in the same order with the same column helpers
 * (FC, FX below), so the two cannot disagree on where a value lives.
 */
#include "air/sponge.h"

#include <string.h>

#define WIDTH SM_P2_WIDTH
#define RATE SM_P2_RATE
#define HALF (SM_P2_FULL_ROUNDS / 2)

#define FC(r, l) SM_SPONGE_COL_FC(r, l)
#define FX(r, l) SM_SPONGE_COL_FX(r, l)

static size_t n_blocks(size_t n_values) { return (n_values + RATE - 1) / RATE; }

unsigned sm_sponge_log_n(size_t n_values) {
  if (n_values == 0) return 0;
  size_t blocks = n_blocks(n_values);
  if (blocks > ((size_t)1 << SM_AIR_MAX_LOG_N)) return 0;
  unsigned log_n = SM_AIR_MIN_LOG_N;
  while (((size_t)1 << log_n) < blocks) log_n++;
  return log_n;
}

uint32_t sm_sponge_n_pre(void) { return SM_SPONGE_N_PRE; }
uint32_t sm_sponge_n_main(void) { return SM_SPONGE_N_MAIN; }

/* Lanes of the last block that hold an element (1..8). */
static size_t last_block_lanes(size_t n_values) {
  return n_values - (n_blocks(n_values) - 1) * RATE;
}

/* ---- the description ---------------------------------------------------------------- */

static uint32_t dbl(sm_air_builder *b, uint32_t x) { return sm_ab_add(b, x, x); }

/* out = M_E in, with the addition chain of core/poseidon2.c (no multiplications). */
static void ab_external(sm_air_builder *b, uint32_t out[WIDTH], const uint32_t in[WIDTH]) {
  uint32_t y[WIDTH];
  for (int k = 0; k < WIDTH; k += 4) {
    const uint32_t *x = in + k;
    uint32_t t0 = sm_ab_add(b, x[0], x[1]), t1 = sm_ab_add(b, x[2], x[3]);
    uint32_t t2 = sm_ab_add(b, dbl(b, x[1]), t1), t3 = sm_ab_add(b, dbl(b, x[3]), t0);
    uint32_t t4 = sm_ab_add(b, dbl(b, dbl(b, t1)), t3);
    uint32_t t5 = sm_ab_add(b, dbl(b, dbl(b, t0)), t2);
    y[k] = sm_ab_add(b, t3, t5);
    y[k + 1] = t5;
    y[k + 2] = sm_ab_add(b, t2, t4);
    y[k + 3] = t4;
  }
  for (int l = 0; l < 4; l++) {
    uint32_t col = sm_ab_add(b, sm_ab_add(b, y[l], y[4 + l]), y[8 + l]);
    for (int k = 0; k < WIDTH; k += 4) out[k + l] = sm_ab_add(b, y[k + l], col);
  }
}

/* out = M_I in = diag(sm_p2_diag) in + (sum in) (1, ..., 1); diag: the constants' nodes. */
static void ab_internal(sm_air_builder *b, uint32_t out[WIDTH], const uint32_t in[WIDTH],
                        const uint32_t diag[WIDTH]) {
  uint32_t sum = in[0];
  for (int i = 1; i < WIDTH; i++) sum = sm_ab_add(b, sum, in[i]);
  for (int i = 0; i < WIDTH; i++) out[i] = sm_ab_add(b, sm_ab_mul(b, diag[i], in[i]), sum);
}

static uint32_t ab_main(sm_air_builder *b, uint32_t col) {
  return sm_ab_col(b, SM_COL_MAIN, col, 0);
}

/* The S-box input y = x + rc, its cube column c (constraint c - y^3 on every row), and
 * the S-box output c^2 y (degree 3). Returns the S-box output's node. */
static uint32_t ab_sbox(sm_air_builder *b, uint32_t x, gl_t rc, uint32_t cube_col) {
  uint32_t y = sm_ab_add(b, x, sm_ab_const(b, rc));
  uint32_t c = ab_main(b, cube_col);
  sm_ab_constraint(b, sm_ab_sub(b, c, sm_ab_mul(b, sm_ab_mul(b, y, y), y)), SM_SEL_EVERY);
  return sm_ab_mul(b, sm_ab_mul(b, c, c), y);
}

/* A full round on x (in place): the S-box on every lane, then M_E. The output is left as
 * an expression (degree 3); the caller pins it to columns. */
static void ab_full_round(sm_air_builder *b, uint32_t x[WIDTH], unsigned r) {
  uint32_t z[WIDTH];
  for (int l = 0; l < WIDTH; l++) z[l] = ab_sbox(b, x[l], sm_p2_rc_full[r][l], FC(r, l));
  ab_external(b, x, z);
}

static int spec_shape_ok(const sm_sponge_spec *spec) {
  return spec != NULL && sm_sponge_log_n(spec->n_values) != 0 &&
         (uint64_t)spec->n_values < GL_P;
}

starkml_status sm_sponge_table(sm_air_table *out, const char *name, const sm_sponge_spec *spec) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (name == NULL || !spec_shape_ok(spec) || spec->bus > SM_SPONGE_MAX_BUS)
    return STARKML_ERR_ARG;
  sm_air_builder b;
  sm_air_builder_init(&b, name, sm_sponge_log_n(spec->n_values), SM_SPONGE_N_PRE,
                      SM_SPONGE_N_MAIN, SM_SPONGE_N_PUBLIC);
  uint32_t in[WIDTH], x[WIDTH], diag[WIDTH], a[RATE];
  for (uint32_t i = 0; i < WIDTH; i++) {
    in[i] = ab_main(&b, SM_SPONGE_MAIN_S + i);
    diag[i] = sm_ab_const(&b, sm_p2_diag[i]);
  }
  for (uint32_t i = 0; i < RATE; i++) a[i] = ab_main(&b, SM_SPONGE_MAIN_A + i);

  /* The permutation of in, round by round. */
  ab_external(&b, x, in);
  for (unsigned r = 0; r < SM_P2_FULL_ROUNDS; r++) {
    ab_full_round(&b, x, r);
    if (r + 1 == SM_P2_FULL_ROUNDS) break; /* x: the permutation's output, an expression */
    for (unsigned l = 0; l < WIDTH; l++) {
      uint32_t col = ab_main(&b, FX(r, l));
      sm_ab_constraint(&b, sm_ab_sub(&b, col, x[l]), SM_SEL_EVERY);
      x[l] = col;
    }
    if (r + 1 != HALF) continue;
    /* The partial rounds: the S-box output of lane 0 is a column, so every lane stays
     * linear in columns (expressions only, no state columns). */
    for (unsigned j = 0; j < SM_P2_PARTIAL_ROUNDS; j++) {
      uint32_t z = ab_sbox(&b, x[0], sm_p2_rc_partial[j], SM_SPONGE_MAIN_PC + j);
      uint32_t zc = ab_main(&b, SM_SPONGE_MAIN_PZ + j);
      sm_ab_constraint(&b, sm_ab_sub(&b, zc, z), SM_SEL_EVERY);
      x[0] = zc;
      ab_internal(&b, x, x, diag);
    }
  }
  const uint32_t *perm_out = x;

  /* Absorbed values vanish outside their slots: the padding lanes of the last block and
   * every lane of the padding rows. */
  uint32_t active = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_ACTIVE, 0);
  uint32_t last = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_LAST, 0);
  uint32_t not_active = sm_ab_sub(&b, sm_ab_const(&b, 1), active);
  uint32_t not_valid_pad = sm_ab_add(&b, not_active, last); /* 1 - (active - last) */
  const size_t filled = last_block_lanes(spec->n_values);
  for (uint32_t i = 0; i < RATE; i++)
    sm_ab_constraint(&b, sm_ab_mul(&b, a[i], i < filled ? not_active : not_valid_pad),
                     SM_SEL_EVERY);
  /* The digest: the output of the last permutation. */
  for (uint32_t i = 0; i < SM_P2_DIGEST; i++)
    sm_ab_constraint(&b, sm_ab_mul(&b, last, sm_ab_sub(&b, perm_out[i], sm_ab_pub(&b, i))),
                     SM_SEL_EVERY);
  /* Chaining: the next row's input is this row's output plus the next block. */
  for (uint32_t i = 0; i < WIDTH; i++) {
    uint32_t want = perm_out[i];
    if (i < RATE) want = sm_ab_add(&b, want, sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_A + i, 1));
    uint32_t next = sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_S + i, 1);
    sm_ab_constraint(&b, sm_ab_sub(&b, next, want), SM_SEL_TRANSITION);
  }
  /* The initial state: the first block on the rate, the length in capacity lane 8. */
  for (uint32_t i = 0; i < WIDTH; i++) {
    uint32_t init = i < RATE ? a[i] : sm_ab_const(&b, i == RATE ? (gl_t)spec->n_values : 0);
    sm_ab_constraint(&b, sm_ab_sub(&b, in[i], init), SM_SEL_FIRST);
  }
  /* Sends: (key_i, a_i) with multiplicity mult_i, every lane, every row (mult is zero
   * outside the absorption slots). */
  for (uint32_t i = 0; i < RATE; i++) {
    uint32_t tuple[2] = {sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_KEY + i, 0), a[i]};
    uint32_t mult = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_MULT + i, 0);
    sm_ab_interaction(&b, spec->bus, mult, tuple, 2);
  }
  return sm_ab_finish(&b, out, NULL, 0);
}

/* ---- the traces --------------------------------------------------------------------- */

starkml_status sm_sponge_pre(gl_t *pre, const sm_sponge_spec *spec) {
  if (pre == NULL || !spec_shape_ok(spec)) return STARKML_ERR_ARG;
  const size_t nv = spec->n_values, blocks = n_blocks(nv);
  const size_t n = (size_t)1 << sm_sponge_log_n(nv);
  memset(pre, 0, SM_SPONGE_N_PRE * n * sizeof *pre);
  if (spec->keys == NULL || spec->mults == NULL) return STARKML_ERR_ARG;
  for (size_t j = 0; j < nv; j++) {
    if (spec->keys[j] >= GL_P || spec->mults[j] >= GL_P) return STARKML_ERR_ARG;
  }
  for (size_t j = 0; j < nv; j++) {
    size_t row = j / RATE, lane = j % RATE;
    pre[(SM_SPONGE_PRE_KEY + lane) * n + row] = spec->keys[j];
    pre[(SM_SPONGE_PRE_MULT + lane) * n + row] = spec->mults[j];
  }
  for (size_t i = 0; i < blocks; i++) pre[SM_SPONGE_PRE_ACTIVE * n + i] = 1;
  pre[SM_SPONGE_PRE_LAST * n + blocks - 1] = 1;
  return STARKML_OK;
}

/* A full round on s (in place), writing its cubes (and, for r < 7, its output). */
static void full_round_row(gl_t *main, size_t n, size_t row, gl_t s[WIDTH], unsigned r) {
  for (unsigned l = 0; l < WIDTH; l++) {
    gl_t y = gl_add(s[l], sm_p2_rc_full[r][l]), c = gl_mul(gl_sqr(y), y);
    main[(size_t)FC(r, l) * n + row] = c;
    s[l] = gl_mul(gl_sqr(c), y);
  }
  sm_p2_external_linear(s);
  if (r + 1 < SM_P2_FULL_ROUNDS)
    for (unsigned l = 0; l < WIDTH; l++) main[(size_t)FX(r, l) * n + row] = s[l];
}

void sm_sponge_fill_row(gl_t *main, size_t n, size_t row, gl_t out[SM_P2_WIDTH],
                        const gl_t in[SM_P2_WIDTH]) {
  gl_t s[WIDTH];
  memcpy(s, in, sizeof s);
  for (size_t l = 0; l < WIDTH; l++) main[(SM_SPONGE_MAIN_S + l) * n + row] = s[l];
  sm_p2_external_linear(s);
  for (unsigned r = 0; r < HALF; r++) full_round_row(main, n, row, s, r);
  for (size_t j = 0; j < SM_P2_PARTIAL_ROUNDS; j++) {
    gl_t y = gl_add(s[0], sm_p2_rc_partial[j]), c = gl_mul(gl_sqr(y), y);
    s[0] = gl_mul(gl_sqr(c), y);
    main[(SM_SPONGE_MAIN_PC + j) * n + row] = c;
    main[(SM_SPONGE_MAIN_PZ + j) * n + row] = s[0];
    sm_p2_internal_linear(s);
  }
  for (unsigned r = HALF; r < SM_P2_FULL_ROUNDS; r++) full_round_row(main, n, row, s, r);
  memcpy(out, s, sizeof s);
}

starkml_status sm_sponge_main(gl_t *main, gl_t digest[SM_P2_DIGEST], const sm_sponge_spec *spec,
                              const gl_t *values) {
  if (digest != NULL) memset(digest, 0, SM_P2_DIGEST * sizeof *digest);
  if (main == NULL || digest == NULL || !spec_shape_ok(spec) || values == NULL)
    return STARKML_ERR_ARG;
  const size_t nv = spec->n_values, blocks = n_blocks(nv);
  const size_t n = (size_t)1 << sm_sponge_log_n(nv);
  memset(main, 0, SM_SPONGE_N_MAIN * n * sizeof *main);
  for (size_t j = 0; j < nv; j++)
    if (values[j] >= GL_P) return STARKML_ERR_ARG;

  gl_t s[WIDTH] = {0};
  s[RATE] = (gl_t)nv;
  for (size_t i = 0; i < n; i++) {
    for (size_t l = 0; l < RATE; l++) {
      size_t j = i * RATE + l;
      gl_t v = i < blocks && j < nv ? values[j] : 0;
      main[(SM_SPONGE_MAIN_A + l) * n + i] = v;
      s[l] = gl_add(s[l], v);
    }
    sm_sponge_fill_row(main, n, i, s, s);
    if (i + 1 == blocks) memcpy(digest, s, SM_P2_DIGEST * sizeof *digest);
  }
  return STARKML_OK;
}
