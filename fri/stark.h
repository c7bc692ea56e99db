/*
 * The STARK protocol over several AIR tables (docs/stark-protocol.md is the specification;
 * docs/zero-knowledge.md argues the hiding, docs/soundness.md the soundness).
 *
 * Prover: sm_stark_prove() takes the statement (table descriptions, public values, the
 * preprocessed commitments of the setup), the witness (main traces), options and a seed,
 * and writes a proof. Verifier: sm_stark_verify() takes the statement, a security floor
 * and the proof bytes; it never trusts the proof's own parameters (it recomputes their
 * security and refuses anything below its floor) and returns STARKML_REJECT, with a reason,
 * for any proof it does not accept. Malformed bytes are STARKML_ERR_PARSE; a proof is never
 * a reason to abort.
 */
#ifndef STARKML_FRI_STARK_H
#define STARKML_FRI_STARK_H

#include <stddef.h>
#include <stdint.h>

#include "air/air.h"
#include "core/merkle.h"
#include "core/prg.h"
#include "fri/soundness.h"
#include "starkml.h"

#define SM_STARK_MAGIC "SMKP"           /* first 4 bytes of every proof */
/* 2: Merkle caps; 3: folded LogUp interactions; 4: one tree per commitment stage
   (docs/stark-protocol.md) */
#define SM_STARK_PROTOCOL_VERSION 4u
#define SM_STARK_MAX_TABLES 64u
#define SM_STARK_MAX_PROOF_BYTES (64u << 20) /* hard cap on a proof's size */
#define SM_STARK_SALT_LEN 32u                /* Merkle leaf salt in zero-knowledge mode */

/*
 * Proof options. The first five are soundness parameters (the verifier recomputes what
 * they give and compares with its floor); log_arity and log_final_degree only trade proof
 * size against prover time. zk = 0 is for statements whose witness is public.
 */
typedef struct {
  uint32_t log_blowup;       /* rate 2^-log_blowup; must be >= max constraint degree - 1 */
  uint32_t n_queries;        /* FRI queries: each adds about log_blowup/2 proven bits */
  uint32_t grinding_bits;    /* proof of work before the queries: adds to the query term */
  uint32_t zk;               /* 1: zero knowledge (randomized witness, salted leaves) */
  uint32_t preset;           /* the sm_preset the options were derived from (informational) */
  uint32_t log_arity;        /* FRI fold arity 2^log_arity, 1..4 */
  uint32_t log_final_degree; /* FRI stops at degree < 2^log_final_degree */
} sm_stark_options;

/* The public statement: what the verifier knows. */
typedef struct {
  size_t n_tables;
  const sm_air_table *tables;     /* user tables (the engine adds the LogUp constraints) */
  const gl_t *const *publics;     /* publics[t]: tables[t].n_public values */
  const sm_digest *pre_root;      /* the setup's commitment to the preprocessed columns of
                                     every table, one tree (sm_stark_setup); unread when no
                                     table has any */
  const sm_digest *table_hashes;  /* optional: table_hashes[t] = sm_air_hash(&tables[t]),
                                     computed by the caller from these very tables (it
                                     hashed them already); NULL: hashed here */
} sm_stark_statement;

/* The witness: column-major traces, n rows per column (column c at cols + c * n). */
typedef struct {
  const gl_t *const *main; /* main[t]: tables[t].n_main columns */
  const gl_t *const *pre;  /* pre[t]: tables[t].n_pre columns (public, from the setup) */
} sm_stark_witness;

/* Why a proof was rejected (one reason per check, so tests can aim at each). */
#define SM_STARK_REJECT_MAP(X)                                                    \
  X(SM_REJ_NONE, "accepted")                                                      \
  X(SM_REJ_VERSION, "unsupported protocol version")                               \
  X(SM_REJ_BELOW_FLOOR, "options below the verifier's security floor")            \
  X(SM_REJ_BAD_OPTIONS, "options out of range")                                   \
  X(SM_REJ_SHAPE, "table shapes differ from the statement")                       \
  X(SM_REJ_LOGUP_SUM, "LogUp sums do not balance")                                \
  X(SM_REJ_OOD_POINT, "out-of-domain point falls in a domain")                    \
  X(SM_REJ_OOD, "constraints do not hold at the out-of-domain point")             \
  X(SM_REJ_POW, "insufficient proof of work")                                     \
  X(SM_REJ_QUERY_COUNT, "wrong number of query openings")                         \
  X(SM_REJ_PATH_LENGTH, "Merkle path of the wrong length")                        \
  X(SM_REJ_MERKLE, "Merkle opening does not match a commitment")                  \
  X(SM_REJ_FRI, "FRI consistency check failed")                                   \
  X(SM_REJ_FRI_FINAL, "FRI final polynomial mismatch or degree too high")

typedef enum {
#define SM_REJ_ENUM_(name, str) name,
  SM_STARK_REJECT_MAP(SM_REJ_ENUM_)
#undef SM_REJ_ENUM_
  SM_REJ_COUNT_
} sm_stark_reject;

const char *sm_stark_reject_str(sm_stark_reject r);

/*
 * Options for a preset and a statement (queries, blowup, grinding from fri/soundness.h).
 * Returns: STARKML_OK or STARKML_ERR_ARG.
 */
starkml_status sm_stark_options_preset(sm_stark_options *out, sm_preset preset,
                                       const sm_stark_statement *st, int zk);

