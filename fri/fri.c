/*
 * Batched FRI: schedule, prover (commit and open), verifier, serialization. The
 * semantics are stated in fri.h; this file adds how the prover gets there fast.
 *
 * Layout. A committed layer is stored as the column-major matrix its Merkle tree hashes
 * (3a columns, N/a rows), so sm_merkle_commit reads it in place (no transposed copy) and
 * folding reads the a values of run m from row m of that matrix. The fold writes the next
 * layer directly in that layer's own layout; the final layer uses arity 1, i.e. three
 * natural base columns, which is what the inverse NTT of the interpolation wants.
 *
 * Folding. A run of a = 2^k values is folded by k binary rounds in registers. Round r
 * of run m at layer size N works at size M = N / 2^r and needs 1/(2x) for the points of
 * its pairs, which are entries (a >> (r + 1)) * m + u of the table
 *     inv2x_M[i] = 1 / (2 * s_M * w_M^bitrev_{log M - 1}(i)),  i < M / 2,
 * since pair u of that round is the pair (2i, 2i + 1) of the size-M vector. The tables
 * for every size from N_max down to 2 N_f are built once before the first fold (less than
 * N_max elements in all, one product each), so the folding loops do not allocate or
 * invert. Every output element depends only on its inputs, so the result is the same for
 * any thread count and schedule.
 *
 * Device FRI. When the inputs are matrices on the backend's device (the DEEP values of a
 * backend with the deep op), the layers never come to the host: the backend's fri_layer
 * (core/backend.h) makes layer 0 and each folded and injected layer in the same layout, the
 * trees stay on the device (cap height 0: only the root comes back), the final layer is
 * read back (3 N_f values) and interpolated here, and the openings read only the opened
 * rows and their path nodes. Field arithmetic is exact, so the device's layers are the
 * host's, bit for bit.
 */
#include "fri/fri.h"

#include <stdlib.h>
#include <string.h>

#include "core/backend.h"

/* Query indices are size_t and domains reach 2^32. */
_Static_assert(sizeof(size_t) >= 8, "starkml's FRI needs a 64-bit size_t");

/* Layers smaller than this are folded by one thread: a fork costs more. */
#define FRI_PARALLEL_MIN ((size_t)4096)

/* 1/2 mod p = (p + 1) / 2. */
#define GL_HALF ((GL_P + 1) / 2)

/* x / 2 mod p: shift, and add (p + 1) / 2 when x is odd. Canonical in, canonical out:
 * (x >> 1) + (p + 1) / 2 <= (p - 2) / 2 + (p + 1) / 2 < p. */
static inline gl_t gl_half(gl_t x) {
  return (x >> 1) + ((uint64_t)(-(uint64_t)(x & 1)) & GL_HALF);
}

static inline gl3_t gl3_half(gl3_t a) {
  gl3_t r = {{gl_half(a.v[0]), gl_half(a.v[1]), gl_half(a.v[2])}};
  return r;
}

static inline int gl3_canonical(gl3_t a) {
  return a.v[0] < GL_P && a.v[1] < GL_P && a.v[2] < GL_P;
}

static const char *const reason_strings[] = {
#define SM_FRI_REASON_STR_(name, str) str,
    SM_FRI_REASON_MAP(SM_FRI_REASON_STR_)
#undef SM_FRI_REASON_STR_
};

const char *sm_fri_reason_str(sm_fri_reason reason) {
  if ((unsigned)reason >= (unsigned)SM_FRI_REASON_COUNT_) return "unknown reason";
  return reason_strings[reason];
}

/* ---- Schedule ---------------------------------------------------------------------- */

static int params_ok(const sm_fri_params *p) {
  return p != NULL && p->log_blowup >= 1 && p->log_blowup <= SM_FRI_MAX_LOG_BLOWUP &&
         p->log_arity >= 1 && p->log_arity <= SM_FRI_MAX_LOG_ARITY &&
         p->log_final_degree <= SM_FRI_MAX_LOG_FINAL_DEGREE && p->threads >= 1;
}

static int has_size(const unsigned *sizes, size_t n, unsigned ls) {
  for (size_t t = 0; t < n; t++)
    if (sizes[t] == ls) return 1;
  return 0;
}

starkml_status sm_fri_schedule_compute(sm_fri_schedule *out, const sm_fri_params *p,
                                       const unsigned *input_log_sizes, size_t n) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (!params_ok(p) || input_log_sizes == NULL || n == 0) return STARKML_ERR_ARG;
  unsigned lmax = 0;
  for (size_t t = 0; t < n; t++) {
    unsigned ls = input_log_sizes[t];
    if (ls < p->log_blowup || ls > SM_FRI_MAX_LOG_SIZE) return STARKML_ERR_ARG;
    if (ls > lmax) lmax = ls;
  }
  unsigned log_t = p->log_blowup + p->log_final_degree;
  unsigned lf = lmax < log_t ? lmax : log_t;
  for (size_t t = 0; t < n; t++)
    if (input_log_sizes[t] < lf) return STARKML_ERR_ARG;

  sm_fri_schedule s;
  memset(&s, 0, sizeof s);
  unsigned cur = lmax, j = 0;
  while (cur > lf) {
    /* The next stop is the largest input size below cur, or the final size. */
    unsigned next = lf;
    for (size_t t = 0; t < n; t++)
      if (input_log_sizes[t] < cur && input_log_sizes[t] > next) next = input_log_sizes[t];
    unsigned la = cur - next < p->log_arity ? cur - next : p->log_arity;
    s.log_size[j] = cur;
    s.log_arity[j] = la;
    s.injected[j] = (unsigned char)has_size(input_log_sizes, n, cur);
    j++;
    cur -= la;
  }
  /* cur <= 32 and lf >= 1 with a step of at least one bit: j <= 31 < SM_FRI_MAX_LAYERS. */
  s.log_size[j] = cur;
  s.injected[j] = (unsigned char)has_size(input_log_sizes, n, cur);
  s.n_layers = j;
  s.log_max_size = lmax;
  s.log_final_size = lf;
  s.n_final = (size_t)1 << (lf - p->log_blowup);
  s.log_blowup = p->log_blowup;
  *out = s;
  return STARKML_OK;
}

size_t sm_fri_layer_index(const sm_fri_schedule *s, size_t i0, unsigned j) {
  unsigned shift = 0;
  if (j > s->n_layers) j = s->n_layers;
  for (unsigned l = 0; l < j; l++) shift += s->log_arity[l];
  return shift >= 64 ? 0 : i0 >> shift;
}

