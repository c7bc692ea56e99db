// Pipelined Goldilocks multiplier: r = a * b mod p, p = 2^64 - 2^32 + 1.
//
// One product per cycle, sm_ntt_pkg::GlMulLatency (10) cycles from a_i/b_i to r_o.
// a_i and b_i may be any 64-bit values; r_o is canonical.
//
// Stages (one register each):
//   1  operand limbs, one private copy per partial product (a DSP's A/B input registers:
//      no register drives more than one multiplier, so every tool can pack them);
//   2  16 partial products of 16 x 16 bits, each one DSP multiplier on every target
//      (UltraScale+ DSP48E2 27 x 18, ECP5 MULT18X18D) (the DSP's M register);
//   3  the products again (the DSP's P register);
//   4  the products regrouped into 8 rows of 64 bits (products two limbs apart do not
//      overlap, so a row is a concatenation, not an addition), rows of equal weight added:
//      3 adds of 64 bits, and one row pair that needs no add;
//   5  2 adds (96 and 97 bits);
//   6  1 add: x = a * b, 128 bits (it cannot overflow);
//   7-10 reduction of x = hi * 2^64 + lo, hi = hh * 2^32 + hl, using 2^64 = 2^32 - 1 = eps
//      and 2^96 = -1 (mod p):  x = lo - hh + hl * eps (mod p), and hl * eps =
//      (hl << 32) - hl needs no multiplier:
//        7  d = lo - hh (with borrow),  t1 = (hl << 32) - hl
//        8  t0 = d - eps on a borrow (cannot borrow again: d >= 2^64 - 2^32 + 1 > eps)
//        9  s = t0 + t1 (with carry)
//        10 on a carry s + eps (< p, because s < t1 <= (2^32 - 1)^2), else s - p if s >= p.
// Every fabric stage is one carry chain (at most 128 bits) plus at most one 2:1
// multiplexer; docs/hdl.md lists the logic depth of each stage after synthesis.
module sm_gl_mul (
  input  logic        clk_i,
  input  logic [63:0] a_i,
  input  logic [63:0] b_i,
  output logic [63:0] r_o
);
  // Stage 1: limb k = 4 i + j of each operand copy: a limb i and b limb j.
  logic [255:0] al_q, bl_q;
  always_ff @(posedge clk_i) begin
    for (int i = 0; i < 4; i++) begin
      for (int j = 0; j < 4; j++) begin
        al_q[16 * (4 * i + j) +: 16] <= a_i[16 * i +: 16];
        bl_q[16 * (4 * i + j) +: 16] <= b_i[16 * j +: 16];
      end
    end
  end

  // Stages 2 and 3: partial product k = 4 i + j, weight 2^(16 (i + j)), at pp_q[32 k +: 32].
  logic [511:0] pm_q, pp_q;
  always_ff @(posedge clk_i) begin
    for (int k = 0; k < 16; k++) begin
      pm_q[32 * k +: 32] <= {16'd0, al_q[16 * k +: 16]} * {16'd0, bl_q[16 * k +: 16]};
    end
    pp_q <= pm_q;
  end

  // Stage 4: rows. For a fixed i, products j = 0 and 2 (weights 16 (i + 0), 16 (i + 2)) do
  // not overlap, nor do j = 1 and 3: row_e(i) = {pp(i, 2), pp(i, 0)} at weight 16 i,
  // row_o(i) = {pp(i, 3), pp(i, 1)} at weight 16 (i + 1). Rows of equal weight are added;
  // row_e(0) (bits 0..63) and row_o(3) (bits 64..127) are disjoint and are concatenated.
  function automatic logic [63:0] row_e(input logic [511:0] pp, input int i);
    row_e = {pp[32 * (4 * i + 2) +: 32], pp[32 * (4 * i) +: 32]};
  endfunction
  function automatic logic [63:0] row_o(input logic [511:0] pp, input int i);
    row_o = {pp[32 * (4 * i + 3) +: 32], pp[32 * (4 * i + 1) +: 32]};
  endfunction
  logic [64:0]  s16_q, s32_q, s48_q;  // weights 2^16, 2^32, 2^48
  logic [127:0] c0_q;                 // weight 1
  always_ff @(posedge clk_i) begin
    s16_q <= {1'b0, row_o(pp_q, 0)} + {1'b0, row_e(pp_q, 1)};
    s32_q <= {1'b0, row_o(pp_q, 1)} + {1'b0, row_e(pp_q, 2)};
    s48_q <= {1'b0, row_o(pp_q, 2)} + {1'b0, row_e(pp_q, 3)};
    c0_q  <= {row_o(pp_q, 3), row_e(pp_q, 0)};
  end

  // Stage 5: ta = c0 + s32 * 2^32 (the low 32 bits of c0 pass through), tb = s16 + s48 * 2^32
  // (weight 2^16).
  logic [127:0] ta_q;
  logic [97:0]  tb_q;
  always_ff @(posedge clk_i) begin
    ta_q <= {c0_q[127:32] + {31'd0, s32_q}, c0_q[31:0]};
    tb_q <= {33'd0, s16_q} + {1'b0, s48_q, 32'd0};
  end

  // Stage 6: x = ta + tb * 2^16 (the low 16 bits of ta pass through). x < 2^128.
  logic [127:0] x_q;
  always_ff @(posedge clk_i) begin
    x_q <= {ta_q[127:16] + 112'(tb_q), ta_q[15:0]};
  end

  // Stage 7: d = lo - hh, t1 = hl * eps.
  logic [64:0] d_q;
  logic [63:0] t1_q;
  always_ff @(posedge clk_i) begin
    d_q  <= {1'b0, x_q[63:0]} - {33'd0, x_q[127:96]};
    t1_q <= {x_q[95:64], 32'd0} - {32'd0, x_q[95:64]};
  end

  // Stage 8: t0 = lo - hh (mod p) in [0, 2^64).
  logic [63:0] t0_q, t1b_q;
  always_ff @(posedge clk_i) begin
    t0_q  <= d_q[63:0] - (d_q[64] ? sm_ntt_pkg::GlEps : 64'd0);
    t1b_q <= t1_q;
  end

  // Stage 9: s = t0 + t1.
  logic [64:0] s_q;
  always_ff @(posedge clk_i) begin
    s_q <= {1'b0, t0_q} + {1'b0, t1b_q};
  end

  // Stage 10: canonical result.
  logic [63:0] s_eps;
  logic [64:0] s_mp;
  assign s_eps = s_q[63:0] + sm_ntt_pkg::GlEps;
  assign s_mp  = {1'b0, s_q[63:0]} - {1'b0, sm_ntt_pkg::GlP};
  logic [63:0] r_q;
  always_ff @(posedge clk_i) begin
    if (s_q[64]) begin
      r_q <= s_eps;
    end else if (!s_mp[64]) begin
      r_q <= s_mp[63:0];
    end else begin
      r_q <= s_q[63:0];
    end
  end
  assign r_o = r_q;

endmodule
