#!/usr/bin/env bash
# Installs every system package starkml needs to build, test and benchmark, on a fresh
# Debian (bookworm or later) machine. Safe to run again: apt-get skips what is present.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

packages=(
  build-essential cmake pkg-config git
  libssl-dev          # OpenSSL libcrypto: test oracle (SHA3, big integers) and vector generator
  libcmocka-dev       # unit-test framework
  libjansson-dev      # JSON (known-answer vectors, machine-readable output)
  protobuf-c-compiler # ONNX import: protoc-c compiles air/onnx.proto at build time
  libprotobuf-c-dev   # ONNX import: the protobuf-c runtime the generated decoder uses
  libomp-dev          # not required by gcc (libgomp ships with it); kept for clang builds
  clang               # fuzzing (scripts/fuzz.sh): libFuzzer is clang's
  libclang-rt-dev     # clang's runtimes: libclang_rt.fuzzer, ASan, UBSan
  ocl-icd-opencl-dev  # OpenCL backend: the ICD loader (libOpenCL), bundled with the build
  opencl-c-headers    # OpenCL backend: CL/cl.h
  pocl-opencl-icd     # OpenCL on the CPU (PoCL): the opencl tests run on it in CI
  clinfo              # lists OpenCL platforms; for diagnosing a machine
  verilator           # the NTT core's simulation (hdl/dv) and the verilator backend
  yosys               # the NTT core's synthesis reports (hdl/syn)
)

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${packages[@]}"
echo "install-deps: done"
