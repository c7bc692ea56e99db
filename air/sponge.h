/*
 * The Poseidon2 sponge of core/poseidon2.h as an AIR table: it recomputes
 * sm_poseidon2_hash(values, n_values) (values = salt || data in the weight commitment),
 * pins the digest to the table's 4 public values, and sends every absorbed element on a
 * LogUp bus as the pair (key, value), so that other tables can receive the private values
 * the public digest commits to (../shared/DESIGN.md, "How private weights are bound").
 *
 * What is public: the table description depends only on (name, bus, n_values); the keys,
 * multiplicities, round constants and row-kind flags are preprocessed columns (committed
 * at setup, known to the verifier); the absorbed values and every intermediate state are
 * main (witness) columns.
 *
 * Row layout. B = ceil(n_values / 8) permutations, 32 rows each (SM_SPONGE_ROWS_PER_PERM),
 * then padding rows up to n = 2^log_n >= 32 B. Row 32 k + r of block k holds in s[0..11]:
 *   r = 0        the state right after absorbing block k (input of permutation k);
 *   r = 1        after the initial external linear layer M_E;
 *   r = 2..5     after full rounds 0..3;
 *   r = 6..27    after partial rounds 0..21;
 *   r = 28..31   after full rounds 4..7 (r = 31: the output of permutation k).
 * So the transition from row r to r + 1 applies: r = 0 M_E ("lin"), r = 1..4 and 27..30 a
 * full round with constants rc(r) ("full"), r = 5..26 a partial round ("part"), r = 31 the
 * absorption of the next block or, after the last permutation, nothing ("add":
 * s' = s + a' on lanes 0..7, s' = s on lanes 8..11). Padding rows repeat the final state
 * (flag "add" with a' = 0), so the last row holds the digest in s[0..3].
 *
 * Columns (indices below; preprocessed first, then main):
 *   pre  rc[0..11]    the round constants applied by the transition out of this row
 *                     (zero on lin, add and padding rows; lanes 1..11 zero on part rows);
 *        f_lin, f_full, f_part, f_add   one-hot row kind of the transition to the next row
 *                     (all zero on the last row);
 *        valid[0..7]  1 on row 32 k where lane i absorbs element 8 k + i < n_values;
 *        key[0..7], mult[0..7]  the bus key and multiplicity of that element (0 elsewhere);
 *   main s[0..11]     the state;
 *        c[0..11]     c_i = (s_i + rc_i)^3, so x^7 = c^2 (s + rc) keeps every constraint at
 *                     degree <= 4;
 *        a[0..7]      the element absorbed into lane i at this row (0 where valid_i = 0).
 *
 * Constraints (max degree 4, so log_blowup >= 3):
 *   EVERY       c_i - (s_i + rc_i)^3                       (12, degree 3)
 *   EVERY       a_i - valid_i a_i                          (8: a is zero off absorption
 *                                                           slots, padding lanes included)
 *   TRANSITION  f_lin  (s' - M_E s)                        (12, degree 2)
 *               f_full (s' - M_E (c^2 (s + rc)))           (12, degree 4)
 *               f_part (s' - M_I (c_0^2 (s_0 + rc_0), s_1, ..., s_11))   (12, degree 4)
 *               f_add  (s'_i - s_i - a'_i), i < 8; f_add (s'_i - s_i), i >= 8   (12)
 *   FIRST       s_i - a_i (i < 8), s_8 - n_values, s_9 = s_10 = s_11 = 0
 *   LAST        s_i - public_i (i < 4)
 * Interactions: for each lane i < 8, send (bus, mult_i, (key_i, a_i)).
 * Every main cell is fixed by these: row 0 by FIRST, each later row's s by the one active
 * flag of the row before, c by its EVERY constraint, a by FIRST/add (valid slots) or the
 * valid constraint (zero elsewhere).
 */
#ifndef STARKML_AIR_SPONGE_H
#define STARKML_AIR_SPONGE_H

#include <stddef.h>
#include <stdint.h>

#include "air/air.h"
#include "core/poseidon2.h"

#define SM_SPONGE_ROWS_PER_PERM 32u
#define SM_SPONGE_N_PUBLIC SM_P2_DIGEST

/* Preprocessed column indices. */
#define SM_SPONGE_PRE_RC 0u     /* 12 columns */
#define SM_SPONGE_PRE_F_LIN 12u
#define SM_SPONGE_PRE_F_FULL 13u
#define SM_SPONGE_PRE_F_PART 14u
#define SM_SPONGE_PRE_F_ADD 15u
#define SM_SPONGE_PRE_VALID 16u /* 8 columns */
#define SM_SPONGE_PRE_KEY 24u   /* 8 columns */
#define SM_SPONGE_PRE_MULT 32u  /* 8 columns */
#define SM_SPONGE_N_PRE 40u
/* Main column indices. */
#define SM_SPONGE_MAIN_S 0u  /* 12 columns */
#define SM_SPONGE_MAIN_C 12u /* 12 columns */
#define SM_SPONGE_MAIN_A 24u /* 8 columns */
#define SM_SPONGE_N_MAIN 32u

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
 *          2^log_n >= 32 ceil(n_values / 8) (at least SM_AIR_MIN_LOG_N); 0 when n_values
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

#endif /* STARKML_AIR_SPONGE_H */
