/*
 * NTT, inverse NTT and coset LDE over Goldilocks (see core/ntt.h for the conventions).
 *
 * Structure. Both transforms are radix-2 networks whose twiddle depends only on the
 * butterfly's BLOCK, never on its position inside the block:
 *
 *  - CT (Cooley-Tukey, natural -> bit-reversed). Stage s has half-size h = n >> (s + 1);
 *    block b covers [2hb, 2h(b + 1)) and maps (x, y) -> (x + c y, x - c y) with
 *    c = tw[b]. Read as polynomial arithmetic, block b holds f mod (X^2h - c^2) and the
 *    butterfly splits it into f mod (X^h - c) and f mod (X^h + c); the leaves are the
 *    evaluations f(w_n^bitrev(i)), which is the bit-reversed forward NTT.
 *  - GS (Gentleman-Sande, bit-reversed -> natural): the exact inverse network, stages in
 *    the opposite order, (x, y) -> (x + y, (x - y) c^-1), without the factors 1/2.
 *
 * With tw[b] = w_2M^bitrev_{log M}(b) for M = 2^(max_log_n - 1), the twiddle of block b
 * is the same for every transform size n <= 2^max_log_n, so ONE table of M entries (and
 * one for the inverse root) serves all sizes and all stages, always read as a prefix:
 *   forward natural -> bitrev  = CT(tw)              forward bitrev -> natural = GS(tw)
 *   inverse natural -> bitrev  = CT(itw) * 1/n        inverse bitrev -> natural = GS(itw) * 1/n
 * (CT with the inverse root is n times the inverse NTT with bit-reversed output, and GS is
 * the unscaled inverse of CT.) The other two order combinations add one in-place
 * bit-reversal pass.
 *
 * Cache blocking. A transform of 2^m elements is cut into passes. The last BOT_LOG stages
 * (blocks of 2^BOT_LOG contiguous elements, 32 KiB) run as the "bottom" pass, block by
 * block, in L1/L2. The remaining high stages are grouped into "top" passes of at most
 * TOP_MAX_LOG stages each: for such a pass over stages [s0, s1) an index splits into
 * (group u: s0 bits | row r: s1 - s0 bits | lane: m - s1 bits); every butterfly of the
 * pass pairs two rows of the same group and lane, and its twiddle depends only on the
 * group and the row block, so a tile of all rows x TOP_LANES adjacent lanes is closed
 * under the pass. A tile is copied into a per-thread scratch buffer (rows are a power of
 * two apart in memory, which would otherwise map them onto a handful of cache sets),
 * transformed there, and copied back. For 2^24 this is two sweeps over memory instead of
 * 24. Stages are fused in pairs (radix-4) inside a pass so each sweep over the cached
 * block does two stages; an odd stage count puts its single radix-2 stage where blocks
 * are widest (first for CT, last for GS), so that the narrowest radix-4 step has quarters
 * of exactly one element, which ct_r4_q1 / gs_r4_q1 vectorize across blocks.
 *
 * Kernels. With AVX2 (x86-64-v3, the project's default target) the butterflies run on
 * four lanes at a time (v_mul_s builds the 128-bit product from four 32 x 32 products and
 * reduces it like gl_reduce128); the portable scalar code below each vector loop handles
 * the remainder and is the whole implementation elsewhere. Both paths are branch-free, so
 * time does not depend on the data.
 *
 * Lazy reduction (CT only). Inside a CT pass values are kept in [0, 2^64), which is
 * enough to represent every residue, instead of [0, p). The product c * y is reduced to
 * [0, p) (gl_reduce128 accepts any 128-bit input), and the sum and difference with a
 * canonical second operand stay below 2^64 with a single correction (see add_lazy and
 * sub_lazy). The last stage of every CT transform canonicalizes its outputs, so every
 * value a caller sees is in [0, p). GS keeps every value canonical: its butterfly adds two
 * non-product operands, where the lazy bound would not hold.
 *
 * Parallelism (OpenMP, plan->threads). Whole columns go to threads when there are at least
 * as many columns as threads; otherwise the tiles / blocks of each pass are split between
 * threads. Field arithmetic is exact and every output is canonical, so results are
 * bit-identical for every thread count.
 */
#include "core/ntt.h"

#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* log2 of the bottom pass's block: 2^12 elements = 32 KiB, the size of L1d. */
#define BOT_LOG 12u
/* Most stages one top pass does: a tile of 2^12 rows x 8 lanes is 256 KiB, within L2. */
#define TOP_MAX_LOG 12u
/* log2 of the elements of one top-pass tile (and of one thread's scratch buffer). */
#define TILE_LOG 15u
/* Columns below 2^PAR_MIN_LOG elements run on one thread: a fork would cost more. */
#define PAR_MIN_LOG 13u
/* Chunk of the coset-power pass; each chunk starts its powers with one exponentiation. */
#define SPREAD_CHUNK 4096u
/* Bit-reversal tiles are 2^BR_Q x 2^BR_Q elements (two 128-byte runs per row). */
#define BR_Q 4u

/* A top pass of TOP_MAX_LOG stages still gets 8 lanes (one 64-byte line) per row. */
_Static_assert(TILE_LOG >= TOP_MAX_LOG + 3, "top-pass tiles must hold whole cache lines");

struct sm_ntt_plan {
  unsigned max_log_n;
  int threads;
  gl_t *tw;          /* tw[b] = w_2M^bitrev_{log M}(b), b < M = 2^(max_log_n - 1) */
  gl_t *itw;         /* itw[b] = tw[b]^-1 */
  gl_t *scratch;     /* threads tiles of tile_elems elements each */
  size_t tile_elems; /* elements of one thread's tile buffer */
};

/* ---- arithmetic --------------------------------------------------------------------- */

/*
 * a * c reduced to [0, p), for ANY a < 2^64 and c < 2^64: the 128-bit product is a valid
 * input of gl_reduce128, whose output is canonical.
 */
static inline gl_t mul_any(uint64_t a, gl_t c) {
  unsigned __int128 x = (unsigned __int128)a * c;
  return gl_reduce128((uint64_t)x, (uint64_t)(x >> 64));
}

/*
 * a + t (mod p) in [0, 2^64), for any a < 2^64 and canonical t < p. On a carry the true
 * sum is s + 2^64 with s = a + t - 2^64 < t < p; 2^64 = eps (mod p) and s + eps < p + eps
 * = 2^64, so the correction cannot carry again.
 */
