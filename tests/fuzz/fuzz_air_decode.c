/*
 * libFuzzer target: the input is an encoded AIR table (air/air.h). A successful decode
 * must give a table that validates, whose encoding is the input byte for byte (the
 * encoding is canonical: a valid table has exactly one), and whose LogUp extension either
 * validates with its auxiliary columns or is refused for exceeding a cap. Decoding must
 * never crash, leak or hit undefined behaviour, and fails only with STARKML_ERR_PARSE.
 * A decoded table of modest width is also evaluated at one point (sm_air_eval_row), so
 * that the evaluator sees every shape of program the decoder admits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/air.h"
#include "core/ser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                 \
  do {                                                   \
    if (!(cond)) {                                       \
      fprintf(stderr, "fuzz_air_decode: " __VA_ARGS__); \
      fputc('\n', stderr);                               \
      abort();                                           \
    }                                                    \
  } while (0)

/* Evaluates t's constraints at a point whose column, public and challenge values are
 * drawn from the input bytes (any canonical values will do: this checks memory safety and
 * the status, not the values). Skipped for tables too wide to be worth the allocation. */
static void eval_once(const sm_air_table *t, const uint8_t *data, size_t size) {
  size_t n_cols = (size_t)t->n_pre + t->n_main;
  if (n_cols + t->n_public > 4096) return;
  gl3_t *cur = calloc(n_cols + 1, sizeof *cur), *next = calloc(n_cols + 1, sizeof *next);
  gl_t *pub = calloc((size_t)t->n_public + 1, sizeof *pub);
  gl3_t *out = calloc(t->n_constraints + 1, sizeof *out);
  gl3_t *scratch = calloc(t->n_nodes + 1, sizeof *scratch);
  CHECK(cur && next && pub && out && scratch, "out of memory");
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < size; i++) x = (x ^ data[i]) * 0x100000001b3u;
  for (size_t c = 0; c < n_cols; c++) {
    for (int k = 0; k < 3; k++) {
      x = x * 6364136223846793005u + 1442695040888963407u;
      cur[c].v[k] = gl_from_u64(x);
      next[c].v[k] = gl_from_u64(x >> 7);
    }
  }
  for (size_t i = 0; i < t->n_public; i++) pub[i] = gl_from_u64(x += 0x9e3779b97f4a7c15u);
  gl3_t chal[SM_AIR_N_CHALLENGES];
  for (int i = 0; i < SM_AIR_N_CHALLENGES; i++)
    for (int k = 0; k < 3; k++) chal[i].v[k] = gl_from_u64(x += 0x632be59bd9b4e019u);
  starkml_status s = sm_air_eval_row(t, 0, out, cur, next, pub, chal, scratch);
  CHECK(s == STARKML_OK, "eval_row on a valid table returned %s", starkml_strerror(s));
  free(cur);
  free(next);
  free(pub);
  free(out);
  free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sm_air_table t;
  starkml_status s = sm_air_decode_buf(&t, data, size);
  if (s != STARKML_OK) {
    CHECK(s == STARKML_ERR_PARSE, "decode returned %s", starkml_strerror(s));
    /* The output is zeroed on failure. */
    static const sm_air_table zero;
    CHECK(memcmp(&t, &zero, sizeof t) == 0, "decode failed but left the table non-zero");
    return 0;
  }

  char why[128];
  s = sm_air_validate(&t, 0, why, sizeof why);
  CHECK(s == STARKML_OK, "decoded table does not validate: %s", why);

  sm_writer w;
  sm_w_init(&w, size + 1);
  s = sm_air_encode(&t, &w);
  CHECK(s == STARKML_OK, "re-encode returned %s", starkml_strerror(s));
  CHECK(w.len == size && memcmp(w.buf, data, size) == 0,
        "re-encoding differs from the input (%zu vs %zu bytes)", w.len, size);
  sm_w_free(&w);

  uint8_t h[32];
  CHECK(sm_air_hash(&t, h) == STARKML_OK, "hash failed on a valid table");

  eval_once(&t, data, size);

  sm_air_table ext;
  s = sm_air_logup_extend(&t, &ext);
  if (s == STARKML_OK) {
    s = sm_air_validate(&ext, sm_air_logup_n_aux(&ext), why, sizeof why);
    CHECK(s == STARKML_OK, "LogUp extension does not validate: %s", why);
    sm_air_table_free(&ext);
  } else {
    CHECK(s == STARKML_ERR_ARG, "LogUp extension returned %s", starkml_strerror(s));
  }
  sm_air_table_free(&t);
  return 0;
}
