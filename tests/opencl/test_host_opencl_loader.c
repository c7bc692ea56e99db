/*
 * The OpenCL ICD loader loaded at run time (host/opencl_loader.c): a file that is absent,
 * not a library, or a library without OpenCL's entry points is refused with an error that
 * names every file tried and why; the copy bundled with the build (<build>/lib/starkml)
 * loads and has every entry point; the process-wide load finds a loader and says which.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/backends.h"
#include "host/opencl_loader.h"
#include "tests/sm_test.h"

#define BUNDLED STARKML_BINARY_DIR "/lib/starkml/libOpenCL.so.1"

/* Files that cannot serve: each is named in the error, with its reason. */
static void bad_paths_listed(void **state) {
  (void)state;
  const char *absent = STARKML_BINARY_DIR "/no-such-dir/libOpenCL.so.1";
  const char *not_lib = STARKML_SOURCE_DIR "/CMakeLists.txt";
  const char *cand[] = {absent, not_lib, "libm.so.6"};
  sm_ocl_api api;
  char path[256] = "untouched", why[2048] = "";
  assert_int_equal(sm_ocl_load_from(cand, 3, &api, path, sizeof path, why, sizeof why),
                   STARKML_ERR_BACKEND);
  printf("%s\n", why);
  assert_string_equal(path, "untouched");
  assert_true(strncmp(why, "no OpenCL ICD loader: tried ", 28) == 0);
  char want[1024];
  snprintf(want, sizeof want, "%s (No such file or directory)", absent);
  assert_non_null(strstr(why, want));
  assert_non_null(strstr(why, not_lib));
  assert_non_null(strstr(why, "libm.so.6 (it has no cl"));
  assert_non_null(strstr(why, "STARKML_OPENCL_LIBRARY"));
  /* No candidate at all is the same error, not a crash. */
  assert_int_equal(sm_ocl_load_from(cand, 0, &api, NULL, 0, why, sizeof why),
                   STARKML_ERR_BACKEND);
  assert_non_null(strstr(why, "tried nothing"));
}

/* The bundled copy loads after a bad candidate, and is the file reported. */
static void bundled_copy_loads(void **state) {
  (void)state;
  const char *cand[] = {STARKML_BINARY_DIR "/no-such-dir/libOpenCL.so.1", BUNDLED};
  sm_ocl_api api;
  memset(&api, 0, sizeof api);
  char path[1024] = "", why[1024] = "";
  starkml_status s = sm_ocl_load_from(cand, 2, &api, path, sizeof path, why, sizeof why);
  if (s != STARKML_OK) fail_msg("%s", why);
  assert_string_equal(path, BUNDLED);
  assert_non_null(api.GetPlatformIDs);
  assert_non_null(api.SetKernelArg);
}

/* The process's one load finds a loader (the system's or the bundled copy) and names it. */
static void process_load(void **state) {
  (void)state;
  char why[1024] = "";
  starkml_status s = sm_ocl_load(why, sizeof why);
  if (s != STARKML_OK) fail_msg("%s", why);
  const char *file = sm_opencl_loader();
  assert_non_null(file);
  printf("loaded %s\n", file);
  assert_non_null(strstr(file, "libOpenCL"));
  assert_non_null(sm_cl.GetPlatformIDs);
}

SM_TEST_MAIN(cmocka_unit_test(bad_paths_listed), cmocka_unit_test(bundled_copy_loads),
             cmocka_unit_test(process_load))
