/*
 * libFuzzer target: FRI's proof readers (fri/fri.h). A prefix of the input picks FRI
 * parameters and input sizes (fuzz_fri_prefix); the rest is read as a commitment and up
 * to FUZZ_FRI_MAX_QUERIES query proofs for that schedule. Every read either fails with
 * STARKML_ERR_PARSE or succeeds, and what it read re-encodes to exactly the bytes it
 * consumed (the encoding is canonical). Never a crash, a leak or undefined behaviour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                               \
  do {                                                 \
    if (!(cond)) {                                     \
      fprintf(stderr, "fuzz_fri_read: " __VA_ARGS__); \
      fputc('\n', stderr);                             \
      abort();                                         \
    }                                                  \
  } while (0)

/* The bytes r consumed since `from` must be exactly what w holds. */
static void check_canonical(const sm_reader *r, size_t from, const sm_writer *w,
                            const char *what) {
  CHECK(sm_w_status(w) == STARKML_OK, "%s: re-encode failed", what);
  CHECK(r->pos - from == w->len && memcmp(r->p + from, w->buf, w->len) == 0,
        "%s: re-encoding differs from the input (%zu vs %zu bytes)", what, w->len,
        r->pos - from);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sm_fri_params p;
  unsigned sizes[3];
  size_t n;
  size_t off = fuzz_fri_prefix(&p, sizes, &n, data, size);
  if (off == 0) return 0;
  sm_fri_schedule s;
  if (sm_fri_schedule_compute(&s, &p, sizes, n) != STARKML_OK) return 0;

  sm_reader r;
  sm_r_init(&r, data + off, size - off);
  sm_digest roots[SM_FRI_MAX_LAYERS];
  gl3_t *final_coeffs = calloc(s.n_final ? s.n_final : 1, sizeof *final_coeffs);
  CHECK(final_coeffs != NULL, "out of memory");
  size_t from = r.pos;
  starkml_status st = sm_fri_read_commitment(roots, final_coeffs, &r, &s);
  CHECK(st == STARKML_OK || st == STARKML_ERR_PARSE, "read_commitment returned %s",
        starkml_strerror(st));
  if (st == STARKML_OK) {
    sm_writer w;
    sm_w_init(&w, size);
    sm_fri_write_commitment(&w, roots, s.n_layers, final_coeffs, s.n_final);
    check_canonical(&r, from, &w, "commitment");
    sm_w_free(&w);

    for (int k = 0; k < FUZZ_FRI_MAX_QUERIES && sm_r_remaining(&r) > 0; k++) {
      sm_fri_query_proof q;
      from = r.pos;
      st = sm_fri_read_query_proof(&q, &r, &s);
      CHECK(st == STARKML_OK || st == STARKML_ERR_PARSE, "read_query_proof returned %s",
            starkml_strerror(st));
      if (st != STARKML_OK) {
        CHECK(q.values == NULL && q.paths == NULL, "failed read left openings allocated");
        break;
      }
      sm_w_init(&w, size);
      CHECK(sm_fri_write_query_proof(&w, &s, &q) == STARKML_OK, "write_query_proof failed");
      check_canonical(&r, from, &w, "query proof");
      sm_w_free(&w);
      sm_fri_query_proof_free(&q);
    }
  }
  free(final_coeffs);
  return 0;
}
