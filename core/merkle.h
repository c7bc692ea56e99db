/*
 * Merkle trees over the rows of a column-major matrix of Goldilocks elements.
 *
 * Encoding (fixed; vectors/core/merkle.json pins it):
 *   leaf(r) = SHA3-256( 0x00 || LE64(m[0][r]) || ... || LE64(m[w-1][r]) || salt_r )
 *   node    = SHA3-256( 0x01 || left || right )
 * where m[c][r] is column c, row r, every element canonical, and salt_r is the row's
 * salt (salt_len bytes, nothing when salt_len = 0). The prefix bytes separate leaves
 * from nodes, so no leaf can pose as a node (second-preimage across levels). The row
 * width and salt length are fixed by the statement, so the leaf encoding is injective.
 *
 * Shape: n = 2^k rows (k >= 0); the root of one row is its leaf digest. Inclusion paths
 * list k sibling digests from the leaf level up.
 *
 * Invariants of sm_merkle_tree: nodes has 2n - 1 digests in heap order: nodes[0] is the
 * root, the children of node i are 2i + 1 and 2i + 2, and leaf r is nodes[n - 1 + r].
 * A tree that a backend keeps on its device (dev set; core/backend.h,
 * sm_be_merkle_commit_mat) has every node there; on the host, nodes then holds levels
 * 0..top_h (the root and the cap) and the path nodes fetched since
 * (sm_be_merkle_fetch_paths), and zeros everywhere else.
 */
#ifndef STARKML_CORE_MERKLE_H
#define STARKML_CORE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/field.h"
#include "starkml.h"

#define SM_DIGEST_LEN 32
#define SM_MERKLE_LEAF_TAG 0x00
#define SM_MERKLE_NODE_TAG 0x01

typedef struct {
  uint8_t b[SM_DIGEST_LEN];
} sm_digest;

typedef struct {
  size_t n_leaves;   /* power of two */
  unsigned log_n;    /* log2(n_leaves) */
  sm_digest *nodes;  /* 2 * n_leaves - 1 digests, heap order */
  void *dev;         /* the backend's copy of the nodes, owned by it (NULL: nodes is whole) */
  unsigned top_h;    /* with dev: levels 0..top_h of nodes were filled at commit */
} sm_merkle_tree;

/*
 * Hashes one leaf.
 * In: row (width elements, canonical), salt (salt_len bytes; NULL when salt_len == 0).
 */
void sm_merkle_leaf(sm_digest *out, const gl_t *row, size_t width, const uint8_t *salt,
                    size_t salt_len);

/* Hashes one inner node from its two children. */
void sm_merkle_node(sm_digest *out, const sm_digest *left, const sm_digest *right);

/*
 * Commits to the rows of a column-major matrix.
 * Returns: STARKML_OK; STARKML_ERR_ARG (n_rows not a power of two, width 0, salts NULL
 *          with salt_len > 0, col_stride < n_rows, threads < 1); STARKML_ERR_NOMEM.
 * Out:  tree       the tree (zeroed on failure); free with sm_merkle_tree_free.
 * In:   m          element (c, r) at m[c * col_stride + r]
 *       salts      row r's salt at salts + r * salt_len
 *       threads    worker threads (>= 1); the result does not depend on it.
 */
starkml_status sm_merkle_commit(sm_merkle_tree *tree, const gl_t *m, size_t n_rows,
                                size_t width, size_t col_stride, const uint8_t *salts,
                                size_t salt_len, int threads);

/*
 * Frees the host nodes and zeroes the tree (NULL: no-op). A device tree (dev set) belongs
 * to its backend: release it with sm_be_merkle_tree_free (core/backend.h), which calls this.
 */
void sm_merkle_tree_free(sm_merkle_tree *tree);

static inline const sm_digest *sm_merkle_root(const sm_merkle_tree *tree) {
  return &tree->nodes[0];
}

