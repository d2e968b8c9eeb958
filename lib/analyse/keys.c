/*
 * Keys and certificates that libcrypto can read: PEM blocks anywhere in any
 * file (also embedded in binaries), and whole-file DER.
 *   credential.private-key  a private key (PKCS#1, SEC1, DSA, PKCS#8,
 *                           encrypted PKCS#8 or legacy-encrypted PEM)
 *   crypto.weak-key         RSA/DSA under 2048 bits, EC under 224 bits, in
 *                           a private key or a certificate
 *   crypto.certificate      an expired certificate, or one signed with MD5
 *                           or SHA-1 (self-signed ones excepted: nobody
 *                           checks a trust anchor's own signature)
 * OpenSSH and PuTTY keys are sshkeys.c's.  Evidence names the key by the
 * SHA-256 of its public part (DER SubjectPublicKeyInfo) and a certificate
 * by the SHA-256 of its DER; private material never leaves this file.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "analyse/analyser.h"
#include "core/literals.h"
#include "core/cursor.h"

#define MAX_KEY_FILE (64u << 20) /* larger files are not searched */
#define MAX_PEM_BLOCK (64u << 10)
#define MAX_BLOCKS 1024 /* per file: CA bundles have a few hundred */

typedef struct ctx {
  fwvet_sink *sink;
  const fwvet_node *node;
  int store; /* a trust store: CA bundle or certificate directory */
} ctx;

/* Never prompts: an encrypted key stays unreadable. */
static int no_password(char *buf, int size, int rwflag, void *ud) { return -1; }

static void hex(char *out, const unsigned char *p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  out[2 * n] = '\0';
}

static void sha256_hex(char out[65], const unsigned char *p, size_t n) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
    out[0] = '\0';
    return;
  }
  hex(out, md, 32);
}

/* "rsa:1024:sha256:<hex of the public key DER>" into out, "rsa 1024
 * bits" into human (32 bytes). */
static void describe_key(EVP_PKEY *k, char *out, size_t size, char *human,
                         int *weak) {
  int id = EVP_PKEY_get_base_id(k), bits = EVP_PKEY_get_bits(k);
  const char *type = id == EVP_PKEY_RSA       ? "rsa"
                     : id == EVP_PKEY_DSA     ? "dsa"
                     : id == EVP_PKEY_EC      ? "ec"
                     : id == EVP_PKEY_ED25519 ? "ed25519"
                     : id == EVP_PKEY_ED448   ? "ed448"
                     : id == EVP_PKEY_X25519  ? "x25519"
                     : id == EVP_PKEY_DH      ? "dh"
                                              : "other";
  unsigned char *der = NULL;
  int n = i2d_PUBKEY(k, &der);
  char fp[65] = "";
  if (n > 0)
    sha256_hex(fp, der, (size_t)n);
  OPENSSL_free(der);
  snprintf(out, size, "%s:%d:sha256:%s", type, bits, fp);
  snprintf(human, 32, "%s %d bits", type, bits);
  *weak = ((id == EVP_PKEY_RSA || id == EVP_PKEY_DSA) && bits < 2048) ||
          (id == EVP_PKEY_EC && bits < 224);
}

static void report_weak(ctx *c, unsigned line, const char *ev,
                        const char *human, const char *where) {
  fwvet_sink_report(c->sink, c->node, "crypto.weak-key", FWVET_SEV_MEDIUM,
                    FWVET_NO_OFFSET, line, ev,
                    "%s is too short (%s): it can be factored or "
                    "broken with public means",
                    where, human);
}

/*
 * Public test vectors compiled into common libraries, by the SHA-256 of
 * the public key DER: every stock image that ships the library has them,
 * and they protect nothing.
 */
static const char *const public_test_keys[] = {
    /* GnuTLS crypto self-tests (lib/crypto-selftests-pk.c) */
    "dd0701715ac41b7b96a2c8fe7a762b0ee05215f4f21c44d9458f1d2e2d57427d",
    "5bd7bad40971be901e68d9b97405c3a3e996adbede885869b270185ad499108e",
    "5a9214aa789ffe021992636dd17ca313f340948e604d4122735160f3d46688a0",
};

static int public_test_key(const char *ev) {
  const char *fp = strstr(ev, ":sha256:");
  for (size_t i = 0;
       fp && i < sizeof public_test_keys / sizeof *public_test_keys; i++)
    if (!strcmp(fp + 8, public_test_keys[i]))
      return 1;
  return 0;
}

