/*
 * Goldilocks field F_p, p = 2^64 - 2^32 + 1, and its cubic extension F_p[X]/(X^3 - 7).
 *
 * Invariants: every gl_* function takes canonical inputs (values in [0, p)) and returns
 * canonical outputs. Values read from outside (files, proofs) must go through a parser
 * that rejects encodings >= p (core/ser.h); nothing here re-checks.
 *
 * Timing: add, sub, neg, mul, exp and inv run in time independent of their operands
 * (no secret-dependent branches; the compiler emits conditional moves). Functions whose
 * time depends on their inputs carry the `_var` suffix.
 *
 * Why these choices: 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p) make reduction of a
 * 128-bit product a handful of 64-bit operations; p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537
 * gives power-of-two subgroups up to 2^32 for NTTs. 7 generates F_p^*, and since 3 | p - 1
 * and 7 is not a cube, X^3 - 7 is irreducible: the extension has p^3 ~ 2^192 elements,
 * which keeps Fiat-Shamir challenges and FRI sound to well past 128 bits.
 */
#ifndef STARKML_CORE_FIELD_H
#define STARKML_CORE_FIELD_H

#include <stddef.h>
#include <stdint.h>

#define GL_P 0xFFFFFFFF00000001ULL
/* 2^64 mod p = 2^32 - 1: adding it accounts for a wrapped carry, subtracting it for a borrow. */
#define GL_EPSILON 0xFFFFFFFFULL
/* Multiplicative generator of F_p^*. */
#define GL_GENERATOR 7ULL
/* Largest power-of-two subgroup: 2^GL_TWO_ADICITY. */
#define GL_TWO_ADICITY 32
/* 7^((p-1)/2^32): a primitive 2^32-th root of unity (checked by tests/test_core_field.c). */
#define GL_ROOT_2_32 0x185629DCDA58878CULL
/* 7^((p-1)/3) and its square: the primitive cube roots of unity (Frobenius constants). */
#define GL_CUBE_ROOT_1 0xFFFFFFFE00000001ULL
#define GL_CUBE_ROOT_2 0x00000000FFFFFFFFULL
/* The extension's non-residue: X^3 = GL3_W. */
#define GL3_W 7ULL

typedef uint64_t gl_t;

static inline gl_t gl_add(gl_t a, gl_t b) {
  uint64_t s = a + b;
  /* A carry out of 2^64 is worth 2^64 = epsilon (mod p). The corrected sum is below 2^64. */
  s += (uint64_t)(-(uint64_t)(s < a)) & GL_EPSILON;
  /* s < 2p here; one conditional subtraction makes it canonical. */
  return s - ((uint64_t)(-(uint64_t)(s >= GL_P)) & GL_P);
}

static inline gl_t gl_sub(gl_t a, gl_t b) {
  uint64_t d = a - b;
  /* On borrow d = a - b + 2^64; subtracting epsilon turns that into a - b + p < p. */
  d -= (uint64_t)(-(uint64_t)(a < b)) & GL_EPSILON;
  return d;
}

static inline gl_t gl_neg(gl_t a) { return gl_sub(0, a); }

static inline gl_t gl_double(gl_t a) { return gl_add(a, a); }

/*
 * Reduces x = hi * 2^64 + lo (any 128-bit value) modulo p.
 * With hi = hh * 2^32 + hl: x = lo + hl * 2^64 + hh * 2^96 = lo + hl * eps - hh (mod p).
 */
static inline gl_t gl_reduce128(uint64_t lo, uint64_t hi) {
  uint64_t hh = hi >> 32, hl = hi & GL_EPSILON;
  uint64_t t0 = lo - hh;
  /* Borrow: t0 = lo - hh + 2^64 >= 2^64 - 2^32 + 1 > eps, so this cannot wrap again. */
  t0 -= (uint64_t)(-(uint64_t)(lo < hh)) & GL_EPSILON;
  uint64_t t1 = hl * GL_EPSILON; /* < 2^64: both factors are below 2^32 */
  uint64_t r = t0 + t1;
  /* Carry: r = t0 + t1 - 2^64 < t1 <= (2^32 - 1)^2, so adding eps cannot wrap. */
  r += (uint64_t)(-(uint64_t)(r < t1)) & GL_EPSILON;
  return r - ((uint64_t)(-(uint64_t)(r >= GL_P)) & GL_P);
}

