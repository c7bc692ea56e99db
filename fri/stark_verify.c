/*
 * The STARK verifier. It parses the whole proof first (any malformation is
 * STARKML_ERR_PARSE), then replays the Fiat-Shamir schedule and runs every check; each
 * failed check is STARKML_REJECT with its own reason. Shapes come from the statement and
 * the options, never from the proof; the options' security is recomputed and compared
 * with the verifier's floor before anything else.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "fri/stark_internal.h"

typedef struct {
  gl3_t claimed;
  gl3_t *ood;
  /* The DEEP terms that do not depend on the query: sum_c w_c f_c(z), sum_c w'_c f_c(z w)
     and sum_k w''_k q_k(z), for this table's weights. */
  gl3_t kz, kzw, kq;
} vtable;

/* Reads a cap of height h into cap and hashes it up to root. */
static starkml_status r_cap(sm_reader *r, sm_digest *cap, unsigned h) {
  for (size_t i = 0; i < ((size_t)1 << h); i++) sm_r_bytes(r, cap[i].b, SM_DIGEST_LEN);
  return r->err != STARKML_OK ? STARKML_ERR_PARSE : STARKML_OK;
}

/* One opened row of one table's matrix: values and salt (its path is the query's path in
   the stage's tree, vquery). */
typedef struct {
  gl_t *vals;
  uint8_t salt[SM_STARK_SALT_LEN];
} vrow;

/* Openings of one table at one query. */
typedef struct {
  vrow pre, main, aux, quot;
} vopen;

/* A stage's tree (fri/stark_internal.h, SM_STAGE_*): one mixed-height tree over the stage's
   matrices of every table that has them. */
typedef struct {
  int used;          /* some table has the stage's columns */
  unsigned L, cap_h; /* depth and cap height (sm_stage_shape) */
  sm_digest *cap;    /* 2^cap_h digests */
  sm_digest root;    /* above the cap: the statement's (preprocessed) or absorbed */
} vstage;

/* One query's paths in the stage trees (L - cap_h siblings each, leaf level first). */
typedef struct {
  sm_digest *path[SM_N_STAGES];
} vquery;

static starkml_status r_section(sm_reader *r, uint32_t want, sm_reader *sub) {
  uint32_t tag = 0, len = 0;
  sm_r_u32(r, &tag);
  sm_r_u32(r, &len);
  if (r->err != STARKML_OK || tag != want || len > sm_r_remaining(r)) return STARKML_ERR_PARSE;
  sm_r_init(sub, r->p + r->pos, len);
  r->pos += len;
  return STARKML_OK;
}

/* Reads one opened row's values and salt. */
static starkml_status r_vals(sm_reader *r, vrow *row, size_t width, int salted) {
  if ((row->vals = sm_xcalloc(width, sizeof(gl_t))) == NULL) return STARKML_ERR_NOMEM;
  sm_r_gl_array(r, row->vals, width);
  if (salted) sm_r_bytes(r, row->salt, SM_STARK_SALT_LEN);
  return r->err;
}

/* Reads a path. A path whose declared length differs from the tree's depth below its cap is
   STARKML_REJECT (reason: path length); anything else malformed is a parse error. */
static starkml_status r_path(sm_reader *r, sm_digest **path, unsigned depth) {
  if ((*path = sm_xcalloc(depth, sizeof(sm_digest))) == NULL) return STARKML_ERR_NOMEM;
  uint32_t declared = 0;
  sm_r_u32(r, &declared);
  if (r->err != STARKML_OK) return r->err;
  if (declared != depth) return STARKML_REJECT;
  for (unsigned l = 0; l < depth; l++) sm_r_bytes(r, (*path)[l].b, SM_DIGEST_LEN);
  return r->err;
}

static void vrow_free(vrow *r) { free(r->vals); }

/* The opened row of table t's matrix in a stage. */
static const vrow *stage_row(const vopen *o, int stage) {
  return stage == SM_STAGE_PRE    ? &o->pre
         : stage == SM_STAGE_MAIN ? &o->main
         : stage == SM_STAGE_AUX  ? &o->aux
                                  : &o->quot;
}

/*
 * Checks every opened row against its stage's tree, four queries at a time (4-way Keccak):
 * each stage's rows of all tables along the query's one path (sm_mmcs_verify_x4). Sets
 * bad[q] = 1 for each query with a row that fails.
 */
