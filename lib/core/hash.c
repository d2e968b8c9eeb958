/* sha256 and finding fingerprints, through libcrypto. */
#include "core/hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void to_hex(const unsigned char *md, size_t n, char *out) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[2 * n] = '\0';
}

void fwvet_sha256_hex(const uint8_t *data, size_t len, char out[65]) {
  unsigned char md[32];
  unsigned int mdlen = 0;
  if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
    memset(md, 0, sizeof md);
  to_hex(md, 32, out);
}

void fwvet_path_strip_offsets(const char *path, char *out, size_t cap) {
  size_t o = 0;
  if (cap == 0)
    return;
  for (const char *p = path; *p && o + 1 < cap; p++) {
    if (p[0] == '@' && p[1] == '0' && p[2] == 'x') {
      const char *q = p + 3;
      while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
        q++;
      if (*q == '/' || *q == '\0') {
        p = q - 1;
        continue;
      }
    }
    out[o++] = *p;
  }
  out[o] = '\0';
}

void fwvet_fingerprint(const char *rule, const char *location,
                       const char *evidence, char out[33]) {
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char md[32];
  unsigned int mdlen = 0;
  char loc[4096];
  fwvet_path_strip_offsets(location ? location : "", loc, sizeof loc);
  if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
      !EVP_DigestUpdate(ctx, rule, strlen(rule) + 1) ||
      !EVP_DigestUpdate(ctx, loc, strlen(loc) + 1) ||
      !EVP_DigestUpdate(ctx, evidence ? evidence : "",
                        evidence ? strlen(evidence) : 0) ||
      !EVP_DigestFinal_ex(ctx, md, &mdlen))
    memset(md, 0, sizeof md);
  EVP_MD_CTX_free(ctx);
  to_hex(md, 16, out);
}
