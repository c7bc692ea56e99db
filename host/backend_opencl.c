/*
 * The OpenCL backend (core/backend.h): NTT, coset evaluation, Merkle commitment, the
 * constraint quotient, DEEP and FRI's layers on an OpenCL device, bit-identical to the CPU
 * reference. The kernels are the OpenCL C files of kernels/, embedded into the library at
 * build time (cmake/opencl.cmake) and built once per backend object through the program
 * cache of host/opencl_runtime.c; the quotient kernels are generated from each table
 * (host/opencl_codegen.c) and built, through the same cache, when a table is first seen.
 *
 * One backend object = one device, one context, one in-order queue, one program (plus one
 * per generated kernel). Calls are synchronous: an op uploads its inputs, runs its kernels
 * and reads its result back before it returns. The matrices (sm_be_mat) are the
 * exception: made on the device (the LDE matrices by coset_eval_mat, the DEEP values by
 * deep, FRI's layers by fri_layer, the witness and quotient coefficients by witness_coef
 * and quotient_coef, the quotient's values by quotient_mat), they stay there, each in a
 * buffer of its own, until mat_free (or destroy), and the ops that read them
 * (merkle_commit_mat, quotient, deep, fri_layer, read_rows, mat_eval, quotient_coef) send
 * back only their results, if any (docs/opencl.md, "What stays on the device"). So do the
 * Merkle trees committed from them: merkle_commit_mat (one matrix) and mmcs_commit_mat
 * (several, of mixed heights) leave the nodes in a buffer of the tree's own
 * (sm_merkle_tree.dev) and send back the top levels, read_nodes the opened paths, until
 * tree_free (or destroy). Other device memory comes
 * from a pool owned by the object: one buffer per role (data, auxiliary input, tables,
 * tree nodes, ...), grown when a call needs more and kept until the object is released,
 * so that a proof's calls do not allocate device memory again and again.
 *
 * Work too large for one buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE) is cut: NTT and coset
 * evaluation batches by columns, a Merkle commitment by rows (the leaves of a row block are
 * hashed from that block; the levels above run on the whole tree, which must fit). A
 * single column, or a tree, larger than one buffer is reported as out of device memory.
 *
 * Errors: every OpenCL call is checked; a failure puts the call and the error's name in
 * be->last_error and returns STARKML_ERR_NOMEM for the out-of-memory codes, else
 * STARKML_ERR_BACKEND. Nothing aborts and nothing falls back to the CPU.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/sha3.h"
#include "host/backends.h"
#include "host/opencl_codegen.h"
#include "host/opencl_loader.h"
#include "host/opencl_runtime.h"

_Static_assert(sizeof(gl3_t) == 3 * sizeof(gl_t), "gl3_t must be three packed elements");
_Static_assert(sizeof(sm_digest) == 32, "a digest is 32 bytes");

/* Largest local tile of the NTT passes (2^11 elements = 16 KiB of local memory). */
#define OCL_TILE_LOG_MAX 11u
#define OCL_TILE_LOG_MIN 6u
/* Work-group size cap: portable (AMD's default maximum is 256). */
#define OCL_WG_MAX ((size_t)256)
/* Lanes of a top NTT pass are at least 2^3 adjacent elements (64-byte runs). */
#define OCL_MIN_LANE_LOG 3u

enum { BUF_DATA, BUF_AUX, BUF_TAB, BUF_NODES, BUF_OUT, BUF_PARAM, BUF_COUNT };
static const char *const buf_role[BUF_COUNT] = {"data",   "input",  "table",
                                                "tree",   "output", "parameter"};

typedef struct {
  cl_mem mem;
  size_t bytes;
} ocl_buf;

enum {
  K_CT, K_GS, K_TW, K_BITREV, K_SPREAD, K_LEAVES, K_NODES, K_FOLD, K_INJECT, K_GATHER,
  K_NGATHER, K_DEEP, K_COEF, K_EVAL, K_QCOLS, K_QCOUNT, K_QPIECES, K_MMCS, K_COUNT
};
static const char *const kernel_names[K_COUNT] = {
    "ntt_ct_pass",   "ntt_gs_pass",  "ntt_tw_extend", "ntt_bitrev", "ntt_coset_spread",
    "merkle_leaves", "merkle_nodes", "fri_fold",      "fri_inject", "mat_gather",
    "merkle_gather", "deep_values",   "coef_randomize", "mat_eval",   "quot_columns",
    "quot_count",    "quot_pieces",  "mmcs_level"};

/* A generated quotient kernel (host/opencl_codegen.c), kept for the object's life. */
typedef struct {
  uint8_t key[32]; /* SHA3-256 of the generated source */
  cl_program prog;
  cl_kernel k;
  size_t wg;
} ocl_qkernel;

typedef struct {
  cl_platform_id plat;
  cl_device_id dev;
  cl_context ctx;
  cl_command_queue q;
  cl_program prog;
  cl_kernel k[K_COUNT];
  size_t wg[K_COUNT];  /* work-group size used for each kernel (a power of two) */
  unsigned tile_log;   /* NTT tile: 2^tile_log elements */
  cl_ulong max_alloc;  /* CL_DEVICE_MAX_MEM_ALLOC_SIZE */
  cl_mem tw[2];        /* twiddles (forward, inverse): tw_len[i] entries, see kernels/ntt.cl */
  size_t tw_len[2];
  ocl_buf pool[BUF_COUNT];
  /* Device-resident matrices (sm_be_mat.dev) and trees (sm_merkle_tree.dev) not yet
     freed: released at destroy. */
  cl_mem *res;
  size_t n_res, cap_res;
  ocl_qkernel *qk; /* generated quotient kernels, n_qk of them */
  size_t n_qk;
  int fault;       /* sm_opencl_codegen_fault */
  unsigned long long bytes_read; /* device -> host, since the object was opened */
} ocl_impl;

/* ---- errors ---------------------------------------------------------------------------- */

static starkml_status cl_fail(sm_backend *be, cl_int err, const char *what) {
  starkml_status s = sm_ocl_status(err);
  snprintf(be->last_error, sizeof be->last_error, "OpenCL %s: %s (%d)%s", what,
           sm_ocl_err_name(err), (int)err,
           s == STARKML_ERR_NOMEM ? ": the device is out of memory" : "");
  return s;
}

#define CK(call, what)                                 \
  do {                                                 \
    cl_int ck_err_ = (call);                           \
    if (ck_err_ != CL_SUCCESS) return cl_fail(be, ck_err_, what); \
  } while (0)

/* ---- device memory ---------------------------------------------------------------------- */

static starkml_status too_big(sm_backend *be, const char *role, size_t bytes) {
  ocl_impl *o = be->impl;
  snprintf(be->last_error, sizeof be->last_error,
           "OpenCL: the %s buffer needs %zu bytes; the device allows at most %llu in one "
           "buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE): out of device memory",
           role, bytes, (unsigned long long)o->max_alloc);
  return STARKML_ERR_NOMEM;
}

