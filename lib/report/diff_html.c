/*
 * The diff as an HTML page: the same page as the scan report, drawn from
 * data of kind "diff" (verdict and reasons, findings with their state,
 * severity counts and hardening coverage before and after, component,
 * vulnerability, hardening and file changes).
 */
#include <stdio.h>

#include "fwvet/diff.h"
#include "report/html.h"
#include "report/json_util.h"

static json_t *input_of(const fwvet_eval *ev) {
  const fwvet_eval_info *in = fwvet_eval_get_info(ev);
  return json_pack("{s:o,s:I,s:o,s:o}", "path",
                   fwvet_json_str(in->input_path), "size",
                   (json_int_t)in->input_size, "sha256",
                   *in->input_sha256 ? json_string(in->input_sha256)
                                     : json_null(),
                   "created", fwvet_json_str(in->created));
}

static json_t *severities(const fwvet_eval *ev) {
  json_int_t n[5] = {0};
  for (size_t i = 0; i < fwvet_eval_finding_count(ev); i++)
    n[fwvet_eval_finding(ev, i)->severity]++;
  return json_pack("[I,I,I,I,I]", n[0], n[1], n[2], n[3], n[4]);
}

static json_t *coverage(const fwvet_eval *ev) {
  fwvet_hardening_coverage c;
  fwvet_eval_coverage(ev, &c);
  return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "elf_files",
                   (json_int_t)c.elf_files, "nx", (json_int_t)c.nx, "pie",
                   (json_int_t)c.pie, "relro_full",
                   (json_int_t)c.relro_full, "canary",
                   (json_int_t)c.canary, "fortified",
                   (json_int_t)c.fortified);
}

/* [rule, severity, ..., fingerprint, state] */
static json_t *findings(const fwvet_diff *d, json_t *rules) {
  json_t *arr = json_array();
  for (int s = FWVET_DIFF_FIXED; arr && s <= FWVET_DIFF_PERSISTING; s++)
    for (size_t i = 0; arr && i < fwvet_diff_finding_count(d, s); i++) {
      json_t *row = fwvet_html_finding(fwvet_diff_finding(d, s, i), rules);
      if (!row || json_array_append_new(row, json_string(
                                                 fwvet_diff_state_name(s))) ||
          fwvet_json_push(arr, row)) {
        json_decref(arr);
        arr = NULL;
      }
    }
  return arr;
}

/* [state, id, component, version, severity, cvss] */
static json_t *vulns(const fwvet_diff *d) {
  json_t *arr = json_array();
  for (int s = FWVET_DIFF_FIXED; arr && s <= FWVET_DIFF_PERSISTING; s++)
    for (size_t i = 0; arr && i < fwvet_diff_vuln_count(d, s); i++) {
      const fwvet_eval_vuln *v = fwvet_diff_vuln(d, s, i);
      if (fwvet_json_push(arr, json_pack("[s,o,o,o,o,o]",
                                         fwvet_diff_state_name(s),
                                         fwvet_json_str(v->id),
                                         fwvet_json_str(v->component),
                                         fwvet_json_str(v->version),
                                         fwvet_json_str(v->severity),
                                         v->cvss >= 0 ? json_real(v->cvss)
                                                      : json_null()))) {
        json_decref(arr);
        arr = NULL;
      }
    }
  return arr;
}

/* [change, name, from, to] */
static json_t *components(const fwvet_diff *d) {
  json_t *arr = json_array();
  for (int c = FWVET_COMPONENT_UPGRADED; arr && c <= FWVET_COMPONENT_REMOVED;
       c++) {
    size_t n;
    const fwvet_diff_component *k = fwvet_diff_components(d, c, &n);
    for (size_t i = 0; arr && i < n; i++)
      if (fwvet_json_push(arr, json_pack("[s,o,o,o]",
                                         fwvet_component_change_name(c),
                                         fwvet_json_str(k[i].name),
                                         fwvet_json_str(k[i].from),
                                         fwvet_json_str(k[i].to)))) {
        json_decref(arr);
        arr = NULL;
      }
  }
  return arr;
}

static json_t *harden_names(unsigned mask) {
  json_t *arr = json_array();
  for (unsigned bit = 1; arr && bit <= FWVET_HARDEN_FORTIFY; bit <<= 1)
    if ((mask & bit) &&
        fwvet_json_push(arr, json_string(fwvet_harden_name(bit)))) {
      json_decref(arr);
      arr = NULL;
    }
  return arr;
}

/* [key, improved [...], regressed [...]] */
static json_t *binaries(const fwvet_diff *d) {
  size_t n;
  const fwvet_diff_binary *b = fwvet_diff_binaries(d, &n);
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++)
    if (fwvet_json_push(arr, json_pack("[o,o,o]", fwvet_json_str(b[i].key),
                                       harden_names(b[i].improved),
                                       harden_names(b[i].regressed)))) {
      json_decref(arr);
      arr = NULL;
    }
  return arr;
}

/* [change, key] */
static json_t *files(const fwvet_diff *d) {
  static const char *const names[] = {"changed", "added", "removed"};
  json_t *arr = json_array();
  for (int c = FWVET_FILE_CHANGED; arr && c <= FWVET_FILE_REMOVED; c++) {
    size_t n;
    const fwvet_diff_file *f = fwvet_diff_files(d, c, &n);
    for (size_t i = 0; arr && i < n; i++)
      if (fwvet_json_push(arr, json_pack("[s,o]", names[c],
                                         fwvet_json_str(f[i].key)))) {
        json_decref(arr);
        arr = NULL;
      }
  }
  return arr;
}

static json_t *reasons(const fwvet_diff *d) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < fwvet_diff_reason_count(d); i++)
    if (fwvet_json_push(arr, fwvet_json_str(fwvet_diff_reason(d, i)))) {
      json_decref(arr);
      arr = NULL;
    }
  return arr;
}

static json_t *engineering(const fwvet_eval *ev) {
  size_t n;
  const fwvet_eng_row *rows = fwvet_eval_engineering(ev, &n);
  return fwvet_json_eng_table(rows, n);
}

fwvet_status fwvet_report_diff_html(const fwvet_diff *d, FILE *out) {
  const fwvet_eval *a = fwvet_diff_before(d), *b = fwvet_diff_after(d);
  json_t *rules = json_object();
  json_t *rows = rules ? findings(d, rules) : NULL;
  json_t *data = json_pack(
      "{s:s,s:o,s:s,s:o,s:o,s:o,s:{s:o,s:o},s:{s:o,s:o},s:o,s:o,s:o,s:o,"
      "s:o,s:o,s:{s:o,s:o}}",
      "kind", "diff", "tool", fwvet_json_tool(), "verdict",
      fwvet_verdict_name(fwvet_diff_verdict(d)), "reasons", reasons(d),
      "before", input_of(a), "after", input_of(b), "severity", "before",
      severities(a), "after", severities(b), "coverage", "before",
      coverage(a), "after", coverage(b), "rules", rules, "findings", rows,
      "components", components(d), "vulnerabilities", vulns(d), "binaries",
      binaries(d), "files", files(d), "engineering", "before",
      engineering(a), "after", engineering(b));
  fwvet_status st = fwvet_html_write(data, out);
  json_decref(data);
  return st;
}
