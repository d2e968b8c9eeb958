/* `fwvet diff` and `fwvet history` as text for people: the verdict and
 * its reasons first, then the details; and the format dispatch. */
#include <stdio.h>

#include "fwvet/fwvet.h"
#include "report/diff_report.h"
#include "report/html.h"
#include "report/sarif.h"

/* Writes `s` with control bytes escaped so an item stays on one line. */
static void put(FILE *out, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f)
      fprintf(out, "\\x%02x", c);
    else
      fputc(c, out);
  }
}

static void put_eval(FILE *out, const char *label, const fwvet_eval *ev) {
  const fwvet_eval_info *in = fwvet_eval_get_info(ev);
  fprintf(out, "%-9s", label);
  if (in->product) {
    put(out, in->product);
    fputc('@', out);
    put(out, in->release);
    fprintf(out, " (id:%lld, %s) ", (long long)in->id,
            in->created ? in->created : "-");
  }
  put(out, in->input_path);
  fprintf(out, "\n         sha256 %s\n",
          in->input_sha256 && *in->input_sha256 ? in->input_sha256 : "-");
}

static const char *verdict_color(fwvet_verdict p) {
  switch (p) {
  case FWVET_VERDICT_MATERIAL: return "\033[1;32m";
  case FWVET_VERDICT_LIMITED: return "\033[1;33m";
  case FWVET_VERDICT_NONE: return "\033[1;31m";
  case FWVET_VERDICT_REGRESSION: return "\033[1;31m";
  }
  return "";
}

static void text_findings(const fwvet_diff *d, fwvet_diff_state s,
                          FILE *out) {
  size_t n = fwvet_diff_finding_count(d, s);
  fprintf(out, "\nfindings %s (%zu):\n", fwvet_diff_state_name(s), n);
  if (!n)
    fputs("  none\n", out);
  for (size_t i = 0; i < n; i++) {
    const fwvet_finding *f = fwvet_diff_finding(d, s, i);
    fprintf(out, "  %-8s %s  ", fwvet_severity_name(f->severity), f->rule);
    put(out, *f->fspath ? f->fspath : f->path);
    if (f->line)
      fprintf(out, ":%u", f->line);
    fputs("\n           ", out);
    put(out, f->message);
    fputc('\n', out);
  }
}

static void text_vulns(const fwvet_diff *d, FILE *out) {
  for (int s = FWVET_DIFF_FIXED; s <= FWVET_DIFF_PERSISTING; s++) {
    size_t n = fwvet_diff_vuln_count(d, (fwvet_diff_state)s);
    if (!n)
      continue;
    fprintf(out, "\nvulnerabilities %s (%zu):\n",
            fwvet_diff_state_name((fwvet_diff_state)s), n);
    for (size_t i = 0; i < n; i++) {
      const fwvet_eval_vuln *v = fwvet_diff_vuln(d, (fwvet_diff_state)s, i);
      fprintf(out, "  %-8s ", v->severity);
      put(out, v->id);
      fputs("  ", out);
      put(out, v->component);
      fputc(' ', out);
      put(out, v->version ? v->version : "(unknown version)");
      fputc('\n', out);
    }
  }
}

static void text_components(const fwvet_diff *d, FILE *out) {
  int any = 0;
  for (int c = FWVET_COMPONENT_UPGRADED; c <= FWVET_COMPONENT_REMOVED; c++) {
    size_t n;
    const fwvet_diff_component *x =
        fwvet_diff_components(d, (fwvet_component_change)c, &n);
    for (size_t i = 0; i < n; i++) {
      if (!any++)
        fputs("\ncomponents:\n", out);
      fprintf(out, "  %-10s ",
              fwvet_component_change_name((fwvet_component_change)c));
      put(out, x[i].name);
      fprintf(out, " %s -> %s\n", x[i].from ? x[i].from : "-",
              x[i].to ? x[i].to : "-");
    }
  }
}

static void put_props(FILE *out, unsigned mask) {
  const char *sep = "";
  for (unsigned bit = 1; bit <= FWVET_HARDEN_FORTIFY; bit <<= 1)
    if (mask & bit) {
      fprintf(out, "%s%s", sep, fwvet_harden_name(bit));
      sep = ",";
    }
}

