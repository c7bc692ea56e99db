/*
 * The Poseidon2 sponge of core/poseidon2.h as an AIR table: it recomputes
 * sm_poseidon2_hash(values, n_values) (values = salt || data in the weight commitment),
 * pins the digest to the table's 4 public values, and sends every absorbed element on a
 * LogUp bus as the pair (key, value), so that other tables can receive the private values
 * the public digest commits to (../shared/DESIGN.md, "How private weights are bound").
 *
 * What is public: the table description depends only on (name, bus, n_values); the keys,
 * multiplicities and two row flags are preprocessed columns (committed at setup, known to
 * the verifier); the round constants are constants of the expressions; the absorbed values
 * and every intermediate state are main (witness) columns.
 *
 * Row layout: ONE ROW = ONE PERMUTATION. B = ceil(n_values / 8) permutations on rows
 * 0 .. B - 1, then padding rows up to n = 2^log_n >= B (at least 2^SM_AIR_MIN_LOG_N).
 * Row k holds the input of permutation k (the state after absorbing block k), the block it
 * absorbed, and every intermediate value of the permutation that keeps the constraints at
 * degree <= 4; its output is an expression (degree 3) of the row, which the next row's
 * input must equal. Padding rows go on permuting (they absorb zeros), so every cell of
 * theirs is determined too; the digest is read off row B - 1, marked by a preprocessed
 * flag. (The old layout spent 32 rows of 72 columns on a permutation.)
 *
 * Notation for one row: in = its S columns; x = M_E in (the initial external linear layer,
 * an expression). Full round r (0..7) on its input x: y_l = x_l + rc_full[r][l],
 * c_l = y_l^3 (a column), y_l^7 = c_l^2 y_l, output M_E (y^7). Partial round j (0..21) on
 * u: y = u_0 + rc_partial[j], c = y^3 (a column), z = c^2 y (a column: the S-box output),
 * output M_I (z, u_1, ..., u_11), which is linear in columns again, so the 11 other lanes
 * are expression nodes (no columns) all through the partial rounds.
 *
 * Columns (preprocessed first, then main; indices below):
 *   pre  key[0..7], mult[0..7]  the bus key and multiplicity of element 8 k + i at row k
 *                     (0 where that element does not exist);
 *        active       1 on rows 0 .. B - 1 (the permutations of the sponge);
 *        last         1 on row B - 1 (the last permutation: its output is the digest);
 *   main S[0..11]     in: the permutation input (row 0: the first block on lanes 0..7,
 *                     n_values on lane 8, zeros; row k > 0: out(k - 1) + a(k) on the rate,
 *                     out(k - 1) on the capacity);
 *        A[0..7]      a: the element absorbed into lane i at this row (0 where it does not
 *                     exist: the padding lanes of the last block and the padding rows);
 *        FC[12 r + l] the cube c_l of full round r (r = 0..7), 96 columns;
 *        FX[12 r + l] the output of full round r (r = 0..6), 84 columns (the output of
 *                     round 7, the permutation's, is an expression);
 *        PC[j], PZ[j] the cube and the S-box output of partial round j, 22 + 22 columns.
 *
 * Constraints (max degree 4; every one is written over the row's own columns, with the
 * round constants as constants, so the same relations hold on every row):
 *   EVERY       FC[r][l] - y_l^3                              (96, degree 3)
 *               FX[r][l] - (M_E (c^2 y))_l, r < 7             (84, degree 3)
 *               PC[j] - y^3, PZ[j] - PC[j]^2 y                (22 + 22, degree 3)
 *               a_i (1 - valid_i)                             (8, degree 2)
 *                 where valid_i = active for the lanes that the last block fills and
 *                 active - last for its padding lanes (an expression: the lane count of
 *                 the last block is a function of n_values)
 *               last (out_i - public_i), i < 4                (4, degree 4: the digest)
 *   TRANSITION  S'_i - out_i - a'_i (i < 8), S'_i - out_i (i >= 8)   (12, degree 3)
 *   FIRST       S_i - a_i (i < 8), S_8 - n_values, S_9 = S_10 = S_11 = 0   (12)
 * where out = M_E (c^2 y) of full round 7 (the permutation's output, degree 3).
 * Interactions: for each lane i < 8, send (bus, mult_i, (key_i, a_i)).
 *
 * Every main cell is fixed by these: row 0's S by FIRST, a later row's S by the
 * transition from the row before, the round columns by their own relations (in order
 * from S), a by FIRST / the transition where valid, by a (1 - valid) = 0 elsewhere. On
 * the transition out of row n - 1 nothing is asserted (no wrap-around); row 0 is pinned
 * by FIRST instead.
 *
 * Choices, and what they cost:
 *  - Two columns per S-box (its cube and, unless it feeds the next row directly, a column
 *    that makes its output linear again: FX or PZ) is the least at degree <= 4: y^7 needs
 *    an intermediate column, and an S-box whose input is not linear in columns would make
 *    the next cube degree 9. The last full round's output stays an expression (degree 3),
 *    read by the transition and the digest: 12 columns fewer than storing it.
 *  - The partial rounds keep lanes 1..11 as expression nodes: each round adds 45 nodes
 *    (the lane-0 S-box 8, its output column 2, M_I 35: a sum of 12 and 12 multiply-adds,
 *    the 12 diagonal constants shared), 990 for the 22 rounds. Storing the 12-lane state
 *    every k partial rounds instead would add 12 columns per store to save some of the M_I
 *    nodes; a node costs one operation per LDE point, a column its own LDE, its share of
 *    every Merkle leaf and an opening per query, so no state is stored.
 *    The whole description: 2613 nodes (initial M_E 62, each full round with its output
 *    columns 182, round 7 158, the rest 97), 260 constraints (12 of degree 1, 8 of degree
 *    2, 236 of degree 3, the 4 digest ones of degree 4).
 *  - The digest is pinned on row B - 1 by the preprocessed flag `last` (degree 4) rather
 *    than on the last row: padding rows then need no flag to switch the round relations
 *    off, and the transition holds unconditionally on every row but the last.
 *  - valid_i is an expression of the two flags and n_values, not 8 more preprocessed
 *    columns; it relies on last <= active, which the setup's preprocessed columns (public,
 *    committed) guarantee like the keys and multiplicities.
 *
 * Sizes (n_values = 2782, the mlp_digits weights with a 4-element salt: B = 348): 2^9 rows
 * x (18 pre + 244 main + 9 LogUp aux) against 2^14 rows x (40 + 32 + 9) before; in a zk
 * proof, 2^9 rows x 322 committed polynomials (0.16 M cells) against 2^14 x 132 (2.16 M).
 */
