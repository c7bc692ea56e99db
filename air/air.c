/*
 * AIR constraint tables (see air/air.h for the invariants and the encoding).
 *
 * Evaluation invariant shared by every evaluator here: a node's value is the field
 * operation of its op applied to its operands' values, with base-field values embedded in
 * the extension as (v, 0, 0). The block evaluator keeps base-field nodes in the base field;
 * since gl3 arithmetic on embedded values reduces exactly to gl arithmetic on their first
 * coordinate (and canonical results are unique), both paths give the same bits.
 */
#include "air/air.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha3.h"

/* ---- Small helpers ---------------------------------------------------------------------- */

/* Writes a formatted message into why (when given) and returns STARKML_ERR_ARG. */
static starkml_status why_fail(char *why, size_t why_len, const char *fmt, ...) {
  if (why != NULL && why_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  return STARKML_ERR_ARG;
}

static uint32_t col_count(const sm_air_table *t, uint32_t n_aux, unsigned kind) {
  switch (kind) {
    case SM_COL_PRE: return t->n_pre;
    case SM_COL_MAIN: return t->n_main;
    case SM_COL_AUX: return n_aux;
    default: return 0;
  }
}

static int is_binary(unsigned op) { return op == SM_EX_ADD || op == SM_EX_SUB || op == SM_EX_MUL; }

void sm_air_table_free(sm_air_table *t) {
  if (t == NULL) return;
  free(t->nodes);
  free(t->constraints);
  free(t->interactions);
  memset(t, 0, sizeof *t);
}

/*
 * An interaction folded into the running sum, without a helper column: its tuple is
 * constant (every value a CONST node), so its denominator alpha - phi is one value on all
 * rows, and its multiplicity is a current-row column, the negation of one, or a constant,
 * so that the same multiplicity at the next row is one node as well (sm_air_logup_extend).
 * The engine's blinding interactions (fri/stark_common.c) are of this kind. Safe on any
 * bit pattern (indices are checked).
 */
static int logup_foldable(const sm_air_table *t, const sm_interaction *it) {
  if (it->n_values == 0 || it->n_values > SM_AIR_MAX_TUPLE) return 0;
  for (uint32_t v = 0; v < it->n_values; v++)
    if (it->values[v] >= t->n_nodes || t->nodes[it->values[v]].op != SM_EX_CONST) return 0;
  if (it->mult >= t->n_nodes) return 0;
  const sm_expr_node *m = &t->nodes[it->mult];
  if (m->op == SM_EX_NEG) {
    if (m->a >= it->mult) return 0;
    m = &t->nodes[m->a];
  }
  return m->op == SM_EX_CONST || (m->op == SM_EX_COL && m->next == 0 && m->kind != SM_COL_AUX);
}

/* The first SM_AIR_MAX_FOLDED foldable interactions in order are folded (the running-sum
   constraints grow with the square of their number); *count counts them. */
#define SM_AIR_MAX_FOLDED 8u
static int logup_folded(const sm_air_table *t, const sm_interaction *it, uint32_t *count) {
  if (*count >= SM_AIR_MAX_FOLDED || !logup_foldable(t, it)) return 0;
  ++*count;
  return 1;
}

uint32_t sm_air_logup_n_aux(const sm_air_table *t) {
  if (t == NULL || t->n_interactions == 0 || t->n_interactions > SM_AIR_MAX_INTERACTIONS ||
      t->interactions == NULL) {
    return 0;
  }
  uint32_t helpers = 0, folded = 0;
  for (size_t k = 0; k < t->n_interactions; k++)
    if (logup_folded(t, &t->interactions[k], &folded) == 0) helpers++;
  return helpers + 1;
}

/* ---- Validation ------------------------------------------------------------------------- */

/* Checks one node's fields against its op (everything except the interaction rules). */
static starkml_status check_node(const sm_air_table *t, uint32_t n_aux, size_t i, char *why,
                                 size_t why_len) {
  const sm_expr_node *e = &t->nodes[i];
  if (e->pad != 0) return why_fail(why, why_len, "node %zu: pad is not zero", i);
  int uses_kind = 0, uses_b = 0, uses_value = 0;
  switch (e->op) {
    case SM_EX_CONST:
      uses_value = 1;
      if (e->a != 0) return why_fail(why, why_len, "node %zu: unused field a is not zero", i);
      if (e->value >= GL_P) return why_fail(why, why_len, "node %zu: constant is not canonical", i);
      break;
    case SM_EX_COL: {
      uses_kind = 1;
      if (e->kind > SM_COL_AUX)
        return why_fail(why, why_len, "node %zu: bad column kind %u", i, e->kind);
      if (e->next > 1) return why_fail(why, why_len, "node %zu: next must be 0 or 1", i);
      uint32_t cnt = col_count(t, n_aux, e->kind);
      if (e->a >= cnt) {
        return why_fail(why, why_len, "node %zu: column %u of kind %u out of range (%u)", i, e->a,
                        e->kind, cnt);
      }
      break;
    }
    case SM_EX_PUBLIC:
      if (e->a >= t->n_public) {
        return why_fail(why, why_len, "node %zu: public index %u out of range (%u)", i, e->a,
                        t->n_public);
      }
      break;
    case SM_EX_CHALLENGE:
      if (e->a >= SM_AIR_N_CHALLENGES) {
        return why_fail(why, why_len, "node %zu: challenge index %u out of range", i, e->a);
      }
      break;
    case SM_EX_ADD:
    case SM_EX_SUB:
    case SM_EX_MUL:
      uses_b = 1;
      if (e->a >= i || e->b >= i) {
        return why_fail(why, why_len, "node %zu: operand does not precede the node", i);
      }
      break;
    case SM_EX_NEG:
      if (e->a >= i)
        return why_fail(why, why_len, "node %zu: operand does not precede the node", i);
      break;
    default: return why_fail(why, why_len, "node %zu: unknown op %u", i, e->op);
  }
  if (!uses_kind && (e->kind != 0 || e->next != 0)) {
    return why_fail(why, why_len, "node %zu: unused kind/next is not zero", i);
  }
  if (!uses_b && e->b != 0)
    return why_fail(why, why_len, "node %zu: unused field b is not zero", i);
  if (!uses_value && e->value != 0) {
    return why_fail(why, why_len, "node %zu: unused value is not zero", i);
  }
  return STARKML_OK;
}

starkml_status sm_air_validate(const sm_air_table *t, uint32_t n_aux, char *why, size_t why_len) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (t == NULL) return why_fail(why, why_len, "table is NULL");

  size_t name_len = 0;
  while (name_len < SM_AIR_MAX_NAME && t->name[name_len] != '\0') name_len++;
  if (name_len == SM_AIR_MAX_NAME) return why_fail(why, why_len, "name is not NUL-terminated");
  if (name_len == 0) return why_fail(why, why_len, "name is empty");
  for (size_t i = 0; i < name_len; i++) {
    unsigned char c = (unsigned char)t->name[i];
    if (c < 0x21 || c > 0x7E) return why_fail(why, why_len, "name has a non-printable byte");
  }
  for (size_t i = name_len; i < SM_AIR_MAX_NAME; i++) {
    if (t->name[i] != '\0') return why_fail(why, why_len, "name has bytes after its NUL");
  }

  if (t->log_n < SM_AIR_MIN_LOG_N || t->log_n > SM_AIR_MAX_LOG_N) {
    return why_fail(why, why_len, "log_n %u outside [%d, %d]", t->log_n, SM_AIR_MIN_LOG_N,
                    SM_AIR_MAX_LOG_N);
  }
  if (t->n_pre > SM_AIR_MAX_COLS || t->n_main > SM_AIR_MAX_COLS || n_aux > SM_AIR_MAX_COLS) {
    return why_fail(why, why_len, "too many columns");
  }
  if (t->n_public > SM_AIR_MAX_PUBLIC) return why_fail(why, why_len, "too many public values");
  if (t->n_nodes > SM_AIR_MAX_NODES) return why_fail(why, why_len, "too many nodes");
  if (t->n_constraints > SM_AIR_MAX_CONSTRAINTS) {
    return why_fail(why, why_len, "too many constraints");
  }
  if (t->n_interactions > SM_AIR_MAX_INTERACTIONS) {
    return why_fail(why, why_len, "too many interactions");
  }
  if ((t->n_nodes > 0 && t->nodes == NULL) || (t->n_constraints > 0 && t->constraints == NULL) ||
      (t->n_interactions > 0 && t->interactions == NULL)) {
    return why_fail(why, why_len, "an array is NULL while its count is not zero");
  }

  for (size_t i = 0; i < t->n_nodes; i++) {
    starkml_status st = check_node(t, n_aux, i, why, why_len);
    if (st != STARKML_OK) return st;
  }
  for (size_t j = 0; j < t->n_constraints; j++) {
    const sm_constraint *c = &t->constraints[j];
    if (c->root >= t->n_nodes) return why_fail(why, why_len, "constraint %zu: no such root", j);
    if (c->selector > SM_SEL_EVERY)
      return why_fail(why, why_len, "constraint %zu: bad selector", j);
  }
  if (t->n_interactions == 0) return STARKML_OK;

  for (size_t k = 0; k < t->n_interactions; k++) {
    const sm_interaction *it = &t->interactions[k];
    if (it->n_values < 1 || it->n_values > SM_AIR_MAX_TUPLE) {
      return why_fail(why, why_len, "interaction %zu: tuple size %u outside [1, %d]", k,
                      it->n_values, SM_AIR_MAX_TUPLE);
    }
    if (it->mult >= t->n_nodes) return why_fail(why, why_len, "interaction %zu: no such node", k);
    for (uint32_t v = 0; v < SM_AIR_MAX_TUPLE; v++) {
      if (v < it->n_values && it->values[v] >= t->n_nodes) {
        return why_fail(why, why_len, "interaction %zu: no such node", k);
      }
      if (v >= it->n_values && it->values[v] != 0) {
        return why_fail(why, why_len, "interaction %zu: unused value slot is not zero", k);
      }
    }
  }
  /* Interaction expressions must be computable before the challenges and the auxiliary
   * columns exist: mark every node that depends on either (operands precede nodes, so one
   * forward pass propagates the mark). */
  uint8_t *late = malloc(t->n_nodes);
  if (late == NULL) return STARKML_ERR_NOMEM;
  for (size_t i = 0; i < t->n_nodes; i++) {
    const sm_expr_node *e = &t->nodes[i];
    uint8_t m = 0;
    if (e->op == SM_EX_CHALLENGE || (e->op == SM_EX_COL && e->kind == SM_COL_AUX)) m = 1;
    if (is_binary(e->op)) m = late[e->a] | late[e->b];
    if (e->op == SM_EX_NEG) m = late[e->a];
    late[i] = m;
  }
  starkml_status st = STARKML_OK;
  for (size_t k = 0; k < t->n_interactions && st == STARKML_OK; k++) {
    const sm_interaction *it = &t->interactions[k];
    int bad = late[it->mult];
    for (uint32_t v = 0; v < it->n_values; v++) bad |= late[it->values[v]];
    if (bad) {
      st = why_fail(why, why_len, "interaction %zu reads an auxiliary column or a challenge", k);
    }
  }
  free(late);
  return st;
}

