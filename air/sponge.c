/*
 * The Poseidon2 sponge table (see air/sponge.h for the layout and the constraints).
 * The row kinds and round constants are functions of the row index alone; row_kind()
 * below is the single place that maps a row to them, used by the preprocessed columns
 * and by the witness, so the two cannot disagree.
 */
#include "air/sponge.h"

#include <string.h>

#define WIDTH SM_P2_WIDTH
#define RATE SM_P2_RATE
#define RPP SM_SPONGE_ROWS_PER_PERM

enum { KIND_LIN, KIND_FULL, KIND_PART, KIND_ADD, KIND_NONE };

static size_t n_blocks(size_t n_values) { return (n_values + RATE - 1) / RATE; }

unsigned sm_sponge_log_n(size_t n_values) {
  if (n_values == 0) return 0;
  size_t blocks = n_blocks(n_values);
  /* 32 B <= 2^28 keeps the table within SM_AIR_MAX_LOG_N. */
  if (blocks > ((size_t)1 << (SM_AIR_MAX_LOG_N - 5))) return 0;
  unsigned log_n = 5; /* RPP = 2^5 */
  while (((size_t)1 << (log_n - 5)) < blocks) log_n++;
  return log_n < SM_AIR_MIN_LOG_N ? SM_AIR_MIN_LOG_N : log_n;
}

uint32_t sm_sponge_n_pre(void) { return SM_SPONGE_N_PRE; }
uint32_t sm_sponge_n_main(void) { return SM_SPONGE_N_MAIN; }

/* The kind of the transition out of row i (of n, with `blocks` permutations), and the
 * round constants it applies (rc = NULL: none; rc_lane0_only: a partial round). */
static int row_kind(size_t i, size_t n, size_t blocks, const gl_t **rc, int *rc_lane0_only) {
  *rc = NULL;
  *rc_lane0_only = 0;
  if (i == n - 1) return KIND_NONE;
  if (i >= blocks * RPP) return KIND_ADD;
  size_t r = i % RPP;
  if (r == 0) return KIND_LIN;
  if (r <= 4) {
    *rc = sm_p2_rc_full[r - 1];
    return KIND_FULL;
  }
  if (r <= 26) {
    *rc = &sm_p2_rc_partial[r - 5];
    *rc_lane0_only = 1;
    return KIND_PART;
  }
  if (r <= 30) {
    *rc = sm_p2_rc_full[r - 27 + SM_P2_FULL_ROUNDS / 2];
    return KIND_FULL;
  }
  return KIND_ADD;
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

/* out = M_I in = diag(sm_p2_diag) in + (sum in) (1, ..., 1). */
static void ab_internal(sm_air_builder *b, uint32_t out[WIDTH], const uint32_t in[WIDTH]) {
  uint32_t sum = in[0];
  for (int i = 1; i < WIDTH; i++) sum = sm_ab_add(b, sum, in[i]);
  for (int i = 0; i < WIDTH; i++)
    out[i] = sm_ab_add(b, sm_ab_mul(b, sm_ab_const(b, sm_p2_diag[i]), in[i]), sum);
}

/* flag * (next[i] - want[i]) for every lane, on TRANSITION rows. */
static void ab_transition(sm_air_builder *b, uint32_t flag, const uint32_t next[WIDTH],
                          const uint32_t want[WIDTH]) {
  for (int i = 0; i < WIDTH; i++)
    sm_ab_constraint(b, sm_ab_mul(b, flag, sm_ab_sub(b, next[i], want[i])), SM_SEL_TRANSITION);
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
  uint32_t s[WIDTH], sn[WIDTH], c[WIDTH], rc[WIDTH], y[WIDTH], a[RATE], an[RATE];
  for (uint32_t i = 0; i < WIDTH; i++) {
    s[i] = sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_S + i, 0);
    sn[i] = sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_S + i, 1);
    c[i] = sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_C + i, 0);
    rc[i] = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_RC + i, 0);
    y[i] = sm_ab_add(&b, s[i], rc[i]);
  }
  for (uint32_t i = 0; i < RATE; i++) {
    a[i] = sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_A + i, 0);
    an[i] = sm_ab_col(&b, SM_COL_MAIN, SM_SPONGE_MAIN_A + i, 1);
  }
  uint32_t f_lin = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_F_LIN, 0);
  uint32_t f_full = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_F_FULL, 0);
  uint32_t f_part = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_F_PART, 0);
  uint32_t f_add = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_F_ADD, 0);

  /* Cube helpers, on every row: c = (s + rc)^3. */
  for (int i = 0; i < WIDTH; i++) {
    uint32_t cube = sm_ab_mul(&b, sm_ab_mul(&b, y[i], y[i]), y[i]);
    sm_ab_constraint(&b, sm_ab_sub(&b, c[i], cube), SM_SEL_EVERY);
  }
  /* Absorbed values vanish outside their slots (padding lanes of the last block too). */
  for (uint32_t i = 0; i < RATE; i++) {
    uint32_t valid = sm_ab_col(&b, SM_COL_PRE, SM_SPONGE_PRE_VALID + i, 0);
    sm_ab_constraint(&b, sm_ab_sub(&b, a[i], sm_ab_mul(&b, valid, a[i])), SM_SEL_EVERY);
  }
  /* The initial external linear layer. */
  uint32_t want[WIDTH], u[WIDTH];
  ab_external(&b, want, s);
  ab_transition(&b, f_lin, sn, want);
  /* Full rounds: x^7 = c^2 (s + rc) on every lane, then M_E. */
  for (int i = 0; i < WIDTH; i++) u[i] = sm_ab_mul(&b, sm_ab_mul(&b, c[i], c[i]), y[i]);
  ab_external(&b, want, u);
  ab_transition(&b, f_full, sn, want);
  /* Partial rounds: x^7 on lane 0 only, then M_I. */
  u[0] = sm_ab_mul(&b, sm_ab_mul(&b, c[0], c[0]), y[0]);
  for (int i = 1; i < WIDTH; i++) u[i] = s[i];
  ab_internal(&b, want, u);
  ab_transition(&b, f_part, sn, want);
  /* Absorption of the next block into the rate; the identity on padding rows (a' = 0). */
  for (int i = 0; i < WIDTH; i++) want[i] = i < RATE ? sm_ab_add(&b, s[i], an[i]) : s[i];
  ab_transition(&b, f_add, sn, want);
  /* The initial state: the first block on the rate, the length in capacity lane 8. */
  for (int i = 0; i < WIDTH; i++) {
    uint32_t init = i < RATE ? a[i] : sm_ab_const(&b, i == RATE ? (gl_t)spec->n_values : 0);
    sm_ab_constraint(&b, sm_ab_sub(&b, s[i], init), SM_SEL_FIRST);
  }
  /* The digest. */
  for (uint32_t i = 0; i < SM_P2_DIGEST; i++)
    sm_ab_constraint(&b, sm_ab_sub(&b, s[i], sm_ab_pub(&b, i)), SM_SEL_LAST);
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
  for (size_t i = 0; i < n; i++) {
    const gl_t *rc;
    int lane0;
    int kind = row_kind(i, n, blocks, &rc, &lane0);
    if (kind != KIND_NONE) pre[(SM_SPONGE_PRE_F_LIN + (size_t)kind) * n + i] = 1;
    for (size_t l = 0; rc != NULL && l < (lane0 ? 1u : (size_t)WIDTH); l++)
      pre[(SM_SPONGE_PRE_RC + l) * n + i] = rc[l];
    if (i < blocks * RPP && i % RPP == 0) {
      for (size_t l = 0; l < RATE; l++) {
        size_t j = (i / RPP) * RATE + l;
        if (j >= nv) break;
        pre[(SM_SPONGE_PRE_VALID + l) * n + i] = 1;
        pre[(SM_SPONGE_PRE_KEY + l) * n + i] = spec->keys[j];
        pre[(SM_SPONGE_PRE_MULT + l) * n + i] = spec->mults[j];
      }
    }
  }
  return STARKML_OK;
}

