/*
 * The keys analyser (PEM/DER private keys and certificates): one row per
 * case, each a real file made at test time, keys with the openssl command,
 * certificates with libcrypto (the command cannot back-date notAfter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "creds_fixture.h"

enum { SELF = 1, V1 = 2, DER = 4, EXPIRED = 8 };

/* RSA keys are slow to make: one per size for the whole test. */
static EVP_PKEY *rsa_key(int bits, int which) {
  static EVP_PKEY *cache[2][2];
  int i = bits == 1024 ? 0 : 1;
  if (!cache[i][which])
    cache[i][which] = EVP_RSA_gen((unsigned)bits);
  return cache[i][which];
}

/* A certificate for an RSA key of `bits`, signed with `md` by another key
 * (or by its own with SELF), appended as PEM or DER. */
static void make_cert(const char *path, int bits, const EVP_MD *md, int flags) {
  EVP_PKEY *key = rsa_key(bits, 0);
  EVP_PKEY *ca = flags & SELF ? key : rsa_key(2048, 1);
  assert_non_null(key);
  assert_non_null(ca);
  X509 *x = X509_new();
  X509_set_version(x, flags & V1 ? 0 : 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_NAME *subj = X509_get_subject_name(x), *iss = X509_get_issuer_name(x);
  X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_ASC,
                             (const unsigned char *)"device.example", -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(
      iss, "CN", MBSTRING_ASC,
      (const unsigned char *)(flags & SELF ? "device.example" : "Vendor CA"),
      -1, -1, 0);
  long day = 86400;
  X509_gmtime_adj(X509_getm_notBefore(x), flags & EXPIRED ? -400 * day : -day);
  X509_gmtime_adj(X509_getm_notAfter(x),
                  flags & EXPIRED ? -30 * day : 3650 * day);
  X509_set_pubkey(x, key);
  assert_true(X509_sign(x, ca, md) > 0);
  FILE *f = fopen(path, "ab");
  assert_non_null(f);
  if (flags & DER)
    assert_true(i2d_X509_fp(f, x));
  else
    assert_true(PEM_write_X509(f, x));
  fclose(f);
  X509_free(x);
}

typedef struct row {
  const char *name;
  const char *cmd; /* run in the directory; makes `name` */
  int bits;        /* else: a certificate of that many bits */
  const char *md;
  int flags;
  const char *want;
} row;

#define GENRSA "openssl genrsa -traditional 2048 2>/dev/null"
#define JUNK "printf 'ELFISH\\000\\001\\002\\003 '"

static const row rows[] = {
    /* credential.private-key, every PEM flavour */
    {"rsa.key", GENRSA " > rsa.key", 0, 0, 0, "credential.private-key@1"},
    {"p8.key",
     "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 "
     "-out p8.key 2>/dev/null",
     0, 0, 0, "credential.private-key@1,crypto.weak-key@1"},
    {"ec.key", "openssl ecparam -name prime256v1 -genkey -noout -out ec.key", 0,
     0, 0, "credential.private-key@1"},
    {"ec192.key",
     "openssl ecparam -name prime192v1 -genkey -noout -out ec192.key", 0, 0, 0,
     "credential.private-key@1,crypto.weak-key@1"},
    {"ed.key", "openssl genpkey -algorithm ed25519 -out ed.key", 0, 0, 0,
     "credential.private-key@1"},
    {"dsa.key", "openssl dsaparam -genkey -noout -out dsa.key 1024 2>/dev/null",
     0, 0, 0, "credential.private-key@1,crypto.weak-key@1"},
    {"enc.key",
     "openssl genpkey -algorithm ed25519 -aes-128-cbc -pass pass:x "
     "-out enc.key",
     0, 0, 0, "credential.private-key@1"},
    {"legacy.key",
     GENRSA " | openssl rsa -traditional -aes128 -passout pass:x "
            "-out legacy.key 2>/dev/null",
     0, 0, 0, "credential.private-key@1"},
    /* Raw DER, and PEM inside a binary or after other text. */
    {"key.der", GENRSA " | openssl pkey -outform DER -out key.der", 0, 0, 0,
     "credential.private-key@0"},
    {"firmware.bin", "(" JUNK "; " GENRSA "; " JUNK ") > firmware.bin", 0, 0, 0,
     "credential.private-key@0"},
    {"server.conf", "(printf 'port 443\\n# key\\n'; " GENRSA ") > server.conf",
     0, 0, 0, "credential.private-key@3"},
    /* Not private keys: a template in a binary, a public key, a
     * truncated key, damage inside the markers. */
    {"tmpl.bin",
     "printf '\\000\\001-----BEGIN RSA PRIVATE KEY-----\\n%%s\\n"
     "-----END RSA PRIVATE KEY-----\\n\\000' > tmpl.bin",
     0, 0, 0, ""},
    {"pub.pem", GENRSA " | openssl pkey -pubout -out pub.pem", 0, 0, 0, ""},
    {"trunc.key", GENRSA " | head -n 5 > trunc.key", 0, 0, 0, ""},
    {"bad.key",
     "printf -- '-----BEGIN PRIVATE KEY-----\\nAAAA\\n"
     "-----END PRIVATE KEY-----\\n' > bad.key",
     0, 0, 0, ""},
    /* crypto.certificate and crypto.weak-key on certificates */
    {"good.crt", NULL, 2048, "sha256", 0, ""},
    {"sha1.crt", NULL, 2048, "sha1", 0, "crypto.certificate@1"},
    {"md5.crt", NULL, 2048, "md5", 0, "crypto.certificate@1"},
    {"expired.crt", NULL, 2048, "sha256", EXPIRED, "crypto.certificate@1"},
    {"weak.crt", NULL, 1024, "sha256", 0, "crypto.weak-key@1"},
    {"expired.der", NULL, 2048, "sha256", EXPIRED | DER,
     "crypto.certificate@0"},
    /* A self-signed device certificate: its own signature is not judged,
     * its expiry is. */
    {"self-sha1.crt", NULL, 2048, "sha1", SELF, ""},
    {"device.pem", NULL, 2048, "sha256", SELF | EXPIRED,
     "crypto.certificate@1"},
};

static void make(const tdir *t, const row *r) {
  char cmd[1024], path[256];
  if (r->cmd) {
    snprintf(cmd, sizeof cmd, "cd %s && %s", t->path, r->cmd);
    sh(cmd);
    return;
  }
  tdir_path(t, r->name, path, sizeof path);
  make_cert(path, r->bits, EVP_get_digestbyname(r->md), r->flags);
}

static void test_rows(void **state) {
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    tdir t;
    char got[512], ev[2048];
    tdir_init(&t);
    make(&t, &rows[i]);
    scan_rules(&t, credential_rules, got, sizeof got, ev, sizeof ev);
    if (strcmp(got, rows[i].want) != 0)
      fail_msg("row %zu (%s): got '%s', want '%s'", i, rows[i].name, got,
               rows[i].want);
    /* Evidence never carries key material. */
    assert_null(strstr(ev, "PRIVATE"));
    assert_null(strstr(ev, "MII"));
    tdir_release(&t);
  }
}

