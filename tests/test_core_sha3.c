/*
 * SHA3-256 and Keccak-f[1600]: the FIPS 202 example values, and OpenSSL's EVP as an
 * independent oracle for every length across the rate boundary, for random incremental
 * splits, and (through SHAKE128's squeezed blocks) for the bare permutation.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha3.h"
#include "tests/sm_test.h"

static void from_hex(uint8_t *out, const char *hex, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
    out[i] = (uint8_t)v;
  }
}

static void openssl_sha3_256(uint8_t out[32], const void *data, size_t len) {
  unsigned n = 0;
  assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha3_256(), NULL), 1);
  assert_int_equal(n, 32);
}

static void fill_random(uint8_t *p, size_t n, uint64_t *rng) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)sm_test_next(rng);
}

static void fips202_examples(void **state) {
  (void)state;
  static const struct {
    const char *msg;  /* NULL: 200 bytes of 0xa3 */
    const char *hex;
  } v[] = {
      {"", "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
      {"abc", "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376"},
      {NULL, "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787"},
  };
  uint8_t a3[200];
  memset(a3, 0xa3, sizeof a3);
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    const void *msg = v[i].msg ? (const void *)v[i].msg : a3;
    size_t len = v[i].msg ? strlen(v[i].msg) : sizeof a3;
    uint8_t want[32], got[32];
    from_hex(want, v[i].hex, 32);
    sm_sha3_256(got, msg, len);
    assert_memory_equal(got, want, 32);
    /* The same message one byte at a time exercises the byte path of update. */
    sm_sha3_ctx c;
    sm_sha3_256_init(&c);
    for (size_t j = 0; j < len; j++) sm_sha3_256_update(&c, (const uint8_t *)msg + j, 1);
    sm_sha3_256_final(&c, got);
    assert_memory_equal(got, want, 32);
  }
}

/* Every length 0..1000 covers the empty message, partial and full blocks (136 bytes) and
 * a padding byte that lands on the last byte of the rate. Odd offsets check unaligned
 * lane loads. */
static void lengths_match_openssl(void **state) {
  (void)state;
  enum { MAX = 1000 };
  uint64_t rng = sm_test_seed();
  uint8_t *buf = malloc(MAX + 8);
  assert_non_null(buf);
  fill_random(buf, MAX + 8, &rng);
  for (size_t len = 0; len <= MAX; len++) {
    size_t off = len % 8;
    uint8_t want[32], got[32];
    openssl_sha3_256(want, buf + off, len);
    sm_sha3_256(got, buf + off, len);
    if (memcmp(got, want, 32) != 0) fail_msg("length %zu offset %zu differs", len, off);
  }
  free(buf);
}

static void incremental_random_splits(void **state) {
  (void)state;
  enum { MAX = 2000, TRIALS = 300 };
  uint64_t rng = sm_test_seed() ^ 0x5a5a;
  uint8_t *buf = malloc(MAX);
  assert_non_null(buf);
  fill_random(buf, MAX, &rng);
  for (int t = 0; t < TRIALS; t++) {
    size_t len = (size_t)(sm_test_next(&rng) % (MAX + 1));
    uint8_t want[32], got[32];
    sm_sha3_256(want, buf, len);
    sm_sha3_ctx c;
    sm_sha3_256_init(&c);
    size_t done = 0;
    while (done < len) {
      /* Mostly short pieces, sometimes more than a block, sometimes empty. */
      uint64_t r = sm_test_next(&rng);
      size_t piece = (r & 3) == 0 ? (size_t)(r >> 8) % 400 : (size_t)(r >> 8) % 20;
      if (piece > len - done) piece = len - done;
      sm_sha3_256_update(&c, buf + done, piece);
      done += piece;
    }
    sm_sha3_256_final(&c, got);
    if (memcmp(got, want, 32) != 0) fail_msg("trial %d (length %zu) differs", t, len);
  }
  free(buf);
}

/* Four streams at once equal four single-stream hashes, for every length across two
 * block boundaries, with distinct messages at distinct alignments, and with each output
 * written over its own input. */
static void x4_matches_single_stream(void **state) {
  (void)state;
  enum { MAX = 600 };
  uint64_t rng = sm_test_seed() ^ 0x4444;
  uint8_t *buf = malloc(4 * (MAX + 8));
  assert_non_null(buf);
  fill_random(buf, 4 * (MAX + 8), &rng);
  for (size_t len = 0; len <= MAX; len++) {
    const uint8_t *in[4];
    uint8_t got[4][32], want[4][32];
    uint8_t *out[4] = {got[0], got[1], got[2], got[3]};
    for (int j = 0; j < 4; j++) {
      in[j] = buf + (size_t)j * (MAX + 8) + (len + (size_t)j) % 8;
      sm_sha3_256(want[j], in[j], len);
    }
    sm_sha3_256_x4(out, in, len);
    for (int j = 0; j < 4; j++)
      if (memcmp(got[j], want[j], 32) != 0) fail_msg("length %zu stream %d differs", len, j);
  }
  /* In place: out[j] == in[j], on 64-byte messages (as for Merkle nodes). */
  uint8_t msgs[4][64];
  uint8_t want[4][32];
  fill_random(&msgs[0][0], sizeof msgs, &rng);
  for (int j = 0; j < 4; j++) sm_sha3_256(want[j], msgs[j], 64);
  uint8_t *out[4] = {msgs[0], msgs[1], msgs[2], msgs[3]};
  const uint8_t *in[4] = {msgs[0], msgs[1], msgs[2], msgs[3]};
  sm_sha3_256_x4(out, in, 64);
  for (int j = 0; j < 4; j++) assert_memory_equal(msgs[j], want[j], 32);
  free(buf);
}

