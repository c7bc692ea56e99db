/*
 * The zkML part of the public API (include/starkml.h): compile, setup, prove, verify and
 * the file formats of docs/formats.md.
 *
 * A proof ("SMZP") is a statement followed by a STARK proof ("SMKP") of the tables of
 * air/zkair.h. The statement's canonical encoding is hashed into eight 32-bit public
 * values of the output table, so everything it says (the vk, the input or its digest, the
 * output or the predicate, the options) is absorbed by Fiat-Shamir before the first
 * challenge. The verifier rebuilds every table from the vk and the statement; it takes
 * nothing else from the proof.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "air/graph.h"
#include "air/input_json.h"
#include "air/predicate.h"
#include "air/qmodel.h"
#include "air/zkair.h"
#include "core/ctx.h"
#include "core/merkle.h"
#include "core/poseidon2.h"
#include "core/prg.h"
#include "core/ser.h"
#include "core/sha3.h"
#include "fri/stark.h"
#include "starkml.h"

#define FMT_VERSION 1u
/* The verifying key's own version: 2 since protocol v4 (one preprocessed tree per option
   set, keyed by pre_key). */
#define VK_VERSION 2u
#define MAX_FILE (256u << 20)
#define MAX_ROOTS 256u

struct starkml_model {
  sm_qmodel q;
  sm_qreport rep;
};

/* A commitment to the fixed columns of every table on the LDE domains of one option set
   (sm_stark_setup), under the key pre_key gives those tables and domains. */
typedef struct {
  uint8_t key[32];
  sm_digest root;
} vk_root;

struct starkml_vk {
  sm_qmodel arch; /* weights only when they are public */
  uint32_t public_weights;
  gl_t weight_digest[4];
  uint32_t n_roots;
  vk_root roots[MAX_ROOTS];
  uint8_t hash[32];
};

struct starkml_pk {
  sm_qmodel q; /* with weights */
  uint32_t public_weights;
  gl_t salt[SM_ZC_SALT_LEN];
  starkml_vk *vk;
};


static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- Model ---------------------------------------------------------------------------- */

starkml_status starkml_compile(const starkml_ctx *ctx, starkml_model **model,
                               starkml_compile_report *report, char *why, size_t why_len,
                               const uint8_t *onnx, size_t onnx_len, const float *calib,
                               size_t n_samples, size_t sample_len,
                               const starkml_compile_options *opt) {
  sm_why(why, why_len, "%s", "");
  if (model != NULL) *model = NULL;
  if (report != NULL) memset(report, 0, sizeof *report);
  if (ctx == NULL || model == NULL || onnx == NULL || calib == NULL) return STARKML_ERR_ARG;
  sm_graph g;
  starkml_status st = sm_graph_from_onnx(&g, why, why_len, onnx, onnx_len);
  if (st != STARKML_OK) return st;
  starkml_model *m = calloc(1, sizeof *m);
  if (m == NULL) {
    sm_graph_free(&g);
    return STARKML_ERR_NOMEM;
  }
  sm_qconfig cfg;
  sm_qconfig_default(&cfg);
  if (opt != NULL) {
    if (opt->act_bits) cfg.act_bits = opt->act_bits;
    if (opt->weight_bits) cfg.weight_bits = opt->weight_bits;
    cfg.per_channel = !opt->per_tensor;
  }
  st = sm_qmodel_compile(&m->q, &m->rep, why, why_len, &g, &cfg, calib, n_samples, sample_len);
  sm_graph_free(&g);
  if (st != STARKML_OK) {
    free(m);
    return st;
  }
  if (report != NULL) {
    report->n_calib = m->rep.n_calib;
    report->max_abs_err = m->rep.max_abs_err;
    report->top1_agreement = m->rep.top1_agreement;
    report->n_values = m->rep.n_values;
    report->n_dot_terms = m->rep.n_dot_terms;
    report->n_requant = m->rep.n_requant;
    report->n_lut = m->rep.n_lut;
    report->n_max = m->rep.n_max;
    report->n_div = m->rep.n_div;
    for (uint32_t i = 0; i < m->q.n_tensors; i++)
      if (m->q.tensors[i].kind == SM_QT_WEIGHT) report->n_weights += m->q.tensors[i].numel;
    report->input_len = m->q.tensors[m->q.input - 1].numel;
    report->output_len = m->q.tensors[m->q.output - 1].numel;
    report->act_bits = cfg.act_bits;
    report->weight_bits = cfg.weight_bits;
    sm_zc_circuit c;
    sm_zc_mode mode;
    memset(&mode, 0, sizeof mode);
    if (sm_zc_init(&c, NULL, 0, &m->q, &mode) == STARKML_OK) {
      for (size_t t = 0; t < c.n_tables && t < 12; t++) {
        snprintf(report->tables[t].name, sizeof report->tables[t].name, "%s", c.tables[t].name);
        report->tables[t].log_n = c.tables[t].log_n;
        report->tables[t].n_pre = c.tables[t].n_pre;
        report->tables[t].n_main = c.tables[t].n_main;
        report->n_tables = t + 1;
      }
      sm_zc_free(&c);
    }
  }
  *model = m;
  return STARKML_OK;
}

void starkml_model_free(starkml_model *model) {
  if (model == NULL) return;
  sm_qmodel_free(&model->q);
  free(model);
}

size_t starkml_model_input_len(const starkml_model *m) {
  return m ? m->q.tensors[m->q.input - 1].numel : 0;
}
size_t starkml_model_output_len(const starkml_model *m) {
  return m ? m->q.tensors[m->q.output - 1].numel : 0;
}

static starkml_status writer_out(sm_writer *w, uint8_t **data, size_t *len) {
  starkml_status st = sm_w_status(w);
  if (st != STARKML_OK) {
    sm_w_free(w);
    return st;
  }
  *data = w->buf;
  *len = w->len;
  return STARKML_OK;
}

starkml_status starkml_model_save(const starkml_model *model, uint8_t **data, size_t *len) {
  if (data != NULL) *data = NULL;
  if (len != NULL) *len = 0;
  if (model == NULL || data == NULL || len == NULL) return STARKML_ERR_ARG;
  sm_writer w;
  sm_w_init(&w, MAX_FILE);
  sm_w_bytes(&w, "SMCM", 4);
  sm_w_u32(&w, FMT_VERSION);
  sm_w_u64(&w, model->rep.n_calib);
  uint64_t e, a;
  memcpy(&e, &model->rep.max_abs_err, 8);
  memcpy(&a, &model->rep.top1_agreement, 8);
  sm_w_u64(&w, e);
  sm_w_u64(&w, a);
  starkml_status st = sm_qmodel_encode(&model->q, 1, &w);
  if (st != STARKML_OK) {
    sm_w_free(&w);
    return st;
  }
  return writer_out(&w, data, len);
}

static starkml_status check_magic_v(sm_reader *r, const char *magic, const char *what,
                                    uint32_t version, char *why, size_t why_len) {
  uint8_t m[4];
  uint32_t v = 0;
  sm_r_bytes(r, m, 4);
  sm_r_u32(r, &v);
  if (r->err != STARKML_OK || memcmp(m, magic, 4) != 0) {
    sm_why(why, why_len, "not a starkml %s (no %s magic)", what, magic);
    return STARKML_ERR_PARSE;
  }
  if (v != version) {
    sm_why(why, why_len, "%s format version %u is not supported (this build reads %u)", what, v,
           version);
    return STARKML_ERR_PARSE;
  }
  return STARKML_OK;
}