static void private_key(ctx *c, EVP_PKEY *k, const char *label,
                        const unsigned char *raw, size_t rawlen,
                        unsigned line) {
  char ev[160], human[32] = "encrypted";
  int weak = 0;
  if (k) {
    describe_key(k, ev, sizeof ev, human, &weak);
    if (public_test_key(ev))
      return;
  } else {
    /* Encrypted: only the ciphertext can name it. */
    char fp[65];
    sha256_hex(fp, raw, rawlen);
    snprintf(ev, sizeof ev, "encrypted:sha256:%s", fp);
  }
  fwvet_sink_report(c->sink, c->node, "credential.private-key", FWVET_SEV_HIGH,
                    FWVET_NO_OFFSET, line, ev,
                    "a private key (%s, %s) is shipped in the image: every "
                    "device shares it, so whoever extracts it can "
                    "impersonate or decrypt any of them",
                    label, human);
  if (weak)
    report_weak(c, line, ev, human, "a private key");
}

static void date(const ASN1_TIME *t, char out[32]) {
  struct tm tm;
  if (!t || !ASN1_TIME_to_tm(t, &tm)) {
    snprintf(out, 32, "unknown");
    return;
  }
  snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday);
}

static void certificate(ctx *c, X509 *x, unsigned line) {
  unsigned char *der = NULL;
  int n = i2d_X509(x, &der);
  char fp[65] = "", ev[192], subject[128] = "", day[32];
  if (n > 0)
    sha256_hex(fp, der, (size_t)n);
  OPENSSL_free(der);
  X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof subject);

  /* A root in a trust store is only a candidate anchor: an expired one
   * is ignored by clients, and the distribution removes it in time. */
  int self = X509_check_issued(x, x) == X509_V_OK;
  int anchor = self && c->store && X509_check_ca(x);
  const ASN1_TIME *na = X509_get0_notAfter(x);
  if (!anchor && na && X509_cmp_current_time(na) < 0) {
    date(na, day);
    snprintf(ev, sizeof ev, "notAfter=%s:sha256:%.16s", day, fp);
    fwvet_sink_report(c->sink, c->node, "crypto.certificate", FWVET_SEV_LOW,
                      FWVET_NO_OFFSET, line, ev,
                      "certificate '%s' is not valid after %s: clients "
                      "that check it fail, those that do not train users "
                      "to ignore errors",
                      subject, day);
  }
  int nid = X509_get_signature_nid(x), md = NID_undef;
  OBJ_find_sigid_algs(nid, &md, NULL);
  if (!self &&
      (md == NID_md5 || md == NID_sha1 || md == NID_md2 || md == NID_md4)) {
    snprintf(ev, sizeof ev, "%s:sha256:%.16s", OBJ_nid2sn(nid), fp);
    fwvet_sink_report(c->sink, c->node, "crypto.certificate", FWVET_SEV_LOW,
                      FWVET_NO_OFFSET, line, ev,
                      "certificate '%s' is signed with %s: collisions "
                      "allow forging a certificate with the same "
                      "signature",
                      subject, OBJ_nid2sn(md));
  }
  EVP_PKEY *k = X509_get0_pubkey(x);
  int weak = 0;
  if (k) {
    char kd[160], human[32];
    describe_key(k, kd, sizeof kd, human, &weak);
    if (weak)
      report_weak(c, line, kd, human, "the public key of a certificate");
  }
}

static unsigned line_at(const uint8_t *data, size_t off, int text) {
  if (!text)
    return 0;
  unsigned n = 1;
  for (size_t i = 0; i < off; i++)
    n += data[i] == '\n';
  return n;
}

static int private_label(const char *label) {
  static const char *const labels[] = {
      "RSA PRIVATE KEY", "EC PRIVATE KEY",        "DSA PRIVATE KEY",
      "PRIVATE KEY",     "ENCRYPTED PRIVATE KEY", "ANY PRIVATE KEY"};
  for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
    if (!strcmp(label, labels[i]))
      return 1;
  return 0;
}

/* One PEM block [p, p+n) with the given label. */
static void pem_block(ctx *c, const char *label, const uint8_t *p, size_t n,
                      unsigned line) {
  BIO *bio = BIO_new_mem_buf(p, (int)n);
  if (!bio)
    return;
  if (private_label(label)) {
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    /* Unreadable and not encrypted: a template such as "%s" in a binary,
     * or damage; neither is a key. */
    if (k || !strcmp(label, "ENCRYPTED PRIVATE KEY") ||
        memmem(p, n, "Proc-Type: 4,ENCRYPTED", 22))
      private_key(c, k, label, p, n, line);
    EVP_PKEY_free(k);
  } else if (!strcmp(label, "CERTIFICATE") ||
             !strcmp(label, "X509 CERTIFICATE") ||
             !strcmp(label, "TRUSTED CERTIFICATE")) {
    X509 *x = strcmp(label, "TRUSTED CERTIFICATE")
                  ? PEM_read_bio_X509(bio, NULL, no_password, NULL)
                  : PEM_read_bio_X509_AUX(bio, NULL, no_password, NULL);
    if (x)
      certificate(c, x, line);
    X509_free(x);
  }
  BIO_free(bio);
}

