/*
 * Tests for input / calibration JSON (air/input_json.h): good files (nested, flat,
 * integers, extra members, the float range's edges), every malformed case with the words
 * its message must hold, Python's NaN / Infinity tokens, out-of-range values, the value
 * cap, files (good, missing, a directory), and random truncations and mutations of a good
 * text, which must fail cleanly and never crash.
 */
#include "tests/sm_test.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "air/input_json.h"

/* Parses a NUL-terminated text; fails the test unless it is accepted. */
static float *parse_ok(const char *text, size_t *rows, size_t *cols) {
  float *data;
  char why[256] = "junk";
  starkml_status s = sm_input_json_parse(&data, rows, cols, why, sizeof why, text, strlen(text));
  if (s != STARKML_OK) fprintf(stderr, "refused %s: %s\n", text, why);
  assert_int_equal(s, STARKML_OK);
  assert_string_equal(why, "");
  assert_non_null(data);
  return data;
}

/* Expects STARKML_ERR_PARSE, cleared outputs, and needle in the message. */
static void expect_refused_n(const char *text, size_t len, const char *needle) {
  float *data = (float *)&data; /* garbage the function must clear */
  size_t rows = 99, cols = 99;
  char why[512];
  memset(why, 'x', sizeof why);
  starkml_status s = sm_input_json_parse(&data, &rows, &cols, why, sizeof why, text, len);
  if (s != STARKML_ERR_PARSE) fprintf(stderr, "not refused as malformed: %.*s\n", (int)len, text);
  assert_int_equal(s, STARKML_ERR_PARSE);
  assert_null(data);
  assert_int_equal(rows, 0);
  assert_int_equal(cols, 0);
  assert_non_null(memchr(why, '\0', sizeof why));
  assert_true(strlen(why) > 0);
  if (needle != NULL && strstr(why, needle) == NULL) {
    fprintf(stderr, "message for %.*s lacks '%s': %s\n", (int)len, text, needle, why);
    fail();
  }
}

static void expect_refused(const char *text, const char *needle) {
  expect_refused_n(text, strlen(text), needle);
}

/* ---- Good input ---------------------------------------------------------------------- */

static void test_nested(void **state) {
  (void)state;
  size_t rows, cols;
  float *d = parse_ok("{\"input_data\": [[1, 2.5, -3], [4e-1, 0, 1E2]]}", &rows, &cols);
  assert_int_equal(rows, 2);
  assert_int_equal(cols, 3);
  static const float want[] = {1.0f, 2.5f, -3.0f, 0.4f, 0.0f, 100.0f};
  for (size_t i = 0; i < 6; i++) assert_true(d[i] == want[i]);
  free(d);

  /* One sample, nested; white space everywhere JSON allows it. */
  d = parse_ok(" \n{ \"input_data\" :\t[ [ 0.125 ] ] }\r\n", &rows, &cols);
  assert_int_equal(rows, 1);
  assert_int_equal(cols, 1);
  assert_true(d[0] == 0.125f);
  free(d);
}

static void test_flat(void **state) {
  (void)state;
  size_t rows, cols;
  float *d = parse_ok("{\"input_data\": [0.5, -1, 2]}", &rows, &cols);
  assert_int_equal(rows, 1);
  assert_int_equal(cols, 3);
  assert_true(d[0] == 0.5f && d[1] == -1.0f && d[2] == 2.0f);
  free(d);
}

static void test_ints_and_edges(void **state) {
  (void)state;
  size_t rows, cols;
  /* Integers, other members ignored (EZKL writes output_data), member order free. */
  float *d = parse_ok(
      "{\"output_data\": [[\"x\"]], \"input_data\": [[1, -2], [16777217, 0]], \"v\": null}",
      &rows, &cols);
  assert_int_equal(rows, 2);
  assert_int_equal(cols, 2);
  assert_true(d[0] == 1.0f && d[1] == -2.0f);
  assert_true(d[2] == 16777216.0f); /* 2^24 + 1 rounds to nearest even float */
  assert_true(d[3] == 0.0f);
  free(d);

  /* The edges of float's range, and values that round to zero. */
  d = parse_ok("{\"input_data\": [3.4028234663852886e38, -3.4028234663852886e38, 1e-50, "
               "-0.0, 1.401298464324817e-45]}",
               &rows, &cols);
  assert_int_equal(cols, 5);
  assert_true(d[0] == FLT_MAX && d[1] == -FLT_MAX);
  assert_true(d[2] == 0.0f && d[3] == 0.0f);
  assert_true(d[4] > 0.0f && d[4] < FLT_MIN); /* the smallest subnormal float */
  free(d);

  /* A large integer literal (beyond json_int_t) inside float's range. */
  d = parse_ok("{\"input_data\": [100000000000000000000000000000]}", &rows, &cols);
  assert_true(d[0] == 1e29f);
  free(d);
}

