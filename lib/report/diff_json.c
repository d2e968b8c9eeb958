/* `fwvet diff` and `fwvet history` as JSON (the DESIGN.md contract). */
#include <stdio.h>

#include "fwvet/fwvet.h"
#include "report/diff_report.h"
#include "report/json_util.h"

/* Percentages to one decimal, as the scan report prints them; null when
 * there is nothing to divide. */
static json_t *json_pct(double p) {
  if (p < 0)
    return json_null();
  return json_real((double)(long long)(p * 10.0 + 0.5) / 10.0);
}

static json_t *json_eval_info(const fwvet_eval *ev) {
  const fwvet_eval_info *in = fwvet_eval_get_info(ev);
  return json_pack("{s:o,s:o,s:o,s:o,s:{s:o,s:I,s:o},s:o}", "id",
                   in->id ? json_integer(in->id) : json_null(), "product",
                   fwvet_json_str(in->product), "release",
                   fwvet_json_str(in->release), "created",
                   fwvet_json_str(in->created), "input", "path",
                   fwvet_json_str(in->input_path), "size",
                   (json_int_t)in->input_size, "sha256",
                   in->input_sha256 && *in->input_sha256
                       ? json_string(in->input_sha256)
                       : json_null(),
                   "tool_version", fwvet_json_str(in->tool_version));
}

static json_t *json_vuln(const fwvet_eval_vuln *v) {
  return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", fwvet_json_str(v->id),
                   "component", fwvet_json_str(v->component), "version",
                   fwvet_json_str(v->version), "severity",
                   fwvet_json_str(v->severity), "cvss",
                   v->cvss < 0 ? json_null() : json_real(v->cvss), "source",
                   fwvet_json_str(v->source));
}

