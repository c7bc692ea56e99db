// Simple dual-port RAM: one write port, one read port, synchronous read (read data one
// cycle after the address: sm_ntt_pkg::RamLatency). The pattern infers block RAM on
// UltraScale+ (RAMB36E2) and ECP5 (DP16KD). A read of an address written in the same cycle
// is not defined (the core never does one); contents are not reset.
module sm_ntt_ram #(
  parameter int unsigned Width = 128,
  parameter int unsigned Depth = 1024,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [AddrW-1:0] raddr_i,
  output logic [Width-1:0] rdata_o
);
  logic [Width-1:0] mem_q [Depth];
  logic [Width-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end
  always_ff @(posedge clk_i) begin
    rdata_q <= mem_q[raddr_i];
  end
  assign rdata_o = rdata_q;

endmodule
