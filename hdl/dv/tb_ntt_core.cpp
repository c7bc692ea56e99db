// Verilator testbench of sm_ntt_core. The scoreboard is the C reference NTT of core/
// (core/ntt.c, core/field.c, compiled as C): every output beat is compared with
// sm_ntt_forward / sm_ntt_inverse (natural in, bit-reversed out) of the same input.
//
//   tb_ntt_core [--test NAME]... [--seed N] [--trace FILE.vcd] [--list]
//
// Tests (all by default, in this order):
//   vectors     impulses, all-ones, ramp, random and edge values (0, 1, p - 1, 2^32 - 1 and
//               the non-canonical p, 2^64 - 1, 2^63, which the core reduces on entry), every
//               size from 2^LogNMin to 2^LogN, forward and inverse, streamed back to back
//   roundtrip   forward, then inverse of the bit-reversed result, gives the input back
//   stalls      random frames of mixed sizes and directions under random stalls on both
//               handshakes (several valid / ready probabilities, down to 5 %); checks that
//               out_data/out_last hold while out_valid waits for out_ready
//   reset       the reset asserted during the twiddle generation, in the middle of a load,
//               of a transform and of an unload; afterwards the core is quiet and correct
//   throughput  cycles per frame for a stream of frames equal sm_ntt_pkg::frame_cycles, and
//               for 2^12 points are within 10 % of (n/2) log2 n / Lanes plus the pipeline
//               depth (the target of docs/hdl.md); prints the table of docs/hdl.md
// Exit status: 0 when every check passed, 1 on any mismatch or protocol error, 2 on a usage
// error. The seed (default 1) is printed; a failure names the test, frame and index.
#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "sm_ntt_harness.h"

extern "C" {
#include "core/field.h"
#include "core/ntt.h"
}

namespace {

using sm_ntt::Harness;
using sm_ntt::kLanes;
using sm_ntt::kLogN;
using sm_ntt::kLogNMin;

// splitmix64: a small, seedable generator (the seed is printed).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  bool chance(double p) { return (double)(next() >> 11) * 0x1p-53 < p; }
  unsigned below(unsigned n) { return (unsigned)(next() % n); }

 private:
  uint64_t s_;
};

struct Frame {
  std::string name;
  unsigned log_n = 0;
  bool inverse = false;
  std::vector<uint64_t> in;      // raw input, natural order (may be non-canonical)
  std::vector<uint64_t> expect;  // the C reference's output, bit-reversed order
};

sm_ntt_plan *g_plan = nullptr;
int g_errors = 0;
const char *g_test = "";

void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(const char *fmt, ...) {
  if (g_errors < 20) {
    std::printf("FAIL [%s] ", g_test);
    va_list ap;
    va_start(ap, fmt);
    std::vprintf(fmt, ap);
    va_end(ap);
    std::printf("\n");
  }
  g_errors++;
}

// The scoreboard: the C reference transform of the reduced input.
void reference(Frame &f) {
  const size_t n = (size_t)1 << f.log_n;
  f.expect.resize(n);
  for (size_t i = 0; i < n; i++) f.expect[i] = gl_from_u64(f.in[i]);
  starkml_status s =
      f.inverse ? sm_ntt_inverse(g_plan, f.expect.data(), 1, n, f.log_n, SM_ORDER_NATURAL,
                                 SM_ORDER_BITREV)
                : sm_ntt_forward(g_plan, f.expect.data(), 1, n, f.log_n, SM_ORDER_NATURAL,
                                 SM_ORDER_BITREV);
  if (s != STARKML_OK) {
    std::fprintf(stderr, "reference NTT failed (%d)\n", (int)s);
    std::exit(2);
  }
}

Frame make_frame(const std::string &name, unsigned log_n, bool inverse,
                 std::vector<uint64_t> in) {
  Frame f;
  f.name = name + (inverse ? " inv 2^" : " fwd 2^") + std::to_string(log_n);
  f.log_n = log_n;
  f.inverse = inverse;
  f.in = std::move(in);
  reference(f);
  return f;
}

const uint64_t kEdge[] = {0, 1, GL_P - 1, 0xFFFFFFFFull, GL_P, ~0ull, 1ull << 63};

Frame random_frame(Rng &rng, unsigned log_n, bool inverse, const char *name = "random") {
  std::vector<uint64_t> in((size_t)1 << log_n);
  for (auto &x : in) x = rng.next() % GL_P;
  return make_frame(name, log_n, inverse, std::move(in));
}

struct Policy {
  double p_valid = 1.0;  // probability of offering a beat in a cycle
  double p_ready = 1.0;  // probability of accepting one
};

