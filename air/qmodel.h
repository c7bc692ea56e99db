/*
 * The quantized model: an integer circuit at the level of single values, produced from a
 * float graph (air/graph.h) by the quantizer and lowered to constraint tables by
 * air/lower.h. It is the public architecture of a model (everything but the weight values)
 * plus, in the prover's copy, the integer weights.
 *
 * Values. Every integer value of an inference has a key: (tensor id << 32) | element index.
 * Tensor ids start at 1 (key 0 means "a constant"). A value is a signed integer; in the
 * field it is p - |x| when negative. Quantization is symmetric and per tensor (per output
 * channel for weights): real value = scale * integer.
 *
 * Operations, in execution order (each writes the values of one tensor, every element once):
 *  - DOT      acc = sum over terms of x * w, a term's x and w each a key or a constant.
 *             Gemm, MatMul, Conv, Add, Sub, Mul, average pooling and folded batch
 *             normalization all become DOTs (a bias is a term 1 * b).
 *  - REQUANT  y = clamp(floor((acc * mult + 2^(shift - 1)) / 2^shift), lo, hi):
 *             the rescaling to the next tensor's scale, with ReLU and Clip folded into lo/hi.
 *  - LUT      y = table[x - in_lo]: sigmoid, tanh, leaky ReLU, exp of softmax.
 *  - MAX      y = max of a window of keys (MaxPool; padding positions are left out).
 *  - DIV      y = floor(num * 2^shift / den), den > 0 (softmax's normalisation).
 *
 * Invariants (sm_qmodel_check verifies them; the decoder runs it on every file):
 *  - tensors are numbered 1..n_tensors in creation order; an op reads only keys of the input,
 *    of weight tensors or of tensors written by earlier ops, each index < numel;
 *  - every value that can cross a table boundary is bounded: a tensor's [lo, hi] is within
 *    +-2^(SM_Q_MAX_BITS - 1); weights lie in their tensor's [lo, hi]; a DOT's worst-case
 *    |acc| (from its terms' bounds) is below 2^SM_Q_ACC_LOG_BOUND, and a REQUANT's
 *    |acc * mult| + 2^shift below 2^62 with shift <= SM_Q_MAX_SHIFT, so nothing wraps mod p;
 *  - LUT tables are public data (part of the architecture); their outputs lie in the output
 *    tensor's [lo, hi].
 */
#ifndef STARKML_AIR_QMODEL_H
#define STARKML_AIR_QMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "air/graph.h"
#include "core/ser.h"
#include "starkml.h"

#define SM_Q_MAX_BITS 16        /* widest activation / weight integer */
#define SM_Q_ACC_LOG_BOUND 40   /* |acc| < 2^40 for every DOT */
#define SM_Q_MAX_SHIFT 28       /* requantization shift */
#define SM_Q_MAX_TENSORS (1u << 16)
#define SM_Q_MAX_VALUES (1u << 24) /* values of all tensors together */
#define SM_Q_MAX_OPS (1u << 24)
#define SM_Q_MAX_LUT_ENTRIES (1u << 16)

#define SM_QKEY(tensor, index) (((uint64_t)(tensor) << 32) | (uint64_t)(index))
#define SM_QKEY_TENSOR(key) ((uint32_t)((key) >> 32))
#define SM_QKEY_INDEX(key) ((uint32_t)(key))

typedef enum {
  SM_QT_INPUT = 0,   /* the model input */
  SM_QT_WEIGHT = 1,  /* weights and biases (private unless public weights) */
  SM_QT_ACC = 2,     /* DOT accumulators (internal to a layer) */
  SM_QT_VALUE = 3,   /* activations between layers, and the output */
} sm_qtensor_kind;

typedef struct {
  char name[SM_GRAPH_MAX_NAME]; /* the ONNX tensor it comes from (with a suffix if derived) */
  uint32_t kind;                /* sm_qtensor_kind */
  uint32_t numel;
  double scale;                 /* real value = scale * integer (per-tensor) */
  int64_t lo, hi;               /* bounds of every element (proven where it crosses tables) */
} sm_qtensor;

/* A DOT term operand: a key, or a constant when key == 0. */
typedef struct {
  uint64_t key;
  int64_t c;
} sm_qref;

typedef enum {
  SM_QOP_DOT = 0,
  SM_QOP_REQUANT = 1,
  SM_QOP_LUT = 2,
  SM_QOP_MAX = 3,
  SM_QOP_DIV = 4,
} sm_qop_kind;

/* One value-level operation. The arrays it uses are shared by the whole model. */
typedef struct {
  uint32_t kind; /* sm_qop_kind */
  uint32_t lut;  /* LUT: table index */
  uint64_t out;  /* key written */
  uint64_t in;   /* REQUANT, LUT: input key; DIV: numerator key */
  uint64_t in2;  /* DIV: denominator key */
  uint32_t first, n; /* DOT: terms [first, first + n); MAX: keys [first, first + n) */
  uint32_t shift;    /* REQUANT, DIV */
  int64_t mult;      /* REQUANT: multiplier (>= 1) */
  int64_t lo, hi;    /* REQUANT: clamp bounds */
} sm_qop;

