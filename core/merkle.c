/*
 * Merkle commitment over the rows of a column-major matrix (encoding and layout in
 * merkle.h).
 *
 * Commit works in blocks of rows. A thread gathers one block: it reads each column's
 * slice of the block contiguously (so the column-major matrix is streamed, never walked
 * with a stride of a whole column per element) and scatters it into the block's row
 * buffers, which stay in L1/L2. It then hashes the block's leaves and, because a block
 * is 2^j aligned rows, the whole subtree above them, while those digests are still in
 * cache. The few levels above the block roots are hashed level by level afterwards.
 * Leaves and nodes all have one length per tree, so they are hashed four at a time
 * (sm_sha3_256_x4), which on AVX2 more than doubles the hashing rate.
 * Every digest depends only on its inputs, so the tree is the same for any thread count
 * and any schedule.
 */
#include "core/merkle.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha3.h"

/* A block's row buffers are sized to stay within about this many bytes (L1/L2-resident). */
#define MERKLE_BLOCK_BYTES ((size_t)64 * 1024)
/* Rows per block at most: enough to amortise the per-column loop over a block. */
#define MERKLE_BLOCK_ROWS_MAX ((size_t)256)
/* Levels with fewer nodes than this are hashed by one thread: a fork costs more. */
#define MERKLE_PARALLEL_MIN_NODES ((size_t)256)

static inline void store64_le(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  memcpy(p, &v, sizeof v);
#else
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
#endif
}

void sm_merkle_leaf(sm_digest *out, const gl_t *row, size_t width, const uint8_t *salt,
                    size_t salt_len) {
  /* The row is encoded in chunks through a small stack buffer, so any width works
   * without allocating. */
  enum { CHUNK = 32 };
  uint8_t buf[8 * CHUNK];
  const uint8_t tag = SM_MERKLE_LEAF_TAG;
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, &tag, 1);
  for (size_t i = 0; i < width; i += CHUNK) {
    size_t k = width - i < CHUNK ? width - i : CHUNK;
    for (size_t j = 0; j < k; j++) store64_le(buf + 8 * j, row[i + j]);
    sm_sha3_256_update(&c, buf, 8 * k);
  }
  if (salt_len > 0) sm_sha3_256_update(&c, salt, salt_len);
  sm_sha3_256_final(&c, out->b);
}

void sm_merkle_node(sm_digest *out, const sm_digest *left, const sm_digest *right) {
  /* Both children are copied before `out` is written, so out may alias either. */
  uint8_t buf[1 + 2 * SM_DIGEST_LEN];
  buf[0] = SM_MERKLE_NODE_TAG;
  memcpy(buf + 1, left->b, SM_DIGEST_LEN);
  memcpy(buf + 1 + SM_DIGEST_LEN, right->b, SM_DIGEST_LEN);
  sm_sha3_256(out->b, buf, sizeof buf);
}

/*
 * Hashes nodes[first .. first + count) from their children (heap order), four at a time
 * where it can. The children 2p + 1 and 2p + 2 of node p are adjacent, so one copy
 * places both after the tag.
 */
static void hash_nodes(sm_digest *nodes, size_t first, size_t count) {
  size_t p = first;
  for (; p + 4 <= first + count; p += 4) {
    uint8_t buf[4][1 + 2 * SM_DIGEST_LEN];
    uint8_t *out[4];
    const uint8_t *in[4];
    for (int j = 0; j < 4; j++) {
      buf[j][0] = SM_MERKLE_NODE_TAG;
      memcpy(buf[j] + 1, (const uint8_t *)(nodes + 2 * (p + (size_t)j) + 1), 2 * SM_DIGEST_LEN);
      out[j] = nodes[p + (size_t)j].b;
      in[j] = buf[j];
    }
    sm_sha3_256_x4(out, in, sizeof buf[0]);
  }
  for (; p < first + count; p++) sm_merkle_node(&nodes[p], &nodes[2 * p + 1], &nodes[2 * p + 2]);
}

