/*
 * Tests for the strict serializer (core/ser.h): canonical field elements only, every
 * truncation and any trailing byte refused, sticky errors with zeroed outputs, length
 * fields bounded before anything is allocated, a writer that stops at its cap, and hex.
 */
#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ser.h"

/*
 * The out-of-memory test asks realloc for 2^62 bytes. Under AddressSanitizer that is a
 * fatal report unless the allocator may return NULL, as the C library's does; this hook
 * (read by the ASan runtime when present, unused otherwise) makes it behave like libc.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }

static void put_u64(uint8_t *b, uint64_t v) { sm_le64_put(b, v); }

/* ---- Field elements at the canonical boundary ---------------------------------------- */

static void gl_parser_edges(void **state) {
  (void)state;
  const struct {
    uint64_t raw;
    int ok;
  } cases[] = {
      {0, 1},
      {1, 1},
      {GL_EPSILON, 1}, /* 2^32 - 1 */
      {GL_EPSILON + 1, 1},
      {1ULL << 63, 1},
      {GL_P - 1, 1},
      {GL_P, 0},
      {GL_P + 1, 0},
      {0xFFFFFFFF00000002ULL, 0},
      {~0ULL - 1, 0},
      {~0ULL, 0}, /* 2^64 - 1 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t b[8];
    put_u64(b, cases[i].raw);
    sm_reader r;
    gl_t v = 12345;
    sm_r_init(&r, b, sizeof b);
    starkml_status st = sm_r_gl(&r, &v);
    if (cases[i].ok) {
      assert_int_equal(st, STARKML_OK);
      assert_int_equal(v, cases[i].raw);
      assert_int_equal(sm_r_finish(&r), STARKML_OK);
    } else {
      assert_int_equal(st, STARKML_ERR_PARSE);
      assert_int_equal(v, 0);
      assert_int_equal(sm_r_finish(&r), STARKML_ERR_PARSE);
    }
    /* The raw reader takes any 64-bit value. */
    uint64_t u = 1;
    sm_r_init(&r, b, sizeof b);
    assert_int_equal(sm_r_u64(&r, &u), STARKML_OK);
    assert_int_equal(u, cases[i].raw);
  }

  /* A non-canonical coordinate fails the whole extension element, and zeroes it. */
  for (int bad = 0; bad < 3; bad++) {
    uint8_t b[24];
    for (int k = 0; k < 3; k++) put_u64(b + 8 * k, k == bad ? GL_P : GL_P - 1 - (uint64_t)k);
    sm_reader r;
    gl3_t e = {{7, 7, 7}};
    sm_r_init(&r, b, sizeof b);
    assert_int_equal(sm_r_gl3(&r, &e), STARKML_ERR_PARSE);
    for (int k = 0; k < 3; k++) assert_int_equal(e.v[k], 0);
  }

  /* ...and a whole array, which is zeroed, not left half filled. */
  uint8_t b[8 * 5];
  for (int k = 0; k < 5; k++) put_u64(b + 8 * k, k == 3 ? ~0ULL : (uint64_t)k + 1);
  gl_t arr[5] = {9, 9, 9, 9, 9};
  sm_reader r;
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_gl_array(&r, arr, 5), STARKML_ERR_PARSE);
  for (int k = 0; k < 5; k++) assert_int_equal(arr[k], 0);
  put_u64(b + 24, GL_P - 1);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_gl_array(&r, arr, 5), STARKML_OK);
  assert_int_equal(arr[3], GL_P - 1);
  assert_int_equal(sm_r_finish(&r), STARKML_OK);
}

/* ---- A multi-field record: every truncation fails, a trailing byte fails --------------- */

typedef struct {
  uint8_t a;
  uint32_t b;
  uint64_t c;
  gl_t d;
  gl3_t e;
  uint32_t n;
  uint8_t bytes[5];
  gl_t arr[3];
  uint8_t tail;
} record;