struct Timing {
  std::vector<uint64_t> first_in, last_out;  // per frame: cycle of the first input beat,
                                             // of the last output beat
};

// Streams frames through the core under `pol` and checks every output beat against the
// scoreboard. Returns false on a stall (no beat for too long). With stop_at != 0, stops
// feeding and checking at that cycle (the caller then resets the core).
bool run(Harness &h, Rng &rng, const std::vector<Frame> &frames, Policy pol,
         Timing *timing = nullptr, uint64_t stop_at = 0) {
  size_t fi = 0, bi = 0;  // input: frame, beat
  size_t fo = 0, bo = 0;  // output: frame, beat
  bool holding = false;
  bool prev_wait = false;
  std::vector<uint64_t> prev_data(kLanes), data(kLanes), beat(kLanes);
  bool prev_last = false;
  uint64_t idle = 0;
  const uint64_t patience = 4 * sm_ntt::frame_cycles(kLogN) + 100000;
  if (timing != nullptr) {
    timing->first_in.assign(frames.size(), 0);
    timing->last_out.assign(frames.size(), 0);
  }
  while (fo < frames.size()) {
    if (stop_at != 0 && h.cycle() >= stop_at) return true;
    // Input: a beat once offered stays offered, unchanged, until it is taken.
    if (!holding && fi < frames.size() && rng.chance(pol.p_valid)) {
      const Frame &f = frames[fi];
      for (unsigned j = 0; j < kLanes; j++) beat[j] = f.in[bi * kLanes + j];
      holding = true;
      // Config lines carry junk except on a frame's first beat (they are sampled there only).
      unsigned log_n = bi == 0 ? f.log_n : rng.below(32);
      bool inv = bi == 0 ? f.inverse : rng.chance(0.5);
      h.set_in(true, beat.data(), log_n, inv);
    } else if (!holding) {
      h.set_in(false, nullptr, rng.below(32), rng.chance(0.5));
    }
    h.set_out_ready(rng.chance(pol.p_ready));

    // AXI-stream rule: a beat offered and not taken stays, unchanged.
    if (prev_wait) {
      h.out_data(data.data());
      if (!h.out_valid() || data != prev_data || h.out_last() != prev_last)
        fail("out_valid/out_data/out_last changed while waiting for out_ready (cycle %" PRIu64
             ")", h.cycle());
    }
    bool in_fire = h.in_valid() && h.in_ready();
    bool out_fire = h.out_valid() && h.out_ready();
    prev_wait = h.out_valid() && !h.out_ready();
    if (prev_wait) {
      h.out_data(prev_data.data());
      prev_last = h.out_last();
    }
    if (out_fire) {
      // A frame's results cannot start before all of its points went in.
      if (fo >= fi) {
        fail("an output beat before its frame was sent (cycle %" PRIu64 ")", h.cycle());
        return false;
      }
      const Frame &f = frames[fo];
      const size_t beats = ((size_t)1 << f.log_n) / kLanes;
      h.out_data(data.data());
      for (unsigned j = 0; j < kLanes; j++) {
        size_t i = bo * kLanes + j;
        if (data[j] != f.expect[i])
          fail("%s: frame %zu, output %zu: got 0x%016" PRIx64 ", expected 0x%016" PRIx64,
               f.name.c_str(), fo, i, data[j], f.expect[i]);
      }
      if (h.out_last() != (bo + 1 == beats))
        fail("%s: frame %zu beat %zu: out_last is %d", f.name.c_str(), fo, bo,
             (int)h.out_last());
      if (++bo == beats) {
        if (timing != nullptr) timing->last_out[fo] = h.cycle();
        fo++;
        bo = 0;
      }
    }
    if (in_fire) {
      if (timing != nullptr && bi == 0) timing->first_in[fi] = h.cycle();
      holding = false;
      if (++bi == ((size_t)1 << frames[fi].log_n) / kLanes) {
        fi++;
        bi = 0;
      }
    }
    idle = (in_fire || out_fire) ? 0 : idle + 1;
    if (idle > patience) {
      fail("no beat moved for %" PRIu64 " cycles (frame in %zu, out %zu)", idle, fi, fo);
      return false;
    }
    h.step();
  }
  h.set_in(false, nullptr, 0, false);
  return true;
}

// Reference bit reversal of a vector of 2^log_n entries.
std::vector<uint64_t> bitrev(const std::vector<uint64_t> &v, unsigned log_n) {
  std::vector<uint64_t> r(v.size());
  for (size_t i = 0; i < v.size(); i++) r[sm_bitrev(i, log_n)] = v[i];
  return r;
}

// ---- tests ----------------------------------------------------------------------------------

