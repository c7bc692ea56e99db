/*
 * The zkML commands of the `starkml` tool as a user runs them (compile, setup, prove,
 * verify, inspect, demo): every case runs the built binary in a child process on the
 * bundled models of vectors/models and checks its exit code, stdout, stderr and the files
 * it writes (or does not write: a failed command leaves no output file behind).
 *
 * Every proof uses the fast preset and the small models, so that a case takes seconds.
 * Under the sanitizers the child reports an error with exit code 86 (ASAN_OPTIONS and
 * UBSAN_OPTIONS are extended with exitcode=86), which no case accepts.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/sm_cli.h"
#include "tests/sm_test.h"

#define CLI STARKML_BINARY_DIR "/host/starkml"
#define MODELS STARKML_SOURCE_DIR "/vectors/models"
#define PRESET "fast"

static char tmpdir[256];

static char out_buf[1 << 18], err_buf[1 << 14];
static sm_cli_result R = {0, out_buf, sizeof out_buf, err_buf, sizeof err_buf};

/* Runs the tool with the NULL-terminated arguments (without argv[0]); fills R. */
static int run_argv(const char *const *args) { return sm_cli_run(&R, CLI, tmpdir, args); }

#define RUN(...) run_argv((const char *const[]){__VA_ARGS__, NULL})

/* Runs and fails the case unless the exit code is `want` (showing what the tool said). */
#define RUN_EXPECT(want, ...)                                                               \
  do {                                                                                      \
    int rc_ = RUN(__VA_ARGS__);                                                             \
    if (rc_ != (want))                                                                      \
      fail_msg("line %d: exit %d, expected %d\nstdout: %.2000s\nstderr: %.2000s", __LINE__, \
               rc_, (want), R.out, R.err);                                                  \
  } while (0)

static const char *tmp(const char *name) {
  static char bufs[16][320];
  static int next;
  char *b = bufs[next++ % 16];
  snprintf(b, 320, "%s/%s", tmpdir, name);
  return b;
}

