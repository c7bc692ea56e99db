/*
 * The zkML commands of the `starkml` tool: compile, setup, prove, verify. A thin layer over
 * the public API (include/starkml.h) and nothing else; see ../shared/DESIGN.md, "Files a
 * user handles" and "What is public, what is private".
 *
 *   starkml compile model.onnx --calib calib.json -o model.smc
 *   starkml setup model.smc --pk model.pk --vk model.vk
 *   starkml prove --pk model.pk --input input.json -o out.proof
 *   starkml verify --vk model.vk --proof out.proof
 *
 * Files are written only once everything they depend on has succeeded, so a failed
 * command leaves no output file behind (a second file that cannot be written removes the
 * first). Exit codes as host/cli.h: 0 ok, 1 a proof rejected, 2 usage, I/O or parse error.
 */
#include <stdlib.h>
#include <string.h>

#include "host/cli.h"
#include "host/progress.h"
#include "starkml.h"

#define WHY_LEN 512
#define N_OPTS(a) (sizeof(a) / sizeof((a)[0]))
#define PL(n) ((n) == 1 ? "" : "s") /* "1 value", "2 values" */

/* ---- shared pieces ---------------------------------------------------------------------- */

/* Exit code of a failed library call: a bug in the library counts as a failed check. */
static int status_exit(starkml_status s) {
  return s == STARKML_ERR_INTERNAL ? CLI_EXIT_CHECK : CLI_EXIT_USAGE;
}

/* Prints "WHO: [PATH: ]why" (or the status's text when why is empty). */
static void report(const char *who, const char *path, starkml_status s, const char *why) {
  if (path != NULL)
    fprintf(stderr, "%s: %s: %s\n", who, path, why[0] ? why : starkml_strerror(s));
  else
    fprintf(stderr, "%s: %s\n", who, why[0] ? why : starkml_strerror(s));
}

static int parse_threads_opt(const char *who, const char *v, int *out) {
  uint64_t t = 0;
  if (v != NULL && !cli_parse_u64(v, 0, 4096, &t)) {
    fprintf(stderr, "%s: --threads takes an integer from 0 to 4096, not '%s'\n", who, v);
    return 0;
  }
  *out = (int)t;
  return 1;
}

static int parse_seed_opt(const char *who, const char *v, uint64_t *out) {
  if (!cli_parse_u64(v, 0, UINT64_MAX, out)) {
    fprintf(stderr, "%s: --seed takes an integer from 0 to 2^64 - 1, not '%s'\n", who, v);
    return 0;
  }
  return 1;
}

static int parse_preset_opt(const char *who, const char *v, uint32_t *out) {
  if (v == NULL) {
    *out = STARKML_PRESET_SECURE;
  } else if (strcmp(v, "secure") == 0) {
    *out = STARKML_PRESET_SECURE;
  } else if (strcmp(v, "fast") == 0) {
    *out = STARKML_PRESET_FAST;
  } else {
    fprintf(stderr, "%s: --preset takes 'secure' or 'fast', not '%s'\n", who, v);
    return 0;
  }
  return 1;
}

