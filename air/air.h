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
 * Invariants (checked by sm_air_validate, given the number of auxiliary columns the
 * expressions may read: 0 for a table description, sm_air_logup_n_aux(t) for a table
 * returned by sm_air_logup_extend):
 *  - log_n is in [SM_AIR_MIN_LOG_N, SM_AIR_MAX_LOG_N]; the name is 1 to SM_AIR_MAX_NAME - 1
 *    printable ASCII characters (0x21..0x7E), NUL-terminated, zero after the NUL;
 *  - counts are within the SM_AIR_MAX_* caps, and each non-empty array is non-NULL;
 *  - every node operand index is smaller than the node's own index; column indices are
 *    within their kind's count; public indices < n_public; challenge indices
 *    < SM_AIR_N_CHALLENGES; constants are canonical (< p);
 *  - fields a node's op does not use are zero (so one table has exactly one encoding);
 *  - selectors are sm_selector values; constraint roots name existing nodes;
 *  - interactions have 1 to SM_AIR_MAX_TUPLE values, unused value slots are zero, and
 *    their multiplicity and value expressions read neither auxiliary columns nor
 *    challenges: they are what the auxiliary columns are computed from, before the
 *    challenges that only the LogUp constraints use.
 *
 * Challenge convention (SM_AIR_CHAL_*): slot 0 is the LogUp alpha, slot 1 the LogUp beta,
 * slot 2 this table's claimed LogUp sum (the last value of its running-sum column).
 */
#ifndef STARKML_AIR_AIR_H
#define STARKML_AIR_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "core/ser.h"
#include "starkml.h"

#define SM_AIR_MAX_TUPLE 8
#define SM_AIR_MAX_NAME 48
/* Trace heights: 2^2 rows at least (the protocol's k_t >= 2), 2^28 at most. */
#define SM_AIR_MIN_LOG_N 2
#define SM_AIR_MAX_LOG_N 28
/* Caps on a table's size. They bound what a decoder allocates from untrusted input and
 * keep every index representable in 32 bits. The LogUp extension adds fewer than 2^17
 * nodes and SM_AIR_MAX_INTERACTIONS + 3 constraints, so it fits unless the description
 * is already within that distance of a cap. */
#define SM_AIR_MAX_COLS (1u << 16) /* per kind */
#define SM_AIR_MAX_PUBLIC (1u << 16)
#define SM_AIR_MAX_NODES (1u << 22)
#define SM_AIR_MAX_CONSTRAINTS (1u << 20)
#define SM_AIR_MAX_INTERACTIONS (1u << 12)

/* Engine challenges an expression may read (extension field). */
#define SM_AIR_CHAL_ALPHA 0   /* LogUp alpha: the denominators are alpha - fingerprint */
#define SM_AIR_CHAL_BETA 1    /* LogUp beta: fingerprint = bus + sum_i beta^i v_i, i >= 1 */
#define SM_AIR_CHAL_CLAIMED 2 /* this table's claimed LogUp sum */
#define SM_AIR_N_CHALLENGES 3

/* Format version of the canonical encoding (sm_air_encode). */
#define SM_AIR_ENCODING_VERSION 1u

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
  uint32_t bus;                      /* bus identifier (distinct buses never mix) */
  uint32_t mult;                     /* node: multiplicity (negative = receive) */
  uint32_t n_values;                 /* 1 .. SM_AIR_MAX_TUPLE */
  uint32_t values[SM_AIR_MAX_TUPLE]; /* nodes */
} sm_interaction;

typedef struct sm_air_table {
  char name[SM_AIR_MAX_NAME];
  unsigned log_n;
  uint32_t n_pre, n_main, n_public;
  size_t n_nodes, n_constraints, n_interactions;
  sm_expr_node *nodes;
  sm_constraint *constraints;
  sm_interaction *interactions;
} sm_air_table;

/* Releases the arrays of a table made by the builder, sm_air_decode or
 * sm_air_logup_extend, and zeroes it. NULL is allowed. */
void sm_air_table_free(sm_air_table *t);