void test_vectors(Harness &h, Rng &rng) {
  std::vector<Frame> frames;
  for (unsigned log_n = kLogNMin; log_n <= kLogN; log_n++) {
    const size_t n = (size_t)1 << log_n;
    for (int inv = 0; inv < 2; inv++) {
      for (size_t k : {(size_t)0, n - 1, (size_t)rng.below((unsigned)n)}) {
        std::vector<uint64_t> x(n, 0);
        x[k] = 1;
        frames.push_back(make_frame("impulse@" + std::to_string(k), log_n, inv, x));
      }
      frames.push_back(make_frame("ones", log_n, inv, std::vector<uint64_t>(n, 1)));
      std::vector<uint64_t> ramp(n);
      for (size_t i = 0; i < n; i++) ramp[i] = i;
      frames.push_back(make_frame("ramp", log_n, inv, ramp));
      frames.push_back(random_frame(rng, log_n, inv));
      std::vector<uint64_t> edge(n);
      for (size_t i = 0; i < n; i++) edge[i] = kEdge[rng.below(sizeof kEdge / sizeof kEdge[0])];
      frames.push_back(make_frame("edge", log_n, inv, edge));
      frames.push_back(make_frame("p-1", log_n, inv, std::vector<uint64_t>(n, GL_P - 1)));
    }
  }
  run(h, rng, frames, Policy{});
  std::printf("  %zu frames\n", frames.size());
}

void test_roundtrip(Harness &h, Rng &rng) {
  size_t count = 0;
  for (unsigned log_n = kLogNMin; log_n <= kLogN; log_n++) {
    std::vector<Frame> fwd = {random_frame(rng, log_n, false, "roundtrip")};
    Policy pol{0.8, 0.8};
    if (!run(h, rng, fwd, pol)) return;
    // The core's output (= the reference's, checked by run) in natural order, inverted.
    std::vector<Frame> back = {make_frame("roundtrip", log_n, true, bitrev(fwd[0].expect, log_n))};
    if (!run(h, rng, back, pol)) return;
    std::vector<uint64_t> again = bitrev(back[0].expect, log_n);
    for (size_t i = 0; i < again.size(); i++)
      if (again[i] != fwd[0].in[i]) {
        fail("2^%u: inverse(forward(x))[%zu] != x[%zu]", log_n, i, i);
        break;
      }
    count += 2;
  }
  std::printf("  %zu frames\n", count);
}

// Random sizes, weighted towards small frames so that many frame boundaries are crossed.
std::vector<Frame> random_mix(Rng &rng, size_t count) {
  std::vector<Frame> frames;
  for (size_t i = 0; i < count; i++) {
    unsigned span = kLogN - kLogNMin + 1;
    unsigned log_n = kLogNMin + std::min(rng.below(span), rng.below(span));
    frames.push_back(random_frame(rng, log_n, rng.chance(0.5), "mix"));
  }
  return frames;
}

void test_stalls(Harness &h, Rng &rng) {
  const Policy policies[] = {{0.5, 0.5}, {0.9, 0.2}, {0.2, 0.9}, {1.0, 0.05}, {0.05, 1.0}};
  size_t count = 0;
  for (const Policy &pol : policies) {
    std::vector<Frame> frames = random_mix(rng, 12);
    if (!run(h, rng, frames, pol)) return;
    count += frames.size();
  }
  std::printf("  %zu frames under 5 stall policies\n", count);
}

void test_reset(Harness &h, Rng &rng) {
  // Reset points: 50 and 2000 cycles after a reset (during the twiddle generation, which
  // takes 2^LogN + 2 (LogN - 1) StageGap cycles: in the first frame's load, and with a
  // loaded frame waiting), then at random points of streams of large frames with stalls (in
  // a load, a transform or an unload).
  const uint64_t after[] = {50, 2000, 0, 0, 0};
  size_t count = 0;
  for (uint64_t a : after) {
    std::vector<Frame> doomed;
    for (int i = 0; i < 3; i++) doomed.push_back(random_frame(rng, kLogN, rng.chance(0.5)));
    uint64_t span = 3 * sm_ntt::frame_cycles(kLogN);
    if (a != 0) h.reset(2);
    uint64_t stop = h.cycle() + (a != 0 ? a : 1 + rng.next() % span);
    run(h, rng, doomed, Policy{0.7, 0.7}, nullptr, stop);
    h.reset(1 + rng.below(4));
    // Right after the reset nothing is offered and the output is empty.
    if (h.out_valid()) fail("out_valid high right after reset");
    std::vector<Frame> frames = random_mix(rng, 4);
    frames.push_back(random_frame(rng, kLogN, true));
    if (!run(h, rng, frames, Policy{0.7, 0.7})) return;
    count += frames.size();
  }
  std::printf("  5 resets, %zu frames after them\n", count);
}

