/*
 * A C/C++ tokenizer for counting calls (internal): good enough to tell a
 * call `memcpy (` from the same name in a comment, a string, a character
 * literal, a raw string R"x(...)x" or an #include line.  Not a
 * preprocessor: macros are not expanded.
 */
#ifndef FWVET_ENGINEERING_CLEX_H
#define FWVET_ENGINEERING_CLEX_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/status.h"

enum {
  CLEX_IDENT = 1, /* identifier or keyword */
  CLEX_NUMBER,    /* pp-number, C++14 digit separators included */
  CLEX_PUNCT,     /* one character, or -> :: <= >= == != << >> && || */
  CLEX_LITERAL,   /* string or character literal (contents ignored) */
};

/* Where a token is: ordinary code, the name of a #define, its body. */
enum { CLEX_CODE = 0, CLEX_DEFINE_NAME, CLEX_DEFINE_BODY };

typedef struct clex_tok {
  const char *p;
  uint32_t len;
  uint32_t line; /* 1-based */
  uint8_t kind;
  uint8_t where;
  uint32_t define; /* ordinal of the #define (1-based) for its tokens */
} clex_tok;

/*
 * Tokenizes `len` bytes; directives other than #define are skipped whole
 * (#include, #if, #pragma, #undef, ...).  The caller frees *toks (written
 * only on success).  FWVET_ENOMEM, or FWVET_ELIMIT above `max` tokens.
 */
fwvet_status clex_run(const char *src, size_t len, size_t max,
                      clex_tok **toks, size_t *n);

/* Token `t` is the text `s`. */
int clex_is(const clex_tok *t, const char *s);

#endif
