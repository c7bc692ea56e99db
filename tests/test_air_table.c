/*
 * Tests for the AIR table representation (air/air.h): validation of every invariant,
 * the builder, the canonical encoding (round trip, strictness, a pinned program hash),
 * degrees, the two evaluators agreeing bit for bit, extension batch inversion, and the
 * shape of the LogUp extension.
 */
#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/air.h"
#include "air/toy.h"
#include "core/ser.h"

static gl3_t rand_gl3(uint64_t *s) {
  gl3_t r = {
      {gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s))}};
  return r;
}

/*
 * A table with every node kind, every selector and two interactions. Node indices:
 * 0 pre0, 1 pre1', 2 main0, 3 main2', 4 const p-1, 5 pub1, 6 chal1, 7 add(0,2),
 * 8 sub(3,4), 9 mul(7,8), 10 neg(9), 11 mul(10,6), 12 mul(1,9), 13 mul(12,5).
 */
static void make_good(sm_air_table *t) {
  sm_air_builder b;
  sm_air_builder_init(&b, "good", 4, 2, 3, 2);
  uint32_t p0 = sm_ab_col(&b, SM_COL_PRE, 0, 0);
  uint32_t p1n = sm_ab_col(&b, SM_COL_PRE, 1, 1);
  uint32_t m0 = sm_ab_col(&b, SM_COL_MAIN, 0, 0);
  uint32_t m2n = sm_ab_col(&b, SM_COL_MAIN, 2, 1);
  uint32_t c = sm_ab_const(&b, GL_P - 1);
  uint32_t pub = sm_ab_pub(&b, 1);
  uint32_t ch = sm_ab_chal(&b, 1);
  uint32_t s = sm_ab_add(&b, p0, m0);
  uint32_t d = sm_ab_sub(&b, m2n, c);
  uint32_t m = sm_ab_mul(&b, s, d);
  uint32_t n = sm_ab_neg(&b, m);
  uint32_t e = sm_ab_mul(&b, n, ch);
  uint32_t f = sm_ab_mul(&b, sm_ab_mul(&b, p1n, m), pub);
  assert_int_equal(f, 13);
  sm_ab_constraint(&b, n, SM_SEL_EVERY);
  sm_ab_constraint(&b, e, SM_SEL_TRANSITION);
  sm_ab_constraint(&b, f, SM_SEL_FIRST);
  sm_ab_constraint(&b, d, SM_SEL_LAST);
  uint32_t v0[2] = {p0, s};
  sm_ab_interaction(&b, 5, m0, v0, 2);
  sm_ab_interaction(&b, 6, c, &m2n, 1);
  char why[128];
  assert_int_equal(sm_ab_finish(&b, t, why, sizeof why), STARKML_OK);
  assert_string_equal(why, "");
}

/* Applies mutation `which` to t; returns 0 when there is no such mutation. *n_aux is the
 * aux count to validate with (0 unless the mutation says otherwise). */
static int mutate(sm_air_table *t, int which, uint32_t *n_aux) {
  *n_aux = 0;
  switch (which) {
    case 0: memset(t->name, 0, sizeof t->name); return 1; /* empty name */
    case 1: t->name[1] = 0x7F; return 1;
    case 2: memset(t->name, 'a', sizeof t->name); return 1;
    case 3: t->name[10] = 'x'; return 1;
    case 4: t->log_n = 1; return 1;
    case 5: t->log_n = 29; return 1;
    case 6: t->n_pre = SM_AIR_MAX_COLS + 1; return 1;
    case 7: t->n_public = SM_AIR_MAX_PUBLIC + 1; return 1;
    case 8: t->n_nodes = SM_AIR_MAX_NODES + 1; return 1;
    case 9: t->n_constraints = SM_AIR_MAX_CONSTRAINTS + 1; return 1;
    case 10: t->n_interactions = SM_AIR_MAX_INTERACTIONS + 1; return 1;
    case 11: t->nodes[0].pad = 1; return 1;
    case 12: t->nodes[0].op = 8; return 1;
    case 13: t->nodes[4].value = GL_P; return 1;
    case 14: t->nodes[4].a = 1; return 1;
    case 15: t->nodes[0].kind = 3; return 1;
    case 16: t->nodes[0].next = 2; return 1;
    case 17: t->nodes[2].a = t->n_main; return 1;
    case 18: t->nodes[0].kind = SM_COL_AUX; return 1; /* no aux column exists */
    case 19: t->nodes[5].a = t->n_public; return 1;
    case 20: t->nodes[6].a = SM_AIR_N_CHALLENGES; return 1;
    case 21: t->nodes[7].a = 7; return 1;
    case 22: t->nodes[7].b = 8; return 1;
    case 23: t->nodes[10].a = 10; return 1;
    case 24: t->nodes[10].b = 1; return 1;
    case 25: t->nodes[7].value = 1; return 1;
    case 26: t->nodes[7].kind = 1; return 1;
    case 27: t->nodes[5].b = 1; return 1;
    case 28: t->nodes[4].next = 1; return 1;
    case 29: t->constraints[0].root = (uint32_t)t->n_nodes; return 1;
    case 30: t->constraints[0].selector = 4; return 1;
    case 31: t->interactions[0].n_values = 0; return 1;
    case 32: t->interactions[0].n_values = SM_AIR_MAX_TUPLE + 1; return 1;
    case 33: t->interactions[0].mult = (uint32_t)t->n_nodes; return 1;
    case 34: t->interactions[0].values[1] = (uint32_t)t->n_nodes; return 1;
    case 35: t->interactions[0].values[5] = 1; return 1;
    case 36: t->interactions[0].values[0] = 6; return 1;  /* a challenge */
    case 37: t->interactions[0].values[0] = 11; return 1; /* depends on a challenge */
    case 38: /* the node is a valid aux column read, but an interaction uses it */
      t->nodes[0].kind = SM_COL_AUX;
      *n_aux = 1;
      return 1;
    case 39: t->n_main = SM_AIR_MAX_COLS + 1; return 1;
    case 40: *n_aux = SM_AIR_MAX_COLS + 1; return 1;
    case 41: t->interactions[1].mult = 6; return 1; /* multiplicity reads a challenge */
    case 42: t->nodes[8].b = 8; return 1;
    default: return 0;
  }
}

