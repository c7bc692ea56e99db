/*
 * The `verilator` backend (core/backend.h): the prover's NTTs run on the simulated NTT core
 * of hdl/ (sm_ntt_core, Verilator model behind hdl/dv/sm_ntt_shim.h), cycle by cycle. It
 * exists to co-verify the hardware against the CPU reference on real proofs, not for speed.
 *
 * Only `ntt` is implemented; the dispatcher (core/backend.c) turns coset evaluations into a
 * host-side scaling and zero padding followed by a forward NTT, natural in, bit-reversed out.
 *
 * The core computes one thing: frames of 2^m points, LOG_N_MIN <= m <= LOG_N, natural order
 * in, bit-reversed order out, forward or inverse (with 1/2^m). The host does the rest, with
 * exact field arithmetic, so results are bit-identical to sm_ntt_forward / sm_ntt_inverse:
 *  - other orders: a bit-reversal permutation of the input and / or the output;
 *  - sizes below the core's smallest frame 2^m0: the frame is zero-padded to 2^m0; the first
 *    2^m outputs (bit-reversed order) of the padded forward transform are the 2^m-point
 *    transform (the padded transform evaluates the same polynomial on a group that contains
 *    the smaller one, and bitrev_m0(i) = 2^(m0 - m) bitrev_m(i) for i < 2^m); for the
 *    inverse, whose padded 1/2^m0 is 2^(m - m0) times too small, the host multiplies by
 *    2^(m0 - m);
 *  - sizes above the core (up to 2^(2 LOG_N)): four-step, N = N1 N2 with j = j1 N2 + j2 and
 *    k = k1 + N1 k2:  X[k1 + N1 k2] = sum_j2 w_N2^(j2 k2) (w_N^(j2 k1) sum_j1 x[j1 N2 + j2]
 *    w_N1^(j1 k1)):  N2 core transforms of N1 points (the columns, gathered by the host),
 *    the twiddles w_N^(j2 k1) (host), N1 core transforms of N2 points, and the host's
 *    scatter into the requested order. The inverse is the same with the inverse roots and
 *    the inverse core transforms (1/N1 times 1/N2 is 1/N).
 * Every column of a call (and every sub-transform of a four-step) goes through the core in
 * one stream, so loading and unloading overlap the butterflies as they would in hardware.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/ctx.h"
#include "core/field.h"
#include "core/ntt.h"
#include "hdl/dv/sm_ntt_shim.h"
#include "host/backends.h"

typedef struct {
  sm_ntt_sim *sim;
  sm_ntt_sim_info info;
  /* Grown on demand: [0] the frames of a call, [1] the four-step's second copy, [2] the
     zero-padded frames of small transforms. */
  gl_t *scratch[3];
  size_t cap[3];
} vl_impl;

/* scratch[k] with room for n elements. */
static gl_t *scratch(vl_impl *v, int k, size_t n) {
  if (v->cap[k] < n) {
    gl_t *p = realloc(v->scratch[k], n * sizeof *p);
    if (p == NULL) return NULL;
    v->scratch[k] = p;
    v->cap[k] = n;
  }
  return v->scratch[k];
}

/* nframes frames of 2^log_n points through the core (log_n within its range). */
static starkml_status core_run(sm_backend *be, vl_impl *v, gl_t *frames, size_t nframes,
                               unsigned log_n, int inverse) {
  char err[256] = "";
  if (sm_ntt_sim_run(v->sim, frames, nframes, log_n, inverse, err, sizeof err) != 0) {
    snprintf(be->last_error, sizeof be->last_error, "verilator: %s", err);
    return STARKML_ERR_BACKEND;
  }
  return STARKML_OK;
}

/* Frames of 2^log_n points (log_n <= LOG_N) in place, natural in, bit-reversed out. */
static starkml_status small_or_direct(sm_backend *be, vl_impl *v, gl_t *frames, size_t nframes,
                                      unsigned log_n, int inverse) {
  const unsigned m0 = v->info.log_n_min;
  if (log_n >= m0) return core_run(be, v, frames, nframes, log_n, inverse);
  /* Zero-pad every frame to 2^m0 points, transform, keep the first 2^log_n outputs. */
  const size_t n = (size_t)1 << log_n, n0 = (size_t)1 << m0;
  gl_t *pad = scratch(v, 2, nframes * n0);
  if (pad == NULL) return STARKML_ERR_NOMEM;
  memset(pad, 0, nframes * n0 * sizeof *pad);
  for (size_t f = 0; f < nframes; f++) memcpy(pad + f * n0, frames + f * n, n * sizeof *pad);
  starkml_status s = core_run(be, v, pad, nframes, m0, inverse);
  if (s != STARKML_OK) return s;
  for (size_t f = 0; f < nframes; f++)
    for (size_t i = 0; i < n; i++) {
      gl_t y = pad[f * n0 + i];
      /* The padded inverse carries 1/2^m0; the transform wants 1/2^log_n. */
      for (unsigned d = log_n; inverse && d < m0; d++) y = gl_double(y);
      frames[f * n + i] = y;
    }
  return STARKML_OK;
}

