/*
 * The sshkeys analyser (authorized_keys, OpenSSH and PuTTY private keys):
 * one row per case, each made at test time with ssh-keygen in a fresh
 * directory; the row's files are whatever its command leaves there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "creds_fixture.h"

#define KEYGEN(type, file)                                                     \
  "ssh-keygen -q -N '' -C vendor@factory -t " type " -f " file
#define KEYGEN_PW(type, file)                                                  \
  "ssh-keygen -q -N secret -C vendor@factory -t " type " -f " file
/* A PuTTY v3 file around the public blob of k.pub (the private lines
 * are not parsed, so placeholder bytes do). */
#define PUTTY(type, out)                                                       \
  "(echo 'PuTTY-User-Key-File-3: " type "'; echo 'Encryption: none'; "         \
  "echo 'Comment: vendor'; b=$(cut -d' ' -f2 k.pub | fold -w 64); "            \
  "echo \"Public-Lines: $(echo \"$b\" | wc -l)\"; echo \"$b\"; "               \
  "echo 'Private-Lines: 1'; echo 'AAAA'; echo 'Private-MAC: 00') > " out       \
  " && rm k k.pub"

static const struct {
  const char *name, *cmd, *want;
} rows[] = {
    /* credential.authorized-key: by name, with options, by content. */
    {"named", KEYGEN("ed25519", "k") " && mv k.pub authorized_keys && rm k",
     "credential.authorized-key@1"},
    {"options",
     KEYGEN("rsa -b 2048", "k") " && (echo '# vendor access'; "
                                "sed 's/^/no-pty,command=\"\\/bin\\/sh -c "
                                "\\\\\"id\\\\\"\" /' k.pub) "
                                "> authorized_keys2 && rm k k.pub",
     "credential.authorized-key@2"},
    {"content",
     KEYGEN("ecdsa -b 256", "k") " && (echo; cat k.pub) > "
                                 "dropbear_keys && rm k k.pub",
     "credential.authorized-key@2"},
    {"named-tolerant",
     KEYGEN("ed25519", "k") " && (echo 'garbage line'; cat k.pub) > "
                            "authorized_keys && rm k k.pub",
     "credential.authorized-key@2"},
    /* Not authorized_keys: mixed content without the name, known_hosts,
     * a .pub file, damaged or mismatched blobs. */
    {"mixed",
     KEYGEN("ed25519", "k") " && (echo 'garbage line'; cat k.pub) > "
                            "notes && rm k k.pub",
     ""},
    {"known_hosts",
     KEYGEN("ed25519", "k") " && sed 's/^/router.lan,192.168.1.1 /' k.pub > "
                            "known_hosts && cp known_hosts hosts.db && "
                            "rm k k.pub",
     ""},
    {"pub", KEYGEN("ed25519", "k") " && mv k.pub id_ed25519.pub && rm k", ""},
    {"truncated", "echo 'ssh-rsa AAAAB3NzaC1yc2E user' > authorized_keys", ""},
    {"mismatch",
     KEYGEN("ed25519", "k") " && sed 's/^ssh-ed25519/ssh-rsa/' k.pub > "
                            "authorized_keys && rm k k.pub",
     ""},
    /* credential.private-key: OpenSSH format, plain and encrypted, and
     * inside a binary. */
    {"openssh-ed25519", KEYGEN("ed25519", "k") " && rm k.pub",
     "credential.private-key@1"},
    {"openssh-ecdsa", KEYGEN("ecdsa -b 384", "k") " && rm k.pub",
     "credential.private-key@1"},
    {"openssh-rsa1024-enc", KEYGEN_PW("rsa -b 1024", "k") " && rm k.pub",
     "credential.private-key@1,crypto.weak-key@1"},
    {"openssh-in-binary",
     KEYGEN("ed25519", "k") " && (printf '\\177ELF\\000\\001'; cat k; "
                            "printf '\\000') > sshd.bin && rm k k.pub",
     "credential.private-key@0"},
    {"openssh-damaged",
     "printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEA"
     "\\n-----END OPENSSH PRIVATE KEY-----\\n' > k",
     ""},
    /* PuTTY */
    {"putty", KEYGEN("ed25519", "k") " && " PUTTY("ssh-ed25519", "k.ppk"),
     "credential.private-key@1"},
    {"putty-rsa1024",
     KEYGEN("rsa -b 1024", "k") " && " PUTTY("ssh-rsa", "k.ppk"),
     "credential.private-key@1,crypto.weak-key@1"},
    {"putty-no-public",
     "printf 'PuTTY-User-Key-File-2: ssh-rsa\\nEncryption: none\\n' > k.ppk",
     ""},
};

static void test_rows(void **state) {
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    tdir t;
    char cmd[1024], got[512];
    tdir_init(&t);
    snprintf(cmd, sizeof cmd, "cd %s && %s", t.path, rows[i].cmd);
    sh(cmd);
    scan_rules(&t, credential_rules, got, sizeof got, NULL, 0);
    if (strcmp(got, rows[i].want) != 0)
      fail_msg("row %zu (%s): got '%s', want '%s'", i, rows[i].name, got,
               rows[i].want);
    tdir_release(&t);
  }
}

/* Evidence: type, comment and the fingerprint ssh-keygen -l prints; the
 * private key file is named by the same fingerprint. */
static void test_fingerprint(void **state) {
  tdir t;
  char cmd[512], path[256], got[256], ev[512], want[512];
  tdir_init(&t);
  snprintf(cmd, sizeof cmd,
           "cd %s && " KEYGEN(
               "ed25519",
               "k") " && cp k.pub authorized_keys"
                    " && ssh-keygen -lf k.pub | cut -d' ' -f2 > fp && rm k.pub",
           t.path);
  sh(cmd);
  tdir_path(&t, "fp", path, sizeof path);
  char *fp = slurp(path, NULL);
  *strchr(fp, '\n') = '\0';
  remove(path);
  scan_rules(&t, credential_rules, got, sizeof got, ev, sizeof ev);
  assert_string_equal(got, "credential.authorized-key@1,"
                           "credential.private-key@1");
  snprintf(want, sizeof want,
           "ssh-ed25519:vendor@factory:%s|"
           "ssh-ed25519:256:%s",
           fp, fp);
  assert_string_equal(ev, want);
  free(fp);
  tdir_release(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_fingerprint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