static starkml_status check_magic(sm_reader *r, const char *magic, const char *what, char *why,
                                  size_t why_len) {
  return check_magic_v(r, magic, what, FMT_VERSION, why, why_len);
}

starkml_status starkml_model_load(starkml_model **model, char *why, size_t why_len,
                                  const uint8_t *data, size_t len) {
  sm_why(why, why_len, "%s", "");
  if (model != NULL) *model = NULL;
  if (model == NULL || data == NULL) return STARKML_ERR_ARG;
  sm_reader r;
  sm_r_init(&r, data, len);
  starkml_status st = check_magic(&r, "SMCM", "compiled model", why, why_len);
  if (st != STARKML_OK) return st;
  starkml_model *m = calloc(1, sizeof *m);
  if (m == NULL) return STARKML_ERR_NOMEM;
  uint64_t nc = 0, e = 0, a = 0;
  sm_r_u64(&r, &nc);
  sm_r_u64(&r, &e);
  sm_r_u64(&r, &a);
  m->rep.n_calib = (size_t)nc;
  memcpy(&m->rep.max_abs_err, &e, 8);
  memcpy(&m->rep.top1_agreement, &a, 8);
  st = sm_qmodel_decode(&m->q, why, why_len, &r);
  if (st == STARKML_OK && !m->q.has_weights) {
    sm_why(why, why_len, "compiled model without weights");
    st = STARKML_ERR_PARSE;
  }
  if (st == STARKML_OK && sm_r_finish(&r) != STARKML_OK) {
    sm_why(why, why_len, "compiled model: trailing bytes");
    st = STARKML_ERR_PARSE;
  }
  if (st != STARKML_OK) {
    starkml_model_free(m);
    return st;
  }
  *model = m;
  return STARKML_OK;
}

/* ---- Keys ----------------------------------------------------------------------------- */

static starkml_status vk_encode(const starkml_vk *vk, sm_writer *w) {
  sm_w_bytes(w, "SMVK", 4);
  sm_w_u32(w, VK_VERSION);
  starkml_status st = sm_qmodel_encode(&vk->arch, (int)vk->public_weights, w);
  if (st != STARKML_OK) return st;
  sm_w_u32(w, vk->public_weights);
  sm_w_gl_array(w, vk->weight_digest, 4);
  sm_w_u32(w, vk->n_roots);
  for (uint32_t i = 0; i < vk->n_roots; i++) {
    sm_w_bytes(w, vk->roots[i].key, 32);
    sm_w_bytes(w, vk->roots[i].root.b, sizeof vk->roots[i].root.b);
  }
  return sm_w_status(w);
}

static starkml_status vk_finish_hash(starkml_vk *vk) {
  sm_writer w;
  sm_w_init(&w, MAX_FILE);
  starkml_status st = vk_encode(vk, &w);
  if (st == STARKML_OK) sm_sha3_256(vk->hash, w.buf, w.len);
  sm_w_free(&w);
  return st;
}

static starkml_status vk_decode(starkml_vk *vk, char *why, size_t why_len, sm_reader *r) {
  starkml_status st = check_magic_v(r, "SMVK", "verifying key", VK_VERSION, why, why_len);
  if (st != STARKML_OK) return st;
  st = sm_qmodel_decode(&vk->arch, why, why_len, r);
  if (st != STARKML_OK) return st;
  sm_r_u32(r, &vk->public_weights);
  if (r->err == STARKML_OK && (uint32_t)vk->arch.has_weights != vk->public_weights) {
    /* a vk carries the weights exactly when they are public */
    sm_why(why, why_len, "verifying key: weights present without --public-weights, or missing with it");
    return STARKML_ERR_PARSE;
  }
  sm_r_gl_array(r, vk->weight_digest, 4);
  sm_r_len(r, &vk->n_roots, MAX_ROOTS, 64);
  for (uint32_t i = 0; i < vk->n_roots && r->err == STARKML_OK; i++) {
    sm_r_bytes(r, vk->roots[i].key, 32);
    sm_r_bytes(r, vk->roots[i].root.b, sizeof vk->roots[i].root.b);
  }
  if (r->err != STARKML_OK || vk->public_weights > 1) {
    sm_why(why, why_len, "verifying key: truncated or malformed");
    return STARKML_ERR_PARSE;
  }
  return STARKML_OK;
}

void starkml_vk_free(starkml_vk *vk) {
  if (vk == NULL) return;
  sm_qmodel_free(&vk->arch);
  free(vk);
}

void starkml_pk_free(starkml_pk *pk) {
  if (pk == NULL) return;
  sm_qmodel_free(&pk->q);
  starkml_vk_free(pk->vk);
  memset(pk->salt, 0, sizeof pk->salt);
  free(pk);
}

const starkml_vk *starkml_pk_vk(const starkml_pk *pk) { return pk ? pk->vk : NULL; }
void starkml_vk_hash(const starkml_vk *vk, uint8_t out[32]) {
  if (out == NULL) return;
  if (vk != NULL)
    memcpy(out, vk->hash, 32);
  else
    memset(out, 0, 32);
}
size_t starkml_vk_input_len(const starkml_vk *vk) {
  return vk ? vk->arch.tensors[vk->arch.input - 1].numel : 0;
}
size_t starkml_vk_output_len(const starkml_vk *vk) {
  return vk ? vk->arch.tensors[vk->arch.output - 1].numel : 0;
}

starkml_status starkml_vk_save(const starkml_vk *vk, uint8_t **data, size_t *len) {
  if (data != NULL) *data = NULL;
  if (len != NULL) *len = 0;
  if (vk == NULL || data == NULL || len == NULL) return STARKML_ERR_ARG;
  sm_writer w;
  sm_w_init(&w, MAX_FILE);
  starkml_status st = vk_encode(vk, &w);
  if (st != STARKML_OK) {
    sm_w_free(&w);
    return st;
  }
  return writer_out(&w, data, len);
}

starkml_status starkml_vk_load(starkml_vk **out, char *why, size_t why_len, const uint8_t *data,
                               size_t len) {
  sm_why(why, why_len, "%s", "");
  if (out != NULL) *out = NULL;
  if (out == NULL || data == NULL) return STARKML_ERR_ARG;
  starkml_vk *vk = calloc(1, sizeof *vk);
  if (vk == NULL) return STARKML_ERR_NOMEM;
  sm_reader r;
  sm_r_init(&r, data, len);
  starkml_status st = vk_decode(vk, why, why_len, &r);
  if (st == STARKML_OK && sm_r_finish(&r) != STARKML_OK) {
    sm_why(why, why_len, "verifying key: trailing bytes");
    st = STARKML_ERR_PARSE;
  }
  if (st == STARKML_OK) sm_sha3_256(vk->hash, data, len);
  if (st != STARKML_OK) {
    starkml_vk_free(vk);
    return st;
  }
  *out = vk;
  return STARKML_OK;
}

starkml_status starkml_pk_save(const starkml_pk *pk, uint8_t **data, size_t *len) {
  if (data != NULL) *data = NULL;
  if (len != NULL) *len = 0;
  if (pk == NULL || data == NULL || len == NULL) return STARKML_ERR_ARG;
  sm_writer w;
  sm_w_init(&w, MAX_FILE);
  sm_w_bytes(&w, "SMPK", 4);
  sm_w_u32(&w, FMT_VERSION);
  starkml_status st = sm_qmodel_encode(&pk->q, 1, &w);
  sm_w_u32(&w, pk->public_weights);
  sm_w_gl_array(&w, pk->salt, SM_ZC_SALT_LEN);
  if (st == STARKML_OK) st = vk_encode(pk->vk, &w);
  if (st != STARKML_OK) {
    sm_w_free(&w);
    return st;
  }
  return writer_out(&w, data, len);
}

