/*
 * ONNX import (air/graph.h): protobuf bytes -> graph IR.
 *
 * The input is untrusted. protobuf-c decodes it (air/onnx.proto, compiled at build time)
 * through an allocator with a budget, so that a small file cannot make the decoder allocate
 * without bound; every count, dimension and name is then checked here before use, every
 * product of dimensions is overflow-checked and capped, and every failure is a status and
 * a message naming the node and the op, never an assert on input data.
 *
 * How names resolve. Every ONNX name (graph input, initializer, node output) gets one entry
 * in a hash table before the nodes are read, so that a node reading a name a later node
 * computes is told apart from a name nothing defines (the first means the nodes are out of
 * topological order, or cycle). Initializers are decoded on first use, in the context of
 * the node that reads them, so that a bad weight is reported with the node's name; they
 * become graph tensors only when a node reads them as a float operand (Reshape's shape
 * and Clip's bounds are folded into the node instead).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "air/graph.h"
#include "onnx.pb-c.h"

typedef StarkmlOnnx__ModelProto pb_model;
typedef StarkmlOnnx__GraphProto pb_graph;
typedef StarkmlOnnx__NodeProto pb_node;
typedef StarkmlOnnx__AttributeProto pb_attr;
typedef StarkmlOnnx__TensorProto pb_tensor;
typedef StarkmlOnnx__ValueInfoProto pb_value_info;

/* Default-domain opsets whose semantics of the supported ops this importer was checked
 * against (the ONNX operator changelog up to onnx 1.23). Older opsets carry legacy
 * attributes (consumed_inputs, Reshape's shape attribute) that starkml does not take. */
#define SM_ONNX_MIN_OPSET 6
#define SM_ONNX_MAX_OPSET 28

/* Per-node caps: no supported op has more outputs (BatchNormalization's training form has
 * five) and larger counts only serve to inflate the name table. */
#define SM_ONNX_MAX_NODE_OUTPUTS 8
#define SM_ONNX_MAX_ATTRS 64

#define NONE UINT32_MAX

/* ---- protobuf-c allocator with a budget ---------------------------------------------------- */

/* A decoded message may take more memory than its encoding (an empty sub-message is two
 * bytes on the wire and a hundred-byte struct in memory). Legitimate models are dominated
 * by raw weight bytes, decoded one to one, so twice the file size plus a fixed allowance
 * is far above need while bounding what a crafted file can ask for. */
typedef struct {
  size_t used, budget;
  int oom, over;
} pb_budget;

static void *pb_alloc(void *ud, size_t size) {
  pb_budget *b = ud;
  if (size > b->budget - b->used) {
    b->over = 1;
    return NULL;
  }
  b->used += size;
  void *p = malloc(size ? size : 1);
  if (p == NULL) b->oom = 1;
  return p;
}

static void pb_free(void *ud, void *p) {
  (void)ud;
  free(p);
}

/* ---- Importer state ---------------------------------------------------------------------- */

typedef enum {
  E_INPUT,       /* the graph input; tensor set */
  E_INIT,        /* an initializer not yet decoded; tp set */
  E_CONST,       /* a decoded constant (initializer or Constant node); tensor once read */
  E_PENDING,     /* a node output whose node has not been imported yet */
  E_OUTPUT,      /* a node output; tensor set */
  E_UNSUPPORTED, /* an extra node output starkml does not compute (Dropout's mask, ...) */
} entry_kind;

typedef struct {
  const char *name; /* the full ONNX name (owned by the decoded message) */
  entry_kind kind;
  uint32_t tensor;     /* graph tensor index, or NONE */
  size_t producer;     /* E_PENDING / E_OUTPUT / E_UNSUPPORTED: ONNX node index */
  const char *role;    /* E_UNSUPPORTED: what the output is */
  const pb_tensor *tp; /* E_INIT */
  /* E_CONST: the decoded value (one of f, iv), row-major. */
  int is_int;
  uint32_t rank;
  int64_t dims[SM_GRAPH_MAX_RANK];
  size_t numel;
  float *f;
  int64_t *iv;
} entry;

typedef struct {
  sm_graph *g;
  size_t cap_tensors, cap_nodes;
  size_t total_numel;
  entry *e;
  size_t n_e, cap_e;
  uint32_t *slot; /* open-addressing hash table of entry index + 1 (0 = empty) */
  size_t n_slot;  /* a power of two, at least twice cap_e */
  char *why;
  size_t why_len;
  int64_t opset;
  const pb_graph *graph;
  /* The node being imported (NULL outside nodes), for messages. */
  const pb_node *np;
  size_t node_index;
  char node_name[SM_GRAPH_MAX_NAME]; /* the IR name (raw bytes, truncated) */
  char op_type[64];                  /* printable */
} importer;

/* ---- Messages ------------------------------------------------------------------------------ */

/* A name for a message: printable ASCII only (anything else becomes '?'), truncated with
 * "..." so that a hostile name can neither inject control characters nor flood the log. */
static const char *safe(char *buf, size_t len, const char *name) {
  size_t k = 0;
  if (name == NULL) name = "";
  for (; name[k] != '\0' && k + 1 < len; k++) {
    unsigned char c = (unsigned char)name[k];
    buf[k] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
  }
  buf[k] = '\0';
  if (name[k] != '\0' && len >= 4) memcpy(buf + len - 4, "...", 4);
  return buf;
}

/* Writes "node 'NAME' (OP): <message>" (or the message alone outside a node) into why and
 * returns STARKML_ERR_PARSE. */
static starkml_status fail(importer *im, const char *fmt, ...) {
  if (im->why == NULL || im->why_len == 0) return STARKML_ERR_PARSE;
  char msg[512], nm[SM_GRAPH_MAX_NAME];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (im->np != NULL) {
    snprintf(im->why, im->why_len, "node '%s' (%s): %s", safe(nm, sizeof nm, im->node_name),
             im->op_type, msg);
  } else {
    snprintf(im->why, im->why_len, "%s", msg);
  }
  return STARKML_ERR_PARSE;
}

static starkml_status nomem(importer *im) {
  if (im->why != NULL && im->why_len > 0) snprintf(im->why, im->why_len, "out of memory");
  return STARKML_ERR_NOMEM;
}

/* Copies a name into an IR name field, truncated at a UTF-8 character boundary. */
static void copy_name(char dst[SM_GRAPH_MAX_NAME], const char *src) {
  size_t n = 0;
  if (src == NULL) src = "";
  while (n < SM_GRAPH_MAX_NAME - 1 && src[n] != '\0') n++;
  if (src[n] != '\0') {
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--; /* a continuation byte */
  }
  memset(dst, 0, SM_GRAPH_MAX_NAME);
  memcpy(dst, src, n);
}

static const char *dtype_name(int32_t t) {
  static const char *const names[] = {
      "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
      "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128",
      "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4",
      "INT4", "FLOAT4E2M1", "FLOAT8E8M0", "UINT2", "INT2", "FLOAT6E2M3", "FLOAT6E3M2"};
  if (t < 0 || (size_t)t >= sizeof names / sizeof names[0]) return "unknown";
  return names[t];
}

/* ---- Name table ---------------------------------------------------------------------------- */

static size_t name_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
  for (; *s != '\0'; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
  return (size_t)h;
}

/* Returns: the entry named `name`, or NULL. */
static entry *lookup(const importer *im, const char *name) {
  size_t mask = im->n_slot - 1;
  for (size_t s = name_hash(name) & mask;; s = (s + 1) & mask) {
    uint32_t v = im->slot[s];
    if (v == 0) return NULL;
    if (strcmp(im->e[v - 1].name, name) == 0) return &im->e[v - 1];
  }
}

/* Adds a new entry (the caller checked the name is not present). */
static entry *add_entry(importer *im, const char *name, entry_kind kind) {
  /* The table was sized for every name up front; running out is a bug, not an input. */
  if (im->n_e >= im->cap_e) return NULL;
  entry *e = &im->e[im->n_e];
  memset(e, 0, sizeof *e);
  e->name = name;
  e->kind = kind;
  e->tensor = NONE;
  size_t mask = im->n_slot - 1, s = name_hash(name) & mask;
  while (im->slot[s] != 0) s = (s + 1) & mask;
  im->slot[s] = (uint32_t)(++im->n_e);
  return e;
}

/* What defined an entry, for a message: the graph input, an initializer, or a node (a
 * node output, or a Constant node's value). */
static const char *entry_origin(const importer *im, const entry *e, char *buf, size_t len) {
  char nm[SM_GRAPH_MAX_NAME];
  if (e->kind == E_INPUT) return "the graph input";
  if ((e->kind == E_INIT || e->kind == E_CONST) && e->producer == SIZE_MAX) {
    return "an initializer";
  }
  const pb_node *p = im->graph->node[e->producer];
  char alt[48];
  snprintf(alt, sizeof alt, "%s_%zu", p->op_type ? p->op_type : "", e->producer);
  snprintf(buf, len, "node '%s'", safe(nm, sizeof nm, (p->name && p->name[0]) ? p->name : alt));
  return buf;
}