/* Reads input.json holding exactly one sample. Returns 0 or an exit code. */
static int load_one_sample(const char *who, const char *path, float **x, size_t *len) {
  char why[WHY_LEN] = "";
  size_t n = 0;
  starkml_status s = starkml_input_json_load(x, &n, len, why, sizeof why, path);
  if (s != STARKML_OK) {
    /* The library's messages start with the path already. */
    report(who, NULL, s, why);
    return status_exit(s);
  }
  if (n != 1) {
    fprintf(stderr, "%s: %s: holds %zu samples; give exactly one\n", who, path, n);
    free(*x);
    *x = NULL;
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* The end of every key or model load: reports a failure (one line) and maps its status. */
static int loaded(const char *who, const char *path, starkml_status s, const char *why) {
  if (s == STARKML_OK) return 0;
  report(who, path, s, why);
  return status_exit(s);
}

static int load_model_file(const char *who, const char *path, starkml_model **m) {
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = cli_read_file(who, path, CLI_MAX_KEY_BYTES, &data, &len);
  if (rc != 0) return rc;
  char why[WHY_LEN] = "";
  starkml_status s = starkml_model_load(m, why, sizeof why, data, len);
  free(data);
  return loaded(who, path, s, why);
}

/* Frees bytes that held secrets (a proving key's weights and salt) after zeroing them. */
static void wipe_free(uint8_t *p, size_t n) {
  if (p == NULL) return;
  volatile uint8_t *v = p;
  for (size_t i = 0; i < n; i++) v[i] = 0;
  free(p);
}

static int load_pk_file(const char *who, const char *path, starkml_pk **pk) {
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = cli_read_file(who, path, CLI_MAX_KEY_BYTES, &data, &len);
  if (rc != 0) return rc;
  char why[WHY_LEN] = "";
  starkml_status s = starkml_pk_load(pk, why, sizeof why, data, len);
  wipe_free(data, len);
  return loaded(who, path, s, why);
}

static int load_vk_file(const char *who, const char *path, starkml_vk **vk) {
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = cli_read_file(who, path, CLI_MAX_KEY_BYTES, &data, &len);
  if (rc != 0) return rc;
  char why[WHY_LEN] = "";
  starkml_status s = starkml_vk_load(vk, why, sizeof why, data, len);
  free(data);
  return loaded(who, path, s, why);
}

/* Writes two files, or neither: the first is removed when the second fails. */
static int write_pair(const char *who, const char *p1, const uint8_t *d1, size_t l1,
                      const char *p2, const uint8_t *d2, size_t l2) {
  int rc = cli_write_file(who, p1, d1, l1);
  if (rc != 0) return rc;
  rc = cli_write_file(who, p2, d2, l2);
  if (rc != 0) remove(p1);
  return rc;
}

static void print_size(FILE *f, size_t bytes) {
  if (bytes >= (size_t)10 << 20)
    fprintf(f, "%zu bytes (%.1f MiB)", bytes, (double)bytes / (1 << 20));
  else if (bytes >= (size_t)10 << 10)
    fprintf(f, "%zu bytes (%.1f KiB)", bytes, (double)bytes / (1 << 10));
  else
    fprintf(f, "%zu bytes", bytes);
}

/* ---- the statement, as text and as JSON ------------------------------------------------- */

static size_t argmax(const double *y, size_t n) {
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (y[i] > y[k]) k = i;
  return k;
}

static size_t argmax_q(const int64_t *y, size_t n) {
  size_t k = 0;
  for (size_t i = 1; i < n; i++)
    if (y[i] > y[k]) k = i;
  return k;
}

/* The class a public output predicts (argmax), or -1 when the output is hidden or has
   fewer than two values. */
static long statement_argmax(const starkml_statement *st) {
  if (st->predicate[0] != '\0' || st->output_len < 2) return -1;
  if (st->output != NULL) return (long)argmax(st->output, st->output_len);
  if (st->output_q != NULL) return (long)argmax_q(st->output_q, st->output_len);
  return -1;
}

static void print_values(FILE *f, const double *y, const int64_t *q, size_t n) {
  const size_t show = n <= 12 ? n : 8;
  fputc('[', f);
  for (size_t i = 0; i < show; i++) {
    if (y != NULL)
      fprintf(f, "%s%.4g", i ? ", " : "", y[i]);
    else
      fprintf(f, "%s%lld", i ? ", " : "", (long long)q[i]);
  }
  if (show < n) fprintf(f, ", ... %zu more", n - show);
  fputc(']', f);
}

void cli_print_zk_statement(FILE *f, const starkml_statement *st) {
  char hex[65];
  cli_hex(hex, st->vk_hash, 32);
  fprintf(f, "model      vk %s (SHA3-256 of the verifying key)\n", hex);
  /* A statement read from a proof alone (inspect) may lack the lengths: the vk has them. */
  fprintf(f, "input      %s", cli_visibility_name(st->input_visibility));
  if (st->input_len > 0) fprintf(f, ", %zu value%s", st->input_len, PL(st->input_len));
  if (st->input_visibility == STARKML_INPUT_HASHED) {
    cli_hex(hex, st->input_digest, 32);
    fprintf(f, "; Poseidon2 digest %s", hex);
  } else if (st->input_visibility == STARKML_INPUT_PRIVATE) {
    fprintf(f, " (nothing about it is revealed)");
  } else if (st->input_q != NULL && st->input_scale > 0) {
    fprintf(f, " (quantized, scale %.6g)", st->input_scale);
  } else if (st->input_q != NULL) {
    fprintf(f, " (quantized)");
  }
  fprintf(f, "\n");
  const long k = statement_argmax(st);
  if (st->predicate[0] != '\0') {
    fprintf(f, "output     private");
    if (st->output_len > 0) fprintf(f, ", %zu value%s", st->output_len, PL(st->output_len));
    fprintf(f, "; proven predicate: %s\n", st->predicate);
  } else if (st->output != NULL && st->output_len > 0) {
    fprintf(f, "output     public, %zu value%s ", st->output_len, PL(st->output_len));
    print_values(f, st->output, NULL, st->output_len);
    fprintf(f, "\n");
    if (k >= 0)
      fprintf(f, "prediction class %ld (argmax)\n", k);
    else
      fprintf(f, "prediction %.6g\n", st->output[0]);
  } else if (st->output_q != NULL && st->output_len > 0) {
    fprintf(f, "output     public, %zu quantized value%s ", st->output_len,
            PL(st->output_len));
    print_values(f, NULL, st->output_q, st->output_len);
    fprintf(f, " (the vk holds the scale)\n");
    if (k >= 0) fprintf(f, "prediction class %ld (argmax)\n", k);
  } else {
    fprintf(f, "output     %zu value%s (not in the proof)\n", st->output_len, PL(st->output_len));
  }
  fprintf(f, "security   preset %s, zk %s, %u conjectured bits, %u provable bits\n",
          cli_zkml_preset_name(st->preset), st->zk ? "on" : "off", st->conjectured_bits,
          st->provable_bits);
  fprintf(f, "proof      ");
  print_size(f, st->proof_bytes);
  fprintf(f, "\n");
}

static void json_i64_array(FILE *f, const int64_t *v, size_t n) {
  if (v == NULL) {
    fputs("null", f);
    return;
  }
  fputc('[', f);
  for (size_t i = 0; i < n; i++) fprintf(f, "%s%lld", i ? ", " : "", (long long)v[i]);
  fputc(']', f);
}

static void json_double_array(FILE *f, const double *v, size_t n) {
  if (v == NULL) {
    fputs("null", f);
    return;
  }
  fputc('[', f);
  for (size_t i = 0; i < n; i++) {
    if (i) fputs(", ", f);
    cli_json_double(f, v[i]);
  }
  fputc(']', f);
}

/* The members that prove's output JSON file and every --json statement share. */
static void json_output_members(FILE *f, const starkml_statement *st) {
  const int pub_out = st->predicate[0] == '\0';
  fprintf(f, "\"output\": ");
  json_double_array(f, pub_out ? st->output : NULL, st->output_len);
  fprintf(f, ", \"output_q\": ");
  json_i64_array(f, pub_out ? st->output_q : NULL, st->output_len);
  fprintf(f, ", \"predicate\": ");
  if (pub_out)
    fputs("null", f);
  else
    cli_json_str(f, st->predicate);
  fprintf(f, ", \"input_visibility\": \"%s\", \"input_digest\": ",
          cli_visibility_name(st->input_visibility));
  if (st->input_visibility == STARKML_INPUT_HASHED) {
    char hex[65];
    cli_hex(hex, st->input_digest, 32);
    fprintf(f, "\"%s\"", hex);
  } else {
    fputs("null", f);
  }
}

void cli_json_zk_statement(FILE *f, const starkml_statement *st) {
  char hex[65];
  cli_hex(hex, st->vk_hash, 32);
  fprintf(f, "\"vk_hash\": \"%s\", ", hex);
  json_output_members(f, st);
  /* 0 (unknown) in a statement read from a proof alone: null. */
  fprintf(f, ", \"input_len\": ");
  if (st->input_len > 0)
    fprintf(f, "%zu", st->input_len);
  else
    fputs("null", f);
  fprintf(f, ", \"input_scale\": ");
  if (st->input_scale > 0)
    cli_json_double(f, st->input_scale);
  else
    fputs("null", f); /* a statement read from a proof alone: the vk holds the scales */
  fprintf(f, ", \"input_q\": ");
  json_i64_array(f, st->input_visibility == STARKML_INPUT_PUBLIC ? st->input_q : NULL,
                 st->input_len);
  fprintf(f, ", \"output_len\": ");
  if (st->output_len > 0)
    fprintf(f, "%zu", st->output_len);
  else
    fputs("null", f);
  fprintf(f, ", \"output_scale\": ");
  if (st->output_scale > 0)
    cli_json_double(f, st->output_scale);
  else
    fputs("null", f);
  fprintf(f, ", \"argmax\": ");
  const long k = statement_argmax(st);
  if (k >= 0)
    fprintf(f, "%ld", k);
  else
    fputs("null", f);
  if (st->predicate[0] != '\0')
    fprintf(f, ", \"pred_lo\": %lld, \"pred_hi\": %lld", (long long)st->pred_lo,
            (long long)st->pred_hi);
  fprintf(f,
          ", \"preset\": \"%s\", \"zk\": %s, \"conjectured_bits\": %u, \"provable_bits\": %u, "
          "\"proof_bytes\": %zu",
          cli_zkml_preset_name(st->preset), st->zk ? "true" : "false", st->conjectured_bits,
          st->provable_bits, st->proof_bytes);
}

/* ---- compile ----------------------------------------------------------------------------- */

static const char compile_synopsis[] =
    "usage: starkml compile MODEL.onnx --calib calib.json -o model.smc [--act-bits N] "
    "[--weight-bits N] [--per-tensor] [--json] (see --help)\n";

static void compile_usage(FILE *f) {
  fprintf(f,
          "usage: starkml compile MODEL.onnx --calib calib.json -o model.smc [--act-bits N]\n"
          "                       [--weight-bits N] [--per-tensor] [--json]\n"
          "\n"
          "Imports an ONNX model (float), runs it on the calibration samples and quantizes\n"
          "it to integers. Prints the quantization report: the largest |quantized - float|\n"
          "over the outputs of the calibration samples, how often the quantized top-1\n"
          "agrees with the float model's, and the size of one inference (values,\n"
          "multiply-accumulate terms, requantizations, lookups, max and div operations,\n"
          "weights, input and output lengths). The compiled model holds the weights: keep\n"
          "it private.\n"
          "\n"
          "  --calib FILE       calibration samples, {\"input_data\": [[...], ...]} (required)\n"
          "  -o, --output FILE  where to write the compiled model (required)\n"
          "  --act-bits N       activation bits, 2..16 (default 8)\n"
          "  --weight-bits N    weight bits, 2..16 (default 8)\n"
          "  --per-tensor       one weight scale per tensor (default: one per output channel)\n"
          "  --json             print the report as JSON\n");
}

int cli_cmd_compile(int argc, char **argv) {
  const char *who = "starkml compile";
  const char *calib_path = NULL, *out_path = NULL, *act = NULL, *wgt = NULL;
  int per_tensor = 0, json = 0;
  const cli_opt opts[] = {
      {"--calib", NULL, &calib_path, NULL},    {"--output", "-o", &out_path, NULL},
      {"--act-bits", NULL, &act, NULL},        {"--weight-bits", NULL, &wgt, NULL},
      {"--per-tensor", NULL, NULL, &per_tensor}, {"--json", NULL, NULL, &json},
  };
  const char *pos[1];
  int n_pos = 0;
  int rc = cli_parse_opts(who, compile_synopsis, compile_usage, argc, argv, opts, N_OPTS(opts),
                          pos, 1, &n_pos);
  if (rc >= 0) return rc;
  if (n_pos == 0 || calib_path == NULL || out_path == NULL) {
    fprintf(stderr, "%s: missing %s\n%s", who,
            n_pos == 0 ? "MODEL.onnx" : calib_path == NULL ? "--calib FILE" : "-o FILE",
            compile_synopsis);
    return CLI_EXIT_USAGE;
  }
  starkml_compile_options copt = {0, 0, per_tensor};
  uint64_t v;
  if (act != NULL) {
    if (!cli_parse_u64(act, 2, 16, &v)) {
      fprintf(stderr, "%s: --act-bits takes an integer from 2 to 16, not '%s'\n", who, act);
      return CLI_EXIT_USAGE;
    }
    copt.act_bits = (unsigned)v;
  }
  if (wgt != NULL) {
    if (!cli_parse_u64(wgt, 2, 16, &v)) {
      fprintf(stderr, "%s: --weight-bits takes an integer from 2 to 16, not '%s'\n", who, wgt);
      return CLI_EXIT_USAGE;
    }
    copt.weight_bits = (unsigned)v;
  }
  const char *onnx_path = pos[0];
  uint8_t *onnx = NULL, *smc = NULL;
  size_t onnx_len = 0, smc_len = 0, n_calib = 0, calib_len = 0;
  float *calib = NULL;
  starkml_ctx *ctx = NULL;
  starkml_model *model = NULL;
  if ((rc = cli_read_file(who, onnx_path, CLI_MAX_ONNX_BYTES, &onnx, &onnx_len)) != 0) goto done;
  char why[WHY_LEN] = "";
  starkml_status s =
      starkml_input_json_load(&calib, &n_calib, &calib_len, why, sizeof why, calib_path);
  if (s != STARKML_OK) {
    report(who, NULL, s, why);
    rc = status_exit(s);
    goto done;
  }
  if ((rc = cli_make_ctx(who, &ctx, 0, NULL, NULL)) != 0) goto done;
  starkml_compile_report rep;
  memset(&rep, 0, sizeof rep);
  double t0 = cli_now();
  s = starkml_compile(ctx, &model, &rep, why, sizeof why, onnx, onnx_len, calib, n_calib,
                      calib_len, &copt);
  double t_compile = cli_now() - t0;
  if (s != STARKML_OK) {
    report(who, onnx_path, s, why);
    rc = status_exit(s);
    goto done;
  }
  s = starkml_model_save(model, &smc, &smc_len);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: cannot encode the compiled model: %s\n", who, starkml_strerror(s));
    rc = status_exit(s);
    goto done;
  }
  if ((rc = cli_write_file(who, out_path, smc, smc_len)) != 0) goto done;
  const unsigned ab = rep.act_bits, wb = rep.weight_bits;
  if (json) {
    printf("{\"command\": \"compile\", \"model\": ");
    cli_json_str(stdout, onnx_path);
    printf(", \"output_file\": ");
    cli_json_str(stdout, out_path);
    printf(", \"output_bytes\": %zu, \"act_bits\": %u, \"weight_bits\": %u, \"per_tensor\": %s, "
           "\"n_calib\": %zu, \"max_abs_err\": ",
           smc_len, ab, wb, per_tensor ? "true" : "false", rep.n_calib);
    cli_json_double(stdout, rep.max_abs_err);
    printf(", \"top1_agreement\": ");
    cli_json_double(stdout, rep.top1_agreement);
    printf(", \"n_values\": %zu, \"n_dot_terms\": %zu, \"n_requant\": %zu, \"n_lut\": %zu, "
           "\"n_max\": %zu, \"n_div\": %zu, \"n_weights\": %zu, \"input_len\": %zu, "
           "\"output_len\": %zu, \"compile_seconds\": %.6f, \"tables\": [",
           rep.n_values, rep.n_dot_terms, rep.n_requant, rep.n_lut, rep.n_max, rep.n_div,
           rep.n_weights, rep.input_len, rep.output_len, t_compile);
    for (size_t t = 0; t < rep.n_tables; t++) {
      printf("%s{\"name\": ", t ? ", " : "");
      cli_json_str(stdout, rep.tables[t].name);
      printf(", \"rows\": %zu, \"preprocessed_columns\": %u, \"main_columns\": %u}",
             (size_t)1 << rep.tables[t].log_n, rep.tables[t].n_pre, rep.tables[t].n_main);
    }
    printf("]}\n");
  } else {
    printf("compiled   %s -> %s (", onnx_path, out_path);
    print_size(stdout, smc_len);
    printf("; holds the weights: keep it private)\n");
    printf("quantized  %u-bit activations, %u-bit weights, %s weight scales\n", ab, wb,
           per_tensor ? "per-tensor" : "per-channel");
    printf("accuracy   max |quantized - float| %.6g over %zu calibration samples;\n"
           "           top-1 agreement %.1f%%\n",
           rep.max_abs_err, rep.n_calib, 100.0 * rep.top1_agreement);
    printf("model      input %zu, output %zu value%s; %zu weights and biases\n", rep.input_len,
           rep.output_len, PL(rep.output_len), rep.n_weights);
    printf("inference  %zu values, %zu multiply-accumulate terms, %zu requantizations,\n"
           "           %zu lookups, %zu max, %zu div\n",
           rep.n_values, rep.n_dot_terms, rep.n_requant, rep.n_lut, rep.n_max, rep.n_div);
    printf("tables     rows x (preprocessed + main) columns of a proof (public input/output):\n");
    for (size_t t = 0; t < rep.n_tables; t++)
      printf("           %-18s 2^%-2u x (%u + %u)\n", rep.tables[t].name, rep.tables[t].log_n,
             rep.tables[t].n_pre, rep.tables[t].n_main);
    printf("time       compile %.3f s\n", t_compile);
  }
done:
  free(onnx);
  free(calib);
  free(smc);
  starkml_model_free(model);
  starkml_ctx_destroy(ctx);
  return rc;
}

/* ---- setup ------------------------------------------------------------------------------- */

static const char setup_synopsis[] =
    "usage: starkml setup model.smc --pk model.pk --vk model.vk [--public-weights] [--seed N] "
    "[--json] (see --help)\n";

static void setup_usage(FILE *f) {
  fprintf(f,
          "usage: starkml setup model.smc --pk model.pk --vk model.vk [--public-weights]\n"
          "                     [--seed N] [--json]\n"
          "\n"
          "Runs the setup of a compiled model once: draws a secret salt, commits to the\n"
          "weights (Poseidon2(salt || weights)) and to the fixed columns of every table.\n"
          "Writes the proving key (weights and salt: keep it private) and the verifying key\n"
          "(architecture and commitments: give it to verifiers). Prints the verifying key's\n"
          "hash, the model's public identity.\n"
          "\n"
          "  --pk FILE          where to write the proving key (required)\n"
          "  --vk FILE          where to write the verifying key (required)\n"
          "  --public-weights   the weights are public (no commitment, no salt)\n"
          "  --seed N           deterministic salt from the seed\n"
          "                     SHA3-256(\"starkml-cli-seed\" || LE64(N)); for tests and\n"
          "                     vectors only: anyone who knows N can test guesses of the\n"
          "                     weights (default: fresh randomness from the OS)\n"
          "  --json             print the summary as JSON\n");
}

int cli_cmd_setup(int argc, char **argv) {
  const char *who = "starkml setup";
  const char *pk_path = NULL, *vk_path = NULL, *seed_s = NULL;
  int public_weights = 0, json = 0;
  const cli_opt opts[] = {
      {"--pk", NULL, &pk_path, NULL},
      {"--vk", NULL, &vk_path, NULL},
      {"--seed", NULL, &seed_s, NULL},
      {"--public-weights", NULL, NULL, &public_weights},
      {"--json", NULL, NULL, &json},
  };
  const char *pos[1];
  int n_pos = 0;
  int rc = cli_parse_opts(who, setup_synopsis, setup_usage, argc, argv, opts, N_OPTS(opts), pos,
                          1, &n_pos);
  if (rc >= 0) return rc;
  if (n_pos == 0 || pk_path == NULL || vk_path == NULL) {
    fprintf(stderr, "%s: missing %s\n%s", who,
            n_pos == 0 ? "model.smc" : pk_path == NULL ? "--pk FILE" : "--vk FILE",
            setup_synopsis);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(pk_path, vk_path) == 0) {
    fprintf(stderr, "%s: --pk and --vk name the same file\n", who);
    return CLI_EXIT_USAGE;
  }
  uint64_t seed_n = 0;
  uint8_t seed[32];
  if (seed_s != NULL) {
    if (!parse_seed_opt(who, seed_s, &seed_n)) return CLI_EXIT_USAGE;
    cli_seed_from_u64(seed, seed_n);
  }
  const char *model_path = pos[0];
  starkml_model *model = NULL;
  starkml_ctx *ctx = NULL;
  starkml_pk *pk = NULL;
  starkml_vk *vk = NULL;
  uint8_t *pk_bytes = NULL, *vk_bytes = NULL;
  size_t pk_len = 0, vk_len = 0;
  if ((rc = load_model_file(who, model_path, &model)) != 0) goto done;
  if ((rc = cli_make_ctx(who, &ctx, 0, NULL, NULL)) != 0) goto done;
  starkml_setup_options sopt = {public_weights, seed_s != NULL ? seed : NULL};
  double t0 = cli_now();
  starkml_status s = starkml_setup(ctx, &pk, &vk, model, &sopt);
  double t_setup = cli_now() - t0;
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: setup failed: %s\n", who, starkml_strerror(s));
    rc = status_exit(s);
    goto done;
  }
  s = starkml_pk_save(pk, &pk_bytes, &pk_len);
  if (s == STARKML_OK) s = starkml_vk_save(vk, &vk_bytes, &vk_len);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: cannot encode the keys: %s\n", who, starkml_strerror(s));
    rc = status_exit(s);
    goto done;
  }
  if ((rc = write_pair(who, pk_path, pk_bytes, pk_len, vk_path, vk_bytes, vk_len)) != 0)
    goto done;
  uint8_t h[32];
  char hex[65];
  starkml_vk_hash(vk, h);
  cli_hex(hex, h, 32);
  if (json) {
    printf("{\"command\": \"setup\", \"model\": ");
    cli_json_str(stdout, model_path);
    printf(", \"pk\": ");
    cli_json_str(stdout, pk_path);
    printf(", \"pk_bytes\": %zu, \"vk\": ", pk_len);
    cli_json_str(stdout, vk_path);
    printf(", \"vk_bytes\": %zu, \"vk_hash\": \"%s\", \"public_weights\": %s, "
           "\"input_len\": %zu, \"output_len\": %zu, \"seed\": ",
           vk_len, hex, public_weights ? "true" : "false", starkml_vk_input_len(vk),
           starkml_vk_output_len(vk));
    if (seed_s != NULL)
      printf("%llu", (unsigned long long)seed_n);
    else
      printf("null");
    printf(", \"setup_seconds\": %.6f}\n", t_setup);
  } else {
    printf("model      vk %s (SHA3-256 of the verifying key)\n", hex);
    printf("weights    %s\n", public_weights ? "public (in the verifying key's fixed columns)"
                                             : "private (salted Poseidon2 commitment in the vk)");
    printf("shape      input %zu value%s, output %zu value%s\n", starkml_vk_input_len(vk),
           PL(starkml_vk_input_len(vk)), starkml_vk_output_len(vk), PL(starkml_vk_output_len(vk)));
    printf("pk         %s, ", pk_path);
    print_size(stdout, pk_len);
    printf(" (%s)\n", public_weights ? "for the prover" : "secret: weights and salt");
    printf("vk         %s, ", vk_path);
    print_size(stdout, vk_len);
    printf(" (public: give it to verifiers)\n");
    printf("time       setup %.3f s%s\n", t_setup,
           seed_s != NULL ? ", deterministic salt (--seed): for tests only" : "");
  }
