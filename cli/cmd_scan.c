/* fwvet scan: evaluate images and report. */
#include <stdio.h>

#include "cli.h"

static const char usage_head[] =
    "usage: fwvet scan [options] IMAGE|DIR...\n"
    "\n"
    "Unpack each input recursively, run every analyser over every file\n"
    "(accounts, credentials, keys, secrets, boot services and scripts,\n"
    "known backdoors, ELF hardening, unsafe functions) and report: a\n"
    "summary, the engineering table, the containers and streams found, and\n"
    "the findings (rule ids: docs/rules.md).  JSON\n"
    "adds every file with its hash and, for ELF files, its hardening.\n"
    "\n"
    "  -f, --format text|json  output format (default text); several inputs\n"
    "                          with json give an array of reports\n"
    "  -o, --output FILE       write the report to FILE\n"
    "  -j, --jobs N            worker threads (default: all cores)\n"
    "  --fail-on SEVERITY      exit 1 when a finding is at or above SEVERITY\n"
    "                          (info, low, medium, high, critical)\n"
    "  --color, --no-color     colour in text output\n"
    "  --families FILE         more engineering family lines (vendor\n"
    "                          wrappers): FAMILY FUNCTION safe|unsafe\n"
    "  --rules FILE.yar        also match these YARA rules against every\n"
    "                          file (repeatable); a match is a finding\n"
    "                          yara.<rule>, severity from the rule's meta\n"
    "                          'severity' (default medium)\n"
    "  --call-sites            also count direct calls to those families'\n"
    "                          functions in x86-64 and AArch64 binaries\n"
    "                          (engineering.call_sites; slower)\n";

int cmd_scan(int argc, char **argv) {
  char usage[4096];
  snprintf(usage, sizeof usage, "%s%s", usage_head, cli_limits_help);
  cli_opts o;
  int i = cli_parse("scan", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  if (i >= argc) {
    cli_error("scan", "expected at least one IMAGE or DIR");
    fwvet_rules_destroy(o.rules);
    return EXIT_USAGE;
  }
  FILE *out = cli_output(&o);
  if (!out) {
    fwvet_rules_destroy(o.rules);
    return EXIT_USAGE;
  }
  int rc = 0, many = argc - i > 1;
  int json = o.report.format == FWVET_REPORT_JSON;
  if (many && json)
    fputs("[\n", out);
  for (int k = i; k < argc; k++) {
    fwvet_scan_options so;
    fwvet_scan_options_init(&so);
    so.open = o.open;
    so.families = o.families;
    so.call_sites = o.call_sites;
    so.rules = o.rules;
    fwvet_scan *scan = NULL;
    fwvet_status st = fwvet_scan_run(argv[k], &so, &scan);
    if (st) {
      cli_open_error(argv[k], st);
      rc = EXIT_INPUT;
      continue;
    }
    if (many && k > i)
      fputs(json ? ",\n" : "\n", out);
    fwvet_report_scan(scan, &o.report, out);
    if (o.fail_on >= 0 && rc == 0 &&
        fwvet_scan_findings_at_least(scan, (fwvet_severity)o.fail_on))
      rc = EXIT_FINDINGS;
    fwvet_scan_destroy(scan);
  }
  if (many && json)
    fputs("]\n", out);
  if (cli_close_output(&o, out))
    rc = EXIT_INPUT;
  fwvet_rules_destroy(o.rules);
  return rc;
}
