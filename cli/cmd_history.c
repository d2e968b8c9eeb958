/* fwvet history: the stored releases of a product. */
#include "cli.h"

static const char usage[] =
    "usage: fwvet history [options] PRODUCT\n"
    "\n"
    "List the stored releases of PRODUCT (the latest evaluation of each,\n"
    "in version order) with their findings per severity, components with\n"
    "known vulnerabilities, unsafe share of the engineering families,\n"
    "hardening coverage of the ELF files, and the progress verdict against\n"
    "the release before (rules: docs/progress.md).\n"
    "\n"
    "  -f, --format text|json  output format (default text)\n"
    "  -o, --output FILE       write the report to FILE\n"
    "  --store DB              the store (default\n"
    "                          $XDG_DATA_HOME/fwvet/store.sqlite)\n";

int cmd_history(int argc, char **argv) {
  cli_opts o;
  int i = cli_parse("history", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  if (argc - i != 1) {
    cli_error("history", "expected one PRODUCT");
    return EXIT_USAGE;
  }
  char buf[4096];
  const char *path = cli_store_path(&o, buf, sizeof buf);
  fwvet_store *store = path ? cli_store_open(path, 0) : NULL;
  if (!store)
    return EXIT_INPUT;
  fwvet_history *h = NULL;
  int rc = EXIT_INPUT;
  fwvet_status st = fwvet_history_create(store, argv[i], &h);
  if (st == FWVET_ENOTFOUND) {
    cli_error(argv[i], "no evaluations of this product in '%s'", path);
    goto out;
  }
  if (st) {
    cli_error(argv[i], "%s", fwvet_strerror(st));
    goto out;
  }
  FILE *out = cli_output(&o);
  if (!out) {
    rc = EXIT_USAGE;
    goto out;
  }
  st = fwvet_report_history(h, &o.report, out);
  if (!cli_close_output(&o, out) && !st)
    rc = 0;
out:
  fwvet_history_destroy(h);
  fwvet_store_close(store);
  return rc;
}
