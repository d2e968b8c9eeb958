/*
 * OSV records (https://ossf.github.io/osv-schema/): each "affected"
 * entry is one group, matched by package name.  ECOSYSTEM and SEMVER
 * ranges become version intervals; GIT ranges name commits, which a
 * firmware image does not tell, and are ignored.  The explicit
 * "versions" list adds exact versions.
 *
 * OSV gives severity as CVSS vectors: the base score is computed here
 * from a v3.x vector (else a v2 one); a record with neither keeps a
 * "database_specific" severity word if it has one (GitHub's advisories
 * do), with no score.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln/vuln_int.h"

static const char *str(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

typedef struct event {
  const char *kind; /* introduced, fixed, last_affected, limit */
  const char *version;
  size_t order; /* as listed: keeps the sort stable */
} event;

static int is_zero(const char *v) { return !strcmp(v, "0"); }

static int event_cmp(const void *pa, const void *pb) {
  const event *a = pa, *b = pb;
  /* "introduced": "0" means before every version. */
  int za = is_zero(a->version), zb = is_zero(b->version);
  int c = za || zb ? zb - za : fwvet_version_compare(a->version, b->version);
  if (c)
    return c;
  return a->order < b->order ? -1 : a->order > b->order;
}

static fwvet_status add_interval(vuln_rows *rows, const vuln_affected *pkg,
                                 const char *lo, const char *hi,
                                 const char *hi_kind) {
  vuln_affected *a = vuln_rows_add(rows);
  if (!a)
    return rows->n >= VULN_MAX_AFFECTED ? FWVET_ELIMIT : FWVET_ENOMEM;
  *a = *pkg;
  a->start_incl = 1;
  if (lo)
    snprintf(a->start, sizeof a->start, "%s", lo);
  if (hi) {
    snprintf(a->end, sizeof a->end, "%s", hi);
    a->end_incl = !strcmp(hi_kind, "last_affected");
  }
  if (hi)
    snprintf(a->why, sizeof a->why, "introduced %s, %s %s", lo ? lo : "0",
             hi_kind, hi);
  else
    snprintf(a->why, sizeof a->why, "introduced %s", lo ? lo : "0");
  return FWVET_OK;
}

/* The intervals of one range: its events sorted by version, each
 * "introduced" opening one that the next fixed/last_affected/limit
 * closes. */
static fwvet_status range_rows(json_t *range, vuln_rows *rows,
                               const vuln_affected *pkg) {
  json_t *evs = json_object_get(range, "events"), *e;
  size_t n = json_array_size(evs), i, k = 0;
  fwvet_status st = FWVET_OK;
  if (!n)
    return FWVET_OK;
  if (n > VULN_MAX_AFFECTED)
    return FWVET_ELIMIT;
  event *v = calloc(n, sizeof *v);
  if (!v)
    return FWVET_ENOMEM;
  json_array_foreach(evs, i, e) {
    static const char *const kinds[] = {"introduced", "fixed",
                                        "last_affected", "limit"};
    for (size_t j = 0; j < sizeof kinds / sizeof *kinds; j++) {
      const char *ver = str(e, kinds[j]);
      if (ver && *ver) {
        v[k].kind = kinds[j];
        v[k].version = ver;
        v[k].order = k;
        k++;
        break;
      }
    }
  }
  qsort(v, k, sizeof *v, event_cmp);
  const char *lo = NULL;
  int open = 0;
  for (i = 0; i < k && !st; i++) {
    if (!strcmp(v[i].kind, "introduced")) {
      if (!open)
        lo = is_zero(v[i].version) ? NULL : v[i].version;
      open = 1;
    } else if (open) {
      st = add_interval(rows, pkg, lo, v[i].version, v[i].kind);
      open = 0;
    }
  }
  if (open && !st)
    st = add_interval(rows, pkg, lo, NULL, NULL);
  free(v);
  return st;
}

