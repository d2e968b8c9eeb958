/*
 * The credentials analyser (password files): one row per case, each
 * scanned as a real file.  Hashes are made at test time: "{kind:password}"
 * in a row's content becomes a fresh crypt(3) hash of that password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <crypt.h>
#include <openssl/evp.h>

#include "creds_fixture.h"

/* A hash of `pw` in the scheme `kind`, with a fresh salt. */
static void make_hash(const char *kind, const char *pw, char *out,
                      size_t size) {
  static const struct {
    const char *kind, *prefix;
    unsigned long cost;
  } schemes[] = {
      {"des", "", 0},       {"md5", "$1$", 0},     {"sha256", "$5$", 0},
      {"sha512", "$6$", 0}, {"bcrypt", "$2b$", 5}, {"yescrypt", "$y$", 0},
  };
  if (!strcmp(kind, "apr1")) {
    /* libxcrypt has no apr1: the openssl command makes it. */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "openssl passwd -apr1 '%s'", pw);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, (int)size, p));
    assert_int_equal(pclose(p), 0);
    out[strcspn(out, "\n")] = '\0';
    return;
  }
  if (!strcmp(kind, "sha1")) {
    unsigned char md[EVP_MAX_MD_SIZE], enc[64];
    unsigned n = 0;
    assert_true(EVP_Digest(pw, strlen(pw), md, &n, EVP_sha1(), NULL));
    EVP_EncodeBlock(enc, md, (int)n);
    snprintf(out, size, "{SHA}%s", (const char *)enc);
    return;
  }
  for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
    if (strcmp(kind, schemes[i].kind))
      continue;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data cd;
    memset(&cd, 0, sizeof cd);
    assert_non_null(crypt_gensalt_rn(schemes[i].prefix, schemes[i].cost, NULL,
                                     0, salt, sizeof salt));
    const char *h = crypt_rn(pw, salt, &cd, sizeof cd);
    assert_non_null(h);
    snprintf(out, size, "%s", h);
    return;
  }
  fail_msg("unknown hash kind %s", kind);
}

static void expand(const char *src, char *out, size_t size) {
  size_t o = 0;
  while (*src && o + 1 < size) {
    const char *close = *src == '{' ? strchr(src, '}') : NULL;
    const char *colon = close ? memchr(src, ':', (size_t)(close - src)) : NULL;
    if (!colon || !strncmp(src, "{SHA}", 5)) {
      out[o++] = *src++;
      continue;
    }
    char kind[16], pw[64], h[256];
    snprintf(kind, sizeof kind, "%.*s", (int)(colon - src - 1), src + 1);
    snprintf(pw, sizeof pw, "%.*s", (int)(close - colon - 1), colon + 1);
    make_hash(kind, pw, h, sizeof h);
    o += (size_t)snprintf(out + o, size - o, "%s", h);
    src = close + 1;
  }
  out[o < size ? o : size - 1] = '\0';
}

#define SH(pw) "root:" pw ":19000:0:99999:7:::\n"

static const struct {
  const char *name, *content, *want;
} rows[] = {
    /* credential.default-password, every scheme */
    {"shadow", SH("{sha512:admin}"), "credential.default-password@1"},
    {"shadow", SH("{sha256:toor}"), "credential.default-password@1"},
    {"shadow", SH("{bcrypt:password}"), "credential.default-password@1"},
    {"shadow", SH("{yescrypt:root}"), "credential.default-password@1"},
    {"shadow", SH("{md5:1234}"),
     "credential.default-password@1,credential.weak-hash@1"},
    {"shadow", SH("{des:ubnt}"),
     "credential.default-password@1,credential.weak-hash@1"},
    {"shadow",
     "daemon:*:19000:0:99999:7:::\nadmin:{sha512:7ujMko0admin}:19000::::::\n",
     "credential.default-password@2"},
    /* Strong hashes of passwords not in the list. */
    {"shadow", SH("{sha512:Vq9#tLr-unlisted-2026}"), ""},
    {"shadow", SH("{yescrypt:Vq9#tLr-unlisted-2026}"), ""},
    /* credential.weak-hash alone */
    {"shadow", SH("{md5:Vq9#tLr-unlisted}"), "credential.weak-hash@1"},
    {"shadow", SH("{des:Vq9#tLr}"), "credential.weak-hash@1"},
    /* Plaintext in passwd: weak, and a default when listed. */
    {"passwd", "root:x:0:0::/root:/bin/sh\nadmin:admin:0:0::/:/bin/sh\n",
     "credential.default-password@2,credential.weak-hash@2"},
    {"passwd", "root:S3cr3t-unlisted:0:0::/root:/bin/sh\n",
     "credential.weak-hash@1"},
    /* Locked accounts, even with a known password behind the lock. */
    {"shadow", SH("!{sha512:admin}"), ""},
    {"shadow", SH("*LK*") "bin:NP:19000::::::\n", ""},
    /* Beyond the work budget (bcrypt cost 14): not tried, no finding. */
    {"shadow",
     SH("$2b$14$abcdefghijklmnopqrstuuOaY2Dc0a7cH4m5GFp1ZsaGYi0mEsP6m"), ""},
    /* yescrypt with N = 2^17: over budget too. */
    {"shadow",
     SH("$y$jFT$abcdefghijklmnopqrstu.$"
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDE"),
     ""},
    /* Unknown scheme: left alone. */
    {"shadow", SH("$9$abcdef$ghijkl"), ""},
    /* htpasswd: by content, or by name for plaintext. */
    {"users", "admin:{md5:admin}\n",
     "credential.default-password@1,credential.hardcoded@1,"
     "credential.weak-hash@1"},
    {"auth", "guest:{sha1:guest}\nops:{sha1:Vq9#tLr-unlisted}\n",
     "credential.default-password@1,credential.hardcoded@1,"
     "credential.weak-hash@1,credential.hardcoded@2,credential.weak-hash@2"},
    {".htpasswd", "user:letmein\n",
     "credential.default-password@1,credential.hardcoded@1,"
     "credential.weak-hash@1"},
    {"web.pw", "ops:{bcrypt:Vq9#tLr-unlisted}\n", "credential.hardcoded@1"},
    {"apache.pw", "admin:{apr1:admin}\nops:{apr1:Vq9#tLr-unlisted}\n",
     "credential.default-password@1,credential.hardcoded@1,"
     "credential.weak-hash@1,credential.hardcoded@2,credential.weak-hash@2"},
    /* Examples nobody reads (mosquitto's pwfile.example); the same
     * content under another name is reported. */
    {"pwfile.example", "roger:{sha512:Vq9#tLr-unlisted}\n", ""},
    {"pwfile", "roger:{sha512:Vq9#tLr-unlisted}\n", "credential.hardcoded@1"},
    /* Not password files: prose, key: value, plaintext without the name. */
    {"notes.txt", "root:admin:0:0::/root:/bin/sh\nprose, not passwd\n", ""},
    /* p0f fingerprints (nftables' pf.os): 9 fields, not shadow. */
    {"pf.os",
     "45046:64:0:44:M*:\t\tAIX:4.3::AIX 4.3\n"
     "S4:64:1:60:M1460,N,W0,N,N,T:\tAIX:5.3:9-10:AIX 5.3 ML9-ML10\n",
     ""},
    {"config", "user:admin\n", ""},
    {"empty", "", ""},
};

static void test_rows(void **state) {
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    char content[2048], got[512];
    expand(rows[r].content, content, sizeof content);
    tdir t;
    tdir_init(&t);
    tdir_write(&t, rows[r].name, content, strlen(content));
    scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
    if (strcmp(got, rows[r].want) != 0)
      fail_msg("row %zu (%s): got '%s', want '%s'", r, rows[r].name, got,
               rows[r].want);
    tdir_release(&t);
  }
}

