/*
 * Accounts: passwd and shadow files, recognised by their content (lines of
 * 7 or 9 colon-separated fields), wherever they are in the image.
 *   account.uid0            an account other than root with UID 0
 *   account.empty-password  an account whose password field is empty
 */
#include <stdio.h>
#include <string.h>

#include "analyse/analyser.h"

#define MAX_ACCOUNT_FILE (1u << 20)

enum { NOT_ACCOUNTS, PASSWD, SHADOW };

typedef struct field {
  const char *p;
  size_t len;
} field;

/* Splits one line into up to `max` colon-separated fields; returns the
 * number of fields found. */
static size_t split(const char *line, size_t len, field *f, size_t max) {
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || line[i] == ':') {
      if (n < max)
        f[n] = (field){line + start, i - start};
      n++;
      start = i + 1;
    }
  }
  return n;
}

static int numeric(field f) {
  if (f.len == 0 || f.len > 10)
    return 0;
  for (size_t i = 0; i < f.len; i++)
    if (f.p[i] < '0' || f.p[i] > '9')
      return 0;
  return 1;
}

static int is_comment(const char *line, size_t len) {
  return len == 0 || line[0] == '#';
}

/* Decides what the file is from all of its lines. */
static int detect(const char *d, size_t len) {
  size_t lines = 0, pw = 0, sh = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(d + pos, '\n', len - pos);
    size_t l = nl ? (size_t)(nl - (d + pos)) : len - pos;
    const char *line = d + pos;
    pos += l + 1;
    if (l && line[l - 1] == '\r')
      l--;
    if (is_comment(line, l))
      continue;
    lines++;
    field f[9];
    size_t n = split(line, l, f, 9);
    if (n == 7 && f[0].len && numeric(f[2]) && numeric(f[3]))
      pw++;
    else if (n == 9 && f[0].len && (f[2].len == 0 || numeric(f[2])))
      sh++;
  }
  if (lines == 0)
    return NOT_ACCOUNTS;
  if (pw == lines)
    return PASSWD;
  if (sh == lines)
    return SHADOW;
  return NOT_ACCOUNTS;
}

static void check_line(fwvet_sink *sink, const fwvet_node *node, int kind,
                       const field *f, unsigned lineno) {
  char name[128], ev[192];
  snprintf(name, sizeof name, "%.*s", (int)f[0].len, f[0].p);
  if (f[1].len == 0) {
    snprintf(ev, sizeof ev, "%s::", name);
    fwvet_sink_report(sink, node, "account.empty-password",
                      FWVET_SEV_CRITICAL, FWVET_NO_OFFSET, lineno, ev,
                      "account '%s' has an empty password field in %s: "
                      "anyone can log in as it without a password",
                      name, kind == PASSWD ? "passwd" : "shadow");
  }
  if (kind == PASSWD && f[2].len == 1 && f[2].p[0] == '0' &&
      strcmp(name, "root") != 0) {
    snprintf(ev, sizeof ev, "%s:uid=0", name);
    fwvet_sink_report(sink, node, "account.uid0", FWVET_SEV_HIGH,
                      FWVET_NO_OFFSET, lineno, ev,
                      "account '%s' has UID 0: it is a second root account",
                      name);
  }
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 ||
      len > MAX_ACCOUNT_FILE || strcmp(fwvet_node_type(node), "text") != 0)
    return;
  const char *d = (const char *)data;
  int kind = detect(d, len);
  if (kind == NOT_ACCOUNTS)
    return;
  unsigned lineno = 0;
  for (size_t pos = 0; pos < len;) {
    const char *nl = memchr(d + pos, '\n', len - pos);
    size_t l = nl ? (size_t)(nl - (d + pos)) : len - pos;
    const char *line = d + pos;
    pos += l + 1;
    lineno++;
    if (l && line[l - 1] == '\r')
      l--;
    if (is_comment(line, l))
      continue;
    field f[9];
    split(line, l, f, 9);
    check_line(sink, node, kind, f, lineno);
  }
}

const fwvet_analyser fwvet_analyser_accounts = {"accounts", analyse};
