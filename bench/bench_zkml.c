/*
 * End-to-end zkML benchmarks on the bundled models (vectors/models: mlp_digits, cnn_digits,
 * logreg_cancer), through the public API of include/starkml.h only.
 *
 * For each model: starkml_compile (once, timed; default quantization) and starkml_setup
 * (once, timed; private weights, a fixed salt seed). Then, for each preset (secure, fast),
 * with zero knowledge on, public input and public output (the default prove options):
 *  - prove: starkml_prove alone (the model, keys and input are loaded before timing), with
 *    a different prover seed for every proof (bench_seed, as in bench_stark.c: the proof
 *    of work's cost is random and a function of the transcript). No warm-up proof: the
 *    compile and the setup ran first (thread pool started, code paged in) and the prover's
 *    large buffers are fresh mappings in every proof. A proof slower than
 *    ZKML_LONG_PROOF_S is not repeated (the report's reps say how many were taken). The
 *    statement's stage_seconds split each proof into "witness" (quantized run, witness,
 *    publics, preprocessed roots) and "stark" (sm_stark_prove); their medians and the
 *    witness share (sum of witness / sum of prove over the repetitions) are reported;
 *  - verify: starkml_verify of the last proof against the preset's own floor, with the
 *    expected public input, repeated many times (at least ZKML_VERIFY_REPS) after one
 *    untimed warm-up and check;
 *  - the proof size in bytes and the security bits (provable / conjectured);
 *  - the peak RSS of the process during the proofs (getrusage ru_maxrss, after resetting
 *    the kernel's high-water mark through /proc/self/clear_refs where allowed; otherwise
 *    the figure is the peak since the program started, and says so).
 * One more configuration per model, secure preset, input visibility private and a
 * predicate in place of the public output (argmax==k for the classifiers, k the public
 * run's argmax; 'y[0]>=0.5' for logreg_cancer), shows the cost of hiding; it is verified
 * without an expected input.
 *
 * --quick: mlp_digits only, fast preset, one proof per configuration (public, then the
 * private configuration on the fast preset), 5 verifications.
 *
 * Work units: proofs per second (prove, verify), models per second (compile, setup). In
 * --json mode each result object also carries model, preset, zk, input_visibility,
 * predicate, public_weights, proof_bytes, provable_bits, conjectured_bits, peak_rss_kib
 * and, for prove, witness_median_s, stark_median_s and witness_share.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "starkml.h"

#ifndef STARKML_SOURCE_DIR
#error "bench/CMakeLists.txt defines STARKML_SOURCE_DIR"
#endif
#define ZKML_MODELS STARKML_SOURCE_DIR "/vectors/models/"

#define ZKML_VERIFY_REPS 50
#define ZKML_VERIFY_REPS_QUICK 5
#define ZKML_LONG_PROOF_S 180.0 /* a proof slower than this is not repeated */

typedef struct {
  const char *name;
  const char *predicate; /* the private configuration's predicate; NULL: argmax==k */
} zk_model;

static const zk_model zk_models[] = {
    {"mlp_digits", NULL},
    {"cnn_digits", NULL},
    {"logreg_cancer", "y[0]>=0.5"},
};

static uint8_t *read_all(const char *path, size_t *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  uint8_t *b = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0) n = ftell(f);
  if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) b = malloc((size_t)n + 1);
  if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
    free(b);
    b = NULL;
  }
  fclose(f);
  if (b != NULL) *len = (size_t)n;
  return b;
}

static const char *preset_name(uint32_t preset) {
  return preset == STARKML_PRESET_SECURE ? "secure" : "fast";
}

static const char *vis_name(uint32_t vis) {
  return vis == STARKML_INPUT_PUBLIC ? "public" : vis == STARKML_INPUT_HASHED ? "hashed" : "private";
}

/* What one configuration measured, for the JSON fields. */
typedef struct {
  const char *model;
  uint32_t preset, vis;
  const char *predicate; /* NULL: public output */
  size_t proof_bytes;
  unsigned provable_bits, conjectured_bits;
  long rss_kib;
  int prove; /* 1: add the witness / stark split */
  double witness_median_s, stark_median_s, witness_share;
} zk_fields;

