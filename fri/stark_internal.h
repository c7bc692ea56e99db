/*
 * Internal to fri/stark_*.c: the per-table shapes both prover and verifier derive from the
 * statement and the options (never from the proof), the Fiat-Shamir statement encoding and
 * the proof's section layout (docs/stark-protocol.md sections 2 to 8).
 */
#ifndef STARKML_FRI_STARK_INTERNAL_H
#define STARKML_FRI_STARK_INTERNAL_H

#include <stdint.h>
#include <stdlib.h>

#include "core/ser.h"
#include "core/transcript.h"
#include "fri/fri.h"
#include "fri/stark.h"

/* Bus identifiers from here up are the engine's; a statement's tables may not use them. */
#define SM_STARK_FIRST_ENGINE_BUS 0x80000000u
#define SM_STARK_BLIND_BUS 0xFFFFFFF0u
/* Blinding interactions per ring edge: three hidden base-field multiplicities make the
   mask of a claimed sum uniform over the cubic extension. */
#define SM_STARK_BLIND_K 3u
#define SM_STARK_DOMAIN "starkml/stark/v1"

/* Proof sections, in order; each is `u32 tag, u32 byte length, bytes`. */
enum {
  SM_SEC_HEADER = 1,      /* options and the shapes the prover used */
  SM_SEC_COMMITMENTS = 2, /* the stage trees' caps; claimed LogUp sums */
  SM_SEC_OOD = 3,         /* out-of-domain values */
  SM_SEC_FRI = 4,         /* FRI layer roots and final polynomial */
  SM_SEC_POW = 5,         /* proof-of-work nonce */
  SM_SEC_QUERIES = 6,     /* query openings */
  SM_SEC_COUNT_ = 6
};

/* Per-table shape, a pure function of (statement, options). */
typedef struct {
  const sm_air_table *user; /* the statement's description */
  sm_air_table ext;         /* the committed table: the description, plus in zk mode the
                               blinding columns and interactions, with the LogUp
                               constraints appended */
  uint32_t n_main;          /* committed main columns: the user's, then the blinding ones */
  int blind_send, blind_recv; /* ring edges this table sends / receives on (-1: none) */
  uint32_t n_aux;           /* extension-valued auxiliary columns */
  uint32_t max_degree;      /* of the extended constraints, >= 1 */
  unsigned log_n, log_d, log_big; /* rows n, committed degree bound D, LDE size N */
  size_t n, d, big;
  gl_t shift;               /* LDE coset shift g^(N_max / N) */
  uint32_t h;               /* witness randomizer coefficients (0 without zk) */
  uint32_t hq;              /* quotient blinder coefficients (0 without zk) */
  uint32_t piece_len;       /* D - hq: the quotient's split length */
  uint32_t n_pieces;        /* quotient pieces (extension-valued) */
  size_t cons_before;       /* constraints of the tables before this one */
  size_t n_base_open;       /* base polynomials opened at z and z w: pre + main + 3 aux */
  size_t n_quot_cols;       /* quotient tree width: 3 pieces + 3 mask (zk) */
  unsigned log_qdom;        /* the prover evaluates the quotient on the first 2^log_qdom
                               LDE positions (bit-reversed: the coset shift * <w_M>, M =
                               2^log_qdom >= n and >= the quotient's length), which
                               determine it; a prover-side choice, not in the proof */
} sm_tinfo;

/* What the proof header records of each table (verified against the statement): enough
   to recompute the proof's security without the statement, for `starkml inspect`. */
#define SM_STARK_ECHO_WORDS 9
typedef struct {
  uint32_t log_n, h, hq, n_pieces, max_degree, n_constraints, n_committed, n_interactions,
      tuple_width;
} sm_table_echo;

void sm_tinfo_echo(sm_table_echo *e, const sm_tinfo *x);
/* The echo as SM_STARK_ECHO_WORDS words, in field order, and back. */
void sm_echo_to_words(uint32_t w[SM_STARK_ECHO_WORDS], const sm_table_echo *e);
void sm_echo_from_words(sm_table_echo *e, const uint32_t w[SM_STARK_ECHO_WORDS]);

/* Security of a proof from its options and per-table echoes. */
void sm_stark_security_from_echo(sm_soundness_bits *out, const sm_stark_options *opt,
                                 const sm_table_echo *e, size_t n_tables);

/*
 * Derives every table's shape. Returns STARKML_ERR_ARG with a message in why (may be
 * NULL) when the statement or the options are unusable together. On success the caller
 * frees with sm_tinfo_free.
 */
starkml_status sm_tinfo_derive(sm_tinfo *ti, unsigned *log_big_max, const sm_stark_statement *st,
                               const sm_stark_options *opt, char *why, size_t why_len);
void sm_tinfo_free(sm_tinfo *ti, size_t n);

