/*
 * One FRI fold (needs goldilocks.cl): the contract of sm_backend_ops.fri_fold in
 * core/backend.h, computed as fri/fri.c's fold_run does ("Folding"), operation for
 * operation, so every output is the CPU's bit for bit.
 *
 * Work-item m < R folds run m: it reads the a = 2^log_a extension values of row m of the
 * layer (element k of value r at cur[(3r + k) R + m]: adjacent work-items read adjacent
 * addresses) and folds them in registers by log_a binary rounds. Round r pairs
 * (v[2u], v[2u + 1]) into v[u] = (lo + hi) / 2 + bp[r] (lo - hi) ix_r[(a >> (r + 1)) m + u];
 * the host packs the tables ix_0, ix_1, ... back to back in ix (table r has
 * (a >> (r + 1)) R entries) and bp[r] in bp[3r .. 3r + 3) (global, not __constant: the
 * host reuses a pooled buffer that may exceed the constant-buffer limit).
 */
#define FRI_MAX_ARITY 16

__kernel void fri_fold(__global ulong *out, __global const ulong *cur, ulong R, uint log_a,
                       __global const ulong *bp, __global const ulong *ix) {
  const ulong m = get_global_id(0);
  if (m >= R) return;
  gl3_t v[FRI_MAX_ARITY];
  const uint a = 1u << log_a;
  for (uint r = 0; r < a; r++) {
    v[r].v0 = cur[(3 * (ulong)r) * R + m];
    v[r].v1 = cur[(3 * (ulong)r + 1) * R + m];
    v[r].v2 = cur[(3 * (ulong)r + 2) * R + m];
  }
  ulong off = 0;
  uint h = a;
  for (uint r = 0; r < log_a; r++) {
    h >>= 1;
    const gl3_t b = {bp[3 * r], bp[3 * r + 1], bp[3 * r + 2]};
    for (uint u = 0; u < h; u++) {
      const gl3_t lo = v[2 * u], hi = v[2 * u + 1];
      const gl3_t even = gl3_half(gl3_add(lo, hi));
      const gl3_t odd = gl3_mul_base(gl3_sub(lo, hi), ix[off + (ulong)h * m + u]);
      v[u] = gl3_add(even, gl3_mul(b, odd));
    }
    off += (ulong)h * R;
  }
  out[3 * m] = v[0].v0;
  out[3 * m + 1] = v[0].v1;
  out[3 * m + 2] = v[0].v2;
}
