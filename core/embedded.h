/* Files embedded into the library at build time (vectors/embed.cmake writes the table). */
#ifndef STARKML_CORE_EMBEDDED_H
#define STARKML_CORE_EMBEDDED_H

#include <stddef.h>

typedef struct {
  const char *name;          /* path relative to vectors/, e.g. "core/sha3.json" */
  const unsigned char *data; /* NUL-terminated copy of the file */
  size_t len;                /* length without the terminating NUL */
} sm_embedded_file;

extern const sm_embedded_file sm_embedded_vectors[];
extern const size_t sm_embedded_vectors_count;

#endif