static gl_t domain_shift(unsigned log_max_size, unsigned log_size) {
  return gl_exp(GL_GENERATOR, (uint64_t)1 << (log_max_size - log_size));
}

/*
 * The verifier computes a point per query, table and layer, so sm_fri_point avoids
 * exponentiations: w_N^bitrev(i) is the product, over the set bits b of i, of
 * w_N^(2^(log N - 1 - b)) = gl_root_of_unity(b + 1), and the shift g^(2^k) is a table
 * entry; sm_fri_point_inv walks the inverse tables. test_fri_fri checks all four against
 * gl_root_of_unity, gl_exp and gl_inv.
 */
static const gl_t fri_roots[GL_TWO_ADICITY + 1] = {
    0x0000000000000001ULL, 0xFFFFFFFF00000000ULL, 0x0001000000000000ULL,
    0xFFFFFFFEFF000001ULL, 0xEFFFFFFF00000001ULL, 0x00003FFFFFFFC000ULL,
    0x0000008000000000ULL, 0xF80007FF08000001ULL, 0xBF79143CE60CA966ULL,
    0x1905D02A5C411F4EULL, 0x9D8F2AD78BFED972ULL, 0x0653B4801DA1C8CFULL,
    0xF2C35199959DFCB6ULL, 0x1544EF2335D17997ULL, 0xE0EE099310BBA1E2ULL,
    0xF6B2CFFE2306BAACULL, 0x54DF9630BF79450EULL, 0xABD0A6E8AA3D8A0EULL,
    0x81281A7B05F9BEACULL, 0xFBD41C6B8CAA3302ULL, 0x30BA2ECD5E93E76DULL,
    0xF502AEF532322654ULL, 0x4B2A18ADE67246B5ULL, 0xEA9D5A1336FBC98BULL,
    0x86CDCC31C307E171ULL, 0x4BBAF5976ECFEFD8ULL, 0xED41D05B78D6E286ULL,
    0x10D78DD8915A171DULL, 0x59049500004A4485ULL, 0xDFA8C93BA46D2666ULL,
    0x7E9BD009B86A0845ULL, 0x400A7F755588E659ULL, 0x185629DCDA58878CULL,
};
static const gl_t fri_shifts[GL_TWO_ADICITY + 1] = { /* 7^(2^k) */
    0x0000000000000007ULL, 0x0000000000000031ULL, 0x0000000000000961ULL,
    0x000000000057F6C1ULL, 0x00001E39A5057D81ULL, 0x33CDC3006AFFAB59ULL,
    0x9C232DFB69AB851EULL, 0xA8C0042254470173ULL, 0x15535AD69462D090ULL,
    0xFEF45A869AAB8679ULL, 0x21BECCB8B6D8F6FAULL, 0x583CF0D902A86ABCULL,
    0x8BF128731AB1A0B5ULL, 0xD17AD58EE893A7D2ULL, 0xFAA379DA87A7F914ULL,
    0x9220D622D5CF1603ULL, 0x9AD50A054DA1207FULL, 0xA452F750DD9B8A44ULL,
    0x1415F3B2BCE09454ULL, 0xD3DB3F11768AE838ULL, 0xB44626E05EDF0086ULL,
    0xE4DE14A4047CB0BFULL, 0xF4D85BD7E852EC36ULL, 0x3D56E129723521FDULL,
    0x6402E9B28E42BFE3ULL, 0xF7FD0E6632895A3AULL, 0x44447512BD52434AULL,
    0xC878161102D0F705ULL, 0xF52DAC93873EB7CEULL, 0x4BF5466963DD8AAEULL,
    0x392EC7049F67A8B5ULL, 0xF1323B7ACAB09084ULL, 0xAA5B2509F86BB4D4ULL,
};

static const gl_t fri_roots_inv[GL_TWO_ADICITY + 1] = { /* fri_roots[k]^-1 */
    0x0000000000000001ULL, 0xFFFFFFFF00000000ULL, 0xFFFEFFFF00000001ULL,
    0x000000FFFFFFFF00ULL, 0x0000001000000000ULL, 0xFFFFFFFEFFFC0001ULL,
    0xFDFFFFFF00000001ULL, 0xFFEFFFFF00000011ULL, 0x1D62E30FA4A4EEB0ULL,
    0x3DE19C67CF496A74ULL, 0x3B9AE9D1D8D87589ULL, 0x76A40E0866A8E50DULL,
    0x9AF01E431FBD6EA0ULL, 0x3712791D9EB0314AULL, 0x409730A1895ADFB6ULL,
    0x158EE068C8241329ULL, 0x6D341B1C9A04ED19ULL, 0xCC9E5A57B8343B3FULL,
    0x22E1FBF03F8B95D6ULL, 0x46A23C48234C7DF9ULL, 0xEF8856969FE6ED7BULL,
    0xA52008AC564A2368ULL, 0xD46E5A4C36458C11ULL, 0x4BB9AEE372CF655EULL,
    0x10EB845263814DB7ULL, 0xC01F93FC71BB0B9BULL, 0xEA52F593BB20759AULL,
    0x91F3853F38E675D9ULL, 0x3EA7EAB8D8857184ULL, 0xE4D14A114454645DULL,
    0xE2434909EEC4F00BULL, 0x95C0EC9A7AB50701ULL, 0x76B6B635B6FC8719ULL,
};
static const gl_t fri_shifts_inv[GL_TWO_ADICITY + 1] = { /* fri_shifts[k]^-1 */
    0x249249246DB6DB6EULL, 0x4E5E0A72A1F58D10ULL, 0xB33B6379CF0F75D2ULL,
    0xAC604DFACAFD0562ULL, 0x9A7CCEC643225BB4ULL, 0x1C909840D79503BCULL,
    0x9AA4F1E54B0DCE34ULL, 0xCE38330E014E92CCULL, 0xE6C0A77BCFF53826ULL,
    0x0FCB5A21081691CAULL, 0xC601C00111B44679ULL, 0xFEB0183AEF011532ULL,
    0x01F3E229452972A0ULL, 0xB8C91A18B5DE8F8CULL, 0xFCD65FE2370573E9ULL,
    0x8D77535A116E03BCULL, 0xF9D13F570F5E5D3FULL, 0x8B8B352B32B97C9DULL,
    0x637D46DAAE7893CFULL, 0x675B088DBCA148FCULL, 0x37367C0EB5354927ULL,
    0x7399C51994F536BDULL, 0x3CE2C32EF91A05FEULL, 0xF9DB5A720CBC36CCULL,
    0x03AEBD94F7A1F048ULL, 0x7225BF734B55CC70ULL, 0x3A499E623D239DB5ULL,
    0x037C93A17BA7A618ULL, 0xE71193C10C8E67FFULL, 0xD637420B46FE858FULL,
    0x2E733E23819D9DC6ULL, 0x98999633C41A86EBULL, 0x7EAC632BD0FF8104ULL,
};

