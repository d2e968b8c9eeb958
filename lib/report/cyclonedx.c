/*
 * The scan's components as a CycloneDX 1.6 JSON SBOM (ECMA-424): the
 * image as metadata.component, one component per product and version
 * with CPE, purl, the SHA-256 of the files holding it, and its evidence
 * (identity with the methods that found it, every occurrence); known
 * vulnerabilities with their ratings and the components they affect.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "fwvet/fwvet.h"
#include "report/json_util.h"

static json_t *uuid_urn(void) {
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
    /* No entropy: a serial number that is at least unique in time. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    memset(b, 0, sizeof b);
    memcpy(b, &ts, sizeof ts < sizeof b ? sizeof ts : sizeof b);
  }
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  char s[64];
  snprintf(s, sizeof s,
           "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
           "%02x%02x%02x%02x%02x%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
           b[11], b[12], b[13], b[14], b[15]);
  return json_string(s);
}

static json_t *now_iso(void) {
  char s[32];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(s);
}

static const char *technique(fwvet_evidence_kind k) {
  return k == FWVET_EVIDENCE_STRING     ? "binary-analysis"
         : k == FWVET_EVIDENCE_FILENAME ? "filename"
                                        : "manifest-analysis";
}

static double confidence(const char *c) {
  return !strcmp(c, "high") ? 0.9 : !strcmp(c, "medium") ? 0.6 : 0.3;
}

static int has_str(json_t *arr, const char *key, const char *v) {
  size_t i;
  json_t *o;
  json_array_foreach(arr, i, o) {
    const char *s = json_string_value(json_object_get(o, key));
    if (s && !strcmp(s, v))
      return 1;
  }
  return 0;
}

static json_t *component(const fwvet_component *c, size_t idx) {
  char ref[320];
  snprintf(ref, sizeof ref, "component-%zu:%s@%s", idx, c->name,
           c->version ? c->version : "unknown");
  json_t *o = json_pack("{s:s,s:s,s:o*}", "type",
                        c->cpe && !strncmp(c->cpe, "cpe:2.3:o:", 10)
                            ? "operating-system"
                            : "library",
                        "bom-ref", ref, "name", fwvet_json_str(c->name));
  if (!o)
    return NULL;
  if (c->version)
    json_object_set_new(o, "version", fwvet_json_str(c->version));
  if (c->cpe)
    json_object_set_new(o, "cpe", fwvet_json_str(c->cpe));
  json_object_set_new(o, "purl", fwvet_json_str(c->purl));

  json_t *hashes = json_array(), *methods = json_array(),
         *occ = json_array();
  for (size_t i = 0; i < c->nlocations; i++) {
    const fwvet_location *l = &c->locations[i];
    if (l->kind != FWVET_EVIDENCE_PACKAGE && *l->sha256 &&
        !has_str(hashes, "content", l->sha256))
      json_array_append_new(hashes, json_pack("{s:s,s:s}", "alg", "SHA-256",
                                              "content", l->sha256));
    char value[512];
    snprintf(value, sizeof value, "%s", l->evidence);
    int seen = 0;
    size_t k;
    json_t *m;
    json_array_foreach(methods, k, m) {
      if (!strcmp(json_string_value(json_object_get(m, "technique")),
                  technique(l->kind)) &&
          !strcmp(json_string_value(json_object_get(m, "value")), value))
        seen = 1;
    }
    if (!seen)
      json_array_append_new(
          methods, json_pack("{s:s,s:f,s:o*}", "technique",
                             technique(l->kind), "confidence",
                             l->kind == FWVET_EVIDENCE_FILENAME ? 0.6 : 0.9,
                             "value", fwvet_json_str(value)));
    json_t *oc = json_pack("{s:o*,s:o*}", "location",
                           fwvet_json_str(*l->fspath ? l->fspath : l->path),
                           "additionalContext", fwvet_json_str(l->evidence));
    if (oc && l->offset != FWVET_NO_OFFSET)
      json_object_set_new(oc, "offset", json_integer((json_int_t)l->offset));
    json_array_append_new(occ, oc);
  }
  if (json_array_size(hashes))
    json_object_set(o, "hashes", hashes);
  json_decref(hashes);
  json_t *identity = json_pack(
      "[{s:s,s:f,s:o*,s:o}]", "field", c->cpe ? "cpe" : "purl", "confidence",
      confidence(c->confidence), "concludedValue",
      fwvet_json_str(c->cpe ? c->cpe : c->purl), "methods", methods);
  json_object_set_new(o, "evidence", json_pack("{s:o*,s:o}", "identity",
                                               identity, "occurrences", occ));
  return o;
}

static json_t *vulnerability(const fwvet_vulnerability *v, size_t idx,
                             const char *ref) {
  int nvd = !strcmp(v->source, "nvd");
  char url[256], vref[320];
  snprintf(url, sizeof url, "%s%s",
           nvd ? "https://nvd.nist.gov/vuln/detail/"
               : "https://osv.dev/vulnerability/",
           v->id);
  snprintf(vref, sizeof vref, "vulnerability-%zu:%s", idx, v->id);
  json_t *o = json_pack("{s:s,s:o*,s:{s:s,s:s},s:[{s:s}]}", "bom-ref", vref,
                        "id", fwvet_json_str(v->id), "source", "name",
                        nvd ? "NVD" : "OSV", "url", url, "affects", "ref",
                        ref);
  if (!o)
    return NULL;
  json_t *rating = json_pack("{s:s}", "severity", v->severity);
  if (v->cvss >= 0) {
    json_object_set_new(rating, "score", json_real(v->cvss));
    const char *cv = v->cvss_version ? v->cvss_version : "";
    json_object_set_new(rating, "method",
                        json_string(!strcmp(cv, "3.1")   ? "CVSSv31"
                                    : !strncmp(cv, "3", 1) ? "CVSSv3"
                                    : !strcmp(cv, "2.0")   ? "CVSSv2"
                                                           : "other"));
  }
  json_object_set_new(o, "ratings", json_pack("[o]", rating));
  if (v->summary)
    json_object_set_new(o, "description", fwvet_json_str(v->summary));
  if (v->distro_may_fix)
    json_object_set_new(
        o, "analysis",
        json_pack("{s:s,s:s}", "state", "in_triage", "detail",
                  "the component is a distribution build: the distribution "
                  "may have backported the fix"));
  return o;
}

fwvet_status fwvet_report_cyclonedx(const fwvet_scan *scan, FILE *out) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  const char *input = fwvet_vfs_input_path(vfs);
  const char *base = strrchr(input, '/');
  base = base && base[1] ? base + 1 : input;
  json_t *meta_comp = json_pack("{s:s,s:s,s:o*}", "type", "firmware",
                                "bom-ref", "input", "name",
                                fwvet_json_str(base));
  if (meta_comp && *fwvet_vfs_input_sha256(vfs))
    json_object_set_new(meta_comp, "hashes",
                        json_pack("[{s:s,s:s}]", "alg", "SHA-256", "content",
                                  fwvet_vfs_input_sha256(vfs)));
  json_t *tool = json_pack("{s:s,s:s,s:s}", "type", "application", "name",
                           "fwvet", "version", fwvet_version());
  json_t *root = json_pack(
      "{s:s,s:s,s:s,s:o*,s:i,s:{s:o*,s:{s:[o*]},s:o*}}", "$schema",
      "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat",
      "CycloneDX", "specVersion", "1.6", "serialNumber", uuid_urn(),
      "version", 1, "metadata", "timestamp", now_iso(), "tools",
      "components", tool, "component", meta_comp);
  size_t nc, nv;
  const fwvet_component *c = fwvet_scan_components(scan, &nc);
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &nv);
  json_t *comps = json_array(), *vulns = json_array();
  for (size_t i = 0; comps && i < nc; i++)
    if (fwvet_json_push(comps, component(&c[i], i))) {
      json_decref(comps);
      comps = NULL;
    }
  for (size_t i = 0; vulns && comps && i < nv; i++) {
    json_t *ref = json_object_get(
        json_array_get(comps, v[i].component), "bom-ref");
    if (fwvet_json_push(vulns,
                        vulnerability(&v[i], i, json_string_value(ref)))) {
      json_decref(vulns);
      vulns = NULL;
    }
  }
  fwvet_status st = FWVET_ENOMEM;
  if (root && comps && vulns) {
    /* fwvet_json_set() takes the value, even when it fails. */
    int bad = fwvet_json_set(root, "components", comps);
    comps = NULL;
    if (!bad && nv) {
      bad = fwvet_json_set(root, "vulnerabilities", vulns);
      vulns = NULL;
    }
    if (!bad)
      st = fwvet_json_write(root, out);
  }
  json_decref(comps);
  json_decref(vulns);
  json_decref(root);
  return st;
}
