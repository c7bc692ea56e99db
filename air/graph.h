/*
 * The graph IR: a float model as starkml understands it, imported from ONNX
 * (sm_graph_from_onnx) and run by the float executor (sm_graph_run_float), which is the
 * accuracy reference of the quantizer.
 *
 * Invariants of a graph returned by sm_graph_from_onnx (checked by sm_graph_validate):
 *  - exactly one graph input (the model's input; batch dimension 1) and one graph output,
 *    which is the output of a node;
 *  - tensors[] holds every tensor of the graph: the input, the initializers that nodes read
 *    as operands (is_const = 1, data holds numel floats, all finite) and every node output
 *    (is_const = 0, data NULL); every tensor has a static shape (rank <= SM_GRAPH_MAX_RANK,
 *    every dimension >= 1, numel <= SM_GRAPH_MAX_NUMEL), and all tensors together hold at
 *    most SM_GRAPH_MAX_TOTAL_NUMEL elements;
 *  - nodes[] are in topological order: a node reads only the input, initializers and
 *    outputs of earlier nodes; each node writes exactly one tensor, written by no other node;
 *    each node's output shape is the one sm_graph_node_shape infers from its inputs;
 *  - attributes are normalised (defaults filled in, negative axes made non-negative,
 *    Reshape's target shape and Clip's bounds resolved from their constant inputs, which
 *    are then dropped from the node's inputs), unused i[] and f[] slots are zero, and
 *    every attribute value was checked to be one starkml supports; anything else was
 *    refused with a message naming the node and the op;
 *  - BatchNormalization is kept as a node (the quantizer folds it), with scale, bias, mean
 *    and var as its inputs 1..4 (constants of shape [C]) and epsilon in f[0]
 *    (var + epsilon > 0 for every channel).
 *
 * Import-time translations: Constant nodes become initializers, Dropout (inference form)
 * becomes Identity. Semantics of every op are ONNX's (default-domain opsets 6 to 28); the
 * comments below say where starkml restricts them.
 */
#ifndef STARKML_AIR_GRAPH_H
#define STARKML_AIR_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "starkml.h"

#define SM_GRAPH_MAX_RANK 6
#define SM_GRAPH_MAX_INPUTS 8           /* inputs of one node (Concat is the widest) */
#define SM_GRAPH_MAX_NAME 128           /* names longer than this are truncated */
#define SM_GRAPH_MAX_NUMEL (1u << 24)   /* elements of one tensor */
#define SM_GRAPH_MAX_TOTAL_NUMEL (1u << 28) /* elements of all tensors of a graph together */
#define SM_GRAPH_MAX_NODES 4096u
#define SM_GRAPH_MAX_TENSORS 16384u
#define SM_GRAPH_MAX_FILE (256u << 20)  /* largest ONNX file read */

typedef enum {
  SM_OP_GEMM = 0,      /* Y = alpha * A' * B' + beta * C; A', B' 2-D; i[0]=transA,
                          i[1]=transB (0 or 1); f[0]=alpha, f[1]=beta; C optional (n_in 2
                          or 3), unidirectionally broadcast to [M, N] */
  SM_OP_MATMUL,        /* numpy matmul: 1-D operands promoted, batch dimensions broadcast */
  SM_OP_ADD,           /* elementwise with numpy broadcasting */
  SM_OP_SUB,
  SM_OP_MUL,
  SM_OP_RELU,
  SM_OP_LEAKYRELU,     /* f[0] = alpha */
  SM_OP_CLIP,          /* f[0] = min, f[1] = max (-inf/+inf when absent); n_in 1 */
  SM_OP_SIGMOID,
  SM_OP_TANH,
  SM_OP_SOFTMAX,       /* over the last axis only (i[0] = axis = rank - 1) */
  SM_OP_CONV,          /* 2-D NCHW, weights [M, C/group, kh, kw]; i[0..1] kernel h,w;
                          i[2..3] strides; i[4..7] pads (top, left, bottom, right);
                          i[8] group: 1, or C (depthwise, M a multiple of C);
                          dilations 1; bias [M] optional (n_in 2 or 3) */
  SM_OP_MAXPOOL,       /* 2-D NCHW; i[0..1] kernel, i[2..3] strides, i[4..7] pads (each
                          pad < its kernel size); floor rounding (ceil_mode 0) */
  SM_OP_AVGPOOL,       /* as MaxPool; i[8] = count_include_pad (0 or 1) */
  SM_OP_GLOBALAVGPOOL, /* input rank >= 3; mean over every axis after the second */
  SM_OP_BATCHNORM,     /* inputs X, scale, B, mean, var; f[0] = epsilon; inference form:
                          y = scale * (x - mean) / sqrt(var + epsilon) + B over axis 1 */
  SM_OP_FLATTEN,       /* i[0] = axis (0 .. rank) */
  SM_OP_RESHAPE,       /* target shape resolved into the output tensor's dims; n_in 1 */
  SM_OP_TRANSPOSE,     /* i[0..rank-1] = perm */
  SM_OP_CONCAT,        /* i[0] = axis; 1 to SM_GRAPH_MAX_INPUTS inputs */
  SM_OP_IDENTITY,
  SM_OP_COUNT_
} sm_op;

