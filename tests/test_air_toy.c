/*
 * The toy AIRs (air/toy.h) as regression tests of the constraint machinery: on every
 * honest trace every constraint, the LogUp constraints included (aux trace built for
 * random challenges), vanishes on its rows and the claimed sums of a bus add up to zero;
 * one changed witness cell of each kind breaks a constraint or the bus balance.
 *
 * Two independent oracles are compared on every check: sm_air_check_trace (the block
 * evaluator over the trace) and a row-by-row loop over sm_air_eval_row written here.
 */
#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/air.h"
#include "air/toy.h"

static gl3_t rand_gl3(uint64_t *s) {
  gl3_t r = {
      {gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s)), gl_from_u64(sm_test_next(s))}};
  return r;
}

static const gl3_t k_zero = {{0, 0, 0}};

/* A toy table with its LogUp extension and auxiliary trace. */
typedef struct {
  sm_air_table ext;
  uint32_t n_aux;
  gl3_t *aux;
  gl3_t chal[SM_AIR_N_CHALLENGES]; /* alpha, beta, claimed */
} extended;

static void extend(extended *e, const sm_air_toy_table *tt, gl3_t alpha, gl3_t beta) {
  memset(e, 0, sizeof *e);
  assert_int_equal(sm_air_logup_extend(&tt->table, &e->ext), STARKML_OK);
  e->n_aux = sm_air_logup_n_aux(&tt->table);
  size_t n = (size_t)1 << tt->table.log_n;
  if (e->n_aux > 0) {
    e->aux = calloc(e->n_aux * n, sizeof *e->aux);
    assert_non_null(e->aux);
  }
  e->chal[0] = alpha;
  e->chal[1] = beta;
  assert_int_equal(sm_air_logup_aux_trace(&tt->table, e->aux, &e->chal[2], tt->pre, tt->main,
                                          tt->publics, alpha, beta),
                   STARKML_OK);
}

static void extended_free(extended *e) {
  sm_air_table_free(&e->ext);
  free(e->aux);
  memset(e, 0, sizeof *e);
}

/* Row-by-row oracle: 1 when every constraint vanishes on its selector's rows. */
static int rows_ok(const sm_air_table *t, uint32_t n_aux, const gl_t *pre, const gl_t *main,
                   const gl3_t *aux, const gl_t *pubs, const gl3_t *chal) {
  size_t n = (size_t)1 << t->log_n, nb = (size_t)t->n_pre + t->n_main;
  gl3_t *cur = malloc((nb + n_aux + 1) * sizeof *cur),
        *nxt = malloc((nb + n_aux + 1) * sizeof *nxt);
  gl3_t *out = malloc((t->n_constraints + 1) * sizeof *out);
  gl3_t *scratch = malloc((t->n_nodes + 1) * sizeof *scratch);
  assert_true(cur && nxt && out && scratch);
  int ok = 1;
  for (size_t i = 0; i < n && ok; i++) {
    size_t j = (i + 1) % n;
    for (size_t c = 0; c < t->n_pre; c++) {
      cur[c] = gl3_from_base(pre[c * n + i]);
      nxt[c] = gl3_from_base(pre[c * n + j]);
    }
    for (size_t c = 0; c < t->n_main; c++) {
      cur[t->n_pre + c] = gl3_from_base(main[c * n + i]);
      nxt[t->n_pre + c] = gl3_from_base(main[c * n + j]);
    }
    for (size_t c = 0; c < n_aux; c++) {
      cur[nb + c] = aux[c * n + i];
      nxt[nb + c] = aux[c * n + j];
    }
    assert_int_equal(sm_air_eval_row(t, n_aux, out, cur, nxt, pubs, chal, scratch), STARKML_OK);
    for (size_t k = 0; k < t->n_constraints; k++) {
      unsigned sel = t->constraints[k].selector;
      int active = sel == SM_SEL_EVERY || (sel == SM_SEL_FIRST && i == 0) ||
                   (sel == SM_SEL_LAST && i == n - 1) || (sel == SM_SEL_TRANSITION && i < n - 1);
      if (active && !gl3_eq(out[k], k_zero)) ok = 0;
    }
  }
  free(cur);
  free(nxt);
  free(out);
  free(scratch);
  return ok;
}

