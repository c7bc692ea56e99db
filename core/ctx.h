/* Internal view of starkml_ctx and the library's logging helper. */
#ifndef STARKML_CORE_CTX_H
#define STARKML_CORE_CTX_H

#include <stddef.h>

#include "starkml.h"

struct starkml_ctx {
  int threads;            /* >= 1 */
  starkml_log_fn log_fn;  /* may be NULL: diagnostics are dropped */
  void *log_user;
  /* Optional progress report of long operations (set per call by the zkML API). */
  void (*progress_fn)(void *user, const char *stage, double fraction);
  void *progress_user;
  /* Where the prover's kernels run (core/backend.h); NULL: the CPU reference. Owned. */
  struct sm_backend *backend;
};

/* Formats a one-line message into a caller's why buffer (nothing when why is NULL or
   why_len 0): the one helper behind every function that explains a failure. */
void sm_why(char *why, size_t why_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reports that a long operation entered a stage (fraction of the whole in [0, 1]). */
void sm_progress(const starkml_ctx *ctx, const char *stage, double fraction);

/* Formats one diagnostic line and hands it to the context's log function. */
void sm_log(const starkml_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
