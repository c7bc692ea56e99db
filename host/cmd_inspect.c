/*
 * `starkml inspect FILE [--json]`: what a file is and what it claims, read without
 * verifying anything. File kinds:
 *  - a STARK proof ("SMKP": toy proofs; fri/stark.h, sm_stark_inspect): options, tables,
 *    sections, security;
 *  - a zkML proof (starkml_proof_statement): the statement it claims (NOT verified);
 *  - a verifying key (starkml_vk_load): the vk hash, input and output lengths;
 *  - a proving key (starkml_pk_load): the same, from the vk inside it;
 *  - a compiled model (starkml_model_load): input and output lengths.
 * Only what the public API exposes is printed: never weights or salts.
 *
 * Any bytes are safe input: the size is checked before reading (a STARK proof, or a file
 * with no known magic, is refused above SM_STARK_MAX_PROOF_BYTES; keys and models above
 * CLI_MAX_KEY_BYTES) and every parser is strict.
 */
#include <stdlib.h>
#include <string.h>

#include "host/cli.h"

#define PL(n) ((n) == 1 ? "" : "s") /* "1 value", "2 values" */

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
          "Describes a starkml file without verifying anything:\n"
          "  a STARK proof     protocol version, options, the tables (log2 rows, largest\n"
          "                    constraint degree, committed polynomials), the bytes of each\n"
          "                    section and the security in bits that the proof's options\n"
          "                    give for the statement as its header describes it (a\n"
          "                    verifier recomputes them from its own statement);\n"
          "  a zkML proof      the statement it claims: the model's vk hash, the input's\n"
          "                    visibility (and digest), the output or the predicate, the\n"
          "                    preset and security (run `starkml verify` to check it);\n"
          "  a verifying key,  the model's vk hash and its input and output lengths (never\n"
          "  a proving key     the weights or the salt);\n"
          "  a compiled model  its input and output lengths.\n"
          "Proofs larger than %u bytes are refused unread. Exit 2 for a file that is none\n"
          "of these.\n"
          "\n"
          "  --json  print the description as JSON\n",
          (unsigned)SM_STARK_MAX_PROOF_BYTES);
}

/* The zkML file kinds, by their magic. */
enum { KIND_UNKNOWN, KIND_STARK, KIND_ZKPROOF, KIND_VK, KIND_PK, KIND_MODEL };

static int kind_of_magic(const uint8_t m[4]) {
  if (memcmp(m, SM_STARK_MAGIC, 4) == 0) return KIND_STARK;
  if (memcmp(m, "SMZP", 4) == 0) return KIND_ZKPROOF;
  if (memcmp(m, "SMVK", 4) == 0) return KIND_VK;
  if (memcmp(m, "SMPK", 4) == 0) return KIND_PK;
  if (memcmp(m, "SMCM", 4) == 0) return KIND_MODEL;
  return KIND_UNKNOWN;
}

static void json_head(const char *path, const char *kind, size_t len) {
  printf("{\"file\": ");
  cli_json_str(stdout, path);
  printf(", \"kind\": \"%s\", \"total_bytes\": %zu", kind, len);
}

static void text_vk(const starkml_vk *vk) {
  uint8_t h[32];
  char hex[65];
  starkml_vk_hash(vk, h);
  cli_hex(hex, h, 32);
  printf("model      vk %s (SHA3-256 of the verifying key)\n", hex);
  printf("shape      input %zu value%s, output %zu value%s\n", starkml_vk_input_len(vk),
         PL(starkml_vk_input_len(vk)), starkml_vk_output_len(vk), PL(starkml_vk_output_len(vk)));
}

static void json_vk(const starkml_vk *vk) {
  uint8_t h[32];
  char hex[65];
  starkml_vk_hash(vk, h);
  cli_hex(hex, h, 32);
  printf(", \"vk_hash\": \"%s\", \"input_len\": %zu, \"output_len\": %zu", hex,
         starkml_vk_input_len(vk), starkml_vk_output_len(vk));
}

/*
 * Describes a zkML file (proof, vk, pk, compiled model). Tries the kind its magic names,
 * or every kind when the magic is unknown. Returns: 1 described; 0 not a zkML file of the
 * tried kinds (why holds the last loader's message).
 */