static void text_hardening(const fwvet_diff *d, FILE *out) {
  fwvet_hardening_coverage c[2];
  fwvet_eval_coverage(fwvet_diff_before(d), &c[0]);
  fwvet_eval_coverage(fwvet_diff_after(d), &c[1]);
  fputs("\nhardening (ELF files with each property, before -> after):\n",
        out);
  fprintf(out, "  files %zu -> %zu, nx %zu -> %zu, pie %zu -> %zu, "
               "relro full %zu -> %zu, canary %zu -> %zu\n",
          c[0].elf_files, c[1].elf_files, c[0].nx, c[1].nx, c[0].pie,
          c[1].pie, c[0].relro_full, c[1].relro_full, c[0].canary,
          c[1].canary);
  size_t n;
  const fwvet_diff_binary *b = fwvet_diff_binaries(d, &n);
  for (size_t i = 0; i < n; i++) {
    fputs("  ", out);
    put(out, b[i].key);
    if (b[i].improved) {
      fputs("  improved: ", out);
      put_props(out, b[i].improved);
    }
    if (b[i].regressed) {
      fputs("  regressed: ", out);
      put_props(out, b[i].regressed);
    }
    fputc('\n', out);
  }
}

static void text_engineering(const fwvet_diff *d, FILE *out) {
  size_t nb, na;
  const fwvet_eng_row *rb = fwvet_eval_engineering(fwvet_diff_before(d), &nb);
  const fwvet_eng_row *ra = fwvet_eval_engineering(fwvet_diff_after(d), &na);
  fputs("\nengineering (unsafe calls / all calls, before -> after):\n", out);
  for (size_t i = 0; i < nb || i < na; i++) {
    const fwvet_eng_row *b = i < nb ? &rb[i] : NULL;
    const fwvet_eng_row *a = i < na ? &ra[i] : NULL;
    fprintf(out, "  %-10s ", (b ? b : a)->family);
    if (b)
      fprintf(out, "%llu/%llu (%.1f%%)", (unsigned long long)b->unsafe_calls,
              (unsigned long long)(b->safe_calls + b->unsafe_calls),
              b->unsafe_percent);
    else
      fputc('-', out);
    fputs(" -> ", out);
    if (a)
      fprintf(out, "%llu/%llu (%.1f%%)", (unsigned long long)a->unsafe_calls,
              (unsigned long long)(a->safe_calls + a->unsafe_calls),
              a->unsafe_percent);
    else
      fputc('-', out);
    fputc('\n', out);
  }
}

void diff_equiv_count(const fwvet_diff *d, diff_equiv_counts *c) {
  *c = (diff_equiv_counts){0};
  size_t n;
  const fwvet_diff_file *f = fwvet_diff_files(d, FWVET_FILE_CHANGED, &n);
  for (size_t i = 0; i < n; i++) {
    const fwvet_equiv_pair *p = f[i].equiv;
    if (!p) {
      c->unpaired++;
    } else if (p->verdict == FWVET_EQUIV_IDENTICAL) {
      c->identical++;
    } else if (p->verdict == FWVET_EQUIV_EQUIVALENT) {
      c->equivalent++;
      c->classes |= p->classes;
    } else {
      c->different++;
    }
  }
}

const char *diff_equiv_missing(const fwvet_diff *d) {
  if (fwvet_diff_equiv(d))
    return NULL;
  if (fwvet_eval_get_info(fwvet_diff_before(d))->id ||
      fwvet_eval_get_info(fwvet_diff_after(d))->id)
    return "a stored evaluation keeps no file bytes";
  return "the inputs were not compared";
}

static void put_classes(FILE *out, unsigned mask) {
  const char *sep = "";
  for (unsigned bit = 1; bit & FWVET_EQC_ALL; bit <<= 1)
    if (mask & bit) {
      fprintf(out, "%s%s", sep, fwvet_equiv_class_name(bit));
      sep = ", ";
    }
}

/* "different: .text (compute, main), .rodata": the first few sections,
 * those naming a function first; or the first reason. */