static void validate_rejects_malformed(void **state) {
  (void)state;
  sm_air_table good;
  make_good(&good);
  char why[96];
  assert_int_equal(sm_air_validate(&good, 0, why, sizeof why), STARKML_OK);
  assert_string_equal(why, "");
  assert_int_equal(sm_air_validate(NULL, 0, why, sizeof why), STARKML_ERR_ARG);
  int cases = 0;
  for (int which = 0;; which++) {
    sm_air_table t;
    assert_int_equal(sm_air_table_copy(&t, &good), STARKML_OK);
    uint32_t n_aux;
    if (!mutate(&t, which, &n_aux)) {
      sm_air_table_free(&t);
      break;
    }
    why[0] = '\0';
    starkml_status st = sm_air_validate(&t, n_aux, why, sizeof why);
    if (st != STARKML_ERR_ARG) fail_msg("mutation %d accepted", which);
    assert_true(strlen(why) > 0);
    /* A tiny message buffer truncates but never overflows; none at all is fine too. */
    char tiny[4];
    assert_int_equal(sm_air_validate(&t, n_aux, tiny, sizeof tiny), STARKML_ERR_ARG);
    assert_true(strlen(tiny) < sizeof tiny);
    assert_int_equal(sm_air_validate(&t, n_aux, NULL, 0), STARKML_ERR_ARG);
    cases++;
    /* Encoding refuses an invalid table without writing anything. */
    if (n_aux == 0) {
      sm_writer w;
      sm_w_init(&w, 1 << 20);
      assert_int_equal(sm_air_encode(&t, &w), STARKML_ERR_ARG);
      assert_int_equal(w.len, 0);
      sm_w_free(&w);
    }
    sm_air_table_free(&t);
  }
  assert_int_equal(cases, 43);
  /* NULL arrays with non-zero counts. */
  sm_air_table t = good;
  t.nodes = NULL;
  assert_int_equal(sm_air_validate(&t, 0, why, sizeof why), STARKML_ERR_ARG);
  t = good;
  t.constraints = NULL;
  assert_int_equal(sm_air_validate(&t, 0, why, sizeof why), STARKML_ERR_ARG);
  t = good;
  t.interactions = NULL;
  assert_int_equal(sm_air_validate(&t, 0, why, sizeof why), STARKML_ERR_ARG);
  sm_air_table_free(&good);
}

/* Random garbage in every field, with counts small enough that the arrays exist: the
 * validator must never crash, and whatever it accepts must round-trip. */
static void validate_survives_garbage(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x6172626167ULL;
  int accepted = 0;
  for (int iter = 0; iter < 20000; iter++) {
    sm_air_table t;
    memset(&t, 0, sizeof t);
    /* A noise level per table: 0 builds a valid-looking table, higher levels corrupt
     * more fields, so that every depth of the validator is reached. */
    unsigned noise = (unsigned)(sm_test_next(&s) % 4);
#define SMALL(bound) ((uint32_t)(sm_test_next(&s) % (bound)))
#define BAD() (noise != 0 && SMALL(noise == 1 ? 150 : noise == 2 ? 15 : 3) == 0)
    if (BAD()) {
      for (size_t i = 0; i < sizeof t.name; i++) t.name[i] = (char)sm_test_next(&s);
    } else {
      memcpy(t.name, "g", 2);
    }
    t.log_n = BAD() ? (unsigned)sm_test_next(&s) : 2 + SMALL(5);
    t.n_pre = SMALL(3);
    t.n_main = SMALL(3);
    t.n_public = SMALL(3);
    t.n_nodes = SMALL(12);
    t.n_constraints = SMALL(4);
    t.n_interactions = SMALL(3);
    uint32_t n_aux = SMALL(4) == 0 ? SMALL(3) : 0;
    t.nodes = calloc(t.n_nodes + 1, sizeof *t.nodes);
    t.constraints = calloc(t.n_constraints + 1, sizeof *t.constraints);
    t.interactions = calloc(t.n_interactions + 1, sizeof *t.interactions);
    assert_non_null(t.nodes);
    assert_non_null(t.constraints);
    assert_non_null(t.interactions);
    for (size_t i = 0; i < t.n_nodes; i++) {
      sm_expr_node *e = &t.nodes[i];
      uint32_t op = i == 0 ? SMALL(4) : SMALL(8);
      if (op == SM_EX_COL) {
        uint32_t kind = SMALL(3), cnt = kind == 0 ? t.n_pre : kind == 1 ? t.n_main : n_aux;
        if (cnt == 0) {
          op = SM_EX_CONST;
        } else {
          e->kind = (uint8_t)kind;
          e->next = (uint8_t)SMALL(2);
          e->a = SMALL(cnt);
        }
      }
      if (op == SM_EX_PUBLIC) {
        if (t.n_public == 0)
          op = SM_EX_CONST;
        else
          e->a = SMALL(t.n_public);
      }
      if (op == SM_EX_CHALLENGE) e->a = SMALL(SM_AIR_N_CHALLENGES);
      if (op >= SM_EX_ADD) e->a = SMALL((uint32_t)i);
      if (op >= SM_EX_ADD && op <= SM_EX_MUL) e->b = SMALL((uint32_t)i);
      if (op == SM_EX_CONST) e->value = SMALL(2) ? SMALL(100) : GL_P - 1 - SMALL(3);
      e->op = (uint8_t)op;
      if (BAD()) e->op = (uint8_t)sm_test_next(&s);
      if (BAD()) e->kind = (uint8_t)sm_test_next(&s);
      if (BAD()) e->next = (uint8_t)sm_test_next(&s);
      if (BAD()) e->pad = (uint8_t)sm_test_next(&s);
      if (BAD()) e->a = (uint32_t)sm_test_next(&s) % (BAD() ? 0xFFFFFFFFu : (uint32_t)i + 3);
      if (BAD()) e->b = (uint32_t)sm_test_next(&s) % (BAD() ? 0xFFFFFFFFu : (uint32_t)i + 3);
      if (BAD()) e->value = SMALL(2) ? sm_test_next(&s) : GL_P + SMALL(3);
    }
    for (size_t j = 0; j < t.n_constraints; j++) {
      t.constraints[j].root = t.n_nodes > 0 ? SMALL((uint32_t)t.n_nodes) : 0;
      t.constraints[j].selector = (uint8_t)SMALL(4);
      if (BAD()) t.constraints[j].root = (uint32_t)sm_test_next(&s);
      if (BAD()) t.constraints[j].selector = (uint8_t)sm_test_next(&s);
    }
    for (size_t k = 0; k < t.n_interactions; k++) {
      sm_interaction *it = &t.interactions[k];
      it->bus = (uint32_t)sm_test_next(&s);
      it->mult = t.n_nodes > 0 ? SMALL((uint32_t)t.n_nodes) : 0;
      it->n_values = 1 + SMALL(SM_AIR_MAX_TUPLE);
      for (uint32_t v = 0; v < it->n_values; v++) {
        it->values[v] = t.n_nodes > 0 ? SMALL((uint32_t)t.n_nodes) : 0;
      }
      if (BAD()) it->n_values = (uint32_t)sm_test_next(&s) % (SM_AIR_MAX_TUPLE + 2);
      if (BAD()) it->values[SMALL(SM_AIR_MAX_TUPLE)] = (uint32_t)sm_test_next(&s);
      if (BAD()) it->mult = (uint32_t)sm_test_next(&s);
    }
#undef BAD
#undef SMALL
    char why[64];
    starkml_status st = sm_air_validate(&t, n_aux, why, sizeof why);
    assert_true(st == STARKML_OK || st == STARKML_ERR_ARG);
    uint32_t maxdeg;
    if (st == STARKML_OK) assert_int_equal(sm_air_max_degree(&t, &maxdeg), STARKML_OK);
    if (st == STARKML_OK && sm_air_validate(&t, 0, NULL, 0) == STARKML_OK) {
      accepted++;
      sm_writer w;
      sm_w_init(&w, 1 << 20);
      assert_int_equal(sm_air_encode(&t, &w), STARKML_OK);
      sm_air_table u;
      assert_int_equal(sm_air_decode_buf(&u, w.buf, w.len), STARKML_OK);
      sm_writer w2;
      sm_w_init(&w2, 1 << 20);
      assert_int_equal(sm_air_encode(&u, &w2), STARKML_OK);
      assert_int_equal(w.len, w2.len);
      assert_memory_equal(w.buf, w2.buf, w.len);
      sm_w_free(&w);
      sm_w_free(&w2);
      sm_air_table_free(&u);
    }
    sm_air_table_free(&t);
  }
  /* The generator is tuned so that a fair share passes (else the test proves little). */
  printf("garbage: %d of 20000 accepted\n", accepted);
  assert_true(accepted > 500);
}

