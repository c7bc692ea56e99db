/*
 * libFuzzer target: the input is a zkML proof ("SMZP", docs/formats.md) checked against the
 * golden verifying key of vectors/zkml (mlp_digits, embedded at build time would be nicer;
 * it is read once from the source tree). Parsing the statement and verifying must never
 * crash, leak or hit undefined behaviour; the only outcomes are OK (only for the golden
 * proof's exact bytes), REJECT and ERR_PARSE, always with a message when not OK. The
 * first input byte also selects a second path: the bytes as a verifying key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "starkml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (!(cond)) {                                        \
      fprintf(stderr, "fuzz_zkml_verify: " __VA_ARGS__); \
      fputc('\n', stderr);                                \
      abort();                                            \
    }                                                     \
  } while (0)

static starkml_ctx *g_ctx;
static starkml_vk *g_vk;

static void setup_once(void) {
  if (g_ctx != NULL) return;
  CHECK(starkml_ctx_create(&g_ctx, 1) == STARKML_OK, "context");
  FILE *f = fopen(STARKML_SOURCE_DIR "/vectors/zkml/mlp_digits.vk", "rb");
  CHECK(f != NULL, "cannot open the golden vk");
  static uint8_t buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  char why[256];
  CHECK(starkml_vk_load(&g_vk, why, sizeof why, buf, n) == STARKML_OK, "golden vk: %s", why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup_once();
  char why[256];
  starkml_statement st;
  starkml_status s = starkml_proof_statement(&st, why, sizeof why, data, size);
  CHECK(s == STARKML_OK || s == STARKML_ERR_PARSE, "statement status %d", (int)s);
  CHECK(s == STARKML_OK || why[0] != 0, "a refusal without a message");
  starkml_statement_clear(&st);
  s = starkml_verify(g_ctx, &st, why, sizeof why, g_vk, data, size, STARKML_PRESET_FAST, NULL, 0,
                     NULL);
  CHECK(s == STARKML_OK || s == STARKML_REJECT || s == STARKML_ERR_PARSE, "verify status %d",
        (int)s);
  CHECK(s == STARKML_OK || why[0] != 0, "a refusal without a message");
  starkml_statement_clear(&st);
  if (size > 0 && (data[0] & 1)) {
    starkml_vk *vk = NULL;
    s = starkml_vk_load(&vk, why, sizeof why, data, size);
    CHECK(s == STARKML_OK || s == STARKML_ERR_PARSE || s == STARKML_ERR_NOMEM, "vk status %d", (int)s);
    starkml_vk_free(vk);
  }
  return 0;
}
