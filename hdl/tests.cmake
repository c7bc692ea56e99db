# The hdl tests (label hdl), included at the end of the top-level directory by
# hdl/CMakeLists.txt (they need sm_test from tests/ and the CLI from host/):
#
#  - hdl.lint_<LogN>x<Lanes>: verilator --lint-only -Wall, waivers in hdl/lint/waivers.vlt,
#    for the parameter sets of the testbenches and a wide one (Lanes = 8, LogN = 16).
#  - hdl.tb_<name>: the testbench (hdl/dv/tb_ntt_core.cpp; its exit code is the verdict)
#    for each configuration hdl/CMakeLists.txt builds.
#  - backend_verilator.CASE: hdl/dv/test_backend_verilator.c, the backend's NTT against the
#    CPU in every order, size (padded, direct, four-step) and direction.
#  - hdl.stark_vectors_verilator: the golden toy proofs of vectors/stark, proved with
#    --backend verilator, equal to the committed CPU proofs byte for byte.
#  - hdl.zkml_logreg_verilator: the golden proof of logreg_cancer likewise.
#  - hdl.cli_devices: `starkml devices` lists the simulated core.
find_program(BASH_PROGRAM bash REQUIRED)

foreach(cfg "12:2" "6:1" "8:4" "16:8")
  string(REPLACE ":" ";" cfg ${cfg})
  list(GET cfg 0 log_n)
  list(GET cfg 1 lanes)
  add_test(NAME hdl.lint_${log_n}x${lanes}
    COMMAND ${VERILATOR_EXECUTABLE} --lint-only -Wall -GLogN=${log_n} -GLanes=${lanes}
            ${PROJECT_SOURCE_DIR}/hdl/lint/waivers.vlt ${STARKML_HDL_RTL}
            --top-module sm_ntt_core)
  set_tests_properties(hdl.lint_${log_n}x${lanes} PROPERTIES LABELS hdl TIMEOUT 120)
endforeach()

foreach(tb IN LISTS STARKML_HDL_TBS)
  string(REGEX REPLACE "^tb_ntt_core_" "" name ${tb})
  add_test(NAME hdl.tb_${name} COMMAND ${tb})
  set_tests_properties(hdl.tb_${name} PROPERTIES LABELS hdl TIMEOUT 600
    PASS_REGULAR_EXPRESSION "PASS: 0 error")
endforeach()

set(src ${PROJECT_SOURCE_DIR}/hdl/dv/test_backend_verilator.c)
add_executable(test_backend_verilator ${src})
target_link_libraries(test_backend_verilator PRIVATE starkml sm_test starkml_flags)
sm_add_cmocka_cases(PROG test_backend_verilator SRC ${src} GROUP backend_verilator LABEL hdl
  PROPERTIES TIMEOUT 600)

add_test(NAME hdl.stark_vectors_verilator
  COMMAND ${CMAKE_COMMAND}
          "-DGEN=${CMAKE_COMMAND};-E;env;STARKML=$<TARGET_FILE:starkml-cli>;STARKML_BACKEND=verilator;${BASH_PROGRAM};${PROJECT_SOURCE_DIR}/vectors/stark/regenerate.sh;unused"
          -DSRC=${PROJECT_SOURCE_DIR}/vectors/stark
          -DOUT=${PROJECT_BINARY_DIR}/hdl/regenerated-stark
          "-DGLOB=*.proof"
          "-DHINT=The verilator backend's proof differs from the CPU's (vectors/stark): the simulated NTT core is not bit-identical to the CPU reference"
          -P ${PROJECT_SOURCE_DIR}/vectors/compare.cmake)
set_tests_properties(hdl.stark_vectors_verilator PROPERTIES LABELS hdl TIMEOUT 900)

add_test(NAME hdl.zkml_logreg_verilator
  COMMAND ${BASH_PROGRAM} ${PROJECT_SOURCE_DIR}/hdl/dv/prove_logreg.sh
          $<TARGET_FILE:starkml-cli> ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/hdl/logreg)
set_tests_properties(hdl.zkml_logreg_verilator PROPERTIES LABELS hdl TIMEOUT 1800)

add_test(NAME hdl.cli_devices COMMAND starkml-cli devices)
set_tests_properties(hdl.cli_devices PROPERTIES LABELS hdl
  PASS_REGULAR_EXPRESSION "verilator[^\n]*sm_ntt_core LogN=[0-9]+ Lanes=[0-9]+")

add_dependencies(test_backend_verilator starkml-cli)
