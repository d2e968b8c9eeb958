/*
 * SARIF 2.1.0: the builder shared by the reports, and the scan report
 * (one run, one result per finding).
 */
#include "report/sarif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwvet/fwvet.h"
#include "report/json_util.h"
#include "rule_docs.h" /* generated from docs/rules.md */

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

const fwvet_rule_doc *fwvet_rule_docs(size_t *n) {
  *n = rule_docs_count;
  return rule_docs;
}

const fwvet_rule_doc *fwvet_rule_doc_find(const char *rule) {
  if (!rule)
    return NULL;
  if (!strncmp(rule, "yara.", 5))
    rule = "yara.<rule>";
  for (size_t i = 0; i < rule_docs_count; i++)
    if (!strcmp(rule_docs[i].id, rule))
      return &rule_docs[i];
  return NULL;
}

const char *fwvet_sarif_level(fwvet_severity sev) {
  if (sev >= FWVET_SEV_HIGH)
    return "error";
  return sev == FWVET_SEV_MEDIUM ? "warning" : "note";
}

/* The documented default severity starts with its name ("low (high for
 * gets)"); the YARA template's depends on the rule, medium by default. */
static const char *doc_level(const fwvet_rule_doc *d) {
  static const char *const names[] = {"critical", "high", "medium", "low",
                                      "info"};
  for (int i = 0; i < 5; i++)
    if (!strncmp(d->severity, names[i], strlen(names[i])))
      return fwvet_sarif_level((fwvet_severity)(FWVET_SEV_CRITICAL - i));
  return "warning";
}

json_t *fwvet_sarif_uri(const char *path) {
  size_t n = strlen(path);
  char *u = malloc(3 * n + 1);
  if (!u)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)path[i];
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9') || strchr("-._~/@", ch)) {
      u[o++] = (char)ch;
    } else {
      snprintf(u + o, 4, "%%%02X", ch);
      o += 3;
    }
  }
  json_t *j = json_stringn(u, o);
  free(u);
  return j;
}

struct fwvet_sarif {
  json_t *rules;   /* tool.driver.rules */
  json_t *results;
};

fwvet_sarif *fwvet_sarif_create(void) {
  fwvet_sarif *s = calloc(1, sizeof *s);
  if (!s)
    return NULL;
  s->rules = json_array();
  s->results = json_array();
  if (!s->rules || !s->results) {
    fwvet_sarif_destroy(s);
    return NULL;
  }
  return s;
}

void fwvet_sarif_destroy(fwvet_sarif *s) {
  if (!s)
    return;
  json_decref(s->rules);
  json_decref(s->results);
  free(s);
}

static json_t *text_obj(const char *text) {
  return json_pack("{s:o}", "text", fwvet_json_str(text));
}

static json_t *rule_object(const char *id, const char *fallback,
                           const char *level) {
  const fwvet_rule_doc *d = fwvet_rule_doc_find(id);
  if (!d)
    return json_pack("{s:o,s:o,s:{s:s}}", "id", fwvet_json_str(id),
                     "shortDescription",
                     text_obj(fallback ? fallback : id),
                     "defaultConfiguration", "level",
                     level ? level : "warning");
  char yara[512];
  const char *meaning = d->meaning;
  if (!strcmp(d->id, "yara.<rule>")) {
    snprintf(yara, sizeof yara, "a file matches the user YARA rule '%s'",
             id + 5);
    meaning = yara;
  }
  return json_pack("{s:o,s:o,s:o,s:{s:o,s:o},s:{s:s},s:{s:s}}", "id",
                   fwvet_json_str(id), "shortDescription", text_obj(meaning),
                   "fullDescription", text_obj(*d->what ? d->what : meaning),
                   "help", "text", fwvet_json_str(d->help_text), "markdown",
                   fwvet_json_str(d->help_markdown), "defaultConfiguration",
                   "level", doc_level(d), "properties", "severity",
                   d->severity);
}

int fwvet_sarif_rule(fwvet_sarif *s, const char *id, const char *fallback,
                     const char *level) {
  if (!s->rules)
    return -1;
  size_t n = json_array_size(s->rules);
  for (size_t i = 0; i < n; i++) {
    json_t *r = json_array_get(s->rules, i);
    const char *rid = json_string_value(json_object_get(r, "id"));
    if (rid && !strcmp(rid, id))
      return (int)i;
  }
  if (fwvet_json_push(s->rules, rule_object(id, fallback, level)))
    return -1;
  return (int)n;
}

