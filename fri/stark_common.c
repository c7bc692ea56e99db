/* Shapes, options and the Fiat-Shamir statement shared by the STARK prover and verifier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fri/stark_internal.h"

const char *sm_stark_reject_str(sm_stark_reject r) {
  static const char *const names[] = {
#define SM_REJ_STR_(name, str) str,
      SM_STARK_REJECT_MAP(SM_REJ_STR_)
#undef SM_REJ_STR_
  };
  if ((unsigned)r >= (unsigned)SM_REJ_COUNT_) return "unknown reason";
  return names[r];
}

starkml_status sm_stark_options_check(const sm_stark_options *opt) {
  if (opt == NULL) return STARKML_ERR_ARG;
  if (opt->log_blowup < 1 || opt->log_blowup > 6) return STARKML_ERR_ARG;
  if (opt->n_queries < 1 || opt->n_queries > 512) return STARKML_ERR_ARG;
  if (opt->grinding_bits > SM_TR_MAX_POW_BITS) return STARKML_ERR_ARG;
  if (opt->zk > 1 || opt->preset > SM_PRESET_FAST) return STARKML_ERR_ARG;
  if (opt->log_arity < 1 || opt->log_arity > SM_FRI_MAX_LOG_ARITY) return STARKML_ERR_ARG;
  if (opt->log_final_degree > 10) return STARKML_ERR_ARG;
  return STARKML_OK;
}

static size_t next_pow2(size_t x) {
  size_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

static unsigned log2_exact(size_t x) {
  unsigned l = 0;
  while (((size_t)1 << l) < x) l++;
  return l;
}

/*
 * Zero knowledge for LogUp. Each table reveals its claimed sum c_t = sum m / (alpha - phi),
 * a function of its private rows. In zk mode, the tables with interactions are put in a
 * ring; table b_i sends SM_STARK_BLIND_K interactions on the engine's blind bus with
 * tuple (3i + k) and hidden multiplicity r_{i,k} (a main column, non-zero on row 0 only),
 * and b_{i+1} receives them with multiplicity -r_{i,k}. The blind bus balances by itself,
 * so soundness is unchanged (its fingerprints differ from every statement bus), while
 * c_t gains M_t - M_{t-1}, M_t = sum_k r_{t,k} / (alpha - phi(blind, 3t + k)): with the
 * r uniform and the three denominators independent over F_p (alpha not in F_p), M_t is
 * uniform in the extension, so the revealed sums are uniform subject to summing to zero.
 * Columns added: SM_STARK_BLIND_K send multiplicities, then SM_STARK_BLIND_K receive ones.
 */
static starkml_status blind_augment(sm_air_table *out, const sm_air_table *u, int send,
                                    int recv) {
  starkml_status s = sm_air_table_copy(out, u);
  if (s != STARKML_OK) return s;
  const size_t K = SM_STARK_BLIND_K;
  size_t nn = out->n_nodes + 5 * K, ni = out->n_interactions + 2 * K;
  sm_expr_node *nodes = realloc(out->nodes, nn * sizeof *nodes);
  if (nodes == NULL) {
    sm_air_table_free(out);
    return STARKML_ERR_NOMEM;
  }
  out->nodes = nodes;
  sm_interaction *ia = realloc(out->interactions, ni * sizeof *ia);
  if (ia == NULL) {
    sm_air_table_free(out);
    return STARKML_ERR_NOMEM;
  }
  out->interactions = ia;
  const uint32_t base_col = u->n_main;
  for (size_t k = 0; k < K; k++) {
    uint32_t at = (uint32_t)out->n_nodes;
    sm_expr_node send_col = {SM_EX_COL, SM_COL_MAIN, 0, 0, base_col + (uint32_t)k, 0, 0};
    sm_expr_node send_tag = {SM_EX_CONST, 0, 0, 0, 0, 0, 3 * (gl_t)send + k};
    sm_expr_node recv_col = {SM_EX_COL, SM_COL_MAIN, 0, 0, base_col + (uint32_t)(K + k), 0, 0};
    sm_expr_node recv_neg = {SM_EX_NEG, 0, 0, 0, at + 2, 0, 0};
    sm_expr_node recv_tag = {SM_EX_CONST, 0, 0, 0, 0, 0, 3 * (gl_t)recv + k};
    nodes[at] = send_col, nodes[at + 1] = send_tag, nodes[at + 2] = recv_col;
    nodes[at + 3] = recv_neg, nodes[at + 4] = recv_tag;
    out->n_nodes += 5;
    sm_interaction is = {SM_STARK_BLIND_BUS, at, 1, {at + 1}};
    sm_interaction ir = {SM_STARK_BLIND_BUS, at + 3, 1, {at + 4}};
    ia[out->n_interactions++] = is;
    ia[out->n_interactions++] = ir;
  }
  out->n_main += 2 * SM_STARK_BLIND_K;
  return STARKML_OK;
}

