#include "core/prg.h"

#include <stdio.h>
#include <string.h>

#include "core/ser.h"
#include "core/sha3.h"

static const char prg_domain[] = "starkml/prg/v1";
static const char prg_wide_domain[] = "starkml/prg/wide/v1"; /* the longer of the two */

_Static_assert(SM_PRG_WIDE_LEN == SM_SHAKE256_BLOCK, "a wide block is one SHAKE256 squeeze");

#define PRG_MSG_MAX (sizeof prg_wide_domain - 1 + SM_PRG_SEED_LEN + 4 + SM_PRG_MAX_LABEL + 8)

/* Writes the message of block i under a domain string; returns its length. */
static size_t prg_message(uint8_t msg[PRG_MSG_MAX], const char *domain,
                          const uint8_t seed[SM_PRG_SEED_LEN], const char *label, uint64_t i) {
  size_t ll = strlen(label), n = strlen(domain);
  if (ll > SM_PRG_MAX_LABEL) ll = SM_PRG_MAX_LABEL;
  memcpy(msg, domain, n);
  memcpy(msg + n, seed, SM_PRG_SEED_LEN);
  n += SM_PRG_SEED_LEN;
  sm_le32_put(msg + n, (uint32_t)ll);
  n += 4;
  memcpy(msg + n, label, ll);
  n += ll;
  sm_le64_put(msg + n, i);
  return n + 8;
}

void sm_prg_at(uint8_t out[32], const uint8_t seed[SM_PRG_SEED_LEN], const char *label,
               uint64_t i) {
  uint8_t msg[PRG_MSG_MAX];
  size_t n = prg_message(msg, prg_domain, seed, label, i);
  sm_sha3_256(out, msg, n);
}

/* The messages of blocks i .. i + 3 under a domain, for a 4-way hash; returns their length. */
static size_t prg_messages_x4(uint8_t msg[4][PRG_MSG_MAX], const uint8_t *ins[4],
                              const char *domain, const uint8_t seed[SM_PRG_SEED_LEN],
                              const char *label, uint64_t i) {
  size_t n = 0;
  for (int k = 0; k < 4; k++) {
    n = prg_message(msg[k], domain, seed, label, i + (uint64_t)k);
    ins[k] = msg[k];
  }
  return n;
}

void sm_prg_at_x4(uint8_t out[4][32], const uint8_t seed[SM_PRG_SEED_LEN], const char *label,
                  uint64_t i) {
  uint8_t msg[4][PRG_MSG_MAX];
  const uint8_t *ins[4];
  size_t n = prg_messages_x4(msg, ins, prg_domain, seed, label, i);
  uint8_t *const outs[4] = {out[0], out[1], out[2], out[3]};
  sm_sha3_256_x4(outs, ins, n);
}

void sm_prg_wide_at(uint8_t out[SM_PRG_WIDE_LEN], const uint8_t seed[SM_PRG_SEED_LEN],
                    const char *label, uint64_t i) {
  uint8_t msg[PRG_MSG_MAX];
  size_t n = prg_message(msg, prg_wide_domain, seed, label, i);
  sm_shake256_block(out, msg, n);
}

void sm_prg_wide_at_x4(uint8_t out[4][SM_PRG_WIDE_LEN], const uint8_t seed[SM_PRG_SEED_LEN],
                       const char *label, uint64_t i) {
  uint8_t msg[4][PRG_MSG_MAX];
  const uint8_t *ins[4];
  size_t n = prg_messages_x4(msg, ins, prg_wide_domain, seed, label, i);
  uint8_t *const outs[4] = {out[0], out[1], out[2], out[3]};
  sm_shake256_block_x4(outs, ins, n);
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
      /* Blocks block .. block + 3, the same bytes as four sm_prg_at calls. */
      sm_prg_at_x4((uint8_t(*)[32])g->buf, g->seed, g->label, g->block);
      g->block += 4;
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
