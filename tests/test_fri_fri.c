/*
 * Batched FRI (fri/fri.h): the schedule rule; honest proofs over one and several heights
 * for every arity and several blowups; the final polynomial against an independent
 * coefficient-domain fold (the draft's C'(y) = sum_r b^r C_r(y)); too-high degree caught
 * at commit and by queries; tampering with every part of a proof; thread-count
 * independence; serialization round trip and strict parsing.
 *
 * Honest inputs are random polynomials (three base columns per gl3 codeword) of degree
 * < N/B evaluated with sm_coset_eval on L_N, shift g^(N_max/N), bit-reversed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fri/fri.h"
#include "tests/sm_test.h"

#define DOMAIN "starkml/test/fri"

static gl_t random_gl(uint64_t *rng) { return gl_from_u64(sm_test_next(rng)); }

static gl3_t random_gl3(uint64_t *rng) {
  gl3_t r = {{random_gl(rng), random_gl(rng), random_gl(rng)}};
  return r;
}

/* One input: its coefficients (gl3, n_coeffs of them) and its codeword. */
typedef struct {
  unsigned log_size;
  size_t n_coeffs;
  gl3_t *coeffs;
  gl3_t *values;
} test_input;

static sm_ntt_plan *make_plan(unsigned max_log_n) {
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, max_log_n, 1), STARKML_OK);
  return plan;
}

/*
 * A random polynomial with n_coeffs coefficients (or, when random_values is set, a random
 * vector: no low-degree structure at all) evaluated on L_N, N = 2^log_size.
 */
static test_input make_input(sm_ntt_plan *plan, unsigned log_max, unsigned log_size,
                             size_t n_coeffs, int random_values, uint64_t *rng) {
  test_input in;
  size_t N = (size_t)1 << log_size;
  in.log_size = log_size;
  in.n_coeffs = n_coeffs;
  in.coeffs = calloc(n_coeffs > 0 ? n_coeffs : 1, sizeof *in.coeffs);
  in.values = malloc(N * sizeof *in.values);
  assert_non_null(in.coeffs);
  assert_non_null(in.values);
  if (random_values) {
    for (size_t i = 0; i < N; i++) in.values[i] = random_gl3(rng);
    return in;
  }
  gl_t *cols = malloc(3 * n_coeffs * sizeof *cols), *ev = malloc(3 * N * sizeof *ev);
  assert_non_null(cols);
  assert_non_null(ev);
  for (size_t k = 0; k < n_coeffs; k++) {
    in.coeffs[k] = random_gl3(rng);
    for (size_t c = 0; c < 3; c++) cols[c * n_coeffs + k] = in.coeffs[k].v[c];
  }
  gl_t shift = gl_exp(GL_GENERATOR, (uint64_t)1 << (log_max - log_size));
  assert_int_equal(sm_coset_eval(plan, ev, N, cols, n_coeffs, n_coeffs, 3, log_size, shift),
                   STARKML_OK);
  for (size_t i = 0; i < N; i++)
    for (size_t c = 0; c < 3; c++) in.values[i].v[c] = ev[c * N + i];
  free(cols);
  free(ev);
  return in;
}

static void free_input(test_input *in) {
  free(in->coeffs);
  free(in->values);
}

/* Inputs for the given log sizes, each of degree < N/B + extra[t] (extra may be NULL). */
typedef struct {
  size_t n;
  test_input in[8];
  sm_fri_input fi[8];
  unsigned sizes[8];
  unsigned log_max;
  sm_ntt_plan *plan;
} test_set;

static void make_set(test_set *ts, const unsigned *sizes, size_t n, unsigned log_blowup,
                     const size_t *extra, uint64_t *rng) {
  assert_true(n <= 8);
  ts->n = n;
  ts->log_max = 0;
  for (size_t t = 0; t < n; t++)
    if (sizes[t] > ts->log_max) ts->log_max = sizes[t];
  ts->plan = make_plan(ts->log_max);
  for (size_t t = 0; t < n; t++) {
    size_t nc = ((size_t)1 << (sizes[t] - log_blowup)) + (extra ? extra[t] : 0);
    ts->in[t] = make_input(ts->plan, ts->log_max, sizes[t], nc, 0, rng);
    ts->fi[t] = (sm_fri_input){sizes[t], ts->in[t].values, NULL};
    ts->sizes[t] = sizes[t];
  }
}

static void free_set(test_set *ts) {
  for (size_t t = 0; t < ts->n; t++) free_input(&ts->in[t]);
  sm_ntt_plan_free(ts->plan);
}

/* The injected values of query i0 at every layer (sum of the inputs of that size). */
static void injected_for(gl3_t *inj, const sm_fri_schedule *s, const test_set *ts, size_t i0) {
  for (unsigned j = 0; j <= s->n_layers; j++) {
    size_t idx = sm_fri_layer_index(s, i0, j);
    inj[j] = gl3_from_base(0);
    for (size_t t = 0; t < ts->n; t++)
      if (ts->sizes[t] == s->log_size[j]) inj[j] = gl3_add(inj[j], ts->in[t].values[idx]);
  }
}

static int digest_eq(const sm_digest *a, const sm_digest *b) {
  return memcmp(a->b, b->b, SM_DIGEST_LEN) == 0;
}

/* Every input size is a layer size, arities chain the sizes, and the last layer is the
 * final size: the invariants of sm_fri_schedule. */
static void check_schedule_invariants(const sm_fri_schedule *s, const sm_fri_params *p,
                                      const unsigned *sizes, size_t n) {
  assert_int_equal(s->log_size[0], s->log_max_size);
  assert_int_equal(s->log_size[s->n_layers], s->log_final_size);
  assert_int_equal(s->n_final, (size_t)1 << (s->log_final_size - p->log_blowup));
  for (unsigned j = 0; j < s->n_layers; j++) {
    assert_true(s->log_arity[j] >= 1 && s->log_arity[j] <= p->log_arity);
    assert_int_equal(s->log_size[j + 1], s->log_size[j] - s->log_arity[j]);
  }
  for (size_t t = 0; t < n; t++) {
    int found = 0;
    for (unsigned j = 0; j <= s->n_layers; j++)
      if (s->log_size[j] == sizes[t]) found = s->injected[j];
    assert_true(found);
  }
  assert_true(s->injected[0]);
}

/* Commit, replay, open and verify q queries (indices from the transcript, as the STARK
 * layer will draw them). Returns the prover (for further checks). */
