/*
 * starkml-bench: foundation benchmarks (NTT, coset LDE, SHA3-256, Merkle commit), the
 * end-to-end STARK prover / verifier and the zkML pipeline on the bundled models.
 * Usage: starkml-bench [--json] [--reps N] [--threads N] [--quick]
 *                      [--only ntt|hash|stark|zkml]
 */
#include "bench/bench.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "starkml.h"

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

bench_stats bench_stats_of(double *samples, int n) {
  qsort(samples, (size_t)n, sizeof *samples, cmp_double);
  bench_stats s = {samples[0], n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]),
                   samples[n - 1]};
  return s;
}

void bench_report(bench_cfg *cfg, const char *name, const bench_stats *s, double work,
                  const char *work_unit, const char *extra) {
  double rate = s->median > 0 ? work / s->median : 0;
  if (cfg->json) {
    json_t *o = json_pack("{s:s, s:f, s:f, s:f, s:f, s:s, s:i, s:i}", "name", name, "min_s",
                          s->min, "median_s", s->median, "max_s", s->max, "work", work,
                          "work_unit", work_unit, "threads", cfg->threads, "reps", cfg->reps);
    if (extra != NULL) json_object_set_new(o, "note", json_string(extra));
    json_array_append_new(cfg->results, o);
    return;
  }
  printf("%-40s min %10.3f ms  median %10.3f ms  max %10.3f ms  %10.3g %s/s%s%s\n", name,
         1e3 * s->min, 1e3 * s->median, 1e3 * s->max, rate, work_unit, extra ? "  " : "",
         extra ? extra : "");
  fflush(stdout);
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: starkml-bench [--json] [--reps N] [--threads N] [--quick]\n"
          "                     [--only ntt|hash|stark|zkml]\n"
          "Prints min / median / max over N repetitions (default 5) of each measurement.\n");
}

int main(int argc, char **argv) {
  bench_cfg cfg = {0, 5, omp_get_num_procs(), 0, NULL};
  const char *only = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      cfg.json = 1;
    } else if (strcmp(argv[i], "--quick") == 0) {
      cfg.quick = 1;
    } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
      cfg.reps = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      cfg.threads = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = argv[++i];
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "starkml-bench: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (cfg.reps < 1 || cfg.threads < 1) {
    fprintf(stderr, "starkml-bench: --reps and --threads must be >= 1\n");
    return 2;
  }
  if (only != NULL && strcmp(only, "ntt") != 0 && strcmp(only, "hash") != 0 &&
      strcmp(only, "stark") != 0 && strcmp(only, "zkml") != 0) {
    fprintf(stderr, "starkml-bench: --only takes ntt, hash, stark or zkml\n");
    return 2;
  }
  if (cfg.json) cfg.results = json_array();
  else printf("starkml %s bench: %d threads, %d reps%s\n", starkml_version(), cfg.threads,
              cfg.reps, cfg.quick ? " (quick)" : "");
  if (only == NULL || strcmp(only, "ntt") == 0) bench_ntt(&cfg);
  if (only == NULL || strcmp(only, "hash") == 0) bench_hash(&cfg);
  if (only == NULL || strcmp(only, "stark") == 0) bench_stark(&cfg);
  if (only == NULL || strcmp(only, "zkml") == 0) bench_zkml(&cfg);
  if (cfg.json) {
    json_t *doc = json_pack("{s:s, s:i, s:i, s:o}", "starkml", starkml_version(), "threads",
                            cfg.threads, "reps", cfg.reps, "results", cfg.results);
    json_dumpf(doc, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(doc);
  }
  return 0;
}

void bench_seed(uint8_t seed[32], int r) {
  memset(seed, 0, 32);
  memcpy(seed, "starkml-bench", 13);
  seed[31] = (uint8_t)(r + 1);
}

int bench_rss_reset(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f == NULL) return 0;
  int ok = fputs("5", f) >= 0;
  ok = (fclose(f) == 0) && ok;
  return ok;
}

long bench_rss_peak_kib(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
  return ru.ru_maxrss; /* KiB on Linux */
}
