/*
 * Prover backends: where the heavy, data-parallel kernels of a proof run.
 *
 * One interface, several implementations (DESIGN.md, "Backends"): the CPU code of core/
 * and fri/ is the reference; `opencl` (host/backend_opencl.c, kernels/ (OpenCL C)) and
 * `verilator` (the NTT core of hdl/, simulated) take some of the kernels. A backend must
 * give results identical, bit for bit, to the CPU reference for every input the contract
 * admits: the proof bytes of every backend are the same for the same seed.
 *
 * Every operation is optional: a NULL entry means "the CPU reference does it". The
 * dispatch helpers below (sm_be_*) are what the prover calls; with be == NULL, or an entry
 * NULL, they run the CPU code on the caller's NTT plan and thread count.
 *
 * Contracts are those of the CPU functions named beside each entry (core/ntt.h,
 * core/merkle.h, fri/fri.c), argument checks included: a backend sees only arguments the
 * dispatcher has already checked. Buffers are host memory; a backend that keeps data on
 * its device between calls does so behind this interface.
 *
 * A backend object is used by one proof at a time (its queue and scratch are shared by
 * the calls); a context carries at most one. Errors: a backend returns STARKML_ERR_NOMEM
 * when its device runs out of memory and STARKML_ERR_BACKEND on any other device failure,
 * after putting the device's own message in its last_error (sm_be_last_error). Nothing
 * silently falls back to the CPU: a failing backend fails the proof.
 */
#ifndef STARKML_CORE_BACKEND_H
#define STARKML_CORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "core/merkle.h"
#include "core/ntt.h"
#include "starkml.h"

typedef struct sm_backend sm_backend;

typedef struct {
  const char *name; /* "opencl", "verilator" */

  /* sm_ntt_forward / sm_ntt_inverse: batched in-place NTT of ncols columns. */
  starkml_status (*ntt)(sm_backend *be, gl_t *data, size_t ncols, size_t col_stride,
                        unsigned log_n, int inverse, sm_order in_order, sm_order out_order);

  /* sm_coset_eval: coefficients -> evaluations on shift * <w_N>, bit-reversed. When NULL
     and ntt is set, the dispatcher scales and pads on the host and calls ntt. */
  starkml_status (*coset_eval)(sm_backend *be, gl_t *out, size_t out_stride,
                               const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                               size_t ncols, unsigned log_N, gl_t shift);

  /* sm_merkle_commit: the whole tree comes back (the prover opens paths from it). */
  starkml_status (*merkle_commit)(sm_backend *be, sm_merkle_tree *tree, const gl_t *m,
                                  size_t n_rows, size_t width, size_t col_stride,
                                  const uint8_t *salts, size_t salt_len);

  /*
   * One FRI fold (fri/fri.c, "Folding"): for every m < R, out[m] = the fold of the run of
   * a = 2^log_a values at row m of cur, where value r of run m is the extension element
   * (cur[(3r) R + m], cur[(3r + 1) R + m], cur[(3r + 2) R + m]). Round r (r < log_a) pairs
   * (v[2u], v[2u + 1]) into v[u] = (lo + hi) / 2 + bp[r] * (lo - hi) * ix[r][(a >> (r + 1)) m + u].
   * ix[r] has (a >> (r + 1)) * R entries.
   */
  starkml_status (*fri_fold)(sm_backend *be, gl3_t *out, const gl_t *cur, size_t R,
                             unsigned log_a, const gl3_t *bp, const gl_t *const *ix);

  void (*destroy)(sm_backend *be);
} sm_backend_ops;

struct sm_backend {
  const sm_backend_ops *ops;
  void *impl;              /* the implementation's state */
  char last_error[512];    /* the device's own words for the last failure ("" if none) */
};

/* ---- dispatch (core/backend.c) ------------------------------------------------------ */

starkml_status sm_be_ntt(sm_backend *be, sm_ntt_plan *plan, gl_t *data, size_t ncols,
                         size_t col_stride, unsigned log_n, int inverse, sm_order in_order,
                         sm_order out_order);

starkml_status sm_be_coset_eval(sm_backend *be, sm_ntt_plan *plan, gl_t *out, size_t out_stride,
                                const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                                size_t ncols, unsigned log_N, gl_t shift);

starkml_status sm_be_merkle_commit(sm_backend *be, sm_merkle_tree *tree, const gl_t *m,
                                   size_t n_rows, size_t width, size_t col_stride,
                                   const uint8_t *salts, size_t salt_len, int threads);

/* Returns 1 when the backend folds FRI layers itself (the caller then calls sm_be_fri_fold
   and injects and stores the results; otherwise it runs its own fused CPU loop). */
int sm_be_has_fri_fold(const sm_backend *be);
starkml_status sm_be_fri_fold(sm_backend *be, gl3_t *out, const gl_t *cur, size_t R,
                              unsigned log_a, const gl3_t *bp, const gl_t *const *ix);

/* The backend's name ("cpu" for NULL) and its last device message ("" for none). */
const char *sm_be_name(const sm_backend *be);
const char *sm_be_last_error(const sm_backend *be);

/* Releases a backend (NULL: no-op). */
void sm_be_free(sm_backend *be);

#endif
