/*
 * The secrets analyser (credential.hardcoded): one row per case, each
 * scanned as a real file.  Rows hold bytes and a length so binaries fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "creds_fixture.h"

#define ELF                                                                    \
  "\x7f"                                                                       \
  "ELF\x01\x01\x01\0\0\0\0\0\0\0\0\0"
#define ROW(name, s, want)                                                     \
  { name, s, sizeof s - 1, want }

static const struct {
  const char *name, *content;
  size_t len;
  const char *want;
} rows[] = {
    /* Assignments in configuration and scripts. */
    ROW("app.conf", "[db]\ndb_password=S3cretDbPw\n", "credential.hardcoded@2"),
    ROW("config.json",
        "{\n  \"user\": \"admin\",\n  \"password\": \"hunter22\"\n}\n",
        "credential.hardcoded@3"),
    ROW("mqtt.yaml", "mqtt:\n  host: broker\n  password: Qw3rty99\n",
        "credential.hardcoded@3"),
    ROW("start.sh", "#!/bin/sh\nPASS='wifi-pass-123'\n",
        "credential.hardcoded@2"),
    ROW("cloud.ini", "api_key = abcd1234efgh\n", "credential.hardcoded@1"),
    ROW("ui.js", "var cfg = {adminPassword: \"x9y8z7\"};\n",
        "credential.hardcoded@1"),
    ROW("jdbc.properties", "jdbc.url=x\njdbc.password=secret99\n",
        "credential.hardcoded@2"),
    ROW("hostapd.conf", "ssid=router\nwpa_passphrase=12345678\n",
        "credential.hardcoded@2"),
    /* Literal defaults are reported: the device accepts them. */
    ROW("defaults", "password=changeme\n", "credential.hardcoded@1"),
    ROW("two.conf", "user=a password=adm1n token_secret=\"zz9zz9\"\n",
        "credential.hardcoded@1,credential.hardcoded@1"),
    /* Known token formats, in text and in binaries. */
    ROW("notes", "aws id: AKIAIOSFODNN7EXAMPLE\n", "credential.hardcoded@1"),
    ROW("agent", ELF "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\0",
        "credential.hardcoded@0"),
    ROW("bot.bin", "\0\1xoxb-123456789012-abcdefABCDEF\0",
        "credential.hardcoded@0"),
    /* Not secrets: empty, references, templates, masks, code, comments,
     * comparisons, other words ending in "pass", stock configuration. */
    ROW("a.conf",
        "password=\npassword=${DB_PASS}\npassword=$1\n"
        "password: <your password>\npassword=%s\npassword=****\n"
        "password=@PASSWORD@\npassword={{ pw }}\n",
        ""),
    ROW("code.py",
        "password = get_password()\npassword = args.password\n"
        "self._passphrase = passphrase\n"
        "if password == 'x':\n    pass\n"
        "token = next_token\nXML_DUP_TOKEN = 54\n",
        ""),
    ROW("b.conf", "#password=commented\n; secret=old\n// api_key=\"x1y2z3\"\n",
        ""),
    ROW("login.defs", "PASS_MAX_DAYS 99999\nbypass=1\ncompass=north\n", ""),
    ROW("nsswitch.conf", "passwd: files systemd\nshadow: files\n", ""),
    ROW("results.sum", "PASS: addr2line\nPASS: objcopy test\n", ""),
    ROW("doc.txt", "PWD   : previous work day\npassword: type it twice\n", ""),
    /* Program source: only string literals are values. */
    ROW("cgi.py",
        "password = 'admin123'\nuser = get_user()\n"
        "password = default_pw\n",
        "credential.hardcoded@1"),
    ROW("ctl.pas", "CurrPass : byte;\nif pass=apass then\n", ""),
    ROW("notes2",
        "JPOOL_PASS = one processing pass\n"
        "default_token = MS_DEF_PROV_A\n"
        "mvn \"username= password= scmVersion=\"\n",
        ""),
    /* Binaries: assignments are not looked for; tokens must be whole. */
    ROW("daemon", ELF "password=hunter22\0", ""),
    ROW("short", ELF "AKIA0123\0XAKIAIOSFODNN7EXAMPLE\0", ""),
};

static void test_rows(void **state) {
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    tdir t;
    char got[512];
    tdir_init(&t);
    tdir_write(&t, rows[r].name, rows[r].content, rows[r].len);
    scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
    if (strcmp(got, rows[r].want) != 0)
      fail_msg("row %zu (%s): got '%s', want '%s'", r, rows[r].name, got,
               rows[r].want);
    tdir_release(&t);
  }
}

/* Package documentation holds examples: assignments there are not
 * reported, tokens are. */
static void test_documentation(void **state) {
  tdir t;
  char cmd[512], got[256];
  tdir_init(&t);
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s/usr/share/doc/pkg && cd %s/usr/share/doc/pkg && "
           "printf 'password=example1\\n' > README && "
           "printf 'AKIAIOSFODNN7EXAMPLE\\n' > keys",
           t.path, t.path);
  sh(cmd);
  /* A compressed manual page (its decompressed node has no fspath) and
   * a lintian override (`base-passwd: no-debconf-config`). */
  snprintf(cmd, sizeof cmd,
           "mkdir -p %s/usr/share/man/man8 %s/usr/share/lintian/overrides && "
           "printf '.TH X 8\\n--passwd=FILE\\n' | gzip -n > "
           "%s/usr/share/man/man8/x.8.gz && "
           "printf 'base-passwd: no-debconf-config\\n' > "
           "%s/usr/share/lintian/overrides/base-passwd",
           t.path, t.path, t.path, t.path);
  sh(cmd);
  scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
  assert_string_equal(got, "credential.hardcoded@1");
  snprintf(cmd, sizeof cmd, "rm -rf %s/usr", t.path);
  sh(cmd);
  tdir_release(&t);
}

/* Evidence: the key (or token kind) and a masked value. */
static void test_evidence(void **state) {
  static const struct {
    const char *content, *want;
  } cases[] = {
      {"db_password=S3cretDbPw\n", "db_password=S3…(10)"},
      {"id AKIAIOSFODNN7EXAMPLE\n", "aws-access-key-id=AK…(20)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    tdir t;
    char got[256], ev[256];
    tdir_init(&t);
    tdir_write(&t, "f", cases[i].content, strlen(cases[i].content));
    scan_rules(&t, credential_rules, got, sizeof got, ev, sizeof ev);
    assert_string_equal(ev, cases[i].want);
    assert_null(strstr(ev, "S3cretDbPw"));
    tdir_release(&t);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_documentation),
      cmocka_unit_test(test_evidence),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
