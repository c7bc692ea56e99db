/*
 * Output predicates (see air/predicate.h): a small recursive-descent parser over the
 * four text forms, and the canonical formatter.
 *
 * The parser checks the grammar of every number itself before it hands the exact span
 * to strtod, so strtod's extensions (leading whitespace, "inf", "nan", hexadecimal
 * floats) never get a chance to accept something the grammar does not.
 */
#include "air/predicate.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMS "argmax==K, y[I]>=T, y[I]<=T or LO<=y[I]<=HI"

/* ---- Numbers ------------------------------------------------------------------------- */

/* Writes the shortest of %.15g, %.16g, %.17g that reads back as exactly x (x finite). */
static void format_number(char out[32], double x) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(out, 32, "%.*g", prec, x);
    double back = strtod(out, NULL);
    if (memcmp(&back, &x, sizeof x) == 0) return;
  }
}

/* -0 becomes +0 so that one predicate has one encoding. */
static double no_negative_zero(double x) { return x == 0.0 ? 0.0 : x; }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* 1 when s (of n bytes) starts with word, ignoring ASCII case. */
static int starts_with_nocase(const char *s, size_t n, const char *word) {
  size_t k = strlen(word);
  if (n < k) return 0;
  for (size_t i = 0; i < k; i++)
    if (lower(s[i]) != word[i]) return 0;
  return 1;
}

/* ---- Parser state and messages ------------------------------------------------------ */

typedef struct {
  const char *s; /* the whole text */
  size_t n;      /* its length */
  size_t pos;    /* the next byte to read */
  char *why;
  size_t why_len;
} pstate;

/* Writes up to max bytes of src as printable ASCII ('\'' and '\\' escaped, other bytes
   outside 0x20..0x7e as \xNN), with "..." when cut short. */
static void quote(char *dst, size_t dst_len, const char *src, size_t n, size_t max) {
  size_t o = 0;
  dst[0] = '\0';
  for (size_t i = 0; i < n && i < max; i++) {
    unsigned char c = (unsigned char)src[i];
    char piece[8];
    if (c == '\'' || c == '\\')
      snprintf(piece, sizeof piece, "\\%c", c);
    else if (c < 0x20 || c > 0x7e)
      snprintf(piece, sizeof piece, "\\x%02x", c);
    else
      snprintf(piece, sizeof piece, "%c", c);
    size_t k = strlen(piece);
    if (o + k + 4 > dst_len) break; /* room for "..." and the NUL */
    memcpy(dst + o, piece, k + 1);
    o += k;
  }
  if (n > max && o + 4 <= dst_len) memcpy(dst + o, "...", 4);
}

/* Writes "predicate 'TEXT': MESSAGE" into why and returns STARKML_ERR_PARSE. */
static starkml_status fail(const pstate *ps, const char *fmt, ...) {
  if (ps->why != NULL && ps->why_len > 0) {
    char q[200], msg[256];
    quote(q, sizeof q, ps->s, ps->n, 64);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ps->why, ps->why_len, "predicate '%s': %s", q, msg);
  }
  return STARKML_ERR_PARSE;
}

/* The text read so far, without surrounding spaces (valid tokens only, so printable). */
static const char *so_far(const pstate *ps, char *buf, size_t len) {
  size_t a = 0, b = ps->pos;
  while (a < b && ps->s[a] == ' ') a++;
  while (b > a && ps->s[b - 1] == ' ') b--;
  quote(buf, len, ps->s + a, b - a, 64);
  return buf;
}

static void skip_spaces(pstate *ps) {
  while (ps->pos < ps->n && ps->s[ps->pos] == ' ') ps->pos++;
}

/* Skips spaces, then consumes tok if it comes next. Returns 1 when it did. */
static int accept(pstate *ps, const char *tok) {
  skip_spaces(ps);
  size_t k = strlen(tok);
  if (ps->n - ps->pos >= k && memcmp(ps->s + ps->pos, tok, k) == 0) {
    ps->pos += k;
    return 1;
  }
  return 0;
}

