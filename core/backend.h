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
 * NULL, they run the CPU code on the caller's NTT plan and thread count. The quotient and
 * DEEP ops are dispatched by fri/stark_prove.c, which owns their CPU reference
 * (quotient_values, deep_values).
 *
 * Contracts are those of the CPU functions named beside each entry (core/ntt.h,
 * core/merkle.h, fri/fri.c, fri/stark_prove.c), argument checks included: a backend sees
 * only arguments the dispatcher has already checked. Buffers are host memory, except the
 * LDE matrices (sm_be_mat), which a backend may keep on its device from the coset
 * evaluation that makes them to the last stage that reads them (Merkle commitment,
 * constraint quotient, DEEP, query openings), and the Merkle trees committed from them
 * (sm_merkle_tree.dev), whose nodes may stay there until the openings; only what the host
 * needs comes back (the root and cap at commitment, the opened rows and their paths).
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
struct sm_air_table; /* air/air.h (core/ does not include air/) */

/*
 * A matrix of LDE columns (rows x cols, column-major) that may live on a backend's device.
 * Invariants: at least one of host and dev is set once the matrix is made (both NULL only
 * for an empty or freed matrix); when both are set they hold the same values. The host
 * copy belongs to the dispatcher (malloc'd); dev belongs to the backend that made it and
 * is released by its mat_free (sm_be_mat_free). A matrix made by one backend object is
 * used only with that object.
 */
typedef struct {
  gl_t *host;  /* host copy (column c at host + c * rows); NULL while only on the device */
  void *dev;   /* the backend's copy, owned by the backend (NULL: none) */
  size_t rows, cols;
} sm_be_mat;

/*
 * Inputs of the constraint quotient (fri/stark_prove.c, quotient_values): for every
 * position i < M = 2^log_qdom of the table's LDE (bit-reversed order: the point
 * x_i = shift * w_big^bitrev(i), w_big of order 2^log_big),
 *   q[i] = F(i) / (x_i - 1) + L(i) / (x_i - w^(n-1)) + T(i) (x_i - w^(n-1)) / (x_i^n - 1)
 *          + E(i) / (x_i^n - 1)
 * (w = w_n, n = 2^log_n; a zero denominator counts as an inverse of 0), where F, L, T, E
 * sum gpow[j] * C_j(i) over the constraints j with selector first, last, transition,
 * every, and C_j(i) is constraint j at the columns' values at position i and at
 * next(i) = bitrev(bitrev(i) + 2^log_big / n mod 2^log_big) for the next row.
 */
typedef struct {
  const struct sm_air_table *table; /* the committed table (LogUp constraints appended) */
  uint32_t n_aux;                   /* extension columns its expressions read */
  unsigned log_n, log_big, log_qdom;
  gl_t shift;
  const sm_be_mat *pre;  /* table->n_pre columns (NULL when 0) */
  const sm_be_mat *main; /* table->n_main columns */
  const sm_be_mat *aux;  /* 3 n_aux base columns, 3k + c = component c of column k (NULL: 0) */
  const gl_t *publics;   /* table->n_public values */
  gl3_t chal[3];         /* the challenges (air/air.h, SM_AIR_N_CHALLENGES) */
  const gl3_t *gpow;     /* table->n_constraints weights (powers of the composition gamma) */
} sm_be_quotient_in;

/*
 * Inputs of the DEEP values (fri/stark_prove.c, deep_values): for every LDE position i
 * (x_i as above, big = 2^log_big), with f_c the n_base_open opened base columns (pre,
 * main, then aux columns) and q_k the n_quot quotient piece columns,
 *   out[i] = (sum_c w[c] f_c(i) - kz) / (x_i - z) + (sum_c w[nbo + c] f_c(i) - kzw) / (x_i - zw)
 *          + (sum_k w[2 nbo + k] q_k(i) - kq) / (x_i - z)
 *          [+ w[2 nbo + n_quot] (m_0(i) + X m_1(i) + X^2 m_2(i)) when mask is set, m_c the
 *            quot columns n_quot + c]
 * (an extension zero inverts to zero).
 */
