/*
 * A toy AIR (air/toy.h) viewed as a STARK statement and witness: the shape the CLI's toy
 * commands, the engine tests and the fuzz targets all need.
 */
#ifndef STARKML_FRI_STARK_TOY_H
#define STARKML_FRI_STARK_TOY_H

#include "air/toy.h"
#include "fri/stark.h"

typedef struct {
  sm_air_toy toy; /* owns every array the views below point into */
  sm_air_table tables[SM_AIR_TOY_MAX_TABLES];
  const gl_t *publics[SM_AIR_TOY_MAX_TABLES];
  const gl_t *main[SM_AIR_TOY_MAX_TABLES];
  const gl_t *pre[SM_AIR_TOY_MAX_TABLES];
  sm_digest pre_root; /* the setup commitment (sm_stark_setup), filled by the caller */
  sm_stark_statement st;
  sm_stark_witness w;
} sm_stark_toy;

/* Points st and w at the toy already built in f->toy (pre_root is left as it is). */
void sm_stark_toy_wire(sm_stark_toy *f);

/* Frees the toy and zeroes *f (NULL allowed). */
void sm_stark_toy_free(sm_stark_toy *f);

#endif
