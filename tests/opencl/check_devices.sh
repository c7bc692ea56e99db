#!/usr/bin/env bash
# cli.devices_opencl: `starkml devices` lists the host's OpenCL devices, and PoCL's device
# whenever the PoCL ICD is installed (the CI configuration). Skips (77) on a host with no
# OpenCL platform at all, where the tool must say so in its note instead. With LOADER, the
# tool must also name that file as the ICD loader it used (cli.devices_bundled_loader sets
# STARKML_OPENCL_LIBRARY to it).
#   check_devices.sh STARKML [LOADER]
set -euo pipefail
out="$("$1" devices --json)"
echo "$out"
if [ $# -ge 2 ]; then
  plain="$("$1" devices)"
  echo "$plain"
  if ! grep -qxF "OpenCL ICD loader: $2" <<<"$plain"; then
    echo "check_devices.sh: starkml devices does not name $2 as its ICD loader" >&2
    exit 1
  fi
fi
if grep -q '"backend": "opencl"' <<<"$out"; then
  if [ -e /etc/OpenCL/vendors/pocl.icd ] && ! grep -q '"platform": "Portable Computing Language"' <<<"$out"; then
    echo "check_devices.sh: PoCL is installed but not listed" >&2
    exit 1
  fi
  # The plain listing shows the same devices.
  "$1" devices | grep -q '^opencl '
  exit 0
fi
if grep -q 'no OpenCL platform' <<<"$out"; then
  echo "check_devices.sh: no OpenCL platform on this host: skipped"
  exit 77
fi
echo "check_devices.sh: starkml devices lists no OpenCL device and gives no reason" >&2
exit 1
