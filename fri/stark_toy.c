#include "fri/stark_toy.h"

#include <string.h>

void sm_stark_toy_wire(sm_stark_toy *f) {
  for (size_t t = 0; t < f->toy.n_tables; t++) {
    f->tables[t] = f->toy.t[t].table;
    f->publics[t] = f->toy.t[t].publics;
    f->main[t] = f->toy.t[t].main;
    f->pre[t] = f->toy.t[t].pre;
  }
  f->st.n_tables = f->toy.n_tables;
  f->st.tables = f->tables;
  f->st.publics = f->publics;
  f->st.pre_root = &f->pre_root;
  f->w.main = f->main;
  f->w.pre = f->pre;
}

void sm_stark_toy_free(sm_stark_toy *f) {
  if (f == NULL) return;
  sm_air_toy_free(&f->toy);
  memset(f, 0, sizeof *f);
}
