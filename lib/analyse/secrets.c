/*
 * Hard-coded secrets (credential.hardcoded):
 *   - in text files and scripts, assignments whose key names a password,
 *     secret, API key or token (`password=...`, `db_passwd: ...`,
 *     `"api_key": "..."`, `PASS='...'`) with a literal value;
 *   - in any file, binaries included, tokens of known formats (AWS access
 *     key ids, GitHub, Slack and Google API tokens).  Binaries get only
 *     these: their strings tables are too noisy for assignments.
 * Values that are clearly not a secret are skipped: empty, variable
 * references and templates (`$X`, `${X}`, `%s`, `<x>`, `{{x}}`, `@X@`),
 * masks (`****`, `xxxx`), booleans and one-character values.  Literal
 * defaults such as `changeme` or `password` are reported: a device that
 * ships them accepts them.  Commented-out lines are skipped.
 * Evidence is the key (or token kind) and a masked value: its first two
 * characters and its length.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "analyse/analyser.h"
#include "core/literals.h"

#define MAX_TEXT_FILE (4u << 20)
#define MAX_FILE (64u << 20)
#define MAX_REPORTS 64 /* per file */

typedef struct ctx {
  fwvet_sink *sink;
  const fwvet_node *node;
  unsigned reported;
  int code; /* program source: only string literals are values */
} ctx;

/* `what` is NULL for an assignment, else the kind of token. */
static void report(ctx *c, unsigned line, const char *key, const char *v,
                   size_t vlen, const char *what) {
  char ev[160];
  if (c->reported++ >= MAX_REPORTS)
    return;
  snprintf(ev, sizeof ev, "%s=%.2s…(%zu)", key, v, vlen);
  if (what)
    fwvet_sink_report(c->sink, c->node, "credential.hardcoded",
                      FWVET_SEV_MEDIUM, FWVET_NO_OFFSET, line, ev,
                      "an %s ('%.2s…', %zu characters) is hard-coded: "
                      "anyone with the image can use it",
                      what, v, vlen);
  else
    fwvet_sink_report(c->sink, c->node, "credential.hardcoded",
                      FWVET_SEV_MEDIUM, FWVET_NO_OFFSET, line, ev,
                      "the key '%s' has a hard-coded value ('%.2s…', %zu "
                      "characters): every device shares it and anyone "
                      "with the image can read it",
                      key, v, vlen);
}

/* ---- known token formats ---- */

typedef struct token_kind {
  const char *prefix, *name, *what;
  size_t min, max;      /* length of the whole token */
  const char *alphabet; /* of the part after the prefix */
} token_kind;

#define ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define UPNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static const token_kind tokens[] = {
    {"AKIA", "aws-access-key-id", "AWS access key id", 20, 20, UPNUM},
    {"ASIA", "aws-access-key-id", "AWS access key id", 20, 20, UPNUM},
    {"ghp_", "github-token", "access token for GitHub", 40, 40, ALNUM},
    {"gho_", "github-token", "access token for GitHub", 40, 40, ALNUM},
    {"ghu_", "github-token", "access token for GitHub", 40, 40, ALNUM},
    {"ghs_", "github-token", "access token for GitHub", 40, 40, ALNUM},
    {"ghr_", "github-token", "access token for GitHub", 40, 40, ALNUM},
    {"github_pat_", "github-token", "access token for GitHub", 93, 93,
     ALNUM "_"},
    {"xoxb-", "slack-token", "access token for Slack", 15, 255, ALNUM "-"},
    {"xoxa-", "slack-token", "access token for Slack", 15, 255, ALNUM "-"},
    {"xoxp-", "slack-token", "access token for Slack", 15, 255, ALNUM "-"},
    {"xoxr-", "slack-token", "access token for Slack", 15, 255, ALNUM "-"},
    {"xoxs-", "slack-token", "access token for Slack", 15, 255, ALNUM "-"},
    {"AIza", "google-api-key", "API key for Google", 39, 39, ALNUM "_-"},
};

static unsigned line_of(const uint8_t *d, size_t off) {
  unsigned l = 1;
  for (size_t i = 0; i < off; i++)
    l += d[i] == '\n';
  return l;
}

static fwvet_literal_set prefixes =
    FWVET_LITERAL_FIELD(tokens, token_kind, prefix);

static void scan_tokens(ctx *c, const uint8_t *d, size_t len, int text) {
  uint64_t present = fwvet_literals_scan(&prefixes, d, len);
  for (size_t t = 0; t < sizeof tokens / sizeof *tokens; t++) {
    const token_kind *k = &tokens[t];
    if (!(present & ((uint64_t)1 << t)))
      continue;
    size_t pl = strlen(k->prefix);
    for (size_t pos = 0; pos < len;) {
      const uint8_t *p = memmem(d + pos, len - pos, k->prefix, pl);
      if (!p)
        break;
      size_t at = (size_t)(p - d), n = pl;
      pos = at + pl;
      while (at + n < len && n <= k->max && d[at + n] &&
             strchr(k->alphabet, d[at + n]))
        n++;
      /* A token stands alone: not inside a longer word. */
      if (n < k->min || n > k->max ||
          (at > 0 && d[at - 1] && strchr(ALNUM, d[at - 1])))
        continue;
      report(c, text ? line_of(d, at) : 0, k->name, (const char *)p, n,
             k->what);
      pos = at + n;
    }
  }
}

