/* The evaluation store: an evaluation loads back exactly as it was
 * written; runs, --replace, release order; missing, foreign, newer and
 * damaged stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "fwvet/fwvet.h"
#include "store/eval_int.h"

static char dir[64];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof dir, "/tmp/fwvet-store-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *buf, size_t cap, const char *name) {
  snprintf(buf, cap, "%s/%s", dir, name);
}

#define S(x) eval_strdup(ev, (x), &bad)
#define GROW(field, n, cap) \
  eval_grow((void **)&ev->field, &ev->n, &ev->cap, sizeof *ev->field)

/* An evaluation with the awkward values: NULL and empty strings, bytes
 * that are not UTF-8, the no-offset marker, an unknown version. */
static fwvet_eval *sample(const char *tag) {
  fwvet_eval *ev = eval_new();
  int bad = 0;
  assert_non_null(ev);
  ev->info.input_path = S("img/router.bin");
  ev->info.input_size = 1234567;
  ev->info.input_sha256 = S(tag);
  ev->info.tool_version = S("9.9.9");
  fwvet_finding *f = GROW(findings, nfindings, capfindings);
  *f = (fwvet_finding){S("account.empty-password"), FWVET_SEV_CRITICAL,
                       S("router.bin/squashfs@0x200000/etc/shadow"),
                       S("/etc/shadow"), FWVET_NO_OFFSET, 4,
                       S("account 'guest' has no password"), NULL,
                       S("00112233445566778899aabbccddeeff")};
  f = GROW(findings, nfindings, capfindings);
  *f = (fwvet_finding){S("unpack.corrupt"), FWVET_SEV_INFO,
                       S("router.bin/\xff\x01odd"), S(""), 0, 0,
                       S("bytes \xfe that are not text"), S("\x7f\xff"),
                       S("ffeeddccbbaa99887766554433221100")};
  fwvet_eval_file *file = GROW(files, nfiles, capfiles);
  *file = (fwvet_eval_file){S("router.bin"), S(""), S("uimage"), 99, NULL};
  file = GROW(files, nfiles, capfiles);
  *file = (fwvet_eval_file){S("router.bin/squashfs@0x200000/bin/busybox"),
                            S("/bin/busybox"), S("elf"), 4096,
                            S("ab12")};
  fwvet_eval_elf *e = GROW(elfs, nelfs, capelfs);
  *e = (fwvet_eval_elf){file->path, file->fspath, S("mips"), 32, 0, 1,
                        1, 0, 1, FWVET_RELRO_PARTIAL, 2, 7};
  fwvet_eval_component *c = GROW(components, ncomponents, capcomponents);
  *c = (fwvet_eval_component){S("openssl"), S("1.0.2k"),
                              S("cpe:2.3:a:openssl:openssl:1.0.2k"),
                              S("pkg:generic/openssl@1.0.2k"), S("high"), 3};
  c = GROW(components, ncomponents, capcomponents);
  *c = (fwvet_eval_component){S("zlib"), NULL, NULL, NULL, S("low"), 1};
  fwvet_eval_vuln *v = GROW(vulns, nvulns, capvulns);
  *v = (fwvet_eval_vuln){S("CVE-2090-0001"), ev->components[0].name,
                         ev->components[0].version, S("critical"), 9.8,
                         S("nvd"), S("versionEndExcluding 1.0.2h")};
  v = GROW(vulns, nvulns, capvulns);
  *v = (fwvet_eval_vuln){S("OSV-1"), ev->components[1].name,
                         ev->components[1].version, S("unknown"), -1,
                         S("osv"), NULL};
  fwvet_eng_row *r = GROW(eng, neng, capeng);
  *r = (fwvet_eng_row){S("memcpy"), S("imports"), 2, 5000, 1, 600,
                       100.0 * 600 / 5600};
  r = GROW(calls, ncalls, capcalls);
  *r = (fwvet_eng_row){S("strcpy"), S("call-sites"), 0, 0, 1, 3, 100.0};
  assert_int_equal(bad, 0);
  return ev;
}

static void str_eq(const char *a, const char *b) {
  if (!a || !b)
    assert_ptr_equal(a, b);
  else
    assert_string_equal(a, b);
}

