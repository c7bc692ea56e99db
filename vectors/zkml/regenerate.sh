#!/usr/bin/env bash
# Regenerates the golden zkML vectors of vectors/zkml/ with the `starkml` tool: for each
# bundled model (vectors/models/), its verifying key and one proof per line of the table.
#   vectors/zkml/regenerate.sh BUILD_DIR OUT_DIR
# BUILD_DIR is a built tree (the tool is BUILD_DIR/host/starkml, or $STARKML when set).
# To refresh the committed copies after a deliberate change to the quantizer, the tables
# or the protocol:  vectors/zkml/regenerate.sh build vectors/zkml
# The CTest test vectors.zkml_regenerate (label nightly) runs this into the build tree and
# fails on any byte of difference.
#
# Every file is a deterministic function of its command line: `setup --seed N` derives the
# weight salt and `prove --seed N` the prover's randomness (and a hashed input's salt) from
# SHA3-256("starkml-cli-seed" || LE64(N)); compilation is deterministic; proofs do not
# depend on the thread count.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR OUT_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
models="$here/../models"
starkml="${STARKML:-$1/host/starkml}"
out="$2"
if [ ! -x "$starkml" ]; then
  echo "$0: no starkml tool at $starkml (build first, or set STARKML)" >&2
  exit 2
fi
mkdir -p "$out"
# STARKML_BACKEND=opencl|verilator proves on that backend (device 0): the cross-backend
# CTest tests compare the result with the committed (CPU) proofs byte for byte.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# model, setup seed: compiled once, keys made once.
for m in mlp_digits cnn_digits logreg_cancer; do
  "$starkml" compile "$models/$m/model.onnx" --calib "$models/$m/calib.json" -o "$tmp/$m.smc" >/dev/null
  "$starkml" setup "$tmp/$m.smc" --pk "$tmp/$m.pk" --vk "$out/$m.vk" --seed 1 >/dev/null
  echo "wrote $out/$m.vk"
done

# One line per golden proof: output file, model, then the options of `starkml prove`.
# Keep vectors/zkml/README.md in step with this table.
proofs=(
  "mlp_digits-public.proof          mlp_digits    --seed 1"
  "cnn_digits-private-argmax.proof  cnn_digits    --seed 2 --input-visibility private --predicate argmax==2"
  "logreg_cancer-hashed-ge.proof    logreg_cancer --seed 3 --input-visibility hashed --predicate y[0]>=0.5"
)
for line in "${proofs[@]}"; do
  read -r file m args <<<"$line"
  # shellcheck disable=SC2086  # args is a list of words by construction
  "$starkml" prove --pk "$tmp/$m.pk" --input "$models/$m/input.json" -o "$out/$file" \
    --output "$tmp/$file.json" --preset fast --quiet $args \
    ${STARKML_BACKEND:+--backend "$STARKML_BACKEND"} >/dev/null
  echo "wrote $out/$file"
done
