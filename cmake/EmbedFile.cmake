# fwvet_embed_file(FILE HEADER ARRAY): compiles FILE, byte for byte, into
# HEADER as `static const unsigned char ARRAY[]` (NUL-terminated) and
# `static const size_t ARRAY_len`, so the data ships inside the binary.
# Re-run on change of FILE.
function(fwvet_embed_file file header array)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  file(READ ${file} hex HEX)
  string(LENGTH "${hex}" nhex)
  math(EXPR n "${nhex} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
  file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${file})
  file(WRITE ${header}.tmp
    "/* Generated from ${rel}; do not edit. */\n"
    "static const unsigned char ${array}[] = {\n${bytes}0x00};\n"
    "static const size_t ${array}_len = ${n};\n")
  configure_file(${header}.tmp ${header} COPYONLY)
endfunction()