static const record sample = {
    0xA5, 0xDEADBEEF, 0x0123456789ABCDEFULL, GL_P - 1, {{0, 1, GL_P - 2}},
    5,    {1, 2, 3, 4, 5}, {GL_EPSILON, 1ULL << 63, 42}, 0x5A,
};

static void write_record(sm_writer *w, const record *x) {
  sm_w_u8(w, x->a);
  sm_w_u32(w, x->b);
  sm_w_u64(w, x->c);
  sm_w_gl(w, x->d);
  sm_w_gl3(w, x->e);
  sm_w_u32(w, x->n);
  sm_w_bytes(w, x->bytes, x->n);
  sm_w_gl_array(w, x->arr, 3);
  sm_w_u8(w, x->tail);
}

/* Reads a whole record, checking the status only at the end (errors are sticky). */
static starkml_status read_record(sm_reader *r, record *x) {
  memset(x, 0xEE, sizeof *x);
  sm_r_u8(r, &x->a);
  sm_r_u32(r, &x->b);
  sm_r_u64(r, &x->c);
  sm_r_gl(r, &x->d);
  sm_r_gl3(r, &x->e);
  sm_r_len(r, &x->n, sizeof x->bytes, 1);
  sm_r_bytes(r, x->bytes, sizeof x->bytes);
  sm_r_gl_array(r, x->arr, 3);
  sm_r_u8(r, &x->tail);
  return sm_r_finish(r);
}

static int record_equal(const record *x, const record *y) {
  return x->a == y->a && x->b == y->b && x->c == y->c && x->d == y->d && gl3_eq(x->e, y->e) &&
         x->n == y->n && memcmp(x->bytes, y->bytes, sizeof x->bytes) == 0 &&
         memcmp(x->arr, y->arr, sizeof x->arr) == 0 && x->tail == y->tail;
}

static void record_truncations_and_trailing_byte(void **state) {
  (void)state;
  sm_writer w;
  sm_w_init(&w, 1 << 20);
  write_record(&w, &sample);
  assert_int_equal(sm_w_status(&w), STARKML_OK);
  size_t full = w.len;
  assert_int_equal(full, 1 + 4 + 8 + 8 + 24 + 4 + 5 + 24 + 1);

  record got;
  sm_reader r;
  sm_r_init(&r, w.buf, full);
  assert_int_equal(read_record(&r, &got), STARKML_OK);
  assert_true(record_equal(&got, &sample));

  /* Every proper prefix fails, and every field the failure reached reads as zero. Each
   * prefix is copied to an exact-size heap buffer so that ASan sees any over-read. */
  for (size_t cut = 0; cut < full; cut++) {
    uint8_t *prefix = malloc(cut > 0 ? cut : 1);
    assert_non_null(prefix);
    memcpy(prefix, w.buf, cut);
    sm_r_init(&r, prefix, cut);
    assert_int_equal(read_record(&r, &got), STARKML_ERR_PARSE);
    assert_int_equal(r.err, STARKML_ERR_PARSE);
    assert_true(r.pos <= cut);
    /* The last field is always cut off. */
    assert_int_equal(got.tail, 0);
    if (cut < 1) assert_int_equal(got.a, 0);
    if (cut < 5) assert_int_equal(got.b, 0);
    if (cut < 13) assert_int_equal(got.c, 0);
    free(prefix);
  }

  /* One trailing byte, of any value, is refused by finish() only. */
  sm_w_u8(&w, 0);
  assert_int_equal(sm_w_status(&w), STARKML_OK);
  sm_r_init(&r, w.buf, w.len);
  assert_int_equal(read_record(&r, &got), STARKML_ERR_PARSE);
  assert_int_equal(r.err, STARKML_OK);
  assert_int_equal(sm_r_remaining(&r), 1);
  assert_true(record_equal(&got, &sample));
  sm_w_free(&w);
}

