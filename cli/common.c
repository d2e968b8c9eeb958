/* Option parsing, errors and output files shared by the commands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char cli_limits_help[] =
    "Limits (each reported as an unpack.limit finding when hit):\n"
    "  --max-depth N      nested containers (default 16)\n"
    "  --max-total SIZE   all decoded bytes (default 4G)\n"
    "  --max-file SIZE    one decoded file or stream (default 1G)\n"
    "  --max-ratio N      output:input of one stream (default 1000)\n"
    "  --max-nodes N      nodes in the tree (default 1000000)\n"
    "  --max-seconds S    CPU seconds per stream (default 60)\n"
    "SIZE takes a K, M or G suffix (powers of 1024).\n";

void cli_error(const char *what, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "fwvet: %s: ", what);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static int parse_u64(const char *s, int suffixes, uint64_t *out) {
  char *end;
  errno = 0;
  if (!*s || *s == '-')
    return -1;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s)
    return -1;
  unsigned shift = 0;
  if (suffixes && *end) {
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    default: return -1;
    }
    end++;
  }
  if (*end || v == 0 || v > (UINT64_MAX >> shift))
    return -1;
  *out = (uint64_t)v << shift;
  return 0;
}

enum {
  OPT_MAX_DEPTH = 256, OPT_MAX_TOTAL, OPT_MAX_FILE, OPT_MAX_RATIO,
  OPT_MAX_NODES, OPT_MAX_SECONDS, OPT_FAIL_ON, OPT_COLOR, OPT_NO_COLOR,
  OPT_FAMILIES, OPT_RULES, OPT_CALL_SITES, OPT_SIGNATURES, OPT_VULNDB,
  OPT_STORE, OPT_PRODUCT, OPT_RELEASE, OPT_REPLACE, OPT_NO_EQUIV,
};

enum { MAX_RULE_FILES = 256 };

/* Compiles the --rules files; prints the first error ("FILE:LINE: why")
 * and returns -1 when they do not compile. */
static int compile_rules(const char *const *files, size_t n, cli_opts *o) {
  char err[512];
  fwvet_status st = fwvet_rules_compile(files, n, &o->rules, err, sizeof err);
  if (st == FWVET_EIO)
    cli_error(err, "%s", strerror(errno));
  else if (st == FWVET_EINVAL)
    fprintf(stderr, "fwvet: %s\n", err);
  else if (st)
    cli_error("rules", "%s", fwvet_strerror(st));
  return st ? -1 : 0;
}