/* ---- Builder ---------------------------------------------------------------------------- */

void sm_air_builder_init(sm_air_builder *b, const char *name, unsigned log_n, uint32_t n_pre,
                         uint32_t n_main, uint32_t n_public) {
  memset(b, 0, sizeof *b);
  b->err = STARKML_OK;
  size_t len = name != NULL ? strlen(name) : 0;
  if (len >= SM_AIR_MAX_NAME) {
    b->name_too_long = 1;
  } else if (len > 0) {
    memcpy(b->t.name, name, len);
  }
  b->t.log_n = log_n;
  b->t.n_pre = n_pre;
  b->t.n_main = n_main;
  b->t.n_public = n_public;
}

void sm_air_builder_free(sm_air_builder *b) {
  if (b == NULL) return;
  sm_air_table_free(&b->t);
  b->cap_nodes = b->cap_constraints = b->cap_interactions = 0;
}

/*
 * Makes room for one more element of an array that holds *n of *cap, doubling the
 * capacity. Growth past `max` elements is refused (STARKML_ERR_ARG), so a runaway loop in
 * a table generator fails cleanly instead of exhausting memory.
 */
static int grow(sm_air_builder *b, void **arr, size_t *cap, size_t n, size_t elem, size_t max) {
  if (b->err != STARKML_OK) return 0;
  if (n < *cap) return 1;
  if (n >= max) {
    b->err = STARKML_ERR_ARG;
    return 0;
  }
  size_t nc = *cap < 16 ? 16 : *cap * 2;
  if (nc > max) nc = max;
  void *p = realloc(*arr, nc * elem);
  if (p == NULL) {
    b->err = STARKML_ERR_NOMEM;
    return 0;
  }
  *arr = p;
  *cap = nc;
  return 1;
}

static uint32_t push_node(sm_air_builder *b, sm_expr_node e) {
  if (b == NULL) return SM_AB_INVALID;
  void *arr = b->t.nodes;
  if (!grow(b, &arr, &b->cap_nodes, b->t.n_nodes, sizeof e, SM_AIR_MAX_NODES)) {
    return SM_AB_INVALID;
  }
  b->t.nodes = arr;
  b->t.nodes[b->t.n_nodes] = e;
  return (uint32_t)b->t.n_nodes++;
}

static sm_expr_node mk(sm_expr_op op) {
  sm_expr_node e;
  memset(&e, 0, sizeof e);
  e.op = (uint8_t)op;
  return e;
}

uint32_t sm_ab_const(sm_air_builder *b, gl_t value) {
  sm_expr_node e = mk(SM_EX_CONST);
  e.value = value;
  return push_node(b, e);
}

uint32_t sm_ab_col(sm_air_builder *b, sm_col_kind kind, uint32_t index, int next) {
  sm_expr_node e = mk(SM_EX_COL);
  /* An out-of-range kind is kept (truncated to the field) so validation reports it. */
  e.kind = (uint8_t)((unsigned)kind > 255u ? 255u : (unsigned)kind);
  e.next = next != 0;
  e.a = index;
  return push_node(b, e);
}

uint32_t sm_ab_pub(sm_air_builder *b, uint32_t index) {
  sm_expr_node e = mk(SM_EX_PUBLIC);
  e.a = index;
  return push_node(b, e);
}

uint32_t sm_ab_chal(sm_air_builder *b, uint32_t index) {
  sm_expr_node e = mk(SM_EX_CHALLENGE);
  e.a = index;
  return push_node(b, e);
}

static uint32_t push_binary(sm_air_builder *b, sm_expr_op op, uint32_t x, uint32_t y) {
  sm_expr_node e = mk(op);
  e.a = x;
  e.b = y;
  return push_node(b, e);
}

uint32_t sm_ab_add(sm_air_builder *b, uint32_t x, uint32_t y) {
  return push_binary(b, SM_EX_ADD, x, y);
}
uint32_t sm_ab_sub(sm_air_builder *b, uint32_t x, uint32_t y) {
  return push_binary(b, SM_EX_SUB, x, y);
}
uint32_t sm_ab_mul(sm_air_builder *b, uint32_t x, uint32_t y) {
  return push_binary(b, SM_EX_MUL, x, y);
}
uint32_t sm_ab_neg(sm_air_builder *b, uint32_t x) {
  sm_expr_node e = mk(SM_EX_NEG);
  e.a = x;
  return push_node(b, e);
}

