/*
 * The STARK prover (docs/stark-protocol.md). Stages, each over all tables: main commitment,
 * LogUp auxiliary commitment, quotient, out-of-domain values, DEEP composition, FRI,
 * grinding, queries. Memory is allocated per stage before its parallel loops; the loops
 * themselves do not allocate.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/ctx.h"
#include "core/ntt.h"
#include "fri/stark_internal.h"

#define BLK 256 /* points per block in the quotient and DEEP loops */
/* The quotient's blocks keep their node values within this many bytes (about a core's L2
   cache), but hold at least QUOT_MIN_BLK points (the per-node work must outweigh the
   evaluator's dispatch). Both are powers of two. */
#define QUOT_BLOCK_BYTES ((size_t)512 * 1024)
#define QUOT_MIN_BLK ((size_t)8)

_Static_assert(SM_AIR_N_CHALLENGES == 3, "sm_be_quotient_in carries three challenges");

/* The committed matrices of a table, in proof order: one per commitment stage. */
enum {
  MAT_PRE = SM_STAGE_PRE,
  MAT_MAIN = SM_STAGE_MAIN,
  MAT_AUX = SM_STAGE_AUX,
  MAT_QUOT = SM_STAGE_QUOT,
  MAT_COUNT = SM_N_STAGES
};

typedef struct {
  gl_t *main_tr;                 /* n_main x n, the witness (a copy: the tamper hook edits it) */
  gl_t *pre_coef, *main_coef, *aux_coef, *quot_coef; /* coefficient columns, stride D */
  /* The witness coefficients (pre, main, aux: n + h rows) on the backend's device when it
     has witness_coef, and the quotient pieces' (D rows, n_quot_cols columns) when it has
     quotient_coef; the host arrays above are then NULL. */
  sm_be_mat coef[MAT_COUNT];
  /* LDE columns (N rows, bit-reversed order), on the backend's device when it keeps them
     there: from the coset evaluation through commitment, quotient, DEEP and openings. */
  sm_be_mat lde[MAT_COUNT];
  gl_t *opened[MAT_COUNT];       /* the rows opened by the queries, n_queries x cols */
  uint8_t *salt_main, *salt_aux, *salt_quot;         /* N x 32 each in zk mode */
  gl3_t *aux_tr; /* n_aux x n */
  gl3_t claimed;
  gl3_t *ood; /* 2 n_base_open (z, then z w) + 3 n_pieces (z) */
  gl3_t *deep;        /* the DEEP values (FRI's input) on the host, or */
  sm_be_mat deep_mat; /* on the backend's device (3 columns), with its deep op */
} tprover;

static void tprover_free(tprover *p, sm_backend *be) {
  free(p->main_tr);
  free(p->pre_coef), free(p->main_coef), free(p->aux_coef), free(p->quot_coef);
  for (int k = 0; k < MAT_COUNT; k++) {
    sm_be_mat_free(be, &p->lde[k]);
    free(p->opened[k]);
  }
  for (int k = 0; k < MAT_COUNT; k++) sm_be_mat_free(be, &p->coef[k]);
  free(p->salt_main), free(p->salt_aux), free(p->salt_quot);
  free(p->aux_tr), free(p->ood), free(p->deep);
  sm_be_mat_free(be, &p->deep_mat);
  memset(p, 0, sizeof *p);
}

/* Leaf salts per wide PRG block (core/prg.h): rows 4b .. 4b + 3 take the first 128 of wide
   block b's 136 bytes, in order. */
#define SALTS_PER_BLOCK (SM_PRG_WIDE_LEN / SM_STARK_SALT_LEN)
#define SALT_BLOCK_BYTES (SALTS_PER_BLOCK * SM_STARK_SALT_LEN)
_Static_assert(SALTS_PER_BLOCK == 4, "four 32-byte salts per 136-byte block");

/* Salts for the N rows of one tree, from the wide blocks of the stream `label`. */
static uint8_t *make_salts(const uint8_t *seed, const char *label, size_t rows, int threads) {
  /* Room for whole blocks: the last one may run past the rows. */
  const size_t blocks = (rows + SALTS_PER_BLOCK - 1) / SALTS_PER_BLOCK;
  uint8_t *s = sm_xcalloc(blocks, SALT_BLOCK_BYTES);
  if (s == NULL) return NULL;
  /* Four blocks (sixteen rows) per 4-way Keccak call, the rest one at a time. */
  const size_t quads = blocks / 4;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (size_t q = 0; q < quads; q++) {
    uint8_t w[4][SM_PRG_WIDE_LEN];
    sm_prg_wide_at_x4(w, seed, label, 4 * (uint64_t)q);
    for (size_t k = 0; k < 4; k++)
      memcpy(s + (4 * q + k) * SALT_BLOCK_BYTES, w[k], SALT_BLOCK_BYTES);
  }
  for (size_t b = 4 * quads; b < blocks; b++) {
    uint8_t w[SM_PRG_WIDE_LEN];
    sm_prg_wide_at(w, seed, label, (uint64_t)b);
    memcpy(s + b * SALT_BLOCK_BYTES, w, SALT_BLOCK_BYTES);
  }
  return s;
}

/*
 * Interpolates k trace columns (n rows each), adds the zero-knowledge randomizer
 * Z_H(x) * r(x) with h random coefficients per column, and evaluates on the table's LDE.
 * coef: k columns of stride D (first n + h used); lde: the k x N matrix it makes. With
 * dcoef and a backend with witness_coef, the coefficients stay on the device in dcoef
 * (n + h rows; coef is not touched): only the randomizer goes up.
 */
static starkml_status witness_lde(sm_backend *be, sm_ntt_plan *plan, gl_t *coef, sm_be_mat *lde,
                                  sm_be_mat *dcoef, const gl_t *trace, size_t k,
                                  const sm_tinfo *x, sm_prg *rng) {
  if (dcoef != NULL && be != NULL && be->ops->witness_coef != NULL) {
    memset(dcoef, 0, sizeof *dcoef);
    memset(lde, 0, sizeof *lde);
    if (k == 0) return STARKML_ERR_ARG;
    gl_t *r = NULL;
    if (x->h > 0) {
      if ((r = sm_xcalloc(k * x->h, sizeof *r)) == NULL) return STARKML_ERR_NOMEM;
      /* The PRG's order of the host path: column by column, h values each. */
      for (size_t i = 0; i < k * x->h && rng != NULL; i++) r[i] = sm_prg_gl(rng);
    }
    dcoef->rows = x->n + x->h;
    dcoef->cols = k;
    starkml_status s = be->ops->witness_coef(be, dcoef, trace, x->log_n, r, x->h);
    free(r);
    if (s != STARKML_OK) return s;
    lde->rows = x->big;
    lde->cols = k;
    s = be->ops->coset_eval_dev(be, lde, dcoef, x->log_big, x->shift);
    if (s != STARKML_OK) sm_be_mat_free(be, lde);
    return s;
  }
  for (size_t c = 0; c < k; c++) {
    memcpy(coef + c * x->d, trace + c * x->n, x->n * sizeof *coef);
    memset(coef + c * x->d + x->n, 0, (x->d - x->n) * sizeof *coef);
  }
  starkml_status s =
      sm_be_ntt(be, plan, coef, k, x->d, x->log_n, 1, SM_ORDER_NATURAL, SM_ORDER_NATURAL);
  if (s != STARKML_OK) return s;
  /* f + (x^n - 1) r: subtract r from the low coefficients, add it at offset n. */
  for (size_t c = 0; c < k && rng != NULL; c++) {
    gl_t *cc = coef + c * x->d;
    for (size_t i = 0; i < x->h; i++) {
      gl_t r = sm_prg_gl(rng);
      cc[i] = gl_sub(cc[i], r);
      cc[x->n + i] = gl_add(cc[x->n + i], r);
    }
  }
  return sm_be_coset_eval_mat(be, plan, lde, coef, x->d, x->n + x->h, k, x->log_big, x->shift);
}

/* The hidden multiplicities of one blinding ring edge (uniform, from the secret seed). */
static void blind_values(gl_t r[SM_STARK_BLIND_K], const uint8_t *seed, int edge) {
  char label[64];
  sm_prg rng;
  snprintf(label, sizeof label, "zk/blind/%d", edge);
  sm_prg_init(&rng, seed, label);
  for (size_t k = 0; k < SM_STARK_BLIND_K; k++) r[k] = sm_prg_gl(&rng);
}

/* The position of the next row (x * w_n) of LDE position i (bit-reversed order). */
static inline size_t next_pos(unsigned log_big, unsigned log_n, size_t i) {
  const size_t big = (size_t)1 << log_big;
  size_t e = sm_bitrev(i, log_big);
  return sm_bitrev((e + (big >> log_n)) & (big - 1), log_big);
}

