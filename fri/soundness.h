/*
 * Soundness calculator: how many bits of security a STARK proof with given parameters has.
 *
 * One function, sm_soundness_compute(), turns the proof parameters into three figures:
 *  - conjectured: the ethSTARK "toy problem" estimate (each query worth log2(blowup) bits).
 *    It rests on the "up to capacity" proximity-gap conjecture, which was disproven in
 *    November 2025; the figure is informational and the `fast` preset alone relies on it.
 *  - provable: a round-by-round soundness bound in the list-decoding (Johnson) regime,
 *    maximised over the Guruswami-Sudan multiplicity parameter m. The `secure` preset is
 *    defined by this figure.
 *  - unique decoding: the same round-by-round bound in the unique-decoding regime, the most
 *    conservative of the three (no list of candidate witnesses to union-bound over).
 * docs/soundness.md states every term, its source and the presets' concrete numbers.
 *
 * Invariants: a figure is a whole number of bits, floor(-log2(error)); every figure is
 * capped by the hash's collision resistance. Bits never increase when the statement grows
 * (longer trace, more constraints, more lookups) and never decrease when the protocol
 * spends more (more queries, more grinding). Parameters that fail sm_soundness_check()
 * give all-zero figures, so a verifier's floor check rejects them.
 *
 * Nothing here allocates, touches global state or depends on secret data.
 */
#ifndef STARKML_FRI_SOUNDNESS_H
#define STARKML_FRI_SOUNDNESS_H

#include <stdint.h>

#include "starkml.h"

/* log2 |F| of the challenge field F_p[X]/(X^3 - 7) over Goldilocks. The exact value is
 * 3*log2(2^64 - 2^32 + 1) = 192 - 1.0e-9; the difference is below what a whole-bit figure
 * can show (see SM_SOUNDNESS_BITS_EPS in soundness.c). */
#define SM_FIELD_BITS_GOLDILOCKS3 192.0
/* The quadratic extension, for comparing with Plonky2 and Winterfell parameter sets. */
#define SM_FIELD_BITS_GOLDILOCKS2 128.0
/* SHA3-256 output length; its collision resistance is half of it, 128 bits. */
#define SM_HASH_BITS_SHA3_256 256u

/* Security targets of the presets, in bits. */
#define SM_SECURE_TARGET_BITS 128u
#define SM_FAST_TARGET_BITS 100u

/* Statement sizes up to which a preset's guarantee holds without recomputation: the
 * preset chooses its queries as if the statement were this large (see sm_soundness_preset). */
#define SM_PRESET_MAX_CONSTRAINTS (1ull << 16)
#define SM_PRESET_MAX_COMMITTED_POLYS (1ull << 12)
#define SM_PRESET_MAX_LOGUP_TERMS (1ull << 36)
#define SM_PRESET_MAX_LOGUP_WIDTH 16u

/* How verifier randomness combines many items (constraints, or polynomials into FRI). */
typedef enum {
  /* Coefficients are powers 1, r, r^2, ... of one challenge r (what starkml does): cheap,
   * but a combination of N items vanishes for up to N - 1 bad values of r, so the error of
   * that step is multiplied by N - 1. */
  SM_BATCH_POWERS = 0,
  /* Each item gets its own independent challenge: the step's error is that of one item. */
  SM_BATCH_INDEPENDENT = 1
} sm_batching;

/* Which proven proximity-gap bound the list-decoding commit phase uses. */
typedef enum {
  /* The smaller (better) of the two bounds below for every round: both are theorems bounding
   * the probability of the same event, so the smaller one is a valid bound. Default. */
  SM_PROXGAP_BEST = 0,
  /* Only BCIKS20 Theorem 1.5, (m + 1/2)^7 |D|^2 / (3 rho^(3/2) |F|): what Winterfell uses;
   * kept to reproduce Winterfell's published figures. It grows with |D|^2 and caps a
   * 192-bit field below 128 provable bits from n = 2^22 (blowup 8, one batched polynomial),
   * and far earlier when many polynomials are batched with powers of one challenge. */
  SM_PROXGAP_BCIKS20 = 1
} sm_proxgap_bound;