/* A trust store: expired self-signed roots in a bundle are not reported;
 * an expired device certificate next to them still is. */
static void test_trust_store(void **state) {
  tdir t;
  char path[256], got[256];
  tdir_init(&t);
  tdir_path(&t, "ca-bundle.pem", path, sizeof path);
  make_cert(path, 2048, EVP_sha1(), SELF | V1 | EXPIRED);
  make_cert(path, 2048, EVP_sha256(), SELF | V1 | EXPIRED);
  scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
  assert_string_equal(got, "");
  tdir_path(&t, "server.pem", path, sizeof path);
  make_cert(path, 2048, EVP_sha256(), EXPIRED);
  scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
  assert_string_equal(got, "crypto.certificate@1");
  tdir_release(&t);
}

/* Sample keys in package documentation (openvpn's) are not reported;
 * the same key where a program reads it is. */
static void test_documentation(void **state) {
  tdir t;
  char cmd[512], got[256];
  tdir_init(&t);
  snprintf(cmd, sizeof cmd,
           "cd %s && mkdir -p usr/share/doc/openvpn/examples && " GENRSA
           " > usr/share/doc/openvpn/examples/client.key",
           t.path);
  sh(cmd);
  scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
  assert_string_equal(got, "");
  snprintf(cmd, sizeof cmd,
           "cd %s && mkdir -p etc/openvpn && "
           "cp usr/share/doc/openvpn/examples/client.key etc/openvpn/",
           t.path);
  sh(cmd);
  scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
  assert_string_equal(got, "credential.private-key@1");
  snprintf(cmd, sizeof cmd, "rm -rf %s/usr %s/etc", t.path, t.path);
  sh(cmd);
  tdir_release(&t);
}

