/*
 * Merkle commitment on the device: Keccak-f[1600] / SHA3-256 leaf hashing of the rows of a
 * column-major matrix, and inner nodes. The encoding is core/merkle.h's, byte for byte:
 *   leaf(r) = SHA3-256(0x00 || LE64(m[0][r]) || ... || LE64(m[w-1][r]) || salt_r)
 *   node    = SHA3-256(0x01 || left || right)
 * and the tree has core/merkle.h's heap layout (nodes[0] the root, leaf r at n - 1 + r).
 * A digest is four little-endian lanes (ulong4 in memory), which is its 32 bytes on a
 * little-endian device; the host refuses big-endian devices.
 *
 * Keccak-f[1600] is core/sha3.c's: one round written once (KECCAK_ROUND), two rounds per
 * loop iteration between two sets of 25 lane variables, so that nothing is copied between
 * rounds and the state stays in registers.
 *
 * Leaves. One work-item hashes one row; work-item r reads m[c][r] for c = 0, 1, ..., so
 * the work-items of a wavefront read adjacent addresses of one column at a time
 * (coalesced, straight from the column-major matrix, no transpose). The message is built
 * a lane at a time: the tag byte puts every element one byte off a lane boundary, so lane
 * L < w is (e[L-1] >> 56) | (e[L] << 8) (e[-1] >> 56 being the tag), and the lanes from w
 * on hold the last element's top byte, the salt and the SHA-3 padding.
 *
 * Nodes. A work-group hashes the parents of 2G children and then, in local memory, their
 * parents and so on: up to log2(G) + 1 levels per launch, every node written to the tree.
 *
 * Mixed-height trees (core/merkle.h): mmcs_level hashes one level that has a group, from
 * the group's leaf digests (merkle_leaves into a scratch buffer); merkle_nodes does the
 * levels between.
 */
__constant ulong keccak_rc[24] = {
    0x0000000000000001UL, 0x0000000000008082UL, 0x800000000000808aUL, 0x8000000080008000UL,
    0x000000000000808bUL, 0x0000000080000001UL, 0x8000000080008081UL, 0x8000000000008009UL,
    0x000000000000008aUL, 0x0000000000000088UL, 0x0000000080008009UL, 0x000000008000000aUL,
    0x000000008000808bUL, 0x800000000000008bUL, 0x8000000000008089UL, 0x8000000000008003UL,
    0x8000000000008002UL, 0x8000000000000080UL, 0x000000000000800aUL, 0x800000008000000aUL,
    0x8000000080008081UL, 0x8000000000008080UL, 0x0000000080000001UL, 0x8000000080008008UL};

#define SHA3_RATE_LANES 17
#define SHA3_RATE 136

#define K_ROL(x, r) rotate((x), (ulong)(r))
#define K_ANDN(a, b) (~(a) & (b))