static void put_pair(FILE *out, const fwvet_equiv_pair *p) {
  fprintf(out, "  %s", fwvet_equiv_verdict_name(p->verdict));
  if (p->by_content)
    fputs(", moved", out);
  if (p->verdict == FWVET_EQUIV_EQUIVALENT && p->classes) {
    fputs(": ", out);
    put_classes(out, p->classes);
  }
  if (p->verdict != FWVET_EQUIV_DIFFERENT)
    return;
  size_t shown = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < p->nsections && shown < 6; i++) {
      const fwvet_equiv_section *sec = &p->sections[i];
      if ((sec->nfunctions == 0) != (pass == 1))
        continue;
      fputs(shown++ ? ", " : ": ", out);
      put(out, sec->name);
      for (size_t j = 0; j < sec->nfunctions && j < 4; j++) {
        fputs(j ? ", " : " (", out);
        put(out, sec->functions[j]);
      }
      if (sec->nfunctions > 4)
        fputs(", ...", out);
      if (sec->nfunctions)
        fputc(')', out);
    }
  if (p->nsections > shown)
    fprintf(out, ", %zu more", p->nsections - shown);
  if (!p->nsections && p->nreasons) {
    fputs(": ", out);
    put(out, p->reasons[0]);
  }
}

/* The section that best says where a pair differs: one naming a
 * function, else an ELF section, else the first; NULL without any. */
static const char *telling_section(const fwvet_equiv_pair *p) {
  for (size_t i = 0; i < p->nsections; i++)
    if (p->sections[i].nfunctions)
      return p->sections[i].name;
  for (size_t i = 0; i < p->nsections; i++)
    if (p->sections[i].name[0] == '.')
      return p->sections[i].name;
  return p->nsections ? p->sections[0].name : NULL;
}

/* "changed files: 7, of which 2 equivalent (build-id) and 4 different
 * (.text in squashfs/usr/sbin/httpd, ...)": a binary rebuilt with other
 * build metadata is not changed code.  Files with a differing section
 * are named first, containers (whose entries differ) after them. */
static void text_equiv_summary(const fwvet_diff *d, FILE *out) {
  const char *missing = diff_equiv_missing(d);
  if (missing) {
    fprintf(out, "equivalence: not computed (%s)\n", missing);
    return;
  }
  diff_equiv_counts c;
  diff_equiv_count(d, &c);
  size_t n, shown = 0;
  const fwvet_diff_file *f = fwvet_diff_files(d, FWVET_FILE_CHANGED, &n);
  fprintf(out, "changed files: %zu, of which %zu equivalent", n,
          c.equivalent);
  if (c.classes) {
    fputs(" (", out);
    put_classes(out, c.classes);
    fputc(')', out);
  }
  fprintf(out, " and %zu different", c.different);
  for (int pass = 0; pass < 2 && shown <= 3; pass++)
    for (size_t i = 0; i < n; i++) {
      const fwvet_equiv_pair *p = f[i].equiv;
      if (!p || p->verdict != FWVET_EQUIV_DIFFERENT)
        continue;
      const char *sec = telling_section(p);
      if ((sec == NULL) != (pass == 1))
        continue;
      if (shown++ == 3) {
        fputs(", ...", out);
        break;
      }
      fputs(shown > 1 ? ", " : " (", out);
      if (sec) {
        put(out, sec);
        fputs(" in ", out);
      }
      put(out, f[i].key);
    }
  if (shown)
    fputc(')', out);
  if (c.identical)
    fprintf(out, ", %zu identical", c.identical);
  if (c.unpaired)
    fprintf(out, ", %zu not compared", c.unpaired);
  fputc('\n', out);
}

static void text_files(const fwvet_diff *d, FILE *out) {
  static const char *const names[] = {"changed", "added", "removed"};
  size_t n[3];
  for (int c = 0; c < 3; c++)
    fwvet_diff_files(d, (fwvet_file_change)c, &n[c]);
  fprintf(out, "\nfiles (by path and sha256): %zu changed, %zu added, "
               "%zu removed\n", n[0], n[1], n[2]);
  text_equiv_summary(d, out);
  for (int c = 0; c < 3; c++) {
    const fwvet_diff_file *f = fwvet_diff_files(d, (fwvet_file_change)c,
                                                &n[c]);
    for (size_t i = 0; i < n[c]; i++) {
      fprintf(out, "  %-8s ", names[c]);
      put(out, f[i].key);
      if (f[i].equiv)
        put_pair(out, f[i].equiv);
      fputc('\n', out);
    }
  }
}

