# The OpenCL backend's tests (label `opencl`), included by cmake/opencl.cmake at the end of
# the top-level directory (they need sm_test from tests/ and the CLI from host/, and a
# deferred call may not add a subdirectory, hence an included file with explicit paths).
#
#  - backend_opencl.CASE: tests/opencl/test_backend_opencl.c, every op of the backend
#    against the CPU reference on random inputs, the program cache and the error paths;
#    exit 77 (skipped) when the host has no OpenCL platform.
#  - vectors.stark_regenerate_opencl / vectors.zkml_regenerate_opencl: the golden proofs of
#    vectors/stark and vectors/zkml made with `--backend opencl` (STARKML_BACKEND=opencl),
#    equal to the committed CPU proofs byte for byte (also `nightly`).
#  - cli.devices_opencl: `starkml devices` lists an OpenCL device.
#  - host_opencl_loader.CASE: tests/opencl/test_host_opencl_loader.c, the ICD loader loaded
#    at run time (host/opencl_loader.c): its errors and the bundled copy.
#  - cli.opencl_not_linked: the `starkml` binary does not link libOpenCL (readelf -d).
#  - cli.devices_bundled_loader: with STARKML_OPENCL_LIBRARY set to the bundled copy
#    (<build>/lib/starkml/libOpenCL.so.1), `starkml devices` lists the device(s) through it
#    and names it.
#
# Environment of every test: PoCL's kernel cache (POCL_CACHE_DIR) and starkml's program
# cache (XDG_CACHE_HOME/starkml) go into the build tree, never into $HOME; under the
# sanitizers, LSan reads tests/opencl/lsan.supp (leaks inside PoCL/LLVM, see that file).
set(ocl_src ${PROJECT_SOURCE_DIR}/tests/opencl)
set(ocl_bin ${PROJECT_BINARY_DIR}/tests/opencl)
# scripts/test.sh points the normal and the sanitizer build at one cache, so kernels built
# by PoCL in the first run are not built again in the second (the program cache is keyed by
# device and source, not by the host build).
set(STARKML_OCL_TEST_CACHE ${ocl_bin}/cache CACHE PATH
  "Kernel caches (PoCL's and starkml's) of the opencl tests")
set(ocl_cache ${STARKML_OCL_TEST_CACHE})
file(MAKE_DIRECTORY ${ocl_cache}/pocl)
set(ocl_env
  POCL_CACHE_DIR=${ocl_cache}/pocl
  XDG_CACHE_HOME=${ocl_cache}
  LSAN_OPTIONS=suppressions=${ocl_src}/lsan.supp:print_suppressions=0)

find_program(BASH_PROGRAM bash REQUIRED)
set(src ${ocl_src}/test_backend_opencl.c)
add_executable(test_backend_opencl ${src})
target_link_libraries(test_backend_opencl PRIVATE starkml sm_test starkml_flags OpenCL::OpenCL)
target_compile_definitions(test_backend_opencl PRIVATE CL_TARGET_OPENCL_VERSION=120)
sm_add_cmocka_cases(PROG test_backend_opencl SRC ${src} GROUP backend_opencl LABEL opencl
  ENVIRONMENT ${ocl_env})
add_dependencies(test_backend_opencl starkml-cli)

set(src ${ocl_src}/test_host_opencl_loader.c)
add_executable(test_host_opencl_loader ${src})
target_link_libraries(test_host_opencl_loader PRIVATE starkml sm_test starkml_flags)
target_include_directories(test_host_opencl_loader PRIVATE ${OpenCL_INCLUDE_DIRS})
target_compile_definitions(test_host_opencl_loader PRIVATE CL_TARGET_OPENCL_VERSION=120
  STARKML_SOURCE_DIR="${PROJECT_SOURCE_DIR}" STARKML_BINARY_DIR="${PROJECT_BINARY_DIR}")
sm_add_cmocka_cases(PROG test_host_opencl_loader SRC ${src} GROUP host_opencl_loader
  LABEL opencl ENVIRONMENT ${ocl_env})