/* ---- quotient ----------------------------------------------------------------------- */

/* Evaluates the combined quotient on the first M = 2^log_qdom points of the table's LDE
   (bit-reversed order: the coset shift * <w_M>, which holds every row's next row too):
   the CPU reference of sm_backend_ops.quotient, on the matrices' host copies. */
static starkml_status quotient_values(gl3_t *q, const sm_be_quotient_in *in, int threads) {
  const sm_air_table *t = in->table;
  const size_t nb = (size_t)t->n_pre + t->n_main, na = in->n_aux, nc = t->n_constraints;
  const size_t big = (size_t)1 << in->log_big, n = (size_t)1 << in->log_n;
  const size_t M = (size_t)1 << in->log_qdom;
  if ((t->n_pre > 0 && (in->pre == NULL || in->pre->host == NULL)) || in->main == NULL ||
      in->main->host == NULL || (na > 0 && (in->aux == NULL || in->aux->host == NULL)))
    return STARKML_ERR_INTERNAL; /* a matrix only on a device without a quotient op */
  /* Blocks of BLK points, fewer when the table's node values would not fit in about a
     core's L2 cache (sm_air_block_lanes): a block whose working set spills evaluates at
     memory speed (the sponge table of cnn_digits, 2820 nodes, took 3.5x longer at 256). */
  size_t blk = M < BLK ? M : BLK;
  const size_t lanes = sm_air_block_lanes(t);
  while (blk > QUOT_MIN_BLK && lanes * blk * sizeof(gl_t) > QUOT_BLOCK_BYTES) blk /= 2;
  const size_t scratch_len = sm_air_block_scratch_len(t, blk);
  /* Per-thread work areas, allocated once. */
  /* next-row base values, aux current and next (gl3), constraint values (gl3), the
     evaluator's scratch, then x, three inverse arrays and the batch-inverse scratch. */
  const size_t per = nb * blk + 2 * na * blk * 3 + nc * blk * 3 + scratch_len + 5 * blk;
  gl_t *work = sm_xcalloc((size_t)threads, per * sizeof(gl_t));
  const gl_t **ptrs = sm_xcalloc((size_t)threads * (2 * nb + 2 * na + 1), sizeof *ptrs);
  if (work == NULL || ptrs == NULL || scratch_len == 0) {
    free(work), free(ptrs);
    return STARKML_ERR_NOMEM;
  }
  /* T[p] = w_N^bitrev_N(p) for p < blk, and T[p]^n: a block starting at a multiple of blk
     has points x_{i0 + p} = x_{i0} * T[p] because the low bits of i map to high exponent
     bits. */
  gl_t tw[BLK], twn[BLK];
  gl_t wn = gl_root_of_unity(in->log_big);
  for (size_t p = 0; p < blk; p++) {
    tw[p] = gl_exp(wn, sm_bitrev(p, in->log_big));
    twn[p] = gl_exp(tw[p], n);
  }
  const gl_t w_last = gl_exp(gl_root_of_unity(in->log_n), n - 1);
  const size_t nblocks = M / blk;
  starkml_status status = STARKML_OK;
#pragma omp parallel num_threads(threads)
  {
    const int tid = omp_get_thread_num();
    gl_t *wk = work + (size_t)tid * per;
    gl_t *next_base = wk;                           /* nb x blk */
    gl3_t *aux_cur = (gl3_t *)(next_base + nb * blk); /* na x blk */
    gl3_t *aux_next = aux_cur + na * blk;             /* na x blk */
    gl3_t *out = aux_next + na * blk;                 /* nc x blk */
    gl_t *scratch = (gl_t *)(out + nc * blk);
    gl_t *xs = scratch + scratch_len, *inv1 = xs + blk, *invl = inv1 + blk, *invz = invl + blk;
    gl_t *bscratch = invz + blk;
    const gl_t **pp = ptrs + (size_t)tid * (2 * nb + 2 * na + 1);
    const gl_t **base_cur = pp, **base_next = pp + nb;
    const gl3_t **acur = (const gl3_t **)(pp + 2 * nb), **anext = acur + na;
    size_t nxt[BLK];
#pragma omp for schedule(dynamic, 4)
    for (size_t b = 0; b < nblocks; b++) {
      const size_t i0 = b * blk;
      for (size_t p = 0; p < blk; p++) nxt[p] = next_pos(in->log_big, in->log_n, i0 + p);
      for (size_t c = 0; c < nb; c++) {
        const gl_t *col = c < t->n_pre ? in->pre->host + c * big
                                       : in->main->host + (c - t->n_pre) * big;
        base_cur[c] = col + i0;
        gl_t *dst = next_base + c * blk;
        for (size_t p = 0; p < blk; p++) dst[p] = col[nxt[p]];
        base_next[c] = dst;
      }
      for (size_t k = 0; k < na; k++) {
        const gl_t *c0 = in->aux->host + (3 * k) * big, *c1 = c0 + big, *c2 = c1 + big;
        gl3_t *dc = aux_cur + k * blk, *dn = aux_next + k * blk;
        for (size_t p = 0; p < blk; p++) {
          dc[p] = (gl3_t){{c0[i0 + p], c1[i0 + p], c2[i0 + p]}};
          dn[p] = (gl3_t){{c0[nxt[p]], c1[nxt[p]], c2[nxt[p]]}};
        }
        acur[k] = dc;
        anext[k] = dn;
      }
      sm_air_block_in bin = {base_cur, base_next, 1, acur, anext, 1, in->publics, in->chal};
      if (sm_air_eval_block(t, in->n_aux, out, &bin, blk, scratch) != STARKML_OK) {
#pragma omp atomic write
        status = STARKML_ERR_INTERNAL;
        continue;
      }
      /* Selector denominators for the block, inverted in one batch each. */
      gl_t x0 = gl_mul(in->shift, gl_exp(wn, sm_bitrev(i0, in->log_big)));
      gl_t x0n = gl_exp(x0, n);
      for (size_t p = 0; p < blk; p++) {
        xs[p] = gl_mul(x0, tw[p]);
        inv1[p] = gl_sub(xs[p], 1);
        invl[p] = gl_sub(xs[p], w_last);
        invz[p] = gl_sub(gl_mul(x0n, twn[p]), 1);
      }
      sm_gl_batch_inv(inv1, inv1, blk, bscratch);
      sm_gl_batch_inv(invl, invl, blk, bscratch);
      sm_gl_batch_inv(invz, invz, blk, bscratch);
      for (size_t p = 0; p < blk; p++) {
        gl3_t acc[4] = {{{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}, {{0, 0, 0}}};
        for (size_t j = 0; j < nc; j++)
          acc[t->constraints[j].selector] =
              gl3_add(acc[t->constraints[j].selector], gl3_mul(in->gpow[j], out[j * blk + p]));
        gl3_t v = gl3_mul_base(acc[SM_SEL_FIRST], inv1[p]);
        v = gl3_add(v, gl3_mul_base(acc[SM_SEL_LAST], invl[p]));
        v = gl3_add(v, gl3_mul_base(acc[SM_SEL_TRANSITION],
                                    gl_mul(gl_sub(xs[p], w_last), invz[p])));
        v = gl3_add(v, gl3_mul_base(acc[SM_SEL_EVERY], invz[p]));
        q[i0 + p] = v;
      }
    }
  }
  free(work);
  free(ptrs);
  return status;
}

/* The quotient of table x on the backend when it has the op, else on the CPU. */
static starkml_status quotient_dispatch(sm_backend *be, gl3_t *q, const sm_be_quotient_in *in,
                                        int threads) {
  if (be != NULL && be->ops->quotient != NULL) return be->ops->quotient(be, q, in);
  return quotient_values(q, in, threads);
}

/* Whether the backend keeps the quotient's values and pieces on its device. */
static int quotient_on_device(const sm_backend *be) {
  return be != NULL && be->ops->quotient_coef != NULL && be->ops->quotient_mat != NULL &&
         be->ops->coset_eval_dev != NULL && be->ops->mat_eval != NULL;
}

/*
 * quotient_commit on the device (quotient_mat, quotient_coef): the values, their
 * interpolation, the split into pieces and the blinders and mask (drawn here from rng in the
 * host path's order, and uploaded) stay there, in tp->coef[MAT_QUOT], and so does their LDE;
 * only the count of coefficients beyond the degree bound comes back.
 */
static starkml_status quotient_commit_dev(sm_backend *be, const sm_tinfo *x, tprover *tp,
                                          const sm_be_quotient_in *in, sm_prg *rng, int tampered,
                                          size_t *bad_coeffs) {
  const size_t d = x->d, m = x->n_pieces, hq = rng != NULL ? x->hq : 0;
  sm_be_mat *coef = &tp->coef[MAT_QUOT], *lde = &tp->lde[MAT_QUOT];
  sm_be_mat q = {NULL, NULL, (size_t)1 << x->log_qdom, 3};
  memset(coef, 0, sizeof *coef);
  memset(lde, 0, sizeof *lde);
  *bad_coeffs = 0;
  /* Blinders (k < m - 1, per component, hq each), then the mask (3 columns of D - 1). */
  const size_t nr = rng != NULL ? 3 * (m - 1) * hq + 3 * (d - 1) : 0;
  gl_t *r = NULL;
  if (nr > 0 && (r = sm_xcalloc(nr, sizeof *r)) == NULL) return STARKML_ERR_NOMEM;
  for (size_t i = 0; i < nr; i++) r[i] = sm_prg_gl(rng);
  starkml_status s = be->ops->quotient_mat(be, &q, in);
  coef->rows = d;
  coef->cols = x->n_quot_cols;
  if (s == STARKML_OK)
    s = be->ops->quotient_coef(be, coef, bad_coeffs, &q, x->shift, x->piece_len, m, r, hq);
  sm_be_mat_free(be, &q);
  free(r);
  if (s == STARKML_OK && *bad_coeffs != 0 && !tampered) s = STARKML_ERR_ARG;
  if (s == STARKML_OK) {
    lde->rows = x->big;
    lde->cols = x->n_quot_cols;
    s = be->ops->coset_eval_dev(be, lde, coef, x->log_big, x->shift);
  }
  if (s != STARKML_OK) sm_be_mat_free(be, coef), sm_be_mat_free(be, lde);
  return s;
}

/*
 * Interpolates the quotient from its M = 2^log_qdom values (M is at least its length, so
 * these determine it), splits it into pieces of piece_len coefficients, blinds the
 * pieces so that they telescope (docs/stark-protocol.md section 5), appends the FRI mask
 * in zk mode and evaluates everything on the LDE. tampered: a bad witness makes the
 * quotient a non-polynomial; keep its low coefficients instead of refusing.
 */
static starkml_status quotient_commit(sm_backend *be, sm_ntt_plan *plan, const sm_tinfo *x, tprover *tp,
                                      const gl3_t *q, sm_prg *rng, int tampered,
                                      size_t *bad_coeffs) {
  const size_t d = x->d, P = x->piece_len, m = x->n_pieces;
  const size_t M = (size_t)1 << x->log_qdom;
  gl_t *qc = sm_xcalloc(3 * M, sizeof *qc);
  tp->quot_coef = sm_xcalloc(x->n_quot_cols * d, sizeof(gl_t));
  if (qc == NULL || tp->quot_coef == NULL) {
    free(qc);
    return STARKML_ERR_NOMEM;
  }
  for (size_t i = 0; i < M; i++)
    for (int c = 0; c < 3; c++) qc[(size_t)c * M + i] = q[i].v[c];
  starkml_status s =
      sm_be_ntt(be, plan, qc, 3, M, x->log_qdom, 1, SM_ORDER_BITREV, SM_ORDER_NATURAL);
  if (s != STARKML_OK) {
    free(qc);
    return s;
  }
  /* Values were taken on shift * <w_N>: coefficient j carries shift^j. */
  gl_t sinv = gl_inv(x->shift), sp = 1;
  for (size_t j = 0; j < M; j++) {
    for (int c = 0; c < 3; c++) qc[(size_t)c * M + j] = gl_mul(qc[(size_t)c * M + j], sp);
    sp = gl_mul(sp, sinv);
  }
  /* An honest witness gives a polynomial of fewer than m * P coefficients. */
  *bad_coeffs = 0;
  for (size_t j = m * P; j < M; j++)
    for (int c = 0; c < 3; c++) *bad_coeffs += qc[(size_t)c * M + j] != 0;
  if (*bad_coeffs != 0 && !tampered) {
    free(qc);
    return STARKML_ERR_ARG;
  }
  for (size_t k = 0; k < m; k++)
    for (int c = 0; c < 3; c++) {
      gl_t *dst = tp->quot_coef + (3 * k + (size_t)c) * d;
      size_t lo = k * P, len = lo + P <= M ? P : (lo < M ? M - lo : 0);
      if (len) memcpy(dst, qc + (size_t)c * M + lo, len * sizeof *dst);
    }
  free(qc);
  if (rng != NULL) {
    /* Blinders s_k (k < m - 1), hq coefficients each per component:
       Q^_k += x^P s_k, Q^_{k+1} -= s_k, so sum_k x^(kP) Q^_k is unchanged. */
    for (size_t k = 0; k + 1 < m; k++)
      for (int c = 0; c < 3; c++)
        for (size_t i = 0; i < x->hq; i++) {
          gl_t r = sm_prg_gl(rng);
          gl_t *lo = tp->quot_coef + (3 * k + (size_t)c) * d;
          gl_t *hi = tp->quot_coef + (3 * (k + 1) + (size_t)c) * d;
          lo[P + i] = gl_add(lo[P + i], r);
          hi[i] = gl_sub(hi[i], r);
        }
    /* The FRI mask R: three base polynomials of degree < D - 1, uniformly random. */
    for (int c = 0; c < 3; c++) {
      gl_t *dst = tp->quot_coef + (3 * m + (size_t)c) * d;
      for (size_t i = 0; i + 1 < d; i++) dst[i] = sm_prg_gl(rng);
    }
  }
  return sm_be_coset_eval_mat(be, plan, &tp->lde[MAT_QUOT], tp->quot_coef, d, d, x->n_quot_cols,
                              x->log_big, x->shift);
}

/* ---- DEEP composition ----------------------------------------------------------------- */

/* Weights lambda^e for the table's terms, continuing the global exponent *e. */
static void deep_weights(gl3_t *w, size_t count, gl3_t lambda, gl3_t *lam_pow) {
  for (size_t i = 0; i < count; i++) {
    w[i] = *lam_pow;
    *lam_pow = gl3_mul(*lam_pow, lambda);
  }
}

/* Adds w * col[p] to acc[p] for p < blk (one column of a block). */
static void lazy_column(gl3_lazy *acc, gl3_t w, const gl_t *col, size_t blk) {
  for (size_t p = 0; p < blk; p++) gl3_lazy_add(&acc[p], &w, col[p]);
}

/* ---- Out-of-domain values ------------------------------------------------------------- */

/*
 * The values at z and at z w of every opened polynomial of one table (pre, main and aux
 * columns at both points, then the quotient pieces' components at z), in the order the
 * proof carries them: out[c], out[nbo + c], out[2 nbo + k]. Each value is the dot
 * product of the coefficients with the powers of the point, summed lazily (gl3_lazy), columns
 * in parallel: the same field elements as Horner's rule, with one
 * extension-by-base product per coefficient instead of a full extension product.
 * Coefficients on the device (p->coef: the witness columns', the quotient pieces') are
 * evaluated there (mat_eval: the same values, field sums being exact); only their values
 * come back.
 */
static starkml_status ood_values(sm_backend *be, gl3_t *out, const sm_tinfo *x,
                                 const tprover *p, gl3_t z, gl3_t zw, int threads) {
  const size_t nbo = x->n_base_open, nq = 3 * (size_t)x->n_pieces, d = x->d;
  const size_t n_pre = x->user->n_pre, n_main = x->n_main;
  gl3_t *pw = sm_xcalloc(2 * d, sizeof *pw); /* z^i, then (z w)^i, i < D */
  if (pw == NULL) return STARKML_ERR_NOMEM;
  pw[0] = pw[d] = gl3_from_base(1);
  for (size_t i = 1; i < d; i++) {
    pw[i] = gl3_mul(pw[i - 1], z);
    pw[d + i] = gl3_mul(pw[d + i - 1], zw);
  }
  /* Device witness coefficients: pre, main, aux in column order, both points each. */
  size_t first = 0;
  for (int k = 0; k < MAT_QUOT && p->coef[MAT_MAIN].dev != NULL; k++) {
    const sm_be_mat *m = &p->coef[k];
    if (m->cols == 0) continue;
    gl3_t *v = sm_xcalloc(2 * m->cols, sizeof *v);
    if (v == NULL) {
      free(pw);
      return STARKML_ERR_NOMEM;
    }
    starkml_status s = be->ops->mat_eval(be, v, m, pw, d, 2);
    for (size_t c = 0; c < m->cols && s == STARKML_OK; c++) {
      out[first + c] = v[c];
      out[nbo + first + c] = v[m->cols + c];
    }
    free(v);
    if (s != STARKML_OK) {
      free(pw);
      return s;
    }
    first += m->cols;
  }
  /* Device quotient pieces: their first nq columns (not the mask) at z. */
  size_t last = nbo + nq;
  if (p->coef[MAT_QUOT].dev != NULL) {
    sm_be_mat pieces = p->coef[MAT_QUOT];
    pieces.cols = nq;
    starkml_status s = be->ops->mat_eval(be, out + 2 * nbo, &pieces, pw, d, 1);
    if (s != STARKML_OK) {
      free(pw);
      return s;
    }
    last = nbo;
  }
  const long n_jobs = (long)(last - first);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (long j = 0; j < n_jobs; j++) {
    const size_t c = first + (size_t)j;
    const gl_t *coef;
    size_t len = x->n + x->h;
    if (c < n_pre) coef = p->pre_coef + c * d, len = x->n;
    else if (c < n_pre + n_main) coef = p->main_coef + (c - n_pre) * d;
    else if (c < nbo) coef = p->aux_coef + (c - n_pre - n_main) * d;
    else coef = p->quot_coef + (c - nbo) * d, len = d;
    gl3_lazy az, azw;
    memset(&az, 0, sizeof az);
    memset(&azw, 0, sizeof azw);
    for (size_t i = 0; i < len; i++) {
      gl3_lazy_add(&az, &pw[i], coef[i]);
      if (c < nbo) gl3_lazy_add(&azw, &pw[d + i], coef[i]);
    }
    if (c < nbo) {
      out[c] = gl3_lazy_get(&az);
      out[nbo + c] = gl3_lazy_get(&azw);
    } else {
      out[nbo + c] = gl3_lazy_get(&az); /* quotient piece k = c - nbo at 2 nbo + k */
    }
  }
  free(pw);
  return STARKML_OK;
}

/* The DEEP values of sm_be_deep_in on every LDE position: the CPU reference of
   sm_backend_ops.deep, on the matrices' host copies. A block of points is summed column by
   column (sequential reads) with lazy reductions. The prover's weights are successive
   powers of lambda, so the z w weights are the z weights times rho = lambda^nbo and
   sum_c w'_c f_c = rho * sum_c w_c f_c; other weights take a second sum. */
static starkml_status deep_values(gl3_t *out, const sm_be_deep_in *in, int threads) {
  const size_t big = (size_t)1 << in->log_big, nbo = in->n_base_open, nq = in->n_quot;
  const size_t n_pre = in->pre != NULL ? in->pre->cols : 0, n_main = in->main->cols;
  const gl_t *pre = in->pre != NULL ? in->pre->host : NULL, *mn = in->main->host;
  const gl_t *aux = in->aux != NULL ? in->aux->host : NULL, *quot = in->quot->host;
  if ((n_pre > 0 && pre == NULL) || mn == NULL || (nbo > n_pre + n_main && aux == NULL) ||
      quot == NULL)
    return STARKML_ERR_INTERNAL; /* a matrix only on a device without a deep op */
  const gl3_t *w = in->w;
  const gl3_t z = in->z, zw = in->zw, kz = in->kz, kzw = in->kzw, kq = in->kq;
  /* rho with w[nbo + c] = rho w[c] for every c, if there is one. */
  int geometric = nbo > 0 && !gl3_eq(w[0], gl3_from_base(0));
  gl3_t rho = gl3_from_base(0);
  if (geometric) {
    rho = gl3_mul(w[nbo], sm_gl3_inv(w[0]));
    for (size_t c = 0; c < nbo && geometric; c++) geometric = gl3_eq(w[nbo + c], gl3_mul(w[c], rho));
  }
  const size_t blk = big < BLK ? big : BLK;
  const size_t per = 3 * BLK * sizeof(gl3_t) + 3 * BLK * sizeof(gl3_lazy);
  uint8_t *scr = sm_xcalloc((size_t)threads, per);
  if (scr == NULL) return STARKML_ERR_NOMEM;
  gl_t tw[BLK];
  gl_t wn = gl_root_of_unity(in->log_big);
  for (size_t p = 0; p < blk; p++) tw[p] = gl_exp(wn, sm_bitrev(p, in->log_big));
  const gl3_t wmask = w[2 * nbo + nq];
#pragma omp parallel num_threads(threads)
  {
    uint8_t *mine = scr + (size_t)omp_get_thread_num() * per;
    gl3_t *iz = (gl3_t *)mine, *izw = iz + BLK, *bs = izw + BLK;
    gl3_lazy *az = (gl3_lazy *)(bs + BLK), *azw = az + BLK, *aq = azw + BLK;
#pragma omp for schedule(static)
    for (size_t b = 0; b < big / blk; b++) {
      const size_t i0 = b * blk;
      gl_t x0 = gl_mul(in->shift, gl_exp(wn, sm_bitrev(i0, in->log_big)));
      for (size_t p = 0; p < blk; p++) {
        gl3_t xp = gl3_from_base(gl_mul(x0, tw[p]));
        iz[p] = gl3_sub(xp, z);
        izw[p] = gl3_sub(xp, zw);
      }
      sm_air_gl3_batch_inv(iz, iz, blk, bs);
      sm_air_gl3_batch_inv(izw, izw, blk, bs);
      memset(az, 0, 3 * BLK * sizeof *az);
      for (size_t c = 0; c < nbo; c++) {
        const gl_t *col = c < n_pre            ? pre + c * big
                          : c < n_pre + n_main ? mn + (c - n_pre) * big
                                               : aux + (c - n_pre - n_main) * big;
        lazy_column(az, w[c], col + i0, blk);
        if (!geometric) lazy_column(azw, w[nbo + c], col + i0, blk);
      }
      for (size_t c = 0; c < nq; c++) lazy_column(aq, w[2 * nbo + c], quot + c * big + i0, blk);
      for (size_t p = 0; p < blk; p++) {
        const size_t i = i0 + p;
        const gl3_t sz = gl3_lazy_get(&az[p]), sq = gl3_lazy_get(&aq[p]);
        const gl3_t szw = geometric ? gl3_mul(rho, sz) : gl3_lazy_get(&azw[p]);
        gl3_t v = gl3_mul(gl3_sub(sz, kz), iz[p]);
        v = gl3_add(v, gl3_mul(gl3_sub(szw, kzw), izw[p]));
        v = gl3_add(v, gl3_mul(gl3_sub(sq, kq), iz[p]));
        if (in->mask) { /* the mask: lambda^e (r_0 + X r_1 + X^2 r_2) */
          gl3_t r = {{quot[nq * big + i], quot[(nq + 1) * big + i], quot[(nq + 2) * big + i]}};
          v = gl3_add(v, gl3_mul(wmask, r));
        }
        out[i] = v;
      }
    }
  }
  free(scr);
  return STARKML_OK;
}

/* The DEEP values of table x as FRI's input: on the backend's device (tp->deep_mat) when
   it has the op, else on the CPU (tp->deep). */
static starkml_status deep_dispatch(sm_backend *be, const sm_tinfo *x, tprover *tp, gl3_t z,
                                    gl3_t zw, const gl3_t *w, int threads) {
  const size_t nbo = x->n_base_open, nq = 3 * (size_t)x->n_pieces;
  gl3_t k[3];
  sm_deep_constants(k, x, tp->ood, w);
  const gl3_t kz = k[0], kzw = k[1], kq = k[2];
  sm_be_deep_in in = {x->log_big, x->shift,
                      x->user->n_pre > 0 ? &tp->lde[MAT_PRE] : NULL, &tp->lde[MAT_MAIN],
                      x->n_aux > 0 ? &tp->lde[MAT_AUX] : NULL, &tp->lde[MAT_QUOT],
                      nbo, nq, x->n_quot_cols > nq, w, kz, kzw, kq, z, zw};
  if (be != NULL && be->ops->deep != NULL) {
    tp->deep_mat.rows = x->big;
    tp->deep_mat.cols = 3;
    starkml_status s = be->ops->deep(be, &tp->deep_mat, &in);
    if (s == STARKML_OK && tp->deep_mat.dev == NULL) s = STARKML_ERR_INTERNAL;
    if (s != STARKML_OK) sm_be_mat_free(be, &tp->deep_mat);
    return s;
  }
  tp->deep = sm_xcalloc(x->big, sizeof(gl3_t));
  if (tp->deep == NULL) return STARKML_ERR_NOMEM;
  return deep_values(tp->deep, &in, threads);
}

/* ---- proof writing -------------------------------------------------------------------- */

static void w_section(sm_writer *out, uint32_t tag, sm_writer *sec) {
  sm_w_u32(out, tag);
  if (sm_w_status(sec) != STARKML_OK) {
    out->err = sm_w_status(sec);
    return;
  }
  sm_w_u32(out, (uint32_t)sec->len);
  sm_w_bytes(out, sec->buf, sec->len);
}

/* One opened row's values (cols of them) and salt (salts NULL: none). */
static void w_vals(sm_writer *w, const gl_t *vals, size_t cols, size_t row,
                   const uint8_t *salts) {
  for (size_t c = 0; c < cols; c++) sm_w_gl(w, vals[c]);
  if (salts != NULL) sm_w_bytes(w, salts + row * SM_STARK_SALT_LEN, SM_STARK_SALT_LEN);
}

/* The path of leaf `row` up to the tree's cap of height cap_h: u32 length, digests. */
static void w_path(sm_writer *w, const sm_merkle_tree *tree, size_t row, sm_digest *path,
                   unsigned cap_h) {
  if (sm_merkle_path(tree, path, row) != STARKML_OK || cap_h > tree->log_n) {
    w->err = STARKML_ERR_INTERNAL;
    return;
  }
  /* A device tree's path must have been fetched (sm_be_merkle_fetch_paths): its host copy
     is zero elsewhere, and an all-zero SHA3-256 digest does not occur in practice. */
  static const sm_digest unfetched;
  for (unsigned l = 0; tree->dev != NULL && l < tree->log_n - cap_h; l++)
    if (memcmp(path[l].b, unfetched.b, SM_DIGEST_LEN) == 0) {
      w->err = STARKML_ERR_INTERNAL;
      return;
    }
  sm_w_u32(w, tree->log_n - cap_h);
  for (unsigned l = 0; l < tree->log_n - cap_h; l++) sm_w_bytes(w, path[l].b, SM_DIGEST_LEN);
}

/* Which salts stage `stage` of a table uses (NULL: none; preprocessed leaves are public). */
static const uint8_t *stage_salts(const tprover *p, int stage) {
  return stage == SM_STAGE_MAIN  ? p->salt_main
         : stage == SM_STAGE_AUX ? p->salt_aux
         : stage == SM_STAGE_QUOT ? p->salt_quot
                                  : NULL;
}

/* Commits the stage's LDE matrices of all its tables in one mixed-height tree (core/merkle.h;
   tree stays zero when no table has the stage's columns). Salted in zk mode, except the
   preprocessed stage. */
static starkml_status commit_stage(sm_backend *be, sm_merkle_tree *tree, const sm_tinfo *ti,
                                   const tprover *tp, size_t T, int stage,
                                   const sm_stark_options *opt, int threads) {
  unsigned L, cap;
  if (!sm_stage_shape(ti, T, stage, opt->n_queries, &L, &cap)) return STARKML_OK;
  const sm_be_mat *m[SM_STARK_MAX_TABLES];
  const uint8_t *salts[SM_STARK_MAX_TABLES];
  size_t n = 0;
  for (size_t t = 0; t < T; t++)
    if (sm_stage_has(&ti[t], stage)) {
      m[n] = &tp[t].lde[stage];
      salts[n++] = stage_salts(&tp[t], stage);
    }
  const int salted = opt->zk && stage != SM_STAGE_PRE;
  return sm_be_mmcs_commit_mat(be, tree, m, salted ? salts : NULL, n,
                               salted ? SM_STARK_SALT_LEN : 0, cap, threads);
}

/* A tree's cap of height cap_h (2^cap_h digests; a device tree has brought back levels
   0..top_h at its commitment). */
static void w_cap(sm_writer *w, const sm_merkle_tree *tree, unsigned cap_h) {
  if (cap_h > tree->log_n || (tree->dev != NULL && cap_h > tree->top_h)) {
    w->err = STARKML_ERR_INTERNAL;
    return;
  }
  sm_w_bytes(w, sm_merkle_cap(tree, cap_h)->b, ((size_t)SM_DIGEST_LEN) << cap_h);
}

/* ---- the prover ----------------------------------------------------------------------- */

static starkml_status prove_impl(const starkml_ctx *ctx, uint8_t **proof, size_t *proof_len,
                                 const sm_stark_statement *st, const sm_stark_witness *wit,
                                 const sm_stark_options *opt, const uint8_t *seed_in,
                                 sm_stark_tamper_fn tamper, void *tamper_user) {
  if (proof == NULL || proof_len == NULL) return STARKML_ERR_ARG;
  *proof = NULL;
  *proof_len = 0;
  if (ctx == NULL || st == NULL || wit == NULL || wit->main == NULL || opt == NULL ||
      st->n_tables == 0 || st->n_tables > SM_STARK_MAX_TABLES)
    return STARKML_ERR_ARG;
  const int threads = ctx->threads;
  /* Witness coefficients on the device (witness_lde): no host arrays for them. */
  const int host_coef = ctx->backend == NULL || ctx->backend->ops->witness_coef == NULL;
  const size_t T = st->n_tables;
  sm_tinfo *ti = sm_xcalloc(T, sizeof *ti);
  tprover *tp = sm_xcalloc(T, sizeof *tp);
  gl3_t *gpow = NULL, *dw = NULL;
  size_t *qidx = NULL, *rows = NULL;
  sm_digest *path = NULL;
  sm_fri_query_proof *fq = NULL; /* FRI's openings, one per query */
  sm_merkle_tree stree[SM_N_STAGES]; /* one tree per stage (commit_stage) */
  memset(stree, 0, sizeof stree);
  sm_ntt_plan *plan = NULL;
  sm_fri_prover fri;
  memset(&fri, 0, sizeof fri);
  sm_transcript tr;
  sm_tr_init(&tr, SM_STARK_DOMAIN);
  sm_writer out;
  sm_w_init(&out, SM_STARK_MAX_PROOF_BYTES);
  sm_writer sec;
  sm_w_init(&sec, SM_STARK_MAX_PROOF_BYTES);
  starkml_status s = STARKML_OK;
  char why[256];
  unsigned log_big_max = 0;
  uint8_t seed[SM_PRG_SEED_LEN];
  if (ti == NULL || tp == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  if ((s = sm_tinfo_derive(ti, &log_big_max, st, opt, why, sizeof why)) != STARKML_OK) {
    sm_log(ctx, "prove: %s", why);
    goto done;
  }
  if (seed_in != NULL) memcpy(seed, seed_in, sizeof seed);
  else if ((s = sm_prg_os_seed(seed)) != STARKML_OK) goto done;
  if ((s = sm_ntt_plan_create(&plan, log_big_max, threads)) != STARKML_OK) goto done;

  /* The witness must satisfy every table's own constraints (the LogUp ones hold by
     construction): refuse it here, naming the constraint and row, rather than with a
     quotient that is no polynomial. Tables are checked in parallel; the first failing
     table in order is reported. */
  if (tamper == NULL) {
    for (size_t t = 0; t < T; t++)
      if (wit->main[t] == NULL || (ti[t].user->n_pre > 0 && (wit->pre == NULL || wit->pre[t] == NULL))) {
        s = STARKML_ERR_ARG;
        goto done;
      }
    starkml_status *cst = sm_xcalloc(T, sizeof *cst);
    size_t *cpos = sm_xcalloc(2 * T, sizeof *cpos);
    if (cst == NULL || cpos == NULL) {
      free(cst), free(cpos);
      s = STARKML_ERR_NOMEM;
      goto done;
    }
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t t = 0; t < T; t++) {
      const sm_air_table *u = ti[t].user;
      cst[t] = sm_air_check_trace(u, 0, &cpos[2 * t], &cpos[2 * t + 1], u->n_pre ? wit->pre[t] : NULL,
                                  wit->main[t], NULL, st->publics ? st->publics[t] : NULL,
                                  (gl3_t[SM_AIR_N_CHALLENGES]){{{0}}});
    }
    for (size_t t = 0; t < T && s == STARKML_OK; t++) {
      if (cst[t] == STARKML_OK) continue;
      sm_log(ctx, "prove: table %zu (%s): the witness violates constraint %zu at row %zu", t,
             ti[t].user->name, cpos[2 * t + 1], cpos[2 * t]);
      s = cst[t] == STARKML_REJECT ? STARKML_ERR_ARG : cst[t];
    }
    free(cst), free(cpos);
    if (s != STARKML_OK) goto done;
  }

  /* Witness copies (the test hook may alter them) and the preprocessed LDEs. */
  sm_progress(ctx, "prove: check the witness", 0.00);
  for (size_t t = 0; t < T; t++) {
    const sm_tinfo *x = &ti[t];
    const sm_air_table *u = x->user;
    if (wit->main[t] == NULL || (u->n_pre > 0 && (wit->pre == NULL || wit->pre[t] == NULL))) {
      s = STARKML_ERR_ARG;
      goto done;
    }
    tp[t].main_tr = sm_xcalloc((size_t)x->n_main * x->n, sizeof(gl_t));
    if (tp[t].main_tr == NULL) {
      s = STARKML_ERR_NOMEM;
      goto done;
    }
    memcpy(tp[t].main_tr, wit->main[t], (size_t)u->n_main * x->n * sizeof(gl_t));
    if (x->blind_send >= 0) {
      /* Blinding multiplicities (stark_common.c, blind_augment): row 0 of the send columns
         holds this table's edge values r_{send,k}; row 0 of the receive columns holds the
         previous table's, drawn from the same stream so that the blind bus balances. */
      gl_t r_send[SM_STARK_BLIND_K], r_recv[SM_STARK_BLIND_K];
      blind_values(r_send, seed, x->blind_send);
      blind_values(r_recv, seed, x->blind_recv);
      for (size_t k = 0; k < SM_STARK_BLIND_K; k++) {
        tp[t].main_tr[(u->n_main + k) * x->n] = r_send[k];
        tp[t].main_tr[(u->n_main + SM_STARK_BLIND_K + k) * x->n] = r_recv[k];
      }
    }
    if (tamper != NULL) tamper(tamper_user, t, tp[t].main_tr, x->n);
    if (u->n_pre > 0) {
      tp[t].pre_coef = host_coef ? sm_xcalloc((size_t)u->n_pre * x->d, sizeof(gl_t)) : NULL;
      if (host_coef && tp[t].pre_coef == NULL) {
        s = STARKML_ERR_NOMEM;
        goto done;
      }
      sm_tinfo nozk = *x;
      nozk.h = 0;
      if ((s = witness_lde(ctx->backend, plan, tp[t].pre_coef, &tp[t].lde[MAT_PRE],
                           &tp[t].coef[MAT_PRE], wit->pre[t],
                           u->n_pre, &nozk, NULL)) != STARKML_OK)
        goto done;
    }
  }
  if ((s = commit_stage(ctx->backend, &stree[SM_STAGE_PRE], ti, tp, T, SM_STAGE_PRE, opt,
                        threads)) != STARKML_OK)
    goto done;
  if (stree[SM_STAGE_PRE].nodes != NULL &&
      (st->pre_root == NULL ||
       memcmp(sm_merkle_root(&stree[SM_STAGE_PRE]), st->pre_root, SM_DIGEST_LEN) != 0)) {
    sm_log(ctx, "prove: the preprocessed columns do not match the setup");
    s = STARKML_ERR_ARG;
    goto done;
  }
  if ((s = sm_stark_absorb_statement(&tr, st, opt, ti)) != STARKML_OK) goto done;

  /* Main traces: randomize, extend, commit (salted in zk mode). */
  sm_progress(ctx, "prove: commit the traces", 0.10);
  for (size_t t = 0; t < T; t++) {
    const sm_tinfo *x = &ti[t];
    const size_t k = x->n_main;
    char label[64];
    tp[t].main_coef = host_coef ? sm_xcalloc(k * x->d, sizeof(gl_t)) : NULL;
    if (host_coef && tp[t].main_coef == NULL) {
      s = STARKML_ERR_NOMEM;
      goto done;
    }
    sm_prg rng;
    snprintf(label, sizeof label, "zk/main/%zu", t);
    sm_prg_init(&rng, seed, label);
    if ((s = witness_lde(ctx->backend, plan, tp[t].main_coef, &tp[t].lde[MAT_MAIN],
                         &tp[t].coef[MAT_MAIN], tp[t].main_tr, k, x,
                         opt->zk ? &rng : NULL)) != STARKML_OK)
      goto done;
    if (opt->zk) {
      snprintf(label, sizeof label, "salt/main/%zu", t);
      if ((tp[t].salt_main = make_salts(seed, label, x->big, threads)) == NULL) {
        s = STARKML_ERR_NOMEM;
        goto done;
      }
    }
  }
  if ((s = commit_stage(ctx->backend, &stree[SM_STAGE_MAIN], ti, tp, T, SM_STAGE_MAIN, opt,
                        threads)) != STARKML_OK)
    goto done;
  sm_tr_absorb(&tr, "main", sm_merkle_root(&stree[SM_STAGE_MAIN])->b, SM_DIGEST_LEN);
  gl3_t alpha = sm_tr_challenge_gl3(&tr, "logup-alpha");
  gl3_t beta = sm_tr_challenge_gl3(&tr, "logup-beta");

  /* LogUp auxiliary traces. */
  sm_progress(ctx, "prove: LogUp columns", 0.30);
  gl3_t total = gl3_from_base(0);
  for (size_t t = 0; t < T; t++) {
    const sm_tinfo *x = &ti[t];
    if (x->n_aux == 0) continue;
    const sm_air_table *u = x->user;
    tp[t].aux_tr = sm_xcalloc((size_t)x->n_aux * x->n, sizeof(gl3_t));
    gl_t *parts = sm_xcalloc(3 * (size_t)x->n_aux * x->n, sizeof(gl_t));
    tp[t].aux_coef =
        host_coef ? sm_xcalloc(3 * (size_t)x->n_aux * x->d, sizeof(gl_t)) : NULL;
    if (tp[t].aux_tr == NULL || parts == NULL || (host_coef && tp[t].aux_coef == NULL)) {
      free(parts);
      s = STARKML_ERR_NOMEM;
      goto done;
    }
    s = sm_air_logup_aux_trace(&x->ext, tp[t].aux_tr, &tp[t].claimed,
                               u->n_pre ? wit->pre[t] : NULL, tp[t].main_tr,
                               st->publics ? st->publics[t] : NULL, alpha, beta);
    if (s != STARKML_OK) {
      free(parts);
      goto done;
    }
    total = gl3_add(total, tp[t].claimed);
    for (size_t k = 0; k < x->n_aux; k++)
      for (size_t i = 0; i < x->n; i++)
        for (int c = 0; c < 3; c++)
          parts[(3 * k + (size_t)c) * x->n + i] = tp[t].aux_tr[k * x->n + i].v[c];
    char label[64];
    sm_prg rng;
    snprintf(label, sizeof label, "zk/aux/%zu", t);
    sm_prg_init(&rng, seed, label);
    s = witness_lde(ctx->backend, plan, tp[t].aux_coef, &tp[t].lde[MAT_AUX], &tp[t].coef[MAT_AUX],
                    parts, 3 * (size_t)x->n_aux, x, opt->zk ? &rng : NULL);
    free(parts);
    if (s != STARKML_OK) goto done;
    if (opt->zk) {
      snprintf(label, sizeof label, "salt/aux/%zu", t);
      if ((tp[t].salt_aux = make_salts(seed, label, x->big, threads)) == NULL) {
        s = STARKML_ERR_NOMEM;
        goto done;
      }
    }
  }
  if ((s = commit_stage(ctx->backend, &stree[SM_STAGE_AUX], ti, tp, T, SM_STAGE_AUX, opt,
                        threads)) != STARKML_OK)
    goto done;
  if (!gl3_eq(total, gl3_from_base(0)) && tamper == NULL) {
    sm_log(ctx, "prove: the LogUp buses do not balance (a value is looked up that no table "
                "provides, or a multiplicity is wrong)");
    s = STARKML_ERR_ARG;
    goto done;
  }
  if (stree[SM_STAGE_AUX].nodes != NULL)
    sm_tr_absorb(&tr, "aux", sm_merkle_root(&stree[SM_STAGE_AUX])->b, SM_DIGEST_LEN);
  for (size_t t = 0; t < T; t++)
    if (ti[t].n_aux > 0) sm_tr_absorb_gl3(&tr, "claimed-sum", &tp[t].claimed, 1);
  gl3_t gamma = sm_tr_challenge_gl3(&tr, "compose");

  /* Quotients. */
  sm_progress(ctx, "prove: constraint quotients", 0.40);
  size_t n_cons = ti[T - 1].cons_before + ti[T - 1].ext.n_constraints;
  gpow = sm_xcalloc(n_cons, sizeof *gpow);
  if (gpow == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  gpow[0] = gl3_from_base(1);
  for (size_t j = 1; j < n_cons; j++) gpow[j] = gl3_mul(gpow[j - 1], gamma);
  for (size_t t = 0; t < T; t++) {
    const sm_tinfo *x = &ti[t];
    const sm_be_quotient_in in = {&x->ext, x->n_aux, x->log_n, x->log_big, x->log_qdom,
                                  x->shift, x->user->n_pre > 0 ? &tp[t].lde[MAT_PRE] : NULL,
                                  &tp[t].lde[MAT_MAIN], x->n_aux > 0 ? &tp[t].lde[MAT_AUX] : NULL,
                                  st->publics ? st->publics[t] : NULL,
                                  {alpha, beta, tp[t].claimed}, gpow + x->cons_before};
    char label[64];
    sm_prg rng;
    snprintf(label, sizeof label, "zk/quotient/%zu", t);
    sm_prg_init(&rng, seed, label);
    size_t bad = 0;
    if (quotient_on_device(ctx->backend)) {
      s = quotient_commit_dev(ctx->backend, x, &tp[t], &in, opt->zk ? &rng : NULL, tamper != NULL,
                              &bad);
    } else {
      gl3_t *q = sm_xcalloc((size_t)1 << x->log_qdom, sizeof *q);
      s = q == NULL ? STARKML_ERR_NOMEM : quotient_dispatch(ctx->backend, q, &in, threads);
      if (s == STARKML_OK)
        s = quotient_commit(ctx->backend, plan, x, &tp[t], q, opt->zk ? &rng : NULL,
                            tamper != NULL, &bad);
      free(q);
    }
    if (s == STARKML_ERR_ARG && bad > 0) {
      sm_log(ctx, "prove: table %zu (%s): the constraints are not satisfied (quotient is not "
                  "a polynomial)", t, x->user->name);
      goto done;
    }
    if (s != STARKML_OK) goto done;
    if (opt->zk) {
      snprintf(label, sizeof label, "salt/quotient/%zu", t);
      if ((tp[t].salt_quot = make_salts(seed, label, x->big, threads)) == NULL) {
        s = STARKML_ERR_NOMEM;
        goto done;
      }
    }
  }
  if ((s = commit_stage(ctx->backend, &stree[SM_STAGE_QUOT], ti, tp, T, SM_STAGE_QUOT, opt,
                        threads)) != STARKML_OK)
    goto done;
  sm_tr_absorb(&tr, "quotient", sm_merkle_root(&stree[SM_STAGE_QUOT])->b, SM_DIGEST_LEN);

  /* Out-of-domain point and values. */
  sm_progress(ctx, "prove: out-of-domain values", 0.60);
  gl3_t z = sm_tr_challenge_gl3(&tr, "ood");
  for (size_t t = 0; t < T; t++) {
    const sm_tinfo *x = &ti[t];
    gl3_t zw = gl3_mul_base(z, gl_root_of_unity(x->log_n));
    const size_t nbo = x->n_base_open, nq = 3 * (size_t)x->n_pieces;
    tp[t].ood = sm_xcalloc(2 * nbo + nq, sizeof(gl3_t));
    if (tp[t].ood == NULL) {
      s = STARKML_ERR_NOMEM;
      goto done;
    }
    if ((s = ood_values(ctx->backend, tp[t].ood, x, &tp[t], z, zw, threads)) != STARKML_OK)
      goto done;
    sm_tr_absorb_gl3(&tr, "ood-values", tp[t].ood, 2 * nbo + nq);
  }
  gl3_t lambda = sm_tr_challenge_gl3(&tr, "deep");

  /* DEEP composition per table, then FRI over all of them. */
  sm_progress(ctx, "prove: DEEP and FRI", 0.65);
  gl3_t lam_pow = gl3_from_base(1);
  sm_fri_input *inputs = sm_xcalloc(T, sizeof *inputs);
  if (inputs == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  for (size_t t = 0; t < T && s == STARKML_OK; t++) {
    const sm_tinfo *x = &ti[t];
    const size_t nw = 2 * x->n_base_open + 3 * (size_t)x->n_pieces + 1;
    free(dw);
    dw = sm_xcalloc(nw, sizeof *dw);
    if (dw == NULL) {
      s = STARKML_ERR_NOMEM;
      break;
    }
    deep_weights(dw, nw, lambda, &lam_pow);
    gl3_t zw = gl3_mul_base(z, gl_root_of_unity(x->log_n));
    s = deep_dispatch(ctx->backend, x, &tp[t], z, zw, dw, threads);
    inputs[t].log_size = x->log_big;
    inputs[t].values = tp[t].deep;
    inputs[t].mat = tp[t].deep_mat.dev != NULL ? &tp[t].deep_mat : NULL;
  }
  sm_fri_params fp;
  sm_stark_fri_params(&fp, opt, ti, T, threads);
  fp.backend = ctx->backend;
  if (s == STARKML_OK) s = sm_fri__commit(&fri, &tr, plan, &fp, inputs, T, tamper != NULL);
  free(inputs);
  if (s != STARKML_OK) goto done;
  for (size_t t = 0; t < T; t++) { /* FRI's layers hold what the queries open */
    free(tp[t].deep);
    tp[t].deep = NULL;
    sm_be_mat_free(ctx->backend, &tp[t].deep_mat);
  }

  uint64_t nonce = 0;
  if ((s = sm_tr_grind(&tr, &nonce, opt->grinding_bits, threads)) != STARKML_OK) goto done;
  qidx = sm_xcalloc(opt->n_queries, sizeof *qidx);
  path = sm_xcalloc(64, sizeof *path);
  if (qidx == NULL || path == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  sm_tr_challenge_indices(&tr, "queries", qidx, opt->n_queries, log_big_max);

  /* The opened rows and their paths below the cap: the only part of the LDE matrices and of
     their trees that comes back to the host after the commitments. */
  rows = sm_xcalloc(opt->n_queries, sizeof *rows);
  if (rows == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  for (size_t t = 0; t < T; t++) {
    for (uint32_t qi = 0; qi < opt->n_queries; qi++)
      rows[qi] = qidx[qi] >> (log_big_max - ti[t].log_big);
    for (int k = 0; k < MAT_COUNT; k++) {
      const sm_be_mat *m = &tp[t].lde[k];
      if (m->cols == 0) continue;
      if ((tp[t].opened[k] = sm_xcalloc((size_t)opt->n_queries * m->cols, sizeof(gl_t))) == NULL) {
        s = STARKML_ERR_NOMEM;
        goto done;
      }
      if ((s = sm_be_read_rows(ctx->backend, tp[t].opened[k], m, rows, opt->n_queries)) !=
          STARKML_OK)
        goto done;
    }
  }
  for (int g = 0; g < SM_N_STAGES; g++) {
    unsigned L, cap;
    if (!sm_stage_shape(ti, T, g, opt->n_queries, &L, &cap)) continue;
    for (uint32_t qi = 0; qi < opt->n_queries; qi++) rows[qi] = qidx[qi] >> (log_big_max - L);
    if ((s = sm_be_merkle_fetch_paths(ctx->backend, &stree[g], rows, opt->n_queries, cap)) !=
        STARKML_OK)
      goto done;
  }
  /* FRI's layers, likewise: the opened rows and path nodes of all queries at once. */
  if ((fq = sm_xcalloc(opt->n_queries, sizeof *fq)) == NULL) {
    s = STARKML_ERR_NOMEM;
    goto done;
  }
  if ((s = sm_fri_open_batch(fq, &fri, qidx, opt->n_queries)) != STARKML_OK) goto done;

  /* Write the proof. */
  sm_progress(ctx, "prove: write the proof", 0.95);
  sm_w_bytes(&out, SM_STARK_MAGIC, 4);
  sm_w_u32(&out, SM_STARK_PROTOCOL_VERSION);
  sm_w_u32(&sec, opt->log_blowup);
  sm_w_u32(&sec, opt->n_queries);
  sm_w_u32(&sec, opt->grinding_bits);
  sm_w_u32(&sec, opt->zk);
  sm_w_u32(&sec, opt->preset);
  sm_w_u32(&sec, opt->log_arity);
  sm_w_u32(&sec, opt->log_final_degree);
  sm_w_u32(&sec, (uint32_t)T);
  for (size_t t = 0; t < T; t++) {
    sm_table_echo e;
    sm_tinfo_echo(&e, &ti[t]);
    uint32_t words[SM_STARK_ECHO_WORDS];
    sm_echo_to_words(words, &e);
    for (int k = 0; k < SM_STARK_ECHO_WORDS; k++) sm_w_u32(&sec, words[k]);
  }
  w_section(&out, SM_SEC_HEADER, &sec);
  sec.len = 0;
  for (int g = 0; g < SM_N_STAGES; g++) {
    unsigned L, cap;
    if (sm_stage_shape(ti, T, g, opt->n_queries, &L, &cap)) w_cap(&sec, &stree[g], cap);
    if (g == SM_STAGE_AUX)
      for (size_t t = 0; t < T; t++)
        if (ti[t].n_aux > 0) sm_w_gl3(&sec, tp[t].claimed);
  }
  w_section(&out, SM_SEC_COMMITMENTS, &sec);
  sec.len = 0;
  for (size_t t = 0; t < T; t++)
    for (size_t c = 0; c < 2 * ti[t].n_base_open + 3 * (size_t)ti[t].n_pieces; c++)
      sm_w_gl3(&sec, tp[t].ood[c]);
  w_section(&out, SM_SEC_OOD, &sec);
  sec.len = 0;
  sm_fri_write_commitment(&sec, fri.roots, fri.sched.n_layers, fri.final_coeffs,
                          fri.sched.n_final);
  w_section(&out, SM_SEC_FRI, &sec);
  sec.len = 0;
  sm_w_u64(&sec, nonce);
  w_section(&out, SM_SEC_POW, &sec);
  sec.len = 0;
  sm_w_u32(&sec, opt->n_queries);
  for (uint32_t qi = 0; qi < opt->n_queries && sm_w_status(&sec) == STARKML_OK; qi++) {
    for (size_t t = 0; t < T; t++) {
      const sm_tinfo *x = &ti[t];
      const size_t row = qidx[qi] >> (log_big_max - x->log_big);
      const size_t np = x->user->n_pre, nm = x->n_main, na = 3 * (size_t)x->n_aux;
      const size_t nq = x->n_quot_cols;
      if (np > 0) w_vals(&sec, tp[t].opened[MAT_PRE] + qi * np, np, row, NULL);
      w_vals(&sec, tp[t].opened[MAT_MAIN] + qi * nm, nm, row, tp[t].salt_main);
      if (na > 0) w_vals(&sec, tp[t].opened[MAT_AUX] + qi * na, na, row, tp[t].salt_aux);
      w_vals(&sec, tp[t].opened[MAT_QUOT] + qi * nq, nq, row, tp[t].salt_quot);
    }
    for (int g = 0; g < SM_N_STAGES; g++) {
      unsigned L, cap;
      if (sm_stage_shape(ti, T, g, opt->n_queries, &L, &cap))
        w_path(&sec, &stree[g], qidx[qi] >> (log_big_max - L), path, cap);
    }
    if ((s = sm_fri_write_query_proof(&sec, &fri.sched, &fq[qi])) != STARKML_OK) goto done;
  }
  w_section(&out, SM_SEC_QUERIES, &sec);
  if ((s = sm_w_status(&out)) != STARKML_OK) {
    if (s == STARKML_ERR_ARG) sm_log(ctx, "prove: the proof exceeds the size cap");
    goto done;
  }
  *proof = out.buf;
  *proof_len = out.len;
  out.buf = NULL;

done:
  if (s == STARKML_ERR_BACKEND || (s == STARKML_ERR_NOMEM && ctx->backend != NULL))
    sm_log(ctx, "prove: the %s backend failed: %s", sm_be_name(ctx->backend),
           sm_be_last_error(ctx->backend)[0] ? sm_be_last_error(ctx->backend)
                                             : starkml_strerror(s));
  if (tp != NULL)
    for (size_t t = 0; t < T; t++) tprover_free(&tp[t], ctx->backend);
  for (int g = 0; g < SM_N_STAGES; g++) sm_be_merkle_tree_free(ctx->backend, &stree[g]);
  if (ti != NULL) sm_tinfo_free(ti, T);
  for (uint32_t qi = 0; fq != NULL && qi < opt->n_queries; qi++) sm_fri_query_proof_free(&fq[qi]);
  free(ti), free(tp), free(gpow), free(dw), free(qidx), free(rows), free(path), free(fq);
  sm_fri_prover_free(&fri);
  sm_ntt_plan_free(plan);
  sm_tr_free(&tr);
  sm_w_free(&out);
  sm_w_free(&sec);
  memset(seed, 0, sizeof seed);
  return s;
}

starkml_status sm_stark_prove(const starkml_ctx *ctx, uint8_t **proof, size_t *proof_len,
                              const sm_stark_statement *st, const sm_stark_witness *w,
                              const sm_stark_options *opt, const uint8_t *seed) {
  return prove_impl(ctx, proof, proof_len, st, w, opt, seed, NULL, NULL);
}

starkml_status sm_stark_prove_tampered(const starkml_ctx *ctx, uint8_t **proof,
                                       size_t *proof_len, const sm_stark_statement *st,
                                       const sm_stark_witness *w, const sm_stark_options *opt,
                                       const uint8_t *seed, sm_stark_tamper_fn fn,
                                       void *user) {
  if (fn == NULL) return STARKML_ERR_ARG;
  return prove_impl(ctx, proof, proof_len, st, w, opt, seed, fn, user);
}

starkml_status sm_stark_setup(const starkml_ctx *ctx, sm_digest *root,
                              const sm_stark_statement *st, const sm_stark_witness *w,
                              const sm_stark_options *opt) {
  if (root == NULL || st == NULL) return STARKML_ERR_ARG;
  memset(root, 0, sizeof *root);
  if (ctx == NULL || w == NULL || opt == NULL || st->n_tables == 0 ||
      st->n_tables > SM_STARK_MAX_TABLES)
    return STARKML_ERR_ARG;
  const size_t T = st->n_tables;
  sm_tinfo *ti = sm_xcalloc(T, sizeof *ti);
  tprover *tp = sm_xcalloc(T, sizeof *tp);
  if (ti == NULL || tp == NULL) {
    free(ti), free(tp);
    return STARKML_ERR_NOMEM;
  }
  unsigned log_big_max;
  char why[256];
  sm_stark_statement st2 = *st;
  st2.pre_root = root; /* not read by the derivation */
  starkml_status s = sm_tinfo_derive(ti, &log_big_max, &st2, opt, why, sizeof why);
  if (s != STARKML_OK) {
    sm_log(ctx, "setup: %s", why);
    free(ti), free(tp);
    return s;
  }
  sm_ntt_plan *plan = NULL;
  s = sm_ntt_plan_create(&plan, log_big_max, ctx->threads);
  /* Every table's preprocessed LDE as the prover makes it, then their one tree. */
  for (size_t t = 0; t < T && s == STARKML_OK; t++) {
    const sm_tinfo *x = &ti[t];
    if (x->user->n_pre == 0) continue;
    if (w->pre == NULL || w->pre[t] == NULL) {
      s = STARKML_ERR_ARG;
      break;
    }
    gl_t *coef = sm_xcalloc((size_t)x->user->n_pre * x->d, sizeof(gl_t));
    sm_tinfo nozk = *x;
    nozk.h = 0;
    s = coef == NULL ? STARKML_ERR_NOMEM
                     : witness_lde(ctx->backend, plan, coef, &tp[t].lde[MAT_PRE], NULL,
                                   w->pre[t], x->user->n_pre, &nozk, NULL);
    free(coef);
  }
  sm_merkle_tree tree;
  memset(&tree, 0, sizeof tree);
  if (s == STARKML_OK)
    s = commit_stage(ctx->backend, &tree, ti, tp, T, SM_STAGE_PRE, opt, ctx->threads);
  if (s == STARKML_OK && tree.nodes != NULL) *root = *sm_merkle_root(&tree);
  sm_be_merkle_tree_free(ctx->backend, &tree);
  for (size_t t = 0; t < T; t++) tprover_free(&tp[t], ctx->backend);
  sm_ntt_plan_free(plan);
  sm_tinfo_free(ti, T);
  free(ti), free(tp);
  if (s != STARKML_OK) memset(root, 0, sizeof *root);
  return s;
}

starkml_status sm_stark_domains(unsigned *log_big, unsigned *log_big_max,
                                const sm_stark_statement *st, const sm_stark_options *opt) {
  if (log_big == NULL || log_big_max == NULL || st == NULL) return STARKML_ERR_ARG;
  *log_big_max = 0;
  if (st->n_tables == 0 || st->n_tables > SM_STARK_MAX_TABLES) return STARKML_ERR_ARG;
  sm_tinfo *ti = sm_xcalloc(st->n_tables, sizeof *ti);
  if (ti == NULL) return STARKML_ERR_NOMEM;
  starkml_status s = sm_tinfo_derive(ti, log_big_max, st, opt, NULL, 0);
  for (size_t t = 0; s == STARKML_OK && t < st->n_tables; t++) log_big[t] = ti[t].log_big;
  if (s == STARKML_OK) sm_tinfo_free(ti, st->n_tables);
  free(ti);
  return s;
}
