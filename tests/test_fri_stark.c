/*
 * End-to-end STARK tests on the toy AIRs (air/toy.h): honest proofs verify, with and
 * without zero knowledge; determinism for a seed and across thread counts; every
 * statement item changed alone is rejected; a malicious prover that edits one witness
 * cell after trace generation is caught for every constraint kind.
 */
#include <stdlib.h>
#include <string.h>

#include "air/toy.h"
#include "core/ser.h"
#include "core/transcript.h"
#include "fri/stark.h"
#include "fri/stark_toy.h"
#include "fri/stark_internal.h"
#include "tests/sm_test.h"

/* Small, fast options for tests (the verifier floor is overridden to 1 bit). */
static sm_stark_options test_options(int zk) {
  sm_stark_options o = {2, 8, 4, (uint32_t)zk, 0, 2, 2};
  return o;
}

typedef sm_stark_toy fixture;

enum { TOY_FIB, TOY_RANGE, TOY_BUS };

static void fixture_make(fixture *f, int which, unsigned log_n, const sm_stark_options *opt,
                         starkml_ctx *ctx) {
  memset(f, 0, sizeof *f);
  starkml_status s = which == TOY_FIB     ? sm_air_toy_fibonacci(&f->toy, log_n, 1, 1)
                     : which == TOY_RANGE ? sm_air_toy_range_check(&f->toy, log_n, 7)
                                          : sm_air_toy_bus(&f->toy, log_n, 9);
  assert_int_equal(s, STARKML_OK);
  sm_stark_toy_wire(f);
  assert_int_equal(sm_stark_setup(ctx, &f->pre_root, &f->st, &f->w, opt), STARKML_OK);
}

static starkml_ctx *mkctx(int threads) {
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, threads), STARKML_OK);
  return ctx;
}

static const uint8_t seed1[32] = {1, 2, 3};

