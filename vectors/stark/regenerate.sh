#!/usr/bin/env bash
# Regenerates the golden STARK proofs of vectors/stark/ with the `starkml` tool.
#   vectors/stark/regenerate.sh BUILD_DIR OUT_DIR
# BUILD_DIR is a configured and built tree (the tool is BUILD_DIR/host/starkml, or $STARKML
# when set); OUT_DIR receives the *.proof files (created if needed). To refresh the committed
# copies after a protocol change:  vectors/stark/regenerate.sh build vectors/stark
# The CTest test vectors.stark_regenerate runs this into the build tree and fails on any
# byte of difference from the committed files.
#
# A file's name is TOY-LOGN-PRESET-ZK.proof: the toy and its log-n are the statement
# (`starkml toy verify TOY FILE --log-n LOGN --preset fast` accepts it). Each proof is a
# deterministic function of its command line: the prover seed is
# SHA3-256("starkml-cli-seed" || LE64(seed)) (see host/cmd_toy.c), and the proof bytes do
# not depend on the thread count.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
starkml="${STARKML:-$1/host/starkml}"
out="$2"
if [ ! -x "$starkml" ]; then
  echo "$0: no starkml tool at $starkml (build first, or set STARKML)" >&2
  exit 2
fi
mkdir -p "$out"
# STARKML_BACKEND=opencl|verilator proves on that backend (device 0): the cross-backend
# CTest tests compare the result with the committed (CPU) proofs byte for byte.

# One line per golden proof: output file, then the arguments of `starkml toy prove`.
# Keep vectors/stark/README.md in step with this table.
vectors=(
  "fibonacci-6-fast-zk.proof    fibonacci   --log-n 6 --preset fast --seed 1"
  "range-check-5-fast-zk.proof  range-check --log-n 5 --preset fast --seed 2"
  "bus-4-fast-zk.proof          bus         --log-n 4 --preset fast --seed 3"
  "fibonacci-6-fast-nozk.proof  fibonacci   --log-n 6 --preset fast --seed 4 --no-zk"
)
for line in "${vectors[@]}"; do
  read -r file args <<<"$line"
  # shellcheck disable=SC2086  # args is a list of words by construction
  "$starkml" toy prove $args -o "$out/$file" --quiet ${STARKML_BACKEND:+--backend "$STARKML_BACKEND"}
  echo "wrote $out/$file"
done
