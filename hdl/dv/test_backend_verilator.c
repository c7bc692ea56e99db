/*
 * The verilator backend (host/backend_verilator.c over the simulated sm_ntt_core) against
 * the CPU reference: sm_be_ntt in every order and direction for every size from 2^0 (below
 * the core's smallest frame: zero-padded) through the core's sizes to 2^(LogN + 2)
 * (four-step), with column strides; coset evaluation through the dispatcher; the device
 * list and a bad device index. Results must equal the CPU's bit for bit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/ctx.h"
#include "core/field.h"
#include "core/ntt.h"
#include "hdl/dv/sm_ntt_shim.h"
#include "host/backends.h"
#include "tests/sm_test.h"

static sm_backend *open_be(void) {
  sm_backend *be = NULL;
  char why[256] = "";
  starkml_status s = sm_verilator_open(&be, 0, 1, why, sizeof why);
  if (s != STARKML_OK) fail_msg("sm_verilator_open: %s: %s", starkml_strerror(s), why);
  assert_string_equal(sm_be_name(be), "verilator");
  return be;
}

static void random_cols(gl_t *x, size_t len, uint64_t *rng) {
  for (size_t i = 0; i < len; i++) x[i] = sm_test_next(rng) % GL_P;
}

/* One sm_be_ntt call on the backend and on the CPU, compared (the padding between columns
   must be left alone too). */
static void check_ntt(sm_backend *be, sm_ntt_plan *plan, uint64_t *rng, unsigned log_n,
                      size_t cols, int inv, sm_order in, sm_order out) {
  const size_t n = (size_t)1 << log_n, stride = n + 3;
  gl_t *x = calloc(cols * stride, sizeof *x), *y = calloc(cols * stride, sizeof *y);
  assert_non_null(x);
  assert_non_null(y);
  random_cols(x, cols * stride, rng);
  memcpy(y, x, cols * stride * sizeof *x);
  starkml_status s = sm_be_ntt(be, plan, x, cols, stride, log_n, inv, in, out);
  if (s != STARKML_OK) fail_msg("2^%u: %s (%s)", log_n, starkml_strerror(s), sm_be_last_error(be));
  assert_int_equal(sm_be_ntt(NULL, plan, y, cols, stride, log_n, inv, in, out), STARKML_OK);
  if (memcmp(x, y, cols * stride * sizeof *x) != 0)
    fail_msg("2^%u %s, %s -> %s: differs from the CPU", log_n, inv ? "inverse" : "forward",
             in == SM_ORDER_NATURAL ? "natural" : "bitrev",
             out == SM_ORDER_NATURAL ? "natural" : "bitrev");
  free(x);
  free(y);
}

/* Every size the core takes directly or padded, every direction and order pair. */
static void ntt_core_sizes(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x71;
  sm_ntt_sim_info info;
  sm_ntt_sim_get_info(&info);
  sm_backend *be = open_be();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, info.log_n + 2, 1), STARKML_OK);
  for (unsigned log_n = 0; log_n <= info.log_n; log_n++)
    for (int inv = 0; inv < 2; inv++)
      for (int io = 0; io < 4; io++)
        check_ntt(be, plan, &rng, log_n, log_n < 8 ? 3 : 1, inv, (sm_order)(io & 1),
                  (sm_order)(io >> 1));
  sm_ntt_plan_free(plan);
  sm_be_free(be);
}

/* Above the core: four-step (host transposes and twiddles, the core's transforms). */
static void ntt_four_step(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x72;
  sm_ntt_sim_info info;
  sm_ntt_sim_get_info(&info);
  sm_backend *be = open_be();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, info.log_n + 2, 1), STARKML_OK);
  check_ntt(be, plan, &rng, info.log_n + 1, 2, 0, SM_ORDER_NATURAL, SM_ORDER_BITREV);
  check_ntt(be, plan, &rng, info.log_n + 1, 1, 1, SM_ORDER_BITREV, SM_ORDER_NATURAL);
  check_ntt(be, plan, &rng, info.log_n + 2, 1, 1, SM_ORDER_NATURAL, SM_ORDER_NATURAL);
  check_ntt(be, plan, &rng, info.log_n + 2, 1, 0, SM_ORDER_BITREV, SM_ORDER_BITREV);
  /* Beyond two passes of the core: a clear device error, not a wrong answer. */
  gl_t one = 0;
  starkml_status s = sm_be_ntt(be, plan, &one, 1, 0, 2 * info.log_n + 1, 0, SM_ORDER_NATURAL,
                               SM_ORDER_NATURAL);
  assert_int_equal(s, STARKML_ERR_BACKEND);
  assert_non_null(strstr(sm_be_last_error(be), "four-step"));
  sm_ntt_plan_free(plan);
  sm_be_free(be);
}

/* Coset evaluation: the dispatcher scales and pads on the host, the core transforms. */
static void coset_eval_matches_cpu(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x73;
  sm_backend *be = open_be();
  sm_ntt_plan *plan = NULL;
  assert_int_equal(sm_ntt_plan_create(&plan, 10, 1), STARKML_OK);
  static const size_t ncoef[] = {0, 1, 5, 64, 100, 256};
  for (size_t k = 0; k < sizeof ncoef / sizeof ncoef[0]; k++) {
    const unsigned log_N = 8 + (unsigned)(k % 3);
    const size_t N = (size_t)1 << log_N, nc = ncoef[k], cs = nc + 2, cols = 2;
    gl_t *coef = calloc(cols * cs + 1, sizeof *coef);
    gl_t *a = calloc(cols * N, sizeof *a), *b = calloc(cols * N, sizeof *b);
    assert_non_null(coef);
    random_cols(coef, cols * cs, &rng);
    gl_t shift = sm_test_next(&rng) % GL_P;
    assert_int_equal(sm_be_coset_eval(be, plan, a, N, coef, cs, nc, cols, log_N, shift),
                     STARKML_OK);
    assert_int_equal(sm_coset_eval(plan, b, N, coef, cs, nc, cols, log_N, shift), STARKML_OK);
    assert_memory_equal(a, b, cols * N * sizeof *a);
    free(coef);
    free(a);
    free(b);
  }
  sm_ntt_plan_free(plan);
  sm_be_free(be);
}

/* One device, listed with the core's parameters; any other index is an argument error. */
static void devices_and_errors(void **state) {
  (void)state;
  sm_backend *be = NULL;
  char why[256] = "";
  assert_int_equal(sm_verilator_open(&be, 1, 1, why, sizeof why), STARKML_ERR_ARG);
  assert_null(be);
  assert_non_null(strstr(why, "one device"));
  starkml_device_info d[8];
  size_t n = 0;
  assert_int_equal(starkml_devices(d, 8, &n, why, sizeof why), STARKML_OK);
  int found = 0;
  for (size_t i = 0; i < n && i < 8; i++)
    if (strcmp(d[i].backend, "verilator") == 0) {
      found = 1;
      assert_non_null(strstr(d[i].name, "sm_ntt_core LogN="));
      assert_non_null(strstr(d[i].name, "Verilator"));
    }
  assert_true(found);
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 1), STARKML_OK);
  assert_int_equal(starkml_ctx_set_backend(ctx, "verilator", 0, why, sizeof why), STARKML_OK);
  assert_string_equal(starkml_ctx_backend(ctx), "verilator");
  starkml_ctx_destroy(ctx);
}

SM_TEST_MAIN(cmocka_unit_test(ntt_core_sizes), cmocka_unit_test(ntt_four_step),
             cmocka_unit_test(coset_eval_matches_cpu), cmocka_unit_test(devices_and_errors))
