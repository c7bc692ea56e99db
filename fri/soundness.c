/*
 * Soundness calculator (see soundness.h and docs/soundness.md).
 *
 * Every quantity is handled as log2 in double precision: the errors span 2^-300..1 and
 * domain sizes reach 2^62, far past any integer type's comfort, while double's 53-bit
 * mantissa keeps a log2 exact to ~1e-13 bits, well below the whole bit that is reported.
 *
 * Notation (as in the ethSTARK documentation and Haboeck's FRI summary, eprint 2022/1216):
 *   F      the challenge field, |F| = 2^field_bits
 *   n      degree bound of the trace polynomials, D the LDE domain, |D| = n*B, rho = 1/B
 *   k      number of out-of-domain points, rho+ = (n + k)/|D|
 *   d      largest constraint degree, C constraints, N committed polynomials
 *   q      queries, g grinding bits, a fold arity
 *   m      Guruswami-Sudan multiplicity (list-decoding proximity) parameter, m >= 3
 */
#include "fri/soundness.h"

#include <math.h>
#include <string.h>

/* A figure within this many bits of an integer is rounded to it: 192 - 27 stays 165 bits
 * whether |F| is taken as 2^192 or as p^3 = 2^(192 - 1e-9). */
#define SM_SOUNDNESS_BITS_EPS 1e-6
/* BCIKS20 Theorem 1.5 (and everything built on it) needs m >= 3. */
#define SM_M_MIN 3u
/* Searching m past this gains nothing: the commit-phase error grows like m^5..m^7 while the
 * query error improves by less than q/(2m ln 2) bits. Winterfell and soundcalc cap at 1000. */
#define SM_M_MAX 1000u
/* The presets give up beyond this many queries (the proof would be absurdly large). */
#define SM_PRESET_MAX_QUERIES 1024u

starkml_status sm_soundness_check(const sm_soundness_params *p) {
  if (p == NULL) return STARKML_ERR_ARG;
  if (!isfinite(p->field_bits) || p->field_bits <= 0.0 || p->field_bits > 4096.0)
    return STARKML_ERR_ARG;
  if (p->hash_bits < 2u || p->hash_bits > 4096u) return STARKML_ERR_ARG;
  if (p->log_blowup < 1u || p->log_blowup > 30u) return STARKML_ERR_ARG;
  if (p->num_queries < 1u || p->num_queries > 65536u) return STARKML_ERR_ARG;
  if (p->grinding_bits > 128u) return STARKML_ERR_ARG;
  if (p->fold_arity < 2u || p->fold_arity > 256u || (p->fold_arity & (p->fold_arity - 1u)) != 0)
    return STARKML_ERR_ARG;
  if (p->ali_batching != SM_BATCH_POWERS && p->ali_batching != SM_BATCH_INDEPENDENT)
    return STARKML_ERR_ARG;
  if (p->deep_batching != SM_BATCH_POWERS && p->deep_batching != SM_BATCH_INDEPENDENT)
    return STARKML_ERR_ARG;
  if (p->proxgap != SM_PROXGAP_BEST && p->proxgap != SM_PROXGAP_BCIKS20) return STARKML_ERR_ARG;
  if (p->log_trace_len < 1u || p->log_trace_len + p->log_blowup > 62u) return STARKML_ERR_ARG;
  if (p->max_degree < 1u || p->max_degree > 65536u) return STARKML_ERR_ARG;
  if (p->num_constraints < 1u || p->num_committed_polys < 1u) return STARKML_ERR_ARG;
  if (p->num_ood_points < 1u || p->num_ood_points > 1024u) return STARKML_ERR_ARG;
  if (p->logup_tuple_width < 1u) return STARKML_ERR_ARG;
  /* rho+ < 1: the DEEP quotients must still be a proper code on D. */
  if ((double)p->num_ood_points >= ldexp(1.0, (int)p->log_trace_len) *
                                       (ldexp(1.0, (int)p->log_blowup) - 1.0))
    return STARKML_ERR_ARG;
  return STARKML_OK;
}

/* log2 of the number of bad challenges a batching step adds: N - 1 for powers of one
 * challenge (a nonzero polynomial of degree N - 1 in it), 1 for independent coefficients. */
static double sm_log2_batch(sm_batching b, uint64_t count) {
  if (b == SM_BATCH_INDEPENDENT || count <= 2u) return 0.0;
  return log2((double)(count - 1u));
}

static double sm_terms_min(const sm_soundness_terms *t) {
  double v = t->ali;
  v = fmin(v, t->deep);
  v = fmin(v, t->logup);
  v = fmin(v, t->fri_batch);
  v = fmin(v, t->fri_fold);
  v = fmin(v, t->fri_query);
  v = fmin(v, t->hash);
  return v;
}

