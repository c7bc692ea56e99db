#!/usr/bin/env bash
# The main job, until the zkML front end lands: build starkml, check it against every
# known-answer vector, prove and verify a Fibonacci AIR of 2^16 rows with the default
# (secure, zero-knowledge) options, and run a short benchmark of the core kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
bin=./build/host/starkml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$bin --version
echo "== self-test"
$bin selftest
echo "== prove a 2^16-row Fibonacci AIR (secure preset, zero knowledge)"
$bin toy prove fibonacci --log-n 16 -o "$out/fib.proof"
echo "== verify it"
$bin toy verify fibonacci "$out/fib.proof" --log-n 16
echo "== inspect it"
$bin inspect "$out/fib.proof"
echo "== core kernels"
./build/bench/starkml-bench --quick --reps 3 --only ntt
./build/bench/starkml-bench --quick --reps 3 --only hash
