#!/usr/bin/env bash
# Identity fraud: the proof is bound to the record an issuer attested, by its digest.
#   bash examples/usecases/identity_fraud.sh [STARKML] [DIR]
# Stand-in model: logreg_cancer (a logistic regression with a sigmoid score in [0, 1]); read
# its 30 standardized features as an applicant's record and its score as a risk score.
# Everything runs with the fast preset to take seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RANGE='0.2<=y[0]<=1'

title "Identity fraud: a score inside '$RANGE', for the record the issuer attested"
echo "Stand-in: the bundled logreg_cancer logistic regression plays the scoring model."
echo "The input is hashed: the proof reveals only Poseidon2(salt || record), a digest that the"
echo "issuer of the record publishes; a verifier who pins that digest knows the score was"
echo "computed on the attested record and not on made-up data."

say "scoring service" "owns the model: compiles it and runs the setup once; publishes model.vk."
party service
model_owner_setup logreg_cancer

say "issuer" "(a bank that checked the applicants' documents) holds their verified records."
party issuer
cp "$MODELS/logreg_cancer/input.json" alice.json
# Bob: one held-out sample of the bundled data set (reference.json test_inputs[91]).
cat >bob.json <<'EOF'
{"input_data": [[-0.6420542597770691, -0.6158753037452698, -0.5186288952827454, -0.6157290935516357, 0.9204021096229553, 1.2489087581634521, 0.9889352321624756, 0.6309157013893127, 3.219475030899048, 1.567439079284668, -0.2811170220375061, 0.4010956883430481, -0.267762690782547, -0.32212936878204346, -0.5386084914207458, 0.6432051658630371, 0.5766531825065613, 1.0894732475280762, 4.3114848136901855, 0.3831369876861572, -0.5100718140602112, 0.11854477971792221, -0.44503501057624817, -0.49590760469436646, 0.26314449310302734, 0.9981107711791992, 0.8744809627532959, 1.0647335052490234, 4.815733909606934, 1.070420265197754]]}
EOF

say "issuer" "draws a secret salt per record, publishes the record's digest (starkml digest:"
echo "  the salted Poseidon2 hash of the record on the model's input scale) and hands the"
echo "  record and its salt to the applicant for the scoring service."
cp ../service/model.vk .
for who in alice bob; do
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$who.salt"
  sm digest --vk model.vk --input "$who.json" --salt "$(cat "$who.salt")"
  expect_ok "digest of $who's record computed"
  tr -d "\n" <"$_OUT" >"$who.digest"
  printf '    %-12s %s\n' "$who.digest" "$(cat "$who.digest")"
done
check "each published digest is 64 hex digits" -- \
  grep -q -E '^[0-9a-f]{64}$' alice.digest bob.digest
check "the two records have different digests" -- \
  bash -c '! cmp -s alice.digest bob.digest'
ALICE_DIGEST=$(cat alice.digest)
BOB_DIGEST=$(cat bob.digest)

say "scoring service" "scores each attested record with --input-visibility hashed, the issuer's"
echo "  salt and the range predicate; the proof carries the record's digest and nothing else."
cd "$WORK/service"
cp ../issuer/alice.json ../issuer/bob.json ../issuer/alice.salt ../issuer/bob.salt .
for who in alice bob; do
  sm prove --pk model.pk --input "$who.json" -o "$who.proof" --input-salt "$(cat "$who.salt")" \
    --input-visibility hashed --predicate "$RANGE" --preset fast
  show '^(input|output) '
  expect_ok "$who's attested record scores inside the range: proof made"
  check "$who's proof carries the digest the issuer published" -- \
    grep -q "$(cat "../issuer/$who.digest")" "$who.proof.json"
done

say "verifier" "(a lender) receives Alice's application with alice.proof; it checks the proof"
echo "  with the vk, the range, and the digest the issuer published for Alice."
party verifier
cp ../service/model.vk ../service/alice.proof .
sm verify --vk model.vk --proof alice.proof --predicate "$RANGE" \
  --input-digest "$ALICE_DIGEST" --preset fast
show '^(ACCEPTED|input|output|security) '
expect_accepted "Alice's application is accepted"

say "fraudster" "applies in Alice's name with a fabricated record that scores in range, and"
echo "  submits it to the scoring service, which proves it like any other record."
party fraudster
# A fabricated record (reference.json test_inputs[30]).
cat >forged.json <<'EOF'
{"input_data": [[-0.21535874903202057, -0.7806200981140137, -0.21746651828289032, -0.37350428104400635, 0.8271154165267944, 0.9363083243370056, 0.3617543578147888, 0.5223798155784607, 0.4977528154850006, 0.8975867033004761, -0.40064018964767456, -0.35717591643333435, -0.6262384653091431, -0.5698288679122925, -0.10202061384916306, 0.6092800498008728, 0.3224429786205292, 0.33305296301841736, 0.09913169592618942, 0.3692431151866913, -0.14307543635368347, -0.3973231911659241, -0.3055783212184906, -0.455675333738327, 0.9261592030525208, 1.448180079460144, 1.047493815422058, 0.8299474120140076, 1.055957317352295, 0.9914388060569763]]}
EOF
cd "$WORK/service"
cp ../fraudster/forged.json .
sm prove --pk model.pk --input forged.json -o forged.proof \
  --input-visibility hashed --predicate "$RANGE" --preset fast
show '^input '
expect_ok "the fabricated record gets a valid proof of the same statement"
cp forged.proof ../fraudster/

say "verifier" "checks it against the digest the issuer published for Alice."
cd "$WORK/verifier"
cp ../fraudster/forged.proof .
sm verify --vk model.vk --proof forged.proof --predicate "$RANGE" \
  --input-digest "$ALICE_DIGEST" --preset fast
expect_rejected "made-up data does not match the attested record's digest"
echo "  (Without --input-digest the forged proof verifies: it is a true statement about some"
echo "  record. Pinning the issuer's digest is what ties it to Alice's.)"
sm verify --vk model.vk --proof forged.proof --predicate "$RANGE" --preset fast
show '^(ACCEPTED|input) '
expect_accepted "the forged proof is valid, for a record nobody attested"

say "fraudster" "copies Alice's genuine proof into an application in Bob's name."
say "verifier" "checks it against the digest the issuer published for Bob."
sm verify --vk model.vk --proof alice.proof --predicate "$RANGE" \
  --input-digest "$BOB_DIGEST" --preset fast
expect_rejected "a proof for one record fails against another record's digest"

finish