void sm_ab_constraint(sm_air_builder *b, uint32_t root, sm_selector selector) {
  if (b == NULL) return;
  void *arr = b->t.constraints;
  if (!grow(b, &arr, &b->cap_constraints, b->t.n_constraints, sizeof(sm_constraint),
            SM_AIR_MAX_CONSTRAINTS)) {
    return;
  }
  b->t.constraints = arr;
  sm_constraint c;
  memset(&c, 0, sizeof c);
  c.root = root;
  c.selector = (uint8_t)((unsigned)selector > 255u ? 255u : (unsigned)selector);
  b->t.constraints[b->t.n_constraints++] = c;
}

void sm_ab_interaction(sm_air_builder *b, uint32_t bus, uint32_t mult, const uint32_t *values,
                       size_t n_values) {
  if (b == NULL) return;
  void *arr = b->t.interactions;
  if (!grow(b, &arr, &b->cap_interactions, b->t.n_interactions, sizeof(sm_interaction),
            SM_AIR_MAX_INTERACTIONS)) {
    return;
  }
  b->t.interactions = arr;
  sm_interaction it;
  memset(&it, 0, sizeof it);
  it.bus = bus;
  it.mult = mult;
  if (values == NULL || n_values > SM_AIR_MAX_TUPLE) {
    /* Recorded as an impossible size so that validation names the mistake. */
    it.n_values = values == NULL ? 0 : SM_AIR_MAX_TUPLE + 1;
  } else {
    it.n_values = (uint32_t)n_values;
    for (size_t i = 0; i < n_values; i++) it.values[i] = values[i];
  }
  b->t.interactions[b->t.n_interactions++] = it;
}

/* Shrinks an array to its count; a failed shrink keeps the larger block, which is fine. */
static void *trim(void *p, size_t n, size_t elem) {
  if (p == NULL) return NULL;
  if (n == 0) {
    free(p);
    return NULL;
  }
  void *q = realloc(p, n * elem);
  return q != NULL ? q : p;
}

starkml_status sm_ab_finish(sm_air_builder *b, sm_air_table *out, char *why, size_t why_len) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (out != NULL) memset(out, 0, sizeof *out);
  if (b == NULL || out == NULL) {
    sm_air_builder_free(b);
    return why_fail(why, why_len, "NULL builder or output");
  }
  starkml_status st = b->err;
  if (st == STARKML_ERR_NOMEM) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "out of memory while building");
  } else if (st != STARKML_OK) {
    why_fail(why, why_len, "the table exceeds a size cap");
  } else if (b->name_too_long) {
    st = why_fail(why, why_len, "name longer than %d bytes", SM_AIR_MAX_NAME - 1);
  }
  if (st != STARKML_OK) {
    sm_air_builder_free(b);
    return st;
  }
  sm_air_table t = b->t;
  uint32_t n_aux = b->n_aux;
  memset(&b->t, 0, sizeof b->t);
  sm_air_builder_free(b);
  t.nodes = trim(t.nodes, t.n_nodes, sizeof *t.nodes);
  t.constraints = trim(t.constraints, t.n_constraints, sizeof *t.constraints);
  t.interactions = trim(t.interactions, t.n_interactions, sizeof *t.interactions);
  st = sm_air_validate(&t, n_aux, why, why_len);
  if (st != STARKML_OK) {
    sm_air_table_free(&t);
    return st;
  }
  *out = t;
  return STARKML_OK;
}

/* Duplicates n elements (NULL for n == 0); *ok is cleared on allocation failure. */
static void *dup_array(const void *src, size_t n, size_t elem, int *ok) {
  if (n == 0 || src == NULL) return NULL;
  void *p = malloc(n * elem);
  if (p == NULL) {
    *ok = 0;
    return NULL;
  }
  memcpy(p, src, n * elem);
  return p;
}

starkml_status sm_air_table_copy(sm_air_table *out, const sm_air_table *in) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (in == NULL) return STARKML_ERR_ARG;
  sm_air_table t = *in;
  int ok = 1;
  t.nodes = dup_array(in->nodes, in->n_nodes, sizeof *in->nodes, &ok);
  t.constraints = dup_array(in->constraints, in->n_constraints, sizeof *in->constraints, &ok);
  t.interactions = dup_array(in->interactions, in->n_interactions, sizeof *in->interactions, &ok);
  if (!ok) {
    sm_air_table_free(&t);
    return STARKML_ERR_NOMEM;
  }
  *out = t;
  return STARKML_OK;
}

/* ---- Degrees ---------------------------------------------------------------------------- */

starkml_status sm_air_node_degrees(const sm_air_table *t, uint32_t *deg) {
  if (t == NULL || deg == NULL || (t->n_nodes > 0 && t->nodes == NULL)) return STARKML_ERR_ARG;
  for (size_t i = 0; i < t->n_nodes; i++) {
    const sm_expr_node *e = &t->nodes[i];
    /* Operands must precede the node, or the degree would read unset entries. */
    if ((is_binary(e->op) && (e->a >= i || e->b >= i)) || (e->op == SM_EX_NEG && e->a >= i)) {
      memset(deg, 0, t->n_nodes * sizeof *deg);
      return STARKML_ERR_ARG;
    }
    uint32_t d = 0;
    switch (e->op) {
      case SM_EX_COL: d = 1; break;
      case SM_EX_ADD:
      case SM_EX_SUB: d = deg[e->a] > deg[e->b] ? deg[e->a] : deg[e->b]; break;
      case SM_EX_MUL: {
        uint64_t s = (uint64_t)deg[e->a] + deg[e->b];
        d = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
        break;
      }
      case SM_EX_NEG: d = deg[e->a]; break;
      default: d = 0; break;
    }
    deg[i] = d;
  }
  return STARKML_OK;
}

starkml_status sm_air_constraint_degrees(const sm_air_table *t, uint32_t *deg) {
  if (t == NULL || deg == NULL) return STARKML_ERR_ARG;
  if (t->n_constraints > 0) memset(deg, 0, t->n_constraints * sizeof *deg);
  if (t->n_constraints > 0 && t->constraints == NULL) return STARKML_ERR_ARG;
  uint32_t *nd = malloc((t->n_nodes > 0 ? t->n_nodes : 1) * sizeof *nd);
  if (nd == NULL) return STARKML_ERR_NOMEM;
  starkml_status st = sm_air_node_degrees(t, nd);
  for (size_t j = 0; j < t->n_constraints && st == STARKML_OK; j++) {
    if (t->constraints[j].root >= t->n_nodes) {
      st = STARKML_ERR_ARG;
      break;
    }
    deg[j] = nd[t->constraints[j].root];
  }
  if (st != STARKML_OK && t->n_constraints > 0) memset(deg, 0, t->n_constraints * sizeof *deg);
  free(nd);
  return st;
}

starkml_status sm_air_max_degree(const sm_air_table *t, uint32_t *max_degree) {
  if (max_degree == NULL) return STARKML_ERR_ARG;
  *max_degree = 0;
  if (t == NULL) return STARKML_ERR_ARG;
  uint32_t *d = malloc((t->n_constraints > 0 ? t->n_constraints : 1) * sizeof *d);
  if (d == NULL) return STARKML_ERR_NOMEM;
  starkml_status st = sm_air_constraint_degrees(t, d);
  uint32_t m = 0;
  for (size_t j = 0; j < t->n_constraints && st == STARKML_OK; j++) {
    if (d[j] > m) m = d[j];
  }
  free(d);
  if (st == STARKML_OK) *max_degree = m;
  return st;
}

/* ---- Canonical encoding ----------------------------------------------------------------- */