/*
 * Checks every invariant listed at the top of this header. Never reads through a pointer
 * whose count has not been checked first, so any bit pattern in *t is safe.
 * Returns: STARKML_OK, STARKML_ERR_ARG on the first violation, or STARKML_ERR_NOMEM (the
 *          check that interactions read no aux column or challenge takes n_nodes bytes).
 * Out:  why      if not NULL (and why_len > 0), a NUL-terminated description of the
 *                violation ("" on success), truncated to why_len bytes.
 * In:   t        the table; n_aux  auxiliary columns its expressions may read.
 */
starkml_status sm_air_validate(const sm_air_table *t, uint32_t n_aux, char *why, size_t why_len);

/* Number of auxiliary columns the engine generates for t: one helper column per
 * interaction that is not folded, then the running sum; 0 for a table without
 * interactions. An interaction is folded into the running sum, with no helper column, when
 * its tuple is constant (every value a CONST node) and its multiplicity is a current-row
 * column, the negation of one, or a constant (at most 8 per table, the first in order):
 * its denominator is then the same on every row (sm_air_logup_extend). */
uint32_t sm_air_logup_n_aux(const sm_air_table *t);

/* ---- Builder ---------------------------------------------------------------------------
 *
 * Writes tables in C without index bookkeeping:
 *
 *   sm_air_builder b;
 *   sm_air_builder_init(&b, "fib", 10, 0, 2, 3);
 *   uint32_t a = sm_ab_col(&b, SM_COL_MAIN, 0, 0), bn = sm_ab_col(&b, SM_COL_MAIN, 0, 1);
 *   sm_ab_constraint(&b, sm_ab_sub(&b, bn, ...), SM_SEL_TRANSITION);
 *   starkml_status st = sm_ab_finish(&b, &table, why, sizeof why);
 *
 * Node constructors return the new node's index. Errors are sticky: after an allocation
 * failure every constructor returns SM_AB_INVALID and records nothing, and sm_ab_finish
 * reports the first error once. Mistakes in arguments (an operand that does not exist, a
 * column out of range) are recorded as given and reported by the validation in
 * sm_ab_finish, with its message.
 */
#define SM_AB_INVALID UINT32_MAX

typedef struct {
  sm_air_table t; /* the table so far; arrays grow geometrically */
  size_t cap_nodes, cap_constraints, cap_interactions;
  uint32_t n_aux;     /* auxiliary columns expressions may read (0 for descriptions) */
  starkml_status err; /* first error, sticky */
  int name_too_long;
} sm_air_builder;

/* Starts a table; the name is copied (too long a name is reported by sm_ab_finish). */
void sm_air_builder_init(sm_air_builder *b, const char *name, unsigned log_n, uint32_t n_pre,
                         uint32_t n_main, uint32_t n_public);
/* Releases a builder's arrays (sm_ab_finish does this itself; use on early exits). */
void sm_air_builder_free(sm_air_builder *b);

uint32_t sm_ab_const(sm_air_builder *b, gl_t value);
/* next != 0 reads the next row. */
uint32_t sm_ab_col(sm_air_builder *b, sm_col_kind kind, uint32_t index, int next);
uint32_t sm_ab_pub(sm_air_builder *b, uint32_t index);
uint32_t sm_ab_chal(sm_air_builder *b, uint32_t index);
uint32_t sm_ab_add(sm_air_builder *b, uint32_t x, uint32_t y);
uint32_t sm_ab_sub(sm_air_builder *b, uint32_t x, uint32_t y);
uint32_t sm_ab_mul(sm_air_builder *b, uint32_t x, uint32_t y);
uint32_t sm_ab_neg(sm_air_builder *b, uint32_t x);
void sm_ab_constraint(sm_air_builder *b, uint32_t root, sm_selector selector);
/* values: n_values node indices (1 .. SM_AIR_MAX_TUPLE; more is reported at finish). */
void sm_ab_interaction(sm_air_builder *b, uint32_t bus, uint32_t mult, const uint32_t *values,
                       size_t n_values);

