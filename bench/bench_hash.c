#include "bench/bench.h"
void bench_hash(bench_cfg *cfg) { (void)cfg; }
