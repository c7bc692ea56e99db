#!/usr/bin/env bash
# Side by side with EZKL (docs/BENCHMARKS.md, "Side by side with EZKL").
#
#   bench/compare_ezkl.sh [compare_ezkl.py options]   e.g. --models mlp_digits --reps 1
#
# Creates the virtual environment with EZKL if it is missing (python3 -m venv; pip install
# ezkl onnx), builds starkml-cli into build-ezkl/ if the binary is missing, then runs
# bench/compare_ezkl.py with the environment's Python. Needs PyPI the first time. Not part
# of CTest or CI: it takes from minutes to hours (EZKL's setup and prover) and several GB
# of disk (EZKL's proving keys) in $TMPDIR.
#
# Environment:
#   EZKL_VENV      the virtual environment (default: bench/.venv-ezkl)
#   EZKL_VERSION   pip requirement for ezkl when creating it (default: the latest, "ezkl")
#   STARKML        the starkml binary (default: build-ezkl/host/starkml, built if missing)
#   STARKML_BUILD  build directory when building (default: build-ezkl)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
venv=${EZKL_VENV:-$here/.venv-ezkl}
build=${STARKML_BUILD:-$root/build-ezkl}
starkml=${STARKML:-$build/host/starkml}

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import ezkl, onnx' 2>/dev/null; then
    echo "compare_ezkl: creating $venv (pip install ${EZKL_VERSION:-ezkl} onnx)" >&2
    python3 -m venv "$venv"
    # keep the environment (and the SRS cache inside it) out of version control
    [ -e "$venv/.gitignore" ] || echo '*' > "$venv/.gitignore"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "${EZKL_VERSION:-ezkl}" onnx
fi

if [ ! -x "$starkml" ]; then
    echo "compare_ezkl: building starkml-cli into $build" >&2
    cmake -S "$root" -B "$build" -DSTARKML_WERROR=ON >/dev/null
    cmake --build "$build" -j"$(nproc)" --target starkml-cli >/dev/null
fi

exec "$venv/bin/python" "$here/compare_ezkl.py" --starkml "$starkml" "$@"