/* The pool's buffer of a role, at least `bytes` long (grown, never shrunk). */
static starkml_status buf_get(sm_backend *be, int role, size_t bytes, cl_mem *out) {
  ocl_impl *o = be->impl;
  ocl_buf *b = &o->pool[role];
  if (bytes < 64) bytes = 64;
  if (b->mem == NULL || b->bytes < bytes) {
    if (bytes > o->max_alloc) return too_big(be, buf_role[role], bytes);
    if (b->mem != NULL) clReleaseMemObject(b->mem);
    b->mem = NULL;
    b->bytes = 0;
    cl_int err = CL_SUCCESS;
    cl_mem m = clCreateBuffer(o->ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
    if (m == NULL || err != CL_SUCCESS) return cl_fail(be, err, "clCreateBuffer");
    b->mem = m;
    b->bytes = bytes;
  }
  *out = b->mem;
  return STARKML_OK;
}

/* A buffer of `bytes` outside the pool, on the object's list of resident buffers (what =
   "matrix" or "tree", for the messages). */
static starkml_status res_create(sm_backend *be, const char *what, size_t bytes, cl_mem *out) {
  ocl_impl *o = be->impl;
  if (bytes > o->max_alloc) return too_big(be, what, bytes);
  if (o->n_res == o->cap_res) {
    size_t cap = o->cap_res ? 2 * o->cap_res : 16;
    cl_mem *mm = realloc(o->res, cap * sizeof *mm);
    if (mm == NULL) {
      snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
      return STARKML_ERR_NOMEM;
    }
    o->res = mm;
    o->cap_res = cap;
  }
  cl_int err = CL_SUCCESS;
  cl_mem mem = clCreateBuffer(o->ctx, CL_MEM_READ_WRITE, bytes, NULL, &err);
  if (mem == NULL || err != CL_SUCCESS) {
    char call[64];
    snprintf(call, sizeof call, "clCreateBuffer(%s)", what);
    return cl_fail(be, err, call);
  }
  o->res[o->n_res++] = mem;
  *out = mem;
  return STARKML_OK;
}

/* Takes a resident buffer off the list and releases it. */
static void res_release(ocl_impl *o, cl_mem mem) {
  for (size_t i = 0; i < o->n_res; i++)
    if (o->res[i] == mem) {
      o->res[i] = o->res[--o->n_res];
      clReleaseMemObject(mem);
      break;
    }
}

/* Writes `cols` columns of `len` elements from host (stride hstride) to dev (stride len). */
static starkml_status put_cols(sm_backend *be, cl_mem dev, const gl_t *host, size_t cols,
                               size_t hstride, size_t len) {
  ocl_impl *o = be->impl;
  if (cols == 0 || len == 0) return STARKML_OK;
  if (cols == 1 || hstride == len) {
    CK(clEnqueueWriteBuffer(o->q, dev, CL_TRUE, 0, cols * len * sizeof *host, host, 0, NULL, NULL),
       "clEnqueueWriteBuffer");
    return STARKML_OK;
  }
  const size_t zero[3] = {0, 0, 0}, region[3] = {len * sizeof *host, cols, 1};
  CK(clEnqueueWriteBufferRect(o->q, dev, CL_TRUE, zero, zero, region, len * sizeof *host, 0,
                              hstride * sizeof *host, 0, host, 0, NULL, NULL),
     "clEnqueueWriteBufferRect");
  return STARKML_OK;
}

/* Reads the first `bytes` of dev into host (blocking). Every read from the device goes
   through here or get_cols, which count the bytes (sm_opencl_bytes_read). */
static starkml_status read_back(sm_backend *be, void *host, cl_mem dev, size_t bytes) {
  ocl_impl *o = be->impl;
  CK(clEnqueueReadBuffer(o->q, dev, CL_TRUE, 0, bytes, host, 0, NULL, NULL), "clEnqueueReadBuffer");
  o->bytes_read += bytes;
  return STARKML_OK;
}

/* Reads `cols` columns of `len` elements from dev (stride len) into host (stride hstride). */
static starkml_status get_cols(sm_backend *be, gl_t *host, cl_mem dev, size_t cols,
                               size_t hstride, size_t len) {
  ocl_impl *o = be->impl;
  if (cols == 0 || len == 0) return STARKML_OK;
  if (cols == 1 || hstride == len) return read_back(be, host, dev, cols * len * sizeof *host);
  const size_t zero[3] = {0, 0, 0}, region[3] = {len * sizeof *host, cols, 1};
  CK(clEnqueueReadBufferRect(o->q, dev, CL_TRUE, zero, zero, region, len * sizeof *host, 0,
                             hstride * sizeof *host, 0, host, 0, NULL, NULL),
     "clEnqueueReadBufferRect");
  o->bytes_read += (unsigned long long)cols * len * sizeof *host;
  return STARKML_OK;
}

/* ---- launching -------------------------------------------------------------------------- */

static starkml_status set_arg(sm_backend *be, int k, cl_uint i, size_t size, const void *v) {
  ocl_impl *o = be->impl;
  cl_int err = clSetKernelArg(o->k[k], i, size, v);
  if (err != CL_SUCCESS) {
    char what[96];
    snprintf(what, sizeof what, "clSetKernelArg(%s, %u)", kernel_names[k], (unsigned)i);
    return cl_fail(be, err, what);
  }
  return STARKML_OK;
}

#define ARG(k, i, v)                                                \
  do {                                                              \
    starkml_status arg_s_ = set_arg(be, (k), (i), sizeof(v), &(v)); \
    if (arg_s_ != STARKML_OK) return arg_s_;                        \
  } while (0)

static starkml_status launch(sm_backend *be, int k, cl_uint dims, const size_t *global,
                             const size_t *local) {
  ocl_impl *o = be->impl;
  cl_int err = clEnqueueNDRangeKernel(o->q, o->k[k], dims, NULL, global, local, 0, NULL, NULL);
  if (err != CL_SUCCESS) {
    char what[96];
    snprintf(what, sizeof what, "clEnqueueNDRangeKernel(%s)", kernel_names[k]);
    return cl_fail(be, err, what);
  }
  return STARKML_OK;
}

/* A 1-D work-group size for `items` work-items: a power of two, at most cap. */
static size_t wg_for(size_t cap, size_t items) {
  size_t wg = 1;
  while (wg * 2 <= cap && wg < items) wg *= 2;
  return wg;
}

/* A 1-D launch of `items` work-items (rounded up to the kernel's work-group size). */
static starkml_status launch_1d(sm_backend *be, int k, size_t items) {
  ocl_impl *o = be->impl;
  size_t wg = o->wg[k];
  size_t global = (items + wg - 1) / wg * wg;
  return launch(be, k, 1, &global, &wg);
}

/* A 2-D launch of `items` work-items (dimension 0, work-groups of at most the kernel's size)
   times `cols` (dimension 1, one column per work-group row). */
static starkml_status launch_2d(sm_backend *be, int k, size_t items, size_t cols) {
  ocl_impl *o = be->impl;
  const size_t wg = wg_for(o->wg[k], items);
  const size_t global[2] = {(items + wg - 1) / wg * wg, cols}, local[2] = {wg, 1};
  return launch(be, k, 2, global, local);
}

/* launch_1d, then reads the first `bytes` of dout into host out (blocking). */
static starkml_status launch_read(sm_backend *be, int k, size_t items, cl_mem dout, size_t bytes,
                                  void *out) {
  starkml_status s = launch_1d(be, k, items);
  return s == STARKML_OK ? read_back(be, out, dout, bytes) : s;
}

/* ---- NTT -------------------------------------------------------------------------------- */

/* Makes the twiddle table of direction inv hold at least `need` entries (a power of two):
   tw[0] = 1, then one ntt_tw_extend launch per doubling (kernels/ntt.cl). */
static starkml_status ensure_twiddles(sm_backend *be, int inv, size_t need) {
  ocl_impl *o = be->impl;
  if (o->tw_len[inv] >= need) return STARKML_OK;
  if (need * sizeof(gl_t) > o->max_alloc) return too_big(be, "twiddle", need * sizeof(gl_t));
  if (o->tw[inv] != NULL) clReleaseMemObject(o->tw[inv]);
  o->tw[inv] = NULL;
  o->tw_len[inv] = 0;
  cl_int err = CL_SUCCESS;
  cl_mem m = clCreateBuffer(o->ctx, CL_MEM_READ_WRITE, need * sizeof(gl_t), NULL, &err);
  if (m == NULL || err != CL_SUCCESS) return cl_fail(be, err, "clCreateBuffer");
  o->tw[inv] = m;
  const gl_t one = 1;
  CK(clEnqueueWriteBuffer(o->q, m, CL_TRUE, 0, sizeof one, &one, 0, NULL, NULL),
     "clEnqueueWriteBuffer");
  for (unsigned k = 0; ((size_t)1 << k) < need; k++) {
    cl_ulong off = (cl_ulong)1 << k;
    cl_ulong w = gl_root_of_unity(k + 2);
    if (inv) w = gl_inv(w);
    ARG(K_TW, 0, m);
    ARG(K_TW, 1, off);
    ARG(K_TW, 2, w);
    starkml_status s = launch_1d(be, K_TW, (size_t)off);
    if (s != STARKML_OK) return s;
  }
  o->tw_len[inv] = need;
  return STARKML_OK;
}

/*
 * Stages [s_begin, m) of CT (gs = 0) or GS (gs = 1) on `cols` columns of 2^m elements at
 * buf (stride 2^m), with the twiddles of direction inv; the last pass multiplies by scale
 * when fin is set. The cut into passes is kernels/ntt.cl's: one bottom pass of the last
 * min(m - s_begin, tile_log) stages and even top passes of at most tile_log - 3 stages.
 */
static starkml_status run_network(sm_backend *be, cl_mem buf, size_t cols, unsigned m,
                                  unsigned s_begin, int gs, int inv, gl_t scale, int fin) {
  ocl_impl *o = be->impl;
  if (s_begin >= m) return STARKML_OK;
  starkml_status s = ensure_twiddles(be, inv, (size_t)1 << (m - 1));
  if (s != STARKML_OK) return s;
  const unsigned T = o->tile_log;
  const unsigned kb = m - s_begin < T ? m - s_begin : T;
  const unsigned top = m - s_begin - kb, per = T - OCL_MIN_LANE_LOG;
  const unsigned np = (top + per - 1) / per;
  /* passes[i] = (s0, k), in CT order (top passes, then the bottom pass). */
  unsigned s0v[16], kv[16], n = 0;
  for (unsigned i = 0; i < np; i++) {
    unsigned a = s_begin + top * i / np, b = s_begin + top * (i + 1) / np;
    s0v[n] = a;
    kv[n++] = b - a;
  }
  s0v[n] = m - kb;
  kv[n++] = kb;
  const int kern = gs ? K_GS : K_CT;
  const cl_ulong stride = (cl_ulong)1 << m;
  const cl_uint mm = m;
  const cl_ulong sc = scale;
  for (unsigned step = 0; step < n; step++) {
    const unsigned i = gs ? n - 1 - step : step;
    const cl_uint s0 = s0v[i], k = kv[i];
    const unsigned lw = m - s0 - k;
    const cl_uint lt = lw < T - k ? lw : T - k;
    const cl_uint last = fin && step + 1 == n;
    size_t wg = o->wg[kern], half = (size_t)1 << (k + lt - 1);
    if (wg > half) wg = half;
    const size_t groups = (size_t)1 << (m - k - lt);
    const size_t global[2] = {groups * wg, cols}, local[2] = {wg, 1};
    ARG(kern, 0, buf);
    ARG(kern, 1, stride);
    ARG(kern, 2, o->tw[inv]);
    ARG(kern, 3, mm);
    ARG(kern, 4, s0);
    ARG(kern, 5, k);
    ARG(kern, 6, lt);
    ARG(kern, 7, sc);
    ARG(kern, 8, last);
    s = launch(be, kern, 2, global, local);
    if (s != STARKML_OK) return s;
  }
  return STARKML_OK;
}

static starkml_status run_bitrev(sm_backend *be, cl_mem buf, size_t cols, unsigned m) {
  ocl_impl *o = be->impl;
  const cl_ulong stride = (cl_ulong)1 << m;
  const cl_uint mm = m;
  ARG(K_BITREV, 0, buf);
  ARG(K_BITREV, 1, stride);
  ARG(K_BITREV, 2, mm);
  size_t wg = o->wg[K_BITREV];
  if (wg > stride) wg = (size_t)stride;
  const size_t global[2] = {(size_t)stride, cols}, local[2] = {wg, 1};
  return launch(be, K_BITREV, 2, global, local);
}

/* Columns per chunk when a column takes col_bytes of device buffer: all, unless the
   device's largest buffer is smaller. 0 when not even one column fits. */
static size_t chunk_cols(const ocl_impl *o, size_t ncols, size_t col_bytes) {
  size_t fit = (size_t)(o->max_alloc / col_bytes);
  return fit < ncols ? fit : ncols;
}

static starkml_status ocl_ntt(sm_backend *be, gl_t *data, size_t ncols, size_t col_stride,
                              unsigned log_n, int inverse, sm_order in_order,
                              sm_order out_order) {
  ocl_impl *o = be->impl;
  if (log_n == 0) return STARKML_OK; /* a 1-point transform is the identity both ways */
  const size_t n = (size_t)1 << log_n;
  const size_t stride = ncols > 1 ? col_stride : n;
  const size_t per = chunk_cols(o, ncols, n * sizeof(gl_t));
  if (per == 0) return too_big(be, buf_role[BUF_DATA], n * sizeof(gl_t));
  const gl_t scale = inverse ? gl_inv((gl_t)n) : 1;
  for (size_t c0 = 0; c0 < ncols; c0 += per) {
    const size_t cols = ncols - c0 < per ? ncols - c0 : per;
    cl_mem buf;
    starkml_status s = buf_get(be, BUF_DATA, cols * n * sizeof(gl_t), &buf);
    if (s == STARKML_OK) s = put_cols(be, buf, data + c0 * stride, cols, stride, n);
    if (s != STARKML_OK) return s;
    if (in_order == SM_ORDER_BITREV && out_order == SM_ORDER_NATURAL) {
      s = run_network(be, buf, cols, log_n, 0, 1, inverse, scale, inverse);
    } else {
      /* Every other combination goes through CT, which wants natural input. */
      if (in_order == SM_ORDER_BITREV) s = run_bitrev(be, buf, cols, log_n);
      if (s == STARKML_OK) s = run_network(be, buf, cols, log_n, 0, 0, inverse, scale, inverse);
      if (s == STARKML_OK && out_order == SM_ORDER_NATURAL) s = run_bitrev(be, buf, cols, log_n);
    }
    if (s == STARKML_OK) s = get_cols(be, data + c0 * stride, buf, cols, stride, n);
    if (s != STARKML_OK) return s;
  }
  return STARKML_OK;
}

/* Uploads into the pool's table buffer the two tables from which kernels compute x^j for
   j < 2^log_n (ntt_coset_spread, quot_pieces): pw[t] = x^t for t < 2^lo, then
   pw[2^lo + t] = x^(t 2^lo) for t < 2^(log_n - lo), lo = ceil(log_n / 2). */
static starkml_status pow_tables(sm_backend *be, gl_t x, unsigned log_n, cl_mem *tab,
                                 unsigned *lo_bits) {
  const unsigned lo = (log_n + 1) / 2, hi = log_n - lo;
  const size_t nlo = (size_t)1 << lo, nhi = (size_t)1 << hi;
  gl_t *pw = malloc((nlo + nhi) * sizeof *pw);
  if (pw == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    return STARKML_ERR_NOMEM;
  }
  pw[0] = 1;
  for (size_t t = 1; t < nlo; t++) pw[t] = gl_mul(pw[t - 1], x);
  const gl_t step = gl_mul(pw[nlo - 1], x);
  pw[nlo] = 1;
  for (size_t t = 1; t < nhi; t++) pw[nlo + t] = gl_mul(pw[nlo + t - 1], step);
  starkml_status s = buf_get(be, BUF_TAB, (nlo + nhi) * sizeof *pw, tab);
  if (s == STARKML_OK) s = put_cols(be, *tab, pw, 1, nlo + nhi, nlo + nhi);
  free(pw);
  *lo_bits = lo;
  return s;
}

/* The coset evaluation of core/ntt.h into host memory (out, resident == NULL: in column
   chunks through the pool) or into the device matrix `resident` (ncols x N, stride N), of
   host coefficients, or of the device's (dcoef set: ncols columns of stride n_coeffs). */
static starkml_status coset_run(sm_backend *be, gl_t *out, size_t out_stride, cl_mem resident,
                                cl_mem dcoef, const gl_t *coeffs, size_t coeff_stride,
                                size_t n_coeffs, size_t ncols, unsigned log_N, gl_t shift) {
  ocl_impl *o = be->impl;
  const size_t N = (size_t)1 << log_N;
  const size_t ostride = ncols > 1 ? out_stride : N;
  const size_t cstride = ncols > 1 ? coeff_stride : n_coeffs;
  /* Coefficients padded to nb = 2^log_nb; the first log_N - log_nb CT stages replicate. */
  unsigned log_nb = 0;
  while (((size_t)1 << log_nb) < n_coeffs) log_nb++;
  const size_t nb = (size_t)1 << log_nb;
  /* shift^j from two small tables (kernels/ntt.cl, ntt_coset_spread). */
  cl_mem tab;
  unsigned lo = 0;
  starkml_status s = pow_tables(be, shift, log_nb, &tab, &lo);
  if (s != STARKML_OK) return s;

  const size_t per = resident != NULL ? ncols : chunk_cols(o, ncols, N * sizeof(gl_t));
  if (per == 0) return too_big(be, buf_role[BUF_DATA], N * sizeof(gl_t));
  for (size_t c0 = 0; c0 < ncols; c0 += per) {
    const size_t cols = ncols - c0 < per ? ncols - c0 : per;
    cl_mem dst = resident, src = dcoef;
    s = STARKML_OK;
    if (resident == NULL) s = buf_get(be, BUF_DATA, cols * N * sizeof(gl_t), &dst);
    if (s == STARKML_OK && dcoef == NULL)
      s = buf_get(be, BUF_AUX, cols * n_coeffs * sizeof(gl_t), &src);
    if (s == STARKML_OK && n_coeffs > 0 && dcoef == NULL)
      s = put_cols(be, src, coeffs + c0 * cstride, cols, cstride, n_coeffs);
    if (s != STARKML_OK) return s;
    const cl_ulong a_ostride = N, a_cstride = n_coeffs, a_nc = n_coeffs, a_N = N, a_nb = nb;
    const cl_uint a_lo = lo;
    ARG(K_SPREAD, 0, dst);
    ARG(K_SPREAD, 1, a_ostride);
    ARG(K_SPREAD, 2, src);
    ARG(K_SPREAD, 3, a_cstride);
    ARG(K_SPREAD, 4, a_nc);
    ARG(K_SPREAD, 5, a_N);
    ARG(K_SPREAD, 6, a_nb);
    ARG(K_SPREAD, 7, tab);
    ARG(K_SPREAD, 8, a_lo);
    size_t wg = o->wg[K_SPREAD];
    if (wg > N) wg = N;
    const size_t global[2] = {N, cols}, local[2] = {wg, 1};
    s = launch(be, K_SPREAD, 2, global, local);
    if (s == STARKML_OK) s = run_network(be, dst, cols, log_N, log_N - log_nb, 0, 0, 1, 0);
    if (s == STARKML_OK && resident == NULL)
      s = get_cols(be, out + c0 * ostride, dst, cols, ostride, N);
    if (s != STARKML_OK) return s;
  }
  return STARKML_OK;
}

static starkml_status ocl_coset_eval(sm_backend *be, gl_t *out, size_t out_stride,
                                     const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                                     size_t ncols, unsigned log_N, gl_t shift) {
  return coset_run(be, out, out_stride, NULL, NULL, coeffs, coeff_stride, n_coeffs, ncols,
                   log_N, shift);
}

/* ---- Merkle ----------------------------------------------------------------------------- */

/* The leaves of rows row0 + r, r < rows, of the rows x width matrix mat (stride rows; salts
   of those rows in sbuf) into nodes[leaf0 + row0 + r] (kernels/keccak.cl, merkle_leaves). */
static starkml_status hash_leaves(sm_backend *be, cl_mem mat, size_t width, cl_mem sbuf,
                                  size_t salt_len, size_t rows, size_t row0, cl_mem nodes,
                                  size_t leaf0) {
  const cl_ulong a_ld = rows, a_w = width, a_sl = salt_len, a_rows = rows, a_r0 = row0,
                 a_l0 = leaf0;
  ARG(K_LEAVES, 0, mat);
  ARG(K_LEAVES, 1, a_ld);
  ARG(K_LEAVES, 2, a_w);
  ARG(K_LEAVES, 3, sbuf);
  ARG(K_LEAVES, 4, a_sl);
  ARG(K_LEAVES, 5, a_rows);
  ARG(K_LEAVES, 6, a_r0);
  ARG(K_LEAVES, 7, nodes);
  ARG(K_LEAVES, 8, a_l0);
  return launch_1d(be, K_LEAVES, rows);
}

/* Levels lc - 1 down to stop (stop < lc) of the heap-ordered tree in nodes from level lc:
   each launch hashes up to log2(G) + 1 of them (kernels/keccak.cl, merkle_nodes). */
static starkml_status hash_levels(sm_backend *be, cl_mem nodes, unsigned lc, unsigned stop) {
  ocl_impl *o = be->impl;
  while (lc > stop) {
    const size_t P = (size_t)1 << (lc - 1);
    size_t G = o->wg[K_NODES] < P ? o->wg[K_NODES] : P;
    unsigned lg = 0;
    while (((size_t)1 << (lg + 1)) <= G) lg++;
    const cl_uint levels = lg + 1 < lc - stop ? lg + 1 : lc - stop, a_lc = lc;
    ARG(K_NODES, 0, nodes);
    ARG(K_NODES, 1, a_lc);
    ARG(K_NODES, 2, levels);
    starkml_status s = set_arg(be, K_NODES, 3, G * sizeof(sm_digest), NULL);
    if (s != STARKML_OK) return s;
    s = launch(be, K_NODES, 1, &P, &G);
    if (s != STARKML_OK) return s;
    lc -= levels;
  }
  return STARKML_OK;
}

/* Into the device buffer nodes (2n - 1 digests, heap order): the tree of the n x width
   matrix at host m (stride col_stride, uploaded in row blocks) or, when resident is set, of
   the device matrix resident (stride n) in one launch. */
static starkml_status merkle_build(sm_backend *be, cl_mem nodes, const gl_t *m, cl_mem resident,
                                   size_t n, size_t width, size_t col_stride,
                                   const uint8_t *salts, size_t salt_len) {
  ocl_impl *o = be->impl;
  unsigned log_n = 0;
  while (((size_t)1 << log_n) < n) log_n++;
  cl_mem mat, sbuf;
  starkml_status s = STARKML_OK;
  /* Rows per chunk: a power of two whose block of the matrix (and of the salts) fits. */
  size_t B = n;
  while (resident == NULL && B > 1 &&
         (B * width * sizeof(gl_t) > o->max_alloc || B * salt_len > o->max_alloc))
    B >>= 1;
  if (resident == NULL && B * width * sizeof(gl_t) > o->max_alloc)
    return too_big(be, "matrix", width * sizeof(gl_t));
  if (B * salt_len > o->max_alloc) return too_big(be, "salt", B * salt_len);
  mat = resident;
  if (resident == NULL) s = buf_get(be, BUF_DATA, B * width * sizeof(gl_t), &mat);
  if (s == STARKML_OK) s = buf_get(be, BUF_AUX, B * salt_len, &sbuf);
  if (s != STARKML_OK) return s;
  for (size_t r0 = 0; r0 < n; r0 += B) {
    if (resident == NULL) s = put_cols(be, mat, m + r0, width, col_stride, B);
    if (s != STARKML_OK) return s;
    if (salt_len > 0)
      CK(clEnqueueWriteBuffer(o->q, sbuf, CL_TRUE, 0, B * salt_len, salts + r0 * salt_len, 0,
                              NULL, NULL),
         "clEnqueueWriteBuffer");
    s = hash_leaves(be, mat, width, sbuf, salt_len, B, r0, nodes, n - 1);
    if (s != STARKML_OK) return s;
  }
  return hash_levels(be, nodes, log_n, 0);
}

/*
 * The tree of merkle_build, host matrix m or device matrix resident. Host matrices (FRI
 * layers) build in the pool's node buffer and read every node back. A resident matrix's
 * tree gets a buffer of its own, which stays as tree->dev; only levels 0..cap_h come back
 * (one read: they are the first 2^(cap_h + 1) - 1 nodes of the heap), and read_nodes
 * brings the opened paths later.
 */
static starkml_status merkle_commit_any(sm_backend *be, sm_merkle_tree *tree, const gl_t *m,
                                        cl_mem resident, size_t n_rows, size_t width,
                                        size_t col_stride, const uint8_t *salts,
                                        size_t salt_len, unsigned cap_h) {
  ocl_impl *o = be->impl;
  if (n_rows > SIZE_MAX / (4 * sizeof(sm_digest)) || width > SIZE_MAX / 64) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: the Merkle tree is too large");
    return STARKML_ERR_NOMEM;
  }
  unsigned log_n = 0;
  while (((size_t)1 << log_n) < n_rows) log_n++;
  const size_t n_nodes = 2 * n_rows - 1;
  const size_t n_back = resident != NULL ? ((size_t)2 << cap_h) - 1 : n_nodes;
  /* calloc: a device tree's nodes that never come back read as zero (core/merkle.h). */
  sm_digest *nodes = calloc(n_nodes, sizeof *nodes);
  if (nodes == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    return STARKML_ERR_NOMEM;
  }
  cl_mem dnodes = NULL;
  starkml_status s = resident != NULL
                         ? res_create(be, "tree", n_nodes * sizeof *nodes, &dnodes)
                         : buf_get(be, BUF_NODES, n_nodes * sizeof *nodes, &dnodes);
  if (s == STARKML_OK)
    s = merkle_build(be, dnodes, m, resident, n_rows, width, col_stride, salts, salt_len);
  if (s == STARKML_OK) s = read_back(be, nodes, dnodes, n_back * sizeof *nodes);
  if (s != STARKML_OK) {
    if (resident != NULL && dnodes != NULL) res_release(o, dnodes);
    free(nodes);
    return s;
  }
  tree->n_leaves = n_rows;
  tree->log_n = log_n;
  tree->nodes = nodes;
  if (resident != NULL) {
    tree->dev = dnodes;
    tree->top_h = cap_h;
  }
  return STARKML_OK;
}

