/*
 * `starkml toy prove|verify`: whole STARK proofs of the toy AIRs of air/toy.h, from the
 * command line. They exercise every mechanism of the engine (transition and boundary
 * constraints, public values, lookups into a preprocessed table, a bus between tables of
 * different heights) without a model, and they make the golden proofs of vectors/stark/.
 *
 * A toy statement is fixed by its NAME and --log-n alone: the toy's own data comes from
 * fixed constants (TOY_FIB_A0/B0, TOY_RANGE_SEED, TOY_BUS_SEED below), so the prover and
 * the verifier rebuild the same tables, public values and preprocessed columns.
 *
 * The prover's secret randomness (zero-knowledge randomizers, Merkle salts) comes from the
 * operating system unless --seed N is given; then the 32-byte prover seed is
 *   SHA3-256( "starkml-cli-seed" (16 ASCII bytes, no NUL) || LE64(N) ),
 * and the proof is a deterministic function of (NAME, log-n, preset, zk, N). A fixed seed
 * gives up zero knowledge against anyone who knows N: it is for vectors and tests only.
 *
 * The verifier commits to the toy's preprocessed columns itself (they are public and
 * rebuilt from the NAME), over the LDE domain of the options the proof's header states;
 * it still recomputes the security of those options from its own statement and refuses
 * anything below its floor (--preset).
 */
#include <stdlib.h>
#include <string.h>

#include "air/toy.h"
#include "fri/stark_toy.h"
#include "host/cli.h"

/* The toys' fixed data: part of the statement, so changing any of them changes the golden
   proofs in vectors/stark/. */
#define TOY_FIB_A0 1u
#define TOY_FIB_B0 1u
#define TOY_RANGE_SEED 7u
#define TOY_BUS_SEED 9u

/* The largest --log-n accepted (the bus toy's second table is 4 times taller). */
#define TOY_MAX_LOG_N 20u

enum { TOY_FIBONACCI, TOY_RANGE_CHECK, TOY_BUS };

static const struct {
  const char *name;
  unsigned default_log_n;
} toys[] = {
    [TOY_FIBONACCI] = {"fibonacci", 10},
    [TOY_RANGE_CHECK] = {"range-check", 10},
    [TOY_BUS] = {"bus", 8},
};
#define N_TOYS (sizeof toys / sizeof toys[0])

/* A toy statement and witness, in the shapes fri/stark.h takes. */
typedef sm_stark_toy toy_instance;

static starkml_status toy_build(toy_instance *f, int which, unsigned log_n) {
  memset(f, 0, sizeof *f);
  starkml_status s =
      which == TOY_FIBONACCI     ? sm_air_toy_fibonacci(&f->toy, log_n, TOY_FIB_A0, TOY_FIB_B0)
      : which == TOY_RANGE_CHECK ? sm_air_toy_range_check(&f->toy, log_n, TOY_RANGE_SEED)
                                 : sm_air_toy_bus(&f->toy, log_n, TOY_BUS_SEED);
  if (s != STARKML_OK) return s;
  sm_stark_toy_wire(f);
  return STARKML_OK;
}

static void toy_free(toy_instance *f) { sm_air_toy_free(&f->toy); }

static void print_statement(FILE *f, int which, unsigned log_n, const toy_instance *x) {
  fprintf(f, "statement  toy %s, log-n %u, %zu table%s\n", toys[which].name, log_n,
          x->st.n_tables, x->st.n_tables == 1 ? "" : "s");
  for (size_t t = 0; t < x->st.n_tables; t++) {
    const sm_air_table *tb = &x->tables[t];
    fprintf(f, "  table %zu  %-10s 2^%u = %zu rows, %u preprocessed / %u main columns, %u public\n",
            t, tb->name, tb->log_n, (size_t)1 << tb->log_n, tb->n_pre, tb->n_main, tb->n_public);
  }
}

static void json_statement(FILE *f, int which, unsigned log_n, const toy_instance *x) {
  fprintf(f, "\"toy\": \"%s\", \"log_n\": %u, \"tables\": [", toys[which].name, log_n);
  for (size_t t = 0; t < x->st.n_tables; t++) {
    const sm_air_table *tb = &x->tables[t];
    fprintf(f, "%s{\"name\": ", t ? ", " : "");
    cli_json_str(f, tb->name);
    fprintf(f, ", \"log_n\": %u, \"rows\": %zu, \"preprocessed\": %u, \"main\": %u, \"public\": %u}",
            tb->log_n, (size_t)1 << tb->log_n, tb->n_pre, tb->n_main, tb->n_public);
  }
  fprintf(f, "]");
}