static void scan_pem(ctx *c, const uint8_t *data, size_t len, int text) {
  static const char begin[] = "-----BEGIN ";
  size_t pos = 0;
  unsigned blocks = 0, line = 1;
  size_t counted = 0; /* line numbers counted up to here */
  /* Every marker may cost a search of MAX_PEM_BLOCK bytes: cap them. */
  for (unsigned tries = 0;
       pos < len && blocks < MAX_BLOCKS && tries < 4 * MAX_BLOCKS; tries++) {
    const uint8_t *b = memmem(data + pos, len - pos, begin, sizeof begin - 1);
    if (!b)
      break;
    size_t at = (size_t)(b - data), lstart = at + sizeof begin - 1;
    pos = lstart;
    /* The label: up to 40 upper-case letters and spaces, then dashes. */
    size_t l = 0;
    while (l < 40 && lstart + l < len &&
           ((data[lstart + l] >= 'A' && data[lstart + l] <= 'Z') ||
            (data[lstart + l] >= '0' && data[lstart + l] <= '9') ||
            data[lstart + l] == ' '))
      l++;
    if (l == 0 || !fwvet_fits(lstart + l, 5, len) ||
        memcmp(data + lstart + l, "-----", 5))
      continue;
    char label[48], end[64];
    snprintf(label, sizeof label, "%.*s", (int)l, (const char *)data + lstart);
    int elen = snprintf(end, sizeof end, "-----END %s-----", label);
    size_t window = len - at < MAX_PEM_BLOCK ? len - at : MAX_PEM_BLOCK;
    const uint8_t *e = memmem(b, window, end, (size_t)elen);
    if (!e)
      continue;
    size_t stop = (size_t)(e - data) + (size_t)elen;
    if (text) {
      line += line_at(data + counted, at - counted, 1) - 1;
      counted = at;
    }
    blocks++;
    if (strcmp(label, "OPENSSH PRIVATE KEY") != 0)
      pem_block(c, label, b, stop - at, text ? line : 0);
    pos = stop;
  }
}

/* A whole file of DER: one SEQUENCE with a two-byte length, nothing after. */
static void scan_der(ctx *c, const uint8_t *data, size_t len) {
  if (len < 4 || data[0] != 0x30 || data[1] != 0x82 ||
      ((size_t)data[2] << 8 | data[3]) + 4 != len)
    return;
  const unsigned char *p = data;
  EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)len);
  if (k && p == data + len) {
    private_key(c, k, "DER", data, len, 0);
    EVP_PKEY_free(k);
    return;
  }
  EVP_PKEY_free(k);
  p = data;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  if (x && p == data + len)
    certificate(c, x, 0);
  X509_free(x);
}

/* One prefilter pass: most files hold no PEM block at all. */
static const char *const pem_begin[] = {"-----BEGIN "};
static fwvet_literal_set pem_marker = FWVET_LITERAL_STRINGS(pem_begin);

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  if (fwvet_node_kind(node) != FWVET_KIND_FILE || len == 0 ||
      len > MAX_KEY_FILE)
    return;
  const char *path = fwvet_node_fspath(node);
  /* Package documentation ships public sample keys (openvpn's
   * examples/sample-keys): nothing uses them from there, and a vendor
   * who copies one to where it is used is found there. */
  if (!strncmp(path, "/usr/share/doc/", 15))
    return;
  static const char cert[] = "-----BEGIN CERTIFICATE-----";
  int pem = fwvet_literals_scan(&pem_marker, data, len) != 0;
  const uint8_t *first = pem ? memmem(data, len, cert, sizeof cert - 1)
                             : NULL;
  ctx c = {sink, node,
           strstr(path, "ca-certificates") || strstr(path, "/certs/") ||
               strstr(path, "ca-bundle") || strstr(path, "/pki/") ||
               (first && memmem(first + 1, len - (size_t)(first + 1 - data),
                                cert, sizeof cert - 1))};
  const char *type = fwvet_node_type(node);
  int text =
      !strcmp(type, "text") || !strcmp(type, "pem") || !strcmp(type, "script");
  if (pem)
    scan_pem(&c, data, len, text);
  if (!strcmp(type, "data"))
    scan_der(&c, data, len);
}

const fwvet_analyser fwvet_analyser_keys = {"keys", analyse};
