/*
 * Helpers shared by the commands of the `starkml` tool (host/main.c, host/cmd_*.c).
 *
 * Conventions every command follows:
 *  - exit codes: 0 success; CLI_EXIT_CHECK (1) a check failed or a proof was rejected;
 *    CLI_EXIT_USAGE (2) a usage, I/O or parse error. Nothing a user can feed a command
 *    (arguments, file contents) makes it crash;
 *  - an error is one line on stderr, "starkml CMD: what went wrong";
 *  - data goes to stdout (as JSON with --json), diagnostics to stderr.
 */
#ifndef STARKML_HOST_CLI_H
#define STARKML_HOST_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fri/soundness.h"
#include "fri/stark.h"
#include "starkml.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_CHECK 1
#define CLI_EXIT_USAGE 2

/* The command implementations (argv[0] is the command's own name). */
int cli_cmd_selftest(int argc, char **argv);
int cli_cmd_toy(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
/* The zkML commands (host/cmd_zkml.c, host/cmd_demo.c): public API only. */
int cli_cmd_compile(int argc, char **argv);
int cli_cmd_setup(int argc, char **argv);
int cli_cmd_prove(int argc, char **argv);
int cli_cmd_verify(int argc, char **argv);
int cli_cmd_digest(int argc, char **argv);
int cli_cmd_demo(int argc, char **argv);

/*
 * Makes the command's context: `threads` workers (0: every core), diagnostics to stderr,
 * and the backend named by the --backend / --device values (NULL: cpu, device 0).
 * Returns: 0, or CLI_EXIT_USAGE after one error line (a bad name or index, a backend not in
 *          this build, a device that cannot be opened: in the driver's words).
 */
int cli_make_ctx(const char *who, starkml_ctx **ctx, int threads, const char *backend,
                 const char *device);

/* The --backend and --device lines of a command's --help. */
#define CLI_BACKEND_HELP                                                                    \
  "  --backend B           where the prover's kernels run: cpu (default), opencl or\n"     \
  "                        verilator; every backend gives the same proof bytes\n"          \
  "  --device N            the device of that backend (`starkml devices`; default 0)\n"

int cli_cmd_devices(int argc, char **argv);

/* Returns 1 if s is "--help" or "-h". */
int cli_is_help(const char *s);

/* Parses a decimal integer in [lo, hi] (no sign, no spaces). Returns 1 on success. */
int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* Parses "secure" or "fast". Returns 1 on success. */
int cli_parse_preset(const char *s, sm_preset *out);
const char *cli_preset_name(uint32_t preset);

/* A starkml_log_fn that writes each line to stderr. */
void cli_log_stderr(void *user, const char *line);

/* Seconds on a monotonic clock. */
double cli_now(void);

/*
 * Reads a whole file of at most max_len bytes. The size is checked before anything is
 * read (for regular files) and again while reading (pipes, devices), so a huge file is
 * refused without being loaded.
 * Returns: 0 on success (*data malloc'ed, caller frees; non-NULL even when *len is 0);
 *          otherwise CLI_EXIT_USAGE after printing one error line prefixed by `who`.
 */
int cli_read_file(const char *who, const char *path, size_t max_len, uint8_t **data,
                  size_t *len);

/* Writes a whole file (created or truncated); on failure removes it and prints one error
   line. Returns 0 or CLI_EXIT_USAGE. */
int cli_write_file(const char *who, const char *path, const uint8_t *data, size_t len);

/* Why bytes that do not parse as a proof are not one, in a few words ("empty file",
   "not a starkml proof (no SMKP magic)", ...), for an error line. Static string. */
const char *cli_proof_problem(const uint8_t *data, size_t len);

/* Prints s as a JSON string literal (quotes and escapes included). */
void cli_json_str(FILE *f, const char *s);

/* Prints options as text ("preset fast, zk on, ...") or as a JSON object. */
void cli_print_options(FILE *f, const sm_stark_options *o);
void cli_json_options(FILE *f, const sm_stark_options *o);

/* Prints the three security figures as text or as a JSON object. */
void cli_print_security(FILE *f, const sm_soundness_bits *b);
void cli_json_security(FILE *f, const sm_soundness_bits *b);

/* ---- helpers of the zkML commands ---------------------------------------------------- */

/* Size caps of the files the zkML commands read (checked before reading). */
#define CLI_MAX_ONNX_BYTES ((size_t)1 << 30)  /* model.onnx */
#define CLI_MAX_KEY_BYTES ((size_t)1 << 30)   /* model.smc, model.pk, model.vk */
#define CLI_MAX_ZKPROOF_BYTES ((size_t)128 << 20) /* a zkML proof */

/* One option of a command: "--name" (and an alias such as "-o", or NULL). An option with a
   value stores the next argument in *value (the last occurrence wins); a flag sets *flag. */
typedef struct {
  const char *name;
  const char *alias;
  const char **value; /* non-NULL: the option takes a value */
  int *flag;          /* non-NULL: a flag */
} cli_opt;

/*
 * Parses argv[1..] against opts. Arguments that do not start with '-' (and "-" itself) are
 * positionals, stored in pos[] up to max_pos. "--help" / "-h" prints usage to stdout.
 * Returns: -1 to go on; CLI_EXIT_OK after --help; CLI_EXIT_USAGE after one error line
 *          ("WHO: ...") and the synopsis on stderr.
 */
int cli_parse_opts(const char *who, const char *synopsis, void (*usage)(FILE *), int argc,
                   char **argv, const cli_opt *opts, size_t n_opts, const char **pos,
                   int max_pos, int *n_pos);

/* The 32-byte seed of --seed N: SHA3-256("starkml-cli-seed" (16 ASCII bytes) || LE64(N)). */
void cli_seed_from_u64(uint8_t out[32], uint64_t n);

/* Writes 2*len lowercase hex digits and a NUL into out (2*len + 1 bytes). */
void cli_hex(char *out, const uint8_t *data, size_t len);

/* Parses exactly 2*len hex digits (either case) into out. Returns 1 on success. */
int cli_parse_hex(uint8_t *out, size_t len, const char *s);

/* Prints a finite double as a JSON number that reads back as the same double (null when
   it is not finite). */
void cli_json_double(FILE *f, double x);

/* Reads up to 4 leading bytes of a regular file into magic (zero-filled). Returns how
   many were read (0 when it is not a regular file, cannot be opened or is empty). */
size_t cli_peek_magic(const char *path, uint8_t magic[4]);

/* Names of starkml_input_visibility and starkml_preset values ("public", "secure", ...). */
const char *cli_visibility_name(uint32_t v);
const char *cli_zkml_preset_name(uint32_t preset);

/* The proven statement of a zkML proof, as text (one "key   value" line each) or as the
   members of a JSON object (no braces: the caller adds its own members around them). */
void cli_print_zk_statement(FILE *f, const starkml_statement *st);
void cli_json_zk_statement(FILE *f, const starkml_statement *st);

/* A bundled example model (vectors/models/NAME), embedded at build time
   (host/CMakeLists.txt generates the table). */
typedef struct {
  const char *name;
  const unsigned char *onnx, *calib, *input;
  size_t onnx_len, calib_len, input_len;
  int label;                /* the input's true class (reference.json), -1 if unknown */
  const double *reference;  /* onnxruntime's float output for the input */
  size_t reference_len;
} cli_bundled_model;
extern const cli_bundled_model cli_bundled_models[];
extern const size_t cli_bundled_models_count;

#endif