static fwvet_status affected_rows(json_t *rec, vuln_rows *rows) {
  json_t *aff, *r, *ver;
  size_t gi, i;
  fwvet_status st;
  json_array_foreach(json_object_get(rec, "affected"), gi, aff) {
    json_t *pkg = json_object_get(aff, "package");
    const char *name = str(pkg, "name");
    if (!name || !*name)
      continue;
    vuln_affected base;
    memset(&base, 0, sizeof base);
    base.group = (int)gi;
    vuln_lower(base.name, sizeof base.name, name);
    vuln_lower(base.ecosystem, sizeof base.ecosystem, str(pkg, "ecosystem"));
    json_array_foreach(json_object_get(aff, "ranges"), i, r) {
      const char *type = str(r, "type");
      if (!type || (strcmp(type, "ECOSYSTEM") && strcmp(type, "SEMVER")))
        continue;
      if ((st = range_rows(r, rows, &base)))
        return st;
    }
    json_array_foreach(json_object_get(aff, "versions"), i, ver) {
      const char *v = json_string_value(ver);
      if (!v || !*v)
        continue;
      vuln_affected *a = vuln_rows_add(rows);
      if (!a)
        return rows->n >= VULN_MAX_AFFECTED ? FWVET_ELIMIT : FWVET_ENOMEM;
      *a = base;
      snprintf(a->exact, sizeof a->exact, "%s", v);
      snprintf(a->why, sizeof a->why, "listed version %s", v);
    }
  }
  return FWVET_OK;
}

/* A score given as a number rather than a vector, or -1. */
static double plain_score(const char *s) {
  char *end;
  double d = strtod(s, &end);
  return end != s && !*end && d >= 0 && d <= 10 ? d : -1;
}

static void severity(json_t *rec, vuln_record *r, char *sev, size_t cap) {
  json_t *s;
  size_t i;
  double v2 = -1;
  json_array_foreach(json_object_get(rec, "severity"), i, s) {
    const char *type = str(s, "type"), *score = str(s, "score");
    if (!type || !score)
      continue;
    if (!strcmp(type, "CVSS_V3")) {
      double d = vuln_cvss3_score(score);
      if (d < 0)
        d = plain_score(score);
      if (d >= 0) {
        r->cvss = d;
        r->cvss_version = strncmp(score, "CVSS:3.0/", 9) ? "3.1" : "3.0";
        r->severity = vuln_severity_of(d, 3);
        return;
      }
    } else if (!strcmp(type, "CVSS_V2") && v2 < 0) {
      v2 = vuln_cvss2_score(score);
      if (v2 < 0)
        v2 = plain_score(score);
    }
  }
  if (v2 >= 0) {
    r->cvss = v2;
    r->cvss_version = "2.0";
    r->severity = vuln_severity_of(v2, 2);
    return;
  }
  vuln_lower(sev, cap, str(json_object_get(rec, "database_specific"),
                           "severity"));
  if (!strcmp(sev, "moderate"))
    snprintf(sev, cap, "medium");
  if (!strcmp(sev, "critical") || !strcmp(sev, "high") ||
      !strcmp(sev, "medium") || !strcmp(sev, "low"))
    r->severity = sev;
}

/* "summary", else the first line of "details" (cut on a UTF-8
 * character boundary). */
static const char *summary(json_t *rec, char *buf, size_t cap) {
  const char *s = str(rec, "summary");
  if (s && *s)
    return s;
  s = str(rec, "details");
  if (!s || !*s)
    return NULL;
  size_t n = strcspn(s, "\r\n");
  if (n >= cap)
    n = cap - 1;
  while (n && n < strlen(s) && ((unsigned char)s[n] & 0xc0) == 0x80)
    n--;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return buf;
}

fwvet_status vuln_osv_record(vuln_import *im, json_t *rec) {
  const char *id = str(rec, "id");
  if (!json_is_object(rec) || !id || !*id || strlen(id) > 200) {
    snprintf(im->err, im->errcap, "neither NVD CVE JSON 2.0 nor an OSV "
             "record (no \"id\")");
    return FWVET_ECORRUPT;
  }
  char sev[16], sum[512];
  vuln_record r = {"osv", id, str(rec, "modified"), str(rec, "published"),
                   summary(rec, sum, sizeof sum), -1, NULL, "unknown"};
  severity(rec, &r, sev, sizeof sev);
  vuln_rows rows = {NULL, 0, 0};
  fwvet_status st = FWVET_OK;
  /* A withdrawn record matches nothing; importing it removes it. */
  if (!json_object_get(rec, "withdrawn"))
    st = affected_rows(rec, &rows);
  if (st) {
    snprintf(im->err, im->errcap, "%s: %s", id,
             st == FWVET_ELIMIT ? "too many affected versions"
                                : fwvet_strerror(st));
    goto out;
  }
  st = vuln_store(im, &r, &rows);
out:
  vuln_rows_release(&rows);
  return st;
}