static json_t *json_states(const fwvet_diff *d, int vulns) {
  json_t *o = json_object();
  for (int s = FWVET_DIFF_FIXED; o && s <= FWVET_DIFF_PERSISTING; s++) {
    fwvet_diff_state st = (fwvet_diff_state)s;
    json_t *arr = json_array();
    size_t n = vulns ? fwvet_diff_vuln_count(d, st)
                     : fwvet_diff_finding_count(d, st);
    for (size_t i = 0; arr && i < n; i++)
      if (fwvet_json_push(arr, vulns ? json_vuln(fwvet_diff_vuln(d, st, i))
                                     : fwvet_json_finding(
                                           fwvet_diff_finding(d, st, i)))) {
        json_decref(arr);
        arr = NULL;
      }
    if (fwvet_json_set(o, fwvet_diff_state_name(st), arr)) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

static json_t *json_components(const fwvet_diff *d) {
  json_t *o = json_object();
  for (int c = FWVET_COMPONENT_UPGRADED; o && c <= FWVET_COMPONENT_REMOVED;
       c++) {
    size_t n;
    const fwvet_diff_component *x =
        fwvet_diff_components(d, (fwvet_component_change)c, &n);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
      if (fwvet_json_push(arr, json_pack("{s:o,s:o,s:o}", "name",
                                         fwvet_json_str(x[i].name), "from",
                                         fwvet_json_str(x[i].from), "to",
                                         fwvet_json_str(x[i].to)))) {
        json_decref(arr);
        arr = NULL;
      }
    if (fwvet_json_set(o, fwvet_component_change_name(
                              (fwvet_component_change)c), arr)) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

static json_t *json_props(unsigned mask) {
  json_t *arr = json_array();
  for (unsigned bit = 1; arr && bit <= FWVET_HARDEN_FORTIFY; bit <<= 1)
    if ((mask & bit) && fwvet_json_push(arr,
                                        json_string(fwvet_harden_name(bit)))) {
      json_decref(arr);
      return NULL;
    }
  return arr;
}

static json_t *json_hardening_of(const fwvet_eval_elf *e) {
  return json_pack("{s:b,s:b,s:s,s:b,s:i,s:i}", "nx", e->nx, "pie", e->pie,
                   "relro", fwvet_relro_name(e->relro), "canary", e->canary,
                   "fortified", (int)e->fortified, "fortifiable",
                   (int)e->fortifiable);
}

static json_t *json_coverage(const fwvet_eval *ev) {
  fwvet_hardening_coverage c;
  fwvet_eval_coverage(ev, &c);
  return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "elf_files",
                   (json_int_t)c.elf_files, "nx", (json_int_t)c.nx, "pie",
                   (json_int_t)c.pie, "relro_full", (json_int_t)c.relro_full,
                   "canary", (json_int_t)c.canary, "fortified",
                   (json_int_t)c.fortified);
}

static json_t *json_hardening(const fwvet_diff *d) {
  size_t n;
  const fwvet_diff_binary *b = fwvet_diff_binaries(d, &n);
  json_t *imp = json_array(), *reg = json_array();
  for (size_t i = 0; imp && reg && i < n; i++) {
    for (int r = 0; r < 2; r++) {
      unsigned mask = r ? b[i].regressed : b[i].improved;
      if (!mask)
        continue;
      json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o}", "path",
                            fwvet_json_str(b[i].key), "fspath",
                            fwvet_json_str(b[i].after->fspath), "properties",
                            json_props(mask), "before",
                            json_hardening_of(b[i].before), "after",
                            json_hardening_of(b[i].after));
      if (fwvet_json_push(r ? reg : imp, o)) {
        json_decref(imp);
        json_decref(reg);
        return NULL;
      }
    }
  }
  if (!imp || !reg) {
    json_decref(imp);
    json_decref(reg);
    return NULL;
  }
  return json_pack("{s:o,s:o,s:{s:o*,s:o*}}", "improved", imp, "regressed",
                   reg, "coverage", "before",
                   json_coverage(fwvet_diff_before(d)), "after",
                   json_coverage(fwvet_diff_after(d)));
}

static json_t *json_engineering(const fwvet_diff *d) {
  size_t nb, na;
  const fwvet_eng_row *rb = fwvet_eval_engineering(fwvet_diff_before(d), &nb);
  const fwvet_eng_row *ra = fwvet_eval_engineering(fwvet_diff_after(d), &na);
  return json_pack(
      "{s:o*,s:o*,s:o,s:o}", "before", fwvet_json_eng_table(rb, nb),
      "after", fwvet_json_eng_table(ra, na), "unsafe_percent_before",
      json_pct(fwvet_eval_unsafe_percent(fwvet_diff_before(d))),
      "unsafe_percent_after",
      json_pct(fwvet_eval_unsafe_percent(fwvet_diff_after(d))));
}

static json_t *json_strings(const char *const *v, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    if (fwvet_json_push(arr, fwvet_json_str(v[i]))) {
      json_decref(arr);
      return NULL;
    }
  return arr;
}

static json_t *json_equiv_classes(unsigned mask) {
  json_t *arr = json_array();
  for (unsigned bit = 1; arr && (bit & FWVET_EQC_ALL); bit <<= 1)
    if ((mask & bit) &&
        fwvet_json_push(arr, json_string(fwvet_equiv_class_name(bit)))) {
      json_decref(arr);
      return NULL;
    }
  return arr;
}

/* A file's equivalence: null when it was not paired. */
static json_t *json_file_equiv(const fwvet_equiv_pair *p) {
  if (!p)
    return json_null();
  json_t *secs = json_array();
  for (size_t i = 0; secs && i < p->nsections; i++) {
    const fwvet_equiv_section *s = &p->sections[i];
    if (fwvet_json_push(secs, json_pack("{s:o,s:o}", "name",
                                        fwvet_json_str(s->name), "functions",
                                        json_strings(s->functions,
                                                     s->nfunctions)))) {
      json_decref(secs);
      secs = NULL;
    }
  }
  return json_pack("{s:s,s:b,s:o,s:o,s:o}", "verdict",
                   fwvet_equiv_verdict_name(p->verdict), "by_content",
                   p->by_content, "reasons",
                   json_strings(p->reasons, p->nreasons), "classes",
                   json_equiv_classes(p->classes), "sections", secs);
}

static json_t *json_files(const fwvet_diff *d) {
  json_t *o = json_object();
  static const char *const names[] = {"changed", "added", "removed"};
  int with_equiv = fwvet_diff_equiv(d) != NULL;
  for (int c = FWVET_FILE_CHANGED; o && c <= FWVET_FILE_REMOVED; c++) {
    size_t n;
    const fwvet_diff_file *f = fwvet_diff_files(d, (fwvet_file_change)c, &n);
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
      const fwvet_eval_file *any = f[i].after ? f[i].after : f[i].before;
      json_t *x = json_pack(
          "{s:o,s:o,s:o,s:o}", "path", fwvet_json_str(f[i].key), "fspath",
          fwvet_json_str(any->fspath), "before",
          fwvet_json_str(f[i].before ? f[i].before->sha256 : NULL), "after",
          fwvet_json_str(f[i].after ? f[i].after->sha256 : NULL));
      if (x && with_equiv &&
          fwvet_json_set(x, "equivalence", json_file_equiv(f[i].equiv))) {
        json_decref(x);
        x = NULL;
      }
      if (fwvet_json_push(arr, x)) {
        json_decref(arr);
        arr = NULL;
      }
    }
    if (fwvet_json_set(o, names[c], arr)) {
      json_decref(o);
      return NULL;
    }
  }
  return o;
}