void sm_tinfo_free(sm_tinfo *ti, size_t n) {
  if (ti == NULL) return;
  for (size_t t = 0; t < n; t++) sm_air_table_free(&ti[t].ext);
  memset(ti, 0, n * sizeof *ti);
}

starkml_status sm_tinfo_derive(sm_tinfo *ti, unsigned *log_big_max, const sm_stark_statement *st,
                               const sm_stark_options *opt, char *why, size_t why_len) {
  char dummy[8];
  if (why == NULL || why_len == 0) why = dummy, why_len = sizeof dummy;
  why[0] = 0;
  *log_big_max = 0;
  if (st == NULL || st->n_tables == 0 || st->n_tables > SM_STARK_MAX_TABLES ||
      st->tables == NULL || sm_stark_options_check(opt) != STARKML_OK) {
    snprintf(why, why_len, "bad statement or options");
    return STARKML_ERR_ARG;
  }
  memset(ti, 0, st->n_tables * sizeof *ti);
  size_t cons = 0, ring_size = 0, ring_pos = 0;
  const size_t blowup = (size_t)1 << opt->log_blowup;
  for (size_t t = 0; t < st->n_tables; t++) ring_size += st->tables[t].n_interactions > 0;
  starkml_status s = STARKML_OK;
  for (size_t t = 0; t < st->n_tables && s == STARKML_OK; t++) {
    sm_tinfo *x = &ti[t];
    const sm_air_table *u = &st->tables[t];
    x->user = u;
    char msg[160];
    if ((s = sm_air_validate(u, 0, msg, sizeof msg)) != STARKML_OK) {
      snprintf(why, why_len, "table %zu: %s", t, msg);
      break;
    }
    if (u->n_main == 0 || (u->n_public > 0 && (st->publics == NULL || st->publics[t] == NULL))) {
      snprintf(why, why_len, "table %zu (%s): needs main columns and its public values", t,
               u->name);
      s = STARKML_ERR_ARG;
      break;
    }
    for (size_t k = 0; k < u->n_interactions; k++)
      if (u->interactions[k].bus >= SM_STARK_FIRST_ENGINE_BUS) {
        snprintf(why, why_len, "table %zu (%s): bus %u is reserved for the engine", t,
                 u->name, u->interactions[k].bus);
        s = STARKML_ERR_ARG;
      }
    if (s != STARKML_OK) break;
    x->blind_send = x->blind_recv = -1;
    if (opt->zk && ring_size >= 2 && u->n_interactions > 0) {
      x->blind_send = (int)ring_pos;
      x->blind_recv = (int)((ring_pos + ring_size - 1) % ring_size);
      ring_pos++;
      sm_air_table aug;
      if ((s = blind_augment(&aug, u, x->blind_send, x->blind_recv)) != STARKML_OK) break;
      s = sm_air_logup_extend(&aug, &x->ext);
      sm_air_table_free(&aug);
      if (s != STARKML_OK) break;
    } else if ((s = sm_air_logup_extend(u, &x->ext)) != STARKML_OK) {
      break;
    }
    x->n_main = x->ext.n_main;
    x->n_aux = sm_air_logup_n_aux(&x->ext);
    if ((s = sm_air_max_degree(&x->ext, &x->max_degree)) != STARKML_OK) break;
    if (x->max_degree == 0) x->max_degree = 1;
    x->log_n = u->log_n;
    x->n = (size_t)1 << u->log_n;
    /* Hiding needs every revealed combination of evaluations to be uniform: each query
       reveals a witness row at x and, through the quotient, its next row at w x (2 points
       per query); z and z w are extension points worth 3 base coordinates each. */
    x->h = opt->zk ? 2 * opt->n_queries + 6 : 0;
    /* Quotient pieces are opened at q query points and at z (3 coordinates). */
    x->hq = opt->zk ? opt->n_queries + 3 : 0;
    x->d = next_pow2(x->n + x->h);
    while (x->d < 2 * (size_t)x->hq) x->d <<= 1;
    x->log_d = log2_exact(x->d);
    x->big = x->d * blowup;
    x->log_big = x->log_d + opt->log_blowup;
    if (x->log_big > SM_NTT_MAX_LOG_N || x->log_big > 30) {
      snprintf(why, why_len, "table %zu (%s): LDE of 2^%u rows is too large", t, u->name,
               x->log_big);
      s = STARKML_ERR_ARG;
      break;
    }
    x->piece_len = (uint32_t)(x->d - x->hq);
    /* The quotient's length: a constraint of degree d_j in the committed polynomials
       (randomized witness: degree <= n + h - 1; preprocessed: <= n - 1) has degree
       <= d_j (n + h - 1); dividing by its selector's vanishing polynomial removes 1
       (first, last), n - 1 (transition) or n (every row). */
    uint32_t *cdeg = calloc(x->ext.n_constraints ? x->ext.n_constraints : 1, sizeof *cdeg);
    if (cdeg == NULL) {
      s = STARKML_ERR_NOMEM;
      break;
    }
    s = sm_air_constraint_degrees(&x->ext, cdeg);
    size_t qlen = 1;
    for (size_t j = 0; s == STARKML_OK && j < x->ext.n_constraints; j++) {
      size_t dj = cdeg[j] ? cdeg[j] : 1;
      size_t num = dj * (x->n + x->h - 1), sub;
      switch (x->ext.constraints[j].selector) {
        case SM_SEL_FIRST:
        case SM_SEL_LAST: sub = 1; break;
        case SM_SEL_TRANSITION: sub = x->n - 1; break;
        default: sub = x->n; break;
      }
      size_t len = num >= sub ? num - sub + 1 : 1;
      if (len > qlen) qlen = len;
    }
    free(cdeg);
    if (s != STARKML_OK) break;
    if (qlen > x->big) {
      snprintf(why, why_len,
               "table %zu (%s): constraint degree %u is too high for log_blowup %u (the "
               "quotient needs %zu evaluations, the LDE has %zu)",
               t, u->name, x->max_degree, opt->log_blowup, qlen, x->big);
      s = STARKML_ERR_ARG;
      break;
    }
    x->n_pieces = (uint32_t)((qlen + x->piece_len - 1) / x->piece_len);
    x->cons_before = cons;
    cons += x->ext.n_constraints;
    x->n_base_open = u->n_pre + x->n_main + 3 * (size_t)x->n_aux;
    x->n_quot_cols = 3 * (size_t)x->n_pieces + (opt->zk ? 3 : 0);
    x->log_qdom = x->log_n;
    while (((size_t)1 << x->log_qdom) < qlen) x->log_qdom++;
    if (x->log_big > *log_big_max) *log_big_max = x->log_big;
  }
  if (s != STARKML_OK) {
    if (why[0] == 0) snprintf(why, why_len, "%s", starkml_strerror(s));
    sm_tinfo_free(ti, st->n_tables);
    *log_big_max = 0;
    return s;
  }
  for (size_t t = 0; t < st->n_tables; t++)
    ti[t].shift = gl_exp(GL_GENERATOR, (uint64_t)1 << (*log_big_max - ti[t].log_big));
  return STARKML_OK;
}

