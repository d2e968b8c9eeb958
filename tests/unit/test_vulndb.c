/*
 * The vulnerability database: importing the NVD and OSV fixtures in
 * tests/fixtures/vuln/ (plain, gzip, zip built here), the exact sets of
 * records matched at and around every range edge, re-import, hostile and
 * broken input, CVSS scores from vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <zlib.h>

#include "fwvet/vulndb.h"
#include "vuln/vuln_int.h"

static char fixdir[3072];
static char tmpdir[64];

static void paths_init(void) {
  /* __FILE__ is .../tests/unit/test_vulndb.c */
  snprintf(fixdir, sizeof fixdir, "%s", __FILE__);
  char *p = strstr(fixdir, "/unit/test_vulndb.c");
  assert_non_null(p);
  snprintf(p, sizeof fixdir - (size_t)(p - fixdir), "/fixtures/vuln");
}

static char *fixture(const char *name) {
  static char buf[4][4096];
  static int k;
  char *b = buf[k++ % 4];
  snprintf(b, sizeof buf[0], "%s/%s", fixdir, name);
  return b;
}

static char *tmp(const char *name) {
  static char buf[4][4096];
  static int k;
  char *b = buf[k++ % 4];
  snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
  return b;
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n + 1);
  assert_non_null(b);
  assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return b;
}

static void spit(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, len, f), len);
  assert_int_equal(fclose(f), 0);
}

static void gzip_file(const char *in, const char *out) {
  size_t len;
  uint8_t *b = slurp(in, &len);
  gzFile g = gzopen(out, "wb9");
  assert_non_null(g);
  assert_int_equal(gzwrite(g, b, (unsigned)len), (int)len);
  assert_int_equal(gzclose(g), Z_OK);
  free(b);
}

/* A zip of (name, bytes) pairs, and one directory entry. */
static void zip_file(const char *out, const char *const *names,
                     const char *const *contents, size_t n) {
  struct archive *a = archive_write_new();
  assert_non_null(a);
  assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
  assert_int_equal(archive_write_open_filename(a, out), ARCHIVE_OK);
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, "advisories/");
  archive_entry_set_filetype(e, AE_IFDIR);
  archive_entry_set_perm(e, 0755);
  assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
  for (size_t i = 0; i < n; i++) {
    archive_entry_clear(e);
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)strlen(contents[i]));
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, contents[i], strlen(contents[i])),
                     (la_ssize_t)strlen(contents[i]));
  }
  archive_entry_free(e);
  assert_int_equal(archive_write_close(a), ARCHIVE_OK);
  archive_write_free(a);
}

