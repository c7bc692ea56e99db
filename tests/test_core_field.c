/*
 * Tests for the Goldilocks field and its cubic extension (core/field.h).
 *
 * Three independent lines of evidence:
 *  1. OpenSSL's BIGNUM is the oracle for every base-field operation, on edge values and
 *     on random inputs, and for the extension's product (schoolbook product of integers,
 *     folded with X^3 = 7, reduced once at the end).
 *  2. The constants (generator, roots of unity, cube roots) are recomputed from their
 *     definitions with BN_mod_exp, and the factorisation of p - 1 is checked with BN.
 *  3. gl_reduce128 is one instance (k = 32) of a reduction that works for every modulus
 *     q = 2^(2k) - 2^k + 1. toy_reduce() below is that algorithm written for any k, step
 *     for step and branch for branch like gl_reduce128; it is checked to agree with
 *     gl_reduce128 at k = 32 and checked exhaustively for k = 4 (and k = 8 in the slow
 *     run), which covers every branch combination a random test would almost never reach.
 */
#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>

#include "core/field.h"

/* ---- BIGNUM helpers ------------------------------------------------------------------ */

static BN_CTX *bn_ctx;
static BIGNUM *bn_p;

/* Runs at exit, before LeakSanitizer looks (it registered its own handler earlier). */
static void bn_teardown(void) {
  BN_free(bn_p);
  BN_CTX_free(bn_ctx);
  bn_p = NULL;
  bn_ctx = NULL;
}

static void bn_setup(void) {
  if (bn_ctx != NULL) return;
  bn_ctx = BN_CTX_new();
  assert_non_null(bn_ctx);
  uint8_t le[8];
  for (int i = 0; i < 8; i++) le[i] = (uint8_t)(GL_P >> (8 * i));
  bn_p = BN_lebin2bn(le, 8, NULL);
  assert_non_null(bn_p);
  atexit(bn_teardown);
}

static BIGNUM *bn_new(void) {
  BIGNUM *r = BN_new();
  assert_non_null(r);
  return r;
}

/* A fresh BIGNUM holding hi * 2^64 + lo (caller frees). */
static BIGNUM *bn_u128(uint64_t lo, uint64_t hi) {
  uint8_t le[16];
  for (int i = 0; i < 8; i++) {
    le[i] = (uint8_t)(lo >> (8 * i));
    le[8 + i] = (uint8_t)(hi >> (8 * i));
  }
  BIGNUM *r = BN_lebin2bn(le, 16, NULL);
  assert_non_null(r);
  return r;
}

static BIGNUM *bn_u64(uint64_t v) { return bn_u128(v, 0); }

/* The value of a BIGNUM that must be below 2^64. */
static uint64_t bn_get_u64(const BIGNUM *a) {
  assert_true(BN_num_bytes(a) <= 8);
  uint8_t le[8];
  assert_int_equal(BN_bn2lebinpad(a, le, 8), 8);
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)le[i] << (8 * i);
  return v;
}

static uint64_t ref_add(uint64_t a, uint64_t b) {
  BIGNUM *x = bn_u64(a), *y = bn_u64(b), *r = bn_new();
  assert_true(BN_mod_add(r, x, y, bn_p, bn_ctx));
  uint64_t v = bn_get_u64(r);
  BN_free(x), BN_free(y), BN_free(r);
  return v;
}

static uint64_t ref_sub(uint64_t a, uint64_t b) {
  BIGNUM *x = bn_u64(a), *y = bn_u64(b), *r = bn_new();
  assert_true(BN_mod_sub(r, x, y, bn_p, bn_ctx));
  uint64_t v = bn_get_u64(r);
  BN_free(x), BN_free(y), BN_free(r);
  return v;
}

static uint64_t ref_mul(uint64_t a, uint64_t b) {
  BIGNUM *x = bn_u64(a), *y = bn_u64(b), *r = bn_new();
  assert_true(BN_mod_mul(r, x, y, bn_p, bn_ctx));
  uint64_t v = bn_get_u64(r);
  BN_free(x), BN_free(y), BN_free(r);
  return v;
}

static uint64_t ref_exp(uint64_t a, uint64_t e) {
  BIGNUM *x = bn_u64(a), *y = bn_u64(e), *r = bn_new();
  assert_true(BN_mod_exp(r, x, y, bn_p, bn_ctx));
  uint64_t v = bn_get_u64(r);
  BN_free(x), BN_free(y), BN_free(r);
  return v;
}

/* hi * 2^64 + lo mod p. */
static uint64_t ref_reduce128(uint64_t lo, uint64_t hi) {
  BIGNUM *x = bn_u128(lo, hi), *r = bn_new();
  assert_true(BN_nnmod(r, x, bn_p, bn_ctx));
  uint64_t v = bn_get_u64(r);
  BN_free(x), BN_free(r);
  return v;
}

