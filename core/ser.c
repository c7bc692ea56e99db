/*
 * Strict little-endian serialization (see core/ser.h for the contract).
 *
 * Reader invariants: pos <= len at all times; once err != STARKML_OK it never changes
 * back, pos no longer moves, and every read writes zeros to its whole output. Each read
 * clears its output first, so an output is never left holding stale or partial data.
 *
 * Writer invariants: len <= cap <= max, buf holds len valid bytes (buf may be NULL while
 * cap == 0); once err != STARKML_OK, nothing more is appended.
 */
#include "core/ser.h"

#include <stdlib.h>
#include <string.h>

/* ---- Reader ----------------------------------------------------------------------------- */

void sm_r_init(sm_reader *r, const void *data, size_t len) {
  r->p = (const uint8_t *)data;
  r->len = len;
  r->pos = 0;
  /* A NULL buffer can only stand for empty input. */
  r->err = (data == NULL && len != 0) ? STARKML_ERR_ARG : STARKML_OK;
  if (r->err != STARKML_OK) r->len = 0;
}

/*
 * Returns a pointer to the next n bytes and consumes them, or NULL (setting the sticky
 * error) when an earlier read failed or fewer than n bytes are left. Truncated input is
 * malformed input, hence STARKML_ERR_PARSE.
 */
static const uint8_t *take(sm_reader *r, size_t n) {
  if (r->err != STARKML_OK) return NULL;
  if (n > r->len - r->pos) {
    r->err = STARKML_ERR_PARSE;
    return NULL;
  }
  const uint8_t *q = r->p + r->pos;
  r->pos += n;
  return q;
}

starkml_status sm_r_u8(sm_reader *r, uint8_t *v) {
  *v = 0;
  const uint8_t *q = take(r, 1);
  if (q == NULL) return r->err;
  *v = q[0];
  return STARKML_OK;
}

starkml_status sm_r_u32(sm_reader *r, uint32_t *v) {
  *v = 0;
  const uint8_t *q = take(r, 4);
  if (q == NULL) return r->err;
  *v = sm_le32_get(q);
  return STARKML_OK;
}

starkml_status sm_r_u64(sm_reader *r, uint64_t *v) {
  *v = 0;
  const uint8_t *q = take(r, 8);
  if (q == NULL) return r->err;
  *v = sm_le64_get(q);
  return STARKML_OK;
}

starkml_status sm_r_gl(sm_reader *r, gl_t *v) {
  uint64_t x;
  *v = 0;
  if (sm_r_u64(r, &x) != STARKML_OK) return r->err;
  /* A non-canonical encoding would give one field element two byte strings, and every
   * gl_* function assumes canonical inputs: both are reasons to refuse it here. */
  if (x >= GL_P) {
    r->err = STARKML_ERR_PARSE;
    return r->err;
  }
  *v = x;
  return STARKML_OK;
}

starkml_status sm_r_gl3(sm_reader *r, gl3_t *v) {
  for (int i = 0; i < 3; i++) v->v[i] = 0;
  gl3_t t;
  for (int i = 0; i < 3; i++) {
    if (sm_r_gl(r, &t.v[i]) != STARKML_OK) return r->err;
  }
  *v = t;
  return STARKML_OK;
}

starkml_status sm_r_gl_array(sm_reader *r, gl_t *v, size_t n) {
  if (n > 0) memset(v, 0, n * sizeof *v);
  if (r->err != STARKML_OK) return r->err;
  /* Checking the whole length first keeps a short input from filling a prefix. */
  if (n > (r->len - r->pos) / 8) {
    r->err = STARKML_ERR_PARSE;
    return r->err;
  }
  /* The length is checked: take all n at once, with sm_r_gl's canonical check on each. */
  const uint8_t *q = take(r, 8 * n);
  for (size_t i = 0; i < n; i++) {
    const uint64_t x = sm_le64_get(q + 8 * i);
    if (x >= GL_P) {
      memset(v, 0, n * sizeof *v);
      r->err = STARKML_ERR_PARSE;
      return r->err;
    }
    v[i] = x;
  }
  return STARKML_OK;
}

starkml_status sm_r_bytes(sm_reader *r, void *out, size_t n) {
  if (n > 0) memset(out, 0, n);
  const uint8_t *q = take(r, n);
  if (q == NULL) return r->err;
  if (n > 0) memcpy(out, q, n);
  return STARKML_OK;
}

