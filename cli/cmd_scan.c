/* fwvet scan: evaluate images and report. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "progress_line.h"

static const char usage_head[] =
    "usage: fwvet scan [options] IMAGE|DIR...\n"
    "\n"
    "Unpack each input recursively, run every analyser over every file\n"
    "(accounts, credentials, keys, secrets, boot services and scripts,\n"
    "known backdoors, ELF hardening, unsafe functions) and report: a\n"
    "summary, the engineering table, the containers and streams found, and\n"
    "the findings (rule ids: docs/rules.md), and the third-party\n"
    "components found with the copy census and, with a vulnerability\n"
    "database, their known vulnerabilities.  JSON adds every file with its\n"
    "hash and, for ELF files, its hardening.\n"
    "\n"
    "  -f, --format text|json|sarif|cyclonedx|html\n"
    "                          output format (default text); sarif is\n"
    "                          SARIF 2.1.0, cyclonedx a CycloneDX 1.6 SBOM,\n"
    "                          html one self-contained page (these three:\n"
    "                          one input); several inputs with json give\n"
    "                          an array of reports\n"
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
    "                          functions in x86-64, AArch64, ARM and MIPS\n"
    "                          binaries (engineering.call_sites; slower)\n"
    "  --signatures FILE       more component signatures (format of the\n"
    "                          built-in data/signatures.txt)\n"
    "  --vulndb DB             match components against this vulnerability\n"
    "                          database (made by 'fwvet vulndb import');\n"
    "                          default: the default database, if it exists\n"
    "                          ($XDG_DATA_HOME/fwvet/vulndb.sqlite)\n"
    "  --product NAME --release VER\n"
    "                          record the evaluation (one input) in the\n"
    "                          store as NAME@VER, in one transaction\n"
    "  --store DB              the store (default\n"
    "                          $XDG_DATA_HOME/fwvet/store.sqlite, created\n"
    "                          on first use)\n"
    "  --replace               delete the earlier evaluations of NAME@VER\n"
    "                          in the same transaction (default: keep them;\n"
    "                          the new one is the latest run)\n";

/* Records the evaluation; 0, or EXIT_INPUT after printing why not. */
static int store_scan(const cli_opts *o, fwvet_store *store,
                      const char *path, const fwvet_scan *scan) {
  fwvet_eval *ev = NULL;
  int64_t id = 0;
  fwvet_status st = fwvet_eval_from_scan(scan, &ev);
  if (!st)
    st = fwvet_store_add(store, ev, o->product, o->release,
                         o->replace ? FWVET_STORE_REPLACE : 0, &id);
  fwvet_eval_destroy(ev);
  if (st) {
    cli_error(path, "storing the evaluation failed: %s",
              st == FWVET_EIO ? fwvet_store_errmsg(store)
                              : fwvet_strerror(st));
    return EXIT_INPUT;
  }
  fprintf(stderr, "fwvet: stored %s@%s as id:%lld\n", o->product,
          o->release, (long long)id);
  return 0;
}

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
  if (o.report.format >= FWVET_REPORT_CYCLONEDX && argc - i > 1) {
    cli_error("scan", "formats 'sarif', 'cyclonedx' and 'html' describe "
                      "one input");
    fwvet_rules_destroy(o.rules);
    return EXIT_USAGE;
  }
  if ((o.store || o.replace || o.product || o.release) &&
      (!o.product || !o.release || argc - i > 1)) {
    cli_error("scan", "storing needs --product, --release and one input");
    fwvet_rules_destroy(o.rules);
    return EXIT_USAGE;
  }
  fwvet_store *store = NULL;
  char defstore[4096];
  const char *store_path =
      o.product ? cli_store_path(&o, defstore, sizeof defstore) : NULL;
  if (o.product && (!store_path || !(store = cli_store_open(store_path, 1)))) {
    fwvet_rules_destroy(o.rules);
    return EXIT_INPUT;
  }
  char defdb[4096];
  const char *vulndb = NULL;
  if (cli_vulndb(&o, defdb, sizeof defdb, &vulndb)) {
    fwvet_rules_destroy(o.rules);
    fwvet_store_close(store);
    return EXIT_INPUT;
  }
  FILE *out = cli_output(&o);
  if (!out) {
    fwvet_rules_destroy(o.rules);
    fwvet_store_close(store);
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
    so.signatures = o.signatures;
    so.vulndb = vulndb;
    fwvet_scan *scan = NULL;
    cli_progress *progress = cli_progress_start(argv[k], &so.open);
    fwvet_status st = fwvet_scan_run(argv[k], &so, &scan);
    cli_progress_stop(progress);
    if (st) {
      cli_open_error(argv[k], st);
      rc = EXIT_INPUT;
      continue;
    }
    if (many && k > i)
      fputs(json ? ",\n" : "\n", out);
    fwvet_report_scan(scan, &o.report, out);
    if (store && store_scan(&o, store, argv[k], scan))
      rc = EXIT_INPUT;
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
  fwvet_store_close(store);
  return rc;
}
