/*
 * Toy AIRs (see air/toy.h). The tables are written with the builder, like every real
 * table will be, so these fixtures also keep the builder honest.
 */
#include "air/toy.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64: a fixed, portable generator, so a seed names one witness on every machine. */
static uint64_t toy_rng(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void sm_air_toy_free(sm_air_toy *toy) {
  if (toy == NULL) return;
  for (size_t i = 0; i < SM_AIR_TOY_MAX_TABLES; i++) {
    sm_air_table_free(&toy->t[i].table);
    free(toy->t[i].pre);
    free(toy->t[i].main);
    free(toy->t[i].publics);
  }
  memset(toy, 0, sizeof *toy);
}

/* Allocates the trace and public arrays of a finished table (zeroed). */
static starkml_status alloc_trace(sm_air_toy_table *tt) {
  size_t n = (size_t)1 << tt->table.log_n;
  if (tt->table.n_pre > 0 && (tt->pre = calloc(tt->table.n_pre * n, sizeof(gl_t))) == NULL) {
    return STARKML_ERR_NOMEM;
  }
  if (tt->table.n_main > 0 && (tt->main = calloc(tt->table.n_main * n, sizeof(gl_t))) == NULL) {
    return STARKML_ERR_NOMEM;
  }
  if (tt->table.n_public > 0 && (tt->publics = calloc(tt->table.n_public, sizeof(gl_t))) == NULL) {
    return STARKML_ERR_NOMEM;
  }
  return STARKML_OK;
}

starkml_status sm_air_toy_fibonacci(sm_air_toy *out, unsigned log_n, gl_t a0, gl_t b0) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (log_n < SM_AIR_MIN_LOG_N || log_n > SM_AIR_MAX_LOG_N || a0 >= GL_P || b0 >= GL_P) {
    return STARKML_ERR_ARG;
  }
  sm_air_builder b;
  sm_air_builder_init(&b, "fibonacci", log_n, 0, 2, 3);
  uint32_t a = sm_ab_col(&b, SM_COL_MAIN, 0, 0), bb = sm_ab_col(&b, SM_COL_MAIN, 1, 0);
  uint32_t an = sm_ab_col(&b, SM_COL_MAIN, 0, 1), bn = sm_ab_col(&b, SM_COL_MAIN, 1, 1);
  sm_ab_constraint(&b, sm_ab_sub(&b, an, bb), SM_SEL_TRANSITION);
  sm_ab_constraint(&b, sm_ab_sub(&b, bn, sm_ab_add(&b, a, bb)), SM_SEL_TRANSITION);
  sm_ab_constraint(&b, sm_ab_sub(&b, a, sm_ab_pub(&b, 0)), SM_SEL_FIRST);
  sm_ab_constraint(&b, sm_ab_sub(&b, bb, sm_ab_pub(&b, 1)), SM_SEL_FIRST);
  sm_ab_constraint(&b, sm_ab_sub(&b, bb, sm_ab_pub(&b, 2)), SM_SEL_LAST);
  out->n_tables = 1;
  sm_air_toy_table *tt = &out->t[0];
  starkml_status st = sm_ab_finish(&b, &tt->table, NULL, 0);
  if (st == STARKML_OK) st = alloc_trace(tt);
  if (st != STARKML_OK) {
    sm_air_toy_free(out);
    return st;
  }
  size_t n = (size_t)1 << log_n;
  gl_t *ca = tt->main, *cb = tt->main + n;
  ca[0] = a0;
  cb[0] = b0;
  for (size_t i = 1; i < n; i++) {
    ca[i] = cb[i - 1];
    cb[i] = gl_add(ca[i - 1], cb[i - 1]);
  }
  tt->publics[0] = a0;
  tt->publics[1] = b0;
  tt->publics[2] = cb[n - 1];
  return STARKML_OK;
}

#define RANGE8_LOG_N 8

