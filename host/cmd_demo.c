/*
 * `starkml demo`: the whole zkML pipeline on a bundled example model, in one command and
 * from any directory: compile (quantize with the calibration samples), setup, prove one
 * inference, verify it. Prints the prediction, the proof's size, the time of each step and
 * the security in bits.
 *
 * The bundled models (vectors/models/NAME: model.onnx, calib.json, input.json, and the
 * label and float output of reference.json) are embedded into the binary at build time
 * (host/CMakeLists.txt), so the demo does not depend on the working directory. --model
 * also takes a directory holding those three files.
 *
 * Public API only (include/starkml.h). The JSON files go through the library's own reader
 * (starkml_input_json_load, which takes a path): the embedded bytes are written to a
 * private temporary directory first, and removed at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/cli.h"
#include "host/progress.h"
#include "starkml.h"

#define WHY_LEN 512

static const char demo_synopsis[] =
    "usage: starkml demo [--model NAME] [--preset secure|fast] [--quiet] [--json] (see --help)\n";

static void demo_usage(FILE *f) {
  fprintf(f,
          "usage: starkml demo [--model NAME] [--preset secure|fast] [--quiet] [--json]\n"
          "\n"
          "Runs the whole pipeline on a bundled example model: compile (quantize with its\n"
          "calibration samples), setup (keys, weight commitment), prove one inference with\n"
          "public input and output, verify. Prints the prediction, the proof's size, the\n"
          "time of each step and the security in bits. No file is left behind.\n"
          "\n"
          "  --model NAME  one of the bundled models (embedded in this binary):\n");
  for (size_t i = 0; i < cli_bundled_models_count; i++)
    fprintf(f, "                  %s%s\n", cli_bundled_models[i].name,
            strcmp(cli_bundled_models[i].name, "mlp_digits") == 0 ? " (default)" : "");
  fprintf(f,
          "                or a directory holding model.onnx, calib.json and input.json\n"
          "  --preset P    secure (default: at least 128 provable bits) or fast (at least\n"
          "                100 conjectured bits, quicker)\n"
          "  --quiet       print only the result line (or the JSON)\n"
          "  --json        print the results as JSON\n");
}

/* The bytes of the three files of a model, embedded or read from a directory. */
typedef struct {
  const char *name;
  const cli_bundled_model *bundled; /* NULL for a directory */
  uint8_t *owned[3];                /* files read from a directory */
  const uint8_t *data[3];           /* model.onnx, calib.json, input.json */
  size_t len[3];
} demo_files;

static const char *const file_names[3] = {"model.onnx", "calib.json", "input.json"};

static int get_files(const char *who, demo_files *d, const char *name) {
  memset(d, 0, sizeof *d);
  d->name = name;
  for (size_t i = 0; i < cli_bundled_models_count; i++) {
    const cli_bundled_model *m = &cli_bundled_models[i];
    if (strcmp(name, m->name) != 0) continue;
    d->bundled = m;
    d->data[0] = m->onnx;
    d->len[0] = m->onnx_len;
    d->data[1] = m->calib;
    d->len[1] = m->calib_len;
    d->data[2] = m->input;
    d->len[2] = m->input_len;
    return 0;
  }
  if (strchr(name, '/') == NULL) {
    fprintf(stderr, "%s: unknown model '%s' (", who, name);
    for (size_t i = 0; i < cli_bundled_models_count; i++)
      fprintf(stderr, "%s%s", i ? ", " : "", cli_bundled_models[i].name);
    fprintf(stderr, ", or a directory such as ./%s)\n", name);
    return CLI_EXIT_USAGE;
  }
  for (int k = 0; k < 3; k++) {
    size_t n = strlen(name) + strlen(file_names[k]) + 2;
    char *path = malloc(n);
    if (path == NULL) {
      fprintf(stderr, "%s: out of memory\n", who);
      return CLI_EXIT_USAGE;
    }
    snprintf(path, n, "%s/%s", name, file_names[k]);
    int rc = cli_read_file(who, path, k == 0 ? CLI_MAX_ONNX_BYTES : CLI_MAX_KEY_BYTES,
                           &d->owned[k], &d->len[k]);
    free(path);
    if (rc != 0) return rc;
    d->data[k] = d->owned[k];
  }
  return 0;
}