static fwvet_status diff_text(const fwvet_diff *d, int color, FILE *out) {
  fwvet_verdict v = fwvet_diff_verdict(d);
  fprintf(out, "verdict  %s%s%s\n", color ? verdict_color(v) : "",
          fwvet_verdict_name(v), color ? "\033[0m" : "");
  for (size_t i = 0; i < fwvet_diff_reason_count(d); i++) {
    fputs(i ? "         " : "because  ", out);
    put(out, fwvet_diff_reason(d, i));
    fputc('\n', out);
  }
  put_eval(out, "before", fwvet_diff_before(d));
  put_eval(out, "after", fwvet_diff_after(d));
  text_findings(d, FWVET_DIFF_FIXED, out);
  text_findings(d, FWVET_DIFF_NEW, out);
  text_findings(d, FWVET_DIFF_PERSISTING, out);
  text_vulns(d, out);
  text_components(d, out);
  text_hardening(d, out);
  text_engineering(d, out);
  text_files(d, out);
  return ferror(out) ? FWVET_EIO : FWVET_OK;
}

fwvet_status fwvet_report_diff(const fwvet_diff *d,
                               const fwvet_report_options *opt, FILE *out) {
  switch (opt->format) {
  case FWVET_REPORT_TEXT: return diff_text(d, opt->color, out);
  case FWVET_REPORT_JSON: return fwvet_report_diff_json(d, out);
  case FWVET_REPORT_SARIF: return fwvet_report_diff_sarif(d, out);
  case FWVET_REPORT_HTML: return fwvet_report_diff_html(d, out);
  default: return FWVET_EUNSUPPORTED;
  }
}

static void put_pct(FILE *out, size_t n, size_t of) {
  if (of)
    fprintf(out, " %5.1f", 100.0 * (double)n / (double)of);
  else
    fputs("     -", out);
}

static fwvet_status history_text(const fwvet_history *h, FILE *out) {
  fputs("product  ", out);
  put(out, fwvet_history_product(h));
  fprintf(out, "\n\n%-12s %6s %-20s %4s %4s %4s %4s %4s %5s %6s %5s %5s "
               "%5s %5s  %s\n",
          "release", "id", "created", "crit", "high", "med", "low", "info",
          "vulnc", "unsafe", "nx%", "pie%", "relr%", "can%", "verdict");
  for (size_t i = 0; i < fwvet_history_count(h); i++) {
    const fwvet_history_row *r = fwvet_history_row_at(h, i);
    fputs("", out);
    fprintf(out, "%-12s %6lld %-20s %4zu %4zu %4zu %4zu %4zu %5zu ",
            r->release, (long long)r->id, r->created,
            r->findings[FWVET_SEV_CRITICAL], r->findings[FWVET_SEV_HIGH],
            r->findings[FWVET_SEV_MEDIUM], r->findings[FWVET_SEV_LOW],
            r->findings[FWVET_SEV_INFO], r->vulnerable_components);
    if (r->unsafe_percent < 0)
      fputs("     -", out);
    else
      fprintf(out, "%5.1f%%", r->unsafe_percent);
    const fwvet_hardening_coverage *c = &r->coverage;
    put_pct(out, c->nx, c->elf_files);
    put_pct(out, c->pie, c->elf_files);
    put_pct(out, c->relro_full, c->elf_files);
    put_pct(out, c->canary, c->elf_files);
    fprintf(out, "  %s", r->has_verdict ? fwvet_verdict_name(r->verdict)
                                        : "-");
    if (r->reason) {
      fputs(" (", out);
      put(out, r->reason);
      fputc(')', out);
    }
    fputc('\n', out);
  }
  fputs("\ncolumns: findings per severity; vulnc: components with known "
        "vulnerabilities;\nunsafe: unsafe share of the engineering "
        "families; nx%..can%: ELF files with\nnx, pie, full relro, stack "
        "canary; verdict: against the release above.\n", out);
  return ferror(out) ? FWVET_EIO : FWVET_OK;
}

fwvet_status fwvet_report_history(const fwvet_history *h,
                                  const fwvet_report_options *opt,
                                  FILE *out) {
  switch (opt->format) {
  case FWVET_REPORT_TEXT: return history_text(h, out);
  case FWVET_REPORT_JSON: return fwvet_report_history_json(h, out);
  default: return FWVET_EUNSUPPORTED;
  }
}
