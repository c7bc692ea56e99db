/*
 * Lowering of a quantized model to constraint tables (air/zkair.h; docs/zkml-air.md).
 *
 * Every table is built with the builder from its column layout below, and every witness
 * column is filled by the function next to it, so a layout change is made in one place.
 * Padding rows (up to the power-of-two height) have every preprocessed column zero, which
 * switches every interaction off (multiplicity 0) and makes every constraint hold with a
 * zero witness row.
 */
#include "air/zkair.h"
#include "core/ctx.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/sponge.h"
#include "core/poseidon2.h"


static gl_t fe(int64_t v) { return v >= 0 ? (gl_t)v : GL_P - (gl_t)(-(v + 1)) - 1; }

static const char *const k_names[SM_ZC_T_COUNT_] = {
    "weights", "input", "mac", "requant", "act", "lut", "max", "div", "rc", "range8", "output"};

const char *sm_zc_table_name(uint32_t kind) {
  return kind < SM_ZC_T_COUNT_ ? k_names[kind] : "unknown";
}

/* ---- Column layouts ------------------------------------------------------------------- */

#define L_ SM_ZC_MAC_LANES
/* mac */
enum { MAC_P_START = 0, MAC_P_OKEY, MAC_P_OMULT, MAC_P_LANE0 };
enum { MAC_XK = 0, MAC_XA, MAC_XC, MAC_WK, MAC_WA, MAC_WC, MAC_LANE_PRE };
#define MAC_N_PRE (MAC_P_LANE0 + MAC_LANE_PRE * L_)
#define MAC_N_MAIN (1 + 2 * L_)
/* requant */
enum { RQ_P_IN = 0, RQ_P_OUT, RQ_P_OMULT, RQ_P_M, RQ_P_H, RQ_P_P, RQ_P_LO, RQ_P_HI, RQ_P_ACT, RQ_N_PRE };
enum { RQ_A = 0, RQ_Q, RQ_R, RQ_Y, RQ_CL, RQ_CH, RQ_RL = 6, RQ_SL = 10, RQ_GL = 14, RQ_E1 = 18, RQ_E2 = 20, RQ_N_MAIN = 22 };
/* act */
enum { AC_P_IN = 0, AC_P_OUT, AC_P_OMULT, AC_P_FN, AC_P_ACT, AC_N_PRE };
enum { AC_X = 0, AC_Y, AC_N_MAIN };
/* lut */
enum { LU_P_FN = 0, LU_P_X, LU_P_Y, LU_N_PRE };
#define LU_PAD_FN 0xFFFFFFFFull /* no consumer names this table index */
/* max: lanes of (key, active) / (x, select, limb0, limb1) */
enum { MX_P_OUT = 0, MX_P_OMULT, MX_P_ACT, MX_P_LANE0 };
enum { MX_Y = 0, MX_LANE0 };
/* div */
enum { DV_P_NUM = 0, DV_P_DEN, DV_P_OUT, DV_P_OMULT, DV_P_P2, DV_P_ACT, DV_N_PRE };
enum { DV_E = 0, DV_S, DV_Y, DV_R, DV_RL = 4, DV_TL = 8, DV_YL = 12, DV_N_MAIN = 14 };
/* rc */
enum { RC_P_KEY = 0, RC_P_LO, RC_P_HI, RC_P_ACT, RC_N_PRE };
/* public weights */
enum { PW_P_KEY = 0, PW_P_VAL, PW_P_MULT, PW_N_PRE };
/* private input */
enum { PI_P_KEY = 0, PI_P_MULT, PI_N_PRE };

/* ---- Builder helpers ------------------------------------------------------------------ */

static uint32_t pcol(sm_air_builder *b, uint32_t i) { return sm_ab_col(b, SM_COL_PRE, i, 0); }
static uint32_t mcol(sm_air_builder *b, uint32_t i) { return sm_ab_col(b, SM_COL_MAIN, i, 0); }
static uint32_t mnext(sm_air_builder *b, uint32_t i) { return sm_ab_col(b, SM_COL_MAIN, i, 1); }
static uint32_t cst(sm_air_builder *b, int64_t v) { return sm_ab_const(b, fe(v)); }
static uint32_t one_minus(sm_air_builder *b, uint32_t x) { return sm_ab_sub(b, cst(b, 1), x); }

static void send2(sm_air_builder *b, uint32_t bus, uint32_t mult, uint32_t k, uint32_t v) {
  uint32_t vals[2] = {k, v};
  sm_ab_interaction(b, bus, mult, vals, 2);
}

/* Limbs: main columns first..first+nl hold 8-bit limbs of e (little-endian); the constraint
   gate * (e - sum) = 0 (gate SM_AB_INVALID: no gate) and one range lookup per limb with
   multiplicity mult (a node; typically -act). */
static void limbs(sm_air_builder *b, uint32_t e, uint32_t gate, uint32_t first, unsigned nl,
                  uint32_t mult) {
  uint32_t sum = cst(b, 0);
  for (unsigned i = 0; i < nl; i++) {
    uint32_t l = mcol(b, first + i);
    sum = sm_ab_add(b, sum, sm_ab_mul(b, l, sm_ab_const(b, (gl_t)1 << (8 * i))));
    sm_ab_interaction(b, SM_ZC_BUS_RANGE, mult, &l, 1);
  }
  uint32_t d = sm_ab_sub(b, e, sum);
  if (gate != SM_AB_INVALID) d = sm_ab_mul(b, gate, d);
  sm_ab_constraint(b, d, SM_SEL_EVERY);
}

static unsigned log2_rows(size_t rows) {
  unsigned l = SM_AIR_MIN_LOG_N;
  while (((size_t)1 << l) < rows) l++;
  return l;
}

/* ---- Uses and layout ------------------------------------------------------------------ */

static size_t slot(const sm_zc_circuit *c, uint64_t key) {
  return c->offs[SM_QKEY_TENSOR(key) - 1] + SM_QKEY_INDEX(key);
}

static int needs_rc(const sm_qtensor *t) {
  return t->kind == SM_QT_WEIGHT || t->kind == SM_QT_INPUT;
}