starkml_status starkml_pk_load(starkml_pk **out, char *why, size_t why_len, const uint8_t *data,
                               size_t len) {
  sm_why(why, why_len, "%s", "");
  if (out != NULL) *out = NULL;
  if (out == NULL || data == NULL) return STARKML_ERR_ARG;
  sm_reader r;
  sm_r_init(&r, data, len);
  starkml_status st = check_magic(&r, "SMPK", "proving key", why, why_len);
  if (st != STARKML_OK) return st;
  starkml_pk *pk = calloc(1, sizeof *pk);
  if (pk == NULL || (pk->vk = calloc(1, sizeof *pk->vk)) == NULL) {
    starkml_pk_free(pk);
    return STARKML_ERR_NOMEM;
  }
  st = sm_qmodel_decode(&pk->q, why, why_len, &r);
  if (st == STARKML_OK && !pk->q.has_weights) {
    sm_why(why, why_len, "proving key without weights");
    st = STARKML_ERR_PARSE;
  }
  sm_r_u32(&r, &pk->public_weights);
  sm_r_gl_array(&r, pk->salt, SM_ZC_SALT_LEN);
  size_t vk_start = r.pos;
  if (st == STARKML_OK && r.err != STARKML_OK) {
    sm_why(why, why_len, "proving key: truncated");
    st = STARKML_ERR_PARSE;
  }
  if (st == STARKML_OK) st = vk_decode(pk->vk, why, why_len, &r);
  if (st == STARKML_OK && sm_r_finish(&r) != STARKML_OK) {
    sm_why(why, why_len, "proving key: trailing bytes");
    st = STARKML_ERR_PARSE;
  }
  if (st == STARKML_OK) sm_sha3_256(pk->vk->hash, data + vk_start, len - vk_start);
  if (st == STARKML_OK && pk->public_weights != pk->vk->public_weights) {
    sm_why(why, why_len, "proving key: inconsistent weight visibility");
    st = STARKML_ERR_PARSE;
  }
  if (st != STARKML_OK) {
    starkml_pk_free(pk);
    return st;
  }
  *out = pk;
  return STARKML_OK;
}

/* ---- Circuits and statements ---------------------------------------------------------- */

/* A circuit wired as a STARK statement. */
typedef struct {
  sm_zc_circuit c;
  const gl_t *publics[SM_ZC_MAX_TABLES];
  const gl_t *main[SM_ZC_MAX_TABLES];
  const gl_t *pre[SM_ZC_MAX_TABLES];
  sm_digest pre_root;                 /* the setup's commitment (fill_pre_root) */
  sm_digest hashes[SM_ZC_MAX_TABLES]; /* sm_air_hash of each table (hash_tables) */
  sm_stark_statement st;
  sm_stark_witness w;
} wired;

static void wire(wired *x) {
  for (size_t t = 0; t < x->c.n_tables; t++) {
    x->publics[t] = x->c.publics[t];
    x->main[t] = x->c.main[t];
    x->pre[t] = x->c.pre[t];
  }
  x->st.n_tables = x->c.n_tables;
  x->st.tables = x->c.tables;
  x->st.publics = x->publics;
  x->st.pre_root = &x->pre_root;
  x->w.main = x->main;
  x->w.pre = x->pre;
}

static const vk_root *vk_find_root(const starkml_vk *vk, const uint8_t key[32]) {
  for (uint32_t i = 0; i < vk->n_roots; i++)
    if (memcmp(vk->roots[i].key, key, 32) == 0) return &vk->roots[i];
  return NULL;
}

/* Every table's program hash into x->hashes, in parallel (the statement needs them too). */
static starkml_status hash_tables(const starkml_ctx *ctx, wired *x) {
  starkml_status hs[SM_ZC_MAX_TABLES];
  const int n_tables = (int)x->c.n_tables;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1)
  for (int t = 0; t < n_tables; t++) hs[t] = sm_air_hash(&x->c.tables[t], x->hashes[t].b);
  for (int t = 0; t < n_tables; t++)
    if (hs[t] != STARKML_OK) return hs[t];
  x->st.table_hashes = x->hashes;
  return STARKML_OK;
}

/*
 * The cache key of the preprocessed commitment for the domains lb[], lbm (sm_stark_domains):
 * SHA3-256 of a label, lbm, then for each table with fixed columns its index, program hash
 * and lb[t]. Within one vk (whose architecture fixes the columns) equal keys mean equal
 * commitments. Returns 0 when no table has fixed columns (there is no commitment).
 */
static int pre_key(uint8_t key[32], const wired *x, const unsigned *lb, unsigned lbm) {
  static const char label[] = "starkml/vk/pre-key";
  uint8_t word[4];
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, label, sizeof label - 1);
  sm_le32_put(word, lbm);
  sm_sha3_256_update(&c, word, 4);
  int any = 0;
  for (size_t t = 0; t < x->c.n_tables; t++) {
    if (x->c.tables[t].n_pre == 0) continue;
    any = 1;
    sm_le32_put(word, (uint32_t)t);
    sm_sha3_256_update(&c, word, 4);
    sm_sha3_256_update(&c, x->hashes[t].b, SM_DIGEST_LEN);
    sm_le32_put(word, lb[t]);
    sm_sha3_256_update(&c, word, 4);
  }
  sm_sha3_256_final(&c, key);
  return any;
}

/* The setup's commitment to the fixed columns (sm_stark_setup), from x->c.pre. */
static starkml_status compute_pre_root(const starkml_ctx *ctx, sm_digest *root, wired *x,
                                       const sm_stark_options *o) {
  const gl_t *pre[SM_ZC_MAX_TABLES];
  for (size_t t = 0; t < x->c.n_tables; t++) pre[t] = x->c.pre[t];
  const sm_stark_witness w = {x->main, pre};
  return sm_stark_setup(ctx, root, &x->st, &w, o);
}

/*
 * Fills x->pre_root (and x->hashes) for these options: from the vk's cache when it holds
 * the domains, else computed from the fixed columns (which the verifier rebuilds from the
 * vk's architecture; the vk holds the weights when they are public, so nothing is taken
 * from the prover).
 */
static starkml_status fill_pre_root(const starkml_ctx *ctx, wired *x, const starkml_vk *vk,
                                    const sm_stark_options *o) {
  unsigned lb[SM_ZC_MAX_TABLES], lbm = 0;
  memset(&x->pre_root, 0, sizeof x->pre_root);
  starkml_status s = sm_stark_domains(lb, &lbm, &x->st, o);
  if (s == STARKML_OK) s = hash_tables(ctx, x);
  uint8_t key[32];
  if (s != STARKML_OK || !pre_key(key, x, lb, lbm)) return s;
  const vk_root *r = vk != NULL ? vk_find_root(vk, key) : NULL;
  if (r != NULL) {
    x->pre_root = r->root;
    return STARKML_OK;
  }
  /* The verifier builds the fixed columns only now; the prover has them already, and its
     witness points at them (sm_zc_fill_pre would replace them). */
  for (size_t t = 0; t < x->c.n_tables; t++)
    if (x->c.tables[t].n_pre > 0 && x->c.pre[t] == NULL) {
      if ((s = sm_zc_fill_pre(&x->c)) != STARKML_OK) return s;
      break;
    }
  return compute_pre_root(ctx, &x->pre_root, x, o);
}