static void sticky_errors_zero_outputs(void **state) {
  (void)state;
  uint8_t b[64];
  memset(b, 0x11, sizeof b);
  put_u64(b, ~0ULL); /* an invalid field element first */
  sm_reader r;
  sm_r_init(&r, b, sizeof b);
  gl_t g = 5;
  assert_int_equal(sm_r_gl(&r, &g), STARKML_ERR_PARSE);
  size_t pos = r.pos;
  /* Plenty of bytes remain, but every later read fails and clears its output. */
  uint8_t u8 = 1;
  uint32_t u32 = 1, n = 1;
  uint64_t u64 = 1;
  gl3_t e = {{1, 1, 1}};
  gl_t arr[2] = {1, 1};
  uint8_t raw[4] = {1, 1, 1, 1};
  assert_int_equal(sm_r_u8(&r, &u8), STARKML_ERR_PARSE);
  assert_int_equal(sm_r_u32(&r, &u32), STARKML_ERR_PARSE);
  assert_int_equal(sm_r_u64(&r, &u64), STARKML_ERR_PARSE);
  assert_int_equal(sm_r_gl3(&r, &e), STARKML_ERR_PARSE);
  assert_int_equal(sm_r_gl_array(&r, arr, 2), STARKML_ERR_PARSE);
  assert_int_equal(sm_r_bytes(&r, raw, 4), STARKML_ERR_PARSE);
  assert_int_equal(sm_r_len(&r, &n, 100, 1), STARKML_ERR_PARSE);
  assert_int_equal(u8, 0);
  assert_int_equal(u32, 0);
  assert_int_equal(u64, 0);
  assert_int_equal(n, 0);
  for (int i = 0; i < 3; i++) assert_int_equal(e.v[i], 0);
  assert_int_equal(arr[0] | arr[1], 0);
  assert_int_equal(raw[0] | raw[1] | raw[2] | raw[3], 0);
  assert_int_equal(r.pos, pos);
  assert_int_equal(sm_r_finish(&r), STARKML_ERR_PARSE);

  /* NULL data is only valid as empty input. */
  sm_r_init(&r, NULL, 0);
  assert_int_equal(sm_r_finish(&r), STARKML_OK);
  assert_int_equal(sm_r_bytes(&r, NULL, 0), STARKML_OK);
  assert_int_equal(sm_r_gl_array(&r, NULL, 0), STARKML_OK);
  assert_int_equal(sm_r_u8(&r, &u8), STARKML_ERR_PARSE);
  sm_r_init(&r, NULL, 8);
  assert_int_equal(sm_r_u8(&r, &u8), STARKML_ERR_ARG);
}

/* ---- Length fields ------------------------------------------------------------------- */

static void length_fields_bounded(void **state) {
  (void)state;
  uint8_t b[4 + 40];
  memset(b, 0, sizeof b);
  sm_reader r;
  uint32_t n;

  /* 0xFFFFFFFF is refused before a caller could allocate for it, whatever the max. */
  sm_le32_put(b, 0xFFFFFFFFu);
  sm_r_init(&r, b, sizeof b);
  n = 7;
  assert_int_equal(sm_r_len(&r, &n, UINT32_MAX, 1), STARKML_ERR_PARSE);
  assert_int_equal(n, 0);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, UINT32_MAX, 8), STARKML_ERR_PARSE);
  assert_int_equal(n, 0);

  /* Exactly the bytes left (40 bytes = 5 elements of 8) is accepted; one more is not. */
  sm_le32_put(b, 5);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, 5, 8), STARKML_OK);
  assert_int_equal(n, 5);
  sm_le32_put(b, 6);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, 100, 8), STARKML_ERR_PARSE);
  assert_int_equal(n, 0);
  /* A count within the bytes left but above the caller's max. */
  sm_le32_put(b, 5);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, 4, 8), STARKML_ERR_PARSE);
  assert_int_equal(n, 0);
  /* Large element sizes do not overflow the bound. */
  sm_le32_put(b, 1);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, 10, SIZE_MAX), STARKML_ERR_PARSE);
  sm_le32_put(b, 0);
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, 10, SIZE_MAX), STARKML_OK);
  assert_int_equal(n, 0);
  /* An element size of zero is a caller's error. */
  sm_r_init(&r, b, sizeof b);
  assert_int_equal(sm_r_len(&r, &n, 10, 0), STARKML_ERR_ARG);
  /* A truncated length field. */
  sm_r_init(&r, b, 3);
  n = 3;
  assert_int_equal(sm_r_len(&r, &n, 10, 1), STARKML_ERR_PARSE);
  assert_int_equal(n, 0);
}

