/* fwvet vulndb: the offline vulnerability database. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <fwvet/vulndb.h>

#include "cli.h"

static const char usage[] =
    "usage: fwvet vulndb import [--db DB] FILE...\n"
    "\n"
    "Import vulnerability records into the local database that scan\n"
    "matches components against.  FILE is NVD CVE JSON 2.0 (an API 2.0\n"
    "response or a 2.0 feed file) or OSV JSON (one record, a list of\n"
    "records, or a zip archive of them such as osv.dev's all.zip), plain\n"
    "or gzip-compressed; the format is recognised by content.  A record\n"
    "already in the database is replaced, never duplicated.  Each file is\n"
    "imported whole or not at all.  Nothing is fetched from the network:\n"
    "download the files yourself.\n"
    "\n"
    "  --db DB      the database, created if missing (default:\n"
    "               $XDG_DATA_HOME/fwvet/vulndb.sqlite, else\n"
    "               ~/.local/share/fwvet/vulndb.sqlite)\n"
    "  -h, --help   show this help\n"
    "\n"
    "Prints 'FILE: N added, M updated, K skipped' per file (skipped:\n"
    "records with no affected product or version to match, such as\n"
    "rejected CVEs and withdrawn advisories).  'fwvet scan' uses the\n"
    "default database when it exists.\n";

static int import(int argc, char **argv) {
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"db", required_argument, NULL, 'd'},
      {NULL, 0, NULL, 0},
  };
  const char *dbpath = NULL;
  char defpath[4096];
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
    switch (c) {
    case 'h':
      fputs(usage, stdout);
      return 0;
    case 'd':
      dbpath = optarg;
      break;
    case ':':
      cli_error("vulndb", "option '%s' needs a value", argv[optind - 1]);
      return EXIT_USAGE;
    default:
      cli_error("vulndb", "unknown option '%s'", argv[optind - 1]);
      return EXIT_USAGE;
    }
  }
  if (optind >= argc) {
    cli_error("vulndb import", "expected at least one FILE");
    return EXIT_USAGE;
  }
  if (!dbpath && !(dbpath = fwvet_vulndb_default_path(defpath,
                                                      sizeof defpath))) {
    cli_error("vulndb", "no --db given and neither XDG_DATA_HOME nor HOME "
              "is set");
    return EXIT_USAGE;
  }
  fwvet_vulndb *db = NULL;
  fwvet_status st = fwvet_vulndb_open(dbpath, 1, &db);
  if (st) {
    cli_error(dbpath, "%s", st == FWVET_EIO && errno ? strerror(errno)
                            : st == FWVET_ECORRUPT
                                ? "not a fwvet vulnerability database"
                                : fwvet_strerror(st));
    return EXIT_INPUT;
  }
  int rc = 0;
  for (int i = optind; i < argc; i++) {
    fwvet_vulndb_stats stats = {0, 0, 0};
    char err[1024];
    st = fwvet_vulndb_import(db, argv[i], &stats, err, sizeof err);
    if (st == FWVET_ENOMEM) {
      cli_error(argv[i], "%s", fwvet_strerror(st));
      rc = EXIT_INPUT;
      break;
    }
    if (st) {
      fprintf(stderr, "fwvet: %s\n", err[0] ? err : fwvet_strerror(st));
      rc = EXIT_INPUT;
      continue;
    }
    printf("%s: %zu added, %zu updated, %zu skipped\n", argv[i],
           stats.added, stats.updated, stats.skipped);
    fflush(stdout);
  }
  fwvet_vulndb_close(db);
  return rc;
}

int cmd_vulndb(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    fputs(usage, stdout);
    return 0;
  }
  if (!strcmp(argv[1], "import"))
    return import(argc - 1, argv + 1);
  cli_error("vulndb", "unknown subcommand '%s'", argv[1]);
  fputs("Try 'fwvet vulndb --help'.\n", stderr);
  return EXIT_USAGE;
}
