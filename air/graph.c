/*
 * The graph IR (air/graph.h): shape inference, validation and the float executor.
 *
 * The executor is a set of plain reference loops, one per op, written for obviously
 * correct ONNX semantics rather than speed: it is the yardstick the quantizer is measured
 * against, so every choice here favours accuracy (dot products, sums and transcendental
 * functions are computed in double and rounded once to float).
 *
 * Shape inference works on the IR alone, so the executor re-checks any graph it is given
 * (sm_graph_validate) and its loops can index without further bounds checks.
 */
#include "air/graph.h"
#include "core/ctx.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pads and strides beyond this are refused: no real model comes near, and it keeps every
 * intermediate of the output-size arithmetic far from int64 overflow. */
#define SM_GRAPH_MAX_PAD (1 << 20)

static const char *const k_op_names[SM_OP_COUNT_] = {
    [SM_OP_GEMM] = "Gemm",
    [SM_OP_MATMUL] = "MatMul",
    [SM_OP_ADD] = "Add",
    [SM_OP_SUB] = "Sub",
    [SM_OP_MUL] = "Mul",
    [SM_OP_RELU] = "Relu",
    [SM_OP_LEAKYRELU] = "LeakyRelu",
    [SM_OP_CLIP] = "Clip",
    [SM_OP_SIGMOID] = "Sigmoid",
    [SM_OP_TANH] = "Tanh",
    [SM_OP_SOFTMAX] = "Softmax",
    [SM_OP_CONV] = "Conv",
    [SM_OP_MAXPOOL] = "MaxPool",
    [SM_OP_AVGPOOL] = "AveragePool",
    [SM_OP_GLOBALAVGPOOL] = "GlobalAveragePool",
    [SM_OP_BATCHNORM] = "BatchNormalization",
    [SM_OP_FLATTEN] = "Flatten",
    [SM_OP_RESHAPE] = "Reshape",
    [SM_OP_TRANSPOSE] = "Transpose",
    [SM_OP_CONCAT] = "Concat",
    [SM_OP_IDENTITY] = "Identity",
};

const char *sm_op_name(sm_op op) {
  if ((unsigned)op >= SM_OP_COUNT_) return "?";
  return k_op_names[op];
}

void sm_graph_free(sm_graph *g) {
  if (g == NULL) return;
  if (g->tensors != NULL) {
    for (size_t t = 0; t < g->n_tensors; t++) free(g->tensors[t].data);
  }
  free(g->tensors);
  free(g->nodes);
  memset(g, 0, sizeof *g);
}

/* ---- Messages ----------------------------------------------------------------------------- */


/* Copies a name for a message, replacing anything but printable ASCII with '?' so that a
 * hostile name cannot inject control characters into a log. */
static void printable(char out[SM_GRAPH_MAX_NAME], const char *name) {
  size_t k = 0;
  for (; k + 1 < SM_GRAPH_MAX_NAME && name[k] != '\0'; k++) {
    unsigned char c = (unsigned char)name[k];
    out[k] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
  }
  out[k] = '\0';
}

/* "node 'NAME' (OP): <message>", returning STARKML_ERR_PARSE. */
static starkml_status node_fail(char *why, size_t why_len, const sm_node *n, const char *fmt,
                                ...) {
  if (why == NULL || why_len == 0) return STARKML_ERR_PARSE;
  char name[SM_GRAPH_MAX_NAME], msg[512];
  char safe[SM_GRAPH_MAX_NAME];
  memcpy(safe, n->name, sizeof safe);
  safe[sizeof safe - 1] = '\0';
  printable(name, safe);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(why, why_len, "node '%s' (%s): %s", name, sm_op_name(n->op), msg);
  return STARKML_ERR_PARSE;
}

/* ---- Shapes ------------------------------------------------------------------------------- */

/* Element count of a shape; 0 when a dimension is < 1 or the count exceeds the cap. Every
 * partial product stays <= 2^24 * 2^24, so nothing overflows. */
static size_t shape_numel(uint32_t rank, const int64_t *dims) {
  int64_t n = 1;
  if (rank > SM_GRAPH_MAX_RANK) return 0;
  for (uint32_t k = 0; k < rank; k++) {
    if (dims[k] < 1 || dims[k] > (int64_t)SM_GRAPH_MAX_NUMEL) return 0;
    n *= dims[k];
    if (n > (int64_t)SM_GRAPH_MAX_NUMEL) return 0;
  }
  return (size_t)n;
}

static void shape_str(char *out, size_t len, const sm_tensor *t) {
  size_t k = 0;
  if (len == 0) return;
  out[0] = '\0';
  k += (size_t)snprintf(out + k, len - k, "[");
  for (uint32_t d = 0; d < t->rank && k < len; d++) {
    k += (size_t)snprintf(out + k, len - k, d ? ",%lld" : "%lld", (long long)t->dims[d]);
  }
  if (k < len) snprintf(out + k, len - k, "]");
}

/* numpy's multidirectional broadcasting of two shapes; 0 when they do not broadcast. */
static int broadcast(const sm_tensor *a, const sm_tensor *b, uint32_t *rank, int64_t *dims) {
  uint32_t r = a->rank > b->rank ? a->rank : b->rank;
  for (uint32_t k = 0; k < r; k++) {
    int64_t da = k < r - a->rank ? 1 : a->dims[k - (r - a->rank)];
    int64_t db = k < r - b->rank ? 1 : b->dims[k - (r - b->rank)];
    if (da != db && da != 1 && db != 1) return 0;
    dims[k] = da > db ? da : db;
  }
  *rank = r;
  return 1;
}