static const char *model_file(const char *model, const char *file) {
  static char bufs[8][400];
  static int next;
  char *b = bufs[next++ % 8];
  snprintf(b, 400, "%s/%s/%s", MODELS, model, file);
  return b;
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

static size_t file_size(const char *path) {
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  return (size_t)sb.st_size;
}

static void spit(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static json_t *parse_json_out(void) {
  json_error_t e;
  json_t *j = json_loads(R.out, 0, &e);
  if (j == NULL) fail_msg("stdout is not JSON (%s): %.2000s", e.text, R.out);
  return j;
}

static json_t *load_json_file(const char *path) {
  json_error_t e;
  json_t *j = json_load_file(path, 0, &e);
  if (j == NULL) fail_msg("%s is not JSON: %s", path, e.text);
  return j;
}

static const char *jstr(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  if (s == NULL) fail_msg("no string member \"%s\"", key);
  return s;
}

static json_int_t jint(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  if (!json_is_integer(v)) fail_msg("no integer member \"%s\"", key);
  return json_integer_value(v);
}

static void setup_tmp(void) { sm_cli_tmpdir(tmpdir, sizeof tmpdir, "starkml-zkml"); }

static void remove_tmp(void) { sm_cli_tmpdir_remove(tmpdir); }

/* tmp() and model_file() return one of a few rotating buffers: a path used after further
   calls is copied into the case's own array first. */

/* Compiles and sets up a bundled model into tmpdir/NAME.{smc,pk,vk} (seeded salt). */
static void compile_and_setup(const char *name) {
  char smc[64], pk[64], vk[64];
  snprintf(smc, sizeof smc, "%s.smc", name);
  snprintf(pk, sizeof pk, "%s.pk", name);
  snprintf(vk, sizeof vk, "%s.vk", name);
  RUN_EXPECT(0, "compile", model_file(name, "model.onnx"), "--calib",
             model_file(name, "calib.json"), "-o", tmp(smc), "--json");
  json_t *c = parse_json_out();
  assert_true(jint(c, "input_len") > 0);
  assert_true(jint(c, "output_len") > 0);
  assert_int_equal(jint(c, "output_bytes"), (json_int_t)file_size(tmp(smc)));
  json_decref(c);
  RUN_EXPECT(0, "setup", tmp(smc), "--pk", tmp(pk), "--vk", tmp(vk), "--seed", "1", "--json");
  json_t *s = parse_json_out();
  assert_int_equal(strlen(jstr(s, "vk_hash")), 64);
  assert_int_equal(jint(s, "vk_bytes"), (json_int_t)file_size(tmp(vk)));
  json_decref(s);
}

/* The class the float model predicts for input.json (reference.json's output). */
static int reference_argmax(const char *name) {
  json_t *ref = load_json_file(model_file(name, "reference.json"));
  json_t *out = json_object_get(ref, "output");
  assert_true(json_array_size(out) > 1);
  size_t k = 0;
  for (size_t i = 1; i < json_array_size(out); i++)
    if (json_number_value(json_array_get(out, i)) > json_number_value(json_array_get(out, k)))
      k = i;
  json_decref(ref);
  return (int)k;
}

/* Public input and output: compile, setup, prove, verify, inspect every file; then the
   proof fails against another input and against another model's vk. */
static void public_roundtrip(void **state) {
  (void)state;
  setup_tmp();
  compile_and_setup("mlp_digits");
  const int k = reference_argmax("mlp_digits");
  char proof[320];
  snprintf(proof, sizeof proof, "%s", tmp("p.proof"));
  RUN_EXPECT(0, "prove", "--pk", tmp("mlp_digits.pk"), "--input",
             model_file("mlp_digits", "input.json"), "-o", proof, "--preset", PRESET, "--seed",
             "2", "--json");
  json_t *p = parse_json_out();
  assert_int_equal(jint(p, "proof_bytes"), (json_int_t)file_size(proof));
  assert_int_equal(jint(p, "argmax"), k);
  assert_string_equal(jstr(p, "input_visibility"), "public");
  assert_string_equal(jstr(p, "preset"), PRESET);
  assert_true(json_is_true(json_object_get(p, "zk")));
  assert_true(jint(p, "conjectured_bits") >= 100);
  /* the output JSON beside the proof */
  json_t *o = load_json_file(tmp("p.proof.json"));
  assert_int_equal(json_array_size(json_object_get(o, "output")), 10);
  assert_int_equal(json_array_size(json_object_get(o, "output_q")), 10);
  assert_true(json_equal(json_object_get(o, "output_q"), json_object_get(p, "output_q")));
  assert_true(json_is_null(json_object_get(o, "predicate")));
  assert_true(json_is_null(json_object_get(o, "input_digest")));
  assert_string_equal(jstr(o, "input_visibility"), "public");
  assert_string_equal(jstr(o, "proof"), proof);
  assert_int_equal(jint(o, "proof_bytes"), (json_int_t)file_size(proof));
  assert_true(json_is_number(json_object_get(o, "prove_seconds")));
  json_decref(o);

  /* verify, as text and as JSON, with and without the input */
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET);
  assert_memory_equal(R.out, "ACCEPTED", 8);
  assert_non_null(strstr(R.out, "provable"));
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--input", model_file("mlp_digits", "input.json"), "--json");
  json_t *v = parse_json_out();
  assert_string_equal(jstr(v, "result"), "accepted");
  assert_int_equal(jint(v, "argmax"), k);
  assert_true(json_equal(json_object_get(v, "output_q"), json_object_get(p, "output_q")));
  assert_string_equal(jstr(v, "vk_hash"), jstr(p, "vk_hash"));
  json_decref(v);
  /* --threads: every core (0) and three give the verdict of the default (one); a count
     out of range is a usage error */
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--threads", "0");
  assert_memory_equal(R.out, "ACCEPTED", 8);
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--threads", "3");
  assert_memory_equal(R.out, "ACCEPTED", 8);
  RUN_EXPECT(2, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--threads", "-1");
  assert_non_null(strstr(R.err, "--threads takes an integer"));
  /* the default floor is secure: a fast proof is below it */
  if (strcmp(PRESET, "fast") == 0) {
    RUN_EXPECT(1, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof);
    assert_memory_equal(R.out, "REJECTED: ", 10);
  }

  /* another input (one pixel changed) */
  json_t *in = load_json_file(model_file("mlp_digits", "input.json"));
  json_t *row = json_array_get(json_object_get(in, "input_data"), 0);
  double x0 = json_number_value(json_array_get(row, 2));
  json_array_set_new(row, 2, json_real(x0 < 0.5 ? 0.9 : 0.1));
  assert_int_equal(json_dump_file(in, tmp("other.json"), 0), 0);
  json_decref(in);
  RUN_EXPECT(1, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--input", tmp("other.json"));
  assert_memory_equal(R.out, "REJECTED: ", 10);
  RUN_EXPECT(1, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--input", tmp("other.json"), "--json");
  v = parse_json_out();
  assert_string_equal(jstr(v, "result"), "rejected");
  assert_true(strlen(jstr(v, "reason")) > 0);
  json_decref(v);

  /* another model's verifying key */
  compile_and_setup("logreg_cancer");
  RUN_EXPECT(1, "verify", "--vk", tmp("logreg_cancer.vk"), "--proof", proof, "--preset", PRESET);
  assert_memory_equal(R.out, "REJECTED: ", 10);

  /* inspect each file kind, as JSON */
  RUN_EXPECT(0, "inspect", proof, "--json");
  json_t *i = parse_json_out();
  assert_string_equal(jstr(i, "kind"), "zkml_proof");
  assert_int_equal(jint(i, "total_bytes"), (json_int_t)file_size(proof));
  assert_string_equal(jstr(i, "vk_hash"), jstr(p, "vk_hash"));
  assert_true(json_equal(json_object_get(i, "output_q"), json_object_get(p, "output_q")));
  assert_true(json_is_false(json_object_get(i, "verified")));
  json_decref(i);
  static const struct {
    const char *file, *kind;
  } kinds[] = {{"mlp_digits.vk", "verifying_key"},
               {"mlp_digits.pk", "proving_key"},
               {"mlp_digits.smc", "compiled_model"}};
  for (size_t n = 0; n < 3; n++) {
    RUN_EXPECT(0, "inspect", tmp(kinds[n].file), "--json");
    i = parse_json_out();
    assert_string_equal(jstr(i, "kind"), kinds[n].kind);
    assert_int_equal(jint(i, "input_len"), 64);
    assert_int_equal(jint(i, "output_len"), 10);
    assert_int_equal(jint(i, "total_bytes"), (json_int_t)file_size(tmp(kinds[n].file)));
    if (n < 2) assert_string_equal(jstr(i, "vk_hash"), jstr(p, "vk_hash"));
    assert_null(json_object_get(i, "salt"));
    assert_null(json_object_get(i, "weights"));
    json_decref(i);
    RUN_EXPECT(0, "inspect", tmp(kinds[n].file));
    assert_non_null(strstr(R.out, "kind"));
  }
  json_decref(p);
  remove_tmp();
}

/* Private input and output with a proven predicate; a false predicate and one that does
   not parse are errors that write nothing. */
static void private_predicate(void **state) {
  (void)state;
  setup_tmp();
  compile_and_setup("mlp_digits");
  const int k = reference_argmax("mlp_digits");
  char pred[32], wrong[32];
  snprintf(pred, sizeof pred, "argmax==%d", k);
  snprintf(wrong, sizeof wrong, "argmax==%d", (k + 1) % 10);
  char proof[320];
  snprintf(proof, sizeof proof, "%s", tmp("q.proof"));
  RUN_EXPECT(0, "prove", "--pk", tmp("mlp_digits.pk"), "--input",
             model_file("mlp_digits", "input.json"), "-o", proof, "--output", tmp("q.json"),
             "--input-visibility", "private", "--predicate", pred, "--preset", PRESET, "--quiet");
  assert_string_equal(R.out, "");
  assert_false(exists(tmp("q.proof.json")));
  json_t *o = load_json_file(tmp("q.json"));
  assert_true(json_is_null(json_object_get(o, "output")));
  assert_true(json_is_null(json_object_get(o, "output_q")));
  assert_string_equal(jstr(o, "predicate"), pred);
  assert_string_equal(jstr(o, "input_visibility"), "private");
  json_decref(o);
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET);
  assert_memory_equal(R.out, "ACCEPTED", 8);
  assert_non_null(strstr(R.out, pred));
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--json");
  json_t *v = parse_json_out();
  assert_string_equal(jstr(v, "predicate"), pred);
  assert_true(json_is_null(json_object_get(v, "output")));
  assert_true(json_is_null(json_object_get(v, "input_q")));
  assert_true(json_is_null(json_object_get(v, "argmax")));
  json_decref(v);
  /* a verifier that asks for the predicate: the same one (spaces allowed) passes, another
     is a rejection, one that does not parse a usage error */
  char spaced[40];
  snprintf(spaced, sizeof spaced, "argmax == %d", k);
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--predicate", spaced);
  RUN_EXPECT(1, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--predicate", wrong);
  assert_non_null(strstr(R.out, "REJECTED"));
  RUN_EXPECT(2, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--predicate", "argmax=3");
  RUN_EXPECT(0, "inspect", proof, "--json");
  v = parse_json_out();
  assert_string_equal(jstr(v, "predicate"), pred);
  assert_true(json_is_null(json_object_get(v, "output_q")));
  assert_true(json_is_null(json_object_get(v, "input_q")));
  json_decref(v);

  /* a false predicate, and one that does not parse: exit 2, no file */
  const char *const bad_preds[] = {wrong, "argmax=3", "y[0]>=nan", "frobnicate"};
  for (size_t n = 0; n < 4; n++) {
    RUN_EXPECT(2, "prove", "--pk", tmp("mlp_digits.pk"), "--input",
               model_file("mlp_digits", "input.json"), "-o", tmp("r.proof"),
               "--input-visibility", "private", "--predicate", bad_preds[n], "--preset", PRESET,
               "--quiet");
    assert_memory_equal(R.err, "starkml prove: ", 15);
    assert_non_null(strstr(R.err, "predicate"));
    assert_string_equal(R.out, "");
    assert_false(exists(tmp("r.proof")));
    assert_false(exists(tmp("r.proof.json")));
  }
  remove_tmp();
}

/* Hashed input: the verifier checks the digest it holds. */
static void hashed_input(void **state) {
  (void)state;
  setup_tmp();
  compile_and_setup("mlp_digits");
  char proof[320];
  snprintf(proof, sizeof proof, "%s", tmp("h.proof"));
  RUN_EXPECT(0, "prove", "--pk", tmp("mlp_digits.pk"), "--input",
             model_file("mlp_digits", "input.json"), "-o", proof, "--input-visibility", "hashed",
             "--preset", PRESET, "--threads", "2", "--backend", "cpu");
  assert_non_null(strstr(R.out, "hashed"));
  json_t *o = load_json_file(tmp("h.proof.json"));
  assert_string_equal(jstr(o, "input_visibility"), "hashed");
  char digest[65];
  snprintf(digest, sizeof digest, "%s", jstr(o, "input_digest"));
  assert_int_equal(strlen(digest), 64);
  assert_int_equal(json_array_size(json_object_get(o, "output")), 10);
  json_decref(o);
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--input-digest", digest, "--json");
  json_t *v = parse_json_out();
  assert_string_equal(jstr(v, "input_digest"), digest);
  assert_true(json_is_null(json_object_get(v, "input_q")));
  json_decref(v);
  RUN_EXPECT(0, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET);
  assert_non_null(strstr(R.out, digest));
  /* another digest */
  digest[0] = digest[0] == '0' ? '1' : '0';
  RUN_EXPECT(1, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--input-digest", digest);
  assert_memory_equal(R.out, "REJECTED: ", 10);
  /* a malformed digest */
  RUN_EXPECT(2, "verify", "--vk", tmp("mlp_digits.vk"), "--proof", proof, "--preset", PRESET,
             "--input-digest", "abc");
  assert_memory_equal(R.err, "starkml verify: ", 16);
  remove_tmp();
}

/* Bad files and bad inputs: exit 2 with a "starkml CMD: " line, and no output file. */
static void bad_inputs(void **state) {
  (void)state;
  setup_tmp();
  /* malformed ONNX */
  static const unsigned char junk[] = {0x08, 0xff, 0x12, 0x99, 0x01, 0x42, 0x00, 0x13, 0x37};
  spit(tmp("bad.onnx"), junk, sizeof junk);
  RUN_EXPECT(2, "compile", tmp("bad.onnx"), "--calib", model_file("logreg_cancer", "calib.json"),
             "-o", tmp("bad.smc"));
  assert_memory_equal(R.err, "starkml compile: ", 17);
  assert_false(exists(tmp("bad.smc")));
  /* calibration samples of the wrong length */
  RUN_EXPECT(2, "compile", model_file("logreg_cancer", "model.onnx"), "--calib",
             model_file("mlp_digits", "calib.json"), "-o", tmp("bad.smc"));
  assert_false(exists(tmp("bad.smc")));
  /* a missing ONNX file */
  RUN_EXPECT(2, "compile", tmp("nope.onnx"), "--calib", model_file("logreg_cancer", "calib.json"),
             "-o", tmp("bad.smc"));
  assert_false(exists(tmp("bad.smc")));
  /* setup of something that is not a compiled model */
  RUN_EXPECT(2, "setup", tmp("bad.onnx"), "--pk", tmp("bad.pk"), "--vk", tmp("bad.vk"));
  assert_memory_equal(R.err, "starkml setup: ", 15);
  assert_false(exists(tmp("bad.pk")));
  assert_false(exists(tmp("bad.vk")));

  compile_and_setup("logreg_cancer");
  char pk[320];
  snprintf(pk, sizeof pk, "%s", tmp("logreg_cancer.pk"));
  /* wrong input length (the digits input has 64 values; the model takes 30) */
  RUN_EXPECT(2, "prove", "--pk", pk, "--input", model_file("mlp_digits", "input.json"), "-o",
             tmp("x.proof"), "--preset", PRESET);
  assert_memory_equal(R.err, "starkml prove: ", 15);
  assert_non_null(strstr(R.err, "30"));
  /* a NaN token */
  static const char nan_json[] = "{\"input_data\": [[0.5, NaN, 1.0]]}";
  spit(tmp("nan.json"), nan_json, sizeof nan_json - 1);
  RUN_EXPECT(2, "prove", "--pk", pk, "--input", tmp("nan.json"), "-o", tmp("x.proof"),
             "--preset", PRESET);
  assert_memory_equal(R.err, "starkml prove: ", 15);
  assert_non_null(strstr(R.err, "NaN"));
  /* several samples */
  RUN_EXPECT(2, "prove", "--pk", pk, "--input", model_file("logreg_cancer", "calib.json"), "-o",
             tmp("x.proof"), "--preset", PRESET);
  /* a backend no build has, a device no backend has */
  RUN_EXPECT(2, "prove", "--pk", pk, "--input", model_file("logreg_cancer", "input.json"), "-o",
             tmp("x.proof"), "--backend", "gpu");
  assert_string_equal(R.err, "starkml prove: unknown backend 'gpu' (cpu, opencl or verilator)\n");
  RUN_EXPECT(2, "prove", "--pk", pk, "--input", model_file("logreg_cancer", "input.json"), "-o",
             tmp("x.proof"), "--backend", "cpu", "--device", "3");
  assert_string_equal(R.err, "starkml prove: the cpu backend has one device, 0; not 3\n");
  RUN_EXPECT(2, "prove", "--pk", pk, "--input", model_file("logreg_cancer", "input.json"), "-o",
             tmp("x.proof"), "--device", "x");
  assert_memory_equal(R.err, "starkml prove: --device takes", 29);
  /* a verifying key given as the proving key */
  RUN_EXPECT(2, "prove", "--pk", tmp("logreg_cancer.vk"), "--input",
             model_file("logreg_cancer", "input.json"), "-o", tmp("x.proof"), "--preset", PRESET);
  assert_false(exists(tmp("x.proof")));
  assert_false(exists(tmp("x.proof.json")));
  /* verify: files that are not what they should be */
  RUN_EXPECT(2, "verify", "--vk", tmp("logreg_cancer.vk"), "--proof", tmp("logreg_cancer.vk"));
  assert_memory_equal(R.err, "starkml verify: ", 16);
  RUN_EXPECT(2, "verify", "--vk", pk, "--proof", tmp("logreg_cancer.vk"));
  RUN_EXPECT(2, "verify", "--vk", tmp("logreg_cancer.vk"), "--proof", tmp("nope.proof"));
  /* inspect: random bytes, an empty file, a truncated key */
  spit(tmp("empty"), "", 0);
  RUN_EXPECT(2, "inspect", tmp("empty"), "--json");
  assert_memory_equal(R.err, "starkml inspect: ", 17);
  RUN_EXPECT(2, "inspect", tmp("bad.onnx"));
  assert_non_null(strstr(R.err, "magic"));
  FILE *f = fopen(tmp("logreg_cancer.vk"), "rb");
  assert_non_null(f);
  unsigned char head[64];
  assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
  fclose(f);
  spit(tmp("cut.vk"), head, sizeof head);
  RUN_EXPECT(2, "inspect", tmp("cut.vk"), "--json");
  assert_string_equal(R.out, "");
  remove_tmp();
}

/* `starkml demo` on bundled models (the CNN and the logistic regression: the quickest to
   prove; public_roundtrip covers the default MLP): the prediction is the reference's. */
static void demo_runs(void **state) {
  (void)state;
  setup_tmp();
  const int k = reference_argmax("cnn_digits");
  RUN_EXPECT(0, "demo", "--model", "cnn_digits", "--preset", PRESET, "--json");
  json_t *d = parse_json_out();
  assert_string_equal(jstr(d, "model"), "cnn_digits");
  assert_int_equal(jint(d, "prediction"), k);
  assert_int_equal(jint(d, "label"), k);
  assert_true(json_is_true(json_object_get(d, "verified")));
  assert_true(jint(d, "proof_bytes") > 0);
  assert_string_equal(jstr(d, "preset"), PRESET);
  json_decref(d);
  RUN_EXPECT(0, "demo", "--model", "logreg_cancer", "--preset", PRESET);
  assert_non_null(strstr(R.out, "result     logreg_cancer: prediction"));
  assert_non_null(strstr(R.out, "verified"));
  /* a directory holding the three files works too */
  RUN_EXPECT(0, "demo", "--model", MODELS "/logreg_cancer", "--preset", PRESET, "--quiet");
  assert_memory_equal(R.out, "result ", 7);
  RUN_EXPECT(2, "demo", "--model", "resnet152");
  assert_memory_equal(R.err, "starkml demo: ", 14);
  RUN_EXPECT(2, "demo", "--model", "/nonexistent/dir");
  assert_memory_equal(R.err, "starkml demo: ", 14);
  remove_tmp();
}

static void help_for_every_command(void **state) {
  (void)state;
  setup_tmp();
  static const struct {
    const char *cmd;
    const char *options[14];
  } cmds[] = {
      {"compile", {"--calib", "-o", "--act-bits", "--weight-bits", "--per-tensor", "--json"}},
      {"setup", {"--pk", "--vk", "--public-weights", "--seed", "--json"}},
      {"prove",
       {"--pk", "--input", "-o", "--output", "--input-visibility", "--predicate", "--preset",
        "--no-zk", "--threads", "--backend", "--seed", "--quiet", "--json"}},
      {"verify", {"--vk", "--proof", "--input", "--input-digest", "--preset", "--json"}},
      {"inspect", {"--json"}},
      {"demo", {"--model", "--preset", "--quiet", "--json", "mlp_digits", "cnn_digits"}},
  };
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    RUN_EXPECT(0, cmds[i].cmd, "--help");
    assert_string_equal(R.err, "");
    char want[64];
    snprintf(want, sizeof want, "usage: starkml %s", cmds[i].cmd);
    assert_memory_equal(R.out, want, strlen(want));
    for (size_t k = 0; k < 14 && cmds[i].options[k]; k++)
      if (strstr(R.out, cmds[i].options[k]) == NULL)
        fail_msg("starkml %s --help does not mention %s", cmds[i].cmd, cmds[i].options[k]);
    RUN_EXPECT(0, cmds[i].cmd, "-h");
  }
  RUN_EXPECT(0, "--help");
  const char *const names[] = {"compile", "setup", "prove", "verify", "inspect", "demo"};
  for (size_t i = 0; i < 6; i++) assert_non_null(strstr(R.out, names[i]));
  remove_tmp();
}

/* Bad command lines: exit 2, nothing on stdout, an error line starting "starkml CMD: ". */
static void usage_errors(void **state) {
  (void)state;
  setup_tmp();
  const char *in = model_file("mlp_digits", "input.json");
  const char *const cases[][10] = {
      {"compile"},
      {"compile", "m.onnx"},
      {"compile", "m.onnx", "--calib", "c.json"},
      {"compile", "m.onnx", "--calib", "c.json", "-o", "OUT", "--act-bits", "1"},
      {"compile", "m.onnx", "--calib", "c.json", "-o", "OUT", "--weight-bits", "17"},
      {"compile", "m.onnx", "--calib", "c.json", "-o", "OUT", "--bogus"},
      {"compile", "m.onnx", "extra", "--calib", "c.json", "-o", "OUT"},
      {"setup"},
      {"setup", "m.smc", "--pk", "OUT"},
      {"setup", "m.smc", "--pk", "OUT", "--vk", "OUT"},
      {"setup", "m.smc", "--pk", "OUT", "--vk", "v", "--seed", "-1"},
      {"prove"},
      {"prove", "--pk", "p"},
      {"prove", "--pk", "p", "--input", "IN"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--input-visibility", "secret"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--preset", "turbo"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--threads", "99999"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--backend", "tpu"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--backend", "verilator"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--output", "OUT"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "--seed"},
      {"prove", "--pk", "p", "--input", "IN", "-o", "OUT", "stray"},
      {"verify"},
      {"verify", "--vk", "v"},
      {"verify", "--vk", "v", "--proof", "OUT", "--preset", "turbo"},
      {"verify", "--vk", "v", "--proof", "OUT", "--input-digest", "zz"},
      {"demo", "--preset", "turbo"},
      {"demo", "--model"},
      {"demo", "extra"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *args[11] = {NULL};
    for (size_t k = 0; k < 10 && cases[i][k]; k++)
      args[k] = strcmp(cases[i][k], "OUT") == 0  ? tmp("out.bin")
                : strcmp(cases[i][k], "IN") == 0 ? in
                                                 : cases[i][k];
    int rc = run_argv(args);
    if (rc != 2) fail_msg("case %zu (%s %s ...): exit %d", i, args[0], args[1] ? args[1] : "", rc);
    assert_string_equal(R.out, "");
    char want[64];
    snprintf(want, sizeof want, "starkml %s: ", args[0]);
    if (strncmp(R.err, want, strlen(want)) != 0)
      fail_msg("case %zu: stderr does not start with '%s':\n%s", i, want, R.err);
  }
  assert_false(exists(tmp("out.bin")));
  remove_tmp();
}

SM_TEST_MAIN(cmocka_unit_test(public_roundtrip), cmocka_unit_test(private_predicate),
             cmocka_unit_test(hashed_input), cmocka_unit_test(bad_inputs),
             cmocka_unit_test(demo_runs), cmocka_unit_test(help_for_every_command),
             cmocka_unit_test(usage_errors))
