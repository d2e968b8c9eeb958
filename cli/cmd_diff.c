/* fwvet diff: release over release, from images or stored evaluations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char usage_head[] =
    "usage: fwvet diff [options] OLD NEW\n"
    "\n"
    "Compare two evaluations of a product and judge the progress: findings\n"
    "fixed, new and persisting (matched by fingerprint), components\n"
    "upgraded, downgraded, added and removed, vulnerabilities fixed and\n"
    "new, hardening gained and lost per binary, the engineering table\n"
    "before and after, files changed; then the verdict (material progress,\n"
    "limited progress, no material progress or regression) and the\n"
    "reasons for it (rules: docs/progress.md).\n"
    "\n"
    "When OLD and NEW are both images or directories, every changed file\n"
    "also gets, in text and json output, the verdict of 'fwvet equiv':\n"
    "equivalent (it differs only in build metadata, named) or different\n"
    "(the sections and functions that differ).  A stored evaluation keeps\n"
    "no file bytes, so this is not computed when either side is one; nor\n"
    "with --no-equiv, which saves unpacking both images a second time.\n"
    "\n"
    "OLD and NEW are each, in this order of precedence:\n"
    "  an image or directory  scanned now, as 'fwvet scan' would\n"
    "  id:N                   stored evaluation N\n"
    "  PRODUCT@RELEASE        the latest stored evaluation of that release\n"
    "\n"
    "  -f, --format text|json|sarif|html\n"
    "                          output format (default text); sarif gives\n"
    "                          the findings with baselineState new,\n"
    "                          unchanged or absent (fixed); html one\n"
    "                          self-contained page (use -o)\n"
    "  -o, --output FILE       write the report to FILE\n"
    "  --store DB              the store (default\n"
    "                          $XDG_DATA_HOME/fwvet/store.sqlite)\n"
    "  --fail-on SEVERITY      exit 1 when a new finding is at or above\n"
    "                          SEVERITY (info, low, medium, high, critical)\n"
    "  --color, --no-color     colour in text output\n"
    "  --no-equiv              do not compare the files of two images with\n"
    "                          'fwvet equiv' (it unpacks both again)\n"
    "  -j, --jobs N, --vulndb DB, --signatures FILE, --rules FILE.yar,\n"
    "  --families FILE, --call-sites\n"
    "                          as for 'fwvet scan', for images\n";

typedef struct side {
  fwvet_scan *scan;
  fwvet_eval *eval;
} side;

/* "id:N" as N; 0 when `s` is not one. */
static int64_t parse_id(const char *s) {
  if (strncmp(s, "id:", 3) || !s[3])
    return 0;
  char *end;
  errno = 0;
  long long v = strtoll(s + 3, &end, 10);
  if (errno || *end || v <= 0)
    return 0;
  return v;
}

/* Loads one side; 0 or an exit status after printing why. */
static int load_side(const cli_opts *o, const char *arg,
                     fwvet_store **store, const char *vulndb, side *out) {
  struct stat sb;
  if (stat(arg, &sb) == 0) {
    fwvet_scan_options so;
    cli_scan_options(o, vulndb, &so);
    fwvet_status st = fwvet_scan_run(arg, &so, &out->scan);
    if (!st)
      st = fwvet_eval_from_scan(out->scan, &out->eval);
    if (st) {
      cli_open_error(arg, st);
      return EXIT_INPUT;
    }
    return 0;
  }
  int64_t id = parse_id(arg);
  const char *at = strchr(arg, '@');
  if (!id && (!at || at == arg || !at[1])) {
    cli_error(arg, "no such file, and not id:N or PRODUCT@RELEASE");
    return EXIT_INPUT;
  }
  if (!*store) {
    char buf[4096];
    const char *path = cli_store_path(o, buf, sizeof buf);
    if (!path || !(*store = cli_store_open(path, 0)))
      return EXIT_INPUT;
  }
  fwvet_status st = FWVET_OK;
  if (!id) {
    size_t plen = (size_t)(at - arg);
    char *product = malloc(plen + 1);
    if (!product) {
      cli_error(arg, "%s", fwvet_strerror(FWVET_ENOMEM));
      return EXIT_INPUT;
    }
    memcpy(product, arg, plen);
    product[plen] = '\0';
    st = fwvet_store_lookup(*store, product, at + 1, &id);
    free(product);
  }
  if (!st)
    st = fwvet_store_load(*store, id, &out->eval);
  if (st == FWVET_ENOTFOUND) {
    cli_error(arg, "no such evaluation in the store");
    return EXIT_INPUT;
  }
  if (st) {
    cli_error(arg, "%s", fwvet_strerror(st));
    return EXIT_INPUT;
  }
  return 0;
}

