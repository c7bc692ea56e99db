/*
 * Batched FRI low-degree test over several heights (protocol draft, sections 2, 3, 4
 * items 10-12, 6 and 7): the prover's commit and query phases and the verifier.
 *
 * Domains and order. For a codeword of size N (a power of two) the domain is
 * L_N = s_N * <w_N> with w_N = gl_root_of_unity(log N) and s_N = g^(N_max / N), g = 7,
 * N_max the largest input size. Codewords are gl3_t vectors in BIT-REVERSED order:
 * position i holds the value at x_N(i) = s_N * w_N^bitrev_{log N}(i). Positions 2i and
 * 2i + 1 hold x and -x, and x -> x^2 maps L_N onto L_{N/2} (s_N^2 = s_{N/2}) with the
 * same indexing: position i of the folded vector comes from the pair (2i, 2i + 1).
 *
 * Folding. The binary fold of C with challenge b is
 *     C'(x^2) = (C(x) + C(-x)) / 2 + b * (C(x) - C(-x)) / (2x),
 * i.e. C' = C_even + b * C_odd where C(x) = C_even(x^2) + x * C_odd(x^2). Folding by
 * a = 2^k with challenge b is k successive binary folds with b, b^2, b^4, ...; this equals
 * the draft's C'(y) = sum_r b^r C_r(y) with C(x) = sum_r x^r C_r(x^a). A run of a
 * consecutive positions a*m .. a*m + a - 1 (a "coset": the points x_0 * w_a^bitrev(r))
 * folds to position m of the next layer.
 *
 * Schedule (sm_fri_schedule_compute). Inputs have sizes N_t = 2^log_size (several may
 * share a size); input t claims degree < N_t / B, B = 2^log_blowup. Let
 * T = B * 2^log_final_degree and N_f = min(N_max, T) (the final size). Layer 0 has size
 * N_max and is the sum of the inputs of that size. While the current layer size N > N_f,
 * the layer is committed and folded with arity a = min(2^log_arity, N / N_next), where
 * N_next = max(largest input size below N, N_f); after the fold the inputs whose size is
 * the new layer size are added ("injected"). So every input size is a layer size and the
 * last layer has size exactly N_f. That last layer is not committed: it is sent as the
 * n_final = N_f / B coefficients c_k of C(y) = sum_k c_k y^k (monomial basis in the
 * layer's own domain variable y in L_{N_f}); n_final = 2^log_final_degree whenever
 * N_max >= T. Inputs smaller than N_f cannot be injected: sm_fri_schedule_compute refuses
 * them, so the caller chooses log_final_degree <= min_t (log_size_t - log_blowup).
 *
 * Commitments. Committed layer j (size N_j, arity a_j) is a Merkle tree (core/merkle.h)
 * of N_j / a_j leaves; leaf m holds the a_j values at positions a_j*m .. a_j*m + a_j - 1
 * as 3*a_j base elements (value r's v[0], v[1], v[2], r in order). Leaves are not salted:
 * in zero-knowledge mode the STARK layer adds a random mask polynomial to every FRI input
 * (draft section 6, R_t), which makes every layer's values uniformly distributed apart
 * from the low-degree structure the verifier is meant to learn, so they are simulatable.
 *
 * Transcript (core/transcript.h), in this order: for each committed layer j,
 * absorb("fri-layer", root_j) then b_j = challenge_gl3("fold"); finally
 * absorb_gl3("fri-final", c_0 .. c_{n_final - 1}). Grinding and query sampling follow
 * in the caller.
 *
 * Queries. For i_0 in [0, N_max), layer j's index is i_j = i_0 >> (sum_{l<j} log a_l)
 * (the final layer's index is i_L, L = n_layers). The opening of layer j is leaf
 * i_j / a_j (its a_j values) and its Merkle path. The verifier checks every path, that
 * the opened value at position i_j mod a_j of layer j equals the value folded from
 * layer j - 1 plus layer j's injected value (for j = 0: the injected value alone), folds
 * the opened run to get the next value, and finally that C(y_L), y_L = x_{N_f}(i_L),
 * equals the last folded value plus the final layer's injected value. The injected
 * value of a layer is the sum of the caller's input codewords of that layer's size at
 * position i_j (zero where no input has that size); the STARK verifier computes it from
 * its own openings.
 *
 * Nothing here depends on secret data in a way that matters: FRI values are public
 * (masked) and the code is not constant-time.
 */
