/*
 * SSH keys: authorized_keys files, OpenSSH new-format private keys (also
 * embedded in binaries) and PuTTY private keys.
 *   credential.authorized-key  an authorized_keys file: whoever holds the
 *                              private half can log in to every device
 *   credential.private-key     an OpenSSH or PuTTY private key
 *   crypto.weak-key            such a private key that is too short
 * Keys are named like `ssh-keygen -l` does: type, bits and SHA256:<base64
 * of the SHA-256 of the public key blob>; the public blob is stored in the
 * clear in both private formats, so encrypted keys are named too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "analyse/analyser.h"
#include "core/literals.h"
#include "core/cursor.h"

#define MAX_TEXT_FILE (1u << 20)
#define MAX_KEY_FILE (64u << 20)
#define MAX_BLOB (16u << 10)
#define MAX_KEYS 256 /* reported per file */

typedef struct sshkey {
  char type[48];
  unsigned bits;
  char fp[64]; /* "SHA256:..." */
} sshkey;

typedef struct ctx {
  fwvet_sink *sink;
  const fwvet_node *node;
  unsigned reported;
} ctx;

static int b64char(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
}

/*
 * Decodes base64 from [s, s+n), skipping whitespace, into a new buffer;
 * returns its length, or 0 (nothing allocated) if it is not base64.
 */
static size_t unbase64(const uint8_t *s, size_t n, uint8_t **out) {
  if (n > 4 * MAX_BLOB)
    return 0;
  uint8_t *clean = malloc(n + 1), *dec = malloc(n / 4 * 3 + 3);
  size_t m = 0, pad = 0;
  if (!clean || !dec)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
      continue;
    if (!b64char(s[i]))
      goto fail;
    clean[m++] = s[i];
  }
  if (m == 0 || m % 4)
    goto fail;
  pad = (clean[m - 1] == '=') + (clean[m - 2] == '=');
  int r = EVP_DecodeBlock(dec, clean, (int)m);
  if (r < 0 || (size_t)r < pad)
    goto fail;
  free(clean);
  *out = dec;
  return (size_t)r - pad;
fail:
  free(clean);
  free(dec);
  return 0;
}

/* An SSH wire string: 4-byte big-endian length, then bytes. */
static const uint8_t *take_string(fwvet_cursor *c, uint32_t *n) {
  *n = fwvet_cursor_u32(c);
  return fwvet_cursor_take(c, *n);
}

static unsigned mpint_bits(const uint8_t *p, uint32_t n) {
  while (n && *p == 0)
    p++, n--;
  if (n == 0)
    return 0;
  unsigned bits = (unsigned)(n - 1) * 8;
  for (uint8_t b = *p; b; b >>= 1)
    bits++;
  return bits;
}

/* Parses a public key blob; 0 on success. */
static int parse_blob(const uint8_t *blob, size_t n, sshkey *k) {
  fwvet_cursor c;
  uint32_t tl, l1, l2;
  fwvet_cursor_init(&c, blob, n, 1);
  const uint8_t *t = take_string(&c, &tl);
  if (!t || tl == 0 || tl >= sizeof k->type)
    return -1;
  snprintf(k->type, sizeof k->type, "%.*s", (int)tl, (const char *)t);
  const uint8_t *a = take_string(&c, &l1), *b = take_string(&c, &l2);
  if (!strcmp(k->type, "ssh-rsa") && a && b)
    k->bits = mpint_bits(b, l2); /* e, n */
  else if (!strcmp(k->type, "ssh-dss") && a)
    k->bits = mpint_bits(a, l1); /* p, q, g, y */
  else if (!strncmp(k->type, "ecdsa-sha2-nistp", 16) ||
           !strncmp(k->type, "sk-ecdsa-sha2-nistp", 19))
    k->bits = (unsigned)atoi(strstr(k->type, "nistp") + 5);
  else if (strstr(k->type, "ed25519"))
    k->bits = 256;
  else if (strncmp(k->type, "ssh-", 4) && strncmp(k->type, "sk-", 3) &&
           strncmp(k->type, "ecdsa-", 6))
    return -1;
  unsigned char md[EVP_MAX_MD_SIZE], enc[48];
  unsigned mdlen = 0;
  if (!EVP_Digest(blob, n, md, &mdlen, EVP_sha256(), NULL))
    return -1;
  EVP_EncodeBlock(enc, md, (int)mdlen);
  char *eq = strchr((char *)enc, '=');
  if (eq)
    *eq = '\0';
  snprintf(k->fp, sizeof k->fp, "SHA256:%s", (const char *)enc);
  return 0;
}

static int too_short(const sshkey *k) {
  int rsa = !strcmp(k->type, "ssh-rsa"), dsa = !strcmp(k->type, "ssh-dss");
  return ((rsa || dsa) && k->bits < 2048) ||
         (strstr(k->type, "nistp") && k->bits < 224);
}

