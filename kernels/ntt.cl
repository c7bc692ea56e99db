/*
 * Batched NTT, inverse NTT and coset evaluation over Goldilocks (needs goldilocks.cl).
 * The device twin of core/ntt.c; the conventions (orders, 1/n, coset, bit-reversed
 * output) are core/ntt.h's, and every output is canonical, so results equal the CPU's
 * bit for bit whatever the pass structure.
 *
 * Networks. A transform of n = 2^m points is a radix-2 network whose twiddle depends only
 * on the butterfly's block (core/ntt.c, "Structure"): CT (Cooley-Tukey, natural in,
 * bit-reversed out) maps (x, y) -> (x + c y, x - c y) and GS (Gentleman-Sande, the inverse
 * network, stages in the opposite order) maps (x, y) -> (x + y, (x - y) c), with c = tw[b]
 * for block b of the stage and tw[b] = w^bitrev(b): one table, read as a prefix, for every
 * size and stage (itw, the inverse roots, for inverse transforms).
 *
 * Passes and local memory. A pass runs k consecutive stages [s0, s0 + k) of one column in
 * one work-group. An index splits into (u: s0 bits | row r: k bits | lane: m - s0 - k
 * bits): every butterfly of the pass pairs two rows of one (u, lane), and its twiddle
 * depends only on u and the row block, so a tile of all 2^k rows x 2^lt adjacent lanes is
 * closed under the pass. The work-group copies its tile into local memory (2^lt lanes are
 * contiguous in global memory, so the loads and stores coalesce), runs the k stages there
 * with a barrier between stages, and writes the tile back. The host cuts a transform into
 * one "bottom" pass (the last stages, over contiguous blocks of 2^TILE_LOG elements) and
 * as few "top" passes as it can with lt >= 3 (64-byte runs): two or three sweeps over
 * global memory for 2^24 points instead of 24.
 *
 * Batches: get_global_id(1) is the column; column c starts at data + c * col_stride.
 */
#ifndef TILE_LOG
#define TILE_LOG 11
#endif

/* One pass of CT stages [s0, s0 + k) (see above); lt lane bits per tile, m = log2(n).
   fin: the pass is the transform's last, and multiplies every output by scale. */
