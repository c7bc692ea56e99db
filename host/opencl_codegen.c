/* OpenCL C from constraint tables (host/opencl_codegen.h). */
#include "host/opencl_codegen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ------------------------------------------------------------------ */

typedef struct {
  char *p;
  size_t len, cap;
  int nomem;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->nomem) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->nomem = 1;
      return;
    }
    if ((size_t)n < room) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap ? 2 * b->cap : 1 << 16;
    while (cap - b->len <= (size_t)n) cap *= 2;
    char *q = realloc(b->p, cap);
    if (q == NULL) {
      b->nomem = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
}

/* ---- merging equal nodes --------------------------------------------------------------- */

/* A node's identity after renaming its operands to their representatives. */
static int node_key(const sm_expr_node *nd, const uint32_t *rep, sm_expr_node *key) {
  memset(key, 0, sizeof *key);
  key->op = nd->op;
  switch (nd->op) {
    case SM_EX_CONST:
      key->value = nd->value;
      break;
    case SM_EX_COL:
      key->kind = nd->kind;
      key->next = nd->next;
      key->a = nd->a;
      break;
    case SM_EX_PUBLIC:
    case SM_EX_CHALLENGE:
      key->a = nd->a;
      break;
    case SM_EX_NEG:
      key->a = rep[nd->a];
      break;
    case SM_EX_ADD:
    case SM_EX_MUL: {
      uint32_t x = rep[nd->a], y = rep[nd->b];
      key->a = x < y ? x : y; /* commutative: one order */
      key->b = x < y ? y : x;
      break;
    }
    case SM_EX_SUB:
      key->a = rep[nd->a];
      key->b = rep[nd->b];
      break;
    default:
      return 0;
  }
  return 1;
}

static uint64_t key_hash(const sm_expr_node *k) {
  uint64_t h = 0x9E3779B97F4A7C15ULL * ((uint64_t)k->op + 1);
  h ^= ((uint64_t)k->kind << 8) ^ ((uint64_t)k->next << 16);
  h = (h ^ k->a) * 0xFF51AFD7ED558CCDULL;
  h = (h ^ k->b) * 0xC4CEB9FE1A85EC53ULL;
  h = (h ^ k->value) * 0xFF51AFD7ED558CCDULL;
  return h ^ (h >> 29);
}

static int key_eq(const sm_expr_node *x, const sm_expr_node *y) {
  return x->op == y->op && x->kind == y->kind && x->next == y->next && x->a == y->a &&
         x->b == y->b && x->value == y->value;
}

/* ---- emission -------------------------------------------------------------------------- */

/* Node k's value is named v<k> in the source (k: its representative's index). */
static const char *const acc_name[4] = {"acc_first", "acc_last", "acc_trans", "acc_every"};