static const uint8_t k_magic[4] = {'S', 'M', 'A', 'T'};
#define NODE_BYTES 20
#define CONSTRAINT_BYTES 5
#define INTERACTION_MIN_BYTES 16 /* bus, mult, n_values, at least one value */

starkml_status sm_air_encode(const sm_air_table *t, sm_writer *w) {
  if (w == NULL) return STARKML_ERR_ARG;
  starkml_status st = sm_air_validate(t, 0, NULL, 0);
  if (st != STARKML_OK) return st;
  size_t name_len = strlen(t->name);
  sm_w_bytes(w, k_magic, sizeof k_magic);
  sm_w_u32(w, SM_AIR_ENCODING_VERSION);
  sm_w_u32(w, (uint32_t)name_len);
  sm_w_bytes(w, t->name, name_len);
  sm_w_u32(w, t->log_n);
  sm_w_u32(w, t->n_pre);
  sm_w_u32(w, t->n_main);
  sm_w_u32(w, t->n_public);
  sm_w_u32(w, (uint32_t)t->n_nodes);
  for (size_t i = 0; i < t->n_nodes; i++) {
    const sm_expr_node *e = &t->nodes[i];
    sm_w_u8(w, e->op);
    sm_w_u8(w, e->kind);
    sm_w_u8(w, e->next);
    sm_w_u8(w, e->pad);
    sm_w_u32(w, e->a);
    sm_w_u32(w, e->b);
    sm_w_u64(w, e->value);
  }
  sm_w_u32(w, (uint32_t)t->n_constraints);
  for (size_t j = 0; j < t->n_constraints; j++) {
    sm_w_u32(w, t->constraints[j].root);
    sm_w_u8(w, t->constraints[j].selector);
  }
  sm_w_u32(w, (uint32_t)t->n_interactions);
  for (size_t k = 0; k < t->n_interactions; k++) {
    const sm_interaction *it = &t->interactions[k];
    sm_w_u32(w, it->bus);
    sm_w_u32(w, it->mult);
    sm_w_u32(w, it->n_values);
    for (uint32_t v = 0; v < it->n_values; v++) sm_w_u32(w, it->values[v]);
  }
  return sm_w_status(w);
}

starkml_status sm_air_hash(const sm_air_table *t, uint8_t out[32]) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, 32);
  sm_writer w;
  /* The largest valid table encodes in well under 2^30 bytes (caps times item sizes). */
  sm_w_init(&w, (size_t)1 << 30);
  starkml_status st = sm_air_encode(t, &w);
  if (st == STARKML_OK) sm_sha3_256(out, w.buf, w.len);
  sm_w_free(&w);
  return st;
}

starkml_status sm_air_decode(sm_reader *r, sm_air_table *out) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (r == NULL) return STARKML_ERR_ARG;
  sm_air_table t;
  memset(&t, 0, sizeof t);
  starkml_status st = STARKML_OK;

  uint8_t magic[4];
  uint32_t version = 0, name_len = 0, log_n = 0, n = 0;
  sm_r_bytes(r, magic, sizeof magic);
  sm_r_u32(r, &version);
  if (r->err == STARKML_OK &&
      (memcmp(magic, k_magic, sizeof magic) != 0 || version != SM_AIR_ENCODING_VERSION)) {
    st = STARKML_ERR_PARSE;
    goto fail;
  }
  sm_r_len(r, &name_len, SM_AIR_MAX_NAME - 1, 1);
  sm_r_bytes(r, t.name, name_len);
  /* A NUL inside the declared name would decode "fi\0\0" and "fi" to one table: two
     encodings of the same description. Only the encoding without NULs is canonical. */
  if (r->err == STARKML_OK && memchr(t.name, 0, name_len) != NULL) {
    st = STARKML_ERR_PARSE;
    goto fail;
  }
  sm_r_u32(r, &log_n);
  t.log_n = log_n;
  sm_r_u32(r, &t.n_pre);
  sm_r_u32(r, &t.n_main);
  sm_r_u32(r, &t.n_public);

  /* sm_r_len bounds each count by its cap and by the bytes left, so the allocations
   * below are proportional to the input's actual size. */
  sm_r_len(r, &n, SM_AIR_MAX_NODES, NODE_BYTES);
  if (r->err != STARKML_OK) goto fail_reader;
  t.n_nodes = n;
  if (n > 0 && (t.nodes = calloc(n, sizeof *t.nodes)) == NULL) {
    st = STARKML_ERR_NOMEM;
    goto fail;
  }
  for (size_t i = 0; i < t.n_nodes; i++) {
    sm_expr_node *e = &t.nodes[i];
    sm_r_u8(r, &e->op);
    sm_r_u8(r, &e->kind);
    sm_r_u8(r, &e->next);
    sm_r_u8(r, &e->pad);
    sm_r_u32(r, &e->a);
    sm_r_u32(r, &e->b);
    /* Raw 64 bits: validation rejects a non-canonical constant and a non-zero unused value
     * alike, with one message. */
    sm_r_u64(r, &e->value);
  }
  sm_r_len(r, &n, SM_AIR_MAX_CONSTRAINTS, CONSTRAINT_BYTES);
  if (r->err != STARKML_OK) goto fail_reader;
  t.n_constraints = n;
  if (n > 0 && (t.constraints = calloc(n, sizeof *t.constraints)) == NULL) {
    st = STARKML_ERR_NOMEM;
    goto fail;
  }
  for (size_t j = 0; j < t.n_constraints; j++) {
    sm_r_u32(r, &t.constraints[j].root);
    sm_r_u8(r, &t.constraints[j].selector);
  }
  sm_r_len(r, &n, SM_AIR_MAX_INTERACTIONS, INTERACTION_MIN_BYTES);
  if (r->err != STARKML_OK) goto fail_reader;
  t.n_interactions = n;
  if (n > 0 && (t.interactions = calloc(n, sizeof *t.interactions)) == NULL) {
    st = STARKML_ERR_NOMEM;
    goto fail;
  }
  for (size_t k = 0; k < t.n_interactions; k++) {
    sm_interaction *it = &t.interactions[k];
    sm_r_u32(r, &it->bus);
    sm_r_u32(r, &it->mult);
    sm_r_u32(r, &it->n_values);
    if (r->err != STARKML_OK) goto fail_reader;
    if (it->n_values < 1 || it->n_values > SM_AIR_MAX_TUPLE) {
      st = STARKML_ERR_PARSE;
      goto fail;
    }
    for (uint32_t v = 0; v < it->n_values; v++) sm_r_u32(r, &it->values[v]);
  }
  if (r->err != STARKML_OK) goto fail_reader;
  st = sm_air_validate(&t, 0, NULL, 0);
  if (st != STARKML_OK) {
    if (st != STARKML_ERR_NOMEM) st = STARKML_ERR_PARSE;
    goto fail;
  }
  *out = t;
  return STARKML_OK;

fail_reader:
  st = r->err == STARKML_ERR_NOMEM ? STARKML_ERR_NOMEM : STARKML_ERR_PARSE;
fail:
  sm_air_table_free(&t);
  return st;
}

starkml_status sm_air_decode_buf(sm_air_table *out, const void *data, size_t len) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  sm_reader r;
  sm_r_init(&r, data, len);
  starkml_status st = sm_air_decode(&r, out);
  if (st == STARKML_OK && sm_r_finish(&r) != STARKML_OK) {
    sm_air_table_free(out);
    st = STARKML_ERR_PARSE;
  }
  return st;
}

/* ---- Row evaluator ---------------------------------------------------------------------- */