static void check_rows(uint8_t *bad, const sm_tinfo *ti, const vstage *vs, const vopen *op,
                       const vquery *vq, size_t T, const size_t *qidx, uint32_t n_queries,
                       unsigned log_big_max, int salted, int threads) {
  const uint32_t n_groups = (n_queries + 3) / 4;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (uint32_t g = 0; g < n_groups; g++) {
    uint32_t qs[4];
    for (uint32_t k = 0; k < 4; k++) qs[k] = 4 * g + k < n_queries ? 4 * g + k : n_queries - 1;
    for (int stage = 0; stage < SM_N_STAGES; stage++) {
      if (!vs[stage].used) continue;
      const unsigned L = vs[stage].L, h = vs[stage].cap_h;
      unsigned log_rows[SM_STARK_MAX_TABLES];
      size_t width[SM_STARK_MAX_TABLES], n = 0;
      const gl_t *rows[4 * SM_STARK_MAX_TABLES];
      const uint8_t *salts[4 * SM_STARK_MAX_TABLES];
      for (size_t t = 0; t < T; t++)
        if (sm_stage_has(&ti[t], stage)) {
          log_rows[n] = ti[t].log_big;
          width[n++] = sm_stage_width(&ti[t], stage);
        }
      const sm_digest *cap[4], *paths[4];
      size_t index[4];
      for (int k = 0; k < 4; k++) {
        index[k] = qidx[qs[k]] >> (log_big_max - L);
        cap[k] = vs[stage].cap + (index[k] >> (L - h));
        paths[k] = vq[qs[k]].path[stage];
        for (size_t t = 0, j = 0; t < T; t++) {
          if (!sm_stage_has(&ti[t], stage)) continue;
          const vrow *r = stage_row(&op[(size_t)qs[k] * T + t], stage);
          rows[(size_t)k * n + j] = r->vals, salts[(size_t)k * n + j] = r->salt;
          j++;
        }
      }
      const int s = salted && stage != SM_STAGE_PRE;
      unsigned ok = sm_mmcs_verify_x4(cap, h, index, n, log_rows, width, rows, salts,
                                      s ? SM_STARK_SALT_LEN : 0, paths);
      for (int k = 0; k < 4; k++)
        if (!((ok >> k) & 1)) bad[qs[k]] = 1;
    }
  }
}

/* The constraints' combination at z against the quotient pieces' values at z. */
static int ood_ok(const sm_tinfo *x, const vtable *vt, const gl_t *publics, gl3_t alpha,
                  gl3_t beta, gl3_t gamma_pow, gl3_t gamma, gl3_t z) {
  const sm_air_table *t = &x->ext;
  const size_t n_pre = t->n_pre, n_main = t->n_main, nbo = x->n_base_open;
  const size_t ncol = n_pre + n_main + x->n_aux;
  gl3_t *cur = sm_xcalloc(2 * ncol + t->n_nodes + t->n_constraints, sizeof(gl3_t));
  if (cur == NULL) return -1;
  gl3_t *next = cur + ncol, *scratch = next + ncol, *out = scratch + t->n_nodes;
  for (size_t c = 0; c < n_pre + n_main; c++) cur[c] = vt->ood[c], next[c] = vt->ood[nbo + c];
  for (size_t k = 0; k < x->n_aux; k++) {
    const size_t b = n_pre + n_main + 3 * k;
    cur[n_pre + n_main + k] = sm_gl3_from_parts(&vt->ood[b]);
    next[n_pre + n_main + k] = sm_gl3_from_parts(&vt->ood[nbo + b]);
  }
  gl3_t chal[SM_AIR_N_CHALLENGES] = {alpha, beta, vt->claimed};
  int ok = sm_air_eval_row(t, x->n_aux, out, cur, next, publics, chal, scratch) == STARKML_OK;
  /* Selector denominators at z. */
  gl3_t zn = sm_gl3_exp(z, x->n);
  gl3_t zh = gl3_sub(zn, gl3_from_base(1));
  gl_t w_last = gl_exp(gl_root_of_unity(x->log_n), x->n - 1);
  gl3_t d_first = gl3_sub(z, gl3_from_base(1)), d_last = gl3_sub(z, gl3_from_base(w_last));
  gl3_t inv_first = sm_gl3_inv(d_first), inv_last = sm_gl3_inv(d_last), inv_zh = sm_gl3_inv(zh);
  gl3_t lhs = gl3_from_base(0), g = gamma_pow;
  for (size_t j = 0; ok && j < t->n_constraints; j++) {
    gl3_t sel;
    switch (t->constraints[j].selector) {
      case SM_SEL_FIRST: sel = inv_first; break;
      case SM_SEL_LAST: sel = inv_last; break;
      case SM_SEL_TRANSITION: sel = gl3_mul(d_last, inv_zh); break;
      default: sel = inv_zh; break;
    }
    lhs = gl3_add(lhs, gl3_mul(gl3_mul(g, out[j]), sel));
    g = gl3_mul(g, gamma);
  }
  gl3_t rhs = gl3_from_base(0), zp = gl3_from_base(1);
  gl3_t zP = sm_gl3_exp(z, x->piece_len);
  for (size_t k = 0; k < x->n_pieces; k++) {
    rhs = gl3_add(rhs, gl3_mul(zp, sm_gl3_from_parts(&vt->ood[2 * nbo + 3 * k])));
    zp = gl3_mul(zp, zP);
  }
  free(cur);
  return ok && gl3_eq(lhs, rhs);
}