starkml_status starkml_setup(const starkml_ctx *ctx, starkml_pk **pk_out, starkml_vk **vk_out,
                             const starkml_model *model, const starkml_setup_options *opt) {
  if (pk_out != NULL) *pk_out = NULL;
  if (vk_out != NULL) *vk_out = NULL;
  if (ctx == NULL || pk_out == NULL || vk_out == NULL || model == NULL) return STARKML_ERR_ARG;
  starkml_pk *pk = calloc(1, sizeof *pk);
  starkml_vk *vk = calloc(1, sizeof *vk);
  starkml_status st = STARKML_OK;
  if (pk == NULL || vk == NULL) {
    st = STARKML_ERR_NOMEM;
    goto fail;
  }
  pk->vk = vk;
  /* Copy the model (through its encoding: one code path for every copy). */
  {
    sm_writer w;
    sm_w_init(&w, MAX_FILE);
    st = sm_qmodel_encode(&model->q, 1, &w);
    sm_reader r;
    if (st == STARKML_OK) {
      sm_r_init(&r, w.buf, w.len);
      st = sm_qmodel_decode(&pk->q, NULL, 0, &r);
    }
    sm_w_free(&w);
    if (st == STARKML_OK) {
      sm_w_init(&w, MAX_FILE);
      st = sm_qmodel_encode(&model->q, opt != NULL && opt->public_weights, &w);
      if (st == STARKML_OK) {
        sm_r_init(&r, w.buf, w.len);
        st = sm_qmodel_decode(&vk->arch, NULL, 0, &r);
      }
      sm_w_free(&w);
    }
    if (st != STARKML_OK) goto fail;
  }
  pk->public_weights = vk->public_weights = opt != NULL && opt->public_weights ? 1u : 0u;
  uint8_t seed[SM_PRG_SEED_LEN];
  if (opt != NULL && opt->seed != NULL)
    memcpy(seed, opt->seed, sizeof seed);
  else if ((st = sm_prg_os_seed(seed)) != STARKML_OK)
    goto fail;
  sm_prg g;
  sm_prg_init(&g, seed, "starkml-setup-weight-salt");
  for (unsigned i = 0; i < SM_ZC_SALT_LEN; i++) pk->salt[i] = sm_prg_gl(&g);
  memset(seed, 0, sizeof seed);
  size_t nv = sm_qmodel_n_values(&pk->q);
  /* Roots of the fixed columns for every input visibility, zk setting and preset blowup. */
  for (uint32_t vis = 0; vis <= SM_VIS_PRIVATE && st == STARKML_OK; vis++) {
    wired x;
    memset(&x, 0, sizeof x);
    sm_zc_mode mode;
    memset(&mode, 0, sizeof mode);
    mode.input_vis = vis;
    mode.public_weights = pk->public_weights;
    char why[256];
    st = sm_zc_init(&x.c, why, sizeof why, &pk->q, &mode);
    if (st == STARKML_OK) st = sm_zc_fill_pre(&x.c);
    if (st == STARKML_OK && vis == 0 && !pk->public_weights) {
      /* digest of salt || weights, as the weights table computes it */
      size_t k = SM_ZC_SALT_LEN, n = SM_ZC_SALT_LEN;
      for (uint32_t i = 0; i < pk->q.n_tensors; i++)
        if (pk->q.tensors[i].kind == SM_QT_WEIGHT) n += pk->q.tensors[i].numel;
      gl_t *in = malloc(n * sizeof *in);
      if (in == NULL) st = STARKML_ERR_NOMEM;
      if (in != NULL) {
        memcpy(in, pk->salt, sizeof pk->salt);
        for (uint32_t i = 0; i < pk->q.n_tensors; i++)
          if (pk->q.tensors[i].kind == SM_QT_WEIGHT)
            for (uint32_t j = 0; j < pk->q.tensors[i].numel; j++) {
              int64_t v = pk->q.weights[i][j];
              in[k++] = v >= 0 ? (gl_t)v : GL_P - (gl_t)(-v);
            }
        sm_poseidon2_hash(vk->weight_digest, in, n);
        free(in);
      }
    }
    if (st == STARKML_OK) {
      sm_zc_publics pub;
      memset(&pub, 0, sizeof pub);
      int64_t *zeros = calloc(nv, sizeof *zeros);
      pub.input = zeros;
      pub.output = zeros;
      st = zeros == NULL ? STARKML_ERR_NOMEM : sm_zc_fill_publics(&x.c, &pub);
      free(zeros);
    }
    wire(&x);
    /* The program hashes depend on the tables alone: once per visibility. */
    if (st == STARKML_OK) st = hash_tables(ctx, &x);
    for (int zk = 0; zk <= 1 && st == STARKML_OK; zk++) {
      for (int preset = 0; preset <= 1 && st == STARKML_OK; preset++) {
        sm_stark_options o;
        st = sm_stark_options_preset(&o, (sm_preset)preset, &x.st, zk);
        if (st != STARKML_OK) break;
        unsigned lb[SM_ZC_MAX_TABLES], lbm = 0;
        uint8_t key[32];
        st = sm_stark_domains(lb, &lbm, &x.st, &o);
        if (st != STARKML_OK || !pre_key(key, &x, lb, lbm) || vk_find_root(vk, key) != NULL)
          continue;
        if (vk->n_roots >= MAX_ROOTS) break; /* a full cache: the verifier computes the rest */
        vk_root *r = &vk->roots[vk->n_roots];
        memcpy(r->key, key, 32);
        st = compute_pre_root(ctx, &r->root, &x, &o);
        if (st == STARKML_OK) vk->n_roots++;
      }
    }
    sm_zc_free(&x.c);
  }
  if (st == STARKML_OK) st = vk_finish_hash(vk);
  if (st != STARKML_OK) goto fail;
  starkml_vk *vk_copy = calloc(1, sizeof *vk_copy);
  if (vk_copy == NULL) {
    st = STARKML_ERR_NOMEM;
    goto fail;
  }
  /* The caller gets its own vk; the pk keeps one inside. */
  {
    uint8_t *b = NULL;
    size_t bl = 0;
    free(vk_copy);
    vk_copy = NULL;
    st = starkml_vk_save(vk, &b, &bl);
    if (st == STARKML_OK) st = starkml_vk_load(&vk_copy, NULL, 0, b, bl);
    free(b);
    if (st != STARKML_OK) goto fail;
  }
  *pk_out = pk;
  *vk_out = vk_copy;
  return STARKML_OK;
fail:
  if (pk != NULL) starkml_pk_free(pk);
  else starkml_vk_free(vk);
  return st;
}

/* ---- Statement encoding --------------------------------------------------------------- */

#define STMT_MAGIC "SMZS"

