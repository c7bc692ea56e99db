#!/usr/bin/env bash
# Configures, builds (warnings are errors) and runs the test suite.
#   scripts/test.sh              the default run (everything but the `slow` label)
#   scripts/test.sh --sanitize   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   scripts/test.sh --all        also the `slow` tests
# Extra arguments after `--` go to ctest (e.g. `-- -L nightly`).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
# One OpenCL kernel cache for both builds (tests/opencl/tests.cmake).
cmake_args=(-DSTARKML_WERROR=ON "-DSTARKML_OCL_TEST_CACHE=$PWD/.cache/opencl-tests")
ctest_args=(-LE slow)
while [ $# -gt 0 ]; do
  case "$1" in
    # Optimised (RelWithDebInfo): whole zkML proofs run under the sanitizers, and at -O0
    # they would take most of CI's budget; ASan and UBSan keep their checks at -O2/-O3.
    --sanitize) build=build-asan; cmake_args+=(-DSTARKML_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    --all) ctest_args=() ;;
    --) shift; ctest_args+=("$@"); break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$build" "${cmake_args[@]}"
cmake --build "$build" -j "$jobs"
# Sanitizers: stop at the first error, with a stack trace; leaks count as errors.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "${ctest_args[@]}"
