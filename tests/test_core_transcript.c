/*
 * Tests for the Fiat-Shamir transcript (core/transcript.h).
 *
 * The reference below re-implements the encoding of the header comment from scratch,
 * building each hashed message as one byte string and hashing it with OpenSSL's EVP
 * SHA3-256 (never sm_sha3), so that a mistake in either the encoding or starkml's SHA3
 * shows up as a state mismatch after the operation that introduced it.
 */
#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/transcript.h"

/* Internal to core/transcript.c (see its definition); declared here for the test. */

/* ---- Reference model ----------------------------------------------------------------- */

typedef struct {
  uint8_t s[32];
} ref_tr;

static void ref_sha3(uint8_t out[32], const uint8_t *msg, size_t len) {
  unsigned int olen = 0;
  assert_int_equal(EVP_Digest(msg, len, out, &olen, EVP_sha3_256(), NULL), 1);
  assert_int_equal(olen, 32);
}

/* A growable message buffer. */
typedef struct {
  uint8_t *b;
  size_t len, cap;
} msg;

static void msg_put(msg *m, const void *p, size_t n) {
  if (m->len + n > m->cap) {
    m->cap = (m->len + n) * 2 + 64;
    m->b = realloc(m->b, m->cap);
    assert_non_null(m->b);
  }
  if (n > 0) memcpy(m->b + m->len, p, n);
  m->len += n;
}

static void msg_byte(msg *m, uint8_t v) { msg_put(m, &v, 1); }

static void msg_le(msg *m, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) msg_byte(m, (uint8_t)(v >> (8 * i)));
}

static void msg_hash_into(msg *m, uint8_t out[32]) {
  ref_sha3(out, m->b, m->len);
  free(m->b);
  memset(m, 0, sizeof *m);
}

static void ref_init(ref_tr *r, const char *domain) {
  msg m = {0};
  msg_byte(&m, 0x10);
  msg_le(&m, strlen(domain), 4);
  msg_put(&m, domain, strlen(domain));
  msg_hash_into(&m, r->s);
}

static void ref_absorb(ref_tr *r, const char *label, const void *data, size_t len) {
  msg m = {0};
  msg_byte(&m, 0x11);
  msg_put(&m, r->s, 32);
  msg_le(&m, strlen(label), 4);
  msg_put(&m, label, strlen(label));
  msg_le(&m, len, 8);
  msg_put(&m, data, len);
  msg_hash_into(&m, r->s);
}

static void ref_squeeze(ref_tr *r, const char *label) {
  msg m = {0};
  msg_byte(&m, 0x12);
  msg_put(&m, r->s, 32);
  msg_le(&m, strlen(label), 4);
  msg_put(&m, label, strlen(label));
  msg_hash_into(&m, r->s);
}

static uint64_t ref_word(const ref_tr *r, int i) {
  uint64_t v = 0;
  for (int k = 0; k < 8; k++) v |= (uint64_t)r->s[8 * i + k] << (8 * k);
  return v;
}

/* n base-field elements, rejecting candidates >= p, fresh squeeze per block of four. */
static void ref_challenge(ref_tr *r, const char *label, uint64_t *out, int n) {
  int have = 0;
  while (have < n) {
    ref_squeeze(r, label);
    for (int i = 0; i < 4 && have < n; i++) {
      uint64_t c = ref_word(r, i);
      if (c < GL_P) out[have++] = c;
    }
  }
}

static void ref_indices(ref_tr *r, const char *label, size_t *out, size_t count, unsigned log_n) {
  for (size_t i = 0; i < count; i++) {
    if (i % 4 == 0) ref_squeeze(r, label);
    uint64_t c = ref_word(r, (int)(i % 4));
    out[i] = (size_t)(log_n == 64 ? c : c % (1ULL << log_n));
  }
}