static int count(fwvet_vulndb *db, const char *table) {
  char sql[64];
  sqlite3_stmt *s;
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  assert_int_equal(sqlite3_prepare_v2(db->db, sql, -1, &s, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(s), SQLITE_ROW);
  int n = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return n;
}

static int setup(void **state) {
  paths_init();
  snprintf(tmpdir, sizeof tmpdir, "/tmp/fwvet-vulndb-XXXXXX");
  assert_non_null(mkdtemp(tmpdir));
  return 0;
}

static int teardown(void **state) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

/* ---- matching ---- */

typedef struct got {
  char ids[2048];
  fwvet_vuln_match first; /* strings not kept */
  double cvss[16];
  char sev[16][16], ver[16][8], why[16][128], sum[16][128];
  int n;
} got;

static int collect(void *ud, const fwvet_vuln_match *m) {
  got *g = ud;
  size_t len = strlen(g->ids);
  snprintf(g->ids + len, sizeof g->ids - len, "%s%s", len ? " " : "",
           m->id);
  if (g->n < 16) {
    g->cvss[g->n] = m->cvss;
    snprintf(g->sev[g->n], sizeof g->sev[0], "%s", m->severity);
    snprintf(g->ver[g->n], sizeof g->ver[0], "%s",
             m->cvss_version ? m->cvss_version : "-");
    snprintf(g->why[g->n], sizeof g->why[0], "%s", m->match);
    snprintf(g->sum[g->n], sizeof g->sum[0], "%s",
             m->summary ? m->summary : "-");
  }
  g->n++;
  return 0;
}

static void match(fwvet_vulndb *db, const char *vendor, const char *product,
                  const char *name, const char *version, got *g) {
  fwvet_vuln_query q = {vendor, product, name, version};
  memset(g, 0, sizeof *g);
  assert_int_equal(fwvet_vulndb_match(db, &q, collect, g), FWVET_OK);
}

typedef struct row {
  const char *vendor, *product, *name, *version;
  const char *want; /* ids, space-separated, ordered */
} row;

static void check_rows(fwvet_vulndb *db, const row *rows, size_t n) {
  for (size_t i = 0; i < n; i++) {
    got g;
    match(db, rows[i].vendor, rows[i].product, rows[i].name,
          rows[i].version, &g);
    if (strcmp(g.ids, rows[i].want))
      fail_msg("%s:%s / %s %s: got '%s', want '%s'",
               rows[i].vendor ? rows[i].vendor : "-",
               rows[i].product ? rows[i].product : "-",
               rows[i].name ? rows[i].name : "-", rows[i].version, g.ids,
               rows[i].want);
  }
}

#define C(n) "CVE-2090-000" #n

static const row nvd_rows[] = {
    {"openssl", "openssl", NULL, "1.0.0z", ""},
    {"openssl", "openssl", NULL, "1.0.1", C(1)},
    {"openssl", "openssl", NULL, "1.0.1s", C(1)},
    {"openssl", "openssl", NULL, "1.0.1t", ""},
    {"openssl", "openssl", NULL, "1.0.1u", ""},
    {"openssl", "openssl", NULL, "1.0.2-beta1", C(3)},
    {"openssl", "openssl", NULL, "1.0.2beta1", C(3)},
    {"openssl", "openssl", NULL, "1.0.2-beta2", ""},
    {"openssl", "openssl", NULL, "1.0.2", C(1)},
    {"OpenSSL", "OpenSSL", NULL, "1.0.2a", C(1)},
    {"openssl", "openssl", NULL, "1.0.2g", C(1)},
    {"openssl", "openssl", NULL, "1.0.2h", ""},
    {"openssl", "openssl", NULL, "1.0.2k", ""},
    {"openssl", "openssl", NULL, "1.0.2l", C(2)},
    {"openssl", "openssl", NULL, "1.0.2t", C(2)},
    {"openssl", "openssl", NULL, "1.0.2u", ""},
    {"openssl", "openssl", NULL, "1.1.0", ""},
    {"openssl", "openssl", NULL, "1.1.1c", ""},
    {"openssl", "openssl", NULL, "1.1.1d", C(3)},
    {"openssl", "openssl", NULL, "1.1.1e", ""},
    {"openssl", "openssl", NULL, "", ""},
    {"openssl", "openssl", NULL, NULL, ""},
    {"openssl", "libssl", NULL, "1.0.2", ""},
    {"dropbear_ssh_project", "dropbear_ssh", NULL, "0.52", C(4)},
    {"dropbear_ssh_project", "dropbear_ssh", NULL, "2019.78", C(4)},
    {"dropbear_ssh_project", "dropbear_ssh", NULL, "2020.80", C(4)},
    {"dropbear_ssh_project", "dropbear_ssh", NULL, "2020.81", ""},
    {"dropbear_ssh_project", "dropbear_ssh", NULL, "2022.83", ""},
    {"busybox", "busybox", NULL, "1.35.0", ""},
    {"busybox", "busybox", NULL, "1.36.0", C(5)},
    {"busybox", "busybox", NULL, "1.36.1", C(5)},
    {"busybox", "busybox", NULL, "1.36.2", C(9)},
    {"busybox", "busybox", NULL, "1.37.0", C(9)},
    {"linux", "linux_kernel", NULL, "4.13.99", ""},
    {"linux", "linux_kernel", NULL, "4.14", C(6)},
    {"linux", "linux_kernel", NULL, "4.14.18", C(6)},
    {"linux", "linux_kernel", NULL, "4.14.99", C(6)},
    {"linux", "linux_kernel", NULL, "4.14.100", ""},
    {"linux", "linux_kernel", NULL, "4.14.101", C(6)},
    {"linux", "linux_kernel", NULL, "4.14.179", C(6)},
    {"linux", "linux_kernel", NULL, "4.14.180", ""},
    {"linux", "linux_kernel", NULL, "5.4-rc1", C(6)},
    {"linux", "linux_kernel", NULL, "5.4rc1", C(6)},
    {"linux", "linux_kernel", NULL, "5.4", ""},
    {"example", "node.js", NULL, "18.0.0", C(9)},
    {"example", "node.js", NULL, "18.0.1", ""},
    /* the OS of CVE-2090-0002's AND is context, not an affected product */
    {"debian", "debian_linux", NULL, "9.0", ""},
};

static const row osv_rows[] = {
    {NULL, NULL, "busybox", "1.20.2", "OSV-2090-1"},
    {NULL, NULL, "busybox", "1.20.3", ""},
    {NULL, NULL, "busybox", "1.29.9", ""},
    {NULL, NULL, "busybox", "1.30.0", "OSV-2090-1"},
    {NULL, NULL, "BusyBox", "1.33.2", "OSV-2090-1"},
    {NULL, NULL, "busybox", "1.34.0", ""},
    {NULL, NULL, "busybox", "1.34.1", ""},
    {NULL, NULL, "busybox", "1.35.0", "OSV-2090-1"},
    {NULL, NULL, "busybox", "1.35.1", "OSV-2090-1"},
    {NULL, NULL, "busybox", "1.35.2", ""},
    {NULL, NULL, "busybox", "1.36.0", ""},
    {NULL, NULL, "busybox", "1.36.1", "OSV-2090-1"},
    {NULL, NULL, "busybox", "1.37.0", "OSV-2090-3"},
    {NULL, NULL, "busybox", "1.38", "OSV-2090-3"},
    {NULL, NULL, "dropbear", "0.52", "OSV-2090-2"},
    {NULL, NULL, "dropbear", "2022.82", "OSV-2090-2"},
    {NULL, NULL, "dropbear", "2022.83", ""},
    {NULL, NULL, "left-pad", "1.0.0", "GHSA-2090-aaaa-bbbb"},
    {NULL, NULL, "left-pad", "1.1.0", "OSV-2090-3"},
    {NULL, NULL, "left-pad", "1.2.9", "OSV-2090-3"},
    {NULL, NULL, "left-pad", "1.3.0", ""},
    /* both sources at once, ordered by id */
    {"busybox", "busybox", "busybox", "1.36.1", "CVE-2090-0005 OSV-2090-1"},
    {"busybox", "busybox", "busybox", "1.37.0", "CVE-2090-0009 OSV-2090-3"},
    {"busybox", "busybox", NULL, "1.20.2", ""},
};

static fwvet_vulndb *open_new(const char *name) {
  fwvet_vulndb *db = NULL;
  assert_int_equal(fwvet_vulndb_open(tmp(name), 1, &db), FWVET_OK);
  return db;
}

static void import_ok(fwvet_vulndb *db, const char *path, size_t added,
                      size_t updated, size_t skipped) {
  fwvet_vulndb_stats st = {0, 0, 0};
  char err[512] = "";
  fwvet_status s = fwvet_vulndb_import(db, path, &st, err, sizeof err);
  if (s)
    fail_msg("import %s: %s (%s)", path, fwvet_strerror(s), err);
  if (st.added != added || st.updated != updated || st.skipped != skipped)
    fail_msg("import %s: %zu added, %zu updated, %zu skipped; want %zu, "
             "%zu, %zu", path, st.added, st.updated, st.skipped, added,
             updated, skipped);
}

static void test_nvd(void **state) {
  fwvet_vulndb *db = open_new("nvd.sqlite");
  import_ok(db, fixture("nvd-api.json"), 7, 0, 2);
  check_rows(db, nvd_rows, sizeof nvd_rows / sizeof *nvd_rows);
  int recs = count(db, "record"), rows = count(db, "affected");
  assert_int_equal(recs, 7);

  /* Scores: the Primary v3.1 metric before a Secondary one, then v3.0,
   * then v2; severity from the metric. */
  static const struct {
    const char *version, *product, *vendor;
    double cvss;
    const char *sev, *cvss_version, *why, *summary;
  } m[] = {
      {"1.0.2g", "openssl", "openssl", 7.5, "high", "3.1",
       "versionStartIncluding 1.0.2, versionEndExcluding 1.0.2h",
       "openssl: two ranges, start including, end excluding"},
      {"1.0.2t", "openssl", "openssl", 5.9, "medium", "3.0",
       "versionStartExcluding 1.0.2k, versionEndIncluding 1.0.2t", NULL},
      {"1.0.2-beta1", "openssl", "openssl", 4.3, "medium", "2.0",
       "version 1.0.2-beta1", NULL},
      {"2020.80", "dropbear_ssh", "dropbear_ssh_project", 9.8, "critical",
       "3.1", "versionEndExcluding 2020.81", NULL},
  };
  for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
    got g;
    match(db, m[i].vendor, m[i].product, NULL, m[i].version, &g);
    assert_int_equal(g.n, 1);
    assert_true(g.cvss[0] > m[i].cvss - 0.001 &&
                g.cvss[0] < m[i].cvss + 0.001);
    assert_string_equal(g.sev[0], m[i].sev);
    assert_string_equal(g.ver[0], m[i].cvss_version);
    assert_string_equal(g.why[0], m[i].why);
    if (m[i].summary)
      assert_string_equal(g.sum[0], m[i].summary);
  }

  /* Re-importing replaces, never duplicates; so does the .gz. */
  import_ok(db, fixture("nvd-api.json"), 0, 7, 2);
  assert_int_equal(count(db, "record"), recs);
  assert_int_equal(count(db, "affected"), rows);
  gzip_file(fixture("nvd-api.json"), tmp("nvd-api.json.gz"));
  import_ok(db, tmp("nvd-api.json.gz"), 0, 7, 2);
  assert_int_equal(count(db, "record"), recs);
  assert_int_equal(count(db, "affected"), rows);
  check_rows(db, nvd_rows, sizeof nvd_rows / sizeof *nvd_rows);
  fwvet_vulndb_close(db);

  /* A fresh database from the .gz alone, opened read-only. */
  db = open_new("nvd-gz.sqlite");
  import_ok(db, tmp("nvd-api.json.gz"), 7, 0, 2);
  fwvet_vulndb_close(db);
  assert_int_equal(fwvet_vulndb_open(tmp("nvd-gz.sqlite"), 0, &db),
                   FWVET_OK);
  check_rows(db, nvd_rows, sizeof nvd_rows / sizeof *nvd_rows);
  char err[256];
  assert_int_equal(fwvet_vulndb_import(db, fixture("nvd-api.json"), NULL,
                                       err, sizeof err),
                   FWVET_EINVAL);
  fwvet_vulndb_close(db);
}

