/*
 * The quantized model (air/qmodel.h): the quantizer, the integer executor and the
 * canonical encoding.
 *
 * The quantizer walks the graph in order and keeps, for every graph tensor, a "view": the
 * key of each of its elements, its scale and bounds (or, for an initializer, the floats
 * themselves, quantized when an op consumes them). Reshape, Flatten, Transpose, Identity and
 * Concat only move keys, so they cost nothing in the proof.
 */
#include "air/qmodel.h"
#include "core/ctx.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QM_MAGIC "SMQM"
#define QM_VERSION 1u
/* Fixed-point precision of DOT coefficients that rescale one activation into another's
   accumulator (Add, Sub, Concat): 2^-12 relative. */
#define QM_COEF_BITS 12
/* softmax: exp values are integers at scale 2^-QM_EXP_BITS. */
#define QM_EXP_BITS 14


void sm_qconfig_default(sm_qconfig *c) {
  c->act_bits = 10;
  c->weight_bits = 8;
  c->per_channel = 1;
}

void sm_qmodel_free(sm_qmodel *m) {
  if (m == NULL) return;
  if (m->weights != NULL) {
    for (uint32_t i = 0; i < m->n_tensors; i++) free(m->weights[i]);
    free(m->weights);
  }
  if (m->luts != NULL) {
    for (uint32_t i = 0; i < m->n_luts; i++) free(m->luts[i].out);
    free(m->luts);
  }
  free(m->tensors);
  free(m->ops);
  free(m->terms);
  free(m->keys);
  memset(m, 0, sizeof *m);
}

size_t sm_qmodel_n_values(const sm_qmodel *m) {
  size_t n = 0;
  for (uint32_t i = 0; i < m->n_tensors; i++) n += m->tensors[i].numel;
  return n;
}

size_t sm_qmodel_offset(const sm_qmodel *m, uint32_t id) {
  size_t off = 0;
  for (uint32_t i = 0; i + 1 < id && i < m->n_tensors; i++) off += m->tensors[i].numel;
  return off;
}

/* ---- Integer helpers ------------------------------------------------------------------ */

static int64_t floor_div_pow2(int64_t x, unsigned shift) {
  if (shift == 0) return x;
  int64_t d = (int64_t)1 << shift;
  int64_t q = x / d;
  if ((x % d) != 0 && x < 0) q--;
  return q;
}

static int64_t floor_div(int64_t a, int64_t b) { /* b > 0 */
  int64_t q = a / b;
  if ((a % b) != 0 && a < 0) q--;
  return q;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

static int64_t round_even(double x) { return (int64_t)nearbyint(x); }

static int64_t abs_max(int64_t lo, int64_t hi) {
  int64_t a = lo < 0 ? -lo : lo, b = hi < 0 ? -hi : hi;
  return a > b ? a : b;
}

/* ---- Executor ------------------------------------------------------------------------- */

/* Index of key in the flat value array, or SIZE_MAX if it names no value. */
static size_t key_slot(const sm_qmodel *m, const size_t *offs, uint64_t key) {
  uint32_t t = SM_QKEY_TENSOR(key), i = SM_QKEY_INDEX(key);
  if (t == 0 || t > m->n_tensors || i >= m->tensors[t - 1].numel) return SIZE_MAX;
  return offs[t - 1] + i;
}

int64_t sm_qmodel_value(const sm_qmodel *m, const int64_t *vals, uint64_t key) {
  uint32_t t = SM_QKEY_TENSOR(key);
  if (t == 0 || t > m->n_tensors || SM_QKEY_INDEX(key) >= m->tensors[t - 1].numel) return 0;
  return vals[sm_qmodel_offset(m, t) + SM_QKEY_INDEX(key)];
}

static int64_t ref_value(const sm_qmodel *m, const size_t *offs, const int64_t *vals,
                         const sm_qref *r) {
  if (r->key == 0) return r->c;
  return vals[key_slot(m, offs, r->key)];
}

starkml_status sm_qmodel_quantize_input(const sm_qmodel *m, int64_t *q, const float *x, size_t n) {
  if (m == NULL || q == NULL || x == NULL || m->input == 0 || m->input > m->n_tensors)
    return STARKML_ERR_ARG;
  const sm_qtensor *t = &m->tensors[m->input - 1];
  if (n != t->numel) return STARKML_ERR_ARG;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) return STARKML_ERR_ARG;
    double v = (double)x[i] / t->scale;
    if (v > 1e15) v = 1e15;
    if (v < -1e15) v = -1e15;
    q[i] = clamp64(round_even(v), t->lo, t->hi);
  }
  return STARKML_OK;
}

starkml_status sm_qmodel_run(const sm_qmodel *m, int64_t *vals, const int64_t *input_q) {
  if (m == NULL || vals == NULL || input_q == NULL || !m->has_weights) return STARKML_ERR_ARG;
  size_t *offs = malloc((m->n_tensors + 1) * sizeof *offs);
  if (offs == NULL) return STARKML_ERR_NOMEM;
  size_t off = 0;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    offs[i] = off;
    off += m->tensors[i].numel;
  }
  starkml_status st = STARKML_OK;
  const sm_qtensor *in = &m->tensors[m->input - 1];
  for (uint32_t i = 0; i < in->numel; i++) {
    if (input_q[i] < in->lo || input_q[i] > in->hi) {
      st = STARKML_ERR_ARG;
      goto done;
    }
    vals[offs[m->input - 1] + i] = input_q[i];
  }
  for (uint32_t t = 0; t < m->n_tensors; t++) {
    if (m->tensors[t].kind == SM_QT_WEIGHT)
      memcpy(vals + offs[t], m->weights[t], m->tensors[t].numel * sizeof *vals);
  }
  for (uint32_t k = 0; k < m->n_ops; k++) {
    const sm_qop *op = &m->ops[k];
    int64_t y = 0;
    switch (op->kind) {
      case SM_QOP_DOT:
        for (uint32_t j = 0; j < op->n; j++) {
          const sm_qref *tr = &m->terms[2u * (op->first + j)];
          y += ref_value(m, offs, vals, &tr[0]) * ref_value(m, offs, vals, &tr[1]);
        }
        break;
      case SM_QOP_REQUANT: {
        int64_t a = vals[key_slot(m, offs, op->in)];
        int64_t h = op->shift > 0 ? (int64_t)1 << (op->shift - 1) : 0;
        y = clamp64(floor_div_pow2(a * op->mult + h, op->shift), op->lo, op->hi);
        break;
      }
      case SM_QOP_LUT: {
        const sm_qlut *l = &m->luts[op->lut];
        int64_t x = vals[key_slot(m, offs, op->in)] - l->in_lo;
        if (x < 0 || x >= (int64_t)l->n) {
          st = STARKML_ERR_INTERNAL;
          goto done;
        }
        y = l->out[x];
        break;
      }
      case SM_QOP_MAX:
        for (uint32_t j = 0; j < op->n; j++) {
          int64_t v = vals[key_slot(m, offs, m->keys[op->first + j])];
          if (j == 0 || v > y) y = v;
        }
        break;
      case SM_QOP_DIV: {
        int64_t num = vals[key_slot(m, offs, op->in)], den = vals[key_slot(m, offs, op->in2)];
        if (den <= 0) {
          st = STARKML_ERR_INTERNAL;
          goto done;
        }
        y = floor_div(num * ((int64_t)1 << op->shift), den);
        break;
      }
      default:
        st = STARKML_ERR_INTERNAL;
        goto done;
    }
    const sm_qtensor *ot = &m->tensors[SM_QKEY_TENSOR(op->out) - 1];
    if (ot->kind != SM_QT_ACC && (y < ot->lo || y > ot->hi)) {
      st = STARKML_ERR_INTERNAL;
      goto done;
    }
    vals[key_slot(m, offs, op->out)] = y;
  }
done:
  free(offs);
  return st;
}

/* ---- Checks --------------------------------------------------------------------------- */

/* Bound of |value| for a term operand. */
static int64_t ref_bound(const sm_qmodel *m, const sm_qref *r) {
  if (r->key == 0) return r->c < 0 ? -r->c : r->c;
  const sm_qtensor *t = &m->tensors[SM_QKEY_TENSOR(r->key) - 1];
  return abs_max(t->lo, t->hi);
}

/* Is key a value that exists and is written before op k (or is an input/weight)? */
static int key_ready(const sm_qmodel *m, const uint8_t *written, const size_t *offs, uint64_t key) {
  size_t s = key_slot(m, offs, key);
  return s != SIZE_MAX && written[s];
}