/*
 * Validates the table (with b->n_aux auxiliary columns) and hands its arrays to *out,
 * trimmed to size. The builder is released either way.
 * Returns: STARKML_OK, STARKML_ERR_NOMEM (an allocation failed while building), or
 *          STARKML_ERR_ARG (invalid table; *why says which invariant).
 * Out:  out   the table (zeroed on failure); release with sm_air_table_free.
 *       why   optional message buffer, as for sm_air_validate.
 */
starkml_status sm_ab_finish(sm_air_builder *b, sm_air_table *out, char *why, size_t why_len);

/* Deep copy. Returns: STARKML_OK, STARKML_ERR_ARG (NULL), STARKML_ERR_NOMEM; out zeroed on
 * failure. The copy is not validated (the source is assumed valid). */
starkml_status sm_air_table_copy(sm_air_table *out, const sm_air_table *in);

/* ---- Degrees ---------------------------------------------------------------------------
 *
 * Formal degree in the trace polynomials: a column has degree 1, a constant, public value
 * or challenge 0; MUL adds, ADD and SUB take the maximum, NEG keeps it. Cancellations are
 * not detected, so this is an upper bound, which is what the quotient's size needs.
 * Degrees saturate at UINT32_MAX (a product chain can double the degree at every node).
 * The table must be valid (only array bounds are re-checked).
 */

/* Returns: STARKML_OK or STARKML_ERR_ARG. Out: deg[n_nodes] (zeroed on failure). */
starkml_status sm_air_node_degrees(const sm_air_table *t, uint32_t *deg);
/* Returns: STARKML_OK, _ARG, _NOMEM. Out: deg[n_constraints] (zeroed on failure). */
starkml_status sm_air_constraint_degrees(const sm_air_table *t, uint32_t *deg);
/* Returns: STARKML_OK, _ARG, _NOMEM. Out: *max_degree over all constraints (0 if none). */
starkml_status sm_air_max_degree(const sm_air_table *t, uint32_t *max_degree);

/* ---- Canonical encoding ----------------------------------------------------------------
 *
 * Little-endian, every count before its items (core/ser.h primitives):
 *
 *   bytes  "SMAT"                      magic (also separates the program hash's domain)
 *   u32    SM_AIR_ENCODING_VERSION     = 1
 *   u32    name_len, then name_len bytes (no NUL)
 *   u32    log_n
 *   u32    n_pre, u32 n_main, u32 n_public
 *   u32    n_nodes, then per node (20 bytes):
 *            u8 op, u8 kind, u8 next, u8 pad, u32 a, u32 b, u64 value
 *   u32    n_constraints, then per constraint (5 bytes): u32 root, u8 selector
 *   u32    n_interactions, then per interaction:
 *            u32 bus, u32 mult, u32 n_values, n_values x u32 value node
 *
 * Validation forces every unused field to zero, so a valid table has exactly one
 * encoding, and the decoder accepts exactly the encodings of valid table descriptions.
 */

/* Appends the encoding of t (which must pass sm_air_validate with n_aux = 0) to w.
 * Returns: STARKML_OK, STARKML_ERR_ARG (invalid table; nothing written), STARKML_ERR_NOMEM,
 * or the writer's error (NOMEM, or ARG past its cap). */
starkml_status sm_air_encode(const sm_air_table *t, sm_writer *w);

/* The program hash: SHA3-256 of the encoding. It goes into the Fiat-Shamir statement.
 * Returns: STARKML_OK, _ARG (invalid table), _NOMEM. Out: out (zeroed on failure). */
starkml_status sm_air_hash(const sm_air_table *t, uint8_t out[32]);

/*
 * Reads one encoded table from r (not requiring r to end there) and validates it as a
 * table description (n_aux = 0). Counts are bounded by the caps and by the bytes left
 * before anything is allocated.
 * Returns: STARKML_OK, STARKML_ERR_PARSE (malformed or invalid), STARKML_ERR_NOMEM.
 * Out:  out  the table (zeroed on failure); release with sm_air_table_free.
 */
starkml_status sm_air_decode(sm_reader *r, sm_air_table *out);

