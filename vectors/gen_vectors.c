/*
 * gen_vectors: writes the known-answer vectors in vectors/core/ (one JSON file per module).
 *
 * This program is an INDEPENDENT implementation of the specifications in the core headers: it
 * shares no code with libstarkml. Field arithmetic is OpenSSL BIGNUM modular arithmetic,
 * the NTT is a naive O(n^2) DFT over BIGNUM, and every hash is OpenSSL's EVP SHA3-256.
 * If starkml and this program agree, two implementations written from the same text
 * agree; the nightly job regenerates the files and fails on any byte of difference.
 *
 * Usage: gen_vectors OUTDIR   (writes the files field, ntt, sha3, merkle and transcript .json under OUTDIR/core)
 * Inputs are edge values and splitmix64 streams with the seeds written in each file.
 */
#include <errno.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define P_DEC "18446744069414584321"

static BN_CTX *bnctx;
static BIGNUM *P;

static void die(const char *what) {
  fprintf(stderr, "gen_vectors: %s\n", what);
  exit(1);
}

static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* ---- field via BIGNUM ------------------------------------------------------------- */

static BIGNUM *bn_u64(uint64_t v) {
  BIGNUM *b = BN_new();
  if (b == NULL || !BN_set_word(b, 0)) die("BN");
  for (int i = 7; i >= 0; i--) {
    if (!BN_lshift(b, b, 8) || !BN_add_word(b, (v >> (8 * i)) & 0xff)) die("BN");
  }
  return b;
}

static uint64_t u64_bn(const BIGNUM *b) {
  unsigned char buf[8] = {0};
  if (BN_num_bytes(b) > 8 || BN_bn2binpad(b, buf, 8) != 8) die("BN range");
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | buf[i];
  return v;
}

typedef enum { F_ADD, F_SUB, F_MUL } fop;

static uint64_t f_op(fop op, uint64_t a, uint64_t b) {
  BIGNUM *x = bn_u64(a), *y = bn_u64(b), *r = BN_new();
  int ok = op == F_ADD   ? BN_mod_add(r, x, y, P, bnctx)
           : op == F_SUB ? BN_mod_sub(r, x, y, P, bnctx)
                         : BN_mod_mul(r, x, y, P, bnctx);
  if (!ok) die("BN op");
  uint64_t v = u64_bn(r);
  BN_free(x), BN_free(y), BN_free(r);
  return v;
}
static uint64_t f_add(uint64_t a, uint64_t b) { return f_op(F_ADD, a, b); }
static uint64_t f_sub(uint64_t a, uint64_t b) { return f_op(F_SUB, a, b); }
static uint64_t f_mul(uint64_t a, uint64_t b) { return f_op(F_MUL, a, b); }

static uint64_t f_exp(uint64_t a, uint64_t e) {
  BIGNUM *x = bn_u64(a), *y = bn_u64(e), *r = BN_new();
  if (!BN_mod_exp(r, x, y, P, bnctx)) die("BN exp");
  uint64_t v = u64_bn(r);
  BN_free(x), BN_free(y), BN_free(r);
  return v;
}

static uint64_t f_inv(uint64_t a) {
  if (a == 0) return 0;
  BIGNUM *x = bn_u64(a), *r = BN_new();
  if (BN_mod_inverse(r, x, P, bnctx) == NULL) die("BN inv");
  uint64_t v = u64_bn(r);
  BN_free(x), BN_free(r);
  return v;
}

/* Reduces the 128-bit value hi * 2^64 + lo mod p. */
static uint64_t f_reduce128(uint64_t lo, uint64_t hi) {
  BIGNUM *h = bn_u64(hi), *l = bn_u64(lo), *r = BN_new();
  if (!BN_lshift(h, h, 64) || !BN_add(h, h, l) || !BN_nnmod(r, h, P, bnctx)) die("BN red");
  uint64_t v = u64_bn(r);
  BN_free(h), BN_free(l), BN_free(r);
  return v;
}