starkml_status sm_qmodel_check(const sm_qmodel *m, char *why, size_t why_len) {
  sm_why(why, why_len, "%s", "");
  if (m == NULL) return STARKML_ERR_ARG;
#define QFAIL(...)                    \
  do {                                \
    sm_why(why, why_len, __VA_ARGS__); \
    st = STARKML_ERR_PARSE;           \
    goto done;                        \
  } while (0)
  starkml_status st = STARKML_OK;
  size_t *offs = NULL;
  uint8_t *written = NULL;
  double *acc_bound = NULL; /* per value: the checked bound of a DOT's accumulator */
  if (m->n_tensors == 0 || m->n_tensors > SM_Q_MAX_TENSORS || m->n_ops > SM_Q_MAX_OPS)
    return sm_why(why, why_len, "model: tensor or op count out of range"), STARKML_ERR_PARSE;
  const int64_t vmax = (int64_t)1 << (SM_Q_MAX_BITS - 1);
  size_t total = 0;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    const sm_qtensor *t = &m->tensors[i];
    if (t->kind > SM_QT_VALUE || t->numel == 0 || t->numel > SM_Q_MAX_VALUES)
      return sm_why(why, why_len, "tensor %u: bad kind or size", i + 1), STARKML_ERR_PARSE;
    if (!(t->scale > 0) || !isfinite(t->scale))
      return sm_why(why, why_len, "tensor %u: bad scale", i + 1), STARKML_ERR_PARSE;
    int64_t cap = t->kind == SM_QT_WEIGHT ? ((int64_t)1 << 31) : vmax;
    if (t->kind != SM_QT_ACC && (t->lo > t->hi || t->lo < -cap || t->hi > cap))
      return sm_why(why, why_len, "tensor %u: bounds out of range", i + 1), STARKML_ERR_PARSE;
    total += t->numel;
    if (total > SM_Q_MAX_VALUES)
      return sm_why(why, why_len, "model: too many values"), STARKML_ERR_PARSE;
  }
  if (m->input == 0 || m->input > m->n_tensors || m->tensors[m->input - 1].kind != SM_QT_INPUT ||
      m->output == 0 || m->output > m->n_tensors || m->tensors[m->output - 1].kind != SM_QT_VALUE)
    return sm_why(why, why_len, "model: bad input or output tensor"), STARKML_ERR_PARSE;
  offs = malloc(m->n_tensors * sizeof *offs);
  written = calloc(total, 1);
  acc_bound = calloc(total, sizeof *acc_bound);
  if (offs == NULL || written == NULL || acc_bound == NULL) {
    st = STARKML_ERR_NOMEM;
    goto done;
  }
  size_t off = 0;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    offs[i] = off;
    if (m->tensors[i].kind == SM_QT_INPUT || m->tensors[i].kind == SM_QT_WEIGHT) {
      if (m->tensors[i].kind == SM_QT_INPUT && i + 1 != m->input)
        QFAIL("tensor %u: a second input", i + 1);
      memset(written + off, 1, m->tensors[i].numel);
    }
    off += m->tensors[i].numel;
  }
  for (uint32_t l = 0; l < m->n_luts; l++) {
    const sm_qlut *lt = &m->luts[l];
    if (lt->n == 0 || lt->n > SM_Q_MAX_LUT_ENTRIES || lt->in_lo < -vmax || lt->in_lo > vmax ||
        lt->fn > SM_QLUT_EXP || lt->out == NULL)
      QFAIL("lut %u: bad table", l);
    for (uint32_t j = 0; j < lt->n; j++)
      if (lt->out[j] < -vmax || lt->out[j] > vmax) QFAIL("lut %u: entry out of range", l);
  }
  for (uint32_t k = 0; k < m->n_ops; k++) {
    const sm_qop *op = &m->ops[k];
    size_t so = key_slot(m, offs, op->out);
    if (so == SIZE_MAX || written[so]) QFAIL("op %u: output key invalid or written twice", k);
    const sm_qtensor *ot = &m->tensors[SM_QKEY_TENSOR(op->out) - 1];
    switch (op->kind) {
      case SM_QOP_DOT: {
        if (ot->kind != SM_QT_ACC) QFAIL("op %u: DOT must write an accumulator", k);
        if (op->n == 0 || (uint64_t)op->first + op->n > m->n_terms) QFAIL("op %u: bad terms", k);
        double bound = 0;
        for (uint32_t j = 0; j < op->n; j++) {
          const sm_qref *tr = &m->terms[2u * (op->first + j)];
          for (int s = 0; s < 2; s++) {
            if (tr[s].key != 0 && !key_ready(m, written, offs, tr[s].key))
              QFAIL("op %u: term %u reads a value not yet computed", k, j);
            if (tr[s].key != 0 && tr[s].c != 0) QFAIL("op %u: term %u: non-canonical", k, j);
            /* An accumulator is bounded only through its own DOT: never a DOT operand. */
            if (tr[s].key != 0 && m->tensors[SM_QKEY_TENSOR(tr[s].key) - 1].kind == SM_QT_ACC)
              QFAIL("op %u: term %u reads an accumulator", k, j);
            if (tr[s].key == 0 && (tr[s].c < -vmax * 65536 || tr[s].c > vmax * 65536))
              QFAIL("op %u: term %u: constant out of range", k, j);
          }
          bound += (double)ref_bound(m, &tr[0]) * (double)ref_bound(m, &tr[1]);
        }
        if (bound >= ldexp(1.0, SM_Q_ACC_LOG_BOUND)) QFAIL("op %u: accumulator bound too large", k);
        acc_bound[so] = bound;
        break;
      }
      case SM_QOP_REQUANT: {
        if (ot->kind != SM_QT_VALUE) QFAIL("op %u: REQUANT must write a value tensor", k);
        if (!key_ready(m, written, offs, op->in)) QFAIL("op %u: input not ready", k);
        if (op->shift > SM_Q_MAX_SHIFT || op->mult < 1 || op->mult >= ((int64_t)1 << 40) ||
            op->lo > op->hi || op->lo < ot->lo || op->hi > ot->hi)
          QFAIL("op %u: bad requantization parameters", k);
        const sm_qtensor *it = &m->tensors[SM_QKEY_TENSOR(op->in) - 1];
        /* The bound of an accumulator input is the one its DOT was checked against. */
        double ab = it->kind == SM_QT_ACC ? acc_bound[key_slot(m, offs, op->in)]
                                          : (double)abs_max(it->lo, it->hi);
        double tb = ab * (double)op->mult + ldexp(1.0, (int)op->shift);
        if (tb >= ldexp(1.0, 62)) QFAIL("op %u: requantization could wrap", k);
        if (ldexp(tb, -(int)op->shift) + 1 >= ldexp(1.0, 31)) QFAIL("op %u: quotient too large", k);
        break;
      }
      case SM_QOP_LUT: {
        if (ot->kind != SM_QT_VALUE) QFAIL("op %u: LUT must write a value tensor", k);
        if (!key_ready(m, written, offs, op->in) || op->lut >= m->n_luts) QFAIL("op %u: bad LUT", k);
        const sm_qlut *lt = &m->luts[op->lut];
        for (uint32_t j = 0; j < lt->n; j++)
          if (lt->out[j] < ot->lo || lt->out[j] > ot->hi) QFAIL("op %u: LUT output out of bounds", k);
        const sm_qtensor *it = &m->tensors[SM_QKEY_TENSOR(op->in) - 1];
        if (it->kind != SM_QT_ACC && (it->lo < lt->in_lo || it->hi >= lt->in_lo + (int64_t)lt->n))
          QFAIL("op %u: LUT does not cover its input's range", k);
        break;
      }
      case SM_QOP_MAX: {
        if (ot->kind != SM_QT_VALUE) QFAIL("op %u: MAX must write a value tensor", k);
        if (op->n == 0 || (uint64_t)op->first + op->n > m->n_keys) QFAIL("op %u: bad window", k);
        for (uint32_t j = 0; j < op->n; j++) {
          uint64_t key = m->keys[op->first + j];
          if (!key_ready(m, written, offs, key)) QFAIL("op %u: window reads a value not ready", k);
          const sm_qtensor *it = &m->tensors[SM_QKEY_TENSOR(key) - 1];
          if (it->kind == SM_QT_ACC || it->lo < ot->lo || it->hi > ot->hi)
            QFAIL("op %u: window value outside the output's bounds", k);
        }
        break;
      }
      case SM_QOP_DIV: {
        if (ot->kind != SM_QT_VALUE) QFAIL("op %u: DIV must write a value tensor", k);
        if (!key_ready(m, written, offs, op->in) || !key_ready(m, written, offs, op->in2) ||
            op->shift > 20)
          QFAIL("op %u: bad DIV", k);
        const sm_qtensor *nt = &m->tensors[SM_QKEY_TENSOR(op->in) - 1];
        if (nt->kind == SM_QT_ACC || nt->lo < 0) QFAIL("op %u: DIV numerator must be a value >= 0", k);
        if (ot->lo < 0 || ot->hi < ((int64_t)1 << op->shift)) QFAIL("op %u: DIV output bounds", k);
        break;
      }
      default:
        QFAIL("op %u: unknown kind", k);
    }
    written[so] = 1;
  }
  for (size_t i = 0; i < total; i++)
    if (!written[i]) QFAIL("model: a value is never computed");
  if (m->has_weights) {
    for (uint32_t i = 0; i < m->n_tensors; i++) {
      const sm_qtensor *t = &m->tensors[i];
      if (t->kind != SM_QT_WEIGHT) continue;
      if (m->weights == NULL || m->weights[i] == NULL) QFAIL("tensor %u: weights missing", i + 1);
      for (uint32_t j = 0; j < t->numel; j++)
        if (m->weights[i][j] < t->lo || m->weights[i][j] > t->hi)
          QFAIL("tensor %u: weight out of bounds", i + 1);
    }
  }
done:
#undef QFAIL
  free(offs);
  free(written);
  free(acc_bound);
  return st;
}

/* ---- Quantizer ------------------------------------------------------------------------ */

/* The quantizer's view of a graph tensor. */
typedef struct {
  uint64_t *keys;  /* numel keys (NULL for an unconsumed constant) */
  size_t numel;
  double scale;
  int64_t lo, hi;
  int is_const;    /* an initializer: quantized when consumed */
  uint32_t tensor; /* qtensor id when keys are exactly that tensor's elements in order */
  uint32_t first_op, n_ops; /* REQUANT ops that wrote the tensor (for folding), n_ops 0: none */
} qview;

typedef struct {
  sm_qmodel *m;
  const sm_graph *g;
  const sm_qconfig *cfg;
  qview *v;          /* per graph tensor */
  double *amax;      /* per graph tensor, from calibration */
  uint32_t *consumers;
  uint32_t cap_tensors, cap_weights, cap_ops, cap_terms, cap_keys, cap_luts;
  char *why;
  size_t why_len;
  starkml_status err;
} qctx;

static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return 1;
  uint32_t nc = *cap ? *cap : 16;
  while (nc < need) {
    if (nc > UINT32_MAX / 2) return 0;
    nc *= 2;
  }
  void *q = realloc(*p, (size_t)nc * elem);
  if (q == NULL) return 0;
  *p = q;
  *cap = nc;
  return 1;
}

static int qfail(qctx *c, starkml_status s, const char *fmt, ...) {
  if (c->err == STARKML_OK) {
    c->err = s;
    if (c->why != NULL && c->why_len > 0) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(c->why, c->why_len, fmt, ap);
      va_end(ap);
    }
  }
  return 0;
}

static uint32_t new_tensor(qctx *c, const char *name, const char *suffix, uint32_t kind,
                           size_t numel, double scale, int64_t lo, int64_t hi) {
  sm_qmodel *m = c->m;
  if (c->err != STARKML_OK) return 0;
  if (numel == 0 || numel > SM_Q_MAX_VALUES || m->n_tensors + 1 > SM_Q_MAX_TENSORS) {
    qfail(c, STARKML_ERR_ARG, "tensor '%s': too large for the prover's limits", name);
    return 0;
  }
  if (!grow((void **)&m->tensors, &c->cap_tensors, m->n_tensors + 1, sizeof *m->tensors) ||
      !grow((void **)&m->weights, &c->cap_weights, m->n_tensors + 1, sizeof *m->weights)) {
    qfail(c, STARKML_ERR_NOMEM, "out of memory");
    return 0;
  }
  sm_qtensor *t = &m->tensors[m->n_tensors];
  memset(t, 0, sizeof *t);
  snprintf(t->name, sizeof t->name, "%.*s%s", (int)(sizeof t->name - 1 - strlen(suffix)), name, suffix);
  t->kind = kind;
  t->numel = (uint32_t)numel;
  t->scale = scale;
  t->lo = lo;
  t->hi = hi;
  m->weights[m->n_tensors] = NULL;
  return ++m->n_tensors;
}