static starkml_status ocl_merkle_commit(sm_backend *be, sm_merkle_tree *tree, const gl_t *m,
                                        size_t n_rows, size_t width, size_t col_stride,
                                        const uint8_t *salts, size_t salt_len) {
  return merkle_commit_any(be, tree, m, NULL, n_rows, width, col_stride, salts, salt_len, 0);
}

/* ---- device-resident matrices ----------------------------------------------------------- */

/*
 * A matrix (sm_be_mat) lives in one device buffer of its own, outside the pool (it outlives
 * the call that makes it), column-major with stride rows: from the coset evaluation that
 * makes it until mat_free, through the commitment, the quotient, DEEP and the openings.
 * The object keeps a list of them so that destroy releases what the caller did not.
 */
static starkml_status mat_create(sm_backend *be, sm_be_mat *m) {
  if (m->cols > SIZE_MAX / sizeof(gl_t) / m->rows) return too_big(be, "matrix", SIZE_MAX);
  cl_mem mem = NULL;
  starkml_status s = res_create(be, "matrix", m->rows * m->cols * sizeof(gl_t), &mem);
  if (s == STARKML_OK) m->dev = mem;
  return s;
}

static void ocl_mat_free(sm_backend *be, sm_be_mat *m) {
  res_release(be->impl, m->dev);
  m->dev = NULL;
}