/*
 * Writes the inclusion path of leaf `index`: tree->log_n siblings, leaf level first.
 * Returns: STARKML_OK, or STARKML_ERR_ARG when index >= n_leaves.
 */
starkml_status sm_merkle_path(const sm_merkle_tree *tree, sm_digest *path, size_t index);

/*
 * The nodes sm_merkle_path reads for the leaves rows[0..n_rows) of a tree of 2^log_n
 * leaves, up to a cap of height cap_h: the siblings at levels log_n down to cap_h + 1, as
 * heap indices, ascending and without repeats (paths that meet share them).
 * Returns: STARKML_OK; STARKML_ERR_ARG (NULL pointers with n_rows > 0, log_n > 62,
 *          cap_h > log_n, a row >= 2^log_n), with *n_out = 0.
 * Out: out     room for n_rows * (log_n - cap_h) indices
 *      n_out   how many were written
 */
starkml_status sm_merkle_path_nodes(size_t *out, size_t *n_out, unsigned log_n, unsigned cap_h,
                                    const size_t *rows, size_t n_rows);

/*
 * Checks that `leaf` sits at `index` of a tree of 2^log_n leaves with the given root.
 * Returns: STARKML_OK, STARKML_REJECT (path does not lead to root, or index >= 2^log_n),
 *          STARKML_ERR_ARG (NULL pointers, log_n > 63).
 */
starkml_status sm_merkle_verify(const sm_digest *root, unsigned log_n, size_t index,
                                const sm_digest *leaf, const sm_digest *path);

/*
 * Hashes n unsalted leaves of `width` elements each, four at a time: leaf k from
 * rows[k * width .. (k + 1) * width), as sm_merkle_leaf(out + k, rows + k * width, width,
 * NULL, 0). Returns STARKML_OK, STARKML_ERR_ARG (NULL pointers with n > 0), or
 * STARKML_ERR_NOMEM.
 */
starkml_status sm_merkle_leaves(sm_digest *out, const gl_t *rows, size_t n, size_t width);

/*
 * n inclusion checks into one tree of 2^depth leaves at once (a multi-path check): leaf k
 * has digest leaf[k], position index[k] and path path[k] (depth siblings, leaf level
 * first). Every distinct node on the paths is hashed once, four at a time, so paths that
 * meet cost one hash above the meeting point. Positions may repeat.
 * Returns 1 exactly when every one of the n checks would pass sm_merkle_verify on its own:
 * besides reaching the root, two leaves at one position must have one digest, and every
 * sibling a path supplies must equal the node the batch computed there (or the one
 * another path supplies for it). Returns 0 otherwise, and on allocation failure or bad
 * arguments (NULL pointers, depth > 63): the caller then checks the paths one by one to
 * learn which fails, so 0 never decides a verdict by itself.
 */
int sm_merkle_verify_batch(const sm_digest *root, unsigned depth, size_t n, const size_t *index,
                           const sm_digest *leaf, const sm_digest *const *path);

/*
 * Merkle caps. The cap of height c (0 <= c <= log_n) is the 2^c nodes of level c, left to
 * right: nodes[2^c - 1 .. 2^(c+1) - 1) of a tree. A proof that sends a tree's cap once lets
 * every inclusion path stop at level c: leaf r sits below cap node r >> (log_n - c), at
 * position r & (2^(log_n - c) - 1) of that node's subtree, so sm_merkle_verify with that
 * cap node as the root and log_n - c levels checks it. Height 0 is the root alone.
 */
static inline const sm_digest *sm_merkle_cap(const sm_merkle_tree *tree, unsigned height) {
  return &tree->nodes[((size_t)1 << height) - 1];
}

/*
 * The root above a cap of height `height` (2^height digests, left to right).
 * Returns: STARKML_OK, or STARKML_ERR_ARG (NULL pointers, height > 30), STARKML_ERR_NOMEM.
 */
starkml_status sm_merkle_cap_root(sm_digest *root, const sm_digest *cap, unsigned height);