/* Whether nonce passes: D = SHA3(0x13 || S || LE64(nonce)) has `bits` leading zero bits. */
static int ref_pow_valid(const ref_tr *r, unsigned bits, uint64_t nonce) {
  msg m = {0};
  uint8_t d[32];
  msg_byte(&m, 0x13);
  msg_put(&m, r->s, 32);
  msg_le(&m, nonce, 8);
  msg_hash_into(&m, d);
  /* Bit i counted from the MSB of d[0]: bit (7 - i % 8) of d[i / 8]. */
  for (unsigned i = 0; i < bits; i++) {
    if ((d[i / 8] >> (7 - i % 8)) & 1) return 0;
  }
  return 1;
}

static void ref_pow_absorb(ref_tr *r, uint64_t nonce) {
  uint8_t b[8];
  for (int k = 0; k < 8; k++) b[k] = (uint8_t)(nonce >> (8 * k));
  ref_absorb(r, "pow-nonce", b, 8);
}

static void assert_same_state(const sm_transcript *t, const ref_tr *r) {
  assert_memory_equal(t->state, r->s, 32);
}

/* The test's own little-endian packing (independent of core/ser.h). */
static void le64_put(uint8_t *b, uint64_t v) {
  for (int k = 0; k < 8; k++) b[k] = (uint8_t)(v >> (8 * k));
}

static void fill_random(uint8_t *b, size_t n, uint64_t *rng) {
  for (size_t i = 0; i < n; i++) b[i] = (uint8_t)sm_test_next(rng);
}

/* ---- The encoding, operation by operation --------------------------------------------- */

static void script_matches_reference(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x7472ULL;
  uint8_t data[1000];
  fill_random(data, sizeof data, &rng);
  char long_label[200];
  memset(long_label, 'L', sizeof long_label - 1);
  long_label[sizeof long_label - 1] = '\0';

  sm_transcript t;
  ref_tr r;
  sm_tr_init(&t, "starkml/test/v1");
  ref_init(&r, "starkml/test/v1");
  assert_same_state(&t, &r);

  /* Absorbs of every length from 0 to 300 bytes cross the 136-byte SHA3 rate at every
   * offset, then some longer ones. */
  for (size_t len = 0; len <= 300; len++) {
    sm_tr_absorb(&t, "data", data, len);
    ref_absorb(&r, "data", data, len);
    assert_same_state(&t, &r);
  }
  const size_t lens[] = {407, 408, 999, 1000};
  for (size_t i = 0; i < 4; i++) {
    sm_tr_absorb(&t, "", data, lens[i]);
    ref_absorb(&r, "", data, lens[i]);
    assert_same_state(&t, &r);
  }
  sm_tr_absorb(&t, long_label, data, 3);
  ref_absorb(&r, long_label, data, 3);
  assert_same_state(&t, &r);
  sm_tr_absorb(&t, "null-data", NULL, 0);
  ref_absorb(&r, "null-data", NULL, 0);
  assert_same_state(&t, &r);

  /* Typed absorbs are LE64 words. */
  uint64_t u = sm_test_next(&rng);
  uint8_t ub[8];
  le64_put(ub, u);
  sm_tr_absorb_u64(&t, "u64", u);
  ref_absorb(&r, "u64", ub, 8);
  assert_same_state(&t, &r);
  gl_t g[100];
  uint8_t gb[800];
  for (int i = 0; i < 100; i++) {
    g[i] = gl_from_u64(sm_test_next(&rng));
    le64_put(gb + 8 * i, g[i]);
  }
  const size_t gn[] = {0, 1, 17, 64, 65, 100};
  for (size_t i = 0; i < sizeof gn / sizeof gn[0]; i++) {
    sm_tr_absorb_gl(&t, "gl", g, gn[i]);
    ref_absorb(&r, "gl", gb, 8 * gn[i]);
    assert_same_state(&t, &r);
  }
  gl3_t e[30];
  for (int i = 0; i < 30; i++) {
    for (int k = 0; k < 3; k++) e[i].v[k] = g[3 * i + k];
  }
  sm_tr_absorb_gl3(&t, "gl3", e, 30);
  ref_absorb(&r, "gl3", gb, 8 * 90);
  assert_same_state(&t, &r);
  sm_tr_absorb_gl3(&t, "gl3", e, 0);
  ref_absorb(&r, "gl3", gb, 0);
  assert_same_state(&t, &r);

  /* Challenges. */
  for (int i = 0; i < 5; i++) {
    uint64_t want[3];
    gl_t c = sm_tr_challenge_gl(&t, "alpha");
    ref_challenge(&r, "alpha", want, 1);
    assert_int_equal(c, want[0]);
    assert_same_state(&t, &r);
    gl3_t c3 = sm_tr_challenge_gl3(&t, "beta");
    ref_challenge(&r, "beta", want, 3);
    for (int k = 0; k < 3; k++) assert_int_equal(c3.v[k], want[k]);
    assert_same_state(&t, &r);
  }

  /* Indices for several domain sizes and counts (0, within one squeeze, across several). */
  const struct {
    unsigned log_n;
    size_t count;
  } ix[] = {{1, 9}, {10, 4}, {10, 5}, {63, 13}, {20, 0}, {0, 3}, {32, 1}};
  for (size_t i = 0; i < sizeof ix / sizeof ix[0]; i++) {
    size_t got[16], want[16];
    sm_tr_challenge_indices(&t, "queries", got, ix[i].count, ix[i].log_n);
    ref_indices(&r, "queries", want, ix[i].count, ix[i].log_n);
    for (size_t k = 0; k < ix[i].count; k++) {
      assert_int_equal(got[k], want[k]);
      if (ix[i].log_n < 64) assert_true(got[k] < ((size_t)1 << ix[i].log_n));
    }
    assert_same_state(&t, &r);
  }

  /* Proof of work, then more challenges from the state it leaves. */
  uint64_t nonce = 99;
  assert_int_equal(sm_tr_grind(&t, &nonce, 8, 1), STARKML_OK);
  uint64_t want_nonce = 0;
  while (!ref_pow_valid(&r, 8, want_nonce)) want_nonce++;
  assert_int_equal(nonce, want_nonce);
  ref_pow_absorb(&r, want_nonce);
  assert_same_state(&t, &r);
  uint64_t want;
  gl_t c = sm_tr_challenge_gl(&t, "after-pow");
  ref_challenge(&r, "after-pow", &want, 1);
  assert_int_equal(c, want);

  /* Other domains, including the empty one. */
  sm_tr_init(&t, "");
  ref_init(&r, "");
  assert_same_state(&t, &r);
  sm_tr_init(&t, long_label);
  ref_init(&r, long_label);
  assert_same_state(&t, &r);
  sm_tr_free(&t);
}