/* Decodes a buffer that holds exactly one encoded table (trailing bytes are refused).
 * Returns: as sm_air_decode. */
starkml_status sm_air_decode_buf(sm_air_table *out, const void *data, size_t len);

/* ---- Evaluation ------------------------------------------------------------------------
 *
 * One semantics for prover and verifier: node i's value is computed from its operands'
 * values with the field operations of core/field.h; base-field inputs embed into the
 * extension as (v, 0, 0). Both evaluators give bit-identical results on the same inputs
 * (the base-field path of the block evaluator is the extension arithmetic restricted to
 * embedded values, which is exact). A constraint's value is its root's value; selectors
 * are not applied (the caller divides by the selector's vanishing polynomial).
 *
 * Column slots: the row evaluator takes the columns of all kinds in one array, in the
 * order preprocessed, main, auxiliary (slot = index, n_pre + index, n_pre + n_main +
 * index).
 */

/*
 * Evaluates every constraint at one point (the verifier's out-of-domain check).
 * The table is validated first (cheap next to the extension arithmetic).
 * Returns: STARKML_OK, STARKML_ERR_ARG (NULL input or invalid table), or _NOMEM (from the
 *          validation); out is zeroed on failure.
 * Out:  out[n_constraints]  the constraint values.
 * In:   cur, next  n_pre + n_main + n_aux values of the columns at the point x and at
 *                  x * omega_n (the next row);
 *       publics    n_public base-field values; challenges  SM_AIR_N_CHALLENGES values;
 *       scratch    n_nodes elements (caller-owned, so the function does not allocate).
 */
starkml_status sm_air_eval_row(const sm_air_table *t, uint32_t n_aux, gl3_t *out, const gl3_t *cur,
                               const gl3_t *next, const gl_t *publics, const gl3_t *challenges,
                               gl3_t *scratch);

/*
 * Inputs of the block evaluator. Point p of the block reads column c's current value at
 * cur[c][p * stride] and its next-row value at next[c][p * stride]: the caller supplies
 * both pointers per column because on the LDE the next row lives elsewhere (a shift by
 * the blowup, in natural order), and a stride so that row-major and column-major storage
 * both work (stride 1 for a gathered column, the row width for a row-major matrix).
 */
typedef struct {
  const gl_t *const *base_cur; /* n_pre + n_main columns: preprocessed first, then main */
  const gl_t *const *base_next;
  size_t base_stride;
  const gl3_t *const *aux_cur; /* n_aux columns (may be NULL when n_aux == 0) */
  const gl3_t *const *aux_next;
  size_t aux_stride;
  const gl_t *publics;     /* n_public (may be NULL when 0) */
  const gl3_t *challenges; /* SM_AIR_N_CHALLENGES */
} sm_air_block_in;

/* Scratch the block evaluator needs, in gl_t elements, for blocks of up to `block`
 * points: three base-field lanes per node and point, plus one flag word per node.
 * Returns 0 if the size would overflow. */
size_t sm_air_block_scratch_len(const sm_air_table *t, size_t block);

/* The words per point the block evaluator's node values take for t (one per base-field
 * node, three per extension node): with `block` points, a block's working set is about
 * 8 * block times this many bytes. Returns 0 for an empty or oversized table; callers use
 * it to choose block sizes that stay in cache. */
size_t sm_air_block_lanes(const sm_air_table *t);

/*
 * Evaluates every constraint at `block` points at once, node by node (columnar, so each
 * node's loop runs over the points with the operation fixed). A node whose operands are
 * all base-field values is computed in the base field. The table must have passed
 * sm_air_validate with this n_aux; it is not re-checked (this is the prover's hot loop;
 * nothing is allocated).
 * Returns: STARKML_OK, or STARKML_ERR_ARG (NULL pointer or block == 0; out zeroed when
 *          t and out are given).
 * Out:  out[n_constraints * block]  constraint j at point p is out[j * block + p].
 * In:   in, block; scratch  sm_air_block_scratch_len(t, block) elements.
 */
starkml_status sm_air_eval_block(const sm_air_table *t, uint32_t n_aux, gl3_t *out,
                                 const sm_air_block_in *in, size_t block, gl_t *scratch);

