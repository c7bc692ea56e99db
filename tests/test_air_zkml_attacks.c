/*
 * Malicious provers against the zkML constraint tables (air/zkair.h) on the bundled models:
 * each case builds the circuit of one inference with the internal APIs (the same wiring as
 * host/api_zkml.c), checks that the honest proof verifies, then alters the witness the way
 * an attacker would (keeping every other table consistent where that is possible) and runs
 * the honest prover on it through sm_stark_prove_tampered. The verifier must reject.
 *
 * Two ways of building a bad witness:
 *  - patching cells of the honest witness (a requant remainder, a multiplicity...), keeping
 *    the range table's multiplicities in step with every limb that changes, so that the
 *    only broken relation is the one under test;
 *  - the "attacker's model": a copy of the quantized model with one thing changed (a clamp
 *    bound, a LUT entry, a weight, a max window). Its witness is consistent everywhere
 *    downstream of the change; proved against the honest statement (the honest
 *    preprocessed columns and weight digest) and the attacker's claimed output, the one
 *    gadget that sees the difference must refuse it.
 *
 * The column layouts below mirror the enums at the top of air/zkair.c; every case checks
 * the relations it relies on in the honest witness first, so a layout change fails loudly.
 * Case 12 checks zero knowledge across proofs on the query openings of the weights table
 * (logistic regression by default; the MLP in the `_slow` case).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "air/graph.h"
#include "air/input_json.h"
#include "air/qmodel.h"
#include "air/sponge.h"
#include "air/zkair.h"
#include "core/ntt.h"
#include "core/poseidon2.h"
#include "core/ser.h"
#include "fri/fri.h"
#include "fri/stark.h"
#include "fri/stark_internal.h"
#include "tests/sm_test.h"

#define MODELS STARKML_SOURCE_DIR "/vectors/models/"

/* ---- Column layouts (air/zkair.c) ------------------------------------------------------ */

enum { MAC_P_START = 0, MAC_P_OKEY, MAC_P_OMULT, MAC_P_LANE0 };
enum { MAC_ACC = 0, MAC_N_MAIN = 1 + 2 * SM_ZC_MAC_LANES };
enum { RQ_P_IN = 0, RQ_P_OUT, RQ_P_OMULT, RQ_P_M, RQ_P_H, RQ_P_P, RQ_P_LO, RQ_P_HI, RQ_P_ACT };
enum { RQ_A = 0, RQ_Q, RQ_R, RQ_Y, RQ_CL, RQ_CH, RQ_RL = 6, RQ_SL = 10, RQ_GL = 14, RQ_E1 = 18,
       RQ_E2 = 20, RQ_N_MAIN = 22 };
enum { AC_P_IN = 0, AC_P_OUT, AC_P_OMULT, AC_P_FN, AC_P_ACT };
enum { AC_X = 0, AC_Y };
enum { LU_P_FN = 0, LU_P_X, LU_P_Y };
enum { MX_P_OUT = 0, MX_P_OMULT, MX_P_ACT, MX_P_LANE0 };
enum { MX_Y = 0, MX_LANE0 };
enum { DV_P_NUM = 0, DV_P_DEN, DV_P_OUT, DV_P_OMULT, DV_P_P2, DV_P_ACT };
enum { DV_E = 0, DV_S, DV_Y, DV_R, DV_RL = 4, DV_TL = 8, DV_YL = 12, DV_N_MAIN = 14 };

/* ---- Small helpers --------------------------------------------------------------------- */

static gl_t fe(int64_t v) { return v >= 0 ? (gl_t)v : GL_P - (gl_t)(-(v + 1)) - 1; }
static int64_t sv(gl_t v) { return v > GL_P / 2 ? -(int64_t)(GL_P - v) : (int64_t)v; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void log_line(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "  starkml: %s\n", line);
}

static const gl_t k_salt_w[SM_ZC_SALT_LEN] = {0x1111, 0x2222, 0x3333, 0x4444};
static const gl_t k_salt_in[SM_ZC_SALT_LEN] = {0x5555, 0x6666, 0x7777, 0x8888};

/* ---- The pipeline ---------------------------------------------------------------------- */

typedef struct {
  starkml_ctx *ctx;
  sm_qmodel q;              /* the honest model (with weights) */
  sm_zc_mode mode;
  int zk;
  uint32_t in_numel, out_numel;
  int64_t *xq, *vals;       /* the honest inference */
  int64_t *claimed_out;     /* the output the statement claims (public output) */
  sm_zc_circuit c;          /* the honest circuit and witness */
  sm_zc_publics pub;
  const gl_t *publics[SM_ZC_MAX_TABLES], *main[SM_ZC_MAX_TABLES], *pre[SM_ZC_MAX_TABLES];
  sm_digest pre_root;
  sm_stark_statement st;
  sm_stark_witness w;
  sm_stark_options o;
  gl_t *tam[SM_ZC_MAX_TABLES]; /* the attacker's main columns (NULL: the honest ones) */
  double t_honest;
} pipe_t;

static void load_model(sm_qmodel *q, const char *dir, const char *onnx) {
  char path[512], why[256] = "";
  sm_graph g;
  snprintf(path, sizeof path, MODELS "%s/%s", dir, onnx);
  starkml_status s = sm_graph_load_onnx(&g, why, sizeof why, path);
  if (s != STARKML_OK) fail_msg("%s: %s", path, why);
  float *calib = NULL;
  size_t ns = 0, sl = 0;
  snprintf(path, sizeof path, MODELS "%s/calib.json", dir);
  s = sm_input_json_load(&calib, &ns, &sl, why, sizeof why, path);
  if (s != STARKML_OK) fail_msg("%s: %s", path, why);
  sm_qconfig cfg;
  sm_qconfig_default(&cfg);
  s = sm_qmodel_compile(q, NULL, why, sizeof why, &g, &cfg, calib, ns, sl);
  if (s != STARKML_OK) fail_msg("compile %s: %s", dir, why);
  free(calib);
  sm_graph_free(&g);
}

/* Deep copy through the canonical encoding (the attacker's model starts as the honest one). */
static void clone_model(sm_qmodel *dst, const sm_qmodel *src) {
  sm_writer w;
  sm_w_init(&w, 256u << 20);
  assert_int_equal(sm_qmodel_encode(src, 1, &w), STARKML_OK);
  assert_int_equal(sm_w_status(&w), STARKML_OK);
  sm_reader r;
  sm_r_init(&r, w.buf, w.len);
  char why[256];
  assert_int_equal(sm_qmodel_decode(dst, why, sizeof why, &r), STARKML_OK);
  sm_w_free(&w);
}

static float *load_input(const char *dir, size_t *len) {
  char path[512], why[256] = "";
  float *x = NULL;
  size_t ns = 0;
  snprintf(path, sizeof path, MODELS "%s/input.json", dir);
  starkml_status s = sm_input_json_load(&x, &ns, len, why, sizeof why, path);
  if (s != STARKML_OK) fail_msg("%s: %s", path, why);
  assert_int_equal(ns, 1);
  return x;
}

static int tidx(const pipe_t *p, uint32_t kind) {
  for (size_t t = 0; t < p->c.n_tables; t++)
    if (p->c.kind[t] == kind) return (int)t;
  return -1;
}

static size_t rows(const pipe_t *p, int t) { return (size_t)1 << p->c.tables[t].log_n; }

/* Fills the publics (the claimed output may differ from the honest one) and the setup's
   commitment. */
static void pipe_statement(pipe_t *p) {
  p->pub.input = p->xq;
  p->pub.output = p->claimed_out;
  for (unsigned i = 0; i < SM_ZC_STMT_WORDS; i++) p->pub.stmt[i] = 0xC0DE0000u + i;
  assert_int_equal(sm_zc_fill_publics(&p->c, &p->pub), STARKML_OK);
  for (size_t t = 0; t < p->c.n_tables; t++) {
    p->publics[t] = p->c.publics[t];
    p->main[t] = p->c.main[t];
    p->pre[t] = p->c.pre[t];
  }
  p->st.n_tables = p->c.n_tables;
  p->st.tables = p->c.tables;
  p->st.publics = p->publics;
  p->st.pre_root = &p->pre_root;
  p->w.main = p->main;
  p->w.pre = p->pre;
  assert_int_equal(sm_stark_options_preset(&p->o, SM_PRESET_FAST, &p->st, p->zk), STARKML_OK);
  assert_int_equal(sm_stark_setup(p->ctx, &p->pre_root, &p->st, &p->w, &p->o), STARKML_OK);
}