static void prove_verify(int which, int zk, unsigned log_n) {
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(zk);
  fixture f;
  fixture_make(&f, which, log_n, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  sm_stark_reject why;
  starkml_status v = sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len);
  if (v != STARKML_OK) fail_msg("verify: %s (%s)", starkml_strerror(v), sm_stark_reject_str(why));
  /* The security sm_stark_verify_bits reports is sm_stark_security's; none on rejection. */
  sm_soundness_bits got, want;
  assert_int_equal(sm_stark_verify_bits(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len, &got),
                   STARKML_OK);
  assert_int_equal(sm_stark_security(&want, &f.st, &opt), STARKML_OK);
  assert_true(got.provable_bits == want.provable_bits && got.provable_bits > 0);
  assert_true(got.conjectured_bits == want.conjectured_bits);
  proof[len / 2] ^= 1;
  assert_int_not_equal(sm_stark_verify_bits(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len, &got),
                       STARKML_OK);
  assert_int_equal(got.provable_bits, 0);
  assert_int_equal(got.conjectured_bits, 0);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

static void fibonacci_no_zk(void **state) {
  (void)state;
  prove_verify(TOY_FIB, 0, 6);
}
static void fibonacci_zk(void **state) {
  (void)state;
  prove_verify(TOY_FIB, 1, 6);
}
static void range_check_zk(void **state) {
  (void)state;
  prove_verify(TOY_RANGE, 1, 5);
}
static void range_check_no_zk(void **state) {
  (void)state;
  prove_verify(TOY_RANGE, 0, 5);
}
static void bus_zk(void **state) {
  (void)state;
  prove_verify(TOY_BUS, 1, 4);
}
static void bus_no_zk(void **state) {
  (void)state;
  prove_verify(TOY_BUS, 0, 4);
}

/* ---- determinism ---- */

static void deterministic_across_runs_and_threads(void **state) {
  (void)state;
  sm_stark_options opt = test_options(1);
  uint8_t *p[3] = {NULL, NULL, NULL};
  size_t len[3];
  for (int k = 0; k < 3; k++) {
    starkml_ctx *ctx = mkctx(k == 2 ? 1 : 2);
    fixture f;
    fixture_make(&f, TOY_BUS, 4, &opt, ctx);
    assert_int_equal(sm_stark_prove(ctx, &p[k], &len[k], &f.st, &f.w, &opt, seed1), STARKML_OK);
    sm_air_toy_free(&f.toy);
    starkml_ctx_destroy(ctx);
  }
  assert_int_equal(len[0], len[1]);
  assert_int_equal(len[0], len[2]);
  assert_memory_equal(p[0], p[1], len[0]);
  assert_memory_equal(p[0], p[2], len[0]);
  /* A different seed changes a zero-knowledge proof. */
  starkml_ctx *ctx = mkctx(2);
  fixture f;
  fixture_make(&f, TOY_BUS, 4, &opt, ctx);
  uint8_t *q = NULL;
  size_t qlen = 0;
  const uint8_t seed2[32] = {9};
  assert_int_equal(sm_stark_prove(ctx, &q, &qlen, &f.st, &f.w, &opt, seed2), STARKML_OK);
  assert_true(qlen != len[0] || memcmp(q, p[0], qlen) != 0);
  free(q);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
  for (int k = 0; k < 3; k++) free(p[k]);
}

/* ---- bit flips ---- */

/* Flips bits of an honest proof; every flip must be rejected or fail to parse. `stride`
   spaces the flipped bits (1: every bit). */
static void flip_bits(int which, int zk, size_t stride) {
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(zk);
  fixture f;
  fixture_make(&f, which, 3, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  uint64_t rng = sm_test_seed();
  size_t checked = 0;
  for (size_t bit = sm_test_next(&rng) % stride; bit < 8 * len; bit += stride) {
    proof[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    sm_stark_reject why;
    starkml_status v = sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len);
    if (v == STARKML_OK) fail_msg("flipping bit %zu of %zu was accepted", bit, 8 * len);
    assert_true(v == STARKML_REJECT || v == STARKML_ERR_PARSE);
    proof[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    checked++;
  }
  assert_true(checked > 0);
  sm_stark_reject why;
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len), STARKML_OK);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

static void bit_flips_sampled(void **state) {
  (void)state;
  flip_bits(TOY_FIB, 1, 97);
  flip_bits(TOY_BUS, 0, 89);
}

static void bit_flips_every_bit(void **state) {
  (void)state;
  flip_bits(TOY_FIB, 0, 1);
}

/* ---- malicious prover ---- */

typedef struct {
  size_t table, col, row;
  gl_t delta;
} tamper_spec;

/* col == SQUARE_PAIR: set (x, y) of row `row` to (x + delta, (x + delta)^2). */
#define SQUARE_PAIR ((size_t)-1)

static void tamper_cell(void *user, size_t table, gl_t *main_cols, size_t n_rows) {
  const tamper_spec *t = user;
  if (table != t->table) return;
  if (t->col == SQUARE_PAIR) {
    gl_t x = gl_add(main_cols[t->row], t->delta);
    main_cols[t->row] = x;
    main_cols[n_rows + t->row] = gl_mul(x, x);
    return;
  }
  gl_t *cell = &main_cols[t->col * n_rows + t->row];
  *cell = gl_add(*cell, t->delta);
}

static void expect_caught(int which, unsigned log_n, tamper_spec spec, int zk) {
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(zk);
  fixture f;
  fixture_make(&f, which, log_n, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  /* The honest prover refuses a bad witness outright... */
  const gl_t *saved = f.main[spec.table];
  size_t n = (size_t)1 << f.tables[spec.table].log_n;
  assert_true(spec.col == SQUARE_PAIR || spec.col < f.tables[spec.table].n_main);
  gl_t *bad = malloc(f.tables[spec.table].n_main * n * sizeof *bad);
  assert_non_null(bad);
  memcpy(bad, saved, f.tables[spec.table].n_main * n * sizeof *bad);
  tamper_cell(&spec, spec.table, bad, n);
  f.main[spec.table] = bad;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_ERR_ARG);
  assert_null(proof);
  f.main[spec.table] = saved;
  free(bad);
  /* ...and when the check is bypassed, the verifier rejects what comes out. */
  starkml_status ps =
      sm_stark_prove_tampered(ctx, &proof, &len, &f.st, &f.w, &opt, seed1, tamper_cell, &spec);
  if (ps == STARKML_OK) {
    sm_stark_reject why = SM_REJ_NONE;
    starkml_status v = sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len);
    if (v != STARKML_REJECT)
      fail_msg("tampered witness (table %zu col %zu row %zu) not rejected: %s", spec.table,
               spec.col, spec.row, starkml_strerror(v));
    print_message("    caught: %s\n", sm_stark_reject_str(why));
  } else {
    /* The FRI layer can refuse to build a final layer of too high degree. */
    assert_int_equal(ps, STARKML_REJECT);
  }
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

static void malicious_transition(void **state) {
  (void)state;
  expect_caught(TOY_FIB, 5, (tamper_spec){0, 0, 13, 1}, 1);
  expect_caught(TOY_FIB, 5, (tamper_spec){0, 1, 7, 5}, 0);
}
static void malicious_boundary_first(void **state) {
  (void)state;
  expect_caught(TOY_FIB, 5, (tamper_spec){0, 0, 0, 1}, 1);
}
static void malicious_boundary_last(void **state) {
  (void)state;
  expect_caught(TOY_FIB, 5, (tamper_spec){0, 1, 31, 1}, 1);
}
static void malicious_every_row(void **state) {
  (void)state;
  expect_caught(TOY_BUS, 4, (tamper_spec){0, 1, 3, 1}, 1); /* y != x^2 in "squares" */
  expect_caught(TOY_BUS, 4, (tamper_spec){1, 2, 5, 2}, 1); /* sel not boolean */
}
static void malicious_lookup_multiplicity(void **state) {
  (void)state;
  expect_caught(TOY_RANGE, 5, (tamper_spec){1, 0, 17, 1}, 1); /* range8.mult */
}
static void malicious_bus_value(void **state) {
  (void)state;
  expect_caught(TOY_RANGE, 5, (tamper_spec){0, 0, 3, 300}, 1); /* x out of range */
  /* A "squares" row replaced by another valid pair (x + 1, (x + 1)^2): every local
     constraint still holds, only the bus no longer balances. */
  expect_caught(TOY_BUS, 4, (tamper_spec){0, SQUARE_PAIR, 6, 1}, 0);
  expect_caught(TOY_BUS, 4, (tamper_spec){0, SQUARE_PAIR, 2, 3}, 1);
}

/* ---- statement changes ---- */

static void statement_items_are_bound(void **state) {
  (void)state;
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(1);
  fixture f;
  fixture_make(&f, TOY_RANGE, 4, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  sm_stark_reject why;
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len), STARKML_OK);
  /* The preprocessed commitment. */
  sm_digest saved = f.pre_root;
  f.pre_root.b[0] ^= 1;
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len),
                   STARKML_REJECT);
  f.pre_root = saved;
  /* Two tables swapped. */
  sm_air_table swapped[2] = {f.tables[1], f.tables[0]};
  const gl_t *pubs[2] = {f.publics[1], f.publics[0]};
  sm_stark_statement st2 = {2, swapped, pubs, &f.pre_root, NULL};
  assert_int_equal(sm_stark_verify(ctx, &why, &st2, SM_PRESET_FAST, 1, proof, len),
                   STARKML_REJECT);
  /* One table's height. */
  sm_air_table taller[2] = {f.tables[0], f.tables[1]};
  taller[0].log_n += 1;
  sm_stark_statement st3 = {2, taller, f.publics, &f.pre_root, NULL};
  assert_int_equal(sm_stark_verify(ctx, &why, &st3, SM_PRESET_FAST, 1, proof, len),
                   STARKML_REJECT);
  /* The verifier's floor: the test options are far below the secure preset. */
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_SECURE, 0, proof, len),
                   STARKML_REJECT);
  assert_int_equal(why, SM_REJ_BELOW_FLOOR);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

