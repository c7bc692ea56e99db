# Regenerates known-answer files into OUT and fails on any byte of difference from the
# committed copies in SRC. Used for the core vectors (gen_vectors) and the golden proofs
# (vectors/stark/regenerate.sh).
# Usage: cmake -DGEN="cmd;arg;..." -DSRC=dir -DOUT=dir -DGLOB=pattern [-DHINT=text] -P compare.cmake
# GEN is run with OUT appended as its last argument; GLOB is relative to SRC and OUT
# (e.g. core/*.json or *.proof).
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${GEN} ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the generator failed (${rc}): ${GEN}")
endif()
file(GLOB_RECURSE generated RELATIVE ${OUT} ${OUT}/${GLOB})
file(GLOB_RECURSE committed RELATIVE ${SRC} ${SRC}/${GLOB})
list(SORT generated)
list(SORT committed)
if(NOT generated STREQUAL committed)
  message(FATAL_ERROR "file lists differ:\n generated: ${generated}\n committed: ${committed}")
endif()
set(bad "")
foreach(f IN LISTS generated)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/${f} ${SRC}/${f} RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "regenerated files differ from the committed ones: ${bad}\n${HINT}")
endif()
list(LENGTH generated n)
message(STATUS "all ${n} files regenerate byte for byte")