/* Range checks on options alone (before any derivation). */
starkml_status sm_stark_options_check(const sm_stark_options *opt);

/* FRI parameters for these options and shapes. */
void sm_stark_fri_params(sm_fri_params *fp, const sm_stark_options *opt, const sm_tinfo *ti,
                         size_t n_tables, int threads);

/* Absorbs the whole statement (step 1 of the schedule). */
starkml_status sm_stark_absorb_statement(sm_transcript *tr, const sm_stark_statement *st,
                                         const sm_stark_options *opt, const sm_tinfo *ti);

/* calloc that treats n = 0 as 1 and refuses products that overflow. */
/*
 * Merkle cap height of a table's trees (depth `depth`) in a proof of n_queries queries:
 * the bit length of n_queries, at most the depth. The proof sends each tree's 2^c cap
 * digests once and every path stops below the cap: q paths lose c digests each for 2^c
 * sent once, which is about the best trade (q c - 2^c is largest near 2^c = q / ln 2).
 */
static inline unsigned sm_stark_cap_height(unsigned depth, uint32_t n_queries) {
  unsigned c = 0;
  while (c < 31 && (n_queries >> c) != 0) c++;
  return c < depth ? c : depth;
}

/*
 * The commitment stages (protocol v4): the preprocessed columns (the setup's; tables with
 * n_pre > 0), the main traces, the LogUp columns (tables with n_aux > 0) and the quotient
 * pieces. Each stage's matrices of every table that has them share one mixed-height tree
 * (core/merkle.h). The order is the proof's, and that of the prover's MAT_* matrices.
 */
enum { SM_STAGE_PRE, SM_STAGE_MAIN, SM_STAGE_AUX, SM_STAGE_QUOT, SM_N_STAGES };

static inline int sm_stage_has(const sm_tinfo *x, int stage) {
  return stage == SM_STAGE_PRE ? x->user->n_pre > 0 : stage != SM_STAGE_AUX || x->n_aux > 0;
}

/* A stage's columns in table x (3 base columns per extension column). */
static inline size_t sm_stage_width(const sm_tinfo *x, int stage) {
  return stage == SM_STAGE_PRE    ? x->user->n_pre
         : stage == SM_STAGE_MAIN ? x->n_main
         : stage == SM_STAGE_AUX  ? 3 * (size_t)x->n_aux
                                  : x->n_quot_cols;
}

/*
 * The shape of a stage's tree: *L its depth (the largest log LDE size among its tables),
 * *cap its cap height (sm_stark_cap_height of the smallest one, so that no table's rows
 * join the tree above the cap). Returns 0 when no table has the stage's columns.
 */
static inline int sm_stage_shape(const sm_tinfo *ti, size_t T, int stage, uint32_t n_queries,
                                 unsigned *L, unsigned *cap) {
  unsigned hi = 0, lo = 64;
  for (size_t t = 0; t < T; t++)
    if (sm_stage_has(&ti[t], stage)) {
      if (ti[t].log_big > hi) hi = ti[t].log_big;
      if (ti[t].log_big < lo) lo = ti[t].log_big;
    }
  *L = hi;
  *cap = lo == 64 ? 0 : sm_stark_cap_height(lo, n_queries);
  return lo != 64;
}

static inline void *sm_xcalloc(size_t n, size_t size) {
  if (n == 0) n = 1;
  if (size != 0 && n > SIZE_MAX / size) return NULL;
  return calloc(n, size);
}

/* Extension element times the generator X^k of the extension basis (k = 0, 1, 2). */
static inline gl3_t sm_gl3_times_xk(gl3_t a, unsigned k) {
  for (unsigned i = 0; i < k; i++) {
    gl3_t r = {{gl_mul(GL3_W, a.v[2]), a.v[0], a.v[1]}};
    a = r;
  }
  return a;
}

/* sum_{c<3} X^c * parts[c]: an extension-valued polynomial's value from its base parts. */
static inline gl3_t sm_gl3_from_parts(const gl3_t parts[3]) {
  gl3_t r = parts[0];
  r = gl3_add(r, sm_gl3_times_xk(parts[1], 1));
  return gl3_add(r, sm_gl3_times_xk(parts[2], 2));
}

/* The query-independent DEEP terms of table x (weights w, out-of-domain values ood in the
   proof's order): k[0] = sum_c w_c f_c(z), k[1] = sum_c w'_c f_c(z w), k[2] = sum_k w''_k
   q_k(z). Prover and verifier subtract them from their per-point sums. */
void sm_deep_constants(gl3_t k[3], const sm_tinfo *x, const gl3_t *ood, const gl3_t *w);

/* z^e in the extension for a 64-bit exponent. */
static inline gl3_t sm_gl3_pow(gl3_t z, uint64_t e) { return sm_gl3_exp(z, e); }

#endif
