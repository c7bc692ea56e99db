/*
 * Poseidon2 over Goldilocks, width 12 (see core/poseidon2.h for the instance and its
 * source). The constants below are copied digit for digit from the reference
 * implementation (HorizenLabs/poseidon2, plain_implementations/src/poseidon2/
 * poseidon2_instance_goldilocks.rs, commit bb476b9ca38198cf5092487283c8b8c5d4317c4e:
 * RC12 and MAT_DIAG12_M_1); the reference's known-answer test pins all of them at once.
 */
#include "core/poseidon2.h"

#include <string.h>

/* RC12[0..3] and RC12[26..29]. */
const gl_t sm_p2_rc_full[SM_P2_FULL_ROUNDS][SM_P2_WIDTH] = {
    {0x13dcf33aba214f46ULL, 0x30b3b654a1da6d83ULL, 0x1fc634ada6159b56ULL, 0x937459964dc03466ULL,
     0xedd2ef2ca7949924ULL, 0xede9affde0e22f68ULL, 0x8515b9d6bac9282dULL, 0x6b5c07b4e9e900d8ULL,
     0x1ec66368838c8a08ULL, 0x9042367d80d1fbabULL, 0x400283564a3c3799ULL, 0x4a00be0466bca75eULL},
    {0x7913beee58e3817fULL, 0xf545e88532237d90ULL, 0x22f8cb8736042005ULL, 0x6f04990e247a2623ULL,
     0xfe22e87ba37c38cdULL, 0xd20e32c85ffe2815ULL, 0x117227674048fe73ULL, 0x4e9fb7ea98a6b145ULL,
     0xe0866c232b8af08bULL, 0x00bbc77916884964ULL, 0x7031c0fb990d7116ULL, 0x240a9e87cf35108fULL},
    {0x2e6363a5a12244b3ULL, 0x5e1c3787d1b5011cULL, 0x4132660e2a196e8bULL, 0x3a013b648d3d4327ULL,
     0xf79839f49888ea43ULL, 0xfe85658ebafe1439ULL, 0xb6889825a14240bdULL, 0x578453605541382bULL,
     0x4508cda8f6b63ce9ULL, 0x9c3ef35848684c91ULL, 0x0812bde23c87178cULL, 0xfe49638f7f722c14ULL},
    {0x8e3f688ce885cbf5ULL, 0xb8e110acf746a87dULL, 0xb4b2e8973a6dabefULL, 0x9e714c5da3d462ecULL,
     0x6438f9033d3d0c15ULL, 0x24312f7cf1a27199ULL, 0x23f843bb47acbf71ULL, 0x9183f11a34be9f01ULL,
     0x839062fbb9d45dbfULL, 0x24b56e7e6c2e43faULL, 0xe1683da61c962a72ULL, 0xa95c63971a19bfa7ULL},
    {0xc68be7c94882a24dULL, 0xaf996d5d5cdaedd9ULL, 0x9717f025e7daf6a5ULL, 0x6436679e6e7216f4ULL,
     0x8a223d99047af267ULL, 0xbb512e35a133ba9aULL, 0xfbbf44097671aa03ULL, 0xf04058ebf6811e61ULL,
     0x5cca84703fac7ffbULL, 0x9b55c7945de6469fULL, 0x8e05bf09808e934fULL, 0x2ea900de876307d7ULL},
    {0x7748fff2b38dfb89ULL, 0x6b99a676dd3b5d81ULL, 0xac4bb7c627cf7c13ULL, 0xadb6ebe5e9e2f5baULL,
     0x2d33378cafa24ae3ULL, 0x1e5b73807543f8c2ULL, 0x09208814bfebb10fULL, 0x782e64b6bb5b93ddULL,
     0xadd5a48eac90b50fULL, 0xadd4c54c736ea4b1ULL, 0xd58dbb86ed817fd8ULL, 0x6d5ed1a533f34dddULL},
    {0x28686aa3e36b7cb9ULL, 0x591abd3476689f36ULL, 0x047d766678f13875ULL, 0xa2a11112625f5b49ULL,
     0x21fd10a3f8304958ULL, 0xf9b40711443b0280ULL, 0xd2697eb8b2bde88eULL, 0x3493790b51731b3fULL,
     0x11caf9dd73764023ULL, 0x7acfb8f72878164eULL, 0x744ec4db23cefc26ULL, 0x1e00e58f422c6340ULL},
    {0x21dd28d906a62ddaULL, 0xf32a46ab5f465b5fULL, 0xbfce13201f3f7e6bULL, 0xf30d2e7adb5304e2ULL,
     0xecdf4ee4abad48e9ULL, 0xf94e82182d395019ULL, 0x4ee52e3744d887c5ULL, 0xa1341c7cac0083b2ULL,
     0x2302fb26c30c834aULL, 0xaea3c587273bf7d3ULL, 0xf798e24961823ec7ULL, 0x962deba3e9a2cd94ULL},
};

