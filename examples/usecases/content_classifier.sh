#!/usr/bin/env bash
# Content classification: prove the verdict of a committed classifier on a piece of content,
# with the scores and the weights hidden.
#   bash examples/usecases/content_classifier.sh [STARKML] [DIR]
# Model: mlp_digits (an MLP over 8x8 images, 10 logits); read its ten digit classes as ten
# content categories. Everything runs with the fast preset to take seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

title "Content classification: prove 'argmax == k' and nothing else about the scores"
echo "Model: the bundled mlp_digits classifier; its ten classes stand for content categories."
echo "The upload is public (the user who disputes a decision has it); the ten scores and the"
echo "weights stay hidden: the verifier learns the verdict and nothing else."

say "platform" "owns the classifier: compiles it and runs the setup once; publishes model.vk."
party platform
model_owner_setup mlp_digits

say "user" "uploads an image (vectors/models/mlp_digits/input.json) and disputes how it was classified."
party user
cp "$MODELS/mlp_digits/input.json" upload.json
# The category the classifier gives this upload: the sample's label in reference.json
# (the quantized model agrees; `prove` below refuses a verdict the model did not reach).
K=$(sed -n 's/^ *"label": *\([0-9]*\).*/\1/p;T;q' "$MODELS/mlp_digits/reference.json")
[[ $K =~ ^[0-9]$ ]] || { echo "content_classifier.sh: no label in reference.json" >&2; exit 2; }
J=$(((K + 1) % 10))
cp ../platform/model.vk .

say "platform" "classifies the upload as category $K and proves only that verdict: --predicate"
echo "  'argmax==$K' keeps the scores private."
cd "$WORK/platform"
cp ../user/upload.json .
sm prove --pk model.pk --input upload.json -o verdict.proof --predicate "argmax==$K" --preset fast
show '^(input|output|security|proof) '
expect_ok "the verdict argmax==$K is proven"
check "the prover's output JSON holds no scores (output and output_q are null)" -- \
  grep -q '"output": null, "output_q": null' verdict.proof.json

say "platform (cheating)" "would rather claim category $J."
sm prove --pk model.pk --input upload.json -o verdict-$J.proof --predicate "argmax==$J" --preset fast
expect_refused "verdict-$J.proof" "no proof of a verdict the model did not reach"

say "user" "checks the proof with the vk, the upload and the verdict it was told ($K)."
cd "$WORK/user"
cp ../platform/verdict.proof .
sm verify --vk model.vk --proof verdict.proof --input upload.json --predicate "argmax==$K" --preset fast
show
expect_accepted "the verdict about this upload is confirmed"
sm verify --vk model.vk --proof verdict.proof --input upload.json --predicate "argmax==$K" --preset fast --json
check "the verdict carries no score (output, output_q null) but the verdict itself (argmax $K)" -- \
  out_has '"output": null, "output_q": null, "predicate": "argmax=='"$K"'"'

say "user" "asks whether the same proof shows category $J instead."
sm verify --vk model.vk --proof verdict.proof --input upload.json --predicate "argmax==$J" --preset fast
expect_rejected "another verdict is rejected"

say "platform (cheating)" "answers the dispute about a second upload (a blank image) with the"
echo "  proof it made for the first one."
printf '{"input_data": [[%s0]]}\n' "$(printf '0, %.0s' {1..63})" >blank.json
sm verify --vk model.vk --proof verdict.proof --input blank.json --predicate "argmax==$K" --preset fast
expect_rejected "a proof about one upload is rejected for another"

finish
