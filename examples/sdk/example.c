/*
 * examples/sdk/example.c: the starkml SDK from outside. It uses nothing but the public
 * header <starkml.h> and an installed libstarkml, and walks the whole zkML pipeline:
 * compile an ONNX model with calibration data, set it up, prove one inference with a
 * private input, and verify the proof as a verifier would (with the verifying key alone,
 * passed through its byte encoding), then print the statement the proof establishes.
 *
 * Usage:
 *   example MODEL.onnx CALIB.json INPUT.json [PREDICATE]
 *
 *   MODEL.onnx  an ONNX model (see `starkml compile --help` for the operators supported)
 *   CALIB.json  calibration samples, EZKL's convention: {"input_data": [[...], ...]}
 *   INPUT.json  the input to prove, same format (its first sample is used)
 *   PREDICATE   optional, e.g. "y[0]>=0.5" or "argmax==3": the proof then states only that
 *               the output satisfies it, and the verifier checks that it proves exactly
 *               this predicate. Without it, the output is public.
 *
 * The proof uses the secure preset (>= 128 provable bits) and zero knowledge; the input
 * is never revealed. Diagnostics of the library go to stderr.
 *
 * Exit status: 0 when the verifier accepted the proof; 1 on any error or a rejected proof;
 * 2 on a usage error.
 *
 * Building against an installed starkml (cmake --install BUILD --prefix DIR):
 *   cmake -S examples/sdk -B build-example -DCMAKE_PREFIX_PATH=DIR
 *   cmake --build build-example
 * or, with pkg-config (DIR/lib/pkgconfig, or DIR/lib/<multiarch>/pkgconfig):
 *   PKG_CONFIG_PATH=DIR/lib/pkgconfig make -f examples/sdk/Makefile
 *
 * Example:
 *   ./example vectors/models/logreg_cancer/model.onnx vectors/models/logreg_cancer/calib.json \
 *             vectors/models/logreg_cancer/input.json 'y[0]>=0.5'
 */
#include <starkml.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the library's diagnostics go: stderr, one line each. */
static void log_to_stderr(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "starkml: %s\n", line);
}

/* Reports a failed step; returns 1 (the exit status of a failure). */
static int fail(const char *step, starkml_status status, const char *why) {
  fprintf(stderr, "example: %s: %s%s%s\n", step, starkml_strerror(status),
          why != NULL && why[0] != '\0' ? ": " : "", why != NULL ? why : "");
  return 1;
}

/* Reads a whole file into *data (malloc'ed; the caller frees it). */
static starkml_status read_file(uint8_t **data, size_t *len, char *why, size_t why_len,
                                const char *path) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(why, why_len, "cannot open %s", path);
    return STARKML_ERR_IO;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  starkml_status rc = buf != NULL ? STARKML_OK : STARKML_ERR_NOMEM;
  while (rc == STARKML_OK) {
    if (n == cap) {
      uint8_t *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (grown == NULL) {
        rc = STARKML_ERR_NOMEM;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    const size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) {
        snprintf(why, why_len, "cannot read %s", path);
        rc = STARKML_ERR_IO;
      }
      break;
    }
  }
  fclose(f);
  if (rc != STARKML_OK) {
    free(buf);
    return rc;
  }
  *data = buf;
  *len = n;
  return STARKML_OK;
}

