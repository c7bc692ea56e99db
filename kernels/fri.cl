/*
 * FRI layers on the device (needs goldilocks.cl): the contract of sm_backend_ops.fri_layer
 * in core/backend.h, computed as fri/fri.c's host commit phase does ("Layout", "Folding"),
 * operation for operation, so every layer is the CPU's bit for bit.
 *
 * A layer of N positions stored with arity a = 2^la is a matrix of 3a columns and R = N / a
 * rows: component k of position a m + r at lay[(3r + k) R + m] (fri.c's layer_store). A
 * layer is made by fri_fold (layer j + 1 from layer j) or by the first fri_inject (layer 0),
 * then every further input of the layer's size is added by fri_inject.
 */
#define FRI_MAX_ARITY 16

/* Position p of a layer stored as 3 << la columns of R rows. */
SM_INLINE void layer_store(__global ulong *lay, ulong R, uint la, ulong p, gl3_t y) {
  const ulong m = p >> la, r = p & ((1UL << la) - 1);
  lay[(3 * r) * R + m] = y.v0;
  lay[(3 * r + 1) * R + m] = y.v1;
  lay[(3 * r + 2) * R + m] = y.v2;
}

SM_INLINE gl3_t layer_load(__global const ulong *lay, ulong R, uint la, ulong p) {
  const ulong m = p >> la, r = p & ((1UL << la) - 1);
  return gl3_make(lay[(3 * r) * R + m], lay[(3 * r + 1) * R + m], lay[(3 * r + 2) * R + m]);
}

/*
 * Work-item m < R folds run m of cur (3a columns of R rows, a = 2^log_a: adjacent
 * work-items read adjacent words of each column) in registers by log_a binary rounds and
 * stores the result at position m of out (R positions stored with arity 2^la2, as R2 rows).
 * Round r pairs (v[2u], v[2u + 1]) into v[u] = (lo + hi) / 2 + bp[r] (lo - hi) ix, where
 * ix = 1 / (2x) for pair j = h m + u (h = a >> (r + 1)) of the size-M vector, M = a R / 2^r,
 * is fri.c's inv2x_M[j] = c_r * itw[j]: inv2x_M[0] = c_r = 1 / (2 s_M), and both inv2x_M and
 * the inverse twiddle table itw of kernels/ntt.cl (itw[2^l + i] = itw[i] w_(2^(l+2))^-1,
 * itw[0] = 1) follow the same recurrence. prm holds bp[r] at 3r .. 3r + 2, then c_r at
 * 3 log_a + r.
 */
__kernel void fri_fold(__global ulong *out, ulong R2, uint la2, __global const ulong *cur,
                       ulong R, uint log_a, __global const ulong *prm,
                       __global const ulong *itw) {
  const ulong m = get_global_id(0);
  if (m >= R) return;
  gl3_t v[FRI_MAX_ARITY];
  const uint a = 1u << log_a;
  for (uint r = 0; r < a; r++)
    v[r] = gl3_make(cur[(3 * (ulong)r) * R + m], cur[(3 * (ulong)r + 1) * R + m],
                    cur[(3 * (ulong)r + 2) * R + m]);
  uint h = a;
  for (uint r = 0; r < log_a; r++) {
    h >>= 1;
    const gl3_t b = gl3_load(prm, 3 * r);
    const gl_t c = prm[3 * log_a + r];
    for (uint u = 0; u < h; u++) {
      const gl3_t lo = v[2 * u], hi = v[2 * u + 1];
      const gl3_t even = gl3_half(gl3_add(lo, hi));
      const gl3_t odd = gl3_mul_base(gl3_sub(lo, hi), gl_mul(c, itw[(ulong)h * m + u]));
      v[u] = gl3_add(even, gl3_mul(b, odd));
    }
  }
  layer_store(out, R2, la2, m, v[0]);
}

/* Work-item i < N: position i of out (N positions stored with arity 2^la2, as R2 rows)
   becomes in(i), or out(i) + in(i) when add is set; in is a 3 x N matrix (component k of
   position i at in[k N + i]). */
__kernel void fri_inject(__global ulong *out, ulong R2, uint la2, __global const ulong *in,
                         ulong N, uint add) {
  const ulong i = get_global_id(0);
  if (i >= N) return;
  gl3_t y = gl3_make(in[i], in[N + i], in[2 * N + i]);
  if (add) y = gl3_add(layer_load(out, R2, la2, i), y);
  layer_store(out, R2, la2, i, y);
}