static void builder_reports_errors(void **state) {
  (void)state;
  char why[96];
  sm_air_table t;
  sm_air_builder b;

  /* A name that does not fit. */
  sm_air_builder_init(&b, "a-name-that-is-far-too-long-for-the-forty-eight-byte-field", 4, 0, 1, 0);
  sm_ab_constraint(&b, sm_ab_col(&b, SM_COL_MAIN, 0, 0), SM_SEL_EVERY);
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_ERR_ARG);
  assert_non_null(strstr(why, "name"));
  assert_null(t.nodes);

  /* An operand that does not exist yet is reported at finish, with a reason. */
  sm_air_builder_init(&b, "t", 4, 0, 1, 0);
  uint32_t x = sm_ab_col(&b, SM_COL_MAIN, 0, 0);
  sm_ab_constraint(&b, sm_ab_add(&b, x, 5), SM_SEL_EVERY);
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_ERR_ARG);
  assert_non_null(strstr(why, "operand"));

  /* A column out of range; a tuple that is too long; a NULL tuple. */
  sm_air_builder_init(&b, "t", 4, 0, 1, 0);
  sm_ab_constraint(&b, sm_ab_col(&b, SM_COL_MAIN, 1, 0), SM_SEL_EVERY);
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_ERR_ARG);
  assert_non_null(strstr(why, "column"));
  uint32_t vals[SM_AIR_MAX_TUPLE + 1] = {0};
  sm_air_builder_init(&b, "t", 4, 0, 1, 0);
  x = sm_ab_col(&b, SM_COL_MAIN, 0, 0);
  sm_ab_interaction(&b, 1, x, vals, SM_AIR_MAX_TUPLE + 1);
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_ERR_ARG);
  sm_air_builder_init(&b, "t", 4, 0, 1, 0);
  x = sm_ab_col(&b, SM_COL_MAIN, 0, 0);
  sm_ab_interaction(&b, 1, x, NULL, 1);
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_ERR_ARG);

  /* NULL builder / output, and an early exit through sm_air_builder_free. */
  assert_int_equal(sm_ab_finish(NULL, &t, why, sizeof why), STARKML_ERR_ARG);
  assert_int_equal(sm_ab_const(NULL, 1), SM_AB_INVALID);
  sm_air_builder_init(&b, "t", 4, 0, 1, 0);
  for (int i = 0; i < 100; i++) sm_ab_const(&b, (gl_t)i);
  sm_air_builder_free(&b);

  /* A table with no constraints and no interactions is valid (degree 0). */
  sm_air_builder_init(&b, "empty", 2, 0, 0, 0);
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_OK);
  uint32_t d = 7;
  assert_int_equal(sm_air_max_degree(&t, &d), STARKML_OK);
  assert_int_equal(d, 0);
  sm_air_table_free(&t);
}

/* ---- Encoding ----------------------------------------------------------------------------- */

static void encode(const sm_air_table *t, sm_writer *w) {
  sm_w_init(w, 1 << 24);
  assert_int_equal(sm_air_encode(t, w), STARKML_OK);
}

static void assert_tables_equal(const sm_air_table *x, const sm_air_table *y) {
  assert_memory_equal(x->name, y->name, SM_AIR_MAX_NAME);
  assert_int_equal(x->log_n, y->log_n);
  assert_int_equal(x->n_pre, y->n_pre);
  assert_int_equal(x->n_main, y->n_main);
  assert_int_equal(x->n_public, y->n_public);
  assert_int_equal(x->n_nodes, y->n_nodes);
  assert_int_equal(x->n_constraints, y->n_constraints);
  assert_int_equal(x->n_interactions, y->n_interactions);
  for (size_t i = 0; i < x->n_nodes; i++) {
    const sm_expr_node *a = &x->nodes[i], *b = &y->nodes[i];
    assert_true(a->op == b->op && a->kind == b->kind && a->next == b->next && a->pad == b->pad &&
                a->a == b->a && a->b == b->b && a->value == b->value);
  }
  for (size_t j = 0; j < x->n_constraints; j++) {
    assert_int_equal(x->constraints[j].root, y->constraints[j].root);
    assert_int_equal(x->constraints[j].selector, y->constraints[j].selector);
  }
  for (size_t k = 0; k < x->n_interactions; k++) {
    assert_memory_equal(&x->interactions[k], &y->interactions[k], sizeof(sm_interaction));
  }
}