static uint64_t ref_inv(uint64_t a) {
  if (a == 0) return 0;
  BIGNUM *x = bn_u64(a), *r = bn_new();
  assert_non_null(BN_mod_inverse(r, x, bn_p, bn_ctx));
  uint64_t v = bn_get_u64(r);
  BN_free(x), BN_free(r);
  return v;
}

/* ---- The generic reduction for q = 2^(2k) - 2^k + 1 ------------------------------------ */

/*
 * Words are W = 2k bits wide and held in uint64_t under a mask, so k = 32 is the real
 * field. Each line mirrors one line of gl_reduce128; the branch flags record which of its
 * three conditional corrections were taken. Two invariants that gl_reduce128's comments
 * rely on are checked here, where the exhaustive runs can find a counterexample: the
 * borrow correction and the carry correction never wrap a second time (BR_WRAP flags a
 * violation; it is a flag rather than an assertion so that the 2^32-input loop inlines).
 */
enum { BR_BORROW = 1, BR_CARRY = 2, BR_FINAL = 4, BR_WRAP = 8 };

typedef struct {
  unsigned k;
  uint64_t mask; /* 2^(2k) - 1 */
  uint64_t eps;  /* 2^k - 1 = 2^(2k) mod q */
  uint64_t q;    /* 2^(2k) - 2^k + 1 */
} toy_field;

static toy_field toy_make(unsigned k) {
  toy_field f;
  f.k = k;
  f.mask = k == 32 ? ~0ULL : (1ULL << (2 * k)) - 1;
  f.eps = (1ULL << k) - 1;
  f.q = (f.mask - f.eps) + 1; /* 2^(2k) - 2^k + 1 without overflowing at k = 32 */
  return f;
}

static inline uint64_t toy_reduce_raw(const toy_field *f, uint64_t lo, uint64_t hi,
                                      unsigned *branches) {
  uint64_t hh = hi >> f->k, hl = hi & f->eps;
  uint64_t t0 = (lo - hh) & f->mask;
  unsigned br = 0;
  if (lo < hh) {
    br |= BR_BORROW;
    if (t0 <= f->eps) br |= BR_WRAP; /* the subtraction below would wrap */
    t0 = (t0 - f->eps) & f->mask;
  }
  uint64_t t1 = hl * f->eps; /* both factors < 2^k, so t1 < 2^(2k) */
  uint64_t r = (t0 + t1) & f->mask;
  if (r < t1) {
    br |= BR_CARRY;
    if (r + f->eps > f->mask) br |= BR_WRAP; /* the addition below would wrap */
    r = (r + f->eps) & f->mask;
  }
  if (r >= f->q) {
    br |= BR_FINAL;
    r -= f->q;
  }
  *branches = br;
  return r;
}

/* toy_reduce_raw, failing the test on a broken invariant. */
static uint64_t toy_reduce(const toy_field *f, uint64_t lo, uint64_t hi, unsigned *branches) {
  unsigned br;
  uint64_t r = toy_reduce_raw(f, lo, hi, &br);
  assert_false(br & BR_WRAP);
  if (branches != NULL) *branches = br;
  return r;
}

/* gl_add's and gl_sub's branch structure on W-bit words. */
static uint64_t toy_add(const toy_field *f, uint64_t a, uint64_t b) {
  uint64_t s = (a + b) & f->mask;
  if (s < a) s = (s + f->eps) & f->mask;
  if (s >= f->q) s -= f->q;
  return s;
}

static uint64_t toy_sub(const toy_field *f, uint64_t a, uint64_t b) {
  uint64_t d = (a - b) & f->mask;
  if (a < b) d = (d - f->eps) & f->mask;
  return d;
}

static uint64_t toy_mul(const toy_field *f, uint64_t a, uint64_t b) {
  uint64_t x = a * b; /* < 2^(4k) <= 2^32 for the exhaustive sizes */
  return toy_reduce(f, x & f->mask, x >> (2 * f->k), NULL);
}

/* Edge values of the base field used by several tests. */
static const uint64_t edges[] = {
    0,
    1,
    2,
    3,
    GL_P - 1,
    GL_P - 2,
    GL_EPSILON,           /* 2^32 - 1 */
    GL_EPSILON + 1,       /* 2^32 */
    GL_EPSILON + 2,
    1ULL << 63,
    (1ULL << 63) - 1,
    (1ULL << 48),
    GL_P - GL_EPSILON,    /* 2^64 - 2^33 + 2 */
    (GL_P + 2) / 3,       /* 3 * this = p + 2: the product lands in [p, 2^64) */
    GL_ROOT_2_32,
    0xFFFFFFFF00000000ULL, /* p - 1 */
    0x00000000FFFFFFFEULL,
    0x0000000100000001ULL,
};
#define N_EDGES (sizeof edges / sizeof edges[0])