static const char *osv_zip_names[] = {"advisories/OSV-2090-1.json",
                                      "advisories/list.json", "README"};

static void test_osv(void **state) {
  fwvet_vulndb *db = open_new("osv.sqlite");
  import_ok(db, fixture("osv-single.json"), 1, 0, 0);
  import_ok(db, fixture("osv-list.json"), 3, 0, 2);
  import_ok(db, fixture("nvd-api.json"), 7, 0, 2);
  check_rows(db, osv_rows, sizeof osv_rows / sizeof *osv_rows);

  static const struct {
    const char *name, *version;
    double cvss;
    const char *sev, *cvss_version, *summary;
  } m[] = {
      {"busybox", "1.36.1", 9.8, "critical", "3.1",
       "busybox: two ranges, a listed version and a git range"},
      {"dropbear", "2022.82", 7.8, "high", "3.0",
       "dropbear before 2022.83, no summary: the first line counts"},
      {"left-pad", "1.1.0", 4.3, "medium", "2.0", NULL},
      {"left-pad", "1.0.0", -1, "medium", "-", NULL},
  };
  for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
    got g;
    match(db, NULL, NULL, m[i].name, m[i].version, &g);
    assert_int_equal(g.n, 1);
    assert_true(g.cvss[0] > m[i].cvss - 0.001 &&
                g.cvss[0] < m[i].cvss + 0.001);
    assert_string_equal(g.sev[0], m[i].sev);
    assert_string_equal(g.ver[0], m[i].cvss_version);
    if (m[i].summary)
      assert_string_equal(g.sum[0], m[i].summary);
  }
  got g;
  match(db, NULL, NULL, "busybox", "1.35.1", &g);
  assert_string_equal(g.why[0], "introduced 1.35.0, last_affected 1.35.1");
  match(db, NULL, NULL, "busybox", "1.20.2", &g);
  assert_string_equal(g.why[0], "listed version 1.20.2");
  fwvet_vulndb_close(db);

  /* The same records from a zip built here: other entries ignored. */
  size_t l1, l2;
  uint8_t *single = slurp(fixture("osv-single.json"), &l1);
  uint8_t *list = slurp(fixture("osv-list.json"), &l2);
  single[l1] = list[l2] = '\0';
  const char *contents[] = {(char *)single, (char *)list, "not json"};
  zip_file(tmp("osv.zip"), osv_zip_names, contents, 3);
  db = open_new("osv-zip.sqlite");
  import_ok(db, tmp("osv.zip"), 4, 0, 2);
  import_ok(db, tmp("osv.zip"), 0, 4, 2);
  check_rows(db, osv_rows + 0, 21); /* the rows without NVD records */
  assert_int_equal(count(db, "record"), 4);
  fwvet_vulndb_close(db);

  /* A corrupt entry fails the whole archive and names the entry. */
  contents[1] = "[{\"id\": \"OSV-2090-9\", \"affected\": [}]";
  zip_file(tmp("bad.zip"), osv_zip_names, contents, 3);
  db = open_new("osv-badzip.sqlite");
  char err[512];
  assert_int_equal(fwvet_vulndb_import(db, tmp("bad.zip"), NULL, err,
                                       sizeof err),
                   FWVET_ECORRUPT);
  assert_non_null(strstr(err, "bad.zip: advisories/list.json: invalid JSON"));
  assert_int_equal(count(db, "record"), 0);
  fwvet_vulndb_close(db);
  free(single);
  free(list);
}

