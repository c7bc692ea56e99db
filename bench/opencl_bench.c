/*
 * The OpenCL backend beside the CPU reference (docs/opencl.md quotes its output).
 *
 *   starkml-opencl-bench [--device N] [--reps R] [--threads T] [--quick] [--no-cli] [--json]
 *
 * For each measurement: min / median / max wall time over R runs after one untimed warm-up,
 * on the CPU (core/, T threads) and on OpenCL device N. Backend calls are timed whole, as
 * the prover sees them: upload, kernels, read-back (the interface passes host memory).
 *   - NTT: forward natural -> bit-reversed, 2^16 .. 2^20 points x 8 columns.
 *   - Merkle commit: 2^16 rows x 64 columns, no salts.
 *   - Whole proofs with the CLI (`--backend cpu` vs `--backend opencl`): the Fibonacci toy
 *     at 2^16 rows, and mlp_digits (compiled and set up once, untimed). On OpenCL these run
 *     every stage the backend has (LDE, commitments, generated quotient kernels, DEEP, FRI
 *     folds) on device-resident matrices; the warm-up run builds the generated kernels, so
 *     the timed runs load them from the program cache. The quotient and DEEP are measured
 *     here, inside whole proofs: their CPU reference is internal to the prover.
 * --json prints one JSON object per line instead of the table. Not run by ctest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backend.h"
#include "core/merkle.h"
#include "core/ntt.h"
#include "host/backends.h"

typedef struct {
  int reps, threads, json, quick, cli;
  sm_backend *be;
} cfg_t;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void report(const cfg_t *c, const char *name, const char *backend, double *s) {
  qsort(s, (size_t)c->reps, sizeof *s, cmp_d);
  double mn = s[0], md = s[c->reps / 2], mx = s[c->reps - 1];
  if (c->reps % 2 == 0) md = 0.5 * (s[c->reps / 2 - 1] + s[c->reps / 2]);
  if (c->json)
    printf("{\"name\": \"%s\", \"backend\": \"%s\", \"reps\": %d, \"min_s\": %.6f, "
           "\"median_s\": %.6f, \"max_s\": %.6f}\n",
           name, backend, c->reps, mn, md, mx);
  else
    printf("%-34s %-7s %10.2f %10.2f %10.2f ms\n", name, backend, 1e3 * mn, 1e3 * md, 1e3 * mx);
  fflush(stdout);
}

static gl_t *filled(size_t n) {
  gl_t *x = malloc(n * sizeof *x);
  if (x == NULL) return NULL;
  uint64_t s = 0x243F6A8885A308D3ULL;
  for (size_t i = 0; i < n; i++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x[i] = gl_from_u64(s);
  }
  return x;
}

static int bench_ntt(const cfg_t *c, sm_ntt_plan *plan, unsigned log_n, size_t cols) {
  const size_t n = (size_t)1 << log_n;
  gl_t *x = filled(n * cols);
  double *s = malloc((size_t)c->reps * sizeof *s);
  if (x == NULL || s == NULL) return 1;
  char name[64];
  snprintf(name, sizeof name, "ntt forward 2^%u x %zu", log_n, cols);
  for (int dev = 0; dev < 2; dev++) {
    sm_backend *be = dev ? c->be : NULL;
    for (int r = -1; r < c->reps; r++) {
      double t0 = now();
      starkml_status st =
          sm_be_ntt(be, plan, x, cols, n, log_n, 0, SM_ORDER_NATURAL, SM_ORDER_BITREV);
      if (st != STARKML_OK) {
        fprintf(stderr, "ntt: %s (%s)\n", starkml_strerror(st), sm_be_last_error(be));
        return 1;
      }
      if (r >= 0) s[r] = now() - t0;
    }
    report(c, name, dev ? "opencl" : "cpu", s);
  }
  free(x);
  free(s);
  return 0;
}

static int bench_merkle(const cfg_t *c, unsigned log_rows, size_t width) {
  const size_t n = (size_t)1 << log_rows;
  gl_t *m = filled(n * width);
  double *s = malloc((size_t)c->reps * sizeof *s);
  if (m == NULL || s == NULL) return 1;
  char name[64];
  snprintf(name, sizeof name, "merkle commit 2^%u x %zu", log_rows, width);
  for (int dev = 0; dev < 2; dev++) {
    sm_backend *be = dev ? c->be : NULL;
    for (int r = -1; r < c->reps; r++) {
      sm_merkle_tree t;
      double t0 = now();
      starkml_status st = sm_be_merkle_commit(be, &t, m, n, width, n, NULL, 0, c->threads);
      double t1 = now();
      if (st != STARKML_OK) {
        fprintf(stderr, "merkle: %s (%s)\n", starkml_strerror(st), sm_be_last_error(be));
        return 1;
      }
      sm_merkle_tree_free(&t);
      if (r >= 0) s[r] = t1 - t0;
    }
    report(c, name, dev ? "opencl" : "cpu", s);
  }
  free(m);
  free(s);
  return 0;
}

/* Times a shell command (the CLI); nonzero exit status is a failure. */
static int bench_cmd(const cfg_t *c, const char *name, const char *backend, const char *cmd) {
  double *s = malloc((size_t)c->reps * sizeof *s);
  if (s == NULL) return 1;
  for (int r = -1; r < c->reps; r++) {
    double t0 = now();
    int rc = system(cmd);
    if (rc != 0) {
      fprintf(stderr, "failed (%d): %s\n", rc, cmd);
      free(s);
      return 1;
    }
    if (r >= 0) s[r] = now() - t0;
  }
  report(c, name, backend, s);
  free(s);
  return 0;
}