/* shifts[log_max_size - log_size] times roots[b + 1] for every set bit b of i. */
static gl_t fri_point_from(const gl_t *roots, const gl_t *shifts, unsigned log_max_size,
                           unsigned log_size, size_t i) {
  if (log_max_size > GL_TWO_ADICITY || log_size > log_max_size) return 0; /* outside the contract */
  gl_t x = shifts[log_max_size - log_size];
  for (unsigned b = 0; b < log_size; b++)
    if ((i >> b) & 1) x = gl_mul(x, roots[b + 1]);
  return x;
}

gl_t sm_fri_point(unsigned log_max_size, unsigned log_size, size_t i) {
  return fri_point_from(fri_roots, fri_shifts, log_max_size, log_size, i);
}

gl_t sm_fri_point_inv(unsigned log_max_size, unsigned log_size, size_t i) {
  return fri_point_from(fri_roots_inv, fri_shifts_inv, log_max_size, log_size, i);
}

gl_t sm_fri__table_root(unsigned k) { return fri_roots[k]; }
gl_t sm_fri__table_shift(unsigned k) { return fri_shifts[k]; }
gl_t sm_fri__table_root_inv(unsigned k) { return fri_roots_inv[k]; }
gl_t sm_fri__table_shift_inv(unsigned k) { return fri_shifts_inv[k]; }

/* ---- Folding ------------------------------------------------------------------------- */

/*
 * Folds v[0 .. 2^log_a) in place and returns the result. Round r uses bp[r] = beta^(2^r)
 * and ix[r][u] = 1 / (2x) for pair u = (v[2u], v[2u + 1]) = (C(x), C(-x)) of that round.
 * Writing v[u] after reading v[2u] and v[2u + 1] never overwrites an unread value.
 */
static inline gl3_t fold_run(gl3_t *v, unsigned log_a, const gl3_t *bp,
                             const gl_t *const *ix) {
  size_t h = (size_t)1 << log_a;
  for (unsigned r = 0; r < log_a; r++) {
    h >>= 1;
    for (size_t u = 0; u < h; u++) {
      gl3_t lo = v[2 * u], hi = v[2 * u + 1];
      gl3_t even = gl3_half(gl3_add(lo, hi));
      gl3_t odd = gl3_mul_base(gl3_sub(lo, hi), ix[r][u]);
      v[u] = gl3_add(even, gl3_mul(bp[r], odd));
    }
  }
  return v[0];
}

static void beta_powers(gl3_t bp[SM_FRI_MAX_LOG_ARITY], gl3_t beta, unsigned log_a) {
  bp[0] = beta;
  for (unsigned r = 1; r < log_a; r++) bp[r] = gl3_sqr(bp[r - 1]);
}

/* Stores y at position pos of a layer kept as (3 << la) columns of R rows. */
static inline void layer_store(gl_t *buf, size_t R, unsigned la, size_t pos, gl3_t y) {
  size_t m = pos >> la, r = pos & (((size_t)1 << la) - 1);
  for (size_t k = 0; k < 3; k++) buf[(3 * r + k) * R + m] = y.v[k];
}

static inline gl3_t layer_load(const gl_t *buf, size_t R, size_t r, size_t m) {
  gl3_t y;
  for (size_t k = 0; k < 3; k++) y.v[k] = buf[(3 * r + k) * R + m];
  return y;
}

/*
 * inv2x_M (see the top of the file) for M = 2^lm, lm >= 1, into t[0 .. M/2). Since
 * bitrev_{lm-1}(2^l + i) = bitrev_{lm-1}(i) + 2^(lm-2-l) for i < 2^l, entry 2^l + i is entry
 * i times w_M^-(2^(lm-2-l)) = w_(2^(l+2))^-1: one product per entry.
 */
static void inv2x_table(gl_t *t, unsigned lmax, unsigned lm, int threads) {
  t[0] = gl_inv(gl_double(domain_shift(lmax, lm)));
  for (unsigned l = 0; l + 1 < lm; l++) {
    size_t off = (size_t)1 << l;
    gl_t c = gl_inv(gl_root_of_unity(l + 2));
#pragma omp parallel for num_threads(threads) schedule(static) if (off >= 65536)
    for (size_t i = 0; i < off; i++) t[off + i] = gl_mul(t[i], c);
  }
}

/* ---- Prover -------------------------------------------------------------------------- */

void sm_fri_prover_free(sm_fri_prover *pr) {
  if (pr == NULL) return;
  for (unsigned j = 0; j < SM_FRI_MAX_LAYERS; j++) {
    sm_be_mat_free(pr->params.backend, &pr->layers[j]);
    sm_be_merkle_tree_free(pr->params.backend, &pr->trees[j]);
  }
  free(pr->final_coeffs);
  memset(pr, 0, sizeof *pr);
}

/* Allocates n elements of `size` bytes, refusing products that overflow. */
static void *alloc_array(size_t n, size_t size) {
  if (n == 0 || n > SIZE_MAX / size) return NULL;
  return malloc(n * size);
}

/* Commits layer j (its root enters the transcript) and draws its folding challenge; bp
   receives the challenge's powers for the layer's rounds. */
static starkml_status commit_layer(sm_fri_prover *pr, sm_transcript *tr, unsigned j,
                                   gl3_t bp[SM_FRI_MAX_LOG_ARITY]) {
  const sm_fri_params *p = &pr->params;
  /* Cap height 0: a device tree stays there and only its root comes back. */
  starkml_status st =
      sm_be_merkle_commit_mat(p->backend, &pr->trees[j], &pr->layers[j], NULL, 0, 0, p->threads);
  if (st != STARKML_OK) return st;
  pr->roots[j] = *sm_merkle_root(&pr->trees[j]);
  sm_tr_absorb(tr, "fri-layer", pr->roots[j].b, SM_DIGEST_LEN);
  pr->betas[j] = sm_tr_challenge_gl3(tr, "fold");
  beta_powers(bp, pr->betas[j], pr->sched.log_arity[j]);
  return STARKML_OK;
}

/*
 * The commit phase on the host: layers folded and injected by the fused loop below into
 * host matrices, the last fold into final_buf (three columns of N_f). inj[inj_off[j] ..
 * inj_off[j + 1]) are the inputs of layer j's size.
 */
