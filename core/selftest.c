/*
 * starkml_selftest: checks this build against the known-answer vectors (the JSON files
 * under vectors/core/, as embedded at build time, or a directory given by the caller).
 * Each file has a checker that runs starkml's implementation on the recorded inputs and
 * compares every output.
 * A malformed vector counts as a failed case: an altered file can never pass silently.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/embedded.h"
#include "core/field.h"
#include "core/merkle.h"
#include "core/ntt.h"
#include "core/ser.h"
#include "core/sha3.h"
#include "core/transcript.h"

/* Per-file running tally; `what` names the case being checked for log lines. */
typedef struct {
  const starkml_ctx *ctx;
  const char *file;
  size_t passed, failed;
} tally;

static void fail(tally *t, size_t idx, const char *what, const char *detail) {
  t->failed++;
  sm_log(t->ctx, "FAIL %s case %zu (%s): %s", t->file, idx, what, detail);
}

static void verdict(tally *t, size_t idx, const char *what, int ok) {
  if (ok) t->passed++;
  else fail(t, idx, what, "output differs from the vector");
}

/* A decimal u64 held as a JSON string (an exponent, a nonce, a 128-bit half). */
static int get_u64(const json_t *j, uint64_t *out) {
  *out = 0;
  const char *s = json_string_value(j);
  if (s == NULL || *s == '\0' || strlen(s) > 20) return 0;
  uint64_t v = 0;
  for (const char *c = s; *c; c++) {
    if (*c < '0' || *c > '9') return 0;
    uint64_t d = (uint64_t)(*c - '0');
    if (v > (UINT64_MAX - d) / 10) return 0;
    v = v * 10 + d;
  }
  *out = v;
  return 1;
}

/* A canonical field element: a decimal u64 below p. */
static int get_gl(const json_t *j, gl_t *out) {
  uint64_t v;
  *out = 0;
  if (!get_u64(j, &v) || v >= GL_P) return 0;
  *out = v;
  return 1;
}

static int get_gl3(const json_t *j, gl3_t *out) {
  memset(out, 0, sizeof *out);
  if (!json_is_array(j) || json_array_size(j) != 3) return 0;
  for (size_t k = 0; k < 3; k++)
    if (!get_gl(json_array_get(j, k), &out->v[k])) return 0;
  return 1;
}

/* Reads an array of field elements into a fresh buffer (caller frees); n_out = length. */
static gl_t *get_gl_array(const json_t *j, size_t *n_out) {
  *n_out = 0;
  if (!json_is_array(j)) return NULL;
  size_t n = json_array_size(j);
  gl_t *v = malloc((n ? n : 1) * sizeof *v);
  if (v == NULL) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (!get_gl(json_array_get(j, i), &v[i])) {
      free(v);
      return NULL;
    }
  }
  *n_out = n;
  return v;
}

static int get_int(const json_t *j, long long lo, long long hi, long long *out) {
  *out = 0;
  if (!json_is_integer(j)) return 0;
  long long v = json_integer_value(j);
  if (v < lo || v > hi) return 0;
  *out = v;
  return 1;
}

/* Compares a digest with a hex string from the vector. */
static int hex_eq(const json_t *j, const uint8_t *d, size_t n) {
  uint8_t buf[64];
  const char *s = json_string_value(j);
  if (s == NULL || n > sizeof buf || sm_hex_decode(buf, n, s) != STARKML_OK) return 0;
  return memcmp(buf, d, n) == 0;
}

/* ---- core/field.json -------------------------------------------------------------- */