static void private_key(ctx *c, const sshkey *k, const char *format,
                        unsigned line) {
  char ev[160];
  if (c->reported++ >= MAX_KEYS)
    return;
  snprintf(ev, sizeof ev, "%s:%u:%s", k->type, k->bits, k->fp);
  fwvet_sink_report(c->sink, c->node, "credential.private-key", FWVET_SEV_HIGH,
                    FWVET_NO_OFFSET, line, ev,
                    "an %s private key (%s %u bits, %s) is shipped in the "
                    "image: whoever extracts it can impersonate the device "
                    "or log in where it is authorized",
                    format, k->type, k->bits, k->fp);
  if (too_short(k))
    fwvet_sink_report(c->sink, c->node, "crypto.weak-key", FWVET_SEV_MEDIUM,
                      FWVET_NO_OFFSET, line, ev,
                      "an %s private key is too short (%s %u bits): it can "
                      "be broken with public means",
                      format, k->type, k->bits);
}

static unsigned count_lines(const uint8_t *d, size_t n) {
  unsigned l = 1;
  for (size_t i = 0; i < n; i++)
    l += d[i] == '\n';
  return l;
}

/* "openssh-key-v1\0", cipher, kdf, kdf options, key count, public blob. */
static void openssh_block(ctx *c, const uint8_t *body, size_t n,
                          unsigned line) {
  uint8_t *raw = NULL;
  size_t rn = unbase64(body, n, &raw);
  if (!rn)
    return;
  fwvet_cursor cur;
  uint32_t l;
  fwvet_cursor_init(&cur, raw, rn, 1);
  const uint8_t *magic = fwvet_cursor_take(&cur, 15);
  sshkey k = {0};
  if (magic && !memcmp(magic, "openssh-key-v1", 15) && take_string(&cur, &l) &&
      take_string(&cur, &l) && take_string(&cur, &l) &&
      fwvet_cursor_u32(&cur) >= 1 && !cur.bad) {
    const uint8_t *blob = take_string(&cur, &l);
    if (blob && parse_blob(blob, l, &k) == 0)
      private_key(c, &k, "OpenSSH", line);
  }
  free(raw);
}

static void scan_openssh(ctx *c, const uint8_t *d, size_t len, int text) {
  static const char begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----",
                    end[] = "-----END OPENSSH PRIVATE KEY-----";
  unsigned line = 1, blocks = 0;
  size_t counted = 0; /* lines counted up to here */
  /* Every marker may cost a search of 4 * MAX_BLOB bytes: cap them. */
  for (size_t pos = 0, tries = 0;
       pos < len && blocks < MAX_KEYS && tries < 4 * MAX_KEYS; tries++) {
    const uint8_t *b = memmem(d + pos, len - pos, begin, sizeof begin - 1);
    if (!b)
      return;
    size_t at = (size_t)(b - d) + sizeof begin - 1;
    size_t window = len - at < 4 * MAX_BLOB ? len - at : 4 * MAX_BLOB;
    const uint8_t *e = memmem(d + at, window, end, sizeof end - 1);
    pos = at;
    if (!e)
      continue;
    blocks++;
    if (text) {
      line += count_lines(d + counted, (size_t)(b - d) - counted) - 1;
      counted = (size_t)(b - d);
    }
    openssh_block(c, d + at, (size_t)(e - (d + at)), text ? line : 0);
    pos = (size_t)(e - d) + sizeof end - 1;
  }
}

/* "PuTTY-User-Key-File-N: type", ..., "Public-Lines: N", N lines base64. */
static void scan_putty(ctx *c, const uint8_t *d, size_t len) {
  static const char magic[] = "PuTTY-User-Key-File-",
                    lines[] = "\nPublic-Lines: ";
  if (len < sizeof magic || memcmp(d, magic, sizeof magic - 1))
    return;
  const uint8_t *p = memmem(d, len, lines, sizeof lines - 1);
  if (!p)
    return;
  size_t at = (size_t)(p - d) + sizeof lines - 1;
  unsigned n = 0;
  while (at < len && d[at] >= '0' && d[at] <= '9' && n < 1000)
    n = n * 10 + (unsigned)(d[at++] - '0');
  size_t start = at < len && d[at] == '\r' ? at + 1 : at;
  if (start >= len || d[start] != '\n')
    return;
  size_t stop = ++start;
  for (unsigned i = 0; i < n && stop < len; i++) {
    const uint8_t *nl = memchr(d + stop, '\n', len - stop);
    stop = nl ? (size_t)(nl - d) + 1 : len;
  }
  uint8_t *blob = NULL;
  size_t bn = unbase64(d + start, stop - start, &blob);
  sshkey k = {0};
  if (bn && parse_blob(blob, bn, &k) == 0)
    private_key(c, &k, "PuTTY", 1);
  free(blob);
}