static starkml_status commit_host(sm_fri_prover *pr, sm_transcript *tr, const sm_fri_input *inputs,
                                  const size_t *inj, const size_t *inj_off, gl_t *final_buf) {
  const sm_fri_schedule *s = &pr->sched;
  const unsigned L = s->n_layers, lmax = s->log_max_size, lf = s->log_final_size;
  const int threads = pr->params.threads;
  /* tab[lm] = inv2x for size 2^lm, lf < lm <= lmax: 2^lmax - 2^lf elements in all. */
  const gl_t *tab[SM_FRI_MAX_LOG_SIZE + 1] = {NULL};
  gl_t *tables = NULL;
  if (L > 0) {
    tables = alloc_array(((size_t)1 << lmax) - ((size_t)1 << lf), sizeof *tables);
    if (tables == NULL) return STARKML_ERR_NOMEM;
    size_t off = 0;
    for (unsigned lm = lmax; lm > lf; lm--) {
      inv2x_table(tables + off, lmax, lm, threads);
      tab[lm] = tables + off;
      off += (size_t)1 << (lm - 1);
    }
  }
  for (unsigned j = 0; j < L; j++) {
    const unsigned la = s->log_arity[j];
    sm_be_mat *m = &pr->layers[j];
    m->rows = (size_t)1 << (s->log_size[j] - la);
    m->cols = (size_t)3 << la;
    if ((m->host = alloc_array(3 * ((size_t)1 << s->log_size[j]), sizeof(gl_t))) == NULL) {
      free(tables);
      return STARKML_ERR_NOMEM;
    }
  }

  /* Layer 0: the sum of the inputs of size N_max, in layer 0's layout. */
  {
    gl_t *dst = L > 0 ? pr->layers[0].host : final_buf;
    unsigned la = L > 0 ? s->log_arity[0] : 0;
    size_t N = (size_t)1 << lmax, R = N >> la;
    const size_t i_lo = inj_off[0], i_hi = inj_off[1];
#pragma omp parallel for num_threads(threads) schedule(static) if (N >= FRI_PARALLEL_MIN)
    for (size_t i = 0; i < N; i++) {
      gl3_t y = inputs[inj[i_lo]].values[i];
      for (size_t q = i_lo + 1; q < i_hi; q++) y = gl3_add(y, inputs[inj[q]].values[i]);
      layer_store(dst, R, la, i, y);
    }
  }

  for (unsigned j = 0; j < L; j++) {
    const unsigned la = s->log_arity[j];
    const size_t a = (size_t)1 << la, R = (size_t)1 << (s->log_size[j] - la);
    gl3_t bp[SM_FRI_MAX_LOG_ARITY];
    starkml_status st = commit_layer(pr, tr, j, bp);
    if (st != STARKML_OK) {
      free(tables);
      return st;
    }

    /* Fold into layer j + 1 (its own layout, or the final columns) and inject. */
    const gl_t *tj[SM_FRI_MAX_LOG_ARITY];
    for (unsigned r = 0; r < la; r++) tj[r] = tab[s->log_size[j] - r];
    gl_t *dst = j + 1 < L ? pr->layers[j + 1].host : final_buf;
    const unsigned la2 = j + 1 < L ? s->log_arity[j + 1] : 0;
    const size_t R2 = R >> la2;
    const size_t i_lo = inj_off[j + 1], i_hi = inj_off[j + 2];
    const gl_t *cur = pr->layers[j].host;
#pragma omp parallel for num_threads(threads) schedule(static) if (R >= FRI_PARALLEL_MIN)
    for (size_t m = 0; m < R; m++) {
      gl3_t v[SM_FRI_MAX_ARITY];
      const gl_t *ix[SM_FRI_MAX_LOG_ARITY];
      for (size_t r = 0; r < a; r++) v[r] = layer_load(cur, R, r, m);
      for (unsigned r = 0; r < la; r++) ix[r] = tj[r] + (a >> (r + 1)) * m;
      gl3_t y = fold_run(v, la, bp, ix);
      for (size_t q = i_lo; q < i_hi; q++) y = gl3_add(y, inputs[inj[q]].values[m]);
      layer_store(dst, R2, la2, m, y);
    }
  }
  free(tables);
  return STARKML_OK;
}

/* Layer of log size ls, stored with arity 2^la_out, made on the device by fri_layer from the
   previous layer cur (NULL for layer 0) and the inputs in[0..n_in). out is zeroed on failure. */
static starkml_status device_layer(sm_fri_prover *pr, sm_be_mat *out, unsigned ls, unsigned la_out,
                                   const sm_be_mat *cur, unsigned la, const gl3_t *bp,
                                   const sm_be_mat *const *in, size_t n_in) {
  sm_backend *be = pr->params.backend;
  out->rows = (size_t)1 << (ls - la_out);
  out->cols = (size_t)3 << la_out;
  starkml_status st =
      be->ops->fri_layer(be, out, la_out, cur, la, bp, pr->sched.log_max_size, in, n_in);
  if (st == STARKML_OK && out->dev == NULL) st = STARKML_ERR_INTERNAL;
  if (st != STARKML_OK) sm_be_mat_free(be, out);
  return st;
}

/*
 * The commit phase on the backend's device: every layer is a device matrix made by
 * fri_layer (layer 0 from the inputs of size N_max; layer j + 1 by folding layer j and
 * adding the inputs of its size), committed with the tree left there (only the root comes
 * back); the final layer, also made there, is the one thing read back whole: its N_f rows
 * (3 values each) into final_buf's three columns. ins[inj_off[j] .. inj_off[j + 1]) are
 * the input matrices of layer j's size.
 */
