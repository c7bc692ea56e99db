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
