/*
 * Input and calibration JSON (see air/input_json.h), read with jansson.
 *
 * Integers are decoded as reals (JSON_DECODE_INT_AS_REAL): an input is a float in the
 * end, and this way an integer too large for json_int_t (1 followed by 39 zeros) is
 * refused by the same range check as 1e39, with the same message, instead of by a
 * jansson overflow error.
 */
#include "air/input_json.h"

#include <errno.h>
#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Writes a formatted message into why (when wanted) and returns STARKML_ERR_PARSE. */
static starkml_status parse_fail(char *why, size_t why_len, const char *fmt, ...) {
  if (why != NULL && why_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
  }
  return STARKML_ERR_PARSE;
}

/* "a string", "an array", ...: what a JSON value is, for "found ..." messages. */
static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
  }
  return "an unknown value";
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* 1 when the n bytes at w spell s, ignoring ASCII case. */
static int word_is(const char *w, size_t n, const char *s) {
  if (strlen(s) != n) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = w[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != s[i]) return 0;
  }
  return 1;
}

/*
 * After a syntax error at byte pos: the offset of the offending token when it is a bare
 * NaN / Infinity (any case, "inf" too, with its '-' if any), or SIZE_MAX. The text before
 * the error is valid JSON, so the only bare words it holds are true, false and null; the
 * first other word outside strings that starts at or before pos (jansson reports the
 * position just past the token, or past a '-' before it) is the token jansson refused.
 */
static size_t nonfinite_token_at(const char *t, size_t n, size_t pos) {
  int in_string = 0;
  for (size_t i = 0; i < n && i <= pos; i++) {
    char c = t[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = 0;
      continue;
    }
    if (c == '"') {
      in_string = 1;
    } else if ((c >= '0' && c <= '9') || (c == '-' && i + 1 < n && !is_alpha(t[i + 1]))) {
      /* A number: skip it whole, so that its exponent's 'e' is not taken for a word. */
      while (i + 1 < n && (is_alnum(t[i + 1]) || t[i + 1] == '.' || t[i + 1] == '+' ||
                           t[i + 1] == '-'))
        i++;
    } else if (is_alpha(c)) {
      size_t j = i;
      while (j < n && is_alnum(t[j])) j++;
      const char *w = t + i;
      size_t k = j - i;
      if (word_is(w, k, "nan") || word_is(w, k, "infinity") || word_is(w, k, "inf")) {
        return i > 0 && t[i - 1] == '-' ? i - 1 : i;
      }
      if (!word_is(w, k, "true") && !word_is(w, k, "false") && !word_is(w, k, "null")) break;
      i = j - 1;
    }
  }
  return SIZE_MAX;
}

/* The 1-based line and column (in UTF-8 characters, as jansson counts) of byte off. */
static void line_column(const char *t, size_t off, int *line, int *column) {
  *line = 1;
  *column = 1;
  for (size_t i = 0; i < off; i++) {
    unsigned char c = (unsigned char)t[i];
    if (c == '\n') {
      ++*line;
      *column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++*column;
    }
  }
}

/*
 * Counts the numbers in a JSON text without parsing it: maximal runs of number characters
 * outside strings that start with a digit or '-'. Exact for valid JSON (the words true,
 * false and null hold no digit and no '-'), and cheap, so that a file of too many values
 * is refused before jansson builds a tree of them (about 40 bytes per number).
 */
static size_t count_numbers(const char *t, size_t n) {
  size_t count = 0;
  int in_string = 0, in_number = 0;
  for (size_t i = 0; i < n; i++) {
    char c = t[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = 0;
      continue;
    }
    int digit = c >= '0' && c <= '9';
    if (digit || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
      if (!in_number && (digit || c == '-')) {
        count++;
        in_number = 1;
      }
    } else {
      in_number = 0;
      if (c == '"') in_string = 1;
    }
  }
  return count;
}

/* Writes "input_data[i][j]" (nested) or "input_data[j]" (flat) into buf. */
static const char *where(char *buf, size_t len, int nested, size_t i, size_t j) {
  if (nested)
    snprintf(buf, len, "input_data[%zu][%zu]", i, j);
  else
    snprintf(buf, len, "input_data[%zu]", j);
  return buf;
}

