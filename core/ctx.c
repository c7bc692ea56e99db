#include "core/ctx.h"

#include "core/backend.h"

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char *starkml_strerror(starkml_status status) {
  static const char *const names[] = {
#define STARKML_STATUS_STR_(name, str) str,
      STARKML_STATUS_MAP(STARKML_STATUS_STR_)
#undef STARKML_STATUS_STR_
  };
  if ((unsigned)status >= (unsigned)STARKML_STATUS_COUNT_) return "unknown status";
  return names[status];
}

const char *starkml_version(void) { return STARKML_VERSION; }

starkml_status starkml_ctx_create(starkml_ctx **ctx, int threads) {
  if (ctx == NULL) return STARKML_ERR_ARG;
  *ctx = NULL;
  if (threads < 0) return STARKML_ERR_ARG;
  starkml_ctx *c = calloc(1, sizeof *c);
  if (c == NULL) return STARKML_ERR_NOMEM;
  c->threads = threads > 0 ? threads : omp_get_num_procs();
  if (c->threads < 1) c->threads = 1;
  *ctx = c;
  return STARKML_OK;
}

void starkml_ctx_destroy(starkml_ctx *ctx) {
  if (ctx == NULL) return;
  sm_be_free(ctx->backend);
  free(ctx);
}

int starkml_ctx_threads(const starkml_ctx *ctx) { return ctx != NULL ? ctx->threads : 0; }

void starkml_ctx_set_log(starkml_ctx *ctx, starkml_log_fn fn, void *user) {
  if (ctx == NULL) return;
  ctx->log_fn = fn;
  ctx->log_user = user;
}

void sm_log(const starkml_ctx *ctx, const char *fmt, ...) {
  if (ctx == NULL || ctx->log_fn == NULL) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  ctx->log_fn(ctx->log_user, line);
}

void sm_progress(const starkml_ctx *ctx, const char *stage, double fraction) {
  if (ctx != NULL && ctx->progress_fn != NULL) ctx->progress_fn(ctx->progress_user, stage, fraction);
}

void sm_why(char *why, size_t why_len, const char *fmt, ...) {
  if (why == NULL || why_len == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_len, fmt, ap);
  va_end(ap);
}