/* RC12[4..25][0]. */
const gl_t sm_p2_rc_partial[SM_P2_PARTIAL_ROUNDS] = {
    0x4adf842aa75d4316ULL, 0xf8fbb871aa4ab4ebULL, 0x68e85b6eb2dd6aebULL, 0x07a0b06b2d270380ULL,
    0xd94e0228bd282de4ULL, 0x8bdd91d3250c5278ULL, 0x209c68b88bba778fULL, 0xb5e18cdab77f3877ULL,
    0xb296a3e808da93faULL, 0x8370ecbda11a327eULL, 0x3f9075283775dad8ULL, 0xb78095bb23c6aa84ULL,
    0x3f36b9fe72ad4e5fULL, 0x69bc96780b10b553ULL, 0x3f1d341f2eb7b881ULL, 0x4e939e9815838818ULL,
    0xda366b3ae2a31604ULL, 0xbc89db1e7287d509ULL, 0x6102f411f9ef5659ULL, 0x58725c5e7ac1f0abULL,
    0x0df5856c798883e7ULL, 0xf7bb62a8da4c961bULL,
};

/* MAT_DIAG12_M_1. */
const gl_t sm_p2_diag[SM_P2_WIDTH] = {
    0xc3b6c08e23ba9300ULL, 0xd84b5de94a324fb6ULL, 0x0d0c371c5b35b84fULL, 0x7964f570e7188037ULL,
    0x5daf18bbd996604bULL, 0x6743bc47b9595257ULL, 0x5528b9362c59bb70ULL, 0xac45e25b7127b68bULL,
    0xa2077d7dfbb606b5ULL, 0xf3faac6faee378aeULL, 0x0c6388b51545e883ULL, 0xd27dbb6944917b60ULL,
};

static inline gl_t sbox(gl_t x) {
  gl_t x2 = gl_sqr(x), x3 = gl_mul(x2, x);
  return gl_mul(gl_sqr(x3), x); /* x^7 = (x^3)^2 x, the factorisation the AIR uses too */
}

/* M4 = [[5,7,1,3],[4,6,1,1],[1,3,5,7],[1,1,4,6]] applied to x[0..3] with the reference's
 * chain of 8 additions and 4 doublings (no multiplications). */
static inline void m4(gl_t *x) {
  gl_t t0 = gl_add(x[0], x[1]);               /* x0 + x1 */
  gl_t t1 = gl_add(x[2], x[3]);               /* x2 + x3 */
  gl_t t2 = gl_add(gl_double(x[1]), t1);      /* 2x1 + x2 + x3 */
  gl_t t3 = gl_add(gl_double(x[3]), t0);      /* x0 + x1 + 2x3 */
  gl_t t4 = gl_add(gl_double(gl_double(t1)), t3); /* x0 + x1 + 4x2 + 6x3 */
  gl_t t5 = gl_add(gl_double(gl_double(t0)), t2); /* 4x0 + 6x1 + x2 + x3 */
  x[0] = gl_add(t3, t5);                      /* 5x0 + 7x1 + x2 + 3x3 */
  x[1] = t5;
  x[2] = gl_add(t2, t4);                      /* x0 + 3x1 + 5x2 + 7x3 */
  x[3] = t4;
}

void sm_p2_external_linear(gl_t s[SM_P2_WIDTH]) {
  /* circ(2 M4, M4, M4) s = (M4 s_b) + sum over blocks of M4 s_b', block by block. */
  for (int b = 0; b < SM_P2_WIDTH; b += 4) m4(s + b);
  for (int l = 0; l < 4; l++) {
    gl_t col = gl_add(gl_add(s[l], s[4 + l]), s[8 + l]);
    for (int b = 0; b < SM_P2_WIDTH; b += 4) s[b + l] = gl_add(s[b + l], col);
  }
}

void sm_p2_internal_linear(gl_t s[SM_P2_WIDTH]) {
  gl_t sum = 0;
  for (int i = 0; i < SM_P2_WIDTH; i++) sum = gl_add(sum, s[i]);
  for (int i = 0; i < SM_P2_WIDTH; i++) s[i] = gl_add(gl_mul(s[i], sm_p2_diag[i]), sum);
}

static void full_round(gl_t s[SM_P2_WIDTH], const gl_t rc[SM_P2_WIDTH]) {
  for (int i = 0; i < SM_P2_WIDTH; i++) s[i] = sbox(gl_add(s[i], rc[i]));
  sm_p2_external_linear(s);
}

void sm_poseidon2_permute(gl_t state[SM_P2_WIDTH]) {
  sm_p2_external_linear(state);
  for (int r = 0; r < SM_P2_FULL_ROUNDS / 2; r++) full_round(state, sm_p2_rc_full[r]);
  for (int r = 0; r < SM_P2_PARTIAL_ROUNDS; r++) {
    state[0] = sbox(gl_add(state[0], sm_p2_rc_partial[r]));
    sm_p2_internal_linear(state);
  }
  for (int r = SM_P2_FULL_ROUNDS / 2; r < SM_P2_FULL_ROUNDS; r++)
    full_round(state, sm_p2_rc_full[r]);
}

void sm_poseidon2_hash(gl_t digest[SM_P2_DIGEST], const gl_t *in, size_t n) {
  gl_t s[SM_P2_WIDTH] = {0};
  /* n < 2^64 and, in any realistic use, far below p; reduce anyway to stay canonical. */
  s[SM_P2_RATE] = gl_from_u64((uint64_t)n);
  size_t pos = 0;
  do {
    for (size_t i = 0; i < SM_P2_RATE && pos < n; i++, pos++) s[i] = gl_add(s[i], in[pos]);
    sm_poseidon2_permute(s);
  } while (pos < n);
  memcpy(digest, s, SM_P2_DIGEST * sizeof *digest);
}
