/*
 * Credentials in password files: passwd, shadow (recognised by content as
 * in accounts.c) and htpasswd (every line `user:hash`).
 *   credential.default-password  a hash (or plaintext) that is one of the
 *                                built-in default and common passwords
 *   credential.weak-hash         DES or MD5 crypt, unsalted SHA-1, or a
 *                                plaintext password
 *   credential.hardcoded         an htpasswd user (HTTP basic auth shipped
 *                                with the image)
 *
 * Hashes are checked with libxcrypt's crypt_rn() ($apr1$ and {SHA} here,
 * with libcrypto).  Slow hashes (bcrypt, yescrypt, SHA-crypt with many
 * rounds) would let one file stall a scan, so every call is charged an
 * estimated cost and each hash, and each file, has a work budget; the list is
 * ordered by likelihood so the budget is spent on the likeliest candidates
 * first.  The estimate depends only on the hash, so results are the same on
 * every machine and every run.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "analyse/analyser.h"
#include "analyse/pwfile.h"
#include "default_passwords.h"

#define MAX_PASSWORD_FILE (1u << 20)
#define MAX_HASH 256
#define NPASSWORDS (sizeof default_passwords / sizeof *default_passwords)
/* Estimated microseconds of crypt work, per hash and per file. */
#define HASH_BUDGET 1000000u
#define FILE_BUDGET 4000000u

enum { NOT_PWFILE, PASSWD, SHADOW, HTPASSWD };

enum hash_kind {
  H_NONE,    /* locked, disabled, "x": nothing to check */
  H_PLAIN,   /* not a hash: the password itself */
  H_DES,     /* 13-character traditional crypt */
  H_MD5,     /* $1$ */
  H_APR1,    /* $apr1$ (htpasswd MD5) */
  H_SHA1,    /* {SHA} (htpasswd, unsalted) */
  H_STRONG,  /* $5$, $6$, $2?$, $y$, $gy$, $7$, _ (BSDi) */
  H_UNKNOWN, /* some other $id$ scheme */
};

typedef fwvet_field field;

typedef struct pwfile {
  fwvet_sink *sink;
  const fwvet_node *node;
  int kind;
  unsigned long budget; /* left for this file */
  struct crypt_data *cd;
} pwfile;

static int starts(field f, const char *s) {
  size_t n = strlen(s);
  return f.len >= n && memcmp(f.p, s, n) == 0;
}

static int crypt_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '/';
}

static enum hash_kind classify(field f) {
  if (f.len == 0 || f.p[0] == '*' || f.p[0] == '!' ||
      (f.len == 1 && f.p[0] == 'x') ||
      (f.len == 2 && (!memcmp(f.p, "LK", 2) || !memcmp(f.p, "NP", 2))))
    return H_NONE;
  if (starts(f, "$1$"))
    return H_MD5;
  if (starts(f, "$apr1$"))
    return H_APR1;
  if (starts(f, "{SHA}"))
    return H_SHA1;
  if (starts(f, "$5$") || starts(f, "$6$") || starts(f, "$2a$") ||
      starts(f, "$2b$") || starts(f, "$2y$") || starts(f, "$y$") ||
      starts(f, "$gy$") || starts(f, "$7$") || (f.len == 20 && f.p[0] == '_'))
    return H_STRONG;
  if (f.p[0] == '$')
    return H_UNKNOWN;
  if (f.len == 13) {
    size_t i = 0;
    while (i < 13 && crypt_char(f.p[i]))
      i++;
    if (i == 13)
      return H_DES;
  }
  return H_PLAIN;
}

/* A recognised hash or, with the file named htpasswd, anything. */
static int htpasswd_line(field *f, size_t n, int named) {
  if (n != 2 || f[0].len == 0 || f[1].len == 0)
    return 0;
  enum hash_kind k = classify(f[1]);
  return named || (k != H_PLAIN && k != H_NONE && k != H_UNKNOWN);
}