/* Canonical statement bytes: everything a proof claims besides the STARK itself. */
static starkml_status stmt_encode(sm_writer *w, const starkml_statement *s,
                                  const sm_predicate *pred) {
  sm_w_bytes(w, STMT_MAGIC, 4);
  sm_w_u32(w, FMT_VERSION);
  sm_w_bytes(w, s->vk_hash, 32);
  sm_w_u32(w, s->preset);
  sm_w_u32(w, s->zk);
  sm_w_u32(w, s->input_visibility);
  sm_w_u32(w, pred->kind);
  sm_w_u32(w, pred->index);
  uint64_t lo, hi;
  memcpy(&lo, &pred->lo, 8);
  memcpy(&hi, &pred->hi, 8);
  sm_w_u64(w, lo);
  sm_w_u64(w, hi);
  sm_w_u64(w, (uint64_t)s->pred_lo);
  sm_w_u64(w, (uint64_t)s->pred_hi);
  if (s->input_visibility == STARKML_INPUT_PUBLIC) {
    sm_w_u32(w, (uint32_t)s->input_len);
    for (size_t i = 0; i < s->input_len; i++) sm_w_u64(w, (uint64_t)s->input_q[i]);
  } else if (s->input_visibility == STARKML_INPUT_HASHED) {
    sm_w_bytes(w, s->input_digest, 32);
  }
  if (pred->kind == SM_PRED_NONE) {
    sm_w_u32(w, (uint32_t)s->output_len);
    for (size_t i = 0; i < s->output_len; i++) sm_w_u64(w, (uint64_t)s->output_q[i]);
  }
  return sm_w_status(w);
}

static starkml_status stmt_decode(sm_reader *r, starkml_statement *s, sm_predicate *pred,
                                  char *why, size_t why_len) {
  uint8_t m[4];
  uint32_t v = 0, n = 0;
  uint64_t lo = 0, hi = 0, plo = 0, phi = 0;
  sm_r_bytes(r, m, 4);
  sm_r_u32(r, &v);
  if (r->err != STARKML_OK || memcmp(m, STMT_MAGIC, 4) != 0 || v != FMT_VERSION) {
    sm_why(why, why_len, "proof statement: bad magic or version");
    return STARKML_ERR_PARSE;
  }
  sm_r_bytes(r, s->vk_hash, 32);
  sm_r_u32(r, &s->preset);
  sm_r_u32(r, &s->zk);
  sm_r_u32(r, &s->input_visibility);
  sm_r_u32(r, &pred->kind);
  sm_r_u32(r, &pred->index);
  sm_r_u64(r, &lo);
  sm_r_u64(r, &hi);
  sm_r_u64(r, &plo);
  sm_r_u64(r, &phi);
  memcpy(&pred->lo, &lo, 8);
  memcpy(&pred->hi, &hi, 8);
  s->pred_lo = (int64_t)plo;
  s->pred_hi = (int64_t)phi;
  if (r->err != STARKML_OK || s->preset > 1 || s->zk > 1 || s->input_visibility > 2 ||
      (pred->kind != SM_PRED_NONE && sm_predicate_check(pred) != STARKML_OK) ||
      (pred->kind == SM_PRED_NONE && (pred->index || lo || hi || plo || phi))) {
    sm_why(why, why_len, "proof statement: malformed header");
    return STARKML_ERR_PARSE;
  }
  if (s->input_visibility == STARKML_INPUT_PUBLIC) {
    sm_r_len(r, &n, 1u << 24, 8);
    if (r->err != STARKML_OK) goto bad;
    s->input_len = n;
    s->input_q = calloc(n ? n : 1, sizeof *s->input_q);
    if (s->input_q == NULL) return STARKML_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) sm_r_u64(r, (uint64_t *)&s->input_q[i]);
  } else if (s->input_visibility == STARKML_INPUT_HASHED) {
    sm_r_bytes(r, s->input_digest, 32);
  }
  if (pred->kind == SM_PRED_NONE) {
    sm_r_len(r, &n, STARKML_MAX_OUTPUTS, 8);
    if (r->err != STARKML_OK) goto bad;
    s->output_len = n;
    s->output_q = calloc(n ? n : 1, sizeof *s->output_q);
    if (s->output_q == NULL) return STARKML_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) sm_r_u64(r, (uint64_t *)&s->output_q[i]);
  }
  if (r->err == STARKML_OK) {
    sm_predicate_format(s->predicate, sizeof s->predicate, pred);
    if (pred->kind == SM_PRED_NONE) s->predicate[0] = 0;
    return STARKML_OK;
  }
bad:
  sm_why(why, why_len, "proof statement: truncated or malformed");
  return STARKML_ERR_PARSE;
}

static void stmt_words(uint32_t out[SM_ZC_STMT_WORDS], const uint8_t *bytes, size_t len) {
  uint8_t h[32];
  sm_sha3_256(h, bytes, len);
  for (unsigned i = 0; i < SM_ZC_STMT_WORDS; i++) out[i] = sm_le32_get(h + 4 * i);
}

void starkml_statement_clear(starkml_statement *st) {
  if (st == NULL) return;
  free(st->input_q);
  free(st->output_q);
  free(st->output);
  memset(st, 0, sizeof *st);
}

static void digest_bytes(uint8_t out[32], const gl_t d[4]) {
  for (unsigned i = 0; i < 4; i++) sm_le64_put(out + 8 * i, d[i]);
}

/* The proof container: "SMZP" version, u32 statement length, statement, u32 STARK length,
   STARK proof. */
#define PROOF_MAGIC "SMZP"

/* ---- Prove ---------------------------------------------------------------------------- */

typedef struct {
  starkml_log_fn fn;
  void *user;
  char last[256];
} log_capture;

static void capture_line(void *user, const char *line) {
  log_capture *c = user;
  snprintf(c->last, sizeof c->last, "%s", line);
  if (c->fn != NULL) c->fn(c->user, line);
}

/* The 4 salt elements of a hashed input, from 32 salt bytes (one derivation for the prover
   and for starkml_input_digest). */
static void input_salt_elements(gl_t out[SM_ZC_SALT_LEN], const uint8_t salt[32]) {
  sm_prg g;
  sm_prg_init(&g, salt, "starkml-input-salt");
  for (unsigned i = 0; i < SM_ZC_SALT_LEN; i++) out[i] = sm_prg_gl(&g);
}

starkml_status starkml_input_digest(uint8_t digest[32], const starkml_vk *vk, const float *input,
                                    size_t input_len, const uint8_t salt[32]) {
  if (digest != NULL) memset(digest, 0, 32);
  if (digest == NULL || vk == NULL || input == NULL || salt == NULL) return STARKML_ERR_ARG;
  const sm_qmodel *q = &vk->arch;
  size_t n = q->tensors[q->input - 1].numel;
  if (input_len != n) return STARKML_ERR_ARG;
  int64_t *xq = calloc(n, sizeof *xq);
  gl_t *in = calloc(SM_ZC_SALT_LEN + n, sizeof *in);
  starkml_status st = (xq == NULL || in == NULL) ? STARKML_ERR_NOMEM
                                                 : sm_qmodel_quantize_input(q, xq, input, n);
  if (st == STARKML_OK) {
    /* The same absorbed sequence as the hashed-input table: salt || quantized input. */
    input_salt_elements(in, salt);
    for (size_t i = 0; i < n; i++) in[SM_ZC_SALT_LEN + i] = xq[i] >= 0 ? (gl_t)xq[i] : GL_P - (gl_t)(-xq[i]);
    gl_t d[4];
    sm_poseidon2_hash(d, in, SM_ZC_SALT_LEN + n);
    digest_bytes(digest, d);
  }
  free(xq);
  free(in);
  return st;
}

static void progress(const starkml_prove_options *o, const char *stage, double f) {
  if (o != NULL && o->progress != NULL) o->progress(o->progress_user, stage, f);
}