starkml_status sm_air_toy_range_check(sm_air_toy *out, unsigned log_n, uint64_t seed) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (log_n < SM_AIR_MIN_LOG_N || log_n > SM_AIR_MAX_LOG_N) return STARKML_ERR_ARG;
  out->n_tables = 2;
  starkml_status st;

  sm_air_builder b;
  sm_air_builder_init(&b, "values", log_n, 0, 1, 0);
  uint32_t x = sm_ab_col(&b, SM_COL_MAIN, 0, 0);
  sm_ab_interaction(&b, SM_AIR_TOY_BUS_RANGE8, sm_ab_const(&b, 1), &x, 1);
  st = sm_ab_finish(&b, &out->t[0].table, NULL, 0);
  if (st == STARKML_OK) st = alloc_trace(&out->t[0]);
  if (st == STARKML_OK) {
    sm_air_builder_init(&b, "range8", RANGE8_LOG_N, 1, 1, 0);
    uint32_t v = sm_ab_col(&b, SM_COL_PRE, 0, 0);
    uint32_t m = sm_ab_neg(&b, sm_ab_col(&b, SM_COL_MAIN, 0, 0));
    sm_ab_interaction(&b, SM_AIR_TOY_BUS_RANGE8, m, &v, 1);
    st = sm_ab_finish(&b, &out->t[1].table, NULL, 0);
  }
  if (st == STARKML_OK) st = alloc_trace(&out->t[1]);
  if (st != STARKML_OK) {
    sm_air_toy_free(out);
    return st;
  }
  size_t n = (size_t)1 << log_n;
  gl_t *xs = out->t[0].main, *vs = out->t[1].pre, *mult = out->t[1].main;
  for (size_t v = 0; v < ((size_t)1 << RANGE8_LOG_N); v++) vs[v] = v;
  uint64_t s = seed;
  for (size_t i = 0; i < n; i++) {
    xs[i] = toy_rng(&s) & 0xFF;
    /* A count is at most n < p, so it is its own canonical representative. */
    mult[xs[i]]++;
  }
  return STARKML_OK;
}

starkml_status sm_air_toy_bus(sm_air_toy *out, unsigned log_n, uint64_t seed) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (log_n < SM_AIR_MIN_LOG_N || log_n > SM_AIR_MAX_LOG_N - 2) return STARKML_ERR_ARG;
  out->n_tables = 2;
  starkml_status st;

  sm_air_builder b;
  sm_air_builder_init(&b, "squares", log_n, 0, 2, 0);
  uint32_t xy[2] = {sm_ab_col(&b, SM_COL_MAIN, 0, 0), sm_ab_col(&b, SM_COL_MAIN, 1, 0)};
  sm_ab_constraint(&b, sm_ab_sub(&b, xy[1], sm_ab_mul(&b, xy[0], xy[0])), SM_SEL_EVERY);
  sm_ab_interaction(&b, SM_AIR_TOY_BUS_SQUARES, sm_ab_const(&b, 1), xy, 2);
  st = sm_ab_finish(&b, &out->t[0].table, NULL, 0);
  if (st == STARKML_OK) st = alloc_trace(&out->t[0]);
  if (st == STARKML_OK) {
    sm_air_builder_init(&b, "consumer", log_n + 2, 0, 3, 0);
    uint32_t cxy[2] = {sm_ab_col(&b, SM_COL_MAIN, 0, 0), sm_ab_col(&b, SM_COL_MAIN, 1, 0)};
    uint32_t sel = sm_ab_col(&b, SM_COL_MAIN, 2, 0);
    uint32_t boolean = sm_ab_mul(&b, sel, sm_ab_sub(&b, sel, sm_ab_const(&b, 1)));
    sm_ab_constraint(&b, boolean, SM_SEL_EVERY);
    sm_ab_interaction(&b, SM_AIR_TOY_BUS_SQUARES, sm_ab_neg(&b, sel), cxy, 2);
    st = sm_ab_finish(&b, &out->t[1].table, NULL, 0);
  }
  if (st == STARKML_OK) st = alloc_trace(&out->t[1]);
  size_t n = (size_t)1 << log_n, nc = n << 2;
  size_t *perm = NULL;
  if (st == STARKML_OK && (perm = malloc(nc * sizeof *perm)) == NULL) st = STARKML_ERR_NOMEM;
  if (st != STARKML_OK) {
    sm_air_toy_free(out);
    return st;
  }
  uint64_t s = seed;
  gl_t *x = out->t[0].main, *y = x + n;
  for (size_t i = 0; i < n; i++) {
    x[i] = gl_from_u64(toy_rng(&s));
    y[i] = gl_mul(x[i], x[i]);
  }
  /* Padding rows carry arbitrary (x, y): with sel = 0 they contribute nothing to the bus
   * and satisfy sel (sel - 1) = 0, which is the point of the selector. */
  gl_t *cx = out->t[1].main, *cy = cx + nc, *csel = cy + nc;
  for (size_t r = 0; r < nc; r++) {
    cx[r] = gl_from_u64(toy_rng(&s));
    cy[r] = gl_from_u64(toy_rng(&s));
    perm[r] = r;
  }
  /* Fisher-Yates; the slight modulo bias is irrelevant for a fixture. */
  for (size_t r = nc - 1; r > 0; r--) {
    size_t j = (size_t)(toy_rng(&s) % (r + 1));
    size_t tmp = perm[r];
    perm[r] = perm[j];
    perm[j] = tmp;
  }
  for (size_t i = 0; i < n; i++) {
    cx[perm[i]] = x[i];
    cy[perm[i]] = y[i];
    csel[perm[i]] = 1;
  }
  free(perm);
  return STARKML_OK;
}
