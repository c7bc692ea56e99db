/*
 * Tests for output predicates (air/predicate.h): every accepted text form, the canonical
 * formatter, exact round trips parse(format(p)) == p on random predicates (thresholds from
 * random bit patterns, so subnormals and extreme exponents are covered), a list of
 * malformed texts each refused with a message, and random bytes and mutations of valid
 * texts, which must never crash and, when accepted, must give a valid predicate.
 */
#include "tests/sm_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/predicate.h"

static int same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int same_pred(const sm_predicate *a, const sm_predicate *b) {
  return a->kind == b->kind && a->index == b->index && same_double(a->lo, b->lo) &&
         same_double(a->hi, b->hi);
}

static int is_zeroed(const sm_predicate *p) {
  sm_predicate z;
  memset(&z, 0, sizeof z);
  return same_pred(p, &z);
}

/* ---- Accepted forms ------------------------------------------------------------------ */

static void test_accepted_forms(void **state) {
  (void)state;
  static const struct {
    const char *text;
    uint32_t kind, index;
    double lo, hi;
  } cases[] = {
      {"argmax==3", SM_PRED_ARGMAX, 3, 0, 0},
      {"argmax(y)==3", SM_PRED_ARGMAX, 3, 0, 0},
      {"  argmax ( y ) ==  3  ", SM_PRED_ARGMAX, 3, 0, 0},
      {"argmax==0", SM_PRED_ARGMAX, 0, 0, 0},
      {"argmax==007", SM_PRED_ARGMAX, 7, 0, 0},
      {"argmax==1048575", SM_PRED_ARGMAX, 1048575, 0, 0},
      {"y[0]>=0.8", SM_PRED_GE, 0, 0.8, 0},
      {"y[0]<=0.8", SM_PRED_LE, 0, 0, 0.8},
      {"0.2<=y[1]<=0.6", SM_PRED_RANGE, 1, 0.2, 0.6},
      {"y[2]>=-1.5e-3", SM_PRED_GE, 2, -1.5e-3, 0},
      {" y [ 12 ] >= 1 ", SM_PRED_GE, 12, 1.0, 0},
      {" 0.2 <= y [ 1 ] <= 0.6 ", SM_PRED_RANGE, 1, 0.2, 0.6},
      {"y[1048575]<=+2", SM_PRED_LE, 1048575, 0, 2.0},
      {"y[0]>=.5", SM_PRED_GE, 0, 0.5, 0},
      {"y[0]>=5.", SM_PRED_GE, 0, 5.0, 0},
      {"y[0]>=1E3", SM_PRED_GE, 0, 1000.0, 0},
      {"y[0]>=1e+3", SM_PRED_GE, 0, 1000.0, 0},
      {"y[0]>=-0", SM_PRED_GE, 0, 0.0, 0}, /* -0 is stored as +0 */
      {"-0.0<=y[0]<=0", SM_PRED_RANGE, 0, 0.0, 0.0},
      {"-1<=y[3]<=-1", SM_PRED_RANGE, 3, -1.0, -1.0},
      {"y[0]>=1e-400", SM_PRED_GE, 0, 0.0, 0}, /* underflows to zero: finite, accepted */
      {"y[0]>=4.9406564584124654e-324", SM_PRED_GE, 0, 4.9406564584124654e-324, 0},
      {"y[0]<=1.7976931348623157e308", SM_PRED_LE, 0, 0, 1.7976931348623157e308},
      {"-1.7976931348623157e308<=y[9]<=1.7976931348623157e308", SM_PRED_RANGE, 9,
       -1.7976931348623157e308, 1.7976931348623157e308},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sm_predicate p;
    char why[256] = "junk";
    starkml_status s = sm_predicate_parse(&p, why, sizeof why, cases[i].text);
    if (s != STARKML_OK) fprintf(stderr, "'%s' refused: %s\n", cases[i].text, why);
    assert_int_equal(s, STARKML_OK);
    assert_string_equal(why, "");
    sm_predicate want = {cases[i].kind, cases[i].index, cases[i].lo, cases[i].hi};
    if (!same_pred(&p, &want)) fprintf(stderr, "'%s' parsed wrong\n", cases[i].text);
    assert_true(same_pred(&p, &want));
    if (p.lo == 0.0) assert_false(signbit(p.lo));
    if (p.hi == 0.0) assert_false(signbit(p.hi));
    assert_int_equal(sm_predicate_check(&p), STARKML_OK);
    /* why is optional. */
    sm_predicate q;
    assert_int_equal(sm_predicate_parse(&q, NULL, 0, cases[i].text), STARKML_OK);
    assert_true(same_pred(&p, &q));
  }
}

