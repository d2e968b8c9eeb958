/* fwvet ls: list the unpacked tree. */
#include <stdio.h>

#include "cli.h"

static const char usage_head[] =
    "usage: fwvet ls [options] IMAGE|DIR\n"
    "\n"
    "List every node found inside IMAGE (recursively unpacked in memory):\n"
    "mode, size, type and provenance path, then any unpack.* findings.\n"
    "\n"
    "  -f, --format text|json  output format (default text)\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "  -j, --jobs N            worker threads (default: all cores)\n"
    "  --color, --no-color     colour in text output (default: on a tty,\n"
    "                          unless NO_COLOR is set)\n";

int cmd_ls(int argc, char **argv) {
  char usage[2048];
  snprintf(usage, sizeof usage, "%s%s", usage_head, cli_limits_help);
  cli_opts o;
  int i = cli_parse("ls", usage, argc, argv, &o);
  if (i == -2)
    return 0;
  if (i < 0)
    return EXIT_USAGE;
  if (argc - i != 1) {
    cli_error("ls", "expected one IMAGE or DIR");
    return EXIT_USAGE;
  }
  fwvet_vfs *vfs = cli_open(argv[i], &o.open);
  if (!vfs)
    return EXIT_INPUT;
  int rc = 0;
  FILE *out = cli_output(&o);
  if (!out) {
    rc = EXIT_USAGE;
  } else {
    fwvet_report_ls(vfs, &o.report, out);
    if (cli_close_output(&o, out))
      rc = EXIT_INPUT;
  }
  fwvet_vfs_destroy(vfs);
  return rc;
}