/* Builds the honest circuit of one inference (x: NULL for the model's input.json). */
static void pipe_open(pipe_t *p, const char *dir, const char *onnx, uint32_t input_vis, int zk,
                      const float *x, size_t x_len) {
  memset(p, 0, sizeof *p);
  assert_int_equal(starkml_ctx_create(&p->ctx, 2), STARKML_OK);
  starkml_ctx_set_log(p->ctx, log_line, NULL);
  load_model(&p->q, dir, onnx);
  p->mode.input_vis = input_vis;
  p->zk = zk;
  p->in_numel = p->q.tensors[p->q.input - 1].numel;
  p->out_numel = p->q.tensors[p->q.output - 1].numel;
  float *own = NULL;
  if (x == NULL) x = own = load_input(dir, &x_len);
  assert_int_equal(x_len, p->in_numel);
  p->xq = calloc(p->in_numel, sizeof *p->xq);
  p->vals = calloc(sm_qmodel_n_values(&p->q), sizeof *p->vals);
  p->claimed_out = calloc(p->out_numel, sizeof *p->claimed_out);
  assert_non_null(p->xq);
  assert_non_null(p->vals);
  assert_non_null(p->claimed_out);
  assert_int_equal(sm_qmodel_quantize_input(&p->q, p->xq, x, x_len), STARKML_OK);
  free(own);
  assert_int_equal(sm_qmodel_run(&p->q, p->vals, p->xq), STARKML_OK);
  memcpy(p->claimed_out, p->vals + sm_qmodel_offset(&p->q, p->q.output),
         p->out_numel * sizeof *p->claimed_out);
  char why[256] = "";
  starkml_status s = sm_zc_init(&p->c, why, sizeof why, &p->q, &p->mode);
  if (s != STARKML_OK) fail_msg("sm_zc_init: %s", why);
  assert_int_equal(sm_zc_fill_pre(&p->c), STARKML_OK);
  assert_int_equal(sm_zc_fill_witness(&p->c, &p->pub, p->vals, k_salt_w, k_salt_in), STARKML_OK);
  pipe_statement(p);
}

static void pipe_close(pipe_t *p) {
  for (size_t t = 0; t < SM_ZC_MAX_TABLES; t++) free(p->tam[t]);
  sm_zc_free(&p->c);
  sm_qmodel_free(&p->q);
  free(p->xq);
  free(p->vals);
  free(p->claimed_out);
  starkml_ctx_destroy(p->ctx);
}

static void print_tables(const pipe_t *p) {
  for (size_t t = 0; t < p->c.n_tables; t++)
    fprintf(stderr, "  table %zu %-17s kind %-8s 2^%u rows, %u pre, %u main\n", t,
            p->c.tables[t].name, sm_zc_table_name(p->c.kind[t]), p->c.tables[t].log_n,
            p->c.tables[t].n_pre, p->c.tables[t].n_main);
}

static starkml_status verify(const pipe_t *p, const uint8_t *proof, size_t len,
                             sm_stark_reject *why) {
  return sm_stark_verify(p->ctx, why, &p->st, SM_PRESET_FAST, 0, proof, len);
}

/* The honest proof of the pipeline's statement verifies. */
static int diagnose(const pipe_t *p);

static void honest_ok(pipe_t *p) {
  /* The oracle first: the honest witness breaks nothing. */
  fprintf(stderr, "  honest witness:\n");
  assert_int_equal(diagnose(p), 0);
  double t0 = now_s();
  uint8_t *proof = NULL;
  size_t len = 0;
  uint8_t seed[32] = {42};
  assert_int_equal(sm_stark_prove(p->ctx, &proof, &len, &p->st, &p->w, &p->o, seed), STARKML_OK);
  sm_stark_reject why = SM_REJ_NONE;
  starkml_status v = verify(p, proof, len, &why);
  p->t_honest = now_s() - t0;
  if (v != STARKML_OK)
    fail_msg("the honest proof does not verify: %s (%s)", starkml_strerror(v),
             sm_stark_reject_str(why));
  fprintf(stderr, "  honest proof: %zu bytes, proved and verified in %.2f s: accepted\n", len,
          p->t_honest);
  free(proof);
}

static void hook(void *user, size_t t, gl_t *cols, size_t n) {
  const pipe_t *p = user;
  if (t < p->c.n_tables && p->tam[t] != NULL)
    memcpy(cols, p->tam[t], (size_t)p->c.tables[t].n_main * n * sizeof *cols);
}

/* Starts an attack from the honest witness: tam = copies of every main trace. */
static void tam_begin(pipe_t *p) {
  for (size_t t = 0; t < p->c.n_tables; t++) {
    free(p->tam[t]);
    size_t sz = (size_t)p->c.tables[t].n_main * rows(p, (int)t);
    p->tam[t] = malloc(sz * sizeof(gl_t));
    assert_non_null(p->tam[t]);
    memcpy(p->tam[t], p->c.main[t], sz * sizeof(gl_t));
  }
}

/* Cell (col, row) of table t in the attacker's witness / the honest pre columns. */
static gl_t *T_(pipe_t *p, int t, uint32_t col, size_t row) {
  return &p->tam[t][(size_t)col * rows(p, t) + row];
}
static gl_t H_(const pipe_t *p, int t, uint32_t col, size_t row) {
  return p->c.main[t][(size_t)col * rows(p, t) + row];
}
static gl_t P_(const pipe_t *p, int t, uint32_t col, size_t row) {
  return p->c.pre[t][(size_t)col * rows(p, t) + row];
}

/* Writes the nl byte limbs of v's low 8 nl bits at (first.., row) of table t, moving the
   range table's multiplicities along (counted: the limbs are looked up on that row), so
   that the range bus stays balanced: only the decomposition constraint can break. */
static void put_limbs(pipe_t *p, int t, uint32_t first, unsigned nl, size_t row, gl_t v,
                      int counted) {
  int tr = tidx(p, SM_ZC_T_RANGE);
  assert_true(tr >= 0);
  for (unsigned i = 0; i < nl; i++) {
    gl_t *cell = T_(p, t, first + i, row);
    gl_t nw = (v >> (8 * i)) & 0xFF;
    if (counted) {
      assert_true(*cell < 256);
      gl_t *ro = T_(p, tr, 0, (size_t)*cell), *rn = T_(p, tr, 0, (size_t)nw);
      *ro = gl_sub(*ro, 1);
      *rn = gl_add(*rn, 1);
    }
    *cell = nw;
  }
}

/* What the attacker's witness breaks, found without the STARK (the AIR-level oracle): the
   first violated constraint of every table, and whether the LogUp buses still balance
   (for fixed random challenges). A witness that breaks nothing would be a valid witness of
   a false statement: an unsound AIR, whatever the verifier says. Returns the number of
   broken relations (tables with a violated constraint, plus one for unbalanced buses). */