static void free_files(demo_files *d) {
  for (int k = 0; k < 3; k++) free(d->owned[k]);
}

/* Parses JSON bytes with the library's reader, through a private temporary file. */
static int load_json_bytes(const char *who, const char *what, const uint8_t *data, size_t len,
                           float **x, size_t *n, size_t *sample_len) {
  const char *tmp = getenv("TMPDIR");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/starkml-demo-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) {
    fprintf(stderr, "%s: cannot make a temporary directory %s: %s\n", who, dir, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  char path[600];
  snprintf(path, sizeof path, "%s/%s", dir, what);
  int rc = cli_write_file(who, path, data, len);
  if (rc == 0) {
    char why[WHY_LEN] = "";
    starkml_status s = starkml_input_json_load(x, n, sample_len, why, sizeof why, path);
    if (s != STARKML_OK) {
      fprintf(stderr, "%s: %s: %s\n", who, what, why[0] ? why : starkml_strerror(s));
      rc = CLI_EXIT_USAGE;
    }
  }
  remove(path);
  rmdir(dir);
  return rc;
}

static size_t argmax_of(const double *y, size_t n) {
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (y[i] > y[k]) k = i;
  return k;
}

int cli_cmd_demo(int argc, char **argv) {
  const char *who = "starkml demo";
  const char *model_name = "mlp_digits", *preset_s = NULL;
  int quiet = 0, json = 0;
  const cli_opt opts[] = {
      {"--model", NULL, &model_name, NULL},
      {"--preset", NULL, &preset_s, NULL},
      {"--quiet", NULL, NULL, &quiet},
      {"--json", NULL, NULL, &json},
  };
  const char *pos[1];
  int n_pos = 0;
  int rc = cli_parse_opts(who, demo_synopsis, demo_usage, argc, argv, opts,
                          sizeof opts / sizeof opts[0], pos, 0, &n_pos);
  if (rc >= 0) return rc;
  uint32_t preset = STARKML_PRESET_SECURE;
  if (preset_s != NULL) {
    if (strcmp(preset_s, "fast") == 0) {
      preset = STARKML_PRESET_FAST;
    } else if (strcmp(preset_s, "secure") != 0) {
      fprintf(stderr, "%s: --preset takes 'secure' or 'fast', not '%s'\n", who, preset_s);
      return CLI_EXIT_USAGE;
    }
  }
  demo_files d;
  float *calib = NULL, *x = NULL;
  size_t n_calib = 0, calib_len = 0, n_x = 0, x_len = 0;
  starkml_ctx *ctx = NULL;
  starkml_model *model = NULL;
  starkml_pk *pk = NULL;
  starkml_vk *vk = NULL;
  uint8_t *proof = NULL, *pk_bytes = NULL, *vk_bytes = NULL;
  size_t proof_len = 0, pk_len = 0, vk_len = 0;
  sm_progress *prog = NULL;
  starkml_statement pst, vst;
  memset(&pst, 0, sizeof pst);
  memset(&vst, 0, sizeof vst);
  char why[WHY_LEN] = "";
  starkml_status s;
  const int chatty = !quiet && !json; /* step lines and progress on stderr */
  if ((rc = get_files(who, &d, model_name)) != 0) goto done;
  if ((rc = load_json_bytes(who, "calib.json", d.data[1], d.len[1], &calib, &n_calib,
                            &calib_len)) != 0)
    goto done;
  if ((rc = load_json_bytes(who, "input.json", d.data[2], d.len[2], &x, &n_x, &x_len)) != 0)
    goto done;
  rc = CLI_EXIT_USAGE;
  if (n_x != 1) {
    fprintf(stderr, "%s: input.json holds %zu samples; the demo proves one\n", who, n_x);
    goto done;
  }
  s = starkml_ctx_create(&ctx, 0);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: %s\n", who, starkml_strerror(s));
    goto done;
  }
  starkml_ctx_set_log(ctx, cli_log_stderr, NULL);
  if (chatty)
    printf("starkml %s demo: model %s%s, preset %s, %d threads\n", starkml_version(), d.name,
           d.bundled ? " (bundled)" : "", cli_zkml_preset_name(preset), starkml_ctx_threads(ctx));

  /* 1. compile */
  starkml_compile_report rep;
  memset(&rep, 0, sizeof rep);
  double t0 = cli_now();
  s = starkml_compile(ctx, &model, &rep, why, sizeof why, d.data[0], d.len[0], calib, n_calib,
                      calib_len, NULL);
  const double t_compile = cli_now() - t0;
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: compile: %s\n", who, why[0] ? why : starkml_strerror(s));
    rc = s == STARKML_ERR_INTERNAL ? CLI_EXIT_CHECK : CLI_EXIT_USAGE;
    goto done;
  }
  if (chatty) {
    printf("1 compile  %.3f s   8-bit, %zu weights, %zu MAC terms; top-1 agreement %.1f%% "
           "over %zu calibration samples, max |error| %.4g\n",
           t_compile, rep.n_weights, rep.n_dot_terms, 100.0 * rep.top1_agreement, rep.n_calib,
           rep.max_abs_err);
    fflush(stdout);
  }

  /* 2. setup (random salt: the demo shows the real thing) */
  t0 = cli_now();
  s = starkml_setup(ctx, &pk, &vk, model, NULL);
  const double t_setup = cli_now() - t0;
  if (s == STARKML_OK) s = starkml_pk_save(pk, &pk_bytes, &pk_len);
  if (s == STARKML_OK) s = starkml_vk_save(vk, &vk_bytes, &vk_len);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: setup: %s\n", who, starkml_strerror(s));
    rc = s == STARKML_ERR_INTERNAL ? CLI_EXIT_CHECK : CLI_EXIT_USAGE;
    goto done;
  }
  uint8_t h[32];
  char hex[65];
  starkml_vk_hash(vk, h);
  cli_hex(hex, h, 32);
  if (chatty) {
    printf("2 setup    %.3f s   pk %zu bytes (secret), vk %zu bytes, vk hash %.16s...\n",
           t_setup, pk_len, vk_len, hex);
    fflush(stdout);
  }

  /* 3. prove */
  starkml_prove_options popt;
  memset(&popt, 0, sizeof popt);
  popt.input_visibility = STARKML_INPUT_PUBLIC;
  popt.preset = preset;
  prog = sm_progress_new(stderr, !chatty);
  popt.progress = sm_progress_cb;
  popt.progress_user = prog;
  t0 = cli_now();
  s = starkml_prove(ctx, &proof, &proof_len, &pst, why, sizeof why, pk, x, x_len, &popt);
  const double t_prove = cli_now() - t0;
  if (s == STARKML_OK) sm_progress_done(prog); /* a failed stage is not shown as finished */
  sm_progress_free(prog);
  prog = NULL;
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: prove: %s\n", who, why[0] ? why : starkml_strerror(s));
    rc = s == STARKML_ERR_INTERNAL ? CLI_EXIT_CHECK : CLI_EXIT_USAGE;
    goto done;
  }
  if (chatty) {
    printf("3 prove    %.3f s   proof %zu bytes (%.1f KiB)\n", t_prove, proof_len,
           (double)proof_len / 1024);
    fflush(stdout);
  }

  /* 4. verify: a verifier holds only the vk's bytes and the proof */
  starkml_vk *vk2 = NULL;
  s = starkml_vk_load(&vk2, why, sizeof why, vk_bytes, vk_len);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: the verifying key does not load back: %s\n", who,
            why[0] ? why : starkml_strerror(s));
    rc = CLI_EXIT_CHECK;
    goto done;
  }
  t0 = cli_now();
  s = starkml_verify(ctx, &vst, why, sizeof why, vk2, proof, proof_len, preset, x, x_len, NULL);
  const double t_verify = cli_now() - t0;
  starkml_vk_free(vk2);
  if (s != STARKML_OK) {
    if (s == STARKML_REJECT)
      printf("REJECTED: %s\n", why[0] ? why : starkml_strerror(s));
    else
      fprintf(stderr, "%s: verify: %s\n", who, why[0] ? why : starkml_strerror(s));
    rc = CLI_EXIT_CHECK; /* the demo's own proof must verify */
    goto done;
  }
  if (chatty) printf("4 verify   %.3f s   accepted\n", t_verify);

  /* The result. */
  const int label = d.bundled ? d.bundled->label : -1;
  const int have_out = vst.output != NULL && vst.output_len > 0;
  long pred = -1;
  if (have_out)
    pred = vst.output_len > 1 ? (long)argmax_of(vst.output, vst.output_len)
                              : (vst.output[0] >= 0.5 ? 1 : 0);
  rc = CLI_EXIT_OK;
  if (json) {
    printf("{\"command\": \"demo\", \"model\": ");
    cli_json_str(stdout, d.name);
    printf(", \"bundled\": %s, \"preset\": \"%s\", \"threads\": %d, \"prediction\": ",
           d.bundled ? "true" : "false", cli_zkml_preset_name(preset), starkml_ctx_threads(ctx));
    if (pred >= 0)
      printf("%ld", pred);
    else
      printf("null");
    printf(", \"label\": ");
    if (label >= 0)
      printf("%d", label);
    else
      printf("null");
    printf(", \"reference_output\": ");
    if (d.bundled && d.bundled->reference_len > 0) {
      printf("[");
      for (size_t i = 0; i < d.bundled->reference_len; i++) {
        if (i) printf(", ");
        cli_json_double(stdout, d.bundled->reference[i]);
      }
      printf("]");
    } else {
      printf("null");
    }
    printf(", \"compile\": {\"n_calib\": %zu, \"max_abs_err\": ", rep.n_calib);
    cli_json_double(stdout, rep.max_abs_err);
    printf(", \"top1_agreement\": ");
    cli_json_double(stdout, rep.top1_agreement);
    printf(", \"n_weights\": %zu, \"n_dot_terms\": %zu, \"n_values\": %zu}, ", rep.n_weights,
           rep.n_dot_terms, rep.n_values);
    printf("\"pk_bytes\": %zu, \"vk_bytes\": %zu, \"verified\": true, ", pk_len, vk_len);
    cli_json_zk_statement(stdout, &vst);
    printf(", \"seconds\": {\"compile\": %.6f, \"setup\": %.6f, \"prove\": %.6f, "
           "\"verify\": %.6f}}\n",
           t_compile, t_setup, t_prove, t_verify);
  } else {
    if (!quiet) {
      printf("\n");
      cli_print_zk_statement(stdout, &vst);
      if (d.bundled && d.bundled->reference_len == vst.output_len && have_out) {
        double e = 0;
        for (size_t i = 0; i < vst.output_len; i++) {
          double di = vst.output[i] - d.bundled->reference[i];
          if (di < 0) di = -di;
          if (di > e) e = di;
        }
        printf("float      onnxruntime's output differs by at most %.4g\n", e);
      }
    }
    printf("result     %s: prediction ", d.name);
    if (pred < 0)
      printf("hidden");
    else if (vst.output_len == 1)
      printf("%ld (score %.4f, threshold 0.5)", pred, vst.output[0]);
    else
      printf("class %ld", pred);
    if (label >= 0) printf(" (true label %d)", label);
    printf("; proof %zu bytes, verified; %u provable / %u conjectured bits\n", proof_len,
           vst.provable_bits, vst.conjectured_bits);
    if (!quiet)
      printf("time       compile %.3f s, setup %.3f s, prove %.3f s, verify %.1f ms\n",
             t_compile, t_setup, t_prove, 1e3 * t_verify);
  }
done:
  sm_progress_free(prog);
  starkml_statement_clear(&pst);
  starkml_statement_clear(&vst);
  free(proof);
  free(pk_bytes);
  free(vk_bytes);
  starkml_pk_free(pk);
  starkml_vk_free(vk);
  starkml_model_free(model);
  starkml_ctx_destroy(ctx);
  free(calib);
  free(x);
  free_files(&d);
  return rc;
}