/* ---- assignments in text ---- */

static const char *const key_words[] = {
    "password", "passwd",     "pass",       "pwd",          "passphrase",
    "secret",   "api_key",    "apikey",     "api-key",      "token",
    "auth_key", "secret_key", "access_key", "client_secret"};

/* The key ends with a key word that starts at a word boundary:
 * `db_password`, `dbPassword`, `PASS`, but not `bypass` or `compass`.
 * `sep` is the separator: a bare `pass:` is a test result (`PASS: foo`). */
static int secret_key(const char *k, size_t n, char sep) {
  for (size_t w = 0; w < sizeof key_words / sizeof *key_words; w++) {
    size_t wl = strlen(key_words[w]);
    if (n < wl || strncasecmp(k + n - wl, key_words[w], wl))
      continue;
    size_t s = n - wl;
    /* Bare `token` and `pwd` are mostly lexers and directories (sep 0:
     * any form, to recognise a value that is a variable). */
    if (s == 0 && sep &&
        (!strcmp(key_words[w], "token") || !strcmp(key_words[w], "pwd") ||
         (!strcmp(key_words[w], "pass") && sep != '=')))
      continue;
    if (s == 0 || !isalnum((unsigned char)k[s - 1]) ||
        (islower((unsigned char)k[s - 1]) && isupper((unsigned char)k[s])))
      return 1;
  }
  return 0;
}

static int placeholder(const char *v, size_t n) {
  static const char *const words[] = {
      "true", "false", "yes", "no", "on", "off", "none", "null", "nil",
      "undefined", "required", "optional", "disabled", "enabled", "hidden",
      "define", "undef", /* perl's Config.pm */
      /* nsswitch.conf sources: `passwd: files` */
      "files", "compat", "nis", "ldap", "sss", "systemd", "winbind",
      /* type annotations: `password: str` */
      "str", "string", "bytes", "int", "bool", "any", "pchar", "char", "byte",
      "word", "dword", "integer", "boolean", "pointer", "void"};
  if (n <= 1)
    return 1;
  if (strchr("$%<{@`&*\\(:_", v[0]))
    return 1;
  size_t x = 0;
  while (x < n && (v[x] == 'x' || v[x] == 'X' || v[x] == '*' || v[x] == '.'))
    x++;
  if (x == n)
    return 1;
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (strlen(words[i]) == n && !strncasecmp(v, words[i], n))
      return 1;
  return 0;
}

