/*
 * Accounts: passwd and shadow files, recognised by their content (lines of
 * 7 or 9 colon-separated fields), wherever they are in the image.
 *   account.uid0            an account other than root with UID 0
 *   account.empty-password  an account whose password field is empty
 */
#include <stdio.h>
#include <string.h>

#include "analyse/analyser.h"
#include "analyse/pwfile.h"

#define MAX_ACCOUNT_FILE (1u << 20)

enum { NOT_ACCOUNTS, PASSWD = FWVET_PW_PASSWD, SHADOW = FWVET_PW_SHADOW };

/* Every non-comment line has one shape: that shape, else NOT_ACCOUNTS. */
static int detect(const char *d, size_t len) {
  size_t lines = 0, pw = 0, sh = 0;
  fwvet_pw_lines it;
  fwvet_field f[9];
  size_t n;
  fwvet_pw_lines_init(&it, d, len);
  while (fwvet_pw_next(&it, f, 9, &n)) {
    int shape = fwvet_pw_shape(f, n);
    lines++;
    pw += shape == FWVET_PW_PASSWD;
    sh += shape == FWVET_PW_SHADOW;
  }
  if (lines && pw == lines)
    return PASSWD;
  if (lines && sh == lines)
    return SHADOW;
  return NOT_ACCOUNTS;
}

static void check_line(fwvet_sink *sink, const fwvet_node *node, int kind,
                       const fwvet_field *f, unsigned lineno) {
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
  fwvet_pw_lines it;
  fwvet_field f[9];
  size_t n;
  fwvet_pw_lines_init(&it, d, len);
  while (fwvet_pw_next(&it, f, 9, &n))
    check_line(sink, node, kind, f, it.lineno);
}

const fwvet_analyser fwvet_analyser_accounts = {"accounts", analyse};
