/* Backend dispatch (core/backend.h): the CPU reference unless a backend takes the call. */
#include "core/backend.h"

#include <stdlib.h>
#include <string.h>

#include "core/field.h"

/* The argument checks every backend may rely on (those of core/ntt.h). */
static starkml_status check_batch(const gl_t *data, size_t ncols, size_t col_stride,
                                  unsigned log_n, sm_order in_order, sm_order out_order) {
  if (log_n > SM_NTT_MAX_LOG_N) return STARKML_ERR_ARG;
  if ((in_order != SM_ORDER_NATURAL && in_order != SM_ORDER_BITREV) ||
      (out_order != SM_ORDER_NATURAL && out_order != SM_ORDER_BITREV))
    return STARKML_ERR_ARG;
  if (ncols > 1 && col_stride < ((size_t)1 << log_n)) return STARKML_ERR_ARG;
  if (ncols > 0 && data == NULL) return STARKML_ERR_ARG;
  return STARKML_OK;
}

starkml_status sm_be_ntt(sm_backend *be, sm_ntt_plan *plan, gl_t *data, size_t ncols,
                         size_t col_stride, unsigned log_n, int inverse, sm_order in_order,
                         sm_order out_order) {
  if (be == NULL || be->ops->ntt == NULL)
    return inverse ? sm_ntt_inverse(plan, data, ncols, col_stride, log_n, in_order, out_order)
                   : sm_ntt_forward(plan, data, ncols, col_stride, log_n, in_order, out_order);
  starkml_status s = check_batch(data, ncols, col_stride, log_n, in_order, out_order);
  if (s != STARKML_OK || ncols == 0) return s;
  return be->ops->ntt(be, data, ncols, col_stride, log_n, inverse, in_order, out_order);
}

starkml_status sm_be_coset_eval(sm_backend *be, sm_ntt_plan *plan, gl_t *out, size_t out_stride,
                                const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                                size_t ncols, unsigned log_N, gl_t shift) {
  if (be == NULL || (be->ops->coset_eval == NULL && be->ops->ntt == NULL))
    return sm_coset_eval(plan, out, out_stride, coeffs, coeff_stride, n_coeffs, ncols, log_N,
                         shift);
  if (log_N > SM_NTT_MAX_LOG_N || shift >= GL_P) return STARKML_ERR_ARG;
  const size_t N = (size_t)1 << log_N;
  if (n_coeffs > N) return STARKML_ERR_ARG;
  if (ncols > 1 && (out_stride < N || coeff_stride < n_coeffs)) return STARKML_ERR_ARG;
  if (ncols == 0) return STARKML_OK;
  if (out == NULL || (coeffs == NULL && n_coeffs > 0)) return STARKML_ERR_ARG;
  /* Disjoint buffers (the CPU contract): [out, out + extent) and the coefficients'. */
  if (n_coeffs > 0) {
    const gl_t *oe = out + (ncols - 1) * out_stride + N;
    const gl_t *ce = coeffs + (ncols - 1) * coeff_stride + n_coeffs;
    if (out < ce && coeffs < oe) return STARKML_ERR_ARG;
  }
  if (be->ops->coset_eval != NULL)
    return be->ops->coset_eval(be, out, out_stride, coeffs, coeff_stride, n_coeffs, ncols,
                               log_N, shift);
  /* c_j shift^j, zero-padded to N, then a forward NTT (natural in, bit-reversed out). */
  for (size_t c = 0; c < ncols; c++) {
    gl_t *o = out + c * out_stride;
    const gl_t *k = coeffs + c * coeff_stride;
    gl_t pw = 1;
    for (size_t j = 0; j < n_coeffs; j++) {
      o[j] = gl_mul(k[j], pw);
      pw = gl_mul(pw, shift);
    }
    memset(o + n_coeffs, 0, (N - n_coeffs) * sizeof *o);
  }
  return be->ops->ntt(be, out, ncols, out_stride, log_N, 0, SM_ORDER_NATURAL, SM_ORDER_BITREV);
}