/* One round from lanes A##00..A##24 (lane x + 5y) into E##00..E##24 (core/sha3.c). */
#define KECCAK_ROUND(A, E, RC)                                    \
  do {                                                            \
    c0 = A##00 ^ A##05 ^ A##10 ^ A##15 ^ A##20;                   \
    c1 = A##01 ^ A##06 ^ A##11 ^ A##16 ^ A##21;                   \
    c2 = A##02 ^ A##07 ^ A##12 ^ A##17 ^ A##22;                   \
    c3 = A##03 ^ A##08 ^ A##13 ^ A##18 ^ A##23;                   \
    c4 = A##04 ^ A##09 ^ A##14 ^ A##19 ^ A##24;                   \
    d0 = c4 ^ K_ROL(c1, 1);                                       \
    d1 = c0 ^ K_ROL(c2, 1);                                       \
    d2 = c1 ^ K_ROL(c3, 1);                                       \
    d3 = c2 ^ K_ROL(c4, 1);                                       \
    d4 = c3 ^ K_ROL(c0, 1);                                       \
    b0 = A##00 ^ d0;                                              \
    b1 = K_ROL(A##06 ^ d1, 44);                                   \
    b2 = K_ROL(A##12 ^ d2, 43);                                   \
    b3 = K_ROL(A##18 ^ d3, 21);                                   \
    b4 = K_ROL(A##24 ^ d4, 14);                                   \
    E##00 = b0 ^ K_ANDN(b1, b2) ^ (RC);                           \
    E##01 = b1 ^ K_ANDN(b2, b3);                                  \
    E##02 = b2 ^ K_ANDN(b3, b4);                                  \
    E##03 = b3 ^ K_ANDN(b4, b0);                                  \
    E##04 = b4 ^ K_ANDN(b0, b1);                                  \
    b0 = K_ROL(A##03 ^ d3, 28);                                   \
    b1 = K_ROL(A##09 ^ d4, 20);                                   \
    b2 = K_ROL(A##10 ^ d0, 3);                                    \
    b3 = K_ROL(A##16 ^ d1, 45);                                   \
    b4 = K_ROL(A##22 ^ d2, 61);                                   \
    E##05 = b0 ^ K_ANDN(b1, b2);                                  \
    E##06 = b1 ^ K_ANDN(b2, b3);                                  \
    E##07 = b2 ^ K_ANDN(b3, b4);                                  \
    E##08 = b3 ^ K_ANDN(b4, b0);                                  \
    E##09 = b4 ^ K_ANDN(b0, b1);                                  \
    b0 = K_ROL(A##01 ^ d1, 1);                                    \
    b1 = K_ROL(A##07 ^ d2, 6);                                    \
    b2 = K_ROL(A##13 ^ d3, 25);                                   \
    b3 = K_ROL(A##19 ^ d4, 8);                                    \
    b4 = K_ROL(A##20 ^ d0, 18);                                   \
    E##10 = b0 ^ K_ANDN(b1, b2);                                  \
    E##11 = b1 ^ K_ANDN(b2, b3);                                  \
    E##12 = b2 ^ K_ANDN(b3, b4);                                  \
    E##13 = b3 ^ K_ANDN(b4, b0);                                  \
    E##14 = b4 ^ K_ANDN(b0, b1);                                  \
    b0 = K_ROL(A##04 ^ d4, 27);                                   \
    b1 = K_ROL(A##05 ^ d0, 36);                                   \
    b2 = K_ROL(A##11 ^ d1, 10);                                   \
    b3 = K_ROL(A##17 ^ d2, 15);                                   \
    b4 = K_ROL(A##23 ^ d3, 56);                                   \
    E##15 = b0 ^ K_ANDN(b1, b2);                                  \
    E##16 = b1 ^ K_ANDN(b2, b3);                                  \
    E##17 = b2 ^ K_ANDN(b3, b4);                                  \
    E##18 = b3 ^ K_ANDN(b4, b0);                                  \
    E##19 = b4 ^ K_ANDN(b0, b1);                                  \
    b0 = K_ROL(A##02 ^ d2, 62);                                   \
    b1 = K_ROL(A##08 ^ d3, 55);                                   \
    b2 = K_ROL(A##14 ^ d4, 39);                                   \
    b3 = K_ROL(A##15 ^ d0, 41);                                   \
    b4 = K_ROL(A##21 ^ d1, 2);                                    \
    E##20 = b0 ^ K_ANDN(b1, b2);                                  \
    E##21 = b1 ^ K_ANDN(b2, b3);                                  \
    E##22 = b2 ^ K_ANDN(b3, b4);                                  \
    E##23 = b3 ^ K_ANDN(b4, b0);                                  \
    E##24 = b4 ^ K_ANDN(b0, b1);                                  \
  } while (0)

/* Keccak-f[1600] on s[0 .. 25) (lane x + 5y). */
SM_INLINE void keccak_f(ulong *s) {
  ulong a00 = s[0], a01 = s[1], a02 = s[2], a03 = s[3], a04 = s[4], a05 = s[5], a06 = s[6],
        a07 = s[7], a08 = s[8], a09 = s[9], a10 = s[10], a11 = s[11], a12 = s[12],
        a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18],
        a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
  ulong e00, e01, e02, e03, e04, e05, e06, e07, e08, e09, e10, e11, e12, e13, e14, e15, e16,
      e17, e18, e19, e20, e21, e22, e23, e24;
  ulong c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;
  for (int round = 0; round < 24; round += 2) {
    KECCAK_ROUND(a, e, keccak_rc[round]);
    KECCAK_ROUND(e, a, keccak_rc[round + 1]);
  }
  s[0] = a00, s[1] = a01, s[2] = a02, s[3] = a03, s[4] = a04, s[5] = a05, s[6] = a06;
  s[7] = a07, s[8] = a08, s[9] = a09, s[10] = a10, s[11] = a11, s[12] = a12, s[13] = a13;
  s[14] = a14, s[15] = a15, s[16] = a16, s[17] = a17, s[18] = a18, s[19] = a19;
  s[20] = a20, s[21] = a21, s[22] = a22, s[23] = a23, s[24] = a24;
}

/*
 * Tail lane L (bytes 8L .. 8L + 7) of a leaf or group message: the top byte of the last whole
 * word (prev >> 56) at byte tail0, then salt_len salt bytes, then SHA3's padding (0x06 at
 * byte len, 0x80 at byte pad80). salt is unread when salt_len is 0.
 */
SM_INLINE ulong tail_lane(ulong L, ulong tail0, ulong prev, __global const uchar *salt,
                          ulong salt_len, ulong len, ulong pad80) {
  ulong lane = 0;
  for (uint q = 0; q < 8; q++) {
    const ulong pos = 8 * L + q;
    ulong byte = 0;
    if (pos == tail0) byte = prev >> 56;
    else if (pos > tail0 && pos <= tail0 + salt_len) byte = salt[pos - tail0 - 1];
    if (pos == len) byte ^= 0x06;
    if (pos == pad80) byte ^= 0x80;
    lane |= byte << (8 * q);
  }
  return lane;
}

/*
 * Leaves of rows row0 + r, r < n_rows, of a chunk of the matrix: element (c, r) at
 * m[c * ld + r]; salts (salt_len bytes per row) at salts + r * salt_len, for the same rows.
 * Leaf row0 + r goes to nodes[leaf0 + row0 + r] (leaf0 = n - 1 for a tree of n leaves).
 */
__kernel void merkle_leaves(__global const ulong *m, ulong ld, ulong width,
                            __global const uchar *salts, ulong salt_len, ulong n_rows,
                            ulong row0, __global ulong4 *nodes, ulong leaf0) {
  const ulong r = get_global_id(0);
  if (r >= n_rows) return;
  const ulong len = 1 + 8 * width + salt_len;    /* message bytes */
  const ulong nblk = len / SHA3_RATE + 1;        /* the padding always fits in the last */
  const ulong pad80 = nblk * SHA3_RATE - 1;      /* byte that gets the final 0x80 */
  const ulong tail0 = 8 * width;                 /* first byte after the last whole lane */
  __global const uchar *salt = salts + r * salt_len;
  ulong s[25];
  for (int i = 0; i < 25; i++) s[i] = 0;
  ulong prev = 0; /* e[L - 1]; its top byte is the tag 0x00 before the first element */
  for (ulong blk = 0; blk < nblk; blk++) {
#pragma unroll
    for (int t = 0; t < SHA3_RATE_LANES; t++) {
      const ulong L = blk * SHA3_RATE_LANES + (ulong)t;
      ulong lane;
      if (L < width) {
        const ulong e = m[L * ld + r];
        lane = (prev >> 56) | (e << 8);
        prev = e;
      } else {
        /* The tail: e[w-1]'s top byte, the salt, then the padding. */
        lane = tail_lane(L, tail0, prev, salt, salt_len, len, pad80);
      }
      s[t] ^= lane;
    }
    keccak_f(s);
  }
  nodes[leaf0 + row0 + r] = (ulong4)(s[0], s[1], s[2], s[3]);
}

/* Lanes 0..8 of tag || l || rt (the tag shifts every word a byte up; lane 8 gets only rt's
   top byte, the caller ORs in what follows). */
#define TAGGED_PAIR_LANES(s, tag, l, rt)     \
  do {                                       \
    s[0] = (tag) | ((l).s0 << 8);            \
    s[1] = ((l).s0 >> 56) | ((l).s1 << 8);   \
    s[2] = ((l).s1 >> 56) | ((l).s2 << 8);   \
    s[3] = ((l).s2 >> 56) | ((l).s3 << 8);   \
    s[4] = ((l).s3 >> 56) | ((rt).s0 << 8);  \
    s[5] = ((rt).s0 >> 56) | ((rt).s1 << 8); \
    s[6] = ((rt).s1 >> 56) | ((rt).s2 << 8); \
    s[7] = ((rt).s2 >> 56) | ((rt).s3 << 8); \
    s[8] = (rt).s3 >> 56;                    \
  } while (0)

/* SHA3-256(0x01 || left || right): 65 bytes, one block. */
SM_INLINE ulong4 merkle_node_hash(ulong4 l, ulong4 rt) {
  ulong s[25];
  for (int i = 0; i < 25; i++) s[i] = 0;
  TAGGED_PAIR_LANES(s, 0x01UL, l, rt);
  s[8] |= 0x06UL << 8;
  s[SHA3_RATE_LANES - 1] = 0x80UL << 56;
  keccak_f(s);
  return (ulong4)(s[0], s[1], s[2], s[3]);
}

/*
 * The parents of level lc (2^lc nodes, the first at heap index 2^lc - 1), and `levels` - 1
 * levels above them inside each work-group (levels <= log2(local size) + 1). tmp holds one
 * digest per work-item.
 */
__kernel void merkle_nodes(__global ulong4 *nodes, uint lc, uint levels, __local ulong4 *tmp) {
  const ulong g = get_global_id(0);
  const uint l = get_local_id(0);
  const ulong P = (ulong)1 << (lc - 1);
  const int live = g < P;
  ulong4 d = (ulong4)(0);
  if (live) {
    const ulong p = P - 1 + g;
    d = merkle_node_hash(nodes[2 * p + 1], nodes[2 * p + 2]);
    nodes[p] = d;
  }
  tmp[l] = d;
  const ulong group0 = get_group_id(0) * get_local_size(0);
  uint cnt = get_local_size(0);
  for (uint i = 1; i < levels; i++) {
    barrier(CLK_LOCAL_MEM_FENCE);
    cnt >>= 1;
    ulong4 h = (ulong4)(0);
    if (l < cnt) h = merkle_node_hash(tmp[2 * l], tmp[2 * l + 1]);
    barrier(CLK_LOCAL_MEM_FENCE);
    if (l < cnt) {
      tmp[l] = h;
      const ulong Pi = P >> i; /* nodes at level lc - 1 - i */
      nodes[Pi - 1 + (group0 >> i) + l] = h;
    }
  }
}

/*
 * Mixed-height trees (core/merkle.h): one level l with a group of k matrices. d holds the
 * group's leaf digests, matrix j's row i at d[j * cnt + i] (as ulong4), cnt = 2^l.
 *   g(i) = SHA3-256(0x02 || d_0(i) || ... || d_(k-1)(i))   1 + 32k bytes, ceil blocks
 * Work-item i < cnt writes nodes[first + i] = g(i) at the leaf level (inner == 0), else the
 * injected node SHA3-256(0x03 || left || right || g(i)) over its children 2p + 1, 2p + 2
 * (p = first + i). The group message is built a lane at a time as merkle_leaves builds a
 * row's: the tag shifts every digest word one byte off a lane boundary.
 */
__kernel void mmcs_level(__global ulong4 *nodes, ulong first, __global const ulong *d,
                         ulong cnt, uint k, uint inner) {
  const ulong i = get_global_id(0);
  if (i >= cnt) return;
  const ulong nw = 4 * (ulong)k;            /* digest words */
  const ulong len = 1 + 8 * nw;             /* message bytes */
  const ulong nblk = len / SHA3_RATE + 1;
  const ulong pad80 = nblk * SHA3_RATE - 1;
  ulong s[25];
  for (int t = 0; t < 25; t++) s[t] = 0;
  ulong prev = (ulong)0x02 << 56; /* its top byte is the tag */
  for (ulong blk = 0; blk < nblk; blk++) {
    for (int t = 0; t < SHA3_RATE_LANES; t++) {
      const ulong L = blk * SHA3_RATE_LANES + (ulong)t;
      ulong lane;
      if (L < nw) {
        const ulong w = d[((L >> 2) * cnt + i) * 4 + (L & 3)];
        lane = (prev >> 56) | (w << 8);
        prev = w;
      } else {
        /* The tail: the last word's top byte, then the padding (no salt). */
        lane = tail_lane(L, 8 * nw, prev, (__global const uchar *)0, 0, len, pad80);
      }
      s[t] ^= lane;
    }
    keccak_f(s);
  }
  if (!inner) {
    nodes[first + i] = (ulong4)(s[0], s[1], s[2], s[3]);
    return;
  }
  const ulong p = first + i;
  const ulong4 l = nodes[2 * p + 1], rt = nodes[2 * p + 2], g = (ulong4)(s[0], s[1], s[2], s[3]);
  /* SHA3-256(0x03 || l || rt || g): 97 bytes, one block. */
  for (int t = 0; t < 25; t++) s[t] = 0;
  TAGGED_PAIR_LANES(s, 0x03UL, l, rt);
  s[8] |= g.s0 << 8;
  s[9] = (g.s0 >> 56) | (g.s1 << 8);
  s[10] = (g.s1 >> 56) | (g.s2 << 8);
  s[11] = (g.s2 >> 56) | (g.s3 << 8);
  s[12] = (g.s3 >> 56) | (0x06UL << 8);
  s[SHA3_RATE_LANES - 1] = 0x80UL << 56;
  keccak_f(s);
  nodes[p] = (ulong4)(s[0], s[1], s[2], s[3]);
}