static int diagnose(const pipe_t *p) {
  int broken = 0;
  gl3_t alpha = {{0x1234567890ABCDEFull % GL_P, 0x0FEDCBA987654321ull, 77}};
  gl3_t beta = {{0x5DEECE66Dull, 0xBB40E64DA205B064ull % GL_P, 0x2545F4914F6CDD1Dull}};
  gl3_t total = gl3_from_base(0);
  for (size_t t = 0; t < p->c.n_tables; t++) {
    const sm_air_table *tb = &p->c.tables[t];
    const gl_t *main = p->tam[t] != NULL ? p->tam[t] : p->c.main[t];
    size_t row = 0, con = 0;
    gl3_t chal[SM_AIR_N_CHALLENGES];
    memset(chal, 0, sizeof chal);
    starkml_status s = sm_air_check_trace(tb, 0, &row, &con, tb->n_pre ? p->c.pre[t] : NULL, main,
                                          NULL, p->c.publics[t], chal);
    if (s == STARKML_REJECT) {
      fprintf(stderr, "    table %s: constraint %zu fails at row %zu\n", tb->name, con, row);
      broken++;
    } else {
      assert_int_equal(s, STARKML_OK);
    }
    if (tb->n_interactions == 0) continue;
    size_t n = (size_t)1 << tb->log_n;
    gl3_t *aux = calloc((size_t)sm_air_logup_n_aux(tb) * n, sizeof *aux), claimed;
    assert_non_null(aux);
    assert_int_equal(sm_air_logup_aux_trace(tb, aux, &claimed, tb->n_pre ? p->c.pre[t] : NULL, main,
                                            p->c.publics[t], alpha, beta),
                     STARKML_OK);
    total = gl3_add(total, claimed);
    free(aux);
  }
  int balanced = gl3_eq(total, gl3_from_base(0));
  fprintf(stderr, "    buses: %s\n", balanced ? "balanced" : "NOT balanced");
  return broken + !balanced;
}

/* Proves the attacker's witness against the pipeline's statement; the verifier must say
   REJECT. Returns the reason. */
static sm_stark_reject expect_reject(pipe_t *p, const char *what) {
  fprintf(stderr, "  attack: %s\n", what);
  int broken = diagnose(p);
  if (broken == 0)
    fprintf(stderr, "  SOUNDNESS: the attacker's witness satisfies every constraint and bus: "
                    "the AIR accepts a false statement\n");
  double t0 = now_s();
  uint8_t *proof = NULL;
  size_t len = 0;
  uint8_t seed[32] = {43};
  starkml_status s =
      sm_stark_prove_tampered(p->ctx, &proof, &len, &p->st, &p->w, &p->o, seed, hook, p);
  assert_int_equal(s, STARKML_OK);
  sm_stark_reject why = SM_REJ_NONE;
  starkml_status v = verify(p, proof, len, &why);
  fprintf(stderr, "  verifier: %s (%s); tampered proof made and checked in %.2f s\n",
          starkml_strerror(v), sm_stark_reject_str(why), now_s() - t0);
  free(proof);
  if (v != STARKML_REJECT)
    fail_msg("SOUNDNESS: the tampered proof (%s) was not rejected: %s", what, starkml_strerror(v));
  /* Rejected for a reason the witness gives (not by chance): it breaks something. */
  assert_true(broken > 0);
  return why;
}

/* The attacker's witness from a modified model m2: run it on the same input, fill a circuit
   of the same shape, take its main columns. Returns the attacker's inference (caller frees). */
static int64_t *tam_from_model(pipe_t *p, const sm_qmodel *m2) {
  int64_t *v2 = calloc(sm_qmodel_n_values(m2), sizeof *v2);
  assert_non_null(v2);
  assert_int_equal(sm_qmodel_run(m2, v2, p->xq), STARKML_OK);
  sm_zc_circuit c2;
  char why[256] = "";
  starkml_status s = sm_zc_init(&c2, why, sizeof why, m2, &p->mode);
  if (s != STARKML_OK) fail_msg("attacker's circuit: %s", why);
  assert_int_equal(c2.n_tables, p->c.n_tables);
  sm_zc_publics pub2;
  memset(&pub2, 0, sizeof pub2);
  assert_int_equal(sm_zc_fill_witness(&c2, &pub2, v2, k_salt_w, k_salt_in), STARKML_OK);
  for (size_t t = 0; t < p->c.n_tables; t++) {
    assert_int_equal(c2.kind[t], p->c.kind[t]);
    assert_int_equal(c2.tables[t].log_n, p->c.tables[t].log_n);
    assert_int_equal(c2.tables[t].n_main, p->c.tables[t].n_main);
    size_t sz = (size_t)p->c.tables[t].n_main * rows(p, (int)t);
    free(p->tam[t]);
    p->tam[t] = malloc(sz * sizeof(gl_t));
    assert_non_null(p->tam[t]);
    memcpy(p->tam[t], c2.main[t], sz * sizeof(gl_t));
  }
  sm_zc_free(&c2);
  return v2;
}

/* The statement now claims the attacker's output. */
static void claim_output(pipe_t *p, const sm_qmodel *m2, const int64_t *v2) {
  const int64_t *y = v2 + sm_qmodel_offset(m2, m2->output);
  int diff = 0;
  for (uint32_t j = 0; j < p->out_numel; j++) diff += y[j] != p->claimed_out[j];
  memcpy(p->claimed_out, y, p->out_numel * sizeof *y);
  pipe_statement(p);
  fprintf(stderr, "  the attacker claims an output that differs in %d of %u values\n", diff,
          p->out_numel);
}

/* ---- Requant rows ---------------------------------------------------------------------- */

typedef struct {
  size_t row;
  int64_t a, q, r, y, M, H, P, lo, hi;
  int cl, ch;
} rq_row;

static rq_row rq_read(const pipe_t *p, int t, size_t row) {
  rq_row x;
  x.row = row;
  x.a = sv(H_(p, t, RQ_A, row)), x.q = sv(H_(p, t, RQ_Q, row)), x.r = sv(H_(p, t, RQ_R, row));
  x.y = sv(H_(p, t, RQ_Y, row));
  x.cl = (int)H_(p, t, RQ_CL, row), x.ch = (int)H_(p, t, RQ_CH, row);
  x.M = sv(P_(p, t, RQ_P_M, row)), x.H = sv(P_(p, t, RQ_P_H, row)), x.P = sv(P_(p, t, RQ_P_P, row));
  x.lo = sv(P_(p, t, RQ_P_LO, row)), x.hi = sv(P_(p, t, RQ_P_HI, row));
  /* The layout is what this file assumes: the honest row satisfies the gadget. */
  assert_true(x.a * x.M + x.H == x.q * x.P + x.r);
  assert_true(x.r >= 0 && x.r < x.P);
  assert_true(x.y == (x.q < x.lo ? x.lo : x.q > x.hi ? x.hi : x.q));
  assert_int_equal(x.cl, x.q < x.lo);
  assert_int_equal(x.ch, x.q > x.hi);
  return x;
}

/* An active requant row with shift >= 1 whose quotient is strictly below the lower clamp
   (ReLU folded in: lo = 0), so that q may move by one without changing y. */
static rq_row rq_find_clamped_low(const pipe_t *p, int t, int need_mac_input) {
  const sm_qmodel *m = &p->q;
  for (size_t row = 0; row < rows(p, t); row++) {
    if (P_(p, t, RQ_P_ACT, row) != 1) continue;
    rq_row x = rq_read(p, t, row);
    if (x.P < 2 || !x.cl || x.q >= x.lo - 1 || x.lo != 0) continue;
    if (need_mac_input) {
      uint64_t key = P_(p, t, RQ_P_IN, row);
      if (m->tensors[SM_QKEY_TENSOR(key) - 1].kind != SM_QT_ACC) continue;
    }
    return x;
  }
  fail_msg("no requant row clamped at lo = 0 with q < lo - 1");
  rq_row none;
  memset(&none, 0, sizeof none);
  return none;
}

/* Rewrites every witness cell of a requant row from (a, q, r, y, cl, ch) (limbs recomputed,
   range multiplicities kept in step; a value the limbs cannot hold keeps its low bytes). */
static void rq_write(pipe_t *p, int t, const rq_row *x) {
  size_t row = x->row;
  *T_(p, t, RQ_A, row) = fe(x->a);
  *T_(p, t, RQ_Q, row) = fe(x->q);
  *T_(p, t, RQ_R, row) = fe(x->r);
  *T_(p, t, RQ_Y, row) = fe(x->y);
  *T_(p, t, RQ_CL, row) = (gl_t)x->cl;
  *T_(p, t, RQ_CH, row) = (gl_t)x->ch;
  int64_t g = x->cl ? x->lo - x->q : x->ch ? x->q - x->hi : 0;
  put_limbs(p, t, RQ_RL, 4, row, fe(x->r), 1);
  put_limbs(p, t, RQ_SL, 4, row, fe(x->P - 1 - x->r), 1);
  put_limbs(p, t, RQ_GL, 4, row, fe(g), 1);
  put_limbs(p, t, RQ_E1, 2, row, fe(x->y - x->lo), 1);
  put_limbs(p, t, RQ_E2, 2, row, fe(x->hi - x->y), 1);
}