/* ---- Tensors and nodes of the graph being built ------------------------------------------- */

static starkml_status new_tensor(importer *im, const char *name, uint32_t rank,
                                 const int64_t *dims, size_t numel, uint32_t *index) {
  sm_graph *g = im->g;
  if (g->n_tensors >= SM_GRAPH_MAX_TENSORS) {
    return fail(im, "the graph has more than %u tensors", SM_GRAPH_MAX_TENSORS);
  }
  if (numel > SM_GRAPH_MAX_TOTAL_NUMEL - im->total_numel) {
    return fail(im, "the graph's tensors would hold more than %u elements together",
                (unsigned)SM_GRAPH_MAX_TOTAL_NUMEL);
  }
  if (g->n_tensors == im->cap_tensors) {
    size_t cap = im->cap_tensors ? 2 * im->cap_tensors : 64;
    sm_tensor *p = realloc(g->tensors, cap * sizeof *p);
    if (p == NULL) return nomem(im);
    g->tensors = p;
    im->cap_tensors = cap;
  }
  sm_tensor *t = &g->tensors[g->n_tensors];
  memset(t, 0, sizeof *t);
  copy_name(t->name, name);
  t->rank = rank;
  if (rank > 0) memcpy(t->dims, dims, rank * sizeof dims[0]);
  t->numel = numel;
  im->total_numel += numel;
  *index = (uint32_t)g->n_tensors++;
  return STARKML_OK;
}

static starkml_status push_node(importer *im, const sm_node *n) {
  sm_graph *g = im->g;
  if (g->n_nodes == im->cap_nodes) {
    size_t cap = im->cap_nodes ? 2 * im->cap_nodes : 32;
    sm_node *p = realloc(g->nodes, cap * sizeof *p);
    if (p == NULL) return nomem(im);
    g->nodes = p;
    im->cap_nodes = cap;
  }
  g->nodes[g->n_nodes++] = *n;
  return STARKML_OK;
}

/* Element count of dims (0 when a dimension is 0); refuses negative dimensions, ranks
 * above the cap and counts above SM_GRAPH_MAX_NUMEL. */
static starkml_status count_elems(importer *im, const char *what, size_t rank,
                                  const int64_t *dims, size_t *numel) {
  *numel = 0;
  if (rank > SM_GRAPH_MAX_RANK) {
    return fail(im, "%s has rank %zu; at most %d is supported", what, rank, SM_GRAPH_MAX_RANK);
  }
  uint64_t n = 1;
  for (size_t k = 0; k < rank; k++) {
    if (dims[k] < 0) return fail(im, "%s has a negative dimension", what);
    if ((uint64_t)dims[k] > SM_GRAPH_MAX_NUMEL) {
      return fail(im, "%s has more than %u elements", what, (unsigned)SM_GRAPH_MAX_NUMEL);
    }
    n *= (uint64_t)dims[k]; /* both factors <= 2^24: no overflow */
    if (n > SM_GRAPH_MAX_NUMEL) {
      return fail(im, "%s has more than %u elements", what, (unsigned)SM_GRAPH_MAX_NUMEL);
    }
  }
  *numel = (size_t)n;
  return STARKML_OK;
}

/* Decodes a TensorProto into a constant entry: FLOAT as floats (all finite), INT64, INT32
 * and BOOL as int64 values. `what` names it in messages ("initializer 'W'"). */
static starkml_status decode_tensor(importer *im, const pb_tensor *tp, const char *what,
                                    entry *e) {
  if ((tp->has_data_location &&
       tp->data_location != STARKML_ONNX__TENSOR_PROTO__DATA_LOCATION__DEFAULT) ||
      tp->n_external_data > 0) {
    return fail(im, "%s is stored as external data, which is not supported", what);
  }
  if (tp->segment != NULL) return fail(im, "%s is a segment, which is not supported", what);
  size_t numel;
  starkml_status st = count_elems(im, what, tp->n_dims, tp->dims, &numel);
  if (st != STARKML_OK) return st;
  int32_t dt = tp->has_data_type ? tp->data_type : 0;
  size_t have, width;
  const uint8_t *raw = tp->has_raw_data ? tp->raw_data.data : NULL;
  size_t raw_len = tp->has_raw_data ? tp->raw_data.len : 0;
  switch (dt) {
    case STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
      have = tp->n_float_data;
      width = 4;
      break;
    case STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__INT64:
      have = tp->n_int64_data;
      width = 8;
      break;
    case STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__INT32:
      have = tp->n_int32_data;
      width = 4;
      break;
    case STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__BOOL:
      have = tp->n_int32_data; /* ONNX stores bools in int32_data */
      width = 1;
      break;
    default:
      return fail(im, "%s has data type %s (%d), which is not supported (weights must be FLOAT)",
                  what, dtype_name(dt), (int)dt);
  }
  if (tp->has_raw_data) {
    if (have != 0) return fail(im, "%s has both raw_data and typed data", what);
    if (raw_len != numel * width) {
      return fail(im, "%s holds %zu bytes of raw_data; its %zu elements need %zu", what, raw_len,
                  numel, numel * width);
    }
  } else if (have != numel) {
    return fail(im, "%s holds %zu values; its dims give %zu elements", what, have, numel);
  }
  e->rank = (uint32_t)tp->n_dims;
  if (tp->n_dims > 0) memcpy(e->dims, tp->dims, tp->n_dims * sizeof tp->dims[0]);
  e->numel = numel;
  if (dt == STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
    if (numel == 0) return fail(im, "%s is empty", what);
    e->f = malloc(numel * sizeof *e->f);
    if (e->f == NULL) return nomem(im);
    for (size_t k = 0; k < numel; k++) {
      float v;
      if (raw != NULL) {
        uint32_t u = (uint32_t)raw[4 * k] | (uint32_t)raw[4 * k + 1] << 8 |
                     (uint32_t)raw[4 * k + 2] << 16 | (uint32_t)raw[4 * k + 3] << 24;
        memcpy(&v, &u, sizeof v);
      } else {
        v = tp->float_data[k];
      }
      if (!isfinite(v)) {
        free(e->f);
        e->f = NULL;
        return fail(im, "%s holds a non-finite value (%s at element %zu)", what,
                    isnan(v) ? "NaN" : "infinity", k);
      }
      e->f[k] = v;
    }
  } else {
    e->is_int = 1;
    e->iv = malloc((numel ? numel : 1) * sizeof *e->iv);
    if (e->iv == NULL) return nomem(im);
    for (size_t k = 0; k < numel; k++) {
      int64_t v;
      if (raw != NULL) {
        uint64_t u = 0;
        for (size_t b = 0; b < width; b++) u |= (uint64_t)raw[width * k + b] << (8 * b);
        if (width == 4) u = (uint64_t)(int64_t)(int32_t)(uint32_t)u; /* sign-extend */
        v = (int64_t)u;
      } else if (dt == STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
        v = tp->int64_data[k];
      } else {
        v = tp->int32_data[k];
      }
      e->iv[k] = v;
    }
  }
  e->kind = E_CONST;
  return STARKML_OK;
}

/* Decodes an initializer entry on first use (in the reading node's context). */
static starkml_status ensure_decoded(importer *im, entry *e) {
  if (e->kind != E_INIT) return STARKML_OK;
  char what[SM_GRAPH_MAX_NAME + 16], nm[SM_GRAPH_MAX_NAME];
  snprintf(what, sizeof what, "initializer '%s'", safe(nm, sizeof nm, e->name));
  return decode_tensor(im, e->tp, what, e);
}

/* The entry an input name refers to, with a message for a name that is not usable yet. */
static starkml_status resolve(importer *im, const char *name, entry **out) {
  char nm[SM_GRAPH_MAX_NAME], other[SM_GRAPH_MAX_NAME + 16];
  *out = NULL;
  entry *e = lookup(im, name);
  if (e == NULL) {
    return fail(im, "input '%s' is not defined (not the graph input, an initializer or a "
                    "node output)", safe(nm, sizeof nm, name));
  }
  if (e->kind == E_PENDING) {
    return fail(im, "input '%s' is computed by %s, which comes later: the nodes are not in "
                    "topological order, or form a cycle", safe(nm, sizeof nm, name),
                e->producer == im->node_index ? "this node itself"
                                              : entry_origin(im, e, other, sizeof other));
  }
  if (e->kind == E_UNSUPPORTED) {
    return fail(im, "input '%s' is the %s of %s, which starkml does not compute",
                safe(nm, sizeof nm, name), e->role, entry_origin(im, e, other, sizeof other));
  }
  starkml_status st = ensure_decoded(im, e);
  if (st != STARKML_OK) return st;
  *out = e;
  return STARKML_OK;
}

