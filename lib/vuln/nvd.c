/*
 * NVD CVE JSON 2.0: one element of "vulnerabilities" ({"cve": {...}}),
 * as the API 2.0 and the 2.0 feeds write it.
 *
 * Affected products come from "configurations".  Each configuration is
 * one group (see vuln_int.h).  Within it, the cpeMatch entries marked
 * vulnerable in plain nodes are what is affected; the other parts of an
 * AND ("running on" an operating system, a hardware model) are context
 * that firmware need not prove, so they are not stored.  A node with
 * "negate" excludes: its entries become negated rows, and a version they
 * cover is not affected through that configuration.  A configuration
 * that is itself negated says nothing about what is affected and is
 * ignored.
 */
#include <stdio.h>
#include <string.h>

#include "vuln/vuln_int.h"

enum { CPE_PART, CPE_VENDOR, CPE_PRODUCT, CPE_VERSION, CPE_UPDATE,
       CPE_FIELDS };

/* Splits a CPE 2.3 formatted string on unescaped ':' into the fields
 * up to the update, unescaping them; -1 when it is not one. */
static int parse_cpe(const char *s, char f[CPE_FIELDS][128]) {
  if (strncmp(s, "cpe:2.3:", 8))
    return -1;
  s += 8;
  for (int i = 0; i < CPE_FIELDS; i++) {
    size_t n = 0;
    while (*s && *s != ':') {
      if (*s == '\\' && s[1])
        s++;
      if (n + 1 < sizeof f[i])
        f[i][n++] = *s;
      s++;
    }
    f[i][n] = '\0';
    if (*s == ':')
      s++;
    else if (i < CPE_UPDATE)
      return -1;
  }
  return 0;
}

static int any_value(const char *v) {
  return !*v || !strcmp(v, "*") || !strcmp(v, "-");
}

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void add_why(char *why, size_t cap, const char *what,
                    const char *v) {
  size_t n = strlen(why);
  if (!v || n >= cap)
    return;
  snprintf(why + n, cap - n, "%s%s %s", n ? ", " : "", what, v);
}

/* One cpeMatch entry as a row of group `grp`; 0 when it has none. */
static int cpe_row(vuln_rows *rows, json_t *m, int grp, int negate,
                   fwvet_status *st) {
  char f[CPE_FIELDS][128];
  const char *crit = str(m, "criteria");
  if (!crit)
    crit = str(m, "cpe23Uri"); /* the older spelling */
  if (!crit || parse_cpe(crit, f) || any_value(f[CPE_VENDOR]) ||
      any_value(f[CPE_PRODUCT]))
    return 0;
  vuln_affected *a = vuln_rows_add(rows);
  if (!a) {
    *st = rows->n >= VULN_MAX_AFFECTED ? FWVET_ELIMIT : FWVET_ENOMEM;
    return 0;
  }
  a->group = grp;
  a->negate = negate;
  vuln_lower(a->vendor, sizeof a->vendor, f[CPE_VENDOR]);
  vuln_lower(a->product, sizeof a->product, f[CPE_PRODUCT]);
  if (!any_value(f[CPE_VERSION])) {
    /* An exact version; an update ("beta1", "p1") belongs to it. */
    int n = any_value(f[CPE_UPDATE])
                ? snprintf(a->exact, sizeof a->exact, "%s", f[CPE_VERSION])
                : snprintf(a->exact, sizeof a->exact, "%s-%s",
                           f[CPE_VERSION], f[CPE_UPDATE]);
    if (n < 0 || (size_t)n >= sizeof a->exact) {
      rows->n--; /* a cut version would match the wrong releases */
      return 0;
    }
    snprintf(a->why, sizeof a->why, "version %s", a->exact);
  } else {
    static const struct {
      const char *key;
      int lo, incl;
    } b[] = {
        {"versionStartIncluding", 1, 1}, {"versionStartExcluding", 1, 0},
        {"versionEndIncluding", 0, 1},   {"versionEndExcluding", 0, 0},
    };
    for (size_t i = 0; i < sizeof b / sizeof *b; i++) {
      const char *v = str(m, b[i].key);
      if (!v || !*v)
        continue;
      /* Both spellings of one end: the first one wins. */
      char *dst = b[i].lo ? a->start : a->end;
      if (*dst)
        continue;
      snprintf(dst, sizeof a->start, "%s", v);
      *(b[i].lo ? &a->start_incl : &a->end_incl) = b[i].incl;
      add_why(a->why, sizeof a->why, b[i].key, v);
    }
    if (!a->why[0])
      snprintf(a->why, sizeof a->why, "all versions");
  }
  return !negate;
}