/* Random scripts of operations, compared with the reference after each one. */
static void random_scripts_match_reference(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x736372ULL;
  static const char *labels[] = {"", "a", "alpha", "trace-root", "fri-fold-17",
                                 "a label long enough to matter"};
  for (int iter = 0; iter < 40; iter++) {
    sm_transcript t;
    ref_tr r;
    const char *dom = labels[sm_test_next(&rng) % 6];
    sm_tr_init(&t, dom);
    ref_init(&r, dom);
    for (int op = 0; op < 30; op++) {
      const char *label = labels[sm_test_next(&rng) % 6];
      switch (sm_test_next(&rng) % 4) {
        case 0: {
          uint8_t d[300];
          size_t len = sm_test_next(&rng) % sizeof d;
          fill_random(d, len, &rng);
          sm_tr_absorb(&t, label, d, len);
          ref_absorb(&r, label, d, len);
          break;
        }
        case 1: {
          uint64_t w;
          gl_t c = sm_tr_challenge_gl(&t, label);
          ref_challenge(&r, label, &w, 1);
          assert_int_equal(c, w);
          break;
        }
        case 2: {
          uint64_t w[3];
          gl3_t c = sm_tr_challenge_gl3(&t, label);
          ref_challenge(&r, label, w, 3);
          for (int k = 0; k < 3; k++) assert_int_equal(c.v[k], w[k]);
          break;
        }
        default: {
          size_t got[12], want[12];
          size_t count = sm_test_next(&rng) % 12;
          unsigned log_n = (unsigned)(sm_test_next(&rng) % 64);
          sm_tr_challenge_indices(&t, label, got, count, log_n);
          ref_indices(&r, label, want, count, log_n);
          for (size_t k = 0; k < count; k++) assert_int_equal(got[k], want[k]);
          break;
        }
      }
      assert_same_state(&t, &r);
    }
    sm_tr_free(&t);
  }
}