static uint64_t rand_gl(uint64_t *rng) {
  /* Mostly uniform, sometimes an edge value, sometimes near p or near 2^32. */
  uint64_t r = sm_test_next(rng);
  switch (r & 7) {
    case 0: return edges[(r >> 8) % N_EDGES];
    case 1: return GL_P - 1 - ((r >> 8) & 0xFFFF);
    case 2: return (GL_EPSILON - 0x7FFF) + ((r >> 8) & 0xFFFF);
    default: return gl_from_u64(sm_test_next(rng));
  }
}

/* ---- Base field against BIGNUM -------------------------------------------------------- */

static void check_pair(uint64_t a, uint64_t b) {
  assert_int_equal(gl_add(a, b), ref_add(a, b));
  assert_int_equal(gl_sub(a, b), ref_sub(a, b));
  assert_int_equal(gl_mul(a, b), ref_mul(a, b));
}

static void base_edges_vs_bn(void **state) {
  (void)state;
  bn_setup();
  for (size_t i = 0; i < N_EDGES; i++) {
    uint64_t a = edges[i];
    assert_true(a < GL_P);
    assert_int_equal(gl_neg(a), ref_sub(0, a));
    assert_int_equal(gl_double(a), ref_add(a, a));
    assert_int_equal(gl_sqr(a), ref_mul(a, a));
    assert_int_equal(gl_inv(a), ref_inv(a));
    for (size_t j = 0; j < N_EDGES; j++) check_pair(a, edges[j]);
    for (size_t j = 0; j < N_EDGES; j++) {
      assert_int_equal(gl_exp(a, edges[j]), ref_exp(a, edges[j]));
    }
    assert_int_equal(gl_exp(a, ~0ULL), ref_exp(a, ~0ULL));
  }
  /* gl_from_u64 accepts every 64-bit value. */
  const uint64_t raw[] = {0, 1, GL_P - 1, GL_P, GL_P + 1, ~0ULL, ~0ULL - 1, 1ULL << 63};
  for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
    assert_int_equal(gl_from_u64(raw[i]), ref_reduce128(raw[i], 0));
  }
}

static void base_random_vs_bn(void **state) {
  (void)state;
  bn_setup();
  uint64_t rng = sm_test_seed() ^ 0x6669656C64ULL;
  for (int i = 0; i < 20000; i++) {
    uint64_t a = rand_gl(&rng), b = rand_gl(&rng);
    check_pair(a, b);
    assert_int_equal(gl_neg(a), ref_sub(0, a));
    if (i % 16 == 0) {
      uint64_t e = sm_test_next(&rng);
      assert_int_equal(gl_exp(a, e), ref_exp(a, e));
      assert_int_equal(gl_inv(a), ref_inv(a));
      if (a != 0) assert_int_equal(gl_mul(a, gl_inv(a)), 1);
    }
  }
  assert_int_equal(gl_inv(0), 0);
}

/*
 * Raw 128-bit inputs to gl_reduce128, chosen to take each branch (and each pair of
 * branches that can co-occur), compared with BN and with toy_reduce at k = 32.
 */
static void reduce128_branches_vs_bn(void **state) {
  (void)state;
  bn_setup();
  toy_field f = toy_make(32);
  const uint64_t his[] = {0, 1, GL_EPSILON, GL_EPSILON + 1, 0xFFFFFFFF00000000ULL,
                          ~0ULL, 0x00000001FFFFFFFFULL, 0xFFFFFFFEFFFFFFFFULL, GL_P,
                          0x0000000100000001ULL, 0x8000000080000000ULL};
  const uint64_t los[] = {0, 1, GL_EPSILON, GL_EPSILON + 1, GL_P - 1, GL_P, GL_P + 1, ~0ULL,
                          0xFFFFFFFEULL, 0xFFFFFFFF00000000ULL, 1ULL << 63};
  unsigned seen = 0, combos = 0;
  for (size_t i = 0; i < sizeof his / sizeof his[0]; i++) {
    for (size_t j = 0; j < sizeof los / sizeof los[0]; j++) {
      unsigned br;
      uint64_t r = gl_reduce128(los[j], his[i]);
      assert_int_equal(r, ref_reduce128(los[j], his[i]));
      assert_int_equal(r, toy_reduce(&f, los[j], his[i], &br));
      seen |= br;
      combos |= 1u << br;
    }
  }
  /* Every branch, and borrow together with carry, was exercised. */
  assert_int_equal(seen, BR_BORROW | BR_CARRY | BR_FINAL);
  assert_true(combos & (1u << (BR_BORROW | BR_CARRY)));
  assert_true(combos & (1u << (BR_BORROW | BR_FINAL)));

  /* Random 128-bit inputs, and inputs with hh > lo (the borrow) drawn at random. */
  uint64_t rng = sm_test_seed() ^ 0x726564ULL;
  for (int i = 0; i < 20000; i++) {
    uint64_t hi = sm_test_next(&rng), lo = sm_test_next(&rng);
    if (i & 1) lo = (hi >> 32) > 0 ? lo % (hi >> 32) : 0;
    assert_int_equal(gl_reduce128(lo, hi), ref_reduce128(lo, hi));
    assert_int_equal(gl_reduce128(lo, hi), toy_reduce(&f, lo, hi, NULL));
  }
}