/* Resolves a float operand to a graph tensor, turning a constant into one on first use. */
static starkml_status input_tensor(importer *im, const char *name, uint32_t *index) {
  entry *e;
  char nm[SM_GRAPH_MAX_NAME];
  starkml_status st = resolve(im, name, &e);
  if (st != STARKML_OK) return st;
  if (e->kind == E_CONST) {
    if (e->is_int) {
      return fail(im, "input '%s' is an integer tensor; only float operands are supported",
                  safe(nm, sizeof nm, name));
    }
    if (e->tensor == NONE) {
      st = new_tensor(im, e->name, e->rank, e->dims, e->numel, &e->tensor);
      if (st != STARKML_OK) return st;
      sm_tensor *t = &im->g->tensors[e->tensor];
      t->is_const = 1;
      t->data = e->f; /* the graph owns it from now on */
      e->f = NULL;
    }
  }
  *index = e->tensor;
  return STARKML_OK;
}

/* Resolves an input that must be a constant (Reshape's shape, Clip's bounds, ...). */
static starkml_status input_const(importer *im, const char *name, const char *role,
                                  entry **out) {
  char nm[SM_GRAPH_MAX_NAME];
  starkml_status st = resolve(im, name, out);
  if (st != STARKML_OK) return st;
  if ((*out)->kind != E_CONST) {
    return fail(im, "%s '%s' must be a constant (an initializer or a Constant node)", role,
                safe(nm, sizeof nm, name));
  }
  return STARKML_OK;
}

/* ---- Attributes ------------------------------------------------------------------------------ */

static const char *attr_type_name(int t) {
  switch (t) {
    case 1: return "FLOAT";
    case 2: return "INT";
    case 3: return "STRING";
    case 4: return "TENSOR";
    case 5: return "GRAPH";
    case 6: return "FLOATS";
    case 7: return "INTS";
    case 8: return "STRINGS";
    case 9: return "TENSORS";
    case 10: return "GRAPHS";
    default: return "other";
  }
}

/* Checks every attribute of the node is in `allowed` (NULL-terminated), appears once, and
 * refers to nothing outside the node. */
static starkml_status attrs_allowed(importer *im, const char *const *allowed) {
  const pb_node *np = im->np;
  char nm[SM_GRAPH_MAX_NAME];
  if (np->n_attribute > SM_ONNX_MAX_ATTRS) return fail(im, "too many attributes");
  for (size_t a = 0; a < np->n_attribute; a++) {
    const char *name = np->attribute[a]->name ? np->attribute[a]->name : "";
    int ok = 0;
    for (size_t k = 0; allowed != NULL && allowed[k] != NULL && !ok; k++) {
      ok = strcmp(name, allowed[k]) == 0;
    }
    if (!ok) return fail(im, "attribute '%s' is not supported", safe(nm, sizeof nm, name));
    if (np->attribute[a]->ref_attr_name != NULL && np->attribute[a]->ref_attr_name[0] != '\0') {
      return fail(im, "attribute '%s' refers to a function attribute, which is not supported",
                  safe(nm, sizeof nm, name));
    }
    for (size_t b = 0; b < a; b++) {
      const char *other = np->attribute[b]->name ? np->attribute[b]->name : "";
      if (strcmp(name, other) == 0) {
        return fail(im, "attribute '%s' appears twice", safe(nm, sizeof nm, name));
      }
    }
  }
  return STARKML_OK;
}

/* Finds attribute `name` and checks its type (a missing type field is inferred from the
 * value present, as files written before IR version 2 omit it). NULL when absent. */
static starkml_status attr_get(importer *im, const char *name, int type, const pb_attr **out) {
  *out = NULL;
  for (size_t a = 0; a < im->np->n_attribute; a++) {
    const pb_attr *at = im->np->attribute[a];
    if (at->name == NULL || strcmp(at->name, name) != 0) continue;
    int t = at->has_type ? (int)at->type : 0;
    if (t == 0) {
      t = at->has_f ? 1 : at->has_i ? 2 : at->has_s ? 3 : at->t ? 4 : at->n_floats ? 6
          : at->n_ints ? 7 : at->n_strings ? 8 : 0;
    }
    if (t != type) {
      return fail(im, "attribute '%s' has type %s; %s expected", name, attr_type_name(t),
                  attr_type_name(type));
    }
    *out = at;
    return STARKML_OK;
  }
  return STARKML_OK;
}

static starkml_status attr_int(importer *im, const char *name, int64_t def, int64_t *v,
                               int *present) {
  const pb_attr *at;
  starkml_status st = attr_get(im, name, 2, &at);
  *v = at ? at->i : def;
  if (present) *present = at != NULL;
  return st;
}

static starkml_status attr_float(importer *im, const char *name, float def, float *v) {
  const pb_attr *at;
  starkml_status st = attr_get(im, name, 1, &at);
  *v = at ? at->f : def;
  if (st == STARKML_OK && at != NULL && !isfinite(*v)) {
    return fail(im, "attribute '%s' is not finite", name);
  }
  return st;
}

/* An INTS attribute of exactly `want` values (when present). */
static starkml_status attr_ints(importer *im, const char *name, size_t want, int64_t *v,
                                int *present) {
  const pb_attr *at;
  starkml_status st = attr_get(im, name, 7, &at);
  *present = at != NULL;
  if (st != STARKML_OK || at == NULL) return st;
  if (at->n_ints != want) {
    return fail(im, "attribute '%s' has %zu values; %zu expected", name, at->n_ints, want);
  }
  memcpy(v, at->ints, want * sizeof *v);
  return STARKML_OK;
}

/* A STRING attribute, as a NUL-terminated copy (def when absent). */
static starkml_status attr_str(importer *im, const char *name, const char *def, char *v,
                               size_t cap) {
  const pb_attr *at;
  starkml_status st = attr_get(im, name, 3, &at);
  if (st != STARKML_OK) return st;
  if (at == NULL) {
    snprintf(v, cap, "%s", def);
    return STARKML_OK;
  }
  size_t n = at->s.len < cap - 1 ? at->s.len : cap - 1;
  if (n > 0) memcpy(v, at->s.data, n);
  v[n] = '\0';
  if (memchr(v, '\0', n) != NULL || at->s.len >= cap) v[0] = '?'; /* never a valid value */
  return STARKML_OK;
}

/* Normalises an axis in [-rank, rank + extra) to [0, rank + extra). */
static starkml_status norm_axis(importer *im, int64_t *axis, uint32_t rank, int extra) {
  int64_t a = *axis, hi = (int64_t)rank + extra;
  if (a < -(int64_t)rank || a >= hi) {
    return fail(im, "axis %lld is out of range for rank %u", (long long)a, rank);
  }
  if (a < 0) a += rank;
  *axis = a;
  return STARKML_OK;
}

/* ---- Node helpers ---------------------------------------------------------------------------- */

/* The node's i-th input name, or "" when absent (ONNX omits optional inputs with ""). */
static const char *in_name(const importer *im, size_t i) {
  if (i >= im->np->n_input || im->np->input[i] == NULL) return "";
  return im->np->input[i];
}

/* Number of inputs up to the last non-empty one. */
static size_t n_inputs(const importer *im) {
  size_t n = im->np->n_input;
  while (n > 0 && in_name(im, n - 1)[0] == '\0') n--;
  return n;
}

/* Checks the input count, that required inputs are named, and the outputs: output 0 is
 * required; extra outputs are refused, or (extra_role != NULL) kept as unsupported entries
 * that fail when read. */
static starkml_status check_io(importer *im, size_t min_in, size_t max_in, size_t max_out,
                               const char *extra_role) {
  size_t n = n_inputs(im);
  if (n < min_in || n > max_in) {
    if (min_in == max_in) return fail(im, "has %zu inputs; %zu expected", n, min_in);
    return fail(im, "has %zu inputs; %zu to %zu expected", n, min_in, max_in);
  }
  for (size_t i = 0; i < min_in; i++) {
    if (in_name(im, i)[0] == '\0') return fail(im, "input %zu is missing", i);
  }
  const pb_node *np = im->np;
  for (size_t o = 1; o < np->n_output; o++) {
    if (np->output[o] == NULL || np->output[o][0] == '\0') continue;
    if (o >= max_out || extra_role == NULL) {
      char nm[SM_GRAPH_MAX_NAME];
      return fail(im, "output %zu ('%s') is not supported", o, safe(nm, sizeof nm, np->output[o]));
    }
    entry *e = lookup(im, np->output[o]);
    if (e != NULL) {
      e->kind = E_UNSUPPORTED;
      e->role = extra_role;
    }
  }
  return STARKML_OK;
}

/* Starts an IR node: name, op, first `n` float operands. */
static starkml_status begin(importer *im, sm_node *n, sm_op op, size_t n_in) {
  memset(n, 0, sizeof *n);
  n->op = op;
  memcpy(n->name, im->node_name, sizeof n->name);
  for (size_t i = 0; i < n_in; i++) {
    starkml_status st = input_tensor(im, in_name(im, i), &n->in[i]);
    if (st != STARKML_OK) return st;
  }
  n->n_in = (uint32_t)n_in;
  return STARKML_OK;
}

