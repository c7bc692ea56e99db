/* Internal view of starkml_ctx and the library's logging helper. */
#ifndef STARKML_CORE_CTX_H
#define STARKML_CORE_CTX_H

#include "starkml.h"

struct starkml_ctx {
  int threads;            /* >= 1 */
  starkml_log_fn log_fn;  /* may be NULL: diagnostics are dropped */
  void *log_user;
};

/* Formats one diagnostic line and hands it to the context's log function. */
void sm_log(const starkml_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