static void check_field(tally *t, const json_t *doc) {
  const json_t *cases = json_object_get(doc, "cases");
  size_t i;
  const json_t *c;
  json_array_foreach(cases, i, c) {
    const char *op = json_string_value(json_object_get(c, "op"));
    const json_t *out = json_object_get(c, "out");
    if (op == NULL) {
      fail(t, i, "?", "case has no op");
      continue;
    }
    gl_t a, b, want;
    gl3_t x, y, want3;
    long long k;
    uint64_t e, lo, hi;
    if (strcmp(op, "add") == 0 || strcmp(op, "sub") == 0 || strcmp(op, "mul") == 0) {
      if (!get_gl(json_object_get(c, "a"), &a) || !get_gl(json_object_get(c, "b"), &b) ||
          !get_gl(out, &want)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      gl_t got = op[0] == 'a' ? gl_add(a, b) : op[0] == 's' ? gl_sub(a, b) : gl_mul(a, b);
      verdict(t, i, op, got == want);
    } else if (strcmp(op, "inv") == 0) {
      if (!get_gl(json_object_get(c, "a"), &a) || !get_gl(out, &want)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      verdict(t, i, op, gl_inv(a) == want);
    } else if (strcmp(op, "exp") == 0) {
      if (!get_gl(json_object_get(c, "a"), &a) || !get_u64(json_object_get(c, "e"), &e) ||
          !get_gl(out, &want)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      verdict(t, i, op, gl_exp(a, e) == want);
    } else if (strcmp(op, "reduce128") == 0) {
      if (!get_u64(json_object_get(c, "lo"), &lo) || !get_u64(json_object_get(c, "hi"), &hi) ||
          !get_gl(out, &want)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      verdict(t, i, op, gl_reduce128(lo, hi) == want);
    } else if (strcmp(op, "root_of_unity") == 0) {
      if (!get_int(json_object_get(c, "log_n"), 0, GL_TWO_ADICITY, &k) || !get_gl(out, &want)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      verdict(t, i, op, gl_root_of_unity((unsigned)k) == want);
    } else if (strcmp(op, "ext3_mul") == 0) {
      if (!get_gl3(json_object_get(c, "a"), &x) || !get_gl3(json_object_get(c, "b"), &y) ||
          !get_gl3(out, &want3)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      verdict(t, i, op, gl3_eq(gl3_mul(x, y), want3));
    } else if (strcmp(op, "ext3_inv") == 0 || strcmp(op, "ext3_frobenius") == 0) {
      if (!get_gl3(json_object_get(c, "a"), &x) || !get_gl3(out, &want3)) {
        fail(t, i, op, "malformed case");
        continue;
      }
      gl3_t got = op[5] == 'i' ? sm_gl3_inv(x) : gl3_frobenius(x);
      verdict(t, i, op, gl3_eq(got, want3));
    } else {
      fail(t, i, op, "unknown op");
    }
  }
}

/* ---- core/ntt.json ---------------------------------------------------------------- */

static void check_ntt(tally *t, const json_t *doc) {
  sm_ntt_plan *plan = NULL;
  if (sm_ntt_plan_create(&plan, 12, t->ctx->threads) != STARKML_OK) {
    fail(t, 0, "plan", "cannot create an NTT plan");
    return;
  }
  const json_t *cases = json_object_get(doc, "cases");
  size_t i;
  const json_t *c;
  json_array_foreach(cases, i, c) {
    const char *op = json_string_value(json_object_get(c, "op"));
    if (op == NULL) op = "?";
    long long log_n, log_b = 0;
    size_t n_in, n_out;
    gl_t shift = 0;
    gl_t *in = get_gl_array(json_object_get(c, "in"), &n_in);
    gl_t *want = get_gl_array(json_object_get(c, "out"), &n_out);
    int lde = strcmp(op, "lde") == 0;
    int ok_shape = in != NULL && want != NULL &&
                   get_int(json_object_get(c, "log_n"), 0, 10, &log_n) &&
                   n_in == ((size_t)1 << log_n);
    if (ok_shape && lde)
      ok_shape = get_int(json_object_get(c, "log_blowup"), 0, 12 - log_n, &log_b) &&
                 get_gl(json_object_get(c, "shift"), &shift);
    if (ok_shape) ok_shape = n_out == (n_in << log_b);
    if (!ok_shape || (!lde && strcmp(op, "forward") != 0 && strcmp(op, "inverse") != 0)) {
      fail(t, i, op, "malformed case");
      free(in);
      free(want);
      continue;
    }
    gl_t *got = malloc(n_out * sizeof *got);
    starkml_status st = STARKML_ERR_NOMEM;
    if (got != NULL) {
      if (lde) {
        st = sm_lde(plan, got, n_out, in, n_in, 1, (unsigned)log_n, (unsigned)log_b, shift);
      } else {
        memcpy(got, in, n_in * sizeof *got);
        st = op[0] == 'f' ? sm_ntt_forward(plan, got, 1, n_in, (unsigned)log_n,
                                           SM_ORDER_NATURAL, SM_ORDER_NATURAL)
                          : sm_ntt_inverse(plan, got, 1, n_in, (unsigned)log_n,
                                           SM_ORDER_NATURAL, SM_ORDER_NATURAL);
      }
    }
    if (st != STARKML_OK) fail(t, i, op, starkml_strerror(st));
    else verdict(t, i, op, memcmp(got, want, n_out * sizeof *got) == 0);
    free(got);
    free(in);
    free(want);
  }
  sm_ntt_plan_free(plan);
}

/* ---- core/sha3.json --------------------------------------------------------------- */

static void check_sha3(tally *t, const json_t *doc) {
  const json_t *cases = json_object_get(doc, "cases");
  size_t i;
  const json_t *c;
  json_array_foreach(cases, i, c) {
    const json_t *hex = json_object_get(c, "msg_hex");
    long long len = 0, fill = 0;
    uint8_t *msg = NULL;
    if (hex != NULL) {
      const char *s = json_string_value(hex);
      size_t n = s ? strlen(s) / 2 : 0;
      msg = malloc(n + 1);
      if (s == NULL || msg == NULL || sm_hex_decode(msg, n, s) != STARKML_OK) {
        free(msg);
        fail(t, i, "sha3", "malformed case");
        continue;
      }
      len = (long long)n;
    } else if (get_int(json_object_get(c, "len"), 0, 1 << 24, &len)) {
      msg = malloc((size_t)len + 1);
      const json_t *f = json_object_get(c, "fill");
      const char *pat = json_string_value(json_object_get(c, "pattern"));
      int ok = msg != NULL;
      if (ok && f != NULL && get_int(f, 0, 255, &fill)) memset(msg, (int)fill, (size_t)len);
      else if (ok && pat != NULL && strcmp(pat, "i mod 251") == 0)
        for (long long k = 0; k < len; k++) msg[k] = (uint8_t)(k % 251);
      else ok = 0;
      if (!ok) {
        free(msg);
        fail(t, i, "sha3", "malformed case");
        continue;
      }
    } else {
      fail(t, i, "sha3", "malformed case");
      continue;
    }
    uint8_t d[SM_SHA3_256_LEN];
    sm_sha3_256(d, msg, (size_t)len);
    verdict(t, i, "sha3", hex_eq(json_object_get(c, "digest"), d, sizeof d));
    free(msg);
  }
}

/* ---- core/merkle.json ------------------------------------------------------------- */

static void check_merkle_case(tally *t, size_t i, const json_t *c) {
  long long rows, width, salt_len;
  if (!get_int(json_object_get(c, "rows"), 1, 1 << 16, &rows) ||
      !get_int(json_object_get(c, "width"), 1, 1024, &width) ||
      !get_int(json_object_get(c, "salt_len"), 0, 64, &salt_len)) {
    fail(t, i, "merkle", "malformed case");
    return;
  }
  const json_t *cols = json_object_get(c, "columns");
  const json_t *salts_j = json_object_get(c, "salts");
  const json_t *paths = json_object_get(c, "paths");
  gl_t *m = malloc((size_t)(rows * width) * sizeof *m);
  uint8_t *salts = malloc((size_t)(rows * salt_len) + 1);
  sm_digest *path = malloc(64 * sizeof *path);
  int ok = m != NULL && salts != NULL && path != NULL && json_is_array(cols) &&
           json_array_size(cols) == (size_t)width && json_is_array(paths) &&
           json_is_array(salts_j) && json_array_size(salts_j) == (salt_len ? (size_t)rows : 0);
  for (long long col = 0; ok && col < width; col++) {
    size_t n;
    gl_t *v = get_gl_array(json_array_get(cols, (size_t)col), &n);
    ok = v != NULL && n == (size_t)rows;
    if (ok) memcpy(m + col * rows, v, n * sizeof *v);
    free(v);
  }
  for (long long r = 0; ok && salt_len && r < rows; r++) {
    const char *s = json_string_value(json_array_get(salts_j, (size_t)r));
    ok = s != NULL &&
         sm_hex_decode(salts + r * salt_len, (size_t)salt_len, s) == STARKML_OK;
  }
  if (!ok) {
    fail(t, i, "merkle", "malformed case");
    goto out;
  }
  sm_merkle_tree tree;
  starkml_status st = sm_merkle_commit(&tree, m, (size_t)rows, (size_t)width, (size_t)rows,
                                       salt_len ? salts : NULL, (size_t)salt_len,
                                       t->ctx->threads);
  if (st != STARKML_OK) {
    fail(t, i, "merkle commit", starkml_strerror(st));
    goto out;
  }
  int good = hex_eq(json_object_get(c, "root"), sm_merkle_root(&tree)->b, SM_DIGEST_LEN);
  size_t k;
  const json_t *pj;
  json_array_foreach(paths, k, pj) {
    long long idx;
    const json_t *pv = json_object_get(pj, "path");
    if (!get_int(json_object_get(pj, "index"), 0, rows - 1, &idx) || !json_is_array(pv) ||
        json_array_size(pv) != tree.log_n ||
        sm_merkle_path(&tree, path, (size_t)idx) != STARKML_OK) {
      good = 0;
      continue;
    }
    const sm_digest *leaf = &tree.nodes[tree.n_leaves - 1 + (size_t)idx];
    good &= hex_eq(json_object_get(pj, "leaf"), leaf->b, SM_DIGEST_LEN);
    for (unsigned l = 0; l < tree.log_n; l++)
      good &= hex_eq(json_array_get(pv, l), path[l].b, SM_DIGEST_LEN);
    good &= sm_merkle_verify(sm_merkle_root(&tree), tree.log_n, (size_t)idx, leaf, path) ==
            STARKML_OK;
  }
  verdict(t, i, "merkle", good && json_array_size(paths) == (size_t)rows);
  sm_merkle_tree_free(&tree);
out:
  free(m);
  free(salts);
  free(path);
}

static void check_merkle(tally *t, const json_t *doc) {
  const json_t *cases = json_object_get(doc, "cases");
  size_t i;
  const json_t *c;
  json_array_foreach(cases, i, c) check_merkle_case(t, i, c);
}

/* ---- core/transcript.json --------------------------------------------------------- */

/* Runs one script; returns 1 when every recorded output matches. */
static int run_script(tally *t, const json_t *script) {
  const char *domain = json_string_value(json_object_get(script, "domain"));
  const json_t *ops = json_object_get(script, "ops");
  if (domain == NULL || !json_is_array(ops) || json_array_size(ops) == 0) return 0;
  sm_transcript tr;
  sm_tr_init(&tr, domain);
  int good = 1;
  size_t k;
  const json_t *op;
  json_array_foreach(ops, k, op) {
    const char *name = json_string_value(json_object_get(op, "op"));
    const char *label = json_string_value(json_object_get(op, "label"));
    const json_t *out = json_object_get(op, "out");
    if (name == NULL) {
      good = 0;
      break;
    }
    if (strcmp(name, "state") == 0) {
      good &= hex_eq(out, tr.state, sizeof tr.state);
    } else if (strcmp(name, "absorb") == 0 && label != NULL) {
      const char *hex = json_string_value(json_object_get(op, "data_hex"));
      size_t n = hex ? strlen(hex) / 2 : 0;
      uint8_t *data = malloc(n + 1);
      if (hex == NULL || data == NULL || sm_hex_decode(data, n, hex) != STARKML_OK) good = 0;
      else sm_tr_absorb(&tr, label, data, n);
      free(data);
    } else if (strcmp(name, "challenge_gl") == 0 && label != NULL) {
      gl_t want;
      good &= get_gl(out, &want) && sm_tr_challenge_gl(&tr, label) == want;
    } else if (strcmp(name, "challenge_gl3") == 0 && label != NULL) {
      gl3_t want;
      good &= get_gl3(out, &want) && gl3_eq(sm_tr_challenge_gl3(&tr, label), want);
    } else if (strcmp(name, "indices") == 0 && label != NULL) {
      long long log_n;
      size_t idx[64];
      size_t n = json_array_size(out);
      if (!get_int(json_object_get(op, "log_n"), 0, 63, &log_n) || n == 0 || n > 64) {
        good = 0;
        break;
      }
      sm_tr_challenge_indices(&tr, label, idx, n, (unsigned)log_n);
      for (size_t q = 0; q < n; q++) {
        uint64_t want;
        good &= get_u64(json_array_get(out, q), &want) && (uint64_t)idx[q] == want;
      }
    } else if (strcmp(name, "grind") == 0) {
      long long bits;
      uint64_t want, nonce = 0;
      if (!get_int(json_object_get(op, "bits"), 0, 24, &bits) ||
          !get_u64(json_object_get(op, "nonce"), &want)) {
        good = 0;
        break;
      }
      sm_transcript copy = tr;
      copy.log = NULL;
      copy.annotate = 0;
      good &= sm_tr_check_pow(&copy, (unsigned)bits, want) == STARKML_OK;
      good &= sm_tr_grind(&tr, &nonce, (unsigned)bits, t->ctx->threads) == STARKML_OK &&
              nonce == want;
    } else {
      good = 0;
      break;
    }
  }
  sm_tr_free(&tr);
  return good;
}

static void check_transcript(tally *t, const json_t *doc) {
  const json_t *scripts = json_object_get(doc, "scripts");
  size_t i;
  const json_t *s;
  json_array_foreach(scripts, i, s) verdict(t, i, "transcript script", run_script(t, s));
}

/* ---- driver ----------------------------------------------------------------------- */

typedef void (*checker_fn)(tally *t, const json_t *doc);

static const struct {
  const char *name;
  checker_fn fn;
} checkers[] = {
    {"core/field.json", check_field},   {"core/ntt.json", check_ntt},
    {"core/sha3.json", check_sha3},     {"core/merkle.json", check_merkle},
    {"core/transcript.json", check_transcript},
};

#define SM_MAX_VECTOR_FILE (64u << 20) /* refuse to read anything larger */

static starkml_status load_doc(const starkml_ctx *ctx, const char *dir, const char *name,
                               json_t **doc) {
  *doc = NULL;
  json_error_t err;
  if (dir == NULL) {
    for (size_t i = 0; i < sm_embedded_vectors_count; i++) {
      if (strcmp(sm_embedded_vectors[i].name, name) == 0) {
        *doc = json_loadb((const char *)sm_embedded_vectors[i].data, sm_embedded_vectors[i].len,
                          JSON_REJECT_DUPLICATES, &err);
        if (*doc == NULL) {
          sm_log(ctx, "FAIL %s: embedded copy is not valid JSON (line %d: %s)", name, err.line,
                 err.text);
          return STARKML_ERR_PARSE;
        }
        return STARKML_OK;
      }
    }
    sm_log(ctx, "FAIL %s: not embedded in this build", name);
    return STARKML_ERR_INTERNAL;
  }
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
    sm_log(ctx, "FAIL %s: path too long", name);
    return STARKML_ERR_ARG;
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    sm_log(ctx, "FAIL %s: cannot open %s", name, path);
    return STARKML_ERR_IO;
  }
  char *buf = malloc(SM_MAX_VECTOR_FILE + 1);
  size_t n = buf ? fread(buf, 1, SM_MAX_VECTOR_FILE + 1, f) : 0;
  int read_err = ferror(f);
  fclose(f);
  if (buf == NULL) return STARKML_ERR_NOMEM;
  if (read_err || n > SM_MAX_VECTOR_FILE) {
    free(buf);
    sm_log(ctx, "FAIL %s: %s", name, read_err ? "read error" : "file too large");
    return read_err ? STARKML_ERR_IO : STARKML_ERR_PARSE;
  }
  *doc = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
  free(buf);
  if (*doc == NULL) {
    sm_log(ctx, "FAIL %s: not valid JSON (line %d: %s)", name, err.line, err.text);
    return STARKML_ERR_PARSE;
  }
  return STARKML_OK;
}

starkml_status starkml_selftest(const starkml_ctx *ctx, starkml_selftest_file *results,
                                size_t results_cap, size_t *n_results, const char *vectors_dir) {
  if (n_results != NULL) *n_results = 0;
  if (results != NULL && results_cap > 0) memset(results, 0, results_cap * sizeof *results);
  if (ctx == NULL || n_results == NULL || (results == NULL && results_cap > 0))
    return STARKML_ERR_ARG;
  starkml_status worst = STARKML_OK;
  const size_t n_files = sizeof checkers / sizeof checkers[0];
  for (size_t f = 0; f < n_files; f++) {
    tally t = {ctx, checkers[f].name, 0, 0};
    json_t *doc = NULL;
    starkml_status st = load_doc(ctx, vectors_dir, checkers[f].name, &doc);
    if (st == STARKML_OK) {
      checkers[f].fn(&t, doc);
      json_decref(doc);
      if (t.passed + t.failed == 0) fail(&t, 0, "file", "no cases");
      if (t.failed > 0 && worst == STARKML_OK) worst = STARKML_REJECT;
    } else {
      t.failed = 1;
      if (worst == STARKML_OK || worst == STARKML_REJECT) worst = st;
    }
    if (f < results_cap) {
      snprintf(results[f].file, sizeof results[f].file, "%s", t.file);
      results[f].passed = t.passed;
      results[f].failed = t.failed;
    }
  }
  *n_results = n_files;
  return worst;
}