/* The message names the recovered password; the evidence is stable. */
static void test_message(void **state) {
  char content[512];
  expand(SH("{sha512:changeme}"), content, sizeof content);
  tdir t;
  tdir_init(&t);
  tdir_write(&t, "shadow", content, strlen(content));
  fwvet_scan *scan = NULL;
  assert_int_equal(fwvet_scan_run(t.path, NULL, &scan), FWVET_OK);
  int seen = 0;
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *fd = fwvet_scan_finding(scan, i);
    if (strcmp(fd->rule, "credential.default-password"))
      continue;
    seen++;
    assert_non_null(strstr(fd->message, "'changeme'"));
    assert_non_null(strstr(fd->message, "'root'"));
    assert_string_equal(fd->evidence, "root:changeme");
  }
  assert_int_equal(seen, 1);
  fwvet_scan_destroy(scan);
  tdir_release(&t);
}

/* A clean Debian /etc: locked root, system accounts, stock configuration
 * files; none of the credential or crypto rules fire. */
static void test_clean_debian_etc(void **state) {
  static const struct {
    const char *name, *content;
  } files[] = {
      {"passwd", "root:x:0:0:root:/root:/bin/bash\n"
                 "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                 "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
                 "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
                 "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                 "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n"},
      {"shadow", "root:*:19700:0:99999:7:::\n"
                 "daemon:*:19700:0:99999:7:::\n"
                 "bin:*:19700:0:99999:7:::\n"
                 "sys:*:19700:0:99999:7:::\n"
                 "nobody:*:19700:0:99999:7:::\n"
                 "_apt:!:19700::::::\n"
                 "systemd-network:!*:19700::::::\n"},
      {"group", "root:x:0:\ndaemon:x:1:\nshadow:x:42:\n"},
      {"gshadow", "root:*::\ndaemon:*::\nshadow:*::\n"},
      {"nsswitch.conf", "passwd:         files systemd\n"
                        "group:          files systemd\n"
                        "shadow:         files\n"
                        "hosts:          files dns\n"},
      {"login.defs", "PASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\n"
                     "ENCRYPT_METHOD SHA512\n"},
      {"common-password",
       "password\t[success=1 default=ignore]\tpam_unix.so obscure "
       "yescrypt\npassword\trequisite\t\t\tpam_deny.so\n"},
      {"openssl.cnf", "[ req_attributes ]\n"
                      "challengePassword\t\t= A challenge password\n"
                      "challengePassword_min\t\t= 4\n"
                      "secret = pass:insta # can be used for both\n"
                      "secret = $insta::secret # pass:insta\n"},
      {"sshd_config", "#PermitRootLogin prohibit-password\n"
                      "KbdInteractiveAuthentication no\n"
                      "PasswordAuthentication yes\n"},
  };
  tdir t;
  tdir_init(&t);
  for (size_t i = 0; i < sizeof files / sizeof *files; i++)
    tdir_write(&t, files[i].name, files[i].content, strlen(files[i].content));
  char got[512];
  scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
  assert_string_equal(got, "");
  tdir_release(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_message),
      cmocka_unit_test(test_clean_debian_etc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