/* Consumes tok or fails with "expected 'tok' after ...". */
static starkml_status expect(pstate *ps, const char *tok) {
  if (accept(ps, tok)) return STARKML_OK;
  char after[200];
  return fail(ps, "expected '%s' after %s", tok, so_far(ps, after, sizeof after));
}

/* Reads a decimal index below SM_PRED_MAX_INDEX; what names it in messages. */
static starkml_status parse_index(pstate *ps, uint32_t *out, const char *what) {
  char after[200];
  skip_spaces(ps);
  size_t start = ps->pos;
  uint32_t v = 0;
  int too_big = 0;
  while (ps->pos < ps->n && is_digit(ps->s[ps->pos])) {
    v = v * 10u + (uint32_t)(ps->s[ps->pos] - '0');
    if (v >= SM_PRED_MAX_INDEX) {
      too_big = 1;
      v = SM_PRED_MAX_INDEX; /* stays small: no overflow however many digits follow */
    }
    ps->pos++;
  }
  if (ps->pos == start) {
    return fail(ps, "expected %s (a decimal integer below %u) after %s", what,
                SM_PRED_MAX_INDEX, so_far(ps, after, sizeof after));
  }
  if (too_big) {
    char num[200];
    quote(num, sizeof num, ps->s + start, ps->pos - start, 24);
    return fail(ps, "%s %s is too large (the largest is %u)", what, num, SM_PRED_MAX_INDEX - 1);
  }
  *out = v;
  return STARKML_OK;
}

/*
 * Reads a finite decimal number: [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits].
 * Infinities, NaN and hexadecimal floats get a message of their own.
 */
static starkml_status parse_number(pstate *ps, double *out) {
  char after[200], tok[200];
  skip_spaces(ps);
  /* Message context: what came before the number ("" at the start of the text). */
  so_far(ps, after, sizeof after);
  const char *ctx = after[0] != '\0' ? " after " : "";
  const char *s = ps->s;
  size_t start = ps->pos, p = ps->pos, n = ps->n;
  if (p < n && (s[p] == '+' || s[p] == '-')) p++;
  if (starts_with_nocase(s + p, n - p, "inf") || starts_with_nocase(s + p, n - p, "nan")) {
    return fail(ps, "expected a decimal number%s%s: infinity and NaN are not allowed", ctx,
                after);
  }
  size_t digits = 0, int_start = p;
  while (p < n && is_digit(s[p])) p++, digits++;
  /* "0x...": strtod would read a hexadecimal float. */
  if (p == int_start + 1 && s[int_start] == '0' && p < n && (s[p] == 'x' || s[p] == 'X')) {
    return fail(ps, "expected a decimal number%s%s: hexadecimal numbers are not allowed", ctx,
                after);
  }
  if (p < n && s[p] == '.') {
    p++;
    while (p < n && is_digit(s[p])) p++, digits++;
  }
  if (digits == 0) return fail(ps, "expected a number%s%s", ctx, after);
  if (p < n && (s[p] == 'e' || s[p] == 'E')) {
    size_t e = p + 1, exp_digits = 0;
    if (e < n && (s[e] == '+' || s[e] == '-')) e++;
    while (e < n && is_digit(s[e])) e++, exp_digits++;
    if (exp_digits == 0) {
      quote(tok, sizeof tok, s + start, e - start, 32);
      return fail(ps, "number '%s' has an exponent without digits", tok);
    }
    p = e;
  }
  quote(tok, sizeof tok, s + start, p - start, 32);
  errno = 0;
  char *end = NULL;
  double v = strtod(s + start, &end);
  /* strtod reads at least the span checked above; a different end means a locale whose
     decimal point is not '.', which would misread numbers silently. */
  if (end != s + p) return fail(ps, "cannot read number '%s' (is LC_NUMERIC not \"C\"?)", tok);
  if (!isfinite(v)) return fail(ps, "number '%s' is out of range (not a finite double)", tok);
  ps->pos = p;
  *out = no_negative_zero(v);
  return STARKML_OK;
}

