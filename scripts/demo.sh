#!/usr/bin/env bash
# The main job, until the zkML front end lands: build starkml, check it against every
# known-answer vector, and run a short benchmark of the prover's core kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
./build/host/starkml --version
./build/host/starkml selftest
./build/bench/starkml-bench --quick --reps 3
