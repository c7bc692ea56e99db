/*
 * starkml: the command-line tool. A thin layer over the public C API (include/starkml.h).
 *
 * Exit codes: 0 success; 1 a check failed (self-test mismatch, proof rejected);
 * 2 usage, I/O or parse error. The commands live in host/cmd_*.c (host/cli.h): the zkML
 * pipeline (compile, setup, prove, verify, demo) in cmd_zkml.c and cmd_demo.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/cli.h"
#include "starkml.h"

#define EXIT_CHECK_FAILED CLI_EXIT_CHECK
#define EXIT_USAGE CLI_EXIT_USAGE

typedef int (*command_fn)(int argc, char **argv);

static const struct {
  const char *name;
  command_fn fn;
  const char *summary;
} commands[] = {
    {"demo", cli_cmd_demo, "compile, set up, prove and verify a bundled model, in one go"},
    {"compile", cli_cmd_compile, "quantize an ONNX model with calibration data (model.smc)"},
    {"setup", cli_cmd_setup, "make a model's proving and verifying keys (model.pk, model.vk)"},
    {"prove", cli_cmd_prove, "prove one inference (input.json -> proof and output JSON)"},
    {"verify", cli_cmd_verify, "check a proof against a verifying key, print its statement"},
    {"digest", cli_cmd_digest, "the digest a hashed input will have (for issuers)"},
    {"inspect", cli_cmd_inspect, "describe a proof, key or compiled model (--json)"},
    {"devices", cli_cmd_devices, "list the devices the prover can run on (--backend, --device)"},
    {"selftest", cli_cmd_selftest, "check this build against the known-answer vectors"},
    {"toy", cli_cmd_toy, "prove or verify a toy AIR (fibonacci, range-check, bus)"},
};

static void usage(FILE *f) {
  fprintf(f,
          "usage: starkml [--version] [--help] COMMAND [ARGS]\n"
          "\n"
          "starkml proves that a quantized neural network produced a result, with a\n"
          "post-quantum, zero-knowledge STARK (SHA3-256 commitments, Goldilocks field).\n"
          "\n"
          "  starkml compile model.onnx --calib calib.json -o model.smc\n"
          "  starkml setup model.smc --pk model.pk --vk model.vk\n"
          "  starkml prove --pk model.pk --input input.json -o out.proof\n"
          "  starkml verify --vk model.vk --proof out.proof\n"
          "\n"
          "commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\nRun 'starkml COMMAND --help' for a command's options.\n");
}

/* Parses a thread count: a decimal integer in [0, 4096] (0 = every core). */
static int parse_threads(const char *s, int *out) {
  uint64_t v;
  if (!cli_parse_u64(s, 0, 4096, &v)) return 0;
  *out = (int)v;
  return 1;
}

static void selftest_usage(FILE *f) {
  fprintf(f,
          "usage: starkml selftest [--vectors DIR] [--threads N] [--json]\n"
          "\n"
          "Runs every known-answer vector (field, NTT, SHA3-256, Merkle, transcript) against\n"
          "this build and prints what passed. Any mismatch is printed as a FAIL line and the\n"
          "exit code is 1.\n"
          "\n"
          "  --vectors DIR  read the vectors from DIR (a copy of the source tree's vectors/)\n"
          "                 instead of the copy embedded in the binary at build time\n"
          "  --threads N    worker threads (default: every core)\n"
          "  --json         print the per-file results as JSON\n");
}

int cli_cmd_selftest(int argc, char **argv) {
  const char *dir = NULL;
  int threads = 0, json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      selftest_usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "--vectors") == 0 && i + 1 < argc) {
      dir = argv[++i];
    } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      if (!parse_threads(argv[++i], &threads)) {
        fprintf(stderr, "starkml selftest: --threads takes an integer from 0 to 4096\n");
        return EXIT_USAGE;
      }
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else {
      fprintf(stderr, "starkml selftest: unknown or incomplete argument '%s'\n", argv[i]);
      selftest_usage(stderr);
      return EXIT_USAGE;
    }
  }
  starkml_ctx *ctx = NULL;
  starkml_status st = starkml_ctx_create(&ctx, threads);
  if (st != STARKML_OK) {
    fprintf(stderr, "starkml selftest: %s\n", starkml_strerror(st));
    return EXIT_USAGE;
  }
  starkml_ctx_set_log(ctx, cli_log_stderr, NULL);
  starkml_selftest_file files[32];
  size_t n = 0;
  st = starkml_selftest(ctx, files, 32, &n, dir);
  size_t total_pass = 0, total_fail = 0;
  if (json) printf("{\"version\": \"%s\", \"files\": [", starkml_version());
  for (size_t i = 0; i < n && i < 32; i++) {
    total_pass += files[i].passed;
    total_fail += files[i].failed;
    if (json) {
      printf("%s\n  {\"file\": \"%s\", \"passed\": %zu, \"failed\": %zu}", i ? "," : "",
             files[i].file, files[i].passed, files[i].failed);
    } else {
      printf("%-22s %5zu passed %5zu failed   %s\n", files[i].file, files[i].passed,
             files[i].failed, files[i].failed ? "FAIL" : "ok");
    }
  }
  if (json) {
    printf("\n], \"passed\": %zu, \"failed\": %zu, \"status\": \"%s\"}\n", total_pass, total_fail,
           st == STARKML_OK ? "ok" : "fail");
  } else {
    printf("selftest (%s vectors): %zu passed, %zu failed: %s\n",
           dir ? "on-disk" : "embedded", total_pass, total_fail,
           st == STARKML_OK ? "ok" : "FAILED");
  }
  starkml_ctx_destroy(ctx);
  if (st == STARKML_OK) return 0;
  if (st == STARKML_REJECT) return EXIT_CHECK_FAILED;
  fprintf(stderr, "starkml selftest: %s\n", starkml_strerror(st));
  return st == STARKML_ERR_INTERNAL ? EXIT_CHECK_FAILED : EXIT_USAGE;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    printf("starkml %s\n", starkml_version());
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "starkml: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}