#ifndef STARKML_FRI_FRI_H
#define STARKML_FRI_FRI_H

#include <stddef.h>
#include <stdint.h>

#include "core/backend.h"
#include "core/field.h"
#include "core/merkle.h"
#include "core/ntt.h"
#include "core/ser.h"
#include "core/transcript.h"
#include "starkml.h"

/* Largest codeword: 2^32 is the Goldilocks two-adicity, so no larger domain exists. */
#define SM_FRI_MAX_LOG_SIZE 32u
/* Every layer folds at least one bit, so there are at most this many committed layers. */
#define SM_FRI_MAX_LAYERS 32u
#define SM_FRI_MAX_LOG_ARITY 4u
#define SM_FRI_MAX_ARITY (1u << SM_FRI_MAX_LOG_ARITY)
/* Parameter ranges accepted (beyond them a proof would be absurdly large or slow). */
#define SM_FRI_MAX_LOG_BLOWUP 16u
#define SM_FRI_MAX_LOG_FINAL_DEGREE 16u

/*
 * FRI parameters. The first three are fixed by the proof options and bound into the
 * statement by the caller; `threads` is a performance knob only (results are bit-identical
 * for any value).
 */
typedef struct {
  /* B = 2^log_blowup, 1..16: the code rate is 1/B. Each query then rejects a far word
   * with probability about 1 - 1/B (conjectured) or 1 - 1/sqrt(B) (Johnson bound): more
   * blowup, fewer queries for the same security, at B times the prover's work. */
  unsigned log_blowup;
  /* Largest folding arity 2^log_arity, 1..4. Higher arity: fewer layers and Merkle paths
   * (smaller proofs), larger leaves. Soundness changes only through the number of rounds
   * (docs/soundness.md). */
  unsigned log_arity;
  /* The final layer is sent as a polynomial of degree < 2^log_final_degree, 0..16. Larger:
   * fewer layers, a longer final message. No effect on the per-query soundness. */
  unsigned log_final_degree;
  /* Worker threads (>= 1). */
  int threads;
  /* Where the prover's Merkle hashing, folding and NTT run (core/backend.h); NULL: the
   * CPU. Inputs on the backend's device (sm_fri_input.mat) keep every layer there (the
   * backend's fri_layer); host inputs are folded on the host. Results are bit-identical
   * for every backend. */
  sm_backend *backend;
} sm_fri_params;

/*
 * The layer schedule, a pure function of the parameters and the input sizes.
 * Invariants: log_size[0] = log N_max; log_size[j + 1] = log_size[j] - log_arity[j];
 * 1 <= log_arity[j] <= params.log_arity; log_size[n_layers] = log_final_size;
 * n_final = 2^(log_final_size - log_blowup); injected[j] says whether some input has
 * size 2^log_size[j] (always 1 for j = 0).
 */
typedef struct {
  unsigned n_layers;                             /* committed layers L (0 allowed) */
  unsigned log_size[SM_FRI_MAX_LAYERS + 1];      /* [0..L]: L is the final layer */
  unsigned log_arity[SM_FRI_MAX_LAYERS];         /* [0..L) */
  unsigned char injected[SM_FRI_MAX_LAYERS + 1]; /* [0..L] */
  unsigned log_max_size;                         /* log N_max = log_size[0] */
  unsigned log_final_size;                       /* log N_f = log_size[L] */
  size_t n_final;                                /* coefficients of the final polynomial */
  unsigned log_blowup;
} sm_fri_schedule;

/*
 * Computes the schedule (rule in the comment at the top).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL pointers, n == 0, parameters out of range,
 *          a size below log_blowup or above SM_FRI_MAX_LOG_SIZE, a size below the final
 *          size).
 * Out:  out         the schedule (zeroed on failure).
 * In:   p           parameters; input_log_sizes[0..n) the inputs' log sizes, any order.
 */
starkml_status sm_fri_schedule_compute(sm_fri_schedule *out, const sm_fri_params *p,
                                       const unsigned *input_log_sizes, size_t n);

/* Returns: the index at layer j (0 <= j <= n_layers) of query index i0. */
size_t sm_fri_layer_index(const sm_fri_schedule *s, size_t i0, unsigned j);