starkml_status sm_r_len(sm_reader *r, uint32_t *n, uint32_t max, size_t elem_size) {
  uint32_t x;
  *n = 0;
  if (sm_r_u32(r, &x) != STARKML_OK) return r->err;
  /* elem_size is the smallest encoding of one element; every element takes at least
   * one byte, so 0 is a caller's mistake. */
  if (elem_size == 0) {
    r->err = STARKML_ERR_ARG;
    return r->err;
  }
  /* Bounding the count by the bytes actually left means a caller may allocate n
   * elements without trusting the input: a 4-byte header cannot ask for 4 GiB. The
   * division form cannot overflow. */
  if (x > max || x > (r->len - r->pos) / elem_size) {
    r->err = STARKML_ERR_PARSE;
    return r->err;
  }
  *n = x;
  return STARKML_OK;
}

starkml_status sm_r_finish(const sm_reader *r) {
  if (r->err != STARKML_OK) return r->err;
  return r->pos == r->len ? STARKML_OK : STARKML_ERR_PARSE;
}

/* ---- Writer ----------------------------------------------------------------------------- */

void sm_w_init(sm_writer *w, size_t max) {
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
  w->max = max;
  w->err = STARKML_OK;
}

void sm_w_free(sm_writer *w) {
  free(w->buf);
  w->buf = NULL;
  w->len = 0;
  w->cap = 0;
}

/*
 * Returns where the next n bytes go (after making room), or NULL with the sticky error
 * set: STARKML_ERR_ARG when the writer would pass its max, STARKML_ERR_NOMEM when the
 * buffer cannot grow. The capacity doubles (amortised O(1) appends) but never exceeds max.
 */
static uint8_t *reserve(sm_writer *w, size_t n) {
  if (w->err != STARKML_OK) return NULL;
  if (n > w->max - w->len) {
    w->err = STARKML_ERR_ARG;
    return NULL;
  }
  size_t need = w->len + n;
  if (need > w->cap) {
    size_t cap = w->cap < 64 ? 64 : w->cap;
    while (cap < need && cap <= SIZE_MAX / 2) cap *= 2;
    if (cap < need) cap = need;
    if (cap > w->max) cap = w->max;
    uint8_t *b = realloc(w->buf, cap);
    if (b == NULL) {
      w->err = STARKML_ERR_NOMEM;
      return NULL;
    }
    w->buf = b;
    w->cap = cap;
  }
  uint8_t *q = w->buf + w->len;
  w->len = need;
  return q;
}

void sm_w_u8(sm_writer *w, uint8_t v) {
  uint8_t *q = reserve(w, 1);
  if (q != NULL) q[0] = v;
}

void sm_w_u32(sm_writer *w, uint32_t v) {
  uint8_t *q = reserve(w, 4);
  if (q != NULL) sm_le32_put(q, v);
}

void sm_w_u64(sm_writer *w, uint64_t v) {
  uint8_t *q = reserve(w, 8);
  if (q != NULL) sm_le64_put(q, v);
}

void sm_w_gl(sm_writer *w, gl_t v) { sm_w_u64(w, v); }

void sm_w_gl3(sm_writer *w, gl3_t v) {
  uint8_t *q = reserve(w, 24);
  if (q == NULL) return;
  for (int i = 0; i < 3; i++) sm_le64_put(q + 8 * i, v.v[i]);
}

void sm_w_gl_array(sm_writer *w, const gl_t *v, size_t n) {
  if (n > SIZE_MAX / 8) {
    if (w->err == STARKML_OK) w->err = STARKML_ERR_ARG;
    return;
  }
  uint8_t *q = reserve(w, 8 * n);
  if (q == NULL) return;
  for (size_t i = 0; i < n; i++) sm_le64_put(q + 8 * i, v[i]);
}

void sm_w_bytes(sm_writer *w, const void *data, size_t n) {
  uint8_t *q = reserve(w, n);
  if (q != NULL && n > 0) memcpy(q, data, n);
}

/* ---- Hex -------------------------------------------------------------------------------- */

void sm_hex_encode(char *out, const uint8_t *in, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

/* The value of one hex digit (either case), or -1. Locale-independent on purpose. */
static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

starkml_status sm_hex_decode(uint8_t *out, size_t n, const char *in) {
  if (n > 0) memset(out, 0, n);
  if (in == NULL) return STARKML_ERR_ARG;
  /* Reads at most 2n + 1 characters: a string longer than 2n digits is refused at the
   * first extra character, without scanning the rest of it. A NUL among the first 2n
   * characters is not a hex digit, so a short string fails in the loop. */
  for (size_t i = 0; i < n; i++) {
    int hi = hex_digit(in[2 * i]);
    if (hi < 0) goto bad;
    int lo = hex_digit(in[2 * i + 1]);
    if (lo < 0) goto bad;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  if (in[2 * n] != '\0') goto bad;
  return STARKML_OK;
bad:
  if (n > 0) memset(out, 0, n);
  return STARKML_ERR_PARSE;
}