static void same_eval(const fwvet_eval *x, const fwvet_eval *y) {
  str_eq(x->info.input_path, y->info.input_path);
  assert_int_equal(x->info.input_size, y->info.input_size);
  str_eq(x->info.input_sha256, y->info.input_sha256);
  str_eq(x->info.tool_version, y->info.tool_version);
  assert_int_equal(x->nfindings, y->nfindings);
  for (size_t i = 0; i < x->nfindings; i++) {
    const fwvet_finding *a = &x->findings[i], *b = &y->findings[i];
    str_eq(a->rule, b->rule);
    assert_int_equal(a->severity, b->severity);
    str_eq(a->path, b->path);
    str_eq(a->fspath, b->fspath);
    assert_true(a->offset == b->offset);
    assert_int_equal(a->line, b->line);
    str_eq(a->message, b->message);
    str_eq(a->evidence, b->evidence);
    str_eq(a->fingerprint, b->fingerprint);
  }
  assert_int_equal(x->nfiles, y->nfiles);
  for (size_t i = 0; i < x->nfiles; i++) {
    str_eq(x->files[i].path, y->files[i].path);
    str_eq(x->files[i].fspath, y->files[i].fspath);
    str_eq(x->files[i].type, y->files[i].type);
    assert_int_equal(x->files[i].size, y->files[i].size);
    str_eq(x->files[i].sha256, y->files[i].sha256);
  }
  assert_int_equal(x->nelfs, y->nelfs);
  for (size_t i = 0; i < x->nelfs; i++) {
    const fwvet_eval_elf *a = &x->elfs[i], *b = &y->elfs[i];
    str_eq(a->path, b->path);
    str_eq(a->machine, b->machine);
    assert_memory_equal(&a->bits, &b->bits,
                        sizeof *a - offsetof(fwvet_eval_elf, bits));
  }
  assert_int_equal(x->ncomponents, y->ncomponents);
  for (size_t i = 0; i < x->ncomponents; i++) {
    str_eq(x->components[i].name, y->components[i].name);
    str_eq(x->components[i].version, y->components[i].version);
    str_eq(x->components[i].cpe, y->components[i].cpe);
    str_eq(x->components[i].purl, y->components[i].purl);
    str_eq(x->components[i].confidence, y->components[i].confidence);
    assert_int_equal(x->components[i].copies, y->components[i].copies);
  }
  assert_int_equal(x->nvulns, y->nvulns);
  for (size_t i = 0; i < x->nvulns; i++) {
    const fwvet_eval_vuln *a = &x->vulns[i], *b = &y->vulns[i];
    str_eq(a->id, b->id);
    str_eq(a->component, b->component);
    str_eq(a->version, b->version);
    str_eq(a->severity, b->severity);
    assert_true(a->cvss == b->cvss);
    str_eq(a->source, b->source);
    str_eq(a->match, b->match);
  }
  assert_int_equal(x->neng, y->neng);
  assert_int_equal(x->ncalls, y->ncalls);
  for (size_t i = 0; i < x->neng + x->ncalls; i++) {
    const fwvet_eng_row *a = i < x->neng ? &x->eng[i]
                                         : &x->calls[i - x->neng];
    const fwvet_eng_row *b = i < y->neng ? &y->eng[i]
                                         : &y->calls[i - y->neng];
    str_eq(a->family, b->family);
    str_eq(a->method, b->method);
    assert_int_equal(a->safe_variants, b->safe_variants);
    assert_int_equal(a->safe_calls, b->safe_calls);
    assert_int_equal(a->unsafe_variants, b->unsafe_variants);
    assert_int_equal(a->unsafe_calls, b->unsafe_calls);
    assert_true(a->unsafe_percent == b->unsafe_percent);
  }
}

static void test_round_trip(void **state) {
  (void)state;
  char path[128];
  path_of(path, sizeof path, "a/b/store.sqlite");
  fwvet_store *s = NULL;
  assert_int_equal(fwvet_store_open(path, 0, &s), FWVET_ENOTFOUND);
  assert_int_equal(fwvet_store_open(path, 1, &s), FWVET_OK);
  fwvet_eval *ev = sample("sha-1");
  int64_t id = 0, found = 0;
  assert_int_equal(fwvet_store_add(s, ev, "", "1.0", 0, &id), FWVET_EINVAL);
  assert_int_equal(fwvet_store_add(s, ev, "router", "1.0", 0, &id),
                   FWVET_OK);
  assert_int_equal(fwvet_store_lookup(s, "router", "1.0", &found), FWVET_OK);
  assert_int_equal(found, id);
  assert_int_equal(fwvet_store_lookup(s, "router", "2.0", &found),
                   FWVET_ENOTFOUND);
  fwvet_eval *back = NULL;
  assert_int_equal(fwvet_store_load(s, id + 100, &back), FWVET_ENOTFOUND);
  assert_null(back);
  assert_int_equal(fwvet_store_load(s, id, &back), FWVET_OK);
  same_eval(ev, back);
  const fwvet_eval_info *in = fwvet_eval_get_info(back);
  assert_int_equal(in->id, id);
  assert_string_equal(in->product, "router");
  assert_string_equal(in->release, "1.0");
  assert_non_null(in->created);
  assert_true(fwvet_eval_unsafe_percent(back) ==
              fwvet_eval_unsafe_percent(ev));
  /* A loaded evaluation writes back the same. */
  int64_t id2 = 0;
  fwvet_eval *again = NULL;
  assert_int_equal(fwvet_store_add(s, back, "copy", "1", 0, &id2), FWVET_OK);
  assert_int_equal(fwvet_store_load(s, id2, &again), FWVET_OK);
  same_eval(ev, again);
  fwvet_eval_destroy(again);
  fwvet_eval_destroy(back);
  fwvet_eval_destroy(ev);
  fwvet_store_close(s);
  fwvet_store_close(NULL);
  fwvet_eval_destroy(NULL);
}