/* Returns: x_N(i) = g^(2^(log_max_size - log_size)) * w_N^bitrev_{log N}(i), N = 2^log_size,
 *          the domain point of position i of a size-N codeword (log_size <= log_max_size). */
gl_t sm_fri_point(unsigned log_max_size, unsigned log_size, size_t i);

/* Returns: 1 / sm_fri_point(log_max_size, log_size, i), without an inversion. */
gl_t sm_fri_point_inv(unsigned log_max_size, unsigned log_size, size_t i);

/* Internal (exposed for tests): the tables behind sm_fri_point, k <= 32:
   gl_root_of_unity(k) and GL_GENERATOR^(2^k), and their inverses (sm_fri_point_inv). */
gl_t sm_fri__table_root(unsigned k);
gl_t sm_fri__table_shift(unsigned k);
gl_t sm_fri__table_root_inv(unsigned k);
gl_t sm_fri__table_shift_inv(unsigned k);

/* Why a verification failed (for tests and diagnostics; the status is what counts). */
#define SM_FRI_REASON_MAP(X)                                                        \
  X(SM_FRI_REASON_NONE, "none")                                                     \
  X(SM_FRI_REASON_SHAPE, "proof shape or encoding does not match the schedule")     \
  X(SM_FRI_REASON_INDEX, "query index out of range")                                \
  X(SM_FRI_REASON_PATH, "Merkle path does not lead to the layer root")              \
  X(SM_FRI_REASON_VALUE, "opened value differs from folded value plus injection")   \
  X(SM_FRI_REASON_FINAL, "final polynomial differs from the last folded value")     \
  X(SM_FRI_REASON_FINAL_DEGREE, "final layer is not of low degree (prover side)")

typedef enum {
#define SM_FRI_REASON_ENUM_(name, str) name,
  SM_FRI_REASON_MAP(SM_FRI_REASON_ENUM_)
#undef SM_FRI_REASON_ENUM_
  SM_FRI_REASON_COUNT_
} sm_fri_reason;

/* Returns: a static description of a reason (never NULL). */
const char *sm_fri_reason_str(sm_fri_reason reason);

/* ---- Prover -------------------------------------------------------------------------- */

/*
 * One input codeword: 2^log_size values, bit-reversed order, on L_{2^log_size}, given either
 * in host memory (values) or as a matrix the backend holds on its device (mat: 3 columns,
 * 2^log_size rows, component k of value i at column k, row i; mat->dev set). Exactly one
 * of the two is set, and every input of one commit is given the same way.
 */
typedef struct {
  unsigned log_size;
  const gl3_t *values;
  const sm_be_mat *mat;
} sm_fri_input;

/*
 * The prover's state after the commit phase.
 * Invariants: layers[j] holds committed layer j as the column-major matrix its Merkle
 * tree was built from: with a = 2^log_arity[j] and R = 2^(log_size[j] - log_arity[j])
 * rows, component k of position a*m + r is at column 3r + k, row m (host memory for host
 * inputs; only on params.backend's device, with its tree, for device inputs); trees[j] is
 * that tree, roots[j] its root, betas[j] the layer's folding challenge; final_coeffs holds
 * sched.n_final coefficients.
 */
typedef struct {
  sm_fri_params params;
  sm_fri_schedule sched;
  sm_be_mat layers[SM_FRI_MAX_LAYERS];
  sm_merkle_tree trees[SM_FRI_MAX_LAYERS];
  sm_digest roots[SM_FRI_MAX_LAYERS];
  gl3_t betas[SM_FRI_MAX_LAYERS];
  gl3_t *final_coeffs;
} sm_fri_prover;

/*
 * The FRI commit phase: builds, commits and folds every layer, interpolates the final
 * layer and runs the transcript schedule above. With device inputs the layers are made,
 * committed and folded on the backend's device (core/backend.h, fri_layer) and only the
 * roots and the final layer (3 N_f values) come back; its interpolation and degree check
 * run on the host either way.
 * Returns: STARKML_OK;
 *          STARKML_REJECT when the final layer has a nonzero coefficient at degree
 *            >= n_final: some input was not of the claimed degree (an honest prover never
 *            sees this; for a STARK it means the witness does not satisfy the AIR);
 *          STARKML_ERR_ARG (NULL pointers, bad parameters or sizes as in
 *            sm_fri_schedule_compute, an input with neither or both of values and mat,
 *            host and device inputs mixed, a device input not of 3 columns and 2^log_size
 *            rows or without a device copy, device inputs and a backend without
 *            fri_layer, a plan smaller than the final size); STARKML_ERR_NOMEM;
 *          the backend's STARKML_ERR_NOMEM or STARKML_ERR_BACKEND.
 * Out:   out     the prover state (zeroed on failure); release with sm_fri_prover_free.
 * In/Out: tr     transcript; on failure its state is unspecified (abandon the proof).
 *         plan   NTT plan of at least log_final_size (used for the final interpolation).
 * In:    p, inputs[0..n_inputs)  values canonical; inputs are only read.
 */