/* Whether equivalence was computed, and what it says of changed files. */
static json_t *json_equiv(const fwvet_diff *d) {
  const char *missing = diff_equiv_missing(d);
  if (missing)
    return json_pack("{s:b,s:s,s:n}", "computed", 0, "reason", missing,
                     "changed");
  diff_equiv_counts c;
  diff_equiv_count(d, &c);
  return json_pack("{s:b,s:n,s:{s:I,s:I,s:I,s:I,s:o}}", "computed", 1,
                   "reason", "changed", "identical",
                   (json_int_t)c.identical, "equivalent",
                   (json_int_t)c.equivalent, "different",
                   (json_int_t)c.different, "not_compared",
                   (json_int_t)c.unpaired, "classes",
                   json_equiv_classes(c.classes));
}

static json_t *json_reasons(const fwvet_diff *d) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < fwvet_diff_reason_count(d); i++)
    if (fwvet_json_push(arr, fwvet_json_str(fwvet_diff_reason(d, i)))) {
      json_decref(arr);
      return NULL;
    }
  return arr;
}

fwvet_status fwvet_report_diff_json(const fwvet_diff *d, FILE *out) {
  json_t *root = json_object();
  fwvet_status st = FWVET_ENOMEM;
  if (root && !fwvet_json_set(root, "tool", fwvet_json_tool()) &&
      !fwvet_json_set(root, "before", json_eval_info(fwvet_diff_before(d))) &&
      !fwvet_json_set(root, "after", json_eval_info(fwvet_diff_after(d))) &&
      !fwvet_json_set(root, "verdict",
                      json_string(fwvet_verdict_name(
                          fwvet_diff_verdict(d)))) &&
      !fwvet_json_set(root, "reasons", json_reasons(d)) &&
      !fwvet_json_set(root, "findings", json_states(d, 0)) &&
      !fwvet_json_set(root, "components", json_components(d)) &&
      !fwvet_json_set(root, "vulnerabilities", json_states(d, 1)) &&
      !fwvet_json_set(root, "hardening", json_hardening(d)) &&
      !fwvet_json_set(root, "engineering", json_engineering(d)) &&
      !fwvet_json_set(root, "files", json_files(d)) &&
      !fwvet_json_set(root, "equivalence", json_equiv(d)))
    st = fwvet_json_write(root, out);
  json_decref(root);
  return st;
}

static json_t *json_history_row(const fwvet_history_row *r) {
  json_t *sev = json_object();
  for (int s = FWVET_SEV_CRITICAL; sev && s >= FWVET_SEV_INFO; s--)
    json_object_set_new(sev, fwvet_severity_name((fwvet_severity)s),
                        json_integer((json_int_t)r->findings[s]));
  const fwvet_hardening_coverage *c = &r->coverage;
  double n = c->elf_files ? (double)c->elf_files : 1;
  return json_pack(
      "{s:I,s:o,s:o,s:o,s:I,s:o*,s:I,s:I,s:o,s:{s:I,s:o,s:o,s:o,s:o},"
      "s:o,s:o}",
      "id", (json_int_t)r->id, "release", fwvet_json_str(r->release),
      "created", fwvet_json_str(r->created), "input_sha256",
      *r->input_sha256 ? json_string(r->input_sha256) : json_null(), "runs",
      (json_int_t)r->runs, "findings", sev, "vulnerabilities",
      (json_int_t)r->vulnerabilities, "vulnerable_components",
      (json_int_t)r->vulnerable_components, "unsafe_percent",
      json_pct(r->unsafe_percent), "hardening", "elf_files",
      (json_int_t)c->elf_files, "nx_percent",
      json_pct(c->elf_files ? 100.0 * (double)c->nx / n : -1),
      "pie_percent", json_pct(c->elf_files ? 100.0 * (double)c->pie / n : -1),
      "relro_full_percent",
      json_pct(c->elf_files ? 100.0 * (double)c->relro_full / n : -1),
      "canary_percent",
      json_pct(c->elf_files ? 100.0 * (double)c->canary / n : -1),
      "verdict",
      r->has_verdict ? json_string(fwvet_verdict_name(r->verdict))
                     : json_null(),
      "reason", fwvet_json_str(r->reason));
}

fwvet_status fwvet_report_history_json(const fwvet_history *h, FILE *out) {
  json_t *rows = json_array();
  for (size_t i = 0; rows && i < fwvet_history_count(h); i++)
    if (fwvet_json_push(rows, json_history_row(fwvet_history_row_at(h, i)))) {
      json_decref(rows);
      rows = NULL;
    }
  json_t *root = json_pack("{s:o*,s:o*,s:o*}", "tool", fwvet_json_tool(),
                           "product",
                           fwvet_json_str(fwvet_history_product(h)),
                           "releases", rows);
  fwvet_status st = root ? fwvet_json_write(root, out) : FWVET_ENOMEM;
  json_decref(root);
  return st;
}