static void prove_verify(const test_set *ts, const sm_fri_params *p, size_t n_queries) {
  sm_transcript tp, tv;
  sm_tr_init(&tp, DOMAIN);
  sm_tr_init(&tv, DOMAIN);
  sm_fri_prover pr;
  assert_int_equal(sm_fri_commit(&pr, &tp, ts->plan, p, ts->fi, ts->n), STARKML_OK);
  check_schedule_invariants(&pr.sched, p, ts->sizes, ts->n);
  sm_fri_verifier v;
  assert_int_equal(sm_fri_verifier_init(&v, &tv, p, ts->sizes, ts->n, pr.roots,
                                        pr.sched.n_layers, pr.final_coeffs, pr.sched.n_final),
                   STARKML_OK);
  assert_memory_equal(tp.state, tv.state, sizeof tp.state);
  for (unsigned j = 0; j < pr.sched.n_layers; j++)
    assert_true(gl3_eq(pr.betas[j], v.betas[j]));
  size_t idx[64];
  assert_true(n_queries <= 64);
  sm_tr_challenge_indices(&tp, "queries", idx, n_queries, pr.sched.log_max_size);
  gl3_t inj[SM_FRI_MAX_LAYERS + 1];
  for (size_t k = 0; k < n_queries; k++) {
    sm_fri_query_proof q;
    assert_int_equal(sm_fri_open(&q, &pr, idx[k]), STARKML_OK);
    injected_for(inj, &v.sched, ts, idx[k]);
    sm_fri_reason why;
    starkml_status st = sm_fri_verify_query(&why, &v, idx[k], inj, v.sched.n_layers + 1, &q);
    if (st != STARKML_OK)
      fail_msg("query %zu rejected: %s", idx[k], sm_fri_reason_str(why));
    sm_fri_query_proof_free(&q);
  }
  /* Every index of a small domain (covers the first and last runs of every layer). */
  if (pr.sched.log_max_size <= 8) {
    for (size_t i0 = 0; i0 < ((size_t)1 << pr.sched.log_max_size); i0++) {
      sm_fri_query_proof q;
      assert_int_equal(sm_fri_open(&q, &pr, i0), STARKML_OK);
      injected_for(inj, &v.sched, ts, i0);
      assert_int_equal(sm_fri_verify_query(NULL, &v, i0, inj, v.sched.n_layers + 1, &q),
                       STARKML_OK);
      sm_fri_query_proof_free(&q);
    }
  }
  sm_fri_verifier_free(&v);
  sm_fri_prover_free(&pr);
  sm_tr_free(&tp);
  sm_tr_free(&tv);
}

/* ---- Cases --------------------------------------------------------------------------- */

/* The tables behind sm_fri_point, and the point itself, against exponentiation. */
static void point_tables(void **state) {
  (void)state;
  for (unsigned k = 0; k <= GL_TWO_ADICITY; k++) {
    assert_true(sm_fri__table_root(k) == gl_root_of_unity(k));
    assert_true(sm_fri__table_shift(k) == gl_exp(GL_GENERATOR, (uint64_t)1 << k));
    assert_true(gl_mul(sm_fri__table_root_inv(k), gl_root_of_unity(k)) == 1);
    assert_true(gl_mul(sm_fri__table_shift_inv(k), sm_fri__table_shift(k)) == 1);
  }
  uint64_t rng = sm_test_seed() ^ 0x33;
  for (int it = 0; it < 2000; it++) {
    const unsigned lmax = (unsigned)(sm_test_next(&rng) % 33);
    const unsigned log = lmax ? (unsigned)(sm_test_next(&rng) % (lmax + 1)) : 0;
    const size_t i = (size_t)(sm_test_next(&rng) & ((((uint64_t)1) << log) - 1));
    const gl_t want = gl_mul(gl_exp(GL_GENERATOR, (uint64_t)1 << (lmax - log)),
                             gl_exp(gl_root_of_unity(log), sm_bitrev(i, log)));
    assert_true(sm_fri_point(lmax, log, i) == want);
    assert_true(sm_fri_point_inv(lmax, log, i) == gl_inv(want));
  }
  assert_true(sm_fri_point(5, 6, 0) == 0);
}

