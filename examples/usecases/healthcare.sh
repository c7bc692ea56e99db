#!/usr/bin/env bash
# Healthcare: prove a diagnosis made by a certified model on a patient record that the
# verifier never sees.
#   bash examples/usecases/healthcare.sh [STARKML] [DIR]
# Model: logreg_cancer, a logistic regression on the 30 measurements of the breast-cancer
# data set; its output is P(benign), and y[0] >= 0.5 means "benign". Everything runs with
# the fast preset to take seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENIGN='y[0]>=0.5'

title "Healthcare: prove 'benign' ($BENIGN) on a hidden patient record"
echo "Model: the bundled logreg_cancer diagnostic model, output P(benign)."

say "hospital" "runs a certified diagnostic model: compiles it and runs the setup once; the"
echo "  verifying key goes to the insurer."
party hospital
model_owner_setup logreg_cancer
cp "$MODELS/logreg_cancer/input.json" patient1.json
# Patient 2: one held-out sample of the bundled data set (reference.json test_inputs[17]),
# P(benign) about 0.05: a malignant finding.
cat >patient2.json <<'EOF'
{"input_data": [[-0.23198336362838745, 0.23072978854179382, -0.18413782119750977, -0.3041398525238037, 0.5616068840026855, 0.7487478852272034, 0.12585768103599548, 0.3121548891067505, 0.6160888671875, 0.7261950969696045, -0.1013001799583435, -0.7106046080589294, -0.1976051777601242, -0.1829037070274353, -0.6519872546195984, -0.22598357498645782, -0.359630823135376, -0.3691021502017975, -0.4011906683444977, -0.1891133040189743, 0.23622241616249084, 0.38052186369895935, 0.17912903428077698, 0.051215995103120804, 0.8998138308525085, 0.7611640691757202, 0.4639419615268707, 0.5069295763969421, 1.4106848239898682, 1.0534957647323608]]}
EOF

say "hospital" "diagnoses patient 1 on the hidden record (--input-visibility private) and proves"
echo "  only the diagnosis ($BENIGN); the score stays private too."
sm prove --pk model.pk --input patient1.json -o patient1.proof \
  --input-visibility private --predicate "$BENIGN" --preset fast
show '^(input|output|security|proof) '
expect_ok "patient 1's benign diagnosis is proven"

say "insurer" "receives patient1.proof; it holds the vk and the proof, no record."
party insurer
cp ../hospital/model.vk ../hospital/patient1.proof .
printf '    files: %s\n' "$(files_here)"
check "the insurer's directory holds only the vk and the proof" -- \
  test "$(files_here)" = "model.vk patient1.proof"
sm verify --vk model.vk --proof patient1.proof --predicate "$BENIGN" --preset fast
show
expect_accepted "the insurer accepts the benign diagnosis"

say "insurer" "looks inside the proof file with starkml inspect: the statement has no value of"
echo "  the record and no score."
sm inspect patient1.proof
show
sm inspect patient1.proof --json
check "inspect --json: input_q, input_digest, output and output_q are all null" -- \
  out_has '"output": null, "output_q": null, "predicate": "y\[0\]>=0\.5", "input_visibility": "private", "input_digest": null, .*"input_q": null,'
check "inspect --json: no array of values anywhere in the statement" -- \
  out_lacks '": \['

say "hospital" "diagnoses patient 2: malignant (P(benign) about 0.05)."
cd "$WORK/hospital"
sm prove --pk model.pk --input patient2.json -o patient2.proof \
  --input-visibility private --predicate "$BENIGN" --preset fast
expect_refused patient2.proof "no 'benign' proof can be made for a malignant record"

say "hospital (cheating)" "proves a much weaker claim for patient 2, y[0]>=0.05 (true), and files it"
echo "  with the insurer as the benign certificate."
sm prove --pk model.pk --input patient2.json -o patient2-weak.proof \
  --input-visibility private --predicate 'y[0]>=0.05' --preset fast
show '^output '
expect_ok "the weaker claim is proven"

say "insurer" "checks it as it checks every certificate, requiring $BENIGN."
cd "$WORK/insurer"
cp ../hospital/patient2-weak.proof .
sm verify --vk model.vk --proof patient2-weak.proof --predicate "$BENIGN" --preset fast
expect_rejected "the weaker claim is not accepted as a benign diagnosis"

finish