void sm_stark_fri_params(sm_fri_params *fp, const sm_stark_options *opt, const sm_tinfo *ti,
                         size_t n_tables, int threads) {
  /* The final layer cannot be larger than the smallest input's degree bound. */
  unsigned lfd = opt->log_final_degree;
  for (size_t t = 0; t < n_tables; t++)
    if (ti[t].log_d < lfd) lfd = ti[t].log_d;
  fp->log_blowup = opt->log_blowup;
  fp->log_arity = opt->log_arity;
  fp->log_final_degree = lfd;
  fp->threads = threads;
  fp->backend = NULL;
}

starkml_status sm_stark_absorb_statement(sm_transcript *tr, const sm_stark_statement *st,
                                         const sm_stark_options *opt, const sm_tinfo *ti) {
  sm_writer w;
  sm_w_init(&w, 1u << 26);
  sm_w_u32(&w, SM_STARK_PROTOCOL_VERSION);
  sm_w_u32(&w, opt->log_blowup);
  sm_w_u32(&w, opt->n_queries);
  sm_w_u32(&w, opt->grinding_bits);
  sm_w_u32(&w, opt->zk);
  sm_w_u32(&w, opt->preset);
  sm_w_u32(&w, opt->log_arity);
  sm_w_u32(&w, opt->log_final_degree);
  sm_w_u32(&w, (uint32_t)st->n_tables);
  int any_pre = 0;
  for (size_t t = 0; t < st->n_tables; t++) {
    const sm_air_table *u = ti[t].user;
    uint8_t hash[32];
    if (st->table_hashes != NULL) {
      memcpy(hash, st->table_hashes[t].b, sizeof hash);
    } else {
      starkml_status s = sm_air_hash(u, hash);
      if (s != STARKML_OK) {
        sm_w_free(&w);
        return s;
      }
    }
    sm_w_bytes(&w, hash, sizeof hash);
    sm_w_u32(&w, u->log_n);
    sm_w_u32(&w, ti[t].h);
    sm_w_u32(&w, ti[t].hq);
    sm_w_u32(&w, u->n_pre);
    sm_w_u32(&w, u->n_main);
    sm_w_u32(&w, ti[t].n_aux);
    sm_w_u32(&w, u->n_public);
    if (u->n_public > 0) sm_w_gl_array(&w, st->publics[t], u->n_public);
    any_pre |= u->n_pre > 0;
  }
  if (any_pre) sm_w_bytes(&w, st->pre_root->b, SM_DIGEST_LEN);
  starkml_status s = sm_w_status(&w);
  if (s == STARKML_OK) sm_tr_absorb(tr, "statement", w.buf, w.len);
  sm_w_free(&w);
  return s;
}