static inline gl_t gl_mul(gl_t a, gl_t b) {
  unsigned __int128 x = (unsigned __int128)a * b;
  return gl_reduce128((uint64_t)x, (uint64_t)(x >> 64));
}

static inline gl_t gl_sqr(gl_t a) { return gl_mul(a, a); }

/* Reduces any 64-bit integer (for example a parser's raw value or a hash chunk) mod p. */
static inline gl_t gl_from_u64(uint64_t x) {
  return x - ((uint64_t)(-(uint64_t)(x >= GL_P)) & GL_P);
}

/* a^e by square-and-multiply over all 64 bits of e (time independent of a and e). */
static inline gl_t gl_exp(gl_t a, uint64_t e) {
  gl_t r = 1;
  for (int i = 63; i >= 0; i--) {
    r = gl_sqr(r);
    gl_t m = gl_mul(r, a);
    uint64_t take = (uint64_t)(-(int64_t)((e >> i) & 1));
    r = (m & take) | (r & ~take);
  }
  return r;
}

/* a^(p-2) = a^-1 for a != 0; returns 0 for a == 0. */
static inline gl_t gl_inv(gl_t a) { return gl_exp(a, GL_P - 2); }

/* A primitive 2^log_n-th root of unity (log_n <= 32), the canonical one: GL_ROOT_2_32^(2^(32-log_n)). */
static inline gl_t gl_root_of_unity(unsigned log_n) {
  gl_t w = GL_ROOT_2_32;
  for (unsigned i = log_n; i < GL_TWO_ADICITY; i++) w = gl_sqr(w);
  return w;
}

/*
 * out[i] = in[i]^-1 for all i (Montgomery's trick: 3(n-1) multiplications and one inversion).
 * Zeros map to zero. out may alias in. scratch must hold n elements and must not alias.
 */
void sm_gl_batch_inv(gl_t *out, const gl_t *in, size_t n, gl_t *scratch);

/* ---- Cubic extension F_p[X]/(X^3 - 7): v[0] + v[1] X + v[2] X^2 ---------------------- */

typedef struct {
  gl_t v[3];
} gl3_t;

static inline gl3_t gl3_from_base(gl_t a) {
  gl3_t r = {{a, 0, 0}};
  return r;
}

static inline int gl3_eq(gl3_t a, gl3_t b) {
  return ((a.v[0] ^ b.v[0]) | (a.v[1] ^ b.v[1]) | (a.v[2] ^ b.v[2])) == 0;
}

static inline gl3_t gl3_add(gl3_t a, gl3_t b) {
  gl3_t r = {{gl_add(a.v[0], b.v[0]), gl_add(a.v[1], b.v[1]), gl_add(a.v[2], b.v[2])}};
  return r;
}

static inline gl3_t gl3_sub(gl3_t a, gl3_t b) {
  gl3_t r = {{gl_sub(a.v[0], b.v[0]), gl_sub(a.v[1], b.v[1]), gl_sub(a.v[2], b.v[2])}};
  return r;
}

static inline gl3_t gl3_neg(gl3_t a) {
  gl3_t r = {{gl_neg(a.v[0]), gl_neg(a.v[1]), gl_neg(a.v[2])}};
  return r;
}

static inline gl3_t gl3_mul_base(gl3_t a, gl_t b) {
  gl3_t r = {{gl_mul(a.v[0], b), gl_mul(a.v[1], b), gl_mul(a.v[2], b)}};
  return r;
}

/* Schoolbook product; X^3 = 7 and X^4 = 7X fold the top terms down. */
/* GL3_W * a mod p (a canonical): the 67-bit product reduced by folding its top word,
   hi * 2^64 = hi * eps with hi <= 6. */
static inline gl_t gl_mul_w(gl_t a) {
  unsigned __int128 x = (unsigned __int128)a * GL3_W;
  uint64_t lo = (uint64_t)x, t = (uint64_t)(x >> 64) * GL_EPSILON, r = lo + t;
  r += (uint64_t)(-(uint64_t)(r < t)) & GL_EPSILON; /* after a wrap r < t <= 6 eps */
  return r - ((uint64_t)(-(uint64_t)(r >= GL_P)) & GL_P);
}

