/* Helpers shared by the commands of the `starkml` tool (see host/cli.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/ser.h"
#include "core/sha3.h"
#include "host/cli.h"

int cli_is_help(const char *s) { return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0; }

int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
  if (s == NULL || *s < '0' || *s > '9') return 0; /* strtoull would accept "-1" and " 1" */
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0 || *end != '\0' || v < lo || v > hi) return 0;
  *out = (uint64_t)v;
  return 1;
}

int cli_parse_preset(const char *s, sm_preset *out) {
  if (strcmp(s, "secure") == 0) {
    *out = SM_PRESET_SECURE;
    return 1;
  }
  if (strcmp(s, "fast") == 0) {
    *out = SM_PRESET_FAST;
    return 1;
  }
  return 0;
}

const char *cli_preset_name(uint32_t preset) {
  return preset == SM_PRESET_SECURE ? "secure" : preset == SM_PRESET_FAST ? "fast" : "unknown";
}

void cli_log_stderr(void *user, const char *line) {
  (void)user;
  fprintf(stderr, "%s\n", line);
}

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_read_file(const char *who, const char *path, size_t max_len, uint8_t **data,
                  size_t *len) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) {
      fprintf(stderr, "%s: %s: is a directory\n", who, path);
      fclose(f);
      return CLI_EXIT_USAGE;
    }
    if (S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > (uintmax_t)max_len) {
      fprintf(stderr, "%s: %s: refusing a file of %jd bytes (the largest valid file is %zu bytes)\n",
              who, path, (intmax_t)sb.st_size, max_len);
      fclose(f);
      return CLI_EXIT_USAGE;
    }
  }
  /* Read in growing chunks up to max_len + 1 bytes: the size of a pipe is not known
     beforehand, and one byte past the cap proves the file too large. */
  size_t cap = 0, n = 0;
  uint8_t *buf = NULL;
  int err = 0;
  for (;;) {
    if (n == cap) {
      if (cap > max_len) break;
      size_t next = cap == 0 ? 65536 : cap * 2;
      if (next > max_len + 1) next = max_len + 1;
      uint8_t *nb = realloc(buf, next);
      if (nb == NULL) {
        err = ENOMEM;
        break;
      }
      buf = nb;
      cap = next;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) err = errno ? errno : EIO;
      break;
    }
  }
  fclose(f);
  if (err != 0) {
    fprintf(stderr, "%s: %s: %s\n", who, path, strerror(err));
    free(buf);
    return CLI_EXIT_USAGE;
  }
  if (n > max_len) {
    fprintf(stderr, "%s: %s: refusing a file of more than %zu bytes (the largest valid file)\n",
            who, path, max_len);
    free(buf);
    return CLI_EXIT_USAGE;
  }
  if (buf == NULL) buf = malloc(1);
  if (buf == NULL) {
    fprintf(stderr, "%s: %s: %s\n", who, path, strerror(ENOMEM));
    return CLI_EXIT_USAGE;
  }
  *data = buf;
  *len = n;
  return 0;
}

int cli_write_file(const char *who, const char *path, const uint8_t *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) {
    fprintf(stderr, "%s: %s: %s\n", who, path, strerror(errno));
    return CLI_EXIT_USAGE;
  }
  int ok = fwrite(data, 1, len, f) == len;
  int e = errno;
  if (fclose(f) != 0 && ok) {
    ok = 0;
    e = errno;
  }
  if (!ok) {
    fprintf(stderr, "%s: %s: %s\n", who, path, strerror(e ? e : EIO));
    remove(path);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

void cli_json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(f, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(f, "\\u%04x", *p);
    else
      fputc(*p, f);
  }
  fputc('"', f);
}

void cli_print_options(FILE *f, const sm_stark_options *o) {
  fprintf(f,
          "preset %s, zk %s, blowup 2^%u, %u queries, grinding %u bits, fold arity 2^%u, "
          "final degree < 2^%u",
          cli_preset_name(o->preset), o->zk ? "on" : "off", o->log_blowup, o->n_queries,
          o->grinding_bits, o->log_arity, o->log_final_degree);
}

void cli_json_options(FILE *f, const sm_stark_options *o) {
  fprintf(f,
          "{\"preset\": \"%s\", \"zk\": %s, \"log_blowup\": %u, \"queries\": %u, "
          "\"grinding_bits\": %u, \"log_arity\": %u, \"log_final_degree\": %u}",
          cli_preset_name(o->preset), o->zk ? "true" : "false", o->log_blowup, o->n_queries,
          o->grinding_bits, o->log_arity, o->log_final_degree);
}

void cli_print_security(FILE *f, const sm_soundness_bits *b) {
  fprintf(f, "provable %u bits, conjectured %u bits, unique decoding %u bits", b->provable_bits,
          b->conjectured_bits, b->unique_decoding_bits);
}

void cli_json_security(FILE *f, const sm_soundness_bits *b) {
  fprintf(f,
          "{\"provable_bits\": %u, \"conjectured_bits\": %u, \"unique_decoding_bits\": %u, "
          "\"best_m\": %u}",
          b->provable_bits, b->conjectured_bits, b->unique_decoding_bits, b->best_m);
}