/* Expected input counts per op. */
static void op_arity(sm_op op, uint32_t *lo, uint32_t *hi) {
  switch (op) {
    case SM_OP_GEMM: case SM_OP_CONV: *lo = 2; *hi = 3; break;
    case SM_OP_MATMUL: case SM_OP_ADD: case SM_OP_SUB: case SM_OP_MUL: *lo = *hi = 2; break;
    case SM_OP_BATCHNORM: *lo = *hi = 5; break;
    case SM_OP_CONCAT: *lo = 1; *hi = SM_GRAPH_MAX_INPUTS; break;
    default: *lo = *hi = 1; break;
  }
}

/* Output size of a 2-D window op along one axis (floor rounding, ONNX's ceil_mode = 0). */
static int64_t window_out(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1) {
  int64_t span = in + p0 + p1 - k;
  return span < 0 ? 0 : span / s + 1;
}

/* Checks the window attributes i[0..7] shared by Conv and the pools; out gets OH, OW. */
static starkml_status window_check(const sm_node *n, const sm_tensor *x, int pad_lt_kernel,
                                   int64_t *oh, int64_t *ow, char *why, size_t why_len) {
  for (int k = 0; k < 2; k++) {
    if (n->i[k] < 1 || n->i[k] > (int64_t)SM_GRAPH_MAX_NUMEL) {
      return node_fail(why, why_len, n, "kernel size %lld is not supported", (long long)n->i[k]);
    }
    if (n->i[2 + k] < 1 || n->i[2 + k] > SM_GRAPH_MAX_PAD) {
      return node_fail(why, why_len, n, "stride %lld is not supported", (long long)n->i[2 + k]);
    }
  }
  for (int k = 4; k < 8; k++) {
    if (n->i[k] < 0 || n->i[k] > SM_GRAPH_MAX_PAD) {
      return node_fail(why, why_len, n, "pad %lld is not supported", (long long)n->i[k]);
    }
    /* A window made of padding alone has no value to take (ONNX Runtime refuses too). */
    if (pad_lt_kernel && n->i[k] >= n->i[k % 2]) {
      return node_fail(why, why_len, n, "pad %lld is not smaller than the kernel size %lld",
                       (long long)n->i[k], (long long)n->i[k % 2]);
    }
  }
  *oh = window_out(x->dims[2], n->i[0], n->i[2], n->i[4], n->i[6]);
  *ow = window_out(x->dims[3], n->i[1], n->i[3], n->i[5], n->i[7]);
  if (*oh < 1 || *ow < 1) {
    return node_fail(why, why_len, n,
                     "the %lldx%lld window (with padding) does not fit the %lldx%lld input",
                     (long long)n->i[0], (long long)n->i[1], (long long)x->dims[2],
                     (long long)x->dims[3]);
  }
  return STARKML_OK;
}

static starkml_status need_const(const sm_graph *g, const sm_node *n, uint32_t j, const char *what,
                                 char *why, size_t why_len) {
  if (!g->tensors[n->in[j]].is_const) {
    return node_fail(why, why_len, n, "%s must be a constant (an initializer)", what);
  }
  return STARKML_OK;
}