/* Both oracles on the extended table; they must agree. Returns 1 when all constraints hold. */
static int constraints_hold(const sm_air_toy_table *tt, const extended *e) {
  size_t row, con;
  starkml_status st = sm_air_check_trace(&e->ext, e->n_aux, &row, &con, tt->pre, tt->main, e->aux,
                                         tt->publics, e->chal);
  assert_true(st == STARKML_OK || st == STARKML_REJECT);
  int ok = rows_ok(&e->ext, e->n_aux, tt->pre, tt->main, e->aux, tt->publics, e->chal);
  assert_int_equal(ok, st == STARKML_OK);
  if (st == STARKML_OK) {
    assert_int_equal(row, SIZE_MAX);
  } else {
    assert_true(row < ((size_t)1 << tt->table.log_n) && con < e->ext.n_constraints);
  }
  return ok;
}

/* Extends every table of a toy for fresh challenges; returns 1 when every constraint of
 * every table holds, and writes the sum of the claimed LogUp sums. */
static int toy_holds(const sm_air_toy *toy, uint64_t *s, gl3_t *bus_sum) {
  gl3_t alpha = rand_gl3(s), beta = rand_gl3(s);
  int ok = 1;
  *bus_sum = k_zero;
  for (size_t i = 0; i < toy->n_tables; i++) {
    extended e;
    extend(&e, &toy->t[i], alpha, beta);
    ok &= constraints_hold(&toy->t[i], &e);
    *bus_sum = gl3_add(*bus_sum, e.chal[2]);
    extended_free(&e);
  }
  return ok;
}

/* ---- Fibonacci ---------------------------------------------------------------------------- */