/* The device buffer of a matrix the backend holds, or an error naming what is missing. */
static starkml_status mat_mem(sm_backend *be, const sm_be_mat *m, const char *what, cl_mem *out) {
  if (m == NULL || m->dev == NULL) {
    snprintf(be->last_error, sizeof be->last_error,
             "OpenCL: the %s matrix is not on the device", what);
    return STARKML_ERR_ARG;
  }
  *out = m->dev;
  return STARKML_OK;
}

static starkml_status ocl_coset_eval_mat(sm_backend *be, sm_be_mat *out, const gl_t *coeffs,
                                         size_t coeff_stride, size_t n_coeffs, unsigned log_N,
                                         gl_t shift) {
  starkml_status s = mat_create(be, out);
  if (s != STARKML_OK) return s;
  return coset_run(be, NULL, out->rows, out->dev, NULL, coeffs, coeff_stride, n_coeffs,
                   out->cols, log_N, shift);
}

/* The witness coefficients (kernels/stark.cl, coef_randomize) after the inverse NTT of the
   trace in the pool's data buffer. */
static starkml_status ocl_witness_coef(sm_backend *be, sm_be_mat *coef, const gl_t *trace,
                                       unsigned log_n, const gl_t *r, size_t h) {
  const size_t n = (size_t)1 << log_n, k = coef->cols;
  if (k > SIZE_MAX / sizeof(gl_t) / n) return too_big(be, buf_role[BUF_DATA], SIZE_MAX);
  cl_mem data, dr;
  starkml_status s = mat_create(be, coef);
  if (s == STARKML_OK) s = buf_get(be, BUF_DATA, k * n * sizeof(gl_t), &data);
  if (s == STARKML_OK) s = buf_get(be, BUF_AUX, k * h * sizeof(gl_t), &dr);
  if (s == STARKML_OK) s = put_cols(be, data, trace, 1, k * n, k * n);
  if (s == STARKML_OK && h > 0) s = put_cols(be, dr, r, 1, k * h, k * h);
  /* Natural in and out: CT, then a bit reversal (ocl_ntt); 1/n folded into the last pass. */
  if (s == STARKML_OK && log_n > 0)
    s = run_network(be, data, k, log_n, 0, 0, 1, gl_inv((gl_t)n), 1);
  if (s == STARKML_OK && log_n > 0) s = run_bitrev(be, data, k, log_n);
  if (s != STARKML_OK) return s;
  const cl_ulong a_rows = coef->rows, a_n = n, a_h = h;
  ARG(K_COEF, 0, coef->dev);
  ARG(K_COEF, 1, a_rows);
  ARG(K_COEF, 2, data);
  ARG(K_COEF, 3, a_n);
  ARG(K_COEF, 4, dr);
  ARG(K_COEF, 5, a_h);
  return launch_2d(be, K_COEF, coef->rows, k);
}

static starkml_status ocl_coset_eval_dev(sm_backend *be, sm_be_mat *out, const sm_be_mat *coef,
                                         unsigned log_N, gl_t shift) {
  cl_mem src;
  starkml_status s = mat_mem(be, coef, "coefficient", &src);
  if (s == STARKML_OK) s = mat_create(be, out);
  if (s != STARKML_OK) return s;
  return coset_run(be, NULL, out->rows, out->dev, src, NULL, coef->rows, coef->rows, out->cols,
                   log_N, shift);
}

/* The values of a coefficient matrix's columns at n_pts points (kernels/stark.cl, mat_eval):
   the powers go up, 3 n_pts cols words come back. */
static starkml_status ocl_mat_eval(sm_backend *be, gl3_t *out, const sm_be_mat *coef,
                                   const gl3_t *pw, size_t pw_stride, size_t n_pts) {
  ocl_impl *o = be->impl;
  cl_mem mem, dpw, dout;
  starkml_status s = mat_mem(be, coef, "coefficient", &mem);
  if (s != STARKML_OK) return s;
  if (n_pts == 0 || coef->cols == 0) return STARKML_OK;
  const size_t npw = (n_pts - 1) * pw_stride + coef->rows;
  if (npw > SIZE_MAX / sizeof(gl3_t)) return too_big(be, buf_role[BUF_AUX], SIZE_MAX);
  s = buf_get(be, BUF_AUX, npw * sizeof(gl3_t), &dpw);
  if (s == STARKML_OK) s = buf_get(be, BUF_OUT, n_pts * coef->cols * sizeof(gl3_t), &dout);
  if (s == STARKML_OK) s = put_cols(be, dpw, (const gl_t *)pw, 1, 3 * npw, 3 * npw);
  if (s != STARKML_OK) return s;
  const cl_ulong a_rows = coef->rows, a_cols = coef->cols, a_stride = pw_stride;
  ARG(K_EVAL, 0, dout);
  ARG(K_EVAL, 1, mem);
  ARG(K_EVAL, 2, a_rows);
  ARG(K_EVAL, 3, a_cols);
  ARG(K_EVAL, 4, dpw);
  ARG(K_EVAL, 5, a_stride);
  const size_t wg = wg_for(o->wg[K_EVAL], coef->rows);
  const size_t global[3] = {wg, coef->cols, n_pts}, local[3] = {wg, 1, 1};
  s = launch(be, K_EVAL, 3, global, local);
  return s == STARKML_OK ? read_back(be, out, dout, n_pts * coef->cols * sizeof(gl3_t)) : s;
}

static starkml_status ocl_merkle_commit_mat(sm_backend *be, sm_merkle_tree *tree,
                                            const sm_be_mat *m, const uint8_t *salts,
                                            size_t salt_len, unsigned cap_h) {
  cl_mem mem;
  starkml_status s = mat_mem(be, m, "committed", &mem);
  if (s != STARKML_OK) return s;
  return merkle_commit_any(be, tree, NULL, mem, m->rows, m->cols, m->rows, salts, salt_len,
                           cap_h);
}

/*
 * Level l of a mixed-height tree (core/merkle.h) whose group is the matrices t with
 * lr[t] == l: their leaf digests, one after another, into dig, then mmcs_level puts g(i)
 * (at the leaf level L) or the injected node at level l of the tree in nodes.
 */
static starkml_status mmcs_group(sm_backend *be, cl_mem nodes, cl_mem dig, cl_mem sbuf,
                                 const sm_be_mat *const *m, const cl_mem *mem,
                                 const uint8_t *const *salts, size_t salt_len,
                                 const unsigned *lr, size_t n, unsigned l, unsigned L) {
  ocl_impl *o = be->impl;
  const size_t cnt = (size_t)1 << l;
  cl_uint k = 0;
  for (size_t t = 0; t < n; t++) {
    if (lr[t] != l) continue;
    /* Overwrites the salts the previous member's leaves read: the in-order queue runs the
       write after that launch. */
    if (salt_len > 0)
      CK(clEnqueueWriteBuffer(o->q, sbuf, CL_TRUE, 0, cnt * salt_len, salts[t], 0, NULL, NULL),
         "clEnqueueWriteBuffer");
    starkml_status s = hash_leaves(be, mem[t], m[t]->cols, sbuf, salt_len, cnt, 0, dig, k * cnt);
    if (s != STARKML_OK) return s;
    k++;
  }
  const cl_ulong a_first = cnt - 1, a_cnt = cnt;
  const cl_uint a_inner = l < L;
  ARG(K_MMCS, 0, nodes);
  ARG(K_MMCS, 1, a_first);
  ARG(K_MMCS, 2, dig);
  ARG(K_MMCS, 3, a_cnt);
  ARG(K_MMCS, 4, k);
  ARG(K_MMCS, 5, a_inner);
  return launch_1d(be, K_MMCS, cnt);
}

