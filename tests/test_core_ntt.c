/*
 * Tests for the NTT, inverse NTT, coset evaluation and coset LDE (core/ntt.h).
 *
 * References are independent of core/ntt.c:
 *  - a naive O(n^2) DFT with w_n = 7^((p-1)/n), computed with gl_mul / gl_exp only, for
 *    every size 2^0..2^10, both directions and all four order combinations;
 *  - for larger sizes (which run the cache-blocked multi-pass code), single outputs
 *    recomputed as O(n) sums at random positions, plus round trips;
 *  - for the LDE and coset evaluation, Horner evaluation of the polynomial at
 *    shift * w_N^bitrev(i), with coefficients from the naive inverse DFT.
 * Every randomized case draws from the printed seed (STARKML_TEST_SEED replays it).
 */
#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/ntt.h"

/* ---- helpers ------------------------------------------------------------------------ */

static uint64_t rng_state;

static void rng_init(void) { rng_state = sm_test_seed(); }

static gl_t rand_gl(void) {
  for (;;) {
    uint64_t x = sm_test_next(&rng_state);
    if (x < GL_P) return x;
  }
}

static void fill_rand(gl_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = rand_gl();
}

static gl_t *xalloc(size_t n) {
  gl_t *p = malloc((n ? n : 1) * sizeof *p);
  assert_non_null(p);
  return p;
}

static sm_ntt_plan *new_plan(unsigned max_log_n, int threads) {
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, max_log_n, threads), STARKML_OK);
  assert_non_null(plan);
  return plan;
}

/* The primitive 2^log_n-th root of unity straight from its definition, 7^((p-1)/2^log_n). */
static gl_t ref_root(unsigned log_n) { return gl_exp(GL_GENERATOR, (GL_P - 1) >> log_n); }

/* 1/2^log_n from its definition (Fermat). */
static gl_t ref_inv_n(unsigned log_n) { return gl_exp((gl_t)1 << log_n, GL_P - 2); }

/*
 * out[k] = scale * sum_j in[j] * w^(j k) for k < n (natural order in and out), w the
 * primitive n-th root (inverse: w^-1 and scale 1/n).
 */
static void naive_dft(gl_t *out, const gl_t *in, unsigned log_n, int inverse) {
  size_t n = (size_t)1 << log_n;
  gl_t w = ref_root(log_n);
  if (inverse) w = gl_exp(w, GL_P - 2);
  gl_t scale = inverse ? ref_inv_n(log_n) : 1;
  gl_t wk = 1;
  for (size_t k = 0; k < n; k++) {
    gl_t acc = 0, p = 1;
    for (size_t j = 0; j < n; j++) {
      acc = gl_add(acc, gl_mul(in[j], p));
      p = gl_mul(p, wk);
    }
    out[k] = gl_mul(acc, scale);
    wk = gl_mul(wk, w);
  }
}

/* One output of the forward DFT: sum_j in[j] w^(j k), O(n). */
static gl_t naive_dft_at(const gl_t *in, unsigned log_n, size_t k) {
  size_t n = (size_t)1 << log_n;
  gl_t x = gl_exp(ref_root(log_n), k), acc = 0, p = 1;
  for (size_t j = 0; j < n; j++) {
    acc = gl_add(acc, gl_mul(in[j], p));
    p = gl_mul(p, x);
  }
  return acc;
}

/* sum_j c[j] x^j by Horner's rule. */
static gl_t horner(const gl_t *c, size_t n, gl_t x) {
  gl_t acc = 0;
  for (size_t j = n; j-- > 0;) acc = gl_add(gl_mul(acc, x), c[j]);
  return acc;
}

/* dst[bitrev(i)] = src[i] (dst != src). */
static void permute(gl_t *dst, const gl_t *src, unsigned log_n) {
  size_t n = (size_t)1 << log_n;
  for (size_t i = 0; i < n; i++) dst[sm_bitrev(i, log_n)] = src[i];
}

static void assert_canonical(const gl_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (x[i] >= GL_P) fail_msg("x[%zu] = %llu is not canonical", i, (unsigned long long)x[i]);
  }
}