#ifndef STARKML_AIR_SPONGE_H
#define STARKML_AIR_SPONGE_H

#include <stddef.h>
#include <stdint.h>

#include "air/air.h"
#include "core/poseidon2.h"

#define SM_SPONGE_ROWS_PER_PERM 1u
#define SM_SPONGE_N_PUBLIC SM_P2_DIGEST

/* Preprocessed column indices. */
#define SM_SPONGE_PRE_KEY 0u  /* 8 columns */
#define SM_SPONGE_PRE_MULT 8u /* 8 columns */
#define SM_SPONGE_PRE_ACTIVE 16u
#define SM_SPONGE_PRE_LAST 17u
#define SM_SPONGE_N_PRE 18u
/* Main column indices. */
#define SM_SPONGE_MAIN_S 0u    /* 12 columns: the permutation input */
#define SM_SPONGE_MAIN_A 12u   /* 8 columns: the absorbed values */
#define SM_SPONGE_MAIN_FC 20u  /* 8 x 12 columns: full-round cubes */
#define SM_SPONGE_MAIN_FX 116u /* 7 x 12 columns: full-round outputs (rounds 0..6) */
#define SM_SPONGE_MAIN_PC 200u /* 22 columns: partial-round cubes */
#define SM_SPONGE_MAIN_PZ 222u /* 22 columns: partial-round S-box outputs */
#define SM_SPONGE_N_MAIN 244u
/* The cube of lane l in full round r (0..7), and the output lane l of full round r (0..6). */
#define SM_SPONGE_COL_FC(r, l) (SM_SPONGE_MAIN_FC + 12u * (uint32_t)(r) + (uint32_t)(l))
#define SM_SPONGE_COL_FX(r, l) (SM_SPONGE_MAIN_FX + 12u * (uint32_t)(r) + (uint32_t)(l))