static starkml_status commit_device(sm_fri_prover *pr, sm_transcript *tr,
                                    const sm_be_mat *const *ins, const size_t *inj_off,
                                    gl_t *final_buf) {
  const sm_fri_schedule *s = &pr->sched;
  sm_backend *be = pr->params.backend;
  const unsigned L = s->n_layers;
  const size_t n_f = (size_t)1 << s->log_final_size;
  sm_be_mat fin;
  memset(&fin, 0, sizeof fin);
  size_t *rows = alloc_array(n_f, sizeof *rows);
  gl_t *vals = alloc_array(3 * n_f, sizeof *vals);
  starkml_status st = rows != NULL && vals != NULL ? STARKML_OK : STARKML_ERR_NOMEM;
  if (st == STARKML_OK)
    st = device_layer(pr, L > 0 ? &pr->layers[0] : &fin, s->log_size[0],
                      L > 0 ? s->log_arity[0] : 0, NULL, 0, NULL, ins, inj_off[1]);
  for (unsigned j = 0; j < L && st == STARKML_OK; j++) {
    gl3_t bp[SM_FRI_MAX_LOG_ARITY];
    st = commit_layer(pr, tr, j, bp);
    if (st == STARKML_OK)
      st = device_layer(pr, j + 1 < L ? &pr->layers[j + 1] : &fin, s->log_size[j + 1],
                        j + 1 < L ? s->log_arity[j + 1] : 0, &pr->layers[j], s->log_arity[j], bp,
                        ins + inj_off[j + 1], inj_off[j + 2] - inj_off[j + 1]);
  }
  for (size_t i = 0; st == STARKML_OK && i < n_f; i++) rows[i] = i;
  if (st == STARKML_OK) st = sm_be_read_rows(be, vals, &fin, rows, n_f);
  for (size_t i = 0; st == STARKML_OK && i < n_f; i++)
    for (size_t c = 0; c < 3; c++) final_buf[c * n_f + i] = vals[3 * i + c];
  sm_be_mat_free(be, &fin);
  free(rows);
  free(vals);
  return st;
}

/* Checks that the inputs are all host vectors (*on_dev = 0) or all matrices on p's
   backend's device, each of 3 columns and 2^log_size rows, with a backend that has device
   FRI (*on_dev = 1). */
static starkml_status inputs_where(int *on_dev, const sm_fri_params *p, const sm_fri_input *inputs,
                                   size_t n) {
  size_t n_mat = 0;
  for (size_t t = 0; t < n; t++) {
    const sm_be_mat *m = inputs[t].mat;
    if ((inputs[t].values == NULL) == (m == NULL)) return STARKML_ERR_ARG;
    if (m == NULL) continue;
    if (m->dev == NULL || m->cols != 3 || inputs[t].log_size >= 64 ||
        m->rows != (size_t)1 << inputs[t].log_size)
      return STARKML_ERR_ARG;
    n_mat++;
  }
  if (n_mat != 0 && n_mat != n) return STARKML_ERR_ARG;
  *on_dev = n_mat > 0;
  if (*on_dev && (p->backend == NULL || p->backend->ops->fri_layer == NULL)) return STARKML_ERR_ARG;
  return STARKML_OK;
}

starkml_status sm_fri__commit(sm_fri_prover *out, sm_transcript *tr, sm_ntt_plan *plan,
                              const sm_fri_params *p, const sm_fri_input *inputs, size_t n_inputs,
                              int allow_high_degree) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (tr == NULL || plan == NULL || p == NULL || inputs == NULL || n_inputs == 0)
    return STARKML_ERR_ARG;
  int on_dev = 0;
  starkml_status st = inputs_where(&on_dev, p, inputs, n_inputs);
  if (st != STARKML_OK) return st;

  st = STARKML_ERR_NOMEM;
  unsigned *sizes = alloc_array(n_inputs, sizeof *sizes);
  /* Inputs grouped by layer: inj[inj_off[j] .. inj_off[j + 1]) are layer j's. */
  size_t *inj = alloc_array(n_inputs, sizeof *inj);
  const sm_be_mat **ins = on_dev ? alloc_array(n_inputs, sizeof *ins) : NULL;
  size_t inj_off[SM_FRI_MAX_LAYERS + 2];
  gl_t *final_buf = NULL;
  if (sizes == NULL || inj == NULL || (on_dev && ins == NULL)) goto done;
  for (size_t t = 0; t < n_inputs; t++) sizes[t] = inputs[t].log_size;

  sm_fri_prover *pr = out;
  st = sm_fri_schedule_compute(&pr->sched, p, sizes, n_inputs);
  if (st != STARKML_OK) goto done;
  pr->params = *p;
  const sm_fri_schedule *s = &pr->sched;
  const unsigned L = s->n_layers, lmax = s->log_max_size, lf = s->log_final_size;
  const size_t n_final_layer = (size_t)1 << lf;

  size_t k = 0;
  for (unsigned j = 0; j <= L; j++) {
    inj_off[j] = k;
    for (size_t t = 0; t < n_inputs; t++)
      if (sizes[t] == s->log_size[j]) inj[k++] = t;
  }
  inj_off[L + 1] = k;
  /* Every input size is a layer size (sm_fri_schedule_compute guarantees it). */
  if (k != n_inputs) {
    st = STARKML_ERR_INTERNAL;
    goto done;
  }

  st = STARKML_ERR_NOMEM;
  final_buf = alloc_array(3 * n_final_layer, sizeof *final_buf);
  pr->final_coeffs = alloc_array(s->n_final, sizeof *pr->final_coeffs);
  if (final_buf == NULL || pr->final_coeffs == NULL) goto done;
  if (on_dev) {
    for (size_t q = 0; q < n_inputs; q++) ins[q] = inputs[inj[q]].mat;
    st = commit_device(pr, tr, ins, inj_off, final_buf);
  } else {
    st = commit_host(pr, tr, inputs, inj, inj_off, final_buf);
  }
  if (st != STARKML_OK) goto done;

  /*
   * Final layer: final_buf holds C(s_f w^bitrev(i)) at position i of three columns. The
   * inverse NTT (bit-reversed in, natural out) gives the coefficients q_k of
   * Q(z) = C(s_f z), so c_k = q_k s_f^-k, and C has degree < n_final iff q_k = 0 for
   * every k >= n_final. After device layers this runs on the host (the values are here).
   */
  st = sm_be_ntt(on_dev ? NULL : p->backend, plan, final_buf, 3, n_final_layer, lf, 1,
                 SM_ORDER_BITREV, SM_ORDER_NATURAL);
  if (st != STARKML_OK) goto done;
  if (!allow_high_degree) {
    for (size_t c = 0; c < 3; c++)
      for (size_t kk = s->n_final; kk < n_final_layer; kk++)
        if (final_buf[c * n_final_layer + kk] != 0) {
          st = STARKML_REJECT;
          goto done;
        }
  }
  {
    gl_t sinv = gl_inv(domain_shift(lmax, lf)), pw = 1;
    for (size_t kk = 0; kk < s->n_final; kk++) {
      for (size_t c = 0; c < 3; c++)
        pr->final_coeffs[kk].v[c] = gl_mul(final_buf[c * n_final_layer + kk], pw);
      pw = gl_mul(pw, sinv);
    }
  }
  sm_tr_absorb_gl3(tr, "fri-final", pr->final_coeffs, s->n_final);
  st = STARKML_OK;

