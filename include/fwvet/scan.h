/* fwvet — a scan: unpack an input and run every analyser over it. */
#ifndef FWVET_SCAN_H
#define FWVET_SCAN_H

#include "audit.h"
#include "component.h"
#include "elf.h"
#include "rules.h"
#include "vfs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fwvet_scan fwvet_scan; /* opaque; see fwvet_scan_run() */

typedef struct fwvet_scan_options {
  /* Unpacking.  If open.visit is set it is called after the analysers,
   * for each node, with the same bytes. */
  fwvet_open_options open;
  /* A file of extra engineering family lines (data/unsafe-functions.txt
   * format; check it first with fwvet_families_check()), or NULL. */
  const char *families;
  /* User YARA rules matched against every file (findings "yara.<rule>"),
   * or NULL.  Owned by the caller; must outlive fwvet_scan_run(). */
  const fwvet_rules *rules;
  /* Also count direct calls to the engineering families' functions by
   * disassembling x86-64 and AArch64 binaries (fwvet_scan_engineering_
   * calls()).  Off by default: it costs far more than the rest of a scan
   * (about 15x on a tree of system binaries). */
  int call_sites;
  /* A file of more component signatures (data/signatures.txt format;
   * check it first with fwvet_signatures_check()), or NULL. */
  const char *signatures;
  /* The vulnerability database (fwvet_vulndb_open()) components are
   * matched against, or NULL for none.  Opened read-only. */
  const char *vulndb;
} fwvet_scan_options;

/* Zeroes `opt` and fills in defaults. */
void fwvet_scan_options_init(fwvet_scan_options *opt);

/*
 * Unpacks `path` (image or directory) and runs the analysers over every
 * node as it is unpacked, in parallel.  The caller owns *out (written
 * only on success) and frees it with fwvet_scan_destroy().  Fails as
 * fwvet_vfs_open() does; problems in the input are findings.
 */
fwvet_status fwvet_scan_run(const char *path, const fwvet_scan_options *opt,
                            fwvet_scan **out);

/* Same, for bytes in memory (as fwvet_vfs_open_memory()). */
fwvet_status fwvet_scan_run_memory(const char *name, const uint8_t *data,
                                   size_t len,
                                   const fwvet_scan_options *opt,
                                   fwvet_scan **out);

void fwvet_scan_destroy(fwvet_scan *scan); /* NULL is a no-op */

/* The unpacked tree; owned by the scan. */
const fwvet_vfs *fwvet_scan_vfs(const fwvet_scan *scan);

/* All findings, unpack.* and the analysers', in a stable order (by path,
 * offset, line, rule).  Owned by the scan. */
size_t fwvet_scan_finding_count(const fwvet_scan *scan);
const fwvet_finding *fwvet_scan_finding(const fwvet_scan *scan, size_t i);

/* What the scan learnt about an ELF node, or NULL when `node` is not an
 * ELF file of this scan.  Owned by the scan. */
const fwvet_elf_info *fwvet_scan_elf(const fwvet_scan *scan,
                                     const fwvet_node *node);

/*
 * The engineering table of the image: per family, the functions its ELF
 * files import (method "imports"; a "call" is one binary importing the
 * function), one row per family in data file order.  Owned by the scan.
 */
const fwvet_eng_row *fwvet_scan_engineering(const fwvet_scan *scan,
                                            size_t *n);
/*
 * The same table counted by call sites (method "call-sites"; a "call" is
 * one direct call or tail call to the function's PLT stub or GOT slot)
 * over the ELF files whose architecture allows it (x86-64, AArch64, ARM,
 * 32-bit MIPS, with section headers).  Every ELF file counts in the
 * "imports" table too.
 */
const fwvet_eng_row *fwvet_scan_engineering_calls(const fwvet_scan *scan,
                                                  size_t *n);

/*
 * The third-party components found (string, file-name and package
 * database evidence), ordered by name and version; the copy census (per
 * product, copies per version); and the known vulnerabilities of the
 * components when a vulnerability database was given.  Owned by the
 * scan.
 */
const fwvet_component *fwvet_scan_components(const fwvet_scan *scan,
                                             size_t *n);
const fwvet_census_row *fwvet_scan_census(const fwvet_scan *scan, size_t *n);
const fwvet_vulnerability *fwvet_scan_vulnerabilities(const fwvet_scan *scan,
                                                      size_t *n);

/* The vulnerability database the components were matched against (the
 * options' `vulndb`), or NULL when none was used. */
const char *fwvet_scan_vulndb(const fwvet_scan *scan);

/* Counts findings at or above `sev`. */
size_t fwvet_scan_findings_at_least(const fwvet_scan *scan,
                                    fwvet_severity sev);

#ifdef __cplusplus
}
#endif
#endif