/* ---- broken and hostile input ---- */

static void expect_fail(fwvet_vulndb *db, const char *path,
                        fwvet_status want, const char *msg) {
  char err[512] = "";
  fwvet_vulndb_stats st = {0, 0, 0};
  fwvet_status s = fwvet_vulndb_import(db, path, &st, err, sizeof err);
  if (s != want || !strstr(err, msg) || strncmp(err, path, strlen(path)))
    fail_msg("%s: got %s '%s', want %s '%s'", path, fwvet_strerror(s), err,
             fwvet_strerror(want), msg);
  assert_int_equal(st.added + st.updated + st.skipped, 0);
}

static void test_broken(void **state) {
  fwvet_vulndb *db = open_new("broken.sqlite");
  import_ok(db, fixture("osv-single.json"), 1, 0, 0);
  int recs = count(db, "record"), rows = count(db, "affected");
  size_t len;
  uint8_t *nvd = slurp(fixture("nvd-api.json"), &len);

  /* Truncated anywhere: an error, and nothing of it stored. */
  static const size_t cuts[] = {0, 1, 100, 2000, 6000, 12000};
  for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
    spit(tmp("cut.json"), nvd, cuts[i] < len ? cuts[i] : len - 2);
    expect_fail(db, tmp("cut.json"), FWVET_ECORRUPT, "invalid JSON");
  }
  /* A broken record after good ones: the good ones are rolled back. */
  uint8_t *bad = malloc(len);
  memcpy(bad, nvd, len);
  char *third = strstr((char *)bad, "CVE-2090-0003");
  assert_non_null(third);
  char *colon = strchr(third, ':'); /* "sourceIdentifier": */
  *colon = ' ';
  spit(tmp("bad.json"), bad, len);
  expect_fail(db, tmp("bad.json"), FWVET_ECORRUPT, "invalid JSON at byte");
  free(bad);

  static const struct {
    const char *text;
    fwvet_status st;
    const char *msg;
  } docs[] = {
      {"", FWVET_ECORRUPT, "not JSON"},
      {"hello", FWVET_ECORRUPT, "not JSON"},
      {"{\"a\": 1}", FWVET_ECORRUPT, "no \"id\""},
      {"[1, 2]", FWVET_ECORRUPT, "no \"id\""},
      {"{\"id\": \"X\"} trailing", FWVET_ECORRUPT, "data after"},
      {"{\"vulnerabilities\": [{\"nocve\": 1}]}", FWVET_ECORRUPT,
       "without \"cve\""},
      {"{\"CVE_Items\": []}", FWVET_EUNSUPPORTED, "NVD JSON 1.1"},
      {"{\"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-1\"}}, ]}",
       FWVET_ECORRUPT, "invalid JSON"},
      {"{\"vulnerabilities\": [}", FWVET_ECORRUPT, "invalid JSON"},
      {"\x1f\x8b\x08\x00garbage", FWVET_ECORRUPT, "gzip"},
      {"PK\x03\x04garbage", FWVET_ECORRUPT, "zip"},
  };
  for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
    spit(tmp("doc.json"), docs[i].text, strlen(docs[i].text));
    expect_fail(db, tmp("doc.json"), docs[i].st, docs[i].msg);
  }
  /* Deep nesting stops at a limit rather than the stack. */
  size_t deep = 100000;
  char *d = malloc(2 * deep);
  memset(d, '[', deep);
  memset(d + deep, ']', deep);
  spit(tmp("deep.json"), d, 2 * deep);
  expect_fail(db, tmp("deep.json"), FWVET_ECORRUPT, "nested too deeply");
  free(d);

  /* Truncated gzip. */
  gzip_file(fixture("nvd-api.json"), tmp("nvd.json.gz"));
  size_t glen;
  uint8_t *gz = slurp(tmp("nvd.json.gz"), &glen);
  spit(tmp("cut.json.gz"), gz, glen / 2);
  expect_fail(db, tmp("cut.json.gz"), FWVET_ECORRUPT, "truncated gzip");
  free(gz);

  /* A gzip bomb hits the decoded-size limit (lowered here to 1 MiB so the
   * test stays small; the default is 2 GiB). */
  gzFile g = gzopen(tmp("bomb.json.gz"), "wb9");
  char *spaces = malloc(1 << 20);
  memset(spaces, ' ', 1 << 20);
  for (int i = 0; i < 8; i++)
    gzwrite(g, spaces, 1 << 20);
  gzclose(g);
  free(spaces);
  db->max_decoded = 1 << 20;
  expect_fail(db, tmp("bomb.json.gz"), FWVET_ELIMIT, "decodes to more than");
  db->max_decoded = 4096;
  expect_fail(db, fixture("nvd-api.json"), FWVET_ELIMIT, "larger than");
  db->max_decoded = VULN_MAX_DECODED;
  /* The same bomb under the size limit still expands too much. */
  db->ratio_floor = 1 << 20;
  expect_fail(db, tmp("bomb.json.gz"), FWVET_ELIMIT, "expands more than");
  db->ratio_floor = VULN_RATIO_FLOOR;
  /* The NVD fixture (about 9:1) is not refused under that floor. */
  db->ratio_floor = 1024;
  import_ok(db, tmp("nvd.json.gz"), 7, 0, 2);
  db->ratio_floor = VULN_RATIO_FLOOR;
  import_ok(db, tmp("nvd.json.gz"), 0, 7, 2);
  recs = count(db, "record");
  rows = count(db, "affected");

  /* Missing, not a file. */
  char err[512];
  assert_int_equal(fwvet_vulndb_import(db, tmp("missing.json"), NULL, err,
                                       sizeof err),
                   FWVET_EIO);
  assert_non_null(strstr(err, "No such file"));
  assert_int_equal(fwvet_vulndb_import(db, tmpdir, NULL, err, sizeof err),
                   FWVET_EIO);
  assert_non_null(strstr(err, "not a regular file"));

  /* None of it changed the database. */
  assert_int_equal(count(db, "record"), recs);
  assert_int_equal(count(db, "affected"), rows);
  got m;
  match(db, NULL, NULL, "busybox", "1.36.1", &m);
  assert_string_equal(m.ids, "OSV-2090-1");
  free(nvd);
  fwvet_vulndb_close(db);
}