/* 2^k-th root of unity: 7^((p-1)/2^k). */
static uint64_t f_root(unsigned k) {
  BIGNUM *pm1 = BN_dup(P), *e = BN_new(), *g = bn_u64(7), *r = BN_new();
  if (!BN_sub_word(pm1, 1) || !BN_rshift(e, pm1, (int)k) || !BN_mod_exp(r, g, e, P, bnctx))
    die("BN root");
  uint64_t v = u64_bn(r);
  BN_free(pm1), BN_free(e), BN_free(g), BN_free(r);
  return v;
}

/* Cubic extension F_p[X]/(X^3 - 7): schoolbook product, then X^3 = 7, X^4 = 7X. */
typedef struct {
  uint64_t v[3];
} e3;

static e3 e3_mul(e3 a, e3 b) {
  uint64_t c[5] = {0};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) c[i + j] = f_add(c[i + j], f_mul(a.v[i], b.v[j]));
  e3 r = {{f_add(c[0], f_mul(7, c[3])), f_add(c[1], f_mul(7, c[4])), c[2]}};
  return r;
}

/* a^e for a 192-bit exponent given as a BIGNUM (square-and-multiply). */
static e3 e3_exp_bn(e3 a, const BIGNUM *e) {
  e3 r = {{1, 0, 0}};
  for (int i = BN_num_bits(e) - 1; i >= 0; i--) {
    r = e3_mul(r, r);
    if (BN_is_bit_set(e, i)) r = e3_mul(r, a);
  }
  return r;
}

static e3 e3_inv(e3 a) { /* a^(p^3 - 2) */
  BIGNUM *e = BN_new();
  if (!BN_mul(e, P, P, bnctx) || !BN_mul(e, e, P, bnctx) || !BN_sub_word(e, 2)) die("BN");
  e3 r = e3_exp_bn(a, e);
  BN_free(e);
  return r;
}

static e3 e3_frob(e3 a) { return e3_exp_bn(a, P); }

/* ---- JSON helpers ----------------------------------------------------------------- */

static json_t *jdec(uint64_t v) {
  char s[24];
  snprintf(s, sizeof s, "%llu", (unsigned long long)v);
  return json_string(s);
}

static json_t *jdec3(e3 a) {
  json_t *arr = json_array();
  for (int i = 0; i < 3; i++) json_array_append_new(arr, jdec(a.v[i]));
  return arr;
}

static json_t *jhex(const unsigned char *p, size_t n) {
  char *s = malloc(2 * n + 1);
  if (s == NULL) die("out of memory");
  for (size_t i = 0; i < n; i++) snprintf(s + 2 * i, 3, "%02x", p[i]);
  s[2 * n] = 0;
  json_t *j = json_string(s);
  free(s);
  return j;
}

static json_t *jarr_u64(const uint64_t *v, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(arr, jdec(v[i]));
  return arr;
}

static void write_json(const char *dir, const char *name, json_t *doc) {
  char path[4096];
  snprintf(path, sizeof path, "%s/core", dir);
  if (mkdir(path, 0777) != 0 && errno != EEXIST) die("cannot create OUTDIR/core");
  snprintf(path, sizeof path, "%s/core/%s", dir, name);
  if (json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) die(path);
  /* json_dump_file does not end with a newline; add one so the files are POSIX text. */
  FILE *f = fopen(path, "a");
  if (f == NULL || fputc('\n', f) == EOF || fclose(f) != 0) die(path);
  json_decref(doc);
}

/* ---- SHA3 via OpenSSL ------------------------------------------------------------- */

typedef struct {
  EVP_MD_CTX *md;
} sha;

static void sha_init(sha *h) {
  h->md = EVP_MD_CTX_new();
  if (h->md == NULL || !EVP_DigestInit_ex(h->md, EVP_sha3_256(), NULL)) die("EVP init");
}
static void sha_up(sha *h, const void *p, size_t n) {
  if (!EVP_DigestUpdate(h->md, p, n)) die("EVP update");
}
static void sha_le32(sha *h, uint32_t v) {
  unsigned char b[4];
  for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
  sha_up(h, b, 4);
}
static void sha_le64(sha *h, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
  sha_up(h, b, 8);
}
static void sha_final(sha *h, unsigned char out[32]) {
  unsigned int len = 0;
  if (!EVP_DigestFinal_ex(h->md, out, &len) || len != 32) die("EVP final");
  EVP_MD_CTX_free(h->md);
}