int cli_parse(const char *cmd, const char *usage, int argc, char **argv,
              cli_opts *o) {
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"format", required_argument, NULL, 'f'},
      {"output", required_argument, NULL, 'o'},
      {"jobs", required_argument, NULL, 'j'},
      {"directory", required_argument, NULL, 'C'},
      {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
      {"max-total", required_argument, NULL, OPT_MAX_TOTAL},
      {"max-file", required_argument, NULL, OPT_MAX_FILE},
      {"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
      {"max-nodes", required_argument, NULL, OPT_MAX_NODES},
      {"max-seconds", required_argument, NULL, OPT_MAX_SECONDS},
      {"fail-on", required_argument, NULL, OPT_FAIL_ON},
      {"color", no_argument, NULL, OPT_COLOR},
      {"no-color", no_argument, NULL, OPT_NO_COLOR},
      {"families", required_argument, NULL, OPT_FAMILIES},
      {"rules", required_argument, NULL, OPT_RULES},
      {"call-sites", no_argument, NULL, OPT_CALL_SITES},
      {"signatures", required_argument, NULL, OPT_SIGNATURES},
      {"vulndb", required_argument, NULL, OPT_VULNDB},
      {"store", required_argument, NULL, OPT_STORE},
      {"product", required_argument, NULL, OPT_PRODUCT},
      {"release", required_argument, NULL, OPT_RELEASE},
      {"replace", no_argument, NULL, OPT_REPLACE},
      {"no-equiv", no_argument, NULL, OPT_NO_EQUIV},
      {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof *o);
  fwvet_open_options_init(&o->open);
  o->fail_on = -1;
  int color = -1;
  uint64_t v;
  int c;
  const char *rule_files[MAX_RULE_FILES];
  size_t nrule_files = 0;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "hf:o:j:C:", longopts, NULL)) != -1) {
    const char *arg = optarg;
    switch (c) {
    case 'h':
      fputs(usage, stdout);
      return -2;
    case 'f': {
      int f = fwvet_report_format_parse(arg);
      if (f < 0)
        goto bad_value;
      o->report.format = (fwvet_report_format)f;
      break;
    }
    case 'o': o->output = arg; break;
    case 'C': o->dir = arg; break;
    case 'j':
      if (parse_u64(arg, 0, &v) || v > 256)
        goto bad_value;
      o->open.jobs = (unsigned)v;
      break;
    case OPT_MAX_DEPTH:
      if (parse_u64(arg, 0, &v) || v > 1000)
        goto bad_value;
      o->open.limits.max_depth = (unsigned)v;
      break;
    case OPT_MAX_TOTAL:
      if (parse_u64(arg, 1, &v))
        goto bad_value;
      o->open.limits.max_total_bytes = v;
      break;
    case OPT_MAX_FILE:
      if (parse_u64(arg, 1, &v))
        goto bad_value;
      o->open.limits.max_file_bytes = v;
      break;
    case OPT_MAX_RATIO:
      if (parse_u64(arg, 0, &v))
        goto bad_value;
      o->open.limits.max_ratio = v;
      break;
    case OPT_MAX_NODES:
      if (parse_u64(arg, 0, &v))
        goto bad_value;
      o->open.limits.max_nodes = v;
      break;
    case OPT_MAX_SECONDS: {
      char *end;
      double d = strtod(arg, &end);
      if (end == arg || *end || !(d > 0) || d > 1e6)
        goto bad_value;
      o->open.limits.max_stream_seconds = d;
      break;
    }
    case OPT_FAIL_ON:
      if ((o->fail_on = fwvet_severity_parse(arg)) < 0)
        goto bad_value;
      break;
    case OPT_COLOR: color = 1; break;
    case OPT_NO_COLOR: color = 0; break;
    case OPT_FAMILIES: {
      unsigned line = 0;
      fwvet_status st = fwvet_families_check(arg, &line);
      if (st == FWVET_EINVAL) {
        cli_error(arg, "line %u: expected 'FAMILY FUNCTION safe|unsafe'",
                  line);
        return -1;
      }
      if (st) {
        cli_error(arg, "%s", fwvet_strerror(st));
        return -1;
      }
      o->families = arg;
      break;
    }
    case OPT_CALL_SITES:
      o->call_sites = 1;
      break;
    case OPT_SIGNATURES:
    case OPT_VULNDB:
      if (strcmp(cmd, "scan") != 0 && strcmp(cmd, "diff") != 0) {
        cli_error(cmd, "unknown option '%s'", argv[optind - 1]);
        goto usage;
      }
      if (c == OPT_VULNDB) {
        o->vulndb = arg;
        break;
      }
      char err[512];
      if (fwvet_signatures_check(arg, err, sizeof err)) {
        fprintf(stderr, "fwvet: %s\n", err);
        return -1;
      }
      o->signatures = arg;
      break;
    case OPT_RULES:
      if (strcmp(cmd, "scan") != 0 && strcmp(cmd, "diff") != 0) {
        cli_error(cmd, "unknown option '--rules'");
        goto usage;
      }
      if (nrule_files == MAX_RULE_FILES) {
        cli_error(cmd, "more than %d --rules files", MAX_RULE_FILES);
        goto usage;
      }
      rule_files[nrule_files++] = arg;
      break;
    case OPT_NO_EQUIV:
      if (strcmp(cmd, "diff") != 0) {
        cli_error(cmd, "unknown option '%s'", argv[optind - 1]);
        goto usage;
      }
      o->no_equiv = 1;
      break;
    case OPT_STORE:
    case OPT_PRODUCT:
    case OPT_RELEASE:
    case OPT_REPLACE:
      /* --store for the commands that use one; the rest name what scan
       * stores. */
      if (strcmp(cmd, "scan") != 0 &&
          (c != OPT_STORE ||
           (strcmp(cmd, "diff") != 0 && strcmp(cmd, "history") != 0))) {
        cli_error(cmd, "unknown option '%s'", argv[optind - 1]);
        goto usage;
      }
      if ((c == OPT_PRODUCT || c == OPT_RELEASE) && !*arg)
        goto bad_value;
      if (c == OPT_STORE)
        o->store = arg;
      else if (c == OPT_PRODUCT)
        o->product = arg;
      else if (c == OPT_RELEASE)
        o->release = arg;
      else
        o->replace = 1;
      break;
    case ':':
      cli_error(cmd, "option '%s' needs a value", argv[optind - 1]);
      goto usage;
    default:
      cli_error(cmd, "unknown option '%s'", argv[optind - 1]);
      goto usage;
    }
    continue;
  bad_value:
    cli_error(cmd, "invalid value '%s' for option '%s'", arg,
              argv[optind - 1]);
    goto usage;
  }
  if (o->report.format >= FWVET_REPORT_CYCLONEDX && strcmp(cmd, "scan") &&
      !(o->report.format != FWVET_REPORT_CYCLONEDX &&
        !strcmp(cmd, "diff"))) {
    static const char *const names[] = {"cyclonedx", "sarif", "html"};
    cli_error(cmd, "format '%s' is for scan only",
              names[o->report.format - FWVET_REPORT_CYCLONEDX]);
    goto usage;
  }
  if (nrule_files && compile_rules(rule_files, nrule_files, o))
    return -1;
  if (color < 0)
    color = !getenv("NO_COLOR") && !o->output && isatty(STDOUT_FILENO);
  o->report.color = color;
  return optind;
