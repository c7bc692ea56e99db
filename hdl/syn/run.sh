#!/usr/bin/env bash
# Synthesizes sm_ntt_core with Yosys and writes the reports that docs/hdl.md quotes.
#
#   hdl/syn/run.sh [-o OUT_DIR] [-n LOG_N] [-l LANES] [TARGET]...
#
# TARGET: generic (Yosys `synth`: gates, memories kept as memories), xilinx
# (`synth_xilinx -family xcup`, UltraScale+), ecp5 (`synth_ecp5`), or all (the default).
# LOG_N and LANES are the core's parameters (default 12 and 2). OUT_DIR (default
# build-syn) receives, per target, the script (TARGET.ys), the log (TARGET.log) and the
# resource report (TARGET_stat.txt); for xilinx also the netlist (xilinx.json) and the logic
# depth per register with the Fmax estimate of hdl/syn/depth.py (xilinx_depth.txt).
#
# Not part of the default CI (about a minute per target on one core); the lint and the
# testbench are (ctest -L hdl).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rtl=$here/../rtl
out=build-syn
log_n=12
lanes=2
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift ;;
    -n) log_n=$2; shift ;;
    -l) lanes=$2; shift ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    generic | xilinx | ecp5) targets+=("$1") ;;
    all) targets+=(generic xilinx ecp5) ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=(generic xilinx ecp5)
command -v yosys >/dev/null || { echo "run.sh: yosys is not installed" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The RTL in dependency order (the package first).
sources="$rtl/sm_ntt_pkg.sv $rtl/sm_gl_mul.sv $rtl/sm_gl_butterfly.sv $rtl/sm_ntt_ram.sv"
sources="$sources $rtl/sm_ntt_fifo.sv $rtl/sm_ntt_engine.sv $rtl/sm_ntt_core.sv"
read_step="read_verilog -sv $sources
chparam -set LogN $log_n -set Lanes $lanes sm_ntt_core"

for t in "${targets[@]}"; do
  case "$t" in
    generic)
      # Yosys's generic flow up to gates, without memory_map: the frame buffers and twiddle
      # tables stay memories (reported in memory bits) instead of becoming flip-flops.
      flow="synth -top sm_ntt_core -flatten -run :fine
opt -fast -full
techmap
opt -fast
abc -fast
opt -fast
tee -o $out/generic_stat.txt stat" ;;
    xilinx)
      flow="synth_xilinx -family xcup -top sm_ntt_core -flatten -noiopad
tee -o $out/xilinx_stat.txt stat
write_json $out/xilinx.json" ;;
    ecp5)
      flow="synth_ecp5 -top sm_ntt_core
tee -o $out/ecp5_stat.txt stat" ;;
  esac
  printf '%s\n%s\n' "$read_step" "$flow" >"$out/$t.ys"
  start=$(date +%s)
  yosys -q -l "$out/$t.log" "$out/$t.ys"
  echo "$t: $(($(date +%s) - start)) s, report $out/${t}_stat.txt"
  if [ "$t" = xilinx ]; then
    python3 "$here/depth.py" "$out/xilinx.json" sm_ntt_core --top 60 >"$out/xilinx_depth.txt"
    tail -1 "$out/xilinx_depth.txt"
  fi
done
