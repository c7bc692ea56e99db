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
#include "air/graph.h"
#include "air/input_json.h"
#include "air/qmodel.h"
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

static void fixture_open_seed(fixture *fx, const char *name, const char *onnx_file, uint8_t salt_seed) {
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
  seed[31] = salt_seed;
  starkml_setup_options so = {0, seed};
  assert_int_equal(starkml_setup(fx->ctx, &fx->pk, &fx->vk, fx->model, &so), STARKML_OK);
  snprintf(path, sizeof path, MODELS "%s/input.json", name);
  assert_int_equal(starkml_input_json_load(&fx->input, &ns, &fx->input_len, why, sizeof why, path),
                   STARKML_OK);
  assert_int_equal(ns, 1);
}

static void fixture_open(fixture *fx, const char *name, const char *onnx_file) {
  fixture_open_seed(fx, name, onnx_file, 0);
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


/* Quantized top-1 agreement with the float model on the held-out samples of
   reference.json (the target: >= 99 % on every bundled classifier). */
static double agreement(const char *name, const char *onnx_file, const char *ref_file) {
  char path[512], why[256];
  snprintf(path, sizeof path, MODELS "%s/%s", name, onnx_file);
  sm_graph g;
  assert_int_equal(sm_graph_load_onnx(&g, why, sizeof why, path), STARKML_OK);
  float *calib;
  size_t ns, sl;
  snprintf(path, sizeof path, MODELS "%s/calib.json", name);
  assert_int_equal(sm_input_json_load(&calib, &ns, &sl, why, sizeof why, path), STARKML_OK);
  sm_qmodel m;
  sm_qreport rep;
  starkml_status cs = sm_qmodel_compile(&m, &rep, why, sizeof why, &g, NULL, calib, ns, sl);
  if (cs != STARKML_OK) fprintf(stderr, "compile %s: %s\n", name, why);
  assert_int_equal(cs, STARKML_OK);
  snprintf(path, sizeof path, MODELS "%s/%s", name, ref_file);
  json_error_t err;
  json_t *ref = json_load_file(path, 0, &err);
  assert_non_null(ref);
  json_t *xs = json_object_get(ref, "test_inputs"), *ys = json_object_get(ref, "test_outputs");
  assert_true(json_is_array(xs) && json_is_array(ys));
  size_t n = json_array_size(xs), agree = 0, in_n = m.tensors[m.input - 1].numel;
  size_t no = m.tensors[m.output - 1].numel;
  float *x = malloc(in_n * sizeof *x);
  int64_t *q = malloc(in_n * sizeof *q), *vals = malloc(sm_qmodel_n_values(&m) * sizeof *vals);
  assert_true(x && q && vals);
  double maxerr = 0;
  for (size_t s = 0; s < n; s++) {
    json_t *row = json_array_get(xs, s), *yrow = json_array_get(ys, s);
    assert_int_equal(json_array_size(row), in_n);
    for (size_t i = 0; i < in_n; i++) x[i] = (float)json_number_value(json_array_get(row, i));
    assert_int_equal(sm_qmodel_quantize_input(&m, q, x, in_n), STARKML_OK);
    assert_int_equal(sm_qmodel_run(&m, vals, q), STARKML_OK);
    const int64_t *y = vals + sm_qmodel_offset(&m, m.output);
    double so = m.tensors[m.output - 1].scale;
    size_t af = 0, aq = 0;
    for (size_t i = 0; i < no; i++) {
      double yf = json_number_value(json_array_get(yrow, i));
      if (fabs(yf - (double)y[i] * so) > maxerr) maxerr = fabs(yf - (double)y[i] * so);
      if (yf > json_number_value(json_array_get(yrow, af))) af = i;
      if (y[i] > y[aq]) aq = i;
    }
    if (no == 1)
      agree += (json_number_value(json_array_get(yrow, 0)) >= 0.5) == ((double)y[0] * so >= 0.5);
    else
      agree += af == aq;
  }
  double a = (double)agree / (double)n;
  printf("%s/%s: top-1 agreement %.4f over %zu held-out samples, max |err| %.4g; calibration: "
         "%.4f, max |err| %.4g\n", name, onnx_file, a, n, maxerr, rep.top1_agreement, rep.max_abs_err);
  free(x);
  free(q);
  free(vals);
  json_decref(ref);
  free(calib);
  sm_qmodel_free(&m);
  sm_graph_free(&g);
  return a;
}

static void quantized_agreement(void **state) {
  (void)state;
  assert_true(agreement("mlp_digits", "model.onnx", "reference.json") >= 0.99);
  assert_true(agreement("mlp_digits", "model_softmax.onnx", "reference_softmax.json") >= 0.99);
  assert_true(agreement("cnn_digits", "model.onnx", "reference.json") >= 0.99);
  assert_true(agreement("logreg_cancer", "model.onnx", "reference.json") >= 0.99);
}

/* Every input visibility and output predicate proves and verifies; the statement says
   what the mode reveals and nothing more. */
static void mlp_modes_roundtrip(void **state) {
  (void)state;
  fixture fx;
  fixture_open(&fx, "mlp_digits", "model.onnx");
  uint8_t *proof = NULL;
  size_t len = 0;
  starkml_statement st, pub;
  assert_int_equal(prove(&fx, &proof, &len, &pub, STARKML_INPUT_PUBLIC, NULL), STARKML_OK);
  size_t k = 0;
  for (size_t i = 0; i < pub.output_len; i++)
    if (pub.output_q[i] > pub.output_q[k]) k = i;
  free(proof);
  char pred[64];
  snprintf(pred, sizeof pred, "argmax==%zu", k);
  /* private input, hidden output: argmax */
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PRIVATE, pred), STARKML_OK);
  assert_null(st.input_q);
  assert_null(st.output_q);
  assert_string_equal(st.predicate, pred);
  starkml_statement_clear(&st);
  assert_int_equal(verify(&fx, fx.vk, proof, len, NULL, NULL), STARKML_OK);
  /* the same proof against an expected input: it reveals none, so it cannot be compared */
  assert_int_equal(verify(&fx, fx.vk, proof, len, fx.input, NULL), STARKML_REJECT);
  free(proof);
  /* hashed input, threshold on the winning logit */
  double t = (double)pub.output_q[k] * pub.output_scale - 0.25;
  snprintf(pred, sizeof pred, "y[%zu]>=%.3f", k, t);
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_HASHED, pred), STARKML_OK);
  uint8_t digest[32];
  memcpy(digest, st.input_digest, 32);
  starkml_statement_clear(&st);
  assert_int_equal(verify(&fx, fx.vk, proof, len, NULL, digest), STARKML_OK);
  digest[0] ^= 1;
  assert_int_equal(verify(&fx, fx.vk, proof, len, NULL, digest), STARKML_REJECT);
  free(proof);
  /* an interval, and a false predicate (refused before proving, with a message) */
  snprintf(pred, sizeof pred, "%.3f<=y[%zu]<=%.3f", t, k, t + 1.0);
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PRIVATE, pred), STARKML_OK);
  starkml_statement_clear(&st);
  assert_int_equal(verify(&fx, fx.vk, proof, len, NULL, NULL), STARKML_OK);
  free(proof);
  snprintf(pred, sizeof pred, "argmax==%zu", (k + 1) % pub.output_len);
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PRIVATE, pred), STARKML_ERR_ARG);
  assert_null(proof);
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PRIVATE, "argmax=3"), STARKML_ERR_ARG);
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PRIVATE, "y[99]>=0"), STARKML_ERR_ARG);
  starkml_statement_clear(&pub);
  fixture_close(&fx);
}

