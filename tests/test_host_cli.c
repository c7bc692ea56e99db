/*
 * The `starkml` tool as a user runs it: every case runs the built binary in a child
 * process and checks its exit code, stdout and stderr. Covers the toy prove/verify round
 * trip, the golden proofs of vectors/stark/, inspect, and that no input (corrupted,
 * truncated, empty, random, oversized files; bad arguments) crashes the tool or is
 * accepted: the exit code is always 0, 1 or 2.
 *
 * Under the sanitizers the child reports an error with exit code 86 (ASAN_OPTIONS and
 * UBSAN_OPTIONS are extended with exitcode=86), which no case accepts.
 */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fri/stark.h"
#include "tests/sm_cli.h"
#include "tests/sm_test.h"

#define CLI STARKML_BINARY_DIR "/host/starkml"
#define GOLDEN_DIR STARKML_SOURCE_DIR "/vectors/stark"
#define SANITIZER_EXIT 86

static char tmpdir[256];

static char out_buf[1 << 16], err_buf[1 << 14];
static sm_cli_result R = {0, out_buf, sizeof out_buf, err_buf, sizeof err_buf};

/* Runs the tool with the NULL-terminated arguments (without argv[0]); fills R. */
static int run_argv(const char *const *args) { return sm_cli_run(&R, CLI, tmpdir, args); }

#define RUN(...) run_argv((const char *const[]){__VA_ARGS__, NULL})