static void encode_decode_roundtrip(void **state) {
  (void)state;
  sm_air_table tabs[5];
  make_good(&tabs[0]);
  sm_air_toy fib, rc, bus;
  assert_int_equal(sm_air_toy_fibonacci(&fib, 4, 0, 1), STARKML_OK);
  assert_int_equal(sm_air_toy_range_check(&rc, 4, 1), STARKML_OK);
  assert_int_equal(sm_air_toy_bus(&bus, 2, 1), STARKML_OK);
  tabs[1] = fib.t[0].table;
  tabs[2] = rc.t[1].table;
  tabs[3] = bus.t[0].table;
  tabs[4] = bus.t[1].table;
  for (size_t i = 0; i < 5; i++) {
    sm_writer w;
    encode(&tabs[i], &w);
    sm_reader r;
    sm_air_table u;
    sm_r_init(&r, w.buf, w.len);
    assert_int_equal(sm_air_decode(&r, &u), STARKML_OK);
    assert_int_equal(sm_r_finish(&r), STARKML_OK);
    assert_tables_equal(&tabs[i], &u);
    sm_writer w2;
    encode(&u, &w2);
    assert_int_equal(w.len, w2.len);
    assert_memory_equal(w.buf, w2.buf, w.len);
    /* The hash is SHA3-256 of the encoding and depends on nothing else. */
    uint8_t h1[32], h2[32];
    assert_int_equal(sm_air_hash(&tabs[i], h1), STARKML_OK);
    assert_int_equal(sm_air_hash(&u, h2), STARKML_OK);
    assert_memory_equal(h1, h2, 32);
    sm_w_free(&w);
    sm_w_free(&w2);
    sm_air_table_free(&u);
  }
  /* Two tables back to back in one stream. */
  sm_writer w;
  encode(&tabs[0], &w);
  assert_int_equal(sm_air_encode(&tabs[4], &w), STARKML_OK);
  sm_reader r;
  sm_r_init(&r, w.buf, w.len);
  sm_air_table u, v;
  assert_int_equal(sm_air_decode(&r, &u), STARKML_OK);
  assert_int_equal(sm_air_decode(&r, &v), STARKML_OK);
  assert_int_equal(sm_r_finish(&r), STARKML_OK);
  assert_tables_equal(&tabs[0], &u);
  assert_tables_equal(&tabs[4], &v);
  sm_air_table_free(&u);
  sm_air_table_free(&v);
  /* An extended table reads aux columns: it is not a description, so it has no encoding. */
  sm_air_table ext;
  assert_int_equal(sm_air_logup_extend(&tabs[0], &ext), STARKML_OK);
  uint8_t h[32];
  assert_int_equal(sm_air_hash(&ext, h), STARKML_ERR_ARG);
  sm_air_table_free(&ext);
  sm_w_free(&w);
  sm_air_table_free(&tabs[0]);
  sm_air_toy_free(&fib);
  sm_air_toy_free(&rc);
  sm_air_toy_free(&bus);
}

/*
 * The program hash of the Fibonacci table is pinned: it enters Fiat-Shamir, so any change
 * to the encoding or to the toy table must be deliberate (and comes with new vectors).
 */
static void hash_is_pinned(void **state) {
  (void)state;
  sm_air_toy fib;
  assert_int_equal(sm_air_toy_fibonacci(&fib, 10, 0, 1), STARKML_OK);
  uint8_t h[32];
  assert_int_equal(sm_air_hash(&fib.t[0].table, h), STARKML_OK);
  char hex[65];
  sm_hex_encode(hex, h, 32);
  printf("fibonacci(log_n=10) program hash: %s\n", hex);
  assert_string_equal(hex, "c061ccd7f7567c9e861a7dbe60ca1dae51d8e6e3daefd48a029fd1b735ea3637");
  /* Every field matters: the height, a selector, a constant, the name. */
  sm_air_table t;
  uint8_t h2[32];
  for (int which = 0; which < 4; which++) {
    assert_int_equal(sm_air_table_copy(&t, &fib.t[0].table), STARKML_OK);
    if (which == 0) t.log_n = 11;
    if (which == 1) t.constraints[4].selector = SM_SEL_EVERY;
    if (which == 2) t.name[0] = 'F';
    if (which == 3) t.interactions = NULL, t.nodes[t.n_nodes - 1].a ^= 1;
    if (sm_air_hash(&t, h2) == STARKML_OK) assert_memory_not_equal(h, h2, 32);
    sm_air_table_free(&t);
  }
  sm_air_toy_free(&fib);
}

/* The documented layout, byte for byte, on a tiny table. */
static void encoding_layout(void **state) {
  (void)state;
  sm_air_builder b;
  sm_air_builder_init(&b, "t", 2, 0, 1, 1);
  uint32_t x = sm_ab_col(&b, SM_COL_MAIN, 0, 1);
  uint32_t p = sm_ab_pub(&b, 0);
  sm_ab_constraint(&b, sm_ab_sub(&b, x, p), SM_SEL_LAST);
  sm_ab_interaction(&b, 9, p, &x, 1);
  sm_air_table t;
  assert_int_equal(sm_ab_finish(&b, &t, NULL, 0), STARKML_OK);
  sm_writer w;
  encode(&t, &w);
  static const char *const want =
      "534d4154"
      "01000000" /* magic, version */
      "01000000"
      "74"       /* name "t" */
      "02000000" /* log_n */
      "00000000"
      "01000000"
      "01000000" /* n_pre, n_main, n_public */
      "03000000" /* n_nodes */
      "01010100"
      "00000000"
      "00000000"
      "0000000000000000" /* COL main 0 next */
      "02000000"
      "00000000"
      "00000000"
      "0000000000000000" /* PUBLIC 0 */
      "05000000"
      "00000000"
      "01000000"
      "0000000000000000" /* SUB 0 1 */
      "01000000"
      "02000000"
      "01" /* one constraint: root 2, LAST */
      "01000000"
      "09000000"
      "01000000"
      "01000000"
      "00000000"; /* bus 9, mult 1, (0) */
  char *hex = malloc(2 * w.len + 1);
  assert_non_null(hex);
  sm_hex_encode(hex, w.buf, w.len);
  assert_string_equal(hex, want);
  free(hex);
  sm_w_free(&w);
  sm_air_table_free(&t);
}

