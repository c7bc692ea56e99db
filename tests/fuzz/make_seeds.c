/*
 * Writes the seed corpora of the fuzz targets (scripts/fuzz.sh runs it):
 *   OUT/stark_verify/  honest proofs of the statements of fuzz_fixture.h, made with
 *                      fuzz_options() and a few variants of arity, final degree and query
 *                      count, under a fixed prover seed; each is verified before it is
 *                      written, so a seed that stops verifying fails here, not silently;
 *   OUT/air_decode/    the canonical encoding of every toy table;
 *   OUT/fri_read/      parameter prefixes (fuzz_fri_prefix) followed by a well-shaped
 *                      commitment and two query proofs (zero values: the shape is what a
 *                      reader checks).
 * Usage: make_seeds OUT_DIR   (the three subdirectories must exist).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_fixture.h"

static int write_file(const char *dir, const char *sub, const char *name, const void *data,
                      size_t len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
  FILE *f = fopen(path, "wb");
  if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
    fprintf(stderr, "make_seeds: cannot write %s\n", path);
    return 1;
  }
  return 0;
}

static const uint8_t prover_seed[32] = {0x5e, 0xed, 1, 2, 3};

/* Option variants on top of fuzz_options(zk): {log_arity, log_final_degree, n_queries,
 * grinding_bits}; zero keeps the default. */
typedef struct {
  uint32_t log_arity, log_final_degree, n_queries, grinding_bits;
  const char *tag;
} variant;

static const variant variants[] = {
    {0, 0, 0, 0, "default"},
    {1, 0, 0, 0, "arity2_final1"},
    {3, 3, 0, 0, "arity8_final8"},
    {0, 0, 1, 1, "q1_g1"},
};

static int stark_seeds(const char *dir, const starkml_ctx *ctx) {
  int bad = 0;
  for (int which = 0; which < FUZZ_N_STATEMENTS; which++) {
    fuzz_fixture f;
    starkml_status s = fuzz_fixture_make(&f, which, ctx);
    if (s != STARKML_OK) {
      fprintf(stderr, "make_seeds: statement %s: %s\n", fuzz_statement_name(which),
              starkml_strerror(s));
      return 1;
    }
    for (int zk = 0; zk <= 1; zk++) {
      int need = fuzz_statement_zk(which);
      if (need >= 0 && need != zk) continue; /* the setup roots fix the zk flag */
      for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        sm_stark_options opt = fuzz_options(zk);
        if (variants[v].log_arity) opt.log_arity = variants[v].log_arity;
        if (variants[v].log_final_degree) opt.log_final_degree = variants[v].log_final_degree;
        if (variants[v].n_queries) opt.n_queries = variants[v].n_queries;
        if (variants[v].grinding_bits) opt.grinding_bits = variants[v].grinding_bits;
        uint8_t *proof = NULL;
        size_t len = 0;
        s = sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, prover_seed);
        if (s != STARKML_OK) {
          fprintf(stderr, "make_seeds: prove %s zk=%d %s: %s\n", fuzz_statement_name(which), zk,
                  variants[v].tag, starkml_strerror(s));
          bad = 1;
          continue;
        }
        sm_stark_reject why;
        s = sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len);
        if (s != STARKML_OK) {
          fprintf(stderr, "make_seeds: %s zk=%d %s does not verify: %s (%s)\n",
                  fuzz_statement_name(which), zk, variants[v].tag, starkml_strerror(s),
                  sm_stark_reject_str(why));
          bad = 1;
        } else {
          char name[128];
          if (need >= 0) /* the name already says the zk flag */
            snprintf(name, sizeof name, "%s_%s.proof", fuzz_statement_name(which),
                     variants[v].tag);
          else
            snprintf(name, sizeof name, "%s_zk%d_%s.proof", fuzz_statement_name(which), zk,
                     variants[v].tag);
          bad |= write_file(dir, "stark_verify", name, proof, len);
        }
        free(proof);
      }
    }
    fuzz_fixture_free(&f);
  }
  return bad;
}