static void toy_usage(FILE *f) {
  fprintf(f,
          "usage: starkml toy prove NAME -o FILE [--log-n N] [--preset secure|fast] [--no-zk]\n"
          "                         [--seed N] [--threads N] [--backend B] [--device N]\n"
          "                         [--json] [--quiet]\n"
          "       starkml toy verify NAME FILE [--log-n N] [--preset secure|fast] [--threads N]\n"
          "                          [--json]\n"
          "\n"
          "Proves and verifies the toy AIRs the engine is tested on. NAME is one of\n"
          "  fibonacci    a' = b, b' = a + b from (a0, b0) = (%u, %u); publics a0, b0, b[n-1]\n"
          "  range-check  2^N values in [0, 256) (data seed %u) looked up in a preprocessed\n"
          "               256-row table over a LogUp bus\n"
          "  bus          2^N pairs (x, x^2) (data seed %u) received by a 2^(N+2)-row table\n"
          "The statement is fixed by NAME and --log-n. Run 'starkml toy prove --help' or\n"
          "'starkml toy verify --help' for the options.\n",
          TOY_FIB_A0, TOY_FIB_B0, TOY_RANGE_SEED, TOY_BUS_SEED);
}

static void prove_usage(FILE *f) {
  fprintf(f,
          "usage: starkml toy prove NAME -o FILE [--log-n N] [--preset secure|fast] [--no-zk]\n"
          "                         [--seed N] [--threads N] [--backend B] [--device N]\n"
          "                         [--json] [--quiet]\n"
          "\n"
          "Builds the toy NAME (fibonacci, range-check, bus), runs the setup and writes a\n"
          "proof to FILE. Prints the statement, the options, the proof's size, the time and\n"
          "the security in bits (provable, conjectured, unique decoding).\n"
          "\n"
          "  -o, --output FILE  where to write the proof (required)\n"
          "  --log-n N          log2 of the rows of the first table, 2..%u (default: 10 for\n"
          "                     fibonacci and range-check, 8 for bus)\n"
          "  --preset P         secure (default: at least 128 provable bits) or fast (at\n"
          "                     least 100 conjectured bits, for experiments)\n"
          "  --no-zk            no zero knowledge (the toys' witnesses are public anyway)\n"
          "  --seed N           deterministic proof: the prover seed is\n"
          "                     SHA3-256(\"starkml-cli-seed\" || LE64(N)); for vectors and\n"
          "                     tests only (default: fresh randomness from the OS)\n"
          "  --threads N        worker threads (default: every core)\n"
          "  --backend B        where the prover's kernels run: cpu (default), opencl or\n"
          "                     verilator; every backend gives the same proof bytes\n"
          "  --device N         the device of that backend (`starkml devices`; default 0)\n"
          "  --json             print the summary as JSON\n"
          "  --quiet            print nothing on success\n",
          TOY_MAX_LOG_N);
}

static void verify_usage(FILE *f) {
  fprintf(f,
          "usage: starkml toy verify NAME FILE [--log-n N] [--preset secure|fast] [--threads N]\n"
          "                          [--json]\n"
          "\n"
          "Rebuilds the statement of the toy NAME and verifies the proof in FILE. Prints\n"
          "'accepted' and the security in bits (exit 0) or 'rejected: REASON' (exit 1); a\n"
          "file that is not a well-formed proof is an error (exit 2).\n"
          "\n"
          "  --log-n N          the statement's log-n (default as for prove)\n"
          "  --preset P         the verifier's floor: secure (default, at least 128 provable\n"
          "                     bits) or fast (at least 100 conjectured bits); a proof whose\n"
          "                     options give less is rejected\n"
          "  --threads N        worker threads (default: every core)\n"
          "  --json             print the verdict as JSON\n");
}

static int find_toy(const char *name) {
  for (size_t i = 0; i < N_TOYS; i++)
    if (strcmp(name, toys[i].name) == 0) return (int)i;
  return -1;
}

/* Options shared by prove and verify. */
typedef struct {
  const char *positional[2];
  int n_positional;
  const char *output, *backend, *device;
  uint64_t log_n, seed, threads;
  int have_log_n, have_seed, no_zk, json, quiet;
  sm_preset preset;
} toy_args;

