#!/usr/bin/env bash
# Credit scoring: a score above the lender's threshold, with the applicant's features and
# the model's weights kept private.
#   bash examples/usecases/credit_scoring.sh [STARKML] [DIR]
# Stand-in model: logreg_cancer (a logistic regression with a sigmoid score in [0, 1]); read
# its 30 standardized features as an applicant's financial record and its score as the
# probability of repayment. Everything runs with the fast preset to take seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

THRESHOLD='y[0]>=0.5'

title "Credit scoring: prove 'score >= 0.5' without revealing the applicant or the model"
echo "Stand-in: the bundled logreg_cancer logistic regression plays the scoring model"
echo "(30 standardized features in, one sigmoid score out)."

say "scoring agency" "owns the scoring model: compiles it and runs the setup once."
party agency
model_owner_setup logreg_cancer

say "lender" "approved this model and keeps its verifying key; it requires $THRESHOLD."
party lender
cp ../agency/model.vk .

say "scoring agency" "scores applicant Alice; her features stay private (--input-visibility private),"
echo "  and so do the weights (the default); the proof states only $THRESHOLD."
cd "$WORK/agency"
cp "$MODELS/logreg_cancer/input.json" alice.json
sm prove --pk model.pk --input alice.json -o alice.proof \
  --input-visibility private --predicate "$THRESHOLD" --preset fast
show '^(input|output|security|proof) '
expect_ok "Alice's score clears the threshold: proof made"

say "lender" "receives alice.proof and checks it with the vk only, requiring exactly $THRESHOLD."
cd "$WORK/lender"
cp ../agency/alice.proof .
sm verify --vk model.vk --proof alice.proof --predicate "$THRESHOLD" --preset fast
show
expect_accepted "the lender accepts Alice's proof"
echo "  The same verdict as JSON: the statement has no input and no score in it."
sm verify --vk model.vk --proof alice.proof --predicate "$THRESHOLD" --preset fast --json
check "the lender learned no feature and no score (input_q, output, output_q are null)" -- \
  out_has '"output": null, "output_q": null, .*"input_q": null,'


say "scoring agency" "scores applicant Bob, whose score is below 0.5 (about 0.35)."
cd "$WORK/agency"
# Bob: one held-out sample of the bundled data set (reference.json test_inputs[91]).
cat >bob.json <<'EOF'
{"input_data": [[-0.6420542597770691, -0.6158753037452698, -0.5186288952827454, -0.6157290935516357, 0.9204021096229553, 1.2489087581634521, 0.9889352321624756, 0.6309157013893127, 3.219475030899048, 1.567439079284668, -0.2811170220375061, 0.4010956883430481, -0.267762690782547, -0.32212936878204346, -0.5386084914207458, 0.6432051658630371, 0.5766531825065613, 1.0894732475280762, 4.3114848136901855, 0.3831369876861572, -0.5100718140602112, 0.11854477971792221, -0.44503501057624817, -0.49590760469436646, 0.26314449310302734, 0.9981107711791992, 0.8744809627532959, 1.0647335052490234, 4.815733909606934, 1.070420265197754]]}
EOF
sm prove --pk model.pk --input bob.json -o bob.proof \
  --input-visibility private --predicate "$THRESHOLD" --preset fast
expect_refused bob.proof "the prover cannot make a proof of a false claim"

say "broker (cheating)" "gets the agency to prove the weaker claim y[0]>=0.3, which is true for"
echo "  Bob, and hands that proof to the lender as if it were the required one."
sm prove --pk model.pk --input bob.json -o bob-0.3.proof \
  --input-visibility private --predicate 'y[0]>=0.3' --preset fast
show '^output '
expect_ok "a true proof of the weaker claim is made"

say "lender" "checks it, again requiring $THRESHOLD."
cd "$WORK/lender"
cp ../agency/bob-0.3.proof .
sm verify --vk model.vk --proof bob-0.3.proof --predicate "$THRESHOLD" --preset fast
expect_rejected "the lower threshold is caught by --predicate"
echo "  (Without --predicate the proof is valid and its statement says y[0]>=0.3: a verifier"
echo "  must either pin the predicate or read the statement.)"
sm verify --vk model.vk --proof bob-0.3.proof --preset fast
show '^(ACCEPTED|output) '
expect_accepted "the proof itself is valid, for the weaker statement"

say "broker (cheating)" "scores Bob with another model, one the lender never approved (stand-in:"
echo "  the same regression compiled with 4-bit weights: other weights, its own keys)."
party broker
model_owner_setup logreg_cancer --weight-bits 4
cp ../agency/bob.json .
sm prove --pk model.pk --input bob.json -o bob-lenient.proof \
  --input-visibility private --predicate 'y[0]>=0.3' --preset fast
expect_ok "a proof under the other model is made"

say "lender" "checks it with the approved model's vk (even before looking at the predicate)."
cd "$WORK/lender"
cp ../broker/bob-lenient.proof .
sm verify --vk model.vk --proof bob-lenient.proof --preset fast
expect_rejected "a proof made with another model fails against the lender's vk"

finish