static void test_open(void **state) {
  fwvet_vulndb *db = NULL;
  assert_int_equal(fwvet_vulndb_open(tmp("none.sqlite"), 0, &db),
                   FWVET_ENOTFOUND);
  assert_null(db);
  /* create makes the directories */
  assert_int_equal(fwvet_vulndb_open(tmp("a/b/c/v.sqlite"), 1, &db),
                   FWVET_OK);
  fwvet_vulndb_close(db);
  db = NULL;
  assert_int_equal(fwvet_vulndb_open(tmp("a/b/c/v.sqlite"), 0, &db),
                   FWVET_OK);
  fwvet_vulndb_close(db);
  fwvet_vulndb_close(NULL);
  /* not a database; some other program's database */
  spit(tmp("text.sqlite"), "hello world, not sqlite at all......", 36);
  db = NULL;
  assert_int_equal(fwvet_vulndb_open(tmp("text.sqlite"), 0, &db),
                   FWVET_ECORRUPT);
  assert_int_equal(fwvet_vulndb_open(tmp("text.sqlite"), 1, &db),
                   FWVET_ECORRUPT);
  sqlite3 *s;
  assert_int_equal(sqlite3_open(tmp("other.sqlite"), &s), SQLITE_OK);
  assert_int_equal(sqlite3_exec(s, "CREATE TABLE t(x)", NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(s);
  assert_int_equal(fwvet_vulndb_open(tmp("other.sqlite"), 1, &db),
                   FWVET_ECORRUPT);
  assert_null(db);

  /* the schema version is recorded */
  db = open_new("ver.sqlite");
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &st, NULL);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int(st, 0), VULN_SCHEMA_VERSION);
  sqlite3_finalize(st);
  fwvet_vulndb_close(db);
}

