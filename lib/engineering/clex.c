/* A C/C++ tokenizer for counting calls. */
#include <stdlib.h>
#include <string.h>

#include "engineering/clex.h"

typedef struct lexer {
  const char *s;
  size_t len, i;
  uint32_t line;
  clex_tok *t;
  size_t n, cap, max;
  int bol;         /* only blanks since the start of the line */
  uint8_t where;   /* CLEX_* for tokens of the current line */
  uint32_t define; /* ordinal of the current #define */
  uint32_t ndefine;
  int failed;
} lexer;

static int ident_start(unsigned char c) {
  return c == '_' || c == '$' || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int ident_char(unsigned char c) {
  return ident_start(c) || (c >= '0' && c <= '9');
}

static int at(const lexer *x, size_t k) {
  return x->i + k < x->len ? (unsigned char)x->s[x->i + k] : -1;
}

/* A backslash-newline joins lines: skip it (counting the line). */
static int splice(lexer *x) {
  if (at(x, 0) == '\\' && at(x, 1) == '\n') {
    x->i += 2;
    x->line++;
    return 1;
  }
  if (at(x, 0) == '\\' && at(x, 1) == '\r' && at(x, 2) == '\n') {
    x->i += 3;
    x->line++;
    return 1;
  }
  return 0;
}

static void push(lexer *x, size_t start, uint8_t kind, uint32_t line) {
  if (x->failed)
    return;
  if (x->n == x->max) {
    x->failed = FWVET_ELIMIT;
    return;
  }
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 1024;
    clex_tok *p = realloc(x->t, cap * sizeof *p);
    if (!p) {
      x->failed = FWVET_ENOMEM;
      return;
    }
    x->t = p;
    x->cap = cap;
  }
  uint8_t where = x->where;
  if (where == CLEX_DEFINE_NAME)
    x->where = CLEX_DEFINE_BODY; /* the name is the first token */
  x->t[x->n++] = (clex_tok){x->s + start, (uint32_t)(x->i - start), line,
                            kind, where, where ? x->define : 0};
}

/* Skips a block comment; the opening is at x->i. */
static void block_comment(lexer *x) {
  x->i += 2;
  while (x->i < x->len) {
    if (at(x, 0) == '*' && at(x, 1) == '/') {
      x->i += 2;
      return;
    }
    if (x->s[x->i] == '\n')
      x->line++;
    x->i++;
  }
}

/* Skips a line comment up to (not including) the newline; a
 * backslash-newline continues it, as in the preprocessor. */
static void line_comment(lexer *x) {
  while (x->i < x->len && x->s[x->i] != '\n') {
    if (!splice(x))
      x->i++;
  }
}

/* A quoted literal from its opening quote; escapes skipped; stops at an
 * unescaped newline (unterminated literal) without consuming it. */
static void quoted(lexer *x, char q) {
  x->i++;
  while (x->i < x->len) {
    char c = x->s[x->i];
    if (c == '\\' && x->i + 1 < x->len) {
      if (x->s[x->i + 1] == '\n')
        x->line++;
      x->i += 2;
      continue;
    }
    if (c == '\n')
      return;
    x->i++;
    if (c == q)
      return;
  }
}

/* R"delim( ... )delim" from the quote; 0 if it is not one (then a normal
 * string follows). */
static int raw_string(lexer *x) {
  size_t d = x->i + 1, e = d;
  while (e < x->len && e - d <= 16 && x->s[e] != '(' && x->s[e] != '"' &&
         x->s[e] != ' ' && x->s[e] != ')' && x->s[e] != '\\' &&
         x->s[e] != '\n')
    e++;
  if (e >= x->len || x->s[e] != '(' || e - d > 16)
    return 0;
  size_t dl = e - d;
  for (size_t k = e + 1; k < x->len; k++) {
    if (x->s[k] == '\n')
      x->line++;
    if (x->s[k] == ')' && k + dl + 1 < x->len &&
        !memcmp(x->s + k + 1, x->s + d, dl) && x->s[k + 1 + dl] == '"') {
      x->i = k + dl + 2;
      return 1;
    }
  }
  x->i = x->len; /* unterminated: the rest of the file */
  return 1;
}

