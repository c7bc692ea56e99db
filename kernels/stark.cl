/*
 * The STARK prover's stages on device-resident LDE matrices (needs goldilocks.cl): the
 * opened rows of a matrix, the path digests of a device tree, and the DEEP values (core/backend.h, sm_be_deep_in), computed as
 * fri/stark_prove.c's deep_values does, value for value, so every output is the CPU's bit
 * for bit. The constraint quotient's kernel is not here: it is generated from each table
 * (host/opencl_codegen.c); what follows it is (its values as a matrix, the count of its
 * coefficients beyond the degree bound and the pieces, around the NTT of ntt.cl).
 *
 * A matrix lives column-major in one buffer: element (row r, column c) at m[c * rows + r].
 */

/* out[k * cols + c] = m[c * rows + idx[k]] for k < n, c < cols (dimension 1 is c). */
__kernel void mat_gather(__global ulong *out, __global const ulong *m, ulong rows, ulong cols,
                         __global const ulong *idx, ulong n) {
  const ulong k = get_global_id(0), c = get_global_id(1);
  if (k >= n || c >= cols) return;
  out[k * cols + c] = m[c * rows + idx[k]];
}

/* out[k] = nodes[idx[k]] for k < n: the digests of a device tree's opened paths. */
__kernel void merkle_gather(__global ulong4 *out, __global const ulong4 *nodes,
                            __global const ulong *idx, ulong n) {
  const ulong k = get_global_id(0);
  if (k >= n) return;
  out[k] = nodes[idx[k]];
}

/*
 * One work-item per LDE position i < big (x_i = lde_point(tab, bitrev(i), lo_bits)):
 *   v_i = (sum_c w[c] f_c - kz) / (x - z) + (sum_c w[nbo + c] f_c - kzw) / (x - zw)
 *       + (sum_k w[2 nbo + k] q_k - kq) / (x - z) [+ w[2 nbo + nq] (m0 + X m1 + X^2 m2)]
 * into the 3-column matrix out (component k of v_i at out[k big + i]: coalesced stores),
 * with f_c the columns of pre (n_pre), mn (n_main), aux (n_aux3) in that order, q_k the
 * first nq columns of quot and m_c its next three when mask is set. w holds 3 words per
 * weight; k holds kz, kzw, kq, z, zw (3 words each). The two inverses come from one
 * extension inversion of (x - z)(x - zw), or from two when that product is zero (the CPU's
 * batch inversion maps a zero to zero).
 */
__kernel void deep_values(__global ulong *out, ulong big, uint log_big,
                          __global const ulong *pre, ulong n_pre, __global const ulong *mn,
                          ulong n_main, __global const ulong *aux, ulong n_aux3,
                          __global const ulong *quot, ulong nq, uint mask,
                          __global const ulong *w, __global const ulong *k,
                          __global const ulong *tab, uint lo_bits) {
  const ulong i = get_global_id(0);
  if (i >= big) return;
  const gl_t x = lde_point(tab, bitrev_m(i, log_big), lo_bits);
  const gl3_t kz = gl3_load(k, 0), kzw = gl3_load(k, 3), kq = gl3_load(k, 6);
  const gl3_t dz = gl3_base_sub(x, gl3_load(k, 9)), dzw = gl3_base_sub(x, gl3_load(k, 12));
  const gl3_t pr = gl3_mul(dz, dzw);
  gl3_t iz, izw;
  if (!gl3_is_zero(pr)) {
    const gl3_t pi = gl3_inv(pr);
    iz = gl3_mul(dzw, pi);
    izw = gl3_mul(dz, pi);
  } else {
    iz = gl3_inv(dz);
    izw = gl3_inv(dzw);
  }
  const ulong nbo = n_pre + n_main + n_aux3;
  gl3_t sz = gl3_make(0, 0, 0), szw = sz, sq = sz;
  for (ulong c = 0; c < n_pre; c++) {
    const gl_t v = pre[c * big + i];
    sz = gl3_add(sz, gl3_mul_base(gl3_load(w, 3 * c), v));
    szw = gl3_add(szw, gl3_mul_base(gl3_load(w, 3 * (nbo + c)), v));
  }
  for (ulong c = 0; c < n_main; c++) {
    const gl_t v = mn[c * big + i];
    const ulong cc = n_pre + c;
    sz = gl3_add(sz, gl3_mul_base(gl3_load(w, 3 * cc), v));
    szw = gl3_add(szw, gl3_mul_base(gl3_load(w, 3 * (nbo + cc)), v));
  }
  for (ulong c = 0; c < n_aux3; c++) {
    const gl_t v = aux[c * big + i];
    const ulong cc = n_pre + n_main + c;
    sz = gl3_add(sz, gl3_mul_base(gl3_load(w, 3 * cc), v));
    szw = gl3_add(szw, gl3_mul_base(gl3_load(w, 3 * (nbo + cc)), v));
  }
  for (ulong c = 0; c < nq; c++)
    sq = gl3_add(sq, gl3_mul_base(gl3_load(w, 3 * (2 * nbo + c)), quot[c * big + i]));
  gl3_t v = gl3_mul(gl3_sub(sz, kz), iz);
  v = gl3_add(v, gl3_mul(gl3_sub(szw, kzw), izw));
  v = gl3_add(v, gl3_mul(gl3_sub(sq, kq), iz));
  if (mask) {
    const gl3_t r =
        gl3_make(quot[nq * big + i], quot[(nq + 1) * big + i], quot[(nq + 2) * big + i]);
    v = gl3_add(v, gl3_mul(gl3_load(w, 3 * (2 * nbo + nq)), r));
  }
  out[i] = v.v0;
  out[big + i] = v.v1;
  out[2 * big + i] = v.v2;
}