starkml_status sm_be_merkle_commit(sm_backend *be, sm_merkle_tree *tree, const gl_t *m,
                                   size_t n_rows, size_t width, size_t col_stride,
                                   const uint8_t *salts, size_t salt_len, int threads) {
  if (be == NULL || be->ops->merkle_commit == NULL)
    return sm_merkle_commit(tree, m, n_rows, width, col_stride, salts, salt_len, threads);
  if (tree == NULL) return STARKML_ERR_ARG;
  memset(tree, 0, sizeof *tree);
  if (m == NULL || n_rows == 0 || (n_rows & (n_rows - 1)) != 0 || width == 0 ||
      (salt_len > 0 && salts == NULL) || col_stride < n_rows || threads < 1)
    return STARKML_ERR_ARG;
  return be->ops->merkle_commit(be, tree, m, n_rows, width, col_stride, salts, salt_len);
}

starkml_status sm_be_coset_eval_mat(sm_backend *be, sm_ntt_plan *plan, sm_be_mat *out,
                                    const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                                    size_t ncols, unsigned log_N, gl_t shift) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (log_N > SM_NTT_MAX_LOG_N || shift >= GL_P || ncols == 0) return STARKML_ERR_ARG;
  const size_t N = (size_t)1 << log_N;
  if (n_coeffs > N || (ncols > 1 && coeff_stride < n_coeffs) ||
      (coeffs == NULL && n_coeffs > 0) || ncols > SIZE_MAX / sizeof(gl_t) / N)
    return STARKML_ERR_ARG;
  out->rows = N;
  out->cols = ncols;
  starkml_status s;
  if (be != NULL && be->ops->coset_eval_mat != NULL) {
    s = be->ops->coset_eval_mat(be, out, coeffs, ncols > 1 ? coeff_stride : n_coeffs, n_coeffs,
                                log_N, shift);
  } else {
    out->host = malloc(ncols * N * sizeof(gl_t));
    s = out->host == NULL ? STARKML_ERR_NOMEM
                          : sm_be_coset_eval(be, plan, out->host, N, coeffs, coeff_stride,
                                             n_coeffs, ncols, log_N, shift);
  }
  if (s == STARKML_OK && out->host == NULL && out->dev == NULL) s = STARKML_ERR_INTERNAL;
  if (s != STARKML_OK) sm_be_mat_free(be, out);
  return s;
}

starkml_status sm_be_merkle_commit_mat(sm_backend *be, sm_merkle_tree *tree, const sm_be_mat *m,
                                       const uint8_t *salts, size_t salt_len, unsigned cap_h,
                                       int threads) {
  if (tree == NULL) return STARKML_ERR_ARG;
  memset(tree, 0, sizeof *tree);
  if (m == NULL || m->rows == 0 || (m->rows & (m->rows - 1)) != 0 || m->cols == 0 ||
      (salt_len > 0 && salts == NULL) || threads < 1 || cap_h >= 64 ||
      (m->rows >> cap_h) == 0)
    return STARKML_ERR_ARG;
  if (m->dev != NULL && be != NULL && be->ops->merkle_commit_mat != NULL)
    return be->ops->merkle_commit_mat(be, tree, m, salts, salt_len, cap_h);
  if (m->host == NULL) return STARKML_ERR_ARG;
  return sm_be_merkle_commit(be, tree, m->host, m->rows, m->cols, m->rows, salts, salt_len,
                             threads);
}