starkml_status sm_graph_node_shape(const sm_graph *g, const sm_node *n, uint32_t *rank,
                                   int64_t dims[SM_GRAPH_MAX_RANK], char *why, size_t why_len) {
  if (rank != NULL) *rank = 0;
  if (dims != NULL) memset(dims, 0, SM_GRAPH_MAX_RANK * sizeof dims[0]);
  sm_why(why, why_len, "%s", "");
  if (g == NULL || n == NULL || rank == NULL || dims == NULL || g->tensors == NULL) {
    sm_why(why, why_len, "NULL argument");
    return STARKML_ERR_ARG;
  }
  if ((unsigned)n->op >= SM_OP_COUNT_) {
    sm_why(why, why_len, "unknown op %u", (unsigned)n->op);
    return STARKML_ERR_ARG;
  }
  uint32_t lo, hi;
  op_arity(n->op, &lo, &hi);
  if (n->n_in < lo || n->n_in > hi) {
    return node_fail(why, why_len, n, "has %u inputs; %u to %u expected", n->n_in, lo, hi);
  }
  if (n->out >= g->n_tensors) {
    sm_why(why, why_len, "output index %u out of range", n->out);
    return STARKML_ERR_ARG;
  }
  const sm_tensor *in[SM_GRAPH_MAX_INPUTS];
  for (uint32_t j = 0; j < n->n_in; j++) {
    if (n->in[j] >= g->n_tensors) {
      sm_why(why, why_len, "input index %u out of range", n->in[j]);
      return STARKML_ERR_ARG;
    }
    in[j] = &g->tensors[n->in[j]];
    if (in[j]->rank > SM_GRAPH_MAX_RANK || shape_numel(in[j]->rank, in[j]->dims) == 0) {
      return node_fail(why, why_len, n, "input %u has an invalid shape", j);
    }
  }
  const sm_tensor *x = in[0];
  char sa[96], sb[96];
  uint32_t r = 0;
  int64_t d[SM_GRAPH_MAX_RANK] = {0};
  starkml_status st;

  switch (n->op) {
    case SM_OP_GEMM: {
      const sm_tensor *b = in[1];
      if (x->rank != 2 || b->rank != 2) {
        return node_fail(why, why_len, n, "A and B must be 2-D (got rank %u and %u)", x->rank,
                         b->rank);
      }
      if ((n->i[0] != 0 && n->i[0] != 1) || (n->i[1] != 0 && n->i[1] != 1)) {
        return node_fail(why, why_len, n, "transA and transB must be 0 or 1");
      }
      if (!isfinite(n->f[0]) || !isfinite(n->f[1])) {
        return node_fail(why, why_len, n, "alpha and beta must be finite");
      }
      int64_t m = x->dims[n->i[0] ? 1 : 0], ka = x->dims[n->i[0] ? 0 : 1];
      int64_t kb = b->dims[n->i[1] ? 1 : 0], nn = b->dims[n->i[1] ? 0 : 1];
      if (ka != kb) {
        shape_str(sa, sizeof sa, x);
        shape_str(sb, sizeof sb, b);
        return node_fail(why, why_len, n,
                         "inner dimensions differ: A%s%s gives K = %lld, B%s%s gives K = %lld",
                         sa, n->i[0] ? "'" : "", (long long)ka, sb, n->i[1] ? "'" : "",
                         (long long)kb);
      }
      r = 2;
      d[0] = m;
      d[1] = nn;
      if (n->n_in == 3) {
        const sm_tensor *c = in[2];
        int ok = c->rank <= 2;
        if (ok && c->rank >= 1) ok = c->dims[c->rank - 1] == 1 || c->dims[c->rank - 1] == nn;
        if (ok && c->rank == 2) ok = c->dims[0] == 1 || c->dims[0] == m;
        if (!ok) {
          shape_str(sa, sizeof sa, c);
          return node_fail(why, why_len, n, "C%s does not broadcast to [%lld,%lld]", sa,
                           (long long)m, (long long)nn);
        }
      }
      break;
    }
    case SM_OP_MATMUL: {
      const sm_tensor *b = in[1];
      if (x->rank < 1 || b->rank < 1) {
        return node_fail(why, why_len, n, "operands must have rank >= 1");
      }
      /* Promote 1-D operands as numpy does, broadcast the batch dimensions. */
      int64_t ka = x->dims[x->rank - 1], m = x->rank >= 2 ? x->dims[x->rank - 2] : 1;
      int64_t kb = b->rank >= 2 ? b->dims[b->rank - 2] : b->dims[0];
      int64_t nn = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
      if (ka != kb) {
        shape_str(sa, sizeof sa, x);
        shape_str(sb, sizeof sb, b);
        return node_fail(why, why_len, n, "inner dimensions differ: %s x %s", sa, sb);
      }
      sm_tensor ba = {0}, bb = {0};
      ba.rank = x->rank >= 2 ? x->rank - 2 : 0;
      bb.rank = b->rank >= 2 ? b->rank - 2 : 0;
      memcpy(ba.dims, x->dims, ba.rank * sizeof ba.dims[0]);
      memcpy(bb.dims, b->dims, bb.rank * sizeof bb.dims[0]);
      if (!broadcast(&ba, &bb, &r, d)) {
        shape_str(sa, sizeof sa, x);
        shape_str(sb, sizeof sb, b);
        return node_fail(why, why_len, n, "batch dimensions of %s and %s do not broadcast", sa,
                         sb);
      }
      if (x->rank >= 2) d[r++] = m;
      if (b->rank >= 2) {
        if (r >= SM_GRAPH_MAX_RANK) return node_fail(why, why_len, n, "output rank too large");
        d[r++] = nn;
      }
      break;
    }
    case SM_OP_ADD: case SM_OP_SUB: case SM_OP_MUL:
      if (!broadcast(x, in[1], &r, d)) {
        shape_str(sa, sizeof sa, x);
        shape_str(sb, sizeof sb, in[1]);
        return node_fail(why, why_len, n, "shapes %s and %s do not broadcast", sa, sb);
      }
      break;
    case SM_OP_LEAKYRELU:
      if (!isfinite(n->f[0])) return node_fail(why, why_len, n, "alpha must be finite");
      goto same_shape;
    case SM_OP_CLIP:
      if (isnan(n->f[0]) || isnan(n->f[1])) {
        return node_fail(why, why_len, n, "min and max must not be NaN");
      }
      goto same_shape;
    case SM_OP_SOFTMAX:
      if (x->rank < 1 || n->i[0] != (int64_t)x->rank - 1) {
        return node_fail(why, why_len, n, "only the last axis is supported (axis %lld, rank %u)",
                         (long long)n->i[0], x->rank);
      }
      goto same_shape;
    case SM_OP_RELU: case SM_OP_SIGMOID: case SM_OP_TANH: case SM_OP_IDENTITY:
    same_shape:
      r = x->rank;
      memcpy(d, x->dims, r * sizeof d[0]);
      break;
    case SM_OP_CONV: {
      const sm_tensor *w = in[1];
      if (x->rank != 4 || w->rank != 4) {
        return node_fail(why, why_len, n, "only 2-D convolution (4-D input and weights) is "
                                          "supported (got rank %u and %u)", x->rank, w->rank);
      }
      int64_t c = x->dims[1], m = w->dims[0], grp = n->i[8];
      if (grp != 1 && grp != c) {
        return node_fail(why, why_len, n,
                         "group %lld is not supported (only 1, or %lld for depthwise)",
                         (long long)grp, (long long)c);
      }
      if (w->dims[1] * grp != c || m % grp != 0) {
        shape_str(sa, sizeof sa, x);
        shape_str(sb, sizeof sb, w);
        return node_fail(why, why_len, n, "weights %s do not fit input %s with group %lld", sb,
                         sa, (long long)grp);
      }
      if (w->dims[2] != n->i[0] || w->dims[3] != n->i[1]) {
        return node_fail(why, why_len, n,
                         "kernel_shape %lldx%lld differs from the weights' %lldx%lld",
                         (long long)n->i[0], (long long)n->i[1], (long long)w->dims[2],
                         (long long)w->dims[3]);
      }
      if (n->n_in == 3 && (in[2]->rank != 1 || in[2]->dims[0] != m)) {
        shape_str(sa, sizeof sa, in[2]);
        return node_fail(why, why_len, n, "bias %s must have shape [%lld]", sa, (long long)m);
      }
      int64_t oh, ow;
      if ((st = window_check(n, x, 0, &oh, &ow, why, why_len)) != STARKML_OK) return st;
      r = 4;
      d[0] = x->dims[0];
      d[1] = m;
      d[2] = oh;
      d[3] = ow;
      break;
    }
    case SM_OP_MAXPOOL: case SM_OP_AVGPOOL: {
      if (x->rank != 4) {
        return node_fail(why, why_len, n, "only 2-D pooling (4-D input) is supported (rank %u)",
                         x->rank);
      }
      if (n->op == SM_OP_AVGPOOL && n->i[8] != 0 && n->i[8] != 1) {
        return node_fail(why, why_len, n, "count_include_pad must be 0 or 1");
      }
      int64_t oh, ow;
      if ((st = window_check(n, x, 1, &oh, &ow, why, why_len)) != STARKML_OK) return st;
      r = 4;
      d[0] = x->dims[0];
      d[1] = x->dims[1];
      d[2] = oh;
      d[3] = ow;
      break;
    }
    case SM_OP_GLOBALAVGPOOL:
      if (x->rank < 3) {
        return node_fail(why, why_len, n, "input rank must be >= 3 (got %u)", x->rank);
      }
      r = x->rank;
      d[0] = x->dims[0];
      d[1] = x->dims[1];
      for (uint32_t k = 2; k < r; k++) d[k] = 1;
      break;
    case SM_OP_BATCHNORM: {
      if (x->rank < 2) {
        return node_fail(why, why_len, n, "input rank must be >= 2 (got %u)", x->rank);
      }
      static const char *const what[5] = {"X", "scale", "B", "mean", "var"};
      for (uint32_t j = 1; j < 5; j++) {
        if (in[j]->rank != 1 || in[j]->dims[0] != x->dims[1]) {
          shape_str(sa, sizeof sa, in[j]);
          return node_fail(why, why_len, n, "%s%s must have shape [%lld]", what[j], sa,
                           (long long)x->dims[1]);
        }
        if ((st = need_const(g, n, j, what[j], why, why_len)) != STARKML_OK) return st;
        if (in[j]->data == NULL) return node_fail(why, why_len, n, "%s has no data", what[j]);
      }
      if (!isfinite(n->f[0])) return node_fail(why, why_len, n, "epsilon must be finite");
      for (int64_t c = 0; c < x->dims[1]; c++) {
        double v = (double)in[4]->data[c] + (double)n->f[0];
        if (!(v > 0)) {
          return node_fail(why, why_len, n, "var + epsilon is not positive for channel %lld",
                           (long long)c);
        }
      }
      goto same_shape;
    }
    case SM_OP_FLATTEN: {
      if (n->i[0] < 0 || n->i[0] > (int64_t)x->rank) {
        return node_fail(why, why_len, n, "axis %lld out of range for rank %u", (long long)n->i[0],
                         x->rank);
      }
      int64_t outer = 1;
      for (int64_t k = 0; k < n->i[0]; k++) outer *= x->dims[k];
      r = 2;
      d[0] = outer;
      d[1] = (int64_t)shape_numel(x->rank, x->dims) / outer;
      break;
    }
    case SM_OP_RESHAPE: {
      const sm_tensor *o = &g->tensors[n->out];
      size_t on = shape_numel(o->rank, o->dims);
      if (on == 0 || on != shape_numel(x->rank, x->dims)) {
        shape_str(sa, sizeof sa, x);
        shape_str(sb, sizeof sb, o);
        return node_fail(why, why_len, n, "cannot reshape %s into %s", sa, sb);
      }
      r = o->rank;
      memcpy(d, o->dims, r * sizeof d[0]);
      break;
    }
    case SM_OP_TRANSPOSE: {
      unsigned seen = 0;
      for (uint32_t k = 0; k < x->rank; k++) {
        int64_t p = n->i[k];
        if (p < 0 || p >= (int64_t)x->rank || (seen >> p) & 1u) {
          return node_fail(why, why_len, n, "perm is not a permutation of 0..%u", x->rank - 1);
        }
        seen |= 1u << p;
        d[k] = x->dims[p];
      }
      r = x->rank;
      break;
    }
    case SM_OP_CONCAT: {
      int64_t axis = n->i[0];
      if (axis < 0 || axis >= (int64_t)x->rank) {
        return node_fail(why, why_len, n, "axis %lld out of range for rank %u", (long long)axis,
                         x->rank);
      }
      r = x->rank;
      memcpy(d, x->dims, r * sizeof d[0]);
      for (uint32_t j = 1; j < n->n_in; j++) {
        int ok = in[j]->rank == r;
        for (uint32_t k = 0; ok && k < r; k++) ok = k == axis || in[j]->dims[k] == d[k];
        if (!ok) {
          shape_str(sa, sizeof sa, x);
          shape_str(sb, sizeof sb, in[j]);
          return node_fail(why, why_len, n, "inputs %s and %s differ off axis %lld", sa, sb,
                           (long long)axis);
        }
        d[axis] += in[j]->dims[axis]; /* each <= 2^24, at most 8 of them */
      }
      break;
    }
    default:
      sm_why(why, why_len, "unknown op %u", (unsigned)n->op);
      return STARKML_ERR_ARG;
  }
  if (shape_numel(r, d) == 0) {
    return node_fail(why, why_len, n, "the output would have more than %u elements",
                     (unsigned)SM_GRAPH_MAX_NUMEL);
  }
  *rank = r;
  memcpy(dims, d, r * sizeof d[0]);
  return STARKML_OK;
}

