/* fwvet audit-src: the engineering table of a C/C++ source tree. */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: fwvet audit-src [options] DIR\n"
    "\n"
    "Count the direct calls of the copy, format and input families\n"
    "(memcpy, strcpy, sprintf, gets, scanf and their bounded variants) in\n"
    "every C/C++ file under DIR (.c .h .cc .cpp .cxx .hpp .hh .inl) and\n"
    "print the engineering table: per family, distinct safe variants,\n"
    "calls to safe variants, distinct unsafe variants, calls to unsafe\n"
    "variants, percentage unsafe.  Also reports macros that redefine a\n"
    "safe function to an unsafe one and \"safe\" wrappers that never\n"
    "compare a size (rule ids: docs/rules.md).\n"
    "\n"
    "  -f, --format text|json  output format (default text)\n"
    "  -o, --output FILE       write the report to FILE\n"
    "  --families FILE         more family lines (vendor wrappers):\n"
    "                          FAMILY FUNCTION safe|unsafe\n"
    "  --fail-on SEVERITY      exit 1 when a finding is at or above SEVERITY\n";

int cmd_audit_src(int argc, char **argv) {
  cli_opts o;
  int i = cli_parse("audit-src", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  if (argc - i != 1) {
    cli_error("audit-src", "expected one DIR");
    return EXIT_USAGE;
  }
  fwvet_audit_options ao = {o.families};
  fwvet_audit *a = NULL;
  fwvet_status st = fwvet_audit_src(argv[i], &ao, &a, NULL);
  if (st) {
    cli_error(argv[i], "%s", fwvet_strerror(st));
    return EXIT_INPUT;
  }
  FILE *out = cli_output(&o);
  if (!out) {
    fwvet_audit_destroy(a);
    return EXIT_USAGE;
  }
  int rc = 0;
  if (fwvet_report_audit(a, &o.report, out))
    rc = EXIT_INPUT;
  if (o.fail_on >= 0 && !rc) {
    for (size_t k = 0; k < fwvet_audit_finding_count(a); k++)
      if (fwvet_audit_finding(a, k)->severity >= (fwvet_severity)o.fail_on)
        rc = EXIT_FINDINGS;
  }
  fwvet_audit_destroy(a);
  if (cli_close_output(&o, out))
    rc = EXIT_INPUT;
  return rc;
}