/* Rows of every configuration; *npos counts the rows that can match. */
static fwvet_status configurations(json_t *cve, vuln_rows *rows,
                                   size_t *npos) {
  json_t *cfgs = json_object_get(cve, "configurations");
  fwvet_status st = FWVET_OK;
  size_t gi, ni, mi;
  json_t *cfg, *node, *m;
  json_array_foreach(cfgs, gi, cfg) {
    if (json_is_true(json_object_get(cfg, "negate")))
      continue;
    json_array_foreach(json_object_get(cfg, "nodes"), ni, node) {
      int negate = json_is_true(json_object_get(node, "negate"));
      json_array_foreach(json_object_get(node, "cpeMatch"), mi, m) {
        /* In a negated node every entry excludes, whatever its flag. */
        if (!negate && !json_is_true(json_object_get(m, "vulnerable")))
          continue;
        *npos += (size_t)cpe_row(rows, m, (int)gi, negate, &st);
        if (st)
          return st;
      }
    }
  }
  return st;
}

/* The preferred metric: cvssMetricV31, then V30, then V2; in each the
 * "Primary" (NVD's own) one before others. */
static void metrics(json_t *cve, vuln_record *r, char *sev, size_t sevcap) {
  static const struct {
    const char *key, *version;
    int major;
  } kinds[] = {
      {"cvssMetricV31", "3.1", 3},
      {"cvssMetricV30", "3.0", 3},
      {"cvssMetricV2", "2.0", 2},
  };
  json_t *all = json_object_get(cve, "metrics");
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
    json_t *list = json_object_get(all, kinds[k].key), *m, *best = NULL;
    size_t i;
    json_array_foreach(list, i, m) {
      json_t *data = json_object_get(m, "cvssData");
      if (!json_is_number(json_object_get(data, "baseScore")))
        continue;
      const char *type = str(m, "type");
      if (!best || (type && !strcmp(type, "Primary") &&
                    !(str(best, "type") &&
                      !strcmp(str(best, "type"), "Primary"))))
        best = m;
    }
    if (!best)
      continue;
    json_t *data = json_object_get(best, "cvssData");
    double score = json_number_value(json_object_get(data, "baseScore"));
    if (score < 0 || score > 10)
      continue;
    r->cvss = score;
    r->cvss_version = kinds[k].version;
    /* v3 keeps the severity in cvssData, v2 next to it. */
    const char *s = str(kinds[k].major == 3 ? data : best, "baseSeverity");
    vuln_lower(sev, sevcap, s);
    if (strcmp(sev, "critical") && strcmp(sev, "high") &&
        strcmp(sev, "medium") && strcmp(sev, "low") && strcmp(sev, "none"))
      snprintf(sev, sevcap, "%s", vuln_severity_of(score, kinds[k].major));
    r->severity = sev;
    return;
  }
}

/* The English description, else the first one. */
static const char *summary(json_t *cve) {
  json_t *d;
  size_t i;
  const char *first = NULL;
  json_array_foreach(json_object_get(cve, "descriptions"), i, d) {
    const char *v = str(d, "value");
    const char *lang = str(d, "lang");
    if (v && lang && !strcmp(lang, "en"))
      return v;
    if (v && !first)
      first = v;
  }
  return first;
}

fwvet_status vuln_nvd_item(vuln_import *im, json_t *item) {
  json_t *cve = json_object_get(item, "cve");
  const char *id = str(cve, "id");
  if (!json_is_object(cve) || !id || !*id || strlen(id) > 200) {
    snprintf(im->err, im->errcap, "a vulnerabilities entry without "
             "\"cve\" and its \"id\"");
    return FWVET_ECORRUPT;
  }
  char sev[16];
  vuln_record r = {"nvd", id, str(cve, "lastModified"),
                   str(cve, "published"), summary(cve), -1, NULL,
                   "unknown"};
  metrics(cve, &r, sev, sizeof sev);
  vuln_rows rows = {NULL, 0, 0};
  size_t npos = 0;
  const char *status = str(cve, "vulnStatus");
  fwvet_status st = FWVET_OK;
  if (!status || strcmp(status, "Rejected"))
    st = configurations(cve, &rows, &npos);
  if (st) {
    snprintf(im->err, im->errcap, "%s: %s", id,
             st == FWVET_ELIMIT ? "too many affected products"
                                : fwvet_strerror(st));
    goto out;
  }
  if (!npos)
    rows.n = 0; /* only exclusions: nothing can match */
  st = vuln_store(im, &r, &rows);
out:
  vuln_rows_release(&rows);
  return st;
}