static sm_qop *new_op(qctx *c, uint32_t kind, uint64_t out) {
  sm_qmodel *m = c->m;
  if (c->err != STARKML_OK) return NULL;
  if (m->n_ops >= SM_Q_MAX_OPS || !grow((void **)&m->ops, &c->cap_ops, m->n_ops + 1, sizeof *m->ops)) {
    qfail(c, STARKML_ERR_NOMEM, "out of memory (or more than 2^24 operations)");
    return NULL;
  }
  sm_qop *op = &m->ops[m->n_ops++];
  memset(op, 0, sizeof *op);
  op->kind = kind;
  op->out = out;
  return op;
}

static void add_term(qctx *c, sm_qref x, sm_qref w) {
  sm_qmodel *m = c->m;
  if (c->err != STARKML_OK) return;
  if (!grow((void **)&m->terms, &c->cap_terms, 2u * (m->n_terms + 1), sizeof *m->terms)) {
    qfail(c, STARKML_ERR_NOMEM, "out of memory");
    return;
  }
  m->terms[2u * m->n_terms] = x;
  m->terms[2u * m->n_terms + 1] = w;
  m->n_terms++;
}

static sm_qref kref(uint64_t key) { sm_qref r = {key, 0}; return r; }
static sm_qref cref(int64_t c) { sm_qref r = {0, c}; return r; }

static int64_t qmax_bits(unsigned bits) { return ((int64_t)1 << (bits - 1)) - 1; }

/* Multiplier and shift with mult / 2^shift ~ r, keeping |acc| * mult below 2^61. */
static void requant_params(double r, double acc_bound, int64_t *mult, uint32_t *shift) {
  int mb = 24;
  if (acc_bound >= 1) {
    int room = 61 - (int)ceil(log2(acc_bound + 1));
    if (room < mb) mb = room;
  }
  if (mb < 1) mb = 1;
  uint32_t s = 0;
  while (s < SM_Q_MAX_SHIFT && r * ldexp(1.0, (int)s + 1) < ldexp(1.0, mb)) s++;
  int64_t mm = (int64_t)llround(r * ldexp(1.0, (int)s));
  if (mm < 1) mm = 1;
  *mult = mm;
  *shift = s;
}

/* Worst-case |acc| of the DOT terms [first, first + n). */
static double terms_bound(const sm_qmodel *m, uint32_t first, uint32_t n) {
  double b = 0;
  for (uint32_t j = 0; j < n; j++) {
    const sm_qref *tr = &m->terms[2u * (first + j)];
    b += (double)ref_bound(m, &tr[0]) * (double)ref_bound(m, &tr[1]);
  }
  return b;
}

/* Quantizes an initializer as a weight tensor with a given scale (one per element) and
   bounds; returns the tensor id. */
static uint32_t weight_tensor(qctx *c, const char *name, const char *suffix, const float *data,
                              size_t n, const double *scales, size_t scale_period,
                              size_t scale_div, int64_t bound, double mulby) {
  int64_t lo = -bound, hi = bound;
  double smax = 0;
  for (size_t i = 0; i < n; i++) {
    double s = scales[(i / scale_div) % scale_period];
    if (s > smax) smax = s;
  }
  uint32_t id = new_tensor(c, name, suffix, SM_QT_WEIGHT, n, smax > 0 ? smax : 1.0, lo, hi);
  if (id == 0) return 0;
  int64_t *w = malloc(n * sizeof *w);
  if (w == NULL) return qfail(c, STARKML_ERR_NOMEM, "out of memory"), 0;
  for (size_t i = 0; i < n; i++) {
    double s = scales[(i / scale_div) % scale_period];
    double v = (double)data[i] * mulby / s;
    if (!(fabs(v) < 9e15)) v = 0;
    w[i] = clamp64(round_even(v), lo, hi);
  }
  c->m->weights[id - 1] = w;
  return id;
}

/* A power-of-two-minus-one bound covering |x| (what the proof reveals of a bias: its bit
   width, not its values). */
static int64_t pow2_bound(double amax) {
  int64_t b = 1;
  while ((double)b < amax && b < ((int64_t)1 << 31) - 1) b = b * 2 + 1;
  return b;
}

/* Emits REQUANT ops acc_id[i] -> a new VALUE tensor, with per-element real multipliers. */
static uint32_t requant_tensor(qctx *c, const char *name, uint32_t acc_id, uint32_t first_dot,
                               const double *r, size_t r_period, size_t r_div, double out_scale,
                               int64_t lo, int64_t hi, qview *out) {
  sm_qmodel *m = c->m;
  size_t n = m->tensors[acc_id - 1].numel;
  uint32_t id = new_tensor(c, name, "", SM_QT_VALUE, n, out_scale, lo, hi);
  if (id == 0) return 0;
  uint32_t first = m->n_ops;
  for (size_t i = 0; i < n && c->err == STARKML_OK; i++) {
    const sm_qop *dot = &m->ops[first_dot + i];
    double ab = terms_bound(m, dot->first, dot->n);
    sm_qop *op = new_op(c, SM_QOP_REQUANT, SM_QKEY(id, i));
    if (op == NULL) break;
    op->in = SM_QKEY(acc_id, i);
    requant_params(r[(i / r_div) % r_period], ab, &op->mult, &op->shift);
    op->lo = lo;
    op->hi = hi;
    double tb = ab * (double)op->mult + ldexp(1.0, (int)op->shift);
    if (tb >= ldexp(1.0, 62) || ldexp(tb, -(int)op->shift) + 1 >= ldexp(1.0, 31))
      return qfail(c, STARKML_ERR_ARG, "tensor '%s': the rescaling could overflow the field", name);
  }
  if (c->err != STARKML_OK) return 0;
  free(out->keys);
  out->keys = malloc(n * sizeof *out->keys);
  if (out->keys == NULL) return qfail(c, STARKML_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) out->keys[i] = SM_QKEY(id, i);
  out->numel = n;
  out->scale = out_scale;
  out->lo = lo;
  out->hi = hi;
  out->is_const = 0;
  out->tensor = id;
  out->first_op = first;
  out->n_ops = (uint32_t)n;
  return id;
}

/* Starts a DOT for element i of accumulator tensor acc_id; terms follow with add_term. */
static void dot_begin(qctx *c, uint32_t acc_id, size_t i) {
  sm_qop *op = new_op(c, SM_QOP_DOT, SM_QKEY(acc_id, i));
  if (op != NULL) op->first = c->m->n_terms;
}
static void dot_end(qctx *c) {
  if (c->err != STARKML_OK) return;
  sm_qop *op = &c->m->ops[c->m->n_ops - 1];
  op->n = c->m->n_terms - op->first;
  if (op->n == 0) add_term(c, cref(0), cref(0)), op->n = 1;
  if (terms_bound(c->m, op->first, op->n) >= ldexp(1.0, SM_Q_ACC_LOG_BOUND))
    qfail(c, STARKML_ERR_ARG, "accumulator '%s' could exceed 2^%d",
          c->m->tensors[SM_QKEY_TENSOR(op->out) - 1].name, SM_Q_ACC_LOG_BOUND);
}

static const sm_tensor *gt(qctx *c, uint32_t idx) { return &c->g->tensors[idx]; }

/* The view of node input j, which must be an activation (not a constant). */
static qview *act_in(qctx *c, const sm_node *nd, uint32_t j) {
  qview *v = &c->v[nd->in[j]];
  if (v->is_const || v->keys == NULL) {
    qfail(c, STARKML_ERR_ARG, "node '%s' (%s): input %u must be computed from the model input",
          nd->name, sm_op_name(nd->op), j);
    return NULL;
  }
  return v;
}

/* Output scale of a node from calibration. */
static double out_scale(qctx *c, const sm_node *nd) {
  double a = c->amax[nd->out];
  if (!(a > 1e-12)) a = 1e-12;
  return a / (double)qmax_bits(c->cfg->act_bits);
}

static void set_view_keys(qctx *c, qview *o, size_t n) {
  free(o->keys);
  o->keys = calloc(n ? n : 1, sizeof *o->keys);
  if (o->keys == NULL) qfail(c, STARKML_ERR_NOMEM, "out of memory");
  o->numel = n;
  o->is_const = 0;
  o->tensor = 0;
  o->n_ops = 0;
}

/* Numpy broadcasting: index into an input of shape (rank_a, da) for output flat index. */
static size_t bcast_index(const sm_tensor *out, const sm_tensor *in, size_t flat) {
  size_t idx = 0, stride = 1;
  int64_t rem = (int64_t)flat;
  size_t coords[SM_GRAPH_MAX_RANK];
  for (int d = (int)out->rank - 1; d >= 0; d--) {
    coords[d] = (size_t)(rem % out->dims[d]);
    rem /= out->dims[d];
  }
  for (int d = (int)in->rank - 1, od = (int)out->rank - 1; d >= 0; d--, od--) {
    size_t cd = in->dims[d] == 1 ? 0 : coords[od];
    idx += cd * stride;
    stride *= (size_t)in->dims[d];
  }
  return idx;
}

