# sm_add_cmocka_cases(PROG src GROUP group LABEL label [ENVIRONMENT VAR=value ...]
#                     [PROPERTIES prop value ...]):
# registers one CTest test per cmocka_unit_test(case) of src, named group.case, running
# `PROG case`, labelled `label` (plus `slow` for cases named *_slow), skipped on exit 77,
# with the environment and any extra single-valued test properties. A source without cases
# is a configuration error.
#
# The environment is a keyword of its own: a list value given under PROPERTIES would be
# flattened by cmake_parse_arguments, so that only its first item stayed the ENVIRONMENT
# and the others became property names (that is how LSan lost its suppressions once).
function(sm_add_cmocka_cases)
  cmake_parse_arguments(A "" "PROG;SRC;GROUP;LABEL" "ENVIRONMENT;PROPERTIES" ${ARGN})
  list(LENGTH A_PROPERTIES n_props)
  math(EXPR odd "${n_props} % 2")
  if(odd)
    message(FATAL_ERROR "sm_add_cmocka_cases: PROPERTIES takes name/value pairs, got ${A_PROPERTIES}")
  endif()
  file(STRINGS ${A_SRC} case_lines REGEX "cmocka_unit_test[a-z_]*\\([A-Za-z0-9_]+")
  set(n_cases 0)
  foreach(line IN LISTS case_lines)
    string(REGEX MATCHALL "cmocka_unit_test[a-z_]*\\([A-Za-z0-9_]+" hits "${line}")
    foreach(hit IN LISTS hits)
      string(REGEX REPLACE ".*\\(" "" case ${hit})
      set(labels ${A_LABEL})
      if(case MATCHES "_slow$")
        list(APPEND labels slow)
      endif()
      add_test(NAME ${A_GROUP}.${case} COMMAND ${A_PROG} ${case})
      set_tests_properties(${A_GROUP}.${case} PROPERTIES LABELS "${labels}"
        SKIP_RETURN_CODE 77 ${A_PROPERTIES})
      if(A_ENVIRONMENT)
        set_tests_properties(${A_GROUP}.${case} PROPERTIES ENVIRONMENT "${A_ENVIRONMENT}")
      endif()
      math(EXPR n_cases "${n_cases} + 1")
    endforeach()
  endforeach()
  if(n_cases EQUAL 0)
    message(FATAL_ERROR "${A_SRC}: no cmocka_unit_test(...) cases found")
  endif()
endfunction()
