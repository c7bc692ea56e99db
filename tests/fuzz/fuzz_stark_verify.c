/*
 * libFuzzer target: the input is a STARK proof. It is verified against each fixed
 * statement of fuzz_fixture.h (and once under a real security floor) and read by
 * sm_stark_inspect. The verifier must never crash,
 * leak or hit undefined behaviour (ASan + UBSan catch those), and its answer must be one
 * of the documented outcomes for a proof: STARKML_OK, STARKML_REJECT (with a reason) or
 * STARKML_ERR_PARSE. Anything else, and any disagreement between verify and inspect,
 * aborts so that libFuzzer records the input.
 *
 * Seeds: make_seeds writes honest proofs of these statements (scripts/fuzz.sh).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz_fixture.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static starkml_ctx *g_ctx;
static fuzz_fixture g_fix[FUZZ_N_STATEMENTS];

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "fuzz_stark_verify: " __VA_ARGS__); \
      fputc('\n', stderr);                                 \
      abort();                                             \
    }                                                      \
  } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  /* One thread: deterministic, and no OpenMP pool for LeakSanitizer to wade through. */
  CHECK(starkml_ctx_create(&g_ctx, 1) == STARKML_OK, "starkml_ctx_create failed");
  for (int i = 0; i < FUZZ_N_STATEMENTS; i++) {
    starkml_status s = fuzz_fixture_make(&g_fix[i], i, g_ctx);
    CHECK(s == STARKML_OK, "statement %s: %s", fuzz_statement_name(i), starkml_strerror(s));
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sm_stark_info info;
  starkml_status is = sm_stark_inspect(&info, data, size);
  CHECK(is == STARKML_OK || is == STARKML_ERR_PARSE, "inspect returned %s",
        starkml_strerror(is));
  if (is == STARKML_OK) {
    /* The framing covers the input exactly: magic and version, then every section. */
    CHECK(info.total_bytes == size, "inspect: total_bytes %zu, input %zu", info.total_bytes,
          size);
    CHECK(info.n_sections >= 1 && info.n_sections <= 8, "inspect: %zu sections",
          info.n_sections);
    size_t sum = 8;
    for (size_t k = 0; k < info.n_sections; k++) sum += info.sections[k].bytes;
    CHECK(sum == size, "inspect: sections add up to %zu of %zu bytes", sum, size);
    CHECK(info.n_tables >= 1 && info.n_tables <= SM_STARK_MAX_TABLES, "inspect: %u tables",
          (unsigned)info.n_tables);
  }

  /* Every statement under the 1-bit test floor the seeds are made for, then Fibonacci
   * once more under the secure preset's real floor (the seeds' tiny options fall below it,
   * so this reaches the floor check instead of the deep checks). */
  for (int i = 0; i <= FUZZ_N_STATEMENTS; i++) {
    int real_floor = i == FUZZ_N_STATEMENTS;
    const fuzz_fixture *f = &g_fix[real_floor ? FUZZ_ST_FIB : i];
    sm_stark_reject why = SM_REJ_COUNT_;
    sm_preset floor = real_floor ? SM_PRESET_SECURE : SM_PRESET_FAST;
    starkml_status v =
        sm_stark_verify(g_ctx, &why, &f->st, floor, real_floor ? 0u : 1u, data, size);
    const char *name = real_floor ? "fib (secure floor)" : fuzz_statement_name(i);
    switch (v) {
      case STARKML_OK:
        CHECK(why == SM_REJ_NONE, "%s: accepted with reason %d", name, (int)why);
        /* An accepted proof is well framed. */
        CHECK(is == STARKML_OK, "%s: verify accepted what inspect refuses", name);
        break;
      case STARKML_REJECT:
        CHECK(why > SM_REJ_NONE && why < SM_REJ_COUNT_, "%s: rejected with reason %d", name,
              (int)why);
        break;
      case STARKML_ERR_PARSE:
        break;
      default:
        CHECK(0, "%s: verify returned %s (reason %d)", name, starkml_strerror(v), (int)why);
    }
  }
  return 0;
}