/* Products of canonical values (what gl_mul actually feeds gl_reduce128) reach every branch. */
static void mul_products_hit_branches(void **state) {
  (void)state;
  bn_setup();
  toy_field f = toy_make(32);
  unsigned seen = 0;
  /* 2^48 * 2^48 = 2^96: hi = 2^32, lo = 0 < hh = 1 (borrow).
   * (p-1)^2 = 2^128 - 2^97 + 2^64: hh = 2^32 - 2 > lo = 0 (borrow).
   * 3 * (p+2)/3 = p + 2 < 2^64: hi = 0 and r = p + 2 (final subtraction).
   * The others, and random products, supply the carry (about one product in four). */
  const uint64_t pairs[][2] = {
      {1ULL << 48, 1ULL << 48}, {GL_P - 1, GL_P - 1}, {3, (GL_P + 2) / 3},
      {GL_EPSILON, GL_P - 1},   {GL_P - 1, GL_P - 2}, {GL_P - 2, GL_P - 2},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    uint64_t a = pairs[i][0], b = pairs[i][1];
    unsigned __int128 x = (unsigned __int128)a * b;
    unsigned br;
    uint64_t r = toy_reduce(&f, (uint64_t)x, (uint64_t)(x >> 64), &br);
    assert_int_equal(gl_mul(a, b), r);
    assert_int_equal(gl_mul(a, b), ref_mul(a, b));
    seen |= br;
  }
  /* Random products take the carry branch about a quarter of the time. */
  uint64_t rng = sm_test_seed() ^ 0x70726F64ULL;
  for (int i = 0; i < 256; i++) {
    uint64_t a = gl_from_u64(sm_test_next(&rng)), b = gl_from_u64(sm_test_next(&rng));
    unsigned __int128 x = (unsigned __int128)a * b;
    unsigned br;
    assert_int_equal(gl_mul(a, b), toy_reduce(&f, (uint64_t)x, (uint64_t)(x >> 64), &br));
    seen |= br;
  }
  assert_int_equal(seen, BR_BORROW | BR_CARRY | BR_FINAL);
}

/* ---- Exhaustive toy fields ------------------------------------------------------------ */

/*
 * Every input (hi, lo) in [0, 2^(2k))^2 against the true residue, which is maintained
 * incrementally (no division in the inner loop). Returns the set of branch combinations
 * seen (bit b set when the combination b occurred).
 */
static unsigned toy_reduce_exhaustive(const toy_field *f, uint64_t hi_step) {
  unsigned combos = 0;
  uint64_t words = f->mask + 1;
  for (uint64_t hi = 0; hi < words; hi += hi_step) {
    uint64_t expect = (hi * (words % f->q)) % f->q; /* (hi * 2^(2k)) mod q */
    for (uint64_t lo = 0; lo < words; lo++) {
      unsigned br;
      uint64_t r = toy_reduce_raw(f, lo, hi, &br);
      if (r != expect || (br & BR_WRAP)) {
        fail_msg("k=%u hi=%llu lo=%llu: got %llu, want %llu (branches %u)", f->k,
                 (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)r,
                 (unsigned long long)expect, br);
      }
      combos |= 1u << br;
      if (++expect == f->q) expect = 0;
    }
  }
  return combos;
}

static void toy_k4_reduce_exhaustive(void **state) {
  (void)state;
  toy_field f = toy_make(4);
  assert_int_equal(f.q, 241);
  unsigned combos = toy_reduce_exhaustive(&f, 1);
  /* Every branch occurs, borrow with carry and borrow with the final subtraction too.
   * The carry is never followed by the final subtraction (r < q after it). */
  assert_true(combos & (1u << BR_BORROW));
  assert_true(combos & (1u << BR_CARRY));
  assert_true(combos & (1u << BR_FINAL));
  assert_true(combos & (1u << (BR_BORROW | BR_CARRY)));
  assert_true(combos & (1u << (BR_BORROW | BR_FINAL)));
  assert_false(combos & (1u << (BR_CARRY | BR_FINAL)));
  assert_false(combos & (1u << (BR_BORROW | BR_CARRY | BR_FINAL)));
}