done:
  wipe_free(pk_bytes, pk_len);
  free(vk_bytes);
  starkml_pk_free(pk);
  starkml_vk_free(vk);
  starkml_model_free(model);
  starkml_ctx_destroy(ctx);
  return rc;
}

/* ---- prove ------------------------------------------------------------------------------- */

static const char prove_synopsis[] =
    "usage: starkml prove --pk model.pk --input input.json -o out.proof [--output out.json]\n"
    "         [--input-visibility public|hashed|private] [--predicate TEXT] "
    "[--preset secure|fast]\n"
    "         [--input-salt HEX] [--no-zk] [--threads N] [--backend cpu|opencl|verilator]\n"
    "         [--device N] [--seed N] [--quiet] [--json] (see --help)\n";

static void prove_usage(FILE *f) {
  fprintf(f,
          "usage: starkml prove --pk model.pk --input input.json -o out.proof [--output out.json]\n"
          "                     [--input-visibility public|hashed|private] [--predicate TEXT]\n"
          "                     [--preset secure|fast] [--input-salt HEX] [--no-zk]\n"
          "                     [--threads N] [--backend cpu|opencl|verilator] [--device N]\n"
          "                     [--seed N] [--quiet] [--json]\n"
          "\n"
          "Runs the model on one input and proves that inference. Writes the proof and a JSON\n"
          "file with what it states: {\"output\": [floats] or null, \"output_q\": [ints] or\n"
          "null, \"predicate\", \"input_visibility\", \"input_digest\", \"proof\",\n"
          "\"proof_bytes\", \"prove_seconds\"}. Prints the prediction (or the predicate),\n"
          "the proof's size, the time and the security in bits.\n"
          "\n"
          "  --pk FILE             the proving key of `starkml setup` (required)\n"
          "  --input FILE          one sample, {\"input_data\": [[...]]} (required)\n"
          "  -o, --proof FILE      where to write the proof (required)\n"
          "  --output FILE         where to write the output JSON (default: the proof's path\n"
          "                        with \".json\" appended)\n"
          "  --input-visibility V  public (default: the proof carries the quantized input),\n"
          "                        hashed (only Poseidon2(salt || input) is revealed) or\n"
          "                        private (nothing about the input is revealed)\n"
          "  --input-salt HEX      64 hex digits: the salt of a hashed input, as the issuer\n"
          "                        who published its digest used it (`starkml digest`);\n"
          "                        default: fresh (from --seed when given)\n"
          "  --predicate TEXT      keep the output private and prove only TEXT about it:\n"
          "                        'argmax==K', 'y[I]>=T', 'y[I]<=T' or 'LO<=y[I]<=HI'\n"
          "                        (an error when it is false for this input)\n"
          "  --preset P            secure (default: at least 128 provable bits) or fast (at\n"
          "                        least 100 conjectured bits, for experiments)\n"
          "  --no-zk               no zero knowledge (public weights and input only)\n"
          "  --threads N           worker threads (default: every core)\n"
          CLI_BACKEND_HELP
          "  --seed N              deterministic proof from SHA3-256(\"starkml-cli-seed\" ||\n"
          "                        LE64(N)); for tests and vectors only (default: OS\n"
          "                        randomness)\n"
          "  --quiet               no progress and no summary (the files are still written)\n"
          "  --json                print the summary as JSON on stdout\n");
}