/* authorized_keys options: the prefix must start with one of these. */
static int option_word(const char *s, size_t n) {
  static const char *const words[] = {"command=",
                                      "from=",
                                      "environment=",
                                      "permitopen=",
                                      "permitlisten=",
                                      "principals=",
                                      "tunnel=",
                                      "expiry-time=",
                                      "no-pty",
                                      "no-port-forwarding",
                                      "no-agent-forwarding",
                                      "no-X11-forwarding",
                                      "no-user-rc",
                                      "cert-authority",
                                      "restrict",
                                      "pty",
                                      "agent-forwarding",
                                      "port-forwarding",
                                      "user-rc",
                                      "X11-forwarding",
                                      "no-touch-required",
                                      "verify-required"};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    size_t w = strlen(words[i]);
    if (n >= w && !strncmp(s, words[i], w) &&
        (words[i][w - 1] == '=' || n == w || s[w] == ',' || s[w] == ' '))
      return 1;
  }
  return 0;
}

/*
 * One line: [options] type base64 [comment].  Returns 0 and fills `k` and
 * `comment` for a key whose blob names the same type.
 */
static int key_line(const char *s, size_t n, sshkey *k, char *comment,
                    size_t csize) {
  size_t i = 0;
  if (option_word(s, n)) {
    int quoted = 0;
    for (; i < n && (quoted || (s[i] != ' ' && s[i] != '\t')); i++)
      if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
        quoted = !quoted;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
      i++;
  }
  size_t t0 = i;
  while (i < n && s[i] != ' ' && s[i] != '\t')
    i++;
  size_t tl = i - t0;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  size_t b0 = i;
  while (i < n && s[i] != ' ' && s[i] != '\t')
    i++;
  if (tl == 0 || i == b0)
    return -1;
  uint8_t *blob = NULL;
  size_t bn = unbase64((const uint8_t *)s + b0, i - b0, &blob);
  int r = bn ? parse_blob(blob, bn, k) : -1;
  free(blob);
  if (r || strlen(k->type) != tl || memcmp(k->type, s + t0, tl))
    return -1;
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  snprintf(comment, csize, "%.*s", (int)(n - i < 64 ? n - i : 64), s + i);
  return 0;
}

static const char *basename_of(const fwvet_node *node) {
  const char *p = fwvet_node_fspath(node), *b = strrchr(p, '/');
  return b ? b + 1 : p;
}

/* Every non-comment line is a key: an authorized_keys file.  A file named
 * so needs only one; *.pub and known_hosts are never one. */
static void scan_authorized(ctx *c, const char *d, size_t len) {
  const char *name = basename_of(c->node);
  size_t nl_ = strlen(name);
  int named =
      !strcmp(name, "authorized_keys") || !strcmp(name, "authorized_keys2");
  if ((nl_ > 4 && !strcmp(name + nl_ - 4, ".pub")) ||
      strstr(name, "known_hosts"))
    return;
  for (int pass = 0; pass < 2; pass++) {
    unsigned lineno = 0, keys = 0, other = 0;
    for (size_t pos = 0; pos < len;) {
      const char *nl = memchr(d + pos, '\n', len - pos);
      size_t l = nl ? (size_t)(nl - (d + pos)) : len - pos;
      const char *line = d + pos;
      pos += l + 1;
      lineno++;
      if (l && line[l - 1] == '\r')
        l--;
      if (l == 0 || line[0] == '#')
        continue;
      sshkey k = {0};
      char comment[80], ev[192];
      if (key_line(line, l, &k, comment, sizeof comment)) {
        other++;
        continue;
      }
      keys++;
      if (pass == 0 || c->reported++ >= MAX_KEYS)
        continue;
      snprintf(ev, sizeof ev, "%s:%s:%s", k.type, comment, k.fp);
      fwvet_sink_report(c->sink, c->node, "credential.authorized-key",
                        FWVET_SEV_HIGH, FWVET_NO_OFFSET, lineno, ev,
                        "an SSH key (%s %u bits, %s, '%s') is authorized "
                        "to log in: whoever holds its private half can "
                        "log in to every device",
                        k.type, k.bits, k.fp, comment);
    }
    if (keys == 0 || (other && !named))
      return;
  }
}

/* One prefilter pass: most files hold no OpenSSH key. */
static const char *const openssh_begin[] = {
    "-----BEGIN OPENSSH PRIVATE KEY-----"};
static fwvet_literal_set openssh_marker =
    FWVET_LITERAL_STRINGS(openssh_begin);

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 ||
      len > MAX_KEY_FILE)
    return;
  ctx c = {sink, node, 0};
  const char *type = fwvet_node_type(node);
  int text = !strcmp(type, "text") || !strcmp(type, "pem");
  if (fwvet_literals_scan(&openssh_marker, data, len))
    scan_openssh(&c, data, len, text);
  if (!strcmp(type, "text") && len <= MAX_TEXT_FILE) {
    scan_putty(&c, data, len);
    scan_authorized(&c, (const char *)data, len);
  }
}

const fwvet_analyser fwvet_analyser_sshkeys = {"sshkeys", analyse};