done:
  free(sizes);
  free(inj);
  free(ins);
  free(final_buf);
  if (st != STARKML_OK) sm_fri_prover_free(out);
  return st;
}

starkml_status sm_fri_commit(sm_fri_prover *out, sm_transcript *tr, sm_ntt_plan *plan,
                             const sm_fri_params *p, const sm_fri_input *inputs,
                             size_t n_inputs) {
  return sm_fri__commit(out, tr, plan, p, inputs, n_inputs, 0);
}

/* Total opened values and path digests of one query under schedule s. */
static void query_shape(const sm_fri_schedule *s, size_t *n_values, size_t *n_digests) {
  size_t nv = 0, nd = 0;
  for (unsigned j = 0; j < s->n_layers; j++) {
    nv += (size_t)1 << s->log_arity[j];
    nd += s->log_size[j] - s->log_arity[j];
  }
  *n_values = nv;
  *n_digests = nd;
}

void sm_fri_query_proof_free(sm_fri_query_proof *q) {
  if (q == NULL) return;
  free(q->values);
  free(q->paths);
  memset(q, 0, sizeof *q);
}

/* Allocates q for schedule s (arrays NULL when empty). */
static starkml_status query_alloc(sm_fri_query_proof *q, const sm_fri_schedule *s) {
  size_t nv, nd;
  query_shape(s, &nv, &nd);
  memset(q, 0, sizeof *q);
  q->n_layers = s->n_layers;
  if (nv > 0 && (q->values = alloc_array(nv, sizeof *q->values)) == NULL) goto nomem;
  if (nd > 0 && (q->paths = alloc_array(nd, sizeof *q->paths)) == NULL) goto nomem;
  return STARKML_OK;
nomem:
  sm_fri_query_proof_free(q);
  return STARKML_ERR_NOMEM;
}

/*
 * Per layer: the opened leaves m_k = i_j(k) / a_j, their paths made readable on the host
 * (a device tree's siblings fetched, each once) and their rows read (the whole row for a
 * host layer, read_rows for a device one), then copied into every query's openings.
 */
starkml_status sm_fri_open_batch(sm_fri_query_proof *out, sm_fri_prover *pr, const size_t *i0,
                                 size_t n) {
  if (out == NULL && n > 0) return STARKML_ERR_ARG;
  for (size_t k = 0; k < n; k++) memset(&out[k], 0, sizeof out[k]);
  if (n == 0) return STARKML_OK;
  if (pr == NULL || i0 == NULL || pr->final_coeffs == NULL) return STARKML_ERR_ARG;
  const sm_fri_schedule *s = &pr->sched;
  sm_backend *be = pr->params.backend;
  for (size_t k = 0; k < n; k++)
    if ((i0[k] >> s->log_max_size) != 0) return STARKML_ERR_ARG;
  size_t *idx = alloc_array(n, sizeof *idx), *m = alloc_array(n, sizeof *m);
  gl_t *rows = alloc_array(n, 3 * SM_FRI_MAX_ARITY * sizeof *rows);
  starkml_status st = idx != NULL && m != NULL && rows != NULL ? STARKML_OK : STARKML_ERR_NOMEM;
  for (size_t k = 0; st == STARKML_OK && k < n; k++) {
    st = query_alloc(&out[k], s);
    idx[k] = i0[k];
  }
  size_t vo = 0, po = 0;
  for (unsigned j = 0; st == STARKML_OK && j < s->n_layers; j++) {
    const unsigned la = s->log_arity[j];
    const size_t a = (size_t)1 << la;
    for (size_t k = 0; k < n; k++) m[k] = idx[k] >> la;
    st = sm_be_merkle_fetch_paths(be, &pr->trees[j], m, n, 0);
    if (st == STARKML_OK) st = sm_be_read_rows(be, rows, &pr->layers[j], m, n);
    for (size_t k = 0; st == STARKML_OK && k < n; k++) {
      for (size_t r = 0; r < a; r++)
        for (size_t c = 0; c < 3; c++) out[k].values[vo + r].v[c] = rows[k * 3 * a + 3 * r + c];
      if (sm_merkle_path(&pr->trees[j], out[k].paths + po, m[k]) != STARKML_OK)
        st = STARKML_ERR_INTERNAL;
      idx[k] = m[k];
    }
    vo += a;
    po += s->log_size[j] - la;
  }
  free(idx);
  free(m);
  free(rows);
  if (st != STARKML_OK)
    for (size_t k = 0; k < n; k++) sm_fri_query_proof_free(&out[k]);
  return st;
}

starkml_status sm_fri_open(sm_fri_query_proof *out, sm_fri_prover *pr, size_t i0) {
  if (out == NULL) return STARKML_ERR_ARG;
  return sm_fri_open_batch(out, pr, &i0, 1);
}

/* ---- Verifier ------------------------------------------------------------------------ */

void sm_fri_verifier_free(sm_fri_verifier *v) {
  if (v == NULL) return;
  free(v->final_coeffs);
  memset(v, 0, sizeof *v);
}

starkml_status sm_fri_verifier_init(sm_fri_verifier *v, sm_transcript *tr,
                                    const sm_fri_params *p, const unsigned *input_log_sizes,
                                    size_t n, const sm_digest *roots, size_t n_roots,
                                    const gl3_t *final_coeffs, size_t n_final) {
  if (v == NULL) return STARKML_ERR_ARG;
  memset(v, 0, sizeof *v);
  if (tr == NULL || (roots == NULL && n_roots > 0) || (final_coeffs == NULL && n_final > 0))
    return STARKML_ERR_ARG;
  starkml_status st = sm_fri_schedule_compute(&v->sched, p, input_log_sizes, n);
  if (st != STARKML_OK) return st;
  const sm_fri_schedule *s = &v->sched;
  if (n_roots != s->n_layers || n_final != s->n_final) goto reject;
  for (size_t k = 0; k < n_final; k++)
    if (!gl3_canonical(final_coeffs[k])) goto reject;
  v->final_coeffs = alloc_array(n_final, sizeof *v->final_coeffs);
  if (v->final_coeffs == NULL) {
    memset(v, 0, sizeof *v);
    return STARKML_ERR_NOMEM;
  }
  memcpy(v->final_coeffs, final_coeffs, n_final * sizeof *final_coeffs);
  v->params = *p;
  for (unsigned j = 0; j < s->n_layers; j++) {
    v->roots[j] = roots[j];
    sm_tr_absorb(tr, "fri-layer", roots[j].b, SM_DIGEST_LEN);
    v->betas[j] = sm_tr_challenge_gl3(tr, "fold");
  }
  sm_tr_absorb_gl3(tr, "fri-final", v->final_coeffs, n_final);
  return STARKML_OK;
reject:
  memset(v, 0, sizeof *v);
  return STARKML_REJECT;
}