/* ---- Round trips --------------------------------------------------------------------- */

enum { OP_U8, OP_U32, OP_U64, OP_GL, OP_GL3, OP_BYTES, OP_ARRAY, OP_COUNT };

static void round_trip_random(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x736572ULL;
  for (int iter = 0; iter < 200; iter++) {
    /* A random script of operations and values, written then read back. */
    enum { MAX_OPS = 40 };
    int ops[MAX_OPS];
    uint64_t vals[MAX_OPS][3];
    uint8_t blobs[MAX_OPS][32];
    size_t lens[MAX_OPS];
    int n_ops = 1 + (int)(sm_test_next(&rng) % MAX_OPS);
    sm_writer w;
    sm_w_init(&w, 1 << 16);
    for (int i = 0; i < n_ops; i++) {
      ops[i] = (int)(sm_test_next(&rng) % OP_COUNT);
      for (int k = 0; k < 3; k++) vals[i][k] = sm_test_next(&rng);
      lens[i] = sm_test_next(&rng) % 33;
      for (size_t k = 0; k < 32; k++) blobs[i][k] = (uint8_t)sm_test_next(&rng);
      gl_t g[3] = {gl_from_u64(vals[i][0]), gl_from_u64(vals[i][1]), gl_from_u64(vals[i][2])};
      gl3_t e = {{g[0], g[1], g[2]}};
      switch (ops[i]) {
        case OP_U8: sm_w_u8(&w, (uint8_t)vals[i][0]); break;
        case OP_U32: sm_w_u32(&w, (uint32_t)vals[i][0]); break;
        case OP_U64: sm_w_u64(&w, vals[i][0]); break;
        case OP_GL: sm_w_gl(&w, g[0]); break;
        case OP_GL3: sm_w_gl3(&w, e); break;
        case OP_BYTES:
          sm_w_u32(&w, (uint32_t)lens[i]);
          sm_w_bytes(&w, blobs[i], lens[i]);
          break;
        case OP_ARRAY: sm_w_gl_array(&w, g, lens[i] % 4); break;
      }
    }
    assert_int_equal(sm_w_status(&w), STARKML_OK);

    sm_reader r;
    sm_r_init(&r, w.buf, w.len);
    for (int i = 0; i < n_ops; i++) {
      gl_t g[3] = {gl_from_u64(vals[i][0]), gl_from_u64(vals[i][1]), gl_from_u64(vals[i][2])};
      uint8_t u8;
      uint32_t u32;
      uint64_t u64;
      gl_t gv, ga[3];
      gl3_t ev;
      uint8_t blob[32];
      switch (ops[i]) {
        case OP_U8:
          assert_int_equal(sm_r_u8(&r, &u8), STARKML_OK);
          assert_int_equal(u8, (uint8_t)vals[i][0]);
          break;
        case OP_U32:
          assert_int_equal(sm_r_u32(&r, &u32), STARKML_OK);
          assert_int_equal(u32, (uint32_t)vals[i][0]);
          break;
        case OP_U64:
          assert_int_equal(sm_r_u64(&r, &u64), STARKML_OK);
          assert_int_equal(u64, vals[i][0]);
          break;
        case OP_GL:
          assert_int_equal(sm_r_gl(&r, &gv), STARKML_OK);
          assert_int_equal(gv, g[0]);
          break;
        case OP_GL3:
          assert_int_equal(sm_r_gl3(&r, &ev), STARKML_OK);
          for (int k = 0; k < 3; k++) assert_int_equal(ev.v[k], g[k]);
          break;
        case OP_BYTES:
          assert_int_equal(sm_r_len(&r, &u32, 32, 1), STARKML_OK);
          assert_int_equal(u32, lens[i]);
          assert_int_equal(sm_r_bytes(&r, blob, u32), STARKML_OK);
          assert_memory_equal(blob, blobs[i], u32);
          break;
        case OP_ARRAY:
          assert_int_equal(sm_r_gl_array(&r, ga, lens[i] % 4), STARKML_OK);
          for (size_t k = 0; k < lens[i] % 4; k++) assert_int_equal(ga[k], g[k]);
          break;
      }
    }
    assert_int_equal(sm_r_finish(&r), STARKML_OK);
    sm_w_free(&w);
  }

  /* The byte layout is little-endian and fixed. */
  sm_writer w;
  sm_w_init(&w, 64);
  sm_w_u32(&w, 0x04030201u);
  sm_w_u64(&w, 0x0C0B0A0908070605ULL);
  static const uint8_t want[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  assert_int_equal(w.len, 12);
  assert_memory_equal(w.buf, want, 12);
  sm_w_free(&w);
}

/* ---- Writer limits ------------------------------------------------------------------- */

static void writer_cap_is_hard_and_sticky(void **state) {
  (void)state;
  sm_writer w;
  sm_w_init(&w, 12);
  sm_w_u64(&w, 1);
  sm_w_u32(&w, 2); /* exactly at the cap */
  assert_int_equal(sm_w_status(&w), STARKML_OK);
  assert_int_equal(w.len, 12);
  assert_true(w.cap <= w.max);
  sm_w_bytes(&w, NULL, 0); /* nothing more is fine */
  assert_int_equal(sm_w_status(&w), STARKML_OK);
  sm_w_u8(&w, 3);
  assert_int_equal(sm_w_status(&w), STARKML_ERR_ARG);
  assert_int_equal(w.len, 12);
  sm_w_free(&w);

  /* A write that does not fit fails whole (no partial write), and later small writes
   * that would fit stay refused. */
  sm_w_init(&w, 10);
  sm_w_u64(&w, 1);
  sm_w_u32(&w, 2);
  assert_int_equal(sm_w_status(&w), STARKML_ERR_ARG);
  assert_int_equal(w.len, 8);
  sm_w_u8(&w, 1);
  sm_w_gl3(&w, gl3_from_base(1));
  assert_int_equal(w.len, 8);
  assert_int_equal(sm_w_status(&w), STARKML_ERR_ARG);
  sm_w_free(&w);

  /* A huge array count is refused without touching the data or overflowing 8 * n. */
  sm_w_init(&w, SIZE_MAX);
  gl_t one = 1;
  sm_w_gl_array(&w, &one, SIZE_MAX / 4);
  assert_int_equal(sm_w_status(&w), STARKML_ERR_ARG);
  sm_w_free(&w);

  /* Growth across many doublings keeps every byte. */
  sm_w_init(&w, 100000);
  for (uint32_t i = 0; i < 20000; i++) sm_w_u32(&w, i);
  assert_int_equal(sm_w_status(&w), STARKML_OK);
  assert_int_equal(w.len, 80000);
  for (uint32_t i = 0; i < 20000; i++) assert_int_equal(sm_le32_get(w.buf + 4 * i), i);
  sm_w_free(&w);
  assert_null(w.buf);
  sm_w_free(&w); /* freeing twice is harmless */
}

static void writer_nomem(void **state) {
  (void)state;
  sm_writer w;
  sm_w_init(&w, SIZE_MAX);
  sm_w_u64(&w, 7);
  uint8_t small[16] = {0};
  /* 2^62 bytes cannot be allocated on any current machine: realloc returns NULL. The
   * writer must report that before it would copy from `small`. */
  sm_w_bytes(&w, small, (size_t)1 << 62);
  assert_int_equal(sm_w_status(&w), STARKML_ERR_NOMEM);
  assert_int_equal(w.len, 8);
  assert_int_equal(sm_le64_get(w.buf), 7);
  sm_w_u8(&w, 1); /* sticky */
  assert_int_equal(w.len, 8);
  assert_int_equal(sm_w_status(&w), STARKML_ERR_NOMEM);
  sm_w_free(&w);
}

/* ---- Hex ----------------------------------------------------------------------------- */

static void hex_codec(void **state) {
  (void)state;
  const uint8_t bytes[] = {0x00, 0x01, 0x7F, 0x80, 0xAB, 0xCD, 0xEF, 0xFF};
  char s[2 * sizeof bytes + 1];
  sm_hex_encode(s, bytes, sizeof bytes);
  assert_string_equal(s, "00017f80abcdefff");
  sm_hex_encode(s, bytes, 0);
  assert_string_equal(s, "");

  uint8_t out[8];
  assert_int_equal(sm_hex_decode(out, 8, "00017f80abcdefff"), STARKML_OK);
  assert_memory_equal(out, bytes, 8);
  assert_int_equal(sm_hex_decode(out, 8, "00017F80ABCDEFFF"), STARKML_OK);
  assert_memory_equal(out, bytes, 8);
  assert_int_equal(sm_hex_decode(out, 8, "00017f80AbCdEfFf"), STARKML_OK);
  assert_memory_equal(out, bytes, 8);
  assert_int_equal(sm_hex_decode(out, 0, ""), STARKML_OK);

  const char *bad[] = {
      "00017f80abcdeff",   /* odd length */
      "00017f80abcdef",    /* too short */
      "00017f80abcdefff0", /* odd and too long */
      "00017f80abcdefff00", /* too long */
      "00017f80abcdefgf",  /* non-hex */
      "0x017f80abcdefff",  /* prefix */
      " 0017f80abcdefff",  /* space */
      "00017f80abcdeff\n", /* newline */
      "00017f8-abcdefff",  /* sign */
      "",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(out, 0x55, sizeof out);
    assert_int_equal(sm_hex_decode(out, 8, bad[i]), STARKML_ERR_PARSE);
    for (int k = 0; k < 8; k++) assert_int_equal(out[k], 0);
  }
  assert_int_equal(sm_hex_decode(out, 0, "0"), STARKML_ERR_PARSE);
  assert_int_equal(sm_hex_decode(out, 8, NULL), STARKML_ERR_ARG);
  /* Every byte value survives a round trip, and every non-hex character is refused. */
  for (int c = 0; c < 256; c++) {
    uint8_t one = (uint8_t)c, back = 0;
    char h[3];
    sm_hex_encode(h, &one, 1);
    assert_int_equal(sm_hex_decode(&back, 1, h), STARKML_OK);
    assert_int_equal(back, one);
    char t[3] = {'a', (char)c, '\0'};
    int is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == 0) continue; /* "a" alone is too short, tested above */
    assert_int_equal(sm_hex_decode(&back, 1, t), is_hex ? STARKML_OK : STARKML_ERR_PARSE);
  }
}

static void le_helpers(void **state) {
  (void)state;
  uint8_t b[8];
  sm_le32_put(b, 0x89ABCDEFu);
  assert_int_equal(b[0], 0xEF);
  assert_int_equal(b[3], 0x89);
  assert_int_equal(sm_le32_get(b), 0x89ABCDEFu);
  sm_le64_put(b, 0xFEDCBA9876543210ULL);
  assert_int_equal(b[0], 0x10);
  assert_int_equal(b[7], 0xFE);
  assert_int_equal(sm_le64_get(b), 0xFEDCBA9876543210ULL);
}

SM_TEST_MAIN(cmocka_unit_test(gl_parser_edges),
             cmocka_unit_test(record_truncations_and_trailing_byte),
             cmocka_unit_test(sticky_errors_zero_outputs), cmocka_unit_test(length_fields_bounded),
             cmocka_unit_test(round_trip_random), cmocka_unit_test(writer_cap_is_hard_and_sticky),
             cmocka_unit_test(writer_nomem), cmocka_unit_test(hex_codec),
             cmocka_unit_test(le_helpers))