/*
 * Everything the soundness of one proof depends on.
 *
 * The first group are the protocol's soundness knobs: the prover chooses them, the proof
 * carries them, and the verifier recomputes the figures from them (never trusting figures a
 * proof claims). The second group describes the statement (its shape): it comes from the vk
 * and the table shapes, not from the prover's choice. fold_arity is the only performance
 * knob here; it is listed because the unique-decoding bound depends on it a little.
 */
typedef struct {
  /* --- protocol knobs ------------------------------------------------------------------ */

  /* log2 of the size of the field every verifier challenge is drawn from (LogUp, constraint
   * composition, the out-of-domain point z, FRI batching and folding). Every "bad challenge"
   * event has probability (count of bad values)/|F|, so each field term of the bound gains
   * one bit per bit of field. SM_FIELD_BITS_GOLDILOCKS3 for starkml. */
  double field_bits;
  /* Output length of the Merkle / Fiat-Shamir hash in bits. A collision lets a prover open a
   * commitment two ways, so no figure exceeds hash_bits / 2. */
  unsigned hash_bits;
  /* log2 of the blowup B = |D| / n (D: the LDE domain, n: the degree bound). A larger blowup
   * lowers the rate rho = 1/B, so each FRI query catches a cheating prover with higher
   * probability: about log2(B) bits per query conjectured, about log2(B)/2 proven. It also
   * enlarges |D|, which costs a little in the field terms. */
  unsigned log_blowup;
  /* Number of FRI query positions. The query phase's error is alpha^num_queries, alpha the
   * probability that one query misses: security is linear in the number of queries. */
  unsigned num_queries;
  /* Proof-of-work bits ground by the prover after the commit phase and before the query
   * positions are drawn. Each bit doubles the cost of re-trying the query phase, so it adds
   * one bit to the query term (and only to it). */
  unsigned grinding_bits;
  /* FRI folding arity (a power of two >= 2): each round combines `fold_arity` functions with
   * powers of one challenge, an error of (fold_arity - 1) bad challenges per candidate.
   * Chiefly a performance knob (fewer, wider rounds). */
  unsigned fold_arity;
  /* How the constraints are composed (ALI): starkml uses powers of one challenge. */
  sm_batching ali_batching;
  /* How DEEP batches the committed polynomials into one FRI input: starkml uses powers. */
  sm_batching deep_batching;
  /* Which proximity-gap theorem bounds the list-decoding commit phase. */
  sm_proxgap_bound proxgap;

  /* --- statement shape ----------------------------------------------------------------- */

  /* log2 of the degree bound n of the largest trace polynomial, after zero-knowledge
   * randomization (n = next_pow2(rows + randomizer coefficients)): |D| = n * B. Larger n means
   * a larger code and domain, so every field term loses about log2 n bits. */
  unsigned log_trace_len;
  /* Largest total degree d of a constraint in the trace columns. The DEEP step's error grows
   * with d * n (the degree of the composition polynomial). */
  unsigned max_degree;
  /* Number of constraints C combined into the composition polynomial. With powers of one
   * challenge the ALI error is (C - 1) times that of one constraint. */
  uint64_t num_constraints;
  /* Number of committed polynomials N that DEEP batches into FRI (trace and auxiliary
   * columns and quotient chunks, over all tables). With powers of one challenge the FRI
   * batching error is (N - 1) times that of one polynomial. */
  uint64_t num_committed_polys;
  /* Number of out-of-domain points each polynomial is opened at (2: z and z*omega). The
   * DEEP quotients live in a code of rate rho+ = (n + k)/|D|, which sets the query error. */
  unsigned num_ood_points;
  /* LogUp: total number of looked-up terms over every bus and table (rows times
   * interactions), and total number of table rows they are checked against. The LogUp
   * identity, cleared of denominators, has degree about lookups + table rows in the
   * challenge, so its error is (lookups + table rows) * width / |F| (Haboeck 2022). Zero and
   * zero when the proof has no lookups. */
  uint64_t logup_num_lookups;
  uint64_t logup_table_size;
  /* Components per looked-up tuple, compressed with powers of a second challenge: the
   * identity's degree in that challenge multiplies the error by the width. */
  unsigned logup_tuple_width;
} sm_soundness_params;