/* Hashes `count` encoded rows of row_len bytes each, laid out back to back in buf, into
 * out[0 .. count), four at a time where it can (all rows have one length). */
static void hash_rows(sm_digest *out, const uint8_t *buf, size_t count, size_t row_len) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    uint8_t *o[4] = {out[i].b, out[i + 1].b, out[i + 2].b, out[i + 3].b};
    const uint8_t *in[4] = {buf + i * row_len, buf + (i + 1) * row_len, buf + (i + 2) * row_len,
                            buf + (i + 3) * row_len};
    sm_sha3_256_x4(o, in, row_len);
  }
  for (; i < count; i++) sm_sha3_256(out[i].b, buf + i * row_len, row_len);
}

/*
 * Encodes rows r0 .. r0 + count of a column-major matrix into count leaf messages of
 * row_len = 1 + 8 width + salt_len bytes in buf (tag bytes already there). Each column's
 * slice is read contiguously.
 */
static void gather_block(uint8_t *buf, const gl_t *m, size_t width, size_t col_stride,
                         const uint8_t *salts, size_t salt_len, size_t r0, size_t count) {
  const size_t row_len = 1 + 8 * width + salt_len;
  for (size_t c = 0; c < width; c++) {
    const gl_t *col = m + c * col_stride + r0;
    uint8_t *dst = buf + 1 + 8 * c;
    for (size_t i = 0; i < count; i++) store64_le(dst + i * row_len, col[i]);
  }
  if (salt_len > 0)
    for (size_t i = 0; i < count; i++)
      memcpy(buf + i * row_len + 1 + 8 * width, salts + (r0 + i) * salt_len, salt_len);
}

/* Rows per block for leaves of row_len bytes: a power of two <= n within the cache budget. */
static size_t block_rows(size_t n, size_t row_len) {
  size_t block = MERKLE_BLOCK_ROWS_MAX;
  while (block > 1 && block * row_len > MERKLE_BLOCK_BYTES) block >>= 1;
  return block > n ? n : block;
}

static unsigned log2_exact(size_t n) {
  unsigned k = 0;
  while (((size_t)1 << k) < n) k++;
  return k;
}

void sm_merkle_tree_free(sm_merkle_tree *tree) {
  if (tree == NULL) return;
  free(tree->nodes);
  memset(tree, 0, sizeof *tree);
}