/*
 * Checks a whole trace against the table's constraints, each on its selector's rows
 * (row i's next row is i + 1 mod n). The prover's debugging aid and the tests' oracle.
 * Returns: STARKML_OK when every constraint vanishes where it must; STARKML_REJECT
 *          otherwise (*bad_row, *bad_constraint name the first failure, row-major
 *          order); STARKML_ERR_ARG (invalid table or NULL input); STARKML_ERR_NOMEM.
 * Out:  bad_row, bad_constraint  (may be NULL; set to SIZE_MAX unless REJECT).
 * In:   pre, main  column-major base columns (column c at pre + c * n), n = 2^log_n;
 *       aux        column-major extension columns, n_aux of them (NULL when 0);
 *       publics, challenges as for sm_air_eval_row.
 */
starkml_status sm_air_check_trace(const sm_air_table *t, uint32_t n_aux, size_t *bad_row,
                                  size_t *bad_constraint, const gl_t *pre, const gl_t *main,
                                  const gl3_t *aux, const gl_t *publics, const gl3_t *challenges);

/* ---- LogUp -----------------------------------------------------------------------------
 *
 * For interaction k (in table order) with multiplicity m_k, bus b_k and values v_k, the
 * engine adds auxiliary column h_k = aux index k, and the running sum S = aux index K
 * (K = n_interactions), with the constraints, appended in this order:
 *   EVERY       h_k * (alpha - phi_k) - m_k = 0,   phi_k = b_k + sum_{i>=1} beta^i v_{k,i}
 *               (one per interaction, k = 0 .. K - 1)
 *   FIRST       S - sum_k h_k = 0
 *   TRANSITION  S_next - S - sum_k h_k(next) = 0
 *   LAST        S - claimed = 0                    (claimed = challenge SM_AIR_CHAL_CLAIMED)
 * so S at the last row is sum over rows and interactions of m / (alpha - phi), the table's
 * claimed sum; the buses balance when the claimed sums of all tables add up to zero.
 */

/*
 * Returns a copy of the table description `in` with the LogUp columns' constraints
 * appended (and its interactions kept). A table without interactions is copied as is.
 * Returns: STARKML_OK, STARKML_ERR_ARG (in is not a valid description, or the result would
 *          exceed a size cap), _NOMEM.
 * Out:  out  validates with n_aux = sm_air_logup_n_aux(out); zeroed on failure.
 */
starkml_status sm_air_logup_extend(const sm_air_table *in, sm_air_table *out);

/*
 * Batch inversion in the extension (Montgomery's trick: one sm_gl3_inv and about 3(n - 1)
 * multiplications). Zeros map to zero. out may alias in; scratch holds n elements and
 * must alias neither.
 * Returns: the number of zero inputs.
 */
size_t sm_air_gl3_batch_inv(gl3_t *out, const gl3_t *in, size_t n, gl3_t *scratch);

/*
 * Fills the auxiliary trace of a table for challenges alpha, beta: h_k = m_k / (alpha -
 * phi_k) on every row (denominators inverted in one batch per column) and the running
 * sum S. t may be the description or its LogUp extension (the interactions are the same).
 * Returns: STARKML_OK; STARKML_ERR_ARG (invalid table, NULL input, or a denominator
 *          alpha - phi vanished, which random challenges hit with probability
 *          <= n K / p^3); STARKML_ERR_NOMEM. On failure aux and claimed are zeroed.
 * Out:  aux      sm_air_logup_n_aux(t) columns of n rows, column-major (column k at
 *                aux + k * n); may be NULL when the table has no interactions;
 *       claimed  the table's claimed sum S[n - 1] (0 without interactions).
 * In:   pre, main  column-major base columns; publics  n_public values.
 */
starkml_status sm_air_logup_aux_trace(const sm_air_table *t, gl3_t *aux, gl3_t *claimed,
                                      const gl_t *pre, const gl_t *main, const gl_t *publics,
                                      gl3_t alpha, gl3_t beta);

#endif