static void toy_k4_arith_exhaustive(void **state) {
  (void)state;
  toy_field f = toy_make(4);
  /* q = 241 is prime: every nonzero element has an inverse, found by search. */
  for (uint64_t a = 0; a < f.q; a++) {
    for (uint64_t b = 0; b < f.q; b++) {
      assert_int_equal(toy_add(&f, a, b), (a + b) % f.q);
      assert_int_equal(toy_sub(&f, a, b), (a + f.q - b) % f.q);
      assert_int_equal(toy_mul(&f, a, b), (a * b) % f.q);
    }
  }
  /* The algebra follows: 2^(2k) = 2^k - 1 and 2^(3k) = -1 (mod q). */
  assert_int_equal((1ULL << 8) % f.q, f.eps);
  assert_int_equal((1ULL << 12) % f.q, f.q - 1);
}

/*
 * k = 8, q = 65281 = 97 * 673 (not prime: the reduction only needs the shape of q).
 * The full 2^32 inputs take seconds, so the default run covers every lo for a spread
 * of hi values (every 251st, plus a list whose high or low half is extreme).
 */
static void toy_k8_reduce_sampled(void **state) {
  (void)state;
  toy_field f = toy_make(8);
  assert_int_equal(f.q, 65281);
  unsigned combos = toy_reduce_exhaustive(&f, 251);
  uint64_t words = f.mask + 1;
  const uint64_t his[] = {0, 1, 0xFF, 0x100, 0x1FF, 0xFF00, 0xFEFF, 0xFF01, 0xFFFE, 0xFFFF};
  for (size_t i = 0; i < sizeof his / sizeof his[0]; i++) {
    uint64_t hi = his[i];
    for (uint64_t lo = 0; lo < words; lo++) {
      unsigned br;
      uint64_t want = ((hi << 16) + lo) % f.q;
      assert_int_equal(toy_reduce(&f, lo, hi, &br), want);
      combos |= 1u << br;
    }
  }
  assert_true(combos & (1u << (BR_BORROW | BR_CARRY)));
  assert_true(combos & (1u << (BR_BORROW | BR_FINAL)));
  assert_true(combos & (1u << BR_CARRY));
  assert_false(combos & (1u << (BR_CARRY | BR_FINAL)));
  /* A sample of products and sums of elements. */
  uint64_t rng = sm_test_seed() ^ 0x6B38ULL;
  for (int i = 0; i < 100000; i++) {
    uint64_t a = sm_test_next(&rng) % f.q, b = sm_test_next(&rng) % f.q;
    assert_int_equal(toy_mul(&f, a, b), (a * b) % f.q);
    assert_int_equal(toy_add(&f, a, b), (a + b) % f.q);
    assert_int_equal(toy_sub(&f, a, b), (a + f.q - b) % f.q);
  }
}

static void toy_k8_reduce_exhaustive_slow(void **state) {
  (void)state;
  toy_field f = toy_make(8);
  unsigned combos = toy_reduce_exhaustive(&f, 1);
  assert_false(combos & (1u << (BR_CARRY | BR_FINAL)));
}

/* ---- Constants ----------------------------------------------------------------------- */

/* p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537, each factor prime (checked with BN). */
static const uint64_t odd_primes_of_p_minus_1[] = {3, 5, 17, 257, 65537};

static void p_minus_1_factorisation(void **state) {
  (void)state;
  bn_setup();
  BIGNUM *prod = bn_u64(1ULL << 32), *pm1 = bn_u64(GL_P - 1);
  for (size_t i = 0; i < 5; i++) {
    BIGNUM *q = bn_u64(odd_primes_of_p_minus_1[i]);
    assert_int_equal(BN_check_prime(q, bn_ctx, NULL), 1);
    assert_true(BN_mul(prod, prod, q, bn_ctx));
    BN_free(q);
  }
  assert_int_equal(BN_cmp(prod, pm1), 0);
  BN_free(prod), BN_free(pm1);
  assert_int_equal(BN_check_prime(bn_p, bn_ctx, NULL), 1);
  /* 6700417 divides 2^32 + 1, not p - 1 = 2^32 (2^32 - 1). */
  assert_int_not_equal((GL_P - 1) % 6700417ULL, 0);
}

