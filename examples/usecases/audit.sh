#!/usr/bin/env bash
# Audit: a third party, later, with nothing but the model's verifying key and a proof file.
#   bash examples/usecases/audit.sh [STARKML] [DIR]
# Model: cnn_digits (a small CNN over 8x8 images, 10 logits). Everything runs with the fast
# preset to take seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

title "Audit: check a recorded decision with only the vk and the proof"
echo "Model: the bundled cnn_digits classifier. The auditor trusts nothing but the vk hash"
echo "the model owner published; the proof is hash-based (SHA3-256), so it stays checkable"
echo "evidence for as long as the file is kept."

say "model owner" "compiles the model, runs the setup and publishes the vk and its hash."
party owner
model_owner_setup cnn_digits
PUBLISHED_VK=$(sed -n 's/^model *vk \([0-9a-f]\{64\}\).*/\1/p' "$_OUT")
echo "    published vk hash: $PUBLISHED_VK"

say "model owner" "records one decision: a private input and its ten public scores, proven."
cp "$MODELS/cnn_digits/input.json" record.json
sm prove --pk model.pk --input record.json -o decision.proof --input-visibility private --preset fast
show '^(input|output|security|proof) '
expect_ok "the decision is proven and archived as decision.proof"

say "auditor" "gets model.vk and decision.proof, copied into an empty directory."
party auditor
cp ../owner/model.vk ../owner/decision.proof .
printf '    files: %s\n' "$(files_here)"
check "the auditor holds exactly two files: the vk and the proof" -- \
  test "$(files_here)" = "decision.proof model.vk"
sm inspect model.vk --json
check "the vk is the one the model owner published (its SHA3-256 hash)" -- \
  test "$(field vk_hash "$_OUT")" = "$PUBLISHED_VK"

say "auditor" "reads what the proof claims (inspect checks nothing), then verifies it."
sm inspect decision.proof
show '^(kind|model|input|output|security) '
echo "  The auditor's default floor is the secure preset (at least 128 provable bits); this"
echo "  example proof was made with the fast preset, so the default check refuses it:"
sm verify --vk model.vk --proof decision.proof
expect_rejected "a fast-preset proof is below the default (secure) floor"
echo "  Lowering the floor explicitly to fast (an experiment, not production):"
sm verify --vk model.vk --proof decision.proof --preset fast
show
expect_accepted "the proof verifies against the vk"
sm verify --vk model.vk --proof decision.proof --preset fast --json
check "the verdict names the published model" -- test "$(field vk_hash "$_OUT")" = "$PUBLISHED_VK"
CONJ=$(sed -n 's/.*"conjectured_bits": \([0-9]*\).*/\1/p' "$_OUT")
PROV=$(sed -n 's/.*"provable_bits": \([0-9]*\).*/\1/p' "$_OUT")
echo "    statement: model $PUBLISHED_VK, private input, ten public scores (above)"
echo "    security:  $CONJ conjectured bits, $PROV provable bits (preset fast)"
check "the security bits are reported (conjectured >= 100)" -- test "${CONJ:-0}" -ge 100

# flip FILE OFFSET: XOR one byte of FILE with 0x01, in place.
flip() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  # shellcheck disable=SC2059
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

say "auditor" "shows that the proof cannot be altered: one flipped bit, anywhere, is rejected."
SIZE=$(wc -c <decision.proof)
# Offset 124 is the third score of the statement's public output (docs/formats.md: "SMZP",
# version, length, then the statement "SMZS"... with the output's i64 values from byte 108).
sm inspect decision.proof --json
Q2_CLAIMED=$(sed -n 's/.*"output_q": \[[^],]*, [^],]*, \([-0-9]*\).*/\1/p' "$_OUT")
Q2_BYTES=$(od -An -td8 -j 124 -N 8 decision.proof | tr -d ' ')
check "byte 124 starts the third recorded score ($Q2_BYTES: class 2, quantized)" -- \
  test -n "$Q2_CLAIMED" -a "$Q2_BYTES" = "$Q2_CLAIMED"
for off in 124 $((SIZE / 2)) $((SIZE - 1)); do
  cp decision.proof tampered.proof
  flip tampered.proof "$off"
  check "tampered.proof differs from decision.proof in exactly one byte (offset $off)" -- \
    test "$( { cmp -l decision.proof tampered.proof || true; } | wc -l)" -eq 1
  sm verify --vk model.vk --proof tampered.proof --preset fast
  expect_rejected "a flipped bit at offset $off of $SIZE is rejected"
done
rm -f tampered.proof

finish