__kernel void ntt_ct_pass(__global ulong *data, ulong col_stride, __global const ulong *tw,
                          uint m, uint s0, uint k, uint lt, ulong scale, uint fin) {
  __local ulong buf[1 << TILE_LOG];
  __global ulong *x = data + get_global_id(1) * col_stride;
  const uint lw = m - s0 - k;
  const ulong t = get_group_id(0);
  const ulong u = t >> (lw - lt), lane_hi = t & (((ulong)1 << (lw - lt)) - 1);
  const ulong base = (u << (m - s0)) | (lane_hi << lt);
  const uint ntile = 1u << (k + lt), lmask = (1u << lt) - 1;
  const uint lid = get_local_id(0), wg = get_local_size(0);
  for (uint e = lid; e < ntile; e += wg) buf[e] = x[base | ((ulong)(e >> lt) << lw) | (e & lmask)];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint j = 0; j < k; j++) {
    const uint hb = k - j - 1; /* log2 of the half-size in rows */
    for (uint q = lid; q < ntile / 2; q += wg) {
      const uint ll = q & lmask, bq = q >> lt;
      const uint blk = bq >> hb, r0 = (blk << (hb + 1)) | (bq & ((1u << hb) - 1));
      const uint i0 = (r0 << lt) | ll, i1 = ((r0 + (1u << hb)) << lt) | ll;
      const gl_t c = tw[(u << j) | blk];
      const gl_t a = buf[i0], p = gl_mul(buf[i1], c);
      buf[i0] = gl_add(a, p);
      buf[i1] = gl_sub(a, p);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  for (uint e = lid; e < ntile; e += wg) {
    gl_t v = buf[e];
    if (fin) v = gl_mul(v, scale);
    x[base | ((ulong)(e >> lt) << lw) | (e & lmask)] = v;
  }
}

/* One pass of GS stages [s0, s0 + k), run from the last stage to the first. */
__kernel void ntt_gs_pass(__global ulong *data, ulong col_stride, __global const ulong *tw,
                          uint m, uint s0, uint k, uint lt, ulong scale, uint fin) {
  __local ulong buf[1 << TILE_LOG];
  __global ulong *x = data + get_global_id(1) * col_stride;
  const uint lw = m - s0 - k;
  const ulong t = get_group_id(0);
  const ulong u = t >> (lw - lt), lane_hi = t & (((ulong)1 << (lw - lt)) - 1);
  const ulong base = (u << (m - s0)) | (lane_hi << lt);
  const uint ntile = 1u << (k + lt), lmask = (1u << lt) - 1;
  const uint lid = get_local_id(0), wg = get_local_size(0);
  for (uint e = lid; e < ntile; e += wg) buf[e] = x[base | ((ulong)(e >> lt) << lw) | (e & lmask)];
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint j = k; j-- > 0;) {
    const uint hb = k - j - 1;
    for (uint q = lid; q < ntile / 2; q += wg) {
      const uint ll = q & lmask, bq = q >> lt;
      const uint blk = bq >> hb, r0 = (blk << (hb + 1)) | (bq & ((1u << hb) - 1));
      const uint i0 = (r0 << lt) | ll, i1 = ((r0 + (1u << hb)) << lt) | ll;
      const gl_t c = tw[(u << j) | blk];
      const gl_t a = buf[i0], b = buf[i1];
      buf[i0] = gl_add(a, b);
      buf[i1] = gl_mul(gl_sub(a, b), c);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  for (uint e = lid; e < ntile; e += wg) {
    gl_t v = buf[e];
    if (fin) v = gl_mul(v, scale);
    x[base | ((ulong)(e >> lt) << lw) | (e & lmask)] = v;
  }
}

/* tw[off + i] = tw[i] * w for i < off: one level of the twiddle table (core/ntt.c's
   sm_ntt_plan_create), so that the table is built on the device in log2(n) launches. */
__kernel void ntt_tw_extend(__global ulong *tw, ulong off, ulong w) {
  const ulong i = get_global_id(0);
  if (i < off) tw[off + i] = gl_mul(tw[i], w);
}

/* In-place bit-reversal permutation of every column (n = 2^m). */
__kernel void ntt_bitrev(__global ulong *data, ulong col_stride, uint m) {
  const ulong i = get_global_id(0);
  if (i >> m) return;
  const ulong j = m == 0 ? 0 : rev64(i) >> (64 - m);
  if (i < j) {
    __global ulong *x = data + get_global_id(1) * col_stride;
    const ulong a = x[i];
    x[i] = x[j];
    x[j] = a;
  }
}

/*
 * The start of a coset evaluation (core/ntt.c, coset_column): out[k nb + j] = coef[j]
 * shift^j for j < n_coeffs, 0 for n_coeffs <= j < nb, in every copy k < N / nb; the CT
 * stages from log2(N / nb) on then finish the transform. shift^j = pw_lo[j mod 2^lo_bits]
 * * pw_hi[j >> lo_bits], two small tables the host fills (pw holds pw_lo, then pw_hi
 * from pw + 2^lo_bits): one product per element.
 */
__kernel void ntt_coset_spread(__global ulong *out, ulong out_stride, __global const ulong *coef,
                               ulong coef_stride, ulong n_coeffs, ulong N, ulong nb,
                               __global const ulong *pw, uint lo_bits) {
  const ulong i = get_global_id(0), c = get_global_id(1);
  if (i >= N) return;
  const ulong j = i & (nb - 1), nlo = (ulong)1 << lo_bits;
  gl_t v = 0;
  if (j < n_coeffs)
    v = gl_mul(coef[c * coef_stride + j], gl_mul(pw[j & (nlo - 1)], pw[nlo + (j >> lo_bits)]));
  out[c * out_stride + i] = v;
}