/* After a complete predicate only spaces may follow. */
static starkml_status expect_end(pstate *ps) {
  skip_spaces(ps);
  if (ps->pos == ps->n) return STARKML_OK;
  char after[200];
  return fail(ps, "expected the end of the predicate after %s", so_far(ps, after, sizeof after));
}

/* "y [ I ]" (the 'y' is already consumed). */
static starkml_status parse_output_ref(pstate *ps, uint32_t *index) {
  starkml_status s;
  if ((s = expect(ps, "[")) != STARKML_OK) return s;
  if ((s = parse_index(ps, index, "an output index")) != STARKML_OK) return s;
  return expect(ps, "]");
}

static starkml_status parse_argmax(pstate *ps, sm_predicate *p) {
  starkml_status s;
  char after[200];
  if (accept(ps, "(")) {
    if ((s = expect(ps, "y")) != STARKML_OK) return s;
    if ((s = expect(ps, ")")) != STARKML_OK) return s;
  }
  if (!accept(ps, "==")) {
    return fail(ps, "expected '==' after %s", so_far(ps, after, sizeof after));
  }
  p->kind = SM_PRED_ARGMAX;
  if ((s = parse_index(ps, &p->index, "a class index")) != STARKML_OK) return s;
  return expect_end(ps);
}

static starkml_status parse_bound(pstate *ps, sm_predicate *p) {
  starkml_status s;
  char after[200];
  if ((s = parse_output_ref(ps, &p->index)) != STARKML_OK) return s;
  if (accept(ps, ">=")) {
    p->kind = SM_PRED_GE;
    if ((s = parse_number(ps, &p->lo)) != STARKML_OK) return s;
  } else if (accept(ps, "<=")) {
    p->kind = SM_PRED_LE;
    if ((s = parse_number(ps, &p->hi)) != STARKML_OK) return s;
  } else {
    return fail(ps, "expected '>=' or '<=' after %s", so_far(ps, after, sizeof after));
  }
  return expect_end(ps);
}

static starkml_status parse_range(pstate *ps, sm_predicate *p) {
  starkml_status s;
  char after[200];
  if ((s = parse_number(ps, &p->lo)) != STARKML_OK) return s;
  if (!accept(ps, "<=")) {
    return fail(ps, "expected '<=' after %s (a range is written LO<=y[I]<=HI)",
                so_far(ps, after, sizeof after));
  }
  if (!accept(ps, "y")) {
    return fail(ps, "expected 'y' after %s (a range is written LO<=y[I]<=HI)",
                so_far(ps, after, sizeof after));
  }
  if ((s = parse_output_ref(ps, &p->index)) != STARKML_OK) return s;
  if (!accept(ps, "<=")) {
    return fail(ps, "expected '<=' after %s (a range is written LO<=y[I]<=HI)",
                so_far(ps, after, sizeof after));
  }
  if ((s = parse_number(ps, &p->hi)) != STARKML_OK) return s;
  if ((s = expect_end(ps)) != STARKML_OK) return s;
  if (!(p->lo <= p->hi)) {
    char lo[32], hi[32];
    format_number(lo, p->lo);
    format_number(hi, p->hi);
    return fail(ps, "empty range: the lower bound %s is above the upper bound %s", lo, hi);
  }
  p->kind = SM_PRED_RANGE;
  return STARKML_OK;
}