static void test_runs_and_order(void **state) {
  (void)state;
  char path[128];
  path_of(path, sizeof path, "order.sqlite");
  fwvet_store *s = NULL;
  assert_int_equal(fwvet_store_open(path, 1, &s), FWVET_OK);
  fwvet_eval *ev = sample("sha-2");
  static const char *const adds[] = {"1.10", "1.9", "1.9", "1.9-rc1",
                                     "1.2"};
  int64_t ids[5];
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(fwvet_store_add(s, ev, "cam", adds[i], 0, &ids[i]),
                     FWVET_OK);
  fwvet_store_entry *e = NULL;
  size_t n = 0;
  assert_int_equal(fwvet_store_releases(s, "cam", &e, &n), FWVET_OK);
  static const char *const order[] = {"1.2", "1.9-rc1", "1.9", "1.10"};
  assert_int_equal(n, 4);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(e[i].release, order[i]);
  assert_int_equal(e[2].runs, 2);
  assert_int_equal(e[2].id, ids[2]); /* the latest run */
  fwvet_store_entries_free(e, n);
  /* --replace: one run left, the new one. */
  int64_t id = 0;
  assert_int_equal(fwvet_store_add(s, ev, "cam", "1.9", FWVET_STORE_REPLACE,
                                   &id),
                   FWVET_OK);
  assert_int_equal(fwvet_store_releases(s, "cam", &e, &n), FWVET_OK);
  assert_int_equal(e[2].runs, 1);
  assert_int_equal(e[2].id, id);
  fwvet_store_entries_free(e, n);
  assert_int_equal(fwvet_store_releases(s, "nothing", &e, &n), FWVET_OK);
  assert_int_equal(n, 0);
  fwvet_store_entries_free(e, n);
  fwvet_history *h = NULL;
  assert_int_equal(fwvet_history_create(s, "nothing", &h), FWVET_ENOTFOUND);
  assert_int_equal(fwvet_history_create(s, "cam", &h), FWVET_OK);
  assert_int_equal(fwvet_history_count(h), 4);
  assert_false(fwvet_history_row_at(h, 0)->has_verdict);
  assert_true(fwvet_history_row_at(h, 1)->has_verdict);
  assert_int_equal(fwvet_history_row_at(h, 1)->verdict, FWVET_VERDICT_NONE);
  assert_int_equal(fwvet_history_row_at(h, 0)->vulnerable_components, 2);
  assert_int_equal(fwvet_history_row_at(h, 0)->findings[FWVET_SEV_CRITICAL],
                   1);
  assert_null(fwvet_history_row_at(h, 4));
  fwvet_history_destroy(h);
  fwvet_eval_destroy(ev);
  fwvet_store_close(s);
}

static void exec_sql(const char *path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

static void test_hostile(void **state) {
  (void)state;
  char path[128];
  fwvet_store *s = NULL;
  /* Not a database at all. */
  path_of(path, sizeof path, "garbage.sqlite");
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  for (int i = 0; i < 4096; i++)
    fputc((i * 7919) & 0xff, f);
  fclose(f);
  assert_int_not_equal(fwvet_store_open(path, 1, &s), FWVET_OK);
  assert_null(s);
  /* Some other program's database. */
  path_of(path, sizeof path, "other.sqlite");
  exec_sql(path, "CREATE TABLE t(x)");
  assert_int_equal(fwvet_store_open(path, 1, &s), FWVET_ECORRUPT);
  /* A newer fwvet's. */
  path_of(path, sizeof path, "newer.sqlite");
  assert_int_equal(fwvet_store_open(path, 1, &s), FWVET_OK);
  fwvet_store_close(s);
  s = NULL;
  exec_sql(path, "PRAGMA user_version=2");
  assert_int_equal(fwvet_store_open(path, 0, &s), FWVET_EUNSUPPORTED);
  /* Rows pointing nowhere: refused on load, never read out of bounds. */
  path_of(path, sizeof path, "damaged.sqlite");
  assert_int_equal(fwvet_store_open(path, 1, &s), FWVET_OK);
  fwvet_eval *ev = sample("sha-3");
  int64_t id = 0;
  assert_int_equal(fwvet_store_add(s, ev, "p", "1", 0, &id), FWVET_OK);
  assert_int_equal(fwvet_store_add(s, ev, "p", "2", 0, NULL), FWVET_OK);
  fwvet_store_close(s);
  exec_sql(path, "UPDATE vulnerabilities SET component_seq = 99"
                 " WHERE eval_id = 1;"
                 "UPDATE hardening SET file_seq = -1 WHERE eval_id = 2");
  assert_int_equal(fwvet_store_open(path, 0, &s), FWVET_OK);
  fwvet_eval *back = NULL;
  assert_int_equal(fwvet_store_load(s, 1, &back), FWVET_ECORRUPT);
  assert_int_equal(fwvet_store_load(s, 2, &back), FWVET_ECORRUPT);
  assert_null(back);
  fwvet_history *h = NULL;
  assert_int_equal(fwvet_history_create(s, "p", &h), FWVET_ECORRUPT);
  assert_null(h);
  fwvet_store_close(s);
  fwvet_eval_destroy(ev);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_runs_and_order),
      cmocka_unit_test(test_hostile),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