/* ---- Binding properties -------------------------------------------------------------- */

static gl_t challenge_after(const char *domain, const char *l1, const char *d1, const char *l2,
                            const char *d2) {
  sm_transcript t;
  sm_tr_init(&t, domain);
  if (l1 != NULL) sm_tr_absorb(&t, l1, d1, strlen(d1));
  if (l2 != NULL) sm_tr_absorb(&t, l2, d2, strlen(d2));
  gl_t c = sm_tr_challenge_gl(&t, "c");
  sm_tr_free(&t);
  return c;
}

static void determinism_and_separation(void **state) {
  (void)state;
  gl_t base = challenge_after("d", "x", "data", "y", "more");
  /* Deterministic. */
  assert_int_equal(challenge_after("d", "x", "data", "y", "more"), base);
  /* Every input matters: domain, each label, each datum, the order. */
  assert_int_not_equal(challenge_after("e", "x", "data", "y", "more"), base);
  assert_int_not_equal(challenge_after("d", "z", "data", "y", "more"), base);
  assert_int_not_equal(challenge_after("d", "x", "data", "z", "more"), base);
  assert_int_not_equal(challenge_after("d", "x", "dat4", "y", "more"), base);
  assert_int_not_equal(challenge_after("d", "x", "data", "y", "mor"), base);
  assert_int_not_equal(challenge_after("d", "y", "more", "x", "data"), base);
  /* Length prefixes make the encoding injective: label/data boundaries and absorb
   * boundaries are both bound. */
  assert_int_not_equal(challenge_after("d", "ab", "c", NULL, NULL),
                       challenge_after("d", "a", "bc", NULL, NULL));
  assert_int_not_equal(challenge_after("d", "l", "ab", "l", "c"),
                       challenge_after("d", "l", "abc", NULL, NULL));
  assert_int_not_equal(challenge_after("d", "l", "", NULL, NULL),
                       challenge_after("d", NULL, NULL, NULL, NULL));
  assert_int_not_equal(challenge_after("dx", NULL, NULL, NULL, NULL),
                       challenge_after("d", "x", "", NULL, NULL));

  /* The challenge label matters, and consecutive challenges differ. */
  sm_transcript a, b;
  sm_tr_init(&a, "d");
  sm_tr_init(&b, "d");
  gl_t ca = sm_tr_challenge_gl(&a, "alpha"), cb = sm_tr_challenge_gl(&b, "beta");
  assert_int_not_equal(ca, cb);
  assert_int_not_equal(sm_tr_challenge_gl(&a, "alpha"), ca);
  /* A squeeze and an empty absorb with the same label are different operations. */
  sm_tr_init(&a, "d");
  sm_tr_init(&b, "d");
  sm_tr_challenge_gl(&a, "x");
  sm_tr_absorb(&b, "x", NULL, 0);
  assert_memory_not_equal(a.state, b.state, 32);
  /* The typed absorbs are exactly their documented byte strings. */
  sm_tr_init(&a, "d");
  sm_tr_init(&b, "d");
  gl_t v[2] = {5, GL_P - 1};
  uint8_t vb[16];
  le64_put(vb, 5);
  le64_put(vb + 8, GL_P - 1);
  sm_tr_absorb_gl(&a, "v", v, 2);
  sm_tr_absorb(&b, "v", vb, 16);
  assert_memory_equal(a.state, b.state, 32);
  sm_tr_absorb_u64(&a, "u", 77);
  sm_tr_absorb_gl(&b, "u", (const gl_t[]){77}, 1);
  assert_memory_equal(a.state, b.state, 32);
  /* Indices: zero count is a no-op; log_n = 0 gives zeros. */
  uint8_t before[32];
  memcpy(before, a.state, 32);
  size_t idx[5] = {1, 1, 1, 1, 1};
  sm_tr_challenge_indices(&a, "q", idx, 0, 10);
  assert_memory_equal(a.state, before, 32);
  sm_tr_challenge_indices(&a, "q", idx, 5, 0);
  for (int i = 0; i < 5; i++) assert_int_equal(idx[i], 0);
  sm_tr_free(&a);
  sm_tr_free(&b);
}