/* Found by fuzz_air_decode: a declared name with NUL padding ("values\0", length 7)
   decoded to the same table as "values" (length 6), a second encoding of one table. */
static void decode_rejects_nul_in_name(void **state) {
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s/tests/fuzz/crashers/air_decode/name_trailing_nul.bin",
           STARKML_SOURCE_DIR);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  unsigned char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  assert_true(n > 16);
  sm_air_table t;
  assert_int_equal(sm_air_decode_buf(&t, buf, n), STARKML_ERR_PARSE);
  assert_null(t.nodes);
}

static void decode_is_strict(void **state) {
  (void)state;
  sm_air_table good, u;
  make_good(&good);
  sm_writer w;
  encode(&good, &w);
  /* Every truncation fails. */
  for (size_t len = 0; len < w.len; len++) {
    assert_int_equal(sm_air_decode_buf(&u, w.buf, len), STARKML_ERR_PARSE);
    assert_null(u.nodes);
  }
  /* A trailing byte fails the exact-buffer form; the stream form leaves it to finish. */
  uint8_t *longer = malloc(w.len + 1);
  assert_non_null(longer);
  memcpy(longer, w.buf, w.len);
  longer[w.len] = 0;
  assert_int_equal(sm_air_decode_buf(&u, longer, w.len + 1), STARKML_ERR_PARSE);
  sm_reader r;
  sm_r_init(&r, longer, w.len + 1);
  assert_int_equal(sm_air_decode(&r, &u), STARKML_OK);
  assert_int_equal(sm_r_finish(&r), STARKML_ERR_PARSE);
  sm_air_table_free(&u);
  free(longer);

  /* Offsets of the count fields in this encoding: magic 4, version 4, name_len 4 + 4
   * ("good"), log_n, n_pre, n_main, n_public (16), then n_nodes at 32. */
  const size_t off_name_len = 8, off_log_n = 16, off_nodes = 32;
  size_t off_cons = off_nodes + 4 + 20 * good.n_nodes;
  size_t off_int = off_cons + 4 + 5 * good.n_constraints;
  struct {
    size_t off;
    uint32_t value;
  } patches[] = {
      {0, 0x54414D54},                 /* magic "TMAT" */
      {4, 2},                          /* version */
      {off_name_len, SM_AIR_MAX_NAME}, /* name too long */
      {off_name_len, 0xFFFFFFFF},
      {off_log_n, 1}, /* fails validation after decoding */
      {off_log_n, 0xFFFFFFFF},
      {off_nodes, 0xFFFFFFFF}, /* counts beyond the caps or the bytes left */
      {off_nodes, SM_AIR_MAX_NODES + 1},
      {off_nodes, (uint32_t)good.n_nodes + 1},
      {off_nodes, (uint32_t)good.n_nodes - 1},
      {off_cons, 0xFFFFFFFF},
      {off_cons, (uint32_t)good.n_constraints + 1},
      {off_int, 0xFFFFFFFF},
      {off_int, (uint32_t)good.n_interactions + 1},
      {off_int, 0},
      {off_int + 12, 0}, /* tuple size 0 */
      {off_int + 12, SM_AIR_MAX_TUPLE + 1},
      {off_int + 12, 0xFFFFFFFF},
      {off_nodes + 4 + 20 * 4 + 12, 0xFFFFFFFF}, /* constant's low half: value >= p */
  };
  for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
    uint8_t *b = malloc(w.len);
    assert_non_null(b);
    memcpy(b, w.buf, w.len);
    sm_le32_put(b + patches[i].off, patches[i].value);
    if (i == sizeof patches / sizeof patches[0] - 1)
      sm_le32_put(b + patches[i].off + 4, 0xFFFFFFFF);
    starkml_status st = sm_air_decode_buf(&u, b, w.len);
    if (st != STARKML_ERR_PARSE) fail_msg("patch %zu accepted", i);
    assert_null(u.nodes);
    free(b);
  }

  /* Any single changed byte: either refused, or a different valid table whose canonical
   * encoding is exactly the changed bytes (the decoder accepts canonical encodings only). */
  uint64_t s = sm_test_seed() ^ 0x646563ULL;
  for (size_t pos = 0; pos < w.len; pos++) {
    for (int rep = 0; rep < 4; rep++) {
      uint8_t *b = malloc(w.len);
      assert_non_null(b);
      memcpy(b, w.buf, w.len);
      uint8_t x = (uint8_t)sm_test_next(&s);
      if (rep == 0) x = (uint8_t)(b[pos] ^ 1);
      if (x == b[pos]) x ^= 0x80;
      b[pos] = x;
      starkml_status st = sm_air_decode_buf(&u, b, w.len);
      assert_true(st == STARKML_OK || st == STARKML_ERR_PARSE);
      if (st == STARKML_OK) {
        sm_writer w2;
        encode(&u, &w2);
        assert_int_equal(w2.len, w.len);
        assert_memory_equal(w2.buf, b, w.len);
        sm_w_free(&w2);
        sm_air_table_free(&u);
      }
      free(b);
    }
  }
  assert_int_equal(sm_air_decode_buf(NULL, w.buf, w.len), STARKML_ERR_ARG);
  assert_int_equal(sm_air_decode(NULL, &u), STARKML_ERR_ARG);
  sm_w_free(&w);
  sm_air_table_free(&good);
}

/* ---- Degrees ------------------------------------------------------------------------------ */