static void public_values_are_bound(void **state) {
  (void)state;
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(1);
  fixture f;
  fixture_make(&f, TOY_FIB, 4, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  sm_stark_reject why;
  for (int k = 0; k < 3; k++) {
    gl_t pubs[3];
    memcpy(pubs, f.publics[0], sizeof pubs);
    pubs[k] = gl_add(pubs[k], 1);
    const gl_t *pp[1] = {pubs};
    sm_stark_statement st2 = f.st;
    st2.publics = pp;
    assert_int_equal(sm_stark_verify(ctx, &why, &st2, SM_PRESET_FAST, 1, proof, len),
                     STARKML_REJECT);
  }
  /* Truncations and an appended byte. */
  for (size_t cut = 0; cut < len; cut += 1 + cut / 8)
    assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, cut),
                     STARKML_ERR_PARSE);
  uint8_t *longer = malloc(len + 1);
  assert_non_null(longer);
  memcpy(longer, proof, len);
  longer[len] = 0;
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, longer, len + 1),
                   STARKML_ERR_PARSE);
  free(longer);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

/* ---- zero knowledge of the LogUp sums ---- */

/* Replays the transcript up to the LogUp challenges and compares the proof's claimed sums
   with the tables' true sums: equal without zk, different (blinded) with zk. */
