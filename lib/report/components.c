/*
 * Components, census and vulnerabilities in the scan report: the JSON
 * contract's arrays, the text sections, and the CycloneDX 1.6 SBOM.
 */
#include <stdio.h>
#include <string.h>

#include "report/json_util.h"

static const char *loc_str(const fwvet_location *l) {
  return *l->fspath ? l->fspath : l->path;
}

static json_t *json_location(const fwvet_location *l) {
  json_t *o = json_pack("{s:o*,s:o*,s:s,s:o*}", "path",
                        fwvet_json_str(l->path), "fspath",
                        fwvet_json_str(l->fspath), "method",
                        fwvet_evidence_kind_name(l->kind), "evidence",
                        fwvet_json_str(l->evidence));
  if (o && l->offset != FWVET_NO_OFFSET)
    json_object_set_new(o, "offset", json_integer((json_int_t)l->offset));
  return o;
}

json_t *fwvet_json_components(const fwvet_scan *scan) {
  size_t n;
  const fwvet_component *c = fwvet_scan_components(scan, &n);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    json_t *locs = json_array();
    for (size_t j = 0; locs && j < c[i].nlocations; j++)
      if (fwvet_json_push(locs, json_location(&c[i].locations[j]))) {
        json_decref(locs);
        locs = NULL;
      }
    json_t *o = json_pack(
        "{s:o*,s:o*,s:o*,s:o*,s:o*,s:s,s:I,s:o*}", "name",
        fwvet_json_str(c[i].name), "version", fwvet_json_str(c[i].version),
        "package_version", fwvet_json_str(c[i].package_version), "cpe",
        fwvet_json_str(c[i].cpe), "purl", fwvet_json_str(c[i].purl),
        "confidence", c[i].confidence, "copies", (json_int_t)c[i].copies,
        "locations", locs);
    if (!locs || fwvet_json_push(arr, o)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

json_t *fwvet_json_census(const fwvet_scan *scan) {
  size_t n;
  const fwvet_census_row *r = fwvet_scan_census(scan, &n);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    json_t *v = json_object();
    for (size_t j = 0; v && j < r[i].nversions; j++)
      json_object_set_new(v, r[i].versions[j].version,
                          json_integer(r[i].versions[j].copies));
    if (fwvet_json_push(arr, json_pack("{s:o*,s:o*,s:I}", "name",
                                       fwvet_json_str(r[i].name),
                                       "versions", v, "copies",
                                       (json_int_t)r[i].copies))) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

json_t *fwvet_json_vulnerabilities(const fwvet_scan *scan) {
  size_t n, nc;
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &n);
  const fwvet_component *c = fwvet_scan_components(scan, &nc);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    const fwvet_component *k = &c[v[i].component];
    json_t *o = json_pack(
        "{s:o*,s:o*,s:o*,s:s,s:o*,s:o*,s:s,s:o*,s:o*,s:b}", "id",
        fwvet_json_str(v[i].id), "component", fwvet_json_str(k->name),
        "version", fwvet_json_str(k->version), "severity", v[i].severity,
        "cvss", v[i].cvss >= 0 ? json_real(v[i].cvss) : json_null(),
        "cvss_version", fwvet_json_str(v[i].cvss_version), "source",
        v[i].source, "match", fwvet_json_str(v[i].match), "summary",
        fwvet_json_str(v[i].summary), "distro_may_fix",
        v[i].distro_may_fix);
    if (fwvet_json_push(arr, o)) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

void fwvet_text_components(const fwvet_scan *scan, FILE *out) {
  size_t n, nr, nv;
  const fwvet_component *c = fwvet_scan_components(scan, &n);
  const fwvet_census_row *r = fwvet_scan_census(scan, &nr);
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &nv);
  fputs("\ncopy census (files holding each product, per version):\n", out);
  if (!nr)
    fputs("  none\n", out);
  for (size_t i = 0; i < nr; i++) {
    fprintf(out, "  %-16s %3u cop%s of %zu version%s:", r[i].name,
            r[i].copies, r[i].copies == 1 ? "y" : "ies", r[i].nversions,
            r[i].nversions == 1 ? "" : "s");
    for (size_t j = 0; j < r[i].nversions; j++)
      fprintf(out, " %s (%u)", r[i].versions[j].version,
              r[i].versions[j].copies);
    fputc('\n', out);
  }
  fputs("\ncomponents:\n", out);
  if (!n)
    fputs("  none\n", out);
  for (size_t i = 0; i < n; i++) {
    size_t nvul = 0;
    for (size_t j = 0; j < nv; j++)
      nvul += v[j].component == i;
    fprintf(out, "  %-16s %-14s %-6s %2u cop%s", c[i].name,
            c[i].version ? c[i].version : "(unknown)", c[i].confidence,
            c[i].copies, c[i].copies == 1 ? "y  " : "ies");
    if (nvul)
      fprintf(out, "  %zu known vulnerabilit%s", nvul,
              nvul == 1 ? "y" : "ies");
    fprintf(out, "\n      %s: %s\n", loc_str(&c[i].locations[0]),
            c[i].locations[0].evidence);
    if (c[i].nlocations > 1)
      fprintf(out, "      and %zu more location%s\n", c[i].nlocations - 1,
              c[i].nlocations == 2 ? "" : "s");
  }
  if (!nv)
    return;
  fputs("\nknown vulnerabilities:\n", out);
  for (size_t i = 0; i < nv; i++) {
    const fwvet_component *k = &c[v[i].component];
    fprintf(out, "  %-18s %-8s ", v[i].id, v[i].severity);
    if (v[i].cvss >= 0)
      fprintf(out, "%4.1f", v[i].cvss);
    else
      fputs("   -", out);
    fprintf(out, "  %s %s", k->name, k->version);
    if (v[i].match)
      fprintf(out, " (%s)", v[i].match);
    if (v[i].distro_may_fix)
      fputs(" [distribution build: may be fixed by the distribution]", out);
    fputc('\n', out);
  }
}