/* ---- core/field.json -------------------------------------------------------------- */

static void gen_field(const char *dir) {
  const uint64_t p = 0xFFFFFFFF00000001ULL;
  const uint64_t edge[] = {0, 1, 2, p - 1, p - 2, 0xFFFFFFFFULL, 0x100000000ULL,
                           0x8000000000000000ULL, 0xFFFFFFFEFFFFFFFFULL, 7};
  const size_t n_edge = sizeof edge / sizeof edge[0];
  const uint64_t seed0 = 1;
  uint64_t s = seed0;
  json_t *cases = json_array();
  /* Edge x edge for the binary operations, then random pairs. */
  uint64_t a[64], b[64];
  size_t n = 0;
  for (size_t i = 0; i < n_edge; i++) a[n] = edge[i], b[n] = edge[(i * 7 + 3) % n_edge], n++;
  while (n < 64) a[n] = splitmix64(&s) % p, b[n] = splitmix64(&s) % p, n++;
  for (size_t i = 0; i < n; i++) {
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o,s:o}", "op", "add", "a", jdec(a[i]),
                                           "b", jdec(b[i]), "out", jdec(f_add(a[i], b[i]))));
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o,s:o}", "op", "sub", "a", jdec(a[i]),
                                           "b", jdec(b[i]), "out", jdec(f_sub(a[i], b[i]))));
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o,s:o}", "op", "mul", "a", jdec(a[i]),
                                           "b", jdec(b[i]), "out", jdec(f_mul(a[i], b[i]))));
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o}", "op", "inv", "a", jdec(a[i]),
                                           "out", jdec(f_inv(a[i]))));
    uint64_t e = i < n_edge ? edge[(i + 1) % n_edge] : splitmix64(&s);
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o,s:o}", "op", "exp", "a", jdec(a[i]),
                                           "e", jdec(e), "out", jdec(f_exp(a[i], e))));
  }
  /* 128-bit reduction: structured (hi, lo) pairs that reach every carry and borrow branch. */
  const uint64_t red[][2] = {{0, 0},
                             {p, 0},
                             {~0ULL, ~0ULL},
                             {0, ~0ULL},
                             {~0ULL, 0},
                             {0, 0xFFFFFFFF00000000ULL},
                             {5, 0xFFFFFFFF00000000ULL},
                             {0xFFFFFFFFULL, 0xFFFFFFFFULL},
                             {~0ULL, 0xFFFFFFFFULL},
                             {p - 1, p - 1}};
  for (size_t i = 0; i < sizeof red / sizeof red[0]; i++) {
    json_array_append_new(cases,
                          json_pack("{s:s,s:o,s:o,s:o}", "op", "reduce128", "lo", jdec(red[i][0]),
                                    "hi", jdec(red[i][1]), "out",
                                    jdec(f_reduce128(red[i][0], red[i][1]))));
  }
  for (int i = 0; i < 16; i++) {
    uint64_t lo = splitmix64(&s), hi = splitmix64(&s);
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o,s:o}", "op", "reduce128", "lo",
                                           jdec(lo), "hi", jdec(hi), "out",
                                           jdec(f_reduce128(lo, hi))));
  }
  for (unsigned k = 0; k <= 32; k++) {
    json_array_append_new(cases, json_pack("{s:s,s:i,s:o}", "op", "root_of_unity", "log_n",
                                           (int)k, "out", jdec(f_root(k))));
  }
  for (int i = 0; i < 24; i++) {
    e3 x, y;
    for (int k = 0; k < 3; k++) x.v[k] = splitmix64(&s) % p, y.v[k] = splitmix64(&s) % p;
    if (i == 0) x = (e3){{p - 1, p - 1, p - 1}};
    if (i == 1) y = (e3){{0, 1, 0}}; /* multiplication by X */
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o,s:o}", "op", "ext3_mul", "a",
                                           jdec3(x), "b", jdec3(y), "out", jdec3(e3_mul(x, y))));
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o}", "op", "ext3_inv", "a", jdec3(x),
                                           "out", jdec3(e3_inv(x))));
    json_array_append_new(cases, json_pack("{s:s,s:o,s:o}", "op", "ext3_frobenius", "a",
                                           jdec3(x), "out", jdec3(e3_frob(x))));
  }
  json_t *doc = json_pack(
      "{s:s,s:s,s:I,s:o}", "description",
      "Goldilocks field F_p, p = 2^64 - 2^32 + 1, and the cubic extension F_p[X]/(X^3 - 7). "
      "Generated by vectors/gen_vectors.c with OpenSSL BIGNUM modular arithmetic (independent of "
      "starkml's field code). Inputs: edge values, then splitmix64 from the seed below reduced "
      "mod p. Elements are decimal strings; extension elements are [c0, c1, c2] for "
      "c0 + c1 X + c2 X^2. inv(0) is defined as 0. root_of_unity(k) = 7^((p-1)/2^k).",
      "p", P_DEC, "seed", (json_int_t)seed0, "cases", cases);
  write_json(dir, "field.json", doc);
}

