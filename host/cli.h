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

#endif