static int stop_first(void *ud, const fwvet_vuln_match *m) {
  (*(int *)ud)++;
  return 1;
}

static void test_cancel(void **state) {
  fwvet_vulndb *db = open_new("cancel.sqlite");
  import_ok(db, fixture("nvd-api.json"), 7, 0, 2);
  import_ok(db, fixture("osv-single.json"), 1, 0, 0);
  fwvet_vuln_query q = {"busybox", "busybox", "busybox", "1.36.1"};
  int calls = 0;
  assert_int_equal(fwvet_vulndb_match(db, &q, stop_first, &calls),
                   FWVET_ECANCELLED);
  assert_int_equal(calls, 1);
  fwvet_vulndb_close(db);
}

static void test_default_path(void **state) {
  char buf[256];
  char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
  char *xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME"))
                                      : NULL;
  setenv("XDG_DATA_HOME", "/srv/data", 1);
  setenv("HOME", "/home/u", 1);
  assert_string_equal(fwvet_vulndb_default_path(buf, sizeof buf),
                      "/srv/data/fwvet/vulndb.sqlite");
  setenv("XDG_DATA_HOME", "relative", 1);
  assert_string_equal(fwvet_vulndb_default_path(buf, sizeof buf),
                      "/home/u/.local/share/fwvet/vulndb.sqlite");
  unsetenv("XDG_DATA_HOME");
  assert_string_equal(fwvet_vulndb_default_path(buf, sizeof buf),
                      "/home/u/.local/share/fwvet/vulndb.sqlite");
  assert_null(fwvet_vulndb_default_path(buf, 8));
  unsetenv("HOME");
  assert_null(fwvet_vulndb_default_path(buf, sizeof buf));
  if (home)
    setenv("HOME", home, 1);
  if (xdg)
    setenv("XDG_DATA_HOME", xdg, 1);
  free(home);
  free(xdg);
}

