/*
 * Package databases: the names and exact versions a distribution's
 * package manager recorded.  dpkg and opkg/ipkg keep RFC 822 style
 * stanzas ("Package:", "Version:", "Status:"; opkg also one control file
 * per package), Alpine's apk one "P:"/"V:" line per field.  Packages the
 * signature database knows become its product (by package name, or by
 * dpkg's "Source:"), others are components under their package name.
 * RPM's SQLite database is read by rpmdb.c.
 */
#include <stdio.h>
#include <string.h>

#include "analyse/pkgdb.h"
#include "fwvet/vulndb.h"
#include "sig/sigdb.h"

#define MAX_DB (64u << 20)
#define MAX_FIELD 256

typedef enum db_kind { DB_NONE, DB_STATUS, DB_CONTROL, DB_APK } db_kind;

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

static db_kind kind_of(const char *fs) {
  static const char *const status[] = {
      "/var/lib/dpkg/status", "/usr/lib/opkg/status", "/var/lib/opkg/status",
      "/usr/lib/ipkg/status", "/var/lib/ipkg/status",
  };
  for (size_t i = 0; i < sizeof status / sizeof *status; i++)
    if (ends_with(fs, status[i]))
      return DB_STATUS;
  if (ends_with(fs, ".control") &&
      (strstr(fs, "/opkg/info/") || strstr(fs, "/ipkg/info/")))
    return DB_CONTROL;
  if (ends_with(fs, "/lib/apk/db/installed"))
    return DB_APK;
  return DB_NONE;
}

typedef struct stanza {
  char package[MAX_FIELD], version[MAX_FIELD], status[MAX_FIELD];
  char source[MAX_FIELD];
  uint64_t offset;
  int any;
} stanza;

static void field(char *dst, const char *v, size_t n) {
  while (n && (*v == ' ' || *v == '\t')) {
    v++;
    n--;
  }
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
    n--;
  if (n >= MAX_FIELD)
    n = MAX_FIELD - 1;
  memcpy(dst, v, n);
  dst[n] = '\0';
}

static int installed(const stanza *s) {
  if (!s->status[0])
    return 1; /* control files and apk have no status: present */
  const char *last = strrchr(s->status, ' ');
  return !strcmp(last ? last + 1 : s->status, "installed");
}

static void emit(fwvet_sink *sink, const fwvet_node *node, const stanza *s) {
  if (!s->package[0] || !s->version[0] || !installed(s))
    return;
  const fwvet_sigdb *db = fwvet_sink_signatures(sink);
  long prod = fwvet_sigdb_package(db, s->package);
  if (prod < 0 && s->source[0]) {
    /* dpkg: "Source: openssl" or "Source: openssl (3.0.11-1)" */
    char src[MAX_FIELD];
    snprintf(src, sizeof src, "%s", s->source);
    src[strcspn(src, " (")] = '\0';
    prod = fwvet_sigdb_package(db, src);
  }
  char up[MAX_FIELD], ev[2 * MAX_FIELD + 32];
  fwvet_version_upstream(s->version, up, sizeof up);
  snprintf(ev, sizeof ev, "Package: %s, Version: %s", s->package,
           s->version);
  fwvet_sink_component(sink, node, prod, s->package, up[0] ? up : NULL,
                       s->version, FWVET_EVIDENCE_PACKAGE, s->offset, ev);
}

void fwvet_pkgdb_read(fwvet_sink *sink, const fwvet_node *node,
                      const uint8_t *data, size_t len) {
  db_kind kind = kind_of(fwvet_node_fspath(node));
  if (kind == DB_NONE || len > MAX_DB || !fwvet_sink_signatures(sink))
    return;
  const char *text = (const char *)data;
  stanza s = {0};
  for (size_t pos = 0; pos < len;) {
    const char *l = text + pos;
    const char *nl = memchr(l, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - l) : len - pos;
    pos += n + (nl ? 1 : 0);
    if (n == 0 || (n == 1 && l[0] == '\r')) { /* end of a stanza */
      if (s.any)
        emit(sink, node, &s);
      memset(&s, 0, sizeof s);
      continue;
    }
    const char *colon = memchr(l, ':', n);
    if (l[0] == ' ' || l[0] == '\t' || !colon)
      continue; /* continuation lines add nothing read here */
    size_t kn = (size_t)(colon - l), vn = n - kn - 1;
    if (!s.any)
      s.offset = (uint64_t)(l - text);
    s.any = 1;
    char *dst = NULL;
    if (kind == DB_APK)
      dst = kn != 1 ? NULL : l[0] == 'P' ? s.package
                           : l[0] == 'V' ? s.version : NULL;
    else if (kn == 7 && !strncmp(l, "Package", 7))
      dst = s.package;
    else if (kn == 7 && !strncmp(l, "Version", 7))
      dst = s.version;
    else if (kn == 6 && !strncmp(l, "Status", 6))
      dst = s.status;
    else if (kn == 6 && !strncmp(l, "Source", 6))
      dst = s.source;
    if (dst)
      field(dst, colon + 1, vn);
  }
  if (s.any)
    emit(sink, node, &s);
}
