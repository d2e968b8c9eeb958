/* The engineering table in the scan and audit-src reports. */
#include <stdio.h>

#include "fwvet/fwvet.h"
#include "report/json_util.h"

json_t *fwvet_json_eng_table(const fwvet_eng_row *rows, size_t n) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < n; i++) {
    const fwvet_eng_row *r = &rows[i];
    /* one decimal, as printed, so JSON and text agree */
    double pct = (double)(long long)(r->unsafe_percent * 10.0 + 0.5) / 10.0;
    if (fwvet_json_push(
            arr, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:f}", "family",
                           r->family, "method", r->method, "safe_variants",
                           (json_int_t)r->safe_variants, "safe_calls",
                           (json_int_t)r->safe_calls, "unsafe_variants",
                           (json_int_t)r->unsafe_variants, "unsafe_calls",
                           (json_int_t)r->unsafe_calls, "unsafe_percent",
                           pct))) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

void fwvet_text_eng_table(const fwvet_eng_row *rows, size_t n, FILE *out) {
  fprintf(out, "  %-10s %13s %12s %15s %14s %9s\n", "family",
          "safe variants", "safe calls", "unsafe variants", "unsafe calls",
          "unsafe %");
  for (size_t i = 0; i < n; i++) {
    const fwvet_eng_row *r = &rows[i];
    fprintf(out, "  %-10s %13zu %12llu %15zu %14llu %9.1f\n", r->family,
            r->safe_variants, (unsigned long long)r->safe_calls,
            r->unsafe_variants, (unsigned long long)r->unsafe_calls,
            r->unsafe_percent);
  }
}

static json_t *json_counts(const fwvet_eng_count *c, size_t n) {
  json_t *o = json_object();
  for (size_t i = 0; o && i < n; i++)
    if (json_object_set_new(o, c[i].name, json_integer((json_int_t)c[i].count)))
      goto fail;
  return o;
fail:
  json_decref(o);
  return NULL;
}

static fwvet_status audit_json(const fwvet_audit *a, FILE *out) {
  size_t nrows, nfn;
  const fwvet_eng_row *rows = fwvet_audit_table(a, &nrows);
  const fwvet_eng_count *fn = fwvet_audit_functions(a, &nfn);
  json_t *root = json_object();
  json_t *files = json_array();
  json_t *findings = json_array();
  fwvet_status st = FWVET_ENOMEM;
  for (size_t i = 0; files && i < fwvet_audit_file_count(a); i++) {
    size_t n;
    const fwvet_eng_count *c = fwvet_audit_file_functions(a, i, &n);
    if (fwvet_json_push(files, json_pack("{s:o*,s:o*}", "path",
                                         fwvet_json_str(
                                             fwvet_audit_file_path(a, i)),
                                         "functions", json_counts(c, n))))
      goto out;
  }
  for (size_t i = 0; findings && i < fwvet_audit_finding_count(a); i++)
    if (fwvet_json_push(findings,
                        fwvet_json_finding(fwvet_audit_finding(a, i))))
      goto out;
  if (root && files && findings &&
      !fwvet_json_set(root, "families", fwvet_json_eng_table(rows, nrows)) &&
      !fwvet_json_set(root, "functions", json_counts(fn, nfn)) &&
      !fwvet_json_set(root, "files", json_incref(files)) &&
      !fwvet_json_set(root, "findings", json_incref(findings)))
    st = fwvet_json_write(root, out);
out:
  json_decref(files);
  json_decref(findings);
  json_decref(root);
  return st;
}

fwvet_status fwvet_report_audit(const fwvet_audit *a,
                                const fwvet_report_options *opt, FILE *out) {
  if (opt->format == FWVET_REPORT_JSON)
    return audit_json(a, out);
  size_t nrows, nfn;
  const fwvet_eng_row *rows = fwvet_audit_table(a, &nrows);
  const fwvet_eng_count *fn = fwvet_audit_functions(a, &nfn);
  fprintf(out, "engineering (direct calls in %zu source files with calls):\n",
          fwvet_audit_file_count(a));
  fwvet_text_eng_table(rows, nrows, out);
  fputs("\nfunctions:\n", out);
  if (!nfn)
    fputs("  none\n", out);
  for (size_t i = 0; i < nfn; i++)
    fprintf(out, "  %-20s %llu\n", fn[i].name,
            (unsigned long long)fn[i].count);
  fputs("\nfindings:\n", out);
  if (!fwvet_audit_finding_count(a))
    fputs("  none\n", out);
  for (size_t i = 0; i < fwvet_audit_finding_count(a); i++) {
    const fwvet_finding *f = fwvet_audit_finding(a, i);
    fprintf(out, "%-8s %s  %s:%u\n         %s\n",
            fwvet_severity_name(f->severity), f->rule, f->path, f->line,
            f->message);
  }
  return ferror(out) ? FWVET_EIO : FWVET_OK;
}
