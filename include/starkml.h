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

/* Receives one diagnostic line (no trailing newline). The line is valid only during the
   call; copy it to keep it. */
typedef void (*starkml_log_fn)(void *user, const char *line);

/*
 * Creates a context.
 * Returns: STARKML_OK, STARKML_ERR_ARG (ctx NULL or threads < 0), STARKML_ERR_NOMEM.
 * Out:  *ctx   the new context (NULL on failure); release with starkml_ctx_destroy.
 * In:   threads  worker threads for parallel stages; 0 means every available core.
 */
starkml_status starkml_ctx_create(starkml_ctx **ctx, int threads);

/* Releases a context. Args: ctx  a context from starkml_ctx_create, or NULL (no-op). */
void starkml_ctx_destroy(starkml_ctx *ctx);

/* Returns: the number of threads parallel stages of this context use (>= 1), or 0 for
 *          a NULL ctx. */
int starkml_ctx_threads(const starkml_ctx *ctx);

/*
 * Sets where diagnostics go (the default discards them). Not thread-safe: call it
 * before sharing the context.
 * Args: ctx  the context (NULL: no-op).
 * In:   fn   receives each line (NULL restores the default: discard); user  passed to fn.
 */
void starkml_ctx_set_log(starkml_ctx *ctx, starkml_log_fn fn, void *user);

/*
 * Selects where the prover's heavy kernels (NTT/LDE, Merkle hashing, FRI folding) run.
 * Every backend gives the same proof bytes as the CPU for the same seed; verification
 * always runs on the CPU. Nothing falls back silently: a backend that is not in this
 * build, or a device that cannot be opened, is an error, and a device failure during a
 * proof fails the proof. Not thread-safe: call it before sharing the context; a context
 * with a device backend proves one statement at a time.
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL ctx or name, an unknown name, a device index
 *          that does not exist); STARKML_ERR_BACKEND (the backend is not in this build, no
 *          platform or device is present, or the device refused: the driver's message is in
 *          why); STARKML_ERR_NOMEM.
 * Args: ctx     the context; its previous backend is released.
 * Out:  why     on failure, one line that says why (may be NULL).
 * In:   name    "cpu" (the default), "opencl" or "verilator";
 *       device  the device index `starkml devices` lists for that backend (0 for the
 *               first); ignored by cpu.
 */
starkml_status starkml_ctx_set_backend(starkml_ctx *ctx, const char *name, int device,
                                       char *why, size_t why_len);

/* Returns: the name of the context's backend ("cpu", "opencl", "verilator"); "cpu" for a
 *          NULL ctx. Static string. */
const char *starkml_ctx_backend(const starkml_ctx *ctx);

/* One device a backend can use. */
typedef struct {
  char backend[16];    /* "cpu", "opencl", "verilator" */
  int index;           /* the index starkml_ctx_set_backend takes */
  char name[128];      /* device name, as its driver reports it */
  char platform[128];  /* OpenCL platform, or a description */
  char version[128];   /* driver / device version */
  uint64_t global_mem; /* bytes of device memory (0 when not applicable) */
  int compute_units;   /* compute units or cores (0 when not applicable) */
} starkml_device_info;

/*
 * Lists the devices every backend of this build can use: the CPU first, then each OpenCL
 * device, then the simulated NTT core.
 * Returns: STARKML_OK; STARKML_ERR_ARG (n NULL, or out NULL with cap > 0).
 * Out:  out  up to cap entries; *n  the number of devices (may exceed cap).
 *       why  when a backend is in the build but cannot list its devices (no OpenCL
 *            platform, say), one line that says so; "" otherwise (may be NULL).
 */
starkml_status starkml_devices(starkml_device_info *out, size_t cap, size_t *n, char *why,
                               size_t why_len);

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