void sm_tinfo_echo(sm_table_echo *e, const sm_tinfo *x) {
  memset(e, 0, sizeof *e);
  e->log_n = x->log_n;
  e->h = x->h;
  e->hq = x->hq;
  e->n_pieces = x->n_pieces;
  e->max_degree = x->max_degree;
  e->n_constraints = (uint32_t)x->ext.n_constraints;
  e->n_committed = (uint32_t)(x->n_base_open + x->n_quot_cols);
  e->n_interactions = (uint32_t)x->ext.n_interactions;
  e->tuple_width = 1;
  for (size_t k = 0; k < x->ext.n_interactions; k++)
    if (x->ext.interactions[k].n_values + 1 > e->tuple_width)
      e->tuple_width = x->ext.interactions[k].n_values + 1;
}

void sm_echo_to_words(uint32_t w[SM_STARK_ECHO_WORDS], const sm_table_echo *e) {
  const uint32_t v[SM_STARK_ECHO_WORDS] = {e->log_n,      e->h,           e->hq,
                                           e->n_pieces,   e->max_degree,  e->n_constraints,
                                           e->n_committed, e->n_interactions, e->tuple_width};
  memcpy(w, v, sizeof v);
}

void sm_echo_from_words(sm_table_echo *e, const uint32_t w[SM_STARK_ECHO_WORDS]) {
  e->log_n = w[0], e->h = w[1], e->hq = w[2], e->n_pieces = w[3], e->max_degree = w[4];
  e->n_constraints = w[5], e->n_committed = w[6], e->n_interactions = w[7];
  e->tuple_width = w[8];
}