static unsigned sm_floor_bits(double v) {
  if (!(v > 0.0)) return 0u;
  if (v > 65535.0) return 65535u;
  return (unsigned)floor(v + SM_SOUNDNESS_BITS_EPS);
}

/* What every regime shares, precomputed once. */
typedef struct {
  double fb;          /* log2 |F| */
  double n;           /* degree bound */
  double log_dom;     /* log2 |D| */
  double dom;         /* |D| */
  double rho;         /* 1/B */
  double rho_plus;    /* (n + k)/|D| */
  double log_deep;    /* log2(d (n + k - 1) + (n - 1)): roots of the DEEP identity in z */
  double log_logup;   /* log2((lookups + table rows) * width), -INFINITY without lookups */
  double ali_batch;   /* log2 of the ALI batching factor */
  double deep_batch;  /* log2 of the DEEP-into-FRI batching factor */
  double arity;       /* fold arity */
  double hash;        /* collision bits */
  double q, g;        /* queries, grinding bits */
} sm_ctx_;

/*
 * log2 of the correlated-agreement error count (error * |F|) for one batching / folding
 * step over a domain of size `dom`, in the Johnson regime at parameter m, i.e. for agreement
 * alpha = (1 + 1/(2m)) sqrt(rho).
 *  - BCIKS20 Theorem 1.5: (m + 1/2)^7 / (3 rho^(3/2)) * dom^2.
 *  - BCHKS25 Theorem 4.2 (eprint 2025/2055), in the form ethereum/soundcalc implements:
 *    ((2 (M + 1/2)^5 + 3 (M + 1/2) gamma rho) dom / (3 rho^(3/2)) + (M + 1/2)/sqrt(rho)),
 *    gamma = 1 - alpha. Secondary sources disagree on whether M is m or ceil(sqrt(rho)/eta)
 *    = 2m for the same alpha; we take M = 2m, the larger error, so either reading is covered.
 */
static double sm_log2_ca(const sm_ctx_ *c, sm_proxgap_bound bound, double m, double dom) {
  double sr = sqrt(c->rho);
  double bciks = 7.0 * log2(m + 0.5) - log2(3.0) - 1.5 * log2(c->rho) + 2.0 * log2(dom);
  if (bound == SM_PROXGAP_BCIKS20) return bciks;
  double mm = 2.0 * m + 0.5;
  double gamma = 1.0 - (1.0 + 0.5 / m) * sr;
  double bchks = log2((2.0 * pow(mm, 5.0) + 3.0 * mm * gamma * c->rho) * dom /
                          (3.0 * c->rho * sr) +
                      mm / sr);
  return fmin(bciks, bchks);
}

/* The list-decoding regime at one m (eprint 2024/1553 Theorem 2, after Winterfell).
 * Returns 0 when m is outside the range the list-size bound covers (n <= 2m). */
static int sm_ldr_terms(sm_soundness_terms *t, const sm_ctx_ *c, const sm_soundness_params *p,
                        double m) {
  double denom = c->rho - 2.0 * m / c->dom;
  if (!(denom > 0.0)) return 0;
  /* Johnson-bound list size with the finite-length correction, as in Winterfell: the number
   * of codewords a committed word can be close to at the proximity FRI tests. Every
   * challenge drawn before the proof is pinned to one of them pays this factor. */
  double log_l = log2(m / denom);
  double sr_plus = sqrt(c->rho_plus);
  t->ali = c->fb - log_l - c->ali_batch;
  t->deep = c->fb - 2.0 * log_l - c->log_deep;
  t->logup = isinf(c->log_logup) ? INFINITY : c->fb - log_l - c->log_logup;
  t->fri_batch = c->fb - sm_log2_ca(c, p->proxgap, m, c->dom) - c->deep_batch;
  /* Worst folding round: the first, over D, combining `arity` functions with powers of one
   * challenge (arity - 1 bad values per candidate), bounded both by correlated agreement on
   * the folded domain and by the per-round term of Haboeck's eq. (7),
   * (2m + 1)(|D| + 1)/sqrt(rho). Later rounds have smaller domains and smaller errors. */
  double log_a1 = log2(c->arity - 1.0);
  double fold_ca = log_a1 + sm_log2_ca(c, p->proxgap, m, c->dom / c->arity);
  double fold_rb = log_a1 + log2((2.0 * m + 1.0) * (c->dom + 1.0) / sqrt(c->rho));
  t->fri_fold = c->fb - fmax(fold_ca, fold_rb);
  /* A query misses a word alpha-far from the code with probability alpha; alpha is taken
   * against rho+ (the DEEP quotients' code), which also makes every m >= 3 admissible. */
  double alpha = (1.0 + 0.5 / m) * sr_plus;
  t->fri_query = c->g - c->q * log2(alpha);
  t->hash = c->hash;
  return 1;
}

