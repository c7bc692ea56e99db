/* See tests/sm_cli.h. */
#include "tests/sm_cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/sm_test.h"

static void read_into(const char *path, char *buf, size_t cap) {
  buf[0] = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return;
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = 0;
  fclose(f);
}

static void add_env(const char *name, const char *add) {
  const char *old = getenv(name);
  char buf[1024];
  snprintf(buf, sizeof buf, "%s%s%s", old ? old : "", old && *old ? ":" : "", add);
  setenv(name, buf, 1);
}

int sm_cli_run(sm_cli_result *r, const char *cli, const char *scratch_dir,
               const char *const *args) {
  char out_path[320], err_path[320];
  snprintf(out_path, sizeof out_path, "%s/stdout", scratch_dir);
  snprintf(err_path, sizeof err_path, "%s/stderr", scratch_dir);
  const char *argv[64];
  size_t n = 0;
  argv[n++] = cli;
  for (size_t i = 0; args[i] != NULL; i++) {
    assert_true(n < 63);
    argv[n++] = args[i];
  }
  argv[n] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(127);
    add_env("ASAN_OPTIONS", "exitcode=86");
    add_env("UBSAN_OPTIONS", "exitcode=86");
    execv(cli, (char *const *)argv);
    _exit(127);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  r->code = WIFEXITED(status) ? WEXITSTATUS(status)
                              : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  read_into(out_path, r->out, r->out_cap);
  read_into(err_path, r->err, r->err_cap);
  if (r->code != 0 && r->code != 1 && r->code != 2)
    fail_msg("starkml %s ...: exit %d (a crash or sanitizer report)\nstderr: %s",
             argv[1] ? argv[1] : "", r->code, r->err);
  return r->code;
}

void sm_cli_tmpdir(char *dir, size_t cap, const char *prefix) {
  snprintf(dir, cap, "/tmp/%s-XXXXXX", prefix);
  assert_non_null(mkdtemp(dir));
}

void sm_cli_tmpdir_remove(const char *dir) {
  DIR *d = opendir(dir);
  if (d != NULL) {
    struct dirent *e;
    char p[600];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(dir);
}