static void schedule_rule(void **state) {
  (void)state;
  sm_fri_schedule s;
  /* One input 2^20, arity 16, B = 8, final degree 4: T = 2^5; 20 -> 16 -> 12 -> 8 -> 5. */
  sm_fri_params p = {3, 4, 2, 1, NULL};
  unsigned one[] = {20};
  assert_int_equal(sm_fri_schedule_compute(&s, &p, one, 1), STARKML_OK);
  assert_int_equal(s.n_layers, 4);
  static const unsigned sz1[] = {20, 16, 12, 8, 5}, ar1[] = {4, 4, 4, 3};
  for (unsigned j = 0; j < 4; j++) assert_int_equal(s.log_arity[j], ar1[j]);
  for (unsigned j = 0; j <= 4; j++) assert_int_equal(s.log_size[j], sz1[j]);
  assert_int_equal(s.n_final, 4);
  assert_int_equal(s.log_final_size, 5);
  assert_int_equal(s.injected[0], 1);
  assert_int_equal(s.injected[1] + s.injected[2] + s.injected[3] + s.injected[4], 0);

  /* Several heights, arity 8, B = 4, final degree 8 (T = 2^5), sizes in any order with a
   * repeat: 14 -> 11 (capped: next input is 10) -> 10 -> 7 -> 5. */
  sm_fri_params p2 = {2, 3, 3, 1, NULL};
  unsigned many[] = {10, 7, 14, 10};
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, many, 4), STARKML_OK);
  static const unsigned sz2[] = {14, 11, 10, 7, 5}, ar2[] = {3, 1, 3, 2};
  static const unsigned char in2[] = {1, 0, 1, 1, 0};
  assert_int_equal(s.n_layers, 4);
  for (unsigned j = 0; j < 4; j++) assert_int_equal(s.log_arity[j], ar2[j]);
  for (unsigned j = 0; j <= 4; j++) {
    assert_int_equal(s.log_size[j], sz2[j]);
    assert_int_equal(s.injected[j], in2[j]);
  }
  check_schedule_invariants(&s, &p2, many, 4);

  /* An input at the final size is injected into the final layer. */
  unsigned at_final[] = {9, 5};
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, at_final, 2), STARKML_OK);
  assert_int_equal(s.log_size[s.n_layers], 5);
  assert_int_equal(s.injected[s.n_layers], 1);

  /* N_max <= T: nothing committed, the whole input is the final polynomial. */
  unsigned small[] = {4, 4};
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, small, 2), STARKML_OK);
  assert_int_equal(s.n_layers, 0);
  assert_int_equal(s.log_final_size, 4);
  assert_int_equal(s.n_final, 4);

  /* Random size sets: the invariants hold and every height is hit exactly. */
  uint64_t rng = sm_test_seed() ^ 0x5c;
  for (int it = 0; it < 200; it++) {
    sm_fri_params pr = {1 + (unsigned)(sm_test_next(&rng) % 4),
                        1 + (unsigned)(sm_test_next(&rng) % 4),
                        (unsigned)(sm_test_next(&rng) % 5), 1, NULL};
    unsigned sz[6];
    size_t n = 1 + sm_test_next(&rng) % 6;
    unsigned lo = pr.log_blowup + pr.log_final_degree;
    for (size_t t = 0; t < n; t++) sz[t] = lo + (unsigned)(sm_test_next(&rng) % 14);
    assert_int_equal(sm_fri_schedule_compute(&s, &pr, sz, n), STARKML_OK);
    check_schedule_invariants(&s, &pr, sz, n);
  }

  /* Refused: a size below the final size or below B, no inputs, parameters out of range. */
  unsigned too_small[] = {12, 4};
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, too_small, 2), STARKML_ERR_ARG);
  assert_int_equal(s.n_layers, 0);
  unsigned below_b[] = {1};
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, below_b, 1), STARKML_ERR_ARG);
  unsigned huge[] = {33};
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, huge, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, one, 0), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_schedule_compute(&s, &p2, NULL, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_schedule_compute(NULL, &p2, one, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_schedule_compute(&s, NULL, one, 1), STARKML_ERR_ARG);
  sm_fri_params bad[] = {{0, 2, 2, 1, NULL}, {17, 2, 2, 1, NULL}, {2, 0, 2, 1, NULL},
                         {2, 5, 2, 1, NULL}, {2, 2, 17, 1, NULL}, {2, 2, 2, 0, NULL}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(sm_fri_schedule_compute(&s, &bad[i], one, 1), STARKML_ERR_ARG);

  /* Layer indices and points. */
  assert_int_equal(sm_fri_layer_index(&s, 0, 0), 0);
  assert_int_equal(sm_fri_schedule_compute(&s, &p, one, 1), STARKML_OK);
  assert_int_equal(sm_fri_layer_index(&s, 0xABCDE, 0), 0xABCDE);
  assert_int_equal(sm_fri_layer_index(&s, 0xABCDE, 1), 0xABCD);
  assert_int_equal(sm_fri_layer_index(&s, 0xABCDE, 4), 0xABCDE >> 15);
  /* Positions 2i and 2i + 1 are x and -x; squaring maps onto the half-size domain. */
  for (size_t i = 0; i < 16; i++) {
    gl_t x = sm_fri_point(10, 6, 2 * i), y = sm_fri_point(10, 6, 2 * i + 1);
    assert_true(gl_add(x, y) == 0);
    assert_true(gl_sqr(x) == sm_fri_point(10, 5, i));
  }
  assert_true(sm_fri_point(10, 10, 0) == GL_GENERATOR);
}

/* One input, every arity, blowups 2, 4, 8, at two final degrees. */
static void single_input_all_arities(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x11;
  for (unsigned lb = 1; lb <= 3; lb++) {
    for (unsigned la = 1; la <= 4; la++) {
      for (unsigned lfd = 0; lfd <= 2; lfd += 2) {
        unsigned sizes[] = {lb == 3 ? 11u : 10u};
        test_set ts;
        make_set(&ts, sizes, 1, lb, NULL, &rng);
        sm_fri_params p = {lb, la, lfd, 1, NULL};
        prove_verify(&ts, &p, 16);
        free_set(&ts);
      }
    }
  }
}

/* Several inputs at two and three heights, two of them sharing a height. */
static void multi_height_inputs(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x22;
  static const unsigned set_a[] = {12, 9, 12, 7};
  static const unsigned set_b[] = {8, 11};
  static const unsigned set_c[] = {8, 8, 6, 5, 7};
  struct {
    const unsigned *sizes;
    size_t n;
    sm_fri_params p;
  } cases[] = {
      {set_a, 4, {2, 3, 2, 1, NULL}}, {set_a, 4, {1, 4, 3, 2, NULL}}, {set_b, 2, {3, 2, 1, 1, NULL}},
      {set_b, 2, {2, 4, 0, 1, NULL}}, {set_c, 5, {2, 1, 2, 1, NULL}}, {set_c, 5, {1, 2, 4, 1, NULL}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    test_set ts;
    make_set(&ts, cases[c].sizes, cases[c].n, cases[c].p.log_blowup, NULL, &rng);
    prove_verify(&ts, &cases[c].p, 20);
    free_set(&ts);
  }
}

/* N_max <= B * final degree: no layer is committed; queries check the final polynomial
 * against the injected value directly. */
static void no_committed_layer(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x33;
  unsigned sizes[] = {5, 5};
  test_set ts;
  make_set(&ts, sizes, 2, 2, NULL, &rng);
  sm_fri_params p = {2, 2, 4, 1, NULL};
  prove_verify(&ts, &p, 8);
  /* The final polynomial is the sum of the two inputs, in their own domain variable. */
  sm_transcript tr;
  sm_tr_init(&tr, DOMAIN);
  sm_fri_prover pr;
  assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 2), STARKML_OK);
  assert_int_equal(pr.sched.n_layers, 0);
  assert_int_equal(pr.sched.n_final, 8);
  for (size_t k = 0; k < 8; k++)
    assert_true(gl3_eq(pr.final_coeffs[k], gl3_add(ts.in[0].coeffs[k], ts.in[1].coeffs[k])));
  sm_fri_prover_free(&pr);
  sm_tr_free(&tr);
  free_set(&ts);
}

/*
 * The final polynomial equals the draft's fold computed on coefficients: with
 * C(x) = sum_r x^r C_r(x^a), C' = sum_r b^r C_r, i.e. c'_k = sum_r b^r c_{a k + r}, plus the
 * coefficients of the inputs injected at each height. This checks the evaluation-domain
 * binary folds, the shifts and the bit-reversed indexing against an independent route.
 */
static void final_matches_coefficient_fold(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x44;
  static const unsigned sizes[] = {11, 8, 11, 6};
  for (unsigned la = 1; la <= 4; la++) {
    test_set ts;
    sm_fri_params p = {2, la, 1, 1, NULL};
    make_set(&ts, sizes, 4, p.log_blowup, NULL, &rng);
    sm_transcript tr;
    sm_tr_init(&tr, DOMAIN);
    sm_fri_prover pr;
    assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 4), STARKML_OK);
    const sm_fri_schedule *s = &pr.sched;
    size_t n = (size_t)1 << (s->log_max_size - p.log_blowup);
    gl3_t *c = calloc(n, sizeof *c);
    assert_non_null(c);
    for (size_t t = 0; t < ts.n; t++)
      if (ts.sizes[t] == s->log_size[0])
        for (size_t k = 0; k < ts.in[t].n_coeffs; k++) c[k] = gl3_add(c[k], ts.in[t].coeffs[k]);
    for (unsigned j = 0; j < s->n_layers; j++) {
      size_t a = (size_t)1 << s->log_arity[j];
      for (size_t k = 0; k < n / a; k++) {
        gl3_t acc = gl3_from_base(0), bk = gl3_from_base(1);
        for (size_t r = 0; r < a; r++) {
          acc = gl3_add(acc, gl3_mul(bk, c[a * k + r]));
          bk = gl3_mul(bk, pr.betas[j]);
        }
        c[k] = acc;
      }
      n /= a;
      for (size_t t = 0; t < ts.n; t++)
        if (ts.sizes[t] == s->log_size[j + 1])
          for (size_t k = 0; k < ts.in[t].n_coeffs; k++)
            c[k] = gl3_add(c[k], ts.in[t].coeffs[k]);
    }
    assert_int_equal(n, s->n_final);
    for (size_t k = 0; k < n; k++) assert_true(gl3_eq(c[k], pr.final_coeffs[k]));
    free(c);
    sm_fri_prover_free(&pr);
    sm_tr_free(&tr);
    free_set(&ts);
  }
}