static inline uint64_t add_lazy(uint64_t a, gl_t t) {
  uint64_t s = a + t;
  return s + ((uint64_t)(-(uint64_t)(s < t)) & GL_EPSILON);
}

/*
 * a - t (mod p) in [0, 2^64), for any a < 2^64 and canonical t < p. A borrow happens only
 * when a < t < p; then d = a - t + 2^64 > 2^64 - p = eps, and d - eps = a - t + p lies in
 * (0, p), so the correction cannot borrow again.
 */
static inline uint64_t sub_lazy(uint64_t a, gl_t t) {
  uint64_t d = a - t;
  return d - ((uint64_t)(-(uint64_t)(a < t)) & GL_EPSILON);
}

/* Any a < 2^64 < 2p to its canonical representative. */
static inline gl_t canon(uint64_t a) { return a - ((uint64_t)(-(uint64_t)(a >= GL_P)) & GL_P); }

/* ---- AVX2 kernels ------------------------------------------------------------------- */

/*
 * Four lanes of 64-bit values per vector. AVX2 has no unsigned 64-bit compare, so a value
 * "_s" is kept XORed with 2^63 where a compare needs it: then x <u y iff x_s <s y_s, and
 * adding or subtracting an unshifted value commutes with the shift. A compare mask shifted
 * right by 32 is exactly eps = 2^32 - 1, the correction for a carry or a borrow.
 */
#if defined(__AVX2__)
#include <immintrin.h>
#define NTT_AVX2 1

typedef __m256i v4;

static inline v4 v_set1(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
#define V_SIGN v_set1(0x8000000000000000ULL)
#define V_EPS v_set1(GL_EPSILON)
#define V_P v_set1(GL_P)
/* (p XOR 2^63) - 1: r_s > this (signed) iff r >= p. */
#define V_PS_M1 v_set1(0x7FFFFFFF00000000ULL)

static inline v4 v_load(const gl_t *p) { return _mm256_loadu_si256((const __m256i *)(const void *)p); }
static inline void v_store(gl_t *p, v4 x) { _mm256_storeu_si256((__m256i *)(void *)p, x); }

/*
 * y * c reduced to [0, p), returned SHIFTED (XOR 2^63), for any y < 2^64 and c < 2^64
 * (c_hi = c >> 32). Same reduction as gl_reduce128, lane-wise: the 128-bit product is
 * assembled from four 32 x 32 products, then lo - hh (borrow: - eps), + hl * eps (carry:
 * + eps), - p if >= p. The bounds of gl_reduce128 rule out a second borrow or carry.
 */
static inline v4 v_mul_s(v4 y, v4 c, v4 c_hi) {
  v4 y_hi = _mm256_srli_epi64(y, 32);
  v4 ll = _mm256_mul_epu32(y, c), lh = _mm256_mul_epu32(y, c_hi);
  v4 hl = _mm256_mul_epu32(y_hi, c), hh = _mm256_mul_epu32(y_hi, c_hi);
  /* Each partial sum below is < 2^64: (2^32 - 1)^2 + 2 (2^32 - 1) = 2^64 - 1. */
  v4 t0 = _mm256_add_epi64(hl, _mm256_srli_epi64(ll, 32));
  v4 t1 = _mm256_add_epi64(lh, _mm256_and_si256(t0, V_EPS));
  v4 hi = _mm256_add_epi64(_mm256_add_epi64(hh, _mm256_srli_epi64(t0, 32)),
                           _mm256_srli_epi64(t1, 32));
  v4 lo_s = _mm256_xor_si256(_mm256_blend_epi32(ll, _mm256_slli_epi64(t1, 32), 0xAA), V_SIGN);
  v4 r_s = _mm256_sub_epi64(lo_s, _mm256_srli_epi64(hi, 32));
  r_s = _mm256_sub_epi64(r_s, _mm256_srli_epi64(_mm256_cmpgt_epi64(r_s, lo_s), 32));
  v4 u_s = _mm256_add_epi64(r_s, _mm256_mul_epu32(hi, V_EPS));
  u_s = _mm256_add_epi64(u_s, _mm256_srli_epi64(_mm256_cmpgt_epi64(r_s, u_s), 32));
  return _mm256_sub_epi64(u_s, _mm256_and_si256(_mm256_cmpgt_epi64(u_s, V_PS_M1), V_P));
}

/* Unshifted canonical y * c. */
static inline v4 v_mul(v4 y, v4 c, v4 c_hi) { return _mm256_xor_si256(v_mul_s(y, c, c_hi), V_SIGN); }

/* Any a < 2^64 to [0, p). */
static inline v4 v_canon(v4 a) {
  v4 a_s = _mm256_xor_si256(a, V_SIGN);
  return _mm256_sub_epi64(a, _mm256_and_si256(_mm256_cmpgt_epi64(a_s, V_PS_M1), V_P));
}

/* CT butterfly tail: (a + t, a - t), lazy, for any a and canonical t given shifted (see
 * add_lazy / sub_lazy for why one correction suffices). */
static inline void v_ct_addsub(v4 a, v4 t_s, v4 *x, v4 *y) {
  v4 a_s = _mm256_xor_si256(a, V_SIGN);
  v4 s_s = _mm256_add_epi64(a, t_s);
  s_s = _mm256_add_epi64(s_s, _mm256_srli_epi64(_mm256_cmpgt_epi64(t_s, s_s), 32));
  *x = _mm256_xor_si256(s_s, V_SIGN);
  v4 d = _mm256_sub_epi64(a_s, t_s);
  *y = _mm256_sub_epi64(d, _mm256_srli_epi64(_mm256_cmpgt_epi64(t_s, a_s), 32));
}

/* GS butterfly: (x + y, (x - y) c), canonical in and out. */
static inline void v_gs(v4 *x, v4 *y, v4 c, v4 c_hi) {
  v4 a = *x, b = *y;
  v4 a_s = _mm256_xor_si256(a, V_SIGN), b_s = _mm256_xor_si256(b, V_SIGN);
  /* a + b < 2p: after a carry the sum is < p - eps, so + eps is canonical; else at most one - p. */
  v4 s_s = _mm256_add_epi64(a, b_s);
  s_s = _mm256_add_epi64(s_s, _mm256_srli_epi64(_mm256_cmpgt_epi64(b_s, s_s), 32));
  s_s = _mm256_sub_epi64(s_s, _mm256_and_si256(_mm256_cmpgt_epi64(s_s, V_PS_M1), V_P));
  *x = _mm256_xor_si256(s_s, V_SIGN);
  v4 d = _mm256_sub_epi64(a, b);
  d = _mm256_sub_epi64(d, _mm256_srli_epi64(_mm256_cmpgt_epi64(b_s, a_s), 32));
  *y = v_mul(d, c, c_hi);
}

/* 4 x 4 transpose of 64-bit lanes (its own inverse). */
static inline void v_transpose(v4 *r0, v4 *r1, v4 *r2, v4 *r3) {
  v4 t0 = _mm256_unpacklo_epi64(*r0, *r1), t1 = _mm256_unpackhi_epi64(*r0, *r1);
  v4 t2 = _mm256_unpacklo_epi64(*r2, *r3), t3 = _mm256_unpackhi_epi64(*r2, *r3);
  *r0 = _mm256_permute2x128_si256(t0, t2, 0x20);
  *r1 = _mm256_permute2x128_si256(t1, t3, 0x20);
  *r2 = _mm256_permute2x128_si256(t0, t2, 0x31);
  *r3 = _mm256_permute2x128_si256(t1, t3, 0x31);
}

/* Splits tw2[0..8) into the even entries (c0 of blocks 0..3) and the odd ones (c1). */
static inline void v_deinterleave(const gl_t *tw2, v4 *c0, v4 *c1) {
  v4 v0 = v_load(tw2), v1 = v_load(tw2 + 4);
  *c0 = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(v0, v1), 0xD8);
  *c1 = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(v0, v1), 0xD8);
}

