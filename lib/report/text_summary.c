/*
 * The first screen of the text scan report: what a reader needs before
 * the details (the most severe findings, the components with known
 * vulnerabilities, how well the binaries are hardened).
 */
#include <stdio.h>
#include <string.h>

#include "fwvet/fwvet.h"
#include "report/json_util.h"

#define TOP_FINDINGS 8

static const char *const sev_colors[] = {"", "\033[36m", "\033[33m",
                                         "\033[31m", "\033[1;31m"};

static void put_clean(FILE *out, const char *s, size_t max) {
  size_t n = 0;
  for (; s && *s && n < max; s++, n++) {
    unsigned char c = (unsigned char)*s;
    fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
  }
  if (s && *s)
    fputs("...", out);
}

static void top_findings(const fwvet_scan *scan, int color, FILE *out) {
  size_t n = fwvet_scan_finding_count(scan), shown = 0, total = 0;
  fputs("\nmost severe findings:\n", out);
  for (int sev = FWVET_SEV_CRITICAL; sev >= FWVET_SEV_INFO; sev--)
    for (size_t i = 0; i < n; i++) {
      const fwvet_finding *f = fwvet_scan_finding(scan, i);
      if ((int)f->severity != sev || sev < FWVET_SEV_MEDIUM)
        continue;
      total++;
      if (shown == TOP_FINDINGS)
        continue;
      shown++;
      fprintf(out, "  %s%-8s%s %-30s ", color ? sev_colors[sev] : "",
              fwvet_severity_name(f->severity), color ? "\033[0m" : "",
              f->rule);
      put_clean(out, *f->fspath ? f->fspath : f->path, 60);
      if (f->line)
        fprintf(out, ":%u", f->line);
      fputc('\n', out);
    }
  if (!total)
    fputs("  none at medium or above\n", out);
  else if (total > shown)
    fprintf(out, "  and %zu more at medium or above (all findings at the "
                 "end)\n",
            total - shown);
}

static int sev_rank(const char *s) {
  int r = fwvet_severity_parse(s);
  return r < 0 ? -1 : r;
}

static void vulnerable_components(const fwvet_scan *scan, FILE *out) {
  size_t nc, nv, listed = 0;
  const fwvet_component *c = fwvet_scan_components(scan, &nc);
  const fwvet_vulnerability *v = fwvet_scan_vulnerabilities(scan, &nv);
  fputs("\ncomponents with known vulnerabilities:\n", out);
  for (size_t i = 0; i < nc; i++) {
    size_t count = 0;
    int worst = -1;
    const char *worst_name = "unknown";
    for (size_t j = 0; j < nv; j++) {
      if (v[j].component != i)
        continue;
      count++;
      if (sev_rank(v[j].severity) > worst) {
        worst = sev_rank(v[j].severity);
        worst_name = v[j].severity;
      }
    }
    if (!count)
      continue;
    listed++;
    fprintf(out, "  %-16s %-14s %zu known vulnerabilit%s, worst %s\n",
            c[i].name, c[i].version ? c[i].version : "(unknown)", count,
            count == 1 ? "y" : "ies", worst_name);
  }
  if (!listed && fwvet_scan_vulndb(scan))
    fprintf(out, "  none of %zu component%s\n", nc, nc == 1 ? "" : "s");
  else if (!listed)
    fprintf(out, "  not known: no vulnerability database was used (make one "
                 "with 'fwvet vulndb import'; --vulndb DB)\n");
}

typedef struct coverage {
  size_t judged, nx, relro_full, relro_any, canary, no_rpath;
  size_t exes, pie, fortifiable, fortified;
} coverage;

static void hardening(const fwvet_scan *scan, FILE *out) {
  const fwvet_vfs *vfs = fwvet_scan_vfs(scan);
  coverage c;
  memset(&c, 0, sizeof c);
  for (size_t i = 0; i < fwvet_vfs_count(vfs); i++) {
    const fwvet_elf_info *e = fwvet_scan_elf(scan, fwvet_vfs_node(vfs, i));
    /* What the hardening rules judge: dynamically linked executables
     * and shared libraries (docs/rules.md). */
    if (!e || e->is_static || !e->elf_type ||
        (strcmp(e->elf_type, "exec") && strcmp(e->elf_type, "dyn")))
      continue;
    c.judged++;
    c.nx += e->nx != 0;
    c.relro_full += e->relro == FWVET_RELRO_FULL;
    c.relro_any += e->relro != FWVET_RELRO_NONE;
    c.canary += e->canary != 0;
    c.no_rpath += !e->rpath && !e->runpath;
    if (!strcmp(e->elf_type, "exec") || e->pie) {
      c.exes++;
      c.pie += e->pie != 0;
    }
    if (e->fortifiable) {
      c.fortifiable++;
      c.fortified += e->fortified > 0;
    }
  }
  fputs("\nhardening (dynamically linked executables and libraries):\n",
        out);
  if (!c.judged) {
    fputs("  no such ELF files\n", out);
    return;
  }
  fprintf(out,
          "  NX %zu/%zu, PIE %zu/%zu executables, full RELRO %zu/%zu "
          "(any RELRO %zu),\n  stack canary %zu/%zu, FORTIFY %zu/%zu "
          "(of those with fortifiable calls), no RPATH %zu/%zu\n",
          c.nx, c.judged, c.pie, c.exes, c.relro_full, c.judged, c.relro_any,
          c.canary, c.judged, c.fortified, c.fortifiable, c.no_rpath,
          c.judged);
}

void fwvet_text_summary(const fwvet_scan *scan, int color, FILE *out) {
  top_findings(scan, color, out);
  vulnerable_components(scan, out);
  hardening(scan, out);
}