/* ---- Rejection sampling -------------------------------------------------------------- */

static void put_block(uint8_t b[32], uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) {
  le64_put(b, w0);
  le64_put(b + 8, w1);
  le64_put(b + 16, w2);
  le64_put(b + 24, w3);
}

static void candidates_rejection(void **state) {
  (void)state;
  uint8_t b[32];
  gl_t out[4];

  /* p and above are rejected; p - 1 is the largest accepted value; order is kept. */
  put_block(b, GL_P, 5, ~0ULL, GL_P - 1);
  memset(out, 0xCC, sizeof out);
  assert_int_equal(sm_tr__take_candidates(out, 1, b), 1);
  assert_int_equal(out[0], 5);
  assert_int_equal(out[1], 0xCCCCCCCCCCCCCCCCULL);
  assert_int_equal(sm_tr__take_candidates(out, 4, b), 2);
  assert_int_equal(out[0], 5);
  assert_int_equal(out[1], GL_P - 1);
  assert_int_equal(out[2], 0xCCCCCCCCCCCCCCCCULL);

  /* A block of rejects yields nothing: the caller must squeeze again. */
  put_block(b, GL_P, GL_P + 1, 0xFFFFFFFF00000002ULL, ~0ULL);
  assert_int_equal(sm_tr__take_candidates(out, 3, b), 0);

  /* An extension challenge: three of four accepted, the fourth discarded. */
  put_block(b, 0, GL_P, 1, 2);
  assert_int_equal(sm_tr__take_candidates(out, 3, b), 3);
  assert_int_equal(out[0], 0);
  assert_int_equal(out[1], 1);
  assert_int_equal(out[2], 2);
  put_block(b, 10, 11, 12, 13);
  assert_int_equal(sm_tr__take_candidates(out, 3, b), 3);
  assert_int_equal(out[2], 12);
  /* A challenge continued from a previous block (two of three already taken). */
  put_block(b, GL_P, GL_P, GL_P, 9);
  assert_int_equal(sm_tr__take_candidates(out + 2, 1, b), 1);
  assert_int_equal(out[2], 9);
  assert_int_equal(sm_tr__take_candidates(out, 0, b), 0);

  /* Every boundary word on its own. */
  const struct {
    uint64_t w;
    int ok;
  } words[] = {{0, 1}, {GL_P - 1, 1}, {GL_P, 0}, {~0ULL, 0}, {GL_EPSILON, 1}, {1ULL << 63, 1}};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    put_block(b, words[i].w, GL_P, GL_P, GL_P);
    assert_int_equal(sm_tr__take_candidates(out, 1, b), (size_t)words[i].ok);
    if (words[i].ok) assert_int_equal(out[0], words[i].w);
  }
}

/* ---- Proof of work ------------------------------------------------------------------- */