/* One radix-4 CT step on four vectors with twiddles c (stage s) and c0, c1 (stage s + 1). */
static inline void v_ct4(v4 *a, v4 *b, v4 *e, v4 *d, v4 c, v4 ch, v4 c0, v4 c0h, v4 c1,
                         v4 c1h) {
  v4 y0, y1, y2, y3;
  v_ct_addsub(*a, v_mul_s(*e, c, ch), &y0, &y2);
  v_ct_addsub(*b, v_mul_s(*d, c, ch), &y1, &y3);
  v_ct_addsub(y0, v_mul_s(y1, c0, c0h), a, b);
  v_ct_addsub(y2, v_mul_s(y3, c1, c1h), e, d);
}

/* One radix-4 GS step: stage s + 1 (c0, c1) then stage s (c). */
static inline void v_gs4(v4 *a, v4 *b, v4 *e, v4 *d, v4 c, v4 ch, v4 c0, v4 c0h, v4 c1,
                         v4 c1h) {
  v_gs(a, b, c0, c0h);
  v_gs(e, d, c1, c1h);
  v_gs(a, e, c, ch);
  v_gs(b, d, c, ch);
}
#endif

/* ---- CT (natural -> bit-reversed) block kernel -------------------------------------- */

/*
 * Finishing step of a pass: FIN_NONE leaves lazy values (more stages follow), FIN_CANON
 * canonicalizes (the last stage of a forward transform), FIN_SCALE multiplies by a scale
 * factor, which also canonicalizes (1/n of an inverse transform).
 */
enum { FIN_NONE = 0, FIN_CANON = 1, FIN_SCALE = 2 };

static void finish(gl_t *restrict x, size_t len, int fin, gl_t scale) {
  size_t i = 0;
#ifdef NTT_AVX2
  if (fin == FIN_CANON) {
    for (; i + 4 <= len; i += 4) v_store(x + i, v_canon(v_load(x + i)));
  } else if (fin == FIN_SCALE) {
    v4 c = v_set1(scale), ch = v_set1(scale >> 32);
    for (; i + 4 <= len; i += 4) v_store(x + i, v_mul(v_load(x + i), c, ch));
  }
#endif
  if (fin == FIN_CANON) {
    for (; i < len; i++) x[i] = canon(x[i]);
  } else if (fin == FIN_SCALE) {
    for (; i < len; i++) x[i] = mul_any(x[i], scale);
  }
}

/* Radix-2 CT stage over one block: a[i], b[i] for i < h, twiddle c. */
static void ct_r2(gl_t *restrict a, gl_t *restrict b, size_t h, gl_t c) {
  size_t i = 0;
#ifdef NTT_AVX2
  v4 vc = v_set1(c), vch = v_set1(c >> 32);
  for (; i + 4 <= h; i += 4) {
    v4 x, y;
    v_ct_addsub(v_load(a + i), v_mul_s(v_load(b + i), vc, vch), &x, &y);
    v_store(a + i, x);
    v_store(b + i, y);
  }
#endif
  for (; i < h; i++) {
    uint64_t x = a[i];
    gl_t t = mul_any(b[i], c);
    a[i] = add_lazy(x, t);
    b[i] = sub_lazy(x, t);
  }
}

/* Radix-4 CT step over one block of four quarters of q elements. */
static void ct_r4(gl_t *restrict a, gl_t *restrict b, gl_t *restrict e, gl_t *restrict d,
                  size_t q, gl_t c, gl_t c0, gl_t c1) {
  size_t i = 0;
#ifdef NTT_AVX2
  v4 vc = v_set1(c), vch = v_set1(c >> 32), v0 = v_set1(c0), v0h = v_set1(c0 >> 32);
  v4 v1 = v_set1(c1), v1h = v_set1(c1 >> 32);
  for (; i + 4 <= q; i += 4) {
    v4 xa = v_load(a + i), xb = v_load(b + i), xe = v_load(e + i), xd = v_load(d + i);
    v_ct4(&xa, &xb, &xe, &xd, vc, vch, v0, v0h, v1, v1h);
    v_store(a + i, xa);
    v_store(b + i, xb);
    v_store(e + i, xe);
    v_store(d + i, xd);
  }
#endif
  for (; i < q; i++) {
    uint64_t x0 = a[i], x1 = b[i];
    gl_t t2 = mul_any(e[i], c), t3 = mul_any(d[i], c);
    uint64_t y0 = add_lazy(x0, t2), y2 = sub_lazy(x0, t2);
    uint64_t y1 = add_lazy(x1, t3), y3 = sub_lazy(x1, t3);
    gl_t u1 = mul_any(y1, c0), u3 = mul_any(y3, c1);
    a[i] = add_lazy(y0, u1);
    b[i] = sub_lazy(y0, u1);
    e[i] = add_lazy(y2, u3);
    d[i] = sub_lazy(y2, u3);
  }
}

