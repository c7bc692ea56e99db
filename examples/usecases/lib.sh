# Shared by the use-case scripts of examples/usecases/ (sourced, not run).
#
# Each script is run as   bash SCRIPT.sh [STARKML] [DIR]
#   STARKML  the starkml binary (default: `starkml` on PATH)
#   DIR      scratch directory (default: a fresh mktemp directory, removed at the end);
#            the script (re)creates its own party subdirectories in it and leaves them
#            there for inspection.
# Only the starkml command line is used, with bash and coreutils around it. Every step
# that has an expected outcome (accept, reject, refuse) is checked; the script exits 0
# only if all of them happened, 1 otherwise, and 2 when it cannot start.
set -Eeuo pipefail
trap 'echo "${0##*/}: stopped at line $LINENO: a step failed (see above)" >&2; exit 1' ERR

STARKML=${1:-starkml}
if [[ $STARKML != */* ]]; then
  STARKML=$(command -v "$STARKML" || true)
  [[ -n $STARKML ]] || { echo "${0##*/}: no starkml on PATH; pass its path as \$1" >&2; exit 2; }
fi
[[ -x $STARKML ]] || { echo "${0##*/}: $STARKML is not an executable" >&2; exit 2; }
STARKML=$(cd "$(dirname "$STARKML")" && pwd)/$(basename "$STARKML")

if [[ -n ${2:-} ]]; then
  mkdir -p "$2"
  WORK=$(cd "$2" && pwd)
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/starkml-usecase.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
fi

# The bundled models (vectors/models); STARKML_MODELS overrides.
MODELS=${STARKML_MODELS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../vectors/models" && pwd)}
[[ -f $MODELS/logreg_cancer/model.onnx ]] || { echo "${0##*/}: no bundled models in $MODELS" >&2; exit 2; }

CHECKS=0
FAILED=0
_OUT=$WORK/.last.out
_ERR=$WORK/.last.err
RC=0

# title TEXT: the use case's name.
title() { printf '\n== %s\n' "$*"; }
# say ACTOR TEXT: one line of the narrative.
say() { local who=$1; shift; printf '\n[%s] %s\n' "$who" "$*"; }
# party NAME: a fresh, empty directory for one party; cd into it.
party() {
  rm -rf "${WORK:?}/$1"
  mkdir -p "$WORK/$1"
  cd "$WORK/$1"
}

# Prints an argument list the way it would be typed.
_quote() {
  local a out=""
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./=:,+-]+$ ]]; then out+=" $a"; else out+=" '$a'"; fi
  done
  printf '%s' "${out# }"
}

# sm ARGS...: runs `starkml ARGS` (never stops the script), shows the command; the exit
# status is in RC, stdout and stderr in files that show/stderr_tail print.
sm() {
  printf '  $ starkml %s\n' "$(_quote "$@")"
  RC=0
  "$STARKML" "$@" >"$_OUT" 2>"$_ERR" || RC=$?
}
# show [ERE]: the last command's stdout (only the lines matching ERE, when given).
show() {
  if [[ $# -gt 0 ]]; then grep -E -- "$1" "$_OUT" | sed 's/^/    /' || true
  else sed 's/^/    /' "$_OUT"; fi
}
# The last command's error message (stderr without the progress lines).
stderr_tail() { grep -v -E '(\.\.\.|: [0-9.]+ s)$' "$_ERR" | tail -n 3 | sed 's/^/    /' || true; }
# out_has ERE: the last command's stdout has a line matching ERE.
out_has() { grep -q -E -- "$1" "$_OUT"; }
# out_lacks ERE: no line of the last command's stdout matches ERE.
out_lacks() { ! grep -q -E -- "$1" "$_OUT"; }
# files_here: the names in the current directory, sorted, on one line.
files_here() { local f out=""; for f in *; do out+="$f "; done; printf '%s' "${out% }"; }
# field KEY FILE: a string value of a flat JSON object written by starkml ("" if none).
field() { sed -n 's/.*"'"$1"'": "\([^"]*\)".*/\1/p;T;q' "$2"; }

_pass() { CHECKS=$((CHECKS + 1)); printf '  -> as expected: %s\n' "$*"; }
_fail() {
  CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1))
  printf '  -> UNEXPECTED (exit %s): %s\n' "$RC" "$*"
  sed 's/^/    stdout: /' "$_OUT"
  tail -n 5 "$_ERR" | sed 's/^/    stderr: /'
}
# expect_ok TEXT: the last command succeeded (exit 0; a verification printed ACCEPTED).
expect_ok() {
  if [[ $RC -eq 0 ]] && { ! grep -q '^REJECTED' "$_OUT"; }; then _pass "$*"; else _fail "$*"; fi
}
# expect_accepted TEXT: the last command was a verification that accepted.
expect_accepted() {
  if [[ $RC -eq 0 ]] && grep -q '^ACCEPTED' "$_OUT"; then _pass "$*"; else _fail "$*"; fi
}
# expect_rejected TEXT: the last command was a verification that rejected (exit 1).
expect_rejected() {
  if [[ $RC -eq 1 ]] && grep -q '^REJECTED' "$_OUT"; then
    show '^REJECTED'
    _pass "$*"
  else
    _fail "$*"
  fi
}
# expect_refused FILE TEXT: the prover refused (exit 2) and wrote no FILE.
expect_refused() {
  local file=$1; shift
  if [[ $RC -eq 2 && ! -e $file ]]; then
    stderr_tail
    _pass "$*"
  else
    _fail "$*"
  fi
}
# check TEXT -- COMMAND...: a plain shell check.
check() {
  local text=$1; shift; [[ ${1:-} == -- ]] && shift
  if "$@"; then
    _pass "$text"
  else
    CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1)); printf '  -> UNEXPECTED: %s\n' "$text"
  fi
}

# finish: the verdict of the whole script.
finish() {
  if [[ $FAILED -eq 0 && $CHECKS -gt 0 ]]; then
    printf '\n%s: all %d expected outcomes happened\n' "${0##*/}" "$CHECKS"
    exit 0
  fi
  printf '\n%s: %d of %d expected outcomes did NOT happen\n' "${0##*/}" "$FAILED" "$CHECKS"
  exit 1
}

# model_owner_setup NAME [COMPILE-OPTIONS...]: in the current directory, copies the bundled
# model NAME, compiles it (model.smc) and runs the setup (model.pk secret, model.vk public).
model_owner_setup() {
  local name=$1; shift
  cp "$MODELS/$name/model.onnx" "$MODELS/$name/calib.json" .
  sm compile model.onnx --calib calib.json -o model.smc "$@"
  show '^(quantized|accuracy)'
  expect_ok "the model is quantized"
  sm setup model.smc --pk model.pk --vk model.vk
  show '^(model|pk|vk) '
  expect_ok "keys made: model.pk stays with the owner, model.vk is published"
}