/* With full = 0 the list-decoding search stops once the margin has fallen a whole bit below
   the best (see the loop); full = 1 scans every m (sm_soundness__compute_full, for tests). */
static void compute(sm_soundness_bits *out, const sm_soundness_params *p, int full) {
  if (out == NULL) return;
  memset(out, 0, sizeof *out);
  if (sm_soundness_check(p) != STARKML_OK) return;

  sm_ctx_ c;
  c.fb = p->field_bits;
  c.n = ldexp(1.0, (int)p->log_trace_len);
  c.log_dom = (double)(p->log_trace_len + p->log_blowup);
  c.dom = ldexp(1.0, (int)(p->log_trace_len + p->log_blowup));
  c.rho = ldexp(1.0, -(int)p->log_blowup);
  double k = (double)p->num_ood_points;
  c.rho_plus = (c.n + k) / c.dom;
  c.log_deep = log2((double)p->max_degree * (c.n + k - 1.0) + (c.n - 1.0));
  double lookups = (double)p->logup_num_lookups + (double)p->logup_table_size;
  c.log_logup = lookups > 0.0 ? log2(lookups * (double)p->logup_tuple_width) : -INFINITY;
  c.ali_batch = sm_log2_batch(p->ali_batching, p->num_constraints);
  c.deep_batch = sm_log2_batch(p->deep_batching, p->num_committed_polys);
  c.arity = (double)p->fold_arity;
  c.hash = (double)p->hash_bits / 2.0;
  c.q = (double)p->num_queries;
  c.g = (double)p->grinding_bits;

  /* Conjectured (ethSTARK documentation, section 5.10, eq. (19); Winterfell's
   * ConjecturedSecurity): each query is worth log2(B) bits, and the commit phase errs with
   * probability about |D|/|F| per batched item (list size 1 up to capacity). */
  sm_soundness_terms *cj = &out->conjectured;
  double log_a1 = log2(c.arity - 1.0);
  cj->ali = c.fb - c.ali_batch;
  cj->deep = c.fb - c.log_deep;
  cj->logup = isinf(c.log_logup) ? INFINITY : c.fb - c.log_logup;
  cj->fri_batch = c.fb - c.log_dom - c.deep_batch;
  cj->fri_fold = c.fb - (c.log_dom - log2(c.arity)) - log_a1;
  cj->fri_query = c.q * (double)p->log_blowup + c.g;
  cj->hash = c.hash;
  out->conjectured_bits = sm_floor_bits(sm_terms_min(cj));

  /* Unique decoding (eprint 2024/1553 Theorem 3, after Winterfell): list size 1; the
   * batching and folding steps err on at most (count - 1)(|D| + 1) challenges (BCIKS20
   * Theorem 1.2 / 1.4); a query misses with probability (1 + rho+)/2. */
  sm_soundness_terms *ud = &out->unique_decoding;
  ud->ali = c.fb - c.ali_batch;
  ud->deep = c.fb - c.log_deep;
  ud->logup = isinf(c.log_logup) ? INFINITY : c.fb - c.log_logup;
  ud->fri_batch = c.fb - c.log_dom - c.deep_batch;
  ud->fri_fold = c.fb - log_a1 - log2(c.dom + 1.0);
  ud->fri_query = c.g - c.q * log2((1.0 + c.rho_plus) / 2.0);
  ud->hash = c.hash;
  out->unique_decoding_bits = sm_floor_bits(sm_terms_min(ud));

  /*
   * List decoding: the bound holds for every admissible m; report the best. Every term but
   * fri_query falls or stays as m grows (the list size m / (rho - 2m/|D|) and the
   * correlated-agreement and folding errors grow with m; the hash term is constant) and
   * fri_query rises (alpha = (1 + 1/(2m)) sqrt(rho+) shrinks), so their minimum v(m) does
   * not fall while fri_query is the least term and does not rise from then on: one peak.
   * Once v is a whole bit below the best, no later m can reach the best (the bit is far
   * above rounding), and the search stops there instead of at SM_M_MAX; the result is the
   * full scan's, which a test checks.
   */
  double best = -INFINITY;
  for (unsigned m = SM_M_MIN; m <= SM_M_MAX; m++) {
    sm_soundness_terms t;
    if (!sm_ldr_terms(&t, &c, p, (double)m)) break; /* larger m only shrinks the margin */
    double v = sm_terms_min(&t);
    if (v > best) {
      best = v;
      out->best_m = m;
      out->provable = t;
    } else if (!full && v < best - 1.0) {
      break;
    }
  }
  out->provable_bits = out->best_m != 0u ? sm_floor_bits(best) : 0u;
}

