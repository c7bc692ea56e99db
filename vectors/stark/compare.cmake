# Regenerates the golden STARK proofs into OUT with regenerate.sh and fails on any byte of
# difference from the committed copies in SRC (vectors/stark).
# Usage: cmake -DBASH=bash -DSTARKML=path/to/starkml -DSRC=vectors/stark -DOUT=dir -P compare.cmake
file(REMOVE_RECURSE ${OUT})
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env STARKML=${STARKML} ${BASH} ${SRC}/regenerate.sh unused ${OUT}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "regenerate.sh failed (${rc})")
endif()
file(GLOB generated RELATIVE ${OUT} ${OUT}/*.proof)
file(GLOB committed RELATIVE ${SRC} ${SRC}/*.proof)
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
  message(FATAL_ERROR "regenerated proofs differ from the committed ones: ${bad}\n"
                      "If the protocol changed on purpose, refresh them with\n"
                      "  vectors/stark/regenerate.sh BUILD_DIR vectors/stark")
endif()
list(LENGTH generated n)
message(STATUS "all ${n} golden proofs regenerate byte for byte")