/*
 * Mixed-height trees (protocol v4, docs/stark-protocol.md section 3): one tree over the
 * rows of several matrices whose heights are powers of two, so that a query opens one path
 * for all of them. With L the largest log height, d_t(r) the leaf digest of row r of matrix
 * t (sm_merkle_leaf, salted), and for a level l the group G_l of the matrices of 2^l rows
 * (in the order given):
 *   g_l(i)   = SHA3-256( 0x02 || d_t1(i) || ... || d_tk(i) )          t1 < ... < tk in G_l
 *   node_L(i) = g_L(i)
 *   node_l(i) = SHA3-256( 0x01 || node_l+1(2i) || node_l+1(2i+1) )                 G_l empty
 *   node_l(i) = SHA3-256( 0x03 || node_l+1(2i) || node_l+1(2i+1) || g_l(i) )   otherwise
 * The tags separate every kind of input, and each length is fixed by the statement. The
 * tree is an sm_merkle_tree of 2^L leaves (nodes in heap order, as above), so paths, caps
 * and device trees work as for one matrix: the path of position i at level L checks every
 * matrix t at row i >> (L - log rows_t). A cap may not sit above a group (cap height <=
 * the smallest log height), or the verifier could not hash it up without the group rows.
 */
#define SM_MERKLE_GROUP_TAG 0x02
#define SM_MERKLE_INJECT_TAG 0x03
#define SM_MMCS_MAX_MATS 64

/* One matrix of a mixed-height tree: element (c, r) at m[c * col_stride + r]. */
typedef struct {
  const gl_t *m;
  size_t n_rows, width, col_stride;
  const uint8_t *salts; /* row r's salt at salts + r * salt_len (NULL when salt_len is 0) */
} sm_mmcs_mat;

/* g = SHA3-256(0x02 || leaves[0] || ... || leaves[k - 1]), k >= 1. */
void sm_mmcs_group(sm_digest *out, const sm_digest *leaves, size_t k);

/* SHA3-256(0x03 || left || right || g). out may alias any input. */
void sm_mmcs_inject(sm_digest *out, const sm_digest *left, const sm_digest *right,
                    const sm_digest *g);

/*
 * Commits to the rows of n matrices in one mixed-height tree.
 * Returns: STARKML_OK; STARKML_ERR_ARG (n == 0 or > SM_MMCS_MAX_MATS, a matrix as
 *          sm_merkle_commit refuses it); STARKML_ERR_NOMEM.
 * Out: tree  2^L leaves, every node (zeroed on failure; free with sm_merkle_tree_free).
 */
starkml_status sm_mmcs_commit(sm_merkle_tree *tree, const sm_mmcs_mat *mats, size_t n,
                              size_t salt_len, int threads);

/*
 * Four inclusion checks into one mixed-height tree at once (4-way Keccak). The tree's
 * matrices have 2^log_rows[t] rows and width[t] columns (t < n, the commit's order;
 * L = the largest log_rows, cap_h <= the smallest). Check k opens position index[k] at
 * level L: row[k * n + t] holds the values of matrix t at row index[k] >> (L - log_rows[t]),
 * salt[k * n + t] its salt (unread when salt_len is 0), path[k] the L - cap_h siblings
 * from level L up, and cap[k] the cap node it must reach (position index[k] >> (L - cap_h)
 * of level cap_h). Returns a mask: bit k set when check k holds (index[k] < 2^L and the
 * hashes reach cap[k]). Callers with fewer than four checks repeat one. Returns 0 on bad
 * arguments (n == 0 or > SM_MMCS_MAX_MATS, cap_h or a log_rows out of range).
 */
unsigned sm_mmcs_verify_x4(const sm_digest *const cap[4], unsigned cap_h, const size_t index[4],
                           size_t n, const unsigned *log_rows, const size_t *width,
                           const gl_t *const *row, const uint8_t *const *salt, size_t salt_len,
                           const sm_digest *const path[4]);

#endif