static int describe_zkml(const char *path, const uint8_t *data, size_t len, int kind, int json,
                         char *why, size_t why_len) {
  if (kind == KIND_UNKNOWN || kind == KIND_ZKPROOF) {
    starkml_statement st;
    memset(&st, 0, sizeof st);
    if (starkml_proof_statement(&st, why, why_len, data, len) == STARKML_OK) {
      if (json) {
        json_head(path, "zkml_proof", len);
        printf(", \"verified\": false, ");
        cli_json_zk_statement(stdout, &st);
        printf("}\n");
      } else {
        printf("file       %s\n", path);
        printf("kind       starkml zkML proof, %zu bytes; the statement it claims (not verified:\n"
               "           run starkml verify with the model's vk):\n",
               len);
        cli_print_zk_statement(stdout, &st);
      }
      starkml_statement_clear(&st);
      return 1;
    }
  }
  if (kind == KIND_UNKNOWN || kind == KIND_VK) {
    starkml_vk *vk = NULL;
    if (starkml_vk_load(&vk, why, why_len, data, len) == STARKML_OK) {
      if (json) {
        json_head(path, "verifying_key", len);
        json_vk(vk);
        printf("}\n");
      } else {
        printf("file       %s\n", path);
        printf("kind       starkml verifying key, %zu bytes (public)\n", len);
        text_vk(vk);
      }
      starkml_vk_free(vk);
      return 1;
    }
  }
  if (kind == KIND_UNKNOWN || kind == KIND_PK) {
    starkml_pk *pk = NULL;
    if (starkml_pk_load(&pk, why, why_len, data, len) == STARKML_OK) {
      if (json) {
        json_head(path, "proving_key", len);
        json_vk(starkml_pk_vk(pk));
        printf(", \"secret\": \"the weights and the salt (not shown)\"}\n");
      } else {
        printf("file       %s\n", path);
        printf("kind       starkml proving key, %zu bytes (secret: holds the weights and the\n"
               "           salt, not shown)\n",
               len);
        text_vk(starkml_pk_vk(pk));
      }
      starkml_pk_free(pk);
      return 1;
    }
  }
  if (kind == KIND_UNKNOWN || kind == KIND_MODEL) {
    starkml_model *m = NULL;
    if (starkml_model_load(&m, why, why_len, data, len) == STARKML_OK) {
      if (json) {
        json_head(path, "compiled_model", len);
        printf(", \"input_len\": %zu, \"output_len\": %zu}\n", starkml_model_input_len(m),
               starkml_model_output_len(m));
      } else {
        printf("file       %s\n", path);
        printf("kind       starkml compiled model, %zu bytes (holds the weights, not shown)\n",
               len);
        printf("shape      input %zu value%s, output %zu value%s\n", starkml_model_input_len(m),
               PL(starkml_model_input_len(m)), starkml_model_output_len(m),
               PL(starkml_model_output_len(m)));
      }
      starkml_model_free(m);
      return 1;
    }
  }
  return 0;
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
  /* The magic picks the size cap before the file is read. */
  uint8_t magic[4];
  cli_peek_magic(path, magic);
  int kind = kind_of_magic(magic);
  const size_t cap = kind == KIND_VK || kind == KIND_PK || kind == KIND_MODEL ? CLI_MAX_KEY_BYTES
                     : kind == KIND_ZKPROOF                                  ? CLI_MAX_ZKPROOF_BYTES
                                                                             : SM_STARK_MAX_PROOF_BYTES;
  uint8_t *data = NULL;
  size_t len = 0;
  int rc = cli_read_file(who, path, cap, &data, &len);
  if (rc != 0) return rc;
  if (len >= 4) kind = kind_of_magic(data); /* not a regular file: not peeked */
  if (kind != KIND_STARK && len > 0) {
    char why[512] = "";
    if (describe_zkml(path, data, len, kind, json, why, sizeof why)) {
      free(data);
      return CLI_EXIT_OK;
    }
    if (kind != KIND_UNKNOWN) {
      fprintf(stderr, "%s: %s: %s\n", who, path, why[0] ? why : "malformed starkml file");
      free(data);
      return CLI_EXIT_USAGE;
    }
  }
  sm_stark_info info;
  if (sm_stark_inspect(&info, data, len) != STARKML_OK) {
    if (kind == KIND_UNKNOWN && len > 0)
      fprintf(stderr,
              "%s: %s: not a starkml file (no known magic: SMKP or SMZP proof, SMVK or SMPK "
              "key, SMCM model)\n",
              who, path);
    else
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
