/*
 * AIR constraint tables: a table is data, not code. The same description drives the
 * prover's constraint evaluation over the LDE, the verifier's out-of-domain check, the
 * OpenCL code generator and `starkml inspect`.
 *
 * A table has n = 2^log_n rows and columns of three kinds: preprocessed (public, fixed at
 * setup), main (witness) and auxiliary (built by the engine for LogUp after its challenges;
 * a table description never declares them). Expressions are programs of nodes in
 * topological order: a node refers only to earlier nodes, so a program is evaluated in one
 * forward pass and cannot loop. Constraints and bus interactions name a node as their root.
 *
 * Invariants (checked by sm_air_validate): every node operand index is smaller than the
 * node's own index; column indices are within their kind's count; public and challenge
 * indices are within the table's counts; constants are canonical; tuples have 1 to
 * SM_AIR_MAX_TUPLE values.
 */
#ifndef STARKML_AIR_AIR_H
#define STARKML_AIR_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "starkml.h"

#define SM_AIR_MAX_TUPLE 8
#define SM_AIR_MAX_NAME 48

typedef enum {
  SM_COL_PRE = 0, /* preprocessed: public, committed at setup */
  SM_COL_MAIN = 1,
  SM_COL_AUX = 2, /* extension-valued; engine-generated */
} sm_col_kind;

typedef enum {
  SM_EX_CONST = 0,     /* value: a canonical base-field constant */
  SM_EX_COL = 1,       /* kind, index, next (0: current row, 1: next row) */
  SM_EX_PUBLIC = 2,    /* index into the table's public values (base field) */
  SM_EX_CHALLENGE = 3, /* index into the engine's challenges (extension field) */
  SM_EX_ADD = 4,       /* a + b */
  SM_EX_SUB = 5,       /* a - b */
  SM_EX_MUL = 6,       /* a * b */
  SM_EX_NEG = 7,       /* -a */
} sm_expr_op;

typedef struct {
  uint8_t op;    /* sm_expr_op */
  uint8_t kind;  /* sm_col_kind, for SM_EX_COL */
  uint8_t next;  /* SM_EX_COL: 1 reads the next row (row i + 1 mod n) */
  uint8_t pad;   /* zero */
  uint32_t a, b; /* operand node indices (a only for NEG) / column, public, challenge index */
  gl_t value;    /* SM_EX_CONST */
} sm_expr_node;

typedef enum {
  SM_SEL_FIRST = 0,      /* row 0 */
  SM_SEL_LAST = 1,       /* row n - 1 */
  SM_SEL_TRANSITION = 2, /* rows 0 .. n - 2 (the relation between a row and the next) */
  SM_SEL_EVERY = 3,      /* every row */
} sm_selector;

typedef struct {
  uint32_t root;    /* node index */
  uint8_t selector; /* sm_selector */
} sm_constraint;

/* One LogUp interaction: contributes mult / (alpha - (bus + sum_i beta^i values[i])). */
typedef struct {
  uint32_t bus;                       /* bus identifier (distinct buses never mix) */
  uint32_t mult;                      /* node: multiplicity (negative = receive) */
  uint32_t n_values;                  /* 1 .. SM_AIR_MAX_TUPLE */
  uint32_t values[SM_AIR_MAX_TUPLE];  /* nodes */
} sm_interaction;

typedef struct {
  char name[SM_AIR_MAX_NAME];
  unsigned log_n;
  uint32_t n_pre, n_main, n_public;
  size_t n_nodes, n_constraints, n_interactions;
  sm_expr_node *nodes;
  sm_constraint *constraints;
  sm_interaction *interactions;
} sm_air_table;

#endif