/* ---- zkML: compile, setup, prove, verify ---------------------------------------------
 *
 * The pipeline of ../shared/DESIGN.md. A model owner compiles an ONNX model with
 * calibration samples (starkml_compile), runs the setup once (starkml_setup: a proving
 * key that holds the integer weights and a secret salt, and a verifying key that holds the
 * architecture and a Poseidon2 commitment to the weights), and proves inferences
 * (starkml_prove). Anyone with the verifying key checks a proof (starkml_verify) and learns
 * the statement it proves (starkml_statement): the model (by the vk's hash), the input or
 * its digest, the output or the predicate it satisfies, and the security of the proof.
 *
 * Objects are opaque and immutable once made; each has _free (NULL allowed), _save (to
 * malloc'ed bytes the caller frees) and _load (strict parsing: a malformed file is
 * STARKML_ERR_PARSE with a message, never a crash).
 *
 * Conventions of this section:
 *  - Args: ctx, where a function takes one: a context from starkml_ctx_create (threads and
 *    diagnostics); it is only read, so one context may serve several threads.
 *  - why, why_len: a caller buffer for a one-line, NUL-terminated message saying what went
 *    wrong (truncated to why_len bytes; "" on success). why may be NULL when why_len is 0.
 *  - Every object a function returns through an out-pointer belongs to the caller and is
 *    released with the matching _free (models, keys), free() (byte buffers, JSON samples)
 *    or starkml_statement_clear (statements).
 */

typedef struct starkml_model starkml_model; /* a compiled (quantized) model, weights included */
typedef struct starkml_pk starkml_pk;       /* proving key: model, weights, salt, vk */
typedef struct starkml_vk starkml_vk;       /* verifying key: architecture, commitments */

/* Input visibility of a proof. */
typedef enum {
  STARKML_INPUT_PUBLIC = 0,  /* the proof carries the quantized input */
  STARKML_INPUT_HASHED = 1,  /* the proof carries Poseidon2(salt || input) only */
  STARKML_INPUT_PRIVATE = 2, /* the proof reveals nothing about the input */
} starkml_input_visibility;

typedef enum {
  STARKML_PRESET_SECURE = 0, /* >= 128 provable bits (default) */
  STARKML_PRESET_FAST = 1,   /* >= 100 conjectured bits (experiments) */
} starkml_preset;

/* Progress of long work: stage name, fraction done in [0, 1] (or -1 when unknown). */
typedef void (*starkml_progress_fn)(void *user, const char *stage, double fraction);

typedef struct {
  unsigned act_bits;    /* activation bits, 2..16 (0: default 10, which keeps every bundled
                           classifier at 100 % top-1 agreement with float) */
  unsigned weight_bits; /* weight bits, 2..16 (0: default 8) */
  int per_tensor;       /* 1: one weight scale per tensor (default: per output channel) */
} starkml_compile_options;

/* What starkml_compile measured. */
typedef struct {
  size_t n_calib;          /* calibration samples */
  double max_abs_err;      /* max |quantized - float| over the outputs of those samples */
  double top1_agreement;   /* fraction of samples where the quantized top-1 equals float's */
  size_t n_values;         /* integers of one inference */
  size_t n_dot_terms;      /* multiply-accumulate terms */
  size_t n_requant, n_lut, n_max, n_div;
  size_t n_weights;        /* weight and bias values */
  size_t input_len, output_len;
  unsigned act_bits, weight_bits; /* the bit widths used */
  /* The constraint tables of a proof with public input and output and private weights
     (hidden modes change only the small input and output tables). */
  size_t n_tables;
  struct {
    char name[24];
    unsigned log_n;       /* 2^log_n rows */
    unsigned n_pre, n_main;
  } tables[12];
} starkml_compile_report;

/*
 * Compiles an ONNX model: import, float reference run, calibration and quantization.
 * Returns: STARKML_OK; STARKML_ERR_PARSE (malformed ONNX, unsupported op or attribute:
 *          why names the node and op); STARKML_ERR_ARG (calibration samples of the wrong
 *          length or not finite, a model outside the prover's bounds); STARKML_ERR_NOMEM.
 * Args: ctx.
 * Out:  model   (NULL on failure); report  if not NULL; why  message ("" on success).
 * In:   onnx, onnx_len   the model file's bytes;
 *       calib            n_samples x sample_len floats, row-major;
 *       opt              NULL for defaults.
 */