static void claimed_sums_blinding(int zk) {
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(zk);
  fixture f;
  fixture_make(&f, TOY_RANGE, 4, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  sm_tinfo ti[2];
  unsigned log_big_max;
  assert_int_equal(sm_tinfo_derive(ti, &log_big_max, &f.st, &opt, NULL, 0), STARKML_OK);
  /* Skip magic, version and the header section; read the commitments section. */
  sm_reader r;
  sm_r_init(&r, proof, len);
  uint8_t skip[8];
  uint32_t tag, slen;
  sm_r_bytes(&r, skip, 8);
  sm_r_u32(&r, &tag);
  sm_r_u32(&r, &slen);
  assert_int_equal(tag, 1);
  r.pos += slen;
  sm_r_u32(&r, &tag);
  sm_r_u32(&r, &slen);
  assert_int_equal(tag, 2);
  /* The stage trees' caps: preprocessed (when a table has such columns), main, aux and
     every table's claimed sum, quotient. */
  sm_digest main_root;
  gl3_t claimed[2];
  unsigned L, c;
  /* Room for the tallest cap these options allow (the bit length of the query count). */
  sm_digest *cap = calloc((size_t)1 << sm_stark_cap_height(63, opt.n_queries), sizeof *cap);
  assert_non_null(cap);
  if (sm_stage_shape(ti, 2, SM_STAGE_PRE, opt.n_queries, &L, &c))
    sm_r_bytes(&r, cap[0].b, (size_t)32 << c);
  assert_true(sm_stage_shape(ti, 2, SM_STAGE_MAIN, opt.n_queries, &L, &c));
  sm_r_bytes(&r, cap[0].b, (size_t)32 << c);
  assert_int_equal(sm_merkle_cap_root(&main_root, cap, c), STARKML_OK);
  assert_true(sm_stage_shape(ti, 2, SM_STAGE_AUX, opt.n_queries, &L, &c));
  sm_r_bytes(&r, cap[0].b, (size_t)32 << c);
  for (int t = 0; t < 2; t++) {
    assert_true(ti[t].n_aux > 0);
    sm_r_gl3(&r, &claimed[t]);
  }
  free(cap);
  assert_int_equal(r.err, STARKML_OK);
  sm_transcript tr;
  sm_tr_init(&tr, SM_STARK_DOMAIN);
  assert_int_equal(sm_stark_absorb_statement(&tr, &f.st, &opt, ti), STARKML_OK);
  sm_tr_absorb(&tr, "main", main_root.b, 32);
  gl3_t alpha = sm_tr_challenge_gl3(&tr, "logup-alpha");
  gl3_t beta = sm_tr_challenge_gl3(&tr, "logup-beta");
  for (int t = 0; t < 2; t++) {
    const sm_air_table *u = &f.tables[t];
    size_t n = (size_t)1 << u->log_n;
    gl3_t *aux = calloc((u->n_interactions + 1) * n, sizeof *aux);
    gl3_t real;
    assert_non_null(aux);
    assert_int_equal(sm_air_logup_aux_trace(u, aux, &real, f.pre[t], f.main[t], f.publics[t],
                                            alpha, beta),
                     STARKML_OK);
    if (zk) assert_false(gl3_eq(real, claimed[t]));
    else assert_true(gl3_eq(real, claimed[t]));
    free(aux);
  }
  assert_true(gl3_eq(gl3_add(claimed[0], claimed[1]), gl3_from_base(0)));
  sm_tr_free(&tr);
  sm_tinfo_free(ti, 2);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

static void logup_sums_blinded_with_zk(void **state) {
  (void)state;
  claimed_sums_blinding(1);
}
static void logup_sums_exact_without_zk(void **state) {
  (void)state;
  claimed_sums_blinding(0);
}

/* ---- framing attacks ---- */

/* Offset of section `tag` (its tag word) in a well-formed proof. */
static size_t section_offset(const uint8_t *proof, size_t len, uint32_t tag) {
  size_t off = 8;
  while (off + 8 <= len) {
    uint32_t t = sm_le32_get(proof + off), l = sm_le32_get(proof + off + 4);
    if (t == tag) return off;
    off += 8 + (size_t)l;
  }
  fail_msg("section %u not found", tag);
  return 0;
}

static void framing_attacks(void **state) {
  (void)state;
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(1);
  fixture f;
  fixture_make(&f, TOY_BUS, 3, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  uint8_t *p = malloc(len);
  assert_non_null(p);
  sm_stark_reject why;
  /* Every section's length field at its maximum, and at one more than its true value. */
  for (uint32_t tag = 1; tag <= 6; tag++) {
    size_t off = section_offset(proof, len, tag);
    memcpy(p, proof, len);
    sm_le32_put(p + off + 4, 0xFFFFFFFFu);
    assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len),
                     STARKML_ERR_PARSE);
    memcpy(p, proof, len);
    sm_le32_put(p + off + 4, sm_le32_get(proof + off + 4) + 1);
    assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len),
                     STARKML_ERR_PARSE);
    memcpy(p, proof, len);
    sm_le32_put(p + off, tag + 10); /* unknown section tag */
    assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len),
                     STARKML_ERR_PARSE);
  }
  /* A field element >= p (the first out-of-domain value, then p itself at the first
     opened main value). */
  size_t ood = section_offset(proof, len, 3) + 8;
  memcpy(p, proof, len);
  sm_le64_put(p + ood, GL_P);
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len),
                   STARKML_ERR_PARSE);
  memcpy(p, proof, len);
  sm_le64_put(p + ood, UINT64_MAX);
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len),
                   STARKML_ERR_PARSE);
  /* Two commitments swapped: the first digests of the main and aux caps. Layout (the bus
     toy has no preprocessed columns, and both its tables have LogUp columns, so the three
     stage trees have one cap height): main cap, aux cap, the two claimed sums (24 bytes
     each), quotient cap; a cap is 2^c digests. */
  sm_tinfo ti[2];
  unsigned lbm, L, c;
  assert_int_equal(sm_tinfo_derive(ti, &lbm, &f.st, &opt, NULL, 0), STARKML_OK);
  assert_int_equal(ti[0].user->n_pre + ti[1].user->n_pre, 0);
  assert_true(sm_stage_shape(ti, 2, SM_STAGE_MAIN, opt.n_queries, &L, &c));
  const size_t cap0 = (size_t)32 << c;
  size_t com = section_offset(proof, len, 2) + 8;
  sm_tinfo_free(ti, 2);
  assert_int_equal(sm_le32_get(proof + com - 4), 3 * cap0 + 2 * 24);
  memcpy(p, proof, len);
  memcpy(p + com, proof + com + cap0, 32);
  memcpy(p + com + cap0, proof + com, 32);
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len), STARKML_REJECT);
  /* The main and quotient caps swapped. */
  memcpy(p, proof, len);
  memcpy(p + com, proof + com + 2 * cap0 + 48, cap0);
  memcpy(p + com + 2 * cap0 + 48, proof + com, cap0);
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len), STARKML_REJECT);
  /* The untouched proof still verifies. */
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len), STARKML_OK);
  /* A version the verifier does not know is its own reason. */
  memcpy(p, proof, len);
  sm_le32_put(p + 4, SM_STARK_PROTOCOL_VERSION + 1);
  assert_int_equal(sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, p, len), STARKML_REJECT);
  assert_int_equal(why, SM_REJ_VERSION);
  free(p);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

