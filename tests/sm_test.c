#include "tests/sm_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t sm_test_seed(void) {
  static int have;
  static uint64_t seed;
  if (!have) {
    const char *env = getenv("STARKML_TEST_SEED");
    if (env != NULL && *env != '\0') {
      seed = strtoull(env, NULL, 0);
    } else {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      seed = ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^
             ((uint64_t)getpid() << 32);
    }
    have = 1;
    printf("seed: %llu (set STARKML_TEST_SEED=%llu to replay)\n", (unsigned long long)seed,
           (unsigned long long)seed);
  }
  return seed;
}

int sm_test_run(const char *group, const struct CMUnitTest *tests, size_t n, int argc,
                char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [CASE]\n", argv[0]);
    return 2;
  }
  if (argc == 2) {
    if (strcmp(argv[1], "--list") == 0) {
      for (size_t i = 0; i < n; i++) printf("%s\n", tests[i].name);
      return 0;
    }
    for (size_t i = 0; i < n; i++) {
      if (strcmp(tests[i].name, argv[1]) == 0) {
        return _cmocka_run_group_tests(group, &tests[i], 1, NULL, NULL) == 0 ? 0 : 1;
      }
    }
    fprintf(stderr, "%s: no test case named '%s' (try --list)\n", argv[0], argv[1]);
    return 2;
  }
  return _cmocka_run_group_tests(group, tests, n, NULL, NULL) == 0 ? 0 : 1;
}