/* ---- Validation --------------------------------------------------------------------------- */

static starkml_status invalid(char *why, size_t why_len, const char *fmt, ...) {
  if (why != NULL && why_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  return STARKML_ERR_ARG;
}

/* The i[] and f[] slots an op uses (the rest must be zero, so that one graph has one
 * encoding). Transpose uses one slot per input axis. */
static void used_slots(const sm_graph *g, const sm_node *n, unsigned *ni, unsigned *nf) {
  *ni = 0;
  *nf = 0;
  switch (n->op) {
    case SM_OP_GEMM: *ni = 2; *nf = 2; break;
    case SM_OP_LEAKYRELU: case SM_OP_BATCHNORM: *nf = 1; break;
    case SM_OP_CLIP: *nf = 2; break;
    case SM_OP_SOFTMAX: case SM_OP_FLATTEN: case SM_OP_CONCAT: *ni = 1; break;
    case SM_OP_CONV: case SM_OP_AVGPOOL: *ni = 9; break;
    case SM_OP_MAXPOOL: *ni = 8; break;
    case SM_OP_TRANSPOSE: *ni = g->tensors[n->in[0]].rank; break;
    default: break;
  }
}

static int unused_zero(const sm_graph *g, const sm_node *n) {
  unsigned ni, nf;
  used_slots(g, n, &ni, &nf);
  for (size_t k = ni; k < sizeof n->i / sizeof n->i[0]; k++) {
    if (n->i[k] != 0) return 0;
  }
  for (size_t k = nf; k < sizeof n->f / sizeof n->f[0]; k++) {
    if (n->f[k] != 0.0f) return 0;
  }
  for (size_t k = n->n_in; k < SM_GRAPH_MAX_INPUTS; k++) {
    if (n->in[k] != 0) return 0;
  }
  return 1;
}

starkml_status sm_graph_validate(const sm_graph *g, char *why, size_t why_len) {
  sm_why(why, why_len, "%s", "");
  if (g == NULL) return invalid(why, why_len, "NULL graph");
  if (g->n_tensors == 0 || g->n_tensors > SM_GRAPH_MAX_TENSORS || g->tensors == NULL) {
    return invalid(why, why_len, "%zu tensors (1 to %u expected)", g->n_tensors,
                   SM_GRAPH_MAX_TENSORS);
  }
  if (g->n_nodes == 0 || g->n_nodes > SM_GRAPH_MAX_NODES || g->nodes == NULL) {
    return invalid(why, why_len, "%zu nodes (1 to %u expected)", g->n_nodes, SM_GRAPH_MAX_NODES);
  }
  if (g->input >= g->n_tensors || g->output >= g->n_tensors) {
    return invalid(why, why_len, "graph input or output index out of range");
  }
  size_t total = 0;
  for (size_t t = 0; t < g->n_tensors; t++) {
    const sm_tensor *x = &g->tensors[t];
    if (memchr(x->name, '\0', sizeof x->name) == NULL) {
      return invalid(why, why_len, "tensor %zu: name not NUL-terminated", t);
    }
    size_t numel = shape_numel(x->rank, x->dims);
    if (numel == 0 || numel != x->numel) {
      return invalid(why, why_len, "tensor %zu: invalid shape or numel", t);
    }
    total += numel;
    if (total > SM_GRAPH_MAX_TOTAL_NUMEL) {
      return invalid(why, why_len, "the tensors hold more than %u elements together",
                     (unsigned)SM_GRAPH_MAX_TOTAL_NUMEL);
    }
    if (x->is_const != 0 && x->is_const != 1) {
      return invalid(why, why_len, "tensor %zu: is_const must be 0 or 1", t);
    }
    if (x->is_const) {
      if (x->data == NULL) return invalid(why, why_len, "tensor %zu: constant without data", t);
      for (size_t k = 0; k < numel; k++) {
        if (!isfinite(x->data[k])) {
          return invalid(why, why_len, "tensor %zu: non-finite constant value", t);
        }
      }
    } else if (x->data != NULL) {
      return invalid(why, why_len, "tensor %zu: data on a non-constant tensor", t);
    }
  }
  if (g->tensors[g->input].is_const) return invalid(why, why_len, "the graph input is a constant");

  /* defined[t]: 1 once t is the input, a constant, or the output of an earlier node. */
  unsigned char *defined = calloc(g->n_tensors, 1);
  if (defined == NULL) {
    sm_why(why, why_len, "out of memory");
    return STARKML_ERR_NOMEM;
  }
  starkml_status st = STARKML_OK;
  defined[g->input] = 1;
  for (size_t t = 0; t < g->n_tensors; t++) {
    if (g->tensors[t].is_const) defined[t] = 1;
  }
  for (size_t k = 0; k < g->n_nodes && st == STARKML_OK; k++) {
    const sm_node *n = &g->nodes[k];
    if (memchr(n->name, '\0', sizeof n->name) == NULL) {
      st = invalid(why, why_len, "node %zu: name not NUL-terminated", k);
      break;
    }
    if (n->n_in > SM_GRAPH_MAX_INPUTS || n->out >= g->n_tensors) {
      st = invalid(why, why_len, "node %zu: bad input count or output index", k);
      break;
    }
    for (uint32_t j = 0; j < n->n_in; j++) {
      if (n->in[j] >= g->n_tensors || !defined[n->in[j]]) {
        st = invalid(why, why_len, "node %zu reads tensor %u before it is defined", k, n->in[j]);
        break;
      }
    }
    if (st != STARKML_OK) break;
    if (defined[n->out]) {
      st = invalid(why, why_len, "node %zu writes tensor %u, which is already defined", k, n->out);
      break;
    }
    uint32_t r;
    int64_t d[SM_GRAPH_MAX_RANK];
    st = sm_graph_node_shape(g, n, &r, d, why, why_len);
    if (st != STARKML_OK) {
      if (st == STARKML_ERR_PARSE) st = STARKML_ERR_ARG;
      break;
    }
    const sm_tensor *o = &g->tensors[n->out];
    if (o->rank != r || memcmp(o->dims, d, r * sizeof d[0]) != 0) {
      st = invalid(why, why_len, "node %zu: output shape differs from the inferred one", k);
      break;
    }
    if (!unused_zero(g, n)) {
      st = invalid(why, why_len, "node %zu: an attribute or input slot its op does not use "
                                 "is not zero", k);
      break;
    }
    defined[n->out] = 1;
  }
  if (st == STARKML_OK && (g->output == g->input || g->tensors[g->output].is_const ||
                           !defined[g->output])) {
    st = invalid(why, why_len, "the graph output is not computed by a node");
  }
  for (size_t t = 0; t < g->n_tensors && st == STARKML_OK; t++) {
    if (!defined[t]) st = invalid(why, why_len, "tensor %zu is neither an input, a constant "
                                                "nor a node output", t);
  }
  free(defined);
  return st;
}

/* ---- Float executor ----------------------------------------------------------------------- */

/* Row-major strides of a shape aligned to the last `r` axes of a broadcast result: 0 where
 * the operand has size 1 (or lacks the axis), so one index walks both. */
static void bcast_strides(const sm_tensor *t, uint32_t r, size_t *st) {
  size_t s = 1;
  for (uint32_t k = r; k-- > 0;) {
    uint32_t off = r - t->rank;
    if (k < off || t->dims[k - off] == 1) {
      st[k] = 0;
    } else {
      st[k] = s;
    }
    if (k >= off) s *= (size_t)t->dims[k - off];
  }
}

static void run_binary(const sm_node *n, const sm_tensor *ta, const sm_tensor *tb,
                       const sm_tensor *to, const float *a, const float *b, float *y) {
  size_t sa[SM_GRAPH_MAX_RANK], sb[SM_GRAPH_MAX_RANK], idx[SM_GRAPH_MAX_RANK] = {0};
  uint32_t r = to->rank;
  bcast_strides(ta, r, sa);
  bcast_strides(tb, r, sb);
  size_t ia = 0, ib = 0;
  for (size_t e = 0; e < to->numel; e++) {
    float u = a[ia], v = b[ib];
    y[e] = n->op == SM_OP_ADD ? u + v : n->op == SM_OP_SUB ? u - v : u * v;
    /* Odometer step over the output index, keeping the operand offsets in sync. */
    for (uint32_t k = r; k-- > 0;) {
      idx[k]++;
      ia += sa[k];
      ib += sb[k];
      if (idx[k] < (size_t)to->dims[k]) break;
      ia -= sa[k] * idx[k];
      ib -= sb[k] * idx[k];
      idx[k] = 0;
    }
  }
}

static void run_gemm(const sm_node *n, const sm_tensor *const *t, const float *const *v,
                     float *y) {
  const sm_tensor *ta = t[0], *tb = t[1];
  int trans_a = n->i[0] != 0, trans_b = n->i[1] != 0;
  size_t m = (size_t)ta->dims[trans_a ? 1 : 0], k = (size_t)ta->dims[trans_a ? 0 : 1];
  size_t nn = (size_t)tb->dims[trans_b ? 0 : 1];
  double alpha = n->f[0], beta = n->f[1];
  size_t crow = 1, ccol = 1;
  if (n->n_in == 3) {
    if (t[2]->rank >= 1) ccol = (size_t)t[2]->dims[t[2]->rank - 1];
    if (t[2]->rank == 2) crow = (size_t)t[2]->dims[0];
  }
  for (size_t i = 0; i < m; i++) {
    for (size_t j = 0; j < nn; j++) {
      double acc = 0;
      for (size_t p = 0; p < k; p++) {
        double a = v[0][trans_a ? p * m + i : i * k + p];
        double b = v[1][trans_b ? j * k + p : p * nn + j];
        acc += a * b;
      }
      acc *= alpha;
      if (n->n_in == 3) acc += beta * v[2][(crow == 1 ? 0 : i) * ccol + (ccol == 1 ? 0 : j)];
      y[i * nn + j] = (float)acc;
    }
  }
}

static void run_matmul(const sm_tensor *ta, const sm_tensor *tb, const float *a, const float *b,
                       float *y) {
  size_t k = (size_t)ta->dims[ta->rank - 1];
  size_t m = ta->rank >= 2 ? (size_t)ta->dims[ta->rank - 2] : 1;
  size_t nn = tb->rank >= 2 ? (size_t)tb->dims[tb->rank - 1] : 1;
  /* Batch shapes (all but the matrix axes) and their broadcast. */
  sm_tensor ba = {0}, bb = {0}, bo = {0};
  ba.rank = ta->rank >= 2 ? ta->rank - 2 : 0;
  bb.rank = tb->rank >= 2 ? tb->rank - 2 : 0;
  memcpy(ba.dims, ta->dims, ba.rank * sizeof ba.dims[0]);
  memcpy(bb.dims, tb->dims, bb.rank * sizeof bb.dims[0]);
  broadcast(&ba, &bb, &bo.rank, bo.dims); /* checked by shape inference */
  size_t sa[SM_GRAPH_MAX_RANK], sb[SM_GRAPH_MAX_RANK], idx[SM_GRAPH_MAX_RANK] = {0};
  bcast_strides(&ba, bo.rank, sa);
  bcast_strides(&bb, bo.rank, sb);
  size_t batches = 1;
  for (uint32_t q = 0; q < bo.rank; q++) batches *= (size_t)bo.dims[q];
  size_t ia = 0, ib = 0;
  for (size_t e = 0; e < batches; e++) {
    const float *pa = a + ia * m * k, *pb = b + ib * k * nn;
    float *py = y + e * m * nn;
    for (size_t i = 0; i < m; i++) {
      for (size_t j = 0; j < nn; j++) {
        double acc = 0;
        for (size_t p = 0; p < k; p++) acc += (double)pa[i * k + p] * (double)pb[p * nn + j];
        py[i * nn + j] = (float)acc;
      }
    }
    for (uint32_t q = bo.rank; q-- > 0;) {
      idx[q]++;
      ia += sa[q];
      ib += sb[q];
      if (idx[q] < (size_t)bo.dims[q]) break;
      ia -= sa[q] * idx[q];
      ib -= sb[q] * idx[q];
      idx[q] = 0;
    }
  }
}

static void run_softmax(const sm_tensor *tx, const float *x, float *y) {
  size_t c = (size_t)tx->dims[tx->rank - 1], rows = tx->numel / c;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    float *yr = y + r * c;
    float mx = xr[0];
    for (size_t j = 1; j < c; j++) mx = xr[j] > mx ? xr[j] : mx;
    double sum = 0;
    for (size_t j = 0; j < c; j++) sum += exp((double)xr[j] - (double)mx);
    for (size_t j = 0; j < c; j++) yr[j] = (float)(exp((double)xr[j] - (double)mx) / sum);
  }
}