/* The query-independent parts of deep_at for table x (weights w), into vt->kz, kzw, kq. */
static void deep_constants(const sm_tinfo *x, vtable *vt, const gl3_t *w) {
  gl3_t k[3];
  sm_deep_constants(k, x, vt->ood, w);
  vt->kz = k[0], vt->kzw = k[1], vt->kq = k[2];
}

/*
 * P_t at the opened row (x = the row's LDE point, inv_xz = 1 / (x - z), inv_xzw =
 * 1 / (x - z w)), from the openings and OOD values:
 * sum_c w_c (f_c(x) - f_c(z)) = sum_c w_c f_c(x) - kz, and so on, so each opened value
 * costs an extension-by-base product (deep_constants holds the rest).
 */
static gl3_t deep_at(const sm_tinfo *x, const vtable *vt, const vopen *o, gl3_t inv_xz,
                     gl3_t inv_xzw, const gl3_t *w) {
  const size_t nbo = x->n_base_open, nq = 3 * (size_t)x->n_pieces;
  const size_t n_pre = x->user->n_pre, n_main = x->n_main;
  gl3_lazy az, azw, aq;
  memset(&az, 0, sizeof az), memset(&azw, 0, sizeof azw), memset(&aq, 0, sizeof aq);
  const gl_t *part[3] = {o->pre.vals, o->main.vals, o->aux.vals};
  const size_t part_len[3] = {n_pre, n_main, nbo - n_pre - n_main};
  for (size_t k = 0, c = 0; k < 3; k++)
    for (size_t i = 0; i < part_len[k]; i++, c++) {
      gl3_lazy_add(&az, &w[c], part[k][i]);
      gl3_lazy_add(&azw, &w[nbo + c], part[k][i]);
    }
  for (size_t c = 0; c < nq; c++) gl3_lazy_add(&aq, &w[2 * nbo + c], o->quot.vals[c]);
  gl3_t sz = gl3_sub(gl3_lazy_get(&az), vt->kz), szw = gl3_sub(gl3_lazy_get(&azw), vt->kzw);
  gl3_t sq = gl3_sub(gl3_lazy_get(&aq), vt->kq);
  gl3_t v = gl3_mul(gl3_add(sz, sq), inv_xz);
  v = gl3_add(v, gl3_mul(szw, inv_xzw));
  if (x->n_quot_cols > nq) {
    gl3_t r = {{o->quot.vals[nq], o->quot.vals[nq + 1], o->quot.vals[nq + 2]}};
    v = gl3_add(v, gl3_mul(w[2 * nbo + nq], r));
  }
  return v;
}

starkml_status sm_stark_verify(const starkml_ctx *ctx, sm_stark_reject *reason,
                               const sm_stark_statement *st, sm_preset floor,
                               unsigned floor_bits_override, const uint8_t *proof,
                               size_t proof_len) {
  return sm_stark_verify_bits(ctx, reason, st, floor, floor_bits_override, proof, proof_len, NULL);
}

