/*
 * Lowering of a quantized model (air/qmodel.h) to constraint tables, and the witness of
 * one inference. docs/zkml-air.md describes every table, its columns and why each value
 * is constrained; this header fixes the interface.
 *
 * Buses (LogUp, air/air.h):
 *  - SM_ZC_BUS_VALUE: (key, value) of every integer of the inference. A producer sends a
 *    value with multiplicity = its number of readers (preprocessed, from the public
 *    architecture); each reader receives it once.
 *  - SM_ZC_BUS_RANGE: 8-bit limbs, looked up in the 2^8-row range table.
 *  - SM_ZC_BUS_LUT:   (table, x, f(x)) entries of the activation tables.
 *
 * Tables, in statement order (a table with no rows is left out):
 *   weights  private: the Poseidon2 sponge over salt || weights (air/sponge.h), its digest
 *            pinned to the vk's; public (--public-weights): the values in preprocessed
 *            columns. Sends every weight and bias.
 *   input    public: one row whose columns equal the public values; hashed: a sponge over
 *            salt || input with its digest public; private: a plain witness column. Sends
 *            every input value.
 *   mac      dot products, SM_ZC_MAC_LANES products per row, running sum with a start flag.
 *   requant  y = clamp(floor((a * M + H) / 2^s), lo, hi) with range-checked remainder and
 *            clamp witnesses.
 *   act      activation lookups: receives x, looks up (table, x, y), sends y.
 *   lut      the activation tables (preprocessed) with lookup multiplicities.
 *   max      max pooling / softmax max: one-hot selection with y - x_j >= 0.
 *   div      softmax normalisation: e * 2^k = y * S + r, 0 <= r < S.
 *   rc       range checks of the values no gadget bounds: weights, biases, the input.
 *   range8   the limbs 0..255.
 *   output   public output: one row equal to the public values; or a predicate over the
 *            hidden output (argmax, threshold, interval). Its publics also carry the
 *            statement digest (8 x 32 bits), binding the whole statement to Fiat-Shamir.
 */
#ifndef STARKML_AIR_ZKAIR_H
#define STARKML_AIR_ZKAIR_H

#include <stddef.h>
#include <stdint.h>

#include "air/air.h"
#include "air/predicate.h"
#include "air/qmodel.h"
#include "starkml.h"

#define SM_ZC_BUS_VALUE 1u
#define SM_ZC_BUS_RANGE 2u
#define SM_ZC_BUS_LUT 3u
#define SM_ZC_MAC_LANES 4u
#define SM_ZC_LIMB_BITS 8u
#define SM_ZC_MAX_TABLES 12u
#define SM_ZC_MAX_WINDOW 64u /* widest MAX window */
#define SM_ZC_SALT_LEN 4u    /* field elements of a sponge salt */
#define SM_ZC_STMT_WORDS 8u  /* statement digest: 8 x 32-bit words in the output table */

typedef enum {
  SM_VIS_PUBLIC = 0,
  SM_VIS_HASHED = 1,
  SM_VIS_PRIVATE = 2,
} sm_visibility;

typedef enum {
  SM_ZC_T_WEIGHTS = 0, SM_ZC_T_INPUT, SM_ZC_T_MAC, SM_ZC_T_REQUANT, SM_ZC_T_ACT, SM_ZC_T_LUT,
  SM_ZC_T_MAX, SM_ZC_T_DIV, SM_ZC_T_RC, SM_ZC_T_RANGE, SM_ZC_T_OUTPUT, SM_ZC_T_COUNT_
} sm_zc_table_kind;

/* How a proof presents the model: fixed at setup (weights) or chosen per proof. */
typedef struct {
  uint32_t input_vis;      /* sm_visibility */
  uint32_t public_weights; /* 1: weights in preprocessed columns (no sponge) */
  sm_predicate pred;       /* kind SM_PRED_NONE: the output is public */
  int64_t pred_lo, pred_hi; /* the predicate's thresholds on the quantized output scale
                               (sm_zc_predicate_thresholds) */
} sm_zc_mode;