static void fibonacci_honest(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x666962ULL;
  sm_air_toy fib;
  assert_int_equal(sm_air_toy_fibonacci(&fib, 4, 0, 1), STARKML_OK);
  assert_int_equal(fib.n_tables, 1);
  assert_int_equal(fib.t[0].publics[2], 987); /* b[15] = F(16) */
  gl3_t sum;
  assert_int_equal(toy_holds(&fib, &s, &sum), 1);
  assert_true(gl3_eq(sum, k_zero));
  sm_air_toy_free(&fib);
  for (unsigned log_n = SM_AIR_MIN_LOG_N; log_n <= 9; log_n++) {
    assert_int_equal(sm_air_toy_fibonacci(&fib, log_n, gl_from_u64(sm_test_next(&s)),
                                          gl_from_u64(sm_test_next(&s))),
                     STARKML_OK);
    assert_int_equal(toy_holds(&fib, &s, &sum), 1);
    sm_air_toy_free(&fib);
  }
  assert_int_equal(sm_air_toy_fibonacci(&fib, 1, 0, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_air_toy_fibonacci(&fib, 4, GL_P, 1), STARKML_ERR_ARG);
  assert_int_equal(fib.n_tables, 0);
}

/* Checks the plain table and returns the first failure (row, constraint). */
static starkml_status fib_check(const sm_air_toy_table *tt, size_t *row, size_t *con) {
  gl3_t chal[SM_AIR_N_CHALLENGES] = {{{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}};
  starkml_status st =
      sm_air_check_trace(&tt->table, 0, row, con, tt->pre, tt->main, NULL, tt->publics, chal);
  assert_int_equal(rows_ok(&tt->table, 0, tt->pre, tt->main, NULL, tt->publics, chal),
                   st == STARKML_OK);
  return st;
}

static void fibonacci_tamper(void **state) {
  (void)state;
  const unsigned log_n = 5;
  const size_t n = (size_t)1 << log_n;
  for (int which = 0; which < 6; which++) {
    sm_air_toy fib;
    assert_int_equal(sm_air_toy_fibonacci(&fib, log_n, 2, 3), STARKML_OK);
    sm_air_toy_table *tt = &fib.t[0];
    gl_t *a = tt->main, *b = tt->main + n;
    size_t row = 0, con = 0, want_row = 0, want_con = 0;
    switch (which) {
      case 0: /* transition: a[6] != b[5] */
        a[6] = gl_add(a[6], 1);
        want_row = 5, want_con = 0;
        break;
      case 1: /* transition: b[9] != a[8] + b[8] */
        b[9] = gl_add(b[9], 1);
        want_row = 8, want_con = 1;
        break;
      case 2: /* boundary first, through the public value */
        tt->publics[0] = gl_add(tt->publics[0], 1);
        want_row = 0, want_con = 2;
        break;
      case 3: /* boundary first, through the witness (row 0's transition breaks first) */
        b[0] = gl_add(b[0], 1);
        want_row = 0, want_con = 0;
        break;
      case 4: /* boundary last, through the public value */
        tt->publics[2] = gl_sub(tt->publics[2], 1);
        want_row = n - 1, want_con = 4;
        break;
      default: /* boundary last, through the witness */
        b[n - 1] = gl_add(b[n - 1], 1);
        want_row = n - 2, want_con = 1;
        break;
    }
    assert_int_equal(fib_check(tt, &row, &con), STARKML_REJECT);
    assert_int_equal(row, want_row);
    assert_int_equal(con, want_con);
    sm_air_toy_free(&fib);
  }
}

/* ---- Range check -------------------------------------------------------------------------- */

static void range_check_honest(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x72616eULL;
  for (unsigned log_n = SM_AIR_MIN_LOG_N; log_n <= 10; log_n += 2) {
    sm_air_toy rc;
    assert_int_equal(sm_air_toy_range_check(&rc, log_n, sm_test_next(&s)), STARKML_OK);
    assert_int_equal(rc.n_tables, 2);
    assert_int_equal(rc.t[1].table.log_n, 8);
    gl_t total = 0;
    for (size_t v = 0; v < 256; v++) {
      assert_int_equal(rc.t[1].pre[v], v);
      total += rc.t[1].main[v];
    }
    assert_int_equal(total, (gl_t)1 << log_n);
    for (size_t i = 0; i < ((size_t)1 << log_n); i++) assert_true(rc.t[0].main[i] < 256);
    gl3_t sum;
    assert_int_equal(toy_holds(&rc, &s, &sum), 1);
    assert_true(gl3_eq(sum, k_zero));
    sm_air_toy_free(&rc);
  }
}

static void range_check_tamper(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x746d70ULL;
  for (int which = 0; which < 4; which++) {
    sm_air_toy rc;
    assert_int_equal(sm_air_toy_range_check(&rc, 6, sm_test_next(&s)), STARKML_OK);
    gl_t *x = rc.t[0].main, *mult = rc.t[1].main;
    switch (which) {
      case 0: /* lookup multiplicity: one extra count */ mult[sm_test_next(&s) % 256] += 1; break;
      case 1: /* bus value out of the range, multiplicities left alone */ x[7] = 256; break;
      case 2: /* bus value changed within the range without recounting */
        x[7] = (x[7] + 1) & 0xFF;
        break;
      default: /* out of range with the multiplicity moved, as a cheating prover would */
        mult[x[7]] -= 1;
        x[7] = GL_P - 1;
        break;
    }
    /* Every constraint still holds (the aux trace is recomputed honestly for the changed
     * witness); it is the bus balance that catches the change. */
    gl3_t sum;
    assert_int_equal(toy_holds(&rc, &s, &sum), 1);
    assert_false(gl3_eq(sum, k_zero));
    sm_air_toy_free(&rc);
  }
}

/* ---- Bus between tables of different heights --------------------------------------------- */

static void bus_honest(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x627573ULL;
  for (unsigned log_n = SM_AIR_MIN_LOG_N; log_n <= 7; log_n++) {
    sm_air_toy bus;
    assert_int_equal(sm_air_toy_bus(&bus, log_n, sm_test_next(&s)), STARKML_OK);
    assert_int_equal(bus.t[1].table.log_n, log_n + 2);
    size_t n = (size_t)1 << log_n, nc = n << 2, ones = 0;
    for (size_t r = 0; r < nc; r++) {
      gl_t sel = bus.t[1].main[2 * nc + r];
      assert_true(sel <= 1);
      ones += sel;
    }
    assert_int_equal(ones, n);
    gl3_t sum;
    assert_int_equal(toy_holds(&bus, &s, &sum), 1);
    assert_true(gl3_eq(sum, k_zero));
    sm_air_toy_free(&bus);
  }
  sm_air_toy bus;
  assert_int_equal(sm_air_toy_bus(&bus, SM_AIR_MAX_LOG_N - 1, 1), STARKML_ERR_ARG);
}

static void bus_tamper(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x627474ULL;
  for (int which = 0; which < 5; which++) {
    sm_air_toy bus;
    assert_int_equal(sm_air_toy_bus(&bus, 4, sm_test_next(&s)), STARKML_OK);
    size_t n = 16, nc = 64;
    gl_t *y = bus.t[0].main + n;
    gl_t *cx = bus.t[1].main, *sel = cx + 2 * nc;
    size_t real = 0, pad = 0;
    while (sel[real] != 1) real++;
    while (sel[pad] != 0) pad++;
    int want_constraints = 1;
    switch (which) {
      case 0: /* every-row (consumer): a selector that is not a bit */
        sel[pad] = 2;
        want_constraints = 0;
        break;
      case 1: /* every-row (squares): y != x^2 */
        y[3] = gl_add(y[3], 1);
        want_constraints = 0;
        break;
      case 2: /* bus value: the consumer holds a different x */
        cx[real] = gl_add(cx[real], 1);
        break;
      case 3: /* multiplicity: a real row switched off */ sel[real] = 0; break;
      default: /* multiplicity: a padding row switched on */ sel[pad] = 1; break;
    }
    gl3_t sum;
    int ok = toy_holds(&bus, &s, &sum);
    assert_int_equal(ok, want_constraints);
    if (ok) assert_false(gl3_eq(sum, k_zero));
    sm_air_toy_free(&bus);
  }
}

/* The LogUp constraints themselves catch a wrong aux trace or claimed sum. */
static void logup_aux_tamper(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x617578ULL;
  sm_air_toy bus;
  assert_int_equal(sm_air_toy_bus(&bus, 3, sm_test_next(&s)), STARKML_OK);
  const sm_air_toy_table *tt = &bus.t[1];
  size_t n = (size_t)1 << tt->table.log_n;
  for (int which = 0; which < 5; which++) {
    extended e;
    extend(&e, tt, rand_gl3(&s), rand_gl3(&s));
    assert_int_equal(e.n_aux, 2);
    assert_int_equal(constraints_hold(tt, &e), 1);
    size_t r = sm_test_next(&s) % n;
    gl3_t one = gl3_from_base(1);
    switch (which) {
      case 0: /* a helper value (EVERY h (alpha - phi) - m) */
        e.aux[r] = gl3_add(e.aux[r], one);
        break;
      case 1: /* the running sum in the middle (TRANSITION) */
        e.aux[n + n / 2] = gl3_add(e.aux[n + n / 2], one);
        break;
      case 2: /* the running sum's start (FIRST) */ e.aux[n] = gl3_add(e.aux[n], one); break;
      case 3: /* the claimed sum (LAST) */ e.chal[2] = gl3_add(e.chal[2], one); break;
      default: /* other challenges than the aux trace was built for */
        e.chal[1] = gl3_add(e.chal[1], one);
        break;
    }
    assert_int_equal(constraints_hold(tt, &e), 0);
    extended_free(&e);
  }
  sm_air_toy_free(&bus);
}

/*
 * Folded interactions (constant tuple, multiplicity a current-row column or its negation):
 * no helper column, their m / (alpha - phi) in the running sum (sm_air_logup_extend). A
 * table with one ordinary interaction, two folded ones and one that reads the next row
 * (not foldable) gets 2 helpers + the sum; the claimed sum equals the sum of every
 * contribution computed here directly; changing a folded multiplicity, the running sum or
 * the claimed sum breaks the constraints. Nine foldable interactions: eight are folded.
 */
static void logup_folded_interactions(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x666f6c64ULL;
  const unsigned log_n = 3;
  const size_t n = (size_t)1 << log_n;
  sm_air_builder b;
  sm_air_builder_init(&b, "folded", log_n, 0, 5, 0);
  uint32_t c[5];
  for (uint32_t k = 0; k < 5; k++) c[k] = sm_ab_col(&b, SM_COL_MAIN, k, 0);
  uint32_t k7 = sm_ab_const(&b, 7), k9 = sm_ab_const(&b, 9), k11 = sm_ab_const(&b, 11);
  sm_ab_interaction(&b, 5, c[0], (uint32_t[]){c[1]}, 1);               /* helper */
  sm_ab_interaction(&b, 6, c[2], (uint32_t[]){k7, k9}, 2);             /* folded */
  sm_ab_interaction(&b, 6, sm_ab_neg(&b, c[3]), (uint32_t[]){k11}, 1); /* folded */
  sm_ab_interaction(&b, 8, sm_ab_col(&b, SM_COL_MAIN, 4, 1), (uint32_t[]){k7}, 1); /* helper */
  sm_ab_constraint(&b, sm_ab_sub(&b, c[1], c[1]), SM_SEL_EVERY);
  sm_air_toy_table tt;
  memset(&tt, 0, sizeof tt);
  assert_int_equal(sm_ab_finish(&b, &tt.table, NULL, 0), STARKML_OK);
  assert_int_equal(sm_air_logup_n_aux(&tt.table), 3);
  tt.main = calloc(5 * n, sizeof *tt.main);
  assert_non_null(tt.main);
  for (size_t i = 0; i < 5 * n; i++) tt.main[i] = gl_from_u64(sm_test_next(&s) % 1000);

  extended e;
  gl3_t alpha = rand_gl3(&s), beta = rand_gl3(&s);
  extend(&e, &tt, alpha, beta);
  assert_int_equal(e.n_aux, 3);
  assert_int_equal(sm_air_validate(&e.ext, 3, NULL, 0), STARKML_OK);
  assert_int_equal(constraints_hold(&tt, &e), 1);
  /* The claimed sum, contribution by contribution. */
  gl3_t want = gl3_from_base(0), b2 = gl3_mul(beta, beta);
  for (size_t r = 0; r < n; r++) {
    const gl_t *m = tt.main;
    gl3_t d0 = gl3_sub(alpha, gl3_add(gl3_from_base(5), gl3_mul_base(beta, m[n + r])));
    gl3_t d1 = gl3_sub(alpha, gl3_add(gl3_from_base(6), gl3_add(gl3_mul_base(beta, 7), gl3_mul_base(b2, 9))));
    gl3_t d2 = gl3_sub(alpha, gl3_add(gl3_from_base(6), gl3_mul_base(beta, 11)));
    gl3_t d3 = gl3_sub(alpha, gl3_add(gl3_from_base(8), gl3_mul_base(beta, 7)));
    want = gl3_add(want, gl3_mul_base(sm_gl3_inv(d0), m[r]));
    want = gl3_add(want, gl3_mul_base(sm_gl3_inv(d1), m[2 * n + r]));
    want = gl3_sub(want, gl3_mul_base(sm_gl3_inv(d2), m[3 * n + r]));
    want = gl3_add(want, gl3_mul_base(sm_gl3_inv(d3), m[4 * n + (r + 1) % n]));
  }
  assert_true(gl3_eq(e.chal[2], want));
  /* A folded multiplicity is constrained through the running sum. */
  for (int which = 0; which < 4; which++) {
    const size_t r = sm_test_next(&s) % n;
    gl_t saved = 0;
    gl3_t one = gl3_from_base(1);
    switch (which) {
      case 0: saved = tt.main[2 * n + r], tt.main[2 * n + r] = gl_add(saved, 1); break;
      case 1: saved = tt.main[3 * n + r], tt.main[3 * n + r] = gl_add(saved, 1); break;
      case 2: e.aux[2 * n + r] = gl3_add(e.aux[2 * n + r], one); break;
      default: e.chal[2] = gl3_add(e.chal[2], one); break;
    }
    assert_int_equal(constraints_hold(&tt, &e), 0);
    if (which == 0) tt.main[2 * n + r] = saved;
    if (which == 1) tt.main[3 * n + r] = saved;
    if (which == 2) e.aux[2 * n + r] = gl3_sub(e.aux[2 * n + r], one);
    if (which == 3) e.chal[2] = gl3_sub(e.chal[2], one);
    assert_int_equal(constraints_hold(&tt, &e), 1);
  }
  extended_free(&e);
  sm_air_table_free(&tt.table);

  /* Nine foldable interactions: the first eight are folded, the ninth gets a helper. */
  sm_air_builder_init(&b, "folded9", log_n, 0, 5, 0);
  for (uint32_t k = 0; k < 9; k++) {
    uint32_t v = sm_ab_const(&b, 100 + k);
    sm_ab_interaction(&b, 9, sm_ab_col(&b, SM_COL_MAIN, k % 5, 0), &v, 1);
  }
  assert_int_equal(sm_ab_finish(&b, &tt.table, NULL, 0), STARKML_OK);
  assert_int_equal(sm_air_logup_n_aux(&tt.table), 2);
  extend(&e, &tt, rand_gl3(&s), rand_gl3(&s));
  assert_int_equal(constraints_hold(&tt, &e), 1);
  e.aux[n + 1] = gl3_add(e.aux[n + 1], gl3_from_base(1));
  assert_int_equal(constraints_hold(&tt, &e), 0);
  extended_free(&e);
  sm_air_table_free(&tt.table);
  free(tt.main);
}

/* A seed names one witness; different seeds give different ones. */
static void toys_are_deterministic(void **state) {
  (void)state;
  sm_air_toy a, b, c;
  assert_int_equal(sm_air_toy_bus(&a, 4, 42), STARKML_OK);
  assert_int_equal(sm_air_toy_bus(&b, 4, 42), STARKML_OK);
  assert_int_equal(sm_air_toy_bus(&c, 4, 43), STARKML_OK);
  for (size_t i = 0; i < 2; i++) {
    size_t len = a.t[i].table.n_main * ((size_t)1 << a.t[i].table.log_n) * sizeof(gl_t);
    assert_memory_equal(a.t[i].main, b.t[i].main, len);
    assert_memory_not_equal(a.t[i].main, c.t[i].main, len);
  }
  sm_air_toy_free(&a);
  sm_air_toy_free(&b);
  sm_air_toy_free(&c);
  assert_int_equal(sm_air_toy_range_check(&a, 6, 42), STARKML_OK);
  assert_int_equal(sm_air_toy_range_check(&b, 6, 42), STARKML_OK);
  assert_memory_equal(a.t[0].main, b.t[0].main, 64 * sizeof(gl_t));
  assert_memory_equal(a.t[1].main, b.t[1].main, 256 * sizeof(gl_t));
  sm_air_toy_free(&a);
  sm_air_toy_free(&b);
  sm_air_toy_free(NULL);
}

/* Large traces (2^20 rows) through the block evaluator only; the row oracle would take
 * minutes there. */
static void large_traces_slow(void **state) {
  (void)state;
  uint64_t s = sm_test_seed() ^ 0x6c7267ULL;
  sm_air_toy toys[3];
  assert_int_equal(sm_air_toy_fibonacci(&toys[0], 20, 0, 1), STARKML_OK);
  assert_int_equal(sm_air_toy_range_check(&toys[1], 20, sm_test_next(&s)), STARKML_OK);
  assert_int_equal(sm_air_toy_bus(&toys[2], 18, sm_test_next(&s)), STARKML_OK);
  for (size_t i = 0; i < 3; i++) {
    gl3_t alpha = rand_gl3(&s), beta = rand_gl3(&s), sum = k_zero;
    for (size_t k = 0; k < toys[i].n_tables; k++) {
      extended e;
      extend(&e, &toys[i].t[k], alpha, beta);
      const sm_air_toy_table *tt = &toys[i].t[k];
      assert_int_equal(sm_air_check_trace(&e.ext, e.n_aux, NULL, NULL, tt->pre, tt->main, e.aux,
                                          tt->publics, e.chal),
                       STARKML_OK);
      sum = gl3_add(sum, e.chal[2]);
      extended_free(&e);
    }
    assert_true(gl3_eq(sum, k_zero));
    sm_air_toy_free(&toys[i]);
  }
}

SM_TEST_MAIN(cmocka_unit_test(fibonacci_honest), cmocka_unit_test(fibonacci_tamper),
             cmocka_unit_test(range_check_honest), cmocka_unit_test(range_check_tamper),
             cmocka_unit_test(bus_honest), cmocka_unit_test(bus_tamper),
             cmocka_unit_test(logup_aux_tamper), cmocka_unit_test(logup_folded_interactions), cmocka_unit_test(toys_are_deterministic),
             cmocka_unit_test(large_traces_slow))