/* A codeword of degree N/B + 3 (and one with no structure at all): commit refuses it. */
static void high_degree_refused_at_commit(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x55;
  for (unsigned la = 1; la <= 4; la++) {
    unsigned sizes[] = {10, 8};
    size_t extra[] = {3, 0};
    test_set ts;
    make_set(&ts, sizes, 2, 3, extra, &rng);
    sm_fri_params p = {3, la, 2, 1, NULL};
    sm_transcript tr;
    sm_tr_init(&tr, DOMAIN);
    sm_fri_prover pr;
    assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 2), STARKML_REJECT);
    assert_null(pr.final_coeffs);
    assert_null(pr.layers[0].host);
    /* Only the smaller input too high: same. */
    free_set(&ts);
    size_t extra2[] = {0, 1};
    make_set(&ts, sizes, 2, 3, extra2, &rng);
    assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 2), STARKML_REJECT);
    test_input junk = make_input(ts.plan, 10, 10, 0, 1, &rng);
    ts.fi[0].values = junk.values;
    assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 2), STARKML_REJECT);
    free_input(&junk);
    sm_tr_free(&tr);
    free_set(&ts);
  }
}

/*
 * A cheating prover that commits a too-high-degree codeword and sends the truncated final
 * polynomial: with blowup 8, 30 queries all fail. For degree N/B + 3 the folded final layer
 * is c_F y^F + (low part), F = final degree, so the truncation error c_F y^F is nonzero at
 * every point and every query fails at the final check; for a random vector every query
 * fails except with probability about 2^-190 each.
 */
static void high_degree_caught_by_queries(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x66;
  for (int mode = 0; mode < 2; mode++) {
    for (unsigned la = 1; la <= 4; la += 3) {
      unsigned sizes[] = {11};
      size_t extra[] = {3};
      test_set ts;
      make_set(&ts, sizes, 1, 3, extra, &rng);
      test_input junk;
      if (mode == 1) {
        junk = make_input(ts.plan, 11, 11, 0, 1, &rng);
        free(ts.in[0].values);
        ts.in[0].values = junk.values;
        ts.fi[0].values = junk.values;
        free(junk.coeffs);
      }
      sm_fri_params p = {3, la, 2, 1, NULL};
      sm_transcript tp, tv;
      sm_tr_init(&tp, DOMAIN);
      sm_tr_init(&tv, DOMAIN);
      sm_fri_prover pr;
      assert_int_equal(sm_fri__commit(&pr, &tp, ts.plan, &p, ts.fi, 1, 1), STARKML_OK);
      sm_fri_verifier v;
      assert_int_equal(sm_fri_verifier_init(&v, &tv, &p, sizes, 1, pr.roots, pr.sched.n_layers,
                                            pr.final_coeffs, pr.sched.n_final),
                       STARKML_OK);
      size_t idx[30];
      sm_tr_challenge_indices(&tp, "queries", idx, 30, pr.sched.log_max_size);
      gl3_t inj[SM_FRI_MAX_LAYERS + 1];
      for (size_t k = 0; k < 30; k++) {
        sm_fri_query_proof q;
        assert_int_equal(sm_fri_open(&q, &pr, idx[k]), STARKML_OK);
        injected_for(inj, &v.sched, &ts, idx[k]);
        sm_fri_reason why;
        assert_int_equal(sm_fri_verify_query(&why, &v, idx[k], inj, v.sched.n_layers + 1, &q),
                         STARKML_REJECT);
        assert_int_equal(why, SM_FRI_REASON_FINAL);
        sm_fri_query_proof_free(&q);
      }
      sm_fri_verifier_free(&v);
      sm_fri_prover_free(&pr);
      sm_tr_free(&tp);
      sm_tr_free(&tv);
      free_set(&ts);
    }
  }
}

/* A committed honest proof with its verifier, for the tampering cases. */
typedef struct {
  test_set ts;
  sm_fri_params p;
  sm_fri_prover pr;
  sm_fri_verifier v;
} fixture;

static void fixture_make(fixture *f, uint64_t seed_mix) {
  uint64_t rng = sm_test_seed() ^ seed_mix;
  static const unsigned sizes[] = {10, 8, 10, 6};
  f->p = (sm_fri_params){2, 2, 1, 1, NULL};
  make_set(&f->ts, sizes, 4, f->p.log_blowup, NULL, &rng);
  sm_transcript tp, tv;
  sm_tr_init(&tp, DOMAIN);
  sm_tr_init(&tv, DOMAIN);
  assert_int_equal(sm_fri_commit(&f->pr, &tp, f->ts.plan, &f->p, f->ts.fi, 4), STARKML_OK);
  assert_int_equal(sm_fri_verifier_init(&f->v, &tv, &f->p, f->ts.sizes, 4, f->pr.roots,
                                        f->pr.sched.n_layers, f->pr.final_coeffs,
                                        f->pr.sched.n_final),
                   STARKML_OK);
  sm_tr_free(&tp);
  sm_tr_free(&tv);
}

static void fixture_free(fixture *f) {
  sm_fri_verifier_free(&f->v);
  sm_fri_prover_free(&f->pr);
  free_set(&f->ts);
}

static starkml_status verify_one(sm_fri_reason *why, const sm_fri_verifier *v,
                                 const fixture *f, size_t i0, const sm_fri_query_proof *q) {
  gl3_t inj[SM_FRI_MAX_LAYERS + 1];
  injected_for(inj, &v->sched, &f->ts, i0);
  return sm_fri_verify_query(why, v, i0, inj, v->sched.n_layers + 1, q);
}