static int detect(const char *d, size_t len, int named) {
  size_t lines = 0, pw = 0, sh = 0, ht = 0;
  fwvet_pw_lines it;
  field f[9];
  size_t n;
  fwvet_pw_lines_init(&it, d, len);
  while (fwvet_pw_next(&it, f, 9, &n)) {
    int shape = fwvet_pw_shape(f, n);
    lines++;
    if (shape == FWVET_PW_PASSWD)
      pw++;
    else if (shape == FWVET_PW_SHADOW)
      sh++;
    else if (htpasswd_line(f, n, named))
      ht++;
  }
  if (lines == 0)
    return NOT_PWFILE;
  if (pw == lines)
    return PASSWD;
  if (sh == lines)
    return SHADOW;
  if (ht == lines)
    return HTPASSWD;
  return NOT_PWFILE;
}

static int itoa64_index(char c) {
  static const char itoa64[] =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const char *p = c ? strchr(itoa64, c) : NULL;
  return p ? (int)(p - itoa64) : -1;
}

/*
 * yescrypt "$y$" flags, N, r; scrypt "$7$" N, ...: ~40 ms at yescrypt's
 * default N = 2^12 (N character '9'), r = 32 ('T'), doubling with N and
 * linear in r.  Unusual parameter strings are charged as expensive.
 */
static unsigned long memory_hard_cost(const char *h) {
  const char *p = strchr(h + 1, '$') + 1;
  int n, r = 31;
  if (strlen(p) < 4)
    return 40000ul << 6;
  if (h[1] == '7') {
    n = itoa64_index(p[0]) - 2; /* scrypt's default N is 2^14 */
  } else {
    n = itoa64_index(p[1]);
    r = itoa64_index(p[2]);
    if (p[3] != '$')
      n = -1;
  }
  if (n < 0 || r < 0)
    return 40000ul << 6;
  if (n > 40)
    return ~0ul;
  unsigned long c = 40000ul * (unsigned long)(r + 1) / 32;
  return n >= 11 ? c << (n - 11) : c >> (11 - n);
}

/* Estimated microseconds for one crypt_rn() call on `h`. */
static unsigned long cost(const char *h) {
  if (!strncmp(h, "$5$", 3) || !strncmp(h, "$6$", 3)) {
    unsigned long rounds = 5000;
    if (!strncmp(h + 3, "rounds=", 7))
      rounds = strtoul(h + 10, NULL, 10);
    return rounds < 1000 ? 1000 : rounds;
  }
  if (!strncmp(h, "$2", 2) && strlen(h) > 6) {
    unsigned c = (unsigned)atoi(h + 4);
    return c > 31 ? ~0ul : 64ul << c;
  }
  if (!strncmp(h, "$y$", 3) || !strncmp(h, "$gy$", 4) || !strncmp(h, "$7$", 3))
    return memory_hard_cost(h);
  if (h[0] == '_')
    return 200;
  return h[0] == '$' ? 400 : 10; /* MD5, DES */
}

static int sha1_matches(const char *b64, const char *pw) {
  unsigned char md[EVP_MAX_MD_SIZE], enc[64];
  unsigned mdlen = 0;
  if (!EVP_Digest(pw, strlen(pw), md, &mdlen, EVP_sha1(), NULL))
    return 0;
  EVP_EncodeBlock(enc, md, (int)mdlen);
  return strcmp((const char *)enc, b64) == 0;
}

static void md5_add(EVP_MD_CTX *c, const void *p, size_t n) {
  EVP_DigestUpdate(c, p, n);
}

/*
 * Apache's "$apr1$" hash: FreeBSD's MD5 crypt with another magic string,
 * which libxcrypt does not implement.  Writes the full hash into out (at
 * least 64 bytes); 0 on success.
 */
