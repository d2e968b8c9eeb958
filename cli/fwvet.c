/* fwvet: the command-line entry point.  Dispatches to one file per
 * command; uses only the public API. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: fwvet <command> [options] ...\n"
    "\n"
    "Evaluate firmware images the way an independent evaluation lab does.\n"
    "\n"
    "Commands:\n"
    "  scan IMAGE|DIR...        evaluate: unpack, analyse, report\n"
    "  ls IMAGE|DIR             list everything found inside, recursively\n"
    "  extract IMAGE -C DIR     write the unpacked tree under DIR, safely\n"
    "  audit-src DIR            engineering table of a C/C++ source tree\n"
    "  equiv REF CAND           binary equivalence of two images or trees\n"
    "  diff OLD NEW             release-over-release progress (images or\n"
    "                           stored evaluations)\n"
    "  history PRODUCT          the stored releases of a product\n"
    "  vulndb import FILE...    NVD JSON 2.0 / OSV JSON into the local\n"
    "                           vulnerability database\n"
    "\n"
    "Run 'fwvet <command> --help' for a command's options.\n"
    "Exit codes: 0 success, 1 findings at or above --fail-on, 2 usage error,\n"
    "3 an input could not be read.\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    fputs(usage, stdout);
    return 0;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    printf("fwvet %s\n", fwvet_version());
    return 0;
  }
  if (!strcmp(cmd, "scan"))
    return cmd_scan(argc - 1, argv + 1);
  if (!strcmp(cmd, "ls"))
    return cmd_ls(argc - 1, argv + 1);
  if (!strcmp(cmd, "extract"))
    return cmd_extract(argc - 1, argv + 1);
  if (!strcmp(cmd, "audit-src"))
    return cmd_audit_src(argc - 1, argv + 1);
  if (!strcmp(cmd, "equiv"))
    return cmd_equiv(argc - 1, argv + 1);
  if (!strcmp(cmd, "vulndb"))
    return cmd_vulndb(argc - 1, argv + 1);
  if (!strcmp(cmd, "diff"))
    return cmd_diff(argc - 1, argv + 1);
  if (!strcmp(cmd, "history"))
    return cmd_history(argc - 1, argv + 1);
  cli_error(cmd, "unknown command");
  fputs("Try 'fwvet --help'.\n", stderr);
  return EXIT_USAGE;
}
