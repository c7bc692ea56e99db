#!/usr/bin/env bash
# The SDK from outside: installs a build tree into a fresh prefix, checks what was
# installed, builds examples/sdk against that prefix twice, (a) as a CMake project through
# find_package(starkml CONFIG) and (b) with its Makefile through pkg-config --static, and
# runs both programs on vectors/models/logreg_cancer with a private input and the predicate
# y[0]>=0.5: each must exit 0, print ACCEPTED and state the predicate.
#
# Usage: check_installed.sh BUILD_DIR SOURCE_DIR SCRATCH_DIR
#   BUILD_DIR    a configured and built starkml tree (cmake --install runs on it)
#   SOURCE_DIR   the starkml source tree (examples/sdk, vectors/models)
#   SCRATCH_DIR  emptied and reused: the prefix, both consumer builds, the logs
# Environment: CC (the compiler of the build: a sanitized library needs the same one),
# CMAKE (default: cmake), PKG_CONFIG (default: pkg-config).
# Exit: 0 pass, 1 fail, 77 skip (a tool the check needs is missing).
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR SCRATCH_DIR" >&2
  exit 1
fi
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
scratch=$3
CMAKE=${CMAKE:-cmake}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}
export CC

for tool in "$CMAKE" "$PKG_CONFIG" make "$CC"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed; the SDK check needs it"
    exit 77
  fi
done

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Runs a command with its output in a log; shows the log when it fails.
logged() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$* (log: $log)"
  fi
}

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
prefix=$scratch/prefix
start=$(date +%s)

# ---- install ---------------------------------------------------------------------------
logged "$scratch/install.log" "$CMAKE" --install "$build" --prefix "$prefix"
echo "installed into $prefix:"
(cd "$prefix" && find . -type f | sort | sed 's|^\./|  |')

# The library: its archive must hold the embedded vectors and the generated ONNX decoder.
lib=$(find "$prefix" -name libstarkml.a -print -quit)
[ -n "$lib" ] || fail "libstarkml.a was not installed"
members=$(ar t "$lib")
for member in vectors_embedded onnx.pb-c api_zkml; do
  grep -q "$member" <<<"$members" || fail "libstarkml.a lacks the $member object"
done

# An OpenCL build carries the ICD loader it was built with (cmake/opencl.cmake).
if [ -f "$build/lib/starkml/libOpenCL.so.1" ]; then
  [ -n "$(find "$prefix" -path '*/starkml/libOpenCL.so.1' -print -quit)" ] ||
    fail "the bundled OpenCL ICD loader (<libdir>/starkml/libOpenCL.so.1) was not installed"
fi

# The header: include/starkml.h and nothing else, including only standard headers.
headers=$(cd "$prefix/include" && find . -type f | sort)
[ "$headers" = "./starkml.h" ] || fail "the installed headers are not exactly starkml.h: $headers"
includes=$(grep -E '^[[:space:]]*#[[:space:]]*include' "$prefix/include/starkml.h" || true)
while IFS= read -r line; do
  [ -n "$line" ] || continue
  case "$line" in
    *'<stddef.h>'* | *'<stdint.h>'* | *'<stdbool.h>'* | *'<stdio.h>'* | *'<stdlib.h>'*) ;;
    *) fail "starkml.h includes a header that is not a standard one: $line" ;;
  esac
done <<<"$includes"
# It compiles alone, with the installed include directory only, in C11 and C99.
for std in c11 c99; do
  echo '#include <starkml.h>
int main(void) { return starkml_strerror(STARKML_OK)[0] == 0; }' >"$scratch/header_only.c"
  logged "$scratch/header_$std.log" "$CC" -std=$std -Wall -Wextra -Wpedantic -Werror \
    -fsyntax-only -I"$prefix/include" "$scratch/header_only.c"
done

# The CMake package and the pkg-config file, where GNUInstallDirs put them.
config=$(find "$prefix" -path '*/cmake/starkml/starkml-config.cmake' -print -quit)
[ -n "$config" ] || fail "starkml-config.cmake was not installed"
for f in starkml-config-version.cmake starkml-targets.cmake; do
  [ -f "$(dirname "$config")/$f" ] || fail "$f was not installed"
done
pc=$(find "$prefix" -path '*/pkgconfig/starkml.pc' -print -quit)
[ -n "$pc" ] || fail "starkml.pc was not installed"
pc_dir=$(dirname "$pc")
case "$pc_dir" in
  "$prefix/lib/pkgconfig" | "$prefix"/lib/*-linux-gnu/pkgconfig | "$prefix/lib64/pkgconfig") ;;
  *) fail "starkml.pc is in an unexpected place: $pc_dir" ;;
esac

# ---- (a) a CMake consumer --------------------------------------------------------------
logged "$scratch/cmake-configure.log" "$CMAKE" -S "$src/examples/sdk" -B "$scratch/cmake-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$CC" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
grep -qx "starkml_DIR:PATH=$(dirname "$config")" "$scratch/cmake-build/CMakeCache.txt" ||
  fail "the CMake consumer found another starkml: $(grep starkml_DIR "$scratch/cmake-build/CMakeCache.txt")"
logged "$scratch/cmake-build.log" "$CMAKE" --build "$scratch/cmake-build"

# ---- (b) a Makefile consumer through pkg-config ----------------------------------------
export PKG_CONFIG_PATH=$pc_dir
pc_cflags=$("$PKG_CONFIG" --cflags starkml)
pc_libs=$("$PKG_CONFIG" --libs --static starkml)
echo "pkg-config --cflags starkml:          $pc_cflags"
echo "pkg-config --libs --static starkml:   $pc_libs"
echo "pkg-config --modversion starkml:      $("$PKG_CONFIG" --modversion starkml)"
mkdir -p "$scratch/make-build"
logged "$scratch/make-build.log" make -C "$scratch/make-build" -f "$src/examples/sdk/Makefile" \
  CC="$CC" PKG_CONFIG="$PKG_CONFIG"
unset PKG_CONFIG_PATH

# ---- both programs prove and verify ----------------------------------------------------
model=$src/vectors/models/logreg_cancer
for exe in "$scratch/cmake-build/example" "$scratch/make-build/example"; do
  [ -x "$exe" ] || fail "$exe was not built"
  out=$exe.out
  t0=$(date +%s)
  set +e
  (cd "$scratch" && "$exe" "$model/model.onnx" "$model/calib.json" "$model/input.json" \
    'y[0]>=0.5') >"$out" 2>&1
  rc=$?
  set -e
  cat "$out"
  [ $rc -eq 0 ] || fail "$exe exited $rc"
  grep -q '^ACCEPTED' "$out" || fail "$exe did not print ACCEPTED"
  grep -q '^output .*proven predicate: y\[0\]>=0.5' "$out" ||
    fail "$exe did not state the predicate y[0]>=0.5"
  grep -q '^input .*private' "$out" || fail "$exe did not state a private input"
  grep -qE '^security .* [0-9]+ provable bits' "$out" || fail "$exe did not state the security"
  grep -qE '^proof +[1-9][0-9]* bytes' "$out" || fail "$exe did not state the proof size"
  echo "ok: $exe ($(($(date +%s) - t0)) s)"
done

# A bad command line is a usage error, not a crash.
set +e
"$scratch/make-build/example" >/dev/null 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "example without arguments exited $rc, not 2"

echo "sdk: installed tree, CMake and pkg-config consumers: ok ($(($(date +%s) - start)) s)"