static void print_hex(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

static const char *visibility_name(uint32_t v) {
  switch (v) {
    case STARKML_INPUT_PUBLIC: return "public";
    case STARKML_INPUT_HASHED: return "hashed";
    case STARKML_INPUT_PRIVATE: return "private";
    default: return "?";
  }
}

/* Prints what a verified proof states. */
static void print_statement(const starkml_statement *st) {
  printf("model      vk ");
  print_hex(st->vk_hash, sizeof st->vk_hash);
  printf(" (SHA3-256 of the verifying key)\n");
  printf("input      %s, %zu values\n", visibility_name(st->input_visibility), st->input_len);
  if (st->predicate[0] != '\0') {
    printf("output     private; proven predicate: %s\n", st->predicate);
  } else {
    printf("output     public, %zu value%s [", st->output_len, st->output_len == 1 ? "" : "s");
    const size_t show = st->output_len <= 10 ? st->output_len : 10;
    for (size_t i = 0; i < show; i++) {
      if (st->output != NULL)
        printf("%s%.6g", i ? ", " : "", st->output[i]);
      else if (st->output_q != NULL)
        printf("%s%lld (quantized)", i ? ", " : "", (long long)st->output_q[i]);
    }
    printf("%s]\n", show < st->output_len ? ", ..." : "");
  }
  printf("security   %s preset, zero knowledge %s, %u provable bits, %u conjectured bits\n",
         st->preset == STARKML_PRESET_SECURE ? "secure" : "fast", st->zk ? "on" : "off",
         st->provable_bits, st->conjectured_bits);
  printf("proof      %zu bytes\n", st->proof_bytes);
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: %s MODEL.onnx CALIB.json INPUT.json [PREDICATE]\n", argv[0]);
    return 2;
  }
  const char *onnx_path = argv[1], *calib_path = argv[2], *input_path = argv[3];
  const char *predicate = argc == 5 ? argv[4] : NULL;

  /* Everything the program owns; released once, at the end, whatever happened. */
  starkml_ctx *ctx = NULL;
  uint8_t *onnx = NULL, *proof = NULL, *vk_bytes = NULL;
  size_t onnx_len = 0, proof_len = 0, vk_len = 0;
  float *calib = NULL, *input = NULL;
  size_t n_calib = 0, calib_len = 0, n_inputs = 0, input_len = 0;
  starkml_model *model = NULL;
  starkml_pk *pk = NULL;
  starkml_vk *vk = NULL, *verifier_vk = NULL;
  starkml_compile_report report;
  starkml_prove_options opt;
  starkml_statement proven, verified;
  memset(&proven, 0, sizeof proven);
  memset(&verified, 0, sizeof verified);
  char why[512] = "";
  int exit_code = 1;
  starkml_status rc;

  printf("starkml %s\n", starkml_version());
  if ((rc = starkml_ctx_create(&ctx, 0)) != STARKML_OK) {
    fail("context", rc, NULL);
    goto done;
  }
  starkml_ctx_set_log(ctx, log_to_stderr, NULL);

  /* The model owner: compile and set up. */
  if ((rc = read_file(&onnx, &onnx_len, why, sizeof why, onnx_path)) != STARKML_OK) {
    fail("model", rc, why);
    goto done;
  }
  if ((rc = starkml_input_json_load(&calib, &n_calib, &calib_len, why, sizeof why,
                                    calib_path)) != STARKML_OK) {
    fail("calibration data", rc, why);
    goto done;
  }
  if ((rc = starkml_compile(ctx, &model, &report, why, sizeof why, onnx, onnx_len, calib,
                            n_calib, calib_len, NULL)) != STARKML_OK) {
    fail("compile", rc, why);
    goto done;
  }
  printf("compiled   %zu -> %zu values, %u-bit activations, %u-bit weights, top-1 agreement "
         "with float %.1f %% on %zu calibration samples\n",
         report.input_len, report.output_len, report.act_bits, report.weight_bits,
         100.0 * report.top1_agreement, report.n_calib);
  if ((rc = starkml_setup(ctx, &pk, &vk, model, NULL)) != STARKML_OK) {
    fail("setup", rc, NULL);
    goto done;
  }
  /* The verifier receives the verifying key as bytes. */
  if ((rc = starkml_vk_save(vk, &vk_bytes, &vk_len)) != STARKML_OK) {
    fail("save the verifying key", rc, NULL);
    goto done;
  }
  if ((rc = starkml_vk_load(&verifier_vk, why, sizeof why, vk_bytes, vk_len)) != STARKML_OK) {
    fail("load the verifying key", rc, why);
    goto done;
  }

  /* The prover: one inference on a private input. */
  if ((rc = starkml_input_json_load(&input, &n_inputs, &input_len, why, sizeof why,
                                    input_path)) != STARKML_OK) {
    fail("input", rc, why);
    goto done;
  }
  if (n_inputs == 0 || input_len != starkml_model_input_len(model)) {
    snprintf(why, sizeof why, "%s holds %zu sample(s) of %zu values; the model takes %zu",
             input_path, n_inputs, input_len, starkml_model_input_len(model));
    fail("input", STARKML_ERR_ARG, why);
    goto done;
  }
  memset(&opt, 0, sizeof opt);
  opt.input_visibility = STARKML_INPUT_PRIVATE;
  opt.predicate = predicate;
  opt.preset = STARKML_PRESET_SECURE;
  if ((rc = starkml_prove(ctx, &proof, &proof_len, &proven, why, sizeof why, pk, input,
                          input_len, &opt)) != STARKML_OK) {
    fail("prove", rc, why);
    goto done;
  }
  printf("proved     %zu bytes\n", proof_len);

  /* The verifier: the verifying key, the proof, and the predicate it asked for. */
  rc = starkml_verify(ctx, &verified, why, sizeof why, verifier_vk, proof, proof_len,
                      STARKML_PRESET_SECURE, NULL, 0, NULL);
  if (rc == STARKML_OK && predicate != NULL)
    rc = starkml_statement_expect_predicate(&verified, why, sizeof why, predicate);
  if (rc != STARKML_OK) {
    if (rc == STARKML_REJECT) printf("REJECTED   %s\n", why);
    fail("verify", rc, why);
    goto done;
  }
  print_statement(&verified);
  printf("ACCEPTED   the proof holds for this verifying key\n");
  exit_code = 0;

done:
  starkml_statement_clear(&verified);
  starkml_statement_clear(&proven);
  free(proof);
  free(input);
  starkml_vk_free(verifier_vk);
  free(vk_bytes);
  starkml_vk_free(vk);
  starkml_pk_free(pk);
  starkml_model_free(model);
  free(calib);
  free(onnx);
  starkml_ctx_destroy(ctx);
  return exit_code;
}