/* Finishes an IR node: creates its output tensor (with the shape inferred by
 * sm_graph_node_shape; Reshape passes its resolved target), appends the node and marks
 * its output name as computed. */
static starkml_status finish(importer *im, sm_node *n, uint32_t target_rank,
                             const int64_t *target) {
  starkml_status st;
  const char *oname = im->np->output[0];
  uint32_t out;
  uint32_t r;
  int64_t d[SM_GRAPH_MAX_RANK];
  if (n->op == SM_OP_RESHAPE) {
    size_t numel = 0;
    if ((st = count_elems(im, "the target shape", target_rank, target, &numel)) != STARKML_OK) {
      return st;
    }
    if ((st = new_tensor(im, oname, target_rank, target, numel, &out)) != STARKML_OK) return st;
  } else {
    if ((st = new_tensor(im, oname, 0, NULL, 0, &out)) != STARKML_OK) return st;
  }
  n->out = out;
  st = sm_graph_node_shape(im->g, n, &r, d, im->why, im->why_len);
  if (st != STARKML_OK) return st == STARKML_ERR_ARG ? STARKML_ERR_INTERNAL : st;
  sm_tensor *t = &im->g->tensors[out];
  size_t numel = 1;
  for (uint32_t k = 0; k < r; k++) numel *= (size_t)d[k]; /* capped by node_shape */
  im->total_numel -= t->numel;
  if (numel > SM_GRAPH_MAX_TOTAL_NUMEL - im->total_numel) {
    return fail(im, "the graph's tensors would hold more than %u elements together",
                (unsigned)SM_GRAPH_MAX_TOTAL_NUMEL);
  }
  im->total_numel += numel;
  t->rank = r;
  memset(t->dims, 0, sizeof t->dims);
  memcpy(t->dims, d, r * sizeof d[0]);
  t->numel = numel;
  if ((st = push_node(im, n)) != STARKML_OK) return st;
  entry *e = lookup(im, oname);
  if (e == NULL) return STARKML_ERR_INTERNAL; /* registered by the output pass */
  e->kind = E_OUTPUT;
  e->tensor = out;
  return STARKML_OK;
}

static const sm_tensor *tensor_of(const importer *im, uint32_t index) {
  return &im->g->tensors[index];
}

/* ---- Op importers -------------------------------------------------------------------------- */

static starkml_status imp_gemm(importer *im) {
  static const char *const ok_new[] = {"alpha", "beta", "transA", "transB", NULL};
  static const char *const ok_old[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
  sm_node n;
  starkml_status st;
  int64_t ta, tb, bc;
  float alpha, beta;
  if ((st = attrs_allowed(im, im->opset < 7 ? ok_old : ok_new)) != STARKML_OK) return st;
  if ((st = check_io(im, 2, 3, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "transA", 0, &ta, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "transB", 0, &tb, NULL)) != STARKML_OK) return st;
  /* Gemm-6's broadcast flag: the unidirectional broadcasting applied below is a superset. */
  if ((st = attr_int(im, "broadcast", 0, &bc, NULL)) != STARKML_OK) return st;
  if ((st = attr_float(im, "alpha", 1.0f, &alpha)) != STARKML_OK) return st;
  if ((st = attr_float(im, "beta", 1.0f, &beta)) != STARKML_OK) return st;
  if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1)) {
    return fail(im, "transA/transB values other than 0 and 1 are not supported");
  }
  if ((st = begin(im, &n, SM_OP_GEMM, n_inputs(im))) != STARKML_OK) return st;
  n.i[0] = ta;
  n.i[1] = tb;
  n.f[0] = alpha;
  n.f[1] = beta;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_plain(importer *im, sm_op op, size_t n_in) {
  sm_node n;
  starkml_status st;
  if ((st = attrs_allowed(im, NULL)) != STARKML_OK) return st;
  if ((st = check_io(im, n_in, n_in, 1, NULL)) != STARKML_OK) return st;
  if ((st = begin(im, &n, op, n_in)) != STARKML_OK) return st;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_binary(importer *im, sm_op op) {
  static const char *const ok_old[] = {"broadcast", "axis", NULL};
  sm_node n;
  starkml_status st;
  if (im->opset >= 7) return imp_plain(im, op, 2);
  /* Opset 6: legacy broadcasting. Without `axis` it aligns B with the trailing axes of A,
   * which numpy broadcasting reproduces; `axis` (a different alignment) is refused. */
  int present;
  int64_t bc, axis;
  if ((st = attrs_allowed(im, ok_old)) != STARKML_OK) return st;
  if ((st = attr_int(im, "axis", 0, &axis, &present)) != STARKML_OK) return st;
  if (present) return fail(im, "legacy broadcasting along an axis is not supported");
  if ((st = attr_int(im, "broadcast", 0, &bc, NULL)) != STARKML_OK) return st;
  if ((st = check_io(im, 2, 2, 1, NULL)) != STARKML_OK) return st;
  if ((st = begin(im, &n, op, 2)) != STARKML_OK) return st;
  const sm_tensor *a = tensor_of(im, n.in[0]), *b = tensor_of(im, n.in[1]);
  int same = a->rank == b->rank && memcmp(a->dims, b->dims, a->rank * sizeof a->dims[0]) == 0;
  if (bc == 0 && !same) return fail(im, "shapes differ and broadcast is 0");
  if ((st = finish(im, &n, 0, NULL)) != STARKML_OK) return st;
  const sm_tensor *o = tensor_of(im, n.out);
  if (o->rank != a->rank || memcmp(o->dims, a->dims, a->rank * sizeof a->dims[0]) != 0) {
    return fail(im, "legacy broadcasting must keep A's shape");
  }
  return STARKML_OK;
}

static starkml_status imp_leakyrelu(importer *im) {
  static const char *const ok[] = {"alpha", NULL};
  sm_node n;
  starkml_status st;
  float alpha;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 1, 1, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_float(im, "alpha", 0.01f, &alpha)) != STARKML_OK) return st;
  if ((st = begin(im, &n, SM_OP_LEAKYRELU, 1)) != STARKML_OK) return st;
  n.f[0] = alpha;
  return finish(im, &n, 0, NULL);
}

/* One scalar float bound of Clip (opset >= 11), from a constant input. */
static starkml_status clip_bound(importer *im, size_t i, float *v) {
  const char *name = in_name(im, i);
  if (name[0] == '\0') return STARKML_OK;
  entry *e;
  starkml_status st = input_const(im, name, i == 1 ? "min" : "max", &e);
  if (st != STARKML_OK) return st;
  if (e->is_int || e->numel != 1) {
    return fail(im, "%s must be a float scalar", i == 1 ? "min" : "max");
  }
  *v = e->f != NULL ? e->f[0] : im->g->tensors[e->tensor].data[0];
  return STARKML_OK;
}

static starkml_status imp_clip(importer *im) {
  static const char *const ok_old[] = {"min", "max", NULL};
  sm_node n;
  starkml_status st;
  /* Absent bounds are -inf / +inf (Clip-6's defaults are -FLT_MAX / FLT_MAX: the same
   * function on every finite value). */
  float lo = -INFINITY, hi = INFINITY;
  if (im->opset < 11) {
    if ((st = attrs_allowed(im, ok_old)) != STARKML_OK) return st;
    if ((st = check_io(im, 1, 1, 1, NULL)) != STARKML_OK) return st;
    if ((st = attr_float(im, "min", -INFINITY, &lo)) != STARKML_OK) return st;
    if ((st = attr_float(im, "max", INFINITY, &hi)) != STARKML_OK) return st;
  } else {
    if ((st = attrs_allowed(im, NULL)) != STARKML_OK) return st;
    if ((st = check_io(im, 1, 3, 1, NULL)) != STARKML_OK) return st;
    if ((st = clip_bound(im, 1, &lo)) != STARKML_OK) return st;
    if ((st = clip_bound(im, 2, &hi)) != STARKML_OK) return st;
  }
  if ((st = begin(im, &n, SM_OP_CLIP, 1)) != STARKML_OK) return st;
  n.f[0] = lo;
  n.f[1] = hi;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_softmax(importer *im) {
  static const char *const ok[] = {"axis", NULL};
  sm_node n;
  starkml_status st;
  int64_t axis;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 1, 1, 1, NULL)) != STARKML_OK) return st;
  /* Opset 13 changed both the default axis (1 -> -1) and the meaning: before it, the input
   * is flattened to 2-D at `axis` and normalised over everything from `axis` on. */
  if ((st = attr_int(im, "axis", im->opset < 13 ? 1 : -1, &axis, NULL)) != STARKML_OK) return st;
  if ((st = begin(im, &n, SM_OP_SOFTMAX, 1)) != STARKML_OK) return st;
  const sm_tensor *x = tensor_of(im, n.in[0]);
  if (x->rank == 0) return fail(im, "a scalar input is not supported");
  if ((st = norm_axis(im, &axis, x->rank, 0)) != STARKML_OK) return st;
  if (im->opset < 13) {
    /* The flattened form equals a last-axis softmax when the axes from `axis` up to the
     * last one all have size 1 (e.g. [1, C] with the default axis 1). */
    for (uint32_t k = (uint32_t)axis; k + 1 < x->rank; k++) {
      if (x->dims[k] != 1) {
        return fail(im, "opset %lld Softmax with axis %lld normalises over axes %lld..%u "
                        "together; only a softmax over the last axis is supported",
                    (long long)im->opset, (long long)axis, (long long)axis, x->rank - 1);
      }
    }
  } else if (axis != (int64_t)x->rank - 1) {
    return fail(im, "Softmax over axis %lld (not the last axis, %u) is not supported",
                (long long)axis, x->rank - 1);
  }
  n.i[0] = (int64_t)x->rank - 1;
  return finish(im, &n, 0, NULL);
}