static starkml_status count_uses(sm_zc_circuit *c) {
  const sm_qmodel *m = c->m;
  size_t nv = sm_qmodel_n_values(m);
  c->uses = calloc(nv ? nv : 1, sizeof *c->uses);
  c->offs = calloc(m->n_tensors, sizeof *c->offs);
  if (c->uses == NULL || c->offs == NULL) return STARKML_ERR_NOMEM;
  size_t off = 0;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    c->offs[i] = off;
    off += m->tensors[i].numel;
  }
  for (uint32_t k = 0; k < m->n_ops; k++) {
    const sm_qop *op = &m->ops[k];
    switch (op->kind) {
      case SM_QOP_DOT:
        for (uint32_t j = 0; j < op->n; j++) {
          const sm_qref *t = &m->terms[2u * (op->first + j)];
          if (t[0].key) c->uses[slot(c, t[0].key)]++;
          if (t[1].key) c->uses[slot(c, t[1].key)]++;
        }
        c->n_mac_rows += (op->n + L_ - 1) / L_;
        break;
      case SM_QOP_REQUANT: c->uses[slot(c, op->in)]++, c->n_req++; break;
      case SM_QOP_LUT: c->uses[slot(c, op->in)]++, c->n_act++; break;
      case SM_QOP_MAX:
        for (uint32_t j = 0; j < op->n; j++) c->uses[slot(c, m->keys[op->first + j])]++;
        if (op->n > c->max_window) c->max_window = op->n;
        c->n_max++;
        break;
      case SM_QOP_DIV:
        c->uses[slot(c, op->in)]++, c->uses[slot(c, op->in2)]++, c->n_div++;
        break;
      default: return STARKML_ERR_ARG;
    }
  }
  /* Range checks: every weight and input value is read once more by the rc table. */
  c->rc_limbs = 1;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    const sm_qtensor *t = &m->tensors[i];
    if (!needs_rc(t)) continue;
    for (uint32_t j = 0; j < t->numel; j++) c->uses[c->offs[i] + j]++;
    c->n_rc += t->numel;
    if (t->kind == SM_QT_WEIGHT) c->n_weights += t->numel;
    uint64_t span = (uint64_t)(t->hi - t->lo);
    unsigned nl = 1;
    while (nl < 4 && (span >> (8 * nl)) != 0) nl++;
    if (nl > c->rc_limbs) c->rc_limbs = nl;
  }
  /* The output table reads each output value once. */
  const sm_qtensor *to = &m->tensors[m->output - 1];
  for (uint32_t j = 0; j < to->numel; j++) c->uses[c->offs[m->output - 1] + j]++;
  for (uint32_t l = 0; l < m->n_luts; l++) c->n_lut_rows += m->luts[l].n;
  return STARKML_OK;
}

/* ---- Table descriptions --------------------------------------------------------------- */

static starkml_status build_mac(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "mac", log2_rows(rows), MAC_N_PRE, MAC_N_MAIN, 0);
  uint32_t sum = cst(b, 0), sum_next = cst(b, 0);
  for (uint32_t j = 0; j < L_; j++) {
    uint32_t p = MAC_P_LANE0 + MAC_LANE_PRE * j;
    uint32_t x = mcol(b, 1 + 2 * j), w = mcol(b, 2 + 2 * j);
    sum = sm_ab_add(b, sum, sm_ab_mul(b, x, w));
    sum_next = sm_ab_add(b, sum_next, sm_ab_mul(b, mnext(b, 1 + 2 * j), mnext(b, 2 + 2 * j)));
    sm_ab_constraint(b, sm_ab_mul(b, one_minus(b, pcol(b, p + MAC_XA)), sm_ab_sub(b, x, pcol(b, p + MAC_XC))), SM_SEL_EVERY);
    sm_ab_constraint(b, sm_ab_mul(b, one_minus(b, pcol(b, p + MAC_WA)), sm_ab_sub(b, w, pcol(b, p + MAC_WC))), SM_SEL_EVERY);
    send2(b, SM_ZC_BUS_VALUE, sm_ab_neg(b, pcol(b, p + MAC_XA)), pcol(b, p + MAC_XK), x);
    send2(b, SM_ZC_BUS_VALUE, sm_ab_neg(b, pcol(b, p + MAC_WA)), pcol(b, p + MAC_WK), w);
  }
  uint32_t acc = mcol(b, 0);
  sm_ab_constraint(b, sm_ab_sub(b, acc, sum), SM_SEL_FIRST);
  uint32_t start_next = sm_ab_col(b, SM_COL_PRE, MAC_P_START, 1);
  uint32_t carried = sm_ab_mul(b, one_minus(b, start_next), acc);
  sm_ab_constraint(b, sm_ab_sub(b, mnext(b, 0), sm_ab_add(b, carried, sum_next)), SM_SEL_TRANSITION);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, MAC_P_OMULT), pcol(b, MAC_P_OKEY), acc);
  return STARKML_OK;
}

static starkml_status build_requant(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "requant", log2_rows(rows), RQ_N_PRE, RQ_N_MAIN, 0);
  uint32_t act = pcol(b, RQ_P_ACT), nact = sm_ab_neg(b, act);
  uint32_t a = mcol(b, RQ_A), q = mcol(b, RQ_Q), r = mcol(b, RQ_R), y = mcol(b, RQ_Y);
  uint32_t cl = mcol(b, RQ_CL), ch = mcol(b, RQ_CH), lo = pcol(b, RQ_P_LO), hi = pcol(b, RQ_P_HI);
  /* a M + H = q 2^s + r */
  uint32_t lhs = sm_ab_add(b, sm_ab_mul(b, a, pcol(b, RQ_P_M)), pcol(b, RQ_P_H));
  uint32_t rhs = sm_ab_add(b, sm_ab_mul(b, q, pcol(b, RQ_P_P)), r);
  sm_ab_constraint(b, sm_ab_sub(b, lhs, rhs), SM_SEL_EVERY);
  /* 0 <= r < 2^s */
  limbs(b, r, SM_AB_INVALID, RQ_RL, 4, nact);
  limbs(b, sm_ab_sub(b, sm_ab_sub(b, pcol(b, RQ_P_P), cst(b, 1)), r), act, RQ_SL, 4, nact);
  /* clamp flags */
  sm_ab_constraint(b, sm_ab_mul(b, cl, one_minus(b, cl)), SM_SEL_EVERY);
  sm_ab_constraint(b, sm_ab_mul(b, ch, one_minus(b, ch)), SM_SEL_EVERY);
  sm_ab_constraint(b, sm_ab_mul(b, cl, ch), SM_SEL_EVERY);
  sm_ab_constraint(b, sm_ab_mul(b, cl, sm_ab_sub(b, y, lo)), SM_SEL_EVERY);
  sm_ab_constraint(b, sm_ab_mul(b, ch, sm_ab_sub(b, y, hi)), SM_SEL_EVERY);
  uint32_t none = sm_ab_sub(b, one_minus(b, cl), ch);
  sm_ab_constraint(b, sm_ab_mul(b, none, sm_ab_sub(b, y, q)), SM_SEL_EVERY);
  /* clamped: q <= lo (cl) or q >= hi (ch), within 2^32 */
  uint32_t g = sm_ab_add(b, sm_ab_mul(b, cl, sm_ab_sub(b, lo, q)), sm_ab_mul(b, ch, sm_ab_sub(b, q, hi)));
  limbs(b, g, SM_AB_INVALID, RQ_GL, 4, nact);
  /* lo <= y <= hi */
  limbs(b, sm_ab_sub(b, y, lo), SM_AB_INVALID, RQ_E1, 2, nact);
  limbs(b, sm_ab_sub(b, hi, y), SM_AB_INVALID, RQ_E2, 2, nact);
  send2(b, SM_ZC_BUS_VALUE, nact, pcol(b, RQ_P_IN), a);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, RQ_P_OMULT), pcol(b, RQ_P_OUT), y);
  return STARKML_OK;
}