int fwvet_sarif_add_result(fwvet_sarif *s, json_t *result) {
  if (!s->results) {
    json_decref(result);
    return -1;
  }
  return fwvet_json_push(s->results, result);
}

static json_t *finding_location(const fwvet_finding *f) {
  json_t *phys = json_pack("{s:{s:o}}", "artifactLocation", "uri",
                           fwvet_sarif_uri(f->path));
  json_t *region = json_object();
  int bad = !phys || !region;
  if (!bad && f->line)
    bad |= fwvet_json_set(region, "startLine", json_integer(f->line));
  if (!bad && f->offset != FWVET_NO_OFFSET)
    bad |= fwvet_json_set(region, "byteOffset",
                          json_integer((json_int_t)f->offset));
  if (!bad && json_object_size(region)) {
    bad |= fwvet_json_set(phys, "region", region);
    region = NULL;
  }
  json_decref(region);
  if (bad) {
    json_decref(phys);
    return NULL;
  }
  return json_pack("{s:o}", "physicalLocation", phys);
}

int fwvet_sarif_add_finding(fwvet_sarif *s, const fwvet_finding *f,
                            const char *baseline) {
  int rule = fwvet_sarif_rule(s, f->rule, NULL, NULL);
  if (rule < 0)
    return -1;
  json_t *props = json_pack("{s:s,s:o}", "severity",
                            fwvet_severity_name(f->severity), "fspath",
                            fwvet_json_str(f->fspath));
  if (props && f->evidence &&
      fwvet_json_set(props, "evidence", fwvet_json_str(f->evidence))) {
    json_decref(props);
    return -1;
  }
  json_t *r = json_pack("{s:s,s:i,s:s,s:o,s:[o],s:{s:s},s:o}", "ruleId",
                        f->rule, "ruleIndex", rule, "level",
                        fwvet_sarif_level(f->severity), "message",
                        text_obj(f->message), "locations",
                        finding_location(f), "partialFingerprints",
                        "fwvet/v1", f->fingerprint, "properties", props);
  if (r && baseline &&
      fwvet_json_set(r, "baselineState", json_string(baseline))) {
    json_decref(r);
    return -1;
  }
  return fwvet_sarif_add_result(s, r);
}

json_t *fwvet_sarif_finish(fwvet_sarif *s, json_t *properties) {
  json_t *run = json_pack(
      "{s:{s:{s:s,s:s,s:s,s:o}},s:[{s:b}],s:o}", "tool", "driver", "name",
      "fwvet", "version", fwvet_version(), "semanticVersion", fwvet_version(),
      "rules", s->rules, "invocations", "executionSuccessful", 1, "results",
      s->results);
  s->rules = s->results = NULL; /* stolen by json_pack, even on failure */
  if (run && properties && fwvet_json_set(run, "properties", properties)) {
    json_decref(run);
    return NULL;
  }
  if (!run) {
    json_decref(properties);
    return NULL;
  }
  return json_pack("{s:s,s:s,s:[o]}", "$schema", SARIF_SCHEMA, "version",
                   "2.1.0", "runs", run);
}

/* --- the scan ------------------------------------------------------------ */

fwvet_status fwvet_report_sarif(const fwvet_scan *scan,
                                const fwvet_report_options *opt, FILE *out) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  fwvet_sarif *s = fwvet_sarif_create();
  json_t *log = NULL;
  fwvet_status st = FWVET_ENOMEM;
  if (!s)
    goto out;
  for (size_t i = 0; i < fwvet_scan_finding_count(scan); i++) {
    const fwvet_finding *f = fwvet_scan_finding(scan, i);
    if (f->severity >= opt->min_severity &&
        fwvet_sarif_add_finding(s, f, NULL))
      goto out;
  }
  log = fwvet_sarif_finish(s, json_pack("{s:o}", "input",
                                        fwvet_json_input(vfs)));
  if (log)
    st = fwvet_json_write(log, out);
out:
  json_decref(log);
  fwvet_sarif_destroy(s);
  return st;
}