starkml_status sm_predicate_parse(sm_predicate *out, char *why, size_t why_len,
                                  const char *text) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (out != NULL) memset(out, 0, sizeof *out);
  if (out == NULL || text == NULL) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "predicate: NULL argument");
    return STARKML_ERR_ARG;
  }
  pstate ps = {text, strnlen(text, SM_PRED_MAX_TEXT + 1), 0, why, why_len};
  if (ps.n > SM_PRED_MAX_TEXT) {
    return fail(&ps, "longer than %u characters", SM_PRED_MAX_TEXT);
  }
  sm_predicate p;
  memset(&p, 0, sizeof p);
  starkml_status s;
  skip_spaces(&ps);
  const char *rest = text + ps.pos;
  size_t left = ps.n - ps.pos;
  if (left == 0) {
    s = fail(&ps, "empty; expected " FORMS);
  } else if (accept(&ps, "argmax")) {
    s = parse_argmax(&ps, &p);
  } else if (accept(&ps, "y")) {
    s = parse_bound(&ps, &p);
  } else if (is_digit(rest[0]) || rest[0] == '+' || rest[0] == '-' || rest[0] == '.' ||
             starts_with_nocase(rest, left, "inf") || starts_with_nocase(rest, left, "nan")) {
    s = parse_range(&ps, &p);
  } else {
    s = fail(&ps, "expected " FORMS);
  }
  if (s != STARKML_OK) return s;
  if (sm_predicate_check(&p) != STARKML_OK) {
    /* Unreachable: the grammar above only builds valid predicates. */
    return fail(&ps, "internal error: parsed predicate is invalid");
  }
  *out = p;
  return STARKML_OK;
}

static int threshold_ok(double x) {
  return isfinite(x) && !(x == 0.0 && signbit(x));
}

starkml_status sm_predicate_check(const sm_predicate *p) {
  if (p == NULL) return STARKML_ERR_ARG;
  if (p->index >= SM_PRED_MAX_INDEX) return STARKML_ERR_PARSE;
  /* Unused thresholds must be +0 exactly (memcmp: -0 == 0 would pass ==). */
  static const double zero = 0.0;
  int lo_unused = memcmp(&p->lo, &zero, sizeof zero) == 0;
  int hi_unused = memcmp(&p->hi, &zero, sizeof zero) == 0;
  switch (p->kind) {
    case SM_PRED_ARGMAX: return lo_unused && hi_unused ? STARKML_OK : STARKML_ERR_PARSE;
    case SM_PRED_GE: return threshold_ok(p->lo) && hi_unused ? STARKML_OK : STARKML_ERR_PARSE;
    case SM_PRED_LE: return threshold_ok(p->hi) && lo_unused ? STARKML_OK : STARKML_ERR_PARSE;
    case SM_PRED_RANGE:
      return threshold_ok(p->lo) && threshold_ok(p->hi) && p->lo <= p->hi ? STARKML_OK
                                                                            : STARKML_ERR_PARSE;
    default: return STARKML_ERR_PARSE;
  }
}

size_t sm_predicate_format(char *buf, size_t len, const sm_predicate *p) {
  char lo[32], hi[32];
  int n;
  if (buf == NULL) len = 0;
  if (sm_predicate_check(p) != STARKML_OK) {
    n = snprintf(buf, len, "%s", p != NULL && p->kind == SM_PRED_NONE ? "none" : "invalid");
    return (size_t)n;
  }
  switch (p->kind) {
    case SM_PRED_ARGMAX: n = snprintf(buf, len, "argmax==%u", p->index); break;
    case SM_PRED_GE:
      format_number(lo, p->lo);
      n = snprintf(buf, len, "y[%u]>=%s", p->index, lo);
      break;
    case SM_PRED_LE:
      format_number(hi, p->hi);
      n = snprintf(buf, len, "y[%u]<=%s", p->index, hi);
      break;
    default: /* SM_PRED_RANGE: the only kind left after sm_predicate_check */
      format_number(lo, p->lo);
      format_number(hi, p->hi);
      n = snprintf(buf, len, "%s<=y[%u]<=%s", lo, p->index, hi);
      break;
  }
  return n < 0 ? 0 : (size_t)n;
}