starkml_status starkml_compile(const starkml_ctx *ctx, starkml_model **model,
                               starkml_compile_report *report, char *why, size_t why_len,
                               const uint8_t *onnx, size_t onnx_len, const float *calib,
                               size_t n_samples, size_t sample_len,
                               const starkml_compile_options *opt);
/* Releases a compiled model. Args: model  from starkml_compile / _load, or NULL (no-op). */
void starkml_model_free(starkml_model *model);

/*
 * Encodes a compiled model ("SMCM", docs/formats.md). It holds the integer weights: keep it
 * private.
 * Returns: STARKML_OK, STARKML_ERR_ARG (NULL), STARKML_ERR_NOMEM.
 * Out:  *data, *len  malloc'ed bytes (free() them); NULL and 0 on failure.
 * In:   model.
 */
starkml_status starkml_model_save(const starkml_model *model, uint8_t **data, size_t *len);

/*
 * Decodes a compiled model; every invariant of the quantized model is checked.
 * Returns: STARKML_OK, STARKML_ERR_PARSE (with why), STARKML_ERR_ARG (NULL),
 *          STARKML_ERR_NOMEM.
 * Out:  *model  (NULL on failure; release with starkml_model_free); why.
 * In:   data, len  the file's bytes.
 */
starkml_status starkml_model_load(starkml_model **model, char *why, size_t why_len,
                                  const uint8_t *data, size_t len);

/* Returns: the number of input (output) floats of a model; 0 for NULL. */
size_t starkml_model_input_len(const starkml_model *model);
size_t starkml_model_output_len(const starkml_model *model);

typedef struct {
  int public_weights;  /* 1: weights are public (preprocessed), no commitment */
  const uint8_t *seed; /* 32 bytes for a deterministic salt (tests, vectors); NULL: OS */
} starkml_setup_options;

/*
 * Setup: draws the weight salt, commits to the weights (Poseidon2) and to the fixed
 * columns of every table for the option sets a proof may use (cached in the vk).
 * Returns: STARKML_OK, STARKML_ERR_ARG (NULL ctx, pk, vk or model), STARKML_ERR_NOMEM,
 *          STARKML_ERR_IO (no OS randomness).
 * Args: ctx.
 * Out:  *pk, *vk  (NULL on failure). Two independent objects: release each with its
 *       _free (the pk keeps its own copy of the vk, see starkml_pk_vk).
 * In:   model  the compiled model (not kept); opt  NULL for private weights and an OS salt.
 */
starkml_status starkml_setup(const starkml_ctx *ctx, starkml_pk **pk, starkml_vk **vk,
                             const starkml_model *model, const starkml_setup_options *opt);

/* Release a key (NULL: no-op). The pk's salt is wiped. */
void starkml_pk_free(starkml_pk *pk);
void starkml_vk_free(starkml_vk *vk);

/*
 * Encode a key ("SMPK" / "SMVK", docs/formats.md). The pk holds the weights and the secret
 * salt: keep it private; the vk is public.
 * Returns: STARKML_OK, STARKML_ERR_ARG (NULL), STARKML_ERR_NOMEM.
 * Out:  *data, *len  malloc'ed bytes (free() them); NULL and 0 on failure.
 */
starkml_status starkml_pk_save(const starkml_pk *pk, uint8_t **data, size_t *len);
starkml_status starkml_vk_save(const starkml_vk *vk, uint8_t **data, size_t *len);

/*
 * Decode a key; everything is checked (the architecture's invariants included).
 * Returns: STARKML_OK, STARKML_ERR_PARSE (with why), STARKML_ERR_ARG (NULL),
 *          STARKML_ERR_NOMEM.
 * Out:  *pk / *vk  (NULL on failure; release with the _free); why.
 * In:   data, len  the file's bytes.
 */