starkml_status sm_air_eval_row(const sm_air_table *t, uint32_t n_aux, gl3_t *out, const gl3_t *cur,
                               const gl3_t *next, const gl_t *publics, const gl3_t *challenges,
                               gl3_t *scratch) {
  if (t == NULL || out == NULL) return STARKML_ERR_ARG;
  if (t->n_constraints <= SM_AIR_MAX_CONSTRAINTS && t->n_constraints > 0) {
    memset(out, 0, t->n_constraints * sizeof *out);
  }
  starkml_status vst = sm_air_validate(t, n_aux, NULL, 0);
  if (vst != STARKML_OK) return vst;
  size_t n_cols = (size_t)t->n_pre + t->n_main + n_aux;
  if ((n_cols > 0 && (cur == NULL || next == NULL)) || (t->n_public > 0 && publics == NULL) ||
      challenges == NULL || (t->n_nodes > 0 && scratch == NULL)) {
    return STARKML_ERR_ARG;
  }
  for (size_t i = 0; i < t->n_nodes; i++) {
    const sm_expr_node *e = &t->nodes[i];
    gl3_t v;
    switch (e->op) {
      case SM_EX_CONST: v = gl3_from_base(e->value); break;
      case SM_EX_COL: {
        size_t slot = e->a;
        if (e->kind >= SM_COL_MAIN) slot += t->n_pre;
        if (e->kind == SM_COL_AUX) slot += t->n_main;
        v = e->next ? next[slot] : cur[slot];
        break;
      }
      case SM_EX_PUBLIC: v = gl3_from_base(publics[e->a]); break;
      case SM_EX_CHALLENGE: v = challenges[e->a]; break;
      case SM_EX_ADD: v = gl3_add(scratch[e->a], scratch[e->b]); break;
      case SM_EX_SUB: v = gl3_sub(scratch[e->a], scratch[e->b]); break;
      case SM_EX_MUL: v = gl3_mul(scratch[e->a], scratch[e->b]); break;
      default: /* SM_EX_NEG (validated) */ v = gl3_neg(scratch[e->a]); break;
    }
    scratch[i] = v;
  }
  for (size_t j = 0; j < t->n_constraints; j++) out[j] = scratch[t->constraints[j].root];
  return STARKML_OK;
}

/* ---- Block evaluator -------------------------------------------------------------------- */

size_t sm_air_block_scratch_len(const sm_air_table *t, size_t block) {
  if (t == NULL || block == 0 || t->n_nodes > SM_AIR_MAX_NODES) return 0;
  /* n_nodes <= 2^22, so the product overflows only for absurd blocks. */
  if (block > (SIZE_MAX / 4) / (t->n_nodes + 1) / 3) return 0;
  /* Node values (at most 3 lanes of block points per node), then per node its slot word
     and its uniform flag (one byte, eval_nodes_block). */
  size_t len = t->n_nodes * 3 * block + t->n_nodes + (t->n_nodes + sizeof(gl_t) - 1) / sizeof(gl_t);
  return len > 0 ? len : 1;
}

/* Whether node i is extension-valued, given its operands' flags (ext[k] & 1). */
static inline int node_is_ext(const sm_expr_node *e, const gl_t *ext) {
  switch (e->op) {
    case SM_EX_CHALLENGE:
      return 1;
    case SM_EX_COL:
      return e->kind == SM_COL_AUX;
    case SM_EX_NEG:
      return (int)(ext[e->a] & 1);
    default:
      return is_binary(e->op) ? (int)((ext[e->a] | ext[e->b]) & 1) : 0;
  }
}

size_t sm_air_block_lanes(const sm_air_table *t) {
  if (t == NULL || t->n_nodes == 0 || t->n_nodes > SM_AIR_MAX_NODES) return 0;
  gl_t *ext = malloc(t->n_nodes * sizeof *ext);
  if (ext == NULL) return 3 * t->n_nodes; /* the bound */
  size_t lanes = 0;
  for (size_t i = 0; i < t->n_nodes; i++) {
    ext[i] = (gl_t)node_is_ext(&t->nodes[i], ext);
    lanes += ext[i] ? 3 : 1;
  }
  free(ext);
  return lanes;
}

/* Node i's lanes in the block scratch: its slot word (see eval_nodes_block) holds the
   offset times 2 plus the extension flag. */
static inline const gl_t *node_lanes(const gl_t *scratch, const gl_t *slot, size_t i) {
  return scratch + (slot[i] >> 1);
}

/*
 * Scratch layout: the node values come first, packed in node order: a base-field node
 * takes B words (its value at point p in word p), an extension node 3B (coordinate c at
 * cB + p), a node that is not needed none (structure of arrays, so every loop below is a
 * plain stride-1 loop the compiler can vectorise; packing keeps a block's working set
 * small, most nodes being base). The word at 3 n_nodes B + i (node i's slot) is twice the
 * offset of its lanes plus 1 when it is extension-valued.
 *
 * Only nodes with need[i] != 0 are computed (all when need is NULL); the caller
 * guarantees that a needed node's operands are needed too.
 */