/* ---- core/ntt.json ---------------------------------------------------------------- */

static size_t bitrev(size_t i, unsigned bits) {
  size_t r = 0;
  for (unsigned b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
  return r;
}

/* out[i] = sum_j in[j] * x_i^j with x_i = shift * w^i: a naive DFT on a coset. */
static void naive_eval(uint64_t *out, const uint64_t *coef, size_t n_coef, size_t n_out,
                       uint64_t w, uint64_t shift) {
  uint64_t x = shift;
  for (size_t i = 0; i < n_out; i++) {
    uint64_t acc = 0;
    for (size_t j = n_coef; j-- > 0;) acc = f_add(f_mul(acc, x), coef[j]);
    out[i] = acc;
    x = f_mul(x, w);
  }
}

static void gen_ntt(const char *dir) {
  const uint64_t p = 0xFFFFFFFF00000001ULL;
  const uint64_t seed0 = 2;
  uint64_t s = seed0;
  json_t *cases = json_array();
  uint64_t in[256], out[256], coef[256], tmp[256];
  for (unsigned log_n = 0; log_n <= 6; log_n++) {
    size_t n = (size_t)1 << log_n;
    for (size_t i = 0; i < n; i++) in[i] = splitmix64(&s) % p;
    if (log_n == 3) in[0] = p - 1, in[1] = 0, in[2] = 1;
    uint64_t w = f_root(log_n);
    naive_eval(out, in, n, n, w, 1);
    json_array_append_new(cases, json_pack("{s:s,s:i,s:o,s:o}", "op", "forward", "log_n",
                                           (int)log_n, "in", jarr_u64(in, n), "out",
                                           jarr_u64(out, n)));
    /* inverse: coefficients c_j = (1/n) sum_i y_i w^(-ij) */
    naive_eval(tmp, in, n, n, f_inv(w), 1);
    uint64_t ninv = f_inv(n % p);
    for (size_t i = 0; i < n; i++) out[i] = f_mul(tmp[i], ninv);
    json_array_append_new(cases, json_pack("{s:s,s:i,s:o,s:o}", "op", "inverse", "log_n",
                                           (int)log_n, "in", jarr_u64(in, n), "out",
                                           jarr_u64(out, n)));
  }
  /* LDE: interpolate natural-order evaluations on <w_n>, evaluate on shift * <w_N>,
     output in bit-reversed order. */
  const unsigned lde[][2] = {{0, 1}, {2, 1}, {3, 3}, {4, 2}, {5, 3}};
  const uint64_t shifts[] = {7, 7, 7, 0x123456789ULL, 7};
  for (size_t t = 0; t < sizeof lde / sizeof lde[0]; t++) {
    unsigned log_n = lde[t][0], log_b = lde[t][1];
    size_t n = (size_t)1 << log_n, N = n << log_b;
    for (size_t i = 0; i < n; i++) in[i] = splitmix64(&s) % p;
    uint64_t w = f_root(log_n);
    naive_eval(tmp, in, n, n, f_inv(w), 1);
    uint64_t ninv = f_inv(n % p);
    for (size_t i = 0; i < n; i++) coef[i] = f_mul(tmp[i], ninv);
    naive_eval(tmp, coef, n, N, f_root(log_n + log_b), shifts[t]);
    for (size_t i = 0; i < N; i++) out[i] = tmp[bitrev(i, log_n + log_b)];
    json_array_append_new(
        cases, json_pack("{s:s,s:i,s:i,s:o,s:o,s:o}", "op", "lde", "log_n", (int)log_n,
                         "log_blowup", (int)log_b, "shift", jdec(shifts[t]), "in",
                         jarr_u64(in, n), "out", jarr_u64(out, N)));
  }
  json_t *doc = json_pack(
      "{s:s,s:I,s:o}", "description",
      "NTT conventions of core/ntt.h. forward: out_i = sum_j in_j w^(ij), w = 7^((p-1)/n), "
      "natural order in and out; inverse: the inverse including 1/n, natural order; lde: "
      "in = evaluations on <w_n> (natural order), out_i = f(shift * w_N^bitrev(i)) for the "
      "interpolant f, N = n * 2^log_blowup (bit-reversed order). Generated by "
      "vectors/gen_vectors.c with a naive O(n^2) evaluation over OpenSSL BIGNUM; inputs are "
      "splitmix64 from the seed below reduced mod p (log_n = 3 starts with p-1, 0, 1).",
      "seed", (json_int_t)seed0, "cases", cases);
  write_json(dir, "ntt.json", doc);
}

/* ---- core/sha3.json --------------------------------------------------------------- */

static void gen_sha3(const char *dir) {
  json_t *cases = json_array();
  unsigned char d[32];
  /* FIPS 202 example values (NIST CSRC "SHA3-256" examples). */
  const char *nist[] = {"", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"};
  const char *nist_digest[] = {
      "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
      "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376"};
  for (int i = 0; i < 3; i++) {
    sha h;
    sha_init(&h);
    sha_up(&h, nist[i], strlen(nist[i]));
    sha_final(&h, d);
    json_t *hx = jhex(d, 32);
    if (strcmp(json_string_value(hx), nist_digest[i]) != 0) die("OpenSSL disagrees with FIPS 202");
    json_array_append_new(cases, json_pack("{s:o,s:o}", "msg_hex",
                                           jhex((const unsigned char *)nist[i], strlen(nist[i])),
                                           "digest", hx));
  }
  { /* 1600 bits of 0xa3 */
    unsigned char m[200];
    memset(m, 0xa3, sizeof m);
    sha h;
    sha_init(&h);
    sha_up(&h, m, sizeof m);
    sha_final(&h, d);
    json_t *hx = jhex(d, 32);
    if (strcmp(json_string_value(hx),
               "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787") != 0)
      die("OpenSSL disagrees with FIPS 202 (0xa3 x 200)");
    json_array_append_new(cases, json_pack("{s:i,s:i,s:o}", "len", 200, "fill", 0xa3,
                                           "digest", hx));
  }
  /* Pattern messages: byte i = i mod 251, lengths around the 136-byte rate. */
  const int lens[] = {0,   1,   7,   8,   63,  64,  135, 136, 137, 200,
                      271, 272, 273, 407, 408, 409, 1000, 4096, 65537};
  static unsigned char m[65537];
  for (size_t i = 0; i < sizeof m; i++) m[i] = (unsigned char)(i % 251);
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    sha h;
    sha_init(&h);
    sha_up(&h, m, (size_t)lens[i]);
    sha_final(&h, d);
    json_array_append_new(cases, json_pack("{s:i,s:s,s:o}", "len", lens[i], "pattern",
                                           "i mod 251", "digest", jhex(d, 32)));
  }
  json_t *doc = json_pack(
      "{s:s,s:o}", "description",
      "SHA3-256 (FIPS 202). msg_hex cases are the NIST FIPS 202 example messages with their "
      "published digests; {len, fill} is len bytes of fill (the NIST 1600-bit 0xa3 example); "
      "{len, pattern} is len bytes with byte i = i mod 251. Digests computed with OpenSSL's "
      "EVP SHA3-256 by vectors/gen_vectors.c, which also checks OpenSSL against the published "
      "NIST digests.",
      "cases", cases);
  write_json(dir, "sha3.json", doc);
}

/* ---- core/merkle.json ------------------------------------------------------------- */

static void leaf_hash(unsigned char out[32], const uint64_t *m, size_t rows, size_t width,
                      size_t r, const unsigned char *salt, size_t salt_len) {
  sha h;
  sha_init(&h);
  unsigned char tag = 0x00;
  sha_up(&h, &tag, 1);
  for (size_t c = 0; c < width; c++) sha_le64(&h, m[c * rows + r]);
  if (salt_len) sha_up(&h, salt, salt_len);
  sha_final(&h, out);
}

static void node_hash(unsigned char out[32], const unsigned char *l, const unsigned char *r) {
  sha h;
  sha_init(&h);
  unsigned char tag = 0x01;
  sha_up(&h, &tag, 1);
  sha_up(&h, l, 32);
  sha_up(&h, r, 32);
  sha_final(&h, out);
}

/* Root of leaves [lo, lo + n) of the level-0 digests. */
static void subtree_root(unsigned char out[32], unsigned char (*leaves)[32], size_t lo, size_t n) {
  if (n == 1) {
    memcpy(out, leaves[lo], 32);
    return;
  }
  unsigned char l[32], r[32];
  subtree_root(l, leaves, lo, n / 2);
  subtree_root(r, leaves, lo + n / 2, n / 2);
  node_hash(out, l, r);
}

static void gen_merkle(const char *dir) {
  const uint64_t p = 0xFFFFFFFF00000001ULL;
  const uint64_t seed0 = 3;
  uint64_t s = seed0;
  const size_t shapes[][3] = {{1, 1, 0}, {2, 1, 0}, {4, 3, 0}, {8, 2, 16}, {16, 5, 0}, {16, 4, 32}};
  json_t *cases = json_array();
  for (size_t t = 0; t < sizeof shapes / sizeof shapes[0]; t++) {
    size_t rows = shapes[t][0], width = shapes[t][1], salt_len = shapes[t][2];
    uint64_t m[16 * 5];
    unsigned char salts[16 * 32];
    unsigned char leaves[16][32];
    for (size_t i = 0; i < rows * width; i++) m[i] = splitmix64(&s) % p;
    if (t == 2) m[0] = p - 1;
    for (size_t i = 0; i < rows * salt_len; i++) salts[i] = (unsigned char)splitmix64(&s);
    for (size_t r = 0; r < rows; r++)
      leaf_hash(leaves[r], m, rows, width, r, salts + r * salt_len, salt_len);
    unsigned char root[32];
    subtree_root(root, leaves, 0, rows);
    json_t *columns = json_array();
    for (size_t c = 0; c < width; c++) json_array_append_new(columns, jarr_u64(m + c * rows, rows));
    json_t *salt_arr = json_array();
    for (size_t r = 0; r < rows && salt_len; r++)
      json_array_append_new(salt_arr, jhex(salts + r * salt_len, salt_len));
    json_t *paths = json_array();
    unsigned log_n = 0;
    while (((size_t)1 << log_n) < rows) log_n++;
    for (size_t idx = 0; idx < rows; idx++) {
      json_t *path = json_array();
      /* Siblings from the leaf level up: at level k the sibling subtree of idx. */
      for (unsigned k = 0; k < log_n; k++) {
        size_t size = (size_t)1 << k;
        size_t sib = ((idx >> k) ^ 1) << k;
        unsigned char sd[32];
        subtree_root(sd, leaves, sib, size);
        json_array_append_new(path, jhex(sd, 32));
      }
      json_array_append_new(paths, json_pack("{s:I,s:o,s:o}", "index", (json_int_t)idx, "leaf",
                                             jhex(leaves[idx], 32), "path", path));
    }
    json_array_append_new(cases, json_pack("{s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "rows",
                                           (json_int_t)rows, "width", (json_int_t)width,
                                           "salt_len", (json_int_t)salt_len, "columns", columns,
                                           "salts", salt_arr, "root", jhex(root, 32), "paths",
                                           paths));
  }
  json_t *doc = json_pack(
      "{s:s,s:I,s:o}", "description",
      "Merkle trees of core/merkle.h: leaf = SHA3-256(0x00 || LE64 row elements || salt), "
      "node = SHA3-256(0x01 || left || right); paths list siblings from the leaf level up. "
      "columns[c][r] is the matrix element of column c, row r. Generated by "
      "vectors/gen_vectors.c (recursive definition over OpenSSL's EVP SHA3-256); elements and "
      "salts from splitmix64 with the seed below.",
      "seed", (json_int_t)seed0, "cases", cases);
  write_json(dir, "merkle.json", doc);
}

/* ---- core/transcript.json --------------------------------------------------------- */

typedef struct {
  unsigned char s[32];
} tr;

static void tr_init(tr *t, const char *domain) {
  sha h;
  sha_init(&h);
  unsigned char tag = 0x10;
  sha_up(&h, &tag, 1);
  sha_le32(&h, (uint32_t)strlen(domain));
  sha_up(&h, domain, strlen(domain));
  sha_final(&h, t->s);
}

static void tr_absorb(tr *t, const char *label, const unsigned char *data, size_t n) {
  sha h;
  sha_init(&h);
  unsigned char tag = 0x11;
  sha_up(&h, &tag, 1);
  sha_up(&h, t->s, 32);
  sha_le32(&h, (uint32_t)strlen(label));
  sha_up(&h, label, strlen(label));
  sha_le64(&h, n);
  if (n) sha_up(&h, data, n);
  sha_final(&h, t->s);
}

static void tr_squeeze(tr *t, const char *label, uint64_t cand[4]) {
  sha h;
  sha_init(&h);
  unsigned char tag = 0x12;
  sha_up(&h, &tag, 1);
  sha_up(&h, t->s, 32);
  sha_le32(&h, (uint32_t)strlen(label));
  sha_up(&h, label, strlen(label));
  sha_final(&h, t->s);
  for (int k = 0; k < 4; k++) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | t->s[8 * k + i];
    cand[k] = v;
  }
}