static void grind_is_smallest_and_thread_independent(void **state) {
  (void)state;
  static const char *domains[] = {"pow-a", "pow-b", "pow-c", "pow-d"};
  const unsigned bitss[] = {0, 1, 3, 8, 10};
  for (size_t di = 0; di < 4; di++) {
    for (size_t bi = 0; bi < sizeof bitss / sizeof bitss[0]; bi++) {
      unsigned bits = bitss[bi];
      sm_transcript t1, t2, t3;
      ref_tr r;
      sm_tr_init(&t1, domains[di]);
      sm_tr_absorb_u64(&t1, "x", bits);
      t2 = t1;
      t3 = t1;
      ref_init(&r, domains[di]);
      uint8_t xb[8];
      le64_put(xb, bits);
      ref_absorb(&r, "x", xb, 8);
      assert_same_state(&t1, &r);

      uint64_t n1, n2, n3;
      assert_int_equal(sm_tr_grind(&t1, &n1, bits, 1), STARKML_OK);
      assert_int_equal(sm_tr_grind(&t2, &n2, bits, 2), STARKML_OK);
      assert_int_equal(sm_tr_grind(&t3, &n3, bits, 5), STARKML_OK);
      assert_int_equal(n1, n2);
      assert_int_equal(n1, n3);
      if (bits == 0) assert_int_equal(n1, 0);
      /* The nonce is valid and every smaller nonce is not (checked by the reference). */
      assert_true(ref_pow_valid(&r, bits, n1));
      for (uint64_t n = 0; n < n1; n++) assert_false(ref_pow_valid(&r, bits, n));
      ref_pow_absorb(&r, n1);
      assert_same_state(&t1, &r);
      assert_memory_equal(t1.state, t2.state, 32);
      assert_memory_equal(t1.state, t3.state, 32);
    }
  }
}

static void check_pow_accepts_and_rejects(void **state) {
  (void)state;
  for (int round = 0; round < 6; round++) {
    unsigned bits = round < 3 ? 8 : 10;
    sm_transcript t, v;
    ref_tr r;
    char dom[16];
    snprintf(dom, sizeof dom, "chk-%d", round);
    sm_tr_init(&t, dom);
    ref_init(&r, dom);
    v = t;
    uint64_t nonce;
    assert_int_equal(sm_tr_grind(&t, &nonce, bits, 2), STARKML_OK);

    /* Wrong nonces (the neighbours, when invalid, and a far one) are rejected and leave
     * the verifier's transcript unchanged; then the right one is accepted. */
    sm_tr_set_annotate(&v, 1);
    const uint64_t tries[] = {nonce - 1, nonce + 1, nonce + 1000, ~0ULL};
    for (size_t i = 0; i < 4; i++) {
      if (tries[i] == ~0ULL && nonce == 0) continue;
      if (ref_pow_valid(&r, bits, tries[i])) continue;
      uint8_t before[32];
      memcpy(before, v.state, 32);
      assert_int_equal(sm_tr_check_pow(&v, bits, tries[i]), STARKML_REJECT);
      assert_memory_equal(v.state, before, 32);
      assert_string_equal(sm_tr_log(&v), "");
    }
    assert_int_equal(sm_tr_check_pow(&v, bits, nonce), STARKML_OK);
    assert_memory_equal(v.state, t.state, 32);
    assert_non_null(strstr(sm_tr_log(&v), "pow "));
    sm_tr_free(&v);
    sm_tr_free(&t);
  }

  /* bits = 0: every nonce passes; above the cap: refused, nothing absorbed. */
  sm_transcript t;
  sm_tr_init(&t, "cap");
  uint8_t before[32];
  memcpy(before, t.state, 32);
  uint64_t nonce = 5;
  assert_int_equal(sm_tr_grind(&t, &nonce, SM_TR_MAX_POW_BITS + 1, 1), STARKML_ERR_ARG);
  assert_int_equal(nonce, 0);
  assert_memory_equal(t.state, before, 32);
  assert_int_equal(sm_tr_check_pow(&t, SM_TR_MAX_POW_BITS + 1, 0), STARKML_ERR_ARG);
  assert_memory_equal(t.state, before, 32);
  sm_transcript u = t;
  assert_int_equal(sm_tr_check_pow(&t, 0, 12345), STARKML_OK);
  assert_int_equal(sm_tr_grind(&u, &nonce, 0, 1), STARKML_OK);
  assert_int_equal(nonce, 0);
  assert_memory_not_equal(t.state, u.state, 32); /* different nonces absorbed */
  sm_tr_free(&t);
}