starkml_status starkml_prove(const starkml_ctx *ctx, uint8_t **proof, size_t *proof_len,
                             starkml_statement *stmt, char *why, size_t why_len,
                             const starkml_pk *pk, const float *input, size_t input_len,
                             const starkml_prove_options *opt) {
  sm_why(why, why_len, "%s", "");
  if (proof != NULL) *proof = NULL;
  if (proof_len != NULL) *proof_len = 0;
  if (stmt != NULL) memset(stmt, 0, sizeof *stmt);
  if (ctx == NULL || proof == NULL || proof_len == NULL || stmt == NULL || pk == NULL ||
      input == NULL)
    return STARKML_ERR_ARG;
  starkml_prove_options defo;
  memset(&defo, 0, sizeof defo);
  if (opt == NULL) opt = &defo;
  const sm_qmodel *q = &pk->q;
  const sm_qtensor *ti = &q->tensors[q->input - 1], *to = &q->tensors[q->output - 1];
  if (input_len != ti->numel) {
    sm_why(why, why_len, "the input has %zu values; the model expects %u", input_len, ti->numel);
    return STARKML_ERR_ARG;
  }
  for (size_t i = 0; i < input_len; i++)
    if (!isfinite(input[i])) {
      sm_why(why, why_len, "input value %zu is not a finite number", i);
      return STARKML_ERR_ARG;
    }
  if (opt->input_visibility > STARKML_INPUT_PRIVATE || opt->preset > STARKML_PRESET_FAST) {
    sm_why(why, why_len, "unknown input visibility or preset");
    return STARKML_ERR_ARG;
  }
  sm_zc_mode mode;
  memset(&mode, 0, sizeof mode);
  mode.input_vis = opt->input_visibility;
  mode.public_weights = pk->public_weights;
  if (opt->predicate != NULL) {
    starkml_status ps = sm_predicate_parse(&mode.pred, why, why_len, opt->predicate);
    if (ps != STARKML_OK) return STARKML_ERR_ARG;
    if (sm_zc_predicate_thresholds(&mode, why, why_len, q) != STARKML_OK) return STARKML_ERR_ARG;
  }
  if (opt->no_zk && (!pk->public_weights || mode.input_vis != SM_VIS_PUBLIC ||
                     mode.pred.kind != SM_PRED_NONE)) {
    sm_why(why, why_len, "zero knowledge can only be turned off when weights, input and output are all public");
    return STARKML_ERR_ARG;
  }
  uint8_t seed[SM_PRG_SEED_LEN], stark_seed[32];
  starkml_status st;
  if (opt->seed != NULL)
    memcpy(seed, opt->seed, sizeof seed);
  else if ((st = sm_prg_os_seed(seed)) != STARKML_OK)
    return st;
  sm_prg g;
  sm_prg_init(&g, seed, "starkml-prove-stark");
  sm_prg_bytes(&g, stark_seed, sizeof stark_seed);
  gl_t salt_in[SM_ZC_SALT_LEN];
  input_salt_elements(salt_in, opt->input_salt != NULL ? opt->input_salt : seed);
  memset(seed, 0, sizeof seed);

  double t0 = now_s();
  progress(opt, "run the quantized model", -1);
  size_t nv = sm_qmodel_n_values(q);
  int64_t *vals = calloc(nv, sizeof *vals), *xq = calloc(ti->numel, sizeof *xq);
  wired x;
  memset(&x, 0, sizeof x);
  sm_writer w;
  sm_w_init(&w, SM_STARK_MAX_PROOF_BYTES + (64u << 20));
  uint8_t *stark = NULL;
  size_t stark_len = 0;
  if (vals == NULL || xq == NULL) {
    st = STARKML_ERR_NOMEM;
    goto done;
  }
  if ((st = sm_qmodel_quantize_input(q, xq, input, input_len)) != STARKML_OK) goto done;
  if ((st = sm_qmodel_run(q, vals, xq)) != STARKML_OK) {
    sm_why(why, why_len, "the quantized model failed on this input (%s)", starkml_strerror(st));
    goto done;
  }
  const int64_t *yq = vals + sm_qmodel_offset(q, q->output);
  /* Does the predicate hold? (Checked here so that a false one is a clear message.) */
  if (mode.pred.kind != SM_PRED_NONE) {
    int ok = 1;
    uint32_t k = mode.pred.index;
    switch (mode.pred.kind) {
      case SM_PRED_ARGMAX:
        for (uint32_t j = 0; j < to->numel; j++)
          if ((j < k && yq[j] >= yq[k]) || (j > k && yq[j] > yq[k])) ok = 0;
        break;
      case SM_PRED_GE: ok = yq[k] >= mode.pred_lo; break;
      case SM_PRED_LE: ok = yq[k] <= mode.pred_hi; break;
      case SM_PRED_RANGE: ok = yq[k] >= mode.pred_lo && yq[k] <= mode.pred_hi; break;
      default: ok = 0;
    }
    if (!ok) {
      char pt[128];
      sm_predicate_format(pt, sizeof pt, &mode.pred);
      if (mode.pred.kind == SM_PRED_ARGMAX) {
        uint32_t top = 0;
        for (uint32_t j = 1; j < to->numel; j++)
          if (yq[j] > yq[top]) top = j;
        sm_why(why, why_len, "the predicate '%s' does not hold for this input (the model's argmax is %u)",
                pt, top);
      } else {
        sm_why(why, why_len, "the predicate '%s' does not hold for this input (y[%u] is %.6g)", pt,
                k, (double)yq[k] * to->scale);
      }
      st = STARKML_ERR_ARG;
      goto done;
    }
  }
  progress(opt, "build the witness", -1);
  char zwhy[256];
  if ((st = sm_zc_init(&x.c, zwhy, sizeof zwhy, q, &mode)) != STARKML_OK) {
    sm_why(why, why_len, "%s", zwhy);
    goto done;
  }
  sm_zc_publics pub;
  memset(&pub, 0, sizeof pub);
  if ((st = sm_zc_fill_pre(&x.c)) != STARKML_OK) goto done;
  if ((st = sm_zc_fill_witness(&x.c, &pub, vals, pk->salt, salt_in)) != STARKML_OK) {
    sm_why(why, why_len, "building the witness failed (%s)", starkml_strerror(st));
    goto done;
  }
  /* The statement. */
  memcpy(stmt->vk_hash, pk->vk->hash, 32);
  stmt->input_visibility = mode.input_vis;
  stmt->input_len = ti->numel;
  stmt->input_scale = ti->scale;
  stmt->output_len = to->numel;
  stmt->output_scale = to->scale;
  stmt->preset = opt->preset;
  stmt->zk = opt->no_zk ? 0 : 1;
  stmt->pred_lo = mode.pred_lo;
  stmt->pred_hi = mode.pred_hi;
  if (mode.input_vis == SM_VIS_PUBLIC) {
    stmt->input_q = malloc(ti->numel * sizeof *stmt->input_q);
    if (stmt->input_q == NULL) {
      st = STARKML_ERR_NOMEM;
      goto done;
    }
    memcpy(stmt->input_q, xq, ti->numel * sizeof *xq);
  }
  if (mode.input_vis == SM_VIS_HASHED) digest_bytes(stmt->input_digest, pub.input_digest);
  if (mode.pred.kind == SM_PRED_NONE) {
    stmt->output_q = malloc(to->numel * sizeof *stmt->output_q);
    stmt->output = malloc(to->numel * sizeof *stmt->output);
    if (stmt->output_q == NULL || stmt->output == NULL) {
      st = STARKML_ERR_NOMEM;
      goto done;
    }
    for (uint32_t j = 0; j < to->numel; j++) {
      stmt->output_q[j] = yq[j];
      stmt->output[j] = (double)yq[j] * to->scale;
    }
  } else {
    sm_predicate_format(stmt->predicate, sizeof stmt->predicate, &mode.pred);
  }
  sm_writer sw;
  sm_w_init(&sw, 64u << 20);
  st = stmt_encode(&sw, stmt, &mode.pred);
  if (st == STARKML_OK) stmt_words(pub.stmt, sw.buf, sw.len);
  pub.input = xq;
  pub.output = yq;
  if (st == STARKML_OK) st = sm_zc_fill_publics(&x.c, &pub);
  wire(&x);
  sm_stark_options o;
  if (st == STARKML_OK) st = sm_stark_options_preset(&o, (sm_preset)opt->preset, &x.st, stmt->zk);
  if (st == STARKML_OK) st = fill_pre_root(ctx, &x, pk->vk, &o);
  double t1 = now_s();
  progress(opt, "prove", -1);
  /* The engine reports its stages through the context: a copy that carries the caller's
     progress function (the caller's context stays immutable). */
  starkml_ctx pctx = *ctx;
  pctx.progress_fn = opt->progress;
  pctx.progress_user = opt->progress_user;
  /* The engine says why it refuses a witness in a log line: keep the last one for *why
     (and still pass every line on to the caller's log). */
  log_capture cap = {ctx->log_fn, ctx->log_user, ""};
  pctx.log_fn = capture_line;
  pctx.log_user = &cap;
  if (st == STARKML_OK) st = sm_stark_prove(&pctx, &stark, &stark_len, &x.st, &x.w, &o, stark_seed);
  double t2 = now_s();
  if (st != STARKML_OK) {
    if (why != NULL && why_len > 0 && why[0] == 0) {
      if (cap.last[0] != 0)
        sm_why(why, why_len, "%s", cap.last);
      else
        sm_why(why, why_len, "proving failed (%s)", starkml_strerror(st));
    }
    sm_w_free(&sw);
    goto done;
  }
  sm_soundness_bits bits;
  if (sm_stark_security(&bits, &x.st, &o) == STARKML_OK) {
    stmt->conjectured_bits = bits.conjectured_bits;
    stmt->provable_bits = bits.provable_bits;
  }
  sm_w_bytes(&w, PROOF_MAGIC, 4);
  sm_w_u32(&w, FMT_VERSION);
  sm_w_u32(&w, (uint32_t)sw.len);
  sm_w_bytes(&w, sw.buf, sw.len);
  sm_w_u32(&w, (uint32_t)stark_len);
  sm_w_bytes(&w, stark, stark_len);
  sm_w_free(&sw);
  if ((st = sm_w_status(&w)) != STARKML_OK) goto done;
  *proof = w.buf;
  *proof_len = w.len;
  w.buf = NULL;
  stmt->proof_bytes = *proof_len;
  stmt->n_stages = 2;
  stmt->stage_names[0] = "witness";
  stmt->stage_seconds[0] = t1 - t0;
  stmt->stage_names[1] = "stark";
  stmt->stage_seconds[1] = t2 - t1;
done:
  sm_w_free(&w);
  free(stark);
  free(vals);
  free(xq);
  sm_zc_free(&x.c);
  if (st != STARKML_OK) starkml_statement_clear(stmt);
  return st;
}