/* Changing any opened value or any path node is rejected. */
static void tamper_openings(void **state) {
  (void)state;
  fixture f;
  fixture_make(&f, 0x77);
  uint64_t rng = sm_test_seed() ^ 0x78;
  const sm_fri_schedule *s = &f.v.sched;
  assert_true(s->n_layers >= 3);
  for (int it = 0; it < 4; it++) {
    size_t i0 = sm_test_next(&rng) & (((size_t)1 << s->log_max_size) - 1);
    sm_fri_query_proof q;
    assert_int_equal(sm_fri_open(&q, &f.pr, i0), STARKML_OK);
    sm_fri_reason why;
    assert_int_equal(verify_one(&why, &f.v, &f, i0, &q), STARKML_OK);
    size_t nv = 0, nd = 0;
    for (unsigned j = 0; j < s->n_layers; j++) {
      nv += (size_t)1 << s->log_arity[j];
      nd += s->log_size[j] - s->log_arity[j];
    }
    for (size_t k = 0; k < nv; k++) {
      for (size_t c = 0; c < 3; c++) {
        gl_t keep = q.values[k].v[c];
        q.values[k].v[c] = gl_add(keep, 1);
        assert_int_equal(verify_one(&why, &f.v, &f, i0, &q), STARKML_REJECT);
        assert_int_equal(why, SM_FRI_REASON_PATH);
        q.values[k].v[c] = GL_P; /* non-canonical */
        assert_int_equal(verify_one(&why, &f.v, &f, i0, &q), STARKML_REJECT);
        assert_int_equal(why, SM_FRI_REASON_SHAPE);
        q.values[k].v[c] = keep;
      }
    }
    for (size_t d = 0; d < nd; d++) {
      size_t byte = sm_test_next(&rng) % SM_DIGEST_LEN;
      uint8_t flip = (uint8_t)(1u << (sm_test_next(&rng) % 8));
      q.paths[d].b[byte] ^= flip;
      assert_int_equal(verify_one(&why, &f.v, &f, i0, &q), STARKML_REJECT);
      assert_int_equal(why, SM_FRI_REASON_PATH);
      q.paths[d].b[byte] ^= flip;
    }
    /* The opening of another run does not pass for this index (indices in the same run
     * share their openings, so flip the top bit, which every layer's leaf index keeps). */
    size_t other = i0 ^ ((size_t)1 << (s->log_max_size - 1));
    sm_fri_query_proof q2;
    assert_int_equal(sm_fri_open(&q2, &f.pr, other), STARKML_OK);
    assert_int_equal(verify_one(&why, &f.v, &f, i0, &q2), STARKML_REJECT);
    assert_int_equal(why, SM_FRI_REASON_PATH);
    /* Wrong shape: a layer count other than the schedule's. */
    q2.n_layers++;
    assert_int_equal(verify_one(&why, &f.v, &f, other, &q2), STARKML_REJECT);
    assert_int_equal(why, SM_FRI_REASON_SHAPE);
    sm_fri_query_proof_free(&q2);
    sm_fri_query_proof_free(&q);
  }
  fixture_free(&f);
}

/*
 * sm_fri_verify_paths accepts a batch exactly when every query's own path checks pass
 * (sm_fri_verify_query), and sm_fri_verify_query_values then agrees with
 * sm_fri_verify_query on each query. Queries share runs and repeat indices.
 */
static void batched_paths_agree(void **state) {
  (void)state;
  fixture f;
  fixture_make(&f, 0x90);
  uint64_t rng = sm_test_seed() ^ 0x91;
  const sm_fri_schedule *s = &f.pr.sched;
  enum { Q = 24 };
  size_t idx[Q];
  sm_fri_query_proof qs[Q];
  for (size_t k = 0; k < Q; k++) {
    idx[k] = k % 5 == 4 ? idx[k - 1] ^ 1 /* same run */
                        : sm_test_next(&rng) & (((size_t)1 << s->log_max_size) - 1);
    assert_int_equal(sm_fri_open(&qs[k], &f.pr, idx[k]), STARKML_OK);
  }
  sm_fri_reason why;
  for (int threads = 1; threads <= 2; threads++)
    assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, Q, threads), 1);
  for (size_t k = 0; k < Q; k++) {
    gl3_t inj[SM_FRI_MAX_LAYERS + 1];
    injected_for(inj, s, &f.ts, idx[k]);
    assert_int_equal(sm_fri_verify_query_values(&why, &f.v, idx[k], inj, s->n_layers + 1, &qs[k]),
                     STARKML_OK);
    /* A wrong injection is still caught without the paths. */
    inj[0].v[1] = gl_add(inj[0].v[1], 1);
    assert_int_equal(sm_fri_verify_query_values(&why, &f.v, idx[k], inj, s->n_layers + 1, &qs[k]),
                     STARKML_REJECT);
    assert_int_equal(why, SM_FRI_REASON_VALUE);
  }
  size_t nd = 0, nv = 0;
  for (unsigned j = 0; j < s->n_layers; j++) {
    nd += s->log_size[j] - s->log_arity[j];
    nv += (size_t)1 << s->log_arity[j];
  }
  /* One spoiled digest, value or index anywhere: the batch fails, and so does that query. */
  for (int it = 0; it < 60; it++) {
    const size_t k = sm_test_next(&rng) % Q;
    sm_digest keep_d = {{0}};
    gl3_t keep_v = gl3_from_base(0);
    size_t keep_i = idx[k], d = 0, v = 0;
    const int what = (int)(sm_test_next(&rng) % 3);
    if (what == 0) {
      d = sm_test_next(&rng) % nd;
      keep_d = qs[k].paths[d];
      qs[k].paths[d].b[sm_test_next(&rng) % SM_DIGEST_LEN] ^= 4;
    } else if (what == 1) {
      v = sm_test_next(&rng) % nv;
      keep_v = qs[k].values[v];
      qs[k].values[v].v[2] = gl_add(keep_v.v[2], 1);
    } else {
      idx[k] ^= (size_t)1 << (s->log_max_size - 1);
    }
    gl3_t inj[SM_FRI_MAX_LAYERS + 1];
    injected_for(inj, s, &f.ts, idx[k]);
    assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, Q, 2), 0);
    assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[k], inj, s->n_layers + 1, &qs[k]),
                     STARKML_REJECT);
    assert_int_equal(why, SM_FRI_REASON_PATH);
    if (what == 0) qs[k].paths[d] = keep_d;
    else if (what == 1) qs[k].values[v] = keep_v;
    else idx[k] = keep_i;
  }
  assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, Q, 1), 1);
  /* Shapes and indices the single check refuses also fail the batch. */
  const size_t keep3 = idx[3];
  idx[3] = (size_t)1 << s->log_max_size;
  assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, Q, 1), 0);
  idx[3] = keep3;
  assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, Q, 1), 1);
  qs[5].n_layers++;
  assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, Q, 1), 0);
  qs[5].n_layers--;
  assert_int_equal(sm_fri_verify_paths(NULL, idx, qs, Q, 1), 0);
  assert_int_equal(sm_fri_verify_paths(&f.v, idx, qs, 0, 1), 1);
  for (size_t k = 0; k < Q; k++) sm_fri_query_proof_free(&qs[k]);
  fixture_free(&f);
}

/* A changed root, a different transcript (other betas), a changed final coefficient or a
 * changed injected value: rejected. Index out of range: rejected. */