/* Public values of a statement (what the verifier knows or the proof reveals). */
typedef struct {
  gl_t weight_digest[4];   /* private weights: Poseidon2(salt || weights), from the vk */
  gl_t input_digest[4];    /* hashed input: Poseidon2(salt || input) */
  const int64_t *input;    /* public input: quantized values (input numel) */
  const int64_t *output;   /* public output: quantized values (output numel) */
  uint32_t stmt[SM_ZC_STMT_WORDS];
} sm_zc_publics;

typedef struct {
  size_t n_tables;
  uint32_t kind[SM_ZC_MAX_TABLES]; /* sm_zc_table_kind of each table */
  sm_air_table tables[SM_ZC_MAX_TABLES];
  gl_t *pre[SM_ZC_MAX_TABLES];     /* column-major; NULL until sm_zc_fill_pre */
  gl_t *main[SM_ZC_MAX_TABLES];    /* column-major; NULL until sm_zc_fill_witness */
  gl_t *publics[SM_ZC_MAX_TABLES];
  /* Layout (internal). */
  const sm_qmodel *m;
  sm_zc_mode mode;
  uint32_t *uses;       /* readers of every value (flat, sm_qmodel_offset order) */
  size_t *offs;         /* per tensor id - 1 */
  size_t n_mac_rows, n_req, n_act, n_lut_rows, n_max, n_div, n_rc, n_weights;
  uint32_t max_window, rc_limbs;
  int has_sponge_w, has_sponge_in;
} sm_zc_circuit;

/*
 * Integer thresholds of a predicate on the output's quantized scale s, exactly:
 * y >= t  <=>  q >= ceil(t / s) computed so that q * s >= t holds in exact arithmetic;
 * y <= t  <=>  q <= floor(t / s). Clamped to the output's bounds widened by one (a
 * threshold outside them is always or never met, and the proof says so honestly).
 * Returns: STARKML_OK or STARKML_ERR_ARG (index out of range for the output).
 */
starkml_status sm_zc_predicate_thresholds(sm_zc_mode *mode, char *why, size_t why_len,
                                          const sm_qmodel *m);

/* Builds the table descriptions for a model and a mode (no columns yet).
 * Returns: STARKML_OK, STARKML_ERR_ARG (with why), STARKML_ERR_NOMEM. */
starkml_status sm_zc_init(sm_zc_circuit *c, char *why, size_t why_len, const sm_qmodel *m,
                          const sm_zc_mode *mode);

/* Fills the preprocessed columns (from the public architecture; public weights need the
 * model's weights). Returns: STARKML_OK, _ARG, _NOMEM. */
starkml_status sm_zc_fill_pre(sm_zc_circuit *c);

/*
 * Fills the main columns of one inference: vals from sm_qmodel_run, salts of the sponges
 * (weights: the pk's secret salt; input: the hashed input's salt). Computes the digests
 * into pub (weight_digest, input_digest).
 * Returns: STARKML_OK, _ARG, _NOMEM, _INTERNAL (a value outside a gadget's range: a bug).
 */
starkml_status sm_zc_fill_witness(sm_zc_circuit *c, sm_zc_publics *pub, const int64_t *vals,
                                  const gl_t salt_w[SM_ZC_SALT_LEN],
                                  const gl_t salt_in[SM_ZC_SALT_LEN]);

/* Fills every table's public values from pub. Returns: STARKML_OK, _ARG, _NOMEM. */
starkml_status sm_zc_fill_publics(sm_zc_circuit *c, const sm_zc_publics *pub);

/* Releases everything and zeroes c (NULL allowed). */
void sm_zc_free(sm_zc_circuit *c);

/* A table kind's name ("mac", ...). */
const char *sm_zc_table_name(uint32_t kind);

#endif