/*
 * The witness coefficients with the zero-knowledge randomizer (fri/stark_prove.c,
 * witness_lde): coef[c rows + i] = f_c[i] - r_c[i] + r_c[i - n] for i < rows = n + h (f_c
 * the inverse NTT of column c, n points at f[c n]; f_c[i] = 0 for i >= n, r_c[j] =
 * r[c h + j] for 0 <= j < h and 0 elsewhere). Dimension 1 is c.
 */
__kernel void coef_randomize(__global ulong *coef, ulong rows, __global const ulong *f, ulong n,
                             __global const ulong *r, ulong h) {
  const ulong i = get_global_id(0), c = get_global_id(1);
  if (i >= rows) return;
  gl_t v = i < n ? f[c * n + i] : 0;
  if (i < h) v = gl_sub(v, r[c * h + i]);
  if (i >= n && i - n < h) v = gl_add(v, r[c * h + i - n]);
  coef[c * rows + i] = v;
}

#define SM_EVAL_WG 256

/*
 * out[t cols + c] = sum_i pw[t stride + i] m[c rows + i] over i < rows (the out-of-domain
 * values: column c's polynomial at point t, pw its powers, 3 words each). One work-group
 * (at most SM_EVAL_WG work-items, a power of two) per (c, t): dimension 1 is c, 2 is t.
 * Field sums are exact, so the order of the additions does not change the value.
 */
__kernel void mat_eval(__global ulong *out, __global const ulong *m, ulong rows, ulong cols,
                       __global const ulong *pw, ulong stride) {
  __local ulong red[3 * SM_EVAL_WG];
  const ulong c = get_global_id(1), t = get_global_id(2);
  const uint l = get_local_id(0), wg = get_local_size(0);
  gl3_t acc = {0, 0, 0};
  for (ulong i = l; i < rows; i += wg) {
    __global const ulong *p = pw + 3 * (t * stride + i);
    gl3_t w = {p[0], p[1], p[2]};
    acc = gl3_add(acc, gl3_mul_base(w, m[c * rows + i]));
  }
  red[3 * l] = acc.v0, red[3 * l + 1] = acc.v1, red[3 * l + 2] = acc.v2;
  for (uint hw = wg / 2; hw > 0; hw /= 2) {
    barrier(CLK_LOCAL_MEM_FENCE);
    if (l < hw)
      for (uint k = 0; k < 3; k++)
        red[3 * l + k] = gl_add(red[3 * l + k], red[3 * (l + hw) + k]);
  }
  if (l == 0)
    for (uint k = 0; k < 3; k++) out[3 * (t * cols + c) + k] = red[k];
}

/* q[c M + i] = v[3 i + c] for i < M, c < 3: the quotient values as the generated kernel
   stores them (an extension element per position) into a 3-column matrix. */
__kernel void quot_columns(__global ulong *q, __global const ulong *v, ulong M) {
  const ulong i = get_global_id(0);
  if (i >= M) return;
  for (uint c = 0; c < 3; c++) q[c * M + i] = v[3 * i + c];
}

/*
 * *count += the number of nonzero a[c M + j] with from <= j < M, c < 3 (the quotient's
 * coefficients beyond its degree bound: an honest witness has none). Dimension 1 is c. One
 * global atomic per work-group that found any; the host bounds the total below 2^32.
 */
__kernel void quot_count(__global uint *count, __global const ulong *a, ulong M, ulong from) {
  __local uint n;
  const ulong j = from + get_global_id(0), c = get_global_id(1);
  if (get_local_id(0) == 0) n = 0;
  barrier(CLK_LOCAL_MEM_FENCE);
  if (j < M && a[c * M + j] != 0) atomic_inc(&n);
  barrier(CLK_LOCAL_MEM_FENCE);
  if (get_local_id(0) == 0 && n != 0) atomic_add(count, n);
}

/*
 * The quotient pieces (core/backend.h, quotient_coef; fri/stark_prove.c, quotient_commit)
 * into coef (rows = D, cols columns), from a (3 columns of M coefficients, before the
 * shift): column 3k + c of piece k < m, row t, is a[c M + j] shift^-j at j = k P + t when
 * t < P and j < M, else 0, plus the blinder r[(3k + c) hq + t - P] on rows [P, P + hq)
 * when k + 1 < m, minus r[(3(k - 1) + c) hq + t] on rows [0, hq) when k > 0 (hq = 0: no
 * blinders); a mask column 3m + c holds r[3 (m - 1) hq + c (D - 1) + t] on rows t < D - 1.
 * shift^-j = pw[j mod 2^lo_bits] pw[2^lo_bits + (j >> lo_bits)]. Dimension 1 is the column.
 */
__kernel void quot_pieces(__global ulong *coef, ulong rows, __global const ulong *a, ulong M,
                          ulong P, ulong m, __global const ulong *pw, uint lo_bits,
                          __global const ulong *r, ulong hq) {
  const ulong t = get_global_id(0), cc = get_global_id(1);
  if (t >= rows) return;
  gl_t v = 0;
  if (cc >= 3 * m) {
    if (t + 1 < rows) v = r[3 * (m - 1) * hq + (cc - 3 * m) * (rows - 1) + t];
  } else {
    const ulong c = cc % 3, j = (cc / 3) * P + t, nlo = (ulong)1 << lo_bits;
    if (t < P && j < M)
      v = gl_mul(a[c * M + j], gl_mul(pw[j & (nlo - 1)], pw[nlo + (j >> lo_bits)]));
    if (hq > 0 && cc + 3 < 3 * m && t >= P && t - P < hq) v = gl_add(v, r[cc * hq + t - P]);
    if (hq > 0 && cc >= 3 && t < hq) v = gl_sub(v, r[(cc - 3) * hq + t]);
  }
  coef[cc * rows + t] = v;
}