usage:
  fprintf(stderr, "Try 'fwvet %s --help'.\n", cmd);
  return -1;
}

void cli_open_error(const char *path, fwvet_status st) {
  if (st == FWVET_EIO)
    cli_error(path, "%s", strerror(errno));
  else
    cli_error(path, "%s", fwvet_strerror(st));
}

fwvet_vfs *cli_open(const char *path, const fwvet_open_options *opt) {
  fwvet_vfs *vfs = NULL;
  fwvet_status st = fwvet_vfs_open(path, opt, &vfs);
  if (st)
    cli_open_error(path, st);
  return st ? NULL : vfs;
}

FILE *cli_output(const cli_opts *o) {
  if (!o->output || !strcmp(o->output, "-"))
    return stdout;
  FILE *f = fopen(o->output, "w");
  if (!f)
    cli_error(o->output, "%s", strerror(errno));
  return f;
}

int cli_close_output(const cli_opts *o, FILE *f) {
  int bad = ferror(f);
  if (f == stdout)
    bad |= fflush(f);
  else
    bad |= fclose(f);
  if (bad)
    cli_error(o->output ? o->output : "stdout", "write failed: %s",
              strerror(errno));
  return bad;
}

const char *cli_store_path(const cli_opts *o, char *buf, size_t cap) {
  if (o->store)
    return o->store;
  const char *p = fwvet_store_default_path(buf, cap);
  if (!p)
    cli_error("store", "no --store given and neither XDG_DATA_HOME nor "
                       "HOME is set");
  return p;
}

fwvet_store *cli_store_open(const char *path, int create) {
  fwvet_store *s = NULL;
  fwvet_status st = fwvet_store_open(path, create, &s);
  if (st == FWVET_ENOTFOUND)
    cli_error(path, "no such store");
  else if (st == FWVET_ECORRUPT)
    cli_error(path, "not an fwvet store");
  else if (st == FWVET_EUNSUPPORTED)
    cli_error(path, "store written by a newer fwvet");
  else if (st == FWVET_EIO)
    cli_error(path, "cannot open the store");
  else if (st)
    cli_error(path, "%s", fwvet_strerror(st));
  return st ? NULL : s;
}

int cli_vulndb(const cli_opts *o, char *buf, size_t cap, const char **out) {
  /* The default database is used when it exists; one named with
   * --vulndb must exist. */
  const char *vulndb = o->vulndb;
  if (!vulndb && fwvet_vulndb_default_path(buf, cap) &&
      access(buf, F_OK) == 0)
    vulndb = buf;
  if (vulndb) {
    fwvet_vulndb *db = NULL;
    fwvet_status st = fwvet_vulndb_open(vulndb, 0, &db);
    fwvet_vulndb_close(db);
    if (st) {
      cli_error(vulndb, "%s", st == FWVET_ENOTFOUND
                                  ? "no such vulnerability database"
                                  : fwvet_strerror(st));
      return EXIT_INPUT;
    }
  }
  *out = vulndb;
  return 0;
}

void cli_scan_options(const cli_opts *o, const char *vulndb,
                      fwvet_scan_options *so) {
  fwvet_scan_options_init(so);
  so->open = o->open;
  so->families = o->families;
  so->call_sites = o->call_sites;
  so->rules = o->rules;
  so->signatures = o->signatures;
  so->vulndb = vulndb;
}
