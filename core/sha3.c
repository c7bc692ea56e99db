#include "core/sha3.h"

#include <string.h>

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

static inline uint64_t rotl64(uint64_t x, unsigned r) {
  return (x << r) | (x >> ((64 - r) & 63));
}

/* rho offsets and pi destinations, indexed by lane i = x + 5y. */
static const unsigned keccak_rho[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                                        25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};

void sm_keccakf1600(uint64_t a[25]) {
  for (int round = 0; round < 24; round++) {
    uint64_t c[5], b[25];
    for (int x = 0; x < 5; x++) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; x++) {
      uint64_t d = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    /* rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y]) */
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++)
        b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(a[x + 5 * y], keccak_rho[x + 5 * y]);
    for (int y = 0; y < 25; y += 5)
      for (int x = 0; x < 5; x++) a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]);
    a[0] ^= keccak_rc[round];
  }
}

static inline void xor_byte(uint64_t *s, size_t pos, uint8_t v) {
  s[pos >> 3] ^= (uint64_t)v << (8 * (pos & 7));
}

void sm_sha3_256_init(sm_sha3_ctx *c) { memset(c, 0, sizeof *c); }

void sm_sha3_256_update(sm_sha3_ctx *c, const void *data, size_t len) {
  const uint8_t *p = data;
  while (len > 0) {
    xor_byte(c->s, c->pos, *p++);
    len--;
    if (++c->pos == SM_SHA3_256_RATE) {
      sm_keccakf1600(c->s);
      c->pos = 0;
    }
  }
}

void sm_sha3_256_final(sm_sha3_ctx *c, uint8_t out[SM_SHA3_256_LEN]) {
  xor_byte(c->s, c->pos, 0x06);               /* SHA-3 domain bits 01, then pad10*1 */
  xor_byte(c->s, SM_SHA3_256_RATE - 1, 0x80);
  sm_keccakf1600(c->s);
  for (size_t i = 0; i < SM_SHA3_256_LEN; i++) out[i] = (uint8_t)(c->s[i >> 3] >> (8 * (i & 7)));
}

void sm_sha3_256(uint8_t out[SM_SHA3_256_LEN], const void *data, size_t len) {
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, data, len);
  sm_sha3_256_final(&c, out);
}