static void generator_generates(void **state) {
  (void)state;
  bn_setup();
  assert_int_not_equal(ref_exp(GL_GENERATOR, (GL_P - 1) / 2), 1);
  for (size_t i = 0; i < 5; i++) {
    uint64_t q = odd_primes_of_p_minus_1[i];
    assert_int_not_equal(ref_exp(GL_GENERATOR, (GL_P - 1) / q), 1);
    assert_int_not_equal(gl_exp(GL_GENERATOR, (GL_P - 1) / q), 1);
  }
  assert_int_equal(gl_exp(GL_GENERATOR, GL_P - 1), 1);
}

/* w has multiplicative order exactly 2^k: w^(2^k) = 1 and, for k > 0, w^(2^(k-1)) = -1. */
static void assert_order_pow2(gl_t w, unsigned k) {
  gl_t x = w;
  for (unsigned i = 1; i < k; i++) x = gl_sqr(x);
  if (k == 0) {
    assert_int_equal(w, 1);
    return;
  }
  assert_int_equal(x, GL_P - 1); /* w^(2^(k-1)); its square is 1 */
  assert_int_equal(gl_sqr(x), 1);
}

static void roots_of_unity(void **state) {
  (void)state;
  bn_setup();
  assert_int_equal(GL_ROOT_2_32, ref_exp(GL_GENERATOR, (GL_P - 1) >> 32));
  assert_order_pow2(GL_ROOT_2_32, 32);
  for (unsigned k = 0; k <= 32; k++) {
    gl_t w = gl_root_of_unity(k);
    assert_int_equal(w, ref_exp(GL_ROOT_2_32, 1ULL << (32 - k)));
    assert_order_pow2(w, k);
  }
}

static void cube_roots_and_irreducibility(void **state) {
  (void)state;
  bn_setup();
  uint64_t c = ref_exp(GL_GENERATOR, (GL_P - 1) / 3);
  assert_int_equal(GL_CUBE_ROOT_1, c);
  assert_int_equal(GL_CUBE_ROOT_2, ref_mul(c, c));
  /* 7 is not a cube (its (p-1)/3 power is not 1), so X^3 - 7 has no root in F_p and,
   * being a cubic, is irreducible. */
  assert_int_not_equal(c, 1);
  assert_int_equal(ref_exp(GL3_W, (GL_P - 1) / 3), c);
  assert_int_equal(ref_mul(c, ref_mul(c, c)), 1);
}

/* ---- Batch inversion ----------------------------------------------------------------- */

static void batch_inv(void **state) {
  (void)state;
  bn_setup();
  uint64_t rng = sm_test_seed() ^ 0x62696E76ULL;
  enum { N = 67 };
  gl_t in[N], out[N], scratch[N];
  for (size_t n = 0; n <= N; n++) {
    for (size_t i = 0; i < n; i++) {
      uint64_t r = sm_test_next(&rng);
      in[i] = (r & 3) == 0 ? 0 : rand_gl(&rng); /* about a quarter zeros */
    }
    if (n > 0 && n % 5 == 0) in[n - 1] = 0;
    if (n > 1 && n % 7 == 0) in[0] = 0;
    memset(out, 0xAA, sizeof out);
    sm_gl_batch_inv(out, in, n, scratch);
    for (size_t i = 0; i < n; i++) assert_int_equal(out[i], ref_inv(in[i]));
    for (size_t i = n; i < N; i++) assert_int_equal(out[i], 0xAAAAAAAAAAAAAAAAULL);
    /* In place (out == in). */
    gl_t copy[N];
    memcpy(copy, in, sizeof copy);
    sm_gl_batch_inv(copy, copy, n, scratch);
    for (size_t i = 0; i < n; i++) assert_int_equal(copy[i], out[i]);
  }
  /* n = 0 touches nothing (NULL buffers are fine). */
  sm_gl_batch_inv(NULL, NULL, 0, NULL);
  /* n = 1, nonzero and zero; all zeros. */
  gl_t one = 2, s1;
  sm_gl_batch_inv(&one, &one, 1, &s1);
  assert_int_equal(one, (GL_P + 1) / 2);
  gl_t zero = 0;
  sm_gl_batch_inv(&zero, &zero, 1, &s1);
  assert_int_equal(zero, 0);
  gl_t zeros[4] = {0, 0, 0, 0};
  sm_gl_batch_inv(zeros, zeros, 4, scratch);
  for (int i = 0; i < 4; i++) assert_int_equal(zeros[i], 0);
}

/* ---- Cubic extension ----------------------------------------------------------------- */

static gl3_t rand_gl3(uint64_t *rng) {
  gl3_t a = {{rand_gl(rng), rand_gl(rng), rand_gl(rng)}};
  return a;
}