/* Window attributes shared by Conv and the pools, into n->i[0..7]. kernel_from_w: Conv's
 * kernel_shape defaults to the weights' spatial dims. */
static starkml_status window_attrs(importer *im, sm_node *n, const sm_tensor *w) {
  starkml_status st;
  int present;
  char pad_mode[32];
  int64_t v[4];
  const sm_tensor *x = tensor_of(im, n->in[0]);
  if (x->rank != 4) {
    return fail(im, "only 2-D %s (4-D NCHW input) is supported; the input has rank %u",
                n->op == SM_OP_CONV ? "convolution" : "pooling", x->rank);
  }
  if ((st = attr_str(im, "auto_pad", "NOTSET", pad_mode, sizeof pad_mode)) != STARKML_OK) return st;
  int valid = strcmp(pad_mode, "VALID") == 0;
  if (!valid && strcmp(pad_mode, "NOTSET") != 0) {
    char nm[40];
    return fail(im, "auto_pad %s is not supported (export the model with explicit pads)",
                safe(nm, sizeof nm, pad_mode));
  }
  if ((st = attr_ints(im, "dilations", 2, v, &present)) != STARKML_OK) return st;
  if (present && (v[0] != 1 || v[1] != 1)) {
    return fail(im, "dilations other than 1 are not supported");
  }
  if ((st = attr_ints(im, "kernel_shape", 2, v, &present)) != STARKML_OK) return st;
  if (!present) {
    if (w == NULL) return fail(im, "attribute 'kernel_shape' is required");
    v[0] = w->rank == 4 ? w->dims[2] : 0;
    v[1] = w->rank == 4 ? w->dims[3] : 0;
  }
  n->i[0] = v[0];
  n->i[1] = v[1];
  if ((st = attr_ints(im, "strides", 2, v, &present)) != STARKML_OK) return st;
  n->i[2] = present ? v[0] : 1;
  n->i[3] = present ? v[1] : 1;
  if ((st = attr_ints(im, "pads", 4, v, &present)) != STARKML_OK) return st;
  if (present && valid && (v[0] | v[1] | v[2] | v[3]) != 0) {
    return fail(im, "auto_pad VALID with non-zero pads");
  }
  /* ONNX orders pads as (x1_begin, x2_begin, x1_end, x2_end): top, left, bottom, right. */
  for (int k = 0; k < 4; k++) n->i[4 + k] = present ? v[k] : 0;
  return STARKML_OK;
}

static starkml_status imp_conv(importer *im) {
  static const char *const ok[] = {"auto_pad", "dilations", "group", "kernel_shape", "pads",
                                   "strides", NULL};
  sm_node n;
  starkml_status st;
  int64_t group;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 2, 3, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "group", 1, &group, NULL)) != STARKML_OK) return st;
  if ((st = begin(im, &n, SM_OP_CONV, n_inputs(im))) != STARKML_OK) return st;
  if ((st = window_attrs(im, &n, tensor_of(im, n.in[1]))) != STARKML_OK) return st;
  n.i[8] = group;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_pool(importer *im, sm_op op) {
  static const char *const ok_max[] = {"auto_pad", "ceil_mode", "dilations", "kernel_shape",
                                       "pads", "storage_order", "strides", NULL};
  static const char *const ok_avg[] = {"auto_pad", "ceil_mode", "count_include_pad",
                                       "dilations", "kernel_shape", "pads", "strides", NULL};
  sm_node n;
  starkml_status st;
  int64_t ceil_mode, order, cip;
  int is_max = op == SM_OP_MAXPOOL;
  if ((st = attrs_allowed(im, is_max ? ok_max : ok_avg)) != STARKML_OK) return st;
  if ((st = check_io(im, 1, 1, is_max ? 2 : 1, is_max ? "Indices output" : NULL)) != STARKML_OK) {
    return st;
  }
  if ((st = attr_int(im, "ceil_mode", 0, &ceil_mode, NULL)) != STARKML_OK) return st;
  if (ceil_mode != 0) {
    return fail(im, "ceil_mode=%lld is not supported (only 0)", (long long)ceil_mode);
  }
  if ((st = attr_int(im, "storage_order", 0, &order, NULL)) != STARKML_OK) return st;
  if (order != 0) return fail(im, "storage_order=%lld is not supported (only 0)", (long long)order);
  if ((st = attr_int(im, "count_include_pad", 0, &cip, NULL)) != STARKML_OK) return st;
  if (cip != 0 && cip != 1) return fail(im, "count_include_pad must be 0 or 1");
  if ((st = begin(im, &n, op, 1)) != STARKML_OK) return st;
  if ((st = window_attrs(im, &n, NULL)) != STARKML_OK) return st;
  if (!is_max) n.i[8] = cip;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_batchnorm(importer *im) {
  static const char *const ok[] = {"epsilon", "momentum", "spatial", "is_test", "training_mode",
                                   NULL};
  sm_node n;
  starkml_status st;
  float eps, momentum;
  int64_t spatial, training, is_test;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  for (size_t o = 1; o < im->np->n_output; o++) {
    if (im->np->output[o] != NULL && im->np->output[o][0] != '\0') {
      return fail(im, "the training-mode outputs (running mean and variance) are not supported");
    }
  }
  if ((st = check_io(im, 5, 5, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_float(im, "epsilon", 1e-5f, &eps)) != STARKML_OK) return st;
  if ((st = attr_float(im, "momentum", 0.9f, &momentum)) != STARKML_OK) return st; /* unused */
  /* is_test (opset 6) only matters with the training outputs, refused above. */
  if ((st = attr_int(im, "is_test", 0, &is_test, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "spatial", 1, &spatial, NULL)) != STARKML_OK) return st;
  if (spatial != 1) return fail(im, "spatial=%lld is not supported (only 1)", (long long)spatial);
  if ((st = attr_int(im, "training_mode", 0, &training, NULL)) != STARKML_OK) return st;
  if (training != 0) return fail(im, "training_mode=1 is not supported");
  if ((st = begin(im, &n, SM_OP_BATCHNORM, 5)) != STARKML_OK) return st;
  n.f[0] = eps;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_flatten(importer *im) {
  static const char *const ok[] = {"axis", NULL};
  sm_node n;
  starkml_status st;
  int64_t axis;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 1, 1, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "axis", 1, &axis, NULL)) != STARKML_OK) return st;
  if ((st = begin(im, &n, SM_OP_FLATTEN, 1)) != STARKML_OK) return st;
  if (axis < 0 && im->opset < 11) return fail(im, "a negative axis needs opset 11");
  if ((st = norm_axis(im, &axis, tensor_of(im, n.in[0])->rank, 1)) != STARKML_OK) return st;
  n.i[0] = axis;
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_reshape(importer *im) {
  static const char *const ok[] = {"allowzero", NULL};
  sm_node n;
  starkml_status st;
  int64_t allowzero;
  entry *shape;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 2, 2, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "allowzero", 0, &allowzero, NULL)) != STARKML_OK) return st;
  if ((st = input_const(im, in_name(im, 1), "the shape", &shape)) != STARKML_OK) return st;
  if (!shape->is_int || shape->rank != 1) {
    return fail(im, "the shape must be a 1-D integer tensor");
  }
  if (shape->numel > SM_GRAPH_MAX_RANK) {
    return fail(im, "the target rank %zu is above %d", shape->numel, SM_GRAPH_MAX_RANK);
  }
  if ((st = begin(im, &n, SM_OP_RESHAPE, 1)) != STARKML_OK) return st;
  const sm_tensor *x = tensor_of(im, n.in[0]);
  int64_t d[SM_GRAPH_MAX_RANK] = {0};
  int64_t known = 1;
  int infer = -1;
  for (size_t k = 0; k < shape->numel; k++) {
    int64_t v = shape->iv[k];
    if (v == 0) {
      /* 0 copies the input's dimension, unless allowzero asks for an empty tensor. */
      if (allowzero) return fail(im, "a 0 in the shape with allowzero=1 (an empty tensor)");
      if (k >= x->rank) return fail(im, "shape[%zu] = 0 copies a dimension the input lacks", k);
      v = x->dims[k];
    } else if (v == -1) {
      if (infer >= 0) return fail(im, "the shape has more than one -1");
      infer = (int)k;
      continue;
    } else if (v < -1 || v > (int64_t)SM_GRAPH_MAX_NUMEL) {
      return fail(im, "shape[%zu] = %lld is not supported", k, (long long)v);
    }
    d[k] = v;
    known *= v; /* each factor <= 2^24 and the product is checked right away */
    if (known > (int64_t)SM_GRAPH_MAX_NUMEL) return fail(im, "the target shape is too large");
  }
  if (infer >= 0) {
    if ((int64_t)x->numel % known != 0) {
      return fail(im, "cannot infer the -1 dimension: %zu elements do not divide by %lld",
                  x->numel, (long long)known);
    }
    d[infer] = (int64_t)x->numel / known;
  }
  return finish(im, &n, (uint32_t)shape->numel, d);
}