/* ---- 1. requant remainder >= divisor ------------------------------------------------- */

static void requant_remainder_ge_divisor(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "cnn_digits", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  print_tables(&p);
  honest_ok(&p);
  int t = tidx(&p, SM_ZC_T_REQUANT);
  assert_true(t >= 0);
  assert_int_equal(p.c.tables[t].n_main, RQ_N_MAIN);
  rq_row x = rq_find_clamped_low(&p, t, 0);
  fprintf(stderr, "  row %zu: a %lld, q %lld, r %lld, 2^s %lld, y %lld (clamped at %lld)\n", x.row,
          (long long)x.a, (long long)x.q, (long long)x.r, (long long)x.P, (long long)x.y,
          (long long)x.lo);
  tam_begin(&p);
  rq_row b = x;
  b.r = x.r + x.P; /* a M + H = (q - 1) 2^s + (r + 2^s): the main equation holds */
  b.q = x.q - 1;
  rq_write(&p, t, &b);
  assert_true(b.a * b.M + b.H == b.q * b.P + b.r);
  expect_reject(&p, "remainder r + 2^s, quotient q - 1");
  pipe_close(&p);
}

/* ---- 2. requant remainder wrapped by p ------------------------------------------------ */

static void requant_remainder_wrapped(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "cnn_digits", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  honest_ok(&p);
  int t = tidx(&p, SM_ZC_T_REQUANT);
  rq_row x = rq_find_clamped_low(&p, t, 0);
  tam_begin(&p);
  rq_row b = x;
  b.r = x.r - x.P; /* p - (2^s - r) in the field */
  b.q = x.q + 1;
  rq_write(&p, t, &b);
  /* In the field: a M + H = q' 2^s + r'. */
  gl_t lhs = gl_add(gl_mul(fe(b.a), fe(b.M)), fe(b.H));
  gl_t rhs = gl_add(gl_mul(fe(b.q), fe(b.P)), fe(b.r));
  assert_true(lhs == rhs);
  fprintf(stderr, "  row %zu: r' = p - %lld, q' = q + 1\n", x.row, (long long)(x.P - x.r));
  expect_reject(&p, "remainder r - 2^s (wrapped), quotient q + 1");
  pipe_close(&p);
}

/* ---- 3. a negative ReLU output --------------------------------------------------------- */

static void requant_relu_negative(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "cnn_digits", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  honest_ok(&p);
  int t = tidx(&p, SM_ZC_T_REQUANT);
  rq_row x = rq_find_clamped_low(&p, t, 0);
  uint64_t out_key = P_(&p, t, RQ_P_OUT, x.row);
  /* The attacker's model: this one requant clamps at -1 instead of 0. Everything the
     value feeds is recomputed with y = -1. */
  sm_qmodel m2;
  clone_model(&m2, &p.q);
  uint32_t k;
  for (k = 0; k < m2.n_ops; k++)
    if (m2.ops[k].kind == SM_QOP_REQUANT && m2.ops[k].out == out_key) break;
  assert_true(k < m2.n_ops);
  assert_int_equal(m2.ops[k].lo, 0);
  m2.ops[k].lo = -1;
  m2.tensors[SM_QKEY_TENSOR(out_key) - 1].lo = -1;
  int64_t *v2 = tam_from_model(&p, &m2);
  assert_int_equal(sm_qmodel_value(&m2, v2, out_key), -1);
  assert_int_equal(sv(*T_(&p, t, RQ_Y, x.row)), -1);
  fprintf(stderr, "  requant row %zu (ReLU, q = %lld) now outputs -1 to its %llu readers\n", x.row,
          (long long)x.q, (unsigned long long)P_(&p, t, RQ_P_OMULT, x.row));
  claim_output(&p, &m2, v2);
  expect_reject(&p, "ReLU output -1");
  free(v2);
  sm_qmodel_free(&m2);
  pipe_close(&p);
}

/* ---- 4. an activation value outside its table ------------------------------------------ */

static void act_value_not_in_lut(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "logreg_cancer", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  print_tables(&p);
  honest_ok(&p);
  int t = tidx(&p, SM_ZC_T_ACT);
  assert_true(t >= 0);
  /* The sigmoid's lookup: change the table entry it reads in the attacker's model, so that
     the act row and every reader of its output see y', which the public table lacks. */
  size_t row = 0;
  assert_true(P_(&p, t, AC_P_ACT, row) == 1);
  uint32_t fn = (uint32_t)P_(&p, t, AC_P_FN, row);
  int64_t xin = sv(H_(&p, t, AC_X, row)), y = sv(H_(&p, t, AC_Y, row));
  sm_qmodel m2;
  clone_model(&m2, &p.q);
  sm_qlut *l = &m2.luts[fn];
  int64_t idx = xin - l->in_lo;
  assert_true(idx >= 0 && idx < (int64_t)l->n);
  assert_int_equal(l->out[idx], y);
  uint64_t out_key = P_(&p, t, AC_P_OUT, row);
  const sm_qtensor *to = &m2.tensors[SM_QKEY_TENSOR(out_key) - 1];
  int64_t y2 = y + 1 <= to->hi ? y + 1 : y - 1;
  l->out[idx] = y2;
  int64_t *v2 = tam_from_model(&p, &m2);
  assert_int_equal(sv(*T_(&p, t, AC_Y, row)), y2);
  fprintf(stderr, "  act row %zu: table %u at x = %lld gives %lld; the attacker uses %lld\n", row,
          fn, (long long)xin, (long long)y, (long long)y2);
  claim_output(&p, &m2, v2);
  expect_reject(&p, "activation value outside its table");
  free(v2);
  sm_qmodel_free(&m2);
  pipe_close(&p);
}

/* ---- 5. a wrong lookup multiplicity ---------------------------------------------------- */

static void lookup_multiplicity_off_by_one(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "logreg_cancer", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  honest_ok(&p);
  int tl = tidx(&p, SM_ZC_T_LUT), tr = tidx(&p, SM_ZC_T_RANGE);
  assert_true(tl >= 0 && tr >= 0);
  /* The lut table: the entry the sigmoid actually reads, counted once more. */
  size_t used = 0;
  while (used < rows(&p, tl) && H_(&p, tl, 0, used) == 0) used++;
  assert_true(used < rows(&p, tl));
  tam_begin(&p);
  *T_(&p, tl, 0, used) = gl_add(*T_(&p, tl, 0, used), 1);
  expect_reject(&p, "lut multiplicity + 1");
  /* The range table: limb 0 counted once more. */
  tam_begin(&p);
  *T_(&p, tr, 0, 0) = gl_add(*T_(&p, tr, 0, 0), 1);
  sm_stark_reject why = expect_reject(&p, "range8 multiplicity + 1");
  assert_int_equal(why, SM_REJ_LOGUP_SUM);
  pipe_close(&p);
}

/* ---- 6. an accumulator off by 2^40 ----------------------------------------------------- */