/*
 * Frames of 2^log_n points, LOG_N < log_n <= 2 LOG_N, natural in, bit-reversed out: the
 * four-step recipe of the header comment. Uses scratch 1.
 */
static starkml_status four_step(sm_backend *be, vl_impl *v, gl_t *frames, size_t nframes,
                                unsigned log_n, int inverse) {
  const unsigned n1 = (log_n + 1) / 2, n2 = log_n - n1;
  const size_t N = (size_t)1 << log_n, N1 = (size_t)1 << n1, N2 = (size_t)1 << n2;
  gl_t *t = scratch(v, 1, nframes * N);
  if (t == NULL) return STARKML_ERR_NOMEM;
  /* Step 1: column j2 (x[j1 N2 + j2], j1 < N1) becomes frame j2 of N1 points. */
  for (size_t f = 0; f < nframes; f++)
    for (size_t j2 = 0; j2 < N2; j2++)
      for (size_t j1 = 0; j1 < N1; j1++) t[f * N + j2 * N1 + j1] = frames[f * N + j1 * N2 + j2];
  starkml_status s = small_or_direct(be, v, t, nframes * N2, n1, inverse);
  if (s != STARKML_OK) return s;
  /* Step 2 and the transpose: frame j2 position p1 holds A[k1][j2], k1 = bitrev_n1(p1).
     Frame k1 of step 3 gets A[k1][j2] w^(j2 k1), j2 < N2 (w = w_N, or its inverse). */
  gl_t w = gl_root_of_unity(log_n);
  if (inverse) w = gl_inv(w);
  gl_t wk1 = 1; /* w^k1 */
  for (size_t k1 = 0; k1 < N1; k1++) {
    const size_t p1 = sm_bitrev(k1, n1);
    for (size_t f = 0; f < nframes; f++) {
      gl_t tw = 1;
      for (size_t j2 = 0; j2 < N2; j2++) {
        frames[f * N + k1 * N2 + j2] = gl_mul(t[f * N + j2 * N1 + p1], tw);
        tw = gl_mul(tw, wk1);
      }
    }
    wk1 = gl_mul(wk1, w);
  }
  /* Step 3: N1 frames of N2 points. */
  s = small_or_direct(be, v, frames, nframes * N1, n2, inverse);
  if (s != STARKML_OK) return s;
  /* Step 4: frame k1 position p2 holds X[k1 + N1 k2], k2 = bitrev_n2(p2); X[k] goes to
     position bitrev_n(k) of the output. */
  memcpy(t, frames, nframes * N * sizeof *t);
  for (size_t f = 0; f < nframes; f++)
    for (size_t k1 = 0; k1 < N1; k1++)
      for (size_t p2 = 0; p2 < N2; p2++) {
        size_t k = k1 + N1 * sm_bitrev(p2, n2);
        frames[f * N + sm_bitrev(k, log_n)] = t[f * N + k1 * N2 + p2];
      }
  return STARKML_OK;
}

