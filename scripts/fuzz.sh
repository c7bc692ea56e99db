#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan + UBSan) and runs each for a
# bounded time.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#     SECONDS  fuzzing time per target (default 60)
#     TARGET   stark_verify, air_decode, fri_read (default: all)
# First replays every saved crasher (tests/fuzz/crashers/TARGET/*) as a regression test,
# then fuzzes from the seeds (make_seeds, plus vectors/stark/*.proof for stark_verify) and
# the working corpus build-fuzz/corpus/TARGET, which persists between local runs.
# Exits non-zero if any target crashed, leaked, hit undefined behaviour or timed out;
# the inputs that did are left in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in -h|--help) sed -n '2,11p' "$0"; exit 0 ;; esac
seconds=${1:-60}
[ $# -gt 0 ] && shift
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number" >&2; exit 2 ;; esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(stark_verify air_decode fri_read onnx_import zkml_verify)

build=build-fuzz
jobs=$(nproc 2>/dev/null || echo 2)
# RelWithDebInfo without -DNDEBUG: optimized, with line numbers, and assert() stays on.
# The targets are parsers and the verifier, which run on the CPU: no device backends.
CC=${CC:-clang} cmake -S . -B "$build" -DSTARKML_FUZZ=ON -DSTARKML_WERROR=ON \
  -DSTARKML_BUILD_TESTS=OFF -DSTARKML_BUILD_BENCH=OFF \
  -DSTARKML_OPENCL=OFF -DSTARKML_VERILATOR=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g"
cmake --build "$build" -j "$jobs" --target make_seeds "${targets[@]/#/fuzz_}"

bin="$build/tests/fuzz"
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{stark_verify,air_decode,fri_read,onnx_import,zkml_verify} "$build/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
"$bin/make_seeds" "$seeds"
# Golden proofs of other statements: their framing and sections are still good structure.
for f in vectors/stark/*.proof; do
  [ -e "$f" ] && cp "$f" "$seeds/stark_verify/golden-$(basename "$f")"
done

# ONNX seeds: the import tests' fixtures and the bundled models; zkML seeds: golden proofs.
for f in tests/data/onnx/*.onnx vectors/models/*/*.onnx; do
  [ -e "$f" ] && cp "$f" "$seeds/onnx_import/$(echo "$f" | tr / _)"
done
for f in vectors/zkml/*.proof; do
  [ -e "$f" ] && cp "$f" "$seeds/zkml_verify/$(basename "$f")"
done

failed=()
for t in "${targets[@]}"; do
  exe="$bin/fuzz_$t"
  [ -x "$exe" ] || { echo "fuzz.sh: unknown target $t" >&2; exit 2; }
  crashers=(tests/fuzz/crashers/"$t"/*)
  if [ -e "${crashers[0]}" ]; then
    echo "== fuzz_$t: replaying ${#crashers[@]} saved crasher(s)"
    if ! "$exe" "${crashers[@]}"; then failed+=("$t (saved crasher)"); continue; fi
  fi
  echo "== fuzz_$t: ${seconds} s"
  mkdir -p "$build/corpus/$t"
  # -timeout: an input that runs this long is a hang (a few ms is the norm);
  # -rss_limit_mb: more than this is a runaway allocation driven by the input.
  if ! "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
      -rss_limit_mb=4096 -artifact_prefix="$build/artifacts/$t-" \
      "$build/corpus/$t" "$seeds/$t"; then
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (new inputs in $build/artifacts/," \
    "saved ones in tests/fuzz/crashers/)" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s), ${seconds} s each: no findings"
