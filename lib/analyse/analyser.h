/*
 * Internal interface of the analysers (one file per analyser in
 * lib/analyse/, one line each in registry.c).
 *
 * An analyser is called once per node, on a worker thread, while the
 * node's bytes are in memory; several calls run at once, so an analyser
 * keeps no mutable global state.  It reports what it finds into the sink
 * and never fails the scan: bad content is simply not a match.  Analysers
 * do not see each other's results; they meet in the report.
 */
#ifndef FWVET_ANALYSE_ANALYSER_H
#define FWVET_ANALYSE_ANALYSER_H

#include <stddef.h>
#include <stdint.h>

#include "fwvet/component.h"
#include "fwvet/elf.h"
#include "fwvet/finding.h"
#include "fwvet/scan.h"
#include "fwvet/vfs.h"

typedef struct fwvet_sink fwvet_sink;

typedef struct fwvet_analyser {
  const char *name;
  void (*analyse)(fwvet_sink *sink, const fwvet_node *node,
                  const uint8_t *data, size_t len);
} fwvet_analyser;

/* NULL-terminated, in lib/analyse/registry.c. */
extern const fwvet_analyser *const fwvet_analysers[];

/*
 * Reports a finding about `node`.  `offset` (FWVET_NO_OFFSET if none) and
 * `line` (0 if none) locate it in the node; `evidence` is the text that
 * matched, normalised so the same issue in the next release gives the
 * same fingerprint (no offsets, no timestamps).  The message is one lower
 * case sentence without a final period.
 */
void fwvet_sink_report(fwvet_sink *sink, const fwvet_node *node,
                       const char *rule, fwvet_severity sev, uint64_t offset,
                       unsigned line, const char *evidence, const char *fmt,
                       ...) __attribute__((format(printf, 8, 9)));

/*
 * The options of the running scan, as its caller gave them: how an
 * analyser gets per-scan configuration (e.g. the yara analyser's compiled
 * `rules`) without global state.  Valid, and unchanged, for the whole
 * run; what they point to is the caller's and read-only.
 */
const fwvet_scan_options *fwvet_sink_options(const fwvet_sink *sink);

/*
 * Records what an analyser learnt about an ELF node.  `info` and
 * everything it points to must come from malloc (strings, the imports
 * array and each import): ownership passes to the scan, which frees them
 * with fwvet_elf_info_free(), even on failure.  One record per node; a
 * second one for the same node is freed and ignored.
 */
void fwvet_sink_elf(fwvet_sink *sink, const fwvet_node *node,
                    fwvet_elf_info *info);
void fwvet_elf_info_free(fwvet_elf_info *info);

/*
 * Records which C library an ELF node needs, or the __*_chk functions a
 * C library node exports (analyse/fortify.h), for the scan to judge
 * FORTIFY against the image's own C library once every file is done.
 * Takes the record's strings and array (from malloc).  Thread-safe.
 */
struct fwvet_fortify_rec;
void fwvet_sink_fortify(fwvet_sink *sink,
                        const struct fwvet_fortify_rec *rec);

/*
 * Scripts found by reference (analyse/scriptrefs.h): `node` (inittab, a
 * unit, an init script) runs the file at absolute path `path`; `node` is
 * a small text file that may be such a script, its bytes copied.  When
 * the tree is complete the scan hands each referenced copy to
 * fwvet_services_referenced().  Thread-safe.
 */
void fwvet_sink_script_ref(fwvet_sink *sink, const fwvet_node *node,
                           const char *path);
void fwvet_sink_script_candidate(fwvet_sink *sink, const fwvet_node *node,
                                 const uint8_t *data, size_t len);

/*
 * The engineering table: the families (built-in plus --families, read
 * only, shared by every thread) and the per-node counts an analyser adds
 * to the scan's table (engineering.c).  Thread-safe.
 */
typedef struct fwvet_families fwvet_families;
typedef struct fwvet_eng_counter fwvet_eng_counter;
const fwvet_families *fwvet_sink_families(const fwvet_sink *sink);
void fwvet_sink_engineering(fwvet_sink *sink,
                            const fwvet_eng_counter *counts);
/* The same for call sites (method "call-sites"). */
void fwvet_sink_engineering_calls(fwvet_sink *sink,
                                  const fwvet_eng_counter *counts);

/*
 * Components (components.c, pkgdb.c): the scan's compiled signature
 * database (read-only, shared by every thread), and one piece of
 * evidence that a component is in `node`.  `product` indexes the
 * database, or is -1 for a package the database does not know, named
 * `name`.  `version` is the upstream version or NULL; `package_version`
 * the package database's full version or NULL.  Copies everything;
 * thread-safe.  The scan merges evidence into components at the end.
 */
/* Whether two nodes are in the same filesystem or archive: their
 * provenance paths without their fspath are equal. */
int fwvet_same_container(const fwvet_node *a, const fwvet_node *b);

typedef struct fwvet_sigdb fwvet_sigdb;
const fwvet_sigdb *fwvet_sink_signatures(const fwvet_sink *sink);
void fwvet_sink_component(fwvet_sink *sink, const fwvet_node *node,
                          long product, const char *name,
                          const char *version, const char *package_version,
                          fwvet_evidence_kind kind, uint64_t offset,
                          const char *evidence);

#endif