/*
 * The radix-4 CT step with quarters of ONE element: nblk blocks of 4 contiguous elements,
 * twiddles t1[k] (stage s) and t2[2k], t2[2k + 1] (stage s + 1). Vectorized across four
 * blocks at a time by a 4 x 4 transpose.
 */
static void ct_r4_q1(gl_t *restrict buf, size_t nblk, const gl_t *t1, const gl_t *t2) {
  size_t k = 0;
#ifdef NTT_AVX2
  for (; k + 4 <= nblk; k += 4) {
    gl_t *p = buf + 4 * k;
    v4 xa = v_load(p), xb = v_load(p + 4), xe = v_load(p + 8), xd = v_load(p + 12);
    v_transpose(&xa, &xb, &xe, &xd);
    v4 c = v_load(t1 + k), c0, c1;
    v_deinterleave(t2 + 2 * k, &c0, &c1);
    v_ct4(&xa, &xb, &xe, &xd, c, _mm256_srli_epi64(c, 32), c0, _mm256_srli_epi64(c0, 32), c1,
          _mm256_srli_epi64(c1, 32));
    v_transpose(&xa, &xb, &xe, &xd);
    v_store(p, xa);
    v_store(p + 4, xb);
    v_store(p + 8, xe);
    v_store(p + 12, xd);
  }
#endif
  for (; k < nblk; k++) {
    gl_t *p = buf + 4 * k;
    ct_r4(p, p + 1, p + 2, p + 3, 1, t1[k], t2[2 * k], t2[2 * k + 1]);
  }
}

/*
 * Runs CT stages on a contiguous buffer of 2^log_rows rows of w elements each (row r at
 * buf + r * w). The buffer is block `blk` of the pass's first stage, so at local stage s
 * its 2^s blocks have global indices blk * 2^s + k. Inputs and outputs are lazy values in
 * [0, 2^64). An odd stage count does its single radix-2 stage first, where blocks are
 * widest, so that the last radix-4 step has quarters of one row.
 */
static void ct_rows(gl_t *buf, size_t w, unsigned log_rows, size_t blk, const gl_t *tw) {
  unsigned s = 0;
  if (log_rows & 1) {
    size_t h = ((size_t)1 << (log_rows - 1)) * w;
    ct_r2(buf, buf + h, h, tw[blk]);
    s = 1;
  }
  for (; s + 2 <= log_rows; s += 2) {
    size_t q = ((size_t)1 << (log_rows - s - 2)) * w; /* a quarter block, in elements */
    size_t nblk = (size_t)1 << s;
    const gl_t *t1 = tw + blk * nblk;
    const gl_t *t2 = tw + 2 * blk * nblk;
    if (q == 1) {
      ct_r4_q1(buf, nblk, t1, t2);
      continue;
    }
    for (size_t k = 0; k < nblk; k++) {
      gl_t *a = buf + 4 * q * k;
      ct_r4(a, a + q, a + 2 * q, a + 3 * q, q, t1[k], t2[2 * k], t2[2 * k + 1]);
    }
  }
}

/* ---- GS (bit-reversed -> natural) block kernel -------------------------------------- */

static void gs_r2(gl_t *restrict a, gl_t *restrict b, size_t h, gl_t c) {
  size_t i = 0;
#ifdef NTT_AVX2
  v4 vc = v_set1(c), vch = v_set1(c >> 32);
  for (; i + 4 <= h; i += 4) {
    v4 x = v_load(a + i), y = v_load(b + i);
    v_gs(&x, &y, vc, vch);
    v_store(a + i, x);
    v_store(b + i, y);
  }
#endif
  for (; i < h; i++) {
    gl_t x = a[i], y = b[i];
    a[i] = gl_add(x, y);
    b[i] = gl_mul(gl_sub(x, y), c);
  }
}

static void gs_r4(gl_t *restrict a, gl_t *restrict b, gl_t *restrict e, gl_t *restrict d,
                  size_t q, gl_t c, gl_t c0, gl_t c1) {
  size_t i = 0;
#ifdef NTT_AVX2
  v4 vc = v_set1(c), vch = v_set1(c >> 32), v0 = v_set1(c0), v0h = v_set1(c0 >> 32);
  v4 v1 = v_set1(c1), v1h = v_set1(c1 >> 32);
  for (; i + 4 <= q; i += 4) {
    v4 xa = v_load(a + i), xb = v_load(b + i), xe = v_load(e + i), xd = v_load(d + i);
    v_gs4(&xa, &xb, &xe, &xd, vc, vch, v0, v0h, v1, v1h);
    v_store(a + i, xa);
    v_store(b + i, xb);
    v_store(e + i, xe);
    v_store(d + i, xd);
  }
#endif
  for (; i < q; i++) {
    gl_t x0 = a[i], x1 = b[i], x2 = e[i], x3 = d[i];
    gl_t y0 = gl_add(x0, x1), y1 = gl_mul(gl_sub(x0, x1), c0);
    gl_t y2 = gl_add(x2, x3), y3 = gl_mul(gl_sub(x2, x3), c1);
    a[i] = gl_add(y0, y2);
    e[i] = gl_mul(gl_sub(y0, y2), c);
    b[i] = gl_add(y1, y3);
    d[i] = gl_mul(gl_sub(y1, y3), c);
  }
}

/* gs_r4 with quarters of one element (see ct_r4_q1). */
static void gs_r4_q1(gl_t *restrict buf, size_t nblk, const gl_t *t1, const gl_t *t2) {
  size_t k = 0;
#ifdef NTT_AVX2
  for (; k + 4 <= nblk; k += 4) {
    gl_t *p = buf + 4 * k;
    v4 xa = v_load(p), xb = v_load(p + 4), xe = v_load(p + 8), xd = v_load(p + 12);
    v_transpose(&xa, &xb, &xe, &xd);
    v4 c = v_load(t1 + k), c0, c1;
    v_deinterleave(t2 + 2 * k, &c0, &c1);
    v_gs4(&xa, &xb, &xe, &xd, c, _mm256_srli_epi64(c, 32), c0, _mm256_srli_epi64(c0, 32), c1,
          _mm256_srli_epi64(c1, 32));
    v_transpose(&xa, &xb, &xe, &xd);
    v_store(p, xa);
    v_store(p + 4, xb);
    v_store(p + 8, xe);
    v_store(p + 12, xd);
  }
#endif
  for (; k < nblk; k++) {
    gl_t *p = buf + 4 * k;
    gs_r4(p, p + 1, p + 2, p + 3, 1, t1[k], t2[2 * k], t2[2 * k + 1]);
  }
}