/* Evidence: key type, bits and the SHA-256 of the public key DER, the
 * same as the openssl command computes; the expiry date for a
 * certificate. */
static void test_evidence(void **state) {
  tdir t;
  char cmd[512], path[256], got[256], ev[512];
  tdir_init(&t);
  snprintf(cmd, sizeof cmd,
           "cd %s && " GENRSA " > a.key && openssl pkey -in a.key -pubout "
           "-outform DER | openssl dgst -sha256 -r | cut -c1-64 > a.fp",
           t.path);
  sh(cmd);
  tdir_path(&t, "a.fp", path, sizeof path);
  char *fp = slurp(path, NULL);
  fp[64] = '\0';
  remove(path);
  scan_rules(&t, credential_rules, got, sizeof got, ev, sizeof ev);
  char want[128];
  snprintf(want, sizeof want, "rsa:2048:sha256:%s", fp);
  assert_string_equal(ev, want);
  free(fp);

  tdir_path(&t, "a.key", path, sizeof path);
  remove(path);
  tdir_path(&t, "old.crt", path, sizeof path);
  make_cert(path, 2048, EVP_sha256(), EXPIRED);
  scan_rules(&t, credential_rules, got, sizeof got, ev, sizeof ev);
  assert_string_equal(got, "crypto.certificate@1");
  assert_memory_equal(ev, "notAfter=", 9);
  tdir_release(&t);
}

/* The same key at another offset in the next release keeps its
 * fingerprint; another key does not. */
static void test_fingerprint(void **state) {
  static const char *const cmds[3] = {
      "(head -c 10 /dev/zero; cat a.key) > fw.bin",
      "(head -c 5000 /dev/zero; cat a.key; head -c 9 /dev/zero) > fw.bin",
      "(head -c 10 /dev/zero; cat b.key) > fw.bin"};
  char fp[3][33], cmd[512];
  tdir keys;
  tdir_init(&keys);
  snprintf(cmd, sizeof cmd,
           "cd %s && openssl genpkey -algorithm ed25519 -out a.key && "
           "openssl genpkey -algorithm ed25519 -out b.key",
           keys.path);
  sh(cmd);
  for (int k = 0; k < 3; k++) {
    tdir t;
    tdir_init(&t);
    snprintf(cmd, sizeof cmd, "cd %s && %s && mv fw.bin %s/", keys.path,
             cmds[k], t.path);
    sh(cmd);
    fwvet_scan *scan = NULL;
    assert_int_equal(fwvet_scan_run(t.path, NULL, &scan), FWVET_OK);
    int n = 0;
    for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
      const fwvet_finding *fd = fwvet_scan_finding(scan, i);
      if (!strcmp(fd->rule, "credential.private-key")) {
        snprintf(fp[k], sizeof fp[k], "%s", fd->fingerprint);
        n++;
      }
    }
    assert_int_equal(n, 1);
    fwvet_scan_destroy(scan);
    tdir_release(&t);
  }
  assert_string_equal(fp[0], fp[1]);
  assert_string_not_equal(fp[0], fp[2]);
  tdir_release(&keys);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_trust_store),
      cmocka_unit_test(test_evidence),
      cmocka_unit_test(test_fingerprint),
      cmocka_unit_test(test_documentation),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
