/*
 * Tests for the CLI's progress reporter (host/progress.h; host/progress.c is compiled into
 * this test, see tests/CMakeLists.txt): the plain lines written to a file, durations,
 * quiet and NULL reporters, the callback adapter, stage-name cleaning, and the terminal
 * mode on a pseudo-terminal (skipped where none can be opened).
 */
/* posix_openpt, grantpt, unlockpt and ptsname are XSI. */
#define _XOPEN_SOURCE 700

#include "tests/sm_test.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "host/progress.h"

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Everything written to f so far (NUL-terminated; caller frees). */
static char *slurp(FILE *f) {
  fflush(f);
  long n = ftell(f);
  assert_true(n >= 0);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  rewind(f);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  return buf;
}

/*
 * Checks that text is exactly the plain lines "NAME..." / "NAME: D.DD s" for the given
 * stages in order; stores each stage's duration in secs (when not NULL).
 */
static void expect_plain(const char *text, const char *const *stages, size_t n, double *secs) {
  const char *p = text;
  for (size_t i = 0; i < n; i++) {
    size_t k = strlen(stages[i]);
    if (strncmp(p, stages[i], k) != 0 || strncmp(p + k, "...\n", 4) != 0) {
      fprintf(stderr, "expected '%s...' at: %s\n", stages[i], p);
      fail();
    }
    p += k + 4;
    if (strncmp(p, stages[i], k) != 0 || strncmp(p + k, ": ", 2) != 0) {
      fprintf(stderr, "expected '%s: ' at: %s\n", stages[i], p);
      fail();
    }
    p += k + 2;
    char *end;
    double d = strtod(p, &end);
    assert_true(end > p && end - p >= 4 && end[-3] == '.'); /* "%.2f" */
    assert_true(d >= 0.0);
    assert_true(strncmp(end, " s\n", 3) == 0);
    if (secs != NULL) secs[i] = d;
    p = end + 3;
  }
  if (*p != '\0') {
    fprintf(stderr, "unexpected trailing output: %s\n", p);
    fail();
  }
}

static void test_plain_lines(void **state) {
  (void)state;
  FILE *f = tmpfile();
  assert_non_null(f);
  sm_progress *p = sm_progress_new(f, 0);
  assert_non_null(p);
  sm_progress_update(p, 0.5); /* no stage yet: ignored */
  sm_progress_done(p);        /* nothing running: ignored */
  sm_progress_stage(p, "loading model");
  sm_progress_update(p, 0.25);
  sm_progress_update(p, 0.75);
  sm_progress_stage(p, "proving");
  sleep_ms(60);
  sm_progress_update(p, 1.0);
  sm_progress_done(p);
  sm_progress_done(p); /* twice: the second does nothing */
  sm_progress_stage(p, "writing proof");
  sm_progress_stage(p, NULL); /* ends the stage without starting one */
  sm_progress_free(p);
  char *text = slurp(f);
  static const char *const stages[] = {"loading model", "proving", "writing proof"};
  double secs[3];
  expect_plain(text, stages, 3, secs);
  assert_true(secs[1] >= 0.05);
  free(text);
  fclose(f);
}

static void test_unfinished_stage(void **state) {
  (void)state;
  /* Freed while a stage runs: its start line stays, no end line is invented. */
  FILE *f = tmpfile();
  assert_non_null(f);
  sm_progress *p = sm_progress_new(f, 0);
  sm_progress_stage(p, "setup");
  sm_progress_update(p, 0.3);
  sm_progress_free(p);
  char *text = slurp(f);
  assert_string_equal(text, "setup...\n");
  free(text);
  fclose(f);
}

static void test_quiet(void **state) {
  (void)state;
  FILE *f = tmpfile();
  assert_non_null(f);
  sm_progress *p = sm_progress_new(f, 1);
  assert_non_null(p);
  sm_progress_stage(p, "a");
  sm_progress_update(p, 0.5);
  sm_progress_cb(p, "b", 0.7);
  sm_progress_done(p);
  sm_progress_free(p);
  fflush(f);
  assert_int_equal(ftell(f), 0);
  fclose(f);

  /* No stream: a reporter that writes nothing. */
  p = sm_progress_new(NULL, 0);
  assert_non_null(p);
  sm_progress_stage(p, "a");
  sm_progress_update(p, 0.5);
  sm_progress_done(p);
  sm_progress_free(p);
}

static void test_null_safe(void **state) {
  (void)state;
  sm_progress_stage(NULL, "a");
  sm_progress_stage(NULL, NULL);
  sm_progress_update(NULL, 0.5);
  sm_progress_done(NULL);
  sm_progress_free(NULL);
  sm_progress_cb(NULL, "a", 0.5);
  sm_progress_cb(NULL, NULL, 0.5);
}