static void mac_accumulator_wrapped(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "cnn_digits", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  honest_ok(&p);
  int tm = tidx(&p, SM_ZC_T_MAC), t = tidx(&p, SM_ZC_T_REQUANT);
  assert_true(tm >= 0 && t >= 0);
  assert_int_equal(p.c.tables[tm].n_main, MAC_N_MAIN);
  rq_row x = rq_find_clamped_low(&p, t, 1);
  uint64_t key = P_(&p, t, RQ_P_IN, x.row);
  size_t mrow = 0;
  while (mrow < rows(&p, tm) && P_(&p, tm, MAC_P_OKEY, mrow) != key) mrow++;
  assert_true(mrow < rows(&p, tm));
  assert_int_equal(sv(H_(&p, tm, MAC_ACC, mrow)), x.a);
  /* acc - 2^40 = acc + (p - 2^40): the requant reads the same (wrapped) value, and its row
     is rewritten consistently: still clamped at lo, y unchanged. The largest offset that
     keeps the requant row itself valid (clamp gap < 2^32) is used. */
  int64_t off = 0;
  int e;
  rq_row b = x;
  for (e = 40; e >= 20; e--) {
    off = -((int64_t)1 << e);
    /* |a'| M < 2^(e+1) M <= 2^62: no int64 overflow below */
    if (x.a >= ((int64_t)1 << e) || x.a <= -((int64_t)1 << e) || x.M > ((int64_t)1 << 61) >> e)
      continue;
    b = x;
    b.a = x.a + off;
    int64_t T = b.a * b.M + b.H;
    b.q = T >= 0 ? T / b.P : -((-T + b.P - 1) / b.P);
    b.r = T - b.q * b.P;
    if (b.lo - b.q < ((int64_t)1 << 32)) break;
  }
  assert_true(e >= 20 && b.r >= 0 && b.r < b.P && b.q < b.lo);
  fprintf(stderr, "  mac row %zu (last of the dot product read by requant row %zu): acc %lld -> "
                  "acc - 2^%d\n", mrow, x.row, (long long)x.a, e);
  tam_begin(&p);
  *T_(&p, tm, MAC_ACC, mrow) = gl_add(*T_(&p, tm, MAC_ACC, mrow), fe(off));
  rq_write(&p, t, &b);
  expect_reject(&p, "accumulator + (p - 2^k) on the emitting row");
  pipe_close(&p);
}

/* ---- 7. one altered weight ------------------------------------------------------------- */

static void weight_altered(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "logreg_cancer", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  honest_ok(&p);
  int tw = tidx(&p, SM_ZC_T_WEIGHTS);
  assert_true(tw >= 0 && p.c.has_sponge_w);
  assert_int_equal(p.c.tables[tw].n_main, SM_SPONGE_N_MAIN);
  /* (a) One absorbed value in the sponge, nothing else: the first slot that sends a weight
     to readers (multiplicity > 0; the salt's is 0), lane 3 of its block. */
  tam_begin(&p);
  size_t row = 0;
  while (row < rows(&p, tw) && P_(&p, tw, SM_SPONGE_PRE_MULT + 3, row) == 0) row++;
  assert_true(row < rows(&p, tw));
  gl_t *a = T_(&p, tw, SM_SPONGE_MAIN_A + 3, row);
  fprintf(stderr, "  sponge row %zu, lane 3: absorbed %lld -> %lld\n", row, (long long)sv(*a),
          (long long)sv(*a) + 1);
  *a = gl_add(*a, 1);
  expect_reject(&p, "one absorbed weight + 1 (sponge only)");
  /* (b) The attacker's model: that weight + 1 everywhere (sponge recomputed with the same
     salt, every product that reads it, the output), against the vk's digest. */
  sm_qmodel m2;
  clone_model(&m2, &p.q);
  uint32_t wi = 0, widx = 0;
  size_t count = 0, want = 7; /* the 8th weight */
  for (uint32_t i = 0; i < m2.n_tensors && !wi; i++) {
    if (m2.tensors[i].kind != SM_QT_WEIGHT) continue;
    if (count + m2.tensors[i].numel > want) wi = i + 1, widx = (uint32_t)(want - count);
    else count += m2.tensors[i].numel;
  }
  assert_true(wi > 0);
  int64_t *w = &m2.weights[wi - 1][widx];
  *w = *w + 1 <= m2.tensors[wi - 1].hi ? *w + 1 : *w - 1;
  int64_t *v2 = tam_from_model(&p, &m2);
  claim_output(&p, &m2, v2);
  expect_reject(&p, "one weight changed everywhere (digest of other weights)");
  free(v2);
  sm_qmodel_free(&m2);
  pipe_close(&p);
}

/* ---- 8. one altered input value -------------------------------------------------------- */

static void input_altered(void **state) {
  (void)state;
  size_t xl = 0;
  float *xa = load_input("logreg_cancer", &xl);
  /* (a) Private input: one value of the input table + 1. */
  {
    pipe_t p;
    pipe_open(&p, "logreg_cancer", "model.onnx", SM_VIS_PRIVATE, 1, xa, xl);
    honest_ok(&p);
    int ti = tidx(&p, SM_ZC_T_INPUT);
    assert_true(ti >= 0);
    assert_int_equal(p.c.tables[ti].n_main, 1);
    tam_begin(&p);
    size_t j = 20;
    assert_int_equal(sv(H_(&p, ti, 0, j)), p.xq[j]);
    *T_(&p, ti, 0, j) = gl_add(*T_(&p, ti, 0, j), 1);
    expect_reject(&p, "private input value + 1");
    pipe_close(&p);
  }
  /* (b) Public input: input B differs from A in one quantized value. */
  pipe_t pa, pb;
  pipe_open(&pa, "logreg_cancer", "model.onnx", SM_VIS_PUBLIC, 1, xa, xl);
  honest_ok(&pa);
  float *xb = malloc(xl * sizeof *xb);
  assert_non_null(xb);
  memcpy(xb, xa, xl * sizeof *xb);
  const sm_qtensor *tin = &pa.q.tensors[pa.q.input - 1];
  size_t j = 0;
  while (j < xl && pa.xq[j] >= tin->hi - 2) j++;
  assert_true(j < xl);
  xb[j] = (float)((double)(pa.xq[j] + 2) * tin->scale);
  pipe_open(&pb, "logreg_cancer", "model.onnx", SM_VIS_PUBLIC, 1, xb, xl);
  assert_true(pb.xq[j] != pa.xq[j]);
  uint8_t *proof = NULL;
  size_t len = 0;
  uint8_t seed[32] = {9};
  assert_int_equal(sm_stark_prove(pa.ctx, &proof, &len, &pa.st, &pa.w, &pa.o, seed), STARKML_OK);
  sm_stark_reject why = SM_REJ_NONE;
  starkml_status v = verify(&pb, proof, len, &why);
  fprintf(stderr, "  proof for input A against (input B, output B): %s (%s)\n",
          starkml_strerror(v), sm_stark_reject_str(why));
  if (v != STARKML_REJECT) fail_msg("SOUNDNESS: a proof for input A verified for input B");
  /* Input B with A's output. */
  memcpy(pb.claimed_out, pa.claimed_out, pa.out_numel * sizeof *pa.claimed_out);
  pipe_statement(&pb);
  v = verify(&pb, proof, len, &why);
  fprintf(stderr, "  proof for input A against (input B, output A): %s (%s)\n",
          starkml_strerror(v), sm_stark_reject_str(why));
  if (v != STARKML_REJECT) fail_msg("SOUNDNESS: a proof for input A verified for input B");
  free(proof);
  /* (c) A prover holding A's witness claims input B. */
  tam_begin(&pb);
  for (size_t t = 0; t < pb.c.n_tables; t++)
    memcpy(pb.tam[t], pa.c.main[t], (size_t)pb.c.tables[t].n_main * rows(&pb, (int)t) * sizeof(gl_t));
  expect_reject(&pb, "witness of input A, statement of input B");
  pipe_close(&pa);
  pipe_close(&pb);
  free(xa);
  free(xb);
}

/* ---- 9. a Poseidon2 round value ---------------------------------------------------------- */

