/*
 * Goldilocks field F_p, p = 2^64 - 2^32 + 1, and its cubic extension F_p[X]/(X^3 - 7), in
 * OpenCL C: the device twin of core/field.h, shared by every kernel of kernels/.
 *
 * Invariant (as in core/field.h): every function takes canonical inputs (values in [0, p))
 * and returns canonical outputs, so that any two ways of computing a value give the same
 * bits and the device's results equal the CPU reference's byte for byte. The formulas are
 * core/field.h's, operation for operation; mul_hi gives the high half of the 64 x 64-bit
 * product, which OpenCL has for ulong on every device (no 128-bit type is needed).
 */
#define GL_P 0xFFFFFFFF00000001UL
#define GL_EPSILON 0xFFFFFFFFUL
/* (p + 1) / 2 = 1/2 mod p. */
#define GL_HALF 0x7FFFFFFF80000001UL
#define GL3_W 7UL

typedef ulong gl_t;

/* OpenCL C 1.2 allows static functions; every kernel file uses this for its helpers. */
#define SM_INLINE static inline

/* An all-ones mask when c is true, else 0 (c is 0 or 1). */
#define GL_MASK(c) ((ulong)0 - (ulong)(c))

SM_INLINE gl_t gl_add(gl_t a, gl_t b) {
  ulong s = a + b;
  s += GL_MASK(s < a) & GL_EPSILON;
  return s - (GL_MASK(s >= GL_P) & GL_P);
}

SM_INLINE gl_t gl_sub(gl_t a, gl_t b) {
  ulong d = a - b;
  return d - (GL_MASK(a < b) & GL_EPSILON);
}

/* x = hi * 2^64 + lo (any 128-bit value) mod p; see gl_reduce128 in core/field.h. */
SM_INLINE gl_t gl_reduce128(ulong lo, ulong hi) {
  ulong hh = hi >> 32, hl = hi & GL_EPSILON;
  ulong t0 = lo - hh;
  t0 -= GL_MASK(lo < hh) & GL_EPSILON;
  ulong t1 = hl * GL_EPSILON;
  ulong r = t0 + t1;
  r += GL_MASK(r < t1) & GL_EPSILON;
  return r - (GL_MASK(r >= GL_P) & GL_P);
}

SM_INLINE gl_t gl_mul(gl_t a, gl_t b) { return gl_reduce128(a * b, mul_hi(a, b)); }

/* x / 2 mod p (fri/fri.c's gl_half). */
SM_INLINE gl_t gl_half(gl_t x) { return (x >> 1) + (GL_MASK(x & 1UL) & GL_HALF); }

typedef struct {
  gl_t v0, v1, v2;
} gl3_t;

SM_INLINE gl3_t gl3_add(gl3_t a, gl3_t b) {
  gl3_t r = {gl_add(a.v0, b.v0), gl_add(a.v1, b.v1), gl_add(a.v2, b.v2)};
  return r;
}

SM_INLINE gl3_t gl3_sub(gl3_t a, gl3_t b) {
  gl3_t r = {gl_sub(a.v0, b.v0), gl_sub(a.v1, b.v1), gl_sub(a.v2, b.v2)};
  return r;
}

SM_INLINE gl3_t gl3_mul_base(gl3_t a, gl_t b) {
  gl3_t r = {gl_mul(a.v0, b), gl_mul(a.v1, b), gl_mul(a.v2, b)};
  return r;
}

SM_INLINE gl3_t gl3_half(gl3_t a) {
  gl3_t r = {gl_half(a.v0), gl_half(a.v1), gl_half(a.v2)};
  return r;
}

/* Schoolbook product with X^3 = 7 (core/field.h's gl3_mul, term for term). */
SM_INLINE gl3_t gl3_mul(gl3_t a, gl3_t b) {
  gl_t x3 = gl_add(gl_mul(a.v1, b.v2), gl_mul(a.v2, b.v1));
  gl_t x4 = gl_mul(a.v2, b.v2);
  gl3_t r;
  r.v0 = gl_add(gl_mul(a.v0, b.v0), gl_mul(GL3_W, x3));
  r.v1 = gl_add(gl_add(gl_mul(a.v0, b.v1), gl_mul(a.v1, b.v0)), gl_mul(GL3_W, x4));
  r.v2 = gl_add(gl_add(gl_mul(a.v0, b.v2), gl_mul(a.v1, b.v1)), gl_mul(a.v2, b.v0));
  return r;
}

SM_INLINE gl3_t gl3_make(gl_t a, gl_t b, gl_t c) {
  gl3_t r = {a, b, c};
  return r;
}

SM_INLINE gl_t gl_neg(gl_t a) { return gl_sub(0, a); }

SM_INLINE gl3_t gl3_neg(gl3_t a) {
  gl3_t r = {gl_neg(a.v0), gl_neg(a.v1), gl_neg(a.v2)};
  return r;
}

/* Mixed operations: an extension element and a base one embedded as (b, 0, 0). Exact, so
   they equal the extension operations on the embedded value bit for bit. */