/* Draws `count` base-field elements: candidates >= p are rejected. */
static void tr_field(tr *t, const char *label, uint64_t *out, size_t count) {
  size_t got = 0;
  while (got < count) {
    uint64_t c[4];
    tr_squeeze(t, label, c);
    for (int k = 0; k < 4 && got < count; k++)
      if (c[k] < 0xFFFFFFFF00000001ULL) out[got++] = c[k];
  }
}

static void tr_indices(tr *t, const char *label, uint64_t *out, size_t count, unsigned log_n) {
  size_t got = 0;
  uint64_t mask = log_n == 64 ? ~0ULL : (((uint64_t)1 << log_n) - 1);
  while (got < count) {
    uint64_t c[4];
    tr_squeeze(t, label, c);
    for (int k = 0; k < 4 && got < count; k++) out[got++] = c[k] & mask;
  }
}

static int pow_ok(const tr *t, uint64_t nonce, unsigned bits) {
  sha h;
  sha_init(&h);
  unsigned char tag = 0x13, d[32];
  sha_up(&h, &tag, 1);
  sha_up(&h, t->s, 32);
  sha_le64(&h, nonce);
  sha_final(&h, d);
  for (unsigned i = 0; i < bits; i++)
    if (d[i / 8] & (0x80 >> (i % 8))) return 0;
  return 1;
}