static void eval_nodes_block(const sm_air_table *t, const uint8_t *need, const sm_air_block_in *in,
                             size_t B, gl_t *scratch) {
  gl_t *ext = scratch + t->n_nodes * 3 * B;
  /* uni[i]: node i has the same value on every row (it reads no column): an operation on
     such nodes is computed at point 0 only and copied to the others (the challenge
     expressions of LogUp, powers of beta, constant-tuple fingerprints). */
  uint8_t *uni = (uint8_t *)(ext + t->n_nodes);
  size_t top = 0; /* first free word */
  for (size_t i = 0; i < t->n_nodes; i++) {
    if (need != NULL && !need[i]) {
      ext[i] = 0;
      uni[i] = 0;
      continue;
    }
    const sm_expr_node *e = &t->nodes[i];
    const gl_t is_ext = (gl_t)node_is_ext(e, ext);
    gl_t *r0 = scratch + top, *r1 = r0 + B, *r2 = r1 + B;
    ext[i] = (gl_t)top << 1 | is_ext;
    top += is_ext ? 3 * B : B;
    uni[i] = e->op == SM_EX_COL ? 0
             : e->op == SM_EX_NEG ? uni[e->a]
             : is_binary(e->op)   ? (uint8_t)(uni[e->a] & uni[e->b])
                                  : 1;
    /* Points computed: all of them, or point 0 of a uniform operation. */
    const size_t L = uni[i] && (e->op == SM_EX_NEG || is_binary(e->op)) ? 1 : B;
    switch (e->op) {
      case SM_EX_CONST:
        for (size_t p = 0; p < B; p++) r0[p] = e->value;
        break;
      case SM_EX_PUBLIC: {
        gl_t v = in->publics[e->a];
        for (size_t p = 0; p < B; p++) r0[p] = v;
        break;
      }
      case SM_EX_CHALLENGE: {
        gl3_t v = in->challenges[e->a];
        for (size_t p = 0; p < B; p++) {
          r0[p] = v.v[0];
          r1[p] = v.v[1];
          r2[p] = v.v[2];
        }
        break;
      }
      case SM_EX_COL:
        if (e->kind == SM_COL_AUX) {
          const gl3_t *src = e->next ? in->aux_next[e->a] : in->aux_cur[e->a];
          size_t s = in->aux_stride;
          for (size_t p = 0; p < B; p++) {
            r0[p] = src[p * s].v[0];
            r1[p] = src[p * s].v[1];
            r2[p] = src[p * s].v[2];
          }
        } else {
          size_t c = e->a + (e->kind == SM_COL_MAIN ? t->n_pre : 0);
          const gl_t *src = e->next ? in->base_next[c] : in->base_cur[c];
          size_t s = in->base_stride;
          for (size_t p = 0; p < B; p++) r0[p] = src[p * s];
        }
        break;
      case SM_EX_NEG: {
        const gl_t *x0 = node_lanes(scratch, ext, e->a);
        size_t lanes = is_ext ? 3 : 1;
        for (size_t c = 0; c < lanes; c++) {
          for (size_t p = 0; p < L; p++) r0[c * B + p] = gl_neg(x0[c * B + p]);
        }
        break;
      }
      default: {
        /* Binary: x op y with x, y each base (one lane) or extension (three lanes). */
        const gl_t *x0 = node_lanes(scratch, ext, e->a), *x1 = x0 + B, *x2 = x1 + B;
        const gl_t *y0 = node_lanes(scratch, ext, e->b), *y1 = y0 + B, *y2 = y1 + B;
        int xe = (int)(ext[e->a] & 1), ye = (int)(ext[e->b] & 1);
        if (e->op == SM_EX_ADD || e->op == SM_EX_SUB) {
          int sub = e->op == SM_EX_SUB;
          for (size_t p = 0; p < L; p++) r0[p] = sub ? gl_sub(x0[p], y0[p]) : gl_add(x0[p], y0[p]);
          if (xe && ye) {
            for (size_t p = 0; p < L; p++) {
              r1[p] = sub ? gl_sub(x1[p], y1[p]) : gl_add(x1[p], y1[p]);
              r2[p] = sub ? gl_sub(x2[p], y2[p]) : gl_add(x2[p], y2[p]);
            }
          } else if (xe) {
            for (size_t p = 0; p < L; p++) {
              r1[p] = x1[p];
              r2[p] = x2[p];
            }
          } else if (ye) {
            /* 0 - y is gl_neg(y), exactly what gl3_sub computes on an embedded x. */
            for (size_t p = 0; p < L; p++) {
              r1[p] = sub ? gl_neg(y1[p]) : y1[p];
              r2[p] = sub ? gl_neg(y2[p]) : y2[p];
            }
          }
        } else { /* SM_EX_MUL */
          if (xe && ye) {
            for (size_t p = 0; p < L; p++) {
              gl3_t a = {{x0[p], x1[p], x2[p]}}, b = {{y0[p], y1[p], y2[p]}};
              gl3_t m = gl3_mul(a, b);
              r0[p] = m.v[0];
              r1[p] = m.v[1];
              r2[p] = m.v[2];
            }
          } else if (xe) {
            for (size_t p = 0; p < L; p++) {
              gl_t y = y0[p];
              r0[p] = gl_mul(x0[p], y);
              r1[p] = gl_mul(x1[p], y);
              r2[p] = gl_mul(x2[p], y);
            }
          } else if (ye) {
            for (size_t p = 0; p < L; p++) {
              gl_t x = x0[p];
              r0[p] = gl_mul(x, y0[p]);
              r1[p] = gl_mul(x, y1[p]);
              r2[p] = gl_mul(x, y2[p]);
            }
          } else {
            for (size_t p = 0; p < L; p++) r0[p] = gl_mul(x0[p], y0[p]);
          }
        }
        break;
      }
    }
    if (L < B) {
      for (size_t c = 0; c < (is_ext ? 3u : 1u); c++)
        for (size_t p = 1; p < B; p++) r0[c * B + p] = r0[c * B];
    }
  }
}

/* Reads node i's value at point p from the block scratch. */
static gl3_t node_value(const sm_air_table *t, const gl_t *scratch, size_t B, size_t i, size_t p) {
  const gl_t *slot = scratch + t->n_nodes * 3 * B;
  const gl_t *r = node_lanes(scratch, slot, i);
  if ((slot[i] & 1) == 0) return gl3_from_base(r[p]);
  gl3_t v = {{r[p], r[B + p], r[2 * B + p]}};
  return v;
}

starkml_status sm_air_eval_block(const sm_air_table *t, uint32_t n_aux, gl3_t *out,
                                 const sm_air_block_in *in, size_t block, gl_t *scratch) {
  if (t != NULL && out != NULL && t->n_constraints <= SM_AIR_MAX_CONSTRAINTS && block > 0 &&
      block <= SIZE_MAX / sizeof *out / SM_AIR_MAX_CONSTRAINTS) {
    memset(out, 0, t->n_constraints * block * sizeof *out);
  }
  if (t == NULL || out == NULL || in == NULL || scratch == NULL || block == 0 ||
      in->challenges == NULL ||
      (t->n_pre + t->n_main > 0 && (in->base_cur == NULL || in->base_next == NULL)) ||
      (n_aux > 0 && (in->aux_cur == NULL || in->aux_next == NULL)) ||
      (t->n_public > 0 && in->publics == NULL)) {
    return STARKML_ERR_ARG;
  }
  eval_nodes_block(t, NULL, in, block, scratch);
  for (size_t j = 0; j < t->n_constraints; j++) {
    size_t root = t->constraints[j].root;
    for (size_t p = 0; p < block; p++) out[j * block + p] = node_value(t, scratch, block, root, p);
  }
  return STARKML_OK;
}

/* ---- Whole-trace evaluation ------------------------------------------------------------- */

#define TRACE_BLOCK 64

/* Column pointers into column-major traces for a block of rows starting at row r0 whose
 * next rows start at row rn (r0 + 1, or 0 for the wrap-around from the last row). */
typedef struct {
  const gl_t **bc, **bn;
  const gl3_t **ac, **an;
} row_ptrs;

static int row_ptrs_alloc(row_ptrs *rp, size_t n_base, size_t n_aux) {
  memset(rp, 0, sizeof *rp);
  rp->bc = calloc(n_base + 1, sizeof *rp->bc);
  rp->bn = calloc(n_base + 1, sizeof *rp->bn);
  rp->ac = calloc(n_aux + 1, sizeof *rp->ac);
  rp->an = calloc(n_aux + 1, sizeof *rp->an);
  return rp->bc != NULL && rp->bn != NULL && rp->ac != NULL && rp->an != NULL;
}

static void row_ptrs_free(row_ptrs *rp) {
  free(rp->bc);
  free(rp->bn);
  free(rp->ac);
  free(rp->an);
}

static void row_ptrs_set(row_ptrs *rp, const sm_air_table *t, uint32_t n_aux, const gl_t *pre,
                         const gl_t *main, const gl3_t *aux, size_t n, size_t r0, size_t rn) {
  for (size_t c = 0; c < t->n_pre; c++) {
    rp->bc[c] = pre + c * n + r0;
    rp->bn[c] = pre + c * n + rn;
  }
  for (size_t c = 0; c < t->n_main; c++) {
    rp->bc[t->n_pre + c] = main + c * n + r0;
    rp->bn[t->n_pre + c] = main + c * n + rn;
  }
  for (size_t c = 0; c < n_aux; c++) {
    rp->ac[c] = aux + c * n + r0;
    rp->an[c] = aux + c * n + rn;
  }
}

static int selector_holds(unsigned sel, size_t row, size_t n) {
  switch (sel) {
    case SM_SEL_FIRST: return row == 0;
    case SM_SEL_LAST: return row == n - 1;
    case SM_SEL_TRANSITION: return row < n - 1;
    default: return 1;
  }
}

