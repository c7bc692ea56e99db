/*
 * Output predicates: a proof may keep the model's output private and prove only a
 * statement about it (DESIGN.md, "What is public, what is private").
 *
 * Text forms (the only ones accepted; ASCII spaces are allowed between tokens):
 *   argmax==K   or argmax(y)==K    the largest output is class K            (SM_PRED_ARGMAX)
 *   y[I]>=T                        output I is at least T                   (SM_PRED_GE)
 *   y[I]<=T                        output I is at most T                    (SM_PRED_LE)
 *   LO<=y[I]<=HI                   output I lies in [LO, HI], LO <= HI      (SM_PRED_RANGE)
 * K and I are decimal integers below SM_PRED_MAX_INDEX (leading zeros allowed); T, LO, HI
 * are finite decimal numbers as strtod reads them in the "C" locale ("1", "-0.5", ".5",
 * "2.", "1.5e-3"), never infinities, NaN or hexadecimal floats.
 *
 * Invariants of a valid sm_predicate (checked by sm_predicate_check, guaranteed by
 * sm_predicate_parse): kind is ARGMAX, GE, LE or RANGE; index < SM_PRED_MAX_INDEX; the
 * thresholds the kind uses are finite and not negative zero (-0 is stored as +0 so that
 * one predicate has one encoding, which matters because the statement is absorbed into
 * the Fiat-Shamir transcript); RANGE has lo <= hi; the fields a kind does not use are 0.
 *
 * The formatter writes the canonical text with every number in the shortest of "%.15g",
 * "%.16g", "%.17g" that reads back as the same double ("%.17g" always does), so
 * parse(format(p)) == p bit for bit while 0.8 still prints as "0.8". Both directions
 * depend on LC_NUMERIC being "C" (starkml never calls setlocale).
 */
#ifndef STARKML_AIR_PREDICATE_H
#define STARKML_AIR_PREDICATE_H

#include <stddef.h>
#include <stdint.h>

#include "starkml.h"

/* Class and output indices are below 2^20. */
#define SM_PRED_MAX_INDEX (1u << 20)
/* Longest predicate text the parser looks at (longer texts are refused unread). */
#define SM_PRED_MAX_TEXT 1024u

typedef enum {
  SM_PRED_NONE = 0, /* no predicate: the output is public */
  SM_PRED_ARGMAX = 1,
  SM_PRED_GE = 2,
  SM_PRED_LE = 3,
  SM_PRED_RANGE = 4,
} sm_pred_kind;

/* ARGMAX: index = class k. GE: y[index] >= lo. LE: y[index] <= hi.
   RANGE: lo <= y[index] <= hi. Unused fields are 0. */
typedef struct {
  uint32_t kind; /* an sm_pred_kind */
  uint32_t index;
  double lo, hi;
} sm_predicate;

/*
 * Parses the text form of a predicate.
 * Returns: STARKML_OK; STARKML_ERR_PARSE when text is not one of the forms above (why
 *          quotes the text and says what was expected where, e.g.
 *          "predicate 'y[0]=>1': expected '>=' or '<=' after y[0]"), an index is too
 *          large, a number is not finite, or LO > HI; STARKML_ERR_ARG when out or text
 *          is NULL.
 * Out: *out (zeroed on failure); why (NUL-terminated message, "" on success; may be
 *      NULL, or why_len 0, when the message is not wanted).
 * In: text, a NUL-terminated string.
 */
starkml_status sm_predicate_parse(sm_predicate *out, char *why, size_t why_len,
                                  const char *text);

/*
 * Writes the canonical text of p ("argmax==3", "y[0]>=0.8", "0.2<=y[1]<=0.6",
 * "y[2]>=-0.0015") into buf, truncated and
 * NUL-terminated like snprintf. An invalid predicate (see sm_predicate_check) is written
 * as "none" when its kind is SM_PRED_NONE and "invalid" otherwise; p NULL as "invalid".
 * Returns: the length of the full text (what snprintf returns), so a result >= len means
 *          it was truncated. buf may be NULL when len is 0.
 */
size_t sm_predicate_format(char *buf, size_t len, const sm_predicate *p);

/*
 * Checks the invariants at the top of this header (for a predicate read from a proof or
 * a file rather than parsed).
 * Returns: STARKML_OK when they hold; STARKML_ERR_PARSE otherwise (SM_PRED_NONE
 *          included: it is not a predicate); STARKML_ERR_ARG when p is NULL.
 */
starkml_status sm_predicate_check(const sm_predicate *p);

#endif