static void side_release(side *s) {
  fwvet_eval_destroy(s->eval);
  fwvet_scan_destroy(s->scan);
}

/* Both sides are on disk: the equivalence of their files.  A failure
 * only leaves it out of the report (which says it was not computed). */
static void attach_equiv(const cli_opts *o, const char *old_path,
                         const char *new_path, fwvet_diff *d,
                         fwvet_equiv **eq) {
  fwvet_equiv_options eo;
  fwvet_equiv_options_init(&eo);
  eo.open = o->open;
  fwvet_equiv_side failed = FWVET_EQUIV_REFERENCE;
  fwvet_status st = fwvet_equiv_compare(old_path, new_path, &eo, eq, &failed);
  if (st) {
    cli_error(failed == FWVET_EQUIV_CANDIDATE ? new_path : old_path,
              "equivalence not computed: %s", fwvet_strerror(st));
    return;
  }
  if ((st = fwvet_diff_attach_equiv(d, *eq)))
    cli_error("diff", "equivalence not computed: %s", fwvet_strerror(st));
}

int cmd_diff(int argc, char **argv) {
  char usage[4096];
  snprintf(usage, sizeof usage, "%s%s", usage_head, cli_limits_help);
  cli_opts o;
  int i = cli_parse("diff", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  int rc = EXIT_USAGE;
  fwvet_store *store = NULL;
  side old = {0}, new_ = {0};
  fwvet_diff *d = NULL;
  fwvet_equiv *eq = NULL;
  FILE *out = NULL;
  if (argc - i != 2) {
    cli_error("diff", "expected OLD and NEW");
    goto out;
  }
  char defdb[4096];
  const char *vulndb = NULL;
  if ((rc = cli_vulndb(&o, defdb, sizeof defdb, &vulndb)) ||
      (rc = load_side(&o, argv[i], &store, vulndb, &old)) ||
      (rc = load_side(&o, argv[i + 1], &store, vulndb, &new_)))
    goto out;
  fwvet_status st = fwvet_diff_create(old.eval, new_.eval, &d);
  rc = EXIT_INPUT;
  if (st) {
    cli_error("diff", "%s", fwvet_strerror(st));
    goto out;
  }
  /* Only the text and JSON reports show it; it unpacks both again. */
  if (old.scan && new_.scan && !o.no_equiv &&
      (o.report.format == FWVET_REPORT_TEXT ||
       o.report.format == FWVET_REPORT_JSON))
    attach_equiv(&o, argv[i], argv[i + 1], d, &eq);
  if (!(out = cli_output(&o))) {
    rc = EXIT_USAGE;
    goto out;
  }
  st = fwvet_report_diff(d, &o.report, out);
  if (cli_close_output(&o, out) || st)
    goto out;
  rc = 0;
  for (size_t k = 0; o.fail_on >= 0 &&
                     k < fwvet_diff_finding_count(d, FWVET_DIFF_NEW); k++)
    if ((int)fwvet_diff_finding(d, FWVET_DIFF_NEW, k)->severity >= o.fail_on)
      rc = EXIT_FINDINGS;
out:
  fwvet_diff_destroy(d);
  fwvet_equiv_destroy(eq);
  side_release(&old);
  side_release(&new_);
  fwvet_store_close(store);
  fwvet_rules_destroy(o.rules);
  return rc;
}
