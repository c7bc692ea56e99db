/*
 * Fiat-Shamir transcript over SHA3-256.
 *
 * The transcript is a 32-byte chaining value S. Every operation replaces S by a hash
 * of a tagged, length-prefixed encoding of (S, operation), so the sequence of operations
 * is encoded injectively and no two different transcripts share a state:
 *
 *   init(D):           S = SHA3-256( 0x10 || LE32(|D|) || D )             (D: protocol domain)
 *   absorb(L, data):   S = SHA3-256( 0x11 || S || LE32(|L|) || L || LE64(|data|) || data )
 *   squeeze(L):        S = SHA3-256( 0x12 || S || LE32(|L|) || L )
 *                      -> 4 candidates: S[0..8), S[8..16), S[16..24), S[24..32) as LE64
 *   pow(nonce):        D = SHA3-256( 0x13 || S || LE64(nonce) )
 *
 * A challenge call squeezes as many times as it needs (same label each time), taking
 * candidates in order; candidates left over when it returns are discarded, so each call
 * starts from a fresh squeeze and depends only on S and its label.
 *
 * Field elements are absorbed as LE64 each (absorb_gl / absorb_gl3 build the data bytes).
 * Base-field challenges take candidates in order, rejecting any >= p (probability about
 * 2^-32 each; a fresh squeeze with the same label supplies more). An extension challenge
 * is three such base elements (v[0], v[1], v[2]). Query indices in [0, 2^log_n) are the
 * low log_n bits of successive candidates (no rejection needed: 2^log_n divides 2^64).
 *
 * Proof of work: grind finds the smallest nonce whose D has `bits` leading zero bits
 * (bits counted from the most significant bit of D[0]), then absorbs it as
 * absorb("pow-nonce", LE64(nonce)). check_pow does the same test and absorption, so prover
 * and verifier stay in step. Grinding multiplies the cost of every attempt to
 * re-roll later challenges by 2^bits.
 *
 * Annotation: with annotation on, every operation appends one line to a text log
 * ("absorb <label> <len> bytes", "challenge <label> = <value>", ...), so a prover's and a
 * verifier's logs can be diffed to find where they diverge.
 */
#ifndef STARKML_CORE_TRANSCRIPT_H
#define STARKML_CORE_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "starkml.h"

#define SM_TR_TAG_INIT 0x10
#define SM_TR_TAG_ABSORB 0x11
#define SM_TR_TAG_SQUEEZE 0x12
#define SM_TR_TAG_POW 0x13
#define SM_TR_MAX_POW_BITS 48 /* beyond this, grinding would take days: refuse */

typedef struct {
  uint8_t state[32];
  int annotate;
  char *log;        /* NUL-terminated annotation log (NULL until annotation writes) */
  size_t log_len, log_cap;
} sm_transcript;

/* Starts a transcript for protocol domain `domain` (e.g. "starkml/stark/v1"). */
void sm_tr_init(sm_transcript *t, const char *domain);
/* Frees the annotation log. */
void sm_tr_free(sm_transcript *t);
/* Turns the annotation log on or off (off by default). */
void sm_tr_set_annotate(sm_transcript *t, int on);
/* The annotation log so far ("" if empty). */
const char *sm_tr_log(const sm_transcript *t);

void sm_tr_absorb(sm_transcript *t, const char *label, const void *data, size_t len);
void sm_tr_absorb_u64(sm_transcript *t, const char *label, uint64_t v);
void sm_tr_absorb_gl(sm_transcript *t, const char *label, const gl_t *v, size_t n);
void sm_tr_absorb_gl3(sm_transcript *t, const char *label, const gl3_t *v, size_t n);

gl_t sm_tr_challenge_gl(sm_transcript *t, const char *label);
gl3_t sm_tr_challenge_gl3(sm_transcript *t, const char *label);
/* count indices in [0, 2^log_n), log_n <= 63; duplicates are possible and kept. */
void sm_tr_challenge_indices(sm_transcript *t, const char *label, size_t *out, size_t count,
                             unsigned log_n);

/*
 * Finds the proof-of-work nonce (smallest valid) and absorbs it.
 * Returns: STARKML_OK; STARKML_ERR_ARG when bits > SM_TR_MAX_POW_BITS.
 * The nonce does not depend on `threads`.
 */
starkml_status sm_tr_grind(sm_transcript *t, uint64_t *nonce, unsigned bits, int threads);
/* Returns: STARKML_OK and absorbs the nonce, or STARKML_REJECT (transcript unchanged). */
starkml_status sm_tr_check_pow(sm_transcript *t, unsigned bits, uint64_t nonce);

/*
 * Internal (exposed for tests): appends to out the canonical candidates of one 32-byte
 * squeeze block, in order, up to `want`; candidates >= p are skipped.
 * Returns: how many were taken.
 */
size_t sm_tr__take_candidates(gl_t *out, size_t want, const uint8_t block[32]);

#endif