static int apr1(const char *pw, const char *setting, char *out) {
  static const char
      magic[] = "$apr1$",
      itoa64[] =
          "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const char *salt = setting + 6, *end = strchr(salt, '$');
  size_t sl = end ? (size_t)(end - salt) : strlen(salt), pl = strlen(pw);
  unsigned char fin[16], alt[16];
  int ok = 0;
  if (sl > 8)
    sl = 8;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  if (!c)
    return -1;
  if (!EVP_DigestInit_ex(c, EVP_md5(), NULL))
    goto out;
  md5_add(c, pw, pl);
  md5_add(c, salt, sl);
  md5_add(c, pw, pl);
  EVP_DigestFinal_ex(c, alt, NULL);
  EVP_DigestInit_ex(c, EVP_md5(), NULL);
  md5_add(c, pw, pl);
  md5_add(c, magic, 6);
  md5_add(c, salt, sl);
  for (size_t n = pl; n > 0; n -= n > 16 ? 16 : n)
    md5_add(c, alt, n > 16 ? 16 : n);
  for (size_t n = pl; n; n >>= 1)
    md5_add(c, n & 1 ? "" : pw, 1);
  EVP_DigestFinal_ex(c, fin, NULL);
  for (int i = 0; i < 1000; i++) {
    EVP_DigestInit_ex(c, EVP_md5(), NULL);
    if (i & 1)
      md5_add(c, pw, pl);
    else
      md5_add(c, fin, 16);
    if (i % 3)
      md5_add(c, salt, sl);
    if (i % 7)
      md5_add(c, pw, pl);
    if (i & 1)
      md5_add(c, fin, 16);
    else
      md5_add(c, pw, pl);
    EVP_DigestFinal_ex(c, fin, NULL);
  }
  static const unsigned char order[5][3] = {
      {0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
  size_t o = (size_t)snprintf(out, 64, "%s%.*s$", magic, (int)sl, salt);
  for (int g = 0; g < 6; g++) {
    unsigned long v = g < 5 ? (unsigned long)fin[order[g][0]] << 16 |
                                  (unsigned long)fin[order[g][1]] << 8 |
                                  fin[order[g][2]]
                            : fin[11];
    for (int n = g < 5 ? 4 : 2; n--; v >>= 6)
      out[o++] = itoa64[v & 0x3f];
  }
  out[o] = '\0';
  ok = 1;
out:
  EVP_MD_CTX_free(c);
  return ok ? 0 : -1;
}

/* One candidate against a salted hash. */
static int crypt_matches(pwfile *pf, enum hash_kind k, const char *pw,
                         const char *hash) {
  char mine[64];
  if (k == H_APR1)
    return apr1(pw, hash, mine) == 0 && strcmp(mine, hash) == 0;
  const char *r = crypt_rn(pw, hash, pf->cd, sizeof *pf->cd);
  return r && strcmp(r, hash) == 0;
}

/*
 * Tries the list against `hash` until a match or the budget runs out;
 * returns the matching entry or NULL.
 */
static const char *recover(pwfile *pf, enum hash_kind k, const char *hash) {
  unsigned long per = k == H_PLAIN || k == H_SHA1 ? 0 : cost(hash), spent = 0;
  for (size_t i = 0; i < NPASSWORDS; i++) {
    const char *pw = default_passwords[i];
    int hit;
    if (per) {
      if (per > HASH_BUDGET - spent || per > pf->budget)
        return NULL;
      spent += per;
      pf->budget -= per;
      hit = crypt_matches(pf, k, pw, hash);
    } else {
      hit = k == H_PLAIN ? !strcmp(pw, hash) : sha1_matches(hash + 5, pw);
    }
    if (hit)
      return pw;
  }
  return NULL;
}

static const char *file_kind(int kind) {
  return kind == PASSWD ? "passwd" : kind == SHADOW ? "shadow" : "htpasswd";
}

static void weak(pwfile *pf, const char *name, enum hash_kind k,
                 unsigned lineno) {
  static const char *const what[] = {[H_PLAIN] = "plaintext",
                                     [H_DES] = "des",
                                     [H_MD5] = "md5",
                                     [H_APR1] = "apr1-md5",
                                     [H_SHA1] = "sha1"};
  static const char *const why[] = {
      [H_PLAIN] = "a plaintext password: anyone who reads the file has it",
      [H_DES] = "a DES crypt hash: at most 8 characters are used and it "
                "is cracked in minutes",
      [H_MD5] = "an MD5 crypt hash: fast to brute-force on a GPU",
      [H_APR1] = "an Apache MD5 hash: fast to brute-force on a GPU",
      [H_SHA1] = "an unsalted SHA-1 hash: precomputed tables crack it"};
  char ev[192];
  snprintf(ev, sizeof ev, "%s:%s", name, what[k]);
  fwvet_sink_report(pf->sink, pf->node, "credential.weak-hash",
                    FWVET_SEV_MEDIUM, FWVET_NO_OFFSET, lineno, ev,
                    "account '%s' in %s has %s", name, file_kind(pf->kind),
                    why[k]);
}

static void check_line(pwfile *pf, const field *f, unsigned lineno) {
  char name[128], hash[MAX_HASH], ev[256];
  enum hash_kind k = classify(f[1]);
  if (k == H_NONE || f[1].len >= MAX_HASH)
    return;
  snprintf(name, sizeof name, "%.*s", (int)f[0].len, f[0].p);
  snprintf(hash, sizeof hash, "%.*s", (int)f[1].len, f[1].p);
  if (pf->kind == HTPASSWD) {
    snprintf(ev, sizeof ev, "htpasswd:%s", name);
    fwvet_sink_report(pf->sink, pf->node, "credential.hardcoded",
                      FWVET_SEV_MEDIUM, FWVET_NO_OFFSET, lineno, ev,
                      "HTTP basic-auth credentials for user '%s' are "
                      "shipped in an htpasswd file: every device has them",
                      name);
  }
  if (k == H_PLAIN || k == H_DES || k == H_MD5 || k == H_APR1 || k == H_SHA1)
    weak(pf, name, k, lineno);
  if (k == H_UNKNOWN)
    return;
  const char *pw = recover(pf, k, hash);
  if (!pw)
    return;
  snprintf(ev, sizeof ev, "%s:%s", name, pw);
  fwvet_sink_report(pf->sink, pf->node, "credential.default-password",
                    FWVET_SEV_CRITICAL, FWVET_NO_OFFSET, lineno, ev,
                    "account '%s' in %s has the password '%s', from the "
                    "list of vendor default and common passwords: anyone "
                    "can log in as it",
                    name, file_kind(pf->kind), pw);
}

static int named_htpasswd(const fwvet_node *node) {
  const char *p = fwvet_node_fspath(node), *b = strrchr(p, '/');
  b = b ? b + 1 : p;
  return !strcmp(b, ".htpasswd") || !strcmp(b, "htpasswd");
}

/* A `user:hash` file that says it is an example (mosquitto's
 * pwfile.example) or lives with the documentation: nothing reads it.
 * Passwd and shadow files are checked wherever they are. */
static int example_file(const fwvet_node *node) {
  static const char *const suffix[] = {".example", ".sample", ".dist"};
  const char *p = fwvet_node_fspath(node);
  size_t n = strlen(p);
  if (!strncmp(p, "/usr/share/doc/", 15))
    return 1;
  for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
    size_t sl = strlen(suffix[i]);
    if (n > sl && !strcmp(p + n - sl, suffix[i]))
      return 1;
  }
  return 0;
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 ||
      len > MAX_PASSWORD_FILE || strcmp(fwvet_node_type(node), "text") != 0)
    return;
  const char *d = (const char *)data;
  pwfile pf = {sink, node, detect(d, len, named_htpasswd(node)), FILE_BUDGET,
               NULL};
  if (pf.kind == NOT_PWFILE || (pf.kind == HTPASSWD && example_file(node)))
    return;
  pf.cd = calloc(1, sizeof *pf.cd);
  if (!pf.cd)
    return;
  fwvet_pw_lines it;
  field f[9];
  size_t n;
  fwvet_pw_lines_init(&it, d, len);
  while (fwvet_pw_next(&it, f, 9, &n))
    check_line(&pf, f, it.lineno);
  free(pf.cd);
}

const fwvet_analyser fwvet_analyser_credentials = {"credentials", analyse};