static int parse_visibility(const char *who, const char *v, uint32_t *out) {
  if (v == NULL || strcmp(v, "public") == 0)
    *out = STARKML_INPUT_PUBLIC;
  else if (strcmp(v, "hashed") == 0)
    *out = STARKML_INPUT_HASHED;
  else if (strcmp(v, "private") == 0)
    *out = STARKML_INPUT_PRIVATE;
  else {
    fprintf(stderr, "%s: --input-visibility takes public, hashed or private, not '%s'\n", who, v);
    return 0;
  }
  return 1;
}

/* The output JSON file of prove, built in memory (written only on success). */
static int output_json(char **buf, size_t *len, const starkml_statement *st,
                       const char *proof_path, size_t proof_len, double seconds) {
  FILE *f = open_memstream(buf, len);
  if (f == NULL) return 0;
  fprintf(f, "{");
  json_output_members(f, st);
  fprintf(f, ", \"proof\": ");
  cli_json_str(f, proof_path);
  fprintf(f, ", \"proof_bytes\": %zu, \"prove_seconds\": %.6f}\n", proof_len, seconds);
  return fclose(f) == 0;
}

int cli_cmd_prove(int argc, char **argv) {
  const char *who = "starkml prove";
  const char *pk_path = NULL, *input_path = NULL, *proof_path = NULL, *json_path = NULL;
  const char *vis_s = NULL, *predicate = NULL, *preset_s = NULL, *threads_s = NULL;
  const char *backend = NULL, *device = NULL, *seed_s = NULL, *salt_s = NULL;
  int no_zk = 0, quiet = 0, json = 0;
  const cli_opt opts[] = {
      {"--input-salt", NULL, &salt_s, NULL},
      {"--pk", NULL, &pk_path, NULL},
      {"--input", NULL, &input_path, NULL},
      {"--proof", "-o", &proof_path, NULL},
      {"--output", NULL, &json_path, NULL},
      {"--input-visibility", NULL, &vis_s, NULL},
      {"--predicate", NULL, &predicate, NULL},
      {"--preset", NULL, &preset_s, NULL},
      {"--threads", NULL, &threads_s, NULL},
      {"--backend", NULL, &backend, NULL},
      {"--device", NULL, &device, NULL},
      {"--seed", NULL, &seed_s, NULL},
      {"--no-zk", NULL, NULL, &no_zk},
      {"--quiet", NULL, NULL, &quiet},
      {"--json", NULL, NULL, &json},
  };
  const char *pos[1];
  int n_pos = 0;
  int rc = cli_parse_opts(who, prove_synopsis, prove_usage, argc, argv, opts, N_OPTS(opts), pos,
                          0, &n_pos);
  if (rc >= 0) return rc;
  if (pk_path == NULL || input_path == NULL || proof_path == NULL) {
    fprintf(stderr, "%s: missing %s\n%s", who,
            pk_path == NULL ? "--pk FILE" : input_path == NULL ? "--input FILE" : "-o FILE",
            prove_synopsis);
    return CLI_EXIT_USAGE;
  }
  starkml_prove_options popt;
  memset(&popt, 0, sizeof popt);
  int threads = 0;
  uint64_t seed_n = 0;
  uint8_t seed[32];
  if (!parse_visibility(who, vis_s, &popt.input_visibility) ||
      !parse_preset_opt(who, preset_s, &popt.preset) ||
      !parse_threads_opt(who, threads_s, &threads))
    return CLI_EXIT_USAGE;
  if (seed_s != NULL) {
    if (!parse_seed_opt(who, seed_s, &seed_n)) return CLI_EXIT_USAGE;
    cli_seed_from_u64(seed, seed_n);
    popt.seed = seed;
  }
  if (predicate != NULL && predicate[0] == '\0') {
    fprintf(stderr, "%s: --predicate is empty\n", who);
    return CLI_EXIT_USAGE;
  }
  uint8_t salt[32];
  if (salt_s != NULL) {
    if (!cli_parse_hex(salt, 32, salt_s)) {
      fprintf(stderr, "%s: --input-salt takes 64 hex digits, not '%s'\n", who, salt_s);
      return CLI_EXIT_USAGE;
    }
    popt.input_salt = salt;
  }
  popt.predicate = predicate;
  popt.no_zk = no_zk;
  char *default_json = NULL;
  if (json_path == NULL) {
    size_t n = strlen(proof_path);
    default_json = malloc(n + 6);
    if (default_json == NULL) {
      fprintf(stderr, "%s: out of memory\n", who);
      return CLI_EXIT_USAGE;
    }
    memcpy(default_json, proof_path, n);
    memcpy(default_json + n, ".json", 6);
    json_path = default_json;
  }
  if (strcmp(json_path, proof_path) == 0) {
    fprintf(stderr, "%s: -o and --output name the same file\n", who);
    free(default_json);
    return CLI_EXIT_USAGE;
  }

  float *x = NULL;
  size_t x_len = 0;
  starkml_pk *pk = NULL;
  starkml_ctx *ctx = NULL;
  sm_progress *prog = NULL;
  uint8_t *proof = NULL;
  size_t proof_len = 0;
  char *jbuf = NULL;
  size_t jlen = 0;
  starkml_statement st;
  memset(&st, 0, sizeof st);
  if ((rc = load_one_sample(who, input_path, &x, &x_len)) != 0) goto done;
  if ((rc = load_pk_file(who, pk_path, &pk)) != 0) goto done;
  const size_t want = starkml_vk_input_len(starkml_pk_vk(pk));
  if (x_len != want) {
    fprintf(stderr, "%s: %s: the sample has %zu values; the model takes %zu\n", who, input_path,
            x_len, want);
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  if ((rc = cli_make_ctx(who, &ctx, threads, backend, device)) != 0) goto done;
  prog = sm_progress_new(stderr, quiet);
  popt.progress = sm_progress_cb;
  popt.progress_user = prog;
  char why[WHY_LEN] = "";
  double t0 = cli_now();
  starkml_status s = starkml_prove(ctx, &proof, &proof_len, &st, why, sizeof why, pk, x, x_len,
                                   &popt);
  double t_prove = cli_now() - t0;
  if (s == STARKML_OK) sm_progress_done(prog); /* a failed stage is not shown as finished */
  sm_progress_free(prog);
  prog = NULL;
  if (s != STARKML_OK) {
    report(who, NULL, s, why);
    rc = status_exit(s);
    goto done;
  }
  if (!output_json(&jbuf, &jlen, &st, proof_path, proof_len, t_prove)) {
    fprintf(stderr, "%s: out of memory\n", who);
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  if ((rc = write_pair(who, proof_path, proof, proof_len, json_path, (const uint8_t *)jbuf,
                       jlen)) != 0)
    goto done;
  rc = CLI_EXIT_OK;
  if (json) {
    printf("{\"command\": \"prove\", ");
    cli_json_zk_statement(stdout, &st);
    printf(", \"proof\": ");
    cli_json_str(stdout, proof_path);
    printf(", \"output_file\": ");
    cli_json_str(stdout, json_path);
    printf(", \"prove_seconds\": %.6f, \"threads\": %d, \"backend\": \"%s\", \"seed\": ",
           t_prove, starkml_ctx_threads(ctx), starkml_ctx_backend(ctx));
    if (seed_s != NULL)
      printf("%llu", (unsigned long long)seed_n);
    else
      printf("null");
    printf(", \"stages\": [");
    for (size_t k = 0; k < st.n_stages && k < 8; k++) {
      printf("%s{\"name\": ", k ? ", " : "");
      cli_json_str(stdout, st.stage_names[k] ? st.stage_names[k] : "");
      printf(", \"seconds\": %.6f}", st.stage_seconds[k]);
    }
    printf("]}\n");
  } else if (!quiet) {
    cli_print_zk_statement(stdout, &st);
    printf("files      proof %s, statement %s\n", proof_path, json_path);
    printf("time       prove %.3f s (%d threads, %s backend%s)", t_prove,
           starkml_ctx_threads(ctx), starkml_ctx_backend(ctx),
           seed_s != NULL ? ", deterministic --seed" : "");
    for (size_t k = 0; k < st.n_stages && k < 8; k++)
      printf("%s%s %.3f s", k ? ", " : "\n           ",
             st.stage_names[k] ? st.stage_names[k] : "?", st.stage_seconds[k]);
    printf("\n");
  }
done:
  sm_progress_free(prog);
  starkml_statement_clear(&st);
  free(jbuf);
  free(proof);
  free(x);
  free(default_json);
  starkml_pk_free(pk);
  starkml_ctx_destroy(ctx);
  return rc;
}

/* ---- verify ------------------------------------------------------------------------------ */

static const char verify_synopsis[] =
    "usage: starkml verify --vk model.vk --proof out.proof [--input input.json] "
    "[--input-digest HEX] [--predicate TEXT] [--preset secure|fast] [--threads N] [--json] "
    "(see --help)\n";

static void verify_usage(FILE *f) {
  fprintf(f,
          "usage: starkml verify --vk model.vk --proof out.proof [--input input.json]\n"
          "                      [--input-digest HEX] [--predicate TEXT] [--preset secure|fast]\n"
          "                      [--threads N] [--json]\n"
          "\n"
          "Checks a proof against a model's verifying key. On acceptance (exit 0) prints the\n"
          "proven statement: the model (its vk hash), the input's visibility (and its digest\n"
          "when hashed), the output or the predicate it satisfies, the preset, zero\n"
          "knowledge, the security in bits, the proof's size and the time. A rejected proof\n"
          "prints 'REJECTED: REASON' (exit 1); a file that cannot be read or parsed is an\n"
          "error (exit 2).\n"
          "\n"
          "  --vk FILE           the verifying key (required)\n"
          "  --proof FILE        the proof (required)\n"
          "  --input FILE        the public input the proof must be about (one sample)\n"
          "  --input-digest HEX  the 64-hex-digit digest a hashed input must have\n"
          "  --predicate TEXT    the predicate the proof must prove (e.g. 'argmax==3'); a\n"
          "                      proof of another predicate or of a public output is rejected\n"
          "  --preset P          the least the verifier accepts: secure (default, at least\n"
          "                      128 provable bits) or fast (experiments)\n"
          "  --threads N         worker threads (default 1; 0: every core). A verification is\n"
          "                      a few milliseconds of work: starting and synchronising more\n"
          "                      threads costs a one-shot process about as much as they save\n"
          "  --json              print the verdict and the statement as JSON\n");
}

int cli_cmd_verify(int argc, char **argv) {
  const char *who = "starkml verify";
  const char *vk_path = NULL, *proof_path = NULL, *input_path = NULL, *digest_s = NULL;
  const char *preset_s = NULL, *pred_s = NULL, *threads_s = NULL;
  int json = 0;
  const cli_opt opts[] = {
      {"--predicate", NULL, &pred_s, NULL},
      {"--threads", NULL, &threads_s, NULL},
      {"--vk", NULL, &vk_path, NULL},
      {"--proof", NULL, &proof_path, NULL},
      {"--input", NULL, &input_path, NULL},
      {"--input-digest", NULL, &digest_s, NULL},
      {"--preset", NULL, &preset_s, NULL},
      {"--json", NULL, NULL, &json},
  };
  const char *pos[1];
  int n_pos = 0;
  int rc = cli_parse_opts(who, verify_synopsis, verify_usage, argc, argv, opts, N_OPTS(opts),
                          pos, 0, &n_pos);
  if (rc >= 0) return rc;
  if (vk_path == NULL || proof_path == NULL) {
    fprintf(stderr, "%s: missing %s\n%s", who, vk_path == NULL ? "--vk FILE" : "--proof FILE",
            verify_synopsis);
    return CLI_EXIT_USAGE;
  }
  uint32_t floor;
  if (!parse_preset_opt(who, preset_s, &floor)) return CLI_EXIT_USAGE;
  int threads = 1;
  if (threads_s != NULL && !parse_threads_opt(who, threads_s, &threads)) return CLI_EXIT_USAGE;
  uint8_t digest[32];
  if (digest_s != NULL && !cli_parse_hex(digest, 32, digest_s)) {
    fprintf(stderr, "%s: --input-digest takes 64 hex digits, not '%s'\n", who, digest_s);
    return CLI_EXIT_USAGE;
  }
  float *x = NULL;
  size_t x_len = 0;
  starkml_vk *vk = NULL;
  starkml_ctx *ctx = NULL;
  uint8_t *proof = NULL;
  size_t proof_len = 0;
  starkml_statement st;
  memset(&st, 0, sizeof st);
  if (input_path != NULL && (rc = load_one_sample(who, input_path, &x, &x_len)) != 0) goto done;
  if ((rc = load_vk_file(who, vk_path, &vk)) != 0) goto done;
  if ((rc = cli_read_file(who, proof_path, CLI_MAX_ZKPROOF_BYTES, &proof, &proof_len)) != 0)
    goto done;
  if (x != NULL && x_len != starkml_vk_input_len(vk)) {
    fprintf(stderr, "%s: %s: the sample has %zu values; the model takes %zu\n", who, input_path,
            x_len, starkml_vk_input_len(vk));
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  if ((rc = cli_make_ctx(who, &ctx, threads, NULL, NULL)) != 0) goto done;
  char why[WHY_LEN] = "";
  double t0 = cli_now();
  starkml_status s = starkml_verify(ctx, &st, why, sizeof why, vk, proof, proof_len, floor, x,
                                    x_len, digest_s != NULL ? digest : NULL);
  double verify_ms = 1e3 * (cli_now() - t0);
  if (s == STARKML_OK && pred_s != NULL) {
    s = starkml_statement_expect_predicate(&st, why, sizeof why, pred_s);
    if (s == STARKML_ERR_PARSE) {
      fprintf(stderr, "%s: %s\n", who, why);
      rc = CLI_EXIT_USAGE;
      goto done;
    }
  }
  if (s == STARKML_OK) {
    rc = CLI_EXIT_OK;
    if (json) {
      printf("{\"command\": \"verify\", \"result\": \"accepted\", \"proof_file\": ");
      cli_json_str(stdout, proof_path);
      printf(", \"floor\": \"%s\", ", cli_zkml_preset_name(floor));
      cli_json_zk_statement(stdout, &st);
      printf(", \"verify_ms\": %.3f}\n", verify_ms);
    } else {
      printf("ACCEPTED   the proof holds for this verifying key (%s floor)\n",
             cli_zkml_preset_name(floor));
      cli_print_zk_statement(stdout, &st);
      printf("time       verify %.2f ms\n", verify_ms);
    }
  } else if (s == STARKML_REJECT) {
    rc = CLI_EXIT_CHECK;
    const char *reason = why[0] ? why : starkml_strerror(s);
    if (json) {
      printf("{\"command\": \"verify\", \"result\": \"rejected\", \"proof_file\": ");
      cli_json_str(stdout, proof_path);
      printf(", \"reason\": ");
      cli_json_str(stdout, reason);
      printf(", \"verify_ms\": %.3f}\n", verify_ms);
    } else {
      printf("REJECTED: %s\n", reason);
    }
  } else {
    report(who, s == STARKML_ERR_PARSE ? proof_path : NULL, s, why);
    rc = status_exit(s);
  }
done:
  starkml_statement_clear(&st);
  free(proof);
  free(x);
  starkml_vk_free(vk);
  starkml_ctx_destroy(ctx);
  return rc;
}

/* ---- digest ------------------------------------------------------------------------------ */

static const char digest_synopsis[] =
    "usage: starkml digest --vk model.vk --input input.json --salt HEX [--json] (see --help)\n";

static void digest_usage(FILE *f) {
  fprintf(f,
          "usage: starkml digest --vk model.vk --input input.json --salt HEX [--json]\n"
          "\n"
          "Prints the digest a proof with a hashed input (prove --input-visibility hashed\n"
          "--input-salt HEX) will carry for this input and this model: the salted Poseidon2\n"
          "hash of the input quantized on the model's scale. An issuer who attests a record\n"
          "publishes it and gives the salt to the prover; a verifier then requires it with\n"
          "`starkml verify --input-digest`.\n"
          "\n"
          "  --vk FILE     the model's verifying key (required)\n"
          "  --input FILE  one sample, {\"input_data\": [[...]]} (required)\n"
          "  --salt HEX    64 hex digits, a secret the issuer draws (required)\n"
          "  --json        print {\"input_digest\": HEX} on stdout\n");
}

int cli_cmd_digest(int argc, char **argv) {
  const char *who = "starkml digest";
  const char *vk_path = NULL, *input_path = NULL, *salt_s = NULL;
  int json = 0;
  const cli_opt opts[] = {
      {"--vk", NULL, &vk_path, NULL},
      {"--input", NULL, &input_path, NULL},
      {"--salt", NULL, &salt_s, NULL},
      {"--json", NULL, NULL, &json},
  };
  const char *pos[1];
  int n_pos = 0;
  int rc = cli_parse_opts(who, digest_synopsis, digest_usage, argc, argv, opts, N_OPTS(opts),
                          pos, 0, &n_pos);
  if (rc >= 0) return rc;
  if (vk_path == NULL || input_path == NULL || salt_s == NULL) {
    fprintf(stderr, "%s: missing %s\n%s", who,
            vk_path == NULL ? "--vk FILE" : input_path == NULL ? "--input FILE" : "--salt HEX",
            digest_synopsis);
    return CLI_EXIT_USAGE;
  }
  uint8_t salt[32], digest[32];
  if (!cli_parse_hex(salt, 32, salt_s)) {
    fprintf(stderr, "%s: --salt takes 64 hex digits, not '%s'\n", who, salt_s);
    return CLI_EXIT_USAGE;
  }
  float *x = NULL;
  size_t x_len = 0;
  starkml_vk *vk = NULL;
  if ((rc = load_one_sample(who, input_path, &x, &x_len)) != 0) goto done;
  if ((rc = load_vk_file(who, vk_path, &vk)) != 0) goto done;
  starkml_status s = starkml_input_digest(digest, vk, x, x_len, salt);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: %s: the sample has %zu values; the model takes %zu\n", who, input_path,
            x_len, starkml_vk_input_len(vk));
    rc = CLI_EXIT_USAGE;
    goto done;
  }
  char hex[65];
  cli_hex(hex, digest, 32);
  if (json)
    printf("{\"command\": \"digest\", \"input_digest\": \"%s\"}\n", hex);
  else
    printf("%s\n", hex);
  rc = CLI_EXIT_OK;
done:
  free(x);
  starkml_vk_free(vk);
  return rc;
}