/* Conv, MaxPool and AveragePool share the window walk; pads top/left are i[4], i[5]. */
static void run_conv(const sm_node *n, const sm_tensor *const *t, const float *const *v,
                     const sm_tensor *to, float *y) {
  const sm_tensor *tx = t[0], *tw = t[1];
  size_t nb = (size_t)tx->dims[0], c = (size_t)tx->dims[1];
  int64_t h = tx->dims[2], w = tx->dims[3];
  size_t m = (size_t)tw->dims[0], cpg = (size_t)tw->dims[1];
  size_t mpg = m / (size_t)n->i[8]; /* output channels per group */
  int64_t kh = n->i[0], kw = n->i[1], sh = n->i[2], sw = n->i[3], pt = n->i[4], pl = n->i[5];
  int64_t oh = to->dims[2], ow = to->dims[3];
  for (size_t b = 0; b < nb; b++) {
    for (size_t oc = 0; oc < m; oc++) {
      size_t ic0 = (oc / mpg) * cpg;
      for (int64_t oy = 0; oy < oh; oy++) {
        for (int64_t ox = 0; ox < ow; ox++) {
          double acc = n->n_in == 3 ? (double)v[2][oc] : 0.0;
          for (size_t ic = 0; ic < cpg; ic++) {
            const float *xp = v[0] + ((b * c + ic0 + ic) * (size_t)h) * (size_t)w;
            const float *wp = v[1] + ((oc * cpg + ic) * (size_t)kh) * (size_t)kw;
            for (int64_t ky = 0; ky < kh; ky++) {
              int64_t iy = oy * sh - pt + ky;
              if (iy < 0 || iy >= h) continue;
              for (int64_t kx = 0; kx < kw; kx++) {
                int64_t ix = ox * sw - pl + kx;
                if (ix < 0 || ix >= w) continue;
                acc += (double)xp[iy * w + ix] * (double)wp[ky * kw + kx];
              }
            }
          }
          y[((b * m + oc) * (size_t)oh + (size_t)oy) * (size_t)ow + (size_t)ox] = (float)acc;
        }
      }
    }
  }
}