/* Proofs that must be rejected: another model's vk, another input, a statement edited after
   proving (predicate, output, input digest), altered weights in the proving key. */
static void mlp_rejections(void **state) {
  (void)state;
  fixture fx, other;
  fixture_open(&fx, "mlp_digits", "model.onnx");
  fixture_open_seed(&other, "mlp_digits", "model.onnx", 1); /* same model, another salt */
  uint8_t *proof = NULL;
  size_t len = 0;
  starkml_statement st;
  assert_int_equal(prove(&fx, &proof, &len, &st, STARKML_INPUT_PUBLIC, NULL), STARKML_OK);
  starkml_statement_clear(&st);
  assert_int_equal(verify(&fx, fx.vk, proof, len, fx.input, NULL), STARKML_OK);
  /* the other vk differs only by its weight salt: still another model commitment */
  assert_int_equal(verify(&fx, other.vk, proof, len, NULL, NULL), STARKML_REJECT);
  float *x2 = malloc(fx.input_len * sizeof *x2);
  assert_non_null(x2);
  memcpy(x2, fx.input, fx.input_len * sizeof *x2);
  x2[10] += 0.5f;
  assert_int_equal(verify(&fx, fx.vk, proof, len, x2, NULL), STARKML_REJECT);
  free(x2);
  /* edit one output value inside the statement: the statement digest no longer matches */
  const uint8_t *p = proof;
  uint32_t sl = (uint32_t)p[8] | (uint32_t)p[9] << 8 | (uint32_t)p[10] << 16 | (uint32_t)p[11] << 24;
  uint8_t *bad = malloc(len);
  assert_non_null(bad);
  memcpy(bad, proof, len);
  bad[12 + sl - 8] ^= 1; /* the last output value's low byte */
  assert_int_equal(verify(&fx, fx.vk, bad, len, NULL, NULL), STARKML_REJECT);
  free(bad);
  free(proof);
  fixture_close(&other);
  fixture_close(&fx);
}

