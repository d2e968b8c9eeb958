/*
 * Finding the records in an NVD or OSV JSON document.  NVD feeds hold
 * tens of thousands of records: the document is not parsed as a whole
 * but walked at the top level here (a structural scan that checks
 * brackets and strings), and each element of its "vulnerabilities"
 * array is parsed on its own with jansson, so memory holds the decoded
 * bytes and one record's tree, not a tree of the whole feed.
 */
#include <string.h>

#include "vuln/vuln_int.h"

#define MAX_DEPTH 512 /* nesting the walker follows */

static size_t skip_ws(const uint8_t *d, size_t len, size_t pos) {
  while (pos < len && (d[pos] == ' ' || d[pos] == '\t' || d[pos] == '\n' ||
                       d[pos] == '\r'))
    pos++;
  return pos;
}

/* Offset just past the string whose '"' is at `pos`, or 0. */
static size_t skip_string(const uint8_t *d, size_t len, size_t pos) {
  for (pos++; pos < len; pos++) {
    if (d[pos] == '\\')
      pos++;
    else if (d[pos] == '"')
      return pos + 1;
  }
  return 0;
}

static int scalar_char(uint8_t ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
         ch == '-' || ch == '+' || ch == '.' || ch == 'E';
}

/* Offset just past the value at `pos` (after whitespace), or 0 with
 * *why set.  Checks nesting and string ends, not every token. */
static size_t skip_value(const uint8_t *d, size_t len, size_t pos,
                         const char **why) {
  uint8_t stack[MAX_DEPTH];
  size_t depth = 0;
  pos = skip_ws(d, len, pos);
  do {
    if (pos >= len) {
      *why = "unexpected end of data";
      return 0;
    }
    uint8_t ch = d[pos];
    if (ch == '{' || ch == '[') {
      if (depth == MAX_DEPTH) {
        *why = "nested too deeply";
        return 0;
      }
      stack[depth++] = ch == '{' ? '}' : ']';
      pos++;
    } else if (ch == '}' || ch == ']') {
      if (!depth || stack[depth - 1] != ch) {
        *why = "unbalanced brackets";
        return 0;
      }
      depth--;
      pos++;
    } else if (ch == '"') {
      if (!(pos = skip_string(d, len, pos))) {
        *why = "unterminated string";
        return 0;
      }
    } else if (depth && (ch == ',' || ch == ':' || ch == ' ' ||
                         ch == '\t' || ch == '\n' || ch == '\r')) {
      pos++;
    } else if (scalar_char(ch)) {
      while (pos < len && scalar_char(d[pos]))
        pos++;
    } else {
      *why = "unexpected character";
      return 0;
    }
  } while (depth);
  return pos;
}

typedef fwvet_status (*record_fn)(vuln_import *im, json_t *rec);

/* Parses [start, end) as one record and hands it to `fn`. */
static fwvet_status one_record(vuln_ctx *c, const uint8_t *d, size_t start,
                               size_t end, record_fn fn) {
  json_error_t e;
  if (end - start > VULN_MAX_RECORD)
    return vuln_fail(c, FWVET_ELIMIT, "a record at byte %zu is larger "
                     "than %zu bytes", start, VULN_MAX_RECORD);
  json_t *j = json_loadb((const char *)d + start, end - start,
                         JSON_DECODE_ANY, &e);
  if (!j)
    return vuln_fail(c, FWVET_ECORRUPT, "invalid JSON at byte %zu: %s",
                     start + (size_t)(e.position > 0 ? e.position : 0),
                     e.text);
  c->im->err[0] = '\0';
  fwvet_status st = fn(c->im, j);
  json_decref(j);
  if (st) {
    /* The readers' and the store's messages lack the file name. */
    char why[256];
    snprintf(why, sizeof why, "%s",
             c->im->err[0] ? c->im->err : fwvet_strerror(st));
    return vuln_fail(c, st, "%s", why);
  }
  return FWVET_OK;
}

