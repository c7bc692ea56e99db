#include "core/field.h"

void sm_gl_batch_inv(gl_t *out, const gl_t *in, size_t n, gl_t *scratch) {
  if (n == 0) return;
  /* scratch[i] = product of the non-zero entries before i; zeros are skipped so they stay zero. */
  gl_t acc = 1;
  for (size_t i = 0; i < n; i++) {
    scratch[i] = acc;
    if (in[i] != 0) acc = gl_mul(acc, in[i]);
  }
  gl_t inv = gl_inv(acc);
  for (size_t i = n; i-- > 0;) {
    gl_t x = in[i];
    if (x == 0) {
      out[i] = 0;
      continue;
    }
    out[i] = gl_mul(inv, scratch[i]);
    inv = gl_mul(inv, x);
  }
}

gl3_t sm_gl3_exp(gl3_t a, uint64_t e) {
  gl3_t r = gl3_from_base(1);
  for (int i = 63; i >= 0; i--) {
    r = gl3_sqr(r);
    gl3_t m = gl3_mul(r, a);
    uint64_t take = (uint64_t)(-(int64_t)((e >> i) & 1));
    for (int k = 0; k < 3; k++) r.v[k] = (m.v[k] & take) | (r.v[k] & ~take);
  }
  return r;
}

gl3_t sm_gl3_inv(gl3_t a) {
  gl3_t f1 = gl3_frobenius(a);
  gl3_t f2 = gl3_frobenius(f1);
  gl3_t f12 = gl3_mul(f1, f2);
  /* N(a) = a * f1 * f2 has zero X and X^2 coefficients; only v[0] is needed. */
  gl3_t norm = gl3_mul(a, f12);
  return gl3_mul_base(f12, gl_inv(norm.v[0]));
}