/* Public weights (preprocessed columns, weights in the vk): proofs with and without zero
   knowledge verify; turning zero knowledge off is refused while anything is private. */
static void public_weights_roundtrip(void **state) {
  (void)state;
  fixture fx;
  fixture_open(&fx, "logreg_cancer", "model.onnx");
  starkml_pk_free(fx.pk);
  starkml_vk_free(fx.vk);
  uint8_t seed[32] = {9};
  starkml_setup_options so = {1, seed};
  assert_int_equal(starkml_setup(fx.ctx, &fx.pk, &fx.vk, fx.model, &so), STARKML_OK);
  char why[256];
  for (int no_zk = 0; no_zk <= 1; no_zk++) {
    starkml_prove_options o;
    memset(&o, 0, sizeof o);
    o.preset = STARKML_PRESET_FAST;
    o.no_zk = no_zk;
    o.seed = seed;
    uint8_t *proof = NULL;
    size_t len = 0;
    starkml_statement st;
    assert_int_equal(starkml_prove(fx.ctx, &proof, &len, &st, why, sizeof why, fx.pk, fx.input,
                                   fx.input_len, &o),
                     STARKML_OK);
    assert_int_equal(st.zk, (uint32_t)!no_zk);
    starkml_statement_clear(&st);
    assert_int_equal(verify(&fx, fx.vk, proof, len, fx.input, NULL), STARKML_OK);
    free(proof);
  }
  starkml_prove_options o;
  memset(&o, 0, sizeof o);
  o.preset = STARKML_PRESET_FAST;
  o.no_zk = 1;
  o.input_visibility = STARKML_INPUT_PRIVATE;
  uint8_t *proof = NULL;
  size_t len = 0;
  starkml_statement st;
  assert_int_equal(starkml_prove(fx.ctx, &proof, &len, &st, why, sizeof why, fx.pk, fx.input,
                                 fx.input_len, &o),
                   STARKML_ERR_ARG);
  assert_null(proof);
  fixture_close(&fx);
}

/* The model check every decoder runs refuses a requantization whose accumulator (bounded
   by its DOT) times the multiplier could wrap modulo p, and a DOT that reads an
   accumulator; an untouched model passes. */
static void qmodel_check_bounds(void **state) {
  (void)state;
  char path[512], why[256];
  snprintf(path, sizeof path, MODELS "mlp_digits/model.onnx");
  sm_graph g;
  assert_int_equal(sm_graph_load_onnx(&g, why, sizeof why, path), STARKML_OK);
  float *calib;
  size_t ns, sl;
  assert_int_equal(sm_input_json_load(&calib, &ns, &sl, why, sizeof why,
                                      MODELS "mlp_digits/calib.json"),
                   STARKML_OK);
  sm_qmodel m;
  assert_int_equal(sm_qmodel_compile(&m, NULL, why, sizeof why, &g, NULL, calib, ns, sl), STARKML_OK);
  assert_int_equal(sm_qmodel_check(&m, why, sizeof why), STARKML_OK);
  uint32_t rq = UINT32_MAX, dot = UINT32_MAX;
  for (uint32_t k = 0; k < m.n_ops; k++) {
    if (m.ops[k].kind == SM_QOP_REQUANT &&
        m.tensors[SM_QKEY_TENSOR(m.ops[k].in) - 1].kind == SM_QT_ACC && rq == UINT32_MAX)
      rq = k;
    if (m.ops[k].kind == SM_QOP_DOT && k > 0 && dot == UINT32_MAX && rq != UINT32_MAX) dot = k;
  }
  assert_true(rq != UINT32_MAX && dot != UINT32_MAX);
  int64_t mult = m.ops[rq].mult;
  m.ops[rq].mult = ((int64_t)1 << 40) - 1; /* |acc| * mult reaches 2^62 */
  assert_int_equal(sm_qmodel_check(&m, why, sizeof why), STARKML_ERR_PARSE);
  assert_non_null(strstr(why, "wrap"));
  m.ops[rq].mult = mult;
  /* a later DOT reading the first accumulator as an operand */
  sm_qref saved = m.terms[2u * m.ops[dot].first];
  m.terms[2u * m.ops[dot].first].key = m.ops[rq].in;
  m.terms[2u * m.ops[dot].first].c = 0;
  assert_int_equal(sm_qmodel_check(&m, why, sizeof why), STARKML_ERR_PARSE);
  assert_non_null(strstr(why, "accumulator"));
  m.terms[2u * m.ops[dot].first] = saved;
  assert_int_equal(sm_qmodel_check(&m, why, sizeof why), STARKML_OK);
  free(calib);
  sm_qmodel_free(&m);
  sm_graph_free(&g);
}