/* The largest bus identifier a user table may use (the engine keeps the rest). */
#define SM_SPONGE_MAX_BUS 0x7FFFFFFFu

typedef struct {
  uint32_t bus;      /* bus on which absorbed values are sent (<= SM_SPONGE_MAX_BUS) */
  size_t n_values;   /* absorbed elements (salt included), >= 1 */
  const gl_t *keys;  /* n_values: the bus key of each absorbed element (canonical) */
  const gl_t *mults; /* n_values: how many times it is sent (0: not sent, e.g. the salt) */
} sm_sponge_spec;

/*
 * Returns: the table height log2(n) for n_values absorbed elements: the least log_n with
 *          2^log_n >= ceil(n_values / 8) (at least SM_AIR_MIN_LOG_N); 0 when n_values
 *          is 0 or needs more than 2^SM_AIR_MAX_LOG_N rows.
 */
unsigned sm_sponge_log_n(size_t n_values);

/* Returns: the number of preprocessed columns (SM_SPONGE_N_PRE). */
uint32_t sm_sponge_n_pre(void);
/* Returns: the number of main columns (SM_SPONGE_N_MAIN). */
uint32_t sm_sponge_n_main(void);

/*
 * Builds the table description (4 public values: the digest). It reads only spec->bus and
 * spec->n_values (keys and mults may be NULL here), so a verifier that knows the shape
 * but not the keys builds the same table.
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL out/name/spec, n_values out of range, bus
 *          above SM_SPONGE_MAX_BUS, name not a valid table name); STARKML_ERR_NOMEM.
 * Out:  out   the table (zeroed on failure); release with sm_air_table_free.
 * In:   name  the table's name; spec  the sponge's shape.
 */
starkml_status sm_sponge_table(sm_air_table *out, const char *name, const sm_sponge_spec *spec);

/*
 * Fills the preprocessed columns.
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL input, n_values out of range, a key or
 *          multiplicity not canonical); when spec's shape is valid, pre is zeroed on
 *          failure.
 * Out:  pre   SM_SPONGE_N_PRE columns of 2^sm_sponge_log_n(n_values) rows, column-major
 *             (column c at pre + c * n).
 * In:   spec  with keys and mults.
 */
starkml_status sm_sponge_pre(gl_t *pre, const sm_sponge_spec *spec);

/*
 * Fills the witness: the sponge over values, row by row as laid out above.
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL input, n_values out of range, a value not
 *          canonical); digest (when not NULL) is zeroed on failure, and main too when
 *          spec's shape is valid.
 * Out:  main    SM_SPONGE_N_MAIN columns of n rows, column-major;
 *       digest  sm_poseidon2_hash(values, n_values): the table's public values.
 * In:   spec    (only n_values is read); values  n_values canonical elements.
 */
starkml_status sm_sponge_main(gl_t *main, gl_t digest[SM_P2_DIGEST], const sm_sponge_spec *spec,
                              const gl_t *values);

/*
 * One row of the witness (what sm_sponge_main does on every row, exposed for tests that
 * play a malicious prover and rewrite a row consistently): writes `in` into the S columns
 * of row `row` and every round column that follows from it (FC, FX, PC, PZ); leaves the A
 * columns alone.
 * Out:  main  SM_SPONGE_N_MAIN columns of n rows, column-major (row < n);
 *       out   the permutation of in (may alias in).
 * In:   in    12 canonical elements.
 */
void sm_sponge_fill_row(gl_t *main, size_t n, size_t row, gl_t out[SM_P2_WIDTH],
                        const gl_t in[SM_P2_WIDTH]);

#endif /* STARKML_AIR_SPONGE_H */
