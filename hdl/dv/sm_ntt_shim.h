/*
 * C interface to one simulated sm_ntt_core (Verilator model, hdl/dv/sm_ntt_shim.cpp), for
 * the `verilator` backend of libstarkml (host/backend_verilator.c).
 *
 * The core transforms frames of 2^log_n Goldilocks elements, log_n_min <= log_n <= log_n
 * (sm_ntt_sim_info), natural order in and bit-reversed order out, forward or inverse (with
 * 1/n): sm_ntt_forward / sm_ntt_inverse of core/ntt.h with SM_ORDER_NATURAL in and
 * SM_ORDER_BITREV out. Everything else (other orders, sizes, four-step) is the caller's.
 * A simulator object is used by one thread at a time.
 */
#ifndef SM_NTT_SHIM_H
#define SM_NTT_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sm_ntt_sim sm_ntt_sim;

typedef struct {
  unsigned log_n;         /* the core's LogN: largest frame 2^log_n */
  unsigned log_n_min;     /* smallest frame */
  unsigned lanes;         /* points per beat, butterflies per cycle */
  unsigned stage_gap;     /* sm_ntt_pkg::StageGap */
  unsigned frame_overhead;
  unsigned pipe_depth;    /* sm_ntt_pkg::EnginePipeDepth */
  char verilator[64];     /* "Verilator 5.006 2023-01-22" */
} sm_ntt_sim_info;

void sm_ntt_sim_get_info(sm_ntt_sim_info *info);

/*
 * Creates a simulated core and resets it (the twiddle tables are then generated on the
 * first transform's cycles). Returns NULL on out of memory; err says so.
 */
sm_ntt_sim *sm_ntt_sim_new(char *err, size_t err_len);
void sm_ntt_sim_free(sm_ntt_sim *sim);

/*
 * Transforms nframes frames of 2^log_n points, frame f at data + f 2^log_n, in place.
 * Returns 0; -1 with a message in err when log_n is outside the core's range or the core
 * stops moving data (a watchdog: a bug in the RTL, never a normal outcome).
 */
int sm_ntt_sim_run(sm_ntt_sim *sim, uint64_t *data, size_t nframes, unsigned log_n,
                   int inverse, char *err, size_t err_len);

/* Clock cycles simulated so far. */
uint64_t sm_ntt_sim_cycles(const sm_ntt_sim *sim);

#ifdef __cplusplus
}
#endif

#endif
