// The compute engine of sm_ntt_core: Lanes butterflies working through the stages of one
// transform at a time, reading two rows of a source buffer and writing two rows of a
// destination buffer per cycle, and the generator of its twiddle tables.
//
// Transform. Constant-geometry radix-2 Cooley-Tukey (Pease): every stage reads positions i
// and i + n/2 and writes 2i (x + w y) and 2i + 1 (x - w y). After stage s an element's
// position is its in-place index rotated left by s + 1 bits, so the standard in-place
// network's pairing (bit log_n - 1 - s) is always the top bit, the block of butterfly i is
// i mod 2^s, and its twiddle is tw[i mod 2^s], tw[b] = w^bitrev(b) (the table of
// core/ntt.c). After log_n stages the positions are back to the in-place indices: natural
// order in, bit-reversed order out. The inverse transform uses the inverse twiddles and
// halves both outputs of every butterfly (1/n in all).
//
// Memory. A buffer holds 2^log_n / Lanes rows of Lanes elements in two banks: row r lives in
// bank M(r) ^ r[0] at address r >> 1, where M(r) is r's top bit (0 when there are only two
// rows). Stage reads (rows t and t + R/2) and writes (rows 2t and 2t + 1) then always fall
// in different banks: one read and one write per bank per cycle, no conflicts.
//
// Twiddles. Lane j's table holds tw[k Lanes + j] and itw[k Lanes + j]; in stage s >= log2
// Lanes lane j needs entry k = t mod 2^(s - log2 Lanes) of its own table. Stages below
// log2 Lanes need tw[j mod 2^s] (j mod 2^s < Lanes / 2), kept in registers. The tables are
// generated after reset (about 2^LogN cycles, overlapping the first load): tw[0] = 1 and
// tw[2^k + b] = tw[b] w_{2^(k+2)} (from bitrev_{k+1}(2^k + b) = 2 bitrev_k(b) + 1), one
// multiplication per entry on lane 0's butterfly (x = 0, w = the root, y = tw[b]).
//
// Schedule. A stage issues 2^(log_n - log2 Lanes - 1) rows, one per cycle, then waits
// sm_ntt_pkg::StageGap cycles so that the next stage reads only committed writes.
module sm_ntt_engine #(
  parameter int unsigned LogN  = 12,
  parameter int unsigned Lanes = 2,
  localparam int unsigned LogL  = $clog2(Lanes),
  localparam int unsigned AddrW = LogN - LogL - 1,
  localparam int unsigned DataW = 64 * Lanes
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  // Start of a transform, taken when ready_o: idle, and the twiddle tables are generated.
  output logic             ready_o,
  input  logic             start_i,
  input  logic [4:0]       log_n_i,   // LogL + 1 <= log_n_i <= LogN
  input  logic             inverse_i,
  // High for the one cycle in which the frame's last result row is written (into A or B,
  // see phase_o); the write is committed at the end of that cycle.
  output logic             done_o,
  // Stage parity of the reads: 0 reads buffer A, 1 reads buffer B. After log_n stages the
  // result is in A for even log_n, in B for odd.
  output logic             phase_o,
  // Source buffer: bank 0 and bank 1 read addresses; data sm_ntt_pkg::RamLatency later.
  output logic [AddrW-1:0] rd_addr0_o,
  output logic [AddrW-1:0] rd_addr1_o,
  input  logic [DataW-1:0] rd_data0_i,
  input  logic [DataW-1:0] rd_data1_i,
  // Destination buffer: one address for both banks. wr_phase_o is the stage parity of this
  // write (0 writes buffer B, 1 writes A): the last write of a stage happens in the cycle
  // the next stage issues its first read.
  output logic             wr_en_o,
  output logic             wr_phase_o,
  output logic [AddrW-1:0] wr_addr_o,
  output logic [DataW-1:0] wr_data0_o,
  output logic [DataW-1:0] wr_data1_o
);
  localparam int unsigned CntW   = LogN;
  localparam int unsigned TwAW   = AddrW + 1;            // {inverse, k}
  localparam int unsigned TwDep  = 2 << AddrW;
  localparam int unsigned HeadN  = (Lanes > 1) ? Lanes / 2 : 1;
  localparam int unsigned SelW   = (LogL > 0) ? LogL : 1;
  // Twiddle bank of entry b: b mod Lanes (bank 0 when Lanes = 1).
  localparam logic [SelW-1:0] BankMask = SelW'(Lanes - 1);
  localparam int unsigned Gap    = sm_ntt_pkg::StageGap;
  localparam int unsigned GapW   = $clog2(Gap + 1);
  // Sideband from issue to the write register: the cycle before the write.
  localparam int unsigned WbLen  = sm_ntt_pkg::EnginePipeDepth - 1;

  typedef enum logic [1:0] {StInit, StIdle, StRun, StDone} state_e;

  // ---- control state ---------------------------------------------------------------------
  // Everything the issue logic compares against is a register, set when a level starts, so
  // that no variable shift or wide subtraction sits on the issue path.
  state_e          state_q, state_d;
  logic            tinv_q, tinv_d;      // init: the table being generated (1: inverse)
  logic            first_q, first_d;    // init: tw[0] = 1 still to be written
  logic [4:0]      level_q, level_d;    // stage s (run) or octave k (init)
  logic [4:0]      llast_q, llast_d;    // the last level
  logic [CntW-1:0] cnt_q, cnt_d;        // row t (run) or entry b (init) within the level
  logic [CntW-1:0] lim_q, lim_d;        // the last cnt of the level
  logic [CntW-1:0] half_q, half_d;      // run: R/2, the row offset of the upper half
  logic [CntW-1:0] mask_q, mask_d;      // run: twiddle index mask, 2^(s - LogL) - 1
  logic [CntW-1:0] oct_q, oct_d;        // init: 2^k, the first entry of the octave
  logic            head_q, head_d;      // run: s < LogL (twiddles from the head registers)
  logic            gap_on_q, gap_on_d;
  logic [GapW-1:0] gap_q, gap_d;
  logic            inv_q, inv_d;

  // For LogL + 1 <= n <= LogN: R/2 = 2^(n - LogL - 1) and R/2 - 1 (R rows of Lanes points).
  function automatic logic [CntW-1:0] half_of(input logic [4:0] n);
    for (int i = 0; i < CntW; i++) half_of[i] = (n == 5'(i + LogL + 1));
  endfunction
  function automatic logic [CntW-1:0] half_mask(input logic [4:0] n);
    for (int i = 0; i < CntW; i++) half_mask[i] = (5'(i + LogL + 1) < n);
  endfunction
  // Level s + 1 < LogL (constant false when Lanes = 1).
  function automatic logic head_after(input logic [4:0] s);
    head_after = (6'(s) + 6'd2 <= 6'(LogL));
  endfunction

  logic issue;
  assign issue = ((state_q == StRun) || (state_q == StInit && !first_q)) && !gap_on_q;

  always_comb begin
    state_d  = state_q;
    tinv_d   = tinv_q;
    first_d  = first_q;
    level_d  = level_q;
    llast_d  = llast_q;
    cnt_d    = cnt_q;
    lim_d    = lim_q;
    half_d   = half_q;
    mask_d   = mask_q;
    oct_d    = oct_q;
    head_d   = head_q;
    gap_on_d = gap_on_q;
    gap_d    = gap_q;
    inv_d    = inv_q;
    done_o   = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (start_i) begin
          state_d = StRun;
          inv_d   = inverse_i;
          level_d = 5'd0;
          llast_d = log_n_i - 5'd1;
          cnt_d   = '0;
          half_d  = half_of(log_n_i);
          lim_d   = half_mask(log_n_i);
          mask_d  = '0;
          head_d  = (LogL > 0);
        end
      end
      StDone: begin
        done_o  = 1'b1;
        state_d = StIdle;
      end
      StInit, StRun: begin
        if (state_q == StInit && first_q) begin
          first_d = 1'b0;   // tw[0] is written this cycle (see the write stage)
        end else if (gap_on_q) begin
          if (gap_q != '0) begin
            gap_d = gap_q - GapW'(1);
          end else begin
            // The level's writes are committed: next level, next table, or the end.
            gap_on_d = 1'b0;
            cnt_d    = '0;
            if (level_q != llast_q) begin
              level_d = level_q + 5'd1;
              if (state_q == StInit) begin
                lim_d = {lim_q[CntW-2:0], 1'b1};
                oct_d = {oct_q[CntW-2:0], 1'b0};
              end else begin
                mask_d = head_q ? '0 : {mask_q[CntW-2:0], 1'b1};
                head_d = head_after(level_q);
              end
            end else if (state_q == StRun) begin
              state_d = StDone;
            end else if (!tinv_q) begin
              tinv_d  = 1'b1;
              first_d = 1'b1;
              level_d = 5'd0;
              lim_d   = '0;
              oct_d   = CntW'(1);
            end else begin
              state_d = StIdle;
            end
          end
        end else begin
          if (cnt_q == lim_q) begin
            gap_on_d = 1'b1;
            gap_d    = GapW'(Gap - 1);
          end else begin
            cnt_d = cnt_q + CntW'(1);
          end
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StInit;
      tinv_q   <= 1'b0;
      first_q  <= 1'b1;
      level_q  <= 5'd0;
      llast_q  <= 5'(LogN - 2);
      cnt_q    <= '0;
      lim_q    <= '0;
      half_q   <= CntW'(1);
      mask_q   <= '0;
      oct_q    <= CntW'(1);
      head_q   <= 1'b0;
      gap_on_q <= 1'b0;
      gap_q    <= '0;
      inv_q    <= 1'b0;
    end else begin
      state_q  <= state_d;
      tinv_q   <= tinv_d;
      first_q  <= first_d;
      level_q  <= level_d;
      llast_q  <= llast_d;
      cnt_q    <= cnt_d;
      lim_q    <= lim_d;
      half_q   <= half_d;
      mask_q   <= mask_d;
      oct_q    <= oct_d;
      head_q   <= head_d;
      gap_on_q <= gap_on_d;
      gap_q    <= gap_d;
      inv_q    <= inv_d;
    end
  end

  assign ready_o = (state_q == StIdle);
  assign phase_o = level_q[0];

  logic init_mode;
  assign init_mode = (state_q == StInit);

  // ---- issue: read addresses (cycle c + 1) -------------------------------------------------
  // Run: rows t and t + R/2; row t is in bank t[0]. Init: entry b of the table being built
  // is in twiddle bank b mod Lanes at address b / Lanes.
  logic [AddrW-1:0] row_lo, row_hi;
  assign row_lo = AddrW'(cnt_q >> 1);
  assign row_hi = AddrW'((cnt_q | half_q) >> 1);
  logic [AddrW-1:0] rd_addr0_q, rd_addr1_q;
  logic [TwAW-1:0]  tw_raddr_q;
  logic             r1_swap_q, r1_head_q;
  logic [SelW-1:0]  r1_bank_q;
  logic [63:0]      r1_root_q;
  logic [Lanes*64-1:0] r1_head_val_q;
  logic [HeadN*64-1:0] head_fwd_q, head_inv_q;

  // Stage s < LogL: lane j uses tw[j mod 2^s]; j mod 2^s < Lanes / 2 (the head registers).
  logic [Lanes*64-1:0] head_val;
  always_comb begin
    for (int j = 0; j < Lanes; j++) begin
      head_val[64*j +: 64] = 64'd0;
      for (int e = 0; e < HeadN; e++) begin
        if (head_q && (j & ((1 << level_q) - 1)) == e) begin
          head_val[64*j +: 64] = inv_q ? head_inv_q[64*e +: 64] : head_fwd_q[64*e +: 64];
        end
      end
    end
  end

  always_ff @(posedge clk_i) begin
    rd_addr0_q <= cnt_q[0] ? row_hi : row_lo;
    rd_addr1_q <= cnt_q[0] ? row_lo : row_hi;
    if (init_mode) begin
      tw_raddr_q <= {tinv_q, AddrW'(cnt_q >> LogL)};
    end else begin
      tw_raddr_q <= {inv_q, AddrW'(cnt_q & mask_q)};
    end
    r1_swap_q  <= cnt_q[0];
    r1_head_q  <= head_q;
    r1_bank_q  <= SelW'(cnt_q) & BankMask;
    r1_root_q  <= sm_ntt_pkg::gl_root(level_q + 5'd2, tinv_q);
    r1_head_val_q <= head_val;
  end
  assign rd_addr0_o = rd_addr0_q;
  assign rd_addr1_o = rd_addr1_q;

  // ---- twiddle tables: one RAM per lane --------------------------------------------------
  logic [Lanes-1:0]    tw_we_q;
  logic [TwAW-1:0]     tw_waddr_q;
  logic [63:0]         tw_wdata_q;
  logic [Lanes*64-1:0] tw_rdata;
  for (genvar j = 0; j < Lanes; j++) begin : g_tw
    sm_ntt_ram #(
      .Width (64),
      .Depth (TwDep)
    ) u_tw_ram (
      .clk_i,
      .we_i    (tw_we_q[j]),
      .waddr_i (tw_waddr_q),
      .wdata_i (tw_wdata_q),
      .raddr_i (tw_raddr_q),
      .rdata_o (tw_rdata[64*j +: 64])
    );
  end

  // ---- cycle c + 2: data from the RAMs ---------------------------------------------------
  logic             r2_swap_q, r2_head_q;
  logic [SelW-1:0]  r2_bank_q;
  logic [63:0]      r2_root_q;
  logic [Lanes*64-1:0] r2_head_val_q;
  always_ff @(posedge clk_i) begin
    r2_swap_q     <= r1_swap_q;
    r2_head_q     <= r1_head_q;
    r2_bank_q     <= r1_bank_q;
    r2_root_q     <= r1_root_q;
    r2_head_val_q <= r1_head_val_q;
  end

  // ---- cycle c + 3: butterfly operands ---------------------------------------------------
  logic [Lanes*64-1:0] x_q, y_q, w_q;
  always_ff @(posedge clk_i) begin
    for (int j = 0; j < Lanes; j++) begin
      x_q[64*j +: 64] <= r2_swap_q ? rd_data1_i[64*j +: 64] : rd_data0_i[64*j +: 64];
      y_q[64*j +: 64] <= r2_swap_q ? rd_data0_i[64*j +: 64] : rd_data1_i[64*j +: 64];
      w_q[64*j +: 64] <= r2_head_q ? r2_head_val_q[64*j +: 64] : tw_rdata[64*j +: 64];
    end
    if (init_mode) begin
      // Lane 0 computes root * tw[b].
      x_q[63:0] <= 64'd0;
      y_q[63:0] <= tw_rdata[64*r2_bank_q +: 64];
      w_q[63:0] <= r2_root_q;
    end
  end

  logic [Lanes*64-1:0] u, v;
  for (genvar j = 0; j < Lanes; j++) begin : g_bfly
    sm_gl_butterfly u_bfly (
      .clk_i,
      .x_i    (x_q[64*j +: 64]),
      .y_i    (y_q[64*j +: 64]),
      .w_i    (w_q[64*j +: 64]),
      .half_i (inv_q && !init_mode),
      .u_o    (u[64*j +: 64]),
      .v_o    (v[64*j +: 64])
    );
  end

  // ---- write-side sideband: issue (c) to c + WbLen -----------------------------------------
  // Run: write address t, bank select M(2t). Init: written entry 2^k + b: table address and
  // bank.
  localparam int unsigned WbW = 3 + TwAW + SelW;   // valid, init, phase, address, select
  logic [CntW-1:0] entry;
  assign entry = oct_q | cnt_q;
  logic [WbW-1:0] wb_in;
  always_comb begin
    if (init_mode) begin
      wb_in = {issue, 1'b1, 1'b0, tinv_q, AddrW'(entry >> LogL), SelW'(entry) & BankMask};
    end else begin
      wb_in = {issue, 1'b0, level_q[0], 1'b0, AddrW'(cnt_q),
               SelW'((cnt_q & (half_q >> 1)) != '0)};
    end
  end
  logic [WbLen*WbW-1:0] wb_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wb_q <= '0;
    end else begin
      wb_q <= {wb_q[(WbLen-1)*WbW-1:0], wb_in};
    end
  end
  logic             wb_valid, wb_init, wb_phase;
  logic [TwAW-1:0]  wb_addr;
  logic [SelW-1:0]  wb_sel;
  assign {wb_valid, wb_init, wb_phase, wb_addr, wb_sel} = wb_q[(WbLen-1)*WbW +: WbW];

  // ---- cycle c + 16: the write registers -------------------------------------------------
  // Results: output position 2 i is u of butterfly i, 2 i + 1 is v; the 2 Lanes outputs of
  // a cycle are rows 2t (first half) and 2t + 1 (second half). Row 2t goes to bank M(2t).
  logic [2*Lanes*64-1:0] outs;
  always_comb begin
    for (int m = 0; m < 2 * Lanes; m++) begin
      outs[64*m +: 64] = m[0] ? v[64*(m/2) +: 64] : u[64*(m/2) +: 64];
    end
  end
  logic             wr_en_q, wr_phase_q;
  logic [AddrW-1:0] wr_addr_q;
  logic [DataW-1:0] wr_data0_q, wr_data1_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_en_q <= 1'b0;
      tw_we_q <= '0;
    end else begin
      wr_en_q <= wb_valid && !wb_init;
      tw_we_q <= '0;
      if (wb_valid && wb_init) begin
        for (int j = 0; j < Lanes; j++) tw_we_q[j] <= (wb_sel == SelW'(j));
      end else if (init_mode && first_q) begin
        tw_we_q[0] <= 1'b1;
      end
    end
  end
  always_ff @(posedge clk_i) begin
    wr_addr_q  <= AddrW'(wb_addr);
    wr_phase_q <= wb_phase;
    wr_data0_q <= wb_sel[0] ? outs[DataW +: DataW] : outs[0 +: DataW];
    wr_data1_q <= wb_sel[0] ? outs[0 +: DataW] : outs[DataW +: DataW];
    if (wb_valid && wb_init) begin
      tw_waddr_q <= wb_addr;
      tw_wdata_q <= u[63:0];
    end else begin
      tw_waddr_q <= {tinv_q, AddrW'(0)};
      tw_wdata_q <= 64'd1;
    end
  end
  assign wr_en_o    = wr_en_q;
  assign wr_phase_o = wr_phase_q;
  assign wr_addr_o  = wr_addr_q;
  assign wr_data0_o = wr_data0_q;
  assign wr_data1_o = wr_data1_q;

  // Head registers: tw[e] and itw[e] for e < Lanes / 2, captured as the tables are written
  // (entry e = k Lanes + bank with k = 0).
  always_ff @(posedge clk_i) begin
    for (int e = 0; e < HeadN; e++) begin
      if (tw_we_q[e] && tw_waddr_q[AddrW-1:0] == '0) begin
        if (tw_waddr_q[AddrW]) begin
          head_inv_q[64*e +: 64] <= tw_wdata_q;
        end else begin
          head_fwd_q[64*e +: 64] <= tw_wdata_q;
        end
      end
    end
  end

endmodule