/* The ONNX op_type of an op ("Gemm", ...); "?" for a value out of range. */
const char *sm_op_name(sm_op op);

typedef struct {
  char name[SM_GRAPH_MAX_NAME];
  uint32_t rank;
  int64_t dims[SM_GRAPH_MAX_RANK];
  size_t numel;
  int is_const; /* an initializer (weights, biases, constant operands) */
  float *data;  /* is_const: numel values, row-major; NULL otherwise */
} sm_tensor;

typedef struct {
  sm_op op;
  char name[SM_GRAPH_MAX_NAME]; /* the ONNX node name, or "<op>_<index>" when it had none */
  uint32_t n_in;
  uint32_t in[SM_GRAPH_MAX_INPUTS]; /* tensor indices */
  uint32_t out;                     /* tensor index */
  int64_t i[12];                    /* integer attributes (see sm_op) */
  float f[4];                       /* float attributes (see sm_op) */
} sm_node;

typedef struct {
  sm_tensor *tensors;
  size_t n_tensors;
  sm_node *nodes;
  size_t n_nodes;
  uint32_t input;  /* tensor index of the graph input */
  uint32_t output; /* tensor index of the graph output */
} sm_graph;

/* Releases everything a graph owns and zeroes it (NULL allowed). */
void sm_graph_free(sm_graph *g);

/*
 * Imports an ONNX model (protobuf bytes). Only the ops above, with the attributes above,
 * are accepted; shapes are inferred and checked node by node.
 * Returns: STARKML_OK; STARKML_ERR_PARSE (not a valid ONNX protobuf, an unknown op, an
 *          unsupported attribute value, a shape mismatch, a non-finite initializer, a
 *          missing tensor, a cycle...; *why names the node and the op);
 *          STARKML_ERR_NOMEM; STARKML_ERR_ARG (NULL).
 * Out:  g    the graph (zeroed on failure); release with sm_graph_free.
 *       why  if not NULL (and why_len > 0), a NUL-terminated message, truncated to why_len
 *            bytes ("" on success).
 */
starkml_status sm_graph_from_onnx(sm_graph *g, char *why, size_t why_len, const uint8_t *data,
                                  size_t len);

/* As sm_graph_from_onnx, reading the file at path (STARKML_ERR_IO when it cannot be read). */
starkml_status sm_graph_load_onnx(sm_graph *g, char *why, size_t why_len, const char *path);

/*
 * Shape inference of one node: checks the node's inputs (count, shapes, constness where
 * the op needs constants) and its attributes against what starkml supports, and computes
 * the shape its output must have. Reshape's output shape is its output tensor's dims (the
 * resolved target), checked against the input's element count.
 * Returns: STARKML_OK; STARKML_ERR_PARSE (*why: "node 'NAME' (OP): ..."); STARKML_ERR_ARG
 *          (NULL, or an input or output index out of range).
 * Out:  rank, dims  the output shape (dims[rank..] zeroed).
 */
starkml_status sm_graph_node_shape(const sm_graph *g, const sm_node *n, uint32_t *rank,
                                   int64_t dims[SM_GRAPH_MAX_RANK], char *why, size_t why_len);

/*
 * Checks every invariant listed at the top of this header (that defaults were filled in
 * from the ONNX file cannot be checked on the IR; that the values are in range can).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL, or a violated invariant; *why says which);
 *          STARKML_ERR_NOMEM.
 */
starkml_status sm_graph_validate(const sm_graph *g, char *why, size_t why_len);

/*
 * Runs the graph in single-precision float (accumulating dot products and sums in double),
 * the reference the quantizer is measured against. Semantics are ONNX's (see sm_op).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL, a graph that fails sm_graph_validate,
 *          in_len != numel of the input, out_len != numel of the output, or a non-finite
 *          input value); STARKML_ERR_NOMEM.
 * Out:  values  if not NULL: *values is set to an array of n_tensors pointers, values[t] a
 *               malloc'ed array of tensors[t].numel floats for every tensor (constants
 *               copied), to be freed by the caller with sm_graph_values_free; NULL on
 *               failure. NULL leaves only `out`.
 *       out     the output tensor's numel floats (caller-sized; out_len must match);
 *               zeroed on failure.
 */
starkml_status sm_graph_run_float(const sm_graph *g, float ***values, float *out, size_t out_len,
                                  const float *in, size_t in_len);

/* Frees what sm_graph_run_float returned in *values (NULL allowed). */
void sm_graph_values_free(const sm_graph *g, float **values);

#endif