static void test_callback(void **state) {
  (void)state;
  FILE *f = tmpfile();
  assert_non_null(f);
  sm_progress *p = sm_progress_new(f, 0);
  sm_progress_cb(p, NULL, 0.1); /* no stage yet, none named: nothing */
  sm_progress_cb(p, "commit", 0.0);
  sm_progress_cb(p, "commit", 0.5); /* same stage: an update */
  sm_progress_cb(p, NULL, 0.7);     /* NULL keeps the stage */
  sm_progress_cb(p, "fri", 0.0);    /* a new name ends "commit" */
  sm_progress_cb(p, "fri", 2.0);    /* clamped */
  sm_progress_cb(p, "fri", -1.0);
  sm_progress_cb(p, "fri", NAN);
  sm_progress_done(p);
  sm_progress_free(p);
  char *text = slurp(f);
  static const char *const stages[] = {"commit", "fri"};
  expect_plain(text, stages, 2, NULL);
  free(text);
  fclose(f);
}

static void test_stage_names(void **state) {
  (void)state;
  FILE *f = tmpfile();
  assert_non_null(f);
  sm_progress *p = sm_progress_new(f, 0);
  sm_progress_stage(p, "bad\nname\r\x1b[2J");
  char long_name[300];
  memset(long_name, 'n', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  sm_progress_stage(p, long_name);
  /* The callback compares with the stored (cut) name: the same long name is no new stage. */
  sm_progress_cb(p, long_name, 0.5);
  sm_progress_done(p);
  sm_progress_free(p);
  char *text = slurp(f);
  char cut[SM_PROGRESS_MAX_STAGE + 1];
  memset(cut, 'n', SM_PROGRESS_MAX_STAGE);
  cut[SM_PROGRESS_MAX_STAGE] = '\0';
  const char *stages[] = {"bad?name??[2J", cut};
  expect_plain(text, stages, 2, NULL);
  free(text);
  fclose(f);
}

/* ---- Terminal mode ------------------------------------------------------------------- */

/* Reads what the master side of a pty has received, until it is quiet for 200 ms. */
static size_t drain(int master, char *buf, size_t cap) {
  size_t n = 0;
  for (;;) {
    struct pollfd pfd = {master, POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) break;
    ssize_t got = read(master, buf + n, cap - 1 - n);
    if (got <= 0) break;
    n += (size_t)got;
    if (n + 1 >= cap) break;
  }
  buf[n] = '\0';
  return n;
}

static void test_tty(void **state) {
  (void)state;
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || ptsname(master) == NULL) {
    printf("SKIP: no pseudo-terminal (%s)\n", strerror(errno));
    exit(SM_TEST_SKIP);
  }
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  assert_true(slave >= 0);
  /* No output processing, so that the bytes arrive as written ("\n" not "\r\n"). */
  struct termios tio;
  assert_int_equal(tcgetattr(slave, &tio), 0);
  tio.c_oflag &= ~(tcflag_t)OPOST;
  assert_int_equal(tcsetattr(slave, TCSANOW, &tio), 0);
  FILE *f = fdopen(slave, "w");
  assert_non_null(f);

  sm_progress *p = sm_progress_new(f, 0);
  sm_progress_stage(p, "prove");
  sm_progress_update(p, 0.2);
  sleep_ms(150); /* past the 100 ms redraw interval: the next update draws */
  sm_progress_update(p, 0.42);
  sm_progress_stage(p, "verify");
  sm_progress_update(p, 0.5);
  sm_progress_free(p); /* a running stage: its line is ended, not completed */

  char buf[4096];
  drain(master, buf, sizeof buf);
  fclose(f);
  close(master);

  static const char start[] = "\r[prove] [..............................] 0%  0.0 s";
  static const char mid[] = "\r[prove] [############..................] 42%  0.";
  static const char end[] = "\r[prove] [##############################] 100%  0.";
  static const char next[] = "\r[verify] [..............................] 0%  0.0 s";
  const char *a = strstr(buf, start), *b = strstr(buf, mid), *c = strstr(buf, end),
             *d = strstr(buf, next);
  if (a == NULL || b == NULL || c == NULL || d == NULL || !(a < b && b < c && c < d)) {
    fprintf(stderr, "terminal output was:\n%s\n", buf);
    fail();
  }
  /* The completed stage's line ends before the next begins; the last line is ended on free. */
  const char *nl = strchr(c, '\n');
  assert_non_null(nl);
  assert_true(nl < d);
  assert_int_equal(buf[strlen(buf) - 1], '\n');
  /* No plain-mode lines on a terminal. */
  assert_null(strstr(buf, "prove..."));
  assert_null(strstr(buf, "prove: "));
}

SM_TEST_MAIN(cmocka_unit_test(test_plain_lines), cmocka_unit_test(test_unfinished_stage),
             cmocka_unit_test(test_quiet), cmocka_unit_test(test_null_safe),
             cmocka_unit_test(test_callback), cmocka_unit_test(test_stage_names),
             cmocka_unit_test(test_tty))