static void emit_node(sbuf *b, const sm_expr_node *nd, uint32_t k, const uint32_t *rep,
                      const uint8_t *ext) {
  const char *ty = ext[k] ? "gl3_t" : "gl_t";
  sb_printf(b, "  const %s v%lu = ", ty, (unsigned long)k);
  const unsigned long a = nd->op >= SM_EX_ADD ? rep[nd->a] : 0;
  const unsigned long c = (nd->op >= SM_EX_ADD && nd->op <= SM_EX_MUL) ? rep[nd->b] : 0;
  const int ea = nd->op >= SM_EX_ADD ? ext[a] : 0, ec = ext[c];
  switch (nd->op) {
    case SM_EX_CONST:
      sb_printf(b, "0x%016llxUL;\n", (unsigned long long)nd->value);
      return;
    case SM_EX_COL: {
      const char *row = nd->next ? "i1" : "i";
      if (nd->kind == SM_COL_AUX)
        sb_printf(b,
                  "gl3_make(aux[%luUL * big + %s], aux[%luUL * big + %s], "
                  "aux[%luUL * big + %s]);\n",
                  3 * (unsigned long)nd->a, row, 3 * (unsigned long)nd->a + 1, row,
                  3 * (unsigned long)nd->a + 2, row);
      else
        sb_printf(b, "%s[%luUL * big + %s];\n", nd->kind == SM_COL_PRE ? "pre" : "mn",
                  (unsigned long)nd->a, row);
      return;
    }
    case SM_EX_PUBLIC:
      sb_printf(b, "prm[PUB0 + %luUL];\n", (unsigned long)nd->a);
      return;
    case SM_EX_CHALLENGE:
      sb_printf(b, "gl3_load(prm, %luUL);\n", 3 * (unsigned long)nd->a);
      return;
    case SM_EX_NEG:
      sb_printf(b, "%s(v%lu);\n", ea ? "q3_neg" : "q_neg", a);
      return;
    case SM_EX_ADD:
      if (ea && ec) sb_printf(b, "q3_add(v%lu, v%lu);\n", a, c);
      else if (ea) sb_printf(b, "q3_add_base(v%lu, v%lu);\n", a, c);
      else if (ec) sb_printf(b, "q3_add_base(v%lu, v%lu);\n", c, a);
      else sb_printf(b, "q_add(v%lu, v%lu);\n", a, c);
      return;
    case SM_EX_SUB:
      if (ea && ec) sb_printf(b, "q3_sub(v%lu, v%lu);\n", a, c);
      else if (ea) sb_printf(b, "q3_sub_base(v%lu, v%lu);\n", a, c);
      else if (ec) sb_printf(b, "q3_base_sub(v%lu, v%lu);\n", a, c);
      else sb_printf(b, "q_sub(v%lu, v%lu);\n", a, c);
      return;
    case SM_EX_MUL:
      if (ea && ec) sb_printf(b, "q3_mul(v%lu, v%lu);\n", a, c);
      else if (ea) sb_printf(b, "q3_mul_base(v%lu, v%lu);\n", a, c);
      else if (ec) sb_printf(b, "q3_mul_base(v%lu, v%lu);\n", c, a);
      else sb_printf(b, "q_mul(v%lu, v%lu);\n", a, c);
      return;
    default:
      return;
  }
}

/*
 * The field operations of the generated code: kernels/goldilocks.cl's, behind functions
 * that are not inlined unless SM_Q_INLINE is defined. Inlined, a table of a few thousand
 * nodes is one basic block of a few hundred thousand instructions, and LLVM's back end
 * (PoCL compiles it when the kernel is first enqueued) took 230 s for mlp_digits' table on
 * this project's 2-core machine; as calls it takes about 4 s (docs/opencl.md, "Generated
 * quotient kernels").
 */
static const char prelude[] =
    "#ifdef SM_Q_INLINE\n"
    "#define QF SM_INLINE\n"
    "#else\n"
    "#define QF __attribute__((noinline))\n"
    "#endif\n"
    "QF gl_t q_add(gl_t a, gl_t b) { return gl_add(a, b); }\n"
    "QF gl_t q_sub(gl_t a, gl_t b) { return gl_sub(a, b); }\n"
    "QF gl_t q_mul(gl_t a, gl_t b) { return gl_mul(a, b); }\n"
    "QF gl_t q_neg(gl_t a) { return gl_neg(a); }\n"
    "QF gl3_t q3_add(gl3_t a, gl3_t b) { return gl3_add(a, b); }\n"
    "QF gl3_t q3_sub(gl3_t a, gl3_t b) { return gl3_sub(a, b); }\n"
    "QF gl3_t q3_mul(gl3_t a, gl3_t b) { return gl3_mul(a, b); }\n"
    "QF gl3_t q3_neg(gl3_t a) { return gl3_neg(a); }\n"
    "QF gl3_t q3_mul_base(gl3_t a, gl_t b) { return gl3_mul_base(a, b); }\n"
    "QF gl3_t q3_add_base(gl3_t a, gl_t b) { return gl3_add_base(a, b); }\n"
    "QF gl3_t q3_sub_base(gl3_t a, gl_t b) { return gl3_sub_base(a, b); }\n"
    "QF gl3_t q3_base_sub(gl_t a, gl3_t b) { return gl3_base_sub(a, b); }\n";