static int bench_cli(const cfg_t *c, int device) {
  char tmp[] = "/tmp/starkml-oclbench-XXXXXX";
  if (mkdtemp(tmp) == NULL) return 1;
  char cmd[4096];
  const char *cli = STARKML_CLI, *models = STARKML_SOURCE_DIR "/vectors/models";
  const char *backends[2] = {"cpu", "opencl"};
  unsigned log_n = c->quick ? 12 : 16;
  int rc = 0;
  char name[64];
  snprintf(name, sizeof name, "prove toy fibonacci 2^%u", log_n);
  for (int b = 0; b < 2 && rc == 0; b++) {
    snprintf(cmd, sizeof cmd,
             "'%s' toy prove fibonacci --log-n %u --seed 1 --threads %d --quiet -o %s/toy.proof "
             "--backend %s --device %d",
             cli, log_n, c->threads, tmp, backends[b], b ? device : 0);
    rc = bench_cmd(c, name, backends[b], cmd);
  }
  snprintf(cmd, sizeof cmd,
           "'%s' compile %s/mlp_digits/model.onnx --calib %s/mlp_digits/calib.json -o %s/m.smc "
           ">/dev/null && '%s' setup %s/m.smc --pk %s/m.pk --vk %s/m.vk --seed 1 >/dev/null",
           cli, models, models, tmp, cli, tmp, tmp, tmp);
  if (rc == 0 && system(cmd) != 0) rc = 1;
  for (int b = 0; b < 2 && rc == 0; b++) {
    snprintf(cmd, sizeof cmd,
             "'%s' prove --pk %s/m.pk --input %s/mlp_digits/input.json -o %s/m.proof --seed 1 "
             "--threads %d --quiet --backend %s --device %d >/dev/null",
             cli, tmp, models, tmp, c->threads, backends[b], b ? device : 0);
    rc = bench_cmd(c, "prove mlp_digits", backends[b], cmd);
  }
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (system(cmd) != 0) rc = 1;
  return rc;
}

int main(int argc, char **argv) {
  cfg_t c = {5, 2, 0, 0, 1, NULL};
  int device = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--device") == 0 && i + 1 < argc) device = atoi(argv[++i]);
    else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) c.reps = atoi(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) c.threads = atoi(argv[++i]);
    else if (strcmp(argv[i], "--json") == 0) c.json = 1;
    else if (strcmp(argv[i], "--quick") == 0) c.quick = 1;
    else if (strcmp(argv[i], "--no-cli") == 0) c.cli = 0;
    else {
      fprintf(stderr,
              "usage: %s [--device N] [--reps R] [--threads T] [--quick] [--no-cli] [--json]\n",
              argv[0]);
      return 2;
    }
  }
  if (c.reps < 1 || c.threads < 1) return 2;
  char why[4096];
  starkml_status st = sm_opencl_open(&c.be, device, c.threads, why, sizeof why);
  if (st != STARKML_OK) {
    fprintf(stderr, "opencl device %d: %s: %s\n", device, starkml_strerror(st), why);
    return 1;
  }
  starkml_device_info d[16];
  size_t nd = 0;
  if (starkml_devices(d, 16, &nd, NULL, 0) == STARKML_OK && !c.json)
    for (size_t i = 0; i < nd && i < 16; i++)
      if (strcmp(d[i].backend, "opencl") == 0 && d[i].index == device)
        printf("# opencl device %d: %s (%s / %s); cpu: %d threads\n", device, d[i].name,
               d[i].platform, d[i].version, c.threads);
  if (!c.json)
    printf("%-34s %-7s %10s %10s %10s\n", "measurement", "backend", "min", "median", "max");
  sm_ntt_plan *plan = NULL;
  int rc = sm_ntt_plan_create(&plan, 20, c.threads) != STARKML_OK;
  for (unsigned log_n = 16; rc == 0 && log_n <= (c.quick ? 16u : 20u); log_n += 2)
    rc = bench_ntt(&c, plan, log_n, 8);
  if (rc == 0) rc = bench_merkle(&c, c.quick ? 12 : 16, 64);
  if (rc == 0 && c.cli) rc = bench_cli(&c, device);
  sm_ntt_plan_free(plan);
  sm_be_free(c.be);
  return rc;
}