static const char prove_synopsis[] =
    "usage: starkml toy prove NAME -o FILE [--log-n N] [--preset secure|fast] [--no-zk] "
    "[--seed N] [--threads N] [--backend B] [--device N] [--json] [--quiet] (see --help)\n";
static const char verify_synopsis[] =
    "usage: starkml toy verify NAME FILE [--log-n N] [--preset secure|fast] [--threads N] "
    "[--json] (see --help)\n";

/* Parses argv[1..] of prove (is_prove) or verify. Returns -1 to go on, else an exit code.
   An error is one line and the synopsis, on stderr. */
static int parse_args(toy_args *a, int argc, char **argv, int is_prove) {
  const char *who = is_prove ? "starkml toy prove" : "starkml toy verify";
  const char *synopsis = is_prove ? prove_synopsis : verify_synopsis;
  const int want = is_prove ? 1 : 2;
  memset(a, 0, sizeof *a);
  a->preset = SM_PRESET_SECURE;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (cli_is_help(s)) {
      (is_prove ? prove_usage : verify_usage)(stdout);
      return CLI_EXIT_OK;
    }
    const int is_o = is_prove && (strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0);
    const int is_seed = is_prove && strcmp(s, "--seed") == 0;
    const int is_be = is_prove && strcmp(s, "--backend") == 0;
    const int is_dev = is_prove && strcmp(s, "--device") == 0;
    if (is_o || is_seed || is_be || is_dev || strcmp(s, "--log-n") == 0 || strcmp(s, "--preset") == 0 ||
        strcmp(s, "--threads") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s: option '%s' needs a value\n%s", who, s, synopsis);
        return CLI_EXIT_USAGE;
      }
      const char *v = argv[++i];
      if (is_o) {
        a->output = v;
      } else if (is_be) {
        a->backend = v;
      } else if (is_dev) {
        a->device = v;
      } else if (is_seed) {
        if (!cli_parse_u64(v, 0, UINT64_MAX, &a->seed)) {
          fprintf(stderr, "%s: --seed takes an integer from 0 to 2^64 - 1, not '%s'\n", who, v);
          return CLI_EXIT_USAGE;
        }
        a->have_seed = 1;
      } else if (strcmp(s, "--log-n") == 0) {
        if (!cli_parse_u64(v, SM_AIR_MIN_LOG_N, TOY_MAX_LOG_N, &a->log_n)) {
          fprintf(stderr, "%s: --log-n takes an integer from %u to %u, not '%s'\n", who,
                  SM_AIR_MIN_LOG_N, TOY_MAX_LOG_N, v);
          return CLI_EXIT_USAGE;
        }
        a->have_log_n = 1;
      } else if (strcmp(s, "--preset") == 0) {
        if (!cli_parse_preset(v, &a->preset)) {
          fprintf(stderr, "%s: --preset takes 'secure' or 'fast', not '%s'\n", who, v);
          return CLI_EXIT_USAGE;
        }
      } else if (!cli_parse_u64(v, 0, 4096, &a->threads)) {
        fprintf(stderr, "%s: --threads takes an integer from 0 to 4096, not '%s'\n", who, v);
        return CLI_EXIT_USAGE;
      }
    } else if (is_prove && strcmp(s, "--no-zk") == 0) {
      a->no_zk = 1;
    } else if (strcmp(s, "--json") == 0) {
      a->json = 1;
    } else if (is_prove && strcmp(s, "--quiet") == 0) {
      a->quiet = 1;
    } else if (s[0] == '-' && s[1] != '\0') {
      fprintf(stderr, "%s: unknown option '%s'\n%s", who, s, synopsis);
      return CLI_EXIT_USAGE;
    } else if (a->n_positional == want) {
      fprintf(stderr, "%s: unexpected argument '%s'\n%s", who, s, synopsis);
      return CLI_EXIT_USAGE;
    } else {
      a->positional[a->n_positional++] = s;
    }
  }
  if (a->n_positional < want) {
    fprintf(stderr, "%s: missing %s\n%s", who, a->n_positional == 0 ? "NAME" : "FILE", synopsis);
    return CLI_EXIT_USAGE;
  }
  if (is_prove && a->output == NULL) {
    fprintf(stderr, "%s: missing -o FILE\n%s", who, synopsis);
    return CLI_EXIT_USAGE;
  }
  if (find_toy(a->positional[0]) < 0) {
    fprintf(stderr, "%s: unknown toy '%s' (fibonacci, range-check or bus)\n", who,
            a->positional[0]);
    return CLI_EXIT_USAGE;
  }
  return -1;
}