/* Adds the zkML fields to the result bench_report appended last. */
static void json_annotate(bench_cfg *cfg, const zk_fields *f) {
  if (!cfg->json) return;
  size_t k = json_array_size(cfg->results);
  if (k == 0) return;
  json_t *o = json_array_get(cfg->results, k - 1);
  json_object_set_new(o, "model", json_string(f->model));
  json_object_set_new(o, "preset", json_string(preset_name(f->preset)));
  json_object_set_new(o, "zk", json_true());
  json_object_set_new(o, "input_visibility", json_string(vis_name(f->vis)));
  json_object_set_new(o, "predicate", f->predicate ? json_string(f->predicate) : json_null());
  json_object_set_new(o, "public_weights", json_false());
  json_object_set_new(o, "proof_bytes", json_integer((json_int_t)f->proof_bytes));
  json_object_set_new(o, "provable_bits", json_integer(f->provable_bits));
  json_object_set_new(o, "conjectured_bits", json_integer(f->conjectured_bits));
  json_object_set_new(o, "peak_rss_kib", json_integer(f->rss_kib));
  if (f->prove) {
    json_object_set_new(o, "witness_median_s", json_real(f->witness_median_s));
    json_object_set_new(o, "stark_median_s", json_real(f->stark_median_s));
    json_object_set_new(o, "witness_share", json_real(f->witness_share));
  }
}

/* The first index of the largest value (the argmax==k predicate's tie rule). */
static size_t argmax_q(const int64_t *y, size_t n) {
  size_t k = 0;
  for (size_t j = 1; j < n; j++)
    if (y[j] > y[k]) k = j;
  return k;
}

/*
 * One configuration: proves and verifies `input` with pk / vk. When argmax is not NULL
 * and the output is public, *argmax receives the last proof's argmax (or stays as it is).
 */
static void bench_config(bench_cfg *cfg, const starkml_ctx *ctx, const char *model,
                         const starkml_pk *pk, const starkml_vk *vk, const float *input,
                         size_t input_len, uint32_t preset, uint32_t vis, const char *predicate,
                         size_t *argmax) {
  const char *pname = preset_name(preset), *vname = vis_name(vis);
  int reps = cfg->reps;
  int vreps = cfg->quick ? ZKML_VERIFY_REPS_QUICK
                         : (cfg->reps > ZKML_VERIFY_REPS ? cfg->reps : ZKML_VERIFY_REPS);
  int n = reps > vreps ? reps : vreps;
  double *t = malloc((size_t)n * sizeof *t), *tw = malloc((size_t)reps * sizeof *tw),
         *ts = malloc((size_t)reps * sizeof *ts);
  uint8_t *proof = NULL;
  size_t proof_len = 0;
  starkml_statement st;
  memset(&st, 0, sizeof st);
  char why[256] = "";
  uint8_t seed[32];
  starkml_prove_options po;
  memset(&po, 0, sizeof po);
  po.input_visibility = vis;
  po.predicate = predicate;
  po.preset = preset;
  po.no_zk = 0;
  po.seed = seed;
  starkml_status s = (t == NULL || tw == NULL || ts == NULL) ? STARKML_ERR_NOMEM : STARKML_OK;
  double sum_w = 0, sum_t = 0;
  int reset = bench_rss_reset();
  for (int r = 0; s == STARKML_OK && r < reps; r++) {
    free(proof); /* outside the timed region; the last proof is kept for verify */
    proof = NULL;
    starkml_statement_clear(&st);
    bench_seed(seed, r);
    double t0 = bench_now();
    s = starkml_prove(ctx, &proof, &proof_len, &st, why, sizeof why, pk, input, input_len, &po);
    t[r] = bench_now() - t0;
    if (s != STARKML_OK) break;
    tw[r] = st.n_stages >= 1 ? st.stage_seconds[0] : 0;
    ts[r] = st.n_stages >= 2 ? st.stage_seconds[1] : 0;
    sum_w += tw[r];
    sum_t += t[r];
    if (t[r] > ZKML_LONG_PROOF_S && r + 1 < reps) {
      fprintf(stderr, "bench_zkml: %s %s %s: a proof took %.0f s, not repeated\n", model, pname,
              vname, t[r]);
      reps = r + 1;
    }
  }
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_zkml: %s %s %s: prove: %s (%s)\n", model, pname, vname,
            starkml_strerror(s), why);
    goto done;
  }
  long rss = bench_rss_peak_kib();
  if (argmax != NULL && st.output_q != NULL && st.output_len > 0)
    *argmax = argmax_q(st.output_q, st.output_len);

  zk_fields f = {model, preset, vis, predicate, proof_len, st.provable_bits, st.conjectured_bits,
                 rss, 1, 0, 0, 0};
  bench_cfg c = *cfg;
  c.reps = reps; /* the JSON states the repetitions this measurement used */
  bench_stats sp = bench_stats_of(t, reps);
  bench_stats sw = bench_stats_of(tw, reps), ss = bench_stats_of(ts, reps);
  f.witness_median_s = sw.median;
  f.stark_median_s = ss.median;
  f.witness_share = sum_t > 0 ? sum_w / sum_t : 0;
  char name[64], extra[320];
  snprintf(name, sizeof name, "zkml prove %s %s %s", model, pname, vname);
  snprintf(extra, sizeof extra,
           "witness %.3f s + stark %.3f s (medians; witness %.1f %%), %s%s%sproof %zu B, %u "
           "provable / %u conjectured bits, peak RSS %.0f MiB%s",
           sw.median, ss.median, 100.0 * f.witness_share, predicate ? "predicate " : "",
           predicate ? predicate : "", predicate ? ", " : "", proof_len, st.provable_bits,
           st.conjectured_bits, (double)rss / 1024.0, reset ? "" : " (since start)");
  bench_report(&c, name, &sp, 1.0, "proof", extra);
  json_annotate(&c, &f);

  /* Verify: the expected input when it is public, none when it is private. */
  const float *vin = vis == STARKML_INPUT_PUBLIC ? input : NULL;
  size_t vlen = vis == STARKML_INPUT_PUBLIC ? input_len : 0;
  starkml_statement vs;
  s = starkml_verify(ctx, &vs, why, sizeof why, vk, proof, proof_len, preset, vin, vlen, NULL);
  starkml_statement_clear(&vs); /* warm-up and check */
  for (int r = 0; s == STARKML_OK && r < vreps; r++) {
    double t0 = bench_now();
    s = starkml_verify(ctx, &vs, why, sizeof why, vk, proof, proof_len, preset, vin, vlen, NULL);
    t[r] = bench_now() - t0;
    starkml_statement_clear(&vs);
  }
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_zkml: %s %s %s: verify: %s (%s)\n", model, pname, vname,
            starkml_strerror(s), why);
    goto done;
  }
  c.reps = vreps;
  f.prove = 0;
  bench_stats sv = bench_stats_of(t, vreps);
  snprintf(name, sizeof name, "zkml verify %s %s %s", model, pname, vname);
  snprintf(extra, sizeof extra, "proof %zu B", proof_len);
  bench_report(&c, name, &sv, 1.0, "proof", extra);
  json_annotate(&c, &f);