/* Each element of the array whose '[' is at `pos`. */
static fwvet_status each_element(vuln_ctx *c, const uint8_t *d, size_t len,
                                 size_t pos, record_fn fn) {
  const char *why = "expected an array";
  fwvet_status st;
  if (pos >= len || d[pos] != '[')
    goto bad;
  pos = skip_ws(d, len, pos + 1);
  if (pos < len && d[pos] == ']')
    return FWVET_OK;
  for (;;) {
    size_t start = skip_ws(d, len, pos);
    size_t end = skip_value(d, len, start, &why);
    if (!end)
      goto bad;
    if ((st = one_record(c, d, start, end, fn)))
      return st;
    pos = skip_ws(d, len, end);
    if (pos < len && d[pos] == ',') {
      pos++;
      continue;
    }
    if (pos < len && d[pos] == ']')
      return FWVET_OK;
    why = pos < len ? "expected ',' or ']'" : "unexpected end of data";
    goto bad;
  }
bad:
  return vuln_fail(c, FWVET_ECORRUPT, "invalid JSON at byte %zu: %s", pos,
                   why);
}

static int key_is(const uint8_t *d, size_t kstart, size_t kend,
                  const char *key) {
  size_t n = strlen(key);
  return kend - kstart == n + 2 && !memcmp(d + kstart + 1, key, n);
}

/* A JSON document: an NVD response or feed, an OSV record, a list of OSV
 * records, or an OSV API answer ({"vulns": [...]}). */
fwvet_status vuln_import_json(vuln_ctx *c, const uint8_t *d, size_t len) {
  const char *why = "not JSON";
  size_t pos = 0, list = 0, end;
  record_fn fn = NULL;
  if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
    pos = 3;
  pos = skip_ws(d, len, pos);
  if (pos < len && d[pos] == '[') {
    if (!(end = skip_value(d, len, pos, &why)))
      goto bad;
    list = pos;
    fn = vuln_osv_record;
    pos = end;
    goto tail;
  }
  if (pos >= len || d[pos] != '{')
    goto bad;
  size_t top = pos;
  pos = skip_ws(d, len, pos + 1);
  while (pos < len && d[pos] != '}') {
    size_t kstart = pos, kend;
    why = "expected a key";
    if (d[pos] != '"' || !(kend = skip_string(d, len, pos)))
      goto bad;
    pos = skip_ws(d, len, kend);
    why = "expected ':'";
    if (pos >= len || d[pos] != ':')
      goto bad;
    size_t vstart = skip_ws(d, len, pos + 1);
    if (!(end = skip_value(d, len, vstart, &why))) {
      pos = vstart;
      goto bad;
    }
    if (key_is(d, kstart, kend, "vulnerabilities") && d[vstart] == '[') {
      list = vstart;
      fn = vuln_nvd_item;
    } else if (key_is(d, kstart, kend, "vulns") && d[vstart] == '[') {
      list = vstart;
      fn = vuln_osv_record;
    } else if (key_is(d, kstart, kend, "CVE_Items")) {
      return vuln_fail(c, FWVET_EUNSUPPORTED, "an NVD JSON 1.1 feed; use "
                       "the NVD CVE JSON 2.0 feeds or API");
    }
    pos = skip_ws(d, len, end);
    if (pos < len && d[pos] == ',')
      pos = skip_ws(d, len, pos + 1);
    else if (pos >= len || d[pos] != '}') {
      why = "expected ',' or '}'";
      goto bad;
    }
  }
  why = "unexpected end of data";
  if (pos >= len)
    goto bad;
  pos++;
  if (!fn) {
    /* One OSV record, small enough to parse whole. */
    pos = skip_ws(d, len, pos);
    if (pos != len) {
      why = "data after the JSON value";
      goto bad;
    }
    return one_record(c, d, top, pos, vuln_osv_record);
  }
tail:
  pos = skip_ws(d, len, pos);
  if (pos != len) {
    why = "data after the JSON value";
    goto bad;
  }
  return each_element(c, d, len, list, fn);
bad:
  return vuln_fail(c, FWVET_ECORRUPT, "invalid JSON at byte %zu: %s", pos,
                   why);
}