static void assert_equal_vec(const gl_t *got, const gl_t *want, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++) {
    if (got[i] != want[i])
      fail_msg("%s: index %zu: got %llu, want %llu", what, i, (unsigned long long)got[i],
               (unsigned long long)want[i]);
  }
}

typedef starkml_status (*xform_fn)(sm_ntt_plan *, gl_t *, size_t, size_t, unsigned, sm_order,
                                   sm_order);

/* ---- against the naive DFT ---------------------------------------------------------- */

/*
 * Every size 2^0..2^10, forward and inverse, all four order combinations: the input in
 * in_order holds x, the output in out_order must hold DFT(x).
 */
static void naive_all_orders(void **state) {
  (void)state;
  rng_init();
  sm_ntt_plan *plan = new_plan(10, 1);
  size_t nmax = 1024;
  gl_t *x = xalloc(nmax), *want = xalloc(nmax), *buf = xalloc(nmax), *tmp = xalloc(nmax);
  for (unsigned log_n = 0; log_n <= 10; log_n++) {
    size_t n = (size_t)1 << log_n;
    fill_rand(x, n);
    for (int inv = 0; inv < 2; inv++) {
      naive_dft(want, x, log_n, inv);
      xform_fn fn = inv ? sm_ntt_inverse : sm_ntt_forward;
      for (int io = 0; io < 2; io++) {
        for (int oo = 0; oo < 2; oo++) {
          if (io) permute(buf, x, log_n); else memcpy(buf, x, n * sizeof *x);
          assert_int_equal(fn(plan, buf, 1, n, log_n, (sm_order)io, (sm_order)oo), STARKML_OK);
          if (oo) {
            permute(tmp, buf, log_n); /* bit reversal is an involution */
            memcpy(buf, tmp, n * sizeof *x);
          }
          char what[64];
          snprintf(what, sizeof what, "%s log_n=%u in=%d out=%d", inv ? "inverse" : "forward",
                   log_n, io, oo);
          assert_equal_vec(buf, want, n, what);
        }
      }
    }
  }
  free(x);
  free(want);
  free(buf);
  free(tmp);
  sm_ntt_plan_free(plan);
}

/* A plan larger than the transform must give the same results (twiddles are shared prefixes). */
static void naive_large_plan(void **state) {
  (void)state;
  rng_init();
  sm_ntt_plan *plan = new_plan(16, 2);
  gl_t x[64], want[64], buf[64];
  for (unsigned log_n = 0; log_n <= 6; log_n++) {
    size_t n = (size_t)1 << log_n;
    fill_rand(x, n);
    naive_dft(want, x, log_n, 0);
    memcpy(buf, x, n * sizeof *x);
    assert_int_equal(sm_ntt_forward(plan, buf, 1, n, log_n, SM_ORDER_NATURAL, SM_ORDER_NATURAL),
                     STARKML_OK);
    assert_equal_vec(buf, want, n, "forward, plan 2^16");
    naive_dft(want, x, log_n, 1);
    memcpy(buf, x, n * sizeof *x);
    assert_int_equal(sm_ntt_inverse(plan, buf, 1, n, log_n, SM_ORDER_NATURAL, SM_ORDER_NATURAL),
                     STARKML_OK);
    assert_equal_vec(buf, want, n, "inverse, plan 2^16");
  }
  sm_ntt_plan_free(plan);
}

/* ---- large sizes: spot checks and round trips --------------------------------------- */

/*
 * Forward natural -> bitrev at 2^log_n, checked at `checks` random positions against O(n)
 * sums, then every other order and the inverse checked by round trips.
 */