/* ---- Malformed input ----------------------------------------------------------------- */

static void test_malformed(void **state) {
  (void)state;
  static const struct {
    const char *text, *needle;
  } cases[] = {
      {"", "line 1 column 0"},
      {"   ", "line"},
      {"[1, 2]", "expected a JSON object with an \"input_data\" member, found an array"},
      {"\"input_data\"", "line 1 column 12: '[' or '{' expected"},
      {"{}", "no \"input_data\" member"},
      {"{\"inputs\": [[1]]}", "no \"input_data\" member"},
      {"{\"input_data\": 5}", "input_data: expected an array, found a number"},
      {"{\"input_data\": {\"a\": 1}}", "input_data: expected an array, found an object"},
      {"{\"input_data\": null}", "found null"},
      {"{\"input_data\": []}", "input_data is empty"},
      {"{\"input_data\": [[]]}", "input_data[0] is an empty sample"},
      {"{\"input_data\": [[1], []]}", "input_data[1] is an empty sample"},
      {"{\"input_data\": [[1, 2], [3]]}",
       "input_data[1] has 1 value but input_data[0] has 2: every sample must have the same "
       "length"},
      {"{\"input_data\": [[1], [2, 3]]}", "input_data[1] has 2 values"},
      {"{\"input_data\": [[1, 2, 3, 4, 5, \"6\"]]}",
       "input_data[0][5]: expected a number, found a string"},
      {"{\"input_data\": [[1], [null]]}", "input_data[1][0]: expected a number, found null"},
      {"{\"input_data\": [[true]]}", "input_data[0][0]: expected a number, found true"},
      {"{\"input_data\": [[[1]]]}", "input_data[0][0]: expected a number, found an array"},
      {"{\"input_data\": [[{}]]}", "found an object"},
      {"{\"input_data\": [1, [2]]}", "input_data[1]: expected a number, found an array"},
      {"{\"input_data\": [1, false]}", "input_data[1]: expected a number, found false"},
      {"{\"input_data\": [[1], 2]}", "input_data[1]: expected an array of numbers"},
      {"{\"input_data\": [\"a\"]}",
       "input_data[0]: expected a number or an array of numbers, found a string"},
      {"{\"input_data\": [null]}", "expected a number or an array of numbers, found null"},
      {"{\"input_data\": [[1]], \"input_data\": [[2]]}", "duplicate"},
      {"{\"input_data\": [[1]]} x", "line 1 column"},
      {"{\"input_data\": [[1]]}{}", "line 1 column"},
      {"{\"input_data\": [[1,]]}", "line 1 column"},
      {"{\"input_data\": [[01]]}", "line 1 column"},
      {"{\"input_data\": [[+1]]}", "line 1 column"},
      {"{\"input_data\": [[.5]]}", "line 1 column"},
      {"{\"input_data\": [[0x10]]}", "line 1 column"},
      {"{'input_data': [[1]]}", "line 1 column"},
      {"{\"input_data\": [[1]]", "line 1 column"},
      {"{\"input_data\": [[1, foo]]}", "invalid token"},
      /* Out of float's range (the first just above FLT_MAX's rounding boundary). */
      {"{\"input_data\": [[1e39]]}", "input_data[0][0]: 1e+39 is outside the range of float"},
      {"{\"input_data\": [-1e39]}", "input_data[0]: -1e+39 is outside the range of float"},
      {"{\"input_data\": [[0, 3.4028236e38]]}", "input_data[0][1]: 3.4028236e+38 is outside"},
      {"{\"input_data\": [1000000000000000000000000000000000000000]}", "outside the range"},
      {"{\"input_data\": [[1e400]]}", "overflow"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    expect_refused(cases[i].text, cases[i].needle);
  }
  /* A NUL inside the text (the length counts it) is not JSON. */
  static const char with_nul[] = "{\"input_data\": [[1]]}\0";
  expect_refused_n(with_nul, sizeof with_nul - 1, "line 1 column");
  static const char nul_in_string[] = "{\"input_data\": [[1]], \"a\": \"\0\"}";
  expect_refused_n(nul_in_string, sizeof nul_in_string - 1, NULL);
}

static void test_nan_infinity(void **state) {
  (void)state;
  static const char *msg = "NaN and Infinity are not allowed";
  expect_refused("{\"input_data\": [[1, NaN]]}", msg);
  expect_refused("{\"input_data\": [[1, -Infinity]]}", "line 1 column 21: NaN and Infinity");
  expect_refused("{\"input_data\": [Infinity, 1]}", msg);
  expect_refused("{\"input_data\": [[nan]]}", msg);
  expect_refused("{\"input_data\": [[1, 2], [3, NaN]]}", "line 1 column 29: NaN and Infinity");
  expect_refused("{\"note\": \"NaN true null\", \"input_data\": [[1, Infinity]]}", msg);
  expect_refused("{\"input_data\": [[1e3, true, null, -NaN]]}", msg);
  expect_refused("{\"input_data\":\n  [[1,\n    NaN]]}", "line 3 column 5: NaN and Infinity");
  /* Python's json.dumps([float('nan')]) output, as a whole file. */
  expect_refused("{\"input_data\": [[NaN, Infinity, -Infinity]]}", msg);
  /* A string "NaN" is a string, and other bad words are not NaN. */
  expect_refused("{\"input_data\": [[\"NaN\"]]}", "expected a number, found a string");
  expect_refused("{\"input_data\": [[1, Nope]]}", "invalid token");
  expect_refused("{\"input_data\": [[1, \"a\\\"NaN\" NaN]]}", "line 1 column");
}

static void test_too_many_values(void **state) {
  (void)state;
  /* 2^24 + 1 zeros: refused by the count on the text, before jansson builds anything. */
  size_t n = SM_INPUT_JSON_MAX_VALUES + 1;
  const char *head = "{\"input_data\": [";
  size_t len = strlen(head) + 2 * n + 1;
  char *text = malloc(len + 1);
  assert_non_null(text);
  size_t o = strlen(head);
  memcpy(text, head, o);
  for (size_t i = 0; i < n; i++) {
    text[o++] = '0';
    text[o++] = i + 1 < n ? ',' : ']';
  }
  text[o++] = '}';
  text[o] = '\0';
  assert_int_equal(o, len);
  expect_refused_n(text, len, "the text holds 16777217 numbers, more than the limit of 16777216");
  free(text);
}

static void test_null_args(void **state) {
  (void)state;
  float *data;
  size_t rows, cols;
  char why[128];
  const char *ok = "{\"input_data\": [1]}";
  assert_int_equal(sm_input_json_parse(NULL, &rows, &cols, why, sizeof why, ok, strlen(ok)),
                   STARKML_ERR_ARG);
  assert_int_equal(rows, 0);
  assert_int_equal(sm_input_json_parse(&data, NULL, &cols, why, sizeof why, ok, strlen(ok)),
                   STARKML_ERR_ARG);
  assert_null(data);
  assert_int_equal(sm_input_json_parse(&data, &rows, NULL, NULL, 0, ok, strlen(ok)),
                   STARKML_ERR_ARG);
  assert_int_equal(sm_input_json_parse(&data, &rows, &cols, why, sizeof why, NULL, 5),
                   STARKML_ERR_ARG);
  /* NULL with length 0 is the empty text: malformed, not a bad argument. */
  assert_int_equal(sm_input_json_parse(&data, &rows, &cols, why, sizeof why, NULL, 0),
                   STARKML_ERR_PARSE);
  assert_int_equal(sm_input_json_load(&data, &rows, &cols, why, sizeof why, NULL),
                   STARKML_ERR_ARG);
  /* why is optional. */
  assert_int_equal(sm_input_json_parse(&data, &rows, &cols, NULL, 0, ok, strlen(ok)), STARKML_OK);
  free(data);
  assert_int_equal(sm_input_json_parse(&data, &rows, &cols, NULL, 0, "{", 1), STARKML_ERR_PARSE);
}

/* ---- Files --------------------------------------------------------------------------- */

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

static void test_load(void **state) {
  (void)state;
  char dir[] = "/tmp/sm_input_json_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[256], missing[256];
  snprintf(path, sizeof path, "%s/input.json", dir);
  snprintf(missing, sizeof missing, "%s/nope.json", dir);

  float *data;
  size_t rows, cols;
  char why[512];
  write_text(path, "{\"input_data\": [[0.5, 1.5], [2, 3]]}\n");
  assert_int_equal(sm_input_json_load(&data, &rows, &cols, why, sizeof why, path), STARKML_OK);
  assert_string_equal(why, "");
  assert_int_equal(rows, 2);
  assert_int_equal(cols, 2);
  assert_true(data[0] == 0.5f && data[3] == 3.0f);
  free(data);

  /* A parse error names the file. */
  write_text(path, "{\"input_data\": [[1, NaN]]}");
  assert_int_equal(sm_input_json_load(&data, &rows, &cols, why, sizeof why, path),
                   STARKML_ERR_PARSE);
  assert_null(data);
  assert_true(strncmp(why, path, strlen(path)) == 0);
  assert_non_null(strstr(why, "NaN and Infinity are not allowed"));

  /* An empty file. */
  write_text(path, "");
  assert_int_equal(sm_input_json_load(&data, &rows, &cols, why, sizeof why, path),
                   STARKML_ERR_PARSE);

  /* A missing file and a directory are I/O errors with the path and strerror. */
  assert_int_equal(sm_input_json_load(&data, &rows, &cols, why, sizeof why, missing),
                   STARKML_ERR_IO);
  assert_null(data);
  assert_int_equal(rows, 0);
  assert_true(strncmp(why, missing, strlen(missing)) == 0);
  assert_non_null(strstr(why, "No such file or directory"));
  assert_int_equal(sm_input_json_load(&data, &rows, &cols, why, sizeof why, dir), STARKML_ERR_IO);
  assert_non_null(strstr(why, "Is a directory"));

  assert_int_equal(remove(path), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* ---- Robustness ---------------------------------------------------------------------- */

static const char k_good[] =
    "{\"input_data\": [[0.25, -1.5e2, 3, 4E-1, 0], [1, 2, 3, 4, 5]], "
    "\"output_data\": [[0.1, 0.9]]}";

static void test_truncations(void **state) {
  (void)state;
  size_t rows, cols;
  free(parse_ok(k_good, &rows, &cols));
  /* Every proper prefix is malformed (the object closes only at the last byte). */
  for (size_t len = 0; len < sizeof k_good - 1; len++) {
    char *copy = malloc(len + 1); /* exactly len bytes of text: ASan sees any overread */
    assert_non_null(copy);
    memcpy(copy, k_good, len);
    expect_refused_n(copy, len, NULL);
    free(copy);
  }
}

static void test_random_mutations(void **state) {
  (void)state;
  uint64_t rng = sm_test_seed() ^ 0x6a736f6eULL;
  static const char alphabet[] = "[]{},:\"0123456789.eE+- NaNInfinitytrufalsenul\\x";
  const size_t n0 = sizeof k_good - 1;
  int accepted = 0;
  for (int iter = 0; iter < 20000; iter++) {
    char text[sizeof k_good + 8];
    memcpy(text, k_good, n0);
    size_t n = n0;
    int edits = 1 + (int)(sm_test_next(&rng) % 4);
    for (int e = 0; e < edits; e++) {
      size_t at = (size_t)(sm_test_next(&rng) % (n + 1));
      uint64_t r = sm_test_next(&rng);
      char c = (r & 8) ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof alphabet - 1)];
      switch (r % 3) {
        case 0:
          if (at < n) text[at] = c;
          break;
        case 1:
          if (n < sizeof text) {
            memmove(text + at + 1, text + at, n - at);
            text[at] = c;
            n++;
          }
          break;
        default:
          if (at < n) {
            memmove(text + at, text + at + 1, n - at - 1);
            n--;
          }
          break;
      }
    }
    float *data;
    size_t rows, cols;
    char why[64];
    starkml_status s = sm_input_json_parse(&data, &rows, &cols, why, sizeof why, text, n);
    if (s == STARKML_OK) {
      accepted++;
      assert_non_null(data);
      assert_true(rows >= 1 && cols >= 1 && rows * cols <= 10);
      free(data);
    } else {
      assert_int_equal(s, STARKML_ERR_PARSE);
      assert_null(data);
      assert_true(rows == 0 && cols == 0);
      assert_non_null(memchr(why, '\0', sizeof why));
    }
  }
  assert_true(accepted > 0);
}

static void test_deep_nesting(void **state) {
  (void)state;
  size_t depth = 100000, head = strlen("{\"input_data\": ");
  char *text = malloc(head + depth);
  assert_non_null(text);
  memcpy(text, "{\"input_data\": ", head);
  memset(text + head, '[', depth);
  expect_refused_n(text, head + depth, "line 1 column");
  free(text);
}

SM_TEST_MAIN(cmocka_unit_test(test_nested), cmocka_unit_test(test_flat),
             cmocka_unit_test(test_ints_and_edges), cmocka_unit_test(test_malformed),
             cmocka_unit_test(test_nan_infinity), cmocka_unit_test(test_too_many_values),
             cmocka_unit_test(test_null_args), cmocka_unit_test(test_load),
             cmocka_unit_test(test_truncations), cmocka_unit_test(test_random_mutations),
             cmocka_unit_test(test_deep_nesting))
