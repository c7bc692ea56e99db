/*
 * Poseidon2 (Grassi, Khovratovich, Schofnegger, "Poseidon2: A Faster Version of the
 * Poseidon Hash Function", AFRICACRYPT 2023, eprint 2023/323) over Goldilocks, width 12:
 * the in-AIR commitment of starkml (weights and hashed inputs, see ../shared/DESIGN.md).
 *
 * Instance: t = 12, S-box x^7 (gcd(7, p - 1) = 1, so it permutes F_p), R_F = 8 full
 * rounds (4 + 4), R_P = 22 partial rounds, with the round constants RC12 and the internal
 * diagonal MAT_DIAG12_M_1 published by the authors' reference implementation
 * (github.com/HorizenLabs/poseidon2, plain_implementations/src/poseidon2/
 * poseidon2_instance_goldilocks.rs, commit bb476b9ca38198cf5092487283c8b8c5d4317c4e).
 * tests/test_core_poseidon2.c checks the reference's known-answer test for t = 12
 * (input 0, 1, ..., 11 -> 0x01eaef96bdf1c0c1, ...) from the same commit. Earlier commits of
 * the reference carried other Goldilocks constants, with other expected outputs
 * (0xed3dbcc4ff1e8d33..., 0x12a0e34a20879ec7...); implementations copied from those differ.
 *
 * The permutation, exactly as the reference's Poseidon2::permutation:
 *
 *   s = M_E s                                       (initial external linear layer)
 *   4 x  { s += rc_full[r];  s_i = s_i^7 (all i);  s = M_E s }
 *   22 x { s_0 += rc_partial[r];  s_0 = s_0^7;     s = M_I s }
 *   4 x  { s += rc_full[4 + r];  s_i = s_i^7 (all i);  s = M_E s }
 *
 * M_E = circ(2 M4, M4, M4) (three 4x4 blocks: 2 M4 on the diagonal, M4 elsewhere) with
 * M4 = [[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]]; M_I = J + diag(sm_p2_diag), J the
 * all-ones matrix (so (M_I s)_i = sm_p2_diag[i] s_i + sum_j s_j).
 *
 * Invariants: every function takes canonical states and leaves canonical states; the
 * constant tables are canonical. Nothing here allocates, and the time of every function
 * is independent of the data (no data-dependent branches), so it may hash secret salts.
 */
#ifndef STARKML_CORE_POSEIDON2_H
#define STARKML_CORE_POSEIDON2_H

#include <stddef.h>

#include "core/field.h"

#define SM_P2_WIDTH 12
#define SM_P2_RATE 8     /* sponge lanes 0..7 absorb */
#define SM_P2_CAPACITY 4 /* lanes 8..11: 4 x 64 bits, 128-bit collision resistance */
#define SM_P2_DIGEST 4   /* the digest is lanes 0..3 */
#define SM_P2_FULL_ROUNDS 8
#define SM_P2_PARTIAL_ROUNDS 22

/* Round constants of the full rounds: rows 0..3 are the first four rounds (RC12[0..3]),
 * rows 4..7 the last four (RC12[26..29]). */
extern const gl_t sm_p2_rc_full[SM_P2_FULL_ROUNDS][SM_P2_WIDTH];
/* Round constants of the partial rounds, added to lane 0 (RC12[4 + r][0]; the reference's
 * other lanes of those rows are zero). */
extern const gl_t sm_p2_rc_partial[SM_P2_PARTIAL_ROUNDS];
/* The internal matrix's diagonal minus one (MAT_DIAG12_M_1). */
extern const gl_t sm_p2_diag[SM_P2_WIDTH];

/* In/Out: s  the state, replaced by M_E s (the external linear layer). */
void sm_p2_external_linear(gl_t s[SM_P2_WIDTH]);

/* In/Out: s  the state, replaced by M_I s = diag(sm_p2_diag) s + (sum_j s_j) (1, ..., 1). */
void sm_p2_internal_linear(gl_t s[SM_P2_WIDTH]);

/* In/Out: state  replaced by its image under the Poseidon2 permutation. */
void sm_poseidon2_permute(gl_t state[SM_P2_WIDTH]);

/*
 * Fixed-length sponge (the length is public in every use, so no padding rule is needed to
 * separate lengths: the length itself is absorbed as the initial capacity).
 *   state = 0; state[8] = n (domain separation by length);
 *   for each block of 8 input elements (the last one zero-padded): add the block into
 *   state[0..7], permute; for n = 0, one permutation of the initial state;
 *   digest = state[0..3].
 * Out: digest  SM_P2_DIGEST elements (may not alias in).
 * In:  in      n canonical elements (may be NULL when n == 0).
 */
void sm_poseidon2_hash(gl_t digest[SM_P2_DIGEST], const gl_t *in, size_t n);

#endif /* STARKML_CORE_POSEIDON2_H */
