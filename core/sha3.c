/*
 * SHA3-256 (FIPS 202) on one Keccak-f[1600] permutation.
 *
 * The round is written once, as KECCAK_ROUND below, over three lane operations (xor,
 * and-not, rotate). It is instantiated twice: on uint64_t for the single-stream
 * permutation sm_keccakf1600, and on 256-bit vectors holding the same lane of four
 * independent states for sm_sha3_256_x4 (AVX2). Both therefore share one description
 * of theta, rho, pi, chi and iota, and the tests check each against OpenSSL.
 *
 * The permutation keeps the 25 lanes in local variables and runs two rounds per loop
 * iteration, from the lanes a.. into the lanes e.. and back, so that no lane is copied
 * between rounds. A round fuses all five steps: theta's column parities c0..c4 give the
 * per-column terms d0..d4; every output row y of chi then needs the five lanes
 * B[x, y] = rot(A[x', y'] ^ d[x'], r[x', y']) that pi brings there (pi sends A[x', y'] to
 * B[y', 2x' + 3y']), which are computed into b0..b4 and consumed at once, so at most 35
 * values are live. The target (x86-64-v3) has ANDN and RORX, so chi's NOT is free and
 * lane complementing, which only saves NOTs on machines without ANDN, is not used.
 *
 * The sponge absorbs whole 64-bit little-endian lanes; bytes are only handled one at a
 * time at the unaligned head and tail of an update.
 */
#include "core/sha3.h"

#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

/*
 * One round from the lanes A##00..A##24 (lane x + 5y is A[x, y]) into E##00..E##24, with
 * round constant RC. It needs K_XOR(a, b), K_ANDN(a, b) = ~a & b, K_ROL(x, r) for a
 * constant 0 < r < 64, and the temporaries c0..c4, d0..d4, b0..b4 in scope.
 */
