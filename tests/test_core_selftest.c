/*
 * The self-test must pass on the shipped vectors and fail on any altered one: for every
 * vector file, several recorded strings (inputs and expected outputs) are altered one
 * at a time in a temporary copy, and starkml_selftest must report STARKML_REJECT.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "starkml.h"
#include "tests/sm_test.h"

static const char *const files[] = {"core/field.json", "core/ntt.json", "core/sha3.json",
                                    "core/merkle.json", "core/transcript.json"};
#define N_FILES (sizeof files / sizeof files[0])

static char tmpdir[256];

static void make_tmp_tree(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/starkml-selftest-XXXXXX");
  assert_non_null(mkdtemp(tmpdir));
  char path[512];
  snprintf(path, sizeof path, "%s/core", tmpdir);
  assert_int_equal(mkdir(path, 0700), 0);
}

static void remove_tmp_tree(void) {
  char path[512];
  for (size_t i = 0; i < N_FILES; i++) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/core", tmpdir);
  rmdir(path);
  rmdir(tmpdir);
}

static json_t *load_source(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/vectors/%s", STARKML_SOURCE_DIR, name);
  json_error_t err;
  json_t *doc = json_load_file(path, 0, &err);
  if (doc == NULL) fail_msg("%s: %s", path, err.text);
  return doc;
}

static void write_tree(json_t *const docs[N_FILES]) {
  char path[512];
  for (size_t i = 0; i < N_FILES; i++) {
    snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
    assert_int_equal(json_dump_file(docs[i], path, JSON_PRESERVE_ORDER), 0);
  }
}

static starkml_status run_selftest(const char *dir, size_t *failed) {
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, 2), STARKML_OK);
  starkml_selftest_file res[8];
  size_t n = 0;
  starkml_status st = starkml_selftest(ctx, res, 8, &n, dir);
  assert_int_equal(n, N_FILES);
  *failed = 0;
  for (size_t i = 0; i < n; i++) *failed += res[i].failed;
  starkml_ctx_destroy(ctx);
  return st;
}

/* Collects pointers to every string value in the document, in document order. */
static void collect_strings(json_t *j, json_t **out, size_t *n, size_t cap) {
  if (json_is_string(j)) {
    if (*n < cap) out[(*n)++] = j;
  } else if (json_is_array(j)) {
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) collect_strings(v, out, n, cap);
  } else if (json_is_object(j)) {
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
      if (strcmp(k, "description") != 0 && strcmp(k, "p") != 0) collect_strings(v, out, n, cap);
    }
  }
}

/* Changes one character of a decimal or hex string to another valid digit. */
static void alter(json_t *s) {
  char buf[70000];
  const char *v = json_string_value(s);
  size_t len = strlen(v);
  if (len == 0) { /* an empty string (e.g. a transcript domain) becomes a non-empty one */
    assert_int_equal(json_string_set(s, "x"), 0);
    return;
  }
  assert_true(len < sizeof buf);
  memcpy(buf, v, len + 1);
  /* Alter the first digit that can change while keeping the value well-formed. */
  size_t pos = len - 1;
  buf[pos] = buf[pos] == '0' ? '1' : (char)(buf[pos] == 'a' ? 'b' : buf[pos] - 1);
  assert_int_equal(json_string_set(s, buf), 0);
}

static void selftest_embedded_passes(void **state) {
  (void)state;
  size_t failed;
  assert_int_equal(run_selftest(NULL, &failed), STARKML_OK);
  assert_int_equal(failed, 0);
}

static void selftest_source_tree_passes(void **state) {
  (void)state;
  char dir[512];
  snprintf(dir, sizeof dir, "%s/vectors", STARKML_SOURCE_DIR);
  size_t failed;
  assert_int_equal(run_selftest(dir, &failed), STARKML_OK);
  assert_int_equal(failed, 0);
}