/*
 * Runs GS stages on a contiguous buffer of 2^log_rows rows of w elements (the inverse of
 * ct_rows over the same stages, unscaled), lowest stage first. blk is the buffer's block
 * index at the pass's top stage (its last). Values are canonical throughout. An odd stage
 * count does its single radix-2 stage last (mirror of ct_rows).
 */
static void gs_rows(gl_t *buf, size_t w, unsigned log_rows, size_t blk, const gl_t *tw) {
  unsigned odd = log_rows & 1;
  for (unsigned s = log_rows; s >= odd + 2; s -= 2) {
    unsigned st = s - 2; /* stages st + 1 (lower) then st (upper), local CT numbering */
    size_t q = ((size_t)1 << (log_rows - st - 2)) * w;
    size_t nblk = (size_t)1 << st;
    const gl_t *t1 = tw + blk * nblk;
    const gl_t *t2 = tw + 2 * blk * nblk;
    if (q == 1) {
      gs_r4_q1(buf, nblk, t1, t2);
      continue;
    }
    for (size_t k = 0; k < nblk; k++) {
      gl_t *a = buf + 4 * q * k;
      gs_r4(a, a + q, a + 2 * q, a + 3 * q, q, t1[k], t2[2 * k], t2[2 * k + 1]);
    }
  }
  if (odd) {
    size_t h = ((size_t)1 << (log_rows - 1)) * w;
    gs_r2(buf, buf + h, h, tw[blk]);
  }
}

/* ---- pass scheduling ---------------------------------------------------------------- */

/*
 * How one call runs its passes: in parallel over plan->threads (par), or serially on the
 * calling thread with the given scratch tile.
 */
typedef struct {
  const sm_ntt_plan *plan;
  int par;
  gl_t *scratch;
} ntt_exec;

typedef void (*task_fn)(const void *args, size_t task, gl_t *scratch);

static void run_tasks(const ntt_exec *ex, size_t ntasks, task_fn fn, const void *args) {
  if (ex->par && ntasks > 1) {
    const sm_ntt_plan *plan = ex->plan;
#pragma omp parallel for num_threads(plan->threads) schedule(static)
    for (size_t t = 0; t < ntasks; t++)
      fn(args, t, plan->scratch + (size_t)omp_get_thread_num() * plan->tile_elems);
  } else {
    for (size_t t = 0; t < ntasks; t++) fn(args, t, ex->scratch);
  }
}

/* A top pass over stages [s0, s1) of a 2^m transform (see the file comment). */
typedef struct {
  gl_t *x;
  const gl_t *tw;
  unsigned m, s0, s1;
  size_t lanes;        /* lanes per tile */
  int fin;             /* finishing step (GS passes that end the transform) */
  gl_t scale;
} top_args;

static size_t top_tasks(const top_args *a) {
  size_t cols = (size_t)1 << (a->m - a->s1);
  return ((size_t)1 << a->s0) * (cols / a->lanes);
}

/* Copies tile `task` in (rows x lanes), runs fn on it, copies it back. */
static void top_tile(const top_args *a, size_t task, gl_t *scr, int gs) {
  unsigned log_rows = a->s1 - a->s0;
  size_t rows = (size_t)1 << log_rows, cols = (size_t)1 << (a->m - a->s1), w = a->lanes;
  size_t per_group = cols / w;
  size_t u = task / per_group, c0 = (task % per_group) * w;
  gl_t *base = a->x + (u << (a->m - a->s0)) + c0;
  for (size_t r = 0; r < rows; r++) memcpy(scr + r * w, base + r * cols, w * sizeof *scr);
  if (gs) {
    gs_rows(scr, w, log_rows, u, a->tw);
  } else {
    ct_rows(scr, w, log_rows, u, a->tw);
  }
  finish(scr, rows * w, a->fin, a->scale);
  for (size_t r = 0; r < rows; r++) memcpy(base + r * cols, scr + r * w, w * sizeof *scr);
}

static void ct_top_task(const void *args, size_t task, gl_t *scr) { top_tile(args, task, scr, 0); }
static void gs_top_task(const void *args, size_t task, gl_t *scr) { top_tile(args, task, scr, 1); }

/* The bottom pass: independent contiguous blocks of 2^lb elements (global stage m - lb). */
typedef struct {
  gl_t *x;
  const gl_t *tw;
  unsigned lb;
  int fin;
  gl_t scale;
} bot_args;

static void ct_bot_task(const void *args, size_t task, gl_t *scr) {
  const bot_args *a = args;
  gl_t *blk = a->x + (task << a->lb);
  ct_rows(blk, 1, a->lb, task, a->tw);
  finish(blk, (size_t)1 << a->lb, a->fin, a->scale);
}

static void gs_bot_task(const void *args, size_t task, gl_t *scr) {
  const bot_args *a = args;
  gl_t *blk = a->x + (task << a->lb);
  gs_rows(blk, 1, a->lb, task, a->tw);
  finish(blk, (size_t)1 << a->lb, a->fin, a->scale);
}

/* Lanes of a top pass with log_rows rows: fill the tile, but never more than a row holds. */
static size_t top_lanes(unsigned log_rows, unsigned log_cols) {
  unsigned l = TILE_LOG - log_rows;
  if (l > log_cols) l = log_cols;
  return (size_t)1 << l;
}

/*
 * Splits the top stages [s_begin, s_end) into as few passes of at most TOP_MAX_LOG stages
 * as possible, of near-equal size; writes the boundaries to cut[0..np] and returns np.
 */
static unsigned split_top(unsigned s_begin, unsigned s_end, unsigned cut[8]) {
  unsigned total = s_end - s_begin;
  unsigned np = (total + TOP_MAX_LOG - 1) / TOP_MAX_LOG;
  cut[0] = s_begin;
  for (unsigned i = 1; i <= np; i++) cut[i] = s_begin + (total * i + np - 1) / np;
  return np;
}