starkml_status sm_merkle_commit(sm_merkle_tree *tree, const gl_t *m, size_t n_rows,
                                size_t width, size_t col_stride, const uint8_t *salts,
                                size_t salt_len, int threads) {
  if (tree == NULL) return STARKML_ERR_ARG;
  memset(tree, 0, sizeof *tree);
  if (m == NULL || n_rows == 0 || (n_rows & (n_rows - 1)) != 0 || width == 0 ||
      (salts == NULL && salt_len > 0) || threads < 1 || col_stride < n_rows)
    return STARKML_ERR_ARG;
  /* Sizes that cannot be allocated are refused before they can overflow. */
  if (salt_len > SIZE_MAX / 4 || width > (SIZE_MAX / 4 - salt_len) / 8 ||
      n_rows > SIZE_MAX / (4 * sizeof(sm_digest)))
    return STARKML_ERR_NOMEM;

  const size_t n = n_rows;
  const unsigned log_n = log2_exact(n);
  const size_t row_len = 1 + 8 * width + salt_len;
  /* Rows per block: a power of two (so a block is the leaf set of one subtree), at
   * most n, and small enough that the block's row buffers stay in cache. */
  const size_t block = block_rows(n, row_len);
  const unsigned log_block = log2_exact(block);
  const size_t n_blocks = n / block;
  if ((size_t)threads > SIZE_MAX / 2 / (block * row_len)) return STARKML_ERR_NOMEM;

  sm_digest *nodes = malloc((2 * n - 1) * sizeof *nodes);
  uint8_t *bufs = malloc((size_t)threads * block * row_len);
  if (nodes == NULL || bufs == NULL) {
    free(nodes);
    free(bufs);
    return STARKML_ERR_NOMEM;
  }

  /* Leaves and the subtree of every block. Blocks are handed out dynamically: a block is
   * tens of microseconds of hashing, and on a shared machine a thread whose core is
   * taken away would otherwise hold up the whole level. */
#pragma omp parallel num_threads(threads)
  {
    uint8_t *buf = bufs + (size_t)omp_get_thread_num() * block * row_len;
    /* The tag byte never changes, so it is written once per row buffer. */
    for (size_t i = 0; i < block; i++) buf[i * row_len] = SM_MERKLE_LEAF_TAG;
#pragma omp for schedule(dynamic, 1)
    for (size_t b = 0; b < n_blocks; b++) {
      const size_t r0 = b * block;
      gather_block(buf, m, width, col_stride, salts, salt_len, r0, block);
      hash_rows(&nodes[n - 1 + r0], buf, block, row_len);
      /* The block's nodes at level L (2^L nodes, the first at heap index 2^L - 1). */
      for (unsigned L = log_n; L-- > log_n - log_block;) {
        const size_t shift = log_n - L;
        hash_nodes(nodes, ((size_t)1 << L) - 1 + (r0 >> shift), block >> shift);
      }
    }
  }

  /* Levels above the block roots. */
  for (unsigned L = log_n - log_block; L-- > 0;) {
    const size_t first = ((size_t)1 << L) - 1, count = (size_t)1 << L;
    if (count < MERKLE_PARALLEL_MIN_NODES || threads == 1) {
      hash_nodes(nodes, first, count);
      continue;
    }
    /* count is a power of two >= MERKLE_PARALLEL_MIN_NODES, so the groups of four that
     * hash_nodes uses tile it exactly. */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t g = 0; g < count / 4; g++) hash_nodes(nodes, first + 4 * g, 4);
  }

  free(bufs);
  tree->n_leaves = n;
  tree->log_n = log_n;
  tree->nodes = nodes;
  return STARKML_OK;
}

starkml_status sm_merkle_path(const sm_merkle_tree *tree, sm_digest *path, size_t index) {
  if (tree == NULL || tree->nodes == NULL || (path == NULL && tree->log_n > 0))
    return STARKML_ERR_ARG;
  if (index >= tree->n_leaves) {
    if (tree->log_n > 0) memset(path, 0, tree->log_n * sizeof *path);
    return STARKML_ERR_ARG;
  }
  /* In heap order a left child has an odd index and its sibling follows it. */
  size_t i = tree->n_leaves - 1 + index;
  for (unsigned k = 0; k < tree->log_n; k++) {
    path[k] = tree->nodes[(i & 1) ? i + 1 : i - 1];
    i = (i - 1) / 2;
  }
  return STARKML_OK;
}