/* ---- Verify --------------------------------------------------------------------------- */

/* Splits a proof into statement and STARK bytes. */
static starkml_status split_proof(const uint8_t *proof, size_t len, const uint8_t **sb,
                                  size_t *sl, const uint8_t **kb, size_t *kl, char *why,
                                  size_t why_len) {
  sm_reader r;
  sm_r_init(&r, proof, len);
  starkml_status st = check_magic(&r, PROOF_MAGIC, "zkML proof", why, why_len);
  if (st != STARKML_OK) return st;
  uint32_t n = 0;
  sm_r_len(&r, &n, 64u << 20, 1);
  if (r.err != STARKML_OK) goto bad;
  *sb = proof + r.pos;
  *sl = n;
  r.pos += n;
  sm_r_len(&r, &n, SM_STARK_MAX_PROOF_BYTES, 1);
  if (r.err != STARKML_OK) goto bad;
  *kb = proof + r.pos;
  *kl = n;
  r.pos += n;
  if (sm_r_finish(&r) != STARKML_OK) goto bad;
  return STARKML_OK;
bad:
  sm_why(why, why_len, "zkML proof: truncated or malformed framing");
  return STARKML_ERR_PARSE;
}

starkml_status starkml_proof_statement(starkml_statement *st, char *why, size_t why_len,
                                       const uint8_t *proof, size_t proof_len) {
  sm_why(why, why_len, "%s", "");
  if (st == NULL || proof == NULL) return STARKML_ERR_ARG;
  memset(st, 0, sizeof *st);
  const uint8_t *sb, *kb;
  size_t sl, kl;
  starkml_status s = split_proof(proof, proof_len, &sb, &sl, &kb, &kl, why, why_len);
  if (s != STARKML_OK) return s;
  sm_reader r;
  sm_r_init(&r, sb, sl);
  sm_predicate pred;
  memset(&pred, 0, sizeof pred);
  s = stmt_decode(&r, st, &pred, why, why_len);
  if (s == STARKML_OK && sm_r_finish(&r) != STARKML_OK) {
    sm_why(why, why_len, "proof statement: trailing bytes");
    s = STARKML_ERR_PARSE;
  }
  sm_stark_info info;
  if (s == STARKML_OK && sm_stark_inspect(&info, kb, kl) != STARKML_OK) {
    sm_why(why, why_len, "the STARK part of the proof is malformed");
    s = STARKML_ERR_PARSE;
  }
  if (s != STARKML_OK) {
    starkml_statement_clear(st);
    return s;
  }
  st->conjectured_bits = info.security.conjectured_bits;
  st->provable_bits = info.security.provable_bits;
  st->proof_bytes = proof_len;
  return STARKML_OK;
}

