/*
 * Version comparison for the components found in firmware.
 *
 * A version is an optional epoch ("N:"), then a sequence of tokens: runs
 * of digits, runs of letters, and '~'.  Everything else ('.', '-', '_',
 * '+', ...) only separates tokens.  Two versions compare token by token;
 * at each position the kinds rank
 *
 *   '~'  <  pre-release word  <  end of version  <  other word  <  number
 *
 * so "1.0~rc1" < "1.0-rc1" < "1.0" < "1.0a" < "1.0.1": '~' sorts before
 * anything (Debian), "rc", "beta", "alpha", "pre", "dev" mark a
 * pre-release, and any other letters after a number are a later release
 * (OpenSSL 1.0.2 < 1.0.2a < 1.0.2k, OpenSSH 7.4 < 7.4p1).  Numbers compare
 * by value whatever their length (4.14.180 > 4.14.18, Dropbear's 2022.83),
 * words case-insensitively, pre-release words by their rank (dev < alpha
 * < beta < pre < rc) and then by spelling.  A missing trailing number
 * counts as zero, so "4.14" and "4.14.0" are the same release.  A leading
 * 'v' before a digit ("v1.2") is ignored.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "fwvet/vulndb.h"

enum tok_kind {
  TOK_TILDE = 0,
  TOK_PRE,
  TOK_END,
  TOK_WORD,
  TOK_NUM,
};

typedef struct tok {
  enum tok_kind kind;
  const char *s; /* the token's characters (numbers: no leading zeros) */
  size_t len;
  int pre_rank; /* TOK_PRE only */
} tok;

static const struct {
  const char *word;
  int rank;
} pre_words[] = {
    {"dev", 0},  {"snapshot", 0}, {"alpha", 1},   {"beta", 2},
    {"pre", 3},  {"preview", 3},  {"rc", 4},
};

static int pre_rank(const char *s, size_t len) {
  for (size_t i = 0; i < sizeof pre_words / sizeof *pre_words; i++)
    if (strlen(pre_words[i].word) == len &&
        !strncasecmp(pre_words[i].word, s, len))
      return pre_words[i].rank;
  return -1;
}

static int is_alpha(char c) { return isalpha((unsigned char)c); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Reads the next token at *p, advancing it; TOK_END at the end. */
static tok next_token(const char **p) {
  const char *s = *p;
  tok t = {TOK_END, s, 0, 0};
  while (*s && *s != '~' && !is_alpha(*s) && !is_digit(*s))
    s++;
  if (!*s) {
    *p = s;
    t.s = s;
    return t;
  }
  if (*s == '~') {
    t.kind = TOK_TILDE;
    t.s = s;
    t.len = 1;
    *p = s + 1;
    return t;
  }
  const char *start = s;
  if (is_digit(*s)) {
    while (*s == '0' && is_digit(s[1]))
      s++;
    start = s;
    while (is_digit(*s))
      s++;
    t.kind = TOK_NUM;
  } else {
    while (is_alpha(*s))
      s++;
    int r = pre_rank(start, (size_t)(s - start));
    t.kind = r >= 0 ? TOK_PRE : TOK_WORD;
    t.pre_rank = r;
  }
  t.s = start;
  t.len = (size_t)(s - start);
  *p = s;
  return t;
}

static int cmp_num(const tok *a, const tok *b) {
  if (a->len != b->len)
    return a->len < b->len ? -1 : 1;
  int c = memcmp(a->s, b->s, a->len);
  return c < 0 ? -1 : c > 0;
}

static int cmp_word(const tok *a, const tok *b) {
  size_t n = a->len < b->len ? a->len : b->len;
  int c = strncasecmp(a->s, b->s, n);
  if (c)
    return c < 0 ? -1 : 1;
  return a->len == b->len ? 0 : a->len < b->len ? -1 : 1;
}

/* Parses a leading "N:" epoch; *rest is the version after it. */
static unsigned long long epoch_of(const char *v, const char **rest) {
  const char *s = v;
  unsigned long long e = 0;
  while (is_digit(*s)) {
    if (e < 1000000000ULL)
      e = e * 10 + (unsigned)(*s - '0');
    s++;
  }
  if (s == v || *s != ':') {
    *rest = v;
    return 0;
  }
  *rest = s + 1;
  return e;
}

static const char *skip_v(const char *s) {
  if ((*s == 'v' || *s == 'V') && is_digit(s[1]))
    return s + 1;
  return s;
}

int fwvet_version_compare(const char *a, const char *b) {
  if (!a)
    a = "";
  if (!b)
    b = "";
  const char *ra, *rb;
  unsigned long long ea = epoch_of(a, &ra), eb = epoch_of(b, &rb);
  if (ea != eb)
    return ea < eb ? -1 : 1;
  ra = skip_v(ra);
  rb = skip_v(rb);
  for (;;) {
    tok ta = next_token(&ra), tb = next_token(&rb);
    if (ta.kind == TOK_END && tb.kind == TOK_END)
      return 0;
    /* A missing trailing number is a zero: 4.14 == 4.14.0. */
    if (ta.kind == TOK_END && tb.kind == TOK_NUM) {
      ta.kind = TOK_NUM;
      ta.s = "0";
      ta.len = 1;
    } else if (tb.kind == TOK_END && ta.kind == TOK_NUM) {
      tb.kind = TOK_NUM;
      tb.s = "0";
      tb.len = 1;
    }
    if (ta.kind != tb.kind)
      return ta.kind < tb.kind ? -1 : 1;
    int c = 0;
    switch (ta.kind) {
    case TOK_NUM:
      /* A zero run keeps one digit, so "0" vs "00" compare equal. */
      c = cmp_num(&ta, &tb);
      break;
    case TOK_PRE:
      c = ta.pre_rank != tb.pre_rank ? (ta.pre_rank < tb.pre_rank ? -1 : 1)
                                     : cmp_word(&ta, &tb);
      break;
    case TOK_WORD:
      c = cmp_word(&ta, &tb);
      break;
    default:
      break;
    }
    if (c)
      return c;
  }
}

/*
 * Whether `rev` (what follows the last '-') is a distribution revision
 * rather than part of the upstream version.  It is when it
 *   - starts with a digit: Debian "9+deb12u4", "0ubuntu3", "2build1",
 *     RPM "1.el8", OpenWrt "1";
 *   - is 'r' and digits only: Alpine and OpenWrt "-r1";
 *   - starts with "deb", "ubuntu" or "build" followed by a digit.
 * Anything else ("beta1", "rc2", "p1", "stable") is upstream's own:
 * "1.0.2-beta1" keeps its tag.
 */
static int is_revision(const char *rev) {
  if (is_digit(rev[0]))
    return 1;
  if (rev[0] == 'r' && is_digit(rev[1])) {
    const char *s = rev + 1;
    while (is_digit(*s))
      s++;
    return *s == '\0';
  }
  static const char *const words[] = {"deb", "ubuntu", "build"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    size_t n = strlen(words[i]);
    if (!strncmp(rev, words[i], n) && is_digit(rev[n]))
      return 1;
  }
  return 0;
}

int fwvet_version_upstream(const char *pkgver, char *out, size_t cap) {
  if (!pkgver)
    pkgver = "";
  const char *v;
  epoch_of(pkgver, &v);
  size_t len = strlen(v);
  int revision = 0;
  const char *dash = strrchr(v, '-');
  if (dash && dash > v && is_revision(dash + 1)) {
    len = (size_t)(dash - v);
    revision = 1;
  }
  if (cap) {
    size_t n = len < cap - 1 ? len : cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
  }
  return revision;
}