# Cross-backend golden proofs: as vectors.stark_regenerate / vectors.zkml_regenerate
# (tests/CMakeLists.txt), proved on OpenCL device 0.
foreach(kind stark zkml)
  if(kind STREQUAL "stark")
    set(glob "*.proof")
  else()
    set(glob "*.proof;*.vk")
  endif()
  add_test(NAME vectors.${kind}_regenerate_opencl
    COMMAND ${CMAKE_COMMAND}
            "-DGEN=${CMAKE_COMMAND};-E;env;STARKML=$<TARGET_FILE:starkml-cli>;STARKML_BACKEND=opencl;${BASH_PROGRAM};${PROJECT_SOURCE_DIR}/vectors/${kind}/regenerate.sh;unused"
            -DSRC=${PROJECT_SOURCE_DIR}/vectors/${kind}
            -DOUT=${ocl_bin}/regenerated-${kind}
            "-DGLOB=${glob}"
            "-DHINT=The OpenCL backend's proof differs from the CPU's (vectors/${kind}): a kernel is not bit-identical to the CPU reference"
            -P ${PROJECT_SOURCE_DIR}/vectors/compare.cmake)
  # On a host without any OpenCL platform the tool says so, and the test is skipped (CI
  # installs PoCL, and cli.devices_opencl fails there if PoCL is not listed).
  set_tests_properties(vectors.${kind}_regenerate_opencl PROPERTIES
    LABELS "opencl;nightly" ENVIRONMENT "${ocl_env}" TIMEOUT 1800
    SKIP_REGULAR_EXPRESSION "no OpenCL platform")
endforeach()

# `starkml devices` lists PoCL (or any OpenCL device) when a platform is installed; the
# check script skips (77) when clinfo-level discovery finds no platform.
add_test(NAME cli.devices_opencl
  COMMAND ${BASH_PROGRAM} ${ocl_src}/check_devices.sh $<TARGET_FILE:starkml-cli>)
set_tests_properties(cli.devices_opencl PROPERTIES LABELS opencl SKIP_RETURN_CODE 77
  ENVIRONMENT "${ocl_env}")

# The program starts on a host without an ICD loader: it loads one at run time, never at
# link time.
if(CMAKE_READELF)
  add_test(NAME cli.opencl_not_linked
    COMMAND ${BASH_PROGRAM} -c [[set -euo pipefail; needed=$("$1" -d "$2" | grep NEEDED)
      echo "$needed"; ! grep -q libOpenCL <<<"$needed"]]
      check ${CMAKE_READELF} $<TARGET_FILE:starkml-cli>)
  set_tests_properties(cli.opencl_not_linked PROPERTIES LABELS opencl ENVIRONMENT "${ocl_env}")
endif()
add_test(NAME cli.devices_bundled_loader
  COMMAND ${BASH_PROGRAM} ${ocl_src}/check_devices.sh $<TARGET_FILE:starkml-cli>
          ${PROJECT_BINARY_DIR}/lib/starkml/libOpenCL.so.1)
set_tests_properties(cli.devices_bundled_loader PROPERTIES LABELS opencl SKIP_RETURN_CODE 77
  ENVIRONMENT "${ocl_env};STARKML_OPENCL_LIBRARY=${PROJECT_BINARY_DIR}/lib/starkml/libOpenCL.so.1")

# Every test of the label runs with the caches and the LSan suppressions above: a test
# without them would write to $HOME or fail under the sanitizers on PoCL's own leaks.
get_property(all_tests DIRECTORY PROPERTY TESTS)
foreach(t IN LISTS all_tests)
  get_test_property(${t} LABELS t_labels)
  if("opencl" IN_LIST t_labels)
    get_test_property(${t} ENVIRONMENT t_env)
    foreach(v IN LISTS ocl_env)
      if(NOT v IN_LIST t_env)
        message(FATAL_ERROR "test ${t} lacks ${v} in its ENVIRONMENT (${t_env})")
      endif()
    endforeach()
  endif()
endforeach()