static void degrees(void **state) {
  (void)state;
  sm_air_table good;
  make_good(&good);
  uint32_t nd[14];
  assert_int_equal(good.n_nodes, 14);
  assert_int_equal(sm_air_node_degrees(&good, nd), STARKML_OK);
  const uint32_t want[14] = {1, 1, 1, 1, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3};
  assert_memory_equal(nd, want, sizeof want);
  uint32_t cd[4], m = 0;
  assert_int_equal(sm_air_constraint_degrees(&good, cd), STARKML_OK);
  assert_int_equal(cd[0], 2);
  assert_int_equal(cd[1], 2);
  assert_int_equal(cd[2], 3);
  assert_int_equal(cd[3], 1);
  assert_int_equal(sm_air_max_degree(&good, &m), STARKML_OK);
  assert_int_equal(m, 3);
  /* The LogUp extension: h * (alpha - phi) - m has degree 1 + deg(phi) = 1 + 1 for the
   * first interaction (values p0 and s = p0 + m0), the sum constraints degree 1. */
  sm_air_table ext;
  assert_int_equal(sm_air_logup_extend(&good, &ext), STARKML_OK);
  uint32_t ecd[9];
  assert_int_equal(ext.n_constraints, 9);
  assert_int_equal(sm_air_constraint_degrees(&ext, ecd), STARKML_OK);
  assert_int_equal(ecd[4], 2);
  assert_int_equal(ecd[5], 2);
  assert_int_equal(ecd[6], 1);
  assert_int_equal(ecd[7], 1);
  assert_int_equal(ecd[8], 1);
  sm_air_table_free(&ext);
  sm_air_table_free(&good);

  /* Repeated squaring doubles the degree and saturates instead of wrapping. */
  sm_air_builder b;
  sm_air_builder_init(&b, "pow", 4, 0, 1, 0);
  uint32_t x = sm_ab_col(&b, SM_COL_MAIN, 0, 0);
  for (int i = 0; i < 40; i++) {
    x = sm_ab_mul(&b, x, x);
    if (i == 9) sm_ab_constraint(&b, x, SM_SEL_EVERY);
  }
  sm_ab_constraint(&b, x, SM_SEL_EVERY);
  sm_air_table t;
  assert_int_equal(sm_ab_finish(&b, &t, NULL, 0), STARKML_OK);
  uint32_t pd[2];
  assert_int_equal(sm_air_constraint_degrees(&t, pd), STARKML_OK);
  assert_int_equal(pd[0], 1024);
  assert_int_equal(pd[1], UINT32_MAX);
  sm_air_table_free(&t);

  /* Toy tables: Fibonacci is linear; squares and consumer are quadratic. */
  sm_air_toy fib, bus;
  assert_int_equal(sm_air_toy_fibonacci(&fib, 4, 0, 1), STARKML_OK);
  assert_int_equal(sm_air_toy_bus(&bus, 2, 1), STARKML_OK);
  assert_int_equal(sm_air_max_degree(&fib.t[0].table, &m), STARKML_OK);
  assert_int_equal(m, 1);
  assert_int_equal(sm_air_max_degree(&bus.t[0].table, &m), STARKML_OK);
  assert_int_equal(m, 2);
  assert_int_equal(sm_air_max_degree(&bus.t[1].table, &m), STARKML_OK);
  assert_int_equal(m, 2);
  sm_air_toy_free(&fib);
  sm_air_toy_free(&bus);
}

/* ---- Evaluators --------------------------------------------------------------------------- */

/* The block evaluator's words per point: one per base-field node, three per extension node
 * (a challenge, an aux column, and what any operation with one of them makes). */
static void block_lanes(void **state) {
  (void)state;
  sm_air_builder b;
  sm_air_builder_init(&b, "lanes", 3, 0, 2, 0);
  b.n_aux = 1;
  uint32_t c = sm_ab_col(&b, SM_COL_MAIN, 0, 0);   /* base */
  uint32_t k = sm_ab_const(&b, 5);                  /* base */
  uint32_t ch = sm_ab_chal(&b, 0);                  /* ext */
  uint32_t m1 = sm_ab_mul(&b, c, k);                /* base */
  uint32_t m2 = sm_ab_mul(&b, m1, ch);              /* ext */
  uint32_t ng = sm_ab_neg(&b, m2);                  /* ext */
  uint32_t ax = sm_ab_col(&b, SM_COL_AUX, 0, 1);    /* ext */
  uint32_t nb = sm_ab_neg(&b, m1);                  /* base */
  sm_ab_constraint(&b, sm_ab_add(&b, ng, ax), SM_SEL_EVERY); /* ext */
  sm_ab_constraint(&b, sm_ab_sub(&b, nb, c), SM_SEL_FIRST);  /* base */
  sm_air_table t;
  char why[96];
  assert_int_equal(sm_ab_finish(&b, &t, why, sizeof why), STARKML_OK);
  assert_int_equal(t.n_nodes, 10);
  assert_int_equal(sm_air_block_lanes(&t), 5 * 1 + 5 * 3);
  assert_int_equal(sm_air_block_lanes(NULL), 0);
  sm_air_table_free(&t);
}


/*
 * A random valid table. Leaves first, then random operations over earlier nodes; the
 * interactions use only nodes that read neither aux columns nor challenges.
 */