starkml_status sm_fri_commit(sm_fri_prover *out, sm_transcript *tr, sm_ntt_plan *plan,
                             const sm_fri_params *p, const sm_fri_input *inputs,
                             size_t n_inputs);

/*
 * Internal (exposed for tests): sm_fri_commit, but with allow_high_degree != 0 a final
 * layer of too high a degree is truncated to n_final coefficients instead of refused, so
 * that tests can play a cheating prover and check that queries catch it.
 */
starkml_status sm_fri__commit(sm_fri_prover *out, sm_transcript *tr, sm_ntt_plan *plan,
                              const sm_fri_params *p, const sm_fri_input *inputs,
                              size_t n_inputs, int allow_high_degree);

/* Releases the prover state, its device layers and trees included (on params.backend,
   which must still be open; NULL allowed; the struct is zeroed). */
void sm_fri_prover_free(sm_fri_prover *pr);

/*
 * One query's openings. With offsets from the schedule: layer j's 2^log_arity[j] values
 * start at values + sum_{l<j} 2^log_arity[l], its log_size[j] - log_arity[j] path digests
 * (leaf level first) at paths + sum_{l<j} (log_size[l] - log_arity[l]).
 */
typedef struct {
  unsigned n_layers;
  gl3_t *values;
  sm_digest *paths;
} sm_fri_query_proof;

/*
 * Opens every committed layer at the query indices i0[0..n): out[k] for i0[k] (repeats
 * allowed). Layers on a device come back only in part: per layer, the n opened rows
 * (read_rows) and the siblings on their paths (sm_be_merkle_fetch_paths, each node once).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL pointers with n > 0, an index >= N_max, an
 *          uncommitted prover); STARKML_ERR_NOMEM; the backend's errors.
 * Out:    out[0..n)  the openings (all zeroed on failure); release each with
 *                    sm_fri_query_proof_free.
 * In/Out: pr         a committed prover (the fetched path nodes enter its trees).
 * In:     i0[0..n)   the query indices.
 */
starkml_status sm_fri_open_batch(sm_fri_query_proof *out, sm_fri_prover *pr, const size_t *i0,
                                 size_t n);

/* sm_fri_open_batch of one query index. */
starkml_status sm_fri_open(sm_fri_query_proof *out, sm_fri_prover *pr, size_t i0);

void sm_fri_query_proof_free(sm_fri_query_proof *q);

/* ---- Verifier ------------------------------------------------------------------------ */

/* The verifier's state after replaying the commit phase. final_coeffs: sched.n_final. */
typedef struct {
  sm_fri_params params;
  sm_fri_schedule sched;
  sm_digest roots[SM_FRI_MAX_LAYERS];
  gl3_t betas[SM_FRI_MAX_LAYERS];
  gl3_t *final_coeffs;
} sm_fri_verifier;

/*
 * Replays the commit phase: absorbs the roots, draws the betas, absorbs the final
 * polynomial, exactly as sm_fri_commit did.
 * Returns: STARKML_OK;
 *          STARKML_REJECT (n_roots != sched.n_layers, n_final != sched.n_final, or a
 *            non-canonical final coefficient; the transcript is then untouched);
 *          STARKML_ERR_ARG (NULL pointers, bad parameters or sizes); STARKML_ERR_NOMEM.
 * Out:   v    the verifier (zeroed on failure); release with sm_fri_verifier_free.
 * In/Out: tr  the transcript, in the state the prover's was in before sm_fri_commit.
 * In:    p, input_log_sizes[0..n)   as given to the prover (public: table shapes);
 *        roots[0..n_roots), final_coeffs[0..n_final)   from the proof.
 */
starkml_status sm_fri_verifier_init(sm_fri_verifier *v, sm_transcript *tr,
                                    const sm_fri_params *p, const unsigned *input_log_sizes,
                                    size_t n, const sm_digest *roots, size_t n_roots,
                                    const gl3_t *final_coeffs, size_t n_final);