static void gen_transcript(const char *dir) {
  const uint64_t seed0 = 4;
  uint64_t s = seed0;
  json_t *scripts = json_array();
  const char *domains[] = {"starkml/test/v1", "", "starkml/test/v2"};
  for (int sc = 0; sc < 3; sc++) {
    tr t;
    tr_init(&t, domains[sc]);
    json_t *ops = json_array();
    json_array_append_new(ops, json_pack("{s:s,s:o}", "op", "state", "out", jhex(t.s, 32)));
    const size_t lens[] = {0, 1, 32, 135, 136, 137, 300};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
      unsigned char data[300];
      for (size_t k = 0; k < lens[i]; k++) data[k] = (unsigned char)splitmix64(&s);
      const char *label = i % 2 ? "commitment" : "public-input";
      tr_absorb(&t, label, data, lens[i]);
      json_array_append_new(ops, json_pack("{s:s,s:s,s:o}", "op", "absorb", "label", label,
                                           "data_hex", jhex(data, lens[i])));
      if (i == 2 || i == 5) {
        uint64_t c;
        tr_field(&t, "alpha", &c, 1);
        json_array_append_new(ops, json_pack("{s:s,s:s,s:o}", "op", "challenge_gl", "label",
                                             "alpha", "out", jdec(c)));
        e3 x;
        tr_field(&t, "beta", x.v, 3);
        json_array_append_new(ops, json_pack("{s:s,s:s,s:o}", "op", "challenge_gl3", "label",
                                             "beta", "out", jdec3(x)));
      }
    }
    const unsigned logs[] = {1, 10, 63};
    for (int i = 0; i < 3; i++) {
      uint64_t idx[9];
      tr_indices(&t, "queries", idx, 9, logs[i]);
      json_array_append_new(ops, json_pack("{s:s,s:s,s:i,s:o}", "op", "indices", "label",
                                           "queries", "log_n", (int)logs[i], "out",
                                           jarr_u64(idx, 9)));
    }
    unsigned bits = 6 + 2 * (unsigned)sc;
    uint64_t nonce = 0;
    while (!pow_ok(&t, nonce, bits)) nonce++;
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(nonce >> (8 * i));
    tr_absorb(&t, "pow-nonce", le, 8);
    json_array_append_new(ops, json_pack("{s:s,s:i,s:o}", "op", "grind", "bits", (int)bits,
                                         "nonce", jdec(nonce)));
    uint64_t c;
    tr_field(&t, "after-pow", &c, 1);
    json_array_append_new(ops, json_pack("{s:s,s:s,s:o}", "op", "challenge_gl", "label",
                                         "after-pow", "out", jdec(c)));
    json_array_append_new(ops, json_pack("{s:s,s:o}", "op", "state", "out", jhex(t.s, 32)));
    json_array_append_new(scripts, json_pack("{s:s,s:o}", "domain", domains[sc], "ops", ops));
  }
  json_t *doc = json_pack(
      "{s:s,s:I,s:o}", "description",
      "Fiat-Shamir transcript of core/transcript.h. Each script starts with init(domain) and "
      "runs its ops in order; 'state' is the 32-byte chaining value at that point; "
      "challenge_gl3 is [c0, c1, c2]; grind gives the smallest valid nonce. Generated by "
      "vectors/gen_vectors.c (the header's encoding re-implemented over OpenSSL's EVP "
      "SHA3-256); absorbed data from splitmix64 with the seed below.",
      "seed", (json_int_t)seed0, "scripts", scripts);
  write_json(dir, "transcript.json", doc);
}

int main(int argc, char **argv) {
  if (argc != 2 || strcmp(argv[1], "--help") == 0) {
    fprintf(argc == 2 ? stdout : stderr,
            "usage: gen_vectors OUTDIR\nWrites the known-answer vectors under OUTDIR/core.\n");
    return argc == 2 ? 0 : 2;
  }
  bnctx = BN_CTX_new();
  P = NULL;
  if (bnctx == NULL || !BN_dec2bn(&P, P_DEC)) die("BN init");
  if (mkdir(argv[1], 0777) != 0 && errno != EEXIST) die("cannot create OUTDIR");
  gen_field(argv[1]);
  gen_ntt(argv[1]);
  gen_sha3(argv[1]);
  gen_merkle(argv[1]);
  gen_transcript(argv[1]);
  BN_free(P);
  BN_CTX_free(bnctx);
  return 0;
}