static void sponge_round_value(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "logreg_cancer", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  honest_ok(&p);
  int tw = tidx(&p, SM_ZC_T_WEIGHTS);
  assert_true(tw >= 0 && p.c.has_sponge_w);
  assert_int_equal(p.c.tables[tw].n_main, SM_SPONGE_N_MAIN);
  /* The second permutation (row 1 of air/sponge.h's one-row-per-permutation layout). */
  const size_t row = 1;
  assert_true(P_(&p, tw, SM_SPONGE_PRE_ACTIVE, row) == 1);
  /* (a) The state after full round 3 (the partial rounds' input), lane 5. */
  tam_begin(&p);
  gl_t *x = T_(&p, tw, SM_SPONGE_COL_FX(3, 5), row);
  *x = gl_add(*x, 1);
  expect_reject(&p, "Poseidon2 state after full round 3, lane 5, + 1");
  /* (b) The S-box output of partial round 10 and its cube, both + 1. */
  tam_begin(&p);
  *T_(&p, tw, SM_SPONGE_MAIN_PC + 10, row) = gl_add(*T_(&p, tw, SM_SPONGE_MAIN_PC + 10, row), 1);
  *T_(&p, tw, SM_SPONGE_MAIN_PZ + 10, row) = gl_add(*T_(&p, tw, SM_SPONGE_MAIN_PZ + 10, row), 1);
  expect_reject(&p, "Poseidon2 partial round 10 (cube and S-box output) + 1");
  pipe_close(&p);
}

/* ---- 10. max: a non-maximal lane selected --------------------------------------------- */

static void max_selects_smaller_lane(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "cnn_digits", "model.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  print_tables(&p);
  honest_ok(&p);
  int t = tidx(&p, SM_ZC_T_MAX);
  assert_true(t >= 0);
  const uint32_t K = p.c.max_window;
  assert_int_equal(p.c.tables[t].n_main, MX_LANE0 + 4 * K);
  /* A window whose smallest lane is strictly below its max. */
  size_t row = 0;
  uint32_t jmin = 0;
  int64_t y = 0, xmin = 0;
  for (row = 0; row < rows(&p, t); row++) {
    if (P_(&p, t, MX_P_ACT, row) != 1) continue;
    y = sv(H_(&p, t, MX_Y, row));
    xmin = y;
    for (uint32_t j = 0; j < K; j++) {
      if (P_(&p, t, MX_P_LANE0 + 2 * j + 1, row) != 1) continue;
      int64_t xj = sv(H_(&p, t, MX_LANE0 + 4 * j, row));
      assert_true(xj <= y);
      if (xj < xmin) xmin = xj, jmin = j;
    }
    if (xmin < y) break;
  }
  assert_true(row < rows(&p, t));
  uint64_t out_key = P_(&p, t, MX_P_OUT, row), kmin = P_(&p, t, MX_P_LANE0 + 2 * jmin, row);
  /* The attacker's model: every key of this window replaced by the smallest lane's, so that
     the output and everything downstream is recomputed with y' = x_min. */
  sm_qmodel m2;
  clone_model(&m2, &p.q);
  uint32_t k;
  for (k = 0; k < m2.n_ops; k++)
    if (m2.ops[k].kind == SM_QOP_MAX && m2.ops[k].out == out_key) break;
  assert_true(k < m2.n_ops);
  for (uint32_t j = 0; j < m2.ops[k].n; j++) m2.keys[m2.ops[k].first + j] = kmin;
  int64_t *v2 = tam_from_model(&p, &m2);
  assert_int_equal(sm_qmodel_value(&m2, v2, out_key), xmin);
  /* ... then the row itself with the honest lane values, lane jmin selected. */
  for (uint32_t j = 0; j < K; j++) {
    int act = P_(&p, t, MX_P_LANE0 + 2 * j + 1, row) == 1;
    gl_t xj = H_(&p, t, MX_LANE0 + 4 * j, row);
    *T_(&p, t, MX_LANE0 + 4 * j, row) = xj;
    *T_(&p, t, MX_LANE0 + 4 * j + 1, row) = (gl_t)(act && j == jmin);
    if (act) put_limbs(&p, t, MX_LANE0 + 4 * j + 2, 2, row, gl_sub(fe(xmin), xj), 1);
  }
  assert_int_equal(sv(*T_(&p, t, MX_Y, row)), xmin);
  fprintf(stderr, "  max row %zu: max %lld, the attacker selects lane %u = %lld\n", row,
          (long long)y, jmin, (long long)xmin);
  claim_output(&p, &m2, v2);
  expect_reject(&p, "max selects a smaller lane");
  free(v2);
  sm_qmodel_free(&m2);
  pipe_close(&p);
}

/* ---- 11. div: y + 1 with a negative remainder ----------------------------------------- */

static void div_quotient_plus_one(void **state) {
  (void)state;
  pipe_t p;
  pipe_open(&p, "mlp_digits", "model_softmax.onnx", SM_VIS_PUBLIC, 1, NULL, 0);
  print_tables(&p);
  honest_ok(&p);
  int t = tidx(&p, SM_ZC_T_DIV), to = tidx(&p, SM_ZC_T_OUTPUT);
  assert_true(t >= 0 && to >= 0);
  assert_int_equal(p.c.tables[t].n_main, DV_N_MAIN);
  /* The division with the largest quotient (the predicted class's probability). */
  size_t row = 0;
  for (size_t i = 0; i < rows(&p, t); i++)
    if (P_(&p, t, DV_P_ACT, i) == 1 && sv(H_(&p, t, DV_Y, i)) > sv(H_(&p, t, DV_Y, row))) row = i;
  assert_true(P_(&p, t, DV_P_ACT, row) == 1);
  int64_t e = sv(H_(&p, t, DV_E, row)), s = sv(H_(&p, t, DV_S, row));
  int64_t y = sv(H_(&p, t, DV_Y, row)), r = sv(H_(&p, t, DV_R, row));
  int64_t p2 = sv(P_(&p, t, DV_P_P2, row));
  assert_true(e * p2 == y * s + r && r >= 0 && r < s);
  tam_begin(&p);
  int64_t y2 = y + 1, r2 = r - s; /* e 2^k = (y + 1) s + (r - s) */
  *T_(&p, t, DV_Y, row) = fe(y2);
  *T_(&p, t, DV_R, row) = fe(r2);
  put_limbs(&p, t, DV_RL, 4, row, fe(r2), 1);
  put_limbs(&p, t, DV_TL, 4, row, fe(s - 1 - r2), 1);
  put_limbs(&p, t, DV_YL, 2, row, fe(y2), 1);
  assert_true(gl_mul(fe(e), fe(p2)) == gl_add(gl_mul(fe(y2), fe(s)), fe(r2)));
  /* The output is the division's result: the output table reads y + 1 and the statement
     claims it. */
  uint64_t out_key = P_(&p, t, DV_P_OUT, row);
  if (SM_QKEY_TENSOR(out_key) == p.q.output) {
    uint32_t j = SM_QKEY_INDEX(out_key);
    *T_(&p, to, 1 + j, 0) = fe(y2);
    p.claimed_out[j] = y2;
    pipe_statement(&p);
    fprintf(stderr, "  div row %zu: y %lld -> %lld (output %u), r %lld -> %lld\n", row,
            (long long)y, (long long)y2, j, (long long)r, (long long)r2);
  } else {
    fprintf(stderr, "  div row %zu: y %lld -> %lld (an internal value), r -> %lld\n", row,
            (long long)y, (long long)y2, (long long)r2);
  }
  expect_reject(&p, "softmax division y + 1, r - S");
  pipe_close(&p);
}

/* ---- 12. zero knowledge across proofs -------------------------------------------------- */

/* The opened main rows of table `tab` in every query of a proof: n_queries x width values
   (width = the committed main columns). Parses the proof with the verifier's layout
   (docs/stark-protocol.md section 7, fri/stark_verify.c). Returns the number of rows. */