/* The bits of each round of one regime (-log2 of its error), before flooring; INFINITY for a
 * step the proof does not have (no lookups). The regime's figure is the minimum. */
typedef struct {
  double ali;       /* constraint composition (ALI) challenge */
  double deep;      /* out-of-domain point z */
  double logup;     /* LogUp challenges */
  double fri_batch; /* DEEP batching into FRI / first correlated-agreement step */
  double fri_fold;  /* worst FRI folding round */
  double fri_query; /* query phase, grinding included */
  double hash;      /* collision resistance of the hash */
} sm_soundness_terms;

typedef struct {
  /* ethSTARK conjecture (informational since November 2025). */
  unsigned conjectured_bits;
  /* Proven, list-decoding (Johnson) regime, maximised over m. */
  unsigned provable_bits;
  /* Proven, unique-decoding regime. */
  unsigned unique_decoding_bits;
  /* The multiplicity parameter m at which provable_bits is reached (0 when no m is valid). */
  unsigned best_m;
  /* Per-round breakdown of each regime, for `starkml inspect` and the documentation. */
  sm_soundness_terms conjectured;
  sm_soundness_terms provable;
  sm_soundness_terms unique_decoding;
} sm_soundness_bits;

typedef enum {
  /* Default: at least SM_SECURE_TARGET_BITS proven bits. */
  SM_PRESET_SECURE = 0,
  /* Experiments: at least SM_FAST_TARGET_BITS conjectured bits (Plonky2's standard config). */
  SM_PRESET_FAST = 1
} sm_preset;

/*
 * Checks that the parameters describe a protocol the formulas apply to.
 * Returns: STARKML_OK, or STARKML_ERR_ARG for NULL, a non-finite or non-positive field size,
 *          zero queries, hash, blowup, degree, constraints, polynomials, OOD points or tuple
 *          width, a fold arity that is not a power of two in [2, 256], a trace or domain too
 *          large to describe (log2 |D| > 62), rho+ >= 1, or an unknown enum value.
 */
starkml_status sm_soundness_check(const sm_soundness_params *p);

/*
 * Computes all three figures and their per-round breakdown.
 * Out: *out  the figures; all zero (and every term 0) when sm_soundness_check(p) fails.
 * In:  p     the parameters.
 */
void sm_soundness_compute(sm_soundness_bits *out, const sm_soundness_params *p);

/* Internal (exposed for tests): sm_soundness_compute scanning every m of the list-decoding
   search (SM_M_MIN..SM_M_MAX) instead of stopping a bit past the peak. */
void sm_soundness__compute_full(sm_soundness_bits *out, const sm_soundness_params *p);

/*
 * Chooses the protocol knobs of a preset for a statement of the given size.
 * The shape fields other than log_trace_len and max_degree are set to the preset limits
 * (SM_PRESET_MAX_*), so the chosen parameters meet the target for every statement up to those
 * sizes; a caller may lower them to the real counts, which only raises the figures.
 * Returns: STARKML_OK; STARKML_ERR_ARG for NULL, an unknown preset, log_trace_len outside
 *          [3, 40], max_degree outside [1, 64], or a size for which no parameters up to 1024
 *          queries meet the target.
 * Out: *out           the parameters (zeroed on failure).
 * In:  preset         SM_PRESET_SECURE or SM_PRESET_FAST.
 *      log_trace_len  log2 of the degree bound n (after zero-knowledge randomization).
 *      max_degree     largest constraint degree.
 */
starkml_status sm_soundness_preset(sm_soundness_params *out, sm_preset preset,
                                   unsigned log_trace_len, unsigned max_degree);

/*
 * The verifier's floor: does a proof with these figures meet the preset's target?
 * SM_PRESET_SECURE asks for SM_SECURE_TARGET_BITS proven bits in either proven regime (both
 * are theorems); SM_PRESET_FAST asks for SM_FAST_TARGET_BITS conjectured bits.
 * Returns: 1 if it does, 0 if not (and for NULL or an unknown preset).
 */
int sm_soundness_meets(const sm_soundness_bits *bits, sm_preset target);

#endif
