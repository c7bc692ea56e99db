/*
 * Fiat-Shamir transcript over SHA3-256 (the encoding is fixed in core/transcript.h).
 *
 * Invariants: t->state is the chaining value S of the header's encoding and changes only
 * through hash_absorb(), squeeze() and sm_tr_init(); the annotation log is either NULL
 * (log_len == log_cap == 0) or a NUL-terminated string of log_len bytes in a buffer of
 * log_cap bytes. Labels are NUL-terminated strings shorter than 2^32 bytes (program
 * constants in practice), so LE32(|L|) encodes their length exactly; a NULL label or
 * domain is taken as the empty string.
 */
#include "core/transcript.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ser.h"
#include "core/sha3.h"

/*
 * Takes base-field candidates from one 32-byte squeeze output: the four LE64 words in
 * order, skipping any >= p, until `want` have been written to out. Returns how many were
 * written (at most min(want, 4)); the rest of the block is discarded by the caller.
 * Internal, non-static only so that tests/test_core_transcript.c can drive the rejection
 * path with crafted blocks (a real squeeze yields a candidate >= p about once in 2^32).
 */
size_t sm_tr__take_candidates(gl_t *out, size_t want, const uint8_t block[32]) {
  size_t got = 0;
  for (int i = 0; i < 4 && got < want; i++) {
    uint64_t c = sm_le64_get(block + 8 * i);
    /* Rejection, not reduction mod p: reducing would make the values below 2^32 - 1
     * twice as likely as the rest; rejecting keeps every challenge exactly uniform. */
    if (c < GL_P) out[got++] = c;
  }
  return got;
}

/* ---- Annotation log --------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void log_line(sm_transcript *t, const char *fmt, ...);

/*
 * Appends one formatted line and a newline. On allocation failure the log keeps what it
 * had and annotation switches off: a log with a silent gap in the middle would mislead
 * whoever diffs it, a log that simply ends does not.
 */