/* Converts one JSON value to a float, or fails naming where it is. */
static starkml_status read_value(float *out, const json_t *v, int nested, size_t i, size_t j,
                                 char *why, size_t why_len) {
  char at[64];
  if (!json_is_number(v)) {
    return parse_fail(why, why_len, "%s: expected a number, found %s",
                      where(at, sizeof at, nested, i, j), json_kind(v));
  }
  double d = json_number_value(v);
  /* jansson never produces a non-finite real; the check covers it anyway. */
  if (!(fabs(d) <= (double)FLT_MAX)) {
    return parse_fail(why, why_len,
                      "%s: %.9g is outside the range of float (magnitude at most %.9g)",
                      where(at, sizeof at, nested, i, j), d, (double)FLT_MAX);
  }
  *out = (float)d;
  return STARKML_OK;
}

/* Checks the shape of input_data and returns its dimensions (no values read yet). */
static starkml_status read_shape(const json_t *arr, int *nested, size_t *rows, size_t *cols,
                                 char *why, size_t why_len) {
  size_t n = json_array_size(arr);
  if (n == 0) return parse_fail(why, why_len, "input_data is empty");
  const json_t *first = json_array_get(arr, 0);
  if (json_is_number(first)) {
    *nested = 0;
    *rows = 1;
    *cols = n;
    return STARKML_OK;
  }
  if (!json_is_array(first)) {
    return parse_fail(why, why_len,
                      "input_data[0]: expected a number or an array of numbers, found %s",
                      json_kind(first));
  }
  *nested = 1;
  *rows = n;
  *cols = json_array_size(first);
  for (size_t i = 0; i < n; i++) {
    const json_t *row = json_array_get(arr, i);
    if (!json_is_array(row)) {
      return parse_fail(why, why_len,
                        "input_data[%zu]: expected an array of numbers (a sample, like "
                        "input_data[0]), found %s",
                        i, json_kind(row));
    }
    size_t len = json_array_size(row);
    if (len == 0) return parse_fail(why, why_len, "input_data[%zu] is an empty sample", i);
    if (len != *cols) {
      return parse_fail(why, why_len,
                        "input_data[%zu] has %zu value%s but input_data[0] has %zu: every "
                        "sample must have the same length",
                        i, len, len == 1 ? "" : "s", *cols);
    }
  }
  return STARKML_OK;
}

static starkml_status parse_doc(float **data, size_t *n_samples, size_t *sample_len,
                                const json_t *root, char *why, size_t why_len) {
  if (!json_is_object(root)) {
    return parse_fail(why, why_len,
                      "expected a JSON object with an \"input_data\" member, found %s",
                      json_kind(root));
  }
  const json_t *arr = json_object_get(root, "input_data");
  if (arr == NULL) return parse_fail(why, why_len, "no \"input_data\" member in the object");
  if (!json_is_array(arr)) {
    return parse_fail(why, why_len, "input_data: expected an array, found %s", json_kind(arr));
  }
  int nested = 0;
  size_t rows = 0, cols = 0;
  starkml_status s = read_shape(arr, &nested, &rows, &cols, why, why_len);
  if (s != STARKML_OK) return s;
  if (cols > SM_INPUT_JSON_MAX_VALUES || rows > SM_INPUT_JSON_MAX_VALUES / cols) {
    return parse_fail(why, why_len,
                      "input_data holds %zu x %zu values, more than the limit of %zu", rows,
                      cols, SM_INPUT_JSON_MAX_VALUES);
  }
  float *out = malloc(rows * cols * sizeof *out);
  if (out == NULL) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "out of memory");
    return STARKML_ERR_NOMEM;
  }
  for (size_t i = 0; i < rows; i++) {
    const json_t *row = nested ? json_array_get(arr, i) : arr;
    for (size_t j = 0; j < cols; j++) {
      s = read_value(&out[i * cols + j], json_array_get(row, j), nested, i, j, why, why_len);
      if (s != STARKML_OK) {
        free(out);
        return s;
      }
    }
  }
  *data = out;
  *n_samples = rows;
  *sample_len = cols;
  return STARKML_OK;
}