static void tmp_path(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "%s/%s", tmpdir, name);
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  assert_true(n >= 0);
  uint8_t *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void spit(const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static json_t *parse_json_out(void) {
  json_error_t e;
  json_t *j = json_loads(R.out, 0, &e);
  if (j == NULL) fail_msg("stdout is not JSON (%s): %s", e.text, R.out);
  return j;
}

static void setup_tmp(void) { sm_cli_tmpdir(tmpdir, sizeof tmpdir, "starkml-cli"); }

static void remove_tmp(void) { sm_cli_tmpdir_remove(tmpdir); }

/* Proves a toy with the fast preset into tmpdir/NAME.proof. */
static void prove_fast(const char *name, const char *log_n, char *path, size_t cap) {
  char file[64];
  snprintf(file, sizeof file, "%s-%s.proof", name, log_n);
  tmp_path(path, cap, file);
  assert_int_equal(
      RUN("toy", "prove", name, "-o", path, "--log-n", log_n, "--preset", "fast", "--quiet"), 0);
  assert_string_equal(R.out, "");
}

/* prove --json, verify (text and JSON) and inspect --json agree on one toy. */
static void roundtrip(const char *name, const char *log_n, int zk) {
  setup_tmp();
  char path[320];
  tmp_path(path, sizeof path, "p.proof");
  if (zk)
    assert_int_equal(RUN("toy", "prove", name, "-o", path, "--log-n", log_n, "--preset", "fast",
                         "--json"),
                     0);
  else
    assert_int_equal(RUN("toy", "prove", name, "-o", path, "--log-n", log_n, "--preset", "fast",
                         "--json", "--no-zk"),
                     0);
  json_t *p = parse_json_out();
  size_t len;
  free(slurp(path, &len));
  assert_int_equal(json_integer_value(json_object_get(p, "proof_bytes")), (json_int_t)len);
  assert_string_equal(json_string_value(json_object_get(p, "toy")), name);
  json_t *opt = json_object_get(p, "options");
  assert_true(json_is_true(json_object_get(opt, "zk")) == (zk != 0));
  assert_string_equal(json_string_value(json_object_get(opt, "preset")), "fast");
  json_t *sec = json_object_get(p, "security");
  assert_true(json_integer_value(json_object_get(sec, "conjectured_bits")) >= 100);
  size_t n_tables = json_array_size(json_object_get(p, "tables"));
  assert_true(n_tables >= 1);

  assert_int_equal(RUN("toy", "verify", name, path, "--log-n", log_n, "--preset", "fast"), 0);
  assert_memory_equal(R.out, "accepted", 8);
  assert_non_null(strstr(R.out, "provable"));
  assert_int_equal(RUN("toy", "verify", name, path, "--log-n", log_n, "--preset", "fast", "--json"),
                   0);
  json_t *v = parse_json_out();
  assert_string_equal(json_string_value(json_object_get(v, "result")), "accepted");
  assert_true(json_equal(json_object_get(v, "security"), sec));
  json_decref(v);

  assert_int_equal(RUN("inspect", path, "--json"), 0);
  json_t *i = parse_json_out();
  assert_int_equal(json_integer_value(json_object_get(i, "total_bytes")), (json_int_t)len);
  assert_int_equal(json_array_size(json_object_get(i, "tables")), n_tables);
  assert_true(json_equal(json_object_get(i, "options"), opt));
  json_t *secs = json_object_get(i, "sections");
  json_int_t sum = 8; /* magic and version */
  for (size_t k = 0; k < json_array_size(secs); k++)
    sum += json_integer_value(json_object_get(json_array_get(secs, k), "bytes"));
  assert_int_equal(sum, (json_int_t)len);
  json_decref(i);
  assert_int_equal(RUN("inspect", path), 0);
  assert_non_null(strstr(R.out, "as the proof's header describes it"));
  json_decref(p);
  remove_tmp();
}

static void roundtrip_fibonacci(void **state) {
  (void)state;
  roundtrip("fibonacci", "5", 1);
}
static void roundtrip_fibonacci_no_zk(void **state) {
  (void)state;
  roundtrip("fibonacci", "5", 0);
}
static void roundtrip_range_check(void **state) {
  (void)state;
  roundtrip("range-check", "4", 1);
}
static void roundtrip_bus(void **state) {
  (void)state;
  roundtrip("bus", "3", 1);
}

/* The default preset is secure: a secure proof verifies at the secure floor. */
static void roundtrip_secure(void **state) {
  (void)state;
  setup_tmp();
  char path[320];
  tmp_path(path, sizeof path, "s.proof");
  assert_int_equal(RUN("toy", "prove", "fibonacci", "-o", path, "--log-n", "4"), 0);
  assert_non_null(strstr(R.out, "preset secure"));
  assert_int_equal(RUN("toy", "verify", "fibonacci", path, "--log-n", "4"), 0);
  assert_memory_equal(R.out, "accepted", 8);
  remove_tmp();
}

static void seed_is_deterministic(void **state) {
  (void)state;
  setup_tmp();
  char a[320], b[320], c[320];
  tmp_path(a, sizeof a, "a.proof");
  tmp_path(b, sizeof b, "b.proof");
  tmp_path(c, sizeof c, "c.proof");
  assert_int_equal(RUN("toy", "prove", "range-check", "--log-n", "4", "--preset", "fast", "--seed",
                       "5", "--threads", "1", "-o", a),
                   0);
  assert_int_equal(RUN("toy", "prove", "range-check", "--log-n", "4", "--preset", "fast", "--seed",
                       "5", "--threads", "3", "-o", b),
                   0);
  assert_int_equal(RUN("toy", "prove", "range-check", "--log-n", "4", "--preset", "fast", "-o", c),
                   0);
  size_t la, lb, lc;
  uint8_t *pa = slurp(a, &la), *pb = slurp(b, &lb), *pc = slurp(c, &lc);
  assert_int_equal(la, lb);
  assert_memory_equal(pa, pb, la);
  /* Without --seed the zero-knowledge randomness comes from the OS. */
  assert_true(la != lc || memcmp(pa, pc, la) != 0);
  free(pa), free(pb), free(pc);
  remove_tmp();
}

/* Flipped bytes across the proof (the middle first): exit 1 or 2, never 0, never a crash. */
static void corrupted_proof_fails(void **state) {
  (void)state;
  setup_tmp();
  char path[320], bad[320];
  prove_fast("fibonacci", "5", path, sizeof path);
  tmp_path(bad, sizeof bad, "bad.proof");
  size_t len;
  uint8_t *p = slurp(path, &len);
  const size_t positions[] = {len / 2, 3, 5, 12, 20, 40, 90, 200, len / 3, len - 1, len - 40};
  for (size_t k = 0; k < sizeof positions / sizeof positions[0]; k++) {
    size_t pos = positions[k];
    p[pos] ^= 0x5a;
    spit(bad, p, len);
    int rc = RUN("toy", "verify", "fibonacci", bad, "--log-n", "5", "--preset", "fast");
    if (rc != 1 && rc != 2) fail_msg("byte %zu flipped: exit %d", pos, rc);
    assert_null(strstr(R.out, "accepted"));
    rc = RUN("inspect", bad, "--json");
    assert_true(rc == 0 || rc == 2);
    if (rc == 0) json_decref(parse_json_out());
    p[pos] ^= 0x5a;
  }
  free(p);
  remove_tmp();
}

static void verify_expect_parse_error(const char *file) {
  assert_int_equal(RUN("toy", "verify", "fibonacci", file, "--log-n", "5", "--preset", "fast"), 2);
  assert_string_equal(R.out, "");
  assert_memory_equal(R.err, "starkml toy verify: ", 20);
  assert_int_equal(RUN("inspect", file), 2);
  assert_memory_equal(R.err, "starkml inspect: ", 17);
}

static void malformed_files_are_parse_errors(void **state) {
  (void)state;
  setup_tmp();
  char path[320], bad[320];
  prove_fast("fibonacci", "5", path, sizeof path);
  tmp_path(bad, sizeof bad, "bad.proof");
  size_t len;
  uint8_t *p = slurp(path, &len);
  /* empty */
  spit(bad, p, 0);
  verify_expect_parse_error(bad);
  assert_non_null(strstr(R.err, "empty"));
  /* truncated at several points */
  const size_t cuts[] = {3, 8, 40, len / 2, len - 1};
  for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
    spit(bad, p, cuts[k]);
    verify_expect_parse_error(bad);
  }
  /* a trailing byte */
  uint8_t *q = malloc(len + 1);
  assert_non_null(q);
  memcpy(q, p, len);
  q[len] = 0;
  spit(bad, q, len + 1);
  verify_expect_parse_error(bad);
  /* random bytes, with and without the magic and version in front */
  uint64_t rng = sm_test_seed();
  for (size_t i = 0; i < len; i++) q[i] = (uint8_t)sm_test_next(&rng);
  spit(bad, q, len);
  verify_expect_parse_error(bad);
  assert_non_null(strstr(R.err, "magic"));
  memcpy(q, p, 8);
  spit(bad, q, len);
  verify_expect_parse_error(bad);
  free(q);
  free(p);
  /* not a file, no file */
  verify_expect_parse_error(tmpdir);
  tmp_path(bad, sizeof bad, "does-not-exist.proof");
  verify_expect_parse_error(bad);
  remove_tmp();
}