static size_t opened_main_rows(const pipe_t *p, const uint8_t *proof, size_t len,
                               const sm_stark_options *o, size_t tab, gl_t **out, size_t *width) {
  const size_t T = p->st.n_tables;
  sm_tinfo *ti = calloc(T, sizeof *ti);
  assert_non_null(ti);
  unsigned lbm = 0;
  assert_int_equal(sm_tinfo_derive(ti, &lbm, &p->st, o, NULL, 0), STARKML_OK);
  sm_fri_params fp;
  sm_stark_fri_params(&fp, o, ti, T, 1);
  unsigned sizes[SM_STARK_MAX_TABLES];
  for (size_t t = 0; t < T; t++) sizes[t] = ti[t].log_big;
  sm_fri_schedule sched;
  assert_int_equal(sm_fri_schedule_compute(&sched, &fp, sizes, T), STARKML_OK);
  sm_reader r, sec;
  sm_r_init(&r, proof, len);
  uint8_t magic[4];
  uint32_t ver = 0, tag = 0, sl = 0;
  sm_r_bytes(&r, magic, 4);
  sm_r_u32(&r, &ver);
  for (;;) {
    assert_int_equal(sm_r_u32(&r, &tag), STARKML_OK);
    assert_int_equal(sm_r_u32(&r, &sl), STARKML_OK);
    assert_true(sl <= sm_r_remaining(&r));
    if (tag == SM_SEC_QUERIES) break;
    r.pos += sl;
  }
  sm_r_init(&sec, r.p + r.pos, sl);
  uint32_t nq = 0;
  sm_r_u32(&sec, &nq);
  assert_int_equal(nq, o->n_queries);
  *width = ti[tab].n_main;
  *out = calloc((size_t)nq * *width, sizeof **out);
  assert_non_null(*out);
  for (uint32_t q = 0; q < nq; q++) {
    for (size_t t = 0; t < T; t++) {
      const sm_tinfo *x = &ti[t];
      size_t widths[4] = {x->user->n_pre, x->n_main, 3 * (size_t)x->n_aux, x->n_quot_cols};
      int salted[4] = {0, (int)o->zk, (int)o->zk, (int)o->zk};
      for (int k = 0; k < 4; k++) {
        if (widths[k] == 0) continue;
        gl_t *vals = calloc(widths[k], sizeof *vals);
        assert_non_null(vals);
        assert_int_equal(sm_r_gl_array(&sec, vals, widths[k]), STARKML_OK);
        if (k == 1 && t == tab) memcpy(*out + (size_t)q * *width, vals, widths[k] * sizeof *vals);
        free(vals);
        uint8_t skip[SM_DIGEST_LEN];
        if (salted[k]) sm_r_bytes(&sec, skip, SM_STARK_SALT_LEN);
        assert_int_equal(sec.err, STARKML_OK);
      }
    }
    for (int g = 0; g < SM_N_STAGES; g++) { /* one path per stage tree */
      unsigned L, cap;
      if (!sm_stage_shape(ti, T, g, o->n_queries, &L, &cap)) continue;
      uint32_t depth = 0;
      uint8_t skip[SM_DIGEST_LEN];
      sm_r_u32(&sec, &depth);
      assert_int_equal(depth, L - cap);
      for (uint32_t l = 0; l < depth; l++) sm_r_bytes(&sec, skip, SM_DIGEST_LEN);
      assert_int_equal(sec.err, STARKML_OK);
    }
    sm_fri_query_proof fq;
    assert_int_equal(sm_fri_read_query_proof(&fq, &sec, &sched), STARKML_OK);
    sm_fri_query_proof_free(&fq);
  }
  assert_int_equal(sm_r_finish(&sec), STARKML_OK);
  sm_tinfo_free(ti, T);
  free(ti);
  return nq;
}

/* The plain (unrandomized) low-degree extension of main column col of table tab on the
   LDE domain these options give it: what a proof without zero knowledge opens. */
static gl_t *plain_lde(const pipe_t *p, const sm_stark_options *o, size_t tab, uint32_t col,
                       size_t *big) {
  const size_t T = p->st.n_tables;
  sm_tinfo *ti = calloc(T, sizeof *ti);
  assert_non_null(ti);
  unsigned lbm = 0;
  assert_int_equal(sm_tinfo_derive(ti, &lbm, &p->st, o, NULL, 0), STARKML_OK);
  const sm_tinfo *x = &ti[tab];
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, x->log_big, 1), STARKML_OK);
  gl_t *coef = calloc(x->n, sizeof *coef), *lde = calloc(x->big, sizeof *lde);
  assert_non_null(coef);
  assert_non_null(lde);
  memcpy(coef, p->c.main[tab] + (size_t)col * x->n, x->n * sizeof *coef);
  assert_int_equal(sm_ntt_inverse(plan, coef, 1, x->n, x->log_n, SM_ORDER_NATURAL, SM_ORDER_NATURAL),
                   STARKML_OK);
  assert_int_equal(sm_coset_eval(plan, lde, x->big, coef, x->n, x->n, 1, x->log_big, x->shift),
                   STARKML_OK);
  *big = x->big;
  sm_ntt_plan_free(plan);
  free(coef);
  sm_tinfo_free(ti, T);
  free(ti);
  return lde;
}

static int cmp_gl(const void *a, const void *b) {
  gl_t x = *(const gl_t *)a, y = *(const gl_t *)b;
  return x < y ? -1 : x > y;
}

static int in_sorted(const gl_t *v, size_t n, gl_t key) {
  return bsearch(&key, v, n, sizeof key, cmp_gl) != NULL;
}

static float *test_input(const char *dir, size_t i, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, MODELS "%s/reference.json", dir);
  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  if (root == NULL) fail_msg("%s: %s", path, err.text);
  json_t *row = json_array_get(json_object_get(root, "test_inputs"), i);
  assert_non_null(row);
  *len = json_array_size(row);
  float *x = calloc(*len, sizeof *x);
  assert_non_null(x);
  for (size_t k = 0; k < *len; k++) x[k] = (float)json_number_value(json_array_get(row, k));
  json_decref(root);
  return x;
}

#define ZK_PROOFS 8
#define NOZK_PROOFS 2

/* Plain LDEs of the absorbed-value columns A (SM_P2_RATE columns of big values each). */
static gl_t *plain_lde_a(const pipe_t *p, const sm_stark_options *o, size_t tab, size_t *big) {
  gl_t *all = NULL;
  for (uint32_t c = 0; c < SM_P2_RATE; c++) {
    gl_t *l = plain_lde(p, o, tab, SM_SPONGE_MAIN_A + c, big);
    if (all == NULL) all = calloc((size_t)SM_P2_RATE * *big, sizeof *all);
    assert_non_null(all);
    memcpy(all + (size_t)c * *big, l, *big * sizeof *l);
    free(l);
  }
  return all;
}

/* Where a no-zk opening of the A columns sits in their plain LDE: the position whose
   SM_P2_RATE values all match (SIZE_MAX: none). */
static size_t lde_position(const gl_t *lde, size_t big, const gl_t *vals) {
  for (size_t i = 0; i < big; i++) {
    uint32_t c = 0;
    while (c < SM_P2_RATE && lde[(size_t)c * big + i] == vals[c]) c++;
    if (c == SM_P2_RATE) return i;
  }
  return SIZE_MAX;
}

/*
 * Zero knowledge across proofs, on the query openings of the weights table (private
 * weights, private input). ZK_PROOFS zk proofs of the same model on different inputs with
 * different seeds: no opened value of an A column (the absorbed salt and weights) may repeat
 * across proofs, or equal a plain value of those columns (on the trace domain or their
 * unrandomized extension). Control: NOZK_PROOFS proofs without zk (options zk = 0) open
 * exactly the plain extension at the queried positions (recovered by matching), a function
 * of the weights alone, so two of them repeat wherever their positions meet.
 */