static starkml_status build_act(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "act", log2_rows(rows), AC_N_PRE, AC_N_MAIN, 0);
  uint32_t act = pcol(b, AC_P_ACT), nact = sm_ab_neg(b, act), x = mcol(b, AC_X), y = mcol(b, AC_Y);
  sm_ab_constraint(b, sm_ab_mul(b, one_minus(b, act), x), SM_SEL_EVERY);
  sm_ab_constraint(b, sm_ab_mul(b, one_minus(b, act), y), SM_SEL_EVERY);
  send2(b, SM_ZC_BUS_VALUE, nact, pcol(b, AC_P_IN), x);
  uint32_t t[3] = {pcol(b, AC_P_FN), x, y};
  sm_ab_interaction(b, SM_ZC_BUS_LUT, nact, t, 3);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, AC_P_OMULT), pcol(b, AC_P_OUT), y);
  return STARKML_OK;
}

static starkml_status build_lut(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "lut", log2_rows(rows), LU_N_PRE, 1, 0);
  uint32_t t[3] = {pcol(b, LU_P_FN), pcol(b, LU_P_X), pcol(b, LU_P_Y)};
  sm_ab_interaction(b, SM_ZC_BUS_LUT, mcol(b, 0), t, 3);
  return STARKML_OK;
}

static starkml_status build_max(sm_air_builder *b, size_t rows, uint32_t K) {
  sm_air_builder_init(b, "max", log2_rows(rows), MX_P_LANE0 + 2 * K, MX_LANE0 + 4 * K, 0);
  uint32_t y = mcol(b, MX_Y), act = pcol(b, MX_P_ACT);
  uint32_t ssum = cst(b, 0), sel = cst(b, 0);
  for (uint32_t j = 0; j < K; j++) {
    uint32_t key = pcol(b, MX_P_LANE0 + 2 * j), a = pcol(b, MX_P_LANE0 + 2 * j + 1);
    uint32_t x = mcol(b, MX_LANE0 + 4 * j), s = mcol(b, MX_LANE0 + 4 * j + 1);
    sm_ab_constraint(b, sm_ab_mul(b, s, one_minus(b, s)), SM_SEL_EVERY);
    sm_ab_constraint(b, sm_ab_mul(b, s, one_minus(b, a)), SM_SEL_EVERY);
    sm_ab_constraint(b, sm_ab_mul(b, one_minus(b, a), x), SM_SEL_EVERY);
    ssum = sm_ab_add(b, ssum, s);
    sel = sm_ab_add(b, sel, sm_ab_mul(b, s, x));
    send2(b, SM_ZC_BUS_VALUE, sm_ab_neg(b, a), key, x);
    /* a (y - x) = limbs: y >= x for every active lane */
    limbs(b, sm_ab_mul(b, a, sm_ab_sub(b, y, x)), SM_AB_INVALID, MX_LANE0 + 4 * j + 2, 2, sm_ab_neg(b, a));
  }
  sm_ab_constraint(b, sm_ab_sub(b, ssum, act), SM_SEL_EVERY);
  sm_ab_constraint(b, sm_ab_sub(b, y, sel), SM_SEL_EVERY);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, MX_P_OMULT), pcol(b, MX_P_OUT), y);
  return STARKML_OK;
}

static starkml_status build_div(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "div", log2_rows(rows), DV_N_PRE, DV_N_MAIN, 0);
  uint32_t act = pcol(b, DV_P_ACT), nact = sm_ab_neg(b, act);
  uint32_t e = mcol(b, DV_E), s = mcol(b, DV_S), y = mcol(b, DV_Y), r = mcol(b, DV_R);
  sm_ab_constraint(b, sm_ab_sub(b, sm_ab_mul(b, e, pcol(b, DV_P_P2)), sm_ab_add(b, sm_ab_mul(b, y, s), r)), SM_SEL_EVERY);
  limbs(b, r, SM_AB_INVALID, DV_RL, 4, nact);
  limbs(b, sm_ab_sub(b, sm_ab_sub(b, s, cst(b, 1)), r), act, DV_TL, 4, nact);
  limbs(b, y, SM_AB_INVALID, DV_YL, 2, nact);
  send2(b, SM_ZC_BUS_VALUE, nact, pcol(b, DV_P_NUM), e);
  send2(b, SM_ZC_BUS_VALUE, nact, pcol(b, DV_P_DEN), s);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, DV_P_OMULT), pcol(b, DV_P_OUT), y);
  return STARKML_OK;
}

static starkml_status build_rc(sm_air_builder *b, size_t rows, unsigned nl) {
  sm_air_builder_init(b, "rc", log2_rows(rows), RC_N_PRE, 1 + 2 * nl, 0);
  uint32_t act = pcol(b, RC_P_ACT), nact = sm_ab_neg(b, act), v = mcol(b, 0);
  limbs(b, sm_ab_sub(b, v, pcol(b, RC_P_LO)), SM_AB_INVALID, 1, nl, nact);
  limbs(b, sm_ab_sub(b, pcol(b, RC_P_HI), v), SM_AB_INVALID, 1 + nl, nl, nact);
  send2(b, SM_ZC_BUS_VALUE, nact, pcol(b, RC_P_KEY), v);
  return STARKML_OK;
}

static starkml_status build_range(sm_air_builder *b) {
  sm_air_builder_init(b, "range8", SM_ZC_LIMB_BITS, 1, 1, 0);
  uint32_t v = pcol(b, 0);
  sm_ab_interaction(b, SM_ZC_BUS_RANGE, mcol(b, 0), &v, 1);
  return STARKML_OK;
}

static starkml_status build_pubw(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "weights_public", log2_rows(rows), PW_N_PRE, 1, 0);
  uint32_t v = mcol(b, 0);
  sm_ab_constraint(b, sm_ab_sub(b, v, pcol(b, PW_P_VAL)), SM_SEL_EVERY);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, PW_P_MULT), pcol(b, PW_P_KEY), v);
  return STARKML_OK;
}

static starkml_status build_privin(sm_air_builder *b, size_t rows) {
  sm_air_builder_init(b, "input_private", log2_rows(rows), PI_N_PRE, 1, 0);
  send2(b, SM_ZC_BUS_VALUE, pcol(b, PI_P_MULT), pcol(b, PI_P_KEY), mcol(b, 0));
  return STARKML_OK;
}

/* One-row tables: main column 0 is f = (1, 0, 0, ...), so "row 0" is f's support. */
static void one_row_flag(sm_air_builder *b) {
  uint32_t f = mcol(b, 0);
  sm_ab_constraint(b, sm_ab_sub(b, f, cst(b, 1)), SM_SEL_FIRST);
  sm_ab_constraint(b, mnext(b, 0), SM_SEL_TRANSITION);
}

static starkml_status build_pubin(sm_air_builder *b, const sm_zc_circuit *c) {
  const sm_qmodel *m = c->m;
  uint32_t id = m->input, n = m->tensors[id - 1].numel;
  sm_air_builder_init(b, "input_public", SM_AIR_MIN_LOG_N, 0, 1 + n, n);
  one_row_flag(b);
  uint32_t f = mcol(b, 0);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t v = mcol(b, 1 + i);
    sm_ab_constraint(b, sm_ab_mul(b, f, sm_ab_sub(b, v, sm_ab_pub(b, i))), SM_SEL_EVERY);
    uint32_t mult = sm_ab_mul(b, f, cst(b, c->uses[c->offs[id - 1] + i]));
    send2(b, SM_ZC_BUS_VALUE, mult, sm_ab_const(b, SM_QKEY(id, i)), v);
  }
  return STARKML_OK;
}

