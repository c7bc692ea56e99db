// A thin C++ harness over the Verilated sm_ntt_core (model class Vsm_ntt_core): port access
// by lanes, one clock cycle per step(), optional VCD trace. Shared by the testbench
// (tb_ntt_core.cpp) and the starkml backend shim (sm_ntt_shim.cpp).
//
// Timing convention: inputs are set, then step() evaluates the cycle: a handshake fires in
// this cycle when its valid and ready are both high as seen before step() (every output of
// the core is a register, so ready/valid do not depend on this cycle's inputs), and the
// rising edge at the end of step() moves it.
#ifndef SM_NTT_HARNESS_H
#define SM_NTT_HARNESS_H

#include <cstddef>
#include <cstdint>

#include <verilated.h>
#if VM_TRACE
#include <verilated_vcd_c.h>
#endif

#include "Vsm_ntt_core.h"
#include "Vsm_ntt_core_sm_ntt_core.h"
#include "Vsm_ntt_core_sm_ntt_pkg.h"

namespace sm_ntt {

// The core's parameters and latencies, as elaborated (verilator public).
constexpr unsigned kLogN = Vsm_ntt_core_sm_ntt_core::LogN;
constexpr unsigned kLanes = Vsm_ntt_core_sm_ntt_core::Lanes;
constexpr unsigned kLogNMin = Vsm_ntt_core_sm_ntt_core::LogNMin;
constexpr unsigned kLogLanes = kLogNMin - 1;
constexpr unsigned kStageGap = Vsm_ntt_core_sm_ntt_pkg::StageGap;
constexpr unsigned kFrameOverhead = Vsm_ntt_core_sm_ntt_pkg::FrameOverhead;
constexpr unsigned kPipeDepth = Vsm_ntt_core_sm_ntt_pkg::EnginePipeDepth;
constexpr unsigned kBflyLatency = Vsm_ntt_core_sm_ntt_pkg::BflyLatency;
constexpr unsigned kMulLatency = Vsm_ntt_core_sm_ntt_pkg::GlMulLatency;

// sm_ntt_pkg::frame_cycles: the engine's cycles per transform of 2^log_n points.
constexpr uint64_t frame_cycles(unsigned log_n) {
  return (uint64_t)log_n * ((1ull << (log_n - kLogLanes - 1)) + kStageGap) + kFrameOverhead;
}
// The ideal: (n / 2) log2 n butterflies, Lanes per cycle.
constexpr uint64_t ideal_cycles(unsigned log_n) {
  return ((1ull << log_n) / 2) * log_n / kLanes;
}

// Lane access for a DataW-bit port: QData when DataW == 64, VlWide otherwise.
inline void put_lanes(QData &port, const uint64_t *v) { port = v[0]; }
template <std::size_t N>
inline void put_lanes(VlWide<N> &port, const uint64_t *v) {
  for (std::size_t w = 0; w < N; w++) port[w] = (uint32_t)(v[w / 2] >> (32 * (w % 2)));
}
inline void get_lanes(const QData &port, uint64_t *v) { v[0] = port; }
template <std::size_t N>
inline void get_lanes(const VlWide<N> &port, uint64_t *v) {
  for (std::size_t w = 0; w < N; w += 2)
    v[w / 2] = (uint64_t)port[w] | ((uint64_t)port[w + 1] << 32);
}

class Harness {
 public:
  Harness() : ctx_(new VerilatedContext), top_(new Vsm_ntt_core(ctx_, "top")) {
    top_->clk_i = 0;
    top_->rst_ni = 1;
    top_->in_valid_i = 0;
    top_->out_ready_i = 0;
    top_->eval();
  }
  ~Harness() {
#if VM_TRACE
    if (tfp_ != nullptr) {
      tfp_->close();
      delete tfp_;
    }
#endif
    top_->final();
    delete top_;
    delete ctx_;
  }
  Harness(const Harness &) = delete;
  Harness &operator=(const Harness &) = delete;

#if VM_TRACE
  // Starts a VCD trace of every signal into path.
  void trace(const char *path) {
    ctx_->traceEverOn(true);
    tfp_ = new VerilatedVcdC;
    top_->trace(tfp_, 99);
    tfp_->open(path);
    dump();
  }
#endif

  // Asserts the asynchronous reset for `cycles` clock cycles, then releases it.
  void reset(unsigned cycles) {
    top_->rst_ni = 0;
    top_->eval();
    for (unsigned i = 0; i < cycles; i++) step();
    top_->rst_ni = 1;
    top_->eval();
  }

  void set_in(bool valid, const uint64_t *lanes, unsigned log_n, bool inverse) {
    top_->in_valid_i = valid;
    if (lanes != nullptr) put_lanes(top_->in_data_i, lanes);
    top_->in_log_n_i = log_n & 31u;
    top_->in_inverse_i = inverse;
  }
  void set_out_ready(bool ready) { top_->out_ready_i = ready; }
  bool in_valid() const { return top_->in_valid_i; }
  bool in_ready() const { return top_->in_ready_o; }
  bool out_ready() const { return top_->out_ready_i; }
  bool out_valid() const { return top_->out_valid_o; }
  bool out_last() const { return top_->out_last_o; }
  void out_data(uint64_t *lanes) const { get_lanes(top_->out_data_o, lanes); }

  // One clock cycle (low half, then the rising edge).
  void step() {
    top_->clk_i = 0;
    top_->eval();
    ctx_->timeInc(1);
    dump();
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    dump();
    cycle_++;
  }
  uint64_t cycle() const { return cycle_; }

 private:
  void dump() {
#if VM_TRACE
    if (tfp_ != nullptr) tfp_->dump(ctx_->time());
#endif
  }

  VerilatedContext *ctx_;
  Vsm_ntt_core *top_;
#if VM_TRACE
  VerilatedVcdC *tfp_ = nullptr;
#endif
  uint64_t cycle_ = 0;
};

}  // namespace sm_ntt

#endif
