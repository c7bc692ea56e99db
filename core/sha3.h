/*
 * SHA3-256 (FIPS 202) on one Keccak-f[1600] core. Every hash in starkml (Merkle leaves
 * and nodes, the Fiat-Shamir transcript, proof-of-work) goes through sm_keccakf1600, so
 * there is exactly one permutation to optimise, to port to OpenCL and to test.
 *
 * Nothing here allocates. Data is public (commitments, transcripts): no constant-time claim
 * is needed beyond what the permutation gives naturally (it has no data-dependent branches).
 */
#ifndef STARKML_CORE_SHA3_H
#define STARKML_CORE_SHA3_H

#include <stddef.h>
#include <stdint.h>

#define SM_SHA3_256_RATE 136 /* bytes absorbed per permutation: (1600 - 2*256) / 8 */
#define SM_SHA3_256_LEN 32

/* Keccak-f[1600] in place; lane i is A[x, y] with i = x + 5y, little-endian lanes. */
void sm_keccakf1600(uint64_t state[25]);

typedef struct {
  uint64_t s[25];
  size_t pos; /* bytes absorbed into the current block, < SM_SHA3_256_RATE */
} sm_sha3_ctx;

void sm_sha3_256_init(sm_sha3_ctx *c);
void sm_sha3_256_update(sm_sha3_ctx *c, const void *data, size_t len);
/* Writes the digest; the context must be re-initialised before further use. */
void sm_sha3_256_final(sm_sha3_ctx *c, uint8_t out[SM_SHA3_256_LEN]);

/* One-shot SHA3-256. */
void sm_sha3_256(uint8_t out[SM_SHA3_256_LEN], const void *data, size_t len);

/*
 * Four one-shot SHA3-256 hashes of messages of the same length at once: out[j] receives
 * the digest of in[j][0 .. len). Equal to four calls of sm_sha3_256, and on AVX2 about
 * twice their throughput (four states side by side in 256-bit registers); it suits
 * Merkle leaves and nodes, which all have one length. Outputs may alias inputs.
 */
void sm_sha3_256_x4(uint8_t *const out[4], const uint8_t *const in[4], size_t len);

/* SHAKE256 (FIPS 202) output bytes one permutation gives: the rate, 136. */
#define SM_SHAKE256_BLOCK SM_SHA3_256_RATE

/* The first SM_SHAKE256_BLOCK bytes of SHAKE256(data[0 .. len)): bulk pseudorandom bytes at
   one permutation per 136 output bytes (SHA3-256 gives 32). */
void sm_shake256_block(uint8_t out[SM_SHAKE256_BLOCK], const void *data, size_t len);

/* Four sm_shake256_block calls on messages of one length at once (4-way Keccak, as
   sm_sha3_256_x4). Outputs may not alias inputs. */
void sm_shake256_block_x4(uint8_t *const out[4], const uint8_t *const in[4], size_t len);

#endif
