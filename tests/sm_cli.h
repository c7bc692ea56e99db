/*
 * Runs the built `starkml` tool in a child process for the CLI tests (test_host_cli.c,
 * test_host_zkml.c): stdout and stderr are captured through files in a scratch directory,
 * and under the sanitizers the child reports an error with exit code 86 (ASAN_OPTIONS and
 * UBSAN_OPTIONS are extended with exitcode=86), which no test accepts.
 */
#ifndef STARKML_TESTS_SM_CLI_H
#define STARKML_TESTS_SM_CLI_H

#include <stddef.h>

typedef struct {
  int code;   /* exit status, or 128 + signal */
  char *out;  /* captured stdout (NUL-terminated, truncated to out_cap - 1) */
  size_t out_cap;
  char *err;  /* captured stderr */
  size_t err_cap;
} sm_cli_result;

/*
 * Runs `cli` with the NULL-terminated arguments (without argv[0]; at most 60), capturing
 * its output through files in scratch_dir. Fails the running cmocka case if the child
 * cannot be started, or when it exits with anything but 0, 1 or 2 (a crash or a sanitizer
 * report). Returns: the exit code (also in r->code).
 */
int sm_cli_run(sm_cli_result *r, const char *cli, const char *scratch_dir,
               const char *const *args);

/* Creates a fresh scratch directory /tmp/PREFIX-XXXXXX into dir (fails the case if it
   cannot). */
void sm_cli_tmpdir(char *dir, size_t cap, const char *prefix);
/* Removes a scratch directory and the files in it (one level, as the CLI tests make). */
void sm_cli_tmpdir_remove(const char *dir);

#endif
