/*
 * Toy AIRs with their witness builders: permanent regression fixtures of the engine
 * (after stone-prover's Fibonacci). Each covers one mechanism:
 *  - fibonacci:   transition and boundary constraints, public values, no bus;
 *  - range_check: a lookup into a preprocessed table ("values" sends x on bus 1, "range8"
 *                 receives its row index v with multiplicity -mult);
 *  - bus:         two tables of different heights joined by a bus carrying tuples
 *                 ("squares" sends (x, x^2) on bus 2, "consumer" receives with
 *                 multiplicity -sel, holding each square once among sel = 0 padding).
 *
 * Traces are column-major with n = 2^table.log_n rows: column c of a table is
 * pre + c * n (or main + c * n). Honest traces satisfy every constraint on every row, and
 * the claimed LogUp sums of the tables of a toy add up to zero for any challenges.
 */
#ifndef STARKML_AIR_TOY_H
#define STARKML_AIR_TOY_H

#include <stddef.h>
#include <stdint.h>

#include "air/air.h"

#define SM_AIR_TOY_MAX_TABLES 2
#define SM_AIR_TOY_BUS_RANGE8 1u
#define SM_AIR_TOY_BUS_SQUARES 2u

typedef struct {
  sm_air_table table; /* the table description (not LogUp-extended) */
  gl_t *pre;          /* table.n_pre columns, column-major; NULL when none */
  gl_t *main;         /* table.n_main columns, column-major */
  gl_t *publics;      /* table.n_public values; NULL when none */
} sm_air_toy_table;

typedef struct {
  size_t n_tables;
  sm_air_toy_table t[SM_AIR_TOY_MAX_TABLES];
} sm_air_toy;

/* Releases everything a builder below allocated and zeroes *toy (NULL is allowed). */
void sm_air_toy_free(sm_air_toy *toy);

/*
 * Fibonacci: main a, b; TRANSITION a' = b, b' = a + b; FIRST a = pub0, b = pub1;
 * LAST b = pub2. The trace starts at (a0, b0); the publics are (a0, b0, b[n - 1]).
 * Returns: STARKML_OK, STARKML_ERR_ARG (log_n out of range, a0/b0 not canonical, NULL),
 *          STARKML_ERR_NOMEM. Out: out (zeroed on failure).
 */
starkml_status sm_air_toy_fibonacci(sm_air_toy *out, unsigned log_n, gl_t a0, gl_t b0);

/*
 * Range check: table 0 "values" (2^log_n rows, main x in [0, 256) drawn from seed, sends
 * (bus 1, m = 1, (x))), table 1 "range8" (2^8 rows, preprocessed v = row index, main mult
 * = how many x equal v, receives (bus 1, m = -mult, (v))).
 * Returns: as sm_air_toy_fibonacci.
 */
starkml_status sm_air_toy_range_check(sm_air_toy *out, unsigned log_n, uint64_t seed);

/*
 * Bus between heights: table 0 "squares" (2^log_n rows, main x random, y = x^2;
 * EVERY y - x x = 0; sends (bus 2, m = 1, (x, y))), table 1 "consumer" (2^(log_n + 2)
 * rows, main x, y, sel; EVERY sel (sel - 1) = 0; receives (bus 2, m = -sel, (x, y))),
 * whose rows hold each row of "squares" once, at seed-chosen positions, with sel = 1, and
 * random (x, y) with sel = 0 elsewhere. log_n <= SM_AIR_MAX_LOG_N - 2.
 * Returns: as sm_air_toy_fibonacci.
 */
starkml_status sm_air_toy_bus(sm_air_toy *out, unsigned log_n, uint64_t seed);

#endif
