// The simulated sm_ntt_core behind the C interface of sm_ntt_shim.h (the `verilator`
// backend). Streams frames through the core with both handshakes always willing (the
// testbench, tb_ntt_core.cpp, covers stalls and resets), so a batch runs at the core's
// throughput: sm_ntt_pkg::frame_cycles per frame.
#include "sm_ntt_shim.h"

#include <cstdio>
#include <new>

#include "sm_ntt_harness.h"

struct sm_ntt_sim {
  sm_ntt::Harness h;
};

namespace {

void say(char *err, size_t err_len, const char *msg) {
  if (err != nullptr && err_len > 0) std::snprintf(err, err_len, "%s", msg);
}

}  // namespace

extern "C" void sm_ntt_sim_get_info(sm_ntt_sim_info *info) {
  info->log_n = sm_ntt::kLogN;
  info->log_n_min = sm_ntt::kLogNMin;
  info->lanes = sm_ntt::kLanes;
  info->stage_gap = sm_ntt::kStageGap;
  info->frame_overhead = sm_ntt::kFrameOverhead;
  info->pipe_depth = sm_ntt::kPipeDepth;
  std::snprintf(info->verilator, sizeof info->verilator, "%s", Verilated::productVersion());
}

extern "C" sm_ntt_sim *sm_ntt_sim_new(char *err, size_t err_len) {
  sm_ntt_sim *sim = new (std::nothrow) sm_ntt_sim;
  if (sim == nullptr) {
    say(err, err_len, "out of memory creating the simulated NTT core");
    return nullptr;
  }
  sim->h.reset(2);
  return sim;
}

extern "C" void sm_ntt_sim_free(sm_ntt_sim *sim) { delete sim; }

extern "C" uint64_t sm_ntt_sim_cycles(const sm_ntt_sim *sim) { return sim->h.cycle(); }

extern "C" int sm_ntt_sim_run(sm_ntt_sim *sim, uint64_t *data, size_t nframes, unsigned log_n,
                              int inverse, char *err, size_t err_len) {
  using namespace sm_ntt;
  if (log_n < kLogNMin || log_n > kLogN) {
    if (err != nullptr && err_len > 0)
      std::snprintf(err, err_len, "frame of 2^%u points outside the core's 2^%u..2^%u", log_n,
                    kLogNMin, kLogN);
    return -1;
  }
  Harness &h = sim->h;
  const size_t beats = ((size_t)1 << log_n) / kLanes, total = nframes * beats;
  size_t in = 0, out = 0;
  uint64_t lanes[kLanes];
  // No beat may wait longer than the twiddle generation plus two frames.
  const uint64_t patience = 4 * frame_cycles(kLogN) + (4ull << kLogN) + 1000;
  uint64_t idle = 0;
  h.set_out_ready(true);
  while (out < total) {
    if (in < total) {
      h.set_in(true, data + in * kLanes, log_n, inverse != 0);
    } else {
      h.set_in(false, nullptr, log_n, inverse != 0);
    }
    bool in_fire = h.in_valid() && h.in_ready();
    bool out_fire = h.out_valid();
    if (out_fire) {
      // Outputs of a frame leave only after all of its inputs were taken: in place is safe.
      h.out_data(lanes);
      for (unsigned j = 0; j < kLanes; j++) data[out * kLanes + j] = lanes[j];
      out++;
    }
    if (in_fire) in++;
    idle = (in_fire || out_fire) ? 0 : idle + 1;
    if (idle > patience) {
      if (err != nullptr && err_len > 0)
        std::snprintf(err, err_len,
                      "simulated NTT core stalled: no beat for %llu cycles (%zu of %zu beats in, "
                      "%zu out)",
                      (unsigned long long)idle, in, total, out);
      return -1;
    }
    h.step();
  }
  h.set_in(false, nullptr, 0, false);
  return 0;
}
