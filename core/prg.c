#include "core/prg.h"

#include <stdio.h>
#include <string.h>

#include "core/ser.h"
#include "core/sha3.h"

static const char prg_domain[] = "starkml/prg/v1";

void sm_prg_at(uint8_t out[32], const uint8_t seed[SM_PRG_SEED_LEN], const char *label,
               uint64_t i) {
  size_t ll = strlen(label);
  if (ll > SM_PRG_MAX_LABEL) ll = SM_PRG_MAX_LABEL;
  uint8_t len[4], ctr[8];
  sm_le32_put(len, (uint32_t)ll);
  sm_le64_put(ctr, i);
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, prg_domain, sizeof prg_domain - 1);
  sm_sha3_256_update(&c, seed, SM_PRG_SEED_LEN);
  sm_sha3_256_update(&c, len, sizeof len);
  sm_sha3_256_update(&c, label, ll);
  sm_sha3_256_update(&c, ctr, sizeof ctr);
  sm_sha3_256_final(&c, out);
}

void sm_prg_init(sm_prg *g, const uint8_t seed[SM_PRG_SEED_LEN], const char *label) {
  memset(g, 0, sizeof *g);
  memcpy(g->seed, seed, SM_PRG_SEED_LEN);
  size_t ll = strlen(label);
  if (ll > SM_PRG_MAX_LABEL) ll = SM_PRG_MAX_LABEL;
  memcpy(g->label, label, ll);
  g->used = sizeof g->buf; /* empty: the first read generates block 0 */
}

void sm_prg_bytes(sm_prg *g, void *out, size_t n) {
  uint8_t *o = out;
  while (n > 0) {
    if (g->used == sizeof g->buf) {
      sm_prg_at(g->buf, g->seed, g->label, g->block++);
      g->used = 0;
    }
    size_t take = sizeof g->buf - g->used;
    if (take > n) take = n;
    memcpy(o, g->buf + g->used, take);
    g->used += (unsigned)take;
    o += take;
    n -= take;
  }
}

uint64_t sm_prg_u64(sm_prg *g) {
  uint8_t b[8];
  sm_prg_bytes(g, b, sizeof b);
  return sm_le64_get(b);
}

gl_t sm_prg_gl(sm_prg *g) {
  for (;;) {
    uint64_t v = sm_prg_u64(g);
    if (v < GL_P) return v;
  }
}

starkml_status sm_prg_os_seed(uint8_t seed[SM_PRG_SEED_LEN]) {
  memset(seed, 0, SM_PRG_SEED_LEN);
  FILE *f = fopen("/dev/urandom", "rb");
  if (f == NULL) return STARKML_ERR_IO;
  size_t got = fread(seed, 1, SM_PRG_SEED_LEN, f);
  fclose(f);
  if (got != SM_PRG_SEED_LEN) {
    memset(seed, 0, SM_PRG_SEED_LEN);
    return STARKML_ERR_IO;
  }
  return STARKML_OK;
}