void sm_stark_security_from_echo(sm_soundness_bits *out, const sm_stark_options *opt,
                                 const sm_table_echo *e, size_t n_tables) {
  memset(out, 0, sizeof *out);
  sm_soundness_params p;
  memset(&p, 0, sizeof p);
  p.field_bits = SM_FIELD_BITS_GOLDILOCKS3;
  p.hash_bits = SM_HASH_BITS_SHA3_256;
  p.log_blowup = opt->log_blowup;
  p.num_queries = opt->n_queries;
  p.grinding_bits = opt->grinding_bits;
  p.fold_arity = 1u << opt->log_arity;
  p.ali_batching = SM_BATCH_POWERS;
  p.deep_batching = SM_BATCH_POWERS;
  p.proxgap = SM_PROXGAP_BEST;
  p.num_ood_points = 2;
  p.logup_tuple_width = 1;
  for (size_t t = 0; t < n_tables; t++) {
    /* The committed degree bound D = next_pow2(n + h) (at least 2 hq). */
    size_t n = (size_t)1 << e[t].log_n, d = 1;
    while (d < n + e[t].h) d <<= 1;
    while (d < 2 * (size_t)e[t].hq) d <<= 1;
    unsigned log_d = 0;
    while (((size_t)1 << log_d) < d) log_d++;
    if (log_d > p.log_trace_len) p.log_trace_len = log_d;
    if (e[t].max_degree > p.max_degree) p.max_degree = e[t].max_degree;
    p.num_constraints += e[t].n_constraints;
    p.num_committed_polys += e[t].n_committed;
    p.logup_num_lookups += (uint64_t)n * e[t].n_interactions;
    if (e[t].n_interactions > 0) p.logup_table_size += n;
    if (e[t].tuple_width > p.logup_tuple_width) p.logup_tuple_width = e[t].tuple_width;
  }
  if (p.num_constraints == 0) p.num_constraints = 1;
  if (p.max_degree == 0) p.max_degree = 1;
  sm_soundness_compute(out, &p);
}

starkml_status sm_stark_security(sm_soundness_bits *out, const sm_stark_statement *st,
                                 const sm_stark_options *opt) {
  memset(out, 0, sizeof *out);
  if (st == NULL || st->n_tables > SM_STARK_MAX_TABLES) return STARKML_ERR_ARG;
  sm_tinfo *ti = calloc(st->n_tables ? st->n_tables : 1, sizeof *ti);
  sm_table_echo *e = calloc(st->n_tables ? st->n_tables : 1, sizeof *e);
  if (ti == NULL || e == NULL) {
    free(ti), free(e);
    return STARKML_ERR_NOMEM;
  }
  unsigned log_big_max;
  starkml_status s = sm_tinfo_derive(ti, &log_big_max, st, opt, NULL, 0);
  if (s == STARKML_OK) {
    for (size_t t = 0; t < st->n_tables; t++) sm_tinfo_echo(&e[t], &ti[t]);
    sm_stark_security_from_echo(out, opt, e, st->n_tables);
    sm_tinfo_free(ti, st->n_tables);
  }
  free(ti), free(e);
  return s;
}

starkml_status sm_stark_options_preset(sm_stark_options *out, sm_preset preset,
                                       const sm_stark_statement *st, int zk) {
  memset(out, 0, sizeof *out);
  if (st == NULL || st->n_tables == 0 || st->tables == NULL) return STARKML_ERR_ARG;
  unsigned max_log_n = 0, max_deg = 1;
  for (size_t t = 0; t < st->n_tables; t++) {
    sm_air_table ext;
    if (sm_air_logup_extend(&st->tables[t], &ext) != STARKML_OK) return STARKML_ERR_ARG;
    uint32_t d = 1;
    starkml_status s = sm_air_max_degree(&ext, &d);
    sm_air_table_free(&ext);
    if (s != STARKML_OK) return s;
    if (d > max_deg) max_deg = d;
    if (st->tables[t].log_n > max_log_n) max_log_n = st->tables[t].log_n;
  }
  /* The randomized degree bound is at most 2 n (or the randomizer's size for tiny
     tables); one more bit of trace length only lowers the figures, so it is safe. */
  unsigned log_trace = max_log_n + (zk ? 1 : 0);
  if (log_trace < 9) log_trace = 9;
  sm_soundness_params p;
  starkml_status s = sm_soundness_preset(&p, preset, log_trace, max_deg);
  if (s != STARKML_OK) return s;
  out->log_blowup = p.log_blowup;
  out->n_queries = p.num_queries;
  out->grinding_bits = p.grinding_bits;
  out->zk = zk ? 1 : 0;
  out->preset = (uint32_t)preset;
  out->log_arity = 3;
  out->log_final_degree = 3;
  /* The preset's table assumes binary folding and limit-sized statements; recompute for
     this statement and these options, and add queries until the floor is met. */
  for (;;) {
    sm_soundness_bits b;
    s = sm_stark_security(&b, st, out);
    if (s != STARKML_OK) break;
    if (sm_soundness_meets(&b, preset)) return STARKML_OK;
    if (out->n_queries >= 512) {
      s = STARKML_ERR_ARG;
      break;
    }
    out->n_queries++;
  }
  memset(out, 0, sizeof *out);
  return s;
}