#define REJECT_(why)                   \
  do {                                 \
    if (reason != NULL) *reason = (why); \
    return STARKML_REJECT;             \
  } while (0)

int sm_fri_verify_paths(const sm_fri_verifier *v, const size_t *i0, const sm_fri_query_proof *q,
                        size_t n, int threads) {
  if (n == 0) return 1;
  if (v == NULL || i0 == NULL || q == NULL || threads < 1) return 0;
  const sm_fri_schedule *s = &v->sched;
  const unsigned L = s->n_layers;
  size_t nv, nd;
  query_shape(s, &nv, &nd);
  for (size_t k = 0; k < n; k++)
    if ((i0[k] >> s->log_max_size) != 0 || q[k].n_layers != L || (nv > 0 && q[k].values == NULL) ||
        (nd > 0 && q[k].paths == NULL))
      return 0;
  int ok = 1;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) reduction(&& : ok)
  for (unsigned j = 0; j < L; j++) {
    size_t vo = 0, po = 0, shift = 0;
    for (unsigned l = 0; l < j; l++) {
      vo += (size_t)1 << s->log_arity[l];
      po += s->log_size[l] - s->log_arity[l];
      shift += s->log_arity[l];
    }
    const unsigned la = s->log_arity[j], lr = s->log_size[j] - la;
    const size_t a = (size_t)1 << la, w = 3 * a;
    gl_t *rows = malloc(n * w * sizeof *rows);
    size_t *m = malloc(n * sizeof *m);
    sm_digest *leaves = malloc(n * sizeof *leaves);
    const sm_digest **paths = malloc(n * sizeof *paths);
    int lok = rows && m && leaves && paths;
    for (size_t k = 0; lok && k < n; k++) {
      for (size_t u = 0; u < a; u++)
        for (size_t c = 0; c < 3; c++) rows[k * w + 3 * u + c] = q[k].values[vo + u].v[c];
      m[k] = (i0[k] >> shift) >> la;
      paths[k] = q[k].paths + po;
    }
    lok = lok && sm_merkle_leaves(leaves, rows, n, w) == STARKML_OK &&
          sm_merkle_verify_batch(&v->roots[j], lr, n, m, leaves, paths);
    free(rows), free(m), free(leaves), free(paths);
    ok = ok && lok;
  }
  return ok;
}

static starkml_status verify_query(sm_fri_reason *reason, const sm_fri_verifier *v, size_t i0,
                                   const gl3_t *injected, size_t n_injected,
                                   const sm_fri_query_proof *q, int check_paths);

starkml_status sm_fri_verify_query(sm_fri_reason *reason, const sm_fri_verifier *v, size_t i0,
                                   const gl3_t *injected, size_t n_injected,
                                   const sm_fri_query_proof *q) {
  return verify_query(reason, v, i0, injected, n_injected, q, 1);
}

starkml_status sm_fri_verify_query_values(sm_fri_reason *reason, const sm_fri_verifier *v,
                                          size_t i0, const gl3_t *injected, size_t n_injected,
                                          const sm_fri_query_proof *q) {
  return verify_query(reason, v, i0, injected, n_injected, q, 0);
}

static starkml_status verify_query(sm_fri_reason *reason, const sm_fri_verifier *v, size_t i0,
                                   const gl3_t *injected, size_t n_injected,
                                   const sm_fri_query_proof *q, int check_paths) {
  if (reason != NULL) *reason = SM_FRI_REASON_NONE;
  if (v == NULL || injected == NULL || q == NULL || v->final_coeffs == NULL)
    return STARKML_ERR_ARG;
  const sm_fri_schedule *s = &v->sched;
  const unsigned L = s->n_layers, lmax = s->log_max_size;
  if (n_injected != (size_t)L + 1) return STARKML_ERR_ARG;
  if ((i0 >> lmax) != 0) REJECT_(SM_FRI_REASON_INDEX);
  size_t nv, nd;
  query_shape(s, &nv, &nd);
  if (q->n_layers != L || (nv > 0 && q->values == NULL) || (nd > 0 && q->paths == NULL))
    REJECT_(SM_FRI_REASON_SHAPE);
  for (size_t k = 0; k < nv; k++)
    if (!gl3_canonical(q->values[k])) REJECT_(SM_FRI_REASON_SHAPE);

  gl3_t carry = gl3_from_base(0);
  size_t idx = i0, vo = 0, po = 0;
  for (unsigned j = 0; j < L; j++) {
    const unsigned la = s->log_arity[j], lr = s->log_size[j] - la;
    const size_t a = (size_t)1 << la, m = idx >> la, r = idx & (a - 1);
    const gl3_t *vals = q->values + vo;

    if (check_paths) {
      gl_t row[3 * SM_FRI_MAX_ARITY];
      for (size_t u = 0; u < a; u++)
        for (size_t c = 0; c < 3; c++) row[3 * u + c] = vals[u].v[c];
      sm_digest leaf;
      sm_merkle_leaf(&leaf, row, 3 * a, NULL, 0);
      if (sm_merkle_verify(&v->roots[j], lr, m, &leaf, q->paths + po) != STARKML_OK)
        REJECT_(SM_FRI_REASON_PATH);
    }
    if (!gl3_eq(vals[r], gl3_add(carry, injected[j]))) REJECT_(SM_FRI_REASON_VALUE);

    /*
     * Points of the run: x_{a m + u} = x_0 w_a^bitrev_la(u), so 1/x_u = (1/x_0) w_a^-bitrev(u).
     * Round 0 pairs u use 1/(2 x_{2u}); the points of the next round are the squares of
     * the even ones.
     */
    gl3_t run[SM_FRI_MAX_ARITY];
    gl_t ipts[SM_FRI_MAX_ARITY], ixbuf[SM_FRI_MAX_LOG_ARITY][SM_FRI_MAX_ARITY / 2];
    const gl_t *ix[SM_FRI_MAX_LOG_ARITY];
    gl_t ix0 = sm_fri_point_inv(lmax, s->log_size[j], a * m);
    gl_t wpow[SM_FRI_MAX_ARITY], wai = fri_roots_inv[la];
    wpow[0] = 1;
    for (size_t u = 1; u < a; u++) wpow[u] = gl_mul(wpow[u - 1], wai);
    for (size_t u = 0; u < a; u++) {
      run[u] = vals[u];
      ipts[u] = gl_mul(ix0, wpow[sm_bitrev(u, la)]);
    }
    size_t h = a;
    for (unsigned rr = 0; rr < la; rr++) {
      h >>= 1;
      for (size_t u = 0; u < h; u++) {
        ixbuf[rr][u] = gl_half(ipts[2 * u]);
        ipts[u] = gl_sqr(ipts[2 * u]);
      }
      ix[rr] = ixbuf[rr];
    }
    gl3_t bp[SM_FRI_MAX_LOG_ARITY];
    beta_powers(bp, v->betas[j], la);
    carry = fold_run(run, la, bp, ix);

    vo += a;
    po += lr;
    idx = m;
  }

  /* C(y) = sum_k c_k y^k at the final layer's point, by Horner. */
  gl_t y = sm_fri_point(lmax, s->log_final_size, idx);
  gl3_t acc = gl3_from_base(0);
  for (size_t k = s->n_final; k-- > 0;) acc = gl3_add(gl3_mul_base(acc, y), v->final_coeffs[k]);
  if (!gl3_eq(acc, gl3_add(carry, injected[L]))) REJECT_(SM_FRI_REASON_FINAL);
  return STARKML_OK;
}