static void run_pool(const sm_node *n, const sm_tensor *tx, const float *x, const sm_tensor *to,
                     float *y) {
  size_t planes = (size_t)tx->dims[0] * (size_t)tx->dims[1];
  int64_t h = tx->dims[2], w = tx->dims[3], oh = to->dims[2], ow = to->dims[3];
  int64_t kh = n->i[0], kw = n->i[1], sh = n->i[2], sw = n->i[3], pt = n->i[4], pl = n->i[5];
  int is_max = n->op == SM_OP_MAXPOOL;
  for (size_t p = 0; p < planes; p++) {
    const float *xp = x + p * (size_t)h * (size_t)w;
    for (int64_t oy = 0; oy < oh; oy++) {
      for (int64_t ox = 0; ox < ow; ox++) {
        double acc = 0;
        float mx = -INFINITY;
        int64_t count = 0;
        for (int64_t ky = 0; ky < kh; ky++) {
          int64_t iy = oy * sh - pt + ky;
          if (iy < 0 || iy >= h) continue;
          for (int64_t kx = 0; kx < kw; kx++) {
            int64_t ix = ox * sw - pl + kx;
            if (ix < 0 || ix >= w) continue;
            float e = xp[iy * w + ix];
            mx = e > mx ? e : mx;
            acc += e;
            count++;
          }
        }
        /* With floor rounding every window lies inside the padded input, so
         * count_include_pad divides by the whole kernel (as ONNX Runtime does). */
        float r;
        if (is_max) {
          r = mx;
        } else {
          r = (float)(acc / (double)(n->i[8] ? kh * kw : count));
        }
        y[(p * (size_t)oh + (size_t)oy) * (size_t)ow + (size_t)ox] = r;
      }
    }
  }
}

