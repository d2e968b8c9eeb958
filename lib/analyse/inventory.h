/*
 * The inventory (internal): merges the component evidence of a finished
 * scan into components, the copy census, known vulnerabilities and
 * end-of-life findings.
 */
#ifndef FWVET_ANALYSE_INVENTORY_H
#define FWVET_ANALYSE_INVENTORY_H

#include "core/findings.h"
#include "fwvet/component.h"
#include "fwvet/elf.h"
#include "fwvet/vfs.h"
#include "sig/sigdb.h"

/* One piece of evidence (see fwvet_sink_component); strings owned. */
typedef struct fwvet_comp_ev {
  const fwvet_node *node;
  long product; /* -1: a package the signatures do not know */
  char *name;   /* the package's name when product < 0 */
  char *version;
  char *package_version;
  fwvet_evidence_kind kind;
  uint64_t offset;
  char *evidence;
  int dropped; /* superseded by better evidence in the same file */
} fwvet_comp_ev;

void fwvet_comp_ev_release(fwvet_comp_ev *ev);

typedef struct fwvet_inventory {
  fwvet_component *comps;
  size_t ncomps;
  fwvet_census_row *census;
  size_t ncensus;
  fwvet_vulnerability *vulns;
  size_t nvulns;
} fwvet_inventory;

/*
 * Builds `inv` from the evidence `ev` (reordered; still owned by the
 * caller, and referenced by `inv`: keep it until the inventory is
 * released).  With `vulndb` (a path, or NULL) components are matched
 * against that database.  `elf_of` tells which ELF files import a
 * product's `linked` functions.  End-of-life findings go to `findings`.
 * FWVET_ENOMEM, or the vulnerability database's error.
 */
/* What the scan learnt about an ELF node, or NULL. */
typedef const fwvet_elf_info *(*fwvet_elf_lookup)(void *ctx,
                                                  const fwvet_node *node);

fwvet_status fwvet_inventory_build(fwvet_inventory *inv, const fwvet_vfs *vfs,
                                   const fwvet_sigdb *db, fwvet_comp_ev *ev,
                                   size_t nev, const char *vulndb,
                                   fwvet_elf_lookup elf_of, void *elf_ctx,
                                   fwvet_findings *findings);
void fwvet_inventory_release(fwvet_inventory *inv);

#endif
