#!/usr/bin/env bash
# The main job: build starkml, check it against every known-answer vector, run the zkML demo
# (compile, set up, prove and verify one inference of the bundled digits MLP with the
# default secure, zero-knowledge options), then the same pipeline with the individual
# commands and files (private input, output hidden behind a proven predicate), and a short
# benchmark of the core kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
bin=./build/host/starkml
models=vectors/models
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$bin --version
echo "== self-test"
$bin selftest
echo "== demo: compile, setup, prove and verify the bundled digits MLP (secure preset, zero knowledge)"
$bin demo
echo "== the same with files: the input stays private, the proof shows only 'argmax==2'"
$bin compile $models/mlp_digits/model.onnx --calib $models/mlp_digits/calib.json -o "$out/model.smc"
$bin setup "$out/model.smc" --pk "$out/model.pk" --vk "$out/model.vk"
# The bundled input is a handwritten 2 (vectors/models/mlp_digits/reference.json, "label").
$bin prove --pk "$out/model.pk" --input $models/mlp_digits/input.json -o "$out/out.proof" \
  --input-visibility private --predicate 'argmax==2'
echo "== verify it with the verifying key alone"
$bin verify --vk "$out/model.vk" --proof "$out/out.proof"
echo "== inspect it"
$bin inspect "$out/out.proof"
echo "== core kernels"
./build/bench/starkml-bench --quick --reps 3 --only ntt
./build/bench/starkml-bench --quick --reps 3 --only hash