static starkml_status vl_ntt(sm_backend *be, gl_t *data, size_t ncols, size_t col_stride,
                             unsigned log_n, int inverse, sm_order in_order,
                             sm_order out_order) {
  vl_impl *v = be->impl;
  be->last_error[0] = '\0';
  if (log_n > 2 * v->info.log_n) {
    snprintf(be->last_error, sizeof be->last_error,
             "verilator: a 2^%u-point transform is beyond the four-step range of the core "
             "(2^%u points: two passes of at most 2^%u)",
             log_n, 2 * v->info.log_n, v->info.log_n);
    return STARKML_ERR_BACKEND;
  }
  const size_t n = (size_t)1 << log_n;
  gl_t *frames = scratch(v, 0, ncols * n);
  if (frames == NULL) return STARKML_ERR_NOMEM;
  /* Gather the columns as contiguous frames in natural order. */
  for (size_t c = 0; c < ncols; c++) {
    const gl_t *col = data + c * col_stride;
    gl_t *fr = frames + c * n;
    if (in_order == SM_ORDER_NATURAL) {
      memcpy(fr, col, n * sizeof *fr);
    } else {
      for (size_t i = 0; i < n; i++) fr[sm_bitrev(i, log_n)] = col[i];
    }
  }
  starkml_status s = log_n <= v->info.log_n
                         ? small_or_direct(be, v, frames, ncols, log_n, inverse)
                         : four_step(be, v, frames, ncols, log_n, inverse);
  if (s != STARKML_OK) return s;
  /* frames[c][p] = X_c[bitrev(p)]: scatter in the requested order. */
  for (size_t c = 0; c < ncols; c++) {
    gl_t *col = data + c * col_stride;
    const gl_t *fr = frames + c * n;
    if (out_order == SM_ORDER_BITREV) {
      memcpy(col, fr, n * sizeof *col);
    } else {
      for (size_t i = 0; i < n; i++) col[sm_bitrev(i, log_n)] = fr[i];
    }
  }
  return STARKML_OK;
}

static void vl_destroy(sm_backend *be) {
  vl_impl *v = be->impl;
  if (v != NULL) {
    sm_ntt_sim_free(v->sim);
    for (int k = 0; k < 3; k++) free(v->scratch[k]);
    free(v);
  }
  free(be);
}

static const sm_backend_ops vl_ops = {
    .name = "verilator",
    .ntt = vl_ntt,
    .coset_eval = NULL,
    .merkle_commit = NULL,
    /* the device-resident matrix ops, quotient, DEEP and FRI layers: NULL (CPU) */
    .destroy = vl_destroy,
};

/* "sm_ntt_core LogN=12 Lanes=2 (Verilator 5.006 simulation)". */
static void device_name(const sm_ntt_sim_info *info, char *name, size_t len) {
  /* "5.006 2023-01-22" -> "5.006" */
  int vlen = (int)strcspn(info->verilator, " ");
  snprintf(name, len, "sm_ntt_core LogN=%u Lanes=%u (Verilator %.*s simulation)", info->log_n,
           info->lanes, vlen, info->verilator);
}

starkml_status sm_verilator_open(sm_backend **out, int device, int threads, char *why,
                                 size_t why_len) {
  (void)threads; /* one simulated core; the simulation itself is single-threaded */
  if (out == NULL) return STARKML_ERR_ARG;
  *out = NULL;
  if (device != 0) {
    sm_why(why, why_len, "the verilator backend has one device, 0 (one simulated core); not %d",
           device);
    return STARKML_ERR_ARG;
  }
  vl_impl *v = calloc(1, sizeof *v);
  sm_backend *be = calloc(1, sizeof *be);
  if (v == NULL || be == NULL) {
    free(v);
    free(be);
    return STARKML_ERR_NOMEM;
  }
  sm_ntt_sim_get_info(&v->info);
  char err[256] = "";
  v->sim = sm_ntt_sim_new(err, sizeof err);
  if (v->sim == NULL) {
    free(v);
    free(be);
    sm_why(why, why_len, "%s", err);
    return STARKML_ERR_NOMEM;
  }
  be->ops = &vl_ops;
  be->impl = v;
  *out = be;
  return STARKML_OK;
}

starkml_status sm_verilator_devices(starkml_device_info *out, size_t cap, size_t *n, char *why,
                                    size_t why_len) {
  (void)why;
  (void)why_len;
  if (*n < cap) {
    sm_ntt_sim_info info;
    sm_ntt_sim_get_info(&info);
    starkml_device_info *d = &out[*n];
    memset(d, 0, sizeof *d);
    snprintf(d->backend, sizeof d->backend, "verilator");
    d->index = 0;
    device_name(&info, d->name, sizeof d->name);
    snprintf(d->platform, sizeof d->platform,
             "cycle-accurate simulation of hdl/rtl (frames 2^%u..2^%u, four-step to 2^%u)",
             info.log_n_min, info.log_n, 2 * info.log_n);
    snprintf(d->version, sizeof d->version, "Verilator %s", info.verilator);
    d->compute_units = (int)info.lanes;
  }
  (*n)++;
  return STARKML_OK;
}