starkml_status sm_stark_inspect(sm_stark_info *out, const uint8_t *proof, size_t len) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (proof == NULL && len > 0) return STARKML_ERR_ARG;
  if (len > SM_STARK_MAX_PROOF_BYTES) return STARKML_ERR_PARSE;
  static const char *const names[] = {"header", "commitments", "ood", "fri", "pow", "queries"};
  sm_reader r;
  sm_r_init(&r, proof, len);
  uint8_t magic[4] = {0};
  sm_r_bytes(&r, magic, 4);
  sm_r_u32(&r, &out->version);
  if (r.err != STARKML_OK || memcmp(magic, SM_STARK_MAGIC, 4) != 0 ||
      out->version != SM_STARK_PROTOCOL_VERSION)
    goto bad;
  sm_table_echo echo[SM_STARK_MAX_TABLES];
  for (uint32_t tag = SM_SEC_HEADER; tag <= SM_SEC_COUNT_; tag++) {
    uint32_t got = 0, slen = 0;
    sm_r_u32(&r, &got);
    sm_r_u32(&r, &slen);
    if (r.err != STARKML_OK || got != tag || slen > sm_r_remaining(&r)) goto bad;
    if (tag == SM_SEC_HEADER) {
      sm_reader h;
      sm_r_init(&h, r.p + r.pos, slen);
      sm_stark_options *o = &out->options;
      sm_r_u32(&h, &o->log_blowup);
      sm_r_u32(&h, &o->n_queries);
      sm_r_u32(&h, &o->grinding_bits);
      sm_r_u32(&h, &o->zk);
      sm_r_u32(&h, &o->preset);
      sm_r_u32(&h, &o->log_arity);
      sm_r_u32(&h, &o->log_final_degree);
      sm_r_u32(&h, &out->n_tables);
      if (h.err != STARKML_OK || out->n_tables == 0 || out->n_tables > SM_STARK_MAX_TABLES ||
          sm_stark_options_check(o) != STARKML_OK)
        goto bad;
      for (uint32_t t = 0; t < out->n_tables; t++) {
        uint32_t words[SM_STARK_ECHO_WORDS];
        for (int k = 0; k < SM_STARK_ECHO_WORDS; k++) sm_r_u32(&h, &words[k]);
        sm_echo_from_words(&echo[t], words);
        if (echo[t].log_n < SM_AIR_MIN_LOG_N || echo[t].log_n > SM_AIR_MAX_LOG_N) goto bad;
        out->table_log_n[t] = echo[t].log_n;
        out->table_max_degree[t] = echo[t].max_degree;
        out->table_committed[t] = echo[t].n_committed;
      }
      if (sm_r_finish(&h) != STARKML_OK) goto bad;
    }
    out->sections[out->n_sections].name = names[tag - 1];
    out->sections[out->n_sections].bytes = (size_t)slen + 8;
    out->n_sections++;
    r.pos += slen;
  }
  if (sm_r_finish(&r) != STARKML_OK) goto bad;
  out->total_bytes = len;
  sm_stark_security_from_echo(&out->security, &out->options, echo, out->n_tables);
  return STARKML_OK;
bad:
  memset(out, 0, sizeof *out);
  return STARKML_ERR_PARSE;
}

void sm_deep_constants(gl3_t k[3], const sm_tinfo *x, const gl3_t *ood, const gl3_t *w) {
  const size_t nbo = x->n_base_open, nq = 3 * (size_t)x->n_pieces;
  k[0] = k[1] = k[2] = gl3_from_base(0);
  for (size_t c = 0; c < nbo; c++) {
    k[0] = gl3_add(k[0], gl3_mul(w[c], ood[c]));
    k[1] = gl3_add(k[1], gl3_mul(w[nbo + c], ood[nbo + c]));
  }
  for (size_t c = 0; c < nq; c++) k[2] = gl3_add(k[2], gl3_mul(w[2 * nbo + c], ood[2 * nbo + c]));
}
