// Cooley-Tukey butterfly over Goldilocks, with an optional halving of both outputs.
//
//   u = (x + w y) h,  v = (x - w y) h,  h = 1/2 when half_i, else 1,
//
// one butterfly per cycle, sm_ntt_pkg::BflyLatency cycles from the inputs to u_o/v_o.
// x_i, y_i and w_i must be canonical; u_o and v_o are canonical. The inverse transform
// halves in every one of its log n stages, which multiplies by 1/n without a multiplier.
// Stages: the product (sm_gl_mul), then x + t and x - t, their corrections to [0, p), and
// the halving, each one carry chain plus a 2:1 multiplexer.
module sm_gl_butterfly (
  input  logic        clk_i,
  input  logic [63:0] x_i,
  input  logic [63:0] y_i,
  input  logic [63:0] w_i,
  input  logic        half_i,
  output logic [63:0] u_o,
  output logic [63:0] v_o
);
  // t = w y, sm_ntt_pkg::GlMulLatency cycles later; x and half travel beside it.
  logic [63:0] t;
  sm_gl_mul u_mul (
    .clk_i,
    .a_i (w_i),
    .b_i (y_i),
    .r_o (t)
  );

  localparam int unsigned Lat = sm_ntt_pkg::GlMulLatency;
  logic [64*Lat-1:0] x_dly_q;
  logic [Lat-1:0]    half_dly_q;
  always_ff @(posedge clk_i) begin
    x_dly_q    <= {x_dly_q[64*(Lat-1)-1:0], x_i};
    half_dly_q <= {half_dly_q[Lat-2:0], half_i};
  end
  logic [63:0] x_m;
  logic        half_m;
  assign x_m    = x_dly_q[64*(Lat-1) +: 64];
  assign half_m = half_dly_q[Lat-1];

  // Sum and difference with their carry / borrow (x, t < p).
  logic [64:0] sum_q, dif_q;
  logic        half_a_q;
  always_ff @(posedge clk_i) begin
    sum_q    <= {1'b0, x_m} + {1'b0, t};
    dif_q    <= {1'b0, x_m} - {1'b0, t};
    half_a_q <= half_m;
  end

  // Corrections: sum < 2p, so at most one subtraction of p; on a borrow the difference
  // x - t + 2^64 becomes x - t + p (mod 2^64), which lies in (0, p).
  logic sum_ge_p;
  assign sum_ge_p = (sum_q >= {1'b0, sm_ntt_pkg::GlP});
  logic [63:0] u_c_q, v_c_q;
  logic        half_b_q;
  always_ff @(posedge clk_i) begin
    // sum - p < p fits in 64 bits, so the subtraction may drop bit 64 of sum.
    u_c_q    <= sum_ge_p ? sum_q[63:0] - sm_ntt_pkg::GlP : sum_q[63:0];
    v_c_q    <= dif_q[64] ? dif_q[63:0] + sm_ntt_pkg::GlP : dif_q[63:0];
    half_b_q <= half_a_q;
  end

  // Halving: v / 2 = v >> 1 for even v, (v >> 1) + (p + 1) / 2 for odd v (canonical: at
  // most (p - 2) / 2 + (p + 1) / 2 < p).
  function automatic logic [63:0] gl_halve(input logic [63:0] v);
    gl_halve = {1'b0, v[63:1]} + (v[0] ? sm_ntt_pkg::GlHalf : 64'd0);
  endfunction

  logic [63:0] u_q, v_q;
  always_ff @(posedge clk_i) begin
    u_q <= half_b_q ? gl_halve(u_c_q) : u_c_q;
    v_q <= half_b_q ? gl_halve(v_c_q) : v_c_q;
  end
  assign u_o = u_q;
  assign v_o = v_q;

endmodule
