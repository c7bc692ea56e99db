/*
 * Deterministic random generator for the prover's secret randomness (zero-knowledge
 * randomizers, Merkle salts, blinders): SHA3-256 in counter mode,
 *   block_i = SHA3-256( "starkml/prg/v1" || seed (32 bytes) || LE32(|label|) || label || LE64(i) ).
 * Streams with different labels are independent, and any position of a stream can be
 * computed directly (sm_prg_at), so parallel fills are identical for any thread count.
 * Bulk randomness (Merkle leaf salts) uses wide blocks of 136 bytes instead, one SHAKE256
 * squeeze each (about four times fewer permutations per byte), in a domain of their own:
 *   wide_i = SHAKE256("starkml/prg/wide/v1" || seed || LE32(|label|) || label || LE64(i))
 *            [0 .. 136).
 *
 * The seed is SECRET in real proofs (it is drawn from the operating system); a fixed seed
 * is for deterministic vectors and cross-backend tests only. Field elements are drawn by
 * rejection of 64-bit values >= p, so they are exactly uniform.
 */
#ifndef STARKML_CORE_PRG_H
#define STARKML_CORE_PRG_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "starkml.h"

#define SM_PRG_SEED_LEN 32
#define SM_PRG_MAX_LABEL 64

typedef struct {
  uint8_t seed[SM_PRG_SEED_LEN];
  char label[SM_PRG_MAX_LABEL + 1];
  uint64_t block;      /* index of the next block to generate */
  uint8_t buf[4 * 32]; /* current blocks: four at a time (one 4-way Keccak call) */
  unsigned used;       /* bytes of buf consumed */
} sm_prg;

/* Starts the stream `label` (truncated to SM_PRG_MAX_LABEL bytes) of a seed. */
void sm_prg_init(sm_prg *g, const uint8_t seed[SM_PRG_SEED_LEN], const char *label);
void sm_prg_bytes(sm_prg *g, void *out, size_t n);
uint64_t sm_prg_u64(sm_prg *g);
/* A uniformly random field element (rejection sampling). */
gl_t sm_prg_gl(sm_prg *g);
/* Block i of the stream, without touching any state (for parallel fills). */
void sm_prg_at(uint8_t out[32], const uint8_t seed[SM_PRG_SEED_LEN], const char *label,
               uint64_t i);
/* Blocks i .. i + 3 of the stream at once (4-way Keccak; same bytes as sm_prg_at). */
void sm_prg_at_x4(uint8_t out[4][32], const uint8_t seed[SM_PRG_SEED_LEN], const char *label,
                  uint64_t i);
/* Wide block i of the stream `label` (the formula above), without state. */
#define SM_PRG_WIDE_LEN 136
void sm_prg_wide_at(uint8_t out[SM_PRG_WIDE_LEN], const uint8_t seed[SM_PRG_SEED_LEN],
                    const char *label, uint64_t i);
/* Wide blocks i .. i + 3 at once (4-way Keccak; same bytes as sm_prg_wide_at). */
void sm_prg_wide_at_x4(uint8_t out[4][SM_PRG_WIDE_LEN], const uint8_t seed[SM_PRG_SEED_LEN],
                       const char *label, uint64_t i);
/*
 * Fills the seed from the operating system's random source (getrandom / /dev/urandom).
 * Returns: STARKML_OK, or STARKML_ERR_IO when no random source is available.
 */
starkml_status sm_prg_os_seed(uint8_t seed[SM_PRG_SEED_LEN]);

#endif