/*
 * CT stages [s_begin, m) of a 2^m transform on x, with tw; fin / scale finish the last
 * stage (FIN_CANON or FIN_SCALE: the outputs are canonical).
 */
static void ct_run(const ntt_exec *ex, gl_t *x, unsigned m, unsigned s_begin, const gl_t *tw,
                   int fin, gl_t scale) {
  unsigned lb = m - s_begin < BOT_LOG ? m - s_begin : BOT_LOG;
  unsigned cut[8];
  unsigned np = split_top(s_begin, m - lb, cut);
  for (unsigned p = 0; p < np; p++) {
    top_args a = {x, tw, m, cut[p], cut[p + 1], 0, FIN_NONE, 0};
    a.lanes = top_lanes(a.s1 - a.s0, m - a.s1);
    run_tasks(ex, top_tasks(&a), ct_top_task, &a);
  }
  bot_args b = {x, tw, lb, fin, scale};
  run_tasks(ex, (size_t)1 << (m - lb), ct_bot_task, &b);
}

/* All GS stages of a 2^m transform on x with tw, then fin / scale (FIN_NONE or FIN_SCALE). */
static void gs_run(const ntt_exec *ex, gl_t *x, unsigned m, const gl_t *tw, int fin,
                   gl_t scale) {
  unsigned lb = m < BOT_LOG ? m : BOT_LOG;
  unsigned cut[8];
  unsigned np = split_top(0, m - lb, cut);
  bot_args b = {x, tw, lb, np == 0 ? fin : FIN_NONE, scale};
  run_tasks(ex, (size_t)1 << (m - lb), gs_bot_task, &b);
  for (unsigned p = np; p-- > 0;) {
    top_args a = {x, tw, m, cut[p], cut[p + 1], 0, p == 0 ? fin : FIN_NONE, scale};
    a.lanes = top_lanes(a.s1 - a.s0, m - a.s1);
    run_tasks(ex, top_tasks(&a), gs_top_task, &a);
  }
}

/* ---- bit reversal ------------------------------------------------------------------- */

/*
 * Both permutations walk 2^BR_Q x 2^BR_Q tiles: with i = (hi | mid | lo) (BR_Q, m - 2 BR_Q,
 * BR_Q bits), bitrev(i) = (rev lo | rev mid | rev hi), so the tile of `mid` maps onto the
 * tile of rev(mid) and every access is a run of 2^BR_Q adjacent elements.
 */
typedef struct {
  gl_t *dst;
  const gl_t *src; /* NULL: permute dst in place */
  unsigned m;
} br_args;

static void br_task(const void *args, size_t mid, gl_t *scr) {
  const br_args *a = args;
  const size_t q = (size_t)1 << BR_Q;
  unsigned mb = a->m - 2 * BR_Q, sh = a->m - BR_Q;
  size_t rmid = sm_bitrev(mid, mb);
  if (a->src != NULL) {
    for (size_t hi = 0; hi < q; hi++) {
      const gl_t *s = a->src + (hi << sh) + (mid << BR_Q);
      size_t rhi = sm_bitrev(hi, BR_Q);
      for (size_t lo = 0; lo < q; lo++)
        a->dst[(sm_bitrev(lo, BR_Q) << sh) + (rmid << BR_Q) + rhi] = s[lo];
    }
    return;
  }
  if (rmid < mid) return; /* the pair is handled by the task of the smaller mid */
  for (size_t hi = 0; hi < q; hi++) {
    size_t rhi = sm_bitrev(hi, BR_Q);
    for (size_t lo = 0; lo < q; lo++) {
      size_t i = (hi << sh) + (mid << BR_Q) + lo;
      size_t j = (sm_bitrev(lo, BR_Q) << sh) + (rmid << BR_Q) + rhi;
      if (rmid != mid || i < j) {
        gl_t t = a->dst[i];
        a->dst[i] = a->dst[j];
        a->dst[j] = t;
      }
    }
  }
}

/* dst = bitrev(src) when src != NULL (no overlap), else dst permuted in place. */
static void bitrev_perm(const ntt_exec *ex, gl_t *dst, const gl_t *src, unsigned m) {
  size_t n = (size_t)1 << m;
  if (m < 2 * BR_Q) {
    for (size_t i = 0; i < n; i++) {
      size_t j = sm_bitrev(i, m);
      if (src != NULL) {
        dst[j] = src[i];
      } else if (i < j) {
        gl_t t = dst[i];
        dst[i] = dst[j];
        dst[j] = t;
      }
    }
    return;
  }
  br_args a = {dst, src, m};
  run_tasks(ex, (size_t)1 << (m - 2 * BR_Q), br_task, &a);
}

/* ---- coset powers ------------------------------------------------------------------- */

/*
 * out[k * nb + j] = src[j] * scale * shift^j for j < nsrc, and 0 for nsrc <= j < nb, for
 * every copy k < reps. src may be out itself (then nsrc <= nb keeps the copies clear of
 * it, and each src[j] is read before out[j] is written).
 */
typedef struct {
  gl_t *out;
  const gl_t *src;
  size_t nsrc, nb, reps;
  gl_t scale, shift;
} spread_args;

static void spread_task(const void *args, size_t task, gl_t *scr) {
  const spread_args *a = args;
  size_t j0 = task * SPREAD_CHUNK, j1 = j0 + SPREAD_CHUNK < a->nb ? j0 + SPREAD_CHUNK : a->nb;
  size_t jv = a->nsrc < j1 ? (a->nsrc > j0 ? a->nsrc : j0) : j1; /* end of the nonzero part */
  /* Eight independent chains of powers hide the multiplier's latency. */
  gl_t pw[8], step = gl_exp(a->shift, 8);
  pw[0] = gl_mul(a->scale, gl_exp(a->shift, j0));
  for (int k = 1; k < 8; k++) pw[k] = gl_mul(pw[k - 1], a->shift);
  size_t j = j0;
  for (; j + 8 <= jv; j += 8) {
    gl_t v[8];
    for (int k = 0; k < 8; k++) {
      v[k] = gl_mul(a->src[j + k], pw[k]);
      pw[k] = gl_mul(pw[k], step);
    }
    for (size_t r = 0; r < a->reps; r++) memcpy(a->out + r * a->nb + j, v, sizeof v);
  }
  for (int k = 0; j < jv; j++, k++) {
    gl_t v = gl_mul(a->src[j], pw[k]);
    for (size_t r = 0; r < a->reps; r++) a->out[r * a->nb + j] = v;
  }
  for (size_t r = 0; r < a->reps; r++)
    memset(a->out + r * a->nb + jv, 0, (j1 - jv) * sizeof *a->out);
}