static void random_table(sm_air_table *out, uint64_t *s, uint32_t n_aux) {
  sm_air_builder b;
  uint32_t n_pre = (uint32_t)(sm_test_next(s) % 3), n_main = 1 + (uint32_t)(sm_test_next(s) % 3);
  uint32_t n_pub = (uint32_t)(sm_test_next(s) % 3);
  sm_air_builder_init(&b, "random", 2 + (unsigned)(sm_test_next(s) % 4), n_pre, n_main, n_pub);
  b.n_aux = n_aux;
  uint8_t late[64];
  size_t n_nodes = 0;
  size_t total = 8 + sm_test_next(s) % 50;
  for (size_t i = 0; i < total; i++) {
    unsigned what = (unsigned)(sm_test_next(s) % (i < 4 ? 4 : 10));
    uint32_t x = (uint32_t)(i > 0 ? sm_test_next(s) % i : 0);
    uint32_t y = (uint32_t)(i > 0 ? sm_test_next(s) % i : 0);
    uint32_t id;
    uint8_t lt = 0;
    switch (what) {
      case 0:
        id = sm_ab_const(
            &b, sm_test_next(s) % 3 == 0 ? sm_test_next(s) % 5 : gl_from_u64(sm_test_next(s)));
        break;
      case 1: {
        unsigned kind = (unsigned)(sm_test_next(s) % 3);
        if (kind == SM_COL_PRE && n_pre == 0) kind = SM_COL_MAIN;
        if (kind == SM_COL_AUX && n_aux == 0) kind = SM_COL_MAIN;
        uint32_t cnt = kind == SM_COL_PRE ? n_pre : kind == SM_COL_MAIN ? n_main : n_aux;
        id = sm_ab_col(&b, (sm_col_kind)kind, (uint32_t)(sm_test_next(s) % cnt),
                       (int)(sm_test_next(s) & 1));
        lt = kind == SM_COL_AUX;
        break;
      }
      case 2:
        id = n_pub > 0 ? sm_ab_pub(&b, (uint32_t)(sm_test_next(s) % n_pub)) : sm_ab_const(&b, 3);
        break;
      case 3:
        id = sm_ab_chal(&b, (uint32_t)(sm_test_next(s) % SM_AIR_N_CHALLENGES));
        lt = 1;
        break;
      case 4:
      case 5:
        id = sm_ab_add(&b, x, y);
        lt = late[x] | late[y];
        break;
      case 6:
        id = sm_ab_sub(&b, x, y);
        lt = late[x] | late[y];
        break;
      case 7:
      case 8:
        id = sm_ab_mul(&b, x, y);
        lt = late[x] | late[y];
        break;
      default:
        id = sm_ab_neg(&b, x);
        lt = late[x];
        break;
    }
    assert_int_equal(id, i);
    late[i] = lt;
    n_nodes++;
  }
  size_t nc = 1 + sm_test_next(s) % 6;
  for (size_t j = 0; j < nc; j++) {
    sm_ab_constraint(&b, (uint32_t)(sm_test_next(s) % n_nodes), (sm_selector)(sm_test_next(s) % 4));
  }
  /* Interactions over the early nodes only. */
  uint32_t early[64];
  size_t n_early = 0;
  for (size_t i = 0; i < n_nodes; i++) {
    if (!late[i]) early[n_early++] = (uint32_t)i;
  }
  size_t ni = n_early > 0 ? sm_test_next(s) % 3 : 0;
  for (size_t k = 0; k < ni; k++) {
    uint32_t vals[SM_AIR_MAX_TUPLE];
    size_t nv = 1 + sm_test_next(s) % SM_AIR_MAX_TUPLE;
    for (size_t v = 0; v < nv; v++) vals[v] = early[sm_test_next(s) % n_early];
    sm_ab_interaction(&b, (uint32_t)sm_test_next(s), early[sm_test_next(s) % n_early], vals, nv);
  }
  char why[96];
  starkml_status st = sm_ab_finish(&b, out, why, sizeof why);
  if (st != STARKML_OK) fail_msg("random table invalid: %s", why);
}

static void check_row_block_agree(const sm_air_table *t, uint32_t n_aux, uint64_t *s) {
  size_t B = 1 + sm_test_next(s) % 9;
  const size_t bs = 2, as = 3; /* strides: points interleaved with other data */
  size_t nb = (size_t)t->n_pre + t->n_main;
  gl_t *base = malloc(2 * (nb + 1) * B * bs * sizeof *base);
  gl3_t *auxv = malloc(2 * (n_aux + 1) * B * as * sizeof *auxv);
  const gl_t **bc = calloc(nb + 1, sizeof *bc), **bn = calloc(nb + 1, sizeof *bn);
  const gl3_t **ac = calloc(n_aux + 1, sizeof *ac), **an = calloc(n_aux + 1, sizeof *an);
  gl_t pubs[4];
  gl3_t chal[SM_AIR_N_CHALLENGES];
  assert_true(base && auxv && bc && bn && ac && an);
  for (size_t i = 0; i < 2 * (nb + 1) * B * bs; i++) base[i] = gl_from_u64(sm_test_next(s));
  for (size_t i = 0; i < 2 * (n_aux + 1) * B * as; i++) auxv[i] = rand_gl3(s);
  for (size_t c = 0; c < nb; c++) {
    bc[c] = base + (2 * c) * B * bs;
    bn[c] = base + (2 * c + 1) * B * bs;
  }
  for (size_t c = 0; c < n_aux; c++) {
    ac[c] = auxv + (2 * c) * B * as;
    an[c] = auxv + (2 * c + 1) * B * as;
  }
  for (size_t i = 0; i < 4; i++) pubs[i] = gl_from_u64(sm_test_next(s));
  for (size_t i = 0; i < SM_AIR_N_CHALLENGES; i++) chal[i] = rand_gl3(s);
  sm_air_block_in in = {bc, bn, bs, ac, an, as, pubs, chal};
  gl_t *scratch = malloc(sm_air_block_scratch_len(t, B) * sizeof *scratch);
  gl3_t *out = malloc((t->n_constraints + 1) * B * sizeof *out);
  gl3_t *row_out = malloc((t->n_constraints + 1) * sizeof *row_out);
  gl3_t *row_scratch = malloc((t->n_nodes + 1) * sizeof *row_scratch);
  gl3_t *cur = malloc((nb + n_aux + 1) * sizeof *cur),
        *nxt = malloc((nb + n_aux + 1) * sizeof *nxt);
  assert_true(scratch && out && row_out && row_scratch && cur && nxt);
  assert_int_equal(sm_air_eval_block(t, n_aux, out, &in, B, scratch), STARKML_OK);
  for (size_t p = 0; p < B; p++) {
    for (size_t c = 0; c < nb; c++) {
      cur[c] = gl3_from_base(bc[c][p * bs]);
      nxt[c] = gl3_from_base(bn[c][p * bs]);
    }
    for (size_t c = 0; c < n_aux; c++) {
      cur[nb + c] = ac[c][p * as];
      nxt[nb + c] = an[c][p * as];
    }
    assert_int_equal(sm_air_eval_row(t, n_aux, row_out, cur, nxt, pubs, chal, row_scratch),
                     STARKML_OK);
    for (size_t j = 0; j < t->n_constraints; j++) {
      assert_memory_equal(&row_out[j], &out[j * B + p], sizeof(gl3_t));
    }
  }
  free(base);
  free(auxv);
  free(bc);
  free(bn);
  free(ac);
  free(an);
  free(scratch);
  free(out);
  free(row_out);
  free(row_scratch);
  free(cur);
  free(nxt);
}

static void row_and_block_agree(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x726f77ULL;
  for (int iter = 0; iter < 300; iter++) {
    uint32_t n_aux = (uint32_t)(sm_test_next(&s) % 3);
    sm_air_table t;
    random_table(&t, &s, n_aux);
    check_row_block_agree(&t, n_aux, &s);
    /* The LogUp extension of a description, with its own aux columns. */
    if (n_aux == 0) {
      sm_air_table ext;
      assert_int_equal(sm_air_logup_extend(&t, &ext), STARKML_OK);
      check_row_block_agree(&ext, sm_air_logup_n_aux(&ext), &s);
      sm_air_table_free(&ext);
    }
    sm_air_table_free(&t);
  }
  sm_air_table good;
  make_good(&good);
  check_row_block_agree(&good, 0, &s);
  sm_air_table_free(&good);
}