/* Single-bit flips of a small proof, tallied by outcome: each check of the
   verifier must be reachable and report its own reason. (A flipped FRI value is caught by
   its Merkle path first; FRI's own consistency reasons are exercised in test_fri_fri.c
   with correctly committed but inconsistent layers. The out-of-domain-point reason needs
   z in a domain, probability below 2^-160.) */
static void rejection_reasons_census(void **state) {
  (void)state;
  starkml_ctx *ctx = mkctx(2);
  sm_stark_options opt = test_options(1);
  fixture f;
  fixture_make(&f, TOY_RANGE, 3, &opt, ctx);
  uint8_t *proof = NULL;
  size_t len = 0;
  assert_int_equal(sm_stark_prove(ctx, &proof, &len, &f.st, &f.w, &opt, seed1), STARKML_OK);
  size_t count[SM_REJ_COUNT_] = {0}, parse = 0;
  /* Every bit up to the first opened rows (all framing, commitments, OOD values, FRI and
     proof of work), then a sample of the query openings, which repeat one structure. */
  const size_t dense_end = 8 * (section_offset(proof, len, 6) + 8 + 4 + 512);
  for (size_t bit = 0; bit < 8 * len; bit += bit < dense_end ? 1 : 61) {
    proof[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    sm_stark_reject why = SM_REJ_NONE;
    starkml_status v = sm_stark_verify(ctx, &why, &f.st, SM_PRESET_FAST, 1, proof, len);
    proof[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    assert_true(v == STARKML_REJECT || v == STARKML_ERR_PARSE);
    if (v == STARKML_ERR_PARSE) parse++;
    else count[why]++;
  }
  for (int r = 0; r < SM_REJ_COUNT_; r++)
    print_message("    %-55s %zu\n", sm_stark_reject_str((sm_stark_reject)r), count[r]);
  print_message("    %-55s %zu\n", "parse error", parse);
  assert_int_equal(count[SM_REJ_NONE], 0);
  const sm_stark_reject expected[] = {SM_REJ_VERSION, SM_REJ_BAD_OPTIONS, SM_REJ_SHAPE,
                                      SM_REJ_LOGUP_SUM, SM_REJ_OOD, SM_REJ_POW, SM_REJ_MERKLE,
                                      SM_REJ_QUERY_COUNT, SM_REJ_PATH_LENGTH, SM_REJ_FRI_FINAL};
  for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
    if (count[expected[i]] == 0) fail_msg("no bit flip reached '%s'", sm_stark_reject_str(expected[i]));
  assert_true(parse > 0);
  free(proof);
  sm_air_toy_free(&f.toy);
  starkml_ctx_destroy(ctx);
}

SM_TEST_MAIN(cmocka_unit_test(framing_attacks), cmocka_unit_test(rejection_reasons_census),
             cmocka_unit_test(logup_sums_blinded_with_zk),
             cmocka_unit_test(logup_sums_exact_without_zk),
             cmocka_unit_test(deterministic_across_runs_and_threads),
             cmocka_unit_test(bit_flips_sampled), cmocka_unit_test(bit_flips_every_bit),
             cmocka_unit_test(malicious_transition), cmocka_unit_test(malicious_boundary_first),
             cmocka_unit_test(malicious_boundary_last), cmocka_unit_test(malicious_every_row),
             cmocka_unit_test(malicious_lookup_multiplicity),
             cmocka_unit_test(malicious_bus_value), cmocka_unit_test(statement_items_are_bound),
             cmocka_unit_test(public_values_are_bound),
             cmocka_unit_test(fibonacci_no_zk), cmocka_unit_test(fibonacci_zk),
             cmocka_unit_test(range_check_no_zk), cmocka_unit_test(range_check_zk),
             cmocka_unit_test(bus_no_zk), cmocka_unit_test(bus_zk))
