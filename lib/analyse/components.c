/*
 * Components: one Hyperscan pass of every string signature over each
 * file, the file-name signatures over its base name, and the package
 * databases (pkgdb.c).  What is found is evidence; the scan merges it
 * into components, copies and the census when the tree is complete
 * (inventory.c).
 */
#include <string.h>

#include "analyse/analyser.h"
#include "analyse/pkgdb.h"
#include "sig/sigdb.h"

typedef struct hit_ctx {
  fwvet_sink *sink;
  const fwvet_node *node;
} hit_ctx;

static int on_hit(void *ud, const fwvet_sighit *h) {
  hit_ctx *c = ud;
  fwvet_sink_component(c->sink, c->node, (long)h->product, NULL, h->version,
                       NULL, h->kind,
                       h->kind == FWVET_EVIDENCE_STRING ? h->offset
                                                        : FWVET_NO_OFFSET,
                       h->evidence);
  return 0;
}

/* A container's bytes are its children's: they are examined as nodes of
 * their own.  Raw blobs and ELF files with carved content are examined,
 * and matches inside a child's extent are dropped when the tree is
 * complete. */
static int examine_content(const fwvet_node *node) {
  if (!(fwvet_node_flags(node) & FWVET_NODE_HAS_CHILDREN))
    return 1;
  const char *t = fwvet_node_type(node);
  return !strcmp(t, "data") || !strcmp(t, "elf") || !strcmp(t, "text") ||
         !strcmp(t, "script");
}

/* Documentation and message catalogues quote versions of everything
 * (libpng's manual lists eight libpng versions, sudo's .mo files twelve
 * sudo versions): they are not copies. */
static int documentation(const fwvet_node *node, const uint8_t *d,
                         size_t len) {
  /* A decoded stream (a gzip'ed man page) has no path of its own: the
   * file it came from has. */
  const char *fs = fwvet_node_fspath(node);
  for (const fwvet_node *n = node; !*fs && (n = fwvet_node_parent(n));)
    fs = fwvet_node_fspath(n);
  static const char *const dirs[] = {"/share/doc/", "/share/man/",
                                     "/share/info/", "/share/locale/",
                                     "/share/gtk-doc/", "/share/help/"};
  for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
    if (strstr(fs, dirs[i]))
      return 1;
  /* GNU gettext catalogues, either byte order */
  return len >= 4 && ((d[0] == 0xde && d[1] == 0x12 && d[2] == 0x04 &&
                       d[3] == 0x95) ||
                      (d[0] == 0x95 && d[1] == 0x04 && d[2] == 0x12 &&
                       d[3] == 0xde));
}

static void analyse(fwvet_sink *sink, const fwvet_node *node,
                    const uint8_t *data, size_t len) {
  const fwvet_sigdb *db = fwvet_sink_signatures(sink);
  if (!db || fwvet_node_kind(node) != FWVET_KIND_FILE)
    return;
  hit_ctx c = {sink, node};
  const char *fs = fwvet_node_fspath(node);
  const char *base = strrchr(fs, '/');
  base = base ? base + 1 : fs;
  if (*base)
    fwvet_sigdb_scan_name(db, base, on_hit, &c);
  if (len && examine_content(node) && !documentation(node, data, len)) {
    fwvet_status st = fwvet_sigdb_scan(db, data, len, on_hit, &c);
    if (st == FWVET_ELIMIT)
      fwvet_sink_report(sink, node, "unpack.limit", FWVET_SEV_MEDIUM,
                        FWVET_NO_OFFSET, 0, "signature matches",
                        "limit 'signature matches' reached: component "
                        "signatures past the first 65536 matches in this "
                        "file were not examined");
  }
  fwvet_pkgdb_read(sink, node, data, len);
  fwvet_rpmdb_read(sink, node, data, len);
}

const fwvet_analyser fwvet_analyser_components = {"components", analyse};