starkml_status sm_air_check_trace(const sm_air_table *t, uint32_t n_aux, size_t *bad_row,
                                  size_t *bad_constraint, const gl_t *pre, const gl_t *main,
                                  const gl3_t *aux, const gl_t *publics, const gl3_t *challenges) {
  if (bad_row != NULL) *bad_row = SIZE_MAX;
  if (bad_constraint != NULL) *bad_constraint = SIZE_MAX;
  starkml_status vst = sm_air_validate(t, n_aux, NULL, 0);
  if (vst != STARKML_OK) return vst;
  if ((t->n_pre > 0 && pre == NULL) || (t->n_main > 0 && main == NULL) ||
      (n_aux > 0 && aux == NULL) || (t->n_public > 0 && publics == NULL) || challenges == NULL) {
    return STARKML_ERR_ARG;
  }
  size_t n = (size_t)1 << t->log_n;
  size_t B = n < TRACE_BLOCK ? n : TRACE_BLOCK;
  gl_t *scratch = malloc(sm_air_block_scratch_len(t, B) * sizeof *scratch);
  row_ptrs rp;
  int ok = row_ptrs_alloc(&rp, (size_t)t->n_pre + t->n_main, n_aux);
  starkml_status st = STARKML_OK;
  if (scratch == NULL || !ok) {
    st = STARKML_ERR_NOMEM;
    goto done;
  }
  sm_air_block_in in = {rp.bc, rp.bn, 1, rp.ac, rp.an, 1, publics, challenges};
  /* Rows 0 .. n - 2 have their next row right after them; the last row wraps to row 0,
   * so it is a block of its own. */
  for (size_t r0 = 0; r0 < n && st == STARKML_OK;) {
    size_t len = r0 == n - 1 ? 1 : (n - 1 - r0 < B ? n - 1 - r0 : B);
    row_ptrs_set(&rp, t, n_aux, pre, main, aux, n, r0, r0 == n - 1 ? 0 : r0 + 1);
    eval_nodes_block(t, NULL, &in, len, scratch);
    for (size_t p = 0; p < len && st == STARKML_OK; p++) {
      for (size_t j = 0; j < t->n_constraints; j++) {
        if (!selector_holds(t->constraints[j].selector, r0 + p, n)) continue;
        gl3_t v = node_value(t, scratch, len, t->constraints[j].root, p);
        if (!gl3_eq(v, gl3_from_base(0))) {
          if (bad_row != NULL) *bad_row = r0 + p;
          if (bad_constraint != NULL) *bad_constraint = j;
          st = STARKML_REJECT;
          break;
        }
      }
    }
    r0 += len;
  }
done:
  free(scratch);
  row_ptrs_free(&rp);
  return st;
}

/* ---- LogUp ------------------------------------------------------------------------------ */

size_t sm_air_gl3_batch_inv(gl3_t *out, const gl3_t *in, size_t n, gl3_t *scratch) {
  if (n == 0) return 0;
  const gl3_t zero = gl3_from_base(0);
  size_t zeros = 0;
  /* scratch[i] = product of the non-zero inputs before i; zeros are skipped so they stay
   * zero and do not poison the running product. */
  gl3_t acc = gl3_from_base(1);
  for (size_t i = 0; i < n; i++) {
    scratch[i] = acc;
    if (gl3_eq(in[i], zero)) {
      zeros++;
    } else {
      acc = gl3_mul(acc, in[i]);
    }
  }
  gl3_t inv = sm_gl3_inv(acc);
  for (size_t i = n; i-- > 0;) {
    gl3_t x = in[i];
    if (gl3_eq(x, zero)) {
      out[i] = zero;
      continue;
    }
    out[i] = gl3_mul(inv, scratch[i]);
    inv = gl3_mul(inv, x);
  }
  return zeros;
}

starkml_status sm_air_logup_extend(const sm_air_table *in, sm_air_table *out) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  starkml_status st = sm_air_validate(in, 0, NULL, 0);
  if (st != STARKML_OK) return st;
  if (in->n_interactions == 0) return sm_air_table_copy(out, in);

  sm_air_builder b;
  memset(&b, 0, sizeof b);
  st = sm_air_table_copy(&b.t, in);
  if (st != STARKML_OK) return st;
  b.cap_nodes = b.t.n_nodes;
  b.cap_constraints = b.t.n_constraints;
  b.cap_interactions = b.t.n_interactions;
  b.err = STARKML_OK;
  uint32_t K = (uint32_t)in->n_interactions;
  const uint32_t H = sm_air_logup_n_aux(in) - 1; /* helper columns; the running sum is aux H */
  b.n_aux = H + 1;

  uint32_t max_values = 0;
  for (uint32_t k = 0; k < K; k++) {
    if (in->interactions[k].n_values > max_values) max_values = in->interactions[k].n_values;
  }
  uint32_t alpha = sm_ab_chal(&b, SM_AIR_CHAL_ALPHA);
  /* pw[i] = beta^i, shared by every interaction. */
  uint32_t pw[SM_AIR_MAX_TUPLE + 1];
  pw[0] = SM_AB_INVALID;
  pw[1] = sm_ab_chal(&b, SM_AIR_CHAL_BETA);
  for (uint32_t i = 2; i <= max_values; i++) pw[i] = sm_ab_mul(&b, pw[i - 1], pw[1]);

  /* Helper h_j = m / (alpha - phi) for each interaction that is not folded; the folded
     ones keep their denominators d_c = alpha - phi_c (challenge expressions) and their
     multiplicities m_c (now and at the next row) for the running sum below. */
  uint32_t sum = SM_AB_INVALID, sum_next = SM_AB_INVALID, j = 0, C = 0;
  uint32_t d[SM_AIR_MAX_FOLDED], m_now[SM_AIR_MAX_FOLDED], m_next[SM_AIR_MAX_FOLDED];
  for (uint32_t k = 0; k < K; k++) {
    const sm_interaction *it = &in->interactions[k];
    uint32_t phi = sm_ab_const(&b, it->bus);
    for (uint32_t i = 1; i <= it->n_values; i++) {
      phi = sm_ab_add(&b, phi, sm_ab_mul(&b, pw[i], it->values[i - 1]));
    }
    const uint32_t den = sm_ab_sub(&b, alpha, phi);
    if (logup_folded(in, it, &C)) {
      const sm_expr_node *m = &in->nodes[it->mult];
      const int neg = m->op == SM_EX_NEG;
      if (neg) m = &in->nodes[m->a];
      uint32_t mn = m->op == SM_EX_CONST ? sm_ab_const(&b, m->value)
                                         : sm_ab_col(&b, (sm_col_kind)m->kind, m->a, 1);
      d[C - 1] = den, m_now[C - 1] = it->mult, m_next[C - 1] = neg ? sm_ab_neg(&b, mn) : mn;
      continue;
    }
    uint32_t h = sm_ab_col(&b, SM_COL_AUX, j, 0), hn = sm_ab_col(&b, SM_COL_AUX, j, 1);
    uint32_t c = sm_ab_sub(&b, sm_ab_mul(&b, h, den), it->mult);
    sm_ab_constraint(&b, c, SM_SEL_EVERY);
    sum = sum == SM_AB_INVALID ? h : sm_ab_add(&b, sum, h);
    sum_next = sum_next == SM_AB_INVALID ? hn : sm_ab_add(&b, sum_next, hn);
    j++;
  }
  /* Running sum s: s[0] = sum_j h_j[0] + sum_c m_c[0] / d_c and s[r + 1] = s[r] +
     sum_j h_j[r + 1] + sum_c m_c[r + 1] / d_c. With folded interactions both sides are
     multiplied by D = prod_c d_c (a challenge expression, so the degree in the trace is
     unchanged): D (s - sum_j h_j) = sum_c m_c D / d_c, where D / d_c = prod_{c' != c} d_c'. */
  uint32_t s = sm_ab_col(&b, SM_COL_AUX, H, 0), s_next = sm_ab_col(&b, SM_COL_AUX, H, 1);
  uint32_t first = sum == SM_AB_INVALID ? s : sm_ab_sub(&b, s, sum);
  uint32_t step = sm_ab_sub(&b, s_next, s);
  if (sum_next != SM_AB_INVALID) step = sm_ab_sub(&b, step, sum_next);
  if (C > 0) {
    uint32_t D = d[0];
    for (uint32_t c = 1; c < C; c++) D = sm_ab_mul(&b, D, d[c]);
    first = sm_ab_mul(&b, D, first);
    step = sm_ab_mul(&b, D, step);
    for (uint32_t c = 0; c < C; c++) {
      uint32_t others = SM_AB_INVALID;
      for (uint32_t e = 0; e < C; e++)
        if (e != c) others = others == SM_AB_INVALID ? d[e] : sm_ab_mul(&b, others, d[e]);
      first = sm_ab_sub(&b, first, others == SM_AB_INVALID ? m_now[c] : sm_ab_mul(&b, m_now[c], others));
      step = sm_ab_sub(&b, step, others == SM_AB_INVALID ? m_next[c] : sm_ab_mul(&b, m_next[c], others));
    }
  }
  sm_ab_constraint(&b, first, SM_SEL_FIRST);
  sm_ab_constraint(&b, step, SM_SEL_TRANSITION);
  sm_ab_constraint(&b, sm_ab_sub(&b, s, sm_ab_chal(&b, SM_AIR_CHAL_CLAIMED)), SM_SEL_LAST);
  return sm_ab_finish(&b, out, NULL, 0);
}