typedef struct {
  int64_t in_lo;  /* the table covers inputs in_lo .. in_lo + n - 1 */
  uint32_t n;
  uint32_t fn;    /* what it computes, for `inspect` (sm_qlut_fn) */
  int64_t *out;   /* n outputs */
} sm_qlut;

typedef enum {
  SM_QLUT_SIGMOID = 0, SM_QLUT_TANH = 1, SM_QLUT_LEAKYRELU = 2, SM_QLUT_EXP = 3,
} sm_qlut_fn;

typedef struct {
  uint32_t n_tensors;
  sm_qtensor *tensors; /* tensors[id - 1] */
  uint32_t input;      /* tensor id of the input */
  uint32_t output;     /* tensor id of the output */
  uint32_t n_ops;
  sm_qop *ops;
  uint32_t n_terms;
  sm_qref *terms;      /* DOT terms: x at terms[2 i], w at terms[2 i + 1] (i in [first, first+n)) */
  uint32_t n_keys;
  uint64_t *keys;      /* MAX windows */
  uint32_t n_luts;
  sm_qlut *luts;
  /* Input quantization: integer = clamp(round_half_even(x / input scale), lo, hi). */
  /* Private part (the prover's copy only): weight values, per weight tensor. */
  int has_weights;
  int64_t **weights;   /* weights[id - 1] for SM_QT_WEIGHT tensors, numel values; else NULL */
} sm_qmodel;

/* Quantizer settings. */
typedef struct {
  unsigned act_bits;    /* activations: signed integers of this many bits (2..16); default 10 */
  unsigned weight_bits; /* weights: signed (2..16); default 8 */
  int per_channel;      /* per-output-channel weight scales for Gemm/Conv (default 1) */
} sm_qconfig;

void sm_qconfig_default(sm_qconfig *c);

/* Releases everything a model owns and zeroes it (NULL allowed). */
void sm_qmodel_free(sm_qmodel *m);

/* What the quantizer reports. */
typedef struct {
  size_t n_calib;        /* calibration samples used */
  double max_abs_err;    /* max |dequantized output - float output| over the samples */
  double top1_agreement; /* fraction of samples whose argmax agrees (or, for one output,
                            whose side of 0.5 agrees) */
  size_t n_values, n_dot_terms, n_requant, n_lut, n_max, n_div;
} sm_qreport;

/*
 * Quantizes a float graph: calibrates every tensor's scale on the samples (max |x| over
 * them), picks integer weights, multipliers and shifts, and lowers every node to
 * value-level operations. The bounds of the header are checked here; a model that cannot
 * meet them is refused with a message naming the node.
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL, no samples, sample length != input numel,
 *          non-finite values, or a model outside the bounds; *why says which);
 *          STARKML_ERR_NOMEM.
 * Out:  m       the model with weights (zeroed on failure); report  if not NULL.
 * In:   calib   n_calib samples of the input's numel floats, row-major.
 */
starkml_status sm_qmodel_compile(sm_qmodel *m, sm_qreport *report, char *why, size_t why_len,
                                 const sm_graph *g, const sm_qconfig *cfg, const float *calib,
                                 size_t n_calib, size_t sample_len);

/* Checks the invariants above (weights too when has_weights).
 * Returns: STARKML_OK or STARKML_ERR_PARSE with *why. */
starkml_status sm_qmodel_check(const sm_qmodel *m, char *why, size_t why_len);

/* Number of values the executor fills: sum of numel over tensors. */
size_t sm_qmodel_n_values(const sm_qmodel *m);
/* Offset of tensor id's first value in the executor's value array. */
size_t sm_qmodel_offset(const sm_qmodel *m, uint32_t id);

/*
 * Quantizes one input: integer = clamp(round-half-even(x / scale), lo, hi).
 * Returns: STARKML_OK, STARKML_ERR_ARG (length mismatch or a non-finite value).
 */
starkml_status sm_qmodel_quantize_input(const sm_qmodel *m, int64_t *q, const float *x, size_t n);

/*
 * Runs the integer circuit: vals (sm_qmodel_n_values entries) receives every value, the
 * input's and the weights' included. The model must hold its weights.
 * Returns: STARKML_OK, STARKML_ERR_ARG (no weights, input out of range), STARKML_ERR_INTERNAL
 *          (a value left its tensor's bounds: the quantizer's checks failed to hold).
 */
starkml_status sm_qmodel_run(const sm_qmodel *m, int64_t *vals, const int64_t *input_q);

/* Value of key in vals (as filled by sm_qmodel_run). */
int64_t sm_qmodel_value(const sm_qmodel *m, const int64_t *vals, uint64_t key);

/*
 * Canonical encoding. with_weights = 0 writes the architecture only (what a vk holds);
 * 1 appends the weights (what a compiled model or pk holds).
 *   "SMQM" u32 version, u32 has_weights, u32 n_tensors, tensors (name, kind, numel, scale as
 *   IEEE bits, lo, hi), input, output, ops, terms, keys, luts, then weights if present.
 */
starkml_status sm_qmodel_encode(const sm_qmodel *m, int with_weights, sm_writer *w);
/* Decodes and checks (sm_qmodel_check). Returns: STARKML_OK, _ERR_PARSE (with why), _NOMEM. */
starkml_status sm_qmodel_decode(sm_qmodel *m, char *why, size_t why_len, sm_reader *r);

#endif
