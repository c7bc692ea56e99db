/*
 * The fixed statements the STARK fuzz target verifies against, and the options its seed
 * proofs are made with. make_seeds.c and fuzz_stark_verify.c share this file, so that the
 * seeds are honest proofs of exactly the statements the target checks: a mutation of a
 * seed then reaches the deep checks (Merkle openings, FRI, out-of-domain) instead of
 * failing on the statement's shape.
 */
#ifndef STARKML_TESTS_FUZZ_FIXTURE_H
#define STARKML_TESTS_FUZZ_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "air/toy.h"
#include "fri/fri.h"
#include "fri/stark.h"
#include "fri/stark_toy.h"

/* Statements: Fibonacci (one table, publics, no bus), bus (two tables of different
 * heights joined by a LogUp bus), and range check (a preprocessed table, so the setup
 * root is checked; the root depends on the zk flag, hence one statement per flag). */
enum {
  FUZZ_ST_FIB,
  FUZZ_ST_BUS,
  FUZZ_ST_RANGE_ZK0,
  FUZZ_ST_RANGE_ZK1,
  FUZZ_N_STATEMENTS
};

typedef sm_stark_toy fuzz_fixture;

/* Small test options (the verifier's floor is overridden to 1 bit): blowup 4, 8 queries,
 * 4 bits of grinding, arity 4, final degree < 4. */
sm_stark_options fuzz_options(int zk);

/* The zk flag the setup of statement `which` is made with (its roots depend on it when
 * the statement has preprocessed columns), or -1 if it has none and any flag fits. */
int fuzz_statement_zk(int which);

/* Builds statement `which` with its witness and setup roots (the setup made with
 * fuzz_options(zk), zk = fuzz_statement_zk(which), 1 when that is -1).
 * Returns: STARKML_OK or the first failing call's status; release with fuzz_fixture_free. */
starkml_status fuzz_fixture_make(fuzz_fixture *f, int which, const starkml_ctx *ctx);

void fuzz_fixture_free(fuzz_fixture *f);

/* A short name for file names and messages ("fib", "bus", "range_zk0", "range_zk1"). */
const char *fuzz_statement_name(int which);

/* FRI reader target (fuzz_fri_read.c): the input starts with a parameter prefix,
 *   u8 log_blowup (1 + b % 4), u8 log_arity (1 + b % 4), u8 log_final_degree (b % 5),
 *   u8 n (1 + b % 3), n x u8 input log size (log_blowup + b % 12),
 * then holds a commitment and up to FUZZ_FRI_MAX_QUERIES query proofs for the schedule
 * these give. Returns the prefix's length, or 0 when the input is too short for it. */
#define FUZZ_FRI_MAX_QUERIES 4
size_t fuzz_fri_prefix(sm_fri_params *p, unsigned *log_sizes, size_t *n, const uint8_t *data,
                       size_t size);

#endif