static void zk_openings(const char *dir) {
  const uint32_t a0 = SM_SPONGE_MAIN_A, na = SM_P2_RATE;
  gl_t *zk_vals = NULL; /* ZK_PROOFS x per_proof opened A values */
  size_t n_zk = 0, per_proof = 0;
  gl_t *plain = NULL; /* the A columns on the trace domain and their plain zk-domain LDE */
  size_t n_plain = 0;
  gl_t *nozk_lde = NULL, *nozk_open[NOZK_PROOFS] = {NULL};
  size_t nozk_big = 0, nozk_pos[NOZK_PROOFS][256], nozk_nq = 0;
  for (int k = 0; k < ZK_PROOFS; k++) {
    size_t xl = 0;
    float *x = test_input(dir, (size_t)k, &xl);
    pipe_t p;
    pipe_open(&p, dir, "model.onnx", SM_VIS_PRIVATE, 1, x, xl);
    free(x);
    int tw = tidx(&p, SM_ZC_T_WEIGHTS);
    assert_int_equal(tw, 0);
    const size_t n = rows(&p, tw);
    if (k == 0) {
      size_t big = 0;
      gl_t *l = plain_lde_a(&p, &p.o, (size_t)tw, &big);
      n_plain = (size_t)na * (big + n);
      plain = calloc(n_plain, sizeof *plain);
      assert_non_null(plain);
      memcpy(plain, l, (size_t)na * big * sizeof *l);
      memcpy(plain + (size_t)na * big, p.c.main[tw] + (size_t)a0 * n, (size_t)na * n * sizeof *l);
      free(l);
      qsort(plain, n_plain, sizeof *plain, cmp_gl);
      sm_tinfo *ti = calloc(p.st.n_tables, sizeof *ti);
      assert_non_null(ti);
      unsigned lbm = 0;
      assert_int_equal(sm_tinfo_derive(ti, &lbm, &p.st, &p.o, NULL, 0), STARKML_OK);
      fprintf(stderr, "  weights table: 2^%u rows, LDE 2^%u, %u queries, randomizer h = %u "
                      "(2q + 6 = %u)\n", ti[tw].log_n, ti[tw].log_big, p.o.n_queries, ti[tw].h,
              2 * p.o.n_queries + 6);
      assert_true(ti[tw].h >= 2 * p.o.n_queries + 6);
      sm_tinfo_free(ti, p.st.n_tables);
      free(ti);
    }
    uint8_t seed[32] = {0x5A, (uint8_t)k, 0x77};
    uint8_t *proof = NULL;
    size_t len = 0, width = 0;
    double t0 = now_s();
    assert_int_equal(sm_stark_prove(p.ctx, &proof, &len, &p.st, &p.w, &p.o, seed), STARKML_OK);
    sm_stark_reject why;
    assert_int_equal(verify(&p, proof, len, &why), STARKML_OK);
    gl_t *open = NULL;
    size_t nq = opened_main_rows(&p, proof, len, &p.o, (size_t)tw, &open, &width);
    assert_true(width > a0 + na); /* zk: the blinding columns follow the table's own */
    if (k == 0) {
      per_proof = nq * na;
      zk_vals = calloc((size_t)ZK_PROOFS * per_proof, sizeof *zk_vals);
      assert_non_null(zk_vals);
    }
    assert_int_equal(nq * na, per_proof);
    for (size_t q = 0; q < nq; q++)
      for (uint32_t c = 0; c < na; c++) zk_vals[n_zk++] = open[q * width + a0 + c];
    fprintf(stderr, "  zk proof %d (test input %d, seed %d): %zu bytes in %.2f s, %zu weight-column "
                    "values opened\n", k, k, k, len, now_s() - t0, nq * (size_t)na);
    free(open);
    free(proof);
    if (k < NOZK_PROOFS) {
      /* The control: the same statement without zero knowledge (the API forbids it with
         private weights; the STARK layer takes it). */
      sm_stark_options o0;
      assert_int_equal(sm_stark_options_preset(&o0, SM_PRESET_FAST, &p.st, 0), STARKML_OK);
      if (nozk_lde == NULL) nozk_lde = plain_lde_a(&p, &o0, (size_t)tw, &nozk_big);
      assert_int_equal(sm_stark_setup(p.ctx, &p.pre_root, &p.st, &p.w, &o0), STARKML_OK);
      assert_int_equal(sm_stark_prove(p.ctx, &proof, &len, &p.st, &p.w, &o0, seed), STARKML_OK);
      assert_int_equal(verify(&p, proof, len, &why), STARKML_OK);
      nq = opened_main_rows(&p, proof, len, &o0, (size_t)tw, &open, &width);
      assert_int_equal(width, SM_SPONGE_N_MAIN); /* no blinding columns without zk */
      assert_true(nq <= 256);
      nozk_nq = nq;
      nozk_open[k] = calloc(nq * na, sizeof(gl_t));
      assert_non_null(nozk_open[k]);
      for (size_t q = 0; q < nq; q++) {
        memcpy(nozk_open[k] + q * na, open + q * width + a0, na * sizeof(gl_t));
        nozk_pos[k][q] = lde_position(nozk_lde, nozk_big, open + q * width + a0);
        if (nozk_pos[k][q] == SIZE_MAX)
          fail_msg("no-zk proof %d, query %zu: the opened weight row is not in the plain LDE", k, q);
      }
      free(open);
      free(proof);
    }
    pipe_close(&p);
  }
  /* The control: positions met by both no-zk proofs open identical weight values. */
  size_t met = 0;
  for (size_t q = 0; q < nozk_nq; q++)
    for (size_t q2 = 0; q2 < nozk_nq; q2++)
      if (nozk_pos[0][q] == nozk_pos[1][q2]) {
        met++;
        assert_memory_equal(nozk_open[0] + q * na, nozk_open[1] + q2 * na, na * sizeof(gl_t));
      }
  fprintf(stderr, "  no-zk control: every opened weight row of %d proofs (inputs 0, 1) is the "
                  "plain LDE at its position (LDE of %zu points); %zu position(s) met by both "
                  "proofs, with equal values\n", NOZK_PROOFS, nozk_big, met);
  /* No value repeats across zk proofs, and none is a plain value of the columns. */
  size_t repeats = 0, plain_hits = 0, nozk_hits = 0;
  gl_t *sorted = malloc(per_proof * sizeof *sorted);
  assert_non_null(sorted);
  for (int k2 = 1; k2 < ZK_PROOFS; k2++) {
    memcpy(sorted, zk_vals + (size_t)k2 * per_proof, per_proof * sizeof *sorted);
    qsort(sorted, per_proof, sizeof *sorted, cmp_gl);
    for (size_t i = 0; i < (size_t)k2 * per_proof; i++)
      repeats += in_sorted(sorted, per_proof, zk_vals[i]); /* proofs 0..k2-1 against k2 */
  }
  gl_t *nz = malloc((size_t)na * nozk_big * sizeof *nz);
  assert_non_null(nz);
  memcpy(nz, nozk_lde, (size_t)na * nozk_big * sizeof *nz);
  qsort(nz, (size_t)na * nozk_big, sizeof *nz, cmp_gl);
  for (size_t i = 0; i < n_zk; i++) {
    plain_hits += in_sorted(plain, n_plain, zk_vals[i]);
    nozk_hits += in_sorted(nz, (size_t)na * nozk_big, zk_vals[i]);
  }
  fprintf(stderr, "  %d zk proofs, %zu opened weight-column values: %zu repeat across proofs, %zu "
                  "are plain values of the columns (trace or plain LDE), %zu are no-zk openings\n",
          ZK_PROOFS, n_zk, repeats, plain_hits, nozk_hits);
  assert_int_equal(repeats, 0);
  assert_int_equal(plain_hits, 0);
  assert_int_equal(nozk_hits, 0);
  free(nz);
  free(sorted);
  free(zk_vals);
  free(plain);
  free(nozk_lde);
  for (int k = 0; k < NOZK_PROOFS; k++) free(nozk_open[k]);
}

static void zk_weight_openings_do_not_repeat(void **state) {
  (void)state;
  zk_openings("logreg_cancer");
}

/* The same on the MLP (2782 absorbed values, ten proofs): about 20 s on two cores. */
static void zk_weight_openings_mlp_slow(void **state) {
  (void)state;
  zk_openings("mlp_digits");
}

SM_TEST_MAIN(cmocka_unit_test(requant_remainder_ge_divisor),
             cmocka_unit_test(requant_remainder_wrapped),
             cmocka_unit_test(requant_relu_negative),
             cmocka_unit_test(act_value_not_in_lut),
             cmocka_unit_test(lookup_multiplicity_off_by_one),
             cmocka_unit_test(mac_accumulator_wrapped),
             cmocka_unit_test(weight_altered),
             cmocka_unit_test(input_altered),
             cmocka_unit_test(sponge_round_value),
             cmocka_unit_test(max_selects_smaller_lane),
             cmocka_unit_test(div_quotient_plus_one),
             cmocka_unit_test(zk_weight_openings_do_not_repeat),
             cmocka_unit_test(zk_weight_openings_mlp_slow))