static void tamper_commitment_and_injections(void **state) {
  (void)state;
  fixture f;
  fixture_make(&f, 0x88);
  uint64_t rng = sm_test_seed() ^ 0x89;
  const sm_fri_schedule *s = &f.pr.sched;
  const unsigned L = s->n_layers;
  enum { Q = 12 };
  size_t idx[Q];
  sm_fri_query_proof qs[Q];
  for (size_t k = 0; k < Q; k++) {
    idx[k] = sm_test_next(&rng) & (((size_t)1 << s->log_max_size) - 1);
    assert_int_equal(sm_fri_open(&qs[k], &f.pr, idx[k]), STARKML_OK);
  }
  sm_fri_reason why;

  /* A changed root: its layer's path fails (and every later beta changes). */
  for (unsigned j = 0; j < L; j++) {
    sm_digest roots[SM_FRI_MAX_LAYERS];
    memcpy(roots, f.pr.roots, sizeof roots);
    roots[j].b[sm_test_next(&rng) % SM_DIGEST_LEN] ^= 0x40;
    sm_transcript tv;
    sm_tr_init(&tv, DOMAIN);
    sm_fri_verifier v;
    assert_int_equal(sm_fri_verifier_init(&v, &tv, &f.p, f.ts.sizes, 4, roots, L,
                                          f.pr.final_coeffs, s->n_final),
                     STARKML_OK);
    for (size_t k = 0; k < Q; k++) {
      assert_int_equal(verify_one(&why, &v, &f, idx[k], &qs[k]), STARKML_REJECT);
      assert_int_equal(why, SM_FRI_REASON_PATH); /* earlier layers still agree */
    }
    sm_fri_verifier_free(&v);
    sm_tr_free(&tv);
  }

  /* Another transcript (a different statement): other betas, every query fails. */
  {
    sm_transcript tv;
    sm_tr_init(&tv, DOMAIN "/other");
    sm_fri_verifier v;
    assert_int_equal(sm_fri_verifier_init(&v, &tv, &f.p, f.ts.sizes, 4, f.pr.roots, L,
                                          f.pr.final_coeffs, s->n_final),
                     STARKML_OK);
    for (unsigned j = 0; j < L; j++) assert_false(gl3_eq(v.betas[j], f.pr.betas[j]));
    for (size_t k = 0; k < Q; k++) {
      assert_int_equal(verify_one(&why, &v, &f, idx[k], &qs[k]), STARKML_REJECT);
      assert_true(why == SM_FRI_REASON_VALUE || why == SM_FRI_REASON_FINAL);
    }
    sm_fri_verifier_free(&v);
    sm_tr_free(&tv);
  }

  /* A changed final coefficient: the difference d*y^k is nonzero at every point. */
  for (size_t c = 0; c < s->n_final; c++) {
    gl3_t fin[64];
    assert_true(s->n_final <= 64);
    memcpy(fin, f.pr.final_coeffs, s->n_final * sizeof *fin);
    size_t comp = sm_test_next(&rng) % 3;
    fin[c].v[comp] = gl_add(fin[c].v[comp], 1);
    sm_transcript tv;
    sm_tr_init(&tv, DOMAIN);
    sm_fri_verifier v;
    assert_int_equal(
        sm_fri_verifier_init(&v, &tv, &f.p, f.ts.sizes, 4, f.pr.roots, L, fin, s->n_final),
        STARKML_OK);
    /* The betas do not depend on the final message, so the failure is at the end. */
    for (size_t k = 0; k < Q; k++) {
      assert_int_equal(verify_one(&why, &v, &f, idx[k], &qs[k]), STARKML_REJECT);
      assert_int_equal(why, SM_FRI_REASON_FINAL);
    }
    sm_fri_verifier_free(&v);
    sm_tr_free(&tv);
  }

  /* A changed injected value at any layer (also where no input is injected). */
  for (size_t k = 0; k < Q; k++) {
    gl3_t inj[SM_FRI_MAX_LAYERS + 1];
    for (unsigned j = 0; j <= L; j++) {
      injected_for(inj, s, &f.ts, idx[k]);
      assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[k], inj, L + 1, &qs[k]), STARKML_OK);
      inj[j].v[k % 3] = gl_add(inj[j].v[k % 3], 1 + (sm_test_next(&rng) % 1000));
      assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[k], inj, L + 1, &qs[k]),
                       STARKML_REJECT);
      assert_int_equal(why, j < L ? SM_FRI_REASON_VALUE : SM_FRI_REASON_FINAL);
    }
  }

  /* Index out of range; wrong argument shapes. */
  {
    gl3_t inj[SM_FRI_MAX_LAYERS + 1];
    injected_for(inj, s, &f.ts, idx[0]);
    size_t n_max = (size_t)1 << s->log_max_size;
    assert_int_equal(sm_fri_verify_query(&why, &f.v, n_max, inj, L + 1, &qs[0]), STARKML_REJECT);
    assert_int_equal(why, SM_FRI_REASON_INDEX);
    assert_int_equal(sm_fri_verify_query(&why, &f.v, SIZE_MAX, inj, L + 1, &qs[0]),
                     STARKML_REJECT);
    assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[0] + n_max, inj, L + 1, &qs[0]),
                     STARKML_REJECT);
    assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[0], inj, L, &qs[0]), STARKML_ERR_ARG);
    assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[0], NULL, L + 1, &qs[0]),
                     STARKML_ERR_ARG);
    assert_int_equal(sm_fri_verify_query(&why, &f.v, idx[0], inj, L + 1, NULL), STARKML_ERR_ARG);
    sm_fri_query_proof q;
    assert_int_equal(sm_fri_open(&q, &f.pr, n_max), STARKML_ERR_ARG);
    assert_null(q.values);
  }

  /* Verifier init: counts other than the schedule's, a non-canonical final coefficient. */
  {
    sm_transcript tv;
    sm_tr_init(&tv, DOMAIN);
    uint8_t before[32];
    memcpy(before, tv.state, 32);
    sm_fri_verifier v;
    assert_int_equal(sm_fri_verifier_init(&v, &tv, &f.p, f.ts.sizes, 4, f.pr.roots, L - 1,
                                          f.pr.final_coeffs, s->n_final),
                     STARKML_REJECT);
    assert_null(v.final_coeffs);
    assert_int_equal(sm_fri_verifier_init(&v, &tv, &f.p, f.ts.sizes, 4, f.pr.roots, L,
                                          f.pr.final_coeffs, s->n_final - 1),
                     STARKML_REJECT);
    gl3_t fin[64];
    memcpy(fin, f.pr.final_coeffs, s->n_final * sizeof *fin);
    fin[0].v[1] = GL_P + 5;
    assert_int_equal(
        sm_fri_verifier_init(&v, &tv, &f.p, f.ts.sizes, 4, f.pr.roots, L, fin, s->n_final),
        STARKML_REJECT);
    assert_memory_equal(before, tv.state, 32);
    unsigned bad_sizes[] = {10, 8, 10, 1};
    assert_int_equal(sm_fri_verifier_init(&v, &tv, &f.p, bad_sizes, 4, f.pr.roots, L,
                                          f.pr.final_coeffs, s->n_final),
                     STARKML_ERR_ARG);
    sm_tr_free(&tv);
  }
  for (size_t k = 0; k < Q; k++) sm_fri_query_proof_free(&qs[k]);
  fixture_free(&f);
}

