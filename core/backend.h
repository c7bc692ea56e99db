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
 * (quotient_values, deep_values), and the FRI layer op by fri/fri.c, whose host commit
 * phase is its reference.
 *
 * Contracts are those of the CPU functions named beside each entry (core/ntt.h,
 * core/merkle.h, fri/fri.c, fri/stark_prove.c), argument checks included: a backend sees
 * only arguments the dispatcher has already checked. Buffers are host memory, except the
 * matrices (sm_be_mat), which a backend may keep on its device from the op that makes them
 * to the last stage that reads them, and the Merkle trees committed from them
 * (sm_merkle_tree.dev), whose nodes may stay there until the openings. The LDE matrices
 * live from the coset evaluation through the Merkle commitment, the constraint quotient
 * and DEEP to the query openings; the DEEP values (a 3-column matrix per table) feed FRI;
 * FRI's layers are matrices too, made by fri_layer, committed, folded into the next layer
 * and opened; the witness coefficients (witness_coef) stay from the interpolation through
 * the coset evaluation to the out-of-domain values, and so do the quotient's values and
 * pieces (quotient_mat, quotient_coef). Only what the host needs comes back:
 * the roots and caps at commitment, the quotient values (the host interpolates them; with
 * quotient_coef only the count of its coefficients beyond its degree bound), the
 * out-of-domain values, FRI's final layer (3 x N_f values), the opened rows and their paths.
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
 * A matrix (rows x cols, column-major: LDE columns, DEEP values, FRI layers) that may live
 * on a backend's device.
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

  /* sm_merkle_commit of a host matrix (the matrices of a prover whose backend keeps none
     on its device, FRI layers of a host FRI): the whole tree comes back. */
  starkml_status (*merkle_commit)(sm_backend *be, sm_merkle_tree *tree, const gl_t *m,
                                  size_t n_rows, size_t width, size_t col_stride,
                                  const uint8_t *salts, size_t salt_len);

  /*
   * Device-resident matrices. A backend that sets coset_eval_mat must also set
   * merkle_commit_mat, read_rows, mat_free, quotient, deep and fri_layer: its matrices may
   * have no host copy, and nothing else can read them (its DEEP values stay on the device,
   * where only fri_layer reads them). One whose merkle_commit_mat leaves trees on the
   * device must also set read_nodes and tree_free. One that sets fri_layer must also set
   * merkle_commit_mat, read_rows, read_nodes, tree_free and mat_free: FRI commits, opens
   * and frees its layers with them.
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
  /*
   * sm_mmcs_commit of n matrices the backend holds (m[t]->dev set; salts[t] row r's salt at
   * salts[t] + r * salt_len, NULL when salt_len is 0; tree zeroed by the dispatcher; 1 <= n
   * <= SM_MMCS_MAX_MATS; cap_h <= the smallest log2(m[t]->rows)). Either the whole tree
   * comes back, or it stays on the device as with merkle_commit_mat (levels 0..cap_h on the
   * host, top_h = cap_h). A backend that sets coset_eval_mat must also set this.
   */
  starkml_status (*mmcs_commit_mat)(sm_backend *be, sm_merkle_tree *tree,
                                    const sm_be_mat *const *m, const uint8_t *const *salts,
                                    size_t n, size_t salt_len, unsigned cap_h);
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
  /*
   * The DEEP values of sm_be_deep_in into the matrix out (rows = 2^log_big, cols = 3, set by
   * the caller, pointers zeroed): component k of out[i] at column k, row i. The values stay
   * on the device (out->dev): nothing comes back; the caller releases out with mat_free
   * (also on failure).
   */
  starkml_status (*deep)(sm_backend *be, sm_be_mat *out, const sm_be_deep_in *in);
  /*
   * One FRI layer (fri/fri.c, "Layout" and "Folding") into out, a matrix of 3a' columns and
   * R' rows (a' = 2^log_a_out; shape set by the caller, pointers zeroed), in FRI's layer
   * layout: component k of position a' m + r at column 3r + k, row m (a' = 1 for the final
   * layer: column k holds component k). Position i < N' = a' R' receives
   *   fold_i(cur) + in[0](i) + ... + in[n_in - 1](i),   fold_i(NULL) = 0,
   * where in[t] is a 3-column matrix of N' rows (component k of in[t](i) at column k, row i)
   * and fold_i(cur) folds run i of the previous layer cur (3a columns and N' rows in the
   * same layout, a = 2^log_a: the a values of row i, in order) by log_a binary rounds:
   * round r pairs (v[2u], v[2u + 1]) = (lo, hi) into
   *   v[u] = (lo + hi) / 2 + bp[r] (lo - hi) / (2 x),   u < a / 2^(r + 1),
   * x = s_M w_M^bitrev_{log M - 1}(j) the point of pair j = (a >> (r + 1)) i + u of the
   * size-M vector, M = a N' / 2^r, w_M = gl_root_of_unity(log M), s_M = 7^(2^(log_max_size
   * - log M)) (fri.h, "Domains and order"). Arguments (checked by fri.c): cur and every in[t]
   * are matrices of this backend with dev set; n_in >= 1 when cur is NULL; 1 <= log_a <= 4
   * when cur is set (bp then has log_a entries), log_a_out <= 4, log N' + log_a <=
   * log_max_size <= 32. Nothing comes back: the layer stays in out->dev, which the caller
   * commits (merkle_commit_mat), opens (read_rows) and releases with mat_free (also on
   * failure).
   */
  starkml_status (*fri_layer)(sm_backend *be, sm_be_mat *out, unsigned log_a_out,
                              const sm_be_mat *cur, unsigned log_a, const gl3_t *bp,
                              unsigned log_max_size, const sm_be_mat *const *in, size_t n_in);

  /*
   * Witness coefficients on the device (fri/stark_prove.c, witness_lde and ood_values, the
   * CPU reference). A backend that sets witness_coef must also set coset_eval_dev, mat_eval
   * and mat_free, and coset_eval_mat (its LDE matrices stay on the device too).
   *
   * witness_coef: the coefficients of coef->cols trace columns into coef (rows = n + h,
   * n = 2^log_n; shape set by the dispatcher, pointers zeroed): column c is the inverse NTT
   * (natural order in and out) of the n values at trace + c n, minus r_c on rows [0, h),
   * plus r_c on rows [n, n + h) (r_c = r + c h, the zero-knowledge randomizer Z_H(x) r_c(x);
   * r NULL when h = 0). Nothing comes back: the coefficients stay in coef->dev, which the
   * caller releases with mat_free (also on failure).
   */
  starkml_status (*witness_coef)(sm_backend *be, sm_be_mat *coef, const gl_t *trace,
                                 unsigned log_n, const gl_t *r, size_t h);
  /* coset_eval_mat of every row of a coefficient matrix coef of this backend (coef->dev
     set; out's shape set by the dispatcher: 2^log_N rows, coef->cols columns). */
  starkml_status (*coset_eval_dev)(sm_backend *be, sm_be_mat *out, const sm_be_mat *coef,
                                   unsigned log_N, gl_t shift);
  /*
   * The columns of a coefficient matrix coef of this backend (coef->dev set) at n_pts
   * points, given by their powers: out[t * coef->cols + c] = sum over i < coef->rows of
   * pw[t * pw_stride + i] * (column c, row i), t < n_pts, pw_stride >= coef->rows (the
   * out-of-domain values). Only out (n_pts x cols extension values) comes back. coef may
   * be a copy of a matrix with cols lowered: its first cols columns are evaluated (the
   * quotient pieces without the mask).
   */
  starkml_status (*mat_eval)(sm_backend *be, gl3_t *out, const sm_be_mat *coef, const gl3_t *pw,
                             size_t pw_stride, size_t n_pts);

  /*
   * The quotient's coefficients on the device (fri/stark_prove.c, quotient_commit, the CPU
   * reference). A backend that sets quotient_coef must also set quotient_mat,
   * coset_eval_dev, mat_eval and mat_free (and coset_eval_mat): the pieces' coefficients
   * stay on the device through their LDE to their out-of-domain values.
   *
   * quotient_mat: the quotient of sm_be_quotient_in into the matrix q (rows = 2^log_qdom,
   * cols = 3, set by the caller, pointers zeroed): component c of q[i] at column c, row i.
   * Nothing comes back; the caller releases q with mat_free (also on failure).
   */
  starkml_status (*quotient_mat)(sm_backend *be, sm_be_mat *q, const sm_be_quotient_in *in);
  /*
   * quotient_coef: from the values q (a matrix of quotient_mat: M = q->rows = 2^l rows,
   * 3 columns, the points shift * w_M^bitrev(i)) the coefficients a_j (j < M) of the three
   * components' polynomials: the inverse NTT (bit-reversed in, natural out) times shift^-j.
   * *bad = the number of nonzero a_j components with j >= m P (an honest quotient has
   * none); only this count comes back. Into coef (rows = D, cols = 3m or 3m + 3, shape set
   * by the caller, pointers zeroed; P + hq <= D, m >= 1, P >= 1):
   *   column 3k + c (piece k < m), row t: a_(kP + t) component c when t < P and kP + t < M,
   *   else 0; plus b_(k,c)[t - P] on rows [P, P + hq) when k + 1 < m, minus b_(k-1,c)[t] on
   *   rows [0, hq) when k > 0 (the zero-knowledge blinders, b_(k,c)[i] = r[(3k + c) hq + i]);
   *   column 3m + c (the FRI mask, when cols = 3m + 3): r[3 (m - 1) hq + c (D - 1) + t] on
   *   rows t < D - 1, 0 on row D - 1.
   * r holds 3 (m - 1) hq + (cols - 3m)(D - 1) values (NULL when none), in the order the
   * host path draws them from the prover's PRG. The pieces are computed whatever *bad is
   * (the caller refuses or keeps them); they stay in coef->dev, which the caller releases
   * with mat_free (also on failure). q is not changed.
   */
  starkml_status (*quotient_coef)(sm_backend *be, sm_be_mat *coef, size_t *bad,
                                  const sm_be_mat *q, gl_t shift, size_t P, size_t m,
                                  const gl_t *r, size_t hq);

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
 * sm_mmcs_commit of n matrices' rows (core/merkle.h, mixed-height trees), on the device
 * when they live there (every one, with mmcs_commit_mat), else from their host copies.
 * Returns: STARKML_OK; STARKML_ERR_ARG (those of sm_mmcs_commit, cap_h above the smallest
 *          matrix's log height, matrices some on the device and some not);
 *          a backend's STARKML_ERR_NOMEM or STARKML_ERR_BACKEND.
 * Out: tree  as sm_be_merkle_commit_mat: levels 0..cap_h on the host at least.
 * In:  salts salts[t] for matrix m[t] (the array NULL when salt_len is 0).
 */
starkml_status sm_be_mmcs_commit_mat(sm_backend *be, sm_merkle_tree *tree,
                                     const sm_be_mat *const *m, const uint8_t *const *salts,
                                     size_t n, size_t salt_len, unsigned cap_h, int threads);

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

/* The backend's name ("cpu" for NULL) and its last device message ("" for none). */
const char *sm_be_name(const sm_backend *be);
const char *sm_be_last_error(const sm_backend *be);

/* Releases a backend (NULL: no-op). */
void sm_be_free(sm_backend *be);

#endif