static void coset_spread(const ntt_exec *ex, gl_t *out, const gl_t *src, size_t nsrc, size_t nb,
                         size_t reps, gl_t scale, gl_t shift) {
  spread_args a = {out, src, nsrc, nb, reps, scale, shift};
  run_tasks(ex, (nb + SPREAD_CHUNK - 1) / SPREAD_CHUNK, spread_task, &a);
}

/* ---- one column --------------------------------------------------------------------- */

typedef enum { OP_FORWARD, OP_INVERSE } ntt_op;

typedef struct {
  ntt_op op;
  unsigned log_n;
  sm_order in_order, out_order;
} xform_spec;

static void xform_column(const ntt_exec *ex, gl_t *x, const xform_spec *sp) {
  const sm_ntt_plan *plan = ex->plan;
  unsigned m = sp->log_n;
  if (m == 0) return; /* a 1-point transform is the identity in both directions */
  const gl_t *tw = sp->op == OP_FORWARD ? plan->tw : plan->itw;
  int fin = FIN_CANON;
  gl_t scale = 0;
  if (sp->op == OP_INVERSE) {
    fin = FIN_SCALE;
    scale = gl_inv((gl_t)1 << m);
  }
  if (sp->in_order == SM_ORDER_BITREV && sp->out_order == SM_ORDER_NATURAL) {
    gs_run(ex, x, m, tw, sp->op == OP_FORWARD ? FIN_NONE : FIN_SCALE, scale);
    return;
  }
  /* Every other combination goes through CT, which wants natural input. */
  if (sp->in_order == SM_ORDER_BITREV) bitrev_perm(ex, x, NULL, m);
  ct_run(ex, x, m, 0, tw, fin, scale);
  if (sp->out_order == SM_ORDER_NATURAL) bitrev_perm(ex, x, NULL, m);
}

typedef struct {
  unsigned log_n, log_N; /* input size (LDE) or padded coefficient count (coset eval); output size */
  size_t n_src;          /* source elements: n (LDE) or n_coeffs (coset eval) */
  gl_t shift;
  int lde;               /* 1: src holds evaluations; 0: src holds coefficients */
} coset_spec;

static void coset_column(const ntt_exec *ex, gl_t *out, const gl_t *src, const coset_spec *sp) {
  const sm_ntt_plan *plan = ex->plan;
  size_t nb = (size_t)1 << sp->log_n;
  unsigned lbu = sp->log_N - sp->log_n;
  gl_t scale = 1;
  const gl_t *coef = src;
  if (sp->lde) {
    /*
     * Evaluations (natural) -> bit-reversed copy in out -> GS with the inverse root, which
     * yields n times the coefficients in natural order. The 1/n joins the coset powers.
     */
    bitrev_perm(ex, out, src, sp->log_n);
    gs_run(ex, out, sp->log_n, plan->itw, FIN_NONE, 0);
    scale = gl_inv((gl_t)nb);
    coef = out;
  }
  /*
   * g(X) = f(shift X) has coefficients a_j shift^j. The N-point CT of g zero-padded from nb
   * to N starts with lbu stages whose lower inputs are all zero, and (x, 0) -> (x, x): they
   * only replicate the first nb entries into all 2^lbu blocks. So write the replicas
   * directly and start CT at stage lbu.
   */
  coset_spread(ex, out, coef, sp->n_src, nb, (size_t)1 << lbu, scale, sp->shift);
  if (sp->log_N > 0) ct_run(ex, out, sp->log_N, lbu, plan->tw, FIN_CANON, 0);
}

/* ---- batches ------------------------------------------------------------------------ */

/*
 * Runs fn on every column. With at least as many columns as threads, whole columns go to
 * threads (each runs serially with its own tile); the remaining columns, and all columns
 * of a narrower batch, run one after another with their passes split between threads.
 */
typedef void (*column_fn)(const ntt_exec *ex, size_t col, const void *args);

static void for_columns(const sm_ntt_plan *plan, size_t ncols, unsigned log_size, column_fn fn,
                        const void *args) {
  int nt = plan->threads;
  size_t done = 0;
  if (nt > 1 && ncols >= (size_t)nt) {
    done = ncols - ncols % (size_t)nt;
#pragma omp parallel num_threads(nt)
    {
      ntt_exec ex = {plan, 0, plan->scratch + (size_t)omp_get_thread_num() * plan->tile_elems};
#pragma omp for schedule(dynamic, 1)
      for (size_t c = 0; c < done; c++) fn(&ex, c, args);
    }
  }
  ntt_exec ex = {plan, nt > 1 && log_size >= PAR_MIN_LOG, plan->scratch};
  for (size_t c = done; c < ncols; c++) fn(&ex, c, args);
}

typedef struct {
  gl_t *data;
  size_t stride;
  xform_spec spec;
} xform_batch;

static void xform_col_fn(const ntt_exec *ex, size_t col, const void *args) {
  const xform_batch *b = args;
  xform_column(ex, b->data + col * b->stride, &b->spec);
}

typedef struct {
  gl_t *out;
  size_t out_stride;
  const gl_t *src;
  size_t src_stride;
  coset_spec spec;
} coset_batch;

static void coset_col_fn(const ntt_exec *ex, size_t col, const void *args) {
  const coset_batch *b = args;
  coset_column(ex, b->out + col * b->out_stride, b->src + col * b->src_stride, &b->spec);
}

/* ---- public API --------------------------------------------------------------------- */

static void *alloc_aligned(size_t n_elems) {
  size_t bytes = (n_elems * sizeof(gl_t) + 63) & ~(size_t)63;
  return aligned_alloc(64, bytes);
}