starkml_status sm_input_json_parse(float **data, size_t *n_samples, size_t *sample_len,
                                   char *why, size_t why_len, const char *text,
                                   size_t text_len) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (data != NULL) *data = NULL;
  if (n_samples != NULL) *n_samples = 0;
  if (sample_len != NULL) *sample_len = 0;
  if (data == NULL || n_samples == NULL || sample_len == NULL ||
      (text == NULL && text_len > 0)) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "input JSON: NULL argument");
    return STARKML_ERR_ARG;
  }
  if (text == NULL) text = "";
  size_t n_numbers = count_numbers(text, text_len);
  if (n_numbers > SM_INPUT_JSON_MAX_VALUES) {
    return parse_fail(why, why_len, "the text holds %zu numbers, more than the limit of %zu",
                      n_numbers, SM_INPUT_JSON_MAX_VALUES);
  }
  json_error_t err;
  json_t *root = json_loadb(text, text_len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
                            &err);
  if (root == NULL) {
    size_t bad = err.position >= 0 ? nonfinite_token_at(text, text_len, (size_t)err.position)
                                   : SIZE_MAX;
    if (bad != SIZE_MAX) {
      int line, column;
      line_column(text, bad, &line, &column);
      return parse_fail(why, why_len,
                        "line %d column %d: NaN and Infinity are not allowed (they are not "
                        "JSON; Python's json module writes them for non-finite floats "
                        "unless allow_nan=False)",
                        line, column);
    }
    return parse_fail(why, why_len, "line %d column %d: %s", err.line, err.column, err.text);
  }
  starkml_status s = parse_doc(data, n_samples, sample_len, root, why, why_len);
  json_decref(root);
  return s;
}

/* Writes "PATH: strerror(e)" into why and returns STARKML_ERR_IO. */
static starkml_status io_fail(char *why, size_t why_len, const char *path, int e) {
  if (why != NULL && why_len > 0) snprintf(why, why_len, "%s: %s", path, strerror(e));
  return STARKML_ERR_IO;
}

/* Reads a whole file of at most SM_INPUT_JSON_MAX_BYTES (the size is checked before
   reading a regular file, and while reading anything else). */
static starkml_status read_file(char **text, size_t *len, char *why, size_t why_len,
                                const char *path) {
  *text = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return io_fail(why, why_len, path, errno);
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0) {
    if (S_ISDIR(sb.st_mode)) {
      fclose(f);
      return io_fail(why, why_len, path, EISDIR);
    }
    if (S_ISREG(sb.st_mode) && (uintmax_t)sb.st_size > (uintmax_t)SM_INPUT_JSON_MAX_BYTES) {
      fclose(f);
      return parse_fail(why, why_len, "%s: refusing a file of %jd bytes (the limit is %zu)",
                        path, (intmax_t)sb.st_size, SM_INPUT_JSON_MAX_BYTES);
    }
  }
  size_t cap = 0, n = 0;
  char *buf = NULL;
  int e = 0;
  for (;;) {
    if (n == cap) {
      if (cap > SM_INPUT_JSON_MAX_BYTES) break;
      size_t next = cap == 0 ? 65536 : cap * 2;
      if (next > SM_INPUT_JSON_MAX_BYTES + 1) next = SM_INPUT_JSON_MAX_BYTES + 1;
      char *nb = realloc(buf, next);
      if (nb == NULL) {
        free(buf);
        fclose(f);
        if (why != NULL && why_len > 0) snprintf(why, why_len, "%s: out of memory", path);
        return STARKML_ERR_NOMEM;
      }
      buf = nb;
      cap = next;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      if (ferror(f)) e = errno != 0 ? errno : EIO;
      break;
    }
  }
  fclose(f);
  if (e != 0) {
    free(buf);
    return io_fail(why, why_len, path, e);
  }
  if (n > SM_INPUT_JSON_MAX_BYTES) {
    free(buf);
    return parse_fail(why, why_len, "%s: refusing a file of more than %zu bytes", path,
                      SM_INPUT_JSON_MAX_BYTES);
  }
  *text = buf;
  *len = n;
  return STARKML_OK;
}

starkml_status sm_input_json_load(float **data, size_t *n_samples, size_t *sample_len,
                                  char *why, size_t why_len, const char *path) {
  if (why != NULL && why_len > 0) why[0] = '\0';
  if (data != NULL) *data = NULL;
  if (n_samples != NULL) *n_samples = 0;
  if (sample_len != NULL) *sample_len = 0;
  if (data == NULL || n_samples == NULL || sample_len == NULL || path == NULL) {
    if (why != NULL && why_len > 0) snprintf(why, why_len, "input JSON: NULL argument");
    return STARKML_ERR_ARG;
  }
  char *text;
  size_t len;
  starkml_status s = read_file(&text, &len, why, why_len, path);
  if (s != STARKML_OK) return s;
  char msg[512];
  s = sm_input_json_parse(data, n_samples, sample_len, msg, sizeof msg, text, len);
  free(text);
  if (s != STARKML_OK && why != NULL && why_len > 0) snprintf(why, why_len, "%s: %s", path, msg);
  return s;
}