/*
 * sm_mmcs_commit of device matrices, from the leaf level L up: a level with a group goes
 * through mmcs_group, a run of levels without one through merkle_nodes (hash_levels, which
 * stops at the next group's level, since merkle_nodes knows no injection). The tree stays
 * on the device as merkle_commit_any's does: levels 0..cap_h come back.
 */
static starkml_status ocl_mmcs_commit_mat(sm_backend *be, sm_merkle_tree *tree,
                                          const sm_be_mat *const *m, const uint8_t *const *salts,
                                          size_t n, size_t salt_len, unsigned cap_h) {
  ocl_impl *o = be->impl;
  cl_mem mem[SM_MMCS_MAX_MATS];
  unsigned lr[SM_MMCS_MAX_MATS], L = 0;
  size_t k_at[64] = {0}, max_rows = 0;
  for (size_t t = 0; t < n; t++) {
    starkml_status s = mat_mem(be, m[t], "committed", &mem[t]);
    if (s != STARKML_OK) return s;
    if (m[t]->rows > SIZE_MAX / (4 * sizeof(sm_digest)) || m[t]->cols > SIZE_MAX / 64) {
      snprintf(be->last_error, sizeof be->last_error, "OpenCL: the Merkle tree is too large");
      return STARKML_ERR_NOMEM;
    }
    lr[t] = 0;
    while (((size_t)1 << lr[t]) < m[t]->rows) lr[t]++;
    if (lr[t] > L) L = lr[t];
    k_at[lr[t]]++;
    if (m[t]->rows > max_rows) max_rows = m[t]->rows;
  }
  if (salt_len > 0 && max_rows > SIZE_MAX / salt_len) return too_big(be, "salt", SIZE_MAX);
  if (max_rows * salt_len > o->max_alloc) return too_big(be, "salt", max_rows * salt_len);
  /* The largest group's leaf digests, one buffer reused level after level. */
  size_t dig_bytes = 0;
  for (unsigned l = 0; l <= L; l++) {
    const size_t per = sizeof(sm_digest) << l;
    if (k_at[l] > SIZE_MAX / per) return too_big(be, buf_role[BUF_DATA], SIZE_MAX);
    if (k_at[l] * per > dig_bytes) dig_bytes = k_at[l] * per;
  }
  const size_t N = (size_t)1 << L, n_nodes = 2 * N - 1, n_back = ((size_t)2 << cap_h) - 1;
  /* calloc: the nodes that never come back read as zero (core/merkle.h). */
  sm_digest *nodes = calloc(n_nodes, sizeof *nodes);
  if (nodes == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    return STARKML_ERR_NOMEM;
  }
  cl_mem dnodes = NULL, dig, sbuf;
  starkml_status s = res_create(be, "tree", n_nodes * sizeof *nodes, &dnodes);
  if (s == STARKML_OK) s = buf_get(be, BUF_DATA, dig_bytes, &dig);
  if (s == STARKML_OK) s = buf_get(be, BUF_AUX, max_rows * salt_len, &sbuf);
  for (unsigned l = L; s == STARKML_OK; l--) {
    if (k_at[l] > 0) {
      s = mmcs_group(be, dnodes, dig, sbuf, m, mem, salts, salt_len, lr, n, l, L);
    } else {
      unsigned stop = l;
      while (stop > 0 && k_at[stop - 1] == 0) stop--;
      s = hash_levels(be, dnodes, l + 1, stop);
      l = stop;
    }
    if (l == 0) break;
  }
  if (s == STARKML_OK) s = read_back(be, nodes, dnodes, n_back * sizeof *nodes);
  if (s != STARKML_OK) {
    if (dnodes != NULL) res_release(o, dnodes);
    free(nodes);
    return s;
  }
  tree->n_leaves = N;
  tree->log_n = L;
  tree->nodes = nodes;
  tree->dev = dnodes;
  tree->top_h = cap_h;
  return STARKML_OK;
}

static void ocl_tree_free(sm_backend *be, sm_merkle_tree *tree) {
  res_release(be->impl, tree->dev);
  tree->dev = NULL;
}

static starkml_status ocl_read_rows(sm_backend *be, gl_t *out, const sm_be_mat *m,
                                    const size_t *rows, size_t n) {
  cl_mem mem, didx, dout;
  starkml_status s = mat_mem(be, m, "opened", &mem);
  if (s != STARKML_OK) return s;
  if (n > SIZE_MAX / sizeof(gl_t) / m->cols) return too_big(be, buf_role[BUF_OUT], SIZE_MAX);
  cl_ulong *idx = malloc(n * sizeof *idx);
  if (idx == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    return STARKML_ERR_NOMEM;
  }
  for (size_t k = 0; k < n; k++) idx[k] = rows[k];
  s = buf_get(be, BUF_AUX, n * sizeof *idx, &didx);
  if (s == STARKML_OK) s = buf_get(be, BUF_OUT, n * m->cols * sizeof(gl_t), &dout);
  if (s == STARKML_OK) s = put_cols(be, didx, idx, 1, n, n);
  free(idx);
  if (s != STARKML_OK) return s;
  const cl_ulong a_rows = m->rows, a_cols = m->cols, a_n = n;
  ARG(K_GATHER, 0, dout);
  ARG(K_GATHER, 1, mem);
  ARG(K_GATHER, 2, a_rows);
  ARG(K_GATHER, 3, a_cols);
  ARG(K_GATHER, 4, didx);
  ARG(K_GATHER, 5, a_n);
  s = launch_2d(be, K_GATHER, n, m->cols);
  return s == STARKML_OK ? read_back(be, out, dout, n * m->cols * sizeof(gl_t)) : s;
}

/* The listed nodes of a device tree: gathered on the device, one read, then put in place. */
static starkml_status ocl_read_nodes(sm_backend *be, sm_merkle_tree *tree, const size_t *idx,
                                     size_t n) {
  if (tree->dev == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: the tree is not on the device");
    return STARKML_ERR_ARG;
  }
  if (n > SIZE_MAX / sizeof(sm_digest)) return too_big(be, buf_role[BUF_OUT], SIZE_MAX);
  cl_ulong *didx_host = malloc(n * sizeof *didx_host);
  sm_digest *got = malloc(n * sizeof *got);
  cl_mem nodes = tree->dev, didx, dout;
  starkml_status s = STARKML_OK;
  if (didx_host == NULL || got == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    s = STARKML_ERR_NOMEM;
  }
  for (size_t k = 0; s == STARKML_OK && k < n; k++) didx_host[k] = idx[k];
  if (s == STARKML_OK) s = buf_get(be, BUF_AUX, n * sizeof *didx_host, &didx);
  if (s == STARKML_OK) s = buf_get(be, BUF_OUT, n * sizeof *got, &dout);
  if (s == STARKML_OK) s = put_cols(be, didx, didx_host, 1, n, n);
  const cl_ulong a_n = n;
  if (s == STARKML_OK) s = set_arg(be, K_NGATHER, 0, sizeof dout, &dout);
  if (s == STARKML_OK) s = set_arg(be, K_NGATHER, 1, sizeof nodes, &nodes);
  if (s == STARKML_OK) s = set_arg(be, K_NGATHER, 2, sizeof didx, &didx);
  if (s == STARKML_OK) s = set_arg(be, K_NGATHER, 3, sizeof a_n, &a_n);
  if (s == STARKML_OK) s = launch_read(be, K_NGATHER, n, dout, n * sizeof *got, got);
  for (size_t k = 0; s == STARKML_OK && k < n; k++) tree->nodes[idx[k]] = got[k];
  free(didx_host);
  free(got);
  return s;
}

/* ---- LDE points -------------------------------------------------------------------------- */

/*
 * The tables of lde_point (kernels/goldilocks.cl) for the points shift * w^e, w of order
 * 2^log_big, followed by `extra` free entries: tab[j] = w^j for j < 2^lo, then
 * tab[2^lo + j] = shift * w^(j 2^lo) for j < 2^(log_big - lo). malloc'd (NULL: no memory).
 */
static gl_t *point_table(unsigned log_big, gl_t shift, size_t extra, unsigned *lo_bits,
                         size_t *len) {
  const unsigned lo = (log_big + 1) / 2, hi = log_big - lo;
  const size_t nlo = (size_t)1 << lo, nhi = (size_t)1 << hi;
  gl_t *tab = malloc((nlo + nhi + extra) * sizeof *tab);
  if (tab == NULL) return NULL;
  const gl_t w = gl_root_of_unity(log_big);
  tab[0] = 1;
  for (size_t j = 1; j < nlo; j++) tab[j] = gl_mul(tab[j - 1], w);
  const gl_t step = gl_mul(tab[nlo - 1], w); /* w^(2^lo) */
  tab[nlo] = shift;
  for (size_t j = 1; j < nhi; j++) tab[nlo + j] = gl_mul(tab[nlo + j - 1], step);
  *lo_bits = lo;
  *len = nlo + nhi;
  return tab;
}

/* ---- the constraint quotient ------------------------------------------------------------ */

/* The generated quotient kernel of table t: from the object's list, else generated and
   built (through the program cache: a table seen before on this device loads its binary). */