starkml_status starkml_pk_load(starkml_pk **pk, char *why, size_t why_len, const uint8_t *data,
                               size_t len);
starkml_status starkml_vk_load(starkml_vk **vk, char *why, size_t why_len, const uint8_t *data,
                               size_t len);

/* Returns: the verifying key inside a proving key, owned by pk (valid while pk lives; do
 *          not free it), or NULL for NULL. */
const starkml_vk *starkml_pk_vk(const starkml_pk *pk);

/* The model's public identity: SHA3-256 of the verifying key's encoding.
 * Out: out  32 bytes (zeroed when vk is NULL). In: vk. */
void starkml_vk_hash(const starkml_vk *vk, uint8_t out[32]);

/* Returns: the number of input (output) floats of the vk's model; 0 for NULL. */
size_t starkml_vk_input_len(const starkml_vk *vk);
size_t starkml_vk_output_len(const starkml_vk *vk);

typedef struct {
  uint32_t input_visibility; /* starkml_input_visibility */
  const char *predicate;     /* NULL: public output; else "argmax==3", "y[0]>=0.8", ... */
  uint32_t preset;           /* starkml_preset */
  int no_zk;                 /* 1: no zero knowledge (public weights and input only) */
  const uint8_t *seed;       /* 32 bytes: deterministic proof (vectors, backends); NULL: OS */
  const uint8_t *input_salt; /* 32 bytes: the salt of a hashed input (see
                                starkml_input_digest); NULL: derived from the seed */
  starkml_progress_fn progress;
  void *progress_user;
} starkml_prove_options;

#define STARKML_MAX_OUTPUTS 4096

/* What a proof states (filled by starkml_prove and starkml_verify). */
typedef struct {
  uint8_t vk_hash[32];
  uint32_t input_visibility;
  size_t input_len;          /* model input length */
  int64_t *input_q;          /* public input: quantized values (input_len), else NULL */
  double input_scale;        /* real input = scale * quantized */
  uint8_t input_digest[32];  /* hashed input: the 4 digest elements, little-endian */
  char predicate[128];       /* canonical predicate text, "" when the output is public */
  int64_t pred_lo, pred_hi;  /* the predicate's thresholds on the quantized output scale */
  size_t output_len;
  int64_t *output_q;         /* public output: quantized values (output_len), else NULL */
  double *output;            /* dequantized output, else NULL */
  double output_scale;
  uint32_t preset, zk;
  unsigned conjectured_bits, provable_bits;
  size_t proof_bytes;
  double stage_seconds[8];   /* prove only: "witness" then "stark" (see stage_names) */
  const char *stage_names[8]; /* static strings */
  size_t n_stages;
} starkml_statement;

/* Releases the arrays of a statement filled by starkml_prove, starkml_verify or
   starkml_proof_statement, and zeroes it. Args: st  (NULL: no-op). */
void starkml_statement_clear(starkml_statement *st);

/*
 * Proves one inference.
 * Returns: STARKML_OK; STARKML_ERR_ARG (input length, a non-finite input, a predicate that
 *          does not parse or names a missing output, a predicate that is false for this
 *          input, no_zk with private data: why says which); STARKML_ERR_NOMEM;
 *          STARKML_ERR_INTERNAL.
 * Args: ctx (its thread count; diagnostics go to its log).
 * Out:  proof, proof_len (malloc'ed; NULL/0 on failure); st  the proven statement (clear
 *       it with starkml_statement_clear); why.
 * In:   pk; input  input_len floats; opt (NULL: public input and output, secure, zk).
 */
starkml_status starkml_prove(const starkml_ctx *ctx, uint8_t **proof, size_t *proof_len,
                             starkml_statement *st, char *why, size_t why_len,
                             const starkml_pk *pk, const float *input, size_t input_len,
                             const starkml_prove_options *opt);