static int key_char(char ch) {
  return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

/*
 * An unquoted value [v, ve) of the key [k, k+kl): is it a literal?
 * Rejects code (calls `get()`, members `self.pw`, constants `MY_PW`, a
 * variable named like a key `passphrase = passphrase`), enum values
 * (`XML_DUP_TOKEN = 54`) and prose (`key: some words`).
 */
static int unquoted_literal(const char *s, size_t n, const char *k, size_t kl,
                            size_t v, size_t ve, int quoted_key) {
  int upper = 1, underscore = 0, digits = 1;
  for (size_t x = v; x < ve; x++) {
    unsigned char ch = (unsigned char)s[x];
    if (strchr("()[]<>{}=", ch) || (quoted_key && !isdigit(ch)) ||
        (ch == '.' && x + 1 < ve &&
         (isalpha((unsigned char)s[x + 1]) || s[x + 1] == '_')))
      return 0;
    upper &= isupper(ch) || isdigit(ch) || ch == '_';
    underscore |= ch == '_';
    digits &= isdigit(ch) != 0;
  }
  if ((upper && underscore) || secret_key(s + v, ve - v, 0))
    return 0;
  if (digits && kl >= 5 && !strncasecmp(k + kl - 5, "token", 5))
    return 0;
  size_t w = ve;
  while (w < n && (s[w] == ' ' || s[w] == '\t'))
    w++;
  if (w == ve || w >= n || !isalnum((unsigned char)s[w]))
    return 1;
  /* Another word follows: prose, unless it is the next assignment. */
  while (w < n && key_char(s[w]))
    w++;
  return w < n && (s[w] == '=' || s[w] == ':');
}

/* Literal values that unmodified distribution files ship as public
 * examples; reporting them would flag every stock image. */
static const struct {
  const char *file, *value;
} stock[] = {
    {"openssl.cnf", "pass:insta"}, /* OpenSSL's CMP demo (Insta CA) */
};

static int stock_value(const ctx *c, const char *v, size_t n) {
  const char *p = fwvet_node_fspath(c->node), *b = strrchr(p, '/');
  b = b ? b + 1 : p;
  for (size_t i = 0; i < sizeof stock / sizeof *stock; i++)
    if (!strcmp(b, stock[i].file) && strlen(stock[i].value) == n &&
        !memcmp(v, stock[i].value, n))
      return 1;
  return 0;
}

/*
 * Looks for `key <sep> value` at separator position `i` of the line;
 * returns where scanning the line goes on: past the value when the key
 * names a secret (so `secret = pass:x` is one assignment), else i + 1.
 */
static size_t assignment(ctx *c, const char *s, size_t n, size_t i,
                         unsigned lineno) {
  /* The separator: '=', ':' or ":=", not "==", "!=", "<=", ">=". */
  size_t after = i + 1;
  if (s[i] == ':' && after < n && s[after] == '=')
    after++;
  if ((after < n && s[after] == '=') || (i > 0 && strchr("=!<>:", s[i - 1])))
    return i + 1;
  size_t e = i;
  while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    e--;
  if (e > 0 && (s[e - 1] == '"' || s[e - 1] == '\''))
    e--;
  int quoted_key = e < i && (s[e] == '"' || s[e] == '\'');
  size_t b = e;
  while (b > 0 && key_char(s[b - 1]))
    b--;
  if (b == e || e - b > 64 || !secret_key(s + b, e - b, s[i]))
    return i + 1;
  size_t v = after;
  while (v < n && (s[v] == ' ' || s[v] == '\t'))
    v++;
  size_t ve;
  if (v < n && (s[v] == '"' || s[v] == '\'')) {
    const char *q = memchr(s + v + 1, s[v], n - v - 1);
    if (!q)
      return n;
    ve = (size_t)(q - s);
    v++;
  } else {
    ve = v;
    while (ve < n && !strchr(" \t;,&#", s[ve]))
      ve++;
    if (c->code || !unquoted_literal(s, n, s + b, e - b, v, ve, quoted_key))
      return ve;
  }
  if (placeholder(s + v, ve - v) || stock_value(c, s + v, ve - v))
    return ve;
  char key[72];
  snprintf(key, sizeof key, "%.*s", (int)(e - b), s + b);
  report(c, lineno, key, s + v, ve - v, NULL);
  return ve;
}

static int comment_line(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  return i == n || s[i] == '#' || s[i] == ';' ||
         (i + 1 < n && s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '*'));
}

static void scan_assignments(ctx *c, const char *d, size_t len) {
  unsigned lineno = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(d + pos, '\n', len - pos);
    size_t l = nl ? (size_t)(nl - (d + pos)) : len - pos;
    const char *line = d + pos;
    pos += l + 1;
    lineno++;
    if (comment_line(line, l))
      continue;
    /* A trailing comment ends the line. */
    for (size_t i = 1; i < l; i++)
      if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
        l = i;
        break;
      }
    for (size_t i = 0; i < l;)
      i = line[i] == '=' || line[i] == ':' ? assignment(c, line, l, i, lineno)
                                           : i + 1;
  }
}

/* By extension: in program source an unquoted value is an identifier. */
static int source_code(const char *path) {
  static const char *const ext[] = {
      ".c",   ".h",   ".cc",  ".cpp", ".hpp", ".cs",    ".java", ".go",
      ".rs",  ".js",  ".ts",  ".py",  ".pyi", ".pl",    ".pm",   ".rb",
      ".php", ".lua", ".pas", ".pp",  ".inc", ".swift", ".kt",   ".scala"};
  const char *dot = strrchr(path, '.');
  if (!dot || strchr(dot, '/'))
    return 0;
  for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
    if (!strcasecmp(dot, ext[i]))
      return 1;
  return 0;
}

/* Manuals, package documentation and lintian overrides (`pkg: tag`):
 * examples, not configuration.  A decompressed manual page has no
 * fspath of its own: the file it came from (`x.8.gz`) says where it is. */
static int documentation(const fwvet_node *node) {
  const char *path = fwvet_node_fspath(node);
  for (unsigned up = 0; !*path && up < 8; up++) {
    node = fwvet_node_parent(node);
    if (!node)
      return 0;
    path = fwvet_node_fspath(node);
  }
  return !strncmp(path, "/usr/share/doc/", 15) ||
         !strncmp(path, "/usr/share/man/", 15) ||
         !strncmp(path, "/usr/share/info/", 16) ||
         !strncmp(path, "/usr/share/lintian/", 19);
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 || len > MAX_FILE)
    return;
  ctx c = {sink, node, 0, source_code(fwvet_node_fspath(node))};
  const char *type = fwvet_node_type(node);
  int text = !strcmp(type, "text") || !strcmp(type, "script");
  scan_tokens(&c, data, len, text);
  if (text && len <= MAX_TEXT_FILE && !documentation(node))
    scan_assignments(&c, (const char *)data, len);
}

const fwvet_analyser fwvet_analyser_secrets = {"secrets", analyse};
