/*
 * Number-theoretic transforms over Goldilocks and coset low-degree extension (LDE).
 *
 * Conventions (fixed; vectors/core/ntt.json pins them):
 *  - n = 2^log_n, w_n = gl_root_of_unity(log_n).
 *  - Forward NTT: coefficients a_0..a_{n-1} -> evaluations A_i = sum_j a_j w_n^(i j).
 *  - Inverse NTT: evaluations -> coefficients, including the 1/n factor.
 *  - Order: NATURAL means index i holds entry i; BITREV means index i holds entry
 *    bitrev_{log_n}(i). Asking for the order the butterflies naturally produce (forward:
 *    natural in, bit-reversed out; inverse: bit-reversed in, natural out) costs no
 *    permutation pass; other combinations add one.
 *  - Batches: ncols columns, column c at data + c * col_stride (col_stride >= n); columns
 *    are independent transforms. The stride is only read when ncols > 1; ncols == 0 is a
 *    no-op. A stride shorter than a column, a NULL buffer, an order outside sm_order, a
 *    non-canonical shift or (LDE / coset evaluation) overlapping input and output give
 *    STARKML_ERR_ARG.
 *  - LDE: the columns hold evaluations of polynomials of degree < n on <w_n>, natural
 *    order. The output holds, for each column, the N = n * 2^log_blowup evaluations on the
 *    coset shift * <w_N>, in BIT-REVERSED order: out[i] = f(shift * w_N^bitrev_{log N}(i)).
 *    Bit-reversed order puts x and -x side by side (indices 2i, 2i + 1), which is the
 *    pairing FRI folds, so Merkle openings for a fold sit in adjacent leaves.
 *
 * The plan owns every table (twiddles, 2^max_log_n elements in all) and scratch buffer:
 * transforms do not allocate. A plan may be used by one call at a time (its scratch is
 * shared by the calls); make one plan per concurrent caller. Outputs are canonical and do
 * not depend on the plan's thread count.
 */
#ifndef STARKML_CORE_NTT_H
#define STARKML_CORE_NTT_H

#include <stddef.h>

#include "core/field.h"
#include "starkml.h"

#define SM_NTT_MAX_LOG_N 28 /* largest plan accepted; 2^24 is the design target */

typedef enum { SM_ORDER_NATURAL = 0, SM_ORDER_BITREV = 1 } sm_order;

typedef struct sm_ntt_plan sm_ntt_plan;

/*
 * Creates a plan for transforms of size up to 2^max_log_n.
 * Returns: STARKML_OK, STARKML_ERR_ARG (max_log_n > SM_NTT_MAX_LOG_N, threads < 1),
 *          STARKML_ERR_NOMEM.
 */
starkml_status sm_ntt_plan_create(sm_ntt_plan **plan, unsigned max_log_n, int threads);
void sm_ntt_plan_free(sm_ntt_plan *plan);

/* In-place forward NTT of a batch. Returns STARKML_ERR_ARG on a size beyond the plan. */
starkml_status sm_ntt_forward(sm_ntt_plan *plan, gl_t *data, size_t ncols, size_t col_stride,
                              unsigned log_n, sm_order in_order, sm_order out_order);

/* In-place inverse NTT of a batch (includes 1/n). */
starkml_status sm_ntt_inverse(sm_ntt_plan *plan, gl_t *data, size_t ncols, size_t col_stride,
                              unsigned log_n, sm_order in_order, sm_order out_order);

/*
 * Evaluates polynomials given by coefficients on a coset, output bit-reversed:
 * out[c][i] = sum_{j < n_coeffs} coeffs[c][j] * (shift * w_N^bitrev(i))^j, N = 2^log_N.
 * n_coeffs <= N. coeffs is read-only; out must not overlap it.
 */
starkml_status sm_coset_eval(sm_ntt_plan *plan, gl_t *out, size_t out_stride,
                             const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                             size_t ncols, unsigned log_N, gl_t shift);

/*
 * Coset LDE (see the conventions above). `in` is read-only; out must not overlap it.
 * Returns STARKML_ERR_ARG when log_n + log_blowup exceeds the plan.
 */
starkml_status sm_lde(sm_ntt_plan *plan, gl_t *out, size_t out_stride, const gl_t *in,
                      size_t in_stride, size_t ncols, unsigned log_n, unsigned log_blowup,
                      gl_t shift);

/* Reverses the low `bits` bits of i. */
static inline size_t sm_bitrev(size_t i, unsigned bits) {
  size_t r = 0;
  for (unsigned b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
}

#endif
