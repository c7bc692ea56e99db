/* The fuzz targets' fixed statements (see fuzz_fixture.h). */
#include "tests/fuzz/fuzz_fixture.h"

#include <string.h>

sm_stark_options fuzz_options(int zk) {
  sm_stark_options o = {2, 8, 4, (uint32_t)zk, SM_PRESET_FAST, 2, 2};
  return o;
}

int fuzz_statement_zk(int which) {
  switch (which) {
    case FUZZ_ST_RANGE_ZK0: return 0;
    case FUZZ_ST_RANGE_ZK1: return 1;
    default: return -1;
  }
}

const char *fuzz_statement_name(int which) {
  static const char *const names[FUZZ_N_STATEMENTS] = {"fib", "bus", "range_zk0", "range_zk1"};
  return which >= 0 && which < FUZZ_N_STATEMENTS ? names[which] : "?";
}

starkml_status fuzz_fixture_make(fuzz_fixture *f, int which, const starkml_ctx *ctx) {
  memset(f, 0, sizeof *f);
  starkml_status s;
  switch (which) {
    /* Fibonacci from (1, 1), 2^3 rows. */
    case FUZZ_ST_FIB: s = sm_air_toy_fibonacci(&f->toy, 3, 1, 1); break;
    /* "squares" 2^2 rows, "consumer" 2^4 rows. */
    case FUZZ_ST_BUS: s = sm_air_toy_bus(&f->toy, 2, 9); break;
    /* "values" 2^2 rows, "range8" 2^8 rows (preprocessed). */
    case FUZZ_ST_RANGE_ZK0:
    case FUZZ_ST_RANGE_ZK1: s = sm_air_toy_range_check(&f->toy, 2, 7); break;
    default: return STARKML_ERR_ARG;
  }
  if (s != STARKML_OK) return s;
  sm_stark_toy_wire(f);
  int zk = fuzz_statement_zk(which);
  sm_stark_options opt = fuzz_options(zk < 0 ? 1 : zk);
  s = sm_stark_setup(ctx, &f->pre_root, &f->st, &f->w, &opt);
  if (s != STARKML_OK) fuzz_fixture_free(f);
  return s;
}

void fuzz_fixture_free(fuzz_fixture *f) {
  sm_air_toy_free(&f->toy);
  memset(f, 0, sizeof *f);
}

size_t fuzz_fri_prefix(sm_fri_params *p, unsigned *log_sizes, size_t *n, const uint8_t *data,
                       size_t size) {
  if (size < 4) return 0;
  memset(p, 0, sizeof *p);
  p->log_blowup = 1u + data[0] % 4u;
  p->log_arity = 1u + data[1] % 4u;
  p->log_final_degree = data[2] % 5u;
  p->threads = 1;
  *n = 1u + data[3] % 3u;
  if (size < 4 + *n) return 0;
  for (size_t k = 0; k < *n; k++) log_sizes[k] = p->log_blowup + data[4 + k] % 12u;
  return 4 + *n;
}