/* A file over the size cap is refused before it is read (a sparse file: no disk used). */
static void oversized_file_refused(void **state) {
  (void)state;
  setup_tmp();
  char big[320];
  tmp_path(big, sizeof big, "big.proof");
  int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)SM_STARK_MAX_PROOF_BYTES + 1), 0);
  close(fd);
  assert_int_equal(RUN("inspect", big), 2);
  assert_non_null(strstr(R.err, "refusing"));
  assert_int_equal(RUN("toy", "verify", "fibonacci", big), 2);
  assert_non_null(strstr(R.err, "refusing"));
  remove_tmp();
}

static void wrong_statement_rejects(void **state) {
  (void)state;
  setup_tmp();
  char path[320];
  prove_fast("fibonacci", "5", path, sizeof path);
  const char *names[] = {"range-check", "bus"};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(RUN("toy", "verify", names[i], path, "--log-n", "5", "--preset", "fast"), 1);
    assert_memory_equal(R.out, "rejected: ", 10);
  }
  const char *logs[] = {"4", "6"};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(RUN("toy", "verify", "fibonacci", path, "--log-n", logs[i], "--preset", "fast"),
                     1);
    assert_memory_equal(R.out, "rejected: ", 10);
  }
  assert_int_equal(RUN("toy", "verify", "fibonacci", path, "--log-n", "6", "--preset", "fast",
                       "--json"),
                   1);
  json_t *v = parse_json_out();
  assert_string_equal(json_string_value(json_object_get(v, "result")), "rejected");
  assert_non_null(json_string_value(json_object_get(v, "reason")));
  json_decref(v);
  remove_tmp();
}