/* Bad arguments to the prover. */
static void prover_bad_arguments(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x99;
  unsigned sizes[] = {8};
  test_set ts;
  make_set(&ts, sizes, 1, 2, NULL, &rng);
  sm_transcript tr;
  sm_tr_init(&tr, DOMAIN);
  sm_fri_params p = {2, 2, 1, 1, NULL};
  sm_fri_prover pr;
  assert_int_equal(sm_fri_commit(&pr, NULL, ts.plan, &p, ts.fi, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_commit(&pr, &tr, NULL, &p, ts.fi, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, NULL, ts.fi, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, NULL, 1), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 0), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_commit(NULL, &tr, ts.plan, &p, ts.fi, 1), STARKML_ERR_ARG);
  sm_fri_input nullv = {8, NULL, NULL};
  assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, &nullv, 1), STARKML_ERR_ARG);
  sm_fri_params bad = {2, 5, 1, 1, NULL};
  assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &bad, ts.fi, 1), STARKML_ERR_ARG);
  /* A plan too small for the final interpolation. */
  sm_ntt_plan *tiny = make_plan(2);
  assert_int_equal(sm_fri_commit(&pr, &tr, tiny, &p, ts.fi, 1), STARKML_ERR_ARG);
  assert_null(pr.final_coeffs);
  sm_ntt_plan_free(tiny);
  assert_int_equal(sm_fri_open(NULL, &pr, 0), STARKML_ERR_ARG);
  sm_fri_query_proof q;
  assert_int_equal(sm_fri_open(&q, NULL, 0), STARKML_ERR_ARG);
  assert_int_equal(sm_fri_open(&q, &pr, 0), STARKML_ERR_ARG); /* not committed */
  sm_fri_prover_free(NULL);
  sm_fri_query_proof_free(NULL);
  sm_fri_verifier_free(NULL);
  assert_string_equal(sm_fri_reason_str(SM_FRI_REASON_FINAL),
                      "final polynomial differs from the last folded value");
  assert_string_equal(sm_fri_reason_str((sm_fri_reason)99), "unknown reason");
  sm_tr_free(&tr);
  free_set(&ts);
}

/* Commit with 1, 2 and 3 threads: identical roots, betas, final polynomial and openings.
 * N_max = 2^17 so that every parallel loop (including the table builds) really splits. */
static void threads_identical(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0xAA;
  unsigned sizes[] = {17, 14, 17};
  test_set ts;
  make_set(&ts, sizes, 3, 1, NULL, &rng);
  sm_fri_prover pr[3];
  for (int t = 0; t < 3; t++) {
    sm_fri_params p = {1, 3, 3, t + 1, NULL};
    sm_transcript tr;
    sm_tr_init(&tr, DOMAIN);
    assert_int_equal(sm_fri_commit(&pr[t], &tr, ts.plan, &p, ts.fi, 3), STARKML_OK);
    sm_tr_free(&tr);
  }
  const sm_fri_schedule *s = &pr[0].sched;
  for (int t = 1; t < 3; t++) {
    for (unsigned j = 0; j < s->n_layers; j++) {
      assert_true(digest_eq(&pr[0].roots[j], &pr[t].roots[j]));
      assert_true(gl3_eq(pr[0].betas[j], pr[t].betas[j]));
    }
    assert_memory_equal(pr[0].final_coeffs, pr[t].final_coeffs,
                        s->n_final * sizeof(gl3_t));
    for (int k = 0; k < 8; k++) {
      size_t i0 = sm_test_next(&rng) & (((size_t)1 << s->log_max_size) - 1);
      sm_fri_query_proof a, b;
      assert_int_equal(sm_fri_open(&a, &pr[0], i0), STARKML_OK);
      assert_int_equal(sm_fri_open(&b, &pr[t], i0), STARKML_OK);
      size_t nv = 0, nd = 0;
      for (unsigned j = 0; j < s->n_layers; j++) {
        nv += (size_t)1 << s->log_arity[j];
        nd += s->log_size[j] - s->log_arity[j];
      }
      assert_memory_equal(a.values, b.values, nv * sizeof(gl3_t));
      assert_memory_equal(a.paths, b.paths, nd * sizeof(sm_digest));
      sm_fri_query_proof_free(&a);
      sm_fri_query_proof_free(&b);
    }
  }
  for (int t = 0; t < 3; t++) sm_fri_prover_free(&pr[t]);
  free_set(&ts);
}

/* Write/read round trip; the parsed proof verifies; every truncation, a trailing byte, a
 * non-canonical element and a count other than the schedule's are refused. */
