# SPDX-License-Identifier: MIT
# tf_embed(OUTPUT FILE...): writes a C file defining tf_embedded_files[],
# the files' bytes, NUL-terminated, so the binary carries them.
function(tf_embed output)
  # A CMake list would split at its ';' on the command line: join with '|'.
  string(REPLACE ";" "|" files "${ARGN}")
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output} "-DFILES=${files}"
            -P ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${ARGN} ${CMAKE_SOURCE_DIR}/cmake/embed_run.cmake
    COMMENT "Embedding schema and data files"
    VERBATIM)
endfunction()