/* ---- Formatting ---------------------------------------------------------------------- */

static void check_format(const char *text, const char *want) {
  sm_predicate p;
  assert_int_equal(sm_predicate_parse(&p, NULL, 0, text), STARKML_OK);
  char buf[128];
  size_t n = sm_predicate_format(buf, sizeof buf, &p);
  assert_string_equal(buf, want);
  assert_int_equal(n, strlen(want));
}

static void test_format_canonical(void **state) {
  (void)state;
  check_format("argmax==3", "argmax==3");
  check_format(" argmax ( y ) == 003 ", "argmax==3");
  check_format("y[0]>=0.8", "y[0]>=0.8");
  check_format("y[0]<=0.8", "y[0]<=0.8");
  check_format("0.2<=y[1]<=0.6", "0.2<=y[1]<=0.6");
  check_format("y[2]>=-1.5e-3", "y[2]>=-0.0015");
  check_format("y [ 4 ] <= 1E3", "y[4]<=1000");
  check_format("y[0]>=-0", "y[0]>=0");
  check_format("y[0]>=0.1e-10", "y[0]>=1e-11");
  /* 0.1 + 0.2 needs 17 digits to read back as itself. */
  check_format("y[0]>=0.30000000000000004", "y[0]>=0.30000000000000004");
  /* The smallest subnormal: 15 digits already read back as itself. */
  check_format("y[0]>=4.9406564584124654e-324", "y[0]>=4.94065645841247e-324");

  /* Truncation behaves like snprintf and the full length is returned. */
  sm_predicate p;
  assert_int_equal(sm_predicate_parse(&p, NULL, 0, "argmax==3"), STARKML_OK);
  char small[4];
  assert_int_equal(sm_predicate_format(small, sizeof small, &p), 9);
  assert_string_equal(small, "arg");
  assert_int_equal(sm_predicate_format(NULL, 0, &p), 9);

  /* Invalid predicates. */
  char buf[32];
  sm_predicate none;
  memset(&none, 0, sizeof none);
  assert_int_equal(sm_predicate_format(buf, sizeof buf, &none), 4);
  assert_string_equal(buf, "none");
  sm_predicate bad = {SM_PRED_GE, 0, NAN, 0};
  sm_predicate_format(buf, sizeof buf, &bad);
  assert_string_equal(buf, "invalid");
  sm_predicate_format(buf, sizeof buf, NULL);
  assert_string_equal(buf, "invalid");
}

/* ---- Round trips --------------------------------------------------------------------- */

/* A finite double: half of the time from random bits (any exponent, subnormals), else a
   short decimal like a user would type. */
static double rand_threshold(uint64_t *rng) {
  for (;;) {
    uint64_t r = sm_test_next(rng);
    double x;
    if (r & 1) {
      uint64_t bits = sm_test_next(rng);
      memcpy(&x, &bits, sizeof x);
    } else {
      x = (double)(int64_t)(sm_test_next(rng) % 2000001 - 1000000) /
          pow(10.0, (double)(sm_test_next(rng) % 8));
    }
    if (isfinite(x)) return x == 0.0 ? 0.0 : x;
  }
}

static void test_round_trip_random(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x7072656469636174ULL;
  for (int iter = 0; iter < 20000; iter++) {
    sm_predicate p;
    memset(&p, 0, sizeof p);
    p.kind = 1 + (uint32_t)(sm_test_next(&rng) % 4);
    p.index = (uint32_t)(sm_test_next(&rng) % SM_PRED_MAX_INDEX);
    switch (p.kind) {
      case SM_PRED_GE: p.lo = rand_threshold(&rng); break;
      case SM_PRED_LE: p.hi = rand_threshold(&rng); break;
      case SM_PRED_RANGE: {
        double a = rand_threshold(&rng), b = (sm_test_next(&rng) & 3) ? rand_threshold(&rng) : a;
        p.lo = a < b ? a : b;
        p.hi = a < b ? b : a;
        break;
      }
      default: break;
    }
    assert_int_equal(sm_predicate_check(&p), STARKML_OK);
    char buf[128];
    size_t n = sm_predicate_format(buf, sizeof buf, &p);
    assert_true(n < sizeof buf);
    assert_int_equal(n, strlen(buf));
    sm_predicate q;
    char why[256];
    starkml_status s = sm_predicate_parse(&q, why, sizeof why, buf);
    if (s != STARKML_OK || !same_pred(&p, &q)) fprintf(stderr, "round trip of '%s': %s\n", buf, why);
    assert_int_equal(s, STARKML_OK);
    assert_true(same_pred(&p, &q));
    /* The canonical text is a fixed point. */
    char buf2[128];
    sm_predicate_format(buf2, sizeof buf2, &q);
    assert_string_equal(buf, buf2);
  }
}