static void serialization_strict(void **state) {
  (void)state;
  fixture f;
  fixture_make(&f, 0xBB);
  const sm_fri_schedule *s = &f.v.sched;
  const unsigned L = s->n_layers;
  uint64_t rng = sm_test_seed() ^ 0xBC;

  /* Commitment. */
  sm_writer w;
  sm_w_init(&w, 1 << 20);
  assert_int_equal(sm_fri_write_commitment(&w, f.pr.roots, L, f.pr.final_coeffs, s->n_final),
                   STARKML_OK);
  assert_int_equal(w.len, 4 + 32 * L + 4 + 24 * s->n_final);
  sm_digest roots[SM_FRI_MAX_LAYERS];
  gl3_t fin[64];
  sm_reader r;
  sm_r_init(&r, w.buf, w.len);
  assert_int_equal(sm_fri_read_commitment(roots, fin, &r, s), STARKML_OK);
  assert_int_equal(sm_r_finish(&r), STARKML_OK);
  for (unsigned j = 0; j < L; j++) assert_true(digest_eq(&roots[j], &f.pr.roots[j]));
  for (size_t k = 0; k < s->n_final; k++) assert_true(gl3_eq(fin[k], f.pr.final_coeffs[k]));
  for (size_t cut = 0; cut < w.len; cut++) {
    sm_r_init(&r, w.buf, cut);
    assert_int_equal(sm_fri_read_commitment(roots, fin, &r, s), STARKML_ERR_PARSE);
    for (unsigned j = 0; j < L; j++)
      for (size_t b = 0; b < SM_DIGEST_LEN; b++) assert_int_equal(roots[j].b[b], 0);
  }
  {
    uint8_t *ext = malloc(w.len + 1);
    assert_non_null(ext);
    memcpy(ext, w.buf, w.len);
    ext[w.len] = 0;
    sm_r_init(&r, ext, w.len + 1);
    assert_int_equal(sm_fri_read_commitment(roots, fin, &r, s), STARKML_OK);
    assert_int_equal(sm_r_finish(&r), STARKML_ERR_PARSE);
    /* A count other than the schedule's. */
    memcpy(ext, w.buf, w.len);
    ext[0] ^= 1;
    sm_r_init(&r, ext, w.len);
    assert_int_equal(sm_fri_read_commitment(roots, fin, &r, s), STARKML_ERR_PARSE);
    memcpy(ext, w.buf, w.len);
    ext[4 + 32 * L] ^= 1;
    sm_r_init(&r, ext, w.len);
    assert_int_equal(sm_fri_read_commitment(roots, fin, &r, s), STARKML_ERR_PARSE);
    /* A non-canonical coefficient: p itself. */
    memcpy(ext, w.buf, w.len);
    sm_le64_put(ext + 4 + 32 * L + 4 + 8, GL_P);
    sm_r_init(&r, ext, w.len);
    assert_int_equal(sm_fri_read_commitment(roots, fin, &r, s), STARKML_ERR_PARSE);
    free(ext);
  }
  sm_w_free(&w);

  /* Query proofs. */
  for (int it = 0; it < 3; it++) {
    size_t i0 = sm_test_next(&rng) & (((size_t)1 << s->log_max_size) - 1);
    sm_fri_query_proof q, q2;
    assert_int_equal(sm_fri_open(&q, &f.pr, i0), STARKML_OK);
    sm_w_init(&w, 1 << 20);
    assert_int_equal(sm_fri_write_query_proof(&w, s, &q), STARKML_OK);
    size_t want = 4;
    for (unsigned j = 0; j < L; j++)
      want += 24 * ((size_t)1 << s->log_arity[j]) + 32 * (s->log_size[j] - s->log_arity[j]);
    assert_int_equal(w.len, want);
    sm_r_init(&r, w.buf, w.len);
    assert_int_equal(sm_fri_read_query_proof(&q2, &r, s), STARKML_OK);
    assert_int_equal(sm_r_finish(&r), STARKML_OK);
    sm_fri_reason why;
    assert_int_equal(verify_one(&why, &f.v, &f, i0, &q2), STARKML_OK);
    sm_fri_query_proof_free(&q2);
    for (size_t cut = 0; cut < w.len; cut++) {
      sm_r_init(&r, w.buf, cut);
      assert_int_equal(sm_fri_read_query_proof(&q2, &r, s), STARKML_ERR_PARSE);
      assert_null(q2.values);
      assert_null(q2.paths);
    }
    uint8_t *ext = malloc(w.len + 1);
    assert_non_null(ext);
    memcpy(ext, w.buf, w.len);
    ext[w.len] = 7;
    sm_r_init(&r, ext, w.len + 1);
    assert_int_equal(sm_fri_read_query_proof(&q2, &r, s), STARKML_OK);
    assert_int_equal(sm_r_finish(&r), STARKML_ERR_PARSE);
    sm_fri_query_proof_free(&q2);
    memcpy(ext, w.buf, w.len);
    sm_le32_put(ext, L + 1);
    sm_r_init(&r, ext, w.len);
    assert_int_equal(sm_fri_read_query_proof(&q2, &r, s), STARKML_ERR_PARSE);
    /* Every value slot, one at a time, set to a non-canonical encoding. */
    size_t off = 4;
    for (unsigned j = 0; j < L; j++) {
      for (size_t u = 0; u < 3 * ((size_t)1 << s->log_arity[j]); u++) {
        memcpy(ext, w.buf, w.len);
        sm_le64_put(ext + off + 8 * u, GL_P + (sm_test_next(&rng) % 0xFFFFFFFFull));
        sm_r_init(&r, ext, w.len);
        assert_int_equal(sm_fri_read_query_proof(&q2, &r, s), STARKML_ERR_PARSE);
      }
      off += 24 * ((size_t)1 << s->log_arity[j]) + 32 * (s->log_size[j] - s->log_arity[j]);
    }
    /* A flipped path byte parses but does not verify. */
    memcpy(ext, w.buf, w.len);
    ext[4 + 24 * ((size_t)1 << s->log_arity[0]) + 3] ^= 0x80;
    sm_r_init(&r, ext, w.len);
    assert_int_equal(sm_fri_read_query_proof(&q2, &r, s), STARKML_OK);
    assert_int_equal(verify_one(&why, &f.v, &f, i0, &q2), STARKML_REJECT);
    assert_int_equal(why, SM_FRI_REASON_PATH);
    sm_fri_query_proof_free(&q2);
    free(ext);
    /* The writer refuses a proof of another shape. */
    q.n_layers++;
    assert_int_equal(sm_fri_write_query_proof(&w, s, &q), STARKML_ERR_ARG);
    q.n_layers--;
    sm_w_free(&w);
    sm_fri_query_proof_free(&q);
  }
  fixture_free(&f);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A 2^20 codeword (blowup 8, arity 8): commit time for 1 and 4 threads, identical roots. */
static void large_commit_slow(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0xCC;
  unsigned sizes[] = {20};
  test_set ts;
  make_set(&ts, sizes, 1, 3, NULL, &rng);
  sm_digest root1;
  for (int threads = 1; threads <= 4; threads *= 4) {
    sm_fri_params p = {3, 3, 3, threads, NULL};
    sm_transcript tr;
    sm_tr_init(&tr, DOMAIN);
    sm_fri_prover pr;
    double t0 = now_s();
    assert_int_equal(sm_fri_commit(&pr, &tr, ts.plan, &p, ts.fi, 1), STARKML_OK);
    double t1 = now_s();
    printf("fri commit 2^20, arity 8, %d thread(s): %.3f s\n", threads, t1 - t0);
    if (threads == 1) root1 = pr.roots[0];
    assert_true(digest_eq(&root1, &pr.roots[0]));
    if (threads == 1) {
      /* Verifier cost per query (openings made beforehand). */
      enum { Q = 100 };
      sm_transcript tv;
      sm_tr_init(&tv, DOMAIN);
      sm_fri_verifier v;
      assert_int_equal(sm_fri_verifier_init(&v, &tv, &p, sizes, 1, pr.roots, pr.sched.n_layers,
                                            pr.final_coeffs, pr.sched.n_final),
                       STARKML_OK);
      static sm_fri_query_proof qs[Q];
      static size_t idx[Q];
      gl3_t inj[Q][SM_FRI_MAX_LAYERS + 1];
      sm_tr_challenge_indices(&tr, "queries", idx, Q, 20);
      for (size_t k = 0; k < Q; k++) {
        assert_int_equal(sm_fri_open(&qs[k], &pr, idx[k]), STARKML_OK);
        injected_for(inj[k], &v.sched, &ts, idx[k]);
      }
      double t2 = now_s();
      for (size_t k = 0; k < Q; k++)
        assert_int_equal(
            sm_fri_verify_query(NULL, &v, idx[k], inj[k], v.sched.n_layers + 1, &qs[k]),
            STARKML_OK);
      printf("fri verify: %.1f us per query (%u layers)\n", 1e6 * (now_s() - t2) / Q,
             v.sched.n_layers);
      for (size_t k = 0; k < Q; k++) sm_fri_query_proof_free(&qs[k]);
      sm_fri_verifier_free(&v);
      sm_tr_free(&tv);
    }
    sm_fri_prover_free(&pr);
    sm_tr_free(&tr);
  }
  free_set(&ts);
}

SM_TEST_MAIN(cmocka_unit_test(point_tables), cmocka_unit_test(schedule_rule), cmocka_unit_test(single_input_all_arities),
             cmocka_unit_test(multi_height_inputs), cmocka_unit_test(no_committed_layer),
             cmocka_unit_test(final_matches_coefficient_fold),
             cmocka_unit_test(high_degree_refused_at_commit),
             cmocka_unit_test(high_degree_caught_by_queries),
             cmocka_unit_test(tamper_openings),
             cmocka_unit_test(tamper_commitment_and_injections),
             cmocka_unit_test(batched_paths_agree),
             cmocka_unit_test(prover_bad_arguments), cmocka_unit_test(threads_identical),
             cmocka_unit_test(serialization_strict), cmocka_unit_test(large_commit_slow))