static starkml_status qkernel_get(sm_backend *be, const struct sm_air_table *t, uint32_t n_aux,
                                  ocl_qkernel **out) {
  ocl_impl *o = be->impl;
  char *src = NULL;
  size_t len = 0;
  starkml_status s = sm_ocl_codegen_quotient(&src, &len, NULL, t, n_aux, o->fault);
  if (s != STARKML_OK) {
    snprintf(be->last_error, sizeof be->last_error,
             "OpenCL: cannot generate the quotient kernel of table '%s' (%s)", t->name,
             starkml_strerror(s));
    return s;
  }
  uint8_t key[SM_SHA3_256_LEN];
  sm_sha3_256(key, src, len);
  for (size_t i = 0; i < o->n_qk; i++)
    if (memcmp(o->qk[i].key, key, sizeof key) == 0) {
      free(src);
      *out = &o->qk[i];
      return STARKML_OK;
    }
  sm_ocl_source srcs[2] = {{NULL, NULL, 0}, {"quotient (generated)", src, len}};
  for (size_t i = 0; i < sm_ocl_sources_count; i++)
    if (strcmp(sm_ocl_sources[i].name, "goldilocks.cl") == 0) srcs[0] = sm_ocl_sources[i];
  ocl_qkernel *grown = realloc(o->qk, (o->n_qk + 1) * sizeof *grown);
  if (srcs[0].text == NULL || grown == NULL) {
    free(src);
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: %s",
             grown == NULL ? "out of host memory" : "goldilocks.cl is not embedded");
    return grown == NULL ? STARKML_ERR_NOMEM : STARKML_ERR_INTERNAL;
  }
  o->qk = grown;
  ocl_qkernel *qk = &o->qk[o->n_qk];
  memset(qk, 0, sizeof *qk);
  char why[2048] = "";
  s = sm_ocl_build_sources(&qk->prog, o->ctx, o->plat, o->dev, "-cl-std=CL1.2", srcs, 2, why,
                           sizeof why);
  free(src);
  if (s != STARKML_OK) {
    snprintf(be->last_error, sizeof be->last_error,
             "OpenCL: the quotient kernel of table '%s': %s", t->name, why);
    return s;
  }
  cl_int err = CL_SUCCESS;
  qk->k = clCreateKernel(qk->prog, "quotient", &err);
  if (qk->k == NULL || err != CL_SUCCESS) {
    clReleaseProgram(qk->prog);
    return cl_fail(be, err, "clCreateKernel(quotient)");
  }
  size_t wg = 0;
  if (clGetKernelWorkGroupInfo(qk->k, o->dev, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg, NULL) !=
          CL_SUCCESS ||
      wg == 0)
    wg = 1;
  qk->wg = wg < OCL_WG_MAX ? wg : OCL_WG_MAX;
  memcpy(qk->key, key, sizeof key);
  o->n_qk++;
  *out = qk;
  return STARKML_OK;
}

#define QARG(i, v)                                                            \
  do {                                                                        \
    cl_int qarg_err_ = clSetKernelArg(qk->k, (i), sizeof(v), &(v));           \
    if (qarg_err_ != CL_SUCCESS) return cl_fail(be, qarg_err_, "clSetKernelArg(quotient)"); \
  } while (0)

/* Runs the generated quotient kernel of in->table; its values (3 words per position, 3 M in
   all) are left in the pool's output buffer *dq. */
static starkml_status quotient_run(sm_backend *be, const sm_be_quotient_in *in, cl_mem *dq) {
  ocl_impl *o = be->impl;
  const struct sm_air_table *t = in->table;
  const size_t M = (size_t)1 << in->log_qdom, big = (size_t)1 << in->log_big;
  const size_t n = (size_t)1 << in->log_n, nc = t->n_constraints;
  if (in->log_qdom > in->log_big || in->log_n > in->log_qdom || in->log_big > 40) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad quotient domain");
    return STARKML_ERR_ARG;
  }
  cl_mem pre, mn, aux;
  starkml_status s = mat_mem(be, in->main, "main", &mn);
  if (s == STARKML_OK && t->n_pre > 0) s = mat_mem(be, in->pre, "preprocessed", &pre);
  if (s == STARKML_OK && in->n_aux > 0) s = mat_mem(be, in->aux, "auxiliary", &aux);
  if (s != STARKML_OK) return s;
  if (t->n_pre == 0) pre = mn; /* not read by the kernel */
  if (in->n_aux == 0) aux = mn;
  ocl_qkernel *qk = NULL;
  if ((s = qkernel_get(be, t, in->n_aux, &qk)) != STARKML_OK) return s;

  /* Parameters: the challenges, the gamma powers, the publics. */
  const size_t np = 9 + 3 * nc + t->n_public;
  unsigned lo = 0;
  size_t tlen = 0;
  const size_t nz = M >> in->log_n;
  gl_t *prm = malloc(np * sizeof *prm);
  gl_t *tab = point_table(in->log_big, in->shift, nz, &lo, &tlen);
  if (prm == NULL || tab == NULL) {
    free(prm), free(tab);
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    return STARKML_ERR_NOMEM;
  }
  for (size_t c = 0; c < 3; c++)
    for (size_t k = 0; k < 3; k++) prm[3 * c + k] = in->chal[c].v[k];
  for (size_t j = 0; j < nc; j++)
    for (size_t k = 0; k < 3; k++) prm[9 + 3 * j + k] = in->gpow[j].v[k];
  for (size_t k = 0; k < t->n_public; k++) prm[9 + 3 * nc + k] = in->publics[k];
  /* 1 / (x^n - 1) for each value of i >> log_n (x^n depends on nothing else, for i < M). */
  const gl_t wb = gl_root_of_unity(in->log_big);
  for (size_t k = 0; k < nz; k++) {
    const gl_t x = gl_mul(in->shift, gl_exp(wb, sm_bitrev(k << in->log_n, in->log_big)));
    tab[tlen + k] = gl_inv(gl_sub(gl_exp(x, n), 1));
  }
  cl_mem dprm, dtab;
  s = buf_get(be, BUF_PARAM, np * sizeof *prm, &dprm);
  if (s == STARKML_OK) s = buf_get(be, BUF_TAB, (tlen + nz) * sizeof *tab, &dtab);
  if (s == STARKML_OK) s = buf_get(be, BUF_OUT, 3 * M * sizeof(gl_t), dq);
  if (s == STARKML_OK) s = put_cols(be, dprm, prm, 1, np, np);
  if (s == STARKML_OK) s = put_cols(be, dtab, tab, 1, tlen + nz, tlen + nz);
  free(prm);
  free(tab);
  if (s != STARKML_OK) return s;
  const cl_ulong a_M = M, a_big = big, a_zoff = tlen;
  const cl_ulong a_wl = gl_exp(gl_root_of_unity(in->log_n), n - 1);
  const cl_uint a_lb = in->log_big, a_ln = in->log_n, a_lo = lo;
  QARG(0, *dq);
  QARG(1, a_M);
  QARG(2, a_big);
  QARG(3, a_lb);
  QARG(4, a_ln);
  QARG(5, pre);
  QARG(6, mn);
  QARG(7, aux);
  QARG(8, dprm);
  QARG(9, dtab);
  QARG(10, a_lo);
  QARG(11, a_zoff);
  QARG(12, a_wl);
  const size_t wg = wg_for(qk->wg, M), global = (M + wg - 1) / wg * wg;
  CK(clEnqueueNDRangeKernel(o->q, qk->k, 1, NULL, &global, &wg, 0, NULL, NULL),
     "clEnqueueNDRangeKernel(quotient)");
  return STARKML_OK;
}

static starkml_status ocl_quotient(sm_backend *be, gl3_t *q, const sm_be_quotient_in *in) {
  cl_mem dq;
  starkml_status s = quotient_run(be, in, &dq);
  return s == STARKML_OK ? read_back(be, q, dq, ((size_t)3 << in->log_qdom) * sizeof(gl_t)) : s;
}

/* The values stay: quot_columns from the pool's output buffer into the matrix q. */
static starkml_status ocl_quotient_mat(sm_backend *be, sm_be_mat *q, const sm_be_quotient_in *in) {
  const size_t M = (size_t)1 << in->log_qdom;
  if (in->log_qdom > 40 || q->rows != M || q->cols != 3) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad quotient matrix shape");
    return STARKML_ERR_ARG;
  }
  cl_mem dq;
  starkml_status s = quotient_run(be, in, &dq);
  if (s == STARKML_OK) s = mat_create(be, q);
  if (s != STARKML_OK) return s;
  const cl_ulong a_M = M;
  ARG(K_QCOLS, 0, q->dev);
  ARG(K_QCOLS, 1, dq);
  ARG(K_QCOLS, 2, a_M);
  return launch_1d(be, K_QCOLS, M);
}

/*
 * The quotient's pieces from its values (core/backend.h, quotient_coef): a copy of q in the
 * pool's data buffer, its inverse NTT there (GS network, 1/M in the last pass), the count of
 * nonzero coefficients at j >= m P (4 bytes come back), then quot_pieces (shift^-j from
 * pow_tables, the blinders and the mask uploaded) into coef.
 */
static starkml_status ocl_quotient_coef(sm_backend *be, sm_be_mat *coef, size_t *bad,
                                        const sm_be_mat *q, gl_t shift, size_t P, size_t m,
                                        const gl_t *r, size_t hq) {
  ocl_impl *o = be->impl;
  *bad = 0;
  cl_mem dq;
  starkml_status s = mat_mem(be, q, "quotient value", &dq);
  if (s != STARKML_OK) return s;
  const size_t M = q->rows, D = coef->rows;
  unsigned log_M = 0;
  while (log_M < 40 && ((size_t)1 << log_M) < M) log_M++;
  /* The count is a 32-bit word: at most 3 M - 1 nonzero coefficients. */
  if (q->cols != 3 || M != (size_t)1 << log_M || M > UINT32_MAX / 3 || m == 0 || P == 0 ||
      m > SIZE_MAX / 3 / P || hq > D || P > D - hq ||
      (coef->cols != 3 * m && coef->cols != 3 * m + 3)) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad quotient piece shapes");
    return STARKML_ERR_ARG;
  }
  const size_t nr = 3 * (m - 1) * hq + (coef->cols - 3 * m) * (D - 1);
  if (nr > 0 && r == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: no quotient blinders");
    return STARKML_ERR_ARG;
  }
  cl_mem data, dr, dcount, tab;
  unsigned lo = 0;
  const cl_uint zero = 0;
  cl_uint count = 0;
  s = buf_get(be, BUF_DATA, 3 * M * sizeof(gl_t), &data);
  if (s == STARKML_OK) s = buf_get(be, BUF_AUX, nr * sizeof(gl_t), &dr);
  if (s == STARKML_OK) s = buf_get(be, BUF_OUT, sizeof count, &dcount);
  if (s == STARKML_OK) s = put_cols(be, dr, r, 1, nr, nr);
  if (s == STARKML_OK) s = pow_tables(be, gl_inv(shift), log_M, &tab, &lo);
  if (s != STARKML_OK) return s;
  CK(clEnqueueCopyBuffer(o->q, dq, data, 0, 0, 3 * M * sizeof(gl_t), 0, NULL, NULL),
     "clEnqueueCopyBuffer");
  CK(clEnqueueWriteBuffer(o->q, dcount, CL_TRUE, 0, sizeof zero, &zero, 0, NULL, NULL),
     "clEnqueueWriteBuffer");
  if ((s = run_network(be, data, 3, log_M, 0, 1, 1, gl_inv((gl_t)M), 1)) != STARKML_OK) return s;
  if (m * P < M) {
    const cl_ulong a_M = M, a_from = m * P;
    ARG(K_QCOUNT, 0, dcount);
    ARG(K_QCOUNT, 1, data);
    ARG(K_QCOUNT, 2, a_M);
    ARG(K_QCOUNT, 3, a_from);
    if ((s = launch_2d(be, K_QCOUNT, M - m * P, 3)) != STARKML_OK) return s;
  }
  if ((s = read_back(be, &count, dcount, sizeof count)) != STARKML_OK) return s;
  *bad = count;
  if ((s = mat_create(be, coef)) != STARKML_OK) return s;
  const cl_ulong a_rows = D, a_M = M, a_P = P, a_m = m, a_hq = hq;
  const cl_uint a_lo = lo;
  ARG(K_QPIECES, 0, coef->dev);
  ARG(K_QPIECES, 1, a_rows);
  ARG(K_QPIECES, 2, data);
  ARG(K_QPIECES, 3, a_M);
  ARG(K_QPIECES, 4, a_P);
  ARG(K_QPIECES, 5, a_m);
  ARG(K_QPIECES, 6, tab);
  ARG(K_QPIECES, 7, a_lo);
  ARG(K_QPIECES, 8, dr);
  ARG(K_QPIECES, 9, a_hq);
  return launch_2d(be, K_QPIECES, D, coef->cols);
}