/* For every file, alter strings at several positions (first, quarter, middle, last...). */
static void selftest_detects_every_altered_file(void **state) {
  (void)state;
  make_tmp_tree();
  json_t *docs[N_FILES];
  for (size_t i = 0; i < N_FILES; i++) docs[i] = load_source(files[i]);
  write_tree(docs);
  size_t failed;
  assert_int_equal(run_selftest(tmpdir, &failed), STARKML_OK); /* the copy itself passes */
  size_t checks = 0;
  for (size_t f = 0; f < N_FILES; f++) {
    json_t **all = malloc(200000 * sizeof *all);
    assert_non_null(all);
    size_t total = 0;
    collect_strings(docs[f], all, &total, 200000);
    assert_true(total > 0);
    const size_t picks[] = {0, total / 4, total / 2, (3 * total) / 4, total - 1};
    for (size_t k = 0; k < sizeof picks / sizeof picks[0]; k++) {
      json_t *copy = json_deep_copy(docs[f]);
      size_t n2 = 0;
      collect_strings(copy, all, &n2, 200000);
      assert_int_equal(n2, total);
      alter(all[picks[k]]);
      json_t *saved = docs[f];
      docs[f] = copy;
      write_tree(docs);
      docs[f] = saved;
      starkml_status st = run_selftest(tmpdir, &failed);
      if (st != STARKML_REJECT || failed == 0)
        fail_msg("%s: altering string #%zu was not detected", files[f], picks[k]);
      json_decref(copy);
      checks++;
    }
    free(all);
  }
  assert_int_equal(checks, 5 * N_FILES);
  write_tree(docs); /* restore, then a missing file is an I/O error */
  char path[512];
  snprintf(path, sizeof path, "%s/core/sha3.json", tmpdir);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(run_selftest(tmpdir, &failed), STARKML_ERR_IO);
  /* ... and a file that is not JSON is a parse error. */
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("{\"cases\": [", fp);
  fclose(fp);
  assert_int_equal(run_selftest(tmpdir, &failed), STARKML_ERR_PARSE);
  for (size_t i = 0; i < N_FILES; i++) json_decref(docs[i]);
  remove_tmp_tree();
}

/* A file whose case list is empty must not count as a pass. */
static void selftest_empty_file_fails(void **state) {
  (void)state;
  make_tmp_tree();
  json_t *docs[N_FILES];
  for (size_t i = 0; i < N_FILES; i++) docs[i] = load_source(files[i]);
  json_object_set_new(docs[1], "cases", json_array());
  write_tree(docs);
  size_t failed;
  assert_int_equal(run_selftest(tmpdir, &failed), STARKML_REJECT);
  assert_true(failed > 0);
  for (size_t i = 0; i < N_FILES; i++) json_decref(docs[i]);
  remove_tmp_tree();
}

static void selftest_bad_args(void **state) {
  (void)state;
  size_t n = 99;
  assert_int_equal(starkml_selftest(NULL, NULL, 0, &n, NULL), STARKML_ERR_ARG);
  assert_int_equal(n, 0);
  starkml_ctx *ctx = NULL;
  assert_int_equal(starkml_ctx_create(&ctx, -1), STARKML_ERR_ARG);
  assert_null(ctx);
  assert_int_equal(starkml_ctx_create(&ctx, 0), STARKML_OK);
  assert_true(starkml_ctx_threads(ctx) >= 1);
  assert_int_equal(starkml_selftest(ctx, NULL, 0, NULL, NULL), STARKML_ERR_ARG);
  assert_int_equal(starkml_selftest(ctx, NULL, 0, &n, "/nonexistent/dir"), STARKML_ERR_IO);
  starkml_ctx_destroy(ctx);
  assert_string_equal(starkml_strerror(STARKML_REJECT), "proof rejected");
  assert_string_equal(starkml_strerror((starkml_status)1000), "unknown status");
}

SM_TEST_MAIN(cmocka_unit_test(selftest_embedded_passes),
             cmocka_unit_test(selftest_source_tree_passes),
             cmocka_unit_test(selftest_detects_every_altered_file),
             cmocka_unit_test(selftest_empty_file_fails), cmocka_unit_test(selftest_bad_args))
