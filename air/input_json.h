/*
 * Model inputs and calibration data as JSON, in EZKL's convention:
 *
 *   {"input_data": [[x0, x1, ...], [second sample ...], ...]}   several samples
 *   {"input_data": [x0, x1, ...]}                               one sample
 *
 * Other members of the object (EZKL writes "output_data", for one) are ignored.
 *
 * Rules, each refused with STARKML_ERR_PARSE and a message that names the problem and,
 * where it helps, the sample and element ("input_data[0][5]: expected a number, found a
 * string"):
 *  - the text is one JSON object (RFC 8259; duplicate member names are refused) with an
 *    "input_data" member that is a non-empty array;
 *  - either every element of input_data is a number (one sample) or every element is a
 *    non-empty array of numbers, all of the same length;
 *  - every value is a JSON number, integer or real, whose magnitude is at most FLT_MAX, so
 *    that it converts to a finite float (tiny values round to zero or a subnormal, as
 *    a float conversion does). NaN, Infinity and -Infinity, which Python's json module
 *    writes for non-finite floats unless allow_nan=False, are not JSON and are refused
 *    with a message saying so;
 *  - at most SM_INPUT_JSON_MAX_VALUES values in all. The count is checked on the text
 *    before it is parsed, over every number in it (other members included), so that a
 *    huge file is refused before it costs memory.
 *
 * The values are converted to float by C's conversion from double (round to nearest),
 * after JSON's decimal text has been read into a double by jansson.
 */
#ifndef STARKML_AIR_INPUT_JSON_H
#define STARKML_AIR_INPUT_JSON_H

#include <stddef.h>

#include "starkml.h"

/* Most values a file may hold (all samples together). */
#define SM_INPUT_JSON_MAX_VALUES ((size_t)1 << 24)
/* Largest file sm_input_json_load reads: room for SM_INPUT_JSON_MAX_VALUES numbers of
   about 60 characters each, and far below what would exhaust a prover host's memory. */
#define SM_INPUT_JSON_MAX_BYTES ((size_t)1 << 30)

/*
 * Parses input JSON from memory.
 * Returns: STARKML_OK; STARKML_ERR_PARSE when the text breaks a rule above (why says
 *          which, with the line and column for a JSON syntax error); STARKML_ERR_NOMEM;
 *          STARKML_ERR_ARG when an output pointer is NULL, or text is NULL while
 *          text_len > 0.
 * Out: *data: n_samples x sample_len floats, row-major, malloc'ed (the caller frees);
 *      *n_samples >= 1, *sample_len >= 1. On failure *data is NULL and the counts are 0.
 *      why: a NUL-terminated message, "" on success (may be NULL, or why_len 0).
 * In: text, text_len: the JSON text (need not be NUL-terminated; a NUL inside is an
 *     error).
 */
starkml_status sm_input_json_parse(float **data, size_t *n_samples, size_t *sample_len,
                                   char *why, size_t why_len, const char *text,
                                   size_t text_len);

/*
 * Reads and parses a file (input.json, calib.json) of at most SM_INPUT_JSON_MAX_BYTES.
 * Returns: as sm_input_json_parse, plus STARKML_ERR_IO when the file cannot be opened or
 *          read, or is a directory (why: "PATH: strerror text"); STARKML_ERR_PARSE for
 *          a larger file, refused unread. Every message starts with the path.
 *          STARKML_ERR_ARG when path or an output pointer is NULL.
 * Out: as sm_input_json_parse.
 */
starkml_status sm_input_json_load(float **data, size_t *n_samples, size_t *sample_len,
                                  char *why, size_t why_len, const char *path);

#endif
