/*
 * `starkml inspect FILE [--json]`: what a file is and what it claims, read without the
 * statement and without verifying anything (fri/stark.h, sm_stark_inspect). Today the only
 * file kind is a STARK proof; keys join when the setup writes them.
 *
 * Any bytes are safe input: the size is checked before reading (nothing larger than the
 * library's SM_STARK_MAX_PROOF_BYTES is loaded) and the library's parser is strict.
 */
#include <stdlib.h>
#include <string.h>

#include "host/cli.h"

const char *cli_proof_problem(const uint8_t *data, size_t len) {
  if (len == 0) return "empty file, not a starkml proof";
  if (len < 4 || memcmp(data, SM_STARK_MAGIC, 4) != 0)
    return "not a starkml proof (no \"" SM_STARK_MAGIC "\" magic)";
  if (len < 8) return "malformed starkml proof (truncated before its version)";
  uint32_t v = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 |
               (uint32_t)data[7] << 24;
  if (v != SM_STARK_PROTOCOL_VERSION) return "starkml proof of an unsupported protocol version";
  return "malformed starkml proof (truncated, corrupted or trailing bytes)";
}

static void inspect_usage(FILE *f) {
  fprintf(f,
          "usage: starkml inspect FILE [--json]\n"
          "\n"
          "Describes a starkml proof without verifying it: protocol version, options, the\n"
          "tables (log2 rows, largest constraint degree, committed polynomials), the bytes\n"
          "of each section and the security in bits that the proof's options give for the\n"
          "statement as its header describes it (a verifier recomputes them from its own\n"
          "statement and refuses a header that differs). Files larger than the largest\n"
          "valid proof (%u bytes) are refused unread. Exit 2 for a file that is not a\n"
          "well-formed proof.\n"
          "\n"
          "  --json  print the description as JSON\n",
          (unsigned)SM_STARK_MAX_PROOF_BYTES);
}

int cli_cmd_inspect(int argc, char **argv) {
  const char *who = "starkml inspect";
  static const char synopsis[] = "usage: starkml inspect FILE [--json] (see --help)\n";
  const char *path = NULL;
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      inspect_usage(stdout);
      return CLI_EXIT_OK;
    } else if (strcmp(argv[i], "--json") == 0) {
      json = 1;
    } else if ((argv[i][0] != '-' || argv[i][1] == '\0') && path == NULL) {
      path = argv[i];
    } else {
      fprintf(stderr, "%s: unknown or unexpected argument '%s'\n%s", who, argv[i], synopsis);
      return CLI_EXIT_USAGE;
    }
  }
  if (path == NULL) {
    fprintf(stderr, "%s: missing FILE\n%s", who, synopsis);
    return CLI_EXIT_USAGE;
  }
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = cli_read_file(who, path, SM_STARK_MAX_PROOF_BYTES, &data, &len);
  if (rc != 0) return rc;
  sm_stark_info info;
  if (sm_stark_inspect(&info, data, len) != STARKML_OK) {
    fprintf(stderr, "%s: %s: %s\n", who, path, cli_proof_problem(data, len));
    free(data);
    return CLI_EXIT_USAGE;
  }
  free(data);
  const sm_stark_info *x = &info;
  if (json) {
    printf("{\"file\": ");
    cli_json_str(stdout, path);
    printf(", \"kind\": \"proof\", \"version\": %u, \"options\": ", x->version);
    cli_json_options(stdout, &x->options);
    printf(", \"tables\": [");
    for (uint32_t t = 0; t < x->n_tables; t++)
      printf("%s{\"log_n\": %u, \"max_degree\": %u, \"committed_polys\": %u}", t ? ", " : "",
             x->table_log_n[t], x->table_max_degree[t], x->table_committed[t]);
    printf("], \"sections\": [");
    for (size_t k = 0; k < x->n_sections; k++)
      printf("%s{\"name\": \"%s\", \"bytes\": %zu}", k ? ", " : "", x->sections[k].name,
             x->sections[k].bytes);
    printf("], \"total_bytes\": %zu, \"security\": ", x->total_bytes);
    cli_json_security(stdout, &x->security);
    printf(", \"security_basis\": \"the statement as the proof's header describes it\"}\n");
    return CLI_EXIT_OK;
  }
  printf("file       %s\n", path);
  printf("kind       starkml proof, protocol version %u\n", x->version);
  printf("options    ");
  cli_print_options(stdout, &x->options);
  printf("\ntables     %u\n", x->n_tables);
  for (uint32_t t = 0; t < x->n_tables; t++)
    printf("  table %u  2^%u rows, max constraint degree %u, %u committed polynomials\n", t,
           x->table_log_n[t], x->table_max_degree[t], x->table_committed[t]);
  printf("sections\n");
  for (size_t k = 0; k < x->n_sections; k++)
    printf("  %-12s %9zu bytes\n", x->sections[k].name, x->sections[k].bytes);
  printf("  %-12s %9zu bytes (with the 8-byte magic and version)\n", "total", x->total_bytes);
  printf("security   ");
  cli_print_security(stdout, &x->security);
  printf("\n           (for the statement as the proof's header describes it; a verifier\n"
         "            recomputes them from its own statement)\n");
  return CLI_EXIT_OK;
}
