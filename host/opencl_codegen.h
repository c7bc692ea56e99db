/*
 * OpenCL C generated from a constraint table (DESIGN.md, "AIR constraint tables"): the
 * constraint-quotient kernel of one table, built at run time by the opencl backend
 * (host/backend_opencl.c) through the program cache of host/opencl_runtime.c. Internal to
 * libstarkml.
 *
 * The generated kernel `quotient` computes, for one LDE position per work-item, exactly
 * the value of sm_be_quotient_in's formula (core/backend.h), which is what
 * fri/stark_prove.c's quotient_values computes on the CPU: the table's node program
 * becomes straight-line code, one SSA value per node, base field where all operands are
 * base (as sm_air_eval_block), the extension otherwise. Field arithmetic is exact, so any
 * evaluation order gives the CPU's canonical words.
 *
 * Before emission the program is reduced: structurally equal nodes (same op, same
 * operands after renaming, commutative operands sorted) are merged, which also merges
 * repeated loads of one column cell and repeated constants, and nodes that no constraint
 * reaches are dropped. The source depends only on the table's structure (not its name,
 * not the proof's challenges, which are kernel arguments), so equal tables share a built
 * program.
 *
 * Kernel arguments, in order:
 *   __global ulong *q          out: 3 words per position, q[3i + c] = component c
 *   ulong M                    positions 0 .. M - 1
 *   ulong big, uint log_big    the LDE size 2^log_big
 *   uint log_n                 the trace height 2^log_n
 *   pre, mn, aux               the matrices (column c of a matrix at c * big), any buffer
 *                              when the table has no such column
 *   __global const ulong *prm  the 9 challenge words, 3 words per constraint's gamma power,
 *                              then the publics
 *   __global const ulong *tab  lde_point's two tables (kernels/goldilocks.cl), then at zoff
 *                              1 / (x^n - 1) for each value of i >> log_n
 *   uint lo_bits, ulong zoff, ulong w_last (= w_n^(n - 1))
 */
#ifndef STARKML_HOST_OPENCL_CODEGEN_H
#define STARKML_HOST_OPENCL_CODEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "air/air.h"
#include "starkml.h"

typedef struct {
  size_t nodes;       /* in the table */
  size_t emitted;     /* after merging and dropping unreached nodes */
  size_t loads;       /* column cells read per position (after merging) */
  size_t constraints; /* accumulated */
} sm_ocl_codegen_stats;

/* Test hook (fault != 0): the generated kernel doubles every quotient value, a wrong
   kernel that still yields a polynomial, so that a test can see the proof change. */
#define SM_OCL_CODEGEN_FAULT_DOUBLE 1

/*
 * The quotient kernel's source for table t (valid with n_aux auxiliary columns).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL or a node that does not validate);
 *          STARKML_ERR_NOMEM.
 * Out:  *src  the source (malloc'd, NUL-terminated; free it), *len its length (no NUL);
 *       stats  may be NULL.
 * In:   fault  0, or SM_OCL_CODEGEN_FAULT_DOUBLE (tests only).
 */
starkml_status sm_ocl_codegen_quotient(char **src, size_t *len, sm_ocl_codegen_stats *stats,
                                       const sm_air_table *t, uint32_t n_aux, int fault);

#endif