/* ---- Annotation ---------------------------------------------------------------------- */

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

static void annotation_log(void **state) {
  (void)state;
  sm_transcript t;
  sm_tr_init(&t, "log");
  sm_tr_absorb(&t, "quiet", "x", 1);
  assert_string_equal(sm_tr_log(&t), ""); /* off by default */
  assert_null(t.log);

  sm_tr_set_annotate(&t, 1);
  sm_tr_absorb(&t, "root", "abc", 3);
  char want[256], hex[17];
  for (int i = 0; i < 8; i++) snprintf(hex + 2 * i, 3, "%02x", t.state[i]);
  snprintf(want, sizeof want, "absorb root 3 bytes -> %s\n", hex);
  assert_string_equal(sm_tr_log(&t), want);

  gl_t c = sm_tr_challenge_gl(&t, "alpha");
  char line[128];
  snprintf(line, sizeof line, "challenge alpha = 0x%016llx\n", (unsigned long long)c);
  assert_non_null(strstr(sm_tr_log(&t), line));
  gl3_t c3 = sm_tr_challenge_gl3(&t, "beta");
  snprintf(line, sizeof line, "challenge beta = (0x%016llx, 0x%016llx, 0x%016llx)\n",
           (unsigned long long)c3.v[0], (unsigned long long)c3.v[1],
           (unsigned long long)c3.v[2]);
  assert_non_null(strstr(sm_tr_log(&t), line));
  size_t idx[7];
  sm_tr_challenge_indices(&t, "queries", idx, 7, 12);
  assert_non_null(strstr(sm_tr_log(&t), "indices queries 7 (log_n 12)\n"));
  uint64_t nonce;
  assert_int_equal(sm_tr_grind(&t, &nonce, 4, 1), STARKML_OK);
  snprintf(line, sizeof line, "pow 4 bits nonce %llu -> ", (unsigned long long)nonce);
  assert_non_null(strstr(sm_tr_log(&t), line));
  assert_int_equal(count_lines(sm_tr_log(&t)), 5);

  /* The log grows across many reallocations and keeps one line per operation. */
  for (int i = 0; i < 500; i++) sm_tr_absorb_u64(&t, "many", (uint64_t)i);
  assert_int_equal(count_lines(sm_tr_log(&t)), 505);
  assert_int_equal(strlen(sm_tr_log(&t)), t.log_len);

  /* Off again: nothing more is logged, the log is kept. */
  sm_tr_set_annotate(&t, 0);
  sm_tr_absorb(&t, "quiet", NULL, 0);
  assert_int_equal(count_lines(sm_tr_log(&t)), 505);
  sm_tr_free(&t);
  assert_string_equal(sm_tr_log(&t), "");

  /* Two logs diverge at the first differing operation. */
  sm_transcript a, b;
  sm_tr_init(&a, "diff");
  sm_tr_init(&b, "diff");
  sm_tr_set_annotate(&a, 1);
  sm_tr_set_annotate(&b, 1);
  sm_tr_absorb(&a, "same", "1", 1);
  sm_tr_absorb(&b, "same", "1", 1);
  sm_tr_absorb(&a, "vk", "A", 1);
  sm_tr_absorb(&b, "vk", "B", 1);
  const char *la = sm_tr_log(&a), *lb = sm_tr_log(&b);
  const char *nl = strchr(la, '\n');
  size_t first = (size_t)(nl - la) + 1;
  assert_memory_equal(la, lb, first);
  assert_string_not_equal(la + first, lb + first);
  sm_tr_free(&a);
  sm_tr_free(&b);
}

SM_TEST_MAIN(cmocka_unit_test(script_matches_reference),
             cmocka_unit_test(random_scripts_match_reference),
             cmocka_unit_test(determinism_and_separation), cmocka_unit_test(candidates_rejection),
             cmocka_unit_test(grind_is_smallest_and_thread_independent),
             cmocka_unit_test(check_pow_accepts_and_rejects), cmocka_unit_test(annotation_log))