/* A key file ends with its cache of preprocessed roots: u32 n, then n entries of 64 bytes
   (docs/formats.md). Returns a copy with an empty cache (*out_len bytes). */
static uint8_t *without_root_cache(const uint8_t *b, size_t len, size_t *out_len) {
  size_t n = 0, off = 0;
  int found = 0;
  for (n = 1; n <= 256 && 4 + 64 * n <= len; n++) {
    off = len - 4 - 64 * n;
    const uint32_t v = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
                       (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
    if (v == n) {
      found = 1;
      break;
    }
  }
  assert_true(found);
  uint8_t *c = malloc(off + 4);
  assert_non_null(c);
  memcpy(c, b, off);
  memset(c + off, 0, 4);
  *out_len = off + 4;
  return c;
}

/* Keys whose root cache is empty: the prover and the verifier both recompute the
   preprocessed commitment from the architecture, and the proof holds. (The vk hash covers
   the cache, so such keys are another model identity: proofs do not cross over.) */
static void empty_root_cache(void **state) {
  (void)state;
  fixture fx;
  fixture_open(&fx, "logreg_cancer", "model.onnx");
  uint8_t *pkb = NULL, *vkb = NULL;
  size_t pkl = 0, vkl = 0, pk2l = 0, vk2l = 0;
  assert_int_equal(starkml_pk_save(fx.pk, &pkb, &pkl), STARKML_OK);
  assert_int_equal(starkml_vk_save(fx.vk, &vkb, &vkl), STARKML_OK);
  uint8_t *pk2b = without_root_cache(pkb, pkl, &pk2l);
  uint8_t *vk2b = without_root_cache(vkb, vkl, &vk2l);
  assert_int_equal(pkl - pk2l, vkl - vk2l);
  starkml_pk *pk2 = NULL;
  starkml_vk *vk2 = NULL;
  char why[256];
  assert_int_equal(starkml_pk_load(&pk2, why, sizeof why, pk2b, pk2l), STARKML_OK);
  assert_int_equal(starkml_vk_load(&vk2, why, sizeof why, vk2b, vk2l), STARKML_OK);
  for (uint32_t vis = STARKML_INPUT_PUBLIC; vis <= STARKML_INPUT_PRIVATE; vis++) {
    starkml_pk *keep = fx.pk;
    fx.pk = pk2;
    uint8_t *proof = NULL;
    size_t len = 0;
    starkml_statement st;
    assert_int_equal(prove(&fx, &proof, &len, &st, vis, NULL), STARKML_OK);
    starkml_statement_clear(&st);
    fx.pk = keep;
    const float *in = vis == STARKML_INPUT_PUBLIC ? fx.input : NULL;
    assert_int_equal(verify(&fx, vk2, proof, len, in, NULL), STARKML_OK);
    assert_int_equal(verify(&fx, fx.vk, proof, len, in, NULL), STARKML_REJECT);
    free(proof);
    assert_int_equal(prove(&fx, &proof, &len, &st, vis, NULL), STARKML_OK);
    starkml_statement_clear(&st);
    assert_int_equal(verify(&fx, vk2, proof, len, in, NULL), STARKML_REJECT);
    free(proof);
  }
  starkml_pk_free(pk2);
  starkml_vk_free(vk2);
  free(pkb), free(vkb), free(pk2b), free(vk2b);
  fixture_close(&fx);
}

SM_TEST_MAIN(cmocka_unit_test(quantized_agreement), cmocka_unit_test(mlp_public_roundtrip),
             cmocka_unit_test(mlp_modes_roundtrip), cmocka_unit_test(mlp_rejections),
             cmocka_unit_test(public_weights_roundtrip),
             cmocka_unit_test(qmodel_check_bounds), cmocka_unit_test(empty_root_cache))