/* Comparisons of the predicate table: d = sum_k coef_k y_k + coef_lo T_lo + coef_hi T_hi
   + off must lie in [0, 2^24). */
typedef struct {
  int32_t ya, yb;      /* +y[ya] - y[yb] (-1: unused) */
  int32_t sign_t;      /* 0, or -1 (d = y - T_lo) or +1 (d = T_hi - y) */
  int64_t off;
} pred_cmp;

static size_t pred_cmps(const sm_zc_circuit *c, pred_cmp *out) {
  const sm_predicate *p = &c->mode.pred;
  uint32_t n = c->m->tensors[c->m->output - 1].numel;
  size_t k = 0;
  switch (p->kind) {
    case SM_PRED_ARGMAX:
      for (uint32_t j = 0; j < n; j++) {
        if (j == p->index) continue;
        if (out) out[k] = (pred_cmp){(int32_t)p->index, (int32_t)j, 0, j < p->index ? -1 : 0};
        k++;
      }
      break;
    case SM_PRED_GE:
      if (out) out[k] = (pred_cmp){(int32_t)p->index, -1, -1, 0};
      k++;
      break;
    case SM_PRED_LE:
      if (out) out[k] = (pred_cmp){-1, (int32_t)p->index, +1, 0};
      k++;
      break;
    case SM_PRED_RANGE:
      if (out) out[k] = (pred_cmp){(int32_t)p->index, -1, -1, 0};
      k++;
      if (out) out[k] = (pred_cmp){-1, (int32_t)p->index, +1, 0};
      k++;
      break;
    default: break;
  }
  return k;
}

#define PRED_LIMBS 3u

static starkml_status build_output(sm_air_builder *b, const sm_zc_circuit *c) {
  const sm_qmodel *m = c->m;
  uint32_t id = m->output, n = m->tensors[id - 1].numel;
  int pred = c->mode.pred.kind != SM_PRED_NONE;
  size_t nc = pred ? pred_cmps(c, NULL) : 0;
  uint32_t n_pub = (pred ? 2 : n) + SM_ZC_STMT_WORDS;
  sm_air_builder_init(b, pred ? "output_predicate" : "output_public", SM_AIR_MIN_LOG_N, 0,
                      1 + n + (uint32_t)(nc * PRED_LIMBS), n_pub);
  one_row_flag(b);
  uint32_t f = mcol(b, 0), nf = sm_ab_neg(b, f);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t y = mcol(b, 1 + i);
    if (!pred) sm_ab_constraint(b, sm_ab_mul(b, f, sm_ab_sub(b, y, sm_ab_pub(b, i))), SM_SEL_EVERY);
    send2(b, SM_ZC_BUS_VALUE, nf, sm_ab_const(b, SM_QKEY(id, i)), y);
  }
  if (pred) {
    pred_cmp *cmps = calloc(nc ? nc : 1, sizeof *cmps);
    if (cmps == NULL) return STARKML_ERR_NOMEM;
    pred_cmps(c, cmps);
    for (size_t k = 0; k < nc; k++) {
      uint32_t d = cst(b, cmps[k].off);
      if (cmps[k].ya >= 0) d = sm_ab_add(b, d, mcol(b, 1 + (uint32_t)cmps[k].ya));
      if (cmps[k].yb >= 0) d = sm_ab_sub(b, d, mcol(b, 1 + (uint32_t)cmps[k].yb));
      if (cmps[k].sign_t < 0) d = sm_ab_sub(b, d, sm_ab_pub(b, 0));
      if (cmps[k].sign_t > 0) d = sm_ab_add(b, d, sm_ab_pub(b, 1));
      limbs(b, d, f, 1 + n + (uint32_t)(k * PRED_LIMBS), PRED_LIMBS, nf);
    }
    free(cmps);
  }
  return STARKML_OK;
}

static sm_sponge_spec sponge_shape(size_t n_values) {
  sm_sponge_spec s;
  memset(&s, 0, sizeof s);
  s.bus = SM_ZC_BUS_VALUE;
  s.n_values = n_values;
  return s;
}

static starkml_status add_table(sm_zc_circuit *c, uint32_t kind, sm_air_builder *b, char *why,
                                size_t why_len) {
  char msg[160];
  starkml_status st = sm_ab_finish(b, &c->tables[c->n_tables], msg, sizeof msg);
  if (st != STARKML_OK) {
    sm_why(why, why_len, "table %s: %s", sm_zc_table_name(kind), msg);
    return st == STARKML_ERR_NOMEM ? st : STARKML_ERR_INTERNAL;
  }
  c->kind[c->n_tables++] = kind;
  return STARKML_OK;
}

void sm_zc_free(sm_zc_circuit *c) {
  if (c == NULL) return;
  for (size_t t = 0; t < SM_ZC_MAX_TABLES; t++) {
    sm_air_table_free(&c->tables[t]);
    free(c->pre[t]);
    free(c->main[t]);
    free(c->publics[t]);
  }
  free(c->uses);
  free(c->offs);
  memset(c, 0, sizeof *c);
}

starkml_status sm_zc_predicate_thresholds(sm_zc_mode *mode, char *why, size_t why_len,
                                          const sm_qmodel *m) {
  mode->pred_lo = mode->pred_hi = 0;
  const sm_predicate *p = &mode->pred;
  if (p->kind == SM_PRED_NONE) return STARKML_OK;
  const sm_qtensor *to = &m->tensors[m->output - 1];
  if (p->index >= to->numel) {
    sm_why(why, why_len, "the predicate names output %u, but the model has %u outputs",
            p->index, to->numel);
    return STARKML_ERR_ARG;
  }
  double s = to->scale;
  if (p->kind == SM_PRED_GE || p->kind == SM_PRED_RANGE) {
    /* least q with q * s >= lo, exactly (fma gives the rounding error of the product) */
    double t = p->lo, q0 = ceil(t / s);
    if (q0 < (double)to->lo - 1) q0 = (double)to->lo - 1;
    if (q0 > (double)to->hi + 1) q0 = (double)to->hi + 1;
    int64_t q = (int64_t)q0;
    for (int it = 0; it < 4; it++) {
      double pr = (double)(q - 1) * s, er = fma((double)(q - 1), s, -pr);
      if (q - 1 >= to->lo - 1 && (pr > t || (pr == t && er >= 0))) q--;
    }
    for (int it = 0; it < 4; it++) {
      double pr = (double)q * s, er = fma((double)q, s, -pr);
      if (!(pr > t || (pr == t && er >= 0)) && q <= to->hi) q++;
    }
    if (q < to->lo) q = to->lo;
    mode->pred_lo = q;
  }
  if (p->kind == SM_PRED_LE || p->kind == SM_PRED_RANGE) {
    /* greatest q with q * s <= hi */
    double t = p->hi, q0 = floor(t / s);
    if (q0 < (double)to->lo - 1) q0 = (double)to->lo - 1;
    if (q0 > (double)to->hi + 1) q0 = (double)to->hi + 1;
    int64_t q = (int64_t)q0;
    for (int it = 0; it < 4; it++) {
      double pr = (double)(q + 1) * s, er = fma((double)(q + 1), s, -pr);
      if (q + 1 <= to->hi + 1 && (pr < t || (pr == t && er <= 0))) q++;
    }
    for (int it = 0; it < 4; it++) {
      double pr = (double)q * s, er = fma((double)q, s, -pr);
      if (!(pr < t || (pr == t && er <= 0)) && q >= to->lo) q--;
    }
    if (q > to->hi) q = to->hi;
    mode->pred_hi = q;
  }
  return STARKML_OK;
}