/* ---- DEEP ----------------------------------------------------------------------------------- */

static starkml_status ocl_deep(sm_backend *be, sm_be_mat *out, const sm_be_deep_in *in) {
  const size_t big = (size_t)1 << in->log_big, nbo = in->n_base_open, nq = in->n_quot;
  const size_t n_pre = in->pre != NULL ? in->pre->cols : 0, n_main = in->main->cols;
  const size_t n_aux3 = in->aux != NULL ? in->aux->cols : 0;
  if (n_pre + n_main + n_aux3 != nbo || in->quot->cols < nq + (in->mask ? 3 : 0) ||
      in->log_big > 40 || out->rows != big || out->cols != 3) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad DEEP shapes");
    return STARKML_ERR_ARG;
  }
  cl_mem pre, mn, aux, quot;
  starkml_status s = mat_mem(be, in->main, "main", &mn);
  if (s == STARKML_OK && n_pre > 0) s = mat_mem(be, in->pre, "preprocessed", &pre);
  if (s == STARKML_OK && n_aux3 > 0) s = mat_mem(be, in->aux, "auxiliary", &aux);
  if (s == STARKML_OK) s = mat_mem(be, in->quot, "quotient", &quot);
  if (s != STARKML_OK) return s;
  if (n_pre == 0) pre = mn; /* not read by the kernel */
  if (n_aux3 == 0) aux = mn;
  const size_t nw = 2 * nbo + nq + 1;
  gl_t k[15];
  const gl3_t kv[5] = {in->kz, in->kzw, in->kq, in->z, in->zw};
  for (size_t i = 0; i < 5; i++)
    for (size_t c = 0; c < 3; c++) k[3 * i + c] = kv[i].v[c];
  unsigned lo = 0;
  size_t tlen = 0;
  gl_t *tab = point_table(in->log_big, in->shift, 0, &lo, &tlen);
  if (tab == NULL) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: out of host memory");
    return STARKML_ERR_NOMEM;
  }
  cl_mem dw, dk, dtab;
  s = buf_get(be, BUF_PARAM, 3 * nw * sizeof(gl_t), &dw);
  if (s == STARKML_OK) s = buf_get(be, BUF_AUX, sizeof k, &dk);
  if (s == STARKML_OK) s = buf_get(be, BUF_TAB, tlen * sizeof *tab, &dtab);
  if (s == STARKML_OK) s = mat_create(be, out); /* the values stay there, for FRI */
  if (s == STARKML_OK) s = put_cols(be, dw, (const gl_t *)in->w, 1, 3 * nw, 3 * nw);
  if (s == STARKML_OK) s = put_cols(be, dk, k, 1, 15, 15);
  if (s == STARKML_OK) s = put_cols(be, dtab, tab, 1, tlen, tlen);
  free(tab);
  if (s != STARKML_OK) return s;
  const cl_ulong a_big = big, a_pre = n_pre, a_main = n_main, a_aux = n_aux3, a_nq = nq;
  const cl_uint a_lb = in->log_big, a_mask = in->mask != 0, a_lo = lo;
  cl_mem dout = out->dev;
  ARG(K_DEEP, 0, dout);
  ARG(K_DEEP, 1, a_big);
  ARG(K_DEEP, 2, a_lb);
  ARG(K_DEEP, 3, pre);
  ARG(K_DEEP, 4, a_pre);
  ARG(K_DEEP, 5, mn);
  ARG(K_DEEP, 6, a_main);
  ARG(K_DEEP, 7, aux);
  ARG(K_DEEP, 8, a_aux);
  ARG(K_DEEP, 9, quot);
  ARG(K_DEEP, 10, a_nq);
  ARG(K_DEEP, 11, a_mask);
  ARG(K_DEEP, 12, dw);
  ARG(K_DEEP, 13, dk);
  ARG(K_DEEP, 14, dtab);
  ARG(K_DEEP, 15, a_lo);
  return launch_1d(be, K_DEEP, big);
}

/* ---- FRI ------------------------------------------------------------------------------------ */

/*
 * One FRI layer (core/backend.h, fri_layer) in a matrix of its own: fri_fold from the
 * previous layer, or the first input (layer 0), then fri_inject for each further input
 * (kernels/fri.cl). The fold's 1/(2x) factors are c_r times the inverse twiddle table
 * (ensure_twiddles, kept for the object's life), so no table is built or uploaded per fold;
 * the host sends only bp[r] and c_r (four words per round). Nothing is read back.
 */
static starkml_status ocl_fri_layer(sm_backend *be, sm_be_mat *out, unsigned log_a_out,
                                    const sm_be_mat *cur, unsigned log_a, const gl3_t *bp,
                                    unsigned log_max_size, const sm_be_mat *const *in,
                                    size_t n_in) {
  ocl_impl *o = be->impl;
  const size_t R2 = out->rows, N2 = R2 << log_a_out;
  unsigned log_n2 = 0;
  while (((size_t)1 << log_n2) < N2) log_n2++;
  if (log_a_out > 4 || (cur != NULL && (log_a < 1 || log_a > 4)) ||
      log_n2 + (cur != NULL ? log_a : 0) > log_max_size || log_max_size > 32 ||
      out->cols != (size_t)3 << log_a_out || (cur == NULL && n_in == 0)) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad FRI layer shapes");
    return STARKML_ERR_ARG;
  }
  cl_mem dcur = NULL;
  starkml_status s = cur != NULL ? mat_mem(be, cur, "FRI layer", &dcur) : STARKML_OK;
  if (s == STARKML_OK && cur != NULL && (cur->rows != N2 || cur->cols != (size_t)3 << log_a)) {
    snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad FRI layer shapes");
    return STARKML_ERR_ARG;
  }
  for (size_t t = 0; s == STARKML_OK && t < n_in; t++) {
    cl_mem dummy;
    s = mat_mem(be, in[t], "FRI input", &dummy);
    if (s == STARKML_OK && (in[t]->rows != N2 || in[t]->cols != 3)) {
      snprintf(be->last_error, sizeof be->last_error, "OpenCL: bad FRI input shape");
      s = STARKML_ERR_ARG;
    }
  }
  if (s == STARKML_OK) s = mat_create(be, out);
  if (s != STARKML_OK) return s;
  cl_mem dout = out->dev;
  const cl_ulong a_R2 = R2, a_N2 = N2;
  const cl_uint a_la2 = log_a_out;
  if (cur != NULL) {
    /* inv2x_M[0] = 1 / (2 s_M) for the round sizes M = 2^(log N - r), N = a N2. */
    gl_t prm[4 * 4];
    for (unsigned r = 0; r < log_a; r++) {
      for (int k = 0; k < 3; k++) prm[3 * r + (unsigned)k] = bp[r].v[k];
      const unsigned lm = log_n2 + log_a - r;
      prm[3 * log_a + r] =
          gl_inv(gl_double(gl_exp(GL_GENERATOR, (uint64_t)1 << (log_max_size - lm))));
    }
    cl_mem dprm;
    s = ensure_twiddles(be, 1, N2 << (log_a - 1));
    if (s == STARKML_OK) s = buf_get(be, BUF_PARAM, 4 * log_a * sizeof(gl_t), &dprm);
    if (s == STARKML_OK) s = put_cols(be, dprm, prm, 1, 4 * log_a, 4 * log_a);
    if (s != STARKML_OK) return s;
    const cl_uint a_la = log_a;
    ARG(K_FOLD, 0, dout);
    ARG(K_FOLD, 1, a_R2);
    ARG(K_FOLD, 2, a_la2);
    ARG(K_FOLD, 3, dcur);
    ARG(K_FOLD, 4, a_N2);
    ARG(K_FOLD, 5, a_la);
    ARG(K_FOLD, 6, dprm);
    ARG(K_FOLD, 7, o->tw[1]);
    if ((s = launch_1d(be, K_FOLD, N2)) != STARKML_OK) return s;
  }
  for (size_t t = 0; t < n_in; t++) {
    cl_mem din = in[t]->dev;
    const cl_uint add = cur != NULL || t > 0;
    ARG(K_INJECT, 0, dout);
    ARG(K_INJECT, 1, a_R2);
    ARG(K_INJECT, 2, a_la2);
    ARG(K_INJECT, 3, din);
    ARG(K_INJECT, 4, a_N2);
    ARG(K_INJECT, 5, add);
    if ((s = launch_1d(be, K_INJECT, N2)) != STARKML_OK) return s;
  }
  return STARKML_OK;
}

/* ---- the object ------------------------------------------------------------------------- */

