// Goldilocks NTT core: field constants, the pipeline latencies, and the root-of-unity table.
//
// p = 2^64 - 2^32 + 1. Every value on a port of the core, and every value one module of this
// directory hands to another, is canonical (in [0, p)) unless a comment says otherwise.
// The latencies are the contract of each pipeline: the testbench (hdl/dv) checks its cycle
// counts against them, and docs/hdl.md explains the schedule they add up to.
package sm_ntt_pkg;

  localparam logic [63:0] GlP = 64'hFFFF_FFFF_0000_0001;
  // 2^64 mod p = 2^32 - 1: adding it accounts for a carry out of bit 63, subtracting it for
  // a borrow.
  localparam logic [63:0] GlEps = 64'h0000_0000_FFFF_FFFF;
  // (p + 1) / 2, the inverse of 2: halving an odd v is (v >> 1) + GlHalf.
  localparam logic [63:0] GlHalf = 64'h7FFF_FFFF_8000_0001;
  // Largest transform the root table below supports (the core's LogN, and so its memories,
  // are far smaller in practice; larger transforms go four-step, see docs/hdl.md).
  localparam int unsigned GlMaxLogN = 24;

  // sm_gl_mul: operand limbs, 16 partial products of 16 x 16 bits (two registers: a DSP's
  // M and P), a 3-level adder tree, a 4-stage reduction (see sm_gl_mul.sv).
  localparam int unsigned GlMulLatency /*verilator public*/ = 10;
  // sm_gl_butterfly: the product, then sum and difference, their correction, the halving.
  localparam int unsigned BflyLatency /*verilator public*/ = GlMulLatency + 3;
  // sm_ntt_ram: synchronous read, data one cycle after the address.
  localparam int unsigned RamLatency /*verilator public*/ = 1;
  // sm_ntt_engine: from the cycle a butterfly row is issued to the cycle its two result rows
  // are written: address register, RAM read, operand register, butterfly, write register.
  localparam int unsigned EnginePipeDepth /*verilator public*/ =
      1 + RamLatency + 1 + BflyLatency + 1;
  // Idle cycles after the last issue of a stage: the next stage reads what this one writes,
  // so its first read waits until the last write has been committed.
  localparam int unsigned StageGap /*verilator public*/ = EnginePipeDepth - 1;
  // sm_ntt_engine: cycles between the end of one frame's last stage gap and the first issue
  // of the next frame when that frame is already loaded (done, idle, run).
  localparam int unsigned FrameOverhead /*verilator public*/ = 2;

  // Cycles the engine spends on one transform of 2^log_n points with 2^log_lanes lanes:
  // log_n stages of 2^(log_n - log_lanes - 1) issue cycles (one butterfly per lane per
  // cycle) plus the stage gap, plus the frame overhead. The core's throughput for a stream of
  // transforms is one transform per this many cycles (docs/hdl.md, "Throughput").
  function automatic int unsigned frame_cycles(input int unsigned log_n,
                                               input int unsigned log_lanes);
    frame_cycles = log_n * ((1 << (log_n - log_lanes - 1)) + StageGap) + FrameOverhead;
  endfunction

  // The canonical primitive 2^log_n-th root of unity (gl_root_of_unity of core/field.h,
  // GL_ROOT_2_32 squared 32 - log_n times), or its inverse, for log_n <= GlMaxLogN.
  // Generated with Python's pow() and checked by the testbench, whose scoreboard uses the C
  // reference; a wrong entry fails every transform of that size.
  function automatic logic [63:0] gl_root(input logic [4:0] log_n, input logic inverse);
    unique case (log_n)
      5'd0: gl_root = inverse ? 64'h0000_0000_0000_0001 : 64'h0000_0000_0000_0001;
      5'd1: gl_root = inverse ? 64'hFFFF_FFFF_0000_0000 : 64'hFFFF_FFFF_0000_0000;
      5'd2: gl_root = inverse ? 64'hFFFE_FFFF_0000_0001 : 64'h0001_0000_0000_0000;
      5'd3: gl_root = inverse ? 64'h0000_00FF_FFFF_FF00 : 64'hFFFF_FFFE_FF00_0001;
      5'd4: gl_root = inverse ? 64'h0000_0010_0000_0000 : 64'hEFFF_FFFF_0000_0001;
      5'd5: gl_root = inverse ? 64'hFFFF_FFFE_FFFC_0001 : 64'h0000_3FFF_FFFF_C000;
      5'd6: gl_root = inverse ? 64'hFDFF_FFFF_0000_0001 : 64'h0000_0080_0000_0000;
      5'd7: gl_root = inverse ? 64'hFFEF_FFFF_0000_0011 : 64'hF800_07FF_0800_0001;
      5'd8: gl_root = inverse ? 64'h1D62_E30F_A4A4_EEB0 : 64'hBF79_143C_E60C_A966;
      5'd9: gl_root = inverse ? 64'h3DE1_9C67_CF49_6A74 : 64'h1905_D02A_5C41_1F4E;
      5'd10: gl_root = inverse ? 64'h3B9A_E9D1_D8D8_7589 : 64'h9D8F_2AD7_8BFE_D972;
      5'd11: gl_root = inverse ? 64'h76A4_0E08_66A8_E50D : 64'h0653_B480_1DA1_C8CF;
      5'd12: gl_root = inverse ? 64'h9AF0_1E43_1FBD_6EA0 : 64'hF2C3_5199_959D_FCB6;
      5'd13: gl_root = inverse ? 64'h3712_791D_9EB0_314A : 64'h1544_EF23_35D1_7997;
      5'd14: gl_root = inverse ? 64'h4097_30A1_895A_DFB6 : 64'hE0EE_0993_10BB_A1E2;
      5'd15: gl_root = inverse ? 64'h158E_E068_C824_1329 : 64'hF6B2_CFFE_2306_BAAC;
      5'd16: gl_root = inverse ? 64'h6D34_1B1C_9A04_ED19 : 64'h54DF_9630_BF79_450E;
      5'd17: gl_root = inverse ? 64'hCC9E_5A57_B834_3B3F : 64'hABD0_A6E8_AA3D_8A0E;
      5'd18: gl_root = inverse ? 64'h22E1_FBF0_3F8B_95D6 : 64'h8128_1A7B_05F9_BEAC;
      5'd19: gl_root = inverse ? 64'h46A2_3C48_234C_7DF9 : 64'hFBD4_1C6B_8CAA_3302;
      5'd20: gl_root = inverse ? 64'hEF88_5696_9FE6_ED7B : 64'h30BA_2ECD_5E93_E76D;
      5'd21: gl_root = inverse ? 64'hA520_08AC_564A_2368 : 64'hF502_AEF5_3232_2654;
      5'd22: gl_root = inverse ? 64'hD46E_5A4C_3645_8C11 : 64'h4B2A_18AD_E672_46B5;
      5'd23: gl_root = inverse ? 64'h4BB9_AEE3_72CF_655E : 64'hEA9D_5A13_36FB_C98B;
      5'd24: gl_root = inverse ? 64'h10EB_8452_6381_4DB7 : 64'h86CD_CC31_C307_E171;
      default: gl_root = 64'd0;
    endcase
  endfunction

endpackage