static void test_cvss(void **state) {
  static const struct {
    const char *vector;
    double score;
  } v3[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
      {"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
      {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1},
      {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 8.8},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", -1},
      {"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", -1},
      {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
       -1},
      {"", -1},
  };
  for (size_t i = 0; i < sizeof v3 / sizeof *v3; i++) {
    double s = vuln_cvss3_score(v3[i].vector);
    if (s < v3[i].score - 0.001 || s > v3[i].score + 0.001)
      fail_msg("%s: %.2f, want %.1f", v3[i].vector, s, v3[i].score);
  }
  static const struct {
    const char *vector;
    double score;
  } v2[] = {
      {"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5},
      {"AV:N/AC:M/Au:N/C:P/I:N/A:N", 4.3},
      {"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0},
      {"(AV:L/AC:H/Au:S/C:N/I:N/A:P)", 1.0},
      {"AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0},
      {"AV:N/AC:L/Au:N/C:P/I:P", -1},
  };
  for (size_t i = 0; i < sizeof v2 / sizeof *v2; i++) {
    double s = vuln_cvss2_score(v2[i].vector);
    if (s < v2[i].score - 0.001 || s > v2[i].score + 0.001)
      fail_msg("%s: %.2f, want %.1f", v2[i].vector, s, v2[i].score);
  }
  assert_string_equal(vuln_severity_of(9.0, 3), "critical");
  assert_string_equal(vuln_severity_of(8.9, 3), "high");
  assert_string_equal(vuln_severity_of(0, 3), "none");
  assert_string_equal(vuln_severity_of(7.0, 2), "high");
  assert_string_equal(vuln_severity_of(-1, 3), "unknown");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nvd),     cmocka_unit_test(test_osv),
      cmocka_unit_test(test_broken),  cmocka_unit_test(test_open),
      cmocka_unit_test(test_cancel),  cmocka_unit_test(test_default_path),
      cmocka_unit_test(test_cvss),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
