/*
 * Strict little-endian serialization.
 *
 * The reader never trusts its input: every read checks the remaining length, field
 * elements must be canonical (< p), declared lengths are bounded by the caller and by the
 * bytes left, and finish() refuses trailing bytes. Errors are sticky: after the first
 * failure every read fails and writes zeros to its output, so a parser can read a whole
 * structure and check the status once (outputs are never left uninitialised).
 *
 * The writer grows its buffer up to a hard cap fixed at init; exceeding it is an error,
 * not an allocation of whatever size a caller computed.
 */
#ifndef STARKML_CORE_SER_H
#define STARKML_CORE_SER_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "starkml.h"

typedef struct {
  const uint8_t *p;
  size_t len, pos;
  starkml_status err; /* STARKML_OK until the first failure */
} sm_reader;

void sm_r_init(sm_reader *r, const void *data, size_t len);
starkml_status sm_r_u8(sm_reader *r, uint8_t *v);
starkml_status sm_r_u32(sm_reader *r, uint32_t *v);
starkml_status sm_r_u64(sm_reader *r, uint64_t *v);
/* Rejects values >= p with STARKML_ERR_PARSE. */
starkml_status sm_r_gl(sm_reader *r, gl_t *v);
starkml_status sm_r_gl3(sm_reader *r, gl3_t *v);
starkml_status sm_r_gl_array(sm_reader *r, gl_t *v, size_t n);
starkml_status sm_r_bytes(sm_reader *r, void *out, size_t n);
/* Reads a LE32 length and checks it is <= max and <= the bytes left times elem_size. */
starkml_status sm_r_len(sm_reader *r, uint32_t *n, uint32_t max, size_t elem_size);
/* Returns: STARKML_OK when no error occurred and every byte was consumed. */
starkml_status sm_r_finish(const sm_reader *r);
static inline size_t sm_r_remaining(const sm_reader *r) { return r->len - r->pos; }

typedef struct {
  uint8_t *buf;
  size_t len, cap, max;
  starkml_status err;
} sm_writer;

/* Starts an empty writer that refuses to grow past max bytes. */
void sm_w_init(sm_writer *w, size_t max);
void sm_w_free(sm_writer *w);
void sm_w_u8(sm_writer *w, uint8_t v);
void sm_w_u32(sm_writer *w, uint32_t v);
void sm_w_u64(sm_writer *w, uint64_t v);
void sm_w_gl(sm_writer *w, gl_t v);
void sm_w_gl3(sm_writer *w, gl3_t v);
void sm_w_gl_array(sm_writer *w, const gl_t *v, size_t n);
void sm_w_bytes(sm_writer *w, const void *data, size_t n);
/* Returns: the first error (STARKML_ERR_NOMEM, or STARKML_ERR_ARG past max), or OK. */
static inline starkml_status sm_w_status(const sm_writer *w) { return w->err; }

/* Little-endian helpers for fixed buffers. */
static inline void sm_le32_put(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void sm_le64_put(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t sm_le32_get(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
  return v;
}
static inline uint64_t sm_le64_get(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* Lower-case hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void sm_hex_encode(char *out, const uint8_t *in, size_t n);
/* Returns: STARKML_OK, or STARKML_ERR_PARSE unless `in` is exactly 2n hex digits. */
starkml_status sm_hex_decode(uint8_t *out, size_t n, const char *in);

#endif