starkml_status sm_ntt_plan_create(sm_ntt_plan **plan, unsigned max_log_n, int threads) {
  if (plan == NULL) return STARKML_ERR_ARG;
  *plan = NULL;
  if (max_log_n > SM_NTT_MAX_LOG_N || threads < 1) return STARKML_ERR_ARG;
  sm_ntt_plan *p = calloc(1, sizeof *p);
  if (p == NULL) return STARKML_ERR_NOMEM;
  p->max_log_n = max_log_n;
  p->threads = threads;
  size_t half = max_log_n > 0 ? (size_t)1 << (max_log_n - 1) : 1;
  p->tile_elems = max_log_n > BOT_LOG ? (size_t)1 << TILE_LOG : 1;
  p->tw = alloc_aligned(half);
  p->itw = alloc_aligned(half);
  p->scratch = alloc_aligned(p->tile_elems * (size_t)threads);
  if (p->tw == NULL || p->itw == NULL || p->scratch == NULL) {
    sm_ntt_plan_free(p);
    return STARKML_ERR_NOMEM;
  }
  /*
   * tw[b] = w_2M^bitrev(b). Since bitrev(b + 2^k) = bitrev(b) + M / 2^(k+1) for b < 2^k,
   * tw[2^k + b] = tw[b] * w_2M^(M / 2^(k+1)) = tw[b] * w_(2^(k+2)): one product per entry.
   */
  p->tw[0] = 1;
  p->itw[0] = 1;
  for (unsigned k = 0; ((size_t)1 << k) < half; k++) {
    size_t off = (size_t)1 << k;
    gl_t w = gl_root_of_unity(k + 2), wi = gl_inv(w);
#pragma omp parallel for num_threads(threads) schedule(static) if (off >= 65536)
    for (size_t b = 0; b < off; b++) {
      p->tw[off + b] = gl_mul(p->tw[b], w);
      p->itw[off + b] = gl_mul(p->itw[b], wi);
    }
  }
  *plan = p;
  return STARKML_OK;
}

void sm_ntt_plan_free(sm_ntt_plan *plan) {
  if (plan == NULL) return;
  free(plan->tw);
  free(plan->itw);
  free(plan->scratch);
  free(plan);
}

static int valid_order(sm_order o) { return o == SM_ORDER_NATURAL || o == SM_ORDER_BITREV; }

static starkml_status xform(sm_ntt_plan *plan, gl_t *data, size_t ncols, size_t col_stride,
                            unsigned log_n, sm_order in_order, sm_order out_order, ntt_op op) {
  if (plan == NULL || log_n > plan->max_log_n || !valid_order(in_order) ||
      !valid_order(out_order))
    return STARKML_ERR_ARG;
  size_t n = (size_t)1 << log_n;
  if (ncols > 1 && col_stride < n) return STARKML_ERR_ARG;
  if (ncols == 0) return STARKML_OK;
  if (data == NULL) return STARKML_ERR_ARG;
  xform_batch b = {data, col_stride, {op, log_n, in_order, out_order}};
  for_columns(plan, ncols, log_n, xform_col_fn, &b);
  return STARKML_OK;
}

starkml_status sm_ntt_forward(sm_ntt_plan *plan, gl_t *data, size_t ncols, size_t col_stride,
                              unsigned log_n, sm_order in_order, sm_order out_order) {
  return xform(plan, data, ncols, col_stride, log_n, in_order, out_order, OP_FORWARD);
}

starkml_status sm_ntt_inverse(sm_ntt_plan *plan, gl_t *data, size_t ncols, size_t col_stride,
                              unsigned log_n, sm_order in_order, sm_order out_order) {
  return xform(plan, data, ncols, col_stride, log_n, in_order, out_order, OP_INVERSE);
}

/* 1 when [a, a + na) and [b, b + nb) (element counts) share memory. */
static int overlaps(const gl_t *a, size_t na, const gl_t *b, size_t nb) {
  uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
  return a0 < b0 + nb * sizeof(gl_t) && b0 < a0 + na * sizeof(gl_t);
}

/* Extent in elements of a batch: (ncols - 1) strides plus one column. */
static size_t extent(size_t ncols, size_t stride, size_t len) {
  return ncols == 0 ? 0 : (ncols - 1) * stride + len;
}

starkml_status sm_coset_eval(sm_ntt_plan *plan, gl_t *out, size_t out_stride,
                             const gl_t *coeffs, size_t coeff_stride, size_t n_coeffs,
                             size_t ncols, unsigned log_N, gl_t shift) {
  if (plan == NULL || log_N > plan->max_log_n || shift >= GL_P) return STARKML_ERR_ARG;
  size_t N = (size_t)1 << log_N;
  if (n_coeffs > N) return STARKML_ERR_ARG;
  if (ncols > 1 && (out_stride < N || coeff_stride < n_coeffs)) return STARKML_ERR_ARG;
  if (ncols == 0) return STARKML_OK;
  if (out == NULL || (coeffs == NULL && n_coeffs > 0)) return STARKML_ERR_ARG;
  if (n_coeffs > 0 && overlaps(out, extent(ncols, out_stride, N), coeffs,
                               extent(ncols, coeff_stride, n_coeffs)))
    return STARKML_ERR_ARG;
  /* Coefficients padded to the next power of two nb; the first log_N - log nb stages replicate. */
  unsigned log_nb = 0;
  while (((size_t)1 << log_nb) < n_coeffs) log_nb++;
  coset_batch b = {out, out_stride, coeffs, coeff_stride, {log_nb, log_N, n_coeffs, shift, 0}};
  for_columns(plan, ncols, log_N, coset_col_fn, &b);
  return STARKML_OK;
}

starkml_status sm_lde(sm_ntt_plan *plan, gl_t *out, size_t out_stride, const gl_t *in,
                      size_t in_stride, size_t ncols, unsigned log_n, unsigned log_blowup,
                      gl_t shift) {
  if (plan == NULL || log_n > plan->max_log_n || log_blowup > plan->max_log_n - log_n ||
      shift >= GL_P)
    return STARKML_ERR_ARG;
  unsigned log_N = log_n + log_blowup;
  size_t n = (size_t)1 << log_n, N = (size_t)1 << log_N;
  if (ncols > 1 && (out_stride < N || in_stride < n)) return STARKML_ERR_ARG;
  if (ncols == 0) return STARKML_OK;
  if (out == NULL || in == NULL) return STARKML_ERR_ARG;
  if (overlaps(out, extent(ncols, out_stride, N), in, extent(ncols, in_stride, n)))
    return STARKML_ERR_ARG;
  coset_batch b = {out, out_stride, in, in_stride, {log_n, log_N, n, shift, 1}};
  for_columns(plan, ncols, log_N, coset_col_fn, &b);
  return STARKML_OK;
}