starkml_status sm_ocl_codegen_quotient(char **src, size_t *len, sm_ocl_codegen_stats *stats,
                                       const sm_air_table *t, uint32_t n_aux, int fault) {
  if (src == NULL || len == NULL) return STARKML_ERR_ARG;
  *src = NULL;
  *len = 0;
  if (stats != NULL) memset(stats, 0, sizeof *stats);
  if (t == NULL) return STARKML_ERR_ARG;
  starkml_status s = sm_air_validate(t, n_aux, NULL, 0);
  if (s != STARKML_OK) return s;
  const size_t n = t->n_nodes;
  size_t hcap = 16;
  while (hcap < 2 * n) hcap *= 2;
  uint32_t *rep = malloc((n + 1) * sizeof *rep);
  uint8_t *ext = calloc(n + 1, 1), *live = calloc(n + 1, 1);
  uint32_t *htab = malloc(hcap * sizeof *htab);
  sm_expr_node *keys = malloc((n + 1) * sizeof *keys);
  sbuf b = {NULL, 0, 0, 0};
  if (rep == NULL || ext == NULL || live == NULL || htab == NULL || keys == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  memset(htab, 0xFF, hcap * sizeof *htab);

  /* Representatives (structural hashing, in topological order) and field of each node. */
  for (size_t k = 0; k < n; k++) {
    const sm_expr_node *nd = &t->nodes[k];
    if (!node_key(nd, rep, &keys[k])) {
      s = STARKML_ERR_ARG;
      goto done;
    }
    size_t h = (size_t)key_hash(&keys[k]) & (hcap - 1);
    while (htab[h] != UINT32_MAX && !key_eq(&keys[htab[h]], &keys[k])) h = (h + 1) & (hcap - 1);
    if (htab[h] == UINT32_MAX) {
      htab[h] = (uint32_t)k;
      rep[k] = (uint32_t)k;
    } else {
      rep[k] = htab[h];
    }
    switch (nd->op) {
      case SM_EX_COL: ext[k] = nd->kind == SM_COL_AUX; break;
      case SM_EX_CHALLENGE: ext[k] = 1; break;
      case SM_EX_NEG: ext[k] = ext[rep[nd->a]]; break;
      case SM_EX_ADD:
      case SM_EX_SUB:
      case SM_EX_MUL: ext[k] = ext[rep[nd->a]] | ext[rep[nd->b]]; break;
      default: ext[k] = 0; break;
    }
  }
  /* Nodes some constraint reaches (through representatives). */
  int used_sel[4] = {0, 0, 0, 0};
  for (size_t j = 0; j < t->n_constraints; j++) {
    live[rep[t->constraints[j].root]] = 1;
    used_sel[t->constraints[j].selector & 3] = 1;
  }
  int next_used = 0;
  size_t emitted = 0, loads = 0;
  for (size_t k = n; k-- > 0;) {
    if (!live[k]) continue;
    const sm_expr_node *nd = &t->nodes[k];
    emitted++;
    if (nd->op == SM_EX_COL) {
      loads += nd->kind == SM_COL_AUX ? 3 : 1;
      next_used |= nd->next != 0;
    }
    if (nd->op >= SM_EX_ADD) live[rep[nd->a]] = 1;
    if (nd->op >= SM_EX_ADD && nd->op <= SM_EX_MUL) live[rep[nd->b]] = 1;
  }

  sb_printf(&b,
            "/* Generated by host/opencl_codegen.c from a constraint table: %zu nodes, %zu "
            "emitted, %zu column loads, %zu constraints. */\n",
            n, emitted, loads, t->n_constraints);
  sb_printf(&b, "#define PUB0 %zuUL /* publics in prm, after the challenges and gamma powers */\n",
            9 + 3 * t->n_constraints);
  sb_printf(&b, "%s", prelude);
  sb_printf(&b,
            "__kernel void quotient(__global ulong *q, ulong M, ulong big, uint log_big, uint "
            "log_n,\n"
            "                       __global const ulong *pre, __global const ulong *mn,\n"
            "                       __global const ulong *aux, __global const ulong *prm,\n"
            "                       __global const ulong *tab, uint lo_bits, ulong zoff, "
            "ulong w_last) {\n"
            "  const ulong i = get_global_id(0);\n"
            "  if (i >= M) return;\n"
            "  const ulong e = bitrev_m(i, log_big);\n");
  if (next_used)
    sb_printf(&b, "  const ulong i1 = bitrev_m((e + (big >> log_n)) & (big - 1), log_big);\n");
  for (size_t k = 0; k < n; k++)
    if (live[k] && rep[k] == k) emit_node(&b, &t->nodes[k], (uint32_t)k, rep, ext);
  for (int sel = 0; sel < 4; sel++)
    if (used_sel[sel]) sb_printf(&b, "  gl3_t %s = gl3_make(0, 0, 0);\n", acc_name[sel]);
  for (size_t j = 0; j < t->n_constraints; j++) {
    const uint32_t r = rep[t->constraints[j].root];
    const char *acc = acc_name[t->constraints[j].selector & 3];
    sb_printf(&b, "  %s = q3_add(%s, %s(gl3_load(prm, %zuUL), v%lu));\n", acc, acc,
              ext[r] ? "q3_mul" : "q3_mul_base", 9 + 3 * j, (unsigned long)r);
  }
  /* The selector denominators, as quotient_values divides (core/backend.h). */
  sb_printf(&b, "  gl3_t v = gl3_make(0, 0, 0);\n");
  if (used_sel[SM_SEL_FIRST] || used_sel[SM_SEL_LAST] || used_sel[SM_SEL_TRANSITION])
    sb_printf(&b, "  const gl_t x = lde_point(tab, e, lo_bits);\n");
  if (used_sel[SM_SEL_FIRST] && used_sel[SM_SEL_LAST]) {
    /* One inversion for both: 1/d1 = dl / (d1 dl), 1/dl = d1 / (d1 dl), unless one is 0. */
    sb_printf(&b,
              "  {\n"
              "    const gl_t d1 = gl_sub(x, 1UL), dl = gl_sub(x, w_last), pr = gl_mul(d1, dl);\n"
              "    gl_t i_first, i_last;\n"
              "    if (pr != 0) {\n"
              "      const gl_t pi = gl_inv(pr);\n"
              "      i_first = gl_mul(dl, pi);\n"
              "      i_last = gl_mul(d1, pi);\n"
              "    } else {\n"
              "      i_first = gl_inv(d1);\n"
              "      i_last = gl_inv(dl);\n"
              "    }\n"
              "    v = gl3_add(gl3_mul_base(acc_first, i_first), gl3_mul_base(acc_last, i_last));\n"
              "  }\n");
  } else if (used_sel[SM_SEL_FIRST]) {
    sb_printf(&b, "  v = gl3_mul_base(acc_first, gl_inv(gl_sub(x, 1UL)));\n");
  } else if (used_sel[SM_SEL_LAST]) {
    sb_printf(&b, "  v = gl3_mul_base(acc_last, gl_inv(gl_sub(x, w_last)));\n");
  }
  if (used_sel[SM_SEL_TRANSITION] || used_sel[SM_SEL_EVERY])
    sb_printf(&b, "  const gl_t iz = tab[zoff + (i >> log_n)];\n");
  if (used_sel[SM_SEL_TRANSITION])
    sb_printf(&b, "  v = gl3_add(v, gl3_mul_base(acc_trans, gl_mul(gl_sub(x, w_last), iz)));\n");
  if (used_sel[SM_SEL_EVERY]) sb_printf(&b, "  v = gl3_add(v, gl3_mul_base(acc_every, iz));\n");
  if (fault == SM_OCL_CODEGEN_FAULT_DOUBLE)
    sb_printf(&b, "  v = gl3_add(v, v); /* test fault */\n");
  sb_printf(&b,
            "  q[3 * i] = v.v0;\n"
            "  q[3 * i + 1] = v.v1;\n"
            "  q[3 * i + 2] = v.v2;\n"
            "}\n");
  if (b.nomem) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  *src = b.p;
  *len = b.len;
  b.p = NULL;
  if (stats != NULL) {
    stats->nodes = n;
    stats->emitted = emitted;
    stats->loads = loads;
    stats->constraints = t->n_constraints;
  }
done:
  free(b.p);
  free(rep);
  free(ext);
  free(live);
  free(htab);
  free(keys);
  return s;
}
