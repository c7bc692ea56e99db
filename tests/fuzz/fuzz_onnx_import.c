/*
 * libFuzzer target: the input is an ONNX file (air/onnx_import.c). Import must never
 * crash, leak or hit undefined behaviour, and fails only with STARKML_ERR_PARSE (or
 * _NOMEM under the decoder's memory budget) and a message. A graph it accepts must pass
 * sm_graph_validate and run in the float executor on an all-zero input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      fprintf(stderr, "fuzz_onnx_import: " __VA_ARGS__);  \
      fputc('\n', stderr);                                 \
      abort();                                             \
    }                                                      \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sm_graph g;
  char why[256];
  starkml_status st = sm_graph_from_onnx(&g, why, sizeof why, data, size);
  if (st != STARKML_OK) {
    CHECK(st == STARKML_ERR_PARSE || st == STARKML_ERR_NOMEM, "status %d", (int)st);
    CHECK(why[0] != 0, "a refusal without a message");
    return 0;
  }
  CHECK(sm_graph_validate(&g, why, sizeof why) == STARKML_OK, "accepted graph invalid: %s", why);
  size_t in_n = g.tensors[g.input].numel, out_n = g.tensors[g.output].numel;
  /* Keep each run cheap: large graphs are valid but slow to execute. A node's work is at
     most its output size times its largest input (a conv or matmul); bound the sum. */
  double work = 0;
  for (size_t k = 0; k < g.n_nodes; k++) {
    size_t widest = 1;
    for (uint32_t j = 0; j < g.nodes[k].n_in; j++)
      if (g.tensors[g.nodes[k].in[j]].numel > widest) widest = g.tensors[g.nodes[k].in[j]].numel;
    work += (double)g.tensors[g.nodes[k].out].numel * (double)widest;
  }
  if (work <= (double)(1u << 26)) {
    float *in = calloc(in_n, sizeof *in), *out = calloc(out_n, sizeof *out);
    CHECK(in != NULL && out != NULL, "out of memory");
    st = sm_graph_run_float(&g, NULL, out, out_n, in, in_n);
    CHECK(st == STARKML_OK || st == STARKML_ERR_NOMEM, "executor status %d", (int)st);
    free(in);
    free(out);
  }
  sm_graph_free(&g);
  return 0;
}