/* Writes row i's state, cube helpers (for the constants rc applies) and absorbed values. */
static void put_row(gl_t *main, size_t n, size_t i, const gl_t s[WIDTH], const gl_t *rc,
                    int lane0, const gl_t *absorbed) {
  for (size_t l = 0; l < WIDTH; l++) {
    gl_t k = rc == NULL || (lane0 && l > 0) ? 0 : rc[l];
    gl_t y = gl_add(s[l], k);
    main[(SM_SPONGE_MAIN_S + l) * n + i] = s[l];
    main[(SM_SPONGE_MAIN_C + l) * n + i] = gl_mul(gl_sqr(y), y);
  }
  for (size_t l = 0; l < RATE; l++)
    main[(SM_SPONGE_MAIN_A + l) * n + i] = absorbed ? absorbed[l] : 0;
}

static inline gl_t sbox_from_cube(gl_t c, gl_t y) { return gl_mul(gl_sqr(c), y); }

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
    const gl_t *rc;
    int lane0;
    int kind = row_kind(i, n, blocks, &rc, &lane0);
    gl_t absorbed[RATE] = {0};
    int absorbs = i < blocks * RPP && i % RPP == 0;
    if (absorbs) {
      for (size_t l = 0; l < RATE; l++) {
        size_t j = (i / RPP) * RATE + l;
        absorbed[l] = j < nv ? values[j] : 0;
        s[l] = gl_add(s[l], absorbed[l]);
      }
    }
    put_row(main, n, i, s, rc, lane0, absorbs ? absorbed : NULL);
    /* The transition to row i + 1 (absorption happens at the top of the next iteration). */
    switch (kind) {
      case KIND_LIN: sm_p2_external_linear(s); break;
      case KIND_FULL:
        for (size_t l = 0; l < WIDTH; l++) {
          gl_t y = gl_add(s[l], rc[l]);
          s[l] = sbox_from_cube(main[(SM_SPONGE_MAIN_C + l) * n + i], y);
        }
        sm_p2_external_linear(s);
        break;
      case KIND_PART: {
        gl_t y = gl_add(s[0], rc[0]);
        s[0] = sbox_from_cube(main[SM_SPONGE_MAIN_C * n + i], y);
        sm_p2_internal_linear(s);
        break;
      }
      default: break; /* KIND_ADD / KIND_NONE: the state carries over */
    }
  }
  memcpy(digest, s, SM_P2_DIGEST * sizeof *digest);
  return STARKML_OK;
}