void test_throughput(Harness &h, Rng &rng) {
  std::printf("  %-6s %10s %10s %10s %8s %10s\n", "n", "cycles", "formula", "ideal",
              "over", "latency");
  for (unsigned log_n = kLogNMin; log_n <= kLogN; log_n++) {
    const size_t frames_n = 6;
    std::vector<Frame> frames;
    for (size_t i = 0; i < frames_n; i++) frames.push_back(random_frame(rng, log_n, i & 1));
    Timing t;
    // A short idle period first, so that frame 0 starts on an idle core.
    for (int i = 0; i < 50; i++) h.step();
    if (!run(h, rng, frames, Policy{}, &t)) return;
    // Steady state: the spacing of the last output beats of frames 2 .. 5.
    uint64_t per = (t.last_out[frames_n - 1] - t.last_out[2]) / (frames_n - 3);
    uint64_t formula = sm_ntt::frame_cycles(log_n);
    uint64_t ideal = sm_ntt::ideal_cycles(log_n);
    uint64_t latency = t.last_out[0] - t.first_in[0] + 1;
    double over = (double)per / (double)(ideal + sm_ntt::kPipeDepth) - 1.0;
    std::printf("  2^%-4u %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %7.1f%% %10" PRIu64 "\n",
                log_n, per, formula, ideal, 100.0 * over, latency);
    if (per != formula)
      fail("2^%u: %" PRIu64 " cycles per frame, sm_ntt_pkg::frame_cycles says %" PRIu64, log_n,
           per, formula);
    if (log_n == 12 && over > 0.10)
      fail("2^%u: %" PRIu64 " cycles per frame is more than 10 %% over the ideal %" PRIu64
           " + depth %u",
           log_n, per, ideal, sm_ntt::kPipeDepth);
  }
}

struct Test {
  const char *name;
  void (*fn)(Harness &, Rng &);
};
const Test kTests[] = {{"vectors", test_vectors},
                       {"roundtrip", test_roundtrip},
                       {"stalls", test_stalls},
                       {"reset", test_reset},
                       {"throughput", test_throughput}};

int usage() {
  std::fprintf(stderr,
               "usage: tb_ntt_core [--test NAME]... [--seed N] [--trace FILE.vcd] [--list]\n");
  return 2;
}

}  // namespace

int main(int argc, char **argv) {
  uint64_t seed = 1;
  const char *trace = nullptr;
  std::vector<std::string> only;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 0);
    } else if (a == "--trace" && i + 1 < argc) {
      trace = argv[++i];
    } else if (a == "--test" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else if (a == "--list") {
      for (const Test &t : kTests) std::printf("%s\n", t.name);
      return 0;
    } else {
      return usage();
    }
  }
  for (const std::string &name : only) {
    bool known = false;
    for (const Test &t : kTests) known |= name == t.name;
    if (!known) {
      std::fprintf(stderr, "tb_ntt_core: no test '%s' (--list)\n", name.c_str());
      return 2;
    }
  }
  if (sm_ntt_plan_create(&g_plan, kLogN, 1) != STARKML_OK) return 2;

  Harness h;
  if (trace != nullptr) {
#if VM_TRACE
    h.trace(trace);
#else
    std::fprintf(stderr, "tb_ntt_core: built without --trace support\n");
    return 2;
#endif
  }
  std::printf("sm_ntt_core LogN=%u Lanes=%u (frames 2^%u..2^%u), seed %" PRIu64 "\n", kLogN,
              kLanes, kLogNMin, kLogN, seed);
  std::printf("latencies: multiplier %u, butterfly %u, engine pipeline %u, stage gap %u\n",
              sm_ntt::kMulLatency, sm_ntt::kBflyLatency, sm_ntt::kPipeDepth, sm_ntt::kStageGap);
  Rng rng(seed);
  h.reset(3);
  for (const Test &t : kTests) {
    bool want = only.empty();
    for (const std::string &name : only) want |= name == t.name;
    if (!want) continue;
    g_test = t.name;
    int before = g_errors;
    uint64_t c0 = h.cycle();
    std::printf("%s:\n", t.name);
    t.fn(h, rng);
    std::printf("  %s (%" PRIu64 " cycles)\n", g_errors == before ? "ok" : "FAILED",
                h.cycle() - c0);
  }
  sm_ntt_plan_free(g_plan);
  std::printf("%s: %d error(s), %" PRIu64 " cycles, seed %" PRIu64 "\n",
              g_errors == 0 ? "PASS" : "FAIL", g_errors, h.cycle(), seed);
  return g_errors == 0 ? 0 : 1;
}