static int cmp_size(const void *a, const void *b) {
  const size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

starkml_status sm_merkle_path_nodes(size_t *out, size_t *n_out, unsigned log_n, unsigned cap_h,
                                    const size_t *rows, size_t n_rows) {
  if (n_out == NULL) return STARKML_ERR_ARG;
  *n_out = 0;
  if (log_n > 62 || cap_h > log_n || (n_rows > 0 && (out == NULL || rows == NULL)))
    return STARKML_ERR_ARG;
  const size_t n = (size_t)1 << log_n;
  for (size_t k = 0; k < n_rows; k++)
    if (rows[k] >= n) return STARKML_ERR_ARG;
  size_t len = 0;
  for (size_t k = 0; k < n_rows; k++) {
    size_t i = n - 1 + rows[k];
    for (unsigned l = log_n; l > cap_h; l--) {
      out[len++] = (i & 1) ? i + 1 : i - 1; /* as sm_merkle_path */
      i = (i - 1) / 2;
    }
  }
  if (len > 1) qsort(out, len, sizeof *out, cmp_size);
  size_t u = 0;
  for (size_t k = 0; k < len; k++)
    if (u == 0 || out[u - 1] != out[k]) out[u++] = out[k];
  *n_out = u;
  return STARKML_OK;
}

starkml_status sm_merkle_verify(const sm_digest *root, unsigned log_n, size_t index,
                                const sm_digest *leaf, const sm_digest *path) {
  if (root == NULL || leaf == NULL || (path == NULL && log_n > 0) || log_n > 63)
    return STARKML_ERR_ARG;
  /* log_n <= 63, so the shift is defined; an index outside the tree is a bad proof. */
  if ((uint64_t)index >> log_n != 0) return STARKML_REJECT;
  /* sm_merkle_node reads both children before it writes, so `cur` may be in and out. */
  sm_digest cur = *leaf;
  for (unsigned k = 0; k < log_n; k++) {
    if ((index >> k) & 1) sm_merkle_node(&cur, &path[k], &cur);
    else sm_merkle_node(&cur, &cur, &path[k]);
  }
  /* Roots are public, so a plain comparison leaks nothing. */
  return memcmp(cur.b, root->b, SM_DIGEST_LEN) == 0 ? STARKML_OK : STARKML_REJECT;
}

starkml_status sm_merkle_leaves(sm_digest *out, const gl_t *rows, size_t n, size_t width) {
  if (n == 0) return STARKML_OK;
  if (out == NULL || rows == NULL) return STARKML_ERR_ARG;
  if (width > (SIZE_MAX - 1) / 8 / n) return STARKML_ERR_NOMEM;
  const size_t len = 1 + 8 * width;
  uint8_t *buf = malloc(n * len);
  if (buf == NULL) return STARKML_ERR_NOMEM;
  for (size_t k = 0; k < n; k++) {
    uint8_t *b = buf + k * len;
    b[0] = SM_MERKLE_LEAF_TAG;
    for (size_t c = 0; c < width; c++) store64_le(b + 1 + 8 * c, rows[k * width + c]);
  }
  hash_rows(out, buf, n, len);
  free(buf);
  return STARKML_OK;
}

static int digest_eq(const sm_digest *a, const sm_digest *b) {
  return memcmp(a->b, b->b, SM_DIGEST_LEN) == 0;
}

int sm_merkle_verify_batch(const sm_digest *root, unsigned depth, size_t n, const size_t *index,
                           const sm_digest *leaf, const sm_digest *const *path) {
  if (n == 0) return 1;
  if (root == NULL || index == NULL || leaf == NULL || path == NULL || depth > 63) return 0;
  for (size_t k = 0; k < n; k++)
    if ((uint64_t)index[k] >> depth != 0 || (depth > 0 && path[k] == NULL)) return 0;
  /*
   * The distinct nodes of the current level, sorted by position: pos[], dig[]; slot[k]
   * is the node query k passes through. A level's node has its sibling among them (then
   * adjacent) or takes the sibling its queries supply, which must all agree.
   */
  size_t *ord = malloc(n * sizeof *ord), *slot = malloc(n * sizeof *slot);
  size_t *pos = malloc(n * sizeof *pos), *npos = malloc(n * sizeof *npos);
  size_t *remap = malloc(n * sizeof *remap);
  sm_digest *dig = malloc(n * sizeof *dig), *ndig = malloc(n * sizeof *ndig);
  const sm_digest **sib = malloc(n * sizeof *sib);
  uint8_t *buf = malloc(n * (1 + 2 * SM_DIGEST_LEN));
  int ok = ord && slot && pos && npos && remap && dig && ndig && sib && buf;
  if (ok) {
    for (size_t k = 0; k < n; k++) { /* insertion sort by position: n is a query count */
      size_t i = k;
      for (; i > 0 && index[ord[i - 1]] > index[k]; i--) ord[i] = ord[i - 1];
      ord[i] = k;
    }
  }
  size_t K = 0;
  for (size_t i = 0; ok && i < n; i++) {
    const size_t k = ord[i];
    if (K > 0 && pos[K - 1] == index[k]) {
      ok = digest_eq(&dig[K - 1], &leaf[k]);
    } else {
      pos[K] = index[k], dig[K] = leaf[k];
      K++;
    }
    slot[k] = K - 1;
  }
  for (unsigned l = 0; ok && l < depth; l++) {
    for (size_t s = 0; s < K; s++) sib[s] = NULL;
    for (size_t s = 0; s + 1 < K; s++)
      if ((pos[s] ^ 1) == pos[s + 1]) sib[s] = &dig[s + 1], sib[s + 1] = &dig[s];
    for (size_t k = 0; ok && k < n; k++) {
      const size_t s = slot[k];
      if (sib[s] == NULL) sib[s] = &path[k][l];
      else ok = digest_eq(sib[s], &path[k][l]);
    }
    size_t nK = 0;
    for (size_t s = 0; ok && s < K; s++) {
      uint8_t *b = buf + nK * (1 + 2 * SM_DIGEST_LEN);
      const int right = (int)(pos[s] & 1);
      b[0] = SM_MERKLE_NODE_TAG;
      memcpy(b + 1 + (right ? SM_DIGEST_LEN : 0), dig[s].b, SM_DIGEST_LEN);
      memcpy(b + 1 + (right ? 0 : SM_DIGEST_LEN), sib[s]->b, SM_DIGEST_LEN);
      remap[s] = nK;
      npos[nK] = pos[s] >> 1;
      if (!right && s + 1 < K && pos[s + 1] == (pos[s] | 1)) remap[++s] = nK;
      nK++;
    }
    if (!ok) break;
    hash_rows(ndig, buf, nK, 1 + 2 * SM_DIGEST_LEN);
    for (size_t k = 0; k < n; k++) slot[k] = remap[slot[k]];
    memcpy(pos, npos, nK * sizeof *pos);
    memcpy(dig, ndig, nK * sizeof *dig);
    K = nK;
  }
  ok = ok && K == 1 && digest_eq(&dig[0], root);
  free(ord), free(slot), free(pos), free(npos), free(remap), free(dig), free(ndig), free(sib);
  free(buf);
  return ok;
}

starkml_status sm_merkle_cap_root(sm_digest *root, const sm_digest *cap, unsigned height) {
  if (root == NULL || cap == NULL || height > 30) return STARKML_ERR_ARG;
  if (height == 0) {
    *root = cap[0];
    return STARKML_OK;
  }
  /* A heap of the top height + 1 levels: the cap at its leaf level, hashed up. */
  const size_t n = (size_t)1 << height;
  sm_digest *nodes = malloc((2 * n - 1) * sizeof *nodes);
  if (nodes == NULL) return STARKML_ERR_NOMEM;
  memcpy(nodes + n - 1, cap, n * sizeof *nodes);
  for (unsigned L = height; L-- > 0;) hash_nodes(nodes, ((size_t)1 << L) - 1, (size_t)1 << L);
  *root = nodes[0];
  free(nodes);
  return STARKML_OK;
}

/* Leaf digests of four rows of one width at once into out[k]; 0 on allocation failure. */
static int leaves_x4(sm_digest *const out[4], const gl_t *const row[4], size_t width,
                     const uint8_t *const salt[4], size_t salt_len) {
  const size_t len = 1 + 8 * width + salt_len;
  uint8_t *buf = malloc(4 * len);
  if (buf == NULL) return 0;
  uint8_t *o[4];
  const uint8_t *in[4];
  for (int k = 0; k < 4; k++) {
    uint8_t *b = buf + (size_t)k * len;
    b[0] = SM_MERKLE_LEAF_TAG;
    for (size_t c = 0; c < width; c++) store64_le(b + 1 + 8 * c, row[k][c]);
    if (salt_len > 0) memcpy(b + 1 + 8 * width, salt[k], salt_len);
    o[k] = out[k]->b;
    in[k] = b;
  }
  sm_sha3_256_x4(o, in, len);
  free(buf);
  return 1;
}

/* ---- mixed-height trees ---------------------------------------------------------------- */

void sm_mmcs_group(sm_digest *out, const sm_digest *leaves, size_t k) {
  const uint8_t tag = SM_MERKLE_GROUP_TAG;
  sm_sha3_ctx c;
  sm_sha3_256_init(&c);
  sm_sha3_256_update(&c, &tag, 1);
  sm_sha3_256_update(&c, leaves, k * SM_DIGEST_LEN);
  sm_sha3_256_final(&c, out->b);
}

void sm_mmcs_inject(sm_digest *out, const sm_digest *left, const sm_digest *right,
                    const sm_digest *g) {
  uint8_t buf[1 + 3 * SM_DIGEST_LEN];
  buf[0] = SM_MERKLE_INJECT_TAG;
  memcpy(buf + 1, left->b, SM_DIGEST_LEN);
  memcpy(buf + 1 + SM_DIGEST_LEN, right->b, SM_DIGEST_LEN);
  memcpy(buf + 1 + 2 * SM_DIGEST_LEN, g->b, SM_DIGEST_LEN);
  sm_sha3_256(out->b, buf, sizeof buf);
}

/* The leaf digest of every row of one matrix into out[0 .. n_rows), block by block. */
static starkml_status matrix_leaves(sm_digest *out, const sm_mmcs_mat *a, size_t salt_len,
                                    int threads) {
  const size_t n = a->n_rows, row_len = 1 + 8 * a->width + salt_len;
  const size_t block = block_rows(n, row_len), n_blocks = n / block;
  uint8_t *bufs = malloc((size_t)threads * block * row_len);
  if (bufs == NULL) return STARKML_ERR_NOMEM;
#pragma omp parallel num_threads(threads)
  {
    uint8_t *buf = bufs + (size_t)omp_get_thread_num() * block * row_len;
    for (size_t i = 0; i < block; i++) buf[i * row_len] = SM_MERKLE_LEAF_TAG;
#pragma omp for schedule(dynamic, 1)
    for (size_t b = 0; b < n_blocks; b++) {
      gather_block(buf, a->m, a->width, a->col_stride, a->salts, salt_len, b * block, block);
      hash_rows(out + b * block, buf, block, row_len);
    }
  }
  free(bufs);
  return STARKML_OK;
}

/* Positions per chunk of the group and injection passes. */
#define MMCS_CHUNK ((size_t)256)

/*
 * Level l of a mixed-height tree (count = 2^l positions, the first node at heap index
 * first): node i = g(i) when l is the leaf level (inner == 0), else the injected node over
 * children 2p + 1, 2p + 2 (p = first + i), with g(i) = sm_mmcs_group of d[0][i] .. d[k-1][i].
 */
static starkml_status group_level(sm_digest *nodes, size_t first, size_t count, int inner,
                                  const sm_digest *const *d, size_t k, int threads) {
  const size_t glen = 1 + k * SM_DIGEST_LEN, ilen = 1 + 3 * SM_DIGEST_LEN;
  const size_t chunk = count < MMCS_CHUNK ? count : MMCS_CHUNK;
  const size_t n_chunks = count / chunk;
  const int nt = count >= MERKLE_PARALLEL_MIN_NODES ? threads : 1;
  uint8_t *bufs = malloc((size_t)nt * chunk * (glen + ilen + SM_DIGEST_LEN));
  if (bufs == NULL) return STARKML_ERR_NOMEM;
#pragma omp parallel num_threads(nt)
  {
    uint8_t *gb = bufs + (size_t)omp_get_thread_num() * chunk * (glen + ilen + SM_DIGEST_LEN);
    uint8_t *ib = gb + chunk * glen;
    sm_digest *g = (sm_digest *)(void *)(ib + chunk * ilen);
#pragma omp for schedule(dynamic, 1)
    for (size_t c = 0; c < n_chunks; c++) {
      const size_t i0 = c * chunk;
      for (size_t i = 0; i < chunk; i++) {
        uint8_t *b = gb + i * glen;
        b[0] = SM_MERKLE_GROUP_TAG;
        for (size_t j = 0; j < k; j++)
          memcpy(b + 1 + j * SM_DIGEST_LEN, d[j][i0 + i].b, SM_DIGEST_LEN);
      }
      if (!inner) {
        hash_rows(nodes + first + i0, gb, chunk, glen);
        continue;
      }
      hash_rows(g, gb, chunk, glen);
      for (size_t i = 0; i < chunk; i++) {
        const size_t p = first + i0 + i;
        uint8_t *b = ib + i * ilen;
        b[0] = SM_MERKLE_INJECT_TAG;
        memcpy(b + 1, nodes[2 * p + 1].b, 2 * SM_DIGEST_LEN); /* the children are adjacent */
        memcpy(b + 1 + 2 * SM_DIGEST_LEN, g[i].b, SM_DIGEST_LEN);
      }
      hash_rows(nodes + first + i0, ib, chunk, ilen);
    }
  }
  free(bufs);
  return STARKML_OK;
}

starkml_status sm_mmcs_commit(sm_merkle_tree *tree, const sm_mmcs_mat *mats, size_t n,
                              size_t salt_len, int threads) {
  if (tree == NULL) return STARKML_ERR_ARG;
  memset(tree, 0, sizeof *tree);
  if (mats == NULL || n == 0 || n > SM_MMCS_MAX_MATS || threads < 1) return STARKML_ERR_ARG;
  unsigned L = 0;
  for (size_t t = 0; t < n; t++) {
    const sm_mmcs_mat *a = &mats[t];
    if (a->m == NULL || a->n_rows == 0 || (a->n_rows & (a->n_rows - 1)) != 0 || a->width == 0 ||
        (a->salts == NULL && salt_len > 0) || a->col_stride < a->n_rows)
      return STARKML_ERR_ARG;
    if (salt_len > SIZE_MAX / 4 || a->width > (SIZE_MAX / 4 - salt_len) / 8 ||
        a->n_rows > SIZE_MAX / (4 * sizeof(sm_digest)) ||
        (size_t)threads > SIZE_MAX / 4 / (MERKLE_BLOCK_ROWS_MAX * (1 + 8 * a->width + salt_len)))
      return STARKML_ERR_NOMEM;
    const unsigned l = log2_exact(a->n_rows);
    if (l > L) L = l;
  }
  const size_t N = (size_t)1 << L;
  sm_digest *nodes = malloc((2 * N - 1) * sizeof *nodes);
  sm_digest *leaves[SM_MMCS_MAX_MATS] = {NULL};
  starkml_status s = nodes == NULL ? STARKML_ERR_NOMEM : STARKML_OK;
  for (size_t t = 0; t < n && s == STARKML_OK; t++) {
    leaves[t] = malloc(mats[t].n_rows * sizeof(sm_digest));
    s = leaves[t] == NULL ? STARKML_ERR_NOMEM
                          : matrix_leaves(leaves[t], &mats[t], salt_len, threads);
  }
  for (unsigned l = L; s == STARKML_OK; l--) {
    const sm_digest *group[SM_MMCS_MAX_MATS];
    size_t k = 0;
    for (size_t t = 0; t < n; t++)
      if (mats[t].n_rows == (size_t)1 << l) group[k++] = leaves[t];
    const size_t first = ((size_t)1 << l) - 1, count = (size_t)1 << l;
    if (k > 0) {
      s = group_level(nodes, first, count, l < L, group, k, threads);
    } else if (count < MERKLE_PARALLEL_MIN_NODES || threads == 1) {
      hash_nodes(nodes, first, count);
    } else {
#pragma omp parallel for num_threads(threads) schedule(static)
      for (size_t g = 0; g < count / 4; g++) hash_nodes(nodes, first + 4 * g, 4);
    }
    if (l == 0) break;
  }
  for (size_t t = 0; t < n; t++) free(leaves[t]);
  if (s != STARKML_OK) {
    free(nodes);
    return s;
  }
  tree->n_leaves = N;
  tree->log_n = L;
  tree->nodes = nodes;
  return STARKML_OK;
}

unsigned sm_mmcs_verify_x4(const sm_digest *const cap[4], unsigned cap_h, const size_t index[4],
                           size_t n, const unsigned *log_rows, const size_t *width,
                           const gl_t *const *row, const uint8_t *const *salt, size_t salt_len,
                           const sm_digest *const path[4]) {
  if (n == 0 || n > SM_MMCS_MAX_MATS) return 0;
  unsigned L = 0, lmin = 63;
  for (size_t t = 0; t < n; t++) {
    if (log_rows[t] > 63) return 0;
    if (log_rows[t] > L) L = log_rows[t];
    if (log_rows[t] < lmin) lmin = log_rows[t];
  }
  if (cap_h > lmin) return 0;
  static const uint8_t no_salt[1];
  sm_digest d[4][SM_MMCS_MAX_MATS];
  for (size_t t = 0; t < n; t++) {
    sm_digest *out[4] = {&d[0][t], &d[1][t], &d[2][t], &d[3][t]};
    const gl_t *r[4];
    const uint8_t *sl[4];
    for (int k = 0; k < 4; k++)
      r[k] = row[(size_t)k * n + t], sl[k] = salt_len > 0 ? salt[(size_t)k * n + t] : no_salt;
    if (!leaves_x4(out, r, width[t], sl, salt_len)) return 0;
  }
  /* Walk up from level L to cap_h; msg[k] holds the message of check k at each step. */
  uint8_t msg[4][1 + SM_MMCS_MAX_MATS * SM_DIGEST_LEN];
  sm_digest cur[4], g[4];
  uint8_t *o[4];
  const uint8_t *in[4];
  for (unsigned l = L;; l--) {
    size_t k_g = 0;
    for (int k = 0; k < 4; k++) msg[k][0] = SM_MERKLE_GROUP_TAG, in[k] = msg[k], o[k] = g[k].b;
    for (size_t t = 0; t < n; t++)
      if (log_rows[t] == l) {
        for (int k = 0; k < 4; k++)
          memcpy(msg[k] + 1 + k_g * SM_DIGEST_LEN, d[k][t].b, SM_DIGEST_LEN);
        k_g++;
      }
    if (k_g > 0) sm_sha3_256_x4(o, in, 1 + k_g * SM_DIGEST_LEN);
    if (l == L) {
      memcpy(cur, g, sizeof cur);
    } else {
      /* The child at level l + 1 is position index >> (L - l - 1); its sibling is the
         path's entry L - l - 1. */
      const unsigned sh = L - l - 1;
      for (int k = 0; k < 4; k++) {
        const int right = (int)((index[k] >> sh) & 1);
        msg[k][0] = k_g > 0 ? SM_MERKLE_INJECT_TAG : SM_MERKLE_NODE_TAG;
        memcpy(msg[k] + 1 + (right ? SM_DIGEST_LEN : 0), cur[k].b, SM_DIGEST_LEN);
        memcpy(msg[k] + 1 + (right ? 0 : SM_DIGEST_LEN), path[k][sh].b, SM_DIGEST_LEN);
        if (k_g > 0) memcpy(msg[k] + 1 + 2 * SM_DIGEST_LEN, g[k].b, SM_DIGEST_LEN);
        o[k] = cur[k].b;
      }
      sm_sha3_256_x4(o, in, 1 + (k_g > 0 ? 3 : 2) * SM_DIGEST_LEN);
    }
    if (l == cap_h) break;
  }
  unsigned ok = 0;
  for (int k = 0; k < 4; k++)
    if ((uint64_t)index[k] >> L == 0 && memcmp(cur[k].b, cap[k]->b, SM_DIGEST_LEN) == 0)
      ok |= 1u << k;
  return ok;
}