static starkml_status imp_transpose(importer *im) {
  static const char *const ok[] = {"perm", NULL};
  sm_node n;
  starkml_status st;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 1, 1, 1, NULL)) != STARKML_OK) return st;
  if ((st = begin(im, &n, SM_OP_TRANSPOSE, 1)) != STARKML_OK) return st;
  uint32_t r = tensor_of(im, n.in[0])->rank;
  int present;
  int64_t perm[SM_GRAPH_MAX_RANK];
  if ((st = attr_ints(im, "perm", r, perm, &present)) != STARKML_OK) return st;
  for (uint32_t k = 0; k < r; k++) n.i[k] = present ? perm[k] : (int64_t)(r - 1 - k);
  return finish(im, &n, 0, NULL);
}

static starkml_status imp_concat(importer *im) {
  static const char *const ok[] = {"axis", NULL};
  sm_node n;
  starkml_status st;
  int64_t axis;
  int present;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  size_t k = n_inputs(im);
  if (k > SM_GRAPH_MAX_INPUTS) {
    return fail(im, "%zu inputs; at most %d are supported", k, SM_GRAPH_MAX_INPUTS);
  }
  if ((st = check_io(im, k < 1 ? 1 : k, SM_GRAPH_MAX_INPUTS, 1, NULL)) != STARKML_OK) return st;
  if ((st = attr_int(im, "axis", 0, &axis, &present)) != STARKML_OK) return st;
  if (!present) return fail(im, "attribute 'axis' is required");
  if ((st = begin(im, &n, SM_OP_CONCAT, k)) != STARKML_OK) return st;
  if ((st = norm_axis(im, &axis, tensor_of(im, n.in[0])->rank, 0)) != STARKML_OK) return st;
  n.i[0] = axis;
  return finish(im, &n, 0, NULL);
}

/* Dropout in inference form is the identity. Opset 12 moved ratio and training_mode to
 * inputs; a training_mode that is not a constant false is refused. */
static starkml_status imp_dropout(importer *im) {
  static const char *const ok_old[] = {"ratio", "is_test", NULL};
  static const char *const ok_new[] = {"seed", NULL};
  sm_node n;
  starkml_status st;
  if ((st = attrs_allowed(im, im->opset < 12 ? ok_old : ok_new)) != STARKML_OK) return st;
  if ((st = check_io(im, 1, im->opset < 12 ? 1 : 3, 2, "mask output")) != STARKML_OK) return st;
  if (in_name(im, 1)[0] != '\0') {
    entry *ratio; /* only used in training mode, but it must be defined */
    if ((st = resolve(im, in_name(im, 1), &ratio)) != STARKML_OK) return st;
  }
  if (in_name(im, 2)[0] != '\0') {
    entry *e;
    if ((st = input_const(im, in_name(im, 2), "training_mode", &e)) != STARKML_OK) return st;
    if (e->numel != 1) return fail(im, "training_mode must be a scalar");
    if (e->is_int ? e->iv[0] != 0 : (e->f ? e->f[0] : im->g->tensors[e->tensor].data[0]) != 0) {
      return fail(im, "training_mode=true is not supported (inference only)");
    }
  }
  if ((st = begin(im, &n, SM_OP_IDENTITY, 1)) != STARKML_OK) return st;
  return finish(im, &n, 0, NULL);
}

/* A Constant node becomes a constant entry, like an initializer (no IR node). */
static starkml_status imp_constant(importer *im) {
  static const char *const ok[] = {"value", "value_float", "value_floats", "value_int",
                                   "value_ints", "sparse_value", "value_string",
                                   "value_strings", NULL};
  starkml_status st;
  const pb_attr *at;
  if ((st = attrs_allowed(im, ok)) != STARKML_OK) return st;
  if ((st = check_io(im, 0, 0, 1, NULL)) != STARKML_OK) return st;
  if (im->np->n_attribute != 1) return fail(im, "exactly one value attribute is required");
  const char *aname = im->np->attribute[0]->name;
  entry *e = lookup(im, im->np->output[0]);
  if (e == NULL) return STARKML_ERR_INTERNAL;
  entry v;
  memset(&v, 0, sizeof v);
  v.name = e->name;
  v.tensor = NONE;
  v.producer = im->node_index;
  if (strcmp(aname, "value") == 0) {
    if ((st = attr_get(im, aname, 4, &at)) != STARKML_OK) return st;
    if (at->t == NULL) return fail(im, "the value attribute holds no tensor");
    if ((st = decode_tensor(im, at->t, "the value", &v)) != STARKML_OK) return st;
  } else if (strcmp(aname, "value_float") == 0 || strcmp(aname, "value_floats") == 0) {
    int scalar = aname[11] == '\0';
    if ((st = attr_get(im, aname, scalar ? 1 : 6, &at)) != STARKML_OK) return st;
    size_t cnt = scalar ? 1 : at->n_floats;
    if (cnt == 0 || cnt > SM_GRAPH_MAX_NUMEL) return fail(im, "value_floats is empty or too large");
    v.f = malloc(cnt * sizeof *v.f);
    if (v.f == NULL) return nomem(im);
    for (size_t k = 0; k < cnt; k++) {
      v.f[k] = scalar ? at->f : at->floats[k];
      if (!isfinite(v.f[k])) {
        free(v.f);
        return fail(im, "the value holds a non-finite value");
      }
    }
    v.rank = scalar ? 0 : 1;
    v.dims[0] = scalar ? 0 : (int64_t)cnt;
    v.numel = cnt;
  } else if (strcmp(aname, "value_int") == 0 || strcmp(aname, "value_ints") == 0) {
    int scalar = aname[9] == '\0';
    if ((st = attr_get(im, aname, scalar ? 2 : 7, &at)) != STARKML_OK) return st;
    size_t cnt = scalar ? 1 : at->n_ints;
    if (cnt > SM_GRAPH_MAX_NUMEL) return fail(im, "value_ints is too large");
    v.iv = malloc((cnt ? cnt : 1) * sizeof *v.iv);
    if (v.iv == NULL) return nomem(im);
    for (size_t k = 0; k < cnt; k++) v.iv[k] = scalar ? at->i : at->ints[k];
    v.is_int = 1;
    v.rank = scalar ? 0 : 1;
    v.dims[0] = scalar ? 0 : (int64_t)cnt;
    v.numel = cnt;
  } else {
    char nm[40];
    return fail(im, "a Constant with %s is not supported", safe(nm, sizeof nm, aname));
  }
  v.kind = E_CONST;
  *e = v;
  return STARKML_OK;
}

typedef enum {
  K_GEMM, K_MATMUL, K_ADD, K_SUB, K_MUL, K_RELU, K_LEAKYRELU, K_CLIP, K_SIGMOID, K_TANH,
  K_SOFTMAX, K_CONV, K_MAXPOOL, K_AVGPOOL, K_GAP, K_BATCHNORM, K_FLATTEN, K_RESHAPE,
  K_TRANSPOSE, K_CONCAT, K_IDENTITY, K_DROPOUT, K_CONSTANT
} op_kind;

static const struct {
  const char *name;
  op_kind kind;
} k_ops[] = {
    {"Gemm", K_GEMM}, {"MatMul", K_MATMUL}, {"Add", K_ADD}, {"Sub", K_SUB}, {"Mul", K_MUL},
    {"Relu", K_RELU}, {"LeakyRelu", K_LEAKYRELU}, {"Clip", K_CLIP}, {"Sigmoid", K_SIGMOID},
    {"Tanh", K_TANH}, {"Softmax", K_SOFTMAX}, {"Conv", K_CONV}, {"MaxPool", K_MAXPOOL},
    {"AveragePool", K_AVGPOOL}, {"GlobalAveragePool", K_GAP},
    {"BatchNormalization", K_BATCHNORM}, {"Flatten", K_FLATTEN}, {"Reshape", K_RESHAPE},
    {"Transpose", K_TRANSPOSE}, {"Concat", K_CONCAT}, {"Identity", K_IDENTITY},
    {"Dropout", K_DROPOUT}, {"Constant", K_CONSTANT},
};