static void ocl_release(ocl_impl *o) {
  if (o == NULL) return;
  for (size_t i = 0; i < o->n_res; i++) clReleaseMemObject(o->res[i]);
  free(o->res);
  for (size_t i = 0; i < o->n_qk; i++) {
    clReleaseKernel(o->qk[i].k);
    clReleaseProgram(o->qk[i].prog);
  }
  free(o->qk);
  for (int i = 0; i < BUF_COUNT; i++)
    if (o->pool[i].mem != NULL) clReleaseMemObject(o->pool[i].mem);
  for (int i = 0; i < 2; i++)
    if (o->tw[i] != NULL) clReleaseMemObject(o->tw[i]);
  for (int i = 0; i < K_COUNT; i++)
    if (o->k[i] != NULL) clReleaseKernel(o->k[i]);
  if (o->prog != NULL) clReleaseProgram(o->prog);
  if (o->q != NULL) clReleaseCommandQueue(o->q);
  if (o->ctx != NULL) clReleaseContext(o->ctx);
  free(o);
}

static void ocl_destroy(sm_backend *be) {
  if (be == NULL) return;
  ocl_release(be->impl);
  free(be);
}

static const sm_backend_ops ocl_ops = {.name = "opencl",
                                       .ntt = ocl_ntt,
                                       .coset_eval = ocl_coset_eval,
                                       .merkle_commit = ocl_merkle_commit,
                                       .coset_eval_mat = ocl_coset_eval_mat,
                                       .merkle_commit_mat = ocl_merkle_commit_mat,
                                       .mmcs_commit_mat = ocl_mmcs_commit_mat,
                                       .read_nodes = ocl_read_nodes,
                                       .tree_free = ocl_tree_free,
                                       .read_rows = ocl_read_rows,
                                       .mat_free = ocl_mat_free,
                                       .quotient = ocl_quotient,
                                       .deep = ocl_deep,
                                       .fri_layer = ocl_fri_layer,
                                       .witness_coef = ocl_witness_coef,
                                       .coset_eval_dev = ocl_coset_eval_dev,
                                       .mat_eval = ocl_mat_eval,
                                       .quotient_mat = ocl_quotient_mat,
                                       .quotient_coef = ocl_quotient_coef,
                                       .destroy = ocl_destroy};

static void info_str(cl_device_id d, cl_device_info what, char *buf, size_t cap) {
  buf[0] = '\0';
  if (clGetDeviceInfo(d, what, cap - 1, buf, NULL) != CL_SUCCESS) buf[0] = '\0';
  buf[cap - 1] = '\0';
}

starkml_status sm_opencl_devices(starkml_device_info *out, size_t cap, size_t *n, char *why,
                                 size_t why_len) {
  cl_device_id *ids = NULL;
  cl_platform_id *plats = NULL;
  size_t count = 0;
  starkml_status s = sm_ocl_list(&ids, &plats, &count, why, why_len);
  if (s != STARKML_OK) return s;
  if (count == 0)
    sm_why(why, why_len, "OpenCL platforms are installed, but none has a device");
  for (size_t i = 0; i < count; i++) {
    if (*n < cap) {
      starkml_device_info *d = &out[*n];
      memset(d, 0, sizeof *d);
      snprintf(d->backend, sizeof d->backend, "opencl");
      d->index = (int)i;
      info_str(ids[i], CL_DEVICE_NAME, d->name, sizeof d->name);
      if (clGetPlatformInfo(plats[i], CL_PLATFORM_NAME, sizeof d->platform - 1, d->platform,
                            NULL) != CL_SUCCESS)
        d->platform[0] = '\0';
      d->platform[sizeof d->platform - 1] = '\0';
      char ver[64], drv[64];
      info_str(ids[i], CL_DEVICE_VERSION, ver, sizeof ver);
      info_str(ids[i], CL_DRIVER_VERSION, drv, sizeof drv);
      snprintf(d->version, sizeof d->version, "%s, driver %s", ver, drv);
      cl_ulong mem = 0;
      cl_uint cu = 0;
      if (clGetDeviceInfo(ids[i], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem, NULL) == CL_SUCCESS)
        d->global_mem = mem;
      if (clGetDeviceInfo(ids[i], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL) ==
          CL_SUCCESS)
        d->compute_units = (int)cu;
    }
    (*n)++;
  }
  free(ids);
  free(plats);
  return STARKML_OK;
}

/* Opens device dev into o: context, queue, program, kernels, limits. */
static starkml_status open_device(ocl_impl *o, const char *devname, char *why, size_t why_len) {
  cl_int err = CL_SUCCESS;
  cl_bool little = CL_FALSE, avail = CL_FALSE, compiler = CL_FALSE;
  cl_ulong local_mem = 0;
  if (clGetDeviceInfo(o->dev, CL_DEVICE_ENDIAN_LITTLE, sizeof little, &little, NULL) !=
          CL_SUCCESS ||
      clGetDeviceInfo(o->dev, CL_DEVICE_AVAILABLE, sizeof avail, &avail, NULL) != CL_SUCCESS ||
      clGetDeviceInfo(o->dev, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler, &compiler, NULL) !=
          CL_SUCCESS ||
      clGetDeviceInfo(o->dev, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local_mem, &local_mem, NULL) !=
          CL_SUCCESS ||
      clGetDeviceInfo(o->dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof o->max_alloc, &o->max_alloc,
                      NULL) != CL_SUCCESS) {
    sm_why(why, why_len, "OpenCL device '%s': clGetDeviceInfo failed", devname);
    return STARKML_ERR_BACKEND;
  }
  if (!avail || !compiler) {
    sm_why(why, why_len, "OpenCL device '%s' is %s", devname,
           !avail ? "not available" : "without a compiler (it cannot build the kernels)");
    return STARKML_ERR_BACKEND;
  }
  /* Field elements and digests travel as raw 64-bit words: both ends must be little-endian. */
  if (!little || !(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)) {
    sm_why(why, why_len, "OpenCL device '%s': the backend needs a little-endian device and host",
           devname);
    return STARKML_ERR_BACKEND;
  }
  o->tile_log = OCL_TILE_LOG_MAX;
  while (o->tile_log > OCL_TILE_LOG_MIN && (sizeof(gl_t) << o->tile_log) > local_mem)
    o->tile_log--;
  if ((sizeof(gl_t) << o->tile_log) > local_mem) {
    sm_why(why, why_len, "OpenCL device '%s' has %llu bytes of local memory; the NTT needs %zu",
           devname, (unsigned long long)local_mem, sizeof(gl_t) << o->tile_log);
    return STARKML_ERR_BACKEND;
  }
  const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)o->plat, 0};
  o->ctx = clCreateContext(props, 1, &o->dev, NULL, NULL, &err);
  if (o->ctx == NULL || err != CL_SUCCESS) {
    sm_why(why, why_len, "OpenCL device '%s': clCreateContext: %s (%d)", devname,
           sm_ocl_err_name(err), (int)err);
    return sm_ocl_status(err);
  }
  o->q = clCreateCommandQueue(o->ctx, o->dev, 0, &err);
  if (o->q == NULL || err != CL_SUCCESS) {
    sm_why(why, why_len, "OpenCL device '%s': clCreateCommandQueue: %s (%d)", devname,
           sm_ocl_err_name(err), (int)err);
    return sm_ocl_status(err);
  }
  char options[128];
  snprintf(options, sizeof options, "-cl-std=CL1.2 -DTILE_LOG=%u", o->tile_log);
  starkml_status s = sm_ocl_build(&o->prog, o->ctx, o->plat, o->dev, options, why, why_len);
  if (s != STARKML_OK) return s;
  for (int i = 0; i < K_COUNT; i++) {
    o->k[i] = clCreateKernel(o->prog, kernel_names[i], &err);
    if (o->k[i] == NULL || err != CL_SUCCESS) {
      sm_why(why, why_len, "OpenCL device '%s': clCreateKernel(%s): %s (%d)", devname,
             kernel_names[i], sm_ocl_err_name(err), (int)err);
      return sm_ocl_status(err);
    }
    size_t wg = 0;
    if (clGetKernelWorkGroupInfo(o->k[i], o->dev, CL_KERNEL_WORK_GROUP_SIZE, sizeof wg, &wg,
                                 NULL) != CL_SUCCESS || wg == 0)
      wg = 1;
    size_t p2 = 1;
    while (p2 * 2 <= wg && p2 * 2 <= OCL_WG_MAX) p2 *= 2;
    o->wg[i] = p2;
  }
  return STARKML_OK;
}

starkml_status sm_opencl_open(sm_backend **out, int device, int threads, char *why,
                              size_t why_len) {
  if (out == NULL) return STARKML_ERR_ARG;
  *out = NULL;
  if (device < 0) {
    sm_why(why, why_len, "OpenCL device index %d: indices start at 0", device);
    return STARKML_ERR_ARG;
  }
  cl_device_id *ids = NULL;
  cl_platform_id *plats = NULL;
  size_t count = 0;
  starkml_status s = sm_ocl_list(&ids, &plats, &count, why, why_len);
  if (s != STARKML_OK) return s;
  if (count == 0 || (size_t)device >= count) {
    free(ids);
    free(plats);
    if (count == 0) {
      sm_why(why, why_len, "no OpenCL device: platforms are installed, but none has a device");
      return STARKML_ERR_BACKEND;
    }
    sm_why(why, why_len, "no OpenCL device %d: this host has %zu (indices 0 to %zu; "
           "`starkml devices` lists them)", device, count, count - 1);
    return STARKML_ERR_ARG;
  }
  ocl_impl *o = calloc(1, sizeof *o);
  sm_backend *be = calloc(1, sizeof *be);
  if (o == NULL || be == NULL) {
    free(o);
    free(be);
    free(ids);
    free(plats);
    return STARKML_ERR_NOMEM;
  }
  o->dev = ids[device];
  o->plat = plats[device];
  free(ids);
  free(plats);
  char devname[128];
  info_str(o->dev, CL_DEVICE_NAME, devname, sizeof devname);
  s = open_device(o, devname, why, why_len);
  if (s != STARKML_OK) {
    ocl_release(o);
    free(be);
    return s;
  }
  (void)threads;
  be->ops = &ocl_ops;
  be->impl = o;
  *out = be;
  return STARKML_OK;
}

void sm_opencl_limit_alloc(sm_backend *be, unsigned long long bytes) {
  if (be == NULL || be->ops != &ocl_ops) return;
  ocl_impl *o = be->impl;
  if (bytes < o->max_alloc) o->max_alloc = bytes;
}

void sm_opencl_codegen_fault(sm_backend *be, int fault) {
  if (be == NULL || be->ops != &ocl_ops) return;
  ((ocl_impl *)be->impl)->fault = fault;
}

unsigned long long sm_opencl_bytes_read(const sm_backend *be) {
  if (be == NULL || be->ops != &ocl_ops) return 0;
  return ((const ocl_impl *)be->impl)->bytes_read;
}