starkml_status starkml_verify(const starkml_ctx *ctx, starkml_statement *stmt, char *why,
                              size_t why_len, const starkml_vk *vk, const uint8_t *proof,
                              size_t proof_len, uint32_t floor, const float *input,
                              size_t input_len, const uint8_t *input_digest) {
  sm_why(why, why_len, "%s", "");
  if (stmt != NULL) memset(stmt, 0, sizeof *stmt);
  if (ctx == NULL || stmt == NULL || vk == NULL || proof == NULL || floor > STARKML_PRESET_FAST)
    return STARKML_ERR_ARG;
  const uint8_t *sb, *kb;
  size_t sl, kl;
  starkml_status st = split_proof(proof, proof_len, &sb, &sl, &kb, &kl, why, why_len);
  if (st != STARKML_OK) return st;
  sm_reader r;
  sm_r_init(&r, sb, sl);
  sm_predicate pred;
  memset(&pred, 0, sizeof pred);
  wired x;
  memset(&x, 0, sizeof x);
  int64_t *xq = NULL;
  if ((st = stmt_decode(&r, stmt, &pred, why, why_len)) != STARKML_OK) goto done;
  if (sm_r_finish(&r) != STARKML_OK) {
    sm_why(why, why_len, "proof statement: trailing bytes");
    st = STARKML_ERR_PARSE;
    goto done;
  }
  const sm_qmodel *q = &vk->arch;
  const sm_qtensor *ti = &q->tensors[q->input - 1], *to = &q->tensors[q->output - 1];
#define REJECT(...)                    \
  do {                                 \
    sm_why(why, why_len, __VA_ARGS__); \
    st = STARKML_REJECT;               \
    goto done;                         \
  } while (0)
  if (memcmp(stmt->vk_hash, vk->hash, 32) != 0) REJECT("the proof was made for another model (verifying key hash differs)");
  if (stmt->input_visibility == STARKML_INPUT_PUBLIC && stmt->input_len != ti->numel)
    REJECT("the proof's input has %zu values; the model expects %u", stmt->input_len, ti->numel);
  if (pred.kind == SM_PRED_NONE && stmt->output_len != to->numel)
    REJECT("the proof's output has %zu values; the model has %u", stmt->output_len, to->numel);
  stmt->input_len = ti->numel;
  stmt->output_len = to->numel;
  stmt->input_scale = ti->scale;
  stmt->output_scale = to->scale;
  if (stmt->zk == 0 && (!vk->public_weights || stmt->input_visibility != STARKML_INPUT_PUBLIC ||
                        pred.kind != SM_PRED_NONE))
    REJECT("a proof without zero knowledge over private data");
  if (stmt->input_visibility == STARKML_INPUT_PUBLIC) {
    for (size_t i = 0; i < ti->numel; i++)
      if (stmt->input_q[i] < ti->lo || stmt->input_q[i] > ti->hi) REJECT("the proof's input is out of range");
    if (input != NULL) {
      if (input_len != ti->numel) REJECT("the expected input has %zu values; the model expects %u", input_len, ti->numel);
      xq = calloc(ti->numel, sizeof *xq);
      if (xq == NULL) {
        st = STARKML_ERR_NOMEM;
        goto done;
      }
      if (sm_qmodel_quantize_input(q, xq, input, input_len) != STARKML_OK) REJECT("the expected input is not finite");
      if (memcmp(xq, stmt->input_q, ti->numel * sizeof *xq) != 0) REJECT("the proof is for another input");
    }
  } else if (input != NULL) {
    REJECT("the proof does not reveal its input (visibility %s), so it cannot be compared",
           stmt->input_visibility == STARKML_INPUT_HASHED ? "hashed" : "private");
  }
  if (input_digest != NULL) {
    if (stmt->input_visibility != STARKML_INPUT_HASHED) REJECT("the proof does not carry an input digest");
    if (memcmp(input_digest, stmt->input_digest, 32) != 0) REJECT("the proof's input digest differs from the expected one");
  }
  if (pred.kind == SM_PRED_NONE) {
    for (size_t i = 0; i < to->numel; i++)
      if (stmt->output_q[i] < to->lo || stmt->output_q[i] > to->hi) REJECT("the proof's output is out of range");
  }
  /* Rebuild the circuit from the vk and the statement. */
  sm_zc_mode mode;
  memset(&mode, 0, sizeof mode);
  mode.input_vis = stmt->input_visibility;
  mode.public_weights = vk->public_weights;
  mode.pred = pred;
  if (pred.kind != SM_PRED_NONE) {
    if (sm_zc_predicate_thresholds(&mode, why, why_len, q) != STARKML_OK) REJECT("%s", why);
    if (mode.pred_lo != stmt->pred_lo || mode.pred_hi != stmt->pred_hi)
      REJECT("the proof's predicate thresholds do not match the predicate on this model's scale");
  }
  char zwhy[256];
  if ((st = sm_zc_init(&x.c, zwhy, sizeof zwhy, q, &mode)) != STARKML_OK) {
    if (st == STARKML_ERR_ARG) REJECT("%s", zwhy);
    goto done;
  }
  sm_zc_publics pub;
  memset(&pub, 0, sizeof pub);
  memcpy(pub.weight_digest, vk->weight_digest, sizeof pub.weight_digest);
  for (unsigned i = 0; i < 4; i++) {
    pub.input_digest[i] = sm_le64_get(stmt->input_digest + 8 * i);
    if (stmt->input_visibility == STARKML_INPUT_HASHED && pub.input_digest[i] >= GL_P)
      REJECT("the proof's input digest is not canonical");
  }
  pub.input = stmt->input_q;
  pub.output = stmt->output_q;
  stmt_words(pub.stmt, sb, sl);
  if ((st = sm_zc_fill_publics(&x.c, &pub)) != STARKML_OK) goto done;
  wire(&x);
  sm_stark_info info;
  if (sm_stark_inspect(&info, kb, kl) != STARKML_OK) {
    sm_why(why, why_len, "the STARK part of the proof is malformed");
    st = STARKML_ERR_PARSE;
    goto done;
  }
  if (info.options.zk != stmt->zk || info.options.preset != stmt->preset)
    REJECT("the statement's options differ from the proof's");
  if ((st = fill_pre_root(ctx, &x, vk, &info.options)) != STARKML_OK) {
    if (st == STARKML_ERR_ARG) REJECT("the proof's options do not fit this model");
    goto done;
  }
  sm_stark_reject reason = SM_REJ_NONE;
  sm_soundness_bits bits;
  st = sm_stark_verify_bits(ctx, &reason, &x.st, (sm_preset)floor, 0, kb, kl, &bits);
  if (st == STARKML_REJECT) REJECT("%s", sm_stark_reject_str(reason));
  if (st == STARKML_ERR_PARSE) sm_why(why, why_len, "the STARK part of the proof is malformed");
  if (st != STARKML_OK) goto done;
  stmt->conjectured_bits = bits.conjectured_bits;
  stmt->provable_bits = bits.provable_bits;
  stmt->proof_bytes = proof_len;
  if (pred.kind == SM_PRED_NONE) {
    stmt->output = malloc(to->numel * sizeof *stmt->output);
    if (stmt->output == NULL) {
      st = STARKML_ERR_NOMEM;
      goto done;
    }
    for (size_t i = 0; i < to->numel; i++) stmt->output[i] = (double)stmt->output_q[i] * to->scale;
  }
#undef REJECT
done:
  free(xq);
  sm_zc_free(&x.c);
  if (st != STARKML_OK) starkml_statement_clear(stmt);
  return st;
}

starkml_status starkml_statement_expect_predicate(const starkml_statement *st, char *why,
                                                  size_t why_len, const char *expected) {
  sm_why(why, why_len, "%s", "");
  if (st == NULL || expected == NULL) return STARKML_ERR_ARG;
  sm_predicate p;
  starkml_status s = sm_predicate_parse(&p, why, why_len, expected);
  if (s != STARKML_OK) return s;
  char canon[128];
  sm_predicate_format(canon, sizeof canon, &p);
  if (strcmp(canon, st->predicate) == 0) return STARKML_OK;
  if (st->predicate[0] == 0)
    sm_why(why, why_len, "the proof reveals its output instead of proving '%s'", canon);
  else
    sm_why(why, why_len, "the proof proves '%s', not '%s'", st->predicate, canon);
  return STARKML_REJECT;
}

/* ---- Input files ---------------------------------------------------------------------- */

starkml_status starkml_input_json_load(float **data, size_t *n_samples, size_t *sample_len,
                                       char *why, size_t why_len, const char *path) {
  return sm_input_json_load(data, n_samples, sample_len, why, why_len, path);
}
