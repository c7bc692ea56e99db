/*
 * Shared harness for the unit tests (cmocka).
 *
 * Every test program ends with SM_TEST_MAIN(cmocka_unit_test(a), cmocka_unit_test(b), ...).
 * tests/CMakeLists.txt reads those names from the source and registers one CTest entry
 * per case ("<module>_<unit>.<case>"), which runs the program with the case name. A case
 * name ending in `_slow` gets the `slow` label (kept out of the default run).
 * A name that matches no case is an error, never a silent pass.
 *
 * Randomized tests draw from sm_test_rng(), seeded from STARKML_TEST_SEED or the clock;
 * the seed is printed so that any failure can be replayed.
 */
#ifndef STARKML_TESTS_SM_TEST_H
#define STARKML_TESTS_SM_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define SM_TEST_SKIP 77 /* exit code CTest reports as "skipped" */

/* The run's seed (printed on first use). */
uint64_t sm_test_seed(void);

/* splitmix64 step: a fresh 64-bit value from *state. */
static inline uint64_t sm_test_next(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int sm_test_run(const char *group, const struct CMUnitTest *tests, size_t n, int argc,
                char **argv);

#define SM_TEST_MAIN(...)                                                       \
  int main(int argc, char **argv) {                                             \
    static const struct CMUnitTest sm_tests_[] = {__VA_ARGS__};                 \
    return sm_test_run(__FILE__, sm_tests_, sizeof sm_tests_ / sizeof sm_tests_[0], \
                       argc, argv);                                             \
  }

#endif