typedef struct {
  unsigned log_big;
  gl_t shift;
  const sm_be_mat *pre, *main, *aux, *quot; /* pre, aux NULL when without columns */
  size_t n_base_open;   /* pre->cols + main->cols + aux->cols */
  size_t n_quot;        /* 3 x pieces */
  int mask;             /* quot has 3 mask columns after the pieces (zero knowledge) */
  const gl3_t *w;       /* 2 n_base_open + n_quot + 1 weights */
  gl3_t kz, kzw, kq, z, zw;
} sm_be_deep_in;

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

  /* sm_merkle_commit of a host matrix (FRI layers): the whole tree comes back. */
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

  /*
   * Device-resident LDE matrices. A backend that sets coset_eval_mat must also set
   * merkle_commit_mat, read_rows, mat_free, quotient and deep: its matrices may have no
   * host copy, and nothing else can read them. One whose merkle_commit_mat leaves trees
   * on the device must also set read_nodes and tree_free.
   *
   * coset_eval_mat: sm_coset_eval into out (rows = 2^log_N, cols = ncols; out zeroed and
   * its shape set by the dispatcher), leaving the result in out->dev or out->host.
   */
  starkml_status (*coset_eval_mat)(sm_backend *be, sm_be_mat *out, const gl_t *coeffs,
                                   size_t coeff_stride, size_t n_coeffs, unsigned log_N,
                                   gl_t shift);
  /*
   * sm_merkle_commit of a matrix the backend holds (m->dev set; tree zeroed by the
   * dispatcher, cap_h <= log2(m->rows)). Either the whole tree comes back (tree->dev NULL),
   * or the nodes stay on the device in tree->dev and only levels 0..cap_h come back into
   * tree->nodes (2 n - 1 digests, the rest zero), with tree->top_h = cap_h.
   */
  starkml_status (*merkle_commit_mat)(sm_backend *be, sm_merkle_tree *tree, const sm_be_mat *m,
                                      const uint8_t *salts, size_t salt_len, unsigned cap_h);
  /* tree->nodes[idx[k]] = the device's node idx[k] for k < n (tree->dev set; idx
     ascending, without repeats, each < 2 tree->n_leaves - 1; n >= 1). */
  starkml_status (*read_nodes)(sm_backend *be, sm_merkle_tree *tree, const size_t *idx, size_t n);
  /* Releases tree->dev (tree->dev != NULL); the dispatcher frees the host part. */
  void (*tree_free)(sm_backend *be, sm_merkle_tree *tree);
  /* out[k * cols + c] = column c at row rows[k], k < n (row-major: the opened rows). */
  starkml_status (*read_rows)(sm_backend *be, gl_t *out, const sm_be_mat *m, const size_t *rows,
                              size_t n);
  /* Releases m->dev (m->dev != NULL). */
  void (*mat_free)(sm_backend *be, sm_be_mat *m);
  /* The quotient of sm_be_quotient_in into q[2^log_qdom] (host). */
  starkml_status (*quotient)(sm_backend *be, gl3_t *q, const sm_be_quotient_in *in);
  /* The DEEP values of sm_be_deep_in into out[2^log_big] (host). */
  starkml_status (*deep)(sm_backend *be, gl3_t *out, const sm_be_deep_in *in);

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

/*
 * The LDE of ncols coefficient columns (sm_be_coset_eval's arguments) into a matrix:
 * on the device when the backend keeps matrices there (coset_eval_mat), else in a host
 * copy computed by sm_be_coset_eval. out is zeroed on entry and on failure.
 */
starkml_status sm_be_coset_eval_mat(sm_backend *be, sm_ntt_plan *plan, sm_be_mat *out,
                                    const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                                    size_t ncols, unsigned log_N, gl_t shift);

/*
 * sm_be_merkle_commit of a matrix's rows (on the device when it lives there).
 * Returns: STARKML_OK; STARKML_ERR_ARG (those of sm_merkle_commit, cap_h > log2(m->rows));
 *          a backend's STARKML_ERR_NOMEM or STARKML_ERR_BACKEND.
 * Out: tree   levels 0..cap_h (the root and the cap of height cap_h) on the host; the other
 *             levels too, unless the backend keeps the tree on its device (tree->dev set):
 *             sm_be_merkle_fetch_paths then brings the opened paths. Zeroed on failure;
 *             free with sm_be_merkle_tree_free.
 * In:  cap_h  the cap height the caller will read (sm_merkle_cap); 0 for the root alone.
 */
starkml_status sm_be_merkle_commit_mat(sm_backend *be, sm_merkle_tree *tree, const sm_be_mat *m,
                                       const uint8_t *salts, size_t salt_len, unsigned cap_h,
                                       int threads);

/*
 * Makes the inclusion paths of rows[0..n_rows) up to the cap of height cap_h readable on
 * the host (sm_merkle_path): for a device tree, reads their siblings
 * (sm_merkle_path_nodes, each once) into tree->nodes; a host tree already has them.
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL pointers with n_rows > 0, a tree without
 *          nodes, cap_h > tree->log_n, a row >= tree->n_leaves, a device tree and a backend
 *          without read_nodes); STARKML_ERR_NOMEM; the backend's errors.
 * In/Out: tree   a tree of sm_be_merkle_commit_mat (or any host tree: nothing to do).
 */
starkml_status sm_be_merkle_fetch_paths(sm_backend *be, sm_merkle_tree *tree, const size_t *rows,
                                        size_t n_rows, unsigned cap_h);

/* Releases a tree of any of the commit calls, its device nodes included, and zeroes it
   (NULL: no-op). be is the backend that committed it. */
void sm_be_merkle_tree_free(sm_backend *be, sm_merkle_tree *tree);

/* The rows rows[0..n) of m, row-major: out[k * m->cols + c] (the query openings). */
starkml_status sm_be_read_rows(sm_backend *be, gl_t *out, const sm_be_mat *m, const size_t *rows,
                               size_t n);

/* Releases both copies of m and zeroes it (NULL or an empty matrix: no-op). */
void sm_be_mat_free(sm_backend *be, sm_be_mat *m);

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