static starkml_status import_node(importer *im) {
  const pb_node *np = im->np;
  const char *op = np->op_type ? np->op_type : "";
  const char *domain = np->domain ? np->domain : "";
  char nm[SM_GRAPH_MAX_NAME];
  if (domain[0] != '\0' && strcmp(domain, "ai.onnx") != 0) {
    return fail(im, "operator domain '%s' is not supported (only the default ONNX domain)",
                safe(nm, sizeof nm, domain));
  }
  size_t k = 0, n_ops = sizeof k_ops / sizeof k_ops[0];
  while (k < n_ops && strcmp(op, k_ops[k].name) != 0) k++;
  if (k == n_ops) return fail(im, "operator '%s' is not supported", im->op_type);
  if (np->n_output == 0 || np->output[0] == NULL || np->output[0][0] == '\0') {
    return fail(im, "the node has no output");
  }
  switch (k_ops[k].kind) {
    case K_GEMM: return imp_gemm(im);
    case K_MATMUL: return imp_plain(im, SM_OP_MATMUL, 2);
    case K_ADD: return imp_binary(im, SM_OP_ADD);
    case K_SUB: return imp_binary(im, SM_OP_SUB);
    case K_MUL: return imp_binary(im, SM_OP_MUL);
    case K_RELU: return imp_plain(im, SM_OP_RELU, 1);
    case K_LEAKYRELU: return imp_leakyrelu(im);
    case K_CLIP: return imp_clip(im);
    case K_SIGMOID: return imp_plain(im, SM_OP_SIGMOID, 1);
    case K_TANH: return imp_plain(im, SM_OP_TANH, 1);
    case K_SOFTMAX: return imp_softmax(im);
    case K_CONV: return imp_conv(im);
    case K_MAXPOOL: return imp_pool(im, SM_OP_MAXPOOL);
    case K_AVGPOOL: return imp_pool(im, SM_OP_AVGPOOL);
    case K_GAP: return imp_plain(im, SM_OP_GLOBALAVGPOOL, 1);
    case K_BATCHNORM: return imp_batchnorm(im);
    case K_FLATTEN: return imp_flatten(im);
    case K_RESHAPE: return imp_reshape(im);
    case K_TRANSPOSE: return imp_transpose(im);
    case K_CONCAT: return imp_concat(im);
    case K_IDENTITY: return imp_plain(im, SM_OP_IDENTITY, 1);
    case K_DROPOUT: return imp_dropout(im);
    case K_CONSTANT: return imp_constant(im);
  }
  return STARKML_ERR_INTERNAL;
}

/* ---- Graph input and output -------------------------------------------------------------- */

static starkml_status import_input(importer *im, const pb_value_info *vi) {
  char nm[SM_GRAPH_MAX_NAME];
  const char *name = safe(nm, sizeof nm, vi->name);
  const StarkmlOnnx__TypeProto *tp = vi->type;
  if (tp == NULL || tp->value_case != STARKML_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
      tp->tensor_type == NULL) {
    return fail(im, "graph input '%s' is not a tensor", name);
  }
  const StarkmlOnnx__TypeProto__Tensor *tt = tp->tensor_type;
  if (!tt->has_elem_type || tt->elem_type != STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
    return fail(im, "graph input '%s' has element type %s; only FLOAT is supported", name,
                dtype_name(tt->has_elem_type ? tt->elem_type : 0));
  }
  if (tt->shape == NULL) return fail(im, "graph input '%s' has no shape", name);
  size_t rank = tt->shape->n_dim;
  if (rank < 1 || rank > SM_GRAPH_MAX_RANK) {
    return fail(im, "graph input '%s' has rank %zu; 1 to %d is supported", name, rank,
                SM_GRAPH_MAX_RANK);
  }
  int64_t dims[SM_GRAPH_MAX_RANK];
  for (size_t k = 0; k < rank; k++) {
    const StarkmlOnnx__TensorShapeProto__Dimension *d = tt->shape->dim[k];
    int concrete = d->value_case == STARKML_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    if (k == 0) {
      /* The batch dimension: symbolic (or unknown) or 1, and fixed to 1. */
      if (concrete && d->dim_value != 1) {
        return fail(im, "graph input '%s' has batch dimension %lld; only 1 (or symbolic) is "
                        "supported", name, (long long)d->dim_value);
      }
      dims[k] = 1;
    } else if (!concrete) {
      return fail(im, "graph input '%s': dimension %zu is symbolic; only the batch dimension "
                      "may be", name, k);
    } else if (d->dim_value < 1 || d->dim_value > (int64_t)SM_GRAPH_MAX_NUMEL) {
      return fail(im, "graph input '%s': dimension %zu is %lld", name, k,
                  (long long)d->dim_value);
    } else {
      dims[k] = d->dim_value;
    }
  }
  size_t numel;
  starkml_status st = count_elems(im, "the graph input", rank, dims, &numel);
  if (st != STARKML_OK) return st;
  entry *e = add_entry(im, vi->name, E_INPUT);
  if (e == NULL) return STARKML_ERR_INTERNAL;
  if ((st = new_tensor(im, vi->name, (uint32_t)rank, dims, numel, &e->tensor)) != STARKML_OK) {
    return st;
  }
  im->g->input = e->tensor;
  return STARKML_OK;
}

static starkml_status import_output(importer *im) {
  const pb_graph *gp = im->graph;
  char nm[SM_GRAPH_MAX_NAME];
  if (gp->n_output != 1) {
    return fail(im, "the graph has %zu outputs; exactly one is supported", gp->n_output);
  }
  const pb_value_info *vi = gp->output[0];
  const char *name = safe(nm, sizeof nm, vi->name);
  entry *e = vi->name ? lookup(im, vi->name) : NULL;
  if (e == NULL) return fail(im, "graph output '%s' is not defined", name);
  if (e->kind != E_OUTPUT) {
    return fail(im, "graph output '%s' is not computed by a node (it is %s)", name,
                e->kind == E_INPUT ? "the graph input"
                : e->kind == E_UNSUPPORTED ? "an output starkml does not compute"
                                          : "a constant");
  }
  const sm_tensor *t = tensor_of(im, e->tensor);
  /* A declared type and shape, when present, must agree with the inferred one (the batch
   * dimension may be symbolic). */
  const StarkmlOnnx__TypeProto *tp = vi->type;
  if (tp != NULL && tp->value_case == STARKML_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
      tp->tensor_type != NULL) {
    const StarkmlOnnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type && tt->elem_type != STARKML_ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
      return fail(im, "graph output '%s' is declared %s; only FLOAT is supported", name,
                  dtype_name(tt->elem_type));
    }
    if (tt->shape != NULL) {
      if (tt->shape->n_dim != t->rank) {
        return fail(im, "graph output '%s' is declared with rank %zu but has rank %u", name,
                    tt->shape->n_dim, t->rank);
      }
      for (uint32_t k = 0; k < t->rank; k++) {
        const StarkmlOnnx__TensorShapeProto__Dimension *d = tt->shape->dim[k];
        if (d->value_case == STARKML_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
            d->dim_value != t->dims[k]) {
          return fail(im, "graph output '%s': dimension %u is declared %lld but is %lld", name,
                      k, (long long)d->dim_value, (long long)t->dims[k]);
        }
      }
    }
  } else if (tp != NULL) {
    return fail(im, "graph output '%s' is not a tensor", name);
  }
  im->g->output = e->tensor;
  return STARKML_OK;
}

/* ---- The import ---------------------------------------------------------------------------- */

static starkml_status read_opset(importer *im, const pb_model *m) {
  int found = 0;
  for (size_t k = 0; k < m->n_opset_import; k++) {
    const StarkmlOnnx__OperatorSetIdProto *o = m->opset_import[k];
    const char *d = o->domain ? o->domain : "";
    if (d[0] != '\0' && strcmp(d, "ai.onnx") != 0) continue;
    if (!o->has_version) return fail(im, "the default-domain opset_import has no version");
    if (found && o->version != im->opset) return fail(im, "conflicting default-domain opsets");
    im->opset = o->version;
    found = 1;
  }
  if (!found) return fail(im, "the model imports no opset of the default ONNX domain");
  if (im->opset < SM_ONNX_MIN_OPSET || im->opset > SM_ONNX_MAX_OPSET) {
    return fail(im, "opset %lld is not supported (%d to %d)", (long long)im->opset,
                SM_ONNX_MIN_OPSET, SM_ONNX_MAX_OPSET);
  }
  return STARKML_OK;
}