static void secure_floor_rejects_fast_proof(void **state) {
  (void)state;
  setup_tmp();
  char path[320];
  prove_fast("bus", "3", path, sizeof path);
  assert_int_equal(RUN("toy", "verify", "bus", path, "--log-n", "3"), 1);
  assert_non_null(strstr(R.out, "below the verifier's security floor"));
  assert_int_equal(RUN("toy", "verify", "bus", path, "--log-n", "3", "--preset", "secure"), 1);
  remove_tmp();
}

static void help_for_every_command(void **state) {
  (void)state;
  setup_tmp();
  const char *const cmds[][4] = {{"--help"},          {"toy", "--help"},
                                 {"toy", "prove", "--help"}, {"toy", "verify", "--help"},
                                 {"inspect", "--help"}, {"selftest", "--help"},
                                 {"toy", "prove", "-h"},  {"inspect", "-h"}};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    const char *args[5] = {cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3], NULL};
    if (run_argv(args) != 0) fail_msg("%s %s: exit %d", args[0], args[1] ? args[1] : "", R.code);
    assert_non_null(strstr(R.out, "usage: starkml"));
    assert_string_equal(R.err, "");
  }
  remove_tmp();
}

/* Each bad command line: exit 2, nothing on stdout, one error line on stderr; an unknown
   option or a missing argument also shows the command's usage line. */