static void run_transpose(const sm_node *n, const sm_tensor *tx, const float *x,
                          const sm_tensor *to, float *y) {
  uint32_t r = tx->rank;
  size_t istride[SM_GRAPH_MAX_RANK], st[SM_GRAPH_MAX_RANK], idx[SM_GRAPH_MAX_RANK] = {0};
  size_t s = 1;
  for (uint32_t k = r; k-- > 0;) {
    istride[k] = s;
    s *= (size_t)tx->dims[k];
  }
  for (uint32_t k = 0; k < r; k++) st[k] = istride[n->i[k]]; /* output axis k walks input perm[k] */
  size_t off = 0;
  for (size_t e = 0; e < to->numel; e++) {
    y[e] = x[off];
    for (uint32_t k = r; k-- > 0;) {
      idx[k]++;
      off += st[k];
      if (idx[k] < (size_t)to->dims[k]) break;
      off -= st[k] * idx[k];
      idx[k] = 0;
    }
  }
}

static void run_concat(const sm_node *n, const sm_tensor *const *t, const float *const *v,
                       const sm_tensor *to, float *y) {
  size_t axis = (size_t)n->i[0], outer = 1, inner = 1;
  for (size_t k = 0; k < axis; k++) outer *= (size_t)to->dims[k];
  for (size_t k = axis + 1; k < to->rank; k++) inner *= (size_t)to->dims[k];
  size_t row = (size_t)to->dims[axis] * inner, col = 0;
  for (uint32_t j = 0; j < n->n_in; j++) {
    size_t chunk = (size_t)t[j]->dims[axis] * inner;
    for (size_t o = 0; o < outer; o++) {
      memcpy(y + o * row + col, v[j] + o * chunk, chunk * sizeof *y);
    }
    col += chunk;
  }
}

