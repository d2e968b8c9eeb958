/* Reading passwd-style files. */
#include "analyse/pwfile.h"

#include <string.h>

size_t fwvet_pw_split(const char *line, size_t len, fwvet_field *f,
                      size_t max) {
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= len; i++) {
    if (i == len || line[i] == ':') {
      if (n < max)
        f[n] = (fwvet_field){line + start, i - start};
      n++;
      start = i + 1;
    }
  }
  return n;
}

int fwvet_pw_numeric(fwvet_field f) {
  if (f.len == 0 || f.len > 10)
    return 0;
  for (size_t i = 0; i < f.len; i++)
    if (f.p[i] < '0' || f.p[i] > '9')
      return 0;
  return 1;
}

/* A shadow date or day count: empty, digits, or -1 as some tools write. */
static int shadow_number(fwvet_field f) {
  if (f.len && f.p[0] == '-')
    f = (fwvet_field){f.p + 1, f.len - 1};
  return f.len == 0 || fwvet_pw_numeric(f);
}

int fwvet_pw_shape(const fwvet_field *f, size_t n) {
  if (n == 7 && f[0].len && fwvet_pw_numeric(f[2]) && fwvet_pw_numeric(f[3]))
    return FWVET_PW_PASSWD;
  /* Every field from the third to the eighth is a number or empty: other
   * 9-field formats (p0f's pf.os fingerprints, `S4:64:1:60:M*,N:...`)
   * are not shadow files. */
  if (n == 9 && f[0].len) {
    for (size_t i = 2; i < 8; i++)
      if (!shadow_number(f[i]))
        return FWVET_PW_OTHER;
    return FWVET_PW_SHADOW;
  }
  return FWVET_PW_OTHER;
}

void fwvet_pw_lines_init(fwvet_pw_lines *it, const char *d, size_t len) {
  it->d = d;
  it->len = len;
  it->pos = 0;
  it->lineno = 0;
}

int fwvet_pw_next(fwvet_pw_lines *it, fwvet_field *f, size_t max, size_t *n) {
  while (it->pos < it->len) {
    const char *s = it->d + it->pos;
    const char *nl = memchr(s, '\n', it->len - it->pos);
    size_t l = nl ? (size_t)(nl - s) : it->len - it->pos;
    it->pos += l + 1;
    it->lineno++;
    if (l && s[l - 1] == '\r')
      l--;
    if (l == 0 || s[0] == '#')
      continue;
    *n = fwvet_pw_split(s, l, f, max);
    return 1;
  }
  return 0;
}