#define KECCAK_ROUND(A, E, RC)                                                        \
  do {                                                                                \
    /* theta: column parities c, then d[x] = c[x - 1] ^ rot(c[x + 1], 1). */          \
    c0 = K_XOR(K_XOR(K_XOR(A##00, A##05), K_XOR(A##10, A##15)), A##20);               \
    c1 = K_XOR(K_XOR(K_XOR(A##01, A##06), K_XOR(A##11, A##16)), A##21);               \
    c2 = K_XOR(K_XOR(K_XOR(A##02, A##07), K_XOR(A##12, A##17)), A##22);               \
    c3 = K_XOR(K_XOR(K_XOR(A##03, A##08), K_XOR(A##13, A##18)), A##23);               \
    c4 = K_XOR(K_XOR(K_XOR(A##04, A##09), K_XOR(A##14, A##19)), A##24);               \
    d0 = K_XOR(c4, K_ROL(c1, 1));                                                     \
    d1 = K_XOR(c0, K_ROL(c2, 1));                                                     \
    d2 = K_XOR(c1, K_ROL(c3, 1));                                                     \
    d3 = K_XOR(c2, K_ROL(c4, 1));                                                     \
    d4 = K_XOR(c3, K_ROL(c0, 1));                                                     \
    /* rho and pi into b, then chi (and iota on lane 0), one output row at a time. */ \
    b0 = K_XOR(A##00, d0);                                                            \
    b1 = K_ROL(K_XOR(A##06, d1), 44);                                                 \
    b2 = K_ROL(K_XOR(A##12, d2), 43);                                                 \
    b3 = K_ROL(K_XOR(A##18, d3), 21);                                                 \
    b4 = K_ROL(K_XOR(A##24, d4), 14);                                                 \
    E##00 = K_XOR(K_XOR(b0, K_ANDN(b1, b2)), RC);                                     \
    E##01 = K_XOR(b1, K_ANDN(b2, b3));                                                \
    E##02 = K_XOR(b2, K_ANDN(b3, b4));                                                \
    E##03 = K_XOR(b3, K_ANDN(b4, b0));                                                \
    E##04 = K_XOR(b4, K_ANDN(b0, b1));                                                \
    b0 = K_ROL(K_XOR(A##03, d3), 28);                                                 \
    b1 = K_ROL(K_XOR(A##09, d4), 20);                                                 \
    b2 = K_ROL(K_XOR(A##10, d0), 3);                                                  \
    b3 = K_ROL(K_XOR(A##16, d1), 45);                                                 \
    b4 = K_ROL(K_XOR(A##22, d2), 61);                                                 \
    E##05 = K_XOR(b0, K_ANDN(b1, b2));                                                \
    E##06 = K_XOR(b1, K_ANDN(b2, b3));                                                \
    E##07 = K_XOR(b2, K_ANDN(b3, b4));                                                \
    E##08 = K_XOR(b3, K_ANDN(b4, b0));                                                \
    E##09 = K_XOR(b4, K_ANDN(b0, b1));                                                \
    b0 = K_ROL(K_XOR(A##01, d1), 1);                                                  \
    b1 = K_ROL(K_XOR(A##07, d2), 6);                                                  \
    b2 = K_ROL(K_XOR(A##13, d3), 25);                                                 \
    b3 = K_ROL(K_XOR(A##19, d4), 8);                                                  \
    b4 = K_ROL(K_XOR(A##20, d0), 18);                                                 \
    E##10 = K_XOR(b0, K_ANDN(b1, b2));                                                \
    E##11 = K_XOR(b1, K_ANDN(b2, b3));                                                \
    E##12 = K_XOR(b2, K_ANDN(b3, b4));                                                \
    E##13 = K_XOR(b3, K_ANDN(b4, b0));                                                \
    E##14 = K_XOR(b4, K_ANDN(b0, b1));                                                \
    b0 = K_ROL(K_XOR(A##04, d4), 27);                                                 \
    b1 = K_ROL(K_XOR(A##05, d0), 36);                                                 \
    b2 = K_ROL(K_XOR(A##11, d1), 10);                                                 \
    b3 = K_ROL(K_XOR(A##17, d2), 15);                                                 \
    b4 = K_ROL(K_XOR(A##23, d3), 56);                                                 \
    E##15 = K_XOR(b0, K_ANDN(b1, b2));                                                \
    E##16 = K_XOR(b1, K_ANDN(b2, b3));                                                \
    E##17 = K_XOR(b2, K_ANDN(b3, b4));                                                \
    E##18 = K_XOR(b3, K_ANDN(b4, b0));                                                \
    E##19 = K_XOR(b4, K_ANDN(b0, b1));                                                \
    b0 = K_ROL(K_XOR(A##02, d2), 62);                                                 \
    b1 = K_ROL(K_XOR(A##08, d3), 55);                                                 \
    b2 = K_ROL(K_XOR(A##14, d4), 39);                                                 \
    b3 = K_ROL(K_XOR(A##15, d0), 41);                                                 \
    b4 = K_ROL(K_XOR(A##21, d1), 2);                                                  \
    E##20 = K_XOR(b0, K_ANDN(b1, b2));                                                \
    E##21 = K_XOR(b1, K_ANDN(b2, b3));                                                \
    E##22 = K_XOR(b2, K_ANDN(b3, b4));                                                \
    E##23 = K_XOR(b3, K_ANDN(b4, b0));                                                \
    E##24 = K_XOR(b4, K_ANDN(b0, b1));                                                \
  } while (0)

/* Declares the 25 lanes of state A with type T. */
#define KECCAK_LANES(T, A)                                                              \
  T A##00, A##01, A##02, A##03, A##04, A##05, A##06, A##07, A##08, A##09, A##10, A##11, \
      A##12, A##13, A##14, A##15, A##16, A##17, A##18, A##19, A##20, A##21, A##22, A##23, \
      A##24

/* Moves 25 lanes between the array S (through LOAD / STORE) and the variables A##. */
#define KECCAK_LOAD(A, LOAD, S)                                                        \
  do {                                                                                 \
    A##00 = LOAD(S, 0), A##01 = LOAD(S, 1), A##02 = LOAD(S, 2), A##03 = LOAD(S, 3);    \
    A##04 = LOAD(S, 4), A##05 = LOAD(S, 5), A##06 = LOAD(S, 6), A##07 = LOAD(S, 7);    \
    A##08 = LOAD(S, 8), A##09 = LOAD(S, 9), A##10 = LOAD(S, 10), A##11 = LOAD(S, 11);  \
    A##12 = LOAD(S, 12), A##13 = LOAD(S, 13), A##14 = LOAD(S, 14);                     \
    A##15 = LOAD(S, 15), A##16 = LOAD(S, 16), A##17 = LOAD(S, 17);                     \
    A##18 = LOAD(S, 18), A##19 = LOAD(S, 19), A##20 = LOAD(S, 20);                     \
    A##21 = LOAD(S, 21), A##22 = LOAD(S, 22), A##23 = LOAD(S, 23), A##24 = LOAD(S, 24); \
  } while (0)
#define KECCAK_STORE(A, STORE, S)                                                  \
  do {                                                                             \
    STORE(S, 0, A##00), STORE(S, 1, A##01), STORE(S, 2, A##02), STORE(S, 3, A##03);  \
    STORE(S, 4, A##04), STORE(S, 5, A##05), STORE(S, 6, A##06), STORE(S, 7, A##07);  \
    STORE(S, 8, A##08), STORE(S, 9, A##09), STORE(S, 10, A##10);                     \
    STORE(S, 11, A##11), STORE(S, 12, A##12), STORE(S, 13, A##13);                   \
    STORE(S, 14, A##14), STORE(S, 15, A##15), STORE(S, 16, A##16);                   \
    STORE(S, 17, A##17), STORE(S, 18, A##18), STORE(S, 19, A##19);                   \
    STORE(S, 20, A##20), STORE(S, 21, A##21), STORE(S, 22, A##22);                   \
    STORE(S, 23, A##23), STORE(S, 24, A##24);                                        \
  } while (0)

/* ---- Single stream: lanes are uint64_t. ---- */

static inline uint64_t rol64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

#define K_XOR(a, b) ((a) ^ (b))
#define K_ANDN(a, b) (~(a) & (b))
#define K_ROL(x, r) rol64((x), (r))
#define SCALAR_LOAD(s, i) (s)[i]
#define SCALAR_STORE(s, i, v) ((s)[i] = (v))

void sm_keccakf1600(uint64_t state[25]) {
  KECCAK_LANES(uint64_t, a);
  KECCAK_LANES(uint64_t, e);
  uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
  KECCAK_LOAD(a, SCALAR_LOAD, state);
  for (int round = 0; round < 24; round += 2) {
    KECCAK_ROUND(a, e, keccak_rc[round]);
    KECCAK_ROUND(e, a, keccak_rc[round + 1]);
  }
  KECCAK_STORE(a, SCALAR_STORE, state);
}

#undef K_XOR
#undef K_ANDN
#undef K_ROL

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SM_SHA3_LITTLE_ENDIAN 1
#else
#define SM_SHA3_LITTLE_ENDIAN 0
#endif

/* Reads a little-endian lane from any address (memcpy is one load on little-endian). */
static inline uint64_t load64_le(const uint8_t *p) {
  uint64_t v;
  if (SM_SHA3_LITTLE_ENDIAN) {
    memcpy(&v, p, sizeof v);
    return v;
  }
  v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static inline void store64_le(uint8_t *p, uint64_t v) {
  if (SM_SHA3_LITTLE_ENDIAN) {
    memcpy(p, &v, sizeof v);
    return;
  }
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline void xor_byte(uint64_t *s, size_t pos, uint8_t v) {
  s[pos >> 3] ^= (uint64_t)v << (8 * (pos & 7));
}

/* XORs one full block (SM_SHA3_256_RATE bytes = 17 lanes) into the state. */
static inline void absorb_block(uint64_t s[25], const uint8_t *p) {
  for (int i = 0; i < SM_SHA3_256_RATE / 8; i++) s[i] ^= load64_le(p + 8 * i);
}

void sm_sha3_256_init(sm_sha3_ctx *c) { memset(c, 0, sizeof *c); }

void sm_sha3_256_update(sm_sha3_ctx *c, const void *data, size_t len) {
  const uint8_t *p = data;
  /* Finish a partial block byte by byte. */
  if (c->pos > 0) {
    while (len > 0 && c->pos < SM_SHA3_256_RATE) {
      xor_byte(c->s, c->pos++, *p++);
      len--;
    }
    if (c->pos < SM_SHA3_256_RATE) return;
    sm_keccakf1600(c->s);
    c->pos = 0;
  }
  /* Here c->pos == 0: absorb whole blocks as lanes. */
  while (len >= SM_SHA3_256_RATE) {
    absorb_block(c->s, p);
    sm_keccakf1600(c->s);
    p += SM_SHA3_256_RATE;
    len -= SM_SHA3_256_RATE;
  }
  /* The tail (< one block): whole lanes, then the last bytes. */
  size_t i = 0;
  for (; i + 8 <= len; i += 8) c->s[i >> 3] ^= load64_le(p + i);
  for (; i < len; i++) xor_byte(c->s, i, p[i]);
  c->pos = len;
}

/* The first byte of the padding: the domain bits (SHA-3: 01; SHAKE: 1111), then the first
   bit of pad10*1. */
#define PAD_SHA3 0x06
#define PAD_SHAKE 0x1f

/* Pads the absorbed message (pad10*1 after the domain bits) and permutes. */
static void pad_and_permute(sm_sha3_ctx *c, uint8_t pad) {
  xor_byte(c->s, c->pos, pad);
  xor_byte(c->s, SM_SHA3_256_RATE - 1, 0x80);
  sm_keccakf1600(c->s);
}

void sm_sha3_256_final(sm_sha3_ctx *c, uint8_t out[SM_SHA3_256_LEN]) {
  pad_and_permute(c, PAD_SHA3);
  for (int i = 0; i < SM_SHA3_256_LEN / 8; i++) store64_le(out + 8 * i, c->s[i]);
}

void sm_sha3_256(uint8_t out[SM_SHA3_256_LEN], const void *data, size_t len) {
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, data, len);
  sm_sha3_256_final(&c, out);
}

void sm_shake256_block(uint8_t out[SM_SHAKE256_BLOCK], const void *data, size_t len) {
  sm_sha3_ctx c; /* SHAKE256 has SHA3-256's rate and capacity */
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, data, len);
  pad_and_permute(&c, PAD_SHAKE);
  for (int i = 0; i < SM_SHAKE256_BLOCK / 8; i++) store64_le(out + 8 * i, c.s[i]);
}

/* ---- Four streams: vector lane j holds stream j's lane. ---- */

#if defined(__AVX2__)

/* Rotations by 8 and 56 move whole bytes, so one byte shuffle does them (AVX2 has no
 * 64-bit rotate; the general case is two shifts and an or). */
static inline __m256i rol64x4(__m256i x, int r) {
  if (r == 8)
    return _mm256_shuffle_epi8(x, _mm256_setr_epi8(7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9, 10, 11, 12,
                                                   13, 14, 7, 0, 1, 2, 3, 4, 5, 6, 15, 8, 9,
                                                   10, 11, 12, 13, 14));
  if (r == 56)
    return _mm256_shuffle_epi8(x, _mm256_setr_epi8(1, 2, 3, 4, 5, 6, 7, 0, 9, 10, 11, 12, 13,
                                                   14, 15, 8, 1, 2, 3, 4, 5, 6, 7, 0, 9, 10,
                                                   11, 12, 13, 14, 15, 8));
  return _mm256_or_si256(_mm256_slli_epi64(x, r), _mm256_srli_epi64(x, 64 - r));
}

#define K_XOR(a, b) _mm256_xor_si256((a), (b))
#define K_ANDN(a, b) _mm256_andnot_si256((a), (b))
#define K_ROL(x, r) rol64x4((x), (r))
#define VECTOR_LOAD(s, i) (s)[i]
#define VECTOR_STORE(s, i, v) ((s)[i] = (v))

/* Keccak-f[1600] on four states; lane i of state j is 64-bit element j of s[i]. */
static inline void keccakf1600_x4(__m256i s[25]) {
  KECCAK_LANES(__m256i, a);
  KECCAK_LANES(__m256i, e);
  __m256i c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
  KECCAK_LOAD(a, VECTOR_LOAD, s);
  for (int round = 0; round < 24; round += 2) {
    KECCAK_ROUND(a, e, _mm256_set1_epi64x((long long)keccak_rc[round]));
    KECCAK_ROUND(e, a, _mm256_set1_epi64x((long long)keccak_rc[round + 1]));
  }
  KECCAK_STORE(a, VECTOR_STORE, s);
}

#undef K_XOR
#undef K_ANDN
#undef K_ROL

/* The lane at byte offset off of each stream, as one vector (element j: stream j). */
static inline __m256i lane_x4(const uint8_t *const p[4], size_t off) {
  return _mm256_set_epi64x((long long)load64_le(p[3] + off), (long long)load64_le(p[2] + off),
                           (long long)load64_le(p[1] + off), (long long)load64_le(p[0] + off));
}

/*
 * Absorbs four messages of len bytes, pads them with `pad` (PAD_SHA3 or PAD_SHAKE) and
 * permutes: s then holds the first output block of each. The state lives in vector
 * variables from start to end: absorbing builds each lane from four 64-bit loads and the
 * padded tail is formed in registers. (Building the last block in stack buffers and the
 * state in a uint64_t array cost more than the permutation for one-block inputs: the
 * zeroing and copying ran as `rep stos` / `rep movs`, and vector loads of lanes written by
 * scalar stores stall store forwarding.)
 */
static inline void sponge_x4(__m256i s[25], const uint8_t *const in[4], size_t len, uint8_t pad) {
  /* Zeroed lane by lane: a loop here compiles to `rep stos`, slow to start. */
  const __m256i z = _mm256_setzero_si256();
  s[0] = s[1] = s[2] = s[3] = s[4] = s[5] = s[6] = s[7] = s[8] = s[9] = s[10] = s[11] = z;
  s[12] = s[13] = s[14] = s[15] = s[16] = s[17] = s[18] = s[19] = s[20] = s[21] = s[22] = z;
  s[23] = s[24] = z;
  size_t off = 0;
  for (; len - off >= SM_SHA3_256_RATE; off += SM_SHA3_256_RATE) {
    for (int i = 0; i < SM_SHA3_256_RATE / 8; i++)
      s[i] = _mm256_xor_si256(s[i], lane_x4(in, off + 8 * (size_t)i));
    keccakf1600_x4(s);
  }
  /* The last block: whole lanes, then the lane holding the tail bytes and the first byte
   * of the padding, then the final 0x80. No byte past len is read. */
  size_t rem = len - off, i = 0;
  for (; 8 * (i + 1) <= rem; i++) s[i] = _mm256_xor_si256(s[i], lane_x4(in, off + 8 * i));
  size_t tail = rem - 8 * i;
  uint64_t t[4];
  for (int j = 0; j < 4; j++) {
    uint64_t v = 0;
    for (size_t b = 0; b < tail; b++) v |= (uint64_t)in[j][off + 8 * i + b] << (8 * b);
    t[j] = v | ((uint64_t)pad << (8 * tail));
  }
  s[i] = _mm256_xor_si256(s[i], _mm256_set_epi64x((long long)t[3], (long long)t[2],
                                                  (long long)t[1], (long long)t[0]));
  s[SM_SHA3_256_RATE / 8 - 1] =
      _mm256_xor_si256(s[SM_SHA3_256_RATE / 8 - 1], _mm256_set1_epi64x((long long)(1ull << 63)));
  keccakf1600_x4(s);
}

/* Writes lanes l .. l + 3 of the four states to out[j] + 8 l: a 4 x 4 transpose of 64-bit
   elements. */
static inline void store_lanes_x4(uint8_t *const out[4], const __m256i s[25], int l) {
  __m256i lo01 = _mm256_unpacklo_epi64(s[l], s[l + 1]);
  __m256i hi01 = _mm256_unpackhi_epi64(s[l], s[l + 1]);
  __m256i lo23 = _mm256_unpacklo_epi64(s[l + 2], s[l + 3]);
  __m256i hi23 = _mm256_unpackhi_epi64(s[l + 2], s[l + 3]);
  _mm256_storeu_si256((__m256i *)(out[0] + 8 * l), _mm256_permute2x128_si256(lo01, lo23, 0x20));
  _mm256_storeu_si256((__m256i *)(out[1] + 8 * l), _mm256_permute2x128_si256(hi01, hi23, 0x20));
  _mm256_storeu_si256((__m256i *)(out[2] + 8 * l), _mm256_permute2x128_si256(lo01, lo23, 0x31));
  _mm256_storeu_si256((__m256i *)(out[3] + 8 * l), _mm256_permute2x128_si256(hi01, hi23, 0x31));
}

void sm_sha3_256_x4(uint8_t *const out[4], const uint8_t *const in[4], size_t len) {
  __m256i s[25];
  sponge_x4(s, in, len, PAD_SHA3);
  store_lanes_x4(out, s, 0); /* the digest is lanes 0 .. 3 */
}

void sm_shake256_block_x4(uint8_t *const out[4], const uint8_t *const in[4], size_t len) {
  __m256i s[25];
  sponge_x4(s, in, len, PAD_SHAKE);
  for (int l = 0; l < 16; l += 4) store_lanes_x4(out, s, l);
  uint64_t last[4]; /* lane 16 */
  _mm256_storeu_si256((__m256i *)last, s[16]);
  for (int j = 0; j < 4; j++) store64_le(out[j] + 128, last[j]);
}

#else /* no AVX2: four single-stream hashes give the same digests */

void sm_sha3_256_x4(uint8_t *const out[4], const uint8_t *const in[4], size_t len) {
  for (int j = 0; j < 4; j++) sm_sha3_256(out[j], in[j], len);
}

void sm_shake256_block_x4(uint8_t *const out[4], const uint8_t *const in[4], size_t len) {
  for (int j = 0; j < 4; j++) sm_shake256_block(out[j], in[j], len);
}

#endif