void sm_fri_verifier_free(sm_fri_verifier *v);

/*
 * Checks one query.
 * Returns: STARKML_OK; STARKML_REJECT (see reason); STARKML_ERR_ARG (NULL v, injected or
 *          q; n_injected != sched.n_layers + 1).
 * Out: reason       why it was rejected (SM_FRI_REASON_NONE on success); may be NULL.
 * In:  v            an initialised verifier;
 *      i0           the query index (i0 >= N_max is rejected);
 *      injected[0..n_injected)  per layer 0..n_layers, the sum of the inputs of that
 *                   layer's size at the layer's index (zero where none), canonical;
 *      q            the prover's openings for i0.
 */
starkml_status sm_fri_verify_query(sm_fri_reason *reason, const sm_fri_verifier *v, size_t i0,
                                   const gl3_t *injected, size_t n_injected,
                                   const sm_fri_query_proof *q);

/*
 * Checks the Merkle paths of n queries, every layer's at once (sm_merkle_verify_batch:
 * each distinct tree node is hashed once, four at a time). Returns 1 exactly when every
 * query's paths would pass sm_fri_verify_query's path checks, 0 otherwise (including a
 * query whose shape or index sm_fri_verify_query would reject, bad arguments, and an
 * allocation failure). After 1, sm_fri_verify_query_values checks the rest of each query;
 * after 0, sm_fri_verify_query (one at a time) says which query fails and why.
 * In: v an initialised verifier; i0[0..n) the query indices; q[0..n) their openings;
 *     threads >= 1 (layers are checked in parallel).
 */
int sm_fri_verify_paths(const sm_fri_verifier *v, const size_t *i0, const sm_fri_query_proof *q,
                        size_t n, int threads);

/* sm_fri_verify_query without the Merkle path checks, for queries whose paths passed
   sm_fri_verify_paths. Same returns and reasons otherwise. */
starkml_status sm_fri_verify_query_values(sm_fri_reason *reason, const sm_fri_verifier *v,
                                          size_t i0, const gl3_t *injected, size_t n_injected,
                                          const sm_fri_query_proof *q);

/* ---- Serialization (core/ser.h; embedded by the STARK proof format) ------------------- *
 *
 * Commitment:  u32 n_roots, n_roots x 32-byte root, u32 n_final, n_final x gl3
 *              (a gl3 is v[0], v[1], v[2] as LE64 each, canonical).
 * Query proof: u32 n_layers, then for each layer j: 2^log_arity[j] x gl3 (the opened run),
 *              (log_size[j] - log_arity[j]) x 32-byte digest (the path, leaf level first).
 * Readers take the schedule (public) and accept exactly its shape: a count that differs,
 * a non-canonical element or a short input is STARKML_ERR_PARSE. They leave trailing
 * bytes to the caller's sm_r_finish.
 */

/* Returns: the writer's status (STARKML_ERR_ARG on NULL arrays with nonzero counts). */
starkml_status sm_fri_write_commitment(sm_writer *w, const sm_digest *roots, size_t n_roots,
                                       const gl3_t *final_coeffs, size_t n_final);

/*
 * Returns: STARKML_OK; STARKML_ERR_PARSE (malformed, or a shape other than s's);
 *          STARKML_ERR_ARG (NULL pointers).
 * Out: roots[s->n_layers], final_coeffs[s->n_final]: caller buffers (zeroed on failure).
 */
starkml_status sm_fri_read_commitment(sm_digest *roots, gl3_t *final_coeffs, sm_reader *r,
                                      const sm_fri_schedule *s);

/* Returns: the writer's status; STARKML_ERR_ARG when q's shape is not s's. */
starkml_status sm_fri_write_query_proof(sm_writer *w, const sm_fri_schedule *s,
                                        const sm_fri_query_proof *q);

/*
 * Returns: STARKML_OK; STARKML_ERR_PARSE; STARKML_ERR_ARG; STARKML_ERR_NOMEM.
 * Out: q   (zeroed on failure); release with sm_fri_query_proof_free.
 */
starkml_status sm_fri_read_query_proof(sm_fri_query_proof *q, sm_reader *r,
                                       const sm_fri_schedule *s);

#endif /* STARKML_FRI_FRI_H */
