/*
 * starkml: a post-quantum, zero-knowledge STARK prover for quantized neural networks.
 *
 * This is the library's public C API; the `starkml` command-line tool uses nothing else.
 * Conventions (after bitcoin-core/secp256k1):
 *  - argument order: context, outputs, in/out, inputs; a length right after its array;
 *  - every fallible function returns a starkml_status; outputs are cleared on entry so a
 *    failure never leaves garbage behind;
 *  - STARKML_REJECT ("proof rejected") is a normal outcome of verification, not an error
 *    of the library; STARKML_ERR_INTERNAL means the code is broken.
 */
#ifndef STARKML_H
#define STARKML_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STARKML_VERSION_MAJOR 0
#define STARKML_VERSION_MINOR 1
#define STARKML_VERSION_PATCH 0

/* One table generates the status enum and its strings (libuv style). */
#define STARKML_STATUS_MAP(X)                                         \
  X(STARKML_OK, "ok")                                                 \
  X(STARKML_ERR_ARG, "bad argument")                                  \
  X(STARKML_ERR_NOMEM, "out of memory")                               \
  X(STARKML_ERR_IO, "input/output error")                             \
  X(STARKML_ERR_PARSE, "malformed input")                             \
  X(STARKML_ERR_BACKEND, "backend unavailable")                       \
  X(STARKML_REJECT, "proof rejected")                                 \
  X(STARKML_ERR_INTERNAL, "internal error (a bug in starkml)")

typedef enum {
#define STARKML_STATUS_ENUM_(name, str) name,
  STARKML_STATUS_MAP(STARKML_STATUS_ENUM_)
#undef STARKML_STATUS_ENUM_
  STARKML_STATUS_COUNT_
} starkml_status;

/* Returns: a static, human-readable description of a status (never NULL). */
const char *starkml_strerror(starkml_status status);

/* Returns: the library version as "MAJOR.MINOR.PATCH" (static string). */
const char *starkml_version(void);

/*
 * The context holds everything that would otherwise be global: the thread count and
 * where diagnostics go. It is immutable after creation and may be shared by threads.
 */
typedef struct starkml_ctx starkml_ctx;

/* Receives one diagnostic line (no trailing newline). */
typedef void (*starkml_log_fn)(void *user, const char *line);

/*
 * Creates a context.
 * Returns: STARKML_OK, STARKML_ERR_ARG (ctx NULL or threads < 0), STARKML_ERR_NOMEM.
 * Out:  *ctx   the new context (NULL on failure); release with starkml_ctx_destroy.
 * In:   threads  worker threads for parallel stages; 0 means every available core.
 */
starkml_status starkml_ctx_create(starkml_ctx **ctx, int threads);

/* Releases a context (NULL is allowed). */
void starkml_ctx_destroy(starkml_ctx *ctx);

/* Returns: the number of threads parallel stages of this context use (>= 1). */
int starkml_ctx_threads(const starkml_ctx *ctx);

/*
 * Sets where diagnostics go (the default discards them). Not thread-safe: call it
 * before sharing the context.
 */
void starkml_ctx_set_log(starkml_ctx *ctx, starkml_log_fn fn, void *user);

/* Result of one known-answer vector file checked by the self-test. */
typedef struct {
  char file[96];      /* e.g. "core/sha3.json" */
  size_t passed;      /* cases that matched */
  size_t failed;      /* cases that did not match, or could not be parsed */
} starkml_selftest_file;

/*
 * Runs the known-answer vectors against this build.
 * Returns: STARKML_OK when every case of every file passed; STARKML_REJECT when any case
 *          failed (details are logged through the context); STARKML_ERR_IO / _PARSE when
 *          a vector file cannot be read or is not valid; STARKML_ERR_ARG on NULL ctx.
 * Args: ctx           context (threads, log).
 * Out:  results       up to results_cap per-file results (may be NULL when cap is 0);
 *       n_results     number of files checked (may exceed results_cap).
 * In:   vectors_dir   a directory holding the vector tree (core/field.json, ...), or NULL
 *                     for the copy embedded in the library at build time.
 */
starkml_status starkml_selftest(const starkml_ctx *ctx,
                                starkml_selftest_file *results, size_t results_cap,
                                size_t *n_results, const char *vectors_dir);

#ifdef __cplusplus
}
#endif
#endif /* STARKML_H */