/*
 * Computes the security of a proof with these options for this statement.
 * Returns: STARKML_OK or STARKML_ERR_ARG (options out of range for the statement).
 */
starkml_status sm_stark_security(sm_soundness_bits *out, const sm_stark_statement *st,
                                 const sm_stark_options *opt);

/*
 * Setup: commits to the preprocessed columns of every table (no salt: they are public) in
 * one mixed-height tree (core/merkle.h; docs/stark-protocol.md section 3).
 * Returns: STARKML_OK, STARKML_ERR_ARG (bad statement or options, a table's columns
 *          missing from w->pre), STARKML_ERR_NOMEM, a backend's error.
 * Out: *root (zeroed when no table has preprocessed columns, and on failure). It depends
 *      on the columns and on the LDE domains the options give (sm_stark_domains).
 */
starkml_status sm_stark_setup(const starkml_ctx *ctx, sm_digest *root,
                              const sm_stark_statement *st, const sm_stark_witness *w,
                              const sm_stark_options *opt);

/*
 * The LDE domains the options give a statement: every table t is committed on 2^log_big[t]
 * points, a coset fixed by log_big[t] and the largest domain 2^log_big_max alone. A
 * preprocessed commitment is therefore a function of the columns and these domains, which
 * is how a verifying key can hold commitments for several option sets.
 * Returns: STARKML_OK, STARKML_ERR_ARG (bad statement or options), STARKML_ERR_NOMEM.
 * Out:  log_big[st->n_tables], *log_big_max.
 */
starkml_status sm_stark_domains(unsigned *log_big, unsigned *log_big_max,
                                const sm_stark_statement *st, const sm_stark_options *opt);

/* Test-only: a hook that may alter the witness after trace generation (malicious prover). */
typedef void (*sm_stark_tamper_fn)(void *user, size_t table, gl_t *main_cols, size_t n_rows);

/*
 * Proves. seed: the prover's secret randomness (NULL: drawn from the OS).
 * Returns: STARKML_OK; STARKML_ERR_ARG (bad statement or options, or a witness that does
 *          not satisfy the constraints: the message says which constraint and row);
 *          STARKML_ERR_NOMEM; STARKML_ERR_INTERNAL.
 * Out: *proof (malloc'ed, caller frees), *proof_len.
 */
starkml_status sm_stark_prove(const starkml_ctx *ctx, uint8_t **proof, size_t *proof_len,
                              const sm_stark_statement *st, const sm_stark_witness *w,
                              const sm_stark_options *opt, const uint8_t *seed);

/* As sm_stark_prove, with a tamper hook applied after trace generation and the witness
   check skipped: the honest prover then runs on a bad witness (tests only). */
starkml_status sm_stark_prove_tampered(const starkml_ctx *ctx, uint8_t **proof,
                                       size_t *proof_len, const sm_stark_statement *st,
                                       const sm_stark_witness *w, const sm_stark_options *opt,
                                       const uint8_t *seed, sm_stark_tamper_fn fn,
                                       void *user);

/*
 * Verifies. floor: the least security the verifier accepts (a preset's target); a proof
 * whose options give less is rejected with SM_REJ_BELOW_FLOOR. floor_bits_override, when
 * non-zero, replaces the preset's target with a proven-bits floor of that many bits (tests
 * with tiny parameters use 1).
 * Returns: STARKML_OK (accepted), STARKML_REJECT (with *reason), STARKML_ERR_PARSE
 *          (malformed proof), STARKML_ERR_ARG (bad statement), STARKML_ERR_NOMEM.
 */
starkml_status sm_stark_verify(const starkml_ctx *ctx, sm_stark_reject *reason,
                               const sm_stark_statement *st, sm_preset floor,
                               unsigned floor_bits_override, const uint8_t *proof,
                               size_t proof_len);

/* sm_stark_verify, and on acceptance the proof's security for this statement (what
   sm_stark_security gives for the proof's options) in *bits (zeroed otherwise; may be
   NULL), so a caller need not derive the tables' shapes a second time. */
starkml_status sm_stark_verify_bits(const starkml_ctx *ctx, sm_stark_reject *reason,
                                    const sm_stark_statement *st, sm_preset floor,
                                    unsigned floor_bits_override, const uint8_t *proof,
                                    size_t proof_len, sm_soundness_bits *bits);

/* What `starkml inspect` shows of a proof, read without the statement. */
typedef struct {
  uint32_t version;
  sm_stark_options options;
  uint32_t n_tables;
  uint32_t table_log_n[SM_STARK_MAX_TABLES];
  uint32_t table_max_degree[SM_STARK_MAX_TABLES];
  uint32_t table_committed[SM_STARK_MAX_TABLES];
  size_t total_bytes;
  size_t n_sections;
  struct {
    const char *name; /* "header", "commitments", "ood", "fri", "pow", "queries" */
    size_t bytes;     /* including its 8-byte tag and length */
  } sections[8];
  /* Security as the proof's header describes the statement; a verifier recomputes it
     from its own statement and rejects a header that differs. */
  sm_soundness_bits security;
} sm_stark_info;

/*
 * Parses a proof's framing (magic, version, header, section lengths) without verifying it.
 * Returns: STARKML_OK; STARKML_ERR_PARSE (malformed framing, unknown version, trailing
 *          bytes); STARKML_ERR_ARG (NULL).
 */
starkml_status sm_stark_inspect(sm_stark_info *out, const uint8_t *proof, size_t len);

#endif