/* ---- helpers of the zkML commands ---------------------------------------------------- */

static const cli_opt *find_opt(const cli_opt *opts, size_t n, const char *s) {
  for (size_t k = 0; k < n; k++)
    if (strcmp(s, opts[k].name) == 0 || (opts[k].alias != NULL && strcmp(s, opts[k].alias) == 0))
      return &opts[k];
  return NULL;
}

int cli_parse_opts(const char *who, const char *synopsis, void (*usage)(FILE *), int argc,
                   char **argv, const cli_opt *opts, size_t n_opts, const char **pos,
                   int max_pos, int *n_pos) {
  *n_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (cli_is_help(s)) {
      usage(stdout);
      return CLI_EXIT_OK;
    }
    if (s[0] != '-' || s[1] == '\0') {
      if (*n_pos >= max_pos) {
        fprintf(stderr, "%s: unexpected argument '%s'\n%s", who, s, synopsis);
        return CLI_EXIT_USAGE;
      }
      pos[(*n_pos)++] = s;
      continue;
    }
    const cli_opt *o = find_opt(opts, n_opts, s);
    if (o == NULL) {
      fprintf(stderr, "%s: unknown option '%s'\n%s", who, s, synopsis);
      return CLI_EXIT_USAGE;
    }
    if (o->value != NULL) {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s: option '%s' needs a value\n%s", who, s, synopsis);
        return CLI_EXIT_USAGE;
      }
      *o->value = argv[++i];
    } else if (o->flag != NULL) {
      *o->flag = 1;
    }
  }
  return -1;
}

void cli_seed_from_u64(uint8_t out[32], uint64_t n) {
  static const char label[] = "starkml-cli-seed";
  uint8_t le[8];
  for (int i = 0; i < 8; i++) le[i] = (uint8_t)(n >> (8 * i));
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, label, sizeof label - 1);
  sm_sha3_256_update(&c, le, sizeof le);
  sm_sha3_256_final(&c, out);
}

/* Both directions are core/ser.h's hex codec (lower case out; either case in). */
void cli_hex(char *out, const uint8_t *data, size_t len) { sm_hex_encode(out, data, len); }

int cli_parse_hex(uint8_t *out, size_t len, const char *s) {
  return sm_hex_decode(out, len, s) == STARKML_OK;
}

void cli_json_double(FILE *f, double x) {
  if (x != x || x > 1.7976931348623157e308 || x < -1.7976931348623157e308) {
    fputs("null", f);
    return;
  }
  char buf[40];
  static const char *const fmts[] = {"%.15g", "%.16g", "%.17g"};
  for (int k = 0; k < 3; k++) {
    snprintf(buf, sizeof buf, fmts[k], x);
    if (k == 2 || strtod(buf, NULL) == x) break;
  }
  /* "%g" may print "1e+20" or "5": both are JSON numbers. */
  fputs(buf, f);
}

size_t cli_peek_magic(const char *path, uint8_t magic[4]) {
  memset(magic, 0, 4);
  /* Regular files only: opening a FIFO would block, and reading one would consume bytes
     that the caller's own read then misses. */
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  size_t n = fread(magic, 1, 4, f);
  fclose(f);
  return n;
}

const char *cli_visibility_name(uint32_t v) {
  return v == STARKML_INPUT_PUBLIC    ? "public"
         : v == STARKML_INPUT_HASHED  ? "hashed"
         : v == STARKML_INPUT_PRIVATE ? "private"
                                      : "unknown";
}

const char *cli_zkml_preset_name(uint32_t preset) {
  return preset == STARKML_PRESET_SECURE ? "secure"
         : preset == STARKML_PRESET_FAST ? "fast"
                                         : "unknown";
}

int cli_make_ctx(const char *who, starkml_ctx **ctx, int threads, const char *backend,
                 const char *device) {
  *ctx = NULL;
  uint64_t dev = 0;
  if (device != NULL && !cli_parse_u64(device, 0, 1023, &dev)) {
    fprintf(stderr, "%s: --device takes an index from 0 to 1023 (see `starkml devices`), not "
                    "'%s'\n", who, device);
    return CLI_EXIT_USAGE;
  }
  starkml_status s = starkml_ctx_create(ctx, threads);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: %s\n", who, starkml_strerror(s));
    return CLI_EXIT_USAGE;
  }
  starkml_ctx_set_log(*ctx, cli_log_stderr, NULL);
  if (backend == NULL && device == NULL) return 0;
  char why[512] = "";
  s = starkml_ctx_set_backend(*ctx, backend != NULL ? backend : "cpu", (int)dev, why, sizeof why);
  if (s != STARKML_OK) {
    fprintf(stderr, "%s: %s\n", who, why[0] ? why : starkml_strerror(s));
    starkml_ctx_destroy(*ctx);
    *ctx = NULL;
    return CLI_EXIT_USAGE;
  }
  return 0;
}