starkml_status sm_zc_init(sm_zc_circuit *c, char *why, size_t why_len, const sm_qmodel *m,
                          const sm_zc_mode *mode) {
  sm_why(why, why_len, "%s", "");
  if (c == NULL) return STARKML_ERR_ARG;
  memset(c, 0, sizeof *c);
  if (m == NULL || mode == NULL || mode->input_vis > SM_VIS_PRIVATE) return STARKML_ERR_ARG;
  if (mode->pred.kind != SM_PRED_NONE && sm_predicate_check(&mode->pred) != STARKML_OK) {
    sm_why(why, why_len, "invalid predicate");
    return STARKML_ERR_ARG;
  }
  c->m = m;
  c->mode = *mode;
  starkml_status st = count_uses(c);
  if (st != STARKML_OK) goto fail;
  if (mode->pred.kind != SM_PRED_NONE && mode->pred.index >= m->tensors[m->output - 1].numel) {
    sm_why(why, why_len, "the predicate names output %u, but the model has %u outputs",
            mode->pred.index, m->tensors[m->output - 1].numel);
    st = STARKML_ERR_ARG;
    goto fail;
  }
  if (c->max_window > SM_ZC_MAX_WINDOW) {
    sm_why(why, why_len, "a max window of %u values is wider than %u", c->max_window, SM_ZC_MAX_WINDOW);
    st = STARKML_ERR_ARG;
    goto fail;
  }
  sm_air_builder b;
  /* weights */
  if (c->n_weights > 0) {
    if (mode->public_weights) {
      build_pubw(&b, c->n_weights);
    } else {
      sm_sponge_spec s = sponge_shape(SM_ZC_SALT_LEN + c->n_weights);
      if ((st = sm_sponge_table(&c->tables[c->n_tables], "weights", &s)) != STARKML_OK) goto fail;
      c->kind[c->n_tables++] = SM_ZC_T_WEIGHTS;
      c->has_sponge_w = 1;
      goto weights_done;
    }
    if ((st = add_table(c, SM_ZC_T_WEIGHTS, &b, why, why_len)) != STARKML_OK) goto fail;
  }
weights_done:
  /* input */
  {
    uint32_t n_in = m->tensors[m->input - 1].numel;
    if (mode->input_vis == SM_VIS_HASHED) {
      sm_sponge_spec s = sponge_shape(SM_ZC_SALT_LEN + n_in);
      if ((st = sm_sponge_table(&c->tables[c->n_tables], "input_hashed", &s)) != STARKML_OK) goto fail;
      c->kind[c->n_tables++] = SM_ZC_T_INPUT;
      c->has_sponge_in = 1;
    } else {
      if (mode->input_vis == SM_VIS_PUBLIC)
        st = build_pubin(&b, c);
      else
        st = build_privin(&b, n_in);
      if (st == STARKML_OK) st = add_table(c, SM_ZC_T_INPUT, &b, why, why_len);
      if (st != STARKML_OK) goto fail;
    }
  }
  if (c->n_mac_rows && ((st = build_mac(&b, c->n_mac_rows)) != STARKML_OK ||
                        (st = add_table(c, SM_ZC_T_MAC, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if (c->n_req && ((st = build_requant(&b, c->n_req)) != STARKML_OK ||
                   (st = add_table(c, SM_ZC_T_REQUANT, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if (c->n_act && ((st = build_act(&b, c->n_act)) != STARKML_OK ||
                   (st = add_table(c, SM_ZC_T_ACT, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if (c->n_lut_rows && ((st = build_lut(&b, c->n_lut_rows)) != STARKML_OK ||
                        (st = add_table(c, SM_ZC_T_LUT, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if (c->n_max && ((st = build_max(&b, c->n_max, c->max_window)) != STARKML_OK ||
                   (st = add_table(c, SM_ZC_T_MAX, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if (c->n_div && ((st = build_div(&b, c->n_div)) != STARKML_OK ||
                   (st = add_table(c, SM_ZC_T_DIV, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if (c->n_rc && ((st = build_rc(&b, c->n_rc, c->rc_limbs)) != STARKML_OK ||
                  (st = add_table(c, SM_ZC_T_RC, &b, why, why_len)) != STARKML_OK))
    goto fail;
  if ((st = build_range(&b)) != STARKML_OK || (st = add_table(c, SM_ZC_T_RANGE, &b, why, why_len)) != STARKML_OK)
    goto fail;
  if ((st = build_output(&b, c)) != STARKML_OK || (st = add_table(c, SM_ZC_T_OUTPUT, &b, why, why_len)) != STARKML_OK)
    goto fail;
  return STARKML_OK;
fail:
  if (why != NULL && why_len > 0 && why[0] == 0)
    sm_why(why, why_len, "building the constraint tables failed (%s)", starkml_strerror(st));
  sm_zc_free(c);
  return st;
}

/* ---- Columns -------------------------------------------------------------------------- */

static size_t rows_of(const sm_air_table *t) { return (size_t)1 << t->log_n; }

static gl_t *alloc_cols(const sm_air_table *t, uint32_t ncols) {
  size_t n = rows_of(t);
  return calloc((size_t)(ncols ? ncols : 1) * n, sizeof(gl_t));
}

#define COL(base, c_, r_) ((base)[(size_t)(c_) * n + (r_)])

/* Weight keys and multiplicities, in tensor order. */
static starkml_status weight_spec(const sm_zc_circuit *c, gl_t **keys, gl_t **mults, size_t salt) {
  const sm_qmodel *m = c->m;
  size_t nv = salt + c->n_weights;
  *keys = calloc(nv, sizeof **keys);
  *mults = calloc(nv, sizeof **mults);
  if (*keys == NULL || *mults == NULL) return STARKML_ERR_NOMEM;
  size_t k = salt;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    if (m->tensors[i].kind != SM_QT_WEIGHT) continue;
    for (uint32_t j = 0; j < m->tensors[i].numel; j++, k++) {
      (*keys)[k] = SM_QKEY(i + 1, j);
      (*mults)[k] = c->uses[c->offs[i] + j];
    }
  }
  return STARKML_OK;
}

static starkml_status input_spec(const sm_zc_circuit *c, gl_t **keys, gl_t **mults, size_t salt) {
  const sm_qmodel *m = c->m;
  uint32_t id = m->input, n_in = m->tensors[id - 1].numel;
  *keys = calloc(salt + n_in, sizeof **keys);
  *mults = calloc(salt + n_in, sizeof **mults);
  if (*keys == NULL || *mults == NULL) return STARKML_ERR_NOMEM;
  for (uint32_t j = 0; j < n_in; j++) {
    (*keys)[salt + j] = SM_QKEY(id, j);
    (*mults)[salt + j] = c->uses[c->offs[id - 1] + j];
  }
  return STARKML_OK;
}

starkml_status sm_zc_fill_pre(sm_zc_circuit *c) {
  if (c == NULL || c->m == NULL) return STARKML_ERR_ARG;
  const sm_qmodel *m = c->m;
  for (size_t t = 0; t < c->n_tables; t++) {
    const sm_air_table *tb = &c->tables[t];
    if (tb->n_pre == 0) continue;
    free(c->pre[t]);
    gl_t *P = c->pre[t] = alloc_cols(tb, tb->n_pre);
    if (P == NULL) return STARKML_ERR_NOMEM;
    size_t n = rows_of(tb), row = 0;
    starkml_status st = STARKML_OK;
    switch (c->kind[t]) {
      case SM_ZC_T_WEIGHTS:
        if (c->has_sponge_w) {
          gl_t *keys = NULL, *mults = NULL;
          st = weight_spec(c, &keys, &mults, SM_ZC_SALT_LEN);
          sm_sponge_spec s = sponge_shape(SM_ZC_SALT_LEN + c->n_weights);
          s.keys = keys;
          s.mults = mults;
          if (st == STARKML_OK) st = sm_sponge_pre(P, &s);
          free(keys);
          free(mults);
        } else {
          if (!m->has_weights) return STARKML_ERR_ARG;
          for (uint32_t i = 0; i < m->n_tensors; i++) {
            if (m->tensors[i].kind != SM_QT_WEIGHT) continue;
            for (uint32_t j = 0; j < m->tensors[i].numel; j++, row++) {
              COL(P, PW_P_KEY, row) = SM_QKEY(i + 1, j);
              COL(P, PW_P_VAL, row) = fe(m->weights[i][j]);
              COL(P, PW_P_MULT, row) = c->uses[c->offs[i] + j];
            }
          }
        }
        break;
      case SM_ZC_T_INPUT:
        if (c->has_sponge_in) {
          gl_t *keys = NULL, *mults = NULL;
          st = input_spec(c, &keys, &mults, SM_ZC_SALT_LEN);
          sm_sponge_spec s = sponge_shape(SM_ZC_SALT_LEN + m->tensors[m->input - 1].numel);
          s.keys = keys;
          s.mults = mults;
          if (st == STARKML_OK) st = sm_sponge_pre(P, &s);
          free(keys);
          free(mults);
        } else {
          uint32_t id = m->input;
          for (uint32_t j = 0; j < m->tensors[id - 1].numel; j++) {
            COL(P, PI_P_KEY, j) = SM_QKEY(id, j);
            COL(P, PI_P_MULT, j) = c->uses[c->offs[id - 1] + j];
          }
        }
        break;
      case SM_ZC_T_MAC:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_DOT) continue;
          for (uint32_t j0 = 0; j0 < op->n; j0 += L_, row++) {
            COL(P, MAC_P_START, row) = j0 == 0;
            if (j0 + L_ >= op->n) {
              COL(P, MAC_P_OKEY, row) = op->out;
              COL(P, MAC_P_OMULT, row) = c->uses[slot(c, op->out)];
            }
            for (uint32_t l = 0; l < L_ && j0 + l < op->n; l++) {
              const sm_qref *tr = &m->terms[2u * (op->first + j0 + l)];
              uint32_t p = MAC_P_LANE0 + MAC_LANE_PRE * l;
              if (tr[0].key) COL(P, p + MAC_XK, row) = tr[0].key, COL(P, p + MAC_XA, row) = 1;
              else COL(P, p + MAC_XC, row) = fe(tr[0].c);
              if (tr[1].key) COL(P, p + MAC_WK, row) = tr[1].key, COL(P, p + MAC_WA, row) = 1;
              else COL(P, p + MAC_WC, row) = fe(tr[1].c);
            }
          }
        }
        for (; row < n; row++) COL(P, MAC_P_START, row) = 1;
        break;
      case SM_ZC_T_REQUANT:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_REQUANT) continue;
          COL(P, RQ_P_IN, row) = op->in;
          COL(P, RQ_P_OUT, row) = op->out;
          COL(P, RQ_P_OMULT, row) = c->uses[slot(c, op->out)];
          COL(P, RQ_P_M, row) = fe(op->mult);
          COL(P, RQ_P_H, row) = op->shift ? (gl_t)1 << (op->shift - 1) : 0;
          COL(P, RQ_P_P, row) = (gl_t)1 << op->shift;
          COL(P, RQ_P_LO, row) = fe(op->lo);
          COL(P, RQ_P_HI, row) = fe(op->hi);
          COL(P, RQ_P_ACT, row) = 1;
          row++;
        }
        break;
      case SM_ZC_T_ACT:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_LUT) continue;
          COL(P, AC_P_IN, row) = op->in;
          COL(P, AC_P_OUT, row) = op->out;
          COL(P, AC_P_OMULT, row) = c->uses[slot(c, op->out)];
          COL(P, AC_P_FN, row) = op->lut;
          COL(P, AC_P_ACT, row) = 1;
          row++;
        }
        break;
      case SM_ZC_T_LUT:
        for (uint32_t l = 0; l < m->n_luts; l++)
          for (uint32_t j = 0; j < m->luts[l].n; j++, row++) {
            COL(P, LU_P_FN, row) = l;
            COL(P, LU_P_X, row) = fe(m->luts[l].in_lo + j);
            COL(P, LU_P_Y, row) = fe(m->luts[l].out[j]);
          }
        for (; row < n; row++) COL(P, LU_P_FN, row) = LU_PAD_FN;
        break;
      case SM_ZC_T_MAX:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_MAX) continue;
          COL(P, MX_P_OUT, row) = op->out;
          COL(P, MX_P_OMULT, row) = c->uses[slot(c, op->out)];
          COL(P, MX_P_ACT, row) = 1;
          for (uint32_t j = 0; j < op->n; j++) {
            COL(P, MX_P_LANE0 + 2 * j, row) = m->keys[op->first + j];
            COL(P, MX_P_LANE0 + 2 * j + 1, row) = 1;
          }
          row++;
        }
        break;
      case SM_ZC_T_DIV:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_DIV) continue;
          COL(P, DV_P_NUM, row) = op->in;
          COL(P, DV_P_DEN, row) = op->in2;
          COL(P, DV_P_OUT, row) = op->out;
          COL(P, DV_P_OMULT, row) = c->uses[slot(c, op->out)];
          COL(P, DV_P_P2, row) = (gl_t)1 << op->shift;
          COL(P, DV_P_ACT, row) = 1;
          row++;
        }
        break;
      case SM_ZC_T_RC:
        for (uint32_t i = 0; i < m->n_tensors; i++) {
          const sm_qtensor *tt = &m->tensors[i];
          if (!needs_rc(tt)) continue;
          for (uint32_t j = 0; j < tt->numel; j++, row++) {
            COL(P, RC_P_KEY, row) = SM_QKEY(i + 1, j);
            COL(P, RC_P_LO, row) = fe(tt->lo);
            COL(P, RC_P_HI, row) = fe(tt->hi);
            COL(P, RC_P_ACT, row) = 1;
          }
        }
        break;
      case SM_ZC_T_RANGE:
        for (row = 0; row < n; row++) COL(P, 0, row) = row;
        break;
      default: break;
    }
    if (st != STARKML_OK) return st;
  }
  return STARKML_OK;
}

/* Writes the nl 8-bit limbs of v (which must lie in [0, 2^(8 nl))) at column first, row r,
   counting them in the range table. */
static int put_limbs(gl_t *M, size_t n, uint32_t first, unsigned nl, size_t r, int64_t v,
                     uint64_t *range_counts) {
  if (v < 0 || (nl < 8 && (uint64_t)v >> (8 * nl)) != 0) return 0;
  for (unsigned i = 0; i < nl; i++) {
    uint32_t l = (uint32_t)(((uint64_t)v >> (8 * i)) & 0xFF);
    COL(M, first + i, r) = l;
    range_counts[l]++;
  }
  return 1;
}

starkml_status sm_zc_fill_witness(sm_zc_circuit *c, sm_zc_publics *pub, const int64_t *vals,
                                  const gl_t salt_w[SM_ZC_SALT_LEN],
                                  const gl_t salt_in[SM_ZC_SALT_LEN]) {
  if (c == NULL || c->m == NULL || pub == NULL || vals == NULL) return STARKML_ERR_ARG;
  const sm_qmodel *m = c->m;
  uint64_t range_counts[256];
  memset(range_counts, 0, sizeof range_counts);
  uint64_t *lut_counts = NULL;
  size_t *lut_off = calloc(m->n_luts + 1, sizeof *lut_off);
  if (lut_off == NULL) return STARKML_ERR_NOMEM;
  for (uint32_t l = 0; l < m->n_luts; l++) lut_off[l + 1] = lut_off[l] + m->luts[l].n;
  lut_counts = calloc(lut_off[m->n_luts] + 1, sizeof *lut_counts);
  if (lut_counts == NULL) {
    free(lut_off);
    return STARKML_ERR_NOMEM;
  }
#define V(key) vals[slot(c, (key))]
  starkml_status st = STARKML_OK;
  int range_t = -1, lut_t = -1;
  for (size_t t = 0; t < c->n_tables && st == STARKML_OK; t++) {
    const sm_air_table *tb = &c->tables[t];
    free(c->main[t]);
    gl_t *M = c->main[t] = alloc_cols(tb, tb->n_main);
    if (M == NULL) {
      st = STARKML_ERR_NOMEM;
      break;
    }
    size_t n = rows_of(tb), row = 0;
    switch (c->kind[t]) {
      case SM_ZC_T_WEIGHTS:
        if (c->has_sponge_w) {
          size_t nv = SM_ZC_SALT_LEN + c->n_weights, k = SM_ZC_SALT_LEN;
          gl_t *v = calloc(nv, sizeof *v);
          if (v == NULL) {
            st = STARKML_ERR_NOMEM;
            break;
          }
          if (salt_w != NULL) memcpy(v, salt_w, SM_ZC_SALT_LEN * sizeof *v);
          for (uint32_t i = 0; i < m->n_tensors; i++)
            if (m->tensors[i].kind == SM_QT_WEIGHT)
              for (uint32_t j = 0; j < m->tensors[i].numel; j++) v[k++] = fe(vals[c->offs[i] + j]);
          sm_sponge_spec s = sponge_shape(nv);
          st = sm_sponge_main(M, pub->weight_digest, &s, v);
          free(v);
        } else {
          for (uint32_t i = 0; i < m->n_tensors; i++)
            if (m->tensors[i].kind == SM_QT_WEIGHT)
              for (uint32_t j = 0; j < m->tensors[i].numel; j++) COL(M, 0, row++) = fe(vals[c->offs[i] + j]);
        }
        break;
      case SM_ZC_T_INPUT: {
        uint32_t id = m->input, n_in = m->tensors[id - 1].numel;
        const int64_t *x = vals + c->offs[id - 1];
        if (c->has_sponge_in) {
          gl_t *v = calloc(SM_ZC_SALT_LEN + n_in, sizeof *v);
          if (v == NULL) {
            st = STARKML_ERR_NOMEM;
            break;
          }
          if (salt_in != NULL) memcpy(v, salt_in, SM_ZC_SALT_LEN * sizeof *v);
          for (uint32_t j = 0; j < n_in; j++) v[SM_ZC_SALT_LEN + j] = fe(x[j]);
          sm_sponge_spec s = sponge_shape(SM_ZC_SALT_LEN + n_in);
          st = sm_sponge_main(M, pub->input_digest, &s, v);
          free(v);
        } else if (c->mode.input_vis == SM_VIS_PUBLIC) {
          COL(M, 0, 0) = 1;
          for (uint32_t j = 0; j < n_in; j++) COL(M, 1 + j, 0) = fe(x[j]);
        } else {
          for (uint32_t j = 0; j < n_in; j++) COL(M, 0, j) = fe(x[j]);
        }
        break;
      }
      case SM_ZC_T_MAC:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_DOT) continue;
          int64_t acc = 0;
          for (uint32_t j0 = 0; j0 < op->n; j0 += L_, row++) {
            for (uint32_t l = 0; l < L_ && j0 + l < op->n; l++) {
              const sm_qref *tr = &m->terms[2u * (op->first + j0 + l)];
              int64_t x = tr[0].key ? V(tr[0].key) : tr[0].c, w = tr[1].key ? V(tr[1].key) : tr[1].c;
              COL(M, 1 + 2 * l, row) = fe(x);
              COL(M, 2 + 2 * l, row) = fe(w);
              acc += x * w;
            }
            COL(M, 0, row) = fe(acc);
          }
          if (acc != V(op->out)) st = STARKML_ERR_INTERNAL;
        }
        break;
      case SM_ZC_T_REQUANT:
        for (uint32_t k = 0; k < m->n_ops && st == STARKML_OK; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_REQUANT) continue;
          int64_t a = V(op->in), P = (int64_t)1 << op->shift, H = op->shift ? P / 2 : 0;
          int64_t T = a * op->mult + H;
          int64_t q = T / P;
          if (T % P != 0 && T < 0) q--;
          int64_t r = T - q * P, y = q < op->lo ? op->lo : (q > op->hi ? op->hi : q);
          int cl = q < op->lo, ch = q > op->hi;
          int64_t g = cl ? op->lo - q : (ch ? q - op->hi : 0);
          COL(M, RQ_A, row) = fe(a);
          COL(M, RQ_Q, row) = fe(q);
          COL(M, RQ_R, row) = fe(r);
          COL(M, RQ_Y, row) = fe(y);
          COL(M, RQ_CL, row) = (gl_t)cl;
          COL(M, RQ_CH, row) = (gl_t)ch;
          if (y != V(op->out) || !put_limbs(M, n, RQ_RL, 4, row, r, range_counts) ||
              !put_limbs(M, n, RQ_SL, 4, row, P - 1 - r, range_counts) ||
              !put_limbs(M, n, RQ_GL, 4, row, g, range_counts) ||
              !put_limbs(M, n, RQ_E1, 2, row, y - op->lo, range_counts) ||
              !put_limbs(M, n, RQ_E2, 2, row, op->hi - y, range_counts))
            st = STARKML_ERR_INTERNAL;
          row++;
        }
        break;
      case SM_ZC_T_ACT:
        for (uint32_t k = 0; k < m->n_ops; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_LUT) continue;
          int64_t x = V(op->in), idx = x - m->luts[op->lut].in_lo;
          if (idx < 0 || idx >= (int64_t)m->luts[op->lut].n) {
            st = STARKML_ERR_INTERNAL;
            break;
          }
          lut_counts[lut_off[op->lut] + (size_t)idx]++;
          COL(M, AC_X, row) = fe(x);
          COL(M, AC_Y, row) = fe(V(op->out));
          row++;
        }
        break;
      case SM_ZC_T_LUT:
        lut_t = (int)t; /* multiplicities once every lookup is counted */
        break;
      case SM_ZC_T_MAX:
        for (uint32_t k = 0; k < m->n_ops && st == STARKML_OK; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_MAX) continue;
          int64_t y = V(op->out);
          int chosen = 0;
          COL(M, MX_Y, row) = fe(y);
          for (uint32_t j = 0; j < op->n; j++) {
            int64_t x = V(m->keys[op->first + j]);
            COL(M, MX_LANE0 + 4 * j, row) = fe(x);
            if (!chosen && x == y) {
              COL(M, MX_LANE0 + 4 * j + 1, row) = 1;
              chosen = 1;
            }
            if (!put_limbs(M, n, MX_LANE0 + 4 * j + 2, 2, row, y - x, range_counts)) st = STARKML_ERR_INTERNAL;
          }
          if (!chosen) st = STARKML_ERR_INTERNAL;
          row++;
        }
        break;
      case SM_ZC_T_DIV:
        for (uint32_t k = 0; k < m->n_ops && st == STARKML_OK; k++) {
          const sm_qop *op = &m->ops[k];
          if (op->kind != SM_QOP_DIV) continue;
          int64_t e = V(op->in), s = V(op->in2), y = V(op->out);
          int64_t r = e * ((int64_t)1 << op->shift) - y * s;
          COL(M, DV_E, row) = fe(e);
          COL(M, DV_S, row) = fe(s);
          COL(M, DV_Y, row) = fe(y);
          COL(M, DV_R, row) = fe(r);
          if (!put_limbs(M, n, DV_RL, 4, row, r, range_counts) ||
              !put_limbs(M, n, DV_TL, 4, row, s - 1 - r, range_counts) ||
              !put_limbs(M, n, DV_YL, 2, row, y, range_counts))
            st = STARKML_ERR_INTERNAL;
          row++;
        }
        break;
      case SM_ZC_T_RC:
        for (uint32_t i = 0; i < m->n_tensors && st == STARKML_OK; i++) {
          const sm_qtensor *tt = &m->tensors[i];
          if (!needs_rc(tt)) continue;
          for (uint32_t j = 0; j < tt->numel; j++, row++) {
            int64_t v = vals[c->offs[i] + j];
            COL(M, 0, row) = fe(v);
            if (!put_limbs(M, n, 1, c->rc_limbs, row, v - tt->lo, range_counts) ||
                !put_limbs(M, n, 1 + c->rc_limbs, c->rc_limbs, row, tt->hi - v, range_counts)) {
              st = STARKML_ERR_INTERNAL;
              break;
            }
          }
        }
        break;
      case SM_ZC_T_RANGE:
        range_t = (int)t;
        break;
      case SM_ZC_T_OUTPUT: {
        uint32_t id = m->output, no = m->tensors[id - 1].numel;
        const int64_t *y = vals + c->offs[id - 1];
        COL(M, 0, 0) = 1;
        for (uint32_t j = 0; j < no; j++) COL(M, 1 + j, 0) = fe(y[j]);
        if (c->mode.pred.kind != SM_PRED_NONE) {
          size_t nc = pred_cmps(c, NULL);
          pred_cmp *cmps = calloc(nc ? nc : 1, sizeof *cmps);
          if (cmps == NULL) {
            st = STARKML_ERR_NOMEM;
            break;
          }
          pred_cmps(c, cmps);
          for (size_t k = 0; k < nc; k++) {
            int64_t d = cmps[k].off;
            if (cmps[k].ya >= 0) d += y[cmps[k].ya];
            if (cmps[k].yb >= 0) d -= y[cmps[k].yb];
            if (cmps[k].sign_t < 0) d -= c->mode.pred_lo;
            if (cmps[k].sign_t > 0) d += c->mode.pred_hi;
            /* A false predicate cannot be proven: the caller checks first and says so. */
            if (!put_limbs(M, n, 1 + no + (uint32_t)(k * PRED_LIMBS), PRED_LIMBS, 0, d, range_counts)) {
              st = STARKML_ERR_ARG;
              break;
            }
          }
          free(cmps);
        }
        break;
      }
      default: break;
    }
  }
#undef V
  if (st == STARKML_OK && range_t >= 0) {
    gl_t *M = c->main[range_t];
    for (size_t i = 0; i < 256; i++) M[i] = range_counts[i];
  }
  if (st == STARKML_OK && lut_t >= 0) {
    gl_t *M = c->main[lut_t];
    for (size_t i = 0; i < lut_off[m->n_luts]; i++) M[i] = lut_counts[i];
  }
  free(lut_off);
  free(lut_counts);
  return st;
}

/* Whether predicate comparisons hold is checked by the caller (sm_zc_fill_witness fails
   with STARKML_ERR_ARG otherwise). */

starkml_status sm_zc_fill_publics(sm_zc_circuit *c, const sm_zc_publics *pub) {
  if (c == NULL || c->m == NULL || pub == NULL) return STARKML_ERR_ARG;
  const sm_qmodel *m = c->m;
  for (size_t t = 0; t < c->n_tables; t++) {
    const sm_air_table *tb = &c->tables[t];
    free(c->publics[t]);
    c->publics[t] = NULL;
    if (tb->n_public == 0) continue;
    gl_t *p = c->publics[t] = calloc(tb->n_public, sizeof *p);
    if (p == NULL) return STARKML_ERR_NOMEM;
    switch (c->kind[t]) {
      case SM_ZC_T_WEIGHTS: memcpy(p, pub->weight_digest, 4 * sizeof *p); break;
      case SM_ZC_T_INPUT:
        if (c->has_sponge_in) {
          memcpy(p, pub->input_digest, 4 * sizeof *p);
        } else {
          if (pub->input == NULL) return STARKML_ERR_ARG;
          for (uint32_t j = 0; j < tb->n_public; j++) p[j] = fe(pub->input[j]);
        }
        break;
      case SM_ZC_T_OUTPUT: {
        uint32_t k = 0;
        if (c->mode.pred.kind != SM_PRED_NONE) {
          p[k++] = fe(c->mode.pred_lo);
          p[k++] = fe(c->mode.pred_hi);
        } else {
          if (pub->output == NULL) return STARKML_ERR_ARG;
          for (uint32_t j = 0; j < m->tensors[m->output - 1].numel; j++) p[k++] = fe(pub->output[j]);
        }
        for (uint32_t j = 0; j < SM_ZC_STMT_WORDS; j++) p[k++] = pub->stmt[j];
        break;
      }
      default: break;
    }
  }
  return STARKML_OK;
}