static int air_seeds(const char *dir) {
  sm_air_toy toys[3];
  const char *names[3] = {"fib", "range", "bus"};
  if (sm_air_toy_fibonacci(&toys[0], 3, 1, 1) != STARKML_OK ||
      sm_air_toy_range_check(&toys[1], 2, 7) != STARKML_OK ||
      sm_air_toy_bus(&toys[2], 2, 9) != STARKML_OK) {
    fprintf(stderr, "make_seeds: toy construction failed\n");
    return 1;
  }
  int bad = 0;
  for (int i = 0; i < 3; i++) {
    for (size_t t = 0; t < toys[i].n_tables; t++) {
      sm_writer w;
      sm_w_init(&w, 1u << 20);
      if (sm_air_encode(&toys[i].t[t].table, &w) != STARKML_OK) {
        fprintf(stderr, "make_seeds: encoding %s table %zu failed\n", names[i], t);
        bad = 1;
      } else {
        char name[128];
        snprintf(name, sizeof name, "%s_%zu_%s.air", names[i], t, toys[i].t[t].table.name);
        bad |= write_file(dir, "air_decode", name, w.buf, w.len);
      }
      sm_w_free(&w);
    }
    sm_air_toy_free(&toys[i]);
  }
  return bad;
}

/* Prefixes: {log_blowup, log_arity, log_final_degree, n, sizes...} as fuzz_fri_prefix
 * reads them (raw bytes chosen to give the values in the comment). */
static const uint8_t fri_prefixes[][7] = {
    {1, 1, 2, 0, 4, 0, 0},  /* blowup 4, arity 4, final 4, one input of 2^6 */
    {0, 0, 0, 1, 5, 2, 0},  /* blowup 2, arity 2, final 1, inputs 2^6, 2^3 */
    {2, 3, 3, 2, 7, 4, 3},  /* blowup 8, arity 16, final 8, inputs 2^10, 2^7, 2^6 */
    {1, 2, 1, 1, 9, 9, 0},  /* blowup 4, arity 8, final 2, inputs 2^11 twice */
};

static int fri_seeds(const char *dir) {
  int bad = 0;
  for (size_t i = 0; i < sizeof fri_prefixes / sizeof fri_prefixes[0]; i++) {
    sm_fri_params p;
    unsigned sizes[3];
    size_t n;
    size_t off = fuzz_fri_prefix(&p, sizes, &n, fri_prefixes[i], sizeof fri_prefixes[i]);
    sm_fri_schedule s;
    if (off == 0 || sm_fri_schedule_compute(&s, &p, sizes, n) != STARKML_OK) {
      fprintf(stderr, "make_seeds: FRI prefix %zu gives no schedule\n", i);
      bad = 1;
      continue;
    }
    sm_writer w;
    sm_w_init(&w, 1u << 24);
    sm_w_bytes(&w, fri_prefixes[i], off);
    sm_digest roots[SM_FRI_MAX_LAYERS];
    memset(roots, 0xab, sizeof roots);
    gl3_t *fc = calloc(s.n_final, sizeof *fc);
    size_t nv = 0, nd = 0;
    for (unsigned j = 0; j < s.n_layers; j++) {
      nv += (size_t)1 << s.log_arity[j];
      nd += s.log_size[j] - s.log_arity[j];
    }
    sm_fri_query_proof q = {s.n_layers, calloc(nv + 1, sizeof(gl3_t)),
                            calloc(nd + 1, sizeof(sm_digest))};
    if (fc == NULL || q.values == NULL || q.paths == NULL) {
      fprintf(stderr, "make_seeds: out of memory\n");
      return 1;
    }
    for (size_t k = 0; k < s.n_final; k++) fc[k] = gl3_from_base(k + 1);
    sm_fri_write_commitment(&w, roots, s.n_layers, fc, s.n_final);
    for (int k = 0; k < 2; k++) sm_fri_write_query_proof(&w, &s, &q);
    if (sm_w_status(&w) != STARKML_OK) {
      fprintf(stderr, "make_seeds: FRI seed %zu: writer failed\n", i);
      bad = 1;
    } else {
      char name[64];
      snprintf(name, sizeof name, "fri_%zu.bin", i);
      bad |= write_file(dir, "fri_read", name, w.buf, w.len);
    }
    sm_w_free(&w);
    free(fc);
    free(q.values);
    free(q.paths);
  }
  return bad;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  starkml_ctx *ctx = NULL;
  if (starkml_ctx_create(&ctx, 1) != STARKML_OK) return 1;
  int bad = stark_seeds(argv[1], ctx);
  bad |= air_seeds(argv[1]);
  bad |= fri_seeds(argv[1]);
  starkml_ctx_destroy(ctx);
  return bad ? 1 : 0;
}