starkml_status sm_be_mmcs_commit_mat(sm_backend *be, sm_merkle_tree *tree,
                                     const sm_be_mat *const *m, const uint8_t *const *salts,
                                     size_t n, size_t salt_len, unsigned cap_h, int threads) {
  if (tree == NULL) return STARKML_ERR_ARG;
  memset(tree, 0, sizeof *tree);
  if (m == NULL || n == 0 || n > SM_MMCS_MAX_MATS || (salt_len > 0 && salts == NULL) ||
      threads < 1 || cap_h >= 64)
    return STARKML_ERR_ARG;
  size_t n_dev = 0;
  for (size_t t = 0; t < n; t++) {
    if (m[t] == NULL || m[t]->rows == 0 || (m[t]->rows & (m[t]->rows - 1)) != 0 ||
        m[t]->cols == 0 || (salt_len > 0 && salts[t] == NULL) || (m[t]->rows >> cap_h) == 0)
      return STARKML_ERR_ARG;
    n_dev += m[t]->dev != NULL;
  }
  if (n_dev == n && be != NULL && be->ops->mmcs_commit_mat != NULL)
    return be->ops->mmcs_commit_mat(be, tree, m, salts, n, salt_len, cap_h);
  sm_mmcs_mat mats[SM_MMCS_MAX_MATS];
  for (size_t t = 0; t < n; t++) {
    if (m[t]->host == NULL) return STARKML_ERR_ARG;
    mats[t] = (sm_mmcs_mat){m[t]->host, m[t]->rows, m[t]->cols, m[t]->rows,
                            salt_len > 0 ? salts[t] : NULL};
  }
  return sm_mmcs_commit(tree, mats, n, salt_len, threads);
}

starkml_status sm_be_merkle_fetch_paths(sm_backend *be, sm_merkle_tree *tree, const size_t *rows,
                                        size_t n_rows, unsigned cap_h) {
  if (tree == NULL || tree->nodes == NULL || (n_rows > 0 && rows == NULL) || cap_h > tree->log_n)
    return STARKML_ERR_ARG;
  for (size_t k = 0; k < n_rows; k++)
    if (rows[k] >= tree->n_leaves) return STARKML_ERR_ARG;
  if (tree->dev == NULL || n_rows == 0 || cap_h == tree->log_n) return STARKML_OK;
  if (be == NULL || be->ops->read_nodes == NULL) return STARKML_ERR_ARG;
  const size_t depth = tree->log_n - cap_h;
  if (n_rows > SIZE_MAX / sizeof(size_t) / depth) return STARKML_ERR_NOMEM;
  size_t *idx = malloc(n_rows * depth * sizeof *idx), n = 0;
  if (idx == NULL) return STARKML_ERR_NOMEM;
  starkml_status s = sm_merkle_path_nodes(idx, &n, tree->log_n, cap_h, rows, n_rows);
  if (s == STARKML_OK && n > 0) s = be->ops->read_nodes(be, tree, idx, n);
  free(idx);
  return s;
}

void sm_be_merkle_tree_free(sm_backend *be, sm_merkle_tree *tree) {
  if (tree == NULL) return;
  if (tree->dev != NULL && be != NULL && be->ops->tree_free != NULL) be->ops->tree_free(be, tree);
  sm_merkle_tree_free(tree);
}

starkml_status sm_be_read_rows(sm_backend *be, gl_t *out, const sm_be_mat *m, const size_t *rows,
                               size_t n) {
  if (m == NULL || (n > 0 && (out == NULL || rows == NULL))) return STARKML_ERR_ARG;
  for (size_t k = 0; k < n; k++)
    if (rows[k] >= m->rows) return STARKML_ERR_ARG;
  if (n == 0 || m->cols == 0) return STARKML_OK;
  if (m->host != NULL) {
    for (size_t k = 0; k < n; k++)
      for (size_t c = 0; c < m->cols; c++) out[k * m->cols + c] = m->host[c * m->rows + rows[k]];
    return STARKML_OK;
  }
  if (m->dev == NULL || be == NULL || be->ops->read_rows == NULL) return STARKML_ERR_ARG;
  return be->ops->read_rows(be, out, m, rows, n);
}

void sm_be_mat_free(sm_backend *be, sm_be_mat *m) {
  if (m == NULL) return;
  if (m->dev != NULL && be != NULL && be->ops->mat_free != NULL) be->ops->mat_free(be, m);
  free(m->host);
  memset(m, 0, sizeof *m);
}

const char *sm_be_name(const sm_backend *be) { return be != NULL ? be->ops->name : "cpu"; }

const char *sm_be_last_error(const sm_backend *be) { return be != NULL ? be->last_error : ""; }

void sm_be_free(sm_backend *be) {
  if (be != NULL && be->ops->destroy != NULL) be->ops->destroy(be);
}