static void run_node(const sm_graph *g, const sm_node *n, float *const *vals) {
  const sm_tensor *t[SM_GRAPH_MAX_INPUTS];
  const float *v[SM_GRAPH_MAX_INPUTS];
  for (uint32_t j = 0; j < n->n_in; j++) {
    t[j] = &g->tensors[n->in[j]];
    v[j] = vals[n->in[j]];
  }
  const sm_tensor *to = &g->tensors[n->out];
  float *y = vals[n->out];
  const float *x = v[0];
  size_t numel = to->numel;
  switch (n->op) {
    case SM_OP_GEMM: run_gemm(n, t, v, y); break;
    case SM_OP_MATMUL: run_matmul(t[0], t[1], v[0], v[1], y); break;
    case SM_OP_ADD: case SM_OP_SUB: case SM_OP_MUL:
      run_binary(n, t[0], t[1], to, v[0], v[1], y);
      break;
    case SM_OP_RELU:
      for (size_t e = 0; e < numel; e++) y[e] = x[e] > 0.0f ? x[e] : 0.0f;
      break;
    case SM_OP_LEAKYRELU:
      for (size_t e = 0; e < numel; e++) y[e] = x[e] >= 0.0f ? x[e] : n->f[0] * x[e];
      break;
    case SM_OP_CLIP:
      /* min(max(x, lo), hi): with lo > hi every value becomes hi, as ONNX specifies. */
      for (size_t e = 0; e < numel; e++) {
        float c = x[e] < n->f[0] ? n->f[0] : x[e];
        y[e] = c > n->f[1] ? n->f[1] : c;
      }
      break;
    case SM_OP_SIGMOID:
      for (size_t e = 0; e < numel; e++) {
        double z = x[e];
        /* Stable on both sides: exp of a non-positive argument never overflows. */
        y[e] = (float)(z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z)));
      }
      break;
    case SM_OP_TANH:
      for (size_t e = 0; e < numel; e++) y[e] = (float)tanh((double)x[e]);
      break;
    case SM_OP_SOFTMAX: run_softmax(t[0], x, y); break;
    case SM_OP_CONV: run_conv(n, t, v, to, y); break;
    case SM_OP_MAXPOOL: case SM_OP_AVGPOOL: run_pool(n, t[0], x, to, y); break;
    case SM_OP_GLOBALAVGPOOL: {
      size_t planes = (size_t)t[0]->dims[0] * (size_t)t[0]->dims[1];
      size_t area = t[0]->numel / planes;
      for (size_t p = 0; p < planes; p++) {
        double acc = 0;
        for (size_t e = 0; e < area; e++) acc += x[p * area + e];
        y[p] = (float)(acc / (double)area);
      }
      break;
    }
    case SM_OP_BATCHNORM: {
      size_t c = (size_t)t[0]->dims[1], inner = 1;
      for (uint32_t k = 2; k < t[0]->rank; k++) inner *= (size_t)t[0]->dims[k];
      size_t outer = numel / (c * inner);
      for (size_t ch = 0; ch < c; ch++) {
        /* y = scale * (x - mean) / sqrt(var + eps) + B, as one multiply-add per element. */
        double a = (double)v[1][ch] / sqrt((double)v[4][ch] + (double)n->f[0]);
        double b = (double)v[2][ch] - (double)v[3][ch] * a;
        for (size_t o = 0; o < outer; o++) {
          size_t base = (o * c + ch) * inner;
          for (size_t e = 0; e < inner; e++) y[base + e] = (float)((double)x[base + e] * a + b);
        }
      }
      break;
    }
    case SM_OP_FLATTEN: case SM_OP_RESHAPE: case SM_OP_IDENTITY:
      memcpy(y, x, numel * sizeof *y);
      break;
    case SM_OP_TRANSPOSE: run_transpose(n, t[0], x, to, y); break;
    case SM_OP_CONCAT: run_concat(n, t, v, to, y); break;
    default: break; /* unreachable: validated */
  }
}

void sm_graph_values_free(const sm_graph *g, float **values) {
  if (values == NULL) return;
  if (g != NULL) {
    for (size_t t = 0; t < g->n_tensors; t++) free(values[t]);
  }
  free(values);
}

starkml_status sm_graph_run_float(const sm_graph *g, float ***values, float *out, size_t out_len,
                                  const float *in, size_t in_len) {
  if (values != NULL) *values = NULL;
  if (out != NULL && out_len > 0) memset(out, 0, out_len * sizeof *out);
  if (g == NULL || out == NULL || in == NULL) return STARKML_ERR_ARG;
  starkml_status st = sm_graph_validate(g, NULL, 0);
  if (st != STARKML_OK) return st;
  if (in_len != g->tensors[g->input].numel || out_len != g->tensors[g->output].numel) {
    return STARKML_ERR_ARG;
  }
  for (size_t k = 0; k < in_len; k++) {
    if (!isfinite(in[k])) return STARKML_ERR_ARG;
  }
  float **vals = calloc(g->n_tensors, sizeof *vals);
  if (vals == NULL) return STARKML_ERR_NOMEM;
  /* Every tensor gets its own buffer (validation guarantees each is written before it is
   * read: it is the input, a constant, or the output of an earlier node). */
  for (size_t t = 0; t < g->n_tensors; t++) {
    const sm_tensor *x = &g->tensors[t];
    vals[t] = malloc(x->numel * sizeof(float));
    if (vals[t] == NULL) {
      sm_graph_values_free(g, vals);
      return STARKML_ERR_NOMEM;
    }
    if (x->is_const) memcpy(vals[t], x->data, x->numel * sizeof(float));
  }
  memcpy(vals[g->input], in, in_len * sizeof *in);
  for (size_t k = 0; k < g->n_nodes; k++) run_node(g, &g->nodes[k], vals);
  memcpy(out, vals[g->output], out_len * sizeof *out);
  if (values != NULL) {
    *values = vals;
  } else {
    sm_graph_values_free(g, vals);
  }
  return STARKML_OK;
}