/*
 * Verifies a proof against a verifying key.
 * Returns: STARKML_OK (accepted: *st holds the statement); STARKML_REJECT (why says
 *          which check failed); STARKML_ERR_PARSE (not a proof); STARKML_ERR_ARG;
 *          STARKML_ERR_NOMEM.
 * Args: ctx (its thread count: a verification is a few milliseconds of work, so a
 *       one-shot verifier does best with a context of one thread, as `starkml verify` uses;
 *       more threads pay off only in a process that keeps its thread pool warm).
 * Out:  st (cleared on failure), why.
 * In:   vk; proof; floor  the least preset the verifier accepts (STARKML_PRESET_SECURE
 *       unless experimenting); input  if not NULL, the public input the verifier expects
 *       (a proof for another input is rejected; input_len floats); input_digest  if not
 *       NULL, the 32-byte digest a hashed input must have.
 */
starkml_status starkml_verify(const starkml_ctx *ctx, starkml_statement *st, char *why,
                              size_t why_len, const starkml_vk *vk, const uint8_t *proof,
                              size_t proof_len, uint32_t floor, const float *input,
                              size_t input_len, const uint8_t *input_digest);

/*
 * Checks that a verified statement proves exactly the predicate a verifier expects (a
 * proof of another predicate, or of a public output, is not what was asked for).
 * Returns: STARKML_OK; STARKML_REJECT (why says what the proof proves instead);
 *          STARKML_ERR_PARSE (expected does not parse); STARKML_ERR_ARG (NULL).
 * Out:  why.
 * In:   st  a statement from starkml_verify (accepted); expected  predicate text, compared
 *       in canonical form (spacing and number spelling do not matter).
 */
starkml_status starkml_statement_expect_predicate(const starkml_statement *st, char *why,
                                                  size_t why_len, const char *expected);

/*
 * The digest a hashed input gets in a proof (STARKML_INPUT_HASHED): the salted Poseidon2
 * hash of the input quantized on this model's input scale. An issuer who attests a
 * record computes it, publishes it, and hands the salt to the prover (prove's input_salt),
 * so that a verifier can require it (starkml_verify's input_digest).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL, input_len differs from the model's input,
 *          a non-finite value).
 * Out:  digest  32 bytes (4 field elements, little-endian u64 each).
 * In:   vk; input  input_len floats; salt  32 bytes (the same as prove's input_salt).
 */
starkml_status starkml_input_digest(uint8_t digest[32], const starkml_vk *vk, const float *input,
                                    size_t input_len, const uint8_t salt[32]);

/*
 * Reads a zkML proof's statement without verifying it (for inspect). Only what the proof
 * itself carries is filled: the lengths and scales of a model come from its vk, so they are
 * 0 here for hidden inputs and outputs, and output (dequantized) is NULL.
 * Returns: STARKML_OK, STARKML_ERR_PARSE (with why), STARKML_ERR_ARG (NULL).
 * Out:  st  (release with starkml_statement_clear); why.
 * In:   proof, proof_len.
 */
starkml_status starkml_proof_statement(starkml_statement *st, char *why, size_t why_len,
                                       const uint8_t *proof, size_t proof_len);

/*
 * Reads input.json / calib.json (EZKL's convention: {"input_data": [[...], ...]}, or one
 * flat list). NaN and Infinity are refused.
 * Returns: STARKML_OK; STARKML_ERR_IO (unreadable: why names the path);
 *          STARKML_ERR_PARSE (why says what and where); STARKML_ERR_ARG (NULL).
 * Out:  *data  n_samples x sample_len floats, row-major (malloc'ed; free() it; NULL on
 *       failure); *n_samples, *sample_len  (0 on failure); why.
 * In:   path  the file.
 */
starkml_status starkml_input_json_load(float **data, size_t *n_samples, size_t *sample_len,
                                       char *why, size_t why_len, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* STARKML_H */
