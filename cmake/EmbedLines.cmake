# fwvet_embed_lines(TXT HEADER ARRAY): compiles the text file TXT into
# HEADER as `static const char *const ARRAY[]`, one string per line, so
# the data ships inside the binary (no runtime file).  Lines starting with
# "#" and empty lines are skipped.  Re-run on change of TXT.
function(fwvet_embed_lines txt header array)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${txt})
  file(STRINGS ${txt} lines)
  set(body "")
  foreach(line IN LISTS lines)
    if(line STREQUAL "" OR line MATCHES "^#")
      continue()
    endif()
    string(REPLACE "\\" "\\\\" line "${line}")
    string(REPLACE "\"" "\\\"" line "${line}")
    string(APPEND body "    \"${line}\",\n")
  endforeach()
  file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${txt})
  file(WRITE ${header}.tmp
    "/* Generated from ${rel}; do not edit. */\n"
    "static const char *const ${array}[] = {\n${body}};\n")
  configure_file(${header}.tmp ${header} COPYONLY)
endfunction()