/* Keccak-f[1600] of the all-zero state (the Keccak team's intermediate-values file). */
static void keccakf_zero_state(void **state) {
  (void)state;
  static const uint64_t want[25] = {
      0xF1258F7940E1DDE7ULL, 0x84D5CCF933C0478AULL, 0xD598261EA65AA9EEULL,
      0xBD1547306F80494DULL, 0x8B284E056253D057ULL, 0xFF97A42D7F8E6FD4ULL,
      0x90FEE5A0A44647C4ULL, 0x8C5BDA0CD6192E76ULL, 0xAD30A6F71B19059CULL,
      0x30935AB7D08FFC64ULL, 0xEB5AA93F2317D635ULL, 0xA9A6E6260D712103ULL,
      0x81A57C16DBCF555FULL, 0x43B831CD0347C826ULL, 0x01F22F1A11A5569FULL,
      0x05E5635A21D9AE61ULL, 0x64BEFEF28CC970F2ULL, 0x613670957BC46611ULL,
      0xB87C5A554FD00ECBULL, 0x8C3EE88A1CCF32C8ULL, 0x940C7922AE3A2614ULL,
      0x1841F924A2C509E4ULL, 0x16F53526E70465C2ULL, 0x75F644E97F30A13BULL,
      0xEAF1FF7B5CECA249ULL};
  uint64_t s[25] = {0};
  sm_keccakf1600(s);
  assert_memory_equal(s, want, sizeof want);
}

/*
 * The bare permutation against OpenSSL: SHAKE128 (rate 168 bytes = 21 lanes) of a short
 * message squeezes block k from the first 21 lanes of P^k(padded message). The four
 * capacity lanes are not squeezed directly, but each later block depends on them.
 */
static void keccakf_matches_openssl_shake(void **state) {
  (void)state;
  enum { RATE = 168, BLOCKS = 16, TRIALS = 20 };
  uint64_t rng = sm_test_seed() ^ 0xa5a5;
  for (int t = 0; t < TRIALS; t++) {
    uint8_t msg[RATE - 1];
    size_t len = (size_t)(sm_test_next(&rng) % sizeof msg);
    fill_random(msg, len, &rng);
    uint8_t want[RATE * BLOCKS];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    assert_non_null(c);
    assert_int_equal(EVP_DigestInit_ex(c, EVP_shake128(), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(c, msg, len), 1);
    assert_int_equal(EVP_DigestFinalXOF(c, want, sizeof want), 1);
    EVP_MD_CTX_free(c);

    uint8_t block[RATE] = {0};
    memcpy(block, msg, len);
    block[len] ^= 0x1f; /* SHAKE domain bits 1111, then the first bit of pad10*1 */
    block[RATE - 1] ^= 0x80;
    uint64_t s[25] = {0};
    for (int i = 0; i < RATE / 8; i++)
      for (int j = 0; j < 8; j++) s[i] |= (uint64_t)block[8 * i + j] << (8 * j);
    for (int k = 0; k < BLOCKS; k++) {
      sm_keccakf1600(s);
      for (int i = 0; i < RATE; i++) {
        uint8_t b = (uint8_t)(s[i / 8] >> (8 * (i % 8)));
        if (b != want[k * RATE + i]) fail_msg("trial %d block %d byte %d differs", t, k, i);
      }
    }
  }
}

/* sm_shake256_block and its 4-way form against OpenSSL's SHAKE256 (its first 136 output
 * bytes), for every length across two block boundaries, at distinct alignments. */
static void shake256_block_matches_openssl(void **state) {
  (void)state;
  enum { MAX = 300 };
  uint64_t rng = sm_test_seed() ^ 0x5a4b;
  uint8_t *buf = malloc(4 * (MAX + 8));
  assert_non_null(buf);
  fill_random(buf, 4 * (MAX + 8), &rng);
  for (size_t len = 0; len <= MAX; len++) {
    const uint8_t *in[4];
    uint8_t want[4][SM_SHAKE256_BLOCK], one[SM_SHAKE256_BLOCK], got[4][SM_SHAKE256_BLOCK];
    uint8_t *out[4] = {got[0], got[1], got[2], got[3]};
    for (int j = 0; j < 4; j++) {
      in[j] = buf + (size_t)j * (MAX + 8) + (len + 3 * (size_t)j) % 8;
      EVP_MD_CTX *c = EVP_MD_CTX_new();
      assert_non_null(c);
      assert_int_equal(EVP_DigestInit_ex(c, EVP_shake256(), NULL), 1);
      assert_int_equal(EVP_DigestUpdate(c, in[j], len), 1);
      assert_int_equal(EVP_DigestFinalXOF(c, want[j], SM_SHAKE256_BLOCK), 1);
      EVP_MD_CTX_free(c);
      sm_shake256_block(one, in[j], len);
      if (memcmp(one, want[j], SM_SHAKE256_BLOCK) != 0) fail_msg("length %zu differs", len);
    }
    sm_shake256_block_x4(out, in, len);
    for (int j = 0; j < 4; j++)
      if (memcmp(got[j], want[j], SM_SHAKE256_BLOCK) != 0)
        fail_msg("x4: length %zu stream %d differs", len, j);
  }
  free(buf);
}

SM_TEST_MAIN(cmocka_unit_test(fips202_examples), cmocka_unit_test(lengths_match_openssl),
             cmocka_unit_test(incremental_random_splits),
             cmocka_unit_test(x4_matches_single_stream), cmocka_unit_test(keccakf_zero_state),
             cmocka_unit_test(keccakf_matches_openssl_shake),
             cmocka_unit_test(shake256_block_matches_openssl))