static void usage_errors(void **state) {
  (void)state;
  setup_tmp();
  char out[320];
  tmp_path(out, sizeof out, "x.proof");
  static const struct {
    int usage; /* 1: the usage line must follow */
    const char *args[8];
  } cases[] = {
      {1, {"toy"}},
      {1, {"toy", "frobnicate"}},
      {1, {"toy", "prove"}},
      {1, {"toy", "prove", "fibonacci"}},
      {1, {"toy", "prove", "fibonacci", "-o"}},
      {1, {"toy", "prove", "fibonacci", "-o", "OUT", "--bogus"}},
      {1, {"toy", "prove", "fibonacci", "-o", "OUT", "--log-n"}},
      {0, {"toy", "prove", "fibonacci", "-o", "OUT", "--log-n", "99"}},
      {0, {"toy", "prove", "fibonacci", "-o", "OUT", "--log-n", "x"}},
      {0, {"toy", "prove", "fibonacci", "-o", "OUT", "--preset", "turbo"}},
      {0, {"toy", "prove", "fibonacci", "-o", "OUT", "--seed", "-1"}},
      {0, {"toy", "prove", "fibonacci", "-o", "OUT", "--threads", "99999"}},
      {1, {"toy", "prove", "fibonacci", "extra", "-o", "OUT"}},
      {0, {"toy", "prove", "fib", "-o", "OUT"}},
      {1, {"toy", "verify"}},
      {1, {"toy", "verify", "fibonacci"}},
      {1, {"toy", "verify", "fibonacci", "OUT", "--no-zk"}},
      {1, {"toy", "verify", "fibonacci", "OUT", "extra"}},
      {1, {"inspect"}},
      {1, {"inspect", "OUT", "--bogus"}},
      {1, {"inspect", "OUT", "OUT"}},
      {1, {"selftest", "--bogus"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *args[9] = {NULL};
    for (size_t k = 0; k < 8 && cases[i].args[k]; k++)
      args[k] = strcmp(cases[i].args[k], "OUT") == 0 ? out : cases[i].args[k];
    int rc = run_argv(args);
    if (rc != 2) fail_msg("case %zu (%s %s ...): exit %d", i, args[0], args[1] ? args[1] : "", rc);
    assert_string_equal(R.out, "");
    assert_memory_equal(R.err, "starkml", 7);
    const char *nl = strchr(R.err, '\n');
    assert_non_null(nl);
    if (cases[i].usage && strncmp(nl + 1, "usage: starkml", 14) != 0)
      fail_msg("case %zu: no usage line after the error:\n%s", i, R.err);
    if (!cases[i].usage && nl[1] != '\0') fail_msg("case %zu: more than one line:\n%s", i, R.err);
  }
  /* nothing was written by a failed prove */
  assert_int_equal(access(out, F_OK), -1);
  /* an unwritable output is an I/O error */
  char bad[400];
  snprintf(bad, sizeof bad, "%s/no-such-dir/x.proof", tmpdir);
  assert_int_equal(RUN("toy", "prove", "fibonacci", "-o", bad, "--log-n", "3", "--preset", "fast"),
                   2);
  assert_string_equal(R.out, "");
  remove_tmp();
}

/* Every golden proof of vectors/stark/ verifies and inspects. Its name is
   TOY-LOGN-PRESET-ZK.proof (vectors/stark/regenerate.sh). */
static void golden_proofs_verify(void **state) {
  (void)state;
  setup_tmp();
  DIR *d = opendir(GOLDEN_DIR);
  assert_non_null(d);
  struct dirent *e;
  size_t n = 0;
  while ((e = readdir(d)) != NULL) {
    const char *f = e->d_name;
    size_t fl = strlen(f);
    if (fl < 7 || strcmp(f + fl - 6, ".proof") != 0) continue;
    char name[64], log_n[8], path[512];
    const char *dash = f;
    while (*dash && !(dash[0] == '-' && dash[1] >= '0' && dash[1] <= '9')) dash++;
    assert_true(*dash && (size_t)(dash - f) < sizeof name);
    memcpy(name, f, (size_t)(dash - f));
    name[dash - f] = 0;
    size_t k = 0;
    for (const char *q = dash + 1; *q >= '0' && *q <= '9' && k + 1 < sizeof log_n; q++)
      log_n[k++] = *q;
    log_n[k] = 0;
    snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, f);
    if (RUN("toy", "verify", name, path, "--log-n", log_n, "--preset", "fast") != 0)
      fail_msg("%s: exit %d\n%s%s(stale after a protocol change? run vectors/stark/regenerate.sh "
               "BUILD_DIR vectors/stark)",
               f, R.code, R.out, R.err);
    assert_int_equal(RUN("inspect", path, "--json"), 0);
    json_t *j = parse_json_out();
    size_t len;
    free(slurp(path, &len));
    assert_int_equal(json_integer_value(json_object_get(j, "total_bytes")), (json_int_t)len);
    json_t *zk = json_object_get(json_object_get(j, "options"), "zk");
    assert_true(json_is_true(zk) == (strstr(f, "-nozk") == NULL));
    json_decref(j);
    n++;
  }
  closedir(d);
  assert_true(n >= 4);
  remove_tmp();
}

SM_TEST_MAIN(cmocka_unit_test(roundtrip_fibonacci), cmocka_unit_test(roundtrip_fibonacci_no_zk),
             cmocka_unit_test(roundtrip_range_check), cmocka_unit_test(roundtrip_bus),
             cmocka_unit_test(roundtrip_secure), cmocka_unit_test(seed_is_deterministic),
             cmocka_unit_test(corrupted_proof_fails),
             cmocka_unit_test(malformed_files_are_parse_errors),
             cmocka_unit_test(oversized_file_refused), cmocka_unit_test(wrong_statement_rejects),
             cmocka_unit_test(secure_floor_rejects_fast_proof),
             cmocka_unit_test(help_for_every_command), cmocka_unit_test(usage_errors),
             cmocka_unit_test(golden_proofs_verify))