/* ---- Malformed texts ----------------------------------------------------------------- */

static void expect_refused(const char *text, const char *needle) {
  sm_predicate p;
  memset(&p, 0xAB, sizeof p);
  char why[512];
  memset(why, 'x', sizeof why);
  starkml_status s = sm_predicate_parse(&p, why, sizeof why, text);
  if (s != STARKML_ERR_PARSE) fprintf(stderr, "accepted: '%s'\n", text);
  assert_int_equal(s, STARKML_ERR_PARSE);
  assert_true(is_zeroed(&p));
  assert_non_null(memchr(why, '\0', sizeof why));
  assert_true(strncmp(why, "predicate '", 11) == 0);
  assert_true(strlen(why) > 20);
  if (needle != NULL && strstr(why, needle) == NULL) {
    fprintf(stderr, "message for '%s' lacks '%s': %s\n", text, needle, why);
    fail();
  }
}

static void test_malformed(void **state) {
  (void)state;
  static const struct {
    const char *text, *needle;
  } cases[] = {
      {"", "empty; expected argmax==K, y[I]>=T, y[I]<=T or LO<=y[I]<=HI"},
      {"   ", "empty"},
      {"argmax", "expected '==' after argmax"},
      {"argmax==", "expected a class index (a decimal integer below 1048576) after argmax=="},
      {"argmax=3", "expected '==' after argmax"},
      {"argmax==-1", "expected a class index"},
      {"argmax==3.5", "expected the end of the predicate after argmax==3"},
      {"argmax==3 4", "expected the end of the predicate"},
      {"argmax(y==3", "expected ')' after argmax(y"},
      {"argmax(x)==3", "expected 'y' after argmax("},
      {"argmax()==3", "expected 'y' after argmax("},
      {"argmax==1048576", "class index 1048576 is too large (the largest is 1048575)"},
      {"argmax==99999999999999999999999", "too large"},
      {"ARGMAX==3", "expected argmax==K"},
      {"y", "expected '[' after y"},
      {"y0>=1", "expected '[' after y"},
      {"y[]>=1", "expected an output index (a decimal integer below 1048576) after y["},
      {"y[-1]>=1", "expected an output index"},
      {"y[+1]>=1", "expected an output index"},
      {"y[0>=1", "expected ']' after y[0"},
      {"y[0]", "expected '>=' or '<=' after y[0]"},
      {"y[0]=>1", NULL}, /* exact message checked below */
      {"y[0]>1", "expected '>=' or '<=' after y[0]"},
      {"y[0]==1", "expected '>=' or '<=' after y[0]"},
      {"y[0]> =1", "expected '>=' or '<=' after y[0]"},
      {"y[0]>=", "expected a number after y[0]>="},
      {"y[0]>=1 2", "expected the end of the predicate after y[0]>=1"},
      {"y[0]>=1x", "expected the end of the predicate after y[0]>=1"},
      {"y[0]>=inf", "infinity and NaN are not allowed"},
      {"y[0]>=-Infinity", "infinity and NaN are not allowed"},
      {"y[0]<=nan", "infinity and NaN are not allowed"},
      {"inf<=y[0]<=1", "infinity and NaN are not allowed"},
      {"y[0]>=0x10", "hexadecimal numbers are not allowed"},
      {"y[0]>=0x1p3", "hexadecimal numbers are not allowed"},
      {"-0X1<=y[0]<=1", "expected a decimal number: hexadecimal numbers are not allowed"},
      {"y[0]>=10x1", "expected the end of the predicate after y[0]>=10"},
      {"y[0]>=1e", "number '1e' has an exponent without digits"},
      {"y[0]>=1e+", "exponent without digits"},
      {"y[0]>=1e999", "number '1e999' is out of range"},
      {"y[0]>=-1e999", "out of range"},
      {"y[0]>=.", "expected a number after y[0]>="},
      {"y[0]>=+-1", "expected a number"},
      {"y[0]>=1..2", "expected the end of the predicate"},
      {"y[0]>=1,5", "expected the end of the predicate"},
      {"y[0]>=1e5e5", "expected the end of the predicate"},
      {"y[0]>=0.8 junk", "expected the end of the predicate after y[0]>=0.8"},
      {"0.6<=y[1]<=0.2", "empty range: the lower bound 0.6 is above the upper bound 0.2"},
      {"0.2<=y[1]", "expected '<=' after 0.2<=y[1] (a range is written LO<=y[I]<=HI)"},
      {"0.2<=y[1]>=0.6", "expected '<=' after 0.2<=y[1]"},
      {"0.2>=y[1]<=0.6", "expected '<=' after 0.2"},
      {"0.2<=x[1]<=0.6", "expected 'y' after 0.2<="},
      {"0.2", "expected '<=' after 0.2"},
      {"1<=2", "expected 'y' after 1<="},
      {"Y[0]>=1", "expected argmax==K"},
      {"argmax==3\n", "expected the end of the predicate"},
      {"y[0]>=1\t", "expected the end of the predicate"},
      {"y[0] >= 1;", "expected the end of the predicate after y[0] >= 1"},
      {"y[1048576]>=0", "output index 1048576 is too large"},
      {"y[99999999999999999999]>=0", "too large"},
      {"z", "expected argmax==K"},
      {"\xff", "'\\xff'"},
      {"\x01y", "'\\x01y'"},
      {"y[0]>='1'", "expected a number"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    expect_refused(cases[i].text, cases[i].needle);
  }

  /* The example of the brief, exactly. */
  sm_predicate p;
  char why[256];
  assert_int_equal(sm_predicate_parse(&p, why, sizeof why, "y[0]=>1"), STARKML_ERR_PARSE);
  assert_string_equal(why, "predicate 'y[0]=>1': expected '>=' or '<=' after y[0]");

  /* A long text is refused unread, and quoted cut short. */
  char long_text[SM_PRED_MAX_TEXT + 100];
  memcpy(long_text, "y[0]>=", 6);
  memset(long_text + 6, '1', sizeof long_text - 7);
  long_text[sizeof long_text - 1] = '\0';
  expect_refused(long_text, "longer than 1024 characters");
  assert_int_equal(sm_predicate_parse(&p, why, sizeof why, long_text), STARKML_ERR_PARSE);
  assert_non_null(strstr(why, "...'"));
}

/* ---- Arguments and invariants -------------------------------------------------------- */

static void test_null_args(void **state) {
  (void)state;
  sm_predicate p;
  char why[64];
  assert_int_equal(sm_predicate_parse(NULL, why, sizeof why, "argmax==1"), STARKML_ERR_ARG);
  assert_true(strlen(why) > 0);
  memset(&p, 0xAB, sizeof p);
  assert_int_equal(sm_predicate_parse(&p, why, sizeof why, NULL), STARKML_ERR_ARG);
  assert_true(is_zeroed(&p));
  assert_int_equal(sm_predicate_parse(&p, NULL, 0, NULL), STARKML_ERR_ARG);
  /* A one-byte message buffer gets only the NUL. */
  char one[1] = {'x'};
  assert_int_equal(sm_predicate_parse(&p, one, sizeof one, "bad"), STARKML_ERR_PARSE);
  assert_int_equal(one[0], '\0');
  /* why_len 0: why is not touched. */
  char untouched[2] = {'x', 'y'};
  assert_int_equal(sm_predicate_parse(&p, untouched, 0, "bad"), STARKML_ERR_PARSE);
  assert_int_equal(untouched[0], 'x');
  assert_int_equal(sm_predicate_check(NULL), STARKML_ERR_ARG);
}

static void test_check_invariants(void **state) {
  (void)state;
  static const sm_predicate good[] = {
      {SM_PRED_ARGMAX, 0, 0, 0},
      {SM_PRED_ARGMAX, SM_PRED_MAX_INDEX - 1, 0, 0},
      {SM_PRED_GE, 5, -2.5, 0},
      {SM_PRED_LE, 5, 0, 2.5},
      {SM_PRED_RANGE, 5, 1, 1},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    assert_int_equal(sm_predicate_check(&good[i]), STARKML_OK);
  }
  static const sm_predicate bad[] = {
      {SM_PRED_NONE, 0, 0, 0},
      {5, 0, 0, 0},
      {UINT32_MAX, 0, 0, 0},
      {SM_PRED_ARGMAX, SM_PRED_MAX_INDEX, 0, 0},
      {SM_PRED_ARGMAX, 0, 1, 0},
      {SM_PRED_ARGMAX, 0, -0.0, 0},
      {SM_PRED_GE, 0, 1, 1},
      {SM_PRED_GE, 0, INFINITY, 0},
      {SM_PRED_GE, 0, NAN, 0},
      {SM_PRED_GE, 0, -0.0, 0},
      {SM_PRED_LE, 0, 1, 1},
      {SM_PRED_LE, 0, 0, -INFINITY},
      {SM_PRED_RANGE, 0, 2, 1},
      {SM_PRED_RANGE, 0, NAN, 1},
      {SM_PRED_RANGE, 0, 0, NAN},
      {SM_PRED_RANGE, SM_PRED_MAX_INDEX, 0, 1},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (sm_predicate_check(&bad[i]) != STARKML_ERR_PARSE) fprintf(stderr, "bad[%zu] passed\n", i);
    assert_int_equal(sm_predicate_check(&bad[i]), STARKML_ERR_PARSE);
  }
}

/* ---- Random input -------------------------------------------------------------------- */

/* Parses text with a message buffer of random size; checks the contract either way. */
static void parse_checked(const char *text, uint64_t *rng) {
  char why[80];
  size_t why_len = (size_t)(sm_test_next(rng) % (sizeof why + 1));
  memset(why, 'x', sizeof why);
  sm_predicate p;
  starkml_status s = sm_predicate_parse(&p, why, why_len, text);
  if (why_len > 0) assert_non_null(memchr(why, '\0', why_len));
  for (size_t i = why_len; i < sizeof why; i++) assert_int_equal(why[i], 'x');
  if (s == STARKML_OK) {
    assert_int_equal(sm_predicate_check(&p), STARKML_OK);
    char buf[128];
    sm_predicate_format(buf, sizeof buf, &p);
    sm_predicate q;
    assert_int_equal(sm_predicate_parse(&q, NULL, 0, buf), STARKML_OK);
    assert_true(same_pred(&p, &q));
  } else {
    assert_int_equal(s, STARKML_ERR_PARSE);
    assert_true(is_zeroed(&p));
  }
}

static void test_random_bytes(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x6279746573ULL;
  char text[64];
  for (int iter = 0; iter < 50000; iter++) {
    size_t n = (size_t)(sm_test_next(&rng) % sizeof text);
    for (size_t i = 0; i < n; i++) text[i] = (char)(1 + sm_test_next(&rng) % 255);
    text[n] = '\0';
    parse_checked(text, &rng);
  }
}

/* Valid texts mutated with characters of the grammar: reaches deep into every branch. */
static void test_random_mutations(void **state) {
  (void)state;
  static const char *seeds[] = {"argmax==3", "argmax(y)==12", "y[0]>=0.8", "y[7]<=-1.5e-3",
                                "0.2<=y[1]<=0.6", " 1e3 <= y [ 2 ] <= 1e4 "};
  static const char alphabet[] = "argmaxy()[]<>=.0123456789eE+- xinfnaN";
  uint64_t rng = sm_test_seed() ^ 0x6d7574617465ULL;
  int accepted = 0;
  for (int iter = 0; iter < 50000; iter++) {
    char text[96];
    snprintf(text, sizeof text, "%s", seeds[sm_test_next(&rng) % (sizeof seeds / sizeof seeds[0])]);
    int edits = 1 + (int)(sm_test_next(&rng) % 3);
    for (int e = 0; e < edits; e++) {
      size_t n = strlen(text), at = n == 0 ? 0 : (size_t)(sm_test_next(&rng) % (n + 1));
      char c = alphabet[sm_test_next(&rng) % (sizeof alphabet - 1)];
      switch (sm_test_next(&rng) % 3) {
        case 0: /* replace */
          if (at < n) text[at] = c;
          break;
        case 1: /* insert */
          if (n + 1 < sizeof text) {
            memmove(text + at + 1, text + at, n - at + 1);
            text[at] = c;
          }
          break;
        default: /* delete */
          if (at < n) memmove(text + at, text + at + 1, n - at);
          break;
      }
    }
    sm_predicate p;
    if (sm_predicate_parse(&p, NULL, 0, text) == STARKML_OK) accepted++;
    parse_checked(text, &rng);
  }
  /* Some mutations stay valid (a digit changed): the test reached the accepting paths. */
  assert_true(accepted > 100);
}

SM_TEST_MAIN(cmocka_unit_test(test_accepted_forms), cmocka_unit_test(test_format_canonical),
             cmocka_unit_test(test_round_trip_random), cmocka_unit_test(test_malformed),
             cmocka_unit_test(test_null_args), cmocka_unit_test(test_check_invariants),
             cmocka_unit_test(test_random_bytes), cmocka_unit_test(test_random_mutations))