/* At '#' first on a line: classify the directive. */
static void directive(lexer *x) {
  x->i++;
  while (x->i < x->len && (x->s[x->i] == ' ' || x->s[x->i] == '\t'))
    x->i++;
  size_t b = x->i;
  while (x->i < x->len && ident_char((unsigned char)x->s[x->i]))
    x->i++;
  if (x->i - b == 6 && !memcmp(x->s + b, "define", 6)) {
    x->where = CLEX_DEFINE_NAME;
    x->define = ++x->ndefine;
    return;
  }
  /* any other directive: skip to the end of the logical line, minding
   * comments that may hide a newline */
  while (x->i < x->len && x->s[x->i] != '\n') {
    if (splice(x))
      continue;
    if (at(x, 0) == '/' && at(x, 1) == '*')
      block_comment(x);
    else if (at(x, 0) == '/' && at(x, 1) == '/')
      line_comment(x);
    else
      x->i++;
  }
}

static int two_char_punct(int a, int b) {
  static const char *const ops[] = {"->", "::", "<=", ">=", "==",
                                    "!=", "<<", ">>", "&&", "||"};
  for (size_t k = 0; k < sizeof ops / sizeof *ops; k++)
    if (ops[k][0] == a && ops[k][1] == b)
      return 1;
  return 0;
}

fwvet_status clex_run(const char *src, size_t len, size_t max,
                      clex_tok **toks, size_t *n) {
  lexer x = {.s = src, .len = len, .line = 1, .max = max, .bol = 1};
  while (x.i < x.len && !x.failed) {
    unsigned char c = (unsigned char)x.s[x.i];
    size_t start = x.i;
    uint32_t line = x.line;
    if (c == '\n') {
      x.line++;
      x.i++;
      x.bol = 1;
      x.where = CLEX_CODE;
      continue;
    }
    if (splice(&x))
      continue;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      x.i++;
      continue;
    }
    if (c == '/' && at(&x, 1) == '*') {
      block_comment(&x);
      continue;
    }
    if (c == '/' && at(&x, 1) == '/') {
      line_comment(&x);
      continue;
    }
    int bol = x.bol;
    x.bol = 0;
    if (c == '#' && bol && x.where == CLEX_CODE) {
      directive(&x);
      continue;
    }
    if (ident_start(c)) {
      while (x.i < x.len && ident_char((unsigned char)x.s[x.i]))
        x.i++;
      /* encoding prefixes and raw strings: L"", u8"", R"x()x", LR"" */
      int q = at(&x, 0);
      size_t l = x.i - start;
      if (q == '"' || q == '\'') {
        const char *w = x.s + start;
        int raw = q == '"' && w[l - 1] == 'R' &&
                  (l == 1 || (l == 2 && strchr("LuU", w[0])) ||
                   (l == 3 && !memcmp(w, "u8", 2)));
        int prefix = (l == 1 && strchr("LuU", w[0])) ||
                     (l == 2 && !memcmp(w, "u8", 2));
        if (raw && raw_string(&x)) {
          push(&x, start, CLEX_LITERAL, line);
          continue;
        }
        if (prefix) {
          quoted(&x, (char)q);
          push(&x, start, CLEX_LITERAL, line);
          continue;
        }
      }
      push(&x, start, CLEX_IDENT, line);
      continue;
    }
    if ((c >= '0' && c <= '9') ||
        (c == '.' && at(&x, 1) >= '0' && at(&x, 1) <= '9')) {
      x.i++;
      for (;;) {
        int d = at(&x, 0);
        if (d == -1)
          break;
        if ((d == '+' || d == '-') && strchr("eEpP", x.s[x.i - 1]))
          x.i++;
        else if (d == '\'' && at(&x, 1) != -1 &&
                 ident_char((unsigned char)at(&x, 1)))
          x.i += 2; /* 1'000'000 */
        else if (ident_char((unsigned char)d) || d == '.')
          x.i++;
        else
          break;
      }
      push(&x, start, CLEX_NUMBER, line);
      continue;
    }
    if (c == '"' || c == '\'') {
      quoted(&x, (char)c);
      push(&x, start, CLEX_LITERAL, line);
      continue;
    }
    x.i += two_char_punct(c, at(&x, 1)) ? 2 : 1;
    push(&x, start, CLEX_PUNCT, line);
  }
  if (x.failed) {
    free(x.t);
    return (fwvet_status)x.failed;
  }
  *toks = x.t;
  *n = x.n;
  return FWVET_OK;
}

int clex_is(const clex_tok *t, const char *s) {
  size_t l = strlen(s);
  return t->len == l && !memcmp(t->p, s, l);
}