#undef REJECT_

/* ---- Serialization ------------------------------------------------------------------- */

starkml_status sm_fri_write_commitment(sm_writer *w, const sm_digest *roots, size_t n_roots,
                                       const gl3_t *final_coeffs, size_t n_final) {
  if (w == NULL || (roots == NULL && n_roots > 0) || (final_coeffs == NULL && n_final > 0) ||
      n_roots > SM_FRI_MAX_LAYERS || n_final > UINT32_MAX)
    return STARKML_ERR_ARG;
  sm_w_u32(w, (uint32_t)n_roots);
  for (size_t j = 0; j < n_roots; j++) sm_w_bytes(w, roots[j].b, SM_DIGEST_LEN);
  sm_w_u32(w, (uint32_t)n_final);
  for (size_t k = 0; k < n_final; k++) sm_w_gl3(w, final_coeffs[k]);
  return sm_w_status(w);
}

starkml_status sm_fri_read_commitment(sm_digest *roots, gl3_t *final_coeffs, sm_reader *r,
                                      const sm_fri_schedule *s) {
  if (s == NULL || (roots == NULL && s->n_layers > 0) ||
      (final_coeffs == NULL && s->n_final > 0) || r == NULL)
    return STARKML_ERR_ARG;
  if (roots != NULL) memset(roots, 0, s->n_layers * sizeof *roots);
  if (final_coeffs != NULL) memset(final_coeffs, 0, s->n_final * sizeof *final_coeffs);
  uint32_t n;
  if (sm_r_len(r, &n, SM_FRI_MAX_LAYERS, SM_DIGEST_LEN) != STARKML_OK || n != s->n_layers)
    goto fail;
  for (size_t j = 0; j < n; j++) sm_r_bytes(r, roots[j].b, SM_DIGEST_LEN);
  if (sm_r_len(r, &n, UINT32_MAX, 24) != STARKML_OK || n != s->n_final) goto fail;
  for (size_t k = 0; k < n; k++) sm_r_gl3(r, &final_coeffs[k]);
  if (r->err != STARKML_OK) goto fail;
  return STARKML_OK;
fail:
  if (roots != NULL) memset(roots, 0, s->n_layers * sizeof *roots);
  if (final_coeffs != NULL) memset(final_coeffs, 0, s->n_final * sizeof *final_coeffs);
  if (r->err == STARKML_OK) r->err = STARKML_ERR_PARSE;
  return STARKML_ERR_PARSE;
}

starkml_status sm_fri_write_query_proof(sm_writer *w, const sm_fri_schedule *s,
                                        const sm_fri_query_proof *q) {
  if (w == NULL || s == NULL || q == NULL || q->n_layers != s->n_layers) return STARKML_ERR_ARG;
  size_t nv, nd;
  query_shape(s, &nv, &nd);
  if ((nv > 0 && q->values == NULL) || (nd > 0 && q->paths == NULL)) return STARKML_ERR_ARG;
  sm_w_u32(w, q->n_layers);
  size_t vo = 0, po = 0;
  for (unsigned j = 0; j < s->n_layers; j++) {
    size_t a = (size_t)1 << s->log_arity[j], lr = s->log_size[j] - s->log_arity[j];
    for (size_t u = 0; u < a; u++) sm_w_gl3(w, q->values[vo + u]);
    for (size_t d = 0; d < lr; d++) sm_w_bytes(w, q->paths[po + d].b, SM_DIGEST_LEN);
    vo += a;
    po += lr;
  }
  return sm_w_status(w);
}

starkml_status sm_fri_read_query_proof(sm_fri_query_proof *q, sm_reader *r,
                                       const sm_fri_schedule *s) {
  if (q == NULL) return STARKML_ERR_ARG;
  memset(q, 0, sizeof *q);
  if (r == NULL || s == NULL || s->n_layers > SM_FRI_MAX_LAYERS) return STARKML_ERR_ARG;
  uint32_t n;
  /* The shape comes from the schedule, so nothing is allocated before the count matches
   * it and the bytes for the whole shape are present. */
  if (sm_r_u32(r, &n) != STARKML_OK || n != s->n_layers) goto fail;
  size_t nv, nd;
  query_shape(s, &nv, &nd);
  if (sm_r_remaining(r) < nv * 24 + nd * SM_DIGEST_LEN) goto fail;
  starkml_status st = query_alloc(q, s);
  if (st != STARKML_OK) return st;
  size_t vo = 0, po = 0;
  for (unsigned j = 0; j < s->n_layers; j++) {
    size_t a = (size_t)1 << s->log_arity[j], lr = s->log_size[j] - s->log_arity[j];
    for (size_t u = 0; u < a; u++) sm_r_gl3(r, &q->values[vo + u]);
    for (size_t d = 0; d < lr; d++) sm_r_bytes(r, q->paths[po + d].b, SM_DIGEST_LEN);
    vo += a;
    po += lr;
  }
  if (r->err != STARKML_OK) goto fail;
  return STARKML_OK;
fail:
  sm_fri_query_proof_free(q);
  if (r->err == STARKML_OK) r->err = STARKML_ERR_PARSE;
  return STARKML_ERR_PARSE;
}