/* x0 y0 + x1 y1 + x2 y2 mod p: the three 128-bit products summed exactly (the carries out
   of 2^128 counted in c <= 2) and reduced once, with 2^128 = -2^32 (mod p). */
static inline gl_t gl_dot3(gl_t x0, gl_t y0, gl_t x1, gl_t y1, gl_t x2, gl_t y2) {
  unsigned __int128 p0 = (unsigned __int128)x0 * y0, p1 = (unsigned __int128)x1 * y1;
  unsigned __int128 p2 = (unsigned __int128)x2 * y2;
  unsigned __int128 s = p0 + p1;
  uint64_t c = s < p0;
  unsigned __int128 t = s + p2;
  c += t < s;
  return gl_sub(gl_reduce128((uint64_t)t, (uint64_t)(t >> 64)), c << 32);
}

/* Nine products and three reductions: with X^3 = W,
   (ab)_0 = a0 b0 + a1 (W b2) + a2 (W b1), (ab)_1 = a0 b1 + a1 b0 + a2 (W b2),
   (ab)_2 = a0 b2 + a1 b1 + a2 b0. */
static inline gl3_t gl3_mul(gl3_t a, gl3_t b) {
  gl_t a0 = a.v[0], a1 = a.v[1], a2 = a.v[2];
  gl_t b0 = b.v[0], b1 = b.v[1], b2 = b.v[2];
  gl_t w1 = gl_mul_w(b1), w2 = gl_mul_w(b2);
  gl3_t r;
  r.v[0] = gl_dot3(a0, b0, a1, w2, a2, w1);
  r.v[1] = gl_dot3(a0, b1, a1, b0, a2, w2);
  r.v[2] = gl_dot3(a0, b2, a1, b1, a2, b0);
  return r;
}

static inline gl3_t gl3_sqr(gl3_t a) { return gl3_mul(a, a); }

/*
 * Frobenius a -> a^p. Since X^p = X * 7^((p-1)/3) = c X with c a cube root of unity,
 * (v0 + v1 X + v2 X^2)^p = v0 + v1 c X + v2 c^2 X^2.
 */
static inline gl3_t gl3_frobenius(gl3_t a) {
  gl3_t r = {{a.v[0], gl_mul(a.v[1], GL_CUBE_ROOT_1), gl_mul(a.v[2], GL_CUBE_ROOT_2)}};
  return r;
}

/*
 * Sums of extension-by-base products with one reduction at the end: each component keeps a
 * 128-bit sum of the 64 x 64-bit products and a count of its wraps (x = c 2^128 + s, and
 * 2^128 = 2^64 - 2^33 + 1 mod p). Exact, so the result equals the sum of gl3_mul_base
 * products bit for bit, for fewer than 2^64 terms. Start from a zeroed gl3_lazy.
 */
typedef struct {
  unsigned __int128 s[3];
  uint64_t c[3];
} gl3_lazy;

#define GL_2_128_MOD_P 0xFFFFFFFE00000001ULL

/* a += w * v. */
static inline void gl3_lazy_add(gl3_lazy *a, const gl3_t *w, gl_t v) {
  for (int k = 0; k < 3; k++) {
    const unsigned __int128 pr = (unsigned __int128)w->v[k] * v;
    a->s[k] += pr;
    a->c[k] += a->s[k] < pr;
  }
}

/* The sum, reduced. */
static inline gl3_t gl3_lazy_get(const gl3_lazy *a) {
  gl3_t r;
  for (int k = 0; k < 3; k++)
    r.v[k] = gl_add(gl_reduce128((uint64_t)a->s[k], (uint64_t)(a->s[k] >> 64)),
                    gl_mul(a->c[k], GL_2_128_MOD_P));
  return r;
}

/* a^e in the extension (square-and-multiply over all 64 bits of e). */
gl3_t sm_gl3_exp(gl3_t a, uint64_t e);

/*
 * a^-1 = a^p * a^(p^2) / N(a), where the norm N(a) = a * a^p * a^(p^2) lies in F_p.
 * Returns 0 for a == 0.
 */
gl3_t sm_gl3_inv(gl3_t a);

#endif /* STARKML_CORE_FIELD_H */
