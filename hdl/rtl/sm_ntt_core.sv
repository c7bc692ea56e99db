// Streaming Goldilocks NTT core (p = 2^64 - 2^32 + 1).
//
// A frame is one transform of 2^log_n points, LogNMin <= log_n <= LogN. It enters as
// 2^log_n / Lanes beats of Lanes points in natural order (beat r, lane j = point r Lanes + j)
// and leaves as 2^log_n / Lanes beats in bit-reversed order: output point i (beat
// i / Lanes, lane i mod Lanes) is X[bitrev_log_n(i)], where
//   forward:  X[k] = sum_j x[j] w^(j k),
//   inverse:  X[k] = 2^-log_n sum_j x[j] w^(-j k),
// w = the canonical primitive 2^log_n-th root of unity (core/field.h). This is
// sm_ntt_forward / sm_ntt_inverse of core/ntt.h with natural input and bit-reversed output.
// Input points may be any 64-bit values (they are reduced mod p on entry); output points
// are canonical.
//
// Handshakes: valid/ready on both sides, a beat moves when valid and ready are both high,
// and either side may stall at any time. in_log_n_i and in_inverse_i are sampled with the
// first beat of each frame; out_last_o marks the last beat of a frame. No combinational
// path runs from any input to any output. After reset the engine generates its twiddle
// tables (2^LogN + 2 (LogN - 1) StageGap cycles); frames are taken meanwhile and wait.
//
// Inside: four frame buffers (one loading, two for the stages of the frame being
// transformed, one unloading) so that loading the next frame and unloading the previous one
// overlap the transform of the current one; the engine (sm_ntt_engine) does Lanes
// butterflies per cycle. Throughput for a stream of frames of 2^n points:
// sm_ntt_pkg::frame_cycles(n, log2 Lanes) cycles per frame. See docs/hdl.md.
module sm_ntt_core #(
  parameter int unsigned LogN /*verilator public*/ = 12,
  parameter int unsigned Lanes /*verilator public*/ = 2,
  localparam int unsigned LogL = $clog2(Lanes),
  localparam int unsigned DataW = 64 * Lanes,
  // Smallest frame: two rows of Lanes points.
  localparam int unsigned LogNMin /*verilator public*/ = LogL + 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,

  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [DataW-1:0] in_data_i,
  input  logic [4:0]       in_log_n_i,     // clamped to [LogNMin, LogN]
  input  logic             in_inverse_i,

  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [DataW-1:0] out_data_o,
  output logic             out_last_o
);
  localparam int unsigned AddrW  = LogN - LogL - 1;   // bank address
  localparam int unsigned RowW   = LogN - LogL;       // row counter (2^RowW rows at most)
  localparam int unsigned BankD  = 1 << AddrW;
  localparam int unsigned NBuf   = 4;
  localparam int unsigned FifoD  = 4;

  // Parameter checks (elaboration).
  if (Lanes < 1 || (1 << LogL) != Lanes) begin : g_bad_lanes
    $error("Lanes must be a power of two");
  end
  if (LogN < LogL + 2 || LogN > sm_ntt_pkg::GlMaxLogN) begin : g_bad_logn
    $error("LogN must satisfy log2(Lanes) + 2 <= LogN <= sm_ntt_pkg::GlMaxLogN");
  end

  // ---- frame buffers ---------------------------------------------------------------------
  // Buffer b, bank k is RAM 2 b + k. (Flat vectors: Yosys 0.23 reads neither packed nor
  // unpacked multi-dimensional arrays.)
  logic [2*NBuf-1:0]       ram_we;
  logic [2*NBuf*AddrW-1:0] ram_waddr, ram_raddr;
  logic [2*NBuf*DataW-1:0] ram_wdata, ram_rdata;
  for (genvar i = 0; i < 2 * NBuf; i++) begin : g_ram
    sm_ntt_ram #(
      .Width (DataW),
      .Depth (BankD)
    ) u_ram (
      .clk_i,
      .we_i    (ram_we[i]),
      .waddr_i (ram_waddr[AddrW*i +: AddrW]),
      .wdata_i (ram_wdata[DataW*i +: DataW]),
      .raddr_i (ram_raddr[AddrW*i +: AddrW]),
      .rdata_o (ram_rdata[DataW*i +: DataW])
    );
  end
  // Read data of buffer buf_id, bank `bank` (a multiplexer; no index arithmetic).
  function automatic logic [DataW-1:0] rdata_of(input logic [2*NBuf*DataW-1:0] rd,
                                                input logic [1:0] buf_id, input logic bank);
    rdata_of = '0;
    for (int i = 0; i < 2 * NBuf; i++) begin
      if ({buf_id, bank} == 3'(i)) rdata_of = rd[DataW*i +: DataW];
    end
  endfunction

  // Per-buffer frame configuration (buffer b: cfg_log_n_q[5 b +: 5]), set by the loader and
  // copied to the engine's second buffer when a transform starts, so that the result buffer
  // always carries it.
  logic [5*NBuf-1:0] cfg_log_n_q;
  logic [NBuf-1:0]   cfg_inv_q;
  logic [NBuf-1:0]   free_q;
  function automatic logic [4:0] log_n_of(input logic [5*NBuf-1:0] cfg, input logic [1:0] b);
    log_n_of = '0;
    for (int i = 0; i < NBuf; i++) begin
      if (b == 2'(i)) log_n_of = cfg[5*i +: 5];
    end
  endfunction

  // A frame of 2^n points has R = 2^(n - LogL) rows. Row r is in bank M(r) ^ r[0] at address
  // r >> 1, where M(r) is r's top bit when R >= 4 and 0 when R = 2 (see sm_ntt_engine).
  // top_mask(n) = R/2 when R >= 4, else 0; last_row(n) = R - 1. Both are bitwise functions of
  // n (no shifter, no carry chain).
  function automatic logic [RowW-1:0] top_mask(input logic [4:0] n);
    for (int i = 0; i < RowW; i++) top_mask[i] = (i >= 1) && (n == 5'(i + LogL + 1));
  endfunction
  function automatic logic [RowW-1:0] last_row(input logic [4:0] n);
    for (int i = 0; i < RowW; i++) last_row[i] = (5'(i + LogL) < n);
  endfunction
  function automatic logic bank_of(input logic [RowW-1:0] r, input logic [RowW-1:0] top);
    bank_of = ((r & top) != '0) ^ r[0];
  endfunction

  function automatic logic [NBuf-1:0] onehot(input logic [1:0] b);
    for (int i = 0; i < NBuf; i++) onehot[i] = (b == 2'(i));
  endfunction

  // First free buffer.
  logic            any_free;
  logic [1:0]      first_free;
  always_comb begin
    any_free   = 1'b0;
    first_free = 2'd0;
    for (int b = NBuf - 1; b >= 0; b--) begin
      if (free_q[b]) begin
        any_free   = 1'b1;
        first_free = 2'(b);
      end
    end
  end

  // ---- loader ----------------------------------------------------------------------------
  logic            ld_active_q;
  logic [1:0]      ld_buf_q;
  logic [RowW-1:0] ld_row_q, ld_last_q, ld_top_q;
  logic            loaded_q;       // a loaded frame waits for the engine
  logic [1:0]      loaded_buf_q;

  logic       in_fire, in_first, in_last;
  logic [4:0] in_n;
  assign in_ready_o = ld_active_q;
  assign in_fire    = in_valid_i && ld_active_q;
  assign in_first   = (ld_row_q == '0);
  assign in_last    = !in_first && (ld_row_q == ld_last_q);
  always_comb begin
    if (in_log_n_i < 5'(LogNMin)) begin
      in_n = 5'(LogNMin);
    end else if (in_log_n_i > 5'(LogN)) begin
      in_n = 5'(LogN);
    end else begin
      in_n = in_log_n_i;
    end
  end

  // Registered write of an accepted beat (reduced mod p: x >= p means x - p < 2^32).
  logic             lw_valid_q, lw_bank_q;
  logic [1:0]       lw_buf_q;
  logic [AddrW-1:0] lw_addr_q;
  logic [DataW-1:0] lw_data_q;
  logic [RowW-1:0]  row_top;
  assign row_top = in_first ? top_mask(in_n) : ld_top_q;
  always_ff @(posedge clk_i) begin
    lw_buf_q  <= ld_buf_q;
    lw_bank_q <= bank_of(ld_row_q, row_top);
    lw_addr_q <= AddrW'(ld_row_q >> 1);
    for (int j = 0; j < Lanes; j++) begin
      lw_data_q[64*j +: 64] <= (in_data_i[64*j +: 64] >= sm_ntt_pkg::GlP) ?
                               in_data_i[64*j +: 64] - sm_ntt_pkg::GlP : in_data_i[64*j +: 64];
    end
  end

  // ---- engine ----------------------------------------------------------------------------
  logic             eng_ready, eng_start, eng_done, eng_phase, eng_wr_phase;
  logic             eng_busy_q;
  logic [1:0]       eng_a_q, eng_b_q;
  logic [AddrW-1:0] eng_rd_addr0, eng_rd_addr1, eng_wr_addr;
  logic [DataW-1:0] eng_rd_data0, eng_rd_data1, eng_wr_data0, eng_wr_data1;
  logic             eng_wr_en;
  logic [1:0]       eng_src, eng_dst;

  // log_n of the frame in the engine is odd: its result is in the second buffer.
  logic eng_odd;
  always_comb begin
    eng_odd = 1'b0;
    for (int b = 0; b < NBuf; b++) begin
      if (eng_a_q == 2'(b)) eng_odd = cfg_log_n_q[5*b];
    end
  end
  assign eng_start = eng_ready && !eng_busy_q && loaded_q && any_free;
  assign eng_src   = eng_phase ? eng_b_q : eng_a_q;
  assign eng_dst   = eng_wr_phase ? eng_a_q : eng_b_q;

  sm_ntt_engine #(
    .LogN  (LogN),
    .Lanes (Lanes)
  ) u_engine (
    .clk_i,
    .rst_ni,
    .ready_o    (eng_ready),
    .start_i    (eng_start),
    .log_n_i    (log_n_of(cfg_log_n_q, loaded_buf_q)),
    .inverse_i  (|(cfg_inv_q & onehot(loaded_buf_q))),
    .done_o     (eng_done),
    .phase_o    (eng_phase),
    .rd_addr0_o (eng_rd_addr0),
    .rd_addr1_o (eng_rd_addr1),
    .rd_data0_i (eng_rd_data0),
    .rd_data1_i (eng_rd_data1),
    .wr_en_o    (eng_wr_en),
    .wr_phase_o (eng_wr_phase),
    .wr_addr_o  (eng_wr_addr),
    .wr_data0_o (eng_wr_data0),
    .wr_data1_o (eng_wr_data1)
  );
  assign eng_rd_data0 = rdata_of(ram_rdata, eng_src, 1'b0);
  assign eng_rd_data1 = rdata_of(ram_rdata, eng_src, 1'b1);

  // ---- unloader --------------------------------------------------------------------------
  // Result buffers in completion order.
  logic [2*NBuf-1:0] dq_q;          // entry i: dq_q[2 i +: 2]
  function automatic logic [1:0] dq_at(input logic [2*NBuf-1:0] q, input logic [1:0] i);
    dq_at = '0;
    for (int k = 0; k < NBuf; k++) begin
      if (i == 2'(k)) dq_at = q[2*k +: 2];
    end
  endfunction
  logic [1:0]      dq_wp_q, dq_rp_q;
  logic [2:0]      dq_cnt_q;

  logic            ul_active_q;
  logic [1:0]      ul_buf_q;
  logic [RowW-1:0] ul_row_q, ul_last_q, ul_top_q;
  // The read issued last cycle (data now at the RAM output).
  logic            ur_valid_q, ur_bank_q, ur_last_q;
  logic [1:0]      ur_buf_q;

  localparam int unsigned FifoCntW = $clog2(FifoD + 1);
  logic [FifoCntW-1:0] fifo_count;
  logic                ul_issue, ul_start, fifo_pop;
  logic [DataW:0]      fifo_rdata;

  logic [1:0] ul_head;
  assign ul_head  = dq_at(dq_q, dq_rp_q);
  assign ul_start = !ul_active_q && (dq_cnt_q != 3'd0);
  // Room in the FIFO for this read, counting the one still in flight.
  assign ul_issue = ul_active_q &&
                    ((FifoCntW + 1)'(fifo_count) + (FifoCntW + 1)'(ur_valid_q) <
                     (FifoCntW + 1)'(FifoD));
  assign fifo_pop = out_ready_i && (fifo_count != '0);

  sm_ntt_fifo #(
    .Width (DataW + 1),
    .Depth (FifoD)
  ) u_out_fifo (
    .clk_i,
    .rst_ni,
    .push_i  (ur_valid_q),
    .wdata_i ({ur_last_q, rdata_of(ram_rdata, ur_buf_q, ur_bank_q)}),
    .pop_i   (fifo_pop),
    .rdata_o (fifo_rdata),
    .count_o (fifo_count)
  );
  assign out_valid_o = (fifo_count != '0);
  assign out_data_o  = fifo_rdata[DataW-1:0];
  assign out_last_o  = fifo_rdata[DataW];

  // ---- buffer ports ----------------------------------------------------------------------
  // A buffer is written by the loader or by the engine (its destination), and read by the
  // engine (its source) or by the unloader; the scheduling below never gives one buffer two
  // writers or two readers.
  always_comb begin
    for (int b = 0; b < NBuf; b++) begin
      for (int k = 0; k < 2; k++) begin
        if (lw_valid_q && lw_buf_q == 2'(b)) begin
          ram_we[2*b+k] = (lw_bank_q == k[0]);
          ram_waddr[AddrW*(2*b+k) +: AddrW] = lw_addr_q;
          ram_wdata[DataW*(2*b+k) +: DataW] = lw_data_q;
        end else begin
          ram_we[2*b+k] = eng_busy_q && eng_wr_en && (eng_dst == 2'(b));
          ram_waddr[AddrW*(2*b+k) +: AddrW] = eng_wr_addr;
          ram_wdata[DataW*(2*b+k) +: DataW] = k[0] ? eng_wr_data1 : eng_wr_data0;
        end
        if (eng_busy_q && eng_src == 2'(b)) begin
          ram_raddr[AddrW*(2*b+k) +: AddrW] = k[0] ? eng_rd_addr1 : eng_rd_addr0;
        end else begin
          ram_raddr[AddrW*(2*b+k) +: AddrW] = AddrW'(ul_row_q >> 1);
        end
      end
    end
  end

  // ---- frame scheduling ------------------------------------------------------------------
  logic            ld_grab;
  logic [NBuf-1:0] take, give;
  assign ld_grab = !ld_active_q && !loaded_q && any_free;
  assign take    = (ld_grab || eng_start) ? onehot(first_free) : '0;
  assign give    = (eng_done ? onehot(eng_odd ? eng_a_q : eng_b_q) : '0) |
                   ((ur_valid_q && ur_last_q) ? onehot(ur_buf_q) : '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_active_q  <= 1'b0;
      ld_buf_q     <= 2'd0;
      ld_row_q     <= '0;
      ld_last_q    <= '0;
      ld_top_q     <= '0;
      loaded_q     <= 1'b0;
      loaded_buf_q <= 2'd0;
      lw_valid_q   <= 1'b0;
      eng_busy_q   <= 1'b0;
      eng_a_q      <= 2'd0;
      eng_b_q      <= 2'd0;
      free_q       <= '1;
      cfg_inv_q    <= '0;
      cfg_log_n_q  <= {NBuf{5'(LogN)}};
      dq_q         <= '0;
      dq_wp_q      <= 2'd0;
      dq_rp_q      <= 2'd0;
      dq_cnt_q     <= 3'd0;
      ul_active_q  <= 1'b0;
      ul_buf_q     <= 2'd0;
      ul_row_q     <= '0;
      ul_last_q    <= '0;
      ul_top_q     <= '0;
      ur_valid_q   <= 1'b0;
      ur_bank_q    <= 1'b0;
      ur_last_q    <= 1'b0;
      ur_buf_q     <= 2'd0;
    end else begin
      // Loader: take a free buffer when no loaded frame is waiting (the engine has first
      // claim on free buffers then, which rules out a deadlock with every buffer loaded).
      lw_valid_q <= in_fire;
      if (ld_grab) begin
        ld_active_q <= 1'b1;
        ld_buf_q    <= first_free;
        ld_row_q    <= '0;
      end
      if (in_fire) begin
        ld_row_q <= ld_row_q + RowW'(1);
        if (in_first) begin
          for (int b = 0; b < NBuf; b++) begin
            if (ld_buf_q == 2'(b)) begin
              cfg_log_n_q[5*b +: 5] <= in_n;
              cfg_inv_q[b]          <= in_inverse_i;
            end
          end
          ld_last_q <= last_row(in_n);
          ld_top_q  <= top_mask(in_n);
        end
        if (in_last) begin
          ld_active_q  <= 1'b0;
          loaded_q     <= 1'b1;
          loaded_buf_q <= ld_buf_q;
        end
      end

      // Engine: start on a loaded frame with a free second buffer; on done, the result
      // buffer queues for unloading and the other one is free.
      if (eng_start) begin
        eng_busy_q <= 1'b1;
        eng_a_q    <= loaded_buf_q;
        eng_b_q    <= first_free;
        loaded_q   <= 1'b0;
        for (int b = 0; b < NBuf; b++) begin
          if (first_free == 2'(b)) begin
            cfg_log_n_q[5*b +: 5] <= log_n_of(cfg_log_n_q, loaded_buf_q);
            cfg_inv_q[b]          <= |(cfg_inv_q & onehot(loaded_buf_q));
          end
        end
      end
      if (eng_done) begin
        eng_busy_q <= 1'b0;
        for (int k = 0; k < NBuf; k++) begin
          if (dq_wp_q == 2'(k)) dq_q[2*k +: 2] <= eng_odd ? eng_b_q : eng_a_q;
        end
        dq_wp_q <= dq_wp_q + 2'd1;
      end
      dq_cnt_q <= dq_cnt_q + 3'(eng_done) - 3'(ul_start);

      // Unloader: one row per cycle while the output FIFO has room.
      if (ul_start) begin
        ul_active_q <= 1'b1;
        ul_buf_q    <= ul_head;
        ul_row_q    <= '0;
        ul_last_q   <= last_row(log_n_of(cfg_log_n_q, ul_head));
        ul_top_q    <= top_mask(log_n_of(cfg_log_n_q, ul_head));
        dq_rp_q     <= dq_rp_q + 2'd1;
      end
      ur_valid_q <= ul_issue;
      ur_bank_q  <= bank_of(ul_row_q, ul_top_q);
      ur_buf_q   <= ul_buf_q;
      ur_last_q  <= (ul_row_q == ul_last_q);
      if (ul_issue) begin
        ul_row_q <= ul_row_q + RowW'(1);
        if (ul_row_q == ul_last_q) ul_active_q <= 1'b0;
      end
      // A buffer becomes free when the engine is done with it (the one not holding the
      // result) or when its last row has left the RAM. At most one buffer is taken per
      // cycle (by the loader or by the engine, never both), and never one being freed.
      free_q <= (free_q & ~take) | give;
    end
  end

endmodule