starkml_status sm_air_logup_aux_trace(const sm_air_table *t, gl3_t *aux, gl3_t *claimed,
                                      const gl_t *pre, const gl_t *main, const gl_t *publics,
                                      gl3_t alpha, gl3_t beta) {
  if (claimed == NULL) return STARKML_ERR_ARG;
  *claimed = gl3_from_base(0);
  uint32_t n_aux = sm_air_logup_n_aux(t);
  if (n_aux > 0 && aux != NULL && t->log_n >= SM_AIR_MIN_LOG_N && t->log_n <= SM_AIR_MAX_LOG_N) {
    memset(aux, 0, (size_t)n_aux * ((size_t)1 << t->log_n) * sizeof *aux);
  }
  starkml_status vst = sm_air_validate(t, n_aux, NULL, 0);
  if (vst != STARKML_OK) return vst;
  if (n_aux == 0) return STARKML_OK;
  if (aux == NULL || (t->n_pre > 0 && pre == NULL) || (t->n_main > 0 && main == NULL) ||
      (t->n_public > 0 && publics == NULL)) {
    return STARKML_ERR_ARG;
  }
  size_t n = (size_t)1 << t->log_n, K = t->n_interactions;
  size_t B = n < TRACE_BLOCK ? n : TRACE_BLOCK;

  /* Only the interactions' expressions are evaluated: validation guarantees they read no
   * auxiliary column and no challenge, which do not exist yet. */
  uint8_t *need = calloc(t->n_nodes, 1);
  gl_t *scratch = malloc(sm_air_block_scratch_len(t, B) * sizeof *scratch);
  gl_t *mult = malloc(n * K * sizeof *mult);
  gl3_t *inv_scratch = malloc(n * sizeof *inv_scratch);
  uint32_t *col = malloc(K * sizeof *col);
  gl3_t *fold_inv = calloc(K, sizeof *fold_inv);
  row_ptrs rp;
  int ok = row_ptrs_alloc(&rp, (size_t)t->n_pre + t->n_main, 0);
  starkml_status st = STARKML_OK;
  if (need == NULL || scratch == NULL || mult == NULL || inv_scratch == NULL || col == NULL ||
      fold_inv == NULL || !ok) {
    st = STARKML_ERR_NOMEM;
    goto done;
  }
  for (size_t k = 0; k < K; k++) {
    need[t->interactions[k].mult] = 1;
    for (uint32_t v = 0; v < t->interactions[k].n_values; v++)
      need[t->interactions[k].values[v]] = 1;
  }
  for (size_t i = t->n_nodes; i-- > 0;) {
    const sm_expr_node *e = &t->nodes[i];
    if (!need[i]) continue;
    if (is_binary(e->op)) need[e->a] = need[e->b] = 1;
    if (e->op == SM_EX_NEG) need[e->a] = 1;
  }
  gl3_t pw[SM_AIR_MAX_TUPLE + 1];
  pw[0] = gl3_from_base(1);
  for (size_t i = 1; i <= SM_AIR_MAX_TUPLE; i++) pw[i] = gl3_mul(pw[i - 1], beta);
  const gl3_t no_challenges[SM_AIR_N_CHALLENGES] = {{{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}};
  sm_air_block_in in = {rp.bc, rp.bn, 1, NULL, NULL, 1, publics, no_challenges};

  /* Which interactions are folded (no helper column; sm_air_logup_extend) and the helper
   * column of each other one. */
  uint32_t n_folded = 0, j = 0;
  for (size_t k = 0; k < K; k++)
    col[k] = logup_folded(t, &t->interactions[k], &n_folded) ? UINT32_MAX : j++;
  /* Pass 1: the denominators alpha - phi into the helper columns (a folded interaction's is
   * the same on every row: kept once, in fold_inv), the multiplicities aside. Interaction
   * values are base-field (they read no challenge), so phi costs three base multiplications
   * per value. */
  for (size_t r0 = 0; r0 < n;) {
    size_t len = r0 == n - 1 ? 1 : (n - 1 - r0 < B ? n - 1 - r0 : B);
    row_ptrs_set(&rp, t, 0, pre, main, NULL, n, r0, r0 == n - 1 ? 0 : r0 + 1);
    eval_nodes_block(t, need, &in, len, scratch);
    for (size_t k = 0; k < K; k++) {
      const sm_interaction *it = &t->interactions[k];
      const gl_t *slot = scratch + t->n_nodes * 3 * len;
      const gl_t *m = node_lanes(scratch, slot, it->mult);
      for (size_t p = 0; p < len; p++) {
        gl3_t phi = gl3_from_base(it->bus);
        for (uint32_t v = 0; v < it->n_values; v++) {
          phi = gl3_add(phi, gl3_mul_base(pw[v + 1], node_lanes(scratch, slot, it->values[v])[p]));
        }
        if (col[k] != UINT32_MAX) aux[col[k] * n + r0 + p] = gl3_sub(alpha, phi);
        else if (r0 + p == 0) fold_inv[k] = gl3_sub(alpha, phi);
        mult[k * n + r0 + p] = m[p];
      }
    }
    r0 += len;
  }
  /* Pass 2: one batch inversion per helper column, then h = m / (alpha - phi); one
   * inversion per folded interaction. A zero denominator is refused (probability about
   * n / |K| over alpha). */
  for (size_t k = 0; k < K; k++) {
    if (col[k] == UINT32_MAX) {
      if (gl3_eq(fold_inv[k], gl3_from_base(0))) {
        st = STARKML_ERR_ARG;
        goto done;
      }
      fold_inv[k] = sm_gl3_inv(fold_inv[k]);
      continue;
    }
    gl3_t *h = aux + col[k] * n;
    if (sm_air_gl3_batch_inv(h, h, n, inv_scratch) != 0) {
      st = STARKML_ERR_ARG;
      goto done;
    }
    for (size_t r = 0; r < n; r++) h[r] = gl3_mul_base(h[r], mult[k * n + r]);
  }
  /* Pass 3: the running sum S[r] = S[r - 1] + sum_j h_j[r] + sum_c m_c[r] / d_c, with
   * S[-1] = 0. */
  gl3_t *S = aux + (size_t)j * n;
  gl3_t acc = gl3_from_base(0);
  for (size_t r = 0; r < n; r++) {
    for (size_t k = 0; k < K; k++)
      acc = gl3_add(acc, col[k] != UINT32_MAX ? aux[col[k] * n + r]
                                              : gl3_mul_base(fold_inv[k], mult[k * n + r]));
    S[r] = acc;
  }
  *claimed = acc;

done:
  if (st != STARKML_OK) memset(aux, 0, (size_t)n_aux * n * sizeof *aux);
  free(need);
  free(scratch);
  free(mult);
  free(inv_scratch);
  free(col);
  free(fold_inv);
  row_ptrs_free(&rp);
  return st;
}