/* Sets the importer's node context (name for messages and for the IR). */
static void enter_node(importer *im, size_t k) {
  const pb_node *np = im->graph->node[k];
  char op[sizeof im->op_type];
  safe(op, sizeof op, np->op_type);
  im->np = np;
  im->node_index = k;
  memcpy(im->op_type, op, sizeof op);
  if (np->name != NULL && np->name[0] != '\0') {
    copy_name(im->node_name, np->name);
  } else {
    char alt[SM_GRAPH_MAX_NAME];
    snprintf(alt, sizeof alt, "%s_%zu", op, k);
    copy_name(im->node_name, alt);
  }
}

/* Registers every name (initializers, the graph input, node outputs) before any node is
 * read, refusing duplicates. */
static starkml_status register_names(importer *im) {
  const pb_graph *gp = im->graph;
  char nm[SM_GRAPH_MAX_NAME], other[SM_GRAPH_MAX_NAME + 16];
  starkml_status st;
  for (size_t k = 0; k < gp->n_initializer; k++) {
    const pb_tensor *tp = gp->initializer[k];
    if (tp->name == NULL || tp->name[0] == '\0') return fail(im, "initializer %zu has no name", k);
    if (lookup(im, tp->name) != NULL) {
      return fail(im, "initializer '%s' is defined twice", safe(nm, sizeof nm, tp->name));
    }
    entry *e = add_entry(im, tp->name, E_INIT);
    if (e == NULL) return STARKML_ERR_INTERNAL;
    e->tp = tp;
    e->producer = SIZE_MAX;
  }
  /* Graph inputs that are also initializers are not real inputs (IR < 4 lists every
   * initializer among the inputs). Exactly one real input must remain (a name listed
   * twice counts twice). */
  const pb_value_info *real = NULL;
  size_t n_real = 0;
  for (size_t k = 0; k < gp->n_input; k++) {
    const pb_value_info *vi = gp->input[k];
    if (vi->name == NULL || vi->name[0] == '\0') return fail(im, "graph input %zu has no name", k);
    if (lookup(im, vi->name) != NULL) continue;
    if (n_real++ == 0) real = vi;
  }
  if (n_real != 1) {
    return fail(im, "the graph has %zu inputs (besides initializers); exactly one is supported",
                n_real);
  }
  if ((st = import_input(im, real)) != STARKML_OK) return st;

  for (size_t k = 0; k < gp->n_node; k++) {
    const pb_node *np = gp->node[k];
    for (size_t o = 0; o < np->n_output; o++) {
      const char *out = np->output[o];
      if (out == NULL || out[0] == '\0') continue;
      entry *e = lookup(im, out);
      if (e != NULL) {
        enter_node(im, k);
        return fail(im, "output '%s' is already defined by %s", safe(nm, sizeof nm, out),
                    entry_origin(im, e, other, sizeof other));
      }
      e = add_entry(im, out, E_PENDING);
      if (e == NULL) return STARKML_ERR_INTERNAL;
      e->producer = k;
    }
  }
  return STARKML_OK;
}

static starkml_status import_graph(importer *im, const pb_model *m) {
  starkml_status st;
  if ((st = read_opset(im, m)) != STARKML_OK) return st;
  const pb_graph *gp = m->graph;
  if (gp == NULL) return fail(im, "the model has no graph");
  im->graph = gp;
  for (size_t k = 0; k < gp->base.n_unknown_fields; k++) {
    if (gp->base.unknown_fields[k].tag == 15) {
      return fail(im, "sparse initializers are not supported");
    }
  }
  if (gp->n_node == 0) return fail(im, "the graph has no nodes");
  if (gp->n_node > SM_GRAPH_MAX_NODES) {
    return fail(im, "the graph has %zu nodes; at most %u are supported", gp->n_node,
                SM_GRAPH_MAX_NODES);
  }
  if (gp->n_initializer > SM_GRAPH_MAX_TENSORS || gp->n_input > SM_GRAPH_MAX_TENSORS) {
    return fail(im, "the graph has more than %u initializers or inputs", SM_GRAPH_MAX_TENSORS);
  }
  size_t n_names = gp->n_initializer + gp->n_input;
  for (size_t k = 0; k < gp->n_node; k++) {
    if (gp->node[k]->n_output > SM_ONNX_MAX_NODE_OUTPUTS ||
        gp->node[k]->n_input > SM_ONNX_MAX_NODE_OUTPUTS + SM_GRAPH_MAX_INPUTS) {
      enter_node(im, k);
      return fail(im, "has %zu inputs and %zu outputs; too many", gp->node[k]->n_input,
                  gp->node[k]->n_output);
    }
    n_names += gp->node[k]->n_output;
  }
  im->cap_e = n_names + 1;
  im->e = calloc(im->cap_e, sizeof *im->e);
  im->n_slot = 16;
  while (im->n_slot < 2 * im->cap_e) im->n_slot *= 2;
  im->slot = calloc(im->n_slot, sizeof *im->slot);
  if (im->e == NULL || im->slot == NULL) return nomem(im);
  if ((st = register_names(im)) != STARKML_OK) return st;
  for (size_t k = 0; k < gp->n_node; k++) {
    enter_node(im, k);
    if ((st = import_node(im)) != STARKML_OK) return st;
  }
  im->np = NULL;
  if ((st = import_output(im)) != STARKML_OK) return st;
  if (im->g->n_nodes == 0) return fail(im, "the graph has no nodes besides constants");
  /* Every step above upholds the invariants; a failure here is a bug in this file. */
  if (sm_graph_validate(im->g, im->why, im->why_len) != STARKML_OK) return STARKML_ERR_INTERNAL;
  return STARKML_OK;
}

starkml_status sm_graph_from_onnx(sm_graph *g, char *why, size_t why_len, const uint8_t *data,
                                  size_t len) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (g != NULL) memset(g, 0, sizeof *g);
  if (g == NULL || (data == NULL && len > 0)) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "NULL argument");
    return STARKML_ERR_ARG;
  }
  importer im;
  memset(&im, 0, sizeof im);
  im.g = g;
  im.why = why;
  im.why_len = why_len;
  if (len > SM_GRAPH_MAX_FILE) {
    return fail(&im, "the model is %zu bytes; at most %u are supported", len, SM_GRAPH_MAX_FILE);
  }
  pb_budget budget = {0, 2 * len + ((size_t)64 << 20), 0, 0};
  ProtobufCAllocator alloc = {pb_alloc, pb_free, &budget};
  static const uint8_t empty[1] = {0};
  pb_model *m = starkml_onnx__model_proto__unpack(&alloc, len, len ? data : empty);
  if (m == NULL) {
    if (budget.oom) return nomem(&im);
    if (budget.over) {
      return fail(&im, "not a valid ONNX model: decoding it would take more than %zu MiB",
                  budget.budget >> 20);
    }
    return fail(&im, "not a valid ONNX model: the protobuf is truncated or malformed");
  }
  starkml_status st = import_graph(&im, m);
  for (size_t k = 0; k < im.n_e; k++) {
    free(im.e[k].f);
    free(im.e[k].iv);
  }
  free(im.e);
  free(im.slot);
  starkml_onnx__model_proto__free_unpacked(m, &alloc);
  if (st != STARKML_OK) {
    if (st == STARKML_ERR_INTERNAL && why != NULL && why_len > 0 && why[0] == '\0') {
      snprintf(why, why_len, "internal error in the ONNX importer");
    }
    sm_graph_free(g);
    return st;
  }
  if (why != NULL && why_len > 0) why[0] = '\0';
  return STARKML_OK;
}

starkml_status sm_graph_load_onnx(sm_graph *g, char *why, size_t why_len, const char *path) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (g != NULL) memset(g, 0, sizeof *g);
  if (g == NULL || path == NULL) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "NULL argument");
    return STARKML_ERR_ARG;
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "cannot open the model file");
    return STARKML_ERR_IO;
  }
  /* Read in chunks up to the cap (no reliance on seeking: the path may be a pipe). */
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = malloc(cap);
  starkml_status st = STARKML_OK;
  if (buf == NULL) st = STARKML_ERR_NOMEM;
  while (st == STARKML_OK) {
    if (len == cap) {
      /* The buffer grows to one byte past the cap at most: filling that means too large. */
      if (cap > SM_GRAPH_MAX_FILE) {
        st = STARKML_ERR_PARSE;
        if (why != NULL && why_len > 0) {
          snprintf(why, why_len, "the model file is larger than %u bytes", SM_GRAPH_MAX_FILE);
        }
        break;
      }
      size_t grow = 2 * cap > (size_t)SM_GRAPH_MAX_FILE + 1 ? (size_t)SM_GRAPH_MAX_FILE + 1
                                                             : 2 * cap;
      uint8_t *p = realloc(buf, grow);
      if (p == NULL) {
        st = STARKML_ERR_NOMEM;
        break;
      }
      buf = p;
      cap = grow;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) {
        st = STARKML_ERR_IO;
        if (why != NULL && why_len > 0) snprintf(why, why_len, "cannot read the model file");
      }
      break;
    }
  }
  fclose(f);
  if (st == STARKML_OK) st = sm_graph_from_onnx(g, why, why_len, buf, len);
  free(buf);
  return st;
}