void sm_soundness_compute(sm_soundness_bits *out, const sm_soundness_params *p) {
  compute(out, p, 0);
}

void sm_soundness__compute_full(sm_soundness_bits *out, const sm_soundness_params *p) {
  compute(out, p, 1);
}

int sm_soundness_meets(const sm_soundness_bits *bits, sm_preset target) {
  if (bits == NULL) return 0;
  switch (target) {
    case SM_PRESET_SECURE:
      return bits->provable_bits >= SM_SECURE_TARGET_BITS ||
             bits->unique_decoding_bits >= SM_SECURE_TARGET_BITS;
    case SM_PRESET_FAST:
      return bits->conjectured_bits >= SM_FAST_TARGET_BITS;
  }
  return 0;
}

static int sm_preset_ok(sm_soundness_params *p, sm_preset preset, unsigned q) {
  sm_soundness_bits b;
  p->num_queries = q;
  sm_soundness_compute(&b, p);
  return sm_soundness_meets(&b, preset);
}

starkml_status sm_soundness_preset(sm_soundness_params *out, sm_preset preset,
                                   unsigned log_trace_len, unsigned max_degree) {
  if (out == NULL) return STARKML_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (preset != SM_PRESET_SECURE && preset != SM_PRESET_FAST) return STARKML_ERR_ARG;
  if (log_trace_len < 3u || log_trace_len > 40u || max_degree < 1u || max_degree > 64u)
    return STARKML_ERR_ARG;

  sm_soundness_params p;
  memset(&p, 0, sizeof p);
  p.field_bits = SM_FIELD_BITS_GOLDILOCKS3;
  p.hash_bits = SM_HASH_BITS_SHA3_256;
  /* Grinding: 16 bits for both presets (Plonky2's figure). Each bit of grinding doubles
   * the prover's expected proof of work and saves about 2/3 of a query at blowup 8
   * (provable regime): 20 bits cost about 80 ms of 4-way SHA3 on two cores, a tenth to a
   * quarter of a zkML proof, to save 3 of 76 queries. */
  p.grinding_bits = 16u;
  /* Binary folding: the LDE's bit-reversed layout puts x and -x in adjacent rows. */
  p.fold_arity = 2u;
  p.ali_batching = SM_BATCH_POWERS;
  p.deep_batching = SM_BATCH_POWERS;
  p.proxgap = SM_PROXGAP_BEST;
  p.log_trace_len = log_trace_len;
  p.max_degree = max_degree;
  p.num_constraints = SM_PRESET_MAX_CONSTRAINTS;
  p.num_committed_polys = SM_PRESET_MAX_COMMITTED_POLYS;
  p.num_ood_points = 2u;
  p.logup_num_lookups = SM_PRESET_MAX_LOGUP_TERMS;
  p.logup_table_size = 0u; /* counted within SM_PRESET_MAX_LOGUP_TERMS */
  p.logup_tuple_width = SM_PRESET_MAX_LOGUP_WIDTH;

  /* Blowup 8 (ethSTARK's and Winterfell's usual choice: a good balance of proof size and
   * prover time), raised when the quotient of a degree-d constraint, of degree (d - 1) n,
   * does not fit on the LDE domain. If the target is out of reach there (a huge trace), one
   * or two larger blowups are tried. */
  unsigned base = 3u;
  while ((1u << base) < max_degree - 1u) base++;
  for (unsigned lb = base; lb <= base + 2u; lb++) {
    p.log_blowup = lb;
    p.num_queries = 1u;
    if (sm_soundness_check(&p) != STARKML_OK) break;
    if (!sm_preset_ok(&p, preset, SM_PRESET_MAX_QUERIES)) continue;
    /* Bits never decrease with more queries: binary search for the fewest that suffice. */
    unsigned lo = 1u, hi = SM_PRESET_MAX_QUERIES;
    while (lo < hi) {
      unsigned mid = lo + (hi - lo) / 2u;
      if (sm_preset_ok(&p, preset, mid))
        hi = mid;
      else
        lo = mid + 1u;
    }
    p.num_queries = lo;
    *out = p;
    return STARKML_OK;
  }
  return STARKML_ERR_ARG;
}