static int cmd_prove(int argc, char **argv) {
  const char *who = "starkml toy prove";
  toy_args a;
  int rc = parse_args(&a, argc, argv, 1);
  if (rc >= 0) return rc;
  const int which = find_toy(a.positional[0]);
  const unsigned log_n = a.have_log_n ? (unsigned)a.log_n : toys[which].default_log_n;
  starkml_ctx *ctx = NULL;
  if ((rc = cli_make_ctx(who, &ctx, (int)a.threads, a.backend, a.device)) != 0) return rc;

  toy_instance x;
  uint8_t *proof = NULL;
  size_t proof_len = 0;
  sm_stark_options opt;
  sm_soundness_bits bits;
  double t_setup = 0, t_prove = 0;
  rc = CLI_EXIT_USAGE;
  starkml_status s = toy_build(&x, which, log_n);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: cannot build the toy %s with log-n %u: %s\n", who, toys[which].name,
            log_n, starkml_strerror(s));
    goto done;
  }
  s = sm_stark_options_preset(&opt, a.preset, &x.st, !a.no_zk);
  if (s == STARKML_OK) s = sm_stark_security(&bits, &x.st, &opt);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: no %s options for this statement: %s\n", who,
            cli_preset_name(a.preset), starkml_strerror(s));
    goto done;
  }
  uint8_t seed[SM_PRG_SEED_LEN];
  if (a.have_seed) cli_seed_from_u64(seed, a.seed);
  double t0 = cli_now();
  s = sm_stark_setup(ctx, &x.pre_root, &x.st, &x.w, &opt);
  double t1 = cli_now();
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: setup failed: %s\n", who, starkml_strerror(s));
    goto done;
  }
  s = sm_stark_prove(ctx, &proof, &proof_len, &x.st, &x.w, &opt, a.have_seed ? seed : NULL);
  double t2 = cli_now();
  t_setup = t1 - t0;
  t_prove = t2 - t1;
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: proving failed: %s\n", who, starkml_strerror(s));
    goto done;
  }
  if ((rc = cli_write_file(who, a.output, proof, proof_len)) != 0) goto done;
  rc = CLI_EXIT_OK;
  if (a.quiet) goto done;
  if (a.json) {
    printf("{\"command\": \"toy prove\", ");
    json_statement(stdout, which, log_n, &x);
    printf(", \"options\": ");
    cli_json_options(stdout, &opt);
    printf(", \"seed\": ");
    if (a.have_seed)
      printf("%llu", (unsigned long long)a.seed);
    else
      printf("null");
    printf(", \"proof_file\": ");
    cli_json_str(stdout, a.output);
    printf(", \"proof_bytes\": %zu, \"setup_seconds\": %.6f, \"prove_seconds\": %.6f, "
           "\"threads\": %d, \"security\": ",
           proof_len, t_setup, t_prove, starkml_ctx_threads(ctx));
    cli_json_security(stdout, &bits);
    printf("}\n");
  } else {
    print_statement(stdout, which, log_n, &x);
    printf("options    ");
    cli_print_options(stdout, &opt);
    printf("\nproof      %zu bytes, written to %s\n", proof_len, a.output);
    printf("time       setup %.3f s, prove %.3f s (%d threads)%s\n", t_setup, t_prove,
           starkml_ctx_threads(ctx), a.have_seed ? ", deterministic (--seed)" : "");
    printf("security   ");
    cli_print_security(stdout, &bits);
    printf("\n");
  }
done:
  free(proof);
  toy_free(&x);
  starkml_ctx_destroy(ctx);
  return rc;
}

