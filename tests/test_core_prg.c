/*
 * The prover's PRG (core/prg.h): blocks equal an independent OpenSSL SHA3-256 of the
 * documented message, wide blocks OpenSSL's SHAKE256 of theirs; the 4-way paths equal four
 * single blocks; streams read bytes in block order; field draws are canonical; labels
 * separate streams.
 */
#include <openssl/evp.h>
#include <string.h>

#include "core/prg.h"
#include "tests/sm_test.h"

/* The documented message of block i under a domain string; returns its length. */
static size_t reference_message(uint8_t msg[256], const char *domain, const uint8_t seed[32],
                                const char *label, uint64_t i) {
  size_t n = strlen(domain), ll = strlen(label);
  if (ll > SM_PRG_MAX_LABEL) ll = SM_PRG_MAX_LABEL;
  memcpy(msg, domain, n);
  memcpy(msg + n, seed, 32), n += 32;
  for (int k = 0; k < 4; k++) msg[n++] = (uint8_t)(ll >> (8 * k));
  memcpy(msg + n, label, ll), n += ll;
  for (int k = 0; k < 8; k++) msg[n++] = (uint8_t)(i >> (8 * k));
  return n;
}

static void reference_block(uint8_t out[32], const uint8_t seed[32], const char *label,
                            uint64_t i) {
  uint8_t msg[256];
  size_t n = reference_message(msg, "starkml/prg/v1", seed, label, i);
  unsigned int len = 0;
  assert_int_equal(EVP_Digest(msg, n, out, &len, EVP_sha3_256(), NULL), 1);
  assert_int_equal(len, 32);
}

/* Wide block i: OpenSSL's SHAKE256 of the message in the wide domain, 136 bytes. */
static void reference_wide_block(uint8_t out[SM_PRG_WIDE_LEN], const uint8_t seed[32],
                                 const char *label, uint64_t i) {
  uint8_t msg[256];
  size_t n = reference_message(msg, "starkml/prg/wide/v1", seed, label, i);
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  assert_non_null(c);
  assert_int_equal(EVP_DigestInit_ex(c, EVP_shake256(), NULL), 1);
  assert_int_equal(EVP_DigestUpdate(c, msg, n), 1);
  assert_int_equal(EVP_DigestFinalXOF(c, out, SM_PRG_WIDE_LEN), 1);
  EVP_MD_CTX_free(c);
}

static void blocks_match_openssl(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed();
  const char *labels[] = {"", "salt/main/0", "zk/blind/3",
                          "a label longer than the sixty-four byte limit of the generator......"};
  for (size_t l = 0; l < 4; l++)
    for (int t = 0; t < 50; t++) {
      uint8_t seed[32], a[32], b[32];
      for (int k = 0; k < 32; k++) seed[k] = (uint8_t)sm_test_next(&rng);
      uint64_t i = t < 5 ? (uint64_t)t : sm_test_next(&rng);
      sm_prg_at(a, seed, labels[l], i);
      reference_block(b, seed, labels[l], i);
      assert_memory_equal(a, b, 32);
    }
}

static void x4_matches_single(void **state) {
  (void)state;
  uint8_t seed[32] = {7, 1};
  for (uint64_t i = 0; i < 64; i += 3) {
    uint8_t four[4][32], one[32];
    sm_prg_at_x4(four, seed, "salt/quotient/1", i);
    for (int k = 0; k < 4; k++) {
      sm_prg_at(one, seed, "salt/quotient/1", i + (uint64_t)k);
      assert_memory_equal(four[k], one, 32);
    }
  }
}

/* Wide blocks against OpenSSL, single and 4-way, for labels of every kind. */
static void wide_blocks_match_openssl(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x77;
  const char *labels[] = {"", "salt/aux/2",
                          "a label longer than the sixty-four byte limit of the generator......"};
  for (size_t l = 0; l < 3; l++)
    for (int t = 0; t < 20; t++) {
      uint8_t seed[32], four[4][SM_PRG_WIDE_LEN], one[SM_PRG_WIDE_LEN], want[SM_PRG_WIDE_LEN];
      for (int k = 0; k < 32; k++) seed[k] = (uint8_t)sm_test_next(&rng);
      uint64_t i = t < 5 ? (uint64_t)t : sm_test_next(&rng) >> 2;
      sm_prg_wide_at_x4(four, seed, labels[l], i);
      for (int k = 0; k < 4; k++) {
        reference_wide_block(want, seed, labels[l], i + (uint64_t)k);
        sm_prg_wide_at(one, seed, labels[l], i + (uint64_t)k);
        assert_memory_equal(one, want, SM_PRG_WIDE_LEN);
        assert_memory_equal(four[k], want, SM_PRG_WIDE_LEN);
      }
    }
}

static void stream_reads_blocks_in_order(void **state) {
  (void)state;
  uint8_t seed[32] = {3};
  sm_prg g;
  sm_prg_init(&g, seed, "zk/main/0");
  /* Reads of odd sizes across the stream's four-block refills (blocks 0..3, 4..7, ...). */
  uint8_t got[300], want[320];
  sm_prg_bytes(&g, got, 5);
  sm_prg_bytes(&g, got + 5, 60);
  sm_prg_bytes(&g, got + 65, 35);
  sm_prg_bytes(&g, got + 100, 29);
  sm_prg_bytes(&g, got + 129, 171);
  for (int b = 0; b < 10; b++) sm_prg_at(want + 32 * b, seed, "zk/main/0", (uint64_t)b);
  assert_memory_equal(got, want, 300);
  /* Field draws are canonical and differ between labels. */
  sm_prg a, c;
  sm_prg_init(&a, seed, "x");
  sm_prg_init(&c, seed, "y");
  int differ = 0;
  for (int k = 0; k < 1000; k++) {
    gl_t u = sm_prg_gl(&a), v = sm_prg_gl(&c);
    assert_true(u < GL_P && v < GL_P);
    differ |= u != v;
  }
  assert_true(differ);
}

static void os_seed_is_random(void **state) {
  (void)state;
  uint8_t a[32], b[32];
  assert_int_equal(sm_prg_os_seed(a), STARKML_OK);
  assert_int_equal(sm_prg_os_seed(b), STARKML_OK);
  assert_memory_not_equal(a, b, 32);
}

SM_TEST_MAIN(cmocka_unit_test(blocks_match_openssl), cmocka_unit_test(x4_matches_single),
             cmocka_unit_test(wide_blocks_match_openssl),
             cmocka_unit_test(stream_reads_blocks_in_order), cmocka_unit_test(os_seed_is_random))