done:
  starkml_statement_clear(&st);
  free(proof);
  free(t);
  free(tw);
  free(ts);
}

/* Compiles, sets up and benchmarks one bundled model. */
static void bench_model(bench_cfg *cfg, const starkml_ctx *ctx, const zk_model *m) {
  char path[512], why[600] = "";
  uint8_t *onnx = NULL;
  size_t onnx_len = 0, ns = 0, sl = 0, nin = 0, input_len = 0;
  float *calib = NULL, *input = NULL;
  starkml_model *model = NULL;
  starkml_pk *pk = NULL;
  starkml_vk *vk = NULL;
  starkml_status s = STARKML_OK;

  snprintf(path, sizeof path, ZKML_MODELS "%s/model.onnx", m->name);
  onnx = read_all(path, &onnx_len);
  if (onnx == NULL) {
    snprintf(why, sizeof why, "cannot read %s", path);
    s = STARKML_ERR_IO;
  }
  if (s == STARKML_OK) {
    snprintf(path, sizeof path, ZKML_MODELS "%s/calib.json", m->name);
    s = starkml_input_json_load(&calib, &ns, &sl, why, sizeof why, path);
  }
  if (s == STARKML_OK) {
    snprintf(path, sizeof path, ZKML_MODELS "%s/input.json", m->name);
    s = starkml_input_json_load(&input, &nin, &input_len, why, sizeof why, path);
    if (s == STARKML_OK && nin < 1) {
      snprintf(why, sizeof why, "%s holds no sample", path);
      s = STARKML_ERR_PARSE;
    }
  }
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_zkml: %s: %s (%s)\n", m->name, starkml_strerror(s), why);
    goto done;
  }

  bench_cfg c = *cfg;
  c.reps = 1;
  zk_fields f = {m->name, STARKML_PRESET_SECURE, STARKML_INPUT_PUBLIC, NULL, 0, 0, 0, -1, 0,
                 0, 0, 0};
  char name[64], extra[256];
  starkml_compile_report rep;
  double t0 = bench_now();
  s = starkml_compile(ctx, &model, &rep, why, sizeof why, onnx, onnx_len, calib, ns, sl, NULL);
  double tc = bench_now() - t0;
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_zkml: %s: compile: %s (%s)\n", m->name, starkml_strerror(s), why);
    goto done;
  }
  bench_stats sc = bench_stats_of(&tc, 1);
  snprintf(name, sizeof name, "zkml compile %s", m->name);
  snprintf(extra, sizeof extra,
           "%zu weights, %zu MAC terms, %zu values, %zu calibration samples, top-1 agreement "
           "%.1f %%",
           rep.n_weights, rep.n_dot_terms, rep.n_values, rep.n_calib, 100.0 * rep.top1_agreement);
  bench_report(&c, name, &sc, 1.0, "model", extra);
  if (cfg->json) {
    json_t *o = json_array_get(cfg->results, json_array_size(cfg->results) - 1);
    json_object_set_new(o, "model", json_string(m->name));
    json_object_set_new(o, "n_weights", json_integer((json_int_t)rep.n_weights));
    json_object_set_new(o, "n_dot_terms", json_integer((json_int_t)rep.n_dot_terms));
    json_object_set_new(o, "n_values", json_integer((json_int_t)rep.n_values));
    json_object_set_new(o, "top1_agreement", json_real(rep.top1_agreement));
  }

  uint8_t salt_seed[32];
  bench_seed(salt_seed, 254); /* a fixed weight salt: the same keys in every run */
  starkml_setup_options so = {0, salt_seed};
  int reset = bench_rss_reset();
  t0 = bench_now();
  s = starkml_setup(ctx, &pk, &vk, model, &so);
  double tsu = bench_now() - t0;
  if (s != STARKML_OK) {
    fprintf(stderr, "bench_zkml: %s: setup: %s\n", m->name, starkml_strerror(s));
    goto done;
  }
  f.rss_kib = bench_rss_peak_kib();
  bench_stats ss = bench_stats_of(&tsu, 1);
  snprintf(name, sizeof name, "zkml setup %s", m->name);
  snprintf(extra, sizeof extra, "private weights, peak RSS %.0f MiB%s", (double)f.rss_kib / 1024.0,
           reset ? "" : " (since start)");
  bench_report(&c, name, &ss, 1.0, "model", extra);
  if (cfg->json) {
    json_t *o = json_array_get(cfg->results, json_array_size(cfg->results) - 1);
    json_object_set_new(o, "model", json_string(m->name));
    json_object_set_new(o, "public_weights", json_false());
    json_object_set_new(o, "peak_rss_kib", json_integer(f.rss_kib));
  }

  size_t k = (size_t)-1;
  if (cfg->quick) {
    bench_config(cfg, ctx, m->name, pk, vk, input, input_len, STARKML_PRESET_FAST,
                 STARKML_INPUT_PUBLIC, NULL, &k);
  } else {
    bench_config(cfg, ctx, m->name, pk, vk, input, input_len, STARKML_PRESET_SECURE,
                 STARKML_INPUT_PUBLIC, NULL, &k);
    bench_config(cfg, ctx, m->name, pk, vk, input, input_len, STARKML_PRESET_FAST,
                 STARKML_INPUT_PUBLIC, NULL, &k);
  }
  char pred[64];
  if (m->predicate != NULL) {
    snprintf(pred, sizeof pred, "%s", m->predicate);
  } else if (k != (size_t)-1) {
    snprintf(pred, sizeof pred, "argmax==%zu", k);
  } else {
    fprintf(stderr, "bench_zkml: %s: no public run to take the argmax from; private skipped\n",
            m->name);
    goto done;
  }
  bench_config(cfg, ctx, m->name, pk, vk, input, input_len,
               cfg->quick ? STARKML_PRESET_FAST : STARKML_PRESET_SECURE, STARKML_INPUT_PRIVATE,
               pred, NULL);
done:
  starkml_pk_free(pk);
  starkml_vk_free(vk);
  starkml_model_free(model);
  free(onnx);
  free(calib);
  free(input);
}

void bench_zkml(bench_cfg *cfg) {
  starkml_ctx *ctx = NULL;
  if (starkml_ctx_create(&ctx, cfg->threads) != STARKML_OK) {
    fprintf(stderr, "bench_zkml: cannot create a context\n");
    return;
  }
  bench_cfg c = *cfg;
  if (c.quick) c.reps = 1;
  size_t nm = cfg->quick ? 1 : sizeof zk_models / sizeof zk_models[0];
  for (size_t i = 0; i < nm; i++) bench_model(&c, ctx, &zk_models[i]);
  starkml_ctx_destroy(ctx);
}