/* (a0 + a1 X + a2 X^2)(b0 + b1 X + b2 X^2) mod (X^3 - 7, p), on integers, one reduction. */
static gl3_t ref_gl3_mul(gl3_t a, gl3_t b) {
  BIGNUM *c[5], *t = bn_new(), *w = bn_u64(GL3_W);
  for (int i = 0; i < 5; i++) {
    c[i] = bn_new();
    BN_zero(c[i]);
  }
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++) {
      BIGNUM *x = bn_u64(a.v[i]), *y = bn_u64(b.v[j]);
      assert_true(BN_mul(t, x, y, bn_ctx));
      assert_true(BN_add(c[i + j], c[i + j], t));
      BN_free(x), BN_free(y);
    }
  }
  /* X^3 = 7 and X^4 = 7X. */
  for (int i = 3; i < 5; i++) {
    assert_true(BN_mul(t, c[i], w, bn_ctx));
    assert_true(BN_add(c[i - 3], c[i - 3], t));
  }
  gl3_t r;
  for (int i = 0; i < 3; i++) {
    assert_true(BN_nnmod(t, c[i], bn_p, bn_ctx));
    r.v[i] = bn_get_u64(t);
  }
  for (int i = 0; i < 5; i++) BN_free(c[i]);
  BN_free(t), BN_free(w);
  return r;
}

static void assert_gl3_equal(gl3_t a, gl3_t b) {
  for (int i = 0; i < 3; i++) assert_int_equal(a.v[i], b.v[i]);
}

static void gl3_mul_vs_bn(void **state) {
  (void)state;
  bn_setup();
  uint64_t rng = sm_test_seed() ^ 0x676C33ULL;
  const gl3_t fixed[] = {
      {{0, 0, 0}}, {{1, 0, 0}}, {{0, 1, 0}}, {{0, 0, 1}},
      {{GL_P - 1, GL_P - 1, GL_P - 1}}, {{GL_P - 2, 1ULL << 63, GL_EPSILON}},
  };
  size_t nf = sizeof fixed / sizeof fixed[0];
  for (size_t i = 0; i < nf; i++) {
    for (size_t j = 0; j < nf; j++) {
      assert_gl3_equal(gl3_mul(fixed[i], fixed[j]), ref_gl3_mul(fixed[i], fixed[j]));
    }
  }
  /* X * X^2 = X^3 = 7. */
  assert_gl3_equal(gl3_mul(fixed[2], fixed[3]), gl3_from_base(7));
  for (int i = 0; i < 2000; i++) {
    gl3_t a = rand_gl3(&rng), b = rand_gl3(&rng);
    assert_gl3_equal(gl3_mul(a, b), ref_gl3_mul(a, b));
    assert_gl3_equal(gl3_sqr(a), ref_gl3_mul(a, a));
    gl_t s = rand_gl(&rng);
    assert_gl3_equal(gl3_mul_base(a, s), ref_gl3_mul(a, gl3_from_base(s)));
    gl3_t sum = gl3_add(a, b), diff = gl3_sub(a, b), neg = gl3_neg(a);
    for (int k = 0; k < 3; k++) {
      assert_int_equal(sum.v[k], ref_add(a.v[k], b.v[k]));
      assert_int_equal(diff.v[k], ref_sub(a.v[k], b.v[k]));
      assert_int_equal(neg.v[k], ref_sub(0, a.v[k]));
    }
  }
  /* The product's pieces: W x and three-term dot products (every carry count 0..2, on
     the edge values, whose products come closest to 2^128). */
  for (size_t i = 0; i < N_EDGES; i++) {
    assert_int_equal(gl_mul_w(edges[i]), ref_mul(edges[i], GL3_W));
    for (size_t j = 0; j < N_EDGES; j++) {
      gl_t x = edges[i], y = edges[j], z = edges[(i + j) % N_EDGES];
      gl_t want = ref_add(ref_add(ref_mul(x, y), ref_mul(y, z)), ref_mul(z, x));
      assert_int_equal(gl_dot3(x, y, y, z, z, x), want);
    }
  }
}

static void gl3_ring_axioms(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x72696E67ULL;
  gl3_t one = gl3_from_base(1), zero = gl3_from_base(0);
  for (int i = 0; i < 2000; i++) {
    gl3_t a = rand_gl3(&rng), b = rand_gl3(&rng), c = rand_gl3(&rng);
    assert_gl3_equal(gl3_mul(gl3_mul(a, b), c), gl3_mul(a, gl3_mul(b, c)));
    assert_gl3_equal(gl3_mul(a, b), gl3_mul(b, a));
    assert_gl3_equal(gl3_mul(a, gl3_add(b, c)), gl3_add(gl3_mul(a, b), gl3_mul(a, c)));
    assert_gl3_equal(gl3_mul(a, one), a);
    assert_gl3_equal(gl3_mul(a, zero), zero);
    assert_gl3_equal(gl3_add(a, gl3_neg(a)), zero);
    assert_true(gl3_eq(gl3_sub(gl3_add(a, b), b), a));
    gl3_t a2 = a;
    a2.v[i % 3] = gl_add(a2.v[i % 3], 1);
    assert_false(gl3_eq(a, a2));
  }
}