/* Linear layers: y[i, n] = sum_k A[i, k] B[k, n] (+ bias), A an activation. */
static void lower_matmul(qctx *c, const sm_node *nd, int gemm) {
  const sm_tensor *tb = gt(c, nd->in[1]), *to = gt(c, nd->out);
  qview *a = act_in(c, nd, 0);
  if (a == NULL) return;
  int trans_a = gemm ? (int)nd->i[0] : 0, trans_b = gemm ? (int)nd->i[1] : 0;
  double alpha = gemm ? nd->f[0] : 1.0, beta = gemm ? nd->f[1] : 1.0;
  size_t K = (size_t)(trans_b ? tb->dims[tb->rank - 1] : tb->dims[tb->rank - 2]);
  size_t N = (size_t)(trans_b ? tb->dims[tb->rank - 2] : tb->dims[tb->rank - 1]);
  if (tb->rank < 2) {
    K = (size_t)tb->dims[0];
    N = 1;
  }
  size_t M = a->numel / K;
  if (M * K != a->numel || M * N != to->numel)
    return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (%s): shapes not supported", nd->name, sm_op_name(nd->op));
  qview *bv = &c->v[nd->in[1]];
  int b_const = bv->is_const;
  const int64_t wq = qmax_bits(c->cfg->weight_bits);
  double *sw = calloc(N, sizeof *sw);
  if (sw == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  uint32_t wid = 0;
  if (b_const) {
    double gmax = 0;
    for (size_t n = 0; n < N; n++) {
      double mx = 0;
      for (size_t k = 0; k < K; k++) {
        double w = fabs((double)tb->data[trans_b ? n * K + k : k * N + n] * alpha);
        if (w > mx) mx = w;
      }
      sw[n] = mx > 0 ? mx / (double)wq : 1.0;
      if (mx > gmax) gmax = mx;
    }
    if (!c->cfg->per_channel)
      for (size_t n = 0; n < N; n++) sw[n] = gmax > 0 ? gmax / (double)wq : 1.0;
    /* Weights in the layout of B; per-channel scale along n. */
    size_t period = N, div = trans_b ? K : 1;
    wid = weight_tensor(c, tb->name, "", tb->data, K * N, sw, period, div, wq, alpha);
    if (!trans_b) {
      /* scale index for B[k, n] (flat k*N + n) is n = flat % N: period N, div 1 */
    }
  } else {
    if (bv->keys == NULL) {
      free(sw);
      return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (%s): operand B is missing", nd->name, sm_op_name(nd->op));
    }
    for (size_t n = 0; n < N; n++) sw[n] = bv->scale * alpha;
    if (alpha != 1.0) {
      free(sw);
      return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (Gemm): alpha != 1 with two activations is not supported", nd->name);
    }
  }
  /* Bias: quantized at the accumulator's scale s_a * s_w[n]. */
  uint32_t bid = 0;
  const sm_tensor *tc = NULL;
  if (gemm && nd->n_in > 2) {
    tc = gt(c, nd->in[2]);
    if (!c->v[nd->in[2]].is_const) {
      free(sw);
      return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (Gemm): a computed bias C is not supported", nd->name);
    }
    double bmax = 0;
    double *bs = calloc(tc->numel, sizeof *bs);
    if (bs == NULL) return free(sw), (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < tc->numel; i++) {
      size_t n = tc->numel == N ? i : (tc->numel == 1 ? 0 : i % N);
      bs[i] = a->scale * sw[n];
      double v = fabs((double)tc->data[i] * beta / bs[i]);
      if (v > bmax) bmax = v;
    }
    bid = weight_tensor(c, tc->name, "", tc->data, tc->numel, bs, tc->numel, 1, pow2_bound(bmax + 1), beta);
    free(bs);
  }
  uint32_t acc = new_tensor(c, to->name, ".acc", SM_QT_ACC, M * N, 1.0, 0, 0);
  uint32_t first_dot = c->m->n_ops;
  for (size_t i = 0; i < M && c->err == STARKML_OK; i++) {
    for (size_t n = 0; n < N && c->err == STARKML_OK; n++) {
      size_t ia = i;
      dot_begin(c, acc, i * N + n);
      for (size_t k = 0; k < K; k++) {
        uint64_t ak = a->keys[trans_a ? k * M + ia : ia * K + k];
        size_t bi = trans_b ? n * K + k : k * N + n;
        sm_qref w = b_const ? kref(SM_QKEY(wid, bi)) : kref(bv->keys[bi]);
        add_term(c, kref(ak), w);
      }
      if (bid != 0) {
        size_t ci = tc->numel == 1 ? 0 : (tc->numel == N ? n : (i * N + n) % tc->numel);
        add_term(c, cref(1), kref(SM_QKEY(bid, ci)));
      }
      dot_end(c);
    }
  }
  if (c->err != STARKML_OK) return free(sw);
  double so = out_scale(c, nd);
  double *r = malloc(N * sizeof *r);
  if (r == NULL) return free(sw), (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  for (size_t n = 0; n < N; n++) r[n] = a->scale * sw[n] / so;
  int64_t q = qmax_bits(c->cfg->act_bits);
  requant_tensor(c, to->name, acc, first_dot, r, N, 1, so, -q, q, &c->v[nd->out]);
  free(r);
  free(sw);
}

/* Conv 2-D, NCHW, group 1 or depthwise. */
static void lower_conv(qctx *c, const sm_node *nd) {
  const sm_tensor *tx = gt(c, nd->in[0]), *tw = gt(c, nd->in[1]), *to = gt(c, nd->out);
  qview *x = act_in(c, nd, 0);
  if (x == NULL) return;
  if (!c->v[nd->in[1]].is_const)
    return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (Conv): computed weights are not supported", nd->name);
  int64_t C = tx->dims[1], H = tx->dims[2], W = tx->dims[3];
  int64_t M = tw->dims[0], CG = tw->dims[1], KH = nd->i[0], KW = nd->i[1];
  int64_t SH = nd->i[2], SW = nd->i[3], PT = nd->i[4], PL = nd->i[5];
  int64_t G = nd->i[8] ? nd->i[8] : 1;
  int64_t OH = to->dims[2], OW = to->dims[3];
  const int64_t wq = qmax_bits(c->cfg->weight_bits);
  size_t per = (size_t)(CG * KH * KW);
  double *sw = calloc((size_t)M, sizeof *sw);
  if (sw == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  double gmax = 0;
  for (int64_t mo = 0; mo < M; mo++) {
    double mx = 0;
    for (size_t j = 0; j < per; j++) mx = fmax(mx, fabs((double)tw->data[(size_t)mo * per + j]));
    sw[mo] = mx > 0 ? mx / (double)wq : 1.0;
    gmax = fmax(gmax, mx);
  }
  if (!c->cfg->per_channel)
    for (int64_t mo = 0; mo < M; mo++) sw[mo] = gmax > 0 ? gmax / (double)wq : 1.0;
  uint32_t wid = weight_tensor(c, tw->name, "", tw->data, tw->numel, sw, (size_t)M, per, wq, 1.0);
  uint32_t bid = 0;
  if (nd->n_in > 2) {
    const sm_tensor *tb = gt(c, nd->in[2]);
    double *bs = calloc((size_t)M, sizeof *bs), bmax = 0;
    if (bs == NULL) return free(sw), (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
    for (int64_t mo = 0; mo < M; mo++) {
      bs[mo] = x->scale * sw[mo];
      bmax = fmax(bmax, fabs((double)tb->data[mo] / bs[mo]));
    }
    bid = weight_tensor(c, tb->name, "", tb->data, (size_t)M, bs, (size_t)M, 1, pow2_bound(bmax + 1), 1.0);
    free(bs);
  }
  uint32_t acc = new_tensor(c, to->name, ".acc", SM_QT_ACC, to->numel, 1.0, 0, 0);
  uint32_t first_dot = c->m->n_ops;
  int64_t mpg = M / G; /* output channels per group */
  for (int64_t mo = 0; mo < M && c->err == STARKML_OK; mo++) {
    int64_t g = mo / mpg;
    for (int64_t oy = 0; oy < OH; oy++)
      for (int64_t ox = 0; ox < OW; ox++) {
        dot_begin(c, acc, (size_t)((mo * OH + oy) * OW + ox));
        for (int64_t cg = 0; cg < CG; cg++) {
          int64_t ci = g * CG + cg;
          for (int64_t ky = 0; ky < KH; ky++)
            for (int64_t kx = 0; kx < KW; kx++) {
              int64_t iy = oy * SH - PT + ky, ix = ox * SW - PL + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              uint64_t xk = x->keys[(size_t)((ci * H + iy) * W + ix)];
              size_t wi = (size_t)(((mo * CG + cg) * KH + ky) * KW + kx);
              add_term(c, kref(xk), kref(SM_QKEY(wid, wi)));
            }
        }
        if (bid != 0) add_term(c, cref(1), kref(SM_QKEY(bid, (size_t)mo)));
        dot_end(c);
      }
  }
  (void)C;
  if (c->err != STARKML_OK) return free(sw);
  double so = out_scale(c, nd);
  double *r = malloc((size_t)M * sizeof *r);
  if (r == NULL) return free(sw), (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  for (int64_t mo = 0; mo < M; mo++) r[mo] = x->scale * sw[mo] / so;
  int64_t q = qmax_bits(c->cfg->act_bits);
  requant_tensor(c, to->name, acc, first_dot, r, (size_t)M, (size_t)(OH * OW), so, -q, q, &c->v[nd->out]);
  free(r);
  free(sw);
}

/* Elementwise Add / Sub / Mul with broadcasting; either operand may be a constant. */
static void lower_eltwise(qctx *c, const sm_node *nd) {
  const sm_tensor *to = gt(c, nd->out);
  qview *va = &c->v[nd->in[0]], *vb = &c->v[nd->in[1]];
  if (va->is_const && vb->is_const)
    return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (%s): both operands are constants", nd->name, sm_op_name(nd->op));
  int swap = va->is_const;
  uint32_t ia = swap ? nd->in[1] : nd->in[0], ib = swap ? nd->in[0] : nd->in[1];
  qview *a = &c->v[ia], *b = &c->v[ib];
  const sm_tensor *ta = gt(c, ia), *tb = gt(c, ib);
  double sign_b = (nd->op == SM_OP_SUB) ? -1.0 : 1.0, sign_a = 1.0;
  if (nd->op == SM_OP_SUB && swap) { sign_a = -1.0; sign_b = 1.0; } /* c - x */
  const int64_t wq = qmax_bits(c->cfg->weight_bits);
  double s_acc;
  int64_t ka = 1, kb = 1;
  uint32_t cid = 0;
  if (nd->op == SM_OP_MUL) {
    if (b->is_const) {
      double mx = 0;
      for (size_t i = 0; i < tb->numel; i++) mx = fmax(mx, fabs((double)tb->data[i]));
      double sc = mx > 0 ? mx / (double)wq : 1.0;
      cid = weight_tensor(c, tb->name, "", tb->data, tb->numel, &sc, 1, 1, wq, 1.0);
      s_acc = a->scale * sc;
    } else {
      s_acc = a->scale * b->scale;
    }
  } else {
    double sb = b->is_const ? 0 : b->scale;
    s_acc = fmax(a->scale, sb) / (double)(1 << QM_COEF_BITS);
    ka = (int64_t)llround(sign_a * a->scale / s_acc);
    if (!b->is_const) {
      kb = (int64_t)llround(sign_b * b->scale / s_acc);
    } else {
      double mx = 0;
      for (size_t i = 0; i < tb->numel; i++) mx = fmax(mx, fabs((double)tb->data[i] / s_acc));
      cid = weight_tensor(c, tb->name, "", tb->data, tb->numel, &s_acc, 1, 1, pow2_bound(mx + 1), sign_b);
    }
  }
  uint32_t acc = new_tensor(c, to->name, ".acc", SM_QT_ACC, to->numel, 1.0, 0, 0);
  uint32_t first_dot = c->m->n_ops;
  for (size_t i = 0; i < to->numel && c->err == STARKML_OK; i++) {
    size_t xa = bcast_index(to, ta, i), xb = bcast_index(to, tb, i);
    dot_begin(c, acc, i);
    if (nd->op == SM_OP_MUL) {
      add_term(c, kref(a->keys[xa]), b->is_const ? kref(SM_QKEY(cid, xb)) : kref(b->keys[xb]));
    } else {
      add_term(c, kref(a->keys[xa]), cref(ka));
      if (b->is_const)
        add_term(c, cref(1), kref(SM_QKEY(cid, xb)));
      else
        add_term(c, kref(b->keys[xb]), cref(kb));
    }
    dot_end(c);
  }
  double so = out_scale(c, nd);
  double r = s_acc / so;
  int64_t q = qmax_bits(c->cfg->act_bits);
  requant_tensor(c, to->name, acc, first_dot, &r, 1, 1, so, -q, q, &c->v[nd->out]);
}

/* Pooling: MaxPool (MAX over the window), AveragePool and GlobalAveragePool (a DOT of ones
   then a rescale by 1 / count). */
static void lower_pool(qctx *c, const sm_node *nd) {
  const sm_tensor *tx = gt(c, nd->in[0]), *to = gt(c, nd->out);
  qview *x = act_in(c, nd, 0);
  if (x == NULL) return;
  int64_t C = tx->dims[1], H = tx->dims[2], W = tx->dims[3], OH = to->dims[2], OW = to->dims[3];
  int64_t KH, KW, SH, SW, PT, PL;
  int include_pad = 0;
  if (nd->op == SM_OP_GLOBALAVGPOOL) {
    KH = H, KW = W, SH = 1, SW = 1, PT = 0, PL = 0;
  } else {
    KH = nd->i[0], KW = nd->i[1], SH = nd->i[2], SW = nd->i[3], PT = nd->i[4], PL = nd->i[5];
    include_pad = nd->op == SM_OP_AVGPOOL && nd->i[8] != 0;
  }
  if (nd->op == SM_OP_MAXPOOL) {
    uint32_t id = new_tensor(c, to->name, "", SM_QT_VALUE, to->numel, x->scale, x->lo, x->hi);
    qview *o = &c->v[nd->out];
    set_view_keys(c, o, to->numel);
    for (int64_t ch = 0; ch < C && c->err == STARKML_OK; ch++)
      for (int64_t oy = 0; oy < OH; oy++)
        for (int64_t ox = 0; ox < OW; ox++) {
          size_t oi = (size_t)((ch * OH + oy) * OW + ox);
          sm_qop *op = new_op(c, SM_QOP_MAX, SM_QKEY(id, oi));
          if (op == NULL) return;
          op->first = c->m->n_keys;
          for (int64_t ky = 0; ky < KH; ky++)
            for (int64_t kx = 0; kx < KW; kx++) {
              int64_t iy = oy * SH - PT + ky, ix = ox * SW - PL + kx;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              if (!grow((void **)&c->m->keys, &c->cap_keys, c->m->n_keys + 1, sizeof *c->m->keys))
                return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
              c->m->keys[c->m->n_keys++] = x->keys[(size_t)((ch * H + iy) * W + ix)];
            }
          op->n = c->m->n_keys - op->first;
          if (op->n == 0)
            return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (MaxPool): a window lies entirely in the padding", nd->name);
          o->keys[oi] = SM_QKEY(id, oi);
        }
    o->scale = x->scale;
    o->lo = x->lo;
    o->hi = x->hi;
    o->tensor = id;
    return;
  }
  uint32_t acc = new_tensor(c, to->name, ".acc", SM_QT_ACC, to->numel, 1.0, 0, 0);
  uint32_t first_dot = c->m->n_ops;
  double so = out_scale(c, nd);
  double *r = malloc(to->numel * sizeof *r);
  if (r == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  for (int64_t ch = 0; ch < C && c->err == STARKML_OK; ch++)
    for (int64_t oy = 0; oy < OH; oy++)
      for (int64_t ox = 0; ox < OW; ox++) {
        size_t oi = (size_t)((ch * OH + oy) * OW + ox);
        dot_begin(c, acc, oi);
        int64_t cnt = 0;
        for (int64_t ky = 0; ky < KH; ky++)
          for (int64_t kx = 0; kx < KW; kx++) {
            int64_t iy = oy * SH - PT + ky, ix = ox * SW - PL + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
              if (include_pad) cnt++;
              continue;
            }
            cnt++;
            add_term(c, kref(x->keys[(size_t)((ch * H + iy) * W + ix)]), cref(1));
          }
        dot_end(c);
        r[oi] = x->scale / ((double)(cnt ? cnt : 1) * so);
      }
  int64_t q = qmax_bits(c->cfg->act_bits);
  requant_tensor(c, to->name, acc, first_dot, r, to->numel, 1, so, -q, q, &c->v[nd->out]);
  free(r);
}

/* BatchNormalization as one affine DOT per element: x * a[ch] + b[ch]. */
static void lower_batchnorm(qctx *c, const sm_node *nd) {
  const sm_tensor *tx = gt(c, nd->in[0]), *to = gt(c, nd->out);
  qview *x = act_in(c, nd, 0);
  if (x == NULL) return;
  for (uint32_t j = 1; j < 5; j++)
    if (!c->v[nd->in[j]].is_const)
      return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (BatchNormalization): parameters must be constants", nd->name);
  const float *sc = gt(c, nd->in[1])->data, *bi = gt(c, nd->in[2])->data;
  const float *mean = gt(c, nd->in[3])->data, *var = gt(c, nd->in[4])->data;
  size_t C = (size_t)tx->dims[1], inner = tx->numel / C;
  float *a = malloc(C * sizeof *a), *b = malloc(C * sizeof *b);
  if (a == NULL || b == NULL) return free(a), free(b), (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  double amx = 0;
  for (size_t ch = 0; ch < C; ch++) {
    double av = sc[ch] / sqrt((double)var[ch] + nd->f[0]);
    a[ch] = (float)av;
    b[ch] = (float)(bi[ch] - mean[ch] * av);
    amx = fmax(amx, fabs(av));
  }
  const int64_t wq = qmax_bits(c->cfg->weight_bits);
  double sa = amx > 0 ? amx / (double)wq : 1.0, sacc = x->scale * sa, bmx = 0;
  for (size_t ch = 0; ch < C; ch++) bmx = fmax(bmx, fabs(b[ch] / sacc));
  uint32_t aid = weight_tensor(c, to->name, ".bn_scale", a, C, &sa, 1, 1, wq, 1.0);
  uint32_t bid = weight_tensor(c, to->name, ".bn_bias", b, C, &sacc, 1, 1, pow2_bound(bmx + 1), 1.0);
  free(a);
  free(b);
  uint32_t acc = new_tensor(c, to->name, ".acc", SM_QT_ACC, to->numel, 1.0, 0, 0);
  uint32_t first_dot = c->m->n_ops;
  for (size_t i = 0; i < to->numel && c->err == STARKML_OK; i++) {
    size_t ch = (i / inner) % C;
    dot_begin(c, acc, i);
    add_term(c, kref(x->keys[i]), kref(SM_QKEY(aid, ch)));
    add_term(c, cref(1), kref(SM_QKEY(bid, ch)));
    dot_end(c);
  }
  double so = out_scale(c, nd), r = sacc / so;
  int64_t q = qmax_bits(c->cfg->act_bits);
  requant_tensor(c, to->name, acc, first_dot, &r, 1, 1, so, -q, q, &c->v[nd->out]);
}

/* Copies keys through a fresh identity requantization (scale change or clamping). */
static void requant_copy(qctx *c, const char *name, const qview *in, double out_scale_v,
                         int64_t lo, int64_t hi, qview *out) {
  uint32_t acc = new_tensor(c, name, ".acc", SM_QT_ACC, in->numel, 1.0, 0, 0);
  uint32_t first_dot = c->m->n_ops;
  int64_t k = 1;
  double r = 1.0;
  if (fabs(in->scale / out_scale_v - 1.0) > 1e-12) {
    k = (int64_t)1 << QM_COEF_BITS;
    r = in->scale / (out_scale_v * (double)k);
  }
  for (size_t i = 0; i < in->numel && c->err == STARKML_OK; i++) {
    dot_begin(c, acc, i);
    add_term(c, kref(in->keys[i]), cref(k));
    dot_end(c);
  }
  requant_tensor(c, name, acc, first_dot, &r, 1, 1, out_scale_v, lo, hi, out);
}

/* ReLU and Clip: folded into the producing requantization when that is the only reader,
   else a clamping copy. */
static void lower_clamp(qctx *c, const sm_node *nd) {
  qview *x = act_in(c, nd, 0);
  if (x == NULL) return;
  double fmin = nd->op == SM_OP_RELU ? 0.0 : nd->f[0], fmax_ = nd->op == SM_OP_RELU ? INFINITY : nd->f[1];
  int64_t lo = x->lo, hi = x->hi;
  if (isfinite(fmin)) {
    double v = ceil(fmin / x->scale - 1e-9);
    if (v > (double)lo) lo = v > (double)hi ? hi : (int64_t)v;
  }
  if (isfinite(fmax_)) {
    double v = floor(fmax_ / x->scale + 1e-9);
    if (v < (double)hi) hi = v < (double)lo ? lo : (int64_t)v;
  }
  qview *o = &c->v[nd->out];
  if (x->tensor != 0 && x->n_ops == x->numel && c->consumers[nd->in[0]] == 1 && nd->in[0] != c->g->output) {
    for (uint32_t k = 0; k < x->n_ops; k++) {
      sm_qop *op = &c->m->ops[x->first_op + k];
      if (op->lo < lo) op->lo = lo;
      if (op->hi > hi) op->hi = hi;
      if (op->lo > op->hi) op->lo = op->hi;
    }
    /* Every op writing the tensor now clamps to [lo, hi], so its bounds tighten too (the
       MAX and LUT gadgets rely on them). */
    sm_qtensor *tt = &c->m->tensors[x->tensor - 1];
    if (tt->lo < lo) tt->lo = lo;
    if (tt->hi > hi) tt->hi = hi;
    if (tt->lo > tt->hi) tt->lo = tt->hi;
    *o = *x;
    o->keys = malloc(x->numel * sizeof *o->keys);
    if (o->keys == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
    memcpy(o->keys, x->keys, x->numel * sizeof *o->keys);
    o->lo = lo;
    o->hi = hi;
    return;
  }
  requant_copy(c, gt(c, nd->out)->name, x, x->scale, lo, hi, o);
}

/* Sigmoid, Tanh, LeakyRelu: a lookup table over the input's integer range. */
static void lower_lut(qctx *c, const sm_node *nd) {
  qview *x = act_in(c, nd, 0);
  if (x == NULL) return;
  const sm_tensor *to = gt(c, nd->out);
  int64_t q = qmax_bits(c->cfg->act_bits);
  double so;
  uint32_t fn;
  if (nd->op == SM_OP_SIGMOID) {
    so = 1.0 / (double)q, fn = SM_QLUT_SIGMOID;
  } else if (nd->op == SM_OP_TANH) {
    so = 1.0 / (double)q, fn = SM_QLUT_TANH;
  } else {
    so = x->scale, fn = SM_QLUT_LEAKYRELU;
  }
  sm_qmodel *m = c->m;
  if (!grow((void **)&m->luts, &c->cap_luts, m->n_luts + 1, sizeof *m->luts))
    return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  sm_qlut *l = &m->luts[m->n_luts];
  memset(l, 0, sizeof *l);
  l->in_lo = x->lo;
  l->n = (uint32_t)(x->hi - x->lo + 1);
  l->fn = fn;
  l->out = malloc(l->n * sizeof *l->out);
  if (l->out == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  uint32_t lut_index = m->n_luts++;
  int64_t olo = INT64_MAX, ohi = INT64_MIN;
  for (uint32_t j = 0; j < l->n; j++) {
    double xv = (double)(l->in_lo + j) * x->scale, yv;
    if (fn == SM_QLUT_SIGMOID)
      yv = 1.0 / (1.0 + exp(-xv));
    else if (fn == SM_QLUT_TANH)
      yv = tanh(xv);
    else
      yv = xv >= 0 ? xv : nd->f[0] * xv;
    int64_t o = clamp64(round_even(yv / so), -q, q);
    l->out[j] = o;
    if (o < olo) olo = o;
    if (o > ohi) ohi = o;
  }
  uint32_t id = new_tensor(c, to->name, "", SM_QT_VALUE, x->numel, so, olo, ohi);
  qview *o = &c->v[nd->out];
  set_view_keys(c, o, x->numel);
  for (size_t i = 0; i < x->numel && c->err == STARKML_OK; i++) {
    sm_qop *op = new_op(c, SM_QOP_LUT, SM_QKEY(id, i));
    if (op == NULL) return;
    op->in = x->keys[i];
    op->lut = lut_index;
    o->keys[i] = SM_QKEY(id, i);
  }
  o->scale = so;
  o->lo = olo;
  o->hi = ohi;
  o->tensor = id;
}

/* Softmax over the last axis: m = max(x); d = x - m; e = exp table(d); s = sum e;
   y = floor(e * 2^k / s), k = act_bits - 1, so y is at scale 2^-k in [0, 2^k]. */
static void lower_softmax(qctx *c, const sm_node *nd) {
  qview *x = act_in(c, nd, 0);
  if (x == NULL) return;
  const sm_tensor *tx = gt(c, nd->in[0]), *to = gt(c, nd->out);
  size_t L = (size_t)tx->dims[tx->rank - 1], R = x->numel / L;
  sm_qmodel *m = c->m;
  unsigned k = c->cfg->act_bits - 1;
  /* The exp table over d in [-(hi - lo), 0]. */
  if (!grow((void **)&m->luts, &c->cap_luts, m->n_luts + 1, sizeof *m->luts))
    return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  sm_qlut *l = &m->luts[m->n_luts];
  memset(l, 0, sizeof *l);
  l->in_lo = x->lo - x->hi;
  l->n = (uint32_t)(x->hi - x->lo + 1);
  l->fn = SM_QLUT_EXP;
  l->out = malloc(l->n * sizeof *l->out);
  if (l->out == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  uint32_t lut_index = m->n_luts++;
  for (uint32_t j = 0; j < l->n; j++)
    l->out[j] = round_even(exp((double)(l->in_lo + j) * x->scale) * (double)(1 << QM_EXP_BITS));
  const char *nm = to->name;
  uint32_t mx = new_tensor(c, nm, ".max", SM_QT_VALUE, R, x->scale, x->lo, x->hi);
  uint32_t dd = new_tensor(c, nm, ".diff", SM_QT_ACC, x->numel, x->scale, 0, 0);
  uint32_t ee = new_tensor(c, nm, ".exp", SM_QT_VALUE, x->numel, 1.0 / (1 << QM_EXP_BITS), 0, 1 << QM_EXP_BITS);
  uint32_t ss = new_tensor(c, nm, ".sum", SM_QT_ACC, R, 1.0 / (1 << QM_EXP_BITS), 0, 0);
  uint32_t yy = new_tensor(c, nm, "", SM_QT_VALUE, x->numel, ldexp(1.0, -(int)k), 0, (int64_t)1 << k);
  if (c->err != STARKML_OK) return;
  for (size_t r = 0; r < R; r++) {
    sm_qop *op = new_op(c, SM_QOP_MAX, SM_QKEY(mx, r));
    if (op == NULL) return;
    op->first = m->n_keys;
    op->n = (uint32_t)L;
    if (!grow((void **)&m->keys, &c->cap_keys, m->n_keys + (uint32_t)L, sizeof *m->keys))
      return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
    for (size_t j = 0; j < L; j++) m->keys[m->n_keys++] = x->keys[r * L + j];
  }
  for (size_t i = 0; i < x->numel && c->err == STARKML_OK; i++) {
    dot_begin(c, dd, i);
    add_term(c, kref(x->keys[i]), cref(1));
    add_term(c, kref(SM_QKEY(mx, i / L)), cref(-1));
    dot_end(c);
  }
  for (size_t i = 0; i < x->numel && c->err == STARKML_OK; i++) {
    sm_qop *op = new_op(c, SM_QOP_LUT, SM_QKEY(ee, i));
    if (op == NULL) return;
    op->in = SM_QKEY(dd, i);
    op->lut = lut_index;
  }
  for (size_t r = 0; r < R && c->err == STARKML_OK; r++) {
    dot_begin(c, ss, r);
    for (size_t j = 0; j < L; j++) add_term(c, kref(SM_QKEY(ee, r * L + j)), cref(1));
    dot_end(c);
  }
  qview *o = &c->v[nd->out];
  set_view_keys(c, o, x->numel);
  for (size_t i = 0; i < x->numel && c->err == STARKML_OK; i++) {
    sm_qop *op = new_op(c, SM_QOP_DIV, SM_QKEY(yy, i));
    if (op == NULL) return;
    op->in = SM_QKEY(ee, i);
    op->in2 = SM_QKEY(ss, i / L);
    op->shift = k;
    o->keys[i] = SM_QKEY(yy, i);
  }
  o->scale = ldexp(1.0, -(int)k);
  o->lo = 0;
  o->hi = (int64_t)1 << k;
  o->tensor = yy;
}

/* Reshape, Flatten, Identity: same keys; Transpose: permuted keys. */
static void lower_view(qctx *c, const sm_node *nd) {
  qview *x = &c->v[nd->in[0]], *o = &c->v[nd->out];
  const sm_tensor *tx = gt(c, nd->in[0]), *to = gt(c, nd->out);
  if (x->is_const)
    return (void)qfail(c, STARKML_ERR_ARG, "node '%s' (%s): constant folding of initializers is not supported",
                       nd->name, sm_op_name(nd->op));
  if (x->keys == NULL) return (void)qfail(c, STARKML_ERR_ARG, "node '%s': input missing", nd->name);
  set_view_keys(c, o, to->numel);
  if (c->err != STARKML_OK) return;
  o->scale = x->scale;
  o->lo = x->lo;
  o->hi = x->hi;
  if (nd->op != SM_OP_TRANSPOSE) {
    memcpy(o->keys, x->keys, to->numel * sizeof *o->keys);
    o->tensor = x->tensor;
    o->first_op = x->first_op;
    o->n_ops = x->n_ops;
    return;
  }
  size_t in_stride[SM_GRAPH_MAX_RANK];
  size_t s = 1;
  for (int d = (int)tx->rank - 1; d >= 0; d--) {
    in_stride[d] = s;
    s *= (size_t)tx->dims[d];
  }
  for (size_t i = 0; i < to->numel; i++) {
    size_t rem = i, src = 0;
    for (int d = (int)to->rank - 1; d >= 0; d--) {
      size_t cd = rem % (size_t)to->dims[d];
      rem /= (size_t)to->dims[d];
      src += cd * in_stride[nd->i[d]];
    }
    o->keys[i] = x->keys[src];
  }
}

static void lower_concat(qctx *c, const sm_node *nd) {
  const sm_tensor *to = gt(c, nd->out);
  int64_t axis = nd->i[0];
  double s = 0;
  int64_t lo = 0, hi = 0;
  for (uint32_t j = 0; j < nd->n_in; j++) {
    qview *x = act_in(c, nd, j);
    if (x == NULL) return;
    if (x->scale > s) s = x->scale;
  }
  /* Inputs at another scale are rescaled to the largest one first. */
  qview *tmp = calloc(nd->n_in, sizeof *tmp);
  if (tmp == NULL) return (void)qfail(c, STARKML_ERR_NOMEM, "out of memory");
  for (uint32_t j = 0; j < nd->n_in && c->err == STARKML_OK; j++) {
    qview *x = &c->v[nd->in[j]];
    if (x->scale != s) {
      int64_t q = qmax_bits(c->cfg->act_bits);
      requant_copy(c, to->name, x, s, -q, q, &tmp[j]);
    } else {
      tmp[j] = *x;
      tmp[j].keys = NULL;
    }
    const qview *src = tmp[j].keys ? &tmp[j] : x;
    if (j == 0 || src->lo < lo) lo = src->lo;
    if (j == 0 || src->hi > hi) hi = src->hi;
  }
  qview *o = &c->v[nd->out];
  set_view_keys(c, o, to->numel);
  if (c->err == STARKML_OK) {
    size_t outer = 1, inner_out = 1;
    for (int64_t d = 0; d < axis; d++) outer *= (size_t)to->dims[d];
    for (uint32_t d = (uint32_t)axis; d < to->rank; d++) inner_out *= (size_t)to->dims[d];
    size_t col = 0;
    for (uint32_t j = 0; j < nd->n_in; j++) {
      const sm_tensor *tj = gt(c, nd->in[j]);
      size_t inner = 1;
      for (uint32_t d = (uint32_t)axis; d < tj->rank; d++) inner *= (size_t)tj->dims[d];
      const uint64_t *keys = tmp[j].keys ? tmp[j].keys : c->v[nd->in[j]].keys;
      for (size_t a = 0; a < outer; a++)
        for (size_t b = 0; b < inner; b++) o->keys[a * inner_out + col + b] = keys[a * inner + b];
      col += inner;
    }
    o->scale = s;
    o->lo = lo;
    o->hi = hi;
  }
  for (uint32_t j = 0; j < nd->n_in; j++) free(tmp[j].keys);
  free(tmp);
}

/* Calibration: max |x| of every tensor over the samples. */
static starkml_status calibrate(qctx *c, const float *calib, size_t n_calib) {
  const sm_graph *g = c->g;
  for (size_t s = 0; s < n_calib; s++) {
    float **vals = NULL;
    const sm_tensor *to = &g->tensors[g->output];
    float *out = malloc(to->numel * sizeof *out);
    if (out == NULL) return STARKML_ERR_NOMEM;
    size_t in_n = g->tensors[g->input].numel;
    starkml_status st = sm_graph_run_float(g, &vals, out, to->numel, calib + s * in_n, in_n);
    free(out);
    if (st != STARKML_OK) {
      qfail(c, st, "calibration sample %zu: the float model failed (%s)", s, starkml_strerror(st));
      return st;
    }
    for (size_t t = 0; t < g->n_tensors; t++) {
      if (vals[t] == NULL) continue;
      for (size_t i = 0; i < g->tensors[t].numel; i++) {
        double a = fabs((double)vals[t][i]);
        if (a > c->amax[t]) c->amax[t] = a;
      }
    }
    sm_graph_values_free(g, vals);
  }
  return STARKML_OK;
}

/* Accuracy over the calibration set. */
static starkml_status measure(const sm_qmodel *m, const sm_graph *g, sm_qreport *rep,
                              const float *calib, size_t n_calib, size_t in_n) {
  size_t nv = sm_qmodel_n_values(m), no = m->tensors[m->output - 1].numel;
  int64_t *vals = malloc(nv * sizeof *vals), *q = malloc(in_n * sizeof *q);
  float *out = malloc(no * sizeof *out);
  starkml_status st = STARKML_OK;
  if (vals == NULL || q == NULL || out == NULL) {
    st = STARKML_ERR_NOMEM;
    goto done;
  }
  size_t agree = 0;
  double maxerr = 0;
  size_t ooff = sm_qmodel_offset(m, m->output);
  double so = m->tensors[m->output - 1].scale;
  for (size_t s = 0; s < n_calib; s++) {
    const float *x = calib + s * in_n;
    if ((st = sm_graph_run_float(g, NULL, out, no, x, in_n)) != STARKML_OK) goto done;
    if ((st = sm_qmodel_quantize_input(m, q, x, in_n)) != STARKML_OK) goto done;
    if ((st = sm_qmodel_run(m, vals, q)) != STARKML_OK) goto done;
    size_t af = 0, aq = 0;
    for (size_t i = 0; i < no; i++) {
      double yq = (double)vals[ooff + i] * so;
      maxerr = fmax(maxerr, fabs(yq - (double)out[i]));
      if (out[i] > out[af]) af = i;
      if (vals[ooff + i] > vals[ooff + aq]) aq = i;
    }
    if (no == 1)
      agree += ((double)out[0] >= 0.5) == ((double)vals[ooff] * so >= 0.5);
    else
      agree += af == aq;
  }
  rep->max_abs_err = maxerr;
  rep->top1_agreement = n_calib ? (double)agree / (double)n_calib : 0;
done:
  free(vals);
  free(q);
  free(out);
  return st;
}

starkml_status sm_qmodel_compile(sm_qmodel *m, sm_qreport *report, char *why, size_t why_len,
                                 const sm_graph *g, const sm_qconfig *cfg, const float *calib,
                                 size_t n_calib, size_t sample_len) {
  sm_why(why, why_len, "%s", "");
  if (m == NULL) return STARKML_ERR_ARG;
  memset(m, 0, sizeof *m);
  if (report != NULL) memset(report, 0, sizeof *report);
  if (g == NULL || calib == NULL || n_calib == 0) {
    sm_why(why, why_len, "no calibration samples");
    return STARKML_ERR_ARG;
  }
  sm_qconfig defcfg;
  if (cfg == NULL) sm_qconfig_default(&defcfg), cfg = &defcfg;
  if (cfg->act_bits < 2 || cfg->act_bits > SM_Q_MAX_BITS || cfg->weight_bits < 2 ||
      cfg->weight_bits > SM_Q_MAX_BITS) {
    sm_why(why, why_len, "bit widths must be in 2..%d", SM_Q_MAX_BITS);
    return STARKML_ERR_ARG;
  }
  if (sample_len != g->tensors[g->input].numel) {
    sm_why(why, why_len, "calibration samples have %zu values; the model input has %zu",
            sample_len, g->tensors[g->input].numel);
    return STARKML_ERR_ARG;
  }
  for (size_t i = 0; i < n_calib * sample_len; i++)
    if (!isfinite(calib[i])) {
      sm_why(why, why_len, "calibration sample %zu, value %zu is not finite", i / sample_len, i % sample_len);
      return STARKML_ERR_ARG;
    }
  qctx c;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.g = g;
  c.cfg = cfg;
  c.why = why;
  c.why_len = why_len;
  c.v = calloc(g->n_tensors, sizeof *c.v);
  c.amax = calloc(g->n_tensors, sizeof *c.amax);
  c.consumers = calloc(g->n_tensors, sizeof *c.consumers);
  if (c.v == NULL || c.amax == NULL || c.consumers == NULL) {
    c.err = STARKML_ERR_NOMEM;
    goto done;
  }
  for (size_t k = 0; k < g->n_nodes; k++)
    for (uint32_t j = 0; j < g->nodes[k].n_in; j++) c.consumers[g->nodes[k].in[j]]++;
  if (calibrate(&c, calib, n_calib) != STARKML_OK) goto done;
  for (size_t t = 0; t < g->n_tensors; t++) c.v[t].is_const = g->tensors[t].is_const;
  /* The input. */
  {
    const sm_tensor *ti = &g->tensors[g->input];
    int64_t q = qmax_bits(cfg->act_bits);
    double a = c.amax[g->input] > 1e-12 ? c.amax[g->input] : 1e-12;
    uint32_t id = new_tensor(&c, ti->name, "", SM_QT_INPUT, ti->numel, a / (double)q, -q, q);
    m->input = id;
    qview *v = &c.v[g->input];
    set_view_keys(&c, v, ti->numel);
    if (c.err != STARKML_OK) goto done;
    for (size_t i = 0; i < ti->numel; i++) v->keys[i] = SM_QKEY(id, i);
    v->scale = a / (double)q;
    v->lo = -q;
    v->hi = q;
    v->tensor = id;
  }
  for (size_t k = 0; k < g->n_nodes && c.err == STARKML_OK; k++) {
    const sm_node *nd = &g->nodes[k];
    switch (nd->op) {
      case SM_OP_GEMM: lower_matmul(&c, nd, 1); break;
      case SM_OP_MATMUL: lower_matmul(&c, nd, 0); break;
      case SM_OP_CONV: lower_conv(&c, nd); break;
      case SM_OP_ADD:
      case SM_OP_SUB:
      case SM_OP_MUL: lower_eltwise(&c, nd); break;
      case SM_OP_RELU:
      case SM_OP_CLIP: lower_clamp(&c, nd); break;
      case SM_OP_SIGMOID:
      case SM_OP_TANH:
      case SM_OP_LEAKYRELU: lower_lut(&c, nd); break;
      case SM_OP_SOFTMAX: lower_softmax(&c, nd); break;
      case SM_OP_MAXPOOL:
      case SM_OP_AVGPOOL:
      case SM_OP_GLOBALAVGPOOL: lower_pool(&c, nd); break;
      case SM_OP_BATCHNORM: lower_batchnorm(&c, nd); break;
      case SM_OP_FLATTEN:
      case SM_OP_RESHAPE:
      case SM_OP_IDENTITY:
      case SM_OP_TRANSPOSE: lower_view(&c, nd); break;
      case SM_OP_CONCAT: lower_concat(&c, nd); break;
      default:
        qfail(&c, STARKML_ERR_ARG, "node '%s': op %s has no quantized lowering", nd->name, sm_op_name(nd->op));
    }
  }
  if (c.err != STARKML_OK) goto done;
  /* The output: a value tensor of its own, in order (a clamping copy when it is not). */
  {
    qview *o = &c.v[g->output];
    if (o->is_const || o->keys == NULL) {
      qfail(&c, STARKML_ERR_ARG, "the model output does not depend on the input");
      goto done;
    }
    int own = o->tensor != 0 && m->tensors[o->tensor - 1].kind == SM_QT_VALUE &&
              m->tensors[o->tensor - 1].numel == o->numel;
    for (size_t i = 0; own && i < o->numel; i++) own = o->keys[i] == SM_QKEY(o->tensor, i);
    if (!own) {
      qview tmp;
      memset(&tmp, 0, sizeof tmp);
      requant_copy(&c, g->tensors[g->output].name, o, o->scale, o->lo, o->hi, &tmp);
      free(o->keys);
      *o = tmp;
    }
    if (c.err != STARKML_OK) goto done;
    m->output = o->tensor;
  }
  m->has_weights = 1;
  if (sm_qmodel_check(m, why, why_len) != STARKML_OK) {
    c.err = STARKML_ERR_INTERNAL;
    goto done;
  }
  if (report != NULL) {
    report->n_calib = n_calib;
    report->n_values = sm_qmodel_n_values(m);
    report->n_dot_terms = m->n_terms;
    for (uint32_t k = 0; k < m->n_ops; k++) {
      switch (m->ops[k].kind) {
        case SM_QOP_REQUANT: report->n_requant++; break;
        case SM_QOP_LUT: report->n_lut++; break;
        case SM_QOP_MAX: report->n_max++; break;
        case SM_QOP_DIV: report->n_div++; break;
        default: break;
      }
    }
    c.err = measure(m, g, report, calib, n_calib, sample_len);
  }
done:
  if (c.v != NULL)
    for (size_t t = 0; t < g->n_tensors; t++) free(c.v[t].keys);
  free(c.v);
  free(c.amax);
  free(c.consumers);
  starkml_status st = c.err;
  if (st != STARKML_OK) sm_qmodel_free(m);
  return st;
}

/* ---- Encoding ------------------------------------------------------------------------- */

static uint64_t dbl_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}
static double bits_dbl(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

starkml_status sm_qmodel_encode(const sm_qmodel *m, int with_weights, sm_writer *w) {
  if (m == NULL || w == NULL || (with_weights && !m->has_weights)) return STARKML_ERR_ARG;
  sm_w_bytes(w, QM_MAGIC, 4);
  sm_w_u32(w, QM_VERSION);
  sm_w_u32(w, with_weights ? 1u : 0u);
  sm_w_u32(w, m->n_tensors);
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    const sm_qtensor *t = &m->tensors[i];
    uint32_t nl = (uint32_t)strnlen(t->name, sizeof t->name - 1);
    sm_w_u32(w, nl);
    sm_w_bytes(w, t->name, nl);
    sm_w_u32(w, t->kind);
    sm_w_u32(w, t->numel);
    sm_w_u64(w, dbl_bits(t->scale));
    sm_w_u64(w, (uint64_t)t->lo);
    sm_w_u64(w, (uint64_t)t->hi);
  }
  sm_w_u32(w, m->input);
  sm_w_u32(w, m->output);
  sm_w_u32(w, m->n_ops);
  for (uint32_t k = 0; k < m->n_ops; k++) {
    const sm_qop *op = &m->ops[k];
    sm_w_u32(w, op->kind);
    sm_w_u32(w, op->lut);
    sm_w_u64(w, op->out);
    sm_w_u64(w, op->in);
    sm_w_u64(w, op->in2);
    sm_w_u32(w, op->first);
    sm_w_u32(w, op->n);
    sm_w_u32(w, op->shift);
    sm_w_u64(w, (uint64_t)op->mult);
    sm_w_u64(w, (uint64_t)op->lo);
    sm_w_u64(w, (uint64_t)op->hi);
  }
  sm_w_u32(w, m->n_terms);
  for (uint32_t i = 0; i < 2u * m->n_terms; i++) {
    sm_w_u64(w, m->terms[i].key);
    sm_w_u64(w, (uint64_t)m->terms[i].c);
  }
  sm_w_u32(w, m->n_keys);
  for (uint32_t i = 0; i < m->n_keys; i++) sm_w_u64(w, m->keys[i]);
  sm_w_u32(w, m->n_luts);
  for (uint32_t l = 0; l < m->n_luts; l++) {
    const sm_qlut *lt = &m->luts[l];
    sm_w_u64(w, (uint64_t)lt->in_lo);
    sm_w_u32(w, lt->fn);
    sm_w_u32(w, lt->n);
    for (uint32_t j = 0; j < lt->n; j++) sm_w_u64(w, (uint64_t)lt->out[j]);
  }
  if (with_weights) {
    for (uint32_t i = 0; i < m->n_tensors; i++) {
      if (m->tensors[i].kind != SM_QT_WEIGHT) continue;
      for (uint32_t j = 0; j < m->tensors[i].numel; j++) sm_w_u64(w, (uint64_t)m->weights[i][j]);
    }
  }
  return sm_w_status(w);
}

starkml_status sm_qmodel_decode(sm_qmodel *m, char *why, size_t why_len, sm_reader *r) {
  sm_why(why, why_len, "%s", "");
  if (m == NULL || r == NULL) return STARKML_ERR_ARG;
  memset(m, 0, sizeof *m);
  uint8_t magic[4];
  uint32_t version = 0, hw = 0;
  sm_r_bytes(r, magic, 4);
  sm_r_u32(r, &version);
  sm_r_u32(r, &hw);
  if (r->err != STARKML_OK || memcmp(magic, QM_MAGIC, 4) != 0 || version != QM_VERSION || hw > 1) {
    sm_why(why, why_len, "not a starkml quantized model (magic or version)");
    return STARKML_ERR_PARSE;
  }
  starkml_status st = STARKML_OK;
  sm_r_len(r, &m->n_tensors, SM_Q_MAX_TENSORS, 40);
  if (r->err != STARKML_OK || m->n_tensors == 0) goto parse_fail;
  m->tensors = calloc(m->n_tensors, sizeof *m->tensors);
  m->weights = calloc(m->n_tensors, sizeof *m->weights);
  if (m->tensors == NULL || m->weights == NULL) goto nomem;
  for (uint32_t i = 0; i < m->n_tensors; i++) {
    sm_qtensor *t = &m->tensors[i];
    uint32_t nl = 0;
    uint64_t sc = 0, lo = 0, hi = 0;
    sm_r_len(r, &nl, SM_GRAPH_MAX_NAME - 1, 1);
    sm_r_bytes(r, t->name, nl);
    sm_r_u32(r, &t->kind);
    sm_r_u32(r, &t->numel);
    sm_r_u64(r, &sc);
    sm_r_u64(r, &lo);
    sm_r_u64(r, &hi);
    if (r->err != STARKML_OK || memchr(t->name, 0, nl) != NULL) goto parse_fail;
    t->scale = bits_dbl(sc);
    t->lo = (int64_t)lo;
    t->hi = (int64_t)hi;
  }
  sm_r_u32(r, &m->input);
  sm_r_u32(r, &m->output);
  sm_r_len(r, &m->n_ops, SM_Q_MAX_OPS, 76);
  if (r->err != STARKML_OK) goto parse_fail;
  m->ops = calloc(m->n_ops ? m->n_ops : 1, sizeof *m->ops);
  if (m->ops == NULL) goto nomem;
  for (uint32_t k = 0; k < m->n_ops; k++) {
    sm_qop *op = &m->ops[k];
    uint64_t mult = 0, lo = 0, hi = 0;
    sm_r_u32(r, &op->kind);
    sm_r_u32(r, &op->lut);
    sm_r_u64(r, &op->out);
    sm_r_u64(r, &op->in);
    sm_r_u64(r, &op->in2);
    sm_r_u32(r, &op->first);
    sm_r_u32(r, &op->n);
    sm_r_u32(r, &op->shift);
    sm_r_u64(r, &mult);
    sm_r_u64(r, &lo);
    sm_r_u64(r, &hi);
    op->mult = (int64_t)mult;
    op->lo = (int64_t)lo;
    op->hi = (int64_t)hi;
  }
  sm_r_len(r, &m->n_terms, SM_Q_MAX_OPS, 32);
  if (r->err != STARKML_OK) goto parse_fail;
  m->terms = calloc(2u * (size_t)m->n_terms + 1, sizeof *m->terms);
  if (m->terms == NULL) goto nomem;
  for (uint32_t i = 0; i < 2u * m->n_terms; i++) {
    uint64_t cc = 0;
    sm_r_u64(r, &m->terms[i].key);
    sm_r_u64(r, &cc);
    m->terms[i].c = (int64_t)cc;
  }
  sm_r_len(r, &m->n_keys, SM_Q_MAX_OPS, 8);
  if (r->err != STARKML_OK) goto parse_fail;
  m->keys = calloc(m->n_keys ? m->n_keys : 1, sizeof *m->keys);
  if (m->keys == NULL) goto nomem;
  for (uint32_t i = 0; i < m->n_keys; i++) sm_r_u64(r, &m->keys[i]);
  sm_r_len(r, &m->n_luts, 1u << 16, 16);
  if (r->err != STARKML_OK) goto parse_fail;
  m->luts = calloc(m->n_luts ? m->n_luts : 1, sizeof *m->luts);
  if (m->luts == NULL) goto nomem;
  for (uint32_t l = 0; l < m->n_luts; l++) {
    sm_qlut *lt = &m->luts[l];
    uint64_t lo = 0;
    sm_r_u64(r, &lo);
    sm_r_u32(r, &lt->fn);
    sm_r_len(r, &lt->n, SM_Q_MAX_LUT_ENTRIES, 8);
    if (r->err != STARKML_OK) goto parse_fail;
    lt->in_lo = (int64_t)lo;
    lt->out = calloc(lt->n ? lt->n : 1, sizeof *lt->out);
    if (lt->out == NULL) goto nomem;
    for (uint32_t j = 0; j < lt->n; j++) {
      uint64_t v = 0;
      sm_r_u64(r, &v);
      lt->out[j] = (int64_t)v;
    }
  }
  if (r->err != STARKML_OK) goto parse_fail;
  if (hw) {
    for (uint32_t i = 0; i < m->n_tensors; i++) {
      const sm_qtensor *t = &m->tensors[i];
      if (t->kind != SM_QT_WEIGHT) continue;
      if (t->numel > SM_Q_MAX_VALUES || (size_t)t->numel * 8 > sm_r_remaining(r)) goto parse_fail;
      m->weights[i] = malloc((size_t)t->numel * sizeof **m->weights);
      if (m->weights[i] == NULL) goto nomem;
      for (uint32_t j = 0; j < t->numel; j++) {
        uint64_t v = 0;
        sm_r_u64(r, &v);
        m->weights[i][j] = (int64_t)v;
      }
    }
    m->has_weights = 1;
  }
  if (r->err != STARKML_OK) goto parse_fail;
  st = sm_qmodel_check(m, why, why_len);
  if (st != STARKML_OK) {
    sm_qmodel_free(m);
    return st == STARKML_ERR_NOMEM ? st : STARKML_ERR_PARSE;
  }
  return STARKML_OK;
parse_fail:
  sm_why(why, why_len, "quantized model: truncated or malformed");
  sm_qmodel_free(m);
  return r->err == STARKML_ERR_NOMEM ? STARKML_ERR_NOMEM : STARKML_ERR_PARSE;
nomem:
  sm_qmodel_free(m);
  return STARKML_ERR_NOMEM;
}