SM_INLINE gl3_t gl3_add_base(gl3_t a, gl_t b) {
  gl3_t r = {gl_add(a.v0, b), a.v1, a.v2};
  return r;
}
SM_INLINE gl3_t gl3_sub_base(gl3_t a, gl_t b) {
  gl3_t r = {gl_sub(a.v0, b), a.v1, a.v2};
  return r;
}
SM_INLINE gl3_t gl3_base_sub(gl_t a, gl3_t b) {
  gl3_t r = {gl_sub(a, b.v0), gl_neg(b.v1), gl_neg(b.v2)};
  return r;
}

/* A 3-element extension value at p[o .. o + 3). */
SM_INLINE gl3_t gl3_load(__global const ulong *p, ulong o) {
  gl3_t r = {p[o], p[o + 1], p[o + 2]};
  return r;
}

SM_INLINE gl_t gl_sqr_n(gl_t a, uint n) {
  for (uint k = 0; k < n; k++) a = gl_mul(a, a);
  return a;
}

/* a^(p - 2) = a^-1 (0 for a = 0, as core/field.h's gl_inv) by an addition chain:
   p - 2 = 0xFFFFFFFE_FFFFFFFF = (2^31 - 1) 2^33 + (2^32 - 1); 64 squarings, 9 products. */
SM_INLINE gl_t gl_inv(gl_t a) {
  const gl_t t1 = a;
  const gl_t t2 = gl_mul(gl_sqr_n(t1, 1), t1);    /* a^(2^2 - 1) */
  const gl_t t3 = gl_mul(gl_sqr_n(t2, 1), t1);    /* a^(2^3 - 1) */
  const gl_t t6 = gl_mul(gl_sqr_n(t3, 3), t3);    /* a^(2^6 - 1) */
  const gl_t t12 = gl_mul(gl_sqr_n(t6, 6), t6);   /* a^(2^12 - 1) */
  const gl_t t15 = gl_mul(gl_sqr_n(t12, 3), t3);  /* a^(2^15 - 1) */
  const gl_t t16 = gl_mul(gl_sqr_n(t15, 1), t1);  /* a^(2^16 - 1) */
  const gl_t t31 = gl_mul(gl_sqr_n(t16, 15), t15); /* a^(2^31 - 1) */
  const gl_t t32 = gl_mul(gl_sqr_n(t31, 1), t1);  /* a^(2^32 - 1) */
  return gl_mul(gl_sqr_n(t31, 33), t32);
}

/* a^-1 in F_p[X]/(X^3 - 7) (0 for a = 0): a * (b0 + b1 X + b2 X^2) = N, the norm, with
   b0 = a0^2 - 7 a1 a2, b1 = 7 a2^2 - a0 a1, b2 = a1^2 - a0 a2, N = a0 b0 + 7 (a1 b2 + a2 b1).
   The inverse is unique, so this equals core/field.h's sm_gl3_inv bit for bit. */
SM_INLINE gl3_t gl3_inv(gl3_t a) {
  const gl_t b0 = gl_sub(gl_mul(a.v0, a.v0), gl_mul(GL3_W, gl_mul(a.v1, a.v2)));
  const gl_t b1 = gl_sub(gl_mul(GL3_W, gl_mul(a.v2, a.v2)), gl_mul(a.v0, a.v1));
  const gl_t b2 = gl_sub(gl_mul(a.v1, a.v1), gl_mul(a.v0, a.v2));
  const gl_t nrm =
      gl_add(gl_mul(a.v0, b0), gl_mul(GL3_W, gl_add(gl_mul(a.v1, b2), gl_mul(a.v2, b1))));
  const gl_t ni = gl_inv(nrm);
  gl3_t r = {gl_mul(b0, ni), gl_mul(b1, ni), gl_mul(b2, ni)};
  return r;
}

SM_INLINE int gl3_is_zero(gl3_t a) { return (a.v0 | a.v1 | a.v2) == 0; }

/* The 64-bit reversal of x (OpenCL C has no bit-reverse builtin). */
SM_INLINE ulong rev64(ulong x) {
  x = ((x >> 1) & 0x5555555555555555UL) | ((x & 0x5555555555555555UL) << 1);
  x = ((x >> 2) & 0x3333333333333333UL) | ((x & 0x3333333333333333UL) << 2);
  x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FUL) | ((x & 0x0F0F0F0F0F0F0F0FUL) << 4);
  x = ((x >> 8) & 0x00FF00FF00FF00FFUL) | ((x & 0x00FF00FF00FF00FFUL) << 8);
  x = ((x >> 16) & 0x0000FFFF0000FFFFUL) | ((x & 0x0000FFFF0000FFFFUL) << 16);
  return (x >> 32) | (x << 32);
}

/* The m-bit reversal of x < 2^m (core/ntt.h's sm_bitrev). */
SM_INLINE ulong bitrev_m(ulong x, uint m) { return m == 0 ? 0 : rev64(x) >> (64 - m); }

/* The LDE point of exponent e, shift * w^e, from two tables (host-filled): tab[j] = w^j for
   j < 2^lo_bits, then tab[2^lo_bits + j] = shift * w^(j 2^lo_bits): one product. */
SM_INLINE gl_t lde_point(__global const ulong *tab, ulong e, uint lo_bits) {
  const ulong nlo = (ulong)1 << lo_bits;
  return gl_mul(tab[e & (nlo - 1)], tab[nlo + (e >> lo_bits)]);
}