static void gl3_inverse(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x696E7633ULL;
  gl3_t one = gl3_from_base(1), zero = gl3_from_base(0);
  assert_gl3_equal(sm_gl3_inv(zero), zero);
  assert_gl3_equal(sm_gl3_inv(one), one);
  const gl3_t fixed[] = {{{0, 1, 0}}, {{0, 0, 1}}, {{GL_P - 1, 0, 0}},
                         {{GL_P - 1, GL_P - 1, GL_P - 1}}, {{0, 0, GL_P - 1}}};
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
    assert_gl3_equal(gl3_mul(fixed[i], sm_gl3_inv(fixed[i])), one);
  }
  for (int i = 0; i < 500; i++) {
    gl3_t a = rand_gl3(&rng);
    if (gl3_eq(a, zero)) continue;
    gl3_t ai = sm_gl3_inv(a);
    assert_gl3_equal(gl3_mul(a, ai), one);
    assert_gl3_equal(sm_gl3_inv(ai), a);
    /* The norm a * a^p * a^(p^2) lies in F_p. */
    gl3_t f1 = gl3_frobenius(a), f2 = gl3_frobenius(f1);
    gl3_t norm = gl3_mul(a, gl3_mul(f1, f2));
    assert_int_equal(norm.v[1], 0);
    assert_int_equal(norm.v[2], 0);
    assert_int_not_equal(norm.v[0], 0);
  }
  /* Base-field elements invert as in F_p. */
  assert_gl3_equal(sm_gl3_inv(gl3_from_base(7)), gl3_from_base(gl_inv(7)));
}

static void gl3_frobenius_and_exp(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x66726F62ULL;
  gl3_t x = {{0, 1, 0}};
  /* X^p computed by square-and-multiply equals c X with c = 7^((p-1)/3). */
  assert_gl3_equal(sm_gl3_exp(x, GL_P), gl3_frobenius(x));
  for (int i = 0; i < 100; i++) {
    gl3_t a = rand_gl3(&rng), b = rand_gl3(&rng);
    gl3_t f = gl3_frobenius(a);
    assert_gl3_equal(f, sm_gl3_exp(a, GL_P));
    assert_gl3_equal(gl3_frobenius(gl3_frobenius(f)), a);
    assert_gl3_equal(gl3_frobenius(gl3_mul(a, b)), gl3_mul(f, gl3_frobenius(b)));
    /* sm_gl3_exp against repeated multiplication for small exponents. */
    gl3_t acc = gl3_from_base(1);
    for (uint64_t e = 0; e < 9; e++) {
      assert_gl3_equal(sm_gl3_exp(a, e), acc);
      acc = gl3_mul(acc, a);
    }
    /* a^(e1 + e2) = a^e1 * a^e2. */
    uint64_t e1 = sm_test_next(&rng) >> 1, e2 = sm_test_next(&rng) >> 1;
    assert_gl3_equal(sm_gl3_exp(a, e1 + e2), gl3_mul(sm_gl3_exp(a, e1), sm_gl3_exp(a, e2)));
    /* On base-field elements the extension's exp agrees with the base field's. */
    gl_t s = rand_gl(&rng);
    assert_gl3_equal(sm_gl3_exp(gl3_from_base(s), e1), gl3_from_base(gl_exp(s, e1)));
    assert_gl3_equal(gl3_frobenius(gl3_from_base(s)), gl3_from_base(s));
  }
}

SM_TEST_MAIN(cmocka_unit_test(base_edges_vs_bn), cmocka_unit_test(base_random_vs_bn),
             cmocka_unit_test(reduce128_branches_vs_bn),
             cmocka_unit_test(mul_products_hit_branches),
             cmocka_unit_test(toy_k4_reduce_exhaustive), cmocka_unit_test(toy_k4_arith_exhaustive),
             cmocka_unit_test(toy_k8_reduce_sampled),
             cmocka_unit_test(toy_k8_reduce_exhaustive_slow),
             cmocka_unit_test(p_minus_1_factorisation), cmocka_unit_test(generator_generates),
             cmocka_unit_test(roots_of_unity), cmocka_unit_test(cube_roots_and_irreducibility),
             cmocka_unit_test(batch_inv), cmocka_unit_test(gl3_mul_vs_bn),
             cmocka_unit_test(gl3_ring_axioms), cmocka_unit_test(gl3_inverse),
             cmocka_unit_test(gl3_frobenius_and_exp))