starkml_status sm_stark_verify_bits(const starkml_ctx *ctx, sm_stark_reject *reason,
                                    const sm_stark_statement *st, sm_preset floor,
                                    unsigned floor_bits_override, const uint8_t *proof,
                                    size_t proof_len, sm_soundness_bits *bits_out) {
  sm_soundness_bits proof_bits;
  memset(&proof_bits, 0, sizeof proof_bits);
  if (bits_out != NULL) memset(bits_out, 0, sizeof *bits_out);
  sm_stark_reject why_dummy;
  if (reason == NULL) reason = &why_dummy;
  *reason = SM_REJ_NONE;
  if (ctx == NULL || st == NULL || st->n_tables == 0 || st->n_tables > SM_STARK_MAX_TABLES ||
      st->tables == NULL || (proof == NULL && proof_len > 0))
    return STARKML_ERR_ARG;
  for (size_t t = 0; t < st->n_tables; t++)
    if (sm_air_validate(&st->tables[t], 0, NULL, 0) != STARKML_OK ||
        (st->tables[t].n_pre > 0 && st->pre_root == NULL) ||
        (st->tables[t].n_public > 0 && (st->publics == NULL || st->publics[t] == NULL)))
      return STARKML_ERR_ARG;
  if (proof_len > SM_STARK_MAX_PROOF_BYTES) return STARKML_ERR_PARSE;

  const size_t T = st->n_tables;
  sm_tinfo *ti = sm_xcalloc(T, sizeof *ti);
  vtable *vt = sm_xcalloc(T, sizeof *vt);
  vopen *op = NULL;
  vquery *vq = NULL;
  vstage vs[SM_N_STAGES];
  memset(vs, 0, sizeof vs);
  sm_fri_query_proof *fq = NULL;
  sm_digest *fri_roots = NULL;
  gl3_t *fri_final = NULL, *dw = NULL, *inj = NULL, *inj_all = NULL;
  starkml_status *qstat = NULL;
  sm_stark_reject *qreason = NULL;
  size_t *qidx = NULL, n_op = 0, n_fq = 0;
  gl3_t *dinv = NULL; /* per thread: 2T denominators and the batch inversion's scratch */
  int ti_ok = 0, fv_ok = 0, pre_bad = 0;
  uint8_t *row_bad = NULL;
  sm_fri_verifier fv;
  memset(&fv, 0, sizeof fv);
  sm_transcript tr;
  sm_tr_init(&tr, SM_STARK_DOMAIN);
  starkml_status s = STARKML_OK;
  sm_stark_options opt;
  memset(&opt, 0, sizeof opt);
  unsigned log_big_max = 0;
  sm_fri_schedule sched;
  sm_fri_params fp;
  uint64_t nonce = 0;
  if (ti == NULL || vt == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }

  /* ---- parse ---- */
  sm_reader r, sec;
  sm_r_init(&r, proof, proof_len);
  uint8_t magic[4] = {0};
  uint32_t version = 0;
  sm_r_bytes(&r, magic, 4);
  sm_r_u32(&r, &version);
  if (r.err != STARKML_OK || memcmp(magic, SM_STARK_MAGIC, 4) != 0) {
    s = STARKML_ERR_PARSE;
    goto done;
  }
  if (version != SM_STARK_PROTOCOL_VERSION) {
    *reason = SM_REJ_VERSION;
    s = STARKML_REJECT;
    goto done;
  }
  if ((s = r_section(&r, SM_SEC_HEADER, &sec)) != STARKML_OK) goto done;
  uint32_t n_tables = 0;
  sm_r_u32(&sec, &opt.log_blowup);
  sm_r_u32(&sec, &opt.n_queries);
  sm_r_u32(&sec, &opt.grinding_bits);
  sm_r_u32(&sec, &opt.zk);
  sm_r_u32(&sec, &opt.preset);
  sm_r_u32(&sec, &opt.log_arity);
  sm_r_u32(&sec, &opt.log_final_degree);
  sm_r_u32(&sec, &n_tables);
  if (sec.err != STARKML_OK) {
    s = STARKML_ERR_PARSE;
    goto done;
  }
  if (n_tables != T) {
    *reason = SM_REJ_SHAPE;
    s = STARKML_REJECT;
    goto done;
  }
  sm_table_echo echo[SM_STARK_MAX_TABLES];
  for (size_t t = 0; t < T; t++) {
    uint32_t words[SM_STARK_ECHO_WORDS];
    for (int k = 0; k < SM_STARK_ECHO_WORDS; k++) sm_r_u32(&sec, &words[k]);
    sm_echo_from_words(&echo[t], words);
  }
  if (sm_r_finish(&sec) != STARKML_OK) {
    s = STARKML_ERR_PARSE;
    goto done;
  }
  if (sm_stark_options_check(&opt) != STARKML_OK) {
    *reason = SM_REJ_BAD_OPTIONS;
    s = STARKML_REJECT;
    goto done;
  }
  if (sm_tinfo_derive(ti, &log_big_max, st, &opt, NULL, 0) != STARKML_OK) {
    *reason = SM_REJ_BAD_OPTIONS;
    s = STARKML_REJECT;
    goto done;
  }
  ti_ok = 1;
  for (size_t t = 0; t < T; t++) {
    sm_table_echo want;
    sm_tinfo_echo(&want, &ti[t]);
    uint32_t a[SM_STARK_ECHO_WORDS], b[SM_STARK_ECHO_WORDS];
    sm_echo_to_words(a, &want);
    sm_echo_to_words(b, &echo[t]);
    if (memcmp(a, b, sizeof a) != 0) {
      *reason = SM_REJ_SHAPE;
      s = STARKML_REJECT;
      goto done;
    }
  }
  {
    /* Computed from the statement's own shapes (equal to the echo, checked above). */
    sm_soundness_bits bits;
    sm_stark_security_from_echo(&bits, &opt, echo, T);
    proof_bits = bits;
    int meets = floor_bits_override ? bits.conjectured_bits >= floor_bits_override
                                    : sm_soundness_meets(&bits, floor);
    if (!meets) {
      sm_log(ctx, "verify: the proof's options give %u provable / %u conjectured bits, below "
                  "the floor", bits.provable_bits, bits.conjectured_bits);
      *reason = SM_REJ_BELOW_FLOOR;
      s = STARKML_REJECT;
      goto done;
    }
  }
  /* Commitments: the preprocessed, main, aux (then every table's claimed sum) and quotient
     stage caps. */
  if ((s = r_section(&r, SM_SEC_COMMITMENTS, &sec)) != STARKML_OK) goto done;
  for (int g = 0; g < SM_N_STAGES && s == STARKML_OK; g++) {
    vstage *v = &vs[g];
    v->used = sm_stage_shape(ti, T, g, opt.n_queries, &v->L, &v->cap_h);
    if (v->used) {
      if ((v->cap = sm_xcalloc((size_t)1 << v->cap_h, sizeof(sm_digest))) == NULL)
        s = STARKML_ERR_NOMEM;
      else
        s = r_cap(&sec, v->cap, v->cap_h);
    }
    if (g == SM_STAGE_AUX)
      for (size_t t = 0; t < T; t++)
        if (ti[t].n_aux > 0) sm_r_gl3(&sec, &vt[t].claimed);
  }
  if (s == STARKML_OK && sm_r_finish(&sec) != STARKML_OK) s = STARKML_ERR_PARSE;
  if (s != STARKML_OK) goto done;
  {
    /* The roots above the caps, in parallel; the preprocessed tree's must be the setup's. */
    int cap_err = 0;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 1) reduction(| : cap_err)
    for (int g = 0; g < SM_N_STAGES; g++)
      if (vs[g].used)
        cap_err |= sm_merkle_cap_root(&vs[g].root, vs[g].cap, vs[g].cap_h) != STARKML_OK;
    if (cap_err) {
      s = STARKML_ERR_NOMEM;
      goto done;
    }
    if (vs[SM_STAGE_PRE].used &&
        memcmp(vs[SM_STAGE_PRE].root.b, st->pre_root->b, SM_DIGEST_LEN) != 0)
      pre_bad = 1;
  }
  /* Out-of-domain values. */
  if ((s = r_section(&r, SM_SEC_OOD, &sec)) != STARKML_OK) goto done;
  for (size_t t = 0; t < T; t++) {
    size_t n = 2 * ti[t].n_base_open + 3 * (size_t)ti[t].n_pieces;
    if ((vt[t].ood = sm_xcalloc(n, sizeof(gl3_t))) == NULL) {
      s = STARKML_ERR_NOMEM;
      goto done;
    }
    for (size_t c = 0; c < n; c++) sm_r_gl3(&sec, &vt[t].ood[c]);
  }
  if (sm_r_finish(&sec) != STARKML_OK) {
    s = STARKML_ERR_PARSE;
    goto done;
  }
  /* FRI commitment. */
  sm_stark_fri_params(&fp, &opt, ti, T, ctx->threads);
  {
    unsigned sizes[SM_STARK_MAX_TABLES];
    for (size_t t = 0; t < T; t++) sizes[t] = ti[t].log_big;
    if (sm_fri_schedule_compute(&sched, &fp, sizes, T) != STARKML_OK) {
      *reason = SM_REJ_BAD_OPTIONS;
      s = STARKML_REJECT;
      goto done;
    }
  }
  fri_roots = sm_xcalloc(sched.n_layers, sizeof *fri_roots);
  fri_final = sm_xcalloc(sched.n_final, sizeof *fri_final);
  if (fri_roots == NULL || fri_final == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  if ((s = r_section(&r, SM_SEC_FRI, &sec)) != STARKML_OK) goto done;
  {
    /* The layer count and the final polynomial's length are fixed by the schedule: a
       different count is a shape error, a longer final polynomial a degree error. */
    uint32_t n_roots = 0, n_final = 0;
    if (sec.len >= 4) n_roots = sm_le32_get(sec.p);
    if (sec.len >= 8 + 32 * (size_t)n_roots && n_roots == sched.n_layers)
      n_final = sm_le32_get(sec.p + 4 + 32 * (size_t)n_roots);
    if (sec.len >= 4 && n_roots != sched.n_layers) {
      *reason = SM_REJ_SHAPE;
      s = STARKML_REJECT;
      goto done;
    }
    if (sec.len >= 8 + 32 * (size_t)n_roots && n_final != sched.n_final) {
      *reason = SM_REJ_FRI_FINAL;
      s = STARKML_REJECT;
      goto done;
    }
  }
  if (sm_fri_read_commitment(fri_roots, fri_final, &sec, &sched) != STARKML_OK ||
      sm_r_finish(&sec) != STARKML_OK) {
    s = STARKML_ERR_PARSE;
    goto done;
  }
  if ((s = r_section(&r, SM_SEC_POW, &sec)) != STARKML_OK) goto done;
  sm_r_u64(&sec, &nonce);
  if (sm_r_finish(&sec) != STARKML_OK) {
    s = STARKML_ERR_PARSE;
    goto done;
  }
  /* Query openings. */
  if ((s = r_section(&r, SM_SEC_QUERIES, &sec)) != STARKML_OK) goto done;
  {
    uint32_t n_open = 0;
    if (sm_r_u32(&sec, &n_open) != STARKML_OK) {
      s = STARKML_ERR_PARSE;
      goto done;
    }
    if (n_open != opt.n_queries) {
      *reason = SM_REJ_QUERY_COUNT;
      s = STARKML_REJECT;
      goto done;
    }
  }
  op = sm_xcalloc((size_t)opt.n_queries * T, sizeof *op);
  fq = sm_xcalloc(opt.n_queries, sizeof *fq);
  vq = sm_xcalloc(opt.n_queries, sizeof *vq);
  if (op == NULL || fq == NULL || vq == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  for (uint32_t q = 0; q < opt.n_queries && s == STARKML_OK; q++) {
    for (size_t t = 0; t < T && s == STARKML_OK; t++) {
      const sm_tinfo *x = &ti[t];
      vopen *o = &op[(size_t)q * T + t];
      n_op++;
      if (x->user->n_pre > 0) s = r_vals(&sec, &o->pre, x->user->n_pre, 0);
      if (s == STARKML_OK) s = r_vals(&sec, &o->main, x->n_main, (int)opt.zk);
      if (s == STARKML_OK && x->n_aux > 0)
        s = r_vals(&sec, &o->aux, 3 * (size_t)x->n_aux, (int)opt.zk);
      if (s == STARKML_OK) s = r_vals(&sec, &o->quot, x->n_quot_cols, (int)opt.zk);
    }
    for (int g = 0; g < SM_N_STAGES && s == STARKML_OK; g++)
      if (vs[g].used) s = r_path(&sec, &vq[q].path[g], vs[g].L - vs[g].cap_h);
    if (s == STARKML_OK) {
      s = sm_fri_read_query_proof(&fq[q], &sec, &sched);
      n_fq++;
    }
  }
  if (s == STARKML_REJECT) {
    *reason = SM_REJ_PATH_LENGTH;
    goto done;
  }
  if (s != STARKML_OK || sm_r_finish(&sec) != STARKML_OK || sm_r_finish(&r) != STARKML_OK) {
    if (s != STARKML_ERR_NOMEM) s = STARKML_ERR_PARSE;
    goto done;
  }

  /* ---- replay and check ---- */
  if (pre_bad) {
    *reason = SM_REJ_MERKLE; /* a preprocessed cap that is not the setup's tree */
    s = STARKML_REJECT;
    goto done;
  }
  if ((s = sm_stark_absorb_statement(&tr, st, &opt, ti)) != STARKML_OK) goto done;
  sm_tr_absorb(&tr, "main", vs[SM_STAGE_MAIN].root.b, SM_DIGEST_LEN);
  gl3_t alpha = sm_tr_challenge_gl3(&tr, "logup-alpha");
  gl3_t beta = sm_tr_challenge_gl3(&tr, "logup-beta");
  gl3_t total = gl3_from_base(0);
  if (vs[SM_STAGE_AUX].used) sm_tr_absorb(&tr, "aux", vs[SM_STAGE_AUX].root.b, SM_DIGEST_LEN);
  for (size_t t = 0; t < T; t++)
    if (ti[t].n_aux > 0) {
      sm_tr_absorb_gl3(&tr, "claimed-sum", &vt[t].claimed, 1);
      total = gl3_add(total, vt[t].claimed);
    }
  if (!gl3_eq(total, gl3_from_base(0))) {
    *reason = SM_REJ_LOGUP_SUM;
    s = STARKML_REJECT;
    goto done;
  }
  gl3_t gamma = sm_tr_challenge_gl3(&tr, "compose");
  sm_tr_absorb(&tr, "quotient", vs[SM_STAGE_QUOT].root.b, SM_DIGEST_LEN);
  gl3_t z = sm_tr_challenge_gl3(&tr, "ood");
  /* z must avoid every trace domain (Z_H(z) = 0) and every LDE domain ((z/s)^N = 1). */
  for (size_t t = 0; t < T; t++) {
    gl3_t one = gl3_from_base(1);
    gl3_t zs = gl3_mul_base(z, gl_inv(ti[t].shift));
    if (gl3_eq(sm_gl3_exp(z, ti[t].n), one) || gl3_eq(sm_gl3_exp(zs, ti[t].big), one) ||
        gl3_eq(sm_gl3_exp(z, ti[t].big), one)) {
      *reason = SM_REJ_OOD_POINT;
      s = STARKML_REJECT;
      goto done;
    }
  }
  for (size_t t = 0; t < T; t++)
    sm_tr_absorb_gl3(&tr, "ood-values", vt[t].ood,
                     2 * ti[t].n_base_open + 3 * (size_t)ti[t].n_pieces);
  {
    gl3_t gp = gl3_from_base(1);
    for (size_t t = 0; t < T; t++) {
      int ok = ood_ok(&ti[t], &vt[t], st->publics ? st->publics[t] : NULL, alpha, beta, gp,
                      gamma, z);
      if (ok < 0) {
        s = STARKML_ERR_NOMEM;
        goto done;
      }
      if (!ok) {
        *reason = SM_REJ_OOD;
        s = STARKML_REJECT;
        goto done;
      }
      for (size_t j = 0; j < ti[t].ext.n_constraints; j++) gp = gl3_mul(gp, gamma);
    }
  }
  gl3_t lambda = sm_tr_challenge_gl3(&tr, "deep");
  {
    unsigned sizes[SM_STARK_MAX_TABLES];
    for (size_t t = 0; t < T; t++) sizes[t] = ti[t].log_big;
    starkml_status fs = sm_fri_verifier_init(&fv, &tr, &fp, sizes, T, fri_roots,
                                             sched.n_layers, fri_final, sched.n_final);
    if (fs != STARKML_OK) {
      *reason = SM_REJ_FRI_FINAL;
      s = fs == STARKML_REJECT ? STARKML_REJECT : fs;
      goto done;
    }
    fv_ok = 1;
  }
  if (sm_tr_check_pow(&tr, opt.grinding_bits, nonce) != STARKML_OK) {
    *reason = SM_REJ_POW;
    s = STARKML_REJECT;
    goto done;
  }
  qidx = sm_xcalloc(opt.n_queries, sizeof *qidx);
  inj = sm_xcalloc(sched.n_layers + 1, sizeof *inj);
  size_t n_w = 0;
  for (size_t t = 0; t < T; t++) n_w += 2 * ti[t].n_base_open + 3 * (size_t)ti[t].n_pieces + 1;
  dw = sm_xcalloc(n_w, sizeof *dw);
  if (qidx == NULL || inj == NULL || dw == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  sm_tr_challenge_indices(&tr, "queries", qidx, opt.n_queries, log_big_max);
  {
    gl3_t lp = gl3_from_base(1);
    for (size_t i = 0; i < n_w; i++) dw[i] = lp, lp = gl3_mul(lp, lambda);
    size_t off = 0;
    for (size_t t = 0; t < T; t++) {
      deep_constants(&ti[t], &vt[t], dw + off);
      off += 2 * ti[t].n_base_open + 3 * (size_t)ti[t].n_pieces + 1;
    }
  }
  /* The queries are independent checks of read-only data: they run in parallel, and the
     verdict is that of the first failing query in order, as a sequential loop would give
     (the same reason for the same bytes on any thread count). */
  qstat = sm_xcalloc(opt.n_queries, sizeof *qstat);
  qreason = sm_xcalloc(opt.n_queries, sizeof *qreason);
  inj_all = sm_xcalloc((size_t)opt.n_queries * (sched.n_layers + 1), sizeof *inj_all);
  if (qstat == NULL || qreason == NULL || inj_all == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  row_bad = sm_xcalloc(opt.n_queries, 1);
  if (row_bad == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  check_rows(row_bad, ti, vs, op, vq, T, qidx, opt.n_queries, log_big_max, (int)opt.zk,
             ctx->threads);
  /* The FRI layers' paths of all queries at once; only when some path fails is each query
     checked on its own, which names the first failing one exactly as before. */
  const int fri_paths_ok = sm_fri_verify_paths(&fv, qidx, fq, opt.n_queries, ctx->threads);
  dinv = sm_xcalloc((size_t)ctx->threads * 6 * T, sizeof *dinv);
  if (dinv == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  uint32_t first_bad = UINT32_MAX;
#pragma omp parallel for num_threads(ctx->threads) schedule(dynamic, 4) reduction(min : first_bad)
  for (uint32_t q = 0; q < opt.n_queries; q++) {
    gl3_t *qinj = inj_all + (size_t)q * (sched.n_layers + 1);
    for (unsigned j = 0; j <= sched.n_layers; j++) qinj[j] = gl3_from_base(0);
    size_t woff = 0;
    int bad = 0;
    if (row_bad[q]) { /* an opened row that is not in its tree (check_rows) */
      qreason[q] = SM_REJ_MERKLE;
      qstat[q] = STARKML_REJECT;
      bad = 1;
    }
    /* 1 / (x_t - z) and 1 / (x_t - z w_t) of every table, in one batch inversion (x - z
       is nonzero: z lies outside the LDE domains, or the proof was already refused). */
    gl3_t *den = dinv + (size_t)omp_get_thread_num() * 6 * T, *dscr = den + 2 * T;
    for (size_t t = 0; t < T && !bad; t++) {
      const sm_tinfo *x = &ti[t];
      const size_t row = qidx[q] >> (log_big_max - x->log_big);
      gl3_t X = gl3_from_base(sm_fri_point(log_big_max, x->log_big, row));
      den[2 * t] = gl3_sub(X, z);
      den[2 * t + 1] = gl3_sub(X, gl3_mul_base(z, gl_root_of_unity(x->log_n)));
    }
    if (!bad) sm_air_gl3_batch_inv(den, den, 2 * T, dscr);
    for (size_t t = 0; t < T && !bad; t++) {
      const sm_tinfo *x = &ti[t];
      const vopen *o = &op[(size_t)q * T + t];
      gl3_t v = deep_at(x, &vt[t], o, den[2 * t], den[2 * t + 1], dw + woff);
      woff += 2 * x->n_base_open + 3 * (size_t)x->n_pieces + 1;
      for (unsigned j = 0; j <= sched.n_layers; j++)
        if (sched.log_size[j] == x->log_big) qinj[j] = gl3_add(qinj[j], v);
    }
    if (!bad) {
      sm_fri_reason fr;
      starkml_status fs =
          fri_paths_ok ? sm_fri_verify_query_values(&fr, &fv, qidx[q], qinj, sched.n_layers + 1, &fq[q])
                       : sm_fri_verify_query(&fr, &fv, qidx[q], qinj, sched.n_layers + 1, &fq[q]);
      if (fs != STARKML_OK) {
        qreason[q] = fr == SM_FRI_REASON_FINAL ? SM_REJ_FRI_FINAL
                     : fr == SM_FRI_REASON_PATH ? SM_REJ_MERKLE
                                                : SM_REJ_FRI;
        qstat[q] = fs;
        bad = 1;
      }
    }
    if (bad && q < first_bad) first_bad = q;
  }
  if (first_bad != UINT32_MAX) {
    *reason = qreason[first_bad];
    s = qstat[first_bad];
    goto done;
  }
  s = STARKML_OK;

done:
  if (op != NULL)
    for (size_t i = 0; i < n_op; i++) {
      vrow_free(&op[i].pre), vrow_free(&op[i].main), vrow_free(&op[i].aux);
      vrow_free(&op[i].quot);
    }
  if (fq != NULL)
    for (size_t i = 0; i < n_fq; i++) sm_fri_query_proof_free(&fq[i]);
  if (vt != NULL)
    for (size_t t = 0; t < T; t++) free(vt[t].ood);
  if (vq != NULL)
    for (size_t q = 0; q < opt.n_queries; q++)
      for (int g = 0; g < SM_N_STAGES; g++) free(vq[q].path[g]);
  for (int g = 0; g < SM_N_STAGES; g++) free(vs[g].cap);
  if (ti_ok) sm_tinfo_free(ti, T);
  if (fv_ok) sm_fri_verifier_free(&fv);
  free(ti), free(vt), free(op), free(fq), free(vq), free(fri_roots), free(fri_final), free(dw);
  free(inj);
  free(qidx), free(row_bad);
  free(qstat), free(qreason), free(inj_all), free(dinv);
  sm_tr_free(&tr);
  if (s != STARKML_REJECT) *reason = s == STARKML_OK ? SM_REJ_NONE : *reason;
  if (s == STARKML_OK && bits_out != NULL) *bits_out = proof_bits;
  return s;
}