static void eval_row_rejects_bad_input(void **state) {
  (void)state;
  sm_air_table good;
  make_good(&good);
  gl3_t out[4], cur[5], nxt[5], chal[3], scratch[14];
  gl_t pubs[2] = {1, 2};
  memset(cur, 0, sizeof cur);
  memset(nxt, 0, sizeof nxt);
  memset(chal, 0, sizeof chal);
  assert_int_equal(sm_air_eval_row(&good, 0, out, cur, nxt, pubs, chal, scratch), STARKML_OK);
  memset(out, 0xAB, sizeof out);
  assert_int_equal(sm_air_eval_row(&good, 0, out, cur, nxt, NULL, chal, scratch), STARKML_ERR_ARG);
  for (int j = 0; j < 4; j++) assert_true(gl3_eq(out[j], gl3_from_base(0)));
  good.nodes[7].a = 9; /* forward reference: refused, never evaluated */
  assert_int_equal(sm_air_eval_row(&good, 0, out, cur, nxt, pubs, chal, scratch), STARKML_ERR_ARG);
  good.nodes[7].a = 0;
  assert_int_equal(sm_air_eval_row(NULL, 0, out, cur, nxt, pubs, chal, scratch), STARKML_ERR_ARG);
  sm_air_block_in in;
  memset(&in, 0, sizeof in);
  gl_t bs[64];
  assert_int_equal(sm_air_eval_block(&good, 0, out, &in, 1, bs), STARKML_ERR_ARG);
  assert_int_equal(sm_air_block_scratch_len(&good, 0), 0);
  assert_int_equal(sm_air_block_scratch_len(&good, SIZE_MAX / 2), 0);
  sm_air_table_free(&good);
}

/* Batch inversion agrees with sm_gl3_inv element by element, zeros included, in place too. */
static void gl3_batch_inverse(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x696e76ULL;
  for (size_t n = 0; n < 40; n++) {
    gl3_t in[40], out[40], scratch[40];
    for (size_t i = 0; i < n; i++) {
      in[i] = sm_test_next(&s) % 5 == 0 ? gl3_from_base(0) : rand_gl3(&s);
    }
    if (n > 3) in[3] = gl3_from_base(1);
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++) zeros += gl3_eq(in[i], gl3_from_base(0));
    assert_int_equal(sm_air_gl3_batch_inv(out, in, n, scratch), zeros);
    for (size_t i = 0; i < n; i++) {
      assert_true(gl3_eq(out[i], sm_gl3_inv(in[i])));
      if (!gl3_eq(in[i], gl3_from_base(0)))
        assert_true(gl3_eq(gl3_mul(out[i], in[i]), gl3_from_base(1)));
    }
    /* In place. */
    assert_int_equal(sm_air_gl3_batch_inv(in, in, n, scratch), zeros);
    for (size_t i = 0; i < n; i++) assert_true(gl3_eq(in[i], out[i]));
  }
}

static void logup_extend_shape(void **state) {
  (void)state;
  sm_air_table good, ext, ext2;
  make_good(&good);
  assert_int_equal(sm_air_logup_n_aux(&good), 3);
  assert_int_equal(sm_air_logup_extend(&good, &ext), STARKML_OK);
  assert_int_equal(ext.n_constraints, good.n_constraints + 2 + 3);
  assert_int_equal(ext.n_interactions, good.n_interactions);
  assert_int_equal(sm_air_logup_n_aux(&ext), 3);
  assert_int_equal(sm_air_validate(&ext, 3, NULL, 0), STARKML_OK);
  char why[96];
  assert_int_equal(sm_air_validate(&ext, 2, why, sizeof why), STARKML_ERR_ARG);
  assert_non_null(strstr(why, "column"));
  /* The original constraints come first, unchanged; the new selectors in order. */
  for (size_t j = 0; j < good.n_constraints; j++) {
    assert_int_equal(ext.constraints[j].root, good.constraints[j].root);
  }
  const uint8_t sel[5] = {SM_SEL_EVERY, SM_SEL_EVERY, SM_SEL_FIRST, SM_SEL_TRANSITION, SM_SEL_LAST};
  for (size_t j = 0; j < 5; j++) assert_int_equal(ext.constraints[4 + j].selector, sel[j]);
  /* An extended table is not a description: extending it again is refused. */
  assert_int_equal(sm_air_logup_extend(&ext, &ext2), STARKML_ERR_ARG);
  assert_null(ext2.nodes);
  sm_air_table_free(&ext);

  /* Without interactions, the extension is a plain copy with no aux columns. */
  sm_air_toy fib;
  assert_int_equal(sm_air_toy_fibonacci(&fib, 4, 0, 1), STARKML_OK);
  assert_int_equal(sm_air_logup_n_aux(&fib.t[0].table), 0);
  assert_int_equal(sm_air_logup_extend(&fib.t[0].table, &ext), STARKML_OK);
  assert_tables_equal(&fib.t[0].table, &ext);
  gl3_t claimed = {{1, 1, 1}};
  assert_int_equal(sm_air_logup_aux_trace(&fib.t[0].table, NULL, &claimed, NULL, fib.t[0].main,
                                          fib.t[0].publics, gl3_from_base(3), gl3_from_base(5)),
                   STARKML_OK);
  assert_true(gl3_eq(claimed, gl3_from_base(0)));
  sm_air_table_free(&ext);
  sm_air_toy_free(&fib);
  sm_air_table_free(&good);
}

SM_TEST_MAIN(cmocka_unit_test(validate_rejects_malformed),
             cmocka_unit_test(validate_survives_garbage), cmocka_unit_test(builder_reports_errors),
             cmocka_unit_test(encode_decode_roundtrip), cmocka_unit_test(hash_is_pinned),
             cmocka_unit_test(encoding_layout), cmocka_unit_test(decode_is_strict),
             cmocka_unit_test(decode_rejects_nul_in_name),
             cmocka_unit_test(degrees), cmocka_unit_test(block_lanes),
             cmocka_unit_test(row_and_block_agree),
             cmocka_unit_test(eval_row_rejects_bad_input), cmocka_unit_test(gl3_batch_inverse),
             cmocka_unit_test(logup_extend_shape))
