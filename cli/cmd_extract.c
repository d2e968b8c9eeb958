/* fwvet extract: write the unpacked tree to disk, safely. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_head[] =
    "usage: fwvet extract [options] IMAGE|DIR -C DIR\n"
    "\n"
    "Unpack IMAGE recursively and write what it holds under DIR (created if\n"
    "missing).  Each provenance path becomes a path under DIR; a file in\n"
    "which data was carved keeps its content at its own path and what was\n"
    "carved from it goes under '<file>.extracted/'.  Nothing is written\n"
    "outside DIR: symlinks are created last and never followed, existing\n"
    "files are never overwritten, names that are absolute or contain '..'\n"
    "or NUL are refused, duplicate entries are written once, setuid/setgid/\n"
    "sticky bits are dropped, and devices, fifos and sockets are recorded\n"
    "but not created.  Each refusal is printed on standard error.\n"
    "\n"
    "  -C, --directory DIR     where to write (required)\n"
    "  -j, --jobs N            worker threads (default: all cores)\n";

typedef struct refusals {
  unsigned long shown;
} refusals;

static void report(void *ud, const fwvet_node *n, fwvet_status why,
                   const char *detail) {
  refusals *r = ud;
  if (why == FWVET_EUNSUPPORTED)
    return; /* devices and the like: counted in the summary */
  r->shown++;
  fprintf(stderr, "fwvet: not written: '%s': %s\n", fwvet_node_path(n),
          detail);
}

int cmd_extract(int argc, char **argv) {
  char usage[4096];
  snprintf(usage, sizeof usage, "%s%s", usage_head, cli_limits_help);
  cli_opts o;
  int i = cli_parse("extract", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  if (argc - i != 1 || !o.dir) {
    cli_error("extract", "expected one IMAGE or DIR and -C DIR");
    return EXIT_USAGE;
  }
  refusals r = {0};
  fwvet_extractor *ex = NULL;
  if (fwvet_extractor_create(o.dir, report, &r, &ex)) {
    cli_error(o.dir, "%s", strerror(errno));
    return EXIT_INPUT;
  }
  o.open.visit = fwvet_extractor_visit;
  o.open.visit_ud = ex;
  fwvet_vfs *vfs = cli_open(argv[i], &o.open);
  if (!vfs) {
    fwvet_extractor_destroy(ex);
    return EXIT_INPUT;
  }
  fwvet_extractor_finish(ex);
  fwvet_extract_stats s;
  fwvet_extractor_stats(ex, &s);
  printf("extracted %llu files (%llu bytes), %llu directories, %llu "
         "symlinks into '%s'\n",
         (unsigned long long)s.files, (unsigned long long)s.bytes,
         (unsigned long long)s.dirs, (unsigned long long)s.symlinks, o.dir);
  if (s.refused)
    printf("refused %llu entries (listed on standard error)\n",
           (unsigned long long)s.refused);
  if (s.skipped)
    printf("not created: %llu devices, fifos or sockets\n",
           (unsigned long long)s.skipped);
  size_t nf = fwvet_vfs_finding_count(vfs);
  for (size_t k = 0; k < nf; k++) {
    const fwvet_finding *f = fwvet_vfs_finding(vfs, k);
    fprintf(stderr, "fwvet: %s: %s: %s\n", f->rule, f->path, f->message);
  }
  fwvet_vfs_destroy(vfs);
  fwvet_extractor_destroy(ex);
  return 0;
}