static void large_case(unsigned log_n, int threads, int checks) {
  size_t n = (size_t)1 << log_n;
  sm_ntt_plan *plan = new_plan(log_n, threads);
  gl_t *x = xalloc(n), *y = xalloc(n);
  fill_rand(x, n);
  x[0] = GL_P - 1; /* an edge value in the mix */
  memcpy(y, x, n * sizeof *x);
  assert_int_equal(sm_ntt_forward(plan, y, 1, n, log_n, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_OK);
  assert_canonical(y, n);
  for (int t = 0; t < checks; t++) {
    size_t pos = t == 0 ? 0 : t == 1 ? n - 1 : (size_t)(sm_test_next(&rng_state) % n);
    gl_t want = naive_dft_at(x, log_n, sm_bitrev(pos, log_n));
    if (y[pos] != want) fail_msg("log_n=%u forward pos %zu wrong", log_n, pos);
  }
  /* inverse(bitrev -> natural) undoes it. */
  assert_int_equal(sm_ntt_inverse(plan, y, 1, n, log_n, SM_ORDER_BITREV, SM_ORDER_NATURAL),
                   STARKML_OK);
  assert_equal_vec(y, x, n, "inverse(forward) bitrev path");
  /* forward bitrev -> natural, then inverse natural -> bitrev, on a bit-reversed input. */
  assert_int_equal(sm_ntt_forward(plan, y, 1, n, log_n, SM_ORDER_BITREV, SM_ORDER_NATURAL),
                   STARKML_OK);
  assert_canonical(y, n);
  size_t pos = (size_t)(sm_test_next(&rng_state) % n);
  gl_t *xr = xalloc(n);
  permute(xr, x, log_n); /* y came from x read as bit-reversed: natural input is xr */
  if (y[pos] != naive_dft_at(xr, log_n, pos)) fail_msg("log_n=%u bitrev->natural wrong", log_n);
  assert_int_equal(sm_ntt_inverse(plan, y, 1, n, log_n, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_OK);
  assert_equal_vec(y, x, n, "inverse(forward) natural path");
  /* natural -> natural both ways, and bitrev -> bitrev both ways. */
  for (int o = 0; o < 2; o++) {
    assert_int_equal(sm_ntt_forward(plan, y, 1, n, log_n, (sm_order)o, (sm_order)o), STARKML_OK);
    assert_int_equal(sm_ntt_inverse(plan, y, 1, n, log_n, (sm_order)o, (sm_order)o), STARKML_OK);
    assert_equal_vec(y, x, n, o ? "round trip bitrev->bitrev" : "round trip natural->natural");
  }
  free(xr);
  free(x);
  free(y);
  sm_ntt_plan_free(plan);
}

/* 2^13 (one top stage + bottom), 2^16 and 2^18 (multi-stage top pass), on 1 and 2 threads. */
static void large_spot_and_roundtrip(void **state) {
  (void)state;
  rng_init();
  for (unsigned log_n = 11; log_n <= 18; log_n++) large_case(log_n, 1 + (int)(log_n & 1), 4);
}

/* 2^20 .. 2^22 and 2^25 (two top passes). */
static void large_spot_and_roundtrip_slow(void **state) {
  (void)state;
  rng_init();
  large_case(20, 2, 3);
  large_case(22, 2, 2);
  large_case(25, 2, 1);
}

/* ---- batches ------------------------------------------------------------------------ */

/*
 * Columns at a stride larger than n: each column is transformed independently and the gap
 * between columns is left untouched. Exercises whole-column threading (ncols >= threads)
 * and the leftover column that runs with split passes.
 */
static void batch_stride(void **state) {
  (void)state;
  rng_init();
  const gl_t sentinel = 0x0123456789ABCDEFULL;
  unsigned sizes[] = {3, 10, 14};
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    unsigned log_n = sizes[si];
    size_t n = (size_t)1 << log_n, stride = n + 5, ncols = 5;
    sm_ntt_plan *plan = new_plan(log_n, 2);
    gl_t *data = xalloc(ncols * stride), *orig = xalloc(ncols * stride), *col = xalloc(n);
    for (size_t i = 0; i < ncols * stride; i++) data[i] = sentinel;
    for (size_t c = 0; c < ncols; c++) fill_rand(data + c * stride, n);
    memcpy(orig, data, ncols * stride * sizeof *data);
    assert_int_equal(
        sm_ntt_forward(plan, data, ncols, stride, log_n, SM_ORDER_NATURAL, SM_ORDER_BITREV),
        STARKML_OK);
    for (size_t c = 0; c < ncols; c++) {
      memcpy(col, orig + c * stride, n * sizeof *col);
      assert_int_equal(sm_ntt_forward(plan, col, 1, n, log_n, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                       STARKML_OK);
      assert_equal_vec(data + c * stride, col, n, "batch column vs single column");
      if (n <= 1024) {
        gl_t *want = xalloc(n);
        naive_dft(want, orig + c * stride, log_n, 0);
        permute(col, want, log_n);
        assert_equal_vec(data + c * stride, col, n, "batch column vs naive");
        free(want);
      }
      for (size_t i = n; i < stride && c + 1 < ncols; i++)
        assert_true(data[c * stride + i] == sentinel);
    }
    assert_int_equal(
        sm_ntt_inverse(plan, data, ncols, stride, log_n, SM_ORDER_BITREV, SM_ORDER_NATURAL),
        STARKML_OK);
    assert_equal_vec(data, orig, ncols * stride, "batch round trip");
    free(data);
    free(orig);
    free(col);
    sm_ntt_plan_free(plan);
  }
}

/* ---- LDE and coset evaluation ------------------------------------------------------- */

/* want[i] = f(shift * w_N^bitrev(i)) for f given by coefficients c[0..nc). */
static void ref_coset_eval(gl_t *want, const gl_t *c, size_t nc, unsigned log_N, gl_t shift) {
  size_t N = (size_t)1 << log_N;
  gl_t w = ref_root(log_N);
  for (size_t i = 0; i < N; i++)
    want[i] = horner(c, nc, gl_mul(shift, gl_exp(w, sm_bitrev(i, log_N))));
}

/* LDE of small sizes against Horner on the interpolant (coefficients by the naive inverse DFT). */
static void lde_small(void **state) {
  (void)state;
  rng_init();
  sm_ntt_plan *plan = new_plan(9, 2);
  gl_t *in = xalloc(64), *coef = xalloc(64), *out = xalloc(512), *want = xalloc(512);
  for (unsigned log_n = 0; log_n <= 6; log_n++) {
    size_t n = (size_t)1 << log_n;
    for (unsigned lb = 0; lb <= 3; lb++) {
      unsigned log_N = log_n + lb;
      size_t N = (size_t)1 << log_N;
      gl_t shifts[3] = {GL_GENERATOR, 1, rand_gl()};
      for (int s = 0; s < 3; s++) {
        fill_rand(in, n);
        naive_dft(coef, in, log_n, 1);
        ref_coset_eval(want, coef, n, log_N, shifts[s]);
        assert_int_equal(sm_lde(plan, out, N, in, n, 1, log_n, lb, shifts[s]), STARKML_OK);
        char what[64];
        snprintf(what, sizeof what, "lde log_n=%u blowup=%u shift#%d", log_n, lb, s);
        assert_equal_vec(out, want, N, what);
      }
    }
  }
  free(in);
  free(coef);
  free(out);
  free(want);
  sm_ntt_plan_free(plan);
}

/*
 * LDE of a batch at 2^14 -> 2^17 (the multi-pass path): random coefficients c, their
 * evaluations on <w_n> from the (separately tested) forward NTT, then LDE outputs checked
 * by Horner at random positions.
 */
static void lde_batch_spot(void **state) {
  (void)state;
  rng_init();
  unsigned log_n = 14, lb = 3, log_N = log_n + lb;
  size_t n = (size_t)1 << log_n, N = (size_t)1 << log_N, ncols = 3;
  size_t in_stride = n + 3, out_stride = N + 7;
  sm_ntt_plan *plan = new_plan(log_N, 2);
  gl_t *coef = xalloc(ncols * n), *in = xalloc(ncols * in_stride), *out = xalloc(ncols * out_stride);
  gl_t shift = rand_gl();
  for (size_t c = 0; c < ncols; c++) {
    fill_rand(coef + c * n, n);
    memcpy(in + c * in_stride, coef + c * n, n * sizeof *in);
  }
  assert_int_equal(
      sm_ntt_forward(plan, in, ncols, in_stride, log_n, SM_ORDER_NATURAL, SM_ORDER_NATURAL),
      STARKML_OK);
  assert_int_equal(sm_lde(plan, out, out_stride, in, in_stride, ncols, log_n, lb, shift),
                   STARKML_OK);
  gl_t w = ref_root(log_N);
  for (size_t c = 0; c < ncols; c++) {
    assert_canonical(out + c * out_stride, N);
    for (int t = 0; t < 6; t++) {
      size_t i = t == 0 ? 0 : t == 1 ? N - 1 : (size_t)(sm_test_next(&rng_state) % N);
      gl_t x = gl_mul(shift, gl_exp(w, sm_bitrev(i, log_N)));
      if (out[c * out_stride + i] != horner(coef + c * n, n, x))
        fail_msg("lde column %zu position %zu wrong", c, i);
    }
  }
  /* The single-column path (passes split between threads) must agree with the batch. */
  gl_t *one = xalloc(N);
  assert_int_equal(sm_lde(plan, one, N, in + in_stride, n, 1, log_n, lb, shift), STARKML_OK);
  assert_equal_vec(one, out + out_stride, N, "lde single column vs batch");
  free(one);
  free(coef);
  free(in);
  free(out);
  sm_ntt_plan_free(plan);
}

/* sm_coset_eval with every n_coeffs <= N for small N, including non-powers of two and 0. */
static void coset_eval_small(void **state) {
  (void)state;
  rng_init();
  sm_ntt_plan *plan = new_plan(7, 1);
  gl_t *coef = xalloc(128), *out = xalloc(128), *want = xalloc(128);
  for (unsigned log_N = 0; log_N <= 7; log_N++) {
    size_t N = (size_t)1 << log_N;
    for (size_t nc = 0; nc <= N; nc += (nc < 10 ? 1 : 7)) {
      gl_t shift = nc & 1 ? GL_GENERATOR : rand_gl();
      fill_rand(coef, nc);
      ref_coset_eval(want, coef, nc, log_N, shift);
      for (size_t i = 0; i < N; i++) out[i] = GL_P - 1; /* garbage to overwrite */
      assert_int_equal(sm_coset_eval(plan, out, N, coef, nc, nc, 1, log_N, shift), STARKML_OK);
      char what[64];
      snprintf(what, sizeof what, "coset_eval log_N=%u n_coeffs=%zu", log_N, nc);
      assert_equal_vec(out, want, N, what);
    }
  }
  free(coef);
  free(out);
  free(want);
  sm_ntt_plan_free(plan);
}

/* coset_eval batch at 2^16 outputs from 3000 coefficients (multi-pass, replicated blocks). */
static void coset_eval_batch_spot(void **state) {
  (void)state;
  rng_init();
  unsigned log_N = 16;
  size_t N = (size_t)1 << log_N, nc = 3000, ncols = 3, cs = nc + 1, os = N + 1;
  sm_ntt_plan *plan = new_plan(log_N, 2);
  gl_t *coef = xalloc(ncols * cs), *out = xalloc(ncols * os);
  fill_rand(coef, ncols * cs);
  gl_t shift = rand_gl(), w = ref_root(log_N);
  assert_int_equal(sm_coset_eval(plan, out, os, coef, cs, nc, ncols, log_N, shift), STARKML_OK);
  for (size_t c = 0; c < ncols; c++) {
    for (int t = 0; t < 8; t++) {
      size_t i = t == 0 ? 0 : (size_t)(sm_test_next(&rng_state) % N);
      gl_t x = gl_mul(shift, gl_exp(w, sm_bitrev(i, log_N)));
      if (out[c * os + i] != horner(coef + c * cs, nc, x))
        fail_msg("coset_eval column %zu position %zu wrong", c, i);
    }
  }
  free(coef);
  free(out);
  sm_ntt_plan_free(plan);
}

/* ---- threads ------------------------------------------------------------------------ */

/*
 * Every entry point gives bit-identical results on 1 and 2 threads, for one column (passes
 * split between threads) and for batches (columns split between threads).
 */
static void threads_identical(void **state) {
  (void)state;
  rng_init();
  unsigned log_n = 15, lb = 2;
  size_t n = (size_t)1 << log_n, N = n << lb;
  sm_ntt_plan *p1 = new_plan(log_n + lb, 1), *p2 = new_plan(log_n + lb, 2);
  for (size_t ncols = 1; ncols <= 3; ncols++) {
    gl_t *x = xalloc(ncols * n), *a = xalloc(ncols * N), *b = xalloc(ncols * N);
    fill_rand(x, ncols * n);
    for (int inv = 0; inv < 2; inv++) {
      xform_fn fn = inv ? sm_ntt_inverse : sm_ntt_forward;
      for (int io = 0; io < 2; io++) {
        for (int oo = 0; oo < 2; oo++) {
          memcpy(a, x, ncols * n * sizeof *x);
          memcpy(b, x, ncols * n * sizeof *x);
          assert_int_equal(fn(p1, a, ncols, n, log_n, (sm_order)io, (sm_order)oo), STARKML_OK);
          assert_int_equal(fn(p2, b, ncols, n, log_n, (sm_order)io, (sm_order)oo), STARKML_OK);
          assert_equal_vec(a, b, ncols * n, "transform, 1 vs 2 threads");
        }
      }
    }
    gl_t shift = rand_gl();
    assert_int_equal(sm_lde(p1, a, N, x, n, ncols, log_n, lb, shift), STARKML_OK);
    assert_int_equal(sm_lde(p2, b, N, x, n, ncols, log_n, lb, shift), STARKML_OK);
    assert_equal_vec(a, b, ncols * N, "lde, 1 vs 2 threads");
    assert_int_equal(sm_coset_eval(p1, a, N, x, n, n - 7, ncols, log_n + lb, shift), STARKML_OK);
    assert_int_equal(sm_coset_eval(p2, b, N, x, n, n - 7, ncols, log_n + lb, shift), STARKML_OK);
    assert_equal_vec(a, b, ncols * N, "coset_eval, 1 vs 2 threads");
    free(x);
    free(a);
    free(b);
  }
  sm_ntt_plan_free(p1);
  sm_ntt_plan_free(p2);
}

/* ---- edge values and known transforms ----------------------------------------------- */

/*
 * Known transforms, at sizes on both sides of the blocking threshold: all ones -> n at
 * index 0 (both orders put DFT index 0 at position 0) and zero elsewhere; an impulse at 0
 * -> all ones; all zeros -> all zeros; all p - 1 -> -n at index 0. Inverses likewise.
 */
static void known_transforms(void **state) {
  (void)state;
  unsigned sizes[] = {0, 1, 2, 5, 12, 13, 16};
  sm_ntt_plan *plan = new_plan(16, 2);
  gl_t *x = xalloc((size_t)1 << 16);
  for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
    unsigned log_n = sizes[si];
    size_t n = (size_t)1 << log_n;
    gl_t nn = (gl_t)n % GL_P, n_inv = ref_inv_n(log_n);
    for (int o = 0; o < 2; o++) {
      sm_order out = (sm_order)o;
      /* all ones -> n * delta_0 */
      for (size_t i = 0; i < n; i++) x[i] = 1;
      assert_int_equal(sm_ntt_forward(plan, x, 1, n, log_n, SM_ORDER_NATURAL, out), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == (i == 0 ? nn : 0));
      /* and back */
      assert_int_equal(sm_ntt_inverse(plan, x, 1, n, log_n, out, SM_ORDER_NATURAL), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == 1);
      /* impulse at 0 -> all ones; inverse of an impulse -> all 1/n */
      for (size_t i = 0; i < n; i++) x[i] = i == 0;
      assert_int_equal(sm_ntt_forward(plan, x, 1, n, log_n, SM_ORDER_NATURAL, out), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == 1);
      for (size_t i = 0; i < n; i++) x[i] = i == 0;
      assert_int_equal(sm_ntt_inverse(plan, x, 1, n, log_n, SM_ORDER_NATURAL, out), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == n_inv);
      /* zeros -> zeros */
      memset(x, 0, n * sizeof *x);
      assert_int_equal(sm_ntt_forward(plan, x, 1, n, log_n, SM_ORDER_NATURAL, out), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == 0);
      /* all p - 1 -> -n * delta_0, canonical */
      for (size_t i = 0; i < n; i++) x[i] = GL_P - 1;
      assert_int_equal(sm_ntt_forward(plan, x, 1, n, log_n, SM_ORDER_NATURAL, out), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == (i == 0 ? gl_neg(nn) : 0));
      assert_int_equal(sm_ntt_inverse(plan, x, 1, n, log_n, out, SM_ORDER_NATURAL), STARKML_OK);
      for (size_t i = 0; i < n; i++) assert_true(x[i] == GL_P - 1);
    }
  }
  /* LDE of a constant is that constant everywhere; of all p - 1 likewise. */
  gl_t in[16], out[128];
  for (int v = 0; v < 2; v++) {
    for (size_t i = 0; i < 16; i++) in[i] = v ? GL_P - 1 : 5;
    assert_int_equal(sm_lde(plan, out, 128, in, 16, 1, 4, 3, GL_GENERATOR), STARKML_OK);
    for (size_t i = 0; i < 128; i++) assert_true(out[i] == in[0]);
  }
  free(x);
  sm_ntt_plan_free(plan);
}

/*
 * Inputs drawn from values next to 0, p and 2^32 make the lazy (non-canonical) sums of the
 * CT kernels land on or above p, e.g. (p - 1) + 1 = p; every output must still equal the
 * naive DFT, which is canonical. Sizes up to 2^6 reach the vectorized kernels.
 */
static void lazy_reduction_edges(void **state) {
  (void)state;
  rng_init();
  static const gl_t edge[] = {0, 1, 2, GL_P - 1, GL_P - 2, GL_EPSILON, GL_EPSILON + 1,
                              GL_EPSILON + 2, GL_P - GL_EPSILON, 0x100000000ULL,
                              0xFFFFFFFE00000000ULL};
  sm_ntt_plan *plan = new_plan(6, 1);
  gl_t x[64], want[64], buf[64], tmp[64];
  for (unsigned log_n = 1; log_n <= 6; log_n++) {
    size_t n = (size_t)1 << log_n;
    for (int trial = 0; trial < (log_n <= 3 ? 400 : 60); trial++) {
      for (size_t i = 0; i < n; i++)
        x[i] = edge[sm_test_next(&rng_state) % (sizeof edge / sizeof edge[0])];
      for (int inv = 0; inv < 2; inv++) {
        naive_dft(want, x, log_n, inv);
        memcpy(buf, x, n * sizeof *x);
        xform_fn fn = inv ? sm_ntt_inverse : sm_ntt_forward;
        assert_int_equal(fn(plan, buf, 1, n, log_n, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                         STARKML_OK);
        permute(tmp, buf, log_n);
        assert_equal_vec(tmp, want, n, inv ? "inverse, edge inputs" : "forward, edge inputs");
        permute(buf, x, log_n);
        assert_int_equal(fn(plan, buf, 1, n, log_n, SM_ORDER_BITREV, SM_ORDER_NATURAL),
                         STARKML_OK);
        assert_equal_vec(buf, want, n, inv ? "inverse GS, edge inputs" : "forward GS, edge inputs");
      }
    }
  }
  sm_ntt_plan_free(plan);
}

/* log_n = 0: every transform is the identity, the LDE of one value is constant. */
static void log_n_zero(void **state) {
  (void)state;
  sm_ntt_plan *plan = new_plan(0, 2);
  gl_t x[3] = {GL_P - 1, 42, 7};
  for (int o = 0; o < 4; o++) {
    assert_int_equal(sm_ntt_forward(plan, x, 3, 1, 0, (sm_order)(o & 1), (sm_order)(o >> 1)),
                     STARKML_OK);
    assert_int_equal(sm_ntt_inverse(plan, x, 3, 1, 0, (sm_order)(o & 1), (sm_order)(o >> 1)),
                     STARKML_OK);
  }
  assert_true(x[0] == GL_P - 1 && x[1] == 42 && x[2] == 7);
  gl_t out[3] = {0, 0, 0};
  assert_int_equal(sm_lde(plan, out, 1, x, 1, 3, 0, 0, GL_GENERATOR), STARKML_OK);
  assert_true(out[0] == GL_P - 1 && out[1] == 42 && out[2] == 7);
  assert_int_equal(sm_coset_eval(plan, out, 1, x, 1, 1, 3, 0, 3), STARKML_OK);
  assert_true(out[0] == GL_P - 1 && out[1] == 42 && out[2] == 7);
  assert_int_equal(sm_coset_eval(plan, out, 1, x, 1, 0, 3, 0, 3), STARKML_OK);
  assert_true(out[0] == 0 && out[1] == 0 && out[2] == 0);
  sm_ntt_plan_free(plan);
}

/* ---- errors ------------------------------------------------------------------------- */

static void bad_arguments(void **state) {
  (void)state;
  sm_ntt_plan *plan = (sm_ntt_plan *)&plan; /* must be overwritten with NULL on failure */
  assert_int_equal(sm_ntt_plan_create(&plan, SM_NTT_MAX_LOG_N + 1, 1), STARKML_ERR_ARG);
  assert_null(plan);
  assert_int_equal(sm_ntt_plan_create(&plan, 4, 0), STARKML_ERR_ARG);
  assert_null(plan);
  assert_int_equal(sm_ntt_plan_create(NULL, 4, 1), STARKML_ERR_ARG);
  plan = new_plan(4, 1);
  gl_t x[64] = {0}, y[256] = {0};
  /* sizes beyond the plan */
  assert_int_equal(sm_ntt_forward(plan, x, 1, 32, 5, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_ntt_inverse(plan, x, 1, 32, 5, SM_ORDER_BITREV, SM_ORDER_NATURAL),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 32, x, 16, 1, 4, 1, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 32, x, 16, 1, 5, 0, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 32, x, 16, 1, 1, UINT32_MAX, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_coset_eval(plan, y, 32, x, 16, 16, 1, 5, GL_GENERATOR), STARKML_ERR_ARG);
  /* NULL plan / data, bad order values */
  assert_int_equal(sm_ntt_forward(NULL, x, 1, 16, 4, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_ntt_forward(plan, NULL, 1, 16, 4, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_ntt_forward(plan, x, 1, 16, 4, (sm_order)2, SM_ORDER_BITREV),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_ntt_inverse(plan, x, 1, 16, 4, SM_ORDER_NATURAL, (sm_order)-1),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_lde(NULL, y, 32, x, 16, 1, 4, 0, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, NULL, 32, x, 16, 1, 4, 0, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 32, NULL, 16, 1, 4, 0, GL_GENERATOR), STARKML_ERR_ARG);
  /* column strides shorter than a column */
  assert_int_equal(sm_ntt_forward(plan, x, 2, 15, 4, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 15, x, 8, 2, 3, 1, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 16, x, 7, 2, 3, 1, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_coset_eval(plan, y, 15, x, 8, 8, 2, 4, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_coset_eval(plan, y, 16, x, 7, 8, 2, 4, GL_GENERATOR), STARKML_ERR_ARG);
  /* too many coefficients, non-canonical shift, overlapping input and output */
  assert_int_equal(sm_coset_eval(plan, y, 16, x, 17, 17, 1, 4, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_coset_eval(plan, y, 16, x, 16, 16, 1, 4, GL_P), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 16, x, 8, 1, 3, 1, GL_P), STARKML_ERR_ARG);
  assert_int_equal(sm_lde(plan, y, 16, y + 8, 8, 1, 3, 1, GL_GENERATOR), STARKML_ERR_ARG);
  assert_int_equal(sm_coset_eval(plan, y, 16, y + 15, 4, 4, 1, 4, GL_GENERATOR), STARKML_ERR_ARG);
  /* nothing to do is fine */
  assert_int_equal(sm_ntt_forward(plan, NULL, 0, 0, 4, SM_ORDER_NATURAL, SM_ORDER_BITREV),
                   STARKML_OK);
  sm_ntt_plan_free(plan);
  sm_ntt_plan_free(NULL);
}

SM_TEST_MAIN(cmocka_unit_test(naive_all_orders), cmocka_unit_test(naive_large_plan),
             cmocka_unit_test(large_spot_and_roundtrip),
             cmocka_unit_test(large_spot_and_roundtrip_slow), cmocka_unit_test(batch_stride),
             cmocka_unit_test(lde_small), cmocka_unit_test(lde_batch_spot),
             cmocka_unit_test(coset_eval_small), cmocka_unit_test(coset_eval_batch_spot),
             cmocka_unit_test(threads_identical), cmocka_unit_test(known_transforms),
             cmocka_unit_test(lazy_reduction_edges),
             cmocka_unit_test(log_n_zero), cmocka_unit_test(bad_arguments))