static int cmd_verify(int argc, char **argv) {
  const char *who = "starkml toy verify";
  toy_args a;
  int rc = parse_args(&a, argc, argv, 0);
  if (rc >= 0) return rc;
  const int which = find_toy(a.positional[0]);
  const unsigned log_n = a.have_log_n ? (unsigned)a.log_n : toys[which].default_log_n;
  const char *path = a.positional[1];
  uint8_t *proof = NULL;
  size_t len = 0;
  if ((rc = cli_read_file(who, path, SM_STARK_MAX_PROOF_BYTES, &proof, &len)) != 0) return rc;
  starkml_ctx *ctx = NULL;
  if ((rc = cli_make_ctx(who, &ctx, (int)a.threads, NULL, NULL)) != 0) {
    free(proof);
    return rc;
  }
  toy_instance x;
  rc = CLI_EXIT_USAGE;
  starkml_status s = toy_build(&x, which, log_n);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: cannot build the toy %s with log-n %u: %s\n", who, toys[which].name,
            log_n, starkml_strerror(s));
    goto done;
  }
  /* The preprocessed commitment over the domain the header's options fix. When the
     framing does not parse, the verifier below says why; its statement then gets the
     floor's own options (any root does: such a proof is refused before it is read). */
  sm_stark_info info;
  sm_stark_options setup_opt;
  if (sm_stark_inspect(&info, proof, len) == STARKML_OK) {
    setup_opt = info.options;
  } else if (sm_stark_options_preset(&setup_opt, a.preset, &x.st, 1) != STARKML_OK) {
    fprintf(stderr, "%s: no %s options for this statement\n", who, cli_preset_name(a.preset));
    goto done;
  }
  s = sm_stark_setup(ctx, &x.pre_root, &x.st, &x.w, &setup_opt);
  if (s == STARKML_ERR_NOMEM) {
    fprintf(stderr, "%s: setup: %s\n", who, starkml_strerror(s));
    goto done;
  }
  /* Other setup failures (options that do not fit this statement) leave a zero root; the
     verifier rejects such options itself. */
  sm_stark_reject why = SM_REJ_NONE;
  double tv0 = cli_now();
  s = sm_stark_verify(ctx, &why, &x.st, a.preset, 0, proof, len);
  double verify_ms = 1e3 * (cli_now() - tv0);
  if (s == STARKML_OK || s == STARKML_REJECT) {
    sm_soundness_bits bits;
    int have_bits = s == STARKML_OK && sm_stark_security(&bits, &x.st, &info.options) == STARKML_OK;
    rc = s == STARKML_OK ? CLI_EXIT_OK : CLI_EXIT_CHECK;
    if (a.json) {
      printf("{\"command\": \"toy verify\", \"file\": ");
      cli_json_str(stdout, path);
      printf(", ");
      json_statement(stdout, which, log_n, &x);
      printf(", \"floor\": \"%s\", \"result\": \"%s\", \"verify_ms\": %.3f",
             cli_preset_name(a.preset), s == STARKML_OK ? "accepted" : "rejected", verify_ms);
      if (s == STARKML_OK) {
        printf(", \"options\": ");
        cli_json_options(stdout, &info.options);
      } else {
        printf(", \"reason\": ");
        cli_json_str(stdout, sm_stark_reject_str(why));
      }
      if (have_bits) {
        printf(", \"security\": ");
        cli_json_security(stdout, &bits);
      }
      printf("}\n");
    } else if (s == STARKML_OK) {
      printf("accepted   toy %s, log-n %u, %s floor\n", toys[which].name, log_n,
             cli_preset_name(a.preset));
      printf("options    ");
      cli_print_options(stdout, &info.options);
      printf("\n");
      if (have_bits) {
        printf("security   ");
        cli_print_security(stdout, &bits);
        printf("\n");
      }
      printf("time       verify %.2f ms\n", verify_ms);
    } else {
      printf("rejected: %s\n", sm_stark_reject_str(why));
    }
  } else if (s == STARKML_ERR_PARSE) {
    fprintf(stderr, "%s: %s: %s\n", who, path, cli_proof_problem(proof, len));
  } else {
    fprintf(stderr, "%s: %s\n", who, starkml_strerror(s));
    rc = s == STARKML_ERR_INTERNAL ? CLI_EXIT_CHECK : CLI_EXIT_USAGE;
  }
done:
  toy_free(&x);
  free(proof);
  starkml_ctx_destroy(ctx);
  return rc;
}

int cli_cmd_toy(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "starkml toy: missing subcommand (prove or verify)\n%s%s", prove_synopsis,
            verify_synopsis);
    return CLI_EXIT_USAGE;
  }
  if (cli_is_help(argv[1])) {
    toy_usage(stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(argv[1], "prove") == 0) return cmd_prove(argc - 1, argv + 1);
  if (strcmp(argv[1], "verify") == 0) return cmd_verify(argc - 1, argv + 1);
  fprintf(stderr, "starkml toy: unknown subcommand '%s' (prove or verify)\n%s%s", argv[1],
          prove_synopsis, verify_synopsis);
  return CLI_EXIT_USAGE;
}
