#!/usr/bin/env bash
# The golden zkML proof of logreg_cancer (vectors/zkml/logreg_cancer-hashed-ge.proof) made
# on the verilator backend must be the committed (CPU) proof, byte for byte.
#   prove_logreg.sh STARKML SOURCE_DIR SCRATCH_DIR
# Same command lines as vectors/zkml/regenerate.sh (compile, setup --seed 1, prove --seed 3
# with a hashed input and the predicate y[0]>=0.5); only `prove` goes through the backend
# (compile and setup do no NTT on it), so only it gets --backend verilator.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 STARKML SOURCE_DIR SCRATCH_DIR" >&2
  exit 2
fi
starkml=$1
src=$2
tmp=$3
m=logreg_cancer
model=$src/vectors/models/$m
golden=$src/vectors/zkml/$m-hashed-ge.proof
rm -rf "$tmp"
mkdir -p "$tmp"
"$starkml" compile "$model/model.onnx" --calib "$model/calib.json" -o "$tmp/$m.smc" >/dev/null
"$starkml" setup "$tmp/$m.smc" --pk "$tmp/$m.pk" --vk "$tmp/$m.vk" --seed 1 >/dev/null
start=$(date +%s)
"$starkml" prove --pk "$tmp/$m.pk" --input "$model/input.json" -o "$tmp/$m.proof" \
  --output "$tmp/$m.json" --preset fast --quiet --seed 3 --input-visibility hashed \
  --predicate 'y[0]>=0.5' --backend verilator >/dev/null
echo "proved on the verilator backend in $(($(date +%s) - start)) s"
if ! cmp "$tmp/$m.proof" "$golden"; then
  echo "FAIL: the verilator backend's proof differs from $golden" >&2
  exit 1
fi
echo "ok: byte-identical to $golden"