static void log_line(sm_transcript *t, const char *fmt, ...) {
  if (!t->annotate) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t need = t->log_len + (size_t)n + 2; /* the line, '\n', NUL */
  if (need > t->log_cap) {
    size_t cap = t->log_cap < 256 ? 256 : t->log_cap;
    while (cap < need) cap *= 2;
    char *p = realloc(t->log, cap);
    if (p == NULL) {
      t->annotate = 0;
      return;
    }
    t->log = p;
    t->log_cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(t->log + t->log_len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->log_len += (size_t)n;
  t->log[t->log_len++] = '\n';
  t->log[t->log_len] = '\0';
}

/* The first 8 bytes of the state in hex: enough to see where two logs diverge. */
static void state_prefix(char out[17], const sm_transcript *t) { sm_hex_encode(out, t->state, 8); }

const char *sm_tr_log(const sm_transcript *t) { return t->log != NULL ? t->log : ""; }

void sm_tr_set_annotate(sm_transcript *t, int on) { t->annotate = on != 0; }

/* ---- Hashing ---------------------------------------------------------------------------- */

static const char *nz(const char *s) { return s != NULL ? s : ""; }

/* Feeds 0xTAG || S || LE32(|L|) || L into a fresh context (every operation but init). */
static void begin_op(sm_sha3_ctx *c, const sm_transcript *t, uint8_t tag, const char *label) {
  size_t ll = strlen(label);
  uint8_t hdr[1 + 32 + 4];
  hdr[0] = tag;
  memcpy(hdr + 1, t->state, 32);
  sm_le32_put(hdr + 33, (uint32_t)ll);
  sm_sha3_256_init(c);
  sm_sha3_256_update(c, hdr, sizeof hdr);
  sm_sha3_256_update(c, label, ll);
}

/* Starts absorb(L, data) up to and including LE64(|data|); the caller feeds the data. */
static void begin_absorb(sm_sha3_ctx *c, const sm_transcript *t, const char *label,
                         uint64_t len) {
  uint8_t l8[8];
  begin_op(c, t, SM_TR_TAG_ABSORB, label);
  sm_le64_put(l8, len);
  sm_sha3_256_update(c, l8, 8);
}

static void end_absorb(sm_transcript *t, sm_sha3_ctx *c, const char *label, uint64_t len) {
  sm_sha3_256_final(c, t->state);
  if (t->annotate) {
    char hex[17];
    state_prefix(hex, t);
    log_line(t, "absorb %s %" PRIu64 " bytes -> %s", label, len, hex);
  }
}

/* S = SHA3-256(0x12 || S || LE32(|L|) || L); the new S holds four candidates. */
static void squeeze(sm_transcript *t, const char *label) {
  sm_sha3_ctx c;
  begin_op(&c, t, SM_TR_TAG_SQUEEZE, label);
  sm_sha3_256_final(&c, t->state);
}

void sm_tr_init(sm_transcript *t, const char *domain) {
  domain = nz(domain);
  size_t dl = strlen(domain);
  uint8_t hdr[5];
  hdr[0] = SM_TR_TAG_INIT;
  sm_le32_put(hdr + 1, (uint32_t)dl);
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, hdr, sizeof hdr);
  sm_sha3_256_update(&c, domain, dl);
  sm_sha3_256_final(&c, t->state);
  t->annotate = 0;
  t->log = NULL;
  t->log_len = 0;
  t->log_cap = 0;
}

void sm_tr_free(sm_transcript *t) {
  free(t->log);
  t->log = NULL;
  t->log_len = 0;
  t->log_cap = 0;
}

/* ---- Absorbing -------------------------------------------------------------------------- */

void sm_tr_absorb(sm_transcript *t, const char *label, const void *data, size_t len) {
  label = nz(label);
  sm_sha3_ctx c;
  begin_absorb(&c, t, label, len);
  if (len > 0) sm_sha3_256_update(&c, data, len);
  end_absorb(t, &c, label, len);
}

void sm_tr_absorb_u64(sm_transcript *t, const char *label, uint64_t v) {
  uint8_t b[8];
  sm_le64_put(b, v);
  sm_tr_absorb(t, label, b, sizeof b);
}

/* Feeds n 64-bit words as LE64, a block of them at a time (no allocation). */
static void update_words(sm_sha3_ctx *c, const uint64_t *w, size_t n) {
  uint8_t buf[8 * 64];
  while (n > 0) {
    size_t k = n < 64 ? n : 64;
    for (size_t i = 0; i < k; i++) sm_le64_put(buf + 8 * i, w[i]);
    sm_sha3_256_update(c, buf, 8 * k);
    w += k;
    n -= k;
  }
}

void sm_tr_absorb_gl(sm_transcript *t, const char *label, const gl_t *v, size_t n) {
  label = nz(label);
  uint64_t len = (uint64_t)n * 8;
  sm_sha3_ctx c;
  begin_absorb(&c, t, label, len);
  update_words(&c, v, n);
  end_absorb(t, &c, label, len);
}

void sm_tr_absorb_gl3(sm_transcript *t, const char *label, const gl3_t *v, size_t n) {
  label = nz(label);
  uint64_t len = (uint64_t)n * 24;
  sm_sha3_ctx c;
  begin_absorb(&c, t, label, len);
  for (size_t i = 0; i < n; i++) update_words(&c, v[i].v, 3);
  end_absorb(t, &c, label, len);
}

/* ---- Challenges ------------------------------------------------------------------------- */

/* n uniform base-field elements: fresh squeezes until enough candidates were accepted. */
static void challenge_base(sm_transcript *t, const char *label, gl_t *out, size_t n) {
  size_t have = 0;
  while (have < n) {
    squeeze(t, label);
    have += sm_tr__take_candidates(out + have, n - have, t->state);
  }
}

gl_t sm_tr_challenge_gl(sm_transcript *t, const char *label) {
  label = nz(label);
  gl_t v;
  challenge_base(t, label, &v, 1);
  log_line(t, "challenge %s = 0x%016" PRIx64, label, v);
  return v;
}

gl3_t sm_tr_challenge_gl3(sm_transcript *t, const char *label) {
  label = nz(label);
  gl3_t r;
  challenge_base(t, label, r.v, 3);
  log_line(t, "challenge %s = (0x%016" PRIx64 ", 0x%016" PRIx64 ", 0x%016" PRIx64 ")", label,
           r.v[0], r.v[1], r.v[2]);
  return r;
}

void sm_tr_challenge_indices(sm_transcript *t, const char *label, size_t *out, size_t count,
                             unsigned log_n) {
  label = nz(label);
  /* log_n <= 63 by contract; 64 and above mean "the whole candidate". */
  uint64_t mask = log_n >= 64 ? ~0ULL : (1ULL << log_n) - 1;
  for (size_t i = 0; i < count; i++) {
    if (i % 4 == 0) squeeze(t, label);
    out[i] = (size_t)(sm_le64_get(t->state + 8 * (i % 4)) & mask);
  }
  log_line(t, "indices %s %zu (log_n %u)", label, count, log_n);
}

/* ---- Proof of work ---------------------------------------------------------------------- */

/* A context holding 0x13 || S: each attempt copies it and adds LE64(nonce). */
static void pow_prefix(sm_sha3_ctx *c, const sm_transcript *t) {
  uint8_t hdr[1 + 32];
  hdr[0] = SM_TR_TAG_POW;
  memcpy(hdr + 1, t->state, 32);
  sm_sha3_256_init(c);
  sm_sha3_256_update(c, hdr, sizeof hdr);
}

/* Whether a digest starts with `bits` zero bits (MSB first). */
static int zero_prefix(const uint8_t d[32], unsigned bits) {
  unsigned full = bits / 8, rest = bits % 8;
  for (unsigned i = 0; i < full; i++) {
    if (d[i] != 0) return 0;
  }
  return rest == 0 || (d[full] >> (8 - rest)) == 0;
}

/* Whether SHA3-256(0x13 || S || LE64(nonce)) starts with `bits` zero bits (MSB first). */
static int pow_ok(const sm_sha3_ctx *prefix, uint64_t nonce, unsigned bits) {
  sm_sha3_ctx c = *prefix;
  uint8_t n8[8], d[32];
  sm_le64_put(n8, nonce);
  sm_sha3_256_update(&c, n8, 8);
  sm_sha3_256_final(&c, d);
  return zero_prefix(d, bits);
}

/* The smallest of nonces n .. n + 3 that passes, or UINT64_MAX: four messages
   0x13 || S || LE64(nonce) hashed at once (4-way Keccak; the same digests as pow_ok). */
#define POW_MSG_LEN (1 + 32 + 8)
static uint64_t pow_first_of4(const uint8_t hdr[1 + 32], uint64_t n, unsigned bits) {
  uint8_t msg[4][POW_MSG_LEN], dig[4][32];
  const uint8_t *in[4];
  uint8_t *out[4];
  for (int k = 0; k < 4; k++) {
    memcpy(msg[k], hdr, 1 + 32);
    sm_le64_put(msg[k] + 1 + 32, n + (uint64_t)k);
    in[k] = msg[k];
    out[k] = dig[k];
  }
  sm_sha3_256_x4(out, in, POW_MSG_LEN);
  for (int k = 0; k < 4; k++)
    if (zero_prefix(dig[k], bits)) return n + (uint64_t)k;
  return UINT64_MAX;
}

/* Absorbs an accepted nonce, logged as one "pow" line rather than as an absorb. */
static void pow_accept(sm_transcript *t, unsigned bits, uint64_t nonce) {
  static const char label[] = "pow-nonce";
  uint8_t n8[8];
  sm_le64_put(n8, nonce);
  sm_sha3_ctx c;
  begin_absorb(&c, t, label, 8);
  sm_sha3_256_update(&c, n8, 8);
  sm_sha3_256_final(&c, t->state);
  if (t->annotate) {
    char hex[17];
    state_prefix(hex, t);
    log_line(t, "pow %u bits nonce %" PRIu64 " -> %s", bits, nonce, hex);
  }
}

starkml_status sm_tr_grind(sm_transcript *t, uint64_t *nonce, unsigned bits, int threads) {
  *nonce = 0;
  if (bits > SM_TR_MAX_POW_BITS) return STARKML_ERR_ARG;
  if (threads < 1) threads = 1;
  sm_sha3_ctx prefix;
  pow_prefix(&prefix, t);
  /*
   * The answer must not depend on the thread count, so the search runs in chunks of
   * consecutive nonces: every nonce of a chunk is tried (in parallel) and the smallest
   * valid one of the first chunk that has any is the smallest valid nonce overall.
   * A chunk holds about 2^bits attempts per thread (at least 2^10, to amortise the
   * parallel region; at most 2^16, so little work is wasted past the answer). Inside a
   * thread's contiguous range, nonces above the first hit it found are skipped.
   */
  unsigned per_log = bits < 10 ? 10 : bits > 16 ? 16 : bits;
  uint64_t chunk = ((uint64_t)1 << per_log) * (uint64_t)threads;
  uint8_t hdr[1 + 32];
  hdr[0] = SM_TR_TAG_POW;
  memcpy(hdr + 1, t->state, 32);
  for (uint64_t start = 0;; start += chunk) {
    uint64_t end = start + chunk;
    if (end < start) end = UINT64_MAX; /* the last chunk; UINT64_MAX itself means none */
    uint64_t best = UINT64_MAX, quads = (end - start) / 4;
    /* Four nonces per step (a chunk is a multiple of 4 except at the very end of the
       nonce space, whose remainder the scalar loop below covers). */
#pragma omp parallel for num_threads(threads) schedule(static) reduction(min : best)
    for (uint64_t q = 0; q < quads; q++) {
      uint64_t n = start + 4 * q;
      if (n < best) {
        uint64_t hit = pow_first_of4(hdr, n, bits);
        if (hit < best) best = hit;
      }
    }
    for (uint64_t n = start + 4 * quads; best == UINT64_MAX && n < end; n++)
      if (pow_ok(&prefix, n, bits)) best = n;
    if (best != UINT64_MAX) {
      *nonce = best;
      pow_accept(t, bits, best);
      return STARKML_OK;
    }
    /* Unreachable for bits <= 48: 2^64 attempts all failing has probability ~0. */
    if (end == UINT64_MAX) return STARKML_ERR_INTERNAL;
  }
}

starkml_status sm_tr_check_pow(sm_transcript *t, unsigned bits, uint64_t nonce) {
  /* The prover refuses to grind past the cap, so no honest proof claims more. */
  if (bits > SM_TR_MAX_POW_BITS) return STARKML_ERR_ARG;
  sm_sha3_ctx prefix;
  pow_prefix(&prefix, t);
  if (!pow_ok(&prefix, nonce, bits)) return STARKML_REJECT;
  pow_accept(t, bits, nonce);
  return STARKML_OK;
}
